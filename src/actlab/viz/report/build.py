"""``actlab report``: run the lab at a budget, save its results, write the page, sum it up."""

from __future__ import annotations

import base64
import json
import textwrap
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from ... import __version__
from ...core import MissingExtraError, ParameterError
from ...core.files import write_atomic
from ..files import writable_folder
from . import lessons as lesson_runs
from . import summary
from .contract import ERRATUM, NOT_SUPPORTED, check_claims, check_comparison
from .page import render_report

DEFAULT_DIR = "actlab-report"
REPORT_FILE = "report.html"
COMPARISON_FILE = "comparison.json"
CLAIMS_FILE = "claims.json"
LESSONS_FILE = "lessons.json"
CELLS_FILE = "comparison-runs.jsonl"  # the lab's finished runs: a rerun resumes from them
CLAIM_RUNS_DIR = "claim-runs"
ERRORS_FILE = "errors.log"
FIGURE_TYPES = {".png": "image/png", ".svg": "image/svg+xml"}
MAX_FIGURE_BYTES = 2_000_000


@dataclass(frozen=True)
class Outcome:
    path: Path
    seconds: float
    summary: list[str]
    failed: list[str]  # the parts that failed (their tracebacks are in errors.log)


def build_report(
    folder: str | Path = DEFAULT_DIR,
    *,
    budget: str = "small",
    lab: bool = True,
    from_results: str | Path | None = None,
    progress: bool | None = None,
    n_jobs: int = -1,
    width: int = 80,
) -> Outcome:
    """Write ``folder/report.html`` (and the results it shows, as JSON beside it).

    ``budget`` is one of the lab's budgets (``actlab.lab.claims.BUDGETS``): its seeds, epochs and
    training-set size set the comparison, and the claims run at it. ``lab=False`` draws the
    explainer's curves, the gallery and the property table only. ``from_results`` redraws from
    the JSON a previous report saved in that folder, running nothing. ``n_jobs``: parallel
    training runs (-1: all cores). ``width``: of the terminal summary.
    """
    from ...lab.progress import stage

    start = time.perf_counter()
    folder = writable_folder(folder, "--output")  # before any work: a bad folder fails now
    if from_results is not None and not Path(from_results).is_dir():
        raise ParameterError(f"--from-results: {str(from_results)!r} is not a folder")
    (folder / ERRORS_FILE).unlink(missing_ok=True)
    lessons = None
    if from_results is not None:
        comparison, claims, lessons, notes = _load(Path(from_results))
        made = f"results loaded from {from_results}"
    elif lab:
        lessons, comparison, claims, notes, made = run_lab(budget, folder, progress, n_jobs)
    else:
        comparison, claims, made = None, None, "gallery only"
        notes = {
            k: "left out (--gallery-only); run `actlab report` without it to include it."
            for k in ("comparison", "claims")
        }
    stage("writing the page", enabled=progress)
    seconds = time.perf_counter() - start
    base = Path(from_results or folder)
    shown = None if claims is None else embed_figures(claims, [base, base / CLAIM_RUNS_DIR])
    html = render_report(
        comparison,
        shown,
        notes=notes,
        lessons=lessons,
        run={"actlab": __version__, "run": made, "took": f"{seconds:.0f} s"},
    )
    path = write_atomic(folder / REPORT_FILE, html)
    failed = [part for part, note in notes.items() if note.startswith("it failed")]
    return Outcome(
        path, time.perf_counter() - start, terminal_summary(comparison, claims, notes, width), failed
    )


def run_lab(budget: str, folder: Path, progress: bool | None, n_jobs: int):
    """The explainer's networks, the comparison on the lab's default dataset and the claims,
    the last two at ``budget``.

    Returns (lessons, comparison, claims, notes, description). A part that cannot run (the
    lab extra missing) or that fails is left out with the reason, which the page shows in its
    place; the rest of the report is still written. A failure's traceback goes to
    ``folder/errors.log``. Finished training runs are kept in the folder, so an interrupted
    report resumes.
    """
    notes: dict[str, str] = {}
    try:
        from ...lab import compare
        from ...lab.claims import budget_named, run_claims
        from ...lab.progress import stage
    except ImportError as exc:
        notes["comparison"] = notes["claims"] = notes["lessons"] = _missing(exc)
        return None, None, None, notes, "gallery only (no lab)"
    b = budget_named(budget)
    plural = "s" if b.seeds != 1 else ""
    made = f"budget {b.name}: comparison over {b.seeds} seed{plural} × {b.epochs} epochs" + (
        f" on {b.max_train} training samples" if b.max_train else ""
    )
    stage("training the explainer's networks (moons, circles, spirals, xor) ...", enabled=progress)
    lessons = _guarded(
        "lessons",
        notes,
        folder,
        LESSONS_FILE,
        _check_lessons,
        lambda: lesson_runs.compute(folder, n_jobs=n_jobs, progress=progress, quick=b.name == "tiny"),
    )
    stage(f"comparing activations ({b.seeds} seed{plural} × {b.epochs} epochs) ...", enabled=progress)
    comparison = _guarded(
        "comparison",
        notes,
        folder,
        COMPARISON_FILE,
        check_comparison,
        lambda: compare(
            seeds=b.seeds,
            epochs=b.epochs,
            max_train=b.max_train,
            results=folder / CELLS_FILE,
            n_jobs=n_jobs,
            progress=progress,
        ),
    )
    stage(f"checking the claims (budget {b.name}) ...", enabled=progress)
    claims = _guarded(
        "claims",
        notes,
        folder,
        CLAIMS_FILE,
        check_claims,
        lambda: run_claims(b, n_jobs=n_jobs, results=str(folder / CLAIM_RUNS_DIR), progress=progress),
    )
    return lessons, comparison, claims, notes, made


