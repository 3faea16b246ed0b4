# Source of the nbgrader notebook solutions/a6_time_series_baselines/time_series_baselines.ipynb.
# Edit this file, then run `make exercises`; the format is described in
# tools/build_notebooks.py. Running it with Python checks the reference
# solution against every test (the last task reads the ridership data: set
# RNNLIB_DATA_MIRROR to a folder holding ridership.tgz to work offline).

# %% readonly-markdown intro
# # Assignment 6: time-series baselines
#
# Before a recurrent network forecasts a series, we must know what simple methods
# achieve on it, and measure errors fairly. In chapter 6 the baselines and the error
# measures are, for a series $y(0), \dots, y(n-1)$ and forecasts $\hat y(t)$:
#
# | name | formula | eq. |
# |---|---|---|
# | naive forecast, lag $k$ | $\hat y(t) = y(t - k)$ | 6.1 |
# | seasonal naive forecast | the naive forecast with $k = s$, the season length | |
# | MAE | $\frac{1}{n} \sum_t \lvert y(t) - \hat y(t) \rvert$ | 6.2 |
# | MAPE | $\frac{1}{n} \sum_t \left\lvert \frac{y(t) - \hat y(t)}{y(t)} \right\rvert$ | 6.3 |
# | MASE | $\mathrm{MAE} \Big/ \frac{1}{N - s} \sum_{t=s}^{N-1} \lvert y_\text{tr}(t) - y_\text{tr}(t - s) \rvert$ | 6.10 |
#
# A forecast of day $t$ may only use what was known before day $t$. Every task below
# is about keeping that promise: in the forecasts, in the windows that a network
# learns from, and on the real ridership series.
#
# **How this notebook works.** Each task asks for a function: replace `raise
# NotImplementedError()` with your code. The cell after it tests your function on small
# cases and tells you what looks wrong; make your function correct for any series, of
# any length. How your work is graded (the hidden tests, what fails a test, the locked
# test cells) is explained once, on the book's page *Doing the graded exercises*.
#
# **What you may use.** numpy, and pandas in the last task. `rnnlib.baselines` holds
# the answers to this assignment: a function that calls it scores 0. You may call your
# own functions from earlier tasks.
#
# **The data.** The last task reads the Chicago ridership series with
# `rnnlib.datasets.load_ridership()`, which downloads `ridership.tgz` once. To work
# without a network connection, put a copy of `ridership.tgz` in the cache folder
# `~/.cache/rnnlib/` (or the folder named by `RNNLIB_CACHE_DIR`), or in any folder named
# by the environment variable `RNNLIB_DATA_MIRROR`, set before you start JupyterLab
# (`RNNLIB_DATA_MIRROR=/path/to/folder python3.11 start.py`). You never need a notebook
# cell that sets it, and one that does changes nothing when the notebook is graded.
#
# Before you submit: *Kernel → Restart Kernel and Run All Cells*, then check that
# every test cell runs without an error.

# %% readonly-code setup
import numpy as np

import rnnlib
from rnnlib import grading

# %% readonly-markdown task_naive_forecast
# ## Task 1: the naive and seasonal naive forecasts (2 points)
#
# Write `naive_forecast(y, lag)`: `y` is a series, a numpy array of shape `(n,)` (it
# may hold integers, such as passenger counts), and `lag` an integer with
# $1 \le$ `lag` $< n$. Return the array `y_hat` of shape `(n,)`, floats, with
# `y_hat[t]` $= y(t - \text{lag})$ (eq. 6.1). The first `lag` days have no day `lag`
# steps earlier: their forecast is `np.nan` ("no value").
#
# With `lag=1` this is the naive forecast (tomorrow looks like today); with `lag=7`
# on daily data it is the seasonal naive forecast (next Tuesday looks like this
# Tuesday).

