"""Fast paths for elementwise activations: one pass over memory, on every core, behind the
public functions.

Nothing here needs to be called: ``actlab.gelu(x)``, ``act(x)``, ``act.derivative(x)``,
``act.derivative_from_output(y)``, ``act.vjp(x, g)``, ``act.vjp_from_output(y, g)`` and
``act.param_grads(x, g)`` of every elementwise activation on a NumPy array take the path
described in :mod:`actlab.kernels.dispatch`. With numba installed (``pip install
'actlab[fast]'``) each activation's own definition is traced into a scalar program and compiled
into one fused loop (see :mod:`actlab.kernels.trace`), with vectorised elementary functions
(:mod:`actlab.kernels.math32`, :mod:`actlab.kernels.math64`); without numba, or for a formula
that cannot be traced, the NumPy reference path runs over cache-sized chunks on all cores.

>>> import numpy as np, actlab, actlab.kernels as K
>>> x = np.linspace(-3, 3, 7, dtype=np.float32)
>>> with K.using(backend="numpy"):           # the NumPy reference path, for comparison
...     reference = actlab.swish(x)
>>> bool(np.allclose(actlab.swish(x), reference))
True

This module offers :func:`available` (what computes here), :func:`configure` and
:func:`using` (the backend and thread count), and :func:`warm_up` (compile ahead of first use).

Settings, read once (see :mod:`actlab.kernels.settings`): ``ACTLAB_NUM_THREADS`` (threads;
default: the CPUs this process may use), ``ACTLAB_KERNELS=numpy`` (never use numba),
``ACTLAB_CACHE_DIR`` (where compiled kernels live).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterable

import numpy as np

from ..core import Activation, get
from ..core.activation import set_numpy_path
from . import codegen, dispatch, fused, settings
from .settings import configure, using

__all__ = [
    "available",
    "configure",
    "path",
    "using",
    "warm_up",
    "forward",
    "backward",
    "backward_from_output",
]

set_numpy_path(dispatch.run, dispatch.reduce_sum)


def available() -> dict:
    """What computes the activations here: ``backend`` ("numba" or "numpy"), ``threads``, the
    ``numba`` version (None without it), ``reason`` (why numba is not used, else ""), and
    ``cache_dir`` (where compiled kernels are kept)."""
    from importlib import metadata  # at first use: it costs import time

    reason = fused.unavailable()
    try:
        numba_version = metadata.version("numba")
    except metadata.PackageNotFoundError:
        numba_version = None
    return {
        "backend": "numpy" if reason else "numba",
        "threads": settings.current().threads,
        "numba": numba_version,
        "reason": reason or "",
        "cache_dir": str(codegen.cache_dir()),
    }


def path(act: Any, form: str = "forward", dtype: Any = np.float32) -> str:
    """How ``form`` of an activation is computed for arrays of ``dtype``: "fused float32 kernel",
    "NumPy reference in float64, ...", or "whole-array reference" where the NumPy path does not
    apply (vector-valued activations, user callables, per-channel parameters)."""
    p = dispatch.plan(_activation(act), form, np.dtype(dtype))
    if p is None:
        return "whole-array reference"
    assert p.label is not None  # plan() returns None for the plans without a label
    return p.label


def warm_up(
    activations: Iterable[Any] | None = None,
    dtypes: Iterable[Any] = (np.float32,),
    forms: Iterable[str] = ("forward", "backward", "backward_from_output"),
    *,
    background: bool = False,
) -> threading.Thread | float:
    """Build the kernels of ``activations`` (default: every elementwise one in the registry) for
    ``dtypes`` and ``forms`` ahead of first use, from numba's on-disk cache where it has them.
    Returns the seconds it took, or, with ``background=True``, the thread doing it (a call that
    needs a kernel still being built waits for it, so results never depend on timing)."""
    from ..core import definitions

    acts = (
        [_activation(a) for a in activations]
        if activations is not None
        else [get(d) for d in definitions() if d.elementwise]
    )
    jobs = [(a, np.dtype(t), f) for a in acts for t in dtypes for f in forms]

    def build() -> float:
        start = time.perf_counter()
        for a, t, f in jobs:
            if fused.formula(a.definition, f)[0] is not None:
                fused.kernel(a, t, f)
        return time.perf_counter() - start

    if not background:
        return build()
    thread = threading.Thread(target=build, name="actlab-warm-up", daemon=True)
    thread.start()
    return thread


# The same calls by another name, for code written against earlier versions of this module.
def forward(act: Any, x: Any, out: np.ndarray | None = None) -> Any:
    """``act(x, out=out)``."""
    return _activation(act)(x, out=out)


def backward(act: Any, x: Any, grad_out: Any, out: np.ndarray | None = None) -> Any:
    """``act.vjp(x, grad_out, out=out)``."""
    return _activation(act).vjp(x, grad_out, out=out)


def backward_from_output(act: Any, y: Any, grad_out: Any, out: np.ndarray | None = None) -> Any:
    """``act.vjp_from_output(y, grad_out, out=out)``."""
    return _activation(act).vjp_from_output(y, grad_out, out=out)


def _activation(act: Any) -> Activation:
    return act if isinstance(act, Activation) else get(act)
