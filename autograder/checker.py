"""Test cells run in the grader's own process, out of the student's reach.

nbgrader runs a test cell in the student's kernel, after the student's
code: a submission that replaced ``np.allclose``, ``math.tanh`` or
``rnnlib.grading.check_array`` there, or that returns an array subclass
lying in ``__eq__``, passes every test. Here the test cell's code runs in a
fresh namespace of the grader's process, with the grader's own numpy, math
and rnnlib; only the student's *functions* run in the kernel:

* before a test cell runs, its import statements (only those) run in the
  kernel too, as they would under nbgrader (``import numpy as np`` in a test
  cell rebinds ``np`` for the student's functions); then the names the cell
  uses but does not define are looked up in the student's namespace (the
  same request): functions become
  :class:`RemoteFunction` proxies, data values are copied, modules are
  replaced by the grader's own copy of the module of that name;
* calling a proxy sends the arguments to the kernel and brings back the
  result as data (``wire.py``); ``grading.call(f, ...)`` on a proxy runs the
  kernel's ``grading.call`` there (inputs copied, forbidden rnnlib calls,
  inputs changed in place), everything after it runs here;
* a function of the test's own given to a student's function (a loss, a
  model to probe) stays here: the kernel gets a stub that asks for each
  call through ``input()``, and the checker runs the function on the data
  sent and replies with the result (:meth:`Channel.request`);
* the student's printed output and warnings come back into the cell's
  output, which is scored exactly as nbgrader scores it (an error or
  anything on stderr scores 0, a number as last value gives partial credit).

The kernel never receives the test cell's source, so it cannot read the
hidden tests either. Every test cell runs here: there is no fallback to the
kernel. A test cell that cannot run here (an argument that is not data, a
cell that is not plain Python) fails, and calibration on the reference
solution refuses an assignment that has such a cell (``execute.py``).

What comes back from the kernel is data only, checked by ``wire.py``: a
student's exception arrives as text and is raised here as
:class:`StudentError` (never as a class the kernel names); a module the
kernel names is replaced by the grader's own copy only when its name is on
:data:`MODULES`; replies are read with limits on size (``MAX_MESSAGE``)
and nesting, and a kernel that floods a channel cannot hold the grader past
the cell's deadline.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import sys
import time
import traceback
import uuid
import warnings
from pathlib import Path
from queue import Empty

import numpy as np

from . import wire
from .kernel_side import CALLBACK_PROMPT, MIME, RNNLIB_PROMPT

GRADER_DIR = str(Path(__file__).resolve().parent)
#: The modules a test cell may receive by name from the kernel's namespace
#: (``np`` bound to numpy there is numpy here): exact names, imported from
#: the grader's own installation. Any other name the kernel gives (a
#: package's ``__main__``, a module of the student's) becomes an opaque
#: value, and the test that uses it fails.
MODULES = frozenset({
    "numpy", "numpy.random", "numpy.linalg", "numpy.testing", "math", "cmath", "random",
    "itertools", "functools", "collections", "statistics", "operator",
    "pandas", "scipy", "scipy.stats", "scipy.signal", "statsmodels", "statsmodels.api",
    "statsmodels.tsa.api", "keras", "tensorflow",
    "rnnlib", "rnnlib.activations", "rnnlib.neuron", "rnnlib.layer", "rnnlib.cells",
    "rnnlib.architectures", "rnnlib.bptt", "rnnlib.losses", "rnnlib.optim", "rnnlib.training",
    "rnnlib.gradcheck", "rnnlib.gradient_flow", "rnnlib.datasets", "rnnlib.baselines",
    "rnnlib.forecasting", "rnnlib.keras_compat", "rnnlib.grading",
})
#: The largest message the grader accepts from a kernel (bytes); a kernel
#: that sends a larger one is disconnected by ZeroMQ and given up.
MAX_MESSAGE = 128 * 1024 * 1024
#: ``input()`` requests of the student's own (not the grader's callbacks)
#: answered per call; more are left unanswered until the deadline.
MAX_FOREIGN_INPUTS = 20
_BUILTINS = set(dir(builtins))


class CellTimeout(Exception):
    """A call into the kernel did not return in time (the kernel recovered)."""


class KernelGone(Exception):
    """The kernel died, or is stuck and was given up; ``str`` says which."""


class NotCheckable(Exception):
    """This test cell cannot run in the checker (raised by the grader's own
    code only: an argument is not data, or the cell is not plain Python)."""


class StudentError(Exception):
    """An exception the student's code raised in the kernel, as text.

    ``type_name`` is what the kernel said the exception's type was: shown to
    the student, never looked up. Test code that needs to know the type
    compares names.
    """

    def __init__(self, label, type_name, message):
        self.label, self.type_name, self.message = label, type_name, message
        if label and message.startswith(f"{label} "):
            text = message  # rnnlib.grading already named the function and the error
        elif label:
            text = f"{label} raised {type_name}: {message}"
        else:
            text = f"{type_name}: {message}"
        super().__init__(text)


def _text(value, limit):
    """A kernel-supplied string, made printable and bounded."""
    text = value if isinstance(value, str) else ""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text[:limit])
    return text


def limit_messages(context, send_timeout=None):
    """Make every socket created from ``context`` refuse messages over
    :data:`MAX_MESSAGE` bytes (ZeroMQ drops such a peer); with
    ``send_timeout`` (ms), a send to a kernel that reads nothing gives up
    (only for a kernel already running: a booting kernel has no sockets
    yet). Nesting is limited by :func:`safe_unpack`."""
    import zmq

    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE)
    if send_timeout is not None:
        context.setsockopt(zmq.SNDTIMEO, send_timeout)
    return context


class UnreadableMessage(ValueError):
    """A kernel message the grader cannot read (too deep, not JSON)."""


def safe_unpack(data):
    """jupyter_client's ``Session.unpack``, with a clear error for messages
    that are not plain JSON or are nested too deeply."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError, TypeError, UnicodeDecodeError) as exc:
        raise UnreadableMessage(f"the kernel sent a message that is not plain JSON "
                                f"({type(exc).__name__})") from None


