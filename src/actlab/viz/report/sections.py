"""The report's sections as HTML, from the registry and from the lab's results.

Text is escaped here; the charts are drawn in the browser by ``assets/report.js`` from the data
the page embeds, so the HTML below holds containers (``data-chart``) rather than pictures.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from ...core import Definition, Info
from ...core.definition import SMOOTHNESS
from ..properties import COLUMNS, cell_text, property_row
from .contract import METRICS, VERDICTS, mean_std_text, number
from .markup import el, esc, join

LINKABLE = ("https://", "http://")  # references become links only to the web, never javascript:


def gallery(definitions: list[Definition], infos: list[Info], formulas: dict[str, tuple[str, str]]) -> str:
    """The overlay chart and one card per activation (chart and sliders are filled in by JS)."""
    overlay = el("div", join([
        el("div", el("strong", "Overlay") + " "
           + el("span", "tick “overlay” on any card to compare curves here; each keeps its "
                        "card’s slider settings.", class_="muted")
           + el("label", '<input type="checkbox" id="overlay-derivative"> derivatives', class_="toggle")
           + el("button", "clear", type="button", id="overlay-clear"), class_="overlay-head"),
        el("div", "", class_="plot plot-wide", id="overlay-plot"),
    ]), class_="overlay-panel")
    search = el("input", type="search", id="gallery-filter", placeholder="filter by name or family",
                aria_label="filter activations")
    cards = join(_card(d, i, formulas[d.name]) for d, i in zip(definitions, infos))
    return join([overlay, search, el("div", cards, class_="cards")])


def _card(d: Definition, info: Info, formula: tuple[str, str]) -> str:
    name = esc(d.name)
    aliases = f" (also {esc(', '.join(d.aliases))})" if d.aliases else ""
    head = el("header", el("h3", name + el("small", aliases)) + el("span", esc(d.family), class_="family")
              + el("label", f'<input type="checkbox" data-overlay="{name}"> overlay', class_="toggle"))
    slice_note = "" if d.elementwise else el(
        "p", "Vector-valued: drawn along a slice, the first output of f([x, z]) as x moves; "
             "move z to see the second input act.", class_="muted")
    props = el("dl", join(el("dt", esc(label)) + el("dd", esc(value)) for label, value in (
        ("range", property_row(info)["range"]), ("monotonic", cell_text(info.monotonic)),
        ("zero-centred", cell_text(info.zero_centred)), ("smoothness", info.smoothness),
        ("saturates", property_row(info)["saturates"]), ("uses", ", ".join(info.uses)),
        ("init", info.init), *((("at the kink", info.kink_convention),) if info.kink_convention else ()),
    )), class_="props")
    body = join([
        head, el("p", esc(d.summary), class_="summary"),
        el("div", el("div", el("span", "f(x) =", class_="lhs") + formula[0], class_="formula")
               + el("div", el("span", "derivative", class_="lhs") + formula[1], class_="formula"),
           class_="formulas"),
        slice_note,
        el("div", "", class_="plot", data_plot=d.name),
        el("div", "", class_="controls", data_controls=d.name),
        el("details", el("summary", "properties, guidance, reference") + props
           + el("p", esc(d.guidance), class_="guidance") + _reference(d)),
    ])
    return el("article", body, class_="card", id=f"act-{d.name}", data_activation=d.name,
              data_family=d.family)


def _reference(d: Definition) -> str:
    r = d.reference
    text = esc(f"{r.authors} ({r.year}). {r.title}.")
    link = el("a", esc(r.link), href=r.link, rel="noopener noreferrer") if r.link.startswith(LINKABLE) else esc(r.link)
    return el("p", text + " " + link, class_="reference")


def property_table(infos: list[Info]) -> str:
    """The catalog's properties, one row per activation; headers sort (in JS)."""
    head = el("tr", "".join(el("th", esc(label), scope="col") for _, label in COLUMNS))
    rows = []
    for info in infos:
        values = property_row(info)
        cells = [el("td", el("a", esc(info.name), href=f"#act-{info.name}"))]
        cells += [el("td", esc(cell_text(values[key])), class_=_cell_class(key, values[key]),
                     data_sort=SMOOTHNESS.index(values[key]) if key == "smoothness" else None)
                  for key, _ in COLUMNS[1:]]
        rows.append(el("tr", "".join(cells)))
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="sortable props-table")


def _cell_class(key: str, value: Any) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "nowrap" if key in ("family", "range") else None


