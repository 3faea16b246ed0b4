# Source of the nbgrader notebook
# solutions/a4_input_output_sequences/input_output_sequences.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test. It is the only assignment that imports
# TensorFlow (through Keras, in the setup cell): that costs about 5 s.

# %% readonly-markdown intro
# # Assignment 4: input and output sequences
#
# Chapter 4 wires the same memory cell in four ways:
#
# | wiring | input | output | example |
# |---|---|---|---|
# | sequence-to-sequence | `X` (m, T, n_inputs) | `Y` (m, T, n_outputs) | forecast the next value at every step |
# | sequence-to-vector | `X` (m, T, n_inputs) | `y` (m, n_outputs) | score a review |
# | vector-to-sequence | `x` (m, n_inputs) | `Y` (m, T, n_outputs) | caption an image |
# | encoder-decoder | `X` (m, T_in, n_in) and the decoder's inputs (m, T_out, n_dec) | `Y` (m, T_out, n_outputs) | translate a sentence |
#
# In Tasks 1 to 3 you write the four wirings in numpy, for any memory cell. In Tasks 4
# to 6 you pick the Keras configuration for three applications and build the models.
#
# **Cells.** In Tasks 1 to 3 a *cell* is any object with the interface of chapter 3:
#
# | | |
# |---|---|
# | `y_t, h_t = cell(x_t, h_prev)` | one step: `x_t` (m, n_inputs), `h_prev` and `h_t` (m, state_size), `y_t` (m, output_size) |
# | `cell.n_inputs`, `cell.state_size`, `cell.output_size` | its sizes |
# | `cell.zero_state(m)` | zeros of shape (m, state_size) |
#
# `rnnlib.BasicCell` and `rnnlib.ProjectionCell` are cells, but the graders also use cells
# of their own that only have this interface: use nothing else of the cell (no `cell.W_x`).
# Every sequence starts from the zero state unless a task says otherwise.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any size,
# including a single instance and a single time step. How your work is graded (the
# hidden tests, what fails a test, the locked test cells) is explained once, on the
# book's page *Doing the graded exercises*. In Tasks 4 to 6 the tests check your models
# by rebuilding them from their configuration and weights, so build them from Keras's
# built-in layers (no `Lambda` or custom layers).
#
# You may use `rnnlib.neuron`, `rnnlib.layer` and `rnnlib.cells` (chapters 1 to 3, for
# example `rnnlib.run_cell`) in Tasks 1 to 3, but not `rnnlib.architectures`, which holds
# this chapter's answers: a function that calls it scores 0. Tasks 4 to 6 use Keras only.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up log

import numpy as np
import keras

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_seq_outputs
# ## Task 1: sequence-to-sequence and sequence-to-vector (3 points)
#
# Write two functions of a cell and a batch of sequences `X` of shape `(m, T, n_inputs)`:
#
# * `seq_to_seq(cell, X)` returns the cell's output at every step, shape
#   `(m, T, output_size)`;
# * `seq_to_vec(cell, X)` returns only its output at the last step, shape
#   `(m, output_size)`.
#
# Both start from the zero state.

# %% answer seq_outputs
def seq_to_seq(cell, X):
    """Every output of the cell over X (m, T, n_inputs): (m, T, output_size)."""
    ### BEGIN SOLUTION
    return rnnlib.run_cell(cell, X)[0]
    ### END SOLUTION


def seq_to_vec(cell, X):
    """The cell's output at the last step of X (m, T, n_inputs): (m, output_size)."""
    ### BEGIN SOLUTION
    return rnnlib.run_cell(cell, X)[0][:, -1]
    ### END SOLUTION

# %% tests test_seq_outputs points=3
import numpy as np
import rnnlib
from rnnlib import grading

ALLOWED = ["rnnlib.neuron", "rnnlib.layer", "rnnlib.cells"]
# A cell to check by hand: with the identity activation, W_x = W_y = [[1]] and b = 0,
# the state adds up the inputs, h(t) = h(t-1) + x(t), and the output is
# y(t) = [h(t), 2 h(t) + 1]: state size 1, output size 2.
counter = rnnlib.ProjectionCell([[1.0]], [[1.0]], [0.0], [[1.0, 2.0]], [0.0, 1.0],
                                activation="identity")
X = np.array([[[1.0], [2.0], [3.0]],     # running sums 1, 3, 6
              [[0.0], [1.0], [0.0]]])    # running sums 0, 1, 1
Y_expected = np.array([[[1.0, 3.0], [3.0, 7.0], [6.0, 13.0]],
                       [[0.0, 1.0], [1.0, 3.0], [1.0, 3.0]]])
