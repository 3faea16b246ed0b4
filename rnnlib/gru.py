"""Chapter 8: the GRU cell (Cho et al. 2014), in Keras's ``reset_after=True`` form.

The GRU keeps a single state ``h(t)`` (also its output) and two gates, in
Keras's order z, r, then the candidate h~:

    a_x(t) = x(t) W_x + b_x = [ax_z  ax_r  ax_h]                     (eq. 8.5)
    a_h(t) = h(t-1) W_h + b_h = [ah_z  ah_r  ah_h]                   (eq. 8.6)
    z(t) = sigma(ax_z + ah_z)      update gate
    r(t) = sigma(ax_r + ah_r)      reset gate                        (eq. 8.7)
    h~(t) = tanh(ax_h + r(t) * ah_h)       the candidate state       (eq. 8.8)
    h(t) = z(t) * h(t-1) + (1 - z(t)) * h~(t),    Y_hat(t) = h(t)    (eq. 8.9)

How this differs from the paper (Cho et al. 2014, eq. 5-8):

* **Where the reset gate acts.** The paper resets the state *before* the
  recurrent product, ``h~ = tanh(x W + (r * h(t-1)) U)``; Keras's default
  ``reset_after=True`` (the cuDNN form) applies it *after*,
  ``r * (h(t-1) W_h + b_h)``. Both gate the old state's contribution to the
  candidate, but the numbers differ, so weights trained in one form are not
  right for the other. Resetting after the product lets ``h(t-1) W_h`` for all
  three blocks be one matrix product, and needs a second bias ``b_h`` inside
  the reset: hence ``bias`` of shape (2, 3n), rows ``b_x`` and ``b_h``.
* **Which side z keeps.** Here, as in the paper and Keras, ``z = 1`` *keeps*
  the old state and ``z = 0`` takes the candidate. Some texts (e.g. Chung et
  al. 2014) swap the roles, ``h = (1 - z) h(t-1) + z h~``; the same weights
  then mean the opposite.

Weights, as ``keras.layers.GRU`` stores them (they copy with ``set_weights``):

================  ============  ==============================================
kernel            (n_inputs, 3n)  W_x, the blocks z, r, h side by side
recurrent_kernel  (n, 3n)         W_h
bias              (2, 3n)         row 0 the input bias b_x, row 1 the recurrent bias b_h
x(t)              (m, n_inputs)   X is (m, T, n_inputs)
h(t)              (m, n)          n = units
================  ============  ==============================================

Backward pass. With ``dh(t)`` the gradient reaching ``h(t)``, and ``da_hh``
the gradient of the candidate's pre-activation ``ax_h + r * ah_h``:

    da_z  = dh(t) * (h(t-1) - h~(t)) * z(1-z)
    da_hh = dh(t) * (1 - z) * (1 - h~**2)
    da_r  = da_hh * ah_h * r(1-r)                                     (eq. 8.13)
    dh(t-1) = dh(t) * z(t) + [da_z  da_r  da_hh * r] W_h^T           (eq. 8.14)

and the weights add up every step's share: ``dW_x = sum_t x(t)^T
[da_z da_r da_hh]``, ``dW_h = sum_t h(t-1)^T [da_z da_r da_hh*r]``, the two
bias rows the sums of those two gradients. The first term of eq. 8.14 is the
GRU's gradient highway: multiplied by the gate ``z`` alone.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import ACTIVATIONS
from .lstm import check_gate_weights, check_state, time_major

_sigmoid = ACTIVATIONS["sigmoid"].forward

N_GATES = 3  #: z, r, h
GATES = ("z", "r", "h")  #: Keras's order of the blocks in kernel, recurrent_kernel and each bias row


def _bias_shape(n):
    return (2, N_GATES * n), "(2, 3n): rows b_x and b_h (Keras's reset_after=True)"


def check_gru_weights(kernel, recurrent_kernel, bias):
    """Validate GRU weights (see the module docstring for the shapes)."""
    return check_gate_weights(kernel, recurrent_kernel, bias, N_GATES, _bias_shape, layer="GRU")


def _step(ax, h_prev, recurrent_kernel, b_h, n):
    """eq. 8.6-8.9 from the input part ``ax`` (m, 3n); returns (h, z, r, h~, ah_h)."""
    ah = h_prev @ recurrent_kernel + b_h  # eq. 8.6
    zr = _sigmoid(ax[:, : 2 * n] + ah[:, : 2 * n])  # eq. 8.7
    z, r = zr[:, :n], zr[:, n:]
    ah_h = ah[:, 2 * n :]
    h_cand = np.tanh(ax[:, 2 * n :] + r * ah_h)  # eq. 8.8
    h = z * h_prev + (1.0 - z) * h_cand  # eq. 8.9
    return h, z, r, h_cand, ah_h


def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """One GRU step, eq. 8.5-8.9; returns ``h`` (m, n).

    x_t: (m, n_inputs); h_prev: (m, n); kernel: (n_inputs, 3n);
    recurrent_kernel: (n, 3n); bias: (2, 3n).
    """
    kernel, recurrent_kernel, bias = check_gru_weights(kernel, recurrent_kernel, bias)
    n_inputs, n = kernel.shape[0], recurrent_kernel.shape[0]
    x_t = as_float_array("x_t", x_t, ndim=2)
    m = x_t.shape[0]
    check_shape("x_t", x_t, (m, n_inputs), "(m, n_inputs)")
    h_prev = check_shape("h_prev", as_float_array("h_prev", h_prev, ndim=2), (m, n), "(m, n)")
    return _step(x_t @ kernel + bias[0], h_prev, recurrent_kernel, bias[1], n)[0]


class GRUCache(NamedTuple):
    """What :func:`gru_forward` keeps for :func:`gru_backward` (time-major)."""

    X_tm: np.ndarray  #: (T, m, n_inputs)
    kernel: np.ndarray  #: (n_inputs, 3n)
    recurrent_kernel: np.ndarray  #: (n, 3n)
    H: np.ndarray  #: (T + 1, m, n): H[0] = h0, H[t + 1] = h(t)
    Z: np.ndarray  #: (T, m, n): z(t)
    R: np.ndarray  #: (T, m, n): r(t)
    H_cand: np.ndarray  #: (T, m, n): h~(t)
    AH_h: np.ndarray  #: (T, m, n): ah_h(t) = h(t-1) W_h[:, 2n:] + b_h[2n:]


def gru_forward(X, kernel, recurrent_kernel, bias, h0=None):
    """Unroll the GRU over ``X`` (eq. 8.5-8.9); return ``(H, h_T, cache)``.

    X: (m, T, n_inputs); h0: (m, n), zeros by default. H (m, T, n) is every
    output (Keras's ``return_sequences=True``), h_T (m, n) the final state
    (``return_state=True``). The input part of eq. 8.5 is computed for every
    step in one product before the loop.
    """
    X_tm, kernel, recurrent_kernel, bias = time_major(X, *check_gru_weights(kernel, recurrent_kernel, bias))
    T, m, _ = X_tm.shape
    n, dtype = recurrent_kernel.shape[0], X_tm.dtype
    H = np.empty((T + 1, m, n), dtype=dtype)
    H[0] = check_state("h0", h0, m, n, dtype)
    Z, R, H_cand, AH_h = (np.empty((T, m, n), dtype=dtype) for _ in range(4))
    AX = X_tm @ kernel + bias[0]  # eq. 8.5 for every step: (T, m, 3n)
    for t in range(T):
        H[t + 1], Z[t], R[t], H_cand[t], AH_h[t] = _step(AX[t], H[t], recurrent_kernel, bias[1], n)
    Y = H[1:].transpose(1, 0, 2).copy()
    return Y, H[T].copy(), GRUCache(X_tm, kernel, recurrent_kernel, H, Z, R, H_cand, AH_h)


def _bptt(dH, cache, dh_T):
    """eq. 8.13-8.14 over every step; returns (grads, dh_steps (T, m, n))."""
    X_tm, kernel, recurrent_kernel, H, Z, R, H_cand, AH_h = cache
    T, m, n = Z.shape
    dtype = H.dtype
    dH = check_shape("dH", as_float_array("dH", dH, ndim=3), (m, T, n), "(m, T, n)")
    dH_tm = dH.astype(dtype, copy=False).transpose(1, 0, 2)
    dh = check_state("dh_T", dh_T, m, n, dtype).copy()
    dAX = np.empty((T, m, N_GATES * n), dtype=dtype)  # gradient of a_x(t)
    dAH = np.empty((T, m, N_GATES * n), dtype=dtype)  # gradient of a_h(t)
    dh_steps = np.empty_like(Z)
    W_hT = np.ascontiguousarray(recurrent_kernel.T)
    for t in reversed(range(T)):
        dh += dH_tm[t]
        dh_steps[t] = dh
        z, r, h_cand = Z[t], R[t], H_cand[t]
        da_z = dh * (H[t] - h_cand) * z * (1.0 - z)
        da_hh = dh * (1.0 - z) * (1.0 - h_cand**2)
        da_r = da_hh * AH_h[t] * r * (1.0 - r)  # eq. 8.13
        dAX[t, :, :n], dAX[t, :, n : 2 * n], dAX[t, :, 2 * n :] = da_z, da_r, da_hh
        dAH[t, :, : 2 * n] = dAX[t, :, : 2 * n]
        dAH[t, :, 2 * n :] = da_hh * r
        dh = dh * z + dAH[t] @ W_hT  # eq. 8.14
    dAX_flat = dAX.reshape(T * m, -1)
    dAH_flat = dAH.reshape(T * m, -1)
    grads = {
        "kernel": X_tm.reshape(T * m, -1).T @ dAX_flat,
        "recurrent_kernel": H[:-1].reshape(T * m, n).T @ dAH_flat,
        "bias": np.stack([dAX_flat.sum(axis=0), dAH_flat.sum(axis=0)]),
        "X": (dAX @ kernel.T).transpose(1, 0, 2),
        "h0": dh,
    }
    return grads, dh_steps


def gru_backward(dH, cache, dh_T=None):
    """BPTT through the GRU (eq. 8.13-8.14); returns a dict of gradients.

    dH: (m, T, n), the loss's gradient with respect to each output h(t);
    dh_T: (m, n), a gradient reaching the final state from outside, zeros by
    default. Keys and shapes: ``kernel`` (n_inputs, 3n), ``recurrent_kernel``
    (n, 3n), ``bias`` (2, 3n), ``X`` (m, T, n_inputs), ``h0`` (m, n); the
    first three are the parameters.
    """
    return _bptt(dH, cache, dh_T)[0]


def state_gradients(dH, cache):
    """dL/dh(t) for every step, (m, T, n): the same pass as :func:`gru_backward`."""
    return _bptt(dH, cache, None)[1].transpose(1, 0, 2)


def init_gru_weights(n_inputs, n, seed=None, dtype=np.float64):
    """Random ``(kernel, recurrent_kernel, bias)`` as Keras initialises ``GRU``:
    Glorot-uniform kernel (n_inputs, 3n), orthogonal recurrent kernel (n, 3n)
    (orthonormal rows), zero biases (2, 3n)."""
    rng = np.random.default_rng(seed)
    limit = np.sqrt(6.0 / (n_inputs + N_GATES * n))
    kernel = rng.uniform(-limit, limit, size=(n_inputs, N_GATES * n))
    q, r = np.linalg.qr(rng.standard_normal((N_GATES * n, n)))
    recurrent_kernel = (q * np.sign(np.diag(r))).T
    return kernel.astype(dtype), recurrent_kernel.astype(dtype), np.zeros((2, N_GATES * n), dtype)
