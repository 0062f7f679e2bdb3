"""The statistics module against SciPy and hand computations on known cases."""

import math

import numpy as np
import pytest
from scipy import stats as sps

from actlab.lab import statistics as st


def test_paired_uses_the_seed_as_the_unit():
    rng = np.random.default_rng(0)
    b = rng.normal(0.9, 0.05, 12)  # large seed-to-seed spread ...
    a = b + 0.01 + rng.normal(0, 0.002, 12)  # ... shared by both arms, a small consistent gain
    c = st.paired(a, b)
    assert c.n == 12 and c.mean == pytest.approx(np.mean(a - b))
    assert 0 < c.low < c.mean < c.high
    assert c.p_value == pytest.approx(sps.wilcoxon(a - b).pvalue)
    # Pooled as independent samples the same data show nothing: the pairing is the point.
    assert sps.mannwhitneyu(a, b).pvalue > 0.3 > c.p_value


def test_paired_edge_cases():
    assert st.paired([1.0, 2.0], [0.0, 0.5]).low == -math.inf  # fewer than three seeds
    same = st.paired([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])  # every difference is 1
    assert (same.low, same.high) == (1.0, 1.0)
    assert st.paired([np.nan, 1.0, 2.0, 3.0], [0.0, 0.0, 0.5, 1.0]).n == 3
    assert st.paired([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]).p_value == 1.0
    with pytest.raises(ValueError, match="paired"):
        st.paired([1.0, 2.0], [1.0])


def test_paired_ratio_is_the_geometric_mean():
    c = st.paired_ratio([6.0, 12.0, 3.0, 24.0], [1.0, 2.0, 0.5, 4.0])
    assert c.ratio and c.mean == pytest.approx(6.0) and c.low == pytest.approx(6.0) == c.high
    c = st.paired_ratio([5.0, 8.0, 0.0, 7.0, 6.0], [1.0, 2.0, 1.0, 1.5, 1.0])
    assert c.n == 4 and c.low < c.mean < c.high


def test_holm_against_a_hand_computation():
    p = [0.01, 0.04, 0.03, 0.005, np.nan]
    # sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → max-accumulated 0.06
    np.testing.assert_allclose(st.holm(p)[:4], [0.03, 0.06, 0.06, 0.02])
    assert np.isnan(st.holm(p)[4]) and st.holm([]).size == 0
    assert st.holm([0.9, 0.8])[0] == 1.0  # capped at 1


def test_power_matches_a_simulation_of_the_wilcoxon_test():
    rng = np.random.default_rng(1)
    n, sesoi, sd = 12, 0.01, 0.012
    hits = np.mean([sps.wilcoxon(rng.normal(sesoi, sd, n)).pvalue < 0.05 for _ in range(500)])
    assert st.power(n, sesoi, sd) == pytest.approx(hits, abs=0.08)
    assert st.power(n, sesoi, sd) < st.power(4 * n, sesoi, sd)
    need = st.seeds_for_power(sesoi, sd)
    assert st.power(need, sesoi, sd) >= 0.8 > st.power(need - 1, sesoi, sd)
    assert math.isnan(st.power(1, sesoi, sd)) and st.seeds_for_power(0.0, sd) is None


def test_mean_interval():
    m, (lo, hi) = st.mean_interval([1.0, 2.0, 3.0, 2.5, 1.5])
    assert m == 2.0 and lo < 2.0 < hi
    assert st.mean_interval([4.0])[1] == (-math.inf, math.inf)
