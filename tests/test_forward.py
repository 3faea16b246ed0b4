"""The forward pass (chapters 1-4) against plain-Python loop references."""
import math

import numpy as np
import pytest

import rnnlib
from rnnlib import activations, architectures, cells, layer, neuron


def loop_layer_step(X_t, Y_prev, W_x, W_y, b, phi=math.tanh):
    """eq. 2.1 written one instance and one neuron at a time: the reference."""
    m, n_inputs = X_t.shape
    n_neurons = W_x.shape[1]
    out = np.zeros((m, n_neurons))
    for i in range(m):
        for j in range(n_neurons):
            z = b[j]
            z += sum(X_t[i, k] * W_x[k, j] for k in range(n_inputs))
            z += sum(Y_prev[i, k] * W_y[k, j] for k in range(n_neurons))
            out[i, j] = phi(z)
    return out


def random_params(rng, n_inputs, n_neurons, dtype=np.float64):
    W_x = rng.normal(size=(n_inputs, n_neurons)).astype(dtype) * 0.5
    W_y = rng.normal(size=(n_neurons, n_neurons)).astype(dtype) * 0.3
    b = rng.normal(size=n_neurons).astype(dtype) * 0.1
    return W_x, W_y, b


# --- chapter 1: one neuron -------------------------------------------------

def test_neuron_step_is_equation_1_1(rng):
    x_t, w_x = rng.normal(size=3), rng.normal(size=3)
    y = neuron.neuron_step(x_t, 0.4, w_x, -0.7, 0.2)
    expected = math.tanh(sum(a * c for a, c in zip(x_t, w_x)) - 0.7 * 0.4 + 0.2)
    assert y.shape == ()
    assert y == pytest.approx(expected, abs=1e-14)


def test_unroll_neuron_starts_from_zero_and_feeds_back(rng):
    x, w_x = rng.normal(size=(6, 2)), rng.normal(size=2)
    y_hat = neuron.unroll_neuron(x, w_x, 0.9, -0.1, activation="relu")
    y_prev, expected = 0.0, []
    for t in range(6):
        y_prev = max(0.0, float(x[t] @ w_x) + 0.9 * y_prev - 0.1)
        expected.append(y_prev)
    np.testing.assert_allclose(y_hat, expected, atol=1e-14)
    # the first output sees no previous output at all
    assert y_hat[0] == pytest.approx(max(0.0, float(x[0] @ w_x) - 0.1))


def test_neuron_is_a_layer_with_one_neuron(rng):
    x, w_x = rng.normal(size=(5, 3)), rng.normal(size=3)
    y_hat = neuron.unroll_neuron(x, w_x, 0.5, 0.1)
    Y, _ = layer.unroll_layer(x[None], w_x[:, None], [[0.5]], [0.1])
    np.testing.assert_allclose(y_hat, Y[0, :, 0], atol=1e-14)


# --- chapter 2: a layer ----------------------------------------------------

@pytest.mark.parametrize("m,n_inputs,n_neurons", [(1, 1, 1), (4, 3, 5), (2, 6, 2)])
def test_layer_step_matches_loop(rng, m, n_inputs, n_neurons):
    W_x, W_y, b = random_params(rng, n_inputs, n_neurons)
    X_t, Y_prev = rng.normal(size=(m, n_inputs)), rng.normal(size=(m, n_neurons))
    Y = layer.layer_step(X_t, Y_prev, W_x, W_y, b)
    assert Y.shape == (m, n_neurons)
    np.testing.assert_allclose(Y, loop_layer_step(X_t, Y_prev, W_x, W_y, b), atol=1e-13)


def test_concatenated_form_gives_the_same_outputs(rng):
    W_x, W_y, b = random_params(rng, 3, 4)
    X_t, Y_prev = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    W = layer.concat_weights(W_x, W_y)
    assert W.shape == (3 + 4, 4)
    np.testing.assert_array_equal(W[:3], W_x)
    np.testing.assert_array_equal(W[3:], W_y)
    np.testing.assert_allclose(
        layer.layer_step_concat(X_t, Y_prev, W, b),
        layer.layer_step(X_t, Y_prev, W_x, W_y, b),
        atol=1e-14,
    )
    W_x2, W_y2 = layer.split_weights(W, n_inputs=3)
    np.testing.assert_array_equal(W_x2, W_x)
    np.testing.assert_array_equal(W_y2, W_y)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,T,n_inputs,n_neurons", [(1, 1, 1, 1), (3, 7, 2, 4)])
