"""rnnlib.baselines: forecasts, transforms and error measures (chapter 6).

Small cases are worked out by hand in the comments; longer random series are
checked against pandas' own shift/diff/rolling. The real-data tests compare our
figures with the reference values quoted in chapter 6 (skipped without
RNNLIB_DATA_MIRROR, failed on CI: see the ``ridership`` fixture in conftest.py).
"""
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rnnlib.baselines import (
    difference,
    mae,
    mape,
    mase,
    moving_average,
    naive_forecast,
    sarima_rolling_forecast,
    seasonal_naive_forecast,
)

NAN = np.nan
MARCH_TO_MAY = slice("2019-03-01", "2019-05-31")


def daily(values, start="2021-01-04", name="riders"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), name=name)


# --- forecasts and transforms, by hand ------------------------------------------------

def test_naive_forecast_by_hand():
    # y_hat(t) = y(t - 2): the first two steps have no value.
    np.testing.assert_array_equal(naive_forecast([10, 20, 30, 40, 50], lag=2),
                                  [NAN, NAN, 10, 20, 30])
    np.testing.assert_array_equal(naive_forecast(np.array([1.0, 4.0, 9.0])), [NAN, 1, 4])


def test_seasonal_naive_repeats_last_week():
    y = np.arange(10.0) ** 2
    np.testing.assert_array_equal(seasonal_naive_forecast(y, season_length=7),
                                  [NAN] * 7 + [0.0, 1.0, 4.0])


def test_difference_and_moving_average_by_hand():
    # d(t) = y(t) - y(t-1): 7-5, 4-7, 10-4.
    np.testing.assert_array_equal(difference([5, 7, 4, 10]), [NAN, 2, -3, 6])
    # d(t) = y(t) - y(t-2): 4-5, 10-7.
    np.testing.assert_array_equal(difference([5, 7, 4, 10], lag=2), [NAN, NAN, -1, 3])
    # a(t) = mean of y(t-2), y(t-1), y(t): (1+2+3)/3, (2+3+4)/3, ...
    np.testing.assert_allclose(moving_average([1, 2, 3, 4, 5, 6], window=3),
                               [NAN, NAN, 2, 3, 4, 5])
    np.testing.assert_array_equal(moving_average([3, 1, 2], window=1), [3, 1, 2])


@pytest.mark.parametrize("lag", [1, 3, 7])
def test_series_in_series_out_matches_pandas(rng, lag):
    y = daily(rng.normal(1000, 50, size=40))
    pd.testing.assert_series_equal(naive_forecast(y, lag), y.shift(lag))
    pd.testing.assert_series_equal(seasonal_naive_forecast(y, lag), y.shift(lag))
    pd.testing.assert_series_equal(difference(y, lag), y.diff(lag))
    pd.testing.assert_series_equal(moving_average(y, lag), y.rolling(lag).mean())


def test_integer_series_and_leading_nans_compose(rng):
    y = daily(rng.integers(0, 100, size=30))  # ridership counts are integers
    assert naive_forecast(y, 7).dtype == np.float64
    twice = difference(difference(y, 7), 1)  # NaN passes through: 8 steps without a value
    pd.testing.assert_series_equal(twice, y.astype(float).diff(7).diff(1))
    assert twice.isna().sum() == 8
    pd.testing.assert_series_equal(naive_forecast(moving_average(y, 7), 1),
                                   y.rolling(7).mean().shift(1))


# --- error measures, by hand ---------------------------------------------------------------

Y_TRUE = [100, 200, 300, 400, 500]
Y_PRED = [110, 190, 330, 400, 450]
# |errors| = 10, 10, 30, 0, 50: MAE = 100 / 5 = 20.
# |errors| / y = 0.1, 0.05, 0.1, 0, 0.1: MAPE = 0.35 / 5 = 0.07.


def test_mae_and_mape_by_hand():
    assert mae(Y_TRUE, Y_PRED) == pytest.approx(20.0)
    assert mape(Y_TRUE, Y_PRED) == pytest.approx(0.07)
    assert mae(Y_PRED, Y_TRUE) == pytest.approx(20.0)  # symmetric
    assert mape(Y_PRED, Y_TRUE) != pytest.approx(0.07)  # not symmetric: divides by y_true
    assert mae(Y_TRUE, Y_TRUE) == 0.0


