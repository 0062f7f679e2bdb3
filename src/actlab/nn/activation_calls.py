"""The engine's only calls into an activation: the forward pass of a batch and its backward pass.

Layers never call an :class:`actlab.Activation` directly; they call :func:`forward` and
:func:`backward` here, so a faster implementation (compiled kernels) can replace these two
functions without touching layers or training. The backward pass uses the cheapest exact form
the activation's definition offers:

1. while training a stochastic activation (RReLU), ``act.forward_train`` draws the random
   slopes and returns f'(x) for them; that derivative is what is kept;
2. where the definition has a derivative from the output (ReLU, tanh, sigmoid, ELU, ...), only
   y = f(x) is kept and the backward pass is g ⊙ f'(x) with f'(x) recomputed from y;
3. otherwise the input x is kept and ``act.vjp(x, g)`` gives the backward pass (this covers the
   vector-valued activations: softmax, maxout, the GLU family).

These are the activation's public methods, so the engine computes exactly what users get (the
fused kernels of :mod:`actlab.kernels` for elementwise activations where numba is installed).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core import Activation as ActivationFunction


@dataclass
class Saved:
    """What the forward pass keeps for the backward pass (only what the chosen form needs)."""

    input: np.ndarray | None = None
    output: np.ndarray | None = None
    slope: np.ndarray | None = None  # f'(x), kept when it was drawn at random in the forward pass


def forward(
    act: ActivationFunction,
    x: np.ndarray,
    *,
    training: bool,
    rng: np.random.Generator | None,
    keep_input: bool = False,
) -> tuple[np.ndarray, Saved]:
    """y = act(x) for a batch, with what :func:`backward` will need.

    ``keep_input`` keeps x even when the backward pass alone would not need it (learnable
    activation parameters need x for their gradients).
    """
    d = act.definition
    if training and d.stochastic is not None:
        y, slope = act.forward_train(x, rng)
        return y, Saved(input=x if keep_input else None, slope=slope)
    y = act(x)
    if d.elementwise and d.derivative_from_output is not None:
        return y, Saved(input=x if keep_input else None, output=y)
    return y, Saved(input=x)


def backward(act: ActivationFunction, saved: Saved, grad_out: np.ndarray) -> np.ndarray:
    """∂L/∂x from ∂L/∂y = ``grad_out`` (the vector-Jacobian product of the activation)."""
    if saved.slope is not None:
        return grad_out * saved.slope
    if saved.output is not None:
        return act.vjp_from_output(saved.output, grad_out)
    return act.vjp(saved.input, grad_out)


def derivative(act: ActivationFunction, saved: Saved) -> np.ndarray | None:
    """f'(x) of the last batch for an elementwise activation (for diagnostics); None otherwise."""
    if not act.definition.elementwise:
        return None
    if saved.slope is not None:
        return saved.slope
    if saved.output is not None:
        return act.derivative_from_output(saved.output)
    return act.derivative(saved.input)


def param_grads(act: ActivationFunction, saved: Saved, grad_out: np.ndarray) -> dict:
    """Gradients of the loss with respect to the activation's learnable parameters."""
    return act.param_grads(saved.input, grad_out)
