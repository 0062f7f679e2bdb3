"""What the network experiments share, and the two that need no statistics over seeds.

- :func:`sweep` runs an experiment's cells through the lab's sweep (parallel, resumable, on a
  Dask cluster when the run has a scheduler), each cell with :func:`~.cells.run` unless given
  another task;
- :func:`setting` says where a claim was measured, for its verdict;
- linear collapse: a deep network without activations is one matrix, and learns XOR no better
  than logistic regression;
- layer identities: Maxout's parameters, Maxout containing ReLU, Dense + Activation forms.

The experiments behind the other network claims live beside their claims: :mod:`.vanishing`,
:mod:`.dying`, :mod:`.speed`, :mod:`actlab.lab.claims.smooth`.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path
from typing import Callable

import numpy as np

from ... import nn
from ..datasets import load
from ..results import ResultStore
from ..sweep import run_sweep
from ..training import train_cell
from . import cells
from .core import Context

DATASET_NAMES = {"digits": "digits (8×8)", "mnist1d": "MNIST-1D", "mnist": "MNIST subset", "xor": "XOR"}
TUNING_SEED = 1000  # learning rates are chosen on seeds from here up, which the measured runs never use


def sweep(
    ctx: Context, name: str, cell_list: list[dict], task: Callable[[dict], dict] = cells.run
) -> list[dict]:
    """Every cell's result, in order: from the run's results folder when already there."""
    results = None if ctx.results is None else Path(ctx.results) / f"{name}.jsonl"
    if results is not None and results.exists():
        with ResultStore(results, repair=ctx.repair) as store:  # released before the sweep locks it
            ctx.cells_resumed += sum(c in store for c in cell_list)
    ctx.cells += len(cell_list)
    return run_sweep(
        task,
        cell_list,
        results=results,
        n_jobs=ctx.n_jobs,
        scheduler=ctx.scheduler,
        progress=ctx.progress,
        label=name,
        repair=ctx.repair,
    )


def setting(ctx: Context, network: str, optimiser: str, seeds: int | None = None) -> str:
    """Where a claim was measured: "MNIST-1D, 4-hidden-layer MLP of 64, Adam, 8 seeds"."""
    data = DATASET_NAMES.get(ctx.budget.dataset, ctx.budget.dataset)
    n = ctx.budget.claim_seeds if seeds is None else seeds
    return f"{data}, {network}, {optimiser}, {n} seeds (budget {ctx.budget.name})"


def _base(ctx: Context, **cell) -> dict:
    b = ctx.budget
    return {
        "dataset": b.dataset,
        "width": b.width,
        "epochs": b.epochs,
        "batch_size": 32,
        "max_train": b.max_train,
        "target": None,
        **cell,
    }


def _train_cell(cell: dict) -> dict:
    """The lab's own training run, with BLAS on one thread like every claims run."""
    with cells.one_blas_thread():
        return train_cell(cell)


def _sweep(ctx: Context, name: str, cell_list: list[dict]) -> list[dict]:
    return sweep(ctx, name, cell_list, task=_train_cell)


def pick(pairs: list[tuple[dict, dict]], key: str, **match) -> list:
    """``result[key]`` of the runs whose cell matches, in seed order."""
    runs = sorted((c["seed"], r.get(key)) for c, r in pairs if all(c.get(k) == v for k, v in match.items()))
    return [v for _, v in runs]


