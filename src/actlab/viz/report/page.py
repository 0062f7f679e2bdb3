"""The report as one self-contained HTML page: styles, scripts and data inlined, no network."""
from __future__ import annotations

import datetime as _dt
from importlib import resources
from typing import Any, Mapping

from ...core import MissingExtraError, catalog, definitions
from ..sampling import gallery_entry
from . import sections, summary
from .contract import check_claims, check_comparison
from .markup import el, esc, join, json_for_script

# The page may run scripts and styles it carries and show data: images; it may fetch nothing.
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; base-uri 'none'; form-action 'none'")


def render_report(comparison: dict | None = None, claims: list | None = None, *,
                  notes: Mapping[str, str] | None = None, run: Mapping[str, Any] | None = None,
                  points: int = 161) -> str:
    """The report's HTML.

    ``comparison`` and ``claims`` follow :mod:`.contract`; a section whose data is None shows
    ``notes[section]`` (why it is missing) instead. ``run`` is shown in the header as
    label → value (the command, the budget, the time it took).
    """
    notes = dict(notes or {})
    if comparison is not None:
        check_comparison(comparison)
    if claims is not None:
        check_claims(claims)
    defs, infos = definitions(), catalog()
    formulas = {d.name: (_mathml(d.latex), _mathml(d.latex_derivative)) for d in defs}
    data = {"gallery": [gallery_entry(d, points) for d in defs], "comparison": comparison}
    blocks = [
        ("gallery", "Gallery", "Each activation and its derivative. Hover a plot to read values; "
                               "sliders change parameters.", sections.gallery(defs, infos, formulas)),
        ("properties", "Properties", "Click a heading to sort.", sections.property_table(infos)),
        ("comparison", "Comparison", "The same network trained with each activation.",
         sections.comparison(comparison) if comparison is not None
         else sections.unavailable(notes.get("comparison", "no comparison was run."))),
        ("claims", "Claims", "What the texts say, what was measured, and the verdict the "
                             "measurements give.",
         sections.claims(claims) if claims is not None
         else sections.unavailable(notes.get("claims", "the claims were not checked."))),
        ("errata", "Errata", "Formulas and statements in the texts that are wrong.",
         sections.errata(claims) if claims is not None
         else sections.unavailable(notes.get("claims", "the claims were not checked."))),
    ]
    nav = el("nav", "".join(el("a", esc(title), href=f"#{key}") for key, title, _, _ in blocks))
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    run_items = {"generated": stamp, "activations": str(len(defs)), **(run or {})}
    findings = ([*summary.comparison_lines(comparison)] if comparison is not None else []) + (
        [summary.claims_line(claims)] if claims is not None else [])
    header = el("header", join([
        el("h1", "actlab report"),
        el("dl", "".join(el("dt", esc(k)) + el("dd", esc(v)) for k, v in run_items.items()), class_="run"),
        el("ul", "".join(el("li", esc(line)) for line in findings), class_="findings") if findings else "",
    ]), class_="page-head")
    body = join([header, nav, *(el("section", el("h2", esc(title)) + el("p", esc(intro), class_="intro")
                                   + html, id=key) for key, title, intro, html in blocks)])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>actlab report</title>
<style>{_asset("report.css")}</style>
</head>
<body>
{body}
<div id="tooltip" role="status" hidden></div>
<script type="application/json" id="actlab-data">{json_for_script(data)}</script>
<script>{_asset("report.js")}</script>
</body>
</html>
"""


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def _mathml(latex: str) -> str:
    """The formula as MathML, which browsers typeset natively (offline, no fonts to ship)."""
    try:
        from latex2mathml.converter import convert
    except ImportError:
        raise MissingExtraError("latex2mathml", "viz", "typesetting the report's formulas") from None
    return convert(latex, display="block") if latex else ""
