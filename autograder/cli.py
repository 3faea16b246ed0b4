"""The ``autograder`` command (instructors): ``autograder grade``, ``autograder report``,
``autograder init-course``, ``autograder sandbox``. See ``instructor/grading.md``.

Nothing heavy is imported until a subcommand runs.
"""
from __future__ import annotations

import argparse
import ast
import sys


def _option(text):
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected option=value, got {text!r}")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a plain string
    return key.strip(), value


def _parser():
    parser = argparse.ArgumentParser(prog="autograder", description="Course tools for instructors.")
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("grade", help="autograde a class in parallel, safely, resumably",
                       description="Autograde the submissions in submitted/<student>/<assignment>/ "
                       "with nbgrader, N notebooks at a time, each kernel in a jail; record the "
                       "grades in nbgrader's gradebook; write feedback, grades.csv and a report.")
    g.add_argument("assignments", nargs="+", help="assignment ids (as in the gradebook)")
    g.add_argument("--course", default=".", help="the course folder (with nbgrader_config.py); "
                   "default: the current folder")
    g.add_argument("-j", "--workers", type=int, default=None,
                   help="notebooks graded at once (default: one per CPU core)")
    g.add_argument("--cluster", default=None, metavar="tcp://HOST:8786",
                   help="grade on the workers of this Dask scheduler instead of this machine "
                   "(default: c.RnnlibGrader.cluster; see instructor/cluster.md)")
    g.add_argument("--force", action="store_true",
                   help="grade every student again, even those already finished")
    g.add_argument("--student", action="append", dest="students", metavar="ID",
                   help="grade only this student (repeatable)")
    g.add_argument("--zip", dest="zip_file", metavar="FILE",
                   help="a learning-system download to unpack into submitted/ first: Canvas, "
                   "Moodle (files or folders), Blackboard or <id>_<notebook>.ipynb file names "
                   "(see --zip-format); every skipped file is listed")
    g.add_argument("--zip-format", choices=["auto", "canvas", "moodle", "moodle-folders",
                                            "blackboard", "plain"], default=None,
                   help="the file names of the --zip download (default: c.RnnlibGrader."
                   "zip_format, auto: the format most of its notebooks match)")
    g.add_argument("--roll", default=None, metavar="FILE",
                   help="the class roll (CSV with an id column, in the course folder): --zip "
                   "skips ids not on it; the report lists who did not submit")
    g.add_argument("--timeout", type=int, dest="cell_timeout", default=None,
                   help="seconds a cell may run (default: nbgrader's Execute.timeout)")
    g.add_argument("--db", dest="db_url", default=None,
                   help="SQLAlchemy URL of the gradebook (default: nbgrader's)")
    g.add_argument("--out", default=None, help="folder of the report (default: <course>/reports)")
    g.add_argument("--no-feedback", dest="feedback", action="store_false", default=None,
                   help="do not write feedback HTML")
    g.add_argument("--no-report", dest="report", action="store_false", help="do not write the report")
    g.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                   help="no progress bar")
    g.add_argument("--set", action="append", type=_option, default=[], metavar="OPTION=VALUE",
                   help="a RnnlibGrader option, e.g. --set memory_mb=2048 (see --help-config)")
    g.add_argument("--help-config", action="store_true",
                   help="list the RnnlibGrader options of nbgrader_config.py and exit")

    r = sub.add_parser("report", help="write grades.csv and the class report from the gradebook",
                       description="Write grades.csv, report.html and the plots again from the "
                       "gradebook (manual grades included), without grading. Every assignment "
                       "of the gradebook that has submissions is in them; the ones named come "
                       "first.")
    r.add_argument("assignments", nargs="+", help="assignment ids (as in the gradebook)")
    r.add_argument("--course", default=".", help="the course folder (with nbgrader_config.py); "
                   "default: the current folder")
    r.add_argument("--db", dest="db_url", default=None,
                   help="SQLAlchemy URL of the gradebook (default: nbgrader's)")
    r.add_argument("--out", default=None, help="folder of the report (default: <course>/reports)")
    r.add_argument("--roll", default=None, metavar="FILE",
                   help="the class roll (CSV with an id column, in the course folder; default: "
                   "c.RnnlibGrader.roll, else the gradebook's students): who did not submit "
                   "is listed as missing")

    i = sub.add_parser("init-course", help="create a course folder outside the repository",
                       description="Create a course folder (outside this repository) with the "
                       "course's nbgrader_config.py, the reference solutions in solutions/, "
                       "the student versions in exercises/ and a gradebook holding every "
                       "assignment (nbgrader generate_assignment). Grade in that folder.")
    i.add_argument("folder", help="the new course folder, e.g. ~/courses/rnn-2026")
    i.add_argument("--assignment", action="append", dest="assignments", metavar="ID",
                   help="only this assignment (repeatable; default: all)")

    sub.add_parser("sandbox", help="show how student kernels would be confined on this machine")
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grade"] and "--help-config" in argv:
        from autograder.settings import RnnlibGrader

        print(RnnlibGrader.class_get_help())
        return 0
    args = _parser().parse_args(argv)
    if args.command == "sandbox":
        return _sandbox()
    if args.command == "report":
        return _report(args)
    if args.command == "init-course":
        return _init_course(args)
    return _grade(args)


def _sandbox():
    from autograder import sandbox

    jail = sandbox.make_jail(sandbox.Limits())
    print(jail.describe())
    return 0


def _init_course(args):
    from autograder.course import CourseError, init_course

    try:
        folder, assignments = init_course(args.folder, args.assignments)
    except CourseError as exc:
        print(f"autograder init-course: {exc}", file=sys.stderr)
        return 2
    print(f"created the course in {folder} with {len(assignments)} assignment(s): "
          f"{', '.join(assignments)}")
    print(f"next: put the submissions in {folder / 'submitted'}/<student>/<assignment>/, then\n"
          f"  cd {folder} && autograder grade <assignment>")
    return 0


def _report(args):
    from autograder import report, settings, store

    s = settings.resolve(args.course, {"roll": args.roll} if args.roll else None,
                         db_url=args.db_url)
    engine = store.make_engine(s.db_url)
    store.prepare(engine)
    path = report.write(s, engine, args.assignments, args.out)
    print(f"wrote {path} and {path.with_name('grades.csv')}")
    return 0


def _grade(args):
    from autograder.pipeline import GradingError, grade

    options = dict(args.set)
    if args.zip_format:
        options["zip_format"] = args.zip_format
    if args.roll:
        options["roll"] = args.roll
    if args.cluster:
        options["cluster"] = args.cluster
    try:
        summary = grade(args.course, args.assignments, workers=args.workers, force=args.force,
                        students=args.students, zip_file=args.zip_file, feedback=args.feedback,
                        report=args.report, out=args.out, db_url=args.db_url,
                        cell_timeout=args.cell_timeout, progress=args.progress,
                        options=options)
    except GradingError as exc:
        print(f"autograder grade: {exc}", file=sys.stderr)
        return 2
    for line in summary.collected:
        print(line)
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"graded {summary.graded}, could not grade {summary.ungradeable}, grader errors "
          f"{summary.errors}, already finished {summary.skipped}; {summary.seconds:.1f} s")
    print(f"kernels: {summary.jail}")
    for result in summary.results:
        if result.kind == "grade" and result.status != "graded":
            print(f"  {result.student}: {result.status}: {result.reason}")
    if summary.report:
        print(f"report: {summary.report}")
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
