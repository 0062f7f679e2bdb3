"""Which activation to use where: the seed texts' advice, applied to the catalog's metadata.

The texts give their advice as rules of thumb (use a rectifier that does not saturate, watch for
dead units, avoid functions that saturate on both sides as depth grows, keep the output matched
to the task). Here each rule is a test on what the registry knows about an activation — its
``uses``, ``saturates``, smoothness, and its derivative evaluated at a few points — so the advice
follows the catalog, not a list of names. Where the lab has compared activations, its
measurements are shown beside the rules.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Mapping

import numpy as np

from ..core import Activation, Info, ParameterError, definitions, get, lookup
from ..core.errors import UnknownActivationError
from .properties import flat_regions, flat_text
from .report.contract import mean_std_text
from .sources import cite

LAYERS = ("hidden", "output")
TASKS = ("binary", "multiclass", "multilabel", "regression")
# Quoted from the seed texts; the rules below say how each is read against the metadata.
SEED_ADVICE = {
    "hidden": (
        (
            "000_d14a610ce6b66109.txt",
            "Advice in Practice: Use ReLU. Be careful with your learning "
            "rates / initialization. Try out Leaky ReLU / ELU / Maxout. Try out tanh but don’t expect "
            "much. Don’t use sigmoid.",
        ),
        (
            "003_1f5deba7c94eebd9.txt",
            "relu — when to use: 90% used in hidden layers. if it works, "
            'don\'t touch it. leaky relu — when to use: if the "dying relu" problem occurs (check '
            "activation stats). sigmoid — never in hidden layer.",
        ),
        (
            "001_cc45506a8512a7e0.txt",
            "The small range of the derivative reduces its usefulness, especially as more layers are added.",
        ),
    ),
    "output": (
        ("003_1f5deba7c94eebd9.txt", "sigmoid — use in output layer for classification problems."),
        (
            "001_cc45506a8512a7e0.txt",
            "It’s common to use ArgMax for running in production but SoftMax for training.",
        ),
        (
            "002_5cb0df118655b8fb.txt",
            "Give other activation function for the hidden layers and you "
            "can use step function in the final layer.",
        ),
    ),
}
RULES = {
    "hidden": (
        "Trainable by backpropagation: differentiable and continuous (000: activation functions "
        "should be differentiable, since training uses backpropagation).",
        "Not flat around 0, where most pre-activations are.",
        "Does not saturate on both sides: otherwise gradients shrink layer by layer, the more so "
        "the deeper the network (000, 001).",
        "Passes the gradient unchanged for positive inputs, f'(x) = 1 (000: ReLU 'does not saturate').",
        "Cheap: built from a few exact floating-point operations (000: 'very computationally efficient').",
        "Simplest first: fewer parameters, then the longest in use (003: 'if it works, don't touch it').",
        "Units can die where f'(x) = 0 (ReLU: for every x ≤ 0); if the lab or your diagnostics "
        "show many dead units, take the next candidate that keeps a gradient there (000, 003).",
    ),
    "output": (
        "Matches the task: the catalog lists it for this kind of output.",
        "Trainable: a differentiable, continuous output trains; a hard decision (piecewise "
        "constant) is applied only at prediction, after training (001, 002).",
        "Its range suits the task: probabilities in [0, 1] for classification, unbounded for "
        "regression (004: 'no limit on what the output can be').",
        "Simplest first: fewer parameters, then the longest in use.",
    ),
}
DEEP = 3  # from this many hidden layers on, two-sided saturation is called out (001)
PROBES = {"right": np.array([0.5, 1.0, 2.0, 5.0, 50.0]), "zero": np.array([-0.25, 0.25])}


@dataclass(frozen=True)
class Traits:
    """What the rules test, computed from the definition at default parameters."""

    trainable: bool
    flat_at_zero: bool
    saturates_both: bool
    unit_slope_right: bool
    cheap: bool
    dead_zone: str  # where f' = 0 exactly ("x ≤ 0"), computed from the definition; "" if nowhere

    @property
    def can_die(self) -> bool:
        """A unit whose inputs all fall where f' = 0 passes no gradient: it has died."""
        return bool(self.dead_zone)

    @classmethod
    def of(cls, act: Activation) -> "Traits":
        d, info = act.definition, act.info
        trainable = d.differentiable and info.smoothness != "discontinuous"
        if not (d.elementwise and trainable):
            return cls(trainable, False, len(info.saturates) == 2, False, d.exact, "")
        slope = {k: np.asarray(act.derivative(x)) for k, x in PROBES.items()}
        return cls(
            trainable=True,
            flat_at_zero=bool(np.all(slope["zero"] == 0)),
            saturates_both=len(info.saturates) == 2,
            unit_slope_right=bool(np.allclose(slope["right"], 1.0, rtol=0, atol=1e-9)),
            cheap=d.exact,
            dead_zone=flat_text(flat_regions(act)),
        )


@dataclass
class Candidate:
    name: str
    family: str
    notes: list[str]
    guidance: str
    evidence: dict | None = None