class Channel:
    """A blocking connection of the checker to one kernel.

    ``is_alive()`` tells whether the kernel process still runs; ``grace`` is
    how long an interrupted kernel has to become idle again.
    """

    def __init__(self, connection_info, is_alive, grace=5.0):
        import zmq
        from jupyter_client.blocking import BlockingKernelClient

        self.kc = BlockingKernelClient(context=limit_messages(zmq.Context(), send_timeout=2000))
        self.kc.load_connection_info(connection_info)
        self.kc.session.unpack = safe_unpack
        self.kc.start_channels(shell=True, iopub=True, stdin=True, hb=False, control=True)
        self.is_alive = is_alive
        self.grace = grace
        self.listening = False
        #: answers the kernel's rnnlib stubs (``shadow.RnnlibService``), or None
        self.rnnlib = None
        self._poller = zmq.Poller()
        for channel in (self.kc.iopub_channel, self.kc.stdin_channel):
            self._poller.register(channel.socket, zmq.POLLIN)

    def close(self):
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self.kc.context.destroy(linger=0)

    def _get(self, channel, timeout):
        """One message of a channel, or None; an unreadable message counts
        as the kernel's failure, never the grader's."""
        try:
            return getattr(self.kc, f"get_{channel}_msg")(timeout=timeout)
        except Empty:
            return None
        except UnreadableMessage as exc:
            raise KernelGone(str(exc)) from None

    def request(self, op, payload, deadline, label, callbacks=None):
        """Run ``kernel_side.<op>`` and return its answer (a wire tree).

        ``callbacks`` (``{id: function}``): the test's own functions that the
        student's function was given. The kernel's stub for one asks for a
        call through ``input()`` (the stdin channel, as in a notebook); the
        function runs here, on data, and its result (or the name and message
        of its exception) goes back as the input's reply.
        """
        if not self.listening:
            self._listen(deadline, label)
        nonce = uuid.uuid4().hex
        code = (f"__import__('autograder.kernel_side', fromlist=['_']).{op}"
                f"({nonce!r}, {json.dumps(payload)!r})")
        msg_id = self.kc.execute(code, silent=False, store_history=False,
                                 allow_stdin=True, stop_on_error=False)
        answer, failure, foreign = None, None, [0]
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._interrupt(msg_id, label)
            # wait for either the output or an input() request (a callback)
            self._poller.poll(max(1, int(min(remaining, 0.5) * 1000)))
            self._serve_stdin(msg_id, callbacks, foreign, deadline)
            msg = self._get("iopub", 0)
            if msg is None:
                if not self.is_alive():
                    raise KernelGone(f"the kernel died while running {label}") from None
                continue
            if not isinstance(msg.get("parent_header"), dict) or \
                    msg["parent_header"].get("msg_id") != msg_id or not isinstance(msg.get("content"), dict):
                continue
            kind, content = msg.get("msg_type"), msg["content"]
            if kind == "stream":
                # the student's printed output, warnings included: shown on
                # stdout (nbgrader fails a test cell with anything on stderr,
                # and a warning must never cost points by itself)
                sys.stdout.write(_text(content.get("text"), MAX_MESSAGE))
            elif kind == "display_data":
                data = content.get("data")
                data = data.get(MIME) if isinstance(data, dict) else None
                if isinstance(data, dict) and data.get("nonce") == nonce:
                    answer = data.get("body")
            elif kind == "error":
                failure = f"{_text(content.get('ename'), 100)}: {_text(content.get('evalue'), 2000)}"
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        self._drain_shell(msg_id)
        if answer is None:
            raise AssertionError(
                f"the kernel did not answer the grader while running {label}"
                + (f" ({failure})" if failure else "")
                + ": did the notebook change Python's import system or IPython?")
        return answer

    def _listen(self, deadline, label):
        """Wait until this client receives the kernel's output channel.

        A ZeroMQ subscriber receives nothing that is published before its
        subscription reaches the kernel, and the kernel answers the first
        request in microseconds: its answer could be lost while the "idle"
        after it arrives. So ask for the kernel's info until a message about
        that request comes back on the output channel; from then on nothing
        is lost.
        """
        while time.monotonic() < deadline:
            msg_id = self.kc.kernel_info()
            end = min(deadline, time.monotonic() + 0.5)
            while time.monotonic() < end:
                msg = self._get("iopub", max(0.001, end - time.monotonic()))
                if msg is None:
                    if not self.is_alive():
                        raise KernelGone(f"the kernel died before {label}")
                    continue
                header = msg.get("parent_header")
                if isinstance(header, dict) and header.get("msg_id") == msg_id:
                    self.listening = True
                    self._drain_shell(msg_id)
                    return
        raise CellTimeout(f"the kernel did not answer the grader before {label} ran out of time")

    def _serve_stdin(self, msg_id, callbacks, foreign, deadline):
        """Answer the kernel's ``input()`` requests: the grader's callbacks
        (``callbacks``), and at most :data:`MAX_FOREIGN_INPUTS` of the
        student's own (with end-of-file). Returns by the deadline whatever
        the kernel sends."""
        while time.monotonic() < deadline:
            msg = self._get("stdin", 0)
            if msg is None:
                return
            header = msg.get("parent_header")
            prompt = input_prompt(msg)
            if prompt is None or not isinstance(header, dict) or header.get("msg_id") != msg_id:
                continue
            reply = grader_reply(prompt, self.rnnlib, deadline, callbacks)
            if reply is not None:
                self.kc.input(reply)
            elif foreign[0] < MAX_FOREIGN_INPUTS:
                # the student's own input(): there is nobody to type an answer
                foreign[0] += 1
                self.kc.input("\x04")

    def _drain_shell(self, msg_id):
        end = time.monotonic() + 2
        while time.monotonic() < end:
            try:
                reply = self._get("shell", max(0.01, end - time.monotonic()))
            except KernelGone:
                continue
            if reply is None:
                return
            header = reply.get("parent_header")
            if isinstance(header, dict) and header.get("msg_id") == msg_id:
                return

    def _interrupt(self, msg_id, label):
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        end = time.monotonic() + self.grace
        while time.monotonic() < end:
            msg = self._get("iopub", max(0.01, min(0.5, end - time.monotonic())))
            if msg is None:
                if not self.is_alive():
                    raise KernelGone(f"the kernel died while running {label}") from None
                continue
            header, content = msg.get("parent_header"), msg.get("content")
            if (isinstance(header, dict) and header.get("msg_id") == msg_id
                    and msg.get("msg_type") == "status" and isinstance(content, dict)
                    and content.get("execution_state") == "idle"):
                self._drain_shell(msg_id)
                raise CellTimeout(f"{label} did not return in time and was interrupted")
        raise KernelGone(f"{label} did not return in time and the kernel did not respond "
                         "to an interrupt")


