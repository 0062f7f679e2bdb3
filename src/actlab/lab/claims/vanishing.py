"""Vanishing and exploding gradients: depth × initial scale × activation, and probes in training.

At initialisation: MLPs of every depth in ``budget.depths``, their kernels scaled by each of
``budget.scales`` times the usual scale (Glorot for sigmoid and tanh, He for ReLU, zero biases),
for each seed; the backpropagated signal ‖∂L/∂h_l‖ per layer on 256 training samples
(:func:`~actlab.diagnostics.flow.layer_signal`) and its per-layer factor ρ. During training:
``probe_depth`` hidden layers, SGD with momentum 0.9, the factor and the saturated fraction
after every epoch.

A factor below 0.9 (the signal loses more than a tenth per layer) is read as vanishing, above
1/0.9 as exploding, in between as neither. He et al. (2015) predict ρ = the scale for ReLU
(the backward variance is multiplied by ½·n·Var(w) per layer).
"""

from __future__ import annotations

import numpy as np

from ...diagnostics.flow import layer_signal
from .. import figures
from ..datasets import load
from ..statistics import mean_interval
from ..verdicts import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED, Verdict, all_of, at_least, holds_when
from .cells import build
from .core import S000, S001, S002, S003, S004, Context, Finding, claim, sources
from .experiments import setting, sweep

ACTIVATIONS = ("sigmoid", "tanh", "relu")
VANISH = 0.9
EXPLODE = 1 / VANISH
PROBE_LR = 0.01
INIT_NAME = {"sigmoid": "Glorot", "tanh": "Glorot", "relu": "He"}


def at_initialisation(ctx: Context) -> dict:
    """{act: {scale: {depth: {"factor": [per seed], "signal": [per seed: per layer]}}}}."""
    b = ctx.budget
    data = [load(b.dataset, seed=seed) for seed in range(b.claim_seeds)]
    out: dict = {}
    for act in ACTIVATIONS:
        for scale in b.scales:
            for depth in b.depths:
                runs = {"factor": [], "signal": []}
                for seed, ds in enumerate(data):
                    cell = {
                        "model": "mlp",
                        "activation": act,
                        "depth": depth,
                        "width": b.width,
                        "init_scale": scale,
                        "seed": seed,
                    }
                    model = build(cell, ds.x_train.shape[1:], ds.n_classes)
                    model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
                    s = layer_signal(model, ds.x_train[:256], ds.y_train[:256])
                    runs["factor"].append(s["factor"])
                    runs["signal"].append(s["signal"])
                out.setdefault(act, {}).setdefault(scale, {})[depth] = runs
    return out


def in_training(ctx: Context) -> dict:
    """Probe runs: {act: {"factor": [per seed: per epoch], "saturated": [...]}} at the usual scale."""
    b = ctx.budget
    seeds = range(min(b.claim_seeds, 4))
    cell_list = [
        {
            "dataset": b.dataset,
            "model": "mlp",
            "activation": a,
            "depth": b.probe_depth,
            "width": b.width,
            "optimizer": {"name": "momentum", "lr": PROBE_LR, "momentum": 0.9},
            "epochs": b.probe_epochs,
            "batch_size": 32,
            "seed": s,
            "max_train": b.max_train,
            "probes": True,
        }
        for a in ACTIVATIONS
        for s in seeds
    ]
    pairs = list(zip(cell_list, sweep(ctx, "vanishing-probes", cell_list)))
    return {
        a: {
            "factor": [r["signal_factor"] for c, r in pairs if c["activation"] == a],
            "saturated": [r["saturated_fraction"] for c, r in pairs if c["activation"] == a],
            "train_error": [r["train_error"] for c, r in pairs if c["activation"] == a],
        }
        for a in ACTIVATIONS
    }


def _measure(ctx: Context) -> dict:
    m = {"init": ctx.measure(at_initialisation), "training": ctx.measure(in_training)}
    if ctx.figures:
        m["plot"] = str(
            figures.signal_by_depth(
                m["init"], m["training"], f"{ctx.figures}/vanishing.png", deepest=max(ctx.budget.depths)
            )
        )
    return m


