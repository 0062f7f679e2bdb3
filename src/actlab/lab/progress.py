"""The one progress facility: sweeps, claims, ``fit`` and the report all report through it.

Where the output goes decides how it looks:

- a terminal: one line, redrawn in place and cut to the terminal's width (never wrapping, so
  ``\\r`` always returns to its start): ``compare 12/96 [####......] 13% 0:41, ETA 4:30``; work
  nested inside other work (a claim's sweep) shares the line: ``claims 31/62 › sweep 4/12 [...]``;
- a notebook (Jupyter): an HTML progress bar updated in place;
- anything else (CI logs, pipes, files): plain timestamped lines at the start, every tenth of
  the way (not closer than 5 s, and at least every 30 s) and at the end:
  ``12:03:04 compare: 24/96 (25%), ETA 3:10``.

The ETA comes from the cost of the work, not the count of items: each item may carry a weight
(a training run's size), and only work done in this run counts towards the rate, so a resumed
sweep is not fooled by the cells it found finished. Without weights, an ETA is shown only while
the items look alike (their times vary by less than half their mean) and none has nested work;
otherwise the line says so instead of guessing.
"""

from __future__ import annotations

import html
import math
import os
import sys
import time
from typing import Sequence, TextIO

PLAIN_EVERY = 0.1  # plain lines: one per tenth of the work, but not within 5 s of the last,
PLAIN_GAP = 5.0
PLAIN_SECONDS = 30.0  # and one at least every half a minute
REDRAW_SECONDS = 0.1  # terminal and notebook redraws at most this often
_active: list["Progress"] = []  # the bars now drawing on a terminal, outermost first


def format_seconds(s: float) -> str:
    """``0:07``, ``4:30``, ``1:02:03``."""
    s = int(round(max(0.0, s)))
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


def in_notebook() -> bool:
    """Whether this process is a Jupyter kernel (where stdout and stderr are not terminals)."""
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return type(shell).__name__ == "ZMQInteractiveShell"


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def terminal_width(stream: TextIO | None = None, default: int = 80) -> int:
    """The width of the terminal ``stream`` writes to ($COLUMNS first), else ``default``."""
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    try:
        return os.get_terminal_size((stream or sys.stderr).fileno()).columns
    except (AttributeError, ValueError, OSError):
        return default


def mode(enabled: bool | None, stream: TextIO) -> str:
    """``"off"``, ``"bar"`` (a terminal), ``"notebook"`` or ``"lines"``."""
    if enabled is False:
        return "off"
    if _isatty(stream):
        return "bar"
    if in_notebook() and stream in (sys.stdout, sys.stderr):
        return "notebook"
    return "lines"


def stage(message: str, *, enabled: bool | None = None, stream: TextIO | None = None) -> None:
    """One line saying what starts now, timestamped where the output is not a terminal."""
    stream = stream if stream is not None else sys.stderr
    m = mode(enabled, stream)
    if m == "off":
        return
    stream.write(f"{message}\n" if m == "bar" else f"{time.strftime('%H:%M:%S')} {message}\n")
    stream.flush()


