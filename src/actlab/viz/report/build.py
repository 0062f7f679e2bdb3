"""``actlab report``: run the lab at a budget, save its results, write the page, sum it up."""
from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ... import __version__
from ...core import ParameterError
from ..terminal import table
from . import summary
from .contract import check_claims, check_comparison, mean_std_text, number
from .page import render_report

DEFAULT_DIR = "actlab-report"
REPORT_FILE = "report.html"
COMPARISON_FILE = "comparison.json"
CLAIMS_FILE = "claims.json"
DEFAULT_DATASET = "digits"


@dataclass(frozen=True)
class Budget:
    """How much the report trains: seeds per activation and epochs per run."""

    name: str
    seeds: int
    epochs: int

    def describe(self) -> str:
        return f"{self.seeds} seeds × {self.epochs} epochs"


BUDGETS = {b.name: b for b in (Budget("tiny", 1, 2), Budget("small", 3, 15), Budget("full", 5, 60))}


@dataclass(frozen=True)
class Outcome:
    path: Path
    seconds: float
    summary: list[str]


def build_report(folder: str | Path = DEFAULT_DIR, *, budget: str = "small", lab: bool = True,
                 from_results: str | Path | None = None, progress: bool | None = None) -> Outcome:
    """Write ``folder/report.html`` (and the results it shows, as JSON beside it).

    ``lab=False`` draws the gallery and the property table only. ``from_results`` redraws from
    the JSON a previous report saved in that folder, running nothing.
    """
    if budget not in BUDGETS:
        raise ParameterError(f"budget {budget!r} is not one of {', '.join(BUDGETS)}")
    start = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if from_results is not None:
        comparison, claims, notes = _load(Path(from_results))
    elif lab:
        comparison, claims, notes = run_lab(BUDGETS[budget], folder, progress)
    else:
        comparison, claims = None, None
        notes = {k: "left out (--gallery-only); run `actlab report` without it to include it."
                 for k in ("comparison", "claims")}
    for name, data in ((COMPARISON_FILE, comparison), (CLAIMS_FILE, claims)):
        if data is not None and from_results is None:
            (folder / name).write_text(json.dumps(data, indent=1, allow_nan=False), encoding="utf-8")
    if from_results is not None:
        made = f"results loaded from {from_results}"
    else:
        made = f"budget {budget} ({BUDGETS[budget].describe()})" if lab else "gallery only"
    html = render_report(comparison, claims, notes=notes, run={"actlab": __version__, "run": made})
    path = folder / REPORT_FILE
    path.write_text(html, encoding="utf-8")
    seconds = time.perf_counter() - start
    return Outcome(path, seconds, terminal_summary(comparison, claims, notes))


def run_lab(budget: Budget, folder: Path, progress: bool | None) -> tuple[dict | None, list | None, dict]:
    """The comparison on the default dataset and the claims, each at ``budget``.

    A part that cannot run (the lab extra missing) is left out with the reason, which the page
    shows in its place; the rest of the report is still written.
    """
    notes: dict[str, str] = {}
    comparison = claims = None
    try:
        from ...lab import compare
    except ImportError as exc:
        notes["comparison"] = _missing(exc)
    else:
        print(f"comparing activations on {DEFAULT_DATASET} ({budget.describe()}) ...", file=sys.stderr)
        comparison = check_comparison(compare(
            dataset=DEFAULT_DATASET, seeds=list(range(budget.seeds)), epochs=budget.epochs,
            results=folder / "comparison-cells.jsonl", progress=progress))
    try:
        from ...lab.claims import run_claims
    except ImportError as exc:
        notes["claims"] = _missing(exc)
    else:
        print(f"checking the claims (budget {budget.name}) ...", file=sys.stderr)
        claims = check_claims(run_claims(budget=budget.name, progress=progress))
    return comparison, claims, notes


def _missing(exc: ImportError) -> str:
    if exc.name and not exc.name.startswith("actlab"):
        return (f"the lab needs the optional dependency {exc.name!r}; "
                "install it with: pip install 'actlab[lab]'")
    return "this installation of actlab has no lab (actlab.lab) to run it."


def _load(folder: Path) -> tuple[dict | None, list | None, dict]:
    if not folder.is_dir():
        raise ParameterError(f"--from-results: {str(folder)!r} is not a folder")
    notes, found = {}, {}
    for key, name, check in (("comparison", COMPARISON_FILE, check_comparison),
                             ("claims", CLAIMS_FILE, check_claims)):
        file = folder / name
        if not file.exists():
            notes[key] = f"{file} does not exist."
            found[key] = None
            continue
        try:
            found[key] = check(json.loads(file.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ParameterError(f"{file}: cannot be read as {key} results ({exc})") from None
    return found["comparison"], found["claims"], notes


def terminal_summary(comparison: dict | None, claims: list | None, notes: dict) -> list[str]:
    """The comparison as a short table (best test accuracy first) and the claims' verdicts."""
    lines = []
    if comparison is not None:
        lines.append(summary.comparison_lines(comparison)[0])
        rows = sorted(comparison["rows"], key=_accuracy, reverse=True)
        cells = [[r["activation"]] + [mean_std_text(r["metrics"].get(k, {}))
                                      for k in ("test_accuracy", "epochs_to_target", "dead_fraction")]
                 for r in rows]
        lines.append(table(["activation", "test accuracy", "epochs to target", "dead units"], cells))
    else:
        lines.append(f"comparison: not run — {notes.get('comparison', '')}")
    if claims is not None:
        lines.append(summary.claims_line(claims))
        lines += [f"  {c['verdict']:<14}{c['id']}" for c in claims if c["verdict"] != "supported"]
    else:
        lines.append(f"claims: not checked — {notes.get('claims', '')}")
    return lines


def _accuracy(row: dict) -> float:
    v = number(row["metrics"].get("test_accuracy", {}).get("mean"))
    return -1.0 if v is None else v
