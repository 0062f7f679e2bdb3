"""The fixed table of layer types a saved model may name: the loader builds nothing else."""

from __future__ import annotations

from .conv import Conv1D, Conv2D
from .layers import Activation, Dense, Dropout, Flatten, Layer, Maxout, PReLU, Softmax
from .normalization import BatchNormalization, LayerNormalization
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    MaxPooling1D,
    MaxPooling2D,
)

LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Dense,
        Activation,
        PReLU,
        Maxout,
        Dropout,
        Softmax,
        Flatten,
        Conv1D,
        Conv2D,
        MaxPooling1D,
        MaxPooling2D,
        AveragePooling1D,
        AveragePooling2D,
        GlobalAveragePooling1D,
        GlobalAveragePooling2D,
        BatchNormalization,
        LayerNormalization,
    )
}
