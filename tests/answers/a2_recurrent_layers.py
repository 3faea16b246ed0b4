"""Assignment 2, recurrent layers: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("layer_step", [
    ("no_bias", "forgets b", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y)
     """),
    ("no_recurrence", "forgets Y(t-1) W_y", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + b)
     """),
    ("W_y_transposed", "Y(t-1) W_y^T", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y.T + b)
     """),
    ("column_vectors", "computes with column vectors, returns (n_neurons, m)", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(W_x.T @ X_t.T + W_y.T @ Y_prev.T + b[:, None])
     """),
    ("bias_after_tanh", "adds b after the activation", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x + Y_prev @ W_y) + b
     """),
    ("first_instance_only", "uses the first instance's inputs for the whole batch", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t[0] @ W_x + Y_prev @ W_y + b)
     """),
    ("delegates", "calls rnnlib's answer", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)
     """),
    ("delegates_to_cell", "a BasicCell from chapter 3 does the same", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return rnnlib.BasicCell(W_x, W_y, b)(X_t, Y_prev)[0]
     """),
    ("W_x_transposed", "X_t @ W_x.T: the shapes do not fit", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(X_t @ W_x.T + Y_prev @ W_y + b)
     """, "the shapes do not fit a matrix product"),
    ("sums_instances", "adds up the instances' rows", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh((X_t @ W_x + Y_prev @ W_y).sum(axis=0) + b)
     """, "the instances must stay apart"),
    ("sigmoid", "the logistic sigmoid instead of tanh", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return 1 / (1 + np.exp(-(X_t @ W_x + Y_prev @ W_y + b)))
     """, "phi is tanh, not the logistic sigmoid"),
]) + answers("concat_weights", [
    ("W_y_on_top", "stacks W_y above W_x", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_y, W_x])
     """),
    ("side_by_side", "stacks the columns", """
        def concat_weights(W_x, W_y):
            return np.hstack([W_x, W_y])
     """),
    ("transposed", "returns W^T", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_x, W_y]).T
     """),
    ("W_y_transposed", "stacks W_y^T", """
        def concat_weights(W_x, W_y):
            return np.vstack([W_x, W_y.T])
     """),
    ("delegates", "calls rnnlib's answer", """
        def concat_weights(W_x, W_y):
            return rnnlib.concat_weights(W_x, W_y)
     """),
    ("list_of_blocks", "returns the two blocks in a list", """
        def concat_weights(W_x, W_y):
            return [W_x, W_y]
     """, "W should be numbers (an array), got list of length 2"),
]) + answers("layer_step_concat", [
    ("wrong_order", "[Y(t-1) X(t)] W", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.hstack([Y_prev, X_t]) @ W + b)
     """),
    ("no_bias", "forgets b", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.hstack([X_t, Y_prev]) @ W)
     """),
    ("split_at_n_neurons", "splits W after n_neurons rows instead of n_inputs", """
        def layer_step_concat(X_t, Y_prev, W, b):
            n = W.shape[1]
            return np.tanh(X_t @ W[-n:] + Y_prev @ W[:-n] + b)
     """),
    ("no_tanh", "returns the pre-activation", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.hstack([X_t, Y_prev]) @ W + b
     """),
    ("delegates", "calls rnnlib's answer", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return rnnlib.layer_step_concat(X_t, Y_prev, W, b)
     """),
    ("delegates_split", "splits W with rnnlib and calls rnnlib.layer_step", """
        def layer_step_concat(X_t, Y_prev, W, b):
            W_x, W_y = rnnlib.split_weights(W, X_t.shape[1])
            return rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)
     """),
    ("concatenates_rows", "concatenates along axis 0 (stacks instances)", """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.concatenate([X_t, Y_prev], axis=0) @ W + b)
     """, "layer_step_concat raised ValueError"),
]) + answers("unroll_layer", [
    ("time_major", "stacks the steps along axis 0: Y is (T, m, n_neurons)", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.array(steps), h
     """),
    ("starts_from_ones", "Y(-1) = 1", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.ones((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=1), h
     """),
    ("no_feedback", "every step starts from zeros", """
        def unroll_layer(X, W_x, W_y, b):
            zeros = np.zeros((X.shape[0], W_x.shape[1]))
            Y = np.stack([rnnlib.layer_step(X[:, t], zeros, W_x, W_y, b)
                          for t in range(X.shape[1])], axis=1)
            return Y, Y[:, -1]
     """),
    ("first_state", "returns the state after the first step as h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            Y = np.stack(steps, axis=1)
            return Y, Y[:, 0]
     """),
    ("loops_over_instances", "takes axis 0 (instances) for time", """
        def unroll_layer(X, W_x, W_y, b):
            X = X.transpose(1, 0, 2)
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=0), h
     """),
    ("Y_only", "returns Y without h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h = np.zeros((X.shape[0], W_x.shape[1]))
            steps = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            return np.stack(steps, axis=1)
     """),
    ("delegates", "calls rnnlib's answer", """
        def unroll_layer(X, W_x, W_y, b):
            return rnnlib.unroll_layer(X, W_x, W_y, b)
     """),
    ("delegates_to_cell", "runs a BasicCell with rnnlib.run_cell (chapter 3)", """
        def unroll_layer(X, W_x, W_y, b):
            return rnnlib.run_cell(rnnlib.BasicCell(W_x, W_y, b), X)
     """),
    ("h_T_is_Y", "returns every output as h_T", """
        def unroll_layer(X, W_x, W_y, b):
            h, steps = np.zeros((X.shape[0], W_x.shape[1])), []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                steps.append(h)
            Y = np.stack(steps, axis=1)
            return Y, Y
     """, "h_T has shape (2, 3, 2) but expected (2, 2): h_T is the state after the last step"),
    ("misses_last_step", "loops over range(T - 1)", """
        def unroll_layer(X, W_x, W_y, b):
            m, T, _ = X.shape
            Y = np.zeros((m, T, W_x.shape[1]))
            h = np.zeros((m, W_x.shape[1]))
            for t in range(T - 1):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                Y[:, t] = h
            return Y, h
     """, "the last time step is missing"),
])

