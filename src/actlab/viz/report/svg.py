"""Charts as static SVG, drawn in Python: the page shows every figure with scripts off.

The page's script redraws the interactive ones (the gallery's live curves) with the same
classes, so a chart looks the same before and after; colours come from the stylesheet through
the classes (``f``, ``df``, ``c0``…``c5`` for selected series, ``other`` for the rest).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

from .markup import attrs, esc

MARGIN = {"l": 52, "r": 12, "t": 10, "b": 40}
_ids = itertools.count()  # clip-path ids, unique in a page and the same in every build


@dataclass
class Line:
    """One series: y over x (None or non-finite values leave a gap), drawn with ``cls``."""

    key: str
    label: str
    x: Sequence[float]
    y: Sequence[float | None]
    cls: str = "c0"
    dash: bool = False
    lo: Sequence[float | None] | None = None  # a band from lo to hi, when given
    hi: Sequence[float | None] | None = None


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def fmt(v: float) -> str:
    """A tick label: four significant digits, exponent form for tiny and huge values."""
    if not _finite(v):
        return "—"
    a = abs(v)
    if a != 0 and (a < 1e-3 or a >= 1e5):
        mantissa, exponent = f"{v:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa}e{int(exponent)}"
    return f"{float(f'{v:.4g}'):g}".replace("-", "−")


def ticks(lo: float, hi: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round values between lo and hi, about ``count`` of them (steps of 1, 2, 2.5 or 5 × 10ⁿ)."""
    raw = max((hi - lo) / max(1, count), 1.0 if integer else 0.0)
    if raw <= 0 or not math.isfinite(raw):
        return [lo]
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next((m * mag for m in steps if m * mag >= raw), raw)
    first = math.ceil(lo / step)
    out = []
    k = first
    while k * step <= hi + step * 1e-9:
        t = k * step
        out.append(0.0 if abs(t) < step * 1e-9 else float(f"{t:.12g}"))
        k += 1
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    out = [10.0**e for e in range(math.ceil(math.log10(lo)), math.floor(math.log10(hi)) + 1)]
    return out or [lo, hi]


def extent(arrays: Sequence[Sequence], log: bool = False, pad: float = 0.06) -> tuple[float, float]:
    """The range of the finite values (positive ones on a log scale), padded a little."""
    values = [v for a in arrays for v in a if _finite(v) and (not log or v > 0)]
    if not values:
        return (0.1, 10.0) if log else (0.0, 1.0)
    lo, hi = min(values), max(values)
    if log:
        return lo / 1.5, hi * 1.5
    if hi - lo < 1e-12:
        return lo - 1, hi + 1
    return lo - pad * (hi - lo), hi + pad * (hi - lo)


class Frame:
    """The axes of one chart: scales from data to pixels, grid, ticks and labels."""

    def __init__(
        self, width: int, height: int, x_domain, y_domain, *, log_y: bool = False, margin: dict | None = None
    ):
        self.w, self.h, self.log = width, height, log_y
        self.m = {**MARGIN, **(margin or {})}
        self.x0, self.x1 = x_domain
        self.y0, self.y1 = y_domain

    def sx(self, v: float) -> float:
        return self.m["l"] + (v - self.x0) / (self.x1 - self.x0) * (self.w - self.m["l"] - self.m["r"])

    def sy(self, v: float) -> float:
        f = (lambda t: math.log10(t)) if self.log else (lambda t: t)
        span = f(self.y1) - f(self.y0)
        return self.h - self.m["b"] - (f(v) - f(self.y0)) / span * (self.h - self.m["t"] - self.m["b"])

    def axes(
        self, x_label: str = "", y_label: str = "", *, integer_x: bool = False, x_ticks: bool = True
    ) -> str:
        m, w, h = self.m, self.w, self.h
        out = []
        for t in log_ticks(self.y0, self.y1) if self.log else ticks(self.y0, self.y1, 5):
            y = self.sy(t)
            out.append(
                f'<line x1="{m["l"]}" x2="{w - m["r"]}" y1="{y:.1f}" y2="{y:.1f}" '
                f'class="{"zero" if t == 0 else "grid"}"></line>'
                f'<text x="{m["l"] - 6}" y="{y + 4:.1f}" text-anchor="end">{esc(fmt(t))}</text>'
            )
        if x_ticks:
            for t in ticks(self.x0, self.x1, 6, integer_x):
                x = self.sx(t)
                out.append(
                    f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{m["t"]}" y2="{h - m["b"]}" '
                    f'class="{"zero" if t == 0 else "grid"}"></line>'
                    f'<text x="{x:.1f}" y="{h - m["b"] + 15}" text-anchor="middle">{esc(fmt(t))}</text>'
                )
        out.append(
            f'<line x1="{m["l"]}" x2="{w - m["r"]}" y1="{h - m["b"]}" y2="{h - m["b"]}" class="axis"></line>'
            f'<line x1="{m["l"]}" x2="{m["l"]}" y1="{m["t"]}" y2="{h - m["b"]}" class="axis"></line>'
        )
        if x_label:
            out.append(
                f'<text x="{(m["l"] + w - m["r"]) / 2:.1f}" y="{h - 4}" text-anchor="middle" '
                f'class="label">{esc(x_label)}</text>'
            )
        if y_label:
            cy = (m["t"] + h - m["b"]) / 2
            out.append(
                f'<text x="12" y="{cy:.1f}" text-anchor="middle" class="label" '
                f'transform="rotate(-90 12 {cy:.1f})">{esc(y_label)}</text>'
            )
        return "".join(out)

    def clip(self) -> tuple[str, str]:
        """A clip path around the plotting area: (its definition, the attribute that uses it)."""
        cid = f"clip-{next(_ids)}"
        m = self.m
        rect = (
            f'<clipPath id="{cid}"><rect x="{m["l"]}" y="{m["t"]}" width="{self.w - m["l"] - m["r"]}" '
            f'height="{self.h - m["t"] - m["b"]}"></rect></clipPath>'
        )
        return f"<defs>{rect}</defs>", f' clip-path="url(#{cid})"'

    def path(self, xs, ys) -> str:
        d, pen = [], False
        for x, y in zip(xs, ys):
            if not _finite(y) or not _finite(x) or (self.log and y <= 0):
                pen = False
                continue
            d.append(f"{'L' if pen else 'M'}{self.sx(x):.1f} {self.sy(y):.1f}")
            pen = True
        return "".join(d) or "M0 0"

    def band(self, xs, lo, hi) -> str:
        idx = [
            i
            for i in range(len(xs))
            if _finite(lo[i]) and _finite(hi[i]) and (not self.log or (lo[i] > 0 and hi[i] > 0))
        ]
        if not idx:
            return "M0 0"
        top = [f"{self.sx(xs[i]):.1f} {self.sy(hi[i]):.1f}" for i in idx]
        bottom = [f"{self.sx(xs[i]):.1f} {self.sy(lo[i]):.1f}" for i in reversed(idx)]
        return "M" + "L".join(top + bottom) + "Z"


