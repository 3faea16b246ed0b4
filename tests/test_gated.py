"""Chapter 8's rnnlib: LSTM and GRU against Keras and against numeric gradients,
gradient clipping, and the 1D convolutions of WaveNet."""
import numpy as np
import pytest

from rnnlib import clipping, convolution, gru, lstm, training
from rnnlib.datasets import generate_time_series
from rnnlib.gradcheck import numeric_gradient, relative_error

pytestmark = pytest.mark.gated
KERAS_TOL = 1e-5  # float32
GRAD_TOL = 1e-7  # float64, eq. 5.11


@pytest.fixture(scope="module")
def kc():
    from rnnlib import keras_compat

    return keras_compat


def max_err(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64))))


def lstm_weights(rng, n_inputs, n, dtype=np.float64):
    kernel, recurrent_kernel, bias = lstm.init_lstm_weights(n_inputs, n, seed=int(rng.integers(1e9)), dtype=dtype)
    return kernel, recurrent_kernel, (bias + rng.normal(0, 0.3, bias.shape)).astype(dtype)


def gru_weights(rng, n_inputs, n, dtype=np.float64):
    kernel, recurrent_kernel, bias = gru.init_gru_weights(n_inputs, n, seed=int(rng.integers(1e9)), dtype=dtype)
    return kernel, recurrent_kernel, (bias + rng.normal(0, 0.3, bias.shape)).astype(dtype)


# --- forward passes: equal to Keras --------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("return_sequences", [True, False])
def test_lstm_equals_keras(kc, rng, return_sequences):
    weights = lstm_weights(rng, 3, 6, np.float32)
    X = rng.normal(size=(4, 30, 3)).astype(np.float32)
    h0, c0 = (rng.normal(0, 0.5, (4, 6)).astype(np.float32) for _ in range(2))
    layer = kc.lstm(*weights, return_sequences=return_sequences, return_state=True)
    out, h_keras, c_keras = layer(X, initial_state=[h0, c0])
    H, h_T, c_T, _ = lstm.lstm_forward(X, *weights, h0=h0, c0=c0)
    assert H.dtype == h_T.dtype == c_T.dtype == np.float32
    assert max_err(H if return_sequences else h_T, out) < KERAS_TOL
    assert max_err(h_T, h_keras) < KERAS_TOL
    assert max_err(c_T, c_keras) < KERAS_TOL
    np.testing.assert_array_equal(H[:, -1], h_T)


@pytest.mark.keras
@pytest.mark.parametrize("return_sequences", [True, False])
def test_gru_equals_keras(kc, rng, return_sequences):
    weights = gru_weights(rng, 3, 6, np.float32)
    X = rng.normal(size=(4, 30, 3)).astype(np.float32)
    h0 = rng.normal(0, 0.5, (4, 6)).astype(np.float32)
    layer = kc.gru(*weights, return_sequences=return_sequences, return_state=True)
    out, h_keras = layer(X, initial_state=h0)
    H, h_T, _ = gru.gru_forward(X, *weights, h0=h0)
    assert H.dtype == h_T.dtype == np.float32
    assert max_err(H if return_sequences else h_T, out) < KERAS_TOL
    assert max_err(h_T, h_keras) < KERAS_TOL


@pytest.mark.keras
def test_weights_copy_both_ways(kc, rng):
    """A Keras layer's own (random) weights, read with get_weights, run in rnnlib."""
    keras = kc.keras
    X = rng.normal(size=(2, 12, 3)).astype(np.float32)
    for layer, forward in ((keras.layers.LSTM(5), lstm.lstm_forward), (keras.layers.GRU(5), gru.gru_forward)):
        layer.build((None, None, 3))
        ours = forward(X, *layer.get_weights())[1]
        assert max_err(ours, layer(X)) < KERAS_TOL


