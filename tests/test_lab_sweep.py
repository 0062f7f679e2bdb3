"""Sweeps: grids, parallel runs, cell-by-cell results, resuming after a kill, Dask, progress."""

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from actlab import ParameterError
from actlab.lab.progress import Progress
from actlab.lab.results import ResultsFileError, ResultStore, cell_key
from actlab.lab.sweep import grid, run_sweep

pytest.importorskip("joblib")


def test_grid_is_the_product_of_its_axes():
    cells = grid(act=["relu", "tanh"], seed=[0, 1, 2])
    assert len(cells) == 6 and cells[1] == {"act": "relu", "seed": 1}
    with pytest.raises(ParameterError, match="empty"):
        grid(act=[])


def test_parallel_results_come_back_in_cell_order(tmp_path):
    cells = grid(i=range(8), tag=["x"])
    # `dict` is a picklable task that returns a copy of its cell.
    assert run_sweep(dict, cells, n_jobs=2, progress=False) == cells
    out = tmp_path / "r.jsonl"
    assert run_sweep(dict, cells, results=out, n_jobs=2, progress=False) == cells
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(cell_key(r["cell"]) for r in lines) == sorted(cell_key(c) for c in cells)


def test_repeated_cells_are_refused():
    with pytest.raises(ParameterError, match="repeated"):
        run_sweep(dict, [{"a": 1}, {"a": 1}], progress=False)


def test_a_finished_results_file_means_nothing_to_run(tmp_path):
    out = tmp_path / "r.jsonl"
    cells = grid(i=range(3))
    run_sweep(dict, cells, results=out, n_jobs=1, progress=False)
    calls = []
    assert run_sweep(lambda c: calls.append(c) or {}, cells, results=out, n_jobs=1, progress=False) == cells
    assert calls == []


def test_a_partial_last_line_is_cut_and_its_cell_run_again(tmp_path):
    out = tmp_path / "r.jsonl"
    out.write_text(json.dumps({"cell": {"i": 0}, "result": {"i": 0}}) + "\n" + '{"cell": {"i": 1}, "res')
    with ResultStore(out) as store:
        assert len(store) == 1 and out.read_text().endswith("\n")
        assert "cut off mid-write" in store.notes[0]
    assert run_sweep(dict, grid(i=range(3)), results=out, n_jobs=1, progress=False) == grid(i=range(3))
    assert len(out.read_text().splitlines()) == 3


def test_a_corrupt_results_file_is_a_clear_error(tmp_path):
    out = tmp_path / "r.jsonl"
    out.write_text("not json\n")
    with pytest.raises(ResultsFileError, match="not a results file.*left untouched"):
        ResultStore(out)
    assert out.read_text() == "not json\n"
    out.write_text('{"cell": {"i": 0}, "result": {}}\n{"cell": {"i": 0}, "result": {}}\n')
    with pytest.raises(ResultsFileError, match="line 2 repeats a cell.*repair"):
        ResultStore(out)
    out.write_text('{"cell": {"i": 0}, "result": {}}\n[1, 2]\n')
    with pytest.raises(ResultsFileError, match="line 2 is not a .*record"):
        ResultStore(out)


_SCRIPT = textwrap.dedent("""
    import json, sys, time
    from actlab.lab.sweep import grid, run_sweep

    def task(cell):
        with open(sys.argv[2], "a") as log:   # every call, finished or not
            log.write(json.dumps(cell) + "\\n")
        time.sleep(0.1)
        return {"square": cell["i"] ** 2}

    if __name__ == "__main__":
        run_sweep(task, grid(i=range(12)), results=sys.argv[1], n_jobs=1, progress=False)
""")


def test_a_killed_sweep_resumes_without_losing_or_repeating_cells(tmp_path):
    script, results, calls = tmp_path / "sweep.py", tmp_path / "r.jsonl", tmp_path / "calls.log"
    script.write_text(_SCRIPT)
    proc = subprocess.Popen([sys.executable, str(script), str(results), str(calls)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if results.exists() and len(results.read_text().splitlines()) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the sweep finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = {
        json.loads(line)["cell"]["i"] for line in results.read_text().splitlines() if line.strip()
    }
    assert 3 <= len(finished_before) < 12

    subprocess.run([sys.executable, str(script), str(results), str(calls)], check=True, timeout=120)
    records = [json.loads(line) for line in results.read_text().splitlines()]
    done = [r["cell"]["i"] for r in records]
    assert sorted(done) == list(range(12))  # nothing lost, nothing twice
    assert all(r["result"]["square"] == r["cell"]["i"] ** 2 for r in records)
    called = [json.loads(line)["i"] for line in calls.read_text().splitlines()]
    assert all(called.count(i) == 1 for i in finished_before)  # finished cells never rerun
    assert len(called) <= 13  # at most the cell in flight twice


def test_dask_backend_runs_the_cells_on_a_cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        cells = grid(i=range(5), tag=["dask"])
        assert run_sweep(dict, cells, scheduler=cluster.scheduler_address, progress=False) == cells


def test_progress_reports_and_can_be_silenced():
    # The facility itself is tested in test_progress.py; here, what a sweep relies on.
    stream = io.StringIO()  # not a terminal: timestamped lines
    with Progress(4, "sweep", already=1, stream=stream) as bar:
        bar.update()
    text = stream.getvalue()
    assert "sweep: started (4 items, 1 done before)" in text and "sweep: done, 2/4" in text
    quiet = io.StringIO()
    with Progress(4, "sweep", stream=quiet, enabled=False) as bar:
        bar.update()
    assert quiet.getvalue() == ""
