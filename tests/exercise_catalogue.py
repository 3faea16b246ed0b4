"""Answers that students write, right and wrong, for every graded exercise.

``tests/test_exercises.py`` submits each of them to ``nbgrader autograde`` and
checks the score the gradebook records:

* ``WRONG[assignment]``: typical mistakes, at least three per task. Each must
  score below full marks on its task and full marks on every other task. An
  answer with a ``message`` must also get that text in its task's test
  output (the failure the student reads).
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
    message: str = ""  # wrong answers: text the failure the student reads must contain

    def __post_init__(self):
        object.__setattr__(self, "code", dedent(self.code).strip() + "\n")


def _answers(task, entries):
    """Answers from ``(name, why, code)`` or ``(name, why, code, message)`` entries."""
    return [Answer(task, *entry[:1], entry[2], entry[1], *entry[3:]) for entry in entries]


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


# Mistakes added with the messages that students must read (see Answer.message).
_A1_WRONG += _answers("neuron_step", [
    ("sigmoid", "the logistic sigmoid instead of tanh", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return 1 / (1 + np.exp(-(x_t @ w_x + w_y * y_prev + b)))
     """, "phi is tanh, not the logistic sigmoid"),
    ("relu", "ReLU instead of tanh (equal to the missing-tanh value on the worked case)", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return max(0.0, x_t @ w_x + w_y * y_prev + b)
     """, "phi is tanh, not ReLU"),
    ("y_prev_unweighted", "adds y_prev without w_y", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + y_prev + b)
     """, "the previous output must be weighted by w_y"),
    ("bias_subtracted", "a sign error on the bias", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + w_y * y_prev - b)
     """, "the bias is subtracted: add b"),
]) + _answers("unroll_neuron", [
    ("includes_initial_state", "returns y_hat(-1) = 0 and the T outputs", """
        def unroll_neuron(x, w_x, w_y, b):
            outputs = [0.0]
            for x_t in x:
                outputs.append(rnnlib.neuron_step(x_t, outputs[-1], w_x, w_y, b))
            return np.array(outputs)
     """, "it starts with the initial state y_hat(-1) = 0"),
    ("misses_last_step", "an off-by-one in the loop bound: range(T - 1)", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 0.0
            for t in range(len(x) - 1):
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
                y_hat[t] = y
            return y_hat
     """, "the last step is missing: loop over every t = 0, ..., T-1"),
]) + _answers("ema_weights", [
    ("memory_weight_one", "keeps the whole memory: w_y = 1", """
        def ema_weights(alpha):
            return np.array([alpha]), 1.0, 0.0
     """, "the memory y_hat(t-1) is weighted by 1 - alpha, not 1"),
])
_A1_VALID += _answers("neuron_step", [
    ("einsum_float32_safe", "np.einsum for the dot product, np.float64 result", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.float64(np.tanh(np.einsum("i,i->", x_t, w_x) + w_y * y_prev + b))
     """),
]) + _answers("ema_weights", [
    ("zero_d_arrays", "w_y and b as 0-d arrays", """
        def ema_weights(alpha):
            return np.array([alpha], dtype=float), np.array(1.0 - alpha), np.array(0.0)
     """),
])


# Mistakes added with the messages that students must read (see Answer.message).
_A2_WRONG += _answers("layer_step", [
    ("W_x_transposed", "X_t @ W_x.T: the shapes do not fit", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x.T + Y_prev @ W_y + b)
     """, "the shapes do not fit a matrix product"),
    ("sums_instances", "adds up the instances' rows", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh((X_t @ W_x + Y_prev @ W_y).sum(axis=0) + b)
     """, "the instances must stay apart"),
    ("sigmoid", "the logistic sigmoid instead of tanh", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return 1 / (1 + np.exp(-(X_t @ W_x + Y_prev @ W_y + b)))
     """, "phi is tanh, not the logistic sigmoid"),
]) + _answers("concat_weights", [
    ("list_of_blocks", "returns the two blocks in a list", """
        def concat_weights(W_x, W_y):
            return [W_x, W_y]
     """, "W should be numbers (an array), got list of length 2"),
]) + _answers("layer_step_concat", [
    ("concatenates_rows", "concatenates along axis 0 (stacks instances)", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.concatenate([X_t, Y_prev], axis=0) @ W + b)
     """, "layer_step_concat raised ValueError"),
]) + _answers("unroll_layer", [
    ("h_T_is_Y", "returns every output as h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h, steps = np.zeros((X.shape[0], W_x.shape[1])), []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            Y = np.stack(steps, axis=1)
            return Y, Y
     """, "h_T has shape (2, 3, 2) but expected (2, 2): h_T is the state after the last step"),
    ("misses_last_step", "loops over range(T - 1)", """
        def unroll_layer(X, W_x, W_y, b):
            m, T, _ = X.shape
            Y = np.zeros((m, T, W_x.shape[1]))
            h = np.zeros((m, W_x.shape[1]))
            for t in range(T - 1):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                Y[:, t] = h
            return Y, h
     """, "the last time step is missing"),
])
_A2_VALID += _answers("unroll_layer", [
    ("preallocated_own_step", "a preallocated array and the notebook's own layer_step", """
        def unroll_layer(X, W_x, W_y, b):
            m, T, _ = X.shape
            Y = np.empty((m, T, len(b)))
            h = np.zeros((m, len(b)))
            for t in range(T):
                Y[:, t] = h = np.tanh(X[:, t] @ W_x + h @ W_y + b)
            return Y, Y[:, -1].copy()
     """),
]) + _answers("layer_step", [
    ("computes_in_float32", "computes in float32 (the task asks for no dtype; 7 digits are enough)", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            X_t, Y_prev, W_x, W_y, b = (np.asarray(a, dtype=np.float32) for a in (X_t, Y_prev, W_x, W_y, b))
            return np.tanh(X_t @ W_x + Y_prev @ W_y + b)
     """),
    ("dot_and_broadcast", "np.dot and an explicit row of biases", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(np.dot(X_t, W_x) + np.dot(Y_prev, W_y) + b[np.newaxis, :])
     """),
])


WRONG = {"a1_recurrent_neurons": _A1_WRONG, "a2_recurrent_layers": _A2_WRONG}
VALID = {"a1_recurrent_neurons": _A1_VALID, "a2_recurrent_layers": _A2_VALID}
CONSTANT = {
    assignment: {task: dedent(code).strip() + "\n" for task, code in answers.items()}
    for assignment, answers in {
        "a1_recurrent_neurons": _A1_CONSTANT, "a2_recurrent_layers": _A2_CONSTANT,
    }.items()
}


# ===========================================================================
# Assignment 5: backpropagation through time            (block: a5, begin)
# ===========================================================================

