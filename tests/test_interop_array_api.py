"""Every activation on every array library gives the NumPy path's numbers, type, dtype and device.

The NumPy path is held to the accuracy contract (forward within 4 ulp × (1 + κ), derivative
within 8 ulp × (1 + κ'), κ the relative condition number) against mpmath elsewhere; here each
library must land within the same budget of the NumPy answer, so within twice the contract of
the truth. Vector-valued activations are compared in ulps of the largest entry of each row.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest

import actlab as al
import actlab.kernels as K

pytest.importorskip("array_api_compat")

rng = np.random.default_rng(20240611)
# 72 inputs: the transition zones, large magnitudes, the kinks of most activations, infinities,
# NaN, signed zeros and tiny values; rows 0-3 are finite, rows 4-5 hold the special values.
X = np.concatenate(
    [
        np.linspace(-8, 8, 36),
        rng.standard_normal(8) * 30,
        [-3.0, 3.0, 6.0, 1.0],
        [0.0, -0.0, 0.5, -0.5, 1e3, -1e3, np.inf, -np.inf, np.nan, 1e-200, -1e-200, 2.0],
        rng.standard_normal(12),
    ]
).reshape(6, 12)
X[5, 3] = np.inf  # one row with +inf among finite entries (the softmax limits)


@dataclass(frozen=True)
class Backend:
    name: str
    to: Callable[[np.ndarray], Any]
    back: Callable[[Any], np.ndarray]
    array_type: type
    default_float: Any  # what integers become
    device: Callable[[Any], Any]


def _torch() -> Backend:
    torch = pytest.importorskip("torch")
    return Backend(
        "torch", torch.asarray, lambda a: a.numpy(), torch.Tensor, torch.float32, lambda a: a.device
    )


def _dask() -> Backend:
    da = pytest.importorskip("dask.array")
    # Chunks split both axes, so reductions along an axis cross blocks.
    return Backend(
        "dask",
        lambda a: da.from_array(a, chunks=(3, 6)),
        _compute_quietly,
        da.Array,
        np.float64,
        lambda a: "cpu",
    )


def _compute_quietly(a):
    # Dask evaluates after actlab has returned, outside its np.errstate, so NumPy's warnings
    # about the harmless overflow in unused branches of `where` surface at compute time.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return a.compute()


def _strict() -> Backend:
    xp = pytest.importorskip("array_api_strict")
    return Backend(
        "array_api_strict", xp.asarray, np.from_dlpack, type(xp.asarray(0.0)), xp.float64, lambda a: a.device
    )


def _jax() -> Backend:
    pytest.importorskip("jax")
    import jax.numpy as jnp

    # The fixture enables float64, which makes it JAX's default float.
    return Backend("jax", jnp.asarray, np.asarray, type(jnp.zeros(1)), jnp.float64, lambda a: a.devices())


BACKENDS = {"torch": _torch, "dask": _dask, "array_api_strict": _strict, "jax": _jax}


@pytest.fixture(params=list(BACKENDS))
def backend(request):
    made = BACKENDS[request.param]()
    if made.name == "jax":  # float64 on, so float32 is widened as on every other path
        import jax

        with jax.enable_x64(True):
            yield made
    else:
        yield made


# -- comparing against the NumPy path ------------------------------------------------------------


def _kappa(fn: Callable, t: np.ndarray) -> np.ndarray:
    """|t g'(t) / g(t)| of the NumPy path's function g, by a central difference in float64."""
    t = t.astype(np.float64)
    h = 1e-7 * np.maximum(1.0, np.abs(t))
    with np.errstate(all="ignore"):
        k = np.abs(t * (np.asarray(fn(t + h)) - np.asarray(fn(t - h))) / (2 * h) / np.asarray(fn(t)))
    return np.where(np.isfinite(k), k, np.inf)


def assert_matches(got: np.ndarray, want: np.ndarray, ulps, what: str, atol=0.0):
    """got within ``ulps`` ulps of want, or within ``atol``; two values below the smallest normal
    number count as equal, non-finite ones must be equal."""
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype}, expected {want.dtype}"
    tiny = float(np.finfo(want.dtype).smallest_normal)
    g64, w64 = got.astype(np.float64), want.astype(np.float64)
    same = (g64 == w64) | (np.isnan(g64) & np.isnan(w64)) | ((np.abs(g64) <= tiny) & (np.abs(w64) <= tiny))
    ulp = np.spacing(np.maximum(np.abs(want), tiny).astype(want.dtype)).astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf where an infinity is off
        diff = np.abs(g64 - w64)
    ok = same | (diff <= ulps * ulp) | (diff <= atol)
    worst = np.unravel_index(np.argmax(np.where(ok, 0.0, np.nan_to_num(diff / ulp, nan=np.inf))), diff.shape)
    assert ok.all(), (
        f"{what}: {np.count_nonzero(~ok)} values off; worst: got {got[worst]!r}, "
        f"expected {want[worst]!r} at index {worst}"
    )


def _row_atol(want: np.ndarray, ulps: float) -> np.ndarray:
    """``ulps`` ulps of the largest finite entry of each row."""
    magnitude = np.where(np.isfinite(want), np.abs(want), 0.0)
    return ulps * np.spacing(magnitude.max(axis=-1, keepdims=True)).astype(np.float64)


def _check(b: Backend, got, want, ulps, what, in_dtype, atol=0.0):
    assert isinstance(got, b.array_type), (
        f"{what}: got {type(got).__name__}, expected {b.array_type.__name__}"
    )
    assert got.dtype == in_dtype, f"{what}: dtype {got.dtype}, expected {in_dtype}"
    assert_matches(b.back(got), np.asarray(want), ulps, what, atol)


# -- every activation, every library ----------------------------------------------------------------

# JAX compiles every operation for each new dtype, so it runs on float32 alone (its default).
LIBRARY_DTYPES = [
    pytest.param(name, dtype, id=f"{name}-{dtype.__name__}")
    for name in BACKENDS
    for dtype in (np.float32, np.float64)
    if name != "jax" or dtype is np.float32
]


@pytest.mark.parametrize(("backend", "dtype"), LIBRARY_DTYPES, indirect=["backend"])
@pytest.mark.parametrize("d", al.definitions(), ids=lambda d: d.name)
def test_same_values_type_and_dtype_as_numpy(backend, d, dtype):
    """Each library runs the same definition; it is compared with the NumPy reference path
    (float32 computed in float64, as the other libraries do on the CPU), within the contract."""
    act = al.get(d)
    x = X.astype(dtype)
    xb = backend.to(x)
    with K.using(backend="numpy"):
        y = act(x)
        g = np.linspace(-1.0, 1.0, y.size).reshape(y.shape).astype(dtype)
        want_vjp = act.vjp(x, g) if d.differentiable else None
        want_d = act.derivative(x) if d.elementwise and d.differentiable else None
        want_dfo = act.derivative_from_output(y) if d.derivative_from_output is not None else None
    y_b = act(xb)
    assert backend.device(y_b) == backend.device(xb)
    if not d.elementwise:
        _check(backend, y_b, y, 0, f"{d.name} forward", xb.dtype, _row_atol(y, 16))
        if d.differentiable:
            _check(
                backend,
                act.vjp(xb, backend.to(g)),
                want_vjp,
                0,
                f"{d.name} vjp",
                xb.dtype,
                _row_atol(want_vjp, 16),
            )
        return
    exact = d.exact
    _check(backend, y_b, y, 0 if exact else 8 * (1 + _kappa(act, x)), f"{d.name} forward", xb.dtype)
    if not d.differentiable:
        return
    deriv_budget = 0 if exact else 16 * (1 + _kappa(act.derivative, x))
    _check(backend, act.derivative(xb), want_d, deriv_budget, f"{d.name} derivative", xb.dtype)
    _check(backend, act.vjp(xb, backend.to(g)), want_vjp, deriv_budget + 1, f"{d.name} vjp", xb.dtype)
    if want_dfo is not None:
        budget = 0 if exact else 16 * (1 + _kappa(act.derivative_from_output, y))
        _check(
            backend,
            act.derivative_from_output(backend.to(y)),
            want_dfo,
            budget,
            f"{d.name} derivative_from_output",
            xb.dtype,
        )


LEARNABLE = [d for d in al.definitions() if d.param_partials]


@pytest.mark.parametrize("d", LEARNABLE, ids=lambda d: d.name)
def test_param_grads_match_numpy(backend, d):
    act = al.get(d)
    x = X[:4]  # finite rows: parameter gradients sum over every element
    g = np.linspace(-1.0, 1.0, x.size).reshape(x.shape)
    want = act.param_grads(x, g)
    got = act.param_grads(backend.to(x), backend.to(g))
    assert set(got) == set(want)
    for name in want:
        np.testing.assert_allclose(float(got[name]), want[name], rtol=1e-13, err_msg=name)


def test_integers_and_bools_become_the_default_float(backend):
    ints, bools = np.arange(-3, 3).reshape(1, 6), np.array([[True, False]])
    for d in al.definitions():
        y = al.get(d)(backend.to(ints))
        assert isinstance(y, backend.array_type) and y.dtype == backend.default_float, d.name
        np.testing.assert_allclose(backend.back(y), al.get(d)(ints), rtol=1e-6, err_msg=d.name)
    assert al.relu(backend.to(bools)).dtype == backend.default_float


def test_per_channel_parameter_follows_the_input(backend):
    alpha = np.array([0.1, 0.2, 0.3])[:, None]  # one slope per row
    act = al.get("prelu", alpha=alpha)
    x = np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)
    y = act(backend.to(x))
    assert isinstance(y, backend.array_type) and y.dtype == backend.to(x).dtype
    np.testing.assert_array_equal(backend.back(y), act(x))
    if backend.name == "torch":
        return  # param_grads does not take tensors yet: see test_param_grads_match_numpy
    grads = act.param_grads(backend.to(x), backend.to(np.ones_like(x)))
    np.testing.assert_allclose(np.asarray(grads["alpha"]), act.param_grads(x, np.ones_like(x))["alpha"])


@pytest.mark.parametrize("d", [d for d in al.definitions() if d.stochastic], ids=lambda d: d.name)
def test_training_mode_draws_on_the_input_library(backend, d):
    act = al.get(d)
    x = X[:4].astype(np.float32)
    y, dy = act.forward_train(backend.to(x), np.random.default_rng(0))
    y_np, dy_np = act.forward_train(x, np.random.default_rng(0))
    for got, want in ((y, y_np), (dy, dy_np)):
        assert isinstance(got, backend.array_type) and got.dtype == backend.to(x).dtype
        np.testing.assert_array_equal(backend.back(got), want)


def test_complex_input_is_a_type_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(al.InputTypeError, match="complex"):
        al.relu(torch.zeros(3, dtype=torch.complex64))


def test_half_precision_keeps_its_dtype():
    torch = pytest.importorskip("torch")
    x = np.linspace(-4, 4, 33, dtype=np.float32)
    for dtype in (torch.float16, torch.bfloat16):
        xt = torch.asarray(x).to(dtype)
        y = al.gelu(xt)
        assert y.dtype == dtype
        want = torch.asarray(al.gelu(xt.to(torch.float64).numpy())).to(dtype)  # rounded once
        np.testing.assert_array_equal(y.to(torch.float64), want.to(torch.float64))


def test_jax_without_float64_computes_in_float32():
    """With JAX's default (no x64) float32 cannot be widened; results stay float32 and close."""
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    if jax.config.jax_enable_x64:
        pytest.skip("x64 is enabled in this process")
    x = X[:4].astype(np.float32)
    for d in al.definitions():
        y = al.get(d)(jnp.asarray(x))
        assert y.dtype == jnp.float32, d.name
        want = al.get(d)(x)
        if d.elementwise:
            assert_matches(np.asarray(y), want, 64 * (1 + _kappa(al.get(d), x)), d.name)
        else:
            assert_matches(np.asarray(y), want, 0, d.name, _row_atol(want, 64))


