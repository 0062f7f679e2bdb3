"""The report's reference sections as HTML, from the registry and from the lab's results.

Every piece of text is escaped here (formulas by :mod:`actlab.viz.maths`); every chart is a
static SVG drawn in Python (:mod:`.svg`), which the page's script makes interactive.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np

from ...core import Definition, Info, get
from ...core.definition import SMOOTHNESS
from .. import maths
from ..properties import COLUMNS, cell_text, flat_regions, flat_text, property_row
from ..sampling import plot_range, sample
from ..sources import SEEDS, cite, number as seed_number
from . import paired, summary
from .contract import ERRATUM, METRICS, SUPPORTED, VERDICTS, metric_text, number, shown_metrics
from .markup import el, esc, join
from .svg import Line, fmt, legend, line_chart, ticks

LINKABLE = ("https://", "http://")  # references become links only to the web, never javascript:
PALETTE = 6  # selection colours c0 … c5 in the stylesheet


def formula(latex: str) -> str:
    """A formula typeset as MathML; the LaTeX itself, escaped, if it falls outside the
    vocabulary :mod:`actlab.viz.maths` reads (the tests keep every registered one inside)."""
    if not latex:
        return ""
    try:
        return maths.mathml(latex)
    except maths.MathSyntaxError:
        return el("code", esc(latex))


# ------------------------------------------------------------------------------ gallery
def family_order(defs: list[Definition]) -> list[tuple[str, list[Definition]]]:
    """Families in the order of their oldest member, and in each family the oldest first (the
    shorter name first among those of one year: sigmoid before log_sigmoid): the history of
    the field, classics first."""

    def age(d: Definition) -> tuple:
        return d.reference.year, len(d.name), d.name

    families: dict[str, list[Definition]] = {}
    for d in sorted(defs, key=age):
        families.setdefault(d.family, []).append(d)
    return sorted(families.items(), key=lambda item: age(item[1][0]))


def card_plot(d: Definition, points: int = 241) -> str:
    """The static picture of a card: f and f′ at the default parameters, as SVG."""
    act = get(d)
    lo, hi = plot_range(d)
    c = sample(act, np.linspace(lo, hi, points))
    vector = not d.elementwise
    lines = [Line("f", "f₁" if vector else "f", c.x.tolist(), c.y.tolist(), cls="f")]
    if c.dy is not None:
        lines.append(
            Line("df", "∂f₁/∂x" if vector else "f′", c.x.tolist(), c.dy.tolist(), cls="df", dash=True)
        )
    return line_chart(
        lines, x_domain=(lo, hi), width=420, height=262, x_label="x", label=f"{d.name} and its derivative"
    )


def gallery(defs: list[Definition], infos: dict[str, Info], overlay: list[str]) -> str:
    """The overlay, the filter, and one card per activation, grouped by family."""
    overlay_panel = el(
        "div",
        join(
            [
                el(
                    "div",
                    el("strong", "Overlay")
                    + " "
                    + el(
                        "span",
                        "tick “overlay” on a card to add it here; each curve keeps its card’s settings.",
                        class_="muted",
                    )
                    + el(
                        "label",
                        '<input type="checkbox" id="overlay-derivative"> derivatives',
                        class_="toggle",
                    )
                    + el("button", "clear", type="button", id="overlay-clear"),
                    class_="overlay-head",
                ),
                el("div", overlay_plot(overlay), class_="plot plot-wide", id="overlay-plot"),
                el(
                    "div",
                    legend([(n, f"c{i % PALETTE}", False) for i, n in enumerate(overlay)]),
                    id="overlay-legend",
                ),
            ]
        ),
        class_="overlay-panel",
    )
    search = el(
        "input",
        type="search",
        id="gallery-filter",
        placeholder="filter by name or family",
        aria_label="filter activations",
    )
    groups = []
    for family, members in family_order(defs):
        cards = join(_card(d, infos[d.name], d.name in overlay) for d in members)
        groups.append(
            el(
                "section",
                el("h3", esc(family), class_="family-head") + el("div", cards, class_="cards"),
                class_="family-group",
                data_family=family,
            )
        )
    return join(
        [overlay_panel, search, el("p", "", class_="muted", id="filter-count", aria_live="polite"), *groups]
    )


def overlay_plot(names: list[str]) -> str:
    lines = []
    lo, hi = -5.0, 5.0
    for i, name in enumerate(names):
        c = sample(get(name), np.linspace(lo, hi, 241))
        lines.append(Line(name, name, c.x.tolist(), c.y.tolist(), cls=f"c{i % PALETTE}"))
    if not lines:
        return ""
    return line_chart(
        lines, x_domain=(lo, hi), width=1000, height=330, x_label="x", label="the overlaid activations"
    )


def _card(d: Definition, info: Info, overlaid: bool) -> str:
    name = esc(d.name)
    aliases = f" (also {esc(', '.join(d.aliases))})" if d.aliases else ""
    checked = " checked" if overlaid else ""
    head = el(
        "header",
        el("h4", name + el("small", aliases))
        + el("span", esc(d.family), class_="family")
        + el("label", f'<input type="checkbox" data-overlay="{name}"{checked}> overlay', class_="toggle"),
    )
    vector = not d.elementwise
    slice_note = (
        ""
        if d.elementwise
        else el(
            "p",
            "Vector-valued: drawn along a slice, the first output of f([x, z]) as x moves; "
            "move z to see the second input act.",
            class_="muted",
        )
    )
    row = property_row(info)
    flat = flat_text(flat_regions(get(d))) if d.elementwise and d.derivative is not None else ""
    props = el(
        "dl",
        join(
            el("dt", esc(label)) + el("dd", esc(value))
            for label, value in (
                ("range", row["range"]),
                ("monotonic", cell_text(info.monotonic)),
                ("zero-centred", cell_text(info.zero_centred)),
                ("smoothness", info.smoothness),
                ("saturates", row["saturates"]),
                *((("f′ = 0 for", flat),) if flat else ()),
                ("uses", ", ".join(info.uses)),
                ("init", info.init),
                *((("at the kink", info.kink_convention),) if info.kink_convention else ()),
            )
        ),
        class_="props",
    )
    has_derivative = d.derivative is not None if d.elementwise else d.differentiable
    curve_legend = legend(
        [
            ("f₁([x, z])" if vector else "f(x)", "f", False),
            *((("∂f₁/∂x" if vector else "f′(x)", "df", True),) if has_derivative else ()),
        ]
    )
    body = join(
        [
            head,
            el("p", maths.inline_html(d.summary), class_="summary"),
            el(
                "div",
                el("div", el("span", "f(x) =", class_="lhs") + formula(d.latex), class_="formula")
                + el(
                    "div", el("span", "f′(x) =", class_="lhs") + formula(d.latex_derivative), class_="formula"
                ),
                class_="formulas",
            ),
            slice_note,
            el("div", card_plot(d), class_="plot", data_plot=d.name),
            curve_legend,
            el("div", "", class_="controls", data_controls=d.name),
            el(
                "details",
                el("summary", "properties, guidance, reference")
                + props
                + el("p", maths.inline_html(d.guidance), class_="guidance")
                + _reference(d),
            ),
        ]
    )
    return el(
        "article",
        body,
        class_="card" + (" overlaid" if overlaid else ""),
        id=f"act-{d.name}",
        data_activation=d.name,
        data_family=d.family,
        data_aliases=" ".join(d.aliases),
    )


def _reference(d: Definition) -> str:
    r = d.reference
    text = esc(f"{r.authors} ({r.year}). {r.title}.")
    link = (
        el("a", esc(r.link), href=r.link, rel="noopener noreferrer")
        if r.link.startswith(LINKABLE)
        else esc(r.link)
    )
    return el("p", text + " " + link, class_="reference")


def property_table(infos: list[Info]) -> str:
    """The catalog's properties, one row per activation; headers sort (in JS)."""
    head = el("tr", "".join(el("th", esc(label), scope="col") for _, label in COLUMNS))
    rows = []
    for info in infos:
        values = property_row(info)
        cells = [el("td", el("a", esc(info.name), href=f"#act-{info.name}"))]
        cells += [
            el(
                "td",
                esc(cell_text(values[key])),
                class_=_cell_class(key, values[key]),
                data_sort=SMOOTHNESS.index(values[key]) if key == "smoothness" else None,
            )
            for key, _ in COLUMNS[1:]
        ]
        rows.append(el("tr", "".join(cells)))
    return el(
        "div",
        el("table", el("thead", head) + el("tbody", join(rows)), class_="sortable props-table"),
        class_="table-wrap",
    )