def test_steps_equal_the_unrolls(rng):
    lw, gw = lstm_weights(rng, 2, 4), gru_weights(rng, 2, 4)
    X = rng.normal(size=(3, 6, 2))
    H, _, c_T, _ = lstm.lstm_forward(X, *lw)
    h = c = np.zeros((3, 4))
    for t in range(6):
        h, c = lstm.lstm_step(X[:, t], h, c, *lw)
        np.testing.assert_allclose(h, H[:, t], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c, c_T, rtol=1e-12, atol=1e-14)
    H, _, _ = gru.gru_forward(X, *gw)
    h = np.zeros((3, 4))
    for t in range(6):
        h = gru.gru_step(X[:, t], h, *gw)
        np.testing.assert_allclose(h, H[:, t], rtol=1e-12, atol=1e-14)


def test_gate_semantics(rng):
    """A forget gate shut and an input gate open write g; z = 1 keeps the GRU's state."""
    n = 3
    kernel, recurrent_kernel, _ = lstm_weights(rng, 2, n)
    bias = np.zeros(4 * n)
    bias[:n], bias[n : 2 * n] = 50.0, -50.0  # i = 1, f = 0
    x, h, c = rng.normal(size=(2, 2)), rng.normal(size=(2, n)), rng.normal(size=(2, n))
    _, c_new = lstm.lstm_step(x, h, c, kernel, recurrent_kernel, bias)
    g = np.tanh(x @ kernel[:, 2 * n : 3 * n] + h @ recurrent_kernel[:, 2 * n : 3 * n])
    np.testing.assert_allclose(c_new, g, atol=1e-12)
    kernel, recurrent_kernel, bias = gru_weights(rng, 2, n)
    bias[0, :n] = 50.0  # z = 1: the new state is the old one
    np.testing.assert_allclose(gru.gru_step(x, h, kernel, recurrent_kernel, bias), h, atol=1e-12)


# --- backward passes: centred differences and GradientTape ----------------------------------------


def _check_against_numeric(loss, values, grads):
    errors = {}
    for name, value in values.items():
        def f(v, name=name):
            return loss(**{**values, name: v})

        errors[name] = relative_error(numeric_gradient(f, value, eps=1e-4, order=4), grads[name])
    print("relative errors:", {k: f"{e:.1e}" for k, e in errors.items()})
    assert max(errors.values()) <= GRAD_TOL, errors


def test_lstm_backward_matches_centred_differences(rng):
    m, T, n_inputs, n = 3, 5, 2, 4
    kernel, recurrent_kernel, bias = lstm_weights(rng, n_inputs, n)
    values = dict(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias,
                  X=rng.normal(size=(m, T, n_inputs)), h0=rng.normal(0, 0.5, (m, n)), c0=rng.normal(0, 0.5, (m, n)))
    dH, dh_T, dc_T = rng.normal(size=(m, T, n)), rng.normal(size=(m, n)), rng.normal(size=(m, n))
    dH[:, 1] = 0  # a step the loss ignores

    def loss(X, kernel, recurrent_kernel, bias, h0, c0):
        H, h_T, c_T, _ = lstm.lstm_forward(X, kernel, recurrent_kernel, bias, h0, c0)
        return np.sum(H * dH) + np.sum(h_T * dh_T) + np.sum(c_T * dc_T)

    cache = lstm.lstm_forward(**values)[3]
    grads = lstm.lstm_backward(dH, cache, dh_T=dh_T, dc_T=dc_T)
    assert set(grads) == {"kernel", "recurrent_kernel", "bias", "X", "h0", "c0"}
    _check_against_numeric(loss, values, grads)


def test_gru_backward_matches_centred_differences(rng):
    m, T, n_inputs, n = 3, 5, 2, 4
    kernel, recurrent_kernel, bias = gru_weights(rng, n_inputs, n)
    values = dict(kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias,
                  X=rng.normal(size=(m, T, n_inputs)), h0=rng.normal(0, 0.5, (m, n)))
    dH, dh_T = rng.normal(size=(m, T, n)), rng.normal(size=(m, n))

    def loss(X, kernel, recurrent_kernel, bias, h0):
        H, h_T, _ = gru.gru_forward(X, kernel, recurrent_kernel, bias, h0)
        return np.sum(H * dH) + np.sum(h_T * dh_T)

    grads = gru.gru_backward(dH, gru.gru_forward(**values)[2], dh_T=dh_T)
    assert set(grads) == {"kernel", "recurrent_kernel", "bias", "X", "h0"}
    _check_against_numeric(loss, values, grads)


