"""The verdict rules on synthetic measurements: each can come out every way it names."""

import math

import numpy as np
import pytest

from actlab.lab import verdicts as v
from actlab.lab.statistics import paired


def _samples(mean, sd, n, seed):
    return np.random.default_rng(seed).normal(mean, sd, n)


@pytest.mark.parametrize(
    "shift, sd, n, expected",
    [
        (0.05, 0.01, 10, v.SUPPORTED),  # a clearly better
        (-0.05, 0.01, 10, v.NOT_SUPPORTED),  # a clearly worse
        (0.0, 0.001, 30, v.NOT_SUPPORTED),  # equal within a tight interval: no advantage worth the name
        (None, None, 4, v.INCONCLUSIVE),  # noisy and few seeds
    ],
)
def test_better_goes_every_way(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 1)
    a = b + (shift + _samples(0.0, sd, n, 2) if shift is not None else np.array([0.05, -0.04, 0.03, -0.01]))
    verdict = v.better(paired(a, b), sesoi=0.005, what="accuracy", test="t")
    assert verdict.label == expected
    assert (verdict.p_value is not None) == (expected == v.SUPPORTED)  # only a rejection carries its p


def test_better_needs_three_seeds_and_reads_ratios_against_one():
    assert v.better(paired([1.0, 2.0], [0.0, 0.0]), sesoi=0.1, what="x").label == v.INCONCLUSIVE
    from actlab.lab.statistics import paired_ratio

    slow = np.array([6.0, 6.5, 5.5, 6.2, 5.9, 6.1, 6.3, 5.8])
    assert v.better(paired_ratio(slow, np.ones(8)), sesoi=1.25, what="r").label == v.SUPPORTED
    assert (
        v.better(paired_ratio(np.ones(8) * 1.01, np.ones(8)), sesoi=1.25, what="r").label == v.NOT_SUPPORTED
    )  # consistent but small


@pytest.mark.parametrize(
    "value, interval, expected",
    [
        (5.0, None, v.SUPPORTED),
        (1.0, None, v.NOT_SUPPORTED),
        (3.0, (2.9, 3.1), v.SUPPORTED),
        (2.5, (1.0, 4.0), v.INCONCLUSIVE),
        (2.0, (1.5, 2.5), v.NOT_SUPPORTED),
        (math.nan, None, v.INCONCLUSIVE),
    ],
)
def test_at_least(value, interval, expected):
    assert v.at_least(value, 2.8, what="ratio", interval=interval).label == expected


@pytest.mark.parametrize(
    "value, interval, expected",
    [
        (0.1, None, v.SUPPORTED),
        (0.9, None, v.NOT_SUPPORTED),
        (0.4, (0.2, 0.7), v.INCONCLUSIVE),
        (0.4, (0.35, 0.45), v.SUPPORTED),
    ],
)
def test_at_most(value, interval, expected):
    verdict = v.at_most(value, 0.5, what="dead fraction", interval=interval)
    assert verdict.label == expected and "dead fraction" in verdict.reason


def test_observed_never_refutes_an_existence_claim():
    assert v.observed(1, 10, what="40% dead").label == v.SUPPORTED
    assert v.observed(0, 10, what="40% dead").label == v.INCONCLUSIVE


def test_agrees_seed_formula_and_errata():
    assert v.agrees(1e-12, 1e-9, what="identity").label == v.SUPPORTED
    assert v.agrees(1e-3, 1e-9, what="identity").label == v.NOT_SUPPORTED
    assert v.agrees(math.nan, 1e-9, what="identity").label == v.NOT_SUPPORTED
    assert v.seed_formula(0.0, 1e-9, what="f").label == v.SUPPORTED
    assert v.seed_formula(0.5, 1e-9, what="f").label == v.ERRATUM
    assert v.seed_formula(0.0, 1e-9, what="f", failure="raises OverflowError").label == v.ERRATUM
    e = v.erratum("the sign.", "σ(1 − σ).", evidence="evaluated.")
    assert e.label == v.ERRATUM and "Wrong: the sign." in e.reason and "Correct: σ(1 − σ)." in e.reason
    assert v.not_testable("transformers").label == v.NOT_TESTABLE


