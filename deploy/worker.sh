#!/usr/bin/env bash
# One grading machine of a Dask cluster (instructor/cluster.md), as root (for
# bubblewrap and for a user id of its own per kernel):
#
#   sudo ./deploy/worker.sh tcp://SCHEDULER-HOST:8786 [processes]
#
# run in a clone of the course repository at the SAME commit as the instructor's
# (a worker whose grader differs from the client's refuses to grade, with the reason).
# NOT RUN on a second machine here: tests/test_distributed.py starts the same
# `dask worker` command on 127.0.0.1.
set -euo pipefail
scheduler=${1:?usage: deploy/worker.sh tcp://SCHEDULER-HOST:8786 [processes]}
processes=${2:-$(nproc)}
cd "$(dirname "$0")/.."
make worker                 # the course's .venv and bubblewrap; nothing else
.venv/bin/autograder sandbox   # what the jail is on this machine: it must say bubblewrap
export OPENBLAS_NUM_THREADS=1
# One single-threaded worker per core (each grades one notebook at a time in a child
# process it can stop at the deadline); --memory-limit 0: the kernels' own limits
# (c.RnnlibGrader.memory_mb) apply, not Dask's.
exec .venv/bin/dask worker "$scheduler" --nworkers "$processes" --nthreads 1 \
    --memory-limit 0 --no-dashboard --name "$(hostname)"