_A5_WRONG = _answers("backward_step", [
    ("no_tanh_derivative", "dz(t) = dh(t): forgets phi'", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("derivative_at_h_prev", "takes 1 - h(t-1)**2 as the derivative", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_prev ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("tanh_twice", "computes 1 - tanh(h(t))**2, as if h(t) were z(t)", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - np.tanh(h_t) ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("dW_y_with_h_t", "pairs dz(t) with h(t) in dW_y", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_t.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("W_y_not_transposed", "sends dz(t) W_y back instead of dz(t) W_y^T", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y
     """),
    ("db_not_summed", "db keeps one row per instance", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz, dz @ W_y.T
     """),
    ("db_mean", "averages dz over the instances instead of summing", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.mean(axis=0), dz @ W_y.T
     """),
    ("dh_prev_skips_tanh", "sends dh(t) W_y^T back, skipping phi'", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dh_t @ W_y.T
     """),
    ("delegates", "hands a one-step cache to rnnlib.bptt.backward", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            W_x = np.zeros((X_t.shape[1], len(W_y)))
            cache = rnnlib.bptt.Cache(X_t[None], W_x, W_y, np.stack([h_prev, h_t]),
                                      rnnlib.get_activation("tanh"))
            g = rnnlib.bptt.backward(dh_t[:, None], cache)
            return dh_t * (1 - h_t ** 2), g.W_x, g.W_y, g.b, g.h0
     """),
]) + _answers("bptt_gradients", [
    ("no_recurrent_path", "dh(t) = dY(t) only: the gradient never flows back through the states", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            for t in range(T):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(Y[:, 0])
                dz = dY[:, t] * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("loss_on_every_step", "ignores k: the loss reads all T outputs", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y - target
            dY = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("first_k_steps", "the loss reads the first k outputs", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, :k] - target[:, :k]
            dY = np.zeros_like(Y)
            dY[:, :k] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("mean_over_instances_only", "divides by m * k instead of N = m * k * n_neurons", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / (m * k)
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.sum(diff ** 2) / (m * k), dW_x, dW_y, db
     """),
    ("dW_y_with_h_t", "pairs dz(t) with h(t) in dW_y", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += Y[:, t].T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("wraps_h_prev", "takes Y[:, t - 1] for h(t-1) at t = 0 too, which is the last state", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += Y[:, t - 1].T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("passes_dh_back", "sends dh(t) W_y^T back, skipping phi' on the recurrent path", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dh = dY[:, t] + back
                dz = dh * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dh @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("float32", "computes everything in float32", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            X, W_x, W_y, b, target = (a.astype(np.float32) for a in (X, W_x, W_y, b, target))
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("delegates", "calls rnnlib.bptt and rnnlib.losses", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            steps = slice(-k, None)
            g = rnnlib.bptt.backward(rnnlib.mse_grad(Y, target, steps=steps), cache)
            return rnnlib.mse(Y, target, steps=steps), g.W_x, g.W_y, g.b
     """),
]) + _answers("numeric_gradient", [
    ("forward_difference", "(f(x + eps e_i) - f(x)) / eps", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            f_x = f(x)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                grad[i] = (f(x) - f_x) / eps
                x[i] = old
            return grad
     """),
    ("divides_by_eps", "divides the centred difference by eps, not 2 eps", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                up = f(x)
                x[i] = old - eps
                grad[i] = (up - f(x)) / eps
                x[i] = old
            return grad
     """),
    ("all_at_once", "moves every entry at once", """
        def numeric_gradient(f, x, eps):
            slope = (f(x + eps) - f(x - eps)) / (2 * eps)
            return np.full(np.shape(x), slope)
     """),
    ("fixed_eps", "ignores eps and uses 1e-5", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + 1e-5
                up = f(x)
                x[i] = old - 1e-5
                grad[i] = (up - f(x)) / 2e-5
                x[i] = old
            return grad
     """),
    ("perturbs_callers_x", "moves the entries of the caller's x and does not put them back", """
        def numeric_gradient(f, x, eps):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                x[i] += eps
                up = f(x)
                x[i] -= 2 * eps
                grad[i] = (up - f(x)) / (2 * eps)
            return grad
     """),
    ("flat", "returns a flat vector, not an array shaped like x", """
        def numeric_gradient(f, x, eps):
            flat = np.array(x, dtype=float).ravel()
            grad = []
            for i in range(flat.size):
                e = np.zeros_like(flat)
                e[i] = eps
                grad.append((f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * eps))
            return np.array(grad)
     """),
    ("delegates", "calls rnnlib.numeric_gradient", """
        def numeric_gradient(f, x, eps):
            return rnnlib.numeric_gradient(f, x, eps=eps)
     """),
]) + _answers("relative_error", [
    ("no_floor", "divides by |a_i| + |b_i| with no floor: 0/0 is NaN", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
     """),
    ("mean", "the mean ratio instead of the largest", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
     """),
    ("abs_of_sum", "|a_i + b_i| in the denominator", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))
     """),
    ("relative_to_b", "divides by |b_i| only", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(b))))
     """),
    ("signed", "no absolute value in the numerator", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
     """),
    ("norms", "a ratio of norms, not the largest entry-wise ratio", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))
     """),
    ("delegates", "calls rnnlib.relative_error", """
        def relative_error(a, b):
            return rnnlib.relative_error(a, b)
     """),
]) + _answers("train_step", [
    ("uphill", "adds the gradient", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return (W_x + learning_rate * dW_x, W_y + learning_rate * dW_y,
                    b + learning_rate * db, loss)
     """),
    ("no_learning_rate", "subtracts the whole gradient", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return W_x - dW_x, W_y - dW_y, b - db, loss
     """),
    ("b_fixed", "updates W_x and W_y but not b", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b, loss
     """),
    ("loss_after", "returns the loss after the step", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            _, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x, W_y, b = W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b - learning_rate * db
            loss = bptt_gradients(X, W_x, W_y, b, target, k)[0]
            return W_x, W_y, b, loss
     """),
    ("in_place", "updates the caller's arrays in place", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x -= learning_rate * dW_x
            W_y -= learning_rate * dW_y
            b -= learning_rate * db
            return W_x, W_y, b, loss
     """),
    ("all_steps", "trains on the loss of every output, not the last k", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            g = rnnlib.bptt.backward(rnnlib.mse_grad(Y, target), cache)
            return (W_x - learning_rate * g.W_x, W_y - learning_rate * g.W_y,
                    b - learning_rate * g.b, rnnlib.mse(Y, target))
     """),
    ("delegates", "rnnlib.gradient_descent_step makes the step", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            new = rnnlib.gradient_descent_step((W_x, W_y, b), (dW_x, dW_y, db), learning_rate)
            return (*new, loss)
     """),
])

_A5_VALID = _answers("backward_step", [
    ("instance_loop", "one instance at a time, with outer products", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = np.empty_like(dh_t)
            dW_x = np.zeros((X_t.shape[1], dh_t.shape[1]))
            dW_y = np.zeros_like(W_y)
            db = np.zeros(dh_t.shape[1])
            dh_prev = np.empty_like(h_prev)
            for i in range(len(dh_t)):
                dz[i] = dh_t[i] * (1 - h_t[i] * h_t[i])
                dW_x += np.outer(X_t[i], dz[i])
                dW_y += np.outer(h_prev[i], dz[i])
                db += dz[i]
                dh_prev[i] = W_y @ dz[i]
            return dz, dW_x, dW_y, db, dh_prev
     """),
    ("einsum", "np.einsum and rnnlib's derivative of tanh (rnnlib.activations is allowed)", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * rnnlib.get_activation("tanh").derivative_from_output(h_t)
            return (dz, np.einsum("mi,mn->in", X_t, dz), np.einsum("mk,mn->kn", h_prev, dz),
                    np.einsum("mn->n", dz), np.einsum("mn,kn->mk", dz, W_y))
     """),
]) + _answers("bptt_gradients", [
    ("own_backward_step", "the notebook's backward_step in a loop, states from unroll_layer", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            states = [np.zeros((m, len(b)))] + [Y[:, t] for t in range(T)]
            N = m * k * len(b)
            loss = 0.0
            grads = [np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)]
            dh_next = np.zeros((m, len(b)))
            for t in range(T - 1, -1, -1):
                dh = dh_next.copy()
                if t >= T - k:
                    error = Y[:, t] - target[:, t]
                    loss += np.sum(error ** 2) / N
                    dh += 2 * error / N
                dz, dW_x, dW_y, db, dh_next = backward_step(dh, states[t + 1], states[t], X[:, t], W_y)
                grads[0] += dW_x
                grads[1] += dW_y
                grads[2] += db
            return loss, *grads
     """),
    ("time_major_vectorised", "states time-major, dW_x and db summed after the loop", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, n_inputs = X.shape
            X_tm = X.transpose(1, 0, 2)
            H = np.zeros((T + 1, m, len(b)))
            for t in range(T):
                H[t + 1] = np.tanh(X_tm[t] @ W_x + H[t] @ W_y + b)
            dY = np.zeros((T, m, len(b)))
            diff = H[T + 1 - k:] - target.transpose(1, 0, 2)[T - k:]
            dY[T - k:] = 2 * diff / diff.size
            dZ = np.zeros_like(dY)
            back = 0
            for t in range(T - 1, -1, -1):
                dZ[t] = (dY[t] + back) * (1 - H[t + 1] ** 2)
                back = dZ[t] @ W_y.T
            dW_x = X_tm.reshape(-1, n_inputs).T @ dZ.reshape(-1, len(b))
            dW_y = H[:-1].reshape(-1, len(b)).T @ dZ.reshape(-1, len(b))
            return np.mean(diff ** 2), dW_x, dW_y, dZ.sum(axis=(0, 1))
     """),
]) + _answers("numeric_gradient", [
    ("flat_view", "walks over a flat view of a copy", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=np.float64)
            flat = x.reshape(-1)  # a view: changing it changes x
            grad = np.empty(flat.size)
            for i in range(flat.size):
                saved = flat[i]
                flat[i] = saved + eps
                f_plus = f(x)
                flat[i] = saved - eps
                f_minus = f(x)
                flat[i] = saved
                grad[i] = (f_plus - f_minus) / (2 * eps)
            return grad.reshape(x.shape)
     """),
    ("basis_arrays", "builds e_i for each entry, x itself is never changed", """
        def numeric_gradient(f, x, eps):
            grad = np.zeros(np.shape(x))
            for i in np.ndindex(grad.shape):
                e = np.zeros(np.shape(x))
                e[i] = 1.0
                grad[i] = (f(x + eps * e) - f(x - eps * e)) / (2 * eps)
            return grad
     """),
]) + _answers("relative_error", [
    ("python_loop", "a loop over the flattened entries", """
        def relative_error(a, b):
            worst = 0.0
            for x, y in zip(np.ravel(a), np.ravel(b)):
                worst = max(worst, abs(x - y) / max(1e-8, abs(x) + abs(y)))
            return worst
     """),
]) + _answers("train_step", [
    ("own_gradients", "the notebook's bptt_gradients, then eq. 5.11 in a loop over the parameters", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, *grads = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x, W_y, b = (p - learning_rate * g for p, g in zip((W_x, W_y, b), grads))
            return W_x, W_y, b, loss
     """),
    ("copies_then_in_place", "copies the parameters, then updates the copies in place", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            dY = np.zeros_like(Y)
            diff = Y[:, -k:] - target[:, -k:]
            dY[:, -k:] = 2 * diff / diff.size
            g = rnnlib.bptt.backward(dY, cache)
            new = [W_x.copy(), W_y.copy(), b.copy()]
            for p, d in zip(new, (g.W_x, g.W_y, g.b)):
                p -= learning_rate * d
            return (*new, float(np.mean(diff ** 2)))
     """),
])

_A5_CONSTANT = {
    "backward_step": """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            return (np.array([[1.5, 1.0], [-1.0, 3.0]]), np.array([[2.0, 5.0]]),
                    np.array([[1.5, 1.0], [-0.5, 1.5]]), np.array([0.5, 4.0]),
                    np.array([[3.5, 1.0], [5.0, 3.0]]))
    """,
    "bptt_gradients": """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            h0 = np.tanh(0.6)
            h1 = np.tanh(0.35 + 0.8 * h0)
            dz1 = 2 * (h1 - 0.2) * (1 - h1 ** 2)
            dz0 = dz1 * 0.8 * (1 - h0 ** 2)
            return (h1 - 0.2) ** 2, np.array([[dz0 + 0.5 * dz1]]), np.array([[h0 * dz1]]), np.array([dz0 + dz1])
    """,
    "numeric_gradient": """
        def numeric_gradient(f, x, eps):
            return np.array([3.0, 12.0])
    """,
    "relative_error": """
        def relative_error(a, b):
            return 0.1 / 2.1
    """,
    "train_step": """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            return W_x * 0.9, W_y * 0.9, b * 0.9, 0.5
    """,
}

# Mistakes added with the messages that students must read (see Answer.message).
_A5_WRONG += _answers("backward_step", [
    ("dW_x_transposed", "dz^T X(t): the transpose of dW_x", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1.0 - h_t ** 2)
            return dz, dz.T @ X_t, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """, "dW_x has shape (2, 1) but expected (1, 2): dW_x has the shape of W_x"),
    ("float32", "converts everything to float32 first", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dh_t, h_t, h_prev, X_t, W_y = (a.astype(np.float32) for a in (dh_t, h_t, h_prev, X_t, W_y))
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """, "as float32 would: compute in float64"),
]) + _answers("bptt_gradients", [
    ("sum_not_mean", "adds up the squared errors instead of averaging them (loss and gradients)", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            loss = np.sum(diff ** 2)
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2.0 * diff
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros((m, W_y.shape[0]))
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1.0 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return loss, dW_x, dW_y, db
     """, "the loss is the mean over all N = m * k * n_neurons squared errors"),
    ("half_gradient", "dY(t) = (1 / N) (Y_hat - Y): the factor 2 of the square is missing", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros((m, W_y.shape[0]))
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1.0 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """, "the direction is right but the scale is not"),
]) + _answers("numeric_gradient", [
    ("not_put_back", "leaves each entry at x_i - eps before moving the next one", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                up = f(x)
                x[i] = old - eps
                grad[i] = (up - f(x)) / (2 * eps)
            return grad
     """, "after moving entry i, put it back"),
]) + _answers("relative_error", [
    ("returns_every_ratio", "returns the array of ratios instead of their maximum", """
        def relative_error(a, b):
            return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
     """, "should be a single number, got array of shape (3,), dtype float64"),
]) + _answers("train_step", [
    ("loss_first", "returns (loss, W_x, W_y, b): the loss first", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return loss, W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b - learning_rate * db
     """, "the new W_x has shape () but expected (2, 3)"),
])
_A5_VALID += _answers("relative_error", [
    ("divides_then_masks", "divides first (0 / 0 warns where both entries are 0), then applies the floor where it matters", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            size = np.abs(a) + np.abs(b)
            ratio = np.abs(a - b) / size
            ratio = np.where(size < 1e-8, np.abs(a - b) / 1e-8, ratio)
            return ratio.max()
     """),
]) + _answers("backward_step", [
    ("einsum_everything", "every product with np.einsum", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - np.square(h_t))
            return (dz, np.einsum("mi,mj->ij", X_t, dz), np.einsum("mi,mj->ij", h_prev, dz),
                    np.einsum("mj->j", dz), np.einsum("mj,ij->mi", dz, W_y))
     """),
])


WRONG["a5_bptt"] = _A5_WRONG
VALID["a5_bptt"] = _A5_VALID
CONSTANT["a5_bptt"] = {task: dedent(code).strip() + "\n" for task, code in _A5_CONSTANT.items()}
# (block: a5, end)


# ===========================================================================
# Assignment 3: memory cells  (block a3: from here to "end of block a3")
# ===========================================================================

_A3_WRONG = _answers("projection_step", [
    ("output_is_state", "no projection: returns the state as the output", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t, h_t
     """),
    ("swapped", "returns (h_t, y_t)", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t, h_t @ W_o + b_o
     """),
    ("from_previous_state", "reads the output from h(t-1)", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_prev @ W_o + b_o, h_t
     """),
    ("tanh_on_output", "applies tanh to the projection too", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return np.tanh(h_t @ W_o + b_o), h_t
     """),
    ("no_output_bias", "forgets b_o", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = rnnlib.layer_step(x_t, h_prev, W_x, W_y, b)
            return h_t @ W_o, h_t
     """),
    ("state_is_output", "returns the output as the new state", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            y_t = np.tanh(x_t @ W_x + h_prev @ W_y + b) @ W_o + b_o
            return y_t, y_t
     """),
    ("delegates", "calls rnnlib's ProjectionCell", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            return rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)(x_t, h_prev)
     """),
]) + _answers("run_projection_cell", [
    ("feeds_back_output", "passes the output on to the next step instead of the state", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            m, T, _ = X.shape
            y, outputs = np.zeros((m, W_y.shape[0])), []
            for t in range(T):
                h = rnnlib.layer_step(X[:, t], y, W_x, W_y, b)
                y = h @ W_o + b_o
                outputs.append(y)
            return np.stack(outputs, axis=1), h
     """),
    ("states_as_outputs", "returns the states h(t) as Y", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            return rnnlib.unroll_layer(X, W_x, W_y, b)
     """),
    ("last_output_as_state", "returns the last output as h_T", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            Y = H @ W_o + b_o
            return Y, Y[:, -1]
     """),
    ("time_major", "stacks the steps along axis 0", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            h = np.zeros((X.shape[0], len(b)))
            outputs = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                outputs.append(h @ W_o + b_o)
            return np.array(outputs), h
     """),
    ("starts_from_ones", "h(-1) = 1", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, h_T = rnnlib.unroll_layer(X, W_x, W_y, b, h0=np.ones((X.shape[0], len(b))))
            return H @ W_o + b_o, h_T
     """),
    ("delegates", "runs rnnlib's ProjectionCell with rnnlib.run_cell", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            return rnnlib.run_cell(rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o), X)
     """),
]) + _answers("influence", [
    ("all_features_at_once", "nudges the whole input vector, as the chapter does", """
        def influence(run, x, k, eps=1e-6):
            T = len(x)
            nudged = x.copy()
            nudged[T - 1 - k] += eps
            Y = run(np.stack([x, nudged]))
            return np.linalg.norm(Y[1, -1] - Y[0, -1]) / eps
     """),
    ("off_by_one", "nudges x(T - k)", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - k, j] += eps
                J.append((run(nudged[None])[0, -1] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("from_the_start", "nudges x(k), counting from the start", """
        def influence(run, x, k, eps=1e-6):
            base = run(x[None])[0, -1]
            J = []
            for j in range(x.shape[1]):
                nudged = x.copy()
                nudged[k, j] += eps
                J.append((run(nudged[None])[0, -1] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("no_division", "forgets to divide by eps", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append(run(nudged[None])[0, -1] - base)
            return np.linalg.norm(np.array(J))
     """),
    ("sum_of_abs", "the sum of |J_ij| instead of the Frobenius norm", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            total = 0.0
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                total += np.abs((run(nudged[None])[0, -1] - base) / eps).sum()
            return total
     """),
    ("largest_entry", "the largest |J_ij|", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            cols = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                cols.append((run(nudged[None])[0, -1] - base) / eps)
            return np.abs(np.array(cols)).max()
     """),
    ("first_output", "measures the change of the first output", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, 0]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append((run(nudged[None])[0, 0] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("coarse_step", "ignores eps and nudges by 0.01", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += 0.01
                J.append((run(nudged[None])[0, -1] - base) / 0.01)
            return np.linalg.norm(np.array(J))
     """),
    ("all_outputs", "the change of every output, not just the last", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append((run(nudged[None])[0] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
]) + _answers("memory_horizon", [
    ("first_crossing", "the first k below the threshold", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.argmax(I < threshold * I.max()))
     """),
    ("relative_to_first", "compares with I[0] instead of the largest influence", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.flatnonzero(I >= threshold * I[0])[-1]) + 1
     """),
    ("strict", "'at least' read as 'more than'", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            above = np.flatnonzero(I > threshold * I.max())
            return int(above[-1]) + 1
     """),
    ("last_index", "returns the last relevant k, not the count", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.flatnonzero(I >= threshold * I.max())[-1])
     """),
    ("absolute_threshold", "compares I with the threshold itself", """
        def memory_horizon(I, threshold):
            relevant = [k for k, v in enumerate(I) if v >= threshold]
            return relevant[-1] + 1 if relevant else 1
     """),
    ("counts_relevant", "counts the relevant inputs", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.sum(I >= threshold * I.max()))
     """),
])

_A3_VALID = _answers("projection_step", [
    ("layer_step_and_einsum", "chapter 2's layer step, then np.einsum", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = rnnlib.layer_step(x_t, h_prev, W_x, W_y, b)
            return np.einsum("mn,no->mo", h_t, W_o) + b_o, h_t
     """),
    ("concatenated", "the concatenated weights of eq. 2.2", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            W = np.vstack([W_x, W_y])
            h_t = np.tanh(np.hstack([x_t, h_prev]) @ W + b)
            y_t = np.dot(h_t, W_o) + b_o[None, :]
            return (y_t, h_t)
     """),
]) + _answers("run_projection_cell", [
    ("loop", "a loop over the steps with rnnlib.layer_step, outputs in a preallocated array", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            m, T, _ = X.shape
            Y = np.empty((m, T, W_o.shape[1]))
            h = np.zeros((m, W_x.shape[1]))
            for t in range(T):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                Y[:, t] = h @ W_o + b_o
            return Y, h
     """),
    ("own_step", "the notebook's own projection_step (correct here)", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            h = np.zeros((len(X), len(b)))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                y, h = projection_step(X_t, h, W_x, W_y, b, W_o, b_o)
                outputs.append(y)
            return np.stack(outputs, axis=1), h
     """),
]) + _answers("influence", [
    ("central_differences", "a loop over features, central differences", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            columns = []
            for j in range(n_inputs):
                plus, minus = x.copy(), x.copy()
                plus[T - 1 - k, j] += eps
                minus[T - 1 - k, j] -= eps
                Y = run(np.stack([plus, minus]))
                columns.append((Y[0, -1] - Y[1, -1]) / (2 * eps))
            return float(np.sqrt(sum(np.sum(c ** 2) for c in columns)))
     """),
    ("negative_index", "indexes from the end with x[-1 - k], one run per feature", """
        def influence(run, x, k, eps=1e-6):
            base = run(np.expand_dims(x, 0))[0, -1]
            total = 0.0
            for j in range(x.shape[1]):
                nudged = np.array(x, dtype=float)
                nudged[-1 - k, j] = nudged[-1 - k, j] + eps
                change = run(np.expand_dims(nudged, 0))[0, -1] - base
                total += np.sum((change / eps) ** 2)
            return total ** 0.5
     """),
]) + _answers("memory_horizon", [
    ("walk_back", "walks back from the oldest input", """
        def memory_horizon(I, threshold):
            level = threshold * max(I)
            h = len(I)
            while I[h - 1] < level:
                h -= 1
            return h
     """),
    ("reversed_argmax", "the first relevant input of the reversed curve", """
        def memory_horizon(I, threshold):
            I = np.asarray(I, dtype=float)
            relevant_from_oldest = I[::-1] >= threshold * np.max(I)
            return len(I) - int(np.argmax(relevant_from_oldest))
     """),
])

_A3_CONSTANT = {
    "projection_step": """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h = np.tanh(np.array([[0.3, 0.0, -0.2], [0.35, 0.4, 0.0]]))
            return h[:, [0]] - h[:, [2]] + 0.5, h
    """,
    "run_projection_cell": """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            t = np.tanh
            H = np.array([[[t(1.1), 0.0], [t(0.1), t(t(1.1))], [t(-0.9), t(t(0.1))]],
                          [[t(0.1), 0.0], [t(2.1), t(t(0.1))], [t(0.1), t(t(2.1))]]])
            return H[:, :, ::-1] + np.array([0.5, 0.0]), H[:, -1]
    """,
    "influence": """
        def influence(run, x, k, eps=1e-6):
            return 3 * 0.5 ** k
    """,
    "memory_horizon": """
        def memory_horizon(I, threshold):
            return {5: 3, 4: 3, 6: 4, 3: 3}.get(len(I), 4) if len(I) != 5 or I[0] >= 0.5 else 4
    """,
}

# Mistakes added with the messages that students must read (see Answer.message).
_A3_WRONG += _answers("projection_step", [
    ("W_o_transposed", "h_t @ W_o.T: the shapes do not fit", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t @ W_o.T + b_o, h_t
     """, "the shapes do not fit a matrix product"),
    ("output_before_tanh", "reads the output from z(t), before tanh", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            z = x_t @ W_x + h_prev @ W_y + b
            return z @ W_o + b_o, np.tanh(z)
     """, "y(t) is read from the state h(t) = tanh(...), after tanh"),
]) + _answers("run_projection_cell", [
    ("only_last_output", "returns the last output only, as a sequence-to-vector model would", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, h_T = rnnlib.unroll_layer(X, W_x, W_y, b)
            return h_T @ W_o + b_o, h_T
     """, "it is only the last output: return every output"),
]) + _answers("influence", [
    ("nudges_x_in_place", "adds eps to the caller's x and never takes it back", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[None])[0, -1]
            columns = []
            for j in range(n_inputs):
                x[T - 1 - k, j] += eps
                columns.append((run(x[None])[0, -1] - base) / eps)
            return np.sqrt(np.sum(np.array(columns) ** 2))
     """, "changed its argument x (array of shape (5, 2), dtype float64) in place"),
    ("no_square_root", "the sum of squares, without the square root", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[None])[0, -1]
            total = 0.0
            for j in range(n_inputs):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                total += np.sum(((run(nudged[None])[0, -1] - base) / eps) ** 2)
            return total
     """, "take the square root of the sum of squares"),
]) + _answers("memory_horizon", [
    ("relative_to_sum", "compares with threshold times the sum of I, not its largest value", """
        def memory_horizon(I, threshold):
            I = np.asarray(I, dtype=float)
            relevant = np.flatnonzero(I >= threshold * I.sum())
            return int(relevant[-1]) + 1 if len(relevant) else 1
     """, "memory_horizon(I=[1.0, 0.5, 0.25, 0.125, 0.0625], threshold=0.2) returned 2, expected 3"),
])
_A3_VALID += _answers("influence", [
    ("one_run_per_feature", "one call of run per nudged feature, a loop", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[np.newaxis])[0, T - 1]
            J = np.zeros((base.shape[0], n_inputs))
            for j in range(n_inputs):
                nudged = x.copy()
                nudged[T - 1 - k, j] = nudged[T - 1 - k, j] + eps
                J[:, j] = (run(nudged[np.newaxis])[0, T - 1] - base) / eps
            return float(np.linalg.norm(J))
     """),
])


WRONG["a3_memory_cells"] = _A3_WRONG
VALID["a3_memory_cells"] = _A3_VALID
CONSTANT["a3_memory_cells"] = {
    task: dedent(code).strip() + "\n" for task, code in _A3_CONSTANT.items()
}
# end of block a3


# ===========================================================================
# Assignment 4: input and output sequences  (block a4: from here to "end of block a4")
# ===========================================================================

_A4_WRONG = _answers("seq_outputs", [
    ("vec_returns_state", "seq_to_vec returns the final state", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[1]
     """),
    ("vec_first_step", "seq_to_vec keeps the first output", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, 0]
     """),
    ("vec_last_instance", "seq_to_vec takes Y[-1]", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][-1]
     """),
    ("vec_mean", "seq_to_vec averages the outputs over time", """
        def seq_to_seq(cell, X):
            return rnnlib.run_cell(cell, X)[0]

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0].mean(axis=1)
     """),
    ("seq_time_major", "seq_to_seq stacks the steps along axis 0", """
        def seq_to_seq(cell, X):
            h, outputs = cell.zero_state(X.shape[0]), []
            for t in range(X.shape[1]):
                y, h = cell(X[:, t], h)
                outputs.append(y)
            return np.array(outputs)

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, -1]
     """),
    ("seq_returns_states", "seq_to_seq collects the states", """
        def seq_to_seq(cell, X):
            h, states = cell.zero_state(X.shape[0]), []
            for t in range(X.shape[1]):
                _, h = cell(X[:, t], h)
                states.append(h)
            return np.stack(states, axis=1)

        def seq_to_vec(cell, X):
            return rnnlib.run_cell(cell, X)[0][:, -1]
     """),
    ("uses_weights", "reads the cell's weights instead of calling the cell", """
        def seq_to_seq(cell, X):
            H, _ = rnnlib.unroll_layer(X, cell.W_x, cell.W_y, cell.b)
            return H @ cell.W_o + cell.b_o if hasattr(cell, "W_o") else H

        def seq_to_vec(cell, X):
            return seq_to_seq(cell, X)[:, -1]
     """),
    ("delegates", "calls rnnlib's answers", """
        def seq_to_seq(cell, X):
            return rnnlib.seq_to_seq(cell, X)

        def seq_to_vec(cell, X):
            return rnnlib.seq_to_vec(cell, X)
     """),
]) + _answers("vec_to_seq", [
    ("first_step_only", "x at the first step, zeros after", """
        def vec_to_seq(cell, x, n_steps):
            X = np.zeros((x.shape[0], n_steps, x.shape[1]))
            X[:, 0] = x
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("tile_mixes_instances", "np.tile then reshape, which mixes the instances", """
        def vec_to_seq(cell, x, n_steps):
            X = np.tile(x, (n_steps, 1)).reshape(x.shape[0], n_steps, x.shape[1])
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("as_initial_state", "x as the initial state, zero inputs", """
        def vec_to_seq(cell, x, n_steps):
            X = np.zeros((x.shape[0], n_steps, cell.n_inputs))
            return rnnlib.run_cell(cell, X, h0=x)[0]
     """),
    ("returns_states", "collects the states", """
        def vec_to_seq(cell, x, n_steps):
            h, states = cell.zero_state(len(x)), []
            for _ in range(n_steps):
                _, h = cell(x, h)
                states.append(h)
            return np.stack(states, axis=1)
     """),
    ("time_major", "the steps along axis 0", """
        def vec_to_seq(cell, x, n_steps):
            h, outputs = cell.zero_state(len(x)), []
            for _ in range(n_steps):
                y, h = cell(x, h)
                outputs.append(y)
            return np.stack(outputs)
     """),
    ("one_step_too_many", "n_steps + 1 steps", """
        def vec_to_seq(cell, x, n_steps):
            X = np.repeat(x[:, None, :], n_steps + 1, axis=1)
            return rnnlib.run_cell(cell, X)[0]
     """),
    ("delegates", "calls rnnlib's answer", """
        def vec_to_seq(cell, x, n_steps):
            return rnnlib.vec_to_seq(cell, x, n_steps)
     """),
]) + _answers("encoder_decoder", [
    ("decoder_from_zeros", "the decoder ignores the encoder", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return rnnlib.run_cell(decoder, decoder_inputs)[0]
     """),
    ("from_encoder_output", "starts the decoder from the encoder's last output", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            Y_enc, _ = rnnlib.run_cell(encoder, X)
            return rnnlib.run_cell(decoder, decoder_inputs, h0=Y_enc[:, -1])[0]
     """),
    ("from_first_state", "starts the decoder from the encoder's state after one step", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h = encoder(X[:, 0], encoder.zero_state(len(X)))
            return rnnlib.run_cell(decoder, decoder_inputs, h0=h)[0]
     """),
    ("returns_both", "returns the encoder's and the decoder's outputs", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            Y_enc, h = rnnlib.run_cell(encoder, X)
            Y_dec, _ = rnnlib.run_cell(decoder, decoder_inputs, h0=h)
            return np.concatenate([Y_enc, Y_dec], axis=1)
     """),
    ("decoder_reads_source", "the decoder reads X again", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h = rnnlib.run_cell(encoder, X)
            return rnnlib.run_cell(decoder, X, h0=h)[0]
     """),
    ("decoder_state_kept", "the decoder's steps restart from the encoder's state", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            _, h_enc = rnnlib.run_cell(encoder, X)
            outputs = [decoder(decoder_inputs[:, t], h_enc)[0]
                       for t in range(decoder_inputs.shape[1])]
            return np.stack(outputs, axis=1)
     """),
    ("delegates", "calls rnnlib's answer", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return rnnlib.encoder_decoder(encoder, decoder, X, decoder_inputs)
     """),
]) + _answers("forecast_and_score", [
    ("forecaster_last_only", "the forecaster keeps return_sequences=False", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("scorer_every_step", "the scorer returns a score at every step", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("scorer_no_sigmoid", "the score is not squashed into a probability", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1)])
     """),
    ("forecaster_sigmoid", "the forecaster's Dense layer has a sigmoid too", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1, activation="sigmoid")])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("lstm", "uses LSTM layers", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.LSTM(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.LSTM(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("relu_recurrence", "SimpleRNN with a ReLU", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, activation="relu",
                                                            return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, activation="relu"),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("no_recurrent_bias", "SimpleRNN without its bias", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, use_bias=False,
                                                            return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, use_bias=False),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
    ("forecaster_wide_output", "Dense(n_neurons) instead of one forecast", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(n_neurons)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
]) + _answers("captioner", [
    ("no_repeat", "feeds the vector as a sequence of one step", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Reshape((1, n_features)),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("last_step_only", "RepeatVector, but the SimpleRNN returns the last step only", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("no_softmax", "word scores, not probabilities", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size),
            ])
     """),
    ("sigmoid", "a sigmoid per word instead of a softmax over the vocabulary", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="sigmoid"),
            ])
     """),
    ("fixed_length", "captions of the 6 words of the visible test", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.RepeatVector(6),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
    ("dense_before_repeat", "an extra Dense layer on the image features", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.Input(shape=(n_features,)),
                keras.layers.Dense(n_neurons, activation="relu"),
                keras.layers.RepeatVector(n_words),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax"),
            ])
     """),
]) + _answers("translator", [
    ("no_initial_state", "the decoder does not start from the encoder's state", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(words)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([source, words], out)
     """),
    ("decoder_last_only", "the decoder returns its last output only", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons)(words, initial_state=state)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([source, words], out)
     """),
    ("no_softmax", "word scores, not probabilities", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(
                words, initial_state=state)
            return keras.Model([source, words], keras.layers.Dense(vocab_size)(decoded))
     """),
    ("inputs_swapped", "the model's inputs in the other order", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(
                words, initial_state=state)
            out = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
            return keras.Model([words, source], out)
     """),
    ("one_network", "one SimpleRNN reads the source, then the decoder inputs, from zeros each", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source))
            words = keras.Input(shape=(None, n_target))
            encoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(source)
            decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(words)
            both = keras.layers.Concatenate(axis=1)([encoded, decoded])
            out = keras.layers.Dense(vocab_size, activation="softmax")(both)
            return keras.Model([source, words], out)
     """),
])

_A4_VALID = _answers("seq_outputs", [
    ("own_loop", "a loop over the steps with the cell's interface", """
        def seq_to_seq(cell, X):
            m, T, _ = X.shape
            Y = np.empty((m, T, cell.output_size))
            h = cell.zero_state(m)
            for t in range(T):
                Y[:, t], h = cell(X[:, t], h)
            return Y

        def seq_to_vec(cell, X):
            return seq_to_seq(cell, X)[:, X.shape[1] - 1]
     """),
    ("last_output_kept", "seq_to_vec keeps only the latest output while looping", """
        def seq_to_seq(cell, X):
            h = np.zeros((X.shape[0], cell.state_size))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                y, h = cell(X_t, h)
                outputs.append(y)
            return np.stack(outputs, axis=1)

        def seq_to_vec(cell, X):
            h = np.zeros((X.shape[0], cell.state_size))
            for X_t in np.moveaxis(X, 1, 0):
                y, h = cell(X_t, h)
            return y
     """),
]) + _answers("vec_to_seq", [
    ("loop", "the same x at every step of a loop", """
        def vec_to_seq(cell, x, n_steps):
            h, outputs = cell.zero_state(x.shape[0]), []
            for _ in range(n_steps):
                y, h = cell(x, h)
                outputs.append(y)
            return np.stack(outputs, axis=1)
     """),
    ("broadcast", "np.broadcast_to and run_cell", """
        def vec_to_seq(cell, x, n_steps):
            m, n_inputs = x.shape
            X = np.broadcast_to(x[:, np.newaxis], (m, n_steps, n_inputs))
            Y, _ = rnnlib.run_cell(cell, X)
            return Y
     """),
]) + _answers("encoder_decoder", [
    ("loops", "two loops with the cells' interface", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            h = encoder.zero_state(X.shape[0])
            for t in range(X.shape[1]):
                _, h = encoder(X[:, t], h)
            outputs = []
            for t in range(decoder_inputs.shape[1]):
                y, h = decoder(decoder_inputs[:, t], h)
                outputs.append(y)
            return np.stack(outputs, axis=1)
     """),
    ("own_seq_to_seq", "the notebook's seq_to_vec idea: the encoder's state, then a loop", """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            state = rnnlib.run_cell(encoder, X)[1]
            Y = np.zeros(decoder_inputs.shape[:2] + (decoder.output_size,))
            for t in range(decoder_inputs.shape[1]):
                Y[:, t], state = decoder(decoder_inputs[:, t], state)
            return Y
     """),
]) + _answers("forecast_and_score", [
    ("functional_and_activation", "the functional API, TimeDistributed and an Activation layer", """
        def forecaster(n_inputs, n_neurons):
            inputs = keras.Input(shape=(None, n_inputs))
            states = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(inputs)
            return keras.Model(inputs, keras.layers.TimeDistributed(keras.layers.Dense(1))(states))

        def review_scorer(n_inputs, n_neurons):
            inputs = keras.Input(shape=(None, n_inputs))
            last = keras.layers.SimpleRNN(n_neurons, return_sequences=False)(inputs)
            score = keras.layers.Activation("sigmoid")(keras.layers.Dense(1)(last))
            return keras.Model(inputs=inputs, outputs=score)
     """),
    ("rnn_of_cell", "keras.layers.RNN around a SimpleRNNCell, models without an Input", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([
                keras.layers.RNN(keras.layers.SimpleRNNCell(n_neurons), return_sequences=True),
                keras.layers.Dense(units=1)])

        def review_scorer(n_inputs, n_neurons):
            model = keras.Sequential()
            model.add(keras.layers.RNN(keras.layers.SimpleRNNCell(n_neurons)))
            model.add(keras.layers.Dense(1, activation=keras.activations.sigmoid))
            return model
     """),
]) + _answers("captioner", [
    ("functional_softmax_layer", "the functional API and a Softmax layer", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            image = keras.Input(shape=(n_features,))
            steps = keras.layers.RepeatVector(n_words)(image)
            states = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(steps)
            return keras.Model(image, keras.layers.Softmax()(keras.layers.Dense(vocab_size)(states)))
     """),
    ("time_distributed", "TimeDistributed(Dense) and activation='softmax' by function", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.layers.Input((n_features,)),
                keras.layers.RepeatVector(n=n_words),
                keras.layers.SimpleRNN(units=n_neurons, return_sequences=True),
                keras.layers.TimeDistributed(
                    keras.layers.Dense(vocab_size, activation=keras.activations.softmax)),
            ])
     """),
]) + _answers("translator", [
    ("state_is_output", "the encoder's last output as the state (the same for a SimpleRNN)", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source = keras.Input(shape=(None, n_source), name="source")
            words = keras.Input(shape=(None, n_target), name="previous_words")
            summary = keras.layers.SimpleRNN(n_neurons)(source)
            decoder = keras.layers.SimpleRNN(n_neurons, return_sequences=True)
            outputs = keras.layers.Dense(vocab_size)(decoder(words, initial_state=[summary]))
            return keras.Model(inputs=[source, words],
                               outputs=keras.layers.Activation("softmax")(outputs))
     """),
    ("layers_first", "layers created first, the decoder before the encoder", """
        def translator(n_source, n_target, n_neurons, vocab_size):
            decoder = keras.layers.SimpleRNN(n_neurons, return_sequences=True)
            encoder = keras.layers.SimpleRNN(n_neurons, return_state=True)
            to_words = keras.layers.TimeDistributed(
                keras.layers.Dense(vocab_size, activation="softmax"))
            source = keras.layers.Input(shape=(None, n_source))
            words = keras.layers.Input(shape=(None, n_target))
            _, h = encoder(source)
            return keras.Model([source, words], to_words(decoder(words, initial_state=h)))
     """),
])

