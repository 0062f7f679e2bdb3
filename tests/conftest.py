"""Fixtures shared by several test modules."""
import pytest


@pytest.fixture(scope="module")
def torch_one_thread():
    """PyTorch on one thread for a module: on two cores shared by several jobs, PyTorch's
    intra-op threads would only wait for each other."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
