"""PyTorch modules for every activation: ``Activation("mish")`` and one class per registered name.

The forward pass is the activation's definition and the backward pass its analytic derivative
(``vjp``, and the definition's ∂f/∂θ for learned parameters). CPU tensors of float16/32/64 run
the fused kernels of ``actlab.<name>(x)`` zero-copy, in their dtype, for the forward pass and a
first-order backward (:mod:`actlab.interop.pytorch_cpu`); other devices and dtypes, and any
backward whose graph is being built, use actlab's array-API path on the tensors themselves.

- Differentiable to any order. The backward pass is itself made of differentiable tensor ops
  (the definition's derivative formula evaluated on the tensors), so ``create_graph=True``,
  gradient penalties, Hessian-vector products and ``torch.autograd.gradgradcheck`` see the
  exact second derivative; without ``create_graph`` nothing is recorded and the first-order
  cost is unchanged. Forward mode (``torch.autograd.forward_ad``, ``torch.func.jvp``) uses
  f'(x)·ẋ (J·ẋ for vector-valued activations, from the vjp by linearity), and ``torch.func``
  transforms (``vmap``, ``grad``, ``jacrev``, ``jacfwd``, ``hessian``) apply, except to a random
  activation in ``train()`` mode (RReLU), which PyTorch then reports. At a point where f'
  jumps (a kink) or f'' does (ELU's and softsign's 0), the higher derivative is that of the
  branch the kink convention names; torch's own functions may give the average or 0 there.
- Learnable parameters (those the definition marks ``learnable``: PReLU's alpha, Swish's beta)
  are ``nn.Parameter`` objects, or buffers with ``trainable=False``. A learned value is used
  clipped to the parameter's allowed range (Swish's beta stays ≥ 0). ``PReLU(num_parameters=C)``
  learns one slope per channel (axis 1), as ``torch.nn.PReLU`` does. Reading a learned value
  copies it to the host once per call, which synchronises a GPU stream, so a learned value
  cannot be batched by ``vmap``.
- Activations that are random while training (RReLU) draw their noise in ``train()`` mode from
  a seed taken from PyTorch's generator, so ``torch.manual_seed`` makes them repeatable.
- ``torch.compile`` runs these modules and gives the same numbers and gradients, but each
  activation is a graph break that runs eagerly between compiled regions: actlab's core enters
  ``numpy.errstate`` around every evaluation, which Dynamo cannot trace, and learned
  parameters are read to the host. ``fullgraph=True`` therefore fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Definition, InputTypeError, MissingExtraError, ParameterError, definitions, get, is_custom
from ..core.arrays import Prepared
from . import pytorch_cpu
from .naming import class_docstring, class_name

try:
    import torch
    from torch import nn
except ImportError:
    raise MissingExtraError("torch", "torch", "actlab.torch") from None


class _Apply(torch.autograd.Function):
    """y = f(x; θ). Backward: g·f'(x) (the vjp) and Σ g·∂f/∂θ, from differentiable tensor ops of
    the definition, so autograd can differentiate it again; forward mode: f'(x)·ẋ + Σ ∂f/∂θ·θ̇."""

    generate_vmap_rule = True

    @staticmethod
    def forward(x, base, names, *values):
        act = _with_values(base, names, values)
        y = pytorch_cpu.forward(act, x) if act.definition.elementwise else None
        if y is None:
            y = act(x)
        # An identity returns its input, which autograd cannot save for backward as well.
        return y.clone() if y is x else y

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, base, names, *values = inputs
        ctx.save_for_backward(x, *values)
        ctx.save_for_forward(x, *values)
        ctx.base, ctx.names, ctx.out_shape = base, names, output.shape

    @staticmethod
    def backward(ctx, grad):
        x, *values = ctx.saved_tensors
        act = _with_values(ctx.base, ctx.names, values)
        d = act.definition
        # First order (no graph of the backward being built) on CPU: the fused kernels.
        if (
            not torch.is_grad_enabled()
            and d.elementwise
            and d.differentiable
            and d.derivative is not None
            and not any(ctx.needs_input_grad[3:])
            and x.dtype == grad.dtype
        ):
            gx = pytorch_cpu.vjp(act, x, grad) if ctx.needs_input_grad[0] else None
            if gx is not None:
                return gx, None, None, *(None for _ in values)
        if not d.differentiable or (d.elementwise and d.derivative is None):
            # No useful gradient (an error that says so), or a user callable's numerical one.
            return act.vjp(x, grad), None, None, *(None for _ in values)
        prep, params = _bound(act, ctx.names, values, x)
        g = grad.to(prep.x.dtype)
        if g.ndim == 0 and prep.x.ndim == 1:  # a 0-d input to softmax is one element
            g = g.reshape(1)
        with prep.quiet():
            gx = None
            if ctx.needs_input_grad[0]:
                gx = prep.finish(
                    g * d.derivative(prep.x, prep.ops, **params)
                    if d.elementwise
                    else d.vjp(prep.x, g, prep.ops, **params)
                )
            gparams = [
                (g * d.param_partials[name](prep.x, prep.ops, **params))
                .sum_to_size(value.shape)
                .to(value.dtype)
                if ctx.needs_input_grad[3 + i]
                else None
                for i, (name, value) in enumerate(zip(ctx.names, values))
            ]
        return gx, None, None, *gparams

    @staticmethod
    def jvp(ctx, x_t, _base, _names, *value_ts):
        x, *values = ctx.saved_tensors
        act = _with_values(ctx.base, ctx.names, values)
        d = act.definition
        if not d.differentiable:
            act.vjp(x, x)  # raises NotDifferentiableError, which says why
        prep, params = _bound(act, ctx.names, values, x)
        with prep.quiet():
            if not d.elementwise:
                return prep.finish(_jvp_from_vjp(d, prep, params, x_t, ctx.out_shape))
            total = None
            if x_t is not None:
                total = x_t.to(prep.x.dtype) * d.derivative(prep.x, prep.ops, **params)
            for name, value_t in zip(ctx.names, value_ts):
                if value_t is not None:
                    term = value_t.to(prep.x.dtype) * d.param_partials[name](prep.x, prep.ops, **params)
                    total = term if total is None else total + term
            return prep.finish(total if total is not None else torch.zeros_like(prep.x))


