"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict / summary."""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Sequence

import numpy as np

from ..core import ParameterError
from . import data, shapes, training
from .callbacks import Callback, History
from .layers import Activated, Activation, Layer
from .losses import Loss, fuses_with, get_loss
from .metrics import get_metrics
from .optimizers import Optimizer, get_optimizer

DTYPES = ("float32", "float64")


class Sequential:
    """A feed-forward network: each layer's output is the next one's input.

    Args:
        layers: the layers, in order (more can be added with :meth:`add`).
        input_shape: the shape of one sample, without the batch axis: ``(20,)`` for rows of 20
            features, ``(40, 1)`` for sequences of 40 steps with one channel, ``(28, 28, 1)`` for
            images (channels last). Else taken from the first layer's, or from the data.
        input_dim: the same as ``input_shape=(input_dim,)``.
        dtype: ``"float32"`` (default) or ``"float64"``, for parameters and computation.
        seed: an integer makes initialisation, shuffling and dropout reproducible: the same
            seed and the same calls give bitwise the same weights and history.
        name: shown by :meth:`summary`.
    """

    def __init__(
        self,
        layers: Sequence[Layer] = (),
        *,
        input_dim: int | None = None,
        input_shape: tuple[int, ...] | None = None,
        dtype: str = "float32",
        seed: int | None = None,
        name: str = "sequential",
    ):
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0
        ):
            raise ParameterError(f"seed = {seed!r} is not allowed; expected a non-negative integer or None")
        self.dtype = _check_dtype(dtype)
        self.seed = None if seed is None else int(seed)
        self.name = name
        self.input_shape = shapes.from_arguments(input_dim, input_shape)
        self.output_shape: tuple[int, ...] | None = None
        self.layers: list[Layer] = []
        self.built = False
        self.loss: Loss | None = None
        self.optimizer: Optimizer | None = None
        self.metrics: dict[str, Callable] = {}
        self._fused: bool | None = None
        self.history: History | None = None
        self.stop_training = False
        self.stop_reason: str | None = None
        # Independent streams, so adding dropout does not change the initial weights or the order.
        init, self.shuffle_rng, self.noise_rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(self.seed).spawn(3)
        )
        self._init_rng = init
        for layer in layers:
            self.add(layer)

    # -- structure ------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        """Append a layer (before the model is built)."""
        if not isinstance(layer, Layer):
            raise ParameterError(f"add() takes an actlab.nn layer (Dense, Activation, ...), got {layer!r}")
        if self.built:
            raise ParameterError("the model is already built; add layers before training or building it")
        self.layers.append(layer)

    @property
    def input_dim(self) -> int | None:
        """The input width, for a model on rows of features (None for sequences and images)."""
        return self.input_shape[0] if self.input_shape is not None and len(self.input_shape) == 1 else None

    @property
    def output_width(self) -> int | None:
        """The size of the output's last axis (the number of outputs of a classifier)."""
        return None if self.output_shape is None else self.output_shape[-1]

    def build(
        self, input_shape: int | tuple[int, ...] | None = None, *, max_params: int | None = None
    ) -> None:
        """Create every parameter for samples of shape ``input_shape`` (a width, or a tuple such
        as ``(40, 1)``); fit does this when needed.

        ``max_params`` refuses architectures with more parameters before anything is allocated
        (the loader bounds a file's architecture by the size of its weights file).
        """
        if self.built:
            return
        if not self.layers:
            raise ParameterError("the model has no layers; add some with model.add(...)")
        given = next(
            (s for s in (input_shape, self.input_shape, self.layers[0].input_shape) if s is not None), None
        )
        if given is None:
            raise ParameterError(
                "the input shape is unknown: give input_shape (or input_dim) to Sequential "
                "or to the first layer, call build(input_shape), or fit on data"
            )
        shape = input = shapes.as_shape(given)
        self._name_layers()
        initial, total = [], 0
        for i, layer in enumerate(self.layers):
            total += layer.param_count(shape)
            # Only the last axis is ever allocated while building (an activation's output width).
            if max_params is not None and (total > max_params or shape[-1] > max(max_params, 1 << 16)):
                raise ParameterError(
                    f"layer {i} would bring the model to {total} parameters (input shape "
                    f"{shapes.describe(shape)}); at most {max_params} are allowed here"
                )
            after = self.layers[i + 1] if i + 1 < len(self.layers) else None
            hint = after.output_activation if isinstance(after, Activation) else None
            initial.append(layer.build(shape, self.dtype, self._init_rng, hint))
            assert layer.output_shape is not None  # build() fixes it
            shape = layer.output_shape
        self._allocate(initial)
        self.input_shape, self.output_shape, self.built = input, shape, True
        if self.optimizer is not None:
            self.optimizer.build(self.parameters.size, self.dtype)

    def _name_layers(self) -> None:
        """Give unnamed layers Keras-style names: dense, dense_1, batch_normalization, conv1d, ...
        (never a name already taken)."""
        taken = {layer.name for layer in self.layers if layer.name is not None}
        for layer in self.layers:
            if layer.name is None:
                # A word boundary is a capital that starts a lowercase run: MaxPooling1D -> max_pooling1d.
                base, k = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", "_", type(layer).__name__).lower(), 0
                while (name := base if k == 0 else f"{base}_{k}") in taken:
                    k += 1
                layer.name = name
                taken.add(name)

    def _allocate(self, initial: list[dict[str, np.ndarray]]) -> None:
        """Put every parameter into one flat vector; layers get views (see optimizers)."""
        total = sum(a.size for params in initial for a in params.values())
        self.parameters = np.empty(total, dtype=self.dtype)
        self.gradients = np.zeros(total, dtype=self.dtype)
        offset = 0
        for layer, params in zip(self.layers, initial):
            for name, value in params.items():
                view = slice(offset, offset + value.size)
                layer.params[name] = self.parameters[view].reshape(value.shape)
                layer.grads[name] = self.gradients[view].reshape(value.shape)
                layer.params[name][...] = value
                offset += value.size
        # Backprop stops at the first layer with parameters: nothing below it needs a gradient.
        self._first_trained = next((i for i, layer in enumerate(self.layers) if layer.params), None)

    def count_params(self) -> int:
        self._require_built("count_params")
        return int(self.parameters.size)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter array, layer by layer, each layer's untrained state (moving
        statistics) after its parameters, as Keras orders them."""
        self._require_built("get_weights")
        return [w.copy() for w in self._weights()]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set every parameter (and state) from arrays shaped like :meth:`get_weights`'s (copied in)."""
        self._require_built("set_weights")
        targets = self._weights()
        if len(weights) != len(targets):
            raise ParameterError(f"set_weights got {len(weights)} arrays; the model has {len(targets)}")
        for i, (target, w) in enumerate(zip(targets, weights)):
            if np.shape(w) != target.shape:
                raise ParameterError(f"weight {i} has shape {np.shape(w)}; expected {target.shape}")
        for target, w in zip(targets, weights):
            target[...] = w

    # -- training set-up ------------------------------------------------------------------
    def compile(
        self, loss: str | Loss, optimizer: str | dict | Optimizer = "adam", metrics: Sequence[str] = ()
    ) -> None:
        """Choose the loss, the optimizer (a name, a config dict or an Optimizer) and metrics."""
        self.loss = get_loss(loss)
        self.optimizer = get_optimizer(optimizer)
        self.metrics = get_metrics(metrics)
        self._fused = None
        if self.built:
            self.optimizer.build(self.parameters.size, self.dtype)

    @property
    def fused_output(self) -> bool:
        """Whether the loss gradient enters at the output activation's input as p − y."""
        if self._fused is None:  # fixed once the layers and the loss are: decided once
            last = self.layers[-1]
            self._fused = (
                self.loss is not None
                and not last.trains_activation
                and fuses_with(self.loss, last.output_activation)
            )
        return self._fused

    # -- computing ------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        """The network's output for a prepared batch (layers keep what backward needs)."""
        for layer in self.layers:
            x = layer.forward(x, training, self.noise_rng)
        return x

    def loss_and_gradients(self, x: np.ndarray, y: np.ndarray, training: bool = True) -> float:
        """Forward and backward on one prepared batch: returns the loss and fills ``gradients``.

        Nothing is back-propagated when the loss is not finite (the gradients are then stale).
        """
        loss = self._require_compiled("loss_and_gradients")
        out = self.forward(x, training)
        fused = self.fused_output
        if fused:
            value = loss.fused_value(self._output_preactivation(), y)
            grad = loss.fused_gradient(out, y)
        else:
            value = loss.value(out, y)
            grad = loss.gradient(out, y)
        if math.isfinite(value):
            first = self._first_trained
            if first is None:
                raise ParameterError(
                    "the model has no parameters to train; add a Dense (or PReLU, Maxout) layer"
                )
            last = len(self.layers) - 1
            for i in range(last, first - 1, -1):
                below = self.layers[i].backward(
                    grad, need_input_grad=i > first, from_preactivation=fused and i == last
                )
                if i > first:
                    assert below is not None  # asked for: the gradient at the layer's input
                    grad = below
        return value

    def _output_preactivation(self) -> np.ndarray:
        """The last batch's input to the output activation, for a fused output."""
        last = self.layers[-1]
        # A fused output has an output activation, and only these layers apply one.
        assert isinstance(last, (Activation, Activated))
        z = last.last_preactivation
        assert z is not None  # forward() has run
        return z

    def predict(self, x, batch_size: int = 256) -> np.ndarray:
        """The network's outputs for ``x`` (inference mode: no dropout, mean RReLU slopes)."""
        x = self._prepare_inputs(x)
        batch_size = training.check_batch_size(batch_size)
        return np.concatenate([self.forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])

    def evaluate(self, x, y, batch_size: int = 256, *, return_dict: bool = False):
        """The loss (and metrics) on ``(x, y)``: a float, or ``[loss, *metrics]``, or a dict."""
        loss = self._require_compiled("evaluate")
        x = self._prepare_inputs(x)
        width = self._require_flat_output("evaluate")
        y = loss.targets(y, width, self.dtype)
        data.check_lengths(x, y)
        logs = training.evaluate_batches(self, x, y, training.check_batch_size(batch_size))
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def fit(
        self,
        x,
        y,
        *,
        epochs: int = 1,
        batch_size: int = 32,
        validation_data=None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        callbacks: Sequence[Callback] = (),
        verbose: int = 1,
    ) -> History:
        """Train; see :func:`actlab.nn.training.fit` for the arguments."""
        return training.fit(
            self,
            x,
            y,
            epochs=epochs,
            batch_size=batch_size,
            validation_data=validation_data,
            validation_split=validation_split,
            shuffle=shuffle,
            callbacks=callbacks,
            verbose=verbose,
        )

    def save(self, path) -> None:
        """Save as ``path.json`` (architecture, compile settings) + ``path.npz`` (weights)."""
        from .io import save_model  # io imports this module

        save_model(self, path)

    def summary(self, print_fn: Callable[[str], Any] | None = print) -> str:
        """A table of layers, output shapes and parameter counts (printed, and returned)."""
        self._require_built("summary")
        assert self.input_shape is not None  # built, as are its layers
        rows = [("Layer (type)", "Output Shape", "Param #", "Activation")]
        for layer in self.layers:
            assert layer.output_shape is not None
            act = layer.output_activation
            rows.append(
                (
                    f"{layer.name} ({type(layer).__name__})",
                    shapes.describe(layer.output_shape),
                    f"{sum(p.size for p in (*layer.params.values(), *layer.state.values())):,}",
                    "" if act is None else act.name,
                )
            )
        widths = [max(len(r[i]) for r in rows) + 3 for i in range(4)]
        rule = "-" * sum(widths)
        lines = [
            f'Model: "{self.name}" (input {shapes.describe(self.input_shape)}, {self.dtype})',
            rule,
            "".join(c.ljust(w) for c, w in zip(rows[0], widths)),
            rule.replace("-", "="),
        ]
        lines += ["".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows[1:]]
        untrained = sum(s.size for layer in self.layers for s in layer.state.values())
        lines += [rule, f"Total params: {self.count_params() + untrained:,}"]
        if untrained:
            lines += [f"Trainable params: {self.count_params():,}", f"Non-trainable params: {untrained:,}"]
        lines += [rule]
        text = "\n".join(lines)
        if print_fn is not None:
            print_fn(text)
        return text

    def __repr__(self) -> str:
        return f"Sequential({self.layers!r}, dtype={str(self.dtype)!r}, seed={self.seed!r})"

    # -- helpers --------------------------------------------------------------------------
    def _weights(self) -> list[np.ndarray]:
        return [w for layer in self.layers for w in (*layer.params.values(), *layer.state.values())]

    def _prepare_inputs(self, x) -> np.ndarray:
        self._build_if_shape_known()
        x = data.as_inputs(x, self.input_shape if self.built else None, self.dtype)
        self.build(x.shape[1:])
        return x

    def _build_if_shape_known(self) -> None:
        if not self.built and self.layers and (self.input_shape or self.layers[0].input_shape):
            self.build()

    def _require_built(self, what: str) -> None:
        self._build_if_shape_known()
        if not self.built:
            raise ParameterError(
                f"{what}() needs a built model: call build(input_shape), give "
                "input_shape (or input_dim), or fit it first"
            )

    def _require_compiled(self, what: str) -> Loss:
        """The loss; ParameterError before compile()."""
        if self.loss is None:
            raise ParameterError(
                f"{what}() needs a compiled model: call model.compile(loss=..., optimizer=...)"
            )
        return self.loss

    def _require_flat_output(self, what: str) -> int:
        """Losses compare (samples, outputs): refuse an output that still has positions. Returns
        the output width; the model is built (callers prepare their inputs first)."""
        assert self.output_shape is not None  # built
        if len(self.output_shape) != 1:
            raise ParameterError(
                f"{what}() needs outputs of shape (samples, outputs), but the model's "
                f"output has shape {shapes.describe(self.output_shape)}; add Flatten() or "
                "a global pooling layer before the last Dense layer"
            )
        return self.output_shape[0]


def _check_dtype(dtype: Any) -> np.dtype:
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.name not in DTYPES:
        raise ParameterError(f"dtype = {dtype!r} is not supported; expected one of: {', '.join(DTYPES)}")
    return resolved
