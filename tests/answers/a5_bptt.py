"""Assignment 5, backpropagation through time: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("backward_step", [
    ("no_tanh_derivative", "dz(t) = dh(t): forgets phi'", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("derivative_at_h_prev", "takes 1 - h(t-1)**2 as the derivative", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_prev ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("tanh_twice", "computes 1 - tanh(h(t))**2, as if h(t) were z(t)", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - np.tanh(h_t) ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("dW_y_with_h_t", "pairs dz(t) with h(t) in dW_y", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_t.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """),
    ("W_y_not_transposed", "sends dz(t) W_y back instead of dz(t) W_y^T", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y
     """),
    ("db_not_summed", "db keeps one row per instance", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz, dz @ W_y.T
     """),
    ("db_mean", "averages dz over the instances instead of summing", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.mean(axis=0), dz @ W_y.T
     """),
    ("dh_prev_skips_tanh", "sends dh(t) W_y^T back, skipping phi'", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dh_t @ W_y.T
     """),
    ("delegates", "hands a one-step cache to rnnlib.bptt.backward", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            W_x = np.zeros((X_t.shape[1], len(W_y)))
            cache = rnnlib.bptt.Cache(X_t[None], W_x, W_y, np.stack([h_prev, h_t]),
                                      rnnlib.get_activation("tanh"))
            g = rnnlib.bptt.backward(dh_t[:, None], cache)
            return dh_t * (1 - h_t ** 2), g.W_x, g.W_y, g.b, g.h0
     """),
    ("dW_x_transposed", "dz^T X(t): the transpose of dW_x", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1.0 - h_t ** 2)
            return dz, dz.T @ X_t, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """, "dW_x has shape (2, 1) but expected (1, 2): dW_x has the shape of W_x"),
    ("float32", "converts everything to float32 first", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dh_t, h_t, h_prev, X_t, W_y = (a.astype(np.float32) for a in (dh_t, h_t, h_prev, X_t, W_y))
            dz = dh_t * (1 - h_t ** 2)
            return dz, X_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0), dz @ W_y.T
     """, "as float32 would: compute in float64"),
]) + answers("bptt_gradients", [
    ("no_recurrent_path", "dh(t) = dY(t) only: the gradient never flows back through the states", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            for t in range(T):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(Y[:, 0])
                dz = dY[:, t] * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("loss_on_every_step", "ignores k: the loss reads all T outputs", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y - target
            dY = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("first_k_steps", "the loss reads the first k outputs", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, :k] - target[:, :k]
            dY = np.zeros_like(Y)
            dY[:, :k] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("mean_over_instances_only", "divides by m * k instead of N = m * k * n_neurons", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / (m * k)
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.sum(diff ** 2) / (m * k), dW_x, dW_y, db
     """),
    ("dW_y_with_h_t", "pairs dz(t) with h(t) in dW_y", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += Y[:, t].T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("wraps_h_prev", "takes Y[:, t - 1] for h(t-1) at t = 0 too, which is the last state", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += Y[:, t - 1].T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("passes_dh_back", "sends dh(t) W_y^T back, skipping phi' on the recurrent path", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dh = dY[:, t] + back
                dz = dh * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dh @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("float32", "computes everything in float32", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            X, W_x, W_y, b, target = (a.astype(np.float32) for a in (X, W_x, W_y, b, target))
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2 * diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros_like(Y[:, 0])
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """),
    ("delegates", "calls rnnlib.bptt and rnnlib.losses", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            steps = slice(-k, None)
            g = rnnlib.bptt.backward(rnnlib.mse_grad(Y, target, steps=steps), cache)
            return rnnlib.mse(Y, target, steps=steps), g.W_x, g.W_y, g.b
     """),
    ("sum_not_mean", "adds up the squared errors instead of averaging them (loss and gradients)", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            loss = np.sum(diff ** 2)
            dY = np.zeros_like(Y)
            dY[:, T - k:] = 2.0 * diff
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros((m, W_y.shape[0]))
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1.0 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return loss, dW_x, dW_y, db
     """, "the loss is the mean over all N = m * k * n_neurons squared errors"),
    ("half_gradient", "dY(t) = (1 / N) (Y_hat - Y): the factor 2 of the square is missing", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            diff = Y[:, T - k:] - target[:, T - k:]
            dY = np.zeros_like(Y)
            dY[:, T - k:] = diff / diff.size
            dW_x, dW_y, db = np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)
            back = np.zeros((m, W_y.shape[0]))
            for t in reversed(range(T)):
                h_prev = Y[:, t - 1] if t > 0 else np.zeros_like(back)
                dz = (dY[:, t] + back) * (1.0 - Y[:, t] ** 2)
                dW_x += X[:, t].T @ dz
                dW_y += h_prev.T @ dz
                db += dz.sum(axis=0)
                back = dz @ W_y.T
            return np.mean(diff ** 2), dW_x, dW_y, db
     """, "the direction is right but the scale is not"),
]) + answers("numeric_gradient", [
    ("forward_difference", "(f(x + eps e_i) - f(x)) / eps", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            f_x = f(x)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                grad[i] = (f(x) - f_x) / eps
                x[i] = old
            return grad
     """),
    ("divides_by_eps", "divides the centred difference by eps, not 2 eps", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                up = f(x)
                x[i] = old - eps
                grad[i] = (up - f(x)) / eps
                x[i] = old
            return grad
     """),
    ("all_at_once", "moves every entry at once", """
        def numeric_gradient(f, x, eps):
            slope = (f(x + eps) - f(x - eps)) / (2 * eps)
            return np.full(np.shape(x), slope)
     """),
    ("fixed_eps", "ignores eps and uses 1e-5", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + 1e-5
                up = f(x)
                x[i] = old - 1e-5
                grad[i] = (up - f(x)) / 2e-5
                x[i] = old
            return grad
     """),
    ("perturbs_callers_x", "moves the entries of the caller's x and does not put them back", """
        def numeric_gradient(f, x, eps):
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                x[i] += eps
                up = f(x)
                x[i] -= 2 * eps
                grad[i] = (up - f(x)) / (2 * eps)
            return grad
     """),
    ("flat", "returns a flat vector, not an array shaped like x", """
        def numeric_gradient(f, x, eps):
            flat = np.array(x, dtype=float).ravel()
            grad = []
            for i in range(flat.size):
                e = np.zeros_like(flat)
                e[i] = eps
                grad.append((f((flat + e).reshape(np.shape(x))) - f((flat - e).reshape(np.shape(x)))) / (2 * eps))
            return np.array(grad)
     """),
    ("delegates", "calls rnnlib.numeric_gradient", """
        def numeric_gradient(f, x, eps):
            return rnnlib.numeric_gradient(f, x, eps=eps)
     """),
    ("not_put_back", "leaves each entry at x_i - eps before moving the next one", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=float)
            grad = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                old = x[i]
                x[i] = old + eps
                up = f(x)
                x[i] = old - eps
                grad[i] = (up - f(x)) / (2 * eps)
            return grad
     """, "after moving entry i, put it back"),
]) + answers("relative_error", [
    ("no_floor", "divides by |a_i| + |b_i| with no floor: 0/0 is NaN", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
     """),
    ("mean", "the mean ratio instead of the largest", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.mean(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
     """),
    ("abs_of_sum", "|a_i + b_i| in the denominator", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a + b))))
     """),
    ("relative_to_b", "divides by |b_i| only", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(b))))
     """),
    ("signed", "no absolute value in the numerator", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.max((a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
     """),
    ("norms", "a ratio of norms, not the largest entry-wise ratio", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            return float(np.linalg.norm(a - b) / max(1e-8, np.linalg.norm(a) + np.linalg.norm(b)))
     """),
    ("delegates", "calls rnnlib.relative_error", """
        def relative_error(a, b):
            return rnnlib.relative_error(a, b)
     """),
    ("returns_every_ratio", "returns the array of ratios instead of their maximum", """
        def relative_error(a, b):
            return np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))
     """, "should be a single number, got array of shape (3,), dtype float64"),
]) + answers("train_step", [
    ("uphill", "adds the gradient", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return (W_x + learning_rate * dW_x, W_y + learning_rate * dW_y,
                    b + learning_rate * db, loss)
     """),
    ("no_learning_rate", "subtracts the whole gradient", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return W_x - dW_x, W_y - dW_y, b - db, loss
     """),
    ("b_fixed", "updates W_x and W_y but not b", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b, loss
     """),
    ("loss_after", "returns the loss after the step", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            _, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x, W_y, b = W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b - learning_rate * db
            loss = bptt_gradients(X, W_x, W_y, b, target, k)[0]
            return W_x, W_y, b, loss
     """),
    ("in_place", "updates the caller's arrays in place", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x -= learning_rate * dW_x
            W_y -= learning_rate * dW_y
            b -= learning_rate * db
            return W_x, W_y, b, loss
     """),
    ("all_steps", "trains on the loss of every output, not the last k", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            g = rnnlib.bptt.backward(rnnlib.mse_grad(Y, target), cache)
            return (W_x - learning_rate * g.W_x, W_y - learning_rate * g.W_y,
                    b - learning_rate * g.b, rnnlib.mse(Y, target))
     """),
    ("delegates", "rnnlib.gradient_descent_step makes the step", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            new = rnnlib.gradient_descent_step((W_x, W_y, b), (dW_x, dW_y, db), learning_rate)
            return (*new, loss)
     """),
    ("loss_first", "returns (loss, W_x, W_y, b): the loss first", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, dW_x, dW_y, db = bptt_gradients(X, W_x, W_y, b, target, k)
            return loss, W_x - learning_rate * dW_x, W_y - learning_rate * dW_y, b - learning_rate * db
     """, "the new W_x has shape () but expected (2, 3)"),
])

