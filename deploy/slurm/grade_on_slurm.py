"""Grade an assignment on a SLURM cluster with dask-jobqueue (instructor/cluster.md).

NOT RUN in this repository (there is no SLURM cluster here, and dask-jobqueue is not in
requirements.lock): a recipe to copy. On the login node, in the course folder, with the
course's environment active:

    pip install "dask-jobqueue==0.9.0"
    python /path/to/rnn-course/deploy/slurm/grade_on_slurm.py a1_recurrent_neurons \\
        --jobs 8 --cores 32 --partition CHANGE --account CHANGE

Each SLURM job runs one single-threaded Dask worker per core, in a clone of the course
repository on the nodes (the same commit as here: a worker whose grader differs refuses
to grade). The scheduler runs in this process; `autograder grade` sends it one task per
student, and this process, the one writer, merges the grades into the gradebook. Kill
it at any moment and run it again: it grades only what is missing. The nodes need
bubblewrap (`make worker` in the clone, once, as root) and no shared filesystem.
"""
import argparse
import sys

from dask_jobqueue import SLURMCluster

from autograder.pipeline import GradingError, grade


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="+")
    parser.add_argument("--course", default=".", help="the course folder (default: here)")
    parser.add_argument("--clone", default="$HOME/rnn-course",
                        help="the course repository on the nodes (CHANGE)")
    parser.add_argument("--jobs", type=int, default=4, help="SLURM jobs (nodes)")
    parser.add_argument("--cores", type=int, default=32, help="cores, and workers, per job")
    parser.add_argument("--memory-per-core", default="3GB",
                        help="a kernel takes up to c.RnnlibGrader.memory_mb, plus the grader")
    parser.add_argument("--partition", required=True)
    parser.add_argument("--account", default=None)
    parser.add_argument("--walltime", default="02:00:00")
    parser.add_argument("--interface", default=None, help="the nodes' network, e.g. ib0")
    args = parser.parse_args()

    memory_gb = float(args.memory_per_core.rstrip("GB")) * args.cores
    cluster = SLURMCluster(
        queue=args.partition, account=args.account, walltime=args.walltime,
        cores=args.cores, processes=args.cores,          # single-threaded workers
        memory=f"{memory_gb:g}GB", interface=args.interface,
        job_name="rnn-grading",
        job_script_prologue=[f"cd {args.clone}", "source .venv/bin/activate",
                             "export OPENBLAS_NUM_THREADS=1"],
        scheduler_options={"port": 8786},
    )
    print(cluster.job_script())
    cluster.scale(jobs=args.jobs)
    try:
        summary = grade(args.course, args.assignments,
                        options={"cluster": cluster.scheduler_address, "cluster_timeout": 900})
    except GradingError as exc:
        print(f"grading: {exc}", file=sys.stderr)
        return 2
    finally:
        cluster.close()
    print(f"graded {summary.graded}, could not grade {summary.ungradeable}, grader errors "
          f"{summary.errors}, already finished {summary.skipped}; report: {summary.report}")
    return 1 if summary.errors else 0


if __name__ == "__main__":
    sys.exit(main())
