# Source of the nbgrader notebook solutions/a7_forecasting/forecasting.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test; it reads the ridership data (set
# RNNLIB_DATA_MIRROR to a folder holding ridership.tgz to work offline) and
# trains two small models, so it takes about half a minute. While nbgrader
# autogrades (NBGRADER_EXECUTION is set), the training task trains 3 epochs
# instead of 20, so a whole notebook grades in about 20 s.

# %% readonly-markdown intro
# # Assignment 7: forecasting ridership with a recurrent network
#
# Chapter 7 trains Keras models to forecast tomorrow's rail ridership from the last
# 56 days, and compares them with the baselines of chapter 6. This assignment walks
# through the same steps, each one a function:
#
# | task | what you write | points |
# |---|---|---|
# | 1 | the training and validation datasets of windows | 3 |
# | 2 | a compiled `SimpleRNN` forecaster | 2 |
# | 3 | the multivariate input pipeline: bus, rail and tomorrow's type of day | 3 |
# | 4 | a trained forecaster (graded sanity check: it beats the naive forecast; ungraded goal: the seasonal naive) | 2 |
#
# One promise runs through all of it: a forecast made on day $t$ uses nothing from
# day $t + 1$ or later, and the validation days never take part in training. A window
# that contains its own target, or a training set that reaches into the validation
# months, gives a beautiful validation score and a useless model.
#
# **Units.** The networks read ridership in **millions** of riders: every count is
# divided by $10^6$ (so 523,000 riders become 0.523). Errors that you report are in
# riders again.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function and tells
# you what looks wrong; write your functions for any series (other dates, other window
# lengths, other sizes), not only for the ridership data. How your work is graded (the
# hidden tests, what fails a test, the locked test cells) is explained once, on the
# book's page *Doing the graded exercises*. The tests check your Keras models by
# rebuilding them from their configuration and weights, so build them from Keras's
# built-in layers (no `Lambda` or custom layers).
#
# **What you may use.** numpy, pandas and Keras. `rnnlib.forecasting` and
# `rnnlib.baselines` hold the answers to this assignment: a function that calls them,
# or any other part of `rnnlib`, scores 0. Each task is graded on its own, so a
# function should not rely on your answers to other tasks.
#
# **The data.** The notebook reads the Chicago ridership series with
# `rnnlib.datasets.load_ridership()`, which downloads `ridership.tgz` once. To work
# without a network connection, put a copy of `ridership.tgz` in the cache folder
# `~/.cache/rnnlib/` (or the folder named by `RNNLIB_CACHE_DIR`), or in any folder named
# by the environment variable `RNNLIB_DATA_MIRROR`, set before you start JupyterLab
# (`RNNLIB_DATA_MIRROR=/path/to/folder python3.11 start.py`). You never need a notebook
# cell that sets it, and one that does changes nothing when the notebook is graded.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error. Task 4 trains a model: the notebook takes a
# minute or two to run.

# %% readonly-code setup
import os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up log

import numpy as np
import pandas as pd
import keras

import rnnlib
from rnnlib import grading

# %% readonly-markdown ridership_data
# ## The ridership series
#
# This cell loads the Chicago ridership series of chapter 6 (from the course's data
# cache; the first time, it fetches the archive): one row per day, with the type of
# the day (`W` weekday, `A` Saturday, `U` Sunday or holiday), the boardings on buses
# and on trains.

# %% readonly-code load_ridership
df = rnnlib.datasets.load_ridership()
df.head()

# %% readonly-markdown task_datasets
# ## Task 1: windows for training and validation (3 points)
#
# Write `make_datasets(series, train_period, valid_period, window_length, batch_size, seed)`.
# `series` is a pandas Series with one count per day, indexed by date (such as
# `df["rail"]`); each period is a pair `(start, end)` of dates or months, both
# **included**, as in `series[start:end]` (for example `("2024-01", "2024-03")` is
# January to March 2024, every day of both months included).
#
# Return the pair `(train_ds, valid_ds)` of `tf.data` datasets, one for each period,
# built with `keras.utils.timeseries_dataset_from_array` (or any other way that gives
# the same windows). Each yields batches `(inputs, targets)`:
#
# * `inputs`, shape `(batch, window_length, 1)`: `window_length` consecutive days of
#   the series, divided by $10^6$, one value per step;
# * `targets`, shape `(batch,)`: the value (also divided by $10^6$) of the day right
#   **after** the window's last day.
#
# Every window, inputs and target, lies inside its own period: a period of $n$ days
# gives $n -$ `window_length` windows, each exactly once. Batches hold `batch_size`
# windows (the last one may hold fewer). Shuffle the training windows, with `seed` as
# the shuffle's seed; keep the validation windows in order. (The tests do not check the
# order of the windows.)
#
# Chapter 7 trains on the rail ridership of the course's training period and validates
# on its validation period, with windows of 56 days: the test checks those datasets
# (the periods of chapters 6 and 7, `rnnlib.datasets.PERIODS`), and the grader checks
# others, on made-up series.

