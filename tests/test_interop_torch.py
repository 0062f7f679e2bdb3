"""actlab.torch: a module per activation, analytic backward, learnable parameters, gradcheck."""

from __future__ import annotations

import copy
import importlib
import sys

import numpy as np
import pytest

import actlab as al

pytestmark = pytest.mark.usefixtures("torch_one_thread")

torch = pytest.importorskip("torch")
at = pytest.importorskip("actlab.torch")

from actlab.interop.naming import class_name


DIFFERENTIABLE = [d for d in al.definitions() if d.differentiable]
LEARNABLE = [d for d in al.definitions() if any(p.learnable for p in d.params)]


def _inputs(d, shape=(3, 8), seed=0, dtype=torch.float64):
    """Random inputs kept 0.05 away from the activation's kinks, where f' jumps."""
    x = np.random.default_rng(seed).uniform(-4, 4, size=shape)
    for k in d.kinks_for({p.name: p.default for p in d.params}):
        near = np.abs(x - k) < 0.05
        x[near] = k + 0.05 * np.sign(x[near] - k + 1e-300)
    return torch.tensor(x, dtype=dtype)


def test_one_module_class_per_registered_activation():
    names = [class_name(d.name) for d in al.definitions()]
    assert len(set(names)) == len(names), "two activations map to one class name"
    for d in al.definitions():
        cls = getattr(at, class_name(d.name))
        assert issubclass(cls, torch.nn.Module) and issubclass(cls, at.Activation)
        assert cls().activation.definition is d
        assert d.summary in cls.__doc__ and str(d.reference.link) in cls.__doc__
    assert at.LeakyReLU().activation.name == "leaky_relu" and at.GELU().activation.name == "gelu"


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("d", al.definitions(), ids=lambda d: d.name)
def test_forward_and_backward_match_the_numpy_path(d, dtype):
    module = at.Activation(d).eval()
    act = al.get(d)
    x = _inputs(d, dtype=dtype).requires_grad_()
    y = module(x)
    x_np = x.detach().numpy()
    assert y.dtype == dtype and y.shape == act(x_np).shape
    # PyTorch's libm differs from NumPy's in the last bit (the accuracy of each is tested with
    # the array-API path); the derivatives must be actlab's, not PyTorch's own.
    close = {"rtol": 1e-6, "atol": 1e-7} if dtype == torch.float32 else {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(y.detach().numpy(), act(x_np), **close)
    if not d.differentiable:
        with pytest.raises(al.NotDifferentiableError):
            y.sum().backward()
        return
    g = torch.linspace(-1, 1, y.numel(), dtype=dtype).reshape(y.shape)
    y.backward(g)
    assert x.grad.dtype == dtype
    np.testing.assert_allclose(x.grad.numpy(), act.vjp(x_np, g.numpy()), **close)


@pytest.mark.parametrize("d", DIFFERENTIABLE, ids=lambda d: d.name)
def test_gradcheck_float64(d):
    module = at.Activation(d).double().eval()
    names = [n for n, _ in module.named_parameters()]
    values = [p.detach().clone().requires_grad_() for _, p in module.named_parameters()]

    def f(x, *vals):
        return torch.func.functional_call(module, dict(zip(names, vals)), (x,))

    x = _inputs(d).requires_grad_()
    assert torch.autograd.gradcheck(f, (x, *values), eps=1e-6, atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("d", LEARNABLE, ids=lambda d: d.name)
def test_learnable_parameters_are_parameters_with_the_numpy_gradient(d):
    module = at.Activation(d)
    learned = {p.name for p in d.params if p.learnable}
    assert {n for n, _ in module.named_parameters()} == learned
    x = _inputs(d, dtype=torch.float32)
    g = torch.linspace(-1, 1, x.numel()).reshape(x.shape)
    module(x).backward(g)
    want = al.get(d).param_grads(x.numpy(), g.numpy())
    for name in learned:
        np.testing.assert_allclose(getattr(module, name).grad.numpy(), want[name], rtol=1e-5)

    fixed = at.Activation(d, trainable=False)
    assert not list(fixed.parameters()) and learned <= set(fixed.state_dict())


@pytest.mark.parametrize("d", LEARNABLE, ids=lambda d: d.name)
def test_learned_parameter_converges_to_its_target(d):
    """Gradient descent recovers a parameter value from data made with it."""
    torch.manual_seed(0)
    learned = [p for p in d.params if p.learnable]
    target = {p.name: p.default / 2 for p in learned}
    x = _inputs(d, shape=(256,), dtype=torch.float32)
    y = torch.as_tensor(al.get(d, **target)(x.numpy()))
    module = at.Activation(d)
    opt = torch.optim.Adam(module.parameters(), lr=0.05)
    for _ in range(150):
        opt.zero_grad()
        torch.mean((module(x) - y) ** 2).backward()
        opt.step()
    for p in learned:
        assert abs(getattr(module, p.name).item() - target[p.name]) < 1e-2, p.name


def test_per_channel_parameter_keeps_its_shape():
    alpha = np.full((3, 1, 1), 0.25)
    module = at.PReLU(alpha=alpha)
    assert module.alpha.shape == (3, 1, 1)
    x = torch.randn(2, 3, 4, 5)
    g = torch.randn(2, 3, 4, 5)
    module(x).backward(g)
    want = al.get("prelu", alpha=alpha).param_grads(x.numpy(), g.numpy())["alpha"]
    np.testing.assert_allclose(module.alpha.grad.numpy(), want, rtol=1e-5)


@pytest.mark.parametrize("d", LEARNABLE, ids=lambda d: d.name)
def test_half_precision_modules_keep_their_dtype(d):
    module = at.Activation(d).to(torch.bfloat16)
    x = _inputs(d, dtype=torch.bfloat16).requires_grad_()
    y = module(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == torch.bfloat16
    assert all(p.grad.dtype == torch.bfloat16 for p in module.parameters())
    want = al.get(d)(x.detach().to(torch.float64).numpy())
    np.testing.assert_allclose(y.detach().to(torch.float64).numpy(), want, rtol=2**-7)


def test_learned_values_stay_in_the_allowed_range():
    bounded = [(d, p) for d in LEARNABLE for p in d.params if p.learnable and np.isfinite(p.low)]
    assert bounded, "no learnable parameter with a lower bound to test"
    for d, p in bounded:
        module = at.Activation(d)
        with torch.no_grad():
            getattr(module, p.name).fill_(p.low - 1.0)
        x = _inputs(d, dtype=torch.float32)
        np.testing.assert_array_equal(module(x).detach().numpy(), al.get(d, **{p.name: p.low})(x.numpy()))


@pytest.mark.parametrize("d", [d for d in al.definitions() if d.stochastic], ids=lambda d: d.name)
def test_random_activations_draw_in_training_mode_only(d):
    module = at.Activation(d)
    x = _inputs(d, dtype=torch.float32).requires_grad_()
    torch.manual_seed(1)
    y1 = module(x)
    torch.manual_seed(1)
    seed = int(torch.randint(2**62, ()).item())
    y_np, dydx = al.get(d).forward_train(x.detach().numpy(), np.random.default_rng(seed))
    np.testing.assert_array_equal(y1.detach().numpy(), y_np)
    y1.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), dydx)
    module.eval()
    np.testing.assert_array_equal(module(x).detach().numpy(), al.get(d)(x.detach().numpy()))


def test_repr_shows_the_parameters():
    assert repr(at.LeakyReLU(alpha=0.1)) == "LeakyReLU(alpha=0.1)"
    assert repr(at.Activation("swish", beta=1.5)) == "Activation('swish', beta=1.5)"
    assert repr(at.Swish(trainable=False)) == "Swish(beta=1.0 (fixed))"
    assert "tensor of shape (3, 1, 1)" in repr(at.PReLU(alpha=np.full((3, 1, 1), 0.2)))
    assert repr(at.Softmax(axis=1)) == "Softmax(axis=1)"


def test_config_holds_the_learned_values():
    module = at.Swish()
    with torch.no_grad():
        module.beta.fill_(1.75)
    config = module.get_config()
    assert config == {"name": "swish", "params": {"beta": 1.75}}
    assert al.get(config) == al.get("swish", beta=1.75)


def test_deepcopy_and_state_dict_round_trip():
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), at.PReLU(), torch.nn.Linear(6, 2), at.Softmax())
    with torch.no_grad():
        model[1].alpha.fill_(0.4)
    clone = copy.deepcopy(model)
    x = torch.randn(5, 4)
    torch.testing.assert_close(clone(x), model(x))
    fresh = torch.nn.Sequential(torch.nn.Linear(4, 6), at.PReLU(), torch.nn.Linear(6, 2), at.Softmax())
    fresh.load_state_dict(model.state_dict())
    torch.testing.assert_close(fresh(x), model(x))


