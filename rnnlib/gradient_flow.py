"""Chapter 5: vanishing and exploding gradients, measured.

When the loss looks only at the last output, BPTT carries its gradient back
one step at a time (eq. 5.5-5.6 of :mod:`rnnlib.bptt`):

    dh(t-1) = (dh(t) * phi'(z(t))) W_y^T

Each step multiplies by ``W_y^T`` (and by ``phi' <= 1`` for tanh), so after
``k`` steps the gradient has been multiplied ``k`` times. If the largest
eigenvalue modulus of ``W_y`` (its *spectral radius*) is below 1 the norm of
``dh`` shrinks geometrically (vanishing gradients); above 1, with an
activation that does not squash (identity, or ReLU in its linear region), it
grows geometrically (exploding gradients).
"""
from __future__ import annotations

import numpy as np

from . import bptt
from ._checks import as_float_array
from .layer import check_layer_params


def recurrent_matrix(n_neurons, spectral_radius, seed=None, dtype=np.float64):
    """A random ``W_y`` (n_neurons, n_neurons) with the given spectral radius.

    It is a random orthogonal matrix times ``spectral_radius``: every
    eigenvalue then has modulus ``spectral_radius`` and so does every singular
    value, so multiplying by it scales *any* vector's norm by exactly
    ``spectral_radius``. (A general matrix with that spectral radius would
    reach the same rate only after a transient.)
    """
    if int(n_neurons) < 1:
        raise ValueError(f"n_neurons must be at least 1, got {n_neurons}")
    if not float(spectral_radius) >= 0:
        raise ValueError(f"spectral_radius must be >= 0, got {spectral_radius}")
    rng = np.random.default_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((int(n_neurons), int(n_neurons))))
    q = q * np.sign(np.diag(r))  # a uniformly random orthogonal matrix
    return (float(spectral_radius) * q).astype(dtype)


def spectral_radius(W_y):
    """The largest modulus of the eigenvalues of the square matrix ``W_y``."""
    W_y = as_float_array("W_y", W_y, ndim=2)
    if W_y.shape[0] != W_y.shape[1]:
        raise ValueError(f"W_y must be square (n_neurons, n_neurons), got {W_y.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W_y))))


def state_gradient_norms(W_y, X, W_x, b=None, h0=None, activation="tanh"):
    """Norms of dL/dh(t) as ``t`` moves back from the last step.

    The loss is the sum of the last outputs, ``L = sum(Y(T-1))``, so the
    gradient enters only at the last step (``dY(T-1) = 1``, every other
    ``dY(t) = 0``) and everything earlier is what BPTT carried back.

    X: (m, T, n_inputs); W_x: (n_inputs, n_neurons); W_y: (n_neurons, n_neurons);
    b: (n_neurons,), zeros by default; h0: (m, n_neurons), zeros by default.

    Returns ``norms`` of shape (T,): ``norms[k]`` is the Frobenius norm (over
    the batch and the neurons) of dL/dh(T-1-k), the state ``k`` steps back
    from the end; ``norms[0]`` is ``sqrt(m * n_neurons)``.
    """
    W_x = as_float_array("W_x", W_x, ndim=2)
    if b is None:
        b = np.zeros(W_x.shape[1], dtype=W_x.dtype)
    W_x, W_y, b = check_layer_params(W_x, W_y, b)
    Y, cache = bptt.forward(X, W_x, W_y, b, h0=h0, activation=activation)
    dY = np.zeros(Y.shape, dtype=Y.dtype)
    dY[:, -1] = 1.0
    dh = bptt.backward(dY, cache).h  # (m, T, n_neurons)
    norms = np.sqrt(np.sum(dh.astype(np.float64) ** 2, axis=(0, 2)))  # one per step
    return norms[::-1]


def cell_state_gradient_norms(cell, X, *weights, h0=None):
    """Chapter 8: the measurement of :func:`state_gradient_norms` for any cell.

    ``cell`` is "simple_rnn" (weights ``W_x, W_y, b``, tanh), "lstm"
    (``kernel, recurrent_kernel, bias`` of :mod:`rnnlib.lstm`) or "gru"
    (those of :mod:`rnnlib.gru`). X: (m, T, n_inputs). The loss is again
    ``L = sum(Y_hat(T-1))``; returns ``norms`` (T,), ``norms[k]`` the
    Frobenius norm of dL/dh(T-1-k). For the LSTM, dL/dh(t) counts every path
    back to h(t), the one through the cell state c included (eq. 8.11).
    """
    from . import gru, lstm

    if cell == "simple_rnn":
        W_x, W_y, b = weights
        return state_gradient_norms(W_y, X, W_x, b, h0=h0)
    if cell == "lstm":
        H, _, _, cache = lstm.lstm_forward(X, *weights, h0=h0)
        state_grads = lambda dH: lstm.state_gradients(dH, cache)[0]  # noqa: E731
    elif cell == "gru":
        H, _, cache = gru.gru_forward(X, *weights, h0=h0)
        state_grads = lambda dH: gru.state_gradients(dH, cache)  # noqa: E731
    else:
        raise ValueError(f"cell must be 'simple_rnn', 'lstm' or 'gru', got {cell!r}")
    dH = np.zeros(H.shape, dtype=H.dtype)
    dH[:, -1] = 1.0
    dh = state_grads(dH)
    return np.sqrt(np.sum(dh.astype(np.float64) ** 2, axis=(0, 2)))[::-1]
