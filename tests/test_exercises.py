"""The automated proof that the exercises grade students correctly.

For every assignment in ``solutions/``, in a fresh temporary course with a
fresh gradebook: generate the student version with nbgrader, build
submissions from it (answer cells replaced, test cells deleted or edited),
autograde them all with one ``nbgrader autograde`` call, and read each task's
exact score from the gradebook. A task is an answer cell together with the
graded test cells that follow it.

What students submit comes from ``tests/answers/`` (one module per
assignment); everything else (tasks, points, reference solutions) is read from
the notebooks, so a new assignment only needs its module of answers there.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

import answers as catalogue
from conftest import DATA_MIRROR, ON_CI
from tools import build_notebooks as builder

ROOT = Path(__file__).resolve().parent.parent

ASSIGNMENTS = builder.assignments()
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.MULTILINE)


# --------------------------------------------------------------------------
# Reading notebooks
# --------------------------------------------------------------------------

def needs_ridership(assignment):
    """Whether the assignment's notebook reads the ridership data."""
    return "rnnlib.datasets" in (ROOT / "solutions" / f"{assignment}.py").read_text(encoding="utf-8")


def require_data(assignment):
    """Skip (fail on CI) an assignment that reads the ridership data without a mirror."""
    if needs_ridership(assignment) and not DATA_MIRROR:
        reason = (f"{assignment} reads the ridership data and RNNLIB_DATA_MIRROR is not set: "
                  "point it at a folder holding ridership.tgz")
        if ON_CI:
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)


def kernel_env(cache_dir):
    """Environment for the kernels that run the notebooks: the data mirror (read
    once at import by conftest.py) and a data cache of the test's own."""
    env = {"RNNLIB_CACHE_DIR": str(cache_dir)}
    if DATA_MIRROR:
        env["RNNLIB_DATA_MIRROR"] = DATA_MIRROR
    return env


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def source_notebook(assignment):
    return nbformat.read(builder.source_notebook_path(assignment), as_version=4)


def tasks_of(nb):
    """``{answer grade id: {test grade id: points}}`` in notebook order."""
    tasks, current = {}, None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            tasks[current] = {}
        elif meta.get("grade"):
            assert current is not None, f"test cell {meta['grade_id']} precedes every answer cell"
            tasks[current][meta["grade_id"]] = float(meta["points"])
    return tasks


def reference_answers(assignment):
    """The reference solution of each task, as a student would write it."""
    return {
        nbgrader_meta(cell)["grade_id"]: SOLUTION_MARKERS.sub("", cell.source)
        for cell in source_notebook(assignment).cells if nbgrader_meta(cell).get("solution")
    }


def submission(release, answers=None, tests=None):
    """A copy of the student version with answer cells replaced.

    ``answers`` maps answer grade ids to new sources; ``tests`` is None (keep
    the test cells), ``"delete"`` or a replacement source for every test cell.
    """
    nb = nbformat.from_dict(release)
    answers = answers or {}
    cells = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and tests == "delete":
            continue
        if meta.get("grade") and tests is not None:
            cell.source = tests
        if meta.get("solution") and meta["grade_id"] in answers:
            cell.source = answers[meta["grade_id"]]
        cells.append(cell)
    nb.cells = cells
    return nb


# --------------------------------------------------------------------------
# The submissions of one assignment
# --------------------------------------------------------------------------

def defined_names(source):
    """The functions and names an answer cell defines at its top level."""
    import ast

    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def task_dependencies(assignment):
    """``{task: tasks it uses}``, transitively: task B uses task A when B's
    reference answer or B's test cells mention a name A's answer defines
    (a later task may call an earlier task's function)."""
    nb = source_notebook(assignment)
    reference = reference_answers(assignment)
    sources, current = {}, None
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution"):
            current = meta["grade_id"]
            sources[current] = reference[current]
        elif meta.get("grade"):
            sources[current] += "\n" + cell.source
    defines = {task: defined_names(reference[task]) for task in reference}
    uses = {b: {a for a in reference if a != b and any(
        re.search(rf"\b{re.escape(name)}\b", sources[b]) for name in defines[a])} for b in reference}
    changed = True
    while changed:  # transitive closure
        changed = False
        for b in uses:
            more = set().union(*(uses[a] for a in uses[b])) - uses[b] - {b}
            if more:
                uses[b] |= more
                changed = True
    return uses


