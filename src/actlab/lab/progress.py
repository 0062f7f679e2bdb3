"""A one-line progress bar with an ETA on stderr; silent when stderr is not a terminal."""
from __future__ import annotations

import sys
import time


def _format_seconds(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


class Progress:
    """``done/total [bar] elapsed, ETA`` where ETA = elapsed / done · (total − done).

    Only work done in this run counts towards the rate, so a resumed sweep's ETA is not fooled by
    the cells it found finished on disk (``already`` of them, shown but not timed).
    """

    def __init__(self, total: int, label: str = "", *, already: int = 0, enabled: bool | None = None,
                 stream=None, width: int = 24):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled if enabled is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.label, self.already, self.width = total, label, already, width
        self.count = 0
        self.start = time.perf_counter()
        self._draw()

    def update(self, n: int = 1, note: str = "") -> None:
        self.count += n
        self._draw(note)

    def _draw(self, note: str = "") -> None:
        if not self.enabled:
            return
        done = self.already + self.count
        frac = done / self.total if self.total else 1.0
        filled = int(round(frac * self.width))
        elapsed = time.perf_counter() - self.start
        todo = self.total - done
        eta = _format_seconds(elapsed / self.count * todo) if self.count else "--:--"
        line = (f"\r{self.label} {done}/{self.total} [{'#' * filled}{'.' * (self.width - filled)}] "
                f"{_format_seconds(elapsed)} elapsed, ETA {eta} {note}")
        self.stream.write(line[:200].ljust(80))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
