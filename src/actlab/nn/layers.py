"""Layers: Dense, Activation, PReLU, Maxout, Dropout, Softmax, Flatten (and the base class).

A layer maps a batch of shape (samples, *shape) to (samples, *shape'); features, or channels,
are on the last axis. Its parameters live in the model's flat parameter vector:
``layer.params[name]`` and ``layer.grads[name]`` are views into it, written in place, so one
optimizer step updates every layer at once. State that is not trained (a batch normalisation's
moving statistics) lives in ``layer.state``.

Every layer keeps, for the last batch, ``last_input``, ``last_output`` and (after a backward
pass) ``last_grad_output`` = ∂L/∂output, and its weight gradients in ``grads``; layers with an
activation also give ``last_preactivation`` and ``activation_derivative()``. Diagnostics read
these from callbacks (see :mod:`actlab.nn`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..core import Activation as ActivationFunction
from ..core import ParameterError, get
from . import activation_calls, initializers, shapes
from .shapes import Shape, positive_int


class Layer:
    """The base of all layers: ``build`` declares parameters, ``forward`` and ``backward`` compute.

    ``input_shape`` (or ``input_dim``, for rows of features) gives the shape of one sample, for
    the first layer of a model; later layers find theirs from the layer before.
    """

    def __init__(
        self, *, name: str | None = None, input_dim: int | None = None, input_shape: Shape | None = None
    ):
        if name is not None and (not isinstance(name, str) or not name):
            raise ParameterError(f"a layer name must be a non-empty string, got {name!r}")
        self.name = name
        self.input_shape = shapes.from_arguments(input_dim, input_shape)
        self.output_shape: Shape | None = None
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}
        self.last_input: np.ndarray | None = None
        self.last_output: np.ndarray | None = None
        self.last_grad_output: np.ndarray | None = None

    # -- structure ------------------------------------------------------------------------
    def build(
        self,
        input_shape: Shape,
        dtype: np.dtype,
        rng: np.random.Generator,
        next_activation: ActivationFunction | None,
    ) -> dict[str, np.ndarray]:
        """Fix the output shape and return the initial parameter values (name -> array).

        ``next_activation`` is the activation of the layer that follows, if that layer is an
        :class:`Activation`: ``Dense(n)`` then ``Activation(f)`` initialises like ``Dense(n, f)``.
        """
        self.output_shape = input_shape
        return {}

    def param_count(self, input_shape: Shape) -> int:
        """How many parameters ``build(input_shape, ...)`` will create (nothing is allocated)."""
        return 0

    @property
    def output_width(self) -> int | None:
        """The size of the output's last axis (features or channels)."""
        return None if self.output_shape is None else self.output_shape[-1]

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
        return {"name": self.name, **shapes.config(self.input_shape)}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if v is not None)
        return f"{type(self).__name__}({args})"

    # -- computing ------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def backward(
        self, grad: np.ndarray, *, need_input_grad: bool = True, from_preactivation: bool = False
    ) -> np.ndarray | None:
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
        per_unit: learn one value per unit: per feature, or per channel after a convolution (the
            value is shared by every position), which needs a parameter that may be an array.
        name, input_shape, input_dim: as for every :class:`Layer`.

    Computes y = f(x) elementwise, or along the last axis (features or channels) for
    vector-valued activations (whose output may be narrower: GLU halves the width). Parameters
    are learned only when asked: ``Dense(n, activation="prelu")`` keeps alpha fixed,
    :class:`PReLU` learns it.
    """

    def __init__(
        self,
        activation: Any,
        *,
        trainable: bool | tuple[str, ...] = False,
        per_unit: bool = False,
        **base: Any,
    ):
        super().__init__(**base)
        self.function = get(activation)
        self.trainable = _learnable_names(self.function, trainable)
        self.per_unit = bool(per_unit)
        for p in self.function.definition.params:
            if p.name in self.trainable and self.per_unit and not p.array_ok:
                raise ParameterError(
                    f"{self.function.name}'s parameter {p.name!r} is a single number; "
                    "it cannot be learned per unit (use per_unit=False)"
                )
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

    def param_count(self, input_shape):
        return sum(
            input_shape[-1] if self.per_unit else np.size(self.function.params[n]) for n in self.trainable
        )

    def build(self, input_shape, dtype, rng, next_activation):
        self.output_shape = _output_shape(self.function, input_shape, dtype)
        initial = {}
        for name in self.trainable:
            value = np.asarray(self.function.params[name], dtype=np.float64)
            # One value per unit of the last axis, broadcast over every position before it.
            shape = (input_shape[-1],) if self.per_unit else value.shape
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
                **{n: float(v) if v.ndim == 0 else v for n, v in self.params.items()}
            )
        y, self._saved = activation_calls.forward(
            self._current, x, training=training, rng=rng, keep_input=bool(self.trainable)
        )
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

    def __init__(self, **base: Any):
        super().__init__("softmax", **base)

    def get_config(self):
        return Layer.get_config(self)


class PReLU(Activation):
    """Leaky ReLU with a learned negative slope per unit (the registered ``prelu`` definition):
    per feature after a Dense layer, per channel (shared by every position) after a convolution.

    Args:
        alpha: the initial slope of every unit (He et al. 2015 start at 0.25).
    """

    def __init__(self, alpha: float = 0.25, **base: Any):
        super().__init__(get("prelu", alpha=alpha), trainable=True, per_unit=True, **base)
        self.alpha = self.function.params["alpha"]

    def get_config(self):
        return {"alpha": self.alpha, **Layer.get_config(self)}


class Activated(Layer):
    """A linear map with a kernel, then an optional activation: the common part of :class:`Dense`
    and the convolutions (``activation=``, ``use_bias``, ``kernel_initializer``).

    ``layer(activation=f)`` computes exactly what the layer without it followed by
    ``Activation(f)`` does: the activation is an :class:`Activation` layer inside this one.
    """

    def __init__(
        self, activation: Any = None, *, use_bias: bool = True, kernel_initializer: str = "auto", **base: Any
    ):
        super().__init__(**base)
        self.use_bias = bool(use_bias)
        initializers.resolve(kernel_initializer, None)  # reject unknown names now, not at build
        self.kernel_initializer = kernel_initializer
        self._activation_layer = None if activation is None else Activation(activation)
        self.last_preactivation: np.ndarray | None = None

    @property
    def activation(self) -> ActivationFunction | None:
        return None if self._activation_layer is None else self._activation_layer.function

    @property
    def output_activation(self) -> ActivationFunction | None:
        return self.activation

    def get_config(self):
        return {
            "activation": None if self.activation is None else self.activation.get_config(),
            "use_bias": self.use_bias,
            "kernel_initializer": self.kernel_initializer,
            **super().get_config(),
        }

    def _initial(
        self, kernel_shape: Shape, linear_shape: Shape, dtype, rng, next_activation
    ) -> dict[str, np.ndarray]:
        """The initial kernel (by the resolved initialiser) and bias; fixes the output shape from
        the shape of the linear map's result."""
        scheme = initializers.resolve(self.kernel_initializer, self.activation or next_activation)
        initial = {"kernel": initializers.initialise(scheme, kernel_shape, rng, dtype)}
        if self.use_bias:
            initial["bias"] = np.zeros(kernel_shape[-1], dtype=dtype)
        self.output_shape = linear_shape
        if self._activation_layer is not None:
            self._activation_layer.build(linear_shape, dtype, rng, None)
            self.output_shape = self._activation_layer.output_shape
        return initial

    def _activate(self, x: np.ndarray, z: np.ndarray, training: bool, rng) -> np.ndarray:
        """y = f(z) for the linear map's result z (which gets the bias here)."""
        if self.use_bias:
            z += self.params["bias"]
        y = z if self._activation_layer is None else self._activation_layer.forward(z, training, rng)
        self.last_input, self.last_preactivation, self.last_output = x, z, y
        return y

    def _preactivation_grad(self, grad: np.ndarray, from_preactivation: bool) -> np.ndarray:
        """∂L/∂z from ∂L/∂y; fills the bias gradient."""
        self.last_grad_output = grad
        if self._activation_layer is not None:
            grad = self._activation_layer.backward(grad, from_preactivation=from_preactivation)
        if self.use_bias:
            np.add.reduce(grad.reshape(-1, grad.shape[-1]), axis=0, out=self.grads["bias"])
        return grad

    def activation_derivative(self) -> np.ndarray | None:
        """f'(z) at the last batch's pre-activations z (None without an elementwise activation)."""
        return None if self._activation_layer is None else self._activation_layer.activation_derivative()


