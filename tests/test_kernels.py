"""The public functions on the fused kernels against the NumPy reference path, for every
elementwise activation, and the dispatch that chooses between them.

The budget is the catalog's accuracy contract, measured against the reference (which computes
float32 input in float64 and rounds once): forward within 4 ulp × (1 + κ(x)), derivative within
8 ulp × (1 + κ'(x)), κ(x) = |x f'(x)/f(x)| the relative condition number; exact (piecewise-linear)
activations give exactly the reference's answer. No timing is asserted here: speed is shown in
benchmarks/.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import actlab as al
import actlab.kernels as K
from actlab.core.arrays import NUMPY_OPS
from actlab.kernels import dispatch, fused, parallel

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]
DIFFERENTIABLE = [d for d in ELEMENTWISE if d.differentiable]
FROM_OUTPUT = [d for d in ELEMENTWISE if d.derivative_from_output is not None]
DTYPES = [np.float32, np.float64]
dtypes = pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
needs_numba = pytest.mark.skipif(fused.unavailable() is not None, reason="numba is not installed")


def ref(fn, *args):
    """A result of the NumPy reference path (the public call with the numba backend off)."""
    with K.using(backend="numpy"):
        return fn(*args)


@pytest.fixture
def fresh_plans():
    """Plans chosen while a test changes what is installed are dropped after it."""
    yield
    K.configure()


def param_cases(d: al.Definition) -> list[dict]:
    """Default parameters, each other choice of a categorical, and one other valid real value."""
    base = {p.name: p.default for p in d.params}
    cases = [base]
    for p in d.params:
        if p.choices is not None:
            cases += [{**base, p.name: c} for c in p.choices if c != p.default]
            continue
        for value in (p.default * 1.5 if p.default else 0.5, p.default / 2, p.default + 0.5):
            try:
                al.get(d, **{**base, p.name: value})
            except al.ParameterError:
                continue
            cases.append({**base, p.name: value})
            break
    return cases


def _cases(definitions):
    return [
        pytest.param(d, params, id=f"{d.name}-" + "-".join(f"{k}={v}" for k, v in params.items()))
        for d in definitions
        for params in param_cases(d)
    ]


def grid(dtype, kinks=()) -> np.ndarray:
    """The whole finite range of ``dtype`` (subnormals to the largest value, both signs), dense
    near zero and over the transition zone, and both sides of every kink."""
    fi = np.finfo(dtype)
    mags = np.concatenate(
        [
            np.logspace(math.log10(float(fi.smallest_subnormal)), math.log10(float(fi.max)) - 1e-9, 400),
            np.logspace(-4, 2, 300),
            [float(fi.smallest_subnormal), float(fi.smallest_normal), float(fi.max)],
        ]
    )
    parts = [mags, -mags, np.linspace(-20, 20, 401), [0.0, -0.0]]
    for k in kinks:
        off = np.array([1e-6, 1e-3, 0.1])
        parts += [k + off, k - off, [k]]
    with np.errstate(over="ignore"):
        x = np.concatenate([np.asarray(p, np.float64) for p in parts]).astype(dtype)
    return np.unique(x[np.isfinite(x)])


def ulp_error(got: np.ndarray, want: np.ndarray, dtype) -> np.ndarray:
    """|got − want| in ulps of ``dtype`` at ``want``. Both NaN, or the same infinity, is exact; a
    reference below the smallest normal number accepts any answer at most that small. NaN
    against a number (either way) gives NaN, which fails every budget, even an infinite one."""
    fi = np.finfo(dtype)
    g, w = got.astype(np.float64), want.astype(np.float64)
    with np.errstate(all="ignore"):
        spacing = np.spacing(np.abs(want).astype(dtype)).astype(np.float64)
        err = np.abs(g - w) / spacing
    err[np.isnan(g) & np.isnan(w)] = 0.0
    inf = np.isinf(w) | np.isinf(g)
    err[inf] = np.where(g[inf] == w[inf], 0.0, np.inf)
    tiny = np.abs(w) < float(fi.smallest_normal)
    err[tiny] = np.where(np.abs(g[tiny]) <= float(fi.smallest_normal), 0.0, np.inf)
    err[np.isnan(g) != np.isnan(w)] = np.nan
    return err


def condition(f: np.ndarray, df: np.ndarray, x: np.ndarray) -> np.ndarray:
    """κ(x) = |x f'(x)/f(x)| (inf where f(x) = 0 or the ratio is undefined)."""
    with np.errstate(all="ignore"):
        k = np.abs(x * df / f)
    return np.where(np.isnan(k), np.inf, k)


