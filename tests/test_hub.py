"""The course as it is run for a class: JupyterHub, nbgrader's exchange, a browser.

A real JupyterHub (the pinned ``jupyterhub`` and ``configurable-http-proxy``)
is set up by ``hub/course_hub.py``, as ``make hub`` does, in a temporary state
folder: real system users (PAM log-in), the course folder made by ``autograder
init-course`` (assignment 1 only, for time), nbgrader's exchange. Debian's
chromium, driven by Playwright, then plays a week of the course:

1. the instructor logs in and releases a1 from the formgrader;
2. student 1 (whose lab offers nbgrader's Assignment List only, and no formgrader)
   fetches it in JupyterLab's Assignments tab, writes the reference
   answers into the notebook's answer cells, saves, validates and submits;
3. student 2 submits the notebook untouched; student 3 writes answer cells that
   try to read the hidden tests (the course's solutions and gradebook) and use
   them, and submits;
4. the instructor collects in the formgrader, grades with ``autograder grade``
   (its jail) run as the instructor in the course folder, as in a terminal of
   the hub, and releases the feedback from the formgrader;
5. each student fetches the feedback and reads it in the browser: their own
   score, and no other student's; another student's server is refused;
6. the gradebook holds exactly: full marks, 0 and 0;
7. the hub stops, and no process of it or of its users is left.

Requests to anything but the hub are aborted and counted as failures; chromium
resolves no host name. Screenshots go to test-artifacts/screenshots/hub-*.png,
the hub's log to test-artifacts/hub.log. It needs root (to create the users and
to run the hub that starts servers as them): elsewhere it skips, saying so;
under CI=true it never skips.
"""
from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

import _browser
from conftest import ON_CI

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "hub"))
import course_hub  # noqa: E402

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
HUB_LOG = ARTIFACTS / "hub.log"
A1, NOTEBOOK = "a1_recurrent_neurons", "recurrent_neurons.ipynb"
SOURCE_NB = REPO / "solutions" / A1 / NOTEBOOK
RELEASE_NB = REPO / "exercises" / A1 / NOTEBOOK
SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*(\n|\Z)", re.MULTILINE)
STUB = "raise NotImplementedError()"
START_S = 120  # the hub's start on a loaded 2-core machine
UI_MS = 120_000  # a user's server starts JupyterLab, a kernel, nbgrader: slow when loaded
HIDDEN_MARKERS = ("BEGIN HIDDEN TESTS", "_reference_")


def _cannot_run(reason):
    if ON_CI:
        pytest.fail(f"CI=true, so the hub test cannot be skipped: {reason}")
    pytest.skip(reason)


