"""The command line, through its real entry point: exit codes, output, errors, JSON."""

from __future__ import annotations

import argparse
import json
import math
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import actlab as al
from actlab.cli import FORWARDED, build_parser, main

COMMANDS = sorted(build_parser()._command_parsers)
OWN_COMMANDS = [c for c in COMMANDS if c not in FORWARDED]


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path_factory, monkeypatch):
    """Every test runs in an empty folder of its own: nothing a user (or another command) left in
    the working directory can change what a command does."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv("COLUMNS", "100")


def run(*args: str, cwd=None, columns: int = 100) -> subprocess.CompletedProcess:
    """``python -m actlab.cli ARGS`` in a fresh process, as a user's shell would run it (in the
    test's own empty folder unless ``cwd`` says otherwise)."""
    import os

    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, "-m", "actlab.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env=env,
    )


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    return struct.unpack(">II", data[16:24])


# ------------------------------------------------------------------------- help and errors
@pytest.mark.parametrize("command", OWN_COMMANDS)
def test_every_command_has_help(command):
    r = run(command, "--help")
    assert r.returncode == 0, r.stderr
    assert f"actlab {command}" in r.stdout and "usage" in r.stdout


def test_top_level_help_lists_every_command():
    r = run("--help")
    assert r.returncode == 0
    for command in COMMANDS:
        assert command in r.stdout


def typo(word: str) -> str:
    """The word with its middle letter doubled: a slip of the finger."""
    mid = len(word) // 2
    return word[:mid] + word[mid] + word[mid:]


NAME = max(al.names(), key=len)  # the longest name has no near neighbour to be confused with
# An activation with a real parameter bounded below, and that parameter.
BOUNDED = next(
    (d, p)
    for d in al.definitions()
    for p in d.params
    if p.choices is None and not p.integer and p.low > -math.inf
)


