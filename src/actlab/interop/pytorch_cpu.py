"""CPU tensors on actlab's NumPy fast path: the fused kernels, zero-copy, in the tensor's dtype.

A CPU tensor of float16/32/64 shares its memory with a NumPy array (``Tensor.numpy()``), so the
activation runs on it directly, through the same dispatcher as ``actlab.<name>(x)``, and the
result array becomes a tensor without a copy (``torch.from_numpy``). Values are the NumPy path's,
within the catalog's accuracy contract. Everything else (other devices, bfloat16, complex) returns
None here and keeps the array-API path.

These compute first derivatives only, as plain arrays: the autograd function uses them
where no graph of the backward pass is being built.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

_DTYPES = (torch.float16, torch.float32, torch.float64)


def _array(t: torch.Tensor) -> np.ndarray | None:
    """The tensor's memory as an array, or None where it has none NumPy can share."""
    if not usable(t):
        return None
    try:
        return t.detach().resolve_neg().numpy()
    except (RuntimeError, TypeError):  # a tensor inside a torch.func transform (vmap, grad, jvp)
        return None


def _tensor(a: Any) -> torch.Tensor:
    return torch.from_numpy(np.asarray(a))


def usable(*tensors: torch.Tensor) -> bool:
    """Whether every tensor is one the fast path takes (CPU, float16/32/64, strided)."""
    return all(t.device.type == "cpu" and t.dtype in _DTYPES and t.layout is torch.strided for t in tensors)


def forward(act, x: torch.Tensor) -> torch.Tensor | None:
    """f(x) on the fused kernels, or None where ``x`` is not on this path."""
    xa = _array(x)
    return None if xa is None else _tensor(act(xa))


def vjp(act, x: torch.Tensor, grad: torch.Tensor) -> torch.Tensor | None:
    """g·f′(x) on the fused kernels, or None where the tensors are not on this path."""
    xa, ga = _array(x), _array(grad)
    return None if xa is None or ga is None else _tensor(act.vjp(xa, ga))
