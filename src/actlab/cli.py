"""The actlab command line: list, show, plot and advise on activations; compare them, check
the claims made about them, and write the report that shows it all.

Run `actlab COMMAND --help` for each command's options.
"""
from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import actlab as al
from actlab.core.definition import SMOOTHNESS, USES

# Commands whose implementation lives in another part of actlab; they get the rest of the
# command line as it is. name -> (module, function, extra it needs, help)
FORWARDED = {
    "compare": ("actlab.lab.cli", "compare_main", "lab",
                "train one network with several activations over seeds and compare them"),
    "claims": ("actlab.lab.cli", "claims_main", "lab",
               "check every claim and formula of the seed texts, with verdicts"),
    "bench": ("actlab.bench", "main", "fast",
              "time the activations' kernels against NumPy baselines"),
}


class _Parser(argparse.ArgumentParser):
    """argparse with "did you mean" on a mistyped command, choice or option."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{_suggestion(message, self)}\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        # Unknown options are reported by the subcommand's parser, which knows its own options.
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            sub = self._command_parsers.get(getattr(ns, "command", None), self)
            sub.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns


def _suggestion(message: str, parser: argparse.ArgumentParser) -> str:
    choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if choice:
        word, options = choice.group(1), re.findall(r"'([^']*)'", choice.group(2))
    else:
        unknown = re.search(r"unrecognized arguments: (\S+)", message)
        if not unknown:
            return ""
        word = unknown.group(1).split("=")[0]
        options = [s for a in parser._actions for s in a.option_strings]
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


# ------------------------------------------------------------------------------- list
def _cmd_list(args: argparse.Namespace) -> int:
    from actlab.viz.properties import COLUMNS, cell_text, property_row
    from actlab.viz.terminal import table

    infos = [i for i in al.catalog() if _matches(i, args)]
    if args.json:
        _print_json([i.as_dict() for i in infos])
        return 0
    if not infos:
        print("no activation has all of these properties", file=sys.stderr)
        return 1
    keys = [k for k, _ in COLUMNS if k not in ("uses", "init", "year")]
    headings = dict(COLUMNS)
    rows = [[cell_text(property_row(i)[k]) for k in keys] for i in infos]
    print(table([headings[k] for k in keys], rows))
    print(f"\n{len(infos)} of {len(al.names())} activations. `actlab show NAME` for one in full.")
    return 0


def _matches(info: al.Info, args: argparse.Namespace) -> bool:
    flags = {
        "monotonic": info.monotonic, "zero_centred": info.zero_centred,
        "bounded": info.bounded_below and info.bounded_above, "smooth": info.smoothness == "C∞",
        "saturating": bool(info.saturates), "elementwise": info.elementwise,
    }
    return ((args.family is None or info.family == args.family)
            and (args.smoothness is None or info.smoothness == args.smoothness)
            and (args.use is None or args.use in info.uses)
            and all(getattr(args, k) is None or getattr(args, k) == v for k, v in flags.items()))


# ------------------------------------------------------------------------------- show
def _cmd_show(args: argparse.Namespace) -> int:
    from actlab.viz.text import activation_page

    act = al.get(args.name, **_params(args.param, [al.lookup(args.name)]))
    if args.json:
        _print_json({**act.info.as_dict(), "config": act.get_config()})
        return 0
    x_range = _checked_range(args.range) if args.range else None
    print(activation_page(act, _terminal_width(), plot=not args.no_plot, x_range=x_range))
    return 0


# ------------------------------------------------------------------------------- plot
def _cmd_plot(args: argparse.Namespace) -> int:
    from actlab.viz.figures import activation_figure, save_figure

    defs = [al.lookup(n) for n in args.names]
    params = _params(args.param, defs)
    acts = [al.get(d, **{k: v for k, v in params.items() if k in d.param_names}) for d in defs]
    fig = activation_figure(acts, derivative=args.derivative,
                            x_range=_checked_range(args.range) if args.range else None)
    path = save_figure(fig, args.output, dpi=args.dpi)
    w, h = fig.get_size_inches()
    size = (f"{round(w * args.dpi)}×{round(h * args.dpi)} px at {args.dpi} dpi"
            if path.suffix.lower() == ".png" else f"{w:g}×{h:g} in")
    print(f"wrote {path} ({', '.join(a.name for a in acts)}; {size})")
    return 0


def _checked_range(r: Sequence[float]) -> tuple[float, float]:
    lo, hi = r
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise al.ParameterError(f"--range needs two finite numbers, low then high; got {lo:g} {hi:g}")
    return float(lo), float(hi)


def _params(pairs: Sequence[str] | None, defs: Sequence[al.Definition]) -> dict[str, Any]:
    """``["alpha=0.1", "approximate=tanh"]`` → ``{"alpha": 0.1, "approximate": "tanh"}``; each
    name must be a parameter of at least one of the activations."""
    known = sorted({p for d in defs for p in d.param_names})
    out = {}
    for pair in pairs or ():
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise al.ParameterError(f"--param takes NAME=VALUE, got {pair!r}")
        if name not in known:
            which = ", ".join(d.name for d in defs)
            close = difflib.get_close_matches(name, known, n=2)
            hint = f"did you mean {' or '.join(map(repr, close))}? " if close else ""
            raise al.ParameterError(f"{which} has no parameter {name!r}; {hint}"
                                    f"parameters: {', '.join(known) or 'none'}")
        out[name] = _value(text.strip())
    return out


def _value(text: str) -> Any:
    """A number or boolean when the text reads as one (JSON syntax), else the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (int, float, bool, list)) else text


