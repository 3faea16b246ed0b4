"""Answers that students write, right and wrong, for every graded exercise.

``tests/test_exercises.py`` submits each of them to ``nbgrader autograde`` and
checks the score the gradebook records:

* ``WRONG[assignment]``: typical mistakes, at least three per task. Each must
  score below full marks on its task and full marks on every other task.
* ``VALID[assignment]``: correct answers written differently from the
  reference solution, at least one per task. Each must get full marks.
* ``CONSTANT[assignment]``: for every task, an answer that returns fixed
  values (the ones the visible tests expect, as a student who copies them
  from the test cell would). Every task must score below full marks.

An answer is the whole content of the answer cell whose grade id is
``task`` (the cell that holds ``### BEGIN SOLUTION`` in the source). The
notebook's setup cell has already run ``import numpy as np``, ``import
rnnlib`` and ``from rnnlib import grading``. To add an assignment, add its
entries here: the tests find everything else in ``solutions/``.
"""
from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class Answer:
    task: str  # grade id of the answer cell it replaces
    name: str  # a short slug, unique within the task
    code: str  # the answer cell's content
    why: str = ""  # what is wrong or different about it

    def __post_init__(self):
        object.__setattr__(self, "code", dedent(self.code).strip() + "\n")


def _answers(task, entries):
    return [Answer(task, name, code, why) for name, why, code in entries]


# ===========================================================================
# Assignment 1: recurrent neurons
# ===========================================================================

