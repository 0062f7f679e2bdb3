"""How actlab's objects show themselves in a notebook (``_repr_html_``): an activation's ``Info``,
a comparison (:class:`actlab.lab.comparison.Comparison`), the claims (:func:`claims_html`, for
a claims run's ``_repr_html_``). Plain HTML tables and MathML, every text escaped; no script."""

from __future__ import annotations

from .. import core
from . import maths
from .properties import property_row
from .report.markup import el, esc, join
from .sources import cite


def _formula(latex: str) -> str:
    try:
        return maths.mathml(latex, display=False)
    except maths.MathSyntaxError:
        return el("code", esc(latex))


def _rows(pairs) -> str:
    return el("table", join(el("tr", el("th", esc(k)) + el("td", v)) for k, v in pairs))


def info_html(info: "core.Info") -> str:
    """An activation's metadata: formulas, range, properties, guidance and reference."""
    row = property_row(info)
    pairs = [
        ("f(x)", _formula(info.latex)),
        ("f′(x)", _formula(info.latex_derivative)),
        ("range", esc(row["range"])),
        ("monotonic", esc(row["monotonic"])),
        ("zero-centred", esc(row["zero_centred"])),
        ("smoothness", esc(info.smoothness)),
        ("saturates", esc(row["saturates"])),
        ("uses", esc(row["uses"])),
        *(
            (("parameters", esc(", ".join(f"{p['name']} = {p['value']!r}" for p in info.parameters))),)
            if info.parameters
            else ()
        ),
        ("reference", esc(str(info.reference))),
    ]
    return join(
        [
            el(
                "p",
                el("strong", esc(info.name)) + f" — {esc(info.family)}: " + maths.inline_html(info.summary),
            ),
            _rows(pairs),
            el("p", maths.inline_html(info.guidance)),
        ]
    )


def comparison_html(c: dict) -> str:
    """A comparison: what was compared, the groups against the reference, and every metric."""
    from .report import paired, summary
    from .report.contract import METRICS, metric_text, shown_metrics

    lines = summary.comparison_lines(c)
    keys = shown_metrics(c)
    diffs = {d.activation: d for d in paired.differences(c, "test_accuracy") or []}
    head = el(
        "tr",
        el("th", "activation")
        + el("th", f"Δ vs {esc(paired.REFERENCE)}")
        + "".join(el("th", esc(METRICS[k].heading if k in METRICS else k)) for k in keys),
    )
    body = [
        el(
            "tr",
            el("td", esc(r["activation"]))
            + el("td", esc(summary.points_text(diffs[r["activation"]]) if r["activation"] in diffs else "—"))
            + "".join(el("td", esc(metric_text(k, r["metrics"].get(k, {}), len(c["seeds"])))) for k in keys),
        )
        for r in c["rows"]
    ]
    return join([el("p", "<br>".join(esc(line) for line in lines)), el("table", head + join(body))])


def claims_html(claims: list[dict]) -> str:
    """The claims: verdict, id, statement (with its text cited by title) and why."""
    head = el("tr", "".join(el("th", h) for h in ("verdict", "claim", "statement", "why")))
    body = [
        el(
            "tr",
            el("td", esc(c["verdict"]))
            + el("td", el("code", esc(c["id"])))
            + el("td", maths.inline_html(c["statement"]) + "<br>" + el("small", esc(cite(c["source"]))))
            + el("td", maths.inline_html(c["explanation"])),
        )
        for c in claims
    ]
    from .report.summary import claims_line

    return join([el("p", esc(claims_line(claims))), el("table", head + join(body))])
