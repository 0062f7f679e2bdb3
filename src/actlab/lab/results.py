"""An append-only JSON-lines file of finished sweep cells: the record a killed run resumes from.

One line per finished cell, ``{"cell": {...}, "result": {...}}``, written and flushed to disk as
soon as the cell finishes. A run killed mid-write leaves at most one partial last line; opening
the file cuts it off, so the cell is simply run again. Cells are identified by their canonical
JSON (sorted keys), so the order of a grid's axes does not matter.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

from ..core.errors import ParameterError


def cell_key(cell: dict) -> str:
    """The identity of a cell: its parameters as canonical JSON."""
    return json.dumps(cell, sort_keys=True, separators=(",", ":"))


class ResultStore:
    """Finished cells on disk (``path``) or in memory (``path=None``)."""

    def __init__(self, path: str | Path | None):
        self.path = Path(path) if path is not None else None
        self._records: dict[str, dict] = {}
        if self.path is not None and self.path.exists():
            self._cut_partial_line()
            for lineno, record in self._read():
                key = cell_key(record["cell"])
                if key in self._records:
                    raise ParameterError(f"{self.path}: line {lineno} repeats a cell already recorded; "
                                         "the file was edited or written by two runs at once")
                self._records[key] = record

    def __contains__(self, cell: dict) -> bool:
        return cell_key(cell) in self._records

    def __len__(self) -> int:
        return len(self._records)

    def get(self, cell: dict) -> dict | None:
        record = self._records.get(cell_key(cell))
        return None if record is None else record["result"]

    def add(self, cell: dict, result: dict) -> None:
        """Record a finished cell; on disk the line is flushed and synced before returning."""
        key = cell_key(cell)
        if key in self._records:
            raise ParameterError(f"cell {key} is already recorded")
        record = {"cell": cell, "result": result}
        line = json.dumps(record, sort_keys=True, allow_nan=False)  # strict JSON: no NaN tokens
        self._records[key] = record
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())

    def _cut_partial_line(self) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            with self.path.open("r+b") as fh:
                fh.truncate(data.rfind(b"\n") + 1)

    def _read(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self.path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ParameterError(f"{self.path}: line {lineno} is not valid JSON ({exc.msg}); "
                                         "it is not a results file written by actlab") from None
                if not (isinstance(record, dict) and isinstance(record.get("cell"), dict)
                        and isinstance(record.get("result"), dict)):
                    raise ParameterError(f"{self.path}: line {lineno} is not a {{'cell', 'result'}} record")
                yield lineno, record
