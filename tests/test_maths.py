"""Formulas typeset from LaTeX: every registered one, as MathML and as Unicode, with nothing leaked."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

import actlab as al
from actlab.viz import maths

FORMULAS = [
    (d.name, which, latex)
    for d in al.definitions()
    for which, latex in (("f", d.latex), ("f'", d.latex_derivative))
]


def _tree(markup: str) -> ET.Element:
    # MathML is XML: parsing it checks that every element is closed and every text escaped.
    return ET.fromstring(markup.replace("&nbsp;", " "))


@pytest.mark.parametrize("name, which, latex", FORMULAS, ids=[f"{n}-{w}" for n, w, _ in FORMULAS])
def test_every_registered_formula_typesets_without_leaking(name, which, latex):
    markup = maths.mathml(latex)
    root = _tree(markup)
    assert "\\" not in markup, "a LaTeX command reached the page"
    for element in root.iter():
        if element.tag != "mtext" and element.text:
            assert not re.search(r"[_^]", element.text), f"a script marker in <{element.tag}>"
            assert element.text in "{}" or not re.search(r"[{}]", element.text), "a group brace"
    line = maths.unicode(latex)
    assert "\\" not in line and "^{" not in line and "_{" not in line


def test_operator_names_are_upright_words_not_letters():
    markup = maths.mathml(al.lookup("hard_sigmoid").latex)
    assert "<mi>ReLU6</mi>" in markup  # one identifier of several letters: upright in MathML
    assert "<mi>R</mi>" not in markup
    assert "<mi>max</mi>" in maths.mathml(r"\max(0, x)")
    argmax = maths.mathml(al.lookup("argmax").latex)
    assert "<mi>arg</mi>" in argmax and "<mi>max</mi>" in argmax and "<munder>" in argmax


def test_fences_and_cases_stretch():
    markup = maths.mathml(r"\left(\frac{1}{2}\right) + (x)")
    assert markup.count('stretchy="true"') == 2 and markup.count('stretchy="false"') == 2
    cases = maths.mathml(al.lookup("elu").latex)
    assert '<mo fence="true" form="prefix" stretchy="true">{</mo><mtable class="cases">' in cases
    assert cases.count("<mtr>") == 2


def test_text_is_escaped_as_text():
    markup = maths.mathml(r"x + \text{<script>alert(1)</script> & <img onerror=x>}")
    assert "<script" not in markup and "<img" not in markup
    root = _tree(markup)
    assert root.find(".//mtext").text == "<script>alert(1)</script> & <img onerror=x>"


def test_unknown_commands_are_refused_not_passed_through():
    for latex in (r"\unknowncmd{x}", r"\begin{matrix}1\end{matrix}", r"x^", r"\left( x", r"\frac{1}"):
        with pytest.raises(maths.MathSyntaxError, match="cannot typeset"):
            maths.mathml(latex)
    assert issubclass(maths.MathSyntaxError, ValueError)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("gelu", "x·Φ(x) = x/2·(1 + erf(x/√2))"),
        ("sigmoid", "σ(x) = 1/(1 + e⁻ˣ)"),
        ("relu", "max(0, x)"),
        ("elu", "x if x > 0; α·(eˣ − 1) if x ≤ 0"),
        ("softsign", "x/(1 + |x|)"),
        ("mish", "x·tanh(log(1 + eˣ))"),
        ("hard_swish", "x·ReLU6(x + 3)/6"),
        ("log_softmax", "xᵢ − log ∑ⱼ e^(xⱼ)"),
    ],
)
def test_unicode_forms_read_like_maths(name, expected):
    assert maths.unicode(al.lookup(name).latex) == expected


def test_derivatives_in_unicode():
    assert maths.unicode(al.lookup("relu").latex_derivative) == "1 if x > 0; 0 if x ≤ 0"
    assert maths.unicode(al.lookup("hard_sigmoid").latex_derivative) == "1/6 if −3 < x < 3; 0 otherwise"
    assert maths.unicode(al.lookup("softsign").latex_derivative) == "1/(1 + |x|)²"
    assert maths.unicode(al.lookup("tanh").latex_derivative) == "1 − tanh²(x)"


def test_long_formulas_split_into_clauses_that_can_wrap():
    rrelu = maths.parse(al.lookup("rrelu").latex)
    assert len(maths.clauses(rrelu)) == 3
    assert maths.mathml(al.lookup("rrelu").latex).count('class="clause"') == 3
    assert len(maths.clauses(maths.parse(r"x + y"))) == 1


@pytest.mark.parametrize(
    "text, html, terminal",
    [
        ("1 / (1 + e^{−x})", "1 / (1 + e<sup>−x</sup>)", "1 / (1 + e⁻ˣ)"),
        (
            "∂p(ŷ)/∂o_j = y_j − p(ŷ_j)",
            "∂p(ŷ)/∂o<sub>j</sub> = y<sub>j</sub> − p(ŷ<sub>j</sub>)",
            "∂p(ŷ)/∂oⱼ = yⱼ − p(ŷⱼ)",
        ),
        ("softmax_n = e^{x_n}", "softmax<sub>n</sub> = e<sup>x<sub>n</sub></sup>", "softmaxₙ = e^(xₙ)"),
        ("e^{−x}x / (1+e^{−x})²", "e<sup>−x</sup>x / (1+e<sup>−x</sup>)²", "e⁻ˣx / (1+e⁻ˣ)²"),
        ("def leaky_relu(x): x**2", "def leaky_relu(x): x**2", "def leaky_relu(x): x**2"),
        ("a < b & c", "a &lt; b &amp; c", "a < b & c"),
    ],
)
def test_running_text_sets_its_scripts(text, html, terminal):
    assert maths.inline_html(text) == html
    assert maths.inline_unicode(text) == terminal


def test_script_tables_map_like_for_like():
    assert (maths.SUPERSCRIPT["x"], maths.SUPERSCRIPT["N"], maths.SUPERSCRIPT["−"]) == ("ˣ", "ᴺ", "⁻")
    assert (maths.SUBSCRIPT["j"], maths.SUBSCRIPT["2"], maths.SUBSCRIPT["x"]) == ("ⱼ", "₂", "ₓ")
