"""An instructor's week with ``autograder``: feedback, the class report, the course folder.

A small class on assignment 1 is graded by the real pipeline (``autograder
grade``), then checked as an instructor would read the results:

* the feedback pages show no hidden test (no source line of one, none of the
  reference functions' names, none of the hidden inputs), run none of a
  student's HTML or JavaScript, and render their math offline in chromium;
* the class report's statistics, checked by hand against the students'
  expected scores: ungradeable and missing students are listed apart and
  left out of the mean, the median and the task means; their CSV cells are
  blank; a manual grade shows in the CSV and the regenerated feedback alike.
"""
from __future__ import annotations

import csv
import json
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

import grader_class
from autograder import feedback, pipeline

A1 = grader_class.ASSIGNMENT
A2 = "a2_recurrent_layers"
NOTEBOOK = grader_class.NOTEBOOK
OPTIONS = dict(memory_mb=1536, processes=64, interrupt_grace=3, student_timeout=180)

# What a hidden test holds and a student must never see: its source, the
# reference implementations' names, the generators of its inputs.
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "_reference_step", "_reference_unroll",
                  "_reference_average", "_linear_neuron", "fresh_rng", "signed_uniform",
                  "for T, n_inputs in", "for n_inputs in (1, 2")

SCRIPT_MARKDOWN = """## My notes

<script>document.title = 'PWNED-MARKDOWN';</script>
<img src="x" onerror="document.title = 'PWNED-ONERROR'">
<a href="javascript:document.title='PWNED-HREF'">click</a>
<iframe src="https://example.org"></iframe>

The state is $\\hat{y}_{(t)} = \\tanh(z)$.
"""

SCRIPT_OUTPUT = """from IPython.display import HTML, Javascript, SVG, display
display(HTML("<b>bold</b><script>document.title = 'PWNED-OUTPUT'</script>"
             "<img src=x onerror=\\"document.title='PWNED-IMG'\\">"))
display(Javascript("document.title = 'PWNED-JS'"))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>document.title="PWNED-SVG"</script></svg>'))
"""
PWNED = re.compile(r"PWNED-\w+")


def hidden_sources():
    """The lines of every hidden-test region of the assignment's source notebook."""
    lines = []
    for cell in grader_class.source_notebook().cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 25:
                lines.append(line.strip())
    return lines


def grade(course, **kwargs):
    kwargs.setdefault("workers", 2)
    kwargs.setdefault("cell_timeout", 10)
    kwargs.setdefault("progress", False)
    return pipeline.grade(course, [A1], options={**OPTIONS, **kwargs.pop("options", {})}, **kwargs)


@pytest.fixture(scope="module")
def week(tmp_path_factory):
    course = tmp_path_factory.mktemp("week") / "course"
    grader_class.builder.make_course(course, [A2, A1])
    release = nbformat.read(course / "exercises" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
    # another assignment, graded first: grading A1 must keep its rows
    nb2 = next((course / "exercises" / A2).glob("*.ipynb"))
    (course / "submitted" / "ada" / A2).mkdir(parents=True)
    shutil.copyfile(nb2, course / "submitted" / "ada" / A2 / nb2.name)
    first = pipeline.grade(course, [A2], workers=1, cell_timeout=10, progress=False,
                           feedback=False, options=OPTIONS)
    assert first.graded == 1, first.results
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        gb.add_student("fay")  # on the roll, submits nothing
    ref = grader_class.reference_answers()
    wrong = next(a.code for a in grader_class.catalogue.WRONG[A1] if a.task == "unroll_neuron")

    def with_notes(nb):
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(SCRIPT_MARKDOWN))
        return nb

    students = {
        "ada": grader_class.submission(release, ref),
        "ben": grader_class.submission(release, {**ref, "unroll_neuron": wrong}),
        "cy": with_notes(grader_class.submission(
            release, {**ref, "neuron_step": ref["neuron_step"] + SCRIPT_OUTPUT})),
        "dee": grader_class.submission(release),  # untouched
    }
    for student, nb in students.items():
        folder = course / "submitted" / student / A1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    truncated = nbformat.writes(students["ada"]).encode()
    folder = course / "submitted" / "eve" / A1
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.ipynb").write_bytes(truncated[: len(truncated) * 2 // 3])
    summary = grade(course)
    return course, summary, release


def feedback_page(course, student):
    return course / "feedback" / student / A1 / f"{NOTEBOOK}.html"


# --------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------

