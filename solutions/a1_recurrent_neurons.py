# Source of the nbgrader notebook solutions/a1_recurrent_neurons/recurrent_neurons.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test.

# %% readonly-markdown intro
# # Assignment 1: recurrent neurons
#
# In chapter 1 a recurrent neuron reads a sequence one step at a time and feeds its
# own previous output back in:
#
# $$\hat y(t) = \phi\big(\mathbf w_x \cdot \mathbf x(t) + w_y\,\hat y(t-1) + b\big) \qquad (1.1)$$
#
# In this assignment you write that neuron in numpy, run it over a whole sequence,
# and choose weights that give it a memory.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size, not
# only for the cases shown. How your work is graded (the hidden tests, what fails a
# test, the locked test cells) is explained once, on the book's page *Doing the graded
# exercises*.
#
# `rnnlib` is the course's library. Each task says which parts of it you may use; a
# function that calls rnnlib's version of the thing the task asks for scores 0.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import numpy as np

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_neuron_step
# ## Task 1: one step of a neuron (2 points)
#
# Write `neuron_step(x_t, y_prev, w_x, w_y, b)`, one step of eq. 1.1 with
# $\phi = \tanh$:
#
# | argument | meaning | shape |
# |---|---|---|
# | `x_t` | the input $\mathbf x(t)$ | `(n_inputs,)` |
# | `y_prev` | the neuron's previous output $\hat y(t-1)$ | a number |
# | `w_x` | the input weights $\mathbf w_x$ | `(n_inputs,)` |
# | `w_y` | the recurrent weight $w_y$ | a number |
# | `b` | the bias $b$ | a number |
#
# It returns $\hat y(t)$, a single number. Write it with numpy only (no function from
# `rnnlib.neuron`).

# %% answer neuron_step
def neuron_step(x_t, y_prev, w_x, w_y, b):
    """One step of a recurrent neuron (eq. 1.1) with phi = tanh; returns a number."""
    ### BEGIN SOLUTION
    return np.tanh(x_t @ w_x + w_y * y_prev + b)
    ### END SOLUTION

# %% tests test_neuron_step points=2
import numpy as np
from rnnlib import grading

# A case to check by hand:
#   w_x . x_t    = 0.5 * 1 + 0.5 * 2 = 1.5
#   w_y * y_prev = 2 * 0.5           = 1.0
#   b                                = -2.0
# so y_hat(t) = tanh(1.5 + 1.0 - 2.0) = tanh(0.5).
y = grading.call(neuron_step, dict(x_t=np.array([1.0, 2.0]), y_prev=0.5,
                                   w_x=np.array([0.5, 0.5]), w_y=2.0, b=-2.0))
# A mistake is named only when a second case, where the usual mistakes all give
# different values, shows it too: z = 0.7 * 0.3 + 0.2 * (-0.4) + 0.9 * (-0.6) + 0.25.
second = dict(x_t=np.array([0.3, -0.4]), y_prev=-0.6, w_x=np.array([0.7, 0.2]), w_y=0.9, b=0.25)


def seen_twice(value, wrong_phi=np.tanh, input_term=True, recurrent_term=True, bias=1.0,
               y_weight=None):
    """A predicate: got equals value here, and the same mistake shows on `second`."""
    a = second
    z = ((a["x_t"] @ a["w_x"] if input_term else 0.0)
         + ((a["w_y"] if y_weight is None else y_weight) * a["y_prev"] if recurrent_term else 0.0)
         + bias * a["b"])
    return lambda got: bool(np.isclose(got, value)) and grading.same_mistake(
        neuron_step, second, wrong_phi(z))


