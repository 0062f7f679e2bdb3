"""Where a definition meets a NumPy array: the one path behind ``Activation``'s methods.

``act(x)``, ``act.derivative(x)``, ``act.derivative_from_output(y)``, ``act.vjp(x, g)``,
``act.vjp_from_output(y, g)`` and ``act.param_grads(x, g)`` of an elementwise activation on a
NumPy array all come here (the core calls :func:`run` through the hook this package fills), and
a plan chosen once per activation, form and dtype decides how:

- **fused kernel** (numba installed): the definition's formula traced and compiled into one
  loop (:mod:`actlab.kernels.fused`), in float32 for float32 and float64 otherwise (float16 and
  integers are computed in float64 and rounded once); large arrays are shared by all cores;
- **reference**: the definition's NumPy formula, with transcendental ones computed in float64,
  over cache-sized chunks on all cores, so that the float64 temporaries never reach main
  memory and nothing larger than the output is allocated.

Contiguous arrays (C or Fortran order) are handed to the loop as they are; other layouts, and
inputs of another dtype than the computation's, are streamed through ``numpy.nditer``'s
buffers. What does not apply here (vector-valued activations, user callables, per-channel
parameter arrays, 0-d and empty input) returns ``NotImplemented`` and the core computes it on
the whole array.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

import numpy as np

from ..core.arrays import NUMPY_OPS
from ..core.errors import InputTypeError
from ..core.params import representable
from ..core.registry import is_custom
from . import fused, parallel, settings

# 32K elements: the float64 temporaries of one chunk (256 KB each) stay in a core's L2 cache.
CHUNK = 1 << 15
# What the reference path costs, roughly, per element (NumPy passes over its temporaries).
REFERENCE_NS = 10.0
_F64 = np.dtype(np.float64)
_KERNEL_DTYPES: dict[np.dtype, np.dtype] = {np.dtype(np.float32): np.dtype(np.float32), _F64: _F64}


class Plan:
    """How one form of one activation is computed for one input dtype."""

    __slots__ = (
        "kernel",
        "consts",
        "compute",
        "work",
        "out_dtype",
        "ns",
        "label",
        "generation",
        "serial_max",
        "direct",
    )

    def __init__(
        self,
        dtype: np.dtype,
        out_dtype: np.dtype,
        work: np.dtype,
        ns: float,
        label: str | None,
        compute: Callable[..., Any] | None,
        kernel: Callable[..., None] | None = None,
        consts: np.ndarray | None = None,
    ):
        s = settings.current()
        self.out_dtype, self.work, self.ns, self.label = out_dtype, work, ns, label
        self.compute, self.kernel, self.consts = compute, kernel, consts
        self.generation = s.generation
        # Below this many elements one thread does it all (see parallel.pieces).
        self.serial_max = parallel.MIN_PIECE_NS / ns if s.threads > 1 else float("inf")
        # The kernel can run straight on the input and write the result.
        self.direct = kernel is not None and work == out_dtype == dtype


def plan(act, form: Any, dtype: np.dtype) -> Plan | None:
    """The plan for ``form`` (see :data:`fused.FORMS`) of input of ``dtype``, cached on the
    activation; None where this path does not apply."""
    p = act._plans.get((form, dtype))
    if p is None or p.generation != settings.generation:
        p = act._plans[(form, dtype)] = _make_plan(act, form, np.dtype(dtype))
    return None if p.label is None else p


def _make_plan(act, form: Any, dtype: np.dtype) -> Plan:
    d = act.definition
    kind = dtype.kind
    out_dtype = dtype if kind == "f" and dtype.itemsize <= 8 else _F64
    if (
        not d.elementwise
        or kind not in "fiub"
        or dtype.itemsize > 8
        and kind == "f"
        or is_custom(act)
        or any(isinstance(v, np.ndarray) for v in act.params.values())
    ):
        return Plan(dtype, out_dtype, out_dtype, REFERENCE_NS, None, None)  # not for this path
    formula, times_grad = fused.formula(d, form)
    if formula is None:
        return Plan(dtype, out_dtype, out_dtype, REFERENCE_NS, None, None)
    work = _KERNEL_DTYPES.get(out_dtype, _F64)
    if not representable(act.params, work):  # a slope of 1e-50 would be 0 in float32
        work = _F64
    k, _ = fused.kernel(act, work, form)
    if k is not None:
        return Plan(
            dtype, out_dtype, work, k.ns_per_element, f"fused {work.name} kernel", None, k.fn, k.consts
        )
    # The reference: transcendental formulas in float64 (rounded once), exact ones as given.
    if not d.exact or work == _F64:
        work = _F64
    elif out_dtype == np.float16:
        work = np.dtype(np.float32)
    else:
        work = out_dtype
    params = dict(act.params)
    compute: Callable[..., Any]
    if times_grad:

        def compute_times_grad(x, g):
            return g * formula(x, NUMPY_OPS, **params)

        compute = compute_times_grad
    else:

        def compute_plain(x):
            return formula(x, NUMPY_OPS, **params)

        compute = compute_plain
    return Plan(
        dtype, out_dtype, work, REFERENCE_NS, f"NumPy reference in {work.name}, chunks of {CHUNK}", compute
    )


def run(act, form: Any, x: np.ndarray, g: np.ndarray | None, out: Any) -> Any:
    """The ``form`` of ``act`` on ``x`` (and the incoming gradient ``g``), into ``out`` if given;
    ``NotImplemented`` where this path does not apply."""
    p = act._plans.get((form, x.dtype))
    if p is None or p.generation != settings.generation:
        p = plan(act, form, x.dtype)
        if p is None:
            return NotImplemented
    elif p.label is None:
        return NotImplemented
    n = x.size
    if n == 0 or x.ndim == 0:
        return NotImplemented
    if p.direct and n < p.serial_max and x.flags.c_contiguous:
        if g is None and out is None and x.ndim == 1:  # the commonest call of all
            y = np.empty_like(x)
            p.kernel(x, y, p.consts)
            return y
        # The common small call, made as cheap as it can be: one thread, contiguous arrays of
        # the kernel's dtype, the loop called straight on them.
        small = _small_call(p, x, g, out)
        if small is not None:
            return small
    inputs: tuple[np.ndarray, ...]
    if g is None:
        inputs = (x,)
    else:
        if type(g) is not np.ndarray or g.dtype.kind not in "fiub":
            return NotImplemented
        if g.shape != x.shape:
            raise ValueError(f"grad_out has shape {g.shape}, expected the output's shape {x.shape}")
        inputs = (x, g)
    target = _target(out, x, inputs, p.out_dtype)
    flat = _flat(inputs, target)
    if flat is None:
        _run_buffered(p, inputs, target)
    elif p.kernel is not None and all(a.dtype == p.work for a in flat):
        _run_kernel(p, flat)
    else:
        _run_chunked(p, flat)
    if out is None or target is out:
        return target
    np.copyto(out, target, casting="same_kind")
    return out


def _small_call(p: Plan, x: np.ndarray, g: Any, out: Any) -> np.ndarray | None:
    """The kernel straight on x (and g) into a new array or ``out``, where all of them are
    contiguous and of the kernel's dtype; None where that does not hold."""
    if g is not None and not (
        type(g) is np.ndarray and g.dtype == x.dtype and g.shape == x.shape and g.flags.c_contiguous
    ):
        return None
    if out is None:
        y = np.empty_like(x)
    elif (
        type(out) is np.ndarray
        and out.dtype == x.dtype
        and out.shape == x.shape
        and out.flags.c_contiguous
        and out.flags.writeable
        and (
            out is x
            or out is g
            or not (np.may_share_memory(out, x) or g is not None and np.may_share_memory(out, g))
        )
    ):
        y = out
    else:
        return None
    flat: tuple[np.ndarray, ...] = (x, y) if g is None else (x, g, y)
    if x.ndim != 1:
        flat = tuple(a.reshape(-1) for a in flat)
    assert p.kernel is not None  # callers come here only for a direct plan, which has a kernel
    p.kernel(*flat, p.consts)
    return y