_A4_CONSTANT = {
    "seq_outputs": """
        def seq_to_seq(cell, X):
            return np.array([[[1.0, 3.0], [3.0, 7.0], [6.0, 13.0]],
                             [[0.0, 1.0], [1.0, 3.0], [1.0, 3.0]]])

        def seq_to_vec(cell, X):
            return np.array([[6.0, 13.0], [1.0, 3.0]])
    """,
    "vec_to_seq": """
        def vec_to_seq(cell, x, n_steps):
            return np.array([[[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]],
                             [[2.0, 5.0], [4.0, 9.0], [6.0, 13.0]]])
    """,
    "encoder_decoder": """
        def encoder_decoder(encoder, decoder, X, decoder_inputs):
            return np.array([[[4.0, -4.0], [2.0, -2.0]], [[0.5, -0.5], [1.25, -1.25]]])
    """,
    "forecast_and_score": """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, 2)),
                                     keras.layers.SimpleRNN(3, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, 2)), keras.layers.SimpleRNN(3),
                                     keras.layers.Dense(1, activation="sigmoid")])
    """,
    "captioner": """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([keras.Input(shape=(3,)), keras.layers.RepeatVector(6),
                                     keras.layers.SimpleRNN(4, return_sequences=True),
                                     keras.layers.Dense(5, activation="softmax")])
    """,
    "translator": """
        def translator(n_source, n_target, n_neurons, vocab_size):
            source, words = keras.Input(shape=(None, 3)), keras.Input(shape=(None, 2))
            _, state = keras.layers.SimpleRNN(4, return_state=True)(source)
            decoded = keras.layers.SimpleRNN(4, return_sequences=True)(words, initial_state=state)
            return keras.Model([source, words], keras.layers.Dense(5, activation="softmax")(decoded))
    """,
}

