"""The command-line reference: each command's ``--help``, as the installed ``actlab`` prints it."""

from __future__ import annotations

import argparse
import contextlib
import io
import os

from actlab.cli import build_parser, main

from .pages import HEADER

WIDTH = "100"  # argparse wraps to $COLUMNS; fixed, so the page does not depend on the terminal


def help_text(argv: list[str]) -> str:
    out = io.StringIO()
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
            main([*argv, "--help"])
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return out.getvalue().rstrip()


def page() -> str:
    # argparse keeps the subcommands on its one subparsers action (a structure as old as argparse).
    [subcommands] = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    commands = list(subcommands.choices)
    out = [
        HEADER.format(source="cli.py", origin="`actlab COMMAND --help`"),
        "# Command line",
        "",
        "`actlab COMMAND --help` prints each of these. Unknown names and options get a "
        '"did you mean" and a non-zero exit.',
        "",
        "```text",
        help_text([]),
        "```",
        "",
    ]
    for name in commands:
        out += [f"## actlab {name}", "", "```text", help_text([name]), "```", ""]
    return "\n".join(out)
