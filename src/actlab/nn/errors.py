"""The network engine's own error and warning types (subclasses of actlab's and the built-ins)."""

from __future__ import annotations

from ..core.errors import ActlabError


class DataError(ActlabError, ValueError):
    """Training or prediction data that the model cannot use: wrong shape, NaN, labels out of range."""


class ModelFileError(ActlabError, ValueError):
    """A model that cannot be saved (custom callables), or a file that cannot be read back
    (missing, truncated, corrupt, hostile, or not an actlab model)."""


class TrainingDivergedWarning(UserWarning):
    """The loss became NaN or infinite; training stopped and the last finite weights were kept."""


class TrainingInterruptedWarning(UserWarning):
    """Training was interrupted (Ctrl-C); the finished batches and epochs were kept."""