def test_unroll_layer_is_repeated_steps(rng, dtype, m, T, n_inputs, n_neurons):
    W_x, W_y, b = random_params(rng, n_inputs, n_neurons, dtype)
    X = rng.normal(size=(m, T, n_inputs)).astype(dtype)
    Y, h = layer.unroll_layer(X, W_x, W_y, b)
    assert Y.shape == (m, T, n_neurons) and h.shape == (m, n_neurons)
    assert Y.dtype == dtype and h.dtype == dtype
    Y_prev = np.zeros((m, n_neurons))
    for t in range(T):
        Y_prev = loop_layer_step(X[:, t].astype(float), Y_prev, W_x, W_y, b)
        np.testing.assert_allclose(Y[:, t], Y_prev, atol=1e-5 if dtype == np.float32 else 1e-13)
    np.testing.assert_array_equal(h, Y[:, -1])


def test_unroll_layer_uses_the_given_initial_state(rng):
    W_x, W_y, b = random_params(rng, 2, 3)
    X, h0 = rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 3))
    Y, _ = layer.unroll_layer(X, W_x, W_y, b, h0=h0)
    np.testing.assert_allclose(Y[:, 0], loop_layer_step(X[:, 0], h0, W_x, W_y, b), atol=1e-13)
    Y0, _ = layer.unroll_layer(X, W_x, W_y, b)
    assert not np.allclose(Y[:, 0], Y0[:, 0])


def test_init_layer_params_shapes_and_orthogonal_W_y():
    W_x, W_y, b = layer.init_layer_params(3, 5, seed=1, dtype=np.float32)
    assert (W_x.shape, W_y.shape, b.shape) == ((3, 5), (5, 5), (5,))
    assert W_x.dtype == np.float32
    np.testing.assert_allclose(W_y @ W_y.T, np.eye(5), atol=1e-5)
    assert np.array_equal(layer.init_layer_params(3, 5, seed=1)[0], layer.init_layer_params(3, 5, seed=1)[0])


# --- activations -----------------------------------------------------------

@pytest.mark.parametrize("name", ["tanh", "relu", "identity", "sigmoid"])
def test_activation_derivative_matches_finite_differences(name):
    act = activations.get_activation(name)
    z = np.array([-2.0, -0.3, 0.4, 1.7])
    eps = 1e-6
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative_from_output(act.forward(z)), numeric, atol=1e-8)


# --- chapter 3: cells ------------------------------------------------------

def test_basic_cell_outputs_its_state(rng):
    cell = cells.BasicCell(*random_params(rng, 2, 3))
    y, h = cell(rng.normal(size=(4, 2)), np.zeros((4, 3)))
    np.testing.assert_array_equal(y, h)


def test_projection_cell_output_differs_from_its_state(rng):
    W_x, W_y, b = random_params(rng, 2, 3)
    W_o, b_o = rng.normal(size=(3, 1)), np.array([0.5])
    proj, basic = cells.ProjectionCell(W_x, W_y, b, W_o, b_o), cells.BasicCell(W_x, W_y, b)
    X = rng.normal(size=(4, 6, 2))
    Y, h = cells.run_cell(proj, X)
    H, h_basic = cells.run_cell(basic, X)
    assert Y.shape == (4, 6, 1) and h.shape == (4, 3)
    np.testing.assert_allclose(h, h_basic, atol=1e-14)  # same state...
    np.testing.assert_allclose(Y, H @ W_o + b_o, atol=1e-13)  # ...projected output


def test_run_cell_matches_unroll_layer(rng):
    W_x, W_y, b = random_params(rng, 3, 4)
    X = rng.normal(size=(2, 5, 3))
    Y, h = cells.run_cell(cells.BasicCell(W_x, W_y, b), X)
    Y2, h2 = layer.unroll_layer(X, W_x, W_y, b)
    np.testing.assert_allclose(Y, Y2, atol=1e-14)
    np.testing.assert_allclose(h, h2, atol=1e-14)


# --- chapter 4: architectures ----------------------------------------------

def test_the_four_architectures(rng):
    enc = cells.BasicCell(*random_params(rng, 2, 4))
    dec = cells.ProjectionCell(*random_params(rng, 3, 4), rng.normal(size=(4, 2)), np.zeros(2))
    X = rng.normal(size=(3, 5, 2))
    seq = architectures.seq_to_seq(enc, X)
    assert seq.shape == (3, 5, 4)
    np.testing.assert_array_equal(architectures.seq_to_vec(enc, X), seq[:, -1])
    x = rng.normal(size=(3, 2))
    np.testing.assert_allclose(
        architectures.vec_to_seq(enc, x, 6),
        architectures.seq_to_seq(enc, np.repeat(x[:, None], 6, axis=1)),
        atol=1e-14,
    )
    D = rng.normal(size=(3, 7, 3))
    out = architectures.encoder_decoder(enc, dec, X, D)
    assert out.shape == (3, 7, 2)
    _, h_enc = cells.run_cell(enc, X)
    np.testing.assert_allclose(out, cells.run_cell(dec, D, h0=h_enc)[0], atol=1e-14)
    # the decoder really starts from the encoder's state, not from zeros
    assert not np.allclose(out, cells.run_cell(dec, D)[0])