# %% answer datasets
def make_datasets(series, train_period, valid_period, window_length, batch_size, seed):
    """(train_ds, valid_ds): batches of inputs (batch, window_length, 1) and targets (batch,)."""
    ### BEGIN SOLUTION
    datasets = []
    for (start, end), shuffle in ((train_period, True), (valid_period, False)):
        values = series[start:end].to_numpy(dtype=np.float32)[:, None] / 1e6  # (n, 1)
        datasets.append(keras.utils.timeseries_dataset_from_array(
            values, targets=values[window_length:, 0], sequence_length=window_length,
            batch_size=batch_size, shuffle=shuffle, seed=seed))
    return tuple(datasets)
    ### END SOLUTION

# %% tests test_datasets points=3
import numpy as np
import pandas as pd
import rnnlib
from rnnlib import grading
from rnnlib.grading_keras import check_batches, read_dataset


def day_numbers(scaled, code_of, what, case=""):
    """Map values scaled by 1e6 back to the days they come from (values are multiples of 1000)."""
    where = f"\n  (case: {case})" if case else ""
    keys = np.rint(scaled * 1e6 / 1000).astype(np.int64)
    found = np.array([code_of.get(int(k), -1) for k in keys.ravel()]).reshape(keys.shape)
    if (found >= 0).all():
        return found
    unscaled = np.rint(scaled / 1000).astype(np.int64)
    if all(int(k) in code_of for k in unscaled.ravel()):
        raise AssertionError(f"the {what} are not scaled: divide the counts by 1e6 (the network "
                             f"reads millions of riders){where}")
    raise AssertionError(f"the {what} hold values that are not the series' counts divided by "
                         f"1e6{where}")


def check_windows(days, target_days, first, last, L, name, period_name, case=""):
    """Each window: L consecutive days, target the next day, all within first..last."""
    where = f"\n  (case: {case})" if case else ""
    if days.shape[1] != L:
        raise AssertionError(f"the windows of {name} have {days.shape[1]} steps, expected "
                             f"window_length={L}{where}")
    if (target_days <= days[:, -1]).any():
        raise AssertionError(f"{name} leaks the future: some windows contain their own target "
                             "(or days after it). The target is the day right after the "
                             f"window's last day{where}")
    if not (np.diff(days, axis=1) == 1).all():
        raise AssertionError(f"the inputs of a window of {name} are not consecutive days{where}")
    if (target_days != days[:, -1] + 1).any():
        raise AssertionError(f"the targets of {name} are not the day right after each window: "
                             f"the window of days t-L+1..t forecasts day t+1{where}")
    if (target_days > last).any():
        raise AssertionError(f"{name} uses days after the end of the {period_name} period: "
                             "later days (the validation data) leak into it" + where)
    if (days[:, 0] < first).any():
        raise AssertionError(f"{name} uses days before the start of the {period_name} period: "
                             "each window must lie inside its own period" + where)
    expected = np.arange(first, last - L + 1)
    starts = np.sort(days[:, 0])
    if len(starts) != len(expected) or (starts != expected).any():
        raise AssertionError(
            f"{name} should hold every window of the {period_name} period exactly once: "
            f"{len(expected)} windows for {last - first + 1} days and window_length={L}, "
            f"got {len(starts)} windows ({len(set(starts.tolist()))} different){where}")


