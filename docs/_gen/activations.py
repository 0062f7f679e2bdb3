"""A page per registered activation, generated from its one definition, and the catalog's index.

Each page shows what the definition holds and nothing else: the formulas, a plot of f and f′
drawn by :mod:`actlab.viz.figures`, the parameters, every metadata field of
:class:`actlab.Info`, the guidance and the reference, an example whose output is computed here,
the framework equivalents where the definition records them, and actlab's adapters.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import math
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import actlab as al
from actlab.core import Definition, Info, MissingExtraError
from actlab.interop.naming import class_name
from actlab.viz.figures import activation_figure
from actlab.viz.properties import COLUMNS, cell_text, property_row

from .pages import HEADER, sync, table

# Info fields that have a section of their own; every other field goes in the property table.
OWN_SECTION = {"name", "summary", "parameters", "latex", "latex_derivative", "reference", "guidance"}
# property_row's columns that the page shows elsewhere (the title, the parameter table).
NOT_IN_PROPERTIES = {"name", "parameters", "year"}


def write(folder: Path, frameworks_page: Path) -> None:
    """Write ``index.md``, one ``NAME.md`` per activation and ``plots/NAME.svg`` into ``folder``."""
    defs = al.definitions()
    files: dict[str, str | bytes] = {"index.md": index(defs, frameworks_page)}
    for d in defs:
        files[f"{d.name}.md"] = page(d)
        files[f"plots/{d.name}.svg"] = plot(d)
    sync(folder, files)


def defaults(d: Definition) -> dict[str, Any]:
    return {p.name: p.default for p in d.params}


def call_arguments(d: Definition) -> str:
    """The default parameters as keyword arguments in Python (an infinite default is np.inf)."""

    def literal(v: Any) -> str:
        if isinstance(v, float) and math.isinf(v):
            return "np.inf" if v > 0 else "-np.inf"
        return repr(v)

    return ", ".join(f"{k}={literal(v)}" for k, v in defaults(d).items())


# -- the index ---------------------------------------------------------------------------------
def index(defs: list[Definition], frameworks_page: Path) -> str:
    """The catalog: the property table of the CLI and the report, one table per family."""
    shown = [(key, head) for key, head in COLUMNS if key not in ("family", "parameters")]
    out = [
        HEADER.format(source="activations.py", origin="the registry"),
        "# Activations",
        "",
        f"The catalog holds {len(defs)} activations. Each page below is generated from the "
        "activation's one definition in `src/actlab/functions/`: its formula and derivative, "
        "a plot drawn by the docs build, its parameters and properties, guidance, reference "
        "and an example whose output the build computed.",
        "",
    ]
    families = sorted({d.family for d in defs})
    for family in families:
        members = [d for d in defs if d.family == family]
        rows = []
        for d in members:
            row = property_row(Info.of(d, defaults(d)))
            cells = [cell_text(row[key]) for key, _ in shown]
            cells[0] = f"[{d.name}]({d.name}.md)"
            rows.append(cells)
        out += [f"## {family}", "", table([head for _, head in shown], rows), ""]
    entries = [d.name for family in families for d in defs if d.family == family]
    if frameworks_page.exists():  # the framework table, generated from the registry where it is
        entries.append(Path("..", frameworks_page.stem).as_posix())
    out += ["```{toctree}", ":hidden:", "", *entries, "```", ""]
    return "\n".join(out)


# -- one page ----------------------------------------------------------------------------------
def page(d: Definition) -> str:
    info = Info.of(d, defaults(d))
    where = Path(inspect.getsourcefile(d.forward) or "").relative_to(Path(al.__file__).parent.parent)
    aliases = f" Also known as {', '.join(f'`{a}`' for a in info.aliases)}." if info.aliases else ""
    out = [
        HEADER.format(source="activations.py", origin=f"the definition of {d.name} in {where}"),
        f"(activation-{d.name})=",
        f"# {d.name}",
        "",
        f"{info.summary}{aliases}",
        "",
        *formulas(d, info),
        *plot_section(d),
        *parameters(info),
        *properties(info),
        "## Guidance",
        "",
        info.guidance,
        "",
        "## Reference",
        "",
        reference(info.reference),
        "",
        "## Example",
        "",
        "```pycon",
        example(d),
        "```",
        "",
        *frameworks(d),
        f"Defined in `src/{where.as_posix()}`.",
        "",
    ]
    return "\n".join(out)


def formulas(d: Definition, info: Info) -> list[str]:
    derivative = f"f'(x) = {info.latex_derivative}" if d.elementwise else info.latex_derivative
    out = ["## Formula", "", "$$", f"f(x) = {info.latex}", "$$", ""]
    if info.latex_derivative:
        label = "Derivative" if d.elementwise else "Derivative (the Jacobian, as the backward pass uses it)"
        out += [f"{label}:", "", "$$", derivative, "$$", ""]
    return out


def plot_section(d: Definition) -> list[str]:
    what = (
        "f and its derivative"
        if d.elementwise
        else "the first output along the slice f([x, 1]), and its derivative"
    )
    return [
        f"```{{figure}} plots/{d.name}.svg",
        f":alt: {d.name}: {what}",
        "",
        f"{d.name} at its default parameters: {what}, drawn by the docs build with "
        "`actlab.viz.figures.activation_figure`.",
        "```",
        "",
    ]


def plot(d: Definition) -> bytes:
    """f and f′ at the default parameters, as SVG (no date stamp, so rebuilds are identical)."""
    fig = activation_figure([al.get(d)], derivative=True)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def parameters(info: Info) -> list[str]:
    if not info.parameters:
        return ["## Parameters", "", "None.", ""]
    rows = [
        (f"`{p['name']}`", f"`{p['default']!r}`", p["range"], "yes" if p["learnable"] else "no", p["doc"])
        for p in info.parameters
    ]
    return ["## Parameters", "", table(["name", "default", "allowed", "learnable", "meaning"], rows), ""]


def properties(info: Info) -> list[str]:
    row = property_row(info)
    rows = [(head, cell_text(row[key])) for key, head in COLUMNS if key not in NOT_IN_PROPERTIES]
    shown = {key for key, _ in COLUMNS} | OWN_SECTION | {"output_range"}
    for f in dataclasses.fields(Info):
        if f.name not in shown:
            rows.append((f.name.replace("_", " "), _text(getattr(info, f.name))))
    return ["## Properties", "", table(["property", "value"], rows), ""]


def reference(ref: al.Reference) -> str:
    return f"{ref.authors} ({ref.year}). [{ref.title}]({ref.link})." if ref.link else str(ref)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value)) or "none"
    return str(value) if value not in (None, "") else "—"


# -- the example -------------------------------------------------------------------------------
def example_lines(d: Definition) -> list[str]:
    """Calls that show the activation's interface: the function, its parameters, the derivative
    or backward pass, parameter gradients and training mode, as far as the definition has them."""
    kwargs = call_arguments(d)
    lines = ["import numpy as np", "import actlab as al"]
    if d.elementwise:
        lines += [
            "x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])",
            f"al.{d.name}(x)",
            f"act = al.get({d.name!r}{', ' + kwargs if kwargs else ''})",
        ]
        if d.derivative is not None:
            lines.append("act.derivative(x)")
        if d.derivative_from_output is not None:
            lines.append("act.derivative_from_output(act(x))")
    else:
        lines += [
            "x = np.array([[-1.0, 0.0, 1.0, 2.0]])",
            f"al.{d.name}(x)",
            f"act = al.get({d.name!r}{', ' + kwargs if kwargs else ''})",
            "act.vjp(x, np.eye(1, act(x).shape[-1]))  # the backward pass of the first output",
        ]
    if any(p.learnable for p in d.params):
        lines.append("act.param_grads(x, np.ones_like(x))")
    if d.stochastic is not None:
        lines.append("act(x, training=True, rng=np.random.default_rng(0))")
    return lines


def example(d: Definition) -> str:
    """The example as a doctest session, each output computed by running it here."""
    namespace: dict[str, Any] = {}
    out = []
    for source in example_lines(d):
        out.append(f">>> {source}")
        try:
            code = compile(source, "<example>", "eval")
        except SyntaxError:
            exec(compile(source, "<example>", "exec"), namespace)
            continue
        try:
            value = eval(code, namespace)
        except al.ActlabError as exc:  # an actlab error is part of what it shows (argmax's vjp)
            out += [
                "Traceback (most recent call last):",
                "    ...",
                traceback.format_exception_only(exc)[-1].rstrip(),
            ]
            continue
        if value is not None:
            out.append(repr(value))
    return "\n".join(out)


# -- frameworks --------------------------------------------------------------------------------
def framework_field(d: Definition) -> Any:
    """The definition's record of its PyTorch / JAX / Keras equivalents, or None.

    Found by looking for the field rather than by its name, so this page works with definitions
    made before that field existed (the section then says it is not recorded).
    """
    for f in dataclasses.fields(d):
        if "framework" in f.name or "equivalent" in f.name:
            return getattr(d, f.name) or None
    return None


def frameworks(d: Definition) -> list[str]:
    out = ["## In other frameworks", ""]
    recorded = framework_field(d)
    if recorded is None:
        out += ["The definition records no framework equivalents yet.", ""]
    else:
        rows = [(name, _record(value)) for name, value in _entries(recorded)]
        # A column that says nothing for any framework (all empty or "no") is left out.
        columns = [
            c
            for c in dict.fromkeys(k for _, r in rows for k in r)
            if any(r.get(c, EMPTY) not in (EMPTY, "no") for _, r in rows)
        ]
        heads = ["framework", *(c.replace("_", " ") for c in columns)]
        out += [table(heads, [(n, *(r.get(c, EMPTY) for c in columns)) for n, r in rows]), ""]
    adapters = actlab_adapters(d)
    if adapters:
        out += ["actlab's own adapters:", "", *(f"- {a}" for a in adapters), ""]
    return out


def _entries(recorded: Any) -> list[tuple[str, Any]]:
    """(framework, record) pairs from a mapping keyed by framework or a sequence of records."""
    if isinstance(recorded, Mapping):
        return [(str(k), v) for k, v in recorded.items()]
    if not isinstance(recorded, (tuple, list)):  # one record on its own
        recorded = [recorded]
    return [(str(_field(v, "framework") or _field(v, "library") or ""), v) for v in recorded]


def _field(record: Any, key: str) -> Any:
    return record.get(key) if isinstance(record, Mapping) else getattr(record, key, None)


def _record(value: Any) -> dict[str, str]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return {str(k): _cell(v) for k, v in value.items() if k not in ("framework", "library")}
    if value is None:
        return {"name": "none"}
    return {"name": _cell(value)}


EMPTY = "—"


def _cell(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Mapping):
        return ", ".join(f"`{k}={v!r}`" for k, v in value.items()) or EMPTY
    if isinstance(value, (tuple, list)):
        return ", ".join(_item(v) for v in value) or EMPTY
    if isinstance(value, str) and " " in value.strip():
        return value
    return f"`{value}`" if isinstance(value, str) else _text(value)


def _item(value: Any) -> str:
    """An entry of a list; a pair inside a list maps one spelling to another (``a → b``)."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return f"{_cell(value[0])} → {_cell(value[1])}"
    return _cell(value)


def actlab_adapters(d: Definition) -> list[str]:
    """How the activation is reached from actlab's PyTorch and Keras adapters, where installed."""
    out = []
    kwargs = call_arguments(d)
    try:
        from actlab.interop.pytorch import MODULES
    except MissingExtraError:
        MODULES = {}
    if class_name(d.name) in MODULES:
        out.append(f"PyTorch (`actlab[torch]`): `actlab.torch.{class_name(d.name)}({kwargs})`")
    try:
        from actlab.interop.keras_activations import FUNCTIONS, PACKAGE
    except MissingExtraError:
        FUNCTIONS, PACKAGE = {}, ""
    if f"{PACKAGE}>{d.name}" in FUNCTIONS:
        out.append(
            f'Keras 3 (`actlab[keras]`): `activation="{PACKAGE}>{d.name}"`, or '
            f"`actlab.keras.get({d.name!r}{', ' + kwargs if kwargs else ''})`"
        )
    return out
