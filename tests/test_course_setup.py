"""``autograder init-course``: the course folder an instructor grades in, and runs on it.

The documented recipe (instructor/grading.md, "Setting up a course
folder"), run as an instructor would: the command makes a course outside the
git clone with its configuration, the reference solutions in the configured
source folder and a gradebook holding the assignment; it refuses a folder in
the clone and a folder that is already a course. Then two runs on that course
at once: the second says that another run is in progress.
"""
from __future__ import annotations

import fcntl
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

import grader_class

A1 = grader_class.ASSIGNMENT
NOTEBOOK = grader_class.NOTEBOOK
REPO = Path(__file__).resolve().parent.parent
AUTOGRADER = str(Path(sys.executable).parent / "autograder")


def run(*args, **kwargs):
    return subprocess.run([AUTOGRADER, *args], capture_output=True, text=True, timeout=900, **kwargs)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    folder = tmp_path_factory.mktemp("instructor") / "rnn-2026"
    done = run("init-course", str(folder), "--assignment", A1)
    assert done.returncode == 0, done.stderr
    assert str(folder) in done.stdout
    return folder


def test_init_course_makes_a_real_course_folder(course):
    from nbgrader.api import Gradebook

    from autograder import settings

    s = settings.resolve(course)
    assert s.course == course and s.config_file == course / "nbgrader_config.py"
    source = course / s.dirs["source"] / A1 / f"{NOTEBOOK}.ipynb"
    release = course / s.dirs["release"] / A1 / f"{NOTEBOOK}.ipynb"
    assert "BEGIN HIDDEN TESTS" in source.read_text()
    assert "BEGIN HIDDEN TESTS" not in release.read_text()
    assert s.db_url == f"sqlite:///{course / 'gradebook.db'}"
    with Gradebook(s.db_url, s.course_id) as gb:
        assert [a.name for a in gb.assignments] == [A1]
        points = sum(c.max_score for nb in gb.find_assignment(A1).notebooks for c in nb.grade_cells)
    assert points == grader_class.max_score()
    assert "configure_nbgrader" in (course / "nbgrader_config.py").read_text()


def test_init_course_refuses_the_clone_and_an_existing_course(course, tmp_path):
    inside = run("init-course", str(REPO / "my-course"))
    assert inside.returncode == 2 and "inside the repository" in inside.stderr
    assert not (REPO / "my-course").exists()
    again = run("init-course", str(course))
    assert again.returncode == 2 and "already a course folder" in again.stderr
    unknown = run("init-course", str(tmp_path / "c"), "--assignment", "a9_nothing")
    assert unknown.returncode == 2 and "no such assignment" in unknown.stderr


def test_the_report_command_describes_its_options():
    done = run("report", "--help")
    assert done.returncode == 0
    for option in ("--course", "--db", "--out", "--roll"):
        line = next(l for l in done.stdout.splitlines() if l.strip().startswith(option))
        assert len(line.split(None, 2)) == 3, line  # option, metavar, and what it does
    words = " ".join(done.stdout.split())
    assert "listed as missing" in words and "manual grades included" in words


def _lock_is_held(path):
    try:
        with open(path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            fcntl.flock(handle, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True


@pytest.mark.slow
def test_a_second_run_during_a_first_says_another_run_is_in_progress(course):
    release = nbformat.read(course / "exercises" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
    ref = grader_class.reference_answers()
    slow = {**ref, "neuron_step": grader_class.LOOP_FOREVER + ref["neuron_step"]}
    for student, answers in (("slow", slow), ("quick", ref)):
        folder = course / "submitted" / student / A1
        folder.mkdir(parents=True)
        nbformat.write(grader_class.submission(release, answers), folder / f"{NOTEBOOK}.ipynb")
    args = ["grade", A1, "--course", str(course), "-j", "1", "--timeout", "8", "--no-progress",
            "--no-feedback", "--set", "memory_mb=1536", "--set", "processes=64"]
    first = subprocess.Popen([AUTOGRADER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        lock = course / ".rnnlib-grade.lock"
        deadline = time.monotonic() + 300
        while not (lock.exists() and _lock_is_held(lock)) and first.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert first.poll() is None, "the first run ended before the second started"
        second = run(*args)
        out, err = first.communicate(timeout=900)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode == 2
    assert "another run is in progress" in second.stderr
    assert "has no assignment" not in second.stderr + second.stdout
    assert first.returncode == 0, err
    assert "graded 2," in out


@pytest.mark.slow
def test_nbgrader_own_feedback_hides_the_hidden_tests_in_such_a_course(course):
    """After grading by hand, an instructor may run `nbgrader generate_feedback`
    in the course folder: the folder's config keeps the hidden tests out."""
    student = "quick"
    if not (course / "autograded" / student / A1).is_dir():
        release = nbformat.read(course / "exercises" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
        folder = course / "submitted" / student / A1
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(grader_class.submission(release, grader_class.reference_answers()),
                       folder / f"{NOTEBOOK}.ipynb")
        done = run("grade", A1, "--course", str(course), "--student", student, "-j", "1",
                   "--no-progress", "--no-feedback", "--set", "memory_mb=1536",
                   "--set", "processes=64")
        assert done.returncode == 0, done.stderr
    autograded = (course / "autograded" / student / A1 / f"{NOTEBOOK}.ipynb").read_text()
    assert "_reference_unroll" in autograded
    done = subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "generate_feedback", A1,
                           "--student", student, "--force"],
                          cwd=course, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    page = (course / "feedback" / student / A1 / f"{NOTEBOOK}.html").read_text()
    assert "Score:" in page
    for marker in ("BEGIN HIDDEN TESTS", "_reference_step", "_reference_unroll", "fresh_rng"):
        assert marker not in page, marker
