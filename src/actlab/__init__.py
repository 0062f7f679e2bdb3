"""actlab: neural-network activation functions, exact, stable, differentiable and described.

>>> import actlab as al
>>> float(al.relu(-2.0)), float(al.sigmoid(0.0))
(0.0, 0.5)
>>> al.get("swish", beta=1.5)
Activation('swish', beta=1.5)
"""

from . import core as _core
from . import functions as _functions  # noqa: F401  (fills the registry)
from . import kernels as _kernels  # noqa: F401  (installs the fast NumPy path behind every call)
from ._api import make_alias as _make_alias
from ._api import make_function as _make_function
from .core import *  # noqa: F403  (the public names of core, listed once in its __all__)
from .core import definitions, names

__version__ = "0.1.0"

# One function per registered activation: actlab.relu, actlab.gelu, ... (generated, not listed),
# and one per alias (actlab.silu, actlab.identity, ...), the names framework users type first.
for _d in definitions():
    globals()[_d.name] = _make_function(_d)
    for _alias in _d.aliases:
        if _alias in globals():
            raise ImportError(f"the alias {_alias!r} of {_d.name!r} would hide actlab.{_alias}")
        globals()[_alias] = _make_alias(_alias, globals()[_d.name])
del _d, _alias

__all__ = [*_core.__all__, *names(include_aliases=True)]
