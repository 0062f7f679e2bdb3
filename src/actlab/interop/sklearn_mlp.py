"""scikit-learn estimators on :mod:`actlab.nn`: multi-layer perceptrons with any actlab activation.

``MLPClassifier`` and ``MLPRegressor`` take the parameters of scikit-learn's own MLPs that
actlab.nn has a meaning for, and an ``activation`` that is anything :func:`actlab.get` accepts
(a name or alias, or a config dict ``{"name": "swish", "params": {"beta": 1.5}}``), where
scikit-learn's offer four names. So ``GridSearchCV(MLPClassifier(), {"activation": ["relu",
"gelu", "mish"]})`` compares activations like any other hyperparameter.

Each hidden layer is ``actlab.nn.Dense(units, activation)``, initialised from the activation's
metadata (He, Glorot or LeCun). The output layer is the loss's canonical link: a sigmoid with
binary cross-entropy (two classes, or multi-label targets), a softmax with categorical
cross-entropy (more classes), nothing with squared error (regression). Training is mini-batch
gradient descent in float64 for at most ``max_iter`` epochs, stopping once the training loss
has not improved by ``tol`` for ``n_iter_no_change`` epochs; reaching ``max_iter`` first is a
``ConvergenceWarning``, as in scikit-learn.

Not offered: L2 penalty ``alpha``, learning-rate schedules, ``warm_start``, ``partial_fit``,
``early_stopping`` on a validation split, sparse input and sample weights. Give activations as
names or config dicts: an ``actlab.Activation`` object cannot be deep-copied, which
``sklearn.clone`` needs.
"""

from __future__ import annotations

import tempfile
import warnings
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np

from .. import nn
from ..core import MissingExtraError, ParameterError
from ..nn.losses import get_loss

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.preprocessing import LabelBinarizer
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data
except ImportError:
    raise MissingExtraError("scikit-learn", "sklearn", "actlab.sklearn") from None

_FLOATS = (np.float64, np.float32)