# ------------------------------------------------------------------------------- advise
def _cmd_advise(args: argparse.Namespace) -> int:
    from actlab.viz.advice import advise
    from actlab.viz.text import advice_page

    comparison, source = _saved_comparison(args.results)
    advice = advise(args.layer, args.task, args.depth, comparison, source)
    if args.json:
        _print_json(advice.as_dict())
        return 0
    print(advice_page(advice, _terminal_width()))
    return 0


def _saved_comparison(path: str | None) -> tuple[dict | None, str | None]:
    """The comparison a report saved (``--results``, or the default report folder's)."""
    from actlab.viz.report.build import DEFAULT_DIR, COMPARISON_FILE
    from actlab.viz.report.contract import check_comparison

    file = Path(path) if path else Path(DEFAULT_DIR) / COMPARISON_FILE
    if not file.exists():
        if path:
            raise al.ParameterError(f"--results: no file {str(file)!r}")
        return None, None
    try:
        return check_comparison(json.loads(file.read_text(encoding="utf-8"))), str(file)
    except ValueError as exc:
        raise al.ParameterError(f"{file}: not a comparison results file ({exc})") from None


# ------------------------------------------------------------------------------- report
def _cmd_report(args: argparse.Namespace) -> int:
    from actlab.viz.report.build import build_report

    outcome = build_report(args.output, budget=args.budget, lab=not args.gallery_only,
                           from_results=args.from_results, progress=None, n_jobs=args.jobs)
    print("\n".join(outcome.summary))
    print(f"\nwrote {outcome.path}  ({outcome.path.stat().st_size / 1e6:.1f} MB, "
          f"{outcome.seconds:.0f} s). Open it in any browser; it works offline.")
    return 1 if outcome.failed else 0


# ------------------------------------------------------------------------------- forwarded
def _forward(command: str, argv: list[str]) -> int:
    module, function, extra, _ = FORWARDED[command]
    try:
        entry = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        if exc.name and not exc.name.startswith("actlab"):
            print(f"actlab {command}: needs the optional dependency {exc.name!r}; install it with: "
                  f"pip install 'actlab[{extra}]'", file=sys.stderr)
            return 2
        entry = None
    except AttributeError:
        entry = None
    if entry is None:
        print(f"actlab {command}: not available in this installation of actlab "
              f"(it needs {module}.{function}).", file=sys.stderr)
        return 2
    return int(entry(argv) or 0)


