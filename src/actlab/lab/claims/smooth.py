"""Swish, GELU and ELU against ReLU (and tanh and the sigmoid against both), trained to convergence.

Each activation trains a ``smooth_depth``-hidden-layer MLP with Adam at the learning rate that
gives it the lowest validation loss on the tuning seeds (chosen from ``budget.smooth_lrs``),
until the validation loss (a held-out tenth of the training set) has not improved for
``patience`` epochs, keeping its best weights; test accuracy is then compared seed by seed.
ReLU and Swish are also trained at each batch size of ``budget.batch_sizes``, each tuned there;
with ``budget.cnn`` every activation also trains the small CNN (:func:`.networks.cnn`).

The smallest effect of interest is fixed here, before any run: ACC_SESOI of test accuracy.
With it, each verdict states the power the run had to detect it (from the per-seed spread).
"""

from __future__ import annotations

import numpy as np

from .. import figures
from ..statistics import Comparison, paired, power, seeds_for_power
from ..verdicts import Verdict, all_of, better, no_better, not_testable, not_worse
from .core import S000, S003, S004, Context, Finding, claim, sources
from .experiments import TUNING_SEED, setting, sweep

ACTIVATIONS = ("relu", "swish", "gelu", "elu", "tanh", "sigmoid")
BATCH_ARMS = ("relu", "swish")
BATCH = 32
ACC_SESOI = 0.01  # one point of test accuracy: fixed before the run


def _cells(ctx: Context, acts, batch: int, seeds, model: str = "mlp") -> list[dict]:
    b = ctx.budget
    return [
        {
            "dataset": b.dataset,
            "model": model,
            "activation": a,
            "depth": b.smooth_depth,
            "width": b.width,
            "optimizer": {"name": "adam", "lr": lr},
            "epochs": b.smooth_epochs,
            "batch_size": batch,
            "seed": s,
            "max_train": b.max_train,
            "patience": b.patience,
        }
        for a in acts
        for lr in b.smooth_lrs
        for s in seeds
    ]


def arm(model: str, batch: int) -> str:
    return f"{model}, batch {batch}"


MAIN = arm("mlp", BATCH)


def comparison(ctx: Context) -> dict:
    """{arm ("mlp, batch 32", ...): {act: {"lr": chosen, "accuracy": [per seed], "epochs": [per seed]}}}:
    the MLP at batch 32 with every activation, at the other batch sizes with BATCH_ARMS, and (when
    the budget runs convolutional experiments) the small CNN with every activation."""
    b = ctx.budget
    arms = [("mlp", BATCH, ACTIVATIONS)] + [("mlp", bs, BATCH_ARMS) for bs in b.batch_sizes if bs != BATCH]
    if b.cnn:
        arms.append(("cnn", BATCH, ACTIVATIONS))
    tuning_seeds = range(TUNING_SEED, TUNING_SEED + b.tuning_seeds)
    tuning = [c for model, bs, acts in arms for c in _cells(ctx, acts, bs, tuning_seeds, model)]
    tuned = list(zip(tuning, sweep(ctx, "smooth-tuning", tuning)))
    chosen = {}
    for model, bs, acts in arms:
        for act in acts:
            loss = {
                lr: np.mean(
                    [
                        min(v for v in r["val_loss"] if v is not None) if any(r["val_loss"]) else np.inf
                        for c, r in tuned
                        if c["activation"] == act
                        and c["batch_size"] == bs
                        and c["model"] == model
                        and c["optimizer"]["lr"] == lr
                    ]
                )
                for lr in b.smooth_lrs
            }
            chosen[(model, bs, act)] = min(loss, key=loss.get)
    cell_list = []
    for model, bs, acts in arms:
        for act in acts:
            base = _cells(ctx, (act,), bs, range(b.claim_seeds), model)
            cell_list += [c for c in base if c["optimizer"]["lr"] == chosen[(model, bs, act)]]
    pairs = list(zip(cell_list, sweep(ctx, "smooth-vs-relu", cell_list)))
    out: dict = {}
    for c, r in sorted(pairs, key=lambda p: p[0]["seed"]):
        slot = out.setdefault(arm(c["model"], c["batch_size"]), {}).setdefault(
            c["activation"], {"lr": c["optimizer"]["lr"], "accuracy": [], "epochs": []}
        )
        slot["accuracy"].append(r["test_accuracy"])
        slot["epochs"].append(r["epochs_run"])
    return out


