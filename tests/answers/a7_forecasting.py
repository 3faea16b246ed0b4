"""Assignment 7, forecasting with Keras: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


# The notebook's setup cell has also run `import pandas as pd` and `import keras`.
# Every submission of this assignment trains a model (Task 4) and imports
# TensorFlow, about 15 s of autograding each: the lists below are kept at the
# minimum the tests ask for (three wrong answers per task, one valid one).

WRONG = answers("datasets", [
    ("target_in_window", "leaks the future: the target is the window's own last day", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            datasets = []
            for (start, end), shuffle in ((train_period, True), (valid_period, False)):
                values = series[start:end].to_numpy(dtype=np.float32)[:, None] / 1e6
                datasets.append(keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length - 1:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed))
            return tuple(datasets)
     """),
    ("not_scaled", "counts not divided by 1e6", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            datasets = []
            for (start, end), shuffle in ((train_period, True), (valid_period, False)):
                values = series[start:end].to_numpy(dtype=np.float32)[:, None]
                datasets.append(keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed))
            return tuple(datasets)
     """),
    ("train_reaches_valid", "the training windows run to the end of the validation period", """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            def windows(values, shuffle):
                values = values.to_numpy(dtype=np.float32)[:, None] / 1e6
                return keras.utils.timeseries_dataset_from_array(
                    values, targets=values[window_length:, 0], sequence_length=window_length,
                    batch_size=batch_size, shuffle=shuffle, seed=seed)
            return (windows(series[train_period[0]:valid_period[1]], True),
                    windows(series[valid_period[0]:valid_period[1]], False))
     """),
]) + answers("model", [
    ("mse_loss", "the mean squared error instead of the Huber loss", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units), keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
    ("no_momentum", "SGD without momentum", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units), keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
            return model
     """),
    ("every_step", "return_sequences=True: a forecast at every step", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                                      keras.layers.SimpleRNN(n_units, return_sequences=True),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
]) + answers("multivariate", [
    ("same_day_type", "the type of day t instead of day t + 1", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]] / 1e6
            for day_type in ("A", "U", "W"):
                features[day_type] = (df["day_type"] == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
    ("not_scaled", "bus and rail not divided by 1e6", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]].astype(float)
            next_day_type = df["day_type"].shift(-1)
            for day_type in ("A", "U", "W"):
                features[day_type] = (next_day_type == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
    ("target_in_window", "leaks the future: the target is rail on the window's last day", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            features = df[["bus", "rail"]] / 1e6
            next_day_type = df["day_type"].shift(-1)
            for day_type in ("A", "U", "W"):
                features[day_type] = (next_day_type == day_type).astype(float)
            values = features[period[0]:period[1]].to_numpy(dtype=np.float32)
            return keras.utils.timeseries_dataset_from_array(
                values, targets=values[window_length - 1:, 1], sequence_length=window_length,
                batch_size=batch_size)
     """),
]) + answers("train", [
    ("evaluated_on_training_data", "reports the MAE on the training windows", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_train, y_train, verbose=0)
            return model, mae * 1e6
     """, "it is the model's error on the training windows"),
    ("mae_in_millions", "reports the MAE in millions of riders", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae
     """, "it is in millions of riders"),
    ("reports_the_loss", "reports the Huber loss (evaluate's first value), not the MAE", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            return model, model.evaluate(X_valid, y_valid, verbose=0)[0] * 1e6
     """, "it is the loss, not the MAE"),
    # Training that breaks the rules of Task 4, models the grader cannot rebuild, and
    # answers that pass input_shape= (Keras 3 warns: a warning must never cost points).
    ("trained_on_valid", "trains on the training and the validation windows", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            keras.utils.set_random_seed(1)
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", metrics=["mae"],
                          optimizer=keras.optimizers.Adam(learning_rate=0.02))
            model.fit(np.concatenate([X_train, X_valid]), np.concatenate([y_train, y_valid]),
                      epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "fitted to the validation windows"),
    ("fixed_epochs", "ignores `epochs` and trains for 30", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=30, validation_data=(X_valid, y_valid), verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "at most epochs="),
    ("learns_too_slowly", "a linear model trained with plain SGD at learning rate 1e-4: "
     "after 3 epochs it is far from even the naive forecast, in every training run", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-4))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """, "does not beat the naive forecast in any training run"),
    ("fit_twice", "a second round of `epochs` epochs with a smaller learning rate", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)
            model.compile(loss=keras.losses.Huber(), metrics=["mae"], optimizer=optimizer)
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            optimizer.learning_rate = 0.01
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "more than epochs="),
    ("lambda_squeeze", "drops the last axis with a Lambda layer", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=X_train.shape[1:]),
                                      keras.layers.Lambda(lambda x: x[:, :, 0]),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            model.fit(X_train, y_train, epochs=epochs, verbose=0)
            _, mae = model.evaluate(X_valid, y_valid, verbose=0)
            return model, mae * 1e6
     """, "Lambda layer"),
])

