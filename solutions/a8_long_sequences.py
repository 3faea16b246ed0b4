# Source of the nbgrader notebook solutions/a8_long_sequences/long_sequences.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test; Task 6 reads the ridership data (set
# RNNLIB_DATA_MIRROR to a folder holding ridership.tgz to work offline) and
# trains two small GRU networks, so it takes about half a minute. Task 6 trains
# for the same number of epochs whether or not nbgrader autogrades.

# %% readonly-markdown intro
# # Assignment 8: long sequences
#
# Chapter 8 replaces the basic cell, which forgets within about ten steps, by gated
# cells, keeps exploding gradients in check by clipping them, and looks far back with
# dilated causal convolutions. In Tasks 1 to 5 you write the pieces in numpy; in Task 6
# a gated layer of Keras forecasts the ridership series of chapters 6 and 7:
#
# | task | what you write | points |
# |---|---|---|
# | 1 | one step of an LSTM cell | 3 |
# | 2 | the backward pass of that step: the gradients through the gates | 3 |
# | 3 | one step of a GRU cell, in Keras's `reset_after=True` form | 3 |
# | 4 | gradient clipping by global norm | 2 |
# | 5 | the receptive field of a stack of dilated causal convolutions (WaveNet) | 2 |
# | 6 | a Keras forecaster with a gated layer that beats the seasonal naive forecast | 3 |
#
# In Tasks 1 to 3 the weights are in Keras's layout (the shapes are given in each task),
# so weights copied from `keras.layers.LSTM` or `keras.layers.GRU` with `get_weights()`
# give your functions the same numbers as Keras.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size, not
# only for the cases shown. How your work is graded (the hidden tests, what fails a
# test, the locked test cells) is explained once, on the book's page *Doing the graded
# exercises*. The tests of Task 6 check your Keras model by rebuilding it from its
# configuration and weights, so build it from Keras's built-in layers (no `Lambda` or
# custom layers).
#
# **What you may use.** numpy in Tasks 1 to 5; numpy and Keras in Task 6.
# `rnnlib.lstm`, `rnnlib.gru`, `rnnlib.clipping`, `rnnlib.convolution`,
# `rnnlib.forecasting` and `rnnlib.baselines` hold the answers to this assignment: a
# function that calls them, or any other part of `rnnlib`, scores 0 on its task.
#
# **The data.** Task 6 reads the Chicago ridership series with
# `rnnlib.datasets.load_ridership()`, as in assignments A6 and A7: to work without a
# network connection, put a copy of `ridership.tgz` in `~/.cache/rnnlib/` or in the
# folder named by `RNNLIB_DATA_MIRROR`, set before you start JupyterLab.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error. Task 6 trains a small network: the notebook
# takes a minute or so to run.

# %% readonly-code setup
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up log

import numpy as np
import keras

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_lstm_step
# ## Task 1: one step of an LSTM cell (3 points)
#
# Write `lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)`, one step of
# eq. 8.1-8.4 for a mini-batch of $m$ instances and a cell of $n$ units:
#
# $$\mathbf A(t) = \mathbf X(t)\,\mathbf W_x + \mathbf h(t-1)\,\mathbf W_h + \mathbf b
# = \big[\mathbf A_i \;\; \mathbf A_f \;\; \mathbf A_g \;\; \mathbf A_o\big]$$
#
# $$\mathbf i = \sigma(\mathbf A_i),\quad \mathbf f = \sigma(\mathbf A_f),\quad
# \mathbf g = \tanh(\mathbf A_g),\quad \mathbf o = \sigma(\mathbf A_o)$$
#
# $$\mathbf c(t) = \mathbf f \odot \mathbf c(t-1) + \mathbf i \odot \mathbf g, \qquad
# \mathbf h(t) = \mathbf o \odot \tanh\big(\mathbf c(t)\big)$$
#
# with $\sigma(z) = 1 / (1 + e^{-z})$ and $\odot$ the element-wise product.
#
# | argument | meaning | shape |
# |---|---|---|
# | `x_t` | the inputs $\mathbf X(t)$, one row per instance | `(m, n_inputs)` |
# | `h_prev` | the short-term state $\mathbf h(t-1)$ | `(m, n)` |
# | `c_prev` | the long-term (cell) state $\mathbf c(t-1)$ | `(m, n)` |
# | `kernel` | $\mathbf W_x$: the four gates' input weights side by side, in the order i, f, g, o | `(n_inputs, 4n)` |
# | `recurrent_kernel` | $\mathbf W_h$, the same four blocks | `(n, 4n)` |
# | `bias` | $\mathbf b$, the same four blocks | `(4n,)` |
#
# Columns `0:n` of each weight array belong to the input gate i, `n:2n` to the forget
# gate f, `2n:3n` to the candidate g and `3n:4n` to the output gate o: Keras's order.
# The bias is used as given (Keras's `unit_forget_bias=True` only sets the *initial*
# value of the forget gate's bias to 1).
#
# It returns the pair `(h, c)`, the new short-term and long-term states, each of
# shape `(m, n)`. Use numpy only.

# %% answer lstm_step
def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One LSTM step (eq. 8.1-8.4), Keras's gate order i, f, g, o; returns (h, c), each (m, n)."""
    ### BEGIN SOLUTION
    n = h_prev.shape[1]
    a = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i = 1 / (1 + np.exp(-a[:, :n]))
    f = 1 / (1 + np.exp(-a[:, n:2 * n]))
    g = np.tanh(a[:, 2 * n:3 * n])
    o = 1 / (1 + np.exp(-a[:, 3 * n:]))
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c
    ### END SOLUTION

# %% tests test_lstm_step points=3
import itertools

import numpy as np
from rnnlib import grading


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_reference(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order="ifgo",
                   forget_on="c", cell_tanh=True, candidate=np.tanh, forget_bias=0.0,
                   h_from_c_prev=False):
    """eq. 8.1-8.4, gate by gate; the keywords make the usual mistakes.

    ``order``: which gate each block of the weights is read as (Keras's is "ifgo").
    """
    n = h_prev.shape[1]
    a = x_t @ kernel + h_prev @ recurrent_kernel + bias
    blocks = {gate: a[:, k * n:(k + 1) * n] for k, gate in enumerate(order)}
    i, f, o = sigmoid(blocks["i"]), sigmoid(blocks["f"] + forget_bias), sigmoid(blocks["o"])
    g = candidate(blocks["g"])
    c = f * c_prev + i * g if forget_on == "c" else i * c_prev + f * g
    memory = c_prev if h_from_c_prev else c
    return o * (np.tanh(memory) if cell_tanh else memory), c


