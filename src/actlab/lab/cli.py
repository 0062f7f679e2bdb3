"""``actlab compare`` and ``actlab claims``: the lab's two commands (``compare_main``, ``claims_main``).

They share the command line's grammar (:mod:`actlab.cli`): ``-o/--output`` for what they write,
``--json`` to print JSON instead of text, ``--jobs``, ``--no-progress``, "did you mean" for every
name (activations, datasets, optimizers, budgets, claim ids), and every value checked before
any work starts.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from ..cli import Parser, bounded, count, finite, fitted_table, jobs, named_choice, output_file
from ..core.errors import ActlabError
from ..core.files import write_atomic
from . import datasets
from .training import DEFAULTS, MODELS

COLUMNS = (
    ("test_accuracy", "test acc"),
    ("test_mse", "test mse"),
    ("final_train_loss", "train loss"),
    ("epochs_to_target", "epochs→target"),
    ("reached_target", "reached"),
    ("dead_fraction", "dead"),
    ("grad_ratio", "grad first/last"),
)


def _optimizers() -> list[str]:
    from ..nn.optimizers import OPTIMIZERS

    return list(OPTIMIZERS)


def _width() -> int:
    from .progress import terminal_width

    return terminal_width(sys.stdout, 100)


def _present(c: dict) -> list[tuple[str, str]]:
    return [(k, h) for k, h in COLUMNS if any(k in r["metrics"] for r in c["rows"])]


def _cells(c: dict) -> list[list[str]]:
    from ..viz.report.contract import metric_text

    n = len(c["seeds"])
    return [[_label(r), *(metric_text(k, r["metrics"][k], n) for k, _ in _present(c))] for r in c["rows"]]


def _label(row: dict) -> str:
    return row["activation"] + (f" ({row['failed']} failed)" if row.get("failed") else "")


def baseline_line(c: dict) -> str:
    """``linear baseline (logistic regression ...): test acc 32.9 ± 1.2 %``, or "" for results
    without one."""
    from ..viz.report.contract import metric_text

    base = c.get("linear_baseline")
    if not base:
        return ""
    score, header = next((k, h) for k, h in COLUMNS if k in base)
    return f"linear baseline ({base['model']}): {header} {metric_text(score, base[score], len(c['seeds']))}"


def comparison_table(c: dict, width: int = 100) -> str:
    """The comparison as aligned text, one row per activation, after the network and the
    dataset's linear baseline, fitted to ``width`` columns."""
    import textwrap

    target = c.get("target", {})
    head = (
        f"{c['dataset']}: {c['architecture']}; seeds {c['seeds']}; target: {target.get('metric')} "
        f"{target.get('value')}; mean ± std over seeds"
    )
    lines = fitted_table(["activation", *(h for _, h in _present(c))], _cells(c), width)
    intro = [textwrap.fill(t, width - 1, break_on_hyphens=False) for t in (head, baseline_line(c)) if t]
    return "\n".join([*intro, *lines])


def comparison_markdown(c: dict) -> str:
    present = _present(c)
    baseline = baseline_line(c)
    lines = [
        f"# Activation comparison on {c['dataset']}",
        "",
        f"{c['architecture']}; seeds {c['seeds']}; mean ± std over seeds.",
        *(["", baseline[0].upper() + baseline[1:] + "."] if baseline else []),
        "",
        "| activation | " + " | ".join(h for _, h in present) + " |",
        "|---" * (len(present) + 1) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _cells(c)]
    return "\n".join(lines) + "\n"


def _activation_arg(text: str):
    """``name`` or ``name:param=value,param=value`` → a name or a config dict."""
    name, _, rest = text.partition(":")
    if not rest:
        return name
    params = {}
    for item in rest.split(","):
        key, eq, value = item.partition("=")
        if not eq:
            raise argparse.ArgumentTypeError(f"{item!r}: parameters are written name=value")
        try:
            params[key] = json.loads(value)
        except json.JSONDecodeError:
            params[key] = value  # a string choice such as approximate=tanh
    return {"name": name, "params": params}


def _dataset_file(text: str) -> bool:
    return Path(text).suffix.lower() in (".npz", ".csv")


def _scheduler(text: str) -> str:
    """A Dask scheduler address, ``tcp://host:port`` (or ``host:port``)."""
    address = text if "://" in text else f"tcp://{text}"
    scheme, _, rest = address.partition("://")
    host, _, port = rest.rpartition(":")
    if scheme not in ("tcp", "tls", "inproc", "ucx") or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a scheduler address; expected tcp://HOST:PORT")
    return address


