"""The definitions on arrays of any array-API library: PyTorch, JAX, CuPy, Dask, array-api-strict.

``core.arrays.prepare`` sends every array that is not NumPy's here. The definitions then run
unchanged on the input's own library: the ops namespace ``o`` they receive is that library's
array-API namespace (through ``array-api-compat``), bound to the input's device and working
dtype, plus the special functions ``erf``, ``erfc`` and ``expit`` from where the library keeps
them:

==============  ===========================================================================
PyTorch         ``torch.special``
JAX             ``jax.scipy.special``
CuPy            ``cupyx.scipy.special``
Dask            the NumPy path's own, applied block by block (``map_blocks``), lazily
any other       ``expit`` written in the array API; ``erf``/``erfc`` (GELU only) the NumPy
                path's, through a DLPack round trip that needs the array on the CPU
==============  ===========================================================================

The library is read off the array that arrived, so nothing is imported that the caller has not
imported already.

The dtype policy is the NumPy path's. The result has the input's floating dtype; integers and
bools become the library's default floating dtype (float32 for PyTorch and JAX, float64 for
Dask and array-api-strict), as the library's own functions do. Half precision (float16,
bfloat16) is computed in float32. On the CPU, transcendental formulas (``widen``) are computed
in float64 where the library has it and rounded once, so every library keeps the NumPy path's
accuracy contract; where float64 is missing (JAX without ``jax_enable_x64``) they are computed
in float32. On accelerators (CUDA, ROCm, MPS, TPU) they are computed in the input's own dtype,
where float64 is slow or missing: ``docs/array-api-float32.md`` lists, measured against mpmath
over the whole float32 range, where that keeps the contract and where it does not.

Dask stays lazy: the result is a graph that computes later, outside the ``numpy.errstate``
actlab sets while it builds it, so NumPy's warnings about harmless overflow in the unused
branch of a ``where`` (inputs beyond ±700, infinities) can appear at ``compute()`` time.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

import numpy as np

from ..core.arrays import NUMPY_OPS, Prepared
from ..core.errors import InputTypeError, MissingExtraError

# Array-creation functions: the definitions call them without device=, meaning "the input's".
_CREATION = frozenset({"arange", "asarray", "empty", "eye", "full", "linspace", "ones", "zeros"})


def prepare_foreign(x: Any, what: str = "input", *, widen: bool = False) -> Prepared:
    """Validate a non-NumPy array and return it, in its working dtype, with the ops bound to it.

    See the module docstring for the dtype policy; the device never changes.
    """
    compat = _compat(x)
    try:
        xp = compat.array_namespace(x)
    except TypeError as exc:
        raise InputTypeError(
            f"{what} of type {_type_name(x)} is not an array actlab can compute "
            f"on ({exc}); give a NumPy array or an array-API array"
        ) from None
    device = compat.device(x)
    dtype = x.dtype
    if xp.isdtype(dtype, "real floating"):
        out_dtype = dtype
    elif xp.isdtype(dtype, ("integral", "bool")):
        out_dtype = xp.__array_namespace_info__().default_dtypes(device=device)["real floating"]
    else:
        raise InputTypeError(
            f"{what} has dtype {dtype} ({_type_name(x)}); activations take real "
            "floating arrays, or integers/bools, which become the default float"
        )
    work = _working_dtype(xp, device, out_dtype, widen)
    arr = x if dtype == work else xp.astype(x, work)

    def finish(result):
        return result if result.dtype == out_dtype else xp.astype(result, out_dtype)

    return Prepared(arr, ArrayApiOps(xp, device, work), finish)


class ArrayApiOps:
    """One library's array-API namespace, bound to a device and a working dtype, plus the
    special functions ``erf``, ``erfc`` and ``expit``."""

    def __init__(self, xp: Any, device: Any, dtype: Any):
        self.xp, self.device, self.dtype = xp, device, dtype
        self.name = xp.__name__
        self.erf, self.erfc, self.expit = _special_functions(xp)

    def __getattr__(self, attr: str) -> Any:
        fn = getattr(self.xp, attr)
        if attr not in _CREATION:
            return fn

        def on_input_device(*args, **kwargs):
            if kwargs.get("device") is None:
                kwargs["device"] = self.device
            return fn(*args, **kwargs)

        return on_input_device

    def where(self, condition, x1, x2, /):
        """``xp.where``; also with two Python scalars, which the array API leaves out."""
        if isinstance(x1, (int, float)) and isinstance(x2, (int, float)):
            x1 = self.xp.asarray(x1, dtype=self.dtype, device=self.device)
        return self.xp.where(condition, x1, x2)


def _compat(x: Any):
    try:
        import array_api_compat
    except ImportError:
        raise MissingExtraError("array-api-compat", "array", f"computing on {_type_name(x)} arrays") from None
    return array_api_compat


def _type_name(x: Any) -> str:
    return f"{type(x).__module__}.{type(x).__qualname__}"


def _working_dtype(xp: Any, device: Any, dtype: Any, widen: bool) -> Any:
    # Asked each time: JAX's answer changes when jax_enable_x64 is switched.
    floats = xp.__array_namespace_info__().dtypes(kind="real floating", device=device)
    if widen and "float64" in floats and on_cpu(device):
        return floats["float64"]
    if xp.finfo(dtype).bits < 32 and "float32" in floats:
        return floats["float32"]
    return dtype


def on_cpu(device: Any) -> bool:
    """Whether a device is the host CPU, where float64 costs about twice float32; accelerators
    (CUDA, ROCm, MPS, TPU) compute in the input's own precision, where float64 is slow or
    missing (see docs/array-api-float32.md for what that costs in accuracy)."""
    text = str(device).lower()
    return text == "cpu" or text.startswith(("cpu", "tfrt_cpu")) or "cpu_device" in text


@cache
def _special_functions(xp: Any) -> tuple[Callable, Callable, Callable]:
    """(erf, erfc, expit) for a namespace, from the library that already holds them."""
    import array_api_compat as compat

    if compat.is_torch_namespace(xp):
        import torch  # already imported: a tensor arrived

        return torch.special.erf, torch.special.erfc, torch.special.expit
    if compat.is_jax_namespace(xp):
        from jax.scipy import special

        return special.erf, special.erfc, special.expit
    if compat.is_cupy_namespace(xp):
        from cupyx.scipy import special

        return special.erf, special.erfc, special.expit
    if compat.is_dask_namespace(xp):
        return _blockwise(NUMPY_OPS.erf), _blockwise(NUMPY_OPS.erfc), _blockwise(NUMPY_OPS.expit)
    return _through_numpy("erf", xp), _through_numpy("erfc", xp), lambda a: _expit(a, xp)


def _blockwise(fn: Callable) -> Callable:
    """A NumPy function applied lazily to each block of a Dask array."""

    def apply(a):
        return a.map_blocks(fn, dtype=a.dtype)

    return apply


def _through_numpy(name: str, xp: Any) -> Callable:
    """The NumPy path's special function for a library that has none: a DLPack round trip
    through NumPy (CPU only), back on the input's device."""
    from array_api_compat import device, to_device

    fn = getattr(NUMPY_OPS, name)

    def apply(a):
        try:
            host = np.from_dlpack(a)
        except (BufferError, RuntimeError, TypeError, ValueError) as exc:
            raise InputTypeError(
                f"{xp.__name__} has no {name}; actlab computes it with NumPy, which needs the "
                f"array's data on the CPU (DLPack: {exc})"
            ) from None
        return to_device(xp.from_dlpack(np.asarray(fn(host))), device(a))

    return apply


def _expit(a, xp):
    """σ(a) = 1/(1+e^{-a}) in the array API; e^{-|a|} ≤ 1 never overflows (SciPy's formula)."""
    e = xp.exp(-xp.abs(a))
    return xp.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
