"""Claims about activations inside trained networks, judged on the experiments' measurements.

Margins: a difference in test accuracy matters from 1 percentage point (ACC_MARGIN), in epochs to
the target from half an epoch (EPOCH_MARGIN); dead fractions below 1% count as none.
"""
from __future__ import annotations

import numpy as np

from ..verdicts import (INCONCLUSIVE, Verdict, agrees, all_of, at_least, at_most, better, mean_interval,
                        no_better, not_worse, observed, paired_difference, paired_ratio, varies)
from . import experiments as ex
from .core import S000, S001, S002, S003, S004, Context, Finding, claim, sources

ACC_MARGIN = 0.01
EPOCH_MARGIN = 0.5
NO_DEAD = 0.01
XOR_LINEAR_CEILING = 0.65  # no linear classifier gets far past chance (0.5) on XOR


def _mean(values) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


# -- linear collapse -----------------------------------------------------------------------------
def _collapse(ctx: Context) -> Finding:
    m = ctx.measure(ex.linear_collapse)
    acc = m["accuracy"]
    figures = {"max |network − one matrix| (relative)": m["collapse error"],
               **{f"XOR test accuracy, {k}": _mean(v) for k, v in acc.items()}}
    linear_mean, linear_ci = mean_interval(acc["deep linear"])
    verdict = all_of(
        agrees(m["collapse error"], 1e-12, what="a 5-layer linear network equals x·W + b"),
        at_most(linear_mean, XOR_LINEAR_CEILING, what="XOR accuracy of the deep linear network",
                interval=linear_ci),
        better(paired_difference(acc["relu"], acc["deep linear"]), margin=0.05,
               what="XOR accuracy, ReLU network minus deep linear"))
    return Finding("the product of a 5-layer linear network's matrices against the network (float64); "
                   "XOR learned by a 4-hidden-layer linear network, by logistic regression and by a "
                   "4-hidden-layer ReLU network, over seeds", figures, verdict,
                   note=f"A linear classifier cannot separate XOR: its accuracy stays near chance "
                        f"(read here as at most {XOR_LINEAR_CEILING:g}), like logistic regression's.")


claim("linear-collapse", S000, "Compositions of linear functions are still linear: without "
      "non-linear activations the whole network collapses to regression", needs_network=True)(_collapse)
claim("linear-collapse-any-depth", S003, "A neural network without an activation function is just a "
      "giant linear regression model, no matter how many layers", needs_network=True)(_collapse)
claim("linear-three-layers-as-one", S004, "With linear activations a three layer network has the same "
      "level of complexity as a one layer network", needs_network=True)(_collapse)


# -- gradients against depth ---------------------------------------------------------------------
def _gradient_figures(m: dict, act: str) -> dict:
    g = m[act]
    deepest = max(g["log10_ratio"])
    return {f"{act}: per-layer gradient factor": g["per_layer_factor"],
            f"{act}: first/last gradient norm at depth {deepest}": g["deepest_ratio"],
            f"{act}: fit R²": g["r2"]}


_GRAD_CHECK = ("‖∂L/∂W_first‖ / ‖∂L/∂W_last‖ at initialisation (Glorot for sigmoid/tanh, He for ReLU, "
               "from the metadata) on a batch of 256 digits, against the number of hidden layers; the "
               "per-layer factor is 10^slope of the mean log-ratio against depth")


@claim("sigmoid-vanishes-with-depth", sources(S001, S002),
       "The sigmoid's small derivative reduces its usefulness as more layers are added: it gives rise "
       "to vanishing gradients", needs_network=True)
def _sigmoid_depth(ctx: Context) -> Finding:
    m = ctx.measure(ex.initial_gradients)
    return Finding(_GRAD_CHECK, _gradient_figures(m, "sigmoid"),
                   at_most(m["sigmoid"]["per_layer_factor"], 0.5, what="sigmoid's per-layer gradient factor"))


