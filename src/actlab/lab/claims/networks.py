"""The networks of the claims experiments, by kind: ``mlp`` (Dense layers) and ``cnn``.

Every hidden layer takes the activation under test; the output is a softmax over the classes.
Kernels start from the scheme the activation's metadata names (He for the ReLU family, Glorot
for tanh and sigmoid, LeCun for SELU), biases at 0.
"""
from __future__ import annotations

from typing import Any

from ... import nn
from ...core.errors import ParameterError


def mlp(activation: Any, *, depth: int, width: int, n_classes: int, seed: int, input_shape: tuple) -> nn.Sequential:
    """``depth`` hidden Dense(width, activation) layers and a softmax output."""
    if len(input_shape) != 1:
        raise ParameterError(f"an MLP takes flat inputs; this data has samples of shape {input_shape}")
    hidden = [nn.Dense(width, activation=activation) for _ in range(depth)]
    model = nn.Sequential([*hidden, nn.Dense(n_classes, activation="softmax")], seed=seed, input_dim=input_shape[0])
    model.build()
    return model


KINDS = {"mlp": mlp}


def network(kind: str, activation: Any, **options) -> nn.Sequential:
    if kind not in KINDS:
        raise ParameterError(f"unknown network kind {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[kind](activation, **options)
