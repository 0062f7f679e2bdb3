"""Plain-text pages for the terminal: one activation in full, and the advice."""

from __future__ import annotations

import textwrap
from typing import Sequence

import numpy as np

from ..core import Activation
from .advice import Advice
from .maths import MathSyntaxError, inline_unicode, unicode
from .properties import property_row
from .report.contract import metric_text
from .sampling import plot_range, sample
from .terminal import Series, char_plot

MAX_WIDTH = 100


def _wrapper(width: int, indent: str = "  ", hang: str = ""):
    width = min(MAX_WIDTH, width)
    return lambda text, first=indent, more=None: textwrap.fill(
        text,
        width,
        initial_indent=first,
        subsequent_indent=more if more is not None else first + hang,
        break_on_hyphens=False,
        break_long_words=False,
    )


def activation_page(
    act: Activation, width: int, *, plot: bool = True, x_range: Sequence[float] | None = None
) -> str:
    """Formulas, parameters, properties, guidance, reference and a character plot."""
    info, wrap = act.info, _wrapper(width)
    aliases = f" (also {', '.join(info.aliases)})" if info.aliases else ""
    out = [
        f"{info.name}{aliases} — {info.family}",
        wrap(inline_unicode(info.summary), ""),
        "",
        "formula",
        wrap(f"f(x)  = {formula_text(info.latex)}", "  ", "        "),
        wrap(f"f′(x) = {formula_text(info.latex_derivative)}", "  ", "        "),
    ]
    if info.parameters:
        out += ["", "parameters"]
        for p in info.parameters:
            learn = ", learnable" if p["learnable"] else ""
            out.append(
                wrap(
                    f"{p['name']} = {p['value']!r}  (default {p['default']!r}; {p['range']}{learn})",
                    "  ",
                    "      ",
                )
            )
            out.append(wrap(p["doc"], "      "))
    row, yes = property_row(info), lambda flag: "yes" if flag else "no"  # noqa: E731
    out += [
        "",
        "properties",
        wrap(
            f"range {row['range']}; monotonic {yes(info.monotonic)}; zero-centred "
            f"{yes(info.zero_centred)}; smoothness {info.smoothness}; saturates {row['saturates']}"
        ),
        wrap(
            f"elementwise {yes(info.elementwise)}; differentiable {yes(info.differentiable)}; "
            f"derivative from output {yes(info.has_derivative_from_output)}"
        ),
        wrap(f"uses: {row['uses']}; initialise weights with {info.init}"),
    ]
    if info.kink_convention:
        out.append(wrap(f"at the kink: {info.kink_convention}"))
    out += ["", "guidance", wrap(inline_unicode(info.guidance)), "", "reference", wrap(str(info.reference))]
    if plot:
        out += ["", activation_plot(act, width, x_range)]
    return "\n".join(out)


def formula_text(latex: str) -> str:
    """The formula in Unicode (``x·Φ(x)``), or its LaTeX where it cannot be typeset."""
    try:
        return unicode(latex)
    except MathSyntaxError:
        return latex


def activation_plot(act: Activation, width: int, x_range: Sequence[float] | None = None) -> str:
    """f (``*``) and f' (``.``) as a character plot; vector-valued ones along their slice."""
    lo, hi = x_range or plot_range(act.definition, act.params)
    c = sample(act, np.linspace(lo, hi, 481))
    vector = not act.definition.elementwise
    series = [Series("f1([x, 1])" if vector else "f(x)", "*", c.x, c.y)]
    if c.dy is not None:
        series.append(Series("df1/dx" if vector else "f'(x)", ".", c.x, c.dy))
    return char_plot(series, width=max(30, min(72, width - 10)), height=17)


def advice_page(advice: Advice, width: int) -> str:
    """The recommendation, the texts' words, the rules, and every candidate with its notes."""
    wrap = _wrapper(width, hang="  ")
    hidden = advice.layer == "hidden"
    where = "hidden layers" if hidden else f"the output layer ({advice.task})"
    out = [
        f"Activation for {where}" + (f", {advice.depth} hidden layers" if hidden else ""),
        "",
        wrap(advice.recommendation, ""),
        "",
        "What the texts say",
    ]
    out += [wrap(f"“{q['text']}” ({q['cited']})") for q in advice.quotes]
    out += ["", "How that is read against the catalog (in order of importance)"]
    out += [wrap(f"{i}. {rule}") for i, rule in enumerate(advice.rules, 1)]
    out += ["", "Candidates, best first"]
    row = lambda c, extra="": wrap(f"{c.name:<13}{'; '.join(c.notes)}{extra}".rstrip(), "  ", " " * 15)  # noqa: E731
    for c in advice.candidates:
        out.append(row(c, _evidence(c.evidence)))
        out.append(wrap(inline_unicode(c.guidance), "      "))
    if advice.set_aside:
        out += ["", "Set aside"] + [row(c) for c in advice.set_aside]
    if advice.not_for_layer:
        out += ["", wrap(f"Not meant for {where}: {', '.join(advice.not_for_layer)}.", "")]
    out += [
        "",
        wrap(
            f"Lab evidence from {advice.evidence_source}."
            if advice.evidence_source
            else "No lab evidence yet: `actlab report` (or `actlab compare`) measures the "
            "candidates on real data; `actlab advise --results actlab-report/comparison.json` "
            "then shows the measurements.",
            "",
        ),
    ]
    return "\n".join(out)


def _evidence(evidence: dict | None) -> str:
    if not evidence:
        return ""
    parts = [
        f"{label} {metric_text(k, evidence[k], 1)}"
        for k, label in (("test_accuracy", "accuracy"), ("dead_fraction", "dead"))
        if k in evidence
    ]
    return f"  [lab: {', '.join(parts)}]"
