"""nbgrader's Execute step, made safe: :class:`SafeExecute`.

The worker puts it in place of nbgrader's ``Execute`` in
``Autograde.autograde_preprocessors``; everything else nbgrader does
(restoring locked and deleted cells, saving grades, late penalties) is
unchanged. What it adds:

* the kernel starts through ``sandbox.kernel_command`` (the jail) in a
  folder holding only the student's own files, and talks to the grader
  through Unix sockets;
* every test cell runs in the checker (``checker.py``), in the grader's
  process; none runs in the student's kernel, and its source never goes
  there. Calibration (the reference solution, run first) records each test
  cell as "checker" or, when it fails there, as the reason: the pipeline
  then refuses to grade the assignment instead of falling back;
* a cell that runs too long is interrupted (nbgrader's ``Execute.timeout``);
  a kernel that dies (``os._exit``, a segfault, a resource limit) or does not
  respond to the interrupt is given up: the cells after it are not run and
  receive an error output, so they score 0 (nbgrader would give full marks
  to a test cell that never ran, or stop grading the notebook);
* each cell keeps at most ``output_limit`` characters of output.

What happened is recorded in ``CONTEXT.notes`` for the report.
"""
from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader import utils as nbgrader_utils
from nbgrader.preprocessors import Execute
from traitlets import default

from . import sandbox
from .checker import (Channel, Checker, KernelGone, NotCheckable, grader_reply, input_prompt,
                      limit_messages, safe_unpack)
from .shadow import RnnlibService


@dataclass
class Context:
    """What the worker tells SafeExecute about the notebook it runs next."""

    jail: sandbox.Jail
    kernel_root: Path
    workdir: Path
    calibrate: bool = False                         # running the reference solution
    output_limit: int = 1_000_000
    grace: float = 5.0
    notes: list = field(default_factory=list)
    calibration: dict = field(default_factory=dict)  # filled when calibrating
    failure: str = ""                               # why the notebook could not run
    prestarted: "Prestarted | None" = None          # a kernel already booting in workdir