def input_prompt(msg):
    """The prompt of a kernel's ``input_request`` message (a string), or None."""
    content = msg.get("content") if isinstance(msg, dict) else None
    if not isinstance(content, dict) or msg.get("msg_type") != "input_request":
        return None
    prompt = content.get("prompt")
    return prompt if isinstance(prompt, str) else ""


def grader_reply(prompt, rnnlib, deadline, callbacks=None):
    """The grader's answer (JSON text) to an ``input()`` that asks it for
    something: a test's function (``callbacks``) or an rnnlib function
    (``rnnlib``, a ``shadow.RnnlibService``); None for the student's own."""
    if callbacks and prompt.startswith(CALLBACK_PROMPT):
        return json.dumps(_run_callback(prompt[len(CALLBACK_PROMPT):], callbacks))
    if rnnlib is not None and prompt.startswith(RNNLIB_PROMPT):
        return json.dumps(rnnlib.answer(prompt[len(RNNLIB_PROMPT):], deadline, callbacks))
    return None


class RemoteFunction:
    """A student's function, called in the kernel; its result comes back as data."""

    def __init__(self, checker, name):
        self._checker = checker
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return self._checker.call(self.__name__, "direct", list(args), kwargs)

    def _grading_call_(self, args, allow=(), forbid=(), name=None, seed=None):
        """``rnnlib.grading.call(f, ...)`` with ``f`` this proxy (the seam
        that function offers): the kernel's ``grading.call`` runs there on
        copies of ``args`` (forbidden rnnlib calls, inputs changed in
        place); the result comes back as data."""
        return self._checker.call(self.__name__, "grading", dict(args), {}, allow=list(allow),
                                  forbid=list(forbid), label=name or self.__name__, seed=seed)

    def __repr__(self):
        return f"<function {self.__name__} in the student's kernel>"


