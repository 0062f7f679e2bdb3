"""The page's opening: why activations exist and why ReLU replaced sigmoid, in five steps, each
with a figure computed by actlab (curves from the registry, networks from :mod:`.lessons`);
then "Watch it learn", the decision regions of small networks epoch by epoch.
"""

from __future__ import annotations

import math

import numpy as np

from ...core import get
from ..properties import flat_regions, flat_text, number_text
from ..sampling import sample
from . import lessons as L
from .markup import el, esc, join
from .svg import Line, legend, line_chart

PANEL = 200  # px, the side of a decision-region panel
MAX_POINTS = 200


def _curves(names, lo: float, hi: float, *, derivative: bool = False, label: str) -> str:
    """f (or f′) of the named activations, each in its classic's colour."""
    lines = []
    for name in names:
        c = sample(get(name), np.linspace(lo, hi, 241))
        y = c.dy if derivative else c.y
        lines.append(Line(name, name, c.x.tolist(), y.tolist(), cls=_classes([name])[name]))
    return line_chart(
        lines,
        x_domain=(lo, hi),
        width=460,
        height=280,
        x_label="x",
        y_label="f′(x)" if derivative else "f(x)",
        label=label,
    )


def _classes(names) -> dict[str, str]:
    """Each classic keeps its colour on every figure of the opening."""
    return {n: f"c{L.CLASSICS.index(n)}" for n in names if n in L.CLASSICS}


def _figure(body: str, caption: str, names) -> str:
    return el(
        "figure", body + legend([(n, _classes([n])[n], False) for n in names]) + el("figcaption", caption)
    )


def _step(number: int, title: str, text: str, figures: list[str]) -> str:
    return el(
        "section",
        el("div", el("h3", f"{number}. {esc(title)}") + text, class_="step-text")
        + el("div", join(figures), class_="step-figures"),
        class_="step",
        id=f"step-{number}",
    )


def _p(*sentences: str) -> str:
    return el("p", " ".join(sentences))


MISSING = (
    "This figure comes from networks trained when the report is built; this page was made "
    "without them (--gallery-only). Run `actlab report` to include it."
)


def _note_missing(reason: str | None = None) -> str:
    return el("p", esc(reason or MISSING), class_="unavailable")


def opening(lessons: dict | None) -> str:
    """The five steps, as HTML."""
    steps = [
        _step(
            1,
            "What an activation does",
            join(
                [
                    _p(
                        "A unit of a neural network adds up its inputs with weights, z = w·x + b, and passes "
                        "the sum through an <em>activation</em> f: the unit's output is f(z). Without f, the "
                        "unit is a weighted sum; with it, the unit can respond to some inputs and ignore others."
                    ),
                    _p(
                        "The classics: the <strong>sigmoid</strong> squashes any z into (0, 1) like a firing "
                        "rate; <strong>tanh</strong> is the same S centred on 0, in (−1, 1); <strong>ReLU</strong> "
                        "passes positive z unchanged and outputs 0 for the rest."
                    ),
                ]
            ),
            [
                _figure(
                    _curves(["sigmoid", "tanh", "relu"], -5, 5, label="sigmoid, tanh and ReLU"),
                    "f(z) of the three classics.",
                    ["sigmoid", "tanh", "relu"],
                )
            ],
        )
    ]

    steps.append(_step(2, "Without it, depth collapses", _collapse_text(lessons), _collapse_figures(lessons)))
    steps.append(
        _step(
            3,
            "Saturation: why gradients vanish",
            _saturation_text(lessons),
            [
                _figure(
                    _curves(["sigmoid", "tanh", "relu"], -5, 5, derivative=True, label="derivatives"),
                    "f′(z): the sigmoid's is at most 1/4, tanh's at most 1, and both vanish for large |z|.",
                    ["sigmoid", "tanh", "relu"],
                ),
                _depth_figure(lessons),
            ],
        )
    )
    steps.append(_step(4, "Dying units", _dying_text(lessons), [_dying_figure(lessons)]))
    steps.append(
        _step(
            5,
            "Smooth gates: GELU and Swish",
            _gates_text(),
            [
                _figure(
                    _curves(["relu", "gelu", "swish"], -4, 3, label="ReLU, GELU and Swish"),
                    "Close to ReLU away from 0; smooth at 0, with a dip below zero.",
                    ["relu", "gelu", "swish"],
                ),
                _figure(
                    _curves(
                        ["relu", "gelu", "swish"],
                        -4,
                        3,
                        derivative=True,
                        label="derivatives of ReLU, GELU and Swish",
                    ),
                    "f′: no jump at 0, and not exactly 0 for negative inputs.",
                    ["relu", "gelu", "swish"],
                ),
            ],
        )
    )
    return join([*steps, el("p", _why_relu(lessons), class_="conclusion")])


