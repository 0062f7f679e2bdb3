"""Doctest collection for the package's docstrings and the docs' guides.

``pytest --doctest-modules --doctest-glob='*.md' src/actlab docs`` runs every example. An
example that needs an optional extra is skipped, with the reason, where the extra is absent:

- a module whose import raises :class:`actlab.MissingExtraError` (``actlab.torch`` without
  torch, ...) is skipped with that error's message, which names the extra to install, and so
  is one whose import fails for want of a module that an extra installs (``numba``);
- a Markdown page whose examples need an extra says so in a comment,
  ``<!-- doctest-requires: torch keras -->``, and is skipped unless those modules import.

In Markdown the examples sit in fenced code blocks; the fence that closes a block also closes
the expected output of its last example (doctest itself would read it as output).

This file sits at the repository's root because a conftest governs only the files below it.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re

import pytest
from packaging.requirements import Requirement

# pytest's own doctest collectors, extended below (pytest exposes no public hook for this).
from _pytest.doctest import DoctestModule, DoctestTextfile

# Keras 3 defaults to TensorFlow, which no actlab extra installs; its examples use PyTorch.
os.environ.setdefault("KERAS_BACKEND", "torch")

_REQUIRES = re.compile(r"<!--\s*doctest-requires:\s*([\w. ]+?)\s*-->")
_CLOSING_FENCE = re.compile(r"^ *(```|~~~)\s*\Z", re.MULTILINE)


def _extras_providing(module: str) -> list[str]:
    """The extras of actlab whose requirements include the distribution named like ``module``."""

    def norm(name: str) -> str:
        return name.lower().replace("-", "_")

    extras = []
    for line in importlib.metadata.requires("actlab") or []:
        req = Requirement(line)
        if norm(req.name) == norm(module) and req.marker is not None:
            extras += re.findall(r'extra\s*==\s*"([^"]+)"', str(req.marker))
    return sorted(set(extras))


def _missing_extra(error: BaseException | None) -> str | None:
    """Why a module could not be imported, if it was for want of an optional dependency."""
    from actlab.core.errors import MissingExtraError

    if isinstance(error, MissingExtraError):
        return str(error)
    if isinstance(error, ModuleNotFoundError) and error.name:
        top = error.name.split(".")[0]
        extras = _extras_providing(top)
        if extras:
            extra = top if top in extras else extras[0]
            return f"needs the optional dependency {top!r}; install it with: pip install 'actlab[{extra}]'"
    return None


class _ModuleDoctests(DoctestModule):
    def collect(self):
        try:
            _ = self.obj  # imports the module; pytest wraps what its import raised
        except pytest.Collector.CollectError as exc:
            reason = _missing_extra(exc.__cause__)
            if reason:
                pytest.skip(reason)
            raise
        yield from super().collect()


class _PageDoctests(DoctestTextfile):
    def collect(self):
        wanted = [
            m for found in _REQUIRES.findall(self.path.read_text(encoding="utf-8")) for m in found.split()
        ]
        missing = [m for m in wanted if importlib.util.find_spec(m) is None]
        if missing:
            pytest.skip(
                f"{self.path.name} needs {', '.join(missing)} "
                "(an optional extra: see the page's install line)"
            )
        for item in super().collect():
            for example in item.dtest.examples:
                example.want = _CLOSING_FENCE.sub("", example.want)
                if example.exc_msg is not None:
                    example.exc_msg = _CLOSING_FENCE.sub("", example.exc_msg)
            yield item


_REPLACE = {DoctestModule: _ModuleDoctests, DoctestTextfile: _PageDoctests}


@pytest.hookimpl(wrapper=True)
def pytest_collect_file(file_path, parent):
    collectors = yield
    return [
        _REPLACE[type(c)].from_parent(parent, path=file_path) if type(c) in _REPLACE else c
        for c in collectors
    ]