def _jvp_from_vjp(d: Definition, prep, params, v, out_shape):
    """J·v for a vector-valued activation, from its vjp u ↦ Jᵀu: that map is linear in u, so
    the gradient of ⟨Jᵀu, v⟩ with respect to u is J·v (no second formula to keep in step)."""
    if len(out_shape) == 0 and prep.x.ndim == 1:  # a 0-d input to softmax is one element
        out_shape = (1,)
    if v is None:
        return torch.zeros(out_shape, dtype=prep.x.dtype, device=prep.x.device)
    with torch.enable_grad():
        u = torch.zeros(out_shape, dtype=prep.x.dtype, device=prep.x.device, requires_grad=True)
        w = d.vjp(prep.x.detach(), u, prep.ops, **params)
        (jv,) = torch.autograd.grad(w, u, grad_outputs=v.to(prep.x.dtype).reshape(w.shape), create_graph=True)
    return jv


class _ApplyTraining(torch.autograd.Function):
    """Training-mode forward of a random activation: y and f'(x) drawn together; backward g·f'(x).

    The drawn slopes are constants and the function is piecewise linear, so g·f'(x) is exact to
    every order (its own derivative in x is zero wherever it exists)."""

    @staticmethod
    def forward(ctx, x, act, seed):
        y, dydx = act.forward_train(x, np.random.default_rng(seed))
        ctx.save_for_backward(dydx)
        ctx.save_for_forward(dydx)
        return y

    @staticmethod
    def backward(ctx, grad):
        (dydx,) = ctx.saved_tensors
        return grad * dydx, None, None

    @staticmethod
    def jvp(ctx, x_t, _act, _seed):
        (dydx,) = ctx.saved_tensors
        return x_t * dydx


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


def _bound(act, names, values, x):
    """The working-dtype input and the parameters for evaluating the definition's formulas on
    tensors, with each learned value a (clipped) tensor, so that autograd sees it."""
    prep, params = act._bind(x)
    spec = {p.name: p for p in act.definition.params}
    for name, value in zip(names, values):
        p = spec[name]
        params[name] = value.clamp(p.low, p.high).to(prep.x.dtype)
    return Prepared(prep.x, _TieOps(prep.ops), prep.finish), params


class _TieOps:
    """The ops the backward and jvp evaluate the definitions' formulas with: the array-API
    namespace, with ``abs`` and ``maximum``/``minimum`` against a constant given x's derivative
    at the tie (that of the branch x ≥ 0 for |x|, of x for max(x, c)).

    The formulas are smooth across those ties (σ from e^{-|x|} on the branch x ≥ 0; softplus as
    max(x, 0) + log1p(e^{-|x|}); ELU's e^{min(x, 0)} on the branch x ≤ 0), so autograd sees the
    branch the formula takes. torch's own conventions (|x|' = 0 at 0, a tie split in halves)
    would give σ'(0) = 0 and softplus''(0) = 0 there, not 1/4. The values are unchanged."""

    def __init__(self, ops):
        self._ops = ops

    def __getattr__(self, attr: str):
        return getattr(self._ops, attr)

    def abs(self, x):
        return torch.where(x >= 0, x, -x) + 0.0  # + 0.0: |−0| is +0, as torch.abs gives

    def maximum(self, a, b):
        if isinstance(b, (int, float)) and isinstance(a, torch.Tensor):
            return a.clamp(min=b)  # clamp passes the gradient at the boundary
        return self._ops.maximum(a, b)

    def minimum(self, a, b):
        if isinstance(b, (int, float)) and isinstance(a, torch.Tensor):
            return a.clamp(max=b)
        return self._ops.minimum(a, b)


