"""Callbacks: code that runs at fixed points of ``fit``, and the History of a run.

A callback receives the model itself, so it can read what the last batch left in each layer
(``last_input``, ``last_output``, ``last_grad_output``, ``grads``, ``activation_derivative()``)
and add its own numbers to an epoch's ``logs``; History records every key of ``logs`` after all
callbacks have run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import ParameterError


class Callback:
    """Base class: override the hooks you need. ``logs`` holds the numbers of that batch/epoch.

    Setting ``model.stop_training = True`` in a hook ends training after the current batch.
    """

    def on_train_begin(self, model, logs: dict[str, Any]) -> None:
        """Before the first epoch."""

    def on_epoch_begin(self, model, epoch: int, logs: dict[str, Any]) -> None:
        """Before each epoch (epochs count from 0)."""

    def on_batch_end(self, model, batch: int, logs: dict[str, Any]) -> None:
        """After each optimizer step; layers still hold that batch's activations and gradients."""

    def on_epoch_end(self, model, epoch: int, logs: dict[str, Any]) -> None:
        """After each epoch; entries added to ``logs`` here are recorded in the History."""

    def on_train_end(self, model, logs: dict[str, Any]) -> None:
        """After the last epoch, also when training stopped early."""


class History:
    """What ``fit`` returns: one record (a dict) per finished epoch.

    ``history["loss"]`` (or ``history.history["loss"]``) is the list of epoch losses; keys that a
    callback logged only in some epochs hold None elsewhere. ``stop_reason`` says why training
    ended before the last epoch (divergence, interruption, early stopping), else None.
    """

    def __init__(self):
        self.records: list[dict[str, Any]] = []
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def record(self, epoch: int, logs: dict[str, Any]) -> None:
        self.epoch.append(epoch)
        self.records.append(dict(logs))

    @property
    def history(self) -> dict[str, list]:
        keys = dict.fromkeys(k for r in self.records for k in r)
        return {k: [r.get(k) for r in self.records] for k in keys}

    def __getitem__(self, key: str) -> list:
        try:
            return self.history[key]
        except KeyError:
            raise KeyError(f"no record {key!r}; recorded: {', '.join(self.history) or 'nothing'}") from None

    def __repr__(self) -> str:
        return (
            f"History(epochs={len(self.epoch)}, keys={list(self.history)}, stop_reason={self.stop_reason!r})"
        )


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    ``mode`` "min" or "max" says which direction is better ("auto": max for accuracies, else
    min). With ``restore_best_weights`` the model ends with the weights of its best epoch.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        *,
        min_delta: float = 0.0,
        patience: int = 0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ):
        if mode not in ("auto", "min", "max"):
            raise ParameterError(
                f"EarlyStopping mode = {mode!r} is not allowed; expected 'auto', 'min' or 'max'"
            )
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ParameterError(f"EarlyStopping patience = {patience!r}; expected an integer >= 0")
        self.monitor, self.min_delta, self.patience = monitor, abs(float(min_delta)), patience
        self.maximise = mode == "max" or (mode == "auto" and "acc" in monitor)
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, model, logs):
        self.best = -math.inf if self.maximise else math.inf
        self.best_epoch = self.stopped_epoch = self.best_weights = None
        self.wait = 0

    def on_epoch_end(self, model, epoch, logs):
        if self.monitor not in logs:
            raise ParameterError(
                f"EarlyStopping monitors {self.monitor!r}, which this run does not log; it logs: "
                f"{', '.join(logs)} (val_* entries need validation_data or validation_split)"
            )
        value = float(logs[self.monitor])
        gain = value - self.best if self.maximise else self.best - value
        if gain > self.min_delta or self.best_epoch is None:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = model.get_weights()
            return
        self.wait += 1
        if self.wait >= self.patience or not np.isfinite(value):
            self.stopped_epoch = epoch
            model.stop_training = True
            model.stop_reason = (
                f"early stopping: {self.monitor} has not improved on "
                f"{self.best:.6g} (epoch {self.best_epoch + 1}) for {self.wait} epochs"
            )

    def on_train_end(self, model, logs):
        if self.restore_best_weights and self.best_weights is not None:
            model.set_weights(self.best_weights)