# %% answer naive_forecast
def naive_forecast(y, lag):
    """y_hat(t) = y(t - lag) (eq. 6.1), shape (n,), NaN for the first lag days."""
    ### BEGIN SOLUTION
    y_hat = np.full(len(y), np.nan)
    y_hat[lag:] = y[:len(y) - lag]
    return y_hat
    ### END SOLUTION

# %% tests test_naive_forecast points=2
import numpy as np
from rnnlib import grading


def same(a, b):
    """Same shape and values, NaN where the other has NaN."""
    return a.shape == b.shape and bool(np.allclose(a, b, equal_nan=True))


def check_forecast(got, y, lag, case=""):
    """Check naive_forecast's output against y(t - lag), naming the usual mistakes."""
    where = f"\n  (case: {case})" if case else ""
    name = f"naive_forecast(y, lag={lag})"
    got = grading.check_float_array(got, name, case=case)
    n = len(y)
    nan = np.full(lag, np.nan)
    mistakes = [
        ("your forecast for day t uses day t itself, which is not known yet: "
         "y_hat(t) = y(t - lag)", y.astype(float)),
        (f"your forecast for day t uses day t + {lag}, a day in the future: y_hat(t) = y(t - lag), "
         "the value lag days *earlier*", np.concatenate([y[lag:], nan])),
        ("your forecast for day t uses day t - (lag - 1): it is one day off",
         np.concatenate([np.full(lag - 1, np.nan), y[:n - lag + 1]])),
        ("the first lag days have no day lag steps earlier, so their forecast is NaN: "
         "they must not wrap around to the end of the series (np.roll does that)",
         np.roll(y.astype(float), lag)),
        ("the first lag days have no forecast: use np.nan, not 0 (a forecast of 0 "
         "passengers would count as a huge error)", np.concatenate([np.zeros(lag), y[:n - lag]])),
    ]
    if lag > 1:
        mistakes.append((f"the forecast is the previous day's value whatever the lag: "
                         f"y_hat(t) = y(t - lag), here {lag} days earlier",
                         np.concatenate([[np.nan], y[:n - 1]])))
    for message, candidate in mistakes:
        if same(got, candidate):
            raise grading.CheckFailed(f"{name} is wrong: {message}{where}")
    grading.check_shape(got, (n,), name, case=case,
                        hint="one forecast per day, as many as values in y; the first lag "
                             "of them are NaN")
    if not np.isnan(got[:lag]).all():
        raise grading.CheckFailed(f"{name} is wrong: the forecasts of days 0 to {lag - 1} must be NaN: "
                             f"those days have no value {lag} step(s) earlier{where}")
    if np.isnan(got[lag:]).any():
        raise grading.CheckFailed(f"{name} is wrong: only days 0 to {lag - 1} have no forecast (NaN); "
                             f"every day t >= {lag} has the forecast y(t - {lag}){where}")
    grading.check_array(got[lag:], y[:n - lag], f"{name}[{lag}:]", case=case)


# A case to check by hand: y = 3, 5, 4, 6, 8, 7.
y = np.array([3.0, 5.0, 4.0, 6.0, 8.0, 7.0])
#          lag 1: nan, 3, 5, 4, 6, 8         lag 3: nan, nan, nan, 3, 5, 4
for lag in (1, 3):
    check_forecast(grading.call(naive_forecast, dict(y=y, lag=lag)), y, lag)

