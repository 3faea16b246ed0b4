"""The main gradebook: written by one process, one transaction per student.

Workers never open the main gradebook. Each grades a student in a private
course with a private SQLite gradebook, copied from a *template* that holds
only the assignment (:func:`build_template`), and sends the grades back as
data. The pipeline's main process is the only writer: :func:`merge` writes
one student's grades, comments, late penalty and timestamp, and the row
that marks the student finished (``rnnlib_grading``), in one transaction.
A run killed at any moment therefore leaves every student either finished
with all their grades, or untouched; the next run grades the untouched
ones. Other programs (nbgrader's formgrader, an instructor's script) may
write to the gradebook at the same time: SQLite transactions start with
``BEGIN IMMEDIATE`` and wait up to a minute for a lock; PostgreSQL
transactions are ``REPEATABLE READ`` (one that changes a row another
program changed meanwhile fails instead of overwriting it) and wait up to
a minute for a row lock. A transaction that fails is retried, so no write
is lost on either side. Any SQLAlchemy URL nbgrader accepts works
(PostgreSQL, tested, for large classes).

Manual grades are kept: a regraded cell with a manual score is flagged
for review, as nbgrader's own autograder does.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import random
import time

from sqlalchemy import (Column, DateTime, Float, MetaData, String, Table, Text, create_engine,
                        delete, event, exc, make_url, select, text)
from sqlalchemy.orm import Session

from .messages import GRADED, UNGRADEABLE, NotebookGrades

#: Changing it makes every cached calibration and every finished mark stale.
#: 3: every test cell in the grader, the allow-list jail (marks of version 2,
#: whose tests could run in a student's kernel, are graded again).
GRADER_VERSION = "3"

metadata = MetaData()

status_table = Table(
    "rnnlib_grading", metadata,
    Column("assignment", String(128), primary_key=True),
    Column("student", String(128), primary_key=True),
    Column("status", String(16), nullable=False),   # graded | ungradeable | error
    Column("reason", Text),
    Column("notes", Text),                          # JSON list of strings
    Column("fingerprint", String(64)),
    Column("score", Float),
    Column("max_score", Float),
    Column("graded_at", DateTime),
    Column("seconds", Float),
)

calibration_table = Table(
    "rnnlib_calibration", metadata,
    Column("assignment", String(128), primary_key=True),
    Column("signature", String(64), nullable=False),
    Column("modes", Text, nullable=False),          # JSON {test cell grade id: mode}
    Column("created", DateTime),
)

FINISHED = (GRADED, UNGRADEABLE)
#: How long a transaction waits for another program's lock before it fails (and is retried).
LOCK_TIMEOUT_MS = 60_000


def make_engine(url):
    """An engine for the gradebook at ``url`` that waits for locks."""
    if url.startswith("sqlite"):
        engine = create_engine(url, future=True, connect_args={"timeout": LOCK_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection, _record):
            dbapi_connection.isolation_level = None  # transactions begin below

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    options, parsed = {}, make_url(url)
    if parsed.get_backend_name() == "postgresql":
        # a concurrent change to a row this transaction writes fails it
        # (SerializationFailure, retried) instead of being overwritten
        options["isolation_level"] = "REPEATABLE READ"
        if "options" not in parsed.query:  # the URL's own server options win
            options["connect_args"] = {"options": f"-c lock_timeout={LOCK_TIMEOUT_MS}"}
    return create_engine(url, future=True, pool_pre_ping=True, **options)


def server_socket_folders(url):
    """Folders that may hold the Unix socket of the gradebook's server
    (PostgreSQL: the URL's ``host=/folder``, $PGHOST, libpq's default
    folders). Kernels must not see them: a trusted or peer-authenticated
    local connection could rewrite every grade."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return []
    hosts = parsed.query.get("host", ())
    hosts = [hosts] if isinstance(hosts, str) else list(hosts)
    hosts += [os.environ.get("PGHOST", ""), "/run/postgresql", "/var/run/postgresql"]
    return [folder for host in hosts for folder in host.split(",") if folder.startswith("/")]


def prepare(engine):
    """Create the grader's two tables if they are missing."""
    metadata.create_all(engine, checkfirst=True)


