# Source of the nbgrader notebook solutions/a5_bptt/bptt.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test.

# %% readonly-markdown intro
# # Assignment 5: backpropagation through time
#
# In chapter 5 a recurrent layer is trained by backpropagating through its unrolled
# version. The forward pass, for $t = 0, \dots, T-1$ from $\mathbf h(-1) = \mathbf 0$:
#
# $$\mathbf z(t) = \mathbf X(t)\,\mathbf W_x + \mathbf h(t-1)\,\mathbf W_y + \mathbf b \qquad (5.1)$$
#
# $$\mathbf h(t) = \tanh\big(\mathbf z(t)\big), \qquad \hat{\mathbf Y}(t) = \mathbf h(t) \qquad (5.2)$$
#
# The backward pass, from $t = T-1$ down to $0$, writing $d\mathbf A$ for
# $\partial L / \partial \mathbf A$:
#
# $$d\mathbf h(t) = d\hat{\mathbf Y}(t) + d\mathbf z(t+1)\,\mathbf W_y^\top, \quad d\mathbf z(T) = \mathbf 0 \qquad (5.5)$$
#
# $$d\mathbf z(t) = d\mathbf h(t) \odot \big(1 - \mathbf h(t)^2\big) \qquad (5.6)$$
#
# $$d\mathbf W_x = \sum_t \mathbf X(t)^\top d\mathbf z(t), \quad
# d\mathbf W_y = \sum_t \mathbf h(t-1)^\top d\mathbf z(t), \quad
# d\mathbf b = \sum_t \sum_i d\mathbf z(t)_{i,:} \qquad (5.8)$$
#
# | name | shape |
# |---|---|
# | `X`, a batch of sequences | `(m, T, n_inputs)`; `X[:, t]` is $\mathbf X(t)$ |
# | `X_t`, $\mathbf X(t)$ | `(m, n_inputs)` |
# | $\mathbf z(t)$, $\mathbf h(t)$, $\hat{\mathbf Y}(t)$ and their gradients | `(m, n_neurons)` |
# | `W_x`, `dW_x` | `(n_inputs, n_neurons)` |
# | `W_y`, `dW_y` | `(n_neurons, n_neurons)` |
# | `b`, `db` | `(n_neurons,)` |
# | `target`, the values the outputs should take | `(m, T, n_neurons)` |
#
# Throughout, $\phi = \tanh$ and every array is float64.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size,
# including a single instance, a single time step and a single neuron. How your work is
# graded (the hidden tests, what fails a test, the locked test cells) is explained once,
# on the book's page *Doing the graded exercises*.
#
# **What you may use.** The forward pass is chapter 2's: you may use `rnnlib.layer`
# (for example `rnnlib.unroll_layer(X, W_x, W_y, b)`, which returns `(Y, h_T)`),
# `rnnlib.neuron` and `rnnlib.activations` anywhere. The backward pass, the loss, the
# gradient check and the gradient step are what you write: `rnnlib.bptt`,
# `rnnlib.losses`, `rnnlib.gradcheck`, `rnnlib.optim` and `rnnlib.training` solve these
# tasks, and a function that calls them scores 0, except where a task says otherwise.
# You may call your own functions from earlier tasks.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import numpy as np

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_backward_step
# ## Task 1: one step backward (3 points)
#
# Write `backward_step(dh_t, h_t, h_prev, X_t, W_y)`. Given the gradient
# $d\mathbf h(t)$ that reached the state of step $t$ (eq. 5.5), the state
# $\mathbf h(t)$ itself, the previous state $\mathbf h(t-1)$, the inputs
# $\mathbf X(t)$ and $\mathbf W_y$, it returns the tuple
# `(dz, dW_x, dW_y, db, dh_prev)`:
#
# * `dz`: $d\mathbf z(t)$, eq. 5.6, shape `(m, n_neurons)`;
# * `dW_x`, `dW_y`, `db`: the share of step $t$ in the sums of eq. 5.8,
#   $\mathbf X(t)^\top d\mathbf z(t)$, $\mathbf h(t-1)^\top d\mathbf z(t)$ and
#   $d\mathbf z(t)$ summed over the instances, each with the shape of its parameter;
# * `dh_prev`: the gradient that this step sends back to $\mathbf h(t-1)$,
#   $d\mathbf z(t)\,\mathbf W_y^\top$ (the second term of eq. 5.5 one step earlier),
#   shape `(m, n_neurons)`.
#
# The derivative of tanh at $\mathbf z(t)$ is $1 - \mathbf h(t)^2$, computed from the
# output of the step (the forward pass keeps $\mathbf h(t)$, not $\mathbf z(t)$).

# %% answer backward_step
def backward_step(dh_t, h_t, h_prev, X_t, W_y):
    """One step of BPTT (eq. 5.5-5.8); returns (dz, dW_x, dW_y, db, dh_prev)."""
    ### BEGIN SOLUTION
    dz = dh_t * (1.0 - h_t ** 2)
    return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
    ### END SOLUTION

# %% tests test_backward_step points=3
import numpy as np
from rnnlib import grading

# A case to check by hand: m = 2 instances, 1 input, 2 neurons.
dh_t = np.array([[2.0, 1.0],
                 [-1.0, 4.0]])
h_t = np.array([[0.5, 0.0],      # 1 - h(t)**2 = [[0.75, 1.0],
                [0.0, -0.5]])    #                [1.0, 0.75]]
h_prev = np.array([[1.0, 0.0],
                   [0.0, 0.5]])
X_t = np.array([[2.0],
                [1.0]])
W_y = np.array([[1.0, 2.0],
                [0.0, 1.0]])
