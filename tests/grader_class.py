"""A synthetic class for the grading pipeline's tests and benchmark.

:func:`make_course` builds a temporary nbgrader course for one assignment
(generated with nbgrader, as ``make exercises`` does); :func:`hostile_class`
writes one submission per case below into ``submitted/`` and returns what
each must score. The expected scores are sums of the task points read from
the source notebook, for the tasks a case answers correctly: nothing is
derived from running the pipeline.

The cases use assignment 1 (numpy only, three tasks): every hostile case
the instructors' grader must survive, plus correct, partly wrong, valid
alternative and empty submissions.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import answers as catalogue
import nbformat
from tools import build_notebooks as builder

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "a1_recurrent_neurons"

NOTEBOOK = builder.notebook_name(ASSIGNMENT)
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.MULTILINE)


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def source_notebook(assignment=ASSIGNMENT):
    return nbformat.read(builder.source_notebook_path(assignment), as_version=4)


def tasks_of(nb):
    """``{answer grade id: {test grade id: points}}`` in notebook order."""
    tasks, current = {}, None
    for cell in nb.cells:
        if meta(cell).get("solution"):
            current = meta(cell)["grade_id"]
            tasks[current] = {}
        elif meta(cell).get("grade"):
            tasks[current][meta(cell)["grade_id"]] = float(meta(cell)["points"])
    return tasks


def reference_answers(assignment=ASSIGNMENT):
    """The reference solution of each task, as a student would write it
    (ending with a newline, so that code can be appended)."""
    return {meta(c)["grade_id"]: SOLUTION_MARKERS.sub("", c.source).rstrip() + "\n"
            for c in source_notebook(assignment).cells if meta(c).get("solution")}


def make_course(course, assignment=ASSIGNMENT, db_url=None):
    """A fresh course in ``course`` with ``assignment`` generated (and in
    its gradebook: ``course/gradebook.db``, or the SQLAlchemy URL
    ``db_url``); returns the released notebook."""
    builder.make_course(course, [assignment], db_url=db_url)
    name = builder.notebook_name(assignment)
    return nbformat.read(Path(course) / "exercises" / assignment / f"{name}.ipynb", as_version=4)


def submission(release, answers=None, tests=None, edit=None):
    """A copy of the student version with answer cells replaced.

    ``tests``: None (keep the test cells), "delete", or a new source for
    each; ``edit(cell)`` may change any cell further.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    cells = []
    for cell in nb.cells:
        m = meta(cell)
        if m.get("grade") and tests == "delete":
            continue
        if m.get("grade") and tests is not None:
            cell.source = tests
        if m.get("solution") and answers and m["grade_id"] in answers:
            cell.source = answers[m["grade_id"]]
        if edit is not None:
            edit(cell)
        cells.append(cell)
    nb.cells = cells
    return nb


#: The students of :func:`hostile_class` (the tests are parametrized by them).
CASES = (
    "correct", "untouched", "wrong-neuron_step", "wrong-unroll_neuron", "wrong-ema_weights",
    "valid-alternatives", "constants", "loop-in-answer-cell", "loop-in-tested-function",
    "loop-ignoring-interrupts", "sys-exit-in-function", "sys-exit-in-cell", "os-exit-in-function",
    "os-exit-in-cell", "segfault", "memory-bomb", "fork-bomb", "tests-edited-to-pass",
    "tests-deleted", "test-id-renamed", "points-changed", "patches-allclose", "patches-grading",
    "patches-np-testing", "patches-tanh", "forges-grader-exception", "module-named-main",
    "floods-input", "deep-json", "delegates-to-rnnlib", "runs-rnnlib-source",
    "uses-rnnlib-outside-tasks", "warns-but-correct", "reads-solutions", "wrong-name", "corrupt-json",
    "empty-file", "not-a-notebook", "no-notebook", "too-large", "huge-saved-output",
    "huge-printed-output", "other-kernel",
)


@dataclass
class Case:
    """One student: what they submit and what they must get."""

    status: str                    # "graded" or "ungradeable"
    correct: tuple = ()            # tasks answered correctly (graded cases)
    reason: str = ""               # part of the reason (ungradeable cases)
    note: str = ""                 # part of a note the grader must record
    output: str = ""               # part of the autograded notebook's outputs
    files: dict = field(default_factory=dict)  # file name -> bytes


