"""The actlab command line: list, show, plot and advise on activations; compare them, check
the claims made about them, and write the report that shows it all.

Run `actlab COMMAND --help` for each command's options.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import math
import os
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable, Sequence

import actlab as al
from actlab.core.definition import SMOOTHNESS, USES

# Commands whose implementation lives in another part of actlab; they get the rest of the
# command line as it is. name -> (module, function, extra it needs, help)
FORWARDED = {
    "compare": (
        "actlab.lab.cli",
        "compare_main",
        "lab",
        "train one network with several activations over seeds and compare them",
    ),
    "claims": (
        "actlab.lab.cli",
        "claims_main",
        "lab",
        "check every claim and formula of the seed texts, with verdicts",
    ),
    "bench": ("actlab.bench", "main", "fast", "time the activations' kernels against NumPy baselines"),
}
DPI = (10, 1200)  # the resolutions `plot` accepts
START_HERE = """start here:
  actlab list              every activation and its properties
  actlab show gelu         one in full: formulas, parameters, a plot
  actlab report            the explainer, comparison and claims in one HTML page
  actlab COMMAND --help    each command's options"""


# ------------------------------------------------------------------------------- the grammar
class HelpFormatter(argparse.HelpFormatter):
    """Help wrapped at the terminal's width without ever splitting a word or an option name;
    paragraphs of a description are filled, indented lines (examples) kept as they are."""

    def __init__(self, prog: str, **kwargs):
        from actlab.lab.progress import terminal_width

        kwargs.setdefault("width", max(40, min(terminal_width(sys.stdout, 100), 100) - 2))
        super().__init__(prog, **kwargs)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False, break_long_words=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = []
        for block in text.strip("\n").split("\n\n"):
            if any(line.startswith(" ") for line in block.splitlines()):
                paragraphs.append(block)
            else:
                paragraphs.append(
                    textwrap.fill(
                        " ".join(block.split()),
                        width,
                        initial_indent=indent,
                        subsequent_indent=indent,
                        break_on_hyphens=False,
                        break_long_words=False,
                    )
                )
        return "\n\n".join(paragraphs)


