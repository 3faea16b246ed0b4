# Source of the nbgrader notebook solutions/a3_memory_cells/memory_cells.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test.

# %% readonly-markdown intro
# # Assignment 3: memory cells
#
# In chapter 3 a memory cell carries a state $\mathbf h(t)$ from one step to the next
# and reads its output from that state:
#
# $$\mathbf h(t) = f\big(\mathbf x(t),\, \mathbf h(t-1)\big) \qquad (3.1)$$
#
# $$\hat{\mathbf y}(t) = g\big(\mathbf h(t)\big) \qquad (3.2)$$
#
# The *projection cell* keeps the recurrence of chapter 2 and adds a dense output
# projection, so that its output differs from its state:
#
# $$\mathbf h(t) = \tanh\big(\mathbf x(t)\,\mathbf W_x + \mathbf h(t-1)\,\mathbf W_y + \mathbf b\big),
# \qquad \hat{\mathbf y}(t) = \mathbf h(t)\,\mathbf W_o + \mathbf b_o$$
#
# | name | shape |
# |---|---|
# | `x_t`, $\mathbf x(t)$ | `(m, n_inputs)`: m instances, one per row |
# | `h_prev`, $\mathbf h(t-1)$, and the state $\mathbf h(t)$ | `(m, n_neurons)` |
# | the output $\hat{\mathbf y}(t)$ | `(m, n_outputs)` |
# | `W_x`, `W_y`, `b` | `(n_inputs, n_neurons)`, `(n_neurons, n_neurons)`, `(n_neurons,)` |
# | `W_o`, `b_o` | `(n_neurons, n_outputs)`, `(n_outputs,)` |
# | a batch of sequences `X` | `(m, T, n_inputs)` |
#
# In this assignment you build that cell and run it over sequences (Tasks 1 and 2),
# then measure how many steps back an input still matters to a model's output
# (Tasks 3 and 4).
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size,
# including a single instance and a single time step. How your work is graded (the
# hidden tests, what fails a test, the locked test cells) is explained once, on the
# book's page *Doing the graded exercises*.
#
# You may use `rnnlib.neuron` and `rnnlib.layer` (chapters 1 and 2) anywhere, for
# example `rnnlib.layer_step` and `rnnlib.unroll_layer`, but not `rnnlib.cells`, which
# holds chapter 3's answers (`ProjectionCell`, `run_cell`): a function that calls it
# scores 0.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import numpy as np

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_projection_step
# ## Task 1: one step of a projection cell (3 points)
#
# Write `projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o)`: one step of the projection
# cell for all `m` instances. It returns the tuple `(y_t, h_t)`, **output first**, as
# every cell of chapter 3 does: `y_t` of shape `(m, n_outputs)` and the new state `h_t`
# of shape `(m, n_neurons)`.
#
# Do not use `rnnlib.cells`; `rnnlib.layer_step` (chapter 2) is allowed.

# %% answer projection_step
def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
    """One step of a projection cell; returns (y_t (m, n_outputs), h_t (m, n_neurons))."""
    ### BEGIN SOLUTION
    h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
    return h_t @ W_o + b_o, h_t
    ### END SOLUTION

# %% tests test_projection_step points=3
import numpy as np
from rnnlib import grading

# A case to check by hand: m = 2 instances, 2 inputs, 3 neurons, 1 output.
x_t = np.array([[1.0, 0.0],
                [0.0, 1.0]])
h_prev = np.array([[0.0, 0.0, 0.0],
                   [0.5, 0.0, 0.0]])
W_x = np.array([[0.2, 0.0, -0.2],
                [0.0, 0.4, 0.0]])
W_y = 0.5 * np.eye(3)
b = np.array([0.1, 0.0, 0.0])
W_o = np.array([[1.0], [0.0], [-1.0]])   # y = h_0 - h_2 + b_o
b_o = np.array([0.5])
# x(t) W_x + h(t-1) W_y + b, row by row:
#   instance 0: [0.2, 0, -0.2] + [0, 0, 0]    + b = [0.3, 0.0, -0.2]
#   instance 1: [0, 0.4, 0]    + [0.25, 0, 0] + b = [0.35, 0.4, 0.0]
h_t_expected = np.tanh(np.array([[0.3, 0.0, -0.2],
                                 [0.35, 0.4, 0.0]]))
