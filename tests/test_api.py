"""The public API: names, aliases, configs, dtypes, shapes, out=, and the errors for bad input."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

import actlab as al

ALL = al.definitions()
ELEMENTWISE = [d for d in ALL if d.elementwise]


def sample_input(d, shape=(3, 4), dtype=np.float64, seed=0):
    """A valid input for any definition: vector-valued ones get an axis long enough to split."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape).astype(dtype) * 3


@pytest.mark.parametrize("d", ALL, ids=[d.name for d in ALL])
def test_module_function_matches_get(d):
    x = sample_input(d)
    np.testing.assert_array_equal(getattr(al, d.name)(x), al.get(d.name)(x))
    assert getattr(al, d.name).__doc__.startswith(d.forward.__doc__.strip()[:20])


@pytest.mark.parametrize("d", ALL, ids=[d.name for d in ALL])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_and_shape_are_preserved(d, dtype):
    act = al.get(d)
    x = sample_input(d, dtype=dtype)
    y = act(x)
    assert y.dtype == dtype
    if d.elementwise:
        assert y.shape == x.shape
        assert act.derivative(x).dtype == dtype
    if d.differentiable:
        g = act.vjp(x, np.ones_like(y))
        assert g.shape == x.shape and g.dtype == dtype


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_float16_is_computed_wider_and_rounded_once(d):
    x = np.linspace(-8, 8, 257).astype(np.float16)
    act = al.get(d)
    np.testing.assert_array_equal(act(x), act(x.astype(np.float64)).astype(np.float16))


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_integers_bools_scalars_empty_and_0d(d):
    act = al.get(d)
    assert act(np.arange(-3, 4)).dtype == np.float64
    assert act(np.array([True, False])).dtype == np.float64
    assert isinstance(act(1.5), np.float64) and act(np.float32(1.5)).dtype == np.float32
    assert act(np.array(2.0)).shape == ()
    assert act(np.empty((0, 3), np.float32)).shape == (0, 3)
    assert act([[1.0, -2.0]]).shape == (1, 2)


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_special_values(d):
    """NaN propagates; ±inf give the limits the mpmath oracle has at ±1e300; no warnings."""
    from oracle import mp_value

    act = al.get(d)
    params = dict(act.params)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = act(np.array([np.nan, -np.inf, np.inf]))
        dy = act.derivative(np.array([np.nan, -np.inf, np.inf]))
    assert np.isnan(y[0]) and np.isnan(dy[0])
    for value, x in ((y[1], -1e300), (y[2], 1e300)):
        limit = float(mp_value(d, x, params))
        if abs(limit) > 1e200:
            assert value == np.copysign(np.inf, limit)
        else:
            assert value == pytest.approx(limit, abs=1e-300)
    # The derivative is finite at ±inf, except where the function itself grows without bound
    # faster than linearly (e^x), whose derivative's limit is inf as well.
    assert np.all(np.isfinite(dy[1:]) | (np.isinf(dy[1:]) & np.isinf(y[1:])))


@pytest.mark.parametrize("d", ELEMENTWISE, ids=[d.name for d in ELEMENTWISE])
def test_out_argument(d):
    x = sample_input(d)
    out = np.empty_like(x)
    result = getattr(al, d.name)(x, out=out)
    assert result is out
    np.testing.assert_array_equal(out, al.get(d)(x))
    with pytest.raises(ValueError, match="shape"):
        al.get(d)(x, out=np.empty(5))


def test_aliases_resolve_to_the_same_definition():
    assert al.get("silu").definition is al.get("swish").definition
    assert al.get("logistic").definition is al.get("sigmoid").definition
    assert al.get("identity").definition is al.get("linear").definition
    assert al.get("heaviside").definition is al.get("step").definition
    assert al.get("Leaky-ReLU").name == "leaky_relu"
    x = np.linspace(-5, 5, 11)
    np.testing.assert_array_equal(al.get("silu")(x), al.swish(x, beta=1.0))


@pytest.mark.parametrize("d", ALL, ids=[d.name for d in ALL])
def test_config_round_trip_through_json(d):
    act = al.get(d)
    config = json.loads(json.dumps(act.get_config()))
    assert al.get(config) == act


def test_get_accepts_activation_definition_callable_and_rejects_junk():
    act = al.get("elu", alpha=0.5)
    assert al.get(act) is act and al.get(act, alpha=2.0).params["alpha"] == 2.0
    assert al.get(act.definition).params["alpha"] == 1.0
    custom = al.get(np.tanh)
    assert al.is_custom(custom) and not al.is_custom(act)
    with pytest.warns(UserWarning, match="finite differences"):
        np.testing.assert_allclose(custom.derivative(np.array([0.3])), 1 - np.tanh(0.3) ** 2, rtol=1e-8)
    exact = al.custom(np.tanh, derivative=lambda x: 1 - np.tanh(x) ** 2, name="my_tanh")
    assert exact.name == "my_tanh" and exact.derivative(0.0) == 1.0
    with pytest.raises(TypeError, match="cannot interpret"):
        al.get(3.5)


