"""Doctest collection for the package's docstrings and the docs' guides.

``pytest --doctest-modules --doctest-glob='*.md' src/actlab docs`` runs every example. An
example that needs an optional extra is skipped, with the reason, where the extra is absent:

- a module whose import raises :class:`actlab.MissingExtraError` (``actlab.torch`` without
  torch, ...) is skipped with that error's message, which names the extra to install;
- a Markdown page whose examples need an extra says so in a comment,
  ``<!-- doctest-requires: torch keras -->``, and is skipped unless those modules import.

This file sits at the repository's root because a conftest governs only the files below it.
"""
from __future__ import annotations

import importlib.util
import os
import re

import pytest
# pytest's own doctest collectors, extended below (pytest exposes no public hook for this).
from _pytest.doctest import DoctestModule, DoctestTextfile

# Keras 3 defaults to TensorFlow, which no actlab extra installs; its examples use PyTorch.
os.environ.setdefault("KERAS_BACKEND", "torch")

_REQUIRES = re.compile(r"<!--\s*doctest-requires:\s*([\w. ]+?)\s*-->")


class _ModuleDoctests(DoctestModule):
    def collect(self):
        from actlab.core.errors import MissingExtraError

        try:
            self.obj  # imports the module; pytest wraps what its import raised
        except pytest.Collector.CollectError as exc:
            if isinstance(exc.__cause__, MissingExtraError):
                pytest.skip(str(exc.__cause__))
            raise
        yield from super().collect()


class _PageDoctests(DoctestTextfile):
    def collect(self):
        wanted = [m for found in _REQUIRES.findall(self.path.read_text(encoding="utf-8"))
                  for m in found.split()]
        missing = [m for m in wanted if importlib.util.find_spec(m) is None]
        if missing:
            pytest.skip(f"{self.path.name} needs {', '.join(missing)} "
                        "(an optional extra: see the page's install line)")
        yield from super().collect()


_REPLACE = {DoctestModule: _ModuleDoctests, DoctestTextfile: _PageDoctests}


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    return [_REPLACE[type(c)].from_parent(parent, path=file_path) if type(c) in _REPLACE else c
            for c in collectors]
