"""Chapter 7's 14-day forecasts, kept window by window: three ways to forecast 14 days.

    python experiments/forecast_horizons.py                    # seeds 0-4 of each method
    python experiments/forecast_horizons.py --models seq2seq --seeds 0 1

The table of ``forecast.py`` keeps one MAE per horizon, averaged over all the
validation windows: horizon h is then scored on target days shifted by h, and a
holiday near the end of the period (Memorial Day, 27 May 2019) enters only the
long horizons. Comparing horizons needs the forecasts themselves, so this script
retrains, with the same settings and seeds as ``forecast.py``, the models that
forecast 14 days:

* ``ahead14`` (a vector of 14 outputs) and ``seq2seq`` (14 outputs at every step;
  the forecast made at the last step of each window counts);
* ``rnn32``, the univariate one-day model, used *iteratively*: each forecast is
  fed back as the next input, 14 times (``rnnlib.forecasting.forecast_iteratively``).

For each (model, seed) it writes to ``chapters/data/forecast_horizons.json``: the
validation MAE (which repeats ``forecast.json``'s figure when the run repeats),
the epochs, the training history (``fit``'s per-epoch loss and MAE), the 14-day
forecasts of every validation window in riders, and for ``rnn32`` its one-day
forecasts of the validation days. The chapter scores them on the same target
days (``rnnlib.forecasting.same_days``). Resumable like ``forecast.py``: a
(model, seed) already in the file is skipped unless its settings changed.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "benchmarks"))  # run.py: environment, format_table
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from forecast import DEFAULT_SEEDS, MAX_EPOCHS, PATIENCE, load, settings, update  # noqa: E402
from run import environment  # noqa: E402

OUTPUT = HERE.parent / "chapters" / "data" / "forecast_horizons.json"
METHODS = {"ahead14": "vector", "seq2seq": "sequence-to-sequence", "rnn32": "iterative"}


def run_one(df, name, seed):
    from rnnlib import forecasting as fc

    r = fc.fit(name, df, seed, patience=PATIENCE, max_epochs=MAX_EPOCHS)
    model = r["model"]
    record = {"valid_mae": r["valid_mae"], "epochs": r["epochs"], "best_epoch": r["best_epoch"],
              "fit_seconds": round(r["seconds"], 1),
              "history": {k: [round(float(v), 7) for v in vals] for k, vals in r["history"].items()}}
    if name == "rnn32":
        y, y_hat = fc.predict(model, r["datasets"]["valid"])  # one day ahead, every valid target
        record["one_day_forecasts"] = np.round(y_hat).astype(int).tolist()
        valid = fc.split(fc.make_features(df))["valid"]
        X, _ = fc.to_arrays(fc.make_dataset(valid, horizon=fc.AHEAD))
        forecasts = fc.forecast_iteratively(model, X, fc.AHEAD) * fc.SCALE
    else:
        X, _ = fc.to_arrays(r["datasets"]["valid"])
        forecasts = np.asarray(model.predict(X, verbose=0))
        if forecasts.ndim == 3:
            forecasts = forecasts[:, -1]  # seq2seq: the forecast made with the full window
        forecasts = forecasts * fc.SCALE
    record["forecasts"] = np.round(forecasts).astype(int).tolist()  # (W, H), riders
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--seeds", nargs="+", type=int, default=DEFAULT_SEEDS)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    from rnnlib.datasets import load_ridership

    df = load_ridership()

    def reset_changed(results):
        results.setdefault("models", {})
        for name in args.models:
            entry = results["models"].get(name)
            if entry is None or entry.get("settings") != settings(name):
                results["models"][name] = {"settings": settings(name), "method": METHODS[name],
                                           "runs": {}}

    update(args.output, reset_changed)
    for name in args.models:
        for seed in args.seeds:
            if str(seed) in load(args.output)["models"][name]["runs"]:
                continue
            start = time.perf_counter()
            record = run_one(df, name, seed)
            print(f"{name:8s} seed {seed}: valid MAE {record['valid_mae']:9,.0f}  "
                  f"{record['epochs']:4d} epochs  {time.perf_counter() - start:6.1f} s", flush=True)
            update(args.output, lambda r: r["models"][name]["runs"].__setitem__(str(seed), record))
            update(args.output, lambda r: r.__setitem__("environment", environment()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
