"""The report as one self-contained HTML page: styles, scripts and data inlined, no network.

The page opens on the explainer (:mod:`.narrative`), then the reference (gallery, properties),
the comparison and the claims. It reads top to bottom with scripts off (every chart is static
SVG); its one script adds the live curves, the overlay, the filter, the learning animation and
the comparison's selection. Its Content-Security-Policy allows exactly that script and that
stylesheet, by their SHA-256, and data: images, and nothing else: no inline handlers, no eval,
no network.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
from importlib import resources
from typing import Any, Mapping

from ...core import catalog, definitions, lookup, names
from ...kernels.javascript import RUNTIME
from ..sampling import gallery_entry
from . import narrative, sections, summary
from .contract import check_claims, check_comparison
from .lessons import CLASSICS
from .live import Kernels, live_entry
from .markup import el, esc, join, json_for_script


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def csp(script: str, style: str) -> str:
    """The policy: this page's script and stylesheet (by hash) and data: images, nothing else."""
    return (
        f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render_report(
    comparison: dict | None = None,
    claims: list | None = None,
    *,
    notes: Mapping[str, str] | None = None,
    run: Mapping[str, Any] | None = None,
    lessons: dict | None = None,
    points: int = 161,
) -> str:
    """The report's HTML.

    ``comparison`` and ``claims`` follow :mod:`.contract`, ``lessons`` :mod:`.lessons`; a
    section whose data is None shows ``notes[section]`` (why it is missing) instead. ``run`` is
    shown in the header as label → value (the command, the budget, the time it took).
    """
    notes = dict(notes or {})
    if comparison is not None:
        check_comparison(comparison)
    if claims is not None:
        check_claims(claims)
    overlay = [lookup(n).name for n in CLASSICS]
    entries, kernel_script, gallery, properties = _reference(points, tuple(names()), tuple(overlay))
    data = {
        "gallery": entries,
        "overlay": overlay,
        "learn": _frames(lessons),
        "selection": sections.selection(comparison, overlay) if comparison else [],
    }
    missing_claims = sections.unavailable(notes.get("claims", "the claims were not checked."))
    blocks = [
        (
            "why",
            "Why activations?",
            "Five steps, each with a figure computed by actlab.",
            narrative.opening(lessons),
        ),
        ("learn", "Watch it learn", "", narrative.learning(lessons)),
        (
            "gallery",
            "Gallery",
            "Every activation and its derivative, grouped by family in the order they "
            "appeared, classics first. Sliders change the parameters; drag a plot to "
            "pan, use − and + to zoom; hover to read values.",
            gallery,
        ),
        (
            "properties",
            "Properties",
            "Click a heading to sort. Ranges are open, (0, 1), where the function only approaches its bound.",
            properties,
        ),
        (
            "comparison",
            "Comparison",
            "The same network trained with each activation.",
            sections.comparison(comparison, overlay)
            if comparison is not None
            else sections.unavailable(notes.get("comparison", "no comparison was run.")),
        ),
        (
            "claims",
            "Claims",
            "What the texts say, what was measured, and the verdict the measurements give.",
            sections.claims(claims) if claims is not None else missing_claims,
        ),
        (
            "errata",
            "Errata",
            "Formulas and statements in the texts that are wrong.",
            sections.errata(claims) if claims is not None else missing_claims,
        ),
        ("sources", "Sources", "", sections.sources()),
    ]
    nav = el("nav", "".join(el("a", esc(title), href=f"#{key}") for key, title, _, _ in blocks))
    stamp = _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    run_items = {"generated": stamp, "activations": str(len(entries)), **(run or {})}
    findings = ([*summary.comparison_lines(comparison)] if comparison is not None else []) + (
        [summary.claims_line(claims)] if claims is not None else []
    )
    header = el(
        "header",
        join(
            [
                el("h1", "Activation functions, computed"),
                el(
                    "p",
                    "How the functions that make neural networks non-linear behave, why ReLU replaced "
                    "the sigmoid, and what the claims made about them are worth: every curve, number and "
                    "verdict on this page was computed by actlab from the one definition of each "
                    "activation.",
                    class_="lede",
                ),
                el(
                    "dl",
                    "".join(el("div", el("dt", esc(k)) + el("dd", esc(v))) for k, v in run_items.items()),
                    class_="run",
                ),
                el("ul", "".join(el("li", esc(line)) for line in findings), class_="findings")
                if findings
                else "",
            ]
        ),
        class_="page-head",
    )
    body = join(
        [
            header,
            nav,
            *(
                el(
                    "section",
                    el("h2", esc(title)) + (el("p", esc(intro), class_="intro") if intro else "") + html,
                    id=key,
                )
                for key, title, intro, html in blocks
            ),
        ]
    )
    style = _asset("report.css")
    script = "\n".join([RUNTIME, kernel_script, _asset("report.js")])
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{esc(csp(script, style))}">
<title>Activation functions, computed — actlab report</title>
<style>{style}</style>
</head>
<body>
{body}
<div id="tooltip" role="status" hidden></div>
<script type="application/json" id="actlab-data">{json_for_script(data)}</script>
<script>{script}</script>
</body>
</html>
"""


@functools.lru_cache(maxsize=2)
def _reference(
    points: int, registered: tuple[str, ...], overlay: tuple[str, ...]
) -> tuple[list[dict], str, str, str]:
    """What the page shows of the registry alone, the same in every build of one process (keyed
    by the registered names): the gallery's data and kernels, its HTML, the property table."""
    defs = definitions()
    infos = {i.name: i for i in catalog()}
    kernels = Kernels()
    entries = []
    for d in defs:
        entry = live_entry(d, kernels)
        entries.append(entry if entry is not None else {**gallery_entry(d, points), "mode": "sampled"})
    return (
        entries,
        kernels.script(),
        sections.gallery(defs, infos, list(overlay)),
        sections.property_table(list(infos.values())),
    )


def _frames(lessons: dict | None) -> dict:
    """The learning animation's frames as data: URIs, by dataset and activation."""
    if not lessons:
        return {}
    return {
        plane: {name: ["data:image/png;base64," + f for f in run["frames"]] for name, run in runs.items()}
        for plane, runs in lessons.get("learn", {}).items()
    }


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")