class Progress:
    """Progress through ``total`` items (``already`` of them done before this run).

    ``weights``: the cost of each item still to do, in any unit (their sum is the work of this
    run); :meth:`update` then takes the finished item's weight. ``enabled``: False is silent,
    True and None report (None: in the form the stream calls for; see the module's docstring).
    """

    def __init__(
        self,
        total: int,
        label: str = "",
        *,
        already: int = 0,
        weights: Sequence[float] | None = None,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        unit: str = "",
    ):
        self.stream = stream if stream is not None else sys.stderr
        self.mode = mode(enabled, self.stream)
        self.enabled = self.mode != "off"
        self.total, self.label, self.already, self.unit = total, label, already, unit
        self.work = float(sum(weights)) if weights is not None else float(max(0, total - already))
        self.weighted = weights is not None
        self.count, self.done = 0, 0.0
        self.start = self._last_draw = self._last_item = time.perf_counter()
        self._durations: list[float] = []
        self._nested = False
        self._plain_mark = 0.0
        self._last_plain = self.start
        self.parent = (
            _active[-1] if (self.mode == "bar" and _active and _active[-1].stream is self.stream) else None
        )
        self._handle = None
        if self.mode == "bar":
            if self.parent is not None:
                self.parent._nested = True
            _active.append(self)
        elif self.mode == "lines":
            self._line(f"started ({total} {unit or 'items'}{f', {already} done before' if already else ''})")
        self._draw(force=True)

    # ------------------------------------------------------------------ what is shown
    def fraction(self) -> float:
        if self.weighted:
            return 1.0 if self.work <= 0 else min(1.0, self.done / self.work)
        return 1.0 if self.total == 0 else (self.already + self.count) / self.total

    def eta(self) -> float | None:
        """Seconds left, or None where no honest estimate exists yet."""
        elapsed = time.perf_counter() - self.start
        if self.done <= 0 or elapsed <= 0:
            return None
        if not self.weighted:
            durations = self._durations
            if self._nested or len(durations) < 2:
                return None
            mean = sum(durations) / len(durations)
            spread = math.sqrt(sum((d - mean) ** 2 for d in durations) / (len(durations) - 1))
            if mean > 0 and spread > 0.5 * mean:
                return None
        return elapsed / self.done * max(0.0, self.work - self.done)

    def _eta_text(self) -> str:
        left = self.eta()
        if left is not None:
            return f"ETA {format_seconds(left)}"
        return "ETA unknown (uneven work)" if self.count >= 2 else "ETA --:--"

    def _counts(self) -> str:
        return f"{self.already + self.count}/{self.total}"

    def text(self, width: int | None = None, note: str = "") -> str:
        """The line as a terminal shows it, fitted to ``width`` columns."""
        elapsed = format_seconds(time.perf_counter() - self.start)
        head = f"{self.label} {self._counts()}".strip()
        tail = f"{self.fraction():4.0%} {elapsed}, {self._eta_text()}" + (f"  {note}" if note else "")
        if self.parent is not None:
            head = f"{self.parent.label} {self.parent._counts()} › {head}"
        width = width or 80
        room = width - 1 - len(head) - len(tail) - 4
        bar = ""
        if room >= 8:
            n = min(30, room)
            filled = int(round(self.fraction() * n))
            bar = f" [{'#' * filled}{'.' * (n - filled)}]"
        line = f"{head}{bar} {tail}"
        return line if len(line) <= width - 1 else line[: width - 2] + "…"

    # ------------------------------------------------------------------ drawing
    def update(self, n: int = 1, note: str = "", weight: float | None = None) -> None:
        """``n`` more items are finished (of ``weight`` together, when the bar has weights)."""
        now = time.perf_counter()
        self._durations.append((now - self._last_item) / max(1, n))
        self._last_item = now
        self.count += n
        self.done += weight if (self.weighted and weight is not None) else (n if not self.weighted else 0.0)
        self._draw(note=note)

    def _draw(self, force: bool = False, note: str = "") -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        finished = self.already + self.count >= self.total
        if self.mode == "bar":
            if _active and _active[-1] is not self:
                return  # nested work is drawing the line
            if force or finished or now - self._last_draw >= REDRAW_SECONDS:
                self.stream.write("\r" + self.text(terminal_width(self.stream), note) + "\x1b[K")
                self.stream.flush()
                self._last_draw = now
        elif self.mode == "notebook":
            if force or finished or now - self._last_draw >= REDRAW_SECONDS:
                self._notebook(note)
                self._last_draw = now
        elif self.mode == "lines" and self.count and not finished:  # close() says "done"
            f = self.fraction()
            since = now - self._last_plain
            if (f >= self._plain_mark + PLAIN_EVERY and since >= PLAIN_GAP) or since >= PLAIN_SECONDS:
                self._plain_mark = math.floor(f / PLAIN_EVERY) * PLAIN_EVERY
                self._last_plain = now
                self._line(f"{self._counts()} ({f:.0%}), {self._eta_text()}" + (f"; {note}" if note else ""))

    def _line(self, text: str) -> None:
        label = " › ".join(p.label for p in (self.parent, self) if p is not None and p.label)
        self.stream.write(f"{time.strftime('%H:%M:%S')} {label}: {text}\n")
        self.stream.flush()

    def _notebook(self, note: str) -> None:
        from IPython.display import HTML, display

        elapsed = format_seconds(time.perf_counter() - self.start)
        body = HTML(
            f'<div><progress value="{self.fraction():.4f}" max="1" style="width:40%"></progress> '
            f"{html.escape(self.label)} {self._counts()} · {elapsed} · {html.escape(self._eta_text())}"
            f"{' · ' + html.escape(note) if note else ''}</div>"
        )
        if self._handle is None:
            self._handle = display(body, display_id=True)
        else:
            self._handle.update(body)

    def close(self) -> None:
        if not self.enabled:
            return
        if self.mode == "bar":
            if self in _active:
                _active.remove(self)
            if self.parent is not None:
                self.parent._draw(force=True)  # the outer work takes the line back
            else:
                self.stream.write("\r" + self.text(terminal_width(self.stream)) + "\x1b[K\n")
                self.stream.flush()
        elif self.mode == "lines":
            self._line(f"done, {self._counts()} in {format_seconds(time.perf_counter() - self.start)}")
        elif self.mode == "notebook":
            self._notebook("done")
        self.enabled = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
