"""A grading process: one student at a time, in a private course.

The pipeline starts N of these (``multiprocessing``, spawned), each with its
own pipe. A worker imports nbgrader once, then for every task:

1. checks the submission's files (``intake.py``);
2. lays out a private nbgrader course (its own folder, readable by root
   only) with a fresh copy of the template gradebook, which holds the
   assignment and nothing else;
3. copies the student's other files, and the assignment's, into a folder
   that becomes the kernel's working folder in the jail;
4. runs nbgrader's ``Autograde`` (with :class:`~.execute.SafeExecute`) and,
   if asked, ``GenerateFeedback``, on the private course;
5. moves the autograded notebook and the feedback into the main course and
   sends the grades back to the pipeline, which merges them.

A worker never opens the main gradebook. It dies with the pipeline
(``PR_SET_PDEATHSIG``), and its kernels die with it.
"""
from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import logging
import os
import re
import shutil
import signal
import time
import traceback
import uuid
from pathlib import Path

from .messages import CALIBRATE, ERROR, GRADE, GRADED, UNGRADEABLE, NotebookGrades, Result

# nbgrader errors that a submission's own cells cause (edited nbgrader metadata)
_STUDENT_MADE = re.compile(r"metadata|schema|checksum|cell type|grade id|duplicate", re.IGNORECASE)

_NBGRADER_NOTES = [
    (re.compile(r"Attribute 'points' for cell (\S+) has changed"),
     "the points of {0} were changed in the notebook; the gradebook's points count"),
    (re.compile(r"Attribute 'cell_type' for cell (\S+) has changed"),
     "the type of cell {0} was changed; nbgrader restored it"),
    (re.compile(r"Attribute 'locked' for cell (\S+) has changed"),
     "cell {0} was unlocked; nbgrader locked it again"),
    (re.compile(r"Missing grade cell (\S+) encountered"),
     "test cell {0} was deleted; nbgrader put it back"),
    (re.compile(r"Cell with id '(\S+)' exists multiple times"),
     "cell {0} appears more than once; only one copy is graded"),
]


def _die_with_parent(parent):
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def main(index, conn, setup):
    """Entry point of a worker process (see ``pipeline.py``)."""
    _die_with_parent(setup["parent_pid"])
    worker = Worker(index, setup)
    worker.prestart()
    while True:
        try:
            task = conn.recv()
        except EOFError:
            os._exit(0)
        if task is None:
            os._exit(0)  # no interpreter teardown: nothing is left to flush
        started = time.monotonic()
        try:
            result = worker.run(task)
        except Exception:  # a bug of the grader: report it, keep going
            result = Result.of(task, ERROR, "the grader failed: " + traceback.format_exc()[-3000:])
        result.seconds = time.monotonic() - started
        conn.send(result)
        worker.prestart()


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records = []
        self.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))

    def emit(self, record):
        self.records.append(self.format(record))


