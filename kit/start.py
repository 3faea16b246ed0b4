#!/usr/bin/env python3
"""Start the course: `python start.py` (Python 3.11), from the unzipped kit's folder.

1. The first time, it creates the course's Python environment in `env/` (the exact
   versions of requirements-student.txt, and rnnlib from wheels/). Later starts reuse
   it, and redo it only when the kit's requirements or wheel changed.
2. It copies the notebooks into `work/`, each file once: a notebook that is already in
   `work/` is never overwritten, so your answers survive a new start and a new kit
   (unzip a newer kit over this one: only the notebooks you do not have yet are added).
3. It starts JupyterLab in `work/`. Stop it with Ctrl+C in this window.

Options: --no-lab (steps 1 and 2 only); any other option goes to `jupyter lab`
(e.g. --port 8899). Set RNNLIB_DATA_MIRROR before starting to use a folder holding
ridership.tgz (see START.md).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

KIT = Path(__file__).resolve().parent
ENV = KIT / "env"
WORK = KIT / "work"
PRISTINE = KIT / "notebooks"
REQUIREMENTS = KIT / "requirements-student.txt"
STAMP = ENV / ".kit-installed"


def say(message):
    print(f"[start] {message}", flush=True)


def env_python():
    return ENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def env_bin(name):
    return ENV / ("Scripts" if os.name == "nt" else "bin") / name


def wheels():
    found = sorted((KIT / "wheels").glob("rnnlib-*.whl"))
    if len(found) != 1:
        sys.exit(f"error: expected one rnnlib wheel in {KIT / 'wheels'}, found {len(found)}")
    return found


def install_key():
    """What the environment was made from: requirements and wheels."""
    h = hashlib.sha256(REQUIREMENTS.read_bytes())
    for wheel in wheels():
        h.update(wheel.name.encode() + wheel.read_bytes())
    return h.hexdigest()


def setup_environment():
    key = install_key()
    if STAMP.is_file() and STAMP.read_text().strip() == key:
        say(f"environment ready: {ENV}")
    else:
        if not env_python().exists():
            say(f"creating the environment in {ENV} (once; a few minutes)")
            venv.EnvBuilder(with_pip=True).create(ENV)
        say("installing the course's packages (exact versions from requirements-student.txt)")
        cmd = [str(env_python()), "-m", "pip", "install", "--disable-pip-version-check",
               "--quiet", "-r", str(REQUIREMENTS), *map(str, wheels())]
        if subprocess.run(cmd).returncode != 0:
            sys.exit("error: installing the packages failed (see pip's message above). "
                     "Check your network connection, then run `python start.py` again.")
        STAMP.write_text(key + "\n")
    # The students' Jupyter settings: nbgrader's Assignments and Validate, without the
    # instructors' tools; nbgrader shows whole messages. The kit owns these files.
    shutil.copytree(KIT / "jupyter", ENV / "etc" / "jupyter", dirs_exist_ok=True)


def copy_notebooks():
    """Copy each pristine file into work/ unless it is there already (never overwrite)."""
    added, kept = [], 0
    for source in sorted(PRISTINE.rglob("*")):
        if not source.is_file():
            continue
        target = WORK / source.relative_to(PRISTINE)
        if target.exists():
            kept += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        added.append(target.relative_to(KIT).as_posix())
    for name in added:
        say(f"new: {name}")
    if kept:
        say(f"kept your {kept} file(s) already in work/ (never overwritten)")
    return added


def main(argv):
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"error: the course needs Python 3.11 (this is {sys.version.split()[0]}); "
                 "run this script with Python 3.11, e.g. `python3.11 start.py`.")
    no_lab = "--no-lab" in argv
    lab_args = [a for a in argv if a != "--no-lab"]
    setup_environment()
    copy_notebooks()
    if no_lab:
        say(f"ready; start JupyterLab with: {env_bin('jupyter')} lab  (in {WORK})")
        return 0
    say("starting JupyterLab in work/ (Ctrl+C here stops it)")
    # The server's working folder is work/: the Validate button runs there.
    return subprocess.run([str(env_bin("jupyter")), "lab", f"--ServerApp.root_dir={WORK}",
                           *lab_args], cwd=WORK).returncode


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(0)