dz = np.array([[1.5, 1.0],       # dh(t) * (1 - h(t)**2), entry by entry
               [-1.0, 3.0]])
out = grading.call(backward_step, dict(dh_t=dh_t, h_t=h_t, h_prev=h_prev, X_t=X_t, W_y=W_y),
                   allow=["rnnlib.neuron", "rnnlib.layer"])
got_dz, got_dW_x, got_dW_y, got_db, got_dh_prev = grading.unpack(
    out, ("dz", "dW_x", "dW_y", "db", "dh_prev"), "backward_step")
grading.check_array(
    got_dz, dz, "dz",
    shape_hint="dz(t) has the shape of z(t), (m, n_neurons): multiply entry by entry",
    mistakes=[
        ("the derivative of tanh seems to be missing: dz(t) = dh(t) * (1 - h(t)**2)", dh_t),
        ("the derivative of tanh must be taken at this step: 1 - h(t)**2, with h(t), "
         "not h(t-1)", dh_t * (1 - h_prev ** 2)),
        ("h(t) is already tanh(z(t)): the derivative is 1 - h(t)**2, do not apply tanh "
         "again", dh_t * (1 - np.tanh(h_t) ** 2)),
        ("the derivative of tanh is 1 - h(t)**2, not 1 - h(t)", dh_t * (1 - h_t)),
    ])
grading.check_array(
    got_dW_x, X_t.T @ dz, "dW_x",
    transpose_hint="dW_x has the shape of W_x, (n_inputs, n_neurons): X(t)^T dz(t), "
                   "not dz(t)^T X(t)",
    shape_hint="dW_x has the shape of W_x, (n_inputs, n_neurons): X(t)^T dz(t)",
    mistakes=[("dW_x must use dz(t), after the derivative of tanh, not dh(t)", X_t.T @ dh_t)])
grading.check_array(
    got_dW_y, [[1.5, 1.0], [-0.5, 1.5]], "dW_y",  # h(t-1)^T dz(t)
    mistakes=[
        ("dW_y pairs dz(t) with h(t-1), the state that W_y multiplied in step t, not "
         "with h(t)", h_t.T @ dz),
        ("dW_y is h(t-1)^T dz(t), not dz(t)^T h(t-1) (that is its transpose)", dz.T @ h_prev),
        ("dW_y must use dz(t), after the derivative of tanh, not dh(t)", h_prev.T @ dh_t),
    ])
grading.check_array(
    got_db, [0.5, 4.0], "db",
    shape_hint="db has the shape of b, (n_neurons,): add up dz(t) over the instances, "
               "dz.sum(axis=0)",
    mistakes=[("db must use dz(t), after the derivative of tanh, not dh(t)", dh_t.sum(axis=0))])
grading.check_array(
    got_dh_prev, [[3.5, 1.0], [5.0, 3.0]], "dh_prev",  # dz(t) W_y^T
    mistakes=[
        ("W_y must be transposed on the way back: dh_prev = dz(t) W_y^T", dz @ W_y),
        ("the gradient goes back through tanh first: dh_prev = dz(t) W_y^T, not "
         "dh(t) W_y^T", dh_t @ W_y.T),
    ])
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

FLOAT32 = ("it agrees with the reference to about 7 digits only, as float32 would: "
           "compute in float64 (the inputs are float64; do not convert them)")


def _loop_step(dh_t, h_t, h_prev, X_t, W_y):
    """eq. 5.5-5.8 for one step, one instance and one entry at a time."""
    m, n = h_t.shape
    n_inputs = X_t.shape[1]
    dz = [[dh_t[i, j] * (1.0 - h_t[i, j] * h_t[i, j]) for j in range(n)] for i in range(m)]
    dW_x = [[sum(X_t[i, k] * dz[i][j] for i in range(m)) for j in range(n)] for k in range(n_inputs)]
    dW_y = [[sum(h_prev[i, l] * dz[i][j] for i in range(m)) for j in range(n)] for l in range(n)]
    db = [sum(dz[i][j] for i in range(m)) for j in range(n)]
    dh_prev = [[sum(dz[i][j] * W_y[l, j] for j in range(n)) for l in range(n)] for i in range(m)]
    return dz, dW_x, dW_y, db, dh_prev