def test_feedback_shows_no_hidden_test(week):
    course, summary, _ = week
    assert summary.errors == 0, summary.results
    hidden = hidden_sources()
    assert len(hidden) > 20  # the check below has something to find
    autograded = (course / "autograded" / "ben" / A1 / f"{NOTEBOOK}.ipynb").read_text()
    assert "_reference_unroll" in autograded  # nbgrader's autograded notebook does hold them
    for student in ("ada", "ben", "cy", "dee"):
        text = feedback_page(course, student).read_text()
        for marker in HIDDEN_MARKERS:
            assert marker not in text, (student, marker)
        leaked = [line for line in hidden if line in text or _html_escaped(line) in text]
        assert leaked == [], (student, leaked[:3])
    # the student still learns why a test failed
    ben = feedback_page(course, "ben").read_text()
    assert "hidden tests are not shown" in ben
    assert "unroll_neuron" in ben and "Score: 4.0 / 7.0" in ben


def _html_escaped(text):
    import html

    return html.escape(text, quote=False)


def test_the_feedback_preprocessor_on_its_own():
    from traitlets.config import Config

    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell("check(f)\n### BEGIN HIDDEN TESTS\ndef _ref(): pass\n"
                                     "### END HIDDEN TESTS\nprint('done')")
    test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    test.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="f is wrong",
                                           traceback=["----> 3 def _ref(): pass", "CheckFailed"]),
                    nbformat.v4.new_output("display_data", data={
                        "application/javascript": "alert(1)", "text/plain": "<JS>"})]
    nb.cells = [nbformat.v4.new_markdown_cell("a\n### BEGIN HIDDEN TESTS\nsecret\n"
                                              "### END HIDDEN TESTS\nb"),
                test, nbformat.v4.new_code_cell("x = 1\n### BEGIN HIDDEN TESTS\nsecret = 2\n")]
    nb, _ = feedback.SafeFeedback(config=Config()).preprocess(nb, {})
    text = json.dumps(nb)
    assert "secret" not in text and "_ref" not in text
    assert nb.cells[0].source == "a\n" + feedback.HIDDEN_NOTE + "\nb"
    assert nb.cells[1].source.endswith("print('done')")  # the visible part stays
    assert nb.cells[1].outputs[0]["traceback"] == ["CheckFailed: f is wrong"]
    assert nb.cells[1].outputs[1]["data"] == {"text/plain": "<JS>"}
    # a course's own delimiters (ClearHiddenTests) are honoured
    config = Config()
    config.ClearHiddenTests.begin_test_delimeter = "HIDE FROM HERE"
    config.ClearHiddenTests.end_test_delimeter = "HIDE TO HERE"
    cell = nbformat.v4.new_code_cell("a\n# HIDE FROM HERE\nsecret\n# HIDE TO HERE\nb")
    nb2 = nbformat.v4.new_notebook(cells=[cell])
    nb2, _ = feedback.SafeFeedback(config=config).preprocess(nb2, {})
    assert "secret" not in nb2.cells[0].source and nb2.cells[0].source.endswith("b")


def test_the_page_sanitiser_on_its_own():
    page = ("<html><head><script src='https://cdn.example/mathjax.js'></script></head><body>"
            "<p onclick='x()'>hi</p><script>evil()</script><a href='javascript:evil()'>l</a>"
            "<img src='data:image/png;base64,AAAA'><img src='https://tracker.example/p.png'>"
            # nbgrader's template wraps nbconvert's whole page: a nested <body> and <html>
            "<div class='output'>$x^2$</div><body class='jp-Notebook'><p>cell</p></body>"
            "</body></html>")
    out = feedback.rewrite_page(page)
    assert "&lt;body" not in out and "&lt;/body" not in out and "&lt;html" not in out
    tags = _Tags(out[out.index("<body"):]).tags
    assert [t for t, _ in tags if t == "script"] == []
    assert all(not k.startswith("on") for _, a in tags for k in a)
    srcs = [a.get("src") for t, a in tags if t == "img"]
    assert srcs == ["data:image/png;base64,AAAA", None]
    assert [a.get("href") for t, a in tags if t == "a"] == [None]
    assert "&lt;script&gt;evil()&lt;/script&gt;" in out  # shown as text
    assert "cdn.example" not in out and feedback.MATHJAX_ENTRY in out and "$x^2$" in out