Y = grading.call(seq_to_seq, dict(cell=counter, X=X), allow=ALLOWED)
grading.check_array(
    Y, Y_expected, "seq_to_seq's output",
    shape_hint="one output per step: (m, T, output_size) = (2, 3, 2), with Y[:, t] the "
               "output at step t (stack the steps along axis 1)",
    mistakes=[
        ("these are the states h(t); return the outputs y(t), the first value the cell returns",
         [[[1.0], [3.0], [6.0]], [[0.0], [1.0], [1.0]]]),
        ("the outputs are shifted by one step: Y[:, 0] is the output after reading X[:, 0]",
         lambda got: got.shape == (2, 3, 2) and np.allclose(got[:, 1:], Y_expected[:, :-1])),
    ])
y = grading.call(seq_to_vec, dict(cell=counter, X=X), allow=ALLOWED)
grading.check_array(
    y, Y_expected[:, -1], "seq_to_vec's output",
    shape_hint="one output per sequence: (m, output_size) = (2, 2), the output at the last step",
    mistakes=[
        ("it is the final state h(T-1); the cell's output at the last step is y(T-1)",
         [[6.0], [1.0]]),
        ("it is the output at the first step; seq_to_vec keeps the last one, Y[:, -1]",
         Y_expected[:, 0]),
        ("it holds every step of the last sequence: the last step is Y[:, -1], not Y[-1]",
         Y_expected[-1]),
        ("it is the mean over the steps; seq_to_vec keeps only the last output",
         Y_expected.mean(axis=1)),
        ("keep the output of the last step only, without its time axis: shape (m, output_size)",
         Y_expected[:, -1:]),
    ])
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
class _Cell:
    """A memory cell unlike rnnlib's, with nothing but the cell interface:
    h(t) = 0.7 h(t-1) + sin(x(t) A) and y(t) = tanh(h(t)) B + c."""

    def __init__(self, rng, n_inputs, state_size, output_size):
        self.n_inputs, self.state_size, self.output_size = n_inputs, state_size, output_size
        self._A = rng.normal(size=(n_inputs, state_size))
        self._B = rng.normal(size=(state_size, output_size))
        self._c = grading.signed_uniform(rng, 0.3, 1.0, output_size)

    def zero_state(self, m, dtype=np.float64):
        return np.zeros((m, self.state_size), dtype=dtype)

    def __call__(self, x_t, h_prev):
        h_t = 0.7 * np.asarray(h_prev) + np.sin(np.asarray(x_t) @ self._A)
        return np.tanh(h_t) @ self._B + self._c, h_t


def _reference_outputs(cell, X):
    """Step the cell through X from zeros; the outputs, (m, T, output_size)."""
    h, outputs = np.zeros((X.shape[0], cell.state_size)), []
    for t in range(X.shape[1]):
        y, h = cell(X[:, t], h)
        outputs.append(y)
    return np.stack(outputs, axis=1)


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:5])
for m, T, n_inputs, state_size, output_size in [(1, 1, 1, 1, 1), (1, 4, 2, 3, 3),
                                                (3, 1, 2, 2, 4), distinct]:
    case = (f"m={m}, T={T}, n_inputs={n_inputs}, state_size={state_size}, "
            f"output_size={output_size}, seed={seed}")
    X = rng.normal(size=(m, T, n_inputs))
    cells = [_Cell(rng, n_inputs, state_size, output_size),
             rnnlib.ProjectionCell(rng.normal(size=(n_inputs, state_size)),
                                   rng.normal(scale=0.6, size=(state_size, state_size)),
                                   grading.signed_uniform(rng, 0.3, 1.0, state_size),
                                   rng.normal(size=(state_size, output_size)),
                                   rng.normal(size=output_size))]
    for cell in cells:
        expected = _reference_outputs(cell, X)
        Y = grading.call(seq_to_seq, dict(cell=cell, X=X), allow=ALLOWED)
        grading.check_array(Y, expected, "seq_to_seq's output", case=case,
                            shape_hint="(m, T, output_size)")
        y = grading.call(seq_to_vec, dict(cell=cell, X=X), allow=ALLOWED)
        grading.check_array(y, expected[:, -1], "seq_to_vec's output", case=case,
                            shape_hint="(m, output_size)")
### END HIDDEN TESTS

# %% readonly-markdown task_vec_to_seq
# ## Task 2: vector-to-sequence (2 points)
#
# Write `vec_to_seq(cell, x, n_steps)`: the cell reads the same input vector at every
# one of `n_steps` steps, starting from the zero state. `x` has shape `(m, n_inputs)`, one
# vector per instance; return the outputs of every step, shape
# `(m, n_steps, output_size)`.

# %% answer vec_to_seq
def vec_to_seq(cell, x, n_steps):
    """The cell fed x (m, n_inputs) at each of n_steps steps: (m, n_steps, output_size)."""
    ### BEGIN SOLUTION
    X = np.repeat(x[:, None, :], n_steps, axis=1)  # (m, n_steps, n_inputs)
    return rnnlib.run_cell(cell, X)[0]
    ### END SOLUTION

# %% tests test_vec_to_seq points=2
import numpy as np
import rnnlib
from rnnlib import grading

