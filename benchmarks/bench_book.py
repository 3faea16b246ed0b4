"""How long the book takes to build: cold, warm, and warm with a fresh Sphinx environment.

Every build is `jupyter-book build . --warningiserror --nitpick --keep-going`
(what `make book` runs) on a copy of the repository in a temporary folder, so
the repository's own _build/ is left alone.

* cold: empty execution cache, no _build: every chapter is executed;
* warm: the same command again with nothing changed (jupyter-cache and Sphinx's
  saved environment both hit);
* warm, fresh environment: the execution cache is kept but the Sphinx
  environment and HTML are deleted, so every page is read and written again
  (what tests/test_book.py does on a machine that has built the book before).

Targets on 2 cores: cold under 180 s, warm under 20 s.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
FLAGS = ["--warningiserror", "--nitpick", "--keep-going"]
IGNORE = shutil.ignore_patterns(
    ".venv", ".git", "_build", "build-assets", "test-artifacts", ".pytest_cache",
    "__pycache__", "*.egg-info", ".ipynb_checkpoints", "benchmarks", "experiments",
)
TARGETS = {"cold": 180.0, "warm": 20.0}


def _build(src):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.run([str(JUPYTER_BOOK), "build", ".", *FLAGS], cwd=src, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    if proc.returncode:
        tail = "\n".join(log.splitlines()[-30:])
        raise RuntimeError(f"book build failed (exit {proc.returncode}):\n{tail}")
    return seconds, log.count("Executing notebook"), log.count("Using cached notebook")


def run(quick=False):
    mathjax = REPO / "build-assets" / "mathjax" / "tex-chtml.js"
    if not mathjax.exists():
        raise RuntimeError(f"{mathjax} is missing: run `make setup` first (`make bench` does)")
    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="bench-book-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(REPO, src, ignore=IGNORE, symlinks=True)
        (src / "build-assets").symlink_to(REPO / "build-assets", target_is_directory=True)

        cold, cold_executed, _ = _build(src)
        warm_runs = [_build(src) for _ in range(repeat)]
        fresh_runs = []
        for _ in range(repeat):
            shutil.rmtree(src / "_build" / ".doctrees")
            shutil.rmtree(src / "_build" / "html")
            fresh_runs.append(_build(src))
        pages = sum(1 for _ in (src / "_build" / "html").rglob("*.html"))

    warm = statistics.median(r[0] for r in warm_runs)
    fresh = statistics.median(r[0] for r in fresh_runs)
    rows = [
        ["cold (empty cache)", cold, cold_executed, TARGETS["cold"], cold < TARGETS["cold"]],
        [f"warm, no change (median of {repeat})", warm, warm_runs[-1][1], TARGETS["warm"],
         warm < TARGETS["warm"]],
        [f"warm, fresh Sphinx env (median of {repeat})", fresh, fresh_runs[-1][1], "", ""],
    ]
    return {
        "title": "book build time (jupyter-book build -W -n, temporary copy of the repo)",
        "columns": ["build", "seconds", "notebooks executed", "target s", "meets target"],
        "rows": rows,
        "cold_s": cold,
        "warm_s": warm,
        "warm_fresh_env_s": fresh,
        "notebooks_executed_cold": cold_executed,
        "html_files": pages,
        "targets_s": TARGETS,
        "meets_targets": cold < TARGETS["cold"] and warm < TARGETS["warm"],
    }
