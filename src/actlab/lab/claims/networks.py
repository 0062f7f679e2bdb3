"""The networks of the claims experiments, by kind: ``mlp`` (Dense layers) and ``cnn`` (three
convolutions with pooling, as in Krizhevsky et al.'s four-layer comparison).

Every hidden layer takes the activation under test; the output is a softmax over the classes.
Kernels start from the scheme the activation's metadata names (He for the ReLU family, Glorot
for tanh and sigmoid, LeCun for SELU), biases at 0.
"""

from __future__ import annotations

from typing import Any

from ... import nn
from ...core.errors import ParameterError


def mlp(
    activation: Any, *, depth: int, width: int, n_classes: int, seed: int, input_shape: tuple
) -> nn.Sequential:
    """``depth`` hidden Dense(width, activation) layers and a softmax output (samples of a higher
    rank, MNIST-1D's (40, 1), are flattened first)."""
    flatten = [nn.Flatten()] if len(input_shape) > 1 else []
    hidden = [nn.Dense(width, activation=activation) for _ in range(depth)]
    model = nn.Sequential(
        [*flatten, *hidden, nn.Dense(n_classes, activation="softmax")],
        seed=seed,
        input_shape=tuple(input_shape),
    )
    model.build()
    return model


def cnn(
    activation: Any, *, depth: int, width: int, n_classes: int, seed: int, input_shape: tuple
) -> nn.Sequential:
    """A small CNN for channels-last samples, (steps, channels) or (rows, columns, channels): three
    convolutions (kernel 5 in 1-D, 3 in 2-D, "same" padding; width/8, width/4, width/4 filters),
    each followed by 2× max pooling, then Flatten, Dense(width, activation) and the softmax.
    ``depth`` is not used: the architecture is fixed, as in Krizhevsky et al.'s comparison."""
    if len(input_shape) not in (2, 3):
        raise ParameterError(
            f"the CNN takes (steps, channels) or (rows, columns, channels) samples; got {input_shape}"
        )
    two_d = len(input_shape) == 3
    conv, pool, kernel = (nn.Conv2D, nn.MaxPooling2D, 3) if two_d else (nn.Conv1D, nn.MaxPooling1D, 5)
    layers = []
    for filters in (max(1, width // 8), max(1, width // 4), max(1, width // 4)):
        layers += [conv(filters, kernel, padding="same", activation=activation), pool(2)]
    layers += [
        nn.Flatten(),
        nn.Dense(width, activation=activation),
        nn.Dense(n_classes, activation="softmax"),
    ]
    model = nn.Sequential(layers, seed=seed, input_shape=tuple(input_shape))
    model.build()
    return model


KINDS = {"mlp": mlp, "cnn": cnn}


def network(kind: str, activation: Any, **options) -> nn.Sequential:
    if kind not in KINDS:
        raise ParameterError(f"unknown network kind {kind!r}; expected one of {', '.join(KINDS)}")
    return KINDS[kind](activation, **options)
