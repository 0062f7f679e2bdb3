"""ReLU against tanh and the sigmoid, by Krizhevsky et al.'s (2012, Figure 1) protocol.

The protocol: SGD with momentum 0.9, batches of 128, no regularisation of any kind, each
activation at the learning rate that makes it train fastest, chosen independently; the measure is
the number of epochs until the *training* error over a full pass reaches 25%. Here the
learning rates are chosen from ``budget.speed_lrs`` on seeds that are not measured (TUNING_SEED
and up); every rate is also run on the measured seeds, so the ratio is reported against the
learning rate as well. A run that never reaches the target within ``speed_epochs`` counts as
``speed_epochs + 1`` epochs: a lower bound, which can only shrink a speed-up.
"""

from __future__ import annotations


import numpy as np

from .. import figures
from ..statistics import paired_ratio
from ..verdicts import INCONCLUSIVE, Verdict, all_of, at_least, better
from .core import S000, S002, S003, Context, Finding, claim
from .experiments import TUNING_SEED, setting, sweep

ACTIVATIONS = ("relu", "tanh", "sigmoid")
TARGET = 0.25  # Krizhevsky et al.: 25% training error
BATCH = 128
DEPTH = 4
SPEED_SESOI = 1.25  # a speed-up below 25% is not worth the name "much faster"


def _cells(ctx: Context, model: str, seeds) -> list[dict]:
    b = ctx.budget
    return [
        {
            "dataset": b.dataset,
            "model": model,
            "activation": a,
            "depth": DEPTH,
            "width": b.width,
            "optimizer": {"name": "momentum", "lr": lr, "momentum": 0.9},
            "epochs": b.speed_epochs,
            "batch_size": BATCH,
            "seed": s,
            "max_train": b.max_train,
            "stop_at_error": TARGET,
        }
        for a in ACTIVATIONS
        for lr in b.speed_lrs
        for s in seeds
    ]


def _epochs(r: dict, cap: int) -> float:
    e = r.get("epochs_to_target")
    return float(cap + 1) if e is None else float(e)


def race(ctx: Context, model: str = "mlp") -> dict:
    """{"best_lr": {act: lr}, "epochs": {act: {lr: [per seed]}}, "curves": {act: [per seed]},
    "reached": {act: {lr: n}}}, curves at each activation's chosen rate."""
    b = ctx.budget
    tuning = _cells(ctx, model, range(TUNING_SEED, TUNING_SEED + b.tuning_seeds))
    measured_ = _cells(ctx, model, range(b.claim_seeds))
    results = sweep(ctx, f"speed-{model}", tuning + measured_)
    tuned, runs = list(zip(tuning, results[: len(tuning)])), list(zip(measured_, results[len(tuning) :]))
    best = {}
    for act in ACTIVATIONS:
        scored = {
            lr: np.mean(
                [
                    _epochs(r, b.speed_epochs)
                    for c, r in tuned
                    if c["activation"] == act and c["optimizer"]["lr"] == lr
                ]
            )
            for lr in b.speed_lrs
        }
        best[act] = min(scored, key=lambda lr: (scored[lr], lr))
    out = {"best_lr": best, "epochs": {}, "curves": {}, "reached": {}, "cap": b.speed_epochs}
    for act in ACTIVATIONS:
        for lr in b.speed_lrs:
            rs = [
                r
                for c, r in sorted(runs, key=lambda p: p[0]["seed"])
                if c["activation"] == act and c["optimizer"]["lr"] == lr
            ]
            out["epochs"].setdefault(act, {})[lr] = [_epochs(r, b.speed_epochs) for r in rs]
            out["reached"].setdefault(act, {})[lr] = sum(r.get("epochs_to_target") is not None for r in rs)
            if lr == best[act]:
                out["curves"][act] = [r["train_error"] for r in rs]
    return out


def _measure(ctx: Context) -> dict:
    m = {"mlp": race(ctx, "mlp")}
    if ctx.budget.cnn:
        from .networks import KINDS

        if "cnn" in KINDS:
            m["cnn"] = race(ctx, "cnn")
    if ctx.figures:
        m["plots"] = [
            str(
                figures.training_error_curves(
                    r["curves"],
                    f"{ctx.figures}/training-error-{kind}.png",
                    target=TARGET,
                    title=f"{kind.upper()}, SGD + momentum 0.9, each at its own best lr",
                )
            )
            for kind, r in m.items()
            if kind in ("mlp", "cnn")
        ]
    return m


def measured(ctx: Context) -> dict:
    return ctx.measure(_measure)


def _ratio(r: dict, slow: str, fast: str):
    return paired_ratio(r["epochs"][slow][r["best_lr"][slow]], r["epochs"][fast][r["best_lr"][fast]])


def _network(kind: str) -> str:
    return f"{DEPTH}-hidden-layer MLP" if kind == "mlp" else "small CNN"


