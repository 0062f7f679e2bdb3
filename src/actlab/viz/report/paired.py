"""Honest comparison: each activation against a reference, seed by seed, with intervals.

Two runs with the same seed share the data split, the initial weights and the batch order, so
the difference of a metric between an activation and the reference, seed by seed, removes what
the seeds have in common. For each activation the mean of those differences gets a Student-t
interval; the intervals are simultaneous over all the comparisons on the page (Bonferroni:
each at 1 − α/k), so "told apart" holds for all of them at once at the stated level.
An activation whose interval holds 0 cannot be told apart from the reference at this budget;
such activations are grouped, not ranked. With fewer than ``MIN_SEEDS`` paired seeds there are
no intervals, and nothing is told apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .contract import METRICS, number

LEVEL = 0.95
REFERENCE = "relu"
MIN_SEEDS = 3  # fewer pairs give intervals that mean little (two equal differences: width 0)
GROUPS = ("better", "not told apart", "worse")


@dataclass(frozen=True)
class Difference:
    """``activation − reference`` for one metric over ``n`` paired seeds."""

    activation: str
    n: int
    mean: float | None
    lo: float | None
    hi: float | None
    group: str  # one of GROUPS ("better" in the metric's own sense: higher accuracy, lower loss)


def differences(
    comparison: dict, metric: str, reference: str = REFERENCE, level: float = LEVEL
) -> list[Difference] | None:
    """Paired differences against ``reference`` for every other activation, or None when the
    results cannot give them (no per-seed figures, or the reference is not among the rows)."""
    from scipy.stats import t as student_t

    rows = {r["activation"]: r for r in comparison["rows"]}
    ref = rows.get(reference)
    if ref is None or "per_seed" not in ref or metric not in ref["per_seed"]:
        return None
    others = [r for name, r in rows.items() if name != reference]
    k = max(1, len(others))
    higher = METRICS[metric][1] == "higher"
    out = []
    for r in others:
        pairs = [
            (a, b)
            for a, b in zip(r.get("per_seed", {}).get(metric, []), ref["per_seed"][metric])
            if number(a) is not None and number(b) is not None
        ]
        d = [a - b for a, b in pairs]
        n = len(d)
        if n == 0:
            out.append(Difference(r["activation"], 0, None, None, None, "not told apart"))
            continue
        mean = sum(d) / n
        if n < MIN_SEEDS:
            out.append(Difference(r["activation"], n, mean, None, None, "not told apart"))
            continue
        sd = math.sqrt(sum((v - mean) ** 2 for v in d) / (n - 1))
        half = float(student_t.ppf(1 - (1 - level) / (2 * k), n - 1)) * sd / math.sqrt(n)
        lo, hi = mean - half, mean + half
        if lo > 0:
            group = "better" if higher else "worse"
        elif hi < 0:
            group = "worse" if higher else "better"
        else:
            group = "not told apart"
        out.append(Difference(r["activation"], n, mean, lo, hi, group))
    return out


def grouped(diffs: list[Difference]) -> dict[str, list[Difference]]:
    """The differences by group, each group in alphabetical order (not ranked)."""
    return {g: sorted((d for d in diffs if d.group == g), key=lambda d: d.activation) for g in GROUPS}


def summary_line(comparison: dict, metric: str = "test_accuracy", reference: str = REFERENCE) -> str | None:
    """``against relu (test accuracy, 4 paired seeds): 2 better, 21 not told apart, 4 worse``."""
    diffs = differences(comparison, metric, reference)
    if diffs is None:
        return None
    groups = grouped(diffs)
    n = max((d.n for d in diffs), default=0)
    counts = ", ".join(f"{len(groups[g])} {g}" for g in GROUPS if groups[g])
    return (
        f"against {reference} ({METRICS[metric][0]}, {n} paired seed{'s' if n != 1 else ''}, "
        f"simultaneous {LEVEL:.0%} intervals): {counts}"
    )
