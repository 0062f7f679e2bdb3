"""actlab.torch to any order: double backward, forward mode and the torch.func transforms."""

from __future__ import annotations

import numpy as np
import pytest

import actlab as al
from oracle import default_params, mp

pytestmark = pytest.mark.usefixtures("torch_one_thread")

torch = pytest.importorskip("torch")
at = pytest.importorskip("actlab.torch")
F = torch.nn.functional

DIFFERENTIABLE = [d for d in al.definitions() if d.differentiable]
ELEMENTWISE = [d for d in DIFFERENTIABLE if d.elementwise and d.stochastic is None]


def _inputs(d, shape=(2, 6), seed=0):
    """Random float64 inputs kept 0.05 away from the kinks, where f' (or f'') jumps."""
    x = np.random.default_rng(seed).uniform(-3, 3, size=shape)
    for k in (*d.kinks_for(default_params(d)), 0.0):  # 0: where softsign's f'' jumps
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.05 * np.sign(x[near] - k + 1e-300)
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def _functional(d):
    """The module as f(x, *learned values), so that the checks differentiate the parameters too."""
    module = at.Activation(d).double().eval()
    names = [n for n, _ in module.named_parameters()]
    values = [p.detach().clone().requires_grad_() for _, p in module.named_parameters()]

    def f(x, *vals):
        return torch.func.functional_call(module, dict(zip(names, vals)), (x,))

    return f, values


@pytest.mark.parametrize("d", DIFFERENTIABLE, ids=lambda d: d.name)
def test_gradgradcheck(d):
    f, values = _functional(d)
    assert torch.autograd.gradgradcheck(f, (_inputs(d), *values), eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("d", DIFFERENTIABLE, ids=lambda d: d.name)
def test_forward_mode_gradcheck(d):
    f, values = _functional(d)
    assert torch.autograd.gradcheck(
        f,
        (_inputs(d), *values),
        eps=1e-6,
        atol=1e-7,
        rtol=1e-6,
        check_forward_ad=True,
        check_backward_ad=False,
        check_undefined_grad=False,
        check_batched_grad=False,
    )


@pytest.mark.parametrize("d", DIFFERENTIABLE, ids=lambda d: d.name)
def test_torch_func_transforms(d):
    module = at.Activation(d).double().eval()
    x = _inputs(d).detach()
    batched = torch.func.vmap(module)(x)
    torch.testing.assert_close(batched, module(x))
    row = x[0]
    jac_rev = torch.func.jacrev(module)(row)
    torch.testing.assert_close(jac_rev, torch.func.jacfwd(module)(row))
    torch.testing.assert_close(jac_rev, torch.autograd.functional.jacobian(module, row))
    if d.elementwise:  # the derivative as a function, and vmapped over a batch
        torch.testing.assert_close(
            torch.func.vmap(torch.func.grad(lambda t: module(t)))(row), torch.diagonal(jac_rev)
        )


def _mp_second_derivative(d, x):
    params = default_params(d)
    return float(mp.diff(lambda t: d.mp_forward(mp, t, **params), mp.mpf(x), 2))


@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_second_derivative_matches_mpmath(d):
    x = _inputs(d, shape=(8,), seed=1)
    (dx,) = torch.autograd.grad(at.Activation(d).double()(x).sum(), x, create_graph=True)
    (d2x,) = torch.autograd.grad(dx.sum(), x)
    want = [_mp_second_derivative(d, v) for v in x.detach().tolist()]
    np.testing.assert_allclose(d2x.numpy(), want, rtol=1e-9, atol=1e-12)


# Smooth functions whose formulas hold a tie (|x|, max(x, 0)) at 0: the derivatives there are
# the function's, not those of torch.abs's subgradient.
_TORCH_OWN = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": F.softplus,
    "gelu": F.gelu,
    "swish": F.silu,
    "mish": F.mish,
    "log_sigmoid": F.logsigmoid,
    "tanhshrink": F.tanhshrink,
}


