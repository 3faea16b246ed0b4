"""Chapter 3: memory cells.

A memory cell keeps a hidden state ``h(t)`` that is a function of the current
input and the previous state, and emits an output ``y(t)``:

    h(t) = f(x(t), h(t-1))                                          (eq. 3.1)
    y(t) = g(h(t))                                                  (eq. 3.2)

Every cell here has the same interface: ``cell(x_t, h_prev) -> (y_t, h_t)``
with ``x_t`` (m, n_inputs) and ``h_prev`` (m, state_size).

* :class:`BasicCell` is the recurrent layer of chapter 2: its output *is* its
  state, ``y(t) = h(t)``.
* :class:`ProjectionCell` adds a dense output projection,
  ``y(t) = h(t) W_o + b_o``, so its output differs from its state (in size
  and in value). It is the same as Keras ``SimpleRNN`` followed by ``Dense``
  applied at every step.
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .activations import get_activation
from .layer import check_initial_state, check_layer_params, check_sequence_batch


class BasicCell:
    """``h(t) = phi(x(t) W_x + h(t-1) W_y + b)`` and ``y(t) = h(t)``.

    W_x: (n_inputs, n_neurons); W_y: (n_neurons, n_neurons); b: (n_neurons,).
    """

    def __init__(self, W_x, W_y, b, activation="tanh"):
        self.W_x, self.W_y, self.b = check_layer_params(W_x, W_y, b)
        self.activation = get_activation(activation)

    @property
    def n_inputs(self):
        return self.W_x.shape[0]

    @property
    def state_size(self):
        return self.W_x.shape[1]

    output_size = state_size

    def check_step(self, x_t, h_prev):
        x_t = as_float_array("x_t", x_t, ndim=2)
        m = x_t.shape[0]
        check_shape("x_t", x_t, (m, self.n_inputs), "(m, n_inputs)")
        h_prev = as_float_array("h_prev", h_prev, ndim=2)
        check_shape("h_prev", h_prev, (m, self.state_size), "(m, state_size)")
        return x_t, h_prev

    def next_state(self, x_t, h_prev):
        """eq. 3.1 without checks: the new state (m, n_neurons)."""
        return self.activation.forward(x_t @ self.W_x + h_prev @ self.W_y + self.b)

    def output(self, h_t):
        """eq. 3.2: a basic cell outputs its state."""
        return h_t

    def __call__(self, x_t, h_prev):
        x_t, h_prev = self.check_step(x_t, h_prev)
        h_t = self.next_state(x_t, h_prev)
        return self.output(h_t), h_t

    def zero_state(self, m, dtype=np.float64):
        return np.zeros((m, self.state_size), dtype=dtype)


class ProjectionCell(BasicCell):
    """A basic cell whose output is a projection of its state.

    ``h(t) = phi(x(t) W_x + h(t-1) W_y + b)`` and ``y(t) = h(t) W_o + b_o``.
    W_o: (n_neurons, n_outputs); b_o: (n_outputs,). The output has
    ``n_outputs`` columns while the state keeps ``n_neurons``.
    """

    def __init__(self, W_x, W_y, b, W_o, b_o, activation="tanh"):
        super().__init__(W_x, W_y, b, activation)
        self.W_o = as_float_array("W_o", W_o, ndim=2)
        check_shape("W_o", self.W_o, (self.state_size, self.W_o.shape[1]), "(n_neurons, n_outputs)")
        self.b_o = as_float_array("b_o", b_o, ndim=1)
        check_shape("b_o", self.b_o, (self.W_o.shape[1],), "(n_outputs,)")

    @property
    def output_size(self):
        return self.W_o.shape[1]

    def output(self, h_t):
        return h_t @ self.W_o + self.b_o


def run_cell(cell, X, h0=None):
    """Feed ``X`` (m, T, n_inputs) to ``cell`` one step at a time.

    Returns ``(Y, h_T)``: the outputs (m, T, output_size) and the final state
    (m, state_size). ``h0`` defaults to zeros.
    """
    X = check_sequence_batch(X, cell.n_inputs)
    m, T, _ = X.shape
    h = check_initial_state(h0, m, cell.state_size, X.dtype)
    outputs = []
    for t in range(T):
        y, h = cell(X[:, t], h)
        outputs.append(y)
    return np.stack(outputs, axis=1), h
