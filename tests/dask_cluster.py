"""A real Dask cluster on 127.0.0.1 for the tests (``tests/test_distributed.py``)
and the benchmark (``benchmarks/bench_scaling.py``): ``dask scheduler`` and
``dask worker`` processes started from the course's environment, each worker
single-threaded under its nanny (which starts it again when it dies).

``preload`` is a Python file each worker imports before its first task
(Dask's ``--preload``): the tests inject faults with it.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalDask:
    """``dask scheduler`` on a free loopback port and ``workers`` workers."""

    def __init__(self, workers=2, preload=None, env=None, log_dir=None):
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.n, self.preload = workers, preload
        self.env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
                    "OPENBLAS_NUM_THREADS": "1", **(env or {})}
        self.log_dir = Path(log_dir) if log_dir else None
        self.scheduler, self.workers = None, []

    def _start(self, name, args):
        out = subprocess.DEVNULL
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        # a process group of its own: stop() ends the nanny, its worker and their children
        return subprocess.Popen([str(BIN / "dask"), *args], env=self.env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)

    def start(self, timeout=60):
        self.scheduler = self._start("scheduler", ["scheduler", "--host", "127.0.0.1", "--port",
                                                   str(self.port), "--no-dashboard"])
        for i in range(self.n):
            args = ["worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                    "--nworkers", "1", "--memory-limit", "0", "--no-dashboard",
                    "--name", f"w{i}"]
            if self.preload:
                args += ["--preload", str(self.preload)]
            self.workers.append(self._start(f"worker{i}", args))
        if self.n:
            self.wait_for_workers(self.n, timeout)
        else:  # only the scheduler: wait until it answers
            self.client(timeout).close()
        return self

    def client(self, timeout=30):
        from distributed import Client

        return Client(self.address, timeout=timeout, set_as_default=False)

    def wait_for_workers(self, n, timeout=60):
        with self.client() as client:
            client.wait_for_workers(n, timeout=timeout)

    def worker_pids(self):
        """``{worker address: pid}`` of the worker processes (not the nannies)."""
        with self.client() as client:
            return client.run(os.getpid)

    def stop(self):
        for process in [*self.workers, self.scheduler]:
            if process is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in [*self.workers, self.scheduler]:
            if process is None:
                continue
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