def retrying(action, attempts=8):
    """Run ``action()``; retry when the database is busy or a concurrent
    writer got there first."""
    for attempt in range(attempts):
        try:
            return action()
        except (exc.OperationalError, exc.IntegrityError):
            if attempt == attempts - 1:
                raise
            time.sleep(min(5.0, 0.1 * 2 ** attempt) * (0.5 + random.random()))


def utcnow():
    return _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None)


# --------------------------------------------------------------------------
# The assignment, as the gradebook records it
# --------------------------------------------------------------------------

def assignment_layout(gradebook, assignment):
    """``{notebook: {"grade_ids": [...], "max_scores": {test id: points}}}``."""
    out = {}
    for nb in gradebook.find_assignment(assignment).notebooks:
        ids = sorted({c.name for c in nb.source_cells} | {c.name for c in nb.grade_cells}
                     | {c.name for c in nb.solution_cells} | {c.name for c in nb.task_cells})
        out[nb.name] = {"grade_ids": ids,
                        "max_scores": {c.name: float(c.max_score) for c in nb.grade_cells}}
    return out


def assignment_signature(gradebook, assignment):
    """A hash of everything that decides grades: cells, points, due date."""
    a = gradebook.find_assignment(assignment)
    parts = [GRADER_VERSION, assignment, str(a.duedate)]
    for nb in sorted(a.notebooks, key=lambda n: n.name):
        parts.append(nb.name)
        for c in sorted(nb.source_cells, key=lambda c: c.name):
            parts += [c.name, c.cell_type, str(c.locked), c.checksum or "", c.source or ""]
        for c in sorted(nb.grade_cells, key=lambda c: c.name):
            parts += [c.name, str(c.max_score)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def build_template(gradebook, template_url, course_id, assignments):
    """A new gradebook at ``template_url`` holding only these assignments.

    Its schema version is copied from the main gradebook, so that nbgrader
    does not start ``alembic`` to find it (a second or more per run)."""
    from nbgrader.api import Base, Gradebook

    version = gradebook.db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine = create_engine(template_url, future=True)
    Base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    engine.dispose()
    with Gradebook(template_url, course_id) as template:
        for name in assignments:
            source = gradebook.find_assignment(name)
            template.add_assignment(name, duedate=source.duedate)
            for nb in source.notebooks:
                template.add_notebook(nb.name, name, kernelspec=nb.kernelspec)
                for c in nb.grade_cells:
                    template.add_grade_cell(c.name, nb.name, name, max_score=c.max_score,
                                            cell_type=c.cell_type)
                for c in nb.solution_cells:
                    template.add_solution_cell(c.name, nb.name, name)
                for c in nb.task_cells:
                    template.add_task_cell(c.name, nb.name, name, max_score=c.max_score,
                                           cell_type=c.cell_type)
                for c in nb.source_cells:
                    template.add_source_cell(c.name, nb.name, name, cell_type=c.cell_type,
                                             locked=c.locked, source=c.source, checksum=c.checksum)


def extensions(gradebook, assignment):
    """``{student: extension in seconds}`` for late-penalty computation."""
    out = {}
    for sub in gradebook.find_assignment(assignment).submissions:
        if sub.extension is not None:
            out[sub.student_id] = sub.extension.total_seconds()
    return out


def manual_grades(gradebook, assignment):
    """``{student: {notebook: {"grades": {cell: score}, "comments": {cell: text}}}}``:
    the grades and comments an instructor gave by hand (formgrader)."""
    out = {}
    for sub in gradebook.find_assignment(assignment).submissions:
        for snb in sub.notebooks:
            grades = {g.name: g.manual_score for g in snb.grades if g.manual_score is not None}
            comments = {c.name: c.manual_comment for c in snb.comments if c.manual_comment}
            if grades or comments:
                out.setdefault(sub.student_id, {})[snb.name] = {"grades": grades,
                                                                "comments": comments}
    return out


# --------------------------------------------------------------------------
# Finished students and cached calibrations
# --------------------------------------------------------------------------

def statuses(engine, assignment):
    """``{student: row mapping}`` of the students recorded for ``assignment``."""
    with engine.connect() as conn:
        rows = conn.execute(select(status_table).where(status_table.c.assignment == assignment))
        return {row.student: row._mapping for row in rows}


def all_statuses(engine):
    with engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(status_table))]


