"""Turn a traced :class:`~actlab.kernels.trace.Graph` into JavaScript, for the report's live curves.

The same graph that :mod:`actlab.kernels.codegen` compiles with numba becomes a JavaScript
function ``function (x, p) { ... }``: x is the input, ``p`` the parameters. For the curves to
follow a slider, the parameters are traced as inputs too (:func:`trace_free`), not baked in as
constants; where a formula decides something in Python from a parameter's value
(``0.0 if beta > 0 else -inf``), the trace holds only while that comparison comes out the same,
and says so in its :class:`Guard` list. Every operation of the graph has a JavaScript
counterpart with NumPy's meaning (``maximum``/``minimum`` propagate NaN); the elementary
functions are those of :data:`RUNTIME`, a small script that defines ``ActlabMath``: the
browser's own ``Math`` functions, which are correctly rounded or within an ulp, and ``erfc``,
which JavaScript lacks, as :mod:`actlab.core.special` computes it (its algorithm and its
coefficients, written into the script).

So no formula is written twice: the browser evaluates the definition's own trace.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable

import numpy as np

from .trace import PRIMITIVES, Graph, Sym, TraceOps, _Recorder

_INFIX = {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "div": "/",
    "gt": ">",
    "ge": ">=",
    "lt": "<",
    "le": "<=",
    "eq": "===",
    "ne": "!==",
    "and": "&&",
    "or": "||",
}


_COMPARE = {
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
    "eq": operator.eq,
    "ne": operator.ne,
}


@dataclass(frozen=True)
class Guard:
    """``p[param] <op> value`` came out as ``holds`` while tracing: the graph is valid where it
    still does."""

    param: int
    op: str
    value: float
    holds: bool

    def as_list(self) -> list:
        return [self.param, self.op, self.value, self.holds]


class _Parameter(Sym):
    """A parameter traced as an input: arithmetic on it is recorded like x's; comparing it with a
    plain number (Python control flow on the parameter) is decided by its value and kept as a
    :class:`Guard`."""

    __slots__ = ("position", "value", "guards")

    def __init__(self, recorder: _Recorder, position: int, value: float, guards: list):
        super().__init__(recorder, recorder.record("input", (position + 1,)).index)
        self.position, self.value, self.guards = position, float(value), guards

    def _compare(self, op: str, other: Any):
        if isinstance(other, (int, float, np.integer, np.floating)) and not isinstance(other, bool):
            holds = bool(_COMPARE[op](self.value, float(other)))
            self.guards.append(Guard(self.position, op, float(other), holds))
            return holds
        return super()._compare(op, other)


def trace_free(
    formula: Callable[..., Any], params: dict, free: tuple[str, ...]
) -> tuple[Graph, tuple[Guard, ...]]:
    """The float64 graph of ``formula(x, o, **params)`` with the parameters named in ``free``
    as inputs 1, 2, ... (in that order), and the guards under which it holds.

    Raises :class:`~actlab.kernels.trace.Untraceable` (or whatever the formula raises on a
    symbolic value) where the formula cannot be traced this way.
    """
    recorder = _Recorder(np.dtype(np.float64))
    x = recorder.record("input", (0,))
    guards: list[Guard] = []
    symbolic = {name: _Parameter(recorder, k, params[name], guards) for k, name in enumerate(free)}
    result = formula(x, TraceOps(recorder), **{**params, **symbolic})
    return recorder.graph(result, 1 + len(free)), tuple(dict.fromkeys(guards))


def _number(v: float) -> str:
    """A float as a JavaScript literal that parses to the same double."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    if v == 0.0:
        return "-0" if math.copysign(1.0, v) < 0 else "0"
    return repr(float(v))  # the shortest decimal that round-trips, which JavaScript reads alike


# Every other operation, as a template over its arguments' names. NumPy's maximum/minimum give
# NaN when either argument is NaN (Math.max would too, but it also orders −0 below +0, which
# NumPy does not).
_TEMPLATES = {
    "neg": "-{0}",
    "abs": "Math.abs({0})",
    "not": "!{0}",
    "where": "{0} ? {1} : {2}",
    "maximum": "({0} > {1} || {0} !== {0}) ? {0} : {1}",
    "minimum": "({0} < {1} || {0} !== {0}) ? {0} : {1}",
}


def _expression(op: str, a: list[str]) -> str:
    if op in _INFIX:
        return f"{a[0]} {_INFIX[op]} {a[1]}"
    if op in PRIMITIVES:
        return f"M.{op}({', '.join(a)})"
    if op in _TEMPLATES:
        return _TEMPLATES[op].format(*a)
    raise ValueError(f"no JavaScript for operation {op!r}")


def function_source(graph: Graph) -> str:
    """``function (x, p) {...}`` computing the graph at the number x with free inputs ``p[0..]``.

    Input 0 is x; inputs 1, 2, ... are read from ``p`` in order. The elementary functions are
    looked up on ``M``, which must be :data:`RUNTIME`'s ``ActlabMath`` in the enclosing scope.
    """
    lines = []
    for i, (op, args) in enumerate(graph.nodes):
        if op == "input":
            value = "x" if args[0] == 0 else f"p[{args[0] - 1}]"
        elif op == "const":
            value = _number(graph.consts[args[0]])
        else:
            value = _expression(op, [f"v{a}" for a in args])
        lines.append(f"const v{i} = {value};")
    lines.append(f"return v{graph.output};")
    return "function (x, p) { " + " ".join(lines) + " }"


def _runtime() -> str:
    """The runtime script with erfc's coefficients written in from :mod:`actlab.core.special`,
    so the browser computes erfc as the NumPy path does."""
    from ..core import special

    text = resources.files(__package__).joinpath("javascript_math.js").read_text(encoding="utf-8")
    for name, value in (
        ("ERFC_R", list(special._R)),
        ("ERFC_K", list(special._K)),
        ("ERFC_UNDERFLOW", special._UNDERFLOW),
    ):
        text = text.replace(f"/*{name}*/" + ("[]" if isinstance(value, list) else "0"), repr(value))
    return text


RUNTIME = _runtime()
