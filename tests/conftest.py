"""Fixtures shared by several test modules, and the isolation every test runs in.

The suite never sees the user's files: before anything is imported, HOME, the XDG folders,
matplotlib's folder, hypothesis's example database and actlab's kernel cache are pointed at
one temporary folder of the run (removed at its end), and every test runs in an empty working
directory of its own. So no test can read what a command left in the repository (``actlab
report`` writes ``actlab-report/`` there) or in the home folder, nor write there. Compiled
kernels are shared by the tests and the xdist workers of one run: a cache that only this run
has written is safe to share, and compiling each kernel once keeps the suite fast.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_ROOT_VARIABLE = "ACTLAB_TEST_RUN_FOLDER"  # set by the run that made the folder; workers inherit it


def _folders(root: Path) -> dict[str, Path]:
    home = root / "home"
    return {
        "HOME": home,
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "MPLCONFIGDIR": home / ".config" / "matplotlib",
        "ACTLAB_CACHE_DIR": root / "kernels",
    }


def pytest_configure(config):
    if not os.environ.get(_ROOT_VARIABLE):  # else an xdist worker: the controller set it up
        root = Path(tempfile.mkdtemp(prefix="actlab-tests-"))
        config._actlab_isolation = (root, {name: os.environ.get(name) for name in _folders(root)})
        for name, folder in _folders(root).items():
            folder.mkdir(parents=True, exist_ok=True)
            os.environ[name] = str(folder)
        os.environ[_ROOT_VARIABLE] = str(root)
    try:
        from hypothesis import settings
        from hypothesis.database import DirectoryBasedExampleDatabase
    except ImportError:
        return
    database = DirectoryBasedExampleDatabase(Path(os.environ[_ROOT_VARIABLE]) / "hypothesis")
    settings.register_profile("isolated", database=database)
    settings.load_profile("isolated")


def pytest_unconfigure(config):
    isolation = getattr(config, "_actlab_isolation", None)
    if isolation is None:
        return
    root, before = isolation
    for name, value in before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    os.environ.pop(_ROOT_VARIABLE, None)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_working_directory(tmp_path_factory, monkeypatch):
    """Each test in an empty working directory of its own."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="module")
def torch_one_thread():
    """PyTorch on one thread for a module: on two cores shared by several jobs, PyTorch's
    intra-op threads would only wait for each other."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
