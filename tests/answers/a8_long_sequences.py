"""Assignment 8, long sequences: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers

# The notebook's setup cell has also run `import keras`. Task 6 trains a small
# network in every submission that answers it, about ten seconds of autograding
# with TensorFlow's import: its lists hold no more wrong answers than the other
# tasks' (each round of wrong answers is one submission) and two valid ones.

WRONG = answers("lstm_step", [
    ("gate_order_ifog", "reads the blocks as i, f, o, g (the output gate third)", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i, f, o = (1 / (1 + np.exp(-a[:, k * n:(k + 1) * n])) for k in (0, 1, 2))
            g = np.tanh(a[:, 3 * n:])
            c = f * c_prev + i * g
            return o * np.tanh(c), c
     """, "the gate blocks are read in the wrong order"),
    ("forget_on_candidate", "swaps the roles of the input and forget gates", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = i * c_prev + f * g
            return o * np.tanh(c), c
     """, "the forget gate multiplies the candidate"),
    ("no_cell_tanh", "h = o * c: no tanh on the cell state", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            return o * c, c
     """, "tanh seems to be missing on the cell state"),
    ("returns_c_h", "returns (c, h)", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            return c, o * np.tanh(c)
     """, "lstm_step returns (c, h)"),
    ("forget_bias_plus_one", "adds Keras's unit_forget_bias once more", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-(a[:, n:2 * n] + 1.0)))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            return o * np.tanh(c), c
     """, "do not add 1 to it"),
    ("delegates", "calls rnnlib's answer", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            return rnnlib.lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
     """, "which this task does not allow"),
]) + answers("lstm_step_backward", [
    ("no_h_path", "forgets that h(t) = o * tanh(c(t)) sends dh into the cell state", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            d_c = dc
            da = np.concatenate([d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f),
                                 d_c * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=1)
            return da @ recurrent_kernel.T, d_c * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
     """, "the cell state also receives dh"),
    ("no_tanh_derivative", "dh * o reaches c without tanh'", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            d_c = dc + dh * o
            da = np.concatenate([d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f),
                                 d_c * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=1)
            return da @ recurrent_kernel.T, d_c * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
     """, "the path from h to c goes through tanh"),
    ("dc_prev_without_forget_gate", "returns delta_c itself as dL/dc(t-1)", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            d_c = dc + dh * o * (1 - np.tanh(c) ** 2)
            da = np.concatenate([d_c * g * i * (1 - i), d_c * c_prev * f * (1 - f),
                                 d_c * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=1)
            return da @ recurrent_kernel.T, d_c, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
     """, "dc_prev is the gradient along the cell state times the forget gate"),
    ("forget_gate_reads_c", "delta_A_f with c(t) instead of c(t-1)", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            d_c = dc + dh * o * (1 - np.tanh(c) ** 2)
            da = np.concatenate([d_c * g * i * (1 - i), d_c * c * f * (1 - f),
                                 d_c * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=1)
            return da @ recurrent_kernel.T, d_c * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
     """, "the forget gate multiplies c(t-1)"),
    ("gates_stacked_fi", "stacks the gate gradients as f, i, g, o", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a = x_t @ kernel + h_prev @ recurrent_kernel + bias
            i = 1 / (1 + np.exp(-a[:, :n]))
            f = 1 / (1 + np.exp(-a[:, n:2 * n]))
            g = np.tanh(a[:, 2 * n:3 * n])
            o = 1 / (1 + np.exp(-a[:, 3 * n:]))
            c = f * c_prev + i * g
            d_c = dc + dh * o * (1 - np.tanh(c) ** 2)
            da = np.concatenate([d_c * c_prev * f * (1 - f), d_c * g * i * (1 - i),
                                 d_c * i * (1 - g ** 2), dh * np.tanh(c) * o * (1 - o)], axis=1)
            return da @ recurrent_kernel.T, d_c * f, x_t.T @ da, h_prev.T @ da, da.sum(axis=0)
     """, "the gate gradients are stacked in the wrong order"),
]) + answers("gru_step", [
    ("reset_before_product", "the paper's form: resets h(t-1) before the recurrent product", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a_x = x_t @ kernel + bias[0]
            a_h = h_prev @ recurrent_kernel + bias[1]
            z = 1 / (1 + np.exp(-(a_x[:, :n] + a_h[:, :n])))
            r = 1 / (1 + np.exp(-(a_x[:, n:2 * n] + a_h[:, n:2 * n])))
            h_candidate = np.tanh(a_x[:, 2 * n:] + (r * h_prev) @ recurrent_kernel[:, 2 * n:]
                                  + bias[1, 2 * n:])
            return z * h_prev + (1 - z) * h_candidate
     """, "reset_after=True"),
    ("z_takes_candidate", "h = (1 - z) h(t-1) + z h~ (z's roles swapped)", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a_x = x_t @ kernel + bias[0]
            a_h = h_prev @ recurrent_kernel + bias[1]
            z = 1 / (1 + np.exp(-(a_x[:, :n] + a_h[:, :n])))
            r = 1 / (1 + np.exp(-(a_x[:, n:2 * n] + a_h[:, n:2 * n])))
            h_candidate = np.tanh(a_x[:, 2 * n:] + r * a_h[:, 2 * n:])
            return (1 - z) * h_prev + z * h_candidate
     """, "z = 1 keeps the old state"),
    ("gate_order_rzh", "reads the first block as r and the second as z", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a_x = x_t @ kernel + bias[0]
            a_h = h_prev @ recurrent_kernel + bias[1]
            r = 1 / (1 + np.exp(-(a_x[:, :n] + a_h[:, :n])))
            z = 1 / (1 + np.exp(-(a_x[:, n:2 * n] + a_h[:, n:2 * n])))
            h_candidate = np.tanh(a_x[:, 2 * n:] + r * a_h[:, 2 * n:])
            return z * h_prev + (1 - z) * h_candidate
     """, "the blocks are read in the wrong order"),
    ("no_recurrent_bias", "uses row 0 of the bias only", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            a_x = x_t @ kernel + bias[0]
            a_h = h_prev @ recurrent_kernel
            z = 1 / (1 + np.exp(-(a_x[:, :n] + a_h[:, :n])))
            r = 1 / (1 + np.exp(-(a_x[:, n:2 * n] + a_h[:, n:2 * n])))
            h_candidate = np.tanh(a_x[:, 2 * n:] + r * a_h[:, 2 * n:])
            return z * h_prev + (1 - z) * h_candidate
     """, "the recurrent bias b_h (row 1 of bias) seems to be missing"),
    ("delegates", "calls rnnlib's answer", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            return rnnlib.gru.gru_step(x_t, h_prev, kernel, recurrent_kernel, bias)
     """, "which this task does not allow"),
]) + answers("clip_by_norm", [
    ("per_array", "clips each array to max_norm on its own (Keras's clipnorm)", """
        def clip_by_norm(grads, max_norm):
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            clipped = {}
            for name, g in grads.items():
                own = np.sqrt(np.sum(g ** 2))
                clipped[name] = g * max_norm / own if own > max_norm else g
            return clipped, norm
     """, "each array is clipped on its own"),
    ("clips_values", "np.clip on every value", """
        def clip_by_norm(grads, max_norm):
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            return {name: np.clip(g, -max_norm, max_norm) for name, g in grads.items()}, norm
     """, "the values are clipped one by one"),
    ("norm_after", "returns the norm of the clipped gradients", """
        def clip_by_norm(grads, max_norm):
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            scale = max_norm / norm if norm > max_norm else 1.0
            return {name: g * scale for name, g in grads.items()}, min(norm, max_norm)
     """, "it is the norm after clipping"),
    ("always_rescales", "scales to max_norm even when the norm is below it", """
        def clip_by_norm(grads, max_norm):
            norm = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
            scale = max_norm / norm if norm > 0 else 1.0
            return {name: g * scale for name, g in grads.items()}, norm
     """, "rescaled even though their norm is below max_norm"),
    ("divides_by_zero", "max_norm / N in Python floats: fails when every gradient is 0", """
        import math

        def clip_by_norm(grads, max_norm):
            norm = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads.values()))
            scale = min(1.0, max_norm / norm)
            return {name: g * scale for name, g in grads.items()}, norm
     """, "raised ZeroDivisionError"),
]) + answers("receptive_field", [
    ("off_by_one", "adds up what the layers add, forgetting the output's own step", """
        def receptive_field(kernel_size, dilations):
            return sum((kernel_size - 1) * d for d in dilations)
     """, "an off-by-one"),
    ("k_times_d", "each layer adds k * d steps", """
        def receptive_field(kernel_size, dilations):
            return 1 + sum(kernel_size * d for d in dilations)
     """, "not k * d"),
    ("ignores_dilations", "k - 1 more steps per layer, whatever the dilation", """
        def receptive_field(kernel_size, dilations):
            return 1 + len(dilations) * (kernel_size - 1)
     """, "the dilations are ignored"),
    ("doubles_per_layer", "2 ** (number of layers)", """
        def receptive_field(kernel_size, dilations):
            return 2 ** len(dilations)
     """, "doubles with each layer only when k = 2"),
    ("delegates", "calls rnnlib's answer", """
        def receptive_field(kernel_size, dilations):
            return rnnlib.receptive_field(kernel_size, dilations)
     """, "which this task does not allow"),
]) + answers("gated_forecaster", [
    ("simple_rnn", "a SimpleRNN, trained well, but not gated", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.SimpleRNN(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.005))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
                      batch_size=16, callbacks=[stop], verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "has no gated recurrent layer (its recurrent layers: SimpleRNN)"),
    ("trained_on_valid", "trains on the training and the validation windows", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.005))
            model.fit(np.concatenate([X_train, X_valid]), np.concatenate([y_train, y_valid]),
                      epochs=epochs, batch_size=16, verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "fitted to the validation windows"),
    ("mae_in_millions", "reports the MAE in millions of riders", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.005))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
                      batch_size=16, callbacks=[stop], verbose=0)
            return model, model.evaluate(X_valid, y_valid, verbose=0)[1]
     """, "it is in millions of riders"),
    ("training_mae", "reports the MAE on the training windows", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.005))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
                      batch_size=16, callbacks=[stop], verbose=0)
            return model, 1e6 * model.evaluate(X_train, y_train, verbose=0)[1]
     """, "it is the model's error on the training windows"),
    ("reports_the_loss", "reports the mean squared error (evaluate's first value), not the MAE", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.005))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=5,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
                      batch_size=16, callbacks=[stop], verbose=0)
            return model, 1e6 * model.evaluate(X_valid, y_valid, verbose=0)[0]
     """, "it is the loss, not the MAE"),
    ("twice_the_epochs", "trains for 2 * epochs epochs, without early stopping", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.003))
            model.fit(X_train, y_train, epochs=2 * epochs, batch_size=16, verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "the task allows at most epochs=10"),
    ("delegates", "builds its model with rnnlib.forecasting", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            import rnnlib.forecasting
            model = rnnlib.forecasting.build_model("multivariate")
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "which this task does not allow"),
    ("learns_too_slowly", "a GRU trained with plain SGD at learning rate 0.001: far from the goal", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.GRU(8),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.001))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "does not beat the seasonal naive forecast in any training run"),
])