# The counting cell of Task 1 again: h(t) = h(t-1) + x(t), y(t) = [h(t), 2 h(t) + 1].
counter = rnnlib.ProjectionCell([[1.0]], [[1.0]], [0.0], [[1.0, 2.0]], [0.0, 1.0],
                                activation="identity")
x = np.array([[1.0],      # read 3 times: running sums 1, 2, 3
              [2.0]])     # running sums 2, 4, 6
Y = grading.call(vec_to_seq, dict(cell=counter, x=x, n_steps=3),
                 allow=["rnnlib.neuron", "rnnlib.layer", "rnnlib.cells"])
grading.check_array(
    Y, [[[1.0, 3.0], [2.0, 5.0], [3.0, 7.0]],
        [[2.0, 5.0], [4.0, 9.0], [6.0, 13.0]]], "vec_to_seq's output",
    shape_hint="(m, n_steps, output_size) = (2, 3, 2): one output per step for each instance",
    mistakes=[
        ("x must be the input at every step; it seems to enter only once (as the first "
         "input, or as the initial state, with zeros after)",
         [[[1.0, 3.0], [1.0, 3.0], [1.0, 3.0]], [[2.0, 5.0], [2.0, 5.0], [2.0, 5.0]]]),
        ("the sequences mix the instances: instance i must read x[i] at every step; "
         "repeat along a new axis 1, e.g. np.repeat(x[:, None, :], n_steps, axis=1)",
         [[[1.0, 3.0], [3.0, 7.0], [4.0, 9.0]], [[2.0, 5.0], [3.0, 7.0], [5.0, 11.0]]]),
        ("these are the states h(t); return the outputs y(t)",
         [[[1.0], [2.0], [3.0]], [[2.0], [4.0], [6.0]]]),
    ])
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
class _Cell:
    """A memory cell unlike rnnlib's, with nothing but the cell interface:
    h(t) = 0.7 h(t-1) + sin(x(t) A) and y(t) = tanh(h(t)) B + c."""

    def __init__(self, rng, n_inputs, state_size, output_size):
        self.n_inputs, self.state_size, self.output_size = n_inputs, state_size, output_size
        self._A = rng.normal(size=(n_inputs, state_size))
        self._B = rng.normal(size=(state_size, output_size))
        self._c = grading.signed_uniform(rng, 0.3, 1.0, output_size)

    def zero_state(self, m, dtype=np.float64):
        return np.zeros((m, self.state_size), dtype=dtype)

    def __call__(self, x_t, h_prev):
        h_t = 0.7 * np.asarray(h_prev) + np.sin(np.asarray(x_t) @ self._A)
        return np.tanh(h_t) @ self._B + self._c, h_t


rng, seed = grading.fresh_rng()
distinct = tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:5])
for m, n_steps, n_inputs, state_size, output_size in [(1, 1, 1, 1, 1), (3, 1, 2, 3, 2),
                                                      (1, 5, 3, 2, 2), distinct]:
    case = (f"m={m}, n_steps={n_steps}, n_inputs={n_inputs}, state_size={state_size}, "
            f"output_size={output_size}, seed={seed}")
    x = rng.normal(size=(m, n_inputs))
    for cell in (_Cell(rng, n_inputs, state_size, output_size),
                 rnnlib.BasicCell(rng.normal(size=(n_inputs, state_size)),
                                  rng.normal(scale=0.6, size=(state_size, state_size)),
                                  grading.signed_uniform(rng, 0.3, 1.0, state_size))):
        Y = grading.call(vec_to_seq, dict(cell=cell, x=x, n_steps=n_steps),
                         allow=["rnnlib.neuron", "rnnlib.layer", "rnnlib.cells"])
        h, expected = np.zeros((m, cell.state_size)), []
        for _ in range(n_steps):  # the same x at every step
            y, h = cell(x, h)
            expected.append(y)
        grading.check_array(Y, np.stack(expected, axis=1), "vec_to_seq's output", case=case,
                            shape_hint="(m, n_steps, output_size)")
### END HIDDEN TESTS

# %% readonly-markdown task_encoder_decoder
# ## Task 3: encoder-decoder (3 points)
#
# Write `encoder_decoder(encoder, decoder, X, decoder_inputs)`, where `encoder` and
# `decoder` are two cells with the same `state_size`:
#
# * the encoder reads the whole source batch `X`, shape `(m, T_in, n_in)`, from the zero
#   state;
# * the decoder then reads `decoder_inputs`, shape `(m, T_out, n_dec)` (in translation,
#   the previous word of the target sentence at each step), starting from the
#   encoder's final **state**;
# * return the decoder's outputs at every step, shape `(m, T_out, decoder.output_size)`.
#
# Only the decoder's outputs are returned: what the encoder outputs along the way is
# not used.

# %% answer encoder_decoder
def encoder_decoder(encoder, decoder, X, decoder_inputs):
    """Encode X, then decode decoder_inputs from the encoder's final state."""
    ### BEGIN SOLUTION
    _, h = rnnlib.run_cell(encoder, X)
    return rnnlib.run_cell(decoder, decoder_inputs, h0=h)[0]
    ### END SOLUTION