class Worker:
    def __init__(self, index, setup):
        from traitlets.config import Config

        from . import execute  # noqa: F401 - imports nbgrader, nbclient, jupyter_client once
        from . import engines

        engines.share()  # one SQLAlchemy engine per gradebook, not ten per notebook
        from .settings import load_config

        self.index = index
        self.setup = setup
        self.private = Path(setup["run_dir"]) / "private" / f"w{index}"
        self.kernels = Path(setup["run_dir"]) / "kernels"
        self.private.mkdir(parents=True, exist_ok=True)
        self.course = self.private / "course"
        self.count = 0
        self.sources_ready = set()
        self.next_kernel = None  # (kernel home, workdir, Prestarted)
        self._converters = {}  # nbgrader converter class -> instance

        # on a cluster the course's configuration arrives with the bundle (cluster.py)
        config = setup.get("config")
        if config is None:
            config, _ = load_config(setup["course"])
        config = Config(config)
        config.CourseDirectory.root = str(self.course)
        config.CourseDirectory.db_url = "sqlite:///" + str(self.course / "gradebook.db")
        for name in ("source", "release", "submitted", "autograded", "feedback"):
            config.CourseDirectory[f"{name}_directory"] = name
        config.CourseDirectory.course_id = setup["course_id"]
        config.Execute.timeout = setup["cell_timeout"]
        config.Execute.startup_timeout = max(60, config.Execute.get("startup_timeout", 60))
        if setup.get("feedback"):
            from . import feedback

            feedback.configure(config)  # no hidden tests, sanitised, MathJax next to the page
        self.config = config

        import warnings

        from sqlalchemy.exc import SAWarning

        warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's add_submission
        log = logging.getLogger("traitlets")
        log.handlers[:] = []
        log.propagate = False
        log.setLevel(logging.WARNING)
        self.log = log

    def prestart(self):
        """Start the next student's kernel now (if none is waiting): it boots
        while this worker grades the current notebook and reads the next one."""
        from .execute import Prestarted

        if self.next_kernel is not None:
            return
        home, workdir = self._kernel_home()
        try:
            self.next_kernel = (home, workdir, Prestarted.launch(self.setup["jail"], home, workdir))
        except Exception:  # started again, and reported, with the notebook
            shutil.rmtree(home, ignore_errors=True)

    def _kernel_home(self):
        self.count += 1
        home = self.kernels / f"w{self.index}-{self.count}-{uuid.uuid4().hex[:6]}"
        workdir = home / "work"
        workdir.mkdir(parents=True)
        os.chmod(home, 0o711)
        os.chmod(workdir, 0o755)
        return home, workdir

    # -- one task --------------------------------------------------------
    def run(self, task):
        from . import execute, intake

        setup = self.setup
        assignment, student = task.assignment, task.student
        layout = task.layout
        main = Path(setup["course"])
        if task.kind == CALIBRATE:
            folder = main / setup["dirs"]["source"] / assignment
        else:
            folder = main / setup["dirs"]["submitted"] / student / assignment
        sub = intake.inspect_submission(folder, layout, max_bytes=setup["max_notebook_bytes"])
        if sub.status != "ok":
            result = Result.of(task, UNGRADEABLE, explain(sub.reason, folder), score=0.0,
                               max_score=task.max_score)
            if task.kind == GRADE:
                self._unpublish(assignment, student)
            return result

        self._reset_course(assignment)
        submitted = self.course / "submitted" / student / assignment
        submitted.mkdir(parents=True)
        import nbformat

        for name, nb in sub.notebooks.items():
            nbformat.write(nb, submitted / f"{name}.ipynb")
        if (folder / "timestamp.txt").is_file() and not (folder / "timestamp.txt").is_symlink():
            shutil.copyfile(folder / "timestamp.txt", submitted / "timestamp.txt")
        # nbgrader's exchange (`nbgrader submit`, then collect) leaves the submission's secret
        # here: nbgrader copies it into the feedback folder, and release_feedback names the
        # page by it (the student's fetch_feedback finds it by the same secret). Text only.
        secret = folder / "submission_secret.txt"
        if secret.is_file() and not secret.is_symlink() and secret.stat().st_size <= 1024:
            shutil.copyfile(secret, submitted / "submission_secret.txt")
        if task.extension:
            self._set_extension(assignment, student, task.extension)

        if self.next_kernel is not None:
            kernel_home, workdir, prestarted = self.next_kernel
            self.next_kernel = None
        else:
            (kernel_home, workdir), prestarted = self._kernel_home(), None
        # the next student's kernel boots (and loads numpy and rnnlib) while this
        # notebook runs, rather than in the moment between two tasks
        self.prestart()
        source_dir = self.course / "source" / assignment
        for rel, path in [*sub.files, *_plain_files(source_dir)]:
            target = workdir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            os.chmod(target, 0o644)
        for root, dirs, _ in os.walk(workdir):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)

        context = execute.Context(
            jail=setup["jail"], kernel_root=kernel_home, workdir=workdir,
            calibrate=task.kind == CALIBRATE, output_limit=setup["output_limit"],
            grace=setup["grace"], notes=list(sub.notes), prestarted=prestarted)
        execute.CONTEXT = context
        try:
            ok, log = self._autograde(assignment, student)
        finally:
            execute.CONTEXT = None
            shutil.rmtree(kernel_home, ignore_errors=True)
        notes = context.notes + _notes_from_log(log)
        if not ok:
            errors = [line[8:] for line in log if line.startswith("[ERROR]")]
            if not context.failure and any(_STUDENT_MADE.search(e) for e in errors):
                # nbgrader refused the notebook's cells: the student's doing
                return Result.of(task, UNGRADEABLE, errors[-1][:300], log=log, notes=notes,
                                 score=0.0, max_score=task.max_score)
            # anything else is the grader's (or the machine's) failure: not
            # recorded as finished, so the next run tries again
            reason = context.failure or (errors[-1][:300] if errors else "nbgrader failed")
            return Result.of(task, ERROR, reason, log=log, notes=notes)

        result = Result.of(task, GRADED, log=log, notes=notes, **self._grades(assignment, student))
        if task.kind == CALIBRATE:
            result.modes = dict(context.calibration)
            return result
        if task.manual:
            # the instructor's manual grades and comments, so that the feedback's
            # total is the gradebook's (the scores sent back stay the autograder's)
            self._set_manual(assignment, student, task.manual)
        if setup["feedback"]:
            feedback_ok, feedback_log = self._feedback(assignment, student)
            if not feedback_ok:
                result.notes.append("the feedback could not be written: "
                                       + " ".join(feedback_log[-2:])[:300])
        self._publish(assignment, student)
        return result

    # -- the private course ---------------------------------------------
    def _reset_course(self, assignment):
        from . import engines

        engines.reset()  # a fresh gradebook file: no connection or cache of the last one
        for name in ("submitted", "autograded", "feedback"):
            shutil.rmtree(self.course / name, ignore_errors=True)
        self.course.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.setup["template"], self.course / "gradebook.db")
        if assignment not in self.sources_ready:
            source = Path(self.setup["course"]) / self.setup["dirs"]["source"] / assignment
            target = self.course / "source" / assignment
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for rel, path in _plain_files(source):
                (target / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target / rel)
            self.sources_ready.add(assignment)

    def _gradebook(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.config.CourseDirectory.db_url, self.setup["course_id"])

    def _set_extension(self, assignment, student, seconds):
        with self._gradebook() as gb:
            gb.update_or_create_student(student)
            gb.update_or_create_submission(assignment, student,
                                           extension=_dt.timedelta(seconds=seconds))

    def _run_converter(self, cls, assignment, student, **traits):
        """Run nbgrader's converter ``cls`` for one student. Each converter is
        made once per worker and reused, as nbgrader reuses it for a class:
        the feedback's HTML templates, for one, are read only once."""
        capture = _Capture()
        self.log.addHandler(capture)
        ok = True
        try:
            app = self._converters.get(cls)
            if app is None:
                from nbgrader.coursedir import CourseDirectory
                from nbgrader.preprocessors import Execute

                from .execute import SafeExecute

                app = _reusing(cls)(coursedir=CourseDirectory(config=self.config), config=self.config)
                for key, value in traits.items():
                    setattr(app, key, value)
                if hasattr(app, "autograde_preprocessors"):
                    app.autograde_preprocessors = [SafeExecute if p is Execute else p
                                                   for p in app.autograde_preprocessors]
                self._converters[cls] = app
            app.coursedir.assignment_id = assignment
            app.coursedir.student_id = student
            app.start()
        except Exception as exc:  # nbgrader raises NbGraderException after logging
            ok = False
            capture.records.append(f"[ERROR] {exc}")
        finally:
            self.log.removeHandler(capture)
        return ok, capture.records

    def _autograde(self, assignment, student):
        from nbgrader.converters import Autograde

        return self._run_converter(Autograde, assignment, student, force=True, create_student=True)

    def _feedback(self, assignment, student):
        from nbgrader.converters import GenerateFeedback

        from . import feedback

        ok, log = self._run_converter(GenerateFeedback, assignment, student, force=True)
        folder = self.course / "feedback" / student / assignment
        if ok:
            try:
                feedback.finish(folder, self.setup.get("mathjax"))
            except Exception as exc:  # never publish a page that was not made safe
                shutil.rmtree(folder, ignore_errors=True)
                return False, [*log, f"[ERROR] {type(exc).__name__}: {exc}"]
        else:
            shutil.rmtree(folder, ignore_errors=True)
        return ok, log

    def _set_manual(self, assignment, student, manual):
        """``manual``: {notebook: {"grades": {cell: score}, "comments": {cell: text}}}."""
        with self._gradebook() as gb:
            submission = gb.find_submission(assignment, student)
            for snb in submission.notebooks:
                entry = manual.get(snb.name, {})
                for grade in snb.grades:
                    if grade.name in entry.get("grades", {}):
                        grade.manual_score = entry["grades"][grade.name]
                for comment in snb.comments:
                    if comment.name in entry.get("comments", {}):
                        comment.manual_comment = entry["comments"][comment.name]
            gb.db.commit()

    def _grades(self, assignment, student):
        with self._gradebook() as gb:
            submission = gb.find_submission(assignment, student)
            notebooks, score = {}, 0.0
            for snb in submission.notebooks:
                grades = {g.name: g.auto_score for g in snb.grades}
                score += sum(v for v in grades.values() if v is not None)
                notebooks[snb.name] = NotebookGrades(
                    grades=grades, comments={c.name: c.auto_comment for c in snb.comments},
                    late_penalty=snb.late_submission_penalty)
            timestamp = submission.timestamp.isoformat() if submission.timestamp else None
            return {"notebooks": notebooks, "timestamp": timestamp, "score": score,
                    "max_score": float(submission.max_score)}

    def _unpublish(self, assignment, student):
        """Remove what an earlier grading of this student left in the main course."""
        main = Path(self.setup["course"])
        for kind in ("autograded", "feedback"):
            shutil.rmtree(main / self.setup["dirs"][kind] / student / assignment, ignore_errors=True)

    def _publish(self, assignment, student):
        """Move the autograded notebooks and the feedback into the main course."""
        main = Path(self.setup["course"])
        for kind in ("autograded", "feedback"):
            source = self.course / kind / student / assignment
            target = main / self.setup["dirs"][kind] / student / assignment
            if not source.is_dir():
                if kind == "feedback":  # none this time: an older page would be stale
                    shutil.rmtree(target, ignore_errors=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            staging = target.parent / f".{assignment}.new-{uuid.uuid4().hex[:8]}"
            shutil.copytree(source, staging)
            old = target.parent / f".{assignment}.old-{uuid.uuid4().hex[:8]}"
            if target.exists():
                os.rename(target, old)
            os.rename(staging, target)
            shutil.rmtree(old, ignore_errors=True)


def _reusing(cls):
    """``cls`` (an nbgrader converter) whose exporter survives from one
    ``start()`` to the next: nbgrader makes a new one per start, which for
    the feedback means reading its HTML templates again for every student."""

    class Reusing(cls):
        _started = False

        def start(self):
            if not self._started:
                self._started = True
                return super().start()
            from nbconvert.writers import FilesWriter

            self.init_notebooks()
            self.writer = FilesWriter(parent=self, config=self.config)
            here = os.getcwd()
            os.chdir(self.coursedir.root)
            try:
                self.convert_notebooks()
            finally:
                os.chdir(here)

    Reusing.__name__ = Reusing.__qualname__ = cls.__name__
    return Reusing


def _plain_files(folder):
    """Files of a folder other than notebooks, as (relative path, path)."""
    from .intake import submitted_files

    if not Path(folder).is_dir():
        return []
    return [(rel, path) for rel, path in submitted_files(folder)
            if not rel.endswith(".ipynb") and rel != "timestamp.txt"]


_JSON_ERROR = re.compile(r"^(?P<file>.+?) is not a valid notebook: invalid JSON at line "
                         r"(?P<line>\d+), column \d+ \((?P<msg>[^)]*)\)")
_JSON_WORDS = {"Unterminated string starting at": "unterminated string",
               "Expecting value": "a value is missing",
               "Expecting ',' delimiter": "a ',' is missing",
               "Expecting property name enclosed in double quotes": "a name is missing"}


def explain(reason, folder):
    """The intake's reason, in words an instructor can act on: a notebook whose
    JSON breaks off on its last line was cut short (an upload or a save that
    did not finish)."""
    match = _JSON_ERROR.match(reason or "")
    if not match:
        return reason
    what = _JSON_WORDS.get(match["msg"], match["msg"].lower())
    try:
        lines = (Path(folder) / match["file"]).read_bytes().count(b"\n") + 1
    except OSError:
        return reason
    if int(match["line"]) >= lines - 1:
        return (f"{match['file']} looks truncated ({what} at line {match['line']}, its last "
                "line): the file ends in the middle of the notebook, as when an upload or a "
                f"save did not finish; ask the student for it again ({reason})")
    return (f"{match['file']} is damaged ({what} at line {match['line']} of {lines}): it was "
            f"probably edited by hand outside Jupyter ({reason})")


def _notes_from_log(lines):
    notes = []
    for line in lines:
        for pattern, text in _NBGRADER_NOTES:
            match = pattern.search(line)
            if match:
                note = text.format(match.group(1))
                if note not in notes:
                    notes.append(note)
    return notes