@pytest.mark.keras
@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_backward_matches_gradient_tape(kc, rng, kind):
    """float64 Keras layers, differentiated by TensorFlow, on a longer sequence."""
    import tensorflow as tf

    m, T, n_inputs, n = 4, 40, 3, 5
    X = rng.normal(size=(m, T, n_inputs))
    dH = rng.normal(size=(m, T, n))
    h0 = rng.normal(0, 0.5, (m, n))
    if kind == "lstm":
        weights, states = lstm_weights(rng, n_inputs, n), [h0, rng.normal(0, 0.5, (m, n))]
        layer = kc.lstm(*weights, return_sequences=True)
        grads = lstm.lstm_backward(dH, lstm.lstm_forward(X, *weights, *states)[3])
    else:
        weights, states = gru_weights(rng, n_inputs, n), [h0]
        layer = kc.gru(*weights, return_sequences=True)
        grads = gru.gru_backward(dH, gru.gru_forward(X, *weights, *states)[2])
    X_tf, states_tf = tf.constant(X), [tf.constant(s) for s in states]
    with tf.GradientTape() as tape:
        tape.watch([X_tf, *states_tf])
        loss = tf.reduce_sum(layer(X_tf, initial_state=states_tf) * dH)
    theirs = tape.gradient(loss, [*layer.trainable_weights, X_tf, *states_tf])
    names = ["kernel", "recurrent_kernel", "bias", "X", "h0", "c0"][: len(theirs)]
    errors = {k: relative_error(grads[k], np.asarray(t)) for k, t in zip(names, theirs)}
    print(kind, "relative errors against GradientTape:", {k: f"{e:.1e}" for k, e in errors.items()})
    assert max(errors.values()) <= GRAD_TOL, errors


def test_state_gradients_are_the_backward_pass(rng):
    weights = lstm_weights(rng, 2, 3)
    X, dH = rng.normal(size=(2, 7, 2)), rng.normal(size=(2, 7, 3))
    cache = lstm.lstm_forward(X, *weights)[3]
    dh, dc = lstm.state_gradients(dH, cache)
    np.testing.assert_array_equal(dh[:, -1], dH[:, -1])  # nothing comes back into the last step
    f0 = cache.gates[0][:, 3:6]  # the forget gate of step 0
    np.testing.assert_allclose(dc[:, 0] * f0, lstm.lstm_backward(dH, cache)["c0"], rtol=1e-12)  # eq. 8.11
    gweights = gru_weights(rng, 2, 3)
    gcache = gru.gru_forward(X, *gweights)[2]
    dh = gru.state_gradients(dH, gcache)
    np.testing.assert_array_equal(dh[:, -1], dH[:, -1])
    assert dh.shape == (2, 7, 3)


# --- clipping -----------------------------------------------------------------------------------


def test_clip_by_norm_keeps_direction_and_bounds_the_norm(rng):
    grads = {"kernel": rng.normal(size=(3, 8)), "recurrent_kernel": rng.normal(size=(2, 8)), "bias": rng.normal(size=8)}
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    clipped, reported = clipping.clip_by_norm(grads, norm / 4)
    assert reported == pytest.approx(norm)
    assert clipping.global_norm(clipped) == pytest.approx(norm / 4)
    for k in grads:
        np.testing.assert_allclose(clipped[k] * 4, grads[k], rtol=1e-12)  # same direction, one scale
        assert clipped[k] is not grads[k]
    same, _ = clipping.clip_by_norm(grads, norm * 2)  # below the limit: unchanged
    for k in grads:
        np.testing.assert_array_equal(same[k], grads[k])
    as_list, _ = clipping.clip_by_norm(list(grads.values()), 1.0)
    assert isinstance(as_list, list) and clipping.global_norm(as_list) == pytest.approx(1.0)
    f32, _ = clipping.clip_by_norm((np.ones(4, np.float32) * 10,), 1.0)
    assert isinstance(f32, tuple) and f32[0].dtype == np.float32