grading.check_array(
    y, np.tanh(0.5), "neuron_step's output",
    shape_hint="neuron_step returns one number, shape (): w_x . x_t is the dot product "
               "of two 1-D arrays, x_t @ w_x, not an elementwise or a matrix product",
    mistakes=[
        ("the bias seems to be missing", seen_twice(np.tanh(2.5), bias=0.0)),
        ("the bias is subtracted: add b", seen_twice(np.tanh(4.5), bias=-1.0)),
        ("the recurrent term w_y * y_prev seems to be missing",
         seen_twice(np.tanh(-0.5), recurrent_term=False)),
        ("the previous output must be weighted by w_y: the recurrent term is w_y * y_prev",
         seen_twice(np.tanh(0.0), y_weight=1.0)),
        ("the input term w_x . x_t seems to be missing",
         seen_twice(np.tanh(-1.0), input_term=False)),
        ("tanh seems to be missing: phi = tanh applies to the whole sum",
         seen_twice(0.5, wrong_phi=lambda z: z)),
        ("phi is tanh, not ReLU", seen_twice(0.5, wrong_phi=lambda z: max(z, 0.0))),
        ("phi is tanh, not the logistic sigmoid 1 / (1 + exp(-z))",
         seen_twice(1 / (1 + np.exp(-0.5)), wrong_phi=lambda z: 1 / (1 + np.exp(-z)))),
        ("tanh must apply to the whole sum w_x . x_t + w_y * y_prev + b",
         lambda got: np.isclose(got, np.tanh(1.5) + 1.0 - 2.0)
         or np.isclose(got, np.tanh(2.5) - 2.0)),
    ])
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_step(x_t, y_prev, w_x, w_y, b):
    """eq. 1.1 in plain Python, one multiplication at a time."""
    z = sum(w * x for w, x in zip(w_x.tolist(), x_t.tolist())) + float(w_y) * float(y_prev) + float(b)
    return math.tanh(z)


rng, seed = grading.fresh_rng()
for n_inputs in (1, 2, int(rng.integers(3, 9))):
    args = dict(
        x_t=rng.normal(size=n_inputs),
        y_prev=np.float64(grading.signed_uniform(rng, 0.2, 0.9)),
        w_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=n_inputs),
        w_y=float(grading.signed_uniform(rng, 0.5, 1.5)),
        b=float(grading.signed_uniform(rng, 0.3, 1.0)),
    )
    y = grading.call(neuron_step, args)
    expected = _reference_step(**args)
    grading.check_array(
        y, expected, "neuron_step's output", case=f"n_inputs={n_inputs}, seed={seed}",
        shape_hint="neuron_step returns one number, shape ()",
        mistakes=[
            ("the bias seems to be missing", _reference_step(**{**args, "b": 0.0})),
            ("the recurrent term seems to be missing", _reference_step(**{**args, "w_y": 0.0})),
            ("the bias is subtracted: add b", _reference_step(**{**args, "b": -args["b"]})),
            ("the previous output must be weighted by w_y: the recurrent term is w_y * y_prev",
             _reference_step(**{**args, "w_y": 1.0})),
        ])
### END HIDDEN TESTS

# %% readonly-markdown task_unroll_neuron
# ## Task 2: unroll the neuron over a sequence (3 points)
#
# Write `unroll_neuron(x, w_x, w_y, b)`: run the neuron over the sequence `x` of shape
# `(T, n_inputs)`, whose row `t` is $\mathbf x(t)$, and return the array `y_hat` of
# shape `(T,)` of its outputs: `y_hat[t]` is $\hat y(t)$, the output after reading
# $\mathbf x(t)$.
#
# Before the first step there is no previous output: the neuron starts from
# $\hat y(-1) = 0$.
#
# For a single step, call `rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)`: it does what
# your Task 1 function does, so this task is graded on its own. Do not use
# `rnnlib.unroll_neuron`, which is the answer.

# %% answer unroll_neuron
def unroll_neuron(x, w_x, w_y, b):
    """Outputs (T,) of the neuron over x (T, n_inputs), starting from y_hat(-1) = 0."""
    ### BEGIN SOLUTION
    y_hat = np.zeros(len(x))
    y_prev = 0.0
    for t in range(len(x)):
        y_prev = rnnlib.neuron_step(x[t], y_prev, w_x, w_y, b)
        y_hat[t] = y_prev
    return y_hat
    ### END SOLUTION

# %% tests test_unroll_neuron points=3
import numpy as np
import rnnlib
from rnnlib import grading

