"""Chapter 2: a layer of recurrent neurons, for a whole mini-batch.

    Y(t) = phi(X(t) W_x + Y(t-1) W_y + b)                          (eq. 2.1)
         = phi([X(t) Y(t-1)] W + b)   with   W = [W_x; W_y]         (eq. 2.2)

Shapes (m instances, n_inputs inputs, n_neurons neurons):

==========  ============================
X(t)        (m, n_inputs)
Y(t)        (m, n_neurons)
W_x         (n_inputs, n_neurons)
W_y         (n_neurons, n_neurons)
b           (n_neurons,)
W           (n_inputs + n_neurons, n_neurons)  -- W_x stacked on top of W_y
X           (m, T, n_inputs)                   -- a batch of sequences
==========  ============================

These are the same conventions as ``keras.layers.SimpleRNN``: its ``kernel``
is ``W_x``, its ``recurrent_kernel`` is ``W_y`` and its ``bias`` is ``b``.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import get_activation


def check_layer_params(W_x, W_y, b):
    """Validate ``(W_x, W_y, b)`` against each other; return them as arrays."""
    W_x = as_float_array("W_x", W_x, ndim=2)
    n_inputs, n_neurons = W_x.shape
    W_y = as_float_array("W_y", W_y, ndim=2)
    check_shape("W_y", W_y, (n_neurons, n_neurons), "(n_neurons, n_neurons)")
    b = as_float_array("b", b, ndim=1)
    check_shape("b", b, (n_neurons,), "(n_neurons,)")
    return W_x, W_y, b


def init_layer_params(n_inputs, n_neurons, seed=None, dtype=np.float64):
    """Random ``(W_x, W_y, b)`` for a layer, as Keras initialises ``SimpleRNN``.

    ``W_x`` is Glorot-uniform, ``W_y`` is orthogonal (every singular value 1,
    so the state neither explodes nor vanishes at the start) and ``b`` is 0.
    """
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_inputs + n_neurons))
    W_x = rng.uniform(-limit, limit, size=(n_inputs, n_neurons))
    q, r = np.linalg.qr(rng.standard_normal((n_neurons, n_neurons)))
    W_y = q * np.sign(np.diag(r))
    b = np.zeros(n_neurons)
    return W_x.astype(dtype), W_y.astype(dtype), b.astype(dtype)


def layer_step(X_t, Y_prev, W_x, W_y, b, activation="tanh"):
    """One step of eq. 2.1 for a mini-batch; returns ``Y(t)`` (m, n_neurons)."""
    W_x, W_y, b = check_layer_params(W_x, W_y, b)
    n_inputs, n_neurons = W_x.shape
    X_t = as_float_array("X_t", X_t, ndim=2)
    m = X_t.shape[0]
    check_shape("X_t", X_t, (m, n_inputs), "(m, n_inputs)")
    Y_prev = as_float_array("Y_prev", Y_prev, ndim=2)
    check_shape("Y_prev", Y_prev, (m, n_neurons), "(m, n_neurons)")
    phi = get_activation(activation).forward
    return phi(X_t @ W_x + Y_prev @ W_y + b)


def concat_weights(W_x, W_y):
    """``W = [W_x; W_y]``: stack ``W_x`` on top of ``W_y`` (eq. 2.2).

    Returns W of shape (n_inputs + n_neurons, n_neurons).
    """
    W_x = as_float_array("W_x", W_x, ndim=2)
    W_y = as_float_array("W_y", W_y, ndim=2)
    n_neurons = W_x.shape[1]
    check_shape("W_y", W_y, (n_neurons, n_neurons), "(n_neurons, n_neurons)")
    return np.vstack([W_x, W_y])


def split_weights(W, n_inputs):
    """Inverse of :func:`concat_weights`: ``W -> (W_x, W_y)``.

    W must have shape (n_inputs + n_neurons, n_neurons).
    """
    W = as_float_array("W", W, ndim=2)
    n_neurons = W.shape[1]
    check_shape("W", W, (n_inputs + n_neurons, n_neurons), "(n_inputs + n_neurons, n_neurons)")
    return W[:n_inputs], W[n_inputs:]


def layer_step_concat(X_t, Y_prev, W, b, activation="tanh"):
    """One step of eq. 2.2: ``phi([X(t) Y(t-1)] W + b)``; returns (m, n_neurons)."""
    W = as_float_array("W", W, ndim=2)
    X_t = as_float_array("X_t", X_t, ndim=2)
    Y_prev = as_float_array("Y_prev", Y_prev, ndim=2)
    n_neurons = W.shape[1]
    check_shape("Y_prev", Y_prev, (X_t.shape[0], n_neurons), "(m, n_neurons)")
    check_shape("W", W, (X_t.shape[1] + n_neurons, n_neurons), "(n_inputs + n_neurons, n_neurons)")
    b = check_shape("b", as_float_array("b", b, ndim=1), (n_neurons,), "(n_neurons,)")
    phi = get_activation(activation).forward
    return phi(np.hstack([X_t, Y_prev]) @ W + b)


def check_sequence_batch(X, n_inputs, name="X"):
    """Validate a batch of sequences ``X`` of shape (m, T, n_inputs)."""
    X = as_float_array(name, X, ndim=3)
    m, T, _ = X.shape
    check_shape(name, X, (m, T, n_inputs), "(m, T, n_inputs)")
    if T == 0:
        raise ValueError(f"{name} must have at least one time step, got shape {X.shape}")
    return X


def check_initial_state(h0, m, n_neurons, dtype):
    """``h0`` or zeros, as an (m, n_neurons) array of ``dtype``."""
    if h0 is None:
        return np.zeros((m, n_neurons), dtype=dtype)
    h0 = as_float_array("h0", h0, ndim=2)
    return check_shape("h0", h0, (m, n_neurons), "(m, n_neurons)")


def unroll_layer(X, W_x, W_y, b, h0=None, activation="tanh"):
    """Run eq. 2.1 over every step of ``X`` (m, T, n_inputs).

    Starts from ``h0`` (m, n_neurons), zeros by default, and returns
    ``(Y, h_T)``: all outputs (m, T, n_neurons) and the final state
    (m, n_neurons), which equals ``Y[:, -1]``.

    ``X(t) W_x`` does not depend on the previous step, so it is computed for
    every step in one matrix product; only ``Y(t-1) W_y`` must wait.
    """
    W_x, W_y, b = check_layer_params(W_x, W_y, b)
    X = check_sequence_batch(X, W_x.shape[0])
    m, T, _ = X.shape
    dtype = np.result_type(X, W_x, W_y, b)
    h = check_initial_state(h0, m, W_x.shape[1], dtype)
    phi = get_activation(activation).forward
    XW = X @ W_x + b  # (m, T, n_neurons): the input part of every step
    Y = np.empty(XW.shape, dtype=dtype)
    for t in range(T):
        h = phi(XW[:, t] + h @ W_y)
        Y[:, t] = h
    return Y, h
