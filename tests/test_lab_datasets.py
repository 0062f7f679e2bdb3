"""Datasets: every source splits and standardises alike; user arrays and files work the same way."""

import numpy as np
import pytest

from actlab import ParameterError
from actlab.core.errors import MissingExtraError
from actlab.lab import datasets

pytest.importorskip("sklearn")


# Small versions where a dataset takes options, to keep the run fast.
SMALL = {"mnist1d": {"n_train": 200, "n_test": 100}}


def load_or_skip(name, **kwargs):
    try:
        return datasets.load(name, **SMALL.get(name, {}), **kwargs)
    except MissingExtraError as exc:
        pytest.skip(str(exc))


@pytest.mark.parametrize("name", datasets.available())
def test_every_dataset_is_split_and_standardised(name):
    ds = load_or_skip(name, seed=0)
    assert ds.x_train.shape[1:] == ds.x_test.shape[1:] == ds.input_shape
    assert ds.n_features == np.prod(ds.input_shape)
    assert len(ds.x_train) == len(ds.y_train) and len(ds.x_test) == len(ds.y_test)
    n = len(ds.x_train) + len(ds.x_test)
    expected = SMALL[name]["n_test"] / n if name in SMALL else 0.25
    assert abs(len(ds.x_test) / n - expected) < 0.02
    # Per feature, or per channel over every position.
    every_but_last = tuple(range(ds.x_train.ndim - 1))
    spread = ds.x_train.std(axis=every_but_last)
    varying = spread > 0
    np.testing.assert_allclose(ds.x_train.mean(axis=every_but_last), 0.0, atol=1e-9)
    np.testing.assert_allclose(spread[varying], 1.0, rtol=1e-9)
    if ds.task == "classification":
        assert ds.y_train.dtype == np.int64
        assert set(np.unique(np.r_[ds.y_train, ds.y_test])) == set(range(ds.n_classes))
    else:
        assert ds.y_train.dtype == np.float64
        assert abs(ds.y_train.mean()) < 1e-9 and abs(ds.y_train.std() - 1) < 1e-9


def test_digits_is_the_default_and_the_split_is_stratified():
    ds = datasets.load()
    assert ds.name == "digits" and ds.n_classes == 10 and ds.n_features == 64
    train_share = np.bincount(ds.y_train) / len(ds.y_train)
    test_share = np.bincount(ds.y_test) / len(ds.y_test)
    np.testing.assert_allclose(train_share, test_share, atol=0.01)


def test_the_seed_fixes_data_and_split():
    a, b, c = datasets.load("moons", seed=1), datasets.load("moons", seed=1), datasets.load("moons", seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, c.x_train)
    d1, d2 = datasets.load("wine", seed=1), datasets.load("wine", seed=2)
    assert not np.array_equal(d1.y_test, d2.y_test)


def test_generator_options():
    ds = datasets.load("spirals", arms=5, n_samples=500)
    assert ds.n_classes == 5 and len(ds.x_train) + len(ds.x_test) == 500
    with pytest.raises(ParameterError, match="arms"):
        datasets.load("spirals", arms=1)
    with pytest.raises(ParameterError, match="bad options"):
        datasets.load("xor", wings=3)


def test_xor_labels_follow_the_signs():
    ds = datasets.load("xor", noise=0.01, seed=3)
    x = np.r_[ds.x_train, ds.x_test]
    y = np.r_[ds.y_train, ds.y_test]
    # Standardising keeps the signs here (the four blobs are symmetric about 0 up to noise).
    assert np.mean((np.sign(x[:, 0]) != np.sign(x[:, 1])) == y) > 0.95


def test_user_arrays_npz_and_csv_give_the_same_dataset(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3))
    y = rng.integers(0, 3, 60)
    from_arrays = datasets.load((x, y), seed=4)
    np.savez(tmp_path / "mine.npz", x=x, y=y)
    from_npz = datasets.load(tmp_path / "mine.npz", seed=4)
    np.savetxt(
        tmp_path / "mine.csv", np.c_[x, y], delimiter=",", header="a,b,c,label", comments="", fmt="%.17g"
    )
    from_csv = datasets.load(tmp_path / "mine.csv", seed=4, target="label")
    for other in (from_npz, from_csv):
        np.testing.assert_allclose(other.x_train, from_arrays.x_train, rtol=1e-12)
        np.testing.assert_array_equal(other.y_test, from_arrays.y_test)
    assert from_arrays.task == from_csv.task == "classification"


def test_csv_text_labels_and_presplit_npz(tmp_path):
    (tmp_path / "flowers.csv").write_text(
        "1.0,2.0,red\n2.0,1.0,blue\n3.0,3.0,red\n0.5,1.5,blue\n"
        "1.5,2.5,red\n2.5,0.5,blue\n3.5,1.0,red\n0.1,0.2,blue\n"
    )
    ds = datasets.load(tmp_path / "flowers.csv", test_size=0.5)
    assert ds.classes == ("blue", "red") and ds.n_features == 2
    rng = np.random.default_rng(1)
    np.savez(
        tmp_path / "split.npz",
        x_train=rng.normal(size=(20, 2)),
        y_train=rng.normal(size=20),
        x_test=rng.normal(size=(5, 2)),
        y_test=rng.normal(size=5),
    )
    ds = datasets.load(tmp_path / "split.npz")
    assert ds.task == "regression" and len(ds.x_test) == 5


def test_bad_input_says_what_is_allowed(tmp_path):
    with pytest.raises(ParameterError, match="digits"):
        datasets.load("cifar10")
    with pytest.raises(FileNotFoundError):
        datasets.load(tmp_path / "missing.npz")
    np.savez(tmp_path / "wrong.npz", features=np.ones((4, 2)))
    with pytest.raises(ParameterError, match="expected 'x' and 'y'"):
        datasets.load(tmp_path / "wrong.npz")
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object), y=np.array([1]))
    with pytest.raises(ParameterError, match="pickle"):
        datasets.load(tmp_path / "objects.npz")
    (tmp_path / "text.csv").write_text("a,b,y\n1,x,0\n2,y,1\n")
    with pytest.raises(ParameterError, match="not numeric"):
        datasets.load(tmp_path / "text.csv")
    with pytest.raises(ParameterError, match="target"):
        datasets.load(tmp_path / "text.csv", target="nope")
    with pytest.raises(ParameterError, match="test_size"):
        datasets.load("moons", test_size=1.5)
    with pytest.raises(ParameterError, match="NaN"):
        datasets.from_arrays(np.array([[np.nan], [1.0]]), np.array([0, 1]))
    with pytest.raises(ParameterError, match="one entry per row"):
        datasets.from_arrays(np.ones((4, 2)), np.ones(3))
