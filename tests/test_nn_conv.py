"""Convolution, pooling, Flatten and normalisation layers: values against direct loops, shapes by
Keras's rules, gradients against finite differences with every differentiable activation, saving
and loading, the summary and the errors."""

import itertools
import json
import math

import numpy as np
import pytest
from gradcheck import assert_gradients_match

import actlab as al
from actlab import nn

DIFFERENTIABLE = [d for d in al.definitions() if d.differentiable]
PER_UNIT = [d for d in al.definitions() if any(p.learnable and p.array_ok for p in d.params)]


def same_padding(n, k, s):
    """TensorFlow's "same": ⌈n/s⌉ windows, the odd cell of padding after."""
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad_input(x, kernel, strides, padding, fill=0.0):
    if padding == "valid":
        return x
    amounts = [(0, 0)] + [same_padding(n, k, s) for n, k, s in zip(x.shape[1:-1], kernel, strides)] + [(0, 0)]
    return np.pad(x, amounts, constant_values=fill)


def window_loop(x, kernel, strides, padding, reduce, fill=0.0):
    """reduce(window of shape (*kernel, channels)) at every window position, by explicit loops."""
    xp = pad_input(x, kernel, strides, padding, fill)
    out = [(n - k) // s + 1 for n, k, s in zip(xp.shape[1:-1], kernel, strides)]
    rows = []
    for sample in xp:
        cells = [
            reduce(sample[tuple(slice(p * s, p * s + k) for p, s, k in zip(pos, strides, kernel))])
            for pos in itertools.product(*map(range, out))
        ]
        rows.append(np.reshape(cells, (*out, -1)))
    return np.array(rows)


def direct_conv(x, kernel, bias, strides, padding):
    k = kernel.shape[:-2]
    return window_loop(x, k, strides, padding, lambda w: np.tensordot(w, kernel, axes=w.ndim) + bias)


def built(layer, input_shape, seed=0, dtype="float64"):
    model = nn.Sequential([layer], input_shape=input_shape, dtype=dtype, seed=seed)
    model.build()
    for name, params in layer.params.items():  # non-trivial biases and scales
        if name != "kernel":
            params[...] += np.random.default_rng(seed + 1).normal(size=params.shape) * 0.1
    return model


CONV_CASES = [
    (nn.Conv1D, (11, 3), 3, 1, "valid"),
    (nn.Conv1D, (11, 3), 4, 2, "same"),
    (nn.Conv1D, (10, 2), 3, 2, "same"),
    (nn.Conv1D, (7, 1), 7, 3, "valid"),
    (nn.Conv2D, (7, 6, 2), 3, 1, "valid"),
    (nn.Conv2D, (7, 6, 2), (2, 3), (2, 1), "same"),
    (nn.Conv2D, (5, 5, 1), 2, 2, "valid"),
]


@pytest.mark.parametrize("cls, shape, kernel_size, strides, padding", CONV_CASES)
def test_convolution_equals_the_sum_over_each_window(cls, shape, kernel_size, strides, padding):
    layer = cls(4, kernel_size, strides=strides, padding=padding)
    model = built(layer, shape)
    x = np.random.default_rng(2).normal(size=(3, *shape))
    expected = direct_conv(x, layer.params["kernel"], layer.params["bias"], layer.strides, padding)
    y = model.predict(x)
    assert y.shape == (3, *layer.output_shape)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("n, k, s", [(40, 5, 2), (40, 3, 2), (28, 3, 1), (9, 4, 3), (5, 7, 1)])
def test_same_padding_gives_ceil_n_over_s_positions_and_valid_keeps_windows_inside(n, k, s):
    same = nn.Sequential([nn.Conv1D(1, k, strides=s, padding="same")], input_shape=(n, 1))
    same.build()
    assert same.output_shape == (math.ceil(n / s), 1)
    if n >= k:
        valid = nn.Sequential([nn.Conv1D(1, k, strides=s)], input_shape=(n, 1))
        valid.build()
        assert valid.output_shape == ((n - k) // s + 1, 1)


def test_convolution_matches_pytorch(torch_one_thread):
    torch = pytest.importorskip("torch")
    layer = nn.Conv2D(5, (3, 2), strides=(2, 1))
    model = built(layer, (9, 8, 3))
    x = np.random.default_rng(3).normal(size=(2, 9, 8, 3))
    weight = torch.from_numpy(layer.params["kernel"].transpose(3, 2, 0, 1).copy())
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x.transpose(0, 3, 1, 2)),
        weight,
        torch.from_numpy(layer.params["bias"].copy()),
        stride=(2, 1),
    )
    np.testing.assert_allclose(model.predict(x), expected.numpy().transpose(0, 2, 3, 1), rtol=1e-12)


