"""Grading on a Dask cluster: ``autograder grade A --cluster tcp://HOST:8786``.

The client (``autograder grade``, on the machine that holds the course and
reaches the gradebook) plans the run as on one machine (``pipeline.py``),
then sends one Dask task per (student, assignment) to the scheduler:

* the task carries the submission's bytes (its regular files, each at most
  ``max_notebook_mb``; a submission the intake refuses on the client, a
  symbolic link or a notebook over the limit, is recorded at once and
  never sent) and a reference to the assignment's *bundle*;
* the bundle (the assignment's source folder and the template gradebook,
  compressed, the course's nbgrader configuration without its database URL,
  the limits) is
  one Dask task of its own, so each worker fetches it once and keeps it,
  and the scheduler can make it again if every copy is lost;
* on a worker, :func:`grade_task` lays the bundle out once per process in a
  private folder and grades with the very code of one machine: a grading
  child process (``worker.py``, started afresh with ``python -c``) per
  Dask thread, the jail made on that worker (``sandbox.py``) with the
  course's limits, the same ``student_timeout`` (the child is killed and
  the student recorded as ungradeable) and the same retry of a child that
  crashed;
* the result comes back as data (a :class:`~.messages.Result`, with the
  autograded notebooks and the feedback pages as bytes in ``files``), and
  the client, the one writer, stores the files in the course and merges the
  grades into the gradebook (SQLite or PostgreSQL) in one transaction per
  student, as on one machine; a killed client therefore resumes the same way.

Faults. A worker that is lost (its machine, ``kill -9``) has its tasks run
again elsewhere by the scheduler. A submission whose grading kills the
worker each time reaches the scheduler's ``allowed-failures`` and fails with
Dask's ``KilledWorker``. Dask blames every task the dying worker held, so
the client sends a task that failed so once more, under a new key; a second
``KilledWorker`` records the student as ungradeable, with that reason, and
the rest of the class goes on. A scheduler that cannot be reached, or has no
worker, stops the run before anything is written (:func:`connect`); one left
without workers for ``cluster_timeout`` seconds mid-run stops it with the
students graded so far recorded. A worker whose grader (a hash of
``autograder/`` and ``rnnlib/grading.py``) differs from the client's refuses
to grade, with the reason.

One engine or two? A Dask ``LocalCluster`` could replace the process pool of
``pipeline.py`` on one machine, but it would not remove a single line of
it: Dask runs a task in a thread of its worker process and cannot stop that
thread at a deadline. The only way Dask stops a stuck task is to restart the
whole worker, which the scheduler counts as a failure and retries (a
notebook that needs longer than ``student_timeout`` would then cost four
timeouts and end as ``KilledWorker``, instead of one timeout and the reason).
So a Dask worker, here too, grades in a child process it can kill at the
deadline: a ``LocalCluster`` is the pool plus a scheduler, a nanny and a
worker process per slot. Measured on this 2-core machine, shared with other
work (``make bench``, ``benchmarks/results/scaling.json``: 200 notebooks of
assignment 1 with feedback, the pool at ``-j 2`` against a ``LocalCluster``
of two single-threaded workers, in one run, load average 5 to 8): the same
scores for every student, the same grading time per notebook (264 s and
268 s in all), and a wall time of 137.6 s for the pool against 151.2 s for
Dask (+9.9%, above the 5% aimed at): 57 against 174 ms per task of time the
slots were not grading, of which a bare Dask round trip is 3 ms (the rest
was not measured apart: presumably Dask's start, that is connecting,
probing each worker's jail, laying the bundle out and starting the grading
children, and the client writing each student's files into the course,
which the pool's workers do in parallel). One machine therefore keeps the pool: it is faster, opens no port,
and its workers die with the run. Dask is used where it brings what the pool
cannot, many machines.

Nothing from a student's kernel decides what the client does: a worker's
grading child sends a :class:`~.messages.Result` made by the grader (as on
one machine); the kernel's own messages are data checked by ``wire.py``.
The workers and the scheduler are the instructor's: anyone who can reach the
scheduler can run code on the workers, so keep its port on a private network
(``instructor/cluster.md``).
"""
from __future__ import annotations

