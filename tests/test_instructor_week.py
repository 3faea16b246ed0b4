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
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grader_class
from autograder import feedback, pipeline

A1 = grader_class.ASSIGNMENT
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
    release = grader_class.make_course(course)
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