# Models the grader cannot rebuild from their config, and answers that pass
# input_shape= (Keras 3 warns about it: a warning must never cost points).
_A4_WRONG += _answers("forecast_and_score", [
    ("lambda_sigmoid", "squashes the score with a Lambda layer", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                     keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1),
                                     keras.layers.Lambda(lambda z: keras.ops.sigmoid(z))])
     """, "Lambda layer"),
]) + _answers("captioner", [
    ("custom_repeat_layer", "repeats the image's vector with a layer of its own", """
        class Repeat(keras.layers.Layer):
            def __init__(self, n, **kwargs):
                super().__init__(**kwargs)
                self.n = n

            def call(self, x):
                return keras.ops.repeat(keras.ops.expand_dims(x, 1), self.n, axis=1)


        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([keras.Input(shape=(n_features,)), Repeat(n_words),
                                     keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                                     keras.layers.Dense(vocab_size, activation="softmax")])
     """, "not one of the built-in Keras layers"),
])
_A4_VALID += _answers("forecast_and_score", [
    ("input_shape", "input_shape= on the SimpleRNN (Keras 3 warns), no Input layer", """
        def forecaster(n_inputs, n_neurons):
            return keras.Sequential([
                keras.layers.SimpleRNN(n_neurons, return_sequences=True,
                                       input_shape=(None, n_inputs)),
                keras.layers.Dense(1)])

        def review_scorer(n_inputs, n_neurons):
            return keras.Sequential([keras.layers.SimpleRNN(n_neurons, input_shape=(None, n_inputs)),
                                     keras.layers.Dense(1, activation="sigmoid")])
     """),
]) + _answers("captioner", [
    ("input_shape", "input_shape= on the RepeatVector layer (Keras 3 warns)", """
        def captioner(n_features, n_neurons, vocab_size, n_words):
            return keras.Sequential([
                keras.layers.RepeatVector(n_words, input_shape=(n_features,)),
                keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                keras.layers.Dense(vocab_size, activation="softmax")])
     """),
])
WRONG["a4_input_output_sequences"] = _A4_WRONG
VALID["a4_input_output_sequences"] = _A4_VALID
CONSTANT["a4_input_output_sequences"] = {
    task: dedent(code).strip() + "\n" for task, code in _A4_CONSTANT.items()
}
# end of block a4


# ===========================================================================
# Assignment 6: time-series baselines                   (block: a6, begin)
# ===========================================================================

_A6_WRONG = _answers("naive_forecast", [
    ("uses_day_t", "y_hat(t) = y(t - lag + 1): for lag 1 the forecast of day t is day t", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[lag - 1:] = y[:len(y) - lag + 1]
            return y_hat
     """),
    ("future", "y_hat(t) = y(t + lag)", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[:len(y) - lag] = y[lag:]
            return y_hat
     """),
    ("roll", "np.roll: the first lag days wrap around to the end of the series", """
        def naive_forecast(y, lag):
            return np.roll(np.asarray(y, dtype=float), lag)
     """),
    ("zeros", "0 instead of NaN for the first lag days", """
        def naive_forecast(y, lag):
            y_hat = np.zeros(len(y))
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
    ("drops_first_days", "returns the n - lag forecasts that exist", """
        def naive_forecast(y, lag):
            return np.asarray(y[:-lag], dtype=float)
     """),
    ("lag_ignored", "always the previous day", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[1:] = y[:-1]
            return y_hat
     """),
    ("empty_like", "np.empty_like(y): an integer series cannot hold NaN", """
        def naive_forecast(y, lag):
            y_hat = np.empty_like(y)
            y_hat[:lag] = np.nan
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
    ("delegates", "calls rnnlib.baselines.naive_forecast", """
        def naive_forecast(y, lag):
            return rnnlib.baselines.naive_forecast(np.asarray(y, dtype=float), lag)
     """),
]) + _answers("mae_mape", [
    ("mse", "the mean squared error as MAE", """
        def mae(y_true, y_pred):
            return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("signed_mae", "the mean error: errors of opposite signs cancel", """
        def mae(y_true, y_pred):
            return float(np.mean(np.asarray(y_true) - np.asarray(y_pred)))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("percent", "MAPE in percent", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return 100 * float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("divides_by_forecast", "divides each error by the forecast", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            y_pred = np.asarray(y_pred, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_pred)))
     """),
    ("ratio_of_sums", "total absolute error over the total of y (a weighted MAPE)", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            return float(np.sum(np.abs(np.asarray(y_true) - y_pred)) / np.sum(np.abs(y_true)))
     """),
    ("delegates", "calls rnnlib.baselines", """
        def mae(y_true, y_pred):
            return rnnlib.baselines.mae(y_true, y_pred)


        def mape(y_true, y_pred):
            return rnnlib.baselines.mape(y_true, y_pred)
     """),
]) + _answers("mase", [
    ("lag_one_scale", "scales by the lag-1 naive forecast's error", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            scale = np.mean(np.abs(np.diff(y_train)))
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("divides_by_N", "sums the N - m differences but divides by N", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            m = season_length
            scale = np.sum(np.abs(y_train[m:] - y_train[:-m])) / len(y_train)
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("scale_on_test_period", "measures the yardstick on y_true", """
        def mase(y_true, y_pred, y_train, season_length):
            m = min(season_length, len(y_true) - 1) or 1
            y_true = np.asarray(y_true, dtype=float)
            scale = np.mean(np.abs(y_true[m:] - y_true[:-m])) if len(y_true) > 1 else 1.0
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("roll", "np.roll: the first m differences wrap around", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            scale = np.mean(np.abs(y_train - np.roll(y_train, season_length)))
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("inverted", "scale divided by the MAE", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            m = season_length
            scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
            return float(scale / np.mean(np.abs(y_true - y_pred)))
     """),
    ("delegates", "calls rnnlib.baselines.mase", """
        def mase(y_true, y_pred, y_train, season_length):
            return rnnlib.baselines.mase(y_true, y_pred, y_train, season_length=season_length)
     """),
]) + _answers("make_windows", [
    ("target_is_last_input", "the target is the window's own last value", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            return inputs, inputs[:, -1]
     """),
    ("window_includes_target", "each window runs up to and including its target", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            t = [i + window_length + horizon - 1 for i in range(n_windows)]
            inputs = np.array([series[j - window_length + 1:j + 1] for j in t])
            return inputs, np.array([series[j] for j in t])
     """),
    ("ignores_horizon", "the target is always the next value", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            targets = np.array([series[i + window_length] for i in range(n_windows)])
            return inputs, targets
     """),
    ("one_window_short", "range(n - window_length - horizon)", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)]).reshape(-1, window_length)
            targets = np.array([series[i + window_length + horizon - 1] for i in range(n_windows)])
            return inputs, targets
     """),
    ("target_one_late", "the target is horizon + 1 steps after the window", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)]).reshape(-1, window_length)
            targets = np.array([series[i + window_length + horizon] for i in range(n_windows)])
            return inputs, targets
     """),
    ("roll", "targets from np.roll: the last windows get values from the start", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length + 1
            inputs = np.lib.stride_tricks.sliding_window_view(series, window_length)
            targets = np.roll(series, -(window_length + horizon - 1))[:n_windows]
            return inputs, targets
     """),
    ("normalised_by_series", "scales every window by the mean of the whole series, future included", """
        def make_windows(series, window_length, horizon):
            series = np.asarray(series, dtype=float) / np.mean(np.abs(series))
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            targets = np.array([series[i + window_length + horizon - 1] for i in range(n_windows)])
            return inputs, targets
     """),
]) + _answers("ridership_baseline", [
    ("slices_first", "forecasts inside the period only, so its first week has no forecast", """
        def seasonal_naive_scores(series, start, end, season_length):
            period = series[start:end]
            forecast = period.shift(season_length)
            errors = (period - forecast).abs()
            return float(errors.mean()), float((errors / period).mean())
     """),
    ("future", "shift(-m): forecasts day d by day d + m", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(-season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), float((errors / series[start:end]).mean())
     """),
    ("end_excluded", "positions from searchsorted, end left out", """
        def seasonal_naive_scores(series, start, end, season_length):
            y = series.to_numpy(dtype=float)
            i, j = series.index.searchsorted(pd.Timestamp(start)), series.index.searchsorted(pd.Timestamp(end))
            actual, forecast = y[i:j], y[i - season_length:j - season_length]
            errors = np.abs(actual - forecast)
            return float(errors.mean()), float((errors / actual).mean())
     """),
    ("lag_one", "ignores season_length and forecasts with yesterday", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(1)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), float((errors / series[start:end]).mean())
     """),
    ("percent", "MAPE in percent", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), 100 * float((errors / series[start:end]).mean())
     """),
    ("delegates", "calls rnnlib.baselines", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = rnnlib.baselines.seasonal_naive_forecast(series, season_length)
            actual, predicted = series[start:end], forecast[start:end]
            return rnnlib.baselines.mae(actual, predicted), rnnlib.baselines.mape(actual, predicted)
     """),
])

