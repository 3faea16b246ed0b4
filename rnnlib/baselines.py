"""Chapter 6: forecasting baselines and the errors used to score them.

Notation: ``y(t)`` is the observed series, ``y_hat(t)`` a forecast of it made
before ``y(t)`` was known, ``n`` the number of values, ``m`` the length of the
season (7 for daily data with a weekly pattern).

    naive, lag k          y_hat(t) = y(t - k)                             (eq. 6.1)
    seasonal naive        y_hat(t) = y(t - m)
    MAE                   (1/n) sum_t |y(t) - y_hat(t)|                   (eq. 6.2)
    MAPE                  (1/n) sum_t |(y(t) - y_hat(t)) / y(t)|          (eq. 6.3)
    difference, lag k     d(t) = y(t) - y(t - k)                          (eq. 6.4)
    moving average, w     a(t) = (1/w) sum_{i=0}^{w-1} y(t - i)           (eq. 6.6)
    MASE                  MAE / [(1/(N-m)) sum_{t=m}^{N-1} |y_tr(t) - y_tr(t-m)|]   (eq. 6.10)

Every function takes a 1-D numpy array of shape ``(n,)`` or a pandas Series
(for example ``df["rail"]``) and returns the same kind of object: a Series keeps
its index and name. Outputs have the input's length; the first steps that have
no value (the first ``k`` of a lag-``k`` forecast) are NaN, and the transforms
pass NaN on, so they compose (``difference(difference(y, 7), 1)``). The error
measures refuse NaN: evaluate on a period where every forecast exists.

:func:`sarima_rolling_forecast` imports statsmodels when it is called.
"""
from __future__ import annotations

import warnings
from numbers import Integral

import numpy as np
import pandas as pd

from ._checks import as_float_array
from .datasets import PERIODS

__all__ = ["naive_forecast", "seasonal_naive_forecast", "difference", "moving_average",
           "mae", "mape", "mase", "sarima_rolling_forecast"]


# --- input checks -------------------------------------------------------------

def _values(name, series, allow_nan=False):
    """``series`` as a float64 array of shape (n,), plus its index (None for arrays).

    NaN marks "no value" (the first steps of a lagged forecast): transforms accept
    it and pass it on (``allow_nan=True``); error measures refuse it.
    """
    if isinstance(series, pd.DataFrame):
        raise TypeError(f"{name} must be one series (a 1-D array or a pandas Series), got a "
                        f"DataFrame with columns {list(series.columns)}: pick one, e.g. "
                        f"df[{str(series.columns[0])!r}]")
    index = series.index if isinstance(series, pd.Series) else None
    values = series.to_numpy() if index is not None else series
    nan = None
    if not isinstance(values, (str, bytes)) and values is not None:
        values = np.asarray(values)
        if values.dtype.kind == "f" and values.ndim == 1 and np.isnan(values).any():
            nan = np.isnan(values)
            if not allow_nan:
                where = np.flatnonzero(nan)
                first = index[where[0]] if index is not None else where[0]
                hint = ("; a lag-k forecast has no value for the first k steps, so evaluate "
                        "it on a period that starts at least k steps into the series"
                        if name == "y_pred" else "")
                raise ValueError(f"{name} has {where.size} missing (NaN) value(s), the first "
                                 f"at {first}{hint}")
            values = np.where(nan, 0.0, values)  # as_float_array refuses NaN: put it back below
    values = as_float_array(name, values, ndim=1, dtype=np.float64)
    if nan is not None:
        values[nan] = np.nan
    return values, index


def _like(values, index, template):
    """Wrap ``values`` like ``template``: a Series with the same index and name, or an array."""
    if index is None:
        return values
    return pd.Series(values, index=index, name=template.name)


def _check_lag(name, lag, n, of="the series"):
    if isinstance(lag, bool) or not isinstance(lag, Integral) or lag < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {lag!r}")
    if lag >= n:
        raise ValueError(f"{name} must be smaller than the length of {of} ({n}), got {lag}")
    return int(lag)


