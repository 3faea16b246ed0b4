"""``autograder grade``: plan a run, grade in parallel, merge, resume, report.

A run, for the assignments asked:

1. takes a lock on the course (a second run on the same course stops with
   a message instead of grading the same students twice);
2. optionally unpacks a learning-system zip (``collect.py``), showing every
   file it skipped and refusing archives that map two notebooks to one student;
3. reads the assignments from the main gradebook (they must have been
   generated with ``nbgrader generate_assignment``) and writes a template
   gradebook holding only them;
4. lists the students in ``submitted/`` and skips those already finished
   with the same files (``rnnlib_grading`` in the gradebook; ``force``
   grades everyone again);
5. *calibrates* each assignment once (cached until the assignment changes):
   the reference solution from ``source/`` is graded like a student, every
   test cell first in the checker; cells it passes only in the kernel run
   in the kernel for everyone. The reference must get full marks, or the
   assignment is not graded;
6. hands students to N worker processes (``worker.py``), or to the workers
   of a Dask cluster (``cluster.py``, ``--cluster``), and merges each
   result into the main gradebook as it arrives, in one transaction
   (``store.merge``), showing a progress bar; a student whose grading takes
   longer than ``student_timeout`` has its worker killed and replaced, and
   is recorded as ungradeable; a worker that crashes is replaced and its
   student tried once more;
7. writes grades.csv and the class report (``report.py``).

Killed at any moment (``kill -9``), a run leaves finished students
recorded and the others not; the workers and kernels die with it.
"""
from __future__ import annotations

import collections
import contextlib
import fcntl
import multiprocessing
import multiprocessing.connection
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import intake, sandbox, store
from .messages import CALIBRATE, ERROR, GRADE, GRADED, UNGRADEABLE, Result, Task
from . import settings as settings_mod


class GradingError(RuntimeError):
    """A run that cannot start (the message says why)."""


@dataclass
class Summary:
    """What a run did."""

    graded: int = 0
    ungradeable: int = 0
    errors: int = 0
    skipped: int = 0
    seconds: float = 0.0
    results: list = field(default_factory=list)   # the workers' Results, in arrival order
    warnings: list = field(default_factory=list)
    report: Path | None = None
    jail: str = ""
    collected: list = field(default_factory=list)  # what --zip did


@contextlib.contextmanager
def course_lock(course):
    path = Path(course) / ".rnnlib-grade.lock"
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise GradingError(f"another run is in progress: another `autograder grade` is running "
                           f"on this course ({holder or 'starting'}); wait for it to finish") from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"pid {os.getpid()}")
    handle.flush()
    try:
        yield
    finally:
        handle.close()


def _venv_on_path():
    """nbgrader runs ``alembic`` from PATH when it creates a gradebook."""
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def collect_zip(settings, assignment, zip_file):
    """Unpack a learning-system download into ``submitted/`` (``collect.py``:
    the file-name patterns of Canvas, Moodle, Blackboard, ``<id>_<notebook>``,
    or the course's ``c.FileNameCollectorPlugin.named_regexp``); return the
    lines to show (every file skipped, and why)."""
    from nbgrader.api import Gradebook, MissingEntry

    from . import collect

    with Gradebook(settings.db_url, settings.course_id) as gb:
        try:
            notebooks = [nb.name for nb in gb.find_assignment(assignment).notebooks]
        except MissingEntry:
            raise GradingError(f"the gradebook has no assignment {assignment!r}: run "
                               f"`nbgrader generate_assignment {assignment}` first") from None
    plugin = settings.config.get("FileNameCollectorPlugin", {})
    try:
        result = collect.collect(zip_file, settings.course / settings.dirs["submitted"], assignment,
                                 notebooks, fmt=settings.options.zip_format,
                                 regexp=plugin.get("named_regexp") or None, roll=class_roll(settings),
                                 max_bytes=settings.options.max_notebook_mb * 2_000_000)
    except (collect.CollectError, OSError, ValueError) as exc:
        raise GradingError(f"--zip {zip_file}: {exc}") from None
    return result.lines()


