r"""Formulas typeset from their LaTeX: MathML for the report, Unicode for the terminal.

The definitions write their formulas in a small part of LaTeX (fractions, roots, scripts,
``\left…\right``, ``cases``, Greek letters, operator names, ``\text``). :func:`parse` reads
exactly that part into a tree and refuses anything else (:class:`MathSyntaxError`), so an
unknown command can never leak onto a page as raw source. Two renderers read the tree:

- :func:`mathml`: MathML Core, which browsers typeset natively. Operator names are upright,
  ``\left…\right`` and ``cases`` braces stretch, every piece of text is escaped.
- :func:`unicode`: one line of plain Unicode for the terminal: ``x·Φ(x) = x/2·(1 + erf(x/√2))``,
  ``e⁻ˣ``, ``xᵢ``, ``1 if x > 0; 0 if x ≤ 0``.

The seed texts write formulas in running text with TeX-like scripts (``e^{−x}``, ``o_j``);
:func:`inline_html` and :func:`inline_unicode` set those scripts and leave the rest as it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from ..core import ActlabError


class MathSyntaxError(ActlabError, ValueError):
    """LaTeX outside the part of LaTeX the formulas are written in."""


# ------------------------------------------------------------------------------- vocabulary
GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
SYMBOLS = {"infty": "∞", "partial": "∂", "top": "⊤", "nabla": "∇", "ell": "ℓ"}  # identifiers
RELATIONS = {
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "sim": "∼",
    "in": "∈",
    "to": "→",
    "equiv": "≡",
}
BINARY = {"odot": "⊙", "cdot": "·", "times": "×", "pm": "±", "mp": "∓"}
PUNCTUATION = {
    "ldots": "…",
    "cdots": "⋯",
    "dots": "…",
    "lVert": "‖",
    "rVert": "‖",
    "|": "‖",
    "{": "{",
    "}": "}",
    "vert": "|",
    "mid": "∣",
    "langle": "⟨",
    "rangle": "⟩",
}
FUNCTIONS = (
    "log",
    "ln",
    "exp",
    "tanh",
    "sinh",
    "cosh",
    "sin",
    "cos",
    "tan",
    "sec",
    "max",
    "min",
    "arg",
    "sup",
    "inf",
    "det",
    "lim",
)
LIMITS = ("max", "min", "sup", "inf", "lim", "det")  # take their subscript underneath
LARGE = {"sum": "∑", "prod": "∏"}
SPACES = {
    ",": 0.1667,
    ":": 0.2222,
    ">": 0.2222,
    ";": 0.2778,
    " ": 0.25,
    "quad": 1.0,
    "qquad": 2.0,
    "!": -0.1667,
}
OPEN = "([{⟨"
CLOSE = ")]}⟩"


# ------------------------------------------------------------------------------- the tree
@dataclass
class Node:
    kind: str  # ident, number, op, text, space, row, frac, sqrt, script,
    text: str = ""  # fenced, cases
    children: list = field(default_factory=list)
    function: bool = False  # an operator name (upright, applied to what follows)
    limits: bool = False  # its subscript goes underneath in display style
    unary: bool = False  # a sign, not a binary operator
    small: bool = False  # \tfrac
    width: float = 0.0  # of a space, in em
    stretchy: bool = False

    @property
    def is_operand(self) -> bool:
        return self.kind not in ("op", "space") or (
            self.kind == "op" and self.text in CLOSE + "|‖" and not self.stretchy
        )


def _row(children) -> Node:
    return Node("row", children=list(children))


# ------------------------------------------------------------------------------- parsing
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|(\s+)|(.)", re.S)


def _tokens(latex: str) -> list[tuple[str, str, int]]:
    """(kind, value, end offset) for each token; white space is dropped, as TeX does in maths."""
    out = []
    for m in _TOKEN.finditer(latex):
        command, number, space, char = m.groups()
        if command is not None:
            out.append(("cmd", command, m.end()))
        elif number is not None:
            out.append(("num", number, m.end()))
        elif space is None:
            out.append(("char", char, m.end()))
    return out


_ROW_ENDS = {("char", "}"), ("char", "&"), ("cmd", "right"), ("cmd", "end"), ("cmd", "\\")}


class _Parser:
    def __init__(self, latex: str):
        self.latex, self.tokens, self.i = latex, _tokens(latex), 0

    def error(self, message: str) -> MathSyntaxError:
        return MathSyntaxError(f"cannot typeset {self.latex!r}: {message}")

    def peek(self) -> tuple[str | None, str | None]:
        return self.tokens[self.i][:2] if self.i < len(self.tokens) else (None, None)

    def take(self) -> tuple[str | None, str | None]:
        token = self.peek()
        self.i += 1
        return token

    def expect(self, char: str) -> None:
        if self.take() != ("char", char):
            raise self.error(f"expected {char!r}")

    def row(self) -> Node:
        """Atoms up to the end of the group, a cell (&), a row (\\\\), \\right or \\end."""
        items: list[Node] = []
        while self.peek() not in _ROW_ENDS and self.peek()[0] is not None:
            items.append(self.scripts(self.atom()))
        _mark_unary(items)
        return _row(items)

    def group(self) -> Node:
        self.expect("{")
        inside = self.row()
        self.expect("}")
        return inside

    def raw_group(self) -> str:
        """The text of a ``{...}`` argument exactly as written, spaces kept (for \\text and
        operator names); ``\\{``, ``\\}`` and the like stand for their characters."""
        self.expect("{")
        start = self.tokens[self.i - 1][2]
        depth, k = 1, start
        while depth:
            if k >= len(self.latex):
                raise self.error("unbalanced braces")
            c = self.latex[k]
            if c == "\\":
                k += 2
                continue
            depth += {"{": 1, "}": -1}.get(c, 0)
            k += 1
        while self.i < len(self.tokens) and self.tokens[self.i][2] <= k:
            self.i += 1
        return re.sub(r"\\([{}%#&_$ ])", r"\1", self.latex[start : k - 1])

    def argument(self) -> Node:
        """A script's argument: a braced group or one token."""
        kind, value = self.peek()
        if kind == "char" and value == "{":
            return self.group()
        if kind == "num" and len(value) > 1:  # x^12 is x^1 2, as in TeX
            self.tokens[self.i] = ("num", value[1:], self.tokens[self.i][2])
            return Node("number", value[0])
        if kind is None:
            raise self.error("a script needs an argument")
        return self.atom()

    def scripts(self, base: Node) -> Node:
        sub = sup = None
        while True:
            kind, value = self.peek()
            if (kind, value) == ("char", "_"):
                self.take()
                sub = self.argument()
            elif (kind, value) == ("char", "^"):
                self.take()
                sup = self.argument()
            elif (kind, value) == ("char", "'"):
                self.take()
                sup = _row([*(sup.children if sup else []), Node("op", "′")])
            else:
                break
        if sub is None and sup is None:
            return base
        return Node("script", children=[base, sub, sup], limits=base.limits)

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return Node("number", value)
        if kind == "char":
            if value == "{":
                self.i -= 1
                return self.group()
            if value in "^_'":
                raise self.error(f"{value!r} with nothing before it")
            if value.isalpha() and value.isascii():
                return Node("ident", value)
            if value == "-":
                value = "−"
            return Node("op", value)
        return self.command(value)

    def command(self, name: str) -> Node:
        if name in GREEK:
            return Node("ident", GREEK[name])
        if name in SYMBOLS:
            return Node("ident", SYMBOLS[name])
        if name in RELATIONS:
            return Node("op", RELATIONS[name])
        if name in BINARY:
            return Node("op", BINARY[name])
        if name in PUNCTUATION:
            return Node("op", PUNCTUATION[name])
        if name in FUNCTIONS:
            return Node("ident", name, function=True, limits=name in LIMITS)
        if name in LARGE:
            return Node("op", LARGE[name], limits=True)
        if name in SPACES:
            return Node("space", width=SPACES[name])
        if name == "operatorname":
            return Node("ident", self.raw_group().strip(), function=True)
        if name == "mathrm":
            text = self.raw_group().strip()
            return Node("ident", text, function=len(text) > 1)
        if name == "mathbb":
            text = self.raw_group().strip()
            return Node("ident", "𝟙" if text == "1" else "".join(_DOUBLE_STRUCK.get(c, c) for c in text))
        if name == "text":
            return Node("text", self.raw_group())
        if name in ("frac", "tfrac", "dfrac"):
            return Node("frac", children=[self.group(), self.group()], small=name == "tfrac")
        if name == "sqrt":
            return Node("sqrt", children=[self.argument()])
        if name == "left":
            return self.fenced()
        if name == "begin":
            return self.environment()
        raise self.error(f"unknown command \\{name}")

    def delimiter(self) -> str:
        kind, value = self.take()
        if kind == "char" and value in "()[]|.":
            return "" if value == "." else value
        if kind == "cmd" and value in PUNCTUATION:
            return PUNCTUATION[value]
        raise self.error(f"{value!r} is not a delimiter for \\left or \\right")

    def fenced(self) -> Node:
        opening = self.delimiter()
        body = self.row()
        if self.take() != ("cmd", "right"):
            raise self.error("\\left without \\right")
        closing = self.delimiter()
        return Node(
            "fenced", children=[Node("op", opening, stretchy=True), body, Node("op", closing, stretchy=True)]
        )

    def environment(self) -> Node:
        name = self.raw_group()
        if name != "cases":
            raise self.error(f"unknown environment {name!r}")
        rows = []
        while True:
            cells = [self.row()]
            while self.peek() == ("char", "&"):
                self.take()
                cells.append(self.row())
            rows.append(_row(cells))
            kind, value = self.take()
            if (kind, value) == ("cmd", "\\"):
                continue
            if (kind, value) == ("cmd", "end") and self.raw_group() == "cases":
                return Node("cases", children=rows)
            raise self.error("cases must end with \\end{cases}")


_DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}


def _mark_unary(items: list[Node]) -> None:
    """A − or + is a sign, not a binary operator, at the start of a row or after an operator
    (an opening | counts as one, a closing | as an operand)."""
    previous, bars = None, 0
    for node in items:
        if node.kind == "space":
            continue
        if (
            node.kind == "op"
            and node.text in "−+±"
            and (
                previous is None
                or (
                    previous.kind == "op"
                    and previous.text not in CLOSE
                    and not (previous.text == "|" and bars % 2 == 0)
                )
            )
        ):
            node.unary = True
        if node.kind == "op" and node.text == "|":
            bars += 1
        previous = node


def parse(latex: str) -> Node:
    """The formula's tree; raises :class:`MathSyntaxError` for LaTeX outside the vocabulary."""
    p = _Parser(latex)
    tree = p.row()
    if p.i < len(p.tokens):
        raise p.error(f"unexpected {p.peek()[1]!r}")
    return tree


def clauses(tree: Node) -> list[Node]:
    """The top level split at a comma followed by a space: the parts of a formula that
    can go on separate lines when there is no room for the whole."""
    parts, current = [], []
    items = tree.children
    for k, node in enumerate(items):
        nxt = items[k + 1] if k + 1 < len(items) else None
        if node.kind == "op" and node.text == "," and nxt is not None and nxt.kind == "space":
            current.append(node)
            parts.append(_row(current))
            current = []
            continue
        if node.kind == "space" and not current and parts:
            continue
        current.append(node)
    parts.append(_row(current))
    return [p for p in parts if p.children]


