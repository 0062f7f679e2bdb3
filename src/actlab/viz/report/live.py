"""The gallery's live curves: each activation's own traced formula, emitted as JavaScript.

For an elementwise definition whose forward formula and derivative trace with their real
parameters as inputs (:func:`actlab.kernels.javascript.trace_free`), the page evaluates f and
f′ in the browser at any x and any slider value: sliders move continuously and the x range can
zoom and pan, and no formula is written twice. Where a formula decides something in Python from
a parameter (``if beta > 0``), it is traced at points across the sliders' ranges and each
distinct decision gets its own function, chosen in the browser by the guards it holds under.

Definitions that cannot be traced this way (vector-valued ones, or a formula that needs a
parameter as a plain number) get sampled curves instead (:func:`~actlab.viz.sampling.gallery_entry`).
"""

from __future__ import annotations

import base64
import itertools
from typing import Any

import numpy as np

from ...core import Definition, Param
from ...core.definition import SMOOTHNESS
from ...kernels.javascript import function_source, trace_free
from ...kernels.trace import Untraceable
from ..sampling import allowed, param_span, plot_range

STEPS = {1: 200, 2: 100}  # slider steps by the number of sliders; fewer when there are more
PROBES = 10  # every this many steps, a slider value the formula is traced at


class Kernels:
    """The JavaScript functions of one page, each source kept once (prelu and leaky_relu share)."""

    def __init__(self):
        self.sources: list[str] = []
        self._index: dict[str, int] = {}

    def add(self, source: str) -> int:
        if source not in self._index:
            self._index[source] = len(self.sources)
            self.sources.append(source)
        return self._index[source]

    def script(self) -> str:
        """``const ACTLAB_KERNELS = [...]``: the functions, in the order of their indices, with
        ``M`` bound to the runtime's ``ActlabMath``."""
        return (
            "const ACTLAB_KERNELS = (function (M) { return [\n"
            + ",\n".join(self.sources)
            + "\n]; })(ActlabMath);\n"
        )


def _slider(p: Param, steps: int) -> dict:
    """A slider over :func:`param_span` whose grid holds the default exactly."""
    lo, hi = param_span(p)
    d = float(p.default)
    step = (hi - lo) / steps
    below = round((d - lo) / step)
    grid = [d + (k - below) * step for k in range(steps + 1)]
    grid = [v for v in grid if allowed(p, v)]
    return {
        "name": p.name,
        "doc": p.doc,
        "min": grid[0],
        "step": step,
        "count": len(grid),
        "default": d,
        "default_index": grid.index(d),
        "values": grid,
    }


def _least_smooth(d: Definition, fixed: dict, sliders: list) -> str:
    """The least smooth class ``d`` has as one slider moves over its grid (the others at their
    defaults): the page breaks curves at jumps wherever a slider may put one."""
    found = {d.at("smoothness", fixed)} | {
        d.at("smoothness", {**fixed, s["name"]: v}) for s in sliders for v in s["values"]
    }
    return min(found, key=SMOOTHNESS.index)


def live_entry(d: Definition, kernels: Kernels) -> dict | None:
    """The gallery entry for live curves (JSON-ready), or None where ``d`` cannot be traced."""
    if not d.elementwise or d.derivative is None:
        return None
    real = [p for p in d.params if p.choices is None and not p.integer]
    choices = [p for p in d.params if p.choices is not None]
    fixed = {p.name: p.default for p in d.params}
    sliders = [_slider(p, STEPS.get(len(real), 30)) for p in real]
    free = tuple(p.name for p in real)
    variants = []
    try:
        for combo in itertools.product(*(p.choices for p in choices)):
            params = {**fixed, **dict(zip((p.name for p in choices), combo))}
            variants.append(_patterns(d, params, free, sliders, kernels))
    except Untraceable:
        return None
    except Exception:  # noqa: BLE001 -- e.g. math.sqrt of a traced parameter: not traceable
        return None
    valid = _validity(d, sliders) if d.check_params is not None else None
    return {
        "name": d.name,
        "mode": "live",
        "x": list(plot_range(d)),
        "smoothness": _least_smooth(d, fixed, sliders),
        "sliders": [{k: v for k, v in s.items() if k != "values"} for s in sliders],
        "choices": [
            {"name": p.name, "doc": p.doc, "values": list(p.choices), "default": p.default} for p in choices
        ],
        "variants": variants,
        "valid": valid,
    }


def _patterns(d: Definition, params: dict, free: tuple, sliders: list, kernels: Kernels) -> list:
    """The distinct traces of f and f′ over probe points of the sliders, with their guards."""
    probes = [
        sorted({s["values"][k] for k in range(0, s["count"], PROBES)} | {s["values"][-1], s["default"]})
        for s in sliders
    ]
    found: dict[frozenset, dict] = {}
    for point in itertools.product(*probes):
        at = {**params, **dict(zip(free, point))}
        f, f_guards = trace_free(d.forward, at, free)
        df, df_guards = trace_free(d.derivative, at, free)
        guards = frozenset(f_guards + df_guards)
        if guards not in found:
            found[guards] = {
                "guards": sorted(g.as_list() for g in guards),
                "f": kernels.add(function_source(f)),
                "df": kernels.add(function_source(df)),
            }
    return list(found.values())


def _validity(d: Definition, sliders: list) -> str:
    """Which slider combinations the definition's own check accepts, as a base64 bitmap in
    row-major order (so the page can say when a combination is refused, as Python would)."""
    ok = []
    for point in itertools.product(*(s["values"] for s in sliders)):
        try:
            d.check_params(**dict(zip((s["name"] for s in sliders), point)))
            ok.append(True)
        except ValueError:
            ok.append(False)
    return base64.b64encode(np.packbits(np.array(ok, dtype=bool)).tobytes()).decode("ascii")


def default_params(entry: dict) -> dict[str, Any]:
    return {
        **{s["name"]: s["default"] for s in entry["sliders"]},
        **{c["name"]: c["default"] for c in entry["choices"]},
    }