# --------------------------------------------------------------------------
# Hostile code (answer cells)
# --------------------------------------------------------------------------

GARBAGE = {  # right shapes, wrong values
    "neuron_step": "def neuron_step(x_t, y_prev, w_x, w_y, b):\n    return 0.0\n",
    "unroll_neuron": "def unroll_neuron(x, w_x, w_y, b):\n    return np.zeros(len(x))\n",
    "ema_weights": "def ema_weights(alpha):\n    return np.array([0.0]), 0.0, 0.0\n",
}

PATCH_ALLCLOSE = "np.allclose = lambda *args, **kwargs: True\nnp.isclose = lambda *a, **k: True\n"

PATCH_GRADING = """from rnnlib import grading
grading.check_array = lambda *args, **kwargs: None
grading.check_shape = lambda got, *args, **kwargs: got
grading.check_number = lambda got, *args, **kwargs: 0.0
grading.call = lambda func, args, **kwargs: func(*args.values())
"""

PATCH_TESTING = """import numpy.testing
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_equal = lambda *args, **kwargs: None
import unittest
unittest.TestCase.assertEqual = lambda *args, **kwargs: None
"""

PATCH_TANH = """import math
np.tanh = lambda z: np.zeros_like(np.asarray(z, dtype=float))
math.tanh = lambda z: 0.0
"""

LOOP_FOREVER = "while True:\n    pass\n"

LOOP_IN_FUNCTION = """def unroll_neuron(x, w_x, w_y, b):
    while len(x) > 1:
        pass
    return np.zeros(len(x))
"""

STUCK_IN_FUNCTION = """import time

def unroll_neuron(x, w_x, w_y, b):
    while True:  # swallows the grader's interrupt
        try:
            time.sleep(0.05)
        except BaseException:
            pass
"""

SYS_EXIT_IN_FUNCTION = """import sys

def neuron_step(x_t, y_prev, w_x, w_y, b):
    sys.exit(3)
"""

OS_EXIT_IN_FUNCTION = """import os

def unroll_neuron(x, w_x, w_y, b):
    os._exit(0)
"""

SEGFAULT = "import ctypes\nctypes.string_at(0)\n"

MEMORY_BOMB = """def neuron_step(x_t, y_prev, w_x, w_y, b):
    chunks = []
    for _ in range(60):  # 6 GB at most: the kernel's limit must stop it first
        chunks.append(np.ones(12_500_000))
    return np.tanh(x_t @ w_x + w_y * y_prev + b)
"""

FORK_BOMB = """import os
while True:
    os.fork()
"""

HUGE_PRINT = "print('x' * 3_000_000)\n"

#: The attack that once gave full marks with no working code: every task
#: raises an exception that names the grader's own "this test needs the
#: kernel" class, grading.call is stubbed out and an IPython transformer
#: swallows every error, so that a test cell run in the kernel would pass.
FORGES_EXCEPTION = """import ast
from IPython import get_ipython
from rnnlib import grading

class NotCheckable(Exception):
    pass
NotCheckable.__module__ = "autograder.checker"
NotCheckable.__qualname__ = "NotCheckable"

class KernelGone(Exception):
    pass
KernelGone.__module__ = "autograder.checker"

grading.call = lambda func, args, **kwargs: None
grading.check_array = lambda *args, **kwargs: None

class SwallowErrors(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None,
                                    body=[ast.Pass()])
        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[],
                             finalbody=[])]
        return ast.fix_missing_locations(node)

get_ipython().ast_transformers.append(SwallowErrors())

def neuron_step(x_t, y_prev, w_x, w_y, b):
    raise NotCheckable("this test needs the kernel")

def unroll_neuron(x, w_x, w_y, b):
    raise KernelGone("pretend the kernel died")

def ema_weights(alpha):
    raise NotCheckable("this test needs the kernel")
"""

#: A name the test reads, bound to a module whose name points at a package's
#: command-line entry point: the grader must never import it.
MODULE_NAMED_MAIN = """import types
neuron_step = types.ModuleType("numpy.f2py.__main__")
"""

#: input() called in a loop, each end-of-file swallowed: the grader answers
#: a few and then lets the call run into the cell's deadline.
FLOODS_INPUT = """def unroll_neuron(x, w_x, w_y, b):
    for _ in range(100_000):
        try:
            input("more? ")
        except EOFError:
            pass
    return np.zeros(len(x))
"""