@pytest.mark.parametrize(
    "cls, shape, pool, strides, padding",
    [
        (nn.MaxPooling1D, (9, 2), 2, None, "valid"),
        (nn.MaxPooling1D, (9, 2), 3, 2, "same"),
        (nn.MaxPooling2D, (7, 6, 3), 2, None, "valid"),
        (nn.MaxPooling2D, (7, 6, 3), (3, 2), 1, "same"),
        (nn.AveragePooling1D, (9, 2), 2, None, "valid"),
        (nn.AveragePooling1D, (9, 2), 3, 2, "same"),
        (nn.AveragePooling2D, (7, 6, 3), 2, None, "same"),
        (nn.AveragePooling2D, (7, 6, 3), (3, 2), (2, 1), "valid"),
    ],
)
def test_pooling_equals_the_reduction_of_each_window(cls, shape, pool, strides, padding):
    layer = cls(pool, strides=strides, padding=padding)
    model = built(layer, shape)
    x = np.random.default_rng(4).normal(size=(2, *shape))
    axes = tuple(range(len(shape) - 1))
    if issubclass(cls, nn.pooling.MaxPooling):
        expected = window_loop(
            x, layer.pool_size, layer.strides, padding, lambda w: w.max(axis=axes), -np.inf
        )
    else:  # the mean of the cells inside the input: padding is not counted
        total = window_loop(x, layer.pool_size, layer.strides, padding, lambda w: w.sum(axis=axes))
        cells = window_loop(
            np.ones_like(x), layer.pool_size, layer.strides, padding, lambda w: w.sum(axis=axes)
        )
        expected = total / cells
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-12)


def test_max_pooling_sends_the_gradient_to_the_first_maximum_only():
    # ReLU outputs tie at 0: a tie must not multiply the gradient.
    layer = nn.MaxPooling1D(3, strides=1)
    built(layer, (4, 1))
    layer.forward(np.array([[[0.0], [0.0], [0.0], [2.0]]]), True, None)
    dx = layer.backward(np.array([[[1.0], [10.0]]]))
    np.testing.assert_array_equal(dx[0, :, 0], [1.0, 0.0, 0.0, 10.0])


@pytest.mark.parametrize(
    "cls, shape",
    [(nn.GlobalAveragePooling1D, (5, 3)), (nn.GlobalAveragePooling2D, (4, 5, 3)), (nn.Flatten, (4, 5, 3))],
)
def test_global_pooling_and_flatten(cls, shape):
    model = built(cls(), shape)
    x = np.random.default_rng(5).normal(size=(2, *shape))
    expected = x.reshape(2, -1) if cls is nn.Flatten else x.mean(axis=tuple(range(1, len(shape))))
    np.testing.assert_allclose(model.predict(x), expected, rtol=1e-13)


def test_batch_normalization_trains_on_batch_statistics_and_infers_with_moving_ones():
    layer = nn.BatchNormalization(momentum=0.9, epsilon=1e-3)
    built(layer, (6, 2))
    x = np.random.default_rng(6).normal(3.0, 2.0, size=(5, 6, 2))
    gamma, beta = layer.params["gamma"], layer.params["beta"]
    y = layer.forward(x, True, None)
    mean, var = x.mean(axis=(0, 1)), x.var(axis=(0, 1))  # per channel, over samples and positions
    np.testing.assert_allclose(y, gamma * (x - mean) / np.sqrt(var + 1e-3) + beta, rtol=1e-12)
    np.testing.assert_allclose(layer.state["moving_mean"], 0.1 * mean, rtol=1e-12)
    np.testing.assert_allclose(layer.state["moving_variance"], 0.9 + 0.1 * var, rtol=1e-12)
    inferred = layer.forward(x, False, None)
    moving_mean, moving_var = layer.state["moving_mean"], layer.state["moving_variance"]
    np.testing.assert_allclose(
        inferred, gamma * (x - moving_mean) / np.sqrt(moving_var + 1e-3) + beta, rtol=1e-12
    )
    np.testing.assert_array_equal(layer.state["moving_mean"], moving_mean)  # inference leaves them


