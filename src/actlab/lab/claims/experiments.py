"""The measurements behind the network claims: networks trained by actlab.nn.

Each experiment runs once per claims run (``Context.measure``) and feeds several claims:

- linear collapse: a deep network without activations is one matrix, and learns XOR no better
  than logistic regression;
- gradients at initialisation against depth, for sigmoid, tanh and ReLU;
- dying units: a large and a normal learning rate, for ReLU and the units said to fix it;
- convergence speed: epochs to a training-accuracy target with SGD at each activation's best
  learning rate (as Krizhevsky et al. 2012 did), for ReLU, tanh and sigmoid;
- Swish and GELU against ReLU over seeds (and batch sizes), paired by seed.

Runs go through the lab's sweep (parallel, resumable) with :func:`~actlab.lab.training.train_cell`.
"""
from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import numpy as np

import actlab as al

from ... import nn
from ...nn import activation_calls
from ..datasets import load
from ..sweep import run_sweep
from ..training import DEFAULT_TARGET, build_model, train_cell
from .core import Context

DATASET = "digits"
TUNING_SEED = 1000          # learning rates are chosen on a seed the measured runs do not use
HIGH_LR, LOW_LR = 0.05, 1e-3  # Adam: 50 times its usual rate, and the usual rate
DYING_DEPTH = 3
CONVERGENCE_DEPTH = 4
MAXOUT = {"name": "maxout", "params": {"pieces": 2}}
DYING_ACTIVATIONS = ("relu", "leaky_relu", "elu", "gelu", "swish", MAXOUT)


def _base(ctx: Context, **cell) -> dict:
    b = ctx.budget
    return {"dataset": DATASET, "width": b.width, "epochs": b.epochs, "batch_size": 32,
            "max_train": b.max_train, "target": None, **cell}


def _sweep(ctx: Context, name: str, cells: list[dict]) -> list[dict]:
    results = None if ctx.results is None else Path(ctx.results) / f"{name}.jsonl"
    return run_sweep(train_cell, cells, results=results, n_jobs=ctx.n_jobs, progress=ctx.progress,
                     label=name)


def _pick(pairs: list[tuple[dict, dict]], key: str, **match) -> list:
    """``result[key]`` of the runs whose cell matches, in seed order."""
    runs = sorted((c["seed"], r[key]) for c, r in pairs if all(c[k] == v for k, v in match.items()))
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
    seeds = range(ctx.budget.seeds)
    setups = {"deep linear": ("linear", 4), "logistic regression": ("linear", 0), "relu": ("relu", 4)}
    cells = [_base(ctx, dataset="xor", activation=a, depth=d, seed=s, max_train=None,
                   epochs=ctx.budget.long_epochs, optimizer={"name": "adam", "lr": 0.01})
             for a, d in setups.values() for s in seeds]
    pairs = list(zip(cells, _sweep(ctx, "linear-collapse", cells)))
    acc = {name: _pick(pairs, "test_accuracy", activation=a, depth=d) for name, (a, d) in setups.items()}
    return {"collapse error": err, "accuracy": acc}


# -- gradients against depth ---------------------------------------------------------------------
class _FirstBatchGradients(nn.Callback):
    """Keeps ‖∂L/∂W‖ of every weight matrix for the first batch, then stops training."""

    def on_batch_end(self, model, batch, logs):
        self.norms = [float(np.linalg.norm(layer.grads["kernel"])) for layer in model.layers
                      if "kernel" in layer.grads]
        model.stop_training = True