def test_mase_by_hand():
    y_train = [0, 0, 4, 4, 8, 8]
    # Season 2: |4-0|, |4-0|, |8-4|, |8-4| -> scale 4, MASE = 20 / 4 = 5.
    assert mase(Y_TRUE, Y_PRED, y_train, season_length=2) == pytest.approx(5.0)
    # Season 1: 0, 4, 0, 4, 0 -> scale 8 / 5 = 1.6, MASE = 20 / 1.6 = 12.5.
    assert mase(Y_TRUE, Y_PRED, y_train, season_length=1) == pytest.approx(12.5)


def test_metrics_on_series_with_the_same_dates():
    y, y_hat = daily(Y_TRUE), daily(Y_PRED, name="forecast")
    assert mae(y, y_hat) == pytest.approx(20.0)
    assert mape(y, y_hat) == pytest.approx(0.07)
    assert mae(y, np.array(Y_PRED)) == pytest.approx(20.0)  # an array has no dates to check


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("lag", [0, -1, 1.5, True, "7"])
def test_lag_must_be_a_positive_integer(lag):
    with pytest.raises(ValueError, match=r"lag must be an integer >= 1, got"):
        naive_forecast([1, 2, 3], lag)


def test_lag_must_be_shorter_than_the_series():
    with pytest.raises(ValueError, match=r"lag must be smaller than the length of the series \(3\), got 3"):
        naive_forecast([1, 2, 3], 3)
    with pytest.raises(ValueError, match="season_length must be an integer >= 1"):
        seasonal_naive_forecast([1, 2, 3], 0)
    with pytest.raises(ValueError, match=r"window must be an integer between 1 and the length of the series \(3\), got 4"):
        moving_average([1, 2, 3], 4)


def test_misaligned_series_are_refused():
    y = daily(Y_TRUE, start="2019-03-01")
    with pytest.raises(ValueError, match="same index.*2019-03-01.*2019-03-02"):
        mae(y, daily(Y_PRED, start="2019-03-02"))


def test_shape_mismatch_and_empty_input():
    with pytest.raises(ValueError, match=r"same shape \(n,\), got \(5,\) and \(4,\)"):
        mape(Y_TRUE, Y_PRED[:4])
    with pytest.raises(ValueError, match="empty: the evaluation period holds no values"):
        mae([], [])
    with pytest.raises(ValueError, match="y_true must be a 1-D array, got 2-D"):
        mae(np.ones((5, 1)), np.ones((5, 1)))


def test_forecast_with_missing_first_steps_explains_itself():
    y = daily([1.0, 2, 3, 4, 5, 6, 7, 8, 9])
    with pytest.raises(ValueError, match=r"y_pred has 7 missing \(NaN\) value\(s\), the first at "
                                         r"2021-01-04.*starts at least k steps"):
        mae(y, naive_forecast(y, 7))
    assert mae(y[7:], naive_forecast(y, 7)[7:]) == pytest.approx(7.0)  # y(t) - y(t-7) = 7


def test_dataframe_is_refused_with_a_hint():
    df = pd.DataFrame({"bus": [1.0, 2, 3], "rail": [4.0, 5, 6]})
    with pytest.raises(TypeError, match=r"series must be one series.*\['bus', 'rail'\].*df\['bus'\]"):
        naive_forecast(df, 1)


def test_mape_refuses_zero_actuals_and_mase_a_bad_training_series():
    with pytest.raises(ValueError, match=r"y_true contains 1 zero\(s\): MAPE"):
        mape([0, 1, 2], [1, 1, 1])
    with pytest.raises(ValueError, match=r"season_length must be smaller than the length of y_train \(7\)"):
        mase(Y_TRUE, Y_PRED, np.arange(7.0), season_length=7)
    with pytest.raises(ValueError, match="MASE scale"):
        mase(Y_TRUE, Y_PRED, [1, 2, 1, 2, 1, 2], season_length=2)


# --- SARIMA on small series -------------------------------------------------------------------