# A case to check by hand: one input, w_x = [1], w_y = 1, b = 0.25, three steps.
x = np.array([[0.5], [0.0], [-0.5]])
y0 = np.tanh(0.5 + 0.25)        # step 0 starts from y_hat(-1) = 0
y1 = np.tanh(0.0 + y0 + 0.25)   # each step adds w_y * (the previous output)
y2 = np.tanh(-0.5 + y1 + 0.25)
y_hat = grading.call(unroll_neuron, dict(x=x, w_x=np.array([1.0]), w_y=1.0, b=0.25),
                     allow=["rnnlib.neuron"], forbid=["rnnlib.neuron.unroll_neuron"])
grading.check_array(
    y_hat, [y0, y1, y2], "unroll_neuron's output",
    shape_hint="return one output per time step, an array of shape (T,)",
    mistakes=[
        ("it is only the last output: return every output, shape (T,)", y2),
        ("it starts with the initial state y_hat(-1) = 0: return the T outputs y_hat(0), "
         "..., y_hat(T-1) only", [0.0, y0, y1, y2]),
        ("the last step is missing: loop over every t = 0, ..., T-1 (range(T))",
         lambda got: got.shape in ((2,), (3,)) and np.allclose(got[:2], [y0, y1])
         and (got.shape == (2,) or np.isclose(got[2], 0.0))),
        ("the outputs are shifted by one step: y_hat[t] is the output after "
         "reading x(t), so y_hat[0] is already tanh(w_x . x(0) + b)", [0.0, y0, y1]),
        ("each step must feed back the previous output y_hat(t-1); it seems to "
         "use 0 every time", np.tanh(np.array([0.75, 0.25, -0.25]))),
        ("the first step must start from a zero state: y_hat(0) = tanh(w_x . x(0) + b)",
         lambda got: got.shape == (3,) and not np.isclose(got[0], y0) and all(
             # every later step is right, given the output before it
             np.isclose(got[t], rnnlib.neuron_step(x[t], got[t - 1], [1.0], 1.0, 0.25))
             for t in (1, 2))),
    ])
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _reference_unroll(x, w_x, w_y, b, y_prev=0.0):
    """The neuron over x, in plain Python."""
    outputs = []
    for x_t in x.tolist():
        z = sum(w * v for w, v in zip(w_x.tolist(), x_t)) + w_y * y_prev + b
        y_prev = math.tanh(z)
        outputs.append(y_prev)
    return outputs


rng, seed = grading.fresh_rng()
for T, n_inputs in [(1, 1), (1, 3), (6, 1), (int(rng.integers(5, 13)), int(rng.integers(2, 7)))]:
    args = dict(
        x=rng.normal(size=(T, n_inputs)),
        w_x=rng.normal(scale=1 / math.sqrt(n_inputs), size=n_inputs),
        w_y=float(grading.signed_uniform(rng, 0.5, 1.5)),
        b=float(grading.signed_uniform(rng, 0.3, 1.0)),
    )
    y_hat = grading.call(unroll_neuron, args, allow=["rnnlib.neuron"],
                         forbid=["rnnlib.neuron.unroll_neuron"])
    expected = _reference_unroll(**args)
    grading.check_array(
        y_hat, expected, "unroll_neuron's output", case=f"T={T}, n_inputs={n_inputs}, seed={seed}",
        shape_hint="return one output per time step, an array of shape (T,)",
        mistakes=[
            ("the last step is missing: loop over every t = 0, ..., T-1 (range(T))",
             lambda got: T > 1 and got.shape in ((T,), (T - 1,)) and np.allclose(
                 got[:T - 1], expected[:T - 1]) and (got.shape == (T - 1,) or got[-1] == 0)),
            ("the first step must start from a zero state", lambda got: (
            got.shape == (T,) and not np.isclose(got[0], expected[0]) and all(
                np.isclose(got[t], _reference_unroll(args["x"][t:t + 1], args["w_x"], args["w_y"],
                                                     args["b"], y_prev=float(got[t - 1]))[0])
                for t in range(1, T))))])
### END HIDDEN TESTS

