"""A one-line progress bar with an ETA, drawn only on a terminal."""
from __future__ import annotations

import sys
import time
from typing import Any, TextIO


def format_logs(logs: dict[str, Any]) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items() if isinstance(v, (int, float)))


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    """``Epoch 3/10 [======>.......] 12/40 - ETA 0:03 - loss: 0.1234 - accuracy: 0.9500``.

    The ETA is the elapsed time per finished step times the steps left. Nothing is written
    unless ``stream`` is a terminal (logs and pipes stay clean); redraws are throttled to
    ``min_interval`` seconds.
    """

    width = 24

    def __init__(self, total: int, label: str, stream: TextIO | None = None, min_interval: float = 0.1):
        self.total, self.label = total, label
        self.stream = stream if stream is not None else sys.stdout
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.min_interval = min_interval
        self.start = self.last_draw = time.perf_counter()

    def update(self, done: int, logs: dict[str, Any]) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self.last_draw < self.min_interval and done < self.total):
            return
        self.last_draw = now
        filled = self.width * done // self.total
        bar = "=" * filled + (">" if filled < self.width else "") + "." * (self.width - filled - 1)
        eta = (now - self.start) / done * (self.total - done) if done else 0.0
        line = f"{self.label} [{bar}] {done}/{self.total} - ETA {format_seconds(eta)}"
        extra = format_logs(logs)
        self.stream.write(f"\r{line}{' - ' + extra if extra else ''}\x1b[K")
        self.stream.flush()

    def finish(self, logs: dict[str, Any]) -> None:
        if not self.enabled:
            return
        elapsed = format_seconds(time.perf_counter() - self.start)
        self.stream.write(f"\r{self.label} [{'=' * self.width}] {self.total}/{self.total} - "
                          f"{elapsed} - {format_logs(logs)}\x1b[K\n")
        self.stream.flush()
