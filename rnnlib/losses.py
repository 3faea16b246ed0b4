"""Chapter 5: the mean squared error on a chosen set of time steps.

A sequence-to-sequence network makes a prediction ``Y_hat(t)`` at every step,
but the loss may count only some of them: for example only the last 3 of 5
steps, because the first outputs have seen too little of the series to be
useful. With ``S`` the chosen steps, N = m * |S| * n_outputs,

    L = (1/N) sum_{t in S} sum_i sum_j (Y_hat(t)[i, j] - Y(t)[i, j])**2     (eq. 5.3)

    dL/dY_hat(t) = (2/N) (Y_hat(t) - Y(t))  for t in S,  and 0 otherwise   (eq. 5.4)

The zeros are what BPTT receives for the ignored steps: they add nothing to
any gradient.

Shapes: ``Y_hat`` and ``Y`` are both (m, T, n_outputs) (a sequence per
instance) or both (m, n_outputs) (one vector per instance, as in
sequence-to-vector; then ``steps`` must be None).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array


def _check_pair(Y_hat, Y):
    Y_hat = as_float_array("Y_hat", Y_hat)
    Y = as_float_array("Y", Y)
    if Y_hat.ndim not in (2, 3):
        raise ValueError(
            "Y_hat must have shape (m, T, n_outputs) or (m, n_outputs), "
            f"got {Y_hat.ndim}-D with shape {Y_hat.shape}"
        )
    if Y.shape != Y_hat.shape:
        names = "(m, T, n_outputs)" if Y_hat.ndim == 3 else "(m, n_outputs)"
        raise ValueError(
            f"Y must have the same shape as Y_hat, {names} = {Y_hat.shape}, got {Y.shape}"
        )
    return Y_hat, Y


def select_steps(steps, T):
    """The chosen steps as a sorted array of distinct indices in ``0..T-1``.

    ``steps`` is None (all steps), an int (one step, negative counts from the
    end), a slice such as ``slice(-3, None)`` (the last 3) or a list of ints.
    """
    if steps is None:
        return np.arange(T)
    if isinstance(steps, slice):
        idx = np.arange(T)[steps]
    else:
        idx = np.atleast_1d(np.asarray(steps))
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise TypeError(f"steps must be None, an int, a slice or a list of ints, got {steps!r}")
        bad = idx[(idx < -T) | (idx >= T)]
        if bad.size:
            raise ValueError(f"steps {bad.tolist()} out of range for T = {T} time steps")
        idx = np.where(idx < 0, idx + T, idx)
    if idx.size == 0:
        raise ValueError(f"steps {steps!r} selects no time step out of T = {T}")
    if np.unique(idx).size != idx.size:
        raise ValueError(f"steps {steps!r} selects a time step more than once")
    return np.sort(idx)


def _difference(Y_hat, Y, steps):
    """``Y_hat - Y`` on the chosen steps, and the index of those steps."""
    Y_hat, Y = _check_pair(Y_hat, Y)
    if Y_hat.ndim == 2:
        if steps is not None:
            raise ValueError(
                f"steps applies to sequences (m, T, n_outputs); Y_hat has shape {Y_hat.shape}"
            )
        return Y_hat, Y_hat - Y, None
    idx = select_steps(steps, Y_hat.shape[1])
    return Y_hat, Y_hat[:, idx] - Y[:, idx], idx


def mse(Y_hat, Y, steps=None):
    """Mean squared error over the chosen ``steps`` (eq. 5.3); returns a float."""
    _, diff, _ = _difference(Y_hat, Y, steps)
    return float(np.mean(diff * diff))


def mse_grad(Y_hat, Y, steps=None):
    """dL/dY_hat for :func:`mse` (eq. 5.4), shaped like ``Y_hat``.

    Exactly zero at the steps the loss ignores.
    """
    Y_hat, diff, idx = _difference(Y_hat, Y, steps)
    scale = 2.0 / diff.size
    if idx is None:
        return (scale * diff).astype(diff.dtype, copy=False)
    grad = np.zeros(Y_hat.shape, dtype=diff.dtype)
    grad[:, idx] = scale * diff
    return grad
