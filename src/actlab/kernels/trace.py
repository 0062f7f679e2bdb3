"""Trace a definition's formula into an expression graph, without duplicating it.

A definition is written once against an ops namespace ``o``. Evaluated with a *symbolic* input
and :class:`TraceOps` as ``o``, the very same Python code records what it computes instead of
computing it: the result is a :class:`Graph` of scalar operations, which
:mod:`actlab.kernels.codegen` turns into one fused loop. Parameters are concrete numbers during
tracing, so formulas may branch on them (``if approximate == "tanh"``) but not on the data; a
formula that does, or that uses an operation with no scalar counterpart, raises
:class:`Untraceable` and is computed by the NumPy reference path instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

# The elementary functions a fused kernel can call: each exists in math32 and math64 under this
# name with NumPy/SciPy's meaning (erfc as in scipy.special).
PRIMITIVES = {"exp": 1, "expm1": 1, "log1p": 1, "tanh": 1, "cosh": 1, "erfc": 1, "sqrt": 1, "hypot": 2}

_COMPARISONS = ("gt", "ge", "lt", "le", "eq", "ne")


class Untraceable(Exception):
    """The formula cannot be expressed as a fused scalar kernel."""


@dataclass(frozen=True)
class Graph:
    """A straight-line program over scalars, in evaluation order.

    ``nodes[i]`` is ``(op, args)``: ``("input", (j,))`` reads input array j (x, then grad_out),
    ``("const", (k,))`` is ``consts[k]``, every other op takes the indices of earlier nodes.
    ``booleans`` marks the nodes whose value is a truth value. Only nodes the output depends on
    are kept.
    """

    nodes: tuple[tuple[str, tuple[int, ...]], ...]
    booleans: frozenset[int]
    consts: tuple[float, ...]
    n_inputs: int

    @property
    def output(self) -> int:
        return len(self.nodes) - 1


class _Recorder:
    """Collects the operations of one trace; identical operations are recorded once."""

    def __init__(self, dtype: np.dtype):
        self.dtype = dtype
        self.nodes: list[tuple[str, tuple[int, ...]]] = []
        self.booleans: set[int] = set()
        self.consts: list[float] = []
        self._seen: dict[tuple, int] = {}

    def record(self, op: str, args: tuple[int, ...], boolean: bool = False) -> "Sym":
        key = (op, args)
        if key not in self._seen:
            self._seen[key] = len(self.nodes)
            self.nodes.append(key)
            if boolean:
                self.booleans.add(self._seen[key])
        return Sym(self, self._seen[key])

    def const(self, value: float) -> "Sym":
        # float.hex tells 0.0 from -0.0 and keeps NaN, so equal constants are one constant.
        key = ("const-value", float(value).hex())
        if key not in self._seen:
            self._seen[key] = len(self.consts)
            self.consts.append(float(value))
        return self.record("const", (self._seen[key],))

    def lift(self, value: Any) -> "Sym":
        if isinstance(value, Sym):
            if value.recorder is not self:
                raise Untraceable("a value from another trace")
            return value
        if isinstance(value, (bool, np.bool_)):
            raise Untraceable("a Python truth value used as a number")
        if isinstance(value, (int, float, np.integer, np.floating)) or (
            isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf"
        ):
            return self.const(float(value))
        raise Untraceable(f"a {type(value).__name__} operand (only scalars can be fused)")

    def graph(self, output: "Sym", n_inputs: int) -> Graph:
        """The program that computes ``output``, with unused operations left out."""
        out = self.lift(output)
        if out.index in self.booleans:
            raise Untraceable("the formula returns a truth value, not a number")
        needed, stack = set(), [out.index]
        while stack:
            i = stack.pop()
            if i not in needed:
                needed.add(i)
                op, args = self.nodes[i]
                if op not in ("input", "const"):
                    stack.extend(args)
        order = sorted(needed)
        renumber = {old: new for new, old in enumerate(order)}
        nodes = tuple(
            (op, args if op in ("input", "const") else tuple(renumber[a] for a in args))
            for op, args in (self.nodes[i] for i in order)
        )
        return Graph(
            nodes, frozenset(renumber[i] for i in order if i in self.booleans), tuple(self.consts), n_inputs
        )


def _arithmetic(op: str, reflected: bool = False):
    if reflected:
        return lambda self, other: self.recorder.lift(other)._num(op, self)
    return lambda self, other: self._num(op, other)


def _comparison(op: str):
    return lambda self, other: self._compare(op, other)


def _logical(op: str):
    return lambda self, other: self._logic(op, other)


class Sym:
    """A symbolic scalar: arithmetic on it records an operation instead of computing one."""

    __slots__ = ("recorder", "index")
    __array_ufunc__ = None  # NumPy functions applied to it fail (and defer operators to it)

    def __init__(self, recorder: _Recorder, index: int):
        self.recorder, self.index = recorder, index

    @property
    def dtype(self) -> np.dtype:
        return self.recorder.dtype

    @property
    def is_bool(self) -> bool:
        return self.index in self.recorder.booleans

    def _num(self, op: str, *others: Any) -> "Sym":
        args = [self, *(self.recorder.lift(o) for o in others)]
        if any(a.is_bool for a in args):
            raise Untraceable(f"arithmetic ({op}) on a truth value")
        return self.recorder.record(op, tuple(a.index for a in args))

    def _compare(self, op: str, other: Any) -> "Sym":
        other = self.recorder.lift(other)
        if self.is_bool or other.is_bool:
            raise Untraceable("comparison of truth values")
        return self.recorder.record(op, (self.index, other.index), boolean=True)

    def _logic(self, op: str, other: Any) -> "Sym":
        other = self.recorder.lift(other)
        if not (self.is_bool and other.is_bool):
            raise Untraceable(f"'{op}' of non-boolean values")
        return self.recorder.record(op, tuple(sorted((self.index, other.index))), boolean=True)

    __add__, __sub__, __mul__, __truediv__ = (_arithmetic(op) for op in ("add", "sub", "mul", "div"))
    __radd__, __rsub__, __rmul__, __rtruediv__ = (
        _arithmetic(op, reflected=True) for op in ("add", "sub", "mul", "div")
    )
    __gt__, __ge__, __lt__, __le__, __eq__, __ne__ = (_comparison(op) for op in _COMPARISONS)
    __and__ = __rand__ = _logical("and")
    __or__ = __ror__ = _logical("or")
    # No __hash__: a class that defines __eq__ gets __hash__ = None from Python, so a Sym is not
    # hashable (spelling that out here would contradict object's __hash__ for the type checker).

    def __neg__(self) -> "Sym":
        return self._num("neg")

    def __pos__(self) -> "Sym":
        return self

    def __abs__(self) -> "Sym":
        op, args = self.recorder.nodes[self.index]
        if op in ("neg", "abs"):  # |−a| = ||a|| = |a|, so that equal magnitudes are one node
            return abs(Sym(self.recorder, args[0]))
        return self._num("abs")

    def __invert__(self) -> "Sym":
        if not self.is_bool:
            raise Untraceable("bitwise not of a number")
        return self.recorder.record("not", (self.index,), boolean=True)

    def __pow__(self, exponent: Any) -> "Sym":
        if exponent == 2:
            return self * self
        raise Untraceable(f"power {exponent!r} (only squares are fused)")

    def __bool__(self) -> bool:
        raise Untraceable("Python control flow that depends on the data")

    def __getattr__(self, name: str):
        if name.startswith("__"):  # protocol probes (__array__, ...) must see a plain miss
            raise AttributeError(name)
        raise Untraceable(f"the array attribute .{name}")


class TraceOps:
    """The ops namespace ``o`` of a trace: the subset of NumPy that has a scalar counterpart."""

    def __init__(self, recorder: _Recorder):
        self._r = recorder

    def __getattr__(self, name: str) -> Callable[..., Sym]:
        arity = PRIMITIVES.get(name)
        if arity is None:
            raise Untraceable(f"o.{name} has no fused counterpart")
        r = self._r

        def primitive(*args):
            if len(args) != arity:
                raise Untraceable(f"o.{name} with {len(args)} arguments")
            first, *rest = (r.lift(a) for a in args)
            return first._num(name, *rest)

        return primitive

    def abs(self, x):
        return abs(self._r.lift(x))

    def expit(self, v):
        """σ(v) from e = e^−|v|: 1/(1 + e) for v ≥ 0, e/(1 + e) below (no overflow either way).
        Spelled out rather than a primitive, so that σ(v) and σ(−v) in one formula (σ'(v) is
        σ(v)σ(−v)) share one exponential and one division."""
        v = self._r.lift(v)
        e = self.exp(-abs(v))
        s = 1.0 / (1.0 + e)
        return self.where(v >= 0.0, s, e * s)

    def maximum(self, a, b):
        return self._r.lift(a)._num("maximum", b)

    def minimum(self, a, b):
        return self._r.lift(a)._num("minimum", b)

    def clip(self, x, lo, hi):
        return self.minimum(self.maximum(x, lo), hi)

    def where(self, cond, a, b):
        if isinstance(cond, (bool, np.bool_)):  # decided while tracing (from a parameter)
            return self._r.lift(a if cond else b)
        c, a, b = (self._r.lift(v) for v in (cond, a, b))
        if not c.is_bool:
            c = c != 0.0
        if a.is_bool or b.is_bool:
            raise Untraceable("where() choosing between truth values")
        return self._r.record("where", (c.index, a.index, b.index))

    def isnan(self, x):
        x = self._r.lift(x)
        return x != x

    def isinf(self, x):
        return abs(self._r.lift(x)) == math.inf

    def isfinite(self, x):
        return abs(self._r.lift(x)) < math.inf

    def astype(self, x, dtype):
        x = self._r.lift(x)
        if np.dtype(dtype) != self._r.dtype:
            raise Untraceable(f"a cast to {np.dtype(dtype)} inside a {self._r.dtype} kernel")
        return self.where(x, 1.0, 0.0) if x.is_bool else x

    def finfo(self, dtype):
        """The kernel's floating type: formulas may choose how many terms its precision needs."""
        return np.finfo(dtype)

    def full_like(self, x, value):
        return self._r.lift(value)

    def zeros_like(self, x):
        return self._r.const(0.0)

    def ones_like(self, x):
        return self._r.const(1.0)


def trace(formula: Callable[..., Any], params: dict, dtype, *, times_input: bool = False) -> Graph:
    """The graph of ``formula(x, o, **params)`` for one input element of ``dtype``; with
    ``times_input``, of ``g · formula(x)`` for a second input g (the backward pass g·f'(x))."""
    recorder = _Recorder(np.dtype(dtype))
    x = recorder.record("input", (0,))
    g = recorder.record("input", (1,)) if times_input else None
    result = formula(x, TraceOps(recorder), **params)
    if times_input:
        return recorder.graph(g * recorder.lift(result), 2)
    return recorder.graph(result, 1)
