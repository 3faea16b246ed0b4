"""grades.csv and the class report, from the gradebook.

:func:`write` reads the main gradebook (scores, with manual grades where an
instructor gave them), the grader's ``rnnlib_grading`` table (status,
reasons, notes), the class roll, and the autograded notebooks (the message
each failed test gave), and writes into ``<course>/reports/`` (or ``out``):

* ``grades.csv``: one row per student and assignment: status, score, the
  assignment's possible score, late penalty, reason, flags, and the score of
  every task. A student who was not graded (``ungradeable``, ``error``,
  ``missing``) has blank scores, never 0: a learning system would record a 0;
* ``report.html``: per assignment, the statistics of the graded students
  (mean, median, best score, histogram, task means), apart from those who
  could not be graded or did not submit; per task, the most common mistakes
  (the message students got, how many, who); per student, the failed tasks
  and why; and flags (untouched notebooks, cells that need a manual grade,
  what the grader noticed);
* ``<assignment>-scores.png`` and ``<assignment>-tasks.png``.

Every assignment of the gradebook that has a submission is in the outputs,
whichever assignments were graded last: grading one never removes another's
rows.

A *task* is an answer cell with the test cells that follow it in the
assignment's notebook (read from ``release/`` or ``source/``); test cells
with no answer cell before them are tasks of their own.
"""
from __future__ import annotations

import collections
import csv
import html
import json
import re
import statistics
from pathlib import Path

from . import store

GRADED = ("graded", "graded (nbgrader)")
NOT_GRADED = ("ungradeable", "error", "missing")


def _read(settings, assignment, notebook):
    import nbformat

    for kind in ("release", "source"):
        path = settings.course / settings.dirs[kind] / assignment / f"{notebook}.ipynb"
        if path.is_file():
            return nbformat.read(path, as_version=4)
    return None


def _tasks(nb):
    """``{test cell id: task id}`` in notebook order."""
    out, current = {}, None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            current = meta.get("grade_id")
        elif meta.get("grade"):
            out[meta["grade_id"]] = current or meta["grade_id"]
    return out


def _answers(nb):
    """``{answer cell id: source}``."""
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("solution")
            and c.metadata["nbgrader"].get("grade_id")}


_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


def message_of(cell):
    """What a failed test cell told the student: its error's message (first line)."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            text = (output.get("evalue") or "").strip().splitlines()
            first = text[0] if text else ""
            name = output.get("ename") or "Error"
            message = first if name in ("CheckFailed", "AssertionError") and first else \
                f"{name}: {first}" if first else name
            return message[:300]
    return None


def mistake_key(message):
    """Messages that differ only in numbers (values, seeds, cases) are one mistake."""
    return _NUMBER.sub("#", re.sub(r"\s+", " ", message)).strip()


def _feedback_details(settings, assignment, student, notebooks, task_of, scores):
    """``({task: [messages]}, untouched)`` from the autograded and released notebooks."""
    import nbformat

    failures, untouched = {}, None
    for nb_name in notebooks:
        path = settings.course / settings.dirs["autograded"] / student / assignment / f"{nb_name}.ipynb"
        release = _read(settings, assignment, nb_name)
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # no autograded notebook (graded elsewhere, or removed)
            continue
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            cid = meta.get("grade_id")
            if not meta.get("grade") or (nb_name, cid) not in task_of:
                continue
            got, points = scores.get((nb_name, cid), (None, None))
            if got is None or points is None or got >= points:
                continue
            message = message_of(cell) or ("the test did not run (see the notes)" if not
                                           cell.get("outputs") else "no points (no error message)")
            failures.setdefault(task_of[(nb_name, cid)], []).append(message)
        if release is not None:
            mine, theirs = _answers(nb), _answers(release)
            same = all(mine.get(k, v).strip() == v.strip() for k, v in theirs.items())
            untouched = same if untouched is None else untouched and same
    return failures, bool(untouched)


def roll_of(settings, gb):
    """The class roll: ``c.RnnlibGrader.roll`` (a file), else the gradebook's students."""
    if settings.options.roll:
        from .collect import read_roll

        path = settings.course / settings.options.roll
        return read_roll(path) if path.is_file() else []
    return [s.id for s in gb.students]