y_t_expected = h_t_expected[:, [0]] - h_t_expected[:, [2]] + 0.5
out = grading.call(projection_step, dict(x_t=x_t, h_prev=h_prev, W_x=W_x, W_y=W_y, b=b,
                                         W_o=W_o, b_o=b_o),
                   allow=["rnnlib.neuron", "rnnlib.layer"])
y_t, h_t = grading.unpack(out, ("y_t", "h_t"), "projection_step")
grading.check_array(
    y_t, y_t_expected, "y_t (the first value returned)",
    shape_hint="the output y(t) is (m, n_outputs) = (2, 1); return (y_t, h_t) in this order",
    mistakes=[
        ("it is the state h(t): return (y_t, h_t), the output first, with "
         "y(t) = h(t) W_o + b_o", h_t_expected),
        ("y(t) must be read from the new state h(t), not from h(t-1)", h_prev @ W_o + b_o),
        ("b_o seems to be missing", y_t_expected - 0.5),
        ("the output projection has no activation: y(t) = h(t) W_o + b_o, without tanh",
         np.tanh(y_t_expected)),
        ("y(t) is read from the state h(t) = tanh(...), after tanh, not from the sum "
         "before it", np.arctanh(h_t_expected) @ W_o + b_o),
    ])
grading.check_array(
    h_t, h_t_expected, "h_t (the second value returned)",
    shape_hint="the state h(t) is (m, n_neurons) = (2, 3)",
    mistakes=[
        ("the bias b seems to be missing", np.tanh(np.array([[0.2, 0.0, -0.2], [0.25, 0.4, 0.0]]))),
        ("the recurrent term h(t-1) W_y seems to be missing",
         np.tanh(np.array([[0.3, 0.0, -0.2], [0.1, 0.4, 0.0]]))),
        ("tanh seems to be missing from the state", np.arctanh(h_t_expected)),
    ])
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
    """The projection cell in plain Python, one instance and one unit at a time."""
    x_t, h_prev, W_x, W_y, b, W_o, b_o = (a.tolist() for a in (x_t, h_prev, W_x, W_y, b, W_o, b_o))
    H, Y = [], []
    for x_i, h_i in zip(x_t, h_prev):
        h = [math.tanh(sum(x * W_x[k][j] for k, x in enumerate(x_i))
                       + sum(v * W_y[l][j] for l, v in enumerate(h_i)) + b[j])
             for j in range(len(b))]
        H.append(h)
        Y.append([sum(v * W_o[j][o] for j, v in enumerate(h)) + b_o[o] for o in range(len(b_o))])
    return Y, H


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:4])
for m, n_inputs, n_neurons, n_outputs in [(1, 1, 1, 1), (1, 3, 2, 4), (3, 2, 4, 1), (2, 3, 3, 3),
                                           distinct]:
    args = dict(
        x_t=rng.normal(size=(m, n_inputs)),
        h_prev=rng.uniform(-1, 1, size=(m, n_neurons)),
        W_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
        W_y=rng.normal(scale=1 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
        b=grading.signed_uniform(rng, 0.3, 1.0, n_neurons),
        W_o=rng.normal(size=(n_neurons, n_outputs)),
        b_o=grading.signed_uniform(rng, 0.3, 1.0, n_outputs),
    )
    case = f"m={m}, n_inputs={n_inputs}, n_neurons={n_neurons}, n_outputs={n_outputs}, seed={seed}"
    out = grading.call(projection_step, args, allow=["rnnlib.neuron", "rnnlib.layer"])
    y_t, h_t = grading.unpack(out, ("y_t", "h_t"), "projection_step")
    Y_ref, H_ref = _reference_projection_step(**args)
    grading.check_array(y_t, Y_ref, "y_t", case=case,
                        shape_hint="y_t is (m, n_outputs), and comes first")
    grading.check_array(h_t, H_ref, "h_t", case=case, shape_hint="h_t is (m, n_neurons)")
### END HIDDEN TESTS

# %% readonly-markdown task_run_projection_cell
# ## Task 2: run a projection cell over sequences (3 points)
#
# Write `run_projection_cell(X, W_x, W_y, b, W_o, b_o)`. Starting from a zero state
# $\mathbf h(-1) = \mathbf 0$, run the projection cell over the batch of sequences `X`,
# shape `(m, T, n_inputs)`, and return the tuple `(Y, h_T)`:
#
# * `Y`, shape `(m, T, n_outputs)`: `Y[:, t]` is the output $\hat{\mathbf y}(t)$;
# * `h_T`, shape `(m, n_neurons)`: the state after the last step.
#
# Think about what the cell passes on from one step to the next. Do not use
# `rnnlib.cells`; `rnnlib.layer` (chapter 2) is allowed, and so is your own Task 1
# function (but this task is graded on its own: if Task 1 is wrong, so is this one).

# %% answer run_projection_cell
def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
    """The projection cell over X (m, T, n_inputs) from a zero state; returns (Y, h_T)."""
    ### BEGIN SOLUTION
    H, h_T = rnnlib.unroll_layer(X, W_x, W_y, b)  # the states h(t) of every step
    return H @ W_o + b_o, h_T
    ### END SOLUTION

# %% tests test_run_projection_cell points=3
import numpy as np
from rnnlib import grading

# A case to check by hand: m = 2 sequences of T = 3 steps, 1 input, 2 neurons, 2 outputs.
# W_y = [[0, 1], [0, 0]] feeds neuron 0's previous state into neuron 1, and the
# projection swaps the two neurons: y(t) = [h_1(t) + 0.5, h_0(t)].
X = np.array([[[1.0], [0.0], [-1.0]],
              [[0.0], [2.0], [0.0]]])
W_x, W_y, b = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([0.1, 0.0])
W_o, b_o = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0.5, 0.0])
t = np.tanh
# the states: h_0(t) = tanh(x(t) + 0.1) and h_1(t) = tanh(h_0(t-1)), from h(-1) = 0
H = np.array([[[t(1.1), 0.0], [t(0.1), t(t(1.1))], [t(-0.9), t(t(0.1))]],
              [[t(0.1), 0.0], [t(2.1), t(t(0.1))], [t(0.1), t(t(2.1))]]])