def reduce_sum(act, form: Any, x: np.ndarray, g: np.ndarray) -> float | Any:
    """Σ of the ``form`` (a ``("param", name)`` partial times g) over every element, in float64;
    ``NotImplemented`` where this path does not apply."""
    if x.dtype.kind not in "fiub" or type(g) is not np.ndarray or g.dtype.kind not in "fiub":
        return NotImplemented
    if x.ndim == 0 or x.size == 0:
        return NotImplemented
    if g.shape != x.shape:
        raise ValueError(f"grad_out has shape {g.shape}, expected the input's shape {x.shape}")
    p = plan(act, form, x.dtype)
    if p is None:
        return NotImplemented
    flat = _flat((x, g), None)
    sums: dict[int, float] = {}
    if flat is None:
        it = np.nditer(
            [x, g],
            flags=["external_loop", "buffered"],
            op_dtypes=[p.work, p.work],
            casting="same_kind",
            buffersize=CHUNK,
            order="K",
        )
        with np.errstate(all="ignore"):
            for i, (xc, gc) in enumerate(it):
                sums[i] = _chunk_sum(p, np.ascontiguousarray(xc), np.ascontiguousarray(gc))
    else:
        xf, gf = flat

        def task(lo, hi):
            with np.errstate(all="ignore"):
                for s in range(lo, hi, CHUNK):
                    e = min(s + CHUNK, hi)
                    sums[s] = _chunk_sum(
                        p, xf[s:e].astype(p.work, copy=False), gf[s:e].astype(p.work, copy=False)
                    )

        parallel.run(task, xf.size, p.ns)
    # Summed in the order of the elements, whichever thread computed a chunk: reproducible.
    return float(sum(sums[k] for k in sorted(sums)))


