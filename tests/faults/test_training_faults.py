"""Training under faults: np.seterr(all="raise"), an interrupt in the middle of an optimizer
step, and a step that makes the weights infinite. What is kept must be one consistent state:
the weights, the optimizer's moments and its step count of the same moment."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from actlab import nn
from actlab.diagnostics.nn import Diagnostics
from actlab.nn.optimizers import OPTIMIZERS


@pytest.fixture
def raise_on_every_floating_point_event():
    previous = np.seterr(all="raise")
    yield
    np.seterr(**previous)


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)), rng.integers(0, 3, n)


def test_adam_moments_may_underflow_under_seterr_raise(raise_on_every_floating_point_event):
    """The example: m·β₁ underflows after ~740 steps of zero gradient, which raised
    FloatingPointError('underflow encountered in multiply') from inside fit."""
    opt = nn.Adam()
    opt.build(3, np.float32)
    w = np.ones(3, np.float32)
    opt.step(w, np.array([1e-3, 0.0, 0.0], np.float32))
    for _ in range(2000):
        opt.step(w, np.zeros(3, np.float32))
    assert opt.m[0] < np.finfo(np.float32).smallest_normal and np.isfinite(w).all()  # subnormal


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_fit_evaluate_and_predict_work_under_seterr_raise(raise_on_every_floating_point_event, optimizer):
    x, y = _data()
    # Many small steps with dead units: long runs of zero gradients, the moments decaying to 0.
    model = nn.Sequential(
        [nn.Dense(16, activation="relu", input_dim=6), nn.Dense(3, activation="softmax")],
        seed=0,
        dtype="float32",
    )
    model.compile("sparse_categorical_crossentropy", optimizer, metrics=["accuracy"])
    history = model.fit(
        x,
        y,
        epochs=90,
        batch_size=8,
        verbose=0,
        validation_split=0.25,
        callbacks=[Diagnostics(dead_warning=None)],
    )
    assert history.stop_reason is None and len(history.epoch) == 90
    assert np.isfinite(model.evaluate(x, y)[0]) and model.predict(x).shape == (96, 3)


def test_a_diverging_fit_under_seterr_raise_stops_with_a_warning_not_an_error(
    raise_on_every_floating_point_event,
):
    x, y = _data()
    model = nn.Sequential(
        [nn.Dense(16, activation="relu", input_dim=6), nn.Dense(3, activation="softmax")], seed=0
    )
    model.compile("sparse_categorical_crossentropy", {"name": "sgd", "lr": 1e30})
    with pytest.warns(nn.TrainingDivergedWarning):
        model.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x, y))


def _state(model):
    opt = model.optimizer
    return (model.parameters.copy(), opt.iterations, [getattr(opt, s).copy() for s in opt.slot_names])


def _assert_same_state(a, b):
    assert np.array_equal(a[0], b[0]), "weights"
    assert a[1] == b[1], "step count"
    for m, n in zip(a[2], b[2]):
        assert np.array_equal(m, n), "moments"


def _model(optimizer):
    model = nn.Sequential(
        [nn.Dense(12, activation="tanh", input_dim=6), nn.Dense(3, activation="softmax")], seed=1
    )
    model.compile("sparse_categorical_crossentropy", optimizer)
    return model


class _StopAfter(nn.Callback):
    def __init__(self, batches):
        self.batches = batches

    def on_batch_end(self, model, batch, logs):
        if batch + 1 == self.batches:
            model.stop_training = True


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop", "momentum"])
def test_an_interrupted_step_rolls_back_the_optimizer_with_the_weights(optimizer, monkeypatch):
    """Ctrl-C arrives after the step has changed the weights, the moments and the step count:
    all three go back, so the model is exactly one that finished the steps before it."""
    x, y = _data()
    interrupted = _model(optimizer)
    real, calls = interrupted.optimizer._update, []

    def update_then_interrupt(w, g, tmp):
        calls.append(1)
        real(w, g, tmp)
        if len(calls) == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(interrupted.optimizer, "_update", update_then_interrupt)
    with pytest.warns(nn.TrainingInterruptedWarning):
        interrupted.fit(x, y, epochs=1, batch_size=8, verbose=0)
    monkeypatch.undo()
    finished = _model(optimizer)
    finished.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[_StopAfter(4)])
    _assert_same_state(_state(interrupted), _state(finished))
    assert finished.optimizer.iterations == 4
    # And training goes on identically from there.
    h1 = interrupted.fit(x, y, epochs=2, batch_size=8, verbose=0)
    h2 = finished.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert h1.history == h2.history
    _assert_same_state(_state(interrupted), _state(finished))


def test_a_step_to_infinite_weights_rolls_back_the_moments_too():
    """The step that made the weights infinite is undone whole: the velocity it also made
    infinite goes back with the weights (a resumed fit would otherwise start from inf)."""
    x = _data()[0]
    y = np.full(len(x), 1e3)  # large targets, large gradients: lr · g overflows float32
    model = nn.Sequential([nn.Dense(12, activation="tanh", input_dim=6), nn.Dense(1)], seed=1)
    model.compile("mse", {"name": "momentum", "lr": 1e36})
    before = []

    class Keep(nn.Callback):
        def on_train_begin(self, model, logs):
            before.append(_state(model))

        def on_batch_end(self, model, batch, logs):
            before.append(_state(model))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=[Keep()])
    reasons = [str(w.message) for w in caught if issubclass(w.category, nn.TrainingDivergedWarning)]
    assert reasons and "from before the previous update" in reasons[0]
    state = _state(model)
    assert np.isfinite(state[0]).all() and all(np.isfinite(m).all() for m in state[2])
    # The state after the last batch whose loss was finite, minus its update: the one before.
    _assert_same_state(state, before[-2])
