"""Layers: Dense, Activation, PReLU, Maxout, Dropout, Softmax.

A layer maps a batch of shape (samples, width) to (samples, width'). Its parameters live in
the model's flat parameter vector: ``layer.params[name]`` and ``layer.grads[name]`` are views
into it, written in place, so one optimizer step updates every layer at once.

Every layer keeps, for the last batch, ``last_input``, ``last_output`` and (after a backward
pass) ``last_grad_output`` = ∂L/∂output, and its weight gradients in ``grads``; layers with an
activation also give ``last_preactivation`` and ``activation_derivative()``. Diagnostics read
these from callbacks (see :mod:`actlab.nn`).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Activation as ActivationFunction
from ..core import ParameterError, get
from . import activation_calls, initializers


class Layer:
    """The base of all layers: ``build`` declares parameters, ``forward`` and ``backward`` compute."""

    def __init__(self, *, name: str | None = None, input_dim: int | None = None):
        if name is not None and (not isinstance(name, str) or not name):
            raise ParameterError(f"a layer name must be a non-empty string, got {name!r}")
        if input_dim is not None:
            input_dim = positive_int(input_dim, "input_dim")
        self.name = name
        self.input_dim = input_dim
        self.output_width: int | None = None
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.last_input: np.ndarray | None = None
        self.last_output: np.ndarray | None = None
        self.last_grad_output: np.ndarray | None = None

    # -- structure ------------------------------------------------------------------------
    def build(self, input_width: int, dtype: np.dtype, rng: np.random.Generator,
              next_activation: ActivationFunction | None) -> dict[str, np.ndarray]:
        """Fix the output width and return the initial parameter values (name -> array).

        ``next_activation`` is the activation of the layer that follows, if that layer is an
        :class:`Activation`: ``Dense(n)`` then ``Activation(f)`` initialises like ``Dense(n, f)``.
        """
        self.output_width = input_width
        return {}

    def param_count(self, input_width: int) -> int:
        """How many parameters ``build(input_width, ...)`` will create (nothing is allocated)."""
        return 0

    @property
    def output_activation(self) -> ActivationFunction | None:
        """The activation this layer applies last (None for layers without one)."""
        return None

    @property
    def trains_activation(self) -> bool:
        """Whether the activation applied last has parameters that are being learned."""
        return False

    def constrain(self) -> None:
        """Bring parameters back into their allowed range after an optimizer step."""

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-ready: ``type(layer)(**layer.get_config())`` rebuilds it."""
        config = {"name": self.name}
        if self.input_dim is not None:
            config["input_dim"] = self.input_dim
        return config

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if v is not None)
        return f"{type(self).__name__}({args})"

    # -- computing ------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, *, need_input_grad: bool = True,
                 from_preactivation: bool = False) -> np.ndarray | None:
        """∂L/∂input from ∂L/∂output; fills ``self.grads``.

        With ``from_preactivation`` the gradient given is already ∂L/∂(input of the layer's last
        activation): a loss fused with the output activation computed it directly (p − y).
        """
        raise NotImplementedError