class _Tags(__import__("html.parser").parser.HTMLParser):
    """Every element of a page, with its attributes (what a browser would build)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_feedback_runs_nothing_a_student_wrote(week):
    course, _, _ = week
    text = feedback_page(course, "cy").read_text()
    body = text[text.find("<body"):]
    assert "My notes" in body and "<b>bold</b>" in body  # shown, with its formatting
    tags = _Tags(body).tags
    assert [t for t, _ in tags if t in ("script", "iframe", "object", "embed", "svg", "style")] == []
    handlers = [(t, a) for t, a in tags for name in a if name.lower().startswith("on")]
    assert handlers == []
    urls = [v for _, a in tags for k, v in a.items() if k in ("href", "src") and v]
    assert [u for u in urls if u.strip().lower().startswith("javascript:")] == []
    # the JavaScript and SVG outputs were made, and are dropped: only the code shows them
    outputs = json.dumps([c.get("outputs", []) for c in nbformat.read(
        course / "autograded" / "cy" / A1 / f"{NOTEBOOK}.ipynb", as_version=4).cells])
    assert "application/javascript" in outputs and "image/svg+xml" in outputs
    assert text.count("PWNED-JS") == 1 and text.count("PWNED-SVG") == 1
    assert text.count("PWNED-OUTPUT") == 2  # the code, and the HTML output's script as text
    # the head is the grader's own: its scripts are MathJax's, local
    head_tags = _Tags(text[:text.find("<body")]).tags
    scripts = [a.get("src") for t, a in head_tags if t == "script"]
    assert scripts == [None, feedback.MATHJAX_ENTRY]
    remote = [(t, a) for t, a in _Tags(text).tags
              if re.match(r"\s*(https?:)?//", a.get("src") or "")]
    assert remote == [], "a script, frame or image from the network"
    # and the other pages were rewritten the same way
    for student in ("ada", "ben", "dee"):
        page = feedback_page(course, student).read_text()
        assert [t for t, _ in _Tags(page[page.find("<body"):]).tags if t == "script"] == []


def test_feedback_math_is_served_next_to_the_page(week):
    course, _, _ = week
    folder = feedback_page(course, "cy").parent
    assert (folder / feedback.MATHJAX_ENTRY).is_file()
    assert (folder / "mathjax" / "ui" / "safe.js").is_file()
    assert f'src="{feedback.MATHJAX_ENTRY}"' in feedback_page(course, "cy").read_text()


@pytest.fixture(scope="module")
def browser():
    import _browser

    yield from _browser.launch()


MATH_JS = """async () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return {loaded: false};
  await MathJax.startup.promise;
  return {loaded: true, typeset: document.querySelectorAll('mjx-container').length,
          errors: document.querySelectorAll('mjx-merror').length,
          title: document.title};
}"""


@pytest.mark.slow
def test_a_feedback_page_renders_its_math_offline_in_a_browser(week, browser):
    course, _, _ = week
    page_path = feedback_page(course, "cy")
    context = browser.new_context(service_workers="block")
    external = []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(page_path.as_uri(), wait_until="load")
        math = page.evaluate(MATH_JS)
        text = page.evaluate("() => document.body.innerText")
    finally:
        context.close()
    assert external == [], "the page tried to reach the network"
    assert math["loaded"], "MathJax did not load from mathjax/ next to the page"
    assert math["typeset"] >= 2 and math["errors"] == 0, math
    assert "\\hat{y}" not in text  # the student's markdown math was typeset too
    assert "PWNED" not in math["title"] and errors == []
    for marker in HIDDEN_MARKERS:
        assert marker not in text


# --------------------------------------------------------------------------
# The class report
# --------------------------------------------------------------------------

MANUAL = 1.5  # points the instructor gives ben's unroll_neuron test by hand


@pytest.fixture(scope="module")
def regraded(week):
    """ben gets a manual grade, then everyone is graded again with --force."""
    course, _, _ = week
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        cell = gb.find_grade("test_unroll_neuron", NOTEBOOK, A1, "ben")
        cell.manual_score = MANUAL
        gb.db.commit()
    return course, grade(course, force=True)


def csv_rows(course):
    with open(course / "reports" / "grades.csv", encoding="utf-8") as f:
        return {(r["assignment"], r["student"]): r for r in csv.DictReader(f)}


def expected_scores():
    """By hand: the points of the tasks each student answered correctly."""
    points = {t: sum(v.values()) for t, v in grader_class.tasks_of(grader_class.source_notebook()).items()}
    total = sum(points.values())
    return points, {"ada": total, "ben": total - points["unroll_neuron"] + MANUAL, "cy": total,
                    "dee": 0.0}


def test_the_csv_keeps_other_assignments_and_leaves_the_ungraded_blank(regraded):
    course, summary = regraded
    assert summary.errors == 0
    rows = csv_rows(course)
    points, expected = expected_scores()
    assert (A2, "ada") in rows  # graded earlier, kept
    assert rows[(A2, "ada")]["status"] == "graded"
    for student, score in expected.items():
        assert float(rows[(A1, student)]["score"]) == score, student
        assert rows[(A1, student)]["status"] == "graded"
    for student, status in (("eve", "ungradeable"), ("fay", "missing")):
        row = rows[(A1, student)]
        assert row["status"] == status
        assert row["score"] == "" and row["percent"] == "" and row[f"{A1}:neuron_step"] == ""
    assert "looks truncated (unterminated string at line" in rows[(A1, "eve")]["reason"]
    assert "untouched" in rows[(A1, "dee")]["flags"]
    assert "needs a manual grade: test_unroll_neuron" in rows[(A1, "ben")]["flags"]
    assert rows[(A1, "ada")]["flags"] == ""


def test_the_feedback_total_is_the_csv_total_after_a_manual_grade(regraded):
    course, _ = regraded
    rows = csv_rows(course)
    for student in ("ada", "ben", "cy", "dee"):
        text = feedback_page(course, student).read_text()
        total = float(rows[(A1, student)]["score"])
        assert f"(Score: {total} / {grader_class.max_score()})" in text, student
    _, expected = expected_scores()
    assert float(rows[(A1, "ben")]["score"]) == expected["ben"]  # the manual grade counts


def _cells(html_text, heading):
    """The rows of the first table after ``heading`` in the report."""
    import html as html_mod

    part = html_text[html_text.index(heading):]
    table = part[part.index("<table>"):part.index("</table>")]
    return [[html_mod.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", table)[1:]]


def test_the_report_statistics_count_only_graded_students(regraded):
    course, _ = regraded
    points, expected = expected_scores()
    text = (course / "reports" / "report.html").read_text()
    assert f"id='{A2}'" in text and f"id='{A1}'" in text
    a1 = text[text.index(f"id='{A1}'"):]
    scores = list(expected.values())
    (summary_row,) = _cells(a1, "<table>")
    assert summary_row == [
        "6", "4", "1", "0", "1", f"{statistics.fmean(scores):.2f}",
        f"{statistics.median(scores):g}", f"{max(scores):g}", f"{sum(points.values()):g}"]
    tasks = {r[0]: r for r in _cells(a1, "<h3>Tasks</h3>")}
    manual = {"unroll_neuron": MANUAL}
    for task, p in points.items():
        got = [p, p, p, 0.0] if task != "unroll_neuron" else [p, manual[task], p, 0.0]
        assert tasks[task][2] == f"{100 * statistics.fmean(got) / p:.0f}%", task
        assert tasks[task][3] == f"{sum(g == p for g in got)} of 4"
    not_graded = {r[0]: r for r in _cells(a1, "Not graded")}
    assert sorted(not_graded) == ["eve", "fay"]
    assert not_graded["fay"][1] == "missing"
    flags = {r[0]: r[2] for r in _cells(a1, "<h3>Flags")}
    assert "untouched" in flags["dee"] and "needs a manual grade" in flags["ben"]
    assert "ada" not in flags


def test_the_report_says_what_to_tell_the_class(regraded):
    course, _ = regraded
    text = (course / "reports" / "report.html").read_text()
    a1 = text[text.index(f"id='{A1}'"):]
    part = a1[a1.index("most common mistakes"):]
    unroll = _cells(part, "<h4>unroll_neuron</h4>")
    messages = {r[0]: (int(r[1]), r[2]) for r in unroll}
    zero_state = [m for m in messages if "must start from a zero state" in m]
    assert len(zero_state) == 1 and messages[zero_state[0]] == (1, "ben")
    not_written = [m for m in messages if "not written yet" in m]
    assert len(not_written) == 1 and messages[not_written[0]] == (1, "dee")
    per_student = {r[0]: r[2] for r in _cells(a1, "Failed tasks, per student")}
    assert sorted(per_student) == ["ben", "dee"]
    assert per_student["ben"].startswith("unroll_neuron: ")
    assert all(t in per_student["dee"] for t in ("neuron_step", "unroll_neuron", "ema_weights"))


def test_a_submission_not_graded_has_its_log(regraded):
    course, _ = regraded
    log = (course / "reports" / "logs" / A1 / "eve.log").read_text()
    assert log.startswith("ungradeable: ") and "looks truncated" in log


def test_the_histogram_counts_whole_students(regraded, tmp_path):
    from autograder import report, settings, store

    course, _ = regraded
    s = settings.resolve(course)
    data = report.collect(s, store.make_engine(s.db_url), [A1])
    stats = report.statistics_of(data[A1])
    assert stats["graded"] == 4 and stats["missing"] == 1 and stats["ungradeable"] == 1
    _, ticks = report._plots(A1, data[A1], stats, tmp_path)
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    assert (tmp_path / f"{A1}-scores.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.slow
def test_a_page_without_its_mathjax_folder_falls_back_to_the_cdn(week, browser, tmp_path):
    course, _, _ = week
    alone = tmp_path / "page.html"  # as nbgrader's release_feedback copies it: the page only
    shutil.copyfile(feedback_page(course, "ada"), alone)
    context = browser.new_context(service_workers="block")
    requested = []

    def route(r):
        requested.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    try:
        page.goto(alone.as_uri(), wait_until="load")
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert any(u.endswith("/mathjax/tex-chtml-full.js") for u in requested)
    assert feedback.MATHJAX_CDN in requested  # tried, and only because the local copy is missing
