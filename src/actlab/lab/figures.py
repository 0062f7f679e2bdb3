"""The lab's figures: the comparison's learning curves, and one figure per network claim
(matplotlib, drawn without a display, written to files that the reports embed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.errors import MissingExtraError
from ..core.files import atomic_file


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only; never needs a display
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("matplotlib", "lab", "drawing the lab's figures") from None
    return plt


def _save(fig, path) -> Path:
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".") or "png"
    try:
        with atomic_file(path) as f:
            fig.savefig(f, format=fmt, dpi=120, metadata={"Software": None} if fmt == "png" else None)
    finally:
        _pyplot().close(fig)
    return path


def _band(ax, x, rows, label, color, **kw):
    """Mean line and a band of ± one standard deviation over the rows (seeds)."""
    a = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    mean, sd = np.nanmean(a, axis=0), np.nanstd(a, axis=0)
    ax.plot(x[: len(mean)], mean, color=color, label=label, lw=1.5, **kw)
    ax.fill_between(x[: len(mean)], mean - sd, mean + sd, color=color, alpha=0.15, lw=0)


def signal_by_depth(init: dict, training: dict, path, *, deepest: int) -> Path:
    """Top: ‖∂L/∂h_l‖ per layer at initialisation in the deepest networks (log scale), one panel
    per activation, one line per initial scale. Bottom: the per-layer factor ρ at each depth;
    and ρ after each epoch of training."""
    plt = _pyplot()
    acts = list(init)
    fig, axes = plt.subplots(2, len(acts) + 1, figsize=(4 * (len(acts) + 1), 7), constrained_layout=True)
    cmap = plt.get_cmap("viridis")
    for i, act in enumerate(acts):
        scales = list(init[act])
        for k, scale in enumerate(scales):
            color = cmap(k / max(1, len(scales) - 1))
            sig = init[act][scale][deepest]["signal"]
            rel = [np.array(s) / s[-1] for s in sig]  # relative to the last hidden layer
            _band(axes[0, i], np.arange(1, len(rel[0]) + 1), rel, f"{scale:g}× init", color)
            depths = sorted(init[act][scale])
            f = [init[act][scale][d]["factor"] for d in depths]
            axes[1, i].errorbar(
                depths,
                [np.mean(v) for v in f],
                yerr=[np.std(v) for v in f],
                color=color,
                marker="o",
                capsize=3,
                label=f"{scale:g}× init",
            )
        axes[0, i].set(
            yscale="log",
            title=f"{act}: signal per layer, {deepest} layers",
            xlabel="hidden layer l",
            ylabel="‖∂L/∂h_l‖ / ‖∂L/∂h_last‖",
        )
        axes[1, i].axhline(1.0, color="k", lw=0.8, ls=":")
        axes[1, i].set(
            yscale="log", xlabel="hidden layers", ylabel="per-layer factor ρ", title=f"{act}: ρ by depth"
        )
        axes[0, i].legend(fontsize=7)
    colors = plt.get_cmap("tab10")
    for j, act in enumerate(training):
        rows = training[act]["factor"]
        if rows and rows[0]:
            _band(axes[1, -1], np.arange(1, len(rows[0]) + 1), rows, act, colors(j))
            _band(axes[0, -1], np.arange(1, len(rows[0]) + 1), training[act]["saturated"], act, colors(j))
    axes[1, -1].axhline(1.0, color="k", lw=0.8, ls=":")
    axes[1, -1].set(yscale="log", xlabel="epoch", ylabel="ρ", title="ρ during training (1× init)")
    axes[0, -1].set(xlabel="epoch", ylabel="saturated: |f′| < 0.1·max f′", title="saturation during training")
    axes[0, -1].legend(fontsize=7)
    return _save(fig, path)


def dead_vs_lr(curves: dict, path, *, definition_label: str) -> Path:
    """Left: dead fraction (float64 census) against the learning rate, one line per activation;
    right: test accuracy against the learning rate. ``curves[act] = {"lr": [...], "dead": [[per
    seed] per lr], "accuracy": [[...]]}``."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    colors = plt.get_cmap("tab10")
    for i, (act, c) in enumerate(curves.items()):
        for ax, key in zip(axes, ("dead", "accuracy")):
            v = [[x for x in row if x is not None] for row in c[key]]
            ax.errorbar(
                c["lr"],
                [np.mean(r) if r else np.nan for r in v],
                yerr=[np.std(r) if r else 0 for r in v],
                color=colors(i),
                marker="o",
                capsize=3,
                label=act,
            )
    axes[0].axhline(0.4, color="k", lw=0.8, ls=":", label="40%")
    axes[0].set(
        xscale="log",
        xlabel="learning rate (Adam)",
        ylabel=f"dead fraction ({definition_label})",
        title="dead units at the end of training",
    )
    axes[1].set(
        xscale="log", xlabel="learning rate (Adam)", ylabel="test accuracy", title="accuracy beside it"
    )
    axes[0].legend(fontsize=7)
    return _save(fig, path)


