"""Chapter 5: checking gradients with finite differences.

An analytic gradient (from BPTT) is trusted only once it agrees with a
numeric one. For each entry ``x_i`` of a parameter, the centred difference

    df/dx_i  ~  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)          (eq. 5.10)

has an error of order ``eps**2`` (plus rounding of order ``1e-16 / eps`` in
float64), so ``eps = 1e-6`` gives about 1e-10. The two gradients are then
compared entry by entry with the relative error

    max_i |a_i - b_i| / max(1e-8, |a_i| + |b_i|)                     (eq. 5.11)

which is near 1e-7 or below when both are right in float64 and near 1 when
one is wrong.

Entries whose true value is tiny compared with the others (a gradient that
has faded through many steps) are the hardest: the rounding error of eq. 5.10
is absolute, so it is large *relative* to them. The five-point centred
difference

    df/dx_i  ~  (f(x - 2eps e_i) - 8 f(x - eps e_i) + 8 f(x + eps e_i)
                 - f(x + 2eps e_i)) / (12 eps)                       (eq. 5.10b)

has an error of order ``eps**4``, so it can use a larger ``eps`` (1e-3),
which divides the rounding error by 100. ``order=4`` selects it.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array


def numeric_gradient(f, x, eps=1e-5, order=2):
    """Centred finite-difference gradient of the scalar function ``f`` at ``x``.

    ``f`` takes an array shaped like ``x`` and returns a number. ``x`` is not
    modified: each entry of a float64 copy is moved by ``+eps`` and ``-eps``
    in turn (eq. 5.10), or also by ``+-2 eps`` with ``order=4`` (eq. 5.10b).
    Returns a float64 array of ``x``'s shape. It costs ``order * x.size``
    calls of ``f``, so use it on small problems.
    """
    x = as_float_array("x", x).astype(np.float64)  # always a copy we may edit
    if not eps > 0:
        raise ValueError(f"eps must be positive, got {eps}")
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, got {order!r}")

    def f_at(i, value):
        x[i] = value
        return float(f(x))

    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        x_i = x[i]
        if order == 2:
            grad[i] = (f_at(i, x_i + eps) - f_at(i, x_i - eps)) / (2 * eps)
        else:
            grad[i] = (
                f_at(i, x_i - 2 * eps) - 8 * f_at(i, x_i - eps)
                + 8 * f_at(i, x_i + eps) - f_at(i, x_i + 2 * eps)
            ) / (12 * eps)
        x[i] = x_i
    return grad


def relative_error(a, b):
    """``max(|a - b| / max(1e-8, |a| + |b|))`` over all entries (eq. 5.11).

    ``a`` and ``b`` must have the same shape; returns a float.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