_A1_WRONG = _answers("neuron_step", [
    ("no_bias", "forgets b", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + w_y * y_prev)
     """),
    ("no_recurrence", "forgets the previous output", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + b)
     """),
    ("no_tanh", "returns the pre-activation", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return x_t @ w_x + w_y * y_prev + b
     """),
    ("elementwise", "multiplies elementwise without summing", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t * w_x + w_y * y_prev + b)
     """),
    ("one_element_array", "a (1, n) matrix product: an array of shape (1,), not a number", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(w_x.reshape(1, -1) @ x_t + w_y * y_prev + b)
     """),
    ("delegates", "calls rnnlib's answer", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)
     """),
    ("shadows_the_checks", "redefines `grading` and `np` so that checks pass", """
        class grading:
            call = staticmethod(lambda func, args, **kwargs: 0.0)
            check_array = staticmethod(lambda *args, **kwargs: None)

        class np:
            tanh = staticmethod(lambda z: 0.0)

        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return 0.0
     """),
    ("delegates_to_layer", "a layer of one neuron from rnnlib.layer", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            Y = rnnlib.layer_step(x_t[None], np.array([[y_prev]]), w_x[:, None],
                                  np.array([[w_y]]), np.array([b]))
            return Y[0, 0]
     """),
]) + _answers("unroll_neuron", [
    ("starts_from_one", "the state before the first step is 1", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 1.0
            for t in range(len(x)):
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
                y_hat[t] = y
            return y_hat
     """),
    ("shifted", "stores the previous output instead of the new one", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 0.0
            for t in range(len(x)):
                y_hat[t] = y
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
            return y_hat
     """),
    ("no_feedback", "feeds 0 back at every step", """
        def unroll_neuron(x, w_x, w_y, b):
            return np.array([rnnlib.neuron_step(x_t, 0.0, w_x, w_y, b) for x_t in x])
     """),
    ("only_last", "returns the last output only", """
        def unroll_neuron(x, w_x, w_y, b):
            y = 0.0
            for x_t in x:
                y = rnnlib.neuron_step(x_t, y, w_x, w_y, b)
            return y
     """),
    ("keeps_state", "remembers the state of the previous call", """
        _state = {"y": 0.0}

        def unroll_neuron(x, w_x, w_y, b):
            y_hat = np.zeros(len(x))
            for t in range(len(x)):
                _state["y"] = rnnlib.neuron_step(x[t], _state["y"], w_x, w_y, b)
                y_hat[t] = _state["y"]
            return y_hat
     """),
    ("delegates", "calls rnnlib's answer", """
        def unroll_neuron(x, w_x, w_y, b):
            return rnnlib.unroll_neuron(x, w_x, w_y, b)
     """),
    ("delegates_to_layer", "unrolls a one-neuron layer with rnnlib.unroll_layer", """
        def unroll_neuron(x, w_x, w_y, b):
            Y, _ = rnnlib.unroll_layer(x[None], w_x[:, None], np.array([[w_y]]), np.array([b]))
            return Y[0, :, 0]
     """),
]) + _answers("ema_weights", [
    ("swapped", "weights the input by 1 - alpha and the memory by alpha", """
        def ema_weights(alpha):
            return np.array([1 - alpha]), alpha, 0.0
     """),
    ("with_bias", "adds alpha as a bias", """
        def ema_weights(alpha):
            return np.array([alpha]), 1 - alpha, alpha
     """),
    ("sign", "w_y = alpha - 1", """
        def ema_weights(alpha):
            return np.array([alpha]), alpha - 1, 0.0
     """),
    ("scalar_w_x", "w_x is a number, not an array of one weight per input", """
        def ema_weights(alpha):
            return alpha, 1 - alpha, 0.0
     """),
])

_A1_VALID = _answers("neuron_step", [
    ("python_loop", "a plain loop and math.tanh", """
        import math

        def neuron_step(x_t, y_prev, w_x, w_y, b):
            z = b + w_y * y_prev
            for w, x in zip(w_x, x_t):
                z += w * x
            return math.tanh(z)
     """),
    ("activation_module", "np.dot and rnnlib's tanh (rnnlib.activations is allowed)", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            phi = rnnlib.get_activation("tanh").forward
            return phi(np.dot(w_x, x_t) + w_y * y_prev + b)
     """),
]) + _answers("unroll_neuron", [
    ("vectorised_inputs", "w_x . x(t) for every t at once, a list of outputs", """
        def unroll_neuron(x, w_x, w_y, b):
            outputs, y = [], 0.0
            for z_x in x @ w_x:
                y = np.tanh(z_x + w_y * y + b)
                outputs.append(y)
            return np.array(outputs)
     """),
    ("own_step", "uses the notebook's own neuron_step (correct here)", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat = np.empty(x.shape[0])
            y = 0
            for t, x_t in enumerate(x):
                y = y_hat[t] = neuron_step(x_t, y, w_x, w_y, b)
            return y_hat
     """),
]) + _answers("ema_weights", [
    ("lists", "a list and Python numbers", """
        def ema_weights(alpha):
            return [alpha], 1 - alpha, 0
     """),
    ("numpy_scalars", "numpy scalars and a list as the result", """
        def ema_weights(alpha):
            w_x = np.full(1, alpha)
            return [w_x, np.float64(1.0) - alpha, np.zeros(())]
     """),
])

_A1_CONSTANT = {
    "neuron_step": """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(0.5)
    """,
    "unroll_neuron": """
        def unroll_neuron(x, w_x, w_y, b):
            y0 = np.tanh(0.75)
            y1 = np.tanh(y0 + 0.25)
            return np.array([y0, y1, np.tanh(-0.25 + y1)])
    """,
    "ema_weights": """
        def ema_weights(alpha):
            return np.array([0.25]), 0.75, 0.0
    """,
}


# ===========================================================================
# Assignment 2: recurrent layers
# ===========================================================================

_A2_WRONG = _answers("layer_step", [
    ("no_bias", "forgets b", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y)
     """),
    ("no_recurrence", "forgets Y(t-1) W_y", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + b)
     """),
    ("W_y_transposed", "Y(t-1) W_y^T", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y.T + b)
     """),
    ("column_vectors", "computes with column vectors, returns (n_neurons, m)", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(W_x.T @ X_t.T + W_y.T @ Y_prev.T + b[:, None])
     """),
    ("bias_after_tanh", "adds b after the activation", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y) + b
     """),
    ("first_instance_only", "uses the first instance's inputs for the whole batch", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t[0] @ W_x + Y_prev @ W_y + b)
     """),
    ("delegates", "calls rnnlib's answer", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)
     """),
    ("delegates_to_cell", "a BasicCell from chapter 3 does the same", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return rnnlib.BasicCell(W_x, W_y, b)(X_t, Y_prev)[0]
     """),
]) + _answers("concat_weights", [
    ("W_y_on_top", "stacks W_y above W_x", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_y, W_x])
     """),
    ("side_by_side", "stacks the columns", """
        def concat_weights(W_x, W_y):
            return np.hstack([W_x, W_y])
     """),
    ("transposed", "returns W^T", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_x, W_y]).T
     """),
    ("W_y_transposed", "stacks W_y^T", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_x, W_y.T])
     """),
    ("delegates", "calls rnnlib's answer", """
        def concat_weights(W_x, W_y):
            return rnnlib.concat_weights(W_x, W_y)
     """),
]) + _answers("layer_step_concat", [
    ("wrong_order", "[Y(t-1) X(t)] W", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.hstack([Y_prev, X_t]) @ W + b)
     """),
    ("no_bias", "forgets b", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.hstack([X_t, Y_prev]) @ W)
     """),
    ("split_at_n_neurons", "splits W after n_neurons rows instead of n_inputs", """
        def layer_step_concat(X_t, Y_prev, W, b):
            n = W.shape[1]
            return np.tanh(X_t @ W[-n:] + Y_prev @ W[:-n] + b)
     """),
    ("no_tanh", "returns the pre-activation", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.hstack([X_t, Y_prev]) @ W + b
     """),
    ("delegates", "calls rnnlib's answer", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return rnnlib.layer_step_concat(X_t, Y_prev, W, b)
     """),
    ("delegates_split", "splits W with rnnlib and calls rnnlib.layer_step", """
        def layer_step_concat(X_t, Y_prev, W, b):
            W_x, W_y = rnnlib.split_weights(W, X_t.shape[1])
            return rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)
     """),
]) + _answers("unroll_layer", [
    ("time_major", "stacks the steps along axis 0: Y is (T, m, n_neurons)", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.array(steps), h
     """),
    ("starts_from_ones", "Y(-1) = 1", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.ones((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=1), h
     """),
    ("no_feedback", "every step starts from zeros", """
        def unroll_layer(X, W_x, W_y, b):
            zeros = np.zeros((X.shape[0], W_x.shape[1]))
            Y = np.stack([rnnlib.layer_step(X[:, t], zeros, W_x, W_y, b)
                          for t in range(X.shape[1])], axis=1)
            return Y, Y[:, -1]
     """),
    ("first_state", "returns the state after the first step as h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            Y = np.stack(steps, axis=1)
            return Y, Y[:, 0]
     """),
    ("loops_over_instances", "takes axis 0 (instances) for time", """
        def unroll_layer(X, W_x, W_y, b):
            X = X.transpose(1, 0, 2)
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=0), h
     """),
    ("Y_only", "returns Y without h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=1)
     """),
    ("delegates", "calls rnnlib's answer", """
        def unroll_layer(X, W_x, W_y, b):
            return rnnlib.unroll_layer(X, W_x, W_y, b)
     """),
    ("delegates_to_cell", "runs a BasicCell with rnnlib.run_cell (chapter 3)", """
        def unroll_layer(X, W_x, W_y, b):
            return rnnlib.run_cell(rnnlib.BasicCell(W_x, W_y, b), X)
     """),
])

