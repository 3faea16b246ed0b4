"""Chapter 5: training a small RNN end to end with rnnlib alone.

The model is one recurrent layer followed by a dense output layer:

    h(t)     = phi(X(t) W_x + h(t-1) W_y + b)                 (recurrent layer)
    Y_hat(t) = h(t) W_out + b_out                              (dense output)

* sequence-to-vector: the target ``Y`` is (m, n_outputs) and only the last
  step's prediction ``Y_hat(T-1)`` is used (forecasting the next value);
* sequence-to-sequence: ``Y`` is (m, T, n_outputs) and the loss uses the steps
  given by ``steps`` (all by default).

Each mini-batch: forward pass, MSE (:mod:`rnnlib.losses`), backward through
the dense layer, BPTT through the recurrent layer (:mod:`rnnlib.bptt`), then
one gradient-descent step (:mod:`rnnlib.optim`); with ``clip_norm``, the
gradients are clipped by their global norm (:mod:`rnnlib.clipping`, chapter 8)
between the backward pass and the step.

Parameters are a dict: W_x (n_inputs, n_neurons), W_y (n_neurons, n_neurons),
b (n_neurons,), W_out (n_neurons, n_outputs), b_out (n_outputs,).
"""
from __future__ import annotations

import numpy as np

from . import bptt
from ._checks import as_float_array, check_shape
from .clipping import clip_by_norm
from .layer import init_layer_params
from .losses import mse, mse_grad
from .optim import gradient_descent_step


def init_params(n_inputs, n_neurons, n_outputs, seed=None, dtype=np.float64):
    """Random parameters: the layer as Keras ``SimpleRNN``, W_out Glorot-uniform, b_out 0."""
    W_x, W_y, b = init_layer_params(n_inputs, n_neurons, seed=seed, dtype=dtype)
    rng = np.random.default_rng(None if seed is None else seed + 1)
    limit = np.sqrt(6.0 / (n_neurons + n_outputs))
    W_out = rng.uniform(-limit, limit, size=(n_neurons, n_outputs)).astype(dtype)
    return {"W_x": W_x, "W_y": W_y, "b": b, "W_out": W_out, "b_out": np.zeros(n_outputs, dtype)}


def _forward(params, X, activation):
    H, cache = bptt.forward(X, params["W_x"], params["W_y"], params["b"], activation=activation)
    return H, cache, H @ params["W_out"] + params["b_out"]  # (m, T, n_outputs)


def predict(params, X, activation="tanh", sequence=False):
    """Predictions for ``X`` (m, T, n_inputs).

    Returns (m, n_outputs), the last step, or (m, T, n_outputs) with ``sequence=True``.
    """
    Y_hat = _forward(params, X, activation)[2]
    return Y_hat if sequence else Y_hat[:, -1]


def loss_and_gradients(params, X, Y, activation="tanh", steps=None, truncate=None):
    """MSE on one batch and its gradient with respect to every parameter.

    ``Y`` (m, n_outputs) means sequence-to-vector (``steps`` must be None);
    ``Y`` (m, T, n_outputs) means sequence-to-sequence on ``steps``.
    Returns ``(loss, grads)``, ``grads`` a dict with the keys of ``params``.
    """
    H, cache, Y_hat = _forward(params, X, activation)
    m, T, n_neurons = H.shape
    if np.ndim(Y) == 2:
        if steps is not None:
            raise ValueError("steps is for sequence targets Y (m, T, n_outputs); Y is (m, n_outputs)")
        loss, dY_hat_last = mse(Y_hat[:, -1], Y), mse_grad(Y_hat[:, -1], Y)
        dY_hat = np.zeros_like(Y_hat)
        dY_hat[:, -1] = dY_hat_last  # the earlier outputs are not used by the loss
    else:
        loss, dY_hat = mse(Y_hat, Y, steps), mse_grad(Y_hat, Y, steps)
    dY_hat = dY_hat.astype(H.dtype, copy=False)
    dY_hat_flat = dY_hat.reshape(m * T, -1)
    dW_out = H.reshape(m * T, n_neurons).T @ dY_hat_flat  # dense layer: shared over steps too
    db_out = dY_hat_flat.sum(axis=0)
    dH = dY_hat @ params["W_out"].T  # (m, T, n_neurons): what BPTT receives
    g = bptt.backward(dH, cache, truncate=truncate)
    return loss, {"W_x": g.W_x, "W_y": g.W_y, "b": g.b, "W_out": dW_out, "b_out": db_out}


def train(
    X,
    Y,
    n_neurons=20,
    n_epochs=20,
    learning_rate=0.01,
    batch_size=32,
    activation="tanh",
    steps=None,
    truncate=None,
    X_valid=None,
    Y_valid=None,
    params=None,
    seed=None,
    clip_norm=None,
):
    """Train the model of this module with mini-batch gradient descent.

    X: (m, T, n_inputs); Y: (m, n_outputs) or (m, T, n_outputs) (see the module
    docstring). Starts from ``params`` or :func:`init_params` with ``seed``;
    the batches are shuffled with ``seed`` too, so a seed makes a run
    repeatable. Returns ``(params, history)``, ``history`` a dict with the
    mean training loss per epoch (``"loss"``) and, if ``X_valid``/``Y_valid``
    are given, the validation MSE after each epoch (``"val_loss"``).

    ``clip_norm`` (a positive number, or None for no clipping) clips each
    batch's gradients to that global norm after BPTT and before the update
    (eq. 8.15-8.16); ``history["grad_norm"]`` then holds each epoch's largest
    norm before clipping.
    """
    X = as_float_array("X", X, ndim=3)
    Y = as_float_array("Y", Y)
    m, T, n_inputs = X.shape
    if Y.ndim not in (2, 3) or Y.shape[0] != m or (Y.ndim == 3 and Y.shape[1] != T):
        raise ValueError(
            f"Y must have shape (m, n_outputs) or (m, T, n_outputs) with m = {m}, T = {T}, "
            f"got {Y.shape}"
        )
    if params is None:
        params = init_params(n_inputs, n_neurons, Y.shape[-1], seed=seed, dtype=X.dtype)
    for name, shape, names in (
        ("W_x", (n_inputs, params["W_y"].shape[0]), "(n_inputs, n_neurons)"),
        ("W_out", (params["W_y"].shape[0], Y.shape[-1]), "(n_neurons, n_outputs)"),
    ):
        check_shape(f"params['{name}']", np.asarray(params[name]), shape, names)
    rng = np.random.default_rng(seed)
    history = {"loss": [], "val_loss": []}
    if clip_norm is not None:
        history["grad_norm"] = []
    for _ in range(int(n_epochs)):
        order = rng.permutation(m)
        losses, norms = [], []
        for start in range(0, m, batch_size):
            batch = order[start : start + batch_size]
            loss, grads = loss_and_gradients(params, X[batch], Y[batch], activation, steps, truncate)
            if clip_norm is not None:
                grads, norm = clip_by_norm(grads, clip_norm)  # after backward, before the step
                norms.append(norm)
            params = gradient_descent_step(params, grads, learning_rate)
            losses.append(loss)
        history["loss"].append(float(np.mean(losses)))
        if clip_norm is not None:
            history["grad_norm"].append(max(norms))
        if X_valid is not None:
            Y_hat = predict(params, X_valid, activation, sequence=np.ndim(Y_valid) == 3)
            history["val_loss"].append(mse(Y_hat, Y_valid, steps))
    return params, history