class _BaseMLP(BaseEstimator):
    """What the classifier and the regressor share: the network, its training, its pickling."""

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        learning_rate_init=0.001,
        batch_size="auto",
        max_iter=200,
        tol=1e-4,
        n_iter_no_change=10,
        shuffle=True,
        random_state=None,
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose

    def _train(self, X: np.ndarray, Y: np.ndarray, loss: str) -> None:
        """Build ``model_`` for inputs X and targets Y (samples, outputs) and train it."""
        link = get_loss(loss).link
        layers = [nn.Dense(units, activation=self.activation) for units in _sizes(self.hidden_layer_sizes)]
        layers.append(nn.Dense(Y.shape[1], activation=link))
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        model = nn.Sequential(layers, input_dim=X.shape[1], dtype="float64", seed=seed)
        model.compile(loss, {"name": self.solver, "lr": self.learning_rate_init})
        batch = min(200, len(X)) if self.batch_size == "auto" else self.batch_size
        stop = nn.EarlyStopping("loss", min_delta=self.tol, patience=self.n_iter_no_change)
        history = model.fit(
            X,
            Y,
            epochs=self.max_iter,
            batch_size=batch,
            shuffle=self.shuffle,
            callbacks=[stop],
            verbose=2 if self.verbose else 0,
        )
        self.model_ = model
        self.loss_curve_ = list(history["loss"])
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else float("nan")
        self.n_iter_ = len(self.loss_curve_)
        self.out_activation_ = link  # None: a linear output
        if stop.stopped_epoch is None and history.stop_reason is None and self.max_iter > 0:
            warnings.warn(
                f"stopped after max_iter = {self.max_iter} epochs without converging "
                f"(the loss still improved by more than tol = {self.tol} within "
                f"{self.n_iter_no_change} epochs); raise max_iter",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _outputs(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_FLOATS)
        return self.model_.predict(X)

    # actlab.nn models hold registry objects, which do not pickle: a fitted estimator travels
    # as the model's own files (JSON + .npz), read back with actlab.nn.load_model.
    def __getstate__(self) -> dict:
        state = dict(super().__getstate__())  # a copy: the estimator itself keeps its model
        if "model_" in state:
            with tempfile.TemporaryDirectory() as tmp:
                spec, weights = nn.save_model(self.model_, Path(tmp) / "model")
                state["model_"] = {"json": spec.read_bytes(), "npz": weights.read_bytes()}
        return state

    def __setstate__(self, state: dict) -> None:
        files = state.get("model_")
        if isinstance(files, dict):
            with tempfile.TemporaryDirectory() as tmp:
                base = Path(tmp) / "model"
                Path(f"{base}.json").write_bytes(files["json"])
                Path(f"{base}.npz").write_bytes(files["npz"])
                state["model_"] = nn.load_model(base)
        super().__setstate__(state)


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multi-layer perceptron classifier on actlab.nn, with any actlab activation.

    Args:
        hidden_layer_sizes: units of each hidden layer, e.g. ``(64, 32)``.
        activation: the hidden layers' activation: a name or alias (``"mish"``, ``"silu"``) or a
            config dict ``{"name": ..., "params": {...}}``.
        solver: the optimizer: ``"adam"``, ``"sgd"``, ``"momentum"`` or ``"rmsprop"``.
        learning_rate_init: its learning rate.
        batch_size: samples per step; ``"auto"`` is min(200, n_samples).
        max_iter: the most epochs; ``tol`` and ``n_iter_no_change`` stop earlier.
        shuffle: reshuffle the samples every epoch.
        random_state: None, an int or a RandomState: initial weights and shuffling.
        verbose: print a line per epoch.

    Attributes: ``classes_``, ``model_`` (the trained ``actlab.nn.Sequential``), ``loss_``,
    ``loss_curve_``, ``n_iter_``, ``out_activation_``, ``n_features_in_``.
    """

    def fit(self, X, y):
        """Train on X (samples, features) and class labels y (or a multi-label indicator matrix)."""
        X, y = validate_data(self, X, y, multi_output=True, dtype=_FLOATS)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self._label_binarizer = LabelBinarizer().fit(y)
        self.classes_ = self._label_binarizer.classes_
        Y = self._label_binarizer.transform(y).astype(np.float64)
        loss = (
            "categorical_crossentropy"
            if self._label_binarizer.y_type_ == "multiclass"
            else "binary_crossentropy"
        )
        self._train(X, Y, loss)
        return self

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, (samples, classes); for multi-label targets, one per label."""
        p = self._outputs(X)  # first: it says so if the estimator is not fitted
        return np.hstack([1.0 - p, p]) if self._label_binarizer.y_type_ == "binary" else p

    def predict_log_proba(self, X) -> np.ndarray:
        with np.errstate(divide="ignore"):  # a probability that rounds to 0 has log −inf
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class (a probability above ½ for binary and multi-label targets)."""
        p = self._outputs(X)
        return self._label_binarizer.inverse_transform(p)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multi-layer perceptron regressor on actlab.nn, with any actlab activation.

    Takes the arguments of :class:`MLPClassifier`; the output layer is linear and the loss
    the mean squared error. ``y`` may have several columns (multi-output regression).
    """

    def fit(self, X, y):
        """Train on X (samples, features) and targets y (samples,) or (samples, outputs)."""
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=_FLOATS)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        self._single_output = y.ndim == 1
        self._train(X, np.asarray(y, dtype=np.float64).reshape(len(y), -1), "mse")
        return self

    def predict(self, X) -> np.ndarray:
        out = self._outputs(X)
        return out.ravel() if self._single_output else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags


def _sizes(hidden_layer_sizes: Any) -> list[int]:
    sizes = [hidden_layer_sizes] if isinstance(hidden_layer_sizes, Integral) else list(hidden_layer_sizes)
    if not all(isinstance(n, Integral) and not isinstance(n, bool) and n > 0 for n in sizes):
        raise ParameterError(
            f"hidden_layer_sizes = {hidden_layer_sizes!r}; expected positive "
            "integers, e.g. (100,) or (64, 32)"
        )
    return [int(n) for n in sizes]
