"""The activation benchmark's tables and the goals it checks, from a run's JSON."""

from __future__ import annotations

import math

from ..core import get
from .activations import PREALLOCATED

# The goals the benchmark checks (issue "fast where users call it"), at 1e7 float32 elements.
LARGE = 10_000_000
SMALL = 10
OVERHEAD_US = 3.0  # per call at n = 10
SMALL_VS_TORCH = 1 / 1.5  # within 1.5× of PyTorch from 1e4 elements
MEMORY = 1.5  # peak extra memory, × the output
IMPORT_S = 0.3


def _fmt(v: float | None, width: int, spec: str = ".2f") -> str:
    return ("—" if v is None or not math.isfinite(v) else format(v, spec)).rjust(width)


def _label(r: dict) -> str:
    defaults = get(r["activation"]).params
    return r["activation"] + "".join(f" {k}={v}" for k, v in r["params"].items() if defaults.get(k) != v)


def _time(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f}" if seconds >= 1e-4 else f"{seconds * 1e6:6.2f}µs"


def table(result: dict) -> str:
    m = result["machine"]
    s = result["settings"]
    lines = [
        f"actlab {m['actlab']} activation benchmark — {m['cpu']}, {m['cpus']} CPUs, "
        f"{s['threads']} threads, {s['dtype']}, median of {s['repeats']}",
        f"backend {m['kernels']['backend']} (numba {m['kernels']['numba']}); "
        + ", ".join(f"{k} {m[k]}" for k in ("torch", "jax") if k in m)
        + f"; load average {m['load_average_start'][0]:.2f} at start",
    ]
    copies = {c["size"]: c for c in result["copy"]}
    groups: dict[tuple, list[dict]] = {}
    for r in result["results"]:
        groups.setdefault((r["size"], r["direction"]), []).append(r)
    for (size, direction), records in groups.items():
        c = copies[size]
        lines += [
            "",
            f"{direction}, n = {size:,}: np.copyto alone {_time(c['time_s']).strip()} = {c['gbps']:.1f} GB/s",
            f"{'activation':<26}{'ms':>8}{'ms out=':>9}{'of copy':>9}"
            f"{'× naive':>9}{'× torch':>9}{'× jax':>8}  path",
        ]
        for r in records:
            t = r["times_s"]
            lines.append(
                f"{_label(r)[:25]:<26}{_time(t['actlab'])}"
                f"{_time(t[PREALLOCATED]) if PREALLOCATED in t else '—':>9}"
                f"{_fmt(r.get('of_copy'), 9, '.0%')}"
                f"{_fmt(r['vs'].get('naive'), 9)}{_fmt(r['vs'].get('torch'), 9)}"
                f"{_fmt(r['vs'].get('jax'), 8)}  {r['path']}"
            )
    lines += [
        "",
        "ms: as called (result allocated), like every peer; ms out=: into a preallocated "
        "array, like the copy;",
        "of copy: the bandwidth of 'out=' (one read of each input, "
        "one write) over np.copyto's in the same round-robin;",
        "× peer = peer's time / actlab's time (above 1: actlab faster).",
        "",
        *goals(result),
    ]
    return "\n".join(lines)


def _at(result: dict, size: int) -> list[dict]:
    return [r for r in result["results"] if r["size"] == size]


def goals(result: dict) -> list[str]:
    """Each goal, checked against this run: met by how many, and which missed, with figures."""
    lines = ["Goals:"]

    def check(title, measured, bar, at_most=False):
        measured = [(k, v) for k, v in measured if v is not None]
        if not measured:
            return
        missed = [f"{k} {v:.2f}" for k, v in measured if not (v <= bar if at_most else v >= bar)]
        lines.append(
            f"  {title}: met by {len(measured) - len(missed)} of {len(measured)}"
            + (f"; missed: {', '.join(missed)}" if missed else "")
        )

    largest = max((r["size"] for r in result["results"]), default=0)
    big = _at(result, largest)
    for direction in ("forward", "backward"):
        rows = [r for r in big if r["direction"] == direction]
        check(
            f"{direction} ≥ 1.0× PyTorch eager, n = {largest:,}",
            [(_label(r), r["vs"].get("torch")) for r in rows],
            1.0,
        )
        check(
            f"compound {direction} ≥ 3× the seed formula, n = {largest:,}",
            [(_label(r), r["vs"].get("naive")) for r in rows if not get(r["activation"]).definition.exact],
            3.0,
        )
        check(
            f"ReLU-class {direction} ≥ 70% of copy bandwidth, n = {largest:,}",
            [(_label(r), r.get("of_copy")) for r in rows if get(r["activation"]).definition.exact],
            0.7,
        )
        check(
            f"peak extra memory of {direction} ≤ {MEMORY}× the output, with numba and without",
            [
                (f"{_label(r)} ({path})", v)
                for r in rows
                for path, v in r.get("peak_extra_memory", {}).items()
            ],
            MEMORY,
            at_most=True,
        )
    small = [r for r in _at(result, SMALL) if r["direction"] == "forward"]
    check(
        f"per-call time ≤ {OVERHEAD_US} µs at n = {SMALL} (µs)",
        [(_label(r), r["times_s"]["actlab"] * 1e6) for r in small],
        OVERHEAD_US,
        at_most=True,
    )
    for size in sorted({r["size"] for r in result["results"]}):
        if 10_000 <= size < largest:
            check(
                f"within 1.5× of PyTorch, n = {size:,} (forward and backward)",
                [
                    (f"{_label(r)} {r['direction'][0]}", r["vs"].get("torch"))
                    for r in _at(result, size)
                    if r["direction"] != "derivative"
                ],
                SMALL_VS_TORCH,
            )
    modules = result.get("torch_modules")
    if modules:
        for size in sorted({r["size"] for r in modules["modules"]}):
            check(
                f"actlab.torch forward+backward ≥ 1.0× torch.nn, n = {size:,}",
                [(r["activation"], r["speed_vs_torch"]) for r in modules["modules"] if r["size"] == size],
                1.0,
            )
        check(
            "MLP training step with actlab.torch activations within 5% of torch.nn's (× its speed)",
            [(r["activation"], r["speed_vs_torch"]) for r in modules["mlp_step"]],
            0.95,
        )
    startup = result.get("startup")
    if startup:
        check(
            f"import actlab ≤ {IMPORT_S} s",
            [("import", startup["import"]["actlab_s"])],
            IMPORT_S,
            at_most=True,
        )
    return lines


def markdown(result: dict) -> str:
    """The README's speed table: forward and backward at the largest size, per activation."""
    largest = max(r["size"] for r in result["results"])
    by = {(_label(r), r["direction"]): r for r in _at(result, largest)}
    names = list(dict.fromkeys(label for label, _ in by))
    out = [
        "| activation | forward, of copy | × PyTorch | × seed formula | backward, of copy | × PyTorch |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        f, b = by.get((name, "forward")), by.get((name, "backward"))

        def cell(r, key):
            v = None if r is None else (r.get("of_copy") if key == "copy" else r["vs"].get(key))
            return "—" if v is None else (f"{v:.0%}" if key == "copy" else f"{v:.2f}")

        out.append(
            f"| {name} | {cell(f, 'copy')} | {cell(f, 'torch')} | {cell(f, 'naive')} | "
            f"{cell(b, 'copy')} | {cell(b, 'torch')} |"
        )
    return "\n".join(out) + "\n"
