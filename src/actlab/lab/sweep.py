"""Run a grid of experiment cells in parallel, each cell saved as it finishes.

The grid is the product of its axes (activations × seeds × datasets × depths, or any others);
each cell is one call of a module-level function ``task(cell) -> dict``. Cells run in parallel
with joblib (local processes), or on a Dask cluster through joblib's Dask backend when a
scheduler address is given. Results go to a :class:`~actlab.lab.results.ResultStore` the moment
each cell finishes, so an interrupted or killed run loses nothing finished and a rerun with the
same results file only runs the cells that are missing.
"""
from __future__ import annotations

import contextlib
import itertools
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from ..core.errors import MissingExtraError, ParameterError
from .progress import Progress
from .results import ResultStore, cell_key


def grid(**axes: Iterable[Any]) -> list[dict]:
    """Every combination of the axes' values, as cell dicts: ``grid(a=[1, 2], b=["x"])`` →
    ``[{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]`` (the last axis varies fastest)."""
    names = list(axes)
    values = [list(v) for v in axes.values()]
    for name, v in zip(names, values):
        if not v:
            raise ParameterError(f"grid axis {name!r} is empty")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _run_cell(task: Callable[[dict], dict], cell: dict) -> tuple[dict, dict]:
    return cell, task(cell)


def run_sweep(task: Callable[[dict], dict], cells: list[dict], *, results: str | Path | None = None,
              n_jobs: int | None = None, scheduler: str | None = None, progress: bool | None = None,
              label: str = "sweep") -> list[dict]:
    """Run ``task`` on every cell not already in ``results``; return every cell's result, in order.

    ``n_jobs``: joblib's worker count (None: all cores; 1 runs in this process, in cell order).
    ``scheduler``: a Dask scheduler address (``"tcp://host:8786"``); the cells then run on that
    cluster. ``progress``: False is silent; None reports as :mod:`actlab.lab.progress` does
    (a bar on a terminal, lines elsewhere), with the ETA weighted by ``task.cost(cell)`` if the
    task has one.
    """
    if len({cell_key(c) for c in cells}) != len(cells):
        raise ParameterError("the sweep has repeated cells; every combination must be unique")
    store = ResultStore(results)
    todo = [c for c in cells if c not in store]
    # A task may say what its cells cost (``task.cost(cell)``): the ETA then weighs them.
    cost = getattr(task, "cost", None)
    bar = Progress(len(cells), label, already=len(cells) - len(todo), enabled=progress, unit="cells",
                   weights=None if cost is None else [cost(c) for c in todo])
    try:
        with _backend(scheduler):
            for cell, result in _execute(task, todo, n_jobs):
                store.add(cell, result)
                bar.update(weight=None if cost is None else cost(cell))
    except KeyboardInterrupt:
        bar.close()
        where = f" in {store.path}" if store.path else ""
        print(f"{label}: interrupted; {len(store)} of {len(cells)} cells are saved{where}"
              f"{'; run again to finish' if store.path else ''}", file=sys.stderr)
        raise
    bar.close()
    return [store.get(c) for c in cells]


def _execute(task, todo: list[dict], n_jobs: int | None):
    if n_jobs == 1 or len(todo) <= 1:
        for cell in todo:
            yield _run_cell(task, cell)
        return
    import joblib

    # Unordered: each cell is written the moment it finishes, whatever its place in the grid.
    parallel = joblib.Parallel(n_jobs=n_jobs if n_jobs is not None else -1,
                               return_as="generator_unordered")
    yield from parallel(joblib.delayed(_run_cell)(task, cell) for cell in todo)


@contextlib.contextmanager
def _backend(scheduler: str | None):
    """joblib's default (loky processes), or its Dask backend on the cluster at ``scheduler``."""
    if scheduler is None:
        yield
        return
    try:
        import joblib
        from dask.distributed import Client
    except ImportError:
        raise MissingExtraError("dask.distributed", "dask", "running a sweep on a Dask cluster") from None
    with Client(scheduler) as client, joblib.parallel_config(backend="dask"):
        yield client
