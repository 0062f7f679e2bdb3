"""Finite-difference checks of a network's gradients (float64), shared by the engine's tests.

Each check perturbs every parameter of a small network by ±h and compares the central
difference of the loss with the engine's gradient. The random streams are reset before every
evaluation, so stochastic activations (RReLU) and dropout see the same draws each time.
"""

import numpy as np

H = 1e-6
RTOL = 1e-5


def numerical_gradient(model, x, y, training=True):
    p = model.parameters
    state = model.noise_rng.bit_generator.state
    grad = np.empty_like(p)
    for i in range(p.size):
        old = p[i]
        values = []
        for shifted in (old + H, old - H):
            p[i] = shifted
            model.noise_rng.bit_generator.state = state
            values.append(model.loss_and_gradients(x, y, training))
        p[i] = old
        grad[i] = (values[0] - values[1]) / (2 * H)
    model.noise_rng.bit_generator.state = state
    return grad


def analytic_gradient(model, x, y, training=True):
    state = model.noise_rng.bit_generator.state
    model.loss_and_gradients(x, y, training)
    model.noise_rng.bit_generator.state = state
    return model.gradients.copy()


def assert_gradients_match(model, x, y, training=True):
    """The engine's gradient of the loss on (x, y) equals the central differences; returns it.
    ``training=False`` checks the layers' inference mode (batch normalisation's moving statistics)."""
    model.build(x.shape[1:])
    analytic = analytic_gradient(model, x, y, training)
    numeric = numerical_gradient(model, x, y, training)
    np.testing.assert_allclose(analytic, numeric, rtol=RTOL, atol=RTOL * np.abs(numeric).max())
    return analytic
