"""Chapter 7's table: every forecasting model trained with several seeds.

    python experiments/forecast.py                      # every model, seeds 0-4
    python experiments/forecast.py --models rnn32 gru32 --seeds 0 1 2
    make forecast                                      # the same, one BLAS thread

Writes ``chapters/data/forecast.json`` (chapter 7 reads it): for each model of
``rnnlib.forecasting.MODELS`` its settings, and for each seed the validation MAE
(riders), the epochs run, the best epoch and the seconds spent in ``fit``; then
the mean and standard deviation over seeds next to the published reference; the
naive and SARIMA baselines on the same validation days; the test MAE of the
models chosen on validation; library versions, date, cores and total time.

The file is rewritten after every (model, seed), so a run that is killed
restarts where it stopped: a (model, seed) already in the file is skipped
unless the model's settings changed. Several processes may share the file
(``--models`` split between them): writes are serialised with a lock.

Chapter 8's models (``spec.chapter == 8``) choose their settings first, without
the validation period: ``--search`` trains each of them on the inner split
``rnnlib.datasets.INNER_PERIODS`` (2016-2017, scored on January-May 2018) for
every learning rate and Huber delta of ``SEARCH_GRID``, with two seeds of their
own, each run kept going until its inner validation MAE has not improved for
``SEARCH_PATIENCE`` epochs. Each setting's curve is the mean over the two seeds of
the inner validation MAE after each epoch (over the epochs both ran); the setting
whose curve goes lowest wins, and its epochs are where that curve is lowest. (One
run's best epoch alone is a noisy choice: on 95 inner windows, a lucky epoch 3 can
beat a well-trained epoch 150.)
The file's ``"search"`` section keeps every run, and ``GATED_SETTINGS`` in
``rnnlib.forecasting`` copies the winners (a test compares them). Then the
normal run trains them on 2016-2018 for those epochs, five seeds, and only then
scores them on the validation period::

    python experiments/forecast.py --search --models lstm32 gru32   # stage 1
    python experiments/forecast.py --models lstm32 gru32            # stage 2

Each run's test MAE is computed right after training (so no weights need
keeping) and stored with the run, but only the final test table reads it, and
that table lists only the models picked by their *validation* mean.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import fcntl
import json
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "benchmarks"))  # run.py: environment, format_table
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402

from run import environment, format_table  # noqa: E402  (benchmarks/run.py)

OUTPUT = HERE.parent / "chapters" / "data" / "forecast.json"
DEFAULT_SEEDS = [0, 1, 2, 3, 4]
PATIENCE = 50
MAX_EPOCHS = 500
# Chapter 8's search on the inner split (seeds apart from the table's 0-4).
SEARCH_GRID = {"learning_rate": (0.001, 0.003, 0.01), "huber_delta": (1.0, 0.05)}
SEARCH_SEEDS = (100, 101)
SEARCH_PATIENCE = 50
SEARCH_MAX_EPOCHS = 300


@contextmanager
def locked(path):
    """Hold an exclusive lock on ``path`` + '.lock' (several runs may share the file)."""
    lock = Path(str(path) + ".lock")
    with open(lock, "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def load(path):
    return json.loads(path.read_text()) if path.exists() else {}


def save(path, results):
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1) + "\n")
    os.replace(tmp, path)  # atomic: a killed run never leaves half a file


def update(path, change):
    """Read the file, apply ``change(results)``, write it back, under the lock."""
    with locked(path):
        results = load(path)
        change(results)
        save(path, results)
        return results


def settings(name):
    from rnnlib import forecasting as fc

    spec = fc.get_spec(name)
    extra = {"extra": spec.extra} if spec.extra else {}
    if spec.epochs is None:
        stopping = {"patience": PATIENCE, "max_epochs": MAX_EPOCHS}
    else:  # chapter 8: a fixed number of epochs, chosen on the inner split
        stopping = {"epochs": spec.epochs, "chapter": spec.chapter}
    optimizer = "Adam" if spec.optimizer == "adam" else "SGD, momentum 0.9"
    return {**extra, "description": spec.description, "learning_rate": spec.learning_rate,
            "multivariate": spec.multivariate, "horizon": spec.horizon,
            "seq2seq": spec.seq2seq, "reference": spec.reference,
            **stopping, "batch_size": 32, "loss": "Huber", "optimizer": optimizer}


def train_one(df, name, seed):
    from rnnlib import forecasting as fc

    r = fc.fit(name, df, seed, patience=PATIENCE, max_epochs=MAX_EPOCHS)
    record = {"valid_mae": r["valid_mae"], "epochs": r["epochs"], "best_epoch": r["best_epoch"],
              "fit_seconds": round(r["seconds"], 1)}
    if fc.get_spec(name).horizon > 1:
        record["valid_mae_per_horizon"] = fc.mae_per_horizon(r["model"], r["datasets"]["valid"]).tolist()
    record["test_mae"] = fc.evaluate(r["model"], r["datasets"]["test"])  # read only by the test table
    return record


# --- chapter 8: settings chosen on the inner split -----------------------------------------

def grid():
    """Every (learning rate, Huber delta) of SEARCH_GRID, as keys like 'lr=0.003 delta=1.0'."""
    return {f"lr={lr} delta={delta}": (lr, delta)
            for lr in SEARCH_GRID["learning_rate"] for delta in SEARCH_GRID["huber_delta"]}


def search_one(df, name, lr, delta, seed):
    from rnnlib import forecasting as fc
    from rnnlib.datasets import INNER_PERIODS

    r = fc.fit(name, df, seed, learning_rate=lr, huber_delta=delta, periods=INNER_PERIODS,
               stop_early=True, patience=SEARCH_PATIENCE, max_epochs=SEARCH_MAX_EPOCHS)
    curve = [v * fc.SCALE for v in r["history"]["val_mae"]]  # riders, after each epoch
    return {"inner_valid_mae": r["valid_mae"], "epochs": r["epochs"],
            "best_epoch": r["best_epoch"], "fit_seconds": round(r["seconds"], 1),
            "inner_valid_curve": [round(v, 1) for v in curve]}


def mean_curve(runs):
    """The inner validation MAE after each epoch, averaged over runs (common epochs only)."""
    n = min(len(r["inner_valid_curve"]) for r in runs)
    return np.mean([r["inner_valid_curve"][:n] for r in runs], axis=0)


def choose(entry):
    """``(chosen, scores)``: the grid point whose mean curve goes lowest, as
    ``[lr, delta, epochs]`` with the epochs where that curve is lowest, and each
    setting's lowest mean inner MAE (riders); ``(None, None)`` until every run is in."""
    scores = {}
    for key, (lr, delta) in grid().items():
        runs = [entry["runs"][f"{key} seed={seed}"] for seed in SEARCH_SEEDS
                if f"{key} seed={seed}" in entry["runs"]]
        if len(runs) == len(SEARCH_SEEDS):
            curve = mean_curve(runs)
            scores[key] = (float(curve.min()), int(np.argmin(curve)) + 1, lr, delta)
    if len(scores) < len(grid()):
        return None, None
    _, epochs, lr, delta = min(scores.values())
    return [lr, delta, epochs], {k: v[0] for k, v in scores.items()}


