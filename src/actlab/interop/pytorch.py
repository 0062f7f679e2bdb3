"""PyTorch modules for every activation: ``Activation("mish")`` and one class per registered name.

The forward pass is the activation's definition and the backward pass its analytic derivative
(``vjp``, and the definition's ∂f/∂θ for learned parameters), both computed by actlab's
array-API path on the tensors themselves: device and dtype stay, nothing goes through NumPy.

- Learnable parameters (those the definition marks ``learnable``: PReLU's alpha, Swish's beta)
  are ``nn.Parameter`` objects, or buffers with ``trainable=False``. A learned value is used
  clipped to the parameter's allowed range (Swish's beta stays ≥ 0). Reading a learned value
  copies it to the host once per call, which synchronises a GPU stream.
- Activations that are random while training (RReLU) draw their noise in ``train()`` mode from
  a seed taken from PyTorch's generator, so ``torch.manual_seed`` makes them repeatable.
- ``torch.compile`` runs these modules and gives the same numbers and gradients, but each
  activation is a graph break that runs eagerly between compiled regions: actlab's core enters
  ``numpy.errstate`` around every evaluation, which Dynamo cannot trace, and learned
  parameters are read to the host. ``fullgraph=True`` therefore fails.
- ``torch.func`` transforms (``vmap``, ``grad``, ``jacrev``) do not apply to the backward
  functions here; use the ordinary autograd API.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Definition, InputTypeError, MissingExtraError, definitions, get, is_custom
from ..core.arrays import prepare
from . import pytorch_cpu
from .naming import class_docstring, class_name

try:
    import torch
    from torch import nn
except ImportError:
    raise MissingExtraError("torch", "torch", "actlab.torch") from None


class _Apply(torch.autograd.Function):
    """y = f(x; θ); backward: actlab's vjp for x and Σ g·∂f/∂θ for each learned θ."""

    @staticmethod
    def forward(ctx, x, base, names, *values):
        act = _with_values(base, names, values)
        y = pytorch_cpu.forward(act, x)
        # f' from the output where the definition has it: x need not be kept for the backward.
        keep_y = y is not None and act.definition.derivative_from_output is not None and not names
        ctx.save_for_backward(y if keep_y else x, *values)
        ctx.act, ctx.names, ctx.keep_y = act, names, keep_y
        return act(x) if y is None else y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        saved, *values = ctx.saved_tensors
        gx = None
        if ctx.needs_input_grad[0]:
            x, y = (None, saved) if ctx.keep_y else (saved, None)
            gx = pytorch_cpu.vjp(ctx.act, x, y, grad)
            if gx is None:
                gx = ctx.act.vjp_from_output(y, grad) if ctx.keep_y else ctx.act.vjp(x, grad)
        x = saved
        gparams = [_param_grad(ctx.act, name, x, grad, value) if ctx.needs_input_grad[3 + i] else None
                   for i, (name, value) in enumerate(zip(ctx.names, values))]
        return gx, None, None, *gparams


class _ApplyTraining(torch.autograd.Function):
    """Training-mode forward of a random activation: y and f'(x) drawn together; backward g·f'(x)."""

    @staticmethod
    def forward(ctx, x, act, seed):
        y, dydx = act.forward_train(x, np.random.default_rng(seed))
        ctx.save_for_backward(dydx)
        return y

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad):
        (dydx,) = ctx.saved_tensors
        return grad * dydx, None, None


def _with_values(base, names, values):
    """``base`` with its learned parameters set to the tensors' current values."""
    if not names:
        return base
    params = {p.name: p for p in base.definition.params}
    plain = {}
    for name, value in zip(names, values):
        p = params[name]
        v = value.detach().clamp(p.low, p.high)
        plain[name] = v.item() if v.ndim == 0 else v.to(torch.float64).cpu().numpy()
    return base.with_params(**plain)


def _param_grad(act, name: str, x, grad, value):
    """∂L/∂θ = Σ grad · ∂f/∂θ, summed over the axes θ is broadcast along (in the wider dtype)."""
    d = act.definition
    prep = prepare(x, widen=not d.exact)
    params = {k: prep.ops.asarray(v, dtype=prep.x.dtype) if isinstance(v, np.ndarray) else v
              for k, v in act.params.items()}
    full = grad * d.param_partials[name](prep.x, prep.ops, **params)
    return full.sum_to_size(value.shape).to(value.dtype)


