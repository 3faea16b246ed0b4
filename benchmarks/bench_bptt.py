"""Forward + backward through time: rnnlib (numpy) against TensorFlow.

One batch of float32 sequences through a basic recurrent layer (tanh), then
the gradients of ``L = sum(G * Y)`` with respect to W_x, W_y, b and X:

* rnnlib: ``bptt.forward`` then ``bptt.backward`` (which also returns dL/dh0
  and dL/dh(t), at no extra cost). Timed twice: with numpy's default BLAS
  threads, and with ``OPENBLAS_NUM_THREADS=1``;
* TensorFlow: ``tf.GradientTape`` on ``keras.layers.SimpleRNN`` with the same
  weights, in several variants: eager, ``tf.function`` (graph), graph with
  ``unroll=True``, and the same compiled with XLA (``jit_compile=True``).

Each implementation runs in its own worker process, so TensorFlow's thread
pools and OpenBLAS's threads do not fight inside one process. Every variant
is warmed up first (tracing and compiling are not timed); then the variants
take turns, one call each per round, so a busy machine slows them all alike.
The table shows the median per call. The ratio the course quotes is
rnnlib (default threads) / the fastest TF variant at that size; the JSON also
has the 1-thread ratio. On a machine with more runnable processes than cores,
OpenBLAS's waiting threads spin and default-thread rnnlib becomes several
times slower at the large size (its matrices are big enough for OpenBLAS to
use threads); ``OPENBLAS_NUM_THREADS=1`` avoids that.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

# name -> (m, T, n_inputs, n_neurons)
SIZES = {"course": (32, 56, 1, 32), "large": (32, 500, 1, 256)}
RNNLIB = "rnnlib (numpy)"
RNNLIB_1 = "rnnlib (numpy, 1 BLAS thread)"


# --- worker side -----------------------------------------------------------------------------


def _problem(m, T, n_inputs, n_neurons, seed=0):
    from rnnlib.layer import init_layer_params

    rng = np.random.default_rng(seed)
    W_x, W_y, _ = init_layer_params(n_inputs, n_neurons, seed=seed, dtype=np.float32)
    b = rng.normal(0, 0.1, n_neurons).astype(np.float32)
    X = rng.normal(size=(m, T, n_inputs)).astype(np.float32)
    G = rng.normal(size=(m, T, n_neurons)).astype(np.float32)
    return X, W_x, W_y, b, G


def _rnnlib_step(X, W_x, W_y, b, G):
    from rnnlib import bptt

    def step():
        _, cache = bptt.forward(X, W_x, W_y, b)
        g = bptt.backward(G, cache)
        return g.W_x, g.W_y, g.b, g.X

    return step


def _tf_steps(X, W_x, W_y, b, G, large):
    import keras
    import tensorflow as tf

    Xt, Gt = tf.constant(X), tf.constant(G)

    def make(unroll):
        rnn = keras.layers.SimpleRNN(W_y.shape[0], return_sequences=True, unroll=unroll)
        rnn.build((None, None, X.shape[2]))
        rnn.set_weights([W_x, W_y, b])
        weights = [rnn.cell.kernel, rnn.cell.recurrent_kernel, rnn.cell.bias]

        def grads(X_, G_):
            with tf.GradientTape() as tape:
                tape.watch(X_)
                loss = tf.reduce_sum(rnn(X_) * G_)
            return tape.gradient(loss, weights + [X_])

        return grads

    variants = {}
    if not large:  # eager takes ~0.15 s per call even at the course size
        variants["TF eager"] = make(False)
    variants["TF tf.function"] = tf.function(make(False))
    variants["TF tf.function + XLA"] = tf.function(make(False), jit_compile=True)
    if not large:  # unrolling 500 steps makes a graph that takes minutes to build
        variants["TF tf.function, unroll"] = tf.function(make(True))
        variants["TF tf.function + XLA, unroll"] = tf.function(make(True), jit_compile=True)
    return {name: (lambda fn=fn: fn(Xt, Gt)) for name, fn in variants.items()}


def _scaled_difference(ours, theirs):
    """max |a - b| / (max |a| + max |b|), worst over the gradients."""
    worst = 0.0
    for a, b in zip(ours, theirs):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        worst = max(worst, float(np.max(np.abs(a - b)) / (np.max(np.abs(a)) + np.max(np.abs(b)))))
    return worst


def worker(kind, size):
    """Serve timing requests on stdin/stdout: a variant name in, seconds out."""
    problem = _problem(*SIZES[size])
    if kind == "rnnlib":
        fns = {RNNLIB: _rnnlib_step(*problem)}
        check = None
    else:
        fns = _tf_steps(*problem, large=size == "large")
        check = _scaled_difference(_rnnlib_step(*problem)(), fns["TF tf.function"]())
    for fn in fns.values():  # warm-up: tracing, compiling, caches
        for _ in range(3):
            fn()
    print(json.dumps({"variants": list(fns), "check": check}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            break
        start = time.perf_counter()
        fns[name]()
        print(time.perf_counter() - start, flush=True)


# --- parent side -----------------------------------------------------------------------------


class _Worker:
    def __init__(self, kind, size, env=None):
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", kind, size],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, env=env,
        )
        ready = json.loads(self.proc.stdout.readline())
        self.variants, self.check = ready["variants"], ready["check"]

    def time(self, variant):
        self.proc.stdin.write(variant + "\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.write("\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _measure(size, reps):
    workers = {
        RNNLIB: _Worker("rnnlib", size),
        RNNLIB_1: _Worker("rnnlib", size, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}),
        "TF": _Worker("tf", size),
    }
    try:
        jobs = [(RNNLIB, RNNLIB), (RNNLIB_1, RNNLIB)] + [("TF", v) for v in workers["TF"].variants]
        slow = {"TF eager"} | ({"TF tf.function + XLA"} if size == "large" else set())
        times = {label: [] for label, _ in jobs}
        for r in range(reps):
            for worker_name, variant in jobs:
                label = variant if worker_name == "TF" else worker_name
                if variant in slow and r % 20:
                    continue  # the slowest variants take every 20th round only
                times.setdefault(label, []).append(workers[worker_name].time(variant))
        return times, workers["TF"].check
    finally:
        for w in workers.values():
            w.close()


def run(quick=False):
    load_at_start = os.getloadavg()
    rows, results = [], {}
    for size, (m, T, n_inputs, n_neurons) in SIZES.items():
        reps = (3 if size == "large" else 20) if quick else (20 if size == "large" else 300)
        times, check = _measure(size, reps)
        medians = {k: statistics.median(v) for k, v in times.items() if v}
        tf_medians = {k: v for k, v in medians.items() if k.startswith("TF")}
        best_tf = min(tf_medians, key=tf_medians.get)
        ours = medians[RNNLIB]
        label = f"m={m}, T={T}, n_in={n_inputs}, n={n_neurons}"
        for k, v in medians.items():
            rows.append([label, k, len(times[k]), v * 1e3, ours / v])
        results[size] = {
            "m": m, "T": T, "n_inputs": n_inputs, "n_neurons": n_neurons,
            "median_ms": {k: v * 1e3 for k, v in medians.items()},
            "repetitions": {k: len(v) for k, v in times.items()},
            "best_tf_variant": best_tf,
            "ratio_rnnlib_over_best_tf": ours / tf_medians[best_tf],
            "ratio_rnnlib_1_thread_over_best_tf": medians[RNNLIB_1] / tf_medians[best_tf],
            "ratio_best_rnnlib_over_best_tf": min(ours, medians[RNNLIB_1]) / tf_medians[best_tf],
            "ratio_rnnlib_over_tf_function": ours / tf_medians["TF tf.function"],
            "max_scaled_gradient_difference_vs_tf": check,
        }
    return {
        "title": "BPTT forward + backward, float32, tanh: median ms per batch "
                 "(last column: rnnlib default-threads time / this row's time)",
        "columns": ["size", "implementation", "reps", "median ms", "rnnlib / this"],
        "rows": rows,
        "sizes": results,
        "ratio_course_size": results["course"]["ratio_rnnlib_over_best_tf"],
        "ratio_large": results["large"]["ratio_rnnlib_over_best_tf"],
        # OpenBLAS threads spin while they wait: on a machine busier than its
        # core count, default-thread rnnlib slows down a lot at the large size.
        "load_average_at_start": load_at_start,
        "load_average_at_end": os.getloadavg(),
    }


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    worker(sys.argv[2], sys.argv[3])