# The seasonal naive forecast of three weeks of daily counts (integers) with lag 7:
# the second week is forecast by the first, the third by the second.
week = np.array([500, 520, 510, 530, 560, 300, 200])
counts = np.concatenate([week, week + 10, week - 20])
check_forecast(grading.call(naive_forecast, dict(y=counts, lag=7)), counts, 7)
print("Task 1: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_forecast(y, lag):
    """eq. 6.1 in plain Python."""
    values = y.tolist()
    return [float("nan")] * lag + [float(values[t - lag]) for t in range(lag, len(values))]


rng, seed = grading.fresh_rng()
for n, lag in [(2, 1), (8, 7), (30, 1), (30, 7), (int(rng.integers(20, 60)), int(rng.integers(2, 15)))]:
    for y in (rng.uniform(50, 150, size=n), rng.integers(0, 1000, size=n)):
        case = f"n={n}, lag={lag}, {y.dtype} values, seed={seed}"
        got = grading.call(naive_forecast, dict(y=y, lag=lag))
        check_forecast(got, y, lag, case=case)
        expected = np.array(_reference_forecast(y, lag))
        if not same(grading.as_result_array(got, "y_hat"), expected):
            raise grading.CheckFailed(f"naive_forecast(y, lag={lag}) differs from y(t - lag)\n  (case: {case})")
### END HIDDEN TESTS

# %% readonly-markdown task_mae_mape
# ## Task 2: MAE and MAPE (2 points)
#
# Write `mae(y_true, y_pred)` (eq. 6.2) and `mape(y_true, y_pred)` (eq. 6.3). Both
# take the actual values and the forecasts, two arrays of shape `(n,)` with no NaN,
# and return a number. `mape` returns a **fraction**: 0.09 means 9 %. The actual
# values are never 0 here, but they may be negative (a temperature, a profit): eq. 6.3
# divides by $\lvert y(t) \rvert$.

# %% answer mae_mape
def mae(y_true, y_pred):
    """Mean absolute error (eq. 6.2), a number in the units of y."""
    ### BEGIN SOLUTION
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))
    ### END SOLUTION


def mape(y_true, y_pred):
    """Mean absolute percentage error (eq. 6.3), as a fraction."""
    ### BEGIN SOLUTION
    y_true = np.asarray(y_true, dtype=float)
    return float(np.mean(np.abs((y_true - np.asarray(y_pred)) / y_true)))
    ### END SOLUTION

# %% tests test_mae_mape points=2
import numpy as np
from rnnlib import grading