VALID = answers("lstm_step", [
    ("split_and_tanh_sigmoid", "np.split into four blocks, sigma(z) = (1 + tanh(z / 2)) / 2", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            sigma = lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))
            a_i, a_f, a_g, a_o = np.split(np.dot(x_t, kernel) + np.dot(h_prev, recurrent_kernel)
                                          + bias, 4, axis=1)
            c = sigma(a_f) * c_prev + sigma(a_i) * np.tanh(a_g)
            return sigma(a_o) * np.tanh(c), c
     """),
    ("list_of_arrays", "returns [h, c] as a list, weights sliced per gate first", """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            n = recurrent_kernel.shape[0]
            gates = []
            for k in range(4):
                cols = slice(k * n, (k + 1) * n)
                gates.append(x_t @ kernel[:, cols] + h_prev @ recurrent_kernel[:, cols] + bias[cols])
            i, f, o = (1 / (1 + np.exp(-gates[k])) for k in (0, 1, 3))
            c = f * c_prev + i * np.tanh(gates[2])
            return [o * np.tanh(c), c]
     """),
]) + answers("lstm_step_backward", [
    ("split_gates_list", "np.split for the gates, np.hstack for delta_A, a list returned", """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            sigma = lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))
            a_i, a_f, a_g, a_o = np.split(x_t @ kernel + h_prev @ recurrent_kernel + bias, 4, axis=1)
            i, f, g, o = sigma(a_i), sigma(a_f), np.tanh(a_g), sigma(a_o)
            tanh_c = np.tanh(f * c_prev + i * g)
            delta_c = dc + dh * o * (1.0 - tanh_c * tanh_c)
            delta_a = np.hstack([delta_c * g * i * (1 - i), delta_c * c_prev * f * (1 - f),
                                 delta_c * i * (1 - g * g), dh * tanh_c * o * (1 - o)])
            return [np.dot(delta_a, recurrent_kernel.T), delta_c * f, np.dot(x_t.T, delta_a),
                    np.dot(h_prev.T, delta_a), np.sum(delta_a, axis=0)]
     """),
]) + answers("gru_step", [
    ("named_weights", "the weights split into named blocks first", """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            n = h_prev.shape[1]
            W_z, W_r, W_h = kernel[:, :n], kernel[:, n:2 * n], kernel[:, 2 * n:]
            U_z, U_r, U_h = recurrent_kernel[:, :n], recurrent_kernel[:, n:2 * n], recurrent_kernel[:, 2 * n:]
            b_x, b_h = bias
            sigmoid = lambda v: np.exp(-np.logaddexp(0.0, -v))
            z = sigmoid(x_t @ W_z + b_x[:n] + h_prev @ U_z + b_h[:n])
            r = sigmoid(x_t @ W_r + b_x[n:2 * n] + h_prev @ U_r + b_h[n:2 * n])
            candidate = np.tanh(x_t @ W_h + b_x[2 * n:] + r * (h_prev @ U_h + b_h[2 * n:]))
            return candidate + z * (h_prev - candidate)
     """),
]) + answers("clip_by_norm", [
    ("linalg_norm_warns", "np.linalg.norm of every entry; max_norm / N warns (division by zero) when the gradients are 0", """
        def clip_by_norm(grads, max_norm):
            norm = np.linalg.norm(np.concatenate([np.ravel(g) for g in grads.values()]))
            scale = np.minimum(1.0, max_norm / norm)
            return {name: scale * g for name, g in grads.items()}, float(norm)
     """),
]) + answers("receptive_field", [
    ("numpy_sum", "an np.int64 from np.sum", """
        def receptive_field(kernel_size, dilations):
            return 1 + (kernel_size - 1) * np.sum(dilations)
     """),
    ("layer_by_layer", "a loop that grows the field layer by layer", """
        def receptive_field(kernel_size, dilations):
            field = 1
            for d in dilations:
                field += (kernel_size - 1) * d
            return field
     """),
]) + answers("gated_forecaster", [
    ("lstm_functional", "an LSTM in the functional API, Huber loss, early stopping on the "
     "validation loss, the MAE from evaluate", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            inputs = keras.Input(shape=(X_train.shape[1], X_train.shape[2]))
            state = keras.layers.LSTM(32)(inputs)
            model = keras.Model(inputs, keras.layers.Dense(1)(state))
            model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.Adam(0.005),
                          metrics=[keras.metrics.MeanAbsoluteError()])
            model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
                      batch_size=16, verbose=0, callbacks=[
                          keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
            loss, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """),
    ("gru_cell_no_early_stopping", "keras.layers.RNN around a GRUCell given input_shape= "
     "(Keras 3 warns), no early stopping, the validation windows unused in fit", """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([
                keras.layers.RNN(keras.layers.GRUCell(32), input_shape=X_train.shape[1:]),
                keras.layers.Dense(1),
            ])
            model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.003))
            model.fit(X_train, y_train, epochs=epochs, batch_size=16, verbose=0)
            forecasts = np.asarray(model(X_valid)).reshape(-1)
            return model, float(np.abs(forecasts - y_valid).mean() * 1e6)
     """),
])

