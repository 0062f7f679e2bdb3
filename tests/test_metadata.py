"""The metadata each definition declares is checked against the function on dense grids, at the
default parameters and at the values where a parameter changes what the function is (a slope of
0 or 1, a negative slope, a threshold above the value it jumps to, ...)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actlab as al
from oracle import default_params, edge_params

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]
CASES = [
    pytest.param(
        d, params, id=f"{d.name}-" + "-".join(f"{k}={v:g}" for k, v in params.items() if isinstance(v, float))
    )
    for d in ELEMENTWISE
    for params in edge_params(d)
]
GRID = np.concatenate([-np.logspace(300, -3, 400), np.linspace(-50, 50, 200_001), np.logspace(-3, 300, 400)])
GRID.sort()


@pytest.mark.parametrize(("d", "params"), CASES)
def test_output_range_holds_and_is_tight(d, params):
    act = al.get(d, **params)
    lo, hi = act.info.output_range
    y = act(np.concatenate([GRID, [-np.inf, np.inf]]))
    slack = 1e-12
    assert y.min() >= lo - slack * max(1, abs(lo)) and y.max() <= hi + slack * max(1, abs(hi))
    # Tight: the function comes within 1e-3 of a finite bound, and past ±1e6 towards an infinite one.
    assert (y.min() <= lo + 1e-3 * max(1, abs(lo))) if math.isfinite(lo) else y.min() < -1e6
    assert (y.max() >= hi - 1e-3 * max(1, abs(hi))) if math.isfinite(hi) else y.max() > 1e6
    assert act.info.bounded_below == math.isfinite(lo) and act.info.bounded_above == math.isfinite(hi)


@pytest.mark.parametrize(("d", "params"), CASES)
def test_monotonic_flag(d, params):
    act = al.get(d, **params)
    y = act(GRID)
    with np.errstate(invalid="ignore"):  # inf − inf where the function overflows (e^x)
        steps = np.diff(y)
    steps = np.where(np.isnan(steps) & np.isinf(y[1:]) & (y[1:] == y[:-1]), 0.0, steps)
    if act.info.monotonic:
        # Monotonic to rounding: a step down of an ulp or two is the last bit of an elementary
        # function (the fused kernels' tanh, say), not a decrease of the function.
        with np.errstate(invalid="ignore"):
            slack = np.nan_to_num(2 * np.spacing(np.maximum(np.abs(y[1:]), np.abs(y[:-1]))), nan=0.0)
        assert np.all(steps >= -slack), f"{d.name} decreases somewhere"
    else:
        assert steps.min() < -1e-6, f"{d.name} is declared non-monotonic but never decreases"


@pytest.mark.parametrize(("d", "params"), CASES)
def test_zero_centred_flag(d, params):
    """Zero-centred: for standard normal inputs, the mean output is within 5% of the RMS output.

    The flag is exact at the defaults; elsewhere it is claimed only where the function is
    centred by construction (a slope of 1 is the identity), so it is checked only one way.
    """
    x = np.linspace(-40, 40, 400_001)
    w = np.exp(-0.5 * x * x)
    act = al.get(d, **params)
    y = act(x)
    mean = np.sum(w * y) / np.sum(w)
    rms = math.sqrt(np.sum(w * y * y) / np.sum(w))
    centred = abs(mean) <= 0.05 * rms
    message = f"{d.name}{params}: mean {mean:.4g}, rms {rms:.4g}"
    if params == default_params(d):
        assert centred == act.info.zero_centred, message
    elif act.info.zero_centred:
        assert centred, message


def _max_jump(g, h):
    x = np.arange(-8.0, 8.0, h)
    return np.max(np.abs(np.diff(g(x))))


@pytest.mark.parametrize(("d", "params"), CASES)
def test_smoothness_class(d, params):
    """A continuous g has jumps that shrink with the grid spacing; a discontinuous one does not.

    g0 = f, g1 = f' (the definition's derivative), g2 = f'' by central differences of f'.
    """
    act = al.get(d, **params)

    def second(x):
        h = 1e-7
        return (act.derivative(x + h) - act.derivative(x - h)) / (2 * h)

    def continuous(g):
        fine = _max_jump(g, 1e-3 / 16)
        return fine < _max_jump(g, 1e-3) / 4 or fine < 1e-9  # constants have no jumps at all

    classes = ["discontinuous", "C0", "C1", "C∞"]
    measured = classes[0]
    for g, smoother in zip((act, act.derivative, second), classes[1:]):
        if not continuous(g):
            break
        measured = smoother
    assert measured == act.info.smoothness


@pytest.mark.parametrize(("d", "params"), CASES)
def test_saturation_sides(d, params):
    """Saturating side: |f'| at ±1e4 is below 1e-6 of the largest |f'| on the grid."""
    act = al.get(d, **params)
    peak = np.max(np.abs(act.derivative(np.linspace(-20, 20, 40_001))))
    measured = tuple(
        side for side, x in (("left", -1e4), ("right", 1e4)) if abs(act.derivative(x)) <= 1e-6 * peak
    )
    assert measured == act.info.saturates


@pytest.mark.parametrize("d", al.definitions(), ids=[d.name for d in al.definitions()])
def test_descriptive_fields_are_filled(d):
    info = al.get(d).info
    assert info.latex and info.latex_derivative and len(info.guidance) > 40
    assert info.reference.year > 1900 and info.reference.link.startswith("https://")
    assert info.uses and info.init in ("he", "glorot", "lecun")
    assert d.forward.__doc__ and ":math:" in d.forward.__doc__, "docstring with the formula"
    assert d.mp_forward is not None, "every definition carries its high-precision oracle"


def test_catalog_lists_every_definition_once():
    cat = al.catalog()
    assert [i.name for i in cat] == al.names()
    assert len({i.name for i in cat}) == len(cat)
    json_ready = [i.as_dict() for i in cat]
    import json

    assert json.loads(json.dumps(json_ready))[0]["name"] == cat[0].name
