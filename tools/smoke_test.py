"""Smoke test of an installed actlab, run from outside the source tree (CI runs it against the
wheel in a fresh virtual environment): the package, its data files and its command line work.

    python tools/smoke_test.py [SOURCE_ROOT]

With SOURCE_ROOT, every file git tracks under src/actlab must also be installed, so package
data left out of the wheel (the report's JavaScript and CSS, py.typed) is caught here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from importlib import metadata, resources
from pathlib import Path

import numpy as np

import actlab as al


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"smoke test failed: {what}")
    print(f"ok  {what}")


def main(argv: list[str]) -> None:
    installed = Path(al.__file__).resolve().parent
    check("site-packages" in installed.parts, f"actlab is imported from an installation ({installed})")
    check(metadata.version("actlab") == al.__version__, f"one version: {al.__version__}")
    check(resources.files("actlab").joinpath("py.typed").is_file(), "py.typed is installed")
    x = np.linspace(-3.0, 3.0, 7, dtype=np.float32)
    check(
        all(al.get(d)(x).dtype == x.dtype for d in al.definitions() if d.elementwise),
        f"all {len(al.names())} activations import and compute",
    )

    if argv:  # compare with the source tree: nothing it tracks may be missing
        root = Path(argv[0]).resolve()
        tracked = subprocess.run(
            ["git", "-C", str(root), "ls-files", "src/actlab"], check=True, capture_output=True, text=True
        ).stdout.split()
        missing = [p for p in tracked if not (installed / Path(p).relative_to("src/actlab")).is_file()]
        check(
            not missing, f"every file of src/actlab is installed ({len(tracked)} files); missing: {missing}"
        )

    actlab_cli = Path(sys.executable).with_name("actlab")
    out = subprocess.run([str(actlab_cli), "list"], check=True, capture_output=True, text=True).stdout
    check(all(name in out for name in al.names()), "`actlab list` lists every activation")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [str(actlab_cli), "report", "--gallery-only", "-o", folder],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, "MPLBACKEND": "Agg"},
        )
        page = (Path(folder) / "report.html").read_text(encoding="utf-8")
        assets = resources.files("actlab.viz.report").joinpath("assets")
        scripts = [a.read_text(encoding="utf-8") for a in assets.iterdir() if a.name.endswith(".js")]
        check(
            bool(scripts) and all(s.strip()[:200] in page for s in scripts),
            "`actlab report` writes a page with the report's installed JavaScript inlined",
        )


if __name__ == "__main__":
    main(sys.argv[1:])
