"""The single definition of an activation: formulas, derivatives, parameters and metadata."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .params import Param

SMOOTHNESS = ("discontinuous", "C0", "C1", "C∞")
USES = ("hidden", "binary output", "multiclass output", "multilabel output", "regression output", "gating")
INITS = ("he", "glorot", "lecun")


@dataclass(frozen=True)
class Reference:
    """Where an activation was introduced."""

    authors: str
    year: int
    title: str
    link: str  # arXiv or DOI address

    def __str__(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.link}"


@dataclass(frozen=True)
class Definition:
    """Everything actlab knows about one activation; the registry holds exactly one per name.

    Formulas take the input first, then the ops namespace ``o`` (see ``core.arrays``), then the
    parameters as keywords:

    - ``forward(x, o, **p)``: the activation.
    - ``derivative(x, o, **p)``: f'(x), for elementwise activations.
    - ``derivative_from_output(y, o, **p)``: f'(x) computed from y = f(x), where that is
      possible for every x (sigmoid, tanh, relu, elu, ...); backprop then keeps only outputs.
    - ``vjp(x, g, o, **p)``: the backward pass g ↦ (∂f/∂x)ᵀ g, for vector-valued activations.
    - ``param_partials[name](x, o, **p)``: ∂f/∂p elementwise, for learnable parameters.
    - ``stochastic(x, o, rng, **p)``: training-mode forward returning (y, f'(x)) for
      activations that are random while training (RReLU).
    - ``mp_forward(mp, x, **p)``: the same function in mpmath, the high-precision oracle of the
      tests (a list in, a list out for vector-valued activations). Never used for computing.

    Metadata that depends on the parameters (``output_range``, ``monotonic``, ``zero_centred``,
    ``smoothness``, ``saturates``, ``kinks``) may be given as a function of them; :meth:`at`
    gives its value at given parameters, and ``act.info`` at the activation's own.
    """

    name: str
    family: str
    summary: str
    forward: Callable[..., Any]
    latex: str
    latex_derivative: str
    output_range: tuple[float, float] | Callable[..., tuple[float, float]]
    monotonic: bool | Callable[..., bool]
    zero_centred: bool | Callable[..., bool]
    smoothness: str | Callable[..., str]
    saturates: tuple[str, ...] | Callable[..., tuple[str, ...]]
    uses: tuple[str, ...]
    reference: Reference
    guidance: str
    params: tuple[Param, ...] = ()
    aliases: tuple[str, ...] = ()
    derivative: Callable[..., Any] | None = None
    derivative_from_output: Callable[..., Any] | None = None
    vjp: Callable[..., Any] | None = None
    param_partials: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    stochastic: Callable[..., Any] | None = None
    check_params: Callable[..., None] | None = None
    elementwise: bool = True
    differentiable: bool = True
    init: str = "glorot"
    kinks: tuple[float, ...] | Callable[..., tuple[float, ...]] = ()
    kink_convention: str = ""
    mp_forward: Callable[..., Any] | None = None
    # Elementwise functions built from a handful of cheap ops (relu, clip) are exact in floating
    # point; the tests then ask for the correctly rounded answer instead of an ulp budget.
    exact: bool = False
    # Formulas that only compare and select (relu, clip) map integers to integers; actlab.torch
    # then keeps an integer input's dtype, as PyTorch's relu, relu6, hardtanh and threshold do.
    keeps_integers: bool = False

    def __post_init__(self):
        if not callable(self.smoothness):
            _check_smoothness(self.name, self.smoothness)
        if self.init not in INITS:
            raise ValueError(f"{self.name}: init {self.init!r} not in {INITS}")
        if not set(self.uses) <= set(USES):
            raise ValueError(f"{self.name}: uses {self.uses} not all in {USES}")
        if not callable(self.saturates):
            _check_saturates(self.name, self.saturates)
        # Only user callables (family "custom") may lack a derivative: theirs is numerical.
        if self.elementwise and self.derivative is None and self.differentiable and self.family != "custom":
            raise ValueError(f"{self.name}: an elementwise differentiable activation needs a derivative")
        if not self.elementwise and self.vjp is None and self.differentiable:
            raise ValueError(f"{self.name}: a vector-valued activation needs a vjp")

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def at(self, field_name: str, params: Mapping[str, Any]) -> Any:
        """The metadata ``field_name`` at the parameter values ``params``."""
        value = getattr(self, field_name)
        return value(**params) if callable(value) else value

    def range_for(self, params: Mapping[str, Any]) -> tuple[float, float]:
        return self.at("output_range", params)

    def kinks_for(self, params: Mapping[str, Any]) -> tuple[float, ...]:
        return tuple(self.at("kinks", params))


def _check_smoothness(name: str, smoothness: str) -> str:
    if smoothness not in SMOOTHNESS:
        raise ValueError(f"{name}: smoothness {smoothness!r} not in {SMOOTHNESS}")
    return smoothness


def _check_saturates(name: str, saturates: tuple[str, ...]) -> tuple[str, ...]:
    if not set(saturates) <= {"left", "right"}:
        raise ValueError(f"{name}: saturates {saturates} must name 'left'/'right'")
    return tuple(saturates)


@dataclass(frozen=True)
class Info:
    """The metadata of an activation at given parameters, as ``act.info`` and ``catalog()`` show it."""

    name: str
    family: str
    summary: str
    aliases: tuple[str, ...]
    parameters: tuple[dict, ...]
    latex: str
    latex_derivative: str
    output_range: tuple[float, float]
    bounded_below: bool
    bounded_above: bool
    monotonic: bool
    zero_centred: bool
    smoothness: str
    saturates: tuple[str, ...]
    elementwise: bool
    differentiable: bool
    has_derivative_from_output: bool
    uses: tuple[str, ...]
    init: str
    kink_convention: str
    reference: Reference
    guidance: str

    @classmethod
    def of(cls, d: Definition, params: Mapping[str, Any]) -> "Info":
        lo, hi = d.range_for(params)
        return cls(
            name=d.name,
            family=d.family,
            summary=d.summary,
            aliases=d.aliases,
            parameters=tuple(
                {
                    "name": p.name,
                    "value": _plain(params[p.name]),
                    "default": p.default,
                    "range": p.range_text,
                    "learnable": p.learnable,
                    "doc": p.doc,
                }
                for p in d.params
            ),
            latex=d.latex,
            latex_derivative=d.latex_derivative,
            output_range=(lo, hi),
            bounded_below=math.isfinite(lo),
            bounded_above=math.isfinite(hi),
            monotonic=bool(d.at("monotonic", params)),
            zero_centred=bool(d.at("zero_centred", params)),
            smoothness=_check_smoothness(d.name, d.at("smoothness", params)),
            saturates=_check_saturates(d.name, d.at("saturates", params)),
            elementwise=d.elementwise,
            differentiable=d.differentiable,
            has_derivative_from_output=d.derivative_from_output is not None,
            uses=d.uses,
            init=d.init,
            kink_convention=d.kink_convention,
            reference=d.reference,
            guidance=d.guidance,
        )

    def _repr_html_(self) -> str:
        """The metadata as a table in a notebook (drawn by :mod:`actlab.viz.notebook`)."""
        from ..viz.notebook import info_html

        return info_html(self)

    def as_dict(self) -> dict:
        """A JSON-ready dictionary (infinite range ends become the strings '-inf'/'inf')."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        out["output_range"] = [_json_float(v) for v in self.output_range]
        out["reference"] = {k: getattr(self.reference, k) for k in self.reference.__dataclass_fields__}
        out["aliases"], out["saturates"], out["uses"] = (
            list(self.aliases),
            list(self.saturates),
            list(self.uses),
        )
        out["parameters"] = [dict(p) for p in self.parameters]
        return out


def _plain(v: Any) -> Any:
    return v.tolist() if hasattr(v, "tolist") else v


def _json_float(v: float) -> float | str:
    return v if math.isfinite(v) else ("inf" if v > 0 else "-inf")
