"""The student kit (``make student-kit``): what is in it, and a student's first steps with it.

The kit is built by ``kit/build.py`` into a temporary folder and unzipped into
another, as a student would. Then ``python start.py --no-lab`` sets it up and
``nbgrader validate`` checks assignment 1 answered from the reference solutions
(it passes) and untouched (it fails).

How the environment is installed here, offline. A truly fresh install of the
kit's requirements needs PyPI (or a wheelhouse of about 140 packages, TensorFlow
included, which this machine cannot make without the network), and tests must not
download anything. So the test creates the kit's ``env/`` itself with the course
venv's interpreter and a ``.pth`` file that puts the course venv's site-packages on
its path (what ``--system-site-packages`` would do if the course venv were a base
interpreter; its editable rnnlib is *not* activated, as ``.pth`` files there are not
read). ``start.py`` then runs its own ``pip install -r requirements-student.txt
wheels/rnnlib-*.whl`` in it with ``PIP_NO_INDEX=1``: every pinned requirement must
already be satisfied at exactly the pinned version (else pip fails, with no index
to fetch from), and rnnlib is installed from the kit's wheel into ``env/``, which
the test checks. What this does not test: that PyPI serves the pinned versions.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
A1, A1_NOTEBOOK = "a1_recurrent_neurons", "recurrent_neurons.ipynb"

pytestmark = pytest.mark.slow


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kit_build = _load("kit_build", REPO / "kit" / "build.py")


def _run(cmd, cwd, env=None, timeout=900):
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    code, log = _run([sys.executable, str(REPO / "kit" / "build.py"), "--out", str(out)], REPO)
    assert code == 0, f"kit/build.py failed:\n{log[-3000:]}"
    archives = list(out.glob("rnn-course-student-*.zip"))
    assert [a.name for a in archives] == [f"rnn-course-student-{kit_build.version()}.zip"]
    return archives[0]


@pytest.fixture(scope="module")
def members(archive):
    with zipfile.ZipFile(archive) as z:
        return {name: z.read(name) for name in z.namelist()}


def _start_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "JUPYTER", "VIRTUAL_ENV"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONHASHSEED="0",
               TF_CPP_MIN_LOG_LEVEL="3", OPENBLAS_NUM_THREADS="1")
    return env


@pytest.fixture(scope="module")
def kit(archive, tmp_path_factory):
    """The unzipped kit after a first `python start.py --no-lab` (see the module docstring)."""
    where = tmp_path_factory.mktemp("student")
    with zipfile.ZipFile(archive) as z:
        z.extractall(where)
    folder = where / archive.stem
    code, log = _run([str(VENV_PYTHON), "-m", "venv", str(folder / "env")], folder)
    assert code == 0, log
    course_site = REPO / ".venv" / "lib" / "python3.11" / "site-packages"
    (folder / "env" / "lib" / "python3.11" / "site-packages" / "course-venv.pth").write_text(
        f"{course_site}\n")
    code, log = _run([str(VENV_PYTHON), "start.py", "--no-lab"], folder, env=_start_env())
    assert code == 0, f"start.py failed:\n{log[-3000:]}"
    return {"folder": folder, "log": log}


# --------------------------------------------------------------------------- contents


def test_archive_holds_what_a_student_needs(members, archive):
    top = archive.stem + "/"
    names = {n.removeprefix(top) for n in members}
    assert all(n.startswith(top) for n in members)
    assert {"START.md", "start.py", "requirements-student.txt", "VERSION",
            "jupyter/labconfig/page_config.json", "jupyter/jupyter_server_config.json",
            "jupyter/nbgrader_config.py", "notebooks/chapters/diagrams.py"} <= names
    exercises = {f"notebooks/exercises/{p.parent.name}/{p.name}"
                 for p in (REPO / "exercises").glob("*/*.ipynb")}
    assert exercises and exercises <= names
    for name in exercises:  # the released notebooks, byte for byte
        assert members[top + name] == (REPO / "exercises" / name.removeprefix("notebooks/exercises/")).read_bytes()
    chapters = sorted(p.stem for p in (REPO / "chapters").glob("*.md"))
    for chapter in chapters:
        nb = nbformat.reads(members[f"{top}notebooks/chapters/{chapter}.ipynb"].decode(), as_version=4)
        assert any(c.cell_type == "code" for c in nb.cells) and any(c.cell_type == "markdown" for c in nb.cells)
        assert "jupytext" not in nb.metadata
    assert not any(n.endswith(".md") and n.startswith("notebooks/") for n in names)
    # chapter 7 reads its results from data/ beside it, as in the repository
    data = {n.removeprefix("notebooks/chapters/") for n in names if n.startswith("notebooks/chapters/data/")}
    assert {"data/forecast.json", "data/forecast_horizons.json"} <= data
    assert not any(n.endswith((".lock", ".tmp")) for n in data)
    chapter7 = members[f"{top}notebooks/chapters/07_forecasting_with_rnns.ipynb"].decode()
    assert 'load_results(\\"data/forecast.json\\")' in chapter7


def test_wheel_holds_rnnlib_only(members):
    wheels = [n for n in members if re.search(r"/wheels/rnnlib-[^/]+\.whl$", n)]
    assert len(wheels) == 1
    import io

    with zipfile.ZipFile(io.BytesIO(members[wheels[0]])) as w:
        inner = w.namelist()
        meta = next(w.read(n).decode() for n in inner if n.endswith(".dist-info/METADATA"))
    assert {n.split("/")[0] for n in inner if ".dist-info/" not in n} == {"rnnlib"}
    assert "rnnlib/datasets.py" in inner and "rnnlib/grading.py" in inner
    assert not any("autograder" in n for n in list(members) + inner)
    assert "autograder" not in meta


def test_requirements_are_pinned_from_the_lock_without_tooling(members, archive):
    text = members[f"{archive.stem}/requirements-student.txt"].decode()
    pins = dict(line.split("==") for line in text.splitlines() if line and not line.startswith("#"))
    lock = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            lock[name] = version
    norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()  # noqa: E731
    lock = {norm(k): v for k, v in lock.items()}
    missing = [n for n in pins if norm(n) not in lock and norm(n) not in {"setuptools", "wheel", "pip"}]
    assert missing == []
    assert {n: v for n, v in pins.items() if norm(n) in lock and lock[norm(n)] != v} == {}
    names = {norm(n) for n in pins}
    assert {"numpy", "pandas", "matplotlib", "tensorflow-cpu", "keras", "statsmodels",
            "jupyterlab", "nbgrader", "ipykernel"} <= names
    assert names.isdisjoint({"jupyter-book", "pytest", "playwright", "jupytext", "sphinx",
                             "myst-nb", "pytest-xdist", "psycopg", "tqdm", "rnnlib"})


def _all_texts(members):
    for name, data in members.items():
        yield from kit_build.texts_of(name, data)


def test_no_solution_or_hidden_test_in_any_file(members, archive):
    found, skipped = kit_build.find_secrets(archive)
    assert found == []
    regions = kit_build.secret_regions()
    assert len(regions) >= 14 and {k for _, k, _ in regions} == {"SOLUTION", "HIDDEN TESTS"}
    assert len(skipped) <= 1, skipped  # only one-line regions that rnnlib itself contains
    for name, text in _all_texts(members):
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            assert marker not in text, (name, marker)


def test_the_search_finds_a_hidden_test_put_into_the_kit(archive, tmp_path):
    """The check above can fail: a kit whose A1 notebook carries a hidden test is caught."""
    _, kind, source = next(r for r in kit_build.secret_regions() if r[1] == "HIDDEN TESTS")
    doctored = tmp_path / "doctored.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(doctored, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith(f"/exercises/{A1}/{A1_NOTEBOOK}"):
                nb = nbformat.reads(data.decode(), as_version=4)
                nb.cells.append(nbformat.v4.new_code_cell("    " + source.replace("\n", "\n    ")))
                data = nbformat.writes(nb).encode()
            dst.writestr(name, data)
    found, _ = kit_build.find_secrets(doctored)
    assert [(n.rsplit("/", 1)[-1], r[1]) for n, r in found] == [(A1_NOTEBOOK, kind)]


# --------------------------------------------------------------------------- start.py


def test_start_installs_rnnlib_from_the_kit_wheel(kit):
    folder = kit["folder"]
    code, out = _run([str(folder / "env" / "bin" / "python"), "-c",
                      "import rnnlib, importlib.util as u; print(rnnlib.__file__); "
                      "print(u.find_spec('autograder'))"], folder)
    assert code == 0, out
    lines = out.split()
    assert Path(lines[0]).is_relative_to(folder / "env"), out
    assert lines[1] == "None", "autograder must not be importable in the student environment"
    assert (folder / "env" / ".kit-installed").is_file()


def test_student_jupyter_hides_the_instructors_tools(kit):
    folder = kit["folder"]
    config = folder / "env" / "etc" / "jupyter"
    page = json.loads((config / "labconfig" / "page_config.json").read_text())
    hidden = {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"}
    assert hidden <= {k for k, v in page["disabledExtensions"].items() if v}
    kept = {"@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:validate-assignment"}
    assert kept.isdisjoint(page["disabledExtensions"])
    # The plugin ids exist in the installed nbgrader lab extension (a rename would fail here).
    static = REPO / ".venv" / "share" / "jupyter" / "labextensions" / "@jupyter" / "nbgrader" / "static"
    bundle = "".join(p.read_text(errors="replace") for p in static.glob("*.js"))
    assert all(f'"{plugin}"' in bundle for plugin in hidden | kept)
    code, out = _run([str(folder / "env" / "bin" / "python"), "-m", "jupyter_server",
                      "extension", "list"], folder, env=_start_env(), timeout=300)
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert re.search(r"nbgrader\.server_extensions\.formgrader\s+disabled", plain), plain
    assert re.search(r"nbgrader\.server_extensions\.validate_assignment\s+enabled", plain), plain
    assert re.search(r"nbgrader\.server_extensions\.assignment_list\s+enabled", plain), plain


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_student_jupyterlab_in_a_browser(kit, tmp_path):
    """The kit's JupyterLab (its env's config) on 127.0.0.1, in chromium: the notebook
    has nbgrader's Validate button, the Nbgrader menu offers the Assignment List only
    (no Formgrader, no Courses), and no Create Assignment panel exists. The course
    venv's share/jupyter is put on JUPYTER_PATH because the test's env/ reuses the
    course venv's packages (module docstring): a real install has them in env/share."""
    import _browser
    import secrets
    import signal
    import time
    import urllib.request

    folder = kit["folder"]
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in _start_env().items() if not k.startswith("JUPYTER")}
    env.update(JUPYTER_PATH=str(REPO / ".venv" / "share" / "jupyter"), HOME=str(tmp_path),
               JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_DATA_DIR=str(tmp_path / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    cmd = [str(folder / "env" / "bin" / "python"), "-m", "jupyterlab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder / 'work'}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=folder / "work", env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, f"jupyter lab exited:\n{log.read_text()[-3000:]}"
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"jupyter lab not ready:\n{log.read_text()[-3000:]}"
                time.sleep(0.5)  # polling interval
        for browser in _browser.launch():
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(60_000)
            page.goto(f"{base}/lab/tree/exercises/{A1}/{A1_NOTEBOOK}?token={token}")
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for()
            page.locator(".jp-NotebookPanel-toolbar jp-button.validate-button").wait_for()
            menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
            items = page.locator(".lm-Menu-content .lm-Menu-item:visible .lm-Menu-itemLabel")
            items.first.wait_for()
            labels = items.all_inner_texts()
            page.keyboard.press("Escape")
            tabs = page.locator(".lm-TabBar-tab").evaluate_all(
                "els => els.map(e => (e.getAttribute('title') || '') + ' ' + e.textContent)")
            page.screenshot(path=str(tmp_path / "student-lab.png"))
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert "Nbgrader" in menus
    assert labels == ["Assignment List"], labels
    assert not [t for t in tabs if "Create Assignment" in t or "nbgrader" in t.lower()], tabs


def _validate(folder, notebook):
    return _run([str(folder / "env" / "bin" / "python"), "-m", "nbgrader", "validate", str(notebook)],
                folder / "work", env=_start_env(), timeout=600)


def test_validate_fails_on_the_untouched_a1(kit):
    folder = kit["folder"]
    work_nb = folder / "work" / "exercises" / A1 / A1_NOTEBOOK
    assert work_nb.read_bytes() == (folder / "notebooks" / "exercises" / A1 / A1_NOTEBOOK).read_bytes()
    code, untouched = _validate(folder, work_nb)
    failed = re.search(r"VALIDATION FAILED ON (\d+) CELL", untouched)
    assert failed, untouched[-2000:]
    release = nbformat.read(work_nb, as_version=4)
    graded = [c for c in release.cells
              if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("points")]
    assert int(failed[1]) == len(graded) > 0  # every graded test cell fails untouched
    # The kit's width setting reached nbgrader: separators are 300 wide, lines not cut at 90.
    assert "=" * 300 in untouched and "=" * 301 not in untouched


def test_validate_passes_on_a1_answered_from_the_reference(kit):
    import grader_class

    folder = kit["folder"]
    work_nb = folder / "work" / "exercises" / A1 / "answered.ipynb"
    release = nbformat.read(folder / "notebooks" / "exercises" / A1 / A1_NOTEBOOK, as_version=4)
    answered = grader_class.submission(release, answers=grader_class.reference_answers(A1))
    nbformat.write(answered, work_nb)
    code, passed = _validate(folder, work_nb)
    assert "Success! Your notebook passes all the tests." in passed, passed[-3000:]
    assert "VALIDATION FAILED" not in passed


def test_a_chapter_notebook_runs_in_the_kit(kit, tmp_path):
    """Chapter 1 as the kit ships it (with diagrams.py beside it) runs top to bottom
    in the kit's environment: the chapters are real notebooks, not markdown source."""
    folder = kit["folder"]
    out = tmp_path / "executed.ipynb"
    code, log = _run([str(folder / "env" / "bin" / "python"), "-m", "nbconvert", "--to", "notebook",
                      "--execute", "--output", str(out), "01_recurrent_neurons.ipynb"],
                     folder / "work" / "chapters", env=_start_env(), timeout=600)
    assert code == 0, log[-3000:]
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type == "display_data" and "image/png" in o.data for o in outputs)


def test_a_second_start_never_overwrites_the_students_files(kit):
    folder = kit["folder"]
    work = folder / "work"
    mine = work / "exercises" / A1 / A1_NOTEBOOK
    mine.write_text(mine.read_text() + "\n")  # the student's version differs from the kit's
    before = mine.read_bytes()
    gone = work / "chapters" / "01_recurrent_neurons.ipynb"
    gone.unlink()
    # A newer kit unzipped over this one: its pristine copy changed.
    pristine = folder / "notebooks" / "exercises" / A1 / A1_NOTEBOOK
    pristine.write_text(pristine.read_text().replace("Assignment 1", "Assignment 1 (new kit)"))
    code, log = _run([str(VENV_PYTHON), "start.py", "--no-lab"], folder, env=_start_env())
    assert code == 0, log
    assert mine.read_bytes() == before, "start.py overwrote the student's notebook"
    assert gone.is_file(), "a notebook missing from work/ is copied again"
    assert "environment ready" in log and "new: work/chapters/01_recurrent_neurons.ipynb" in log
    assert "kept your" in log