def initial_gradients(ctx: Context) -> dict:
    """log₁₀(‖∂L/∂W_first‖ / ‖∂L/∂W_last‖) at initialisation (metadata-chosen init), for each
    activation, depth and seed, on one batch of 256 digits; and per activation the least-squares
    line through the mean log-ratio against depth (slope = log₁₀ of the per-layer factor)."""
    out = {}
    for act in ("sigmoid", "tanh", "relu"):
        logs = {}
        for depth in ctx.budget.depths:
            values = []
            for seed in range(ctx.budget.seeds):
                ds = load(DATASET, seed=seed)
                model = build_model(act, depth=depth, width=ctx.budget.width, n_outputs=ds.n_classes,
                                    task=ds.task, seed=seed)
                model.compile(loss="sparse_categorical_crossentropy", optimizer={"name": "sgd", "lr": 1e-3})
                probe = _FirstBatchGradients()
                model.fit(ds.x_train, ds.y_train, epochs=1, batch_size=256, verbose=0, callbacks=[probe])
                values.append(float(np.log10(probe.norms[0] / probe.norms[-1])))
            logs[depth] = values
        depths = np.array(ctx.budget.depths, dtype=float)
        means = np.array([np.mean(logs[d]) for d in ctx.budget.depths])
        slope, intercept = np.polyfit(depths, means, 1)
        resid = means - (slope * depths + intercept)
        spread = float(np.sum((means - means.mean()) ** 2))
        r2 = 1.0 - float(np.sum(resid ** 2)) / spread if spread > 0 else 1.0
        out[act] = {"log10_ratio": logs, "per_layer_factor": float(10 ** slope), "r2": r2,
                    "deepest_ratio": float(10 ** means[-1])}
    return out


# -- dying units ---------------------------------------------------------------------------------
def dying_units(ctx: Context) -> dict:
    """Each activation in DYING_ACTIVATIONS at Adam's usual and a 50 times larger learning rate."""
    cells = [_base(ctx, activation=a, depth=DYING_DEPTH, seed=s, optimizer={"name": "adam", "lr": lr})
             for a in DYING_ACTIVATIONS for lr in (LOW_LR, HIGH_LR) for s in range(ctx.budget.seeds)]
    pairs = list(zip(cells, _sweep(ctx, "dying-units", cells)))

    def get(act, lr, key):
        return _pick(pairs, key, activation=act, optimizer={"name": "adam", "lr": lr})

    runs = {}
    for act in DYING_ACTIVATIONS:
        label = act if isinstance(act, str) else act["name"]
        runs[label] = {lr_name: {"dead": get(act, lr, "dead_fraction"),
                                 "accuracy": get(act, lr, "test_accuracy"),
                                 "worst_layer": [max(p["dead_fraction"], default=0.0)
                                                 for p in get(act, lr, "per_layer")],
                                 "sparsity": [float(np.mean(p["sparsity"])) if p["sparsity"] else None
                                              for p in get(act, lr, "per_layer")]}
                       for lr_name, lr in (("low", LOW_LR), ("high", HIGH_LR))}
    return runs


def float32_dead_below(spec) -> float | None:
    """The largest x on a grid of [−200, 0] (steps of 0.005) where the engine's float32 backward
    pass gets exactly 0 from ``spec``'s derivative: inputs that far down make a unit dead.
    None for vector-valued activations (no scalar derivative) and where no such x exists."""
    act = al.get(spec)
    if not act.info.elementwise:
        return None
    x = np.linspace(-200.0, 0.0, 40001, dtype=np.float32)[None, :]
    _, saved = activation_calls.forward(act, x, training=False, rng=None)
    d = activation_calls.derivative(act, saved)
    zero = x[0][d[0] == 0]
    return float(zero.max()) if zero.size else None