def test_all_of_combines_parts_and_keeps_the_weakest_p():
    s1, s2 = v.Verdict(v.SUPPORTED, "a", 0.01, "t1"), v.Verdict(v.SUPPORTED, "a2", 0.03, "t2")
    n, i = v.Verdict(v.NOT_SUPPORTED, "b"), v.Verdict(v.INCONCLUSIVE, "c")
    both = v.all_of(s1, s2)
    assert both.label == v.SUPPORTED and both.p_value == 0.03 and both.test == "t1+t2"
    assert v.all_of(s1, i).label == v.INCONCLUSIVE and v.all_of(s1, i).p_value is None
    assert v.all_of(s1, i, n).label == v.NOT_SUPPORTED
    assert v.all_of(s1, n).reason == "a; b"


def test_holds_when_names_the_condition():
    yes, no, maybe = (
        v.Verdict(v.SUPPORTED, "ρ < 0.9"),
        v.Verdict(v.NOT_SUPPORTED, "ρ > 1.1"),
        v.Verdict(v.INCONCLUSIVE, "?"),
    )
    mixed = v.holds_when({"0.5× init": yes, "2× init": no}, claim="vanishing")
    assert mixed.label == v.HOLDS_WHEN and "holds when 0.5× init, not when 2× init" in mixed.reason
    assert v.holds_when({"a": yes, "b": yes}, claim="x").label == v.SUPPORTED
    assert v.holds_when({"a": no, "b": no}, claim="x").label == v.NOT_SUPPORTED
    assert v.holds_when({"a": yes, "b": maybe}, claim="x").label == v.INCONCLUSIVE


def test_holm_correction_revises_only_what_rested_on_a_test():
    s = v.Verdict(v.SUPPORTED, "d > 0", 0.02, "t")
    assert v.holm_corrected(s, 0.04, 10).label == v.SUPPORTED
    after = v.holm_corrected(s, 0.2, 10)
    assert after.label == v.INCONCLUSIVE and "Holm" in after.reason and "10 network tests" in after.reason
    untested = v.Verdict(v.SUPPORTED, "identity")
    assert v.holm_corrected(untested, 0.9, 10) is untested


@pytest.mark.parametrize(
    "shift, sd, n, expected",
    [(0.0, 0.001, 10, v.SUPPORTED), (-0.1, 0.001, 10, v.NOT_SUPPORTED), (-0.01, 0.05, 4, v.INCONCLUSIVE)],
)
def test_not_worse(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 3)
    a = b + shift + _samples(0.0, sd, n, 4)
    assert v.not_worse(paired(a, b), margin=0.01, what="acc").label == expected


@pytest.mark.parametrize(
    "shift, sd, n, expected",
    [(0.0, 0.001, 10, v.SUPPORTED), (0.1, 0.001, 10, v.NOT_SUPPORTED), (0.01, 0.05, 4, v.INCONCLUSIVE)],
)
def test_no_better(shift, sd, n, expected):
    b = _samples(0.9, 0.02, n, 5)
    a = b + shift + _samples(0.0, sd, n, 6)
    assert v.no_better(paired(a, b), sesoi=0.01, what="acc").label == expected


def test_varies():
    b = np.zeros(4)
    for d, expected in (
        ([0.05, -0.05, 0.04, -0.03], v.SUPPORTED),
        ([0.05, 0.06, 0.055, 0.052], v.NOT_SUPPORTED),
        ([0.005, -0.004, 0.02, 0.0], v.INCONCLUSIVE),
    ):
        d = np.array(d)
        assert v.varies(paired(d, b), (d.min(), d.max()), margin=0.01, what="d").label == expected
