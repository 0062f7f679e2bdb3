"""The array policy: what input is accepted, which dtype a result has, which functions compute it.

Definitions are written once against an *ops* namespace ``o`` that offers the Python array API
(``o.exp``, ``o.where``, ``o.maximum``, ...) plus the special functions ``erf``, ``erfc``,
``expit`` that every array library has under some name. For NumPy input ``o`` is NumPy with
SciPy's special functions; other array libraries (PyTorch, JAX, CuPy, Dask, any array-API
array) are served by :mod:`actlab.interop.array_api`, loaded only when such an array arrives.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import special
from .errors import InputTypeError


class NumpyOps:
    """NumPy + special functions, under the names the definitions use: ``erfc`` from
    :mod:`actlab.core.special` (SciPy's is off by hundreds of ulp in the tail), ``erf`` and
    ``expit`` from SciPy, imported at their first use (SciPy takes a third of a second)."""

    name = "numpy"
    erfc = staticmethod(special.erfc)

    def __getattr__(self, attr: str) -> Any:
        if attr in ("erf", "expit"):
            import scipy.special

            fn = getattr(scipy.special, attr)
            setattr(NumpyOps, attr, staticmethod(fn))
            return fn
        return getattr(np, attr)

    @staticmethod
    def cumulative_sum(x, axis):
        return np.cumsum(x, axis=axis)


NUMPY_OPS = NumpyOps()
_FLOAT_KINDS = "f"
_PROMOTED_KINDS = "iub"


@dataclass
class Prepared:
    """An input made ready for a definition, and how to give the result back."""

    x: Any
    ops: Any
    finish: Callable[[Any], Any]

    def quiet(self):
        """Silence NumPy's floating-point warnings while a formula runs (its unused `where`
        branches may overflow harmlessly). PyTorch and JAX do not warn, and a NumPy context
        manager would only stop their tracers (torch.compile, jit)."""
        if type(self.x).__module__.split(".")[0] in ("torch", "jax", "jaxlib"):
            return contextlib.nullcontext()
        return np.errstate(all="ignore")


def prepare(x: Any, what: str = "input", *, widen: bool = False) -> Prepared:
    """Validate ``x`` and return it as a floating array with the ops that compute on it.

    Floating input keeps its dtype; integers and bools become float64, as NumPy's ufuncs do;
    anything else is a TypeError. float16 is computed in float32 and rounded back; with
    ``widen`` (transcendental formulas) float16 and float32 are computed in float64 and rounded
    once, so intermediate results can neither underflow nor lose the answer's last bits.
    """
    if _is_foreign_array(x):
        from ..interop.array_api import prepare_foreign  # only when such an array is given

        return prepare_foreign(x, what, widen=widen)
    scalar_in = not isinstance(x, np.ndarray)
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise InputTypeError(f"{what} must be a real-valued array, got {type(x).__name__}: {exc}") from None
    kind = arr.dtype.kind
    if kind in _PROMOTED_KINDS:
        arr = arr.astype(np.float64)
    elif kind == "c":
        raise InputTypeError(
            f"{what} is complex ({arr.dtype}); activations take real floating arrays "
            "(float16, float32, float64) or integers/bools, which become float64"
        )
    elif kind not in _FLOAT_KINDS:
        raise InputTypeError(
            f"{what} has dtype {arr.dtype} ({type(x).__name__}); expected real numbers: "
            "float16, float32, float64, or integers/bools (promoted to float64)"
        )
    out_dtype = arr.dtype
    if widen and arr.dtype.itemsize < 8 or arr.dtype.itemsize > 8:
        # longdouble falls back to float64 because SciPy's special functions stop there.
        arr = arr.astype(np.float64)
    elif arr.dtype == np.float16:
        arr = arr.astype(np.float32)

    def finish(result):
        result = np.asarray(result)
        if result.dtype != out_dtype:
            with np.errstate(over="ignore"):  # beyond the dtype's range, inf is the rounding
                result = result.astype(out_dtype)
        # Like a ufunc: scalars and 0-d arrays in give NumPy scalars out.
        return result[()] if (scalar_in or result.ndim == 0) and result.ndim == 0 else result

    return Prepared(arr, NUMPY_OPS, finish)


def _is_foreign_array(x: Any) -> bool:
    if isinstance(x, (np.ndarray, np.generic, int, float, bool, list, tuple)):
        return False
    return hasattr(x, "__array_namespace__") or type(x).__module__.split(".")[0] in {
        "torch",
        "jax",
        "jaxlib",
        "cupy",
        "dask",
    }


def write_out(result: np.ndarray, out: np.ndarray | None):
    """Copy ``result`` into the user's ``out=`` array (NumPy's convention) and return it."""
    if out is None:
        return result
    if not isinstance(out, np.ndarray):
        raise InputTypeError(f"out must be a NumPy array, got {type(out).__name__}")
    if out.shape != np.shape(result):
        raise ValueError(f"out has shape {out.shape}, but the result has shape {np.shape(result)}")
    if out.dtype.kind != "f":
        raise InputTypeError(f"out must be a floating array, got dtype {out.dtype}")
    np.copyto(out, result, casting="same_kind")
    return out