@dataclass
class Advice:
    layer: str
    task: str
    depth: int
    recommendation: str
    candidates: list[Candidate]
    set_aside: list[Candidate]
    quotes: list[dict]
    rules: list[str]
    evidence_source: str | None = None
    not_for_layer: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def advise(
    layer: str,
    task: str,
    depth: int = 2,
    comparison: Mapping | None = None,
    evidence_source: str | None = None,
) -> Advice:
    """Rank the catalog's activations for a layer and task by the seed texts' rules.

    ``comparison`` (the lab's results, see :mod:`actlab.viz.report.contract`) adds measured test
    accuracy and dead units to the candidates it covers.
    """
    if layer not in LAYERS:
        raise ParameterError(f"layer {layer!r} is not one of {', '.join(LAYERS)}")
    if task not in TASKS:
        raise ParameterError(f"task {task!r} is not one of {', '.join(TASKS)}")
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ParameterError(f"depth must be a positive integer, got {depth!r}")
    use = "hidden" if layer == "hidden" else f"{task} output"
    acts = [get(d) for d in definitions()]
    chosen = [a for a in acts if use in a.info.uses]
    evidence = _evidence(comparison)
    traits = {a.name: Traits.of(a) for a in chosen}
    ranked = sorted(chosen, key=lambda a: _rank_key(a, traits[a.name], layer, task))
    candidates, set_aside = [], []
    for a in ranked:
        t = traits[a.name]
        entry = Candidate(
            a.name, a.info.family, _notes(t, layer, depth), _first_sentence(a.info), evidence.get(a.name)
        )
        usable = t.trainable and not (layer == "hidden" and t.flat_at_zero)
        (candidates if usable else set_aside).append(entry)
    return Advice(
        layer=layer,
        task=task,
        depth=depth,
        recommendation=_recommend(candidates, evidence, comparison, layer, depth),
        candidates=candidates,
        set_aside=set_aside,
        quotes=[{"source": s, "cited": cite(s), "text": t} for s, t in SEED_ADVICE[layer]],
        rules=list(RULES[layer]),
        evidence_source=evidence_source if evidence else None,
        not_for_layer=[a.name for a in acts if a not in chosen],
    )


def _rank_key(a: Activation, t: Traits, layer: str, task: str) -> tuple:
    simplest = (
        len([p for p in a.definition.params if p.choices is None and not p.integer]),
        a.info.reference.year,
        a.name,
    )
    if layer == "output":
        return (not t.trainable, _range_mismatch(a.info, task), *simplest)
    return (not t.trainable, t.flat_at_zero, t.saturates_both, not t.unit_slope_right, not t.cheap, *simplest)


def _range_mismatch(info: Info, task: str) -> int:
    """0 when the output range suits the task: probabilities in [0, 1] for classification,
    unbounded for regression (004: 'no limit on what the output can be')."""
    if task == "regression":
        return int(info.bounded_below) + int(info.bounded_above)
    lo, hi = info.output_range
    return int(not (lo >= 0.0 and hi <= 1.0))


def _notes(t: Traits, layer: str, depth: int) -> list[str]:
    if not t.trainable:
        return [
            "no useful gradient: apply it only at prediction"
            if layer == "output"
            else "discontinuous or without a useful gradient: backpropagation cannot train through it"
        ]
    if layer == "output":
        return []
    notes = []
    if t.flat_at_zero:
        notes.append("no gradient around 0, where most pre-activations are")
    if t.saturates_both:
        notes.append(
            f"saturates on both sides: avoid at depth {depth}"
            if depth >= DEEP
            else "saturates on both sides: acceptable in a shallow network"
        )
    if t.unit_slope_right:
        notes.append("f'(x) = 1 for x > 0")
    if t.cheap:
        notes.append("cheap")
    if t.can_die:
        notes.append(f"units can die (f' = 0 for {t.dead_zone})")
    return notes


def _first_sentence(info: Info) -> str:
    text = info.guidance.strip()
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _evidence(comparison: Mapping | None) -> dict[str, dict]:
    """Measured metrics by canonical activation name (the lab may have used an alias)."""
    if not comparison:
        return {}
    out = {}
    for row in comparison.get("rows", []):
        try:
            name = lookup(row["activation"]).name
        except UnknownActivationError:
            continue  # a custom activation the lab was given: not in the catalog to advise on
        out[name] = {k: row["metrics"][k] for k in ("test_accuracy", "dead_fraction") if k in row["metrics"]}
    return out


def _recommend(
    candidates: list[Candidate], evidence: dict, comparison: Mapping | None, layer: str, depth: int
) -> str:
    if not candidates:
        return "No activation in the catalog is listed for this use."
    first = candidates[0]
    text = (
        f"Start with {first.name}"
        + (f" ({', '.join(first.notes)})" if first.notes else "")
        + "."
        + (f" Alternatives: {', '.join(c.name for c in candidates[1:4])}." if len(candidates) > 1 else "")
    )
    measured = [
        c
        for c in candidates
        if c.evidence
        and "test_accuracy" in c.evidence
        and not any(n.startswith("saturates on both sides: avoid") for n in c.notes)
    ]
    if measured:
        best = max(measured, key=lambda c: c.evidence["test_accuracy"]["mean"])
        acc = best.evidence["test_accuracy"]
        text += (
            f" Measured by the lab on {comparison['dataset']} ({comparison['architecture']}; "
            f"{len(comparison['seeds'])} seeds): {best.name} had the best test accuracy among "
            f"these candidates, {mean_std_text(acc)}"
        )
        mine = first.evidence.get("test_accuracy") if first.evidence else None
        if best is not first and mine is not None:
            # Two means closer than their combined spread over seeds are not told apart.
            spread = math.hypot(acc["std"] or 0.0, mine["std"] or 0.0)
            close = acc["mean"] - mine["mean"] <= spread
            text += f"; {first.name} had {mean_std_text(mine)}, " + (
                "within the seeds' spread: on this evidence the two are not told apart."
                if close
                else "further ahead than the seeds' spread: worth trying first."
            )
        else:
            text += "."
    return text
