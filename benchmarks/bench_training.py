"""Training throughput: actlab.nn against PyTorch on the CPU, same network, same threads, one run.

The network is an MLP 784-256-256-10 (ReLU hidden layers unless --activation says otherwise,
softmax output with cross-entropy) trained with Adam on batches of 128 float32 samples for a
fixed number of steps. actlab is timed through ``Sequential.fit`` (everything a user's training
pays for); PyTorch through the usual zero_grad / forward / loss / backward / step loop. Both
libraries see the same data and the same thread count; the runs alternate, and the median of
the repeats is reported with the best run (the least disturbed one on a busy machine). The
time actlab spends in the hidden activations (forward and backward, through the engine's
activation calls) is measured separately, in float32 and in float64: the registry's reference
path computes transcendental activations of float32 input in float64, so float32 buys no
speed there.

    python benchmarks/bench_training.py [--steps 200] [--repeats 5] [--threads N]
                                        [--activation relu] [--json PATH]

Prints a table and writes the numbers as JSON (default ``artifacts/bench_training.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

LAYERS = (784, 256, 256, 10)
BATCH = 128


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=200, help="optimizer steps per timed run")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per library (median reported)")
    p.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="threads for both libraries (default: the CPUs this process may use)",
    )
    p.add_argument(
        "--activation",
        default="relu",
        help="hidden activation, any actlab name that PyTorch also has (default relu)",
    )
    p.add_argument("--json", type=Path, default=Path("artifacts/bench_training.json"))
    return p.parse_args()


ARGS = parse_args()
# BLAS reads its thread count when it loads, so it is set before NumPy is imported.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import actlab as al  # noqa: E402
from actlab import nn  # noqa: E402
from actlab.nn import activation_calls  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:
    sys.exit("this benchmark compares against PyTorch: pip install 'actlab[torch]'")


def make_data(steps: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(steps * BATCH, LAYERS[0])).astype(np.float32)
    y = rng.integers(0, LAYERS[-1], size=steps * BATCH)
    return x, y


def actlab_model() -> nn.Sequential:
    *hidden, out = LAYERS[1:]
    layers = [
        nn.Dense(w, activation=ARGS.activation, **({"input_dim": LAYERS[0]} if i == 0 else {}))
        for i, w in enumerate(hidden)
    ]
    model = nn.Sequential([*layers, nn.Dense(out, activation="softmax")], seed=0)
    model.compile("sparse_categorical_crossentropy", nn.Adam(lr=1e-3))
    return model


def time_actlab(x: np.ndarray, y: np.ndarray) -> float:
    model = actlab_model()
    model.fit(x[: 10 * BATCH], y[: 10 * BATCH], batch_size=BATCH, shuffle=False, verbose=0)  # warm-up
    start = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, shuffle=False, verbose=0)
    return time.perf_counter() - start


class TorchActivation(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def torch_function(definition: al.Definition):
    """PyTorch's function for an actlab definition, found by its name or an alias."""
    for name in (definition.name, *definition.aliases):
        for module in (torch, torch.nn.functional):
            fn = getattr(module, name, None) or getattr(module, name.replace("_", ""), None)
            if callable(fn):
                return fn
    sys.exit(f"PyTorch has no {definition.name}; choose another --activation")