def lstm_mistakes(args):
    """(h mistakes, c mistakes): what the usual mistakes give on these arguments."""
    h, c = lstm_reference(**args)
    orders = ["".join(p) for p in itertools.permutations("ifgo") if "".join(p) != "ifgo"]
    c_mistakes = [
        ("lstm_step returns (c, h): return the short-term state h first, then c", h),
        ("the forget gate multiplies the candidate and the input gate the old cell state: "
         "c(t) = f * c(t-1) + i * g (columns 0:n are i, n:2n are f)",
         lstm_reference(**args, forget_on="g")[1]),
        ("the forget gate's bias is used as given: do not add 1 to it (Keras's "
         "unit_forget_bias only sets its initial value)", lstm_reference(**args, forget_bias=1.0)[1]),
        ("the candidate g uses tanh, not the logistic sigmoid",
         lstm_reference(**args, candidate=sigmoid)[1]),
        ("the forget gate seems to be missing: c(t) = f * c(t-1) + i * g",
         args["c_prev"] + lstm_reference(**{**args, "c_prev": np.zeros_like(args["c_prev"])})[1]),
        ("the gate blocks are read in the wrong order: Keras stores them as i, f, g, o "
         "(columns 0:n input gate, n:2n forget gate, 2n:3n candidate, 3n:4n output gate)",
         lambda got: any(np.allclose(got, lstm_reference(**args, order=order)[1])
                         for order in orders)),
    ]
    h_mistakes = [
        ("lstm_step returns (c, h): return the short-term state h first, then c", c),
        ("tanh seems to be missing on the cell state: h(t) = o * tanh(c(t))",
         lstm_reference(**args, cell_tanh=False)[0]),
        ("h(t) reads the new cell state c(t), not c(t-1): h(t) = o * tanh(c(t))",
         lstm_reference(**args, h_from_c_prev=True)[0]),
    ]
    return h_mistakes, c_mistakes


def check_lstm(out, args, expected, case=""):
    h, c = grading.unpack(out, ("h", "c"), "lstm_step")
    h_mistakes, c_mistakes = lstm_mistakes(args)
    hint = "the states have one row per instance and one column per unit, (m, n)"
    grading.check_array(c, expected[1], "lstm_step's c", case=case, shape_hint=hint,
                        mistakes=c_mistakes)
    grading.check_array(h, expected[0], "lstm_step's h", case=case, shape_hint=hint,
                        mistakes=h_mistakes)


# A case to check by hand: one instance, one input, one unit (n = 1), so each gate's
# weights are one number, in the order i, f, g, o:
#   A = x W_x + h W_h + b = 1 * [0.5, 1, 0.25, -0.5] + 0.5 * [1, 0, 0.5, 2] + [-1, 0.5, 0, 1]
#     = [0, 1.5, 0.5, 1.5]
#   i = sigma(0) = 0.5,  f = sigma(1.5),  g = tanh(0.5),  o = sigma(1.5)
#   c = f * 2 + i * g,   h = o * tanh(c)
args = dict(x_t=np.array([[1.0]]), h_prev=np.array([[0.5]]), c_prev=np.array([[2.0]]),
            kernel=np.array([[0.5, 1.0, 0.25, -0.5]]),
            recurrent_kernel=np.array([[1.0, 0.0, 0.5, 2.0]]),
            bias=np.array([-1.0, 0.5, 0.0, 1.0]))
c = sigmoid(1.5) * 2.0 + 0.5 * np.tanh(0.5)
out = grading.call(lstm_step, args)
check_lstm(out, args, (np.array([[sigmoid(1.5) * np.tanh(c)]]), np.array([[c]])))

# Two instances, three inputs, two units.
rng = np.random.default_rng(8)
args = dict(x_t=rng.normal(size=(2, 3)), h_prev=rng.uniform(-1, 1, (2, 2)),
            c_prev=rng.normal(size=(2, 2)), kernel=rng.normal(scale=0.6, size=(3, 8)),
            recurrent_kernel=rng.normal(scale=0.7, size=(2, 8)), bias=rng.normal(size=8))
out = grading.call(lstm_step, args)
check_lstm(out, args, lstm_reference(**args))
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

import rnnlib

