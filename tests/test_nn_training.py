"""Training: learning real tasks, reproducibility, callbacks, progress, divergence, interruption."""

import math
import re
import warnings

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.nn.optimizers import OPTIMIZERS


def two_moons(n, noise, rng):
    """Two interleaving half circles (as scikit-learn's make_moons), labels 0 and 1."""
    t = rng.uniform(0, math.pi, size=n)
    label = rng.integers(0, 2, size=n)
    x = np.where(label[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return x + rng.normal(scale=noise, size=x.shape), label


def classifier(seed=0, **kw):
    model = nn.Sequential(
        [
            nn.Dense(16, activation="tanh", input_dim=2),
            nn.Dropout(0.1),
            nn.Dense(16, activation="rrelu"),
            nn.Dense(1, activation="sigmoid"),
        ],
        seed=seed,
        **kw,
    )
    model.compile("binary_crossentropy", nn.Adam(lr=0.02), metrics=["accuracy"])
    return model


def test_reaches_97_percent_on_scikit_learns_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    x = x / 16.0
    order = np.random.default_rng(0).permutation(len(x))
    train, test = order[: int(0.7 * len(x))], order[int(0.7 * len(x)) :]
    model = nn.Sequential(
        [nn.Dense(128, activation="relu", input_dim=64), nn.Dense(10, activation="softmax")], seed=0
    )
    model.compile("sparse_categorical_crossentropy", nn.Adam(lr=3e-3), metrics=["accuracy"])
    history = model.fit(x[train], y[train], epochs=40, batch_size=32, verbose=0)
    assert history["loss"][-1] < history["loss"][0] / 10
    loss, accuracy = model.evaluate(x[test], y[test])
    assert accuracy >= 0.97
    assert accuracy == np.mean(model.predict(x[test]).argmax(axis=1) == y[test])


def test_separates_two_moons():
    rng = np.random.default_rng(0)
    x, y = two_moons(600, 0.1, rng)
    model = classifier()
    history = model.fit(
        x[:400], y[:400], epochs=60, batch_size=32, validation_data=(x[400:], y[400:]), verbose=0
    )
    assert history["val_accuracy"][-1] >= 0.97
    # A straight line cannot do this: the best linear separator of the moons errs on ~ 10 %.
    linear = nn.Sequential([nn.Dense(1, activation="sigmoid", input_dim=2)], seed=0)
    linear.compile("binary_crossentropy", nn.Adam(lr=0.02), metrics=["accuracy"])
    linear.fit(x[:400], y[:400], epochs=60, batch_size=32, verbose=0)
    assert linear.evaluate(x[400:], y[400:])[1] < 0.95


def test_same_seed_gives_bitwise_the_same_run():
    x, y = two_moons(200, 0.2, np.random.default_rng(1))
    runs = []
    for _ in range(2):
        model = classifier(seed=42)
        history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
        runs.append((model.parameters.copy(), history.history))
    assert np.array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]
    other = classifier(seed=43)
    other.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    assert not np.array_equal(other.parameters, runs[0][0])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_reduces_the_loss(name):
    x, y = two_moons(200, 0.1, np.random.default_rng(2))
    model = nn.Sequential(
        [nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(1, activation="sigmoid")], seed=0
    )
    model.compile("binary_crossentropy", name)
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history["loss"][-1] < 0.8 * history["loss"][0]


@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_regression_losses_fit_a_smooth_function(loss):
    rng = np.random.default_rng(3)
    x = rng.uniform(-2, 2, size=(256, 1))
    y = np.sin(x)
    model = nn.Sequential([nn.Dense(32, activation="tanh", input_dim=1), nn.Dense(1)], seed=0)
    model.compile(loss, nn.Adam(lr=0.01))
    model.fit(x, y, epochs=80, batch_size=32, verbose=0)
    assert np.abs(model.predict(x) - y).mean() < 0.05


def test_one_hot_and_integer_labels_train_identically():
    x, y = two_moons(120, 0.1, np.random.default_rng(4))
    results = []
    for loss, targets in (("sparse_categorical_crossentropy", y), ("categorical_crossentropy", np.eye(2)[y])):
        model = nn.Sequential(
            [nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(2, activation="softmax")],
            seed=0,
            dtype="float64",
        )
        model.compile(loss, "adam", metrics=["accuracy"])
        results.append(model.fit(x, targets, epochs=3, batch_size=16, verbose=0).history)
    for key in results[0]:
        np.testing.assert_allclose(results[0][key], results[1][key], rtol=1e-12)


# -- callbacks --------------------------------------------------------------------------------
class Recorder(nn.Callback):
    """Reads what a diagnostics callback would read, and logs an extra per-epoch number."""

    def __init__(self):
        self.calls, self.seen = [], []

    def on_train_begin(self, model, logs):
        self.calls.append("train_begin")

    def on_epoch_begin(self, model, epoch, logs):
        self.calls.append(f"epoch_begin {epoch}")

    def on_batch_end(self, model, batch, logs):
        dense = model.layers[0]
        assert dense.last_input.shape[1] == 2 and dense.last_output.shape[1] == 8
        expected = al.get("tanh").derivative(dense.last_preactivation)
        np.testing.assert_allclose(dense.activation_derivative(), expected, rtol=1e-6, atol=1e-7)
        # The kernel gradient is the batch's inputs against the gradient at the pre-activation.
        upstream = dense.last_grad_output * expected
        np.testing.assert_allclose(dense.grads["kernel"], dense.last_input.T @ upstream, rtol=1e-4, atol=1e-6)
        self.seen.append(float(np.abs(dense.grads["kernel"]).mean()))

    def on_epoch_end(self, model, epoch, logs):
        self.calls.append(f"epoch_end {epoch}")
        logs["mean_abs_grad"] = float(np.mean(self.seen))
        self.seen.clear()

    def on_train_end(self, model, logs):
        self.calls.append("train_end")


def test_callbacks_see_each_layers_last_batch_and_extend_the_history():
    x, y = two_moons(64, 0.1, np.random.default_rng(5))
    model = nn.Sequential(
        [nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(1, activation="sigmoid")], seed=0
    )
    model.compile("binary_crossentropy", "adam")
    recorder = Recorder()
    history = model.fit(x, y, epochs=2, batch_size=16, callbacks=[recorder], verbose=0)
    assert recorder.calls == [
        "train_begin",
        "epoch_begin 0",
        "epoch_end 0",
        "epoch_begin 1",
        "epoch_end 1",
        "train_end",
    ]
    assert len(history["mean_abs_grad"]) == 2 and all(v > 0 for v in history["mean_abs_grad"])
    assert history.records[1]["mean_abs_grad"] == history["mean_abs_grad"][1]


def test_early_stopping_stops_and_restores_the_best_weights():
    x, y = two_moons(64, 0.1, np.random.default_rng(6))
    model = classifier()

    class Snapshot(nn.Callback):
        weights = []

        def on_epoch_end(self, model, epoch, logs):
            self.weights.append(model.get_weights())

    stop = nn.EarlyStopping(monitor="loss", min_delta=100.0, patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=10, callbacks=[Snapshot(), stop], verbose=0)
    assert len(history.epoch) == 3  # the first epoch is the best; two more without improvement
    assert "early stopping" in history.stop_reason
    for a, b in zip(model.get_weights(), Snapshot.weights[0]):
        assert np.array_equal(a, b)


def test_early_stopping_names_what_it_cannot_monitor():
    x, y = two_moons(32, 0.1, np.random.default_rng(7))
    with pytest.raises(al.ParameterError, match="val_loss.*validation_data"):
        classifier().fit(x, y, callbacks=[nn.EarlyStopping()], verbose=0)


# -- progress (the facility itself is tested in test_progress.py) ---------------------------
def test_fit_reports_progress_where_it_runs(capsys):
    x, y = two_moons(32, 0.1, np.random.default_rng(8))
    classifier().fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out  # not a terminal: timestamped lines, the last one "done"
    assert "fit: started" in out and "fit: done, " in out and "\r" not in out
    classifier().fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    classifier().fit(x, y, epochs=2, verbose=2)
    assert capsys.readouterr().out.count("Epoch ") == 2


# -- divergence and interruption --------------------------------------------------------------
def regression(lr, scale):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(64, 4)) * scale
    y = x @ rng.normal(size=(4, 1))
    model = nn.Sequential([nn.Dense(8, activation="relu", input_dim=4), nn.Dense(1)], seed=0)
    model.compile("mse", nn.SGD(lr=lr))
    return model, x, y


