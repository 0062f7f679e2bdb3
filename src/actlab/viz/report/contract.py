"""The shape of the lab's results as the report reads them, checked before anything is drawn.

Comparison::

    {"dataset": str, "architecture": str, "seeds": [int],
     "rows": [{"activation": str, "metrics": {metric: {"mean": float, "std": float}}}],
     "curves": {activation: {"epoch": [...], "train_loss_mean": [...], "train_loss_std": [...],
                             "val_accuracy_mean": [...], "val_accuracy_std": [...]}},
     "per_layer": {activation: {"dead_fraction": [...], "grad_norm": [...]}}}

Claims: a list of ``{"id", "statement", "source", "check", "figures": {name: number | str},
"verdict", "explanation"}`` with ``verdict`` one of ``VERDICTS``.
"""
from __future__ import annotations

import math
from typing import Any

from ...core import ActlabError

VERDICTS = ("supported", "not supported", "inconclusive", "erratum")
# metric key -> (heading, which way is better); the order is the table's.
METRICS = {
    "test_accuracy": ("test accuracy", "higher"),
    "final_train_loss": ("final train loss", "lower"),
    "epochs_to_target": ("epochs to target", "lower"),
    "wall_time_s": ("wall time (s)", "lower"),
    "dead_fraction": ("dead units", "lower"),
    "grad_ratio": ("gradient ratio first/last", "closer to 1"),
}
CURVE_KEYS = ("epoch", "train_loss_mean", "train_loss_std", "val_accuracy_mean", "val_accuracy_std")
LAYER_KEYS = ("dead_fraction", "grad_norm")
CLAIM_KEYS = ("id", "statement", "source", "check", "figures", "verdict", "explanation")


class ReportDataError(ActlabError, ValueError):
    """Results that do not have the shape the report reads (a key missing, a wrong type)."""


def check_comparison(c: Any) -> dict:
    """Return ``c`` if it has the comparison's shape, else raise naming what is wrong."""
    _need(isinstance(c, dict), "comparison results must be a JSON object")
    for key, kind in (("dataset", str), ("architecture", str), ("seeds", list), ("rows", list),
                      ("curves", dict), ("per_layer", dict)):
        _need(isinstance(c.get(key), kind), f"comparison results need {key!r} as a {kind.__name__}")
    for i, row in enumerate(c["rows"]):
        where = f"comparison row {i}"
        _need(isinstance(row, dict) and isinstance(row.get("activation"), str)
              and isinstance(row.get("metrics"), dict), f"{where} needs 'activation' and 'metrics'")
        for name, m in row["metrics"].items():
            _need(isinstance(m, dict) and {"mean", "std"} <= set(m),
                  f"{where}: metric {name!r} needs 'mean' and 'std'")
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
        _need(claim["verdict"] in VERDICTS,
              f"claim {claim['id']!r} has verdict {claim['verdict']!r}; expected one of {VERDICTS}")
        _need(isinstance(claim["figures"], dict), f"claim {claim['id']!r}: 'figures' must be an object")
    return claims


def number(v: Any) -> float | None:
    """A metric value as a finite float, or None for a missing/NaN/infinite one (never reached)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    return float(v) if math.isfinite(v) else None


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
