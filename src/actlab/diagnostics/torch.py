"""Activation diagnostics for any PyTorch model, collected with hooks.

>>> monitor = ActivationMonitor(model)            # doctest: +SKIP
>>> with monitor:                                  # doctest: +SKIP
...     for epoch in range(epochs):
...         train_one_epoch(model)                 # your own loop, unchanged
...         print(monitor.end_epoch()["layers"])   # dead / saturated fractions per layer

Activation modules are found by what they are, not by a list of names: every leaf module whose
class lives in ``torch.nn.modules.activation`` (nn.ReLU, nn.GELU, nn.Softmax, ...), every module
that wraps an actlab activation (an ``activation`` attribute holding an
:class:`actlab.Activation`), and any extra classes given. For each, a forward pre-hook keeps
its input z and a forward hook measures the local derivative by autograd on a detached copy —
f'(z) for elementwise modules (detected by a probe: the vector-Jacobian product with a random g
equals g ⊙ f'(z)), ∂f(z)ᵀg otherwise — and feeds :class:`~actlab.diagnostics.stats.ActivationStats`.
A hook on each activation's output records ‖∂L/∂y‖₂, and hooks on every weight matrix (a
parameter with two or more dimensions) record ‖∂L/∂W‖₂ per backward pass.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any, Iterable

import numpy as np

from ..core.activation import Activation
from ..core.errors import MissingExtraError
from .stats import DEAD_WARNING, SATURATION, ActivationStats, grad_ratio, warn_if_dead

try:
    import torch
except ImportError:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("torch", "torch", "actlab.diagnostics.torch") from None

_ACTIVATION_MODULE = "torch.nn.modules.activation"
_PEAK_GRID = torch.linspace(-30.0, 30.0, 6001, dtype=torch.float64)


def is_activation_module(module: torch.nn.Module, extra_types: tuple[type, ...] = ()) -> bool:
    """True for PyTorch's activation modules, modules wrapping an actlab activation, and ``extra_types``."""
    if extra_types and isinstance(module, extra_types):
        return True
    if isinstance(getattr(module, "activation", None), Activation):
        return True
    # MultiheadAttention also lives in that module; it has sub-modules, activations do not.
    return type(module).__module__ == _ACTIVATION_MODULE and not any(True for _ in module.children())


def activation_modules(
    model: torch.nn.Module, extra_types: Iterable[type] = ()
) -> list[tuple[str, torch.nn.Module]]:
    """``(qualified name, module)`` of every activation module in ``model``, in registration order."""
    extra = tuple(extra_types)
    return [
        (name or type(m).__name__, m) for name, m in model.named_modules() if is_activation_module(m, extra)
    ]


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().to(torch.float64).cpu().numpy()


class _Probe:
    """Local derivative of one activation module at a batch, by autograd on a detached copy."""

    def __init__(self, module: torch.nn.Module, seed: int):
        self.module = module
        self.elementwise: bool | None = None
        self.peak: float | None = None
        self.generator = torch.Generator().manual_seed(seed)

    def derivative(self, z: torch.Tensor) -> torch.Tensor:
        with torch.enable_grad():
            leaf = z.detach().clone().requires_grad_(True)
            y = self.module(leaf.clone())  # a non-leaf copy: in-place modules may overwrite it
            if not isinstance(y, torch.Tensor) or not y.requires_grad:
                return torch.zeros_like(z)
            if self.elementwise is None:
                self.elementwise = self._is_elementwise(leaf, y)
                if self.elementwise:
                    self.peak = self._peak(z)
            if self.elementwise:
                (d,) = torch.autograd.grad(y, leaf, torch.ones_like(y))
                return d
            g = torch.randn(y.shape, generator=self.generator, dtype=y.dtype).to(y.device)
            (v,) = torch.autograd.grad(y, leaf, g)
            return v

    def _is_elementwise(self, leaf: torch.Tensor, y: torch.Tensor) -> bool:
        if y.shape != leaf.shape:
            return False
        g = torch.randn(y.shape, generator=self.generator, dtype=y.dtype).to(y.device)
        (d,) = torch.autograd.grad(y, leaf, torch.ones_like(y), retain_graph=True)
        (v,) = torch.autograd.grad(y, leaf, g, retain_graph=True)
        return bool(torch.allclose(v, g * d, rtol=1e-4, atol=1e-6))

    def _peak(self, z: torch.Tensor) -> float:
        """max |f'| over [−30, 30]; the grid runs along the batch axis, other axes of size 1
        except the channel axis, so per-channel modules (PReLU) see every channel."""
        shape = [_PEAK_GRID.numel()] + [1] * (z.dim() - 1)
        if z.dim() > 1:
            shape[1] = z.shape[1]
        grid = _PEAK_GRID.to(z.dtype).to(z.device).reshape([-1] + [1] * (z.dim() - 1)).expand(shape)
        with torch.enable_grad():
            leaf = grid.clone().requires_grad_(True)
            y = self.module(leaf.clone())
            (d,) = torch.autograd.grad(y, leaf, torch.ones_like(y))
        d = d.abs()
        d = d[torch.isfinite(d)]
        return float(d.max()) if d.numel() else math.nan


