"""The instructors' grading pipeline (``autograder grade``, ``autograder/``).

The main check grades a synthetic class (``tests/grader_class.py``) with the
real pipeline: 35 students on assignment 1, correct, partly wrong, and every
hostile case the pipeline must survive, in parallel, in the jail. Each
student's exact score is read from nbgrader's gradebook and compared with
the sum of the points of the tasks that student answered correctly; each
status, reason and note is checked too. Other tests kill a run with SIGKILL
and resume it, write to the gradebook from another process while four
workers grade, unpack a learning-system zip, and grade every assignment's
reference solution through the pipeline.

The fast tests at the top check the parts on their own: the data-only wire
format, the seccomp filter, the submission checks, the one-transaction merge.
"""
from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

import grader_class
import gradebooks
from conftest import ON_CI
from autograder import intake, pipeline, sandbox, store, wire

A1 = grader_class.ASSIGNMENT
NOTEBOOK = grader_class.NOTEBOOK
# Small limits so that the hostile cases end quickly (a cell runs in well under a second).
OPTIONS = dict(memory_mb=1536, processes=64, max_notebook_mb=20, interrupt_grace=3,
               student_timeout=180)
CELL_TIMEOUT = 5


def grade(course, **kwargs):
    kwargs.setdefault("workers", 2)
    kwargs.setdefault("cell_timeout", CELL_TIMEOUT)
    kwargs.setdefault("progress", False)
    options = {**OPTIONS, **kwargs.pop("options", {})}
    return pipeline.grade(course, [kwargs.pop("assignment", A1)], options=options, **kwargs)


def gradebook_scores(course, assignment=A1):
    """``{student: total auto score}`` from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        return {s.student_id: s.score for s in gb.find_assignment(assignment).submissions}


def status_rows(course):
    db = sqlite3.connect(course / "gradebook.db")
    db.row_factory = sqlite3.Row
    try:
        return {r["student"]: dict(r) for r in db.execute("select * from rnnlib_grading")}
    finally:
        db.close()


def integrity(course):
    db = sqlite3.connect(course / "gradebook.db")
    try:
        return db.execute("pragma integrity_check").fetchall()
    finally:
        db.close()


def autograded_text(course, student):
    path = course / "autograded" / student / A1 / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


# --------------------------------------------------------------------------
# The parts, quickly
# --------------------------------------------------------------------------

def test_wire_round_trips_data_and_keeps_numpy_types():
    values = [None, True, 3, 2 ** 70, 1.5, float("nan"), float("-inf"), 1 + 2j, "text", b"\x00\x01",
              np.float32(0.5), np.float64(2.0), np.array(1.5), np.arange(6.0).reshape(2, 3).T,
              np.array([True, False]), [1, (2, 3)], {"a": [np.int64(4)], 5: None}, {1, 2},
              range(2, 9, 3), slice(1, None, 2)]
    back = wire.Decoder().decode(json.loads(json.dumps(wire.Encoder().encode(values))))
    assert len(back) == len(values)
    for got, sent in zip(back, values):
        assert type(got) is type(sent)
        if isinstance(sent, np.ndarray):
            assert got.shape == sent.shape and got.dtype == sent.dtype
            np.testing.assert_array_equal(got, sent)
        elif isinstance(sent, float) and np.isnan(sent):
            assert np.isnan(got)
        else:
            assert got == sent


def test_wire_never_carries_behaviour():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    arrived = wire.Decoder().decode(wire.Encoder().encode(np.zeros(3).view(Liar)))
    assert type(arrived) is np.ndarray and not (arrived == 1).any()
    with pytest.raises(wire.WireError, match="objects"):
        wire.Encoder().encode(np.array([object()]))
    with pytest.raises(wire.WireError, match="cannot be sent"):
        wire.Encoder().encode(lambda x: x)
    kept = []
    tree = wire.Encoder(opaque=lambda v: kept.append(v) or len(kept)).encode({"model": object()})
    assert isinstance(wire.Decoder().decode(tree)["model"], wire.Opaque) and len(kept) == 1
    # the checker refuses object references and function names from the kernel
    with pytest.raises(wire.WireError):
        wire.Decoder().decode({"__ref__": "os:system"})
    with pytest.raises(wire.WireError):
        wire.Decoder().decode({"__handle__": 1})
    assert wire.Encoder(function_refs=True).encode(np.tanh) == {"__ref__": "numpy:tanh"}


@pytest.mark.hostile
def test_nothing_the_kernel_says_becomes_a_grader_class_or_an_import():
    from autograder import checker

    class FakeChannel:
        """Answers every call as a kernel would whose function raised the
        grader's own NotCheckable (by name and module)."""

        def request(self, op, payload, deadline, label, callbacks=None):
            if op == "describe":
                return {name: {"kind": "callable"} for name in payload["names"]}
            return {"status": "raised", "type": "NotCheckable", "module": "autograder.checker",
                    "message": "needs the kernel"}

    grader = checker.Checker(FakeChannel(), timeout=5)
    grader.deadline = float("inf")
    with pytest.raises(checker.StudentError) as raised:
        grader.call("neuron_step", "direct", [1.0], {})
    assert not isinstance(raised.value, checker.NotCheckable)
    assert raised.value.type_name == "NotCheckable"
    assert "neuron_step raised NotCheckable: needs the kernel" in str(raised.value)
    # the test cell fails with the student's words; it is not re-run elsewhere
    outputs = grader.run("neuron_step(1.0)", "test_neuron_step")
    assert [o["output_type"] for o in outputs] == ["error"]
    assert outputs[0]["ename"] == "NotCheckable" and len(outputs[0]["traceback"]) == 1
    # modules: only the grader's own, by exact name
    assert checker.Checker._module("numpy", "np") is np
    for name in ("numpy.f2py.__main__", "pip.__main__", "antigravity", "rnnlib.grading.x", 7):
        assert isinstance(checker.Checker._module(name, "np"), wire.Opaque), name