@claim("vanishing-exponential", S004,
       "Backpropagation multiplies n of these small fractions [sigmoid derivatives], which decreases "
       "the gradient exponentially: the first layer gets almost no gradient", needs_network=True)
def _exponential(ctx: Context) -> Finding:
    m = ctx.measure(ex.initial_gradients)
    g = m["sigmoid"]
    return Finding(_GRAD_CHECK, _gradient_figures(m, "sigmoid"),
                   all_of(at_most(g["per_layer_factor"], 0.9, what="sigmoid's per-layer factor"),
                          at_least(g["r2"], 0.9, what="R² of log-ratio linear in depth")),
                   note="Exponential decay shows as a straight line of log(ratio) against depth.")


@claim("tanh-vanishes-with-depth", sources(S000, S002, S003),
       "tanh still kills gradients: it also has the vanishing gradient problem", needs_network=True)
def _tanh_depth(ctx: Context) -> Finding:
    m = ctx.measure(ex.initial_gradients)
    return Finding(_GRAD_CHECK, {**_gradient_figures(m, "tanh"), **_gradient_figures(m, "sigmoid")},
                   at_most(m["tanh"]["per_layer_factor"], 0.9, what="tanh's per-layer gradient factor"),
                   note="Measured at initialisation, where Glorot's scaling keeps tanh near its linear "
                        "part; saturation that develops in training (see the diagnostics) is not in "
                        "this figure.")


@claim("relu-no-vanishing", sources(S001, S003, S004),
       "ReLU has no vanishing (or exploding) gradient problem, since it does not saturate",
       needs_network=True)
def _relu_depth(ctx: Context) -> Finding:
    m = ctx.measure(ex.initial_gradients)
    f = m["relu"]["per_layer_factor"]
    return Finding(_GRAD_CHECK, _gradient_figures(m, "relu"),
                   all_of(at_least(f, 0.8, what="ReLU's per-layer factor"),
                          at_most(f, 1.25, what="ReLU's per-layer factor")),
                   note="With He initialisation; with a badly scaled initialisation ReLU networks do "
                        "explode or vanish (the factor is then the weight scale).")


# -- dying units ---------------------------------------------------------------------------------
_DYING_CHECK = (f"a {ex.DYING_DEPTH}-hidden-layer MLP on digits trained with Adam at lr {ex.LOW_LR:g} and "
                f"{ex.HIGH_LR:g}; dead = zero derivative on every training sample of the last epoch")


def _dead_figures(runs: dict, *acts: str) -> dict:
    figures = {}
    for act in acts:
        for lr in ("low", "high"):
            figures[f"{act} dead fraction, {lr} lr"] = _mean(runs[act][lr]["dead"])
        figures[f"{act} test accuracy, high lr"] = _mean(runs[act]["high"]["accuracy"])
    return figures


