"""Optimizers follow their published update rules (checked against PyTorch where it is installed)."""

import numpy as np
import pytest

import actlab as al
from actlab import nn
from actlab.nn.optimizers import OPTIMIZERS, get_optimizer

STEPS = 20


def run(optimizer, w0, grads):
    w = w0.copy()
    optimizer.build(w.size, w.dtype)
    for g in grads:
        optimizer.step(w, g)
    return w


def problem(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=50), rng.normal(size=(STEPS, 50))


TORCH_TWINS = {  # our settings -> the same rule in torch.optim
    "sgd": (dict(lr=0.1), lambda torch, p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (dict(lr=0.1, momentum=0.8), lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.8)),
    "nesterov": (
        dict(lr=0.1, momentum=0.8, nesterov=True),
        lambda torch, p: torch.optim.SGD(p, lr=0.1, momentum=0.8, nesterov=True),
    ),
    "adam": (
        dict(lr=0.01, beta_1=0.8, beta_2=0.95, epsilon=1e-6),
        lambda torch, p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6),
    ),
    "rmsprop": (
        dict(lr=0.01, rho=0.7, epsilon=1e-6),
        lambda torch, p: torch.optim.RMSprop(p, lr=0.01, alpha=0.7, eps=1e-6),
    ),
}


@pytest.mark.parametrize("case", list(TORCH_TWINS))
def test_matches_torch(case):
    torch = pytest.importorskip("torch")
    settings, make_torch = TORCH_TWINS[case]
    name = "momentum" if case == "nesterov" else case
    w0, grads = problem()
    ours = run(OPTIMIZERS[name](**settings), w0, grads)
    param = torch.nn.Parameter(torch.tensor(w0))
    opt = make_torch(torch, [param])
    for g in grads:
        param.grad = torch.tensor(g)
        opt.step()
    np.testing.assert_allclose(ours, param.detach().numpy(), rtol=1e-10, atol=1e-13)


def test_every_optimizer_has_a_torch_twin_here():
    assert set(OPTIMIZERS) <= set(TORCH_TWINS)


def test_adams_first_step_is_lr_times_the_sign_of_the_gradient():
    w0, grads = problem(1)
    w = run(nn.Adam(lr=0.01, epsilon=1e-12), w0, grads[:1])
    np.testing.assert_allclose(w0 - w, 0.01 * np.sign(grads[0]), rtol=1e-9)


def test_sgd_is_plain_gradient_descent():
    w0, grads = problem(2)
    expected = w0 - 0.3 * grads.sum(axis=0)
    np.testing.assert_allclose(run(nn.SGD(lr=0.3), w0, grads), expected, rtol=1e-9, atol=1e-14)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_config_round_trip(name):
    opt = get_optimizer(name)
    again = get_optimizer(opt.get_config())
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    assert repr(again).startswith(type(opt).__name__)


def test_bad_config_is_a_clear_error():
    with pytest.raises(
        al.ParameterError,
        match="adam optimizer has no setting 'momentum'; its settings are: name, lr, beta_1, beta_2, epsilon",
    ):
        get_optimizer({"name": "adam", "momentum": 0.9})


@pytest.mark.parametrize(
    "config, message",
    [
        ({"name": "sgd", "lr": float("inf")}, r"lr = inf is out of range; expected a number in \(0, inf\)"),
        ({"name": "adam", "epsilon": float("nan")}, "epsilon = nan is out of range"),
        ({"name": "rmsprop", "rho": float("-inf")}, "rho = -inf"),
        ({"name": "momentum", "nesterov": "no"}, "nesterov = 'no' is not allowed; expected True or False"),
    ],
)
def test_non_finite_or_ill_typed_settings_are_refused(config, message):
    with pytest.raises(al.ParameterError, match=message):
        get_optimizer(config)


def test_optimizer_does_not_touch_the_gradients():
    # Callbacks read model.gradients after the step: the step must leave them as they were.
    w0, grads = problem(3)
    for name in OPTIMIZERS:
        g = grads[0].copy()
        run(OPTIMIZERS[name](), w0, [g])
        assert np.array_equal(g, grads[0])