# -- step 2 ------------------------------------------------------------------------------------
def _collapse_text(lessons: dict | None) -> str:
    base = _p(
        "Suppose f is the identity. Every layer is then an affine map, z ↦ Wz + b, and a stack "
        "of affine maps is again one affine map: however many layers, the network can only draw a "
        "straight boundary between classes, like a logistic regression."
    )
    if not lessons:
        return base
    plane = L.PLANES[0]
    runs = lessons["learn"][plane]
    linear, relu = runs.get(L.COLLAPSE), runs.get("relu")
    if not (linear and relu):
        return base
    return base + _p(
        f"The two networks pictured with this step were trained alike on the {esc(plane)} "
        f"({esc(lessons['settings']['learn'])}), one with no activation, one with ReLU. Multiplying the linear network's weight matrices into one map reproduces its outputs to "
        f"{_sci(linear['one_map_deviation'])} (relative): it <em>is</em> one linear map, and it "
        f"classifies {_pct(linear['test_accuracy'])} of the test points correctly; with ReLU, "
        f"{_pct(relu['test_accuracy'])}."
    )


def _collapse_figures(lessons: dict | None) -> list[str]:
    if not lessons:
        return [_note_missing()]
    plane = L.PLANES[0]
    runs = lessons["learn"][plane]
    panels = [
        _panel(
            lessons,
            plane,
            name,
            len(runs[name]["frames"]) - 1,
            f"{label}: {_pct(runs[name]['test_accuracy'])} of test points",
        )
        for name, label in ((L.COLLAPSE, "no activation"), ("relu", "ReLU"))
        if name in runs
    ]
    return [el("div", join(panels), class_="panels two")]


# -- step 3 ------------------------------------------------------------------------------------
def _saturation_text(lessons: dict | None) -> str:
    peak = max(float(np.max(sample(get("sigmoid"), np.linspace(-8, 8, 1601)).dy)), 0.0)
    text = _p(
        "Training adjusts each weight by the gradient of the loss, which backpropagation computes "
        "layer by layer with the chain rule: each layer multiplies it by f′ at that layer. The "
        f"sigmoid's f′ is at most {peak:.3g}, and sigmoid and tanh both flatten out (saturate) for "
        "large |z|, where f′ ≈ 0. Many layers of such factors make the gradient that reaches the "
        "first layers vanish: they barely learn."
    )
    if lessons and lessons.get("depth"):
        norms = lessons["depth"]
        ratios = {
            n: v["grad_norm"][0] / v["grad_norm"][-1]
            for n, v in norms.items()
            if v["grad_norm"] and v["grad_norm"][-1]
        }
        if "sigmoid" in ratios and "relu" in ratios:
            depth = lessons["setup"]["depth"]["depth"]
            text += _p(
                f"Measured in a network of {depth} hidden layers ({esc(lessons['settings']['depth'])}): "
                f"the first layer's gradient is {_sci(ratios['sigmoid'])} of the last one's with the "
                f"sigmoid, {_ratio(ratios['tanh']) if 'tanh' in ratios else '—'} with tanh and "
                f"{_ratio(ratios['relu'])} with ReLU."
            )
    return text


def _depth_figure(lessons: dict | None) -> str:
    if not lessons or not lessons.get("depth"):
        return _note_missing()
    norms = lessons["depth"]
    names = [n for n in L.CLASSICS if n in norms]
    lines = [
        Line(
            n, n, list(range(1, len(norms[n]["grad_norm"]) + 1)), norms[n]["grad_norm"], cls=_classes([n])[n]
        )
        for n in names
    ]
    chart = line_chart(
        lines,
        width=460,
        height=280,
        x_label="layer (1 = first)",
        y_label="‖∂L/∂W‖",
        log_y=True,
        integer_x=True,
        label="weight-gradient norm by layer",
    )
    return _figure(
        chart,
        "The weight-gradient norm of each layer (log scale), measured by "
        "actlab's diagnostics after one epoch.",
        names,
    )


