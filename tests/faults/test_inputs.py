"""Bad input of every kind gets a clear actlab error that names what was wrong and what is
allowed, never a traceback from deep inside or a silently wrong number. Parametrised from the
registry, so every definition (and every future one) is covered."""

from __future__ import annotations

import math

import numpy as np
import pytest

import actlab as al

REAL_PARAMS = [
    pytest.param(d, p, id=f"{d.name}.{p.name}")
    for d in al.definitions()
    for p in d.params
    if p.choices is None and not p.integer
]
VECTOR = [d for d in al.definitions() if not d.elementwise]
DIFFERENTIABLE_VECTOR = [d for d in VECTOR if d.differentiable]


@pytest.mark.parametrize(
    "value", [math.inf, -math.inf, math.nan, 10**400], ids=["inf", "-inf", "nan", "huge-int"]
)
@pytest.mark.parametrize(("d", "p"), REAL_PARAMS)
def test_non_finite_parameters_are_refused_naming_parameter_value_and_range(d, p, value):
    """±inf passed validation where the stated range excludes it, and gave NaN."""
    with pytest.raises(al.ParameterError) as info:
        al.get(d, **{p.name: value})
    message = str(info.value)
    assert repr(p.name) in message and p.range_text in message
    assert "inf" in message or "nan" in message or "1000" in message


@pytest.mark.parametrize(("d", "p"), [c for c in REAL_PARAMS if c.values[1].array_ok])
def test_a_non_finite_entry_of_an_array_parameter_is_refused(d, p):
    with pytest.raises(al.ParameterError, match=rf"{p.name!r} = inf is out of range"):
        al.get(d, **{p.name: np.array([0.25, np.inf])})


def test_a_config_with_parameters_at_the_top_level_is_refused_not_ignored():
    """get({"name": "swish", "beta": 2.0}) gave swish with beta = 1, silently."""
    with pytest.raises(
        al.ParameterError,
        match=r"unknown keys 'beta'.*'name' and, optionally, 'params'.*"
        r"\{'name': 'swish', 'params': \{'beta': 2.0\}\}",
    ):
        al.get({"name": "swish", "beta": 2.0})
    assert al.get({"name": "swish", "params": {"beta": 2.0}}).params["beta"] == 2.0


@pytest.mark.parametrize(
    "config, message",
    [
        ({"params": {"beta": 2.0}}, "no 'name'"),
        ({"name": "swish", "params": [2.0]}, "'params' of an activation config must map"),
        ({"name": "swish", "params": None}, "'params' of an activation config must map"),
        (
            {"name": "swish", "params": {"gamma": 2.0}},
            "swish has no parameter gamma; its parameters are: beta",
        ),
        ({"name": "relu", "class_name": "ReLU"}, "unknown keys 'class_name'"),
    ],
)
def test_malformed_configs_are_clear_errors(config, message):
    with pytest.raises(al.ParameterError, match=message):
        al.get(config)


def _output_shape(act, x):
    return np.asarray(act(x)).shape


@pytest.mark.parametrize("d", DIFFERENTIABLE_VECTOR, ids=[d.name for d in DIFFERENTIABLE_VECTOR])
def test_vector_valued_vjp_checks_the_shape_of_grad_out(d):
    """A gradient that only broadcasts against the output gave a wrong answer without a word."""
    act = al.get(d)
    x = np.random.default_rng(0).normal(size=(3, 4))
    shape = _output_shape(act, x)
    for wrong in (shape[1:], (1, shape[1]), (shape[0], 1), (shape[0], shape[1] + 2)):
        with pytest.raises(
            al.ParameterError,
            match=rf"grad_out has shape \({wrong[0]},.*output.*"
            rf"has shape \({shape[0]}, {shape[1]}\)",
        ):
            act.vjp(x, np.ones(wrong))
    assert np.asarray(act.vjp(x, np.ones(shape))).shape == x.shape


@pytest.mark.parametrize("d", VECTOR, ids=[d.name for d in VECTOR])
def test_an_empty_axis_gives_an_empty_result(d):
    """Reductions over an axis of length 0 raised NumPy's 'zero-size array to reduction'."""
    act = al.get(d)
    x = np.zeros((3, 0))
    y = np.asarray(act(x))
    assert y.shape == (3, 0)
    if d.differentiable:
        assert np.asarray(act.vjp(x, np.zeros(y.shape))).shape == (3, 0)
    batch = np.zeros((0, 4))  # no rows at all: also fine
    assert np.asarray(act(batch)).shape[0] == 0


def test_the_lab_refuses_an_optimizer_setting_it_does_not_know():
    from actlab.nn.optimizers import get_optimizer

    with pytest.raises(al.ParameterError, match="no setting 'learning_rate'; its settings are: name, lr"):
        get_optimizer({"name": "sgd", "learning_rate": 0.1})


def test_a_categorical_parameter_takes_one_of_its_choices_not_an_array_of_them():
    assert al.get("gelu", approximate=np.str_("tanh")).params["approximate"] == "tanh"
    with pytest.raises(al.ParameterError, match="'approximate' = .* is not allowed; expected one of"):
        al.get("gelu", approximate=np.array(["tanh"]))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"seeds": -1}, "seeds = -1 is not allowed"),
        ({"seeds": [0, -2]}, "seed = -2"),
        ({"epochs": -1}, "epochs = -1"),
        ({"width": 0}, "width = 0"),
        ({"batch_size": 0}, "batch_size = 0"),
        ({"max_train": 0}, "max_train = 0"),
        ({"max_train": -5}, "max_train = -5"),
        ({"target": float("nan")}, "target = nan"),
        ({"depth": -1}, "depth = -1"),
        ({"optimizer": {"name": "adam", "lr": float("inf")}}, "lr = inf"),
    ],
)
def test_comparison_settings_are_checked_before_any_run(tmp_path, settings, message):
    """They were checked in each worker, so every run failed with the same error, or (max_train
    = 0 or -5) silently trained on all the data or all but five samples."""
    from actlab.lab import compare

    with pytest.raises(al.ParameterError, match=message):
        compare(
            ["relu"],
            **{"seeds": 1, "epochs": 1, "n_jobs": 1, "progress": False, **settings},
            results=tmp_path / "runs.jsonl",
        )
    assert not (tmp_path / "runs.jsonl").exists()


@pytest.mark.parametrize(
    "cells, n_jobs, message",
    [
        ([{"a": 1}, {"a": 2}], 0, "n_jobs = 0 is not allowed"),
        ([{"a": 1}], 1.5, "n_jobs = 1.5"),
        ([1, 2], 1, "cells are dicts"),
        ([{"a": {1}}], 1, "cannot be stored as JSON"),
    ],
)
def test_sweep_arguments_are_checked(cells, n_jobs, message):
    pytest.importorskip("joblib")
    from actlab.lab.sweep import run_sweep

    with pytest.raises(al.ParameterError, match=message):
        run_sweep(dict, cells, n_jobs=n_jobs, progress=False)