def test_layer_normalization_normalises_each_position_over_its_channels():
    layer = nn.LayerNormalization(epsilon=1e-5)
    built(layer, (3, 4))
    x = np.random.default_rng(7).normal(1.0, 3.0, size=(2, 3, 4))
    mean, var = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    expected = layer.params["gamma"] * (x - mean) / np.sqrt(var + 1e-5) + layer.params["beta"]
    np.testing.assert_allclose(layer.forward(x, False, None), expected, rtol=1e-12)
    np.testing.assert_allclose(layer.forward(x, True, None), expected, rtol=1e-12)


def network_1d(act):
    """Every 1-D layer, with ``act`` in both convolutions (even filters: GLU and maxout halve them)."""
    return [
        nn.Conv1D(4, 3, strides=2, padding="same", activation=act),
        nn.MaxPooling1D(2, strides=1),
        nn.LayerNormalization(),
        nn.AveragePooling1D(2, padding="same"),
        nn.BatchNormalization(),
        nn.Conv1D(4, 2, activation=act),
        nn.Flatten(),
        nn.Dense(2),
    ]


def network_2d(act):
    """Every 2-D layer, with ``act`` in both convolutions."""
    return [
        nn.Conv2D(4, (2, 3), strides=(1, 2), padding="same", activation=act),
        nn.MaxPooling2D(2, strides=1),
        nn.LayerNormalization(),
        nn.AveragePooling2D(2, padding="same"),
        nn.BatchNormalization(),
        nn.Conv2D(4, (2, 1), activation=act),
        nn.GlobalAveragePooling2D(),
        nn.Dense(2),
    ]


@pytest.mark.parametrize("definition", DIFFERENTIABLE, ids=lambda d: d.name)
@pytest.mark.parametrize("network, shape", [(network_1d, (9, 2)), (network_2d, (5, 6, 1))], ids=["1d", "2d"])
def test_every_new_layer_back_propagates_with_every_activation(network, shape, definition):
    rng = np.random.default_rng(8)
    x, y = rng.normal(size=(4, *shape)), rng.normal(size=(4, 2))
    model = nn.Sequential(network(al.get(definition)), dtype="float64", seed=0)
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)
    first = model.layers[0].grads["kernel"]
    assert np.abs(first).max() > 0, "the check is vacuous: no gradient reached the first layer"


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_batch_normalization_back_propagates_in_both_modes(training):
    rng = np.random.default_rng(9)
    x, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    model = nn.Sequential(
        [nn.Dense(4), nn.BatchNormalization(momentum=0.5), nn.Dense(2, activation="tanh")],
        dtype="float64",
        seed=0,
    )
    model.compile("mse", "sgd")
    model.build(3)
    bn = model.layers[1]
    bn.state["moving_mean"][...], bn.state["moving_variance"][...] = (
        [0.1, -0.2, 0.3, 0.0],
        [0.5, 2.0, 1.0, 3.0],
    )
    assert_gradients_match(model, x, y, training)


@pytest.mark.parametrize("definition", PER_UNIT, ids=lambda d: d.name)
def test_a_learned_activation_parameter_is_one_per_channel_after_a_convolution(definition):
    rng = np.random.default_rng(10)
    x, y = rng.normal(size=(3, 6, 2)), rng.normal(size=(3, 2))
    act = nn.Activation(al.get(definition), trainable=True, per_unit=True)
    model = nn.Sequential(
        [nn.Conv1D(3, 2), act, nn.GlobalAveragePooling1D(), nn.Dense(2)], dtype="float64", seed=0
    )
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)
    (learned,) = act.grads.values()
    assert learned.shape == (3,) and np.all(learned != 0)


