"""Metrics reported during training and evaluation (batch means, averaged over an epoch)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..core import ParameterError


def accuracy(p: np.ndarray, y: np.ndarray) -> float:
    """The fraction of samples classified correctly.

    Integer labels y: argmax p = y. One-hot rows: argmax p = argmax y. A single output column:
    (p > ½) = (y > ½), the binary decision of a sigmoid output.
    """
    if y.ndim == 1:
        hits = np.argmax(p, axis=1) == y
    elif y.shape[1] > 1:
        hits = np.argmax(p, axis=1) == np.argmax(y, axis=1)
    else:
        hits = (p > 0.5) == (y > 0.5)
    return float(np.mean(hits))


METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {"accuracy": accuracy}


def get_metrics(names) -> dict[str, Callable[[np.ndarray, np.ndarray], float]]:
    """The metric functions for a list of names (see ``METRICS``)."""
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in METRICS]
    if unknown:
        raise ParameterError(f"unknown metric {unknown[0]!r}; expected any of: {', '.join(METRICS)}")
    return {n: METRICS[n] for n in names}