# %% tests test_encoder_decoder points=3
import numpy as np
import rnnlib
from rnnlib import grading

# Cells to check by hand, with the identity activation:
# - the encoder adds up its inputs, h(t) = h(t-1) + x(t), and outputs 2 h(t) + 1
#   (its output differs from its state);
# - the decoder halves its state and adds its input, h(t) = 0.5 h(t-1) + d(t), and
#   outputs [h(t), -h(t)].
encoder = rnnlib.ProjectionCell([[1.0]], [[1.0]], [0.0], [[2.0]], [1.0], activation="identity")
decoder = rnnlib.ProjectionCell([[1.0]], [[0.5]], [0.0], [[1.0, -1.0]], [0.0, 0.0],
                                activation="identity")
X = np.array([[[1.0], [2.0], [3.0]],       # final encoder state 6 (last output 13)
              [[0.0], [1.0], [0.0]]])      # final encoder state 1 (last output 3)
D = np.array([[[1.0], [0.0]],              # decoder: 0.5 * 6 + 1 = 4, then 0.5 * 4 + 0 = 2
              [[0.0], [1.0]]])             # decoder: 0.5 * 1 + 0 = 0.5, then 0.25 + 1 = 1.25
Y = grading.call(encoder_decoder, dict(encoder=encoder, decoder=decoder, X=X, decoder_inputs=D),
                 allow=["rnnlib.neuron", "rnnlib.layer", "rnnlib.cells"])
grading.check_array(
    Y, [[[4.0, -4.0], [2.0, -2.0]], [[0.5, -0.5], [1.25, -1.25]]], "encoder_decoder's output",
    shape_hint="the decoder's outputs, one per step of decoder_inputs: (m, T_out, "
               "decoder.output_size) = (2, 2, 2)",
    mistakes=[
        ("the decoder must start from the encoder's final state; it seems to start from zeros",
         [[[1.0, -1.0], [0.5, -0.5]], [[0.0, 0.0], [1.0, -1.0]]]),
        ("the decoder starts from the encoder's final *state* h(T_in-1), not from its last "
         "output", [[[7.5, -7.5], [3.75, -3.75]], [[1.5, -1.5], [1.75, -1.75]]]),
        ("the decoder starts from the encoder's state after its *last* step, not its first",
         [[[1.5, -1.5], [0.75, -0.75]], [[0.0, 0.0], [1.0, -1.0]]]),
    ])
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
class _Cell:
    """A memory cell unlike rnnlib's, with nothing but the cell interface:
    h(t) = 0.7 h(t-1) + sin(x(t) A) and y(t) = tanh(h(t)) B + c."""

    def __init__(self, rng, n_inputs, state_size, output_size):
        self.n_inputs, self.state_size, self.output_size = n_inputs, state_size, output_size
        self._A = rng.normal(size=(n_inputs, state_size))
        self._B = rng.normal(size=(state_size, output_size))
        self._c = grading.signed_uniform(rng, 0.3, 1.0, output_size)

    def zero_state(self, m, dtype=np.float64):
        return np.zeros((m, self.state_size), dtype=dtype)

    def __call__(self, x_t, h_prev):
        h_t = 0.7 * np.asarray(h_prev) + np.sin(np.asarray(x_t) @ self._A)
        return np.tanh(h_t) @ self._B + self._c, h_t


def _run(cell, X, h):
    """Step the cell through X from the state h: (outputs (m, T, output_size), final state)."""
    outputs = []
    for t in range(X.shape[1]):
        y, h = cell(X[:, t], h)
        outputs.append(y)
    return np.stack(outputs, axis=1), h


rng, seed = grading.fresh_rng()
sizes = [  # m, T_in, T_out, n_in, n_dec, state_size, output_size
    (1, 1, 1, 1, 1, 1, 1), (2, 1, 4, 2, 3, 3, 3), (1, 5, 1, 3, 1, 2, 4),
    (int(rng.integers(2, 5)), int(rng.integers(2, 7)), int(rng.integers(2, 7)),
     int(rng.integers(1, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 6)),
     int(rng.integers(1, 6))),
]
for m, T_in, T_out, n_in, n_dec, state_size, output_size in sizes:
    case = (f"m={m}, T_in={T_in}, T_out={T_out}, n_in={n_in}, n_dec={n_dec}, "
            f"state_size={state_size}, output_size={output_size}, seed={seed}")
    X, D = rng.normal(size=(m, T_in, n_in)), rng.normal(size=(m, T_out, n_dec))
    pairs = [(_Cell(rng, n_in, state_size, state_size), _Cell(rng, n_dec, state_size, output_size)),
             (rnnlib.BasicCell(rng.normal(size=(n_in, state_size)),
                               rng.normal(scale=0.6, size=(state_size, state_size)),
                               grading.signed_uniform(rng, 0.3, 1.0, state_size)),
              _Cell(rng, n_dec, state_size, output_size))]
    for encoder, decoder in pairs:
        Y = grading.call(encoder_decoder, dict(encoder=encoder, decoder=decoder, X=X,
                                               decoder_inputs=D),
                         allow=["rnnlib.neuron", "rnnlib.layer", "rnnlib.cells"])
        _, h_enc = _run(encoder, X, np.zeros((m, state_size)))
        expected, _ = _run(decoder, D, h_enc)
        grading.check_array(Y, expected, "encoder_decoder's output", case=case,
                            shape_hint="(m, T_out, decoder.output_size)")
