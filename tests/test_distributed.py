"""Grading on a Dask cluster (``autograder grade --cluster``, ``autograder/cluster.py``).

A real ``dask scheduler`` and two single-threaded ``dask worker`` processes
(under their nannies) are started on 127.0.0.1 for this module
(``tests/dask_cluster.py``). The workers preload ``tests/dask_faults.py``:
grading the student ``kills-workers`` kills the worker process each time.
The scheduler gives a task up after one worker died under it
(``allowed-failures`` 0, so that a run costs two deaths, not eight), and
sends a worker only what its thread can start (``worker-saturation`` 1.0).

* a representative part of the synthetic hostile class
  (``tests/grader_class.py``: 16 of its cases, a kind of each attack and
  broken file, leaving out the timeouts, which ``test_grader.py`` covers) and ``kills-workers``: every student gets exactly the score,
  status, reason and notes that local grading gives (the expected values
  ``test_grader.py`` checks local grading against), ``kills-workers`` is
  ungradeable with the reason and the class goes on;
* a worker killed with SIGKILL mid-run, on a PostgreSQL gradebook: every
  student merged exactly once, with the right score;
* the client (``autograder grade``) killed with SIGKILL mid-run: the next
  run grades only the rest;
* nothing behind the address, or a scheduler without workers: a clear error,
  and the gradebook unchanged.
"""
from __future__ import annotations

import collections
import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import dask_cluster  # noqa: E402
import gradebooks  # noqa: E402
import grader_class  # noqa: E402
from autograder import pipeline, sandbox  # noqa: E402
from conftest import ON_CI  # noqa: E402

pytestmark = [pytest.mark.distributed, pytest.mark.slow]

A1 = grader_class.ASSIGNMENT
NOTEBOOK = grader_class.NOTEBOOK
OPTIONS = dict(memory_mb=1536, processes=64, max_notebook_mb=20, interrupt_grace=3,
               student_timeout=180, cluster_timeout=20)
CELL_TIMEOUT = 5
KILLER = "kills-workers"
#: The hostile cases graded on the cluster (all but the slowest timeouts).
SUBSET = ("correct", "untouched", "wrong-unroll_neuron", "os-exit-in-function", "segfault", "memory-bomb", "fork-bomb", "tests-edited-to-pass",
          "forges-grader-exception", "patches-grading", "deep-json", "reads-solutions",
          "wrong-name", "corrupt-json", "too-large", "huge-printed-output")