# A case to check by hand: errors y - y_hat = -10, 30, 0, -10.
y_true = np.array([100.0, 200.0, 400.0, 50.0])
y_pred = np.array([110.0, 170.0, 400.0, 60.0])
# MAE  = (10 + 30 + 0 + 10) / 4 = 12.5
# MAPE = (10/100 + 30/200 + 0/400 + 10/50) / 4 = (0.1 + 0.15 + 0 + 0.2) / 4 = 0.1125
error = grading.call(mae, dict(y_true=y_true, y_pred=y_pred))
grading.check_array(grading.check_number(error, "mae"), 12.5, "mae", mistakes=[
    ("the errors cancel out: take the absolute value of each error before averaging", 2.5),
    ("the errors cancel out: take the absolute value of each error before averaging", -2.5),
    ("this is the mean squared error: MAE averages |y(t) - y_hat(t)|, not its square", 275.0),
    ("this is the root mean squared error: MAE averages |y(t) - y_hat(t)|", np.sqrt(275.0)),
    ("MAE is a mean: divide the sum of the errors by n", 50.0),
    ("MAE is the mean of the absolute errors, not their median", 10.0),
])
error = grading.call(mape, dict(y_true=y_true, y_pred=y_pred))
grading.check_array(grading.check_number(error, "mape"), 0.1125, "mape", mistakes=[
    ("return MAPE as a fraction, 0.1125 for 11.25 %, not as a percentage", 11.25),
    ("divide each error by the actual value y(t), not by the forecast",
     np.mean([10 / 110, 30 / 170, 0.0, 10 / 60])),
    ("MAPE averages the ratios |y(t) - y_hat(t)| / |y(t)|; this is the total error "
     "divided by the total of y", 50 / 750),
    ("the errors cancel out: take the absolute value of each ratio", -0.0375),
    ("the errors cancel out: take the absolute value of each ratio", 0.0375),
])
# Actual values may be negative: with y = -100, 200 and forecasts -90, 230, the ratios
# are |-100 - (-90)| / |-100| = 0.1 and 30 / 200 = 0.15, so MAPE = 0.125.
error = grading.call(mape, dict(y_true=np.array([-100.0, 200.0]), y_pred=np.array([-90.0, 230.0])))
grading.check_array(grading.check_number(error, "mape"), 0.125, "mape of y = [-100, 200]", mistakes=[
    ("divide each error by |y(t)|: an actual value may be negative, and a negative "
     "ratio makes the mean too small", 0.025),
    ("the errors cancel out: take the absolute value of each ratio", lambda got: abs(got) < 0.1),
])
print("Task 2: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_mae(y_true, y_pred):
    return sum(abs(a - b) for a, b in zip(y_true.tolist(), y_pred.tolist())) / len(y_true)


def _reference_mape(y_true, y_pred):
    return sum(abs((a - b) / a) for a, b in zip(y_true.tolist(), y_pred.tolist())) / len(y_true)


rng, seed = grading.fresh_rng()
for n, sign in ((1, "positive"), (2, "positive"), (7, "positive"), (1, "negative"),
                (4, "mixed"), (int(rng.integers(20, 200)), "mixed")):
    y_true = rng.uniform(10, 1000, size=n)
    if sign == "negative":
        y_true = -y_true
    elif sign == "mixed":  # both signs, at least one of each
        y_true = y_true * np.where(np.arange(n) % 2 == 0, -1.0, 1.0)[rng.permutation(n)]
    y_pred = y_true + rng.normal(scale=50, size=n)
    case = f"n={n}, {sign} actual values, seed={seed}"
    for func, reference in ((mae, _reference_mae), (mape, _reference_mape)):
        got = grading.call(func, dict(y_true=y_true, y_pred=y_pred), name=func.__name__)
        expected = reference(y_true, y_pred)
        mistakes = []
        if func is mape:
            signed = float(np.mean(np.abs(y_true - y_pred) / y_true))
            mistakes = [("divide each error by |y(t)|: the actual values may be negative",
                         lambda got, signed=signed: not np.isclose(signed, expected)
                         and np.isclose(got, signed, rtol=1e-9))]
        grading.check_array(grading.check_number(got, func.__name__, case=case),
                            expected, func.__name__, case=case, rtol=1e-9, mistakes=mistakes)
### END HIDDEN TESTS

# %% readonly-markdown task_mase
# ## Task 3: MASE (2 points)
#
# MAE is in the units of the series and MAPE misbehaves near 0. The mean absolute
# scaled error divides the MAE of a forecast by a yardstick measured on the
# **training** series $y_\text{tr}(0), \dots, y_\text{tr}(N-1)$, the data known
# before the evaluation period: the mean absolute error of the seasonal naive
# forecast there,
#
# $$\mathrm{MASE} = \frac{\mathrm{MAE}(y, \hat y)}{\frac{1}{N - s} \sum_{t=s}^{N-1}
# \lvert y_\text{tr}(t) - y_\text{tr}(t - s) \rvert} \qquad (6.10)$$
#
# Write `mase(y_true, y_pred, y_train, season_length)`: `y_true` and `y_pred` of shape
# `(n,)` as in Task 2, `y_train` of shape `(N,)` with $N >$ `season_length` $= s$.
# It returns a number; below 1, the forecast beats what the seasonal naive forecast
# achieved on the training data.

# %% answer mase
def mase(y_true, y_pred, y_train, season_length):
    """Mean absolute scaled error (eq. 6.10), a number."""
    ### BEGIN SOLUTION
    y_train = np.asarray(y_train, dtype=float)
    m = season_length
    scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
    return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))) / scale)
    ### END SOLUTION

# %% tests test_mase points=2
import numpy as np
from rnnlib import grading

