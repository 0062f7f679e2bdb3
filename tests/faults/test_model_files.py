"""Model files under faults: a save killed or crashed at any point, a full disk, saves and loads
running at once, and hostile files (special files, forged archives, corruptions of every part).

Each test checks the one thing a user needs: afterwards the model loads, and it is one whole
save (the architecture and the weights of the same save, told apart here by a version number
written into both), or loading fails with a ModelFileError that names the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

from actlab import nn

# A model whose name and every weight hold its version: a loaded model is whole if they agree.
MODEL = """
import sys
import numpy as np
from actlab import nn

def versioned(version, width=8):
    model = nn.Sequential([nn.Dense(width, activation="tanh", input_dim=4), nn.Dense(2)],
                          seed=0, name=f"v{version}")
    model.build()
    model.parameters[...] = version
    return model
"""


def _version(path) -> int:
    """The version of the model at ``path``, after checking that it is one save's."""
    model = nn.load_model(path)
    version = int(model.name[1:])
    assert np.all(model.parameters == version), "the weights are not those of the architecture's save"
    return version


# ----------------------------------------------------------------------------- kill and crash
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_save_crashed_at_each_of_its_steps_leaves_a_whole_model(script, tmp_path):
    """The process dies (os._exit: nothing cleaned up) just before each file-system call of a
    save in turn, every fsync and rename; the model on disk is then the old save or the new one.
    One process imports actlab, then forks a child per step that saves and dies."""
    run = script(
        MODEL
        + """
import json, os
from pathlib import Path

def save_dying_at(step, target):
    calls = []
    def dying(real):
        def call(*args):
            calls.append(real.__name__)
            if len(calls) == step:
                os._exit(137)
            return real(*args)
        return call
    os.fsync, os.replace = dying(os.fsync), dying(os.replace)
    versioned(2).save(target)
    return len(calls)

outcomes, step = [], 0
while True:
    step += 1
    target = Path(sys.argv[1]) / f"step{step}" / "net"
    versioned(1).save(target)
    pid = os.fork()
    if pid == 0:
        calls = save_dying_at(step, target)
        os._exit(0 if calls < step else 1)
    status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    model = nn.load_model(target)
    whole = bool(np.all(model.parameters == int(model.name[1:])))
    nn.save_model(model, target)  # the next save cleans up after the dead one
    outcomes.append({"status": status, "version": int(model.name[1:]), "whole": whole,
                     "files": sorted(p.name for p in target.parent.iterdir())})
    if status == 0:  # the save got through without reaching the step: every step was tried
        break
print(json.dumps(outcomes))
"""
    )
    result = run.run(tmp_path)
    assert result.returncode == 0, result.stderr
    outcomes = json.loads(result.stdout)
    assert len(outcomes) >= 8  # two files and their folder synced, three renames, then no crash
    assert all(o["status"] == 137 for o in outcomes[:-1])
    assert all(o["whole"] for o in outcomes), "architecture and weights of one save"
    assert all(o["files"] == ["net.json", "net.npz"] for o in outcomes), "nothing left behind"
    versions = [o["version"] for o in outcomes]
    assert versions == sorted(versions) and versions[0] == 1 and versions[-1] == 2, (
        "crashes before the commit keep the old model, after it the new one"
    )


