"""Compare activations: the same network trained with each, over seeds, summarised as mean ± std.

:func:`compare` returns the comparison the report renders::

    {"dataset", "model", "architecture", "seeds",
     "linear_baseline": {"model", "test_accuracy" | "test_mse": {"mean", "std"}},
     "rows": [{"activation", "metrics": {name: {"mean", "std"}}, "per_seed": {name: [...]}}],
     "curves": {activation: {"epoch", "train_loss_mean", "train_loss_std",
                             "val_accuracy_mean", "val_accuracy_std"}},
     "per_layer": {activation: {"dead_fraction": [...], "grad_norm": [...]}}}

Metrics per row: ``test_accuracy`` (``test_mse`` for regression), ``final_train_loss``,
``epochs_to_target`` (over the seeds that reached it; None if none did), ``reached_target``
(the share of seeds that did), ``wall_time_s``, ``dead_fraction``, ``grad_ratio``. Standard
deviations are over seeds (n − 1 in the denominator; 0 with a single seed). Regression curves
have no accuracy (``val_accuracy_*`` hold None) and add the test loss as ``val_loss_*``.

The linear baseline (:mod:`actlab.lab.baselines`) is fitted on each seed's split in the same
sweep, so it is stored with the runs and resumed like them, and is summarised over the same
seeds as the networks.

Means and deviations are over the finite values (the result stays strict JSON); a metric with
NaN or infinite values (a diverged run) also says how many, as ``"non_finite"``. A run whose
training raised is recorded as failed (the sweep says why, and a rerun tries it again): its row
then says how many seeds failed (``"failed"``), and its figures are over the other seeds.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

import actlab as al

from ..nn.optimizers import get_optimizer
from ..nn.training import check_count
from . import datasets
from .sweep import grid, run_sweep
from .baselines import describe as describe_baseline
from .training import DEFAULT_TARGET, DEFAULTS, MODELS, activation_label, describe_model, train_cell


class Comparison(dict):
    """A comparison's results: a plain dict (JSON-ready, the shape above) that shows itself as a
    table in a notebook."""

    def _repr_html_(self) -> str:
        from ..viz.notebook import comparison_html

        return comparison_html(self)


def default_activations() -> list[str]:
    """Every registered activation that is elementwise, differentiable and, by its metadata,
    meant for the inside of a network (a hidden layer or a gate)."""
    return [
        info.name
        for info in al.catalog()
        if info.elementwise and info.differentiable and {"hidden", "gating"} & set(info.uses)
    ]


def compare(
    activations: Iterable[Any] | None = None,
    *,
    dataset: Any = datasets.DEFAULT,
    model: str = DEFAULTS["model"],
    seeds: int | Sequence[int] = 3,
    depth: int | None = None,
    width: int | None = None,
    epochs: int = DEFAULTS["epochs"],
    batch_size: int = DEFAULTS["batch_size"],
    optimizer: dict | str = DEFAULTS["optimizer"],
    target: float | None = None,
    max_train: int | None = None,
    results: str | Path | None = None,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    repair: bool = False,
) -> dict:
    """Train the same network with each activation on ``dataset`` for each seed.

    Args:
        activations: names or configs (``{"name": "leaky_relu", "params": {"alpha": 0.1}}``);
            default :func:`default_activations`.
        dataset: a name from :func:`actlab.lab.datasets.available` or a .npz/.csv path.
        model: ``"mlp"`` (``depth`` hidden layers of ``width`` units; default 2 × 64) or ``"cnn"``
            (``depth`` convolutions of ``width`` filters; default 3 × 32), see
            :mod:`actlab.lab.training`.
        seeds: how many seeds (0, 1, ...) or which ones; a seed fixes split, weights and order.
        optimizer: a name or a config such as ``{"name": "sgd", "lr": 0.1}``.
        target: the training accuracy (classification) or loss (regression) whose first epoch
            ``epochs_to_target`` reports (default 0.95 / 0.1).
        results: a JSON-lines file of finished runs: an interrupted comparison resumes from it.
        n_jobs, scheduler: parallel workers (joblib), or a Dask scheduler address.
        repair: set damaged or repeated lines of ``results`` aside instead of refusing the file.
    """
    return run_comparisons(
        activations,
        datasets_=[dataset],
        model=model,
        depths=None if depth is None else [depth],
        seeds=seeds,
        width=width,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=optimizer,
        target=target,
        max_train=max_train,
        results=results,
        n_jobs=n_jobs,
        scheduler=scheduler,
        progress=progress,
        repair=repair,
    )[0]


def run_comparisons(
    activations: Iterable[Any] | None = None,
    *,
    datasets_: Sequence[Any] = (datasets.DEFAULT,),
    model: str = DEFAULTS["model"],
    depths: Sequence[int] | None = None,
    seeds: int | Sequence[int] = 3,
    width: int | None = None,
    epochs: int = DEFAULTS["epochs"],
    batch_size: int = DEFAULTS["batch_size"],
    optimizer: dict | str = DEFAULTS["optimizer"],
    target: float | None = None,
    max_train: int | None = None,
    results: str | Path | None = None,
    n_jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    repair: bool = False,
) -> list[dict]:
    """The grid datasets × depths × activations × seeds in one parallel sweep, with each dataset's
    linear baseline on each seed; one comparison (as :func:`compare` returns it) per dataset and
    depth, in that order. ``depths`` and ``width`` default to the model's (see :func:`compare`)."""
    if model not in MODELS:
        raise al.ParameterError(f"unknown model {model!r}; expected one of: {', '.join(MODELS)}")
    depths = (
        [check_count(d, "depth", minimum=0) for d in depths]
        if depths is not None
        else [MODELS[model]["depth"]]
    )
    width = width if width is not None else MODELS[model]["width"]
    specs = [_spec(a) for a in (activations if activations is not None else default_activations())]
    if not specs:
        raise al.ParameterError("no activations to compare; give at least one")
    seed_list = _seeds(seeds)
    optimizer = optimizer if isinstance(optimizer, dict) else {"name": optimizer}
    fixed = _checked(
        {
            "model": model,
            "width": width,
            "epochs": epochs,
            "batch_size": batch_size,
            "optimizer": optimizer,
            "target": target,
            "max_train": max_train,
        }
    )
    dataset_names = [str(d) for d in datasets_]
    for d in dataset_names:
        # An unknown dataset, or one the network cannot take, fails now, not in a worker.
        describe_model(datasets.load(d, seed=0), model=model, depth=max(depths), width=width)
    cells = [
        {**c, **fixed} for c in grid(dataset=dataset_names, depth=depths, activation=specs, seed=seed_list)
    ]
    baselines = [
        {"model": "linear", "max_train": max_train, **c} for c in grid(dataset=dataset_names, seed=seed_list)
    ]
    outcomes = run_sweep(
        train_cell,
        [*baselines, *cells],
        results=results,
        n_jobs=n_jobs,
        scheduler=scheduler,
        progress=progress,
        label="compare",
        repair=repair,
        allow_failures=True,
    )
    linear = list(zip(baselines, outcomes[: len(baselines)]))
    by_cell = list(zip(cells, outcomes[len(baselines) :]))
    return [
        _summarise(
            [(c, r) for c, r in by_cell if c["dataset"] == d and c["depth"] == depth],
            [r for c, r in linear if c["dataset"] == d],
            d,
            depth,
            specs,
            seed_list,
            fixed,
        )
        for d in dataset_names
        for depth in depths
    ]


