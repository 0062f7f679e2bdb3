"""Keras 3 activations: ``get("swish", beta=1.5)`` and the registered names ``"actlab>mish"``.

Both are callables a layer takes as ``activation=``, and both survive ``model.save`` /
``keras.saving.load_model`` (import ``actlab.keras`` before loading, so Keras can find them):

- ``get(...)`` returns an :class:`Activation` object, serialised as its actlab config.
- each registered activation is also a function registered with Keras under
  ``"actlab>NAME"``. Keras 3 looks up ``activation="..."`` strings only among its own
  built-ins, so importing this module also adds those names to that table: after
  ``import actlab.keras``, ``Dense(64, activation="actlab>mish")`` works.

The backward pass depends on the backend: with PyTorch it is actlab's analytic derivative (the
autograd function of :mod:`actlab.interop.pytorch`); with JAX, autodiff differentiates the
definitions' formulas; the NumPy backend only runs inference. TensorFlow tensors are not
array-API arrays, so that backend is refused with an error saying so.
"""

from __future__ import annotations

from typing import Any

from ..core import ActlabError, InputTypeError, MissingExtraError, definitions, is_custom
from ..core import get as get_activation
from .naming import class_docstring

try:
    import keras
except ImportError:
    raise MissingExtraError("keras", "keras", "actlab.keras") from None

PACKAGE = "actlab"
_PREFIX = PACKAGE + ">"
_BACKENDS = ("torch", "jax", "numpy")


def _compute(act, x):
    backend = keras.backend.backend()
    if backend == "torch":
        from .pytorch import apply

        return apply(x, act)
    if backend not in _BACKENDS:
        raise InputTypeError(
            f"actlab.keras computes with the {', '.join(_BACKENDS)} Keras backends; "
            f"this process uses {backend!r} (set KERAS_BACKEND before importing keras)"
        )
    return act(x)


@keras.saving.register_keras_serializable(package=PACKAGE, name="Activation")
class Activation:
    """An actlab activation as a Keras activation: ``Dense(64, activation=Activation("gelu"))``.

    Args:
        name: a registered name or alias (``"actlab>mish"`` is read as ``"mish"``).
        params: the activation's parameters, e.g. ``{"beta": 1.5}`` for swish.
    """

    def __init__(self, name: str, params: dict | None = None):
        self._act = get_activation(_strip(name), **(params or {}))
        self.__name__ = self._act.name  # Keras prints an activation's __name__ in summaries

    @property
    def activation(self):
        """The ``actlab.Activation`` this computes."""
        return self._act

    def __call__(self, x):
        return _compute(self._act, x)

    def get_config(self) -> dict:
        return self._act.get_config()

    @classmethod
    def from_config(cls, config: dict) -> Activation:
        return cls(**config)

    def __repr__(self) -> str:
        return f"actlab.keras.{self._act!r}"


def get(identifier: Any, **params: Any) -> Activation:
    """A Keras activation from a name (``"swish"``, ``"actlab>swish"``), a config dict or an
    ``actlab.Activation``, with parameters: ``get("swish", beta=1.5)``."""
    act = get_activation(_strip(identifier), **params)
    if is_custom(act):
        raise ActlabError(
            f"{act.name!r} is not a registered activation: Keras could save it but "
            "not load it back; register a Definition with actlab.register first"
        )
    return Activation(act.name, act.get_config()["params"])


def _strip(identifier: Any) -> Any:
    if isinstance(identifier, str) and identifier.startswith(_PREFIX):
        return identifier[len(_PREFIX) :]
    return identifier


def _registered_function(d):
    act = get_activation(d)

    def activation(x):
        return _compute(act, x)

    activation.__name__ = activation.__qualname__ = d.name
    activation.__doc__ = class_docstring(d, "Keras")
    return keras.saving.register_keras_serializable(package=PACKAGE, name=d.name)(activation)


#: The registered functions by their Keras name: ``FUNCTIONS["actlab>mish"]``.
FUNCTIONS: dict[str, Any] = {_PREFIX + d.name: _registered_function(d) for d in definitions()}


def _make_names_resolvable() -> None:
    # keras.activations.get resolves strings only in this table of built-ins, not in the
    # registry of serialisable objects; "actlab>..." keys cannot clash with a built-in name.
    from keras.src import activations as builtins

    builtins.ALL_OBJECTS_DICT.update(FUNCTIONS)


_make_names_resolvable()
