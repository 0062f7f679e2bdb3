"""Activations as sampled curves: what every picture of an activation is drawn from.

An elementwise activation is drawn as y = f(x) next to f'(x). A vector-valued one (softmax, GLU,
maxout, ...) has no single curve, so it is drawn along a slice: the first output of f([x, z]) as
x moves, with the second input z held at a value the reader can change, and ∂f₁/∂x from the
activation's own backward pass. Figures, the terminal plot and the report all sample here, so
they draw the same thing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import product
from typing import Any, Mapping

import numpy as np

from ..core import Activation, Definition, Param, ParameterError, get

SLICE_NAME = "z"
# At z = 0 the ReLU-gated units (ReGLU, SwiGLU, ...) are identically zero along the slice;
# at z = 1 every vector-valued activation shows its shape.
SLICE_DEFAULT = 1.0
SLICE_VALUES = tuple(float(v) for v in np.linspace(-3.0, 3.0, 13))
HALF_WIDTH = 5.0  # x runs over [-5, 5] unless a kink lies further out
SIGNIFICANT = 4  # digits kept in exported samples: far below a pixel at any plot size


@dataclass(frozen=True)
class Curve:
    """Samples of f and f' on a grid of x; ``dy`` is None where there is no useful derivative.

    Where f (or f') jumps, a NaN sits between the two samples around the jump, so that a line
    drawn through the samples breaks there instead of drawing a false vertical segment.
    """

    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray | None


@dataclass(frozen=True)
class Control:
    """One thing the reader may vary: a parameter of the activation, or the slice's z."""

    name: str
    values: tuple
    default: Any
    doc: str
    is_slice: bool = False

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "values": list(self.values),
            "default": self.default,
            "default_index": self.values.index(self.default),
            "doc": self.doc,
            "slice": self.is_slice,
            "numeric": all(isinstance(v, (int, float)) for v in self.values),
        }


def plot_range(definition: Definition, params: Mapping[str, Any] | None = None) -> tuple[float, float]:
    """A symmetric x interval that shows every kink of the activation with room on both sides."""
    values = params if params is not None else {p.name: p.default for p in definition.params}
    kinks = [abs(k) for k in definition.kinks_for(values) if math.isfinite(k)]
    half = max(HALF_WIDTH, math.ceil(1.3 * max(kinks, default=0.0)))
    return -half, half


def sample(act: Activation, x: np.ndarray, slice_value: float = SLICE_DEFAULT) -> Curve:
    """f and f' at each x (along the slice [x, z] for vector-valued activations)."""
    x = np.asarray(x, dtype=np.float64)
    d = act.definition
    if d.elementwise:
        y = np.asarray(act(x))
        dy = np.asarray(act.derivative(x)) if d.derivative is not None else None
    else:
        inputs = np.stack([x, np.full_like(x, slice_value)], axis=-1)
        out = np.asarray(act(inputs))
        y = out[..., 0]
        dy = None
        if d.differentiable:
            seed = np.zeros_like(out)
            seed[..., 0] = 1.0
            dy = np.asarray(act.vjp(inputs, seed))[..., 0]
    return _break_at_jumps(x, y, dy, act.info.smoothness)


def _jumps(a: np.ndarray | None) -> set[int]:
    """Indices i where a jumps between samples i and i+1: a step ten times larger than the
    steps beside it, which a continuous curve sampled this finely never takes."""
    if a is None or a.size < 3:
        return set()
    step = np.abs(np.diff(a))
    step[~np.isfinite(step)] = 0.0
    beside = np.maximum(np.concatenate([[0.0], step[:-1]]), np.concatenate([step[1:], [0.0]]))
    finite = a[np.isfinite(a)]
    floor = 1e-3 * float(np.ptp(finite)) if finite.size else 0.0
    return set(np.flatnonzero((step > 10.0 * beside) & (step > floor)).tolist())


