"""Adversarial numeric grids: every elementwise activation and its derivative, called as users
call them (``actlab.swish(x)``, ``get(name).derivative(x)``), so that these tests check whatever
path the public functions take, against the 60-digit oracle.

The grids sit where floating point is treacherous: where e^x becomes subnormal while x·e^x is
still a normal number (x ≈ -745 … -700, the window where swish(-710) used to flush to zero),
where e^x overflows, where squares overflow (√max), next to the largest float and among the
subnormals, with the parameters at their edges (a slope of 0 or 1, b = 0, ...). The budget is
the catalog's contract (tests/test_accuracy.py); infinities must give the exact limits.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import actlab as al
from oracle import condition, edge_params, mp, mp_derivative, mp_value, ulp_errors

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]
DTYPES = [np.float64, np.float32]
CASES = [
    pytest.param(
        d, params, id=f"{d.name}-" + "-".join(f"{k}={v:g}" for k, v in params.items() if isinstance(v, float))
    )
    for d in ELEMENTWISE
    for params in edge_params(d)
]


def adversarial_grid(dtype) -> np.ndarray:
    fi = np.finfo(dtype)
    big = math.log(float(fi.max))  # e^x overflows beyond it (709.8, 88.7)
    tiny = -math.log(float(fi.smallest_subnormal))  # e^-x is zero beyond it (744.4, 103.3)
    edge = -math.log(float(fi.smallest_normal))  # e^-x subnormal beyond it (708.4, 87.3)
    halvings = 2.0 ** -np.arange(0, 5)
    windows = [
        np.linspace(edge - 2, tiny + 2, 40),
        np.linspace(big - 1, big + 1, 9),
        math.sqrt(float(fi.max)) * 2.0 ** np.arange(-4, 5),
        float(fi.max) * halvings,
        float(fi.smallest_normal) * 4 * halvings,
        float(fi.smallest_subnormal) / halvings,
    ]
    mags = np.concatenate(windows)
    with np.errstate(over="ignore"):
        x = np.concatenate([mags, -mags]).astype(dtype)
    return np.unique(x[np.isfinite(x)])


def _public(d, params):
    """The module-level function (actlab.swish) with the parameters bound, and the Activation."""
    return (lambda x: getattr(al, d.name)(x, **params)), al.get(d, **params)


def _as_floats(values) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.array([float(v) for v in values])


def _report(what, x, err, budget):
    worst = np.argsort(-(err / budget))[:3]
    return f"{what}: worst points " + ", ".join(
        f"x={x[i]!r} err={err[i]:.3g}ulp budget={budget[i]:.3g}" for i in worst
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("d", "params"), CASES)
def test_values_on_the_adversarial_grid(d, params, dtype):
    function, act = _public(d, params)
    x = adversarial_grid(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = np.asarray(function(x))
    assert y.dtype == dtype
    # A zero of the oracle is accepted once the precision resolves the smallest subnormal next to
    # terms of size x² (elu with alpha = 0 is zero on a half-line: no need for 7680 digits there).
    subnormal = math.log10(float(np.finfo(dtype).smallest_subnormal))
    exact = [
        mp_value(d, float(v), params, 10 + 2 * math.log10(max(abs(float(v)), 1.0)) - subnormal) for v in x
    ]
    err = ulp_errors(y, exact, dtype)
    x64 = x.astype(np.float64)
    # κ with the exact f in its denominator: from the implementation's own f, a value flushed to
    # zero would have an infinite condition number and so an infinite budget.
    kappa = condition(_as_floats(exact), np.asarray(act.derivative(x64)), x64)
    budget = np.full(x.shape, 1.5) if d.exact else 4.0 * (1.0 + kappa)
    assert np.all(err <= budget), _report(d.name, x, err, budget)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("d", "params"), [c for c in CASES if c.values[0].differentiable])
def test_derivatives_on_the_adversarial_grid(d, params, dtype):
    act = al.get(d, **params)
    x = adversarial_grid(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dy = np.asarray(act.derivative(x))
    assert dy.dtype == dtype
    tiny = float(np.finfo(dtype).smallest_normal)
    exact = [mp_derivative(d, float(v), params, tiny) for v in x]
    err = ulp_errors(dy, exact, dtype)
    x64 = x.astype(np.float64)
    h = 1e-7 * np.maximum(1.0, np.abs(x64))
    with np.errstate(all="ignore"):
        d2 = (np.asarray(act.derivative(x64 + h)) - np.asarray(act.derivative(x64 - h))) / (2 * h)
    budget = 8.0 * (1.0 + condition(_as_floats(exact), d2, x64))
    assert np.all(err <= budget), _report(f"{d.name}'", x, err, budget)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: t.__name__)
@pytest.mark.parametrize(("d", "params"), CASES)
def test_infinities_give_the_exact_limits(d, params, dtype):
    """f(±inf) is the limit of f (the oracle far beyond any float), never NaN; so is f'(±inf)."""
    function, act = _public(d, params)
    x = np.array([-np.inf, np.inf], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = np.asarray(function(x))
        dy = np.asarray(act.derivative(x)) if d.differentiable else None
    fmax = float(np.finfo(dtype).max)
    for i, sign in enumerate((-1, 1)):
        far = d.mp_forward(mp, mp.mpf(sign) * mp.mpf(10) ** 400, **params)  # beyond any float
        expected = float(far) if abs(far) <= fmax else math.copysign(math.inf, far)
        assert not math.isnan(float(y[i])), f"{d.name}({x[i]}) is NaN"
        if math.isinf(expected):
            assert float(y[i]) == expected, f"{d.name}({x[i]}) = {y[i]}, the limit is {expected}"
        else:
            assert float(y[i]) == pytest.approx(expected, rel=1e-6, abs=1e-300), (d.name, x[i])
        if dy is not None:
            at_max = float(np.asarray(act.derivative(np.array([sign * fmax], dtype=dtype)))[0])
            assert not math.isnan(float(dy[i])), f"{d.name}'({x[i]}) is NaN"
            assert float(dy[i]) == pytest.approx(at_max, rel=1e-6, abs=1e-30), f"{d.name}'({x[i]})"


# -------------------------------------------------------------------- the examples
def test_swish_keeps_tiny_results_that_are_representable():
    """swish(-710) = -710·e^-710/(1 + e^-710) = -3.178e-306, a normal number; it was -0.0."""
    exact = float(mp_value(al.lookup("swish"), -710.0, {"beta": 1.0}))
    assert exact == pytest.approx(-3.1781632202293424e-306, rel=1e-15, abs=0)
    for y in (al.swish(-710.0), al.swish(np.array([-710.0]))[0], al.get("silu")(np.float64(-710.0))):
        assert y == pytest.approx(exact, rel=4e-15, abs=0)


def test_the_mish_derivative_has_the_right_sign_far_left():
    """mish'(x) ≈ (1 + x)·e^x < 0 for very negative x; at -710 it was +e^-710."""
    d = al.get("mish").derivative(np.array([-710.0, -720.0, -740.0]))
    assert np.all(d < 0)
    assert d[0] == pytest.approx(
        float(mp_derivative(al.lookup("mish"), -710.0, {}, 1e-308)), rel=1e-12, abs=0
    )


def test_squareplus_with_b_zero_is_relu_and_its_derivative_is_finite():
    act = al.get("squareplus", b=0.0)
    x = np.array([-1.0, -1e-100, -1e-160, -1e-200, -1e-310, -5e-324, 5e-324, 1e-200, 1.0])
    # Exactly ReLU (up to subnormal results, which the contract lets flush to zero).
    assert np.allclose(act(x), np.maximum(x, 0.0), rtol=1e-16, atol=np.finfo(float).smallest_normal)
    assert np.array_equal(act.derivative(x), (x > 0).astype(float))


@pytest.mark.parametrize("name", ["leaky_relu", "prelu", "linear"])
def test_a_zero_slope_at_minus_infinity_gives_zero_not_nan(name):
    """leaky_relu(-inf, alpha=0) is the limit of 0·x: 0 (it was 0·inf = NaN)."""
    d = al.lookup(name)
    slope = next(p.name for p in d.params if p.name in ("alpha", "c"))
    for dtype in DTYPES:
        y = al.get(name, **{slope: 0.0})(np.array([-np.inf, -1.0, np.nan], dtype=dtype))
        assert y[0] == 0.0 and y[1] == 0.0 and np.isnan(y[2])
    assert al.leaky_relu(-np.inf, alpha=0) == 0.0


def test_rrelu_with_zero_slopes_is_relu_at_minus_infinity_while_training():
    act = al.get("rrelu", lower=0.0, upper=0.0)
    x = np.array([-np.inf, -2.0, 3.0])
    assert np.array_equal(act(x), [0.0, 0.0, 3.0])
    assert np.array_equal(act(x, training=True, rng=np.random.default_rng(0)), [0.0, 0.0, 3.0])


@pytest.mark.parametrize(
    "name, params", [("elu", {"alpha": 0.3}), ("elu", {"alpha": 1.0}), ("celu", {"alpha": 0.3}), ("selu", {})]
)
def test_derivative_from_saturated_float32_outputs_is_never_negative(name, params):
    """f'(x) = α e^x > 0, but y + α of a float32 output rounded past -α was negative (-1.2e-8
    for ELU with α = 0.3)."""
    act = al.get(name, **params)
    x = np.array([-1e4, -200.0, -50.0, -30.0, -17.0], dtype=np.float32)
    y = act(x)
    d = act.derivative_from_output(y)
    assert d.dtype == np.float32 and np.all(d >= 0)
    assert np.all(np.abs(d - act.derivative(x)) <= 3e-7)  # ulp(alpha): the documented accuracy


# -------------------------------------------------------------------- left to the dispatcher
# Exact definitions compute float32 input in float32, unless a parameter is beyond float32's
# range: it would be rounded to 0 or inf, so those compute in float64.


def test_a_slope_beyond_float32_range_is_not_rounded_to_infinity():
    # 1e71 · 1e-40 ≈ 1e31 is a float32; the slope rounded to float32 is inf, and inf · 0 is NaN.
    x = np.array([1e-40, 0.0], dtype=np.float32)
    y = al.linear(x, c=1e71)
    assert y[0] == np.float32(float(x[0]) * 1e71) and y[1] == 0.0


def test_a_slope_below_float32_range_is_not_rounded_to_zero():
    # 1e-50 · -1e38 = -1e-12 is a float32; the slope rounded to float32 is 0.
    y = al.leaky_relu(np.array([-1e38, -np.inf], dtype=np.float32), alpha=1e-50)
    assert y[0] == np.float32(-1e-12) and y[1] == -np.inf


# -------------------------------------------------------------------- random parameters
def _parameter_values(p):
    """A parameter's edges (its bounds, 0, ±1) and values between, within its range, of
    magnitudes from 1e-4 to 1e4, which float16 represents too (beyond: the tests above)."""
    from hypothesis import strategies as st

    if p.choices is not None:
        return st.sampled_from(p.choices)
    if p.integer:
        return st.integers(min_value=max(int(p.low), 1) if math.isfinite(p.low) else 1, max_value=4)
    lo, hi = max(p.low, -1e4), min(p.high, 1e4)
    edges = [v for v in (p.low, p.high, 0.0, 1.0, -1.0) if lo <= v <= hi]
    between = st.floats(min_value=lo, max_value=hi, allow_nan=False).filter(
        lambda v: v == 0 or abs(v) >= 1e-4
    )
    return st.one_of(st.sampled_from(edges), between)


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_the_contract_holds_at_random_parameters(d):
    """NaN only where the input is NaN, outputs within the range the metadata states at those
    parameters, monotone where it says so; for float16/32/64 input holding ±inf and extremes."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp

    @settings(max_examples=40, deadline=None)
    @given(data=st.data(), dtype=st.sampled_from([np.float16, np.float32, np.float64]))
    def check(data, dtype):
        params = {p.name: data.draw(_parameter_values(p), label=p.name) for p in d.params}
        try:
            act = al.get(d, **params)
        except al.ParameterError:  # a combination the definition refuses (rrelu lower > upper)
            return
        fi = np.finfo(dtype)
        x = data.draw(hnp.arrays(dtype, st.integers(0, 8), elements=st.floats(width=fi.bits)))
        x = np.concatenate(
            [
                x,
                np.array(
                    [
                        -np.inf,
                        np.inf,
                        fi.max,
                        -fi.max,
                        fi.smallest_subnormal,
                        -fi.smallest_subnormal,
                        0.0,
                        -0.0,
                        np.nan,
                    ],
                    dtype=dtype,
                ),
            ]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = np.asarray(act(x))
            dy = np.asarray(act.derivative(x))
        assert np.array_equal(np.isnan(y), np.isnan(x)), f"{params}: NaN at {x[np.isnan(y) != np.isnan(x)]}"
        assert np.array_equal(np.isnan(dy), np.isnan(x)), (
            f"{params}: NaN f' at {x[np.isnan(dy) != np.isnan(x)]}"
        )
        with np.errstate(over="ignore"):  # the range's bounds as the dtype rounds them
            lo, hi = (float(np.asarray(v, dtype=dtype)) for v in act.info.output_range)
        y64, finite = y.astype(np.float64), ~np.isnan(y)
        assert np.all((y64[finite] >= lo) & (y64[finite] <= hi)), f"{params}: outside [{lo}, {hi}]"
        if act.info.monotonic:
            ys = y64[finite][np.argsort(x[finite].astype(np.float64), kind="stable")]
            assert np.all(ys[1:] >= ys[:-1]), f"{params}: decreases"

    check()
