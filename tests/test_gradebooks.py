"""The grading pipeline on each kind of gradebook: SQLite and PostgreSQL.

Every test here takes the ``gradebook`` fixture (``conftest.py``) and so
runs twice, once on a course whose gradebook is an SQLite file and once on
a course whose gradebook lives on a private PostgreSQL server
(``tests/gradebooks.py``): a class with hostile students graded by the real
pipeline, a second run that grades nothing, a merge killed half-way, and
four workers regrading while another program writes to the same gradebook.
What only one kind has is tested beside it (``test_grader.py``: the
SQLite file's integrity and the large hostile class;
``test_grader_postgres.py``: the server's settings and locks).
"""
from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import nbformat
import pytest

import grader_class
import gradebooks
from gradebooks import A1, COURSE_ID, NOTEBOOK, graded_result, scores, status_rows
from autograder import pipeline, sandbox, store
from conftest import ON_CI

pytestmark = pytest.mark.slow

OPTIONS = dict(memory_mb=1536, processes=64, max_notebook_mb=20, interrupt_grace=3,
               student_timeout=180)
CELL_TIMEOUT = 5
#: The students of the class graded here (cases of tests/grader_class.py).
STUDENTS = ("correct", "untouched", "wrong-unroll_neuron", "patches-grading",
            "forges-grader-exception", "os-exit-in-function", "tests-edited-to-pass",
            "corrupt-json")
#: A student whose kernel tries to reach the gradebook (the file, or the server).
PROBE = "probes-gradebook"


def grade(course, **kwargs):
    kwargs.setdefault("workers", 2)
    kwargs.setdefault("cell_timeout", CELL_TIMEOUT)
    kwargs.setdefault("progress", False)
    return pipeline.grade(course, [A1], options=OPTIONS, **kwargs)


def _probe(gradebook, course):
    """Code for an answer cell: reach the gradebook, print what happened."""
    if gradebook.name == "sqlite":
        reach = f"open({str(Path(course) / 'gradebook.db')!r}, 'r+b').read(16)"
    else:
        cluster = gradebook.cluster
        if cluster.host.startswith("/"):
            reach = (f"_c = socket.socket(socket.AF_UNIX); _c.settimeout(3); "
                     f"_c.connect({str(cluster.socket)!r})")
        else:
            reach = f"_c = socket.create_connection(({cluster.host!r}, {cluster.port}), timeout=3)"
    return f"""
import socket
try:
    {reach}
    print("gradebook: reached")
except OSError as _error:
    print("gradebook:", type(_error).__name__)
"""


@pytest.fixture(scope="module")
def graded_class(gradebook, tmp_path_factory):
    course = tmp_path_factory.mktemp(f"class-{gradebook.name}") / "course"
    release, url = gradebook.new_course(course, "class")
    # grader_class writes every case; this class takes a few of them
    scratch = tmp_path_factory.mktemp("cases")
    cases = grader_class.hostile_class(scratch, release)
    for student in STUDENTS:
        (course / "submitted" / student).parent.mkdir(parents=True, exist_ok=True)
        import shutil

        shutil.copytree(scratch / "submitted" / student, course / "submitted" / student)
    # a student who reaches for the gradebook (a trusted server, or the file):
    # either would let it rewrite every grade; the jail must not let it
    folder = course / "submitted" / PROBE / A1
    folder.mkdir(parents=True)
    ref = grader_class.reference_answers()
    step = next(iter(ref))
    answers = {**ref, step: ref[step] + _probe(gradebook, course)}
    nbformat.write(grader_class.submission(release, answers), folder / f"{NOTEBOOK}.ipynb")
    cases[PROBE] = grader_class.Case("graded", tuple(ref), output="gradebook: ")
    summary = grade(course)
    return course, url, {s: cases[s] for s in (*STUDENTS, PROBE)}, summary


@pytest.mark.hostile
def test_each_student_gets_exactly_the_expected_score(graded_class):
    course, url, cases, summary = graded_class
    assert sorted(r.student for r in summary.results if r.kind == "grade") == sorted(cases)
    assert summary.errors == 0 and summary.graded + summary.ungradeable == len(cases)
    assert [w for w in summary.warnings if "without bubblewrap" not in w] == []
    expected = {s: grader_class.expected_score(c) if c.status == "graded" else 0.0
                for s, c in cases.items()}
    assert scores(url) == expected
    rows = status_rows(url)
    for student, case in cases.items():
        assert rows[student]["status"] == case.status, rows[student]
        assert rows[student]["score"] == expected[student]
        assert rows[student]["max_score"] == grader_class.max_score()
        assert case.reason in (rows[student]["reason"] or "")
        assert not case.note or any(case.note in n for n in json.loads(rows[student]["notes"]))


@pytest.mark.hostile
def test_kernels_cannot_reach_the_gradebook(graded_class):
    course, _, _, _ = graded_class
    if not sandbox.probe_bwrap()[0]:
        reason = f"bubblewrap does not work here ({sandbox.probe_bwrap()[1]}): `make sandbox`"
        if ON_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    path = course / "autograded" / PROBE / A1 / f"{NOTEBOOK}.ipynb"
    outputs = json.dumps([c.get("outputs", []) for c in nbformat.read(path, as_version=4).cells])
    assert "gradebook: " in outputs and "gradebook: reached" not in outputs


