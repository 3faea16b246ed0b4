"""Build the nbgrader notebooks of the course from readable sources.

Two steps, both run by ``make exercises``:

1. ``sources``: every ``solutions/<assignment>.py`` (a notebook written as a
   Python file, see below) becomes the nbgrader *source* notebook
   ``solutions/<assignment>/<name>.ipynb``, where ``<name>`` is the assignment
   id without its ``aN_`` prefix (``a1_recurrent_neurons`` ->
   ``recurrent_neurons.ipynb``).
2. ``exercises``: ``nbgrader generate_assignment`` turns every assignment in
   ``solutions/`` into the student version ``exercises/<assignment>/``. It runs
   in a temporary copy of the course with a temporary gradebook, so it leaves
   nothing behind in the repository, and the same sources always give the
   same bytes.

``python tools/build_notebooks.py check`` does both in memory and exits
with status 1, listing the files, when a committed notebook differs from
what the build gives (``tests/test_exercises.py`` runs the same check).

The source format
-----------------
A cell starts with a line ``# %% <kind> [<grade_id>] [points=<n>]``:

=====================  =====================================================
kind                   cell
=====================  =====================================================
``markdown``           markdown, lines written as ``# text`` comments
``code``               ordinary code cell (students may edit it)
``readonly-markdown``  markdown that students cannot edit (nbgrader "Read-only")
``readonly-code``      code that students cannot edit, e.g. the imports
``answer``             the student's answer (nbgrader "Autograded answer"):
                       the reference solution between ``### BEGIN SOLUTION``
                       and ``### END SOLUTION``, replaced in the student version
``tests``              locked tests with ``points=<n>`` (nbgrader "Autograder
                       tests"): visible tests, then hidden ones between
                       ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``
=====================  =====================================================

A *task* is an ``answer`` cell followed by its ``tests`` cells. Lines before
the first ``# %%`` are a comment for the author and are not part of the
notebook. As the markdown cells are comments, a source file is a Python
script: ``python solutions/a1_recurrent_neurons.py`` runs the reference
solution through every test, visible and hidden, in a second.

While nbgrader autogrades, the environment variable ``NBGRADER_EXECUTION``
is set (``rnnlib.grading.autograding()`` reads it): a notebook that trains a
model should train for fewer steps then, so that grading stays fast.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

# This file lives in tools/, out of nbgrader's source folder solutions/ (nbgrader
# would take a __pycache__ there for an assignment).
ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
CONFIG = ROOT / "nbgrader_config.py"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
KINDS = {"markdown", "code", "readonly-markdown", "readonly-code", "answer", "tests"}
HEADER = re.compile(r"^# %%(?P<rest>.*)$")
GRADE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


class SourceError(ValueError):
    """A malformed notebook source, with the file and line."""


def notebook_name(assignment):
    """``a1_recurrent_neurons`` -> ``recurrent_neurons``."""
    return re.sub(r"^a\d+_", "", assignment)


def assignments():
    """The assignment ids: one per ``solutions/<assignment>.py`` source."""
    return sorted(p.stem for p in SOLUTIONS.glob("a*.py") if re.match(r"a\d+_", p.stem))


def source_notebook_path(assignment):
    return SOLUTIONS / assignment / f"{notebook_name(assignment)}.ipynb"


def _parse_header(rest, where):
    words = rest.split()
    if not words or words[0] not in KINDS:
        raise SourceError(f"{where}: cell kind must be one of {sorted(KINDS)}, got {rest!r}")
    kind, grade_id, points = words[0], None, None
    for word in words[1:]:
        if word.startswith("points="):
            points = float(word.split("=", 1)[1])
            points = int(points) if points.is_integer() else points
        elif grade_id is None and GRADE_ID.match(word):
            grade_id = word
        else:
            raise SourceError(f"{where}: cannot read {word!r} in the cell header")
    needs_id = kind not in ("markdown", "code")
    if needs_id and grade_id is None:
        raise SourceError(f"{where}: a {kind} cell needs a grade id")
    if (kind == "tests") != (points is not None):
        raise SourceError(f"{where}: tests cells, and only they, take points=<n>")
    if kind == "tests" and points <= 0:
        raise SourceError(f"{where}: points must be positive")
    return kind, grade_id, points


def _markdown(lines, where):
    out = []
    for line in lines:
        if line == "#":
            out.append("")
        elif line.startswith("# "):
            out.append(line[2:])
        else:
            raise SourceError(f"{where}: markdown lines must start with '# ', got {line!r}")
    return out


def _nbgrader_metadata(kind, grade_id, points):
    meta = {
        "grade": kind == "tests",
        "grade_id": grade_id,
        "locked": kind != "answer",
        "schema_version": 3,
        "solution": kind == "answer",
        "task": False,
    }
    if points is not None:
        meta["points"] = points
    return meta


def parse_source(text, filename="<source>"):
    """The nbformat notebook written in ``text`` (the format above)."""
    cells, current = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        match = HEADER.match(line)
        if match:
            current = (_parse_header(match["rest"], f"{filename}:{number}"), number, [])
            cells.append(current)
        elif current is not None:
            current[2].append(line)
        elif line.strip() and not line.startswith("#"):
            raise SourceError(f"{filename}:{number}: code before the first '# %%' cell")

    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    seen = set()
    for index, ((kind, grade_id, points), number, lines) in enumerate(cells):
        where = f"{filename}:{number}"
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if not lines:
            raise SourceError(f"{where}: empty cell")
        is_markdown = kind.endswith("markdown")
        source = "\n".join(_markdown(lines, where) if is_markdown else lines)
        cell_id = grade_id or f"cell-{index}"
        if cell_id in seen:
            raise SourceError(f"{where}: duplicate id {cell_id!r}")
        seen.add(cell_id)
        if kind == "answer" and "### BEGIN SOLUTION" not in source:
            raise SourceError(f"{where}: an answer cell needs ### BEGIN/END SOLUTION")
        if is_markdown:
            cell = nbformat.v4.new_markdown_cell(source, id=cell_id)
        else:
            cell = nbformat.v4.new_code_cell(source, id=cell_id)
        if kind not in ("markdown", "code"):
            cell.metadata["nbgrader"] = _nbgrader_metadata(kind, grade_id, points)
            if kind != "answer":
                cell.metadata["deletable"] = False
                cell.metadata["editable"] = False
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def build_source_notebook(assignment):
    """The text of ``solutions/<assignment>/<name>.ipynb``."""
    path = SOLUTIONS / f"{assignment}.py"
    nb = parse_source(path.read_text(encoding="utf-8"), path.name)
    return nbformat.writes(nb) + "\n"


# --------------------------------------------------------------------------
# nbgrader: the student versions
# --------------------------------------------------------------------------

def nbgrader(args, course_dir, check=True, env=None):
    """Run ``nbgrader <args>`` in ``course_dir`` (with its nbgrader_config.py).

    The interpreter's own bin folder goes first on PATH: nbgrader runs the
    ``alembic`` command of its environment to check the gradebook. nbgrader,
    and the kernels it starts, inherit this process's environment (for
    example ``RNNLIB_DATA_MIRROR``, which the ridership exercise needs
    offline), updated with ``env``.
    """
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=course_dir, check=check,
        capture_output=True, text=True, env=_nbgrader_env(env),
    )


def _nbgrader_env(extra=None):
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(extra or {})
    return env


def make_course(course_dir, assignment_ids, solutions=SOLUTIONS, db_url=None):
    """A fresh course in ``course_dir``: config, sources, and generated releases.

    Copies ``nbgrader_config.py`` and the source notebooks, then generates the
    student version of every assignment, which also records the assignments
    in the course's own gradebook (``course_dir/gradebook.db``, or the
    SQLAlchemy URL ``db_url``, set as ``c.CourseDirectory.db_url``).
    """
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG, course_dir / "nbgrader_config.py")
    if db_url is not None:
        with open(course_dir / "nbgrader_config.py", "a", encoding="utf-8") as config:
            config.write(f"\n# The gradebook of this copy.\nc.CourseDirectory.db_url = {db_url!r}\n")
    for assignment in assignment_ids:
        shutil.copytree(Path(solutions) / assignment, course_dir / "solutions" / assignment,
                        ignore=IGNORED)
    # One process for all assignments: importing nbgrader takes seconds.
    result = subprocess.run(
        [sys.executable, __file__, "_generate", *assignment_ids], cwd=course_dir,
        capture_output=True, text=True, env=_nbgrader_env(),
    )
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{result.stderr}")
    return course_dir


def _generate_here(assignment_ids):
    """``nbgrader generate_assignment <id> --force`` for each id, in this process,
    for the course in the current folder (with its nbgrader_config.py)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=os.getcwd()).load_config()
    api = NbGraderAPI(config=config)
    for assignment in assignment_ids:
        result = api.generate_assignment(assignment, force=True)
        if not result["success"]:
            print(result.get("log", ""), result.get("error", ""), file=sys.stderr)
            return 1
    return 0