class Dense(Activated):
    """A fully connected layer: y = f(x W + b), on the last axis of its input.

    Args:
        units: the number of units (columns of W).
        activation: None (linear), or anything :class:`Activation` accepts. ``Dense(n,
            activation=f)`` computes exactly what ``Dense(n)`` followed by ``Activation(f)`` does.
            A vector-valued activation may change the width (GLU halves it).
        use_bias: add the bias b.
        kernel_initializer: ``"auto"`` (from the activation's metadata) or one of
            :func:`actlab.nn.initializers.names`; the bias starts at 0.
        name, input_shape, input_dim: as for every :class:`Layer`; ``input_dim`` is the input
            width, for the first layer of a model (else found from the data).

    On input of shape (samples, ..., features) the same W applies at every position, as in
    Keras; a classifier's output layer needs (samples, features): put :class:`Flatten` or a
    global pooling layer before it.
    """

    def __init__(self, units: int, activation: Any = None, **options: Any):
        super().__init__(activation, **options)
        self.units = positive_int(units, "units")

    def param_count(self, input_shape):
        return (input_shape[-1] + self.use_bias) * self.units

    def build(self, input_shape, dtype, rng, next_activation):
        return self._initial(
            (input_shape[-1], self.units), (*input_shape[:-1], self.units), dtype, rng, next_activation
        )

    def get_config(self):
        return {"units": self.units, **super().get_config()}

    def forward(self, x, training, rng):
        kernel = self.params["kernel"]
        z = (
            np.matmul(x, kernel)
            if x.ndim == 2
            else np.matmul(x.reshape(-1, x.shape[-1]), kernel).reshape(*x.shape[:-1], self.units)
        )
        return self._activate(x, z, training, rng)

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        grad = self._preactivation_grad(grad, from_preactivation)
        x = self.last_input
        np.matmul(x.reshape(-1, x.shape[-1]).T, grad.reshape(-1, self.units), out=self.grads["kernel"])
        return np.matmul(grad, self.params["kernel"].T) if need_input_grad else None


