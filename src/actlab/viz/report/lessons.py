"""What the page's opening shows, measured at report time by networks that actlab.nn trains.

Four small experiments, each a cell of one sweep (parallel, resumable, with progress):

- ``learn``: a small MLP on a 2-D dataset (moons, circles, spirals, xor) with one activation;
  its decision regions after every epoch become the frames of the learning animation, beside
  its loss. With the identity as activation it also checks that the trained network is one
  affine map (why linear networks collapse).
- ``depth``: one epoch of a deep, narrow MLP; the weight-gradient norm of each layer
  (:class:`~actlab.diagnostics.nn.Diagnostics`): how saturation makes gradients vanish.
- ``dying``: the same network at a high learning rate, ReLU against leaky ReLU; the share of
  dead hidden units after each epoch (the diagnostics' definition).

Results are plain JSON (frames as base64 PNG), saved beside the report so a redraw runs nothing.
"""

from __future__ import annotations

import base64
import io
import warnings
from pathlib import Path

import numpy as np

# The page's own choice of the activations every reader meets first; each is looked up in the
# registry, so a name that leaves the catalog fails loudly here.
CLASSICS = ("sigmoid", "tanh", "relu", "gelu", "swish")
PLANES = ("moons", "circles", "spirals", "xor")
COLLAPSE = "linear"  # the identity, trained like the others on the first plane
DYING = ("relu", "leaky_relu")
GRID = 48  # pixels per side of a frame
SETTINGS = {
    "learn": {
        "depth": 3,
        "width": 16,
        "epochs": 30,
        "batch_size": 32,
        "optimizer": {"name": "adam", "lr": 0.01},
    },
    "depth": {
        "depth": 10,
        "width": 32,
        "epochs": 1,
        "batch_size": 32,
        "optimizer": {"name": "sgd", "lr": 0.01},
    },
    "dying": {
        "depth": 3,
        "width": 32,
        "epochs": 10,
        "batch_size": 32,
        "optimizer": {"name": "adam", "lr": 0.1},
    },
}
QUICK_EPOCHS = {"learn": 5, "depth": 1, "dying": 3}  # the "tiny" budget: seconds, for tests
# Light tints of the classes' colours (blue, orange, green), mixed by the predicted probabilities.
TINTS = np.array([[0, 114, 178], [230, 159, 0], [0, 158, 115], [204, 121, 167]], dtype=np.float64)
TINT = 0.45


def setting_text(s: dict) -> str:
    opt = s["optimizer"]
    return (
        f"{s['depth']} hidden layers × {s['width']} units, {opt['name']} (learning rate "
        f"{opt['lr']:g}), batch {s['batch_size']}, {s['epochs']} epoch{'s' if s['epochs'] != 1 else ''}"
    )


def settings(quick: bool = False) -> dict[str, dict]:
    """The networks of each experiment; ``quick`` trains them for a few epochs only."""
    return {k: {**s, "epochs": QUICK_EPOCHS[k]} if quick else dict(s) for k, s in SETTINGS.items()}


def cells(seed: int = 0, quick: bool = False) -> list[dict]:
    """Every experiment of the opening, each cell carrying its network's setting."""
    s = settings(quick)
    out = [{"kind": "learn", "dataset": p, "activation": a} for p in PLANES for a in CLASSICS]
    out.append({"kind": "learn", "dataset": PLANES[0], "activation": COLLAPSE})
    out += [{"kind": "depth", "dataset": PLANES[0], "activation": a} for a in CLASSICS]
    out += [{"kind": "dying", "dataset": PLANES[0], "activation": a} for a in DYING]
    return [{**c, "seed": seed, **s[c["kind"]]} for c in out]


def _model(setting: dict, activation: str, n_classes: int, seed: int):
    from ... import nn

    model = nn.Sequential(
        [nn.Dense(setting["width"], activation=activation) for _ in range(setting["depth"])]
        + [nn.Dense(n_classes, activation="softmax")],
        seed=seed,
        dtype="float64",
    )
    model.compile(
        loss="sparse_categorical_crossentropy", optimizer=dict(setting["optimizer"]), metrics=["accuracy"]
    )
    return model


