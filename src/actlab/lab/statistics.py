"""The statistics behind the network verdicts: the seed as the unit, paired tests, intervals,
a smallest effect of interest fixed before the run, power, and Holm's correction.

Every network experiment trains each configuration once per seed, and two configurations with
the same seed share the data split, the initial weights and the batch order. The unit of
analysis is therefore the seed: a comparison is the vector of per-seed differences
d_s = a_s − b_s, never the pooled runs. On it:

- :func:`paired` gives the mean difference, a bootstrap confidence interval
  (``scipy.stats.bootstrap``, BCa, resampling seeds) and the exact two-sided Wilcoxon
  signed-rank p-value (``scipy.stats.wilcoxon``);
- :func:`paired_ratio` does the same on log a − log b, for ratios (epochs to a target);
- :func:`power` is the power of the paired test to detect the smallest effect of interest at
  this n, by the noncentral t distribution (the Wilcoxon test's efficiency is 3/π ≈ 0.955 of
  the t test's for normal differences, applied as an effective sample size);
- :func:`holm` adjusts a family of p-values (Holm 1979), so that the family-wise error rate of
  all network claims together stays at α.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05
CONFIDENCE = 0.95
WILCOXON_EFFICIENCY = 3.0 / math.pi  # asymptotic relative efficiency against the t test
BOOTSTRAP_RESAMPLES = 4999


@dataclass(frozen=True)
class Comparison:
    """A paired comparison of a and b over seeds: d = a − b (or log a − log b for a ratio)."""

    mean: float  # mean of d (for a ratio: exp of the mean log ratio)
    low: float  # confidence interval of the mean (ratio: transformed back)
    high: float
    p_value: float  # exact two-sided Wilcoxon signed-rank test of "median d = 0"
    n: int  # seeds with both values finite
    sd: float  # standard deviation of d (on the log scale for a ratio)
    ratio: bool = False

    def describe(self, what: str) -> str:
        sign = "×" if self.ratio else "+"
        fmt = (lambda v: f"{v:.3g}×") if self.ratio else (lambda v: f"{v:{sign}.3g}")
        return (
            f"{what}: {'geometric mean ratio' if self.ratio else 'mean difference'} {fmt(self.mean)}, "
            f"{CONFIDENCE:.0%} CI [{fmt(self.low)}, {fmt(self.high)}], Wilcoxon p = {self.p_value:.3g}, "
            f"n = {self.n} seeds"
        )


def _bootstrap_mean(d: np.ndarray, seed: int) -> tuple[float, float]:
    """BCa bootstrap interval of the mean of d (the seeds resampled); the single value when all
    differences are equal, infinite below three seeds."""
    if len(d) < 3:
        return -math.inf, math.inf
    if np.ptp(d) <= 1e-12 * max(1.0, float(np.max(np.abs(d)))):
        return float(d[0]), float(d[0])
    res = stats.bootstrap(
        (d,),
        np.mean,
        confidence_level=CONFIDENCE,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="BCa",
        rng=np.random.default_rng(seed),
    )
    lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    if not (math.isfinite(lo) and math.isfinite(hi)):  # BCa undefined (ties): percentile
        res = stats.bootstrap(
            (d,),
            np.mean,
            confidence_level=CONFIDENCE,
            n_resamples=BOOTSTRAP_RESAMPLES,
            method="percentile",
            rng=np.random.default_rng(seed),
        )
        lo, hi = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return lo, hi


def _wilcoxon(d: np.ndarray) -> float:
    """Two-sided p of the Wilcoxon signed-rank test (exact where SciPy can; 1 if every d is 0)."""
    if len(d) == 0 or not np.any(d != 0):
        return 1.0
    return float(stats.wilcoxon(d, zero_method="zsplit", alternative="two-sided").pvalue)


def _pairs(a, b) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(
            f"paired samples need equal 1-d shapes (one value per seed), got {a.shape} and {b.shape}"
        )
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def paired(a, b, *, seed: int = 0) -> Comparison:
    """d_s = a_s − b_s over seeds s: mean, bootstrap CI of the mean, Wilcoxon p, n, sd."""
    a, b = _pairs(a, b)
    d = a - b
    if len(d) == 0:
        return Comparison(math.nan, -math.inf, math.inf, math.nan, 0, math.nan)
    lo, hi = _bootstrap_mean(d, seed)
    sd = float(d.std(ddof=1)) if len(d) > 1 else math.nan
    return Comparison(float(d.mean()), lo, hi, _wilcoxon(d), len(d), sd)


def paired_ratio(a, b, *, seed: int = 0) -> Comparison:
    """The geometric mean of a_s / b_s over seeds and its interval (``paired`` on log a − log b,
    transformed back); non-positive values are left out."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    keep = (a > 0) & (b > 0)
    c = paired(np.log(a[keep]), np.log(b[keep]), seed=seed)
    if c.n == 0:
        return Comparison(math.nan, 0.0, math.inf, math.nan, 0, math.nan, ratio=True)
    return Comparison(math.exp(c.mean), math.exp(c.low), math.exp(c.high), c.p_value, c.n, c.sd, ratio=True)


def mean_interval(values, *, seed: int = 0) -> tuple[float, tuple[float, float]]:
    """The mean over seeds and its bootstrap confidence interval (infinite below three seeds)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, (-math.inf, math.inf)
    return float(v.mean()), _bootstrap_mean(v, seed)


def power(n: int, sesoi: float, sd: float, *, alpha: float = ALPHA) -> float:
    r"""Power of the two-sided paired test to detect a true mean difference of ``sesoi`` when the
    per-seed differences have standard deviation ``sd``:

    .. math:: P(|T| > t_{1-α/2, ν}),\quad T \sim t_ν(δ = \text{sesoi}\,\sqrt{n_e}/\text{sd}),
              \; n_e = 0.955\,n,\; ν = n_e - 1

    (noncentral t; the Wilcoxon test's asymptotic efficiency 3/π is folded into n_e).
    """
    if n < 2 or not (sd > 0) or not math.isfinite(sd):
        return math.nan
    n_eff = WILCOXON_EFFICIENCY * n
    df = max(n_eff - 1.0, 1.0)
    crit = stats.t.ppf(1 - alpha / 2, df)
    delta = abs(sesoi) * math.sqrt(n_eff) / sd
    return float(stats.nct.sf(crit, df, delta) + stats.nct.cdf(-crit, df, delta))


def seeds_for_power(
    sesoi: float, sd: float, *, target: float = 0.8, alpha: float = ALPHA, most: int = 10_000
) -> int | None:
    """The fewest seeds at which :func:`power` reaches ``target`` (None beyond ``most``)."""
    if not (sd > 0) or not math.isfinite(sd) or sesoi == 0:
        return None
    n = 3
    while n <= most:
        if power(n, sesoi, sd, alpha=alpha) >= target:
            return n
        n = n + 1 if n < 64 else int(n * 1.1)
    return None


def holm(p_values) -> np.ndarray:
    r"""Holm's step-down adjustment: with the m p-values sorted, :math:`p_{(1)} \le \dots \le
    p_{(m)}`, the adjusted :math:`\tilde p_{(i)} = \max_{j \le i} \min(1, (m − j + 1)\, p_{(j)})`;
    rejecting where :math:`\tilde p < α` keeps the family-wise error rate at α (Holm 1979).
    NaN p-values are left out of the family and stay NaN. (SciPy offers only false-discovery-
    rate adjustments, ``scipy.stats.false_discovery_control``, not the family-wise Holm.)"""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    m = len(valid)
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out
