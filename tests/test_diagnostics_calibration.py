"""Calibration of the instruments the claims rest on: each reads a case whose answer is known."""

import warnings

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.diagnostics import cost, flow, units
from actlab.diagnostics.nn import Diagnostics, census, recovery

RNG = np.random.default_rng(0)
X = RNG.normal(size=(256, 32))
Y = RNG.integers(0, 10, 256)


def _mlp(act, scale=1.0, depth=8, width=96, seed=0, dtype="float64", input_dim=32):
    m = nn.Sequential(
        [nn.Dense(width, activation=act) for _ in range(depth)] + [nn.Dense(10, activation="softmax")],
        seed=seed,
        input_dim=input_dim,
        dtype=dtype,
    )
    m.build()
    m.set_weights([w * scale if w.ndim == 2 else w for w in m.get_weights()])
    m.compile(loss="sparse_categorical_crossentropy", optimizer={"name": "sgd", "lr": 0.01})
    return m


# -- gradient flow ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "act, scale, low, high",
    [
        ("tanh", 0.5, 0.0, 0.7),  # Glorot × 0.5: the signal halves per layer
        ("relu", 2.0, 1.5, 3.0),  # He × 2: it doubles
        ("tanh", 1.0, 0.85, 1.15),  # the critical initialisations: ≈ 1
        ("relu", 1.0, 0.85, 1.15),
    ],
)
def test_backpropagated_signal_reads_the_known_factor(act, scale, low, high):
    m = _mlp(act, scale)
    s = flow.layer_signal(m, X, Y)
    assert len(s["signal"]) == 8 and low < s["factor"] < high, s
    jac = flow.jacobian_singular_values(m, X)
    rms = np.mean([layer["rms"] for layer in jac])
    assert low < rms < high  # the layer Jacobians' singular values tell the same


def test_the_weight_gradient_ratio_is_blind_where_the_signal_is_not():
    # He × 0.5 and He × 1 ReLU nets: the first/last signal ratio moves by 2^7 over 8 layers, the
    # old first/last W-gradient ratio (the diagnostic the claims used to rest on) by ~2: the
    # weights' scale enters it forwards and backwards and mostly cancels.
    def w_ratio(m):
        m.loss_and_gradients(m._prepare_inputs(X), m.loss.targets(Y, 10, m.dtype), training=False)
        norms = [np.linalg.norm(layer.grads["kernel"]) for layer in m.layers]
        return norms[0] / norms[-2]

    def s_ratio(m):
        s = flow.layer_signal(m, X, Y)["signal"]
        return s[0] / s[-1]

    small, critical = _mlp("relu", 0.5), _mlp("relu", 1.0)
    assert s_ratio(critical) / s_ratio(small) > 50
    assert w_ratio(critical) / w_ratio(small) < 5


def test_signal_probe_logs_every_epoch_without_changing_training():
    a, b = _mlp("tanh", dtype="float32"), _mlp("tanh", dtype="float32")
    ha = a.fit(X, Y, epochs=2, batch_size=64, verbose=0, callbacks=[flow.SignalProbe(X[:64], Y[:64])])
    b.fit(X, Y, epochs=2, batch_size=64, verbose=0)
    assert all(np.isfinite(f) for f in ha["signal_factor"]) and len(ha["saturated_fraction"]) == 2
    np.testing.assert_array_equal(a.parameters, b.parameters)


# -- dead and saturated units ----------------------------------------------------------------------
def _one_layer(act, biases, dtype="float64"):
    """A hidden layer whose unit u gets the pre-activation ≈ biases[u] on every sample."""
    m = nn.Sequential(
        [nn.Dense(len(biases), activation=act), nn.Dense(3, activation="softmax")],
        seed=1,
        input_dim=4,
        dtype=dtype,
    )
    m.build()
    k, _, k2, b2 = m.get_weights()
    m.set_weights([k * 1e-3, np.asarray(biases, dtype=float), k2, b2])
    m.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    return m


def test_census_counts_known_dead_relu_units_under_every_definition():
    m = _one_layer("relu", [-1e3, -1e3, -1e3, 1.0, 2.0, 0.5, 3.0, 1.0])
    c = census(m, X[:, :4])
    assert c["units"] == 8
    for definition, fraction in c["dead"].items():
        assert fraction == pytest.approx(3 / 8), definition