def _relu_dies(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    high = runs["relu"]["high"]["dead"]
    m, ci = mean_interval(high)
    verdict = all_of(at_least(m, 0.1, what="ReLU dead fraction at the high lr", interval=ci),
                     better(paired_difference(high, runs["relu"]["low"]["dead"]), margin=0.05,
                            what="dead fraction, high minus low lr"))
    return Finding(_DYING_CHECK, _dead_figures(runs, "relu"), verdict)


claim("relu-dies", S002, "Some ReLU gradients are fragile and can die: a weight update makes the unit "
      "never activate on any data point again (dead neurons)", needs_network=True)(_relu_dies)
claim("relu-dies-check-stats", S003, "If the 'dying ReLU' problem occurs (check activation stats), use "
      "leaky ReLU", needs_network=True)(_relu_dies)


@claim("relu-dead-fraction-40", S004, "It is so bad that sometimes 40% of a network can die off",
       needs_network=True)
def _forty(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    worst = runs["relu"]["low"]["worst_layer"] + runs["relu"]["high"]["worst_layer"]
    whole = runs["relu"]["low"]["dead"] + runs["relu"]["high"]["dead"]
    figures = {"largest dead fraction of a layer": max(worst), "largest dead fraction of a network": max(whole)}
    return Finding(_DYING_CHECK + "; the share of runs where at least 40% of the hidden units were dead",
                   figures, observed(sum(d >= 0.4 for d in whole), len(whole),
                                     what="ReLU networks with ≥ 40% of hidden units dead"))


@claim("dead-units-hurt", S001, "ReLUs that are always inactive: if we get too many of these it "
       "hurts the performance of the network", needs_network=True)
def _hurt(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    return Finding(_DYING_CHECK + "; test accuracy of Leaky ReLU (whose units cannot die) against ReLU at "
                   "the high lr, paired by seed", _dead_figures(runs, "relu", "leaky_relu"),
                   better(paired_difference(runs["leaky_relu"]["high"]["accuracy"], runs["relu"]["high"]["accuracy"]),
                          margin=ACC_MARGIN, what="test accuracy, leaky_relu minus relu at the high lr"),
                   note="The two networks differ only in the slope for x < 0 (0.01 against 0).")


@claim("learning-rate-matters", S000, "Be careful with your learning rates / initialization",
       needs_network=True)
def _lr(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    return Finding(_DYING_CHECK + "; ReLU's test accuracy at the two rates, paired by seed",
                   _dead_figures(runs, "relu") | {"relu test accuracy, low lr": _mean(runs["relu"]["low"]["accuracy"])},
                   better(paired_difference(runs["relu"]["low"]["accuracy"], runs["relu"]["high"]["accuracy"]),
                          margin=ACC_MARGIN, what="ReLU test accuracy, low minus high lr"))


def _no_dying(spec):
    act = spec if isinstance(spec, str) else spec["name"]

    def check(ctx: Context) -> Finding:
        runs = ctx.measure(ex.dying_units)
        dead = runs[act]["high"]["dead"]
        figures = _dead_figures(runs, act, "relu")
        below = ex.float32_dead_below(spec)
        note = ""
        if below is not None:
            figures["float32 derivative is exactly 0 below x ="] = below
            note = (f"In float32 the derivative the engine back-propagates is exactly 0 for inputs "
                    f"below {below:.4g}: a unit driven that far on every sample is as dead as a ReLU "
                    "unit (the slope is only asymptotically non-zero).")
        return Finding(_DYING_CHECK, figures,
                       all_of(at_most(max(dead), NO_DEAD, what=f"{act}'s largest dead fraction at the high lr"),
                              better(paired_difference(runs["relu"]["high"]["dead"], dead), margin=0.05,
                                     what=f"dead fraction, relu minus {act} at the high lr")),
                       note=note)
    return check


for _act, _src, _statement in (
        ("leaky_relu", sources(S000, S003), "Leaky ReLU will not die: the small slope for negative inputs "
                                            "lets neurons recover"),
        ("elu", S000, "Try ELU [when ReLUs die]: all the benefits of ReLU"),
        (ex.MAXOUT, S000, "Maxout fixes the dying ReLU problem"),
        ("gelu", S001, "GELU is also a way to solve the dying ReLU problem"),
        ("swish", S004, "Swish: no dying ReLU")):
    _name = _act if isinstance(_act, str) else _act["name"]
    claim(f"{_name}-does-not-die", _src, _statement, needs_network=True)(_no_dying(_act))


@claim("leaky-relu-inconsistent", S004, "Some report that Leaky ReLU helps fix dying ReLU, but this is "
       "not consistent", needs_network=True)
def _inconsistent(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    return Finding(_DYING_CHECK + "; Leaky ReLU minus ReLU test accuracy per seed at the high lr",
                   _dead_figures(runs, "relu", "leaky_relu"),
                   varies(runs["leaky_relu"]["high"]["accuracy"], runs["relu"]["high"]["accuracy"],
                          margin=ACC_MARGIN, what="test accuracy, leaky_relu minus relu"))


@claim("relu-sparsity-half", S004, "ReLU gives sparse activation: only about 50% of the neurons fire",
       needs_network=True)
def _sparsity(ctx: Context) -> Finding:
    runs = ctx.measure(ex.dying_units)
    s = [x for x in runs["relu"]["low"]["sparsity"] if x is not None]
    m, ci = mean_interval(s)
    return Finding(_DYING_CHECK + "; the share of exact zeros in ReLU layers' outputs over the last "
                   "epoch at the usual lr", {"share of zero outputs": m},
                   all_of(at_least(m, 0.35, what="zero share", interval=ci),
                          at_most(m, 0.65, what="zero share", interval=ci)),
                   note="'About 50%' is read as 35% to 65%.")


# -- convergence speed ---------------------------------------------------------------------------
def _conv_check(m: dict) -> str:
    return (f"SGD on digits, {ex.CONVERGENCE_DEPTH} hidden layers, epochs until the training accuracy "
            f"reaches {m['target']:g} (interpolated within an epoch; a run that never does counts as "
            f"{m['epochs'] + 1}), each activation at its fastest learning rate on a separate seed")


def _conv_figures(m: dict, *acts: str) -> dict:
    figures = {}
    for act in acts:
        figures[f"{act} epochs to target"] = _mean(m[act]["epochs_to_target"])
        figures[f"{act} runs reaching it"] = f"{m[act]['reached']}/{len(m[act]['epochs_to_target'])}"
        figures[f"{act} learning rate"] = m[act]["lr"]
    return figures


def _unreached(m: dict, fast: str) -> Verdict | None:
    """Inconclusive when the faster-claimed activation never reached the target: the censored
    counts then say nothing about speed."""
    if m[fast]["reached"] == 0:
        return Verdict(INCONCLUSIVE, f"{fast} never reached the target within {m['epochs']} epochs")
    return None


def _faster(m: dict, slow: str, fast: str) -> Verdict:
    return _unreached(m, fast) or better(
        paired_difference(m[slow]["epochs_to_target"], m[fast]["epochs_to_target"]),
        margin=EPOCH_MARGIN, what=f"epochs to target, {slow} minus {fast}")


@claim("relu-converges-faster", S000, "ReLU converges much faster than sigmoid/tanh in practice",
       needs_network=True)
def _relu_faster(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    return Finding(_conv_check(m), _conv_figures(m, "relu", "tanh", "sigmoid"),
                   all_of(_faster(m, "tanh", "relu"), _faster(m, "sigmoid", "relu")))


@claim("relu-six-times-faster", S002, "ReLU had a 6 times improvement in convergence over tanh",
       needs_network=True)
def _six(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    ratio, ci, n = paired_ratio(m["tanh"]["epochs_to_target"], m["relu"]["epochs_to_target"])
    figures = {**_conv_figures(m, "relu", "tanh"), "tanh / relu epochs (geometric mean)": ratio}
    verdict = _unreached(m, "relu") or at_least(ratio, 6.0, what="tanh/relu epochs to target", interval=ci)
    return Finding(_conv_check(m), figures, verdict,
                   note="Krizhevsky et al. (2012) measured six times fewer epochs to 25% training error "
                        "for a four-layer convolutional network on CIFAR-10 (50,000 images, momentum "
                        f"SGD, weight decay). Here: a {ex.CONVERGENCE_DEPTH}-hidden-layer MLP on "
                        f"{m['train_samples']} digit images, plain SGD, a {1 - m['target']:.0%} "
                        "training-error target, each activation at its own best learning rate. The "
                        "speed-up is a property of the setting, not of ReLU alone.")


@claim("sigmoid-slow", S002, "With sigmoids the network refuses to learn further or is drastically slow",
       needs_network=True)
def _sigmoid_slow(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    ratio, ci, n = paired_ratio(m["sigmoid"]["epochs_to_target"], m["relu"]["epochs_to_target"])
    return Finding(_conv_check(m), {**_conv_figures(m, "sigmoid", "relu"), "sigmoid / relu epochs": ratio},
                   _unreached(m, "relu") or at_least(ratio, 2.0, what="sigmoid/relu epochs to target", interval=ci),
                   note="'Drastically slow' is read as at least twice the epochs of ReLU.")


def _tanh_over_sigmoid(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    return Finding(_conv_check(m), _conv_figures(m, "tanh", "sigmoid"), _faster(m, "sigmoid", "tanh"))


claim("tanh-preferred-over-sigmoid", S002, "tanh is zero-centred, so optimisation is easier: in practice "
      "it is always preferred over the sigmoid", needs_network=True)(_tanh_over_sigmoid)
claim("tanh-converges-faster", S003, "tanh is zero-centered, leading to faster convergence (than sigmoid)",
      needs_network=True)(_tanh_over_sigmoid)


@claim("dont-use-sigmoid", sources(S000, S003), "Don't use sigmoid (never in a hidden layer)",
       needs_network=True)
def _no_sigmoid(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    figures = {f"{a} test accuracy": _mean(m[a]["accuracy"]) for a in ("relu", "tanh", "sigmoid")}
    return Finding(_conv_check(m) + "; test accuracy after the same number of epochs", figures,
                   all_of(better(paired_difference(m["relu"]["accuracy"], m["sigmoid"]["accuracy"]),
                                 margin=ACC_MARGIN, what="test accuracy, relu minus sigmoid"),
                          better(paired_difference(m["tanh"]["accuracy"], m["sigmoid"]["accuracy"]),
                                 margin=ACC_MARGIN, what="test accuracy, tanh minus sigmoid")))


@claim("tanh-dont-expect-much", S000, "Try out tanh but don't expect much (use ReLU)", needs_network=True)
def _tanh_not_better(ctx: Context) -> Finding:
    m = ctx.measure(ex.convergence)
    figures = {f"{a} test accuracy": _mean(m[a]["accuracy"]) for a in ("relu", "tanh")}
    return Finding(_conv_check(m) + "; test accuracy after the same number of epochs", figures,
                   no_better(paired_difference(m["tanh"]["accuracy"], m["relu"]["accuracy"]),
                             margin=ACC_MARGIN, what="test accuracy, tanh minus relu"))


# -- Swish and GELU against ReLU -----------------------------------------------------------------
def _smooth_check(ctx: Context) -> str:
    return (f"test accuracy on digits, 2 hidden layers of {ctx.budget.width}, Adam, {ctx.budget.epochs} "
            f"epochs, paired by seed; batch sizes {list(ctx.budget.batch_sizes)}; paired t-test")


def _pooled(m: dict, act: str) -> list:
    return [a for bs in m for a in m[bs][act]]


@claim("swish-beats-relu", S004, "Swish is better than ReLU: an increase in accuracy over ReLU",
       needs_network=True)
def _swish_better(ctx: Context) -> Finding:
    m = ctx.measure(ex.smooth_vs_relu)
    figures = {f"{a} test accuracy": _mean(_pooled(m, a)) for a in ("swish", "relu")}
    return Finding(_smooth_check(ctx), figures,
                   better(paired_difference(_pooled(m, "swish"), _pooled(m, "relu")), margin=ACC_MARGIN / 2,
                          what="test accuracy, swish minus relu"),
                   note="Ramachandran et al. report +0.6 to +0.9 points on ImageNet-scale models; "
                        "this is a small MLP on digits, where a gain that size is within the seed-to-seed "
                        "spread unless many seeds are run.")


@claim("swish-every-batch-size", S004, "Swish outperforms ReLU in every batch size", needs_network=True)
def _swish_batches(ctx: Context) -> Finding:
    m = ctx.measure(ex.smooth_vs_relu)
    figures = {f"swish − relu accuracy, batch {bs}": _mean(np.subtract(m[bs]["swish"], m[bs]["relu"]))
               for bs in m}
    return Finding(_smooth_check(ctx), figures,
                   all_of(*(better(paired_difference(m[bs]["swish"], m[bs]["relu"]), margin=ACC_MARGIN / 2,
                                   what=f"batch {bs}") for bs in m)))


@claim("swish-good-alternative", S003, "Swish is a good alternative for ReLU", needs_network=True)
def _swish_alternative(ctx: Context) -> Finding:
    m = ctx.measure(ex.smooth_vs_relu)
    figures = {f"{a} test accuracy": _mean(_pooled(m, a)) for a in ("swish", "relu")}
    return Finding(_smooth_check(ctx), figures,
                   not_worse(paired_difference(_pooled(m, "swish"), _pooled(m, "relu")), margin=ACC_MARGIN,
                             what="test accuracy, swish minus relu"))


@claim("gelu-vs-relu", S003, "GELU: betterment, the default state of the art (for transformers)",
       needs_network=True)
def _gelu_better(ctx: Context) -> Finding:
    m = ctx.measure(ex.smooth_vs_relu)
    figures = {f"{a} test accuracy": _mean(_pooled(m, a)) for a in ("gelu", "relu")}
    return Finding(_smooth_check(ctx), figures,
                   better(paired_difference(_pooled(m, "gelu"), _pooled(m, "relu")), margin=ACC_MARGIN / 2,
                          what="test accuracy, gelu minus relu"),
                   note="Measured in an MLP on digits, not in a transformer, where GELU's reputation comes from.")


# -- layers ----------------------------------------------------------------------------------------
@claim("maxout-doubles-parameters", S000, "Maxout doubles the number of parameters", needs_network=True)
def _maxout_params(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    ratio = m["params"]["maxout"] / m["params"]["dense"]
    return Finding("parameters of nn.Maxout(32, pieces=2) and nn.Dense(32) on 10 inputs",
                   {"Dense parameters": m["params"]["dense"], "Maxout parameters": m["params"]["maxout"],
                    "ratio": ratio}, agrees(abs(ratio - 2.0), 0.0, what="Maxout/Dense parameters = 2"),
                   note="k pieces multiply the layer's parameters by k.")


@claim("maxout-network-contains-relu", S000, "ReLU is Maxout with w1 = 0 and b1 = 0 (in a network)",
       needs_network=True)
def _maxout_relu_net(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding("a Maxout network whose first pieces are set to 0 and second pieces to a ReLU "
                   "network's weights, against that ReLU network (float64)",
                   {"max |maxout net − relu net|": m["maxout_gap"]},
                   agrees(m["maxout_gap"], 1e-12, what="the two networks' outputs"))


@claim("dense-activation-equivalence", S002, "model.add(Dense(64)); model.add(Activation('tanh')) is "
       "equivalent to model.add(Dense(64, activation='tanh'))", needs_network=True)
def _dense_forms(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding("both forms trained for an epoch from the same seed: weights and predictions",
                   {"max difference": m["separate_gap"]}, agrees(m["separate_gap"], 0.0, what="bitwise equal"))


@claim("callable-activation", S002, "You can also pass an element-wise function as an activation: "
       "Dense(64, activation=K.tanh)", needs_network=True)
def _callable(ctx: Context) -> Finding:
    m = ctx.measure(ex.layer_identities)
    return Finding("Dense(64, activation=np.tanh) (numerical derivative) against activation='tanh', "
                   "trained for an epoch from the same seed: predicted probabilities",
                   {"max difference": m["callable_gap"]}, agrees(m["callable_gap"], 1e-3, what="predictions"),
                   note="A plain callable has no derivative, so training uses central differences: "
                        "close to, not bitwise equal to, the registered tanh.")
