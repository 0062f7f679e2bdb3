"""The kernels' settings, read from the environment once and changed only through :func:`configure`.

``ACTLAB_KERNELS``: ``numpy`` never uses numba (the NumPy reference path over cache-sized
chunks); anything else, or unset, uses numba where it is installed.
``ACTLAB_NUM_THREADS``: how many threads share a large array (default: the CPUs this process
may run on).

Reading the environment on every call would cost microseconds that small arrays cannot spare,
so the values are read at first use and kept; :func:`configure` (or the :func:`using` context
manager) changes them for the process, and every cached choice of kernel is dropped with them.
"""

from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass, replace

BACKENDS = ("auto", "numpy")


@dataclass(frozen=True)
class Settings:
    backend: str  # "auto" (numba where installed) or "numpy"
    threads: int
    generation: int  # bumped by every change, so caches keyed on it go stale


_lock = threading.Lock()
_current: list[Settings] = []
# The current settings' generation, read on every call by the dispatcher (cheaper than current()).
generation = 0


def current() -> Settings:
    """The settings in force (read from the environment the first time)."""
    if not _current:
        with _lock:
            if not _current:
                _current.append(Settings(_backend_from_env(), _threads_from_env(), 0))
    return _current[0]


def configure(*, backend: str | None = None, threads: int | None = None) -> Settings:
    """Change the backend (``"auto"`` or ``"numpy"``) and/or the thread count for this process;
    returns the settings that were in force before."""
    old = current()
    if backend is not None and backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(map(repr, BACKENDS))}, got {backend!r}")
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    global generation
    with _lock:
        _current[0] = replace(
            old, backend=backend or old.backend, threads=threads or old.threads, generation=old.generation + 1
        )
        generation = _current[0].generation
    return old


@contextlib.contextmanager
def using(*, backend: str | None = None, threads: int | None = None):
    """``with using(backend="numpy"): ...`` runs the block with other settings, then restores them."""
    old = configure(backend=backend, threads=threads)
    try:
        yield current()
    finally:
        configure(backend=old.backend, threads=old.threads)


def _backend_from_env() -> str:
    return "numpy" if os.environ.get("ACTLAB_KERNELS", "").strip().lower() == "numpy" else "auto"


def _threads_from_env() -> int:
    env = os.environ.get("ACTLAB_NUM_THREADS")
    if env:
        try:
            n = int(env)
        except ValueError:
            n = 0
        if n < 1:
            raise ValueError(f"ACTLAB_NUM_THREADS must be a positive integer, got {env!r}")
        return n
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
