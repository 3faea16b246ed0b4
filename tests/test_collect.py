"""``autograder grade --zip``: learning-system downloads (``autograder/collect.py``).

Each test builds the archive a learning system would give for a class of
three, plus a file of another student that clashes with one of them, and a
file whose name no pattern explains; it checks where every file goes, that
the unexplained file is listed with a reason, and that the clash stops the
collection before anything is written.
"""
from __future__ import annotations

import zipfile

import pytest

from autograder import collect

NOTEBOOK = "recurrent_neurons"
A1 = "a1_recurrent_neurons"


def make_zip(path, files):
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def notebook_text(student):
    return '{"cells": [], "metadata": {"who": "%s"}, "nbformat": 4, "nbformat_minor": 5}' % student


def placed(submitted):
    """``{student: {file: content}}`` of what was unpacked."""
    return {d.name: {f.name: f.read_text() for f in (d / A1).iterdir()}
            for d in sorted(submitted.iterdir()) if (d / A1).is_dir()}


# For each format: files of three students, a clashing second notebook for
# one of them, an unknown name; and where the three notebooks must go.
CASES = {
    "canvas": dict(
        files={
            f"smithjane_12345_900001_{NOTEBOOK}.ipynb": "12345",
            f"doejohn_LATE_23456_900002_{NOTEBOOK}-1.ipynb": "23456",   # late, resubmitted
            "obrienmary_34567_900003_my_work.ipynb": "34567",             # another name: kept
        },
        clash={f"smithjane_12345_900004_{NOTEBOOK}-2.ipynb": "12345 again"},
        unknown={f"{NOTEBOOK}.ipynb": "who?", "notes.txt": "hello"},
        expected={"12345": f"{NOTEBOOK}.ipynb", "23456": f"{NOTEBOOK}.ipynb",
                  "34567": "my_work.ipynb"},
    ),
    "moodle": dict(
        files={
            f"Jane Smith_12345_assignsubmission_file_{NOTEBOOK}.ipynb": "12345",
            f"John Doe_23456_assignsubmission_file_{NOTEBOOK}.ipynb": "23456",
            f"Mary O'Brien_34567_assignsubmission_file_{NOTEBOOK}.ipynb": "34567",
        },
        clash={"Jane Smith_12345_assignsubmission_file_copy.ipynb": "12345 again"},
        unknown={"Jane Smith_12345_assignsubmission_onlinetext_onlinetext.html": "<p>hi</p>",
                 "grades.csv": "x"},
        expected={"12345": f"{NOTEBOOK}.ipynb", "23456": f"{NOTEBOOK}.ipynb",
                  "34567": f"{NOTEBOOK}.ipynb"},
    ),
    "moodle-folders": dict(
        files={
            f"Jane Smith_12345_assignsubmission_file/{NOTEBOOK}.ipynb": "12345",
            f"John Doe_23456_assignsubmission_file/{NOTEBOOK}.ipynb": "23456",
            f"Mary O'Brien_34567_assignsubmission_file/recurrent.ipynb": "34567",
        },
        clash={"Jane Smith_12345_assignsubmission_file/second.ipynb": "12345 again"},
        unknown={f"loose/{NOTEBOOK}.ipynb": "who?"},
        expected={"12345": f"{NOTEBOOK}.ipynb", "23456": f"{NOTEBOOK}.ipynb",
                  "34567": "recurrent.ipynb"},
    ),
    "blackboard": dict(
        files={
            f"A1 Recurrent neurons_jsmith_attempt_2026-11-30-10-15-00_{NOTEBOOK}.ipynb": "jsmith",
            f"A1 Recurrent neurons_j_doe_attempt_2026-11-30-11-00-00_{NOTEBOOK}.ipynb": "j_doe",
            f"A1 Recurrent neurons_mobrien_attempt_2026-11-29-09-00-00_{NOTEBOOK}.ipynb": "mobrien",
        },
        clash={f"A1 Recurrent neurons_jsmith_attempt_2026-11-30-12-00-00_{NOTEBOOK}.ipynb": "jsmith again"},
        unknown={"A1 Recurrent neurons_jsmith_attempt_2026-11-30-10-15-00.txt": "receipt",
                 "random.ipynb": "who?"},
        expected={"jsmith": f"{NOTEBOOK}.ipynb", "j_doe": f"{NOTEBOOK}.ipynb",
                  "mobrien": f"{NOTEBOOK}.ipynb"},
    ),
    "plain": dict(
        files={
            f"alice_{NOTEBOOK}.ipynb": "alice",
            f"bob_smith_{NOTEBOOK}.ipynb": "bob_smith",  # not "bob" with a file "smith_..."
            f"downloads/bob_{NOTEBOOK}.ipynb": "bob",
        },
        clash={f"again/alice_{NOTEBOOK}.ipynb": "alice again"},
        unknown={"carol_my_work.ipynb": "carol?", "readme.txt": "not a submission"},
        expected={"alice": f"{NOTEBOOK}.ipynb", "bob_smith": f"{NOTEBOOK}.ipynb",
                  "bob": f"{NOTEBOOK}.ipynb"},
    ),
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_each_learning_system_zip_is_collected_exactly(tmp_path, fmt):
    case = CASES[fmt]
    archive = make_zip(tmp_path / "download.zip", {**case["files"], **case["unknown"]})
    submitted = tmp_path / "submitted"
    result = collect.collect(archive, submitted, A1, [NOTEBOOK])
    assert result.format == fmt  # recognised without being told
    got = placed(submitted)
    assert {s: list(files) for s, files in got.items()} == \
        {s: [f] for s, f in case["expected"].items()}
    for student, files in got.items():  # each file went to its own student
        assert list(files.values()) == [case["files"][next(
            n for n, who in case["files"].items() if who == student)]]
    skipped = dict(result.skipped)
    assert sorted(skipped) == sorted(case["unknown"]), result.skipped
    assert all(reason for reason in skipped.values())
    lines = result.lines()
    for name in case["unknown"]:
        assert any(name in line for line in lines)  # shown to the instructor


@pytest.mark.parametrize("fmt", list(CASES))
def test_a_clash_stops_the_collection_and_names_both_files(tmp_path, fmt):
    case = CASES[fmt]
    archive = make_zip(tmp_path / "download.zip", {**case["files"], **case["clash"],
                                                   **case["unknown"]})
    submitted = tmp_path / "submitted"
    with pytest.raises(collect.CollectError, match="more than one notebook") as info:
        collect.collect(archive, submitted, A1, [NOTEBOOK], fmt=fmt)
    clash = next(iter(case["clash"]))
    assert clash in str(info.value)
    first = next(n for n, who in case["files"].items() if who == case["clash"][clash].split()[0])
    assert first in str(info.value)
    assert not submitted.exists() or placed(submitted) == {}  # nothing was unpacked


def test_a_roll_skips_ids_it_does_not_know(tmp_path):
    case = CASES["canvas"]
    archive = make_zip(tmp_path / "download.zip", case["files"])
    result = collect.collect(archive, tmp_path / "submitted", A1, [NOTEBOOK],
                             roll={"12345", "34567"})
    assert sorted(result.placed) == ["12345", "34567"]
    assert [r for _, r in result.skipped] == ["student '23456' is not on the class roll"]


def test_a_zip_of_unknown_names_is_refused(tmp_path):
    archive = make_zip(tmp_path / "download.zip", {"work.ipynb": "?", "final.ipynb": "?"})
    with pytest.raises(collect.CollectError, match="no notebook in the archive"):
        collect.collect(archive, tmp_path / "submitted", A1, [NOTEBOOK])


def test_archive_paths_are_never_used_as_paths(tmp_path):
    archive = make_zip(tmp_path / "download.zip", {
        f"../../evil_{NOTEBOOK}.ipynb": "x", f"-rf _{NOTEBOOK}.ipynb": "y",
        f"alice_{NOTEBOOK}.ipynb": "alice"})
    submitted = tmp_path / "submitted"
    result = collect.collect(archive, submitted, A1, [NOTEBOOK])
    assert sorted(result.placed) == ["alice", "evil"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["download.zip", "submitted"]
    assert any("not a valid student id" in r for _, r in result.skipped)


def test_the_roll_file_is_read(tmp_path):
    (tmp_path / "roll.csv").write_text("name,id,email\nJane,12345,j@x\nJohn,23456,\n")
    assert collect.read_roll(tmp_path / "roll.csv") == ["12345", "23456"]
    (tmp_path / "ids.txt").write_text("alice\nbob\n\n")
    assert collect.read_roll(tmp_path / "ids.txt") == ["alice", "bob"]


@pytest.mark.slow
def test_the_command_grades_a_moodle_folder_download_and_lists_what_it_skipped(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    import nbformat

    import grader_class

    course = tmp_path / "course"
    release = grader_class.make_course(course)
    ref = grader_class.reference_answers()
    good = nbformat.writes(grader_class.submission(release, ref))
    archive = make_zip(tmp_path / "moodle.zip", {
        f"Jane Smith_12345_assignsubmission_file/{NOTEBOOK}.ipynb": good,
        f"John Doe_23456_assignsubmission_file/{NOTEBOOK}.ipynb":
            nbformat.writes(grader_class.submission(release)),
        "Mary Jones_34567_assignsubmission_onlinetext/onlinetext.html": "<p>see attached</p>",
    })
    run = subprocess.run(
        [str(Path(sys.executable).parent / "autograder"), "grade", A1, "--course", str(course),
         "--zip", str(archive), "-j", "2", "--no-progress", "--no-feedback",
         "--set", "memory_mb=1536", "--set", "processes=64"],
        capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "moodle-folders file names" in run.stdout
    assert "graded 2," in run.stdout
    assert "Mary Jones_34567_assignsubmission_onlinetext/onlinetext.html" in run.stderr
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["12345", "23456"]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        scores = {s.student_id: s.score for s in gb.find_assignment(A1).submissions}
    assert scores == {"12345": grader_class.max_score(), "23456": 0.0}
