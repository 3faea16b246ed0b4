"""Assignment 1, recurrent neurons: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("neuron_step", [
    ("no_bias", "forgets b", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + w_y * y_prev)
     """),
    ("no_recurrence", "forgets the previous output", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + b)
     """),
    ("no_tanh", "returns the pre-activation", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return x_t @ w_x + w_y * y_prev + b
     """),
    ("elementwise", "multiplies elementwise without summing", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t * w_x + w_y * y_prev + b)
     """),
    ("one_element_array", "a (1, n) matrix product: an array of shape (1,), not a number", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(w_x.reshape(1, -1) @ x_t + w_y * y_prev + b)
     """),
    ("delegates", "calls rnnlib's answer", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)
     """),
    ("shadows_the_checks", "redefines `grading` and `np` so that checks pass", """
        class grading:
            call = staticmethod(lambda func, args, **kwargs: 0.0)
            check_array = staticmethod(lambda *args, **kwargs: None)

        class np:
            tanh = staticmethod(lambda z: 0.0)

        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return 0.0
     """),
    ("delegates_to_layer", "a layer of one neuron from rnnlib.layer", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            Y = rnnlib.layer_step(x_t[None], np.array([[y_prev]]), w_x[:, None],
                                  np.array([[w_y]]), np.array([b]))
            return Y[0, 0]
     """),
    ("sigmoid", "the logistic sigmoid instead of tanh", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return 1 / (1 + np.exp(-(x_t @ w_x + w_y * y_prev + b)))
     """, "phi is tanh, not the logistic sigmoid"),
    ("relu", "ReLU instead of tanh (equal to the missing-tanh value on the worked case)", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return max(0.0, x_t @ w_x + w_y * y_prev + b)
     """, "phi is tanh, not ReLU"),
    ("y_prev_unweighted", "adds y_prev without w_y", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + y_prev + b)
     """, "the previous output must be weighted by w_y"),
    ("bias_subtracted", "a sign error on the bias", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(x_t @ w_x + w_y * y_prev - b)
     """, "the bias is subtracted: add b"),
]) + answers("unroll_neuron", [
    ("starts_from_one", "the state before the first step is 1", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 1.0
            for t in range(len(x)):
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
                y_hat[t] = y
            return y_hat
     """),
    ("shifted", "stores the previous output instead of the new one", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 0.0
            for t in range(len(x)):
                y_hat[t] = y
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
            return y_hat
     """),
    ("no_feedback", "feeds 0 back at every step", """
        def unroll_neuron(x, w_x, w_y, b):
            return np.array([rnnlib.neuron_step(x_t, 0.0, w_x, w_y, b) for x_t in x])
     """),
    ("only_last", "returns the last output only", """
        def unroll_neuron(x, w_x, w_y, b):
            y = 0.0
            for x_t in x:
                y = rnnlib.neuron_step(x_t, y, w_x, w_y, b)
            return y
     """),
    ("keeps_state", "remembers the state of the previous call", """
        _state = {"y": 0.0}

        def unroll_neuron(x, w_x, w_y, b):
            y_hat = np.zeros(len(x))
            for t in range(len(x)):
                _state["y"] = rnnlib.neuron_step(x[t], _state["y"], w_x, w_y, b)
                y_hat[t] = _state["y"]
            return y_hat
     """),
    ("delegates", "calls rnnlib's answer", """
        def unroll_neuron(x, w_x, w_y, b):
            return rnnlib.unroll_neuron(x, w_x, w_y, b)
     """),
    ("delegates_to_layer", "unrolls a one-neuron layer with rnnlib.unroll_layer", """
        def unroll_neuron(x, w_x, w_y, b):
            Y, _ = rnnlib.unroll_layer(x[None], w_x[:, None], np.array([[w_y]]), np.array([b]))
            return Y[0, :, 0]
     """),
    ("includes_initial_state", "returns y_hat(-1) = 0 and the T outputs", """
        def unroll_neuron(x, w_x, w_y, b):
            outputs = [0.0]
            for x_t in x:
                outputs.append(rnnlib.neuron_step(x_t, outputs[-1], w_x, w_y, b))
            return np.array(outputs)
     """, "it starts with the initial state y_hat(-1) = 0"),
    ("misses_last_step", "an off-by-one in the loop bound: range(T - 1)", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat, y = np.zeros(len(x)), 0.0
            for t in range(len(x) - 1):
                y = rnnlib.neuron_step(x[t], y, w_x, w_y, b)
                y_hat[t] = y
            return y_hat
     """, "the last step is missing: loop over every t = 0, ..., T-1"),
]) + answers("ema_weights", [
    ("swapped", "weights the input by 1 - alpha and the memory by alpha", """
        def ema_weights(alpha):
            return np.array([1 - alpha]), alpha, 0.0
     """),
    ("with_bias", "adds alpha as a bias", """
        def ema_weights(alpha):
            return np.array([alpha]), 1 - alpha, alpha
     """),
    ("sign", "w_y = alpha - 1", """
        def ema_weights(alpha):
            return np.array([alpha]), alpha - 1, 0.0
     """),
    ("scalar_w_x", "w_x is a number, not an array of one weight per input", """
        def ema_weights(alpha):
            return alpha, 1 - alpha, 0.0
     """),
    ("memory_weight_one", "keeps the whole memory: w_y = 1", """
        def ema_weights(alpha):
            return np.array([alpha]), 1.0, 0.0
     """, "the memory y_hat(t-1) is weighted by 1 - alpha, not 1"),
])

VALID = answers("neuron_step", [
    ("python_loop", "a plain loop and math.tanh", """
        import math

        def neuron_step(x_t, y_prev, w_x, w_y, b):
            z = b + w_y * y_prev
            for w, x in zip(w_x, x_t):
                z += w * x
            return math.tanh(z)
     """),
    ("activation_module", "np.dot and rnnlib's tanh (rnnlib.activations is allowed)", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            phi = rnnlib.get_activation("tanh").forward
            return phi(np.dot(w_x, x_t) + w_y * y_prev + b)
     """),
    ("einsum_float32_safe", "np.einsum for the dot product, np.float64 result", """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.float64(np.tanh(np.einsum("i,i->", x_t, w_x) + w_y * y_prev + b))
     """),
]) + answers("unroll_neuron", [
    ("vectorised_inputs", "w_x . x(t) for every t at once, a list of outputs", """
        def unroll_neuron(x, w_x, w_y, b):
            outputs, y = [], 0.0
            for z_x in x @ w_x:
                y = np.tanh(z_x + w_y * y + b)
                outputs.append(y)
            return np.array(outputs)
     """),
    ("own_step", "uses the notebook's own neuron_step (correct here)", """
        def unroll_neuron(x, w_x, w_y, b):
            y_hat = np.empty(x.shape[0])
            y = 0
            for t, x_t in enumerate(x):
                y = y_hat[t] = neuron_step(x_t, y, w_x, w_y, b)
            return y_hat
     """),
]) + answers("ema_weights", [
    ("lists", "a list and Python numbers", """
        def ema_weights(alpha):
            return [alpha], 1 - alpha, 0
     """),
    ("numpy_scalars", "numpy scalars and a list as the result", """
        def ema_weights(alpha):
            w_x = np.full(1, alpha)
            return [w_x, np.float64(1.0) - alpha, np.zeros(())]
     """),
    ("zero_d_arrays", "w_y and b as 0-d arrays", """
        def ema_weights(alpha):
            return np.array([alpha], dtype=float), np.array(1.0 - alpha), np.array(0.0)
     """),
])

CONSTANT = {
    "neuron_step": """
        def neuron_step(x_t, y_prev, w_x, w_y, b):
            return np.tanh(0.5)
    """,
    "unroll_neuron": """
        def unroll_neuron(x, w_x, w_y, b):
            y0 = np.tanh(0.75)
            y1 = np.tanh(y0 + 0.25)
            return np.array([y0, y1, np.tanh(-0.25 + y1)])
    """,
    "ema_weights": """
        def ema_weights(alpha):
            return np.array([0.25]), 0.75, 0.0
    """,
}
