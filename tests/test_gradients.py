"""Backward passes: vjp, derivative from the output, parameter gradients, stochastic units."""

from __future__ import annotations

import numpy as np
import pytest

import actlab as al

ELEMENTWISE = [d for d in al.definitions() if d.elementwise and d.differentiable]
VECTOR = [d for d in al.definitions() if not d.elementwise and d.differentiable]
FROM_OUTPUT = [d for d in al.definitions() if d.derivative_from_output is not None]
LEARNABLE = [d for d in al.definitions() if d.param_partials]


def _away_from_kinks(d, x):
    for k in d.kinks_for({p.name: p.default for p in d.params}):
        x = x[np.abs(x - k) > 1e-3]
    return x


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_elementwise_vjp_is_grad_times_derivative(d):
    act = al.get(d)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 7)) * 4
    g = rng.normal(size=(5, 7))
    np.testing.assert_array_equal(act.vjp(x, g), g * act.derivative(x))
    with pytest.raises(ValueError, match="grad_out has shape"):
        act.vjp(x, g[:, :3])


@pytest.mark.parametrize("d", FROM_OUTPUT, ids=[d.name for d in FROM_OUTPUT])
def test_derivative_from_output_agrees_with_derivative(d):
    act = al.get(d)
    x = _away_from_kinks(d, np.linspace(-12, 12, 4801))
    # From the output, tails such as elu's y + alpha are accurate in absolute terms only.
    np.testing.assert_allclose(act.derivative_from_output(act(x)), act.derivative(x), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("d", VECTOR, ids=[d.name for d in VECTOR])
@pytest.mark.parametrize("axis", [-1, 0])
def test_vector_vjp_matches_numerical_jacobian(d, axis):
    act = al.get(d, axis=axis)
    rng = np.random.default_rng(2)
    shape = (4, 6) if axis == -1 else (6, 4)
    x = rng.normal(size=shape) * 2
    y = act(x)
    g = rng.normal(size=y.shape)
    h = 1e-6
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = h
        numeric[idx] = np.sum(g * (act(x + e) - act(x - e))) / (2 * h)
    np.testing.assert_allclose(act.vjp(x, g), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("d", LEARNABLE, ids=[d.name for d in LEARNABLE])
def test_param_grads_match_finite_differences(d):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(6, 3)) * 3
    g = rng.normal(size=(6, 3))
    act = al.get(d)
    grads = act.param_grads(x, g)
    for name in d.param_partials:
        p0 = act.params[name]
        h = 1e-6
        plus = np.sum(g * act.with_params(**{name: p0 + h})(x))
        minus = np.sum(g * act.with_params(**{name: p0 - h})(x))
        assert grads[name] == pytest.approx((plus - minus) / (2 * h), rel=1e-6, abs=1e-9)


def test_per_channel_parameter_gradient_has_the_parameter_shape():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(8, 3))
    g = rng.normal(size=(8, 3))
    alpha = np.array([0.1, 0.2, 0.3])
    act = al.get("prelu", alpha=alpha)
    np.testing.assert_allclose(act(x), np.where(x > 0, x, alpha * x))
    grad = act.param_grads(x, g)["alpha"]
    assert grad.shape == (3,)
    np.testing.assert_allclose(grad, np.sum(g * np.minimum(x, 0), axis=0))


def test_rrelu_is_random_in_training_and_deterministic_at_inference():
    act = al.get("rrelu")
    x = -np.ones(10_000)
    y, dy = act.forward_train(x, np.random.default_rng(0))
    lower, upper = act.params["lower"], act.params["upper"]
    assert np.all((-y >= lower) & (-y <= upper)) and np.unique(y).size > 100
    np.testing.assert_array_equal(dy, -y)  # f' is the drawn slope
    np.testing.assert_array_equal(act(x), -(lower + upper) / 2 * np.ones_like(x))
    y2, _ = act.forward_train(x, np.random.default_rng(0))
    np.testing.assert_array_equal(y, y2)


def test_relu_kink_convention():
    assert al.get("relu").derivative(0.0) == 0.0
    assert al.get("leaky_relu").derivative(0.0) == 0.01