# ------------------------------------------------------------------------------- MathML
def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _ml(node: Node, after: Node | None = None) -> str:
    k = node.kind
    if k == "row":
        return "<mrow>" + _ml_items(node.children) + "</mrow>"
    if k == "ident":
        return f"<mi>{_esc(node.text)}</mi>"
    if k == "number":
        return f"<mn>{_esc(node.text)}</mn>"
    if k == "text":
        # MathML drops the white space at the ends of a token: keep it as no-break spaces.
        text = _esc(node.text)
        stripped = text.strip(" ")
        lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
        return f"<mtext>{'&#160;' * lead}{stripped}{'&#160;' * trail}</mtext>"
    if k == "space":
        return f'<mspace width="{node.width:g}em"></mspace>' if node.width > 0 else ""
    if k == "op":
        return _ml_op(node)
    if k == "frac":
        num, den = (_ml(c) for c in node.children)
        style = ' displaystyle="false"' if node.small else ""
        return f"<mfrac{style}>{num}{den}</mfrac>"
    if k == "sqrt":
        return f"<msqrt>{_ml(node.children[0])}</msqrt>"
    if k == "fenced":
        opening, body, closing = node.children
        return (
            "<mrow>"
            + (_ml_op(opening, "prefix") if opening.text else "")
            + _ml(body)
            + (_ml_op(closing, "postfix") if closing.text else "")
            + "</mrow>"
        )
    if k == "cases":
        rows = "".join(
            "<mtr>" + "".join(f"<mtd>{_ml(cell)}</mtd>" for cell in row.children) + "</mtr>"
            for row in node.children
        )
        return (
            '<mrow><mo fence="true" form="prefix" stretchy="true">{</mo>'
            f'<mtable class="cases">{rows}</mtable></mrow>'
        )
    if k == "script":
        base, sub, sup = node.children
        b = _ml(base)
        s, p = (_ml(c) if c is not None else None for c in (sub, sup))
        if node.limits:
            tag = "munderover" if s and p else ("munder" if s else "mover")
            return f"<{tag}>{b}{s or ''}{p or ''}</{tag}>"
        tag = "msubsup" if s and p else ("msub" if s else "msup")
        return f"<{tag}>{b}{s or ''}{p or ''}</{tag}>"
    raise ValueError(k)


