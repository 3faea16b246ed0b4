"""Activation functions ``phi`` and their derivatives.

Chapter 2 writes a recurrent layer as ``Y(t) = phi(X(t) W_x + Y(t-1) W_y + b)``.
``phi`` is one of the functions below; BPTT (chapter 5) also needs its
derivative, expressed here in terms of the *output* ``y = phi(z)`` because that
is what the forward pass keeps:

=========  ==================  ==========================
name       phi(z)              phi'(z) written with y
=========  ==================  ==========================
tanh       tanh(z)             1 - y**2
relu       max(z, 0)           1 if y > 0 else 0
identity   z                   1
sigmoid    1 / (1 + exp(-z))   y (1 - y)
=========  ==================  ==========================
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np


class Activation(NamedTuple):
    name: str
    forward: Callable[[np.ndarray], np.ndarray]
    #: derivative phi'(z) computed from y = phi(z)
    derivative_from_output: Callable[[np.ndarray], np.ndarray]


def _sigmoid(z):
    return 0.5 * (np.tanh(0.5 * z) + 1.0)  # overflow-free logistic


ACTIVATIONS = {
    "tanh": Activation("tanh", np.tanh, lambda y: 1.0 - y * y),
    "relu": Activation(
        "relu", lambda z: np.maximum(z, 0), lambda y: (y > 0).astype(y.dtype)
    ),
    "identity": Activation("identity", lambda z: z, lambda y: np.ones_like(y)),
    "sigmoid": Activation("sigmoid", _sigmoid, lambda y: y * (1.0 - y)),
}
# Keras spells the identity "linear"; accept both so weights move freely.
ACTIVATIONS["linear"] = ACTIVATIONS["identity"]


def get_activation(activation="tanh") -> Activation:
    """Look up an activation by name (or pass an :class:`Activation` through).

    Raises ``ValueError`` naming the unknown activation and listing the known
    ones, for example ``get_activation("softmax")``.
    """
    if isinstance(activation, Activation):
        return activation
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be a name such as 'tanh', got {type(activation).__name__}"
        )
    try:
        return ACTIVATIONS[activation.lower()]
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(
            f"unknown activation {activation!r}; choose one of: {known}"
        ) from None