def class_roll(settings):
    """The student ids of ``c.RnnlibGrader.roll`` (a file in the course), or None."""
    if not settings.options.roll:
        return None
    from . import collect

    path = settings.course / settings.options.roll
    if not path.is_file():
        raise GradingError(f"the class roll {path} does not exist (c.RnnlibGrader.roll)")
    return set(collect.read_roll(path))


def _students(settings, assignment, only=None):
    submitted = settings.course / settings.dirs["submitted"]
    if not submitted.is_dir():
        return []
    # symbolic links are listed (without being followed): intake refuses them with the reason
    found = sorted(p.name for p in submitted.iterdir() if not p.name.startswith(".") and (
        p.is_symlink() or (p / assignment).is_symlink() or (p / assignment).is_dir()))
    return [s for s in found if only is None or s in only]


def _remove_stale_run_dirs():
    """Working folders left by runs that were killed (their process is gone)."""
    for folder in Path(tempfile.gettempdir()).glob("rnnlib-grade-*"):
        try:
            pid = int((folder / "pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue


def _locked_sources(settings, assignment, notebook):
    """``{grade id: source}`` of the locked cells of the released notebook
    (to tell students' edits apart from nbgrader's hidden-test removal)."""
    import nbformat

    path = settings.course / settings.dirs["release"] / assignment / f"{notebook}.ipynb"
    if not path.is_file():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("locked") and c.metadata["nbgrader"].get("grade_id")}


def _make_jail(settings, run_dir):
    o = settings.options
    limits = sandbox.Limits(memory_mb=o.memory_mb, cpu_seconds=o.cpu_seconds,
                            processes=o.processes, file_size_mb=o.file_size_mb, tmp_mb=o.tmp_mb)
    hide = [str(settings.course), str(run_dir / "private"), *o.hide_paths]
    if settings.db_url.startswith("sqlite:///"):
        hide.append(str(Path(settings.db_url[len("sqlite:///"):]).parent))
    hide += store.server_socket_folders(settings.db_url)
    tree = sandbox.source_tree_of_rnnlib()
    if tree:
        hide.append(tree)
    return sandbox.make_jail(limits, use_bwrap=o.sandbox, hide=hide, expose=list(o.expose_paths),
                             seccomp=o.seccomp, own_user=o.own_user, workdir=run_dir / "kernels")


class _Slot:
    """One worker process and the task it is working on."""

    def __init__(self, index, setup, ctx):
        self.index, self.setup, self.ctx = index, setup, ctx
        self.task = None
        self.started = 0.0
        self.start()

    def start(self):
        from . import worker

        parent, child = self.ctx.Pipe()
        self.process = self.ctx.Process(target=worker.main, args=(self.index, child, self.setup),
                                        daemon=True, name=f"rnnlib-grade-worker-{self.index}")
        self.process.start()
        child.close()
        self.conn = parent

    def give(self, task):
        self.task, self.started = task, time.monotonic()
        self.conn.send(task)

    def kill(self):
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(10)
        self.conn.close()

    def stop(self):
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(10)
        if self.process.is_alive():
            self.kill()


def grade(course=".", assignments=(), *, workers=None, force=False, students=None,
          zip_file=None, feedback=None, report=True, out=None, db_url=None, cell_timeout=None,
          progress=None, options=None, merge_hook=None):
    """Grade ``assignments`` of the course in ``course``; return a :class:`Summary`.

    ``options`` are RnnlibGrader options (overriding nbgrader_config.py);
    the other arguments are the command's flags. ``merge_hook(result)`` is
    called after each merge (the tests use it).
    """
    started = time.monotonic()
    options = dict(options or {})
    if feedback is not None:
        options["feedback"] = bool(feedback)
    settings = settings_mod.resolve(course, options, db_url=db_url, workers=workers,
                                    cell_timeout=cell_timeout)
    assignments = list(assignments)
    if not assignments:
        raise GradingError("name the assignment(s) to grade")
    _venv_on_path()
    summary = Summary()
    client = None
    if settings.options.cluster:  # before anything is written: an unreachable one changes nothing
        from . import cluster

        client = cluster.connect(settings.options.cluster, settings.options.cluster_timeout)
    with contextlib.ExitStack() as stack:
        if client is not None:
            stack.callback(client.close)
        _grade_locked(settings, assignments, summary, client, force=force, students=students,
                      zip_file=zip_file, report=report, out=out, progress=progress,
                      merge_hook=merge_hook)
    summary.seconds = time.monotonic() - started
    return summary


def _grade_locked(settings, assignments, summary, client, *, force, students, zip_file, report,
                  out, progress, merge_hook):
    with course_lock(settings.course):
        if zip_file is not None:
            if len(assignments) != 1:
                raise GradingError("--zip takes exactly one assignment")
            lines = collect_zip(settings, assignments[0], zip_file)
            summary.collected = lines[:1]
            summary.warnings.extend(lines[1:])
        engine = store.make_engine(settings.db_url)
        store.prepare(engine)
        _remove_stale_run_dirs()
        run_dir = Path(tempfile.mkdtemp(prefix="rnnlib-grade-"))
        (run_dir / "pid").write_text(str(os.getpid()))
        try:
            _run(settings, engine, assignments, run_dir, summary, force=force,
                 only=set(students) if students else None, progress=progress, merge_hook=merge_hook,
                 log_dir=(Path(out) if out else settings.course / "reports") / "logs",
                 client=client)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)
        if report:
            from . import report as report_mod

            summary.report = report_mod.write(settings, engine, assignments,
                                              Path(out) if out else None, jail=summary.jail,
                                              warnings=summary.warnings)
        engine.dispose()


