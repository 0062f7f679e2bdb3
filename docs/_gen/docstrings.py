"""How the API reference reads docstrings.

actlab's docstrings are prose with code in double backquotes and formulas in ``:math:`` roles;
they use no reStructuredText substitutions, so a ``|`` outside a literal is text (|x|, an
absolute value), not the start of one. Only objects that actlab defines are documented:
members added by another library (scikit-learn's ``set_fit_request``) are its to document.
"""

from __future__ import annotations

import re

# Inline literals and interpreted text (``code``, :math:`...`, `ref`): left as they are.
_LITERAL = re.compile(r"``.+?``|(?::[\w:.-]+:)?`[^`]+`_{0,2}")


def _escape_bars(text: str) -> str:
    parts, last = [], 0
    for m in _LITERAL.finditer(text):
        parts += [text[last : m.start()].replace("|", r"\|"), m.group()]
        last = m.end()
    return "".join(parts + [text[last:].replace("|", r"\|")])


def escape_bars(app, what, name, obj, options, lines: list[str]) -> None:
    """Escape ``|`` in prose lines; literal blocks (after ``::``), directives, doctests and
    tables stay as written."""
    block_indent = None  # indentation of the line that opened a literal block or directive
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        table_row = stripped.startswith(("+-", "+=")) or (stripped[:1] == "|" == stripped[-1:] != stripped)
        if stripped.startswith((">>>", "...")) or table_row:
            continue
        if stripped.endswith("::") or stripped.startswith(".. "):
            block_indent = indent
        lines[i] = _escape_bars(line)


def skip_foreign(app, what, name, obj, skip, options):
    """Skip members whose code lives outside actlab; otherwise leave autodoc's decision."""
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and callable(obj) and not module.startswith("actlab"):
        return True
    return None


def setup(app) -> None:
    app.connect("autodoc-process-docstring", escape_bars)
    app.connect("autodoc-skip-member", skip_foreign)