import collections
import contextlib
import copy
import hashlib
import multiprocessing.connection
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from pathlib import Path

from . import intake, store
from .messages import CALIBRATE, ERROR, GRADE, GRADED, UNGRADEABLE, Result

#: The folders of the course a worker's private copy uses.
DIRS = {name: name for name in ("source", "release", "submitted", "autograded", "feedback")}


def _grading_error(message):
    from .pipeline import GradingError

    return GradingError(message)


# --------------------------------------------------------------------------
# The client
# --------------------------------------------------------------------------

def connect(address, timeout=30):
    """A ``distributed.Client`` of the scheduler at ``address``, with at
    least one worker; a :class:`~.pipeline.GradingError` saying why not."""
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - the lock installs it
        raise _grading_error("--cluster needs Dask's `distributed` package (requirements.lock)") \
            from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise _grading_error(
            f"cannot reach the Dask scheduler at {address} ({type(exc).__name__}: {exc}); "
            f"start it there with `dask scheduler` (instructor/cluster.md), or grade on this "
            f"machine without --cluster. Nothing was graded; the gradebook is unchanged") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        client.close()
        raise _grading_error(
            f"the Dask scheduler at {address} has no worker ({type(exc).__name__} after "
            f"{timeout} s): start `dask worker {address}` on the grading machines. Nothing was "
            "graded; the gradebook is unchanged") from None
    return client


