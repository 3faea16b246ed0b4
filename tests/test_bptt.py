"""Backpropagation through time (chapter 5): gradients, losses, training, gradient flow.

References used here, none of them the code under test:
* numeric gradients (centred differences of the forward pass of rnnlib.layer),
* tf.GradientTape on keras.layers.SimpleRNN with the same weights,
* a deliberately naive per-output-step backprop loop for truncated BPTT,
* the naive last-value forecast for training.
"""
import time

import numpy as np
import pytest

from rnnlib import bptt, gradient_flow, layer, losses, optim, training
from rnnlib.datasets import generate_time_series
from rnnlib.gradcheck import numeric_gradient, relative_error

ACTIVATIONS = ["tanh", "relu", "identity"]
SHAPES = [(1, 1, 1, 1), (1, 4, 2, 3), (3, 5, 2, 4), (2, 6, 3, 1), (4, 1, 2, 5)]  # (m, T, n_inputs, n_neurons)
NAMES = ("W_x", "W_y", "b", "X", "h0")


def random_problem(seed, m, T, n_inputs, n_neurons, dtype=np.float64):
    rng = np.random.default_rng(seed)
    p = {
        "X": rng.normal(size=(m, T, n_inputs)),
        "W_x": rng.normal(0, 0.6, (n_inputs, n_neurons)),
        "W_y": rng.normal(0, 0.6 / np.sqrt(n_neurons), (n_neurons, n_neurons)),
        "b": rng.normal(0, 0.2, n_neurons),
        "h0": rng.normal(0, 0.5, (m, n_neurons)),
    }
    G = rng.normal(size=(m, T, n_neurons))  # dL/dY for the loss L = sum(G * Y)
    return {k: v.astype(dtype) for k, v in p.items()}, G.astype(dtype)


def layer_outputs(p, activation):
    """The forward pass of chapter 2 (rnnlib.layer), independent of rnnlib.bptt."""
    return layer.unroll_layer(p["X"], p["W_x"], p["W_y"], p["b"], p["h0"], activation)[0]


def numeric_gradients(loss, p, activation="tanh"):
    """Numeric gradient of loss(p) with respect to each entry of p.

    Smooth activations use the five-point difference with eps = 1e-3 (error
    about 1e-12, so even entries near 1e-5 are checked to 1e-7). ReLU has a
    kink at 0 that a step of 1e-3 would often cross, so it uses the
    two-point difference with eps = 1e-5.
    """
    order, eps = (2, 1e-5) if activation == "relu" else (4, 1e-3)
    return {k: numeric_gradient(lambda v, k=k: loss({**p, k: v}), p[k], eps=eps, order=order) for k in NAMES}


def bptt_gradients(p, dY, activation, truncate=None):
    Y, cache = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], p["h0"], activation)
    return bptt.backward(dY, cache, truncate=truncate)


