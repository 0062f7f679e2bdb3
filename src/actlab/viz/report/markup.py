"""Small helpers that build HTML with every piece of text escaped."""

from __future__ import annotations

import html
import json
from typing import Any, Iterable


def esc(text: Any) -> str:
    """Text made safe for HTML content and attribute values (quotes included)."""
    return html.escape(str(text), quote=True)


def attrs(**values: Any) -> str:
    """`` key="value"`` pairs, escaped; ``class_`` gives ``class``, underscores become dashes,
    ``True`` gives a bare attribute and ``None``/``False`` leave it out."""
    out = []
    for key, value in values.items():
        name = key.rstrip("_").replace("_", "-")
        if value is True:
            out.append(f" {name}")
        elif value not in (None, False):
            out.append(f' {name}="{esc(value)}"')
    return "".join(out)


VOID = frozenset({"input", "img", "br", "hr", "meta"})  # elements HTML writes without an end tag


def el(tag: str, content: str = "", **values: Any) -> str:
    """An element whose ``content`` is already HTML (escape text with :func:`esc` first)."""
    if tag in VOID:
        return f"<{tag}{attrs(**values)}>"
    return f"<{tag}{attrs(**values)}>{content}</{tag}>"


def join(parts: Iterable[str]) -> str:
    return "\n".join(parts)


def json_for_script(data: Any) -> str:
    """JSON that is safe inside ``<script type="application/json">``: no ``</script>``, no
    ``<!--`` can end or confuse the element, whatever strings the data holds."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