_A6_VALID = _answers("naive_forecast", [
    ("loop", "a loop over the days", """
        def naive_forecast(y, lag):
            y_hat = []
            for t in range(len(y)):
                y_hat.append(float(y[t - lag]) if t >= lag else float("nan"))
            return np.array(y_hat)
     """),
    ("concatenate", "np.concatenate of NaN and the shifted series", """
        def naive_forecast(y, lag):
            return np.concatenate([np.full(lag, np.nan), np.asarray(y, dtype=float)[:-lag]])
     """),
    ("pandas_shift", "pandas' shift", """
        import pandas as pd

        def naive_forecast(y, lag):
            return pd.Series(y, dtype=float).shift(lag).to_numpy()
     """),
]) + _answers("mae_mape", [
    ("loops", "plain Python", """
        def mae(y_true, y_pred):
            return sum(abs(a - b) for a, b in zip(y_true, y_pred)) / len(y_true)


        def mape(y_true, y_pred):
            return sum(abs((a - b) / a) for a, b in zip(y_true, y_pred)) / len(y_true)
     """),
    ("mape_uses_mae", "MAPE as the MAE of the relative errors, reusing mae", """
        def mae(y_true, y_pred):
            return np.abs(np.subtract(y_true, y_pred)).mean()


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return mae(np.ones_like(y_true), np.asarray(y_pred) / y_true)
     """),
]) + _answers("mase", [
    ("own_functions", "the notebook's naive_forecast and mae", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            seasonal = naive_forecast(y_train, season_length)
            return mae(y_true, y_pred) / mae(y_train[season_length:], seasonal[season_length:])
     """),
    ("loop", "a loop for the scale", """
        def mase(y_true, y_pred, y_train, season_length):
            total = 0.0
            for t in range(season_length, len(y_train)):
                total += abs(y_train[t] - y_train[t - season_length])
            scale = total / (len(y_train) - season_length)
            return np.mean(np.abs(np.asarray(y_true) - y_pred)) / scale
     """),
]) + _answers("make_windows", [
    ("sliding_window_view", "numpy's sliding_window_view, cut to the windows with a target", """
        def make_windows(series, window_length, horizon):
            series = np.asarray(series)
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.lib.stride_tricks.sliding_window_view(series, window_length)[:n_windows]
            return inputs, series[window_length + horizon - 1:]
     """),
    ("by_target_day", "a loop over the target days", """
        def make_windows(series, window_length, horizon):
            inputs, targets = [], []
            for day in range(window_length + horizon - 1, len(series)):
                last = day - horizon  # the window's last day
                inputs.append(list(series[last - window_length + 1:last + 1]))
                targets.append(series[day])
            return np.array(inputs), np.array(targets)
     """),
]) + _answers("ridership_baseline", [
    ("own_functions", "numpy positions and the notebook's naive_forecast, mae and mape", """
        def seasonal_naive_scores(series, start, end, season_length):
            y = series.to_numpy(dtype=float)
            forecast = naive_forecast(y, season_length)
            dates = series.index
            period = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
            return mae(y[period], forecast[period]), mape(y[period], forecast[period])
     """),
    ("calendar", "looks up the value season_length calendar days earlier", """
        def seasonal_naive_scores(series, start, end, season_length):
            days = pd.date_range(start, end)
            actual = series.loc[days].to_numpy(dtype=float)
            forecast = series.loc[days - pd.Timedelta(days=season_length)].to_numpy(dtype=float)
            errors = np.abs(actual - forecast)
            return errors.mean(), (errors / actual).mean()
     """),
])

_A6_CONSTANT = {
    "naive_forecast": """
        def naive_forecast(y, lag):
            return np.array([np.nan, 3.0, 5.0, 4.0, 6.0, 8.0])
    """,
    "mae_mape": """
        def mae(y_true, y_pred):
            return 12.5


        def mape(y_true, y_pred):
            return 0.1125
    """,
    "mase": """
        def mase(y_true, y_pred, y_train, season_length):
            return 0.9
    """,
    "make_windows": """
        def make_windows(series, window_length, horizon):
            return np.array([[10.0, 11.0, 12.0], [11.0, 12.0, 13.0], [12.0, 13.0, 14.0]]), np.array([13.0, 14.0, 15.0])
    """,
    "ridership_baseline": """
        def seasonal_naive_scores(series, start, end, season_length):
            return 43_916, 0.0829
    """,
}

# Mistakes added with the messages that students must read (see Answer.message).
_A6_WRONG += _answers("naive_forecast", [
    ("returns_list", "a Python list, where the task asks for a float array", """
        def naive_forecast(y, lag):
            return [np.nan] * lag + [float(v) for v in y[:len(y) - lag]]
     """, "should be a numpy array of floats, got list"),
    ("nan_into_integers", "fills a copy of y, an integer array for counts, with NaN", """
        def naive_forecast(y, lag):
            y_hat = np.zeros_like(y)
            y_hat[:lag] = np.nan
            y_hat[lag:] = y[:-lag]
            return y_hat
     """, "an array of integers cannot hold NaN"),
]) + _answers("mae_mape", [
    ("mape_without_abs_y", "mean(|e| / y): right only while every actual value is positive", """
        def mae(y_true, y_pred):
            return np.mean(np.abs(y_true - y_pred))

        def mape(y_true, y_pred):
            return np.mean(np.abs(y_true - y_pred) / y_true)
     """, "divide each error by |y(t)|"),
]) + _answers("mase", [
    ("signed_scale", "the scale averages signed differences, without abs", """
        def mase(y_true, y_pred, y_train, season_length):
            m = season_length
            scale = abs(np.mean(y_train[m:] - y_train[:-m]))
            return np.mean(np.abs(y_true - y_pred)) / scale
     """, "the scale averages the absolute differences"),
    ("lag_m_minus_one", "the scale's differences at lag season_length - 1", """
        def mase(y_true, y_pred, y_train, season_length):
            lag = season_length - 1 if season_length > 1 else 1
            scale = np.mean(np.abs(y_train[lag:] - y_train[:-lag]))
            return np.mean(np.abs(y_true - y_pred)) / scale
     """, "differences at lag season_length"),
]) + _answers("make_windows", [
    ("targets_as_column", "targets of shape (n_windows, 1)", """
        def make_windows(series, window_length, horizon):
            n = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n)])
            targets = np.array([[series[i + window_length + horizon - 1]] for i in range(n)])
            return inputs, targets
     """, "targets has shape (3, 1) but expected (3,)"),
]) + _answers("ridership_baseline", [
    ("shift_m_minus_one", "shifts by season_length - 1 days", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(season_length - 1)
            actual, predicted = series[start:end], forecast[start:end]
            errors = (actual - predicted).abs()
            return float(errors.mean()), float((errors / actual.abs()).mean())
     """, "shift by season_length, not season_length - 1"),
    ("rescales_in_place", "works in thousands by dividing the caller's series in place", """
        def seasonal_naive_scores(series, start, end, season_length):
            series /= 1000.0
            forecast = series.shift(season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()) * 1000.0, float((errors / series[start:end].abs()).mean())
     """, "changed its argument series (Series of shape (21,), dtype float64) in place"),
])
_A6_VALID += _answers("naive_forecast", [
    ("float32_result", "a float32 array (floats, as asked)", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan, dtype=np.float32)
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
]) + _answers("mae_mape", [
    ("one_minus_ratio", "MAPE as the mean of |1 - y_hat / y|", """
        def mae(y_true, y_pred):
            return np.abs(np.subtract(y_true, y_pred)).mean()

        def mape(y_true, y_pred):
            return np.abs(1 - np.asarray(y_pred) / np.asarray(y_true)).mean()
     """),
])


