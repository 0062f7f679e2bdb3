"""Mathematical identities between activations, which any correct implementation satisfies."""

from __future__ import annotations

import numpy as np
import pytest

import actlab as al

X = np.linspace(-30, 30, 6001)


def test_tanh_is_a_rescaled_sigmoid():
    np.testing.assert_allclose(al.tanh(X), 2 * al.sigmoid(2 * X) - 1, rtol=1e-14, atol=2e-16)


def test_softmax_rows_sum_to_one_and_are_shift_invariant():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 10)) * 30
    p = al.softmax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(al.softmax(z + 1e3), p, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(al.softmax(z.T, axis=0), p.T, rtol=1e-15)
    np.testing.assert_allclose(np.exp(al.log_softmax(z)), p, rtol=1e-12)
    np.testing.assert_array_equal(al.softmin(z), al.softmax(-z))


def test_softmax_with_infinities_takes_the_documented_limits():
    rows = np.array(
        [[np.inf, 1.0, np.inf], [-np.inf, -np.inf, -np.inf], [np.nan, 0.0, 1.0], [-np.inf, 0.0, 0.0]]
    )
    p = al.softmax(rows)
    np.testing.assert_array_equal(p[0], [0.5, 0.0, 0.5])
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    assert np.isnan(p[2]).all()
    np.testing.assert_array_equal(p[3], [0.0, 0.5, 0.5])
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(al.log_softmax(rows[:2]), np.log(p[:2]))


def test_silu_is_swish_at_beta_one_and_swish_tends_to_relu():
    np.testing.assert_array_equal(al.get("silu")(X), X * al.sigmoid(X))
    np.testing.assert_allclose(al.swish(X, beta=1e3), al.relu(X), atol=1e-3)
    np.testing.assert_allclose(al.swish(X, beta=0.0), X / 2)


def test_relu_is_maxout_with_a_zero_piece():
    pieces = np.stack([X, np.zeros_like(X)], axis=-1).reshape(1, -1)
    np.testing.assert_array_equal(al.maxout(pieces, pieces=2)[0], al.relu(X))
    leaky = np.stack([X, 0.01 * X], axis=-1).reshape(1, -1)
    np.testing.assert_array_equal(al.maxout(leaky, pieces=2)[0], al.leaky_relu(X))


def test_gelu_tanh_approximation_is_within_5e_4():
    assert np.max(np.abs(al.gelu(X, approximate="tanh") - al.gelu(X))) < 5e-4


def test_family_relations():
    np.testing.assert_array_equal(al.leaky_relu(X, alpha=0.0), al.relu(X))
    np.testing.assert_allclose(al.celu(X, alpha=1.0), al.elu(X, alpha=1.0), rtol=1e-15)
    np.testing.assert_allclose(al.hard_swish(X), X * al.hard_sigmoid(X), rtol=1e-15)
    np.testing.assert_array_equal(al.log_sigmoid(X), -al.softplus(-X))
    np.testing.assert_allclose(al.softplus(X), np.logaddexp(0, X), rtol=1e-15)
    np.testing.assert_allclose(al.sigmoid(X) + al.sigmoid(-X), 1.0, rtol=3e-16)
    np.testing.assert_allclose(al.squareplus(X, b=0.0), al.relu(X))
    np.testing.assert_array_equal(al.threshold(X, threshold=0.0, value=0.0), al.relu(X))
    np.testing.assert_array_equal(al.relu6(X), al.hard_tanh(X, min_val=0.0, max_val=6.0))


@pytest.mark.parametrize(
    ("gated", "gate"), [("glu", "sigmoid"), ("reglu", "relu"), ("geglu", "gelu"), ("swiglu", "swish")]
)
def test_gated_units_multiply_one_half_by_the_gate_of_the_other(gated, gate):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 5, 3))
    # Within rounding: the gate alone runs on the fused kernel, inside the gated unit on NumPy.
    np.testing.assert_allclose(
        getattr(al, gated)(np.concatenate([a, b], axis=1), axis=1),
        a * al.get(gate)(b),
        rtol=4 * np.finfo(float).eps,
        atol=1e-300,
    )


def test_sparsemax_is_a_sparse_distribution_and_argmax_a_one_hot():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(100, 8)) * 3
    p = al.sparsemax(z)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-14)
    assert (p >= 0).all() and (p == 0).any()
    np.testing.assert_array_equal(al.sparsemax(np.array([[0.0, 0.0]])), [[0.5, 0.5]])
    onehot = al.argmax(z)
    np.testing.assert_array_equal(onehot.argmax(axis=-1), z.argmax(axis=-1))
    assert (onehot.sum(axis=-1) == 1).all()
    np.testing.assert_array_equal(al.argmax(np.array([[1.0, 3.0, 3.0]])), [[0, 1, 0]])
