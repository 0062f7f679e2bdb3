"""actlab's exception types.

Each subclasses the built-in exception a NumPy or PyTorch user would already catch, so
``except ValueError`` keeps working while ``except actlab.ActlabError`` catches them all.
"""

from __future__ import annotations

from collections.abc import Iterable


class ActlabError(Exception):
    """Base class of every error actlab raises on purpose."""


class UnknownActivationError(ActlabError, KeyError):
    """A name that is not in the registry; the message lists the closest known names."""

    def __init__(self, name: object, known: Iterable[str]):
        known = sorted(set(known))
        import difflib  # at first use: it costs import time

        close = difflib.get_close_matches(str(name).lower(), known, n=5, cutoff=0.5)
        hint = (
            f"did you mean {', '.join(repr(c) for c in close)}?"
            if close
            else (f"known activations: {', '.join(known)}")
        )
        super().__init__(f"unknown activation {name!r}; {hint}")
        self.name, self.suggestions = name, close

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return self.args[0]


class ParameterError(ActlabError, ValueError):
    """A parameter value outside its allowed range, or a combination that is not allowed."""


class InputTypeError(ActlabError, TypeError):
    """Input that is not a real-valued array (complex, strings, objects, ...)."""


class NotDifferentiableError(ActlabError, ValueError):
    """Backward through an operation that has no useful derivative (argmax)."""


class MissingExtraError(ActlabError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, module: str, extra: str, purpose: str):
        super().__init__(
            f"{purpose} needs the optional dependency {module!r}; "
            f"install it with: pip install 'actlab[{extra}]'"
        )