CONSTANT = {
    "lstm_step": """
        def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            c = 1 / (1 + np.exp(-1.5)) * 2.0 + 0.5 * np.tanh(0.5)
            return np.array([[np.tanh(c) / (1 + np.exp(-1.5))]]), np.array([[c]])
    """,
    "lstm_step_backward": """
        def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
            return (np.array([[0.019494532986, -0.082678827039], [-0.04728337965, 0.520223290558]]),
                    np.array([[-0.069167407367, -0.008070847465], [0.075329989696, 0.217138819907]]),
                    np.array([[-0.030930353959, 0.167658482902, 0.059064368794, 0.149252166141,
                               -0.273342928675, -0.072495408062, 0.057141453574, 0.057193703737],
                              [-0.07617351147, 0.058356452023, 0.018150908115, 0.065061763204,
                               -0.075113440851, -0.01707287189, -0.027002283962, -0.001737225999],
                              [-0.0780188749, -0.004366755904, -0.004439671736, 0.011914197736,
                               0.031256014194, 0.011722511466, -0.057998276089, -0.027573977134]]),
                    np.array([[-0.003678412355, 0.150664450585, 0.053965217308, 0.129289239312,
                               -0.253021364302, -0.068156071399, 0.068639103207, 0.059377148123],
                              [0.130418102182, -0.079111669485, -0.023607102535, -0.093644938959,
                               0.093514191935, 0.019757445061, 0.05607187645, 0.01134031174]]),
                    np.array([0.191394500532, -0.175630304668, -0.056020655268, -0.188221437432,
                              0.237654828811, 0.05610601322, 0.054125480635, -0.00729955039]))
    """,
    "gru_step": """
        def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):
            z = 1 / (1 + np.exp(-0.5))
            return np.array([[z * 0.5 + (1 - z) * np.tanh(1.0 + 2.0 / (1 + np.exp(-1.0)))]])
    """,
    "clip_by_norm": """
        def clip_by_norm(grads, max_norm):
            return {"kernel": np.array([[1.0, 1.0], [0.5, 0.0]]), "bias": np.array([2.0, 0.0])}, 5.0
    """,
    "receptive_field": """
        def receptive_field(kernel_size, dilations):
            return 16
    """,
    "gated_forecaster": """
        def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=(56, 5)), keras.layers.GRU(32),
                                      keras.layers.Dense(1)])
            return model, 25_000.0
    """,
}
