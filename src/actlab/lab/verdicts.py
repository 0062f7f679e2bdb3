"""Verdicts computed from measurements: supported / not supported / inconclusive / erratum.

Each function takes what was measured and returns a :class:`Verdict` (the label and a sentence
saying why). They hold no knowledge of any particular claim, so the same rule judges every
claim of its kind, and each rule can come out every way it names (the tests feed them
synthetic measurements to show it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
INCONCLUSIVE = "inconclusive"
ERRATUM = "erratum"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE, ERRATUM)


@dataclass(frozen=True)
class Verdict:
    label: str
    reason: str


@dataclass(frozen=True)
class Difference:
    """A paired comparison of two samples: mean of a − b, its confidence interval and p-value."""

    mean: float
    low: float
    high: float
    p_value: float
    n: int


def paired_difference(a, b, confidence: float = 0.95) -> Difference:
    """Mean of d = a − b over paired runs (same seed), a Student-t confidence interval
    d̄ ± t_{n−1} · s_d/√n, and the two-sided paired t-test p-value (``scipy.stats.ttest_rel``).

    With fewer than two pairs, or no spread at all, the interval is as wide or as narrow as the
    data allow: infinite for n < 2, the single value when every difference is the same.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired samples need equal 1-d shapes, got {a.shape} and {b.shape}")
    keep = np.isfinite(a) & np.isfinite(b)
    d = a[keep] - b[keep]
    n = len(d)
    if n == 0:
        return Difference(math.nan, -math.inf, math.inf, math.nan, 0)
    mean = float(d.mean())
    if n < 2:
        return Difference(mean, -math.inf, math.inf, math.nan, n)
    sd = float(d.std(ddof=1))
    if sd <= 1e-12 * max(1.0, abs(mean)):  # identical differences, up to rounding
        return Difference(mean, mean, mean, 0.0 if mean != 0 else 1.0, n)
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / math.sqrt(n)
    p = float(stats.ttest_rel(a[keep], b[keep]).pvalue)
    return Difference(mean, mean - half, mean + half, p, n)


def better(diff: Difference, *, margin: float, what: str) -> Verdict:
    """Judge the claim "a is better than b", where ``diff`` measures a − b with larger = better.

    Supported when the whole confidence interval lies above 0; not supported when it lies below
    ``margin`` (then a is worse, or better by less than the smallest difference that matters);
    inconclusive when the interval still admits both a real advantage and none.
    """
    ci = f"{what}: mean difference {diff.mean:+.4g}, 95% CI [{diff.low:+.4g}, {diff.high:+.4g}], n = {diff.n}"
    if diff.n < 2:
        return Verdict(INCONCLUSIVE, f"{ci}; at least two paired runs are needed")
    if diff.low > 0:
        return Verdict(SUPPORTED, f"{ci}; the whole interval is above 0 (p = {diff.p_value:.3g})")
    if diff.high < margin:
        return Verdict(NOT_SUPPORTED, f"{ci}; any advantage is below the margin {margin:g}")
    return Verdict(INCONCLUSIVE, f"{ci}; not enough runs to tell (p = {diff.p_value:.3g})")


def not_worse(diff: Difference, *, margin: float, what: str) -> Verdict:
    """Judge "a is no worse than b" (larger = better): supported when the interval lies above
    −``margin``, not supported when it lies below −``margin``, inconclusive in between."""
    ci = f"{what}: mean difference {diff.mean:+.4g}, 95% CI [{diff.low:+.4g}, {diff.high:+.4g}], n = {diff.n}"
    if diff.n < 2:
        return Verdict(INCONCLUSIVE, f"{ci}; at least two paired runs are needed")
    if diff.low > -margin:
        return Verdict(SUPPORTED, f"{ci}; worse by less than the margin {margin:g} at most")
    if diff.high < -margin:
        return Verdict(NOT_SUPPORTED, f"{ci}; worse by more than the margin {margin:g}")
    return Verdict(INCONCLUSIVE, f"{ci}; not enough runs to tell (p = {diff.p_value:.3g})")


def no_better(diff: Difference, *, margin: float, what: str) -> Verdict:
    """Judge "a is not better than b" (larger = better): supported when the interval lies below
    ``margin``, not supported when it lies above 0, inconclusive otherwise."""
    ci = f"{what}: mean difference {diff.mean:+.4g}, 95% CI [{diff.low:+.4g}, {diff.high:+.4g}], n = {diff.n}"
    if diff.n < 2:
        return Verdict(INCONCLUSIVE, f"{ci}; at least two paired runs are needed")
    if diff.high < margin:
        return Verdict(SUPPORTED, f"{ci}; any advantage is below the margin {margin:g}")
    if diff.low > 0:
        return Verdict(NOT_SUPPORTED, f"{ci}; a is better (p = {diff.p_value:.3g})")
    return Verdict(INCONCLUSIVE, f"{ci}; not enough runs to tell (p = {diff.p_value:.3g})")


