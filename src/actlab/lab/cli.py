"""``actlab compare`` and ``actlab claims``: the lab's two commands (``compare_main``, ``claims_main``)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Sequence

from ..core.errors import ActlabError
from . import datasets
from .training import DEFAULTS, MODELS

COLUMNS = (("test_accuracy", "test acc"), ("test_mse", "test mse"), ("final_train_loss", "train loss"),
           ("epochs_to_target", "epochs→target"), ("reached_target", "reached"),
           ("wall_time_s", "time (s)"), ("dead_fraction", "dead"), ("grad_ratio", "grad first/last"))


def _mean_std(m: dict) -> str:
    if m["mean"] is None:
        return "—"
    return f"{m['mean']:.4g} ± {m['std']:.2g}" if m["std"] else f"{m['mean']:.4g}"


def baseline_line(c: dict) -> str:
    """``linear baseline (logistic regression ...): test acc 0.329``, or "" for results without one."""
    base = c.get("linear_baseline")
    if not base:
        return ""
    score, header = next((k, h) for k, h in COLUMNS if k in base)
    return f"linear baseline ({base['model']}): {header} {_mean_std(base[score])}"


def comparison_table(c: dict) -> str:
    """The comparison as aligned text, one row per activation (best first), after the network
    and the dataset's linear baseline."""
    present = [(k, h) for k, h in COLUMNS if any(k in r["metrics"] for r in c["rows"])]
    header = ["activation", *(h for _, h in present)]
    body = [[r["activation"], *(_mean_std(r["metrics"][k]) for k, _ in present)] for r in c["rows"]]
    widths = [max(len(row[i]) for row in [header, *body]) + 2 for i in range(len(header))]
    lines = ["".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    target = c.get("target", {})
    head = (f"{c['dataset']}: {c['architecture']}; seeds {c['seeds']}; target: {target.get('metric')} "
            f"{target.get('value')}")
    return "\n".join([head, *filter(None, [baseline_line(c)]), *lines])


def comparison_markdown(c: dict) -> str:
    present = [(k, h) for k, h in COLUMNS if any(k in r["metrics"] for r in c["rows"])]
    baseline = baseline_line(c)
    lines = [f"# Activation comparison on {c['dataset']}", "", f"{c['architecture']}; seeds {c['seeds']}; "
             "mean ± std over seeds.", *(["", baseline[0].upper() + baseline[1:] + "."] if baseline else []),
             "", "| activation | " + " | ".join(h for _, h in present) + " |",
             "|---" * (len(present) + 1) + "|"]
    lines += [f"| {r['activation']} | " + " | ".join(_mean_std(r["metrics"][k]) for k, _ in present) + " |"
              for r in c["rows"]]
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


def _compare_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="actlab compare", description=
                                "Train the same network with several activations over seeds and compare "
                                "them: mean ± std of test accuracy, train loss, epochs to a target, time, "
                                "dead units and gradient ratio; learning curves as a figure.")
    p.add_argument("--activations", nargs="+", type=_activation_arg, metavar="ACT",
                   help="names, or name:param=value,... (default: every elementwise activation meant "
                        "for hidden layers or gates)")
    p.add_argument("--dataset", nargs="+", default=[datasets.DEFAULT], metavar="DATASET",
                   help=f"one or more of {', '.join(datasets.available())}, or .npz/.csv files "
                        "(default %(default)s)")
    p.add_argument("--model", default=DEFAULTS["model"], choices=list(MODELS),
                   help="mlp: hidden Dense layers; cnn: strided convolutions (for sequences and images, "
                        "such as mnist1d and mnist), then a Dense output (default %(default)s)")
    p.add_argument("--seeds", type=int, default=3, help="runs per activation (default %(default)s)")
    depths, widths = (", ".join(f"{m} {d[key]}" for m, d in MODELS.items()) for key in ("depth", "width"))
    p.add_argument("--depth", nargs="+", type=int, metavar="DEPTH",
                   help=f"hidden layers (mlp) or convolutions (cnn); several give one comparison each "
                        f"(default: {depths})")
    p.add_argument("--width", type=int, help=f"units per hidden layer (mlp) or filters per convolution (cnn) "
                                             f"(default: {widths})")
    p.add_argument("--epochs", type=int, default=20, help="(default %(default)s)")
    p.add_argument("--batch-size", type=int, default=32, help="(default %(default)s)")
    p.add_argument("--optimizer", default="adam", help="sgd, momentum, adam or rmsprop (default %(default)s)")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate (default %(default)s)")
    p.add_argument("--target", type=float, help="training accuracy (or loss, for regression) whose epoch "
                                                "is reported (default 0.95 / 0.1)")
    p.add_argument("--out", default="actlab-compare", help="folder for comparison.json, comparison.md, "
                                                           "learning_curves.png and the runs (default %(default)s)")
    p.add_argument("--jobs", type=int, default=-1, help="parallel runs (default: all cores)")
    p.add_argument("--scheduler", help="a Dask scheduler address: run on that cluster")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON instead of a table")
    return p


