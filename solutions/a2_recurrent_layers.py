# Source of the nbgrader notebook solutions/a2_recurrent_layers/recurrent_layers.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test.
#
# Task 3 (eq. 2.2) used to require "one matrix product of the concatenated inputs".
# The tests see only values, and W is all the function receives, so a function that
# splits W back into W_x and W_y and makes two products computes eq. 2.2 exactly; no
# honest test tells the two apart (counting matrix products would have to know every
# way numpy can multiply). The rule is therefore not part of the task: the statement
# explains why eq. 2.2 needs one product and says that any correct computation of
# Y(t) from W scores full marks.

# %% readonly-markdown intro
# # Assignment 2: recurrent layers
#
# In chapter 2 a layer of recurrent neurons processes a whole mini-batch at once. With
# one row per instance, the outputs at time $t$ are
#
# $$\hat{\mathbf Y}(t) = \phi\big(\mathbf X(t)\,\mathbf W_x + \hat{\mathbf Y}(t-1)\,\mathbf W_y + \mathbf b\big) \qquad (2.1)$$
#
# or, stacking the weights into $\mathbf W = \begin{bmatrix}\mathbf W_x \\ \mathbf W_y\end{bmatrix}$,
#
# $$\hat{\mathbf Y}(t) = \phi\big([\mathbf X(t)\;\; \hat{\mathbf Y}(t-1)]\,\mathbf W + \mathbf b\big) \qquad (2.2)$$
#
# | name | shape |
# |---|---|
# | `X_t`, $\mathbf X(t)$ | `(m, n_inputs)`: m instances, one per row |
# | `Y_prev`, $\hat{\mathbf Y}(t-1)$, and the output $\hat{\mathbf Y}(t)$ | `(m, n_neurons)` |
# | `W_x` | `(n_inputs, n_neurons)` |
# | `W_y` | `(n_neurons, n_neurons)` |
# | `b` | `(n_neurons,)` |
# | `W` | `(n_inputs + n_neurons, n_neurons)` |
# | a batch of sequences `X` | `(m, T, n_inputs)` |
#
# Throughout, $\phi = \tanh$.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size,
# including a single instance and a single time step. How your work is graded (the
# hidden tests, what fails a test, the locked test cells) is explained once, on the
# book's page *Doing the graded exercises*.
#
# You may use `rnnlib.neuron` (chapter 1) anywhere. Each task says what else of `rnnlib`
# you may use; a function that calls rnnlib's version of the thing the task asks for
# scores 0.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import numpy as np

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_layer_step
# ## Task 1: one step of a layer, for a mini-batch (3 points)
#
# Write `layer_step(X_t, Y_prev, W_x, W_y, b)`: eq. 2.1 for all `m` instances at once.
# It returns $\hat{\mathbf Y}(t)$ of shape `(m, n_neurons)`. Do not use `rnnlib.layer`.

# %% answer layer_step
def layer_step(X_t, Y_prev, W_x, W_y, b):
    """Y(t) = tanh(X(t) W_x + Y(t-1) W_y + b) (eq. 2.1); returns (m, n_neurons)."""
    ### BEGIN SOLUTION
    return np.tanh(X_t @ W_x + Y_prev @ W_y + b)
    ### END SOLUTION

# %% tests test_layer_step points=3
import numpy as np
from rnnlib import grading

# A case to check by hand: m = 3 instances, 2 inputs, 4 neurons.
X_t = np.array([[1.0, 0.0],
                [0.0, 1.0],
                [1.0, 1.0]])
W_x = np.array([[0.1, 0.2, 0.3, 0.4],
                [-0.1, -0.2, 0.0, 0.2]])
Y_prev = np.array([[0.0, 0.0, 0.0, 0.0],
                   [1.0, 0.0, 0.0, 0.0],
                   [0.0, 0.0, 0.0, 1.0]])
W_y = np.array([[0.5, 0.0, 0.0, 0.0],
                [0.0, 0.5, 0.0, 0.0],
                [0.0, 0.0, 0.5, 0.0],
                [0.1, 0.2, 0.3, 0.4]])
b = np.array([0.0, 0.1, -0.1, 0.2])
# Row i of X(t) W_x adds up the rows of W_x picked by the 1s in row i of X(t);
# Y(t-1) W_y does the same with the rows of W_y:
XW = np.array([[0.1, 0.2, 0.3, 0.4],     # row 0 of W_x
               [-0.1, -0.2, 0.0, 0.2],   # row 1 of W_x
               [0.0, 0.0, 0.3, 0.6]])    # row 0 + row 1