def wrong_groups(assignment):
    """Wrong answers grouped into submissions, to autograde fewer notebooks.

    Round i takes the i-th wrong answer of every task; within a round, wrong
    answers share a submission when their tasks are independent (neither
    uses the other, see :func:`task_dependencies`), so each still decides
    its own task's score alone. Returns ``{student id: [answers]}``.
    """
    uses = task_dependencies(assignment)
    per_task = {}
    for answer in catalogue.WRONG[assignment]:
        per_task.setdefault(answer.task, []).append(answer)
    groups = {}
    for i in range(max((len(a) for a in per_task.values()), default=0)):
        round_groups = []
        for task, answers in per_task.items():
            if i >= len(answers):
                continue
            for group in round_groups:
                if all(task not in uses[g.task] and g.task not in uses[task] for g in group):
                    group.append(answers[i])
                    break
            else:
                round_groups.append([answers[i]])
        for j, group in enumerate(round_groups):
            groups[f"wrong-{i}-{j}"] = group
    return groups


def wrong_id(assignment, answer):
    """The student id of the submission holding this wrong answer."""
    return next(student for student, group in wrong_groups(assignment).items() if answer in group)


def valid_groups(assignment):
    """Valid alternatives grouped into submissions: the i-th alternative of
    every task goes into submission ``valid-i`` (tasks grade independently)."""
    groups = {}
    per_task = {}
    for answer in catalogue.VALID[assignment]:
        index = per_task.setdefault(answer.task, 0)
        per_task[answer.task] += 1
        groups.setdefault(f"valid-{index}", {})[answer.task] = answer
    return groups


def submissions(assignment, release):
    """``{student id: notebook}`` for every check of this module."""
    reference = reference_answers(assignment)
    subs = {
        "reference": submission(release, reference),
        "untouched": submission(release),
        "constants": submission(release, catalogue.CONSTANT[assignment]),
        "deleted-tests": submission(release, tests="delete"),
        "reference-deleted-tests": submission(release, reference, tests="delete"),
        "tests-edited-to-pass": submission(release, tests="pass"),
    }
    for student, group in wrong_groups(assignment).items():
        subs[student] = submission(release, {**reference, **{a.task: a.code for a in group}})
    for student, group in valid_groups(assignment).items():
        subs[student] = submission(release, {**reference, **{t: a.code for t, a in group.items()}})
    return subs


# --------------------------------------------------------------------------
# Fixtures: one course and one autograde run per assignment, shared by tests
# --------------------------------------------------------------------------

@dataclass
class Graded:
    assignment: str
    course: Path
    tasks: dict  # answer grade id -> {test grade id: points}
    scores: dict = field(default_factory=dict)  # student -> test grade id -> auto score
    log: str = ""  # nbgrader's log, to read when a test fails
    seconds_per_notebook: float = 0.0  # for information, never asserted

    def task_scores(self, student):
        return {task: sum(self.scores[student][g] for g in tests)
                for task, tests in self.tasks.items()}

    def max_scores(self):
        return {task: sum(tests.values()) for task, tests in self.tasks.items()}

    def autograded(self, student):
        path = (self.course / "autograded" / student / self.assignment
                / f"{builder.notebook_name(self.assignment)}.ipynb")
        return nbformat.read(path, as_version=4)