def _numeric(f, x, eps=1e-6):
    """Centred differences of the scalar f at x, one entry at a time."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 9))[:3])
for m, n_inputs, n_neurons in [(1, 1, 1), (1, 3, 2), (4, 2, 1), (3, 3, 3), distinct]:
    case = f"m={m}, n_inputs={n_inputs}, n_neurons={n_neurons}, seed={seed}"
    X_t = rng.normal(size=(m, n_inputs))
    h_prev = rng.uniform(-0.9, 0.9, size=(m, n_neurons))
    W_x = rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons))
    W_y = rng.normal(scale=1 / math.sqrt(n_neurons), size=(n_neurons, n_neurons))
    b = grading.signed_uniform(rng, 0.1, 0.5, n_neurons)
    z = X_t @ W_x + h_prev @ W_y + b
    h_t = np.tanh(z)
    dh_t = rng.normal(size=(m, n_neurons))
    out = grading.call(backward_step, dict(dh_t=dh_t, h_t=h_t, h_prev=h_prev, X_t=X_t, W_y=W_y),
                       allow=["rnnlib.neuron", "rnnlib.layer"])
    got = grading.unpack(out, ("dz", "dW_x", "dW_y", "db", "dh_prev"), "backward_step")
    names = ("dz", "dW_x", "dW_y", "db", "dh_prev")
    # reference 1: a loop, entry by entry
    for name, value, expected in zip(names, got, _loop_step(dh_t, h_t, h_prev, X_t, W_y)):
        grading.check_array(value, expected, name, case=case, atol=1e-10, rtol=1e-8,
                            mistakes=[(FLOAT32, lambda got, e=expected: np.allclose(got, e, rtol=1e-4, atol=1e-6))])
    # reference 2: numeric gradients of g = sum(dh(t) * h(t)), whose gradient with
    # respect to anything that h(t) depends on is what one step of BPTT gives
    def g_of_z(z):
        return float(np.sum(dh_t * np.tanh(z)))

    def g(W_x=W_x, W_y=W_y, b=b, h_prev=h_prev):
        return g_of_z(X_t @ W_x + h_prev @ W_y + b)

    numeric = (
        _numeric(g_of_z, z),
        _numeric(lambda v: g(W_x=v), W_x),
        _numeric(lambda v: g(W_y=v), W_y),
        _numeric(lambda v: g(b=v), b),
        _numeric(lambda v: g(h_prev=v), h_prev),
    )
    for name, value, expected in zip(names, got, numeric):
        grading.check_array(value, expected, f"{name} (against numeric gradients)", case=case,
                            atol=1e-6, rtol=1e-5)
### END HIDDEN TESTS

# %% readonly-markdown task_bptt_gradients
# ## Task 2: the full backward pass, for a loss on the last k outputs (4 points)
#
# Write `bptt_gradients(X, W_x, W_y, b, target, k)`. It runs the layer over `X` from a
# zero state, computes the mean squared error on the **last `k` outputs only**
# (eq. 5.3, with $S$ the last `k` steps and $N = m \cdot k \cdot n_\text{neurons}$ the
# number of terms),
#
# $$L = \frac{1}{N} \sum_{t \in S} \sum_{i,j} \big(\hat{\mathbf Y}(t)_{ij} - \mathbf Y(t)_{ij}\big)^2,
# \qquad
# d\hat{\mathbf Y}(t) = \begin{cases}\frac{2}{N}\big(\hat{\mathbf Y}(t) - \mathbf Y(t)\big) & t \in S\\
# \mathbf 0 & t \notin S\end{cases} \qquad (5.3, 5.4)$$
#
# where $\mathbf Y(t)$ is `target[:, t]`, then backpropagates through time
# (eq. 5.5-5.8) and returns the tuple `(loss, dW_x, dW_y, db)`: the loss, a number,
# and its gradients with respect to the three weights, each with the shape of its
# parameter. `k` is between 1 and T.
#
# Outputs that the loss does not read still get a gradient through the states that
# follow them. For the forward pass you may use `rnnlib.unroll_layer` (its outputs
# are the states $\mathbf h(t)$); for the steps of the backward pass you may call
# your `backward_step`.

# %% answer bptt_gradients
def bptt_gradients(X, W_x, W_y, b, target, k):
    """MSE on the last k outputs and its gradients (eq. 5.3-5.8); returns (loss, dW_x, dW_y, db)."""
    ### BEGIN SOLUTION
    m, T, _ = X.shape
    Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
    diff = Y[:, T - k:] - target[:, T - k:]
    loss = np.mean(diff ** 2)
    dY = np.zeros_like(Y)
    dY[:, T - k:] = 2.0 * diff / diff.size
    dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
    back = np.zeros((m, W_y.shape[0]))  # dz(t+1) W_y^T, zero after the last step
    for t in reversed(range(T)):
        h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
        dz = (dY[:, t] + back) * (1.0 - Y[:, t] ** 2)
        dW_x += X[:, t].T @ dz
        dW_y += h_prev.T @ dz
        db += dz.sum(axis=0)
        back = dz @ W_y.T
    return loss, dW_x, dW_y, db
    ### END SOLUTION

# %% tests test_bptt_gradients points=4
import numpy as np
import rnnlib
from rnnlib import bptt, grading

NAMES = ("loss", "dW_x", "dW_y", "db")
SCALE = ("the direction is right but the scale is not: dY(t) = (2 / N) (Y_hat(t) - Y(t)) "
         "with N = m * k * n_neurons (eq. 5.4)")


def rescaled(reference):
    """True when got is reference times a number other than 1 (for a single entry,
    where any two numbers differ by a factor, only the usual factors 2 and 1/2)."""
    reference = np.asarray(reference, dtype=float)

    def test(got):
        if reference.size < 2:
            return any(np.allclose(got, c * reference, rtol=1e-6, atol=1e-12) for c in (0.5, 2.0))
        scale = float(np.sum(got * reference) / np.sum(reference * reference))
        return not np.isclose(scale, 1.0) and np.allclose(got, scale * reference, atol=1e-9)
    return test


# A case to check by hand: one instance, T = 2 steps, one input, one neuron, and a
# loss on the last output only (k = 1), so N = 1 and L = (h(1) - 0.2)**2.
X = np.array([[[1.0], [0.5]]])
W_x, W_y, b = np.array([[0.5]]), np.array([[0.8]]), np.array([0.1])
target = np.array([[[0.0], [0.2]]])      # target[:, 0] is not read: k = 1
h0 = np.tanh(0.5 * 1.0 + 0.1)            # forward, step 0 (from h(-1) = 0)
h1 = np.tanh(0.5 * 0.5 + 0.8 * h0 + 0.1)  # forward, step 1
dz1 = 2 * (h1 - 0.2) * (1 - h1 ** 2)     # dh(1) = dY(1) = 2 (h(1) - 0.2)
dz0 = (0.0 + dz1 * 0.8) * (1 - h0 ** 2)  # dh(0) = dY(0) + dz(1) W_y^T, with dY(0) = 0
out = grading.call(bptt_gradients, dict(X=X, W_x=W_x, W_y=W_y, b=b, target=target, k=1),
                   allow=["rnnlib.neuron", "rnnlib.layer"])
loss, dW_x, dW_y, db = grading.unpack(out, NAMES, "bptt_gradients")
grading.check_array(loss, (h1 - 0.2) ** 2, "loss", mistakes=[
    ("the loss reads only the last k outputs: here the last one, (h(1) - 0.2)**2",
     lambda got: np.isclose(got, ((h0 - 0.0) ** 2 + (h1 - 0.2) ** 2) / 2)
     or np.isclose(got, (h0 - 0.0) ** 2)),
    ("the loss is the mean of the squared errors, without a square root",
     abs(h1 - 0.2)),
])
no_path = "the gradient must also flow back through the states: dh(t) = dY(t) + dz(t+1) W_y^T " \
          "(eq. 5.5). Step 0's output is not in the loss, but h(0) shaped h(1)"
dz0_skipping_tanh = (0.0 + 2 * (h1 - 0.2) * 0.8) * (1 - h0 ** 2)  # dh(1) W_y^T, not dz(1) W_y^T
grading.check_array(dW_x, [[1.0 * dz0 + 0.5 * dz1]], "dW_x", mistakes=[
    (no_path, [[0.5 * dz1]]),
    ("the gradient goes back through tanh first: step t sends dz(t) W_y^T to h(t-1), "
     "not dh(t) W_y^T", [[1.0 * dz0_skipping_tanh + 0.5 * dz1]]),
    (SCALE, rescaled([[1.0 * dz0 + 0.5 * dz1]]))])
grading.check_array(dW_y, [[h0 * dz1]], "dW_y", mistakes=[  # step 0 multiplied h(-1) = 0
    ("dW_y pairs dz(t) with h(t-1), the state before step t", [[h1 * dz1 + h0 * dz0]]),
    ("at t = 0, h(t-1) is the zero initial state h(-1): Y[:, t - 1] with t = 0 is "
     "Y[:, -1], the *last* state", [[h0 * dz1 + h1 * dz0]]),
    (SCALE, rescaled([[h0 * dz1]]))])
grading.check_array(db, [dz0 + dz1], "db", shape_hint="db has the shape of b, (n_neurons,)",
                    mistakes=[(no_path, [dz1]), (SCALE, rescaled([dz0 + dz1]))])

# A bigger case: m = 3, T = 5, 2 inputs, 3 neurons, a loss on the last k = 3 outputs.
# The reference is a numeric gradient (eq. 5.10) of the loss itself: the layer run
# forward by rnnlib.unroll_layer, nudged one weight at a time.
rng = np.random.default_rng(5)
m, T, k = 3, 5, 3
X = rng.normal(size=(m, T, 2))
W_x, W_y, b = rng.normal(0, 0.6, size=(2, 3)), rng.normal(0, 0.5, size=(3, 3)), rng.normal(0, 0.3, 3)
target = rng.uniform(-0.8, 0.8, size=(m, T, 3))


def loss_of(W_x, W_y, b):
    Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
    return np.mean((Y[:, -k:] - target[:, -k:]) ** 2)


params = dict(W_x=W_x, W_y=W_y, b=b)
expected = {"loss": loss_of(**params)}
for name, value in params.items():
    expected["d" + name] = rnnlib.numeric_gradient(lambda v: loss_of(**{**params, name: v}), value)
# What some mistakes give, for the messages (rnnlib.bptt may be used in tests, not in answers).
Y, cache = bptt.forward(X, W_x, W_y, b)
last_k = slice(-k, None)
wrong = {
    "the gradient must also flow back through the states: dh(t) = dY(t) + dz(t+1) W_y^T "
    "(eq. 5.5)": bptt.backward(rnnlib.mse_grad(Y, target, steps=last_k), cache, truncate=0),
    "the loss must read the last k outputs only: dY(t) = 0 for the other steps":
        bptt.backward(rnnlib.mse_grad(Y, target), cache),
    "the loss must read the *last* k outputs, not the first k":
        bptt.backward(rnnlib.mse_grad(Y, target, steps=slice(0, k)), cache),
}


out = grading.call(bptt_gradients, dict(X=X, W_x=W_x, W_y=W_y, b=b, target=target, k=k),
                   allow=["rnnlib.neuron", "rnnlib.layer"])
got = dict(zip(NAMES, grading.unpack(out, NAMES, "bptt_gradients")))
grading.check_array(got["loss"], expected["loss"], "loss", case="m=3, T=5, k=3", mistakes=[
    ("the loss must read the last k outputs only", rnnlib.mse(Y, target)),
    ("the loss must read the *last* k outputs, not the first k",
     rnnlib.mse(Y, target, steps=slice(0, k))),
    ("the loss is the mean over all N = m * k * n_neurons squared errors of the last k steps",
     lambda got: any(np.isclose(got, c * expected["loss"]) for c in (m * k * 3, m * k, k * 3, m * 3, 3))),
])
for name in ("dW_x", "dW_y", "db"):
    grading.check_array(
        got[name], expected[name], name, case="m=3, T=5, k=3", atol=1e-7,
        shape_hint=f"{name} has the shape of {name[1:]}",
        mistakes=[(message, getattr(grads, name[1:])) for message, grads in wrong.items()] + [
            (SCALE, rescaled(expected[name]))])
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

FLOAT32 = ("it agrees with the reference to about 7 digits only, as float32 would: "
           "compute in float64 (the inputs are float64; do not convert them)")


def _loop_forward(X, W_x, W_y, b):
    """eq. 5.1-5.2, one instance at a time: returns H with H[i][t + 1] = h(t), H[i][0] = 0."""
    H = []
    for x in X:
        h = [np.zeros(len(b))]
        for x_t in x:
            h.append(np.tanh(x_t @ W_x + h[-1] @ W_y + b))
        H.append(h)
    return H


def _loop_bptt(X, W_x, W_y, b, target, k):
    """eq. 5.3-5.8, one instance and one step at a time, with outer products."""
    m, T, _ = X.shape
    n = len(b)
    H = _loop_forward(X, W_x, W_y, b)
    N = m * k * n
    loss, dW_x, dW_y, db = 0.0, np.zeros(W_x.shape), np.zeros(W_y.shape), np.zeros(n)
    for i in range(m):
        dz_next = np.zeros(n)
        for t in range(T - 1, -1, -1):
            dh = dz_next @ W_y.T
            if t >= T - k:
                error = H[i][t + 1] - target[i, t]
                loss += float(error @ error) / N
                dh = dh + 2.0 * error / N
            dz = dh * (1.0 - H[i][t + 1] ** 2)
            dW_x += np.outer(X[i, t], dz)
            dW_y += np.outer(H[i][t], dz)
            db += dz
            dz_next = dz
    return loss, dW_x, dW_y, db


def _loss(X, W_x, W_y, b, target, k):
    T = X.shape[1]
    H = _loop_forward(X, W_x, W_y, b)
    return float(np.mean([(H[i][t + 1] - target[i, t]) ** 2
                          for i in range(len(X)) for t in range(T - k, T)]))


def _numeric(f, x, eps=1e-6):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f(x)
        x[i] = old - eps
        down = f(x)
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 8))[:4])
for m, T, n_inputs, n_neurons in [(1, 1, 1, 1), (1, 4, 1, 1), (2, 1, 3, 2), (1, 6, 2, 3),
                                  (3, 3, 2, 2), distinct]:
    for k in sorted({1, T, int(rng.integers(1, T + 1))}):
        case = f"m={m}, T={T}, n_inputs={n_inputs}, n_neurons={n_neurons}, k={k}, seed={seed}"
        args = dict(
            X=rng.normal(size=(m, T, n_inputs)),
            W_x=rng.normal(scale=0.8 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
            W_y=rng.normal(scale=1.0 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
            b=grading.signed_uniform(rng, 0.1, 0.5, n_neurons),
            target=rng.uniform(-0.9, 0.9, size=(m, T, n_neurons)),
            k=k,
        )
        out = grading.call(bptt_gradients, args, allow=["rnnlib.neuron", "rnnlib.layer"])
        got = grading.unpack(out, NAMES, "bptt_gradients")
        grading.check_number(got[0], "loss", case=case)
        # reference 1: a loop over instances and steps (float64 throughout)
        for name, value, expected in zip(NAMES, got, _loop_bptt(**args)):
            grading.check_array(value, expected, name, case=case, atol=1e-10, rtol=1e-8,
                                mistakes=[(FLOAT32, lambda got, e=expected: np.allclose(got, e, rtol=1e-4, atol=1e-6)),
                                          (SCALE if name != "loss" else
                                           "the loss is the mean over all N = m * k * n_neurons "
                                           "squared errors of the last k steps", rescaled(expected))])
        # reference 2: numeric gradients of the loss
        for index, name in ((1, "W_x"), (2, "W_y"), (3, "b")):
            numeric = _numeric(lambda v: _loss(**{**args, name: v}), args[name])
            grading.check_array(got[index], numeric, f"d{name} (against numeric gradients)",
                                case=case, atol=1e-7, rtol=1e-5)
### END HIDDEN TESTS

# %% readonly-markdown task_numeric_gradient
# ## Task 3: numeric gradients (2 points)
#
# A backward pass is trusted only once it agrees with numeric gradients. Write
# `numeric_gradient(f, x, eps)`: `f` takes an array shaped like `x` and returns a
# number; return the array, shaped like `x`, whose entry `i` is the centred difference
#
# $$\frac{\partial f}{\partial x_i} \approx
# \frac{f(\mathbf x + \varepsilon\,\mathbf e_i) - f(\mathbf x - \varepsilon\,\mathbf e_i)}{2\varepsilon}
# \qquad (5.10)$$
#
# with $\varepsilon$ = `eps` exactly as given, and $\mathbf e_i$ the array with a 1 at
# entry $i$ and zeros elsewhere: move one entry at a time. `x` may have any shape (a
# vector, a matrix such as `W_x`). Do not change the caller's `x`: work on a copy.

# %% answer numeric_gradient
def numeric_gradient(f, x, eps):
    """Centred differences of the scalar function f at x (eq. 5.10); returns x's shape."""
    ### BEGIN SOLUTION
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * eps)
    return grad
    ### END SOLUTION