Y_expected = H[:, :, ::-1] + np.array([0.5, 0.0])
# what feeding the *output* back gives: h_1(t) = tanh(y_0(t-1)) = tanh(h_1(t-1) + 0.5)
H_fed_y = np.array([[[t(1.1), 0.0], [t(0.1), t(0.5)], [t(-0.9), t(t(0.5) + 0.5)]],
                    [[t(0.1), 0.0], [t(2.1), t(0.5)], [t(0.1), t(t(0.5) + 0.5)]]])
out = grading.call(run_projection_cell, dict(X=X, W_x=W_x, W_y=W_y, b=b, W_o=W_o, b_o=b_o),
                   allow=["rnnlib.neuron", "rnnlib.layer"])
Y, h_T = grading.unpack(out, ("Y", "h_T"), "run_projection_cell")
grading.check_array(
    Y, Y_expected, "Y",
    shape_hint="Y is (m, T, n_outputs) = (2, 3, 2), with Y[:, t] = y_hat(t): if you "
               "collected the steps in a list, stack them along axis 1",
    mistakes=[
        ("the cell must feed back its state h(t-1), not its output y_hat(t-1)",
         H_fed_y[:, :, ::-1] + np.array([0.5, 0.0])),
        ("Y holds the states h(t): the outputs are y_hat(t) = h(t) W_o + b_o", H),
        ("the cell must start from a zero state h(-1) = 0",
         rnnlib.unroll_layer(X, W_x, W_y, b, h0=np.ones((2, 2)))[0] @ W_o + b_o),
        ("it is only the last output: return every output, Y[:, t] = y_hat(t) for every t, "
         "shape (m, T, n_outputs)", Y_expected[:, -1]),
        ("the outputs are shifted by one step: Y[:, 0] is already the output after "
         "reading X(0)", lambda got: got.shape == (2, 3, 2)
         and np.allclose(got[:, 1:], Y_expected[:, :-1])),
    ])
