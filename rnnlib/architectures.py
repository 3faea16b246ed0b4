"""Chapter 4: input and output sequences.

Four ways to wire a memory cell (any cell of :mod:`rnnlib.cells`), with the
shapes in and out (m instances, T steps):

=====================  ============================  ==========================
architecture           input                         output
=====================  ============================  ==========================
sequence-to-sequence   X (m, T, n_inputs)            Y (m, T, n_outputs)
sequence-to-vector     X (m, T, n_inputs)            y (m, n_outputs), last step
vector-to-sequence     x (m, n_inputs), fed T times  Y (m, T, n_outputs)
encoder-decoder        X (m, T_in, n_in), and the    Y (m, T_out, n_outputs)
                       decoder's inputs
                       (m, T_out, n_dec_inputs)
=====================  ============================  ==========================

Uses: forecasting a series step by step (seq-to-seq), scoring a review
(seq-to-vec), captioning an image (vec-to-seq) and translating a sentence
(encoder-decoder: the encoder reads the whole sentence before the decoder
writes a word, and its final state is the decoder's initial state).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_shape
from .cells import run_cell


def seq_to_seq(cell, X, h0=None):
    """Every output: (m, T, n_inputs) -> (m, T, output_size)."""
    return run_cell(cell, X, h0)[0]


def seq_to_vec(cell, X, h0=None):
    """Only the last output: (m, T, n_inputs) -> (m, output_size)."""
    return run_cell(cell, X, h0)[0][:, -1]


def vec_to_seq(cell, x, n_steps, h0=None):
    """The same input vector at every step: (m, n_inputs) -> (m, n_steps, output_size)."""
    x = as_float_array("x", x, ndim=2)
    check_shape("x", x, (x.shape[0], cell.n_inputs), "(m, n_inputs)")
    if int(n_steps) < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    X = np.repeat(x[:, None, :], int(n_steps), axis=1)
    return run_cell(cell, X, h0)[0]


def encoder_decoder(encoder, decoder, X, decoder_inputs):
    """Encode ``X`` (m, T_in, n_in); decode from the encoder's final state.

    ``decoder_inputs`` (m, T_out, decoder.n_inputs) is what the decoder reads
    at each step (in translation, the previous target word). The encoder's
    state size must equal the decoder's. Returns (m, T_out, decoder.output_size).
    """
    if encoder.state_size != decoder.state_size:
        raise ValueError(
            "the encoder's final state starts the decoder, so their state sizes "
            f"must match: encoder {encoder.state_size}, decoder {decoder.state_size}"
        )
    X = as_float_array("X", X, ndim=3)
    decoder_inputs = as_float_array("decoder_inputs", decoder_inputs, ndim=3)
    if decoder_inputs.shape[0] != X.shape[0]:
        raise ValueError(
            f"X and decoder_inputs must hold the same number of instances m: "
            f"{X.shape[0]} and {decoder_inputs.shape[0]}"
        )
    _, h = run_cell(encoder, X)
    return run_cell(decoder, decoder_inputs, h0=h)[0]
