"""The activation benchmark's measurements: every elementwise activation through the public API,
against the copy limit, the seed formulas, PyTorch and JAX, at each size.

What is timed is what users call: ``actlab.<name>(x)`` for the forward pass (``act(x, out=y)``
beside it, as the copy writes into a preallocated array), ``act.vjp(x, g)`` for the backward pass
and ``act.derivative(x)`` for f'.
"""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

import actlab

from .. import __version__, kernels
from ..core import Activation, definitions, get
from . import memory, timing
from .formulas import SEED_FORMULAS, Naive

COPY = "copy"
PREALLOCATED = "actlab out="  # writing into an array allocated beforehand, like np.copyto
DIRECTIONS = ("forward", "backward", "derivative")


@dataclass
class Row:
    act: Activation
    naive: Naive | None

    def public_forward(self) -> Callable[[np.ndarray], np.ndarray]:
        """``actlab.<name>(x, **params)`` with the parameters that differ from the defaults."""
        fn = getattr(actlab, self.act.name)
        defaults = get(self.act.definition).params
        params = {k: v for k, v in self.act.params.items() if defaults[k] != v}
        return lambda x: fn(x, **params)


def rows(only: list[str] | None = None) -> list[Row]:
    """Each elementwise activation at its defaults, plus the parameters a seed formula computes."""
    out = []
    for d in definitions():
        if not d.elementwise or (only and d.name not in only):
            continue
        naive = [n for n in SEED_FORMULAS if n.activation == d.name]
        defaults = get(d)
        out.append(Row(defaults, next((n for n in naive if get(d, **n.params) == defaults), None)))
        out += [Row(get(d, **n.params), n) for n in naive if get(d, **n.params) != defaults]
    return out


def ulp_error(got, want: np.ndarray) -> float:
    """Largest |got − want| in ulps of want's dtype (values below the smallest normal count as
    exact when both are that small)."""
    got = np.asarray(got).astype(np.float64)
    w = want.astype(np.float64)
    tiny = float(np.finfo(want.dtype).smallest_normal)
    with np.errstate(all="ignore"):
        err = np.abs(got - w) / np.spacing(np.abs(want)).astype(np.float64)
    err[(np.abs(w) < tiny) & (np.abs(got) < tiny)] = 0.0
    nan = np.isnan(err)
    err[nan] = np.where(got[nan] == w[nan], 0.0, np.inf)
    return float(np.max(err))


def measure_row(
    row: Row, x: np.ndarray, g: np.ndarray, repeats: int, peers: dict, with_memory: bool
) -> list[dict]:
    """Every direction of one row at one size, each timed against its contenders in one
    round-robin."""
    act, fn = row.act, row.public_forward()
    y, y_copy = np.empty_like(x), np.empty_like(x)
    peer_calls = {name: make(act, x, g) for name, make in peers.items()}
    directions = DIRECTIONS if act.definition.differentiable else ("forward",)
    records = []
    for direction in directions:
        calls: dict[str, Callable[[], object]] = {}
        if direction != "derivative":
            # The copy runs in the same round-robin, so it meets the same caches (other
            # contenders' temporaries evict the arrays) and the same load.
            calls[COPY] = lambda: np.copyto(y_copy, x)
        if direction == "forward":
            first = _first_call(lambda: fn(x))
            calls["actlab"], calls[PREALLOCATED] = (lambda: fn(x)), (lambda: act(x, out=y))
            if row.naive:
                calls["naive"] = lambda: row.naive.forward(x)
        elif direction == "backward":
            first = _first_call(lambda: act.vjp(x, g))
            calls["actlab"], calls[PREALLOCATED] = (lambda: act.vjp(x, g)), (lambda: act.vjp(x, g, out=y))
            if row.naive and row.naive.backward:
                calls["naive"] = lambda: row.naive.backward(x, g)
        else:
            first = _first_call(lambda: act.derivative(x))
            calls["actlab"] = lambda: act.derivative(x)
        if direction != "derivative":
            for name, pair in peer_calls.items():
                if pair is not None:
                    calls[name] = pair[0] if direction == "forward" else pair[1]
        with np.errstate(all="ignore"):
            samples = timing.sample_times(calls, repeats)
        record = {
            "activation": act.name,
            "params": act.get_config()["params"],
            "direction": direction,
            "size": int(x.size),
            "dtype": x.dtype.name,
            "path": kernels.path(act, direction, x.dtype),
            "first_call_s": first,
            "times_s": timing.medians(samples),
            "fastest_s": {k: float(np.min(v)) for k, v in samples.items()},
            "naive_source": row.naive.source if row.naive else None,
        }
        if direction == "forward" and x.size <= 2_000_000:
            with np.errstate(all="ignore"), kernels.using(backend="numpy"):
                want = np.asarray(act(x))
            record["max_ulp_error_vs_reference"] = ulp_error(fn(x), want)
        if with_memory and direction != "derivative":
            call = (lambda: fn(x)) if direction == "forward" else (lambda: act.vjp(x, g))
            record["peak_extra_memory"] = {"numba": memory.peak_extra(call)}
            with kernels.using(backend="numpy"):
                record["peak_extra_memory"]["numpy"] = memory.peak_extra(call)
        derive(record)
        records.append(record)
    return records