def time_torch(x: np.ndarray, y: np.ndarray) -> float:
    torch.manual_seed(0)
    fn = torch_function(al.lookup(ARGS.activation))
    mods = []
    for a, b in zip(LAYERS[:-1], LAYERS[1:]):
        mods += [torch.nn.Linear(a, b), TorchActivation(fn)]
    model = torch.nn.Sequential(*mods[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def run(n_steps: int) -> None:
        for s in range(n_steps):
            xb, yb = xt[s * BATCH : (s + 1) * BATCH], yt[s * BATCH : (s + 1) * BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # actlab reads every loss (to stop on NaN); so does this loop

    run(10)  # warm-up
    start = time.perf_counter()
    run(len(x) // BATCH)
    return time.perf_counter() - start


def activation_seconds(dtype, repeats: int = 50) -> float:
    """Seconds per training step spent in the hidden activations (forward + backward)."""
    act = al.get(ARGS.activation)
    z = np.random.default_rng(1).normal(size=(BATCH, LAYERS[1])).astype(dtype)
    g = np.ones_like(z)

    def once():
        for _ in LAYERS[1:-1]:
            y, saved = activation_calls.forward(act, z, training=True, rng=np.random.default_rng(0))
            activation_calls.backward(act, saved, g)

    once()
    start = time.perf_counter()
    for _ in range(repeats):
        once()
    return (time.perf_counter() - start) / repeats


def blas_threads() -> list[dict]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    return [{k: d.get(k) for k in ("internal_api", "num_threads", "version")} for d in threadpool_info()]


def main() -> None:
    torch.set_num_threads(ARGS.threads)
    x, y = make_data(ARGS.steps)
    samples = ARGS.steps * BATCH
    times: dict[str, list[float]] = {"actlab.nn": [], "PyTorch": []}
    for _ in range(ARGS.repeats):  # alternate, so load changes on the machine hit both alike
        times["actlab.nn"].append(time_actlab(x, y))
        times["PyTorch"].append(time_torch(x, y))
    rate = {k: samples / statistics.median(v) for k, v in times.items()}
    best = {k: samples / min(v) for k, v in times.items()}
    ratio = rate["actlab.nn"] / rate["PyTorch"]
    best_ratio = best["actlab.nn"] / best["PyTorch"]
    step = statistics.median(times["actlab.nn"]) / ARGS.steps
    act_time = {str(np.dtype(d)): activation_seconds(d) for d in (np.float32, np.float64)}

    print(
        f"MLP {'-'.join(map(str, LAYERS))} ({ARGS.activation}), batch {BATCH}, float32, Adam, "
        f"{ARGS.steps} steps, {ARGS.threads} thread(s), median of {ARGS.repeats}"
    )
    print(f"{'library':<12}{'samples/s':>12}{'best run':>12}{'min s':>10}{'max s':>10}")
    for k, v in times.items():
        print(f"{k:<12}{rate[k]:>12,.0f}{best[k]:>12,.0f}{min(v):>10.3f}{max(v):>10.3f}")
    print(
        f"ratio actlab.nn / PyTorch: {ratio:.2f} median, {best_ratio:.2f} best run "
        "(above 1: actlab is faster)"
    )
    print(
        f"actlab step {step * 1e3:.2f} ms, of which {ARGS.activation} (forward + backward, both hidden "
        f"layers) {act_time['float32'] * 1e3:.3f} ms = {act_time['float32'] / step:.0%}; the same on "
        f"float64 input {act_time['float64'] * 1e3:.3f} ms"
    )

    result = {
        "benchmark": "training throughput",
        "layers": LAYERS,
        "batch_size": BATCH,
        "dtype": "float32",
        "optimizer": "adam",
        "steps": ARGS.steps,
        "repeats": ARGS.repeats,
        "threads": ARGS.threads,
        "activation": ARGS.activation,
        "seconds": times,
        "samples_per_second": rate,
        "best_run_samples_per_second": best,
        "ratio_actlab_over_torch": ratio,
        "best_run_ratio_actlab_over_torch": best_ratio,
        "actlab_seconds_per_step": step,
        "actlab_activation_seconds_per_step": act_time,
        "versions": {
            "numpy": np.__version__,
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpus_usable": len(os.sched_getaffinity(0)),
            "load_average": os.getloadavg(),
        },
        "blas": blas_threads(),
    }
    ARGS.json.parent.mkdir(parents=True, exist_ok=True)
    ARGS.json.write_text(json.dumps(result, indent=2))
    print(f"wrote {ARGS.json}")


if __name__ == "__main__":
    main()