def _ml_op(node: Node, form: str | None = None) -> str:
    attrs = ""
    if form:
        attrs += f' form="{form}" fence="true" stretchy="true"'
    elif node.text in OPEN + CLOSE + "|‖":
        attrs += ' stretchy="false"'
    if node.unary:
        attrs += ' form="prefix"'
    if node.limits:
        attrs += ' largeop="true" movablelimits="false"'
    return f"<mo{attrs}>{_esc(node.text)}</mo>"


def _ml_items(items: list[Node]) -> str:
    out = []
    for k, node in enumerate(items):
        out.append(_ml(node))
        nxt = _next_visible(items, k)
        if _is_function(node) and nxt is not None and not _opens(nxt):
            out.append('<mspace width="0.1667em"></mspace>')  # TeX's space after an operator name
    return "".join(out)


def mathml(latex: str, display: bool = True) -> str:
    """The formula as a ``<math>`` element; each top-level clause (see :func:`clauses`) is an
    ``mrow`` of class ``clause``, so a narrow page can wrap between them."""
    tree = parse(latex)
    parts = "".join(f'<mrow class="clause">{_ml_items(c.children)}</mrow>' for c in clauses(tree))
    block = ' display="block"' if display else ""
    return f"<math{block}>{parts}</math>"


# ------------------------------------------------------------------------------- Unicode
SUPERSCRIPT = dict(
    zip(
        "0123456789+−-=()nixyabcdefghjklmoprstuvwzαβγδθφχ′⊤ABDEGHIJKLMNOPRTUVW",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱˣʸᵃᵇᶜᵈᵉᶠᵍʰʲᵏˡᵐᵒᵖʳˢᵗᵘᵛʷᶻᵅᵝᵞᵟᶿᵠᵡ′ᵀᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
    )
)
SUBSCRIPT = dict(zip("0123456789+−-=()aehijklmnoprstuvxβγρφχ", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))


