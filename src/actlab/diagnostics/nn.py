"""Diagnostics for actlab.nn models: a callback that records activation statistics per epoch.

>>> history = model.fit(x, y, epochs=10, callbacks=[Diagnostics()])   # doctest: +SKIP
>>> history["dead_fraction"]        # hidden units dead in each epoch   # doctest: +SKIP
>>> history["diagnostics"][-1]      # per layer: dead, saturated, mean, std, sparsity, grad norms  # doctest: +SKIP

After every batch the callback reads what each layer kept: for every layer with an activation
(a Dense or convolution with ``activation=``, an Activation, PReLU, Maxout or Softmax layer)
the local derivative at its pre-activations — computed in float64 from the pre-activations,
never recovered from the rounded output (ELU's 1 + y is 0 in float32 below x ≈ −17 although
f′ = eˣ is not) — and its output, fed to :class:`~actlab.diagnostics.stats.ActivationStats`
and :class:`~actlab.diagnostics.units.UnitCensus` (the dead fraction under each definition,
``layers[i]["dead"]``); for every layer with a kernel, ‖∂L/∂W‖₂.
At the end of an epoch it adds to the epoch's logs (so the History keeps them):

- ``diagnostics``: ``{"layers": [...], "weight_grad_norms": [...], "grad_ratio": ...}``;
- ``dead_fraction``: the share of hidden units (all activation layers but the output) whose
  derivative was exactly 0 on every sample of the epoch (float64); ``dead``: the same share
  under every definition of :mod:`actlab.diagnostics.units`;
- ``grad_ratio``: ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, averaged over the epoch's batches.
"""

from __future__ import annotations

import numpy as np

from ..nn import Callback
from .stats import (
    DEAD_WARNING,
    SATURATION,
    ActivationStats,
    derivative_peak,
    grad_ratio,
    local_derivative,
    warn_if_dead,
)


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
        self._stats, self._census = {}, {}
        self._norms = {layer.name: [] for layer in self._kernel_layers}

    def on_batch_end(self, model, batch, logs):
        from .flow import _current_activation
        from .units import UnitCensus, local_reach

        for layer in self._activation_layers:
            act = _current_activation(layer)
            z = layer.last_preactivation
            stats = self._stats.get(layer.name)
            if stats is None:
                peak = derivative_peak(act) if act.info.elementwise else None
                stats = self._stats[layer.name] = ActivationStats(peak=peak, saturation=self.saturation)
                if act.info.elementwise:
                    self._census[layer.name] = UnitCensus(peak=peak, saturation=self.saturation)
            if act.info.elementwise:
                d = local_reach(act, z)
                self._census[layer.name].add(d, layer.last_output, z)
            else:  # vector-valued: probe the Jacobian
                d = local_derivative(act, z, self._rng)
            stats.add(d, layer.last_output)
        # A diverging run's gradient norm overflows to inf: a figure to report, not a warning.
        with np.errstate(over="ignore", invalid="ignore"):
            for layer in self._kernel_layers:
                self._norms[layer.name].append(float(np.linalg.norm(layer.grads["kernel"])))

    def on_epoch_end(self, model, epoch, logs):
        layers = []
        for layer in self._activation_layers:
            if layer.name in self._stats:
                census = self._census.get(layer.name)
                layers.append(
                    {
                        "name": layer.name,
                        "activation": layer.output_activation.name,
                        "output": layer is self._output_layer,
                        **self._stats[layer.name].result(),
                        "dead": census.result()["dead"] if census is not None else None,
                    }
                )
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
                warn_if_dead(
                    entry["name"], entry["dead_fraction"], self.dead_warning, when=f" in epoch {epoch + 1}"
                )


# -- at fixed weights: the census of dead and saturated units, and recovery -----------------------
def float64_copy(model):
    """The same network in float64: each layer rebuilt from its config, the weights cast exactly."""
    from ..nn import Sequential

    clone = Sequential(
        [type(layer)(**layer.get_config()) for layer in model.layers], dtype="float64", seed=model.seed
    )
    clone.build(model.input_shape)
    clone.set_weights([w.astype(np.float64) for w in model.get_weights()])
    return clone


def census(model, x, *, batch_size: int = 1024, saturation: float = SATURATION) -> dict:
    """Dead and saturated units of every hidden activation layer at the current weights, over all
    of ``x``, computed in float64 (see :mod:`actlab.diagnostics.units` for the definitions).

    Returns ``{"layers": [{"name", "activation", "units", "dead": {definition: fraction},
    "saturated_fraction"}], "dead": {definition: fraction over all hidden units}, "units"}``;
    ``census["masks"][layer][definition]`` holds the per-unit booleans (for recovery).
    """
    from .flow import _current_activation, _hidden_activation_layers
    from .units import UnitCensus, local_reach, pooled

    clone = float64_copy(model)
    layers = _hidden_activation_layers(clone)
    counts = {}
    for start in range(0, len(x), batch_size):
        clone.forward(clone._prepare_inputs(x[start : start + batch_size]))
        for layer in layers:
            act = _current_activation(layer)
            if layer.name not in counts:
                peak = derivative_peak(act) if act.info.elementwise else None
                counts[layer.name] = (act, UnitCensus(peak=peak, saturation=saturation))
            z = layer.last_preactivation
            counts[layer.name][1].add(
                local_reach(act, z), layer.last_output, z if act.info.elementwise else None
            )
    results = [{"name": name, "activation": act.name, **c.result()} for name, (act, c) in counts.items()]
    masks = {
        name: {d: c.dead(d) for d in c.result()["dead"] if c.result()["dead"][d] is not None}
        for name, (_, c) in counts.items()
    }
    return {"layers": results, **pooled(results), "masks": masks}


def recovery(
    model,
    x,
    y,
    *,
    epochs: int = 2,
    lr: float = 1e-3,
    batch_size: int = 32,
    definition: str = "zero_derivative",
) -> dict:
    """What is still dead after further training at a small learning rate.

    Counts the units dead by ``definition`` (float64 census over ``x``), trains a copy of the
    model for ``epochs`` more epochs with plain SGD at ``lr`` on (x, y), and counts again:
    ``{"dead_before", "dead_after", "still_dead"}`` (fractions of hidden units; ``still_dead`` is
    the share of the units dead before that are dead after), and ``revived`` = 1 − still_dead.
    The model itself is not changed.
    """
    from ..nn import SGD, Sequential

    before = census(model, x)
    copy = Sequential(
        [type(layer)(**layer.get_config()) for layer in model.layers], dtype=str(model.dtype), seed=model.seed
    )
    copy.build(model.input_shape)
    copy.set_weights(model.get_weights())
    copy.compile(loss=model.loss, optimizer=SGD(lr=lr))
    copy.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
    after = census(copy, x)
    was = np.concatenate([before["masks"][n][definition] for n in before["masks"]])
    now = np.concatenate([after["masks"][n][definition] for n in after["masks"]])
    still = float((was & now).sum() / was.sum()) if was.any() else None
    return {
        "definition": definition,
        "dead_before": float(was.mean()),
        "dead_after": float(now.mean()),
        "still_dead": still,
        "revived": None if still is None else 1.0 - still,
    }