grading.check_array(
    h_T, H[:, -1], "h_T",
    shape_hint="h_T is the state after the last step, (m, n_neurons)",
    mistakes=[("h_T is the final state h(T-1), not the last output y_hat(T-1)",
               Y_expected[:, -1])])
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_run(X, W_x, W_y, b, W_o, b_o):
    """The projection cell over every step, in plain Python: (Y, h_T) as lists."""
    X, W_x, W_y, b, W_o, b_o = (a.tolist() for a in (X, W_x, W_y, b, W_o, b_o))
    Y, h_T = [], []
    for sequence in X:
        h, outputs = [0.0] * len(b), []
        for x in sequence:
            h = [math.tanh(sum(x_k * W_x[k][j] for k, x_k in enumerate(x))
                           + sum(h_l * W_y[l][j] for l, h_l in enumerate(h)) + b[j])
                 for j in range(len(b))]
            outputs.append([sum(h_j * W_o[j][o] for j, h_j in enumerate(h)) + b_o[o]
                            for o in range(len(b_o))])
        Y.append(outputs)
        h_T.append(h)
    return Y, h_T


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:5])
sizes = [(1, 1, 1, 1, 1), (1, 4, 2, 3, 3), (3, 1, 2, 2, 5), (2, 5, 1, 3, 1), distinct]
for m, T, n_inputs, n_neurons, n_outputs in sizes:
    args = dict(
        X=rng.normal(size=(m, T, n_inputs)),
        W_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
        W_y=rng.normal(scale=1.2 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
        b=grading.signed_uniform(rng, 0.3, 1.0, n_neurons),
        W_o=rng.normal(size=(n_neurons, n_outputs)),
        b_o=grading.signed_uniform(rng, 0.3, 1.0, n_outputs),
    )
    case = (f"m={m}, T={T}, n_inputs={n_inputs}, n_neurons={n_neurons}, "
            f"n_outputs={n_outputs}, seed={seed}")
    out = grading.call(run_projection_cell, args, allow=["rnnlib.neuron", "rnnlib.layer"])
    Y, h_T = grading.unpack(out, ("Y", "h_T"), "run_projection_cell")
    Y_ref, h_T_ref = _reference_run(**args)
    grading.check_array(Y, Y_ref, "Y", case=case,
                        shape_hint="Y is (m, T, n_outputs), with Y[:, t] = y_hat(t)")
    grading.check_array(h_T, h_T_ref, "h_T", case=case,
                        shape_hint="h_T is the final state, (m, n_neurons)")
### END HIDDEN TESTS

# %% readonly-markdown task_influence
# ## Task 3: how much does an input k steps back matter? (3 points)
#
# Chapter 3 nudged a whole input vector at once and averaged over a batch. Here you
# measure the influence more finely, for a single sequence and for *any* model.
#
# Let $T$ be the length of the sequence. Nudging feature $j$ of the input $k$ steps
# before the end, $\mathbf x(T-1-k)$, moves the last output $\hat{\mathbf y}(T-1)$; per
# unit of nudge, that move is column $j$ of the Jacobian
#
# $$\mathbf J_k = \frac{\partial \hat{\mathbf y}(T-1)}{\partial \mathbf x(T-1-k)}
# \qquad \text{shape } (n_\text{outputs}, n_\text{inputs}).$$
#
# The influence of the input $k$ steps back is the size of that matrix, its Frobenius
# norm: $I(k) = \lVert \mathbf J_k \rVert = \sqrt{\sum_{i,j} (\mathbf J_k)_{ij}^2}$.
#
# Write `influence(run, x, k, eps=1e-6)`, which estimates $I(k)$ by finite differences:
#
# * `run` is the model, a function that takes a batch of sequences of shape
#   `(m, T, n_inputs)` and returns all the outputs, shape `(m, T, n_outputs)`. Treat it as a
#   black box: it may be a memory cell, a Keras model, or anything else.
# * `x` is one sequence, shape `(T, n_inputs)`, and `0 <= k <= T - 1`.
# * For each feature $j$, add `eps` to feature $j$ of $\mathbf x(T-1-k)$ only, run the
#   model, and divide the change of the last output by `eps`: that is column $j$ of
#   $\mathbf J_k$.
#
# Return $I(k)$, a single number. Leave `x` unchanged (work on a copy). This task needs
# no part of `rnnlib`.

# %% answer influence
def influence(run, x, k, eps=1e-6):
    """Frobenius norm of d y_hat(T-1) / d x(T-1-k), by finite differences on one sequence."""
    ### BEGIN SOLUTION
    T, n_inputs = x.shape
    # the sequence itself, then one copy per input feature with that feature nudged
    batch = np.repeat(x[None], n_inputs + 1, axis=0)
    batch[1 + np.arange(n_inputs), T - 1 - k, np.arange(n_inputs)] += eps
    last = run(batch)[:, -1]                    # (n_inputs + 1, n_outputs)
    J = (last[1:] - last[0]).T / eps            # (n_outputs, n_inputs)
    return np.sqrt(np.sum(J ** 2))
    ### END SOLUTION

# %% tests test_influence points=3
import numpy as np
from rnnlib import grading


def leaky_sum(X):
    """A linear model to check by hand: y_hat(t) = sum over j <= t of 0.5**j x(t-j) A.

    Its Jacobian is J_k = 0.5**k A^T, so I(k) = 0.5**k ||A|| = 3 * 0.5**k.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 3:
        raise ValueError(f"run takes a batch of sequences (m, T, n_inputs), got shape {X.shape}: "
                         "for one sequence x, pass x[None]")
    A = np.array([[1.0, 2.0],
                  [2.0, 0.0]])                  # ||A|| = sqrt(1 + 4 + 4 + 0) = 3
    state, Y = np.zeros((X.shape[0], 2)), []
    for t in range(X.shape[1]):
        state = 0.5 * state + X[:, t] @ A
        Y.append(state)
    return np.stack(Y, axis=1)


x = np.array([[0.5, -1.0], [1.0, 0.0], [0.0, 2.0], [-1.0, 1.0], [0.5, 0.5]])  # T = 5
for k in (1, 0):
    I = grading.call(influence, dict(run=leaky_sum, x=x, k=k),
                     allow=["rnnlib.neuron", "rnnlib.layer"])
    grading.check_array(
        I, 3 * 0.5 ** k, f"influence(leaky_sum, x, k={k})", atol=1e-5, rtol=1e-4,
        shape_hint="influence returns one number, the norm of the whole Jacobian",
        mistakes=[
            ("it is the change for one nudge of all the features at once, |J_k @ [1, 1]|: "
             "nudge one feature at a time, for one column of J_k each",
             np.sqrt(13) * 0.5 ** k),
            ("divide the change of the output by eps",
             lambda got: np.isclose(got, 3 * 0.5 ** k * 1e-6, rtol=1e-3, atol=0)),
            ("it measures the change of the first output; the influence is on the last "
             "output y_hat(T-1)", lambda got: np.isclose(got, 0.0, atol=1e-9)),
            ("the input k steps back is x[T - 1 - k]: k = 0 is the last input, "
             "counted back from the end of the sequence",
             lambda got: np.isclose(got, [3 * 0.5 ** (k - 1), 3 * 0.5 ** (4 - k)]).any()),
            ("the influence is the Frobenius norm of J_k, sqrt(sum of squares), not the "
             "sum of absolute values", 5 * 0.5 ** k),
            ("the influence is the Frobenius norm of J_k, sqrt(sum of squares), not its "
             "largest entry", 2 * 0.5 ** k),
            ("the influence is the Frobenius norm of J_k: take the square root of the sum "
             "of squares", 9 * 0.25 ** k),
            ("the influence is on the last output y_hat(T-1) only, run(...)[:, -1], not on "
             "every output", 3 * np.sqrt(sum(0.25 ** j for j in range(k + 1))) if k else -1.0),
        ])
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _tanh_cell_model(W_x, W_y, b, W_o, b_o):
    """A projection cell as a black box: (m, T, n_inputs) -> (m, T, n_outputs)."""
    def run(X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3:
            raise ValueError(f"run takes (m, T, n_inputs), got shape {X.shape}")
        h, Y = np.zeros((X.shape[0], len(b))), []
        for t in range(X.shape[1]):
            h = np.tanh(X[:, t] @ W_x + h @ W_y + b)
            Y.append(h @ W_o + b_o)
        return np.stack(Y, axis=1)
    return run


def _exact_influence(x, k, W_x, W_y, b, W_o, b_o):
    """||d y_hat(T-1) / d x(T-1-k)|| by the chain rule (no finite differences):
    J = W_o^T D(T-1) W_y^T D(T-2) ... W_y^T D(T-1-k) W_x^T, with D(t) = diag(1 - h(t)^2)."""
    h, H = np.zeros(len(b)), []
    for x_t in x:
        h = np.tanh(x_t @ W_x + h @ W_y + b)
        H.append(h)
    T = len(x)
    J = W_o.T * (1 - H[-1] ** 2)                     # (n_outputs, n_neurons)
    for t in range(T - 2, T - 2 - k, -1):
        J = (J @ W_y.T) * (1 - H[t] ** 2)
    return math.sqrt(float(np.sum((J @ W_x.T) ** 2)))


def _delay_model(delay, gain):
    """y_hat(t) = gain * x(t - delay), 0 before the start: I(k) = |gain| sqrt(n_inputs) at
    k = delay and 0 elsewhere."""
    def run(X):
        X = np.asarray(X, dtype=float)
        if X.ndim != 3:
            raise ValueError(f"run takes (m, T, n_inputs), got shape {X.shape}")
        Y = np.zeros(X.shape[:2] + (1,))
        Y[:, delay:, 0] = gain * X[:, :X.shape[1] - delay].sum(axis=2)
        return Y
    return run


rng, seed = grading.fresh_rng()
for T, n_inputs, n_neurons, n_outputs in [(1, 1, 1, 1), (2, 3, 2, 1), (6, 1, 4, 3),
                                          (int(rng.integers(5, 10)), 2, 5, 2)]:
    W_x = rng.normal(scale=0.8 / math.sqrt(n_inputs), size=(n_inputs, n_neurons))
    W_y = rng.normal(scale=0.9 / math.sqrt(n_neurons), size=(n_neurons, n_neurons))
    b = grading.signed_uniform(rng, 0.1, 0.5, n_neurons)
    W_o = rng.normal(size=(n_neurons, n_outputs))
    b_o = rng.normal(size=n_outputs)
    x = rng.normal(scale=0.7, size=(T, n_inputs))
    for k in sorted({0, T - 1, int(rng.integers(0, T))}):
        I = grading.call(influence, dict(run=_tanh_cell_model(W_x, W_y, b, W_o, b_o), x=x, k=k),
                         allow=["rnnlib.neuron", "rnnlib.layer"])
        exact = _exact_influence(x, k, W_x, W_y, b, W_o, b_o)
        grading.check_array(I, exact, "the influence",
                            case=f"a tanh cell, T={T}, n_inputs={n_inputs}, k={k}, seed={seed}",
                            atol=1e-5, rtol=1e-4, mistakes=[
            ("it is close to the exact influence, but not as close as a nudge of eps "
             "gives: nudge by eps as given, and divide by that same eps",
             lambda got, exact=exact: np.isclose(got, exact, rtol=0.05, atol=1e-4))])

T, n_inputs = int(rng.integers(6, 10)), int(rng.integers(2, 5))
delay, gain = int(rng.integers(1, 4)), float(grading.signed_uniform(rng, 0.5, 2.0))
x = rng.normal(size=(T, n_inputs))
for k in range(T):
    I = grading.call(influence, dict(run=_delay_model(delay, gain), x=x, k=k),
                     allow=["rnnlib.neuron", "rnnlib.layer"])
    expected = abs(gain) * math.sqrt(n_inputs) if k == delay else 0.0
    grading.check_array(I, expected, "the influence", atol=1e-5, rtol=1e-4,
                        case=f"a model that outputs its input {delay} steps late, "
                             f"n_inputs={n_inputs}, k={k}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_memory_horizon
# ## Task 4: how many steps back does a model remember? (2 points)
#
# `I` is an influence curve, such as Task 3 measures: `I[k]` is the influence of the
# input $k$ steps back, for $k = 0, \dots, K-1$. Call an input *still relevant* when its
# influence is at least `threshold` times the largest influence in `I`.
#
# Write `memory_horizon(I, threshold)`, which returns the *memory horizon*: the smallest
# $h$ such that no input $h$ or more steps back is still relevant. In other words, the
# $h$ most recent inputs hold every relevant one. It is a whole number between 1 and $K$.
#
# Careful: an influence curve need not decrease. A cell whose $\mathbf W_y$ rotates its
# state can forget an input for a few steps and then feel it again, and a model that
# outputs its input 3 steps late is not influenced at all by the newest inputs. This
# task needs no part of `rnnlib`.

# %% answer memory_horizon
def memory_horizon(I, threshold):
    """Smallest h such that I[k] < threshold * max(I) for every k >= h."""
    ### BEGIN SOLUTION
    I = np.asarray(I, dtype=float)
    relevant = np.flatnonzero(I >= threshold * I.max())
    return int(relevant[-1]) + 1
    ### END SOLUTION

# %% tests test_memory_horizon points=2
import numpy as np
from rnnlib import grading

cases = [
    # (I, threshold, horizon, why)
    ([1.0, 0.5, 0.25, 0.125, 0.0625], 0.2, 3,
     "1, 0.5 and 0.25 are at least 0.2 x 1, the rest are below: h = 3"),
    ([2.0, 1.0, 0.2, 0.02], 0.1, 3,
     "0.2 is *at least* 0.1 x 2, so the input 2 steps back is still relevant: h = 3"),
    ([0.2, 1.0, 0.05, 0.3, 0.01, 0.001], 0.1, 4,
     "the curve dips below 0.1 at k = 2, but the input 3 steps back (0.3) is relevant "
     "again: h = 4"),
    ([0.01, 0.02, 1.0, 0.5, 0.001], 0.1, 4,
     "relevance is measured against the largest influence (1.0 at k = 2), not against I[0]"),
    ([1.0, 0.9, 0.8], 0.5, 3, "no input is ever forgotten within the curve: h = K = 3"),
    ([4.0, 2.0, 0.5, 0.3], 0.1, 3,
     "relevance is relative to the largest influence: 0.3 is above 0.1 itself, but below "
     "0.1 x 4 = 0.4, so the input 3 steps back is no longer relevant: h = 3"),
]
for I, threshold, expected, why in cases:
    h = grading.call(memory_horizon, dict(I=np.array(I), threshold=threshold),
                     allow=["rnnlib.neuron", "rnnlib.layer"])
    got = grading.check_number(h, f"memory_horizon(I={I}, threshold={threshold})")
    if got != expected:
        raise grading.CheckFailed(
            f"memory_horizon(I={I}, threshold={threshold}) returned {got:g}, expected "
            f"{expected}: {why}")
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_horizon(I, threshold):
    """Walk back from the oldest input to the first relevant one."""
    largest = max(I)
    for k in range(len(I) - 1, -1, -1):
        if I[k] >= threshold * largest:
            return k + 1
    raise grading.CheckFailed("unreachable: the largest influence is relevant")


rng, seed = grading.fresh_rng()
curves = [
    [float(rng.uniform(0.1, 5.0))],                                    # K = 1
    list(rng.uniform(0.5, 1.0) ** np.arange(int(rng.integers(8, 20)))),  # geometric decay
    list(np.abs(np.cos(1.3 * np.arange(15))) * 0.8 ** np.arange(15)),   # oscillating decay
    list(rng.uniform(0, 1, size=int(rng.integers(5, 12)))),            # anything
    list(np.r_[np.zeros(int(rng.integers(1, 4))), rng.uniform(0.5, 1), 1e-4 * rng.uniform(size=5)]),
]
for I in curves:
    for threshold in (float(rng.uniform(0.01, 0.5)), 0.05):
        I_arr = np.array(I) * float(rng.uniform(0.1, 10))    # any scale
        h = grading.call(memory_horizon, dict(I=I_arr, threshold=threshold),
                         allow=["rnnlib.neuron", "rnnlib.layer"])
        got = grading.check_number(h, "memory_horizon's result")
        expected = _reference_horizon(I_arr.tolist(), threshold)
        if got != expected:
            raise grading.CheckFailed(
                f"memory_horizon returned {got:g}, expected {expected} for I = "
                f"{np.round(I_arr, 4).tolist()} (case: K={len(I)}, threshold={threshold:.4f}, "
                f"seed={seed})")
### END HIDDEN TESTS