def test_census_separates_the_thresholds_for_a_saturating_unit():
    # ELU at z ≈ −20: f′ = e^−20 ≈ 2e-9 — below 1e-3 and 1e-6, above 1e-12, never exactly 0.
    # At z ≈ −40: f′ ≈ 4e-18 — below every threshold.
    m = _one_layer("elu", [-20.0, -40.0, 1.0, 1.0])
    d = census(m, X[:, :4])["dead"]
    assert d["negative"] == pytest.approx(0.5)
    assert d["derivative_below_1e-03"] == d["derivative_below_1e-06"] == pytest.approx(0.5)
    assert d["derivative_below_1e-12"] == pytest.approx(0.25)
    assert d["zero_derivative"] == 0.0


def test_the_training_callback_counts_from_the_preactivations_not_the_rounded_output():
    # ELU's derivative recovered from its float32 output, 1 + y, is exactly 0 below x ≈ −17:
    # counted that way the unit at z ≈ −20 would be dead. The callback (like the census) takes
    # f′ = eᶻ from the pre-activation in float64, and sees it alive.
    elu = al.get("elu")
    assert elu.derivative_from_output(elu(np.float32(-20.0))) == 0.0 and elu.derivative(-20.0) > 1e-9
    m = _one_layer("elu", [-20.0, 1.0], dtype="float32")
    m.compile(loss="sparse_categorical_crossentropy", optimizer={"name": "sgd", "lr": 1e-9})
    h = m.fit(
        X[:, :4], Y % 3, epochs=1, batch_size=256, verbose=0, callbacks=[Diagnostics(dead_warning=None)]
    )
    layer = h["diagnostics"][-1]["layers"][0]
    assert h["dead_fraction"][-1] == 0.0 == census(m, X[:, :4])["dead"]["zero_derivative"]
    assert (
        layer["dead"]["derivative_below_1e-06"]
        == 0.5
        == census(m, X[:, :4])["dead"]["derivative_below_1e-06"]
    )


def test_census_reduces_a_channels_last_array_over_every_axis_but_the_last():
    z = RNG.normal(size=(16, 5, 5, 3))
    z[..., 1] = -np.abs(z[..., 1]) - 0.1  # channel 1 negative at every sample and position
    c = units.UnitCensus(peak=1.0)
    relu = al.get("relu")
    c.add(units.local_reach(relu, z), relu(z), z)
    assert c.result()["units"] == 3
    np.testing.assert_array_equal(c.dead("negative"), [False, True, False])
    np.testing.assert_array_equal(c.dead("constant_output"), [False, True, False])


def test_census_counts_a_convolution_channel_as_one_unit():
    m = nn.Sequential(
        [nn.Conv1D(4, 3, padding="same", activation="relu"), nn.Flatten(), nn.Dense(3, activation="softmax")],
        seed=4,
        input_shape=(10, 2),
        dtype="float64",
    )
    m.build()
    kernel, bias, *rest = m.get_weights()
    m.set_weights([kernel, np.array([-1e3, 0.5, 0.5, 0.5]), *rest])
    c = census(m, RNG.normal(size=(64, 10, 2)))
    assert c["layers"][0]["units"] == 4 and c["dead"]["negative"] == pytest.approx(0.25)
    m.compile(loss="sparse_categorical_crossentropy", optimizer="sgd")
    s = flow.layer_signal(m, RNG.normal(size=(8, 10, 2)), np.arange(8) % 3)
    assert len(s["signal"]) == 1 and s["signal"][0] > 0


def test_census_of_maxout_uses_the_jacobian_rows():
    # A maxout unit always passes its gradient to one piece: never dead by the derivative.
    m = nn.Sequential(
        [nn.Maxout(6, pieces=2), nn.Dense(3, activation="softmax")], seed=2, input_dim=32, dtype="float64"
    )
    c = census(m, X)
    assert c["dead"]["zero_derivative"] == 0.0 and c["dead"]["negative"] is None


def test_census_is_the_same_with_and_without_numba():
    m = _mlp("gelu", 3.0, depth=3, width=32, dtype="float32")
    with_numba = census(m, X)
    with al.kernels.using(backend="numpy"):
        assert al.kernels.available()["backend"] == "numpy"
        without = census(m, X)
    assert with_numba["dead"] == without["dead"]
    assert [layer["saturated_fraction"] for layer in with_numba["layers"]] == [
        layer["saturated_fraction"] for layer in without["layers"]
    ]


