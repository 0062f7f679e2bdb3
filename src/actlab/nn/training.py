"""The training loop behind ``Sequential.fit``: batches, callbacks, progress, divergence, interruption."""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any, Sequence

import numpy as np

from ..core import NotDifferentiableError, ParameterError
from . import data
from .callbacks import Callback, History
from .errors import DataError, TrainingDivergedWarning, TrainingInterruptedWarning


def format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, (int, float)))


def fit(
    model,
    x,
    y,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    validation_data=None,
    validation_split: float = 0.0,
    shuffle: bool = True,
    callbacks: Sequence[Callback] = (),
    verbose: int = 1,
) -> History:
    """Train ``model`` on (x, y) with mini-batch gradient descent; returns a :class:`History`.

    Args:
        epochs: passes over the data.
        batch_size: samples per optimizer step (the last batch of an epoch may be smaller).
        validation_data: ``(x_val, y_val)`` evaluated after every epoch (logged as ``val_*``).
        validation_split: else, the fraction of (x, y) held out for validation: the last
            samples, taken before shuffling (as Keras does).
        shuffle: visit the samples in a new random order every epoch (from the model's seed).
        callbacks: :class:`Callback` objects; they receive the model at every hook.
        verbose: 0 silent; 1 progress with an ETA through :mod:`actlab.lab.progress` (a bar
            on a terminal, a live bar in Jupyter, a timestamped line every tenth of the way
            elsewhere); 2 one line per epoch.

    A loss that becomes NaN or infinite stops training with a :class:`TrainingDivergedWarning`
    naming the epoch and batch; the model keeps the last finite weights. Ctrl-C stops training
    after the finished batches (a :class:`TrainingInterruptedWarning`); the History keeps the
    finished epochs. Either way ``history.stop_reason`` says what happened.
    """
    model._require_compiled("fit")
    epochs = check_count(epochs, "epochs", minimum=0)
    batch_size = check_batch_size(batch_size)
    if verbose not in (0, 1, 2):
        raise ParameterError(
            f"verbose = {verbose!r}; expected 0 (silent), 1 (progress bar) or 2 (a line per epoch)"
        )
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise ParameterError(f"callbacks must be actlab.nn.Callback objects, got {cb!r}")
    x = model._prepare_inputs(x)
    model._require_flat_output("fit")
    _check_trainable(model)
    y = model.loss.targets(y, model.output_width, model.dtype)
    data.check_lengths(x, y)
    x, y, val = _validation(model, x, y, validation_data, validation_split)

    history = model.history = History()
    model.stop_training, model.stop_reason = False, None
    run = _Run(model, x, y, val, batch_size, epochs, shuffle, callbacks, verbose, history)
    if verbose == 1:
        from ..lab.progress import Progress  # the one progress facility

        run.bar = Progress(epochs * run.steps, "fit", unit="batches", stream=sys.stdout)
    for cb in callbacks:
        cb.on_train_begin(model, {})
    try:
        for epoch in range(epochs):
            if not run.epoch(epoch):
                break
    except KeyboardInterrupt:
        run.interrupted()
    finally:
        if run.bar is not None:
            run.bar.close()
    for cb in callbacks:
        cb.on_train_end(model, {})
    return history