def _guarded(part: str, notes: dict, folder: Path, file: str, check, run):
    """``check(run())``, its results saved to ``folder/file`` first (so that a shape the page
    cannot read costs no work); a failure becomes a note instead."""
    # One failing part must not cost the others their minutes of work, nor the page: the failure
    # is shown where the part would be, and the command exits non-zero.
    try:
        data = run()
        write_atomic(
            folder / file, json.dumps(data, indent=None if file == LESSONS_FILE else 1, allow_nan=False)
        )
        return check(data)
    except MissingExtraError as exc:  # an optional dependency not installed: say so, no failure
        notes[part] = str(exc)
        return None
    except Exception as exc:  # noqa: BLE001  (any failure of a part is reported, not fatal)
        log = folder / ERRORS_FILE
        with log.open("a", encoding="utf-8") as f:
            f.write(f"--- {part}\n{traceback.format_exc()}\n")
        notes[part] = f"it failed: {type(exc).__name__}: {exc} (details in {log})"
        from ...lab.progress import stage

        stage(f"actlab report: the {part} failed: {type(exc).__name__}: {exc}")
        return None


def _missing(exc: ImportError) -> str:
    if exc.name and not exc.name.startswith("actlab"):
        return (
            f"the lab needs the optional dependency {exc.name!r}; install it with: pip install 'actlab[lab]'"
        )
    return "this installation of actlab has no lab (actlab.lab) to run it."


def _load(folder: Path) -> tuple[dict | None, list | None, dict | None, dict]:
    notes, found = {}, {}
    for key, name, check in (
        ("comparison", COMPARISON_FILE, check_comparison),
        ("claims", CLAIMS_FILE, check_claims),
        ("lessons", LESSONS_FILE, _check_lessons),
    ):
        file = folder / name
        if not file.exists():
            notes[key] = f"{file} does not exist."
            found[key] = None
            continue
        try:
            found[key] = check(json.loads(file.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise ParameterError(f"{file}: cannot be read as {key} results ({exc})") from None
    return found["comparison"], found["claims"], found["lessons"], notes


def _check_lessons(data) -> dict:
    keys = ("learn", "points", "settings", "setup")
    if not (isinstance(data, dict) and all(isinstance(data.get(k), dict) for k in keys)):
        raise ValueError(f"expected an object with {', '.join(map(repr, keys))}")
    return data


def embed_figures(claims: list[dict], folders: list[Path]) -> list[dict]:
    """The claims with their figure files (``plots``: paths of .png or .svg files, as the claims
    record them; or one ``figure``) inlined as data: URIs (``figure_uris``), so the page stays
    one file. A path is tried as written, then under each of ``folders``. A figure several claims
    share goes in once, with the first of them; the others name that claim
    (``figure_shown_with``). A figure that cannot be found or read is named in the claim's
    setting instead; SVG goes in as an image, where any script it holds never runs."""
    out, first = [], {}  # a figure shared by several claims goes in once, at the first of them
    for c in claims:
        paths = list(c.get("plots") or []) + ([c["figure"]] if c.get("figure") else [])
        uris, missing, shared = [], [], []
        for path in paths:
            if path in first:
                shared.append(first[path])
                continue
            candidates = [Path(path)] + ([] if Path(path).is_absolute() else [f / path for f in folders])
            found = next((p for p in candidates if p.is_file()), None)
            kind = FIGURE_TYPES.get(Path(path).suffix.lower())
            if found is None or kind is None or found.stat().st_size > MAX_FIGURE_BYTES:
                missing.append(
                    f"figure {path}: "
                    + (
                        "not found"
                        if found is None
                        else "not a .png or .svg"
                        if kind is None
                        else "too large"
                    )
                )
                continue
            uris.append(f"data:{kind};base64," + base64.b64encode(found.read_bytes()).decode("ascii"))
            first[path] = c["id"]
        if not paths:
            out.append(c)
            continue
        setting = "; ".join(filter(None, [c.get("setting") or "", *missing]))
        out.append(
            {**c, "figure_uris": uris, "figure_shown_with": list(dict.fromkeys(shared)), "setting": setting}
        )
    return out


def terminal_summary(comparison: dict | None, claims: list | None, notes: dict, width: int = 80) -> list[str]:
    """What was compared and how the activations fall against the reference (groups, never a
    ranking the seeds cannot resolve), the verdict counts, and the claims that did not come out
    supported, by id (the page has them in full); every line fits ``width`` columns."""

    def fill(text: str, indent: str = "", hang: str = "  ") -> str:
        return textwrap.fill(
            text,
            width,
            initial_indent=indent,
            subsequent_indent=indent + hang,
            break_on_hyphens=False,
            break_long_words=False,
        )

    lines = []
    if comparison is not None:
        lines += [fill(line) for line in summary.comparison_lines(comparison)]
        lines += summary.group_lines(comparison, width)
    else:
        lines.append(fill(f"comparison: not run — {notes.get('comparison', '')}"))
    if claims is not None:
        lines.append(fill(summary.claims_line(claims)))
        for verdict in (NOT_SUPPORTED, ERRATUM):
            ids = [c["id"] for c in claims if c["verdict"] == verdict]
            if ids:
                lines.append(fill(f"{verdict}: {', '.join(ids)}", "  "))
    else:
        lines.append(fill(f"claims: not checked — {notes.get('claims', '')}"))
    return lines