def _script_text(text: str, table: dict, mark: str) -> str:
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _is_function(node: Node) -> bool:
    base = node.children[0] if node.kind == "script" else node
    return base.kind == "ident" and base.function


def _opens(node: Node) -> bool:
    return node.kind == "fenced" or (node.kind == "op" and node.text in OPEN)


def _next_visible(items: list[Node], k: int) -> Node | None:
    for node in items[k + 1 :]:
        if node.kind != "space":
            return node
    return None


def _visible(node: Node) -> list[Node]:
    return [c for c in node.children if c.kind != "space"]


def _closer(node: Node) -> str:
    """The delimiter a node ends with: ``)`` for ``)`` and for ``)²``."""
    base = node.children[0] if node.kind == "script" else node
    return base.text if base.kind == "op" else ""


def _enclosed(items: list[Node]) -> bool:
    """Whether one pair of ( ) or | | encloses the whole list: (1 + |x|)², |S|."""
    if len(items) < 2 or not (items[0].kind == "op" and items[0].text in "(|"):
        return False
    opening = items[0].text
    closing = ")" if opening == "(" else "|"
    if _closer(items[-1]) != closing:
        return False
    depth = 0
    for k, node in enumerate(items):
        t = _closer(node)
        if opening == "(":
            depth += (t == "(") - (t == ")")
        elif t == "|":
            depth = 1 - depth
        if depth == 0 and k < len(items) - 1:
            return False
    return True


def _atomic(node: Node) -> bool:
    """Whether the node reads as one factor without parentheses."""
    if node.kind == "row":
        visible = _visible(node)
        if len(visible) == 2 and visible[0].kind == "ident" and visible[0].text == "∂":
            return True  # ∂x is one symbol
        return (len(visible) == 1 and _atomic(visible[0])) or _enclosed(visible)
    return node.kind in ("ident", "number", "fenced", "sqrt") or (
        node.kind == "script" and node.children[0].kind in ("ident", "number")
    )


def _has_operator(node: Node) -> bool:
    """Whether a binary operator stands at the top level of the node (outside any parentheses)."""
    if node.kind != "row":
        return False
    depth = 0
    for c in node.children:
        t = _closer(c)
        depth += (t in OPEN) - (t in CLOSE)
        if depth == 0 and c.kind == "op" and c.text in "+−=<>≤≥≠≈,;±⊙×" and not c.unary:
            return True
    return False


def _uni(node: Node, top: bool = False) -> str:
    k = node.kind
    if k == "row":
        return _uni_items(node.children)
    if k in ("ident", "number", "text"):
        return node.text
    if k == "op":
        return node.text
    if k == "space":
        return ""
    if k == "frac":
        num, den = node.children
        a, b = _uni(num), _uni(den)
        if _has_operator(num):
            a = f"({a})"
        if not _atomic(den):
            b = f"({b})"
        return f"{a}/{b}"
    if k == "sqrt":
        body = node.children[0]
        text = _uni(body)
        return f"√{text}" if _atomic(body) and len(text) <= 2 else f"√({text})"
    if k == "fenced":
        opening, body, closing = node.children
        return f"{opening.text}{_uni(body)}{closing.text}"
    if k == "cases":
        rows = []
        for row in node.children:
            cells = [_uni(c) for c in row.children]
            value, condition = cells[0], " ".join(cells[1:])
            starts_with_text = (
                row.children[1:]
                and row.children[1].children[:1]
                and row.children[1].children[0].kind == "text"
            )
            rows.append(
                f"{value} {condition}" if starts_with_text or not condition else f"{value} if {condition}"
            )
        return "; ".join(rows) if top else "{" + "; ".join(rows) + "}"
    if k == "script":
        base, sub, sup = node.children
        text = _uni(base)
        if base.kind in ("frac", "script") or (base.kind == "row" and not _atomic(base)):
            text = f"({text})"
        if sub is not None:
            text += _script_text(_uni(sub), SUBSCRIPT, "_")
        if sup is not None:
            text += _script_text(_uni(sup), SUPERSCRIPT, "^")
        return text
    raise ValueError(k)