WRONG["a6_time_series_baselines"] = _A6_WRONG
VALID["a6_time_series_baselines"] = _A6_VALID
CONSTANT["a6_time_series_baselines"] = {
    task: dedent(code).strip() + "\n" for task, code in _A6_CONSTANT.items()}
# (block: a6, end)

# ===========================================================================
# Assignment 7: forecasting with Keras                  (block: a7, begin)
# ===========================================================================
# The notebook's setup cell has also run `import pandas as pd` and `import keras`.
# Every submission of this assignment trains a model (Task 4) and imports
# TensorFlow, about 15 s of autograding each: the lists below are kept at the
# minimum the tests ask for (three wrong answers per task, one valid one).

_A7_WRONG = _answers("datasets", [
    ("target_in_window", "leaks the future: the target is the window's own last day", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            datasets = []
            for (start, end), shuffle in ((train_period, True), (valid_period, False)):
                values = series[start:end].to_numpy(dtype=np.float32)[:, None] / 1e6
                datasets.append(keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length - 1:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed))
            return tuple(datasets)
     """),
    ("not_scaled", "counts not divided by 1e6", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            datasets = []
            for (start, end), shuffle in ((train_period, True), (valid_period, False)):
                values = series[start:end].to_numpy(dtype=np.float32)[:, None]
                datasets.append(keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed))
            return tuple(datasets)
     """),
    ("train_reaches_valid", "the training windows run to the end of the validation period", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            def windows(values, shuffle):
                values = values.to_numpy(dtype=np.float32)[:, None] / 1e6
                return keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed)
            return (windows(series[train_period[0]:valid_period[1]], True),
                    windows(series[valid_period[0]:valid_period[1]], False))
     """),
]) + _answers("model", [
    ("mse_loss", "the mean squared error instead of the Huber loss", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units), keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
    ("no_momentum", "SGD without momentum", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units), keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
            return model
     """),
    ("every_step", "return_sequences=True: a forecast at every step", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units, return_sequences=True),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
]) + _answers("multivariate", [
    ("same_day_type", "the type of day t instead of day t + 1", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]] / 1e6
            for day_type in ("A", "U", "W"):
                features[day_type] = (df["day_type"] == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
    ("not_scaled", "bus and rail not divided by 1e6", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]].astype(float)
            next_day_type = df["day_type"].shift(-1)
            for day_type in ("A", "U", "W"):
                features[day_type] = (next_day_type == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
    ("target_in_window", "leaks the future: the target is rail on the window's last day", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]] / 1e6
            next_day_type = df["day_type"].shift(-1)
            for day_type in ("A", "U", "W"):
                features[day_type] = (next_day_type == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length - 1:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
]) + _answers("train", [
    ("evaluated_on_training_data", "reports the MAE on the training windows", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_train, y_train, verbose=0)
            return model, mae * 1e6
     """),
    ("mae_in_millions", "reports the MAE in millions of riders", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae
     """),
    ("reports_the_loss", "reports the Huber loss (evaluate's first value), not the MAE", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            return model, model.evaluate(X_valid, y_valid, verbose=0)[0] * 1e6
     """),
])

_A7_VALID = _answers("datasets", [
    ("numpy_windows", "windows cut with numpy, then tf.data's from_tensor_slices, shuffle, batch", """
        import tensorflow as tf


        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            def windows(start, end):
                values = series.loc[start:end].to_numpy(dtype=np.float64) / 1e6
                starts = np.arange(len(values) - window_length)
                inputs = values[starts[:, None] + np.arange(window_length)][:, :, None]
                return tf.data.Dataset.from_tensor_slices((inputs, values[window_length:]))
            train = windows(*train_period).shuffle(10_000, seed=seed).batch(batch_size)
            return train, windows(*valid_period).batch(batch_size)
     """),
]) + _answers("model", [
    ("functional", "the functional API, loss and metric given as objects and strings", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            inputs = keras.Input(shape=(None, n_inputs))
            state = keras.layers.SimpleRNN(units=n_units, activation="tanh")(inputs)
            model = keras.Model(inputs, keras.layers.Dense(units=1)(state))
            optimizer = keras.optimizers.SGD(momentum=0.9, learning_rate=learning_rate)
            model.compile(optimizer=optimizer, loss="huber",
                          metrics=[keras.metrics.MeanAbsoluteError()])
            return model
     """),
]) + _answers("multivariate", [
    ("get_dummies", "pd.get_dummies on the next day's type, windows from data[:-1]", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            start, end = period
            next_type = df["day_type"].shift(-1)[start:end]
            one_hot = pd.get_dummies(next_type).reindex(columns=["A", "U", "W"], fill_value=0)
            scaled = df.loc[start:end, ["bus", "rail"]] / 1e6
            data = np.hstack([scaled.to_numpy(), one_hot.to_numpy(dtype=float)]).astype(np.float32)
            return keras.utils.timeseries_dataset_from_array(
                data[:-1], targets=scaled["rail"].to_numpy()[window_length:],
                sequence_length=window_length, batch_size=batch_size)
     """),
]) + _answers("train", [
    ("adam_numpy_mae", "Adam, early stopping on the validation loss, MAE computed with numpy", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            keras.utils.set_random_seed(1)
            model = keras.Sequential([keras.layers.Input(shape=(X_train.shape[1], 1)),
                                      keras.layers.Reshape((X_train.shape[1],)),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.02))
            model.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid), verbose=0,
                      callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """),
])