class Courses:
    """Builds a temporary course per assignment, then grades its submissions.

    The first test that needs a course starts the work for every selected
    assignment (those of the tests pytest collected and kept, so that
    ``-k a5_bptt`` grades only that one) at once, as many at a time as there
    are cores (each nbgrader process runs one kernel at a time); tests then
    wait for the assignment they check.
    """

    def __init__(self, tmp_path_factory, selected=ASSIGNMENTS):
        self.tmp = tmp_path_factory
        self.selected = [a for a in selected if not needs_ridership(a) or DATA_MIRROR]
        self._pool = None
        self._graded = {}

    def _submit(self, assignment):
        course = self.tmp.mktemp(f"course-{assignment}")
        self._graded[assignment] = self._pool.submit(self._grade, assignment, course)

    def _start(self):
        if self._pool is None:
            self._pool = ThreadPoolExecutor(
                max_workers=max(1, min(len(self.selected), os.cpu_count() or 1)))
            for assignment in self.selected:
                self._submit(assignment)

    def graded(self, assignment):
        require_data(assignment)
        self._start()
        if assignment not in self._graded:
            self._submit(assignment)
        return self._graded[assignment].result()

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    @staticmethod
    def _grade(assignment, course):
        from nbgrader.api import Gradebook

        builder.make_course(course, [assignment])
        name = builder.notebook_name(assignment)
        release = nbformat.read(course / "exercises" / assignment / f"{name}.ipynb", as_version=4)
        subs = submissions(assignment, release)
        for student, nb in subs.items():
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{name}.ipynb")
        started = time.perf_counter()
        result = builder.nbgrader(["autograde", assignment], course, check=False,
                                  env=kernel_env(course / "data-cache"))
        seconds = time.perf_counter() - started
        assert result.returncode == 0, f"nbgrader autograde failed:\n{result.stderr[-5000:]}"

        graded = Graded(assignment, course, tasks_of(source_notebook(assignment)),
                        log=result.stderr, seconds_per_notebook=seconds / len(subs))
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            for student in subs:
                notebook = gradebook.find_submission_notebook(name, assignment, student)
                graded.scores[student] = {grade.name: grade.auto_score for grade in notebook.grades}
        return graded


@pytest.fixture(scope="session")
def courses(request, tmp_path_factory):
    selected = {item.callspec.params["assignment"] for item in request.session.items
                if "courses" in getattr(item, "fixturenames", ())
                and "assignment" in getattr(getattr(item, "callspec", None), "params", {})}
    courses = Courses(tmp_path_factory, [a for a in ASSIGNMENTS if a in selected])
    yield courses
    courses.close()


# --------------------------------------------------------------------------
# Fast checks: the catalogue, the notebooks, the generated files
# --------------------------------------------------------------------------