# A case to check by hand, with a season of s = 2:
y_train = np.array([10.0, 30.0, 12.0, 33.0, 11.0, 31.0, 14.0, 35.0])
# |12 - 10| + |33 - 30| + |11 - 12| + |31 - 33| + |14 - 11| + |35 - 31|
#     = 2 + 3 + 1 + 2 + 3 + 4 = 15 over N - s = 6 differences: the scale is 2.5
y_true = np.array([13.0, 34.0, 16.0, 30.0])
y_pred = np.array([14.0, 35.0, 13.0, 34.0])
# MAE = (1 + 1 + 3 + 4) / 4 = 2.25, so MASE = 2.25 / 2.5 = 0.9
score = grading.call(mase, dict(y_true=y_true, y_pred=y_pred, y_train=y_train, season_length=2))
grading.check_array(grading.check_number(score, "mase"), 0.9, "mase", mistakes=[
    ("the scale is the error of the *seasonal* naive forecast: differences at lag "
     "season_length, y_train(t) - y_train(t - m), not at lag 1", 2.25 / (139 / 7)),
    ("the scale averages the N - m differences y_train(t) - y_train(t - m) for "
     "t = m, ..., N-1: divide by N - m, not N", 2.25 / (15 / 8)),
    ("the scale is measured on the training series y_train, not on the period being "
     "evaluated", 2.25 / 3.5),
    ("the first m values of y_train have no value m steps earlier: they must not wrap "
     "around to the end (np.roll does that)", 2.25 / 3.0),
    ("MASE is the forecast's MAE divided by the scale, not the other way round", 2.5 / 2.25),
    ("the scale averages the absolute differences |y_train(t) - y_train(t - m)|: "
     "without the absolute value, ups and downs cancel out", 2.25 / 1.5),
])
print("Task 3: the visible tests pass.")

### BEGIN HIDDEN TESTS
def _reference_mase(y_true, y_pred, y_train, m):
    error = sum(abs(a - b) for a, b in zip(y_true.tolist(), y_pred.tolist())) / len(y_true)
    train = y_train.tolist()
    scale = sum(abs(train[t] - train[t - m]) for t in range(m, len(train))) / (len(train) - m)
    return error / scale


rng, seed = grading.fresh_rng()
for N, n, m in [(2, 1, 1), (8, 3, 7), (60, 14, 7), (int(rng.integers(30, 100)), int(rng.integers(1, 30)),
                                                   int(rng.integers(2, 13)))]:
    case = f"N={N}, n={n}, season_length={m}, seed={seed}"
    t = np.arange(N + n)
    series = 100 + 30 * np.sin(2 * np.pi * t / m) + rng.normal(scale=10, size=N + n)
    y_train, y_true = series[:N], series[N:]
    y_pred = y_true + rng.normal(scale=8, size=n)
    score = grading.call(mase, dict(y_true=y_true, y_pred=y_pred, y_train=y_train, season_length=m))
    grading.check_array(grading.check_number(score, "mase", case=case),
                        _reference_mase(y_true, y_pred, y_train, m), "mase", case=case, rtol=1e-9)
### END HIDDEN TESTS

# %% readonly-markdown task_make_windows
# ## Task 4: windows that never see the future (3 points)
#
# To learn to forecast, a network reads many examples cut from one series: a window
# of `window_length` consecutive values as inputs, and as target the value `horizon`
# steps after the window's last value. Write `make_windows(series, window_length, horizon)`
# for a series of shape `(n,)`. It returns the tuple `(inputs, targets)`:
#
# * `inputs`, shape `(n_windows, window_length)`: row `i` holds `series[i]`, ...,
#   `series[i + window_length - 1]`;
# * `targets`, shape `(n_windows,)`: `targets[i]` is `series[i + window_length + horizon - 1]`;
#
# with one window for every start `i` whose target exists,
# `n_windows = n - window_length - horizon + 1` (always at least 1 here).
#
# For example, with `series` = 10, 11, ..., 15, `window_length=3` and `horizon=1`, the
# windows are (10, 11, 12) → 13, (11, 12, 13) → 14 and (12, 13, 14) → 15. A window
# whose inputs contain its own target, or anything after it, would teach a model to
# read the answer instead of forecasting it.

