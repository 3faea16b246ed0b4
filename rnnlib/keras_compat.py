"""The same layers in Keras, with rnnlib's weights, to compare the two.

Importing this module imports TensorFlow (several seconds), which is why
``import rnnlib`` does not: use ``rnnlib.keras_compat`` (loaded on first
access) or ``from rnnlib import keras_compat``.

Keras ``SimpleRNN`` computes exactly eq. 2.1 with
``kernel = W_x`` (n_inputs, n_neurons), ``recurrent_kernel = W_y``
(n_neurons, n_neurons) and ``bias = b`` (n_neurons,), so weights copy over
unchanged in both directions.
"""
from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from .activations import get_activation  # noqa: E402
from .layer import check_layer_params  # noqa: E402

_KERAS_ACTIVATION = {"tanh": "tanh", "relu": "relu", "identity": "linear", "sigmoid": "sigmoid"}


def simple_rnn(W_x, W_y, b, activation="tanh", **kwargs):
    """A built ``keras.layers.SimpleRNN`` holding ``(W_x, W_y, b)``.

    ``kwargs`` go to ``SimpleRNN`` (``return_sequences``, ``return_state``…).
    The layer's dtype follows ``W_x`` (float32 or float64).
    """
    W_x, W_y, b = check_layer_params(W_x, W_y, b)
    act = _KERAS_ACTIVATION[get_activation(activation).name]
    layer = keras.layers.SimpleRNN(W_x.shape[1], activation=act, dtype=str(W_x.dtype), **kwargs)
    layer.build((None, None, W_x.shape[0]))
    layer.set_weights([W_x, W_y.astype(W_x.dtype), b.astype(W_x.dtype)])
    return layer


def dense(W_o, b_o, **kwargs):
    """A built ``keras.layers.Dense`` computing ``h W_o + b_o``."""
    W_o = np.asarray(W_o)
    layer = keras.layers.Dense(W_o.shape[1], dtype=str(W_o.dtype), **kwargs)
    layer.build((None, W_o.shape[0]))
    layer.set_weights([W_o, np.asarray(b_o, dtype=W_o.dtype)])
    return layer


def weights_from_keras(layer):
    """``(W_x, W_y, b)`` of a Keras ``SimpleRNN`` layer, as numpy arrays."""
    W_x, W_y, b = (np.asarray(w) for w in layer.get_weights())
    return W_x, W_y, b


def cell_layers(cell, **kwargs):
    """Keras layers equivalent to an rnnlib cell: ``[SimpleRNN]`` or ``[SimpleRNN, Dense]``."""
    layers = [simple_rnn(cell.W_x, cell.W_y, cell.b, cell.activation.name, **kwargs)]
    if hasattr(cell, "W_o"):
        layers.append(dense(cell.W_o, cell.b_o))
    return layers


def _gated(layer_class, weights, **kwargs):
    kernel = np.asarray(weights[0])
    units = np.asarray(weights[1]).shape[0]
    layer = layer_class(units, dtype=str(kernel.dtype), **kwargs)
    layer.build((None, None, kernel.shape[0]))
    layer.set_weights([np.asarray(w, dtype=kernel.dtype) for w in weights])
    return layer


def lstm(kernel, recurrent_kernel, bias, **kwargs):
    """A built ``keras.layers.LSTM`` holding rnnlib's LSTM weights (chapter 8).

    kernel (n_inputs, 4n), recurrent_kernel (n, 4n), bias (4n,): the layout of
    :mod:`rnnlib.lstm`, which is Keras's, so they are copied unchanged.
    ``kwargs`` go to ``LSTM`` (``return_sequences``, ``return_state``...).
    """
    from .lstm import N_GATES, check_gate_weights

    return _gated(keras.layers.LSTM, check_gate_weights(kernel, recurrent_kernel, bias, N_GATES), **kwargs)


def gru(kernel, recurrent_kernel, bias, **kwargs):
    """A built ``keras.layers.GRU`` (``reset_after=True``) holding rnnlib's GRU weights.

    kernel (n_inputs, 3n), recurrent_kernel (n, 3n), bias (2, 3n), as in
    :mod:`rnnlib.gru`.
    """
    from .gru import check_gru_weights

    if not kwargs.get("reset_after", True):
        raise ValueError("rnnlib.gru computes the reset_after=True form; a reset_after=False layer differs")
    return _gated(keras.layers.GRU, check_gru_weights(kernel, recurrent_kernel, bias), **kwargs)