def test_every_assignment_is_in_the_catalogue():
    assert ASSIGNMENTS, "no assignment sources found in solutions/"
    for table in (catalogue.WRONG, catalogue.VALID, catalogue.CONSTANT):
        assert sorted(table) == ASSIGNMENTS


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_catalogue_covers_every_task(assignment):
    tasks = tasks_of(source_notebook(assignment))
    assert 3 <= len(tasks) <= 6, f"{assignment} has {len(tasks)} tasks, the course wants 3 to 6"
    for label, answers, least in (("wrong", catalogue.WRONG, 3), ("valid", catalogue.VALID, 1)):
        counts = {task: 0 for task in tasks}
        names = set()
        for answer in answers[assignment]:
            assert answer.task in tasks, f"{label} answer {answer.name}: no task {answer.task!r}"
            assert (answer.task, answer.name) not in names, f"duplicate {label} answer {answer.name}"
            names.add((answer.task, answer.name))
            counts[answer.task] += 1
        short = {task: n for task, n in counts.items() if n < least}
        assert not short, f"{assignment}: fewer than {least} {label} answers for {short}"
    assert sorted(catalogue.CONSTANT[assignment]) == sorted(tasks)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_built_from_its_source(assignment):
    committed = builder.source_notebook_path(assignment).read_text(encoding="utf-8")
    assert committed == builder.build_source_notebook(assignment), (
        f"solutions/{assignment}.py changed since the notebook was built: run `make exercises`"
    )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_has_well_formed_nbgrader_cells(assignment):
    nb = source_notebook(assignment)
    nbformat.validate(nb)
    ids = [nbgrader_meta(c)["grade_id"] for c in nb.cells if nbgrader_meta(c)]
    assert len(ids) == len(set(ids)), "grade ids must be unique"
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if not meta:
            continue
        assert meta["schema_version"] == 3
        if meta["solution"]:
            assert not meta["locked"] and not meta["grade"]
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if meta["grade"]:
            assert meta["locked"] and meta["points"] > 0
            visible, hidden_marker, hidden = cell.source.partition("### BEGIN HIDDEN TESTS")
            assert hidden_marker and "### END HIDDEN TESTS" in hidden, (
                f"{meta['grade_id']}: tests that guard go between ### BEGIN/END HIDDEN TESTS")
            assert "grading.call(" in visible and "grading.call(" in hidden, (
                f"{meta['grade_id']}: visible and hidden tests both call the student's function")
            assert "fresh_rng" in hidden, f"{meta['grade_id']}: hidden tests draw fresh inputs"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_passes_its_own_tests_as_a_script(assignment, tmp_path):
    require_data(assignment)
    result = subprocess.run([sys.executable, str(ROOT / "solutions" / f"{assignment}.py")],
                            capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, **kernel_env(tmp_path / "data-cache")})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_hides_solutions_and_hidden_tests(assignment):
    path = ROOT / "exercises" / assignment / f"{builder.notebook_name(assignment)}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    text = path.read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "fresh_rng"):
        assert secret not in text
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            assert "raise NotImplementedError()" in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_committed_exercises_are_what_generation_gives(courses, assignment):
    generated = builder.release_files(courses.graded(assignment).course / "exercises" / assignment)
    committed = builder.release_files(ROOT / "exercises" / assignment)
    assert sorted(committed) == sorted(generated), "run `make exercises` and commit exercises/"
    for rel, data in generated.items():
        assert committed[rel] == data, f"exercises/{assignment}/{rel} is stale: run `make exercises`"


# --------------------------------------------------------------------------
# Grading: exact scores from the gradebook
# --------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_reference_solution_gets_full_marks(courses, assignment):
    graded = courses.graded(assignment)
    assert graded.task_scores("reference") == graded.max_scores()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_untouched_student_version_gets_zero_without_crashing(courses, assignment):
    graded = courses.graded(assignment)
    # every graded cell ran and got 0 (None would mean it was never graded)
    assert set(graded.scores["untouched"].values()) == {0.0}
    nb = graded.autograded("untouched")
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert len(errors) == sum(len(tests) for tests in graded.tasks.values())
    assert all("not written yet" in e.evalue for e in errors)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_answers_returning_constants_fail_every_task(courses, assignment):
    graded = courses.graded(assignment)
    maxima = graded.max_scores()
    scores = graded.task_scores("constants")
    assert all(scores[task] < maxima[task] for task in maxima), scores


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_deleted_test_cells_are_restored(courses, assignment):
    graded = courses.graded(assignment)
    # deleting the tests gains nothing ...
    assert set(graded.scores["deleted-tests"].values()) == {0.0}
    # ... because nbgrader puts them back and runs them: a correct answer
    # still gets its marks, and every test cell is back in its place
    assert graded.task_scores("reference-deleted-tests") == graded.max_scores()
    ids = [nbgrader_meta(c).get("grade_id") for c in graded.autograded("deleted-tests").cells]
    for task, tests in graded.tasks.items():
        for test in tests:
            assert test in ids and ids.index(test) > ids.index(task)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_test_cells_edited_to_pass_are_restored(courses, assignment):
    graded = courses.graded(assignment)
    assert set(graded.scores["tests-edited-to-pass"].values()) == {0.0}


WRONG_CASES = [(a, answer) for a in ASSIGNMENTS for answer in catalogue.WRONG.get(a, [])]
VALID_CASES = [(a, student) for a in ASSIGNMENTS if a in catalogue.VALID
               for student in valid_groups(a)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment, answer", WRONG_CASES,
                         ids=[f"{a}-{w.task}-{w.name}" for a, w in WRONG_CASES])