# %% answer make_windows
def make_windows(series, window_length, horizon):
    """Inputs (n_windows, window_length) and targets (n_windows,) cut from series (n,)."""
    ### BEGIN SOLUTION
    n_windows = len(series) - window_length - horizon + 1
    inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
    targets = np.array([series[i + window_length + horizon - 1] for i in range(n_windows)])
    return inputs, targets
    ### END SOLUTION

# %% tests test_make_windows points=3
import numpy as np
from rnnlib import grading


def check_windows(series, window_length, horizon, case=""):
    """Check make_windows on series: shapes, alignment, and no look into the future."""
    where = f"\n  (case: {case})" if case else ""
    args = dict(series=series, window_length=window_length, horizon=horizon)
    out = grading.call(make_windows, args)
    inputs, targets = grading.unpack(out, ("inputs", "targets"), "make_windows")
    n, L, h = len(series), window_length, horizon
    count = n - L - h + 1
    expected_inputs = np.array([series[i:i + L] for i in range(count)])
    expected_targets = series[L + h - 1:]
    hint = (f"one window per start i = 0, ..., n - window_length - horizon = {count - 1}: "
            f"{count} windows for n={n}, window_length={L}, horizon={h}")
    targets = grading.as_result_array(targets, "targets")
    if targets.shape == (count,) and np.allclose(targets, series[L - 1:n - h]):
        raise grading.CheckFailed("targets is wrong: the target of each window is its own last input, "
                             "so the forecast for day t uses day t. The target comes horizon "
                             f"steps after the window's last value{where}")
    grading.check_array(inputs, expected_inputs, "inputs", case=case, shape_hint=hint,
                        transpose_hint="one row per window: (n_windows, window_length)", mistakes=[
        ("each window must end horizon steps before its target: these windows end on their "
         "target, so the inputs contain the value to forecast",
         np.array([series[i + h:i + h + L] for i in range(count)])),
    ])
    grading.check_array(targets, expected_targets, "targets", case=case, shape_hint=hint, mistakes=[
        (f"the target is horizon = {h} step(s) after the window's last value, "
         f"series[i + window_length + horizon - 1]", series[L:n - h + 1]),
        ("the target is one step too late: with horizon=1 it is the value right after the window",
         lambda got: got.shape[0] >= 1 and np.allclose(got[:count - 1], series[L + h:])),
    ])
    # No look into the future: change every value from a window's target day on; the
    # window's inputs must stay the same, and so must every earlier window.
    for i in range(count):
        day = i + L + h - 1  # the day window i forecasts
        changed = series.astype(float)
        changed[day:] = -1000 - np.arange(n - day)
        inputs2, targets2 = grading.unpack(grading.call(make_windows, {**args, "series": changed}),
                                           ("inputs", "targets"), "make_windows")
        inputs2 = grading.as_result_array(inputs2, "inputs")
        if not np.array_equal(inputs2[:i + 1], inputs[:i + 1]):
            raise grading.CheckFailed(
                f"the inputs of window {i} (or an earlier one) change when only the values from "
                f"day {day}, the day it forecasts, onwards change: the inputs leak the future{where}")
        if not np.array_equal(grading.as_result_array(targets2, "targets")[:i], targets[:i]):
            raise grading.CheckFailed(f"the targets of windows before {i} change when only the values "
                                 f"from day {day} onwards change{where}")


# The example of the text, then a horizon of 2: (10, 11, 12) -> 14, ..., (12, 13, 14) -> 16.
check_windows(np.arange(10.0, 16.0), window_length=3, horizon=1)
check_windows(np.arange(10.0, 17.0), window_length=3, horizon=2)
print("Task 4: the visible tests pass.")

