"""Files that hold a user's work: written whole or not at all, read only when they are files.

Every part of actlab that writes a user's file (results, models, comparisons, claims, reports,
figures) goes through :func:`write_atomic` or :func:`atomic_file`: the bytes go to a temporary
file with an unpredictable name in the same folder, are flushed to the disk (``fsync``), and
only then is the temporary renamed over the target, and the folder synced. A crash, a kill or a
full disk therefore leaves the previous file or the new one, never a mixture or a stump.

:func:`read_regular` reads a file only if it is a regular file (a FIFO would block, ``/dev/zero``
never ends, a directory is not data), and never more than a limit, counted from the bytes it
actually reads rather than from what the file system reports. :func:`exclusive_lock` keeps two
processes from writing one file at once.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from types import ModuleType
from typing import IO, Iterator

from .errors import ActlabError

fcntl: ModuleType | None
try:  # POSIX advisory locks; elsewhere locking is not available and is skipped
    import fcntl
except ImportError:  # pragma: no cover (Windows)
    fcntl = None

_CHUNK = 1 << 20


class FileAccessError(ActlabError, OSError):
    """A path that cannot be used as asked: not a regular file, too large, or in use."""


class FileInUseError(FileAccessError):
    """Another process holds the file's lock."""


def write_atomic(path: str | os.PathLike, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically: after a crash the file holds the old or the new data."""
    with atomic_file(path) as f:
        f.write(data.encode(encoding) if isinstance(data, str) else data)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[IO[bytes]]:
    """A binary file to write ``path``'s new content into; it replaces ``path`` when the block
    ends without an exception, and is removed (leaving ``path`` untouched) when it raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp: an unpredictable name, created with O_EXCL and mode 0600 (no one can plant it).
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _keep_mode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def _keep_mode(path: Path, tmp: str) -> None:
    """Give the new file the mode the old one had (or the usual 0666 & ~umask for a new one)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(tmp, mode)


def _umask() -> int:
    # Read, not set: os.umask(0) would open a window in which other threads create files
    # readable and writable by everyone.
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:  # pragma: no cover (no /proc)
        pass
    return 0o022


def fsync_dir(folder: str | os.PathLike) -> None:
    """Make a rename in ``folder`` durable (where the platform can open a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:  # pragma: no cover (platforms that cannot open folders)
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover (file systems that cannot sync folders)
        pass
    finally:
        os.close(fd)


def open_regular(path: str | os.PathLike, flags: int = os.O_RDONLY, mode: int = 0o666) -> int:
    """``os.open`` that refuses anything but a regular file before a byte is read or written.

    The file is opened without blocking (so a FIFO cannot hang the call), then checked.
    """
    fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        kind = os.fstat(fd).st_mode
        if not stat.S_ISREG(kind):
            raise FileAccessError(f"{path} is {_kind(kind)}, not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_regular(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file, refusing one that holds more than ``limit`` bytes.

    The limit is checked against the bytes read, never against ``st_size``, which special and
    growing files misreport. Raises :class:`FileAccessError`, or the ``OSError`` of the system.
    """
    fd = open_regular(path)
    try:
        parts, total = [], 0
        while True:
            want = _CHUNK if limit is None else min(_CHUNK, limit + 1 - total)
            chunk = os.read(fd, want) if want > 0 else b""
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:
                raise FileAccessError(f"{path} holds more than {limit} bytes")
        return b"".join(parts)
    finally:
        os.close(fd)


def exclusive_lock(fd: int, path: str | os.PathLike, *, holder: str = "another process") -> None:
    """Take the exclusive advisory lock on the open file ``fd`` without waiting.

    Raises :class:`FileInUseError` when another process holds it. The lock lasts until ``fd``
    is closed. Without ``fcntl`` (Windows) nothing is locked.
    """
    if fcntl is None:  # pragma: no cover
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise FileInUseError(f"{path} is in use by {holder} (it holds the file's lock)") from None


@contextlib.contextmanager
def folder_lock(folder: str | os.PathLike, *, shared: bool = False) -> Iterator[None]:
    """Hold the lock of ``folder`` while the block runs, waiting for it if need be: exclusive
    for a writer (the renames of a model save), shared for readers. Where the folder cannot be
    locked (no ``fcntl``, a file system without locks), the block runs unlocked."""
    fd = None
    if fcntl is not None:
        try:
            fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        except OSError:
            if fd is not None:
                os.close(fd)
            fd = None
    try:
        yield
    finally:
        if fd is not None:
            os.close(fd)


def same_file(fd: int, path: str | os.PathLike) -> bool:
    """Whether the open ``fd`` is still the file at ``path`` (not replaced by a rename since)."""
    try:
        a, b = os.fstat(fd), os.stat(path)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "a special file"  # pragma: no cover