def test_grades_csv_and_report_are_written(graded_class):
    course, _, cases, summary = graded_class
    rows = {r["student"]: r for r in csv.DictReader(open(course / "reports" / "grades.csv"))}
    assert set(cases) <= set(rows)
    for student, case in cases.items():
        if case.status == "graded":
            assert float(rows[student]["score"]) == grader_class.expected_score(case)
        assert rows[student]["status"] == case.status
    assert float(rows["wrong-unroll_neuron"][f"{A1}:unroll_neuron"]) == 0.0
    assert summary.report.is_file() and "corrupt-json" in summary.report.read_text()
    for student, case in cases.items():
        feedback = course / "feedback" / student / A1 / f"{NOTEBOOK}.html"
        assert feedback.is_file() == (case.status == "graded"), student


def test_a_second_run_grades_nothing(graded_class):
    course, url, cases, _ = graded_class
    before, marks = status_rows(url), scores(url)
    summary = grade(course, report=False)
    assert summary.skipped == len(cases) and summary.graded == 0 and summary.results == []
    assert status_rows(url) == before and scores(url) == marks


def test_an_interrupted_merge_leaves_no_trace(gradebook, tmp_path):
    _, url = gradebook.new_course(tmp_path / "course", "interrupted")
    engine = store.make_engine(url)
    store.prepare(engine)
    grades = {"test_neuron_step": 2.0, "test_unroll_neuron": 0.0, "test_ema_weights": 2.0}

    def crash(session):
        session.flush()  # the grades and the finished mark are written, not committed
        raise KeyboardInterrupt("killed in the middle of a merge")

    try:
        with pytest.raises(KeyboardInterrupt):
            store.merge(engine, graded_result("eve", grades), hook=crash)
        assert "eve" not in scores(url) and "eve" not in status_rows(url)
        store.merge(engine, graded_result("eve", grades))
        assert scores(url)["eve"] == 4.0 and status_rows(url)["eve"]["status"] == "graded"
    finally:
        engine.dispose()


def test_concurrent_workers_and_another_writer_lose_nothing(gradebook, tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    release, url = gradebook.new_course(course, "concurrent")
    # three students graded before (by an earlier submission: the run grades them again),
    # one with a manual grade from the instructor, which must survive regrading
    first = gradebooks.simple_class(course, release, ["student000", "student001", "student002"])
    engine = store.make_engine(url)
    store.prepare(engine)
    zero = {"test_neuron_step": 0.0, "test_unroll_neuron": 0.0, "test_ema_weights": 0.0}
    for student in first:
        store.merge(engine, graded_result(student, zero, fingerprint="earlier files"))
    engine.dispose()
    with Gradebook(url, COURSE_ID) as gb:
        nb = gb.find_submission_notebook(NOTEBOOK, A1, "student001")
        next(g for g in nb.grades if g.name == "test_neuron_step").manual_score = 1.5
        gb.db.commit()
    # more students arrive; four workers grade all of them while another
    # program writes to the first three all along
    later = gradebooks.simple_class(course, release, [f"student{i:03d}" for i in range(3, 7)])
    stop, out = tmp_path / "stop", tmp_path / "writer.json"
    writer = gradebooks.manual_writer(url, first, stop, out)
    ready = Path(f"{out}.ready")
    for _ in range(1200):  # until it has written once (importing nbgrader takes seconds)
        if ready.exists() or writer.poll() is not None:
            break
        time.sleep(0.1)
    assert ready.exists(), writer.stderr.read()[-3000:] if writer.poll() is not None else "not ready"
    try:
        summary = grade(course, report=False, workers=4)
    finally:
        stop.touch()
    assert writer.wait(120) == 0, writer.stderr.read()[-3000:]
    written = json.loads(out.read_text())
    assert written["rounds"] >= 2, written  # it wrote before the run, and during it

    assert summary.graded == len(first) + len(later) and summary.skipped == 0
    assert summary.errors == 0
    final = scores(url)
    with Gradebook(url, COURSE_ID) as gb:
        for student, score in first.items():
            nb = gb.find_submission_notebook(NOTEBOOK, A1, student)
            ema = next(g for g in nb.grades if g.name == "test_ema_weights")
            comment = next(c for c in nb.comments if c.name == "ema_weights")
            step = next(g for g in nb.grades if g.name == "test_neuron_step")
            last = written["last"][student]
            assert ema.extra_credit == float(last)  # the other program's last writes
            assert comment.manual_comment == f"round {last}"
            if student == "student001":  # the manual score stays, flagged for review
                assert (step.manual_score, step.auto_score, step.needs_manual_grade) == (1.5, 2.0, True)
            assert nb.score == score + last + (1.5 - 2.0) * (student == "student001")
    for student, score in later.items():
        assert final[student] == score
    rows = status_rows(url)
    assert sorted(rows) == sorted({**first, **later})
    assert {r["status"] for r in rows.values()} == {"graded"}
