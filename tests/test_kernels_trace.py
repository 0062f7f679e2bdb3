"""Tracing definitions into scalar programs, and the generated kernels' cache."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actlab as al
import actlab.kernels as K
from actlab.kernels import codegen, fused
from actlab.kernels.trace import PRIMITIVES, Untraceable, trace

ELEMENTWISE = [d for d in al.definitions() if d.elementwise]


def _evaluate(graph, x, g=None):
    """Run a traced program with NumPy, one operation at a time (an interpreter for the tests)."""
    ops = {
        "add": np.add,
        "sub": np.subtract,
        "mul": np.multiply,
        "div": np.divide,
        "gt": np.greater,
        "ge": np.greater_equal,
        "lt": np.less,
        "le": np.less_equal,
        "eq": np.equal,
        "ne": np.not_equal,
        "and": np.logical_and,
        "or": np.logical_or,
        "not": np.logical_not,
        "neg": np.negative,
        "abs": np.abs,
        "maximum": np.maximum,
        "minimum": np.minimum,
        "where": np.where,
        "exp": np.exp,
        "expm1": np.expm1,
        "log1p": np.log1p,
        "tanh": np.tanh,
        "cosh": np.cosh,
        "sqrt": np.sqrt,
        "hypot": np.hypot,
        "erfc": al.core.arrays.NUMPY_OPS.erfc,
    }
    inputs = [x, g]
    values = []
    with np.errstate(all="ignore"):
        for op, args in graph.nodes:
            if op == "input":
                values.append(inputs[args[0]])
            elif op == "const":
                values.append(np.asarray(graph.consts[args[0]], x.dtype))
            else:
                values.append(ops[op](*(values[a] for a in args)))
    return values[graph.output]


@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_every_elementwise_definition_traces_to_the_same_function(d):
    """The recorded program, run op by op in float64, is the definition's own computation (to
    rounding: the trace spells the logistic σ out where the reference calls SciPy's expit)."""
    params = {p.name: p.default for p in d.params}
    act = al.get(d)
    x = np.concatenate([np.linspace(-12, 12, 481), [0.0, -0.0, np.inf, -np.inf, np.nan, 1e300]])
    close = dict(rtol=1e-13, atol=1e-300)
    fw = trace(d.forward, params, np.float64)
    with K.using(backend="numpy"):  # the definition evaluated by NumPy, not by a kernel
        np.testing.assert_allclose(_evaluate(fw, x), act(x), **close)
        if d.differentiable:
            g = np.linspace(-2, 2, x.size)
            bw = trace(d.derivative, params, np.float64, times_input=True)
            np.testing.assert_allclose(_evaluate(bw, x, g), act.vjp(x, g), **close)


def test_identical_operations_are_recorded_once():
    graph = trace(lambda x, o: o.exp(x) * o.exp(x) + o.exp(x), {}, np.float32)
    assert [op for op, _ in graph.nodes].count("exp") == 1
    assert graph.n_inputs == 1


def test_logistic_of_v_and_of_minus_v_share_their_exponential():
    graph = trace(lambda x, o: o.expit(x) * o.expit(-x), {}, np.float32)
    ops = [op for op, _ in graph.nodes]
    assert ops.count("exp") == 1 and ops.count("div") == 1


def test_unused_operations_are_left_out():
    def formula(x, o):
        o.tanh(x)  # computed and dropped
        return x + 1.0

    graph = trace(formula, {}, np.float64)
    assert "tanh" not in [op for op, _ in graph.nodes]


def test_constants_keep_their_sign_and_are_shared():
    graph = trace(lambda x, o: o.maximum(x, 0.0) + o.minimum(x, -0.0) + 0.0 * x, {}, np.float64)
    assert sorted(map(math.copysign, [1.0, 1.0], graph.consts)) == [-1.0, 1.0]


def test_backward_multiplies_by_the_second_input():
    graph = trace(lambda x, o: 2.0 * x, {}, np.float64, times_input=True)
    assert graph.n_inputs == 2
    x, g = np.array([1.0, 3.0]), np.array([5.0, -1.0])
    np.testing.assert_array_equal(_evaluate(graph, x, g), g * 2.0 * x)


