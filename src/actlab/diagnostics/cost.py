"""What an activation costs: timings of calls side by side, and its share of a training step.

:func:`interleaved` times several callables round-robin, the order rotated every round, so that
drift in the machine's speed (other processes, frequency scaling) falls on all of them alike;
ratios are then taken per round (paired), never between medians of separate runs.

:func:`activation_share` answers what "expensive" means in practice: the fraction of a whole
training step (forward, backward, update) of an actlab.nn model spent inside its activations,
measured by timing the engine's calls into them (:mod:`actlab.nn.activation_calls`, the engine's
only entry points to an activation). A cheap activation (the identity) has a share near 0; a
deliberately slowed one a share near 1.

Timings are measurements of this machine at this moment: they are reported with their spread,
never asserted.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable

import numpy as np


def interleaved(
    calls: dict[str, Callable[[], Any]], *, repeats: int, warmup: int = 2
) -> dict[str, np.ndarray]:
    """Seconds per call of each of ``calls``, ``repeats`` rounds, each round calling every one
    once in an order rotated by one from the last round (after ``warmup`` untimed calls each)."""
    names = list(calls)
    for name in names:
        for _ in range(warmup):
            calls[name]()
    times = {name: np.empty(repeats) for name in names}
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            start = time.perf_counter()
            calls[name]()
            times[name][r] = time.perf_counter() - start
    return times


@contextlib.contextmanager
def _timed_activation_calls(total: list[float]):
    """Wrap the engine's activation calls so their time adds up in ``total[0]``."""
    from ..nn import activation_calls as ac

    originals = {name: getattr(ac, name) for name in ("forward", "backward", "param_grads")}

    def timed(fn):
        def call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                total[0] += time.perf_counter() - start

        return call

    for name, fn in originals.items():
        setattr(ac, name, timed(fn))
    try:
        yield
    finally:
        for name, fn in originals.items():
            setattr(ac, name, fn)


def activation_share(model, x, y, *, steps: int = 20, batch_size: int = 128, warmup: int = 3) -> dict:
    """The share of a training step spent in the model's activations (every layer's, the output's
    included), over ``steps`` real optimizer steps on consecutive batches of (x, y).

    Returns ``{"step_s": [...], "activation_s": [...], "share": median of per-step shares,
    "share_iqr": (q25, q75)}``. The model must be compiled; these steps train it.
    """
    xb_all = model._prepare_inputs(x)
    yb_all = model.loss.targets(y, model.output_width, model.dtype)
    n = len(xb_all)
    step_s, act_s = [], []
    for i in range(warmup + steps):
        lo = (i * batch_size) % max(1, n - batch_size + 1)
        xb, yb = xb_all[lo : lo + batch_size], yb_all[lo : lo + batch_size]
        inside = [0.0]
        with _timed_activation_calls(inside):
            start = time.perf_counter()
            with np.errstate(all="ignore"):
                model.loss_and_gradients(xb, yb)
                model.optimizer.step(model.parameters, model.gradients)
            elapsed = time.perf_counter() - start
        if i >= warmup:
            step_s.append(elapsed)
            act_s.append(inside[0])
    shares = np.array(act_s) / np.array(step_s)
    return {
        "step_s": step_s,
        "activation_s": act_s,
        "share": float(np.median(shares)),
        "share_iqr": (float(np.percentile(shares, 25)), float(np.percentile(shares, 75))),
    }