# -- linear collapse -----------------------------------------------------------------------------
def linear_collapse(ctx: Context) -> dict:
    """A 5-layer network without activations against its product matrix; XOR learned by a deep
    linear network, by logistic regression (no hidden layer) and by a ReLU network."""
    model = nn.Sequential([nn.Dense(16) for _ in range(4)] + [nn.Dense(3)], seed=0, dtype="float64")
    model.build(5)
    w, b = np.eye(5), np.zeros(5)
    for layer in model.layers:
        w, b = w @ layer.params["kernel"], b @ layer.params["kernel"] + layer.params["bias"]
    x = np.random.default_rng(0).normal(size=(256, 5))
    direct = x @ w + b
    err = float(np.max(np.abs(model.predict(x) - direct)) / np.max(np.abs(direct)))
    seeds = range(ctx.budget.claim_seeds)
    setups = {"deep linear": ("linear", 4), "logistic regression": ("linear", 0), "relu": ("relu", 4)}
    cells = [
        _base(
            ctx,
            dataset="xor",
            activation=a,
            depth=d,
            seed=s,
            max_train=None,
            epochs=ctx.budget.xor_epochs,
            optimizer={"name": "adam", "lr": 0.01},
        )
        for a, d in setups.values()
        for s in seeds
    ]
    pairs = list(zip(cells, _sweep(ctx, "linear-collapse", cells)))
    acc = {name: pick(pairs, "test_accuracy", activation=a, depth=d) for name, (a, d) in setups.items()}
    return {"collapse error": err, "accuracy": acc}


# -- layers: Maxout, Dense + Activation ----------------------------------------------------------
def layer_identities(ctx: Context) -> dict:
    """Parameter counts of Maxout against Dense; a Maxout network set up to compute a ReLU network;
    Dense(n, activation=f) against Dense(n) + Activation(f), and a plain NumPy callable as f."""
    x = np.random.default_rng(0).normal(size=(128, 10))
    counts = {}
    for name, layer in (("dense", nn.Dense(32, activation="relu")), ("maxout", nn.Maxout(32, pieces=2))):
        m = nn.Sequential([layer], input_dim=10, seed=0)
        m.build()
        counts[name] = m.count_params()
    relu_net = nn.Sequential(
        [nn.Dense(32, activation="relu"), nn.Dense(4)], input_dim=10, seed=1, dtype="float64"
    )
    maxout_net = nn.Sequential([nn.Maxout(32, pieces=2), nn.Dense(4)], input_dim=10, seed=2, dtype="float64")
    relu_net.build()
    maxout_net.build()
    kernel, bias, head_w, head_b = relu_net.get_weights()
    pieces_w = np.zeros((10, 64))
    pieces_b = np.zeros(64)
    pieces_w[:, 1::2], pieces_b[1::2] = kernel, bias  # piece 0 of each unit: w1 = 0, b1 = 0
    maxout_net.set_weights([pieces_w, pieces_b, head_w, head_b])
    maxout_gap = float(np.max(np.abs(maxout_net.predict(x) - relu_net.predict(x))))
    return {"params": counts, "maxout_gap": maxout_gap, **_dense_activation_forms(ctx)}


def _dense_activation_forms(ctx: Context) -> dict:
    ds = load("digits", seed=0)
    n = ctx.budget.max_train or len(ds.x_train)
    forms = {
        "fused": [nn.Dense(64, activation="tanh")],
        "separate": [nn.Dense(64), nn.Activation("tanh")],
        "callable": [nn.Dense(64, activation=np.tanh)],
    }
    weights, predictions = {}, {}
    for name, hidden in forms.items():
        model = nn.Sequential([*hidden, nn.Dense(ds.n_classes, activation="softmax")], seed=3)
        model.compile(loss="sparse_categorical_crossentropy", optimizer={"name": "sgd", "lr": 0.1})
        with _quiet_numerical_derivative():
            model.fit(ds.x_train[:n], ds.y_train[:n], epochs=1, batch_size=32, verbose=0)
            predictions[name] = model.predict(ds.x_test)
        weights[name] = np.concatenate([w.ravel() for w in model.get_weights()])
    return {
        "separate_gap": float(
            np.max(np.abs(weights["fused"] - weights["separate"]))
            + np.max(np.abs(predictions["fused"] - predictions["separate"]))
        ),
        "callable_gap": float(np.max(np.abs(predictions["fused"] - predictions["callable"]))),
    }


@contextlib.contextmanager
def _quiet_numerical_derivative():
    """The callable form warns once that its derivative is numerical; here that is the point."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*finite differences.*")
        yield