class Activation(Layer):
    """Applies an activation: ``Activation("tanh")``, ``Activation(al.get("elu", alpha=0.5))``.

    Args:
        activation: a registered name or alias, a config dict, an :class:`actlab.Activation`,
            or a plain callable f(x) (its derivative is then numerical, with a warning).
        trainable: learn the activation's learnable parameters (those its definition marks
            learnable, e.g. swish's beta): True for all of them, or a tuple of names.
        per_unit: learn one value per unit (needs a parameter that may be an array).

    Computes y = f(x) elementwise, or along the feature axis for vector-valued activations
    (whose output may be narrower: GLU halves the width). Parameters are learned only when
    asked: ``Dense(n, activation="prelu")`` keeps alpha fixed, :class:`PReLU` learns it.
    """

    def __init__(self, activation: Any, *, trainable: bool | tuple[str, ...] = False,
                 per_unit: bool = False, name: str | None = None, input_dim: int | None = None):
        super().__init__(name=name, input_dim=input_dim)
        self.function = get(activation)
        self.trainable = _learnable_names(self.function, trainable)
        self.per_unit = bool(per_unit)
        for p in self.function.definition.params:
            if p.name in self.trainable and self.per_unit and not p.array_ok:
                raise ParameterError(f"{self.function.name}'s parameter {p.name!r} is a single number; "
                                     "it cannot be learned per unit (use per_unit=False)")
        if self.per_unit and not self.trainable:
            raise ParameterError("per_unit=True needs trainable parameters (give trainable=True)")
        self._current = self.function
        self._saved = activation_calls.Saved()

    @property
    def output_activation(self) -> ActivationFunction:
        return self.function

    @property
    def trains_activation(self) -> bool:
        return bool(self.trainable)

    def param_count(self, input_width):
        return sum(input_width if self.per_unit else np.size(self.function.params[n])
                   for n in self.trainable)

    def build(self, input_width, dtype, rng, next_activation):
        self.output_width = _output_width(self.function, input_width, dtype)
        initial = {}
        for name in self.trainable:
            value = np.asarray(self.function.params[name], dtype=np.float64)
            shape = (input_width,) if self.per_unit else value.shape
            initial[name] = np.broadcast_to(value, shape).astype(dtype)
        return initial

    def constrain(self) -> None:
        # Projected gradient descent: a learned parameter stays inside its declared range.
        for p in self.function.definition.params:
            if p.name in self.trainable:
                value, kind = self.params[p.name], self.params[p.name].dtype.type
                lo = np.nextafter(kind(p.low), kind(np.inf)) if p.low_open else p.low
                hi = np.nextafter(kind(p.high), kind(-np.inf)) if p.high_open else p.high
                np.clip(value, lo, hi, out=value)

    def get_config(self):
        config = {"activation": self.function.get_config(), **super().get_config()}
        if self.trainable:
            config.update(trainable=list(self.trainable), per_unit=self.per_unit)
        return config

    def forward(self, x, training, rng):
        if self.trainable:
            self._current = self.function.with_params(
                **{n: float(v) if v.ndim == 0 else v for n, v in self.params.items()})
        y, self._saved = activation_calls.forward(self._current, x, training=training, rng=rng,
                                                  keep_input=bool(self.trainable))
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if self.trainable:
            for name, value in activation_calls.param_grads(self._current, self._saved, grad).items():
                self.grads[name][...] = value
        if from_preactivation:
            return grad
        if not need_input_grad:
            return None
        return activation_calls.backward(self._current, self._saved, grad)

    @property
    def last_preactivation(self) -> np.ndarray | None:
        return self.last_input

    def activation_derivative(self) -> np.ndarray | None:
        """f'(x) at the last batch's inputs (elementwise activations; None for vector-valued ones)."""
        return activation_calls.derivative(self._current, self._saved)


class Softmax(Activation):
    """Softmax along the feature axis: the output layer for one-of-K classification."""

    def __init__(self, *, name: str | None = None, input_dim: int | None = None):
        super().__init__("softmax", name=name, input_dim=input_dim)

    def get_config(self):
        return Layer.get_config(self)


class PReLU(Activation):
    """Leaky ReLU with a learned negative slope per unit (the registered ``prelu`` definition).

    Args:
        alpha: the initial slope of every unit (He et al. 2015 start at 0.25).
    """

    def __init__(self, alpha: float = 0.25, *, name: str | None = None, input_dim: int | None = None):
        super().__init__(get("prelu", alpha=alpha), trainable=True, per_unit=True, name=name,
                         input_dim=input_dim)
        self.alpha = self.function.params["alpha"]

    def get_config(self):
        return {"alpha": self.alpha, **Layer.get_config(self)}


class Dense(Layer):
    """A fully connected layer: y = f(x W + b).

    Args:
        units: the number of units (columns of W).
        activation: None (linear), or anything :class:`Activation` accepts. ``Dense(n,
            activation=f)`` computes exactly what ``Dense(n)`` followed by ``Activation(f)`` does.
            A vector-valued activation may change the width (GLU halves it).
        use_bias: add the bias b.
        kernel_initializer: ``"auto"`` (from the activation's metadata) or one of
            :func:`actlab.nn.initializers.names`; the bias starts at 0.
        input_dim: the input width, for the first layer of a model (else found from the data).
    """

    def __init__(self, units: int, activation: Any = None, *, use_bias: bool = True,
                 kernel_initializer: str = "auto", name: str | None = None,
                 input_dim: int | None = None):
        super().__init__(name=name, input_dim=input_dim)
        self.units = positive_int(units, "units")
        self.use_bias = bool(use_bias)
        initializers.resolve(kernel_initializer, None)  # reject unknown names now, not at build
        self.kernel_initializer = kernel_initializer
        # The activation is an Activation layer inside this one: the same code computes both forms.
        self._activation_layer = None if activation is None else Activation(activation)
        self.last_preactivation: np.ndarray | None = None

    @property
    def activation(self) -> ActivationFunction | None:
        return None if self._activation_layer is None else self._activation_layer.function

    @property
    def output_activation(self) -> ActivationFunction | None:
        return self.activation

    def param_count(self, input_width):
        return (input_width + self.use_bias) * self.units

    def build(self, input_width, dtype, rng, next_activation):
        scheme = initializers.resolve(self.kernel_initializer, self.activation or next_activation)
        initial = {"kernel": initializers.initialise(scheme, (input_width, self.units), rng, dtype)}
        if self.use_bias:
            initial["bias"] = np.zeros(self.units, dtype=dtype)
        self.output_width = self.units
        if self._activation_layer is not None:
            self._activation_layer.build(self.units, dtype, rng, None)
            self.output_width = self._activation_layer.output_width
        return initial

    def get_config(self):
        return {"units": self.units,
                "activation": None if self.activation is None else self.activation.get_config(),
                "use_bias": self.use_bias, "kernel_initializer": self.kernel_initializer,
                **super().get_config()}

    def forward(self, x, training, rng):
        z = np.matmul(x, self.params["kernel"])
        if self.use_bias:
            z += self.params["bias"]
        y = z if self._activation_layer is None else self._activation_layer.forward(z, training, rng)
        self.last_input, self.last_preactivation, self.last_output = x, z, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if self._activation_layer is not None:
            grad = self._activation_layer.backward(grad, from_preactivation=from_preactivation)
        np.matmul(self.last_input.T, grad, out=self.grads["kernel"])
        if self.use_bias:
            np.add.reduce(grad, axis=0, out=self.grads["bias"])
        return np.matmul(grad, self.params["kernel"].T) if need_input_grad else None

    def activation_derivative(self) -> np.ndarray | None:
        """f'(z) at the last batch's pre-activations z (None without an elementwise activation)."""
        return None if self._activation_layer is None else self._activation_layer.activation_derivative()