def _compare_parser() -> argparse.ArgumentParser:
    p = Parser(
        prog="actlab compare",
        description="Train the same network with several activations over seeds and compare them: mean "
        "± std of test accuracy, train loss, epochs to a target, dead units and gradient "
        "ratio; learning curves as a figure.",
    )
    p.add_argument(
        "--activations",
        nargs="+",
        type=_activation_arg,
        metavar="ACT",
        help="names, or name:param=value,... (default: every elementwise activation meant "
        "for hidden layers or gates)",
    )
    p.add_argument(
        "--dataset",
        nargs="+",
        default=[datasets.DEFAULT],
        metavar="DATASET",
        type=named_choice("dataset", datasets.available, extra=_dataset_file),
        help=f"one or more of {', '.join(datasets.available())}, or .npz/.csv files (default %(default)s)",
    )
    p.add_argument(
        "--model",
        default=DEFAULTS["model"],
        type=named_choice("model", lambda: list(MODELS)),
        help=f"{' or '.join(MODELS)}; mlp: hidden Dense layers; cnn: strided convolutions (for "
        "sequences and images, such as mnist1d and mnist), then a Dense output (default %(default)s)",
    )
    p.add_argument(
        "--seeds", type=count(1, "--seeds"), default=3, help="runs per activation (default %(default)s)"
    )
    depths, widths = (", ".join(f"{m} {d[key]}" for m, d in MODELS.items()) for key in ("depth", "width"))
    p.add_argument(
        "--depth",
        nargs="+",
        type=count(1, "--depth"),
        metavar="DEPTH",
        help=f"hidden layers (mlp) or convolutions (cnn); several give one comparison each "
        f"(default: {depths})",
    )
    p.add_argument(
        "--width",
        type=count(1, "--width"),
        help=f"units per hidden layer (mlp) or filters per convolution (cnn) (default: {widths})",
    )
    p.add_argument("--epochs", type=count(1, "--epochs"), default=20, help="(default %(default)s)")
    p.add_argument("--batch-size", type=count(1, "--batch-size"), default=32, help="(default %(default)s)")
    p.add_argument(
        "--optimizer",
        default="adam",
        type=named_choice("optimizer", _optimizers),
        help=f"{', '.join(_optimizers())} (default %(default)s)",
    )
    p.add_argument(
        "--lr",
        type=bounded(0.0, 1e6, "--lr", low_open=True),
        default=1e-3,
        help="learning rate (default %(default)s)",
    )
    p.add_argument(
        "--target",
        type=finite,
        help="training accuracy (or loss, for regression) whose epoch is reported (default 0.95 / 0.1)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="actlab-compare",
        help="folder for comparison.json, comparison.md, learning_curves.png and the runs "
        "(default %(default)s)",
    )
    p.add_argument("--jobs", type=jobs, default=-1, help="parallel runs (default: -1, all cores)")
    p.add_argument(
        "--scheduler", type=_scheduler, help="a Dask scheduler address (tcp://HOST:PORT): run on that cluster"
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="set damaged or repeated lines of OUTPUT/runs.jsonl "
        "aside (in runs.jsonl.rejected) instead of refusing it",
    )
    p.add_argument("--no-progress", action="store_true", help="print no progress")
    p.add_argument("--json", action="store_true", help="print machine-readable JSON instead of text")
    return p


