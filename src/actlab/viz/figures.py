"""Publication-quality matplotlib figures of activations and their derivatives.

Figures are built on ``matplotlib.figure.Figure`` directly, never through pyplot, so making one
changes no global state and needs no display.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import numpy as np

from ..core import Activation, MissingExtraError, ParameterError
from ..core.files import atomic_file
from .sampling import plot_range, sample

FORMATS = ("png", "svg", "pdf")
PANEL_INCHES = (3.2, 2.6)
MAX_COLUMNS = 4
STYLE = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 1.8,
    "svg.fonttype": "path",
    "figure.constrained_layout.use": True,
}
F_COLOR, DF_COLOR = "#1f5fa8", "#d1495b"


def _matplotlib():
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError("matplotlib", "viz", "drawing figures") from None
    return matplotlib, Figure


def activation_figure(
    acts: Sequence[Activation],
    *,
    derivative: bool = False,
    x_range: tuple[float, float] | None = None,
    points: int = 801,
):
    """One panel per activation, side by side (wrapping after four): f(x), and f'(x) dashed
    when ``derivative`` is true. Vector-valued activations are drawn along the slice
    f([x, 1])₁ (see :mod:`actlab.viz.sampling`). Returns a ``matplotlib.figure.Figure``."""
    if not acts:
        raise ParameterError("give at least one activation to plot")
    if x_range is not None and not x_range[0] < x_range[1]:
        raise ParameterError(f"the x range must go from low to high, got {x_range[0]:g} to {x_range[1]:g}")
    matplotlib, Figure = _matplotlib()
    cols = min(len(acts), MAX_COLUMNS)
    rows = math.ceil(len(acts) / cols)
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows))
        axes = fig.subplots(rows, cols, squeeze=False).ravel()
        for ax, act in zip(axes, acts):
            lo, hi = x_range or plot_range(act.definition, act.params)
            c = sample(act, np.linspace(lo, hi, points))
            vector = not act.definition.elementwise
            ax.plot(c.x, c.y, color=F_COLOR, label="$f_1([x, 1])$" if vector else "$f(x)$")
            if derivative and c.dy is not None:
                ax.plot(
                    c.x,
                    c.dy,
                    color=DF_COLOR,
                    linestyle="--",
                    label=r"$\partial f_1/\partial x$" if vector else "$f'(x)$",
                )
            ax.axhline(0.0, color="0.55", linewidth=0.8, zorder=0)
            ax.axvline(0.0, color="0.55", linewidth=0.8, zorder=0)
            ax.set_xlim(lo, hi)
            ax.set_title(_title(act))
            ax.set_xlabel("$x$")
            ax.legend(loc="best", frameon=False)
        for ax in axes[len(acts) :]:
            ax.set_visible(False)
    return fig


def _title(act: Activation) -> str:
    """The name, with the parameters that differ from their defaults."""
    changed = [
        f"{p.name}={act.params[p.name]:g}"
        if isinstance(act.params[p.name], float)
        else f"{p.name}={act.params[p.name]}"
        for p in act.definition.params
        if not np.array_equal(act.params[p.name], p.default)
    ]
    return act.name + (f" ({', '.join(changed)})" if changed else "")


def save_figure(fig, path: str | Path, dpi: int = 200) -> Path:
    """Write the figure; the format comes from the suffix (.png, .svg or .pdf)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ParameterError(
            f"cannot write {path.name!r}: the file name must end in {', '.join('.' + f for f in FORMATS)}"
        )
    matplotlib, _ = _matplotlib()
    with matplotlib.rc_context(STYLE), atomic_file(path) as f:
        fig.savefig(f, dpi=dpi, format=fmt, metadata=_metadata(fmt))
    return path


def _metadata(fmt: str) -> dict:
    # SVG and PDF stamp the creation date by default; leave it out so files are reproducible.
    return {"Date": None} if fmt in ("svg", "pdf") else {}