def _seeds(seeds: int | Sequence[int]) -> list[int]:
    seed_list = (
        list(range(check_count(seeds, "seeds", minimum=1)))
        if isinstance(seeds, int)
        else [check_count(s, "seed", minimum=0) for s in seeds]
    )
    if not seed_list:
        raise al.ParameterError("no seeds; give a positive count or a list of seeds")
    return seed_list


def _checked(fixed: dict) -> dict:
    """The settings every run shares, refused here (naming the setting) rather than in every
    worker: counts, the optimizer's settings, a finite target."""
    check_count(fixed["width"], "width", minimum=1)
    check_count(fixed["epochs"], "epochs", minimum=0)
    check_count(fixed["batch_size"], "batch_size", minimum=1)
    if fixed["max_train"] is not None:
        check_count(fixed["max_train"], "max_train", minimum=1)
    target = fixed["target"]
    if target is not None and (
        isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target)
    ):
        raise al.ParameterError(f"target = {target!r} is not allowed; expected a finite number or None")
    get_optimizer(fixed["optimizer"])
    return fixed


def _spec(activation: Any) -> str | dict:
    """A JSON-ready activation spec (a name, or a config when parameters differ from defaults)."""
    act = al.get(activation)
    if al.is_custom(act):
        raise al.ParameterError(
            f"comparisons run in worker processes and need registered activations; "
            f"{act.name!r} is a custom callable"
        )
    label = activation_label(act)
    return act.name if label == act.name else act.get_config()