def test_prelu_after_a_convolution_learns_one_slope_per_channel():
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(3, 5, 5, 1)), rng.normal(size=(3, 2))
    model = nn.Sequential(
        [nn.Conv2D(4, 3), nn.PReLU(alpha=0.1), nn.Flatten(), nn.Dense(2)], dtype="float64", seed=0
    )
    model.compile("mse", "sgd")
    assert_gradients_match(model, x, y)
    assert model.layers[1].params["alpha"].shape == (4,)


def test_dense_on_positions_applies_one_kernel_at_each():
    model = built(nn.Dense(3, activation="tanh"), (5, 2))
    layer = model.layers[0]
    x = np.random.default_rng(12).normal(size=(4, 5, 2))
    np.testing.assert_allclose(
        model.predict(x), np.tanh(x @ layer.params["kernel"] + layer.params["bias"]), rtol=1e-13
    )
    rng = np.random.default_rng(13)
    net = nn.Sequential([nn.Dense(3, activation="tanh"), nn.Flatten(), nn.Dense(2)], dtype="float64", seed=0)
    net.compile("mse", "sgd")
    assert_gradients_match(net, rng.normal(size=(4, 5, 2)), rng.normal(size=(4, 2)))


@pytest.mark.parametrize("activation, scheme", [("relu", 2.0), ("selu", 1.0)])
def test_auto_initialiser_counts_the_window_in_fan_in(activation, scheme):
    layer = nn.Conv2D(64, 5, activation=activation)
    built(layer, (20, 20, 8))
    fan_in = 5 * 5 * 8
    assert layer.params["kernel"].std() == pytest.approx(math.sqrt(scheme / fan_in), rel=0.03)


def test_diagnostics_count_a_convolutions_channels_as_its_units():
    from actlab.diagnostics.nn import Diagnostics

    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(64, 12, 1)), rng.integers(0, 2, 64)
    model = nn.Sequential(
        [nn.Conv1D(6, 3, activation="relu"), nn.Flatten(), nn.Dense(2, activation="softmax")],
        dtype="float64",
        seed=0,
    )
    model.build((12, 1))
    conv = model.layers[0]
    conv.params["bias"][:2] = -1e3  # channels 0 and 1 never fire, at any position of any sample
    conv.params["bias"][2] = 1e3  # channel 2 always fires
    model.compile("sparse_categorical_crossentropy", {"name": "sgd", "lr": 1e-12})
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[Diagnostics(dead_warning=None)])
    (stats, _) = history["diagnostics"][0]["layers"]
    assert stats["units"] == 6  # a channel is one unit: alive if it fired at any position of any sample
    assert stats["dead_fraction"] == pytest.approx(2 / 6)
    assert history["dead_fraction"][0] == pytest.approx(2 / 6)


