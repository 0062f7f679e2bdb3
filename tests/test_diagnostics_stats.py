"""Activation statistics on constructed cases with known answers."""

import math
import warnings

import numpy as np
import pytest

import actlab as al
from actlab.diagnostics import (
    ActivationStats,
    DeadUnitWarning,
    derivative_peak,
    grad_ratio,
    local_derivative,
    warn_if_dead,
)

ELEMENTWISE = [d.name for d in al.definitions() if d.elementwise and d.differentiable]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_peak_is_the_largest_derivative(name):
    act = al.get(name)
    peak = derivative_peak(act)
    x = np.random.default_rng(0).uniform(-30, 30, 2000)
    assert math.isfinite(peak) and peak > 0
    assert np.all(np.abs(act.derivative(x)) <= peak * (1 + 1e-9))


def test_dead_units_are_those_with_zero_derivative_on_every_sample():
    relu = al.get("relu")
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 100, 8))
    z[:, :, :3] = -np.abs(z[:, :, :3]) - 0.1  # units 0..2 negative on every sample: dead
    z[1, 5, 2] = 1.0  # ... except unit 2 fires once in the second batch
    stats = ActivationStats(peak=derivative_peak(relu))
    for batch in z:
        stats.add(relu.derivative(batch), relu(batch))
    r = stats.result()
    assert r["units"] == 8 and r["dead_fraction"] == 2 / 8
    assert r["sparsity"] == pytest.approx(np.mean(relu(z) == 0))
    assert r["saturated_fraction"] == pytest.approx(np.mean(relu.derivative(z) == 0))


def test_mean_std_over_batches_equal_the_whole_sample():
    y = np.random.default_rng(1).normal(3.0, 2.0, size=(7, 50, 4))
    stats = ActivationStats()
    for batch in y:
        stats.add(np.ones_like(batch), batch)
    r = stats.result()
    assert r["mean"] == pytest.approx(y.mean(), rel=1e-12)
    assert r["std"] == pytest.approx(y.std(), rel=1e-12)
    assert r["saturated_fraction"] is None  # no peak given


def test_saturation_of_a_sigmoid_layer_with_large_inputs():
    sig = al.get("sigmoid")
    z = np.random.default_rng(2).normal(0.0, 50.0, size=(200, 16))  # almost all far in the tails
    stats = ActivationStats(peak=derivative_peak(sig), saturation=0.1)
    stats.add(sig.derivative(z), sig(z))
    expected = np.mean(sig.derivative(z) < 0.1 * 0.25)
    r = stats.result()
    assert r["saturated_fraction"] == pytest.approx(expected) and r["saturated_fraction"] > 0.9
    assert r["dead_fraction"] == 0.0  # tiny derivatives are saturated, not dead


def test_unit_axis_selects_the_channels():
    d = np.ones((10, 3, 5))  # (batch, channels, positions)
    d[:, 1, :] = 0.0
    stats = ActivationStats()
    stats.add(d, d, unit_axis=1)
    assert stats.result()["units"] == 3 and stats.result()["dead_fraction"] == pytest.approx(1 / 3)


def test_vector_valued_activations_use_a_random_probe():
    maxout = al.get("maxout", pieces=2)
    z = np.zeros((50, 4))
    z[:, 0] = 1.0  # piece 0 always wins its group; piece 1 never does
    z[:, 2], z[:, 3] = -1.0, 1.0
    d = local_derivative(maxout, z)
    alive = np.any(d != 0, axis=0)
    assert alive.tolist() == [True, False, False, True]
    soft = local_derivative(al.get("softmax"), np.random.default_rng(3).normal(size=(20, 5)))
    assert np.all(np.any(soft != 0, axis=0))  # ones would give exactly 0; a random probe does not


def test_shape_mismatch_and_empty_stats_are_errors():
    stats = ActivationStats()
    with pytest.raises(ValueError, match="no batch"):
        stats.result()
    stats.add(np.ones((4, 3)), np.ones((4, 3)))
    with pytest.raises(ValueError, match="units"):
        stats.add(np.ones((4, 5)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="saturation"):
        ActivationStats(saturation=1.5)


def test_dead_warning_and_grad_ratio():
    with pytest.warns(DeadUnitWarning, match="60% of units are dead"):
        warn_if_dead("dense_1", 0.6, 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_if_dead("dense_1", 0.4, 0.5)
    assert grad_ratio([1e-4, 1e-2, 1.0]) == pytest.approx(1e-4)
    assert grad_ratio([]) is None and grad_ratio([1.0, 0.0]) is None