def test_jax_grad_traces_through_the_definitions():
    """jax.grad differentiates the formulas themselves; the result is the analytic derivative."""
    jax = pytest.importorskip("jax")
    import jax.numpy as jnp

    act = al.get("mish")
    x = np.linspace(-5, 5, 11, dtype=np.float32)
    grad = jax.vmap(jax.grad(lambda t: act(t)))(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(grad), act.derivative(x), rtol=1e-5, atol=1e-6)


def test_torch_autograd_traces_through_the_definitions():
    torch = pytest.importorskip("torch")
    x = torch.linspace(-5, 5, 11, dtype=torch.float64, requires_grad=True)
    al.gelu(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), al.get("gelu").derivative(x.detach().numpy()), rtol=1e-12)


def test_dask_stays_lazy():
    da = pytest.importorskip("dask.array")
    calls = []

    def counted(block):
        if block.size:  # Dask also calls it on empty blocks to learn the result's type
            calls.append(block.shape)
        return block

    x = da.from_array(X[:4], chunks=(2, 12)).map_blocks(counted, dtype=X.dtype)
    y = al.get("gelu").vjp(x, da.ones_like(x))
    assert isinstance(y, da.Array) and not calls
    y.compute()
    assert calls


# -- imports and errors ------------------------------------------------------------------------------


