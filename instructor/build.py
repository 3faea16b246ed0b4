"""Build the instructor edition: the student book plus the reference solutions.

    python instructor/build.py            # what `make book-instructor` runs

The student edition is `_config.yml` + `_toc.yml`. This script derives the
instructor edition from them, so the two never drift apart:

* config: `_config.yml` with `instructor/overlay.yml` merged in (dicts merge key
  by key, anything else is replaced), and `instructor` and `solutions` removed
  from `exclude_patterns`;
* table of contents: `_toc.yml` plus a last part, "Instructor material": the
  instructors' guides in `instructor/` (``INSTRUCTOR_PAGES``, in that order, each
  included when its file exists), then `instructor/solutions.md` with one section
  per notebook in `solutions/` (none is fine: the page then says so). The page's
  list of links is the substitution ``solution_list``, written here.

The instructors' guides live only here: the student edition neither lists nor
builds them (students read about RNNs, not about grading them).

Both generated files go to `_build/instructor/`, the HTML to
`_build/instructor/html`. The execution cache (`_build/.jupyter_cache`) is the
one `make book` uses, so chapters already executed are not run again. Warnings
are errors and unresolved references are reported, as in `make book`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "_build" / "instructor"
# Only in the instructor edition; the student config excludes these folders.
INSTRUCTOR_ONLY = ("instructor", "solutions")
# The instructors' guides, in reading order (a missing file is left out).
INSTRUCTOR_PAGES = ("instructor/grading", "instructor/cluster", "instructor/hub")


def merge(base, overlay):
    """Return ``base`` updated by ``overlay``: dicts merge recursively, other values replace."""
    if not (isinstance(base, dict) and isinstance(overlay, dict)):
        return overlay
    merged = dict(base)
    for key, value in overlay.items():
        merged[key] = merge(base[key], value) if key in base else value
    return merged


def solution_pages(root=ROOT):
    """Docnames (no suffix, POSIX) of the solution notebooks under ``root/solutions``, sorted."""
    pages = []
    for path in sorted((root / "solutions").rglob("*")):
        rel = path.relative_to(root)
        if path.suffix not in (".ipynb", ".md") or any(
            part.startswith(".") for part in rel.parts
        ):
            continue
        pages.append(rel.with_suffix("").as_posix())
    return pages


def solution_list(pages):
    """Markdown list of links from instructor/solutions.md to each solution page."""
    if not pages:
        return "No solution notebooks exist yet in `solutions/`."
    return "\n".join(f"- [{name.removeprefix('solutions/')}](../{name})" for name in pages)


def instructor_config(root=ROOT):
    config = yaml.safe_load((root / "_config.yml").read_text())
    overlay = yaml.safe_load((root / "instructor" / "overlay.yml").read_text()) or {}
    config = merge(config, overlay)
    parse = config.setdefault("parse", {})
    parse["myst_substitutions"] = {
        **parse.get("myst_substitutions", {}),
        "solution_list": solution_list(solution_pages(root)),
    }
    config["exclude_patterns"] = [
        p for p in config.get("exclude_patterns", []) if p not in INSTRUCTOR_ONLY
    ]
    return config


def instructor_toc(root=ROOT):
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    page = {"file": "instructor/solutions"}
    sections = [{"file": name} for name in solution_pages(root)]
    if sections:
        page["sections"] = sections
    guides = [{"file": name} for name in INSTRUCTOR_PAGES
              if (root / f"{name}.md").exists()]
    toc.setdefault("parts", []).append(
        {"caption": "Instructor material", "chapters": [*guides, page]}
    )
    return toc


def main():
    os.chdir(ROOT)  # the cache path in _config.yml is relative to the repository root
    OUT.mkdir(parents=True, exist_ok=True)
    config_path = OUT / "_config.yml"
    toc_path = OUT / "_toc.yml"
    config_path.write_text(yaml.safe_dump(instructor_config(), sort_keys=False))
    toc_path.write_text(yaml.safe_dump(instructor_toc(), sort_keys=False))

    from jupyter_book.sphinx import build_sphinx

    result = build_sphinx(
        ROOT,
        OUT / "html",
        noconfig=True,
        path_config=str(config_path),
        confoverrides={
            "external_toc_path": toc_path.as_posix(),
            "nitpicky": True,
            "latex_individualpages": False,
        },
        builder="html",
        warningiserror=True,
        keep_going=True,
    )
    if result:
        # Forget the Sphinx environment, so the next build re-reads (and re-reports)
        # every page instead of only the changed ones; see the Makefile's `book`.
        (OUT / ".doctrees" / "environment.pickle").unlink(missing_ok=True)
    if isinstance(result, Exception):
        print(f"instructor edition: build failed: {result!r}", file=sys.stderr)
        return 1
    if result:
        print(f"instructor edition: build failed (exit code {result}); see the warnings above",
              file=sys.stderr)
        return int(result)
    print(f"instructor edition: {OUT / 'html' / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