# %% tests test_numeric_gradient points=2
import numpy as np
from rnnlib import grading

# f(x) = x_0**3 + x_1**3 has the gradient [3 x_0**2, 3 x_1**2] = [3, 12] at x = [1, 2].
# With eps = 0.001 the centred difference is ((x + eps)**3 - (x - eps)**3) / (2 eps)
# = 3 x**2 + eps**2: it is off by only 1e-6. A one-sided difference is off by 3 x eps.
cube = lambda v: float(np.sum(v ** 3))
x = np.array([1.0, 2.0])
grad = grading.call(numeric_gradient, dict(f=cube, x=x, eps=1e-3), allow=["rnnlib.neuron", "rnnlib.layer"])
grading.check_array(
    grad, [3.0, 12.0], "numeric_gradient(cube, [1, 2], eps=0.001)", atol=1e-5,
    shape_hint="return one partial derivative per entry of x, in an array shaped like x",
    mistakes=[
        ("this is the one-sided difference (f(x + eps e_i) - f(x)) / eps, accurate to eps "
         "only: use the centred difference of eq. 5.10, accurate to eps**2", [3.003001, 12.006001]),
        ("this is the one-sided difference (f(x) - f(x - eps e_i)) / eps: use the centred "
         "difference of eq. 5.10", [2.997001, 11.994001]),
        ("the two points x + eps e_i and x - eps e_i are 2 eps apart: divide by 2 eps",
         [6.0, 24.0]),
        ("every entry gets the same value: move one entry at a time (x + eps e_i), "
         "not all of them at once", [15.0, 15.0]),
    ])