def measured(ctx: Context) -> dict:
    """The two experiments and their figure, once per claims run."""
    return ctx.measure(_measure)


def _factor(m: dict, act: str, scale: float, depth: int) -> tuple[float, tuple[float, float]]:
    return mean_interval(m["init"][act][scale][depth]["factor"])


def _regime(act: str, m: dict, ctx: Context) -> dict[str, tuple[float, tuple[float, float]]]:
    deepest = max(ctx.budget.depths)
    return {f"{scale:g}× {INIT_NAME[act]}": _factor(m, act, scale, deepest) for scale in ctx.budget.scales}


def _vanishes(value: float, ci: tuple[float, float], where: str) -> Verdict:
    text = f"ρ = {value:.3g} (95% CI [{ci[0]:.3g}, {ci[1]:.3g}]) at {where}"
    if ci[1] < VANISH:
        return Verdict(SUPPORTED, f"{text}: below {VANISH:g}")
    if ci[0] >= VANISH:
        return Verdict(NOT_SUPPORTED, f"{text}: not below {VANISH:g}")
    return Verdict(INCONCLUSIVE, text)


def _stable(value: float, ci: tuple[float, float], where: str) -> Verdict:
    text = f"ρ = {value:.3g} (95% CI [{ci[0]:.3g}, {ci[1]:.3g}]) at {where}"
    if VANISH <= ci[0] and ci[1] <= EXPLODE:
        return Verdict(SUPPORTED, f"{text}: within [{VANISH:g}, {EXPLODE:.3g}]")
    if ci[1] < VANISH or ci[0] > EXPLODE:
        return Verdict(NOT_SUPPORTED, f"{text}: {'vanishing' if ci[1] < VANISH else 'exploding'}")
    return Verdict(INCONCLUSIVE, text)


def _figures(m: dict, ctx: Context, *acts: str) -> dict:
    deepest = max(ctx.budget.depths)
    out = {}
    for act in acts:
        for where, (value, ci) in _regime(act, m, ctx).items():
            out[f"{act}: per-layer factor ρ at {where}, depth {deepest}"] = value
            out[f"{act}: ρ 95% CI at {where}"] = f"[{ci[0]:.3g}, {ci[1]:.3g}]"
        tr = [f[-1] for f in m["training"][act]["factor"] if f and f[-1] is not None]
        sat = [s[-1] for s in m["training"][act]["saturated"] if s and s[-1] is not None]
        if tr:
            out[
                f"{act}: ρ after {ctx.budget.probe_epochs} epochs of training (depth {ctx.budget.probe_depth})"
            ] = float(np.mean(tr))
        if sat:
            out[f"{act}: saturated fraction after training"] = float(np.mean(sat))
    return out


def _check(ctx: Context) -> str:
    b = ctx.budget
    return (
        f"backpropagated signal ‖∂L/∂h_l‖ per hidden layer at initialisation on 256 training samples, MLPs "
        f"of {list(b.depths)} hidden layers of {b.width}, kernels × {list(b.scales)} the usual scale (Glorot "
        f"for sigmoid/tanh, He for ReLU, zero biases); ρ = per-layer factor (exp of minus the slope of "
        f"log ‖∂L/∂h_l‖ against l) at the deepest network, mean over seeds with a bootstrap CI; plus "
        f"probes during {b.probe_epochs} epochs of SGD + momentum 0.9 (lr {PROBE_LR:g}) at depth {b.probe_depth}"
    )


def _finding(ctx: Context, m: dict, verdict: Verdict, *acts: str, note: str = "") -> Finding:
    return Finding(
        _check(ctx),
        _figures(m, ctx, *acts),
        verdict,
        note=note,
        setting=setting(
            ctx,
            f"MLPs up to {max(ctx.budget.depths)} hidden layers of {ctx.budget.width}",
            "at initialisation and under SGD + momentum",
        ),
        plots=[m["plot"]] if m.get("plot") else [],
    )


