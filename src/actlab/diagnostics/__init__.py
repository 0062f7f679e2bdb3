"""Diagnostics: when is an activation hurting a network? Dead units, saturation, zero-centring,
sparsity and vanishing/exploding gradients, for actlab.nn models (``actlab.diagnostics.nn``) and
any PyTorch model (``actlab.diagnostics.torch``, needs the ``torch`` extra).

The instruments the lab's verdicts rest on, each with a calibration test on a case whose answer
is known: :mod:`.flow` (the backpropagated signal per layer and its per-layer factor, layer
Jacobians' singular values), :mod:`.units` (dead and saturated units in float64 under several
definitions; ``nn.census``/``torch.census`` at fixed weights, ``nn.recovery``) and :mod:`.cost`
(interleaved timings, the activation's share of a training step)."""

from .stats import (
    DEAD_WARNING,
    SATURATION,
    ActivationStats,
    DeadUnitWarning,
    derivative_peak,
    grad_ratio,
    local_derivative,
    warn_if_dead,
)

__all__ = [
    "DEAD_WARNING",
    "SATURATION",
    "ActivationStats",
    "DeadUnitWarning",
    "derivative_peak",
    "grad_ratio",
    "local_derivative",
    "warn_if_dead",
]