def varies(a, b, *, margin: float, what: str) -> Verdict:
    """Judge "the effect of a over b is not consistent": supported when some pairs favour a and
    others b, each by more than ``margin``; not supported when the confidence interval of the
    mean difference excludes 0 (a consistent effect); inconclusive otherwise."""
    diff = paired_difference(a, b)
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    d = d[np.isfinite(d)]
    text = (f"{what}: per-run differences from {d.min():+.4g} to {d.max():+.4g}, mean {diff.mean:+.4g}, "
            f"95% CI [{diff.low:+.4g}, {diff.high:+.4g}], n = {diff.n}") if d.size else f"{what}: no runs"
    if d.size and d.max() > margin and d.min() < -margin:
        return Verdict(SUPPORTED, f"{text}; runs disagree in sign beyond the margin {margin:g}")
    if diff.n >= 2 and (diff.low > 0 or diff.high < 0):
        return Verdict(NOT_SUPPORTED, f"{text}; the effect is consistent")
    return Verdict(INCONCLUSIVE, text)


def paired_ratio(a, b, confidence: float = 0.95) -> tuple[float, tuple[float, float], int]:
    """Geometric mean of a/b over paired runs and its confidence interval (a t-interval on
    log a − log b, transformed back). Non-positive or missing values are left out."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = (a > 0) & (b > 0)
    diff = paired_difference(np.log(a[keep]), np.log(b[keep]), confidence)
    return math.exp(diff.mean) if diff.n else math.nan, (math.exp(diff.low), math.exp(diff.high)), diff.n


def at_least(value: float, threshold: float, *, what: str, interval: tuple[float, float] | None = None,
             interval_name: str = "95% CI") -> Verdict:
    """Judge "``value`` ≥ ``threshold``". With an ``interval`` around the value (a confidence
    interval, or the range of repeated measurements), the verdict is inconclusive while the
    interval straddles the threshold."""
    return _versus(value, threshold, what, interval, interval_name, above=True)


def at_most(value: float, threshold: float, *, what: str, interval: tuple[float, float] | None = None,
            interval_name: str = "95% CI") -> Verdict:
    """Judge "``value`` ≤ ``threshold``" (the mirror image of :func:`at_least`)."""
    return _versus(value, threshold, what, interval, interval_name, above=False)


def _versus(value, threshold, what, interval, interval_name, above: bool) -> Verdict:
    lo, hi = interval if interval is not None else (value, value)
    text = f"{what} = {value:.4g}" + (f" ({interval_name} [{lo:.4g}, {hi:.4g}])" if interval else "")
    if not math.isfinite(value):
        return Verdict(INCONCLUSIVE, f"{text}: no finite measurement")
    holds, fails = (lo >= threshold, hi < threshold) if above else (hi <= threshold, lo > threshold)
    sign_ok, sign_bad = ("≥", "<") if above else ("≤", ">")
    if holds:
        return Verdict(SUPPORTED, f"{text} {sign_ok} {threshold:g}")
    if fails:
        return Verdict(NOT_SUPPORTED, f"{text} {sign_bad} {threshold:g}")
    return Verdict(INCONCLUSIVE, f"{text}: the interval straddles {threshold:g}")


def observed(count: int, trials: int, *, what: str) -> Verdict:
    """Judge an existence claim ("sometimes X happens"): supported once X was seen; otherwise
    inconclusive, since not seeing something in a few runs does not show it never happens."""
    if count > 0:
        return Verdict(SUPPORTED, f"{what}: seen in {count} of {trials} runs")
    return Verdict(INCONCLUSIVE, f"{what}: not seen in {trials} runs at this budget")


def agrees(max_error: float, tol: float, *, what: str) -> Verdict:
    """Judge a stated identity or property: supported if the largest measured deviation is within
    ``tol``, not supported otherwise."""
    if math.isfinite(max_error) and max_error <= tol:
        return Verdict(SUPPORTED, f"{what}: largest deviation {max_error:.3g} ≤ tolerance {tol:.1g}")
    return Verdict(NOT_SUPPORTED, f"{what}: largest deviation {max_error:.3g} > tolerance {tol:.1g}")


def seed_formula(max_error: float, tol: float, *, what: str, failure: str | None = None) -> Verdict:
    """Judge a formula or code as a seed text writes it, against actlab's definition: an erratum
    if it disagrees beyond ``tol`` (or fails to evaluate: ``failure`` says how), else supported."""
    if failure:
        return Verdict(ERRATUM, f"{what}: {failure}")
    if math.isfinite(max_error) and max_error <= tol:
        return Verdict(SUPPORTED, f"{what}: agrees with actlab to {max_error:.3g} (tolerance {tol:.1g})")
    return Verdict(ERRATUM, f"{what}: disagrees with actlab by up to {max_error:.3g}")


def all_of(*verdicts: Verdict) -> Verdict:
    """A claim made of several parts: not supported if any part is refuted, supported if every
    part is supported, otherwise inconclusive. Reasons are joined in order."""
    labels = {v.label for v in verdicts}
    label = (NOT_SUPPORTED if NOT_SUPPORTED in labels or ERRATUM in labels
             else SUPPORTED if labels == {SUPPORTED} else INCONCLUSIVE)
    return Verdict(label, "; ".join(v.reason for v in verdicts))


def mean_interval(values, confidence: float = 0.95) -> tuple[float, tuple[float, float]]:
    """Mean of ``values`` and its Student-t confidence interval (infinite with one value)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, (-math.inf, math.inf)
    m = float(v.mean())
    if len(v) < 2:
        return m, (-math.inf, math.inf)
    half = float(stats.t.ppf(0.5 + confidence / 2, len(v) - 1)) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return m, (m - half, m + half)