### END HIDDEN TESTS

# %% readonly-markdown task_forecast_and_score
# ## Task 4: every step, or only the last? (3 points)
#
# Tasks 4 to 6 build Keras models. Each function returns a model (`keras.Sequential`, or
# `keras.Model` from the functional API) whose recurrent layers are `keras.layers.SimpleRNN`
# layers of `n_neurons` units, with the default settings of `activation` and
# `use_bias`, and whose output comes from a `keras.layers.Dense` layer; use no other
# layer with weights. The number of steps of an input sequence is not fixed: build the
# models for sequences of any length (`keras.Input(shape=(None, ...))`).
#
# The tests build your model, copy known weights into its layers and check that it
# computes what the matching wiring of Tasks 1 to 3 computes with a
# `rnnlib.ProjectionCell` holding the same weights.
#
# Write two functions:
#
# * `forecaster(n_inputs, n_neurons)`: it reads a batch of series, shape
#   `(m, T, n_inputs)` (`n_inputs` values per day), and at **every** day forecasts the
#   next day's value, one number: the output has shape `(m, T, 1)`.
# * `review_scorer(n_inputs, n_neurons)`: it reads a batch of reviews, shape
#   `(m, T, n_inputs)` (one vector per word, already embedded), and gives each review one
#   score, the probability that it is positive: the output has shape `(m, 1)`, between 0
#   and 1.

# %% answer forecast_and_score
def forecaster(n_inputs, n_neurons):
    """Keras model: (m, T, n_inputs) -> (m, T, 1), a forecast at every step."""
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None, n_inputs)),
        keras.layers.SimpleRNN(n_neurons, return_sequences=True),
        keras.layers.Dense(1),
    ])
    ### END SOLUTION


def review_scorer(n_inputs, n_neurons):
    """Keras model: (m, T, n_inputs) -> (m, 1), the probability that a review is positive."""
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(None, n_inputs)),
        keras.layers.SimpleRNN(n_neurons),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    ### END SOLUTION

# %% tests test_forecast_and_score points=3
import numpy as np
import rnnlib
from rnnlib import grading

# Known weights for a model with 2 inputs and 3 neurons, and the same wiring in rnnlib.
W_x = np.array([[0.5, -0.3, 0.2], [0.1, 0.4, -0.6]])
W_y = np.array([[0.2, 0.1, 0.0], [-0.3, 0.4, 0.2], [0.1, 0.0, 0.5]])
b = np.array([0.1, -0.2, 0.3])
W_o, b_o = np.array([[1.0], [-2.0], [0.5]]), np.array([0.5])
cell = rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)
X = np.array([np.sin(np.arange(12) + phase).reshape(6, 2) for phase in range(4)])  # (4, 6, 2)
weights = {"SimpleRNN(3)": [W_x, W_y, b], "Dense(1)": [W_o, b_o]}

name = "forecaster's model"
model = grading.check_keras_model(grading.call(forecaster, dict(n_inputs=2, n_neurons=3)), name)
grading.keras_predict(model, X, name)  # a first call builds the model
grading.check_simple_rnn_layers(model, 1, name)
grading.load_keras_weights(model, weights, name)
expected = rnnlib.seq_to_seq(cell, X)                 # (4, 6, 1)
grading.check_array(
    grading.keras_predict(model, X, name), expected, f"{name}'s output", atol=1e-5, rtol=1e-4,
    shape_hint="a forecast at every step: (m, T, 1)",
    mistakes=[
        ("a forecast at every step: the SimpleRNN must return its output at every step "
         "(return_sequences=True); by default it returns the last one only",
         lambda got: got.shape == (4, 1)),
        ("a forecast can be any number: the Dense layer needs no activation",
         lambda got: any(np.allclose(got, squash(expected), atol=1e-4) for squash in (
             lambda z: 1 / (1 + np.exp(-z)), np.tanh, lambda z: np.maximum(z, 0)))),
    ])

name = "review_scorer's model"
model = grading.check_keras_model(grading.call(review_scorer, dict(n_inputs=2, n_neurons=3)), name)
grading.keras_predict(model, X, name)
grading.check_simple_rnn_layers(model, 1, name)
grading.load_keras_weights(model, weights, name)
logit = rnnlib.seq_to_vec(cell, X)                    # (4, 1)
grading.check_array(
    grading.keras_predict(model, X, name), 1 / (1 + np.exp(-logit)), f"{name}'s output",
    atol=1e-5, rtol=1e-4, shape_hint="one score per review: (m, 1)",
    mistakes=[
        ("one score per review: keep return_sequences=False, SimpleRNN's default, so that "
         "it returns only its output at the last step", lambda got: got.shape == (4, 6, 1)),
        ("a score is a probability: the Dense layer needs activation='sigmoid'", logit),
    ])
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math


