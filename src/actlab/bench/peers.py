"""Peers of the activation benchmark: PyTorch eager and JAX jit, found by the activation's own name
and aliases and used only where they compute the same function."""

from __future__ import annotations

import numpy as np

from ..core import Activation

# -- peers, found by the activation's own name and aliases and accepted only if they agree ------


def _probe() -> np.ndarray:
    return np.linspace(-8, 8, 1601, dtype=np.float32)


def _agrees(values, act: Activation) -> bool:
    want = np.asarray(act(_probe().astype(np.float64)))
    got = np.asarray(values, dtype=np.float64)
    return got.shape == want.shape and bool(np.all(np.abs(got - want) <= 2e-5 * (1 + np.abs(want))))


def _candidates(act: Activation, *namespaces):
    """Functions named like the activation (its name or an alias), with the parameters whose
    names they share, then with their own defaults."""
    for name in (act.name, *act.definition.aliases):
        for ns in namespaces:
            fn = getattr(ns, name, None)
            if callable(fn):
                yield fn, dict(act.params)
                yield fn, {}


def torch_peer(act: Activation):
    """``(forward, backward)`` timing callables in PyTorch eager, or None where PyTorch has no
    function that computes this activation."""
    import torch
    import torch.nn.functional as F

    probe = torch.from_numpy(_probe())
    for fn, kwargs in _candidates(act, F, torch):
        try:
            if _agrees(fn(probe, **kwargs).numpy(), act):
                return fn, kwargs
        except Exception:  # noqa: BLE001 -- a same-named function with another meaning
            continue
    return None


def jax_peer(act: Activation):
    import jax
    import jax.numpy as jnp

    probe = jnp.asarray(_probe())
    for fn, kwargs in _candidates(act, jax.nn, jnp):
        try:
            if _agrees(np.asarray(fn(probe, **kwargs)), act):
                return fn, kwargs
        except Exception:  # noqa: BLE001
            continue
    return None


def torch_calls(threads: int):
    """``make(act, x, g)`` → (forward, backward) timing callables in PyTorch eager on
    ``threads`` threads, or None where PyTorch has no such function; backward is
    ``torch.autograd.grad`` through a retained graph (the backward pass alone)."""
    import torch

    torch.set_num_threads(threads)
    found: dict[int, object] = {}

    def make(act, x, g):
        key = id(act)
        if key not in found:
            found[key] = torch_peer(act)
        if found[key] is None:
            return None
        fn, kwargs = found[key]
        xt, gt = torch.from_numpy(x), torch.from_numpy(g)
        xg = xt.clone().requires_grad_(True)
        y = fn(xg, **kwargs)

        def forward():
            with torch.no_grad():
                return fn(xt, **kwargs)

        return forward, lambda: torch.autograd.grad(y, xg, gt, retain_graph=True)

    return make


def jax_calls():
    """``make(act, x, g)`` → (forward, backward) of the jitted ``jax.nn`` function and its vjp."""
    import jax

    found: dict[int, object] = {}

    def make(act, x, g):
        key = id(act)
        if key not in found:
            peer = jax_peer(act)
            if peer is None:
                found[key] = None
            else:
                fn, kwargs = peer

                def f(v):
                    return fn(v, **kwargs)

                found[key] = (jax.jit(f), jax.jit(lambda v, w: jax.vjp(f, v)[1](w)[0]))
        if found[key] is None:
            return None
        f, b = found[key]
        xj, gj = jax.device_put(x), jax.device_put(g)
        return (lambda: f(xj).block_until_ready(), lambda: b(xj, gj).block_until_ready())

    return make
