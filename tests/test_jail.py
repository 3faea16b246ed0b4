"""The kernel's jail is an allow-list, and intake refuses what it must.

One small class on assignment 1, graded by the real pipeline in the jail:
a correct student (the baseline), a kernel that looks for the solutions and
secrets everywhere (a copy of the solutions placed by this test under
``/srv`` and ``/var/tmp``, the repository, ``/root``, ``/etc/shadow``), a
kernel that writes as much as it can everywhere it can, symbolic links
(student folder, assignment folder, notebook, subfolder) and forged nbgrader
metadata. Each student's exact score, status and reason are checked; the
expected scores are sums of task points, never read from a run.

The fast tests at the top check the parts directly: the jail's contents
(running Python in it through the real launcher), the sealed socket folder,
and intake on symbolic links and forged metadata.

Run against the grader as it was before the allow-list (commit a2c1120),
16 of these 19 tests fail; the three that pass there (the correct and the
writing students' scores, the launcher's rights) guard against regressions.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import nbformat
import pytest

import grader_class
import gradebooks
from autograder import intake, pipeline, sandbox


def _url(course):
    return f"sqlite:///{course / 'gradebook.db'}"

A1 = grader_class.ASSIGNMENT
NOTEBOOK = grader_class.NOTEBOOK
ROOT = grader_class.ROOT
TMP_MB = 16
OPTIONS = dict(memory_mb=1536, processes=64, max_notebook_mb=20, interrupt_grace=3,
               student_timeout=180, tmp_mb=TMP_MB)
LINK_REASON = "{} is a symbolic link; submissions must be plain files"

needs_bwrap = pytest.mark.skipif(not sandbox.probe_bwrap()[0] and os.environ.get("CI") != "true",
                                 reason=f"bubblewrap does not work here: {sandbox.probe_bwrap()[1]}")


def _secrets():
    """Files on this machine a kernel must not read (those that exist)."""
    paths = [ROOT / "README.md", ROOT / "solutions" / A1 / f"{NOTEBOOK}.ipynb",
             ROOT / "nbgrader_config.py", Path("/etc/shadow")]
    home = Path("/root")
    try:
        paths += sorted(p for p in home.iterdir() if p.is_file())[:3]
    except OSError:
        pass
    return [str(p) for p in paths if p.is_file()]


@pytest.fixture(scope="module")
def solution_copies():
    """The reference solution copied where no deny-list looked: /srv and
    /var/tmp (readable by anyone, as a careless copy would be)."""
    source = ROOT / "solutions" / A1 / f"{NOTEBOOK}.ipynb"
    tag = f"rnn-jail-test-{uuid.uuid4().hex[:8]}"
    made, copies = [], []
    for base in (Path("/srv"), Path("/var/tmp")):
        try:
            top = base / tag
            target = top / "solutions" / A1 / f"{NOTEBOOK}.ipynb"
            target.parent.mkdir(parents=True)
            made.append(top)
            shutil.copyfile(source, target)
            for path in [target, *target.parents]:
                if path == base:
                    break
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
            copies.append(str(target))
        except OSError:
            continue
    if not copies:
        pytest.skip("cannot write to /srv or /var/tmp here")
    yield copies
    for top in made:
        shutil.rmtree(top, ignore_errors=True)


# --------------------------------------------------------------------------
# Python in the jail, through the real launcher (no kernel)
# --------------------------------------------------------------------------

def run_in_jail(tmp_path, code, hide=()):
    """Run ``python -c code`` as a kernel would run (bubblewrap, launcher,
    limits, user id, seccomp); return the completed process."""
    jail = sandbox.make_jail(sandbox.Limits(tmp_mb=TMP_MB), hide=[str(ROOT), *hide])
    top = tmp_path / "k"
    kernel_dir, workdir = top / "kernel", top / "work"
    kernel_dir.mkdir(parents=True)
    workdir.mkdir()
    for path in (tmp_path, top, kernel_dir):
        os.chmod(path, 0o711)
    os.chmod(workdir, 0o755)
    connection = kernel_dir / "connection.json"
    connection.write_text(json.dumps({"ip": str(kernel_dir / "ipc" / "k"), "transport": "ipc"}))
    argv, _ = sandbox.kernel_command(jail, kernel_dir, workdir, connection)
    launch_json = kernel_dir / "ipc" / "launch.json"
    launch = json.loads(launch_json.read_text())
    launch["argv"] = [sys.executable, "-P", "-c", code]
    launch_json.write_text(json.dumps(launch))
    return subprocess.run(argv, capture_output=True, text=True, timeout=120)


@pytest.mark.hostile
@needs_bwrap
def test_the_jail_holds_only_the_allow_list(tmp_path, solution_copies):
    secrets = _secrets() + solution_copies
    code = (
        "import json, os, sys\n"
        "import numpy, rnnlib, autograder.kernel_side, autograder.wire\n"
        f"secrets = {secrets!r}\n"
        "read = []\n"
        "for path in secrets:\n"
        "    try:\n"
        "        open(path, 'rb').read(10); read.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "print(json.dumps({'read': read, 'root': sorted(os.listdir('/')),\n"
        "                  'etc': sorted(os.listdir('/etc')),\n"
        "                  'repo': sorted(os.listdir(os.path.dirname(os.path.dirname(rnnlib.__file__)))),\n"
        "                  'pythons': sorted(os.listdir(os.path.dirname(sys.base_prefix))),\n"
        "                  'uid': os.getuid(), 'prefix': sys.prefix}))\n"
    )
    run = run_in_jail(tmp_path, code)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert all(os.path.exists(p) for p in secrets)  # they are there on the host
    assert seen["read"] == []
    assert not {"srv", "var", "home", "opt", "mnt", "boot"} & set(seen["root"]), seen["root"]
    assert "shadow" not in seen["etc"] and "ld.so.cache" in seen["etc"]
    assert sorted(seen["repo"]) == sorted([".venv", "autograder", "rnnlib"]), seen["repo"]
    assert seen["prefix"] == sys.prefix
    assert seen["pythons"] == [os.path.basename(os.path.realpath(sys.base_prefix))]  # one version only
    if os.geteuid() == 0:
        assert seen["uid"] >= sandbox.Jail().uid_base


@pytest.mark.hostile
@needs_bwrap
def test_nothing_but_tmpfs_is_writable_in_the_jail(tmp_path):
    code = (
        "import errno, json, os, site, sys\n"
        "import rnnlib\n"
        "places = {'work': os.getcwd(), 'venv': site.getsitepackages()[0],\n"
        "          'rnnlib': os.path.dirname(rnnlib.__file__), 'tmp': '/tmp', 'shm': '/dev/shm',\n"
        "          'python': sys.base_prefix, 'root': '/'}\n"
        "out = {}\n"
        "for name, place in places.items():\n"
        "    written, error = 0, None\n"
        "    try:\n"
        "        for i in range(8):\n"
        "            with open(os.path.join(place, f'big{i}'), 'wb') as f:\n"
        "                for _ in range(4):\n"
        "                    f.write(b'x' * (1 << 20)); f.flush(); written += 1 << 20\n"
        "    except OSError as exc:\n"
        "        error = errno.errorcode.get(exc.errno, str(exc.errno))\n"
        "    out[name] = [written, error]\n"
        "print(json.dumps(out))\n"
    )
    run = run_in_jail(tmp_path, code)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    for place in ("work", "venv", "rnnlib", "python", "root"):
        assert out[place][0] == 0 and out[place][1] in ("EROFS", "EACCES", "EPERM"), (place, out)
    for place in ("tmp", "shm"):  # bounded by the tmpfs size, then "no space left"
        assert out[place][1] == "ENOSPC" and out[place][0] <= TMP_MB << 20, (place, out)


def test_the_allow_list_binds_only_what_it_names(tmp_path):
    jail = sandbox.make_jail(sandbox.Limits(), use_bwrap="never", hide=[str(ROOT)])
    jail.bwrap = "bwrap"
    kernel_dir = tmp_path / "kernel"
    kernel_dir.mkdir()
    argv = sandbox.bwrap_argv(jail, kernel_dir, tmp_path / "work", kernel_dir / "ipc", 200_001)
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--ro-bind", "--bind")]
    assert "/" not in binds
    for path in binds:  # never the repository, /root or /etc as a whole
        assert path not in (str(ROOT), "/root", "/etc", "/var", "/srv", "/home"), path
    assert sys.prefix in binds and os.path.realpath(sys.base_prefix) in binds
    assert str(Path(sandbox.__file__).resolve().parent) in binds
    writable = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert writable == [str(kernel_dir / "ipc")]
    for name in ("bin", "lib", "sbin"):
        if os.path.islink(f"/{name}"):
            assert argv[argv.index(f"/{name}") - 2] == "--symlink"
    assert "/etc/passwd" in argv and "student:x:200001" in (kernel_dir / "passwd").read_text()
    described = sandbox.make_jail(sandbox.Limits()).describe()
    if sandbox.probe_bwrap()[0]:
        assert sys.prefix in described and "/etc/ld.so.cache" in described


def test_seal_ipc_takes_the_folder_back_and_keeps_only_sockets(tmp_path):
    import socket

    ipc = tmp_path / "ipc"
    ipc.mkdir()
    info = {"ip": str(ipc / "k"), "shell_port": 1, "iopub_port": 2, "stdin_port": 3,
            "control_port": 4, "hb_port": 5}
    (ipc / "kernel.json").write_text(json.dumps({"ip": info["ip"]}))
    socks = []
    for port in range(1, 5):
        s = socket.socket(socket.AF_UNIX)
        s.bind(f"{ipc}/k-{port}")
        socks.append(s)
    assert not sandbox.ipc_ready(tmp_path, info)  # hb missing
    s = socket.socket(socket.AF_UNIX)
    s.bind(f"{ipc}/k-5")
    socks.append(s)
    assert not sandbox.ipc_ready(tmp_path, info)  # the kernel has not said it has finished
    (ipc / "started").write_bytes(b"")
    assert sandbox.ipc_ready(tmp_path, info)
    (ipc / "junk").write_bytes(b"x" * 1000)
    (ipc / "k-6").write_bytes(b"not a socket")
    (ipc / "dir").mkdir()
    (ipc / "dir" / "f").write_bytes(b"y")
    removed = sandbox.seal_ipc(tmp_path, info)
    assert sorted(removed) == ["dir", "junk", "k-6"]
    assert sorted(os.listdir(ipc)) == ["k-1", "k-2", "k-3", "k-4", "k-5", "kernel.json", "sealed",
                                       "started"]
    assert (ipc.stat().st_mode & 0o777) == 0o700 and ipc.stat().st_uid == os.geteuid()
    for s in socks:
        s.close()


# --------------------------------------------------------------------------
# Intake, quickly
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def release():
    return nbformat.read(ROOT / "exercises" / A1 / f"{NOTEBOOK}.ipynb", as_version=4)


def _layout(release):
    ids = [grader_class.meta(c)["grade_id"] for c in release.cells if grader_class.meta(c)]
    path = ROOT / "exercises" / A1 / f"{NOTEBOOK}.ipynb"
    return {NOTEBOOK: {"grade_ids": ids, "locked": {}, "released": intake.released_metadata(path)}}


@pytest.mark.hostile
def test_intake_refuses_symbolic_links_and_reads_nothing_through_them(tmp_path, release):
    good = nbformat.writes(release).encode()
    submitted = tmp_path / "submitted"
    (submitted / "alice" / A1).mkdir(parents=True)
    (submitted / "alice" / A1 / f"{NOTEBOOK}.ipynb").write_bytes(good)
    (submitted / "eve").symlink_to(submitted / "alice")
    (submitted / "mallory").mkdir()
    (submitted / "mallory" / A1).symlink_to(ROOT / "solutions" / A1)
    (submitted / "trudy" / A1).mkdir(parents=True)
    (submitted / "trudy" / A1 / f"{NOTEBOOK}.ipynb").symlink_to(
        ROOT / "solutions" / A1 / f"{NOTEBOOK}.ipynb")
    (submitted / "oscar" / A1).mkdir(parents=True)
    (submitted / "oscar" / A1 / f"{NOTEBOOK}.ipynb").write_bytes(good)
    (submitted / "oscar" / A1 / "more").symlink_to(ROOT / "solutions")
    expected = {"eve": "submitted/eve", "mallory": f"submitted/mallory/{A1}",
                "trudy": f"submitted/trudy/{A1}/{NOTEBOOK}.ipynb",
                "oscar": f"submitted/oscar/{A1}/more"}
    for student, shown in expected.items():
        folder = submitted / student / A1
        sub = intake.inspect_submission(folder, _layout(release))
        assert (sub.status, sub.reason) == ("ungradeable", LINK_REASON.format(shown)), student
        assert sub.notebooks == {} and intake.submitted_files(folder) == [] or student == "oscar"
    # the fingerprint never reads through a link, and tells links apart
    assert intake.fingerprint(submitted / "eve" / A1) != intake.fingerprint(submitted / "alice" / A1)
    assert intake.inspect_submission(submitted / "alice" / A1, _layout(release)).status == "ok"


@pytest.mark.hostile
def test_intake_rebuilds_nbgrader_metadata_from_the_release(tmp_path, release):
    def forge(cell):
        m = grader_class.meta(cell)
        if m.get("solution"):
            m["grade"], m["points"] = True, 50
        elif m.get("grade"):
            m.update(solution=True, grade=False, locked=False, checksum="0" * 32)

    nb = grader_class.submission(release, edit=forge)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {
        "grade": True, "grade_id": "extra_test", "points": 99, "solution": False, "locked": True}}))
    (tmp_path / "s").mkdir()
    nbformat.write(nb, tmp_path / "s" / f"{NOTEBOOK}.ipynb")
    sub = intake.inspect_submission(tmp_path / "s", _layout(release))
    assert sub.status == "ok"
    cells = sub.notebooks[NOTEBOOK].cells
    released = {grader_class.meta(c)["grade_id"]: grader_class.meta(c) for c in release.cells}
    got = {grader_class.meta(c)["grade_id"]: grader_class.meta(c) for c in cells if grader_class.meta(c)}
    assert got == released
    assert not grader_class.meta(cells[-1])
    assert any("metadata of cell neuron_step was edited (grade, points)" in n for n in sub.notes), sub.notes
    assert any("'extra_test'" in n for n in sub.notes)


# --------------------------------------------------------------------------
# A small class, graded by the real pipeline in the jail
# --------------------------------------------------------------------------

def reads_everything(secrets):
    """Answer cell: look everywhere for a solution; define the task
    functions from it when found (full marks if the jail leaks)."""
    return f'''import glob, json, os
found = []
candidates = {secrets!r}
for pattern in ("/srv/*/solutions/*/*.ipynb", "/var/tmp/*/solutions/*/*.ipynb", "/root/**/*.ipynb",
                "/work/*/solutions/*/*.ipynb", "/home/**/*.ipynb", "/opt/**/*.ipynb", "/mnt/**/*.ipynb"):
    candidates += glob.glob(pattern, recursive=True)
for path in candidates:
    try:
        text = open(path).read()
    except OSError:
        continue
    found.append(path)
    if "BEGIN SOLUTION" in text:
        for cell in json.loads(text)["cells"]:
            if cell.get("metadata", {{}}).get("nbgrader", {{}}).get("solution"):
                exec("".join(cell["source"]), globals())
print("found:", found)
'''


WRITES_EVERYWHERE = '''import errno, json, os, site
import helper_module  # a file of the submission: the working folder is on sys.path
print("HELPER", helper_module.VALUE)
from ipykernel.kernelapp import IPKernelApp
ipc = os.path.dirname(IPKernelApp.instance().connection_file)
places = {"ipc": ipc, "work": os.getcwd(), "tmp": "/tmp", "shm": "/dev/shm",
          "home": os.path.expanduser("~"), "venv": site.getsitepackages()[0]}
result = {}
for name, place in places.items():
    written, error = 0, None
    try:
        os.chmod(place, 0o777)
    except OSError:
        pass
    try:
        for i in range(6):
            with open(os.path.join(place, f"big{i}"), "wb") as f:
                for _ in range(8):
                    f.write(b"x" * (1 << 20)); f.flush(); written += 1 << 20
    except OSError as exc:
        error = errno.errorcode.get(exc.errno, str(exc.errno))
    for i in range(6):
        try:
            os.unlink(os.path.join(place, f"big{i}"))
        except OSError:
            pass
    result[name] = [written, error]
print("WRITES " + json.dumps(result))
'''


def _outputs(course, student):
    nb = nbformat.read(course / "autograded" / student / A1 / f"{NOTEBOOK}.ipynb", as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.fixture(scope="module")
def jail_class(tmp_path_factory, solution_copies):
    """``(course, {student: (status, tasks answered correctly, reason, note)}, summary)``."""
    course = tmp_path_factory.mktemp("jail") / "course"
    rel = grader_class.make_course(course, A1)
    ref = grader_class.reference_answers()
    tasks = list(grader_class.tasks_of(grader_class.source_notebook()))
    n1 = tasks[0]
    garbage = grader_class.GARBAGE
    submitted = course / "submitted"

    def write(student, nb):
        folder = submitted / student / A1
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
        return folder

    def forged_grade(cell):
        if grader_class.meta(cell).get("grade_id") == n1:
            cell.metadata["nbgrader"]["grade"] = True
            cell.metadata["nbgrader"]["points"] = 5

    def tests_as_answers(cell):
        m = grader_class.meta(cell)
        if m.get("grade"):
            m.update(solution=True, grade=False, locked=False, checksum="0" * 32)
            cell.source = "pass"

    write("correct", grader_class.submission(rel, ref))
    write("reads-everything", grader_class.submission(
        rel, {**garbage, n1: reads_everything(_secrets() + solution_copies)}))
    folder = write("writes-everywhere", grader_class.submission(rel, {**ref, n1: ref[n1] + WRITES_EVERYWHERE}))
    (folder / "helper_module.py").write_text("VALUE = 6 * 7\n")
    write("forged-grade-true", grader_class.submission(rel, ref, edit=forged_grade))
    write("forged-tests-as-answers", grader_class.submission(rel, garbage, edit=tests_as_answers))
    (submitted / "link-student").symlink_to(submitted / "correct")
    (submitted / "link-assignment").mkdir()
    (submitted / "link-assignment" / A1).symlink_to(course / "source" / A1)
    folder = submitted / "link-notebook" / A1
    folder.mkdir(parents=True)
    (folder / f"{NOTEBOOK}.ipynb").symlink_to(course / "source" / A1 / f"{NOTEBOOK}.ipynb")
    folder = write("link-subfolder", grader_class.submission(rel, garbage))
    (folder / "notes").symlink_to(ROOT / "solutions")

    everything = tuple(tasks)
    cases = {
        "correct": ("graded", everything, "", ""),
        "reads-everything": ("graded", (), "", ""),
        "writes-everywhere": ("graded", everything, "", ""),
        "forged-grade-true": ("graded", everything, "", f"metadata of cell {n1} was edited (grade, points)"),
        "forged-tests-as-answers": ("graded", (), "", "metadata of cell test_"),
        "link-student": ("ungradeable", (), LINK_REASON.format("submitted/link-student"), ""),
        "link-assignment": ("ungradeable", (), LINK_REASON.format(f"submitted/link-assignment/{A1}"), ""),
        "link-notebook": ("ungradeable", (),
                          LINK_REASON.format(f"submitted/link-notebook/{A1}/{NOTEBOOK}.ipynb"), ""),
        "link-subfolder": ("ungradeable", (), LINK_REASON.format(f"submitted/link-subfolder/{A1}/notes"), ""),
    }
    summary = pipeline.grade(course, [A1], workers=2, cell_timeout=10, progress=False, options=OPTIONS)
    return course, cases, summary


STUDENTS = ("correct", "reads-everything", "writes-everywhere", "forged-grade-true",
            "forged-tests-as-answers", "link-student", "link-assignment", "link-notebook",
            "link-subfolder")


@pytest.mark.slow
@pytest.mark.hostile
@needs_bwrap
def test_the_class_was_graded_with_no_error(jail_class):
    course, cases, summary = jail_class
    assert sorted(cases) == sorted(STUDENTS)
    assert summary.errors == 0, [r for r in summary.results if r.status == "error"]
    assert sorted(r.student for r in summary.results if r.kind == "grade") == sorted(STUDENTS)
    assert "bubblewrap: nothing but" in summary.jail


@pytest.mark.slow
@pytest.mark.hostile
@needs_bwrap
@pytest.mark.parametrize("student", STUDENTS)
def test_each_student_gets_exactly_the_expected_score_status_and_reason(jail_class, student):
    course, cases, _ = jail_class
    status, correct, reason, note = cases[student]
    row = gradebooks.status_rows(_url(course))[student]
    tasks = grader_class.tasks_of(grader_class.source_notebook())
    expected = sum(sum(tasks[t].values()) for t in correct)
    assert row["status"] == status, row
    assert row["score"] == expected and row["max_score"] == grader_class.max_score(), row
    assert gradebooks.scores(_url(course))[student] == expected
    assert (row["reason"] or "") == reason
    notes = json.loads(row["notes"])
    assert not note or any(note in n for n in notes), notes


@pytest.mark.slow
@pytest.mark.hostile
@needs_bwrap
def test_the_kernel_found_nothing_to_read(jail_class, solution_copies):
    course, _, _ = jail_class
    assert all(os.path.exists(p) for p in solution_copies)
    assert "found: []" in _outputs(course, "reads-everything")


@pytest.mark.slow
@pytest.mark.hostile
@needs_bwrap
def test_the_kernel_wrote_nothing_to_the_host_disk(jail_class):
    course, _, _ = jail_class
    assert "HELPER 42" in _outputs(course, "writes-everywhere")
    match = re.search(r"WRITES (\{[^}]*\})", _outputs(course, "writes-everywhere").replace('\\"', '"'))
    assert match, _outputs(course, "writes-everywhere")[:2000]
    writes = json.loads(match.group(1))
    for place in ("ipc", "work", "venv"):  # host folders: nothing at all
        assert writes[place][0] == 0 and writes[place][1] in ("EACCES", "EROFS", "EPERM"), writes
    for place in ("tmp", "shm", "home"):  # memory, bounded by the tmpfs size
        assert writes[place][1] == "ENOSPC" and writes[place][0] <= TMP_MB << 20, writes


@needs_bwrap
def test_the_launcher_still_drops_everything_inside_the_new_jail(tmp_path):
    code = (
        "import ctypes, json, os, resource\n"
        "libc = ctypes.CDLL(None)\n"
        "sig = ctypes.c_int(0)\n"
        "libc.prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG\n"
        "status = dict(line.split(':', 1) for line in open('/proc/self/status'))\n"
        "try:\n"
        "    os.fork(); forked = 'started a process'\n"
        "except PermissionError:\n"
        "    forked = 'refused'\n"
        "limits = {n: resource.getrlimit(getattr(resource, 'RLIMIT_' + n))[0]\n"
        "          for n in ('AS', 'CPU', 'NPROC', 'FSIZE', 'NOFILE', 'CORE')}\n"
        "print(json.dumps({'uid': os.getuid(), 'groups': os.getgroups(), 'pdeathsig': sig.value,\n"
        "                  'nnp': status['NoNewPrivs'].strip(), 'seccomp': status['Seccomp'].strip(),\n"
        "                  'fork': forked, 'limits': limits}))\n"
    )
    run = run_in_jail(tmp_path, code)
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["limits"] == sandbox.Limits(tmp_mb=TMP_MB).rlimits()
    assert got["pdeathsig"] == 9 and got["nnp"] == "1" and got["seccomp"] == "2"
    assert got["fork"] == "refused"
    if os.geteuid() == 0:
        assert got["uid"] >= sandbox.Jail().uid_base and got["groups"] in ([], [got["uid"]])
