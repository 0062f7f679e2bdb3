"""Math typeset as MathML at build time (latex2mathml, as the HTML report does): browsers render
it natively, so the pages need no JavaScript, no fonts and no network to show a formula."""

from __future__ import annotations

import html
import re

from docutils import nodes
from latex2mathml.converter import convert
from sphinx.util import logging

logger = logging.getLogger(__name__)


# LaTeX operators latex2mathml does not know, spelled in a form it does.
_SPELLED = {re.compile(r"\\arg(?![a-zA-Z])"): r"\\operatorname{arg}"}
# A command latex2mathml did not know comes out as text starting with a backslash.
_UNKNOWN = re.compile(r">(\\[a-zA-Z]+)")


def _mathml(node: nodes.Element, latex: str, display: str) -> str:
    source = latex
    for pattern, spelling in _SPELLED.items():
        source = pattern.sub(spelling, source)
    try:
        out = convert(source, display=display)
    except Exception as exc:  # latex2mathml raises plain exceptions for LaTeX it cannot read
        logger.warning("cannot typeset %r: %s", latex, exc, location=node)
        return f"<code>{html.escape(latex)}</code>"
    unknown = _UNKNOWN.findall(out)
    if unknown:
        logger.warning("cannot typeset %s in %r", ", ".join(sorted(set(unknown))), latex, location=node)
    return out


def visit_inline(self, node: nodes.math) -> None:
    self.body.append(_mathml(node, node.astext(), "inline"))
    raise nodes.SkipNode


def visit_block(self, node: nodes.math_block) -> None:
    # Sphinx's math directive separates equations with blank lines; each is its own block.
    parts = [p for p in node.astext().split("\n\n") if p.strip()]
    anchor = f'<span class="eqno">({node["number"]})</span>' if node.get("number") else ""
    body = "".join(_mathml(node, p, "block") for p in parts)
    self.body.append(f'<div class="math notranslate">{anchor}{body}</div>\n')
    raise nodes.SkipNode


def setup(app) -> None:
    app.add_html_math_renderer("mathml", (visit_inline, None), (visit_block, None))