def _pair(y_true, y_pred):
    """Check that actual values and forecasts line up; return two (n,) arrays."""
    true, true_index = _values("y_true", y_true)
    pred, pred_index = _values("y_pred", y_pred)
    if true.shape != pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape (n,), got "
                         f"{true.shape} and {pred.shape}")
    if true.size == 0:
        raise ValueError("y_true and y_pred are empty: the evaluation period holds no values")
    if true_index is not None and pred_index is not None and not true_index.equals(pred_index):
        raise ValueError(
            "y_true and y_pred must have the same index (the same dates in the same order), "
            f"got y_true from {true_index[0]} to {true_index[-1]} and y_pred from "
            f"{pred_index[0]} to {pred_index[-1]}; select the same period from both")
    return true, pred


# --- forecasts and transforms -----------------------------------------------------

def _shift(series, lag, lag_name):
    y, index = _values("series", series, allow_nan=True)
    lag = _check_lag(lag_name, lag, y.size)
    y_hat = np.full(y.size, np.nan)
    y_hat[lag:] = y[:-lag]
    return _like(y_hat, index, series)


def naive_forecast(series, lag=1):
    """Eq. 6.1: forecast each value by the one ``lag`` steps earlier, ``y_hat(t) = y(t - lag)``.

    series: (n,) array or Series; lag: integer, ``1 <= lag < n``. Returns (n,) floats,
    NaN for the first ``lag`` steps (for a Series this is ``series.shift(lag)``).
    """
    return _shift(series, lag, "lag")


def seasonal_naive_forecast(series, season_length=7):
    """The naive forecast with the lag set to the season: ``y_hat(t) = y(t - m)``.

    For daily ridership ``m = 7``: next Tuesday is forecast to look like this
    Tuesday. series: (n,); returns (n,), NaN for the first ``m`` steps.
    """
    return _shift(series, season_length, "season_length")


def difference(series, lag=1):
    """Eq. 6.4: ``d(t) = y(t) - y(t - lag)``, the part the lag-``lag`` naive forecast misses.

    series: (n,); returns (n,), NaN for the first ``lag`` steps. Differencing at
    the season length (``lag=7``) removes a weekly pattern; at ``lag=1`` a trend.
    """
    y, index = _values("series", series, allow_nan=True)
    return _like(y - naive_forecast(y, lag), index, series)


def moving_average(series, window):
    """Eq. 6.6: the trailing mean of the last ``window`` values, ``y(t)`` included.

    ``a(t) = (y(t) + y(t-1) + ... + y(t-window+1)) / window``. series: (n,);
    window: integer, ``1 <= window <= n``. Returns (n,), NaN for the first
    ``window - 1`` steps. ``a(t)`` uses ``y(t)``, so as a forecast of ``y(t+1)``
    use ``naive_forecast(moving_average(y, w), 1)``.
    """
    y, index = _values("series", series, allow_nan=True)
    if isinstance(window, bool) or not isinstance(window, Integral) or not 1 <= window <= y.size:
        raise ValueError(f"window must be an integer between 1 and the length of the "
                         f"series ({y.size}), got {window!r}")
    a = np.full(y.size, np.nan)
    a[window - 1:] = np.convolve(y, np.full(window, 1.0 / window), mode="valid")
    return _like(a, index, series)


# --- error measures -------------------------------------------------------------------

def mae(y_true, y_pred):
    """Eq. 6.2: mean absolute error ``(1/n) sum_t |y(t) - y_hat(t)|``, in the units of y.

    y_true, y_pred: (n,) arrays, or Series with identical indexes. Returns a float.
    """
    true, pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(true - pred)))


def mape(y_true, y_pred):
    """Eq. 6.3: mean absolute percentage error ``(1/n) sum_t |(y(t) - y_hat(t)) / y(t)|``.

    Returned as a fraction (0.09 means 9 %). y_true, y_pred: (n,), aligned as in
    :func:`mae`; y_true must contain no zero (the ratio would be infinite).
    """
    true, pred = _pair(y_true, y_pred)
    if np.any(true == 0):
        raise ValueError(f"y_true contains {np.count_nonzero(true == 0)} zero(s): MAPE divides "
                         "by y(t), so it is undefined; use mae or mase instead")
    return float(np.mean(np.abs((true - pred) / true)))


