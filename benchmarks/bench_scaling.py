"""Grading beyond one machine: the local pool against Dask, the single writer, a projection.

One run, on this machine:

1. **Local vs Dask.** A course with 200 submissions of assignment 1 (the
   grading benchmark's class generator: the reference, the untouched
   notebook, each catalogued wrong and valid answer, in turn) is copied
   twice and graded by ``autograder grade`` in this process: once with the
   home-made pool at ``-j 2``, once on a Dask ``LocalCluster`` of two
   single-threaded worker processes (``--cluster``). Both must give every
   student the same score. The overhead of an engine per task is the time
   its slots were not grading: (wall time x 2 slots - the workers' own
   grading time, summed) / tasks. Dask's own round trip is measured apart
   too: 400 tasks that do nothing with a submission-sized argument.
2. **Merge throughput.** ``store.merge`` of 400 synthetic results (one
   transaction each, as the client does) into a PostgreSQL gradebook (a
   private server, as the tests start it) and into SQLite, in students per
   second. The arithmetic: N workers that each finish a notebook every t
   seconds send N/t results a second; the one writer keeps up while that is
   below its throughput.
3. **A projection** (computed, not measured) for 10,000 submissions of A1
   and of A4 on 2, 16, 64 and 256 worker cores: N x (t + overhead) / cores,
   or N / merge throughput if that is longer. t for A1 is this run's; for
   A4 it is ``benchmarks/results/grading.json``'s (``-j 1``, measured by
   ``bench_grading.py``), when present.

The machine is shared: the numbers are for the load it had (in the JSON).
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for path in (str(ROOT / "tests"), str(ROOT)):
    if path not in sys.path:
        sys.path.insert(0, path)

import grader_class  # noqa: E402

A1 = grader_class.ASSIGNMENT
A4 = "a4_input_output_sequences"
OPTIONS = dict(memory_mb=2048, cluster_timeout=60)


def _bench_grading():
    spec = importlib.util.spec_from_file_location("bench_grading", HERE / "bench_grading.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _grade(course, **options):
    from autograder import pipeline

    started = time.perf_counter()
    summary = pipeline.grade(course, [A1], workers=2, progress=False, report=False,
                             options={**OPTIONS, **options})
    wall = time.perf_counter() - started
    if summary.errors or summary.ungradeable:
        raise RuntimeError(f"not every student was graded: {summary.results}")
    grading = sum(r.seconds or 0.0 for r in summary.results)
    tasks = len(summary.results)
    return {"wall": wall, "tasks": tasks, "grading": grading,
            "overhead_ms": 1000 * (wall * 2 - grading) / tasks}


def _noop(payload):
    return len(payload)


def _dask_round_trip(client, n, size=30_000):
    """Milliseconds per no-op task with a submission-sized argument, two at a time."""
    payloads = [os.urandom(size) for _ in range(n)]
    started = time.perf_counter()
    futures = client.map(_noop, payloads, pure=False)
    assert sum(client.gather(futures)) == n * size
    return 1000 * (time.perf_counter() - started) * 2 / n


def _merge_rate(url, n):
    import gradebooks
    from autograder import store

    engine = store.make_engine(url)
    store.prepare(engine)
    full = {t: p for task in grader_class.tasks_of(grader_class.source_notebook()).values()
            for t, p in task.items()}
    results = [gradebooks.graded_result(f"m{i:05d}", full) for i in range(n)]
    started = time.perf_counter()
    for result in results:
        store.merge(engine, result)
    rate = n / (time.perf_counter() - started)
    engine.dispose()
    return rate


def _a4_seconds():
    path = HERE / "results" / "grading.json"
    if not path.is_file():
        return None
    for row in json.loads(path.read_text())["rows"]:
        if row[0].startswith("autograder grade -j 1") and A4 in row[0]:
            return float(row[3])
    return None


def run(quick=False):
    from distributed import Client, LocalCluster

    import gradebooks

    n = 16 if quick else 200
    merges = 50 if quick else 400
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        tmp = Path(tmp)
        base = tmp / "base"
        _bench_grading()._class(base, n, A1)
        local_course, dask_course = tmp / "local", tmp / "dask"
        shutil.copytree(base, local_course)
        shutil.copytree(base, dask_course)

        local = _grade(local_course)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=0,
                          dashboard_address=None) as cluster:
            dask = _grade(dask_course, cluster=cluster.scheduler_address)
            with Client(cluster.scheduler_address, set_as_default=False) as client:
                round_trip = _dask_round_trip(client, 50 if quick else 400)
        scores_local = gradebooks.scores(f"sqlite:///{local_course / 'gradebook.db'}")
        scores_dask = gradebooks.scores(f"sqlite:///{dask_course / 'gradebook.db'}")
        if scores_local != scores_dask or len(scores_local) != n:
            raise RuntimeError("Dask gave other scores than the local pool")

        books = gradebooks.SQLiteBooks(tmp / "sqlite")
        _, sqlite_url = books.new_course(tmp / "merge-sqlite", "merge")
        sqlite_rate = _merge_rate(sqlite_url, merges)
        postgres_rate = None
        server = gradebooks.postgres_cluster()
        try:
            cluster = next(server)
        except BaseException as exc:  # pytest's skip when there is no server
            print(f"no PostgreSQL server for the merge benchmark: {exc}", file=sys.stderr)
        else:
            try:
                pg = gradebooks.PostgresBooks(tmp / "pg", cluster)
                _, pg_url = pg.new_course(tmp / "merge-pg", "merge")
                postgres_rate = _merge_rate(pg_url, merges)
            finally:
                server.close()

    per_nb = {A1: local["grading"] / local["tasks"], A4: _a4_seconds()}
    overhead_s = dask["overhead_ms"] / 1000
    writer = postgres_rate or sqlite_rate
    projection = []
    for assignment, t in per_nb.items():
        if t is None:
            continue
        for cores in (2, 16, 64, 256):
            grading = 10_000 * (t + overhead_s) / cores
            merging = 10_000 / writer
            projection.append([f"projection: 10,000 x {assignment} on {cores} worker cores", cores,
                               round(max(grading, merging) / 3600, 2),
                               "merge-bound" if merging > grading else "grading-bound"])
    arrivals_100 = 100 / per_nb[A1]
    overhead_pct = 100 * (dask["wall"] - local["wall"]) / local["wall"]
    rows = [
        [f"local pool -j 2, {n} x {A1}", n, round(local["wall"], 1), round(local["overhead_ms"], 1)],
        [f"Dask LocalCluster 2 x 1 thread, {n} x {A1}", n, round(dask["wall"], 1),
         round(dask["overhead_ms"], 1)],
        ["Dask round trip of a no-op task (30 kB argument)", 50 if quick else 400, None,
         round(round_trip, 1)],
        [f"merge into PostgreSQL: {postgres_rate and round(postgres_rate)} students/s", merges,
         None, None],
        [f"merge into SQLite: {round(sqlite_rate)} students/s", merges, None, None],
    ]
    return {
        "title": f"grading on a cluster: Dask {overhead_pct:+.1f}% against the local pool "
                 f"({n} notebooks of {A1}, 2 slots each); the writer takes {writer:.0f} "
                 f"students/s, 100 workers send {arrivals_100:.0f}/s",
        "columns": ["what", "n", "seconds (or hours)", "overhead ms/task (or bound)"],
        "rows": rows + [[label, cores, hours, bound] for label, cores, hours, bound in projection],
        "notebooks": n,
        "local": local,
        "dask": dask,
        "dask_overhead_percent": overhead_pct,
        "dask_round_trip_ms": round_trip,
        "merge_students_per_second": {"postgresql": postgres_rate, "sqlite": sqlite_rate},
        "seconds_per_notebook": per_nb,
        "writer_arithmetic": (
            f"100 workers, each finishing a notebook of {A1} every {per_nb[A1]:.2f} s, send "
            f"{arrivals_100:.0f} results/s; the one writer merges {writer:.0f}/s "
            f"({'keeps up' if writer > arrivals_100 else 'is the bottleneck'}; "
            f"{100 * arrivals_100 / writer:.0f}% busy)"),
        "projection_note": "a projection computed from the measured per-notebook and per-task "
                           "costs, not a measurement; A4's seconds per notebook come from "
                           "benchmarks/results/grading.json",
        "projection_hours": projection,
        "scores_equal": True,
        "load_average": os.getloadavg(),
    }