def _plan(settings, engine, assignments, run_dir, force, only):
    from nbgrader.api import Gradebook, MissingEntry

    layouts, signatures, plan, calibrate, modes, warnings = {}, {}, [], [], {}, []
    template = run_dir / "template.db"
    with Gradebook(settings.db_url, settings.course_id) as gb:
        for a in assignments:
            try:
                layouts[a] = store.assignment_layout(gb, a)
            except MissingEntry:
                raise GradingError(f"the gradebook has no assignment {a!r}: run "
                                   f"`nbgrader generate_assignment {a}` first") from None
            signatures[a] = store.assignment_signature(gb, a)
            for nb, entry in layouts[a].items():
                entry["locked"] = _locked_sources(settings, a, nb)
                entry["released"] = intake.released_metadata(
                    settings.course / settings.dirs["release"] / a / f"{nb}.ipynb")
        ext = {a: store.extensions(gb, a) for a in assignments}
        manual = {a: store.manual_grades(gb, a) for a in assignments}
        store.build_template(gb, "sqlite:///" + str(template), settings.course_id, assignments)
    for a in assignments:
        done = store.statuses(engine, a)
        for student in _students(settings, a, only):
            folder = settings.course / settings.dirs["submitted"] / student / a
            fp = intake.fingerprint(folder, extra=signatures[a])
            row = done.get(student)
            if not force and row is not None and row["status"] in store.FINISHED \
                    and row["fingerprint"] == fp:
                continue
            plan.append(Task(GRADE, a, student, layouts[a], fingerprint=fp,
                             extension=ext[a].get(student), manual=manual[a].get(student)))
        # Every test cell runs in the grader: an assignment is graded only after
        # its reference solution has scored fully that way (cached per version).
        cached = store.cached_modes(engine, a, signatures[a])
        source = settings.course / settings.dirs["source"] / a
        if cached is not None and not force and _all_in_grader(cached):
            modes[a] = cached
        elif all((source / f"{nb}.ipynb").is_file() for nb in layouts[a]):
            calibrate.append(Task(CALIBRATE, a, "_reference_", layouts[a],
                                  fingerprint=signatures[a]))
        else:
            warnings.append(f"{a}: no reference solution in {source}; the assignment was not "
                            "graded (the grader checks that every test cell runs in its own "
                            "process on the reference first)")
    return plan, calibrate, modes, template, warnings