def weekly_series(rng, n_days=63):
    pattern = np.array([50, 100, 110, 105, 100, 70, 40], dtype=float)
    return daily(np.tile(pattern, n_days // 7 + 1)[:n_days] + rng.normal(0, 3, n_days),
                 start="2019-01-01")


def test_seasonal_random_walk_forecasts_last_week(rng):
    # ARIMA(0,0,0)(0,1,0,7) says y(t) = y(t-7) + noise: its forecast is y(t-7) exactly.
    y = weekly_series(rng)
    forecast = sarima_rolling_forecast(y, "2019-02-27", "2019-03-04", order=(0, 0, 0),
                                       seasonal_order=(0, 1, 0, 7), history_start="2019-01-01")
    expected = y.shift(7)["2019-02-27":"2019-03-04"]
    np.testing.assert_allclose(forecast.to_numpy(), expected.to_numpy(), rtol=1e-6)
    pd.testing.assert_index_equal(forecast.index, expected.index, check_names=False)
    assert forecast.attrs["not_converged"] == []


def test_sarima_never_sees_the_day_it_forecasts(rng):
    y = weekly_series(rng)
    period = ("2019-02-25", "2019-02-28")
    base = sarima_rolling_forecast(y, *period)
    changed = y.copy()
    changed["2019-02-28":] += 500.0  # the last day of the period and after
    after = sarima_rolling_forecast(changed, *period)
    pd.testing.assert_series_equal(after, base)  # no forecast used those days
    changed["2019-02-27"] += 500.0  # the day before the last one: the last forecast moves
    moved = sarima_rolling_forecast(changed, *period)
    pd.testing.assert_series_equal(moved[:"2019-02-27"], base[:"2019-02-27"])
    assert abs(moved["2019-02-28"] - base["2019-02-28"]) > 1.0


def test_history_before_history_start_is_ignored(rng):
    y = weekly_series(rng)
    base = sarima_rolling_forecast(y, "2019-02-20", "2019-02-21", history_start="2019-01-08")
    changed = y.copy()
    changed[:"2019-01-07"] = 1e6
    pd.testing.assert_series_equal(
        sarima_rolling_forecast(changed, "2019-02-20", "2019-02-21", history_start="2019-01-08"), base)


def test_sarima_bad_input(rng):
    y = weekly_series(rng)
    with pytest.raises(TypeError, match="pandas Series indexed by dates.*ndarray"):
        sarima_rolling_forecast(y.to_numpy(), "2019-02-01", "2019-02-02")
    with pytest.raises(TypeError, match="got Series with a RangeIndex"):
        sarima_rolling_forecast(y.reset_index(drop=True), "2019-02-01", "2019-02-02")
    with pytest.raises(ValueError, match=r"empty period: start \(2019-02-02\) is after end \(2019-02-01\)"):
        sarima_rolling_forecast(y, "2019-02-02", "2019-02-01")
    with pytest.raises(ValueError, match=r"history_start \(2019-02-01\) must be before start"):
        sarima_rolling_forecast(y, "2019-02-01", "2019-02-02", history_start="2019-02-01")
    with pytest.raises(ValueError, match=r"no value for 1 day\(s\).*the first 2019-01-10"):
        sarima_rolling_forecast(y.drop(pd.Timestamp("2019-01-10")), "2019-02-01", "2019-02-02")
    with pytest.raises(ValueError, match=r"no value for 3 day\(s\).*the first 2019-03-05"):
        sarima_rolling_forecast(y, "2019-03-01", "2019-03-07")  # y ends on 2019-03-04
    with_nan = y.copy()
    with_nan["2019-01-20"] = np.nan
    with pytest.raises(ValueError, match=r"no value for 1 day\(s\).*the first 2019-01-20"):
        sarima_rolling_forecast(with_nan, "2019-02-01", "2019-02-02")
    with pytest.raises(ValueError, match="one value per day, in date order"):
        sarima_rolling_forecast(pd.concat([y, y.iloc[[3]]]), "2019-02-01", "2019-02-02")


def test_importing_baselines_does_not_import_statsmodels():
    code = "import sys, rnnlib.baselines; print('statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the real ridership series: the chapter's reference figures --------------------------------

@pytest.mark.parametrize("column, ref_mae, ref_mape", [
    ("rail", 42_143, 0.0899),
    ("bus", 43_916, 0.0829),
])
def test_naive_forecast_matches_the_reference(ridership, column, ref_mae, ref_mape):
    y = ridership[column]
    y_hat = naive_forecast(y, lag=7)
    assert mae(y[MARCH_TO_MAY], y_hat[MARCH_TO_MAY]) == pytest.approx(ref_mae, rel=0.005)
    assert mape(y[MARCH_TO_MAY], y_hat[MARCH_TO_MAY]) == pytest.approx(ref_mape, rel=0.005)


@pytest.mark.slow
def test_sarima_matches_the_reference(ridership):
    rail = ridership["rail"]
    forecast = sarima_rolling_forecast(rail, "2019-03-01", "2019-05-31")
    assert len(forecast) == 92 and forecast.attrs["not_converged"] == []
    assert mae(rail[MARCH_TO_MAY], forecast) == pytest.approx(32_041, rel=0.03)
    # And it beats the seasonal naive forecast on the same days.
    assert mae(rail[MARCH_TO_MAY], forecast) < mae(rail[MARCH_TO_MAY],
                                                   seasonal_naive_forecast(rail)[MARCH_TO_MAY])
