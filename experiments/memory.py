"""Chapter 8's memory experiment: how far back can each cell remember?

    python experiments/memory.py                                   # the full grid
    python experiments/memory.py --delays 5 10 20 --seeds 0 1      # a part of it

SimpleRNN, LSTM and GRU layers of the same parameter budget (about
``BUDGET`` weights, dense output included; ``rnnlib.memory.units_for_budget``)
are trained with Keras on the delayed-recall task of ``rnnlib.memory`` at
each delay, with several seeds. Each run: ``N_TRAIN`` fresh sequences,
Adam with global-norm clipping, at most ``MAX_EPOCHS`` epochs with early
stopping on a validation set (``PATIENCE`` epochs, best weights restored);
its score is the accuracy on ``N_TEST`` new sequences (chance: 1 /
``N_SYMBOLS``).

Writes ``chapters/data/memory.json`` (chapter 8 reads it, beside the chapter
as chapter 7's results are): the settings, and for each (cell, delay, seed)
the test accuracy, the epochs run and the seconds spent; the file is
rewritten after every run, so a killed run restarts where it stopped (runs
already in the file are skipped unless the settings changed). When the grid
is cut down to fit the time available, ``"complete"`` is false and
``"note"`` says what was run; the chapter quotes both.

``--cells lstm_keep3 gru_keep3`` trains the gated cells again with the bias of
the gate that keeps the state started at ``GATE_BIAS`` (chapter 8's "knob":
Keras starts the LSTM's forget gate at 1 and the GRU's update gate at 0); they
are kept under their own names, beside the three cells.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "benchmarks"))  # run.py: environment, format_table
sys.path.insert(0, str(HERE))

from forecast import update  # noqa: E402  (experiments/forecast.py: locked, atomic writes)
from run import environment, format_table  # noqa: E402

from rnnlib import memory  # noqa: E402

OUTPUT = HERE.parent / "chapters" / "data" / "memory.json"
DELAYS = [5, 10, 20, 50, 100]
SEEDS = [0, 1, 2, 3, 4]
N_SYMBOLS = 8
BUDGET = 5500  # weights, recurrent layer + dense output
N_TRAIN, N_VALID, N_TEST = 4000, 500, 1000
BATCH_SIZE = 64
LEARNING_RATE = 3e-3
CLIP_NORM = 1.0
MAX_EPOCHS = 40
PATIENCE = 8
KERAS_LAYER = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
# Chapter 8's "knob": the same cells with the bias of the gate that keeps the state
# started at 3 instead of Keras's 1 (LSTM forget gate) or 0 (GRU update gate, in
# the input bias row). Same units, same budget; run with --cells lstm_keep3 gru_keep3.
GATE_BIAS = 3.0
VARIANTS = {"lstm_keep3": "lstm", "gru_keep3": "gru"}


def settings():
    units = {c: memory.units_for_budget(c, N_SYMBOLS, BUDGET, N_SYMBOLS) for c in memory.CELLS}
    return {
        "task": "delayed recall (rnnlib.memory.delayed_recall)",
        "n_symbols": N_SYMBOLS, "budget": BUDGET, "units": units,
        "parameters": {c: memory.parameter_count(c, N_SYMBOLS, n, N_SYMBOLS) for c, n in units.items()},
        "n_train": N_TRAIN, "n_valid": N_VALID, "n_test": N_TEST, "batch_size": BATCH_SIZE,
        "optimizer": f"Adam(learning_rate={LEARNING_RATE}, global_clipnorm={CLIP_NORM})",
        "max_epochs": MAX_EPOCHS, "patience": PATIENCE, "chance": 1 / N_SYMBOLS,
    }


def _open_the_keeping_gate(layer, cell, units):
    """Set the bias of the gate that keeps the state to GATE_BIAS (eq. 8.3, 8.9)."""
    weights = layer.get_weights()
    if cell == "lstm":
        weights[2][units : 2 * units] = GATE_BIAS  # b_f, block 1 of i, f, g, o
    else:
        weights[2][0, :units] = GATE_BIAS  # b_z in b_x, block 0 of z, r, h
    layer.set_weights(weights)


def train_one(name, delay, seed, units):
    import keras

    cell = VARIANTS.get(name, name)
    keras.utils.set_random_seed(seed)
    data = {part: memory.delayed_recall(m, delay, N_SYMBOLS, seed=1000 * seed + delay * 10 + k)
            for k, (part, m) in enumerate((("train", N_TRAIN), ("valid", N_VALID), ("test", N_TEST)))}
    model = keras.Sequential([
        keras.Input((delay + 1, N_SYMBOLS)),
        getattr(keras.layers, KERAS_LAYER[cell])(units),
        keras.layers.Dense(N_SYMBOLS, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(LEARNING_RATE, global_clipnorm=CLIP_NORM),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if name in VARIANTS:
        _open_the_keeping_gate(model.layers[0], cell, units)
    stop = keras.callbacks.EarlyStopping("val_accuracy", patience=PATIENCE, restore_best_weights=True)
    start = time.perf_counter()
    history = model.fit(*data["train"], batch_size=BATCH_SIZE, epochs=MAX_EPOCHS, verbose=0,
                        validation_data=data["valid"], callbacks=[stop])
    seconds = time.perf_counter() - start
    accuracy = float(model.evaluate(*data["test"], verbose=0)[1])
    return {"test_accuracy": accuracy, "epochs": len(history.history["loss"]),
            "best_valid_accuracy": float(max(history.history["val_accuracy"])), "seconds": round(seconds, 1)}


def summarise(results):
    rows = []
    for cell in [*memory.CELLS, *VARIANTS]:
        for delay in results["delays"]:
            accs = [r["test_accuracy"] for r in results["runs"].get(cell, {}).get(str(delay), {}).values()]
            if accs:
                rows.append([cell, delay, len(accs), statistics.mean(accs),
                             statistics.stdev(accs) if len(accs) > 1 else 0.0])
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delays", type=int, nargs="+", default=DELAYS)
    parser.add_argument("--seeds", type=int, nargs="+", default=SEEDS)
    parser.add_argument("--cells", nargs="+", default=list(memory.CELLS), choices=[*memory.CELLS, *VARIANTS])
    parser.add_argument("--note", default="", help="what a cut-down run left out (kept in the file)")
    args = parser.parse_args(argv)
    config = settings()
    start = time.perf_counter()

    def reset_if_changed(results):
        if results.get("settings") != config:
            results.clear()
        results.update(settings=config, environment=environment())
        results["variants"] = {name: f"{cell} with the keeping gate's bias started at {GATE_BIAS}"
                               for name, cell in VARIANTS.items()}
        results.setdefault("runs", {})
        results["delays"] = sorted(set(results.get("delays", [])) | set(args.delays))

    results = update(OUTPUT, reset_if_changed)
    for delay in args.delays:
        for cell in args.cells:
            for seed in args.seeds:
                if str(seed) in results["runs"].get(cell, {}).get(str(delay), {}):
                    continue
                run = train_one(cell, delay, seed, config["units"][VARIANTS.get(cell, cell)])
                print(f"{cell:10} delay {delay:3} seed {seed}: accuracy {run['test_accuracy']:.3f} "
                      f"({run['epochs']} epochs, {run['seconds']:.0f} s)", flush=True)

                def record(results, cell=cell, delay=delay, seed=seed, run=run):
                    results.setdefault("runs", {}).setdefault(cell, {}).setdefault(str(delay), {})[str(seed)] = run

                results = update(OUTPUT, record)

    def finish(results):
        runs = results["runs"]
        results["complete"] = all(str(seed) in runs.get(cell, {}).get(str(delay), {})
                                  for cell in memory.CELLS for delay in DELAYS for seed in SEEDS)
        results["note"] = args.note or results.get("note", "")
        results["table"] = summarise(results)

    results = update(OUTPUT, finish)
    print(format_table(f"Delayed recall, test accuracy (chance {1 / N_SYMBOLS:.3f})",
                       ["cell", "delay", "seeds", "mean", "std"], results["table"]))
    print(f"{time.perf_counter() - start:.0f} s; wrote {OUTPUT}")


if __name__ == "__main__":
    main()
