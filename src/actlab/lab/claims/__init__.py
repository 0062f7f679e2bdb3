"""Every claim and formula of the seed texts, checked: ``run_claims(budget="small")``.

Each entry is ``{"id", "statement", "source", "check", "figures", "verdict", "explanation"}``:
the statement as the seed makes it, the seed file(s) it comes from, what was measured, the
measured figures, and a verdict in {"supported", "not supported", "inconclusive", "erratum"}
computed from those figures by :mod:`actlab.lab.verdicts`.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

from ..progress import Progress
# The checks register in this order, which is the report's: formulas, single functions, networks.
from . import formulas  # noqa: F401  (isort: skip)
from . import properties  # noqa: F401  (isort: skip)
from . import network  # noqa: F401  (isort: skip)
from .core import BUDGETS, CLAIMS, Budget, Claim, Context, Finding, budget_named


def _plain(v: Any) -> Any:
    """JSON-ready figures: finite floats stay numbers; ±inf and NaN become short strings."""
    if isinstance(v, (bool, str)) or v is None:
        return v if not isinstance(v, bool) else str(v)
    v = float(v)
    return v if math.isfinite(v) else str(v)


def entry(c: Claim, f: Finding) -> dict:
    """One claim's record, in the shape the report renders."""
    explanation = f.verdict.reason + (f". {f.note}" if f.note else "")
    return {"id": c.id, "statement": c.statement, "source": c.source, "check": f.check,
            "figures": {k: _plain(v) for k, v in f.figures.items()}, "verdict": f.verdict.label,
            "explanation": explanation}


def run_claims(budget: str | Budget = "small", *, only: Iterable[str] | None = None,
               n_jobs: int | None = None, progress: bool | None = None,
               results: str | None = None) -> list[dict]:
    """Check every registered claim (or those whose id is in ``only``) at ``budget``
    ("tiny", "small" or "full"); experiments shared by several claims run once.

    ``n_jobs``: parallel training runs (joblib; None for all cores). ``results``: a folder where
    each experiment's finished runs are saved, so an interrupted run resumes from them.
    """
    ctx = Context(budget_named(budget), n_jobs=n_jobs, progress=progress, results=results)
    wanted = set(only) if only is not None else None
    chosen = [c for c in CLAIMS if wanted is None or c.id in wanted]
    if wanted is not None and len(chosen) != len(wanted):
        unknown = sorted(wanted - {c.id for c in chosen})
        raise KeyError(f"unknown claim ids {unknown}; see actlab.lab.claims.CLAIMS")
    results = []
    with Progress(len(chosen), "claims", enabled=progress) as bar:
        for c in chosen:
            results.append(entry(c, c.evaluate(ctx)))
            bar.update(note=c.id)
    return results


__all__ = ["BUDGETS", "CLAIMS", "Budget", "Claim", "Context", "Finding", "budget_named", "entry", "run_claims"]
