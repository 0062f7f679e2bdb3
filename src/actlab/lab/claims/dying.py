"""Dying units: a learning-rate sweep with accuracy beside the dead fraction, the learning rate at
which 40% die, recovery, and the activations said not to die, counted by the validated census.

Each activation in DYING_ACTIVATIONS trains a 3-hidden-layer MLP with Adam at every learning
rate of ``budget.dying_lrs``, for each seed. At the final weights the float64 census counts the
dead units over the whole training set under every definition; the verdicts use PRIMARY (the
unit passes back less than a millionth of any gradient on every sample), which does not depend
on how an implementation rounds (exact zeros do: see the calibration tests). Then two more
epochs of plain SGD at RECOVERY_LR show what stays dead.

Born dead (Lu et al. 2019): narrow deep ReLU networks at initialisation, the share of seeds whose
output is constant over the data because a whole layer is dead.
"""

from __future__ import annotations

import math

import numpy as np

from .. import figures
from ..datasets import load
from ..statistics import mean_interval, paired
from ..verdicts import (
    HOLDS_WHEN,
    INCONCLUSIVE,
    NOT_SUPPORTED,
    SUPPORTED,
    Verdict,
    all_of,
    at_least,
    at_most,
    better,
    holds_when,
    varies,
)
from .cells import build
from .core import S000, S001, S002, S003, S004, Context, Finding, claim, sources
from .experiments import setting, sweep

PRIMARY = "derivative_below_1e-06"
MAXOUT = {"name": "maxout", "params": {"pieces": 2}}
DYING_ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "swish", MAXOUT)
DEPTH = 3
RECOVERY_LR, RECOVERY_EPOCHS = 1e-3, 2
NO_DEAD = 0.01  # at most 1% of hidden units dead counts as "does not die"
DEAD_SESOI = 0.05  # a rise of 5 points in the dead fraction is the smallest that matters
ACC_SESOI = 0.01  # one point of test accuracy
FORTY = 0.4
BORN_DEAD_WIDTHS = (2, 4, 8)


def _label(act) -> str:
    return act if isinstance(act, str) else act["name"]


def lr_sweep(ctx: Context) -> dict:
    """{act: {lr: {"dead": [per seed], "accuracy": [...], "still_dead": [...], "all": {definition:
    [...]}, "zero_outputs": [...]}}} (a run that diverged has None)."""
    b = ctx.budget
    cell_list = [
        {
            "dataset": b.dataset,
            "model": "mlp",
            "activation": a,
            "depth": DEPTH,
            "width": b.width,
            "optimizer": {"name": "adam", "lr": lr},
            "epochs": b.dying_epochs,
            "batch_size": 32,
            "seed": s,
            "max_train": b.max_train,
            "census": True,
            "recovery": {"epochs": RECOVERY_EPOCHS, "lr": RECOVERY_LR, "definition": PRIMARY},
        }
        for a in DYING_ACTIVATIONS
        for lr in b.dying_lrs
        for s in range(b.claim_seeds)
    ]
    pairs = list(zip(cell_list, sweep(ctx, "dying-units", cell_list)))
    out: dict = {}
    for c, r in sorted(pairs, key=lambda p: p[0]["seed"]):
        slot = out.setdefault(_label(c["activation"]), {}).setdefault(
            c["optimizer"]["lr"],
            {"dead": [], "accuracy": [], "still_dead": [], "all": {}, "zero_outputs": []},
        )
        dead = r.get("dead") or {}
        slot["dead"].append(dead.get(PRIMARY))
        slot["accuracy"].append(r["test_accuracy"])
        slot["still_dead"].append((r.get("recovery") or {}).get("still_dead"))
        slot["zero_outputs"].append(r.get("zero_outputs"))
        for d, v in dead.items():
            slot["all"].setdefault(d, []).append(v)
    return out


def born_dead(ctx: Context) -> dict:
    """{width: {depth: share of seeds whose ReLU network is constant over the data at initialisation}}."""
    b = ctx.budget
    from ...diagnostics.nn import census

    ds = load(b.dataset, seed=0)
    x = ds.x_train[:512]
    out = {}
    for width in BORN_DEAD_WIDTHS:
        for depth in b.depths:
            dead = 0
            for seed in range(b.claim_seeds):
                model = build(
                    {
                        "model": "mlp",
                        "activation": "relu",
                        "depth": depth,
                        "width": width,
                        "init_scale": 1.0,
                        "seed": seed,
                    },
                    ds.x_train.shape[1:],
                    ds.n_classes,
                )
                layers = census(model, x)["layers"]
                dead += any(layer["dead"]["constant_output"] == 1.0 for layer in layers)
            out.setdefault(width, {})[depth] = dead / b.claim_seeds
    return out


