"""Where viz writes: an output folder checked before any work starts (the files themselves are
written atomically by :func:`actlab.core.files.write_atomic`)."""

from __future__ import annotations

import tempfile
from pathlib import Path


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
