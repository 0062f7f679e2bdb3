"""Diagnostics of actlab.nn models on constructed cases with known answers."""

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.diagnostics import DeadUnitWarning
from actlab.diagnostics.nn import Diagnostics

FROZEN = {"name": "sgd", "lr": 1e-12}  # training that leaves the weights as they are


def _data(n=240, d=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, (x[:, 0] > 0).astype(int) + (x[:, 1] > 0).astype(int)


def _fit(model, x, y, epochs=1, **options):
    model.compile(loss="sparse_categorical_crossentropy", optimizer=dict(FROZEN))
    diag = Diagnostics(**options)
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0, callbacks=[diag])
    return history


def test_a_layer_forced_dead():
    x, y = _data()
    model = nn.Sequential(
        [nn.Dense(12, activation="relu"), nn.Dense(3, activation="softmax")], seed=0, dtype="float64"
    )
    model.build(x.shape[1])
    model.layers[0].params["bias"][:5] = -1e3  # units 0..4 can never fire
    history = _fit(model, x, y, dead_warning=None)
    layer = history["diagnostics"][0]["layers"][0]
    z = x @ model.layers[0].params["kernel"] + model.layers[0].params["bias"]
    expected = 1.0 - np.mean((z > 0).any(axis=0))
    assert layer["dead_fraction"] == pytest.approx(expected) and expected >= 5 / 12 - 1e-12
    assert layer["sparsity"] == pytest.approx(np.mean(z <= 0))
    assert history["dead_fraction"][0] == pytest.approx(expected)  # the only hidden layer


def test_statistics_equal_a_direct_computation():
    x, y = _data(seed=1)
    model = nn.Sequential(
        [nn.Dense(8, activation="tanh"), nn.Dense(3, activation="softmax")], seed=2, dtype="float64"
    )
    history = _fit(model, x, y)
    layer = history["diagnostics"][0]["layers"][0]
    h = np.tanh(x @ model.layers[0].params["kernel"] + model.layers[0].params["bias"])
    assert layer["mean"] == pytest.approx(h.mean(), rel=1e-9)
    assert layer["std"] == pytest.approx(h.std(), rel=1e-9)
    assert layer["saturated_fraction"] == pytest.approx(np.mean(1 - h**2 < 0.1))
    assert layer["activation"] == "tanh" and not layer["output"]
    assert history["diagnostics"][0]["layers"][-1]["output"]


def test_a_saturated_sigmoid_layer():
    x, y = _data(seed=3)
    model = nn.Sequential([nn.Dense(16, activation="sigmoid"), nn.Dense(3, activation="softmax")], seed=0)
    model.build(x.shape[1])
    model.layers[0].params["kernel"][...] *= 100.0
    layer = _fit(model, x, y)["diagnostics"][0]["layers"][0]
    assert layer["saturated_fraction"] > 0.9 and layer["dead_fraction"] == 0.0


def test_separate_activation_layers_and_maxout_pieces():
    x, y = _data(seed=4)
    model = nn.Sequential(
        [
            nn.Dense(8),
            nn.Activation(al.get("leaky_relu", alpha=0.1)),
            nn.Maxout(4, pieces=2),
            nn.Dense(3, activation="softmax"),
        ],
        seed=0,
        dtype="float64",
    )
    model.build(x.shape[1])
    model.layers[2].params["bias"][0::2] = 1e3  # piece 0 of every unit always wins: piece 1 is dead
    layers = _fit(model, x, y, dead_warning=None)["diagnostics"][0]["layers"]
    names = [entry["activation"] for entry in layers]
    assert names == ["leaky_relu", "maxout", "softmax"]
    assert layers[0]["dead_fraction"] == 0.0  # leaky ReLU never has a zero slope
    assert layers[1]["dead_fraction"] == 0.5 and layers[1]["saturated_fraction"] is None


def test_weight_gradient_norms_and_their_ratio():
    x, y = _data(seed=5)
    model = nn.Sequential(
        [nn.Dense(16, activation="sigmoid") for _ in range(6)] + [nn.Dense(3, activation="softmax")], seed=0
    )
    diag = _fit(model, x, y)["diagnostics"][0]
    norms = [w["norm"] for w in diag["weight_grad_norms"]]
    assert len(norms) == 7 and all(n > 0 for n in norms)
    assert diag["grad_ratio"] == pytest.approx(norms[0] / norms[-1])
    assert diag["grad_ratio"] < 0.01  # six sigmoid layers: the first gradient has all but vanished


def test_history_per_epoch_and_the_dead_warning():
    x, y = _data(seed=6)
    model = nn.Sequential([nn.Dense(8, activation="relu"), nn.Dense(3, activation="softmax")], seed=0)
    model.build(x.shape[1])
    model.layers[0].params["bias"][:] = -1e3
    with pytest.warns(DeadUnitWarning, match="100% of units are dead"):
        history = _fit(model, x, y, epochs=2, dead_warning=0.5)
    assert history["dead_fraction"] == [1.0, 1.0] and len(history["diagnostics"]) == 2