def image_model(dtype):
    return nn.Sequential(
        [
            nn.Conv2D(4, 3, strides=2, padding="same", activation="swish", input_shape=(9, 8, 1)),
            nn.BatchNormalization(momentum=0.8),
            nn.PReLU(),
            nn.MaxPooling2D(2, padding="same"),
            nn.Conv2D(6, (2, 1), activation=al.get("leaky_relu", alpha=0.2)),
            nn.LayerNormalization(),
            nn.AveragePooling2D((1, 2)),
            nn.Flatten(),
            nn.Dense(3, activation="softmax"),
        ],
        seed=5,
        dtype=dtype,
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_convolutional_model_round_trips_with_its_moving_statistics(tmp_path, dtype):
    rng = np.random.default_rng(15)
    x, y = rng.normal(size=(40, 9, 8, 1)), rng.integers(0, 3, 40)
    model = image_model(dtype)
    model.compile("sparse_categorical_crossentropy", "adam", metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    model.save(tmp_path / "cnn")
    loaded = nn.load_model(tmp_path / "cnn")
    assert loaded.input_shape == (9, 8, 1)
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]
    bn = loaded.layers[1]
    assert not np.array_equal(bn.state["moving_mean"], 0)  # training moved them, and the file kept them
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(model.predict(x), loaded.predict(x))
    h1, h2 = (m.fit(x, y, epochs=1, batch_size=8, verbose=0) for m in (model, loaded))
    assert h1.history == h2.history


def test_a_file_that_gives_the_input_width_alone_still_loads(tmp_path):
    model = nn.Sequential([nn.Dense(3, input_dim=4)], seed=0)
    json_path, _ = nn.save_model(model, tmp_path / "old")
    spec = json.loads(json_path.read_text())
    spec["input_dim"] = spec.pop("input_shape")[0]  # as files were written before inputs had shapes
    json_path.write_text(json.dumps(spec))
    assert nn.load_model(tmp_path / "old").input_shape == (4,)


def test_summary_shows_each_layers_output_shape_and_the_untrained_state():
    model = image_model("float32")
    text = model.summary(print_fn=None)
    assert "input (None, 9, 8, 1)" in text
    for layer in model.layers:
        assert f"{layer.name} ({type(layer).__name__})" in text
    assert "(None, 5, 4, 4)" in text and "(None, 3, 2, 4)" in text and "(None, 2, 2, 6)" in text
    assert "(None, 12)" in text
    assert "batch_normalization (BatchNormalization)   (None, 5, 4, 4)   16" in text
    untrained = 2 * 4
    assert f"Total params: {model.count_params() + untrained:,}" in text
    assert f"Non-trainable params: {untrained}" in text


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda: nn.Sequential([nn.Conv1D(4, 3)], input_shape=(40,)).build(),
            al.ParameterError,
            r"Conv1D 'conv1d' needs inputs of shape \(samples, steps, channels\).*\(None, 40\).*input_shape=\(40, 1\)",
        ),
        (
            lambda: nn.Sequential([nn.Conv2D(4, 3)], input_shape=(28, 28)).build(),
            al.ParameterError,
            r"rows, columns, channels.*x\[\.\.\., None\]",
        ),
        (
            lambda: nn.Sequential([nn.Conv1D(4, 5)], input_shape=(3, 1)).build(),
            al.ParameterError,
            r"window of 5 does not fit in an input of 3.*padding='same'",
        ),
        (lambda: nn.Conv1D(4, (3, 3)), al.ParameterError, "needs 1 entry"),
        (lambda: nn.Conv2D(4, 3, padding="full"), al.ParameterError, "'valid' or 'same'"),
        (lambda: nn.MaxPooling1D(0), al.ParameterError, "pool_size = 0"),
        (lambda: nn.BatchNormalization(momentum=1.0), al.ParameterError, r"momentum.*\[0, 1\)"),
        (lambda: nn.LayerNormalization(epsilon=0), al.ParameterError, "epsilon"),
        (lambda: nn.Sequential(input_shape=(28, 0, 1)), al.ParameterError, r"input_shape\[1\] = 0"),
        (lambda: nn.Sequential(input_dim=3, input_shape=(4,)), al.ParameterError, "disagree"),
    ],
)
def test_bad_layer_settings_are_clear_errors(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_inputs_of_the_wrong_rank_are_clear_errors():
    model = nn.Sequential(
        [nn.Conv1D(2, 3, input_shape=(40, 1)), nn.Flatten(), nn.Dense(2, activation="softmax")]
    )
    model.compile("sparse_categorical_crossentropy")
    y = np.zeros(5, dtype=int)
    with pytest.raises(nn.DataError, match=r"shape \(5, 40\).*\(None, 40, 1\).*x\[\.\.\., None\]"):
        model.fit(np.zeros((5, 40)), y, verbose=0)
    with pytest.raises(nn.DataError, match=r"reshape it with x\.reshape\(-1, 40, 1\)"):
        model.fit(np.zeros((5, 1, 40)), y, verbose=0)
    bad = np.zeros((5, 40, 1))
    bad[3, 7, 0] = np.nan
    with pytest.raises(nn.DataError, match=r"nan at row 3, position \(7, 0\)"):
        model.fit(bad, y, verbose=0)
    unflattened = nn.Sequential([nn.Conv1D(2, 3, input_shape=(40, 1)), nn.Dense(2, activation="softmax")])
    unflattened.compile("sparse_categorical_crossentropy")
    with pytest.raises(al.ParameterError, match=r"\(None, 38, 2\).*add Flatten\(\)"):
        unflattened.fit(np.zeros((5, 40, 1)), y, verbose=0)
