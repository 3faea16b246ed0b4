"""The grader's options, read from the course's ``nbgrader_config.py``.

Everything nbgrader already configures (course root, folders, gradebook,
``Execute.timeout``, ``OverwriteCells.add_missing_cells``, late penalties)
is taken from nbgrader's own configuration. The grader's options go in the
same file, as ``c.RnnlibGrader.<option> = ...``; ``autograder grade`` flags
override them. ``autograder grade --help-config`` lists them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from traitlets import Bool, Enum, Integer, List, Unicode
from traitlets.config import Config, Configurable
from traitlets.config.loader import PyFileConfigLoader

#: Used by ``--zip`` when the course does not set
#: ``c.FileNameCollectorPlugin.named_regexp``: files named
#: ``<student id>_<notebook>.ipynb``, in any folder of the archive.
DEFAULT_ZIP_REGEXP = r".*/(?P<student_id>[A-Za-z0-9][A-Za-z0-9.@-]*)_(?P<file_id>[^/]+\.ipynb)$"


class RnnlibGrader(Configurable):
    """Options of ``autograder grade`` (``c.RnnlibGrader.*`` in nbgrader_config.py)."""

    workers = Integer(0, help="Notebooks graded at once; 0: one per CPU core.").tag(config=True)
    db_url = Unicode("", help="SQLAlchemy URL of the gradebook (for example "
                     "postgresql://...); empty: nbgrader's CourseDirectory.db_url.").tag(config=True)
    cell_timeout = Integer(0, help="Seconds a cell may run; 0: nbgrader's Execute.timeout.").tag(config=True)
    student_timeout = Integer(900, help="Seconds one student's assignment may take in all "
                              "before its worker is stopped.").tag(config=True)
    memory_mb = Integer(4096, help="Address space of a kernel, MB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU seconds of a kernel.").tag(config=True)
    processes = Integer(256, help="Tasks (threads) of a kernel's user.").tag(config=True)
    file_size_mb = Integer(64, help="Largest file a kernel may write, MB.").tag(config=True)
    tmp_mb = Integer(512, help="Size of a kernel's private /tmp, MB (bubblewrap only).").tag(config=True)
    sandbox = Enum(["auto", "always", "never"], "auto",
                   help="Use bubblewrap: when it works (auto), always (fail without it), never."
                   ).tag(config=True)
    seccomp = Bool(True, help="Forbid kernels to create processes.").tag(config=True)
    own_user = Bool(True, help="When run as root, run each kernel as its own unprivileged "
                    "user id.").tag(config=True)
    hide_paths = List(Unicode(), help="More folders kernels must not see.").tag(config=True)
    expose_paths = List(Unicode(), help="Folders kernels may read although inside a hidden "
                        "folder.").tag(config=True)
    max_notebook_mb = Integer(50, help="Larger submitted notebooks are not graded.").tag(config=True)
    output_limit = Integer(1_000_000, help="Characters of output kept per cell.").tag(config=True)
    interrupt_grace = Integer(5, help="Seconds an interrupted kernel has to recover.").tag(config=True)
    feedback = Bool(True, help="Write nbgrader's feedback HTML for every student.").tag(config=True)
    zip_format = Enum(["auto", "canvas", "moodle", "moodle-folders", "blackboard", "plain"], "auto",
                      help="File names of the learning system's download (--zip); auto: the "
                      "format that matches most of the archive's notebooks.").tag(config=True)
    roll = Unicode("", help="The class roll, a file in the course folder (CSV with an 'id' "
                   "column, or one id a line): --zip skips ids not on it, and the report lists "
                   "the students on it who did not submit as missing. Empty: the students of "
                   "nbgrader's gradebook (nbgrader db student import).").tag(config=True)
    cluster = Unicode("", help="Address of a Dask scheduler (tcp://HOST:8786) whose workers "
                      "grade the students (see instructor/cluster.md); empty: grade on this "
                      "machine, -j notebooks at a time.").tag(config=True)
    cluster_timeout = Integer(30, help="Seconds to wait for the Dask scheduler to answer, and "
                              "then for its first worker.").tag(config=True)
    mathjax_dir = Unicode("", help="MathJax 3's es5 folder, copied next to every feedback page "
                          "so that its math renders offline; empty: the book's copy, "
                          "build-assets/mathjax of the repository (`make` fetches it).").tag(config=True)


@dataclass
class Settings:
    """Everything a run needs, resolved."""

    course: Path
    config: Config
    config_file: Path | None
    db_url: str
    course_id: str
    dirs: dict            # nbgrader folder names: source, release, submitted, autograded, feedback
    workers: int
    cell_timeout: int
    options: RnnlibGrader


def load_config(course):
    path = Path(course) / "nbgrader_config.py"
    if path.exists():
        return PyFileConfigLoader(path.name, path=str(path.parent)).load_config(), path
    return Config(), None


def resolve(course, overrides=None, db_url=None, workers=None, cell_timeout=None):
    """The :class:`Settings` of the course in ``course``; ``overrides`` is a
    dict of RnnlibGrader options."""
    from nbgrader.coursedir import CourseDirectory

    course = Path(course).resolve()
    config, path = load_config(course)
    for key, value in (overrides or {}).items():
        config.RnnlibGrader[key] = value
    options = RnnlibGrader(config=config)
    coursedir = CourseDirectory(config=config)
    if "root" not in config.CourseDirectory:
        coursedir.root = str(course)
    root = Path(coursedir.root).resolve()
    if "db_url" not in config.CourseDirectory:
        coursedir.db_url = "sqlite:///" + str(root / "gradebook.db")
    execute_timeout = config.Execute.get("timeout", 30) if "Execute" in config else 30
    return Settings(
        course=root, config=config, config_file=path,
        db_url=db_url or options.db_url or coursedir.db_url,
        course_id=coursedir.course_id,
        dirs={name: getattr(coursedir, f"{name}_directory")
              for name in ("source", "release", "submitted", "autograded", "feedback")},
        workers=workers or options.workers or os.cpu_count() or 1,
        cell_timeout=cell_timeout or options.cell_timeout or execute_timeout or 30,
        options=options,
    )
