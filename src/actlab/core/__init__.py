"""The core of actlab: the Activation type, the registry, errors and the array policy."""

from .activation import Activation
from .definition import Definition, Info, Reference
from .errors import (
    ActlabError,
    InputTypeError,
    MissingExtraError,
    NotDifferentiableError,
    ParameterError,
    UnknownActivationError,
)
from .params import Param
from .registry import catalog, custom, definitions, get, is_custom, lookup, names, register

__all__ = [
    "Activation",
    "ActlabError",
    "Definition",
    "Info",
    "InputTypeError",
    "MissingExtraError",
    "NotDifferentiableError",
    "Param",
    "ParameterError",
    "Reference",
    "UnknownActivationError",
    "catalog",
    "custom",
    "definitions",
    "get",
    "is_custom",
    "lookup",
    "names",
    "register",
]