def test_unknown_name_lists_closest_names():
    with pytest.raises(al.UnknownActivationError, match="did you mean 'relu'") as info:
        al.get("rellu")
    assert isinstance(info.value, KeyError) and "relu6" in info.value.suggestions
    with pytest.raises(KeyError, match="known activations"):
        al.get("zzzzzz")


@pytest.mark.parametrize(
    ("name", "params", "pattern"),
    [
        (
            "elu",
            {"alpha": float("nan")},
            r"'alpha' = nan is out of range; expected a real number in \[0, inf\)",
        ),
        ("elu", {"alpha": -1}, r"'alpha' = -1 is out of range"),
        ("leaky_relu", {"alpha": "big"}, r"'alpha' = 'big' is not allowed"),
        ("hard_tanh", {"min_val": 1.0, "max_val": 0.5}, r"min_val <= max_val"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, r"lower <= upper"),
        ("gelu", {"approximate": "fast"}, r"one of 'none', 'tanh'"),
        ("maxout", {"pieces": 0}, r"'pieces' = 0 is out of range; expected an integer in \[1, inf\)"),
        ("maxout", {"pieces": 2.5}, r"'pieces' = 2.5 is not allowed"),
        ("softplus", {"beta": 0.0}, r"'beta' = 0.0 is out of range; expected a real number in \(0, inf\)"),
        ("relu", {"alpha": 0.1}, r"relu has no parameter alpha; its parameters are: none"),
        ("softmax", {"dim": 1}, r"softmax has no parameter dim; its parameters are: axis"),
    ],
)
def test_bad_parameters_name_the_parameter_value_and_range(name, params, pattern):
    with pytest.raises(al.ParameterError, match=pattern) as info:
        al.get(name, **params)
    assert isinstance(info.value, ValueError)


def test_parameters_that_depend_on_the_input():
    with pytest.raises(al.ParameterError, match=r"'pieces' = 4 does not divide the axis length 6"):
        al.maxout(np.ones((2, 6)), pieces=4)
    with pytest.raises(al.ParameterError, match=r"'axis' = 1 is out of range for a 0-d input"):
        al.softmax(np.float64(1.0), axis=1)
    with pytest.raises(al.ParameterError, match=r"'axis' = 2 is out of range for 2-d input"):
        al.softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(al.ParameterError, match="odd"):
        al.glu(np.ones((2, 5)))


@pytest.mark.parametrize(
    "bad", [np.array([1 + 2j]), np.array(["a"]), ["x", "y"], object(), np.array([None, 1.0], dtype=object)]
)
def test_non_numeric_or_complex_input_is_a_type_error(bad):
    with pytest.raises(al.InputTypeError) as info:
        al.relu(bad)
    assert isinstance(info.value, TypeError)


def test_argmax_has_no_backward():
    with pytest.raises(al.NotDifferentiableError, match="no useful gradient"):
        al.get("argmax").vjp(np.ones((2, 3)), np.ones((2, 3)))
    assert al.get("argmax").info.differentiable is False


def test_derivative_from_output_only_where_it_exists():
    with pytest.raises(NotImplementedError, match="cannot be recovered"):
        al.get("gelu").derivative_from_output(np.ones(3))
    with pytest.raises(al.NotDifferentiableError, match="Jacobian"):
        al.get("softmax").derivative(np.ones(3))


def test_info_reports_current_parameters_and_is_json_ready():
    info = al.get("hard_tanh", min_val=-2.0, max_val=3.0).info
    assert info.output_range == (-2.0, 3.0)
    assert [p["value"] for p in info.parameters] == [-2.0, 3.0]
    assert json.dumps(info.as_dict())
    assert repr(al.get("leaky_relu", alpha=0.1)) == "Activation('leaky_relu', alpha=0.1)"


ALIASES = [(alias, d) for d in ALL for alias in d.aliases]


@pytest.mark.parametrize("alias,d", ALIASES, ids=[a for a, _ in ALIASES])
def test_every_alias_is_a_top_level_function_like_its_canonical_one(alias, d):
    fn, canonical = getattr(al, alias), getattr(al, d.name)
    assert fn.__name__ == alias and alias in al.__all__
    assert fn.__doc__.startswith(f"Alias of :func:`actlab.{d.name}`")
    x = sample_input(d)
    np.testing.assert_array_equal(fn(x), canonical(x))
    params = {p.name: p.default for p in d.params if p.choices is None and not p.integer}
    if params:  # parameters pass through
        changed = {k: (v / 2 if v else 0.5) for k, v in list(params.items())[:1]}
        np.testing.assert_array_equal(fn(x, **changed), canonical(x, **changed))
    out = np.empty_like(canonical(x))
    assert fn(x, out=out) is out