YW = np.array([[0.0, 0.0, 0.0, 0.0],     # nothing
               [0.5, 0.0, 0.0, 0.0],     # row 0 of W_y
               [0.1, 0.2, 0.3, 0.4]])    # row 3 of W_y
YW_transposed = np.array([[0.0, 0.0, 0.0, 0.0],
                          [0.5, 0.0, 0.0, 0.1],    # column 0 of W_y
                          [0.0, 0.0, 0.0, 0.4]])   # column 3 of W_y
Y_t = grading.call(layer_step, dict(X_t=X_t, Y_prev=Y_prev, W_x=W_x, W_y=W_y, b=b),
                   allow=["rnnlib.neuron"])
grading.check_array(
    Y_t, np.tanh(XW + YW + b), "layer_step's output",
    transpose_hint="did you transpose W_x? X(t) has one row per instance, so Y(t) "
                   "is (m, n_neurons): compute X_t @ W_x, not W_x @ X_t",
    shape_hint="Y(t) has one row per instance and one column per neuron, (m, n_neurons)",
    mistakes=[
        ("the bias seems to be missing", np.tanh(XW + YW)),
        ("the recurrent term Y(t-1) W_y seems to be missing", np.tanh(XW + b)),
        ("W_y seems transposed: compute Y_prev @ W_y", np.tanh(XW + YW_transposed + b)),
        ("tanh seems to be missing", XW + YW + b),
        ("phi is tanh, not the logistic sigmoid", 1 / (1 + np.exp(-(XW + YW + b)))),
        ("every instance must use its own inputs: row i of X(t) is instance i, so compute "
         "X_t @ W_x for all rows, not X_t[0] @ W_x", np.tanh(XW[0] + YW + b)),
        ("tanh must apply to the bias too", np.tanh(XW + YW) + b),
        ("the instances must stay apart: Y(t) has one row per instance; do not add up "
         "the rows", lambda got: got.shape == (4,)
         and np.allclose(got, np.tanh((XW + YW).sum(axis=0) + b))),
    ])
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_layer_step(X_t, Y_prev, W_x, W_y, b):
    """eq. 2.1 in plain Python, one instance and one neuron at a time."""
    X_t, Y_prev, W_x, W_y, b = (a.tolist() for a in (X_t, Y_prev, W_x, W_y, b))
    n_neurons = len(b)
    return [[math.tanh(sum(x * W_x[k][j] for k, x in enumerate(x_i))
                       + sum(y * W_y[l][j] for l, y in enumerate(y_i)) + b[j])
             for j in range(n_neurons)]
            for x_i, y_i in zip(X_t, Y_prev)]


rng, seed = grading.fresh_rng()
sizes = [(1, 1, 1), (1, 3, 2), (4, 4, 4), tuple(int(n) for n in rng.permutation(np.arange(2, 9))[:3])]
for m, n_inputs, n_neurons in sizes:
    args = dict(
        X_t=rng.normal(size=(m, n_inputs)),
        Y_prev=rng.uniform(-1, 1, size=(m, n_neurons)),
        W_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
        W_y=rng.normal(scale=1 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
        b=grading.signed_uniform(rng, 0.3, 1.0, n_neurons),
    )
    Y_t = grading.call(layer_step, args, allow=["rnnlib.neuron"])
    grading.check_array(
        Y_t, _reference_layer_step(**args), "layer_step's output",
        case=f"m={m}, n_inputs={n_inputs}, n_neurons={n_neurons}, seed={seed}",
        transpose_hint="Y(t) is (m, n_neurons): did you transpose W_x?",
        mistakes=[("the bias seems to be missing",
                   _reference_layer_step(**{**args, "b": np.zeros(n_neurons)}))])
### END HIDDEN TESTS

# %% readonly-markdown task_concat_weights
# ## Task 2: the concatenated weights (1 point)
#
# Write `concat_weights(W_x, W_y)`, which returns $\mathbf W$ of eq. 2.2: `W_x` stacked on
# top of `W_y`, of shape `(n_inputs + n_neurons, n_neurons)`. Do not use `rnnlib.layer`.

# %% answer concat_weights
def concat_weights(W_x, W_y):
    """W = [W_x; W_y] (eq. 2.2), shape (n_inputs + n_neurons, n_neurons)."""
    ### BEGIN SOLUTION
    return np.vstack([W_x, W_y])
    ### END SOLUTION

# %% tests test_concat_weights points=1
import numpy as np
import rnnlib
from rnnlib import grading

# 2 inputs, 3 neurons: W_x is 2 x 3, W_y is 3 x 3, so W is 5 x 3.
W_x = np.array([[1.0, 2.0, 3.0],
                [4.0, 5.0, 6.0]])
W_y = np.array([[-1.0, -2.0, -3.0],
                [-4.0, -5.0, -6.0],
                [-7.0, -8.0, -9.0]])
W = grading.call(concat_weights, dict(W_x=W_x, W_y=W_y), allow=["rnnlib.neuron"])
grading.check_array(
    W, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0],
        [-7.0, -8.0, -9.0]], "W",
    shape_hint="W has one row per input and per neuron, (n_inputs + n_neurons, "
               "n_neurons): stack the rows of W_x and W_y, not their columns",
    transpose_hint="W is (n_inputs + n_neurons, n_neurons): did you stack the transposes?",
    mistakes=[("W_y seems transposed: stack W_y as it is, below W_x",
               [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -4.0, -7.0], [-2.0, -5.0, -8.0],
                [-3.0, -6.0, -9.0]]),
              ("W_y is on top: W_x goes first, in the order of [X(t) Y(t-1)]",
               [[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0], [-7.0, -8.0, -9.0],
                [1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])])