def _uni_items(items: list[Node], top: bool = False) -> str:
    visible = [n for n in items if n.kind != "space"]
    out, previous, spaced, wide = "", None, False, False
    for node in items:
        if node.kind == "space":
            spaced = spaced or node.width > 0
            wide = wide or node.width >= 0.25  # a word space, not a product's thin space
            continue
        text = _uni(node, top and len(visible) == 1)
        if node.kind == "op" and node.text in "=<>≤≥≠≈∼∈→+−±∓×⊙" and not node.unary:
            out = out.rstrip() + f" {text} "
        elif node.kind == "op" and node.text in ",;":
            out = out.rstrip() + f"{text} "
        elif previous is None or out.endswith(" "):
            out += text
        elif _is_function(previous) or previous.limits:
            if node.kind == "frac":
                out += f"({text})"  # erf(x/√2), not erf x/√2
            else:
                out += text if _opens(node) else " " + text
        elif not wide and _juxtaposed(previous, node, spaced):
            out += "·" + text
        else:
            out += (" " if spaced else "") + text
        previous, spaced, wide = node, False, False
    return out.strip()


def _juxtaposed(a: Node, b: Node, spaced: bool) -> bool:
    """Whether two factors written side by side need a visible ·: around a fraction (x/2·(…)),
    before an operator name or a case split (x·tanh(…), λ·{…}), between two numbers, or where
    the LaTeX spaced them (x\\,Φ(x))."""
    if not a.is_operand or "text" in (a.kind, b.kind):
        return False
    if not b.is_operand:
        return spaced and _opens(b)  # α\\,(eˣ − 1) is α·(eˣ − 1)
    return (
        a.kind == "frac"
        or b.kind in ("frac", "cases")
        or _is_function(b)
        or (a.kind == "number" and b.kind == "number")
        or spaced
    )


def unicode(latex: str) -> str:
    """The formula as one line of Unicode (see the module's docstring)."""
    tree = parse(latex)
    return _uni_items(tree.children, top=True)


# ------------------------------------------------------------------------------- running text
# ``o_j`` (one character, not inside a word such as leaky_relu) and ``e^{−x}`` (braced).
_ONE = re.compile(r"([\^_])([^\s{}\\^_])(?![A-Za-z0-9])")
_BRACED = re.compile(r"([\^_])\{([^{}]*)\}")


def _scripts(text: str, replace) -> str:
    # One-character scripts first, so that e^{x_n} sets the n inside the braced superscript.
    for pattern in (_ONE, _BRACED):
        text = pattern.sub(lambda m: replace(m.group(1), m.group(2)), text)
    return text


def inline_html(text: str) -> str:
    """Running text with TeX-like scripts (``e^{−x}``, ``o_j``) as escaped HTML with
    ``<sup>``/``<sub>``; a ``_`` inside a word (``leaky_relu``) stays as it is."""
    return _scripts(
        html.escape(text, quote=True),
        lambda mark, body: f"<{'sup' if mark == '^' else 'sub'}>{body}</{'sup' if mark == '^' else 'sub'}>",
    )


def inline_unicode(text: str) -> str:
    """The same for the terminal: Unicode super- and subscripts where every character has one
    (``e⁻ˣ``, ``oⱼ``), else ``^(…)``/``_(…)``."""
    return _scripts(
        text, lambda mark, body: _script_text(body, SUPERSCRIPT if mark == "^" else SUBSCRIPT, mark)
    )
