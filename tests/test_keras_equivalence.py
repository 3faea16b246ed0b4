"""Given the same weights, rnnlib and Keras compute the same thing (float32, 1e-5).

One test per architecture of chapter 4, each against a Keras model wired the
way the chapter wires it.
"""
import numpy as np
import pytest

from rnnlib import architectures, cells, layer

pytestmark = pytest.mark.keras
TOL = 1e-5


@pytest.fixture(scope="module")
def kc():
    from rnnlib import keras_compat

    return keras_compat


@pytest.fixture(scope="module")
def keras(kc):
    return kc.keras


def params(rng, n_inputs, n_neurons):
    W_x, W_y, b = layer.init_layer_params(n_inputs, n_neurons, seed=int(rng.integers(1e9)), dtype=np.float32)
    return W_x, W_y, rng.normal(0, 0.3, n_neurons).astype(np.float32)  # a non-zero bias


def max_err(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


@pytest.mark.parametrize("activation", ["tanh", "relu", "identity"])
@pytest.mark.parametrize("return_sequences", [True, False])
def test_layer_equals_simple_rnn(kc, rng, activation, return_sequences):
    W_x, W_y, b = params(rng, 3, 8)
    W_y *= 0.5  # keep relu/identity from growing over 20 steps
    X = rng.normal(size=(4, 20, 3)).astype(np.float32)
    keras_out = kc.simple_rnn(W_x, W_y, b, activation, return_sequences=return_sequences)(X)
    Y, h = layer.unroll_layer(X, W_x, W_y, b, activation=activation)
    ours = Y if return_sequences else h
    assert ours.dtype == np.float32
    assert max_err(ours, keras_out) < TOL


def test_seq_to_seq(kc, keras, rng):
    cell = cells.ProjectionCell(*params(rng, 2, 6), rng.normal(size=(6, 1)).astype(np.float32), np.float32([0.1]))
    model = keras.Sequential([keras.Input((None, 2)), *kc.cell_layers(cell, return_sequences=True)])
    X = rng.normal(size=(5, 9, 2)).astype(np.float32)
    assert max_err(architectures.seq_to_seq(cell, X), model(X)) < TOL


def test_seq_to_vec(kc, keras, rng):
    cell = cells.ProjectionCell(*params(rng, 2, 6), rng.normal(size=(6, 3)).astype(np.float32), np.zeros(3, np.float32))
    model = keras.Sequential([keras.Input((None, 2)), *kc.cell_layers(cell)])
    X = rng.normal(size=(5, 9, 2)).astype(np.float32)
    out = architectures.seq_to_vec(cell, X)
    assert out.shape == (5, 3)
    assert max_err(out, model(X)) < TOL


def test_vec_to_seq(kc, keras, rng):
    cell = cells.BasicCell(*params(rng, 4, 5))
    model = keras.Sequential([keras.Input((4,)), keras.layers.RepeatVector(7), *kc.cell_layers(cell, return_sequences=True)])
    x = rng.normal(size=(3, 4)).astype(np.float32)
    out = architectures.vec_to_seq(cell, x, 7)
    assert out.shape == (3, 7, 5)
    assert max_err(out, model(x)) < TOL


def test_encoder_decoder(kc, keras, rng):
    encoder = cells.BasicCell(*params(rng, 3, 6))
    decoder = cells.ProjectionCell(*params(rng, 2, 6), rng.normal(size=(6, 4)).astype(np.float32), np.zeros(4, np.float32))
    enc_in, dec_in = keras.Input((None, 3)), keras.Input((None, 2))
    _, state = kc.simple_rnn(encoder.W_x, encoder.W_y, encoder.b, return_state=True)(enc_in)
    dec_rnn, dec_dense = kc.cell_layers(decoder, return_sequences=True)
    model = keras.Model([enc_in, dec_in], dec_dense(dec_rnn(dec_in, initial_state=state)))
    X = rng.normal(size=(2, 8, 3)).astype(np.float32)
    D = rng.normal(size=(2, 5, 2)).astype(np.float32)
    out = architectures.encoder_decoder(encoder, decoder, X, D)
    assert out.shape == (2, 5, 4)
    assert max_err(out, model([X, D])) < TOL


def test_weights_round_trip(kc, rng):
    W_x, W_y, b = params(rng, 2, 3)
    for ours, theirs in zip((W_x, W_y, b), kc.weights_from_keras(kc.simple_rnn(W_x, W_y, b))):
        np.testing.assert_array_equal(ours, theirs)
