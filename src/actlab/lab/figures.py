"""The comparison's learning curves as a figure (matplotlib, drawn without a display)."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import MissingExtraError


def learning_curves(comparison: dict, path: str | Path) -> Path:
    """Train loss (log scale) and validation accuracy per epoch, mean ± std over seeds, one line
    per activation; written to ``path`` (the format follows the suffix: .png, .svg, .pdf)."""
    try:
        import matplotlib
        matplotlib.use("Agg")  # files only; never needs a display
        import matplotlib.pyplot as plt
    except ImportError:
        raise MissingExtraError("matplotlib", "lab", "drawing learning curves") from None
    import numpy as np

    curves = comparison["curves"]
    accuracy = any(v is not None for c in curves.values() for v in c["val_accuracy_mean"])
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
    axes[0].set(yscale="log", xlabel="epoch", ylabel="train loss")
    axes[1].set(xlabel="epoch", ylabel=val_label)
    axes[1].legend(fontsize=7, ncol=2 if len(curves) > 12 else 1, loc="best")
    fig.suptitle(f"{comparison['dataset']}: {comparison['architecture']} — mean ± std over "
                 f"{len(comparison['seeds'])} seeds", fontsize=9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150, metadata={"Software": None} if path.suffix == ".png" else None)
    plt.close(fig)
    return path
