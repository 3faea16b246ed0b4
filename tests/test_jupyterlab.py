"""The student's view of an exercise: JupyterLab, nbgrader's Validate button, a browser.

A real ``jupyter lab`` (the course's .venv, with nbgrader's lab and server
extensions) serves a temporary folder holding two copies of assignment 1's
student notebook: one as released (every answer still ``raise
NotImplementedError()``) and one whose answer cells hold the reference
solutions. Debian's chromium, driven by Playwright, opens each notebook, clicks
the "Validate" button that nbgrader adds to the notebook toolbar, and reads the
dialog: the answered notebook must pass, the untouched one must report its
failing test cells. That is the round trip a student makes before submitting:
the lab extension, the ``/assignments/validate`` server extension, nbgrader's
validator and the kernel that runs the notebook.

The server runs with temporary Jupyter config, data and runtime folders (so
nothing in ~/.jupyter is read or written) and never fetches news or updates.
Every browser request that is not for the server on 127.0.0.1 is aborted and
counted as a failure, and chromium cannot resolve any host name. Screenshots go
to test-artifacts/screenshots/jupyterlab-*.png and the server's log to
test-artifacts/jupyterlab-server.log. Without chromium these tests skip, except
under CI=true where they fail.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import _browser


REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
SERVER_LOG = ARTIFACTS / "jupyterlab-server.log"
ASSIGNMENT, NOTEBOOK = "a1_recurrent_neurons", "recurrent_neurons.ipynb"
STUDENT_NB = REPO / "exercises" / ASSIGNMENT / NOTEBOOK
SOLUTION_NB = REPO / "solutions" / ASSIGNMENT / NOTEBOOK
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.MULTILINE)
STUDENT_STUB = "raise NotImplementedError()"
# Generous: a loaded 2-core machine starts the server, the kernel and the lab slowly.
SERVER_START_S = 120
UI_TIMEOUT_MS = 60_000
VALIDATE_TIMEOUT_MS = 120_000


# --------------------------------------------------------------------------- notebooks


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _nbgrader(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def answered_notebook():
    """The student notebook with each answer cell replaced by its reference solution.

    Answer cells are matched by nbgrader's grade_id; the solution markers are
    dropped, so the cell reads as a student would have written it.
    """
    student = json.loads(STUDENT_NB.read_text(encoding="utf-8"))
    solution = json.loads(SOLUTION_NB.read_text(encoding="utf-8"))
    answers = {_nbgrader(c)["grade_id"]: _source(c)
               for c in solution["cells"] if _nbgrader(c).get("solution")}
    filled = []
    for cell in student["cells"]:
        meta = _nbgrader(cell)
        if meta.get("solution"):
            assert STUDENT_STUB in _source(cell), f"answer cell {meta['grade_id']} has no stub"
            assert meta["grade_id"] in answers, f"no reference solution for {meta['grade_id']}"
            cell["source"] = SOLUTION_MARKERS.sub("", answers[meta["grade_id"]])
            filled.append(meta["grade_id"])
    assert filled and sorted(filled) == sorted(answers), (filled, sorted(answers))
    return student


def answer_functions(notebook_path):
    """Names of the functions the notebook's answer cells define."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [name for c in nb["cells"] if _nbgrader(c).get("solution")
            for name in re.findall(r"^def (\w+)\(", _source(c), re.MULTILINE)]


def graded_cells(notebook_path):
    """grade_ids of the notebook's test cells that carry points."""
    nb = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [_nbgrader(c)["grade_id"] for c in nb["cells"]
            if _nbgrader(c).get("grade") and _nbgrader(c).get("points", 0) > 0]


@pytest.fixture(scope="module")
def course_folder(tmp_path_factory):
    """The server's root: student/<nb> (as released) and answered/<nb> (solutions filled in)."""
    root = tmp_path_factory.mktemp("jupyterlab-root")
    (root / "student").mkdir()
    (root / "answered").mkdir()
    (root / "student" / NOTEBOOK).write_bytes(STUDENT_NB.read_bytes())
    (root / "answered" / NOTEBOOK).write_text(json.dumps(answered_notebook(), indent=1),
                                              encoding="utf-8")
    return root


# --------------------------------------------------------------------------- server


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(lines=40):
    try:
        return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