def _measure(ctx: Context) -> dict:
    m = {"runs": ctx.measure(comparison)}
    if ctx.figures:
        diffs = {}
        for where, acts in m["runs"].items():
            for act in acts:
                if act != "relu":
                    c = _diff(m, act, "relu", where)
                    diffs[f"{act} − relu, {where}"] = {
                        "values": list(
                            np.subtract(
                                _v(m["runs"][where][act]["accuracy"]),
                                _v(m["runs"][where]["relu"]["accuracy"]),
                            )
                        ),
                        "low": c.low,
                        "high": c.high,
                    }
        m["plot"] = str(
            figures.paired_differences(
                diffs,
                f"{ctx.figures}/smooth-vs-relu.png",
                xlabel="test accuracy difference, per seed",
                sesoi=ACC_SESOI,
                title="each activation minus ReLU, paired by seed",
            )
        )
    return m


def measured(ctx: Context) -> dict:
    return ctx.measure(_measure)


def _v(values) -> list[float]:
    return [np.nan if v is None else float(v) for v in values]


def _diff(m: dict, a: str, b: str, where: str = MAIN) -> Comparison:
    return paired(_v(m["runs"][where][a]["accuracy"]), _v(m["runs"][where][b]["accuracy"]))


def _networks(m: dict) -> list[str]:
    """The arms at the base batch size: the MLP, and the CNN where it ran."""
    return [where for where in m["runs"] if where.endswith(f"batch {BATCH}")]


def _per_network(m: dict, judge, a: str, b: str, claim_text: str) -> Verdict:
    """One verdict per network (MLP, CNN), joined: "holds only when" where they disagree."""
    from ..verdicts import holds_when

    parts = {where: judge(_diff(m, a, b, where), where) for where in _networks(m)}
    return next(iter(parts.values())) if len(parts) == 1 else holds_when(parts, claim=claim_text)


def _power_note(c: Comparison) -> str:
    p = power(c.n, ACC_SESOI, c.sd)
    need = seeds_for_power(ACC_SESOI, c.sd)
    return (
        f"Power to detect a true difference of {ACC_SESOI:g} (the smallest effect of interest, fixed before "
        f"the run) with {c.n} seeds and the per-seed spread measured (sd {c.sd:.3g}): {p:.0%}; 80% power would "
        f"need {need if need else 'more than 10,000'} seeds."
    )


def _figures(m: dict, *acts: str) -> dict:
    out = {}
    for where, runs in m["runs"].items():
        for act in acts:
            if act in runs:
                out[f"{act} test accuracy, {where}"] = float(np.nanmean(_v(runs[act]["accuracy"])))
                out[f"{act} chosen lr, {where}"] = runs[act]["lr"]
                out[f"{act} epochs trained (early stopping), {where}"] = float(np.mean(runs[act]["epochs"]))
    return out


def _check(ctx: Context) -> str:
    b = ctx.budget
    return (
        f"test accuracy after training to convergence (Adam, early stopping on a held-out tenth of the "
        f"training set, patience {b.patience}, at most {b.smooth_epochs} epochs, best weights kept), each "
        f"activation at its own learning rate from {list(b.smooth_lrs)} chosen on separate seeds; paired by "
        f"seed: mean difference, bootstrap CI, Wilcoxon signed-rank test; smallest effect of interest "
        f"{ACC_SESOI:g}"
    )


def _finding(ctx: Context, m: dict, verdict: Verdict, c: Comparison, *acts: str, note: str = "") -> Finding:
    nets = f"{ctx.budget.smooth_depth}-hidden-layer MLP of {ctx.budget.width}" + (
        " and the small CNN" if any(w.startswith("cnn") for w in m["runs"]) else ""
    )
    return Finding(
        _check(ctx),
        _figures(m, *acts),
        verdict,
        note=(note + " " + _power_note(c)).strip(),
        setting=setting(ctx, nets, "Adam, early stopping"),
        plots=[m["plot"]] if m.get("plot") else [],
    )


