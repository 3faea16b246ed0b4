"""Build the student kit: ``dist/<course>-student-<version>.zip`` (``make student-kit``).

The kit is the course as a student receives it, without the instructors' repository:

* ``notebooks/exercises/<assignment>/<name>.ipynb``: the student notebooks (``exercises/``);
* ``notebooks/chapters/<chapter>.ipynb``: the chapters, converted from MyST markdown by
  jupytext, with ``diagrams.py`` (the figures) and ``data/`` (chapter 7's results files);
* ``wheels/rnnlib-<version>-py3-none-any.whl``: rnnlib alone (see ``build_wheel``);
* ``requirements-student.txt``: exact versions from ``requirements.lock`` of what the
  notebooks need (see ``STUDENT_ROOTS``) and their dependencies, nothing else;
* ``jupyter/``: the students' Jupyter configuration (``start.py`` installs it);
* ``start.py`` and ``START.md``.

The build refuses to write the archive if any file in it (notebooks cell by cell,
wheels member by member) contains the source of a solution region or a hidden-test
region of ``solutions/*.py`` (see ``secret_regions``).

Run it with the course's environment: ``.venv/bin/python kit/build.py``. Nothing is
downloaded: the requirements are read from the installed packages' metadata.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
KIT = ROOT / "kit"
COURSE = "rnn-course"
# What the chapters and exercises import, plus the student's JupyterLab and nbgrader
# (its Validate button). Their dependencies are added from the installed metadata.
STUDENT_ROOTS = ["numpy", "pandas", "matplotlib", "tensorflow-cpu", "keras", "statsmodels",
                 "jupyterlab", "ipykernel", "nbgrader"]
# Never in a student's environment, whatever depends on what.
FORBIDDEN = {"jupyter-book", "pytest", "playwright", "jupytext", "sphinx", "rnnlib",
             "psycopg", "psycopg-binary", "tqdm"}
# `pip freeze` (make lock) omits these; a student package may still need one: it is
# pinned to the version installed in the course environment.
FREEZE_OMITS = {"setuptools", "wheel", "pip"}
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[ \t]*\n(.*?)^[ \t]*### END \1",
                    re.MULTILINE | re.DOTALL)


class KitError(RuntimeError):
    pass


def version():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


# --------------------------------------------------------------------------- secrets


def normalize(text):
    """Lines stripped of indentation, blank lines dropped: how a region is compared."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def secret_regions():
    """Every solution and hidden-test region of solutions/*.py: [(where, kind, normalized source)]."""
    regions = []
    for path in sorted((ROOT / "solutions").glob("a*.py")):
        text = path.read_text(encoding="utf-8")
        for match in REGION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            regions.append((f"{path.relative_to(ROOT)}:{line}", match[1], normalize(match[2])))
    if not regions:
        raise KitError("no solution regions found in solutions/*.py: the check would prove nothing")
    return regions


def public_library_lines():
    """Normalized rnnlib sources: the library students get by design (the wheel)."""
    return "\n" + "\n".join(normalize(p.read_text(encoding="utf-8"))
                            for p in sorted((ROOT / "rnnlib").glob("*.py"))) + "\n"


def texts_of(name, data):
    """The normalized texts to search in one file: a notebook per cell, an archive per member."""
    if name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            for member in inner.namelist():
                yield from texts_of(f"{name}!{member}", inner.read(member))
        return
    text = data.decode("utf-8", errors="replace")
    yield name, normalize(text)
    if name.endswith(".ipynb"):
        cells = json.loads(text)["cells"]
        sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                   for c in cells]
        yield name, "\n".join(normalize(s) for s in sources)


def find_secrets(archive, regions=None):
    """[(file in the archive, region)] for every region found in a file of the archive.

    A region matches whole lines. A one-line region that is also a line of rnnlib's
    own source (the library the kit ships on purpose, e.g. stacking two matrices) is
    not a secret: it is skipped, and listed in the second value returned.
    """
    regions = secret_regions() if regions is None else regions
    library = public_library_lines()
    skipped = [r for r in regions if "\n" not in r[2] and f"\n{r[2]}\n" in library]
    searched = [r for r in regions if r not in skipped]
    found = []
    with zipfile.ZipFile(archive) as z:
        for member in z.namelist():
            for name, text in texts_of(member, z.read(member)):
                padded = f"\n{text}\n"
                found += [(name, r) for r in searched if f"\n{r[2]}\n" in padded]
    return sorted(set(found)), skipped


# --------------------------------------------------------------------------- parts


def build_wheel(dest):
    """rnnlib as a wheel holding only the ``rnnlib`` package.

    pyproject.toml packages rnnlib and autograder together (the instructors install
    both); the student wheel is built from a temporary copy holding rnnlib/ and a
    minimal pyproject.toml of its own, so autograder cannot end up in it. Built with
    the course environment's setuptools, without build isolation: nothing downloads.
    """
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = ", ".join(json.dumps(d) for d in project["dependencies"])
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(ROOT / "rnnlib", src / "rnnlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        (src / "pyproject.toml").write_text(
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "rnnlib"\nversion = "{project["version"]}"\n'
            f'description = {json.dumps(project["description"])}\n'
            f'requires-python = "{project["requires-python"]}"\n'
            f'license = {{ text = "{project["license"]["text"]}" }}\n'
            f"dependencies = [{deps}]\n\n"
            '[tool.setuptools]\npackages = ["rnnlib"]\n')
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                        "--no-build-isolation", "--disable-pip-version-check",
                        "--wheel-dir", str(dest), str(src)], check=True,
                       # setuptools' "[tool.setuptools] is beta" notice is not for students
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    wheels = list(Path(dest).glob("rnnlib-*.whl"))
    if len(wheels) != 1:
        raise KitError(f"expected one rnnlib wheel, got {wheels}")
    with zipfile.ZipFile(wheels[0]) as z:
        packages = {n.split("/")[0] for n in z.namelist() if not n.split("/")[0].endswith(".dist-info")}
    if packages != {"rnnlib"}:
        raise KitError(f"the rnnlib wheel holds {sorted(packages)}, not only rnnlib")
    return wheels[0]


