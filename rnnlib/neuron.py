"""Chapter 1: a single recurrent neuron.

At each time step ``t`` the neuron receives the input vector ``x(t)`` and its
own previous output ``y_hat(t-1)``:

    y_hat(t) = phi(w_x . x(t) + w_y * y_hat(t-1) + b)            (eq. 1.1)

Shapes: ``x(t)`` is ``(n_inputs,)``, ``w_x`` is ``(n_inputs,)``, ``w_y`` and
``b`` are scalars, ``y_hat(t)`` is a scalar. Unrolled over a sequence ``x`` of
shape ``(T, n_inputs)`` the neuron produces ``y_hat`` of shape ``(T,)``; the
first step has no previous output, so it starts from ``y_hat(-1) = 0``.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import get_activation


def _scalar(name, value):
    arr = as_float_array(name, value)
    if arr.size != 1:
        raise ValueError(f"{name} must be a scalar, got shape {arr.shape}")
    return arr.reshape(())


def neuron_step(x_t, y_prev, w_x, w_y, b, activation="tanh"):
    """One step of eq. 1.1: ``phi(w_x . x_t + w_y * y_prev + b)``.

    x_t: (n_inputs,); y_prev: scalar; w_x: (n_inputs,); w_y, b: scalars.
    Returns the scalar ``y_hat(t)`` as a 0-d array (float32 if all inputs are).
    """
    phi = get_activation(activation).forward
    w_x = as_float_array("w_x", w_x, ndim=1)
    x_t = check_shape("x_t", as_float_array("x_t", x_t, ndim=1), w_x.shape, "(n_inputs,)")
    return phi(x_t @ w_x + _scalar("w_y", w_y) * _scalar("y_prev", y_prev) + _scalar("b", b))


def unroll_neuron(x, w_x, w_y, b, activation="tanh", y0=0.0):
    """Unroll eq. 1.1 over ``x`` of shape ``(T, n_inputs)``; return ``y_hat`` (T,).

    ``y0`` is the output before the first step, 0 as in the text.
    """
    w_x = as_float_array("w_x", w_x, ndim=1)
    x = as_float_array("x", x, ndim=2)
    check_shape("x", x, (x.shape[0], w_x.shape[0]), "(T, n_inputs)")
    phi = get_activation(activation).forward
    w_y, b, y = _scalar("w_y", w_y), _scalar("b", b), _scalar("y0", y0)
    dtype = np.result_type(x, w_x, w_y, b)
    y = y.astype(dtype)
    y_hat = np.empty(x.shape[0], dtype=dtype)
    inputs = x @ w_x  # w_x . x(t) for every t at once
    for t in range(x.shape[0]):
        y = phi(inputs[t] + w_y * y + b)
        y_hat[t] = y
    return y_hat
