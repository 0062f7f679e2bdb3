"""The suite is hermetic: no test sees the working directory it was started from, the home
folder, or what another command left there (the README's quick start runs `actlab report`,
which leaves actlab-report/ in the clone, then the tests in that same clone)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_each_test_starts_in_an_empty_working_directory_with_private_folders():
    assert list(Path.cwd().iterdir()) == []
    root = Path(os.environ["ACTLAB_TEST_RUN_FOLDER"])
    for name in ("HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR", "ACTLAB_CACHE_DIR"):
        assert Path(os.environ[name]).is_relative_to(root), name
    assert Path.home().is_relative_to(root)


def test_the_quick_start_order_does_not_break_the_tests(tmp_path):
    """Run a test that reads no results from a folder where `actlab report` left its results:
    the command's output must not reach it (it failed before: advise read the folder's
    actlab-report/comparison.json and cited it instead of saying there was no lab evidence)."""
    clone = tmp_path / "clone"
    (clone / "actlab-report").mkdir(parents=True)
    comparison = {
        "dataset": "digits",
        "architecture": "MLP",
        "seeds": [0],
        "curves": {},
        "per_layer": {},
        "rows": [{"activation": "relu", "metrics": {"test_accuracy": {"mean": 0.9, "std": 0.0}}}],
    }
    (clone / "actlab-report" / "comparison.json").write_text(json.dumps(comparison))
    home = tmp_path / "home"
    (home / ".cache").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "ACTLAB_TEST_RUN_FOLDER"}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    test = f"{TESTS / 'test_cli.py'}::test_advise_text_cites_the_seeds_by_title"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert sorted(p.name for p in clone.iterdir()) == ["actlab-report"], "nothing written into the clone"
    assert not (home / ".cache" / "actlab").exists(), "nothing written into the home folder"
