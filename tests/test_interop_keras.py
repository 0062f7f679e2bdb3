"""actlab.keras on the PyTorch backend: activations by object and by registered name, save/load."""

from __future__ import annotations

import importlib
import os
import sys

import numpy as np
import pytest

import actlab as al

pytestmark = pytest.mark.usefixtures("torch_one_thread")

os.environ.setdefault("KERAS_BACKEND", "torch")  # before Keras is first imported
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")
if keras.backend.backend() != "torch":
    pytest.skip(
        f"these tests use Keras's torch backend, not {keras.backend.backend()!r}", allow_module_level=True
    )
ak = pytest.importorskip("actlab.keras")


X = np.random.default_rng(0).uniform(-4, 4, size=(3, 8)).astype(np.float32)


@pytest.mark.parametrize("d", al.definitions(), ids=lambda d: d.name)
def test_every_activation_by_object_and_by_registered_name(d):
    want = al.get(d)(X)
    by_object = ak.get(d.name)
    by_name = keras.activations.get(f"actlab>{d.name}")
    assert by_name is keras.saving.get_registered_object(f"actlab>{d.name}")
    for fn in (by_object, by_name):
        y = fn(torch.as_tensor(X))
        np.testing.assert_allclose(y.numpy(), want, rtol=1e-6, atol=1e-7)
        again = keras.activations.deserialize(keras.activations.serialize(fn))
        np.testing.assert_array_equal(again(torch.as_tensor(X)).numpy(), y.numpy())


def test_parameters_travel_with_the_activation():
    act = ak.get("swish", beta=1.5)
    assert act.get_config() == {"name": "swish", "params": {"beta": 1.5}}
    again = keras.activations.deserialize(keras.activations.serialize(act))
    assert again.activation == al.get("swish", beta=1.5)
    assert ak.get("actlab>leaky_relu", alpha=0.2).activation == al.get("leaky_relu", alpha=0.2)
    assert ak.get({"name": "elu", "params": {"alpha": 0.5}}).activation == al.get("elu", alpha=0.5)


def test_backward_is_actlabs_analytic_derivative():
    x = torch.as_tensor(X, dtype=torch.float64).requires_grad_()
    y = ak.get("gelu")(x)
    assert "_Apply" in type(y.grad_fn).__name__
    g = torch.linspace(-1, 1, y.numel(), dtype=torch.float64).reshape(y.shape)
    y.backward(g)
    np.testing.assert_allclose(
        x.grad.numpy(), al.get("gelu").vjp(X.astype(np.float64), g.numpy()), rtol=1e-12
    )


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(8, activation=ak.get("swish", beta=1.5)),
            keras.layers.Dense(8, activation="actlab>mish"),
            keras.layers.Dense(4, activation=ak.get("prelu", alpha=[0.1, 0.2, 0.3, 0.4])),
            keras.layers.Dense(1),
        ]
    )


def test_a_model_trains_and_round_trips_through_save_and_load(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (np.sin(x[:, :1]) + x[:, 1:2] * x[:, 2:]).astype(np.float32)
    model = _model()
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
    history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]

    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    activations = [layer.activation for layer in loaded.layers[:3]]
    assert activations[0].activation == al.get("swish", beta=1.5)
    assert activations[1] is keras.saving.get_registered_object("actlab>mish")
    np.testing.assert_array_equal(activations[2].activation.params["alpha"], [0.1, 0.2, 0.3, 0.4])


def test_custom_callables_are_refused_because_they_cannot_be_loaded():
    with pytest.raises(al.ActlabError, match="not a registered activation"):
        ak.get(lambda x: x)


def test_an_unsupported_backend_is_named(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "tensorflow")
    with pytest.raises(al.InputTypeError, match="'tensorflow'"):
        ak.get("relu")(np.zeros(3))


def test_missing_keras_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", None)
    monkeypatch.delitem(sys.modules, "actlab.keras")
    monkeypatch.delitem(sys.modules, "actlab.interop.keras_activations")
    with pytest.raises(al.MissingExtraError, match=r"pip install 'actlab\[keras\]'"):
        importlib.import_module("actlab.keras")
