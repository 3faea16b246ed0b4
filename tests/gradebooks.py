"""Gradebooks for the grading pipeline's tests: SQLite files and a private
PostgreSQL server, behind one interface, so that the same tests run on both
(``tests/test_gradebooks.py``, through the parametrised ``gradebook``
fixture of ``conftest.py``).

The PostgreSQL server is started once per test session, in a temporary
folder (under /var/tmp, outside the kernels' private /tmp), listening only
on a Unix socket in that folder (or, when that path would be too long for a
socket, on a free loopback port), and removed at the end. It trusts every
local connection, as a careless setup would. The server binaries
(``initdb``, ``pg_ctl``; Debian: ``apt-get install postgresql``) are looked
for in $RNNLIB_PG_BIN, /usr/lib/postgresql/*/bin and PATH. Without them the
PostgreSQL tests are skipped, and fail under CI=true. As root, the server
runs as the ``postgres`` user (initdb refuses root).
"""
from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

import grader_class
from conftest import ON_CI
from autograder import store

A1 = grader_class.ASSIGNMENT
NOTEBOOK = grader_class.NOTEBOOK
COURSE_ID = "rnn-course"


# --------------------------------------------------------------------------
# A private PostgreSQL server
# --------------------------------------------------------------------------

def _unavailable(reason):
    if ON_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def _server_binaries():
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    candidates = [os.environ.get("RNNLIB_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
                         reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).parent))
    for folder in candidates:
        if folder and all(os.access(Path(folder) / tool, os.X_OK) for tool in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


class Cluster:
    """A PostgreSQL server of its own, in ``folder``; superuser ``grader``,
    trusted (only this machine's users can reach the socket or port)."""

    USER = "grader"

    def __init__(self, bin_dir, folder):
        self.bin, self.folder = bin_dir, Path(folder)
        self.data, self.log = self.folder / "data", self.folder / "server.log"
        self.socket = self.folder / ".s.PGSQL.5432"
        self.as_user = []
        if os.geteuid() == 0:
            self.as_user = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.folder, user="postgres")
        # a Unix socket path holds at most 107 bytes
        if len(str(self.socket)) < 100:
            self.host, self.port = str(self.folder), 5432
            listen = ["-c", "listen_addresses=", "-k", str(self.folder)]
        else:
            self.host, self.port = "127.0.0.1", _free_port()
            listen = ["-c", "listen_addresses=127.0.0.1", "-k", ""]
        self.server_options = [*listen, "-p", str(self.port), "-c", "fsync=off",
                               "-c", "full_page_writes=off", "-c", "max_connections=50"]

    def _server(self, *args):
        run = subprocess.run([*self.as_user, *map(str, args)], cwd=self.folder,
                             capture_output=True, text=True, timeout=120)
        if run.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {run.stdout}{run.stderr}{log}")
        return run

    def start(self):
        self._server(self.bin / "initdb", "-D", self.data, "-U", self.USER, "-A", "trust",
                     "-E", "UTF8", "--no-sync", "--no-instructions")
        self._server(self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                     "-o", shlex.join(self.server_options), "start")

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            try:
                self._server(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, 9)

    def url(self, database):
        if self.host.startswith("/"):
            return f"postgresql+psycopg://{self.USER}@/{database}?host={self.host}&port={self.port}"
        return f"postgresql+psycopg://{self.USER}@{self.host}:{self.port}/{database}"

    def sql(self, statement):
        """Run one statement as the superuser, outside a transaction."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.USER, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(statement)

    def create_database(self, name, template=None):
        self.sql(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]




def postgres_cluster():
    """Start a private server (a generator: yields the :class:`Cluster`, then
    stops and removes it); skips, or fails under CI, when it cannot run."""
    bin_dir = _server_binaries()
    if bin_dir is None:
        _unavailable("no PostgreSQL server binaries (initdb, pg_ctl): install the `postgresql` "
                     "package or set RNNLIB_PG_BIN to their folder")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root, and there is no `postgres` user to run the server as")
    pytest.importorskip("psycopg", reason="the psycopg driver is not installed (requirements.lock)")
    # outside /tmp (which kernels never see), as a system server's socket
    # folder (/run/postgresql) is: the jail has to hide it on purpose
    parent = "/var/tmp" if os.access("/var/tmp", os.W_OK | os.X_OK) else None
    folder = tempfile.mkdtemp(prefix="rnnlib-pg-", dir=parent)
    os.chmod(folder, 0o755)  # as /run/postgresql: anyone may reach the socket
    cluster = Cluster(bin_dir, folder)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------
# Courses on either kind of gradebook
# --------------------------------------------------------------------------

class SQLiteBooks:
    """Courses whose gradebook is ``<course>/gradebook.db``."""

    name = "sqlite"

    def __init__(self, workspace):
        self.workspace = Path(workspace)
        self._generated = None

    def generated(self):
        """``(course, release, url)``: a generated course with no student."""
        if self._generated is None:
            course = self.workspace / "generated" / "course"
            release = grader_class.make_course(course)
            self._generated = (course, release, f"sqlite:///{course / 'gradebook.db'}")
        return self._generated

    def new_course(self, target, name):
        """A copy of the generated course in ``target``, with its own gradebook;
        returns ``(release, url)``."""
        source, release, _ = self.generated()
        shutil.copytree(source, target)
        return release, f"sqlite:///{Path(target) / 'gradebook.db'}"


class PostgresBooks:
    """Courses whose gradebook is a database of a private PostgreSQL server
    (nbgrader writes the assignment there; each course gets a copy)."""

    name = "postgresql"
    _made = 0

    def __init__(self, workspace, cluster):
        self.workspace, self.cluster = Path(workspace), cluster
        self._generated = None
        PostgresBooks._made += 1  # several of these may share the session's server
        self.prefix = f"b{PostgresBooks._made}_"
        self.template = self.prefix + "generated"

    def generated(self):
        if self._generated is None:
            course = self.workspace / "pg-generated" / "course"
            url = self.cluster.create_database(self.template)
            release = grader_class.make_course(course, db_url=url)
            self._generated = (course, release, url)
        return self._generated

    def database(self, name):
        """A new database copied from the generated course's; its URL."""
        self.generated()
        return self.cluster.create_database(self.prefix + name, template=self.template)

    def new_course(self, target, name):
        source, release, source_url = self.generated()
        shutil.copytree(source, target)
        url = self.database(name)
        config = Path(target) / "nbgrader_config.py"
        text = config.read_text()
        assert repr(source_url) in text
        config.write_text(text.replace(repr(source_url), repr(url)))
        return release, url


