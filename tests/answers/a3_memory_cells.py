"""Assignment 3, memory cells: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("projection_step", [
    ("output_is_state", "no projection: returns the state as the output", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t, h_t
     """),
    ("swapped", "returns (h_t, y_t)", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t, h_t @ W_o + b_o
     """),
    ("from_previous_state", "reads the output from h(t-1)", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_prev @ W_o + b_o, h_t
     """),
    ("tanh_on_output", "applies tanh to the projection too", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return np.tanh(h_t @ W_o + b_o), h_t
     """),
    ("no_output_bias", "forgets b_o", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = rnnlib.layer_step(x_t, h_prev, W_x, W_y, b)
            return h_t @ W_o, h_t
     """),
    ("state_is_output", "returns the output as the new state", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            y_t = np.tanh(x_t @ W_x + h_prev @ W_y + b) @ W_o + b_o
            return y_t, y_t
     """),
    ("delegates", "calls rnnlib's ProjectionCell", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            return rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)(x_t, h_prev)
     """),
    ("W_o_transposed", "h_t @ W_o.T: the shapes do not fit", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = np.tanh(x_t @ W_x + h_prev @ W_y + b)
            return h_t @ W_o.T + b_o, h_t
     """, "the shapes do not fit a matrix product"),
    ("output_before_tanh", "reads the output from z(t), before tanh", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            z = x_t @ W_x + h_prev @ W_y + b
            return z @ W_o + b_o, np.tanh(z)
     """, "y(t) is read from the state h(t) = tanh(...), after tanh"),
]) + answers("run_projection_cell", [
    ("feeds_back_output", "passes the output on to the next step instead of the state", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            m, T, _ = X.shape
            y, outputs = np.zeros((m, W_y.shape[0])), []
            for t in range(T):
                h = rnnlib.layer_step(X[:, t], y, W_x, W_y, b)
                y = h @ W_o + b_o
                outputs.append(y)
            return np.stack(outputs, axis=1), h
     """),
    ("states_as_outputs", "returns the states h(t) as Y", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            return rnnlib.unroll_layer(X, W_x, W_y, b)
     """),
    ("last_output_as_state", "returns the last output as h_T", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            Y = H @ W_o + b_o
            return Y, Y[:, -1]
     """),
    ("time_major", "stacks the steps along axis 0", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            h = np.zeros((X.shape[0], len(b)))
            outputs = []
            for t in range(X.shape[1]):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                outputs.append(h @ W_o + b_o)
            return np.array(outputs), h
     """),
    ("starts_from_ones", "h(-1) = 1", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, h_T = rnnlib.unroll_layer(X, W_x, W_y, b, h0=np.ones((X.shape[0], len(b))))
            return H @ W_o + b_o, h_T
     """),
    ("delegates", "runs rnnlib's ProjectionCell with rnnlib.run_cell", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            return rnnlib.run_cell(rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o), X)
     """),
    ("only_last_output", "returns the last output only, as a sequence-to-vector model would", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            H, h_T = rnnlib.unroll_layer(X, W_x, W_y, b)
            return h_T @ W_o + b_o, h_T
     """, "it is only the last output: return every output"),
]) + answers("influence", [
    ("all_features_at_once", "nudges the whole input vector, as the chapter does", """
        def influence(run, x, k, eps=1e-6):
            T = len(x)
            nudged = x.copy()
            nudged[T - 1 - k] += eps
            Y = run(np.stack([x, nudged]))
            return np.linalg.norm(Y[1, -1] - Y[0, -1]) / eps
     """),
    ("off_by_one", "nudges x(T - k)", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - k, j] += eps
                J.append((run(nudged[None])[0, -1] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("from_the_start", "nudges x(k), counting from the start", """
        def influence(run, x, k, eps=1e-6):
            base = run(x[None])[0, -1]
            J = []
            for j in range(x.shape[1]):
                nudged = x.copy()
                nudged[k, j] += eps
                J.append((run(nudged[None])[0, -1] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("no_division", "forgets to divide by eps", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append(run(nudged[None])[0, -1] - base)
            return np.linalg.norm(np.array(J))
     """),
    ("sum_of_abs", "the sum of |J_ij| instead of the Frobenius norm", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            total = 0.0
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                total += np.abs((run(nudged[None])[0, -1] - base) / eps).sum()
            return total
     """),
    ("largest_entry", "the largest |J_ij|", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            cols = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                cols.append((run(nudged[None])[0, -1] - base) / eps)
            return np.abs(np.array(cols)).max()
     """),
    ("first_output", "measures the change of the first output", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, 0]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append((run(nudged[None])[0, 0] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("coarse_step", "ignores eps and nudges by 0.01", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0, -1]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += 0.01
                J.append((run(nudged[None])[0, -1] - base) / 0.01)
            return np.linalg.norm(np.array(J))
     """),
    ("all_outputs", "the change of every output, not just the last", """
        def influence(run, x, k, eps=1e-6):
            T, n = x.shape
            base = run(x[None])[0]
            J = []
            for j in range(n):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                J.append((run(nudged[None])[0] - base) / eps)
            return np.linalg.norm(np.array(J))
     """),
    ("nudges_x_in_place", "adds eps to the caller's x and never takes it back", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[None])[0, -1]
            columns = []
            for j in range(n_inputs):
                x[T - 1 - k, j] += eps
                columns.append((run(x[None])[0, -1] - base) / eps)
            return np.sqrt(np.sum(np.array(columns) ** 2))
     """, "changed its argument x (array of shape (5, 2), dtype float64) in place"),
    ("no_square_root", "the sum of squares, without the square root", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[None])[0, -1]
            total = 0.0
            for j in range(n_inputs):
                nudged = x.copy()
                nudged[T - 1 - k, j] += eps
                total += np.sum(((run(nudged[None])[0, -1] - base) / eps) ** 2)
            return total
     """, "take the square root of the sum of squares"),
]) + answers("memory_horizon", [
    ("first_crossing", "the first k below the threshold", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.argmax(I < threshold * I.max()))
     """),
    ("relative_to_first", "compares with I[0] instead of the largest influence", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.flatnonzero(I >= threshold * I[0])[-1]) + 1
     """),
    ("strict", "'at least' read as 'more than'", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            above = np.flatnonzero(I > threshold * I.max())
            return int(above[-1]) + 1
     """),
    ("last_index", "returns the last relevant k, not the count", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.flatnonzero(I >= threshold * I.max())[-1])
     """),
    ("absolute_threshold", "compares I with the threshold itself", """
        def memory_horizon(I, threshold):
            relevant = [k for k, v in enumerate(I) if v >= threshold]
            return relevant[-1] + 1 if relevant else 1
     """, "memory_horizon(I=[4.0, 2.0, 0.5, 0.3], threshold=0.1) returned 4, expected 3: "
          "relevance is relative to the largest influence"),
    ("counts_relevant", "counts the relevant inputs", """
        def memory_horizon(I, threshold):
            I = np.asarray(I)
            return int(np.sum(I >= threshold * I.max()))
     """),
    ("relative_to_sum", "compares with threshold times the sum of I, not its largest value", """
        def memory_horizon(I, threshold):
            I = np.asarray(I, dtype=float)
            relevant = np.flatnonzero(I >= threshold * I.sum())
            return int(relevant[-1]) + 1 if len(relevant) else 1
     """, "memory_horizon(I=[1.0, 0.5, 0.25, 0.125, 0.0625], threshold=0.2) returned 2, expected 3"),
])

VALID = answers("projection_step", [
    ("layer_step_and_einsum", "chapter 2's layer step, then np.einsum", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h_t = rnnlib.layer_step(x_t, h_prev, W_x, W_y, b)
            return np.einsum("mn,no->mo", h_t, W_o) + b_o, h_t
     """),
    ("concatenated", "the concatenated weights of eq. 2.2", """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            W = np.vstack([W_x, W_y])
            h_t = np.tanh(np.hstack([x_t, h_prev]) @ W + b)
            y_t = np.dot(h_t, W_o) + b_o[None, :]
            return (y_t, h_t)
     """),
]) + answers("run_projection_cell", [
    ("loop", "a loop over the steps with rnnlib.layer_step, outputs in a preallocated array", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            m, T, _ = X.shape
            Y = np.empty((m, T, W_o.shape[1]))
            h = np.zeros((m, W_x.shape[1]))
            for t in range(T):
                h = rnnlib.layer_step(X[:, t], h, W_x, W_y, b)
                Y[:, t] = h @ W_o + b_o
            return Y, h
     """),
    ("own_step", "the notebook's own projection_step (correct here)", """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            h = np.zeros((len(X), len(b)))
            outputs = []
            for X_t in np.moveaxis(X, 1, 0):
                y, h = projection_step(X_t, h, W_x, W_y, b, W_o, b_o)
                outputs.append(y)
            return np.stack(outputs, axis=1), h
     """),
]) + answers("influence", [
    ("central_differences", "a loop over features, central differences", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            columns = []
            for j in range(n_inputs):
                plus, minus = x.copy(), x.copy()
                plus[T - 1 - k, j] += eps
                minus[T - 1 - k, j] -= eps
                Y = run(np.stack([plus, minus]))
                columns.append((Y[0, -1] - Y[1, -1]) / (2 * eps))
            return float(np.sqrt(sum(np.sum(c ** 2) for c in columns)))
     """),
    ("negative_index", "indexes from the end with x[-1 - k], one run per feature", """
        def influence(run, x, k, eps=1e-6):
            base = run(np.expand_dims(x, 0))[0, -1]
            total = 0.0
            for j in range(x.shape[1]):
                nudged = np.array(x, dtype=float)
                nudged[-1 - k, j] = nudged[-1 - k, j] + eps
                change = run(np.expand_dims(nudged, 0))[0, -1] - base
                total += np.sum((change / eps) ** 2)
            return total ** 0.5
     """),
    ("one_run_per_feature", "one call of run per nudged feature, a loop", """
        def influence(run, x, k, eps=1e-6):
            T, n_inputs = x.shape
            base = run(x[np.newaxis])[0, T - 1]
            J = np.zeros((base.shape[0], n_inputs))
            for j in range(n_inputs):
                nudged = x.copy()
                nudged[T - 1 - k, j] = nudged[T - 1 - k, j] + eps
                J[:, j] = (run(nudged[np.newaxis])[0, T - 1] - base) / eps
            return float(np.linalg.norm(J))
     """),
]) + answers("memory_horizon", [
    ("walk_back", "walks back from the oldest input", """
        def memory_horizon(I, threshold):
            level = threshold * max(I)
            h = len(I)
            while I[h - 1] < level:
                h -= 1
            return h
     """),
    ("reversed_argmax", "the first relevant input of the reversed curve", """
        def memory_horizon(I, threshold):
            I = np.asarray(I, dtype=float)
            relevant_from_oldest = I[::-1] >= threshold * np.max(I)
            return len(I) - int(np.argmax(relevant_from_oldest))
     """),
])

CONSTANT = {
    "projection_step": """
        def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):
            h = np.tanh(np.array([[0.3, 0.0, -0.2], [0.35, 0.4, 0.0]]))
            return h[:, [0]] - h[:, [2]] + 0.5, h
    """,
    "run_projection_cell": """
        def run_projection_cell(X, W_x, W_y, b, W_o, b_o):
            t = np.tanh
            H = np.array([[[t(1.1), 0.0], [t(0.1), t(t(1.1))], [t(-0.9), t(t(0.1))]],
                          [[t(0.1), 0.0], [t(2.1), t(t(0.1))], [t(0.1), t(t(2.1))]]])
            return H[:, :, ::-1] + np.array([0.5, 0.0]), H[:, -1]
    """,
    "influence": """
        def influence(run, x, k, eps=1e-6):
            return 3 * 0.5 ** k
    """,
    "memory_horizon": """
        def memory_horizon(I, threshold):
            return {5: 3, 4: 3, 6: 4, 3: 3}.get(len(I), 4) if len(I) != 5 or I[0] >= 0.5 else 4
    """,
}
