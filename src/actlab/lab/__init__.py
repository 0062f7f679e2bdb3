"""The lab: datasets, activation comparisons, sweeps and the claims checker.

``actlab.lab.compare(...)`` trains one architecture with several activations over seeds;
``actlab.lab.claims.run_claims()`` checks every claim of the seed texts. Needs the ``lab`` extra
for scikit-learn's bundled datasets and joblib's parallel sweeps.
"""

from . import datasets
from .comparison import compare, default_activations, run_comparisons
from .datasets import Dataset

__all__ = ["Dataset", "compare", "datasets", "default_activations", "run_comparisons"]