def forward_budget(act: al.Activation, x: np.ndarray) -> np.ndarray:
    x64 = x.astype(np.float64)
    return 4.0 * (1.0 + condition(ref(act, x64), ref(act.derivative, x64), x64))


def derivative_budget(act: al.Activation, x: np.ndarray) -> np.ndarray:
    x64 = x.astype(np.float64)
    h = 1e-7 * np.maximum(1.0, np.abs(x64))
    with np.errstate(all="ignore"):
        d2 = (act.derivative(x64 + h) - act.derivative(x64 - h)) / ((x64 + h) - (x64 - h))
        return 8.0 * (1.0 + condition(act.derivative(x64), d2, x64))


def oracle_value(act: al.Activation, x: float):
    """f(x) to 50 digits, from the definition's mpmath formula."""
    with mpmath.workdps(50):
        return act.definition.mp_forward(mpmath.mp, mpmath.mpf(x), **act.params)


def oracle_derivative(act: al.Activation, x: float):
    """f'(x) by a central difference in 80-digit arithmetic (step 1e-30 relative)."""
    with mpmath.workdps(80):
        xm = mpmath.mpf(x)
        h = max(abs(xm), mpmath.mpf("1e-3")) * mpmath.mpf(10) ** -30
        f = act.definition.mp_forward
        return (f(mpmath.mp, xm + h, **act.params) - f(mpmath.mp, xm - h, **act.params)) / (2 * h)


def assert_within(name: str, x, got, want, budget, dtype, oracle=None):
    """Every point within budget of the reference; where it is not, the reference itself may be
    the one that is off, so ``oracle(x_i)`` (the exact value) has the last word."""
    err = ulp_error(np.asarray(got), np.asarray(want), dtype)
    bad = np.flatnonzero(~(err <= budget))
    if oracle is not None and bad.size:
        exact = np.array([float(oracle(float(x[i]))) for i in bad])
        err[bad] = ulp_error(np.asarray(got)[bad], exact, dtype)
        bad = bad[~(err[bad] <= budget[bad])]
    assert bad.size == 0, f"{name}: {bad.size} points over budget, e.g. " + ", ".join(
        f"x={x[i]!r} got={got[i]!r} want={want[i]!r} ({err[i]:.3g} ulp > {budget[i]:.3g})" for i in bad[:3]
    )


# -- accuracy: every elementwise activation, every parameter case, both dtypes ------------------


@dtypes
@pytest.mark.parametrize(("d", "params"), _cases(ELEMENTWISE))
def test_forward_meets_contract(d, params, dtype):
    act = al.get(d, **params)
    x = grid(dtype, d.kinks_for(params))
    y = act(x)
    assert y.dtype == dtype and y.shape == x.shape
    if d.exact:
        np.testing.assert_array_equal(y, ref(act, x))
    else:
        assert_within(
            d.name, x, y, ref(act, x), forward_budget(act, x), dtype, lambda v: oracle_value(act, v)
        )


@dtypes
@pytest.mark.parametrize(("d", "params"), _cases(DIFFERENTIABLE))
def test_derivative_meets_contract(d, params, dtype):
    """backward with grad_out = 1 is f'(x) itself (the product by 1 is exact)."""
    act = al.get(d, **params)
    x = grid(dtype, d.kinks_for(params))
    for dy in (act.vjp(x, np.ones_like(x)), act.derivative(x)):
        assert dy.dtype == dtype
        if d.exact:
            np.testing.assert_array_equal(dy, ref(act.derivative, x))
        else:
            assert_within(
                d.name,
                x,
                dy,
                ref(act.derivative, x),
                derivative_budget(act, x),
                dtype,
                lambda v: oracle_derivative(act, v),
            )


@dtypes
@pytest.mark.parametrize("d", DIFFERENTIABLE, ids=lambda d: d.name)
def test_backward_is_grad_times_derivative(d, dtype):
    act = al.get(d)
    rng = np.random.default_rng(7)
    x = grid(dtype, d.kinks_for(act.params))
    # |g| in [1/2, 2]: a large g would lift a subnormal f'(x), and its rounding, into view.
    g = (rng.choice([-1, 1], x.size) * rng.uniform(0.5, 2.0, x.size)).astype(dtype)
    got = act.vjp(x, g)
    want = ref(act.vjp, x, g)
    if d.exact:
        np.testing.assert_array_equal(got, want)
    else:  # one more rounding, of the product
        assert_within(d.name, x, got, want, derivative_budget(act, x) + 1.0, dtype)