class Maxout(Dense):
    """Maxout units (Goodfellow et al. 2013): ``units`` outputs, each the max of ``pieces`` linear
    pieces — a Dense layer of units·pieces followed by the registered ``maxout`` activation."""

    def __init__(self, units: int, pieces: int = 2, **options: Any):
        units = positive_int(units, "units")
        super().__init__(units * positive_int(pieces, "pieces"), get("maxout", pieces=pieces), **options)
        self.maxout_units, self.pieces = units, pieces

    def get_config(self):
        config = super().get_config()
        del config["activation"]
        return {**config, "units": self.maxout_units, "pieces": self.pieces}


class Dropout(Layer):
    """Inverted dropout: while training, zero each input with probability ``rate`` and scale the
    rest by 1/(1 − rate), so nothing changes at inference (Srivastava et al. 2014)."""

    def __init__(self, rate: float, **base: Any):
        super().__init__(**base)
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


class Flatten(Layer):
    """Flattens every axis but the batch axis: (samples, d₁, …, dₖ) → (samples, d₁·…·dₖ), in
    C order (the last axis, the channels, varies fastest), as Keras's channels-last Flatten."""

    def build(self, input_shape, dtype, rng, next_activation):
        self.output_shape = (math.prod(input_shape),)
        return {}

    def forward(self, x, training, rng):
        y = x.reshape(len(x), -1)
        self.last_input, self.last_output = x, y
        return y

    def backward(self, grad, *, need_input_grad=True, from_preactivation=False):
        self.last_grad_output = grad
        return grad.reshape(self.last_input.shape) if need_input_grad else None


def _learnable_names(function: ActivationFunction, trainable: Any) -> tuple[str, ...]:
    learnable = tuple(p.name for p in function.definition.params if p.learnable)
    if trainable is False or trainable is None:
        return ()
    requested = learnable if trainable is True else tuple(trainable)
    unknown = [n for n in requested if n not in learnable]
    if unknown or not requested:
        allowed = ", ".join(learnable) or "none"
        raise ParameterError(
            f"{function.name} cannot learn {', '.join(map(repr, unknown)) or 'anything'}; "
            f"its learnable parameters are: {allowed}"
        )
    return requested


def _output_shape(function: ActivationFunction, shape: Shape, dtype) -> Shape:
    """The shape after ``function`` on the last axis: found by applying it to zeros with that
    axis's width and one position (every axis before it is a position the function does not mix)."""
    axis = function.params.get("axis")
    if axis is not None and axis != -1 and axis != len(shape):
        raise ParameterError(
            f"{function.name} works along axis {axis}, but in a layer it must work "
            "along the feature axis; expected axis = -1"
        )
    y = function(np.zeros((1,) * len(shape) + shape[-1:], dtype=dtype))
    return (*shape[:-1], int(y.shape[-1]))
