"""Writing the files viz produces (report, results beside it): the one place they are written.

Each write goes to a temporary file in the same folder, is flushed to disk and then renamed
over the target, so a reader (or a crash) sees the old file or the new one, never half of one.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (with the permissions the user's umask gives)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")  # unpredictable, never reused
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def writable_folder(folder: str | Path, what: str) -> Path:
    """``folder``, created if need be, after checking that files can be written in it; raises
    :class:`~actlab.core.ParameterError` naming ``what`` (the option) if not."""
    from ..core import ParameterError

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ParameterError(f"{what}: {str(folder)!r} exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".actlab-write-check-", delete=True)
        probe.close()
    except OSError as exc:
        raise ParameterError(f"{what}: cannot write in {str(folder)!r} ({exc.strerror or exc})") from None
    return folder