def mase(y_true, y_pred, y_train, season_length=7):
    """Eq. 6.10: mean absolute scaled error, the MAE divided by a seasonal-naive yardstick.

    The scale is the in-sample MAE of the seasonal naive forecast on the training
    series ``y_train`` (length N, values before the evaluation period):

        scale = (1/(N - m)) sum_{t=m}^{N-1} |y_train(t) - y_train(t - m)|

    so MASE < 1 means the forecast beats, on the evaluation period, what the
    seasonal naive forecast achieved on the training data. y_true, y_pred: (n,),
    aligned as in :func:`mae`; y_train: (N,) with ``N > m``. Returns a float.
    """
    error = mae(y_true, y_pred)
    train, _ = _values("y_train", y_train)
    m = _check_lag("season_length", season_length, train.size, of="y_train")
    scale = float(np.mean(np.abs(train[m:] - train[:-m])))
    if scale == 0:
        raise ValueError("y_train repeats exactly every season_length steps, so the seasonal "
                         "naive forecast's in-sample MAE (the MASE scale) is 0")
    return error / scale


# --- SARIMA, refitted every day -----------------------------------------------------

def sarima_rolling_forecast(series, start, end, order=(1, 0, 0), seasonal_order=(0, 1, 1, 7),
                            history_start=PERIODS["valid"][0]):
    """One-day-ahead SARIMA forecasts for each day from ``start`` to ``end``, refitting daily.

    For each day ``d`` of the period a fresh statsmodels ``ARIMA(order,
    seasonal_order)`` is fitted by maximum likelihood on ``series`` from
    ``history_start`` to the day before ``d`` (so ``y(d)`` is never seen), and
    its one-step forecast is ``y_hat(d)``: one fit per day of the period.

    series: a pandas Series with a daily DatetimeIndex, no missing day between
    ``history_start`` and ``end``. start, end, history_start: dates (strings or
    Timestamps), ``history_start < start <= end``. Returns a Series of shape
    (number of days,) indexed by the days of the period.

    statsmodels' ConvergenceWarning (the optimiser stopped before converging) is
    caught for each fit; the days it happened on are listed in
    ``result.attrs["not_converged"]`` (empty for the ridership series). Other
    warnings pass through.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.arima.model import ARIMA

    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("series must be a pandas Series indexed by dates (DatetimeIndex), got "
                        f"{type(series).__name__}"
                        + (f" with a {type(series.index).__name__}"
                           if isinstance(series, pd.Series) else ""))
    start, end, history_start = (pd.Timestamp(d) for d in (start, end, history_start))
    if start > end:
        raise ValueError(f"empty period: start ({start.date()}) is after end ({end.date()})")
    if history_start >= start:
        raise ValueError(f"history_start ({history_start.date()}) must be before start "
                         f"({start.date()}): the first fit needs some history")
    days = pd.date_range(history_start, end, freq="D")
    window = series[series.index.isin(days)]
    if not window.index.is_unique or not window.index.is_monotonic_increasing:
        raise ValueError("series must have one value per day, in date order, between "
                         f"history_start ({history_start.date()}) and end ({end.date()})")
    missing = days.difference(window.index).union(window.index[window.isna().to_numpy()])
    if missing.size:
        raise ValueError(f"series has no value for {missing.size} day(s) between history_start "
                         f"({history_start.date()}) and end ({end.date()}), the first "
                         f"{missing[0].date()}; the model needs every day")
    # One value per day, and the index says so (freq "D"): statsmodels can date
    # its forecasts and does not warn about a missing frequency.
    y = window.astype(np.float64).asfreq("D")
    period = pd.date_range(start, end, freq="D")
    forecasts, not_converged = [], []
    one_day = pd.Timedelta(days=1)
    for day in period:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fitted = ARIMA(y[:day - one_day], order=order, seasonal_order=seasonal_order).fit()
            forecast = fitted.forecast(steps=1)
        for w in caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            not_converged.append(day)
        forecasts.append(float(forecast.iloc[0]))
    result = pd.Series(forecasts, index=period, name=series.name)
    result.attrs["not_converged"] = not_converged
    return result
