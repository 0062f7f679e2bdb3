r"""Gradient flow: the backpropagated signal per layer, and the singular values of layer Jacobians.

The signal at hidden layer l is :math:`s_l = \lVert \partial L / \partial h_l \rVert_F`, the
norm of the loss gradient with respect to that layer's output over a batch. Its change from
layer to layer is what "vanishing" and "exploding" mean: the per-layer factor

.. math:: ρ = \exp(-b), \quad b = \text{least-squares slope of } \log s_l \text{ against } l

is < 1 when the signal shrinks on its way back to the input, > 1 when it grows, and ≈ 1 at a
critical initialisation (Glorot for tanh, He for ReLU, with zero biases). Unlike the ratio of
weight-gradient norms ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, which scaling every weight leaves unchanged
(the forward and backward scales cancel), ρ sees the scale.

Where cheap (a chain of Dense layers), :func:`jacobian_singular_values` gives the singular
values of each layer's input-output Jacobian :math:`J_l = \operatorname{diag} f'(z_l)\, W_l^T`
per sample: their root mean square is the per-layer gain of a random direction, ≈ 1 at
criticality (Pennington et al. 2017, "Resurrecting the sigmoid").
"""

from __future__ import annotations

import math

import numpy as np

from ..nn import Callback
from .units import UnitCensus, local_reach


def _hidden_activation_layers(model) -> list:
    last = model.layers[-1]
    return [layer for layer in model.layers if layer.output_activation is not None and layer is not last]


def per_layer_factor(signal: list[float]) -> float:
    """ρ = exp(−slope) of log s_l against l (NaN with fewer than two finite, positive values)."""
    s = np.asarray(signal, dtype=float)
    ok = np.isfinite(s) & (s > 0)
    if ok.sum() < 2:
        return math.nan
    slope = np.polyfit(np.flatnonzero(ok).astype(float), np.log(s[ok]), 1)[0]
    return float(math.exp(-slope))


def layer_signal(model, x, y) -> dict:
    """One forward and backward pass of (x, y) at fixed weights, in inference mode: the signal
    ‖∂L/∂h_l‖ of every hidden activation layer (input side first) and the per-layer factor ρ.

    The model must be compiled (its loss is used); its weights, weight gradients and random
    streams are left as they were.
    """
    xb = model._prepare_inputs(x)
    yb = model.loss.targets(y, model.output_width, model.dtype)
    saved = model.gradients.copy()
    try:
        with np.errstate(all="ignore"):
            model.loss_and_gradients(xb, yb, training=False)
        layers = _hidden_activation_layers(model)
        signal = [
            float(np.linalg.norm(np.asarray(layer.last_grad_output, dtype=np.float64)))
            if layer.last_grad_output is not None
            else math.nan
            for layer in layers
        ]
    finally:
        model.gradients[...] = saved
    return {"layers": [layer.name for layer in layers], "signal": signal, "factor": per_layer_factor(signal)}


def _current_activation(layer):
    """The activation a layer applies now (a learned parameter included)."""
    inner = getattr(layer, "_activation_layer", None) or layer
    return getattr(inner, "_current", None) or layer.output_activation


def jacobian_singular_values(model, x, *, samples: int = 16) -> list[dict] | None:
    """Per hidden Dense layer after the first: the root-mean-square and the largest singular value
    of J_l = diag f′(z_l) W_lᵀ, averaged over the first ``samples`` rows of x. None when the
    model is not a chain of Dense layers with elementwise activations (no cheap Jacobian)."""
    from ..nn import Dense

    layers = _hidden_activation_layers(model)
    if not layers or not all(
        type(layer) is Dense and _current_activation(layer).info.elementwise for layer in layers
    ):
        return None
    if any(type(layer) is not Dense for layer in model.layers[:-1]):
        return None
    model.forward(model._prepare_inputs(np.asarray(x)[:samples]))
    out = []
    for layer in layers[1:]:
        z = np.asarray(layer.last_preactivation, dtype=np.float64)
        d = local_reach(_current_activation(layer), z)  # |f′|: the sign does not change singular values
        w = np.asarray(layer.params["kernel"], dtype=np.float64)
        sv = np.stack([np.linalg.svd(di[:, None] * w.T, compute_uv=False) for di in d])
        out.append(
            {"name": layer.name, "rms": float(np.sqrt(np.mean(sv**2))), "max": float(sv.max(axis=1).mean())}
        )
    return out


class SignalProbe(Callback):
    """Measures, after every epoch, on a fixed probe batch: the signal per layer and its factor ρ,
    and the saturated fraction of every hidden activation (float64, from the pre-activations).

    Adds ``signal``, ``signal_factor`` and ``saturated_fraction`` to each epoch's logs; the
    training itself is not disturbed (inference-mode passes, gradients restored).
    """

    def __init__(self, x, y, *, saturation: float = 0.1):
        self.x, self.y, self.saturation = x, y, saturation

    def on_epoch_end(self, model, epoch, logs):
        s = layer_signal(model, self.x, self.y)
        logs["signal"], logs["signal_factor"] = s["signal"], s["factor"]
        logs["saturated_fraction"] = saturated_fraction(model, self.x, saturation=self.saturation)


def saturated_fraction(model, x, *, saturation: float = 0.1) -> float | None:
    """The share of (sample, unit) entries of the hidden elementwise activations whose |f′(z)| is
    below ``saturation`` × the derivative's peak, at the current weights (z in the model's dtype,
    f′ in float64)."""
    from .stats import derivative_peak

    model.forward(model._prepare_inputs(x))
    saturated = total = 0
    for layer in _hidden_activation_layers(model):
        act = _current_activation(layer)
        if not act.info.elementwise:
            continue
        census = UnitCensus(peak=derivative_peak(act), saturation=saturation)
        z = layer.last_preactivation
        census.add(local_reach(act, z), layer.last_output, z)
        r = census.result()
        if r["saturated_fraction"] is not None:
            saturated += r["saturated_fraction"] * census.n_entries
            total += census.n_entries
    return saturated / total if total else None