def _measure(ctx: Context) -> dict:
    m = {"runs": ctx.measure(lr_sweep), "born_dead": ctx.measure(born_dead)}
    if ctx.figures:
        curves = {
            a: {
                "lr": sorted(r),
                "dead": [r[lr]["dead"] for lr in sorted(r)],
                "accuracy": [r[lr]["accuracy"] for lr in sorted(r)],
            }
            for a, r in m["runs"].items()
        }
        m["plot"] = str(
            figures.dead_vs_lr(
                curves,
                f"{ctx.figures}/dead-vs-lr.png",
                definition_label="max |f′| < 1e-6 on every sample, float64",
            )
        )
    return m


def measured(ctx: Context) -> dict:
    return ctx.measure(_measure)


def _values(v: list) -> list[float]:
    return [math.nan if x is None else float(x) for x in v]


def _mean(v: list) -> float | None:
    v = [x for x in v if x is not None]
    return float(np.mean(v)) if v else None


def _setting(ctx: Context) -> str:
    return setting(
        ctx,
        f"{DEPTH}-hidden-layer MLP of {ctx.budget.width}",
        f"Adam at lr {', '.join(f'{lr:g}' for lr in ctx.budget.dying_lrs)}, {ctx.budget.dying_epochs} epochs",
    )


_CHECK = (
    "dead fraction of hidden units at the final weights over the whole training set, float64 census "
    f"({PRIMARY.replace('_', ' ')}: the unit passes back under a millionth of any gradient on every "
    f"sample; the other definitions in the figures), test accuracy beside it, and the share still dead "
    f"after {RECOVERY_EPOCHS} more epochs of SGD at lr {RECOVERY_LR:g}"
)


def _finding(ctx: Context, m: dict, verdict: Verdict, figures_: dict, note: str = "") -> Finding:
    return Finding(
        _CHECK,
        figures_,
        verdict,
        note=note,
        setting=_setting(ctx),
        plots=[m["plot"]] if m.get("plot") else [],
    )


def _table(m: dict, *acts: str) -> dict:
    out = {}
    for act in acts:
        for lr, r in m["runs"][act].items():
            out[f"{act} dead fraction at lr {lr:g}"] = _mean(r["dead"])
            out[f"{act} test accuracy at lr {lr:g}"] = _mean(r["accuracy"])
    return out


def _worst_lr(m: dict, act: str = "relu") -> float:
    """The learning rate at which ``act`` lost the most units (on average)."""
    runs = m["runs"][act]
    return max(runs, key=lambda lr: _mean(runs[lr]["dead"]) or 0.0)


def _relu_dies(ctx: Context) -> Finding:
    m = measured(ctx)
    runs = m["runs"]["relu"]
    lrs = sorted(runs)
    hi = _worst_lr(m)
    rise = paired(_values(runs[hi]["dead"]), _values(runs[lrs[0]]["dead"]))
    still, still_ci = mean_interval(_values(runs[hi]["still_dead"]))
    verdict = all_of(
        better(
            rise,
            sesoi=DEAD_SESOI,
            what=f"ReLU dead fraction, lr {hi:g} minus lr {lrs[0]:g}",
            test="relu-dead-rises-with-lr",
        ),
        at_least(
            still,
            0.9,
            what=f"share of ReLU's dead units still dead after {RECOVERY_EPOCHS} "
            f"epochs at lr {RECOVERY_LR:g}",
            interval=still_ci,
        ),
    )
    figures_ = {**_table(m, "relu"), f"relu: share of dead units still dead after recovery, lr {hi:g}": still}
    return _finding(ctx, m, verdict, figures_)


claim(
    "relu-dies",
    S002,
    "Some ReLU gradients are fragile and can die: a weight update makes the unit "
    "never activate on any data point again (dead neurons)",
    needs_network=True,
)(_relu_dies)
claim(
    "relu-dies-check-stats",
    S003,
    "If the 'dying ReLU' problem occurs (check activation stats), use leaky ReLU",
    needs_network=True,
)(_relu_dies)