def _integer_result(act, x):
    """f(x) in x's integer dtype, for formulas that only compare and select: computed in float64,
    the entries that are x itself then taken from x (exact beyond 2^53) and the constants
    truncated to integers, as PyTorch converts them."""
    wide = x.to(torch.float64)
    y = act(wide)
    return torch.where(y == wide, x, y.to(x.dtype))


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
        num_parameters: one learned value per channel (axis 1 of the input, as
            ``torch.nn.PReLU(num_parameters=C)``), for the parameters that may be arrays; each
            starts at the parameter's (scalar) value. ``None``: as given, scalar by default.
        **params: the activation's parameters (PReLU's alpha may be an array, one per channel,
            that broadcasts against the input: shape (C, 1, 1) for NCHW images).
    """

    def __init__(
        self,
        activation: Any = "relu",
        *,
        trainable: bool = True,
        num_parameters: int | None = None,
        **params: Any,
    ):
        super().__init__()
        self._base = get(activation, **params)
        self.trainable = trainable
        self._learned = tuple(p.name for p in self._base.definition.params if p.learnable)
        self._channels = (
            tuple(p.name for p in self._base.definition.params if p.learnable and p.array_ok)
            if num_parameters is not None
            else ()
        )
        if num_parameters is not None and (not self._channels or int(num_parameters) < 1):
            raise ParameterError(
                f"num_parameters = {num_parameters!r}: {self._base.name} has no learned "
                "parameter that may be one per channel"
                if not self._channels
                else f"num_parameters = {num_parameters!r}; expected an integer >= 1"
            )
        self.num_parameters = num_parameters
        for name in self._learned:
            value = torch.as_tensor(np.asarray(self._base.params[name]), dtype=torch.get_default_dtype())
            if name in self._channels:
                if value.ndim:
                    raise ParameterError(
                        f"give {name} as a scalar with num_parameters (it starts "
                        f"every channel), got shape {tuple(value.shape)}"
                    )
                value = value.expand(int(num_parameters)).clone()
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
        if self._base.definition.keeps_integers and not x.is_floating_point() and x.dtype != torch.bool:
            return _integer_result(self.activation, x)
        if self.training and self._base.definition.stochastic is not None:
            seed = int(torch.randint(2**62, ()).item())
            return _ApplyTraining.apply(x, self.activation, seed)
        return _Apply.apply(
            x, self._base, self._learned, *(self._per_channel(getattr(self, n), n, x) for n in self._learned)
        )

    def _per_channel(self, value, name: str, x):
        """A learned value of one entry per channel, shaped (C, 1, ..., 1) to meet axis 1 of x."""
        if name not in self._channels:
            return value
        if value.numel() == 1:  # num_parameters = 1: one value shared by every element
            return value.reshape(())
        if x.ndim < 2:
            raise ParameterError(
                f"{type(self).__name__} has {value.numel()} channels (num_parameters) "
                f"but a {x.ndim}-d input has no channel axis (axis 1)"
            )
        if x.shape[1] != value.numel():
            raise ParameterError(
                f"{type(self).__name__} has num_parameters = {value.numel()}, but the "
                f"input has {x.shape[1]} channels (axis 1 of shape {tuple(x.shape)})"
            )
        return value.reshape(value.numel(), *(1,) * (x.ndim - 2))

    def get_config(self) -> dict:
        """``{"name", "params"}`` with the learned values, which ``actlab.get`` reads back."""
        return self.activation.get_config()

    def extra_repr(self) -> str:
        parts = [repr(self._base.name)] if type(self) is Activation else []
        if self.num_parameters is not None:
            parts.append(f"num_parameters={self.num_parameters}")
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
    def __init__(self, *, trainable: bool = True, num_parameters: int | None = None, **params: Any):
        Activation.__init__(self, d, trainable=trainable, num_parameters=num_parameters, **params)

    name = class_name(d.name)
    extra = "\n    trainable: learned parameters are nn.Parameter (True) or fixed buffers (False)."
    if any(p.learnable and p.array_ok for p in d.params):
        extra += "\n    num_parameters: one learned value per channel (axis 1), as in torch.nn.PReLU."
    return type(
        name,
        (Activation,),
        {
            "__init__": __init__,
            "__module__": "actlab.torch",
            "__qualname__": name,
            "__doc__": class_docstring(
                d, "PyTorch module", extra if any(p.learnable for p in d.params) else ""
            ),
        },
    )


#: One ``nn.Module`` class per registered activation, by class name (``Mish``, ``LeakyReLU``, ...).
MODULES: dict[str, type] = {class_name(d.name): _module_class(d) for d in definitions()}
