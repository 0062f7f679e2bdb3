"""``actlab report``: run the lab at a budget, save its results, write the page, sum it up."""
from __future__ import annotations

import json
import sys
import textwrap
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ... import __version__
from ...core import MissingExtraError, ParameterError
from ..terminal import table
from . import summary
from .contract import check_claims, check_comparison, mean_std_text, number
from .page import render_report

DEFAULT_DIR = "actlab-report"
REPORT_FILE = "report.html"
COMPARISON_FILE = "comparison.json"
CLAIMS_FILE = "claims.json"
CELLS_FILE = "comparison-runs.jsonl"  # the lab's finished runs: a rerun resumes from them
CLAIM_RUNS_DIR = "claim-runs"
ERRORS_FILE = "errors.log"


@dataclass(frozen=True)
class Outcome:
    path: Path
    seconds: float
    summary: list[str]
    failed: list[str]  # the parts that failed (their tracebacks are in errors.log)


def build_report(folder: str | Path = DEFAULT_DIR, *, budget: str = "small", lab: bool = True,
                 from_results: str | Path | None = None, progress: bool | None = None,
                 n_jobs: int = -1) -> Outcome:
    """Write ``folder/report.html`` (and the results it shows, as JSON beside it).

    ``budget`` is one of the lab's budgets (``actlab.lab.claims.BUDGETS``): its seeds, epochs and
    training-set size set the comparison, and the claims run at it. ``lab=False`` draws the
    gallery and the property table only. ``from_results`` redraws from the JSON a previous
    report saved in that folder, running nothing. ``n_jobs``: parallel training runs (-1: all
    cores).
    """
    start = time.perf_counter()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ERRORS_FILE).unlink(missing_ok=True)
    if from_results is not None:
        comparison, claims, notes = _load(Path(from_results))
        made = f"results loaded from {from_results}"
    elif lab:
        comparison, claims, notes, made = run_lab(budget, folder, progress, n_jobs)
    else:
        comparison, claims, made = None, None, "gallery only"
        notes = {k: "left out (--gallery-only); run `actlab report` without it to include it."
                 for k in ("comparison", "claims")}
    for name, data in ((COMPARISON_FILE, comparison), (CLAIMS_FILE, claims)):
        if data is not None and from_results is None:
            (folder / name).write_text(json.dumps(data, indent=1, allow_nan=False), encoding="utf-8")
    seconds = time.perf_counter() - start
    html = render_report(comparison, claims, notes=notes,
                         run={"actlab": __version__, "run": made, "took": f"{seconds:.0f} s"})
    path = folder / REPORT_FILE
    path.write_text(html, encoding="utf-8")
    failed = [part for part, note in notes.items() if note.startswith("it failed")]
    return Outcome(path, time.perf_counter() - start, terminal_summary(comparison, claims, notes), failed)


def run_lab(budget: str, folder: Path, progress: bool | None, n_jobs: int):
    """The comparison on the lab's default dataset and the claims, both at ``budget``.

    Returns (comparison, claims, notes, description). A part that cannot run (the lab extra
    missing) or that fails is left out with the reason, which the page shows in its place; the
    rest of the report is still written. A failure's traceback goes to ``folder/errors.log``.
    Finished training runs are kept in the folder, so an interrupted report resumes.
    """
    notes: dict[str, str] = {}
    try:
        from ...lab import compare
        from ...lab.claims import budget_named, run_claims
    except ImportError as exc:
        notes["comparison"] = notes["claims"] = _missing(exc)
        return None, None, notes, "gallery only (no lab)"
    b = budget_named(budget)
    plural = "s" if b.seeds != 1 else ""
    made = f"budget {b.name}: comparison over {b.seeds} seed{plural} × {b.epochs} epochs" + (
        f" on {b.max_train} training samples" if b.max_train else "")
    print(f"comparing activations ({b.seeds} seed{plural} × {b.epochs} epochs) ...", file=sys.stderr)
    comparison = _guarded("comparison", notes, folder, lambda: check_comparison(compare(
        seeds=b.seeds, epochs=b.epochs, max_train=b.max_train, results=folder / CELLS_FILE,
        n_jobs=n_jobs, progress=progress)))
    print(f"checking the claims (budget {b.name}) ...", file=sys.stderr)
    claims = _guarded("claims", notes, folder, lambda: check_claims(run_claims(
        b, n_jobs=n_jobs, results=str(folder / CLAIM_RUNS_DIR), progress=progress)))
    return comparison, claims, notes, made


def _guarded(part: str, notes: dict, folder: Path, run):
    # One failing part must not cost the other its minutes of work, nor the page: the failure
    # is shown where the part would be, and the command exits non-zero.
    try:
        return run()
    except MissingExtraError as exc:  # an optional dependency not installed: say so, no failure
        notes[part] = str(exc)
        return None
    except Exception as exc:  # noqa: BLE001  (any failure of a part is reported, not fatal)
        log = folder / ERRORS_FILE
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- {part}\n{traceback.format_exc()}\n")
        notes[part] = f"it failed: {type(exc).__name__}: {exc} (details in {log})"
        print(f"actlab report: the {part} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


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


SHOWN_ROWS = (5, 3)  # the terminal lists the best five activations and the worst three


def terminal_summary(comparison: dict | None, claims: list | None, notes: dict) -> list[str]:
    """A short table of the comparison (best test accuracy first), the verdict counts, and the
    claims that did not come out supported, by id (the page has them in full)."""
    lines = []
    if comparison is not None:
        lines.append(summary.comparison_lines(comparison)[0])
        rows = sorted(comparison["rows"], key=_accuracy, reverse=True)
        best, worst = SHOWN_ROWS
        cut = len(rows) > best + worst
        shown = rows[:best] + rows[-worst:] if cut else rows
        cells = [[r["activation"]] + [mean_std_text(r["metrics"].get(k, {}))
                                      for k in ("test_accuracy", "epochs_to_target", "dead_fraction")]
                 for r in shown]
        if cut:
            cells.insert(best, [f"... {len(rows) - best - worst} more", "", "", ""])
        lines.append(table(["activation", "test accuracy", "epochs to target", "dead units"], cells))
    else:
        lines.append(f"comparison: not run — {notes.get('comparison', '')}")
    if claims is not None:
        lines.append(summary.claims_line(claims))
        for verdict in ("not supported", "erratum"):
            ids = [c["id"] for c in claims if c["verdict"] == verdict]
            if ids:
                lines.append(textwrap.fill(f"{verdict}: {', '.join(ids)}", 100, initial_indent="  ",
                                           subsequent_indent="    ", break_on_hyphens=False))
    else:
        lines.append(f"claims: not checked — {notes.get('claims', '')}")
    return lines


def _accuracy(row: dict) -> float:
    v = number(row["metrics"].get("test_accuracy", {}).get("mean"))
    return -1.0 if v is None else v
