"""Bad input gets an error that says what was wrong and what is allowed."""

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.nn.losses import LOSSES
from actlab.nn.metrics import METRICS
from actlab.nn.optimizers import OPTIMIZERS


@pytest.fixture
def model():
    m = nn.Sequential(
        [nn.Dense(8, activation="relu", input_dim=4), nn.Dense(3, activation="softmax")], seed=0
    )
    m.compile("sparse_categorical_crossentropy", "adam", metrics=["accuracy"])
    return m


X = np.random.default_rng(0).normal(size=(10, 4))
Y = np.arange(10) % 3


def test_input_width_mismatch(model):
    with pytest.raises(nn.DataError, match="5 features per sample, but the model's input width is 4"):
        model.fit(np.zeros((10, 5)), Y, verbose=0)
    with pytest.raises(nn.DataError, match="input width is 4"):
        model.predict(np.zeros((2, 7)))


def test_one_dimensional_input_suggests_a_reshape(model):
    with pytest.raises(nn.DataError, match=r"2-D.*reshape\(-1, 1\)"):
        model.predict(np.zeros(4))


def test_non_numeric_input(model):
    with pytest.raises(al.InputTypeError, match="real numbers"):
        model.predict(np.array([["a", "b", "c", "d"]]))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_names_where(model, bad):
    x = X.copy()
    x[3, 2] = bad
    with pytest.raises(nn.DataError, match=f"x contains {bad} at row 3, column 2"):
        model.fit(x, Y, verbose=0)


def test_sample_counts_must_agree(model):
    with pytest.raises(nn.DataError, match="x has 10, y has 9"):
        model.fit(X, Y[:9], verbose=0)


def test_labels_out_of_range(model):
    y = Y.copy()
    y[4] = 3
    with pytest.raises(nn.DataError, match=r"label 3 at row 4 is out of range.*\[0, 2\]"):
        model.fit(X, y, verbose=0)
    with pytest.raises(nn.DataError, match="whole-number class labels"):
        model.fit(X, Y + 0.5, verbose=0)


def test_one_hot_targets_for_a_sparse_loss_and_the_reverse(model):
    with pytest.raises(nn.DataError, match="categorical_crossentropy"):
        model.fit(X, np.eye(3)[Y], verbose=0)
    model.compile("categorical_crossentropy")
    with pytest.raises(nn.DataError, match=r"shape \(samples, 3\); y has shape \(10,\).*sparse_categorical"):
        model.fit(X, Y, verbose=0)


def test_binary_targets_must_be_probabilities():
    m = nn.Sequential([nn.Dense(1, activation="sigmoid", input_dim=4)])
    m.compile("binary_crossentropy")
    with pytest.raises(nn.DataError, match=r"in \[0, 1\]"):
        m.fit(X, np.full(10, 2.0), verbose=0)


def test_unknown_names_list_what_is_allowed(model):
    with pytest.raises(al.ParameterError, match=", ".join(LOSSES)):
        model.compile("hinge")
    with pytest.raises(al.ParameterError, match=", ".join(OPTIMIZERS)):
        model.compile("mse", optimizer="lbfgs")
    with pytest.raises(al.ParameterError, match=", ".join(METRICS)):
        model.compile("mse", metrics=["f1"])
    with pytest.raises(al.UnknownActivationError, match="did you mean 'relu'"):
        nn.Dense(3, activation="rellu")


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.Dense(0), "units = 0"),
        (lambda: nn.Dense(2.5), "positive integer"),
        (lambda: nn.Dropout(1.0), r"\[0, 1\)"),
        (lambda: nn.Maxout(3, pieces=0), "pieces = 0"),
        (lambda: nn.Adam(lr=-1), r"lr = -1 is out of range; expected a number in \(0, inf\)"),
        (lambda: nn.Momentum(momentum=1.0), r"momentum.*\[0, 1\)"),
        (lambda: nn.Sequential(dtype="float16"), "float32, float64"),
        (lambda: nn.Sequential(seed=-1), "non-negative integer"),
        (lambda: nn.EarlyStopping(mode="up"), "'auto', 'min' or 'max'"),
        (lambda: nn.Activation("softmax", trainable=True), "learnable parameters are: none"),
        (
            lambda: nn.Sequential([nn.Dense(3, activation=al.get("softmax", axis=0))], input_dim=2).build(),
            "feature axis",
        ),
    ],
)
def test_bad_settings(make, message):
    with pytest.raises(al.ParameterError, match=message):
        make()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": -1}, "epochs = -1"),
        ({"batch_size": 0}, "batch_size = 0"),
        ({"verbose": 3}, "verbose = 3"),
        ({"validation_split": 1.5}, r"fraction in \[0, 1\)"),
        ({"validation_data": (X,)}, "pair"),
        ({"callbacks": [print]}, "Callback"),
    ],
)
def test_bad_fit_arguments(model, kwargs, message):
    with pytest.raises(al.ParameterError, match=message):
        model.fit(X, Y, **kwargs)


def test_training_needs_compile_and_structure_needs_a_width():
    m = nn.Sequential([nn.Dense(2)])
    with pytest.raises(al.ParameterError, match="compile"):
        m.fit(X, Y)
    with pytest.raises(al.ParameterError, match="input width is unknown|build"):
        m.summary()
    with pytest.raises(al.ParameterError, match="no layers"):
        nn.Sequential().build(3)
    with pytest.raises(al.ParameterError, match="actlab.nn layer"):
        nn.Sequential().add("dense")


def test_a_model_without_parameters_cannot_be_trained():
    m = nn.Sequential([nn.Activation("tanh"), nn.Softmax()], input_dim=4)
    m.compile("sparse_categorical_crossentropy")
    with pytest.raises(al.ParameterError, match="no parameters to train"):
        m.fit(X, Y, verbose=0)
    assert m.predict(X).shape == (10, 4)
