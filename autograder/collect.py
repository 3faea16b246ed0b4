"""``autograder grade --zip``: a learning system's download into ``submitted/``.

Every file of the archive is matched against the file-name pattern of one
learning system; the student's id comes from the name, and nothing else:

==================  ==========================================================  =============
format              file names (in the archive)                                 student id
==================  ==========================================================  =============
``canvas``          ``smithjane_12345_6789012_recurrent_neurons.ipynb``         12345 (user id)
                    (``smithjane_LATE_12345_...`` for late ones)
``moodle``          ``Jane Smith_12345_assignsubmission_file_<file>``           12345
``moodle-folders``  ``Jane Smith_12345_assignsubmission_file/<file>``           12345
``blackboard``      ``<assignment title>_jsmith_attempt_2026-11-30-10-15-00_<file>``  jsmith
``plain``           ``<id>_<notebook>.ipynb``, the notebook's own name          <id>
``custom``          the course's ``c.FileNameCollectorPlugin.named_regexp``     its ``student_id``
==================  ==========================================================  =============

(Moodle's number is the participant id of the assignment, which Moodle shows
in the grading table.) The format is the one named
(``c.RnnlibGrader.zip_format``), or with ``auto`` the one that matches most of
the archive's notebooks. The collector never guesses:

* a file that the format does not match, or whose id is not on the class roll
  (when there is one), is skipped, and listed;
* two notebooks that would go to the same student stop the run (nothing is
  unpacked), with both names: the instructor decides which one counts;
* a student's folder is replaced by what the archive holds for them, and
  students the archive does not mention are left as they are.

An archive's paths are never used as paths: only the base name of a file is
written, into the student's folder.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

FORMATS = ("canvas", "moodle", "moodle-folders", "blackboard", "plain")
# the order in which ties are broken (the most specific first)
_ORDER = ("moodle-folders", "moodle", "blackboard", "canvas", "custom", "plain")
VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")

_CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?:LATE_)?(?P<student_id>\d+)_(?P<submission>\d+)_"
                     r"(?P<file>[^/]+)$")
_MOODLE = re.compile(r"^(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_(?P<file>[^/]+)$")
_MOODLE_FOLDER = re.compile(r"^(?P<name>[^/]+?)_(?P<student_id>\d+)_assignsubmission_file_?$")
_BLACKBOARD = re.compile(r"^(?P<head>[^/]+)_attempt_(?P<time>\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d)"
                         r"(?:_(?P<file>[^/]+))?$")


class CollectError(RuntimeError):
    """The archive cannot be unpacked without guessing (the message says why)."""


@dataclass
class Match:
    student: str | None
    file: str | None          # the name the file gets in the student's folder
    reason: str = ""          # why it was skipped (student None)


@dataclass
class Collected:
    format: str
    placed: dict = field(default_factory=dict)    # student -> [(archive name, file name)]
    skipped: list = field(default_factory=list)   # (archive name, reason)

    def lines(self):
        """What the instructor is shown."""
        n = sum(len(v) for v in self.placed.values())
        out = [f"--zip ({self.format} file names): {n} file(s) for {len(self.placed)} student(s)"]
        out += [f"--zip skipped {name}: {reason}" for name, reason in self.skipped]
        return out


def _strip_copy_suffix(file, notebooks):
    """Canvas numbers resubmitted files (``notebook-1.ipynb``)."""
    match = re.match(r"^(?P<stem>.+?)-\d+\.ipynb$", file)
    if match and match["stem"] in notebooks:
        return match["stem"] + ".ipynb"
    return file


class _Matcher:
    def __init__(self, fmt, notebooks, names, regexp=None):
        self.fmt, self.notebooks, self.regexp = fmt, set(notebooks), regexp
        self.blackboard_title = _blackboard_title(names) if fmt == "blackboard" else None

    def match(self, name):
        path = PurePosixPath(name)
        base = path.name
        fmt = self.fmt
        if fmt == "canvas":
            m = _CANVAS.match(base)
            return Match(m["student_id"], _strip_copy_suffix(m["file"], self.notebooks)) if m else None
        if fmt == "moodle":
            m = _MOODLE.match(base)
            return Match(m["student_id"], m["file"]) if m else None
        if fmt == "moodle-folders":
            folders = [p for p in path.parts[:-1] if _MOODLE_FOLDER.match(p)]
            if len(folders) != 1:
                return None
            return Match(_MOODLE_FOLDER.match(folders[0])["student_id"], base)
        if fmt == "blackboard":
            m = _BLACKBOARD.match(base)
            if not m:
                return None
            if not m["file"]:
                return Match(None, None, "Blackboard's submission receipt")
            title = self.blackboard_title
            if title is None or not m["head"].startswith(title):
                return Match(None, None, "cannot tell the assignment title from the user name "
                             "(two or more students' files are needed, or a user name without '_')")
            return Match(m["head"][len(title):], m["file"])
        if fmt == "plain":
            for nb in sorted(self.notebooks, key=len, reverse=True):
                suffix = f"_{nb}.ipynb"
                if base.endswith(suffix) and len(base) > len(suffix):
                    return Match(base[: -len(suffix)], f"{nb}.ipynb")
            return None
        if fmt == "custom":
            m = re.match(self.regexp, name) or re.match(self.regexp, "/" + name)
            if not m or "student_id" not in m.groupdict():
                return None
            file = m.groupdict().get("file_id") or base
            return Match(m["student_id"], PurePosixPath(file).name)
        raise ValueError(fmt)


def _blackboard_title(names):
    """The assignment title that starts every Blackboard file name of the
    archive, with its ``_``: the longest common prefix, cut after a ``_``."""
    heads = sorted({m["head"] for m in (_BLACKBOARD.match(PurePosixPath(n).name) for n in names) if m})
    if not heads:
        return None
    if len(heads) == 1:
        head = heads[0]
        return head[: head.index("_") + 1] if head.count("_") == 1 else None
    first, last = heads[0], heads[-1]
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    common = first[:i]
    return common[: common.rfind("_") + 1] if "_" in common else None


def _entries(archive):
    return [i for i in archive.infolist() if not i.is_dir()]


def choose_format(names, notebooks, fmt="auto", regexp=None):
    if fmt != "auto":
        return fmt
    candidates = (*FORMATS, "custom") if regexp else FORMATS
    ipynb = [n for n in names if n.endswith(".ipynb")]
    scores = {}
    for f in candidates:
        matcher = _Matcher(f, notebooks, names, regexp)
        scores[f] = sum(1 for n in ipynb if (m := matcher.match(n)) and m.student)
    best = max(scores.values(), default=0)
    if best == 0:
        raise CollectError("no notebook in the archive has a file name of a known learning system "
                           f"({', '.join(FORMATS)}): set c.RnnlibGrader.zip_format, or "
                           "c.FileNameCollectorPlugin.named_regexp")
    return next(f for f in _ORDER if scores.get(f) == best)


def plan(zip_file, notebooks, fmt="auto", regexp=None, roll=None, max_bytes=None):
    """What :func:`collect` would do: a :class:`Collected` (nothing is written).

    ``notebooks``: the assignment's notebook names; ``roll``: the class's
    student ids, or None; ``max_bytes``: larger files are skipped."""
    with zipfile.ZipFile(zip_file) as archive:
        entries = _entries(archive)
    names = [e.filename for e in entries]
    fmt = choose_format(names, notebooks, fmt, regexp)
    matcher = _Matcher(fmt, notebooks, names, regexp)
    out = Collected(fmt)
    targets = {}
    for entry in entries:
        name = entry.filename
        base = PurePosixPath(name).name
        if name.startswith("__MACOSX/") or base.startswith("."):
            out.skipped.append((name, "a system file"))
            continue
        m = matcher.match(name)
        if m is None:
            out.skipped.append((name, f"the name does not match the {fmt} pattern"))
            continue
        if m.student is None:
            out.skipped.append((name, m.reason))
            continue
        if not VALID_ID.match(m.student) or not m.file or m.file in (".", ".."):
            out.skipped.append((name, f"{m.student!r} is not a valid student id"))
            continue
        if roll is not None and m.student not in roll:
            out.skipped.append((name, f"student {m.student!r} is not on the class roll"))
            continue
        if m.file.endswith((".zip", ".tar", ".gz")):
            out.skipped.append((name, "an archive inside the archive (unpack it by hand)"))
            continue
        if max_bytes is not None and entry.file_size > max_bytes:
            out.skipped.append((name, f"{entry.file_size / 1e6:.0f} MB, more than the limit"))
            continue
        targets.setdefault(m.student, []).append((name, m.file))
    clashes = []
    for student, files in sorted(targets.items()):
        books = [f for f in files if f[1].endswith(".ipynb")]
        same = {}
        for name, file in files:
            same.setdefault(file, []).append(name)
        if len(books) > 1:
            clashes.append(f"{student}: {', '.join(n for n, _ in books)}")
        else:
            clashes += [f"{student}: {', '.join(v)}" for v in same.values() if len(v) > 1]
    if clashes:
        raise CollectError("the archive maps more than one notebook (or file) to one student; "
                           "nothing was unpacked. Remove all but one of each, or rename them:\n  "
                           + "\n  ".join(clashes))
    out.placed = targets
    return out


def collect(zip_file, submitted, assignment, notebooks, fmt="auto", regexp=None, roll=None,
            max_bytes=None):
    """Unpack ``zip_file`` into ``submitted/<student>/<assignment>/``; return :class:`Collected`."""
    result = plan(zip_file, notebooks, fmt, regexp, roll, max_bytes)
    submitted = Path(submitted)
    with zipfile.ZipFile(zip_file) as archive:
        for student, files in result.placed.items():
            folder = submitted / student / assignment
            staging = submitted / student / f".{assignment}.zip-new"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            for name, file in files:
                with archive.open(name) as src, open(staging / PurePosixPath(file).name, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            if folder.exists():
                shutil.rmtree(folder)
            staging.rename(folder)
    return result


def read_roll(path):
    """Student ids of a class roll: a CSV file with an ``id`` column (or the
    first column), or a text file with one id a line."""
    import csv

    text = Path(path).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return []
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(h) for h in ("id", "student_id", "student id", "username")
                   if h in header), None)
    if column is None:
        return [r[0].strip() for r in rows if r and r[0].strip()]
    return [r[column].strip() for r in rows[1:] if len(r) > column and r[column].strip()]