def _torch_twin(model, torch):
    """The same MLP in PyTorch (Linear weights are the kernels transposed), logits out."""
    mods = []
    for layer in model.layers[:-1]:
        lin = torch.nn.Linear(*layer.params["kernel"].shape).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.asarray(layer.params["kernel"], dtype=np.float64).T))
            lin.bias.copy_(torch.from_numpy(np.asarray(layer.params["bias"], dtype=np.float64)))
        mods += [
            lin,
            {"relu": torch.nn.ReLU, "elu": torch.nn.ELU, "tanh": torch.nn.Tanh}[layer.activation.name](),
        ]
    return torch.nn.Sequential(*mods)


@pytest.mark.parametrize(
    "act, biases",
    [("relu", [-5.0, 0.3, -0.2, 2.0]), ("elu", [-25.0, -12.0, 0.5, -3.0]), ("tanh", [9.0, -0.1, 15.0, 1.0])],
)
def test_the_pytorch_census_counts_what_the_actlab_census_counts(act, biases, torch_one_thread):
    torch = pytest.importorskip("torch")
    from actlab.diagnostics.torch import census as torch_census

    m = nn.Sequential(
        [nn.Dense(4, activation=act), nn.Dense(4, activation=act), nn.Dense(3)],
        seed=3,
        input_dim=32,
        dtype="float64",
    )
    m.build()
    k1, _, k2, b2, k3, b3 = m.get_weights()
    m.set_weights([k1 * 0.1, np.asarray(biases), k2, b2 + np.asarray(biases), k3, b3])
    ours = census(m, X)
    theirs = torch_census(_torch_twin(m, torch), torch.from_numpy(X))
    assert ours["dead"] == theirs["dead"]
    assert [layer["saturated_fraction"] for layer in ours["layers"]] == pytest.approx(
        [layer["saturated_fraction"] for layer in theirs["layers"]]
    )


def test_exactly_zero_derivatives_depend_on_the_implementation_the_thresholds_do_not(torch_one_thread):
    # PyTorch differentiates tanh from its output, 1 − y²: in float64 y rounds to 1 beyond
    # |z| ≈ 19, so f′ is exactly 0 there; actlab's derivative at z = 30 is 4e^−60 ≈ 3.5e-26.
    torch = pytest.importorskip("torch")
    from actlab.diagnostics.torch import census as torch_census

    m = _one_layer("tanh", [30.0, 1.0])
    ours, theirs = census(m, X[:, :4]), torch_census(_torch_twin(m, torch), torch.from_numpy(X[:, :4]))
    assert (ours["dead"]["zero_derivative"], theirs["dead"]["zero_derivative"]) == (0.0, 0.5)
    for t in units.THRESHOLDS:
        key = f"derivative_below_{t:.0e}"
        assert ours["dead"][key] == theirs["dead"][key] == 0.5


def test_recovery_reports_what_stays_dead():
    m = _one_layer("relu", [-1e3, -1e3, 1.0, 1.0])
    r = recovery(m, X[:, :4], Y % 3, epochs=1, lr=1e-3)
    # Nothing feeds a unit at z = −1000 a gradient, and 1e-3 steps cannot bring it back.
    assert r["dead_before"] == 0.5 and r["still_dead"] == 1.0 and r["revived"] == 0.0
    leaky = recovery(_one_layer(al.get("leaky_relu", alpha=0.3), [-3.0, 1.0]), X[:, :4], Y % 3, epochs=1)
    assert leaky["dead_before"] == 0.0 and leaky["still_dead"] is None


# -- cost ------------------------------------------------------------------------------------------
def test_interleaved_timing_gives_every_call_every_round():
    calls = {"a": lambda: None, "b": lambda: sum(range(100))}
    t = cost.interleaved(calls, repeats=7)
    assert set(t) == {"a", "b"} and all(len(v) == 7 and (v > 0).all() for v in t.values())


def test_the_activation_share_tells_a_slowed_activation_from_the_identity():
    # A calibration by orders of magnitude, not a timing: a wide network with the identity spends
    # little of a step in the activation; one whose activation is made 50 times heavier, most.
    def slow(x):
        for _ in range(50):
            y = np.tanh(x)
        return y

    shares = {}
    for name, act in (("identity", "linear"), ("slowed", slow)):
        m = _mlp(act, depth=2, width=256, dtype="float32")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            shares[name] = cost.activation_share(m, X, Y, steps=5, batch_size=128)["share"]
    assert shares["identity"] < 0.3 and shares["slowed"] > 0.6, shares
