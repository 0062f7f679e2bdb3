"""actlab's activations for Keras 3 (``pip install 'actlab[keras]'``).

``Dense(64, activation=actlab.keras.get("swish", beta=1.5))`` takes any activation with its
parameters; after ``import actlab.keras`` the registered names work as strings too:
``Dense(64, activation="actlab>mish")``. Models that use either save and load with Keras's own
format. See :mod:`actlab.interop.keras_activations` for backends and gradients.
"""

from .interop.keras_activations import FUNCTIONS, PACKAGE, Activation, get

__all__ = ["Activation", "FUNCTIONS", "PACKAGE", "get"]