class ActivationMonitor:
    """Hooks that collect per-layer activation and gradient statistics while a model trains.

    ``saturation``: a derivative below this fraction of its maximum counts as saturated.
    ``dead_warning``: :meth:`end_epoch` warns when a layer's dead fraction exceeds it.
    ``unit_axis``: the axis of a layer's output that indexes units (1: channels/features, as
    PyTorch lays out (N, C, ...); use -1 for (N, L, D) sequence models).
    """

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        saturation: float = SATURATION,
        dead_warning: float = DEAD_WARNING,
        unit_axis: int = 1,
        extra_types: Iterable[type] = (),
        seed: int = 0,
    ):
        self.model = model
        self.saturation, self.dead_warning, self.unit_axis = saturation, dead_warning, unit_axis
        self.layers = activation_modules(model, extra_types)
        if not self.layers:
            raise ValueError(
                f"{type(model).__name__} has no activation modules to monitor "
                "(nn.ReLU, nn.GELU, ...); functional calls such as F.relu have no "
                "module to hook — pass their wrapper classes as extra_types"
            )
        self.weights = [(n, p) for n, p in model.named_parameters() if p.dim() >= 2]
        self._probes = {name: _Probe(m, seed + i) for i, (name, m) in enumerate(self.layers)}
        self._handles: list[Any] = []
        self._inputs: dict[str, torch.Tensor] = {}
        self._calls: dict[str, int] = {}
        self._busy = False
        self.history: list[dict] = []
        self._reset()

    # -- hooks -----------------------------------------------------------------------------------
    def attach(self) -> "ActivationMonitor":
        if self._handles:
            return self
        self._handles.append(self.model.register_forward_pre_hook(self._new_pass))
        for name, module in self.layers:
            self._handles.append(module.register_forward_pre_hook(self._pre_hook(name)))
            self._handles.append(module.register_forward_hook(self._post_hook(name)))
        for name, p in self.weights:
            if p.requires_grad:
                self._handles.append(p.register_hook(self._weight_hook(name)))
        return self

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()
        self._inputs.clear()

    def __enter__(self) -> "ActivationMonitor":
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()

    def _new_pass(self, module, args):
        self._calls.clear()

    def _call_site(self, name: str) -> str:
        """A module called k > 1 times in one forward pass (ResNet blocks reuse one ReLU) reports
        each call apart, as ``name``, ``name#2``, ...: the calls may even differ in width."""
        k = self._calls.get(name, 0) + 1
        self._calls[name] = k
        return name if k == 1 else f"{name}#{k}"

    def _pre_hook(self, name):
        def hook(module, args):
            if not self._busy and args and isinstance(args[0], torch.Tensor):
                # A copy: an in-place module (ReLU(inplace=True)) overwrites its input.
                self._inputs[name] = args[0].detach().clone()

        return hook

    def _post_hook(self, name):
        def hook(module, args, output):
            z = self._inputs.pop(name, None)
            if self._busy or z is None or not isinstance(output, torch.Tensor):
                return
            site = self._call_site(name)
            self._busy = True  # the probe calls the module again; its hooks must not recurse
            try:
                probe = self._probes[name]
                d = probe.derivative(z)
                stats = self._stats.get(site)
                if stats is None:
                    stats = self._stats[site] = ActivationStats(
                        peak=probe.peak if probe.elementwise else None, saturation=self.saturation
                    )
                    self._types[site] = type(module).__name__
                stats.add(_numpy(d), _numpy(output), self.unit_axis if d.dim() > 1 else 0)
            finally:
                self._busy = False
            if output.requires_grad:
                output.register_hook(lambda g: self._output_grads[site].append(float(g.norm())))

        return hook

    def _weight_hook(self, name):
        def hook(grad):
            self._weight_grads[name].append(float(grad.norm()))

        return hook

    # -- results ---------------------------------------------------------------------------------
    def _reset(self) -> None:
        self._stats: dict[str, ActivationStats] = {}  # by call site, in the order first seen
        self._types: dict[str, str] = {}
        self._output_grads: dict[str, list[float]] = defaultdict(list)
        self._weight_grads: dict[str, list[float]] = {n: [] for n, _ in self.weights}

    def summary(self) -> dict:
        """Statistics since the last :meth:`end_epoch`: ``{"layers": [...], "weight_grad_norms":
        [...], "grad_ratio": first/last weight-gradient norm}``."""
        layers = []
        for site, stats in self._stats.items():
            grads = self._output_grads[site]
            layers.append(
                {
                    "name": site,
                    "type": self._types[site],
                    **stats.result(),
                    "output_grad_norm": float(np.mean(grads)) if grads else None,
                }
            )
        norms = [{"name": n, "norm": float(np.mean(v))} for n, v in self._weight_grads.items() if v]
        return {
            "layers": layers,
            "weight_grad_norms": norms,
            "grad_ratio": grad_ratio([w["norm"] for w in norms]),
        }

    def end_epoch(self) -> dict:
        """Close an epoch: append its :meth:`summary` to ``history``, warn about dead layers, reset."""
        snap = self.summary()
        self.history.append(snap)
        for layer in snap["layers"]:
            warn_if_dead(
                layer["name"],
                layer["dead_fraction"],
                self.dead_warning,
                when=f" in epoch {len(self.history)}",
            )
        self._reset()
        return snap