def _run(settings, engine, assignments, run_dir, summary, force, only, progress, merge_hook,
         log_dir, client=None):
    os.chmod(run_dir, 0o711)
    (run_dir / "private").mkdir(mode=0o700)
    (run_dir / "kernels").mkdir(mode=0o711)
    plan, calibrate, modes, template, warnings = _plan(settings, engine, assignments, run_dir,
                                                       force, only)
    summary.warnings.extend(warnings)
    everyone = {a: len(_students(settings, a, only)) for a in assignments}
    summary.skipped = sum(everyone.values()) - len(plan)
    if client is not None:
        from . import cluster

        # the cluster's workers make their own jail, with these limits
        cluster.describe_jails(client, settings, summary)
        if not plan:
            return
        jail = None
    else:
        jail = _make_jail(settings, run_dir)
        summary.jail = jail.describe()
        if not jail.bwrap:
            summary.warnings.append(f"kernels run without bubblewrap: {jail.bwrap_problem}")
        if not plan:
            return

    setup = {
        "parent_pid": os.getpid(), "course": str(settings.course), "course_id": settings.course_id,
        "dirs": settings.dirs, "run_dir": str(run_dir), "template": str(template), "jail": jail,
        "cell_timeout": settings.cell_timeout, "output_limit": settings.options.output_limit,
        "grace": settings.options.interrupt_grace, "feedback": settings.options.feedback,
        "max_notebook_bytes": settings.options.max_notebook_mb * 1_000_000,
        "mathjax": _mathjax_dir(settings, summary),
    }
    pending = collections.deque(t for t in plan if t.assignment in modes)
    waiting = {a: collections.deque(t for t in plan if t.assignment == a)
               for a in assignments if a not in modes}
    queue = collections.deque(calibrate)
    if client is not None:
        finish, bar = _finisher(settings, engine, modes, waiting, pending, summary, progress,
                                merge_hook, log_dir, len(plan))
        from . import cluster

        try:
            cluster.run(client, settings, template, queue, pending, finish, setup["mathjax"])
        finally:
            bar.close()
        return
    n = max(1, min(settings.workers, len(plan) + len(calibrate)))
    # Spawned, not forked: a worker starts from a fresh interpreter, so nothing the
    # calling process holds (TensorFlow's runtime, threads, open connections) is
    # copied into it half-alive (forking a process that imported TensorFlow aborts).
    ctx = multiprocessing.get_context("spawn")
    slots = [_Slot(i, setup, ctx) for i in range(n)]
    crashes = collections.Counter()
    finish, bar = _finisher(settings, engine, modes, waiting, pending, summary, progress,
                            merge_hook, log_dir, len(plan))

    def assign(slot):
        if queue:
            slot.give(queue.popleft())
        elif pending:
            task = pending.popleft()
            slot.give(task)

    try:
        for slot in slots:
            assign(slot)
        while any(slot.task is not None for slot in slots):
            busy = [s for s in slots if s.task is not None]
            ready = multiprocessing.connection.wait(
                [s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=1.0)
            for slot in busy:
                result = None
                if slot.conn in ready or slot.process.sentinel in ready:
                    try:
                        if slot.conn.poll():
                            result = slot.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is None and not slot.process.is_alive():
                        result = _crashed(slot, crashes, queue, pending)
                        slot.kill()
                        slot.start()
                elif time.monotonic() - slot.started > settings.options.student_timeout:
                    slot.kill()
                    result = _lost(slot.task, f"grading took longer than "
                                   f"{settings.options.student_timeout} s; it was stopped")
                    slot.start()
                if result is not None:
                    slot.task = None
                    if result is not _RETRIED:
                        finish(result)
                    assign(slot)
            for slot in slots:
                if slot.task is None:
                    assign(slot)
    finally:
        bar.close()
        for slot in slots:
            slot.stop()


def _finisher(settings, engine, modes, waiting, pending, summary, progress, merge_hook, log_dir,
              total):
    """``(finish, bar)``: ``finish(result)`` records a result (the one writer:
    a calibration, or a student merged into the gradebook), shown on ``bar``."""
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    bar = tqdm(total=total, unit="student", desc="grading", dynamic_ncols=True,
               disable=None if progress is None else not progress, file=sys.stderr)
    failed = 0

    def finish(result):
        nonlocal failed
        summary.results.append(result)
        if result.kind == CALIBRATE:
            _calibrated(result, engine, modes, waiting, pending, summary, bar)
            return
        store.merge(engine, result)
        if merge_hook is not None:
            merge_hook(result)
        status = result.status
        if status != GRADED:  # why, and nbgrader's messages, for the instructor
            path = log_dir / result.assignment / f"{result.student}.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join([f"{status}: {result.reason}",
                                       *(f"note: {n}" for n in result.notes),
                                       *result.log]) + "\n", encoding="utf-8")
        summary.graded += status == GRADED
        summary.ungradeable += status == UNGRADEABLE
        summary.errors += status == ERROR
        failed += status != GRADED
        bar.set_postfix_str(f"{failed} not graded", refresh=False)
        bar.update(1)

    return finish, bar