_A2_VALID = _answers("layer_step", [
    ("neurons_one_by_one", "chapter 1's neuron for each instance and neuron", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            m, n_neurons = Y_prev.shape
            Y = np.empty((m, n_neurons))
            for i in range(m):
                inputs = np.concatenate([X_t[i], Y_prev[i]])
                for j in range(n_neurons):
                    weights = np.concatenate([W_x[:, j], W_y[:, j]])
                    Y[i, j] = rnnlib.neuron_step(inputs, 0.0, weights, 0.0, b[j])
            return Y
     """),
    ("einsum", "np.einsum", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            Z = np.einsum("mi,in->mn", X_t, W_x) + np.einsum("mk,kn->mn", Y_prev, W_y)
            return np.tanh(Z + b[None, :])
     """),
]) + _answers("concat_weights", [
    ("concatenate", "np.concatenate along axis 0", """
        def concat_weights(W_x, W_y):
            return np.concatenate((W_x, W_y), axis=0)
     """),
    ("r_", "np.r_", """
        def concat_weights(W_x, W_y):
            return np.r_[W_x, W_y]
     """),
]) + _answers("layer_step_concat", [
    ("split_products", "the two blocks of W, one product each", """
        def layer_step_concat(X_t, Y_prev, W, b):
            n_inputs = X_t.shape[1]
            return np.tanh(X_t @ W[:n_inputs] + Y_prev @ W[n_inputs:] + b)
     """),
    ("concatenate", "np.concatenate on axis 1", """
        def layer_step_concat(X_t, Y_prev, W, b):
            XY = np.concatenate((X_t, Y_prev), axis=1)
            return np.tanh(np.dot(XY, W) + b)
     """),
]) + _answers("unroll_layer", [
    ("precomputed_inputs", "X W_x for every step at once, no rnnlib", """
        def unroll_layer(X, W_x, W_y, b):
            XW = X @ W_x + b
            Y = np.zeros(XW.shape)
            h = np.zeros(XW[:, 0].shape)
            for t in range(X.shape[1]):
                h = np.tanh(XW[:, t] + h @ W_y)
                Y[:, t] = h
            return Y, h
     """),
    ("concatenated_form", "rnnlib's concatenated step, allowed here", """
        def unroll_layer(X, W_x, W_y, b):
            W = rnnlib.concat_weights(W_x, W_y)
            h = np.zeros((len(X), len(b)))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                h = rnnlib.layer_step_concat(X_t, h, W, b)
                outputs.append(h)
            return np.stack(outputs, axis=1), outputs[-1]
     """),
])