def check_made_up(out, series, train_period, valid_period, L, batch_size, case=""):
    """make_datasets's output for a series whose counts are distinct multiples of 1000."""
    code_of = {int(v) // 1000: day for day, v in enumerate(series.to_numpy())}
    train_ds, valid_ds = grading.unpack(out, ("train_ds", "valid_ds"), "make_datasets")
    for ds, name, (start, end) in ((train_ds, "train_ds", train_period),
                                   (valid_ds, "valid_ds", valid_period)):
        period_name = "training" if name == "train_ds" else "validation"
        X, y, sizes = read_dataset(ds, name, case=case)
        days = day_numbers(X[:, :, 0], code_of, f"inputs of {name}", case)
        target_days = day_numbers(y, code_of, f"targets of {name}", case)
        position = np.arange(len(series))
        inside = position[(series.index >= series[start:end].index[0])
                          & (series.index <= series[start:end].index[-1])]
        check_windows(days, target_days, inside[0], inside[-1], L, name, period_name, case)
        check_batches(sizes, batch_size, name, case)


# A case to check by hand: day d of 2024 has d million riders (1 on January 1st, ...),
# so the scaled values are the day numbers. Windows of 28 days: January (31 days)
# gives 3 windows, 1..28 -> 29, 2..29 -> 30 and 3..30 -> 31; February (29 days)
# gives 1 window, 32..59 -> 60.
days_2024 = pd.date_range("2024-01-01", "2024-03-31", freq="D")
by_hand = pd.Series(1e6 * np.arange(1, len(days_2024) + 1), index=days_2024)
periods = dict(train_period=("2024-01", "2024-01"), valid_period=("2024-02", "2024-02"))
out = grading.call(make_datasets, dict(series=by_hand, **periods, window_length=28, batch_size=2,
                                       seed=7))
check_made_up(out, by_hand, *periods.values(), L=28, batch_size=2)

# The datasets of chapter 7, compared with windows cut by a loop.
rail = rnnlib.datasets.load_ridership()["rail"]
PERIODS = rnnlib.datasets.PERIODS  # the course's training and validation periods
train_ds, valid_ds = grading.unpack(grading.call(make_datasets, dict(
    series=rail, train_period=PERIODS["train"], valid_period=PERIODS["valid"],
    window_length=56, batch_size=32, seed=42)), ("train_ds", "valid_ds"), "make_datasets")
for ds, name, (start, end) in ((train_ds, "train_ds", PERIODS["train"]),
                               (valid_ds, "valid_ds", PERIODS["valid"])):
    values = rail[start:end].to_numpy(dtype=float) / 1e6
    expected = np.array([list(values[i:i + 56]) + [values[i + 56]]
                         for i in range(len(values) - 56)])
    X, y, sizes = read_dataset(ds, name)
    got = np.column_stack([X[:, :, 0], y])
    grading.check_shape(got, expected.shape, f"the windows of {name} (inputs and target)",
                        hint=f"{len(values)} days from {start} to {end} (both included) give "
                             f"{len(values) - 56} windows of 56 days and their targets")
    order = lambda a: a[np.lexsort(a.T[::-1])]  # the windows sorted, to compare as sets
    grading.check_array(order(got), order(expected), f"the windows of {name}", atol=1e-6,
                        rtol=1e-6, mistakes=[
        ("the values are not scaled: divide the counts by 1e6", order(expected) * 1e6),
        ("each window contains its own target: the target is the day after the window",
         lambda a: np.allclose(a[:, -1], a[:, -2])),
    ])
    check_batches(sizes, 32, name)
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
first_day = pd.Timestamp("2015-01-01") + pd.Timedelta(days=int(rng.integers(0, 400)))
n_days = int(rng.integers(500, 800))
dates = pd.date_range(first_day, periods=n_days, freq="D")
counts = 1000 * rng.choice(np.arange(50, 3000), size=n_days, replace=False)
series = pd.Series(counts.astype(np.int64), index=dates)
months = pd.period_range(dates[0], dates[-1], freq="M")[1:-1]  # whole months only
a, b, c = sorted(rng.choice(np.arange(2, len(months) - 1), size=3, replace=False))
train_period = (str(months[a]), str(months[b]))
valid_period = (str(months[b + 1]), str(months[c]))
L = int(rng.integers(2, 25))
batch_size = int(rng.integers(3, 40))
case = (f"train {train_period}, valid {valid_period}, window_length={L}, "
        f"batch_size={batch_size}, seed={seed}")
out = grading.call(make_datasets, dict(series=series, train_period=train_period,
                                       valid_period=valid_period, window_length=L,
                                       batch_size=batch_size, seed=int(rng.integers(1000))))
check_made_up(out, series, train_period, valid_period, L, batch_size, case)
### END HIDDEN TESTS

# %% readonly-markdown task_model
# ## Task 2: a compiled forecaster (2 points)
#
# Write `build_forecaster(n_inputs, n_units, learning_rate)`. It returns a Keras model,
# **compiled** and ready for `fit`, that reads a batch of windows of shape
# `(batch, T, n_inputs)` (any number of steps `T`) and forecasts one number per window,
# output shape `(batch, 1)`:
#
# * layers: a `keras.layers.SimpleRNN` of `n_units` units (default settings), then a
#   `keras.layers.Dense(1)` without activation, and no other layer with weights;
# * loss: the Huber loss (`keras.losses.Huber()`, with its default $\delta = 1$): like
#   the squared error for small errors, like the absolute error for large ones;
# * optimizer: `keras.optimizers.SGD` with the given `learning_rate` and momentum 0.9;
# * metric: the mean absolute error, `"mae"`.
#
# The tests copy known weights into your layers and compare the model's output with
# the equations of chapter 2, then evaluate it on a small batch and compare the loss
# and the metric with their formulas.

# %% answer model
def build_forecaster(n_inputs, n_units, learning_rate):
    """A compiled Keras model: (batch, T, n_inputs) -> (batch, 1)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=(None, n_inputs)),
        keras.layers.SimpleRNN(n_units),
        keras.layers.Dense(1),
    ])
    model.compile(loss=keras.losses.Huber(),
                  optimizer=keras.optimizers.SGD(learning_rate=learning_rate, momentum=0.9),
                  metrics=["mae"])
    return model
    ### END SOLUTION

# %% tests test_model points=2
import math

import keras
import numpy as np
from rnnlib import grading


def rnn_reference(X, W_x, W_y, b, W_o, b_o):
    """SimpleRNN then Dense, step by step (eq. 2.1): (m, 1)."""
    h = np.zeros((X.shape[0], W_y.shape[0]))
    for t in range(X.shape[1]):
        h = np.tanh(X[:, t] @ W_x + h @ W_y + b)
    return h @ W_o + b_o


def check_forecaster(model, n_inputs, n_units, learning_rate, rng, case=""):
    where = f"\n  (case: {case})" if case else ""
    name = "build_forecaster's model"
    model = grading.check_keras_model(model, name)
    grading.keras_predict(model, rng.normal(size=(2, 3, n_inputs)), name, case)  # builds it
    grading.check_simple_rnn_layers(model, 1, name)
    W_x = rng.normal(scale=1 / math.sqrt(n_inputs), size=(n_inputs, n_units))
    W_y = rng.normal(scale=0.8 / math.sqrt(n_units), size=(n_units, n_units))
    b = grading.signed_uniform(rng, 0.1, 0.5, n_units)
    W_o, b_o = rng.normal(size=(n_units, 1)), grading.signed_uniform(rng, 0.2, 0.5, 1)
    grading.load_keras_weights(model, {f"SimpleRNN({n_units})": [W_x, W_y, b],
                                       "Dense(1)": [W_o, b_o]}, name)
    X = rng.normal(size=(6, int(rng.integers(3, 9)), n_inputs))
    expected = rnn_reference(X, W_x, W_y, b, W_o, b_o)
    grading.check_array(grading.keras_predict(model, X, name, case), expected, f"{name}'s output",
                        case=case, atol=1e-5, rtol=1e-4, shape_hint="one forecast per window: (m, 1)",
                        mistakes=[
        ("one forecast per window: keep SimpleRNN's default return_sequences=False",
         lambda got: got.ndim == 3),
        ("a forecast can be any number: the Dense layer needs no activation",
         lambda got: any(np.allclose(got, f(expected), atol=1e-4) for f in (
             np.tanh, lambda z: np.maximum(z, 0), lambda z: 1 / (1 + np.exp(-z))))),
    ])
    # The loss and the metric, on targets whose errors are both below and above delta = 1.
    y = expected[:, 0] + np.array([0.2, -0.6, 1.5, -2.5, 0.05, 3.0])
    errors = np.abs(y - expected[:, 0])
    huber = np.mean(np.where(errors <= 1, 0.5 * errors ** 2, errors - 0.5))
    try:
        scores = model.evaluate(X.astype(np.float32), y.astype(np.float32), verbose=0,
                                return_dict=True)
    except Exception as exc:
        raise AssertionError(f"{name} cannot be evaluated ({type(exc).__name__}: "
                             f"{str(exc)[:200]}): compile it with a loss, an optimizer and "
                             f"metrics{where}") from None
    grading.check_array(scores["loss"], huber, f"{name}'s loss", case=case, atol=1e-4, rtol=1e-4,
                        mistakes=[
        ("it is the mean squared error: use keras.losses.Huber()", np.mean(errors ** 2)),
        ("it is the mean absolute error: use keras.losses.Huber()", np.mean(errors)),
    ])
    metric = [value for key, value in scores.items() if key in ("mae", "mean_absolute_error")]
    if not metric:
        raise AssertionError(f"{name} reports the metrics {sorted(k for k in scores if k != 'loss')}"
                             f": compile it with metrics=['mae']{where}")
    grading.check_array(metric[0], np.mean(errors), f"{name}'s MAE metric", case=case,
                        atol=1e-4, rtol=1e-4)
    optimizer = model.optimizer
    if not isinstance(optimizer, keras.optimizers.SGD):
        raise AssertionError(f"{name} is compiled with the {type(optimizer).__name__} optimizer: "
                             f"use keras.optimizers.SGD{where}")
    grading.check_array(float(optimizer.learning_rate), learning_rate,
                        f"{name}'s learning rate", case=case, atol=0, rtol=1e-5)
    grading.check_array(float(optimizer.momentum), 0.9, f"{name}'s SGD momentum", case=case,
                        atol=1e-6, mistakes=[("SGD's momentum is 0 by default: pass momentum=0.9",
                                              0.0)])
    if optimizer.nesterov:
        raise AssertionError(f"{name} uses Nesterov momentum: keep SGD's default{where}")


model = grading.call(build_forecaster, dict(n_inputs=1, n_units=32, learning_rate=0.02))
check_forecaster(model, n_inputs=1, n_units=32, learning_rate=0.02, rng=np.random.default_rng(7))
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
n_inputs, n_units = (int(n) for n in rng.permutation(np.arange(2, 9))[:2])
learning_rate = float(rng.choice([0.001, 0.003, 0.01, 0.05]))
model = grading.call(build_forecaster, dict(n_inputs=n_inputs, n_units=n_units,
                                            learning_rate=learning_rate))
check_forecaster(model, n_inputs, n_units, learning_rate, rng,
                 case=f"n_inputs={n_inputs}, n_units={n_units}, learning_rate={learning_rate}, "
                      f"seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_multivariate
# ## Task 3: several inputs per day (3 points)
#
# Tomorrow's rail ridership depends on more than today's: on the buses, and above all
# on whether tomorrow is a weekday, a Saturday or a Sunday/holiday. The calendar is
# known in advance, so the type of the next day is a fair input.
#
# Write `make_multivariate_dataset(df, period, window_length, batch_size)`: `df` is a
# DataFrame like the one above (columns `day_type`, `bus`, `rail`, one row per day,
# indexed by date) and `period` a pair `(start, end)`, both included, as in Task 1.
# Return a `tf.data` dataset of batches `(inputs, targets)`, windows cut from the
# period only (with `keras.utils.timeseries_dataset_from_array`, or as you like):
#
# * `inputs`, shape `(batch, window_length, 5)`: for each day $t$ of the window, in this
#   order, bus$(t) / 10^6$, rail$(t) / 10^6$, and the type of day $t + 1$ as a one-hot
#   vector over `A`, `U`, `W` (in that order: `[1, 0, 0]` when day $t + 1$ is a
#   Saturday);
# * `targets`, shape `(batch,)`: rail$/ 10^6$ of the day after the window.
#
# As in Task 1, a period of $n$ days gives $n -$ `window_length` windows, each once, in
# batches of `batch_size`; the order does not matter (no need to shuffle). The type of
# the day after the period's last day never enters a window (why?).

# %% answer multivariate
def make_multivariate_dataset(df, period, window_length, batch_size):
    """Batches of inputs (batch, window_length, 5) and targets (batch,) from the period."""
    ### BEGIN SOLUTION
    start, end = period
    features = df[["bus", "rail"]] / 1e6
    next_day_type = df["day_type"].shift(-1)
    for day_type in ("A", "U", "W"):
        features[day_type] = (next_day_type == day_type).astype(float)
    values = features[start:end].to_numpy(dtype=np.float32)  # (n, 5)
    return keras.utils.timeseries_dataset_from_array(
        values, targets=values[window_length:, 1], sequence_length=window_length,
        batch_size=batch_size)
    ### END SOLUTION

# %% tests test_multivariate points=3
import numpy as np
import pandas as pd
import rnnlib
from rnnlib import grading
from rnnlib.grading_keras import check_batches, read_dataset

TYPES = ("A", "U", "W")


def reference_windows(df, start, end, L):
    """The expected windows, a loop over days: (n_windows, L * 5 + 1), target last."""
    bus, rail = df["bus"].to_numpy(dtype=float), df["rail"].to_numpy(dtype=float)
    day_types = df["day_type"].tolist()
    period = df.loc[start:end].index
    days = np.flatnonzero((df.index >= period[0]) & (df.index <= period[-1]))
    rows = []
    for i in range(len(days) - L):
        window = []
        for day in days[i:i + L]:  # bus, rail, then the one-hot type of the next day
            window += [bus[day] / 1e6, rail[day] / 1e6]
            window += [1.0 if day_types[day + 1] == kind else 0.0 for kind in TYPES]
        rows.append(window + [rail[days[i + L]] / 1e6])
    return np.array(rows)


def check_multivariate(ds, df, period, L, batch_size, case=""):
    where = f"\n  (case: {case})" if case else ""
    X, y, sizes = read_dataset(ds, "the dataset", n_features=5, case=case)
    expected = reference_windows(df, *period, L)
    got = np.column_stack([X.reshape(len(X), -1), y])
    if X.shape[1] == L and np.allclose(y, X[:, -1, 1]):
        raise AssertionError("each window contains its own target: the target is rail on the "
                             f"day after the window{where}")
    grading.check_shape(got, expected.shape, "the windows (inputs and target, flattened)", case=case,
                        hint=f"{len(df[period[0]:period[1]])} days from {period[0]} to {period[1]} "
                             f"give {len(expected)} windows of {L} days, 5 numbers per day")
    check_batches(sizes, batch_size, "the dataset", case)
    order = lambda a: a[np.lexsort(a.T[::-1])]  # the windows sorted, to compare as sets
    got, expected = order(got), order(expected)
    if np.allclose(got, expected, atol=1e-6, rtol=1e-6):
        return
    steps = expected[:, :-1].reshape(len(expected), L, 5)
    today = df["day_type"][period[0]:period[1]]
    mistakes = [
        ("each window contains its own target: the target is rail on the day after the window",
         lambda a: np.allclose(a[:, -1], a[:, -5])),
        ("the bus and rail counts are not scaled: divide them by 1e6",
         lambda a: np.allclose(a[:, -1], expected[:, -1] * 1e6)
         or np.allclose(a.reshape(len(a), -1)[:, :-1].reshape(len(a), L, 5)[:, :, :2],
                        steps[:, :, :2] * 1e6)),
        ("the target is the bus count: forecast rail",
         lambda a: np.allclose(np.sort(a[:, -1]),
                               np.sort(df["bus"][period[0]:period[1]].to_numpy()[L:] / 1e6))),
        ("the one-hot vector is the type of day t itself: use the type of the next day, t + 1",
         lambda a: np.allclose(np.sort(a[:, :-1].reshape(len(a), L, 5)[:, :, 2:].sum(axis=1), axis=0),
                               np.sort(np.array([[np.sum(today.iloc[i:i + L] == k) for k in TYPES]
                                                 for i in range(len(today) - L)]), axis=0))),
        ("the inputs of each day are bus, rail, then the one-hot type in the order A, U, W",
         lambda a: np.allclose(np.sort(a[:, :-1].ravel()), np.sort(expected[:, :-1].ravel()))),
    ]
    grading.check_array(got, expected, "the windows (inputs and target, flattened)", case=case,
                        atol=1e-6, rtol=1e-6, mistakes=mistakes)


# A case to check by hand: 10 days from Friday 2024-03-01, bus = 10, 20, ..., 100 and
# rail = 1, 2, ..., 10 million riders. With windows of 3 days over March 2 to 9, the
# first window holds days 2, 3 and 4 of March (Saturday, Sunday, Monday):
#   [[20, 2, 0, 1, 0],   <- bus 20, rail 2, tomorrow (a Sunday) is U
#    [30, 3, 0, 0, 1],   <- tomorrow (Monday) is W
#    [40, 4, 0, 0, 1]]   <- tomorrow (Tuesday) is W;   its target is rail on March 5: 5
dates = pd.date_range("2024-03-01", periods=10, freq="D")
by_hand = pd.DataFrame({"day_type": ["W", "A", "U"] + ["W"] * 5 + ["A", "U"],
                        "bus": 1e7 * np.arange(1, 11), "rail": 1e6 * np.arange(1, 11)},
                       index=dates)
ds = grading.call(make_multivariate_dataset, dict(df=by_hand, period=("2024-03-02", "2024-03-09"),
                                                  window_length=3, batch_size=2))
check_multivariate(ds, by_hand, ("2024-03-02", "2024-03-09"), L=3, batch_size=2)

# The multivariate windows of chapter 7, validation period.
ridership = rnnlib.datasets.load_ridership()
valid_period = rnnlib.datasets.PERIODS["valid"]
ds = grading.call(make_multivariate_dataset, dict(df=ridership, period=valid_period,
                                                  window_length=56, batch_size=32))
check_multivariate(ds, ridership, valid_period, L=56, batch_size=32,
                   case="ridership, {} to {}".format(*valid_period))
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
n_days = int(rng.integers(60, 120))
dates = pd.date_range(pd.Timestamp("2010-01-01") + pd.Timedelta(days=int(rng.integers(0, 3000))),
                      periods=n_days, freq="D")
made_up = pd.DataFrame({"day_type": rng.choice(list(TYPES), size=n_days),
                        "bus": 1000 * rng.choice(np.arange(100, 2000), size=n_days, replace=False),
                        "rail": 1000 * rng.choice(np.arange(2000, 4000), size=n_days, replace=False)},
                       index=dates)
first, length = int(rng.integers(0, 20)), int(rng.integers(20, 40))
period = (str(dates[first].date()), str(dates[first + length - 1].date()))
L, batch_size = int(rng.integers(2, 12)), int(rng.integers(2, 20))
ds = grading.call(make_multivariate_dataset, dict(df=made_up, period=period, window_length=L,
                                                  batch_size=batch_size))
check_multivariate(ds, made_up, period, L, batch_size,
                   case=f"made-up series, period {period}, window_length={L}, "
                        f"batch_size={batch_size}, seed={seed}")
### END HIDDEN TESTS

# %% readonly-markdown task_train
# ## Task 4: train a forecaster (2 points)
#
# Write `fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs)`: the windows of
# Task 1 as numpy arrays, inputs `X_*` of shape `(n, window_length, 1)` and targets
# `y_*` of shape `(n,)`, in millions of riders. Build a Keras model of your choice
# (built-in Keras layers only: the tests rebuild your model from its configuration and
# weights, so a `Lambda` or custom layer cannot be checked), train it with `model.fit`
# on the **training** windows for at most `epochs` epochs in all, and return the pair
# `(model, valid_mae)`:
#
# * `model`, the trained model: `model(X_valid)` gives one forecast per window;
# * `valid_mae`, the mean absolute error of that model on the **validation** windows
#   you were given, in **riders** (not millions).
#
# The validation windows may guide early stopping (`validation_data=` with an
# `EarlyStopping` callback), never the weights: a model that is also fitted to the
# validation windows reports a validation error that says nothing about new data.
#
# What is graded: the tests recompute the validation MAE from your model's weights and
# compare it with `valid_mae`; they check from the training history that the model was
# trained for at most `epochs` epochs; they call your function on made-up series and
# check that the validation targets did not shape the weights; and, as a **sanity
# check** only, the trained model must beat the naive forecast $\hat y(t) = y(t - 1)$ on
# the ridership validation windows. That bar is low: chapter 6 shows that on a series
# with a weekly pattern the real baseline is the seasonal naive forecast, whose error is
# far smaller than the naive forecast's. While grading, `epochs` is only 3, so pick a
# model and a learning rate that learn quickly: a linear model
# (`keras.layers.Flatten()` then `keras.layers.Dense(1)`) trained with
# `SGD(learning_rate=0.05, momentum=0.9)` does; the network of Task 2 needs more epochs.
# Training is random, so a sound model can miss once: the tests train it up to three
# times, with the fixed seeds 0, 1 and 2 (the same runs each time the notebook is
# graded), and one run that beats the naive forecast is enough.
#
# **A goal that is not graded**: beat the seasonal naive forecast
# $\hat y(t) = y(t - 7)$ of chapter 6 on the same validation windows. The test cell
# prints the validation MAE of your model, of the naive forecast and of the seasonal
# naive forecast, and where your model stands against the goal; chapter 7 shows how
# far longer training and better models go.
#
# The grader also calls your function on made-up series, with windows of another
# length and a few epochs: build the model for the windows it receives
# (`X_train.shape[1:]`), not for 56 days only.

# %% answer train
def fit_and_evaluate(X_train, y_train, X_valid, y_valid, epochs):
    """Train a model for at most `epochs` epochs; return (model, validation MAE in riders)."""
    ### BEGIN SOLUTION
    model = keras.Sequential([
        keras.Input(shape=X_train.shape[1:]),
        keras.layers.Flatten(),
        keras.layers.Dense(1),
    ])
    model.compile(loss=keras.losses.Huber(),
                  optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9),
                  metrics=["mae"])
    early_stopping = keras.callbacks.EarlyStopping(monitor="val_mae", patience=10,
                                                   restore_best_weights=True)
    model.fit(X_train, y_train, validation_data=(X_valid, y_valid), epochs=epochs,
              callbacks=[early_stopping], verbose=0)
    _, valid_mae = model.evaluate(X_valid, y_valid, verbose=0)
    return model, valid_mae * 1e6
    ### END SOLUTION

# %% tests test_train points=2
import numpy as np
import rnnlib
from rnnlib import grading


def cut_windows(values, L):
    """Windows of L days (n - L, L, 1) and the day after each (n - L,), by a loop."""
    X = np.array([values[i:i + L] for i in range(len(values) - L)])[:, :, None]
    return X, np.array([values[i + L] for i in range(len(values) - L)])


rail = rnnlib.datasets.load_ridership()["rail"]
train, valid = (rail[slice(*rnnlib.datasets.PERIODS[name])] for name in ("train", "valid"))
X_train, y_train = cut_windows(train.to_numpy(dtype=float) / 1e6, 56)
X_valid, y_valid = cut_windows(valid.to_numpy(dtype=float) / 1e6, 56)
naive_mae = 1e6 * np.mean(np.abs(y_valid - X_valid[:, -1, 0]))     # y_hat(t) = y(t - 1)
seasonal_mae = 1e6 * np.mean(np.abs(y_valid - X_valid[:, -7, 0]))  # y_hat(t) = y(t - 7)
epochs = 3 if grading.autograding() else 20  # short while the assignment is graded


def training_run(seed):
    """One seeded training run: the checked model's validation MAE, in riders."""
    out = grading.call(fit_and_evaluate, dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                                              y_valid=y_valid, epochs=epochs), seed=seed)
    return grading.check_trained_forecaster(out, "fit_and_evaluate", X_train, y_train, X_valid,
                                            y_valid, epochs)[0]