rng, seed = grading.fresh_rng()
sizes = [(1, 1, 1), (3, 2, 4), tuple(int(s) for s in rng.integers(2, 7, size=3))]
for m, n_inputs, n in sizes:
    args = dict(
        x_t=rng.normal(size=(m, n_inputs)),
        h_prev=rng.uniform(-1, 1, size=(m, n)),
        c_prev=rng.normal(scale=1.5, size=(m, n)),
        kernel=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, 4 * n)),
        recurrent_kernel=rng.normal(scale=1 / math.sqrt(n), size=(n, 4 * n)),
        bias=grading.signed_uniform(rng, 0.2, 1.0, 4 * n),
    )
    out = grading.call(lstm_step, args)
    expected = rnnlib.lstm.lstm_step(**args)  # the course's reference, after the call
    check_lstm(out, args, expected, case=f"m={m}, n_inputs={n_inputs}, n={n}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_lstm_step_backward
# ## Task 2: the backward pass of one LSTM step (3 points)
#
# Training an LSTM needs the gradients of the loss through the gates (chapter 8,
# "The backward pass through the gates"). Write
# `lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)`:
# the step's inputs are those of Task 1, and
#
# * `dh` $= \partial L / \partial \mathbf h(t)$, shape `(m, n)`: the gradient reaching
#   the step's output (from the loss and from step $t+1$);
# * `dc` $= \partial L / \partial \mathbf c(t)$, shape `(m, n)`: the gradient reaching
#   the cell state from step $t+1$.
#
# Recompute the step's gates $\mathbf i, \mathbf f, \mathbf g, \mathbf o$ and
# $\mathbf c(t)$ as in Task 1 (write that part again: each task is graded on its own),
# then go backward, eq. 8.10-8.12:
#
# $$\delta_c = \mathtt{dc} + \mathtt{dh} \odot \mathbf o \odot \big(1 - \tanh^2 \mathbf c(t)\big)$$
#
# $$\delta_{A_i} = \delta_c \odot \mathbf g \odot \mathbf i (1 - \mathbf i), \quad
# \delta_{A_f} = \delta_c \odot \mathbf c(t-1) \odot \mathbf f (1 - \mathbf f), \quad
# \delta_{A_g} = \delta_c \odot \mathbf i \odot (1 - \mathbf g^2), \quad
# \delta_{A_o} = \mathtt{dh} \odot \tanh \mathbf c(t) \odot \mathbf o (1 - \mathbf o)$$
#
# $$\delta_A = [\delta_{A_i}\;\; \delta_{A_f}\;\; \delta_{A_g}\;\; \delta_{A_o}], \qquad
# \frac{\partial L}{\partial \mathbf c(t-1)} = \delta_c \odot \mathbf f, \qquad
# \frac{\partial L}{\partial \mathbf h(t-1)} = \delta_A\, \mathbf W_h^\top$$
#
# and, as in chapter 5, the weights' gradients add up the instances:
# $\partial L / \partial \mathbf W_x = \mathbf X(t)^\top \delta_A$,
# $\partial L / \partial \mathbf W_h = \mathbf h(t-1)^\top \delta_A$,
# $\partial L / \partial \mathbf b = $ the sum of the rows of $\delta_A$.
#
# Return the tuple `(dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)`, of the
# shapes of `h_prev`, `c_prev`, `kernel`, `recurrent_kernel` and `bias`. Use numpy only.
# The test checks your gradients against centred differences (chapter 5) of the
# loss $L = \sum \mathtt{dh} \odot \mathbf h(t) + \sum \mathtt{dc} \odot \mathbf c(t)$,
# whose gradients are exactly these.

# %% answer lstm_step_backward
def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Backward through one LSTM step (eq. 8.10-8.12); returns
    (dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)."""
    ### BEGIN SOLUTION
    n = h_prev.shape[1]
    a = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i = 1 / (1 + np.exp(-a[:, :n]))
    f = 1 / (1 + np.exp(-a[:, n:2 * n]))
    g = np.tanh(a[:, 2 * n:3 * n])
    o = 1 / (1 + np.exp(-a[:, 3 * n:]))
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    d_c = dc + dh * o * (1 - tanh_c ** 2)
    da = np.concatenate([d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f),
                         d_c * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)], axis=1)
    return da @ recurrent_kernel.T, d_c * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
    ### END SOLUTION

# %% tests test_lstm_step_backward points=3
import itertools

import numpy as np
import rnnlib
from rnnlib import grading

NAMES = ("dh_prev", "dc_prev", "dkernel", "drecurrent_kernel", "dbias")


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def backward_reference(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias,
                       h_reaches_c=True, tanh_prime=True, forget_on_dc=True, f_reads="c_prev",
                       o_from="dh", order="ifgo", bias_mean=False):
    """eq. 8.10-8.12; the keywords make the usual mistakes. Returns the five gradients."""
    n = h_prev.shape[1]
    a = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i, f, g, o = sigmoid(a[:, :n]), sigmoid(a[:, n:2 * n]), np.tanh(a[:, 2 * n:3 * n]), sigmoid(a[:, 3 * n:])
    c = f * c_prev + i * g
    d_c = dc + (dh * o * ((1 - np.tanh(c) ** 2) if tanh_prime else 1.0) if h_reaches_c else 0.0)
    gate = {"i": d_c * g * i * (1 - i), "f": d_c * (c_prev if f_reads == "c_prev" else c) * f * (1 - f),
            "g": d_c * i * (1 - g ** 2), "o": (dh if o_from == "dh" else d_c) * np.tanh(c) * o * (1 - o)}
    da = np.concatenate([gate[k] for k in order], axis=1)
    dbias = da.mean(axis=0) if bias_mean else da.sum(axis=0)
    return (da @ recurrent_kernel.T, d_c * f if forget_on_dc else d_c, x_t.T @ da, h_prev.T @ da, dbias)


MISTAKES = [
    ("the cell state also receives dh, through h = o * tanh(c): start from "
     "dc + dh * o * (1 - tanh(c)**2) (eq. 8.10)", dict(h_reaches_c=False)),
    ("the path from h to c goes through tanh: multiply dh * o by 1 - tanh(c(t))**2 (eq. 8.10)",
     dict(tanh_prime=False)),
    ("dc_prev is the gradient along the cell state times the forget gate: dL/dc(t-1) = "
     "delta_c * f (eq. 8.11)", dict(forget_on_dc=False)),
    ("the forget gate multiplies c(t-1), so its gradient is delta_c * c(t-1) * f (1 - f), "
     "not delta_c * c(t) * f (1 - f)", dict(f_reads="c")),
    ("the output gate reads tanh(c(t)) into h only: its gradient comes from dh, "
     "dh * tanh(c) * o (1 - o), not from delta_c", dict(o_from="dc")),
    ("the bias's gradient adds up the instances (the sum of the rows of delta_A), not "
     "their mean", dict(bias_mean=True)),
]


def check_backward(out, args, expected, case=""):
    got = grading.unpack(out, NAMES, "lstm_step_backward")
    orders = ["".join(p) for p in itertools.permutations("ifgo") if "".join(p) != "ifgo"]
    for k, name in enumerate(NAMES):
        mistakes = [(message, backward_reference(**args, **switch)[k])
                    for message, switch in MISTAKES]
        mistakes.append((
            "the gate gradients are stacked in the wrong order: delta_A = [delta_A_i, "
            "delta_A_f, delta_A_g, delta_A_o], Keras's order i, f, g, o",
            lambda got, k=k: any(np.allclose(got, backward_reference(**args, order=order)[k])
                                 for order in orders)))
        grading.check_array(got[k], expected[k], f"lstm_step_backward's {name}", case=case,
                            shape_hint=f"{name} has the shape of {name[1:]}",
                            mistakes=mistakes)


def centred_differences(args, eps=1e-6):
    """The five gradients of L = sum(dh * h(t)) + sum(dc * c(t)), entry by entry."""
    def loss(**changed):
        a = {**args, **changed}  # one step: the course's forward pass on a sequence of length 1
        _, h, c, _ = rnnlib.lstm.lstm_forward(a["x_t"][:, None], a["kernel"], a["recurrent_kernel"],
                                              a["bias"], h0=a["h_prev"], c0=a["c_prev"])
        return float(np.sum(args["dh"] * h) + np.sum(args["dc"] * c))

    grads = []
    for key in ("h_prev", "c_prev", "kernel", "recurrent_kernel", "bias"):
        value, grad = args[key], np.zeros_like(args[key])
        for index in np.ndindex(value.shape):
            plus, minus = value.copy(), value.copy()
            plus[index] += eps
            minus[index] -= eps
            grad[index] = (loss(**{key: plus}) - loss(**{key: minus})) / (2 * eps)
        grads.append(grad)
    return grads


# Two instances, three inputs, two units; the expected gradients are centred
# differences of the loss L above (computed with the course's forward step).
rng = np.random.default_rng(10)
args = dict(dh=rng.normal(size=(2, 2)), dc=rng.normal(size=(2, 2)), x_t=rng.normal(size=(2, 3)),
            h_prev=rng.uniform(-1, 1, (2, 2)), c_prev=rng.normal(size=(2, 2)),
            kernel=rng.normal(scale=0.6, size=(3, 8)),
            recurrent_kernel=rng.normal(scale=0.7, size=(2, 8)), bias=rng.normal(size=8))
out = grading.call(lstm_step_backward, args)
check_backward(out, args, centred_differences(args))
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

rng, seed = grading.fresh_rng()
sizes = [(1, 1, 1), (3, 2, 4), tuple(int(s) for s in rng.integers(2, 7, size=3))]
for m, n_inputs, n in sizes:
    args = dict(
        dh=rng.normal(size=(m, n)), dc=rng.normal(size=(m, n)),
        x_t=rng.normal(size=(m, n_inputs)), h_prev=rng.uniform(-1, 1, size=(m, n)),
        c_prev=rng.normal(scale=1.5, size=(m, n)),
        kernel=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, 4 * n)),
        recurrent_kernel=rng.normal(scale=1 / math.sqrt(n), size=(n, 4 * n)),
        bias=grading.signed_uniform(rng, 0.2, 1.0, 4 * n),
    )
    out = grading.call(lstm_step_backward, args)
    # the course's reference, after the call: BPTT over a sequence of one step
    _, _, _, cache = rnnlib.lstm.lstm_forward(args["x_t"][:, None], args["kernel"],
                                              args["recurrent_kernel"], args["bias"],
                                              h0=args["h_prev"], c0=args["c_prev"])
    grads = rnnlib.lstm.lstm_backward(args["dh"][:, None], cache, dc_T=args["dc"])
    expected = [grads[key] for key in ("h0", "c0", "kernel", "recurrent_kernel", "bias")]
    check_backward(out, args, expected, case=f"m={m}, n_inputs={n_inputs}, n={n}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_gru_step
# ## Task 3: one step of a GRU cell (3 points)
#
# Write `gru_step(x_t, h_prev, kernel, recurrent_kernel, bias)`, one step of the GRU
# as Keras computes it by default (`reset_after=True`), eq. 8.5-8.9:
#
# $$\mathbf A_x = \mathbf X(t)\,\mathbf W_x + \mathbf b_x = [\mathbf A_{x,z}\;\;
# \mathbf A_{x,r}\;\; \mathbf A_{x,h}], \qquad
# \mathbf A_h = \mathbf h(t-1)\,\mathbf W_h + \mathbf b_h = [\mathbf A_{h,z}\;\;
# \mathbf A_{h,r}\;\; \mathbf A_{h,h}]$$
#
# $$\mathbf z = \sigma(\mathbf A_{x,z} + \mathbf A_{h,z}), \quad
# \mathbf r = \sigma(\mathbf A_{x,r} + \mathbf A_{h,r}), \quad
# \tilde{\mathbf h} = \tanh(\mathbf A_{x,h} + \mathbf r \odot \mathbf A_{h,h})$$
#
# $$\mathbf h(t) = \mathbf z \odot \mathbf h(t-1) + (1 - \mathbf z) \odot \tilde{\mathbf h}$$
#
# | argument | meaning | shape |
# |---|---|---|
# | `x_t` | the inputs $\mathbf X(t)$ | `(m, n_inputs)` |
# | `h_prev` | the state $\mathbf h(t-1)$ | `(m, n)` |
# | `kernel` | $\mathbf W_x$, blocks z, r, h side by side | `(n_inputs, 3n)` |
# | `recurrent_kernel` | $\mathbf W_h$, the same blocks | `(n, 3n)` |
# | `bias` | row 0 the input bias $\mathbf b_x$, row 1 the recurrent bias $\mathbf b_h$ | `(2, 3n)` |
#
# Two details make this Keras's GRU rather than the paper's: the reset gate multiplies
# the recurrent part $\mathbf h(t-1)\,\mathbf W_{h,h} + \mathbf b_{h,h}$ *after* the
# product (the paper resets $\mathbf h(t-1)$ before it), and there are two biases.
# Here, as in the paper, $\mathbf z = 1$ keeps the old state.
#
# It returns the new state `h`, shape `(m, n)`. Use numpy only.

# %% answer gru_step
def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
    """One GRU step (eq. 8.5-8.9), reset_after=True, blocks z, r, h; returns h (m, n)."""
    ### BEGIN SOLUTION
    n = h_prev.shape[1]
    a_x = x_t @ kernel + bias[0]
    a_h = h_prev @ recurrent_kernel + bias[1]
    z = 1 / (1 + np.exp(-(a_x[:, :n] + a_h[:, :n])))
    r = 1 / (1 + np.exp(-(a_x[:, n:2 * n] + a_h[:, n:2 * n])))
    h_candidate = np.tanh(a_x[:, 2 * n:] + r * a_h[:, 2 * n:])
    return z * h_prev + (1 - z) * h_candidate
    ### END SOLUTION

# %% tests test_gru_step points=3
import itertools

import numpy as np
from rnnlib import grading


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def gru_reference(x_t, h_prev, kernel, recurrent_kernel, bias, order="zrh", reset_after=True,
                  z_keeps=True, recurrent_bias=True, reset=True, reset_bias=True):
    """eq. 8.5-8.9, gate by gate; the keywords make the usual mistakes."""
    n = h_prev.shape[1]
    b_x, b_h = bias[0], bias[1] if recurrent_bias else np.zeros_like(bias[1])
    block = {gate: slice(k * n, (k + 1) * n) for k, gate in enumerate(order)}
    a_x = x_t @ kernel + b_x
    a_h = h_prev @ recurrent_kernel + b_h
    z = sigmoid(a_x[:, block["z"]] + a_h[:, block["z"]])
    r = sigmoid(a_x[:, block["r"]] + a_h[:, block["r"]]) if reset else 1.0
    if not reset_after:  # the paper's form: reset h(t-1) before the product
        recurrent = (r * h_prev) @ recurrent_kernel[:, block["h"]] + b_h[block["h"]]
    elif reset_bias:
        recurrent = r * a_h[:, block["h"]]
    else:  # the reset gate leaves the recurrent bias out
        recurrent = r * (h_prev @ recurrent_kernel[:, block["h"]]) + b_h[block["h"]]
    candidate = np.tanh(a_x[:, block["h"]] + recurrent)
    return z * h_prev + (1 - z) * candidate if z_keeps else (1 - z) * h_prev + z * candidate


def gru_mistakes(args):
    orders = ["".join(p) for p in itertools.permutations("zrh") if "".join(p) != "zrh"]
    return [
        ("the reset gate acts after the recurrent product, as Keras's reset_after=True: "
         "h~ = tanh(A_x,h + r * (h(t-1) W_h,h + b_h,h)), not tanh(A_x,h + (r * h(t-1)) W_h,h "
         "+ b_h,h) (the paper's form)", gru_reference(**args, reset_after=False)),
        ("z = 1 keeps the old state: h(t) = z * h(t-1) + (1 - z) * h~, not "
         "(1 - z) * h(t-1) + z * h~", gru_reference(**args, z_keeps=False)),
        ("the blocks are read in the wrong order: Keras stores z, r, h (columns 0:n update "
         "gate z, n:2n reset gate r, 2n:3n candidate)",
         lambda got: any(np.allclose(got, gru_reference(**args, order=order)) for order in orders)),
        ("the recurrent bias b_h (row 1 of bias) seems to be missing: A_h = h(t-1) W_h + b_h",
         gru_reference(**args, recurrent_bias=False)),
        ("the reset gate multiplies the recurrent bias too: r * (h(t-1) W_h,h + b_h,h)",
         gru_reference(**args, reset_bias=False)),
        ("the reset gate seems to be missing: h~ = tanh(A_x,h + r * A_h,h)",
         gru_reference(**args, reset=False)),
    ]


def check_gru(out, args, expected, case=""):
    grading.check_array(out, expected, "gru_step's output", case=case,
                        shape_hint="h(t) has one row per instance and one column per unit, (m, n)",
                        mistakes=gru_mistakes(args))


# A case to check by hand: one instance, one input, one unit; blocks z, r, h.
#   A_x = 1 * [0.5, 1, 2] + [0, 0, -1]     = [0.5, 1, 1]
#   A_h = 0.5 * [1, 0, 2] + [-0.5, 0, 1]   = [0, 0, 2]
#   z = sigma(0.5),  r = sigma(1),  h~ = tanh(1 + r * 2)
#   h = z * 0.5 + (1 - z) * h~
args = dict(x_t=np.array([[1.0]]), h_prev=np.array([[0.5]]), kernel=np.array([[0.5, 1.0, 2.0]]),
            recurrent_kernel=np.array([[1.0, 0.0, 2.0]]),
            bias=np.array([[0.0, 0.0, -1.0], [-0.5, 0.0, 1.0]]))
z, candidate = sigmoid(0.5), np.tanh(1.0 + sigmoid(1.0) * 2.0)
out = grading.call(gru_step, args)
check_gru(out, args, np.array([[z * 0.5 + (1 - z) * candidate]]))

# Two instances, three inputs, two units.
rng = np.random.default_rng(9)
args = dict(x_t=rng.normal(size=(2, 3)), h_prev=rng.uniform(-1, 1, (2, 2)),
            kernel=rng.normal(scale=0.6, size=(3, 6)),
            recurrent_kernel=rng.normal(scale=0.8, size=(2, 6)), bias=rng.normal(size=(2, 6)))
out = grading.call(gru_step, args)
check_gru(out, args, gru_reference(**args))
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

import rnnlib

rng, seed = grading.fresh_rng()
sizes = [(1, 1, 1), (4, 3, 2), tuple(int(s) for s in rng.integers(2, 7, size=3))]
for m, n_inputs, n in sizes:
    args = dict(
        x_t=rng.normal(size=(m, n_inputs)),
        h_prev=rng.uniform(-1, 1, size=(m, n)),
        kernel=rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, 3 * n)),
        recurrent_kernel=rng.normal(scale=1 / math.sqrt(n), size=(n, 3 * n)),
        bias=grading.signed_uniform(rng, 0.2, 1.0, (2, 3 * n)),
    )
    out = grading.call(gru_step, args)
    expected = rnnlib.gru.gru_step(**args)  # the course's reference, after the call
    check_gru(out, args, expected, case=f"m={m}, n_inputs={n_inputs}, n={n}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_clip_by_norm
# ## Task 4: gradient clipping by global norm (2 points)
#
# An exploding gradient (chapter 5) makes one update so large that training jumps far
# away. Clipping rescales the gradients of *all* the parameters together when their
# global norm is too large, which keeps the direction of the step (eq. 8.15-8.16),
# with $M$ the largest norm allowed:
#
# $$N = \sqrt{\textstyle\sum_{\text{parameters}} \sum (\text{entries})^2}, \qquad
# \mathbf g \leftarrow \mathbf g\,\frac{M}{N}
# \quad\text{for every parameter, if } N > M$$
#
# Write `clip_by_norm(grads, max_norm)`: `grads` is a dict of gradient arrays of any
# shapes, such as `{"kernel": ..., "recurrent_kernel": ..., "bias": ...}`, and `max_norm`
# the positive number $M$. Return the pair `(clipped, norm)`:
#
# * `clipped`, a new dict with the same keys, each array rescaled (or unchanged when
#   $N \le M$), with the shape it had;
# * `norm`, the global norm $N$ **before** clipping, a number (worth logging: a training
#   run whose gradients are clipped at every step needs a smaller learning rate).
#
# Gradients that are all zero have $N = 0$ and come back unchanged. Do not change the
# arrays of `grads` in place. Use numpy only.

# %% answer clip_by_norm
def clip_by_norm(grads, max_norm):
    """(clipped, norm): grads (a dict of arrays) scaled to a global norm of at most max_norm."""
    ### BEGIN SOLUTION
    norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in grads.items()}, norm
    ### END SOLUTION

# %% tests test_clip_by_norm points=2
import numpy as np
from rnnlib import grading


def clip_reference(grads, max_norm, per_array=False, always=False, values=False):
    """eq. 8.15-8.16; the keywords make the usual mistakes. Returns (clipped, norm)."""
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    clipped = {}
    for name, g in grads.items():
        if values:
            clipped[name] = np.clip(g, -max_norm, max_norm)
            continue
        own = float(np.sqrt(np.sum(g ** 2))) if per_array else norm
        clipped[name] = g * max_norm / own if (always or own > max_norm) and own > 0 else g
    return clipped, norm


def check_clipping(out, grads, max_norm, expected, case=""):
    """Check clip_by_norm's output against ``expected``, the pair (clipped, norm)."""
    clipped, norm = grading.unpack(out, ("clipped", "norm"), "clip_by_norm")
    expected, expected_norm = expected
    where = f"\n  (case: {case})" if case else ""
    grading.check_array(grading.check_number(norm, "clip_by_norm's norm", case), expected_norm,
                        "clip_by_norm's norm", case=case, mistakes=[
        ("it is the norm after clipping: return the global norm N before clipping",
         lambda got: expected_norm > max_norm and np.isclose(got, max_norm)),
        ("it is the sum of squares: the norm is its square root", expected_norm ** 2),
        ("it is the norm of one array: N adds up the squares of every parameter's gradient",
         lambda got: any(np.isclose(got, np.sqrt(np.sum(g ** 2))) for g in grads.values())),
    ])
    if not isinstance(clipped, dict) or sorted(clipped) != sorted(grads):
        keys = sorted(clipped) if isinstance(clipped, dict) else type(clipped).__name__
        raise grading.CheckFailed(f"clip_by_norm's clipped should be a dict with the keys of "
                                  f"grads, {sorted(grads)}, got {keys}{where}")
    for name in grads:
        grading.check_array(clipped[name], expected[name], f"clip_by_norm's clipped[{name!r}]",
                            case=case, mistakes=[
            ("each array is clipped on its own: the norm is global, over every array "
             "together (eq. 8.15), so that the whole step keeps its direction",
             clip_reference(grads, max_norm, per_array=True)[0][name]),
            ("the values are clipped one by one (np.clip): rescale the whole gradient by "
             "max_norm / N instead", clip_reference(grads, max_norm, values=True)[0][name]),
            ("the gradients are rescaled even though their norm is below max_norm: they stay "
             "unchanged when N <= max_norm", clip_reference(grads, max_norm, always=True)[0][name]),
        ])


# A case to check by hand: the squares add up to 2*2 + 2*2 + 1*1 + 4*4 = 25, N = 5.
grads = {"kernel": np.array([[2.0, 2.0], [1.0, 0.0]]), "bias": np.array([4.0, 0.0])}
# max_norm = 2.5 < N: every array is multiplied by 2.5 / 5 = 0.5.
out = grading.call(clip_by_norm, dict(grads=grads, max_norm=2.5))
check_clipping(out, grads, 2.5, ({"kernel": np.array([[1.0, 1.0], [0.5, 0.0]]),
                                  "bias": np.array([2.0, 0.0])}, 5.0))
# max_norm = 10 > N: nothing changes.
out = grading.call(clip_by_norm, dict(grads=grads, max_norm=10.0))
check_clipping(out, grads, 10.0, (grads, 5.0))
# All zero: N = 0, nothing to clip.
zeros = {"kernel": np.zeros((2, 3)), "recurrent_kernel": np.zeros((3, 3)), "bias": np.zeros(3)}
out = grading.call(clip_by_norm, dict(grads=zeros, max_norm=1.0))
check_clipping(out, zeros, 1.0, (zeros, 0.0), case="gradients that are all zero")
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
import rnnlib

rng, seed = grading.fresh_rng()
n_inputs, n = (int(s) for s in rng.integers(1, 6, size=2))
grads = {"kernel": rng.normal(size=(n_inputs, 4 * n)), "recurrent_kernel": rng.normal(size=(n, 4 * n)),
         "bias": rng.normal(size=4 * n)}
total = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
for max_norm in (total * rng.uniform(0.05, 0.5), total * rng.uniform(1.5, 3.0)):
    out = grading.call(clip_by_norm, dict(grads=grads, max_norm=float(max_norm)))
    expected = rnnlib.clipping.clip_by_norm(grads, float(max_norm))  # the course's, after the call
    check_clipping(out, grads, float(max_norm), expected,
                   case=f"n_inputs={n_inputs}, n={n}, max_norm={max_norm:.4g}, N={total:.4g}, "
                        f"seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_receptive_field
# ## Task 5: how far back WaveNet sees (2 points)
#
# A causal 1D convolution with kernel size $k$ and dilation $d$ computes its output at
# step $t$ from the inputs at steps $t, t - d, t - 2d, \dots, t - (k-1)d$. Stacked, each
# layer $l$ lets an output see $(k - 1)\,d_l$ more steps into the past. The *receptive
# field* $R$ of the stack is the number of input steps one output depends on (its own
# step included).
#
# Write `receptive_field(kernel_size, dilations)`: `kernel_size` is the kernel size $k$
# of every layer (an int), `dilations` the list of the layers' dilations, first layer
# first (WaveNet uses `[1, 2, 4, 8]`, repeated for more blocks). Return $R$, an int.
# Work it out from the sentence above (chapter 8 draws it), with a small stack on
# paper first. Use no function of `rnnlib`.

# %% answer receptive_field
def receptive_field(kernel_size, dilations):
    """The number of input steps one output of a stack of causal convolutions sees."""
    ### BEGIN SOLUTION
    return 1 + sum((kernel_size - 1) * d for d in dilations)
    ### END SOLUTION

# %% tests test_receptive_field points=2
import numpy as np
from rnnlib import grading


def check_field(got, kernel_size, dilations, expected, case=""):
    steps = sum((kernel_size - 1) * d for d in dilations)
    R = grading.check_number(got, "receptive_field's output", case)
    grading.check_array(R, expected, "receptive_field's output", case=case, atol=0, rtol=0,
                        mistakes=[
        ("an output also depends on its own step: R = 1 + the steps the layers add "
         "(an off-by-one)", steps),
        ("it counts its own step twice, or one step too many", steps + 2),
        ("each layer adds (k - 1) * d steps, not k * d: the kernel's k taps span k - 1 gaps",
         lambda got: np.isclose(got, 1 + sum(kernel_size * d for d in dilations))
         or np.isclose(got, sum(kernel_size * d for d in dilations))),
        ("the dilations are ignored: a dilation d spaces the kernel's taps d steps apart, "
         "so a layer adds (k - 1) * d steps", 1 + len(dilations) * (kernel_size - 1)),
        ("the receptive field doubles with each layer only when k = 2 and the dilations "
         "double from 1: add up what each layer adds", lambda got: len(set(dilations)) > 1 and (
             np.isclose(got, 2 ** len(dilations)) or np.isclose(got, kernel_size ** len(dilations))
             or np.isclose(got, kernel_size * max(dilations)))),
    ])


# Cases to check by hand, with the formula you found:
#   k = 2, dilations 1, 2, 4, 8 (one WaveNet block): 1 + 1 + 2 + 4 + 8 = 16 steps
#   k = 3, dilations 1, 2, 4:                        1 + 2 + 4 + 8 = 15 steps
#   k = 5, one layer, dilation 1:                    5 steps (the kernel itself)
#   k = 2, two blocks 1, 2, 4, 8, 1, 2, 4, 8:        1 + 15 + 15 = 31 steps
for kernel_size, dilations, expected in [(2, [1, 2, 4, 8], 16), (3, [1, 2, 4], 15), (5, [1], 5),
                                         (2, [1, 2, 4, 8] * 2, 31)]:
    got = grading.call(receptive_field, dict(kernel_size=kernel_size, dilations=dilations))
    check_field(got, kernel_size, dilations, expected,
                case=f"kernel_size={kernel_size}, dilations={dilations}")
print("Task 5: the visible tests pass.")

### BEGIN HIDDEN TESTS
import rnnlib

rng, seed = grading.fresh_rng()
for _ in range(3):
    kernel_size = int(rng.integers(2, 6))
    n_blocks, depth = int(rng.integers(1, 4)), int(rng.integers(2, 7))
    dilations = [int(2 ** j) for j in range(depth)] * n_blocks
    if rng.random() < 0.5:  # not only doubling dilations
        dilations = [int(d) for d in rng.integers(1, 10, size=len(dilations))]
    got = grading.call(receptive_field, dict(kernel_size=kernel_size, dilations=list(dilations)))
    expected = rnnlib.convolution.receptive_field(kernel_size, dilations)  # after the call
    check_field(got, kernel_size, dilations, expected,
                case=f"kernel_size={kernel_size}, dilations={dilations}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_gated_forecaster
# ## Task 6: a gated forecaster that beats the seasonal naive forecast (3 points)
#
# Back to the ridership series. Chapter 6 found the baseline to beat, the seasonal
# naive forecast $\hat y(t) = y(t - 7)$ (next Tuesday will look like this Tuesday), and
# chapter 7 trained recurrent networks on windows of 56 days. Write
# `fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs)`. Its inputs are
# the multivariate windows of chapter 7 (assignment A7, Task 3) as numpy arrays:
#
# * `X_train`, `X_valid`, shape `(n, window_length, n_features)`: for the ridership,
#   windows of 56 days with 5 numbers per day, bus and rail that day in **millions** of
#   riders, then the one-hot type of the **next** day in the order A, U, W;
# * `y_train`, `y_valid`, shape `(n,)`: rail on the day right after each window, in
#   millions.
#
# Build a Keras model that contains a **gated** recurrent layer, `keras.layers.LSTM`
# or `keras.layers.GRU` (a `SimpleRNN` is not gated), made of built-in Keras layers
# only; train it with `model.fit` on the **training** windows for at most `epochs`
# epochs in all, and return the pair `(model, valid_mae)`:
#
# * `model`, the trained model: `model(X_valid)` gives one forecast per window;
# * `valid_mae`, the mean absolute error of that model on the **validation** windows
#   you were given, in **riders** (not millions).
#
# As in A7, the validation windows may guide early stopping (`validation_data=` with an
# `EarlyStopping` callback), never the weights.
#
# What is graded: the tests rebuild your model from its configuration and weights and
# look for an LSTM or GRU layer in it; they recompute the validation MAE from the
# weights and compare it with `valid_mae`; they check from the training history that
# the model was trained for at most `epochs` epochs; they call your function on
# made-up series (other window lengths and numbers of features, 5 epochs) and check
# that the validation targets did not shape the weights; and, on the ridership windows
# of the course's training and validation periods (`rnnlib.datasets.PERIODS`), trained
# for at most **10 epochs**, your model must **beat the seasonal naive forecast** on the
# validation windows: its validation MAE must be lower. Training is random, so a
# sound model can miss once: the tests train it up to three times, with the fixed
# seeds 0, 1 and 2 (the same runs each time the notebook is graded), and one run that
# beats the seasonal naive forecast is enough. The test cell prints the errors and
# the margin.
#
# Ten epochs are few. Pick an optimizer that learns quickly (`keras.optimizers.Adam`
# with a learning rate of a few thousandths does for a layer of a few tens of units),
# small batches (more steps per epoch), and early stopping that keeps the best epoch's
# weights (`restore_best_weights=True`): from one epoch to the next, a small network's
# validation error can move by thousands of riders. Build the model for the windows it
# receives (`X_train.shape[1:]`), not for 56 days and 5 features only.

# %% answer gated_forecaster
def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
    """Train a model with an LSTM or GRU layer for at most `epochs` epochs; return
    (model, validation MAE in riders)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=X_train.shape[1:]),
        keras.layers.GRU(32),
        keras.layers.Dense(1),
    ])
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  metrics=["mae"])
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                   restore_best_weights=True)
    model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
              batch_size=16, callbacks=[early_stopping], verbose=0)
    forecasts = model.predict(X_valid, verbose=0)[:, 0]
    return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
    ### END SOLUTION

# %% tests test_gated_forecaster points=3
import keras
import numpy as np
import rnnlib
from rnnlib import grading


def recurrent_cells(model):
    """[(layer class name, cell)] for every recurrent layer of a rebuilt model, looking
    inside nested models, Bidirectional, TimeDistributed and stacked cells."""
    found = []

    def walk(layer):
        if isinstance(layer, keras.Model):
            for inner in layer.layers:
                walk(inner)
        elif isinstance(layer, keras.layers.Bidirectional):
            walk(layer.forward_layer)
            walk(layer.backward_layer)
        elif isinstance(layer, keras.layers.TimeDistributed):
            walk(layer.layer)
        elif isinstance(layer, keras.layers.RNN):
            cells = (layer.cell.cells if isinstance(layer.cell, keras.layers.StackedRNNCells)
                     else [layer.cell])
            found.extend((type(layer).__name__, cell) for cell in cells)

    walk(model)
    return found


def check_gated(model, name):
    """A gated layer (an LSTM or a GRU cell) somewhere in the rebuilt model."""
    cells = recurrent_cells(model)
    if not any(isinstance(cell, (keras.layers.LSTMCell, keras.layers.GRUCell))
               for _, cell in cells):
        kinds = ", ".join(sorted({kind if kind != "RNN" else f"RNN({type(cell).__name__})"
                                  for kind, cell in cells})) or "none"
        raise grading.CheckFailed(
            f"{name} has no gated recurrent layer (its recurrent layers: {kinds}): a "
            "SimpleRNN is not gated; use keras.layers.LSTM or keras.layers.GRU")


def ridership_windows(df, period, L):
    """Chapter 7's multivariate windows of one period, cut by a loop: inputs (n, L, 5),
    bus and rail in millions then the one-hot type (A, U, W) of the next day; targets (n,),
    rail in millions on the day after each window."""
    days = df[period[0]:period[1]]
    next_type = df["day_type"].shift(-1)[period[0]:period[1]]
    features = np.column_stack([days["bus"] / 1e6, days["rail"] / 1e6]
                               + [(next_type == kind).to_numpy(dtype=float) for kind in "AUW"])
    X = np.array([features[i:i + L] for i in range(len(days) - L)])
    return X, days["rail"].to_numpy(dtype=float)[L:] / 1e6


ridership = rnnlib.datasets.load_ridership()
PERIODS = rnnlib.datasets.PERIODS  # the course's training and validation periods
X_train, y_train = ridership_windows(ridership, PERIODS["train"], 56)
X_valid, y_valid = ridership_windows(ridership, PERIODS["valid"], 56)
seasonal_mae = 1e6 * np.mean(np.abs(y_valid - X_valid[:, -7, 1]))  # y_hat(t) = y(t - 7): rail
epochs = 10


def training_run(seed):
    """One seeded training run: the checked model's validation MAE, in riders."""
    out = grading.call(fit_gated_forecaster, dict(X_train=X_train, y_train=y_train,
                                                  X_valid=X_valid, y_valid=y_valid,
                                                  epochs=epochs), seed=seed)
    return grading.check_trained_forecaster(out, "fit_gated_forecaster", X_train, y_train, X_valid,
                                            y_valid, epochs, check_model=check_gated)[0]


maes = grading.train_to_beat(training_run, seasonal_mae)  # up to 3 runs: training is random
valid_mae, margin = maes[-1], seasonal_mae - maes[-1]
print(f"validation MAE: your model {grading.runs_text(maes)}, the seasonal naive forecast "
      f"{seasonal_mae:,.0f}: your model is {abs(margin):,.0f} riders "
      f"({abs(margin) / seasonal_mae:.0%}) {'below' if margin > 0 else 'above'} it")
if not valid_mae < seasonal_mae:
    raise grading.CheckFailed(
        f"fit_gated_forecaster's model does not beat the seasonal naive forecast in any "
        f"training run: its validation MAE is {grading.runs_text(maes)}, after at most "
        f"{epochs} epochs each, the seasonal naive forecast's {seasonal_mae:,.0f}. Try a "
        "faster optimizer or learning rate, or early stopping that restores the best epoch's "
        "weights (see the text)")
print("Task 6: the visible tests pass.")

### BEGIN HIDDEN TESTS
# A made-up series with a weekly pattern and extra features, of random length, 5
# epochs. As in A7, the grader gives the function validation targets that it alone
# shifted by SHIFT (5 million riders): the reported MAE must be that of the returned
# model on the targets it was given, and the model must not lean toward them (a model
# trained on the training windows only never saw them; early stopping may pick an
# epoch by them, which moves its forecasts by far less than SHIFT / 3).
rng, seed = grading.fresh_rng()
n_days, L = int(rng.integers(200, 300)), int(rng.integers(7, 22))
n_features = int(rng.integers(1, 6))
day = np.arange(n_days)
columns = [0.5 + 0.2 * np.sin(2 * np.pi * day / 7 + rng.uniform(0, 7))
           + rng.normal(0, 0.03, n_days)]
for _ in range(n_features - 1):
    columns.append(rng.uniform(0.2, 0.6) + 0.1 * np.sin(2 * np.pi * day / 7 + rng.uniform(0, 7))
                   + rng.normal(0, 0.03, n_days))
values = np.column_stack(columns)  # (n_days, n_features); the target is column 0
windows = np.array([values[i:i + L] for i in range(n_days - L)])
targets = values[L:, 0]
split = int(n_days * 0.3)  # windows whose target is before `split` train, the others validate
X_train, y_train = windows[:split - L], targets[:split - L]
X_valid, y_valid = windows[split:], targets[split:]
SHIFT = 5.0
case = (f"made-up series of {n_days} days, window_length={L}, n_features={n_features}, "
        f"epochs=5, seed={seed}")
out = grading.call(fit_gated_forecaster, dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                                              y_valid=y_valid + SHIFT, epochs=5), seed=0)
_, forecasts = grading.check_trained_forecaster(out, "fit_gated_forecaster", X_train, y_train,
                                                X_valid, y_valid + SHIFT, 5, case=case,
                                                check_model=check_gated)
grading.check_not_fitted_to_validation(forecasts, y_valid, SHIFT, "fit_gated_forecaster", case)
### END HIDDEN TESTS