class _Run:
    """The state of one ``fit`` call: where it is, and the weights before the latest update."""

    def __init__(self, model, x, y, val, batch_size, epochs, shuffle, callbacks, verbose, history):
        self.model, self.x, self.y, self.val = model, x, y, val
        self.batch_size, self.epochs, self.shuffle = batch_size, epochs, shuffle
        self.callbacks, self.verbose, self.history = callbacks, verbose, history
        self.steps = math.ceil(len(x) / batch_size)
        self.backup = np.empty_like(model.parameters)
        self.at = (0, 0)  # (epoch, batch) being computed
        self.updating = False
        self.bar = None  # the progress display, with verbose=1

    def epoch(self, epoch: int) -> bool:
        """Run one epoch; False when training must stop."""
        model, bs = self.model, self.batch_size
        for cb in self.callbacks:
            cb.on_epoch_begin(model, epoch, {})
        if self.shuffle:
            order = model.shuffle_rng.permutation(len(self.x))
            xs, ys = self.x[order], self.y[order]
        else:
            xs, ys = self.x, self.y
        totals = dict.fromkeys(["loss", *model.metrics], 0.0)
        seen = 0
        for batch in range(self.steps):
            self.at = (epoch, batch)
            xb, yb = xs[batch * bs : (batch + 1) * bs], ys[batch * bs : (batch + 1) * bs]
            # Overflow while diverging is reported once, from the loss, instead of as warnings
            # (or errors, under np.seterr(all="raise")); underflow is never a problem.
            with np.errstate(all="ignore"):
                loss = model.loss_and_gradients(xb, yb)
                if math.isfinite(loss):
                    self.step()
            if not math.isfinite(loss):
                self.diverged(loss)
                return False
            out = model.layers[-1].last_output
            logs = {"loss": loss, **{name: metric(out, yb) for name, metric in model.metrics.items()}}
            seen += len(xb)
            for k, v in logs.items():
                totals[k] += v * len(xb)
            for cb in self.callbacks:
                cb.on_batch_end(model, batch, logs)
            if self.bar is not None:
                self.bar.update(
                    note=f"epoch {epoch + 1}/{self.epochs} - "
                    + format_logs({k: v / seen for k, v in totals.items()})
                )
            if model.stop_training:
                break
        logs = {k: v / seen for k, v in totals.items()}
        if self.val is not None:
            x_val, y_val = self.val
            logs.update({f"val_{k}": v for k, v in evaluate_batches(model, x_val, y_val, 256).items()})
        for cb in self.callbacks:
            cb.on_epoch_end(model, epoch, logs)
        self.history.record(epoch, logs)
        if self.verbose == 2:
            print(f"Epoch {epoch + 1}/{self.epochs} - {format_logs(logs)}", file=sys.stdout, flush=True)
        if model.stop_training:
            self.history.stop_reason = model.stop_reason or "stopped by a callback"
        return not model.stop_training

    def step(self) -> None:
        """One optimizer update, keeping the weights and the optimizer's state from before it."""
        model = self.model
        np.copyto(self.backup, model.parameters)
        model.optimizer.checkpoint()
        self.updating = True
        model.optimizer.step(model.parameters, model.gradients)
        for layer in model.layers:
            layer.constrain()
        self.updating = False

    def where(self) -> str:
        epoch, batch = self.at
        return f"epoch {epoch + 1}/{self.epochs}, batch {batch + 1}/{self.steps}"

    def diverged(self, loss: float) -> None:
        """Stop after a non-finite loss, keeping the last finite weights."""
        model = self.model
        if np.isfinite(model.parameters).all():
            kept = "the weights that produced it (all finite)"
        elif self.at == (0, 0) or not np.isfinite(self.backup).all():
            kept = "its weights, which are not finite (there are no earlier finite ones)"
        else:
            self.roll_back()
            kept = "the weights from before the previous update, the last finite ones"
        self.history.stop_reason = (
            f"the loss became {loss} at {self.where()}; training stopped and the "
            f"model keeps {kept}. Lower the learning rate, or check the data "
            "and the scale of the targets"
        )
        warnings.warn(self.history.stop_reason, TrainingDivergedWarning, stacklevel=4)

    def roll_back(self) -> None:
        """Undo the latest update: the weights, and the optimizer's moments and step count."""
        self.model.parameters[...] = self.backup
        self.model.optimizer.rollback()

    def interrupted(self) -> None:
        if self.updating:  # the update was cut short: go back to the state before it
            self.roll_back()
            self.updating = False
        self.history.stop_reason = (
            f"interrupted at {self.where()}; the model keeps the weights after "
            f"the last finished batch, the history the {len(self.history.epoch)} "
            "finished epochs"
        )
        warnings.warn(self.history.stop_reason, TrainingInterruptedWarning, stacklevel=4)


def evaluate_batches(model, x: np.ndarray, y: np.ndarray, batch_size: int) -> dict[str, float]:
    """The loss and metrics over prepared (x, y), in inference mode, averaged over samples."""
    totals = dict.fromkeys(["loss", *model.metrics], 0.0)
    fused = model.fused_output
    # A diverged model's loss is inf or NaN: a result to report, not a floating-point error.
    with np.errstate(all="ignore"):
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            out = model.forward(xb, training=False)
            loss = (
                model.loss.fused_value(model.layers[-1].last_preactivation, yb)
                if fused
                else model.loss.value(out, yb)
            )
            totals["loss"] += loss * len(xb)
            for name, metric in model.metrics.items():
                totals[name] += metric(out, yb) * len(xb)
    return {k: v / len(x) for k, v in totals.items()}


def check_batch_size(batch_size: Any) -> int:
    return check_count(batch_size, "batch_size", minimum=1)


def check_count(value: Any, what: str, minimum: int) -> int:
    """``value`` as an int, if it is an integer (not a bool) of at least ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{what} = {value!r} is not allowed; expected an integer >= {minimum}")
    return int(value)


def _check_trainable(model) -> None:
    if model.count_params() == 0:
        raise ParameterError("the model has no parameters to train; add a Dense (or PReLU, Maxout) layer")
    for layer in model.layers:
        act = layer.output_activation
        if act is not None and not act.definition.differentiable:
            raise NotDifferentiableError(
                f"layer {layer.name!r} uses {act.name}, which has no useful gradient, so the network "
                f"cannot be trained through it; train with a differentiable activation "
                f"(softmax instead of argmax, sigmoid instead of step) and apply {act.name} to predictions"
            )


def _validation(model, x, y, validation_data, validation_split):
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ParameterError("validation_data must be a pair (x_val, y_val)")
        xv = data.as_inputs(validation_data[0], model.input_shape, model.dtype, "x_val")
        yv = model.loss.targets(validation_data[1], model.output_width, model.dtype)
        data.check_lengths(xv, yv, "_val")
        return x, y, (xv, yv)
    if (
        isinstance(validation_split, bool)
        or not isinstance(validation_split, (int, float))
        or not 0.0 <= validation_split < 1.0
    ):
        raise ParameterError(f"validation_split = {validation_split!r}; expected a fraction in [0, 1)")
    if validation_split == 0.0:
        return x, y, None
    cut = int(len(x) * (1.0 - validation_split))
    if cut == 0 or cut == len(x):
        raise DataError(
            f"validation_split = {validation_split} of {len(x)} samples leaves "
            f"{cut} for training and {len(x) - cut} for validation; both need at least one"
        )
    return x[:cut], y[:cut], (x[cut:], y[cut:])
