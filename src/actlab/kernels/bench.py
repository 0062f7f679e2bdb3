"""The activation benchmark: every elementwise activation, forward and fused backward, measured in
one run against the memory-copy limit (``np.copyto``), the naive NumPy formulas of the seed texts,
PyTorch eager (same thread count) and JAX jit (where installed).

``python -m actlab.kernels.bench --quick`` (or ``actlab bench``, or
``python benchmarks/bench_activations.py``) prints a table and writes every timing, rate and
ratio as JSON (``--json PATH``, default ``artifacts/bench_activations.json``). Times are medians over repeats, taken round-robin across contenders so
that a noisy machine slows all of them alike.

Every contender allocates its result, as users call it. So that none of them pays the kernel's
page faults for fresh output memory on every call, glibc is asked to keep freed memory
(``mallopt``) and PyTorch to use huge pages (``THP_MEM_ALLOC_ENABLE=1``, its own setting), which
NumPy does by default.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .. import __version__
from ..core import Activation, definitions, get
from . import available, backward, forward, fused, parallel


# -- the naive formulas (benchmark data, not activation definitions) ---------------------------
# What the seed texts (shared/seeds/) write, transcribed to NumPy as a reader would use them.
# "textbook" marks the compound activations the seeds do not write out, in the form of their
# papers; backward formulas appear only where a seed states the derivative.

@dataclass(frozen=True)
class Naive:
    activation: str
    source: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    params: dict = field(default_factory=dict)


def _naive_sigmoid(x):
    return 1 / (1 + np.exp(-x))


SEED_FORMULAS = (
    Naive("sigmoid", "seeds 000 and 003: 1 / (1 + np.exp(-x)); 000: dsigmoid(y) = y * (1 - y)",
          _naive_sigmoid, lambda x, g: g * (_naive_sigmoid(x) * (1 - _naive_sigmoid(x)))),
    Naive("tanh", "seed 003: (exp(x) - exp(-x)) / (exp(x) + exp(-x)); 000: dtanh(y) = 1 - y * y",
          lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)),
          lambda x, g: g * (1 - np.tanh(x) * np.tanh(x))),
    Naive("relu", "seeds 000 and 003: np.maximum(0, x); 004: f'(x) = 1 for x >= 0, else 0",
          lambda x: np.maximum(0, x), lambda x, g: g * (x >= 0)),
    Naive("leaky_relu", "seed 003: np.maximum(alpha * x, x), alpha = 0.01",
          lambda x: np.maximum(0.01 * x, x)),
    Naive("elu", "seed 003: np.where(x >= 0, x, alpha * (np.exp(x) - 1))",
          lambda x: np.where(x >= 0, x, 1.0 * (np.exp(x) - 1))),
    Naive("gelu", "seed 003: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))",
          lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))),
          params={"approximate": "tanh"}),
    Naive("swish", "seed 003: x * sigmoid(beta * x); 004: f'(x) = σ(x) + x e^-x / (1 + e^-x)^2",
          lambda x: x * _naive_sigmoid(x),
          lambda x, g: g * (_naive_sigmoid(x) + np.exp(-x) * x / (1 + np.exp(-x)) ** 2)),
    Naive("softplus", "seed 001: log(1 + e^x)", lambda x: np.log(1 + np.exp(x))),
    Naive("mish", "textbook (Misra 2019): x * tanh(log(1 + e^x))",
          lambda x: x * np.tanh(np.log(1 + np.exp(x)))),
    Naive("selu", "textbook (Klambauer et al. 2017): λ · where(x > 0, x, α(e^x − 1))",
          lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1))),
    Naive("linear", "seed 004: f(x) = c x, f'(x) = c", lambda x: 1.0 * x, lambda x, g: g * 1.0),
)


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


# -- timing ------------------------------------------------------------------------------------

# actlab writing into an array allocated beforehand, as np.copyto does: the kernel alone.
PREALLOCATED = "actlab out="
COPY = "copy"


def _keep_freed_memory() -> None:
    """glibc: serve large blocks from the heap and never give freed memory back, so repeated
    allocations reuse pages instead of faulting in new ones (no-op off glibc)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_mmap_max, m_trim_threshold = -4, -1
    libc.mallopt(m_mmap_max, 0)
    libc.mallopt(m_trim_threshold, 2**31 - 1)


def _sample_times(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, list[float]]:
    """Seconds per call, ``repeats`` of each, timed round-robin (after two warm-up calls each)."""
    for call in calls.values():
        call()
        call()
    samples = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - t0)
    return samples