def compare_main(argv: Sequence[str] | None = None) -> int:
    """``actlab compare``: prints the table, writes JSON, Markdown and the learning-curve figure.

    Finished runs are kept in ``OUT/runs.jsonl``: the same command after an interruption resumes.
    """
    args = _compare_parser().parse_args(argv)
    from .comparison import run_comparisons
    from .figures import learning_curves

    out = Path(args.out)
    depths = args.depth or [MODELS[args.model]["depth"]]
    try:
        results = run_comparisons(args.activations, datasets_=args.dataset, model=args.model, depths=depths,
                                  seeds=args.seeds, width=args.width, epochs=args.epochs,
                                  batch_size=args.batch_size, optimizer={"name": args.optimizer, "lr": args.lr},
                                  target=args.target, results=out / "runs.jsonl", n_jobs=args.jobs,
                                  scheduler=args.scheduler, progress=False if args.no_progress else None)
    except (ActlabError, FileNotFoundError) as exc:
        print(f"actlab compare: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    single = len(results) == 1
    written = []
    for (dataset, depth), result in zip([(d, k) for d in args.dataset for k in depths], results):
        # One comparison keeps the plain names; a grid names each file by its dataset and depth.
        stem = "" if single else f"_{Path(str(dataset)).stem}_depth{depth}"
        files = (out / f"comparison{stem}.json", out / f"comparison{stem}.md", out / f"learning_curves{stem}.png")
        files[0].write_text(json.dumps(result, indent=1, allow_nan=False), encoding="utf-8")
        files[1].write_text(comparison_markdown(result), encoding="utf-8")
        learning_curves(result, files[2])
        written += files
        print(json.dumps(result, indent=1) if args.json else comparison_table(result) + "\n")
    print(f"written: {', '.join(map(str, written))}", file=sys.stderr)
    return 0


def _claims_parser() -> argparse.ArgumentParser:
    from .claims import BUDGETS

    p = argparse.ArgumentParser(prog="actlab claims", description=
                                "Check every claim and formula of the seed texts: what was measured, the "
                                "figures, and a verdict computed from them.")
    p.add_argument("--budget", default="small", choices=list(BUDGETS),
                   help="tiny (seconds), small (default, a few minutes), full (longer: more seeds, depths, epochs)")
    p.add_argument("--only", nargs="+", metavar="ID", help="check only these claim ids")
    p.add_argument("--out", default="actlab-claims.md", help="the Markdown report (default %(default)s)")
    p.add_argument("--json", metavar="FILE", help="also write the claims as JSON")
    p.add_argument("--results", metavar="DIR", help="keep each experiment's runs here; rerunning resumes")
    p.add_argument("--jobs", type=int, default=-1, help="parallel training runs (default: all cores)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def claims_main(argv: Sequence[str] | None = None) -> int:
    """``actlab claims``: prints a table of verdicts and writes the Markdown report."""
    args = _claims_parser().parse_args(argv)
    from .claims import run_claims
    from .claims.report import markdown, table

    try:
        claims = run_claims(args.budget, only=args.only, n_jobs=args.jobs, results=args.results,
                            progress=False if args.no_progress else None)
    except (ActlabError, KeyError) as exc:
        print(f"actlab claims: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    print(table(claims))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(markdown(claims, budget=args.budget), encoding="utf-8")
    written = [args.out]
    if args.json:
        Path(args.json).write_text(json.dumps(claims, indent=1, allow_nan=False), encoding="utf-8")
        written.append(args.json)
    print(f"\nwritten: {', '.join(written)}", file=sys.stderr)
    return 0

