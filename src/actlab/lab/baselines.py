"""The linear baseline of a dataset: what a model without any hidden nonlinearity reaches.

A network's score means little until it is set against a linear model on the same split: on a
dataset that a linear model solves, activations cannot be told apart. Computed, never written
down, on the same standardised inputs (flattened) and the same split as the networks:

- classification: multinomial logistic regression (scikit-learn's ``LogisticRegression``: L2
  penalty with C = 1, L-BFGS, up to 1000 iterations), scored by test accuracy;
- regression: ordinary least squares, scored by test mean squared error (on the standardised
  targets, as the networks are).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..core.errors import MissingExtraError
from .datasets import Dataset

MAX_ITER = 1000


def describe(task: str) -> str:
    """The baseline model, in words."""
    if task == "classification":
        return "logistic regression (L2, C = 1)"
    return "least squares"


def linear_baseline(
    ds: Dataset, x_train: np.ndarray | None = None, y_train: np.ndarray | None = None
) -> dict:
    """``{"model", "test_accuracy" | "test_mse", "converged"}`` on ``ds``'s test set, fitted on
    its training set (or on the given part of it: the samples the networks trained on)."""
    x_train = ds.x_train if x_train is None else x_train
    y_train = ds.y_train if y_train is None else y_train
    x_train, x_test = x_train.reshape(len(x_train), -1), ds.x_test.reshape(len(ds.x_test), -1)
    if ds.task == "regression":
        design = np.c_[x_train, np.ones(len(x_train))]
        coef = np.linalg.lstsq(design, y_train, rcond=None)[0]
        residual = np.c_[x_test, np.ones(len(x_test))] @ coef - ds.y_test
        return {"model": describe(ds.task), "test_mse": float(np.mean(residual**2)), "converged": True}
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        raise MissingExtraError("scikit-learn", "lab", "the linear baseline") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = LogisticRegression(C=1.0, max_iter=MAX_ITER).fit(x_train, y_train)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    return {
        "model": describe(ds.task),
        "test_accuracy": float(model.score(x_test, ds.y_test)),
        "converged": converged,
    }
