"""Network claims that need no statistics over many runs: linear collapse, Maxout's parameters
and its containing ReLU, the two forms of a Dense layer's activation. (Depth: :mod:`.vanishing`;
dying units: :mod:`.dying`; convergence speed: :mod:`.speed`; smooth gates: :mod:`actlab.lab.claims.smooth`.)"""

from __future__ import annotations

import numpy as np

from ..statistics import mean_interval, paired
from ..verdicts import agrees, all_of, at_most, better
from . import experiments as ex
from .core import S000, S002, S003, S004, Context, Finding, claim

XOR_LINEAR_CEILING = 0.65  # no linear classifier gets far past chance (0.5) on XOR


def _mean(values) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


# -- linear collapse -----------------------------------------------------------------------------
def _collapse(ctx: Context) -> Finding:
    m = ctx.measure(ex.linear_collapse)
    acc = m["accuracy"]
    figures = {
        "max |network − one matrix| (relative)": m["collapse error"],
        **{f"XOR test accuracy, {k}": _mean(v) for k, v in acc.items()},
    }
    linear_mean, linear_ci = mean_interval(acc["deep linear"])
    verdict = all_of(
        agrees(m["collapse error"], 1e-12, what="a 5-layer linear network equals x·W + b"),
        at_most(
            linear_mean,
            XOR_LINEAR_CEILING,
            what="XOR accuracy of the deep linear network",
            interval=linear_ci,
        ),
        better(
            paired(acc["relu"], acc["deep linear"]),
            sesoi=0.05,
            what="XOR accuracy, ReLU network minus deep linear",
            test="relu-beats-linear-on-xor",
        ),
    )
    return Finding(
        "the product of a 5-layer linear network's matrices against the network (float64); "
        "XOR learned by a 4-hidden-layer linear network, by logistic regression and by a "
        "4-hidden-layer ReLU network, over seeds",
        figures,
        verdict,
        note=f"A linear classifier cannot separate XOR: its accuracy stays near chance "
        f"(read here as at most {XOR_LINEAR_CEILING:g}), like logistic regression's.",
        setting=ex.setting(ctx, "4-hidden-layer networks of 64 on XOR", "Adam").replace(
            ex.DATASET_NAMES.get(ctx.budget.dataset, ctx.budget.dataset), "XOR", 1
        ),
    )


claim(
    "linear-collapse",
    S000,
    "Compositions of linear functions are still linear: without "
    "non-linear activations the whole network collapses to regression",
    needs_network=True,
)(_collapse)
claim(
    "linear-collapse-any-depth",
    S003,
    "A neural network without an activation function is just a "
    "giant linear regression model, no matter how many layers",
    needs_network=True,
)(_collapse)
claim(
    "linear-three-layers-as-one",
    S004,
    "With linear activations a three layer network has the same level of complexity as a one layer network",
    needs_network=True,
)(_collapse)


# -- layers ----------------------------------------------------------------------------------------
@claim("maxout-doubles-parameters", S000, "Maxout doubles the number of parameters", needs_network=True)
def _maxout_params(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    ratio = m["params"]["maxout"] / m["params"]["dense"]
    return Finding(
        "parameters of nn.Maxout(32, pieces=2) and nn.Dense(32) on 10 inputs",
        {
            "Dense parameters": m["params"]["dense"],
            "Maxout parameters": m["params"]["maxout"],
            "ratio": ratio,
        },
        agrees(abs(ratio - 2.0), 0.0, what="Maxout/Dense parameters = 2"),
        note="k pieces multiply the layer's parameters by k.",
    )


@claim(
    "maxout-network-contains-relu",
    S000,
    "ReLU is Maxout with w1 = 0 and b1 = 0 (in a network)",
    needs_network=True,
)
def _maxout_relu_net(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding(
        "a Maxout network whose first pieces are set to 0 and second pieces to a ReLU "
        "network's weights, against that ReLU network (float64)",
        {"max |maxout net − relu net|": m["maxout_gap"]},
        agrees(m["maxout_gap"], 1e-12, what="the two networks' outputs"),
    )


@claim(
    "dense-activation-equivalence",
    S002,
    "model.add(Dense(64)); model.add(Activation('tanh')) is "
    "equivalent to model.add(Dense(64, activation='tanh'))",
    needs_network=True,
)
def _dense_forms(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding(
        "both forms trained for an epoch from the same seed: weights and predictions",
        {"max difference": m["separate_gap"]},
        agrees(m["separate_gap"], 0.0, what="bitwise equal"),
    )


@claim(
    "callable-activation",
    S002,
    "You can also pass an element-wise function as an activation: Dense(64, activation=K.tanh)",
    needs_network=True,
)
def _callable(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding(
        "Dense(64, activation=np.tanh) (numerical derivative) against activation='tanh', "
        "trained for an epoch from the same seed: predicted probabilities",
        {"max difference": m["callable_gap"]},
        agrees(m["callable_gap"], 1e-3, what="predictions"),
        note="A plain callable has no derivative, so training uses central differences: "
        "close to, not bitwise equal to, the registered tanh.",
    )
