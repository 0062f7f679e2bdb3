"""``Activation``: a definition bound to parameter values — the object users call."""

from __future__ import annotations

import warnings
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np

from .arrays import Prepared, prepare, write_out
from .definition import Definition, Info
from .errors import NotDifferentiableError, ParameterError
from .params import representable

# The NumPy path behind every method, filled by actlab.kernels when it is imported (the core
# depends on nothing above it): ``numpy_path(act, form, x, grad_out, out)`` gives the result, or
# NotImplemented where it does not apply; ``numpy_sum(act, form, x, grad_out)`` the float64 sum
# of a form over the elements. Without them every call takes the whole-array reference below.
_numpy_path: Callable[..., Any] | None = None
_numpy_sum: Callable[..., Any] | None = None


def set_numpy_path(path: Callable[..., Any], total: Callable[..., Any]) -> None:
    """Install the NumPy dispatcher (see :mod:`actlab.kernels.dispatch`)."""
    global _numpy_path, _numpy_sum
    _numpy_path, _numpy_sum = path, total


class Activation:
    """An activation with fixed parameter values.

    ``act(x)`` is the forward map, ``act.derivative(x)`` is f'(x) (elementwise activations),
    ``act.derivative_from_output(y)`` is f'(x) from y = f(x) where the definition has it,
    ``act.vjp(x, g)`` is the backward pass for every differentiable activation and
    ``act.param_grads(x, g)`` the gradients of its learnable parameters.
    """

    __slots__ = ("definition", "_params", "_plans")

    def __init__(self, definition: Definition, **params: Any):
        unknown = set(params) - set(definition.param_names)
        if unknown:
            allowed = ", ".join(definition.param_names) or "none"
            raise ParameterError(
                f"{definition.name} has no parameter {', '.join(sorted(unknown))}; "
                f"its parameters are: {allowed}"
            )
        values = {
            p.name: p.validate(params[p.name]) if p.name in params else p.default for p in definition.params
        }
        if definition.check_params is not None:
            definition.check_params(**values)
        self.definition = definition
        self._params = MappingProxyType(values)
        self._plans: dict = {}  # how each form is computed per dtype, chosen at first use

    # -- description ----------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def params(self) -> Mapping[str, Any]:
        return self._params

    @property
    def info(self) -> Info:
        return Info.of(self.definition, self._params)

    @property
    def __doc__(self) -> str:  # help(act) shows the definition's docstring
        return self.definition.forward.__doc__ or self.definition.summary

    @__doc__.setter
    def __doc__(self, value: str | None) -> None:
        # Read-only, as a property without a setter is (and with its message); spelled out
        # because object's __doc__ is a writable attribute, which a getter alone cannot override.
        raise AttributeError(f"property '__doc__' of {type(self).__name__!r} object has no setter")

    def with_params(self, **changes: Any) -> "Activation":
        return Activation(self.definition, **{**self._params, **changes})

    def get_config(self) -> dict:
        """A JSON-ready ``{"name": ..., "params": {...}}`` that ``actlab.get`` turns back into this."""
        return {
            "name": self.name,
            "params": {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self._params.items()},
        }

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self._params.items())
        return f"Activation({self.name!r}{args})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Activation)
            and other.definition is self.definition
            and repr(other) == repr(self)
        )

    def __hash__(self) -> int:
        return hash(repr(self))

    # Activations are immutable: a copy is the object itself, and pickling (which scikit-learn's
    # clone and multiprocessing use) stores the JSON config, never the formulas.
    def __copy__(self) -> "Activation":
        return self

    def __deepcopy__(self, memo: dict) -> "Activation":
        return self

    def __reduce__(self):
        from .registry import get, is_custom

        if is_custom(self):
            raise TypeError(
                f"activation {self.name!r} wraps a user callable and cannot be pickled; "
                "pass the callable itself"
            )
        return get, (self.get_config(),)

    # -- computing ------------------------------------------------------------------------
    def _bind(self, x: Any, what: str = "input"):
        # Exact formulas keep the input's dtype, unless a parameter does not fit in float32.
        prep = prepare(x, what, widen=not (self.definition.exact and representable(self._params, np.float32)))
        params = dict(self._params)
        for p in self.definition.params:
            value = params[p.name]
            if isinstance(value, np.ndarray):  # per-channel parameters follow the input's dtype
                params[p.name] = prep.ops.asarray(value, dtype=prep.x.dtype)
        if "axis" in params and self.definition.elementwise is False:
            params["axis"] = _check_axis(params["axis"], prep.x.ndim, self.name)
            if prep.x.ndim == 0:
                prep = _one_element(prep)
        return prep, params

    def __call__(
        self,
        x: Any,
        *,
        out: np.ndarray | None = None,
        training: bool = False,
        rng: np.random.Generator | None = None,
    ) -> Any:
        """Apply the activation. ``training=True`` draws the random parts of stochastic ones."""
        if training and self.definition.stochastic is not None:
            return self.forward_train(x, rng)[0]
        if type(x) is np.ndarray and _numpy_path is not None:
            y = _numpy_path(self, "forward", x, None, out)
            if y is not NotImplemented:
                return y
        prep, params = self._bind(x)
        with prep.quiet():
            y = self.definition.forward(prep.x, prep.ops, **params)
        return write_out(prep.finish(y), out)

    def forward_train(self, x: Any, rng: np.random.Generator | None = None):
        """Training-mode forward: ``(y, f'(x))``, drawing random slopes for stochastic activations."""
        if self.definition.stochastic is None:
            return self(x), self.derivative(x)
        prep, params = self._bind(x)
        rng = rng if rng is not None else np.random.default_rng()
        with prep.quiet():
            y, dydx = self.definition.stochastic(prep.x, prep.ops, rng, **params)
        return prep.finish(y), prep.finish(dydx)

    def derivative(self, x: Any, *, out: np.ndarray | None = None) -> Any:
        """f'(x) elementwise; at a kink, the convention stated in ``info.kink_convention``."""
        d = self.definition
        if not d.elementwise:
            raise NotDifferentiableError(
                f"{self.name} is vector-valued: its derivative is a Jacobian; use .vjp(x, grad_out)"
            )
        if type(x) is np.ndarray and _numpy_path is not None:
            dy = _numpy_path(self, "derivative", x, None, out)
            if dy is not NotImplemented:
                return dy
        prep, params = self._bind(x)
        with prep.quiet():
            if d.derivative is None:
                dy = _numerical_derivative(self, prep.x, prep.ops, params)
            else:
                dy = d.derivative(prep.x, prep.ops, **params)
        return write_out(prep.finish(dy), out)

    def derivative_from_output(self, y: Any, *, out: np.ndarray | None = None) -> Any:
        """f'(x) computed from the output y = f(x) alone (no need to keep x)."""
        from_output = self._from_output()
        if type(y) is np.ndarray and _numpy_path is not None:
            dy = _numpy_path(self, "derivative_from_output", y, None, out)
            if dy is not NotImplemented:
                return dy
        prep, params = self._bind(y, "output")
        with prep.quiet():
            return write_out(prep.finish(from_output(prep.x, prep.ops, **params)), out)

    def vjp(self, x: Any, grad_out: Any, *, out: np.ndarray | None = None) -> Any:
        """The backward pass: the gradient with respect to x, given the gradient of the output."""
        d = self.definition
        if not d.differentiable:
            raise NotDifferentiableError(
                f"{self.name} has no useful gradient (it is piecewise constant, so the gradient is "
                "zero wherever it exists); train with softmax and apply argmax only at prediction"
            )
        if type(x) is np.ndarray and _numpy_path is not None:
            gx = _numpy_path(self, "backward", x, grad_out, out)
            if gx is not NotImplemented:
                return gx
        prep, params = self._bind(x)
        g = prepare(grad_out, "grad_out").x
        if g.ndim == 0 and prep.x.ndim == 1:  # a 0-d input taken as one element (see _bind)
            g = prep.ops.reshape(g, (1,))
        if d.elementwise:
            if g.shape != prep.x.shape:
                raise ValueError(f"grad_out has shape {g.shape}, expected the output's shape {prep.x.shape}")
            with prep.quiet():
                dy = (
                    d.derivative(prep.x, prep.ops, **params)
                    if d.derivative is not None
                    else _numerical_derivative(self, prep.x, prep.ops, params)
                )
                return write_out(prep.finish(g * dy), out)
        # A differentiable vector-valued definition has a vjp (Definition checks it).
        assert d.vjp is not None
        with prep.quiet():
            return write_out(prep.finish(d.vjp(prep.x, g, prep.ops, **params)), out)

    def vjp_from_output(self, y: Any, grad_out: Any, *, out: np.ndarray | None = None) -> Any:
        """The backward pass from the output y = f(x) alone: grad_out · f'(x), with f'(x) from y
        (for activations whose ``info.has_derivative_from_output``); a training loop that keeps
        y need not keep x."""
        from_output = self._from_output()
        if type(y) is np.ndarray and _numpy_path is not None:
            gx = _numpy_path(self, "backward_from_output", y, grad_out, out)
            if gx is not NotImplemented:
                return gx
        prep, params = self._bind(y, "output")
        g = prepare(grad_out, "grad_out").x
        if g.shape != prep.x.shape:
            raise ValueError(f"grad_out has shape {g.shape}, expected the output's shape {prep.x.shape}")
        with prep.quiet():
            return write_out(prep.finish(g * from_output(prep.x, prep.ops, **params)), out)

    def _from_output(self) -> Callable[..., Any]:
        """The definition's ``derivative_from_output``; NotImplementedError where it has none."""
        from_output = self.definition.derivative_from_output
        if from_output is None:
            raise NotImplementedError(
                f"{self.name}'s derivative cannot be recovered from its output alone; "
                "use .derivative(x) or .vjp(x, grad_out)"
            )
        return from_output

    def param_grads(self, x: Any, grad_out: Any) -> dict[str, Any]:
        """Gradients of the loss with respect to each learnable parameter, shaped like the parameter."""
        d = self.definition
        grads = {}
        if type(x) is np.ndarray and _numpy_sum is not None:
            for name in d.param_partials:
                if np.shape(self._params[name]) == ():
                    total = _numpy_sum(self, ("param", name), x, grad_out)
                    if total is not NotImplemented:
                        grads[name] = total
            if len(grads) == len(d.param_partials):
                return grads
        prep, params = self._bind(x)
        g = prepare(grad_out, "grad_out").x
        with prep.quiet():
            for name, partial in d.param_partials.items():
                if name not in grads:
                    full = g * partial(prep.x, prep.ops, **params)
                    grads[name] = _reduce_to_shape(full, np.shape(self._params[name]), prep.ops)
        return grads


