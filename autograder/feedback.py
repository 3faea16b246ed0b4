"""Feedback pages that keep the hidden tests hidden, are safe to open, and work offline.

nbgrader's ``GenerateFeedback`` turns the autograded notebook into HTML. The
autograded notebook holds the hidden tests (nbgrader restores every locked
cell from the gradebook before it runs), so its feedback would show them to
every student. This module changes three things:

* :class:`SafeFeedback`, a preprocessor run before the HTML export, removes
  the hidden-test regions (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN
  TESTS``, or the course's ``ClearHiddenTests`` delimiters) from every code
  cell; reduces the tracebacks of test cells to the error's one-line message
  (a traceback quotes the source of the test around the failing line); and
  drops outputs that run code in a browser (JavaScript, SVG, widgets).
* :func:`finish`, run on the written HTML, sanitises the page's body with
  bleach: a student's markdown and outputs keep their formatting, but no
  ``<script>``, ``<iframe>``, event handler (``onerror=``) or ``javascript:``
  URL survives (disallowed tags are shown as text). The page's own head (the
  CSS) is the template's and is kept.
* MathJax is loaded from a copy next to the page (``mathjax/``, a few files
  of MathJax 3, about 2 MB, hard-linked when possible) instead of a CDN, so
  the math renders with no network, with MathJax's ``ui/safe`` extension
  (no ``javascript:`` links through ``\\href``).
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Unicode

#: The MathJax 3 files a feedback page needs (relative to MathJax's es5 folder).
MATHJAX_FILES = ("tex-chtml-full.js", "ui/safe.js", "LICENSE")
MATHJAX_FOLDERS = ("output/chtml/fonts/woff-v2",)
MATHJAX_ENTRY = "mathjax/tex-chtml-full.js"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-chtml-full.js"

#: Output types shown in feedback; anything else (JavaScript, SVG, widget
#: state, vendor types) is dropped.
SAFE_OUTPUT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png",
                     "image/jpeg", "image/gif")

HIDDEN_NOTE = "# (hidden tests are not shown)"


def default_mathjax_dir():
    """The MathJax the book ships (``make`` unpacks it into build-assets/mathjax)."""
    return Path(__file__).resolve().parent.parent / "build-assets" / "mathjax"


def _is_test(cell):
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


class SafeFeedback(Preprocessor):
    """Remove hidden tests, test tracebacks and active outputs (see the module)."""

    enabled = Bool(True)
    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess(self, nb, resources):
        cfg = self.config.get("ClearHiddenTests", {})
        self.begin = cfg.get("begin_test_delimeter", self.begin_test_delimeter)
        self.end = cfg.get("end_test_delimeter", self.end_test_delimeter)
        return super().preprocess(nb, resources)

    def remove_hidden(self, source):
        out, hidden, removed = [], False, False
        for line in source.split("\n"):
            if self.begin in line:
                hidden = removed = True
            elif self.end in line and hidden:
                hidden = False
                out.append(HIDDEN_NOTE)
            elif not hidden:
                out.append(line)
        if hidden:  # an unterminated region: hide up to the end
            out.append(HIDDEN_NOTE)
        return "\n".join(out), removed

    def preprocess_cell(self, cell, resources, index):
        cell.source, _ = self.remove_hidden(cell.source)  # any cell type, as nbgrader does
        if cell.cell_type == "code":
            outputs = []
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and _is_test(cell):
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
                if "data" in output:
                    output["data"] = {k: v for k, v in output["data"].items() if k in SAFE_OUTPUT_TYPES}
                    if not output["data"]:
                        continue
                outputs.append(output)
            cell.outputs = outputs
        if "attachments" in cell:
            for name in list(cell.attachments):
                cell.attachments[name] = {k: v for k, v in cell.attachments[name].items()
                                          if k in ("image/png", "image/jpeg", "image/gif")}
        for key in ("jupyter", "widgets"):
            cell.metadata.pop(key, None)
        return cell, resources


# --------------------------------------------------------------------------
# The written page
# --------------------------------------------------------------------------

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var", "center", "font", "label", "main",
}
_GLOBAL_ATTRIBUTES = {"class", "id", "title", "style", "align", "lang", "dir", "role",
                      "aria-label", "aria-hidden"}
_ATTRIBUTES = {
    "a": {"href", "name", "target", "rel"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"}, "col": {"span"}, "font": {"color", "size"},
    "details": {"open"},
}
_IMAGE_DATA = re.compile(r"^\s*data:image/(png|jpeg|gif);base64,", re.IGNORECASE)


def _allowed(tag, name, value):
    if name in _GLOBAL_ATTRIBUTES or name in _ATTRIBUTES.get(tag, ()):
        if name == "id":
            return not value.lower().startswith("mathjax")
        if tag == "img" and name == "src":
            # inline images (nbconvert's outputs) and relative files; no other scheme
            return bool(_IMAGE_DATA.match(value)) or ":" not in value.split("/")[0]
        if tag == "a" and name == "href":
            return not value.strip().lower().startswith("data:")
        return True
    return False


def _cleaner():
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    return bleach.Cleaner(tags=_TAGS, attributes=_allowed,
                          protocols={"http", "https", "mailto", "data"},
                          css_sanitizer=CSSSanitizer(), strip=False, strip_comments=True)


_CLEANER = None


def sanitize_body(body):
    """The body's HTML with everything that could run removed (shown as text)."""
    global _CLEANER
    if _CLEANER is None:
        _CLEANER = _cleaner()
    return _CLEANER.clean(body)


