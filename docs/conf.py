"""Sphinx configuration. Build: ``python -m sphinx -W --keep-going docs docs/_build/html``.

The pages under activations/, api/ and claims/ are generated at the start of every build by the
extension in _gen/ (from the registry, the package and docs/claims.md); the rest is written by
hand and says nothing about a particular activation.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS))
# Keras 3 defaults to TensorFlow, which no actlab extra installs; the Keras adapter uses PyTorch.
os.environ.setdefault("KERAS_BACKEND", "torch")
os.environ.setdefault("MPLBACKEND", "Agg")

import actlab  # noqa: E402

project = "actlab"
author = "The actlab authors"
copyright = "2026, the actlab authors"
release = version = actlab.__version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "_gen",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# claims.md is the report as `actlab claims` writes it; the build splits it into claims/.
exclude_patterns = ["_build", "_gen", "claims.md"]

myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
myst_dmath_double_inline = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"undoc-members": False}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

html_theme = "furo"
html_title = f"actlab {release}"
html_math_renderer = "mathml"
html_show_sourcelink = False
html_static_path = ["_static"]
html_css_files = ["actlab.css"]