def _mathjax_dir(settings, summary):
    """The MathJax copied next to the feedback pages (None: the pages will
    show raw TeX offline, and the run warns)."""
    if not settings.options.feedback:
        return None
    from . import feedback

    folder = Path(settings.options.mathjax_dir or feedback.default_mathjax_dir())
    if feedback.mathjax_available(folder):
        return str(folder)
    summary.warnings.append(f"no MathJax in {folder} (run `make` in the repository, or set "
                            "c.RnnlibGrader.mathjax_dir): the feedback's math shows as TeX")
    return None


#: What :func:`_crashed` returns for a task it put back in the queue.
_RETRIED = object()


def _lost(task, reason, status=UNGRADEABLE):
    return Result.of(task, status, reason, score=0.0 if status == UNGRADEABLE else None,
                     max_score=task.max_score)


def _crashed(slot, crashes, queue, pending):
    """A worker died under a task: try the task once more, then give up."""
    task = slot.task
    key = (task.assignment, task.student)
    crashes[key] += 1
    if crashes[key] < 2:
        (queue if task.kind == CALIBRATE else pending).appendleft(task)
        return _RETRIED
    return _lost(task, "the grading process crashed twice on this submission", status=ERROR)


def _all_in_grader(modes):
    return isinstance(modes, dict) and all(mode == "checker" for mode in modes.values())


def _calibrated(result, engine, modes, waiting, pending, summary, bar):
    a = result.assignment
    students = waiting.pop(a, collections.deque())
    if result.status != GRADED:
        summary.warnings.append(f"{a}: the reference solution could not be graded "
                                f"({result.reason}); the assignment was not graded")
        bar.total -= len(students)
        bar.refresh()
        return
    found = result.modes
    if not _all_in_grader(found):
        failing = [f"{cell} ({why})" for cell, why in sorted(found.items()) if why != "checker"]
        summary.warnings.append(f"{a}: test cells that cannot run in the grader's process: "
                                f"{'; '.join(failing)}; the assignment was not graded")
        bar.total -= len(students)
        bar.refresh()
        return
    if result.score != result.max_score:
        lost = [f"{cell} ({score})" for nb in result.notebooks.values()
                for cell, score in nb.grades.items() if score is not None]
        summary.warnings.append(
            f"{a}: the reference solution scores {result.score} of {result.max_score} "
            f"through the grader; the assignment was not graded (cells: {', '.join(lost)})")
        bar.total -= len(students)
        bar.refresh()
        return
    store.save_modes(engine, a, result.fingerprint, found)
    modes[a] = found
    pending.extend(students)