def _stop(proc, base, token):
    """Ask the server to shut down (it stops its kernels), then end its process group."""
    if proc.poll() is None:
        try:
            req = urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=10).close()
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def lab(course_folder, tmp_path_factory):
    """`jupyter lab` on 127.0.0.1 (a free port, a token) serving course_folder."""
    jupyter = VENV_BIN / "jupyter"
    assert jupyter.exists(), f"{jupyter} is missing: run `make setup`"
    home = tmp_path_factory.mktemp("jupyter-home")
    env = {k: v for k, v in os.environ.items()
           if k not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH")}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "config" / "lab" / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "config" / "lab" / "workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONHASHSEED="0",
    )
    # "Never" for the lab's question whether to fetch Jupyter news (a toast over the notebook).
    notification = (Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
                    / "notification.jupyterlab-settings")
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false"}))
    # No check whether the lab needs a rebuild (an administrator's question, not a
    # student's): it reads every extension's metadata while the page loads.
    page_config = Path(env["JUPYTER_CONFIG_DIR"]) / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True)
    page_config.write_text(json.dumps({"buildCheck": False, "buildAvailable": False}))
    port, token = _free_port(), secrets.token_hex(24)
    base = f"http://127.0.0.1:{port}"
    cmd = [
        str(jupyter), "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={course_folder}",
        # No server-side requests to the internet: no news feed, no update check.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:  # containers and CI runners often run as root
        cmd.append("--allow-root")
    ARTIFACTS.mkdir(exist_ok=True)
    with open(SERVER_LOG, "w") as log:
        # The validator reads nbgrader_config.py from the server's working folder;
        # a student's folder has none, so neither has this one.
        proc = subprocess.Popen(cmd, cwd=course_folder, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyter lab exited with {proc.returncode}; log tail:\n{_log_tail()}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as r:
                    if r.status == 200 and "started" in json.load(r):
                        break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab not ready after {SERVER_START_S} s; log tail:\n{_log_tail()}")
            time.sleep(0.25)  # polling interval of the readiness loop
        yield {"base": base, "token": token, "root": course_folder}
    finally:
        _stop(proc, base, token)


# --------------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def browser():
    yield from _browser.launch()


@pytest.fixture(scope="module")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("jupyterlab-*.png"):
        old.unlink()
    return SCREENSHOTS


class LabPage:
    """A fresh browser context on the lab, recording whatever went wrong."""

    def __init__(self, browser, lab):
        self.base, self.token = lab["base"], lab["token"]
        self.host = urlsplit(self.base).netloc
        self.external, self.console_errors, self.failed_requests = [], [], []
        self.bad_responses, self.websockets = [], []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           service_workers="block")
        self.context.route("**/*", self._route)
        page = self.page = self.context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(f"uncaught: {e}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.bad_responses.append(
            f"{r.status} {r.request.method} {r.url}"))
        page.on("websocket", lambda ws: self.websockets.append(ws.url))

    def _route(self, route):
        url = route.request.url
        if urlsplit(url).netloc == self.host:
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def _failed(self, request):
        if urlsplit(request.url).netloc == self.host:  # external ones are in self.external
            self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def open_notebook(self, path, workspace):
        """Open <path> in a fresh lab workspace; wait until it is rendered and its kernel idle."""
        from playwright.sync_api import expect

        page = self.page
        # A workspace of its own: the lab would otherwise reopen what an earlier test left open.
        page.goto(f"{self.base}/lab/workspaces/{workspace}/tree/{path}?token={self.token}",
                  wait_until="load")
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible")
        panel.locator(".jp-MarkdownOutput h1", has_text="Assignment 1").wait_for(state="visible")
        # The lab starts a kernel for the notebook; the status bar says when it is idle
        # ("No Kernel | Initializing", then "Python 3 (ipykernel) | Idle").
        kernel = page.locator("#jp-main-statusbar .jp-StatusBar-TextItem[title^='Change kernel']")
        expect(kernel).to_have_text(re.compile(r"^Python 3.*\|\s*Idle$"), timeout=UI_TIMEOUT_MS)
        assert page.locator(".jp-NotebookPanel").count() == 1, "more than one notebook open"
        assert page.locator(".jp-Dialog").count() == 0, page.locator(".jp-Dialog").inner_text()
        return panel

    def validate(self, panel):
        """Click nbgrader's Validate button; return the dialog that shows the results."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        # nbgrader's toolbar item: <jp-button class="validate-button ..." title="Validate Assignment">
        button = panel.locator(".jp-NotebookPanel-toolbar jp-button.validate-button")
        try:
            button.wait_for(state="visible")
        except PlaywrightTimeout:
            pytest.fail("no Validate button in the notebook toolbar: is nbgrader's lab "
                        "extension (@jupyter/nbgrader) installed and enabled?")
        assert button.inner_text().strip() == "Validate"
        button.click()
        # The button saves the notebook, then asks the server to validate it; any
        # outcome, including "Validation failed: Cannot validate", is a dialog.
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(state="visible", timeout=VALIDATE_TIMEOUT_MS)
        assert dialog.locator("#validation-message").count() == 1, \
            f"nbgrader could not validate: {dialog.inner_text()}"
        return dialog

    def close_dialog(self, dialog):
        dialog.locator("button.jp-mod-accept").click()
        dialog.wait_for(state="detached")

    def close(self):
        self.context.close()

    def problems(self):
        """What went wrong so far (copies)."""
        return {"external": list(self.external), "console errors": list(self.console_errors),
                "failed requests": list(self.failed_requests),
                "bad responses": list(self.bad_responses),
                "websockets elsewhere": [u for u in self.websockets
                                         if urlsplit(u).netloc != self.host]}


def _assert_clean(problems):
    problems = {k: v for k, v in problems.items() if v}
    assert problems == {}, f"the lab page had problems: {json.dumps(problems, indent=1)}"


# --------------------------------------------------------------------------- tests


def test_answered_notebook_is_filled_from_the_solutions(course_folder):
    """The fixture itself: answers replaced, everything else as released."""
    student = json.loads(STUDENT_NB.read_text(encoding="utf-8"))
    answered = json.loads((course_folder / "answered" / NOTEBOOK).read_text(encoding="utf-8"))
    assert len(student["cells"]) == len(answered["cells"])
    changed = 0
    for before, after in zip(student["cells"], answered["cells"]):
        assert before["metadata"] == after["metadata"]
        if _nbgrader(before).get("solution"):
            changed += 1
            assert STUDENT_STUB not in _source(after)
            assert "### BEGIN SOLUTION" not in _source(after)
        else:
            assert _source(before) == _source(after)
    assert changed >= 1
    assert graded_cells(STUDENT_NB), "the assignment has no graded test cells"
    assert answer_functions(STUDENT_NB), "the answer cells define no function"


@pytest.mark.slow
def test_validate_passes_on_answered_notebook(browser, lab, screenshots):
    visit = LabPage(browser, lab)
    try:
        panel = visit.open_notebook(f"answered/{NOTEBOOK}", "answered")
        visit.page.screenshot(path=str(screenshots / "jupyterlab-answered-open.png"))
        dialog = visit.validate(panel)
        visit.page.screenshot(path=str(screenshots / "jupyterlab-answered-validated.png"))
        title = dialog.locator(".jp-Dialog-header").inner_text()
        classes = dialog.get_attribute("class") or ""
        message = dialog.locator("#validation-message")
        message_classes = message.get_attribute("class") or ""
        text = message.inner_text()
        visit.close_dialog(dialog)
        problems = visit.problems()
    finally:
        visit.close()
    assert "Validation Results" in title
    assert "validation-success" in message_classes.split(), (message_classes, text)
    assert "Success! Your notebook passes all the tests." in text, text
    assert "failed" not in text.lower() and "Error" not in text, text
    assert "nbgrader-SuccessDialog" in classes.split(), classes
    _assert_clean(problems)


@pytest.mark.slow
def test_validate_reports_failures_on_untouched_notebook(browser, lab, screenshots):
    expected_failures = len(graded_cells(STUDENT_NB))
    visit = LabPage(browser, lab)
    try:
        panel = visit.open_notebook(f"student/{NOTEBOOK}", "student")
        dialog = visit.validate(panel)
        visit.page.screenshot(path=str(screenshots / "jupyterlab-student-validated.png"))
        title = dialog.locator(".jp-Dialog-header").inner_text()
        classes = dialog.get_attribute("class") or ""
        message = dialog.locator("#validation-message")
        message_classes = message.get_attribute("class") or ""
        text = message.inner_text()
        visit.close_dialog(dialog)
        problems = visit.problems()
        # The network guard can fail: a request to another host is blocked and recorded.
        outcome = visit.page.evaluate("""async () => {
          try { await fetch('https://cdn.example.org/lab.js'); return 'loaded'; }
          catch (e) { return 'blocked'; } }""")
    finally:
        visit.close()
    assert "Validation Results" in title
    assert "validation-failed" in message_classes.split(), (message_classes, text)
    assert "nbgrader-ErrorDialog" in classes.split(), classes
    assert "Success!" not in text, text
    assert text.count("The following cell failed:") == expected_failures, text
    assert "NotImplementedError" in text, text
    # rnnlib.grading's message for a stub, once per unwritten function.
    for name in answer_functions(STUDENT_NB):
        assert f"{name} is not written yet" in text, (name, text)
    _assert_clean(problems)
    assert outcome == "blocked"
    assert visit.external == ["https://cdn.example.org/lab.js"]