# Why it works: eq. 2.2 with W gives exactly eq. 2.1 (rnnlib has both forms).
X_t, Y_prev, b = np.array([[0.5, -0.5]]), np.array([[0.1, 0.2, 0.3]]), np.array([0.0, 0.1, 0.2])
grading.check_array(rnnlib.layer_step_concat(X_t, Y_prev, np.asarray(W) / 10, b),
                    rnnlib.layer_step(X_t, Y_prev, W_x / 10, W_y / 10, b), "eq. 2.2 with W / 10")
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
for n_inputs, n_neurons in [(1, 1), (3, 3), (1, 4), (int(rng.integers(5, 9)), int(rng.integers(2, 5)))]:
    W_x = rng.normal(size=(n_inputs, n_neurons))
    W_y = rng.normal(size=(n_neurons, n_neurons))
    W = grading.call(concat_weights, dict(W_x=W_x, W_y=W_y), allow=["rnnlib.neuron"])
    grading.check_array(W, W_x.tolist() + W_y.tolist(), "W",
                        case=f"n_inputs={n_inputs}, n_neurons={n_neurons}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_layer_step_concat
# ## Task 3: one step with the concatenated weights (2 points)
#
# Write `layer_step_concat(X_t, Y_prev, W, b)`: eq. 2.2, with `W` of shape
# `(n_inputs + n_neurons, n_neurons)` as in Task 2: the function receives `W` only, not
# `W_x` and `W_y`. It must give the same $\hat{\mathbf Y}(t)$ as eq. 2.1. Eq. 2.2 needs a single
# matrix product, of the concatenated inputs $[\mathbf X(t)\;\; \hat{\mathbf Y}(t-1)]$ with
# $\mathbf W$, which is why frameworks store the weights this way; the tests check the
# values only, so any correct computation of $\hat{\mathbf Y}(t)$ from `W` scores full marks.
# Do not use `rnnlib.layer`.

# %% answer layer_step_concat
def layer_step_concat(X_t, Y_prev, W, b):
    """Y(t) = tanh([X(t) Y(t-1)] W + b) (eq. 2.2); returns (m, n_neurons)."""
    ### BEGIN SOLUTION
    return np.tanh(np.hstack([X_t, Y_prev]) @ W + b)
    ### END SOLUTION

# %% tests test_layer_step_concat points=2
import numpy as np
from rnnlib import grading

# The case of Task 1 again, with W = [W_x; W_y] written out: eq. 2.2 must give
# exactly what eq. 2.1 gave there, tanh(XW + YW + b).
X_t = np.array([[1.0, 0.0],
                [0.0, 1.0],
                [1.0, 1.0]])
Y_prev = np.array([[0.0, 0.0, 0.0, 0.0],
                   [1.0, 0.0, 0.0, 0.0],
                   [0.0, 0.0, 0.0, 1.0]])
W = np.array([[0.1, 0.2, 0.3, 0.4],     # W_x
              [-0.1, -0.2, 0.0, 0.2],
              [0.5, 0.0, 0.0, 0.0],     # W_y
              [0.0, 0.5, 0.0, 0.0],
              [0.0, 0.0, 0.5, 0.0],
              [0.1, 0.2, 0.3, 0.4]])
b = np.array([0.0, 0.1, -0.1, 0.2])
XW = np.array([[0.1, 0.2, 0.3, 0.4], [-0.1, -0.2, 0.0, 0.2], [0.0, 0.0, 0.3, 0.6]])
YW = np.array([[0.0, 0.0, 0.0, 0.0], [0.5, 0.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
Y_t = grading.call(layer_step_concat, dict(X_t=X_t, Y_prev=Y_prev, W=W, b=b),
                   allow=["rnnlib.neuron"])
grading.check_array(
    Y_t, np.tanh(XW + YW + b), "layer_step_concat's output",
    shape_hint="Y(t) has one row per instance and one column per neuron, (m, n_neurons)",
    mistakes=[
        ("the bias seems to be missing", np.tanh(XW + YW)),
        ("tanh seems to be missing", XW + YW + b),
        ("the inputs are concatenated in the wrong order: [X(t) Y(t-1)] matches W = [W_x; W_y]",
         np.tanh(np.array([[0.0, 0.0, 0.5, 0.0], [0.2, 0.4, 0.6, 0.8], [0.1, 0.7, 0.8, 0.4]]) + b)),
    ])
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_separate(X_t, Y_prev, W_x, W_y, b):
    """eq. 2.1 in plain Python: the concatenated form must give exactly this."""
    X_t, Y_prev, W_x, W_y, b = (a.tolist() for a in (X_t, Y_prev, W_x, W_y, b))
    return [[math.tanh(sum(x * W_x[k][j] for k, x in enumerate(x_i))
                       + sum(y * W_y[l][j] for l, y in enumerate(y_i)) + b[j])
             for j in range(len(b))]
            for x_i, y_i in zip(X_t, Y_prev)]


rng, seed = grading.fresh_rng()
sizes = [(1, 1, 1), (1, 2, 3), (3, 3, 3), tuple(int(n) for n in rng.permutation(np.arange(2, 9))[:3])]
for m, n_inputs, n_neurons in sizes:
    W_x = rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons))
    W_y = rng.normal(scale=1 / math.sqrt(n_neurons), size=(n_neurons, n_neurons))
    X_t = rng.normal(size=(m, n_inputs))
    Y_prev = rng.uniform(-1, 1, size=(m, n_neurons))
    b = grading.signed_uniform(rng, 0.3, 1.0, n_neurons)
    W = np.array(W_x.tolist() + W_y.tolist())
    Y_t = grading.call(layer_step_concat, dict(X_t=X_t, Y_prev=Y_prev, W=W, b=b),
                       allow=["rnnlib.neuron"])
    grading.check_array(Y_t, _reference_separate(X_t, Y_prev, W_x, W_y, b),
                        "layer_step_concat's output",
                        case=f"m={m}, n_inputs={n_inputs}, n_neurons={n_neurons}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_unroll_layer
# ## Task 4: unroll a layer over a batch of sequences (3 points)
#
# Write `unroll_layer(X, W_x, W_y, b)`. `X` holds `m` sequences of `T` steps, shape
# `(m, T, n_inputs)`, so `X[:, t]` is $\mathbf X(t)$. Starting from a zero state
# $\hat{\mathbf Y}(-1) = \mathbf 0$, run eq. 2.1 for $t = 0, \dots, T-1$ and return the tuple
# `(Y, h_T)`:
#
# * `Y`, shape `(m, T, n_neurons)`: `Y[:, t]` is $\hat{\mathbf Y}(t)$;
# * `h_T`, shape `(m, n_neurons)`: the state after the last step.
#
# For one step you may call `rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)` (it does what
# your Task 1 function does, so this task is graded on its own); do not use
# `rnnlib.unroll_layer`, which is the answer.

# %% answer unroll_layer
def unroll_layer(X, W_x, W_y, b):
    """Run eq. 2.1 over X (m, T, n_inputs) from a zero state; returns (Y, h_T)."""
    ### BEGIN SOLUTION
    m, T, _ = X.shape
    h = np.zeros((m, W_x.shape[1]))
    steps = []
    for t in range(T):
        h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
        steps.append(h)
    return np.stack(steps, axis=1), h
    ### END SOLUTION

# %% tests test_unroll_layer points=3
import numpy as np
import rnnlib
from rnnlib import grading

# A case to check by hand: m = 2 sequences of T = 3 steps, 1 input, 2 neurons.
# W_y = [[0, 1], [0, 0]] feeds neuron 0's previous output into neuron 1.
X = np.array([[[1.0], [0.0], [-1.0]],
              [[0.0], [2.0], [0.0]]])
W_x, W_y, b = np.array([[0.5, -0.5]]), np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([0.1, 0.0])
t = np.tanh
expected = np.array([
    # sequence 0: X(t) W_x + b = [0.5 x + 0.1, -0.5 x], plus Y(t-1) W_y = [0, y_0(t-1)]
    [[t(0.6), t(-0.5)], [t(0.1), t(t(0.6))], [t(-0.4), t(0.5 + t(0.1))]],
    # sequence 1
    [[t(0.1), 0.0], [t(1.1), t(-1.0 + t(0.1))], [t(0.1), t(t(1.1))]],
])
no_feedback = np.array([
    [[t(0.6), t(-0.5)], [t(0.1), 0.0], [t(-0.4), t(0.5)]],
    [[t(0.1), 0.0], [t(1.1), t(-1.0)], [t(0.1), 0.0]],
])
out = grading.call(unroll_layer, dict(X=X, W_x=W_x, W_y=W_y, b=b),
                   allow=["rnnlib.neuron", "rnnlib.layer"], forbid=["rnnlib.layer.unroll_layer"])
Y, h_T = grading.unpack(out, ("Y", "h_T"), "unroll_layer")
grading.check_array(
    Y, expected, "Y",
    shape_hint="Y is (m, T, n_neurons) = (2, 3, 2), with Y[:, t] = Y(t): if you "
               "collected the steps in a list, stack them along axis 1",
    mistakes=[
        ("the last time step is missing: loop over every t = 0, ..., T-1 (range(T))",
         lambda got: got.shape in ((2, 2, 2), (2, 3, 2)) and np.allclose(got[:, :2], expected[:, :2])
         and (got.shape == (2, 2, 2) or np.allclose(got[:, 2], 0.0))),
        ("each step must use the previous outputs Y(t-1); it seems to use 0 every time",
         no_feedback),
        ("X[:, t] is X(t): axis 1 of X is time and axis 0 the instances; this runs over "
         "axis 0 as if it were time",
         rnnlib.unroll_layer(X.transpose(1, 0, 2), W_x, W_y, b)[0].transpose(1, 0, 2)),
        ("the outputs are shifted by one step: Y[:, 0] is already the output after "
         "reading X(0)", lambda got: got.shape == (2, 3, 2)
         and np.allclose(got[:, 1:], expected[:, :-1])),
        ("the first step must start from a zero state Y(-1) = 0",
         lambda got: got.shape == (2, 3, 2) and not np.allclose(got[:, 0], expected[:, 0])
         and all(  # every later step is right, given the outputs before it
             np.allclose(got[:, t], rnnlib.layer_step(X[:, t], got[:, t - 1], W_x, W_y, b))
             for t in (1, 2))),
    ])
grading.check_array(h_T, expected[:, -1], "h_T",
                    shape_hint="h_T is the state after the last step, Y[:, -1], shape "
                               "(m, n_neurons), not all the outputs", mistakes=[
    ("h_T is the state after the last step, Y[:, -1], not the first",
     expected[:, 0])])
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_unroll(X, W_x, W_y, b):
    """eq. 2.1 over every step, in plain Python: returns Y as nested lists."""
    X, W_x, W_y, b = (a.tolist() for a in (X, W_x, W_y, b))
    n_neurons = len(b)
    Y = []
    for sequence in X:
        y, outputs = [0.0] * n_neurons, []
        for x in sequence:
            y = [math.tanh(sum(x_k * W_x[k][j] for k, x_k in enumerate(x))
                           + sum(y_l * W_y[l][j] for l, y_l in enumerate(y)) + b[j])
                 for j in range(n_neurons)]
            outputs.append(y)
        Y.append(outputs)
    return Y


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:4])
for m, T, n_inputs, n_neurons in [(1, 1, 1, 1), (1, 5, 2, 3), (3, 1, 2, 2), (3, 3, 4, 4), distinct]:
    args = dict(
        X=rng.normal(size=(m, T, n_inputs)),
        W_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
        W_y=rng.normal(scale=1.2 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
        b=grading.signed_uniform(rng, 0.3, 1.0, n_neurons),
    )
    case = f"m={m}, T={T}, n_inputs={n_inputs}, n_neurons={n_neurons}, seed={seed}"
    out = grading.call(unroll_layer, args, allow=["rnnlib.neuron", "rnnlib.layer"],
                       forbid=["rnnlib.layer.unroll_layer"])
    Y, h_T = grading.unpack(out, ("Y", "h_T"), "unroll_layer")
    expected = np.array(_reference_unroll(**args))
    grading.check_array(Y, expected, "Y", case=case,
                        shape_hint="Y is (m, T, n_neurons), with Y[:, t] = Y(t)")
    grading.check_array(h_T, expected[:, -1], "h_T", case=case,
                        shape_hint="h_T is the state after the last step, (m, n_neurons)")
### END HIDDEN TESTS
