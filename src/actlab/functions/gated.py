"""Gated linear units: split an axis in halves a, b and return a ⊙ gate(b).

The gate is another registered activation, read from the registry, so each GLU variant reuses
that activation's one definition of its formula and derivative.
"""

from __future__ import annotations

import math

from ..core import Definition, ParameterError, Reference, lookup, register
from ._shared import check_grad_out
from .vector import AXIS

_SHAZEER = Reference(
    "N. Shazeer", 2020, "GLU Variants Improve Transformer", "https://arxiv.org/abs/2002.05202"
)


def _halves(x, o, axis):
    n = x.shape[axis]
    if n % 2:
        raise ParameterError(
            f"a gated unit splits axis {axis} in two halves, but its length {n} is odd; "
            "expected an even length"
        )
    lead = (slice(None),) * axis
    return x[lead + (slice(0, n // 2),)], x[lead + (slice(n // 2, n),)]


def _define_gated(name: str, gate_name: str, smoothness: str, reference: Reference, note: str):
    gate = lookup(gate_name)
    defaults = {p.name: p.default for p in gate.params}
    gate_mp = gate.mp_forward
    if gate_mp is None:  # a gate's definition must carry its oracle for the gated unit's
        raise ValueError(f"{name}: the gate {gate_name} has no mp_forward")

    def forward(x, o, axis):
        a, b = _halves(x, o, axis)
        return a * gate.forward(b, o, **defaults)

    def vjp(x, g, o, axis):
        a, b = _halves(x, o, axis)
        check_grad_out(g, a.shape, name)
        return o.concat(
            [g * gate.forward(b, o, **defaults), g * a * gate.derivative(b, o, **defaults)], axis=axis
        )

    forward.__doc__ = (
        rf"{name.upper()}: :math:`f(x) = a \odot \mathrm{{{gate_name}}}(b)` where "
        rf":math:`x = [a, b]` is split in halves along ``axis``."
    )
    register(
        Definition(
            name=name,
            family="gated",
            elementwise=False,
            forward=forward,
            vjp=vjp,
            params=(AXIS,),
            summary=f"Gated linear unit with a {gate_name} gate: halves a, b of the input give a · {gate_name}(b).",
            latex=rf"a \odot \operatorname{{{gate_name}}}(b),\ x = [a; b]",
            latex_derivative=rf"\frac{{\partial f}}{{\partial a}} = \operatorname{{{gate_name}}}(b),\ "
            rf"\frac{{\partial f}}{{\partial b}} = a \odot \operatorname{{{gate_name}}}'(b)",
            output_range=(-math.inf, math.inf),
            monotonic=False,
            zero_centred=False,
            smoothness=smoothness,
            saturates=(),
            uses=("hidden",),
            init="glorot",
            reference=reference,
            guidance=f"Halves the width of its input. {note}",
            mp_forward=lambda mp, row, axis: [
                a * gate_mp(mp, b, **defaults) for a, b in zip(row[: len(row) // 2], row[len(row) // 2 :])
            ],
        )
    )


_define_gated(
    "glu",
    "sigmoid",
    "C∞",
    Reference(
        "Y. N. Dauphin, A. Fan, M. Auli, D. Grangier",
        2016,
        "Language Modeling with Gated Convolutional Networks",
        "https://arxiv.org/abs/1612.08083",
    ),
    "The linear half carries the gradient unattenuated, which helps deep convolutional language models.",
)
_define_gated("reglu", "relu", "C0", _SHAZEER, "The cheapest gate; Shazeer (2020) found it close to GEGLU.")
_define_gated("geglu", "gelu", "C∞", _SHAZEER, "One of the two best variants in Shazeer (2020).")
_define_gated(
    "swiglu",
    "swish",
    "C∞",
    _SHAZEER,
    "The feed-forward block of LLaMA and PaLM; set the hidden width to 2/3 of a plain "
    "FFN's to keep the parameter count.",
)