def _projection_weights(rng, n_inputs, n_neurons, n_outputs):
    return (rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
            rng.normal(scale=0.8 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
            grading.signed_uniform(rng, 0.1, 0.5, n_neurons),
            rng.normal(size=(n_neurons, n_outputs)),
            grading.signed_uniform(rng, 0.1, 0.5, n_outputs))


rng, seed = grading.fresh_rng()
for n_inputs, n_neurons in [(1, 1), tuple(int(n) for n in rng.permutation(np.arange(2, 9))[:2])]:
    W_x, W_y, b, W_o, b_o = _projection_weights(rng, n_inputs, n_neurons, 1)
    cell = rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)
    weights = {f"SimpleRNN({n_neurons})": [W_x, W_y, b], "Dense(1)": [W_o, b_o]}
    for function in (forecaster, review_scorer):
        name = f"{function.__name__}'s model"
        model = grading.check_keras_model(
            grading.call(function, dict(n_inputs=n_inputs, n_neurons=n_neurons)), name)
        grading.keras_predict(model, rng.normal(size=(2, 3, n_inputs)), name)
        grading.check_simple_rnn_layers(model, 1, name)
        grading.load_keras_weights(model, weights, name)
        for m, T in [(1, 1), (int(rng.integers(2, 6)), int(rng.integers(4, 12)))]:
            X = rng.normal(size=(m, T, n_inputs))
            case = f"n_inputs={n_inputs}, n_neurons={n_neurons}, m={m}, T={T}, seed={seed}"
            if function is forecaster:
                expected = rnnlib.seq_to_seq(cell, X)
            else:
                expected = 1 / (1 + np.exp(-rnnlib.seq_to_vec(cell, X)))
            grading.check_array(grading.keras_predict(model, X, name, case), expected,
                                f"{name}'s output", case=case, atol=1e-5, rtol=1e-4)
### END HIDDEN TESTS

# %% readonly-markdown task_captioner
# ## Task 5: captioning (2 points)
#
# Write `captioner(n_features, n_neurons, vocab_size, n_words)`. It reads a batch of
# images, each already turned into one vector of features, shape `(m, n_features)`, and
# writes a caption of `n_words` words: at each step, the probability of each of the
# `vocab_size` words of the vocabulary. The output has shape `(m, n_words, vocab_size)`,
# and at each step the probabilities add up to 1.
#
# The recurrent layer reads the image's vector at every step, as `vec_to_seq` of Task 2
# does. The rules of Task 4 apply (a SimpleRNN of `n_neurons` units, a Dense output layer,
# no other layer with weights).

# %% answer captioner
def captioner(n_features, n_neurons, vocab_size, n_words):
    """Keras model: (m, n_features) -> (m, n_words, vocab_size) word probabilities."""
    ### BEGIN SOLUTION
    return keras.Sequential([
        keras.Input(shape=(n_features,)),
        keras.layers.RepeatVector(n_words),
        keras.layers.SimpleRNN(n_neurons, return_sequences=True),
        keras.layers.Dense(vocab_size, activation="softmax"),
    ])
    ### END SOLUTION

# %% tests test_captioner points=2
import numpy as np
import rnnlib
from rnnlib import grading

# 3 features, 4 neurons, a vocabulary of 5 words, captions of 6 words.
W_x = np.array([[0.5, -0.3, 0.2, 0.0], [0.1, 0.4, -0.6, 0.3], [-0.2, 0.0, 0.1, 0.5]])
W_y = 0.3 * np.array([[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, -1.0, 0.0],
                      [1.0, 0.0, 1.0, 0.0], [0.0, -1.0, 0.0, 1.0]])
b = np.array([0.1, -0.2, 0.3, 0.0])
W_o = np.array([[1.0, -1.0, 0.5, 0.0, 2.0], [0.0, 1.0, -2.0, 1.0, 0.0],
                [0.5, 0.5, 0.5, -1.0, 1.0], [-1.0, 0.0, 1.0, 0.0, 0.5]])
b_o = np.array([0.1, 0.0, -0.1, 0.2, 0.0])
x = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]])     # 2 images
scores = rnnlib.vec_to_seq(rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o), x, 6)  # (2, 6, 5)
probabilities = np.exp(scores) / np.exp(scores).sum(axis=-1, keepdims=True)     # softmax

name = "captioner's model"
model = grading.check_keras_model(
    grading.call(captioner, dict(n_features=3, n_neurons=4, vocab_size=5, n_words=6)), name)
