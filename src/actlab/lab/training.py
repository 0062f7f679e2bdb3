"""One training run of the lab: a cell of a sweep (dataset, activation, seed, depth, ...) → numbers.

The network (``model``) is

- ``"mlp"``: ``depth`` hidden ``Dense(width, activation)`` layers (after a Flatten for sequences
  and images);
- ``"cnn"``: ``depth`` convolutions ``Conv1D`` or ``Conv2D`` (by the data's shape) of ``width``
  filters, kernel 3, stride 2, no padding, each with the activation, then a Flatten;

then an output layer that fits the task (softmax + sparse cross-entropy for classes, linear +
MSE for regression), trained by :mod:`actlab.nn` with the
:class:`~actlab.diagnostics.nn.Diagnostics` callback. The seed fixes the data split, the initial
weights and the batch order, so two activations trained with the same seed differ only in the
activation: their results can be compared pair by pair. A cell with ``model="linear"`` fits the
dataset's linear baseline instead (:mod:`actlab.lab.baselines`).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

import actlab as al

from .. import nn
from ..diagnostics.nn import Diagnostics
from . import datasets
from .baselines import linear_baseline

# Depth and width by model: hidden layers and their units, or convolutions and their filters.
MODELS: dict[str, dict[str, int]] = {"mlp": {"depth": 2, "width": 64}, "cnn": {"depth": 3, "width": 32}}
CNN_KERNEL, CNN_STRIDE = 3, 2
DEFAULTS: dict[str, Any] = {
    "dataset": datasets.DEFAULT,
    "model": "mlp",  # a key of MODELS
    "activation": "relu",  # a name or a config {"name": ..., "params": {...}}
    "seed": 0,
    **MODELS["mlp"],  # depth: hidden layers; width: units per hidden layer
    "epochs": 20,
    "batch_size": 32,
    "optimizer": {"name": "adam", "lr": 1e-3},
    "target": None,  # training accuracy (classification) or loss (regression) to reach
    "max_train": None,  # use only the first n training samples
    "dtype": "float32",
}
DEFAULT_TARGET = {"classification": 0.95, "regression": 0.1}


def activation_label(spec: Any) -> str:
    """A short, stable name for an activation spec: its name, and the parameters that differ from
    their defaults (``leaky_relu(alpha=0.1)``)."""
    act = al.get(spec)
    values = act.get_config()["params"]
    changed = [f"{p.name}={values[p.name]}" for p in act.definition.params if values[p.name] != p.default]
    return act.name + (f"({', '.join(changed)})" if changed else "")


def build_model(
    activation: Any,
    *,
    depth: int,
    width: int,
    n_outputs: int,
    task: str,
    seed: int,
    dtype: str = "float32",
    model: str = "mlp",
    input_shape: tuple[int, ...] | None = None,
) -> nn.Sequential:
    """The ``model`` network (see the module) with ``activation``, and the output layer the task needs."""
    shape = tuple(input_shape) if input_shape is not None else None
    if model == "cnn":
        if shape is None or len(shape) not in (2, 3):
            raise al.ParameterError(
                f"the cnn model needs sequences (steps, channels) or images (rows, columns, "
                f"channels); these samples have shape {shape}: use model='mlp'"
            )
        conv = nn.Conv1D if len(shape) == 2 else nn.Conv2D
        hidden = [
            *(conv(width, CNN_KERNEL, strides=CNN_STRIDE, activation=activation) for _ in range(depth)),
            nn.Flatten(),
        ]
    elif model == "mlp":
        flat = [nn.Flatten()] if shape is not None and len(shape) > 1 else []
        hidden = [*flat, *(nn.Dense(width, activation=activation) for _ in range(depth))]
    else:
        raise al.ParameterError(f"unknown model {model!r}; expected one of: {', '.join(MODELS)}")
    head = nn.Dense(n_outputs, activation="softmax") if task == "classification" else nn.Dense(1)
    return nn.Sequential([*hidden, head], input_shape=shape, seed=seed, dtype=dtype)


def describe_model(ds: datasets.Dataset, *, model: str, depth: int, width: int) -> str:
    """The network in words, with the shapes it has on ``ds``: ``CNN (40, 1) → 3 × Conv1D(32,
    kernel 3, stride 2) → (4, 32) → Flatten → 10 softmax``."""
    net = build_model(
        "linear",
        depth=depth,
        width=width,
        n_outputs=ds.n_classes,
        task=ds.task,
        seed=0,
        model=model,
        input_shape=ds.input_shape,
    )
    net.build()
    head = f"{ds.n_classes} softmax" if ds.task == "classification" else "1 linear"
    source = ", ".join(map(str, ds.input_shape))
    if model == "cnn":
        last = net.layers[depth - 1]
        body = (
            f"{depth} × {type(last).__name__}({width}, kernel {CNN_KERNEL}, stride {CNN_STRIDE}) → "
            f"({', '.join(map(str, last.output_shape))}) → Flatten"
        )
    else:
        body = ("Flatten → " if len(ds.input_shape) > 1 else "") + f"{depth} × {width}"
    return f"{model.upper()} ({source}) → {body} → {head}"


def epochs_to_target(values: list[float], target: float, *, higher_is_better: bool) -> float | None:
    """The (fractional) epoch at which ``values`` first reach ``target``, interpolating linearly
    between the epoch before and the epoch that reached it; None if never reached."""
    for i, v in enumerate(values):
        if v is not None and (v >= target if higher_is_better else v <= target):
            if i == 0:
                return 1.0
            prev = values[i - 1]
            return i + (target - prev) / (v - prev)
    return None


def cell_cost(cell: dict) -> float:
    """A cell's training cost relative to others: epochs × samples × the hidden layers' products
    (depth · width²), the part that grows with the network. It only weighs the ETA."""
    spec = {**DEFAULTS, **cell}
    return float(spec["epochs"] * (spec["max_train"] or 1000) * max(1, spec["depth"]) * spec["width"] ** 2)


def train_cell(cell: dict) -> dict:
    """Train the network a cell describes; return its figures (JSON-ready).

    Keys: ``test_accuracy`` (classification) or ``test_mse`` (regression), ``final_train_loss``,
    ``epochs_to_target``, ``wall_time_s`` (fit, diagnostics included), ``dead_fraction`` and
    ``grad_ratio`` (last epoch), ``diverged``, ``curves`` (per epoch ``train_loss``,
    ``train_metric``, ``val_metric``), ``per_layer`` (``dead_fraction`` and ``sparsity`` per hidden
    layer, ``grad_norm`` per weight matrix, last epoch). A ``model="linear"`` cell gives what
    :func:`~actlab.lab.baselines.linear_baseline` does, on the same training samples.
    """
    spec = {**DEFAULTS, **cell}
    ds = datasets.load(spec["dataset"], seed=spec["seed"])
    x, y = ds.x_train, ds.y_train
    if spec["max_train"]:
        x, y = x[: spec["max_train"]], y[: spec["max_train"]]
    if spec["model"] == "linear":
        return linear_baseline(ds, x, y)
    classify = ds.task == "classification"
    model = build_model(
        spec["activation"],
        depth=spec["depth"],
        width=spec["width"],
        n_outputs=ds.n_classes,
        task=ds.task,
        seed=spec["seed"],
        dtype=spec["dtype"],
        model=spec["model"],
        input_shape=ds.input_shape,
    )
    model.compile(
        loss="sparse_categorical_crossentropy" if classify else "mse",
        optimizer=dict(spec["optimizer"]),
        metrics=["accuracy"] if classify else [],
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Divergence is a result here (``diverged``), not something to shout about.
        warnings.simplefilter("ignore", nn.TrainingDivergedWarning)
        history = model.fit(
            x,
            y,
            epochs=spec["epochs"],
            batch_size=spec["batch_size"],
            validation_data=(ds.x_test, ds.y_test),
            verbose=0,
            callbacks=[Diagnostics(dead_warning=None)],
        )
    wall = time.perf_counter() - start
    return _figures(model, history, ds, classify, spec, wall)


train_cell.cost = cell_cost


def _figures(model, history, ds, classify, spec, wall) -> dict:
    records = history.records
    metric = "accuracy" if classify else "loss"
    target = spec["target"] if spec["target"] is not None else DEFAULT_TARGET[ds.task]
    test = model.evaluate(ds.x_test, ds.y_test, return_dict=True)
    last = records[-1] if records else {}
    diag = last.get("diagnostics") or {"layers": [], "weight_grad_norms": []}
    out = {
        "test_accuracy" if classify else "test_mse": _finite(test["accuracy"] if classify else test["loss"]),
        "final_train_loss": _finite(last.get("loss")),
        "epochs_to_target": epochs_to_target(
            [r.get(metric) for r in records], target, higher_is_better=classify
        ),
        "wall_time_s": wall,
        "dead_fraction": last.get("dead_fraction"),
        "grad_ratio": _finite(last.get("grad_ratio")),
        "diverged": history.stop_reason is not None,
        "curves": {
            "train_loss": [_finite(r.get("loss")) for r in records],
            "train_metric": [_finite(r.get(metric)) for r in records],
            "val_metric": [_finite(r.get(f"val_{metric}")) for r in records],
        },
        "per_layer": {
            "dead_fraction": [e["dead_fraction"] for e in diag["layers"] if not e["output"]],
            "sparsity": [e["sparsity"] for e in diag["layers"] if not e["output"]],
            "grad_norm": [w["norm"] for w in diag["weight_grad_norms"]],
        },
    }
    return out


def _finite(v: Any) -> float | None:
    """A float for JSON, or None for a missing or non-finite value (strict JSON has no NaN)."""
    return float(v) if v is not None and np.isfinite(v) else None
