"""Sweeps under faults: kills at random moments and in the middle of a line, two sweeps on one
file, a full disk, damaged and foreign files, failing cells and figures JSON cannot hold."""

from __future__ import annotations

import errno
import json
import math
import os
import random
import signal
import subprocess
import time

import pytest

from actlab.lab.results import ResultsFileError, ResultStore, cell_key
from actlab.lab.sweep import SweepError, grid, run_sweep

pytest.importorskip("joblib")

SWEEP = """
import json, sys, time
from actlab.lab.sweep import grid, run_sweep

def task(cell):
    time.sleep(float(sys.argv[2]))
    return {"square": cell["i"] ** 2}

if __name__ == "__main__":
    run_sweep(task, grid(i=range(int(sys.argv[3]))), results=sys.argv[1], n_jobs=1, progress=False)
"""


def _records(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _check_complete(path, n: int) -> None:
    records = _records(path)
    assert sorted(r["cell"]["i"] for r in records) == list(range(n)), "each cell exactly once"
    assert all(r["result"]["square"] == r["cell"]["i"] ** 2 for r in records)


# ----------------------------------------------------------------------------- foreign files
@pytest.mark.parametrize(
    "content",
    [
        b'{"learning_rate": 0.1, "layers": [64, 64]}',
        b'{"learning_rate": 0.1}\n',
        b"[1, 2, 3]\n",
        b"name,value\nalpha,1\n",
        b"\x89PNG\r\n\x1a\n\x00\x00binary",
    ],
)
@pytest.mark.parametrize("repair", [False, True])
def test_a_file_that_is_not_a_results_file_is_refused_and_left_as_it_was(tmp_path, content, repair):
    """The example: run_sweep(..., results="config.json") cut a user's config to its last
    newline before finding out that it was not a results file."""
    config = tmp_path / "config.json"
    config.write_bytes(content)
    before = config.stat()
    with pytest.raises(ResultsFileError, match="config.json is not a results file.*untouched"):
        run_sweep(dict, grid(i=range(3)), results=config, n_jobs=1, progress=False, repair=repair)
    assert config.read_bytes() == content
    assert config.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "directory"])
def test_a_results_path_that_is_not_a_regular_file_is_refused(tmp_path, kind):
    path = tmp_path / "runs.jsonl"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        os.symlink("/dev/zero", path)
    else:
        path.mkdir()
    with pytest.raises(ResultsFileError, match="runs.jsonl"):
        run_sweep(dict, grid(i=range(2)), results=path, n_jobs=1, progress=False)


# ----------------------------------------------------------------------------- kills
def test_a_sweep_killed_at_random_moments_loses_and_repeats_nothing(script, tmp_path):
    run = script(SWEEP)
    results = tmp_path / "runs.jsonl"
    rng = random.Random(7)
    for _ in range(8):
        proc = run.start(results, 0.005, 60)
        time.sleep(rng.uniform(0.5, 1.5))  # imports take most of the first half second
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with ResultStore(results):  # after every kill: a valid results file
            pass
    assert run.run(results, 0.0, 60).returncode == 0
    _check_complete(results, 60)


class _Killed(BaseException):
    """Stands for a SIGKILL: nothing after it runs (no except clause catches it)."""