def test_clip_by_norm_rejects_bad_input():
    with pytest.raises(ValueError, match="max_norm must be a positive number"):
        clipping.clip_by_norm([np.ones(3)], 0)
    with pytest.raises(TypeError, match="grads must be a dict or a list"):
        clipping.clip_by_norm(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"grads\['bias'\] contains NaN"):
        clipping.clip_by_norm({"bias": np.array([np.nan])}, 1.0)


def test_training_with_clipping_still_learns():
    series = generate_time_series(400, n_steps=21, seed=3, dtype=np.float64)
    X, y = series[:, :20], series[:, -1]
    params, history = training.train(X, y, n_neurons=8, n_epochs=4, learning_rate=0.05, seed=0, clip_norm=0.5)
    assert len(history["grad_norm"]) == 4
    assert history["loss"][-1] < history["loss"][0]
    assert "grad_norm" not in training.train(X[:64], y[:64], n_neurons=4, n_epochs=1, seed=0)[1]


# --- 1D convolutions and WaveNet --------------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize("strides, dilation_rate, padding", [(1, 1, "valid"), (2, 1, "valid"), (3, 1, "valid"), (1, 4, "causal"), (2, 1, "causal")])
def test_conv1d_equals_keras(kc, rng, strides, dilation_rate, padding):
    layer = kc.keras.layers.Conv1D(5, 4, strides=strides, dilation_rate=dilation_rate, padding=padding)
    layer.build((None, None, 3))
    kernel = layer.get_weights()[0]
    bias = rng.normal(size=5).astype(np.float32)
    layer.set_weights([kernel, bias])
    X = rng.normal(size=(2, 23, 3)).astype(np.float32)
    ours = convolution.conv1d(X, kernel, bias, strides, dilation_rate, padding)
    assert ours.shape == tuple(layer(X).shape) == (2, convolution.output_length(23, 4, strides, dilation_rate, padding), 5)
    assert max_err(ours, layer(X)) < KERAS_TOL


@pytest.mark.parametrize("kernel_size, dilations", [(2, [1, 2, 4, 8]), (2, [1, 2, 4, 8] * 2), (3, [1, 1, 1]), (3, [1, 3, 9])])
def test_receptive_field_is_what_the_stack_sees(rng, kernel_size, dilations):
    """Perturb one input step: the last output moves only within the receptive field."""
    R = convolution.receptive_field(kernel_size, dilations)
    assert R == 1 + (kernel_size - 1) * sum(dilations)
    T = R + 5
    layers = [(rng.normal(size=(kernel_size, 2, 2)), rng.normal(size=2), d) for d in dilations]

    def last_output(X):
        for kernel, bias, d in layers:
            X = np.tanh(convolution.conv1d(X, kernel, bias, dilation_rate=d, padding="causal"))
        return X[0, -1]

    X = rng.normal(size=(1, T, 2))
    moved = []
    for t in range(T):
        X2 = X.copy()
        X2[0, t] += 1.0
        moved.append(np.any(last_output(X2) != last_output(X)))
    assert moved == [t >= T - R for t in range(T)]
    assert len(convolution.dependency_steps(T, kernel_size, dilations)[0]) == R


def test_wavenet_receptive_field_doubles_per_layer():
    assert [convolution.receptive_field(2, [2**i for i in range(L)]) for L in range(1, 6)] == [2, 4, 8, 16, 32]


# --- clear errors ---------------------------------------------------------------------------