def lesson_cell(cell: dict) -> dict:
    """One experiment of the opening (a sweep's task): see the module's docstring."""
    from ...diagnostics.nn import Diagnostics
    from ...lab import datasets
    from ...nn import Callback

    ds = datasets.load(cell["dataset"], seed=cell["seed"])
    setting = cell
    model = _model(setting, cell["activation"], ds.n_classes, cell["seed"])
    grid, box = _grid(ds.x_train)
    frames: list[str] = []

    class Frames(Callback):
        def on_epoch_end(self, model, epoch, logs):
            frames.append(_png(model.predict(grid)))

    callbacks = [Diagnostics(dead_warning=None)] if cell["kind"] != "learn" else [Frames()]
    if cell["kind"] == "learn":
        model.build(ds.n_features)
        frames.append(_png(model.predict(grid)))  # epoch 0: the untrained network
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a diverging run is a result here, not an alarm
        history = model.fit(
            ds.x_train,
            ds.y_train,
            epochs=setting["epochs"],
            batch_size=setting["batch_size"],
            verbose=0,
            callbacks=callbacks,
        )
    records = history.records
    if cell["kind"] == "depth":
        return {"grad_norm": [w["norm"] for w in records[-1]["diagnostics"]["weight_grad_norms"]]}
    if cell["kind"] == "dying":
        return {
            "dead_fraction": [r["dead_fraction"] for r in records],
            "accuracy": [_plain(r.get("accuracy")) for r in records],
        }
    out = {
        "frames": frames,
        "box": box,
        "loss": [_plain(r.get("loss")) for r in records],
        "accuracy": [_plain(r.get("accuracy")) for r in records],
        "test_accuracy": _plain(model.evaluate(ds.x_test, ds.y_test, return_dict=True)["accuracy"]),
    }
    if cell["activation"] == COLLAPSE:
        out["one_map_deviation"] = one_map_deviation(model, ds.x_test)
    return out


def lesson_cost(cell: dict) -> float:
    """A cell's training cost relative to the others (epochs × depth × width²), for the ETA."""
    return float(cell["epochs"] * cell["depth"] * cell["width"] ** 2)


lesson_cell.cost = lesson_cost


def one_map_deviation(model, x: np.ndarray) -> float:
    """Fold the model's hidden Dense layers (identity activations) into one affine map
    x ↦ xW + b and return max |network's output logits − the folded map's| / max |logits|."""
    dense = model.layers
    w, b = np.eye(x.shape[1]), np.zeros(x.shape[1])
    for layer in dense:
        w, b = w @ layer.params["kernel"], b @ layer.params["kernel"] + layer.params["bias"]
    model.forward(x)
    logits = dense[-1].last_preactivation
    return float(np.max(np.abs(logits - (x @ w + b))) / np.max(np.abs(logits)))


def _grid(x: np.ndarray) -> tuple[np.ndarray, list[float]]:
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    xs = np.linspace(lo[0], hi[0], GRID)
    ys = np.linspace(hi[1], lo[1], GRID)  # image rows run top to bottom
    gx, gy = np.meshgrid(xs, ys)
    return np.c_[gx.ravel(), gy.ravel()], [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]


def _png(probabilities: np.ndarray) -> str:
    """The predicted class probabilities as a tinted GRID × GRID PNG, base64. Colours are cut to
    steps of 1/16, which the eye does not miss and which makes frames a few hundred bytes."""
    from PIL import Image

    k = probabilities.shape[1]
    tint = 255.0 - TINT * (255.0 - TINTS[:k])
    rgb = (probabilities @ tint).reshape(GRID, GRID, 3)
    rgb = np.clip(np.round(rgb / 16.0) * 16.0, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(buf, format="png", optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _plain(v) -> float | None:
    return float(v) if v is not None and np.isfinite(v) else None


def compute(
    folder: Path | None = None,
    *,
    n_jobs: int | None = -1,
    progress: bool | None = None,
    seed: int = 0,
    quick: bool = False,
) -> dict:
    """Run every cell (resuming from ``folder/lesson-runs.jsonl``) and gather the results."""
    from ...lab import datasets
    from ...lab.sweep import run_sweep

    todo = cells(seed, quick)
    results = run_sweep(
        lesson_cell,
        todo,
        results=None if folder is None else folder / "lesson-runs.jsonl",
        n_jobs=n_jobs,
        progress=progress,
        label="lessons",
    )
    used = settings(quick)
    out: dict = {
        "learn": {},
        "depth": {},
        "dying": {},
        "points": {},
        "setup": used,
        "settings": {k: setting_text(s) for k, s in used.items()},
    }
    for cell, result in zip(todo, results):
        if cell["kind"] == "learn":
            out["learn"].setdefault(cell["dataset"], {})[cell["activation"]] = result
        else:
            out[cell["kind"]][cell["activation"]] = result
    for plane in PLANES:
        ds = datasets.load(plane, seed=seed)
        out["points"][plane] = {"x": np.round(ds.x_train, 3).tolist(), "y": ds.y_train.tolist()}
    return out
