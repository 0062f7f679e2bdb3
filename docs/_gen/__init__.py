"""The docs' Sphinx extension: generates the pages that come from the code, then lets Sphinx
read them. Every page under ``activations/``, ``api/`` and ``claims/`` is written here, from the
registry, the package's modules and ``docs/claims.md``; none is edited by hand.
"""

from __future__ import annotations

from pathlib import Path

from . import activations, api, claims, docstrings, mathml

DOCS = Path(__file__).resolve().parents[1]
GENERATED = ("activations", "api", "claims")  # the folders this extension owns, under docs/


def generate(app=None) -> None:
    """Write every generated page (only files whose content changed are touched)."""
    activations.write(DOCS / "activations", frameworks_page=DOCS / "frameworks.md")
    api.write(DOCS / "api")
    claims.write(DOCS / "claims.md", DOCS / "claims")


def setup(app):
    mathml.setup(app)
    docstrings.setup(app)
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