# ------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="actlab", description=__doc__,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"actlab {al.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=_Parser)
    parser._command_parsers = {}

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:] + ".")
        parser._command_parsers[name] = p
        return p

    p = command("list", "a table of all activations and their properties")
    families = sorted({i.family for i in al.catalog()})
    p.add_argument("--family", choices=families, metavar="FAMILY",
                   help=f"only this family: {', '.join(families)}")
    p.add_argument("--smoothness", choices=SMOOTHNESS, help="only this smoothness class")
    p.add_argument("--use", choices=USES, metavar="USE", help=f"only those meant for: {', '.join(USES)}")
    for flag, meaning in (("monotonic", "monotonic"), ("zero-centred", "zero-centred"),
                          ("bounded", "bounded above and below"), ("smooth", "infinitely differentiable (C∞)"),
                          ("saturating", "saturating on at least one side"),
                          ("elementwise", "elementwise (not vector-valued)")):
        p.add_argument(f"--{flag}", action=argparse.BooleanOptionalAction, default=None,
                       help=f"only those that are (--no-{flag}: are not) {meaning}")
    p.add_argument("--json", action="store_true", help="machine-readable output: a JSON list")
    p.set_defaults(func=_cmd_list)

    p = command("show", "one activation in full: formulas, parameters, properties, a plot")
    p.add_argument("name", help="activation name or alias (see `actlab list`)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="set a parameter (repeatable)")
    p.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"), help="x range of the plot")
    p.add_argument("--no-plot", action="store_true", help="leave out the character plot")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_show)

    p = command("plot", "a figure of activations side by side (PNG, SVG or PDF)")
    p.add_argument("names", nargs="+", metavar="NAME", help="activation names or aliases")
    p.add_argument("--derivative", action="store_true", help="draw the derivatives too (dashed)")
    p.add_argument("--range", nargs=2, type=float, metavar=("LOW", "HIGH"),
                   help="x range (default: one that shows every kink)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE",
                   help="set a parameter on every named activation that has it (repeatable)")
    p.add_argument("-o", "--output", default="activations.png",
                   help="file to write; the suffix picks the format (default: activations.png)")
    p.add_argument("--dpi", type=int, default=200, help="resolution of PNG output (default 200)")
    p.set_defaults(func=_cmd_plot)

    from actlab.viz.advice import LAYERS, TASKS

    p = command("advise", "which activation to use, from the texts' advice, the catalog and the lab")
    p.add_argument("--layer", choices=LAYERS, required=True)
    p.add_argument("--task", choices=TASKS, default="multiclass", help="default: multiclass")
    p.add_argument("--depth", type=int, default=2, help="number of hidden layers (default 2)")
    p.add_argument("--results", metavar="FILE",
                   help="comparison results to cite (default: the report folder's, if present)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_advise)

    from actlab.viz.report.build import DEFAULT_DIR

    p = command("report", "run a short comparison and the claims, and write the HTML report",
                "Run a short comparison on the bundled digits data and check the claims, then "
                "write one self-contained HTML file (works offline) with the gallery, the "
                "property table, the comparison and the claims.")
    p.add_argument("-o", "--output", default=DEFAULT_DIR,
                   help=f"folder for the report and its data (default: {DEFAULT_DIR})")
    p.add_argument("--budget", default="small",
                   help="the lab's budget: tiny (seconds), small (the default, minutes) or full "
                        "(more seeds, epochs and depths; much longer)")
    p.add_argument("--jobs", type=int, default=-1, help="parallel training runs (default: all cores)")
    p.add_argument("--gallery-only", action="store_true",
                   help="skip the comparison and the claims (seconds instead of minutes)")
    p.add_argument("--from-results", metavar="FOLDER",
                   help="redraw from the results a previous report saved, without running anything")
    p.set_defaults(func=_cmd_report)

    for name, (_, _, _, help_text) in FORWARDED.items():
        command(name, help_text, f"{help_text[0].upper()}{help_text[1:]}. "
                f"Run `actlab {name} --help` for its options.")
    return parser


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in FORWARDED:
            return _forward(argv[0], argv[1:])
        args = build_parser().parse_args(argv)
        return args.func(args)
    except al.ActlabError as exc:
        print(f"actlab: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # `actlab list | head`: the reader left; not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        print(f"actlab: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("actlab: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