@claim(
    "sigmoid-vanishes-with-depth",
    sources(S001, S002),
    "The sigmoid's small derivative reduces its usefulness as more layers are added: it gives rise "
    "to vanishing gradients",
    needs_network=True,
)
def _sigmoid_depth(ctx: Context) -> Finding:
    m = measured(ctx)
    parts = {w: _vanishes(v, ci, w) for w, (v, ci) in _regime("sigmoid", m, ctx).items()}
    return _finding(ctx, m, holds_when(parts, claim="vanishing"), "sigmoid")


@claim(
    "vanishing-exponential",
    S004,
    "Backpropagation multiplies n of these small fractions [sigmoid derivatives], which decreases "
    "the gradient exponentially: the first layer gets almost no gradient",
    needs_network=True,
)
def _exponential(ctx: Context) -> Finding:
    m = measured(ctx)
    deepest = max(ctx.budget.depths)
    signal = np.log(np.array(m["init"]["sigmoid"][1.0][deepest]["signal"], dtype=float))
    layers = np.arange(signal.shape[1], dtype=float)
    r2 = []
    for row in signal:  # the straight line of log signal against the layer: exponential decay
        fit = np.polyval(np.polyfit(layers, row, 1), layers)
        r2.append(1 - np.sum((row - fit) ** 2) / np.sum((row - row.mean()) ** 2))
    value, ci = _factor(m, "sigmoid", 1.0, deepest)
    first_over_last = float(np.exp(np.mean(signal[:, 0] - signal[:, -1])))
    verdict = all_of(
        _vanishes(value, ci, f"1× Glorot, depth {deepest}"),
        at_least(float(np.min(r2)), 0.9, what="smallest R² of log ‖∂L/∂h_l‖ linear in l"),
    )
    f = _finding(
        ctx,
        m,
        verdict,
        "sigmoid",
        note="σ′ ≤ 1/4 bounds each factor by a quarter of the weights' gain, so the decay is "
        "exponential only while that gain stays below 4: the claim leaves the weights out.",
    )
    f.figures.update(
        {
            f"sigmoid: first/last layer signal at depth {deepest}": first_over_last,
            "sigmoid: smallest R² of the exponential fit": float(np.min(r2)),
        }
    )
    return f


@claim(
    "tanh-vanishes-with-depth",
    sources(S000, S002, S003),
    "tanh still kills gradients: it also has the vanishing gradient problem",
    needs_network=True,
)
def _tanh_depth(ctx: Context) -> Finding:
    m = measured(ctx)
    parts = {w: _vanishes(v, ci, w) for w, (v, ci) in _regime("tanh", m, ctx).items()}
    return _finding(
        ctx,
        m,
        holds_when(parts, claim="vanishing"),
        "tanh",
        "sigmoid",
        note="Glorot with zero biases is tanh's critical point, where theory predicts a factor "
        "of 1; below that scale the signal shrinks per layer, above it grows.",
    )


@claim(
    "relu-no-vanishing",
    sources(S001, S003, S004),
    "ReLU has no vanishing (or exploding) gradient problem, since it does not saturate",
    needs_network=True,
)
def _relu_depth(ctx: Context) -> Finding:
    m = measured(ctx)
    parts = {w: _stable(v, ci, w) for w, (v, ci) in _regime("relu", m, ctx).items()}
    f = _finding(
        ctx,
        m,
        holds_when(parts, claim="no vanishing or exploding"),
        "relu",
        note="He et al. (2015) predict ρ equal to the scale for ReLU: the backward variance is "
        "multiplied by ½·n·Var(w) per layer, 1 at He's 2/n.",
    )
    for scale in ctx.budget.scales:
        f.figures[f"relu: He et al. (2015) predicted ρ at {scale:g}× He"] = scale
    return f


__all__ = ["ACTIVATIONS", "at_initialisation", "in_training", "measured"]