VALID = answers("backward_step", [
    ("instance_loop", "one instance at a time, with outer products", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = np.empty_like(dh_t)
            dW_x = np.zeros((X_t.shape[1], dh_t.shape[1]))
            dW_y = np.zeros_like(W_y)
            db = np.zeros(dh_t.shape[1])
            dh_prev = np.empty_like(h_prev)
            for i in range(len(dh_t)):
                dz[i] = dh_t[i] * (1 - h_t[i] * h_t[i])
                dW_x += np.outer(X_t[i], dz[i])
                dW_y += np.outer(h_prev[i], dz[i])
                db += dz[i]
                dh_prev[i] = W_y @ dz[i]
            return dz, dW_x, dW_y, db, dh_prev
     """),
    ("einsum", "np.einsum and rnnlib's derivative of tanh (rnnlib.activations is allowed)", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * rnnlib.get_activation("tanh").derivative_from_output(h_t)
            return (dz, np.einsum("mi,mn->in", X_t, dz), np.einsum("mk,mn->kn", h_prev, dz),
                    np.einsum("mn->n", dz), np.einsum("mn,kn->mk", dz, W_y))
     """),
    ("einsum_everything", "every product with np.einsum", """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            dz = dh_t * (1 - np.square(h_t))
            return (dz, np.einsum("mi,mj->ij", X_t, dz), np.einsum("mi,mj->ij", h_prev, dz),
                    np.einsum("mj->j", dz), np.einsum("mj,ij->mi", dz, W_y))
     """),
]) + answers("bptt_gradients", [
    ("own_backward_step", "the notebook's backward_step in a loop, states from unroll_layer", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, _ = X.shape
            Y, _ = rnnlib.unroll_layer(X, W_x, W_y, b)
            states = [np.zeros((m, len(b)))] + [Y[:, t] for t in range(T)]
            N = m * k * len(b)
            loss = 0.0
            grads = [np.zeros_like(W_x), np.zeros_like(W_y), np.zeros_like(b)]
            dh_next = np.zeros((m, len(b)))
            for t in range(T - 1, -1, -1):
                dh = dh_next.copy()
                if t >= T - k:
                    error = Y[:, t] - target[:, t]
                    loss += np.sum(error ** 2) / N
                    dh += 2 * error / N
                dz, dW_x, dW_y, db, dh_next = backward_step(dh, states[t + 1], states[t], X[:, t], W_y)
                grads[0] += dW_x
                grads[1] += dW_y
                grads[2] += db
            return loss, *grads
     """),
    ("time_major_vectorised", "states time-major, dW_x and db summed after the loop", """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            m, T, n_inputs = X.shape
            X_tm = X.transpose(1, 0, 2)
            H = np.zeros((T + 1, m, len(b)))
            for t in range(T):
                H[t + 1] = np.tanh(X_tm[t] @ W_x + H[t] @ W_y + b)
            dY = np.zeros((T, m, len(b)))
            diff = H[T + 1 - k:] - target.transpose(1, 0, 2)[T - k:]
            dY[T - k:] = 2 * diff / diff.size
            dZ = np.zeros_like(dY)
            back = 0
            for t in range(T - 1, -1, -1):
                dZ[t] = (dY[t] + back) * (1 - H[t + 1] ** 2)
                back = dZ[t] @ W_y.T
            dW_x = X_tm.reshape(-1, n_inputs).T @ dZ.reshape(-1, len(b))
            dW_y = H[:-1].reshape(-1, len(b)).T @ dZ.reshape(-1, len(b))
            return np.mean(diff ** 2), dW_x, dW_y, dZ.sum(axis=(0, 1))
     """),
]) + answers("numeric_gradient", [
    ("flat_view", "walks over a flat view of a copy", """
        def numeric_gradient(f, x, eps):
            x = np.array(x, dtype=np.float64)
            flat = x.reshape(-1)  # a view: changing it changes x
            grad = np.empty(flat.size)
            for i in range(flat.size):
                saved = flat[i]
                flat[i] = saved + eps
                f_plus = f(x)
                flat[i] = saved - eps
                f_minus = f(x)
                flat[i] = saved
                grad[i] = (f_plus - f_minus) / (2 * eps)
            return grad.reshape(x.shape)
     """),
    ("basis_arrays", "builds e_i for each entry, x itself is never changed", """
        def numeric_gradient(f, x, eps):
            grad = np.zeros(np.shape(x))
            for i in np.ndindex(grad.shape):
                e = np.zeros(np.shape(x))
                e[i] = 1.0
                grad[i] = (f(x + eps * e) - f(x - eps * e)) / (2 * eps)
            return grad
     """),
]) + answers("relative_error", [
    ("python_loop", "a loop over the flattened entries", """
        def relative_error(a, b):
            worst = 0.0
            for x, y in zip(np.ravel(a), np.ravel(b)):
                worst = max(worst, abs(x - y) / max(1e-8, abs(x) + abs(y)))
            return worst
     """),
    ("divides_then_masks", "divides first (0 / 0 warns where both entries are 0), then applies the floor where it matters", """
        def relative_error(a, b):
            a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
            size = np.abs(a) + np.abs(b)
            ratio = np.abs(a - b) / size
            ratio = np.where(size < 1e-8, np.abs(a - b) / 1e-8, ratio)
            return ratio.max()
     """),
]) + answers("train_step", [
    ("own_gradients", "the notebook's bptt_gradients, then eq. 5.9 in a loop over the parameters", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            loss, *grads = bptt_gradients(X, W_x, W_y, b, target, k)
            W_x, W_y, b = (p - learning_rate * g for p, g in zip((W_x, W_y, b), grads))
            return W_x, W_y, b, loss
     """),
    ("copies_then_in_place", "copies the parameters, then updates the copies in place", """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            Y, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
            dY = np.zeros_like(Y)
            diff = Y[:, -k:] - target[:, -k:]
            dY[:, -k:] = 2 * diff / diff.size
            g = rnnlib.bptt.backward(dY, cache)
            new = [W_x.copy(), W_y.copy(), b.copy()]
            for p, d in zip(new, (g.W_x, g.W_y, g.b)):
                p -= learning_rate * d
            return (*new, float(np.mean(diff ** 2)))
     """),
])

