"""Weight initialisers: Glorot (Xavier), He (Kaiming) and LeCun, each uniform or normal.

A kernel of shape (fan_in, fan_out), or (*window, in_channels, out_channels) for a convolution
(fan_in = window size × in_channels, fan_out = window size × out_channels, as Keras counts),
is drawn with variance

    glorot:  Var(w) = 2 / (fan_in + fan_out)   (Glorot & Bengio 2010, for tanh and sigmoid)
    he:      Var(w) = 2 / fan_in               (He et al. 2015, for the ReLU family)
    lecun:   Var(w) = 1 / fan_in               (LeCun et al. 1998; SELU needs it, LeCun normal)

from U(-l, l) with l = √(3 Var) ("_uniform") or from N(0, Var) ("_normal"). ``"auto"`` takes
the scheme from the activation that follows the kernel (``act.info.init``) with the variant its
source uses: Glorot uniform (Keras's default), He normal, LeCun normal.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Activation as ActivationFunction
from ..core import ParameterError

_VARIANCE = {
    "glorot": lambda fan_in, fan_out: 2.0 / (fan_in + fan_out),
    "he": lambda fan_in, fan_out: 2.0 / fan_in,
    "lecun": lambda fan_in, fan_out: 1.0 / fan_in,
}
_SCHEME_ALIASES = {"xavier": "glorot", "kaiming": "he"}
_DEFAULT_VARIANT = {"glorot": "uniform", "he": "normal", "lecun": "normal"}
_VARIANTS = ("uniform", "normal")


def names() -> list[str]:
    """Every initialiser name accepted by ``kernel_initializer``."""
    schemes = [*_VARIANCE, *_SCHEME_ALIASES]
    return ["auto", *schemes, *(f"{s}_{v}" for s in schemes for v in _VARIANTS)]


def resolve(name: str, activation: ActivationFunction | None) -> str:
    """The canonical ``scheme_variant`` name for ``name`` ("auto", an alias, or a scheme alone)."""
    if not isinstance(name, str) or name.lower() not in names():
        raise ParameterError(f"unknown kernel_initializer {name!r}; expected one of: {', '.join(names())}")
    name = name.lower()
    if name == "auto":
        # No activation (a linear layer) gets Keras's default, Glorot uniform.
        name = activation.info.init if activation is not None else "glorot"
    scheme, _, variant = name.partition("_")
    scheme = _SCHEME_ALIASES.get(scheme, scheme)
    return f"{scheme}_{variant or _DEFAULT_VARIANT[scheme]}"


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a kernel: (in, out) for a Dense kernel; window size × in_channels and
    window size × out_channels for a convolution's (*window, in_channels, out_channels)."""
    window = math.prod(shape[:-2])
    return window * shape[-2], window * shape[-1]


def initialise(name: str, shape: tuple[int, ...], rng: np.random.Generator, dtype) -> np.ndarray:
    """A kernel of ``shape`` drawn by the resolved initialiser ``name`` (see :func:`resolve`)."""
    scheme, variant = name.split("_")
    fan_in, fan_out = fans(shape)
    std = math.sqrt(_VARIANCE[scheme](fan_in, fan_out))
    # Draw in float64 and round once, so float32 and float64 models start from the same numbers.
    if variant == "uniform":
        w = rng.uniform(-math.sqrt(3.0) * std, math.sqrt(3.0) * std, size=shape)
    else:
        w = rng.normal(0.0, std, size=shape)
    return w.astype(dtype)
