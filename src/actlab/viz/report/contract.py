"""The shape of the lab's results as the report reads them, checked before anything is drawn.

Comparison::

    {"dataset": str, "architecture": str, "seeds": [int],
     "rows": [{"activation": str, "metrics": {metric: {"mean": float, "std": float}},
               "per_seed": {metric: [value per seed]}}],   # per_seed optional: no paired figures
     "curves": {activation: {"epoch": [...], "train_loss_mean": [...], "train_loss_std": [...],
                             "val_accuracy_mean": [...], "val_accuracy_std": [...]}},
     "per_layer": {activation: {"dead_fraction": [...], "grad_norm": [...]}}}

Claims: a list of ``{"id", "statement", "source", "check", "figures": {name: number | str},
"verdict", "explanation"}`` with ``verdict`` one of ``VERDICTS`` (:mod:`actlab.lab.verdicts`),
and, where measured, ``"setting"`` (a sentence) and ``"plots"`` (figure files).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from ...core import ActlabError
from ...lab.verdicts import ERRATUM, NOT_SUPPORTED, SUPPORTED, VERDICTS  # noqa: F401  (the lab's labels, read here by the sections)


class Metric(NamedTuple):
    heading: str
    better: str  # "higher", "lower" or "closer to 1"
    kind: str  # "fraction" (shown as a percentage), "seeds" (a count of seeds), "number"
    definition: str  # what the page says it is; {target} is the comparison's target


# metric key -> how the page names, reads and defines it; the order is the table's.
METRICS = {
    "test_accuracy": Metric(
        "test accuracy",
        "higher",
        "fraction",
        "the share of the held-out test samples (a quarter of the data, never trained on) that "
        "the network classifies correctly after its last epoch.",
    ),
    "test_mse": Metric(
        "test MSE",
        "lower",
        "number",
        "the mean squared error on the held-out test samples after the last epoch (targets standardised).",
    ),
    "final_train_loss": Metric(
        "final train loss",
        "lower",
        "number",
        "the training loss (cross-entropy for classes) averaged over the batches of the last epoch.",
    ),
    "reached_target": Metric(
        "reached the target",
        "higher",
        "seeds",
        "in how many of the seeds the {target_metric} reached {target} within the epochs given.",
    ),
    "epochs_to_target": Metric(
        "epochs to target",
        "lower",
        "number",
        "the first epoch at which the {target_metric} reached {target}, interpolated "
        "between epochs (2.4: four tenths into the third); averaged over the seeds that reached it.",
    ),
    "dead_fraction": Metric(
        "dead units",
        "lower",
        "fraction",
        "the share of hidden units whose derivative f′(z) was exactly 0 on every training sample "
        "of the last epoch: they pass no gradient back, so the weights into them stop learning.",
    ),
    "grad_ratio": Metric(
        "gradient ratio",
        "closer to 1",
        "number",
        "‖∂L/∂W‖ of the first layer divided by that of the last, averaged over the last epoch's "
        "batches: far below 1, the first layers barely learn (vanishing gradients); far above, "
        "they explode.",
    ),
    "wall_time_s": Metric(
        "wall time (s)", "lower", "number", "seconds of training, measured without warm-up."
    ),
}
# Wall time is shown only when the results say it was measured without warm-up (compilation,
# first-touch allocation) and without other work sharing the cores; the lab's runs are timed with
# both, so their times say more about scheduling than about the activation.
TIMED_WITHOUT_WARMUP = "timing_without_warmup"
CURVE_KEYS = ("epoch", "train_loss_mean", "train_loss_std", "val_accuracy_mean", "val_accuracy_std")
LAYER_KEYS = ("dead_fraction", "grad_norm")
CLAIM_KEYS = ("id", "statement", "source", "check", "figures", "verdict", "explanation")


class ReportDataError(ActlabError, ValueError):
    """Results that do not have the shape the report reads (a key missing, a wrong type)."""


def check_comparison(c: Any) -> dict:
    """Return ``c`` if it has the comparison's shape, else raise naming what is wrong."""
    _need(isinstance(c, dict), "comparison results must be a JSON object")
    for key, kind in (
        ("dataset", str),
        ("architecture", str),
        ("seeds", list),
        ("rows", list),
        ("curves", dict),
        ("per_layer", dict),
    ):
        _need(isinstance(c.get(key), kind), f"comparison results need {key!r} as a {kind.__name__}")
    for i, row in enumerate(c["rows"]):
        where = f"comparison row {i}"
        _need(
            isinstance(row, dict)
            and isinstance(row.get("activation"), str)
            and isinstance(row.get("metrics"), dict),
            f"{where} needs 'activation' and 'metrics'",
        )
        for name, m in row["metrics"].items():
            _need(
                isinstance(m, dict) and {"mean", "std"} <= set(m),
                f"{where}: metric {name!r} needs 'mean' and 'std'",
            )
    for act, curve in c["curves"].items():
        missing = [k for k in CURVE_KEYS if k not in curve]
        _need(not missing, f"learning curve of {act!r} lacks {', '.join(missing)}")
    for act, layers in c["per_layer"].items():
        missing = [k for k in LAYER_KEYS if k not in layers]
        _need(not missing, f"per-layer statistics of {act!r} lack {', '.join(missing)}")
    return c