def mathjax_head(src=MATHJAX_ENTRY):
    return (
        "<script>\n"
        "window.MathJax = {\n"
        "  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],\n"
        "        displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],\n"
        "        processEscapes: true, processEnvironments: true, tags: 'ams'},\n"
        "  loader: {load: ['ui/safe']},\n"
        "  options: {enableMenu: false}\n"
        "};\n"
        "</script>\n"
        # a page copied without its mathjax/ folder (nbgrader's release_feedback copies
        # the pages only) falls back to the same MathJax from a CDN, when online
        f'<script id="MathJax-script" src="{src}" onerror="var s = document.createElement('
        f"'script'); s.src = '{MATHJAX_CDN}'; document.head.appendChild(s);\"></script>\n")


_MATHJAX_SCRIPTS = re.compile(
    r"<!--\s*Load mathjax\s*-->.*?<!--\s*End of mathjax configuration\s*-->", re.DOTALL)
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=[\"']?(?:https?:)?//[^>]*>\s*</script>", re.IGNORECASE)


def rewrite_page(text):
    """Sanitise one feedback page's body and load MathJax from ``mathjax/``."""
    start = text.find("<body")
    start = text.find(">", start) + 1 if start >= 0 else -1
    end = text.rfind("</body>")
    if start <= 0 or end < start:
        raise ValueError("not a feedback page: no <body>")
    head, body, tail = text[:start], text[start:end], text[end:]
    # the templates' own tags, nested (nbgrader wraps nbconvert's page, <body> and all)
    body = re.sub(r"</?(body|html)\b[^>]*>", "", body, flags=re.IGNORECASE)
    head = _MATHJAX_SCRIPTS.sub("", head)
    head = _REMOTE_SCRIPT.sub("", head)
    head = head.replace("</head>", mathjax_head() + "</head>", 1)
    return head + sanitize_body(body) + tail


def copy_mathjax(source, target):
    """The files of :data:`MATHJAX_FILES` into ``target`` (hard links when possible)."""
    source, target = Path(source), Path(target)
    files = [Path(f) for f in MATHJAX_FILES]
    for folder in MATHJAX_FOLDERS:
        files += [p.relative_to(source) for p in sorted((source / folder).glob("*")) if p.is_file()]
    for rel in files:
        dest = target / rel
        if dest.exists():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, dest)
        except OSError:
            shutil.copyfile(source / rel, dest)


def mathjax_available(source):
    return source is not None and all((Path(source) / f).is_file() for f in MATHJAX_FILES)


def finish(folder, mathjax_source):
    """Rewrite every feedback page in ``folder``; add ``folder/mathjax``."""
    folder = Path(folder)
    pages = sorted(folder.glob("*.html"))
    for page in pages:
        page.write_text(rewrite_page(page.read_text(encoding="utf-8")), encoding="utf-8")
    if pages and mathjax_available(mathjax_source):
        copy_mathjax(mathjax_source, folder / "mathjax")
    return pages


def configure(config):
    """Add :class:`SafeFeedback` to nbgrader's feedback preprocessors in
    ``config``, and load MathJax from ``mathjax/`` (:func:`finish` puts it there)."""
    configure_nbgrader(config)
    config.HTMLExporter.mathjax_url = MATHJAX_ENTRY
    return config


def configure_nbgrader(config):
    """For ``nbgrader generate_feedback`` itself (a course's nbgrader_config.py):
    hidden tests removed and outputs sanitised; the page still loads MathJax
    from nbgrader's CDN (``autograder grade`` writes the offline pages)."""
    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    current = list(config.GenerateFeedback.get("preprocessors", [GetGrades, CSSHTMLHeaderPreprocessor]))
    if SafeFeedback not in current:
        at = current.index(GetGrades) + 1 if GetGrades in current else 0
        current.insert(at, SafeFeedback)
    config.GenerateFeedback.preprocessors = current
    config.HTMLExporter.sanitize_html = True
    return config