@pytest.fixture(scope="module")
def dask(tmp_path_factory):
    env = {"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0",
           "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "1.0"}
    cluster = dask_cluster.LocalDask(2, preload=Path(__file__).with_name("dask_faults.py"),
                                     env=env, log_dir=tmp_path_factory.mktemp("dask-logs"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    course = tmp_path_factory.mktemp("generated") / "course"
    return course, grader_class.make_course(course)


def grade(course, address, **kwargs):
    options = {**OPTIONS, "cluster": address, **kwargs.pop("options", {})}
    kwargs.setdefault("progress", False)
    return pipeline.grade(course, [A1], cell_timeout=CELL_TIMEOUT, options=options, **kwargs)


def rows(url):
    with contextlib.suppress(Exception):
        return gradebooks.status_rows(url)
    return {}


# --------------------------------------------------------------------------
# The same scores as on one machine
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graded_on_the_cluster(dask, generated, tmp_path_factory):
    course = tmp_path_factory.mktemp("class") / "course"
    shutil.copytree(generated[0], course)
    cases = grader_class.hostile_class(course, generated[1])
    for student in set(cases) - set(SUBSET):
        shutil.rmtree(course / "submitted" / student)
        del cases[student]
    folder = course / "submitted" / KILLER / A1
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.ipynb").write_bytes(
        (course / "submitted" / "correct" / A1 / f"{NOTEBOOK}.ipynb").read_bytes())
    merged = collections.Counter()
    summary = grade(course, dask.address, merge_hook=lambda r: merged.update([r.student]))
    return course, cases, summary, merged


def test_the_cluster_gives_every_student_the_local_score(graded_on_the_cluster):
    course, cases, summary, merged = graded_on_the_cluster
    url = f"sqlite:///{course / 'gradebook.db'}"
    assert merged == collections.Counter([*cases, KILLER])  # each merged once
    assert summary.errors == 0, [(r.student, r.reason) for r in summary.results if r.status == "error"]
    assert summary.jail.startswith("on 2 Dask worker(s)")
    status, scores = rows(url), gradebooks.scores(url)
    bwrap = bool(sandbox.probe_bwrap()[0])
    for student, case in cases.items():
        if student == "reads-solutions" and not bwrap:
            if ON_CI:
                pytest.fail("CI=true but bubblewrap does not work here")
            continue
        row = status[student]
        expected = grader_class.expected_score(case) if case.status == "graded" else 0.0
        assert (row["status"], scores[student], row["score"]) == (case.status, expected, expected), \
            (student, row)
        assert case.reason in (row["reason"] or ""), (student, row)
        notes = json.loads(row["notes"])
        assert not case.note or any(case.note in n for n in notes), (student, notes)
        feedback = course / "feedback" / student / A1 / f"{NOTEBOOK}.html"
        assert feedback.is_file() == (case.status == "graded"), student
        # a memory bomb meets the memory limit or, on a busy machine, the cell's
        # deadline first: the same score either way
        if case.output and student != "memory-bomb":
            autograded = course / "autograded" / student / A1 / f"{NOTEBOOK}.ipynb"
            assert case.output in autograded.read_text(), student
    assert "BEGIN HIDDEN TESTS" not in (course / "feedback" / "correct" / A1 /
                                        f"{NOTEBOOK}.html").read_text()


def test_a_submission_that_kills_workers_is_ungradeable_and_the_class_goes_on(
        graded_on_the_cluster):
    course, cases, summary, _ = graded_on_the_cluster
    row = rows(f"sqlite:///{course / 'gradebook.db'}")[KILLER]
    assert row["status"] == "ungradeable" and row["score"] == 0.0
    assert "killed the cluster's worker" in row["reason"] and "KilledWorker" in row["reason"]
    assert summary.graded == sum(c.status == "graded" for c in cases.values())


# --------------------------------------------------------------------------
# Faults
# --------------------------------------------------------------------------

def test_a_worker_killed_mid_run_loses_and_duplicates_no_grade_on_postgresql(
        dask, postgres, tmp_path):
    books = gradebooks.PostgresBooks(tmp_path / "pg", postgres)
    course = tmp_path / "course"
    release, url = books.new_course(course, "killed_worker")
    expected = gradebooks.simple_class(course, release, [f"student{i}" for i in range(5)])
    before = dask.worker_pids()
    merged, killed = collections.Counter(), []

    def kill_a_busy_worker(result):
        merged[result.student] += 1
        if killed:
            return
        with dask.client() as client:
            busy = [w for w, keys in client.processing().items() if keys and w in before]
        if busy:
            os.kill(before[busy[0]], signal.SIGKILL)
            killed.append(before[busy[0]])

    summary = grade(course, dask.address, merge_hook=kill_a_busy_worker, report=False)
    assert killed, "no worker was busy after the first student"
    assert merged == collections.Counter(list(expected))  # every student merged exactly once
    status = rows(url)
    assert gradebooks.scores(url) == expected, (status, summary.results)
    assert {r["status"] for r in status.values()} == {"graded"} and summary.errors == 0
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)
    dask.wait_for_workers(2)  # its nanny started it again
    assert killed[0] not in dask.worker_pids().values()


def test_a_client_killed_mid_run_resumes_with_only_the_rest(dask, generated, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(generated[0], course)
    expected = gradebooks.simple_class(course, generated[1], [f"student{i}" for i in range(5)])
    url = f"sqlite:///{course / 'gradebook.db'}"
    command = [str(Path(sys.executable).parent / "autograder"), "grade", A1, "--course",
               str(course), "--cluster", dask.address, "--no-progress", "--no-report",
               "--timeout", str(CELL_TIMEOUT), "--set", "memory_mb=1536"]
    run = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    finished = {}
    deadline = time.monotonic() + 150
    while len(finished) < 2 and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.2)
        with contextlib.suppress(sqlite3.Error):
            finished = rows(url)
    assert run.poll() is None, f"the run ended before it was killed: {run.stderr.read()[-2000:]}"
    run.send_signal(signal.SIGKILL)
    run.wait()
    finished = rows(url)
    assert 2 <= len(finished) < len(expected)
    merged = collections.Counter()
    summary = grade(course, dask.address, report=False, merge_hook=lambda r: merged.update([r.student]))
    assert summary.skipped == len(finished)
    assert sorted(merged) == sorted(set(expected) - set(finished))  # only the rest
    assert all(n == 1 for n in merged.values())
    after = rows(url)
    assert {s: after[s] for s in finished} == finished  # not graded again
    assert gradebooks.scores(url) == expected


def test_nothing_behind_the_address_is_a_clear_error_and_writes_nothing(generated, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(generated[0], course)
    gradebooks.simple_class(course, generated[1], ["alice", "bob"])
    before = (course / "gradebook.db").read_bytes()
    address = f"tcp://127.0.0.1:{dask_cluster.free_port()}"
    run = subprocess.run([str(Path(sys.executable).parent / "autograder"), "grade", A1,
                          "--course", str(course), "--cluster", address, "--no-progress",
                          "--set", "cluster_timeout=3"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 2, run.stderr
    assert f"autograder grade: cannot reach the Dask scheduler at {address}" in run.stderr
    assert "gradebook is unchanged" in run.stderr and "Traceback" not in run.stderr
    assert (course / "gradebook.db").read_bytes() == before  # not a byte changed
    assert not (course / "autograded").exists() and not (course / "reports").exists()
    with pytest.raises(pipeline.GradingError, match="cannot reach the Dask scheduler"):
        grade(course, address, options={"cluster_timeout": 2})
    assert (course / "gradebook.db").read_bytes() == before


def test_a_scheduler_without_workers_is_a_clear_error_and_writes_nothing(generated, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(generated[0], course)
    gradebooks.simple_class(course, generated[1], ["alice"])
    before = (course / "gradebook.db").read_bytes()
    lonely = dask_cluster.LocalDask(0, log_dir=tmp_path / "logs")
    try:
        lonely.start()
        with pytest.raises(pipeline.GradingError, match="has no worker .* Nothing was graded"):
            grade(course, lonely.address, options={"cluster_timeout": 2})
    finally:
        lonely.stop()
    assert (course / "gradebook.db").read_bytes() == before