def svg(frame: Frame, body: str, *, label: str, extra_attrs: dict | None = None) -> str:
    return (
        f'<svg viewBox="0 0 {frame.w} {frame.h}" role="img"{attrs(aria_label=label, **(extra_attrs or {}))}>'
        f"{body}</svg>"
    )


def line_chart(
    lines: Sequence[Line],
    *,
    x_domain=None,
    y_domain=None,
    width: int = 480,
    height: int = 300,
    x_label: str = "",
    y_label: str = "",
    log_y: bool = False,
    integer_x: bool = False,
    label: str = "chart",
    marker: float | None = None,
    data: dict | None = None,
) -> str:
    """Lines (and bands) on shared axes. Domains default to the data's extent; ``marker`` draws
    a vertical line at that x (the learning animation's current epoch)."""
    xs = [v for line in lines for v in line.x if _finite(v)]
    x_domain = x_domain or ((min(xs), max(xs)) if xs else (0.0, 1.0))
    if x_domain[1] <= x_domain[0]:
        x_domain = (x_domain[0], x_domain[0] + 1)
    y_domain = y_domain or extent(
        [v for line in lines for v in (line.y, line.lo or (), line.hi or ())], log_y
    )
    f = Frame(width, height, x_domain, y_domain, log_y=log_y)
    defs, clip = f.clip()
    parts = [defs, f.axes(x_label, y_label, integer_x=integer_x), f"<g{clip}>"]
    for line in lines:
        if line.lo is not None and line.hi is not None:
            parts.append(
                f'<path d="{f.band(line.x, line.lo, line.hi)}" class="band {line.cls}" '
                f'data-band="{esc(line.key)}"></path>'
            )
    for line in lines:
        parts.append(
            f'<path d="{f.path(line.x, line.y)}" class="series {line.cls}'
            f'{" dashed" if line.dash else ""}" data-series="{esc(line.key)}"></path>'
        )
    if marker is not None:
        # The script moves the marker: it needs the x scale (left edge, width, domain).
        data = {
            **(data or {}),
            "data-xscale": f"{f.m['l']} {width - f.m['l'] - f.m['r']} {x_domain[0]:g} {x_domain[1]:g}",
        }
        x = f.sx(marker)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{f.m["t"]}" y2="{height - f.m["b"]}" class="marker"></line>'
        )
    parts.append("</g>")
    return svg(f, "".join(parts), label=label, extra_attrs=data)


def legend(items: Sequence[tuple[str, str, bool]], *, buttons: bool = False) -> str:
    """``(label, class, dashed)`` swatches; with ``buttons``, each is a toggle the script wires."""
    out = []
    for label, cls, dashed in items:
        swatch = f'<i class="swatch {cls}{" dashed" if dashed else ""}"></i>{esc(label)}'
        if buttons:
            out.append(
                f'<button type="button" class="chip" data-pick="{esc(label)}" '
                f'aria-pressed="false">{swatch}</button>'
            )
        else:
            out.append(f"<span>{swatch}</span>")
    return f'<div class="legend">{"".join(out)}</div>'