def search(df, names, output):
    from rnnlib.datasets import INNER_PERIODS

    done = load(output).get("search", {})  # this process alone adds runs for these names
    for name in names:
        for key, (lr, delta) in grid().items():
            for seed in SEARCH_SEEDS:
                run = f"{key} seed={seed}"
                if run in done.get(name, {}).get("runs", {}):
                    continue
                record = search_one(df, name, lr, delta, seed)
                print(f"search {name:24s} {run:26s} inner MAE {record['inner_valid_mae']:9,.0f}"
                      f"  best epoch {record['best_epoch']:3d}  {record['fit_seconds']:5.1f} s",
                      flush=True)
                update(output, lambda r: r.setdefault("search", {}).setdefault(
                    name, {"runs": {}})["runs"].__setitem__(run, record))

    def finish(results):
        results["search_settings"] = {
            "periods": INNER_PERIODS, "grid": SEARCH_GRID, "seeds": list(SEARCH_SEEDS),
            "patience": SEARCH_PATIENCE, "max_epochs": SEARCH_MAX_EPOCHS}
        for name in names:
            entry = results["search"][name]
            entry["chosen"], entry["scores"] = choose(entry)

    results = update(output, finish)
    print("GATED_SETTINGS = {  # name: (learning rate, Huber delta, epochs), from the search")
    for name in names:
        print(f"    {name!r}: {tuple(results['search'][name]['chosen'] or ())},")