# --------------------------------------------------------------------------- notebooks


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def _cells(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["cells"]


def answer_cells():
    """``{index in the released notebook: grade id}`` of the answer cells."""
    return {i: _meta(c)["grade_id"] for i, c in enumerate(_cells(RELEASE_NB))
            if _meta(c).get("solution")}


def reference_answers():
    """``{grade id: the reference answer as a student writes it}``."""
    return {_meta(c)["grade_id"]: SOLUTION_MARKERS.sub("", _source(c)).rstrip() + "\n"
            for c in _cells(SOURCE_NB) if _meta(c).get("solution")}


def max_score():
    return sum(float(_meta(c)["points"]) for c in _cells(SOURCE_NB)
               if _meta(c).get("grade") and _meta(c).get("points"))


def hostile_answer(course, grade_id):
    """Answer code that looks for the hidden tests and the reference solutions where the
    course keeps them and, if it could read them, runs the reference instead of an answer."""
    targets = [course / "solutions" / A1 / NOTEBOOK, course / "gradebook.db",
               course / "autograded", course / "submitted",
               Path(course).parent.parent / "rnn-student1" / A1 / NOTEBOOK]
    return f'''import json, os
stolen = {{}}
for path in {[str(t) for t in targets]!r}:
    try:
        if os.path.isdir(path):
            stolen[path] = os.listdir(path)
        else:
            with open(path, "rb") as f:
                stolen[path] = f.read()
    except OSError as exc:
        print("refused:", path, type(exc).__name__)
print("read:", sorted(stolen))
solutions = [p for p in stolen if p.endswith(".ipynb")]
if not solutions:
    raise NotImplementedError()
for cell in json.loads(stolen[solutions[0]])["cells"]:
    if cell["metadata"].get("nbgrader", {{}}).get("grade_id") == {grade_id!r}:
        exec("".join(cell["source"]))
print("HIDDEN", [line for p in solutions for line in str(stolen[p]).split("\\\\n")
                 if "HIDDEN" in line][:3])
'''


# --------------------------------------------------------------------------- the hub


class Hub:
    def __init__(self, state, settings, proc, base, log, created):
        self.created = created
        self.state, self.settings, self.proc, self.base, self.log = state, settings, proc, base, log
        self.course = Path(settings["course"])
        self.uids = {pwd.getpwnam(n).pw_uid for n in settings["passwords"]}

    def log_tail(self, lines=60):
        try:
            return "\n".join(HUB_LOG.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"

    def processes(self):
        """Processes of the hub's users, and of the hub's own session."""
        import psutil

        left = []
        for proc in psutil.process_iter(["pid", "uids", "cmdline", "status"]):
            try:
                mine = proc.info["uids"] and proc.info["uids"].real in self.uids
                in_session = os.getsid(proc.pid) == self.proc.pid
            except (psutil.Error, ProcessLookupError, PermissionError):
                continue
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue  # already ended: only its exit status waits for a parent to read it
            if (mine or in_session) and proc.pid != os.getpid():
                left.append(f"{proc.pid} uid={proc.info['uids'].real} {' '.join(proc.info['cmdline'] or [])[:200]}")
        return left

    def stop(self):
        """SIGTERM to the hub (it stops every user's server and the proxy); returns its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                pass
        return self.proc.poll()

    def kill_everything(self):
        """Teardown's last resort: whatever the hub left, by process id."""
        import psutil

        for _ in range(2):
            for line in self.processes():
                try:
                    psutil.Process(int(line.split()[0])).kill()
                except psutil.Error:
                    pass
            time.sleep(0.5)  # let the kernel reap them before the second look
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def hub():
    if os.geteuid() != 0:
        _cannot_run("the hub test runs as root: it creates system users (useradd) and the hub "
                    "starts each user's server as that user (run it as root, e.g. in CI)")
    if not course_hub.CHP.exists():
        _cannot_run(f"{course_hub.CHP} is missing: run `make hub` or `make test` (npm ci)")
    created = time.monotonic()
    state = Path(tempfile.mkdtemp(prefix="rnn-hub-", dir="/tmp"))
    proc = None
    try:
        os.chmod(state, 0o755)
        settings = course_hub.setup(state, [A1])
        print(f"set-up: {time.monotonic() - created:.0f} s")
        port = course_hub.free_port()
        cmd, env = course_hub.hub_command(state, port)
        ARTIFACTS.mkdir(exist_ok=True)
        with open(HUB_LOG, "w") as log:
            proc = subprocess.Popen(cmd, cwd=state / "hub", env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        the_hub = Hub(state, settings, proc, f"http://127.0.0.1:{port}", HUB_LOG, created)
        deadline = time.monotonic() + START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"jupyterhub exited with {proc.returncode}:\n{the_hub.log_tail()}")
            try:
                with urllib.request.urlopen(f"{the_hub.base}/hub/api/", timeout=5) as r:
                    if r.status == 200 and "version" in json.load(r):
                        break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the hub did not answer within {START_S} s:\n{the_hub.log_tail()}")
            time.sleep(0.25)  # polling interval of the readiness loop
        yield the_hub
    finally:
        if proc is not None:
            the_hub.stop()
            the_hub.kill_everything()
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    yield from _browser.launch()


@pytest.fixture(scope="module")
def shots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("hub-*.png"):
        old.unlink()
    return lambda page, name: page.screenshot(path=str(SCREENSHOTS / f"hub-{name}.png"))


class User:
    """One person's browser session on the hub, recording what went wrong."""

    def __init__(self, browser, hub, name):
        self.hub, self.name = hub, name
        self.host = urlsplit(hub.base).netloc
        self.home = Path(pwd.getpwnam(name).pw_dir)
        self.external, self.page_errors = [], []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           service_workers="block")
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.set_default_timeout(UI_MS)
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    def _route(self, route):
        if urlsplit(route.request.url).netloc == self.host:
            route.continue_()
        else:
            self.external.append(route.request.url)
            route.abort("blockedbyclient")

    @property
    def server(self):
        return f"{self.hub.base}/user/{self.name}"

    def log_in(self):
        # Every cell of a notebook in the page (JupyterLab otherwise renders the cells in
        # view only), so that the test finds an answer cell by its index. The test's
        # setting, in the user's own settings folder, not the hub's.
        settings = (self.home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
                    / "notebook-extension" / "tracker.jupyterlab-settings")
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text(json.dumps({"windowingMode": "none"}))
        entry = pwd.getpwnam(self.name)
        for path in [settings, *settings.parents]:
            if path == self.home:
                break
            os.chown(path, entry.pw_uid, entry.pw_gid)
        page = self.page
        page.goto(f"{self.hub.base}/hub/login")
        page.fill("#username_input", self.name)
        page.fill("#password_input", self.hub.settings["passwords"][self.name])
        page.click("#login_submit")
        # The hub starts the user's server, then sends the browser to its JupyterLab.
        page.wait_for_url(re.compile(rf".*/user/{re.escape(self.name)}/lab.*"), timeout=UI_MS)
        page.locator("#jp-main-statusbar").wait_for(state="visible")
        return self

    def close(self):
        self.context.close()

    # ----- the instructor's formgrader

    def formgrader_action(self, column, expected):
        """Click the a1 row's button in column ``column``; return the success dialog's text."""
        page = self.page
        page.goto(f"{self.server}/formgrader/manage_assignments")
        row = page.locator("#main-table tr", has_text=A1)
        row.locator(f"td.{column} a").click()
        modal = page.locator("#success-modal, #error-modal")
        modal.wait_for(state="visible", timeout=UI_MS)
        text = modal.inner_text()
        assert page.locator("#success-modal").count() == 1, text
        assert expected in text, text
        return text

    # ----- a student's Assignments tab

    def assignments(self):
        page = self.page
        page.goto(f"{self.server}/lab")
        page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
        page.locator(".lm-Menu-itemLabel", has_text="Assignment List").click()
        tab = page.locator("#assignments")
        tab.wait_for(state="visible")
        return tab

    def wait_row(self, tab, section, button_text):
        """The a1 row of ``section`` (released/fetched/submitted) once its button reads so."""
        row = tab.locator(f"#{section}_assignments_list .list_item", has_text=A1).first
        row.locator("button", has_text=button_text).first.wait_for(state="visible")
        return row

    def write_cells(self, edits):
        """Type ``{cell index: code}`` into the open notebook's cells, then save it."""
        from playwright.sync_api import expect

        page = self.page
        cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell")
        assert cells.count() == len(_cells(RELEASE_NB)), "not every cell is in the page"
        for index, code in edits.items():
            cell = cells.nth(index)
            cell.scroll_into_view_if_needed()
            editor = cell.locator(".cm-content")
            editor.click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(code)
            # The editor has taken the text in (its last line shows) before the next cell.
            last = [line for line in code.splitlines() if line.strip()][-1].strip()
            expect(editor).to_contain_text(last)
        page.keyboard.press("Escape")  # command mode, as after typing
        page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Save Notebook$")).click()

    def open_notebook_from(self, tab):
        row = self.wait_row(tab, "fetched", "Submit")
        row.locator(".item_name a").first.click()  # expands the assignment: its notebooks
        notebook_link = tab.locator(".nested_list_item .item_name a", has_text="recurrent_neurons")
        notebook_link.first.click()
        panel = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        panel.locator(".jp-MarkdownOutput h1", has_text="Assignment 1").wait_for(state="visible")
        return panel

    def validate_in(self, tab, shot):
        row = tab.locator(".nested_list_item", has_text="recurrent_neurons").first
        button = row.locator("button", has_text="Validate")
        button.click()
        dialog = self.page.locator(".jp-Dialog")
        dialog.wait_for(state="visible", timeout=UI_MS)
        shot()
        text = dialog.locator("#validation-message").inner_text()
        classes = dialog.get_attribute("class") or ""
        dialog.locator("button.jp-mod-accept").click()
        dialog.wait_for(state="detached")
        return text, classes

    def wait_file(self, path, predicate, what):
        """Wait (bounded) until the file at ``path`` satisfies ``predicate``."""
        deadline = time.monotonic() + UI_MS / 1000
        text = None
        while True:
            try:
                text = path.read_text(encoding="utf-8")
                if predicate(text):
                    return
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{self.name}: {what} did not happen ({path}):\n{(text or '')[:3000]}")
            # Polling interval (the lab saves asynchronously). Not time.sleep: Playwright's
            # route handler (the network guard) runs only while Playwright is waiting, so
            # a sleeping test would hold every request of the page.
            self.page.wait_for_timeout(250)


def _saved_answers(text, indexes):
    cells = json.loads(text)["cells"]
    return {i: _source(cells[i]) for i in indexes}


def run_as(hub, user, cmd, cwd, timeout=600):
    """A command as one of the hub's users, as they would type it in a terminal of the hub."""
    entry = pwd.getpwnam(user)
    env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
           "PATH": f"{Path(hub.settings['python']) / 'bin'}:/usr/bin:/bin",
           "OPENBLAS_NUM_THREADS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([shutil.which("runuser"), "-u", user, "--", *cmd], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


# --------------------------------------------------------------------------- the test


def test_a_week_of_the_course_on_the_hub(hub, browser, shots):
    started = time.monotonic()
    print(f"hub set up and started in {started - hub.created:.0f} s")
    answers, cells = reference_answers(), answer_cells()
    assert sorted(cells.values()) == sorted(answers) and cells, (cells, sorted(answers))
    full = max_score()
    assert full > 0
    students = hub.settings["students"]
    s1, s2, s3 = students
    users = {}
    try:
        # 1. The instructor releases a1 from the formgrader.
        teacher = users["teacher"] = User(browser, hub, hub.settings["instructor"]).log_in()
        shots(teacher.page, "01-instructor-lab")
        text = teacher.formgrader_action("release", f"Successfully released '{A1}'")
        shots(teacher.page, "02-released")
        outbound = Path(hub.settings["exchange"]) / course_hub.COURSE_ID / "outbound" / A1
        assert (outbound / NOTEBOOK).is_file(), text
        released = (outbound / NOTEBOOK).read_text()
        assert all(marker not in released for marker in HIDDEN_MARKERS)

        # 2.-3. The students fetch, work and submit from the Assignments tab.
        work = {s1: {i: answers[g] for i, g in cells.items()},
                s2: {},
                s3: {i: hostile_answer(hub.course, g) for i, g in cells.items()}}
        validations = {}
        for n, student in enumerate(students, start=1):
            user = users[student] = User(browser, hub, student).log_in()
            if n == 1:  # a student's lab: nbgrader's Assignment List only, no formgrader
                user.page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
                items = user.page.locator(".lm-Menu-content .lm-Menu-itemLabel").all_inner_texts()
                user.page.keyboard.press("Escape")
                assert [i.strip() for i in items if i.strip()] == ["Assignment List"], items
                assert user.page.goto(f"{user.server}/formgrader").status == 404
            tab = user.assignments()
            user.wait_row(tab, "released", "Fetch").locator("button", has_text="Fetch").click()
            user.wait_row(tab, "fetched", "Submit")
            fetched = user.home / A1 / NOTEBOOK
            assert fetched.is_file()
            shots(user.page, f"1{n}-student{n}-fetched")
            if work[student]:
                user.open_notebook_from(tab)
                user.write_cells(work[student])
                expected = work[student]
                user.wait_file(fetched, lambda t: _saved_answers(t, expected) == expected,
                               "saving the typed answers")
                shots(user.page, f"1{n}-student{n}-answered")
                tab = user.assignments()
                user.wait_row(tab, "fetched", "Submit").locator(".item_name a").first.click()
            else:
                user.wait_row(tab, "fetched", "Submit").locator(".item_name a").first.click()
            validations[student] = user.validate_in(
                tab, lambda: shots(user.page, f"1{n}-student{n}-validated"))
            user.wait_row(tab, "fetched", "Submit").locator("button", has_text="Submit").click()
            user.wait_row(tab, "submitted", "Fetch Feedback")
            shots(user.page, f"1{n}-student{n}-submitted")

        ok_text, ok_classes = validations[s1]
        assert "Success! Your notebook passes all the tests." in ok_text, ok_text
        for student in (s2, s3):
            text, classes = validations[student]
            assert "nbgrader-ErrorDialog" in classes.split() and "Success!" not in text, text
        inbound = Path(hub.settings["exchange"]) / course_hub.COURSE_ID / "inbound"
        assert len([p for p in inbound.iterdir() if p.name.startswith(tuple(students))]) == 3

        # 4. The instructor collects, grades with the autograder, releases feedback.
        text = teacher.formgrader_action("collect", "Successfully collected")
        shots(teacher.page, "21-collected")
        for student in students:
            assert (hub.course / "submitted" / student / A1 / NOTEBOOK).is_file(), text
        print(f"submitted and collected at {time.monotonic() - started:.0f} s")
        graded = run_as(hub, hub.settings["instructor"],
                        ["autograder", "grade", A1, "--no-progress", "-j", "2"], cwd=hub.course)
        print(f"graded at {time.monotonic() - started:.0f} s")
        assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
        text = teacher.formgrader_action("release-feedback", "Successfully released feedback")
        shots(teacher.page, "22-feedback-released")

        # 6. Exact scores, read from the gradebook.
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{hub.course / 'gradebook.db'}", course_hub.COURSE_ID) as gb:
            scores = {s: gb.find_submission(A1, s).score for s in students}
        assert scores == {s1: full, s2: 0.0, s3: 0.0}, (scores, graded.stdout[-3000:])

        # 5. Each student fetches and reads their own feedback, and no other's.
        expected_line = {s1: f"Score: {full:.1f} / {full:.1f}", s2: f"Score: 0.0 / {full:.1f}",
                         s3: f"Score: 0.0 / {full:.1f}"}
        for n, student in enumerate(students, start=1):
            user = users[student]
            tab = user.assignments()
            row = user.wait_row(tab, "submitted", "Fetch Feedback")
            row.locator("button", has_text="Fetch Feedback").click()
            link = tab.locator("#submitted_assignments_list a", has_text="(view feedback)").first
            link.wait_for(state="visible")
            link.click()
            pages = sorted((user.home / A1 / "feedback").glob(f"*/{NOTEBOOK[:-6]}.html"))
            assert len(pages) == 1, pages
            listing = user.page.locator(".jp-DirListing-item .jp-DirListing-itemText",
                                        has_text=pages[0].name)
            listing.first.wait_for(state="visible")
            shots(user.page, f"3{n}-student{n}-feedback-listed")
            relative = pages[0].relative_to(user.home).as_posix()
            response = user.page.goto(f"{user.server}/files/{relative}")
            assert response.status == 200
            body = user.page.locator("body").inner_text()
            shots(user.page, f"3{n}-student{n}-feedback")
            assert expected_line[student] in body, (student, body[:2000])
            for other in students:
                if other != student and expected_line[other] != expected_line[student]:
                    assert expected_line[other] not in body
            assert all(marker not in body for marker in HIDDEN_MARKERS), student
            # Another student's server is not theirs to open.
            other = students[n % 3]
            refused = user.page.goto(f"{hub.base}/user/{other}/api/contents")
            assert refused.status == 403, (student, other, refused.status)
            assert other not in (user.page.content() if refused.status == 200 else "")

        # Nothing but the hub was asked for, except one thing: a feedback page released
        # through nbgrader's exchange travels without its local MathJax folder (nbgrader
        # copies the page only), so it asks the CDN for MathJax (autograder/feedback.py;
        # offline, its math shows as TeX). The guard blocked it.
        from autograder.feedback import MATHJAX_CDN

        assert teacher.external == [], teacher.external
        for student in students:
            assert set(users[student].external) <= {MATHJAX_CDN}, (student, users[student].external)
    except BaseException:
        for name, user in users.items():
            try:
                shots(user.page, f"failure-{name}")
            except Exception:  # noqa: BLE001 (the failure itself is what matters)
                pass
        raise
    finally:
        for user in users.values():
            user.close()

    # 7. The hub stops: nothing of it, of its proxy or of its users' servers is left.
    code = hub.stop()
    assert code is not None, "the hub did not stop on SIGTERM"
    deadline = time.monotonic() + 15  # a server that is still exiting gets a moment
    while (left := hub.processes()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], left
    duration = time.monotonic() - started
    print(f"hub week: {duration:.0f} s")
