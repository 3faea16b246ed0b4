"""A submission's files, checked before any of its code runs.

:func:`inspect_submission` reads ``submitted/<student>/<assignment>/`` and
returns either the notebooks to grade (cleaned) or the reason the
submission cannot be graded:

* an empty file, a file larger than the limit, invalid JSON, or JSON that is
  not a notebook: ungradeable, with the reason;
* a notebook under another name (``my_work.ipynb`` instead of
  ``recurrent_neurons.ipynb``): graded, when it is the only notebook that
  holds this notebook's graded cells, with a note;
* a symbolic link anywhere (the student's folder, the assignment folder,
  a file or a folder in it): ungradeable, with the reason, and nothing is
  read through the link (:func:`symbolic_links`);
* every cell's nbgrader metadata is rebuilt from the released notebook by
  grade id (``layout[notebook]["released"]``): a student cannot turn an
  answer cell into a test, a test into an answer, unlock a cell or change
  points or checksums; an edit is noted. Cells whose grade id the
  assignment does not have (a test cell whose id was renamed, say) lose
  their nbgrader metadata and run as ordinary cells: nbgrader then puts the
  real test cell back;
* saved outputs are dropped (nbgrader clears them anyway), so a notebook
  holding a huge output costs nothing further.

:func:`fingerprint` identifies the submitted files, so that a run that was
stopped grades again only what changed or never finished.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SKIP_DIRS = {".ipynb_checkpoints", "__pycache__"}


@dataclass
class Submission:
    status: str = "ok"               # "ok" or "ungradeable"
    reason: str = ""
    notes: list = field(default_factory=list)
    notebooks: dict = field(default_factory=dict)   # notebook name -> cleaned notebook
    files: list = field(default_factory=list)       # (relative path, absolute path), not notebooks


def symbolic_links(folder):
    """The symbolic links making up a submission, named from the folder
    above the student's (``submitted/eve/a1/x.ipynb``): the student's
    folder, ``folder`` itself, and every file or folder below it. Nothing
    is read through a link."""
    folder = Path(folder)
    shown = Path(*folder.parts[-3:]) if len(folder.parts) > 3 else folder
    for path, name in ((folder.parent, shown.parent), (folder, shown)):
        if path.is_symlink():
            return [name.as_posix()]
    if not folder.is_dir():
        return []
    out = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            if os.path.islink(os.path.join(root, name)):
                out.append((shown / Path(root).relative_to(folder) / name).as_posix())
    return sorted(out)


def released_metadata(path):
    """``{grade id: nbgrader metadata}`` of the released notebook at ``path``."""
    if not Path(path).is_file():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: dict(c.metadata["nbgrader"]) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def submitted_files(folder):
    """Regular files under ``folder`` as sorted ``(relative posix path, Path)``
    (none when the folder, or the student's folder, is a symbolic link)."""
    folder = Path(folder)
    out = []
    if folder.is_symlink() or folder.parent.is_symlink():
        return out
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not os.path.islink(os.path.join(root, d)))
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                continue
            out.append((path.relative_to(folder).as_posix(), path))
    return out


def fingerprint(folder, extra=""):
    """sha256 of the submitted files (names and contents) and ``extra``."""
    digest = hashlib.sha256(extra.encode())
    for link in symbolic_links(folder):
        digest.update(b"link\0" + link.encode() + b"\0")
    for rel, path in submitted_files(folder):
        digest.update(rel.encode() + b"\0")
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def _read_notebook(path, max_bytes):
    """``(notebook, None)`` or ``(None, reason)``."""
    size = path.stat().st_size
    if size == 0:
        return None, f"{path.name} is an empty file"
    if size > max_bytes:
        return None, (f"{path.name} is {size / 1e6:.1f} MB, more than the limit of "
                      f"{max_bytes / 1e6:.0f} MB")
    raw = path.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, f"{path.name} is not a notebook: not UTF-8 text"
    except json.JSONDecodeError as exc:
        return None, (f"{path.name} is not a valid notebook: invalid JSON at line "
                      f"{exc.lineno}, column {exc.colno} ({exc.msg})")
    except RecursionError:
        return None, f"{path.name} is not a valid notebook: nested too deeply"
    if not isinstance(data, dict) or "cells" not in data or "nbformat" not in data:
        return None, f"{path.name} is not a notebook: JSON without cells"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat's warnings about missing cell ids
        try:
            nb = nbformat.reads(json.dumps(data), as_version=4)
        except Exception as exc:  # nbformat raises several kinds
            return None, f"{path.name} is not a valid notebook: {str(exc)[:200]}"
        for cell in nb.cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                cell["execution_count"] = None
        try:
            nbformat.validate(nb)
        except Exception as exc:
            return None, f"{path.name} is not a valid notebook: {str(exc).splitlines()[0][:200]}"
    return nb, None


