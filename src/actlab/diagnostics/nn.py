"""Diagnostics for actlab.nn models: a callback that records activation statistics per epoch.

>>> history = model.fit(x, y, epochs=10, callbacks=[Diagnostics()])   # doctest: +SKIP
>>> history["dead_fraction"]        # hidden units dead in each epoch   # doctest: +SKIP
>>> history["diagnostics"][-1]      # per layer: dead, saturated, mean, std, sparsity, grad norms  # doctest: +SKIP

After every batch the callback reads what each layer kept: for every layer with an activation
(a Dense with ``activation=``, an Activation, PReLU, Maxout or Softmax layer) the local
derivative at its pre-activations and its output, fed to
:class:`~actlab.diagnostics.stats.ActivationStats`; for every layer with a kernel, ‖∂L/∂W‖₂.
At the end of an epoch it adds to the epoch's logs (so the History keeps them):

- ``diagnostics``: ``{"layers": [...], "weight_grad_norms": [...], "grad_ratio": ...}``;
- ``dead_fraction``: the share of hidden units (all activation layers but the output) that were
  dead throughout the epoch;
- ``grad_ratio``: ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, averaged over the epoch's batches.
"""
from __future__ import annotations

import numpy as np

from ..nn import Callback
from .stats import (DEAD_WARNING, SATURATION, ActivationStats, derivative_peak, grad_ratio,
                    local_derivative, warn_if_dead)


class Diagnostics(Callback):
    """Per-layer, per-epoch activation statistics and weight-gradient norms, kept in the History.

    Args:
        saturation: an activation counts as saturated where its derivative is below this
            fraction of the derivative's maximum.
        dead_warning: warn (:class:`~actlab.diagnostics.DeadUnitWarning`) when more than this
            fraction of a hidden layer's units is dead in an epoch; None never warns.
    """

    def __init__(self, *, saturation: float = SATURATION, dead_warning: float | None = DEAD_WARNING):
        self.saturation, self.dead_warning = saturation, dead_warning
        self._rng = np.random.default_rng(0)  # probes of vector-valued activations

    def on_train_begin(self, model, logs):
        self._activation_layers = [layer for layer in model.layers if layer.output_activation is not None]
        self._kernel_layers = [layer for layer in model.layers if "kernel" in layer.grads]
        self._output_layer = model.layers[-1]

    def on_epoch_begin(self, model, epoch, logs):
        self._stats = {}
        self._norms = {layer.name: [] for layer in self._kernel_layers}

    def on_batch_end(self, model, batch, logs):
        for layer in self._activation_layers:
            act = layer.output_activation
            d = layer.activation_derivative()
            if d is None:  # vector-valued: probe the Jacobian
                d = local_derivative(act, layer.last_preactivation, self._rng)
            stats = self._stats.get(layer.name)
            if stats is None:
                peak = derivative_peak(act) if act.info.elementwise else None
                stats = self._stats[layer.name] = ActivationStats(peak=peak, saturation=self.saturation)
            stats.add(d, layer.last_output)
        for layer in self._kernel_layers:
            self._norms[layer.name].append(float(np.linalg.norm(layer.grads["kernel"])))

    def on_epoch_end(self, model, epoch, logs):
        layers = []
        for layer in self._activation_layers:
            if layer.name in self._stats:
                layers.append({"name": layer.name, "activation": layer.output_activation.name,
                               "output": layer is self._output_layer, **self._stats[layer.name].result()})
        norms = [{"name": n, "norm": float(np.mean(v))} for n, v in self._norms.items() if v]
        ratio = grad_ratio([w["norm"] for w in norms])
        hidden = [entry for entry in layers if not entry["output"]]
        units = sum(entry["units"] for entry in hidden)
        dead = sum(entry["dead_fraction"] * entry["units"] for entry in hidden) / units if units else 0.0
        logs["diagnostics"] = {"layers": layers, "weight_grad_norms": norms, "grad_ratio": ratio}
        logs["dead_fraction"] = dead
        logs["grad_ratio"] = ratio
        if self.dead_warning is not None:
            for entry in hidden:
                warn_if_dead(entry["name"], entry["dead_fraction"], self.dead_warning,
                             when=f" in epoch {epoch + 1}")