def scaled_error(a, b):
    """``max|a - b| / (max|a| + max|b|)``: eq. 5.11 with one denominator per array.

    Used for float32, where entries near zero carry rounding errors that are
    tiny in absolute terms but large relative to themselves.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b)) / max(1e-8, np.max(np.abs(a)) + np.max(np.abs(b))))


# --- forward ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_equals_unroll_layer(activation, dtype):
    p, _ = random_problem(0, 3, 7, 2, 4, dtype)
    Y, cache = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], p["h0"], activation)
    Y_ref = layer_outputs(p, activation)
    assert Y.shape == (3, 7, 4) and Y.dtype == dtype
    np.testing.assert_allclose(Y, Y_ref, rtol=1e-5 if dtype == np.float32 else 1e-13, atol=1e-6 if dtype == np.float32 else 1e-14)


def test_forward_outputs_are_read_only_so_the_cache_stays_valid():
    p, _ = random_problem(0, 2, 3, 1, 2)
    Y, _ = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"])
    with pytest.raises(ValueError, match="read-only"):
        Y[0, 0, 0] = 1.0


# --- gradients against numeric gradients (float64) --------------------------------------


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "m{}-T{}-in{}-n{}".format(*s))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_numeric_gradients(activation, shape):
    p, G = random_problem(sum(shape), *shape)
    grads = bptt_gradients(p, G, activation)
    numeric = numeric_gradients(lambda q: np.sum(G * layer_outputs(q, activation)), p, activation)
    errors = {k: relative_error(getattr(grads, k), numeric[k]) for k in NAMES}
    print(activation, shape, {k: f"{e:.1e}" for k, e in errors.items()})
    assert max(errors.values()) < 1e-7, errors
    for k in NAMES:
        assert getattr(grads, k).shape == p[k].shape


@pytest.mark.parametrize("activation", ["tanh", "identity"])  # ReLU: see the test above and TF's
def test_mse_on_last_3_of_5_steps_matches_numeric_gradients(activation):
    p, _ = random_problem(7, 3, 5, 2, 4)
    target = np.random.default_rng(8).normal(size=(3, 5, 4))
    last3 = slice(-3, None)
    Y, cache = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], p["h0"], activation)
    grads = bptt.backward(losses.mse_grad(Y, target, last3), cache)
    numeric = numeric_gradients(lambda q: losses.mse(layer_outputs(q, activation), target, last3), p)
    errors = {k: relative_error(getattr(grads, k), numeric[k]) for k in NAMES}
    assert max(errors.values()) < 1e-7, errors


def test_state_gradients_match_numeric_gradients():
    """Gradients.h[:, t] is dL/dh(t): perturb h(t) by restarting the layer from it."""
    p, G = random_problem(3, 2, 5, 2, 3)
    grads = bptt_gradients(p, G, "tanh")
    Y = layer_outputs(p, "tanh")
    for t in range(5):

        def loss_given_state(h_t, t=t):
            later = layer.unroll_layer(p["X"][:, t + 1 :], p["W_x"], p["W_y"], p["b"], h_t, "tanh")[0] if t < 4 else 0
            return np.sum(G[:, t] * h_t) + np.sum(G[:, t + 1 :] * later)

        numeric = numeric_gradient(loss_given_state, Y[:, t], eps=1e-3, order=4)
        assert relative_error(grads.h[:, t], numeric) < 1e-7


# --- ignored outputs -------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_ignored_early_outputs_contribute_exactly_zero(activation):
    """With the loss on the last 3 of 5 steps, the targets of steps 0 and 1 change nothing."""
    p, _ = random_problem(11, 4, 5, 2, 3)
    rng = np.random.default_rng(12)
    target = rng.normal(size=(4, 5, 3))
    wild = target.copy()
    wild[:, :2] = rng.normal(0, 1e6, size=(4, 2, 3))  # absurd targets for the ignored steps
    Y, cache = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], p["h0"], activation)
    dY, dY_wild = losses.mse_grad(Y, target, slice(-3, None)), losses.mse_grad(Y, wild, slice(-3, None))
    assert np.all(dY[:, :2] == 0) and np.all(dY_wild[:, :2] == 0)
    assert losses.mse(Y, target, slice(-3, None)) == losses.mse(Y, wild, slice(-3, None))
    g, g_wild = bptt.backward(dY, cache), bptt.backward(dY_wild, cache)
    for k in NAMES + ("h",):
        assert np.array_equal(getattr(g, k), getattr(g_wild, k)), k
    # and a loss on the first two steps only, through the same code, gives something non-zero
    g_early = bptt.backward(losses.mse_grad(Y, wild, [0, 1]), cache)
    assert np.abs(g_early.W_y).max() > 0


# --- truncated BPTT -----------------------------------------------------------------------------


def truncated_reference(p, dY, activation, k):
    """Truncated BPTT the slow way: one separate backward sweep per output step.

    The gradient entering at output t is pushed back through at most k products
    with W_y^T, i.e. to z(s) for t - k <= s <= t; it reaches h0 only if t + 1 <= k.
    """
    Y = layer_outputs(p, activation)
    m, T, n = Y.shape
    H_prev = np.concatenate([p["h0"][:, None], Y[:, :-1]], axis=1)  # h(t-1)
    if activation == "tanh":
        dphi = 1 - Y**2
    elif activation == "relu":
        dphi = (Y > 0).astype(float)
    else:
        dphi = np.ones_like(Y)
    out = {name: np.zeros_like(p[name]) for name in NAMES}
    for t in range(T):
        g = dY[:, t]
        for s in range(t, max(-1, t - k - 1), -1):
            dz = g * dphi[:, s]
            for i in range(m):  # instance by instance, on purpose: nothing clever
                out["W_x"] += np.outer(p["X"][i, s], dz[i])
                out["W_y"] += np.outer(H_prev[i, s], dz[i])
                out["b"] += dz[i]
                out["X"][i, s] += p["W_x"] @ dz[i]
            g = dz @ p["W_y"].T  # crossing one more recurrent connection
            if s == 0 and t + 1 <= k:
                out["h0"] += g
    return out


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("k", [0, 1, 2, 4, 5, 6, 100])
def test_truncated_bptt_matches_per_output_step_reference(activation, k):
    T = 6
    p, G = random_problem(20 + k, 3, T, 2, 4)
    G[:, 1] = 0  # one step the loss ignores
    grads = bptt_gradients(p, G, activation, truncate=k)
    ref = truncated_reference(p, G, activation, k)
    for name in NAMES:
        np.testing.assert_allclose(getattr(grads, name), ref[name], rtol=1e-10, atol=1e-12, err_msg=name)


def test_truncation_of_at_least_T_is_full_bptt_and_shorter_is_not():
    p, G = random_problem(5, 2, 6, 2, 3)
    full = bptt_gradients(p, G, "tanh")
    assert all(np.array_equal(getattr(bptt_gradients(p, G, "tanh", truncate=k), n), getattr(full, n)) for k in (6, 50) for n in NAMES)
    short = bptt_gradients(p, G, "tanh", truncate=5)  # misses only the path from Y(5) to h0
    assert np.allclose(short.W_y, full.W_y) and not np.allclose(short.h0, full.h0)


def test_truncated_window_equals_numeric_gradient_of_the_window():
    """Truncating at k = numeric gradient of the last k+1 steps, restarted from the stored state."""
    k, T = 2, 6
    p, _ = random_problem(30, 2, T, 2, 3)
    Y = layer_outputs(p, "tanh")
    t = 5  # gradient enters at the last output only
    dY = np.zeros_like(Y)
    dY[:, t] = np.random.default_rng(31).normal(size=(2, 3))
    grads = bptt_gradients(p, dY, "tanh", truncate=k)
    start = t - k
    window = {**p, "X": p["X"][:, start : t + 1], "h0": Y[:, start - 1]}

    def window_loss(q):
        return np.sum(dY[:, t] * layer_outputs(q, "tanh")[:, -1])

    numeric = numeric_gradients(window_loss, window)
    for name in ("W_x", "W_y", "b"):
        assert relative_error(getattr(grads, name), numeric[name]) < 1e-7, name
    assert relative_error(grads.X[:, start:], numeric["X"]) < 1e-7
    assert np.all(grads.X[:, :start] == 0) and np.all(grads.h0 == 0)


# --- TensorFlow ----------------------------------------------------------------------------------


def tape_gradients(p, G, activation, dtype):
    import tensorflow as tf
    from keras import layers

    n_neurons = p["W_y"].shape[0]
    rnn = layers.SimpleRNN(n_neurons, activation="linear" if activation == "identity" else activation,
                           return_sequences=True, dtype=dtype)
    rnn.build((None, None, p["X"].shape[2]))
    rnn.set_weights([p["W_x"], p["W_y"], p["b"]])
    X, h0 = tf.constant(p["X"]), tf.constant(p["h0"])
    with tf.GradientTape() as tape:
        tape.watch([X, h0])
        loss = tf.reduce_sum(rnn(X, initial_state=[h0]) * G)
    grads = tape.gradient(loss, [rnn.cell.kernel, rnn.cell.recurrent_kernel, rnn.cell.bias, X, h0])
    return {name: np.asarray(g) for name, g in zip(NAMES, grads)}


@pytest.mark.keras
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(32, 56, 1, 32), (1, 1, 1, 1), (4, 9, 3, 5)])
def test_gradients_match_gradient_tape_float32(activation, shape):
    p, G = random_problem(40, *shape, dtype=np.float32)
    ours = bptt_gradients(p, G, activation)
    theirs = tape_gradients(p, G, activation, "float32")
    errors = {k: scaled_error(getattr(ours, k), theirs[k]) for k in NAMES}
    print(activation, shape, {k: f"{e:.1e}" for k, e in errors.items()})
    assert all(getattr(ours, k).dtype == np.float32 for k in NAMES)
    assert max(errors.values()) < 1e-5, errors


@pytest.mark.keras
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_gradient_tape_float64_entry_by_entry(activation):
    p, G = random_problem(41, 32, 56, 1, 32)
    ours = bptt_gradients(p, G, activation)
    theirs = tape_gradients(p, G, activation, "float64")
    errors = {k: relative_error(getattr(ours, k), theirs[k]) for k in NAMES}
    assert max(errors.values()) < 1e-9, errors


# --- losses, gradient descent, gradient checking -------------------------------------------------


def test_mse_counts_only_the_chosen_steps():
    rng = np.random.default_rng(50)
    Y_hat, Y = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3))
    by_hand = sum((Y_hat[i, t, j] - Y[i, t, j]) ** 2 for i in range(2) for t in (2, 3, 4) for j in range(3)) / 18
    for steps in (slice(-3, None), [2, 3, 4], [-1, -2, -3], range(2, 5)):
        assert losses.mse(Y_hat, Y, steps) == pytest.approx(by_hand, rel=1e-14)
    assert losses.mse(Y_hat, Y) == pytest.approx(np.mean((Y_hat - Y) ** 2), rel=1e-14)
    assert losses.mse(Y_hat, Y, -1) == pytest.approx(np.mean((Y_hat[:, -1] - Y[:, -1]) ** 2), rel=1e-14)


@pytest.mark.parametrize("steps", [None, slice(-3, None), [0, 4], 2])
def test_mse_grad_matches_numeric_gradient(steps):
    rng = np.random.default_rng(51)
    Y_hat, Y = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 3))
    numeric = numeric_gradient(lambda v: losses.mse(v, Y, steps), Y_hat, eps=1e-5)
    assert relative_error(losses.mse_grad(Y_hat, Y, steps), numeric) < 1e-7
    y_hat, y = Y_hat[:, 0], Y[:, 0]  # the (m, n_outputs) form of sequence-to-vector
    assert relative_error(losses.mse_grad(y_hat, y), numeric_gradient(lambda v: losses.mse(v, y), y_hat)) < 1e-7


def test_gradient_descent_step():
    params = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    grads = {"W": np.array([[10.0, -20.0]]), "b": np.array([1.0])}
    new = optim.gradient_descent_step(params, grads, 0.1)
    np.testing.assert_allclose(new["W"], [[0.0, 4.0]])
    np.testing.assert_allclose(new["b"], [0.4])
    assert params["W"][0, 0] == 1.0  # the input is left alone
    as_tuple = optim.gradient_descent_step((params["W"], params["b"]), (grads["W"], grads["b"]), 0.1)
    assert isinstance(as_tuple, tuple) and np.allclose(as_tuple[0], new["W"])


def test_gradient_descent_accepts_bptt_gradients():
    p, G = random_problem(52, 2, 3, 1, 2)
    g = bptt_gradients(p, G, "tanh")
    layer_params = {k: p[k] for k in ("W_x", "W_y", "b")}
    new = optim.gradient_descent_step(layer_params, g, 0.5)
    np.testing.assert_allclose(new["W_y"], p["W_y"] - 0.5 * g.W_y)


def test_numeric_gradient_of_known_functions():
    x = np.array([[0.3, -1.2], [2.0, 0.0]])
    assert relative_error(numeric_gradient(lambda v: np.sum(np.sin(v)), x), np.cos(x)) < 1e-8
    # for a cubic, eq. 5.10 is off by exactly eps**2 and eq. 5.10b is exact
    cubic = lambda v: np.sum(v**3)  # noqa: E731
    np.testing.assert_allclose(numeric_gradient(cubic, x, eps=1e-3) - 3 * x**2, 1e-6, rtol=0, atol=1e-11)
    assert relative_error(numeric_gradient(cubic, x, eps=1e-3, order=4), 3 * x**2) < 1e-9
    assert x[0, 0] == 0.3  # not modified


def test_relative_error_formula():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == 1.0  # opposite signs: as wrong as it gets
    assert relative_error([3.0, 1.0], [1.0, 1.0]) == pytest.approx(0.5)  # |3-1| / (3+1)
    assert relative_error([1e-9], [0.0]) == pytest.approx(0.1)  # the 1e-8 floor
    with pytest.raises(ValueError, match=r"same shape.*\(2,\).*\(3,\)"):
        relative_error([1.0, 2.0], [1.0, 2.0, 3.0])


# --- float32 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("truncate", [None, 2])
def test_float32_in_float32_out_close_to_float64(truncate):
    p64, G64 = random_problem(60, 4, 8, 2, 5)
    p32, G32 = ({k: v.astype(np.float32) for k, v in p64.items()}, G64.astype(np.float32))
    g32, g64 = bptt_gradients(p32, G32, "tanh", truncate), bptt_gradients(p64, G64, "tanh", truncate)
    for k in NAMES + ("h",):
        assert getattr(g32, k).dtype == np.float32
        assert scaled_error(getattr(g32, k), getattr(g64, k)) < 1e-6, k


# --- training ------------------------------------------------------------------------------------


def test_training_beats_the_naive_forecast():
    series = generate_time_series(1500, n_steps=51, seed=42, dtype=np.float64)
    X_train, y_train = series[:1000, :50], series[:1000, -1]
    X_valid, y_valid = series[1000:, :50], series[1000:, -1]
    naive = losses.mse(X_valid[:, -1], y_valid)  # tomorrow = today
    start = time.perf_counter()
    params, history = training.train(
        X_train, y_train, n_neurons=20, n_epochs=10, learning_rate=0.05, batch_size=32,
        X_valid=X_valid, Y_valid=y_valid, seed=0,
    )
    rnn = losses.mse(training.predict(params, X_valid), y_valid)
    print(f"validation MSE: naive last value {naive:.4f}, rnnlib RNN {rnn:.4f} "
          f"({time.perf_counter() - start:.1f} s)")
    assert rnn == pytest.approx(history["val_loss"][-1])
    assert rnn < naive
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("target", ["vector", "sequence"])
def test_training_gradients_match_numeric_gradients(target):
    """The dense output layer and the loss on chosen steps, checked end to end."""
    rng = np.random.default_rng(70)
    params = training.init_params(2, 4, 3, seed=71)
    params["b"] = rng.normal(0, 0.2, 4)
    params["b_out"] = rng.normal(0, 0.2, 3)
    X = rng.normal(size=(3, 5, 2))
    Y, steps = (rng.normal(size=(3, 3)), None) if target == "vector" else (rng.normal(size=(3, 5, 3)), [1, 3, 4])
    loss, grads = training.loss_and_gradients(params, X, Y, steps=steps)

    def loss_of(q):
        Y_hat = training.predict(q, X, sequence=target == "sequence")
        return losses.mse(Y_hat, Y, steps)

    assert loss == pytest.approx(loss_of(params), rel=1e-14)
    for name, value in params.items():
        numeric = numeric_gradient(lambda v, name=name: loss_of({**params, name: v}), value, eps=1e-3, order=4)
        assert relative_error(grads[name], numeric) < 1e-7, name


# --- vanishing and exploding gradients ---------------------------------------------------------


@pytest.fixture
def flow_inputs():
    X = generate_time_series(8, n_steps=40, seed=3, dtype=np.float64)
    W_x = np.random.default_rng(4).uniform(-1, 1, (1, 16))
    return X, W_x


def test_recurrent_matrix_has_the_requested_spectral_radius():
    for radius in (0.5, 1.0, 1.5):
        W_y = gradient_flow.recurrent_matrix(16, radius, seed=5)
        assert np.max(np.abs(np.linalg.eigvals(W_y))) == pytest.approx(radius, rel=1e-12)
        v = np.random.default_rng(6).normal(size=(3, 16))
        np.testing.assert_allclose(np.linalg.norm(v @ W_y.T, axis=1), radius * np.linalg.norm(v, axis=1))


def test_gradients_vanish_with_spectral_radius_one_half(flow_inputs):
    X, W_x = flow_inputs
    norms = gradient_flow.state_gradient_norms(gradient_flow.recurrent_matrix(16, 0.5, seed=7), X, W_x)
    assert norms.shape == (40,)
    assert norms[0] == pytest.approx(np.sqrt(8 * 16))
    assert np.all(np.diff(norms) < 0)  # shrinks at every step back ...
    assert np.all(norms[1:] / norms[:-1] <= 0.5 + 1e-12)  # ... by at least the radius (tanh' <= 1)
    assert norms[-1] < 1e-10 * norms[0]


def test_gradients_explode_with_spectral_radius_one_and_a_half(flow_inputs):
    X, W_x = flow_inputs
    W_y = gradient_flow.recurrent_matrix(16, 1.5, seed=8)
    norms = gradient_flow.state_gradient_norms(W_y, X, W_x, activation="identity")
    assert np.all(np.diff(norms) > 0)
    np.testing.assert_allclose(norms[1:] / norms[:-1], 1.5, rtol=1e-10)  # x 1.5 per step back
    assert norms[-1] > 1e6 * norms[0]


# --- errors --------------------------------------------------------------------------------------


def test_clear_errors_for_bad_shapes():
    p, G = random_problem(80, 2, 3, 2, 4)
    Y, cache = bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"])
    with pytest.raises(ValueError, match=r"dY must have shape \(m, T, n_neurons\) = \(2, 3, 4\), got \(2, 3, 5\)"):
        bptt.backward(np.zeros((2, 3, 5)), cache)
    with pytest.raises(ValueError, match=r"dY must be a 3-D array"):
        bptt.backward(np.zeros((2, 4)), cache)
    with pytest.raises(ValueError, match=r"X must have shape \(m, T, n_inputs\) = \(2, 3, 2\), got \(2, 3, 3\)"):
        bptt.forward(np.zeros((2, 3, 3)), p["W_x"], p["W_y"], p["b"])
    with pytest.raises(ValueError, match=r"W_x must have shape|W_y must have shape"):
        bptt.forward(p["X"], p["W_x"].T, p["W_y"], p["b"])
    with pytest.raises(ValueError, match=r"h0 must have shape \(m, n_neurons\) = \(2, 4\), got \(3, 4\)"):
        bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], h0=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        bptt.forward(p["X"], p["W_x"], p["W_y"], p["b"], activation="softmax")
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="truncate must be None or an integer >= 0"):
            bptt.backward(G, cache, truncate=bad)


def test_clear_errors_from_losses_and_optim():
    with pytest.raises(ValueError, match=r"Y must have the same shape as Y_hat, \(m, T, n_outputs\) = \(2, 5, 1\), got \(2, 5\)"):
        losses.mse(np.zeros((2, 5, 1)), np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"steps \[5\] out of range for T = 5"):
        losses.mse_grad(np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), [5])
    with pytest.raises(ValueError, match="steps applies to sequences"):
        losses.mse(np.zeros((2, 1)), np.zeros((2, 1)), steps=[0])
    with pytest.raises(ValueError, match="more than once"):
        losses.mse(np.zeros((2, 5, 1)), np.zeros((2, 5, 1)), steps=[1, -4])
    with pytest.raises(ValueError, match=r"gradient of W must have the parameter's shape \(2, 3\), got \(3, 2\)"):
        optim.gradient_descent_step({"W": np.zeros((2, 3))}, {"W": np.zeros((3, 2))}, 0.1)
    with pytest.raises(KeyError, match="no gradient for parameter"):
        optim.gradient_descent_step({"W": np.zeros(2)}, {"V": np.zeros(2)}, 0.1)
    with pytest.raises(ValueError, match="learning_rate must be a positive number"):
        optim.gradient_descent_step({"W": np.zeros(2)}, {"W": np.zeros(2)}, -0.1)
