"""Chapter 5: plain gradient descent.

Once BPTT has given the gradient of the loss with respect to every parameter,
each parameter takes a small step downhill:

    theta  <-  theta - eta * dL/dtheta                                 (eq. 5.9)

with ``eta`` the learning rate.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import as_float_array


def gradient_descent_step(params, grads, learning_rate):
    """One step of eq. 5.9; returns new parameters (``params`` is unchanged).

    ``params`` is a dict of arrays (for example ``{"W_x": ..., "W_y": ...,
    "b": ...}``) and ``grads`` has the same keys and shapes; a
    :class:`rnnlib.bptt.Gradients` works too, since its fields are named like
    the parameters. ``params`` may instead be a tuple or list, with ``grads``
    in the same order. The result has the type of ``params``'s container
    (dict, or a list/tuple).
    """
    learning_rate = float(learning_rate)
    if not np.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate}")
    if isinstance(params, Mapping):
        if hasattr(grads, "_asdict"):
            grads = grads._asdict()
        missing = [k for k in params if k not in grads]
        if missing:
            raise KeyError(f"grads has no gradient for parameter(s) {missing}")
        return {k: _step(k, params[k], grads[k], learning_rate) for k in params}
    if len(params) != len(grads):
        raise ValueError(f"params has {len(params)} arrays but grads has {len(grads)}")
    new = [_step(f"params[{i}]", p, g, learning_rate) for i, (p, g) in enumerate(zip(params, grads))]
    return tuple(new) if isinstance(params, tuple) else new


def _step(name, value, grad, learning_rate):
    value = as_float_array(name, value)
    grad = as_float_array(f"gradient of {name}", grad)
    if grad.shape != value.shape:
        raise ValueError(
            f"the gradient of {name} must have the parameter's shape {value.shape}, got {grad.shape}"
        )
    return (value - learning_rate * grad).astype(value.dtype, copy=False)