#: A message nested deeper than any JSON reader takes, sent while an answer
#: cell runs: the grader gives the kernel up, and grading goes on.
DEEP_JSON = """import sys
sys.setrecursionlimit(100_000)
nested = []
for _ in range(20_000):
    nested = [nested]
from IPython.display import publish_display_data
publish_display_data({"application/json": {"deep": nested}})
"""

#: Switches the kernel's rules off (``grading.call`` no longer watches which
#: rnnlib functions run), then hands each task to the rnnlib function that
#: solves it. The grader, not the kernel, decides that rnnlib's answer is not
#: the student's: the kernel's rnnlib asks the grader for every result.
DELEGATES = """from rnnlib import grading
grading.call = lambda func, args, **kwargs: func(*args.values())
import rnnlib

def neuron_step(x_t, y_prev, w_x, w_y, b):
    return rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)

def unroll_neuron(x, w_x, w_y, b):
    return rnnlib.unroll_neuron(x, w_x, w_y, b)
"""

#: Reads rnnlib's source and runs it under another name (a copy no profiler
#: would know): in the kernel that source holds no answer.
RUNS_RNNLIB_SOURCE = """from rnnlib import grading
grading.call = lambda func, args, **kwargs: func(*args.values())
import rnnlib.neuron
_source = open(rnnlib.neuron.__file__).read()
print("the kernel's rnnlib.neuron computes tanh:", "tanh(" in _source.split("def neuron_step")[1])
_ns = {"__name__": "copied"}
exec(compile(_source.replace("from .", "from rnnlib."), "copied.py", "exec"), _ns)

def neuron_step(x_t, y_prev, w_x, w_y, b):
    return _ns["neuron_step"](x_t, y_prev, w_x, w_y, b)
"""

#: A correct answer that compares itself with rnnlib in its answer cell:
#: outside a graded call every rnnlib function may be used.
USES_RNNLIB_OUTSIDE_TASKS = """
print("rnnlib gives", float(rnnlib.neuron_step(np.ones(2), 0.5, np.ones(2), 0.3, 0.1)))
"""

#: A correct answer that warns (its own warning, and numpy's RuntimeWarning).
WARNS_BUT_CORRECT = """_correct_neuron_step = neuron_step

def neuron_step(x_t, y_prev, w_x, w_y, b):
    import warnings
    warnings.warn("a warning from a correct answer", UserWarning)
    np.log(np.zeros(1))  # RuntimeWarning: divide by zero
    return _correct_neuron_step(x_t, y_prev, w_x, w_y, b)
"""  # the grader keeps 1 MB per cell


def reads_solutions(course):
    """Answer cell: look for the reference solution and the gradebook on
    disk; define the task functions from the solution if found."""
    return f'''import glob, json, os, sqlite3, socket
found = []
candidates = [{str(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")!r},
              {str(ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")!r}]
import rnnlib
candidates.append(os.path.join(os.path.dirname(os.path.dirname(rnnlib.__file__)), "solutions",
                               {ASSIGNMENT!r}, {NOTEBOOK + ".ipynb"!r}))
candidates += glob.glob("*.ipynb") + glob.glob("../**/*.ipynb", recursive=True)
for path in candidates:
    try:
        text = open(path).read()
    except OSError:
        continue
    if "BEGIN SOLUTION" in text or "BEGIN HIDDEN TESTS" in text:
        found.append(path)
        for cell in json.loads(text)["cells"]:
            if cell.get("metadata", {{}}).get("nbgrader", {{}}).get("solution"):
                exec("".join(cell["source"]), globals())
try:
    db = sqlite3.connect("file:{course / 'gradebook.db'}?mode=ro", uri=True)
    found.append(str(db.execute("select count(*) from source_cell").fetchone()))
except Exception as exc:
    print("gradebook:", type(exc).__name__)
try:
    with open({str(course / "gradebook.db")!r}, "r+b") as f:
        f.seek(100)
        f.write(b"garbage")
    found.append("wrote the gradebook")
except OSError as exc:
    print("write:", type(exc).__name__)
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    found.append("network")
except OSError as exc:
    print("network:", type(exc).__name__)
print("found:", found)
'''