#: Set by the worker before each notebook.
CONTEXT: Context | None = None


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start in the jail."""

    kernel_dir = None
    jail = None
    workdir = None

    @property
    def kernel_spec(self):
        return KernelSpec(argv=["python"], display_name="Python 3 (grader's jail)",
                          language="python", interrupt_mode="message")

    def format_kernel_cmd(self, extra_arguments=None):
        argv, _ = sandbox.kernel_command(self.jail, self.kernel_dir, self.workdir,
                                         self.connection_file)
        return argv + list(extra_arguments or [])


def _seal_notes(km, removed):
    if removed and CONTEXT is not None:
        CONTEXT.notes.append("the kernel left unexpected files in its socket folder (removed): "
                             + ", ".join(sorted(removed))[:200])


async def _seal(km, timeout):
    """Wait for the kernel's sockets, then take its ``ipc/`` folder back
    (``sandbox.seal_ipc``): no student code has run yet."""
    info = km.get_connection_info()
    deadline = time.monotonic() + timeout
    while not sandbox.ipc_ready(km.kernel_dir, info):
        process = getattr(km.provisioner, "process", None)
        if process is None or process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the kernel did not create its sockets")
        await asyncio.sleep(0.01)
    _seal_notes(km, sandbox.seal_ipc(km.kernel_dir, info))
    km.sealed = True


def new_kernel_manager(jail, kernel_root, workdir, config=None):
    """A :class:`SandboxKernelManager` with its own folder in ``kernel_root``."""
    kernel_dir = Path(tempfile.mkdtemp(prefix="k-", dir=kernel_root))
    kernel_dir.chmod(0o711)
    (kernel_dir / "ipc").mkdir()
    km = SandboxKernelManager(
        config=config, transport="ipc", ip=str(kernel_dir / "ipc" / "k"), cache_ports=False,
        connection_file=str(kernel_dir / "connection.json"))
    km.kernel_dir, km.jail, km.workdir = kernel_dir, jail, Path(workdir)
    km.sealed = False  # ipc/ is the kernel's until seal_ipc
    return km


@dataclass
class Prestarted:
    """A kernel started before its notebook is known: it boots while the
    worker reads the next submission. Its working folder is filled later."""

    km: SandboxKernelManager
    stderr: object

    @classmethod
    def launch(cls, jail, kernel_root, workdir):
        km = new_kernel_manager(jail, kernel_root, workdir)
        stderr = open(km.kernel_dir / "stderr.log", "wb")
        run_sync(km.start_kernel)(cwd=str(workdir), stdout=subprocess.DEVNULL, stderr=stderr,
                                  extra_arguments=["--HistoryManager.hist_file=:memory:"])
        return cls(km, stderr)

    def alive(self, timeout=60):
        """Is the kernel running, with its socket folder sealed?"""
        process = getattr(self.km.provisioner, "process", None)
        if process is None or process.poll() is not None:
            return False
        if not self.km.sealed:
            try:
                run_sync(_seal)(self.km, timeout)
            except Exception:  # noqa: BLE001 - started again, and reported, by SafeExecute
                process.kill()
                return False
        return True


def _limit(km):
    """The grader's limits on what a kernel may send (size, JSON nesting) for
    every client of ``km``: they share its ZeroMQ context and its session."""
    limit_messages(km.context)
    km.session.unpack = safe_unpack
    return km


def _error(ename, evalue):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=[f"{ename}: {evalue}"])


def _size(msg):
    content = msg.get("content", {})
    if "text" in content:
        return len(content["text"])
    data = content.get("data") or {}
    return sum(len(v) if isinstance(v, str) else len(str(v)) for v in data.values())


def _exit_description(returncode):
    if returncode is None:
        return "it stopped responding"
    code = returncode - 128 if returncode > 128 else -returncode if returncode < 0 else None
    if code:
        with contextlib.suppress(ValueError):
            name = signal.Signals(code).name
            why = {"SIGSEGV": "a crash", "SIGXCPU": "CPU time limit", "SIGKILL": "killed",
                   "SIGABRT": "aborted", "SIGBUS": "a crash"}.get(name, "")
            return f"killed by {name}" + (f" ({why})" if why else "")
    return f"the kernel exited with code {returncode}"


class SafeExecute(Execute):
    """nbgrader's Execute with the jail, the checker, and kernel failures handled."""

    @default("shutdown_kernel")
    def _default_shutdown_kernel(self):
        return "immediate"  # its state is of no use after the last cell

    def create_kernel_manager(self):
        self.km = _limit(new_kernel_manager(CONTEXT.jail, CONTEXT.kernel_root, CONTEXT.workdir,
                                            self.config))
        self._kernel_dir = self.km.kernel_dir
        return self.km

    async def async_start_new_kernel(self, **kwargs):
        kwargs["cwd"] = str(CONTEXT.workdir)
        kwargs["stdout"] = subprocess.DEVNULL
        self._stderr = open(self._kernel_dir / "stderr.log", "wb")
        kwargs["stderr"] = self._stderr
        await super().async_start_new_kernel(**kwargs)
        await _seal(self.km, self.startup_timeout)

    start_new_kernel = run_sync(async_start_new_kernel)

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        # answer cells may call the kernel's rnnlib, whose functions ask the
        # grader over stdin (shadow.py); nbclient itself never answers input()
        self.kc.allow_stdin = True
        return kc

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        server = asyncio.ensure_future(self._serve_stdin(time.monotonic() + (self.timeout or 30)
                                                         + CONTEXT.grace))
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        finally:
            server.cancel()
            with contextlib.suppress(BaseException):
                await server

    execute_cell = run_sync(async_execute_cell)

    async def _serve_stdin(self, deadline):
        """Answer the kernel's input() requests while an answer cell runs:
        the rnnlib stubs' (free: no task is being checked) and, with an end
        of file, the student's own."""
        from queue import Empty

        while True:
            try:
                msg = await self.kc.get_stdin_msg(timeout=1)
            except Empty:
                continue
            prompt = input_prompt(msg)
            if prompt is not None:
                self.kc.input(grader_reply(prompt, self._rnnlib, deadline) or "\x04")

    def reset_execution_trackers(self):
        super().reset_execution_trackers()
        self._gone = None
        self._channel = None
        self._checker = None
        self._out_used = {}
        jail = CONTEXT.jail if CONTEXT is not None else None
        self._rnnlib = (RnnlibService(jail.rnnlib_manifest)
                        if jail is not None and jail.rnnlib_view else None)

    def preprocess(self, nb, resources=None, km=None):
        self._kernel_dir = None
        self._stderr = None
        ours = CONTEXT.prestarted
        CONTEXT.prestarted = None
        if ours is not None and ours.alive():
            km, self._kernel_dir, self._stderr = ours.km, ours.km.kernel_dir, ours.stderr
        elif ours is not None:
            ours.stderr.close()
            shutil.rmtree(ours.km.kernel_dir, ignore_errors=True)
            ours = None
        if km is not None:
            _limit(km)
        try:
            return super().preprocess(nb, resources, km)
        except Exception as exc:
            CONTEXT.failure = CONTEXT.failure or f"the kernel could not be started: {exc}"
            raise
        finally:
            if self._channel is not None:
                self._channel.close()
            if ours is not None:  # nbclient leaves a kernel it did not start running
                self._kill()
                with contextlib.suppress(Exception):
                    if self.kc is not None:
                        self.kc.stop_channels()
                with contextlib.suppress(Exception):
                    run_sync(ours.km.cleanup_resources)()
            if self._stderr is not None:
                self._stderr.close()
            if self._kernel_dir is not None:
                shutil.rmtree(self._kernel_dir, ignore_errors=True)

    # -- the kernel's state ----------------------------------------------
    def _process(self):
        provisioner = getattr(self.km, "provisioner", None)
        return getattr(provisioner, "process", None)

    def _alive(self):
        process = self._process()
        return process is not None and process.poll() is None

    def _kill(self):
        process = self._process()
        if process is not None and process.poll() is None:
            process.kill()
            with contextlib.suppress(Exception):
                process.wait(10)

    def _crash_report(self):
        process = self._process()
        returncode = process.poll() if process is not None else None
        why = _exit_description(returncode)
        try:
            tail = (self._kernel_dir / "stderr.log").read_bytes()[-2000:].decode("utf-8", "replace")
            fatal = [line for line in tail.splitlines() if "Fatal Python error" in line]
            if fatal:
                why += f"; {fatal[-1].strip()[:200]}"
        except OSError:
            pass
        return why

    def _give_up(self, cell, label, reason):
        self._kill()
        self._gone = f"the kernel was lost in cell {label}"
        CONTEXT.notes.append(f"cell {label}: {reason}; the cells after it were not run and score 0")
        cell.outputs.append(_error("KernelLost", reason))

    def _get_checker(self):
        if self._checker is None:
            self._channel = Channel(self.km.get_connection_info(), self._alive, grace=CONTEXT.grace)
            self._channel.rnnlib = self._rnnlib
            self._checker = Checker(self._channel, timeout=self.timeout or 30,
                                    output_limit=CONTEXT.output_limit)
        return self._checker

    # -- cells --------------------------------------------------------------
    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell, resources
        meta = cell.metadata.get("nbgrader", {})
        label = meta.get("grade_id") or f"#{index + 1}"
        if self._gone:
            cell.outputs = [_error("NotRun", f"not run: {self._gone}")]
            return cell, resources
        # Which cells are tests is decided by the instructor's metadata, which
        # nbgrader has restored from the gradebook before this step runs.
        is_test = bool(meta.get("grade")) and not meta.get("solution")
        if is_test:
            self._run_in_checker(cell, label)
            return cell, resources
        return self._run_in_kernel(cell, resources, index, label)

    def _run_in_checker(self, cell, label):
        """Run a test cell in the checker; its outputs are set in every case."""
        try:
            outputs = self._get_checker().run(cell.source, label)
        except KernelGone as exc:
            cell.outputs = []
            self._give_up(cell, label, f"{exc} ({self._crash_report()})")
            return
        except NotCheckable as exc:
            outputs = [{"output_type": "error", "ename": "NotCheckable", "evalue": str(exc),
                        "traceback": [f"the grader could not run this test: {exc}"]}]
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        self.code_cells_executed += 1
        cell.execution_count = self.code_cells_executed
        if CONTEXT.calibrate:
            score, points = nbgrader_utils.determine_grade(cell)
            if score == points:
                CONTEXT.calibration[label] = "checker"
            else:
                error = next((o for o in outputs if o.get("output_type") == "error"), {})
                CONTEXT.calibration[label] = (f"{error.get('ename', 'no error')}: "
                                              f"{str(error.get('evalue', ''))[:300]}")

    def _run_in_kernel(self, cell, resources, index, label):
        try:
            super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._give_up(cell, label, f"the kernel died ({self._crash_report()})")
        except CellTimeoutError:
            self._give_up(cell, label, f"the cell ran longer than {self.timeout} s and the kernel "
                          "did not respond to an interrupt")
        except Exception as exc:  # noqa: BLE001 - a message nbclient could not read
            self._give_up(cell, label, f"the kernel sent what the grader cannot read "
                          f"({type(exc).__name__}: {str(exc)[:200]})")
        else:
            if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
                CONTEXT.notes.append(f"cell {label} ran longer than {self.timeout} s and was interrupted")
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        size = _size(msg)
        used = self._out_used.get(cell_index, 0)
        if used + size > CONTEXT.output_limit:
            if used <= CONTEXT.output_limit:
                self._out_used[cell_index] = CONTEXT.output_limit + 1
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=f"\n... output truncated by the grader at {CONTEXT.output_limit} characters ...\n"))
                cell = self.nb.cells[cell_index]
                label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"#{cell_index + 1}"
                CONTEXT.notes.append(f"cell {label}: output truncated at "
                                     f"{CONTEXT.output_limit} characters")
            return None
        self._out_used[cell_index] = used + size
        return super().output(outs, msg, display_id, cell_index)
