"""``actlab compare`` when runs go wrong: figures JSON cannot hold, no epochs at all, every run
diverging, a run that raises, a damaged runs file. Each gives a defined result, not a traceback."""

from __future__ import annotations

import json

import pytest

from actlab.lab import compare
from actlab.lab.cli import compare_main

pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

TINY = ["--seeds", "1", "--epochs", "2", "--width", "8", "--jobs", "1", "--no-progress"]


def _strict(path):
    return json.loads(path.read_text(), parse_constant=lambda token: pytest.fail(f"{token} in {path}"))


def test_a_diverging_run_with_non_finite_figures_is_stored_and_the_rerun_trains_nothing(tmp_path, capsys):
    """The example: `actlab compare --dataset sine --optimizer rmsprop --lr 1000` crashed when
    storing a diverged run's infinite gradient norm, and again on every resume."""
    out = tmp_path / "out"
    args = [
        "--dataset",
        "sine",
        "--optimizer",
        "rmsprop",
        "--lr",
        "1000",
        "--activations",
        "relu",
        "tanh",
        *TINY,
        "--width",
        "64",
        "--out",
        str(out),
    ]  # 64 units, as the example: a gradient overflows
    assert compare_main(args) == 0, capsys.readouterr().err
    runs = (out / "runs.jsonl").read_text()
    assert '{"$float": "inf"}' in runs or '{"$float": "nan"}' in runs, "a non-finite figure, stored as such"
    result = _strict(out / "comparison.json")
    assert [r["activation"] for r in result["rows"]] and (out / "learning_curves.png").stat().st_size > 0
    assert compare_main(args) == 0
    assert (out / "runs.jsonl").read_text() == runs, "the resume found every run and trained none"
    assert _strict(out / "comparison.json") == result


@pytest.mark.parametrize(
    "options",
    [{"epochs": 0}, {"optimizer": {"name": "sgd", "lr": 1e30}}],
    ids=["zero-epochs", "every-run-diverges"],
)
def test_no_finished_epoch_gives_a_defined_comparison(tmp_path, options):
    """The example: `compare(epochs=0)`, or every run diverging in its first epoch, ended in
    KeyError: 'val_loss_mean' after the results were written. (The CLI refuses both values
    before any work: --epochs must be at least 1, --lr at most 1e6.)"""
    result = compare(
        ["relu"],
        **{"seeds": 1, "epochs": 2, "width": 8, "max_train": 100, **options},
        n_jobs=1,
        progress=False,
        results=tmp_path / "runs.jsonl",
    )
    assert result["curves"]["relu"]["epoch"] == []
    json.dumps(result, allow_nan=False)


def test_the_cli_refuses_values_that_cannot_train_before_any_work(tmp_path, capsys):
    for extra in (["--epochs", "0"], ["--lr", "1e30"]):
        with pytest.raises(SystemExit) as exit_:
            compare_main(["--activations", "relu", *TINY, *extra, "--out", str(tmp_path / "out")])
        assert exit_.value.code == 2 and extra[0] in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_an_activation_whose_runs_raise_is_reported_as_failed(tmp_path, capsys):
    """maxout with 3 pieces cannot follow a layer of 8 units: its runs fail, the others go on."""
    maxout = {"name": "maxout", "params": {"pieces": 3}}
    result = compare(
        ["relu", maxout],
        seeds=2,
        epochs=1,
        width=8,
        max_train=100,
        n_jobs=1,
        progress=False,
        results=tmp_path / "runs.jsonl",
    )
    rows = {r["activation"]: r for r in result["rows"]}
    assert rows["maxout(pieces=3)"]["failed"] == 2 and "failed" not in rows["relu"]
    assert rows["maxout(pieces=3)"]["metrics"]["test_accuracy"] == {"mean": None, "std": None}
    assert rows["relu"]["metrics"]["test_accuracy"]["mean"] > 0
    assert "2 of 6 cells failed" in capsys.readouterr().err  # 2 seeds × (2 activations + the baseline)
    json.dumps(result, allow_nan=False)


def test_a_damaged_runs_file_is_refused_then_repaired_with_repair(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["--activations", "relu", *TINY, "--out", str(out)]
    assert compare_main(args) == 0
    runs = out / "runs.jsonl"
    line = runs.read_text().splitlines()[0]
    runs.write_text(f'{line}\n{line}\n{{"cell": garbage\n')  # two runs' duplicates, a damaged line
    capsys.readouterr()
    assert compare_main(args) == 2
    err = capsys.readouterr().err
    assert "line 2 repeats a cell" in err and "line 3 is not valid JSON" in err and "--repair" in err
    assert compare_main([*args, "--repair"]) == 0
    assert "repaired" in capsys.readouterr().err
    assert len((out / "runs.jsonl.rejected").read_text().splitlines()) == 2
    assert compare_main(args) == 0