def training_error_curves(curves: dict, path, *, target: float, title: str) -> Path:
    """Full-pass training error per epoch, one band per activation (over seeds), the target as a
    dashed line. ``curves[act] = [[error per epoch] per seed]``."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    colors = plt.get_cmap("tab10")
    for i, (act, rows) in enumerate(curves.items()):
        longest = max((len(r) for r in rows), default=0)
        padded = [list(r) + [None] * (longest - len(r)) for r in rows]
        if longest:
            _band(ax, np.arange(1, longest + 1), padded, act, colors(i))
    ax.axhline(target, color="k", ls="--", lw=1, label=f"target {target:.0%}")
    ax.set(xlabel="epoch", ylabel="training error (full pass)", title=title, ylim=(0, None))
    ax.legend(fontsize=8)
    return _save(fig, path)


def paired_differences(diffs: dict, path, *, xlabel: str, sesoi: float, title: str) -> Path:
    """One row per comparison: the per-seed differences as dots, the mean with its interval, 0 and
    ± the smallest effect of interest as lines. ``diffs[label] = {"values": [...], "low", "high"}``."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(diffs) + 1.6), constrained_layout=True)
    for i, d in enumerate(diffs.values()):
        v = [x for x in d["values"] if x is not None]
        ax.plot(v, [i] * len(v), "o", color="0.6", ms=4)
        if v:
            ax.plot([d["low"], d["high"]], [i, i], color="C0", lw=3)
            ax.plot([np.mean(v)], [i], "D", color="C0")
    ax.axvline(0, color="k", lw=0.8)
    for s in (-sesoi, sesoi):
        ax.axvline(s, color="C3", lw=0.8, ls=":")
    ax.set_yticks(range(len(diffs)), list(diffs))
    ax.set(xlabel=xlabel, title=title)
    return _save(fig, path)


def cost_bars(rows: dict, path, *, title: str) -> Path:
    """Time relative to ReLU for each activation, grouped by implementation (log scale), and the
    share of a training step. ``rows[act] = {implementation: ratio, ..., "share": fraction}``."""
    plt = _pyplot()
    acts = list(rows)
    impls = sorted({k for r in rows.values() for k in r if k != "share"})
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), constrained_layout=True)
    width = 0.8 / max(1, len(impls))
    for j, impl in enumerate(impls):
        vals = [rows[a].get(impl, np.nan) for a in acts]
        axes[0].bar(np.arange(len(acts)) + j * width, vals, width, label=impl)
    axes[0].axhline(1.0, color="k", lw=0.8)
    axes[0].set_xticks(np.arange(len(acts)) + width * (len(impls) - 1) / 2, acts, rotation=30)
    axes[0].set(yscale="log", ylabel="time / ReLU's time", title=title)
    axes[0].legend(fontsize=7)
    axes[1].bar(acts, [100 * rows[a].get("share", np.nan) for a in acts], color="C2")
    axes[1].set(ylabel="% of a training step in the activation", title="share of a whole training step")
    axes[1].tick_params(axis="x", rotation=30)
    return _save(fig, path)


def learning_curves(comparison: dict, path: str | Path) -> Path:
    """Train loss (log scale) and validation accuracy per epoch, mean ± std over seeds, one line
    per activation; written to ``path`` (the format follows the suffix: .png, .svg, .pdf)."""
    plt = _pyplot()
    curves = comparison["curves"]
    # Regression curves carry the test loss; classification ones the accuracy (which may have no
    # epoch at all: zero epochs, or every run diverging in its first).
    accuracy = not any("val_loss_mean" in c for c in curves.values())
    val_key, val_label = ("val_accuracy", "test accuracy") if accuracy else ("val_loss", "test loss")
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), constrained_layout=True)
    cmap = plt.get_cmap("tab20" if len(curves) > 10 else "tab10")
    for i, (label, c) in enumerate(curves.items()):
        color = cmap(i % cmap.N)
        for ax, key in zip(axes, ("train_loss", val_key)):
            mean = np.array([np.nan if v is None else v for v in c[f"{key}_mean"]], dtype=float)
            std = np.array([np.nan if v is None else v for v in c[f"{key}_std"]], dtype=float)
            ax.plot(c["epoch"], mean, color=color, label=label, lw=1.4)
            ax.fill_between(c["epoch"], mean - std, mean + std, color=color, alpha=0.15, lw=0)
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    losses = [v for c in curves.values() for v in c["train_loss_mean"] if v is not None and v > 0]
    # A log scale needs a positive value; with no finished epoch the panels say so instead.
    axes[0].set(yscale="log" if losses else "linear", xlabel="epoch", ylabel="train loss")
    if not any(c["epoch"] for c in curves.values()):
        for ax in axes:
            ax.text(0.5, 0.5, "no finished epoch", ha="center", va="center", transform=ax.transAxes)
    axes[1].set(xlabel="epoch", ylabel=val_label)
    axes[1].legend(fontsize=7, ncol=2 if len(curves) > 12 else 1, loc="best")
    fig.suptitle(
        f"{comparison['dataset']}: {comparison['architecture']} — mean ± std over "
        f"{len(comparison['seeds'])} seeds",
        fontsize=9,
    )
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".") or "png"
    try:
        with atomic_file(path) as f:
            fig.savefig(f, format=fmt, dpi=150, metadata={"Software": None} if fmt == "png" else None)
    finally:
        plt.close(fig)
    return path
