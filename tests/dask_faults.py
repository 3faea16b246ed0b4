"""Faults for the Dask workers of ``tests/test_distributed.py``, loaded by
each worker before its first task (``dask worker --preload``).

The student ``kills-workers`` stands for a submission whose grading takes
the whole worker process down each time (as a machine's out-of-memory killer
would; the jail keeps a student's own code from doing it): the task kills
the Dask worker it runs in with SIGKILL, before grading.
"""
import os
import signal

from autograder import cluster

KILLER = "kills-workers"
# Dask may run a preload more than once in a process: wrap the original only
_grade_task = getattr(cluster.grade_task, "__wrapped__", cluster.grade_task)


def grade_task(bundle, task, files):
    if task.student == KILLER:
        os.kill(os.getpid(), signal.SIGKILL)
    return _grade_task(bundle, task, files)


grade_task.__wrapped__ = _grade_task
cluster.grade_task = grade_task