def _architecture(ds: datasets.Dataset, depth: int, fixed: dict) -> str:
    opt = ", ".join(f"{k}={v}" for k, v in fixed["optimizer"].items() if k != "name")
    network = describe_model(ds, model=fixed["model"], depth=depth, width=fixed["width"])
    return (
        f"{network}; {fixed['optimizer']['name']}{f' ({opt})' if opt else ''}, "
        f"batch {fixed['batch_size']}, {fixed['epochs']} epochs"
    )


def _summarise(pairs, linear, dataset, depth, specs, seeds, fixed) -> dict:
    ds = datasets.load(dataset, seed=seeds[0])
    classify = ds.task == "classification"
    score = "test_accuracy" if classify else "test_mse"
    # None: a run that failed (recorded as such by the sweep)
    baseline = {
        "model": describe_baseline(ds.task),
        score: mean_std(r[score] for r in linear if r is not None),
    }
    rows, curves, per_layer = [], {}, {}
    for spec in specs:
        outcomes = [r for c, r in pairs if c["activation"] == spec]
        runs = [r for r in outcomes if r is not None]
        label = activation_label(spec)
        reached = [r["epochs_to_target"] is not None for r in runs]
        metrics = {
            name: mean_std([r[name] for r in runs])
            for name in (
                score,
                "final_train_loss",
                "epochs_to_target",
                "wall_time_s",
                "dead_fraction",
                "grad_ratio",
            )
        }
        metrics["reached_target"] = mean_std([float(x) for x in reached])
        # Each seed's figures, in the order of ``seeds`` (None for a run that failed): runs with
        # the same seed share data, weights and batch order, so activations can be compared seed
        # by seed (paired).
        per_seed = {
            name: [None if r is None else r[name] for r in outcomes]
            for name in metrics
            if name != "reached_target"
        }
        row = {"activation": label, "metrics": metrics, "per_seed": per_seed}
        if len(runs) < len(outcomes):
            row["failed"] = len(outcomes) - len(runs)
        rows.append(row)
        curves[label] = _curves(runs, classify)
        per_layer[label] = {
            key: _columnwise([r["per_layer"][key] for r in runs])["mean"]
            for key in ("dead_fraction", "grad_norm")
        }
    rows.sort(key=lambda row: _rank(row["metrics"][score]["mean"], classify))
    target = fixed["target"] if fixed["target"] is not None else DEFAULT_TARGET[ds.task]
    return Comparison(
        {
            "dataset": ds.name,
            "model": fixed["model"],
            "architecture": _architecture(ds, depth, fixed),
            "seeds": list(seeds),
            "linear_baseline": baseline,
            "target": {"metric": "train accuracy" if classify else "train loss", "value": target},
            "rows": rows,
            "curves": curves,
            "per_layer": per_layer,
        }
    )


def _rank(value: float | None, higher_is_better: bool) -> float:
    if value is None:
        return np.inf
    return -value if higher_is_better else value


def mean_std(values: Iterable[Any]) -> dict:
    """``{"mean", "std"}`` over the values that are finite numbers (None where there are none);
    ``"non_finite"`` counts the NaN and infinite values left out, when there are any."""
    v = np.array([x for x in values if x is not None], dtype=float)
    finite = v[np.isfinite(v)]
    out = {"mean": None, "std": None}
    if finite.size:
        out = {"mean": float(finite.mean()), "std": float(finite.std(ddof=1)) if finite.size > 1 else 0.0}
    if finite.size < v.size:
        out["non_finite"] = int(v.size - finite.size)
    return out


def _columnwise(lists: list[list]) -> dict:
    """Mean and std at each position over lists that may differ in length (a diverged run stops early)."""
    n = max((len(x) for x in lists), default=0)
    stats = [mean_std(x[i] for x in lists if i < len(x)) for i in range(n)]
    return {"mean": [s["mean"] for s in stats], "std": [s["std"] for s in stats]}


def _curves(runs: list[dict], classify: bool) -> dict:
    loss = _columnwise([r["curves"]["train_loss"] for r in runs])
    val = _columnwise([r["curves"]["val_metric"] for r in runs])
    epochs = len(loss["mean"])
    curves = {
        "epoch": list(range(1, epochs + 1)),
        "train_loss_mean": loss["mean"],
        "train_loss_std": loss["std"],
    }
    if classify:
        return {**curves, "val_accuracy_mean": val["mean"], "val_accuracy_std": val["std"]}
    return {
        **curves,
        "val_accuracy_mean": [None] * epochs,
        "val_accuracy_std": [None] * epochs,
        "val_loss_mean": val["mean"],
        "val_loss_std": val["std"],
    }