# x may be a matrix: the result has its shape. f(W) = sum(W * C) has the gradient C.
C = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.0]])
grad = grading.call(numeric_gradient, dict(f=lambda W: float(np.sum(W * C)), x=np.ones((2, 3)),
                                           eps=1e-4), allow=["rnnlib.neuron", "rnnlib.layer"])
grading.check_array(grad, C, "numeric_gradient of sum(W * C) at a (2, 3) matrix W",
                    shape_hint="return an array shaped like x, here (2, 3)")
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
for shape in [(1,), (4,), (2, 3), (1, 1), (2, 1, 3)]:
    case = f"x of shape {shape}, seed={seed}"
    n = int(np.prod(shape))
    x0 = rng.uniform(-1.5, 1.5, size=shape)
    # f(x) = sum(w cos x) + 1/2 x.A.x + c.x, with A symmetric and a diagonal away from 0,
    # so that a one-sided difference is visibly off; its gradient is known exactly.
    w, c = rng.normal(size=shape), rng.normal(size=shape)
    A = rng.normal(scale=0.5, size=(n, n))
    A = (A + A.T) / 2 + np.diag(grading.signed_uniform(rng, 1.0, 2.0, n))
    def f(v, w=w, c=c, A=A):
        v = np.asarray(v, dtype=np.float64)
        if v.shape != shape:
            raise grading.CheckFailed(f"numeric_gradient called f with an array of shape {v.shape}; "
                                 f"f takes arrays shaped like x, {shape}")
        flat = v.reshape(-1)
        return float(np.sum(w * np.cos(v)) + 0.5 * flat @ A @ flat + np.sum(c * v))

    exact = -w * np.sin(x0) + (A @ x0.reshape(-1)).reshape(shape) + c
    eps = float(rng.uniform(2e-4, 1e-3))
    grad = grading.call(numeric_gradient, dict(f=f, x=x0, eps=eps),
                        allow=["rnnlib.neuron", "rnnlib.layer"])

    def not_put_back(f=f, x0=x0, eps=eps):
        """What leaving each entry at x_i - eps (not putting it back) gives."""
        x, out = x0.astype(float), np.zeros(x0.shape)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + eps
            up = f(x)
            x[i] = old - eps
            out[i] = (up - f(x)) / (2 * eps)
        return out

    grading.check_array(grad, exact, "the numeric gradient", case=f"{case}, eps={eps:.2e}",
                        atol=2e-6, rtol=1e-6, mistakes=[
        ("after moving entry i, put it back (x_i = old value) before moving the next "
         "one: every later difference is taken at a shifted point", not_put_back())])
    # eps as given: for a cube the centred difference is 3 x**2 + eps**2, exactly
    eps = float(rng.uniform(0.05, 0.2))
    grad = grading.call(numeric_gradient, dict(f=lambda v: float(np.sum(np.asarray(v) ** 3)),
                                               x=x0, eps=eps),
                        allow=["rnnlib.neuron", "rnnlib.layer"])
    grading.check_array(grad, 3 * x0 ** 2 + eps ** 2, "the numeric gradient of sum(x**3)",
                        case=f"{case}, eps={eps:.3f}: use eps as given", atol=1e-9)