def _cell_class(key: str, value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "nowrap" if key in ("family", "range") else None


# ------------------------------------------------------------------------------ comparison
def selection(c: dict, preferred: list[str]) -> list[str]:
    """The activations the comparison's charts open with in colour: the reference and the
    page's classics that were compared (the rest are drawn grey until picked)."""
    names = [r["activation"] for r in c["rows"]]
    chosen = [n for n in [paired.REFERENCE, *preferred] if n in names]
    return list(dict.fromkeys(chosen))[:PALETTE] or names[:1]


def comparison(c: dict, preferred: list[str]) -> str:
    """Setup, the paired differences against the reference (grouped), the table of every
    metric, the definitions, and the learning curves."""
    seeds = len(c["seeds"])
    chosen = selection(c, preferred)
    cls = {n: f"c{i}" for i, n in enumerate(chosen)}
    base = c.get("linear_baseline") or {}
    score = next((k for k in ("test_accuracy", "test_mse") if k in base), None)
    floor = (
        f" A linear model ({esc(base['model'])}) scores {esc(metric_text(score, base[score], seeds))} "
        f"({esc(METRICS[score].heading)}) on the same split: the floor a non-linear network should "
        "clear."
        if score
        else ""
    )
    setup = el(
        "p",
        f"Dataset {el('strong', esc(c['dataset']))}; {esc(c['architecture'])}; "
        f"{seeds} seed{'s' if seeds != 1 else ''} ({esc(', '.join(map(str, c['seeds'])))}). "
        "A seed fixes the data split, the initial weights and the batch order, so two "
        "activations trained with the same seed differ only in the activation." + floor,
    )
    picker = el(
        "div",
        el("span", "In colour: ", class_="muted")
        + legend(
            [(n, cls.get(n, "other"), False) for n in (r["activation"] for r in c["rows"])], buttons=True
        ),
        class_="picker",
        id="comparison-picker",
    )
    return join(
        [setup, _paired(c, cls), picker, _table(c, seeds), _definitions(c), _charts(c, cls), _timing_note(c)]
    )


def _paired(c: dict, cls: dict) -> str:
    metric = "test_accuracy" if any("test_accuracy" in r["metrics"] for r in c["rows"]) else "test_mse"
    diffs = paired.differences(c, metric)
    if diffs is None:
        return el(
            "p",
            f"No paired comparison: these results hold no per-seed figures, or no "
            f"{esc(paired.REFERENCE)} row. The table gives mean ± standard deviation over seeds.",
            class_="unavailable",
        )
    groups = paired.grouped(diffs)
    n = max((d.n for d in diffs), default=0)
    few = (
        ""
        if n >= paired.MIN_SEEDS
        else (
            f" With {n} seed{'s' if n != 1 else ''} there are no intervals: {paired.MIN_SEEDS} or more "
            "are needed to tell activations apart, so all of them are listed together."
        )
    )
    scale = 100.0 if METRICS[metric].kind == "fraction" else 1.0
    unit = " in percentage points" if scale == 100 else ""
    intro = el(
        "p",
        f"{esc(METRICS[metric].heading.capitalize())} of each activation minus that of "
        f"{el('strong', esc(paired.REFERENCE))}, seed by seed ({n} paired seeds): the dot is "
        f"the mean difference{unit}, the bar its {paired.LEVEL:.0%} interval, simultaneous over "
        f"the {len(diffs)} comparisons (Bonferroni). Where the bar crosses 0 the two cannot "
        "be told apart at this budget: those are listed together, alphabetically, not ranked." + few,
    )
    return join(
        [
            el("h3", f"Against {esc(paired.REFERENCE)}"),
            intro,
            el("div", forest(groups, scale, cls), class_="plot-forest"),
        ]
    )


def forest(groups: dict, scale: float, cls: dict) -> str:
    """Intervals of the paired differences, one row each, in their groups, with 0 marked."""
    rows = [(g, d) for g in paired.GROUPS for d in groups[g]]
    values = [v * scale for _, d in rows for v in (d.lo, d.hi, d.mean) if v is not None]
    if not values:
        return el("p", "Too few seeds for intervals.", class_="muted")
    lo, hi = min(values + [0.0]), max(values + [0.0])
    pad = 0.05 * (hi - lo or 1.0)
    lo, hi = lo - pad, hi + pad
    row_h, head_h, left, width = 18, 22, 130, 640
    heights = sum(head_h for g in paired.GROUPS if groups[g]) + row_h * len(rows) + 30
    sx = lambda v: left + (v - lo) / (hi - lo) * (width - left - 16)  # noqa: E731
    out, y = [], 4
    for g in paired.GROUPS:
        if not groups[g]:
            continue
        y += head_h
        label = {
            "better": "better than",
            "worse": "worse than",
            "not told apart": "cannot be told apart from",
        }[g]
        out.append(
            f'<text x="4" y="{y - 6}" class="group">{esc(label)} {esc(paired.REFERENCE)} '
            f"({len(groups[g])})</text>"
        )
        for d in groups[g]:
            y += row_h
            c = cls.get(d.activation, "other")
            cy = y - row_h / 2
            parts = [f'<text x="{left - 8}" y="{cy + 4:.1f}" text-anchor="end">{esc(d.activation)}</text>']
            if d.lo is not None:
                parts.append(
                    f'<line x1="{sx(d.lo * scale):.1f}" x2="{sx(d.hi * scale):.1f}" y1="{cy:.1f}" '
                    f'y2="{cy:.1f}" class="interval"></line>'
                )
            if d.mean is not None:
                parts.append(f'<circle cx="{sx(d.mean * scale):.1f}" cy="{cy:.1f}" r="4"></circle>')
            out.append(f'<g class="row {c}" data-series="{esc(d.activation)}">{"".join(parts)}</g>')
    zero = sx(0.0)
    axis_y = y + 6
    out.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="4" y2="{axis_y}" class="zero"></line>')
    out.append(f'<line x1="{left}" x2="{width - 16}" y1="{axis_y}" y2="{axis_y}" class="axis"></line>')
    for t in ticks(lo, hi, 6):
        out.append(f'<text x="{sx(t):.1f}" y="{axis_y + 14}" text-anchor="middle">{esc(_signed(t))}</text>')
    return (
        f'<svg viewBox="0 0 {width} {heights}" role="img" aria-label="paired differences against '
        f'{esc(paired.REFERENCE)}">{"".join(out)}</svg>'
    )


def _signed(v: float) -> str:
    return ("+" if v > 0 else "") + fmt(v)


def _table(c: dict, seeds: int) -> str:
    keys = shown_metrics(c)
    diffs = {}
    metric = "test_accuracy" if "test_accuracy" in keys else None
    if metric:
        diffs = {d.activation: d for d in paired.differences(c, metric) or []}
    head = el(
        "tr",
        el("th", "activation", scope="col")
        + (el("th", f"Δ vs {esc(paired.REFERENCE)}", scope="col") if diffs else "")
        + "".join(
            el("th", esc(METRICS[k].heading if k in METRICS else k.replace("_", " ")), scope="col")
            for k in keys
        ),
    )
    # The reference first, then the groups of the figure above, alphabetical inside each.
    rank = {g: i for i, g in enumerate(paired.GROUPS)}
    rows = sorted(
        c["rows"],
        key=lambda r: (
            rank[diffs[r["activation"]].group] if r["activation"] in diffs else -1,
            r["activation"],
        ),
    )
    body = []
    for r in rows:
        d = diffs.get(r["activation"])
        delta = ""
        if diffs:
            delta = el(
                "td",
                esc(summary.points_text(d) if d else "reference"),
                data_sort="" if d is None or d.mean is None else repr(d.mean),
            )
        body.append(
            el(
                "tr",
                el("td", el("a", esc(r["activation"]), href=f"#act-{r['activation']}"))
                + delta
                + "".join(
                    el(
                        "td",
                        esc(metric_text(k, r["metrics"].get(k, {}), seeds)),
                        data_sort=_sort_key(r["metrics"].get(k, {})),
                    )
                    for k in keys
                ),
                data_series=r["activation"],
                data_group=d.group if d else None,
            )
        )
    note = el(
        "p",
        "Mean ± standard deviation over seeds (n − 1 in the denominator). Rows are in "
        "the groups above, alphabetical inside each; click a heading to sort.",
        class_="muted",
    )
    return join(
        [
            el(
                "div",
                el("table", el("thead", head) + el("tbody", join(body)), class_="sortable results-table"),
                class_="table-wrap",
            ),
            note,
        ]
    )


def _sort_key(m: dict) -> str:
    v = number(m.get("mean"))
    return "" if v is None else repr(v)


def _definitions(c: dict) -> str:
    target = c.get("target") or {}
    value = target.get("value")
    fill = {
        "target": "—" if value is None else f"{value:g}",
        "target_metric": target.get("metric", "train accuracy"),
    }
    items = "".join(
        el("dt", esc(METRICS[k].heading)) + el("dd", esc(METRICS[k].definition.format(**fill)))
        for k in shown_metrics(c)
        if k in METRICS
    )
    return el(
        "details",
        el("summary", "What each figure means") + el("dl", items, class_="definitions"),
        class_="metric-definitions",
        open=True,
    )


def _charts(c: dict, cls: dict) -> str:
    def lines(source: dict, key: str, band: str | None = None, x_key: str | None = None) -> list[Line]:
        out = []
        # Grey ones first, so that the coloured selection is drawn on top.
        for name in sorted(source, key=lambda n: n in cls):
            d = source[name]
            y = d[key]
            x = d[x_key] if x_key else list(range(1, len(y) + 1))
            lo = hi = None
            if band and d.get(band) and name in cls:
                lo = [None if v is None or s is None else v - s for v, s in zip(y, d[band])]
                hi = [None if v is None or s is None else v + s for v, s in zip(y, d[band])]
            out.append(Line(name, name, x, y, cls=cls.get(name, "other"), lo=lo, hi=hi))
        return out

    figures = [
        (
            "train_loss",
            "Training loss by epoch (log scale; band: ± std over seeds)",
            line_chart(
                lines(c["curves"], "train_loss_mean", "train_loss_std", "epoch"),
                width=520,
                height=300,
                x_label="epoch",
                y_label="train loss",
                log_y=True,
                integer_x=True,
                label="training loss",
            ),
        ),
        (
            "val_accuracy",
            "Test accuracy by epoch",
            line_chart(
                lines(c["curves"], "val_accuracy_mean", "val_accuracy_std", "epoch"),
                width=520,
                height=300,
                x_label="epoch",
                y_label="accuracy",
                integer_x=True,
                label="test accuracy by epoch",
            ),
        ),
        (
            "grad_norm",
            "Weight-gradient norm by layer, last epoch (log scale): gradient flow",
            line_chart(
                lines(c["per_layer"], "grad_norm"),
                width=520,
                height=300,
                x_label="layer",
                y_label="‖∂L/∂W‖",
                log_y=True,
                integer_x=True,
                label="gradient norm by layer",
            ),
        ),
    ]
    return el(
        "div",
        join(
            el("figure", el("figcaption", esc(caption)) + el("div", chart, class_="plot", data_chart=key))
            for key, caption, chart in figures
        ),
        class_="chart-grid",
    )


def _timing_note(c: dict) -> str:
    if "wall_time_s" in shown_metrics(c):
        return ""
    return el(
        "p",
        "Wall time is not shown: the lab times each run with compilation and first-touch "
        "warm-up included, with other runs sharing the cores, so the times measure the "
        "machine's scheduling more than the activation (see benchmarks/ for speed).",
        class_="muted",
    )


# ------------------------------------------------------------------------------ claims
def claims(items: list[dict]) -> str:
    """Every claim that is not an erratum: statement, source, verdict and, for network claims,
    the figure and the setting it was measured in."""
    counts = Counter(c["verdict"] for c in items)
    summary = el(
        "p",
        " ".join(
            el(
                "button",
                f"{counts[v]} {esc(v)}",
                type="button",
                class_=f"badge {verdict_class(v)}",
                data_filter=v,
                aria_pressed="false",
                title="show only these; click again to show all",
            )
            for v in VERDICTS
            if counts[v] and v != ERRATUM
        )
        + (f" and {counts[ERRATUM]} errata (below)" if counts[ERRATUM] else ""),
        class_="verdict-counts",
    )
    cards = [_claim(c) for c in items if c["verdict"] != ERRATUM]
    return join(
        [summary, el("div", join(cards), class_="claim-list")]
        if cards
        else [summary, el("p", "No claims were checked.", class_="muted")]
    )


def errata(items: list[dict]) -> str:
    """The formulas and statements in the seed texts that are wrong, with the correction."""
    wrong = [_claim(c) for c in items if c["verdict"] == ERRATUM]
    return (
        el("div", join(wrong), class_="claim-list")
        if wrong
        else el("p", "No errata were found.", class_="muted")
    )


def _claim(c: dict) -> str:
    figures = (
        el(
            "table",
            join(
                el(
                    "tr",
                    el("th", maths.inline_html(str(k)), scope="row")
                    + el("td", maths.inline_html(figure_text(v))),
                )
                for k, v in c["figures"].items()
            ),
            class_="figures",
        )
        if c["figures"]
        else ""
    )
    setting = (
        el("p", el("strong", "Measured in: ") + esc(c["setting"]), class_="setting")
        if c.get("setting")
        else ""
    )
    images = "".join(
        el("img", src=uri, alt=f"figure {k + 1} of claim {c['id']}", loading="lazy")
        for k, uri in enumerate(c.get("figure_uris") or [])
    )
    elsewhere = ", ".join(el("a", esc(i), href=f"#claim-{i}") for i in c.get("figure_shown_with") or [])
    if elsewhere:
        setting += el("p", f"Its figure is shown with {elsewhere}.", class_="muted")
    picture = el("figure", images + setting, class_="claim-figure") if images else setting
    # A supported claim needs no more than its statement to read; why the others came out as
    # they did is the point, so their explanation stays in view.
    explanation = el("p", maths.inline_html(c["explanation"]), class_="explanation")
    shown, folded = ("", explanation) if c["verdict"] == SUPPORTED and not picture else (explanation, "")
    return el(
        "article",
        join(
            [
                el(
                    "header",
                    el("span", esc(c["verdict"]), class_=f"badge {verdict_class(c['verdict'])}")
                    + el("code", esc(c["id"]))
                    + el("span", esc(cite(c["source"])), class_="source"),
                ),
                el("blockquote", maths.inline_html(c["statement"])),
                shown,
                picture,
                el(
                    "details",
                    el("summary", "why, and how it was checked" if folded else "how it was checked")
                    + folded
                    + el("p", maths.inline_html(c["check"]))
                    + figures,
                ),
            ]
        ),
        class_="claim",
        id=f"claim-{c['id']}",
        data_verdict=c["verdict"],
    )


def figure_text(v: Any) -> str:
    """A measured figure as text: numbers with four significant digits, others as given."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int):
        return str(v)
    return f"{v:.4g}" if math.isfinite(v) else str(v)


def verdict_class(verdict: str) -> str:
    return "v-" + verdict.replace(" ", "-")


def sources() -> str:
    """The seed texts, by title; why they are quoted and not shipped."""
    items = "".join(el("li", esc(cite(name))) for name in SEEDS)
    return join(
        [
            el(
                "p",
                "The claims and the advice come from five short texts on activation functions "
                "(lecture notes and blog posts). They carry no licence that would let actlab ship "
                "them, so the page quotes only the sentences each claim rests on; some of their "
                "formulas are wrong, and the errata above say how.",
            ),
            el("ol", items, class_="seed-list"),
            el(
                "p",
                f"Texts are numbered by their file names ({esc(', '.join(seed_number(n) for n in SEEDS))}).",
                class_="muted",
            ),
        ]
    )


def unavailable(reason: str) -> str:
    return el("div", el("strong", "Not available. ") + esc(reason), class_="unavailable")