# %% readonly-markdown task_ema_weights
# ## Task 3: a neuron that remembers (2 points)
#
# With the identity activation, $\phi(z) = z$, and a single input, a recurrent neuron
# can compute the *exponential moving average* of a series:
#
# $$\hat y(t) = \alpha\, x(t) + (1 - \alpha)\, \hat y(t-1), \qquad 0 < \alpha \le 1,$$
#
# starting, like every unrolled neuron, from $\hat y(-1) = 0$. Each output mixes the new
# input with the neuron's memory of the past; a small $\alpha$ means a long memory.
#
# Write `ema_weights(alpha)`, which returns the neuron's parameters `(w_x, w_y, b)`:
# `w_x` an array of shape `(1,)` (one weight per input), `w_y` and `b` numbers. The
# tests run `rnnlib.unroll_neuron(x, w_x, w_y, b, activation="identity")` with them.

# %% answer ema_weights
def ema_weights(alpha):
    """(w_x, w_y, b) of a linear neuron that outputs the moving average with factor alpha."""
    ### BEGIN SOLUTION
    return np.array([alpha]), 1.0 - alpha, 0.0
    ### END SOLUTION

# %% tests test_ema_weights points=2
import numpy as np
import rnnlib
from rnnlib import grading

w_x, w_y, b = grading.unpack(grading.call(ema_weights, dict(alpha=0.25)),
                             ("w_x", "w_y", "b"), "ema_weights")
grading.check_shape(w_x, (1,), "w_x", hint="w_x holds one weight per input: an array "
                    "of shape (1,), such as np.array([...])")
w_y, b = grading.check_number(w_y, "w_y"), grading.check_number(b, "b")
# A case to check by hand, with alpha = 0.25 and the series 1, 0, 0, 1:
#   0.25 * 1 = 0.25,  0.75 * 0.25 = 0.1875,  0.75 * 0.1875 = 0.140625,
#   0.25 * 1 + 0.75 * 0.140625 = 0.35546875
averages = rnnlib.unroll_neuron(np.array([[1.0], [0.0], [0.0], [1.0]]), w_x, w_y, b,
                                activation="identity")
grading.check_array(averages, [0.25, 0.1875, 0.140625, 0.35546875],
                    "the outputs of a neuron with your weights", mistakes=[
    ("the new input x(t) is weighted by alpha and the memory y_hat(t-1) by 1 - alpha, "
     "not the other way round", [0.75, 0.1875, 0.046875, 0.76171875]),
    ("the bias b adds a constant at every step, but an average adds nothing",
     lambda got: b != 0),
    ("w_y is 1 - alpha, not alpha - 1: a negative w_y flips the sign of the memory at "
     "every step", lambda got: np.isclose(w_y, -0.75)),
    ("the memory y_hat(t-1) is weighted by 1 - alpha, not 1: with w_y = 1 the neuron "
     "adds up its inputs instead of averaging them", lambda got: np.isclose(w_y, 1.0)),
])
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_average(series, alpha):
    """The exponential moving average, in plain Python."""
    average, out = 0.0, []
    for value in series:
        average = alpha * value + (1 - alpha) * average
        out.append(average)
    return out


def _linear_neuron(series, w_x, w_y, b):
    """A one-input neuron with phi(z) = z, in plain Python."""
    y, out = 0.0, []
    for value in series:
        y = w_x * value + w_y * y + b
        out.append(y)
    return out


rng, seed = grading.fresh_rng()
for alpha in (1.0, float(rng.uniform(0.05, 0.45)), float(rng.uniform(0.55, 0.95))):
    case = f"alpha={alpha:.4f}, seed={seed}"
    w_x, w_y, b = grading.unpack(grading.call(ema_weights, dict(alpha=alpha)),
                                 ("w_x", "w_y", "b"), "ema_weights")
    w_x = grading.check_shape(w_x, (1,), "w_x", case=case)
    w_y = grading.check_number(w_y, "w_y", case=case)
    b = grading.check_number(b, "b", case=case)
    series = rng.normal(size=20).tolist()
    grading.check_array(_linear_neuron(series, float(w_x[0]), w_y, b),
                        _reference_average(series, alpha),
                        "the outputs of a neuron with your weights", case=case)
### END HIDDEN TESTS
