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
sys.path[:0] = [str(ROOT / "tests"), str(ROOT)]  # tests/grader_class.py, and the tools it imports

import grader_class  # noqa: E402
import nbformat  # noqa: E402

A1 = grader_class.ASSIGNMENT


A4 = "a4_input_output_sequences"


def _class(course, n, assignment=A1):
    """A course with ``n`` submissions of ``assignment``: the reference, the
    untouched notebook, each catalogued wrong and valid answer, in turn."""
    release = grader_class.make_course(course, assignment)
    ref = grader_class.reference_answers(assignment)
    answers = [ref, None]
    answers += [{**ref, a.task: a.code} for a in grader_class.catalogue.WRONG[assignment]]
    answers += [{**ref, a.task: a.code} for a in grader_class.catalogue.VALID[assignment]]
    name = grader_class.builder.notebook_name(assignment)
    for i in range(n):
        folder = course / "submitted" / f"student{i:03d}" / assignment
        folder.mkdir(parents=True)
        nbformat.write(grader_class.submission(release, answers[i % len(answers)]),
                       folder / f"{name}.ipynb")


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


def _scores(course, assignment=A1):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        return {s.student_id: s.score for s in gb.find_assignment(assignment).submissions}


def _compare(tmp, assignment, n, runs):
    """Grade copies of one class with each command of ``runs`` (``{label:
    [argv, ...]}``, run in turn in the course folder); every command must give
    the scores of the first. Returns ``{label: seconds}``."""
    base = Path(tmp) / f"base-{assignment}"
    _class(base, n, assignment)
    seconds, reference = {}, None
    for label, commands in runs.items():
        course = Path(tmp) / f"{assignment}-{len(seconds)}"
        shutil.copytree(base, course)
        seconds[label] = sum(_timed(argv, course) for argv in commands)
        scores = _scores(course, assignment)
        if reference is None:
            reference = scores
        elif scores != reference:
            raise RuntimeError(f"{label} gave other scores than {next(iter(runs))}")
    return seconds


def run(quick=False):
    """Rows: sequential nbgrader, then the pipeline with one worker (what a
    worker does per notebook, the kernel of the next notebook starting in the
    jail meanwhile) and with one worker per core; the same with feedback; and,
    in the full run, assignment 4 (Keras in every kernel) the same way."""
    n = 12 if quick else 60
    workers = os.cpu_count() or 1
    nbgrader = [sys.executable, "-m", "nbgrader"]

    def autograder(assignment, j, *flags):
        return [str(Path(sys.executable).parent / "autograder"), "grade", assignment,
                "--no-progress", "-j", str(j), *flags]

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        t = _compare(tmp, A1, n, {
            "nbgrader autograde (sequential)": [[*nbgrader, "autograde", A1]],
            "autograder grade -j 1 --no-feedback": [autograder(A1, 1, "--no-feedback", "--no-report")],
            f"autograder grade -j {workers} --no-feedback":
                [autograder(A1, workers, "--no-feedback", "--no-report")],
            "nbgrader autograde + generate_feedback": [[*nbgrader, "autograde", A1],
                                                       [*nbgrader, "generate_feedback", A1]],
            f"autograder grade -j {workers} (feedback, report)": [autograder(A1, workers)],
        })
        n4 = 0 if quick else 8
        t4 = {} if quick else _compare(tmp, A4, n4, {
            f"nbgrader autograde (sequential), {A4}": [[*nbgrader, "autograde", A4]],
            f"autograder grade -j 1 --no-feedback, {A4}": [autograder(A4, 1, "--no-feedback", "--no-report")],
            f"autograder grade -j {workers} --no-feedback, {A4}":
                [autograder(A4, workers, "--no-feedback", "--no-report")],
        })
        from autograder import sandbox

        jail = sandbox.make_jail(sandbox.Limits()).describe()

    labels = list(t)
    base, base_fb = t[labels[0]], t[labels[3]]
    rows = [[label, n, t[label], t[label] / n, (base_fb if "feedback" in label and "--no" not in label
                                                 else base) / t[label]] for label in labels]
    labels4 = list(t4)
    rows += [[label, n4, t4[label], t4[label] / n4, t4[labels4[0]] / t4[label]] for label in labels4]
    per_worker = base / t[labels[1]]
    speedup = base / t[labels[2]]
    speedup_fb = base_fb / t[labels[4]]
    return {
        "title": f"grading {n} notebooks of {A1} on {os.cpu_count()} cores (one worker "
                 f"{per_worker:.2f}x; {workers} workers {speedup:.2f}x; with feedback {speedup_fb:.2f}x)",
        "columns": ["command", "notebooks", "seconds", "s/notebook", "speed-up"],
        "rows": rows,
        "notebooks": n,
        "workers": workers,
        "speedup_one_worker": per_worker,
        "speedup": speedup,
        "speedup_with_feedback": speedup_fb,
        "speedup_a4_one_worker": t4[labels4[0]] / t4[labels4[1]] if t4 else None,
        "load_average": os.getloadavg(),
        "jail": jail,
    }
