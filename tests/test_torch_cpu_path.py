"""actlab.torch on CPU tensors: the NumPy fast path, zero-copy, in the tensor's dtype."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import actlab as al  # noqa: E402
import actlab.torch as at  # noqa: E402
from actlab.interop import pytorch_cpu  # noqa: E402


@pytest.fixture
def shared(monkeypatch):
    """Records, for every tensor the fast path reads, whether the array shares its memory."""
    seen = []
    real = pytorch_cpu._array

    def spy(t):
        a = real(t)
        seen.append(a is not None and a.ctypes.data == t.data_ptr())
        return a

    monkeypatch.setattr(pytorch_cpu, "_array", spy)
    return seen


@pytest.mark.parametrize("name", ["gelu", "sigmoid", "elu", "softplus"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_forward_and_backward_are_the_numpy_paths_values_without_copies(shared, name, dtype):
    x = (torch.linspace(-9, 9, 1001, dtype=torch.float64) ** 3 / 40).to(dtype).requires_grad_(True)
    g = torch.linspace(-1, 1, 1001, dtype=dtype)
    y = at.Activation(name)(x)
    y.backward(g)
    act, xa, ga = al.get(name), x.detach().numpy(), g.numpy()
    assert y.dtype == dtype and x.grad.dtype == dtype
    assert np.array_equal(y.detach().numpy(), act(xa))
    assert np.array_equal(x.grad.numpy(), act.vjp(xa, ga))
    assert len(shared) == 3 and all(shared), "x forward; x and g backward: read in place"


def test_strided_and_negated_views_give_the_same_values():
    base = torch.randn(64, 32, dtype=torch.float32)
    for view in (base.t(), base[::2, ::3], base[:, :1].expand(64, 32)):  # transposed, strided, broadcast
        assert torch.equal(at.Tanh()(view), torch.from_numpy(al.tanh(view.contiguous().numpy())))


def test_other_dtypes_keep_the_array_api_path():
    x = torch.linspace(-3, 3, 101, dtype=torch.bfloat16)
    assert pytorch_cpu.forward(al.get("gelu"), x) is None
    y = at.GELU()(x)
    assert y.dtype == torch.bfloat16
    assert torch.allclose(y.float(), torch.nn.functional.gelu(x.float()), atol=2e-2)
