"""Chapter 8: a task that needs memory at a chosen delay, and fair model sizes.

**Delayed recall.** Each sequence has ``delay + 1`` steps. Step 0 shows the
symbol to remember, one of ``n_symbols``, one-hot encoded; the ``delay`` steps
after it show random symbols of the same alphabet (distractors). The target
is the symbol of step 0, to be output after the last step: the network must
carry it through ``delay`` steps while ignoring inputs that look just like it.
Guessing is right ``1 / n_symbols`` of the time.

Shapes: X (m, delay + 1, n_symbols) one-hot; y (m,) integers in
``range(n_symbols)``.

**Equal parameter budget.** Comparing a SimpleRNN, an LSTM and a GRU of the
same number of units would give the LSTM four times the weights. Counting the
weights of one recurrent layer (Keras's layouts, chapter 8's eq. 8.1 and
8.5-8.6) with ``n_in`` inputs and ``n`` units:

    SimpleRNN: n_in n + n n + n
    LSTM:      4 (n_in n + n n + n)
    GRU:       3 (n_in n + n n + 2 n)     (reset_after=True: two biases)

plus ``(n + 1) n_out`` for the dense output layer; :func:`units_for_budget`
picks, for each cell, the number of units whose total is closest to a budget.
"""
from __future__ import annotations

import numpy as np

CELLS = ("simple_rnn", "lstm", "gru")


def delayed_recall(m, delay, n_symbols=8, seed=None, dtype=np.float32):
    """``(X, y)``: ``m`` sequences of the delayed-recall task (module docstring)."""
    m, delay, n_symbols = int(m), int(delay), int(n_symbols)
    if m < 1 or delay < 0 or n_symbols < 2:
        raise ValueError(f"need m >= 1, delay >= 0 and n_symbols >= 2; got m={m}, delay={delay}, n_symbols={n_symbols}")
    rng = np.random.default_rng(seed)
    symbols = rng.integers(n_symbols, size=(m, delay + 1))  # step 0: to remember; then distractors
    X = np.eye(n_symbols, dtype=dtype)[symbols]
    return X, symbols[:, 0]


def parameter_count(cell, n_inputs, units, n_outputs=0):
    """Weights of one recurrent layer of ``units`` (plus a dense layer of ``n_outputs``)."""
    n_in, n = int(n_inputs), int(units)
    per_block = {"simple_rnn": (1, n_in * n + n * n + n),
                 "lstm": (4, n_in * n + n * n + n),
                 "gru": (3, n_in * n + n * n + 2 * n)}
    if cell not in per_block:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")
    blocks, size = per_block[cell]
    return blocks * size + ((n + 1) * int(n_outputs) if n_outputs else 0)


def units_for_budget(cell, n_inputs, budget, n_outputs=0):
    """The number of units whose :func:`parameter_count` is closest to ``budget``."""
    counts = {n: parameter_count(cell, n_inputs, n, n_outputs) for n in range(1, 4097)}
    return min(counts, key=lambda n: abs(counts[n] - budget))