# -- step 4 ------------------------------------------------------------------------------------
def _dying_text(lessons: dict | None) -> str:
    relu, leaky = (flat_text(flat_regions(get(n))) for n in L.DYING)
    alpha = get(L.DYING[1]).params["alpha"]
    text = _p(
        f"ReLU does not saturate for positive z (f′ = 1 there), but its f′ is exactly 0 for {esc(relu)}. "
        "A unit whose z is negative on every input passes no gradient back, so nothing moves its "
        "weights again: it has died. A large learning rate can push many units there at once. "
        f"Leaky ReLU keeps a slope of {alpha:g} for negative z, "
        + (f"its f′ is 0 only for {esc(leaky)}." if leaky else "so its f′ is never 0.")
    )
    if lessons and lessons.get("dying"):
        d = lessons["dying"]
        if all(n in d for n in L.DYING):
            epochs = len(d[L.DYING[0]]["dead_fraction"])
            text += _p(
                f"Trained with a high learning rate ({esc(lessons['settings']['dying'])}), "
                f"{_pct(d[L.DYING[0]]['dead_fraction'][-1])} of the ReLU network's hidden units "
                f"were dead after {epochs} epochs, against {_pct(d[L.DYING[1]]['dead_fraction'][-1])} "
                "with leaky ReLU."
            )
    return text


def _dying_figure(lessons: dict | None) -> str:
    if not lessons or not lessons.get("dying"):
        return _note_missing()
    d = lessons["dying"]
    lines = [
        Line(
            n,
            n,
            list(range(1, len(d[n]["dead_fraction"]) + 1)),
            [100 * v for v in d[n]["dead_fraction"]],
            cls=f"c{k + 2}",
        )
        for k, n in enumerate(L.DYING)
        if n in d
    ]
    chart = line_chart(
        lines,
        width=460,
        height=280,
        x_label="epoch",
        y_label="dead hidden units (%)",
        y_domain=(0, 100),
        integer_x=True,
        label="dead units by epoch",
    )
    key = legend([(n, f"c{k + 2}", False) for k, n in enumerate(L.DYING)])
    return el(
        "figure",
        chart
        + key
        + el("figcaption", "The share of hidden units whose f′ was 0 on every training sample of the epoch."),
    )


# -- step 5 ------------------------------------------------------------------------------------
def _gates_text() -> str:
    gelu_min = number_text(get("gelu").info.output_range[0])
    swish_min = number_text(get("swish").info.output_range[0])
    return join(
        [
            _p(
                "GELU, x·Φ(x), weighs its input by Φ(x), the probability that a standard normal "
                "variable is below x; Swish (SiLU), x·σ(x), weighs it by the sigmoid. Both behave like "
                "ReLU far from 0, but they are smooth at 0, and for negative inputs their slope is not "
                "stuck at 0 (it is 0 only at one point, their minimum), so units do not die the way "
                "ReLU's do."
            ),
            _p(
                f"They are not monotonic: GELU dips to {gelu_min}, Swish to {swish_min}. GELU is the "
                "activation of BERT and GPT; Swish was found by an automated search for activations."
            ),
        ]
    )


def _why_relu(lessons: dict | None) -> str:
    base = (
        "So why did ReLU replace the sigmoid in hidden layers? Its gradient is exactly 1 for "
        "every positive input, so it does not vanish with depth (step 3); it is a comparison, "
        "the cheapest non-linearity there is; and its one weakness, dead units (step 4), is "
        "what leaky ReLU, ELU, GELU and Swish address."
    )
    if lessons and lessons.get("learn"):
        plane = L.PLANES[0]
        runs = lessons["learn"][plane]
        if "sigmoid" in runs and "relu" in runs:
            base += (
                f" Below, the same network learns the {plane} in {lessons['setup']['learn']['epochs']} epochs to "
                f"{_pct(runs['relu']['test_accuracy'])} with ReLU and "
                f"{_pct(runs['sigmoid']['test_accuracy'])} with the sigmoid."
            )
    return esc(base)


