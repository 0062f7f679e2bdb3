"""actlab.sklearn: MLP estimators on actlab.nn that pass scikit-learn's checks and take any activation."""

from __future__ import annotations

import importlib
import pickle
import sys
import warnings

import numpy as np
import pytest

import actlab as al

pytest.importorskip("sklearn")
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from actlab.sklearn import MLPClassifier, MLPRegressor


@parametrize_with_checks([MLPClassifier(), MLPRegressor()])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def _classification(n=150, seed=0):
    x, y = make_classification(
        n_samples=n,
        n_features=4,
        n_informative=3,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=seed,
    )
    return StandardScaler().fit_transform(x), y


def test_grid_search_over_activations():
    x, y = _classification()
    grid = {"activation": ["relu", "gelu", "mish"]}
    search = GridSearchCV(MLPClassifier(hidden_layer_sizes=(16,), max_iter=60, random_state=0), grid, cv=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(x, y)
    assert list(search.cv_results_["param_activation"]) == grid["activation"]
    assert search.best_params_["activation"] in grid["activation"]
    assert min(search.cv_results_["mean_test_score"]) > 0.6  # chance is 1/3
    hidden = search.best_estimator_.model_.layers[0].activation
    assert hidden == al.get(search.best_params_["activation"])


def test_pipeline_and_parametrised_activation():
    x, y = make_regression(n_samples=200, n_features=3, noise=1.0, random_state=0)
    swish = {"name": "swish", "params": {"beta": 1.5}}
    pipe = make_pipeline(
        StandardScaler(),
        MLPRegressor((32,), activation=swish, learning_rate_init=0.01, max_iter=300, random_state=0),
    )
    pipe.fit(x, y / y.std())
    assert pipe.score(x, y / y.std()) > 0.9
    assert pipe[-1].model_.layers[0].activation == al.get("swish", beta=1.5)
    assert pipe[-1].out_activation_ is None  # a linear output for regression


@pytest.mark.parametrize("d", al.definitions(), ids=lambda d: d.name)
def test_every_activation_trains_or_says_why_not(d):
    x, y = _classification(n=40)
    clf = MLPClassifier(hidden_layer_sizes=(8,), activation=d.name, max_iter=3, random_state=0)
    if not d.differentiable:
        with pytest.raises(al.NotDifferentiableError):
            clf.fit(x, y)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
    assert clf.model_.layers[0].activation.definition is d
    proba = clf.predict_proba(x)
    assert proba.shape == (40, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(x)) <= set(clf.classes_)


def test_output_layer_follows_the_targets():
    x, y = _classification(n=60)
    binary = (y > 0).astype(int)
    multilabel = np.stack([y == 0, y == 1], axis=1).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = {
            name: MLPClassifier((8,), max_iter=5, random_state=0).fit(x, t)
            for name, t in (("multiclass", y), ("binary", binary), ("multilabel", multilabel))
        }
    assert fitted["multiclass"].out_activation_ == "softmax"
    assert fitted["binary"].out_activation_ == fitted["multilabel"].out_activation_ == "sigmoid"
    assert fitted["binary"].predict_proba(x).shape == (60, 2)
    assert fitted["multilabel"].predict_proba(x).shape == (60, 2)
    assert fitted["multilabel"].predict(x).shape == (60, 2)


def test_a_fitted_estimator_pickles_through_the_model_files():
    x, y = _classification(n=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier((8,), activation="mish", max_iter=5, random_state=0).fit(x, y)
    blob = pickle.dumps(clf)
    assert b"actlab.functions" not in blob  # no activation code referenced, only data
    again = pickle.loads(blob)
    np.testing.assert_array_equal(again.predict_proba(x), clf.predict_proba(x))
    assert isinstance(clf.model_, al.nn.Sequential)  # pickling left the original intact


def test_training_stops_when_the_loss_stops_improving():
    x, y = _classification(n=60)
    with pytest.warns(ConvergenceWarning, match="max_iter = 2"):
        MLPClassifier((8,), max_iter=2, random_state=0).fit(x, y)
    clf = MLPClassifier((8,), max_iter=500, tol=1e-2, n_iter_no_change=2, random_state=0).fit(x, y)
    assert clf.n_iter_ < 500 and len(clf.loss_curve_) == clf.n_iter_


def test_bad_settings_are_clear_errors():
    x, y = _classification(n=20)
    with pytest.raises(al.UnknownActivationError, match="did you mean"):
        MLPClassifier(activation="mishh").fit(x, y)
    with pytest.raises(al.ParameterError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(0,)).fit(x, y)
    with pytest.raises(al.ParameterError, match="optimizer"):
        MLPClassifier(solver="lbfgs").fit(x, y)


def test_missing_scikit_learn_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.base", None)
    monkeypatch.delitem(sys.modules, "actlab.sklearn")
    monkeypatch.delitem(sys.modules, "actlab.interop.sklearn_mlp")
    with pytest.raises(al.MissingExtraError, match=r"pip install 'actlab\[sklearn\]'"):
        importlib.import_module("actlab.sklearn")