### END HIDDEN TESTS

# %% readonly-markdown task_relative_error
# ## Task 4: comparing two gradients (1 point)
#
# Write `relative_error(a, b)`, which compares two arrays of the same shape (an
# analytic and a numeric gradient) entry by entry and returns the largest relative
# difference, a number:
#
# $$\max_i \frac{|a_i - b_i|}{\max\big(10^{-8},\ |a_i| + |b_i|\big)} \qquad (5.11)$$
#
# The floor $10^{-8}$ keeps an entry where both gradients are 0 from dividing 0 by 0.
# In float64 two correct gradients give about $10^{-7}$ or less; a wrong one gives
# something close to 1.

# %% answer relative_error
def relative_error(a, b):
    """The largest relative difference between a and b (eq. 5.11), a number."""
    ### BEGIN SOLUTION
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
    ### END SOLUTION

# %% tests test_relative_error points=1
import numpy as np
from rnnlib import grading

# Entry by entry: |1 - 1.1| / (1 + 1.1) = 0.1 / 2.1, then 0 / 4, then 0 / 1e-8 = 0.
a, b = np.array([1.0, 2.0, 0.0]), np.array([1.1, 2.0, 0.0])
error = grading.call(relative_error, dict(a=a, b=b), allow=["rnnlib.neuron", "rnnlib.layer"])
if np.isnan(grading.check_number(error, "relative_error([1, 2, 0], [1.1, 2, 0])")):
    raise grading.CheckFailed("relative_error returned NaN: where both entries are 0 it divides 0 by "
                         "0; eq. 5.11 divides by max(1e-8, |a_i| + |b_i|)")