class Parser(argparse.ArgumentParser):
    """argparse with the command line's shared grammar: "did you mean" on a mistyped command,
    choice or option; negative numbers in any notation as values (``--range -1e-3 1e-3``);
    help that never splits a word."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        # "-1e-3" is a number, not an option (argparse only knows -1 and -.5).
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-inf$")

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}{_suggestion(message, self)}\n")

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        # Unknown options are reported by the subcommand's parser, which knows its own options.
        ns, extras = self.parse_known_args(args, namespace)
        if extras:
            sub = getattr(self, "_command_parsers", {}).get(getattr(ns, "command", None), self)
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
    return did_you_mean(word, options)


def did_you_mean(word: str, options: Sequence[str]) -> str:
    """``; did you mean 'relu' or 'relu6'?`` for the options closest to ``word`` (else "")."""
    close = difflib.get_close_matches(word, list(options), n=3, cutoff=0.5)
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


def named_choice(
    what: str,
    options: Callable[[], Sequence[str]],
    *,
    extra: Callable[[str], bool] | None = None,
    more: str = "",
):
    """An argparse type that accepts one of ``options()`` (or what ``extra`` accepts, such as
    a file name) and otherwise names the closest ones (and all of them, when few; else ``more``
    says where to find them)."""

    def check(text: str) -> str:
        try:
            known = list(options())
        except ImportError:  # what knows the options is not installed: it will say so itself
            return text
        if text in known or (extra is not None and extra(text)):
            return text
        listing = f"known: {', '.join(known)}" if len(known) <= 12 else f"{len(known)} known{more}"
        raise argparse.ArgumentTypeError(f"unknown {what} {text!r}{did_you_mean(text, known)} ({listing})")

    check.__name__ = what
    return check


def _number(text: str, integer: bool = False) -> float | int:
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if integer else ''}number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def count(minimum: int = 1, what: str = "a count"):
    """An argparse type: an integer ≥ ``minimum``."""

    def check(text: str) -> int:
        value = _number(text, integer=True)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small: {what} must be at least {minimum}")
        return value

    check.__name__ = what
    return check


def jobs(text: str) -> int:
    """Parallel workers: a positive count, or −1 for every core (−2 all but one, as joblib)."""
    value = _number(text, integer=True)
    if value == 0:
        raise argparse.ArgumentTypeError(
            "0 workers cannot run anything: give a positive count, or -1 for all cores"
        )
    return value


def bounded(low: float, high: float, what: str, *, integer: bool = False, low_open: bool = False):
    """An argparse type: a finite number in [low, high] (in (low, high] with ``low_open``)."""

    def check(text: str):
        value = _number(text, integer)
        if not (value > low if low_open else value >= low) or value > high:
            bracket = "(" if low_open else "["
            raise argparse.ArgumentTypeError(
                f"{what} = {text} is out of range; expected a number in {bracket}{low:g}, {high:g}]"
            )
        return value

    check.__name__ = what
    return check


def finite(text: str) -> float:
    return _number(text)


def output_file(path: str, suffixes: Sequence[str] = ()) -> Path:
    """A file a command will write, checked before any work: its folder can be written and it
    is not a folder itself (and ends in one of ``suffixes``, when given)."""
    p = Path(path)
    if suffixes and p.suffix.lower() not in suffixes:
        raise al.ParameterError(f"cannot write {p.name!r}: the file name must end in {', '.join(suffixes)}")
    if p.is_dir():
        raise al.ParameterError(f"-o/--output: {path!r} is a folder; give a file name")
    folder = p.parent if str(p.parent) else Path(".")
    from actlab.viz.files import writable_folder

    writable_folder(folder, "-o/--output")
    return p


def fitted_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int, keep: int = 1
) -> list[str]:
    """A table that fits ``width`` columns: columns are left out from the right (never the
    first ``keep``) until it does, and a last line says which and how to see them."""
    from actlab.viz.terminal import table

    shown = len(headers)
    lines = table(headers, rows, max_width=10**6).splitlines()
    while shown > keep and max(map(len, lines)) > width:
        shown -= 1
        lines = table(headers[:shown], [r[:shown] for r in rows], max_width=10**6).splitlines()
    if shown < len(headers):
        lines += textwrap.wrap(
            f"({', '.join(headers[shown:])} left out to fit {width} columns; widen "
            "the terminal, set COLUMNS, or use --json)",
            width - 1,
        )
    return lines


# ------------------------------------------------------------------------------- list
def _cmd_list(args: argparse.Namespace) -> int:
    from actlab.viz.properties import COLUMNS, cell_text, property_row

    infos = [i for i in al.catalog() if _matches(i, args)]
    if args.json:
        _print_json([i.as_dict() for i in infos])
        return 0
    if not infos:
        print("no activation has all of these properties", file=sys.stderr)
        return 1
    keys = [k for k, _ in COLUMNS if k not in ("uses", "init")]
    headings = dict(COLUMNS)
    rows = [[cell_text(property_row(i)[k]) for k in keys] for i in infos]
    print("\n".join(fitted_table([headings[k] for k in keys], rows, _terminal_width())))
    print(f"\n{len(infos)} of {len(al.names())} activations. `actlab show NAME` for one in full.")
    return 0


def _matches(info: al.Info, args: argparse.Namespace) -> bool:
    flags = {
        "monotonic": info.monotonic,
        "zero_centred": info.zero_centred,
        "bounded": info.bounded_below and info.bounded_above,
        "smooth": info.smoothness == "C∞",
        "saturating": bool(info.saturates),
        "elementwise": info.elementwise,
    }
    return (
        (args.family is None or info.family == args.family)
        and (args.smoothness is None or info.smoothness == args.smoothness)
        and (args.use is None or args.use in info.uses)
        and all(getattr(args, k) is None or getattr(args, k) == v for k, v in flags.items())
    )


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
    from actlab.viz.figures import FORMATS, activation_figure, save_figure

    path = output_file(args.output, tuple("." + f for f in FORMATS))  # before drawing anything
    defs = [al.lookup(n) for n in args.names]
    params = _params(args.param, defs)
    acts = [al.get(d, **{k: v for k, v in params.items() if k in d.param_names}) for d in defs]
    fig = activation_figure(
        acts, derivative=args.derivative, x_range=_checked_range(args.range) if args.range else None
    )
    path = save_figure(fig, path, dpi=args.dpi)
    w, h = fig.get_size_inches()
    size = (
        f"{round(w * args.dpi)}×{round(h * args.dpi)} px at {args.dpi} dpi"
        if path.suffix.lower() == ".png"
        else f"{w:g}×{h:g} in"
    )
    print(f"wrote {path} ({', '.join(a.name for a in acts)}; {size})")
    return 0


def _checked_range(r: Sequence[float]) -> tuple[float, float]:
    lo, hi = r
    if not lo < hi:
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
            hint = did_you_mean(name, known).lstrip("; ")
            raise al.ParameterError(
                f"{which} has no parameter {name!r}; {hint + ' ' if hint else ''}"
                f"parameters: {', '.join(known) or 'none'}"
            )
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

    comparison = _saved_comparison(args.results) if args.results else None
    advice = advise(args.layer, args.task, args.depth, comparison, args.results)
    if args.json:
        _print_json(advice.as_dict())
        return 0
    print(advice_page(advice, _terminal_width()))
    return 0


def _saved_comparison(path: str) -> dict:
    """The comparison results in the file named by ``--results`` (nothing is read implicitly)."""
    from actlab.viz.report.contract import check_comparison

    file = Path(path)
    if not file.is_file():
        raise al.ParameterError(f"--results: no file {path!r}")
    try:
        return check_comparison(json.loads(file.read_text(encoding="utf-8")))
    except ValueError as exc:
        raise al.ParameterError(f"{file}: not a comparison results file ({exc})") from None


# ------------------------------------------------------------------------------- report
def _cmd_report(args: argparse.Namespace) -> int:
    from actlab.viz.report.build import build_report

    outcome = build_report(
        args.output,
        budget=args.budget,
        lab=not args.gallery_only,
        from_results=args.from_results,
        progress=False if args.no_progress else None,
        n_jobs=args.jobs,
        width=_terminal_width(),
    )
    print("\n".join(outcome.summary))
    print(
        f"\nwrote {outcome.path}\n({outcome.path.stat().st_size / 1e6:.1f} MB, {outcome.seconds:.0f} s); "
        "open it in any browser, it works offline."
    )
    return 1 if outcome.failed else 0


def _budgets() -> list[str]:
    from actlab.lab.claims.core import BUDGETS

    return list(BUDGETS)


# ------------------------------------------------------------------------------- forwarded
def _forward(command: str, argv: list[str]) -> int:
    module, function, extra, _ = FORWARDED[command]
    try:
        entry = getattr(importlib.import_module(module), function)
    except ImportError as exc:
        if exc.name and not exc.name.startswith("actlab"):
            print(
                f"actlab {command}: needs the optional dependency {exc.name!r}; install it with: "
                f"pip install 'actlab[{extra}]'",
                file=sys.stderr,
            )
            return 2
        entry = None
    except AttributeError:
        entry = None
    if entry is None:
        print(
            f"actlab {command}: not available in this installation of actlab (it needs {module}.{function}).",
            file=sys.stderr,
        )
        return 2
    return int(entry(argv) or 0)


# ------------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="actlab", description=__doc__, epilog=START_HERE)
    parser.add_argument("--version", action="version", version=f"actlab {al.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parser._command_parsers = {}

    def command(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help[0].upper() + help[1:] + ".")
        parser._command_parsers[name] = p
        return p

    def json_flag(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print machine-readable JSON instead of text")

    p = command("list", "a table of all activations and their properties")
    families = sorted({i.family for i in al.catalog()})
    p.add_argument(
        "--family", choices=families, metavar="FAMILY", help=f"only this family: {', '.join(families)}"
    )
    p.add_argument("--smoothness", choices=SMOOTHNESS, help="only this smoothness class")
    p.add_argument("--use", choices=USES, metavar="USE", help=f"only those meant for: {', '.join(USES)}")
    for flag, meaning in (
        ("monotonic", "monotonic"),
        ("zero-centred", "zero-centred"),
        ("bounded", "bounded above and below"),
        ("smooth", "infinitely differentiable (C∞)"),
        ("saturating", "saturating on at least one side"),
        ("elementwise", "elementwise (not vector-valued)"),
    ):
        p.add_argument(
            f"--{flag}",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=f"only those that are (--no-{flag}: are not) {meaning}",
        )
    json_flag(p)
    p.set_defaults(func=_cmd_list)

    p = command("show", "one activation in full: formulas, parameters, properties, a plot")
    p.add_argument("name", help="activation name or alias (see `actlab list`)")
    p.add_argument("--param", action="append", metavar="NAME=VALUE", help="set a parameter (repeatable)")
    p.add_argument("--range", nargs=2, type=finite, metavar=("LOW", "HIGH"), help="x range of the plot")
    p.add_argument("--no-plot", action="store_true", help="leave out the character plot")
    json_flag(p)
    p.set_defaults(func=_cmd_show)

    p = command("plot", "a figure of activations side by side (PNG, SVG or PDF)")
    p.add_argument("names", nargs="+", metavar="NAME", help="activation names or aliases")
    p.add_argument("--derivative", action="store_true", help="draw the derivatives too (dashed)")
    p.add_argument(
        "--range",
        nargs=2,
        type=finite,
        metavar=("LOW", "HIGH"),
        help="x range (default: one that shows every kink)",
    )
    p.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help="set a parameter on every named activation that has it (repeatable)",
    )
    p.add_argument(
        "-o",
        "--output",
        default="activations.png",
        help="file to write; the suffix picks the format (default: activations.png)",
    )
    p.add_argument(
        "--dpi",
        type=bounded(*DPI, "--dpi", integer=True),
        default=200,
        help=f"resolution of PNG output, {DPI[0]} to {DPI[1]} (default 200)",
    )
    p.set_defaults(func=_cmd_plot)

    from actlab.viz.advice import LAYERS, TASKS

    p = command("advise", "which activation to use, from the texts' advice, the catalog and the lab")
    p.add_argument("--layer", choices=LAYERS, required=True)
    p.add_argument("--task", choices=TASKS, default="multiclass", help="default: multiclass")
    p.add_argument("--depth", type=count(1, "--depth"), default=2, help="number of hidden layers (default 2)")
    p.add_argument(
        "--results",
        metavar="FILE",
        help="comparison results to cite, such as a report's comparison.json (without "
        "it, advise reads no file)",
    )
    json_flag(p)
    p.set_defaults(func=_cmd_advise)

    from actlab.viz.report.build import DEFAULT_DIR

    p = command(
        "report",
        "write the HTML report: explainer, gallery, comparison and claims",
        "Train the explainer's small networks, run a short comparison on the bundled digits "
        "data and check the claims, then write one self-contained HTML file (works "
        "offline): why activations matter, every activation live, the comparison and the "
        "claims.",
    )
    p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_DIR,
        help=f"folder for the report and its data (default: {DEFAULT_DIR})",
    )
    # Checked when given (importing the lab only then): tiny, small or full.
    p.add_argument(
        "--budget",
        default="small",
        type=named_choice("budget", _budgets),
        help="the lab's budget: tiny (seconds), small (the default, minutes) or full "
        "(more seeds, epochs and depths; much longer)",
    )
    p.add_argument("--jobs", type=jobs, default=-1, help="parallel training runs (default: -1, all cores)")
    p.add_argument(
        "--gallery-only",
        action="store_true",
        help="only the curves, the gallery and the properties (seconds instead of minutes)",
    )
    p.add_argument(
        "--from-results",
        metavar="FOLDER",
        help="redraw from the results a previous report saved, without running anything",
    )
    p.add_argument("--no-progress", action="store_true", help="print no progress")
    p.set_defaults(func=_cmd_report)

    for name, (_, _, _, help_text) in FORWARDED.items():
        command(
            name,
            help_text,
            f"{help_text[0].upper()}{help_text[1:]}. Run `actlab {name} --help` for its options.",
        )
    return parser


def _terminal_width() -> int:
    from actlab.lab.progress import terminal_width

    return terminal_width(sys.stdout, 100)


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in FORWARDED:
            return _forward(argv[0], argv[1:])
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:  # bare `actlab`: the overview, not an error
            parser.print_help()
            return 0
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
