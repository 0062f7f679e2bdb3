"""Run a grid of experiment cells in parallel, each cell saved as it finishes.

The grid is the product of its axes (activations × seeds × datasets × depths, or any others);
each cell is one call of a module-level function ``task(cell) -> dict``. Cells run in parallel
with joblib (local processes), or on a Dask cluster through joblib's Dask backend when a
scheduler address is given. Results go to a :class:`~actlab.lab.results.ResultStore` the moment
each cell finishes, so an interrupted or killed run loses nothing finished and a rerun with the
same results file only runs the cells that are missing. A cell whose task raises is recorded as
failed and the sweep goes on with the others; a rerun tries the failed cells again.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Iterable

from ..core.errors import ActlabError, MissingExtraError, ParameterError
from .progress import Progress
from .results import ResultStore, cell_key

# The end of a failed cell's traceback that is kept in the results file.
TRACEBACK_CHARS = 4000


class SweepError(ActlabError, RuntimeError):
    """Cells whose task raised; every other cell finished and is saved. ``results`` holds the
    sweep's results in cell order (None for the failed cells), ``failures`` what each raised."""

    def __init__(self, message: str, results: list, failures: dict[int, dict]):
        super().__init__(message)
        self.results, self.failures = results, failures


def grid(**axes: Iterable[Any]) -> list[dict]:
    """Every combination of the axes' values, as cell dicts: ``grid(a=[1, 2], b=["x"])`` →
    ``[{"a": 1, "b": "x"}, {"a": 2, "b": "x"}]`` (the last axis varies fastest)."""
    names = list(axes)
    values = [list(v) for v in axes.values()]
    for name, v in zip(names, values):
        if not v:
            raise ParameterError(f"grid axis {name!r} is empty")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _run_cell(task: Callable[[dict], dict], cell: dict) -> tuple[dict, dict | None, dict | None]:
    """(cell, result, None), or (cell, None, failure) when the task raises or returns no dict."""
    try:
        result = task(copy.deepcopy(cell))  # a task that changes its cell cannot change its identity
        if not isinstance(result, dict):
            raise TypeError(f"the task returned {type(result).__name__}, not a dict of figures")
        return cell, result, None
    except Exception as exc:  # noqa: BLE001  (any failure of one cell is recorded, not fatal)
        return cell, None, _failure(exc)


def _failure(exc: BaseException) -> dict:
    return {
        "error": type(exc).__name__,
        "message": str(exc),
        "traceback": traceback.format_exc()[-TRACEBACK_CHARS:],
    }


def run_sweep(
    task: Callable[[dict], dict],
    cells: list[dict],
    *,
    results: str | Path | None = None,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    label: str = "sweep",
    repair: bool = False,
    allow_failures: bool = False,
) -> list:
    """Run ``task`` on every cell not already in ``results``; return every cell's result, in order.

    ``n_jobs``: joblib's worker count (None: all cores; 1 runs in this process, in cell order).
    ``scheduler``: a Dask scheduler address (``"tcp://host:8786"``); the cells then run on that
    cluster. ``progress``: False is silent; None reports as :mod:`actlab.lab.progress` does
    (a bar on a terminal, lines elsewhere), with the ETA weighted by ``task.cost(cell)`` if the
    task has one. ``repair``: set damaged or repeated lines of the results file aside instead of
    refusing the file (see :mod:`actlab.lab.results`). A cell whose task raises is recorded as
    failed and the others go on; then, after the last cell, :class:`SweepError` is raised, or
    with ``allow_failures`` the failed cells' results are None.
    """
    keys = [_key(c) for c in cells]
    if len(set(keys)) != len(cells):
        raise ParameterError("the sweep has repeated cells; every combination must be unique")
    if n_jobs is not None and (isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0):
        raise ParameterError(
            f"n_jobs = {n_jobs!r} is not allowed; expected a positive number of "
            "workers, a negative one (-1: every core, -2: all but one) or None"
        )
    # A task may say what its cells cost (``task.cost(cell)``): the ETA then weighs them.
    cost = getattr(task, "cost", None)
    with ResultStore(results, repair=repair) as store:
        for note in store.notes:
            print(f"{label}: {note}", file=sys.stderr)
        todo = [c for c in cells if c not in store]
        bar = Progress(
            len(cells),
            label,
            already=len(cells) - len(todo),
            enabled=progress,
            unit="cells",
            weights=None if cost is None else [cost(c) for c in todo],
        )
        try:
            with _backend(scheduler):
                for cell, result, failure in _execute(task, todo, n_jobs):
                    _save(store, cell, result, failure)
                    bar.update(weight=None if cost is None else cost(cell))
        except KeyboardInterrupt:
            bar.close()
            where = f" in {store.path}" if store.path else ""
            print(
                f"{label}: interrupted; {len(store)} of {len(cells)} cells are saved{where}"
                f"{'; run again to finish' if store.path else ''}",
                file=sys.stderr,
            )
            raise
        bar.close()
        outcomes = [store.get(c) for c in cells]
        failures = {i: store.failure(c) for i, c in enumerate(cells) if outcomes[i] is None}
    if failures:
        message = _failure_summary(label, cells, failures, store.path)
        print(message, file=sys.stderr)
        if not allow_failures:
            raise SweepError(message, outcomes, failures)
    return outcomes


def _key(cell: Any) -> str:
    if not isinstance(cell, dict):
        raise ParameterError(f"a sweep's cells are dicts of parameters, got {cell!r}")
    try:
        return cell_key(cell)
    except TypeError as exc:
        raise ParameterError(f"the cell {cell!r} cannot be stored as JSON: {exc}") from None


def _save(store: ResultStore, cell: dict, result: dict | None, failure: dict | None) -> None:
    if failure is None:
        try:
            store.add(cell, result)
            return
        except TypeError as exc:  # figures that JSON cannot hold: the cell failed
            failure = _failure(exc)
    store.add_failure(cell, failure)


def _failure_summary(label: str, cells: list[dict], failures: dict[int, dict], path) -> str:
    i, first = next(iter(failures.items()))
    where = f"; they are recorded in {path} and a rerun tries them again" if path else ""
    return (
        f"{label}: {len(failures)} of {len(cells)} cells failed{where}. The first, {cells[i]}, "
        f"raised {first['error']}: {first['message']}"
    )


def _execute(task, todo: list[dict], n_jobs: int | None):
    if n_jobs == 1 or len(todo) <= 1:
        for cell in todo:
            yield _run_cell(task, cell)
        return
    import joblib

    # Unordered: each cell is written the moment it finishes, whatever its place in the grid.
    parallel = joblib.Parallel(n_jobs=n_jobs if n_jobs is not None else -1, return_as="generator_unordered")
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