def test_parameters_steer_python_branches():
    d = al.lookup("gelu")
    exact = trace(d.forward, {"approximate": "none"}, np.float64)
    approx = trace(d.forward, {"approximate": "tanh"}, np.float64)
    assert "erfc" in [op for op, _ in exact.nodes] and "erfc" not in [op for op, _ in approx.nodes]


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        (lambda x, o: x if x > 0 else -x, "control flow"),
        (lambda x, o: np.exp(x), "not supported|Sym"),
        (lambda x, o: o.arcsinh(x), "o.arcsinh"),
        (lambda x, o: x * np.array([1.0, 2.0]), "ndarray"),
        (lambda x, o: x.shape, ".shape"),
        (lambda x, o: x**3, "power"),
        (lambda x, o: x > 0, "truth value"),
        (lambda x, o: (x > 0) + 1.0, "truth value"),
        (lambda x, o: o.astype(x, np.float16), "cast"),
    ],
)
def test_what_cannot_be_fused_is_refused(formula, message):
    with pytest.raises((Untraceable, TypeError), match=message):
        trace(formula, {}, np.float32)


def test_unknown_formula_falls_back_with_its_reason():
    d = al.Definition(
        name="kernel_test_arcsinh",
        family="test",
        summary="arcsinh, for a test",
        forward=lambda x, o: o.arcsinh(x),
        derivative=lambda x, o: 1.0 / o.sqrt(1.0 + x * x),
        latex="",
        latex_derivative="",
        output_range=(-math.inf, math.inf),
        monotonic=True,
        zero_centred=True,
        smoothness="C∞",
        saturates=(),
        uses=("hidden",),
        reference=al.Reference("nobody", 2000, "test", "https://example.org"),
        guidance="",
    )
    act = al.get(d)
    k, reason = fused.kernel(act, np.dtype(np.float32), "forward")
    if fused.unavailable() is None:
        assert k is None and "arcsinh" in reason
    kb, _ = fused.kernel(act, np.dtype(np.float32), "backward")  # the derivative does trace
    assert (kb is not None) == (fused.unavailable() is None)


def test_the_primitives_are_exactly_the_public_functions_of_both_math_modules():
    numba = pytest.importorskip("numba")
    from actlab.kernels import math32, math64

    for module in (math32, math64):
        public = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and isinstance(value, numba.core.dispatcher.Dispatcher)
        }
        assert public == set(PRIMITIVES), module.__name__


def test_every_primitive_has_a_cost_for_the_thread_decision():
    assert set(fused._PRIMITIVE_NS) == set(PRIMITIVES)
    cheap = trace(lambda x, o: o.maximum(x, 0.0), {}, np.float32)
    costly = trace(lambda x, o: x * o.erfc(x), {}, np.float32)
    assert 0 < fused.cost(cheap) < fused.cost(costly)


def test_trace_ops_offer_the_primitives_with_their_arity():
    graph = trace(lambda x, o: o.hypot(o.exp(x), 2.0), {}, np.float64)
    assert [op for op, _ in graph.nodes if op in PRIMITIVES] == ["exp", "hypot"]
    with pytest.raises(Untraceable, match="arguments"):
        trace(lambda x, o: o.exp(x, x), {}, np.float64)


# -- generated source and its cache --------------------------------------------------------------


def test_source_depends_on_structure_not_on_constants():
    d = al.lookup("elu")
    a = codegen.source(trace(d.forward, {"alpha": 1.0}, np.float32), "float32")
    b = codegen.source(trace(d.forward, {"alpha": 0.3}, np.float32), "float32")
    assert a == b and "math32" in a
    assert codegen.source(trace(d.forward, {"alpha": 1.0}, np.float64), "float64") != a


def test_cache_file_is_rewritten_when_its_content_differs(tmp_path, monkeypatch):
    monkeypatch.setenv("ACTLAB_CACHE_DIR", str(tmp_path))
    src = '"""test module"""\nVALUE = 42\n'
    name = f"actlab_kernel_{__import__('hashlib').sha256(src.encode()).hexdigest()[:24]}"
    path = tmp_path / f"{name}.py"
    path.write_text("VALUE = 'tampered'\n")
    monkeypatch.delitem(__import__("sys").modules, name, raising=False)
    module = codegen.load(src)
    assert module.VALUE == 42 and path.read_text() == src


def test_unwritable_cache_falls_back_to_a_private_directory(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ACTLAB_CACHE_DIR", str(blocker / "sub"))  # cannot be created
    src = '"""another test module"""\nVALUE = 7\n'
    assert codegen.load(src).VALUE == 7
