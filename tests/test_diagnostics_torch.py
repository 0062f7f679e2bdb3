"""PyTorch diagnostics on constructed models with known answers (CPU build)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from actlab.diagnostics import DeadUnitWarning  # noqa: E402
from actlab.diagnostics.torch import ActivationMonitor, activation_modules, diagnose  # noqa: E402


def _model(seed=0, inplace=False):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Linear(6, 10),
        nn.ReLU(inplace=inplace),
        nn.Linear(10, 8),
        nn.Tanh(),
        nn.Linear(8, 3),
        nn.LogSoftmax(dim=1),
    )


def _data(n=128, seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 6, generator=g), torch.randint(0, 3, (n,), generator=g)


def test_activation_modules_are_found_by_kind_not_by_name():
    model = nn.Sequential(
        nn.Linear(4, 4),
        nn.GELU(),
        nn.PReLU(4),
        nn.MultiheadAttention(4, 2),
        nn.Softmax(dim=-1),
        nn.Dropout(0.1),
    )
    kinds = [type(m).__name__ for _, m in activation_modules(model)]
    assert kinds == ["GELU", "PReLU", "Softmax"]

    class Custom(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(x)

    assert [type(m).__name__ for _, m in activation_modules(nn.Sequential(Custom()), [Custom])] == ["Custom"]
    with pytest.raises(ValueError, match="no activation modules"):
        ActivationMonitor(nn.Linear(3, 3))


@pytest.mark.parametrize("inplace", [False, True])
def test_a_layer_forced_dead(inplace):
    model = _model(inplace=inplace)
    with torch.no_grad():
        model[0].bias[:4] = -1e3  # units 0..3 of the ReLU layer never fire
    x, y = _data()
    r = diagnose(model, x, y, nn.NLLLoss(), batch_size=32)
    relu, tanh, out = r["layers"]
    z = model[0](x)
    fires = (z > 0).any(dim=0)
    assert relu["dead_fraction"] == pytest.approx(1 - fires.float().mean().item())
    assert relu["dead_fraction"] >= 0.4
    assert relu["sparsity"] == pytest.approx((z <= 0).float().mean().item())
    assert tanh["dead_fraction"] == 0.0
    assert out["saturated_fraction"] is None  # log-softmax is vector-valued


def test_a_saturated_tanh_layer():
    model = _model()
    x, y = _data()
    calm = diagnose(model, x, y, nn.NLLLoss())["layers"][1]
    with torch.no_grad():
        model[2].weight.mul_(200.0)
    hot = diagnose(model, x, y, nn.NLLLoss())["layers"][1]
    assert calm["saturated_fraction"] < 0.3 < 0.9 < hot["saturated_fraction"]
    assert hot["std"] > calm["std"]


def test_statistics_match_a_direct_computation():
    model = _model(seed=3)
    x, y = _data(seed=4)
    r = diagnose(model, x, y, nn.NLLLoss(), batch_size=1000)
    h = model[1](model[0](x)).detach()
    t = model[3](model[2](h)).detach()
    assert r["layers"][1]["mean"] == pytest.approx(t.mean().item(), rel=1e-5)
    assert r["layers"][1]["std"] == pytest.approx(t.std(unbiased=False).item(), rel=1e-5)
    d_tanh = 1 - t**2
    assert r["layers"][1]["saturated_fraction"] == pytest.approx((d_tanh < 0.1).float().mean().item())
    model.zero_grad()
    nn.NLLLoss()(model(x), y).backward()
    norms = [model[i].weight.grad.norm().item() for i in (0, 2, 4)]
    got = [w["norm"] for w in r["weight_grad_norms"]]
    np.testing.assert_allclose(got, norms, rtol=1e-5)
    assert r["grad_ratio"] == pytest.approx(norms[0] / norms[-1], rel=1e-5)


def test_diagnose_leaves_parameters_and_gradients_alone():
    model = _model()
    x, y = _data()
    before = [p.detach().clone() for p in model.parameters()]
    diagnose(model, x, y, nn.NLLLoss())
    assert all(p.grad is None for p in model.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_monitor_over_a_training_loop_keeps_history_and_warns():
    model = _model()
    with torch.no_grad():
        model[0].bias[:] = -1e3  # the whole ReLU layer is dead
    x, y = _data()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    monitor = ActivationMonitor(model, dead_warning=0.5)
    with monitor:
        for _ in range(2):
            for i in range(0, len(x), 32):
                opt.zero_grad()
                nn.NLLLoss()(model(x[i : i + 32]), y[i : i + 32]).backward()
                opt.step()
            with pytest.warns(DeadUnitWarning, match="100% of units are dead"):
                monitor.end_epoch()
    assert len(monitor.history) == 2
    assert monitor.history[0]["layers"][0]["dead_fraction"] == 1.0
    assert monitor.history[0]["layers"][0]["output_grad_norm"] is not None
    model(x)  # detached: no hooks left
    assert monitor.summary()["layers"] == []


def test_modules_wrapping_an_actlab_activation_are_monitored():
    import actlab as al

    class Wrapped(nn.Module):
        activation = al.get("elu")  # what actlab's own torch modules expose

        def forward(self, x):
            return torch.nn.functional.elu(x)

    model = nn.Sequential(nn.Linear(6, 5), Wrapped(), nn.Linear(5, 3), nn.LogSoftmax(dim=1))
    x, y = _data()
    layer = diagnose(model, x, y, nn.NLLLoss())["layers"][0]
    assert layer["type"] == "Wrapped" and layer["dead_fraction"] == 0.0


def test_a_module_called_twice_reports_each_call():
    class Reuse(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.out = nn.Linear(6, 8), nn.Linear(8, 4), nn.Linear(4, 3)
            self.relu = nn.ReLU()

        def forward(self, x):
            return torch.log_softmax(self.out(self.relu(self.b(self.relu(self.a(x))))), dim=1)

    torch.manual_seed(0)
    x, y = _data()
    layers = diagnose(Reuse(), x, y, nn.NLLLoss(), batch_size=32)["layers"]
    assert [(entry["name"], entry["units"]) for entry in layers] == [("relu", 8), ("relu#2", 4)]
    assert all(entry["output_grad_norm"] is not None for entry in layers)
