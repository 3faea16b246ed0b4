"""grades.csv and the class report, from the gradebook.

:func:`write` reads the main gradebook (scores, with manual grades where an
instructor gave them) and the grader's ``rnnlib_grading`` table (status,
reasons, notes), and writes into ``<course>/reports/`` (or ``out``):

* ``grades.csv``: one row per student and assignment: status, score, maximum,
  late penalty, reason, and the score of every task;
* ``report.html`` with, per assignment, ``<assignment>-scores.png`` (the
  histogram of scores) and ``<assignment>-tasks.png`` (the mean score of each
  task, as a share of its points: the task the class failed stands out),
  the submissions that could not be graded and why, and what the grader
  noticed in the others (restored test cells, timeouts, crashed kernels).

A *task* is an answer cell with the test cells that follow it in the
assignment's notebook (read from ``release/`` or ``source/``); test cells
with no answer cell before them are tasks of their own.
"""
from __future__ import annotations

import csv
import html
import json
import statistics
from pathlib import Path

from . import store


def _tasks(settings, assignment, notebook):
    """``{test cell id: task id}`` in notebook order, or None."""
    import nbformat

    for kind in ("release", "source"):
        path = settings.course / settings.dirs[kind] / assignment / f"{notebook}.ipynb"
        if path.is_file():
            nb = nbformat.read(path, as_version=4)
            out, current = {}, None
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and not meta.get("grade"):
                    current = meta.get("grade_id")
                elif meta.get("grade"):
                    out[meta["grade_id"]] = current or meta["grade_id"]
            return out
    return None