_A2_CONSTANT = {
    "layer_step": """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(np.array([[0.1, 0.3, 0.2, 0.6], [0.4, -0.1, -0.1, 0.4],
                                     [0.1, 0.3, 0.5, 1.2]]))
    """,
    "concat_weights": """
        def concat_weights(W_x, W_y):
            return np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -2.0, -3.0],
                             [-4.0, -5.0, -6.0], [-7.0, -8.0, -9.0]])
    """,
    "layer_step_concat": """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.array([[0.1, 0.3, 0.2, 0.6], [0.4, -0.1, -0.1, 0.4],
                                     [0.1, 0.3, 0.5, 1.2]]))
    """,
    "unroll_layer": """
        def unroll_layer(X, W_x, W_y, b):
            t = np.tanh
            Y = np.array([
                [[t(0.6), t(-0.5)], [t(0.1), t(t(0.6))], [t(-0.4), t(0.5 + t(0.1))]],
                [[t(0.1), 0.0], [t(1.1), t(-1.0 + t(0.1))], [t(0.1), t(t(1.1))]],
            ])
            return Y, Y[:, -1]
    """,
}


WRONG = {"a1_recurrent_neurons": _A1_WRONG, "a2_recurrent_layers": _A2_WRONG}
VALID = {"a1_recurrent_neurons": _A1_VALID, "a2_recurrent_layers": _A2_VALID}
CONSTANT = {
    assignment: {task: dedent(code).strip() + "\n" for task, code in answers.items()}
    for assignment, answers in {
        "a1_recurrent_neurons": _A1_CONSTANT, "a2_recurrent_layers": _A2_CONSTANT,
    }.items()
}
