"""Every claim and formula of the seed texts, checked: ``run_claims(budget="small")``.

Each entry is ``{"id", "statement", "source", "check", "figures", "verdict", "explanation",
"setting", "plots"}``: the statement as the seed makes it, the seed file(s) it comes from, what
was measured, the measured figures, a verdict (one of :data:`~actlab.lab.verdicts.VERDICTS`)
computed from them by :mod:`actlab.lab.verdicts`, the setting it was measured in, and the figure
files behind it (``plots``: paths of PNG files, written under the run's figures folder).

The network claims rest on statistical tests; their p-values are adjusted together by Holm's
method (one family: every distinct network test of the run), so a verdict that was significant
alone but not in the family becomes inconclusive. The run's record (versions, kernel path,
threads, seeds, budget, wall time) is ``result.info``.
"""

from __future__ import annotations

import math
import platform
import time
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ... import __version__
from ..progress import Progress
from ..statistics import holm
from ..verdicts import holm_corrected

# The checks register in this order, which is the report's: formulas, single functions, errata,
# networks, cost.
from . import formulas  # noqa: F401  (isort: skip)
from . import properties  # noqa: F401  (isort: skip)
from . import errata  # noqa: F401  (isort: skip)
from . import network  # noqa: F401  (isort: skip)
from . import vanishing  # noqa: F401  (isort: skip)
from . import dying  # noqa: F401  (isort: skip)
from . import speed  # noqa: F401  (isort: skip)
from . import smooth  # noqa: F401  (isort: skip)
from . import cost  # noqa: F401  (isort: skip)
from .cells import one_blas_thread
from .core import BUDGETS, CLAIMS, Budget, Claim, Context, Finding, budget_named


class ClaimsRun(list):
    """The entries of a claims run (a list, as JSON), with the run's record in ``info``."""

    info: dict


def _plain(v: Any) -> Any:
    """JSON-ready figures: finite floats stay numbers; ±inf and NaN become short strings."""
    if isinstance(v, (bool, str)) or v is None:
        return v if not isinstance(v, bool) else str(v)
    v = float(v)
    return v if math.isfinite(v) else str(v)


def entry(c: Claim, f: Finding) -> dict:
    """One claim's record, in the shape the report renders."""
    explanation = f.verdict.reason + (f". {f.note}" if f.note else "")
    return {
        "id": c.id,
        "statement": c.statement,
        "source": c.source,
        "check": f.check,
        "figures": {k: _plain(v) for k, v in f.figures.items()},
        "verdict": f.verdict.label,
        "explanation": explanation,
        "setting": f.setting,
        "plots": list(f.plots),
    }


def _holm(chosen: list[Claim], findings: list[Finding]) -> int:
    """Adjust the network tests' p-values together (Holm) and revise the verdicts that no longer
    hold; the family is every distinct test, however many claims rest on it."""
    tests: dict[str, float] = {}
    for c, f in zip(chosen, findings):
        if c.needs_network and f.verdict.p_value is not None:
            tests[f.verdict.test or c.id] = f.verdict.p_value
    if not tests:
        return 0
    adjusted = dict(zip(tests, holm(list(tests.values()))))
    for c, f in zip(chosen, findings):
        if c.needs_network and f.verdict.p_value is not None:
            p_adj = float(adjusted[f.verdict.test or c.id])
            f.figures["Holm-adjusted p"] = p_adj
            f.verdict = holm_corrected(f.verdict, p_adj, len(tests))
    return len(tests)


def run_info(ctx: Context, seconds: float, family: int) -> dict:
    """What a claims run was: versions, the kernel path, threads, seeds, budget, wall time."""
    import scipy

    from ... import kernels
    from .experiments import TUNING_SEED

    b = ctx.budget
    versions = {
        "actlab": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    for extra in ("numba", "torch", "matplotlib"):
        try:
            versions[extra] = __import__(extra).__version__
        except ImportError:
            versions[extra] = None
    return {
        "budget": b.name,
        "wall_time_s": seconds,
        "versions": versions,
        "kernels": kernels.available(),
        "blas_threads": 1,
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
        "jobs": ctx.n_jobs,
        "scheduler": ctx.scheduler,
        "seeds": list(range(b.claim_seeds)),
        "tuning_seeds": list(range(TUNING_SEED, TUNING_SEED + b.tuning_seeds)),
        "dataset": b.dataset,
        "holm_family": family,
        "training_runs": ctx.cells,
        "training_runs_resumed": ctx.cells_resumed,
    }


def run_claims(
    budget: str | Budget = "small",
    *,
    only: Iterable[str] | None = None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    results: str | None = None,
    scheduler: str | None = None,
    figures: str | None = None,
    repair: bool = False,
) -> ClaimsRun:
    """Check every registered claim (or those whose id is in ``only``) at ``budget``
    ("tiny", "small" or "full"); experiments shared by several claims run once.

    ``n_jobs``: parallel training runs (joblib; None for all cores). ``results``: a folder where
    each experiment's finished runs are saved, so an interrupted run resumes from them;
    ``repair`` sets damaged or repeated lines of those files aside instead of refusing them.
    ``scheduler``: a Dask scheduler address; the training runs then go to that cluster.
    ``figures``: the folder for the figure files (default ``results/figures`` when ``results``
    is given; None and no results: no figures).
    """
    start = time.perf_counter()
    if figures is None and results is not None:
        figures = str(Path(results) / "figures")
    ctx = Context(
        budget_named(budget),
        n_jobs=n_jobs,
        progress=progress,
        results=results,
        scheduler=scheduler,
        figures=figures,
        repair=repair,
    )
    wanted = set(only) if only is not None else None
    chosen = [c for c in CLAIMS if wanted is None or c.id in wanted]
    if wanted is not None and len(chosen) != len(wanted):
        unknown = sorted(wanted - {c.id for c in chosen})
        raise KeyError(f"unknown claim ids {unknown}; see actlab.lab.claims.CLAIMS")
    findings = []
    with Progress(len(chosen), "claims", enabled=progress) as bar, one_blas_thread():
        for c in chosen:
            findings.append(c.evaluate(ctx))
            bar.update(note=c.id)
    family = _holm(chosen, findings)
    out = ClaimsRun(entry(c, f) for c, f in zip(chosen, findings))
    out.info = run_info(ctx, time.perf_counter() - start, family)
    return out


__all__ = [
    "BUDGETS",
    "CLAIMS",
    "Budget",
    "Claim",
    "ClaimsRun",
    "Context",
    "Finding",
    "budget_named",
    "entry",
    "run_claims",
]