def collect(settings, engine, assignments):
    """``{assignment: {"tasks": {task: points}, "rows": [...]}}`` from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    statuses = {(r["assignment"], r["student"]): r for r in store.all_statuses(engine)}
    data = {}
    with Gradebook(settings.db_url, settings.course_id) as gb:
        for a in assignments:
            try:
                assignment = gb.find_assignment(a)
            except MissingEntry:
                continue
            task_of, tasks = {}, {}
            for nb in assignment.notebooks:
                order = _tasks(settings, a, nb.name) or {}
                for cell in sorted(nb.grade_cells, key=lambda c: list(order).index(c.name)
                                   if c.name in order else len(order)):
                    task = order.get(cell.name, cell.name)
                    task_of[(nb.name, cell.name)] = task
                    tasks[task] = tasks.get(task, 0.0) + float(cell.max_score)
            rows = []
            for sub in assignment.submissions:
                per_task = dict.fromkeys(tasks, 0.0)
                penalty = 0.0
                for snb in sub.notebooks:
                    penalty += snb.late_submission_penalty or 0.0
                    for grade in snb.grades:
                        task = task_of.get((snb.name, grade.name))
                        if task is not None:
                            per_task[task] += grade.score or 0.0
                row = statuses.get((a, sub.student_id), {})
                rows.append({
                    "assignment": a, "student": sub.student_id,
                    "status": row.get("status") or "graded (nbgrader)",
                    "score": sum(per_task.values()) - penalty, "max_score": sum(tasks.values()),
                    "late_penalty": penalty, "reason": row.get("reason") or "",
                    "notes": json.loads(row["notes"]) if row.get("notes") else [],
                    "tasks": per_task,
                })
            for (sa, student), row in statuses.items():  # recorded but never in the gradebook
                if sa == a and row["status"] == "error":
                    rows.append({"assignment": a, "student": student, "status": "error",
                                 "score": None, "max_score": sum(tasks.values()), "late_penalty": 0.0,
                                 "reason": row["reason"] or "", "notes": [], "tasks": {}})
            rows.sort(key=lambda r: r["student"])
            data[a] = {"tasks": tasks, "rows": rows}
    return data


def write_csv(data, path):
    task_columns = [f"{a}:{t}" for a, d in data.items() for t in d["tasks"]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["assignment", "student", "status", "score", "max_score", "percent",
                         "late_penalty", "reason", *task_columns])
        for a, d in data.items():
            for r in d["rows"]:
                score = r["score"]
                percent = "" if score is None or not r["max_score"] else round(100 * score / r["max_score"], 1)
                tasks = {f"{a}:{t}": v for t, v in r["tasks"].items()}
                writer.writerow([a, r["student"], r["status"], "" if score is None else score,
                                 r["max_score"], percent, r["late_penalty"], r["reason"],
                                 *[tasks.get(c, "") for c in task_columns]])


def _plots(assignment, d, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scores = [r["score"] for r in d["rows"] if r["score"] is not None]
    maximum = sum(d["tasks"].values()) or 1.0
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    bins = max(5, min(20, int(maximum) + 1))
    ax.hist(scores, bins=bins, range=(0, maximum), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"score (of {maximum:g})")
    ax.set_ylabel("students")
    ax.set_title(f"{assignment}: scores of {len(scores)} students")
    fig.tight_layout()
    fig.savefig(out / f"{assignment}-scores.png")
    plt.close(fig)

    tasks = list(d["tasks"])
    means = []
    for task in tasks:
        values = [r["tasks"].get(task, 0.0) for r in d["rows"] if r["score"] is not None]
        means.append(100 * statistics.fmean(values) / d["tasks"][task] if values and d["tasks"][task] else 0.0)
    fig, ax = plt.subplots(figsize=(6, 0.5 + 0.45 * max(1, len(tasks))), dpi=100)
    colors = ["#c44e52" if m < 50 else "#dd8452" if m < 75 else "#55a868" for m in means]
    ax.barh(tasks[::-1], means[::-1], color=colors[::-1])
    ax.set_xlim(0, 100)
    ax.set_xlabel("mean score, % of the task's points")
    ax.set_title(f"{assignment}: mean score per task")
    for y, m in enumerate(means[::-1]):
        ax.text(min(m + 1, 90), y, f"{m:.0f}%", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / f"{assignment}-tasks.png")
    plt.close(fig)
    return means


def _table(header, rows):
    e = html.escape
    head = "".join(f"<th>{e(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
        scores = [r["score"] for r in rows if r["score"] is not None]
        means = _plots(a, d, out)
        counts = {s: sum(r["status"] == s for r in rows) for s in ("graded", "ungradeable", "error")}
        parts.append(f"<h2>{e(a)}</h2>")
        parts.append(_table(["students", "graded", "could not be graded", "grader errors",
                             "mean score", "median", "maximum"],
                            [[len(rows), counts["graded"], counts["ungradeable"], counts["error"],
                              f"{statistics.fmean(scores):.2f}" if scores else "-",
                              f"{statistics.median(scores):g}" if scores else "-",
                              f"{sum(d['tasks'].values()):g}"]]))
        parts.append(f"<img src='{e(a)}-scores.png' alt='histogram of scores'> "
                     f"<img src='{e(a)}-tasks.png' alt='mean score per task'>")
        parts.append("<h3>Tasks</h3>")
        task_rows = []
        for task, mean in zip(d["tasks"], means):
            full = sum(r["tasks"].get(task) == d["tasks"][task] for r in rows if r["score"] is not None)
            task_rows.append([task, f"{d['tasks'][task]:g}", f"{mean:.0f}%",
                              f"{full} of {len(scores)}"])
        parts.append(_table(["task", "points", "mean score", "full marks"], task_rows))
        bad = [[r["student"], r["status"], r["reason"]] for r in rows
               if r["status"] in ("ungradeable", "error")]
        parts.append("<h3>Submissions that could not be graded</h3>")
        parts.append(_table(["student", "status", "why"], bad) if bad else "<p>None.</p>")
        noted = [[r["student"], f"{r['score']:g}" if r["score"] is not None else "-",
                  "; ".join(r["notes"])] for r in rows if r["notes"]]
        parts.append("<h3>What the grader noticed</h3>")
        parts.append(_table(["student", "score", "notes"], noted) if noted else "<p>Nothing.</p>")
    parts.append("</body></html>")
    path = out / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def write(settings, engine, assignments, out=None, jail="", warnings=()):
    """Write grades.csv, report.html and the plots; return the report's path."""
    out = Path(out) if out else settings.course / "reports"
    out.mkdir(parents=True, exist_ok=True)
    data = collect(settings, engine, assignments)
    write_csv(data, out / "grades.csv")
    return write_html(data, out, jail=jail, warnings=warnings)