# -- convergence speed ---------------------------------------------------------------------------
def convergence(ctx: Context) -> dict:
    """Epochs to the training-accuracy target (SGD, a 4-layer MLP) at each activation's fastest
    learning rate from ``budget.lr_grid`` (chosen on TUNING_SEED). A run that never reaches the
    target counts as ``long_epochs + 1`` epochs: a lower bound, which only shrinks a speed-up."""
    acts = ("relu", "tanh", "sigmoid")
    epochs = ctx.budget.long_epochs

    def cell(act, lr, seed):
        return _base(ctx, activation=act, depth=CONVERGENCE_DEPTH, seed=seed, epochs=epochs,
                     optimizer={"name": "sgd", "lr": lr})

    tuning = [cell(a, lr, TUNING_SEED) for a in acts for lr in ctx.budget.lr_grid]
    tuned = list(zip(tuning, _sweep(ctx, "convergence-tuning", tuning)))
    best = {}
    for act in acts:
        scored = [(r["epochs_to_target"] if r["epochs_to_target"] is not None else np.inf,
                   -(r["curves"]["train_metric"][-1] or 0.0) if r["curves"]["train_metric"] else 0.0,
                   c["optimizer"]["lr"]) for c, r in tuned if c["activation"] == act]
        best[act] = min(scored)[2]
    cells = [cell(a, best[a], s) for a in acts for s in range(ctx.budget.seeds)]
    pairs = list(zip(cells, _sweep(ctx, "convergence", cells)))
    n_train = len(load(DATASET, seed=0).x_train)
    out = {"target": DEFAULT_TARGET["classification"], "epochs": epochs,
           "train_samples": min(n_train, ctx.budget.max_train or n_train)}
    for act in acts:
        reached = _pick(pairs, "epochs_to_target", activation=act)
        out[act] = {"lr": best[act],
                    "epochs_to_target": [e if e is not None else epochs + 1.0 for e in reached],
                    "reached": sum(e is not None for e in reached),
                    "accuracy": _pick(pairs, "test_accuracy", activation=act)}
    return out


# -- Swish and GELU against ReLU -----------------------------------------------------------------
def smooth_vs_relu(ctx: Context) -> dict:
    """Test accuracy of ReLU, Swish and GELU (2 hidden layers, Adam) for each seed and batch size."""
    acts = ("relu", "swish", "gelu")
    cells = [_base(ctx, activation=a, depth=2, seed=s, batch_size=bs, optimizer={"name": "adam", "lr": LOW_LR})
             for a in acts for bs in ctx.budget.batch_sizes for s in range(ctx.budget.seeds)]
    pairs = list(zip(cells, _sweep(ctx, "smooth-vs-relu", cells)))
    return {bs: {a: _pick(pairs, "test_accuracy", activation=a, batch_size=bs) for a in acts}
            for bs in ctx.budget.batch_sizes}


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
    relu_net = nn.Sequential([nn.Dense(32, activation="relu"), nn.Dense(4)], input_dim=10, seed=1, dtype="float64")
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
    ds = load(DATASET, seed=0)
    n = ctx.budget.max_train or len(ds.x_train)
    forms = {"fused": [nn.Dense(64, activation="tanh")], "separate": [nn.Dense(64), nn.Activation("tanh")],
             "callable": [nn.Dense(64, activation=np.tanh)]}
    weights, predictions = {}, {}
    for name, hidden in forms.items():
        model = nn.Sequential([*hidden, nn.Dense(ds.n_classes, activation="softmax")], seed=3)
        model.compile(loss="sparse_categorical_crossentropy", optimizer={"name": "sgd", "lr": 0.1})
        with _quiet_numerical_derivative():
            model.fit(ds.x_train[:n], ds.y_train[:n], epochs=1, batch_size=32, verbose=0)
            predictions[name] = model.predict(ds.x_test)
        weights[name] = np.concatenate([w.ravel() for w in model.get_weights()])
    return {"separate_gap": float(np.max(np.abs(weights["fused"] - weights["separate"]))
                                  + np.max(np.abs(predictions["fused"] - predictions["separate"]))),
            "callable_gap": float(np.max(np.abs(predictions["fused"] - predictions["callable"])))}


@contextlib.contextmanager
def _quiet_numerical_derivative():
    """The callable form warns once that its derivative is numerical; here that is the point."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*finite differences.*")
        yield