VALID = answers("layer_step", [
    ("neurons_one_by_one", "chapter 1's neuron for each instance and neuron", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            m, n_neurons = Y_prev.shape
            Y = np.empty((m, n_neurons))
            for i in range(m):
                inputs = np.concatenate([X_t[i], Y_prev[i]])
                for j in range(n_neurons):
                    weights = np.concatenate([W_x[:, j], W_y[:, j]])
                    Y[i, j] = rnnlib.neuron_step(inputs, 0.0, weights, 0.0, b[j])
            return Y
     """),
    ("einsum", "np.einsum", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            Z = np.einsum("mi,in->mn", X_t, W_x) + np.einsum("mk,kn->mn", Y_prev, W_y)
            return np.tanh(Z + b[None, :])
     """),
    ("computes_in_float32", "computes in float32 (the task asks for no dtype; 7 digits are enough)", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            X_t, Y_prev, W_x, W_y, b = (np.asarray(a, dtype=np.float32) for a in (X_t, Y_prev, W_x, W_y, b))
            return np.tanh(X_t @ W_x + Y_prev @ W_y + b)
     """),
    ("dot_and_broadcast", "np.dot and an explicit row of biases", """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(np.dot(X_t, W_x) + np.dot(Y_prev, W_y) + b[np.newaxis, :])
     """),
]) + answers("concat_weights", [
    ("concatenate", "np.concatenate along axis 0", """
        def concat_weights(W_x, W_y):
            return np.concatenate((W_x, W_y), axis=0)
     """),
    ("r_", "np.r_", """
        def concat_weights(W_x, W_y):
            return np.r_[W_x, W_y]
     """),
]) + answers("layer_step_concat", [
    ("split_products", "the two blocks of W, one product each", """
        def layer_step_concat(X_t, Y_prev, W, b):
            n_inputs = X_t.shape[1]
            return np.tanh(X_t @ W[:n_inputs] + Y_prev @ W[n_inputs:] + b)
     """),
    ("concatenate", "np.concatenate on axis 1", """
        def layer_step_concat(X_t, Y_prev, W, b):
            XY = np.concatenate((X_t, Y_prev), axis=1)
            return np.tanh(np.dot(XY, W) + b)
     """),
]) + answers("unroll_layer", [
    ("precomputed_inputs", "X W_x for every step at once, no rnnlib", """
        def unroll_layer(X, W_x, W_y, b):
            XW = X @ W_x + b
            Y = np.zeros(XW.shape)
            h = np.zeros(XW[:, 0].shape)
            for t in range(X.shape[1]):
                h = np.tanh(XW[:, t] + h @ W_y)
                Y[:, t] = h
            return Y, h
     """),
    ("concatenated_form", "rnnlib's concatenated step, allowed here", """
        def unroll_layer(X, W_x, W_y, b):
            W = rnnlib.concat_weights(W_x, W_y)
            h = np.zeros((len(X), len(b)))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                h = rnnlib.layer_step_concat(X_t, h, W, b)
                outputs.append(h)
            return np.stack(outputs, axis=1), outputs[-1]
     """),
    ("preallocated_own_step", "a preallocated array and the notebook's own layer_step", """
        def unroll_layer(X, W_x, W_y, b):
            m, T, _ = X.shape
            Y = np.empty((m, T, len(b)))
            h = np.zeros((m, len(b)))
            for t in range(T):
                Y[:, t] = h = np.tanh(X[:, t] @ W_x + h @ W_y + b)
            return Y, Y[:, -1].copy()
     """),
])

CONSTANT = {
    "layer_step": """
        def layer_step(X_t, Y_prev, W_x, W_y, b):
            return np.tanh(np.array([[0.1, 0.3, 0.2, 0.6], [0.4, -0.1, -0.1, 0.4],
                                     [0.1, 0.3, 0.5, 1.2]]))
    """,
    "concat_weights": """
        def concat_weights(W_x, W_y):
            return np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [-1.0, -2.0, -3.0],
                             [-4.0, -5.0, -6.0], [-7.0, -8.0, -9.0]])
    """,
    "layer_step_concat": """
        def layer_step_concat(X_t, Y_prev, W, b):
            return np.tanh(np.array([[0.1, 0.3, 0.2, 0.6], [0.4, -0.1, -0.1, 0.4],
                                     [0.1, 0.3, 0.5, 1.2]]))
    """,
    "unroll_layer": """
        def unroll_layer(X, W_x, W_y, b):
            t = np.tanh
            Y = np.array([
                [[t(0.6), t(-0.5)], [t(0.1), t(t(0.6))], [t(-0.4), t(0.5 + t(0.1))]],
                [[t(0.1), 0.0], [t(1.1), t(-1.0 + t(0.1))], [t(0.1), t(t(1.1))]],
            ])
            return Y, Y[:, -1]
    """,
}