def from_output_budget(act: al.Activation, y: np.ndarray) -> np.ndarray:
    """8 ulp × (1 + κ), κ the condition number of f'(x) as a function of y = f(x)."""
    y64 = y.astype(np.float64)
    h = 1e-7 * np.maximum(1.0, np.abs(y64))
    with np.errstate(all="ignore"):
        dfo = act.derivative_from_output
        d2 = (dfo(y64 + h) - dfo(y64 - h)) / ((y64 + h) - (y64 - h))
        return 8.0 * (1.0 + condition(dfo(y64), d2, y64))


@dtypes
@pytest.mark.parametrize(("d", "params"), _cases(FROM_OUTPUT))
def test_backward_from_output_meets_contract(d, params, dtype):
    """From the outputs y = f(x) over the grid: g·f'(x) computed from y, for g = 1 and random g."""
    act = al.get(d, **params)
    y = ref(act, grid(dtype, d.kinks_for(params)))
    np.testing.assert_array_equal(act.derivative_from_output(y), act.vjp_from_output(y, np.ones_like(y)))
    got = act.vjp_from_output(y, np.ones_like(y))
    assert got.dtype == dtype
    rng = np.random.default_rng(3)
    g = (rng.choice([-1, 1], y.size) * rng.uniform(0.5, 2.0, y.size)).astype(dtype)
    got_g = act.vjp_from_output(y, g)
    want = ref(act.derivative_from_output, y)
    if d.exact:
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(got_g, g * want)
    else:
        budget = from_output_budget(act, y)
        assert_within(d.name, y, got, want, budget, dtype)
        assert_within(d.name, y, got_g, ref(np.multiply, g, want.astype(np.float64)), budget + 1.0, dtype)


@dtypes
@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_special_values(d, dtype):
    """NaN propagates, ±inf give the reference's limits, ±0, subnormals and the extremes agree."""
    fi = np.finfo(dtype)
    act = al.get(d)
    x = np.array(
        [
            np.nan,
            np.inf,
            -np.inf,
            0.0,
            -0.0,
            fi.smallest_subnormal,
            -fi.smallest_subnormal,
            fi.smallest_normal,
            -fi.smallest_normal,
            fi.max,
            -fi.max,
            1e30,
            -1e30,
        ],
        dtype,
    )
    y = act(x)
    want = ref(act, x)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(want))
    assert_within(d.name, x, y, want, np.full(x.shape, 4.0), dtype)
    if d.differentiable:
        assert_within(
            d.name, x, act.vjp(x, np.ones_like(x)), ref(act.derivative, x), np.full(x.shape, 8.0), dtype
        )
    if d.derivative_from_output is not None:
        assert_within(
            d.name,
            x,
            act.vjp_from_output(x, np.ones_like(x)),
            ref(act.derivative_from_output, x),
            np.full(x.shape, 8.0),
            dtype,
        )


# -- shapes, layouts and out= --------------------------------------------------------------------

LARGE = 3 * 65536 + 17  # enough work for several threads (see parallel.pieces), a ragged end


@dtypes
def test_large_multidimensional_and_strided_input(dtype):
    act = al.get("gelu")
    x = np.random.default_rng(1).standard_normal((2, LARGE)).astype(dtype) * 4
    y = act(x)
    assert y.shape == x.shape
    assert_within(
        "gelu",
        x.ravel(),
        y.ravel(),
        ref(act, x).ravel(),
        forward_budget(act, x.ravel()),
        dtype,
        lambda v: oracle_value(act, v),
    )
    strided = x[:, ::3]
    ys = act(strided)
    assert ys.shape == strided.shape and ys.flags.c_contiguous
    np.testing.assert_array_equal(ys, y[:, ::3])


# The out= tests compare with the same call without out=: accuracy is tested above.


def test_out_is_filled_and_returned():
    act = al.get("swish")
    x = np.linspace(-5, 5, LARGE, dtype=np.float32)
    out = np.empty_like(x)
    assert act(x, out=out) is out
    np.testing.assert_array_equal(out, act(x))
    g = np.full_like(x, 2.0)
    gout = np.empty_like(x)
    assert act.vjp(x, g, out=gout) is gout
    np.testing.assert_array_equal(gout, act.vjp(x, g))


