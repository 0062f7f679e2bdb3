"""``actlab.torch`` against ``torch.nn``: the modules users put in a PyTorch model, timed as they
run in training (forward, then backward of a given gradient), and one MLP training step.

For every elementwise activation with a ``torch.nn`` class of the same name (or alias) that
computes the same function at its defaults, ``y = module(x); y.backward(g)`` is timed for the
actlab module and the ``torch.nn`` one, round-robin, in the same process and threads. The MLP
step is 784-256-256-10, batch 128, float32, Adam: zero_grad, forward, cross-entropy, backward,
step, with the hidden activations from ``torch.nn`` or from ``actlab.torch``.

``python -m actlab.bench.torch_modules`` prints the tables; ``actlab bench`` includes them.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys

import numpy as np

from ..core import definitions, get
from . import timing
from .peers import _agrees, _probe

SIZES = (10_000, 1_000_000)
MLP_ACTIVATIONS = ("relu", "tanh", "gelu")


@functools.cache
def pairs() -> tuple[tuple[str, type, type], ...]:
    """(activation, actlab.torch class, torch.nn class) for each activation both provide and on
    which they agree at the defaults."""
    import torch
    from torch import nn

    import actlab.torch as at
    from ..interop.naming import class_name

    found = []
    probe = torch.from_numpy(_probe())
    by_key = {key.lower(): getattr(nn, key) for key in dir(nn)}  # LeakyReLU, SiLU, Hardtanh, ...
    for d in definitions():
        if not d.elementwise:
            continue
        for name in (d.name, *d.aliases):
            peer = by_key.get(name.replace("_", "").lower())
            if not isinstance(peer, type) or not issubclass(peer, nn.Module):
                continue
            try:
                with torch.no_grad():
                    same = _agrees(peer()(probe).numpy(), get(d))
            except Exception:  # noqa: BLE001 -- a same-named module that needs arguments
                continue
            if same:
                ours = getattr(at, class_name(d.name))
                # A learned parameter the torch.nn module lacks (Swish's beta beside SiLU) is fixed.
                learned = any(p.learnable for p in d.params) and not list(peer().parameters())
                found.append((d.name, functools.partial(ours, trainable=False) if learned else ours, peer))
                break
    return tuple(found)


def _torch_nn(activation: str) -> type | None:
    return next((theirs for name, _, theirs in pairs() if name == activation), None)


def _train_call(module, x, g):
    def call():
        x.grad = None
        module(x).backward(g)

    return call


def modules(
    sizes=SIZES, repeats: int = 9, seed: int = 0, threads: int | None = None, only=None
) -> list[dict]:
    """Seconds per forward+backward for each pair (``only`` these activations) and size, and the
    ratio torch.nn ÷ actlab (above 1: actlab is faster)."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    out = []
    for name, ours, theirs in pairs():
        if only and name not in only:
            continue
        for n in sizes:
            x = torch.from_numpy((rng.standard_normal(n) * 3).astype(np.float32)).requires_grad_(True)
            g = torch.from_numpy(rng.standard_normal(n).astype(np.float32))
            t = timing.medians(
                timing.sample_times(
                    {"actlab.torch": _train_call(ours(), x, g), "torch.nn": _train_call(theirs(), x, g)},
                    repeats,
                )
            )
            out.append(
                {
                    "activation": name,
                    "size": n,
                    "actlab_s": t["actlab.torch"],
                    "torch_s": t["torch.nn"],
                    "speed_vs_torch": t["torch.nn"] / t["actlab.torch"],
                }
            )
    return out


def mlp_step(activation: str, repeats: int = 9, seed: int = 0) -> dict:
    """Seconds per training step of the MLP with ``torch.nn``'s and with actlab's activation."""
    import torch
    from torch import nn

    import actlab.torch as at

    theirs = _torch_nn(activation)
    ours = at.Activation(activation)
    rng = np.random.default_rng(seed)
    x = torch.from_numpy(rng.standard_normal((128, 784)).astype(np.float32))
    y = torch.from_numpy(rng.integers(0, 10, 128))

    def step_call(act_factory):
        torch.manual_seed(seed)
        model = nn.Sequential(
            nn.Linear(784, 256), act_factory(), nn.Linear(256, 256), act_factory(), nn.Linear(256, 10)
        )
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss = nn.CrossEntropyLoss()

        def call():
            opt.zero_grad()
            loss(model(x), y).backward()
            opt.step()

        return call

    t = timing.medians(
        timing.sample_times({"actlab.torch": step_call(lambda: ours), "torch.nn": step_call(theirs)}, repeats)
    )
    return {
        "activation": activation,
        "actlab_s": t["actlab.torch"],
        "torch_s": t["torch.nn"],
        "speed_vs_torch": t["torch.nn"] / t["actlab.torch"],
    }


def run(sizes=SIZES, repeats: int = 9, seed: int = 0, threads: int | None = None, only=None) -> dict:
    return {
        "modules": modules(sizes, repeats, seed, threads, only),
        "mlp_step": [
            mlp_step(a, repeats, seed) for a in MLP_ACTIVATIONS if _torch_nn(a) and (not only or a in only)
        ],
    }


def table(result: dict) -> str:
    sizes = sorted({r["size"] for r in result["modules"]})
    by = {(r["activation"], r["size"]): r for r in result["modules"]}
    names = list(dict.fromkeys(r["activation"] for r in result["modules"]))
    lines = [
        "actlab.torch vs torch.nn, forward + backward (× torch.nn's speed; above 1: actlab faster)",
        "activation".ljust(14) + "".join(f"{n:>12.0e}" for n in sizes),
    ]
    for name in names:
        lines.append(name.ljust(14) + "".join(f"{by[(name, n)]['speed_vs_torch']:>12.2f}" for n in sizes))
    if result["mlp_step"]:
        lines.append(
            "MLP 784-256-256-10 training step, batch 128 (× torch.nn's speed): "
            + ", ".join(
                f"{r['activation']} {r['speed_vs_torch']:.2f} ({r['actlab_s'] * 1e3:.2f} vs {r['torch_s'] * 1e3:.2f} ms)"
                for r in result["mlp_step"]
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m actlab.bench.torch_modules", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--sizes", type=float, nargs="+", default=list(SIZES))
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--threads", type=int, help="PyTorch's threads (default: its own)")
    p.add_argument("--json", metavar="PATH", help="also write the results here as JSON")
    args = p.parse_args(argv)
    result = run([int(s) for s in args.sizes], args.repeats, threads=args.threads)
    print(table(result))
    if args.json:
        from ..core.files import write_atomic

        write_atomic(args.json, json.dumps(result, indent=1))
        print(f"results: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