class Maxout(Dense):
    """Maxout units (Goodfellow et al. 2013): ``units`` outputs, each the max of ``pieces`` linear
    pieces — a Dense layer of units·pieces followed by the registered ``maxout`` activation."""

    def __init__(self, units: int, pieces: int = 2, *, use_bias: bool = True,
                 kernel_initializer: str = "auto", name: str | None = None,
                 input_dim: int | None = None):
        units = positive_int(units, "units")
        super().__init__(units * positive_int(pieces, "pieces"), get("maxout", pieces=pieces),
                         use_bias=use_bias, kernel_initializer=kernel_initializer, name=name,
                         input_dim=input_dim)
        self.maxout_units, self.pieces = units, pieces

    def get_config(self):
        config = super().get_config()
        del config["activation"]
        return {**config, "units": self.maxout_units, "pieces": self.pieces}


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate`` and scale the
    rest by 1/(1 − rate), so nothing changes at inference (Srivastava et al. 2014)."""

    def __init__(self, rate: float, *, name: str | None = None, input_dim: int | None = None):
        super().__init__(name=name, input_dim=input_dim)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate < 1.0:
            raise ParameterError(f"Dropout rate = {rate!r} is out of range; expected a number in [0, 1)")
        self.rate = float(rate)
        self._mask: np.ndarray | None = None

    def get_config(self):
        return {"rate": self.rate, **super().get_config()}

    def forward(self, x, training, rng):
        if training and self.rate > 0.0:
            keep = rng.random(x.shape, dtype=x.dtype) >= self.rate
            self._mask = keep * x.dtype.type(1.0 / (1.0 - self.rate))
            y = x * self._mask
        else:
            self._mask, y = None, x
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        if not need_input_grad:
            return None
        return grad if self._mask is None else grad * self._mask


LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (Dense, Activation, PReLU, Maxout, Dropout, Softmax)}


def positive_int(value: Any, what: str) -> int:
    """``value`` as an int, or a ParameterError if it is not a positive integer."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{what} = {value!r} is not allowed; expected a positive integer")
    return int(value)


def _learnable_names(function: ActivationFunction, trainable: Any) -> tuple[str, ...]:
    learnable = tuple(p.name for p in function.definition.params if p.learnable)
    if trainable is False or trainable is None:
        return ()
    requested = learnable if trainable is True else tuple(trainable)
    unknown = [n for n in requested if n not in learnable]
    if unknown or not requested:
        allowed = ", ".join(learnable) or "none"
        raise ParameterError(f"{function.name} cannot learn {', '.join(map(repr, unknown)) or 'anything'}; "
                             f"its learnable parameters are: {allowed}")
    return requested


def _output_width(function: ActivationFunction, width: int, dtype) -> int:
    """The width after ``function``: found by applying it to one row of zeros."""
    axis = function.params.get("axis")
    if axis is not None and axis not in (-1, 1):
        raise ParameterError(f"{function.name} works along axis {axis}, but in a layer it must work "
                             "along the feature axis; expected axis = -1")
    y = function(np.zeros((1, width), dtype=dtype))
    return int(y.shape[-1])

