"""Chapter 7: forecasting the ridership series with recurrent networks in Keras.

The pipeline, in the order of the chapter:

1. :func:`split` cuts the daily series into three consecutive periods (eq. 7.1):
   train 2016-01-01..2018-12-31, valid 2019-01-01..2019-05-31, test
   2019-06-01..end. Nothing is fitted on the data to scale it: every count is
   divided by the constant ``SCALE = 1e6``, so no statistic of the validation or
   test period can leak into training.
2. :func:`make_features` gives the inputs ``x(t)``: ``rail`` alone (univariate,
   1 feature) or ``bus, rail`` and the one-hot type of *the next day* (A, U, W;
   5 features). The next day's type is on the calendar, so knowing it is fair.
3. :func:`make_dataset` cuts one period into windows of ``WINDOW = 56`` days with
   ``keras.utils.timeseries_dataset_from_array``. A window's inputs are the days
   ``i .. i+55`` and its target the rail value of the next ``horizon`` days
   ``i+56 .. i+55+horizon`` (eq. 7.2), strictly after every input. Each period is
   windowed on its own: a validation window's inputs and targets are all
   validation days, as in the reference figures, so its first target is the 57th
   day of 2019 (26 February).
4. :func:`build_model` builds one of :data:`MODELS`; :func:`fit` trains it with
   the Huber loss, SGD with momentum 0.9 and early stopping on the validation
   MAE (patience 50, best weights restored).
5. :func:`evaluate` and :func:`mae_per_horizon` give the MAE in riders.

Shapes: ``m`` windows in a batch, ``T = 56`` time steps, ``f`` features (1 or
5), ``H`` the horizon (1 or 14). Inputs are ``(m, T, f)``; targets ``(m,)`` for
one day ahead, ``(m, H)`` for a vector of ``H`` days, ``(m, T, H)`` for
sequence-to-sequence (at every step ``t`` the next ``H`` days).

Importing this module does not import TensorFlow; the functions that need
Keras import it when called.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import numpy as np

from .datasets import PERIODS

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SCALE = 1e6
WINDOW = 56
AHEAD = 14
DAY_TYPES = ("A", "U", "W")  # Saturday, Sunday/holiday, weekday
# eq. 7.1: the three periods, PERIODS, come from rnnlib.datasets, their one owner
# (chapter 6 uses the same periods).


# --- 1. split and features ------------------------------------------------------

def split(df, periods=None):
    """Cut ``df`` (a DataFrame or Series indexed by day) into consecutive periods.

    periods: ``{name: (first day, last day or None)}``, default :data:`PERIODS`.
    Returns ``{name: df[first:last]}``. Raises ValueError when a period is empty,
    starts after it ends, overlaps or precedes the previous one, lies outside
    the data, or misses a day (windows assume one row per consecutive day).
    """
    import pandas as pd

    if not isinstance(getattr(df, "index", None), pd.DatetimeIndex):
        raise TypeError(f"df must be a DataFrame or Series indexed by dates (DatetimeIndex), "
                        f"got {type(df).__name__}")
    periods = PERIODS if periods is None else periods
    first_day, last_day = df.index[0], df.index[-1]
    out, previous_end = {}, None
    for name, (start, end) in periods.items():
        start = pd.Timestamp(start)
        end = last_day if end is None else pd.Timestamp(end)
        if start > end:
            raise ValueError(f"period {name!r}: start {start.date()} is after end {end.date()}")
        if start < first_day or end > last_day:
            raise ValueError(f"period {name!r} ({start.date()} to {end.date()}) is outside the "
                             f"data, which covers {first_day.date()} to {last_day.date()}")
        if previous_end is not None and start <= previous_end:
            raise ValueError(f"period {name!r} starts on {start.date()}, not after the previous "
                             f"period's end {previous_end.date()}: periods must not overlap")
        part = df[start:end]
        expected = pd.date_range(start, end, freq="D")
        if len(part) != len(expected) or not part.index.equals(expected):
            missing = expected.difference(part.index)
            raise ValueError(f"period {name!r} must have one row per day from {start.date()} to "
                             f"{end.date()} ({len(expected)} rows), got {len(part)}"
                             + (f"; the first missing day is {missing[0].date()}" if len(missing) else ""))
        out[name] = part
        previous_end = end
    return out


def make_features(df, multivariate=False):
    """The network's inputs ``x(t)``, a float32 DataFrame of shape (n, f).

    df: the DataFrame of :func:`rnnlib.datasets.load_ridership` (columns
    ``day_type``, ``bus``, ``rail``), or a slice of it. Univariate: one column,
    ``rail / SCALE``. Multivariate: ``bus / SCALE``, ``rail / SCALE`` and the
    one-hot type of the next day, ``next_A``, ``next_U``, ``next_W`` (f = 5). The
    last row has no next day in ``df``: its three one-hot columns are 0, so cut
    the periods *after* computing the features (the last training day then knows
    that 1 January 2019 is a holiday).
    """
    import pandas as pd

    needed = ["rail"] + (["bus", "day_type"] if multivariate else [])
    missing = [c for c in needed if c not in getattr(df, "columns", ())]
    if missing:
        raise ValueError(f"df must have the columns {needed}, missing {missing}")
    if not multivariate:
        return (df[["rail"]] / SCALE).astype(np.float32)
    unknown = set(df["day_type"].dropna()) - set(DAY_TYPES)
    if unknown:
        raise ValueError(f"day_type must be one of {DAY_TYPES}, got {sorted(unknown)}")
    next_type = df["day_type"].shift(-1)
    one_hot = pd.DataFrame({f"next_{t}": (next_type == t) for t in DAY_TYPES}, index=df.index)
    features = pd.concat([df[["bus", "rail"]] / SCALE, one_hot], axis=1)
    return features.astype(np.float32)


# --- 2. windows ------------------------------------------------------------------

def _ahead_targets(rail, horizon):
    """Y of shape (n - H, H) with ``Y[t] = rail[t+1 .. t+H]`` (the next H days after t)."""
    n = len(rail)
    return np.stack([rail[t + 1: n - horizon + t + 1] for t in range(horizon)], axis=1)


def make_dataset(features, target="rail", window=WINDOW, horizon=1, seq2seq=False,
                 batch_size=32, shuffle=False, seed=None):
    """Windows of one period as a ``tf.data.Dataset`` of ``(inputs, targets)`` batches.

    features: (n, f) DataFrame from :func:`make_features` (or an (n, f) array,
    with ``target`` then the column number). Window ``i`` holds the inputs
    ``x(i) .. x(i+T-1)``, shape (T, f), and (eq. 7.2)

    * ``horizon=1``: the target ``y(i+T)``, shape ``()``, batches (m, T, f) -> (m,);
    * ``horizon=H``: ``y(i+T) .. y(i+T+H-1)``, batches (m, T, f) -> (m, H);
    * ``seq2seq=True``: at every step ``t`` of the window the next ``H`` days
      ``y(t+1) .. y(t+H)``, batches (m, T, f) -> (m, T, H).

    A period of ``n`` days gives ``n - T - H + 1`` windows. Shuffling (training
    only) reorders the windows, never the days inside one, with ``seed``.
    """
    import keras

    values = np.asarray(features, dtype=np.float32)
    if values.ndim != 2:
        raise ValueError(f"features must have shape (n, f), got {values.shape}")
    if hasattr(features, "columns"):
        if target not in features.columns:
            raise ValueError(f"target {target!r} is not a column of features: "
                             f"{list(features.columns)}")
        target = list(features.columns).index(target)
    for name, v in (("window", window), ("horizon", horizon), ("batch_size", batch_size)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    n = len(values)
    if n < window + horizon:
        raise ValueError(f"a period of {n} days is too short for one window of {window} input "
                         f"days and {horizon} target day(s): it needs at least "
                         f"{window + horizon} days")
    Y = _ahead_targets(values[:, target], horizon)  # (n - H, H)
    X = values[: n - horizon]                        # (n - H, f): inputs with a full target
    common = dict(sequence_length=window, batch_size=batch_size, shuffle=shuffle, seed=seed)
    if seq2seq:
        # Window the inputs and their targets side by side, then split the columns.
        f = X.shape[1]
        ds = keras.utils.timeseries_dataset_from_array(np.concatenate([X, Y], axis=1),
                                                       targets=None, **common)
        return ds.map(lambda Z: (Z[:, :, :f], Z[:, :, f:]))
    targets = Y[window - 1:]  # window i ends at day i+T-1: its targets are Y[i+T-1]
    if horizon == 1:
        targets = targets[:, 0]
    return keras.utils.timeseries_dataset_from_array(X, targets=targets, **common)


# --- 3. models -----------------------------------------------------------------------

@dataclass(frozen=True)
class ModelSpec:
    """How to build and train one model of the chapter's table.

    layers(keras, inputs) -> outputs, the model's graph; multivariate: 5 input
    features instead of 1; horizon: days forecast at once; seq2seq: a forecast
    at every time step; learning_rate: the optimizer's; reference: the published
    validation MAE in riders (None for our own variants); extra: other
    settings, here only ``huber_delta`` (eq. 7.3's delta, default 1);
    optimizer: ``"sgd"`` (momentum 0.9, chapter 7) or ``"adam"`` (chapter 8);
    epochs: None to stop early on the validation MAE (chapter 7), or a fixed
    number of epochs, trained without looking at the validation period (chapter
    8, whose settings are chosen on :data:`rnnlib.datasets.INNER_PERIODS`);
    chapter: the chapter that explains the model.
    """
    description: str
    layers: object
    multivariate: bool = False
    horizon: int = 1
    seq2seq: bool = False
    learning_rate: float = 0.02
    reference: float | None = None
    extra: dict = field(default_factory=dict)
    optimizer: str = "sgd"
    epochs: int | None = None
    chapter: int = 7


# Each builder maps the input tensor (batch, T, f) to the forecasts.

def _linear(k, x):
    return k.layers.Dense(1)(k.layers.Flatten()(x))


def _rnn1(k, x):
    return k.layers.SimpleRNN(1)(x)


def _rnn32(k, x):
    return k.layers.Dense(1)(k.layers.SimpleRNN(32)(x))


def _rnn64(k, x):
    return k.layers.Dense(1)(k.layers.SimpleRNN(64)(x))


def _deep(k, x):
    h = k.layers.SimpleRNN(32, return_sequences=True)(x)
    h = k.layers.SimpleRNN(32, return_sequences=True)(h)
    return k.layers.Dense(1)(k.layers.SimpleRNN(32)(h))


def _ahead(k, x):
    return k.layers.Dense(AHEAD)(k.layers.SimpleRNN(32)(x))


def _seq2seq(k, x):
    return k.layers.Dense(AHEAD)(k.layers.SimpleRNN(32, return_sequences=True)(x))


# Chapter 8: gated cells and convolutions, each ending in Dense(1) for tomorrow.

def _lstm32(k, x):
    return k.layers.Dense(1)(k.layers.LSTM(32)(x))


def _gru32(k, x):
    return k.layers.Dense(1)(k.layers.GRU(32)(x))


def _conv_gru32(k, x):
    """Conv1D(32, kernel 4, stride 2) halves the 56 steps to 27, then GRU(32) reads them."""
    h = k.layers.Conv1D(32, kernel_size=4, strides=2, activation="relu")(x)
    return k.layers.Dense(1)(k.layers.GRU(32)(h))


WAVENET_DILATIONS = (1, 2, 4, 8, 16, 32)  # kernel 2: a receptive field of 64 >= 56 days


def _wavenet(k, x):
    """Causal Conv1D(32, kernel 2) with dilations 1..32; Dense(1) reads the last step."""
    h = x
    for rate in WAVENET_DILATIONS:
        h = k.layers.Conv1D(32, kernel_size=2, padding="causal", dilation_rate=rate,
                            activation="relu")(h)
    last = k.layers.Cropping1D((WINDOW - 1, 0))(h)  # (batch, 1, 32): the last step only
    return k.layers.Dense(1)(k.layers.Flatten()(last))


MODELS = {
    "linear": ModelSpec("linear: Dense(1) on the 56 flattened days", _linear,
                        learning_rate=0.02, reference=37_866),
    "rnn1": ModelSpec("SimpleRNN(1)", _rnn1, learning_rate=0.02, reference=102_787),
    "rnn32": ModelSpec("SimpleRNN(32) + Dense(1)", _rnn32, learning_rate=0.02,
                       reference=29_015),
    "deep_rnn": ModelSpec("deep RNN: 3 x SimpleRNN(32) + Dense(1)", _deep,
                          learning_rate=0.01, reference=31_211),
    "multivariate": ModelSpec("multivariate SimpleRNN(32) + Dense(1)", _rnn32,
                              multivariate=True, learning_rate=0.05, reference=22_062),
    "ahead14": ModelSpec("14 days ahead, vector: SimpleRNN(32) + Dense(14)", _ahead,
                         multivariate=True, horizon=AHEAD, learning_rate=0.02,
                         reference=35_017),
    "seq2seq": ModelSpec("14 days ahead, sequence-to-sequence", _seq2seq,
                         multivariate=True, horizon=AHEAD, seq2seq=True, learning_rate=0.1,
                         reference=45_929),
    # Our own variants, chosen on the validation period only (chapter 7 explains).
    "rnn32_lr01": ModelSpec("SimpleRNN(32) + Dense(1), learning rate 0.01", _rnn32,
                            learning_rate=0.01),
    "rnn32_robust": ModelSpec("SimpleRNN(32) + Dense(1), Huber delta 0.05", _rnn32,
                              learning_rate=0.02, extra={"huber_delta": 0.05}),
    "multivariate_robust": ModelSpec("multivariate SimpleRNN(32) + Dense(1), Huber delta 0.05",
                                     _rnn32, multivariate=True, learning_rate=0.05,
                                     extra={"huber_delta": 0.05}),
    "multivariate64_robust": ModelSpec("multivariate SimpleRNN(64) + Dense(1), Huber delta 0.05",
                                       _rnn64, multivariate=True, learning_rate=0.05,
                                       extra={"huber_delta": 0.05}),
}

# Chapter 8's models: Adam, and settings (learning rate, Huber delta, epochs) chosen
# by experiments/forecast.py --search on the inner split INNER_PERIODS (train
# 2016-2017, validate January-May 2018), never on the validation period; the
# results file's "search" section keeps every score, and a test checks that these
# settings are its winners. Then each model trains on 2016-2018 for that many
# epochs, without early stopping.
GATED = {"lstm32": ("LSTM(32) + Dense(1)", _lstm32),
         "gru32": ("GRU(32) + Dense(1)", _gru32),
         "conv_gru32": ("Conv1D(32, kernel 4, stride 2) + GRU(32) + Dense(1)", _conv_gru32),
         "wavenet": ("WaveNet: 6 causal Conv1D(32, kernel 2), dilations 1-32, + Dense(1)",
                     _wavenet)}
GATED_SETTINGS = {  # name: (learning rate, Huber delta, epochs), from the search
    "lstm32": (0.01, 0.05, 86), "gru32": (0.01, 0.05, 58),
    "conv_gru32": (0.003, 0.05, 96), "wavenet": (0.003, 0.05, 91),
    "multivariate_lstm32": (0.001, 1.0, 294), "multivariate_gru32": (0.001, 0.05, 299),
    "multivariate_conv_gru32": (0.001, 0.05, 130), "multivariate_wavenet": (0.003, 0.05, 56),
}


def _chapter8_spec(name):
    """The ModelSpec of ``name`` (``lstm32`` or ``multivariate_lstm32``...) from GATED_SETTINGS."""
    multivariate = name.startswith("multivariate_")
    description, layers = GATED[name.removeprefix("multivariate_")]
    learning_rate, delta, epochs = GATED_SETTINGS[name]
    return ModelSpec(("multivariate " if multivariate else "") + description, layers,
                     multivariate=multivariate, learning_rate=learning_rate,
                     extra={"huber_delta": delta}, optimizer="adam", epochs=epochs, chapter=8)


MODELS.update({name: _chapter8_spec(name) for name in GATED_SETTINGS})


def chapter_models(chapter):
    """The names of :data:`MODELS` that ``chapter`` (7 or 8) explains, in the table's order."""
    return [name for name, spec in MODELS.items() if spec.chapter == chapter]


def get_spec(name):
    """The :class:`ModelSpec` called ``name``; a ValueError lists the known names."""
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known models: {', '.join(MODELS)}")
    return MODELS[name]


def build_model(name, learning_rate=None, huber_delta=None):
    """A compiled Keras model for ``MODELS[name]``: input (None, T, f) -> forecasts.

    Loss: Huber, eq. 7.3, with delta 1 (one million riders: in practice a
    squared error) unless ``huber_delta`` or the spec's ``extra["huber_delta"]``
    says otherwise (0.05 for the ``_robust`` variants: errors above 50,000 riders
    count linearly, as in the MAE). Optimizer: SGD with momentum 0.9, or Adam
    for chapter 8's models, with ``learning_rate`` (default: the spec's).
    Metric: MAE.
    """
    import keras

    spec = get_spec(name)
    n_features = 5 if spec.multivariate else 1
    inputs = keras.Input(shape=(WINDOW, n_features))
    model = keras.Model(inputs, spec.layers(keras, inputs), name=name)
    lr = spec.learning_rate if learning_rate is None else learning_rate
    delta = spec.extra.get("huber_delta", 1.0) if huber_delta is None else huber_delta
    optimizer = (keras.optimizers.Adam(learning_rate=lr) if spec.optimizer == "adam"
                 else keras.optimizers.SGD(learning_rate=lr, momentum=0.9))
    model.compile(loss=keras.losses.Huber(delta=delta), optimizer=optimizer, metrics=["mae"])
    return model


# --- 4. data, training, evaluation ---------------------------------------------------------

def datasets(df, name, batch_size=32, seed=None, periods=None):
    """``{"train", "valid", "test"}`` datasets for model ``name`` (train shuffled with seed)."""
    spec = get_spec(name)
    parts = split(make_features(df, spec.multivariate), periods)
    out = {}
    for period, features in parts.items():
        out[period] = make_dataset(features, horizon=spec.horizon, seq2seq=spec.seq2seq,
                                   batch_size=batch_size, shuffle=(period == "train"), seed=seed)
    return out


def to_arrays(dataset):
    """The windows of ``dataset`` as numpy ``(inputs, targets)``, e.g. (m, T, f) and (m,)."""
    inputs, targets = zip(*[(np.asarray(x), np.asarray(y)) for x, y in dataset])
    return np.concatenate(inputs), np.concatenate(targets)


def fit(name, df, seed, learning_rate=None, patience=50, max_epochs=500, verbose=0,
        huber_delta=None, epochs=None, periods=None, stop_early=None):
    """Train ``MODELS[name]`` on the ridership DataFrame ``df`` with one seed.

    ``keras.utils.set_random_seed(seed)`` fixes the initial weights and the
    order in which the training windows are shuffled at each epoch (batches of
    32). The windows come from :func:`make_dataset`, gathered once into numpy
    arrays (:func:`to_arrays`): the same windows, but an epoch runs about twice
    as fast as when they are cut again at every epoch.

    Two ways to stop. With ``epochs`` None (and the spec's ``epochs`` None, as
    in chapter 7), or ``stop_early=True``, early stopping watches the validation
    MAE and restores the weights of the best epoch (``patience``, at most
    ``max_epochs``). With a number of epochs (argument, or the spec's: chapter
    8), the model trains exactly that long and never sees the validation period
    until it is scored.
    ``periods`` (default :data:`rnnlib.datasets.PERIODS`) may be
    :data:`rnnlib.datasets.INNER_PERIODS`, to choose settings before the
    validation period; ``learning_rate`` and ``huber_delta`` override the spec's.

    Returns a dict: ``model``, ``valid_mae`` (riders, of the kept weights),
    ``epochs`` (run), ``best_epoch`` (None with a fixed number of epochs),
    ``seconds`` (in ``model.fit``), ``history`` and ``datasets`` (every period's
    windowed dataset).
    """
    import keras

    spec = get_spec(name)
    epochs = spec.epochs if epochs is None else epochs
    if stop_early:
        epochs = None
    keras.utils.set_random_seed(int(seed))
    data = datasets(df, name, seed=int(seed), periods=periods)
    X_train, Y_train = to_arrays(data["train"])
    model = build_model(name, learning_rate, huber_delta)
    if epochs is None:
        watch = dict(validation_data=to_arrays(data["valid"]), epochs=max_epochs,
                     callbacks=[keras.callbacks.EarlyStopping(
                         monitor="val_mae", patience=patience, restore_best_weights=True)])
    else:
        watch = dict(epochs=int(epochs))  # the validation period stays unseen
    start = time.perf_counter()
    history = model.fit(X_train, Y_train, batch_size=32, shuffle=True, verbose=verbose, **watch)
    seconds = time.perf_counter() - start
    val = history.history.get("val_mae")
    return {"model": model, "valid_mae": evaluate(model, data["valid"]),
            "epochs": len(history.history["loss"]),
            "best_epoch": int(np.argmin(val)) + 1 if val else None,
            "seconds": seconds, "history": history.history, "datasets": data}


def predict(model, dataset):
    """``(y, y_hat)`` for every window of ``dataset``, in riders, as numpy arrays."""
    X, y = to_arrays(dataset)  # one pass: a shuffled dataset reorders at every pass
    y_hat = np.asarray(model.predict(X, verbose=0)).reshape(y.shape)
    return y * SCALE, y_hat * SCALE


def evaluate(model, dataset):
    """MAE in riders over every target of ``dataset`` (all steps and horizons).

    The same function scores the models and chapter 6's baselines:
    :func:`rnnlib.baselines.mae` (eq. 6.2), over the targets flattened.
    """
    from .baselines import mae

    y, y_hat = predict(model, dataset)
    return mae(y.ravel().astype(float), y_hat.ravel().astype(float))


def mae_per_horizon(model, dataset):
    """MAE in riders for each day ahead, shape (H,).

    For a sequence-to-sequence model only the last step of each window counts
    (the forecast made with the full 56 days of context).
    """
    y, y_hat = predict(model, dataset)
    if y.ndim == 3:
        y, y_hat = y[:, -1], y_hat[:, -1]
    if y.ndim == 1:
        y, y_hat = y[:, None], y_hat[:, None]
    from .baselines import mae

    return np.array([mae(y[:, h].astype(float), y_hat[:, h].astype(float))
                     for h in range(y.shape[1])])


def target_days(df, period="valid", horizon=1, periods=None):
    """The dates of the one-day-ahead targets of a period's windows, shape (n - T - H + 1,)."""
    part = split(df, periods)[period]
    return part.index[WINDOW: len(part) - horizon + 1]


def load_results(path):
    """A results file of chapter 7's training scripts (JSON), as a dict.

    The course's repository writes them with ``experiments/forecast.py`` and
    ``experiments/forecast_horizons.py``; chapter 7 keeps its files beside the chapter: ``data/forecast.json`` (every
    model and seed, validation scores) and ``data/forecast_horizons.json`` (the
    14-day forecasts of every validation window).
    """
    import json
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist (chapter 7's results lie in the chapter's "
                                f"data/ folder)")
    return json.loads(path.read_text())


# --- 5. forecasting 14 days: three methods, scored on the same target days -------------------

def seasonal_naive_ahead(values, window=WINDOW, horizon=AHEAD, season=7):
    """Seasonal naive forecasts for every window of a period, shape (W, H).

    values: the period's series, shape (n,). Window ``w`` ends on day
    ``d0 = w + window - 1`` (its forecast origin, the last known day); its forecast
    for ``d0 + h`` repeats the last known day of the same weekday,
    ``values[d0 + h - season * ceil(h / season)]``. ``W = n - window - horizon + 1``,
    the windows of :func:`make_dataset`.
    """
    values = np.asarray(values, dtype=float)
    n_windows = len(values) - window - horizon + 1
    if n_windows < 1:
        raise ValueError(f"a period of {len(values)} days is too short for one window of "
                         f"{window} days and {horizon} target days")
    origins = np.arange(n_windows) + window - 1
    h = np.arange(1, horizon + 1)
    return values[origins[:, None] + h - season * -(-h // season)]


def forecast_iteratively(model, inputs, horizon=AHEAD):
    """Feed each one-day forecast back as the next input, ``horizon`` times.

    model: a one-day-ahead Keras model on one feature, (m, T, 1) -> (m, 1);
    inputs: its windows, shape (m, T, 1), in the model's scale. Returns the
    forecasts for the next ``horizon`` days, shape (m, H), in the same scale.
    """
    x = np.asarray(inputs, dtype=np.float32)
    if x.ndim != 3 or x.shape[2] != 1:
        raise ValueError(f"inputs must have shape (m, T, 1), got {x.shape}")
    out = []
    for _ in range(horizon):
        y_hat = np.asarray(model(x, training=False), dtype=np.float32).reshape(len(x), 1)
        out.append(y_hat[:, 0])
        x = np.concatenate([x[:, 1:], y_hat[:, :, None]], axis=1)
    return np.stack(out, axis=1)


def same_days(per_window, horizon=None):
    """Select, for every horizon, the windows whose target falls on the same days.

    per_window: an array (W, H) of anything per window and horizon (forecasts,
    errors), for the consecutive windows of one period: window ``w`` forecasts the
    days ``w + T - 1 + h``, h = 1..H. Horizon h reaches a target day only from a
    window h days earlier, so the raw column h covers days shifted by h. The days
    that every horizon reaches are the ``W - H + 1`` days
    ``T - 1 + H .. T - 1 + W``; the result, shape (W - H + 1, H), holds in row
    ``k`` and column ``h - 1`` the value of window ``k + H - h``, whose target is
    day ``T - 1 + H + k`` whatever h.
    """
    a = np.asarray(per_window)
    if a.ndim != 2:
        raise ValueError(f"per_window must have shape (W, H), got {a.shape}")
    n_windows, H = a.shape
    if horizon is not None and horizon != H:
        raise ValueError(f"per_window has {H} horizons, expected {horizon}")
    if n_windows < H:
        raise ValueError(f"{n_windows} windows are too few to share target days over {H} horizons")
    k = np.arange(n_windows - H + 1)[:, None]
    h = np.arange(1, H + 1)
    return a[k + H - h, h - 1]
