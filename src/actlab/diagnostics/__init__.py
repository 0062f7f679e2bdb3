"""Diagnostics: when is an activation hurting a network? Dead units, saturation, zero-centring,
sparsity and vanishing/exploding gradients, for actlab.nn models (``actlab.diagnostics.nn``) and
any PyTorch model (``actlab.diagnostics.torch``, needs the ``torch`` extra)."""
from .stats import (DEAD_WARNING, SATURATION, ActivationStats, DeadUnitWarning, derivative_peak,
                    grad_ratio, local_derivative, warn_if_dead)

__all__ = ["DEAD_WARNING", "SATURATION", "ActivationStats", "DeadUnitWarning", "derivative_peak",
           "grad_ratio", "local_derivative", "warn_if_dead"]