def _figures(m: dict, *acts: str) -> dict:
    out = {}
    for kind in ("mlp", "cnn"):
        if kind not in m:
            continue
        r = m[kind]
        for act in acts:
            lr = r["best_lr"][act]
            out[f"{kind}: {act} chosen lr"] = lr
            out[f"{kind}: {act} epochs to 25% training error"] = float(np.mean(r["epochs"][act][lr]))
            out[f"{kind}: {act} runs reaching it"] = f"{r['reached'][act][lr]}/{len(r['epochs'][act][lr])}"
        if "relu" in acts and "tanh" in acts:
            for lr in r["epochs"]["relu"]:  # the ratio against the learning rate, both at the same rate
                c = paired_ratio(r["epochs"]["tanh"][lr], r["epochs"]["relu"][lr])
                out[f"{kind}: tanh/relu epochs at the common lr {lr:g}"] = c.mean
    return out


def _check(ctx: Context) -> str:
    return (
        f"Krizhevsky et al.'s protocol: SGD + momentum 0.9, batch {BATCH}, no regularisation; epochs until "
        f"the full-pass training error reaches {TARGET:.0%} (interpolated within an epoch; a run that "
        f"never does counts as {ctx.budget.speed_epochs + 1}); each activation at its fastest learning "
        f"rate from {list(ctx.budget.speed_lrs)}, chosen on {ctx.budget.tuning_seeds} separate seed(s); "
        "paired by seed, geometric-mean ratio with a bootstrap CI"
    )


def _finding(ctx: Context, m: dict, verdict: Verdict, *acts: str, note: str = "") -> Finding:
    kinds = " and ".join(_network(k) for k in ("mlp", "cnn") if k in m)
    return Finding(
        _check(ctx),
        _figures(m, *acts),
        verdict,
        note=note,
        setting=setting(ctx, kinds, "SGD + momentum 0.9"),
        plots=m.get("plots", []),
    )


def _unreached(r: dict, fast: str) -> Verdict | None:
    if r["reached"][fast][r["best_lr"][fast]] == 0:
        return Verdict(
            INCONCLUSIVE, f"{fast} never reached {TARGET:.0%} training error within {r['cap']} epochs"
        )
    return None


def _faster(r: dict, slow: str, fast: str) -> Verdict:
    return _unreached(r, fast) or better(
        _ratio(r, slow, fast),
        sesoi=SPEED_SESOI,
        what=f"epochs to target, {slow} / {fast}",
        test=f"{fast}-faster-than-{slow}",
    )


def _main(m: dict) -> dict:
    return m["cnn"] if "cnn" in m else m["mlp"]


@claim(
    "relu-converges-faster",
    S000,
    "ReLU converges much faster than sigmoid/tanh in practice",
    needs_network=True,
)
def _relu_faster(ctx: Context) -> Finding:
    m = measured(ctx)
    r = _main(m)
    return _finding(ctx, m, all_of(_faster(r, "tanh", "relu"), _faster(r, "sigmoid", "relu")), *ACTIVATIONS)


@claim(
    "relu-six-times-faster",
    S002,
    "ReLU had a 6 times improvement in convergence over tanh",
    needs_network=True,
)
def _six(ctx: Context) -> Finding:
    m = measured(ctx)
    r = _main(m)
    c = _ratio(r, "tanh", "relu")
    verdict = _unreached(r, "relu") or at_least(
        c.mean, 6.0, what="tanh/relu epochs to 25% training error", interval=(c.low, c.high)
    )
    f = _finding(
        ctx,
        m,
        verdict,
        "relu",
        "tanh",
        note="Krizhevsky et al. (2012) measured six times fewer epochs to 25% training error for a "
        "four-layer convolutional network on CIFAR-10 and wrote that the magnitude varies with "
        "the architecture. The ratio is a property of the setting, not of ReLU alone.",
    )
    f.figures["tanh / relu epochs (geometric mean over seeds)"] = c.mean
    f.figures["its 95% CI"] = f"[{c.low:.3g}, {c.high:.3g}]"
    return f


@claim(
    "sigmoid-slow",
    S002,
    "With sigmoids the network refuses to learn further or is drastically slow",
    needs_network=True,
)
def _sigmoid_slow(ctx: Context) -> Finding:
    m = measured(ctx)
    r = _main(m)
    c = _ratio(r, "sigmoid", "relu")
    return _finding(
        ctx,
        m,
        _unreached(r, "relu")
        or at_least(c.mean, 2.0, what="sigmoid/relu epochs to target", interval=(c.low, c.high)),
        "sigmoid",
        "relu",
        note="'Drastically slow' is read as at least twice the epochs of ReLU.",
    )


def _tanh_over_sigmoid(ctx: Context) -> Finding:
    m = measured(ctx)
    return _finding(ctx, m, _faster(_main(m), "sigmoid", "tanh"), "tanh", "sigmoid")


claim(
    "tanh-preferred-over-sigmoid",
    S002,
    "tanh is zero-centred, so optimisation is easier: in practice it is always preferred over the sigmoid",
    needs_network=True,
)(_tanh_over_sigmoid)
claim(
    "tanh-converges-faster",
    S003,
    "tanh is zero-centered, leading to faster convergence (than sigmoid)",
    needs_network=True,
)(_tanh_over_sigmoid)

__all__ = ["ACTIVATIONS", "TARGET", "measured", "race"]
