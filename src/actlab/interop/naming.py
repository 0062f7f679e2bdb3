"""Names and docstrings for the framework classes generated from the registry."""

from __future__ import annotations

from ..core import Definition


def class_name(name: str) -> str:
    """A registry name as a class name: ``leaky_relu`` → ``LeakyReLU``, ``hard_swish`` → ``HardSwish``.

    Words are capitalised; a word ending in "lu" (a "linear unit": elu, gelu, glu, swiglu) is an
    acronym and is written in capitals, with ReLU's usual spelling (relu6 → ReLU6, prelu → PReLU).
    """

    def word(w: str) -> str:
        if w.rstrip("0123456789").endswith("lu"):
            return w.upper().replace("RELU", "ReLU")
        return w.capitalize()

    return "".join(word(w) for w in name.split("_"))


def class_docstring(d: Definition, framework: str, extra_args: str = "") -> str:
    """The docstring of a generated class: summary, formula, parameters, shape, guidance, reference."""
    formula = (d.forward.__doc__ or "").strip()
    args = "".join(
        f"\n    {p.name}: {p.doc}; default {p.default!r}, {p.range_text}"
        f"{' (learned: a trainable parameter)' if p.learnable else ''}."
        for p in d.params
    )
    shape = (
        "any shape; the output has the input's shape and dtype"
        if d.elementwise
        else "works along ``axis``; see the formula for the output's length along it"
    )
    return (
        f"{d.summary}\n\n{formula}\n\nThe {framework} form of ``actlab.get({d.name!r})``.\n\n"
        f"Args:{args or ' none.'}{extra_args}\n\nShape: {shape}.\n\n{d.guidance}\n\n"
        f"Reference: {d.reference}"
    )