def test_a_kill_in_the_middle_of_a_line_costs_only_that_cell(tmp_path, monkeypatch):
    results = tmp_path / "runs.jsonl"
    cells = grid(i=range(6))
    real_write, writes = os.write, []

    def write_half_of_the_third(fd, data):
        writes.append(len(data))
        if len(writes) == 3:
            real_write(fd, bytes(data)[: len(data) // 2])
            raise _Killed
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write_half_of_the_third)
    with pytest.raises(_Killed):
        run_sweep(dict, cells, results=results, n_jobs=1, progress=False)
    monkeypatch.setattr(os, "write", real_write)
    assert not results.read_bytes().endswith(b"\n")
    calls = []
    assert (
        run_sweep(lambda c: calls.append(c) or dict(c), cells, results=results, n_jobs=1, progress=False)
        == cells
    )
    assert calls == cells[2:], "the two saved cells are kept, the cut one runs again"


# ----------------------------------------------------------------------------- two sweeps
RACE = """
import sys, time
from pathlib import Path
from actlab.lab.results import ResultsFileError
from actlab.lab.sweep import grid, run_sweep

def task(cell):
    time.sleep(0.02)
    return {"square": cell["i"] ** 2}

if __name__ == "__main__":
    start = Path(sys.argv[2])
    while not start.exists():   # both processes begin together
        time.sleep(0.005)
    try:
        run_sweep(task, grid(i=range(30)), results=sys.argv[1], n_jobs=1, progress=False)
    except ResultsFileError as exc:
        print(exc)
        sys.exit(3)
"""


def test_two_sweeps_on_one_file_at_once_never_write_a_cell_twice(script, tmp_path):
    """The example: two sweeps on one file both ran every cell and wrote duplicates, after which
    every resume refused the file. Now the second finds the file locked and says so."""
    run = script(RACE)
    results, start = tmp_path / "runs.jsonl", tmp_path / "go"
    procs = [run.start(results, start, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    time.sleep(1.0)
    start.touch()
    outcomes = sorted((p.wait(timeout=120), p.stdout.read()) for p in procs)
    assert [code for code, _ in outcomes] == [0, 3]
    assert "in use by another sweep" in outcomes[1][1]
    _check_complete(results, 30)
    assert run_sweep(
        lambda c: pytest.fail("nothing is left to run"),
        grid(i=range(30)),
        results=results,
        n_jobs=1,
        progress=False,
    )[0] == {"square": 0}


def test_a_second_store_in_the_same_process_is_refused_too(tmp_path):
    path = tmp_path / "runs.jsonl"
    with ResultStore(path):
        with pytest.raises(ResultsFileError, match="in use"):
            ResultStore(path)
    with ResultStore(path):  # released at the end of the block
        pass


def test_repeated_cells_and_a_damaged_line_have_a_repair_path(tmp_path):
    """What two unlocked sweeps left (every cell twice), and a line damaged in the middle."""
    path = tmp_path / "runs.jsonl"
    cells = grid(i=range(4))
    lines = [json.dumps({"cell": c, "result": {"run": run}}, sort_keys=True) for run in (1, 2) for c in cells]
    lines.insert(3, '{"cell": {"i": 9}, "result": {"ru')  # a damaged line, then more records
    path.write_text("\n".join(lines) + "\n")
    before = path.read_bytes()
    with pytest.raises(ResultsFileError, match=r"line 4 is not valid JSON.*; line 6 repeats a cell.*repair"):
        run_sweep(dict, cells, results=path, n_jobs=1, progress=False)
    assert path.read_bytes() == before, "refused, and untouched"
    results = run_sweep(
        lambda c: pytest.fail("every cell is recorded"),
        cells,
        results=path,
        n_jobs=1,
        progress=False,
        repair=True,
    )
    assert results == [{"run": 1}] * 4, "the first record of each cell is kept"
    rejected = (tmp_path / "runs.jsonl.rejected").read_text().splitlines()
    assert len(rejected) == 5 and rejected[0].startswith('{"cell": {"i": 9}')
    assert len(_records(path)) == 4
    run_sweep(dict, cells, results=path, n_jobs=1, progress=False)  # and it resumes normally since


# ----------------------------------------------------------------------------- a full disk
def test_a_full_disk_while_saving_a_cell_keeps_every_saved_cell(tmp_path, monkeypatch):
    path = tmp_path / "runs.jsonl"
    cells = grid(i=range(6))
    real_write, writes = os.write, []

    def disk_full_at_the_fourth(fd, data):
        writes.append(fd)
        if len(writes) >= 4:
            real_write(fd, bytes(data)[:7])  # part of the line made it, then the disk was full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", disk_full_at_the_fourth)
    with pytest.raises(ResultsFileError, match="No space left.*3 cells saved before it are intact"):
        run_sweep(dict, cells, results=path, n_jobs=1, progress=False)
    monkeypatch.setattr(os, "write", real_write)
    assert path.read_text().count("\n") == 3 and path.read_text().endswith("\n"), "no stump is left"
    calls = []
    assert (
        run_sweep(lambda c: calls.append(c) or dict(c), cells, results=path, n_jobs=1, progress=False)
        == cells
    )
    assert calls == cells[3:]


def test_a_sweep_against_the_file_size_limit_stops_with_a_valid_file(script, tmp_path):
    """The kernel refuses the write (EFBIG, as a full disk refuses with ENOSPC)."""
    run = script("""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
from actlab.lab.results import ResultsFileError
from actlab.lab.sweep import grid, run_sweep
try:
    run_sweep(lambda c: {"pad": "x" * 50}, grid(i=range(100)), results=sys.argv[1], n_jobs=1,
              progress=False)
except ResultsFileError as exc:
    print(exc)
    sys.exit(3)
""")
    path = tmp_path / "runs.jsonl"
    result = run.run(path)
    assert result.returncode == 3 and "File too large" in result.stdout, result.stderr
    with ResultStore(path) as store:
        saved = len(store)
    assert 10 < saved < 100 and path.stat().st_size <= 2000


# ----------------------------------------------------------------------------- failing cells
def _flaky(cell):
    if cell["i"] % 3 == 1:
        raise ValueError(f"cell {cell['i']} cannot be trained")
    return {"i": cell["i"]}


def test_a_failing_cell_is_recorded_and_the_sweep_goes_on(tmp_path, capsys):
    path = tmp_path / "runs.jsonl"
    cells = grid(i=range(7))
    with pytest.raises(SweepError, match="2 of 7 cells failed.*ValueError: cell 1 cannot be trained") as info:
        run_sweep(_flaky, cells, results=path, n_jobs=1, progress=False)
    assert info.value.results == [None if c["i"] % 3 == 1 else {"i": c["i"]} for c in cells]
    assert set(info.value.failures) == {1, 4} and info.value.failures[1]["error"] == "ValueError"
    assert "Traceback" in info.value.failures[1]["traceback"]
    failed = [r for r in _records(path) if "failed" in r]
    assert [r["cell"]["i"] for r in failed] == [1, 4]
    # allow_failures: the same, as None, without raising; a rerun retries only the failed cells.
    calls = []
    assert run_sweep(
        lambda c: calls.append(c) or {"i": c["i"]},
        cells,
        results=path,
        n_jobs=1,
        progress=False,
        allow_failures=True,
    ) == [{"i": i} for i in range(7)]
    assert [c["i"] for c in calls] == [1, 4]


def test_failing_cells_in_parallel_workers_are_recorded_too(tmp_path):
    outcomes = run_sweep(
        _flaky, grid(i=range(7)), results=tmp_path / "r.jsonl", n_jobs=2, progress=False, allow_failures=True
    )
    assert [o is None for o in outcomes] == [i % 3 == 1 for i in range(7)]


def test_figures_json_cannot_hold_are_a_failed_cell_not_a_crash(tmp_path):
    outcomes = run_sweep(
        lambda c: {"object": object()} if c["i"] else {"ok": 1},
        grid(i=range(2)),
        results=tmp_path / "r.jsonl",
        n_jobs=1,
        progress=False,
        allow_failures=True,
    )
    assert outcomes == [{"ok": 1}, None]


# ----------------------------------------------------------------------------- non-finite figures
def test_non_finite_figures_are_stored_and_read_back_as_such(tmp_path):
    """The example: a NaN in one cell's figures crashed the store (strict JSON has no NaN), and
    the resume retrained that cell and crashed again."""
    import numpy as np

    path = tmp_path / "runs.jsonl"
    figures = {
        "loss": math.nan,
        "grad_norm": [1.0, math.inf, -math.inf],
        "np": np.float32("nan"),
        "count": np.int64(3),
        "curve": np.array([0.5, np.inf]),
    }
    outcome = run_sweep(lambda c: figures, [{"i": 0}], results=path, n_jobs=1, progress=False)[0]
    line = path.read_text()
    assert "NaN" not in line and "Infinity" not in line
    json.loads(line, parse_constant=lambda token: pytest.fail(f"{token} is not strict JSON"))
    for value in (
        outcome,
        run_sweep(lambda c: pytest.fail("it is stored"), [{"i": 0}], results=path, n_jobs=1, progress=False)[
            0
        ],
    ):
        assert math.isnan(value["loss"]) and value["grad_norm"][1:] == [math.inf, -math.inf]
        assert math.isnan(value["np"]) and value["count"] == 3 and value["curve"] == [0.5, math.inf]


def test_cells_with_non_finite_values_have_one_identity(tmp_path):
    cell = {"lr": math.inf}
    assert cell_key(cell) == cell_key({"lr": float("inf")})
    assert run_sweep(
        lambda c: {"ok": True}, [cell], results=tmp_path / "r.jsonl", n_jobs=1, progress=False
    ) == [{"ok": True}]
    assert run_sweep(
        lambda c: pytest.fail("found"), [cell], results=tmp_path / "r.jsonl", n_jobs=1, progress=False
    ) == [{"ok": True}]


def test_a_task_that_changes_its_cell_does_not_change_what_is_recorded(tmp_path):
    def meddling(cell):
        cell["i"] += 100
        return {"seen": cell["i"]}

    cells = grid(i=range(3))
    for n_jobs in (1, 2):
        path = tmp_path / f"r{n_jobs}.jsonl"
        assert run_sweep(meddling, cells, results=path, n_jobs=n_jobs, progress=False) == [
            {"seen": 100},
            {"seen": 101},
            {"seen": 102},
        ]
        assert sorted(r["cell"]["i"] for r in _records(path)) == [0, 1, 2]
    assert cells == grid(i=range(3))
