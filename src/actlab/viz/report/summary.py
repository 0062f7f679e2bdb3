"""The few lines that sum up a report, for its top and for the terminal."""

from __future__ import annotations

import textwrap
from collections import Counter

from . import paired
from .contract import ERRATUM, VERDICTS


def comparison_lines(c: dict) -> list[str]:
    """What was compared, and how the activations fall against the reference: better, not told
    apart, worse (never a ranking of differences the seeds cannot resolve)."""
    seeds = len(c["seeds"])
    lines = [
        f"{len(c['rows'])} activations on {c['dataset']} ({c['architecture']}), "
        f"{seeds} seed{'s' if seeds != 1 else ''}"
    ]
    line = paired.summary_line(c)
    lines.append(
        line
        if line is not None
        else f"no paired figures against {paired.REFERENCE} in these results (mean ± std only)"
    )
    return lines


def group_lines(c: dict, width: int) -> list[str]:
    """The groups of :func:`comparison_lines`, each activation with its difference and interval
    in percentage points, wrapped to ``width`` columns."""
    diffs = paired.differences(c, "test_accuracy")
    if diffs is None:
        return []
    out = []
    for group, members in paired.grouped(diffs).items():
        if not members:
            continue
        items = [
            f"{d.activation} {points_text(d)}" if group != "not told apart" else d.activation for d in members
        ]
        out.append(
            textwrap.fill(
                ", ".join(items),
                width,
                initial_indent=f"  {group}: ",
                subsequent_indent="    ",
                break_on_hyphens=False,
                break_long_words=False,
            )
        )
    return out


def points_text(d: paired.Difference) -> str:
    """``+2.2 pp [+0.5, +3.8]``: a difference of fractions in percentage points, its interval."""

    def pp(v: float) -> str:
        return f"{100 * v:+.1f}".replace("-", "−")

    if d.mean is None:
        return "—"
    return f"{pp(d.mean)} pp" if d.lo is None else f"{pp(d.mean)} pp [{pp(d.lo)}, {pp(d.hi)}]"


def claims_line(claims: list[dict]) -> str:
    """``12 claims: 7 supported, 2 not supported, 1 inconclusive, 2 errata``."""
    counts = Counter(c["verdict"] for c in claims)
    parts = [
        f"{counts[v]} {'errata' if v == ERRATUM and counts[v] != 1 else v}" for v in VERDICTS if counts[v]
    ]
    n = len(claims)
    return f"{n} claim{'s' if n != 1 else ''}: " + (", ".join(parts) if parts else "none checked")
