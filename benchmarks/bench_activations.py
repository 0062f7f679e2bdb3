"""Benchmark every elementwise activation, forward and fused backward, on float32 arrays of 1e6
and 1e7 elements, against the memory-copy limit, the seed texts' naive NumPy formulas, PyTorch
eager and JAX jit (see actlab.kernels.bench, which is also ``actlab bench``).

    python benchmarks/bench_activations.py              # full run: table, artifacts/*.json
    python benchmarks/bench_activations.py --quick      # 1e6 elements, 5 repeats
    python benchmarks/bench_activations.py --json results.json
"""
import sys

from actlab.kernels.bench import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