grading.check_array(error, 0.1 / 2.1, "relative_error([1, 2, 0], [1.1, 2, 0])", mistakes=[
    ("eq. 5.11 takes the largest ratio over the entries (max), not their mean", 0.1 / 2.1 / 3),
    ("the denominator is |a_i| + |b_i|, the size of both entries", 0.1 / 1.1),
    ("the denominator is |a_i| + |b_i|, the size of both entries", 0.1 / 1.0),
    ("eq. 5.11 compares entry by entry and takes the largest ratio, not a ratio of norms",
     0.1 / (np.sqrt(5.0) + np.sqrt(5.21))),
])
# Opposite signs: |0.5 - (-0.5)| / (0.5 + 0.5) = 1, the largest error there is.
error = grading.call(relative_error, dict(a=np.array([[0.5], [-0.2]]), b=np.array([[-0.5], [-0.2]])),
                     allow=["rnnlib.neuron", "rnnlib.layer"])
grading.check_array(error, 1.0, "relative_error([[0.5], [-0.2]], [[-0.5], [-0.2]])", mistakes=[
    ("the denominator is |a_i| + |b_i|: add the absolute values, not the entries",
     lambda got: got > 1e6),
    ("the numerator is |a_i - b_i|, an absolute value", lambda got: got <= 0),
])
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_error(a, b):
    """eq. 5.11 in plain Python."""
    return max(abs(x - y) / max(1e-8, abs(x) + abs(y))
               for x, y in zip(np.ravel(a).tolist(), np.ravel(b).tolist()))


rng, seed = grading.fresh_rng()
for shape in [(1,), (5,), (3, 4), (2, 2, 2)]:
    a = rng.normal(size=shape)
    for b in (a * (1 + rng.normal(scale=1e-3, size=shape)), rng.normal(size=shape), -a,
              np.where(rng.random(shape) < 0.5, 0.0, a) * (1 + 1e-6)):
        zeros = rng.random(shape) < 0.3
        a_case, b_case = np.where(zeros, 0.0, a), np.where(zeros, 0.0, b)
        error = grading.call(relative_error, dict(a=a_case, b=b_case),
                             allow=["rnnlib.neuron", "rnnlib.layer"])
        grading.check_array(grading.check_number(error, "relative_error", case=f"seed={seed}"),
                            _reference_error(a_case, b_case), "relative_error",
                            case=f"shape {shape}, seed={seed}", atol=1e-12, rtol=1e-9)
error = grading.call(relative_error, dict(a=np.zeros((2, 3)), b=np.zeros((2, 3))),
                     allow=["rnnlib.neuron", "rnnlib.layer"])
grading.check_array(error, 0.0, "relative_error of two zero arrays")
### END HIDDEN TESTS

# %% readonly-markdown task_train_step
# ## Task 5: one training step (2 points)
#
# Write `train_step(X, target, W_x, W_y, b, k, learning_rate)`: one step of gradient
# descent on the loss of Task 2, the mean squared error on the last `k` outputs. With
# $\eta$ the learning rate, every parameter $\theta$ moves against its gradient:
#
# $$\theta \leftarrow \theta - \eta\, d\theta \qquad (5.9)$$
#
# Return the tuple `(W_x, W_y, b, loss)`: the three **new** parameters (new arrays,
# leave the ones you were given unchanged) and the loss **before** the step.
#
# For the loss and its gradients you may call your `bptt_gradients` from Task 2, or,
# in this task only, rnnlib's: `rnnlib.bptt.forward`, `rnnlib.bptt.backward`,
# `rnnlib.mse` and `rnnlib.mse_grad` (chapter 5 shows how). The step itself is yours:
# do not use `rnnlib.gradient_descent_step` or `rnnlib.training`.

# %% answer train_step
def train_step(X, target, W_x, W_y, b, k, learning_rate):
    """One gradient-descent step (eq. 5.9) on the MSE of the last k outputs; returns (W_x, W_y, b, loss)."""
    ### BEGIN SOLUTION
    Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
    last_k = slice(-k, None)
    loss = rnnlib.mse(Y, target, steps=last_k)
    grads = rnnlib.bptt.backward(rnnlib.mse_grad(Y, target, steps=last_k), cache)
    return (W_x - learning_rate * grads.W_x, W_y - learning_rate * grads.W_y,
            b - learning_rate * grads.b, loss)
    ### END SOLUTION

# %% tests test_train_step points=2
import numpy as np
import rnnlib
from rnnlib import bptt, grading

ALLOW = ["rnnlib.neuron", "rnnlib.layer", "rnnlib.bptt", "rnnlib.losses"]
FORBID = ["rnnlib.optim", "rnnlib.training"]
NAMES = ("W_x", "W_y", "b", "loss")

# The bigger case of Task 2, with a learning rate of 0.5.
rng = np.random.default_rng(5)
m, T, k, eta = 3, 5, 3, 0.5
X = rng.normal(size=(m, T, 2))
W_x, W_y, b = rng.normal(0, 0.6, size=(2, 3)), rng.normal(0, 0.5, size=(3, 3)), rng.normal(0, 0.3, 3)
target = rng.uniform(-0.8, 0.8, size=(m, T, 3))


def loss_of(W_x, W_y, b):
    Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
    return np.mean((Y[:, -k:] - target[:, -k:]) ** 2)


Y, cache = bptt.forward(X, W_x, W_y, b)
grads = bptt.backward(rnnlib.mse_grad(Y, target, steps=slice(-k, None)), cache)
params = dict(W_x=W_x, W_y=W_y, b=b)
out = grading.call(train_step, dict(X=X, target=target, W_x=W_x, W_y=W_y, b=b, k=k,
                                    learning_rate=eta), allow=ALLOW, forbid=FORBID)
