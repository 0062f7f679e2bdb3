"""Plots and tables drawn with plain characters, for the terminal."""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class Series:
    """One curve of a character plot: its samples, the character that marks it and a label."""

    label: str
    mark: str
    x: np.ndarray
    y: np.ndarray


def char_plot(series: Sequence[Series], width: int = 60, height: int = 15) -> str:
    """Draw curves on a ``width`` × ``height`` character grid with axes and a legend.

    Each column of the grid takes the curve's value at that column's x (linear interpolation
    between samples); earlier series are drawn over later ones.
    """
    xs = np.concatenate([s.x for s in series])
    ys = np.concatenate([s.y for s in series])
    finite = ys[np.isfinite(ys)]
    x_lo, x_hi = float(np.nanmin(xs)), float(np.nanmax(xs))
    y_lo, y_hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if y_hi - y_lo < 1e-12:  # a constant curve: give it a band to sit in
        y_lo, y_hi = y_lo - 1.0, y_hi + 1.0
    pad = 0.05 * (y_hi - y_lo)
    y_lo, y_hi = y_lo - pad, y_hi + pad
    grid = [[" "] * width for _ in range(height)]
    row_of = lambda v: int(round((y_hi - v) / (y_hi - y_lo) * (height - 1)))  # noqa: E731
    col_of = lambda v: int(round((v - x_lo) / (x_hi - x_lo) * (width - 1)))  # noqa: E731
    if y_lo <= 0.0 <= y_hi:
        grid[row_of(0.0)] = ["-"] * width
    if x_lo <= 0.0 <= x_hi:
        c = col_of(0.0)
        for r in range(height):
            grid[r][c] = "+" if grid[r][c] == "-" else "|"
    columns = np.linspace(x_lo, x_hi, width)
    for s in reversed(series):
        values = _resample(s.x, s.y, columns)
        for c, v in enumerate(values):
            if math.isfinite(v):
                grid[row_of(v)][c] = s.mark
    labels = [f"{y_hi:.3g}", f"{(y_lo + y_hi) / 2:.3g}", f"{y_lo:.3g}"]
    lw = max(map(len, labels))
    left = {0: labels[0], (height - 1) // 2: labels[1], height - 1: labels[2]}
    lines = [f"{left.get(r, ''):>{lw}} {''.join(row)}" for r, row in enumerate(grid)]
    x_axis = f"{x_lo:g}".ljust(width // 2) + f"{x_hi:g}".rjust(width - width // 2)
    lines.append(" " * (lw + 1) + x_axis)
    lines.append(" " * (lw + 1) + "   ".join(f"{s.mark} {s.label}" for s in series))
    return "\n".join(lines)


def _resample(x: np.ndarray, y: np.ndarray, at: np.ndarray) -> np.ndarray:
    """y at the columns' x, keeping gaps: a column next to a NaN sample stays empty."""
    ok = np.isfinite(y)
    values = np.interp(at, x[ok], y[ok]) if ok.any() else np.full(at.shape, np.nan)
    idx = np.clip(np.searchsorted(x, at), 1, len(x) - 1)
    gap = ~(ok[idx] & ok[idx - 1])
    values[gap] = np.nan
    return values


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int | None = None) -> str:
    """Left-aligned columns separated by two spaces; the last column is cut to fit the terminal."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    max_width = max_width or shutil.get_terminal_size((120, 24)).columns
    fixed = sum(widths[:-1]) + 2 * (len(widths) - 1)
    widths[-1] = max(10, min(widths[-1], max_width - fixed))

    def line(cells):
        cut = [c if len(c) <= w else c[: w - 3] + "..." for c, w in zip(cells, widths)]
        return "  ".join(c.ljust(w) for c, w in zip(cut, widths)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])
