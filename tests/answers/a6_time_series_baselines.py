"""Assignment 6, time-series baselines: the answers students write (see ``answers/__init__.py``)."""
from ._answer import answers


WRONG = answers("naive_forecast", [
    ("uses_day_t", "y_hat(t) = y(t - lag + 1): for lag 1 the forecast of day t is day t", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[lag - 1:] = y[:len(y) - lag + 1]
            return y_hat
     """),
    ("future", "y_hat(t) = y(t + lag)", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[:len(y) - lag] = y[lag:]
            return y_hat
     """),
    ("roll", "np.roll: the first lag days wrap around to the end of the series", """
        def naive_forecast(y, lag):
            return np.roll(np.asarray(y, dtype=float), lag)
     """),
    ("zeros", "0 instead of NaN for the first lag days", """
        def naive_forecast(y, lag):
            y_hat = np.zeros(len(y))
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
    ("drops_first_days", "returns the n - lag forecasts that exist", """
        def naive_forecast(y, lag):
            return np.asarray(y[:-lag], dtype=float)
     """),
    ("lag_ignored", "always the previous day", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan)
            y_hat[1:] = y[:-1]
            return y_hat
     """),
    ("empty_like", "np.empty_like(y): an integer series cannot hold NaN", """
        def naive_forecast(y, lag):
            y_hat = np.empty_like(y)
            y_hat[:lag] = np.nan
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
    ("delegates", "calls rnnlib.baselines.naive_forecast", """
        def naive_forecast(y, lag):
            return rnnlib.baselines.naive_forecast(np.asarray(y, dtype=float), lag)
     """),
    ("returns_list", "a Python list, where the task asks for a float array", """
        def naive_forecast(y, lag):
            return [np.nan] * lag + [float(v) for v in y[:len(y) - lag]]
     """, "should be a numpy array of floats, got list"),
    ("nan_into_integers", "fills a copy of y, an integer array for counts, with NaN", """
        def naive_forecast(y, lag):
            y_hat = np.zeros_like(y)
            y_hat[:lag] = np.nan
            y_hat[lag:] = y[:-lag]
            return y_hat
     """, "an array of integers cannot hold NaN"),
]) + answers("mae_mape", [
    ("mse", "the mean squared error as MAE", """
        def mae(y_true, y_pred):
            return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("signed_mae", "the mean error: errors of opposite signs cancel", """
        def mae(y_true, y_pred):
            return float(np.mean(np.asarray(y_true) - np.asarray(y_pred)))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("percent", "MAPE in percent", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return 100 * float(np.mean(np.abs((y_true - y_pred) / y_true)))
     """),
    ("divides_by_forecast", "divides each error by the forecast", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            y_pred = np.asarray(y_pred, dtype=float)
            return float(np.mean(np.abs((y_true - y_pred) / y_pred)))
     """),
    ("ratio_of_sums", "total absolute error over the total of y (a weighted MAPE)", """
        def mae(y_true, y_pred):
            return float(np.mean(np.abs(np.asarray(y_true) - np.asarray(y_pred))))


        def mape(y_true, y_pred):
            return float(np.sum(np.abs(np.asarray(y_true) - y_pred)) / np.sum(np.abs(y_true)))
     """),
    ("delegates", "calls rnnlib.baselines", """
        def mae(y_true, y_pred):
            return rnnlib.baselines.mae(y_true, y_pred)


        def mape(y_true, y_pred):
            return rnnlib.baselines.mape(y_true, y_pred)
     """),
    ("mape_without_abs_y", "mean(|e| / y): right only while every actual value is positive", """
        def mae(y_true, y_pred):
            return np.mean(np.abs(y_true - y_pred))

        def mape(y_true, y_pred):
            return np.mean(np.abs(y_true - y_pred) / y_true)
     """, "divide each error by |y(t)|"),
]) + answers("mase", [
    ("lag_one_scale", "scales by the lag-1 naive forecast's error", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            scale = np.mean(np.abs(np.diff(y_train)))
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("divides_by_N", "sums the N - m differences but divides by N", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            m = season_length
            scale = np.sum(np.abs(y_train[m:] - y_train[:-m])) / len(y_train)
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("scale_on_test_period", "measures the yardstick on y_true", """
        def mase(y_true, y_pred, y_train, season_length):
            m = min(season_length, len(y_true) - 1) or 1
            y_true = np.asarray(y_true, dtype=float)
            scale = np.mean(np.abs(y_true[m:] - y_true[:-m])) if len(y_true) > 1 else 1.0
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("roll", "np.roll: the first m differences wrap around", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            scale = np.mean(np.abs(y_train - np.roll(y_train, season_length)))
            return float(np.mean(np.abs(y_true - y_pred)) / scale)
     """),
    ("inverted", "scale divided by the MAE", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            m = season_length
            scale = np.mean(np.abs(y_train[m:] - y_train[:-m]))
            return float(scale / np.mean(np.abs(y_true - y_pred)))
     """),
    ("delegates", "calls rnnlib.baselines.mase", """
        def mase(y_true, y_pred, y_train, season_length):
            return rnnlib.baselines.mase(y_true, y_pred, y_train, season_length=season_length)
     """),
    ("signed_scale", "the scale averages signed differences, without abs", """
        def mase(y_true, y_pred, y_train, season_length):
            m = season_length
            scale = abs(np.mean(y_train[m:] - y_train[:-m]))
            return np.mean(np.abs(y_true - y_pred)) / scale
     """, "the scale averages the absolute differences"),
    ("lag_m_minus_one", "the scale's differences at lag season_length - 1", """
        def mase(y_true, y_pred, y_train, season_length):
            lag = season_length - 1 if season_length > 1 else 1
            scale = np.mean(np.abs(y_train[lag:] - y_train[:-lag]))
            return np.mean(np.abs(y_true - y_pred)) / scale
     """, "differences at lag season_length"),
]) + answers("make_windows", [
    ("target_is_last_input", "the target is the window's own last value", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            return inputs, inputs[:, -1]
     """),
    ("window_includes_target", "each window runs up to and including its target", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            t = [i + window_length + horizon - 1 for i in range(n_windows)]
            inputs = np.array([series[j - window_length + 1:j + 1] for j in t])
            return inputs, np.array([series[j] for j in t])
     """),
    ("ignores_horizon", "the target is always the next value", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            targets = np.array([series[i + window_length] for i in range(n_windows)])
            return inputs, targets
     """),
    ("one_window_short", "range(n - window_length - horizon)", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)]).reshape(-1, window_length)
            targets = np.array([series[i + window_length + horizon - 1] for i in range(n_windows)])
            return inputs, targets
     """),
    ("target_one_late", "the target is horizon + 1 steps after the window", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length - horizon
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)]).reshape(-1, window_length)
            targets = np.array([series[i + window_length + horizon] for i in range(n_windows)])
            return inputs, targets
     """),
    ("roll", "targets from np.roll: the last windows get values from the start", """
        def make_windows(series, window_length, horizon):
            n_windows = len(series) - window_length + 1
            inputs = np.lib.stride_tricks.sliding_window_view(series, window_length)
            targets = np.roll(series, -(window_length + horizon - 1))[:n_windows]
            return inputs, targets
     """),
    ("normalised_by_series", "scales every window by the mean of the whole series, future included", """
        def make_windows(series, window_length, horizon):
            series = np.asarray(series, dtype=float) / np.mean(np.abs(series))
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n_windows)])
            targets = np.array([series[i + window_length + horizon - 1] for i in range(n_windows)])
            return inputs, targets
     """),
    ("targets_as_column", "targets of shape (n_windows, 1)", """
        def make_windows(series, window_length, horizon):
            n = len(series) - window_length - horizon + 1
            inputs = np.array([series[i:i + window_length] for i in range(n)])
            targets = np.array([[series[i + window_length + horizon - 1]] for i in range(n)])
            return inputs, targets
     """, "targets has shape (3, 1) but expected (3,)"),
]) + answers("ridership_baseline", [
    ("slices_first", "forecasts inside the period only, so its first week has no forecast", """
        def seasonal_naive_scores(series, start, end, season_length):
            period = series[start:end]
            forecast = period.shift(season_length)
            errors = (period - forecast).abs()
            return float(errors.mean()), float((errors / period).mean())
     """),
    ("future", "shift(-m): forecasts day d by day d + m", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(-season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), float((errors / series[start:end]).mean())
     """),
    ("end_excluded", "positions from searchsorted, end left out", """
        def seasonal_naive_scores(series, start, end, season_length):
            y = series.to_numpy(dtype=float)
            i, j = series.index.searchsorted(pd.Timestamp(start)), series.index.searchsorted(pd.Timestamp(end))
            actual, forecast = y[i:j], y[i - season_length:j - season_length]
            errors = np.abs(actual - forecast)
            return float(errors.mean()), float((errors / actual).mean())
     """),
    ("lag_one", "ignores season_length and forecasts with yesterday", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(1)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), float((errors / series[start:end]).mean())
     """),
    ("percent", "MAPE in percent", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()), 100 * float((errors / series[start:end]).mean())
     """),
    ("delegates", "calls rnnlib.baselines", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = rnnlib.baselines.seasonal_naive_forecast(series, season_length)
            actual, predicted = series[start:end], forecast[start:end]
            return rnnlib.baselines.mae(actual, predicted), rnnlib.baselines.mape(actual, predicted)
     """),
    ("shift_m_minus_one", "shifts by season_length - 1 days", """
        def seasonal_naive_scores(series, start, end, season_length):
            forecast = series.shift(season_length - 1)
            actual, predicted = series[start:end], forecast[start:end]
            errors = (actual - predicted).abs()
            return float(errors.mean()), float((errors / actual.abs()).mean())
     """, "shift by season_length, not season_length - 1"),
    ("rescales_in_place", "works in thousands by dividing the caller's series in place", """
        def seasonal_naive_scores(series, start, end, season_length):
            series /= 1000.0
            forecast = series.shift(season_length)
            errors = (series[start:end] - forecast[start:end]).abs()
            return float(errors.mean()) * 1000.0, float((errors / series[start:end].abs()).mean())
     """, "changed its argument series (Series of shape (21,), dtype float64) in place"),
])

VALID = answers("naive_forecast", [
    ("loop", "a loop over the days", """
        def naive_forecast(y, lag):
            y_hat = []
            for t in range(len(y)):
                y_hat.append(float(y[t - lag]) if t >= lag else float("nan"))
            return np.array(y_hat)
     """),
    ("concatenate", "np.concatenate of NaN and the shifted series", """
        def naive_forecast(y, lag):
            return np.concatenate([np.full(lag, np.nan), np.asarray(y, dtype=float)[:-lag]])
     """),
    ("pandas_shift", "pandas' shift", """
        import pandas as pd

        def naive_forecast(y, lag):
            return pd.Series(y, dtype=float).shift(lag).to_numpy()
     """),
    ("float32_result", "a float32 array (floats, as asked)", """
        def naive_forecast(y, lag):
            y_hat = np.full(len(y), np.nan, dtype=np.float32)
            y_hat[lag:] = y[:-lag]
            return y_hat
     """),
]) + answers("mae_mape", [
    ("loops", "plain Python", """
        def mae(y_true, y_pred):
            return sum(abs(a - b) for a, b in zip(y_true, y_pred)) / len(y_true)


        def mape(y_true, y_pred):
            return sum(abs((a - b) / a) for a, b in zip(y_true, y_pred)) / len(y_true)
     """),
    ("mape_uses_mae", "MAPE as the MAE of the relative errors, reusing mae", """
        def mae(y_true, y_pred):
            return np.abs(np.subtract(y_true, y_pred)).mean()


        def mape(y_true, y_pred):
            y_true = np.asarray(y_true, dtype=float)
            return mae(np.ones_like(y_true), np.asarray(y_pred) / y_true)
     """),
    ("one_minus_ratio", "MAPE as the mean of |1 - y_hat / y|", """
        def mae(y_true, y_pred):
            return np.abs(np.subtract(y_true, y_pred)).mean()

        def mape(y_true, y_pred):
            return np.abs(1 - np.asarray(y_pred) / np.asarray(y_true)).mean()
     """),
]) + answers("mase", [
    ("own_functions", "the notebook's naive_forecast and mae", """
        def mase(y_true, y_pred, y_train, season_length):
            y_train = np.asarray(y_train, dtype=float)
            seasonal = naive_forecast(y_train, season_length)
            return mae(y_true, y_pred) / mae(y_train[season_length:], seasonal[season_length:])
     """),
    ("loop", "a loop for the scale", """
        def mase(y_true, y_pred, y_train, season_length):
            total = 0.0
            for t in range(season_length, len(y_train)):
                total += abs(y_train[t] - y_train[t - season_length])
            scale = total / (len(y_train) - season_length)
            return np.mean(np.abs(np.asarray(y_true) - y_pred)) / scale
     """),
]) + answers("make_windows", [
    ("sliding_window_view", "numpy's sliding_window_view, cut to the windows with a target", """
        def make_windows(series, window_length, horizon):
            series = np.asarray(series)
            n_windows = len(series) - window_length - horizon + 1
            inputs = np.lib.stride_tricks.sliding_window_view(series, window_length)[:n_windows]
            return inputs, series[window_length + horizon - 1:]
     """),
    ("by_target_day", "a loop over the target days", """
        def make_windows(series, window_length, horizon):
            inputs, targets = [], []
            for day in range(window_length + horizon - 1, len(series)):
                last = day - horizon  # the window's last day
                inputs.append(list(series[last - window_length + 1:last + 1]))
                targets.append(series[day])
            return np.array(inputs), np.array(targets)
     """),
]) + answers("ridership_baseline", [
    ("own_functions", "numpy positions and the notebook's naive_forecast, mae and mape", """
        def seasonal_naive_scores(series, start, end, season_length):
            y = series.to_numpy(dtype=float)
            forecast = naive_forecast(y, season_length)
            dates = series.index
            period = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
            return mae(y[period], forecast[period]), mape(y[period], forecast[period])
     """),
    ("calendar", "looks up the value season_length calendar days earlier", """
        def seasonal_naive_scores(series, start, end, season_length):
            days = pd.date_range(start, end)
            actual = series.loc[days].to_numpy(dtype=float)
            forecast = series.loc[days - pd.Timedelta(days=season_length)].to_numpy(dtype=float)
            errors = np.abs(actual - forecast)
            return errors.mean(), (errors / actual).mean()
     """),
])

CONSTANT = {
    "naive_forecast": """
        def naive_forecast(y, lag):
            return np.array([np.nan, 3.0, 5.0, 4.0, 6.0, 8.0])
    """,
    "mae_mape": """
        def mae(y_true, y_pred):
            return 12.5


        def mape(y_true, y_pred):
            return 0.1125
    """,
    "mase": """
        def mase(y_true, y_pred, y_train, season_length):
            return 0.9
    """,
    "make_windows": """
        def make_windows(series, window_length, horizon):
            return np.array([[10.0, 11.0, 12.0], [11.0, 12.0, 13.0], [12.0, 13.0, 14.0]]), np.array([13.0, 14.0, 15.0])
    """,
    "ridership_baseline": """
        def seasonal_naive_scores(series, start, end, season_length):
            return 43_916, 0.0829
    """,
}
