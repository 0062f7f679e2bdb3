"""The property table of the catalog: one row of plain values per activation.

The command line's ``list`` and the report's sortable table both show these rows, so the two
never disagree about what an activation's properties are.
"""
from __future__ import annotations

import math
from typing import Any

from ..core import Info

# (key, heading) in display order.
COLUMNS = (
    ("name", "name"), ("family", "family"), ("range", "range"), ("monotonic", "monotonic"),
    ("zero_centred", "zero-centred"), ("smoothness", "smoothness"), ("saturates", "saturates"),
    ("uses", "uses"), ("init", "init"), ("parameters", "parameters"), ("year", "year"),
)


def number_text(v: float) -> str:
    """A range end as a reader writes it: 0, 1, -0.17, inf."""
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:.3g}"


def range_text(lo: float, hi: float) -> str:
    """The interval of outputs as the catalog gives it (its closure): ``[0, inf)``, ``[-1, 1]``;
    an infinite end prints open."""
    left = "(" if math.isinf(lo) else "["
    right = ")" if math.isinf(hi) else "]"
    return f"{left}{number_text(lo)}, {number_text(hi)}{right}"


def property_row(info: Info) -> dict[str, Any]:
    """The table's values for one activation, keyed by ``COLUMNS``; all strings but booleans."""
    return {
        "name": info.name,
        "family": info.family,
        "range": range_text(*info.output_range),
        "monotonic": info.monotonic,
        "zero_centred": info.zero_centred,
        "smoothness": info.smoothness,
        "saturates": " & ".join(info.saturates) or "no",
        "uses": ", ".join(info.uses),
        "init": info.init,
        "parameters": ", ".join(f"{p['name']}={p['default']}" for p in info.parameters),
        "year": str(info.reference.year),
    }


def cell_text(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)
