"""Grading a class: ``autograder grade`` against plain sequential ``nbgrader autograde``.

One run builds a course with assignment 1 and 60 submissions (reference
solutions, each task's typical mistakes, valid alternatives, untouched
notebooks, in turn), copies it, and grades one copy with
``nbgrader autograde`` (one notebook after another, as nbgrader does) and the
other with ``autograder grade`` (one worker per core, every kernel in the jail,
test cells in the checker). Both commands start from a fresh process and a
fresh gradebook; both must give every student the same score.

Rows: the two autograding runs (the speed-up is their ratio), then the same
with feedback (``nbgrader generate_feedback`` after ``autograde``, against
``autograder grade`` writing feedback, grades.csv and the report). The machine
is shared: the numbers are for the load it had during the run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

import grader_class  # noqa: E402
import nbformat  # noqa: E402

A1 = grader_class.ASSIGNMENT


def _class(course, n):
    release = grader_class.make_course(course)
    ref = grader_class.reference_answers()
    answers = [ref, None]
    answers += [{**ref, a.task: a.code} for a in grader_class.catalogue.WRONG[A1]]
    answers += [{**ref, a.task: a.code} for a in grader_class.catalogue.VALID[A1]]
    for i in range(n):
        folder = course / "submitted" / f"student{i:03d}" / A1
        folder.mkdir(parents=True)
        nbformat.write(grader_class.submission(release, answers[i % len(answers)]),
                       folder / f"{grader_class.NOTEBOOK}.ipynb")


def _env():
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _timed(args, cwd):
    started = time.perf_counter()
    run = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, args))} failed:\n{run.stderr[-3000:]}")
    return seconds


def _scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        return {s.student_id: s.score for s in gb.find_assignment(A1).submissions}


def run(quick=False):
    n = 12 if quick else 60
    workers = os.cpu_count() or 1
    nbgrader = [sys.executable, "-m", "nbgrader"]
    rnnlib = [str(Path(sys.executable).parent / "autograder"), "grade", A1, "--no-progress",
              "-j", str(workers)]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        base = Path(tmp) / "base"
        _class(base, n)
        courses = {}
        for name in ("nbgrader", "pipeline", "nbgrader-feedback", "pipeline-feedback"):
            courses[name] = Path(tmp) / name
            shutil.copytree(base, courses[name])
        t_nbgrader = _timed([*nbgrader, "autograde", A1], courses["nbgrader"])
        t_pipeline = _timed([*rnnlib, "--no-feedback", "--no-report"], courses["pipeline"])
        t_nbgrader_fb = _timed([*nbgrader, "autograde", A1], courses["nbgrader-feedback"])
        t_nbgrader_fb += _timed([*nbgrader, "generate_feedback", A1], courses["nbgrader-feedback"])
        t_pipeline_fb = _timed(rnnlib, courses["pipeline-feedback"])
        reference = _scores(courses["nbgrader"])
        for name in ("pipeline", "nbgrader-feedback", "pipeline-feedback"):
            if _scores(courses[name]) != reference:
                raise RuntimeError(f"{name} gave other scores than nbgrader autograde")
        from autograder import sandbox

        jail = sandbox.make_jail(sandbox.Limits()).describe()

    speedup = t_nbgrader / t_pipeline
    speedup_fb = t_nbgrader_fb / t_pipeline_fb
    rows = [
        ["nbgrader autograde (sequential)", n, t_nbgrader, t_nbgrader / n, 1.0],
        [f"autograder grade -j {workers} --no-feedback", n, t_pipeline, t_pipeline / n, speedup],
        ["nbgrader autograde + generate_feedback", n, t_nbgrader_fb, t_nbgrader_fb / n, 1.0],
        [f"autograder grade -j {workers} (feedback, report)", n, t_pipeline_fb, t_pipeline_fb / n, speedup_fb],
    ]
    return {
        "title": f"grading {n} notebooks of {A1} on {os.cpu_count()} cores "
                 f"(speed-up {speedup:.2f}x; with feedback {speedup_fb:.2f}x)",
        "columns": ["command", "notebooks", "seconds", "s/notebook", "speed-up"],
        "rows": rows,
        "notebooks": n,
        "workers": workers,
        "speedup": speedup,
        "speedup_with_feedback": speedup_fb,
        "seconds_per_notebook": {"nbgrader": t_nbgrader / n, "pipeline": t_pipeline / n,
                                 "nbgrader_with_feedback": t_nbgrader_fb / n,
                                 "pipeline_with_feedback": t_pipeline_fb / n},
        "load_average": os.getloadavg(),
        "jail": jail,
    }