grading.keras_predict(model, x, name)
grading.check_simple_rnn_layers(model, 1, name)
grading.load_keras_weights(model, {"SimpleRNN(4)": [W_x, W_y, b], "Dense(5)": [W_o, b_o]}, name)
grading.check_array(
    grading.keras_predict(model, x, name), probabilities, f"{name}'s output",
    atol=1e-5, rtol=1e-4, shape_hint="(m, n_words, vocab_size) = (2, 6, 5)",
    mistakes=[
        ("a caption has n_words steps: turn each image's vector into a sequence of n_words "
         "copies (keras.layers.RepeatVector(n_words)) before the SimpleRNN",
         lambda got: got.ndim == 3 and got.shape[1] != 6),
        ("one word per step: the SimpleRNN must return its output at every step "
         "(return_sequences=True)", lambda got: got.shape == (2, 5)),
        ("the outputs are probabilities over the vocabulary: the Dense layer needs "
         "activation='softmax'", scores),
    ])
print("Task 5: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

rng, seed = grading.fresh_rng()
sizes = [(1, 1, 2, 1), tuple(int(n) for n in rng.permutation(np.arange(2, 10))[:4])]
for n_features, n_neurons, vocab_size, n_words in sizes:
    W_x = rng.normal(scale=1 / math.sqrt(n_features), size=(n_features, n_neurons))
    W_y = rng.normal(scale=0.8 / math.sqrt(n_neurons), size=(n_neurons, n_neurons))
    b = grading.signed_uniform(rng, 0.1, 0.5, n_neurons)
    W_o, b_o = rng.normal(size=(n_neurons, vocab_size)), rng.normal(size=vocab_size)
    name = "captioner's model"
    model = grading.check_keras_model(grading.call(captioner, dict(
        n_features=n_features, n_neurons=n_neurons, vocab_size=vocab_size, n_words=n_words)), name)
    grading.keras_predict(model, rng.normal(size=(2, n_features)), name)
    grading.check_simple_rnn_layers(model, 1, name)
    grading.load_keras_weights(model, {f"SimpleRNN({n_neurons})": [W_x, W_y, b],
                                       f"Dense({vocab_size})": [W_o, b_o]}, name)
    cell = rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)
    for m in (1, int(rng.integers(2, 6))):
        x = rng.normal(size=(m, n_features))
        # the cell reads x at every step, by hand (not with rnnlib.vec_to_seq)
        h, steps = np.zeros((m, n_neurons)), []
        for _ in range(n_words):
            y, h = cell(x, h)
            steps.append(np.exp(y - y.max(axis=1, keepdims=True)))
        expected = np.stack([s / s.sum(axis=1, keepdims=True) for s in steps], axis=1)
        case = (f"n_features={n_features}, n_neurons={n_neurons}, vocab_size={vocab_size}, "
                f"n_words={n_words}, m={m}, seed={seed}")
        grading.check_array(grading.keras_predict(model, x, name, case), expected,
                            f"{name}'s output", case=case, atol=1e-5, rtol=1e-4)
### END HIDDEN TESTS

# %% readonly-markdown task_translator
# ## Task 6: translation (3 points)
#
# Write `translator(n_source, n_target, n_neurons, vocab_size)`: an encoder-decoder with
# two inputs, called as `model([source, previous_words])`:
#
# * `source`, shape `(m, T_in, n_source)`: the sentence to translate, one vector per word;
# * `previous_words`, shape `(m, T_out, n_target)`: at each step of the translation, the
#   previous word of the target sentence, as a vector.
#
# A SimpleRNN encoder of `n_neurons` units reads the source; a SimpleRNN decoder of
# `n_neurons` units reads `previous_words`, starting from the encoder's final state, as in
# Task 3; a Dense layer turns each of the decoder's outputs into the probabilities of the
# `vocab_size` words of the target vocabulary. The output has shape
# `(m, T_out, vocab_size)`. The rules of Task 4 apply; a model with two inputs needs the
# functional API, `keras.Model([source_input, words_input], outputs)`.

# %% answer translator
def translator(n_source, n_target, n_neurons, vocab_size):
    """Keras model: [(m, T_in, n_source), (m, T_out, n_target)] -> (m, T_out, vocab_size)."""
    ### BEGIN SOLUTION
    source = keras.Input(shape=(None, n_source))
    previous_words = keras.Input(shape=(None, n_target))
    _, state = keras.layers.SimpleRNN(n_neurons, return_state=True)(source)
    decoded = keras.layers.SimpleRNN(n_neurons, return_sequences=True)(
        previous_words, initial_state=state)
    probabilities = keras.layers.Dense(vocab_size, activation="softmax")(decoded)
    return keras.Model([source, previous_words], probabilities)
    ### END SOLUTION

# %% tests test_translator points=3
import numpy as np
import rnnlib
from rnnlib import grading

