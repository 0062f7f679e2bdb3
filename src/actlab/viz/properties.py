"""The property table of the catalog, and the facts about a curve that are read off the curve.

The command line's ``list`` and the report's sortable table both show these rows, so the two
never disagree about what an activation's properties are. Two facts are computed from the
definition rather than written down, so they hold at any parameters:

- whether each end of the output range is reached (``[0, 1]``, hard_sigmoid) or only
  approached (``(0, 1)``, sigmoid): :func:`range_ends`;
- where the derivative is exactly zero (ReLU: ``x ≤ 0``; hard_swish: ``x < −3``; hard_tanh:
  ``x ≤ −1`` and ``x ≥ 1``), where a unit stops passing gradient: :func:`flat_regions`.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ..core import Activation, Info, get, lookup
from ..core.errors import UnknownActivationError

# (key, heading) in display order.
COLUMNS = (
    ("name", "name"),
    ("family", "family"),
    ("range", "range"),
    ("monotonic", "monotonic"),
    ("zero_centred", "zero-centred"),
    ("smoothness", "smoothness"),
    ("saturates", "saturates"),
    ("uses", "uses"),
    ("init", "init"),
    ("parameters", "parameters"),
    ("year", "year"),
)
SPAN = 3.0  # curves are examined over SPAN × the plot range (which shows every kink)
POINTS = 6001


def number_text(v: float) -> str:
    """A range end as a reader writes it: 0, 1, −0.17, ∞."""
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    return f"{v:.3g}".replace("-", "−")


def _grid(act: Activation) -> np.ndarray:
    from .sampling import plot_range

    lo, hi = plot_range(act.definition, act.params)
    kinks = [k for k in act.definition.kinks_for(act.params) if math.isfinite(k)]
    return np.unique(np.concatenate([np.linspace(SPAN * lo, SPAN * hi, POINTS), kinks]))


def range_ends(act: Activation) -> tuple[bool, bool]:
    """Whether the lowest and the highest output are reached at some finite x.

    Over a wide grid, an end is reached when the extreme value occurs away from the grid's
    edges (a flat stretch, as ReLU's 0, or an interior minimum, as GELU's); a curve that only
    approaches its bound keeps moving towards it up to the edge (sigmoid). Infinite ends are
    never reached.
    """
    from .sampling import sample

    y = sample(act, _grid(act)).y
    y = y[np.isfinite(y)]
    lo, hi = act.info.output_range
    ends = []
    for bound, extreme in ((lo, np.min), (hi, np.max)):
        if not math.isfinite(bound) or y.size < 3:
            ends.append(False)
            continue
        at = np.flatnonzero(y == extreme(y))
        ends.append(bool(np.any((at > 0) & (at < y.size - 1))))
    return ends[0], ends[1]


def range_text(info: Info) -> str:
    """The interval of outputs with its ends open or closed as the function has them:
    sigmoid ``(0, 1)``, ReLU ``[0, ∞)``, hard_sigmoid ``[0, 1]``."""
    lo, hi = info.output_range
    closed = _closed_ends(info.name, _param_key(info))
    left = "[" if closed[0] else "("
    right = "]" if closed[1] else ")"
    return f"{left}{number_text(lo)}, {number_text(hi)}{right}"


def _param_key(info: Info) -> tuple:
    return tuple((p["name"], _hashable(p["value"])) for p in info.parameters)


def _hashable(v: Any) -> Any:
    return tuple(v) if isinstance(v, list) else v


@functools.lru_cache(maxsize=512)
def _closed_ends(name: str, params: tuple) -> tuple[bool, bool]:
    try:
        lookup(name)
    except UnknownActivationError:  # a user's callable: its range as given, ends as bounds
        return True, True
    return range_ends(get(name, **dict(params)))


def flat_regions(act: Activation) -> list[tuple[float, float, bool, bool]]:
    """The intervals where f′(x) is exactly 0, as ``(low, high, low_closed, high_closed)``;
    an end that runs off the examined span is ±∞. Ends are put at the definition's kinks, where
    its own convention (f′ at the kink) says whether they are closed. Elementwise only."""
    x = _grid(act)
    with np.errstate(all="ignore"):
        d = np.asarray(act.derivative(x), dtype=np.float64)
    zero = d == 0
    kinks = sorted(k for k in act.definition.kinks_for(act.params) if math.isfinite(k))
    out = []
    i = 0
    while i < x.size:
        if not zero[i]:
            i += 1
            continue
        j = i
        while j + 1 < x.size and zero[j + 1]:
            j += 1
        if j > i:  # a stretch, not a single point (a kink's convention)
            out.append(_ends(act, x, i, j, kinks))
        i = j + 1
    return out


def _ends(act, x, i, j, kinks) -> tuple[float, float, bool, bool]:
    def slope(v: float) -> float:
        return float(np.asarray(act.derivative(np.array([v])))[0])

    def edge(flat: float, moving: float) -> float:
        """Where the flat stretch ends between a grid point with f′ = 0 and one without: a kink
        there, else the point found by bisection, rounded to six digits."""
        inside = [k for k in kinks if min(flat, moving) <= k <= max(flat, moving)]
        if inside:
            return inside[0]
        for _ in range(80):
            mid = (flat + moving) / 2
            if mid in (flat, moving):
                break
            flat, moving = (mid, moving) if slope(mid) == 0 else (flat, mid)
        return float(f"{flat:.6g}")

    lo = -math.inf if i == 0 else edge(x[i], x[i - 1])
    hi = math.inf if j == x.size - 1 else edge(x[j], x[j + 1])
    closed = [math.isfinite(v) and slope(v) == 0.0 for v in (lo, hi)]
    return float(lo), float(hi), closed[0], closed[1]


def flat_text(regions: list[tuple[float, float, bool, bool]]) -> str:
    """``x ≤ 0``; ``x < −3``; ``x ≤ −1 and x ≥ 1``; ``−0.5 ≤ x ≤ 0.5``; ``every x``."""
    parts = []
    for lo, hi, lo_closed, hi_closed in regions:
        left, right = ("≤" if lo_closed else "<"), ("≤" if hi_closed else "<")
        if math.isinf(lo) and math.isinf(hi):
            parts.append("every x")
        elif math.isinf(lo):
            parts.append(f"x {right} {number_text(hi)}")
        elif math.isinf(hi):
            parts.append(f"x {'≥' if lo_closed else '>'} {number_text(lo)}")
        else:
            parts.append(f"{number_text(lo)} {left} x {right} {number_text(hi)}")
    return " and ".join(parts)


def property_row(info: Info) -> dict[str, Any]:
    """The table's values for one activation, keyed by ``COLUMNS``; all strings but booleans."""
    return {
        "name": info.name,
        "family": info.family,
        "range": range_text(info),
        "monotonic": info.monotonic,
        "zero_centred": info.zero_centred,
        "smoothness": info.smoothness,
        "saturates": " & ".join(info.saturates) or "no",
        "uses": ", ".join(info.uses),
        "init": info.init,
        "parameters": ", ".join(f"{p['name']}={p['default']}" for p in info.parameters),
        "year": str(info.reference.year),
    }


def cell_text(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)