def _run_callback(request, callbacks):
    """Call the test's function ``callbacks[id]`` on the data the kernel sent."""
    try:
        request = json.loads(request)
        func = callbacks[int(request["id"])]
        decoder = wire.Decoder()
        args, kwargs = decoder.decode(request["args"]), decoder.decode(request["kwargs"])
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            raise wire.WireError("malformed call")
    except (wire.WireError, ValueError, TypeError, KeyError, RecursionError) as exc:
        return {"status": "raised", "type": "TypeError",
                "message": f"the grader could not read the call of the test's function: {exc}"}
    try:
        value = func(*args, **{str(k): v for k, v in kwargs.items()})
        return {"status": "ok", "value": wire.Encoder().encode(value)}
    except wire.WireError as exc:
        return {"status": "raised", "type": "TypeError", "message": str(exc)}
    except Exception as exc:  # noqa: BLE001 - the test's function failed on the student's input
        return {"status": "raised", "type": type(exc).__name__, "message": str(exc)[:5000]}


class _Stream(io.TextIOBase):
    """stdout or stderr of a test cell, kept in order, up to a size."""

    def __init__(self, name, chunks, budget):
        self.name, self.chunks, self.budget = name, chunks, budget

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        left = self.budget[0]
        if left <= 0:
            return len(text)
        piece = text[:left]
        self.budget[0] -= len(piece)
        if len(piece) < len(text):
            piece += "\n... output truncated by the grader ...\n"
        if self.chunks and self.chunks[-1][0] == self.name:
            self.chunks[-1][1].append(piece)
        else:
            self.chunks.append((self.name, [piece]))
        return len(text)


