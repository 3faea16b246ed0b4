"""The grading benchmark runs in CI, in its quick form (12 notebooks).

Speed is not asserted here (the machine's load decides it; ``make bench``
measures and records it). What is checked is what makes the benchmark's
figures meaningful: both commands grade the same class, every student gets the
same score from ``autograder grade`` as from plain ``nbgrader autograde``, and
the result has the shape ``benchmarks/run.py`` writes.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _benchmark(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"bench_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_grading_benchmark_grades_the_same_scores_as_nbgrader():
    result = _benchmark("grading").run(quick=True)  # raises if any score differs
    assert result["notebooks"] == 12
    assert [row[0].split(" ")[0] for row in result["rows"]] == [
        "nbgrader", "autograder", "autograder", "nbgrader", "autograder"]
    assert "-j 1 " in result["rows"][1][0]
    for _, notebooks, seconds, per_notebook, speedup in result["rows"]:
        assert notebooks == 12 and seconds > 0 and per_notebook == pytest.approx(seconds / 12)
        assert speedup > 0
    assert result["speedup"] == pytest.approx(result["rows"][0][2] / result["rows"][2][2])
    assert result["speedup_one_worker"] == pytest.approx(result["rows"][0][2] / result["rows"][1][2])
