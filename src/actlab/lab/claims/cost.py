"""Compute cost: per call in three implementations, and as a share of a whole training step.

Per call: on ``budget.timing_size`` float32 values (10⁶ at the small and full budgets), forward and backward, timed interleaved
(:func:`~actlab.diagnostics.cost.interleaved`) for the seed texts' NumPy code as written
(:data:`actlab.bench.formulas.SEED_FORMULAS`), actlab's public functions (``act(x)``,
``act.vjp(x, g)``, the path users call) and PyTorch eager where it has the function. Each
activation's time is divided by ReLU's *in the same round and implementation*, and the
geometric mean over rounds is given with a bootstrap interval.

In practice: the share of a training step (forward, backward, update) of an MLP spent in the
activations (:func:`~actlab.diagnostics.cost.activation_share`), the models stepping in turn;
calibrated in the same run by the identity (near 0) and a deliberately slowed tanh (most of
the step).
"""

from __future__ import annotations

import warnings

import numpy as np

import actlab as al

from ... import nn
from ...diagnostics.cost import activation_share, interleaved
from ...bench.formulas import SEED_FORMULAS
from ...bench.peers import torch_peer
from .. import figures
from ..statistics import paired_ratio
from ..verdicts import at_least, holds_when
from .core import S000, S002, S003, S004, Context, Finding, claim, sources

SUBJECTS = ("relu", "sigmoid", "tanh", "elu", "swish", "gelu")
PER_CALL = 1.5  # "more expensive" per call: at least 1.5 times ReLU's time
IN_TRAINING = 0.05  # ... in practice: at least 5 points more of a training step than ReLU
SHARE_WIDTH = 256


def _subjects(x: np.ndarray, g: np.ndarray) -> dict[str, dict[str, tuple]]:
    """{implementation: {act: (forward, backward)}} (backward None where the seeds give none)."""
    seeds = {n.activation: n for n in SEED_FORMULAS}
    impl: dict[str, dict[str, tuple]] = {"seed NumPy code": {}, "actlab": {}}
    for name in SUBJECTS:
        s = seeds[name]
        act = al.get(name, **s.params)
        impl["seed NumPy code"][name] = (
            lambda s=s: s.forward(x),
            None if s.backward is None else (lambda s=s: s.backward(x, g)),
        )
        impl["actlab"][name] = (lambda a=act: a(x), lambda a=act: a.vjp(x, g))
    try:
        import torch
    except ImportError:
        return impl
    xt, gt = torch.from_numpy(x), torch.from_numpy(g)
    impl["PyTorch"] = {}
    for name in SUBJECTS:
        peer = torch_peer(al.get(name, **seeds[name].params))
        if peer is None:
            continue
        fn, kw = peer
        xg = xt.clone().requires_grad_(True)
        y = fn(xg, **kw)

        def forward(fn=fn, kw=kw):
            with torch.no_grad():
                return fn(xt, **kw)

        impl["PyTorch"][name] = (
            forward,
            lambda y=y, xg=xg: torch.autograd.grad(y, xg, gt, retain_graph=True),
        )
    return impl


def per_call(ctx: Context) -> dict:
    """{implementation: {direction: {act: [seconds per round]}}}."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=ctx.budget.timing_size).astype(np.float32)
    g = rng.normal(size=ctx.budget.timing_size).astype(np.float32)
    out: dict = {}
    for implementation, subjects in _subjects(x, g).items():
        for k, direction in enumerate(("forward", "backward")):
            calls = {name: pair[k] for name, pair in subjects.items() if pair[k] is not None}
            if "relu" in calls:
                times = interleaved(calls, repeats=ctx.budget.timing_repeats)
                out.setdefault(implementation, {})[direction] = {n: t.tolist() for n, t in times.items()}
    return out


def _slowed_tanh(x):
    """tanh computed 20 times over: the calibration's deliberately expensive activation."""
    for _ in range(20):
        y = np.tanh(x)
    return y


def training_share(ctx: Context) -> dict:
    """{act: median share of a training step} for an MLP of 3 × SHARE_WIDTH on batches of 128,
    with the identity and a slowed tanh as calibration; the models take their steps in turn,
    one each per round, the order rotated every round (so drift falls on all alike)."""
    width = SHARE_WIDTH if ctx.budget.timing_size >= 100_000 else 32
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(2048, 64)).astype(np.float32), rng.integers(0, 10, 2048)
    models = {}
    for label, act in [
        *((n, n) for n in SUBJECTS),
        ("identity (calibration)", "linear"),
        ("tanh × 20 (calibration)", _slowed_tanh),
    ]:
        model = nn.Sequential(
            [nn.Dense(width, activation=act) for _ in range(3)] + [nn.Dense(10, activation="softmax")],
            seed=0,
            input_dim=64,
        )
        model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
        models[label] = model
    shares: dict[str, list[float]] = {label: [] for label in models}
    labels = list(models)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the slowed callable's derivative is numerical, by design
        for r in range(-2, ctx.budget.timing_repeats):  # two untimed rounds first: compiling, caches
            k = r % len(labels)
            for label in labels[k:] + labels[:k]:
                share = activation_share(models[label], x, y, steps=1, warmup=0, batch_size=128)["share"]
                if r >= 0:
                    shares[label].append(share)
    return {label: float(np.median(v)) for label, v in shares.items()}


