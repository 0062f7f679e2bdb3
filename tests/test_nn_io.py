"""Saving and loading: exact round trips, and clear errors for files that are not what they claim."""

import hashlib
import io
import json
import zipfile

import numpy as np
import pytest

import actlab as al
from actlab import nn


def trained_model(dtype="float32"):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5))
    y = rng.integers(0, 3, size=64)
    model = nn.Sequential(
        [
            nn.Dense(8, activation=al.get("elu", alpha=0.5), input_dim=5),
            nn.PReLU(),
            nn.Dropout(0.2),
            nn.Maxout(6, pieces=2),
            nn.Dense(6),
            nn.Activation("swish", trainable=True),
            nn.Dense(3, activation="softmax", kernel_initializer="lecun_uniform"),
        ],
        seed=3,
        dtype=dtype,
        name="round_trip",
    )
    model.compile("sparse_categorical_crossentropy", nn.Adam(lr=0.01, beta_2=0.99), metrics=["accuracy"])
    model.fit(x, y, epochs=2, batch_size=16, verbose=0)
    return model, x, y


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_exact_and_training_resumes_identically(tmp_path, dtype):
    model, x, y = trained_model(dtype)
    json_path, npz_path = nn.save_model(model, tmp_path / "net")
    assert (json_path.name, npz_path.name) == ("net.json", "net.npz")
    loaded = nn.load_model(tmp_path / "net.json")
    assert [layer.get_config() for layer in loaded.layers] == [layer.get_config() for layer in model.layers]
    assert loaded.dtype == model.dtype and loaded.name == "round_trip"
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(model.predict(x), loaded.predict(x))
    # Optimizer state and random streams came along: one more epoch is bitwise the same.
    h1 = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    h2 = loaded.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert h1.history == h2.history
    assert np.array_equal(model.parameters, loaded.parameters)


def test_an_uncompiled_model_round_trips(tmp_path):
    model = nn.Sequential([nn.Dense(4, activation="gelu", input_dim=3), nn.Softmax()], seed=1)
    model.save(tmp_path / "plain")
    loaded = nn.load_model(tmp_path / "plain")
    assert loaded.loss is None
    x = np.ones((2, 3), np.float32)
    assert np.array_equal(model.predict(x), loaded.predict(x))


def test_saving_a_custom_callable_activation_is_refused_at_save_time(tmp_path):
    model = nn.Sequential([nn.Dense(4, activation=lambda v: v * np.tanh(v), input_dim=3, name="hidden")])
    model.build()
    with pytest.raises(nn.ModelFileError, match="'hidden' uses the custom activation '<lambda>'.*register"):
        model.save(tmp_path / "custom")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def saved(tmp_path):
    model, x, _ = trained_model()
    model.save(tmp_path / "net")
    return tmp_path / "net.json", tmp_path / "net.npz"


def _rewrite_spec(json_path, change):
    spec = json.loads(json_path.read_text())
    change(spec)
    json_path.write_text(json.dumps(spec))


def test_truncated_weights_file(saved):
    _, npz = saved
    npz.write_bytes(npz.read_bytes()[: npz.stat().st_size // 2])
    with pytest.raises(nn.ModelFileError, match="net.npz.*checksum.*truncated"):
        nn.load_model(saved[0])


def test_truncated_architecture_file(saved):
    json_path, _ = saved
    json_path.write_text(json_path.read_text()[:200])
    with pytest.raises(nn.ModelFileError, match="not valid JSON.*truncated"):
        nn.load_model(json_path)


def test_missing_file(saved):
    saved[1].unlink()
    with pytest.raises(nn.ModelFileError, match="net.npz does not exist"):
        nn.load_model(saved[0])


def test_a_file_that_is_not_a_model(tmp_path):
    (tmp_path / "x.json").write_text('{"hello": "world"}')
    with pytest.raises(nn.ModelFileError, match="not an actlab model"):
        nn.load_model(tmp_path / "x")
    (tmp_path / "x.json").write_text("[" * 100000 + "]" * 100000)
    with pytest.raises(nn.ModelFileError):
        nn.load_model(tmp_path / "x")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s["layers"][0].update(type="__import__('os').system"), "layer 0.*type must be one of"),
        (lambda s: s["layers"][1].update(config={"alpha": "0.25; rm -rf /"}), "layer 1"),
        (lambda s: s["layers"][0]["config"].update(activation={"name": "os.system"}), "unknown activation"),
        (lambda s: s["layers"][0]["config"].update(units=10**12), "does not hold the arrays|cannot be read"),
        (lambda s: s.update(layers={"a": 1}), "must be a list"),
        (lambda s: s.update(dtype="object"), "dtype"),
        (lambda s: s["compile"].update(loss="pickle"), "unknown loss"),
        (lambda s: s["random_state"].update(shuffle={"bit_generator": "MT19937"}), "random state"),
        (lambda s: s.update(format_version=99), "format version 99"),
    ],
)
def test_a_tampered_architecture_is_a_clear_error(saved, change, message):
    _rewrite_spec(saved[0], change)
    with pytest.raises(nn.ModelFileError, match=message):
        nn.load_model(saved[0])


def _replace_weights(saved, arrays, **savez_kw):
    """Write a new weights file and update the checksum, as a deliberate attacker would."""
    json_path, npz = saved
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, **savez_kw)
    npz.write_bytes(buffer.getvalue())
    _rewrite_spec(json_path, lambda s: s.update(weights_sha256=hashlib.sha256(buffer.getvalue()).hexdigest()))


def test_a_pickled_object_array_is_never_unpickled(saved):
    with np.load(saved[1]) as f:
        arrays = dict(f)
    arrays["layer0.kernel"] = np.array([{"evil": object}], dtype=object)
    _replace_weights(saved, arrays, allow_pickle=True)
    with pytest.raises(nn.ModelFileError, match="layer0.kernel.*object"):
        nn.load_model(saved[0])


def test_weights_of_the_wrong_shape_or_name(saved):
    with np.load(saved[1]) as f:
        arrays = dict(f)
    arrays["layer0.kernel"] = arrays["layer0.kernel"].T
    _replace_weights(saved, arrays)
    with pytest.raises(nn.ModelFileError, match=r"layer0.kernel.*float32\[8, 5\].*float32\[5, 8\]"):
        nn.load_model(saved[0])
    arrays["surprise"] = np.zeros(3)
    _replace_weights(saved, arrays)
    with pytest.raises(nn.ModelFileError, match="unexpected: \\['surprise.npy'\\]"):
        nn.load_model(saved[0])


def test_a_weights_file_that_is_not_a_zip(saved):
    junk = b"not a zip at all"
    saved[1].write_bytes(junk)
    _rewrite_spec(saved[0], lambda s: s.update(weights_sha256=hashlib.sha256(junk).hexdigest()))
    with pytest.raises(nn.ModelFileError, match="not a readable weights file"):
        nn.load_model(saved[0])


def test_the_saved_archive_holds_only_plain_arrays(saved):
    with zipfile.ZipFile(saved[1]) as archive:
        names = archive.namelist()
    assert all(n.endswith(".npy") for n in names)
    with np.load(saved[1], allow_pickle=False) as f:
        assert all(f[k].dtype == np.float32 for k in f.files)