@claim(
    "swish-beats-relu",
    S004,
    "Swish is better than ReLU: an increase in accuracy over ReLU",
    needs_network=True,
)
def _swish_better(ctx: Context) -> Finding:
    m = measured(ctx)
    c = _diff(m, "swish", "relu")
    verdict = _per_network(
        m,
        lambda d, w: better(
            d, sesoi=ACC_SESOI, what=f"test accuracy, swish minus relu ({w})", test=f"swish-vs-relu-{w}"
        ),
        "swish",
        "relu",
        "Swish beating ReLU",
    )
    return _finding(
        ctx,
        m,
        verdict,
        c,
        "swish",
        "relu",
        note="Ramachandran et al. report +0.6 to +0.9 points of ImageNet top-1 "
        "for large convolutional networks; this is a small MLP.",
    )


@claim("swish-every-batch-size", S004, "Swish outperforms ReLU in every batch size", needs_network=True)
def _swish_batches(ctx: Context) -> Finding:
    m = measured(ctx)
    parts = [
        better(_diff(m, "swish", "relu", where), sesoi=ACC_SESOI, what=where, test=f"swish-vs-relu-{where}")
        for where in m["runs"]
        if where.startswith("mlp")
    ]
    return _finding(
        ctx,
        m,
        all_of(*parts),
        _diff(m, "swish", "relu"),
        "swish",
        "relu",
        note="Every batch size is trained to convergence with its own tuned learning rate, so "
        "no arm is undertrained.",
    )


@claim("swish-good-alternative", S003, "Swish is a good alternative for ReLU", needs_network=True)
def _swish_alternative(ctx: Context) -> Finding:
    m = measured(ctx)
    c = _diff(m, "swish", "relu")
    verdict = _per_network(
        m,
        lambda d, w: not_worse(d, margin=ACC_SESOI, what=f"test accuracy, swish minus relu ({w})"),
        "swish",
        "relu",
        "Swish as good as ReLU",
    )
    return _finding(ctx, m, verdict, c, "swish", "relu")


@claim(
    "gelu-vs-relu",
    S003,
    "GELU: betterment, the default state of the art (for transformers)",
    needs_network=True,
)
def _gelu_better(ctx: Context) -> Finding:
    m = measured(ctx)
    c = _diff(m, "gelu", "relu")
    f = _finding(
        ctx,
        m,
        not_testable(
            "the claim is about transformers, which this lab does not train; for an MLP, "
            + c.describe("test accuracy, gelu minus relu")
        ),
        c,
        "gelu",
        "relu",
    )
    f.setting = "not measured: transformers (the MLP comparison is shown for reference)"
    return f


@claim("elu-vs-relu-accuracy", S000, "ELU: all benefits of ReLU (as good as ReLU)", needs_network=True)
def _elu(ctx: Context) -> Finding:
    m = measured(ctx)
    c = _diff(m, "elu", "relu")
    verdict = _per_network(
        m,
        lambda d, w: not_worse(d, margin=ACC_SESOI, what=f"test accuracy, elu minus relu ({w})"),
        "elu",
        "relu",
        "ELU as good as ReLU",
    )
    return _finding(ctx, m, verdict, c, "elu", "relu")


@claim(
    "dont-use-sigmoid", sources(S000, S003), "Don't use sigmoid (never in a hidden layer)", needs_network=True
)
def _no_sigmoid(ctx: Context) -> Finding:
    m = measured(ctx)
    a = _diff(m, "relu", "sigmoid")
    verdict = all_of(
        *(
            better(
                _diff(m, other, "sigmoid", where),
                sesoi=ACC_SESOI,
                what=f"test accuracy, {other} minus sigmoid ({where})",
                test=f"{other}-vs-sigmoid-{where}",
            )
            for where in _networks(m)
            for other in ("relu", "tanh")
        )
    )
    return _finding(ctx, m, verdict, a, "relu", "tanh", "sigmoid")


@claim("tanh-dont-expect-much", S000, "Try out tanh but don't expect much (use ReLU)", needs_network=True)
def _tanh_not_better(ctx: Context) -> Finding:
    m = measured(ctx)
    c = _diff(m, "tanh", "relu")
    verdict = _per_network(
        m,
        lambda d, w: no_better(
            d, sesoi=ACC_SESOI, what=f"test accuracy, tanh minus relu ({w})", test=f"tanh-vs-relu-{w}"
        ),
        "tanh",
        "relu",
        "tanh no better than ReLU",
    )
    return _finding(ctx, m, verdict, c, "tanh", "relu")


__all__ = ["ACC_SESOI", "ACTIVATIONS", "comparison", "measured"]
