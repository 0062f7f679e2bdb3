"""Back-propagation through whole networks agrees with finite differences, for every activation
(the check itself: :mod:`gradcheck`)."""

import numpy as np
import pytest
from gradcheck import assert_gradients_match

import actlab as al
from actlab import nn
from actlab.nn import activation_calls
from actlab.nn.losses import LOSSES

HIDDEN = [d for d in al.definitions() if d.differentiable]
NOT_DIFFERENTIABLE = [d for d in al.definitions() if not d.differentiable]
LEARNABLE = [d for d in al.definitions() if any(p.learnable for p in d.params)]


def data(n=8, width=3, outputs=2, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, width)), rng.normal(size=(n, outputs))


@pytest.mark.parametrize("definition", HIDDEN, ids=lambda d: d.name)
def test_hidden_layer_gradient_matches_finite_differences(definition):
    x, y = data()
    model = nn.Sequential([nn.Dense(6, activation=al.get(definition)), nn.Dense(2)], dtype="float64", seed=0)
    model.compile("mse", "sgd")
    grads = assert_gradients_match(model, x, y)
    hidden_kernel = model.layers[0].grads["kernel"]
    assert np.abs(hidden_kernel).max() > 0, "the check is vacuous: no gradient reached the first layer"
    assert grads.size == model.count_params()


@pytest.mark.parametrize("definition", LEARNABLE, ids=lambda d: d.name)
def test_learned_activation_parameters_match_finite_differences(definition):
    x, y = data()
    per_unit = all(p.array_ok for p in definition.params if p.learnable)
    act = nn.Activation(al.get(definition), trainable=True, per_unit=per_unit)
    model = nn.Sequential([nn.Dense(6), act, nn.Dense(2)], dtype="float64", seed=0)
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)
    learned = next(iter(act.grads.values()))
    assert learned.shape == ((6,) if per_unit else ())
    assert np.abs(learned).max() > 0


def test_prelu_layer_learns_one_slope_per_unit():
    x, y = data()
    model = nn.Sequential([nn.Dense(5), nn.PReLU(alpha=0.1), nn.Dense(2)], dtype="float64", seed=2)
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)
    assert model.layers[1].params["alpha"].shape == (5,)


@pytest.mark.parametrize("definition", NOT_DIFFERENTIABLE, ids=lambda d: d.name)
def test_training_through_an_activation_without_gradient_is_refused(definition):
    x, y = data()
    model = nn.Sequential([nn.Dense(4, activation=al.get(definition)), nn.Dense(2)], seed=0)
    model.compile("mse", "sgd")
    with pytest.raises(al.NotDifferentiableError, match=definition.name):
        model.fit(x, y, verbose=0)


def _loss_case(name):
    """A small network ending in the loss's link activation (if any), with fitting targets."""
    rng = np.random.default_rng(3)
    loss = LOSSES[name]()
    output = None if loss.link is None else loss.link
    if name == "sparse_categorical_crossentropy":
        y = rng.integers(0, 3, size=8)
    elif name == "categorical_crossentropy":
        y = np.eye(3)[rng.integers(0, 3, size=8)]
    elif name == "binary_crossentropy":
        y = rng.integers(0, 2, size=(8, 3)).astype(float)
    else:
        y = rng.normal(size=(8, 3))
    return output, y


@pytest.mark.parametrize("name", list(LOSSES))
def test_every_loss_back_propagates_correctly(name):
    output, y = _loss_case(name)
    x = np.random.default_rng(4).normal(size=(8, 3))
    model = nn.Sequential(
        [nn.Dense(5, activation="tanh"), nn.Dense(3, activation=output)], dtype="float64", seed=0
    )
    model.compile(name, "sgd")
    assert_gradients_match(model, x, y)


@pytest.mark.parametrize("name", [n for n in LOSSES if LOSSES[n].link is not None])
def test_fused_gradient_equals_the_chain_rule(name):
    output, y = _loss_case(name)
    x = np.random.default_rng(5).normal(size=(8, 3))
    model = nn.Sequential(
        [nn.Dense(5, activation="tanh"), nn.Dense(3, activation=output)], dtype="float64", seed=0
    )
    model.compile(name, "sgd")
    model.build(3)
    assert model.fused_output
    fused_loss = model.loss_and_gradients(x, y)
    fused = model.gradients.copy()
    model._fused = False  # the general path: dL/dp, then the output activation's vjp
    chain_loss = model.loss_and_gradients(x, y)
    np.testing.assert_allclose(fused, model.gradients, rtol=1e-10, atol=1e-14)
    assert fused_loss == pytest.approx(chain_loss, rel=1e-12)


def test_fused_cross_entropy_stays_finite_where_probabilities_round_to_zero():
    model = nn.Sequential([nn.Dense(2, activation="softmax", input_dim=1, use_bias=False)], seed=0)
    model.compile("sparse_categorical_crossentropy", "sgd")
    model.build()
    model.layers[0].params["kernel"][...] = [[200.0, -200.0]]
    x, y = np.ones((1, 1), np.float32), np.array([1])
    loss = model.loss_and_gradients(x, y)
    assert loss == pytest.approx(400.0, rel=1e-6)  # log-sum-exp of the logits, not log(clip(p))
    assert np.isfinite(model.gradients).all()


def test_dropout_gradient_matches_finite_differences():
    x, y = data(n=16)
    model = nn.Sequential(
        [nn.Dense(6, activation="tanh"), nn.Dropout(0.3), nn.Dense(2)], dtype="float64", seed=0
    )
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)


def test_a_callable_without_derivative_back_propagates_numerically():
    def softer_sign(v):
        return v / np.sqrt(1.0 + v * v)

    x, y = data()
    model = nn.Sequential([nn.Dense(6, activation=softer_sign), nn.Dense(2)], dtype="float64", seed=0)
    model.compile("mse", "sgd")
    with pytest.warns(UserWarning, match="finite differences"):
        assert_gradients_match(model, x, y)


@pytest.mark.parametrize("definition", HIDDEN, ids=lambda d: d.name)
def test_backward_keeps_only_what_the_cheapest_exact_form_needs(definition):
    act = al.get(definition)
    z = np.random.default_rng(0).normal(size=(4, 6))
    y, saved = activation_calls.forward(act, z, training=True, rng=np.random.default_rng(0))
    if definition.stochastic is not None:
        assert saved.slope is not None and saved.input is None and saved.output is None
    elif definition.elementwise and definition.derivative_from_output is not None:
        assert saved.output is y and saved.input is None
    else:
        assert saved.input is z and saved.output is None
    g = np.random.default_rng(1).normal(size=y.shape)
    if definition.stochastic is None:
        np.testing.assert_allclose(activation_calls.backward(act, saved, g), act.vjp(z, g), rtol=1e-12)
