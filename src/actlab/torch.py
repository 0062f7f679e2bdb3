"""actlab's activations as PyTorch modules (``pip install 'actlab[torch]'``).

``actlab.torch.Activation("swish", beta=1.5)`` takes any activation by name, config or object;
``actlab.torch.Mish()``, ``actlab.torch.LeakyReLU(alpha=0.1)``, ``actlab.torch.PReLU()`` ... are
generated from the registry, one class per activation. Backward uses actlab's analytic
derivatives; see :mod:`actlab.interop.pytorch` for learnable parameters and ``torch.compile``.

>>> import torch
>>> import actlab.torch as at
>>> at.Mish()(torch.tensor([0.0, 1.0]))
tensor([0.0000, 0.8651])
"""

from .interop.pytorch import MODULES, Activation, apply

globals().update(MODULES)

__all__ = ["Activation", "apply", *MODULES]