@pytest.mark.parametrize(
    "args, expected",
    [
        (["lst"], "did you mean 'list'"),
        (["list", "--famly", "x"], "did you mean '--family'"),
        (["list", "--family", typo(al.catalog()[0].family)], f"did you mean '{al.catalog()[0].family}'"),
        (["show", typo(NAME)], f"did you mean '{NAME}'"),
        (["plot", al.names()[0], typo(NAME)], f"did you mean '{NAME}'"),
        (["advise", "--layer", "hiden"], "did you mean 'hidden'"),
    ],
)
def test_mistakes_get_did_you_mean_and_no_traceback(args, expected):
    r = run(*args)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr + r.stdout


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["show", BOUNDED[0].name, "--param", f"{BOUNDED[1].name}={BOUNDED[1].low - 1:g}"],
            f"'{BOUNDED[1].name}' = {BOUNDED[1].low - 1:g}",
        ),
        (
            ["show", BOUNDED[0].name, "--param", f"{typo(BOUNDED[1].name)}=1"],
            f"did you mean '{BOUNDED[1].name}'",
        ),
        (["show", BOUNDED[0].name, "--param", BOUNDED[1].name], "NAME=VALUE"),
        (["plot", NAME, "--range", "3", "1"], "low then high"),
    ],
)
def test_bad_values_are_named_with_what_is_allowed(args, expected, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err and err.startswith("actlab: error:")


def call(*args: str) -> tuple[int, str, str]:
    """``main(args)`` in this process (faster than a subprocess): exit code, stdout, stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refuses a value
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_bad_output_suffix(tmp_path, capsys):
    assert main(["plot", NAME, "-o", str(tmp_path / "f.gif")]) == 2
    assert ".png, .svg, .pdf" in capsys.readouterr().err
    assert not (tmp_path / "f.gif").exists()


def test_a_closed_pipe_is_not_an_error():
    proc = subprocess.Popen(
        [sys.executable, "-m", "actlab.cli", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.readline()
    proc.stdout.close()  # like `actlab list | head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    proc.stderr.close()
    assert "Traceback" not in err and "Error" not in err


# ------------------------------------------------------------------------- list
def test_list_shows_every_activation():
    r = run("list")
    assert r.returncode == 0
    first_words = {line.split()[0] for line in r.stdout.splitlines() if line.strip()}
    assert set(al.names()) <= first_words
    assert f"{len(al.names())} of {len(al.names())} activations" in r.stdout


def test_list_json_is_the_catalog():
    r = run("list", "--json")
    assert r.returncode == 0
    rows = json.loads(r.stdout)
    assert [row["name"] for row in rows] == al.names()
    assert rows == [json.loads(json.dumps(i.as_dict())) for i in al.catalog()]


@pytest.mark.parametrize(
    "flag, keep",
    [
        ("--monotonic", lambda i: i.monotonic),
        ("--no-monotonic", lambda i: not i.monotonic),
        ("--zero-centred", lambda i: i.zero_centred),
        ("--smooth", lambda i: i.smoothness == "C∞"),
        ("--no-saturating", lambda i: not i.saturates),
        ("--bounded", lambda i: i.bounded_below and i.bounded_above),
        ("--no-elementwise", lambda i: not i.elementwise),
    ],
)
def test_list_filters_select_by_metadata(flag, keep, capsys):
    assert main(["list", flag, "--json"]) == 0
    got = [row["name"] for row in json.loads(capsys.readouterr().out)]
    assert got == [i.name for i in al.catalog() if keep(i)]
    assert 0 < len(got) < len(al.names())  # each filter splits the catalog


@pytest.mark.parametrize("family", sorted({i.family for i in al.catalog()}))
def test_list_by_family(family, capsys):
    assert main(["list", "--family", family, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got and {row["family"] for row in got} == {family}
    assert len(got) == sum(i.family == family for i in al.catalog())


def test_list_with_no_match_says_so(capsys):
    family = next(
        f
        for f in sorted({i.family for i in al.catalog()})
        if all(i.elementwise for i in al.catalog() if i.family == f)
    )
    assert main(["list", "--family", family, "--no-elementwise"]) == 1
    assert "no activation" in capsys.readouterr().err


# ------------------------------------------------------------------------- show
@pytest.mark.parametrize("name", al.names())
def test_show_every_activation(name, capsys):
    from actlab.viz.maths import unicode

    assert main(["show", name]) == 0
    out = capsys.readouterr().out
    info = al.get(name).info
    assert out.startswith(name)
    flat = " ".join(out.split())  # the formula may wrap
    for text in (unicode(info.latex), unicode(info.latex_derivative), str(info.reference.year), info.init):
        assert " ".join(text.split()) in flat
    assert "\\" not in out, "no LaTeX source in the terminal"
    plot = out.split("\n\n")[-1]
    assert plot.count("*") > 20, "the character plot should draw the curve"


def test_show_alias_and_parameters_json():
    d, p = next(
        (d, p) for d in al.definitions() if d.aliases for p in d.params if p.choices is None and not p.integer
    )
    value = float(p.default) + 0.5
    r = run("show", d.aliases[0], "--param", f"{p.name}={value}", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["name"] == d.name
    assert data["config"]["params"][p.name] == value
    assert {q["name"]: q["value"] for q in data["parameters"]}[p.name] == value


def test_show_choice_parameter(capsys):
    choice = next(p for d in al.definitions() for p in d.params if p.choices)
    owner = next(d for d in al.definitions() if choice in d.params)
    other = next(c for c in choice.choices if c != choice.default)
    assert main(["show", owner.name, "--param", f"{choice.name}={other}", "--no-plot"]) == 0
    assert f"{choice.name} = {other!r}" in capsys.readouterr().out


# ------------------------------------------------------------------------- plot
def test_plot_png_has_the_size_asked_for(tmp_path):
    out = tmp_path / "two.png"
    r = run("plot", *al.names()[:2], "--derivative", "-o", str(out), "--dpi", "100")
    assert r.returncode == 0, r.stderr
    assert str(out) in r.stdout
    assert png_size(out) == (2 * 320, 260)  # two 3.2 × 2.6 inch panels at 100 dpi
    assert out.stat().st_size > 10_000


def test_plot_svg_wraps_after_four_panels(tmp_path):
    out = tmp_path / "five.svg"
    names = al.names()[:5]
    assert main(["plot", *names, "-o", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert (width, height) == pytest.approx((4 * 3.2 * 72, 2 * 2.6 * 72))


def test_plot_param_applies_to_those_that_have_it(tmp_path, capsys):
    owner = next(d for d in al.definitions() if any(not p.integer and p.choices is None for p in d.params))
    other = next(d for d in al.definitions() if not d.params)
    p = next(p for p in owner.params if not p.integer and p.choices is None)
    assert (
        main(
            [
                "plot",
                owner.name,
                other.name,
                "--param",
                f"{p.name}={p.default}",
                "-o",
                str(tmp_path / "p.png"),
            ]
        )
        == 0
    )
    assert (tmp_path / "p.png").stat().st_size > 0


# ------------------------------------------------------------------------- advise
@pytest.mark.parametrize("task", ["binary", "multiclass", "multilabel", "regression"])
def test_advise_output_layer_follows_uses(task, capsys):
    assert main(["advise", "--layer", "output", "--task", task, "--json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    listed = [c["name"] for c in advice["candidates"] + advice["set_aside"]]
    assert sorted(listed) == sorted(i.name for i in al.catalog() if f"{task} output" in i.uses)
    assert advice["recommendation"].startswith(f"Start with {advice['candidates'][0]['name']}")
    for c in advice["set_aside"]:
        assert (
            not al.get(c["name"]).definition.differentiable
            or al.get(c["name"]).info.smoothness == "discontinuous"
        )


def test_advise_text_cites_the_seeds_by_title(capsys):
    assert main(["advise", "--layer", "hidden", "--depth", "6"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Advice in Practice" in out and "“Activation Functions” (lecture notes, text 000)" in out
    assert "_d14a610ce6b66109.txt" not in out
    assert "No lab evidence yet" in out


def test_advise_reads_no_file_it_is_not_given(tmp_path, capsys):
    # What `actlab report` leaves in the working directory is not read implicitly.
    (tmp_path / "actlab-report").mkdir()
    (tmp_path / "actlab-report" / "comparison.json").write_text("not even JSON")
    r = run("advise", "--layer", "hidden", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "No lab evidence yet" in r.stdout


@pytest.mark.parametrize(
    "other_accuracy, verdict", [(0.95, "further ahead than the seeds' spread"), (0.905, "not told apart")]
)
def test_advise_cites_lab_results(tmp_path, capsys, other_accuracy, verdict):
    from actlab.viz.advice import advise

    first, other = [c.name for c in advise("hidden", "multiclass").candidates[:2]]
    accuracy = {first: 0.90, other: other_accuracy}
    comparison = {
        "dataset": "digits",
        "architecture": "64-32",
        "seeds": [0, 1],
        "curves": {},
        "per_layer": {},
        "rows": [
            {
                "activation": n,
                "metrics": {
                    "test_accuracy": {"mean": a, "std": 0.01},
                    "dead_fraction": {"mean": 0.1, "std": 0.0},
                },
            }
            for n, a in accuracy.items()
        ],
    }
    path = tmp_path / "comparison.json"
    path.write_text(json.dumps(comparison))
    assert main(["advise", "--layer", "hidden", "--results", str(path), "--json"]) == 0
    advice = json.loads(capsys.readouterr().out)
    assert f"{other} had the best test accuracy" in advice["recommendation"]
    assert verdict in advice["recommendation"]
    assert advice["evidence_source"] == str(path)
    assert advice["candidates"][0]["evidence"]["test_accuracy"]["mean"] == 0.90
    assert main(["advise", "--layer", "hidden", "--results", str(path)]) == 0
    assert "[lab: accuracy 90.0 ± 1.0 %, dead 10 %]" in " ".join(capsys.readouterr().out.split())


def test_advise_rejects_a_file_that_is_not_results(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"rows": 3}')
    assert main(["advise", "--layer", "hidden", "--results", str(bad)]) == 2
    assert "not a comparison results file" in capsys.readouterr().err


# ------------------------------------------------------------------------- one grammar
def test_bare_actlab_prints_the_overview():
    r = run()
    assert r.returncode == 0 and r.stderr == ""
    for command in COMMANDS:
        assert command in r.stdout
    assert "start here" in r.stdout


def test_negative_numbers_in_any_notation_are_values():
    code, out, err = call("show", "relu", "--range", "-1e-3", "1e-3")
    assert code == 0, err
    assert "-0.001" in out and "0.001" in out


@pytest.mark.parametrize(
    "args, expected",
    [
        (["plot", "relu", "--dpi", "0"], "--dpi = 0 is out of range; expected a number in [10, 1200]"),
        (["plot", "relu", "--dpi", "100000"], "out of range"),
        (["compare", "--jobs", "0"], "0 workers cannot run anything"),
        (["compare", "--epochs", "0"], "must be at least 1"),
        (["compare", "--lr", "nan"], "nan is not a finite number"),
        (["compare", "--lr", "-1"], "--lr = -1 is out of range; expected a number in (0, 1e+06]"),
        (["compare", "--scheduler", "not an address"], "not a scheduler address"),
        (["compare", "--dataset", "moon"], "did you mean 'moons'"),
        (["compare", "--optimizer", "adm"], "did you mean 'adam'"),
        (["report", "--budget", "smal"], "did you mean 'small'"),
        (["report", "--jobs", "0"], "0 workers"),
        (["advise", "--layer", "hidden", "--depth", "0"], "--depth must be at least 1"),
        (["claims", "--budget", "tinny"], "did you mean 'tiny'"),
        (["claims", "--only", "relu-dis"], "did you mean 'relu-dies'"),
    ],
)
def test_bad_values_are_refused_before_any_work(args, expected):
    code, out, err = call(*args)
    assert code == 2, out
    assert expected in err
    assert "Traceback" not in err + out


def test_claims_can_be_listed(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, _ = call("claims", "--list")
    assert code == 0
    from actlab.lab.claims import CLAIMS

    for c in CLAIMS:
        assert c.id in out
    assert all(len(line) <= 80 for line in out.splitlines())


def _options(command: str) -> dict[str, argparse.Action]:
    if command in FORWARDED and command != "bench":
        from actlab.lab import cli as lab_cli

        parser = {"compare": lab_cli._compare_parser, "claims": lab_cli._claims_parser}[command]()
    else:
        parser = build_parser()._command_parsers[command]
    return {s: a for a in parser._actions for s in a.option_strings}


@pytest.mark.parametrize("command", ["plot", "report", "compare", "claims"])
def test_what_a_command_writes_is_named_by_o_output(command):
    options = _options(command)
    assert options["-o"] is options["--output"] and "--out" not in options


@pytest.mark.parametrize("command", ["list", "show", "advise", "compare", "claims"])
def test_json_means_print_json(command):
    action = _options(command)["--json"]
    assert isinstance(action, argparse._StoreTrueAction)


@pytest.mark.parametrize("command", ["report", "compare", "claims"])
def test_shared_options_have_shared_names(command):
    options = _options(command)
    assert {"--jobs", "--no-progress"} <= set(options)


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["list"],
        ["list", "--help"],
        ["show", "gelu"],
        ["show", "rrelu"],
        ["advise", "--layer", "hidden"],
        ["report", "--help"],
        ["compare", "--help"],
        ["claims", "--help"],
        ["plot", "--help"],
    ],
)
def test_everything_fits_80_columns(args, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = call(*args)
    assert code == 0, err
    long = [line for line in out.splitlines() if len(line) > 80]
    assert not long, long
    # argparse's wrapping must not split a word or an option name across lines.
    assert not re.search(r"\w-\n\s+\w", out)


def test_a_table_too_wide_says_how_to_widen_it(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = call("list")[1]
    assert all(len(line) <= 60 for line in out.splitlines())
    assert "left out to fit 60 columns" in " ".join(out.split()) and "--json" in out
    monkeypatch.setenv("COLUMNS", "200")
    wide = call("list")[1]
    assert "left out" not in wide and "year" in wide.splitlines()[0]


@pytest.mark.parametrize(
    "args",
    [
        ["report", "-o", "{file}"],
        ["compare", "-o", "{file}"],
        ["claims", "-o", "{folder}"],
        ["plot", "relu", "-o", "{folder}/x/y.gif"],
    ],
)
def test_output_paths_are_checked_before_any_work(tmp_path, args):
    (tmp_path / "file").write_text("a user's file")
    filled = [a.format(file=tmp_path / "file", folder=tmp_path) for a in args]
    r = run(*filled)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert (tmp_path / "file").read_text() == "a user's file"
    assert "comparing" not in r.stderr and "lessons" not in r.stderr


# ------------------------------------------------------------------------- report and the lab
def test_report_gallery_only(tmp_path):
    r = run("report", "--gallery-only", "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert all(f'data-activation="{n}"' in page for n in al.names())
    assert "wrote" in r.stdout and "report.html" in r.stdout
    assert "comparison: not run" in r.stdout
    assert "x·Φ(x)" in page or "Φ" in page


@pytest.mark.parametrize("command", sorted(FORWARDED))
def test_forwarded_commands_run_or_say_why_not(command):
    r = run(command, "--help")
    assert "Traceback" not in r.stderr
    if r.returncode != 0:
        assert r.returncode == 2
        assert f"actlab {command}:" in r.stderr and ("not available" in r.stderr or "pip install" in r.stderr)
    else:
        assert "usage" in r.stdout.lower()