def _measure(ctx: Context) -> dict:
    m = {"calls": ctx.measure(per_call), "share": ctx.measure(training_share)}
    if ctx.figures:
        rows = {}
        for name in SUBJECTS:
            row = {
                f"{impl}, {d}": _ratio(m, impl, d, name).mean
                for impl in m["calls"]
                for d in m["calls"][impl]
                if name in m["calls"][impl][d]
            }
            rows[name] = {**row, "share": m["share"][name]}
        m["plot"] = str(
            figures.cost_bars(
                rows,
                f"{ctx.figures}/cost.png",
                title=f"per call on {ctx.budget.timing_size:.0e} float32 values, interleaved",
            )
        )
    return m


def measured(ctx: Context) -> dict:
    return ctx.measure(_measure)


def _ratio(m: dict, impl: str, direction: str, name: str):
    t = m["calls"][impl][direction]
    return paired_ratio(t[name], t["relu"])


def _cost_finding(ctx: Context, name: str) -> Finding:
    m = measured(ctx)
    parts, figures_ = {}, {}
    for impl, directions in m["calls"].items():
        for direction, times in directions.items():
            if name not in times:
                continue
            c = _ratio(m, impl, direction, name)
            where = f"per call, {impl}, {direction}"
            parts[where] = at_least(c.mean, PER_CALL, what=f"{name}/relu time", interval=(c.low, c.high))
            figures_[f"{name}/relu time, {impl}, {direction}"] = c.mean
    extra = m["share"][name] - m["share"]["relu"]
    parts["in a training step"] = at_least(
        extra, IN_TRAINING, what=f"{name}'s share of a training step minus ReLU's"
    )
    figures_.update(
        {
            f"{name}: share of a training step": m["share"][name],
            "relu: share of a training step": m["share"]["relu"],
            "calibration: identity's share": m["share"]["identity (calibration)"],
            "calibration: slowed tanh's share": m["share"]["tanh × 20 (calibration)"],
        }
    )
    verdict = holds_when(parts, claim=f"{name} costing more than ReLU")
    b = ctx.budget
    return Finding(
        f"{b.timing_repeats} interleaved rounds on {b.timing_size:.0e} float32 values per implementation "
        "(ratios to ReLU within a round, geometric mean with a bootstrap CI); and the share of a "
        f"training step of a 3 × {SHARE_WIDTH} MLP (batch 128) spent in the activations",
        figures_,
        verdict,
        note=f"'More expensive' is read as at least {PER_CALL:g} times ReLU's time per call, and in "
        f"practice as at least {IN_TRAINING:.0%} more of a training step. Timings are this "
        "machine's, under whatever else was running: ratios within a round cancel most of it.",
        setting=f"this machine, {al.kernels.available()['backend']} kernels, "
        f"{al.kernels.available()['threads']} threads (budget {b.name})",
        plots=[m["plot"]] if m.get("plot") else [],
    )


@claim("exp-cost", sources(S000, S003), "exp() is a bit compute expensive (sigmoid needs it)")
def _exp_cost(ctx: Context) -> Finding:
    return _cost_finding(ctx, "sigmoid")


@claim(
    "relu-cheaper-than-sigmoid",
    sources(S002, S003),
    "ReLU is less computationally expensive than sigmoid (simpler mathematical operations)",
)
def _relu_vs_sigmoid(ctx: Context) -> Finding:
    return _cost_finding(ctx, "sigmoid")


@claim("relu-cheaper-than-tanh", S002, "ReLU is less computationally expensive than tanh")
def _relu_vs_tanh(ctx: Context) -> Finding:
    return _cost_finding(ctx, "tanh")


@claim("elu-cost", S000, "ELU's computation requires exp() (costlier than ReLU)")
def _elu_cost(ctx: Context) -> Finding:
    return _cost_finding(ctx, "elu")


@claim("swish-cost", S004, "Swish is slightly more computationally expensive (than ReLU)")
def _swish_cost(ctx: Context) -> Finding:
    return _cost_finding(ctx, "swish")


__all__ = ["SUBJECTS", "measured", "per_call", "training_share"]