def test_wrong_answer_loses_marks_on_its_task_only(courses, assignment, answer):
    """The wrong answer's task scores below full; every task whose answer in
    that submission is the reference's scores full (the wrong answers of
    independent tasks share a submission: see :func:`wrong_groups`)."""
    graded = courses.graded(assignment)
    student = wrong_id(assignment, answer)
    scores, maxima = graded.task_scores(student), graded.max_scores()
    assert scores[answer.task] < maxima[answer.task], (
        f"{answer.why!r} got full marks on {answer.task}")
    wrong_tasks = {a.task for a in wrong_groups(assignment)[student]}
    others = {t: s for t, s in scores.items() if t not in wrong_tasks}
    assert others == {t: m for t, m in maxima.items() if t not in wrong_tasks}
    if answer.message:
        notebook = graded.autograded(student)
        shown = task_output(notebook, graded.tasks[answer.task])
        assert answer.message in shown, (
            f"{answer.name}: the student should read {answer.message!r}; the test cells "
            f"of {answer.task} showed:\n{shown[-3000:]}")
        # a failed check is one line: its diagnosis, without the grader's traceback
        checks = [o for cell in notebook.cells
                  if nbgrader_meta(cell).get("grade_id") in graded.tasks[answer.task]
                  for o in cell.get("outputs", [])
                  if o.output_type == "error" and o.ename == "CheckFailed"]
        assert all(len(o.traceback) == 1 for o in checks), [o.traceback for o in checks]


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def task_output(nb, test_ids):
    """What the test cells ``test_ids`` of an autograded notebook showed: their
    printed text and errors, as the student reads them (colours removed)."""
    parts = []
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") not in test_ids:
            continue
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.append("\n".join(output.traceback))
    return ANSI.sub("", "\n".join(parts))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_wrong_answers_share_a_submission_only_across_independent_tasks(assignment):
    uses = task_dependencies(assignment)
    groups = wrong_groups(assignment)
    assert sorted((a.task, a.name) for g in groups.values() for a in g) == sorted(
        (a.task, a.name) for a in catalogue.WRONG[assignment])
    for group in groups.values():
        tasks = [a.task for a in group]
        assert len(tasks) == len(set(tasks))
        assert not any(a in uses[b] for a in tasks for b in tasks), (tasks, uses)


@pytest.mark.slow
@pytest.mark.parametrize("assignment, student", VALID_CASES,
                         ids=[f"{a}-{s}" for a, s in VALID_CASES])
def test_valid_alternatives_get_full_marks(courses, assignment, student):
    graded = courses.graded(assignment)
    scores, maxima = graded.task_scores(student), graded.max_scores()
    answers = valid_groups(assignment)[student]
    lost = {task: (scores[task], maxima[task], answers[task].name if task in answers else "reference")
            for task in maxima if scores[task] != maxima[task]}
    assert not lost, f"valid answers lost marks: {lost}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nbgrader_validate_accepts_the_reference_and_flags_the_student_version(courses, assignment):
    """What students see when they press Validate in JupyterLab."""
    graded = courses.graded(assignment)
    name = f"{builder.notebook_name(assignment)}.ipynb"
    paths = [str(graded.course / "submitted" / student / assignment / name)
             for student in ("reference", "untouched")]
    result = builder.nbgrader(["validate", *paths], graded.course, check=False,
                              env=kernel_env(graded.course / "data-cache"))
    reference, _, untouched = result.stdout.partition("\n")  # one report per notebook, in order
    assert reference == "Success! Your notebook passes all the tests.", result.stdout
    n_tests = sum(len(tests) for tests in graded.tasks.values())
    assert untouched.startswith(f"VALIDATION FAILED ON {n_tests} CELL(S)!"), result.stdout
    assert "is not written yet" in untouched