def _names(tree):
    """(names the code reads, names it binds anywhere)."""
    loads, bound = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            bound.update(node.names)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
    return loads, bound


class Checker:
    """Runs the test cells of one notebook against one kernel."""

    def __init__(self, channel, timeout, output_limit=1_000_000):
        self.channel = channel
        self.timeout = timeout
        self.output_limit = output_limit
        self.ns = {"__name__": "__main__", "__builtins__": builtins}
        self.test_defined = set()
        self.deadline = None
        self.label = ""
        self.count = 0

    # -- requests -------------------------------------------------------
    def _request(self, op, payload, label):
        return self.channel.request(op, payload, self.deadline, label)

    def call(self, name, mode, args, kwargs, allow=(), forbid=(), label=None, seed=None):
        label = label or name
        callbacks = {}

        def register(func):
            if isinstance(func, RemoteFunction):
                raise wire.WireError("a student's function given to another one")
            callbacks[len(callbacks) + 1] = func
            return len(callbacks)

        try:
            encoder = wire.Encoder(function_refs=True, callback=register)
            payload = {"name": name, "mode": mode, "args": encoder.encode(args),
                       "kwargs": encoder.encode(kwargs), "allow": list(allow),
                       "forbid": list(forbid), "label": label,
                       "seed": None if seed is None else int(seed)}
        except wire.WireError as exc:
            raise NotCheckable(f"an argument of {name} cannot be sent to the kernel: {exc}") from None
        if time.monotonic() >= self.deadline:
            raise CellTimeout(f"the test cell ran out of time before calling {label}")
        service = self.channel.rnnlib if mode == "grading" else None
        if service is not None:
            service.restrict(allow, forbid)
        try:
            body = self.channel.request("call", payload, self.deadline, label, callbacks)
        finally:
            violation = service.violation if service is not None else None
            if service is not None:
                service.release()
        if violation:
            # the grader's own record of a forbidden rnnlib function asked for
            # while the student's function ran: it decides, whatever the kernel said
            from rnnlib import grading

            raise grading.CheckFailed(
                f"{label} calls {violation}, which this task does not allow: write that "
                f"part yourself. {grading._allowed_text(allow, forbid)}")
        status = body.get("status") if isinstance(body, dict) else None
        if status == "missing":
            raise NameError(f"name '{name}' is not defined")
        if status == "raised":
            raise StudentError(label, _text(body.get("type"), 100) or "an exception",
                               _text(body.get("message"), 5000))
        if status == "unsendable":
            raise AssertionError(f"{label} returned a value the grader cannot read: "
                                 f"{_text(body.get('why'), 500)}")
        if status != "ok":
            raise AssertionError(f"the kernel's answer for {label} could not be read")
        try:
            decoder = wire.Decoder()
            value = decoder.decode(body["value"])
            for index, tree in body.get("changed", []):
                new = decoder.decode(tree)
                target = args[int(index)]
                if isinstance(target, np.ndarray) and isinstance(new, np.ndarray) \
                        and new.shape == target.shape:
                    np.copyto(target, new, casting="unsafe")
        except (wire.WireError, ValueError, TypeError, KeyError, RecursionError) as exc:
            raise AssertionError(f"the value {label} returned could not be read: {exc}") from None
        return value

    def _bind_free_names(self, names, imports=""):
        if not names and not imports:
            return
        answer = self._request("describe", {"names": sorted(names), "imports": imports},
                               "the test cell")
        if not isinstance(answer, dict):
            raise AssertionError("the kernel's description of the notebook's names could not be read")
        decoder = wire.Decoder()
        for name in names:
            info = answer.get(name)
            kind = info.get("kind") if isinstance(info, dict) else "missing"
            if kind == "callable":
                self.ns[name] = RemoteFunction(self, name)
            elif kind == "module":
                self.ns[name] = self._module(str(info.get("module", "")), name)
            elif kind == "value":
                try:
                    self.ns[name] = decoder.decode(info.get("value"))
                except (wire.WireError, ValueError, TypeError, KeyError, RecursionError) as exc:
                    # the reason (a refused Keras layer, say) stays in the test's message
                    self.ns[name] = wire.Opaque(0, f"unreadable value: {_text(str(exc), 500)}")
            elif kind == "unsendable":
                self.ns[name] = wire.Opaque(0, "value too large")
            else:
                self.ns.pop(name, None)

    @staticmethod
    def _module(module_name, name):
        """The grader's own module of that name, when it is on :data:`MODULES`."""
        if not isinstance(module_name, str) or module_name not in MODULES:
            return wire.Opaque(0, f"module {_text(module_name, 100)}")
        import importlib

        try:
            return importlib.import_module(module_name)
        except Exception:  # noqa: BLE001 - not installed for the grader
            return wire.Opaque(0, f"module {module_name}")

    # -- a test cell ----------------------------------------------------
    def run(self, source, label):
        """Run one test cell; return its outputs (nbformat dicts).

        Raises :class:`KernelGone` (the kernel died or is stuck) and, for
        code that cannot run here at all, :class:`NotCheckable`.
        """
        self.label = label
        self.count += 1
        filename = f"<test cell {label}>"
        try:
            tree = ast.parse(source, filename)
        except SyntaxError as exc:
            raise NotCheckable(f"not plain Python: {exc}") from None
        loads, bound = _names(tree)
        # the cell's own imports also run in the kernel, where they rebind
        # names for the student's functions (only import statements travel)
        imports = "\n".join(ast.unparse(node) for node in tree.body
                            if isinstance(node, (ast.Import, ast.ImportFrom)))
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        code = compile(tree, filename, "exec")
        last_code = compile(last, filename, "eval") if last is not None else None
        free = loads - bound - _BUILTINS - self.test_defined

        chunks, budget = [], [self.output_limit]
        out, err = _Stream("stdout", chunks, budget), _Stream("stderr", chunks, budget)
        error, value = None, None
        self.deadline = time.monotonic() + self.timeout
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                warnings.catch_warnings(), np.errstate(all="warn", under="ignore"):
            _kernel_like_warning_filters()
            warnings.showwarning = _warning_note
            try:
                self._bind_free_names(free, imports)
                exec(code, self.ns)
                if last_code is not None:
                    value = eval(last_code, self.ns)
            except (KernelGone, NotCheckable, KeyboardInterrupt):
                raise
            except BaseException as exc:  # noqa: BLE001 - the test failed, as in a kernel
                error = exc
        self.test_defined |= {n for n in bound if n in self.ns}

        outputs = []
        for name, pieces in chunks:
            outputs.append({"output_type": "stream", "name": name, "text": "".join(pieces)})
        if error is None and value is not None:
            outputs.append({"output_type": "execute_result", "execution_count": self.count,
                            "metadata": {}, "data": {"text/plain": repr(value)}})
        if error is not None:
            outputs.append(_error_output(error))
        return outputs


def _kernel_like_warning_filters():
    """Python's default warning filters, as in a fresh kernel."""
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ImportWarning, ResourceWarning, PendingDeprecationWarning, DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _warning_note(message, category, filename, lineno, file=None, line=None):
    """A warning raised while a test cell runs: a note on stdout (a warning
    never fails a test by itself; nbgrader fails a cell with any stderr)."""
    sys.stdout.write(f"note: {category.__name__}: {message}\n")


def _error_output(exc):
    if isinstance(exc, (StudentError, AssertionError)):
        # the diagnosis alone: the test's own frames say nothing to a student
        ename = exc.type_name if isinstance(exc, StudentError) else type(exc).__name__
        evalue = str(exc)
        return {"output_type": "error", "ename": ename, "evalue": evalue,
                "traceback": [f"{ename}: {evalue}" if ename not in evalue.split(":")[0] else evalue]}
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(GRADER_DIR)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(type(exc), exc)]
    ename = type(exc).__name__
    if isinstance(exc, CellTimeout):
        ename = "CellTimeoutError"
    return {"output_type": "error", "ename": ename, "evalue": str(exc),
            "traceback": [line.rstrip("\n") for line in lines]}