def test_a_diverging_loss_stops_training_naming_epoch_and_batch():
    model, x, y = regression(lr=0.1, scale=3.0)
    where = r"became (inf|nan) at epoch \d+/50, batch \d/4"
    with pytest.warns(nn.TrainingDivergedWarning, match=where) as caught:
        history = model.fit(x, y, epochs=50, batch_size=16, verbose=0)
    assert str(caught[0].message) == history.stop_reason
    epoch = int(re.search(r"epoch (\d+)/", history.stop_reason).group(1))
    assert 1 < epoch < 50 and len(history.epoch) == epoch - 1  # the finished epochs, not the broken one
    assert all(math.isfinite(v) for v in history["loss"])
    assert np.isfinite(model.parameters).all()


def test_weights_that_overflowed_are_replaced_by_the_last_finite_ones():
    model, x, y = regression(lr=1e38, scale=100.0)  # the first update overflows to inf
    model.build()
    initial = model.parameters.copy()
    with pytest.warns(nn.TrainingDivergedWarning, match="batch 2/4.*the last finite ones"):
        history = model.fit(x, y, epochs=5, batch_size=16, shuffle=False, verbose=0)
    assert history.epoch == []
    assert np.array_equal(model.parameters, initial)


def test_ctrl_c_keeps_the_finished_epochs_and_batches():
    x, y = two_moons(64, 0.1, np.random.default_rng(10))
    model = classifier()
    kept = {}

    class Interrupt(nn.Callback):
        def on_batch_end(self, model, batch, logs):
            if len(model.history.epoch) == 2 and batch == 1:
                kept["weights"] = model.parameters.copy()
                raise KeyboardInterrupt

    with pytest.warns(nn.TrainingInterruptedWarning, match="epoch 3/5, batch 2/4"):
        history = model.fit(x, y, epochs=5, batch_size=16, callbacks=[Interrupt()], verbose=0)
    assert len(history.epoch) == 2 and "interrupted" in history.stop_reason
    assert np.array_equal(model.parameters, kept["weights"])
    # Training can simply go on from there.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(model.fit(x, y, epochs=1, verbose=0).epoch) == 1