def _check_axis(axis: int, ndim: int, name: str) -> int:
    if ndim == 0:  # PyTorch's rule: a 0-d input is one element along axis 0 (or -1)
        if axis not in (0, -1):
            raise ParameterError(
                f"parameter 'axis' = {axis} is out of range for a 0-d input of {name}, "
                "which is taken as one element; expected 0 or -1"
            )
        return 0
    if not -ndim <= axis < ndim:
        raise ParameterError(
            f"parameter 'axis' = {axis} is out of range for {ndim}-d input; "
            f"expected an integer in [{-ndim}, {ndim - 1}]"
        )
    return axis % ndim


def _one_element(prep: Prepared) -> Prepared:
    """A 0-d input as an axis of length 1 (softmax of a scalar is 1, as torch.softmax(x, 0)
    gives); a result of one element is given back 0-d."""
    o = prep.ops

    def finish(result):
        return prep.finish(o.reshape(result, ()) if tuple(result.shape) == (1,) else result)

    return Prepared(o.reshape(prep.x, (1,)), o, finish)


def _reduce_to_shape(full: Any, shape: tuple, o: Any) -> Any:
    """Sum a broadcast gradient back to the parameter's shape (scalar parameters give a float)."""
    if shape == ():
        return float(o.sum(full))
    lead = full.ndim - len(shape)
    full = o.sum(full, axis=tuple(range(lead))) if lead else full
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and full.shape[i] != 1)
    return o.sum(full, axis=axes, keepdims=True) if axes else full


_WARNED: set[str] = set()


def _numerical_derivative(act: Activation, x, o, params):
    """Central differences, for user callables that come without a derivative (warns once)."""
    if act.name not in _WARNED:
        _WARNED.add(act.name)
        warnings.warn(
            f"activation {act.name!r} has no analytic derivative; using central "
            "finite differences (pass derivative= to actlab.custom for an exact one)",
            stacklevel=4,
        )
    h = float(o.finfo(x.dtype).eps) ** (1 / 3) * o.maximum(o.abs(x), 1.0)
    f = act.definition.forward
    return (f(x + h, o, **params) - f(x - h, o, **params)) / ((x + h) - (x - h))
