"""Benchmark every elementwise activation through the public API (see actlab.bench, which is
also ``actlab bench``): forward, backward and derivative at sizes 1e1..1e7 against the copy
limit, the seed texts' NumPy formulas, PyTorch eager and JAX jit; memory, overhead, start-up.

    python benchmarks/bench_activations.py              # full run: table, artifacts/*.json, *.md
    python benchmarks/bench_activations.py --quick      # 1e1, 1e4, 1e6 elements, 5 repeats
    python benchmarks/bench_activations.py --only gelu swish --sizes 1e7
"""

import sys

from actlab.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