got = dict(zip(NAMES, grading.unpack(out, NAMES, "train_step")))
for name, value in params.items():
    grad = getattr(grads, name)
    grading.check_array(got[name], value - eta * grad, f"the new {name}", mistakes=[
        ("the step goes uphill: subtract the gradient, theta - eta * d(theta) (eq. 5.9)",
         value + eta * grad),
        ("the step must be scaled by the learning rate: theta - eta * d(theta)", value - grad),
        (f"{name} did not move: every parameter takes a step", value),
        ("the loss reads the last k outputs only: the gradients of the loss on every "
         "output move the parameters elsewhere",
         value - eta * getattr(bptt.backward(rnnlib.mse_grad(Y, target), cache), name)),
        ("this is the gradient, not the new parameter theta - eta * d(theta)", eta * grad),
    ])
grading.check_array(got["loss"], loss_of(**params), "the loss", mistakes=[
    ("return the loss *before* the step (the one the gradients were computed on)",
     loss_of(*(got[n] for n in ("W_x", "W_y", "b")))),
])
if not loss_of(got["W_x"], got["W_y"], got["b"]) < got["loss"]:
    raise grading.CheckFailed("the step did not lower the loss")

# Training: 40 steps (fewer while the grader runs) must lower the loss a lot.
n_steps = 10 if grading.autograding() else 40
W = (W_x, W_y, b)
losses = []
for step in range(n_steps):
    *W, loss = train_step(X, target, *W, k, eta)
    losses.append(float(loss))
print("the loss every few steps:", np.round(losses[::max(1, n_steps // 8)], 4))
if not losses[-1] < 0.8 * losses[0]:
    raise grading.CheckFailed(f"after {n_steps} steps the loss went from {losses[0]:.4f} to only "
                         f"{losses[-1]:.4f}")
print("Task 5: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

FLOAT32 = ("it agrees with the reference to about 7 digits only, as float32 would: "
           "compute in float64 (the inputs are float64; do not convert them)")


def _forward(X, W_x, W_y, b):
    """eq. 5.1-5.2, one instance at a time: H[i][t + 1] = h(t)."""
    H = []
    for x in X:
        h = [np.zeros(len(b))]
        for x_t in x:
            h.append(np.tanh(x_t @ W_x + h[-1] @ W_y + b))
        H.append(h)
    return H


def _loss_and_gradients(X, target, W_x, W_y, b, k):
    """eq. 5.3-5.8 with loops and outer products."""
    m, T, _ = X.shape
    n = len(b)
    H = _forward(X, W_x, W_y, b)
    N = m * k * n
    loss, g = 0.0, [np.zeros(W_x.shape), np.zeros(W_y.shape), np.zeros(n)]
    for i in range(m):
        dz_next = np.zeros(n)
        for t in range(T - 1, -1, -1):
            dh = dz_next @ W_y.T
            if t >= T - k:
                error = H[i][t + 1] - target[i, t]
                loss += float(error @ error) / N
                dh = dh + 2.0 * error / N
            dz = dh * (1.0 - H[i][t + 1] ** 2)
            g[0] += np.outer(X[i, t], dz)
            g[1] += np.outer(H[i][t], dz)
            g[2] += dz
            dz_next = dz
    return loss, g


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 8))[:4])
for m, T, n_inputs, n_neurons in [(1, 1, 1, 1), (2, 4, 1, 1), (1, 3, 2, 3), distinct]:
    k = int(rng.integers(1, T + 1))
    eta = float(rng.uniform(0.05, 0.3))
    case = f"m={m}, T={T}, n_inputs={n_inputs}, n_neurons={n_neurons}, k={k}, eta={eta:.3f}, seed={seed}"
    args = dict(
        X=rng.normal(size=(m, T, n_inputs)),
        target=rng.uniform(-0.9, 0.9, size=(m, T, n_neurons)),
        W_x=rng.normal(scale=0.8 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
        W_y=rng.normal(scale=1.0 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
        b=grading.signed_uniform(rng, 0.1, 0.5, n_neurons),
        k=k, learning_rate=eta,
    )
    out = grading.call(train_step, args, allow=ALLOW, forbid=FORBID)
    new = grading.unpack(out, NAMES, "train_step")
    loss, g = _loss_and_gradients(args["X"], args["target"], args["W_x"], args["W_y"], args["b"], k)
    for name, value, grad in zip(NAMES, new, g):
        expected = args[name] - eta * grad
        grading.check_array(value, expected, f"the new {name}", case=case, atol=1e-10, rtol=1e-8,
                            mistakes=[(FLOAT32, lambda got, e=expected: np.allclose(got, e, rtol=1e-4, atol=1e-6))])
    grading.check_array(new[3], loss, "the loss", case=case, atol=1e-12, rtol=1e-9,
                        mistakes=[(FLOAT32, lambda got: np.allclose(got, loss, rtol=1e-4, atol=1e-6))])
    # a small step downhill must lower the loss
    out = grading.call(train_step, {**args, "learning_rate": 0.01}, allow=ALLOW, forbid=FORBID)
    new = [grading.as_result_array(v, n) for v, n in zip(grading.unpack(out, NAMES, "train_step"), NAMES)]
    new_loss, _ = _loss_and_gradients(args["X"], args["target"], *new[:3], k)
    if not new_loss < loss:
        raise grading.CheckFailed(f"a step with learning_rate=0.01 did not lower the loss: from "
                             f"{loss:.6g} to {new_loss:.6g}\n  (case: {case})")
### END HIDDEN TESTS