# -- watch it learn ----------------------------------------------------------------------------
def learning(lessons: dict | None) -> str:
    """One block per 2-D dataset: each activation's decision regions, the loss, a play control."""
    if not lessons or not lessons.get("learn"):
        return _note_missing()
    blocks = [_points_defs(lessons)]
    for plane in L.PLANES:
        runs = lessons["learn"].get(plane)
        if not runs:
            continue
        names = [n for n in L.CLASSICS if n in runs]
        last = len(runs[names[0]]["frames"]) - 1
        panels = [_panel(lessons, plane, n, last, f"{n}: {_pct(runs[n]['test_accuracy'])}") for n in names]
        loss = [
            Line(n, n, list(range(1, len(runs[n]["loss"]) + 1)), runs[n]["loss"], cls=_classes([n])[n])
            for n in names
        ]
        chart = line_chart(
            loss,
            width=420,
            height=260,
            x_label="epoch",
            y_label="train loss",
            log_y=True,
            integer_x=True,
            label=f"training loss on {plane}",
            marker=last,
            data={"data-epochs": last},
        )
        player = el(
            "div",
            el("button", "▶ play", type="button", data_play=plane, class_="play")
            + el(
                "input",
                type="range",
                min=0,
                max=last,
                value=last,
                step=1,
                data_scrub=plane,
                aria_label=f"epoch shown for {plane}",
            )
            + el("output", f"epoch {last} of {last}", data_epoch=plane),
            class_="player",
        )
        blocks.append(
            el(
                "section",
                join(
                    [
                        el("h3", esc(plane)),
                        player,
                        el(
                            "div",
                            el("div", join(panels), class_="panels")
                            + el(
                                "figure",
                                el("div", chart, class_="plot", data_loss=plane)
                                + legend([(n, _classes([n])[n], False) for n in names])
                                + el(
                                    "figcaption",
                                    "Training loss by epoch (log scale); the line marks the epoch shown.",
                                ),
                            ),
                            class_="plane-body",
                        ),
                    ]
                ),
                class_="plane",
                data_plane=plane,
            )
        )
    intro = el(
        "p",
        "Each panel is a network with one activation, trained on the points shown (test "
        "accuracy in its caption). Colour is the class the network predicts at each point of "
        "the plane; pale where it is unsure. Press play, or drag the slider, to watch the "
        f"boundary form epoch by epoch ({esc(lessons['settings']['learn'])}; the same seed, "
        "so the same data and starting weights for every activation).",
        class_="intro",
    )
    return join([intro, *blocks])


def _points_defs(lessons: dict) -> str:
    """Each dataset's training points, defined once and drawn in every panel with <use>."""
    groups = []
    for plane in L.PLANES:
        runs = lessons["learn"].get(plane)
        pts = lessons["points"].get(plane)
        if not runs or not pts:
            continue
        box = next(iter(runs.values()))["box"]
        xy, labels = np.asarray(pts["x"]), np.asarray(pts["y"])
        keep = np.linspace(0, len(xy) - 1, min(MAX_POINTS, len(xy))).astype(int)
        circles = "".join(
            f'<circle cx="{_px(x, box[0], box[1]):.1f}" cy="{_px(-y, -box[3], -box[2]):.1f}" '
            f'r="2.6" class="k{int(k)}"></circle>'
            for (x, y), k in zip(xy[keep], labels[keep])
        )
        groups.append(f'<g id="points-{esc(plane)}">{circles}</g>')
    return f'<svg class="defs" aria-hidden="true" width="0" height="0"><defs>{"".join(groups)}</defs></svg>'


def _px(v: float, lo: float, hi: float) -> float:
    return (v - lo) / (hi - lo) * PANEL


def _panel(lessons: dict, plane: str, name: str, frame: int, caption: str) -> str:
    run = lessons["learn"][plane][name]
    uri = "data:image/png;base64," + run["frames"][frame]
    body = (
        f'<svg viewBox="0 0 {PANEL} {PANEL}" role="img" aria-label="{esc(name)} on {esc(plane)}">'
        f'<image href="{uri}" x="0" y="0" width="{PANEL}" height="{PANEL}" preserveAspectRatio="none" '
        f'data-frames="{esc(plane)}/{esc(name)}"></image>'
        f'<use href="#points-{esc(plane)}"></use></svg>'
    )
    return el("figure", body + el("figcaption", esc(caption)), class_="panel")


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.0f} %" if v >= 0.1 or v == 0 else f"{100 * v:.1f} %"


def _sci(v: float) -> str:
    if v == 0:
        return "0"
    exponent = math.floor(math.log10(abs(v)))
    mantissa = v / 10**exponent
    return f"{mantissa:.1f} × 10<sup>{exponent}</sup>".replace("-", "−") if abs(exponent) > 2 else f"{v:.3g}"


def _ratio(v: float) -> str:
    return _sci(v) if v < 0.01 or v > 100 else f"{v:.2g}"
