"""One training run of a claims experiment: a cell (a JSON-ready dict) → its measurements.

The cell names the data, the network, the activation, the initial weights' scale, the optimiser,
the stopping rule and the instruments to read. The seed fixes the split, the weights and the
batch order, so two cells that differ only in the activation are paired by their seed.

Stopping: ``epochs`` is the most; with ``patience`` the run stops when the validation loss (on
a held-out tenth of the training set, never the test set) has not improved for that many
epochs and keeps its best weights; with ``stop_at_error`` it stops once the full-pass training
error reaches that value. Every epoch the whole training set is evaluated in inference mode
(``train_error``, Krizhevsky et al.'s "training error"); ``probes`` adds the backpropagated
signal factor and the saturated fraction per epoch (:class:`~actlab.diagnostics.flow.SignalProbe`);
``census`` counts dead units in float64 at the final weights over the whole training set, and
``recovery`` what of them is still dead after further training at a small learning rate.
"""

from __future__ import annotations

import contextlib
import math
import time
import warnings
from typing import Any


from ... import nn
from ...diagnostics.flow import SignalProbe
from ...diagnostics.nn import census as count_units
from ...diagnostics.nn import recovery as recover
from .. import datasets

DEFAULTS: dict[str, Any] = {
    "dataset": "digits",
    "model": "mlp",
    "activation": "relu",
    "depth": 2,
    "width": 64,
    "init_scale": 1.0,
    "optimizer": {"name": "adam", "lr": 1e-3},
    "epochs": 20,
    "batch_size": 32,
    "seed": 0,
    "max_train": None,
    "patience": None,
    "stop_at_error": None,
    "probes": False,
    "census": False,
    "recovery": None,
}
VALIDATION_SHARE = 0.1


def build(cell: dict, input_shape: tuple, n_classes: int) -> nn.Sequential:
    """The network a cell names, its kernels scaled by ``init_scale`` after the usual
    initialisation (the scheme from the activation's metadata: He, Glorot or LeCun)."""
    from .networks import network

    model = network(
        cell["model"],
        cell["activation"],
        depth=cell["depth"],
        width=cell["width"],
        n_classes=n_classes,
        seed=cell["seed"],
        input_shape=input_shape,
    )
    if cell["init_scale"] != 1.0:
        model.set_weights([w * cell["init_scale"] if w.ndim >= 2 else w for w in model.get_weights()])
    return model


class _TrainError(nn.Callback):
    """The full-pass training error after every epoch, and a stop once it reaches a target."""

    def __init__(self, x, y, stop_at: float | None):
        self.x, self.y, self.stop_at = x, y, stop_at

    def on_epoch_end(self, model, epoch, logs):
        error = 1.0 - float(model.evaluate(self.x, self.y, return_dict=True, batch_size=1024)["accuracy"])
        logs["train_error"] = error
        if self.stop_at is not None and error <= self.stop_at:
            model.stop_training = True
            model.stop_reason = f"training error {error:.3f} reached {self.stop_at:g}"


def epochs_to(errors: list[float], target: float) -> float | None:
    """The (fractional) epoch at which the training error first reaches ``target``, linear
    between epochs (epoch 0 is the untrained network's error, 1 − 1/classes); None if never."""
    for i, e in enumerate(errors):
        if e is not None and e <= target:
            prev = errors[i - 1] if i > 0 else None
            if prev is None or prev == e:
                return float(i + 1)
            return i + (prev - target) / (prev - e)
    return None


def run(cell: dict) -> dict:
    """Train the cell's network and return its measurements (JSON-ready)."""
    with one_blas_thread():
        return _run(cell)


def one_blas_thread():
    """BLAS on one thread: the networks' matrix products are small, and with several runs side by
    side (or other work on the machine) BLAS threads only wait for each other (measured: a
    training step 16 times slower on two busy cores). A no-op without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run(cell: dict) -> dict:
    spec = {**DEFAULTS, **cell}
    ds = datasets.load(spec["dataset"], seed=spec["seed"])
    x, y = ds.x_train, ds.y_train
    if spec["max_train"]:
        x, y = x[: spec["max_train"]], y[: spec["max_train"]]
    callbacks: list[nn.Callback] = [_TrainError(x, y, spec["stop_at_error"])]
    fit_x, fit_y, validation = x, y, None
    if spec["patience"] is not None:
        cut = int(len(x) * (1 - VALIDATION_SHARE))
        fit_x, fit_y, validation = x[:cut], y[:cut], (x[cut:], y[cut:])
        callbacks.append(nn.EarlyStopping("val_loss", patience=spec["patience"], restore_best_weights=True))
    if spec["probes"]:
        callbacks.append(SignalProbe(x[:256], y[:256]))
    model = build(spec, x.shape[1:], ds.n_classes)
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer=dict(spec["optimizer"]), metrics=["accuracy"]
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nn.TrainingDivergedWarning)
        history = model.fit(
            fit_x,
            fit_y,
            epochs=spec["epochs"],
            batch_size=spec["batch_size"],
            validation_data=validation,
            verbose=0,
            callbacks=callbacks,
        )
    wall = time.perf_counter() - start
    records = history.records
    diverged = history.stop_reason is not None and "loss became" in history.stop_reason
    test = model.evaluate(ds.x_test, ds.y_test, return_dict=True)
    out = {
        "test_accuracy": _finite(test["accuracy"]),
        "train_error": [_finite(r.get("train_error")) for r in records],
        "val_loss": [_finite(r.get("val_loss")) for r in records],
        "epochs_run": len(records),
        "diverged": diverged,
        "wall_time_s": wall,
    }
    if spec["stop_at_error"] is not None:
        out["epochs_to_target"] = None if diverged else epochs_to(out["train_error"], spec["stop_at_error"])
    if spec["probes"]:
        out["signal_factor"] = [_finite(r.get("signal_factor")) for r in records]
        out["saturated_fraction"] = [_finite(r.get("saturated_fraction")) for r in records]
    if spec["census"] and not diverged:
        c = count_units(model, x)
        out["dead"] = c["dead"]
        out["zero_outputs"] = c["zero_outputs"]
        out["dead_worst_layer"] = {
            d: max((layer["dead"][d] or 0.0) for layer in c["layers"]) for d in c["dead"]
        }
    if spec["recovery"] and not diverged:
        r = spec["recovery"]
        out["recovery"] = recover(model, x, y, epochs=r["epochs"], lr=r["lr"], definition=r["definition"])
    return out


def _finite(v: Any) -> float | None:
    return float(v) if v is not None and math.isfinite(v) else None


__all__ = ["DEFAULTS", "build", "epochs_to", "one_blas_thread", "run"]