def hostile_class(course, release):
    """Write the submissions into ``course/submitted``; return ``{student: Case}``."""
    course = Path(course)
    ref = reference_answers()
    tasks = list(tasks_of(source_notebook()))
    wrong = {t: next(a.code for a in catalogue.WRONG[ASSIGNMENT] if a.task == t) for t in tasks}
    valid = {}
    for answer in catalogue.VALID[ASSIGNMENT]:
        valid.setdefault(answer.task, answer.code)
    everything = tuple(tasks)

    def with_ref(**answers):
        return {**ref, **answers}

    def points_of(cell_id, points):
        def edit(cell):
            if meta(cell).get("grade_id") == cell_id:
                cell.metadata["nbgrader"]["points"] = points
        return edit

    def rename_test(old, new):
        def edit(cell):
            if meta(cell).get("grade_id") == old:
                cell.metadata["nbgrader"]["grade_id"] = new
                cell.source = "pass"
        return edit

    def huge_saved_output(cell):
        if meta(cell).get("grade_id") == "neuron_step":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 10_000_000)]
            cell.execution_count = 1

    def kernelspec(nb):
        nb.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
        return nb

    n1, n2, n3 = tasks  # neuron_step, unroll_neuron, ema_weights
    cases = {
        "correct": (Case("graded", everything), submission(release, ref)),
        "untouched": (Case("graded", ()), submission(release)),
        f"wrong-{n1}": (Case("graded", (n2, n3)), submission(release, with_ref(**{n1: wrong[n1]}))),
        f"wrong-{n2}": (Case("graded", (n1, n3)), submission(release, with_ref(**{n2: wrong[n2]}))),
        f"wrong-{n3}": (Case("graded", (n1, n2)), submission(release, with_ref(**{n3: wrong[n3]}))),
        "valid-alternatives": (Case("graded", everything), submission(release, with_ref(**valid))),
        "constants": (Case("graded", ()), submission(release, catalogue.CONSTANT[ASSIGNMENT])),
        # infinite loops and kernels that end
        "loop-in-answer-cell": (Case("graded", (n2, n3), note=f"cell {n1} ran longer than"),
                                submission(release, with_ref(**{n1: LOOP_FOREVER + ref[n1]}))),
        "loop-in-tested-function": (Case("graded", (n1, n3), output="did not return in time"),
                                    submission(release, with_ref(**{n2: LOOP_IN_FUNCTION}))),
        "loop-ignoring-interrupts": (Case("graded", (n1,), note="did not respond to an interrupt"),
                                     submission(release, with_ref(**{n2: STUCK_IN_FUNCTION}))),
        "sys-exit-in-function": (Case("graded", (n2, n3), output="SystemExit"),
                                 submission(release, with_ref(**{n1: SYS_EXIT_IN_FUNCTION}))),
        "sys-exit-in-cell": (Case("graded", everything, output="SystemExit"),
                             submission(release, with_ref(**{n3: ref[n3] + "import sys\nsys.exit()\n"}))),
        "os-exit-in-function": (Case("graded", (n1,), note="kernel died"),
                                submission(release, with_ref(**{n2: OS_EXIT_IN_FUNCTION}))),
        "os-exit-in-cell": (Case("graded", (n1, n2), note="kernel died"),
                            submission(release, with_ref(**{n3: ref[n3] + "import os\nos._exit(1)\n"}))),
        "segfault": (Case("graded", (n1, n2), note="SIGSEGV"),
                     submission(release, with_ref(**{n3: ref[n3] + SEGFAULT}))),
        "memory-bomb": (Case("graded", (n2, n3), output="MemoryError"),
                        submission(release, with_ref(**{n1: MEMORY_BOMB}))),
        "fork-bomb": (Case("graded", everything, output="Operation not permitted"),
                      submission(release, with_ref(**{n1: ref[n1] + FORK_BOMB}))),
        # the tests themselves
        "tests-edited-to-pass": (Case("graded", (), note="was edited"),
                                 submission(release, GARBAGE, tests="pass")),
        "tests-deleted": (Case("graded", everything, note="was deleted"),
                          submission(release, ref, tests="delete")),
        "test-id-renamed": (Case("graded", (n2, n3), note="unknown grade id"),
                            submission(release, with_ref(**{n1: GARBAGE[n1]}),
                                       edit=rename_test(f"test_{n1}", "my_own_test"))),
        "points-changed": (Case("graded", everything, note="points"),
                           submission(release, ref, edit=points_of(f"test_{n2}", 100))),
        # monkey-patching what the tests use
        "patches-allclose": (Case("graded", ()),
                             submission(release, {t: PATCH_ALLCLOSE + GARBAGE[t] for t in tasks})),
        "patches-grading": (Case("graded", ()),
                            submission(release, {t: PATCH_GRADING + GARBAGE[t] for t in tasks})),
        "patches-np-testing": (Case("graded", ()),
                               submission(release, {t: PATCH_TESTING + GARBAGE[t] for t in tasks})),
        # its unroll_neuron is right (rnnlib keeps its own reference to tanh)
        "patches-tanh": (Case("graded", (n2, n3)),
                         submission(release, with_ref(**{n1: PATCH_TANH + GARBAGE[n1]}))),
        # forging what the grader decides with, flooding its channels
        "forges-grader-exception": (Case("graded", (), output="output is None"),
                                    submission(release, {t: FORGES_EXCEPTION for t in tasks})),
        "module-named-main": (Case("graded", (n2, n3)),
                              submission(release, with_ref(**{n1: MODULE_NAMED_MAIN}))),
        "floods-input": (Case("graded", (n1, n3), output="did not return in time"),
                         submission(release, with_ref(**{n2: FLOODS_INPUT}))),
        "deep-json": (Case("graded", (n1, n2), note="cannot read"),
                      submission(release, with_ref(**{n3: ref[n3] + DEEP_JSON}))),
        "delegates-to-rnnlib": (Case("graded", (n3,), output="calls rnnlib.neuron.unroll_neuron"),
                                submission(release, with_ref(**{n1: DELEGATES, n2: DELEGATES}))),
        "runs-rnnlib-source": (Case("graded", (n2, n3), output="computes tanh: False"),
                               submission(release, with_ref(**{n1: RUNS_RNNLIB_SOURCE}))),
        "uses-rnnlib-outside-tasks": (Case("graded", everything, output="rnnlib gives 0.97"),
                                      submission(release, with_ref(
                                          **{n1: ref[n1] + USES_RNNLIB_OUTSIDE_TASKS}))),
        "warns-but-correct": (Case("graded", everything),
                              submission(release, with_ref(**{n1: ref[n1] + WARNS_BUT_CORRECT}))),
        # reading what it must not
        "reads-solutions": (Case("graded", (), output="found: []"),
                            submission(release, {n1: reads_solutions(course)})),
        # files
        "wrong-name": (Case("graded", everything, note="submitted as my_work.ipynb"), None),
        "corrupt-json": (Case("ungradeable", reason="invalid JSON"), None),
        "empty-file": (Case("ungradeable", reason="empty file"), None),
        "not-a-notebook": (Case("ungradeable", reason="not a notebook"), None),
        "no-notebook": (Case("ungradeable", reason="is missing"), None),
        "too-large": (Case("ungradeable", reason="more than the limit"), None),
        "huge-saved-output": (Case("graded", everything), submission(release, ref, edit=huge_saved_output)),
        "huge-printed-output": (Case("graded", everything, note="output truncated"),
                                submission(release, with_ref(**{n1: ref[n1] + HUGE_PRINT}))),
        "other-kernel": (Case("graded", everything), kernelspec(submission(release, ref))),
    }
    good = nbformat.writes(submission(release, ref)).encode()
    files = {
        "wrong-name": {"my_work.ipynb": good},
        "corrupt-json": {f"{NOTEBOOK}.ipynb": good[: len(good) // 2]},
        "empty-file": {f"{NOTEBOOK}.ipynb": b""},
        "not-a-notebook": {f"{NOTEBOOK}.ipynb": b'{"hello": "world"}'},
        "no-notebook": {"README.txt": b"I forgot the notebook"},
        "too-large": {f"{NOTEBOOK}.ipynb": good[:-3] + b' ' * 21_000_000 + good[-3:]},
    }
    assert tuple(cases) == CASES, "keep CASES in step with the cases"
    out = {}
    for student, (case, nb) in cases.items():
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        if nb is not None:
            nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
        for name, data in files.get(student, {}).items():
            (folder / name).write_bytes(data)
        out[student] = case
    return out


def expected_score(case):
    tasks = tasks_of(source_notebook())
    return sum(sum(tasks[t].values()) for t in case.correct)


def max_score():
    return sum(sum(v.values()) for v in tasks_of(source_notebook()).values())
