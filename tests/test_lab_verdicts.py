"""The verdict rules on synthetic measurements: each can come out every way it names."""
import math

import numpy as np
import pytest

from actlab.lab import verdicts as v


def _samples(mean, sd, n, seed):
    return np.random.default_rng(seed).normal(mean, sd, n)


def test_paired_difference_matches_a_hand_computation():
    a = np.array([1.0, 2.0, 4.0, 3.0])
    b = np.array([0.5, 1.0, 3.0, 3.5])
    d = a - b
    diff = v.paired_difference(a, b)
    half = 3.182446305284263 * d.std(ddof=1) / 2  # t_{0.975, 3}
    assert diff.n == 4 and diff.mean == pytest.approx(d.mean())
    assert (diff.low, diff.high) == pytest.approx((d.mean() - half, d.mean() + half))
    assert 0 < diff.p_value < 1


def test_paired_difference_edge_cases():
    assert v.paired_difference([1.0], [0.0]).low == -math.inf
    same = v.paired_difference([2.0, 3.0], [1.0, 2.0])  # every difference is exactly 1
    assert (same.low, same.high, same.p_value) == (1.0, 1.0, 0.0)
    assert v.paired_difference([np.nan, 1.0, 2.0], [0.0, 0.0, 0.5]).n == 2
    with pytest.raises(ValueError, match="paired"):
        v.paired_difference([1.0, 2.0], [1.0])


@pytest.mark.parametrize("shift, sd, n, expected", [
    (0.05, 0.01, 10, v.SUPPORTED),        # a clearly better
    (-0.05, 0.01, 10, v.NOT_SUPPORTED),   # a clearly worse
    (0.0, 0.001, 30, v.NOT_SUPPORTED),    # equal within a tight interval: no advantage worth the name
    (0.01, 0.05, 3, v.INCONCLUSIVE),      # noisy and few runs
])
def test_better_goes_every_way(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 1)
    a = b + shift + _samples(0.0, sd, n, 2)
    assert v.better(v.paired_difference(a, b), margin=0.005, what="accuracy").label == expected


def test_better_needs_two_runs():
    assert v.better(v.paired_difference([1.0], [0.0]), margin=0.1, what="x").label == v.INCONCLUSIVE


@pytest.mark.parametrize("value, interval, expected", [
    (5.0, None, v.SUPPORTED), (1.0, None, v.NOT_SUPPORTED), (3.0, (2.9, 3.1), v.SUPPORTED),
    (2.5, (1.0, 4.0), v.INCONCLUSIVE), (2.0, (1.5, 2.5), v.NOT_SUPPORTED), (math.nan, None, v.INCONCLUSIVE),
])
def test_at_least(value, interval, expected):
    assert v.at_least(value, 2.8, what="ratio", interval=interval).label == expected


@pytest.mark.parametrize("value, interval, expected", [
    (0.1, None, v.SUPPORTED), (0.9, None, v.NOT_SUPPORTED), (0.4, (0.2, 0.7), v.INCONCLUSIVE),
    (0.4, (0.35, 0.45), v.SUPPORTED),
])
def test_at_most(value, interval, expected):
    verdict = v.at_most(value, 0.5, what="dead fraction", interval=interval)
    assert verdict.label == expected and "dead fraction" in verdict.reason


def test_observed_never_refutes_an_existence_claim():
    assert v.observed(1, 10, what="40% dead").label == v.SUPPORTED
    assert v.observed(0, 10, what="40% dead").label == v.INCONCLUSIVE


def test_agrees_and_seed_formula():
    assert v.agrees(1e-12, 1e-9, what="identity").label == v.SUPPORTED
    assert v.agrees(1e-3, 1e-9, what="identity").label == v.NOT_SUPPORTED
    assert v.agrees(math.nan, 1e-9, what="identity").label == v.NOT_SUPPORTED
    assert v.seed_formula(0.0, 1e-9, what="f").label == v.SUPPORTED
    assert v.seed_formula(0.5, 1e-9, what="f").label == v.ERRATUM
    assert v.seed_formula(0.0, 1e-9, what="f", failure="raises OverflowError").label == v.ERRATUM


def test_all_of_combines_parts():
    s, n, i = (v.Verdict(v.SUPPORTED, "a"), v.Verdict(v.NOT_SUPPORTED, "b"), v.Verdict(v.INCONCLUSIVE, "c"))
    assert v.all_of(s, s).label == v.SUPPORTED
    assert v.all_of(s, i).label == v.INCONCLUSIVE
    assert v.all_of(s, i, n).label == v.NOT_SUPPORTED
    assert v.all_of(s, n).reason == "a; b"


def test_mean_interval():
    m, (lo, hi) = v.mean_interval([1.0, 2.0, 3.0])
    assert m == 2.0 and lo < 2.0 < hi
    assert v.mean_interval([4.0])[1] == (-math.inf, math.inf)


@pytest.mark.parametrize("shift, sd, n, expected", [
    (0.0, 0.001, 10, v.SUPPORTED), (-0.1, 0.001, 10, v.NOT_SUPPORTED), (-0.01, 0.05, 3, v.INCONCLUSIVE)])
def test_not_worse(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 3)
    a = b + shift + _samples(0.0, sd, n, 4)
    assert v.not_worse(v.paired_difference(a, b), margin=0.01, what="acc").label == expected


@pytest.mark.parametrize("shift, sd, n, expected", [
    (0.0, 0.001, 10, v.SUPPORTED), (0.1, 0.001, 10, v.NOT_SUPPORTED), (0.01, 0.05, 3, v.INCONCLUSIVE)])
def test_no_better(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 5)
    a = b + shift + _samples(0.0, sd, n, 6)
    assert v.no_better(v.paired_difference(a, b), margin=0.01, what="acc").label == expected


def test_varies():
    b = np.zeros(4)
    assert v.varies(np.array([0.05, -0.05, 0.04, -0.03]), b, margin=0.01, what="d").label == v.SUPPORTED
    assert v.varies(np.array([0.05, 0.06, 0.055, 0.052]), b, margin=0.01, what="d").label == v.NOT_SUPPORTED
    assert v.varies(np.array([0.005, -0.004, 0.02, 0.0]), b, margin=0.01, what="d").label == v.INCONCLUSIVE


def test_paired_ratio():
    ratio, (lo, hi), n = v.paired_ratio([6.0, 12.0, 3.0], [1.0, 2.0, 0.5])
    assert n == 3 and ratio == pytest.approx(6.0) and lo == pytest.approx(6.0) == hi
    ratio, (lo, hi), n = v.paired_ratio([5.0, 8.0, 0.0], [1.0, 2.0, 1.0])
    assert n == 2 and lo < ratio < hi