VALID = answers("datasets", [
    ("numpy_windows", "windows cut with numpy, then tf.data's from_tensor_slices, shuffle, batch", """
        import tensorflow as tf


        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            def windows(start, end):
                values = series.loc[start:end].to_numpy(dtype=np.float64) / 1e6
                starts = np.arange(len(values) - window_length)
                inputs = values[starts[:, None] + np.arange(window_length)][:, :, None]
                return tf.data.Dataset.from_tensor_slices((inputs, values[window_length:]))
            train = windows(*train_period).shuffle(10_000, seed=seed).batch(batch_size)
            return train, windows(*valid_period).batch(batch_size)
     """),
]) + answers("model", [
    ("functional", "the functional API, loss and metric given as objects and strings", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            inputs = keras.Input(shape=(None, n_inputs))
            state = keras.layers.SimpleRNN(units=n_units, activation="tanh")(inputs)
            model = keras.Model(inputs, keras.layers.Dense(units=1)(state))
            optimizer = keras.optimizers.SGD(momentum=0.9, learning_rate=learning_rate)
            model.compile(optimizer=optimizer, loss="huber",
                          metrics=[keras.metrics.MeanAbsoluteError()])
            return model
     """),
    ("input_shape", "input_shape= on the SimpleRNN (Keras 3 warns), no Input layer", """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.layers.SimpleRNN(n_units, input_shape=(None, n_inputs)),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9))
            return model
     """),
]) + answers("multivariate", [
    ("get_dummies", "pd.get_dummies on the next day's type, windows from data[:-1]", """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            start, end = period
            next_type = df["day_type"].shift(-1)[start:end]
            one_hot = pd.get_dummies(next_type).reindex(columns=["A", "U", "W"], fill_value=0)
            scaled = df.loc[start:end, ["bus", "rail"]] / 1e6
            data = np.hstack([scaled.to_numpy(), one_hot.to_numpy(dtype=float)]).astype(np.float32)
            return keras.utils.timeseries_dataset_from_array(
                data[:-1], targets=scaled["rail"].to_numpy()[window_length:],
                sequence_length=window_length, batch_size=batch_size)
     """),
]) + answers("train", [
    ("adam_numpy_mae", "Adam, early stopping on the validation loss, MAE computed with numpy", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            keras.utils.set_random_seed(1)
            model = keras.Sequential([keras.layers.Input(shape=(X_train.shape[1], 1)),
                                      keras.layers.Reshape((X_train.shape[1],)),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=0.02))
            model.fit(X_train, y_train, epochs=epochs, validation_data=(X_valid, y_valid), verbose=0,
                      callbacks=[keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)])
            forecasts = model.predict(X_valid, verbose=0)[:, 0]
            return model, 1e6 * float(np.mean(np.abs(forecasts - y_valid)))
     """),
    ("input_shape", "input_shape= on Flatten (Keras 3 warns), early stopping on val_mae", """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.layers.Flatten(input_shape=X_train.shape[1:]),
                                      keras.layers.Dense(1)])
            model.compile(loss="huber", metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9))
            stop = keras.callbacks.EarlyStopping(monitor="val_mae", patience=3,
                                                 restore_best_weights=True)
            model.fit(X_train, y_train, epochs=epochs, batch_size=16, verbose=0,
                      validation_data=(X_valid, y_valid), callbacks=[stop])
            forecasts = model.predict(X_valid, verbose=0).reshape(-1)
            return model, float(np.mean(np.abs(forecasts - y_valid))) * 1e6
     """),
])

CONSTANT = {
    "datasets": """
        def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
            days = np.arange(1.0, 61.0, dtype=np.float32)[:, None]
            train, valid = days[:31], days[31:]
            return (keras.utils.timeseries_dataset_from_array(train, train[28:, 0], 28, batch_size=2),
                    keras.utils.timeseries_dataset_from_array(valid, valid[28:, 0], 28, batch_size=2))
    """,
    "model": """
        def build_forecaster(n_inputs, n_units, learning_rate):
            model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.SimpleRNN(32),
                                      keras.layers.Dense(1)])
            model.compile(loss=keras.losses.Huber(), metrics=["mae"],
                          optimizer=keras.optimizers.SGD(learning_rate=0.02, momentum=0.9))
            return model
    """,
    "multivariate": """
        def make_multivariate_dataset(df, period, window_length, batch_size):
            days = np.arange(2.0, 10.0)
            types = [[0, 1, 0], [0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1], [0, 0, 1], [1, 0, 0],
                     [0, 1, 0]]
            data = np.column_stack([10 * days, days, types]).astype(np.float32)
            return keras.utils.timeseries_dataset_from_array(data, data[3:, 1], 3, batch_size=2)
    """,
    "train": """
        def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
            model = keras.Sequential([keras.Input(shape=(56, 1)), keras.layers.Flatten(),
                                      keras.layers.Dense(1)])
            return model, 42_000.0
    """,
}