def test_a_save_killed_at_random_moments_leaves_a_whole_model(script, tmp_path):
    run = script(
        MODEL
        + """
version = 0
while True:
    version += 1
    versioned(version, width=64).save(sys.argv[1])
"""
    )
    target = tmp_path / "net"
    rng = random.Random(13)
    versions = []
    for _ in range(6):
        proc = run.start(target)
        deadline = time.monotonic() + 60
        while not (tmp_path / "net.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        versions.append(_version(target))
    assert all(v >= 1 for v in versions)


def test_a_save_syncs_each_file_before_publishing_it_and_the_folder_after(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src, dst):
        events.append(("rename", os.fspath(src), os.fspath(dst)))
        real_replace(src, dst)

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc to name the synced files")
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    nn.save_model(nn.Sequential([nn.Dense(3, input_dim=2)], seed=0), tmp_path / "net")
    renames = [e for e in events if e[0] == "rename"]
    synced = [e[1] for e in events if e[0] == "fsync"]
    for _, src, _ in renames:
        if src.endswith(".tmp"):  # a temporary file: its bytes reach the disk before its name does
            assert src in synced[: events.index(("fsync", src)) + 1]
            assert events.index(("fsync", src)) < events.index(("rename", src, _dst(renames, src)))
    # The weights get a name of their own, then the architecture (the commit), then the usual name.
    assert [os.path.basename(dst) for _, _, dst in renames][1:] == ["net.json", "net.npz"]
    assert events[-1] == ("fsync", str(tmp_path)), "the folder is synced after the last rename"


def _dst(renames, src):
    return next(d for _, s, d in renames if s == src)


def test_saves_and_loads_at_once_never_see_a_mixed_model(script, tmp_path):
    writer = script(
        MODEL
        + """
import time
first, deadline = int(sys.argv[2]), time.monotonic() + float(sys.argv[3])
version = first
while time.monotonic() < deadline:
    versioned(version, width=32).save(sys.argv[1])
    version += 2
"""
    )
    target = tmp_path / "net"
    nn.save_model(_model_of_version(0), target)
    procs = [writer.start(target, first, 2.0) for first in (1, 2)]
    loads = 0
    while any(p.poll() is None for p in procs):
        _version(target)  # never a mixture of two saves, never an error
        loads += 1
    assert all(p.wait() == 0 for p in procs)
    assert loads > 5 and _version(target) > 0


def _model_of_version(version: int, width: int = 32) -> nn.Sequential:
    model = nn.Sequential(
        [nn.Dense(width, activation="tanh", input_dim=4), nn.Dense(2)], seed=0, name=f"v{version}"
    )
    model.build()
    model.parameters[...] = version
    return model


# ----------------------------------------------------------------------------- a full disk
FULL_DISK = (
    MODEL
    + """
import json
from pathlib import Path
folder = Path(sys.argv[1])
versioned(1).save(folder / "net")
try:
    versioned(2, width=20000).save(folder / "net")   # 1.6 MB of weights: more than there is room for
    outcome = "saved"
except OSError as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
model = nn.load_model(folder / "net")
print(json.dumps({"outcome": outcome, "name": model.name,
                  "whole": bool(np.all(model.parameters == 1)),
                  "files": sorted(p.name for p in folder.iterdir())}))
"""
)


def _check_full_disk(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["outcome"] != "saved" and (
        "No space" in report["outcome"] or "too large" in report["outcome"]
    )
    assert report["name"] == "v1" and report["whole"], "the old model is intact"
    assert report["files"] == ["net.json", "net.npz"], "no temporary file is left behind"


def test_a_save_on_a_full_disk_keeps_the_old_model(script, tmp_path):
    """The file-size limit makes the kernel refuse the write (EFBIG) as a full disk would."""
    script(FULL_DISK, name="full.py")  # writes full.py, run below under a file-size limit
    limiter = (
        "import resource, signal, runpy, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
        "resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000)); "
        "sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
    )
    folder = tmp_path / "disk"
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, "-c", limiter, str(tmp_path / "full.py"), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    _check_full_disk(result)


def _tmpfs_command(size: str, folder) -> list[str] | None:
    """A command prefix that runs the rest in a private mount namespace with a small tmpfs at
    ``folder``, or None where this machine does not allow it (no unshare, no privileges)."""
    if shutil.which("unshare") is None or sys.platform != "linux":
        return None
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size={size} tmpfs {folder}"],
        capture_output=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return None
    return ["unshare", "-rm", "sh", "-c", f'mount -t tmpfs -o size={size} tmpfs {folder} && exec "$@"', "sh"]


def test_a_save_on_a_full_tmpfs_keeps_the_old_model(script, tmp_path):
    """A real full file system (ENOSPC): a 512 kB tmpfs, where the machine lets us mount one."""
    folder = tmp_path / "disk"
    folder.mkdir()
    prefix = _tmpfs_command("512k", folder)
    if prefix is None:
        pytest.skip("cannot mount a tmpfs here (needs unshare and mount rights)")
    script(FULL_DISK, name="full.py")
    result = subprocess.run(
        [*prefix, sys.executable, str(tmp_path / "full.py"), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    _check_full_disk(result)


# ----------------------------------------------------------------------------- hostile files
@pytest.fixture
def saved(tmp_path):
    rng = np.random.default_rng(0)
    model = nn.Sequential(
        [nn.Dense(8, activation="elu", input_dim=5), nn.PReLU(), nn.Dense(3, activation="softmax")], seed=3
    )
    model.compile("sparse_categorical_crossentropy", "adam")
    model.fit(rng.normal(size=(32, 5)), rng.integers(0, 3, 32), epochs=1, verbose=0)
    return nn.save_model(model, tmp_path / "net")


SPECIAL_FILES = """
import json, os, shutil, sys, time
from actlab import nn
folder = sys.argv[1]
reports = []
for kind in ("fifo", "dev-zero", "directory"):
    for which in ("json", "npz"):
        target = os.path.join(folder, "net." + which)
        shutil.copy(target, target + ".good")
        os.unlink(target)
        if kind == "fifo":
            os.mkfifo(target)
        elif kind == "dev-zero":
            os.symlink("/dev/zero", target)
        else:
            os.mkdir(target)
        start = time.monotonic()
        try:
            nn.load_model(os.path.join(folder, "net"))
            reports.append({"case": [kind, which], "error": None})
        except Exception as exc:
            reports.append({"case": [kind, which], "error": type(exc).__name__, "message": str(exc),
                            "seconds": time.monotonic() - start})
        (os.rmdir if kind == "directory" else os.unlink)(target)
        os.replace(target + ".good", target)
print(json.dumps(reports))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no FIFOs or /dev/zero")
def test_special_files_are_refused_before_a_byte_is_read(script, saved):
    """A FIFO in place of either file blocked the reader forever; /dev/zero never ends and
    exhausted the memory. Both are refused at once, as is a directory (in a subprocess with a
    time limit, so that a regression fails instead of hanging the suite)."""
    result = script(SPECIAL_FILES).run(saved[0].parent, timeout=60)
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert len(reports) == 6
    for report in reports:
        kind, which = report["case"]
        assert report["error"] == "ModelFileError", report
        assert f"net.{which}" in report["message"] and "regular file" in report["message"], report
        assert report["seconds"] < 10


def _central_directory_sizes(blob: bytes, size: int) -> bytes:
    """The archive with every entry's sizes in the central directory set to ``size``."""
    out = bytearray(blob)
    at = out.find(b"PK\x01\x02")
    while at != -1:
        out[at + 20 : at + 28] = struct.pack("<II", size, size)
        at = out.find(b"PK\x01\x02", at + 4)
    return bytes(out)


def _rewrite(json_path, npz_path, blob: bytes, change=lambda spec: None) -> None:
    """New weights and a spec whose checksum matches them, as a deliberate attacker would."""
    npz_path.write_bytes(blob)
    spec = json.loads(json_path.read_text())
    spec["weights_sha256"] = hashlib.sha256(blob).hexdigest()
    change(spec)
    json_path.write_text(json.dumps(spec))


def test_an_archive_declaring_huge_sizes_is_refused_before_anything_is_allocated(saved):
    """The zip directory claims 4 GB per array and the architecture asks for 30 million
    parameters; the loader sizes the model from the bytes it read, so nothing large is allocated."""
    json_path, npz_path = saved
    forged = _central_directory_sizes(npz_path.read_bytes(), 0xFFFFFFF0)

    def huge(spec):
        spec["layers"][0]["config"]["units"] = 3_000_000

    _rewrite(json_path, npz_path, forged, huge)
    tracemalloc.start()
    try:
        with pytest.raises(nn.ModelFileError, match="net.npz"):
            nn.load_model(json_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6, f"{peak / 1e6:.0f} MB allocated"


def test_a_consistent_archive_cannot_declare_more_model_than_it_holds(saved):
    json_path, npz_path = saved

    def huge(spec):
        spec["layers"][0]["config"]["units"] = 3_000_000

    _rewrite(json_path, npz_path, npz_path.read_bytes(), huge)
    with pytest.raises(nn.ModelFileError, match="at most .* allowed"):
        nn.load_model(json_path)


def test_a_compressed_archive_is_refused(saved):
    """actlab writes arrays uncompressed; a compressed entry could inflate far beyond the file."""
    json_path, npz_path = saved
    with np.load(npz_path) as f:
        arrays = dict(f)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _rewrite(json_path, npz_path, buffer.getvalue())
    with pytest.raises(nn.ModelFileError, match="net.npz.*uncompressed"):
        nn.load_model(json_path)


def test_weights_larger_than_the_architecture_declares_are_not_read_whole(saved):
    json_path, npz_path = saved
    with open(npz_path, "ab") as f:  # a sparse gigabyte after the archive: cheap on disk
        f.truncate(2**30)
    tracemalloc.start()
    try:
        with pytest.raises(nn.ModelFileError, match="net.npz holds more than"):
            nn.load_model(json_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50e6


def test_no_corruption_of_the_weights_escapes_as_another_error(saved):
    """Random byte changes anywhere in the archive, with the checksum updated to match."""
    json_path, npz_path = saved
    original = npz_path.read_bytes()
    rng = random.Random(5)
    for _ in range(300):
        blob = bytearray(original)
        for _ in range(rng.randint(1, 4)):
            blob[rng.randrange(len(blob))] = rng.randrange(256)
        _rewrite(json_path, npz_path, bytes(blob))
        try:
            nn.load_model(json_path)
        except nn.ModelFileError as exc:
            assert "net.npz" in str(exc) or "net.json" in str(exc)


HOSTILE_VALUES = [None, True, -1, 10**30, -(2**63), 1e308, "x", [1, 2, 3], {"a": 1}]


def _leaf_paths(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaf_paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaf_paths(v, path + (i,))
    if path:
        yield path


def test_no_hostile_value_anywhere_in_the_architecture_escapes_as_another_error(saved):
    """Every entry of the JSON replaced by each hostile value in turn (OverflowError from the
    random state, NotImplementedError from the archive, ... used to escape)."""
    json_path, npz_path = saved
    original = json.loads(json_path.read_text())
    failures = 0
    for path in _leaf_paths(original):
        if path[0] == "weights_sha256":
            continue
        for value in HOSTILE_VALUES:
            spec = json.loads(json.dumps(original))
            node = spec
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            json_path.write_text(json.dumps(spec))
            try:
                nn.load_model(json_path)
            except nn.ModelFileError as exc:
                assert "net.json" in str(exc) or "net.npz" in str(exc)
                failures += 1
    assert failures > 100