# --------------------------------------------------------------------------
# Reading a gradebook, and writing to it as other programs do
# --------------------------------------------------------------------------

def scores(url, assignment=A1):
    """``{student: total score}`` read through nbgrader's Gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(url, COURSE_ID) as gb:
        return {s.student_id: s.score for s in gb.find_assignment(assignment).submissions}


def status_rows(url, assignment=A1):
    """The grader's own row for each student (status, score, notes, ...)."""
    engine = store.make_engine(url)
    try:
        return {student: dict(row) for student, row in store.statuses(engine, assignment).items()}
    finally:
        engine.dispose()


def graded_result(student, grades, **fields):
    """What a worker sends back for a graded student of assignment 1."""
    from autograder.messages import NotebookGrades, Result

    fields = {"fingerprint": "f" * 64, "seconds": 1.0, "score": sum(grades.values()),
              "max_score": grader_class.max_score(),
              "notebooks": {NOTEBOOK: NotebookGrades(grades=grades)}, **fields}
    return Result(kind="grade", assignment=A1, student=student, status="graded", **fields)


def simple_class(course, release, students):
    """``{student: score}``: reference, wrong task 2, untouched, in turn."""
    ref = grader_class.reference_answers()
    wrong = next(a.code for a in grader_class.catalogue.WRONG[A1] if a.task == "unroll_neuron")
    points = {t: sum(v.values()) for t, v in grader_class.tasks_of(grader_class.source_notebook()).items()}
    kinds = [(ref, sum(points.values())),
             ({**ref, "unroll_neuron": wrong}, sum(points.values()) - points["unroll_neuron"]),
             (None, 0.0)]
    expected = {}
    for i, student in enumerate(students):
        answers, score = kinds[i % 3]
        folder = Path(course) / "submitted" / student / A1
        folder.mkdir(parents=True)
        nbformat.write(grader_class.submission(release, answers), folder / f"{NOTEBOOK}.ipynb")
        expected[student] = score
    return expected


def manual_writer(url, students, stop_file, out_file):
    """Another program (as the formgrader would) writing manual comments and
    extra credit with nbgrader's API in a loop until ``stop_file`` exists;
    it touches ``<out_file>.ready`` after each round, and records the last
    value it wrote for each student in ``out_file``."""
    code = f"""
import json, time
from pathlib import Path
from sqlalchemy.exc import OperationalError
from nbgrader.api import Gradebook
last, rounds, i = {{}}, 0, 0
while not Path({str(stop_file)!r}).exists():
    for student in {sorted(students)!r}:
        for attempt in range(50):
            try:
                with Gradebook({url!r}, {COURSE_ID!r}) as gb:
                    nb = gb.find_submission_notebook({NOTEBOOK!r}, {A1!r}, student)
                    grade = [g for g in nb.grades if g.name == "test_ema_weights"][0]
                    grade.extra_credit = float(i)
                    comment = [c for c in nb.comments if c.name == "ema_weights"][0]
                    comment.manual_comment = f"round {{i}}"
                    gb.db.commit()
                last[student] = i
                time.sleep(0.02)  # a person at the formgrader is slower; leave the workers a CPU
                break
            except OperationalError:
                time.sleep(0.05)
    i += 1
    Path({str(out_file)!r} + ".ready").touch()
Path({str(out_file)!r}).write_text(json.dumps({{"last": last, "rounds": i}}))
"""
    return subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