@pytest.mark.hostile
def test_kernel_messages_are_bounded_in_size_and_nesting():
    import zmq
    from autograder import checker

    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(checker.UnreadableMessage, match="not plain JSON"):
        checker.safe_unpack(deep.encode())
    assert checker.safe_unpack(b'{"a": [1, 2]}') == {"a": [1, 2]}

    receiver_ctx = checker.limit_messages(zmq.Context())
    sender_ctx = zmq.Context()
    try:
        pull = receiver_ctx.socket(zmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = sender_ctx.socket(zmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"x" * (checker.MAX_MESSAGE + 1))
        assert pull.poll(3000) == 0  # dropped, never delivered
        push.close(linger=0)
        pull.close(linger=0)
    finally:
        receiver_ctx.destroy(linger=0)
        sender_ctx.destroy(linger=0)


def test_wire_sends_the_tests_functions_as_callbacks_only_when_asked():
    def f(v):
        return v * 2

    with pytest.raises(wire.WireError):
        wire.Encoder().encode([f])
    registered = []
    tree = wire.Encoder(callback=lambda func: registered.append(func) or len(registered)).encode([f, 1.0])
    assert registered == [f]
    stubs = wire.Decoder(callback=lambda i: ("stub", i)).decode(tree)
    assert stubs == [("stub", 1), 1.0]
    with pytest.raises(wire.WireError, match="unexpected callback"):
        wire.Decoder().decode(tree)  # the grader never turns a kernel's message into a call


    class Cell:  # an object with attributes, which a student's code may read
        def __call__(self, x):
            return x

    with pytest.raises(wire.WireError):
        wire.Encoder(callback=lambda func: 1).encode(Cell())


def test_wire_refuses_values_over_the_size_limit(monkeypatch):
    monkeypatch.setattr(wire, "MAX_BYTES", 1000)
    with pytest.raises(wire.WireError, match="larger than"):
        wire.Encoder().encode(np.zeros(1000))


def test_seccomp_filter_allows_threads_and_refuses_processes():
    code = (
        "import sys, os, threading, subprocess\n"
        f"sys.path.insert(0, {str(Path(sandbox.LAUNCHER).parent)!r})\n"
        "import _launch\n"
        "assert _launch.install_no_fork_filter()\n"
        "out = []\n"
        "t = threading.Thread(target=out.append, args=(1,)); t.start(); t.join()\n"
        "for attempt in (os.fork, lambda: subprocess.run(['true'])):\n"
        "    try:\n"
        "        attempt(); out.append('started a process')\n"
        "    except PermissionError:\n"
        "        out.append('refused')\n"
        "print(out)\n"
    )
    if os.uname().machine not in ("x86_64", "aarch64"):
        pytest.skip("the filter knows x86_64 and aarch64")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "[1, 'refused', 'refused']", run.stderr


def _write(folder, name, data):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


@pytest.fixture(scope="module")
def release():
    path = grader_class.ROOT / "exercises" / A1 / f"{NOTEBOOK}.ipynb"
    return nbformat.read(path, as_version=4)


def _layout(release):
    ids = [grader_class.meta(c)["grade_id"] for c in release.cells if grader_class.meta(c)]
    return {NOTEBOOK: {"grade_ids": ids, "locked": {}}}


def test_intake_explains_what_cannot_be_graded(tmp_path, release):
    good = nbformat.writes(release).encode()
    cases = {"empty": (b"", "empty file"), "half": (good[:500], "invalid JSON at line"),
             "json": (b"[1, 2]", "not a notebook"), "binary": (b"\xff\xfe\x00", "not UTF-8")}
    for name, (data, reason) in cases.items():
        _write(tmp_path / name, f"{NOTEBOOK}.ipynb", data)
        sub = intake.inspect_submission(tmp_path / name, _layout(release))
        assert sub.status == "ungradeable" and reason in sub.reason, (name, sub.reason)
    _write(tmp_path / "big", f"{NOTEBOOK}.ipynb", good)
    sub = intake.inspect_submission(tmp_path / "big", _layout(release), max_bytes=len(good) - 1)
    assert sub.status == "ungradeable" and "more than the limit" in sub.reason
    assert intake.inspect_submission(tmp_path / "nothing", _layout(release)).reason == \
        "no files were submitted"


def test_intake_finds_a_renamed_notebook_and_drops_unknown_grade_ids(tmp_path, release):
    nb = nbformat.from_dict(json.loads(nbformat.writes(release)))
    test_cell = next(c for c in nb.cells if grader_class.meta(c).get("grade"))
    test_cell.metadata["nbgrader"]["grade_id"] = "renamed"
    _write(tmp_path / "s", "my copy.ipynb", nbformat.writes(nb).encode())
    _write(tmp_path / "s", "scratch.ipynb", nbformat.writes(nbformat.v4.new_notebook()).encode())
    sub = intake.inspect_submission(tmp_path / "s", _layout(release))
    assert sub.status == "ok" and list(sub.notebooks) == [NOTEBOOK]
    assert any("submitted as my copy.ipynb" in n for n in sub.notes)
    assert any("'renamed'" in n for n in sub.notes)
    cells = sub.notebooks[NOTEBOOK].cells
    assert not any(grader_class.meta(c).get("grade_id") == "renamed" for c in cells)


def test_fingerprint_changes_with_the_files(tmp_path):
    _write(tmp_path, "a.ipynb", b"1")
    first = intake.fingerprint(tmp_path)
    assert intake.fingerprint(tmp_path) == first
    _write(tmp_path, "a.ipynb", b"2")
    assert intake.fingerprint(tmp_path) != first
    assert intake.fingerprint(tmp_path, extra="other assignment") != intake.fingerprint(tmp_path)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated course with no student (copied by the tests that need one)."""
    course = tmp_path_factory.mktemp("generated") / "course"
    release = grader_class.make_course(course)
    return course, release


def _copy(generated, target):
    import shutil

    shutil.copytree(generated[0], target)
    return generated[1]


@pytest.fixture(scope="module")
def small_course(generated, tmp_path_factory):
    """A course with no student graded yet (for the fast store tests)."""
    course = tmp_path_factory.mktemp("store") / "course"
    _copy(generated, course)
    return course


def test_a_second_run_on_the_same_course_stops(small_course):
    with open(small_course / ".rnnlib-grade.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(pipeline.GradingError, match="another `autograder grade` is running"):
            grade(small_course)


def test_the_command_lists_its_options():
    run = subprocess.run([str(Path(sys.executable).parent / "autograder"), "grade", "--help-config"],
                         capture_output=True, text=True)
    assert run.returncode == 0 and "RnnlibGrader.memory_mb" in run.stdout


# --------------------------------------------------------------------------
# A class of 35, hostile cases included, graded by the real pipeline
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_class(generated, tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    release = _copy(generated, course)
    cases = grader_class.hostile_class(course, release)
    summary = grade(course)
    return course, cases, summary


CASES = grader_class.CASES


@pytest.mark.slow
def test_the_class_is_large_and_every_case_was_graded_once(graded_class):
    course, cases, summary = graded_class
    assert len(cases) >= 30 and sorted(cases) == sorted(CASES)
    graded = [r.student for r in summary.results if r.kind == "grade"]
    assert sorted(graded) == sorted(cases)
    assert summary.errors == 0, [r for r in summary.results if r.status == "error"]
    assert [w for w in summary.warnings if "without bubblewrap" not in w] == [], summary.warnings
    assert ("NO bubblewrap" not in summary.jail) == bool(sandbox.probe_bwrap()[0])


def _needs_bubblewrap(student):
    """Without bubblewrap the kernel can read the solutions (the docs say so)."""
    if student == "reads-solutions" and not sandbox.probe_bwrap()[0]:
        reason = f"bubblewrap does not work here ({sandbox.probe_bwrap()[1]}): `make sandbox`"
        if ON_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


@pytest.mark.slow
@pytest.mark.hostile
@pytest.mark.parametrize("student", CASES)
def test_each_student_gets_exactly_the_expected_score_and_status(graded_class, student):
    course, cases, _ = graded_class
    _needs_bubblewrap(student)
    case = cases[student]
    row = status_rows(course)[student]
    assert row["status"] == case.status, row
    expected = grader_class.expected_score(case) if case.status == "graded" else 0.0
    assert gradebook_scores(course)[student] == expected, row
    assert row["score"] == expected and row["max_score"] == grader_class.max_score()
    assert case.reason in (row["reason"] or "")
    notes = json.loads(row["notes"])
    assert not case.note or any(case.note in n for n in notes), notes
    if case.output:
        assert case.output in autograded_text(course, student)


@pytest.mark.slow
def test_hostile_submissions_did_not_reach_the_gradebook_or_the_solutions(graded_class):
    course, _, _ = graded_class
    assert integrity(course) == [("ok",)]
    _needs_bubblewrap("reads-solutions")
    output = autograded_text(course, "reads-solutions")
    assert "found: []" in output  # no solution, no gradebook to read or write, no network
    assert "write: " in output and "network: " in output


@pytest.mark.slow
def test_feedback_grades_csv_and_report(graded_class):
    course, cases, summary = graded_class
    for student, case in cases.items():
        feedback = course / "feedback" / student / A1 / f"{NOTEBOOK}.html"
        assert feedback.is_file() == (case.status == "graded"), student
    rows = list(__import__("csv").DictReader(open(course / "reports" / "grades.csv")))
    by_student = {r["student"]: r for r in rows}
    assert sorted(by_student) == sorted(cases)
    for student, case in cases.items():
        if student == "reads-solutions" and not sandbox.probe_bwrap()[0]:
            continue  # checked (or skipped) above
        if case.status == "graded":
            assert float(by_student[student]["score"]) == grader_class.expected_score(case)
        else:  # blank, not 0: a learning system would record a 0
            assert by_student[student]["score"] == ""
        assert by_student[student]["status"] == case.status
    task = f"{A1}:unroll_neuron"
    assert float(by_student["wrong-unroll_neuron"][task]) == 0.0
    assert float(by_student["correct"][task]) == 3.0
    html = summary.report.read_text()
    for student, case in cases.items():
        if case.status == "ungradeable":
            assert student in html
    for png in (f"{A1}-scores.png", f"{A1}-tasks.png"):
        assert (course / "reports" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png in html


@pytest.mark.slow
def test_the_report_command_rewrites_the_report_from_the_gradebook(graded_class, tmp_path):
    course, cases, _ = graded_class
    run = subprocess.run([str(Path(sys.executable).parent / "autograder"), "report", A1,
                          "--course", str(course), "--out", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "grades.csv").read_text() == (course / "reports" / "grades.csv").read_text()
    assert (tmp_path / f"{A1}-tasks.png").is_file()


@pytest.mark.slow
def test_a_second_run_grades_nothing_and_force_grades_again(graded_class):
    course, cases, _ = graded_class
    before = status_rows(course)
    summary = grade(course, report=False, students=["correct", "untouched"])
    assert summary.skipped == 2 and summary.graded == 0
    assert status_rows(course) == before
    summary = grade(course, report=False, students=["correct"], force=True)
    assert summary.graded == 1
    assert status_rows(course)["correct"]["graded_at"] != before["correct"]["graded_at"]
    assert gradebook_scores(course)["correct"] == grader_class.max_score()


# --------------------------------------------------------------------------
# kill -9, concurrent writers, zip files
# --------------------------------------------------------------------------

def _gone_within(text, seconds):
    """Wait up to ``seconds`` for every process mentioning ``text`` to end; return those left."""
    deadline = time.monotonic() + seconds
    while (left := _processes_mentioning(text)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def _processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
            except OSError:
                continue
            if text in cmdline and int(pid) != os.getpid():
                found.append((pid, cmdline.replace("\0", " ")))
    return found


@pytest.mark.slow
def test_a_run_killed_with_sigkill_resumes_without_losing_a_grade(tmp_path, generated):
    course = tmp_path / "course"
    expected = gradebooks.simple_class(course, _copy(generated, course),
                                       [f"student{i:03d}" for i in range(9)])
    command = [str(Path(sys.executable).parent / "autograder"), "grade", A1, "--course", str(course),
               "-j", "2", "--no-progress", "--timeout", str(CELL_TIMEOUT), "--no-report"]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finished = {}
    deadline = time.monotonic() + 300
    while len(finished) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
        with __import__("contextlib").suppress(sqlite3.Error):
            finished = {s: r for s, r in status_rows(course).items() if r["status"] == "graded"}
    assert run.poll() is None, f"the run ended before it could be killed: {run.stderr.read()[-2000:]}"
    run.send_signal(signal.SIGKILL)
    run.wait()
    finished = {s: r for s, r in status_rows(course).items()}
    assert 2 <= len(finished) < len(expected)
    # workers and kernels die with the run (PR_SET_PDEATHSIG, bubblewrap's
    # --die-with-parent): each link of the chain takes a moment on a loaded machine
    assert _gone_within(str(course), 20) == []  # the workers
    import tempfile

    left = [d for d in Path(tempfile.gettempdir()).glob("rnnlib-grade-*")
            if (d / "pid").is_file() and (d / "pid").read_text() == str(run.pid)]
    assert len(left) == 1 and _gone_within(left[0].name, 20) == []  # the kernels
    assert integrity(course) == [("ok",)]
    scores = gradebook_scores(course)
    for student in finished:  # recorded together: grades and the finished mark
        assert scores[student] == expected[student]

    summary = grade(course, report=False)
    assert not left[0].exists()  # the next run removes what the killed one left
    assert summary.skipped == len(finished)
    assert summary.graded == len(expected) - len(finished)
    after = status_rows(course)
    for student, row in finished.items():
        assert after[student] == row  # not graded again
    assert gradebook_scores(course) == expected
    assert {r["status"] for r in after.values()} == {"graded"}


@pytest.mark.slow
def test_a_learning_system_zip_is_collected_and_graded(tmp_path, generated):
    course = tmp_path / "course"
    release = _copy(generated, course)
    ref = grader_class.reference_answers()
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"alice_{NOTEBOOK}.ipynb", nbformat.writes(grader_class.submission(release, ref)))
        z.writestr(f"bob_{NOTEBOOK}.ipynb", nbformat.writes(grader_class.submission(release)))
        z.writestr("readme.txt", "not a submission")
    summary = grade(course, zip_file=archive, report=False)
    assert summary.graded == 2
    assert gradebook_scores(course) == {"alice": grader_class.max_score(), "bob": 0.0}


# --------------------------------------------------------------------------
# Every assignment: the checker grades the reference solution fully
# --------------------------------------------------------------------------

ASSIGNMENTS = grader_class.builder.assignments()


@pytest.fixture(scope="module")
def every_assignment(tmp_path_factory):
    """One course with every assignment; the reference solution and the
    untouched student version of each, graded in one run."""
    course = tmp_path_factory.mktemp("all") / "course"
    grader_class.builder.make_course(course, ASSIGNMENTS)
    full = {}
    for assignment in ASSIGNMENTS:
        name = grader_class.builder.notebook_name(assignment)
        release = nbformat.read(course / "exercises" / assignment / f"{name}.ipynb", as_version=4)
        src = nbformat.read(grader_class.builder.source_notebook_path(assignment), as_version=4)
        ref = {grader_class.meta(c)["grade_id"]: grader_class.SOLUTION_MARKERS.sub("", c.source)
               for c in src.cells if grader_class.meta(c).get("solution")}
        full[assignment] = sum(float(grader_class.meta(c)["points"]) for c in src.cells
                               if grader_class.meta(c).get("grade"))
        for student, answers in (("reference", ref), ("untouched", None)):
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(grader_class.submission(release, answers), folder / f"{name}.ipynb")
        if assignment in CALLBACK_TASKS:
            _write_patching_students(course, release, assignment, ref)
        if assignment in DELEGATES:
            folder = course / "submitted" / "delegates" / assignment
            folder.mkdir(parents=True)
            answers = {task: SWITCHES_CHECK_OFF + code for task, code in DELEGATES[assignment].items()}
            nbformat.write(grader_class.submission(release, {**ref, **answers}), folder / f"{name}.ipynb")
        if assignment in DATA_ASSIGNMENTS:  # a cell that points the loader at a laptop's folders
            first = next(iter(ref))
            folder = course / "submitted" / "sets-data-env" / assignment
            folder.mkdir(parents=True)
            nbformat.write(grader_class.submission(release, {**ref, first: SETS_DATA_ENV + ref[first]}),
                           folder / f"{name}.ipynb")
    summary = pipeline.grade(course, ASSIGNMENTS, workers=2, progress=False, report=False)
    return course, summary, full


#: Assignments that load the ridership data, and a student cell that sets the
#: loader's folders for the student's own computer: grading must not depend on it.
DATA_ASSIGNMENTS = {"a6_time_series_baselines"}
SETS_DATA_ENV = """import os
os.environ["RNNLIB_DATA_MIRROR"] = "/home/student/Downloads"
os.environ["RNNLIB_CACHE_DIR"] = "/home/student/.cache/rnnlib"
"""
#: Tasks whose tests hand a function of the test's own to the student's
#: function (it calls back into the grader; see ``checker.Channel.request``).
CALLBACK_TASKS = {"a3_memory_cells": "influence", "a5_bptt": "numeric_gradient"}
#: Appended to a wrong answer: everything a test could check with, made to agree.
PATCHES = """
import numpy, numpy.testing, rnnlib.grading
numpy.allclose = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, *args, **kwargs: numpy.ones(numpy.broadcast(a, b).shape, bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None
rnnlib.grading.check_array = lambda *args, **kwargs: None
rnnlib.grading.call = lambda func, args, **kwargs: func(**args)
"""
#: Switches off the kernel's check of which rnnlib functions a task calls.
SWITCHES_CHECK_OFF = """
import rnnlib, rnnlib.baselines, rnnlib.gradcheck, rnnlib.grading
rnnlib.grading.call = lambda func, args, **kwargs: func(*args.values())
"""
#: Tasks handed to the rnnlib function that solves them (after
#: SWITCHES_CHECK_OFF): each must score 0, decided by the grader (shadow.py).
DELEGATES = {
    "a2_recurrent_layers": {
        "layer_step": "def layer_step(X_t, Y_prev, W_x, W_y, b):\n"
                      "    return rnnlib.layer_step(X_t, Y_prev, W_x, W_y, b)\n",
        "unroll_layer": "def unroll_layer(X, W_x, W_y, b):\n"
                        "    return rnnlib.unroll_layer(X, W_x, W_y, b)\n"},
    "a3_memory_cells": {
        "projection_step": "def projection_step(x_t, h_prev, W_x, W_y, b, W_o, b_o):\n"
                           "    return rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o)(x_t, h_prev)\n"},
    "a4_input_output_sequences": {
        "seq_outputs": "def seq_to_seq(cell, X):\n    return rnnlib.seq_to_seq(cell, X)\n\n"
                       "def seq_to_vec(cell, X):\n    return rnnlib.seq_to_vec(cell, X)\n"},
    "a5_bptt": {
        "relative_error": "def relative_error(a, b):\n"
                          "    return rnnlib.gradcheck.relative_error(a, b)\n"},
    "a6_time_series_baselines": {
        "mae_mape": "def mae(y_true, y_pred):\n    return rnnlib.baselines.mae(y_true, y_pred)\n\n"
                    "def mape(y_true, y_pred):\n    return rnnlib.baselines.mape(y_true, y_pred)\n"},
    "a7_forecasting": {  # a Keras model never crosses from the grader to the kernel
        "model": "def build_forecaster(n_inputs, n_units, learning_rate):\n"
                 "    import rnnlib.forecasting\n"
                 "    return rnnlib.forecasting.build_model('rnn32', learning_rate)\n"},
    "a8_long_sequences": {
        "lstm_step": "def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):\n"
                     "    return rnnlib.lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)\n",
        "gru_step": "def gru_step(x_t, h_prev, kernel, recurrent_kernel, bias):\n"
                    "    return rnnlib.gru.gru_step(x_t, h_prev, kernel, recurrent_kernel, bias)\n",
        "receptive_field": "def receptive_field(kernel_size, dilations):\n"
                           "    return rnnlib.convolution.receptive_field(kernel_size, dilations)\n",
        # a model that passes every other check; the MAE from chapter 6's rnnlib.baselines
        "gated_forecaster": "def fit_gated_forecaster(X_train, y_train, X_valid, y_valid, epochs):\n"
                            "    model = keras.Sequential([keras.Input(shape=X_train.shape[1:]),\n"
                            "                              keras.layers.GRU(32), keras.layers.Dense(1)])\n"
                            "    model.compile(loss='mse', optimizer=keras.optimizers.Adam(0.003))\n"
                            "    model.fit(X_train, y_train, epochs=epochs, batch_size=16, verbose=0)\n"
                            "    forecasts = model.predict(X_valid, verbose=0)[:, 0]\n"
                            "    return model, 1e6 * rnnlib.baselines.mae(y_valid, forecasts)\n"},
}
#: A function that waits for someone to type an answer.
ASKS_INPUT = """
def {name}(*args, **kwargs):
    return float(input("the answer, please: "))
"""


def _write_patching_students(course, release, assignment, ref):
    task = CALLBACK_TASKS[assignment]
    wrong = next(a.code for a in grader_class.catalogue.WRONG[assignment] if a.task == task)
    name = grader_class.builder.notebook_name(assignment)
    for student, answer in (("patches", wrong + PATCHES), ("asks-input", ASKS_INPUT.format(name=task))):
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(grader_class.submission(release, {**ref, task: answer}), folder / f"{name}.ipynb")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_assignment_grades_its_reference_fully_through_the_pipeline(every_assignment, assignment):
    course, summary, full = every_assignment
    assert not [w for w in summary.warnings if assignment in w and "not graded" in w], summary.warnings
    expected = {"reference": full[assignment], "untouched": 0.0}
    if assignment in DATA_ASSIGNMENTS:
        expected["sets-data-env"] = full[assignment]
    if assignment in CALLBACK_TASKS:
        task_points = sum(grader_class.tasks_of(grader_class.source_notebook(assignment))
                          [CALLBACK_TASKS[assignment]].values())
        expected.update({"patches": full[assignment] - task_points,
                         "asks-input": full[assignment] - task_points})
    if assignment in DELEGATES:
        tasks = grader_class.tasks_of(grader_class.source_notebook(assignment))
        expected["delegates"] = full[assignment] - sum(
            sum(tasks[task].values()) for task in DELEGATES[assignment])
    assert gradebook_scores(course, assignment) == expected
    if assignment in KERAS_ASSIGNMENTS:  # models, datasets and cells cross as data
        engine = store.make_engine(f"sqlite:///{course / 'gradebook.db'}")
        with engine.connect() as connection:
            modes = json.loads(connection.execute(
                store.select(store.calibration_table.c.modes)
                .where(store.calibration_table.c.assignment == assignment)).scalar_one())
        tests = grader_class.tasks_of(grader_class.source_notebook(assignment))
        assert modes == {test: "checker" for task in tests.values() for test in task}, modes


#: Assignments whose tests get Keras models, tf.data datasets or cells back.
KERAS_ASSIGNMENTS = {"a4_input_output_sequences", "a7_forecasting", "a8_long_sequences"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(CALLBACK_TASKS))
def test_tests_that_pass_functions_run_in_the_grader_too(every_assignment, assignment):
    """The tests of these tasks give the student's function a function of
    their own. They run in the grader's process all the same (the test's
    function is called back there), so the patching student above, whose
    answer is wrong, scores 0 on the task, and a function waiting for
    keyboard input gets an EOFError instead of hanging."""
    course, _, _ = every_assignment
    engine = store.make_engine(f"sqlite:///{course / 'gradebook.db'}")
    with engine.connect() as connection:
        modes = json.loads(connection.execute(
            store.select(store.calibration_table.c.modes)
            .where(store.calibration_table.c.assignment == assignment)).scalar_one())
    assert set(modes.values()) == {"checker"}, modes