def test_wrong_shapes_name_the_problem(rng):
    kernel, recurrent_kernel, bias = lstm_weights(rng, 2, 3)
    x, h = np.zeros((4, 2)), np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"recurrent_kernel must have shape \(n, 4n\) = \(3, 12\), got \(12, 3\): did you transpose"):
        lstm.lstm_step(x, h, h, kernel, recurrent_kernel.T, bias)
    with pytest.raises(ValueError, match="kernel must have shape .* not a multiple of 4"):
        lstm.lstm_step(x, h, h, kernel[:, :10], recurrent_kernel, bias)
    with pytest.raises(ValueError, match=r"bias must have shape \(4n,\) = \(12,\)"):
        lstm.lstm_step(x, h, h, kernel, recurrent_kernel, bias[:9])
    with pytest.raises(ValueError, match=r"c_prev must have shape \(m, n\) = \(4, 3\)"):
        lstm.lstm_step(x, h, np.zeros((4, 2)), kernel, recurrent_kernel, bias)
    with pytest.raises(ValueError, match=r"X must have shape \(m, T, n_inputs\)"):
        lstm.lstm_forward(np.zeros((4, 5, 3)), kernel, recurrent_kernel, bias)
    cache = lstm.lstm_forward(np.zeros((4, 5, 2)), kernel, recurrent_kernel, bias)[3]
    with pytest.raises(ValueError, match=r"dH must have shape \(m, T, n\) = \(4, 5, 3\)"):
        lstm.lstm_backward(np.zeros((4, 3, 5)), cache)
    gk, grk, gb = gru_weights(rng, 2, 3)
    with pytest.raises(ValueError, match=r"bias must have shape \(2, 3n\).*reset_after=True"):
        gru.gru_step(x, h, gk, grk, gb[0])
    with pytest.raises(ValueError, match=r"h0 must have shape \(m, n\) = \(4, 3\)"):
        gru.gru_forward(np.zeros((4, 5, 2)), gk, grk, gb, h0=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="kernel must have shape .*GRU.* not a multiple of 3"):
        gru.gru_forward(np.zeros((4, 5, 2)), gk[:, :8], grk, gb)
    with pytest.raises(ValueError, match="kernel_size has 2 entries but dilations has 3"):
        convolution.receptive_field([2, 2], [1, 2, 4])
    with pytest.raises(ValueError, match="each dilation must be an integer >= 1"):
        convolution.receptive_field(2, [1, 0])
    with pytest.raises(ValueError, match=r"X has 3 steps, fewer than the 4"):
        convolution.conv1d(np.zeros((1, 3, 2)), np.zeros((4, 2, 1)), np.zeros(1))


def test_cell_state_gradient_norms(rng):
    from rnnlib import gradient_flow, layer

    X = rng.normal(size=(3, 12, 2))
    W_x, W_y, b = layer.init_layer_params(2, 4, seed=1)
    np.testing.assert_allclose(gradient_flow.cell_state_gradient_norms("simple_rnn", X, W_x, W_y, b),
                               gradient_flow.state_gradient_norms(W_y, X, W_x, b))
    for cell, weights in (("lstm", lstm_weights(rng, 2, 4)), ("gru", gru_weights(rng, 2, 4))):
        norms = gradient_flow.cell_state_gradient_norms(cell, X, *weights)
        assert norms.shape == (12,) and norms[0] == pytest.approx(np.sqrt(3 * 4))
        assert np.all(norms[1:] < norms[0])  # these weights shrink it over 11 steps
    # a forget gate held open (f = 1) keeps the cell-state path: the gradient survives 12 steps
    kernel, recurrent_kernel, bias = lstm.init_lstm_weights(2, 4, seed=2, forget_bias=30.0)
    open_gate = gradient_flow.cell_state_gradient_norms("lstm", X, kernel, recurrent_kernel, bias)
    shut_gate = gradient_flow.cell_state_gradient_norms("lstm", X, kernel, recurrent_kernel, bias - 33.0 * (bias > 0))
    assert open_gate[-1] > 1e3 * shut_gate[-1]
    with pytest.raises(ValueError, match="cell must be"):
        gradient_flow.cell_state_gradient_norms("rnn", X, W_x, W_y, b)


