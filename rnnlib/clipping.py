"""Chapter 8: gradient clipping by global norm (Pascanu et al. 2013).

An exploding gradient (chapter 5) makes one update so large that training
jumps far away. Clipping rescales the whole gradient when its norm is too
large, keeping its direction:

    N = sqrt(sum over every parameter of sum(g**2))                  (eq. 8.15)
    g  <-  g * max_norm / N     for every parameter, if N > max_norm (eq. 8.16)

It goes **after the backward pass and before the optimizer's update**:
forward, loss, backward (BPTT), ``clip_by_norm``, then
``theta <- theta - eta * g`` (:mod:`rnnlib.optim`). Clipping the parameters instead, or
clipping before the gradients of every parameter are known, would not give a
step in the gradient's direction.

Decision: the norm is *global*, over all parameters together (Keras's
``global_clipnorm``), not per array (Keras's ``clipnorm``): scaling each
array on its own would change the direction of the whole step, which is
exactly what clipping should not do.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ._checks import as_float_array


def global_norm(grads):
    """eq. 8.15: the L2 norm of all the arrays of ``grads`` (a dict or a list) together."""
    arrays = grads.values() if isinstance(grads, Mapping) else grads
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in arrays)))


def clip_by_norm(grads, max_norm):
    """Scale ``grads`` so that their global norm is at most ``max_norm`` (eq. 8.15-8.16).

    grads: a dict of arrays (e.g. ``{"kernel": ..., "recurrent_kernel": ...,
    "bias": ...}``) or a list/tuple of arrays, any shapes; give it the
    parameters' gradients only (not ``X`` or ``h0``'s). max_norm: a positive
    number. Returns ``(clipped, norm)``: the gradients in the same kind of
    container, each with its shape and dtype (new arrays; ``grads`` is not
    modified), and the global norm *before* clipping, worth logging: a
    training run whose norm is clipped at every step needs a smaller learning
    rate. Below ``max_norm`` the values are returned unchanged.
    """
    max_norm = float(max_norm)
    if not np.isfinite(max_norm) or max_norm <= 0:
        raise ValueError(f"max_norm must be a positive number, got {max_norm}")
    if isinstance(grads, Mapping):
        names = list(grads)
        arrays = [as_float_array(f"grads[{k!r}]", grads[k]) for k in names]
    elif isinstance(grads, (list, tuple)):
        arrays = [as_float_array(f"grads[{i}]", g) for i, g in enumerate(grads)]
    else:
        raise TypeError(f"grads must be a dict or a list of arrays, got {type(grads).__name__}")
    norm = global_norm(arrays)
    scale = max_norm / norm if norm > max_norm else 1.0
    clipped = [(g * scale).astype(g.dtype, copy=False) for g in arrays]
    if isinstance(grads, Mapping):
        return dict(zip(names, clipped)), norm
    return (tuple(clipped) if isinstance(grads, tuple) else clipped), norm