def test_no_framework_is_imported_that_the_caller_did_not_import():
    pytest.importorskip("array_api_strict")
    code = textwrap.dedent("""
        import sys
        import array_api_strict as xp
        import actlab as al
        x = xp.linspace(-2.0, 2.0, 5)
        for d in al.definitions():
            al.get(d)(xp.reshape(x[:4], (1, 4)))
        al.gelu(x); al.get("swish").vjp(x, x)
        print(sorted(m for m in ("torch", "jax", "dask", "cupy", "tensorflow") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_missing_array_api_compat_names_the_extra(monkeypatch):
    torch = pytest.importorskip("torch")
    monkeypatch.setitem(sys.modules, "array_api_compat", None)  # import now raises ImportError
    with pytest.raises(al.MissingExtraError, match=r"pip install 'actlab\[array\]'"):
        al.relu(torch.zeros(3))
    with pytest.raises(ImportError):  # and it is an ImportError, as users expect
        al.relu(torch.zeros(3))


def test_foreign_object_without_a_namespace_is_a_type_error():
    torch = pytest.importorskip("torch")
    with pytest.raises(al.InputTypeError, match="torch"):
        al.relu(torch.nn.Linear(2, 2))


def test_erf_without_a_library_function_keeps_the_device():
    """array-api-strict has no erf: GELU goes through SciPy by DLPack and comes back in place."""
    xp = pytest.importorskip("array_api_strict")
    other = xp.Device("device1")
    y = al.gelu(xp.asarray([-0.5, 1.0], device=other))
    assert y.device == other
    np.testing.assert_array_equal(
        np.from_dlpack(xp.asarray(y, device=xp.Device("CPU_DEVICE"))), al.gelu(np.array([-0.5, 1.0]))
    )


def test_erf_without_a_library_function_needs_cpu_data(monkeypatch):
    xp = pytest.importorskip("array_api_strict")

    def no_host_copy(_):
        raise BufferError("the data lives on an accelerator")

    monkeypatch.setattr(np, "from_dlpack", no_host_copy)
    with pytest.raises(al.InputTypeError, match="has no erfc.*on the CPU"):
        al.gelu(xp.asarray([0.5]))
