"""How the API reference reads docstrings.

actlab's docstrings are prose for a terminal as much as for a page: code in double backquotes,
formulas in ``:math:`` roles, and otherwise plain text, which reStructuredText would misread in
three places. So, outside literals:

- a ``|`` is text (|x|, an absolute value): the docstrings use no substitutions;
- a ``*`` before a name that no later ``*`` closes is Python's star ((samples, *shape)), not
  the start of an emphasis;
- an indented block after a paragraph of prose is preformatted text, shown as written (a
  table of formulas), as if the paragraph ended in ``::``.

Only objects that actlab defines are documented: members added by another library
(scikit-learn's ``set_fit_request``) are its to document.
"""

from __future__ import annotations

import re

# Inline literals and interpreted text (``code``, :math:`...`, `ref`): left as they are.
_LITERAL = re.compile(r"``.+?``|(?::[\w:.-]+:)?`[^`]+`_{0,2}")
_STAR = re.compile(r"(?<![\w*\\])\*(?=\w)(?![^*]*\S\*(?!\w))")
# A paragraph that starts like this is a list, a field, a directive or a doctest, not prose.
_NOT_PROSE = re.compile(r"^(?:[-*+•] |\d+[.)] |#\. |:\w|\.\. |>>>|\.\.\.)")


def _escape(text: str) -> str:
    def prose(part: str) -> str:
        return _STAR.sub(r"\\*", part.replace("|", r"\|"))

    parts, last = [], 0
    for m in _LITERAL.finditer(text):
        parts += [prose(text[last : m.start()]), m.group()]
        last = m.end()
    return "".join([*parts, prose(text[last:])])


def _is_table_row(stripped: str) -> bool:
    return stripped.startswith(("+-", "+=")) or (stripped[:1] == "|" == stripped[-1:] != stripped)


def read_as_text(app, what, name, obj, options, lines: list[str]) -> None:
    """Apply the three rules above to a docstring's lines, in place."""
    block = None  # indentation of the line that opened a literal block or a directive
    paragraph: tuple[int, int] | None = None  # (index of its last line, indentation) if prose
    blank_since = False
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block is not None:
            if not stripped or indent > block:
                continue
            block = None
        if not stripped:
            blank_since = True
            continue
        if paragraph is not None and blank_since and indent > paragraph[1]:
            last = paragraph[0]
            lines[last] += ":" if lines[last].endswith(":") else " ::"
            block, paragraph = paragraph[1], None
            continue
        if stripped.startswith((">>>", "...")) or _is_table_row(stripped):
            paragraph, blank_since = None, False
            continue
        if stripped.endswith("::") or stripped.startswith(".. "):
            block, paragraph = indent, None
        elif blank_since or paragraph is None:
            paragraph = None if _NOT_PROSE.match(stripped) else (i, indent)
        elif paragraph is not None:
            paragraph = (i, paragraph[1])
        blank_since = False
        lines[i] = _escape(line)


def skip_foreign(app, what, name, obj, skip, options):
    """Skip members whose code lives outside actlab; otherwise leave autodoc's decision."""
    module = getattr(obj, "__module__", None)
    if isinstance(module, str) and callable(obj) and not module.startswith("actlab"):
        return True
    return None


def setup(app) -> None:
    app.connect("autodoc-process-docstring", read_as_text)
    app.connect("autodoc-skip-member", skip_foreign)
