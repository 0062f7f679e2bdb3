"""An append-only JSON-lines file of finished sweep cells: the record a killed run resumes from.

One line per cell, ``{"cell": {...}, "result": {...}}`` for a finished one or
``{"cell": {...}, "failed": {"error", "message", "traceback"}}`` for one whose task raised,
appended, flushed and synced as soon as the cell ends. Cells are identified by their canonical
JSON (sorted keys), so the order of a grid's axes does not matter. Strict JSON has no NaN or
infinity: a non-finite float is written as ``{"$float": "nan"}`` (``"inf"``, ``"-inf"``) and
read back as the float.

Opening a store for writing takes the file's lock (a second sweep on the same file is refused,
not interleaved), then reads and checks every line before anything is changed:

- a last line cut off mid-write (a killed run) is removed, and its cell runs again;
- a file in which no line is a record is not a results file: it is refused and left as it is;
- a damaged line or a cell recorded twice is an error that names the lines, unless the store is
  opened with ``repair=True``: the file is then rewritten (atomically) with the good records,
  the first of each cell, and the lines taken out are appended to ``<file>.rejected``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from ..core.errors import ActlabError
from ..core.files import FileAccessError, exclusive_lock, open_regular, same_file, write_atomic

# Every record is written with sorted keys, and "cell" sorts first: the start of any record.
_RECORD_START = b'{"cell": '
_FLOAT_TAG = "$float"
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class ResultsFileError(ActlabError, ValueError):
    """A results file that cannot be used as it is: damaged, not a results file, or unwritable."""


def cell_key(cell: dict) -> str:
    """The identity of a cell: its parameters as canonical JSON."""
    return json.dumps(encode(cell), sort_keys=True, separators=(",", ":"))


def encode(value: Any) -> Any:
    """``value`` made ready for strict JSON: non-finite floats tagged, NumPy scalars and arrays
    turned into Python numbers and lists. Anything else that JSON cannot hold is a TypeError."""
    if isinstance(value, float) or (hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0):
        value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and not math.isfinite(value):
        return {_FLOAT_TAG: "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    if isinstance(value, dict):
        return {_key(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        return [encode(v) for v in (value.tolist() if hasattr(value, "tolist") else value)]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{type(value).__name__} {value!r} cannot be stored as JSON")


def _key(k: Any) -> str:
    if not isinstance(k, str):
        raise TypeError(f"a key of a stored dict must be a string, got {k!r}")
    return k


def _decode_object(obj: dict) -> Any:
    if len(obj) == 1 and _FLOAT_TAG in obj and obj[_FLOAT_TAG] in _NON_FINITE:
        return _NON_FINITE[obj[_FLOAT_TAG]]
    return obj


def dumps(value: Any) -> str:
    """One line of strict JSON (sorted keys) for ``value``; :func:`loads` reads it back."""
    return json.dumps(encode(value), sort_keys=True, allow_nan=False)


def loads(text: str | bytes) -> Any:
    """The value :func:`dumps` wrote (tagged non-finite floats become floats again)."""
    return json.loads(text, object_hook=_decode_object)


class ResultStore:
    """Finished (and failed) cells on disk (``path``) or in memory (``path=None``).

    On disk the store holds the file's lock from opening until :meth:`close` (or the end of a
    ``with`` block). ``notes`` says what opening found and did (a cut line, a repair).
    """

    def __init__(self, path: str | os.PathLike | None, *, repair: bool = False):
        self.path = Path(path) if path is not None else None
        self.notes: list[str] = []
        self._records: dict[str, dict] = {}
        self._failures: dict[str, dict] = {}
        self._fd: int | None = None
        if self.path is not None:
            self._open(repair)

    # -- queries --------------------------------------------------------------------------
    def __contains__(self, cell: dict) -> bool:
        return cell_key(cell) in self._records

    def __len__(self) -> int:
        return len(self._records)

    def get(self, cell: dict) -> dict | None:
        record = self._records.get(cell_key(cell))
        return None if record is None else record["result"]

    def failure(self, cell: dict) -> dict | None:
        """The latest failure recorded for a cell that has not finished since, else None."""
        key = cell_key(cell)
        return None if key in self._records else self._failures.get(key)

    # -- writing --------------------------------------------------------------------------
    def add(self, cell: dict, result: dict) -> None:
        """Record a finished cell; on disk the line is synced before this returns."""
        key = cell_key(cell)
        if key in self._records:
            raise ResultsFileError(f"cell {key} is already recorded")
        line = dumps({"cell": cell, "result": result})
        self._append(line, key)
        self._records[key] = loads(line)

    def add_failure(self, cell: dict, failure: dict) -> None:
        """Record that a cell's task raised (``failure``: error, message, traceback)."""
        key = cell_key(cell)
        line = dumps({"cell": cell, "failed": failure})
        self._append(line, key)
        self._failures[key] = loads(line)["failed"]

    def _append(self, line: str, key: str) -> None:
        if self._fd is None:
            if self.path is not None:
                raise ResultsFileError(f"{self.path} is closed")
            return
        data = (line + "\n").encode("utf-8")
        size = os.fstat(self._fd).st_size
        try:
            _write_all(self._fd, data)
            os.fsync(self._fd)
        except OSError as exc:
            # A full disk may have taken part of the line: cut it, so the file stays valid.
            try:
                os.ftruncate(self._fd, size)
            except OSError:
                pass
            raise ResultsFileError(
                f"cannot save cell {key} in {self.path} ({exc.strerror or exc}); the "
                f"{len(self._records)} cells saved before it are intact, and a rerun resumes "
                "from them"
            ) from exc

    def close(self) -> None:
        """Release the file (and its lock)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "ResultStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # a store that was not closed still lets go of its lock
        self.close()

    # -- opening --------------------------------------------------------------------------
    def _open(self, repair: bool) -> None:
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):  # until the locked file is the one at `path` (not renamed away)
            try:
                fd = open_regular(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o666)
            except FileAccessError as exc:
                raise ResultsFileError(f"{exc}; a results file must be a regular file") from None
            except OSError as exc:
                raise ResultsFileError(f"{path} cannot be opened as a results file: {exc}") from None
            try:
                exclusive_lock(fd, path, holder="another sweep")
            except FileAccessError as exc:
                os.close(fd)
                raise ResultsFileError(
                    f"{exc}; wait for that sweep to finish, or give another results file"
                ) from None
            if same_file(fd, path):
                break
            os.close(fd)
        else:  # pragma: no cover (the file keeps being replaced)
            raise ResultsFileError(f"{path} keeps being replaced by another process")
        self._fd = fd
        try:
            self._load(repair)
        except BaseException:
            self.close()
            raise

    def _load(self, repair: bool) -> None:
        data = _read_all(self._fd)
        lines = data.split(b"\n")
        tail = lines.pop()  # after the last newline: b"" when the file ends with one
        bad: list[tuple[int, bytes, str]] = []
        good: list[bytes] = []
        for lineno, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            record, why = _parse(raw)
            if record is None:
                bad.append((lineno, raw, why))
            elif "result" in record:
                key = cell_key(record["cell"])
                if key in self._records:
                    bad.append((lineno, raw, "repeats a cell already recorded"))
                    continue
                self._records[key] = record
                good.append(raw)
            else:
                self._failures[cell_key(record["cell"])] = record["failed"]
                good.append(raw)
        cut = bool(tail.strip())
        if cut and not tail.startswith(_RECORD_START):
            bad.append((len(lines) + 1, tail, "is not a record (and has no line end)"))
            cut = False
        if bad and not good:
            raise ResultsFileError(
                f"{self.path} is not a results file written by actlab (no line is a "
                "{'cell', 'result'} record); it was left untouched: give another path"
            )
        if bad and not repair:
            listed = "; ".join(f"line {n} {why}" for n, _, why in bad[:5])
            more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
            raise ResultsFileError(
                f"{self.path}: {listed}{more}. The file was written by two runs at once or damaged; "
                "it was left untouched. Repair it with repair=True (actlab compare --repair): the "
                f"good records are kept and the other lines set aside in {self._rejected_path().name}"
            )
        if bad:
            self._repair(good, [raw for _, raw, _ in bad] + ([tail] if cut else []))
        elif cut:
            os.ftruncate(self._fd, len(data) - len(tail))
            os.fsync(self._fd)
            self.notes.append(
                f"the last line of {self.path} was cut off mid-write (a run was "
                "killed); it was removed and its cell runs again"
            )

    def _rejected_path(self) -> Path:
        return self.path.with_name(self.path.name + ".rejected")

    def _repair(self, good: list[bytes], rejected: list[bytes]) -> None:
        """Set the rejected lines aside (appended to ``.rejected``), then replace the file with
        the good records and lock the new file before anyone else can."""
        aside = self._rejected_path()
        fd = open_regular(aside, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        try:
            _write_all(fd, b"".join(raw + b"\n" for raw in rejected))
            os.fsync(fd)
        finally:
            os.close(fd)
        write_atomic(self.path, b"".join(raw + b"\n" for raw in good))
        old, self._fd = self._fd, None
        try:
            self._fd = open_regular(self.path, os.O_RDWR | os.O_APPEND)
            exclusive_lock(self._fd, self.path, holder="another sweep")
        except FileAccessError as exc:
            raise ResultsFileError(f"{exc}; the repair was saved, run again") from None
        finally:
            os.close(old)
        self.notes.append(
            f"repaired {self.path}: kept {len(good)} records, set {len(rejected)} "
            f"damaged or repeated lines aside in {aside}"
        )


def _parse(raw: bytes) -> tuple[dict | None, str]:
    try:
        record = loads(raw)
    except (ValueError, RecursionError) as exc:
        return None, f"is not valid JSON ({getattr(exc, 'msg', exc)})"
    if not (
        isinstance(record, dict)
        and isinstance(record.get("cell"), dict)
        and (isinstance(record.get("result"), dict) or isinstance(record.get("failed"), dict))
    ):
        return None, "is not a {'cell', 'result'} record"
    return record, ""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_all(fd: int) -> bytes:
    parts = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        parts.append(chunk)
        offset += len(chunk)
    return b"".join(parts)
