"""The activation benchmark: every elementwise activation as users call it (``actlab.gelu(x)``,
``act.vjp(x, g)``, ``act.derivative(x)``), at sizes from 10 to 10 million elements, against the
memory-copy limit (``np.copyto``), the seed texts' NumPy formulas, PyTorch eager (same thread
count) and JAX jit, in one run; the ``actlab.torch`` modules against ``torch.nn``'s; with peak memory, per-call
overhead, ``import actlab`` and a kernel's first call with cold and warm caches.

``actlab bench`` (or ``python -m actlab.bench``, or ``python benchmarks/bench_activations.py``)
prints the table and the goals it checks and writes every figure as JSON (``--json PATH``,
default ``artifacts/bench_activations.json``) and the README's table as Markdown beside it.
Times are medians of round-robin samples, so that a noisy machine slows every contender alike.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..core import definitions
from ..core.files import write_atomic
from . import activations, peers, report, startup, torch_modules

__all__ = ["main", "run"]

DEFAULT_SIZES = (1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7)
QUICK_SIZES = (1e1, 1e4, 1e6)


def run(
    sizes=DEFAULT_SIZES,
    repeats: int = 15,
    dtype=np.float32,
    only=None,
    use_torch=True,
    use_jax=True,
    seed=0,
    with_startup=True,
    progress=None,
) -> dict:
    """Measure everything and return the JSON-ready result."""
    threads = activations.kernels.available()["threads"]
    contenders, versions = {}, {}
    if use_torch:
        os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
        try:
            import torch
        except ImportError:
            pass
        else:
            contenders["torch"], versions["torch"] = peers.torch_calls(threads), torch.__version__
    if use_jax:
        try:
            import jax
        except ImportError:
            pass
        else:
            contenders["jax"], versions["jax"] = peers.jax_calls(), jax.__version__
    machine = {**activations.machine(), **versions, "load_average_start": os.getloadavg()}
    result = activations.run([int(s) for s in sizes], repeats, dtype, only, contenders, seed, progress)
    if "torch" in contenders and not result.get("interrupted"):
        # The modules at the run's sizes from 1e3 to 1e6 (training-sized tensors).
        sizes_ = [int(s) for s in sizes if 1e3 <= s <= 1e6] or [int(min(sizes))]
        result["torch_modules"] = torch_modules.run(sizes_, repeats, seed, threads, only)
    if with_startup and not result.get("interrupted"):
        result["startup"] = {"import": startup.import_time(), "first_call": startup.first_call()}
    result["machine"] = {**machine, "load_average_end": os.getloadavg()}
    return result


class _Progress:
    """One line with an ETA on stderr; plain lines when stderr is not a terminal."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.live = sys.stderr.isatty()

    def __call__(self, label: str) -> None:
        self.done += 1
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        if self.live:
            sys.stderr.write(f"\r{self.done}/{self.total} {label:<28} ETA {eta:4.0f}s")
        else:
            sys.stderr.write(f"[{elapsed:6.0f}s] {self.done}/{self.total} {label}\n")
        sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """``actlab bench``: run the benchmark, print the table, write JSON and Markdown."""
    p = argparse.ArgumentParser(prog="actlab bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick", action="store_true", help=f"sizes {' '.join(f'{s:.0e}' for s in QUICK_SIZES)}, 5 repeats"
    )
    p.add_argument(
        "--sizes",
        type=float,
        nargs="+",
        help=f"array sizes (default {' '.join(f'{s:.0e}' for s in DEFAULT_SIZES)})",
    )
    p.add_argument("--repeats", type=int, help="samples per contender (default 15; quick 5)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these activations")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    p.add_argument("--no-jax", action="store_true", help="leave JAX out")
    p.add_argument("--no-startup", action="store_true", help="skip import and first-call timings")
    p.add_argument("--seed", type=int, default=0, help="seed of the input data")
    p.add_argument(
        "--json",
        metavar="PATH",
        default="artifacts/bench_activations.json",
        help="where the results go as JSON (default: %(default)s); the README table goes beside it as .md",
    )
    args = p.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or (QUICK_SIZES if args.quick else DEFAULT_SIZES))]
    repeats = args.repeats or (5 if args.quick else 15)
    if repeats < 1 or any(s < 1 for s in sizes):
        p.error("--repeats and --sizes must be positive")
    if args.only:
        known = {d.name for d in definitions() if d.elementwise}
        unknown = sorted(set(args.only) - known)
        if unknown:
            p.error(
                f"not elementwise activations: {', '.join(unknown)}; choose from {', '.join(sorted(known))}"
            )
    total = len(sizes) * len(activations.rows(args.only))
    result = run(
        sizes,
        repeats,
        np.dtype(args.dtype),
        args.only,
        not args.no_torch,
        not args.no_jax,
        args.seed,
        not args.no_startup,
        _Progress(total),
    )
    if result["results"]:
        print(table_with_startup(result))
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(result, indent=1))
    if result["results"]:
        write_atomic(path.with_suffix(".md"), report.markdown(result))
    print(f"results: {path}", file=sys.stderr)
    if result.get("interrupted"):
        print("interrupted: the results above are the ones that finished", file=sys.stderr)
        return 130
    return 0


def table_with_startup(result: dict) -> str:
    text = report.table(result)
    if result.get("torch_modules"):
        text += "\n\n" + torch_modules.table(result["torch_modules"])
    s = result.get("startup")
    if not s:
        return text
    imp, first = s["import"], s["first_call"]
    lines = [
        "",
        f"import actlab: {imp['actlab_s']:.3f} s (numpy alone {imp['numpy_s']:.3f} s), median of "
        f"{imp['repeats']} new processes",
        f"first call, new process (import numba {first['cold']['import numba']:.2f} s; then "
        "forward / backward, s): "
        + "; ".join(
            f"{n} cold {c['forward_s']:.2f} / {c['backward_s']:.2f}, warm "
            f"{first['warm'][n]['forward_s']:.3f} / {first['warm'][n]['backward_s']:.3f}"
            for n, c in first["cold"].items()
            if n != "import numba"
        ),
    ]
    return text + "\n" + "\n".join(lines)