def _grade_ids(nb):
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}


def _clean(nb, known_ids, locked, notes, name, released=None):
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if not meta:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id not in known_ids or (released and grade_id not in released):
            del cell.metadata["nbgrader"]
            notes.append(f"{name}: a cell with the unknown grade id {str(grade_id)[:60]!r} "
                         "was run as an ordinary cell")
            continue
        if released:
            original = released[grade_id]
            if meta != original:
                changed = sorted(str(k)[:30] for k in set(meta) | set(original)
                                 if meta.get(k) != original.get(k))
                notes.append(f"{name}: the nbgrader metadata of cell {grade_id} was edited "
                             f"({', '.join(changed)[:200]}); the released metadata was used")
            cell.metadata["nbgrader"] = dict(original)
        if grade_id in locked and cell.source != locked[grade_id]:
            notes.append(f"locked cell {grade_id} was edited; nbgrader restored the original")
    return nb


def inspect_submission(folder, layout, max_bytes=50_000_000):
    """Check ``folder`` (one student's assignment) against the assignment.

    ``layout`` maps each notebook name of the assignment (without
    ``.ipynb``) to ``{"grade_ids": [...], "locked": {grade id: source}}``
    (from the gradebook and the released notebook).
    """
    folder = Path(folder)
    links = symbolic_links(folder)
    if links:
        return Submission("ungradeable", f"{links[0]} is a symbolic link; submissions must be "
                          "plain files" + (f" ({len(links) - 1} more)" if len(links) > 1 else ""))
    grade_ids = {nb: set(v["grade_ids"]) for nb, v in layout.items()}
    result = Submission()
    files = submitted_files(folder) if folder.is_dir() else []
    if not files:
        return Submission("ungradeable", "no files were submitted")
    notebooks = {rel: path for rel, path in files if rel.endswith(".ipynb")}
    result.files = [(rel, path) for rel, path in files
                    if not rel.endswith(".ipynb") and rel != "timestamp.txt"]
    problems, used = [], set()
    for name, ids in grade_ids.items():
        expected = f"{name}.ipynb"
        if expected in notebooks:
            nb, why = _read_notebook(notebooks[expected], max_bytes)
            used.add(expected)
            if nb is None:
                problems.append(why)
                continue
            result.notebooks[name] = _clean(nb, ids, layout[name].get("locked", {}), result.notes,
                                            expected, layout[name].get("released"))
            continue
        # another name: the only other notebook holding this notebook's graded cells
        matches = []
        for rel, path in notebooks.items():
            if rel in used or rel in {f"{n}.ipynb" for n in grade_ids}:
                continue
            nb, _ = _read_notebook(path, max_bytes)
            if nb is not None and _grade_ids(nb) & ids:
                matches.append((rel, nb))
        if len(matches) == 1:
            rel, nb = matches[0]
            used.add(rel)
            result.notes.append(f"submitted as {rel}; graded as {expected}")
            result.notebooks[name] = _clean(nb, ids, layout[name].get("locked", {}), result.notes, rel,
                                            layout[name].get("released"))
        else:
            found = ", ".join(sorted(notebooks)) or "no notebook"
            problems.append(f"{expected} is missing (found: {found})")
    if problems and not result.notebooks:
        return Submission("ungradeable", "; ".join(problems))
    if problems:
        result.notes.extend(f"{p}: that notebook scores 0" for p in problems)
    return result