def test_out_in_place_over_the_input():
    act = al.get("elu")
    x = np.linspace(-5, 5, LARGE, dtype=np.float32)
    want = act(x)
    assert act(x, out=x) is x
    np.testing.assert_array_equal(x, want)
    g = np.linspace(-1, 1, LARGE, dtype=np.float32)
    want = act.vjp(x, g)
    assert act.vjp(x, g, out=g) is g
    np.testing.assert_array_equal(g, want)


def test_out_overlapping_the_input_with_a_shift_is_still_correct():
    act = al.get("sigmoid")
    buf = np.linspace(-5, 5, LARGE + 1, dtype=np.float32)
    x, out = buf[1:], buf[:-1]
    want = act(x.copy())
    act(x, out=out)
    np.testing.assert_array_equal(out, want)


def test_out_of_another_dtype_or_layout_receives_the_cast_result():
    act = al.get("tanh")
    x = np.linspace(-3, 3, 1000, dtype=np.float32)
    want = act(x)
    out64 = np.empty(1000)
    assert act(x, out=out64) is out64
    np.testing.assert_array_equal(out64, want.astype(np.float64))
    strided = np.empty((1000, 2), np.float32)[:, 0]
    act(x, out=strided)
    np.testing.assert_array_equal(strided, want)


def test_bad_out_is_a_clear_error():
    act = al.get("relu")
    x = np.ones(10, np.float32)
    with pytest.raises(ValueError, match="shape"):
        act(x, out=np.empty(11, np.float32))
    with pytest.raises(al.InputTypeError, match="floating"):
        act(x, out=np.empty(10, np.int32))


# -- what the dispatch hands to the whole-array reference ----------------------------------------


def whole_array(act, x, g=None):
    """The definition evaluated on the whole array, as the core does without the NumPy path."""
    from actlab.core import activation

    path = activation._numpy_path
    activation._numpy_path = None
    try:
        return act(x) if g is None else act.vjp(x, g)
    finally:
        activation._numpy_path = path


@pytest.mark.parametrize("d", [d for d in ELEMENTWISE if not d.exact], ids=lambda d: d.name)
def test_the_chunked_reference_is_the_whole_array_reference_exactly(d):
    act = al.get(d)
    x = np.linspace(-30, 30, LARGE, dtype=np.float32)
    g = np.linspace(-1, 1, LARGE, dtype=np.float32)
    np.testing.assert_array_equal(ref(act, x), whole_array(act, x))
    if d.differentiable:
        np.testing.assert_array_equal(ref(act.vjp, x, g), whole_array(act, x, g))


def test_vector_valued_activations_take_the_whole_array_path():
    x = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    for d in al.definitions():
        if d.elementwise:
            continue
        act = al.get(d)
        assert K.path(act) == "whole-array reference"
        np.testing.assert_array_equal(act(x), whole_array(act, x))


def test_non_differentiable_backward_raises():
    step = next(d for d in ELEMENTWISE if not d.differentiable)
    with pytest.raises(al.NotDifferentiableError):
        al.get(step).vjp(np.ones(4), np.ones(4))


@pytest.mark.parametrize(
    "x",
    [
        np.arange(-3, 4),
        np.linspace(-1, 1, 5, dtype=np.float16),
        1.5,
        np.float32(0.25),
        np.zeros((0, 3), np.float32),
        np.array(0.5),
    ],
    ids=["int", "float16", "python-float", "numpy-scalar", "empty", "0-d"],
)
def test_other_inputs_match_the_whole_array_reference(x):
    """Integers and float16 are computed in float64 and rounded once, whichever path."""
    act = al.get("softplus")
    got, want = act(x), whole_array(act, x)
    assert np.asarray(got).dtype == np.asarray(want).dtype and np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(np.asarray(want).dtype).eps)


def test_per_channel_parameters_and_custom_callables_take_the_whole_array_path():
    prelu = al.get("prelu", alpha=np.array([0.1, 0.2, 0.3]))
    square = al.custom(lambda x: x * x, derivative=lambda x: 2 * x, name="square")
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(4, 3)
    for act in (prelu, square):
        assert K.path(act) == "whole-array reference"
        np.testing.assert_array_equal(act(x), whole_array(act, x))
        np.testing.assert_array_equal(act.vjp(x, np.ones_like(x)), whole_array(act, x, np.ones_like(x)))