def cached_modes(engine, assignment, signature):
    with engine.connect() as conn:
        row = conn.execute(select(calibration_table).where(
            calibration_table.c.assignment == assignment)).first()
    if row is None or row.signature != signature:
        return None
    return json.loads(row.modes)


def save_modes(engine, assignment, signature, modes):
    def write():
        with Session(engine) as session, session.begin():
            session.execute(delete(calibration_table).where(calibration_table.c.assignment == assignment))
            session.execute(calibration_table.insert().values(
                assignment=assignment, signature=signature, modes=json.dumps(modes, sort_keys=True),
                created=utcnow()))
    retrying(write)


# --------------------------------------------------------------------------
# Merging one student's result
# --------------------------------------------------------------------------

def _submission(session, assignment_name, student_id):
    """The student's submission, created with every notebook, grade and
    comment the assignment has (as nbgrader's ``add_submission`` does)."""
    from nbgrader.api import (Assignment, Comment, Grade, Student, SubmittedAssignment,
                              SubmittedNotebook)

    if session.get(Student, student_id) is None:
        session.add(Student(id=student_id))
    assignment = session.execute(select(Assignment).where(Assignment.name == assignment_name)).scalar_one()
    submission = session.execute(select(SubmittedAssignment).where(
        SubmittedAssignment.assignment_id == assignment.id,
        SubmittedAssignment.student_id == student_id)).scalar_one_or_none()
    if submission is None:
        with session.no_autoflush:
            submission = SubmittedAssignment(assignment=assignment, student_id=student_id)
            rows = [submission]
            for notebook in assignment.notebooks:
                nb = SubmittedNotebook(notebook=notebook, assignment=submission)
                rows.append(nb)
                for cell in notebook.grade_cells:
                    rows.append(Grade(cell=cell, notebook=nb))
                for cell in notebook.solution_cells:
                    rows.append(Comment(cell=cell, notebook=nb))
                for cell in notebook.task_cells:
                    rows += [Comment(cell=cell, notebook=nb), Grade(cell=cell, notebook=nb)]
            session.add_all(rows)
        session.flush()
    return submission


def _write_grades(session, result):
    from nbgrader.utils import parse_utc

    submission = _submission(session, result.assignment, result.student)
    if result.timestamp:
        submission.timestamp = parse_utc(result.timestamp)
    notebooks = result.notebooks
    for snb in submission.notebooks:
        data = notebooks.get(snb.notebook.name) or NotebookGrades()
        grades, comments = data.grades, data.comments
        snb.late_submission_penalty = data.late_penalty
        for grade in snb.grades:
            # a cell absent from the result was not submitted (or the
            # submission could not be graded): 0, as nbgrader gives
            auto = grades.get(grade.cell.name, 0.0)
            grade.auto_score = auto
            grade.needs_manual_grade = grade.manual_score is not None or auto is None
        for comment in snb.comments:
            comment.auto_comment = comments.get(comment.cell.name)


def merge(engine, result, hook=None):
    """Record one student's result in one transaction.

    ``result``: a worker's :class:`~.messages.Result` (for graded or
    ungradeable students, its ``notebooks``, ``timestamp``, ``score`` and
    ``max_score`` are written to nbgrader's tables too). ``hook(session)``
    runs just before the commit (the tests use it to interrupt a merge).
    """
    def write():
        with Session(engine) as session, session.begin():
            if result.status in FINISHED:
                _write_grades(session, result)
            session.execute(delete(status_table).where(
                status_table.c.assignment == result.assignment,
                status_table.c.student == result.student))
            session.execute(status_table.insert().values(
                assignment=result.assignment, student=result.student,
                status=result.status, reason=result.reason,
                notes=json.dumps(result.notes), fingerprint=result.fingerprint,
                score=result.score, max_score=result.max_score,
                graded_at=utcnow(), seconds=result.seconds))
            if hook is not None:
                hook(session)
    retrying(write)