# --- baselines on the validation targets ---------------------------------------------------

def baselines(df):
    """Naive (lag 7) and SARIMA one-day-ahead MAEs on the one-day models' validation targets,
    and a 14-day seasonal naive forecast on the 14-day models' validation windows."""
    from rnnlib import baselines as bl
    from rnnlib import forecasting as fc

    rail = df["rail"].astype(float)
    days = fc.target_days(df, "valid", horizon=1)
    start = time.perf_counter()
    sarima = bl.sarima_rolling_forecast(rail, days[0], days[-1], order=(1, 0, 0),
                                        seasonal_order=(0, 1, 1, 7), history_start="2019-01-01")
    sarima_seconds = time.perf_counter() - start
    # 14 days ahead, knowing the series up to day d0: y_hat(d0 + h) = y(d0 + h - 7 ceil(h / 7)).
    valid = fc.split(df)["valid"]["rail"].to_numpy(float)
    H, T = fc.AHEAD, fc.WINDOW
    errors = []
    for i in range(len(valid) - T - H + 1):
        d0 = i + T - 1
        errors.append([abs(valid[d0 + h] - valid[d0 + h - 7 * -(-h // 7)]) for h in range(1, H + 1)])
    per_horizon = np.mean(errors, axis=0)
    return {
        "days": [str(days[0].date()), str(days[-1].date()), len(days)],
        "naive_lag7": bl.mae(rail[days], bl.naive_forecast(rail, 7)[days]),
        "sarima": bl.mae(rail[days], sarima),
        "sarima_seconds": round(sarima_seconds, 1),
        "sarima_order": "SARIMA(1,0,0)(0,1,1)_7, refitted daily from 2019-01-01",
        "seasonal_naive_14": float(per_horizon.mean()),
        "seasonal_naive_14_per_horizon": per_horizon.tolist(),
    }


# --- summary -----------------------------------------------------------------------------------

def summarise(results):
    rows = []
    for name, entry in results.get("models", {}).items():
        runs = entry["runs"]
        maes = [r["valid_mae"] for r in runs.values()]
        if not maes:
            continue
        mean = statistics.fmean(maes)
        std = statistics.stdev(maes) if len(maes) > 1 else float("nan")
        ref = entry["settings"]["reference"]
        entry["summary"] = {
            "seeds": len(maes), "mean": mean, "std": std, "min": min(maes), "max": max(maes),
            "mean_epochs": statistics.fmean(r["epochs"] for r in runs.values()),
            "fit_seconds": sum(r["fit_seconds"] for r in runs.values()),
            "ratio_to_reference": mean / ref if ref else None,
            "within_10pct_or_better": (mean <= 1.1 * ref) if ref else None,
        }
        if any("valid_mae_per_horizon" in r for r in runs.values()):
            entry["summary"]["valid_mae_per_horizon"] = np.mean(
                [r["valid_mae_per_horizon"] for r in runs.values()], axis=0).tolist()
        rows.append([name, entry["settings"]["learning_rate"], len(maes), mean, std,
                     ref if ref else "-", f"{mean / ref:.2f}" if ref else "-",
                     round(entry["summary"]["mean_epochs"]), round(entry["summary"]["fit_seconds"])])
    results["total_fit_seconds"] = round(sum(
        e["summary"]["fit_seconds"] for e in results.get("models", {}).values() if "summary" in e), 1)
    choose_on_validation(results)
    return rows


def choose_on_validation(results):
    """Pick, by validation mean only, the best model of each kind; then show their test MAE."""
    groups = {"univariate, 1 day": lambda s: not s["multivariate"] and s["horizon"] == 1,
              "multivariate, 1 day": lambda s: s["multivariate"] and s["horizon"] == 1,
              "14 days ahead": lambda s: s["horizon"] > 1}
    chosen = {}
    for group, member in groups.items():
        candidates = {n: e for n, e in results.get("models", {}).items()
                      if member(e["settings"]) and "summary" in e}
        if not candidates:
            continue
        # 14-day models: compare the forecasts made at the end of each window (the
        # seq2seq table figure also averages the steps with little context).
        score = (lambda n: np.mean(candidates[n]["summary"]["valid_mae_per_horizon"])) \
            if group == "14 days ahead" else (lambda n: candidates[n]["summary"]["mean"])
        best = min(candidates, key=score)
        tests = [r["test_mae"] for r in candidates[best]["runs"].values()]
        chosen[group] = {"model": best, "valid_mean": float(score(best)),
                         "test_mean": statistics.fmean(tests),
                         "test_std": statistics.stdev(tests) if len(tests) > 1 else float("nan"),
                         "test_per_seed": tests}
    results["test"] = chosen


def main(argv=None):
    from rnnlib import forecasting as fc

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(fc.MODELS),
                        help=f"models to train (default: all): {', '.join(fc.MODELS)}")
    parser.add_argument("--seeds", nargs="+", type=int, default=DEFAULT_SEEDS,
                        help="seeds (default: 0 1 2 3 4)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--search", action="store_true",
                        help="chapter 8's models: choose their settings on the inner split")
    parser.add_argument("--no-baselines", action="store_true",
                        help="skip the SARIMA baseline (about a minute)")
    args = parser.parse_args(argv)
    for name in args.models:
        try:
            fc.get_spec(name)
        except ValueError as e:
            parser.error(str(e))
    args.output.parent.mkdir(parents=True, exist_ok=True)

    from rnnlib.datasets import load_ridership

    df = load_ridership()
    started = time.perf_counter()
    if args.search:
        chapter8 = [n for n in args.models if n in fc.chapter_models(8)]
        if not chapter8:
            parser.error("--search is for chapter 8's models: "
                         + ", ".join(fc.chapter_models(8)))
        search(df, chapter8, args.output)
        return 0

    def reset_changed(results):
        results.setdefault("models", {})
        for name in args.models:
            entry = results["models"].get(name)
            if entry is None or entry.get("settings") != settings(name):
                results["models"][name] = {"settings": settings(name), "runs": {}}

    results = update(args.output, reset_changed)
    if not args.no_baselines and "baselines" not in results:
        b = baselines(df)
        update(args.output, lambda r: r.__setitem__("baselines", b))
    for name in args.models:
        for seed in args.seeds:
            if str(seed) in load(args.output)["models"].get(name, {}).get("runs", {}):
                continue
            record = train_one(df, name, seed)
            print(f"{name:18s} seed {seed}: valid MAE {record['valid_mae']:9,.0f}  "
                  f"{record['epochs']:4d} epochs  {record['fit_seconds']:6.1f} s", flush=True)
            update(args.output, lambda r: r["models"].setdefault(
                name, {"settings": settings(name), "runs": {}})["runs"].__setitem__(str(seed), record))

    def finish(results):
        # models dropped from rnnlib.forecasting.MODELS leave the table
        results["models"] = {n: e for n, e in results["models"].items() if n in fc.MODELS}
        results["title"] = "Chapter 7: validation MAE (riders) over seeds, vs the reference"
        results["environment"] = environment()
        results["last_invocation_seconds"] = round(time.perf_counter() - started, 1)
        summarise(results)

    results = update(args.output, finish)
    rows = [[n, e["settings"]["learning_rate"], e["summary"]["seeds"], e["summary"]["mean"],
             e["summary"]["std"], e["settings"]["reference"] or "-",
             f"{e['summary']['ratio_to_reference']:.2f}" if e["settings"]["reference"] else "-",
             round(e["summary"]["mean_epochs"]), round(e["summary"]["fit_seconds"])]
            for n, e in results["models"].items() if "summary" in e]
    print(format_table(results["title"], ["model", "lr", "seeds", "mean", "std", "reference",
                                          "mean/ref", "epochs", "fit s"], rows))
    if "baselines" in results:
        b = results["baselines"]
        print(f"\nbaselines on {b['days'][2]} validation days {b['days'][0]}..{b['days'][1]}: "
              f"naive lag 7 {b['naive_lag7']:,.0f}, SARIMA {b['sarima']:,.0f}; "
              f"14-day seasonal naive {b['seasonal_naive_14']:,.0f}")
    for group, c in results["test"].items():
        print(f"test, {group}: {c['model']} (chosen on validation, {c['valid_mean']:,.0f}) "
              f"test MAE {c['test_mean']:,.0f} ± {c['test_std']:,.0f}")
    print(f"total fit time: {results['total_fit_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