def grader_fingerprint():
    """A hash of the grader's code: every worker must run the same."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(store.GRADER_VERSION.encode())
    files = sorted(here.glob("*.py")) + [here.parent / "rnnlib" / "grading.py"]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def make_bundle(settings, template, assignments):
    """What every worker needs once: the assignments' source folders, the
    template gradebook, the configuration (without the gradebook's URL, which
    may hold a password) and the options."""
    from traitlets.config import Config

    config = Config(copy.deepcopy(settings.config))
    for section in ("CourseDirectory", "RnnlibGrader"):
        if section in config:
            config[section].pop("db_url", None)
    sources = {}
    for a in assignments:
        folder = settings.course / settings.dirs["source"] / a
        sources[a] = {rel: zlib.compress(path.read_bytes())
                      for rel, path in intake.submitted_files(folder)}
    o = settings.options
    bundle = {
        "grader": grader_fingerprint(), "course_id": settings.course_id, "config": config,
        "template": zlib.compress(Path(template).read_bytes()), "sources": sources,
        "limits": dict(memory_mb=o.memory_mb, cpu_seconds=o.cpu_seconds, processes=o.processes,
                       file_size_mb=o.file_size_mb, tmp_mb=o.tmp_mb),
        "sandbox": o.sandbox, "seccomp": o.seccomp, "own_user": o.own_user,
        "hide_paths": list(o.hide_paths), "expose_paths": list(o.expose_paths),
        "cell_timeout": settings.cell_timeout, "output_limit": o.output_limit,
        "grace": o.interrupt_grace, "feedback": o.feedback,
        "max_notebook_bytes": o.max_notebook_mb * 1_000_000,
        "student_timeout": o.student_timeout,
    }
    digest = hashlib.sha256(repr(sorted((k, v) for k, v in bundle.items()
                                        if k not in ("template", "sources", "config"))).encode())
    digest.update(bundle["template"])
    for a in sorted(sources):
        for rel in sorted(sources[a]):
            digest.update(f"{a}/{rel}".encode() + b"\0" + sources[a][rel])
    digest.update(repr(sorted(config.items(), key=lambda kv: kv[0])).encode())
    bundle["id"] = digest.hexdigest()[:16]
    return bundle


def payload(settings, task):
    """``(files, None)``: the submission's bytes to send, or ``(None, result)``
    when the intake refuses it here (nothing is sent)."""
    if task.kind == CALIBRATE:
        return {}, None
    folder = settings.course / settings.dirs["submitted"] / task.student / task.assignment
    limit = settings.options.max_notebook_mb * 1_000_000
    files = intake.submitted_files(folder)
    large = [(rel, path) for rel, path in files if path.stat().st_size > limit]
    if intake.symbolic_links(folder) or large:
        sub = intake.inspect_submission(folder, task.layout, max_bytes=limit)
        if sub.status != "ok":
            from .worker import explain

            return None, Result.of(task, UNGRADEABLE, explain(sub.reason, folder), score=0.0,
                                   max_score=task.max_score)
        if any(not rel.endswith(".ipynb") for rel, _ in large):
            rel = next(rel for rel, _ in large if not rel.endswith(".ipynb"))
            return None, Result.of(
                task, UNGRADEABLE, f"{rel} is larger than the limit of {limit / 1e6:.0f} MB "
                "that a submission's file may have to be sent to the cluster",
                score=0.0, max_score=task.max_score)
        files = [(rel, path) for rel, path in files if (rel, path) not in large]  # unused notebooks
    return {rel: path.read_bytes() for rel, path in files}, None


def describe_jails(client, settings, summary):
    """``summary.jail``: the jail the cluster's workers make (each probes its
    own bubblewrap), and a warning for each worker without it."""
    o = settings.options
    limits = dict(memory_mb=o.memory_mb, cpu_seconds=o.cpu_seconds, processes=o.processes,
                  file_size_mb=o.file_size_mb, tmp_mb=o.tmp_mb)
    try:
        found = client.run(probe_jail, limits, o.sandbox, o.seccomp, o.own_user)
    except Exception as exc:  # a worker that cannot make the jail
        raise _grading_error(f"a worker of the cluster cannot make the jail: {exc}") from None
    texts = sorted(set(found.values()))
    summary.jail = f"on {len(found)} Dask worker(s) at {settings.options.cluster}: " + \
        " | ".join(texts)
    for address, text in sorted(found.items()):
        if "NO bubblewrap" in text:
            summary.warnings.append(f"worker {address}: kernels run without bubblewrap")


def probe_jail(limits, use_bwrap, seccomp, own_user):
    """Run on each worker by :func:`describe_jails`."""
    from . import sandbox

    return sandbox.make_jail(sandbox.Limits(**limits), use_bwrap=use_bwrap, seccomp=seccomp,
                             own_user=own_user).describe()


def run(client, settings, template, queue, pending, finish, mathjax):
    """Grade ``queue`` (calibrations) and then ``pending`` on the cluster;
    ``finish(result)`` records each result (it may move students into
    ``pending``: those of an assignment whose calibration arrived)."""
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError, _wait

    # an assignment not calibrated yet has its calibration in the queue (its
    # students wait in the pipeline until ``finish`` gets it)
    bundle = make_bundle(settings, template, sorted({t.assignment for t in [*queue, *pending]}))
    # the bundle is a task of its own: each worker fetches its result once, and
    # the scheduler can compute it again if all the workers holding it are lost
    bundle_future = client.submit(_identity, bundle, key=f"rnnlib-bundle-{bundle['id']}-"
                                  f"{uuid.uuid4().hex[:8]}", pure=False)
    # keys of one task group, so that the scheduler queues them (it sends a
    # worker only what its threads can start: fewer bystanders when one dies)
    group = f"rnnlib-grade-{uuid.uuid4().hex[:8]}"
    tasks = {}  # key -> (task, future)
    killed = collections.Counter()  # KilledWorker per student
    last_count, window, number = 0.0, 8, 0

    def capacity():
        nonlocal last_count, window
        if time.monotonic() - last_count > 5:
            last_count = time.monotonic()
            with contextlib.suppress(Exception):
                window = max(4, 3 * sum(client.nthreads().values()))
        return window

    def fill():
        batch = []
        while len(tasks) + len(batch) < capacity() and (queue or pending):
            task = queue.popleft() if queue else pending.popleft()
            files, refused = payload(settings, task)
            if refused is not None:
                _record(settings, refused, finish, mathjax)
            else:
                batch.append((task, files))
        if not batch:
            return
        nonlocal number
        keys = [(group, number + i) for i in range(len(batch))]
        number += len(batch)
        futures = client.map(grade_task, [bundle_future] * len(batch),
                             [task for task, _ in batch], [files for _, files in batch],
                             key=keys, pure=False)
        for (task, _), future in zip(batch, futures):
            tasks[future.key] = (task, future)

    def next_done():
        """A finished future; a GradingError when the cluster has had no worker
        for ``cluster_timeout`` seconds (the run stops instead of waiting forever)."""
        alone_since = None
        while True:
            try:
                finished, _ = client.sync(_wait, [f for _, f in tasks.values()], timeout=10,
                                          return_when="FIRST_COMPLETED")
                return next(iter(finished))
            except TimeoutError:
                pass
            if client.nthreads():
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > settings.options.cluster_timeout:
                raise _grading_error(
                    f"the Dask scheduler at {settings.options.cluster} has had no worker for "
                    f"{settings.options.cluster_timeout} s; the students already graded are "
                    "recorded: start workers and run again to grade the rest")

    try:
        fill()
        while tasks:
            future = next_done()
            task, _ = tasks.pop(future.key)
            try:
                result = future.result()
            except FutureCancelledError:
                result = Result.of(task, ERROR, "the cluster cancelled this task")
            except KilledWorker as exc:
                # Dask blames every task a dying worker held: a bystander gets
                # one more chance, under a new key, before it is given up
                killed[task.kind, task.assignment, task.student] += 1
                if killed[task.kind, task.assignment, task.student] < 2:
                    (queue if task.kind == CALIBRATE else pending).appendleft(task)
                    result = None
                else:
                    result = _failed(task, exc)
            except Exception as exc:  # the grader failed on the worker
                result = _failed(task, exc)
            finally:
                future.release()
            if result is not None:
                _record(settings, result, finish, mathjax)
            fill()
    finally:
        with contextlib.suppress(Exception):
            client.cancel([future for _, future in tasks.values()])
        bundle_future.release()


def _identity(value):
    return value


def _failed(task, exc):
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):
        status = UNGRADEABLE if task.kind == GRADE else ERROR
        return Result.of(task, status, "grading this submission killed the cluster's worker "
                         f"each time it was tried (Dask's KilledWorker: {exc})",
                         score=0.0 if status == UNGRADEABLE else None, max_score=task.max_score)
    return Result.of(task, ERROR, f"the cluster failed: {type(exc).__name__}: {str(exc)[:500]}")


def _record(settings, result, finish, mathjax):
    """Store a result's files in the course, then hand it to ``finish``."""
    if result.kind == GRADE:
        publish(settings, result, mathjax)
    result.files = {}
    finish(result)