def _chunk_sum(p: Plan, xc: np.ndarray, gc: np.ndarray) -> float:
    if p.kernel is None:
        assert p.compute is not None  # a plan with a label has a kernel or a compute
        part = np.asarray(p.compute(xc, gc), dtype=_F64)
    else:
        part = np.empty_like(xc)
        p.kernel(xc, gc, part, p.consts)
    return float(part.sum(dtype=_F64))


def _target(out: Any, x: np.ndarray, inputs: tuple, out_dtype: np.dtype) -> np.ndarray:
    """Where the loop writes: ``out`` itself when it can, else a new array laid out like x."""
    if out is None:
        return np.empty_like(x, dtype=out_dtype)
    if not isinstance(out, np.ndarray):
        raise InputTypeError(f"out must be a NumPy array, got {type(out).__name__}")
    if out.shape != x.shape:
        raise ValueError(f"out has shape {out.shape}, but the result has shape {x.shape}")
    if out.dtype.kind != "f":
        raise InputTypeError(f"out must be a floating array, got dtype {out.dtype}")
    if out.dtype == out_dtype and out.flags.writeable and not any(_overlaps_shifted(out, a) for a in inputs):
        return out
    return np.empty_like(x, dtype=out_dtype)


def _overlaps_shifted(a: np.ndarray, b: np.ndarray) -> bool:
    # In place (a is b, element for element) is safe for an elementwise loop; any other overlap
    # would read elements already overwritten.
    return np.may_share_memory(a, b) and (
        a.__array_interface__["data"][0] != b.__array_interface__["data"][0] or a.strides != b.strides
    )


def _flat(inputs: tuple, target: np.ndarray | None) -> list[np.ndarray] | None:
    """1-D views of the arrays in one common memory order (all C- or all F-contiguous), else None."""
    arrays = [*inputs, target] if target is not None else list(inputs)
    if all(a.flags.c_contiguous for a in arrays):
        return arrays if arrays[0].ndim == 1 else [a.reshape(-1) for a in arrays]
    if all(a.flags.f_contiguous for a in arrays):
        return [a.reshape(-1, order="F") for a in arrays]
    return None


def _run_kernel(p: Plan, flat: list[np.ndarray]) -> None:
    """The kernel straight over the arrays, on every core when there is enough work."""
    k, consts, n = p.kernel, p.consts, flat[0].size
    assert k is not None  # the caller checked
    if n < p.serial_max:
        k(*flat, consts)
        return

    def task(lo, hi):
        k(*(a[lo:hi] for a in flat), consts)

    parallel.run(task, n, p.ns)


def _run_chunked(p: Plan, flat: list[np.ndarray]) -> None:
    """Chunk by chunk, each converted to the computation's dtype and back, on every core."""
    *ins, out = flat

    def task(lo, hi):
        with np.errstate(all="ignore"):  # NumPy's error state is per thread
            for s in range(lo, hi, CHUNK):
                e = min(s + CHUNK, hi)
                out[s:e] = _compute(p, [a[s:e].astype(p.work, copy=False) for a in ins])

    parallel.run(task, out.size, p.ns)


def _run_buffered(p: Plan, inputs: tuple, target: np.ndarray) -> None:
    """Any layout: ``nditer`` hands out contiguous buffers of the computation's dtype."""
    op_flags: list[list[Literal["readonly", "writeonly"]]] = [["readonly"] for _ in inputs]
    op_flags.append(["writeonly"])
    it = np.nditer(
        [*inputs, target],
        flags=["external_loop", "buffered"],
        op_flags=op_flags,
        op_dtypes=[p.work] * (len(inputs) + 1),
        casting="same_kind",
        buffersize=CHUNK,
        order="K",
    )
    with it, np.errstate(all="ignore"):
        for *ins, o in it:
            o[...] = _compute(p, [np.ascontiguousarray(a) for a in ins])


def _compute(p: Plan, ins: list[np.ndarray]) -> np.ndarray:
    if p.kernel is None:
        assert p.compute is not None  # a plan with a label has a kernel or a compute
        return p.compute(*ins)
    res = np.empty_like(ins[0])
    p.kernel(*ins, res, p.consts)
    return res
