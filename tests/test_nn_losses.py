"""Loss values against their formulas, and the one place that pairs a loss with its output."""

import numpy as np
import pytest

import actlab as al
from actlab.nn.losses import LOSSES, fuses_with, get_loss

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
LABELS = np.array([0, 2])


def test_cross_entropy_values():
    expected = -(np.log(0.7) + np.log(0.6)) / 2
    assert get_loss("sparse_categorical_crossentropy").value(P, LABELS) == pytest.approx(expected)
    assert get_loss("categorical_crossentropy").value(P, np.eye(3)[LABELS]) == pytest.approx(expected)


def test_binary_cross_entropy_value():
    p, y = np.array([[0.9], [0.2]]), np.array([[1.0], [0.0]])
    assert get_loss("binary_crossentropy").value(p, y) == pytest.approx(-(np.log(0.9) + np.log(0.8)) / 2)


def test_regression_losses():
    p, y = np.array([[1.0, 2.0]]), np.array([[0.0, 4.0]])
    assert get_loss("mse").value(p, y) == pytest.approx(2.5)
    assert get_loss("mae").value(p, y) == pytest.approx(1.5)


@pytest.mark.parametrize("name", [n for n in LOSSES if LOSSES[n].link is not None])
def test_fused_value_equals_the_plain_value(name):
    loss = LOSSES[name]()
    link = al.get(loss.link)
    z = np.random.default_rng(0).normal(size=(6, 3))
    y = {
        "sparse_categorical_crossentropy": np.arange(6) % 3,
        "categorical_crossentropy": np.eye(3)[np.arange(6) % 3],
        "binary_crossentropy": (z > 0.3).astype(float),
    }[name]
    assert loss.fused_value(z, y) == pytest.approx(loss.value(link(z), y), rel=1e-12)


@pytest.mark.parametrize("definition", al.definitions(), ids=lambda d: d.name)
def test_only_the_link_activation_at_its_defaults_fuses(definition):
    act = al.get(definition)
    for loss in map(get_loss, LOSSES):
        expected = loss.link is not None and definition is al.lookup(loss.link)
        assert fuses_with(loss, act) == expected
    assert not fuses_with(get_loss("categorical_crossentropy"), None)


def test_an_alias_of_the_link_fuses_and_other_parameters_do_not():
    assert fuses_with(get_loss("binary_crossentropy"), al.get("logistic"))
    assert not fuses_with(get_loss("categorical_crossentropy"), al.get("softmax", axis=0))
