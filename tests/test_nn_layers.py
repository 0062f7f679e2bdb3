"""Layers, initialisers and the model's structure."""

import math
import warnings

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.nn import initializers

TRAINABLE = [d for d in al.definitions() if d.differentiable]


def _xy(n=32, width=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, width)).astype(np.float32), rng.integers(0, classes, size=n)


@pytest.mark.parametrize("definition", TRAINABLE, ids=lambda d: d.name)
def test_dense_with_activation_is_bitwise_dense_then_activation(definition):
    x, y = _xy()
    fused = nn.Sequential(
        [nn.Dense(6, activation=al.get(definition)), nn.Dense(3, activation="softmax")], seed=7
    )
    split = nn.Sequential([nn.Dense(6), nn.Activation(al.get(definition)), nn.Dense(3), nn.Softmax()], seed=7)
    for model in (fused, split):
        model.compile("sparse_categorical_crossentropy", "adam")
    h1 = fused.fit(x, y, epochs=2, batch_size=8, verbose=0)
    h2 = split.fit(x, y, epochs=2, batch_size=8, verbose=0)
    # Same seed: the same initial weights (the Activation layer after Dense guides its init),
    # then bitwise the same outputs, gradients and training history.
    for a, b in zip(fused.get_weights(), split.get_weights()):
        assert np.array_equal(a, b)
    assert np.array_equal(fused.gradients, split.gradients)
    assert np.array_equal(fused.predict(x), split.predict(x))
    assert h1.history == h2.history


def test_a_plain_callable_works_and_warns_once_about_its_numerical_derivative():
    x, y = _xy()

    def cube_root_ish(v):
        return v / (1.0 + np.abs(v)) ** 0.5

    model = nn.Sequential([nn.Dense(5, activation=cube_root_ish), nn.Dense(3, activation="softmax")], seed=0)
    model.compile("sparse_categorical_crossentropy", "adam")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    numerical = [w for w in caught if "finite differences" in str(w.message)]
    assert len(numerical) == 1
    assert np.isfinite(model.get_weights()[0]).all()


def test_custom_activation_with_derivative_trains_without_warning():
    act = al.custom(np.tanh, derivative=lambda v: 1.0 - np.tanh(v) ** 2, name="my_tanh")
    x, y = _xy()
    model = nn.Sequential([nn.Dense(5, activation=act), nn.Dense(3, activation="softmax")], seed=0)
    model.compile("sparse_categorical_crossentropy", "sgd")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(x, y, epochs=1, verbose=0)


def test_activation_parameters_are_used():
    layer = nn.Dense(4, activation=al.get("leaky_relu", alpha=0.1), kernel_initializer="he_normal")
    model = nn.Sequential([layer], input_dim=3, seed=0)
    model.build()
    x = np.random.default_rng(0).normal(size=(10, 3)).astype(np.float32)
    z = x @ layer.params["kernel"] + layer.params["bias"]
    assert np.array_equal(model.predict(x), np.where(z > 0, z, np.float32(0.1) * z))


def test_vector_valued_activations_set_the_layer_width():
    model = nn.Sequential(
        [
            nn.Dense(8, activation="glu", input_dim=3),
            nn.Maxout(3, pieces=4),
            nn.Dense(5, activation="softmax"),
        ],
        seed=0,
    )
    model.build()
    assert [layer.output_width for layer in model.layers] == [4, 3, 5]
    assert model.layers[1].params["kernel"].shape == (4, 12)
    out = model.predict(np.zeros((2, 3)))
    assert out.shape == (2, 5)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-6)


def test_an_odd_width_for_a_halving_activation_is_a_clear_error():
    with pytest.raises(al.ParameterError, match="odd"):
        nn.Sequential([nn.Dense(5, activation="glu")], input_dim=2).build()


def test_maxout_is_dense_then_the_registered_maxout():
    x = np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32)
    layer = nn.Maxout(2, pieces=3)
    nn.Sequential([layer], input_dim=3, seed=0).build()
    z = x @ layer.params["kernel"] + layer.params["bias"]
    assert np.array_equal(layer.forward(x, False, None), z.reshape(6, 2, 3).max(axis=2))


def test_dropout_scales_at_training_and_is_identity_at_inference():
    layer = nn.Dropout(0.25)
    x = np.ones((400, 50), np.float32)
    rng = np.random.default_rng(0)
    y = layer.forward(x, True, rng)
    kept = y != 0
    assert np.allclose(y[kept], 1 / 0.75)
    assert abs(kept.mean() - 0.75) < 0.01
    assert layer.forward(x, False, rng) is x


def test_rrelu_draws_slopes_while_training_and_uses_their_mean_at_inference():
    act = nn.Activation("rrelu")
    x = -np.ones((200, 10))
    rng = np.random.default_rng(0)
    train = act.forward(x, True, rng)
    assert len(np.unique(train)) > 100
    lower, upper = act.function.params["lower"], act.function.params["upper"]
    assert ((train >= -upper) & (train <= -lower)).all()
    assert np.allclose(act.forward(x, False, rng), -(lower + upper) / 2)