def test_integer_input_gives_the_default_float():
    y = at.Sigmoid()(torch.arange(-2, 3))
    assert y.dtype == torch.get_default_dtype()


def test_non_tensor_input_is_a_type_error():
    with pytest.raises(al.InputTypeError, match="torch.Tensor"):
        at.ReLU()(np.zeros(3))


def test_trains_inside_a_network():
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = (x[:, :1] * x[:, 1:] > 0).float()  # XOR of the signs: needs the non-linearity
    model = torch.nn.Sequential(torch.nn.Linear(2, 16), at.Mish(), torch.nn.Linear(16, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    first = loss_fn(model(x), y).item()
    for _ in range(150):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    assert loss.item() < 0.3 * first


@pytest.mark.filterwarnings("ignore::UserWarning")  # Dynamo's notes on array-api-compat's caches
def test_torch_compile_runs_and_matches_eager():
    """torch.compile runs the module (with a graph break at the activation) and keeps gradients."""
    torch._dynamo.reset()
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), at.GELU(), torch.nn.Linear(4, 1))
    compiled = torch.compile(model, backend="eager")
    x = torch.randn(5, 3)
    torch.testing.assert_close(compiled(x), model(x))
    compiled(x).sum().backward()
    assert model[0].weight.grad is not None and torch.isfinite(model[0].weight.grad).all()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_torch_compile_inductor():
    torch._dynamo.reset()
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), at.Swish(), torch.nn.Linear(4, 1))
    compiled = torch.compile(model)
    x = torch.randn(5, 3)
    torch.testing.assert_close(compiled(x), model(x))
    compiled(x).sum().backward()
    assert torch.isfinite(model[1].beta.grad)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensors_stay_on_the_device():
    x = torch.randn(4, 6, device="cuda", requires_grad=True)
    for cls in (at.GELU, at.PReLU, at.Softmax, at.Swish):
        module = cls().cuda()
        y = module(x)
        y.sum().backward()
        assert y.device == x.device and x.grad.device == x.device


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.delitem(sys.modules, "actlab.torch")
    monkeypatch.delitem(sys.modules, "actlab.interop.pytorch")
    with pytest.raises(al.MissingExtraError, match=r"pip install 'actlab\[torch\]'"):
        importlib.import_module("actlab.torch")


def test_functional_form_has_the_analytic_backward():
    x = torch.linspace(-3, 3, 7, dtype=torch.float64, requires_grad=True)
    y = at.apply(x, "swish", beta=2.0)
    y.backward(torch.ones_like(y))
    act = al.get("swish", beta=2.0)
    np.testing.assert_allclose(y.detach().numpy(), act(x.detach().numpy()), rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), act.derivative(x.detach().numpy()), rtol=1e-14)
    with pytest.raises(al.InputTypeError):
        at.apply([1.0], "relu")