@pytest.mark.parametrize("name", sorted(_TORCH_OWN))
def test_first_three_derivatives_match_torch_including_zero(name):
    def derivatives(f):
        x = torch.tensor([0.0, -0.0, 0.3, -1.7, 5.0, -30.0], dtype=torch.float64, requires_grad=True)
        y, out = f(x), []
        for _ in range(3):
            (y,) = torch.autograd.grad(y.sum(), x, create_graph=True)
            out.append(y)
        return torch.stack(out).detach()

    torch.testing.assert_close(
        derivatives(at.Activation(name)), derivatives(_TORCH_OWN[name]), rtol=1e-9, atol=1e-12
    )


def gradient_penalty_dw(f, w=0.8):
    """dL/dw for L = Σ f(w x) + Σ (∂f(w x)/∂x)², over a fixed x: a WGAN-GP-style penalty."""
    x = torch.linspace(-2.0, 1.5, 8, dtype=torch.float64, requires_grad=True)
    w = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    y = f(w * x)
    (dx,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    (dw,) = torch.autograd.grad(y.sum() + (dx**2).sum(), w)
    return dw.item()


def exact_gradient_penalty_dw(name, w=0.8):
    """The same dL/dw from mpmath: Σ x f'(wx) + 2w f'(wx)² + 2w² x f'(wx) f''(wx)."""
    d = al.lookup(name)
    params = default_params(d)
    f = lambda t: d.mp_forward(mp, t, **params)  # noqa: E731
    total = mp.mpf(0)
    for x in np.linspace(-2.0, 1.5, 8):
        z = mp.mpf(w) * mp.mpf(float(x))
        d1, d2 = mp.diff(f, z, 1), mp.diff(f, z, 2)
        total += x * d1 + 2 * w * d1**2 + 2 * w**2 * x * d1 * d2
    return float(total)


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "gelu", "softplus"])
def test_gradient_penalty_keeps_the_second_order_term(name):
    got = gradient_penalty_dw(at.Activation(name))
    assert got == pytest.approx(gradient_penalty_dw(_TORCH_OWN[name]), rel=1e-12)
    assert got == pytest.approx(exact_gradient_penalty_dw(name), rel=1e-10)


def test_learned_parameters_have_second_derivatives():
    """PReLU and Swish's learned values: ∂²L/∂x∂θ against torch's own modules."""
    x = (torch.linspace(-2.0, 1.5, 8, dtype=torch.float64) + 0.05).requires_grad_()  # 0 is a kink
    for ours, theirs, name in [
        (at.Swish().double(), None, "beta"),
        (at.PReLU().double(), torch.nn.PReLU().double(), "alpha"),
    ]:
        y = ours(x)
        (dx,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        (dtheta,) = torch.autograd.grad((dx**2).sum(), getattr(ours, name))
        if theirs is None:  # x·σ(βx): ∂/∂β of f'(x)² by hand, at β = 1
            s = torch.sigmoid(x.detach())
            fp = s * (1 + x.detach() * (1 - s))
            dfp_dbeta = x.detach() * s * (1 - s) * (2 + x.detach() * (1 - 2 * s))
            want = (2 * fp * dfp_dbeta).sum()
        else:
            y2 = theirs(x)
            (dx2,) = torch.autograd.grad(y2.sum(), x, create_graph=True)
            (want,) = torch.autograd.grad((dx2**2).sum(), theirs.weight)
        torch.testing.assert_close(dtheta.reshape(()), want.reshape(()).to(torch.float64))


def test_random_activation_in_training_mode_has_exact_higher_derivatives():
    module = at.RReLU().double().train()
    x = _inputs(al.lookup("rrelu"))
    assert torch.autograd.gradgradcheck(lambda t: module(t) if torch.manual_seed(3) else None, (x,))
    with torch.autograd.forward_ad.dual_level():
        torch.manual_seed(3)
        dual = torch.autograd.forward_ad.make_dual(x.detach(), torch.ones_like(x))
        tangent = torch.autograd.forward_ad.unpack_dual(module(dual)).tangent
    torch.manual_seed(3)
    y = module(x)
    (grad,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(tangent, grad)


def test_not_differentiable_activations_say_so_in_every_mode():
    x = torch.linspace(-1, 1, 6, dtype=torch.float64, requires_grad=True)
    with pytest.raises(al.NotDifferentiableError):
        at.Step()(x).sum().backward()
    with pytest.raises(al.NotDifferentiableError):
        torch.func.jvp(at.Step(), (x.detach(),), (torch.ones(6, dtype=torch.float64),))