def lr_at_fraction(lrs: list[float], dead: list[float], fraction: float) -> float | None:
    """The learning rate at which the dead fraction first reaches ``fraction``, interpolated on
    log lr between the two rates around it; None if it never does."""
    for i, d in enumerate(dead):
        if d is not None and d >= fraction:
            if i == 0 or dead[i - 1] is None:
                return float(lrs[i])
            lo, hi = math.log(lrs[i - 1]), math.log(lrs[i])
            return float(math.exp(lo + (fraction - dead[i - 1]) / (d - dead[i - 1]) * (hi - lo)))
    return None


@claim(
    "relu-dead-fraction-40",
    S004,
    "It is so bad that sometimes 40% of a network can die off",
    needs_network=True,
)
def _forty(ctx: Context) -> Finding:
    m = measured(ctx)
    runs = m["runs"]["relu"]
    lrs = sorted(runs)
    n = len(runs[lrs[0]]["dead"])
    per_seed = [lr_at_fraction(lrs, [runs[lr]["dead"][s] for lr in lrs], FORTY) for s in range(n)]
    reached = [v for v in per_seed if v is not None]
    figures_ = {**_table(m, "relu"), "seeds where 40% died at some lr": f"{len(reached)}/{n}"}
    for width, by_depth in m["born_dead"].items():
        for depth, share in by_depth.items():
            figures_[f"born dead (Lu et al. 2019): width {width}, {depth} layers"] = share
    if not reached:
        verdict = Verdict(
            INCONCLUSIVE,
            f"40% of ReLU units did not die at any learning rate up to {lrs[-1]:g} in this setting",
        )
    else:
        median = float(np.median(reached))
        lo_lr = lrs[0]
        figures_["learning rate at which 40% die (median over seeds)"] = median
        figures_["its range over seeds"] = f"[{min(reached):.3g}, {max(reached):.3g}]"
        low_dead = _mean(runs[lo_lr]["dead"]) or 0.0
        verdict = (
            Verdict(
                HOLDS_WHEN,
                f"40% of ReLU's hidden units die when Adam's learning rate is about "
                f"{median:.3g} or more (seen in {len(reached)} of {n} seeds); at lr {lo_lr:g} "
                f"{low_dead:.1%} die",
            )
            if low_dead < FORTY
            else Verdict(SUPPORTED, f"40% die already at lr {lo_lr:g}")
        )
    return _finding(
        ctx,
        m,
        verdict,
        figures_,
        note="The figure comes from Karpathy's CS231n notes, where it needs a learning rate set "
        "too high: the condition the seed leaves off. Lu et al. (2019) prove that a deep "
        "ReLU network of fixed width is born dead with a probability that tends to 1 with "
        "depth; the born-dead shares above measure it on narrow networks.",
    )


@claim(
    "dead-units-hurt",
    S001,
    "ReLUs that are always inactive: if we get too many of these it hurts the performance of the network",
    needs_network=True,
)
def _hurt(ctx: Context) -> Finding:
    m = measured(ctx)
    hi = _worst_lr(m)
    c = paired(_values(m["runs"]["leaky_relu"][hi]["accuracy"]), _values(m["runs"]["relu"][hi]["accuracy"]))
    return _finding(
        ctx,
        m,
        better(
            c,
            sesoi=ACC_SESOI,
            what=f"test accuracy, leaky_relu minus relu at lr {hi:g}",
            test="leaky-beats-relu-where-relu-dies",
        ),
        _table(m, "relu", "leaky_relu"),
        note="Leaky ReLU differs from ReLU only in the slope below 0 (0.01 against 0), so its "
        "units cannot die: the gap at the rate where ReLU loses the most units is what "
        "the dead units cost.",
    )


@claim(
    "learning-rate-matters", S000, "Be careful with your learning rates / initialization", needs_network=True
)
def _lr(ctx: Context) -> Finding:
    m = measured(ctx)
    runs = m["runs"]["relu"]
    best = max(runs, key=lambda lr: _mean(runs[lr]["accuracy"]) or 0.0)
    worst = min(runs, key=lambda lr: _mean(runs[lr]["accuracy"]) or 0.0)
    c = paired(_values(runs[best]["accuracy"]), _values(runs[worst]["accuracy"]))
    return _finding(
        ctx,
        m,
        better(
            c,
            sesoi=ACC_SESOI,
            what=f"ReLU test accuracy at lr {best:g} minus lr {worst:g}",
            test="relu-accuracy-depends-on-lr",
        ),
        _table(m, "relu"),
        note="The initialisation half is measured by relu-no-vanishing: at 2× He the signal "
        "explodes per layer, at 0.5× it vanishes.",
    )