def publish(settings, result, mathjax):
    """As ``Worker._publish`` and ``_unpublish`` do on one machine: the
    autograded notebooks and the feedback of a graded student replace the old
    ones; an ungradeable student's are removed; after a grader error the old
    ones stay."""
    from . import feedback

    if result.status == ERROR:
        return
    course = settings.course
    for kind in ("autograded", "feedback"):
        target = course / settings.dirs[kind] / result.student / result.assignment
        prefix = kind + "/"
        files = {rel[len(prefix):]: data for rel, data in result.files.items()
                 if rel.startswith(prefix)}
        if result.status != GRADED or not files:
            if result.status != GRADED or kind == "feedback":
                shutil.rmtree(target, ignore_errors=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.parent / f".{result.assignment}.new-{uuid.uuid4().hex[:8]}"
        for rel, data in files.items():
            path = (staging / rel).resolve()
            if not path.is_relative_to(staging.resolve()):
                raise ValueError(f"a worker sent a file outside the student's folder: {rel!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if kind == "feedback" and feedback.mathjax_available(mathjax) and \
                any(rel.endswith(".html") for rel in files):
            feedback.copy_mathjax(mathjax, staging / "mathjax")
        old = target.parent / f".{result.assignment}.old-{uuid.uuid4().hex[:8]}"
        if target.exists():
            os.rename(target, old)
        os.rename(staging, target)
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------
# A worker
# --------------------------------------------------------------------------

_sites: dict = {}
_sites_lock = threading.Lock()
_fingerprint = None


def grade_task(bundle, task, files):
    """The Dask task: grade one student on this worker; return a Result
    (never raises: a failure of the grader comes back as an ERROR result)."""
    import traceback

    try:
        return _grade_task(bundle, task, files)
    except Exception:
        return Result.of(task, ERROR, f"the grader failed on the Dask worker "
                         f"{socket.gethostname()}: " + traceback.format_exc()[-3000:])


def _grade_task(bundle, task, files):
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = grader_fingerprint()
    if bundle["grader"] != _fingerprint:
        return Result.of(task, ERROR, "this Dask worker runs another version of the grader "
                         "than the client: install the same commit of the course on every "
                         f"grading machine (worker {socket.gethostname()})")
    with _sites_lock:
        site = _sites.get(bundle["id"])
        if site is None:
            for old in list(_sites):  # one bundle at a time: a new run replaces the last
                _sites.pop(old).close()
            site = _sites[bundle["id"]] = _Site(bundle)
    return site.grade(task, files)


class _Site:
    """A worker process's copy of one bundle: a private course, the jail,
    and one grading child per Dask thread."""

    def __init__(self, bundle):
        from . import sandbox
        from .pipeline import _remove_stale_run_dirs, _venv_on_path

        _venv_on_path()
        _remove_stale_run_dirs()
        self.bundle = bundle
        self.run_dir = Path(tempfile.mkdtemp(prefix="rnnlib-grade-"))
        (self.run_dir / "pid").write_text(str(os.getpid()))
        os.chmod(self.run_dir, 0o711)
        private = self.run_dir / "private"
        private.mkdir(mode=0o700)
        (self.run_dir / "kernels").mkdir(mode=0o711)
        self.course = private / "course"
        for a, files in bundle["sources"].items():
            for rel, data in files.items():
                path = self.course / DIRS["source"] / a / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(zlib.decompress(data))
        (self.course / DIRS["submitted"]).mkdir(parents=True, exist_ok=True)
        template = private / "template.db"
        template.write_bytes(zlib.decompress(bundle["template"]))
        hide = [str(self.course), str(private), *bundle["hide_paths"],
                *store.server_socket_folders("postgresql://")]
        tree = sandbox.source_tree_of_rnnlib()
        if tree:
            hide.append(tree)
        jail = sandbox.make_jail(sandbox.Limits(**bundle["limits"]), use_bwrap=bundle["sandbox"],
                                 hide=hide, expose=bundle["expose_paths"],
                                 seccomp=bundle["seccomp"], own_user=bundle["own_user"],
                                 workdir=self.run_dir / "kernels")
        self.setup = {
            "parent_pid": os.getpid(), "course": str(self.course),
            "course_id": bundle["course_id"], "dirs": DIRS, "run_dir": str(self.run_dir),
            "template": str(template), "jail": jail, "config": bundle["config"],
            "cell_timeout": bundle["cell_timeout"], "output_limit": bundle["output_limit"],
            "grace": bundle["grace"], "feedback": bundle["feedback"],
            "max_notebook_bytes": bundle["max_notebook_bytes"], "mathjax": None,
        }
        self.idle, self.count, self.lock = [], 0, threading.Lock()

    def close(self):
        with self.lock:
            for child in self.idle:
                child.stop()
            self.idle = []
        shutil.rmtree(self.run_dir, ignore_errors=True)

    def _child(self):
        with self.lock:
            if self.idle:
                return self.idle.pop()
            self.count += 1
            index = self.count
        return _Child(index, self.setup)

    def grade(self, task, files):
        student, a = task.student, task.assignment
        submitted = self.course / DIRS["submitted"] / student / a
        if task.kind == GRADE:
            shutil.rmtree(submitted, ignore_errors=True)
            submitted.mkdir(parents=True)
            for rel, data in files.items():
                path = (submitted / rel).resolve()
                if not path.is_relative_to(submitted.resolve()):
                    return Result.of(task, ERROR, f"the client sent a file outside the "
                                     f"submission: {rel!r}")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        child = self._child()
        try:
            result = self._run(child, task)
        finally:
            with self.lock:
                self.idle.append(child)
        if task.kind == GRADE:
            result.files = self._collect(student, a)
            shutil.rmtree(submitted, ignore_errors=True)
        return result

    def _run(self, child, task):
        """As ``pipeline._run`` treats a worker: a timeout stops the child
        (the student is ungradeable); a crash is tried once more."""
        timeout = self.bundle["student_timeout"]
        for attempt in range(2):
            child.give(task)
            result = child.wait(timeout)
            if result is _Child.TIMEOUT:
                child.restart()
                return Result.of(task, UNGRADEABLE, f"grading took longer than {timeout} s; it "
                                 "was stopped", score=0.0, max_score=task.max_score)
            if result is not _Child.CRASHED:
                return result
            child.restart()
        return Result.of(task, ERROR, "the grading process crashed twice on this submission")

    def _collect(self, student, assignment):
        files = {}
        for kind in ("autograded", "feedback"):
            folder = self.course / DIRS[kind] / student / assignment
            if not folder.is_dir():
                continue
            for path in sorted(folder.rglob("*")):
                rel = path.relative_to(folder)
                if path.is_file() and not path.is_symlink() and rel.parts[0] != "mathjax":
                    files[f"{kind}/{rel.as_posix()}"] = path.read_bytes()
            shutil.rmtree(folder, ignore_errors=True)
        return files


class _Child:
    """A grading process (``worker.main``) started with ``python -c``: a fresh
    interpreter, as the pool's spawned workers (a Dask worker under its nanny
    is a daemonic process, which ``multiprocessing`` forbids to have children).
    It talks through a socket pair with ``multiprocessing``'s framing."""

    TIMEOUT, CRASHED = object(), object()

    def __init__(self, index, setup):
        self.index, self.setup = index, setup
        self.start()

    def start(self):
        mine, theirs = socket.socketpair()
        code = "import sys; from autograder.cluster import _child_main; _child_main(int(sys.argv[1]))"
        # as on one machine: without the allocator setting a Dask nanny gives its
        # worker (it makes glibc hand memory back after every free)
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_TRIM_THRESHOLD_"}
        self.process = subprocess.Popen([sys.executable, "-c", code, str(theirs.fileno())],
                                        pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                                        env=env)
        theirs.close()
        self.conn = multiprocessing.connection.Connection(mine.detach())
        self.conn.send((self.index, self.setup))

    def give(self, task):
        self.conn.send(task)

    def wait(self, timeout):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return self.TIMEOUT
            if self.conn.poll(min(left, 1.0)):
                try:
                    return self.conn.recv()
                except (EOFError, OSError):
                    return self.CRASHED
            if self.process.poll() is not None:
                return self.CRASHED

    def kill(self):
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(10)
        self.conn.close()

    def restart(self):
        self.kill()
        self.start()

    def stop(self):
        with contextlib.suppress(Exception):
            self.conn.send(None)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill()


def _child_main(fd):
    """Entry point of a grading child on a Dask worker."""
    from . import worker

    conn = multiprocessing.connection.Connection(fd)
    index, setup = conn.recv()
    worker.main(index, conn, setup)