def collect(settings, engine, assignments):
    """``{assignment: {"tasks": {task: points}, "rows": [...]}}`` from the gradebook.

    ``assignments`` come first; every other assignment of the gradebook that
    has a submission or a recorded status follows."""
    from nbgrader.api import Gradebook, MissingEntry

    statuses = {(r["assignment"], r["student"]): r for r in store.all_statuses(engine)}
    data = {}
    with Gradebook(settings.db_url, settings.course_id) as gb:
        others = [a.name for a in gb.assignments
                  if a.name not in assignments and (a.submissions or any(
                      sa == a.name for sa, _ in statuses))]
        roll = roll_of(settings, gb)
        for a in [*assignments, *others]:
            try:
                assignment = gb.find_assignment(a)
            except MissingEntry:
                continue
            task_of, tasks, points = {}, {}, {}
            for nb in assignment.notebooks:
                release = _read(settings, a, nb.name)
                order = _tasks(release) if release is not None else {}
                for cell in sorted(nb.grade_cells, key=lambda c: list(order).index(c.name)
                                   if c.name in order else len(order)):
                    task = order.get(cell.name, cell.name)
                    task_of[(nb.name, cell.name)] = task
                    tasks[task] = tasks.get(task, 0.0) + float(cell.max_score)
                    points[(nb.name, cell.name)] = float(cell.max_score)
            possible = sum(tasks.values())
            rows, seen = [], set()
            for sub in assignment.submissions:
                seen.add(sub.student_id)
                row = statuses.get((a, sub.student_id), {})
                status = row.get("status") or "graded (nbgrader)"
                base = {"assignment": a, "student": sub.student_id, "status": status,
                        "max_score": possible, "reason": row.get("reason") or "",
                        "notes": json.loads(row["notes"]) if row.get("notes") else [],
                        "flags": [], "failures": {}}
                if status not in GRADED:
                    rows.append({**base, "score": None, "late_penalty": None, "tasks": {}})
                    continue
                per_task = dict.fromkeys(tasks, 0.0)
                penalty, scores, manual = 0.0, {}, []
                for snb in sub.notebooks:
                    penalty += snb.late_submission_penalty or 0.0
                    for grade in snb.grades:
                        task = task_of.get((snb.name, grade.name))
                        if task is None:
                            continue
                        per_task[task] += grade.score or 0.0
                        scores[(snb.name, grade.name)] = (grade.score or 0.0,
                                                          points[(snb.name, grade.name)])
                        if grade.needs_manual_grade:
                            manual.append(grade.name)
                failures, untouched = _feedback_details(
                    settings, a, sub.student_id, [nb.name for nb in assignment.notebooks],
                    task_of, scores)
                flags = []
                if untouched:
                    flags.append("untouched: no answer cell differs from the released notebook")
                if manual:
                    flags.append("needs a manual grade: " + ", ".join(sorted(manual)))
                rows.append({**base, "score": sum(per_task.values()) - penalty,
                             "late_penalty": penalty, "tasks": per_task, "flags": flags,
                             "failures": failures})
            for (sa, student), row in statuses.items():  # recorded but never in the gradebook
                if sa == a and student not in seen:
                    seen.add(student)
                    rows.append({"assignment": a, "student": student, "status": row["status"],
                                 "score": None, "max_score": possible, "late_penalty": None,
                                 "reason": row["reason"] or "", "notes": [], "tasks": {},
                                 "flags": [], "failures": {}})
            for student in roll:
                if student not in seen:
                    rows.append({"assignment": a, "student": student, "status": "missing",
                                 "score": None, "max_score": possible, "late_penalty": None,
                                 "reason": "no submission", "notes": [], "tasks": {},
                                 "flags": [], "failures": {}})
            rows.sort(key=lambda r: r["student"])
            data[a] = {"tasks": tasks, "rows": rows}
    return data


