"""The maintainers' tools, run from the repository root (``python -m tools.build_notebooks``)
and imported by the tests and the grader (``from tools import build_notebooks``)."""