def locked_versions():
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            pins[canonicalize_name(name)] = (name, pinned)
    return pins


def student_requirements():
    """STUDENT_ROOTS and their dependencies (markers evaluated here; a dependency's
    extras, e.g. jsonschema[format-nongpl], add what they require), pinned
    to requirements.lock's versions. The installed metadata must match the lock."""
    pins, env = locked_versions(), default_environment()
    wanted, seen = {}, set()
    todo = [(canonicalize_name(r), "") for r in STUDENT_ROOTS]  # (name, extra or "")
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        if name not in pins and name in FREEZE_OMITS:  # pip freeze leaves them out of the lock
            pins[name] = (name, metadata.version(name))
        if name not in pins:
            raise KitError(f"{name} is needed by the notebooks but not in requirements.lock")
        dist = metadata.distribution(name)
        if dist.version != pins[name][1]:
            raise KitError(f"{name} {dist.version} is installed but requirements.lock pins "
                           f"{pins[name][1]}: run `make setup`")
        wanted[name] = pins[name]
        for spec in dist.requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({**env, "extra": extra}):
                dep = canonicalize_name(req.name)
                todo += [(dep, "")] + [(dep, canonicalize_name(e)) for e in req.extras]
    bad = sorted(set(wanted) & {canonicalize_name(n) for n in FORBIDDEN})
    if bad:
        raise KitError(f"the student requirements would include {bad}")
    lines = [f"{name}=={pinned}" for name, pinned in sorted(wanted.values(), key=lambda p: p[0].lower())]
    header = ("# The student environment (Python 3.11): exact versions, installed by start.py\n"
              "# together with wheels/rnnlib-*.whl. Generated by the course's kit/build.py.\n")
    return header + "\n".join(lines) + "\n"


def chapter_notebooks(dest):
    """Every chapter of _toc.yml as .ipynb (jupytext), with the files the chapters read."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    chapters = [e["file"] for part in toc["parts"] for e in part["chapters"]
                if e["file"].startswith("chapters/")]
    dest.mkdir(parents=True)
    jupytext = Path(sys.executable).parent / "jupytext"
    for chapter in chapters:
        out = dest / f"{Path(chapter).name}.ipynb"
        subprocess.run([str(jupytext), "--quiet", "--to", "ipynb", "--output", str(out),
                        str(ROOT / f"{chapter}.md")], check=True)
        nb = json.loads(out.read_text(encoding="utf-8"))
        nb["metadata"].pop("jupytext", None)  # a plain notebook: no pairing with a .md
        out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "chapters" / "diagrams.py", dest / "diagrams.py")
    # Chapter 7's results files, read by the chapter from data/ beside it.
    shutil.copytree(ROOT / "chapters" / "data", dest / "data",
                    ignore=shutil.ignore_patterns("*.lock", "*.tmp"))
    return chapters


def write_zip(folder, archive):
    """A reproducible zip of ``folder`` (sorted names, fixed dates) with top folder ``folder.name``."""
    tmp = archive.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}",
                                       date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = (0o755 if path.suffix in (".py", ".sh") else 0o644) << 16
                z.writestr(info, path.read_bytes())
    return tmp


def build(out_dir):
    out_dir = Path(out_dir)
    name = f"{COURSE}-student-{version()}"
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / name
        (stage / "wheels").mkdir(parents=True)
        wheel = build_wheel(stage / "wheels")
        for nb in sorted((ROOT / "exercises").glob("*/*.ipynb")):
            target = stage / "notebooks" / "exercises" / nb.parent.name / nb.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(nb, target)
        chapter_notebooks(stage / "notebooks" / "chapters")
        (stage / "requirements-student.txt").write_text(student_requirements())
        shutil.copytree(KIT / "jupyter", stage / "jupyter")
        shutil.copy(KIT / "start.py", stage / "start.py")
        shutil.copy(KIT / "START.md", stage / "START.md")
        (stage / "VERSION").write_text(f"{version()}\n")
        out_dir.mkdir(parents=True, exist_ok=True)
        archive = out_dir / f"{name}.zip"
        part = write_zip(stage, archive)
    found, skipped = find_secrets(part)
    if found:
        part.unlink()
        lines = [f"  {where}: {where_from} ({kind})" for where, (where_from, kind, _) in found]
        raise KitError("the kit contains solution or hidden-test code; not written:\n" + "\n".join(lines))
    part.replace(archive)
    for where_from, kind, source in skipped:
        print(f"note: {where_from} ({kind}) is one line of rnnlib's own source, not searched: {source}")
    print(f"{archive.relative_to(ROOT) if archive.is_relative_to(ROOT) else archive}: "
          f"{archive.stat().st_size / 1e6:.1f} MB, {wheel.name}, no solution or hidden test found")
    return archive


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "dist"), help="output folder (default dist/)")
    parser.add_argument("--book", help="also copy the kit to <BOOK>/downloads/<course>-student.zip")
    args = parser.parse_args(argv)
    try:
        archive = build(args.out)
    except KitError as e:
        sys.exit(f"error: {e}")
    if args.book:
        downloads = Path(args.book) / "downloads"
        downloads.mkdir(parents=True, exist_ok=True)
        shutil.copy(archive, downloads / f"{COURSE}-student.zip")
        print(f"copied to {downloads / f'{COURSE}-student.zip'}")


if __name__ == "__main__":
    main()