### BEGIN HIDDEN TESTS
rng, seed = grading.fresh_rng()
for n, L, h in [(2, 1, 1), (5, 4, 1), (6, 1, 5), (12, 7, 1), (int(rng.integers(25, 50)),
                                                           int(rng.integers(2, 10)), int(rng.integers(2, 6)))]:
    series = rng.normal(size=n)
    check_windows(series, L, h, case=f"n={n}, window_length={L}, horizon={h}, seed={seed}")
    # a reference written as a loop over the days of each window
    inputs, targets = grading.call(make_windows, dict(series=series, window_length=L, horizon=h))
    for i in range(n - L - h + 1):
        for j in range(L):
            if inputs[i][j] != series[i + j]:
                raise grading.CheckFailed(f"inputs[{i}, {j}] should be series[{i + j}]")
        if targets[i] != series[i + L + h - 1]:
            raise grading.CheckFailed(f"targets[{i}] should be series[{i + L + h - 1}]")
### END HIDDEN TESTS

# %% readonly-markdown ridership_data
# ## The ridership series
#
# The last task uses the Chicago ridership series of chapter 6. This cell loads it
# (from the course's data cache; the first time, it fetches the archive) and shows its
# first days: one row per day, the boardings on buses and on trains.

# %% readonly-code load_ridership
import pandas as pd

df = rnnlib.datasets.load_ridership()
df.head()

# %% readonly-markdown task_ridership_baseline
# ## Task 5: the baseline on the validation period (2 points)
#
# Write `seasonal_naive_scores(series, start, end, season_length)`: `series` is a
# pandas Series with one value per day, indexed by date (such as `df["rail"]`), and
# `start`, `end` are dates such as `"2019-03-01"`. Forecast every day $d$ from
# `start` to `end`, **both included**, with the seasonal naive forecast
# $\hat y(d) = y(d - s)$, $s$ = `season_length` days, and return the tuple
# `(mae, mape)` of that period (MAPE as a fraction).
#
# The forecast of the first days of the period comes from days before `start`: they
# are known when the period begins, so use them. You may use pandas, and your
# functions from Tasks 1 and 2 (on numpy arrays: `series.to_numpy()`), but not
# `rnnlib.baselines`.
#
# Chapter 6 gives reference figures for the validation days it scores, with $s = 7$:
# from `rnnlib.datasets.SCORED_FROM` to the last day of the validation period,
# `rnnlib.datasets.PERIODS["valid"]` (the course's periods, defined there once). The
# test checks its figures for the bus series, and the grader checks other series,
# periods and seasons.

# %% answer ridership_baseline
def seasonal_naive_scores(series, start, end, season_length):
    """(MAE, MAPE) of y_hat(d) = y(d - season_length) for the days start..end (included)."""
    ### BEGIN SOLUTION
    forecast = series.shift(season_length)
    actual, predicted = series[start:end], forecast[start:end]
    errors = (actual - predicted).abs()
    return float(errors.mean()), float((errors / actual.abs()).mean())
    ### END SOLUTION

# %% tests test_ridership_baseline points=2
import numpy as np
import pandas as pd
import rnnlib
from rnnlib import grading


def check_scores(out, expected_mae, expected_mape, case="", mistakes_mae=(), mistakes_mape=(),
                 atol_mae=1e-6, atol_mape=1e-9):
    got_mae, got_mape = grading.unpack(out, ("mae", "mape"), "seasonal_naive_scores")
    if np.isnan(grading.check_number(got_mae, "the MAE", case=case)):
        raise grading.CheckFailed(
            "the MAE is NaN: some days of the period have no forecast. The forecast y(d - m) of "
            "the first m days comes from before start: shift the whole series, then select "
            "the period" + (f"\n  (case: {case})" if case else ""))
    grading.check_array(grading.check_number(got_mae, "the MAE", case=case), expected_mae,
                        "the MAE", case=case, atol=atol_mae, rtol=0, mistakes=mistakes_mae)
    grading.check_array(grading.check_number(got_mape, "the MAPE", case=case), expected_mape,
                        "the MAPE", case=case, atol=atol_mape, rtol=0, mistakes=mistakes_mape)