def comparison(c: dict) -> str:
    """The comparison's setup, its table (mean ± std over seeds) and the chart containers."""
    seeds = ", ".join(str(s) for s in c["seeds"])
    setup = el("p", f"Dataset {el('strong', esc(c['dataset']))}, architecture "
                    f"{el('strong', esc(c['architecture']))}, {len(c['seeds'])} seed{'s' if len(c['seeds']) != 1 else ''} ({esc(seeds)}). "
                    "Each figure is the mean over seeds; ± is one standard deviation. The charts "
                    "open on the three best activations and the worst; click names in a legend "
                    "to add or remove them.")
    keys = metric_keys(c)
    head = el("tr", el("th", "activation", scope="col") + "".join(
        el("th", esc(METRICS.get(k, (k.replace("_", " "),))[0]), scope="col") for k in keys))
    rows = [el("tr", el("td", el("a", esc(r["activation"]), href=f"#act-{r['activation']}"))
               + "".join(el("td", esc(mean_std_text(r["metrics"].get(k, {}))),
                            data_sort=_sort_key(r["metrics"].get(k, {}))) for k in keys))
            for r in c["rows"]]
    table = el("table", el("thead", head) + el("tbody", join(rows)), class_="sortable results-table")
    charts = el("div", join(el("figure", el("figcaption", esc(caption)) + el("div", "", class_="plot", data_chart=key))
                            for key, caption in (
        ("accuracy", "Test accuracy, mean ± std over seeds"),
        ("train_loss", "Training loss by epoch (band: ± std)"),
        ("val_accuracy", "Validation accuracy by epoch (band: ± std)"),
        ("dead_fraction", "Dead units by layer (fraction with zero derivative on every sample)"),
        ("grad_norm", "Weight-gradient norm by layer (log scale): gradient flow"),
    )), class_="chart-grid")
    return join([setup, table, charts])


def metric_keys(c: dict) -> list[str]:
    """The metrics present in any row: the known ones in their order, then any others."""
    present = {k for r in c["rows"] for k in r["metrics"]}
    return [k for k in METRICS if k in present] + sorted(present - set(METRICS))


def _sort_key(m: dict) -> str:
    v = number(m.get("mean"))
    return "" if v is None else repr(v)


def claims(items: list[dict]) -> str:
    """Every claim that is not an erratum: statement, source, check, figures, verdict."""
    counts = Counter(c["verdict"] for c in items)
    summary = el("p", " ".join(el("button", f"{counts[v]} {esc(v)}", type="button",
                                  class_=f"badge {verdict_class(v)}", data_filter=v,
                                  title="show only these; click again to show all")
                               for v in VERDICTS if counts[v] and v != "erratum")
                 + (f" and {counts['erratum']} errata (below)" if counts["erratum"] else ""),
                 class_="verdict-counts")
    cards = [_claim(c) for c in items if c["verdict"] != "erratum"]
    return join([summary, *cards] if cards else [summary, el("p", "No claims were checked.", class_="muted")])


def errata(items: list[dict]) -> str:
    """The formulas and statements in the seed texts that are wrong, with the correction."""
    wrong = [_claim(c) for c in items if c["verdict"] == "erratum"]
    return join(wrong) if wrong else el("p", "No errata were found.", class_="muted")


def _claim(c: dict) -> str:
    figures = el("table", join(el("tr", el("th", esc(k), scope="row") + el("td", esc(figure_text(v))))
                               for k, v in c["figures"].items()), class_="figures") if c["figures"] else ""
    return el("article", join([
        el("header", el("span", esc(c["verdict"]), class_=f"badge {verdict_class(c['verdict'])}")
           + el("code", esc(c["id"]))),
        el("blockquote", esc(c["statement"])),
        el("p", el("strong", "Source: ") + esc(c["source"]), class_="muted"),
        el("p", el("strong", "Check: ") + esc(c["check"])),
        figures,
        el("p", esc(c["explanation"]), class_="explanation"),
    ]), class_="claim", id=f"claim-{c['id']}", data_verdict=c["verdict"])


def figure_text(v: Any) -> str:
    """A measured figure as text: numbers with four significant digits, others as given."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return str(v) if isinstance(v, int) else f"{v:.4g}"


def verdict_class(verdict: str) -> str:
    return "v-" + verdict.replace(" ", "-")


def unavailable(reason: str) -> str:
    return el("div", el("strong", "Not available. ") + esc(reason), class_="unavailable")