def statistics_of(d):
    """The statistics of the graded students only."""
    counted = [r for r in d["rows"] if r["status"] in GRADED]
    scores = [r["score"] for r in counted]
    task_means = {t: (statistics.fmean(r["tasks"][t] for r in counted) if counted else None)
                  for t in d["tasks"]}
    return {
        "students": len(d["rows"]), "graded": len(counted),
        "ungradeable": sum(r["status"] == "ungradeable" for r in d["rows"]),
        "errors": sum(r["status"] == "error" for r in d["rows"]),
        "missing": sum(r["status"] == "missing" for r in d["rows"]),
        "mean": statistics.fmean(scores) if scores else None,
        "median": statistics.median(scores) if scores else None,
        "best": max(scores) if scores else None,
        "out_of": sum(d["tasks"].values()),
        "task_means": task_means,
        "full_marks": {t: sum(r["tasks"][t] >= p for r in counted) for t, p in d["tasks"].items()},
    }


def mistakes(d):
    """``{task: [(message, [students])]}``, the most common first."""
    out = {}
    for task in d["tasks"]:
        groups = collections.OrderedDict()
        for r in d["rows"]:
            for message in dict.fromkeys(r["failures"].get(task, [])):
                key = mistake_key(message)
                entry = groups.setdefault(key, [message, []])
                if r["student"] not in entry[1]:
                    entry[1].append(r["student"])
        out[task] = sorted(((m, s) for m, s in groups.values()), key=lambda e: (-len(e[1]), e[0]))
    return out


def _blank(value):
    return "" if value is None else value


def write_csv(data, path):
    task_columns = [f"{a}:{t}" for a, d in data.items() for t in d["tasks"]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "student", "status", "score", "max_score", "percent",
                         "late_penalty", "reason", "flags", *task_columns])
        for a, d in data.items():
            for r in d["rows"]:
                score = r["score"]
                percent = "" if score is None or not r["max_score"] else round(100 * score / r["max_score"], 1)
                tasks = {f"{a}:{t}": v for t, v in r["tasks"].items()}
                writer.writerow([a, r["student"], r["status"], _blank(score), r["max_score"], percent,
                                 _blank(r["late_penalty"]), r["reason"], "; ".join(r["flags"]),
                                 *[tasks.get(c, "") for c in task_columns]])


def _plots(assignment, d, stats, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    scores = [r["score"] for r in d["rows"] if r["status"] in GRADED]
    maximum = stats["out_of"] or 1.0
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    bins = max(5, min(20, int(maximum) + 1))
    ax.hist(scores, bins=bins, range=(0, maximum), color="#4c72b0", edgecolor="white")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students
    ax.set_xlabel(f"score (out of {maximum:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: scores of the {len(scores)} graded students")
    yticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    fig.tight_layout()
    fig.savefig(out / f"{assignment}-scores.png")
    plt.close(fig)

    tasks = list(d["tasks"])
    means = [100 * stats["task_means"][t] / d["tasks"][t]
             if stats["task_means"][t] is not None and d["tasks"][t] else 0.0 for t in tasks]
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(1, len(tasks))), dpi=100)
    colors = ["#c44e52" if m < 50 else "#dd8452" if m < 75 else "#55a868" for m in means]
    ax.barh(tasks[::-1], means[::-1], color=colors[::-1])
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean score of the graded students, % of the task's points")
    ax.set_title(f"{assignment}: mean score per task")
    for y, m in enumerate(means[::-1]):
        ax.text(min(m + 1, 90), y, f"{m:.0f}%", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / f"{assignment}-tasks.png")
    plt.close(fig)
    return means, yticks


