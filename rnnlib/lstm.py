"""Chapter 8: the LSTM cell (Hochreiter & Schmidhuber 1997), forward and backward.

The cell keeps two states, a short-term state ``h(t)`` (which is also its
output) and a long-term cell state ``c(t)``. Four gates are computed from the
input and the previous short-term state, in Keras's order i, f, g, o:

    a(t) = x(t) W_x + h(t-1) W_h + b = [a_i  a_f  a_g  a_o]         (eq. 8.1)
    i(t) = sigma(a_i)    input gate: how much of g(t) is written
    f(t) = sigma(a_f)    forget gate: how much of c(t-1) is kept
    g(t) = tanh(a_g)     the candidate to write
    o(t) = sigma(a_o)    output gate: how much of the memory is read out (eq. 8.2)
    c(t) = f(t) * c(t-1) + i(t) * g(t)                               (eq. 8.3)
    h(t) = o(t) * tanh(c(t)),      Y_hat(t) = h(t)                   (eq. 8.4)

(``*`` is the element-wise product, ``sigma`` the logistic function.)

Weights are in Keras's layout, so they copy to and from
``keras.layers.LSTM`` with ``set_weights``/``get_weights`` unchanged:

================  ===================  ===========================================
kernel            (n_inputs, 4n)       W_x: the four gates' input weights, side by side
recurrent_kernel  (n, 4n)              W_h: the four gates' recurrent weights
bias              (4n,)                b (Keras starts b_f at 1: ``unit_forget_bias``)
x(t)              (m, n_inputs)        one step of a batch; X is (m, T, n_inputs)
h(t), c(t)        (m, n)               n = units
================  ===================  ===========================================

Backward pass (BPTT through the gates). With ``dh(t)`` the gradient reaching
``h(t)`` (from the loss and from step t+1) and ``dc(t)`` the one reaching
``c(t)`` from step t+1:

    dc(t)  += dh(t) * o(t) * (1 - tanh(c(t))**2)                     (eq. 8.10)
    da_o = dh(t) * tanh(c(t)) * o(1-o)     da_i = dc(t) * g * i(1-i)
    da_g = dc(t) * i * (1 - g**2)          da_f = dc(t) * c(t-1) * f(1-f)
    dc(t-1) = dc(t) * f(t)                                           (eq. 8.11)
    dh(t-1) = da(t) W_h^T                                            (eq. 8.12)

and, as in chapter 5's BPTT, the shared weights add up every step's share:
``dW_x = sum_t x(t)^T da(t)``, ``dW_h = sum_t h(t-1)^T da(t)``,
``db = sum_t sum_rows da(t)``. Eq. 8.11 is why gates help: along the cell
state, the gradient is multiplied by the forget gate only, element by
element, with no weight matrix and no ``tanh'`` in the way.

Decision: the forward pass keeps every step's gates (4 arrays of (T, m, n))
rather than recomputing them in the backward pass; it costs memory
proportional to T, which is what BPTT needs anyway for h(t) and c(t).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import ACTIVATIONS
from .layer import check_sequence_batch

_sigmoid = ACTIVATIONS["sigmoid"].forward

N_GATES = 4  #: i, f, g, o
GATES = ("i", "f", "g", "o")  #: Keras's order of the gate blocks in kernel, recurrent_kernel, bias


def check_gate_weights(kernel, recurrent_kernel, bias, n_gates, bias_shape=None, layer="LSTM"):
    """Validate Keras-layout gate weights; return them as arrays.

    kernel: (n_inputs, n_gates * n); recurrent_kernel: (n, n_gates * n);
    bias: (n_gates * n,) or ``bias_shape(n)`` when given (the GRU's (2, 3n)).
    The messages name the expected shape, e.g. ``recurrent_kernel must have
    shape (n, 4n) = (5, 20), got (20, 5): did you transpose recurrent_kernel?``
    """
    kernel = as_float_array("kernel", kernel, ndim=2)
    if kernel.shape[1] % n_gates:
        raise ValueError(
            f"kernel must have shape (n_inputs, {n_gates}n) for an {layer} "
            f"({n_gates} gates side by side), got {kernel.shape}: "
            f"{kernel.shape[1]} columns is not a multiple of {n_gates}"
        )
    n = kernel.shape[1] // n_gates
    recurrent_kernel = as_float_array("recurrent_kernel", recurrent_kernel, ndim=2)
    check_shape("recurrent_kernel", recurrent_kernel, (n, n_gates * n), f"(n, {n_gates}n)")
    if bias_shape is None:
        bias = as_float_array("bias", bias, ndim=1)
        check_shape("bias", bias, (n_gates * n,), f"({n_gates}n,)")
    else:
        expected, names = bias_shape(n)
        bias = check_shape("bias", as_float_array("bias", bias), expected, names)
    return kernel, recurrent_kernel, bias


def check_state(name, state, m, n, dtype):
    """``state`` (m, n) as an array of ``dtype``, or zeros when it is None."""
    if state is None:
        return np.zeros((m, n), dtype=dtype)
    state = as_float_array(name, state, ndim=2)
    return check_shape(name, state, (m, n), "(m, n)").astype(dtype, copy=False)


def time_major(X, kernel, recurrent_kernel, bias):
    """The start of every unroll: ``X`` (m, T, n_inputs) checked against ``kernel``,
    returned time-major (T, m, n_inputs), with the weights, all in one dtype
    (float32 only when everything is float32)."""
    X = check_sequence_batch(X, kernel.shape[0])
    dtype = np.result_type(X, kernel, recurrent_kernel, bias)
    X_tm = np.ascontiguousarray(X.transpose(1, 0, 2), dtype=dtype)
    return (X_tm, *(w.astype(dtype, copy=False) for w in (kernel, recurrent_kernel, bias)))


def _gates(a, n):
    """eq. 8.2 applied to a (..., 4n): returns i, f, g, o, each (..., n)."""
    i = _sigmoid(a[..., :n])
    f = _sigmoid(a[..., n : 2 * n])
    g = np.tanh(a[..., 2 * n : 3 * n])
    o = _sigmoid(a[..., 3 * n :])
    return i, f, g, o


def _gates_in_place(a, n):
    """eq. 8.2 on a (m, 4n), in place: the blocks become i, f, g, o."""
    a[:, : 2 * n] = _sigmoid(a[:, : 2 * n])
    np.tanh(a[:, 2 * n : 3 * n], out=a[:, 2 * n : 3 * n])
    a[:, 3 * n :] = _sigmoid(a[:, 3 * n :])


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step, eq. 8.1-8.4; returns ``(h, c)``, each (m, n).

    x_t: (m, n_inputs); h_prev, c_prev: (m, n); kernel: (n_inputs, 4n);
    recurrent_kernel: (n, 4n); bias: (4n,), gate blocks in the order i, f, g, o.
    """
    kernel, recurrent_kernel, bias = check_gate_weights(kernel, recurrent_kernel, bias, N_GATES)
    n_inputs, n = kernel.shape[0], recurrent_kernel.shape[0]
    x_t = as_float_array("x_t", x_t, ndim=2)
    m = x_t.shape[0]
    check_shape("x_t", x_t, (m, n_inputs), "(m, n_inputs)")
    h_prev = check_shape("h_prev", as_float_array("h_prev", h_prev, ndim=2), (m, n), "(m, n)")
    c_prev = check_shape("c_prev", as_float_array("c_prev", c_prev, ndim=2), (m, n), "(m, n)")
    i, f, g, o = _gates(x_t @ kernel + h_prev @ recurrent_kernel + bias, n)  # eq. 8.1-8.2
    c = f * c_prev + i * g  # eq. 8.3
    h = o * np.tanh(c)  # eq. 8.4
    return h, c


class LSTMCache(NamedTuple):
    """What :func:`lstm_forward` keeps for :func:`lstm_backward` (time-major)."""

    X_tm: np.ndarray  #: (T, m, n_inputs)
    kernel: np.ndarray  #: (n_inputs, 4n)
    recurrent_kernel: np.ndarray  #: (n, 4n)
    H: np.ndarray  #: (T + 1, m, n): H[0] = h0, H[t + 1] = h(t)
    C: np.ndarray  #: (T + 1, m, n): C[0] = c0, C[t + 1] = c(t)
    gates: np.ndarray  #: (T, m, 4n): i, f, g, o of every step, after their activations


def lstm_forward(X, kernel, recurrent_kernel, bias, h0=None, c0=None):
    """Unroll the LSTM over ``X`` (eq. 8.1-8.4); return ``(H, h_T, c_T, cache)``.

    X: (m, T, n_inputs); h0, c0: (m, n), zeros by default. Returns the outputs
    H (m, T, n) (Keras's ``return_sequences=True``), the final states h_T and
    c_T (m, n) (Keras's ``return_state=True`` gives ``[H or h_T, h_T, c_T]``)
    and the cache for :func:`lstm_backward`. Float32 inputs and weights give
    float32 results.

    ``X W_x + b`` does not wait for the previous step, so it is computed for
    every step in one product; only ``h(t-1) W_h`` is inside the loop.
    """
    weights = check_gate_weights(kernel, recurrent_kernel, bias, N_GATES)
    X_tm, kernel, recurrent_kernel, bias = time_major(X, *weights)
    T, m, _ = X_tm.shape
    n, dtype = recurrent_kernel.shape[0], X_tm.dtype
    H = np.empty((T + 1, m, n), dtype=dtype)
    C = np.empty((T + 1, m, n), dtype=dtype)
    H[0] = check_state("h0", h0, m, n, dtype)
    C[0] = check_state("c0", c0, m, n, dtype)
    gates = X_tm @ kernel + bias  # (T, m, 4n): the input part of eq. 8.1
    for t in range(T):
        a = gates[t]
        a += H[t] @ recurrent_kernel  # eq. 8.1
        _gates_in_place(a, n)  # eq. 8.2; a now holds i, f, g, o, kept for backward
        i, f, g, o = (a[:, k * n : (k + 1) * n] for k in range(N_GATES))
        np.add(f * C[t], i * g, out=C[t + 1])  # eq. 8.3
        np.multiply(o, np.tanh(C[t + 1]), out=H[t + 1])  # eq. 8.4
    Y = H[1:].transpose(1, 0, 2).copy()
    return Y, H[T].copy(), C[T].copy(), LSTMCache(X_tm, kernel, recurrent_kernel, H, C, gates)


def _bptt(dH, cache, dh_T, dc_T):
    """eq. 8.10-8.12 over every step; returns (grads, dh_steps, dc_steps).

    dh_steps[t] and dc_steps[t] (T, m, n) are dL/dh(t) and dL/dc(t), every
    path included (what :func:`state_gradients` reports).
    """
    X_tm, kernel, recurrent_kernel, H, C, gates = cache
    T, m, n = H.shape[0] - 1, H.shape[1], H.shape[2]
    dtype = H.dtype
    dH = check_shape("dH", as_float_array("dH", dH, ndim=3), (m, T, n), "(m, T, n)")
    dH_tm = dH.astype(dtype, copy=False).transpose(1, 0, 2)
    dh = check_state("dh_T", dh_T, m, n, dtype).copy()  # from after the last step
    dc = check_state("dc_T", dc_T, m, n, dtype).copy()
    i, f, g, o = (gates[..., k * n : (k + 1) * n] for k in range(N_GATES))
    tanh_c = np.tanh(C[1:])
    da = np.empty_like(gates)  # (T, m, 4n)
    dh_steps = np.empty_like(H[1:])
    dc_steps = np.empty_like(C[1:])
    dW_h = np.zeros_like(recurrent_kernel)
    W_hT = np.ascontiguousarray(recurrent_kernel.T)
    for t in reversed(range(T)):
        dh += dH_tm[t]
        dh_steps[t] = dh
        dc += dh * o[t] * (1.0 - tanh_c[t] ** 2)  # eq. 8.10
        dc_steps[t] = dc
        da[t, :, :n] = dc * g[t] * i[t] * (1.0 - i[t])
        da[t, :, n : 2 * n] = dc * C[t] * f[t] * (1.0 - f[t])
        da[t, :, 2 * n : 3 * n] = dc * i[t] * (1.0 - g[t] ** 2)
        da[t, :, 3 * n :] = dh * tanh_c[t] * o[t] * (1.0 - o[t])
        dc *= f[t]  # eq. 8.11
        dW_h += H[t].T @ da[t]
        dh = da[t] @ W_hT  # eq. 8.12
    da_flat = da.reshape(T * m, N_GATES * n)
    grads = {
        "kernel": X_tm.reshape(T * m, -1).T @ da_flat,
        "recurrent_kernel": dW_h,
        "bias": da_flat.sum(axis=0),
        "X": (da @ kernel.T).transpose(1, 0, 2),
        "h0": dh,
        "c0": dc,
    }
    return grads, dh_steps, dc_steps


def lstm_backward(dH, cache, dh_T=None, dc_T=None):
    """BPTT through the LSTM (eq. 8.10-8.12); returns a dict of gradients.

    dH: (m, T, n), the loss's gradient with respect to each output h(t)
    (zeros where the loss ignores an output). dh_T, dc_T: (m, n), gradients
    reaching the final states from outside (a later layer using
    ``return_state``), zeros by default. ``cache`` comes from :func:`lstm_forward`.

    Keys and shapes: ``kernel`` (n_inputs, 4n), ``recurrent_kernel`` (n, 4n),
    ``bias`` (4n,), ``X`` (m, T, n_inputs), ``h0`` (m, n), ``c0`` (m, n).
    Only the first three are parameters: give those to an optimizer (or to
    :func:`rnnlib.clipping.clip_by_norm`).
    """
    return _bptt(dH, cache, dh_T, dc_T)[0]


def state_gradients(dH, cache):
    """``(dh, dc)``, each (m, T, n): dL/dh(t) and dL/dc(t) for every step.

    The same backward pass as :func:`lstm_backward`; chapter 8 plots the
    norms of these (as chapter 5 did for the basic layer).
    """
    _, dh_steps, dc_steps = _bptt(dH, cache, None, None)
    return dh_steps.transpose(1, 0, 2), dc_steps.transpose(1, 0, 2)


def init_lstm_weights(n_inputs, n, seed=None, dtype=np.float64, forget_bias=1.0):
    """Random ``(kernel, recurrent_kernel, bias)`` as Keras initialises ``LSTM``.

    kernel Glorot-uniform (n_inputs, 4n); recurrent_kernel orthogonal (n, 4n)
    (Keras makes one orthogonal (n, 4n) matrix, i.e. orthonormal rows);
    bias zeros except the forget gate's block, ``forget_bias`` (Keras's
    ``unit_forget_bias=True`` is 1).
    """
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_inputs + N_GATES * n))
    kernel = rng.uniform(-limit, limit, size=(n_inputs, N_GATES * n))
    q, r = np.linalg.qr(rng.standard_normal((N_GATES * n, n)))
    recurrent_kernel = (q * np.sign(np.diag(r))).T  # (n, 4n), orthonormal rows
    bias = np.zeros(N_GATES * n)
    bias[n : 2 * n] = forget_bias
    return kernel.astype(dtype), recurrent_kernel.astype(dtype), bias.astype(dtype)
