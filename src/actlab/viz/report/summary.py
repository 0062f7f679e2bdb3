"""The few lines that sum up a report, for its top and for the terminal."""
from __future__ import annotations

from collections import Counter

from .contract import METRICS, VERDICTS, mean_std_text, number


def comparison_lines(c: dict) -> list[str]:
    """Which activation did best and worst on each headline metric, with mean ± std."""
    seeds = len(c["seeds"])
    lines = [f"{len(c['rows'])} activations on {c['dataset']} ({c['architecture']}), "
             f"{seeds} seed{'s' if seeds != 1 else ''}"]
    for key, (heading, better) in METRICS.items():
        ranked = _ranked(c, key)
        if len(ranked) < 2 or better not in ("higher", "lower"):
            continue
        best, worst = (ranked[-1], ranked[0]) if better == "higher" else (ranked[0], ranked[-1])
        if best["metrics"][key]["mean"] == worst["metrics"][key]["mean"]:
            continue  # all equal: no best or worst to name
        lines.append(f"{heading}: best {best['activation']} {mean_std_text(best['metrics'][key])}, "
                     f"worst {worst['activation']} {mean_std_text(worst['metrics'][key])}")
    return lines


def _ranked(c: dict, key: str) -> list[dict]:
    rows = [r for r in c["rows"] if number(r["metrics"].get(key, {}).get("mean")) is not None]
    return sorted(rows, key=lambda r: r["metrics"][key]["mean"])


def claims_line(claims: list[dict]) -> str:
    """``12 claims: 7 supported, 2 not supported, 1 inconclusive, 2 errata``."""
    counts = Counter(c["verdict"] for c in claims)
    parts = [f"{counts[v]} {'errata' if v == 'erratum' and counts[v] != 1 else v}"
             for v in VERDICTS if counts[v]]
    return f"{len(claims)} claims: " + (", ".join(parts) if parts else "none checked")
