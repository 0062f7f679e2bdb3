"""The registry: the only map from names (and aliases) to definitions."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from .activation import Activation
from .definition import Definition, Info, Reference
from .errors import ParameterError, UnknownActivationError

_DEFINITIONS: dict[str, Definition] = {}
_ALIASES: dict[str, str] = {}


def register(definition: Definition) -> Definition:
    """Add a definition; a name or alias that is already taken is an error."""
    for key in (definition.name, *definition.aliases):
        if key in _DEFINITIONS or key in _ALIASES:
            raise ValueError(f"activation name {key!r} is already registered")
    _DEFINITIONS[definition.name] = definition
    _ALIASES.update({a: definition.name for a in definition.aliases})
    return definition


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def lookup(name: str) -> Definition:
    """The definition for a name or alias (case-insensitive; '-' and '_' alike)."""
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a string, got {type(name).__name__}")
    key = _normalise(name)
    key = _ALIASES.get(key, key)
    try:
        return _DEFINITIONS[key]
    except KeyError:
        raise UnknownActivationError(name, [*_DEFINITIONS, *_ALIASES]) from None


def names(*, include_aliases: bool = False) -> list[str]:
    """Every registered name, sorted (with aliases if asked)."""
    return sorted([*_DEFINITIONS, *(_ALIASES if include_aliases else ())])


def definitions() -> list[Definition]:
    return [_DEFINITIONS[n] for n in names()]


def get(identifier: Any, **params: Any) -> Activation:
    """Resolve an activation the way Keras's ``activations.get`` does.

    ``identifier`` may be a name or alias (``"swish"``, ``"silu"``), a config dict
    ``{"name": ..., "params": {...}}`` (what ``Activation.get_config`` writes), an
    ``Activation`` (returned as is, or with ``params`` changed), a ``Definition``, or a
    plain callable ``f(x)`` (wrapped with :func:`custom`; its derivative is then numerical).
    """
    if isinstance(identifier, Activation):
        return identifier.with_params(**params) if params else identifier
    if isinstance(identifier, Definition):
        return Activation(identifier, **params)
    if isinstance(identifier, str):
        return Activation(lookup(identifier), **params)
    if isinstance(identifier, Mapping):
        return Activation(lookup(_config_name(identifier)), **{**_config_params(identifier), **params})
    if callable(identifier):
        if params:
            raise ParameterError(
                "parameters cannot be given with a plain callable; bind them in the callable"
            )
        return custom(identifier)
    raise TypeError(
        f"cannot interpret {identifier!r} as an activation: give a name, a config dict, "
        "an Activation or a callable"
    )


_CONFIG_KEYS = ("name", "params")


def _config_name(config: Mapping) -> Any:
    # One format, the one get_config writes: parameters at the top level are refused rather
    # than guessed at, so {"name": "swish", "beta": 2.0} cannot silently mean beta = 1.
    unknown = {k: v for k, v in config.items() if k not in _CONFIG_KEYS}
    if "name" not in config or unknown:
        problems = (["no 'name'"] if "name" not in config else []) + (
            [f"unknown keys {', '.join(map(repr, unknown))}"] if unknown else []
        )
        hint = (
            f"; parameters go under 'params': {{'name': {config.get('name')!r}, 'params': {unknown!r}}}"
            if unknown
            else ""
        )
        raise ParameterError(
            f"an activation config has {' and '.join(problems)}; its keys are "
            f"'name' and, optionally, 'params'{hint}"
        )
    return config["name"]


def _config_params(config: Mapping) -> dict:
    params = config.get("params", {})
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise ParameterError(
            f"the 'params' of an activation config must map parameter names to values, got {params!r}"
        )
    return dict(params)


def custom(
    fn: Callable[[Any], Any],
    derivative: Callable[[Any], Any] | None = None,
    *,
    name: str | None = None,
    derivative_from_output: Callable[[Any], Any] | None = None,
) -> Activation:
    """Wrap a user function f(x) (and optionally f'(x)) as an unregistered Activation.

    Without ``derivative`` the backward pass uses central finite differences and warns once.
    Such an activation cannot be saved by name; :mod:`actlab.nn` says so at save time.
    """
    label: str = name if name else getattr(fn, "__name__", "custom")
    definition = Definition(
        name=label,
        family="custom",
        summary=f"user function {label}",
        forward=lambda x, o: fn(x),
        derivative=(lambda x, o: derivative(x)) if derivative is not None else None,
        derivative_from_output=(lambda y, o: derivative_from_output(y))
        if derivative_from_output is not None
        else None,
        latex="",
        latex_derivative="",
        output_range=(float("-inf"), float("inf")),
        monotonic=False,
        zero_centred=False,
        smoothness="C0",
        saturates=(),
        uses=("hidden",),
        reference=Reference("user", 0, label, ""),
        guidance="A user-supplied function.",
    )
    return Activation(definition)


def is_custom(act: Activation) -> bool:
    """True for activations made from user callables (not in the registry, not savable by name)."""
    return _DEFINITIONS.get(act.name) is not act.definition


def catalog() -> list[Info]:
    """The metadata of every registered activation at its default parameters, sorted by name."""
    return [Info.of(d, {p.name: p.default for p in d.params}) for d in definitions()]