CONSTANT = {
    "backward_step": """
        def backward_step(dh_t, h_t, h_prev, X_t, W_y):
            return (np.array([[1.5, 1.0], [-1.0, 3.0]]), np.array([[2.0, 5.0]]),
                    np.array([[1.5, 1.0], [-0.5, 1.5]]), np.array([0.5, 4.0]),
                    np.array([[3.5, 1.0], [5.0, 3.0]]))
    """,
    "bptt_gradients": """
        def bptt_gradients(X, W_x, W_y, b, target, k):
            h0 = np.tanh(0.6)
            h1 = np.tanh(0.35 + 0.8 * h0)
            dz1 = 2 * (h1 - 0.2) * (1 - h1 ** 2)
            dz0 = dz1 * 0.8 * (1 - h0 ** 2)
            return (h1 - 0.2) ** 2, np.array([[dz0 + 0.5 * dz1]]), np.array([[h0 * dz1]]), np.array([dz0 + dz1])
    """,
    "numeric_gradient": """
        def numeric_gradient(f, x, eps):
            return np.array([3.0, 12.0])
    """,
    "relative_error": """
        def relative_error(a, b):
            return 0.1 / 2.1
    """,
    "train_step": """
        def train_step(X, target, W_x, W_y, b, k, learning_rate):
            return W_x * 0.9, W_y * 0.9, b * 0.9, 0.5
    """,
}
