"""Every elementwise activation and its derivative against 60-digit mpmath, over the whole range.

The budget is the catalog's contract: forward within 4 ulp × (1 + κ(x)), derivative within
8 ulp × (1 + κ'(x)), where κ is the function's own relative condition number; exact
(piecewise-linear) functions are correctly rounded. Each case is checked on every path the
public functions can take here: the fused numba kernels and the NumPy reference.
"""

from __future__ import annotations

import numpy as np
import pytest

import actlab as al
import actlab.kernels as K
from oracle import condition, grid, mp_derivative, mp_value, param_cases, ulp_errors

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]
DTYPES = [np.float64, np.float32]
BACKENDS = ["numpy"] + (["auto"] if K.available()["backend"] == "numba" else [])
CASES = [
    pytest.param(d, params, id=f"{d.name}-{'-'.join(f'{k}={v}' for k, v in params.items())}")
    for d in ELEMENTWISE
    for params in param_cases(d)
]


def _report(name, x, err, budget):
    worst = np.argsort(-(err / budget))[:3]
    return f"{name}: worst points " + ", ".join(
        f"x={x[i]!r} err={err[i]:.3g}ulp budget={budget[i]:.3g}" for i in worst
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("d", "params"), CASES)
def test_forward_accuracy(d, params, dtype):
    act = al.get(d, **params)
    x = grid(dtype, d.kinks_for(params))
    exact = [mp_value(d, float(v), params) for v in x]
    for backend in BACKENDS:
        with K.using(backend=backend):
            y = np.asarray(act(x))
        assert y.dtype == dtype
        _check_forward(d, act, params, x, ulp_errors(y, exact, dtype), dtype, backend)


def _check_forward(d, act, params, x, err, dtype, backend):
    if d.exact:
        # Correctly rounded. A parameter that float32 cannot represent (alpha = 0.01) is rounded
        # to float32 before the product, which adds up to one more ulp.
        representable = all(float(dtype(v)) == v for v in params.values() if isinstance(v, float))
        budget = np.full(x.shape, 0.5 if representable else 1.5)
    else:
        x64 = x.astype(np.float64)
        kappa = condition(np.asarray(act(x64)), np.asarray(act.derivative(x64)), x64)
        budget = 4.0 * (1.0 + kappa)
    assert np.all(err <= budget), _report(f"{d.name} ({backend} path)", x, err, budget)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("d", "params"), CASES)
def test_derivative_accuracy(d, params, dtype):
    if not d.differentiable:
        pytest.skip(f"{d.name} is not differentiable")
    act = al.get(d, **params)
    kinks = d.kinks_for(params)
    x = grid(dtype, kinks)
    # At a kink the derivative is a convention (tested separately), and a difference quotient
    # that straddles it means nothing: keep points well clear of kinks.
    clear = np.ones(x.shape, bool)
    for k in kinks:
        clear &= np.abs(x.astype(np.float64) - k) > 1e-9 * max(1.0, abs(k))
    x = x[clear]
    tiny = float(np.finfo(dtype).smallest_normal)
    exact = [mp_derivative(d, float(v), params, tiny) for v in x]
    x64 = x.astype(np.float64)
    h = 1e-7 * np.maximum(1.0, np.abs(x64))
    with np.errstate(all="ignore"):
        d2 = (np.asarray(act.derivative(x64 + h)) - np.asarray(act.derivative(x64 - h))) / (2 * h)
    kappa = condition(np.asarray(act.derivative(x64)), d2, x64)
    budget = 8.0 * (1.0 + kappa)
    for backend in BACKENDS:
        with K.using(backend=backend):
            dy = np.asarray(act.derivative(x))
        assert dy.dtype == dtype
        err = ulp_errors(dy, exact, dtype)
        assert np.all(err <= budget), _report(f"{d.name} ({backend} path)", x, err, budget)