def _first_call(call: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    call()
    return time.perf_counter() - t0


def derive(record: dict) -> None:
    """Rates and ratios from the medians: GB/s counts the bytes an ideal pass moves (x and y;
    x, g and dx backward); ``of_copy`` compares actlab writing into a preallocated array (as
    the copy does) with the copy timed alongside; ``vs`` is each peer's time over actlab's, both
    allocating their result (above 1: actlab faster)."""
    t = record["times_s"]
    if COPY not in t:
        record["vs"] = {}
        return
    n_arrays = 2 if record["direction"] == "forward" else 3
    array_bytes = record["size"] * np.dtype(record["dtype"]).itemsize
    record["gbps"] = {k: (2 if k == COPY else n_arrays) * array_bytes / v / 1e9 for k, v in t.items()}
    record["of_copy"] = record["gbps"][PREALLOCATED] / record["gbps"][COPY]
    record["vs"] = {k: v / t["actlab"] for k, v in t.items() if k not in ("actlab", PREALLOCATED, COPY)}


def machine() -> dict:
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            model = next(
                (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), model
            )
    except OSError:
        pass
    return {
        "cpu": model,
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "actlab": __version__,
        "kernels": kernels.available(),
    }


def run(
    sizes, repeats: int, dtype, only=None, peers: dict | None = None, seed: int = 0, progress=None
) -> dict:
    """Measure every row at every size; JSON-ready. Ctrl-C stops the run and returns what was
    finished, marked ``"interrupted": true``. Peak memory is measured at the largest size."""
    timing.keep_freed_memory()
    result = {
        "settings": {
            "sizes": list(sizes),
            "repeats": repeats,
            "dtype": np.dtype(dtype).name,
            "threads": kernels.available()["threads"],
            "seed": seed,
        },
        "copy": [],
        "results": [],
    }
    selected = rows(only)
    rng = np.random.default_rng(seed)
    try:
        for n in sizes:
            x = (rng.standard_normal(n) * 3).astype(dtype)
            g = rng.standard_normal(n).astype(dtype)
            y = np.empty_like(x)
            copy = timing.medians(timing.sample_times({COPY: lambda: np.copyto(y, x)}, repeats))[COPY]
            result["copy"].append({"size": n, "time_s": copy, "gbps": 2 * x.nbytes / copy / 1e9})
            for row in selected:
                if progress is not None:
                    progress(f"{row.act.name} n={n:.0e}")
                result["results"] += measure_row(row, x, g, repeats, peers or {}, n == max(sizes))
    except KeyboardInterrupt:
        result["interrupted"] = True
    return result
