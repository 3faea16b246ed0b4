"""Chapter 8: 1D convolutions over sequences, and WaveNet's receptive field.

A 1D convolutional layer slides ``w`` shared weight matrices along time (``w``
is Keras's ``kernel_size``). With Keras's ``Conv1D`` layout, kernel ``W``
(w, n_inputs, n_filters) and bias ``b`` (n_filters,), output step ``t`` reads
``w`` input steps spaced by the dilation ``Delta`` (``dilation_rate``),
starting at ``S t`` for the stride ``S`` (``strides``):

    Y_hat(t) = sum_{j=0}^{w-1} X(S t + j Delta) W[j] + b              (eq. 8.17)

* ``padding="valid"``: only windows that fit, ``floor((T - (w-1) Delta - 1) / S) + 1``
  outputs: a stride ``S`` divides the sequence length by about ``S``, so a
  recurrent layer after it has ``S`` times fewer steps to go through.
* ``padding="causal"``: ``(w-1) Delta`` zeros are put *before* the sequence, so
  ``Y_hat(t)`` sees ``X(t)`` and earlier steps only, never the future: the
  condition for forecasting.

WaveNet (van den Oord et al. 2016) stacks causal layers whose dilations
double, 1, 2, 4, ... Layer ``l``, of width ``w`` and dilation ``Delta_l``,
lets an output see ``(w-1) Delta_l`` more past steps, so the receptive field,
the number of input steps one output depends on, is

    R = 1 + sum_l (w - 1) Delta_l                                     (eq. 8.18)

With ``w = 2`` and dilations 1, 2, ..., 2**(L-1) it is ``2**L``: it doubles
with each layer, while a stack of undilated layers grows by one step per
layer.

Decision: :func:`conv1d` loops over the ``w`` kernel taps (one matrix product
each, over every output step at once) rather than building an im2col matrix:
``w`` is small (2 to 4 here), and the code stays eq. 8.17 written out.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape

PADDINGS = ("valid", "causal")


def _positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def receptive_field(kernel_size, dilations):
    """eq. 8.18: how many input steps one output of a stack of causal layers sees.

    kernel_size: an int >= 1 (every layer) or one per layer; dilations: a
    sequence of ints >= 1, one per layer (``[1, 2, 4, 8]`` for one WaveNet
    block, ``[1, 2, 4, 8] * 2`` for two). Returns an int.
    """
    dilations = [_positive_int("each dilation", d) for d in dilations]
    if np.ndim(kernel_size) == 0:
        kernel_sizes = [_positive_int("kernel_size", kernel_size)] * len(dilations)
    else:
        kernel_sizes = [_positive_int("each kernel_size", k) for k in kernel_size]
        if len(kernel_sizes) != len(dilations):
            raise ValueError(
                f"kernel_size has {len(kernel_sizes)} entries but dilations has "
                f"{len(dilations)}: give one kernel size per layer, or a single int"
            )
    return 1 + sum((k - 1) * d for k, d in zip(kernel_sizes, dilations))


def output_length(T, kernel_size, strides=1, dilation_rate=1, padding="valid"):
    """The number of steps ``conv1d`` returns for ``T`` input steps."""
    T, k = _positive_int("T", T), _positive_int("kernel_size", kernel_size)
    s, d = _positive_int("strides", strides), _positive_int("dilation_rate", dilation_rate)
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    span = T + (k - 1) * d if padding == "causal" else T
    return max(0, (span - (k - 1) * d - 1) // s + 1)


def conv1d(X, kernel, bias, strides=1, dilation_rate=1, padding="valid"):
    """eq. 8.17 for a batch, as Keras's ``Conv1D`` (same arguments, same weights).

    X: (m, T, n_inputs); kernel: (k, n_inputs, n_filters); bias: (n_filters,).
    Returns (m, T_out, n_filters) with ``T_out = output_length(...)``; with
    ``padding="causal"`` and ``strides=1``, ``T_out = T``. No activation is
    applied (Keras's default ``activation=None``).
    """
    X = as_float_array("X", X, ndim=3)
    kernel = as_float_array("kernel", kernel, ndim=3)
    k, n_inputs, n_filters = kernel.shape
    m, T, _ = X.shape
    check_shape("X", X, (m, T, n_inputs), "(m, T, n_inputs) with n_inputs = kernel.shape[1]")
    bias = check_shape("bias", as_float_array("bias", bias, ndim=1), (n_filters,), "(n_filters,)")
    T_out = output_length(T, k, strides, dilation_rate, padding)
    d, s = int(dilation_rate), int(strides)
    if padding == "causal":
        X = np.concatenate([np.zeros((m, (k - 1) * d, n_inputs), X.dtype), X], axis=1)
    if T_out == 0:
        raise ValueError(
            f"X has {T} steps, fewer than the {(k - 1) * d + 1} one window of kernel_size "
            f"{k} and dilation_rate {d} needs with padding='valid'"
        )
    dtype = np.result_type(X, kernel, bias)
    Y = np.broadcast_to(bias.astype(dtype), (m, T_out, n_filters)).copy()
    last = s * (T_out - 1) + 1
    for j in range(k):  # one matrix product per kernel tap, over every output step
        Y += X[:, j * d : j * d + last : s] @ kernel[j]
    return Y


def dependency_steps(T, kernel_size, dilations):
    """Which steps of each layer the last output of a causal stack depends on.

    Returns a list of ``len(dilations) + 1`` sorted lists of step indices in
    ``range(T)``: entry 0 is the input steps, entry ``l`` the steps of layer
    ``l`` (the last entry is ``[T - 1]``). Chapter 8 draws this tree; the
    length of entry 0 is :func:`receptive_field` (when it fits in ``T``).
    """
    T, k = _positive_int("T", T), _positive_int("kernel_size", kernel_size)
    dilations = [_positive_int("each dilation", d) for d in dilations]
    needed = [{T - 1}]
    for d in reversed(dilations):  # from the top layer down to the inputs
        needed.append({t - j * d for t in needed[-1] for j in range(k) if t - j * d >= 0})
    return [sorted(steps) for steps in reversed(needed)]