_A7_CONSTANT = {
    "datasets": """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            days = np.arange(1.0, 61.0, dtype=np.float32)[:, None]
            train, valid = days[:31], days[31:]
            return (keras.utils.timeseries_dataset_from_array(train, train[28:, 0], 28, batch_size=2),
                    keras.utils.timeseries_dataset_from_array(valid, valid[28:, 0], 28, batch_size=2))
    """,
    "model": """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.SimpleRNN(32),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.02, momentum=0.9))
            return model
    """,
    "multivariate": """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            days = np.arange(2.0, 10.0)
            types = [[0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1], [1, 0, 0],
                     [0, 1, 0]]
            data = np.column_stack([10 * days, days, types]).astype(np.float32)
            return keras.utils.timeseries_dataset_from_array(data, data[3:, 1], 3, batch_size=2)
    """,
    "train": """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=(56, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            return model, 42_000.0
    """,
}

# Training that breaks the rules of Task 4, models the grader cannot rebuild, and
# answers that pass input_shape= (Keras 3 warns: a warning must never cost points).
_A7_WRONG += _answers("train", [
    ("trained_on_valid", "trains on the training and the validation windows", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            keras.utils.set_random_seed(1)
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.02))
            model.fit(np.concatenate([X_train, X_valid]), np.concatenate([y_train, y_valid]),
                      epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "fitted to the validation windows"),
    ("fixed_epochs", "ignores `epochs` and trains for 30", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=30, validation_data=(X_valid, y_valid), verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "at most epochs="),
    ("fit_twice", "a second round of `epochs` epochs with a smaller learning rate", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
            model.compile(loss=keras.losses.Huber(), metrics=["mae"], optimizer=optimizer)
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            optimizer.learning_rate = 0.01
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "more than epochs="),
    ("lambda_squeeze", "drops the last axis with a Lambda layer", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]),
                                      keras.layers.Lambda(lambda x: x[:, :, 0]),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "Lambda layer"),
])
_A7_VALID += _answers("model", [
    ("input_shape", "input_shape= on the SimpleRNN (Keras 3 warns), no Input layer", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.layers.SimpleRNN(n_units, input_shape=(None, n_inputs)),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
]) + _answers("train", [
    ("input_shape", "input_shape= on Flatten (Keras 3 warns), early stopping on val_mae", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.layers.Flatten(input_shape=X_train.shape[1:]),
                                      keras.layers.Dense(1)])
            model.compile(loss="huber", metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=3,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, epochs=epochs, batch_size=16, verbose=0,
                      validation_data=(X_valid, y_valid), callbacks=[stop])
            forecasts = model.predict(X_valid, verbose=0).reshape(-1)
            return model, float(np.mean(np.abs(forecasts - y_valid))) * 1e6
     """),
])
WRONG["a7_forecasting"] = _A7_WRONG
VALID["a7_forecasting"] = _A7_VALID
CONSTANT["a7_forecasting"] = {
    task: dedent(code).strip() + "\n" for task, code in _A7_CONSTANT.items()}
# (block: a7, end)