def compare_main(argv: Sequence[str] | None = None) -> int:
    """``actlab compare``: prints the table, writes JSON, Markdown and the learning-curve figure.

    Finished runs are kept in ``OUTPUT/runs.jsonl``: the same command after an interruption resumes.
    """
    args = _compare_parser().parse_args(argv)
    from ..viz.files import writable_folder
    from .comparison import run_comparisons
    from .figures import learning_curves

    depths = args.depth or [MODELS[args.model]["depth"]]
    try:
        out = writable_folder(args.output, "-o/--output")  # before any training
        results = run_comparisons(
            args.activations,
            datasets_=args.dataset,
            model=args.model,
            depths=depths,
            seeds=args.seeds,
            width=args.width,
            epochs=args.epochs,
            batch_size=args.batch_size,
            optimizer={"name": args.optimizer, "lr": args.lr},
            target=args.target,
            results=out / "runs.jsonl",
            n_jobs=args.jobs,
            scheduler=args.scheduler,
            progress=False if args.no_progress else None,
            repair=args.repair,
        )
    except (ActlabError, FileNotFoundError) as exc:
        print(f"actlab compare: error: {exc}", file=sys.stderr)
        return 2
    except (OSError, TimeoutError) as exc:  # a scheduler that cannot be reached, a full disk
        where = f" (scheduler {args.scheduler})" if args.scheduler else ""
        print(f"actlab compare: error{where}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    single = len(results) == 1
    written = []
    for (dataset, depth), result in zip([(d, k) for d in args.dataset for k in depths], results):
        # One comparison keeps the plain names; a grid names each file by its dataset and depth.
        stem = "" if single else f"_{Path(str(dataset)).stem}_depth{depth}"
        files = (
            out / f"comparison{stem}.json",
            out / f"comparison{stem}.md",
            out / f"learning_curves{stem}.png",
        )
        write_atomic(files[0], json.dumps(result, indent=1, allow_nan=False))
        write_atomic(files[1], comparison_markdown(result))
        learning_curves(result, files[2])
        written += files
        print(json.dumps(result, indent=1) if args.json else comparison_table(result, _width()) + "\n")
    print(f"written: {', '.join(map(str, written))}", file=sys.stderr)
    return 0


def _claim_ids() -> list[str]:
    from .claims import CLAIMS

    return [c.id for c in CLAIMS]


def _claims_parser() -> argparse.ArgumentParser:
    from .claims import BUDGETS

    p = Parser(
        prog="actlab claims",
        description="Check every claim and formula of the seed texts: what was measured, the figures, "
        "and a verdict computed from them.",
    )
    p.add_argument(
        "--budget",
        default="small",
        type=named_choice("budget", lambda: list(BUDGETS)),
        help="tiny (a minute), small (default, a few minutes on two cores), full (hours: the "
        "published directions, more seeds, depths and epochs)",
    )
    p.add_argument("--list", action="store_true", help="list the claim ids and statements, and run nothing")
    p.add_argument(
        "--only",
        nargs="+",
        metavar="ID",
        type=named_choice("claim id", _claim_ids, more="; `actlab claims --list` lists them"),
        help="check only these claims (see --list)",
    )
    p.add_argument(
        "-o", "--output", default="actlab-claims.md", help="the Markdown report (default %(default)s)"
    )
    p.add_argument(
        "--results",
        metavar="DIR",
        help="keep each experiment's runs here; rerunning resumes (default: a folder beside -o/--output)",
    )
    p.add_argument("--figures", metavar="DIR", help="where the figures go (default: RESULTS/figures)")
    p.add_argument("--jobs", type=jobs, default=-1, help="parallel training runs (default: -1, all cores)")
    p.add_argument(
        "--scheduler",
        type=_scheduler,
        help="a Dask scheduler address (tcp://HOST:PORT): run the training on that cluster",
    )
    p.add_argument(
        "--repair",
        action="store_true",
        help="set damaged or repeated lines of the runs files aside instead of refusing them",
    )
    p.add_argument("--no-progress", action="store_true", help="print no progress")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the claims (and the run's record) as JSON instead of the table",
    )
    return p


def claim_list(width: int) -> str:
    """Every claim id with its statement and source, one per line, fitted to ``width``."""
    from ..viz.maths import inline_unicode
    from ..viz.sources import number
    from .claims import CLAIMS

    id_w = max(len(c.id) for c in CLAIMS) + 2
    lines = []
    for c in CLAIMS:
        text = f"{c.id:<{id_w}}{','.join(number(s.strip()) for s in c.source.split(',')):<9}{inline_unicode(c.statement)}"
        lines.append(text if len(text) <= width - 1 else text[: width - 2] + "…")
    return "\n".join(
        [
            f"{'claim':<{id_w}}{'texts':<9}statement",
            *lines,
            "",
            f"{len(CLAIMS)} claims; `actlab claims --only ID ...` checks some of them.",
        ]
    )


def claims_main(argv: Sequence[str] | None = None) -> int:
    """``actlab claims``: prints a table of verdicts (or JSON) and writes the Markdown report."""
    args = _claims_parser().parse_args(argv)
    if args.list:
        print(claim_list(_width()))
        return 0
    from .claims import run_claims
    from .claims.report import markdown, table

    try:
        path = output_file(args.output, (".md",))  # before any work
        results = args.results or str(path.with_name(f"{path.stem}-runs-{args.budget}"))
        claims = run_claims(
            args.budget,
            only=args.only,
            n_jobs=args.jobs,
            results=results,
            scheduler=args.scheduler,
            figures=args.figures,
            repair=args.repair,
            progress=False if args.no_progress else None,
        )
    except (ActlabError, KeyError) as exc:
        print(f"actlab claims: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(
        json.dumps({"run": claims.info, "claims": claims}, indent=1, ensure_ascii=False, allow_nan=False)
        if args.json
        else table(claims, _width())
    )
    write_atomic(path, markdown(claims, budget=args.budget, info=claims.info, base=str(path.parent)))
    print(f"\nwritten: {path}", file=sys.stderr)
    return 0
