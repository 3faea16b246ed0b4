"""What the pipeline, its workers and the store tell each other.

The pipeline sends a worker a :class:`Task` (through a ``multiprocessing``
pipe, or as the argument of a Dask task on a cluster, ``cluster.py``: these
are plain, picklable dataclasses); the worker sends back a :class:`Result`,
with a :class:`NotebookGrades` per notebook; the pipeline's one writer hands
that to ``store.merge``. Nothing here comes from a student's
kernel: those are data checked by ``wire.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

#: ``Task.kind``: grade a student, or grade the reference solution first.
GRADE, CALIBRATE = "grade", "calibrate"
#: ``Result.status``: graded; not gradeable (the submission's fault: recorded);
#: the grader's (or the machine's) failure: not recorded, tried again next run.
GRADED, UNGRADEABLE, ERROR = "graded", "ungradeable", "error"


@dataclass
class Task:
    """One submission to grade."""

    kind: str                        # GRADE or CALIBRATE
    assignment: str
    student: str                     # "_reference_" when calibrating
    layout: dict                     # notebook name -> {"max_scores", "locked", "released"}
    fingerprint: str | None = None   # of the files (the assignment's version when calibrating)
    extension: float | None = None   # seconds of extension the gradebook grants
    manual: dict | None = None       # the instructor's manual grades, kept in the feedback

    @property
    def max_score(self):
        return float(sum(sum(nb["max_scores"].values()) for nb in self.layout.values()))


@dataclass
class NotebookGrades:
    """The autograder's marks for one notebook of a submission."""

    grades: dict = field(default_factory=dict)     # test cell grade id -> score (None: manual)
    comments: dict = field(default_factory=dict)   # cell grade id -> automatic comment
    late_penalty: float | None = None


@dataclass
class Result:
    """What grading one :class:`Task` gave."""

    kind: str
    assignment: str
    student: str
    status: str                      # GRADED, UNGRADEABLE or ERROR
    reason: str = ""                 # why not graded
    notes: list = field(default_factory=list)      # what the report should say
    fingerprint: str | None = None
    score: float | None = None
    max_score: float | None = None
    timestamp: str | None = None     # of the submission (ISO 8601)
    notebooks: dict = field(default_factory=dict)  # notebook name -> NotebookGrades
    modes: dict = field(default_factory=dict)      # calibration: test cell -> "checker" or why not
    log: list = field(default_factory=list)        # nbgrader's log lines
    seconds: float | None = None     # the worker's time
    #: on a cluster (no shared folder): the autograded notebooks and feedback
    #: pages, ``"autograded/<file>"`` or ``"feedback/<file>"`` -> bytes
    files: dict = field(default_factory=dict)

    @classmethod
    def of(cls, task, status, reason="", **fields):
        return cls(kind=task.kind, assignment=task.assignment, student=task.student,
                   status=status, reason=reason, fingerprint=task.fingerprint, **fields)
