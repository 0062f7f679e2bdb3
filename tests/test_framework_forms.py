"""The forms PyTorch users meet, each checked against torch's own function."""

from __future__ import annotations

import numpy as np
import pytest

import actlab as al

pytestmark = pytest.mark.usefixtures("torch_one_thread")

torch = pytest.importorskip("torch")
at = pytest.importorskip("actlab.torch")
F = torch.nn.functional

NORMALISING = {"softmax": F.softmax, "log_softmax": F.log_softmax, "softmin": F.softmin}


@pytest.mark.parametrize("name", sorted(NORMALISING))
@pytest.mark.parametrize("shape,axis", [((0,), 0), ((0, 3), 0), ((0, 3), 1), ((3, 0), 1), ((2, 0, 4), -1)])
def test_normalising_on_empty_input_is_empty(name, shape, axis):
    x = torch.zeros(shape, dtype=torch.float64)
    want = NORMALISING[name](x, dim=axis)
    for got in (getattr(al, name)(x.numpy(), axis=axis), at.Activation(name, axis=axis)(x)):
        assert tuple(got.shape) == tuple(want.shape) == shape


@pytest.mark.parametrize("name", sorted(NORMALISING))
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("value", [2.5, -700.0, 0.0])
def test_normalising_on_0d_input_is_over_its_one_element(name, axis, value):
    x = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    want = NORMALISING[name](x, dim=axis)
    got = at.Activation(name, axis=axis)(x)
    assert got.shape == () and float(getattr(al, name)(np.float64(value), axis=axis)) == want.item()
    torch.testing.assert_close(got, want)
    (g_ours,) = torch.autograd.grad(got, x)
    (g_torch,) = torch.autograd.grad(want, x)
    torch.testing.assert_close(g_ours, g_torch)


def test_normalising_on_0d_input_with_another_axis_is_an_error_as_in_torch():
    with pytest.raises(IndexError):
        F.softmax(torch.tensor(1.0), dim=1)
    with pytest.raises(al.ParameterError, match="out of range for a 0-d input"):
        al.softmax(np.float64(1.0), axis=1)


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 4, 5)])
def test_prelu_one_weight_per_channel_like_torch(shape):
    torch.manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64, requires_grad=True)
    ours, theirs = at.PReLU(num_parameters=3).double(), torch.nn.PReLU(num_parameters=3).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([0.1, -0.2, 0.5]))
        ours.alpha.copy_(theirs.weight)
    assert ours.alpha.shape == theirs.weight.shape == (3,)
    y_ours, y_torch = ours(x), theirs(x)
    torch.testing.assert_close(y_ours, y_torch)
    g = torch.randn(shape, dtype=torch.float64)
    want = torch.autograd.grad(y_torch, (x, theirs.weight), g)
    got = torch.autograd.grad(y_ours, (x, ours.alpha), g)
    for a, b in zip(got, want):
        torch.testing.assert_close(a, b)
    assert "num_parameters=3" in repr(ours)


def test_prelu_channel_count_must_match():
    with pytest.raises(al.ParameterError, match="4 channels"):
        at.PReLU(num_parameters=3)(torch.randn(2, 4))
    with pytest.raises(al.ParameterError, match="no learned parameter"):
        at.ReLU(num_parameters=3)
    shared = at.PReLU(num_parameters=1)
    torch.testing.assert_close(shared(torch.randn(2, 4, 3)).shape, torch.Size([2, 4, 3]))


@pytest.mark.parametrize("dtype", [torch.int8, torch.int32, torch.int64, torch.uint8])
@pytest.mark.parametrize(
    "ours,theirs",
    [
        (lambda: at.ReLU(), F.relu),
        (lambda: at.ReLU6(), F.relu6),
        (lambda: at.Threshold(threshold=0.5, value=20.0), lambda t: F.threshold(t, 0.5, 20)),
        (lambda: at.Threshold(threshold=1.0, value=7.9), lambda t: F.threshold(t, 1.0, 7.9)),
        (lambda: at.HardTanh(min_val=1.0, max_val=3.0), lambda t: F.hardtanh(t, 1, 3)),
    ],
    ids=["relu", "relu6", "threshold", "threshold-fractional-value", "hardtanh"],
)
def test_integer_input_keeps_its_dtype_like_torch(ours, theirs, dtype):
    x = torch.tensor([0, 1, 2, 3, 7, 100], dtype=dtype)
    if dtype != torch.uint8:
        x = torch.cat([x, -x])
    got, want = ours()(x), theirs(x)
    assert got.dtype == want.dtype == dtype
    assert torch.equal(got, want)


def test_large_int64_stays_exact():
    x = torch.tensor([2**60 + 1, -(2**60 + 1)])
    assert torch.equal(at.ReLU()(x), F.relu(x))


@pytest.mark.parametrize("lambd", [-1.0, -0.25, 0.0, 0.5])
def test_hardshrink_accepts_negative_lambda_like_torch(lambd):
    x = torch.linspace(-2, 2, 41, dtype=torch.float64)
    want = F.hardshrink(x, lambd)
    np.testing.assert_array_equal(al.hardshrink(x.numpy(), lambd=lambd), want.numpy())
    torch.testing.assert_close(at.Hardshrink(lambd=lambd)(x), want)
    if lambd < 0:  # the identity, and its derivative read from the output is 1 everywhere
        act = al.get("hardshrink", lambd=lambd)
        np.testing.assert_array_equal(act.derivative_from_output(act(x.numpy())), np.ones(41))


@pytest.mark.parametrize("bound", [-1.0, 0.0, 2.5])
def test_hardtanh_with_equal_bounds_is_a_constant_like_torch(bound):
    x = torch.linspace(-4, 4, 33, dtype=torch.float64, requires_grad=True)
    want = F.hardtanh(x, bound, bound)
    got = at.HardTanh(min_val=bound, max_val=bound)(x)
    torch.testing.assert_close(got, want)
    np.testing.assert_array_equal(
        al.hard_tanh(x.detach().numpy(), min_val=bound, max_val=bound), want.detach().numpy()
    )
    torch.testing.assert_close(torch.autograd.grad(got.sum(), x)[0], torch.autograd.grad(want.sum(), x)[0])
    assert al.get("hard_tanh", min_val=bound, max_val=bound).info.output_range == (bound, bound)