def check_claims(claims: Any) -> list:
    """Return ``claims`` if every entry has the claim's shape, else raise naming what is wrong."""
    _need(isinstance(claims, list), "claims must be a JSON list")
    for i, claim in enumerate(claims):
        _need(isinstance(claim, dict), f"claim {i} must be a JSON object")
        missing = [k for k in CLAIM_KEYS if k not in claim]
        _need(not missing, f"claim {claim.get('id', i)!r} lacks {', '.join(missing)}")
        _need(
            claim["verdict"] in VERDICTS,
            f"claim {claim['id']!r} has verdict {claim['verdict']!r}; expected one of {VERDICTS}",
        )
        _need(isinstance(claim["figures"], dict), f"claim {claim['id']!r}: 'figures' must be an object")
    return claims


def number(v: Any) -> float | None:
    """A metric value as a finite float, or None for a missing/NaN/infinite one (never reached)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


def shown_metrics(c: dict) -> list[str]:
    """The metrics present in any row, in the table's order; wall time only where measured
    without warm-up (see ``TIMED_WITHOUT_WARMUP``)."""
    present = {k for r in c["rows"] for k in r["metrics"]}
    keys = [k for k in METRICS if k in present] + sorted(present - set(METRICS))
    return [k for k in keys if k != "wall_time_s" or c.get(TIMED_WITHOUT_WARMUP)]


def metric_text(key: str, m: dict, seeds: int) -> str:
    """A metric's mean ± std as the page shows it: fractions as percentages (``96.7 ± 0.8 %``),
    the target's count as a count of seeds (``3 of 4 seeds``), others as :func:`mean_std_text`;
    runs whose figure was not finite (a diverged run) are left out of both and counted."""
    bad = m.get("non_finite")
    text = _metric_text(key, m, seeds)
    if not bad:
        return text
    return f"non-finite in {bad} runs" if text == "—" else f"{text} (+{bad} non-finite)"


def _metric_text(key: str, m: dict, seeds: int) -> str:
    kind = METRICS[key].kind if key in METRICS else "number"
    mean = number(m.get("mean"))
    if kind == "seeds":
        return "—" if mean is None else f"{round(mean * seeds)} of {seeds} seed{'s' if seeds != 1 else ''}"
    if kind == "fraction":
        scaled = {
            "mean": None if mean is None else 100 * mean,
            "std": None if number(m.get("std")) is None else 100 * m["std"],
        }
        text = mean_std_text(scaled)
        return text if text == "—" else text + " %"
    return mean_std_text(m)


def mean_std_text(m: dict) -> str:
    """``0.9671 ± 0.0081``: the mean to the decimal of the spread's second significant digit;
    ``—`` where the mean is missing (a target never reached)."""
    mean, std = number(m.get("mean")), number(m.get("std"))
    if mean is None:
        return "—"
    if std is None or std == 0:
        return f"{mean:.4g}"
    decimals = max(0, 1 - math.floor(math.log10(std)))
    if decimals > 6 or abs(mean) >= 1e6:  # tiny spreads or huge values: scientific notation
        return f"{mean:.3e} ± {std:.1e}"
    return f"{mean:.{decimals}f} ± {std:.{decimals}f}"


def _need(ok: bool, message: str) -> None:
    if not ok:
        raise ReportDataError(message)
