"""Run the course's benchmarks, print a table for each, write JSON results.

Each ``benchmarks/bench_<name>.py`` defines ``run(quick: bool) -> dict`` that
returns ``{"title": str, "columns": [...], "rows": [[...], ...], **extra}``.
This script prints the table and writes the whole dict, plus the machine and
library versions, to ``benchmarks/results/<name>.json``.

    python benchmarks/run.py            # every benchmark
    python benchmarks/run.py bptt book  # only these
    python benchmarks/run.py --quick    # fewer repetitions (smoke run)
"""
from __future__ import annotations

import argparse
import datetime as _dt
import importlib.util
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def environment():
    versions = {}
    for pkg in ("numpy", "tensorflow-cpu", "keras", "jupyter-book", "nbgrader", "pandas", "statsmodels",
                "dask", "distributed"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "versions": versions,
    }


def format_table(title, columns, rows):
    cells = [[str(c) for c in columns]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    line = "  ".join("-" * w for w in widths)
    out = [title, line]
    for i, r in enumerate(cells):
        # text in the first column reads left to right; numbers line up on the right
        out.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths))))
        if i == 0:
            out.append(line)
    out.append(line)
    return "\n".join(out)


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    available = sorted(p.stem[len("bench_"):] for p in HERE.glob("bench_*.py"))
    names = args.names or available
    unknown = sorted(set(names) - set(available))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; available: {available}")
    RESULTS.mkdir(exist_ok=True)
    for name in names:
        spec = importlib.util.spec_from_file_location(f"bench_{name}", HERE / f"bench_{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = module.run(quick=args.quick)
        print(format_table(result["title"], result["columns"], result["rows"]), flush=True)
        print(flush=True)
        result["environment"] = environment()
        result["quick"] = args.quick
        (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