# --- the memory experiment's task and budgets ---------------------------------------------------


def test_delayed_recall_asks_for_the_first_symbol():
    from rnnlib import memory

    X, y = memory.delayed_recall(50, delay=7, n_symbols=5, seed=0)
    assert X.shape == (50, 8, 5) and X.dtype == np.float32 and y.shape == (50,)
    np.testing.assert_array_equal(X.sum(axis=2), 1.0)  # one-hot at every step
    np.testing.assert_array_equal(X[:, 0].argmax(axis=1), y)
    assert len(set(X[:, 1:].argmax(axis=2).ravel())) == 5  # distractors use the whole alphabet
    with pytest.raises(ValueError, match="n_symbols >= 2"):
        memory.delayed_recall(3, 4, n_symbols=1)


@pytest.mark.keras
def test_parameter_counts_are_keras(kc):
    from rnnlib import memory

    keras = kc.keras
    for cell, layer in (("simple_rnn", keras.layers.SimpleRNN), ("lstm", keras.layers.LSTM), ("gru", keras.layers.GRU)):
        model = keras.Sequential([keras.Input((None, 8)), layer(13), keras.layers.Dense(8)])
        assert memory.parameter_count(cell, 8, 13, 8) == model.count_params()
        n = memory.units_for_budget(cell, 8, 5500, 8)
        assert abs(memory.parameter_count(cell, 8, n, 8) - 5500) <= abs(memory.parameter_count(cell, 8, n + 1, 8) - 5500)
        assert abs(memory.parameter_count(cell, 8, n, 8) - 5500) <= abs(memory.parameter_count(cell, 8, n - 1, 8) - 5500)


def _memory_benchmark():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "experiments" / "memory.py"
    spec = importlib.util.spec_from_file_location("memory_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_memory_results_match_the_script_that_writes_them():
    """Chapter 8 reads chapters/data/memory.json: it must come from today's settings."""
    import json

    bench = _memory_benchmark()
    results = json.loads(bench.OUTPUT.read_text())
    assert results["settings"] == bench.settings()
    for cell, by_delay in results["runs"].items():
        assert cell in (*bench.memory.CELLS, *bench.VARIANTS)
        for delay, by_seed in by_delay.items():
            assert int(delay) in bench.DELAYS
            for run in by_seed.values():
                assert 0 <= run["test_accuracy"] <= 1 and 1 <= run["epochs"] <= bench.MAX_EPOCHS


@pytest.mark.keras
def test_memory_benchmark_opens_the_gate_that_keeps_the_state(kc):
    """experiments/memory.py's keep3 variants move b_f (LSTM) or b_z (GRU), nothing else."""
    bench = _memory_benchmark()
    X = np.eye(3, dtype=np.float32)[None, [0, 1, 2, 1]]
    kc.keras.utils.set_random_seed(0)  # the layers' random start: the same every run
    for name, layer in (("lstm", kc.keras.layers.LSTM(4)), ("gru", kc.keras.layers.GRU(4))):
        layer.build((None, None, 3))
        before = [w.copy() for w in layer.get_weights()]
        bench._open_the_keeping_gate(layer, name, 4)
        after = layer.get_weights()
        for b, a in zip(before[:2], after[:2]):
            np.testing.assert_array_equal(a, b)
        keep = after[2][4:8] if name == "lstm" else after[2][0, :4]
        np.testing.assert_array_equal(keep, bench.GATE_BIAS)
        forward = lstm.lstm_forward if name == "lstm" else gru.gru_forward
        # the gate is the one the text says: with rnnlib's own equations, z or f is near sigma(3)
        cache = forward(X, *after)[-1]
        gate = cache.gates[..., 4:8] if name == "lstm" else cache.Z
        assert np.all(gate > 0.8)