def test_grad_out_of_another_dtype_or_shape():
    act = al.get("sigmoid")
    x = np.linspace(-3, 3, 8, dtype=np.float32)
    g64 = np.linspace(-2, 2, 8)
    got = act.vjp(x, g64)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, act.vjp(x, g64.astype(np.float32)), rtol=2e-7)
    with pytest.raises(ValueError, match="shape"):
        act.vjp(x, np.ones(7, np.float32))
    with pytest.raises(ValueError, match="shape"):
        act.vjp_from_output(act(x), np.ones(7, np.float32))


def test_old_names_are_the_public_calls():
    x = np.linspace(-3, 3, 9, dtype=np.float32)
    act = al.get("elu", alpha=0.5)
    np.testing.assert_array_equal(K.forward({"name": "elu", "params": {"alpha": 0.5}}, x), act(x))
    np.testing.assert_array_equal(K.backward(act, x, x), act.vjp(x, x))
    np.testing.assert_array_equal(K.backward_from_output(act, x, x), act.vjp_from_output(x, x))
    with pytest.raises(al.UnknownActivationError):
        K.forward("no_such_activation", x)


# -- the public path is the fast path ------------------------------------------------------------

FORMS = ("forward", "derivative", "backward", "derivative_from_output", "backward_from_output")


def _forms(d):
    forms = ["forward"] + ["derivative", "backward"] * d.differentiable
    return forms + ["derivative_from_output", "backward_from_output"] * (d.derivative_from_output is not None)


def _call(act, form, x):
    g = np.full_like(x, 0.5)
    return {
        "forward": lambda: act(x),
        "derivative": lambda: act.derivative(x),
        "backward": lambda: act.vjp(x, g),
        "derivative_from_output": lambda: act.derivative_from_output(x),
        "backward_from_output": lambda: act.vjp_from_output(x, g),
    }[form]()


@needs_numba
@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_every_public_call_runs_the_fused_kernel(d, monkeypatch):
    """Each method of each elementwise activation calls its compiled loop, for float32, float64
    and float16 input, contiguous or not."""
    act = al.get(d)
    for dtype, kernel_dtype in ((np.float32, "float32"), (np.float64, "float64"), (np.float16, "float64")):
        for form in _forms(d):
            p = dispatch.plan(act, form, np.dtype(dtype))
            assert p.label == f"fused {kernel_dtype} kernel", (form, p.label)
            calls = []
            kernel = p.kernel
            monkeypatch.setattr(p, "kernel", lambda *a, _k=kernel: (calls.append(1), _k(*a)))
            x = np.linspace(-3, 3, 40, dtype=dtype).reshape(4, 10)
            _call(act, form, x)
            _call(act, form, x[:, ::3])  # strided: through nditer's buffers
            assert len(calls) == 2, form
            monkeypatch.undo()
    if d.param_partials:
        x = np.linspace(-3, 3, 40, dtype=np.float32)
        assert set(act.param_grads(x, np.ones_like(x))) == set(d.param_partials)
        for name in d.param_partials:
            assert dispatch.plan(act, ("param", name), np.dtype(np.float32)).label == "fused float32 kernel"


@pytest.mark.parametrize("backend", ["numpy", "auto"])
@pytest.mark.parametrize("name", ["gelu", "mish", "elu"])
def test_no_allocation_larger_than_the_output(name, backend):
    """Peak memory of forward and backward: the output, plus cache-sized chunks (NumPy reports
    its allocations to tracemalloc)."""
    import tracemalloc

    act = al.get(name)
    x = np.linspace(-8, 8, 1 << 22, dtype=np.float32)
    g = np.ones_like(x)
    with K.using(backend=backend):
        act(x[:100]), act.vjp(x[:100], g[:100])  # kernels built outside the measurement
        for call in (lambda: act(x), lambda: act.vjp(x, g), lambda: act.derivative(x)):
            tracemalloc.start()
            y = call()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert y.nbytes == x.nbytes
            assert peak <= 1.5 * y.nbytes, f"{name} ({backend}): peak {peak / y.nbytes:.2f}× the output"