# 3 numbers per source word, 2 per target word, 4 neurons, a target vocabulary of 5 words.
rng = np.random.default_rng(6)  # fixed weights and inputs for this check
encoder_weights = [rng.normal(0, 0.6, (3, 4)), rng.normal(0, 0.4, (4, 4)), rng.normal(0, 0.3, 4)]
decoder_weights = [rng.normal(0, 0.6, (2, 4)), rng.normal(0, 0.4, (4, 4)), rng.normal(0, 0.3, 4)]
W_o, b_o = rng.normal(0, 1, (4, 5)), rng.normal(0, 0.3, 5)
source = rng.normal(size=(2, 6, 3))           # 2 sentences of 6 words
previous_words = rng.normal(size=(2, 4, 2))   # translations of 4 words


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


encoder = rnnlib.BasicCell(*encoder_weights)
decoder = rnnlib.ProjectionCell(*decoder_weights, W_o, b_o)
scores = rnnlib.encoder_decoder(encoder, decoder, source, previous_words)   # (2, 4, 5)
expected = softmax(scores)
from_zeros = softmax(rnnlib.seq_to_seq(decoder, previous_words))  # a decoder that forgets the source

name = "translator's model"
model = grading.check_keras_model(grading.call(
    translator, dict(n_source=3, n_target=2, n_neurons=4, vocab_size=5)), name)
grading.keras_predict(model, [source, previous_words], name)
grading.check_simple_rnn_layers(model, 2, name)
grading.load_keras_weights(model, {"encoder SimpleRNN(4)": encoder_weights,
                                   "decoder SimpleRNN(4)": decoder_weights,
                                   "Dense(5)": [W_o, b_o]}, name)
grading.check_array(
    grading.keras_predict(model, [source, previous_words], name), expected, f"{name}'s output",
    atol=1e-5, rtol=1e-4, shape_hint="(m, T_out, vocab_size) = (2, 4, 5): one word per step "
                                     "of previous_words",
    mistakes=[
        ("the decoder must start from the encoder's final state: get it with "
         "return_state=True and pass it to the decoder with initial_state=", from_zeros),
        ("one word per step: the decoder must return its output at every step "
         "(return_sequences=True)", lambda got: got.shape == (2, 5)),
        ("the outputs are probabilities over the vocabulary: the Dense layer needs "
         "activation='softmax'", scores),
    ])
print("Task 6: the visible tests pass.")

### BEGIN HIDDEN TESTS
import math

rng, seed = grading.fresh_rng()
distinct = [int(n) for n in rng.permutation(np.arange(2, 10))[:4]]
for n_source, n_target, n_neurons, vocab_size in [(1, 2, 1, 2), tuple(distinct)]:
    def layer(n_inputs):
        return [rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_neurons)),
                rng.normal(scale=0.8 / math.sqrt(n_neurons), size=(n_neurons, n_neurons)),
                grading.signed_uniform(rng, 0.1, 0.5, n_neurons)]
    encoder_weights, decoder_weights = layer(n_source), layer(n_target)
    W_o, b_o = rng.normal(size=(n_neurons, vocab_size)), rng.normal(size=vocab_size)
    name = "translator's model"
    model = grading.check_keras_model(grading.call(translator, dict(
        n_source=n_source, n_target=n_target, n_neurons=n_neurons, vocab_size=vocab_size)), name)
    grading.keras_predict(model, [rng.normal(size=(2, 3, n_source)),
                                  rng.normal(size=(2, 2, n_target))], name)
    grading.check_simple_rnn_layers(model, 2, name)
    grading.load_keras_weights(model, {"encoder SimpleRNN": encoder_weights,
                                       "decoder SimpleRNN": decoder_weights,
                                       f"Dense({vocab_size})": [W_o, b_o]}, name)
    for m, T_in, T_out in [(1, 1, 1), (int(rng.integers(2, 5)), int(rng.integers(2, 8)),
                                       int(rng.integers(2, 8)))]:
        source = rng.normal(size=(m, T_in, n_source))
        previous_words = rng.normal(size=(m, T_out, n_target))
        # the encoder-decoder by hand, with the layers' own equations (eq. 2.1)
        h = np.zeros((m, n_neurons))
        for t in range(T_in):
            h = np.tanh(source[:, t] @ encoder_weights[0] + h @ encoder_weights[1]
                        + encoder_weights[2])
        steps = []
        for t in range(T_out):
            h = np.tanh(previous_words[:, t] @ decoder_weights[0] + h @ decoder_weights[1]
                        + decoder_weights[2])
            z = h @ W_o + b_o
            e = np.exp(z - z.max(axis=1, keepdims=True))
            steps.append(e / e.sum(axis=1, keepdims=True))
        case = (f"n_source={n_source}, n_target={n_target}, n_neurons={n_neurons}, "
                f"vocab_size={vocab_size}, m={m}, T_in={T_in}, T_out={T_out}, seed={seed}")
        grading.check_array(grading.keras_predict(model, [source, previous_words], name, case),
                            np.stack(steps, axis=1), f"{name}'s output", case=case,
                            atol=1e-5, rtol=1e-4)
### END HIDDEN TESTS