# --- clear errors ----------------------------------------------------------

def test_transposed_W_x_is_named_with_both_shapes(rng):
    W_x, W_y, b = random_params(rng, 3, 5)
    with pytest.raises(ValueError) as err:
        layer.unroll_layer(rng.normal(size=(2, 4, 3)), W_x.T, W_y, b)
    msg = str(err.value)
    assert "W_y" in msg or "W_x" in msg
    with pytest.raises(ValueError, match=r"X must have shape \(m, T, n_inputs\) = \(2, 4, 3\), got \(2, 4, 5\)"):
        layer.unroll_layer(rng.normal(size=(2, 4, 5)), W_x, W_y, b)


@pytest.mark.parametrize(
    "bad,pattern",
    [
        (dict(W_y=np.zeros((4, 4))), r"W_y must have shape \(n_neurons, n_neurons\) = \(5, 5\), got \(4, 4\)"),
        (dict(b=np.zeros((1, 5))), r"b must be a 1-D array, got 2-D with shape \(1, 5\)"),
        (dict(b=np.zeros(4)), r"b must have shape \(n_neurons,\) = \(5,\), got \(4,\)"),
        (dict(X_t=np.zeros((2, 5))), r"X_t must have shape \(m, n_inputs\) = \(2, 3\), got \(2, 5\)"),
        (dict(Y_prev=np.zeros((5, 2))), r"Y_prev must have shape .* = \(2, 5\), got \(5, 2\): did you transpose Y_prev\?"),
    ],
)
def test_layer_step_errors_name_argument_and_shapes(rng, bad, pattern):
    args = dict(X_t=np.zeros((2, 3)), Y_prev=np.zeros((2, 5)), W_x=np.zeros((3, 5)), W_y=np.zeros((5, 5)), b=np.zeros(5))
    args.update(bad)
    with pytest.raises(ValueError, match=pattern):
        layer.layer_step(**args)


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'softmax'; choose one of: .*relu.*tanh"):
        layer.layer_step(np.zeros((1, 1)), np.zeros((1, 1)), [[1.0]], [[1.0]], [0.0], activation="softmax")
    with pytest.raises(TypeError, match="activation must be a name"):
        activations.get_activation(3)


def test_bad_dtypes_and_values():
    with pytest.raises(TypeError, match="W_x must have a float32 or float64 dtype, got complex128"):
        layer.unroll_layer(np.zeros((1, 1, 1)), np.zeros((1, 1), complex), [[0.0]], [0.0])
    with pytest.raises(TypeError, match="X must be a numeric array, got str"):
        layer.unroll_layer("abc", [[0.0]], [[0.0]], [0.0])
    with pytest.raises(ValueError, match="X contains NaN"):
        layer.unroll_layer(np.full((1, 2, 1), np.nan), [[0.0]], [[0.0]], [0.0])
    with pytest.raises(ValueError, match="at least one time step"):
        layer.unroll_layer(np.zeros((1, 0, 1)), [[0.0]], [[0.0]], [0.0])
    with pytest.raises(ValueError, match="w_y must be a scalar"):
        neuron.unroll_neuron(np.zeros((3, 1)), [1.0], [1.0, 2.0], 0.0)


def test_integer_inputs_are_accepted_as_float():
    Y, _ = layer.unroll_layer(np.ones((1, 2, 1), dtype=int), [[1]], [[0]], [0])
    assert Y.dtype == np.float64
    np.testing.assert_allclose(Y[0, :, 0], np.tanh([1.0, 1.0]))


def test_encoder_decoder_state_sizes_must_match(rng):
    enc, dec = cells.BasicCell(*random_params(rng, 2, 4)), cells.BasicCell(*random_params(rng, 2, 3))
    with pytest.raises(ValueError, match="state sizes must match: encoder 4, decoder 3"):
        architectures.encoder_decoder(enc, dec, np.zeros((1, 2, 2)), np.zeros((1, 2, 2)))


def test_public_api_is_exported():
    for name in ["unroll_layer", "layer_step", "concat_weights", "split_weights", "BasicCell",
                 "ProjectionCell", "seq_to_seq", "seq_to_vec", "vec_to_seq", "encoder_decoder",
                 "neuron_step", "unroll_neuron"]:
        assert callable(getattr(rnnlib, name))