def test_param_grads_on_both_paths():
    act = al.get("swish", beta=1.5)
    x = np.linspace(-6, 6, LARGE).astype(np.float32)
    g = np.cos(np.arange(LARGE)).astype(np.float32)
    fast = act.param_grads(x, g)["beta"]
    reference = ref(act.param_grads, x, g)["beta"]
    terms = g.astype(np.float64) * act.definition.param_partials["beta"](
        x.astype(np.float64), NUMPY_OPS, beta=1.5
    )
    exact, scale = float(np.sum(terms)), float(np.sum(np.abs(terms)))
    assert isinstance(fast, float) and isinstance(reference, float)
    # The terms cancel (g oscillates): errors are measured against the sum of their sizes.
    assert abs(fast - exact) <= 1e-7 * scale and abs(reference - exact) <= 1e-13 * scale
    strided = act.param_grads(x[::2], g[::2])["beta"]
    assert abs(strided - float(np.sum(terms[::2]))) <= 1e-7 * scale


# -- the fallback, threads, and what is reported -------------------------------------------------


def test_missing_numba_falls_back_and_says_so(monkeypatch, fresh_plans):
    import sys

    monkeypatch.setattr(fused, "_numba_missing", [])
    monkeypatch.setitem(sys.modules, "numba", None)  # makes `import numba` fail
    K.configure()  # plans are chosen afresh
    info = K.available()
    assert info["backend"] == "numpy" and "actlab[fast]" in info["reason"]
    act = al.get("mish")
    assert K.path(act).startswith("NumPy reference in float64")
    x = np.linspace(-10, 10, 1001)
    np.testing.assert_array_equal(act(x), whole_array(act, x))


def test_settings_are_checked_and_restored():
    before = K.available()["threads"]
    with K.using(threads=1, backend="numpy") as s:
        assert s.threads == 1 and K.available()["backend"] == "numpy"
        assert K.path("relu").startswith("NumPy reference")
    assert K.available()["threads"] == before
    for bad in ({"threads": 0}, {"threads": "two"}, {"backend": "cuda"}):
        with pytest.raises(ValueError):
            K.configure(**bad)


def test_thread_count_from_the_environment(monkeypatch):
    from actlab.kernels import settings

    monkeypatch.setenv("ACTLAB_NUM_THREADS", "3")
    assert settings._threads_from_env() == 3
    monkeypatch.setenv("ACTLAB_NUM_THREADS", "two")
    with pytest.raises(ValueError, match="ACTLAB_NUM_THREADS"):
        settings._threads_from_env()
    monkeypatch.setenv("ACTLAB_KERNELS", "NumPy")
    assert settings._backend_from_env() == "numpy"


@needs_numba
def test_available_describes_the_numba_backend():
    info = K.available()
    assert info["backend"] == "numba" and info["reason"] == "" and info["numba"]
    assert info["threads"] == parallel.thread_count() >= 1


@needs_numba
def test_warm_up_builds_ahead_and_in_the_background():
    act = al.get("softsign")
    assert isinstance(K.warm_up([act], dtypes=(np.float64,), forms=("forward",)), float)
    thread = K.warm_up(["tanhshrink"], background=True)
    thread.join(timeout=600)
    assert not thread.is_alive()
    assert fused.kernel(al.get("tanhshrink"), np.dtype(np.float32), "backward")[0] is not None


def test_one_thread_gives_the_same_answer():
    act = al.get("gelu")
    x = np.linspace(-6, 6, LARGE, dtype=np.float32)
    many = act(x)
    with K.using(threads=1):
        np.testing.assert_array_equal(act(x), many)


def test_pieces_cover_the_range_once_on_aligned_boundaries():
    for n in (1, 1000, 131072, LARGE, 10_000_000):
        for threads in (1, 2, 3, 8):
            for ns in (0.1, 2.0):
                parts = parallel.pieces(n, threads, ns)
                assert parts[0][0] == 0 and parts[-1][1] == n
                assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
                assert all(lo % 64 == 0 for lo, _ in parts)
                assert len(parts) == 1 or all(
                    (hi - lo) * ns >= parallel.MIN_PIECE_NS / 2 for lo, hi in parts[:-1]
                )


def test_work_is_shared_only_when_there_is_enough_of_it():
    cheap, costly = parallel.pieces(1_000_000, 2, 0.05), parallel.pieces(1_000_000, 2, 2.0)
    assert len(cheap) == 1 and len(costly) == 2
    assert len(parallel.pieces(10_000_000, 2, 0.1)) >= 4  # long ranges: more pieces than threads


def test_threads_share_the_pieces():
    import threading

    seen, barrier = set(), threading.Barrier(2, timeout=10)

    def task(lo, hi):
        seen.add(threading.get_ident())
        barrier.wait()  # both threads must be inside a piece at once

    with K.using(threads=2):
        parallel.run(task, 1 << 20, 10.0)
    assert len(seen) == 2