def _table(header, rows):
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _num(value, fmt="{:g}"):
    return "-" if value is None else fmt.format(value)


def write_html(data, out, jail="", warnings=()):
    e = html.escape
    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>Class report</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f4f4f4}"
             ".warn{background:#fff4e5;border-left:4px solid #dd8452;padding:.5em 1em}</style>",
             "</head><body><h1>Class report</h1>"]
    if jail:
        parts.append(f"<p><b>How student code ran:</b> {e(jail)}.</p>")
    for w in warnings:
        parts.append(f"<p class='warn'>{e(w)}</p>")
    for a, d in data.items():
        rows = d["rows"]
        stats = statistics_of(d)
        means, _ = _plots(a, d, stats, out)
        parts.append(f"<h2 id='{e(a)}'>{e(a)}</h2>")
        parts.append("<p>The statistics count the graded students only; those who could not "
                     "be graded or did not submit are listed apart below.</p>")
        parts.append(_table(["students", "graded", "could not be graded", "grader errors",
                             "missing", "mean score", "median", "maximum (best score)", "out of"],
                            [[stats["students"], stats["graded"], stats["ungradeable"],
                              stats["errors"], stats["missing"], _num(stats["mean"], "{:.2f}"),
                              _num(stats["median"]), _num(stats["best"]),
                              f"{stats['out_of']:g}"]]))
        parts.append(f"<img src='{e(a)}-scores.png' alt='histogram of scores'> "
                     f"<img src='{e(a)}-tasks.png' alt='mean score per task'>")
        parts.append("<h3>Tasks</h3>")
        task_rows = [[task, f"{d['tasks'][task]:g}", f"{mean:.0f}%" if stats["graded"] else "-",
                      f"{stats['full_marks'][task]} of {stats['graded']}"]
                     for task, mean in zip(d["tasks"], means)]
        parts.append(_table(["task", "points", "mean score", "full marks"], task_rows))
        parts.append("<h3>What to tell the class: the most common mistakes</h3>")
        found = False
        for task, entries in mistakes(d).items():
            if not entries:
                continue
            found = True
            parts.append(f"<h4>{e(task)}</h4>")
            parts.append(_table(["what the students were told", "students", "who"],
                                [[m, len(s), ", ".join(s)] for m, s in entries]))
        if not found:
            parts.append("<p>No graded student failed a test.</p>")
        per_student = [[r["student"], f"{r['score']:g}",
                        "; ".join(f"{t}: {' / '.join(dict.fromkeys(ms))}"
                                  for t, ms in r["failures"].items())]
                       for r in rows if r["status"] in GRADED and r["failures"]]
        parts.append("<h3>Failed tasks, per student</h3>")
        parts.append(_table(["student", "score", "failed tasks and why"], per_student)
                     if per_student else "<p>None.</p>")
        bad = [[r["student"], r["status"], r["reason"]] for r in rows if r["status"] in NOT_GRADED]
        parts.append("<h3>Not graded: could not be graded, grader errors, missing</h3>")
        parts.append(_table(["student", "status", "why"], bad) if bad else "<p>None.</p>")
        flagged = [[r["student"], _num(r["score"]), "; ".join([*r["flags"], *r["notes"]])]
                   for r in rows if r["flags"] or r["notes"]]
        parts.append("<h3>Flags: untouched notebooks, manual grading, what the grader noticed</h3>")
        parts.append(_table(["student", "score", "flags and notes"], flagged) if flagged
                     else "<p>None.</p>")
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write(settings, engine, assignments, out=None, jail="", warnings=()):
    """Write grades.csv, report.html and the plots; return the report's path."""
    out = Path(out) if out else settings.course / "reports"
    out.mkdir(parents=True, exist_ok=True)
    data = collect(settings, engine, list(assignments))
    write_csv(data, out / "grades.csv")
    return write_html(data, out, jail=jail, warnings=warnings)