def test_trainable_swish_beta_is_learned_and_kept_in_range():
    x, y = _xy(n=64)
    act = nn.Activation("swish", trainable=True)
    model = nn.Sequential([nn.Dense(8), act, nn.Dense(3, activation="softmax")], seed=0)
    model.compile("sparse_categorical_crossentropy", nn.SGD(lr=0.5))
    model.fit(x, y, epochs=3, verbose=0)
    beta = float(act.params["beta"])
    assert beta != 1.0
    assert beta >= 0.0  # swish's declared range
    assert act.last_output is not None


def test_constrain_projects_learned_parameters_into_their_range():
    act = nn.Activation("swish", trainable=True)
    nn.Sequential([act], input_dim=2).build()
    act.params["beta"][...] = -3.0
    act.constrain()
    assert float(act.params["beta"]) == 0.0


def test_learnable_parameter_names_are_checked():
    with pytest.raises(al.ParameterError, match="learnable parameters are: beta"):
        nn.Activation("swish", trainable=("alpha",))
    with pytest.raises(al.ParameterError, match="none"):
        nn.Activation("tanh", trainable=True)
    with pytest.raises(al.ParameterError, match="per unit"):
        nn.Activation("swish", trainable=True, per_unit=True)


# -- initialisers ---------------------------------------------------------------------------
@pytest.mark.parametrize("definition", al.definitions(), ids=lambda d: d.name)
def test_auto_initialiser_follows_the_activation_metadata(definition):
    act = al.get(definition)
    assert initializers.resolve("auto", act).split("_")[0] == act.info.init


@pytest.mark.parametrize("name", [n for n in initializers.names() if "_" in n])
def test_initialiser_variance_matches_its_formula(name):
    fan_in, fan_out = 400, 300
    scheme, variant = initializers.resolve(name, None).split("_")
    expected = {"glorot": 2 / (fan_in + fan_out), "he": 2 / fan_in, "lecun": 1 / fan_in}[scheme]
    rng = np.random.default_rng(0)
    w = initializers.initialise(f"{scheme}_{variant}", (fan_in, fan_out), rng, np.float64)
    assert w.var() == pytest.approx(expected, rel=0.02)
    if variant == "uniform":
        assert np.abs(w).max() <= math.sqrt(3 * expected)
    else:
        assert np.abs(w).max() > math.sqrt(3 * expected)  # a normal's tails pass the uniform's bound


def test_a_dense_layer_followed_by_an_activation_initialises_for_it():
    model = nn.Sequential(
        [nn.Dense(500, input_dim=500), nn.Activation("relu"), nn.Dense(500), nn.Activation("tanh")], seed=0
    )
    model.build()
    he, glorot = model.layers[0].params["kernel"], model.layers[2].params["kernel"]
    assert he.var() == pytest.approx(2 / 500, rel=0.03)
    assert glorot.var() == pytest.approx(2 / 1000, rel=0.03)


def test_unknown_initialiser_lists_the_known_ones():
    with pytest.raises(al.ParameterError, match="he_normal"):
        nn.Dense(3, kernel_initializer="orthogonal")


# -- the model ------------------------------------------------------------------------------
def test_summary_lists_layers_shapes_and_parameter_counts(capsys):
    model = nn.Sequential(
        [
            nn.Dense(16, activation="relu", input_dim=8),
            nn.Dropout(0.5),
            nn.PReLU(),
            nn.Dense(3, activation="softmax"),
        ]
    )
    text = model.summary()
    assert text in capsys.readouterr().out
    assert "(None, 16)" in text and "(None, 3)" in text
    assert f"{8 * 16 + 16:,}" in text and f"{16:,}" in text and f"{16 * 3 + 3:,}" in text
    assert f"Total params: {8 * 16 + 16 + 16 + 16 * 3 + 3:,}" in text
    assert "relu" in text and "softmax" in text and "prelu" in text


def test_layer_names_are_unique_and_parameters_share_one_vector():
    model = nn.Sequential([nn.Dense(4, input_dim=2), nn.Dense(4), nn.Activation("tanh")])
    model.build()
    assert [layer.name for layer in model.layers] == ["dense", "dense_1", "activation"]
    kernel = model.layers[1].params["kernel"]
    assert np.shares_memory(kernel, model.parameters)
    model.parameters[:] = 0.0
    assert not kernel.any()


def test_float64_on_request():
    x, y = _xy()
    model = nn.Sequential(
        [nn.Dense(4, activation="tanh"), nn.Dense(3, activation="softmax")], dtype="float64", seed=0
    )
    model.compile("sparse_categorical_crossentropy")
    model.fit(x, y, verbose=0)
    assert model.parameters.dtype == np.float64
    assert model.predict(x).dtype == np.float64
    assert nn.Sequential([nn.Dense(2, input_dim=2)]).predict(np.zeros((1, 2))).dtype == np.float32


def test_set_weights_checks_shapes():
    model = nn.Sequential([nn.Dense(3, input_dim=2)])
    with pytest.raises(al.ParameterError, match=r"shape \(3, 3\); expected \(2, 3\)"):
        model.set_weights([np.zeros((3, 3)), np.zeros(3)])


def test_generated_names_never_repeat_a_given_one():
    model = nn.Sequential([nn.Dense(2, name="dense_1", input_dim=2), nn.Dense(2), nn.Dense(2), nn.Dense(2)])
    model.build()
    assert [layer.name for layer in model.layers] == ["dense_1", "dense", "dense_2", "dense_3"]