# The graded sanity check: a trained model beats tomorrow = today (up to 3 runs:
# training is random).
maes = grading.train_to_beat(training_run, naive_mae)
valid_mae = maes[-1]
print(f"validation MAE: your model {grading.runs_text(maes)}, the naive forecast "
      f"{naive_mae:,.0f}, the seasonal naive forecast {seasonal_mae:,.0f}")
if not valid_mae < naive_mae:
    raise AssertionError(
        f"your model does not beat the naive forecast in any training run: its validation "
        f"MAE is {grading.runs_text(maes)}, after {epochs} epochs each, the naive forecast's "
        f"{naive_mae:,.0f}. Try a model that learns quickly (see the text) or a larger "
        "learning rate")
# The goal that is not graded.
if valid_mae < seasonal_mae:
    print("Goal (not graded) reached: your model beats the seasonal naive forecast.")
else:
    print(f"Goal (not graded): beat the seasonal naive forecast, {seasonal_mae:,.0f} riders; "
          f"your model is {valid_mae - seasonal_mae:,.0f} riders above it.")
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
# A made-up series with a weekly pattern, of random length, 5 epochs. The grader gives
# the function validation targets that it alone shifted by SHIFT (5 million riders):
# the reported MAE must be that of the returned model on the targets it was given,
# and the model must not lean toward those targets. A model trained on the training
# windows only never saw them (early stopping may pick an epoch by them, which moves
# its forecasts by far less than SHIFT / 3); a model also fitted to the validation
# windows moves its forecasts most of the way to them.
rng, seed = grading.fresh_rng()
n_days, L = int(rng.integers(200, 300)), int(rng.integers(7, 22))
day = np.arange(n_days)
values = 0.5 + 0.2 * np.sin(2 * np.pi * day / 7 + rng.uniform(0, 7)) + rng.normal(0, 0.03, n_days)
split = int(n_days * 0.3)
X_train, y_train = cut_windows(values[:split], L)
X_valid, y_valid = cut_windows(values[split:], L)
SHIFT = 5.0
case = f"made-up series of {n_days} days, window_length={L}, epochs=5, seed={seed}"
out = grading.call(fit_and_evaluate, dict(X_train=X_train, y_train=y_train, X_valid=X_valid,
                                          y_valid=y_valid + SHIFT, epochs=5), seed=0)
_, forecasts = grading.check_trained_forecaster(out, "fit_and_evaluate", X_train, y_train, X_valid,
                                                y_valid + SHIFT, 5, case=case)
grading.check_not_fitted_to_validation(forecasts, y_valid, SHIFT, "fit_and_evaluate", case)
### END HIDDEN TESTS
