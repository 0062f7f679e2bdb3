"""What a fresh process pays before its first result: ``import actlab``, and a kernel's first call
with numba's caches empty (cold) and filled (warm). Each is measured in a new interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

_IMPORT = """
import time
t0 = time.perf_counter()
import numpy
t1 = time.perf_counter()
import actlab
t2 = time.perf_counter()
print(t1 - t0, t2 - t0)
"""

_FIRST_CALL = """
import json, sys, time
import numpy as np
import actlab
t0 = time.perf_counter()
import numba
out = {"import numba": time.perf_counter() - t0}
x = np.linspace(-3, 3, 1000, dtype=np.float32)
for name in sys.argv[1:]:
    act = actlab.get(name)
    t0 = time.perf_counter()
    act(x)
    t1 = time.perf_counter()
    act.vjp(x, x)
    t2 = time.perf_counter()
    out[name] = {"forward_s": t1 - t0, "backward_s": t2 - t1}
print(json.dumps(out))
"""


def _python(code: str, *args: str, env: dict | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return done.stdout.strip()


def import_time(repeats: int = 5) -> dict:
    """Median seconds of ``import numpy`` and of ``import numpy; import actlab`` in new processes."""
    runs = np.array([[float(v) for v in _python(_IMPORT).split()] for _ in range(repeats)])
    numpy_s, total_s = np.median(runs, axis=0)
    return {"numpy_s": float(numpy_s), "actlab_s": float(total_s), "repeats": repeats}


def first_call(names=("relu", "gelu", "mish")) -> dict:
    """Seconds of each activation's first forward and backward call in a new process (numba
    imported beforehand, and timed): with numba's caches and actlab's kernel directory empty
    (cold: compilation), then again with them filled by that run (warm: loading compiled
    code)."""
    with tempfile.TemporaryDirectory(prefix="actlab-bench-cache-") as cache:
        env = {
            "NUMBA_CACHE_DIR": os.path.join(cache, "numba"),
            "ACTLAB_CACHE_DIR": os.path.join(cache, "kernels"),
        }
        cold = json.loads(_python(_FIRST_CALL, *names, env=env))
        warm = json.loads(_python(_FIRST_CALL, *names, env=env))
    return {"cold": cold, "warm": warm}