# A case to check by hand: three weeks, values 100 + the day number, except a bump of
# +70 on day 9. The period is days 8 to 11, forecast with s = 7 from days 1 to 4.
days = pd.date_range("2024-01-01", periods=21, freq="D")
toy = pd.Series(100.0 + np.arange(21), index=days)
toy.iloc[9] += 70  # 2024-01-10
# actual: 108, 179, 110, 111;  forecast: 101, 102, 103, 104;  errors: 7, 77, 7, 7
# MAE = 98 / 4 = 24.5;  MAPE = (7/108 + 77/179 + 7/110 + 7/111) / 4
toy_mape = (7 / 108 + 77 / 179 + 7 / 110 + 7 / 111) / 4
out = grading.call(seasonal_naive_scores, dict(series=toy, start="2024-01-09", end="2024-01-12",
                                               season_length=7))
check_scores(out, 24.5, toy_mape, mistakes_mae=[
    ("the period includes both start and end: 4 days here", 91 / 3),
    ("your forecast for day d uses day d + 7, in the future: y_hat(d) = y(d - 7)",
     (7 + 63 + 7 + 7) / 4),
    ("the seasonal naive forecast of day d is y(d - season_length), the same day a "
     "season earlier, not the day before", (1 + 71 + 69 + 1) / 4),
    ("the forecast of day d is y(d - season_length), season_length = 7 days earlier: "
     "shift by season_length, not season_length - 1", (6 + 76 + 6 + 6) / 4),
], mistakes_mape=[("return MAPE as a fraction, not as a percentage", 100 * toy_mape)])

# The reference figures of chapter 6: bus, its scored validation days, s = 7.
bus = rnnlib.datasets.load_ridership()["bus"]
scored = (rnnlib.datasets.SCORED_FROM, rnnlib.datasets.PERIODS["valid"][1])  # first, last day
out = grading.call(seasonal_naive_scores, dict(series=bus, start=scored[0], end=scored[1],
                                               season_length=7))
check_scores(out, 43_916, 0.0829, case="bus, {} to {}".format(*scored), atol_mae=0.5, atol_mape=5e-5)
print("Task 5: the visible tests pass.")

### BEGIN HIDDEN TESTS
data = rnnlib.datasets.load_ridership()


def _reference_scores(series, start, end, m):
    """MAE and MAPE of y(d - m days) over start..end, one calendar day at a time."""
    value = dict(zip(series.index, series.to_numpy().tolist()))
    errors, ratios = [], []
    for day in pd.date_range(start, end, freq="D"):
        actual, forecast = value[day], value[day - pd.Timedelta(days=m)]
        errors.append(abs(actual - forecast))
        ratios.append(abs(actual - forecast) / abs(actual))
    return sum(errors) / len(errors), sum(ratios) / len(ratios)


# the rail reference figures of chapter 6 (computed with independent code)
out = grading.call(seasonal_naive_scores, dict(series=data["rail"], start=scored[0],
                                               end=scored[1], season_length=7))
check_scores(out, 42_143, 0.0899, case="rail, {} to {}".format(*scored), atol_mae=0.5, atol_mape=5e-5)

rng, seed = grading.fresh_rng()
first, last = data.index[0] + pd.Timedelta(days=30), data.index[-1]
for column, m, length in [("rail", 7, 1), ("bus", 1, 30), ("rail", 14, int(rng.integers(2, 200))),
                          ("bus", 7, int(rng.integers(2, 200)))]:
    start = first + pd.Timedelta(days=int(rng.integers(0, (last - first).days - length)))
    end = start + pd.Timedelta(days=length - 1)
    start, end = str(start.date()), str(end.date())
    case = f"{column}, {start} to {end}, season_length={m}, seed={seed}"
    out = grading.call(seasonal_naive_scores, dict(series=data[column], start=start, end=end,
                                                   season_length=m))
    check_scores(out, *_reference_scores(data[column], start, end, m), case=case, atol_mae=1e-6,
                 atol_mape=1e-12)
### END HIDDEN TESTS