def diagnose(
    model: torch.nn.Module,
    x: torch.Tensor,
    y: torch.Tensor | None = None,
    loss_fn: Any = None,
    *,
    batch_size: int = 256,
    **options: Any,
) -> dict:
    """One diagnostic pass over ``x`` (in batches): activation statistics, and with ``y`` and
    ``loss_fn`` also gradient norms. The model's parameters and their ``.grad`` are left as they were."""
    saved = {n: None if p.grad is None else p.grad.clone() for n, p in model.named_parameters()}
    monitor = ActivationMonitor(model, **options)
    try:
        with monitor:
            for start in range(0, len(x), batch_size):
                xb = x[start : start + batch_size]
                if y is None or loss_fn is None:
                    with torch.no_grad():
                        model(xb)
                    continue
                loss = loss_fn(model(xb), y[start : start + batch_size])
                params = [p for p in model.parameters() if p.requires_grad]
                torch.autograd.backward(loss, inputs=params)
            return monitor.summary()
    finally:
        for n, p in model.named_parameters():
            p.grad = saved[n]


def census(
    model: torch.nn.Module,
    x: torch.Tensor,
    *,
    batch_size: int = 1024,
    unit_axis: int = 1,
    saturation: float = SATURATION,
    extra_types: Iterable[type] = (),
) -> dict:
    """Dead and saturated units of every activation module at the current weights, over all of
    ``x``, in float64 — the same definitions and the same result shape as
    :func:`actlab.diagnostics.nn.census` (see :mod:`actlab.diagnostics.units`).

    The model is copied to float64 (the original is untouched); each activation module's local
    derivative is taken by autograd on its float64 input; modules that are not elementwise
    (softmax) are left out. ``unit_axis`` indexes units in a
    module's input (1 for PyTorch's (N, C, ...) layout; -1 for (N, L, D)).
    """
    import copy

    from .units import UnitCensus, pooled

    clone = copy.deepcopy(model).to(torch.float64).eval()
    layers = activation_modules(clone, extra_types)
    counts: dict[str, UnitCensus] = {}
    captured: dict[str, tuple] = {}
    handles = [
        m.register_forward_hook(lambda mod, args, out, name=name: captured.__setitem__(name, (args[0], out)))
        for name, m in layers
    ]
    probes = {name: _Probe(m, i) for i, (name, m) in enumerate(layers)}
    try:
        for start in range(0, len(x), batch_size):
            captured.clear()
            with torch.no_grad():
                clone(x[start : start + batch_size].to(torch.float64))
            for name, _ in layers:
                if name not in captured:
                    continue
                z, y = captured[name]
                probe = probes[name]
                reach = probe.derivative(z).abs()
                if not probe.elementwise:  # softmax and the like: no unit-wise derivative here
                    continue
                if name not in counts:
                    counts[name] = UnitCensus(
                        peak=probe.peak if probe.elementwise else None, saturation=saturation
                    )
                last = (lambda t: np.moveaxis(_numpy(t), unit_axis, -1)) if z.dim() > 1 else _numpy
                counts[name].add(last(reach), last(y), last(z))
    finally:
        for h in handles:
            h.remove()
    results = [
        {"name": name, "type": type(dict(layers)[name]).__name__, **c.result()} for name, c in counts.items()
    ]
    masks = {
        name: {d: c.dead(d) for d, v in c.result()["dead"].items() if v is not None}
        for name, c in counts.items()
    }
    return {"layers": results, **pooled(results), "masks": masks}
