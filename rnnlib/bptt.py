"""Chapter 5: backpropagation through time (BPTT) for the recurrent layer.

Forward pass (chapter 2, eq. 2.1), for t = 0, ..., T-1 and h(-1) = h0:

    z(t) = X(t) W_x + h(t-1) W_y + b                                (eq. 5.1)
    h(t) = phi(z(t)),     Y(t) = h(t)                               (eq. 5.2)

Backward pass. ``dY(t)`` is the gradient of the loss with respect to the
output ``Y(t)`` (zero where the loss ignores that output). Going back in time:

    dh(t) = dY(t) + dz(t+1) W_y^T          (dz(T) = 0)              (eq. 5.5)
    dz(t) = dh(t) * phi'(z(t))                                      (eq. 5.6)
    dX(t) = dz(t) W_x^T,      dh0 = dz(0) W_y^T                     (eq. 5.7)

The same ``W_x``, ``W_y`` and ``b`` are used at every step, so their gradients
are sums over the steps:

    dW_x = sum_t X(t)^T dz(t)     dW_y = sum_t h(t-1)^T dz(t)
    db   = sum_t sum_i dz(t)[i]                                      (eq. 5.8)

Shapes (m instances, T steps):

==========  ==========================  ====================================
X, dX       (m, T, n_inputs)            the inputs and their gradient
Y, dY       (m, T, n_neurons)           the outputs and the loss gradient
W_x         (n_inputs, n_neurons)       same conventions as rnnlib.layer
W_y         (n_neurons, n_neurons)
b           (n_neurons,)
h0, dh0     (m, n_neurons)              initial state and its gradient
==========  ==========================  ====================================

Speed: internally the states are stored time-major, ``states`` of shape
(T + 1, m, n_neurons) with ``states[0] = h0`` and ``states[t + 1] = h(t)``, so each
step reads and writes one contiguous block, and every step works on the whole
mini-batch at once. Everything that does not have to wait for the previous
(or next) step is computed for all steps at once, outside the loop over time:
``X W_x + b``, ``phi'``, ``dX``, ``dW_x`` and ``db``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import Activation, get_activation
from .layer import check_initial_state, check_layer_params, check_sequence_batch


class Cache(NamedTuple):
    """What :func:`forward` keeps for :func:`backward`."""

    X_tm: np.ndarray  #: (T, m, n_inputs): the inputs, time-major
    W_x: np.ndarray  #: (n_inputs, n_neurons)
    W_y: np.ndarray  #: (n_neurons, n_neurons)
    states: np.ndarray  #: (T + 1, m, n_neurons): states[0] = h0, states[t + 1] = h(t)
    activation: Activation


class Gradients(NamedTuple):
    """Gradients of the loss returned by :func:`backward` (same shapes as the values)."""

    W_x: np.ndarray  #: (n_inputs, n_neurons)
    W_y: np.ndarray  #: (n_neurons, n_neurons)
    b: np.ndarray  #: (n_neurons,)
    X: np.ndarray  #: (m, T, n_inputs)
    h0: np.ndarray  #: (m, n_neurons)
    #: (m, T, n_neurons): dL/dh(t) for every step, eq. 5.5 (chapter 5 plots its norm)
    h: np.ndarray


def _phi_in_place(activation):
    """``phi`` applied in place to an array (no new array per step)."""
    if activation.name == "tanh":
        return lambda a: np.tanh(a, out=a)
    if activation.name == "relu":
        return lambda a: np.maximum(a, 0, out=a)
    if activation.name == "identity":
        return lambda a: a

    def generic(a):
        a[...] = activation.forward(a)
        return a

    return generic


def forward(X, W_x, W_y, b, h0=None, activation="tanh"):
    """Unroll the layer over ``X`` (eq. 5.1-5.2); return ``(Y, cache)``.

    X: (m, T, n_inputs); W_x: (n_inputs, n_neurons); W_y: (n_neurons, n_neurons);
    b: (n_neurons,); h0: (m, n_neurons), zeros by default. ``activation`` is
    "tanh", "relu" or "identity" (any name known to :mod:`rnnlib.activations`).

    Y is (m, T, n_neurons), the same values as :func:`rnnlib.layer.unroll_layer`
    (its final state is ``Y[:, -1]``). It is a read-only view of the states
    kept in ``cache``, which :func:`backward` needs. Float32 inputs give
    float32 results; mixing float32 and float64 gives float64.
    """
    W_x, W_y, b = check_layer_params(W_x, W_y, b)
    X = check_sequence_batch(X, W_x.shape[0])
    m, T, _ = X.shape
    n_neurons = W_x.shape[1]
    dtype = np.result_type(X, W_x, W_y, b)
    W_x, W_y, b = W_x.astype(dtype, copy=False), W_y.astype(dtype, copy=False), b.astype(dtype, copy=False)
    activation = get_activation(activation)
    phi = _phi_in_place(activation)

    X_tm = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=dtype)  # (T, m, n_inputs)
    H = np.empty((T + 1, m, n_neurons), dtype=dtype)
    H[0] = check_initial_state(h0, m, n_neurons, dtype)
    XW = X_tm @ W_x  # X(t) W_x for every step at once: (T, m, n_neurons)
    XW += b
    for t in range(T):
        z = np.matmul(H[t], W_y, out=H[t + 1])  # h(t-1) W_y ...
        z += XW[t]  # ... + X(t) W_x + b = z(t)
        phi(z)  # h(t) = phi(z(t)), in place
    Y = H[1:].transpose(1, 0, 2)
    Y.flags.writeable = False  # a view of the cache: editing it would corrupt backward
    return Y, Cache(X_tm, W_x, W_y, H, activation)


def _check_truncate(truncate):
    if truncate is None:
        return None
    if isinstance(truncate, bool) or not isinstance(truncate, (int, np.integer)) or truncate < 0:
        raise ValueError(f"truncate must be None or an integer >= 0, got {truncate!r}")
    return int(truncate)


def backward(dY, cache, truncate=None):
    """Backpropagation through time: the gradients of the loss (eq. 5.5-5.8).

    dY: (m, T, n_neurons), the gradient of the loss with respect to each
    output ``Y(t)``; put zeros where the loss ignores an output (for example
    ``dY[:, :2] = 0`` when only the last 3 of 5 steps count): those steps then
    add nothing. ``cache`` comes from :func:`forward`.

    Returns :class:`Gradients` ``(W_x, W_y, b, X, h0, h)``, each with the
    shape of the matching value and the cache's dtype (``dY`` is cast to it);
    ``h`` (m, T, n_neurons) holds dL/dh(t).

    ``truncate=None`` is full BPTT. ``truncate=k`` (an integer >= 0) is
    truncated BPTT: the gradient that enters at output step t, ``dY(t)``, is
    propagated back through at most ``k`` recurrent connections (products with
    ``W_y^T``). It reaches ``dz(s)`` only for ``t - k <= s <= t``, and so adds
    to ``dW_x``, ``dW_y``, ``db`` and ``dX`` only through those steps; it
    reaches ``dh0`` only if ``t + 1 <= k``. ``truncate=0`` keeps each step's
    direct effect and ignores every path through earlier states; any
    ``k >= T`` is the same as full BPTT. Each ``dY(t)`` gets its own window
    (they do not share chunk boundaries), so the cost grows with ``k``. With
    truncation, ``h[:, s]`` is the part of dL/dh(s) that is within reach.
    """
    X_tm, W_x, W_y, H, activation = cache
    T, m, n_neurons = H.shape[0] - 1, H.shape[1], H.shape[2]
    dtype = H.dtype
    dY = as_float_array("dY", dY, ndim=3)
    check_shape("dY", dY, (m, T, n_neurons), "(m, T, n_neurons)")
    dY_tm = dY.astype(dtype, copy=False).transpose(1, 0, 2)  # (T, m, n_neurons) view
    truncate = _check_truncate(truncate)
    if truncate is not None and truncate >= T:
        truncate = None  # a window longer than the sequence truncates nothing

    # phi'(z(t)) for every step at once, from the stored outputs h(t).
    dphi = activation.derivative_from_output(H[1:]).astype(dtype, copy=False)
    W_yT = np.ascontiguousarray(W_y.T)
    dz = np.empty_like(H[1:])  # dz[t] = dL/dz(t)
    dh = np.empty_like(H[1:])  # dh[t] = dL/dh(t)
    dW_y = np.zeros_like(W_y)
    if truncate is None:
        back = np.zeros((m, n_neurons), dtype=dtype)  # dL/dh(t) arriving from step t+1
        for t in reversed(range(T)):
            np.add(dY_tm[t], back, out=dh[t])  # eq. 5.5
            np.multiply(dh[t], dphi[t], out=dz[t])  # eq. 5.6
            dW_y += H[t].T @ dz[t]  # W_y is shared: add this step's share (eq. 5.8)
            np.matmul(dz[t], W_yT, out=back)  # on to h(t-1)
        dh0 = back
    else:
        dh0 = _backward_truncated(dY_tm, dphi, H, W_yT, truncate, dz, dh, dW_y)

    # The other shared weights: the sums over t of eq. 5.8 done as one product
    # over all (t, instance) rows: sum_t X(t)^T dz(t) = X_flat^T dz_flat.
    dz_flat = dz.reshape(T * m, n_neurons)
    dW_x = X_tm.reshape(T * m, -1).T @ dz_flat
    db = dz_flat.sum(axis=0)
    dX = (dz @ W_x.T).transpose(1, 0, 2)  # eq. 5.7 for every step at once
    return Gradients(dW_x, dW_y, db, dX, dh0, dh.transpose(1, 0, 2))


def _backward_truncated(dY_tm, dphi, H, W_yT, k, dz, dh, dW_y):
    """The loop of :func:`backward` with ``truncate=k < T``; returns dh0.

    Gradients that entered at different output steps must be stopped at
    different times, so they are kept apart: ``D[j]`` (m, n_neurons) holds the
    part of dL/dh(t) that entered at the output step ``s`` with ``s % (k+1) == j``
    (at most k + 1 of them are in reach at once). All of them are pushed back
    one step with a single matrix product. When the gradient from step ``s``
    would cross its (k+1)-th connection, its slot is overwritten by the
    gradient entering at ``s - k - 1``.
    """
    T, m, n_neurons = dz.shape
    K = k + 1
    D = np.zeros((K, m, n_neurons), dtype=dz.dtype)
    D_next = np.empty_like(D)
    for t in reversed(range(T)):
        D[t % K] = dY_tm[t]  # dY(t) enters; the gradient from t + k + 1 is dropped
        D.sum(axis=0, out=dh[t])  # eq. 5.5, within reach only
        np.multiply(dh[t], dphi[t], out=dz[t])  # eq. 5.6
        dW_y += H[t].T @ dz[t]  # W_y is shared: add this step's share (eq. 5.8)
        D *= dphi[t]  # each slot's dz(t) ...
        np.matmul(D.reshape(K * m, n_neurons), W_yT, out=D_next.reshape(K * m, n_neurons))
        D, D_next = D_next, D  # ... pushed back to h(t-1)
    D[k] = 0  # the gradient from step k has crossed k + 1 connections to reach h0
    return D.sum(axis=0)


def forward_backward(X, W_x, W_y, b, dY, h0=None, activation="tanh", truncate=None):
    """:func:`forward` then :func:`backward`; returns ``(Y, Gradients)``."""
    Y, cache = forward(X, W_x, W_y, b, h0=h0, activation=activation)
    return Y, backward(dY, cache, truncate=truncate)