def _no_dying(act: str):
    def check(ctx: Context) -> Finding:
        m = measured(ctx)
        runs = m["runs"][act]
        parts = {
            f"lr {lr:g}": at_most(
                max((v for v in runs[lr]["dead"] if v is not None), default=math.nan),
                NO_DEAD,
                what=f"{act}'s largest dead fraction over seeds",
            )
            for lr in sorted(runs)
        }
        hi = _worst_lr(m)
        fewer = better(
            paired(_values(m["runs"]["relu"][hi]["dead"]), _values(runs[hi]["dead"])),
            sesoi=DEAD_SESOI,
            what=f"dead fraction, relu minus {act} at lr {hi:g}",
            test=f"{act}-dies-less-than-relu",
        )
        verdict = holds_when(parts, claim=f"{act} not dying")
        if (
            verdict.label == SUPPORTED
        ):  # not dying where ReLU does is the claim; if ReLU does not either, no test
            verdict = (
                all_of(verdict, fewer)
                if fewer.label != NOT_SUPPORTED
                else Verdict(
                    INCONCLUSIVE, f"{verdict.reason}; but ReLU did not die here either ({fewer.reason})"
                )
            )
        figures_ = _table(m, act, "relu")
        for d, v in runs[hi]["all"].items():
            figures_[f"{act} at lr {hi:g}, dead by {d.replace('_', ' ')}"] = _mean(v)
        return _finding(ctx, m, verdict, figures_)

    return check


for _act, _src, _statement in (
    (
        "leaky_relu",
        sources(S000, S003),
        "Leaky ReLU will not die: the small slope for negative inputs lets neurons recover",
    ),
    ("elu", S000, "Try ELU [when ReLUs die]: all the benefits of ReLU"),
    ("maxout", S000, "Maxout fixes the dying ReLU problem"),
    ("gelu", S001, "GELU is also a way to solve the dying ReLU problem"),
    ("swish", S004, "Swish: no dying ReLU"),
):
    claim(f"{_act}-does-not-die", _src, _statement, needs_network=True)(_no_dying(_act))


@claim(
    "leaky-relu-inconsistent",
    S004,
    "Some report that Leaky ReLU helps fix dying ReLU, but this is not consistent",
    needs_network=True,
)
def _inconsistent(ctx: Context) -> Finding:
    m = measured(ctx)
    hi = _worst_lr(m)
    a, b = _values(m["runs"]["leaky_relu"][hi]["accuracy"]), _values(m["runs"]["relu"][hi]["accuracy"])
    d = np.array(a) - np.array(b)
    d = d[np.isfinite(d)]
    spread = (float(d.min()), float(d.max())) if d.size else (math.nan, math.nan)
    return _finding(
        ctx,
        m,
        varies(
            paired(a, b), spread, margin=ACC_SESOI, what=f"test accuracy, leaky_relu minus relu at lr {hi:g}"
        ),
        _table(m, "relu", "leaky_relu"),
    )


@claim(
    "relu-sparsity-half",
    S004,
    "ReLU gives sparse activation: only about 50% of the neurons fire",
    needs_network=True,
)
def _sparsity(ctx: Context) -> Finding:
    m = measured(ctx)
    lo = sorted(m["runs"]["relu"])[0]
    value, ci = mean_interval(_values(m["runs"]["relu"][lo]["zero_outputs"]))
    return _finding(
        ctx,
        m,
        all_of(
            at_least(value, 0.35, what="share of zero outputs", interval=ci),
            at_most(value, 0.65, what="share of zero outputs", interval=ci),
        ),
        {"share of ReLU outputs that are exactly 0, over the training set": value},
        note=f"At lr {lo:g}; 'about 50%' is read as 35% to 65%.",
    )


__all__ = ["DYING_ACTIVATIONS", "PRIMARY", "born_dead", "lr_at_fraction", "lr_sweep", "measured"]