def _median_times(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    return {name: float(np.median(s)) for name, s in _sample_times(calls, repeats).items()}


class _Progress:
    """A one-line progress bar with ETA on stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()
        self.live = sys.stderr.isatty()

    def step(self, label: str) -> None:
        self.done += 1
        if not self.live:
            return
        elapsed = time.perf_counter() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        bar = "#" * (20 * self.done // self.total)
        sys.stderr.write(f"\r[{bar:<20}] {self.done}/{self.total} {label:<28} ETA {eta:4.0f}s")
        sys.stderr.flush()

    def close(self) -> None:
        if self.live:
            sys.stderr.write("\r" + " " * 78 + "\r")


# -- the run -----------------------------------------------------------------------------------

@dataclass
class Row:
    act: Activation
    naive: Naive | None


def _rows(only: list[str] | None) -> list[Row]:
    """Each elementwise activation at its defaults, plus the parameters a seed formula computes."""
    rows = []
    for d in definitions():
        if not d.elementwise or (only and d.name not in only):
            continue
        naive = [n for n in SEED_FORMULAS if n.activation == d.name]
        defaults = get(d)
        rows.append(Row(defaults, next((n for n in naive if get(d, **n.params) == defaults), None)))
        rows += [Row(get(d, **n.params), n) for n in naive if get(d, **n.params) != defaults]
    return rows


def _ulp_error(got, want: np.ndarray) -> float:
    """Largest |got − want| in ulps of want's dtype (values below the smallest normal count as
    exact when both are that small)."""
    got = np.asarray(got).astype(np.float64)
    w = want.astype(np.float64)
    tiny = float(np.finfo(want.dtype).smallest_normal)
    with np.errstate(all="ignore"):
        err = np.abs(got - w) / np.spacing(np.abs(want)).astype(np.float64)
    err[(np.abs(w) < tiny) & (np.abs(got) < tiny)] = 0.0
    err[np.isnan(err)] = np.where(got[np.isnan(err)] == w[np.isnan(err)], 0.0, np.inf)
    return float(np.max(err))


def _measure_row(row: Row, x, g, repeats: int, peers: dict) -> list[dict]:
    act = row.act
    y, y_copy = np.empty_like(x), np.empty_like(x)
    out = []
    for direction in ("forward", "backward") if act.definition.differentiable else ("forward",):
        # The copy runs in the same round-robin, so it meets the same caches (other contenders'
        # temporaries evict the arrays) and the same load as the kernels it is compared with.
        calls: dict[str, Callable[[], object]] = {COPY: lambda: np.copyto(y_copy, x)}
        outputs: dict[str, Callable[[], object]] = {}
        if direction == "forward":
            t0 = time.perf_counter()
            forward(act, x)
            first_call = time.perf_counter() - t0
            calls["actlab"] = lambda: forward(act, x)
            calls[PREALLOCATED] = lambda: forward(act, x, out=y)
            if row.naive:
                calls["naive"] = outputs["naive"] = lambda: row.naive.forward(x)
        else:
            t0 = time.perf_counter()
            backward(act, x, g)
            first_call = time.perf_counter() - t0
            calls["actlab"] = lambda: backward(act, x, g)
            calls[PREALLOCATED] = lambda: backward(act, x, g, out=y)
            if row.naive and row.naive.backward:
                calls["naive"] = lambda: row.naive.backward(x, g)
        for name, make in peers.items():
            peer_calls = make(act, x, g)
            if peer_calls is not None:
                calls[name] = peer_calls[0] if direction == "forward" else peer_calls[1]
                if direction == "forward":
                    outputs[name] = peer_calls[2]
        with np.errstate(all="ignore"):
            samples = _sample_times(calls, repeats)
            accuracy = {}
            if direction == "forward" and x.size <= 2_000_000:
                want = np.asarray(act(x))
                accuracy = {name: _ulp_error(fn(), want) for name, fn in
                            {"actlab": lambda: forward(act, x), **outputs}.items()}
        k, reason = fused.kernel(act, x.dtype, direction)
        out.append({"activation": act.name, "params": act.get_config()["params"],
                    "direction": direction, "size": int(x.size), "dtype": x.dtype.name,
                    "kernel": "fused" if k is not None else f"numpy ({reason})",
                    "first_call_s": first_call,
                    "times_s": {k: float(np.median(v)) for k, v in samples.items()},
                    "fastest_s": {k: float(np.min(v)) for k, v in samples.items()},
                    "max_ulp_error": accuracy,
                    "naive_source": row.naive.source if row.naive else None})
    return out


def _torch_calls(threads: int):
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

        def fwd():
            with torch.no_grad():
                return fn(xt, **kwargs)

        return (fwd, lambda: torch.autograd.grad(y, xg, gt, retain_graph=True),
                lambda: fwd().numpy())

    return make


def _jax_pair(jax, fn, kwargs):
    """The jitted forward and backward (vjp) of a JAX function with fixed keyword arguments."""
    def f(v):
        return fn(v, **kwargs)

    return jax.jit(f), jax.jit(lambda v, w: jax.vjp(f, v)[1](w)[0])


def _jax_calls():
    import jax

    found: dict[int, object] = {}

    def make(act, x, g):
        key = id(act)
        if key not in found:
            peer = jax_peer(act)
            found[key] = None if peer is None else _jax_pair(jax, *peer)
        if found[key] is None:
            return None
        f, b = found[key]
        xj, gj = jax.device_put(x), jax.device_put(g)
        return (lambda: f(xj).block_until_ready(), lambda: b(xj, gj).block_until_ready(),
                lambda: np.asarray(f(xj)))

    return make


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next((line.split(":", 1)[1].strip() for line in fh
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__,
            "actlab": __version__, "kernels": available()}


def run(sizes, repeats: int, dtype, only=None, use_torch=True, use_jax=True, seed=0) -> dict:
    """Measure everything and return the JSON-ready result. Ctrl-C stops the run and returns
    what was finished, marked ``"interrupted": true``."""
    _keep_freed_memory()
    threads = parallel.thread_count()
    peers, versions = {}, {}
    if use_torch:
        os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
        try:
            import torch

            peers["torch"], versions["torch"] = _torch_calls(threads), torch.__version__
        except ImportError:
            pass
    if use_jax:
        try:
            import jax

            peers["jax"], versions["jax"] = _jax_calls(), jax.__version__
        except ImportError:
            pass
    result = {"machine": {**machine(), **versions, "load_average_start": os.getloadavg()},
              "settings": {"sizes": list(sizes), "repeats": repeats, "dtype": np.dtype(dtype).name,
                           "threads": threads, "seed": seed},
              "copy": [], "results": []}
    rows = _rows(only)
    rng = np.random.default_rng(seed)
    progress = _Progress(len(sizes) * len(rows))
    try:
        for n in sizes:
            x = (rng.standard_normal(n) * 3).astype(dtype)
            g = rng.standard_normal(n).astype(dtype)
            y = np.empty_like(x)
            copy = _median_times({COPY: lambda: np.copyto(y, x)}, repeats)[COPY]
            result["copy"].append({"size": n, "time_s": copy,
                                   "gbps": 2 * x.nbytes / copy / 1e9})
            for row in rows:
                progress.step(f"{row.act.name} n={n:.0e}")
                for record in _measure_row(row, x, g, repeats, peers):
                    _derive(record)
                    result["results"].append(record)
    except KeyboardInterrupt:
        result["interrupted"] = True
    finally:
        progress.close()
        result["machine"]["load_average_end"] = os.getloadavg()
    return result


def _derive(record: dict) -> None:
    """Rates and ratios from the medians: GB/s counts the bytes an ideal pass moves (x and y;
    x, g and dx backward); ``of_copy`` compares actlab writing into a preallocated array (as the
    copy does) with the copy timed alongside; ``vs`` is each peer's time over actlab's, both
    allocating their result (above 1: actlab faster)."""
    n_arrays = 2 if record["direction"] == "forward" else 3
    array_bytes = record["size"] * np.dtype(record["dtype"]).itemsize
    t = record["times_s"]
    record["gbps"] = {k: (2 if k == COPY else n_arrays) * array_bytes / v / 1e9 for k, v in t.items()}
    record["of_copy"] = record["gbps"][PREALLOCATED] / record["gbps"][COPY]
    record["vs"] = {k: v / t["actlab"] for k, v in t.items()
                    if k not in ("actlab", PREALLOCATED, COPY)}


# -- output ------------------------------------------------------------------------------------

def _fmt(v: float | None, width: int) -> str:
    return ("—" if v is None or not math.isfinite(v) else f"{v:.2f}").rjust(width)


def table(result: dict) -> str:
    m = result["machine"]
    lines = [f"actlab {m['actlab']} activation benchmark — {m['cpu']}, {m['cpus']} CPUs, "
             f"{result['settings']['threads']} threads, {result['settings']['dtype']}, "
             f"median of {result['settings']['repeats']}",
             f"backend {m['kernels']['backend']} (numba {m['kernels']['numba']}); "
             + ", ".join(f"{k} {m[k]}" for k in ("torch", "jax") if k in m)
             + f"; load average {m['load_average_start'][0]:.2f} at start"]
    copies = {c["size"]: c for c in result["copy"]}
    groups: dict[tuple, list[dict]] = {}
    for r in result["results"]:
        groups.setdefault((r["size"], r["direction"]), []).append(r)
    for (size, direction), records in groups.items():
        c = copies[size]
        lines += ["", f"{direction}, n = {size:,}: np.copyto alone {c['time_s'] * 1e3:.2f} ms = "
                      f"{c['gbps']:.1f} GB/s",
                  f"{'activation':<26}{'ms':>8}{'ms out=':>9}{'GB/s':>7}{'of copy':>9}"
                  f"{'× naive':>9}{'× torch':>9}{'× jax':>8}  kernel"]
        for r in records:
            label = r["activation"] + "".join(f" {k}={v}" for k, v in r["params"].items()
                                              if get(r["activation"]).params.get(k) != v)
            lines.append(f"{label[:25]:<26}{r['times_s']['actlab'] * 1e3:8.2f}"
                         f"{r['times_s'][PREALLOCATED] * 1e3:9.2f}"
                         f"{r['gbps'][PREALLOCATED]:7.1f}{r['of_copy']:9.0%}"
                         f"{_fmt(r['vs'].get('naive'), 9)}{_fmt(r['vs'].get('torch'), 9)}"
                         f"{_fmt(r['vs'].get('jax'), 8)}  {r['kernel'].split(' (')[0]}")
    lines += ["", "ms: as called (result allocated), like every peer; ms out=: into a preallocated "
                  "array, like the copy;", "GB/s (out=) counts one read of each input and one write "
                  "of the output; of copy: that over the GB/s of np.copyto timed in the same "
                  "round-robin;", "× peer = peer's time / actlab's time (above 1: actlab faster).",
              "", *goals(result)]
    return "\n".join(lines)


def goals(result: dict) -> list[str]:
    """The issue's goals, checked against this run: forward ≥ 1× PyTorch; compound activations
    (not exact, with a naive formula) ≥ 3× naive forward; exact (ReLU-class) ones ≥ 70% of the
    copy bandwidth, forward and backward."""
    checks = [
        ("forward ≥ 1.0× PyTorch eager", 1.0, lambda r: r["direction"] == "forward",
         lambda r: r["vs"].get("torch")),
        ("compound forward ≥ 3× the naive formula", 3.0,
         lambda r: r["direction"] == "forward" and not get(r["activation"]).definition.exact,
         lambda r: r["vs"].get("naive")),
        ("ReLU-class (exact) ≥ 70% of copy bandwidth", 0.7,
         lambda r: get(r["activation"]).definition.exact, lambda r: r["of_copy"]),
    ]
    lines = ["Goals:"]
    for title, bar, applies, value in checks:
        for size in sorted({r["size"] for r in result["results"]}):
            measured = [(r, value(r)) for r in result["results"]
                        if r["size"] == size and applies(r) and value(r) is not None]
            if not measured:
                continue
            missed = [f"{r['activation']}{'' if r['direction'] == 'forward' else ' (backward)'} "
                      f"{v:.2f}" for r, v in measured if v < bar]
            lines.append(f"  {title}, n = {size:,}: met by {len(measured) - len(missed)} of "
                         f"{len(measured)}" + (f"; missed: {', '.join(missed)}" if missed else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    """``actlab bench``: run the benchmark, print the table, optionally write JSON."""
    p = argparse.ArgumentParser(prog="actlab bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="1e6 elements only, 5 repeats")
    p.add_argument("--sizes", type=float, nargs="+", help="array sizes (default 1e6 1e7)")
    p.add_argument("--repeats", type=int, help="timed calls per contender (default 15; quick 5)")
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these activations")
    p.add_argument("--no-torch", action="store_true", help="leave PyTorch out")
    p.add_argument("--no-jax", action="store_true", help="leave JAX out")
    p.add_argument("--seed", type=int, default=0, help="seed of the input data")
    p.add_argument("--json", metavar="PATH", default="artifacts/bench_activations.json",
                   help="where the results go as JSON (default: %(default)s)")
    args = p.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ([1e6] if args.quick else [1e6, 1e7]))]
    repeats = args.repeats or (5 if args.quick else 15)
    if repeats < 1 or any(s < 1 for s in sizes):
        p.error("--repeats and --sizes must be positive")
    if args.only:
        known = {d.name for d in definitions() if d.elementwise}
        unknown = sorted(set(args.only) - known)
        if unknown:
            p.error(f"not elementwise activations: {', '.join(unknown)}; choose from "
                    f"{', '.join(sorted(known))}")
    result = run(sizes, repeats, np.dtype(args.dtype), args.only, not args.no_torch,
                 not args.no_jax, args.seed)
    if result["results"]:
        print(table(result))
    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"results: {path}", file=sys.stderr)
    if result.get("interrupted"):
        print("interrupted: the results above are the ones that finished", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