def apply(x: torch.Tensor, activation: Any, **params: Any) -> torch.Tensor:
    """f(x) for a tensor, with actlab's analytic backward: the functional form of the modules.

    ``activation`` is a name, config dict or ``actlab.Activation``; its parameters are fixed
    (use the modules for learned ones). Random activations (RReLU) give their inference form.
    """
    if not isinstance(x, torch.Tensor):
        raise InputTypeError(f"apply takes a torch.Tensor, got {type(x).__name__}")
    return _Apply.apply(x, get(activation, **params), ())


class Activation(nn.Module):
    """Any actlab activation as a ``torch.nn.Module``.

    ``Activation("mish")``, ``Activation("swish", beta=1.5)``, ``Activation({"name": ...})`` or an
    ``actlab.Activation``. Forward is the activation's one definition; backward its analytic
    derivative, on the input's device and in its dtype.

    Args:
        activation: a registered name or alias, a config dict, or an ``actlab.Activation``.
        trainable: learnable parameters become ``nn.Parameter`` (True) or fixed buffers (False).
        **params: the activation's parameters (PReLU's alpha may be an array, one per channel,
            that broadcasts against the input: shape (C, 1, 1) for NCHW images).
    """

    def __init__(self, activation: Any = "relu", *, trainable: bool = True, **params: Any):
        super().__init__()
        self._base = get(activation, **params)
        self.trainable = trainable
        self._learned = tuple(p.name for p in self._base.definition.params if p.learnable)
        for name in self._learned:
            value = torch.as_tensor(np.asarray(self._base.params[name]), dtype=torch.get_default_dtype())
            if trainable:
                self.register_parameter(name, nn.Parameter(value))
            else:
                self.register_buffer(name, value)

    @property
    def activation(self):
        """The ``actlab.Activation`` with the current values of the learned parameters."""
        return _with_values(self._base, self._learned, [getattr(self, n) for n in self._learned])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise InputTypeError(f"{type(self).__name__} takes a torch.Tensor, got {type(x).__name__}")
        if self.training and self._base.definition.stochastic is not None:
            seed = int(torch.randint(2**62, ()).item())
            return _ApplyTraining.apply(x, self.activation, seed)
        return _Apply.apply(x, self._base, self._learned, *(getattr(self, n) for n in self._learned))

    def get_config(self) -> dict:
        """``{"name", "params"}`` with the learned values, which ``actlab.get`` reads back."""
        return self.activation.get_config()

    def extra_repr(self) -> str:
        parts = [repr(self._base.name)] if type(self) is Activation else []
        for name, value in self._base.params.items():
            if name in self._learned:
                learned = getattr(self, name).detach()
                value = learned.item() if learned.ndim == 0 else f"tensor of shape {tuple(learned.shape)}"
                parts.append(f"{name}={value!r}" + ("" if self.trainable else " (fixed)"))
            else:
                parts.append(f"{name}={value!r}")
        return ", ".join(parts)

    # An actlab.Activation holds a read-only mapping that neither pickles nor deep-copies; a
    # registered one travels as its config (copy.deepcopy(model), torch.save(model)).
    def __getstate__(self):
        state = self.__dict__.copy()
        if not is_custom(self._base):
            state["_base"] = self._base.get_config()
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(self._base, dict):
            self._base = get(self._base)


def _module_class(d: Definition) -> type:
    def __init__(self, *, trainable: bool = True, **params: Any):
        Activation.__init__(self, d, trainable=trainable, **params)

    name = class_name(d.name)
    extra = "\n    trainable: learned parameters are nn.Parameter (True) or fixed buffers (False)."
    return type(name, (Activation,), {
        "__init__": __init__, "__module__": "actlab.torch", "__qualname__": name,
        "__doc__": class_docstring(d, "PyTorch module", extra if any(p.learnable for p in d.params) else "")})


#: One ``nn.Module`` class per registered activation, by class name (``Mish``, ``LeakyReLU``, ...).
MODULES: dict[str, type] = {class_name(d.name): _module_class(d) for d in definitions()}
