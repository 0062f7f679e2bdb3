"""actlab.nn: a small Keras-style network engine in NumPy that trains with any actlab activation.

>>> import numpy as np, actlab as al
>>> from actlab import nn
>>> model = nn.Sequential([nn.Dense(16, activation="tanh", input_dim=2),
...                        nn.Dense(16, activation=al.get("leaky_relu", alpha=0.1)),
...                        nn.Dense(1, activation="sigmoid")], seed=0)
>>> model.compile(loss="binary_crossentropy", optimizer=nn.Adam(lr=0.01), metrics=["accuracy"])
>>> x = np.random.default_rng(0).normal(size=(64, 2)); y = (x[:, 0] * x[:, 1] > 0).astype(float)
>>> history = model.fit(x, y, epochs=2, batch_size=16, verbose=0)
>>> sorted(history.history)
['accuracy', 'loss']

Layers: :class:`Dense`, :class:`Activation`, :class:`PReLU`, :class:`Maxout`, :class:`Dropout`,
:class:`Softmax`, :class:`Flatten`; convolutions :class:`Conv1D`, :class:`Conv2D` on channels-last
input (``Sequential(..., input_shape=(40, 1))`` or ``(28, 28, 1)``); :class:`MaxPooling1D`,
:class:`MaxPooling2D`, :class:`AveragePooling1D`, :class:`AveragePooling2D`,
:class:`GlobalAveragePooling1D`, :class:`GlobalAveragePooling2D`; :class:`BatchNormalization`,
:class:`LayerNormalization`. An activation is anything :func:`actlab.get` accepts (a name, a config, an
:class:`actlab.Activation`, or a callable, whose derivative is then numerical). Losses:
``categorical_crossentropy``, ``sparse_categorical_crossentropy``, ``binary_crossentropy``,
``mse``, ``mae`` (a softmax or sigmoid output with cross-entropy back-propagates p − y).
Optimizers: ``sgd``, ``momentum``, ``adam``, ``rmsprop`` or instances (``nn.Adam(lr=1e-3)``).
Models save as JSON + ``.npz`` (:meth:`Sequential.save`, :func:`load_model`).

Hooks for diagnostics
---------------------
``fit(..., callbacks=[...])`` calls each :class:`Callback` with the model itself:
``on_train_begin(model, logs)``, ``on_epoch_begin(model, epoch, logs)``,
``on_batch_end(model, batch, logs)``, ``on_epoch_end(model, epoch, logs)``,
``on_train_end(model, logs)``. In ``on_batch_end`` every layer still holds the last batch:

- ``layer.last_input``, ``layer.last_output``: the arrays that went in and came out;
- ``layer.last_preactivation`` (Dense, Conv1D/2D, Activation): the input of the layer's activation;
- ``layer.activation_derivative()``: f' at those pre-activations (elementwise activations);
- ``layer.last_grad_output``: ∂L/∂output from the backward pass;
- ``layer.grads[name]`` / ``layer.params[name]``: weight gradients and weights (read-only views
  into ``model.gradients`` / ``model.parameters``; copy what you keep).

Anything a callback adds to ``logs`` in ``on_epoch_end`` is recorded by the :class:`History`
(``history.records`` is one dict per epoch, ``history["key"]`` a per-epoch list), so per-epoch
diagnostics travel with the losses. Setting ``model.stop_training = True`` stops training.
"""

from .callbacks import Callback, EarlyStopping, History
from .errors import DataError, ModelFileError, TrainingDivergedWarning, TrainingInterruptedWarning
from .initializers import names as initializer_names
from .io import load_model, save_model
from .conv import Conv1D, Conv2D
from .layers import Activation, Dense, Dropout, Flatten, Layer, Maxout, PReLU, Softmax
from .losses import Loss
from .model import Sequential
from .normalization import BatchNormalization, LayerNormalization
from .optimizers import SGD, Adam, Momentum, Optimizer, RMSprop
from .pooling import (
    AveragePooling1D,
    AveragePooling2D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    MaxPooling1D,
    MaxPooling2D,
)

__all__ = [
    "Activation",
    "Adam",
    "AveragePooling1D",
    "AveragePooling2D",
    "BatchNormalization",
    "Callback",
    "Conv1D",
    "Conv2D",
    "DataError",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "History",
    "Layer",
    "LayerNormalization",
    "Loss",
    "MaxPooling1D",
    "MaxPooling2D",
    "Maxout",
    "ModelFileError",
    "Momentum",
    "Optimizer",
    "PReLU",
    "RMSprop",
    "SGD",
    "Sequential",
    "Softmax",
    "TrainingDivergedWarning",
    "TrainingInterruptedWarning",
    "initializer_names",
    "load_model",
    "save_model",
]