def release_files(release_dir):
    """``{relative path: bytes}`` of every file in a release folder."""
    release_dir = Path(release_dir)
    return {
        p.relative_to(release_dir).as_posix(): p.read_bytes()
        for p in sorted(release_dir.rglob("*")) if p.is_file()
    }


def generated_exercises(assignment_ids=None):
    """``{assignment: {path: bytes}}`` as nbgrader generates it now."""
    assignment_ids = assignments() if assignment_ids is None else list(assignment_ids)
    with tempfile.TemporaryDirectory(prefix="rnn-course-") as tmp:
        course = make_course(tmp, assignment_ids)
        return {a: release_files(course / "exercises" / a) for a in assignment_ids}


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def write_sources():
    for assignment in assignments():
        path = source_notebook_path(assignment)
        path.parent.mkdir(exist_ok=True)
        path.write_text(build_source_notebook(assignment), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


def write_exercises():
    for assignment, files in generated_exercises().items():
        target = EXERCISES / assignment
        shutil.rmtree(target, ignore_errors=True)
        for rel, data in files.items():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
            print(f"wrote {(target / rel).relative_to(ROOT)}")


def stale_files():
    """Committed files that differ from what the build gives (relative paths)."""
    stale = []
    for assignment in assignments():
        path = source_notebook_path(assignment)
        if not path.exists() or path.read_text(encoding="utf-8") != build_source_notebook(assignment):
            stale.append(path.relative_to(ROOT).as_posix())
    if stale:  # the exercises are generated from the committed source notebooks
        return stale
    expected = generated_exercises()
    for assignment, files in expected.items():
        committed = release_files(EXERCISES / assignment)
        for rel in sorted(set(files) | set(committed)):
            if files.get(rel) != committed.get(rel):
                stale.append(f"exercises/{assignment}/{rel}")
    for folder in sorted(p for p in EXERCISES.iterdir() if p.is_dir()) if EXERCISES.exists() else []:
        if folder.name not in expected:
            stale.append(f"exercises/{folder.name}/ (no source in solutions/)")
    return stale


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_generate"]:  # internal: see make_course
        return _generate_here(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["sources", "exercises", "all", "check"])
    step = parser.parse_args(argv).step
    if step in ("sources", "all"):
        write_sources()
    if step in ("exercises", "all"):
        write_exercises()
    if step == "check":
        stale = stale_files()
        for rel in stale:
            print(f"out of date: {rel}")
        if stale:
            print("run `make exercises` and commit the result")
            return 1
        print("solutions/ and exercises/ are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
