"""actlab where people already work: any array-API library, PyTorch, Keras 3 and scikit-learn.

Each adapter imports its framework only when used; a missing framework is a
:class:`~actlab.MissingExtraError` that names the extra to install. The public entry points are
``actlab.torch``, ``actlab.keras`` and ``actlab.sklearn``; arrays of other libraries reach
:mod:`actlab.interop.array_api` on their own, through ``actlab.get(...)(x)``.
"""
