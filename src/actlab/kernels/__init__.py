"""Fast paths for elementwise activations: one pass over memory, on every core.

>>> import numpy as np, actlab, actlab.kernels as K
>>> act = actlab.get("swish")
>>> x = np.linspace(-3, 3, 7, dtype=np.float32)
>>> y = K.forward(act, x)                     # x·σ(x): same dtype and shape as x
>>> bool(np.allclose(y, act(x)))
True
>>> dx = K.backward(act, x, np.ones_like(x))  # grad_out·f'(x), fused in one loop
>>> bool(np.allclose(dx, act.derivative(x)))
True

Four functions: :func:`forward`, :func:`backward`, :func:`backward_from_output` (for training
loops that keep y = f(x) instead of x) and :func:`available`. Each takes an
:class:`~actlab.Activation` (or a name or config) and gives what the activation's own methods
give, to the accuracy contract of the catalog.

With numba installed (``pip install 'actlab[fast]'``) each activation's own definition is traced
into a scalar program and compiled into one fused loop (see :mod:`actlab.kernels.trace`), in
the input's precision, with vectorised elementary functions (:mod:`actlab.kernels.math32`,
:mod:`actlab.kernels.math64`). Without numba, or for a formula that cannot be traced, the NumPy
reference path runs over cache-sized chunks on all cores. Vector-valued activations, custom
callables, dtypes other than float32/float64, and per-channel (array) parameters are handed to
the reference path unchanged.

Settings: ``ACTLAB_NUM_THREADS`` (threads; default: the CPUs this process may use),
``ACTLAB_KERNELS=numpy`` (never use numba), ``ACTLAB_CACHE_DIR`` (where compiled kernels live).
"""
from __future__ import annotations

from importlib import metadata
from typing import Any

import numpy as np

from ..core import Activation, get, is_custom
from ..core.arrays import write_out
from . import chunked, codegen, fused, parallel

__all__ = ["forward", "backward", "backward_from_output", "available"]


def forward(act: Any, x: Any, out: np.ndarray | None = None) -> Any:
    """The activation applied elementwise, :math:`y_i = f(x_i)`, as ``act(x, out=out)`` computes it.

    ``act`` is an :class:`~actlab.Activation` or anything :func:`actlab.get` accepts (a name, a
    config dict). ``out``, when given, receives the result and is returned.
    """
    a = _activation(act)
    if not _fusable(a, x):
        return a(x, out=out)
    return _run(a, "forward", (x,), out, a)


def backward(act: Any, x: Any, grad_out: Any, out: np.ndarray | None = None) -> Any:
    r"""The backward pass :math:`\partial L/\partial x_i = g_i\,f'(x_i)` for the incoming gradient
    ``g = grad_out``, in one pass (as ``act.vjp(x, grad_out)`` computes it)."""
    a = _activation(act)
    if not (_fusable(a, x) and a.definition.differentiable and _matches(grad_out, x)):
        result = a.vjp(x, grad_out)
        return result if out is None else write_out(result, out)
    return _run(a, "backward", (x, grad_out), out, a.vjp)


def backward_from_output(act: Any, y: Any, grad_out: Any, out: np.ndarray | None = None) -> Any:
    r"""The backward pass from the output alone: :math:`g_i\,f'(x_i)` with f'(x) computed from
    :math:`y = f(x)` (``act.derivative_from_output``), for activations whose definition has that
    form (``act.info.has_derivative_from_output``); a training loop then keeps y instead of x."""
    a = _activation(act)

    def reference(y, g):
        return np.multiply(g, a.derivative_from_output(y))

    if not (_fusable(a, y) and a.definition.derivative_from_output is not None
            and _matches(grad_out, y)):
        result = reference(y, grad_out)
        return result if out is None else write_out(result, out)
    return _run(a, "backward_from_output", (y, grad_out), out, reference)


def _run(a: Activation, form: str, inputs: tuple, out: Any, reference) -> np.ndarray:
    """The fused kernel of ``form`` over all cores; without one, ``reference`` over chunks."""
    inputs = tuple(np.ascontiguousarray(v) for v in inputs)
    target = _target(out, *inputs)
    k, _ = fused.kernel(a, target.dtype, form)
    if k is None:
        chunked.run(reference, inputs, target)
    else:
        flat = [v.reshape(-1) for v in (*inputs, target)]
        parallel.run(lambda lo, hi: k(*(f[lo:hi] for f in flat)), target.size, k.ns_per_element)
    return _deliver(target, out)


def available() -> dict:
    """What computes the activations here: ``backend`` ("numba" or "numpy"), ``threads``, the
    ``numba`` version (None without it), ``reason`` (why numba is not used, else ""), and
    ``cache_dir`` (where compiled kernels are kept)."""
    reason = fused.unavailable()
    try:
        numba_version = metadata.version("numba")
    except metadata.PackageNotFoundError:
        numba_version = None
    return {"backend": "numpy" if reason else "numba", "threads": parallel.thread_count(),
            "numba": numba_version, "reason": reason or "", "cache_dir": str(codegen.cache_dir())}


def _activation(act: Any) -> Activation:
    return act if isinstance(act, Activation) else get(act)


def _fusable(a: Activation, x: Any) -> bool:
    """Whether the fast paths apply; everything else goes to the reference path unchanged."""
    return (isinstance(x, np.ndarray) and x.dtype in fused.DTYPES and x.ndim > 0 and x.size > 0
            and a.definition.elementwise and not is_custom(a)
            and not any(isinstance(v, np.ndarray) for v in a.params.values()))


def _matches(grad_out: Any, x: np.ndarray) -> bool:
    return isinstance(grad_out, np.ndarray) and grad_out.shape == x.shape and grad_out.dtype == x.dtype


def _target(out: Any, *inputs: np.ndarray) -> np.ndarray:
    """``out`` itself when the kernel can write into it directly, else a fresh array."""
    x = inputs[0]
    if (isinstance(out, np.ndarray) and out.dtype == x.dtype and out.shape == x.shape
            and out.flags.c_contiguous and out.flags.writeable
            and not any(_overlaps_shifted(out, a) for a in inputs)):
        return out
    return np.empty_like(x)


def _overlaps_shifted(a: np.ndarray, b: np.ndarray) -> bool:
    # In place (a is b, element for element) is safe for an elementwise loop; a shifted overlap
    # would read elements already overwritten.
    return (np.may_share_memory(a, b)
            and a.__array_interface__["data"][0] != b.__array_interface__["data"][0])


def _deliver(result: np.ndarray, out: Any) -> np.ndarray:
    return result if out is None or result is out else write_out(result, out)
