"""The kernel cache runs code (Python modules, numba's pickled index) only from a directory that
this user owns and no one else can write."""

from __future__ import annotations

import os
import stat

import pytest

from actlab.kernels import codegen

SRC = '"""a generated module"""\nVALUE = 42\n'


@pytest.fixture
def cache(tmp_path, monkeypatch):
    path = tmp_path / "cache"
    monkeypatch.setenv("ACTLAB_CACHE_DIR", str(path))
    monkeypatch.setattr(codegen, "_private_dir", [])
    return path


def _load(src=SRC):
    import sys

    module = codegen.load(src)
    sys.modules.pop(module.__name__)  # every test loads afresh
    return module


def test_a_new_cache_is_created_private_and_used(cache):
    module = _load()
    assert module.VALUE == 42 and os.path.dirname(module.__file__) == str(cache)
    assert stat.S_IMODE(os.stat(cache).st_mode) & 0o077 == 0
    assert stat.S_IMODE(os.stat(module.__file__).st_mode) & 0o022 == 0


@pytest.mark.parametrize("make_unsafe", ["group-writable", "symlink", "foreign-owner"])
def test_an_unsafe_cache_is_not_used(cache, tmp_path, make_unsafe):
    if make_unsafe == "group-writable":
        cache.mkdir(mode=0o700)
        os.chmod(cache, 0o777)
    elif make_unsafe == "symlink":
        (tmp_path / "elsewhere").mkdir()
        cache.symlink_to(tmp_path / "elsewhere")
    else:
        if os.getuid() != 0:
            pytest.skip("giving a directory to another user needs root")
        cache.mkdir(mode=0o700)
        os.chown(cache, 12345, 12345)
    with pytest.warns(codegen.KernelCacheWarning, match=str(cache)):
        module = _load()
    assert module.VALUE == 42 and not module.__file__.startswith(str(cache))
    assert not os.path.exists(os.path.join(cache, os.path.basename(module.__file__)))


def test_a_tampered_module_file_is_rewritten_before_it_runs(cache):
    first = _load()
    with open(first.__file__, "w", encoding="utf-8") as fh:
        fh.write("VALUE = 'tampered'\n")
    assert _load().VALUE == 42


def test_a_foreign_module_file_is_replaced_not_run(cache):
    if os.getuid() != 0:
        pytest.skip("giving a file to another user needs root")
    first = _load()
    os.chown(first.__file__, 12345, 12345)
    again = _load()
    assert again.VALUE == 42 and os.stat(again.__file__).st_uid == os.getuid()


def test_temporary_files_have_unpredictable_names(cache, tmp_path):
    """A link planted where a predictable temporary name would be is neither followed nor used."""
    cache.mkdir(mode=0o700)
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    import hashlib

    stem = f"actlab_kernel_{hashlib.sha256(SRC.encode()).hexdigest()[:24]}"
    (cache / f"{stem}.{os.getpid()}.tmp").symlink_to(victim)
    assert _load().VALUE == 42
    assert victim.read_text() == "keep me"