def _break_at_jumps(x: np.ndarray, y: np.ndarray, dy: np.ndarray | None, smoothness: str) -> Curve:
    # Only where the metadata says a jump can be: f for discontinuous activations, f' for those
    # that are not C1. A gap (NaN) goes between the two samples around each jump; the curve
    # that does not jump there gets the midpoint of its neighbours instead.
    y_jumps = _jumps(y) if smoothness == "discontinuous" else set()
    dy_jumps = _jumps(dy) if smoothness in ("discontinuous", "C0") else set()
    at = np.array(sorted(y_jumps | dy_jumps), dtype=int)
    if at.size == 0:
        return Curve(x, y, dy)

    def split(a: np.ndarray, jumps: set[int]) -> np.ndarray:
        filler = (a[at] + a[at + 1]) / 2
        filler[np.isin(at, sorted(jumps))] = np.nan
        return np.insert(a, at + 1, filler)

    return Curve(split(x, set()), split(y, y_jumps), None if dy is None else split(dy, dy_jumps))


def controls(definition: Definition) -> list[Control]:
    """What the reader may vary for this activation, each with a grid of values that includes
    the default. Real parameters get a grid over their valid range (or around the default
    where the range is unbounded); choices are listed; integer structure (axis, pieces) stays
    fixed, as the slice needs it."""
    real = [p for p in definition.params if p.choices is None and not p.integer]
    count = 21 if len(real) <= 1 else 7  # a product grid of several parameters stays small
    found = [
        Control(p.name, tuple(p.choices), p.default, p.doc)
        if p.choices is not None
        else Control(p.name, _grid(p, count), float(p.default), p.doc)
        for p in definition.params
        if p.choices is not None or not p.integer
    ]
    if not definition.elementwise:
        found.append(
            Control(
                SLICE_NAME,
                SLICE_VALUES,
                SLICE_DEFAULT,
                "the second input: the curve is the first output of f([x, z])",
                is_slice=True,
            )
        )
    return found


def param_span(p: Param) -> tuple[float, float]:
    """The interval a reader explores a real parameter over: its valid range, cut to twice the
    default's size (at least 2) on either side of the default. Open ends are still included;
    callers drop them."""
    d = float(p.default)
    span = 2.0 * max(1.0, abs(d))
    lo = p.low if math.isfinite(p.low) else d - span
    hi = p.high if math.isfinite(p.high) else d + span
    return max(lo, d - span), min(hi, d + span)


def allowed(p: Param, v: float) -> bool:
    """Whether v lies in the parameter's range, open ends excluded."""
    return (v > p.low if p.low_open else v >= p.low) and (v < p.high if p.high_open else v <= p.high)


def _grid(p: Param, count: int) -> tuple[float, ...]:
    """``count`` evenly spaced values across the parameter's range, plus its default."""
    d = float(p.default)
    grid = np.linspace(*param_span(p), count)
    if p.low_open:
        grid = grid[grid > p.low]
    if p.high_open:
        grid = grid[grid < p.high]
    return tuple(sorted({float(_round(v)) for v in grid} | {d}))


def gallery_entry(definition: Definition, points: int = 161) -> dict:
    """Everything the report's gallery card needs for one activation, JSON-ready.

    ``curves`` holds one entry per combination of control values, in row-major order over
    ``controls``: ``{"y": [...], "dy": [...] | None}`` or ``{"error": message}`` for a
    combination the activation rejects (hard_tanh with min_val ≥ max_val, ...).
    """
    ctrls = controls(definition)
    lo, hi = plot_range(definition)
    x = np.linspace(lo, hi, points)
    curves = []
    for combo in product(*(c.values for c in ctrls)):
        chosen = dict(zip((c.name for c in ctrls), combo))
        z = chosen.pop(SLICE_NAME, SLICE_DEFAULT) if not definition.elementwise else SLICE_DEFAULT
        try:
            c = sample(get(definition, **chosen), x, z)
        except ParameterError as exc:
            curves.append({"error": str(exc)})
            continue
        # Jumps move with the parameters, so each curve keeps its own x where it has breaks.
        entry = {"y": compact(c.y), "dy": None if c.dy is None else compact(c.dy)}
        if c.x.shape != x.shape:
            entry["x"] = compact(c.x)
        curves.append(entry)
    return {
        "name": definition.name,
        "x": compact(x),
        "controls": [c.as_dict() for c in ctrls],
        "curves": curves,
    }


def _round(v: float) -> float:
    return float(f"{v:.{SIGNIFICANT}g}")


def compact(a: np.ndarray) -> list:
    """A JSON-ready list with a few significant digits; NaN and ±inf become None (a gap)."""
    return [_round(v) if math.isfinite(v) else None for v in np.asarray(a, dtype=np.float64).tolist()]
