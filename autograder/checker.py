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
hidden tests either. What is not covered: tests that need live objects
(a Keras model) cannot run here; the pipeline finds those cells by running
the reference solution first (see ``execute.py``) and runs them in the
kernel as nbgrader does.
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
from .kernel_side import CALLBACK_PROMPT, MIME

GRADER_DIR = str(Path(__file__).resolve().parent)
#: Packages whose modules a test cell may receive by name from the kernel's
#: namespace (the grader imports its own copy; never a name the student chose).
IMPORTABLE = {"numpy", "math", "rnnlib", "pandas", "scipy", "statsmodels", "keras",
              "tensorflow", "random", "itertools", "functools", "collections", "statistics"}
_BUILTINS = set(dir(builtins))


class CellTimeout(Exception):
    """A call into the kernel did not return in time (the kernel recovered)."""


class KernelGone(Exception):
    """The kernel died, or is stuck and was given up; ``str`` says which."""


class NotCheckable(Exception):
    """This test cell cannot run in the checker (it needs the kernel)."""


class Channel:
    """A blocking connection of the checker to one kernel.

    ``is_alive()`` tells whether the kernel process still runs; ``grace`` is
    how long an interrupted kernel has to become idle again.
    """

    def __init__(self, connection_info, is_alive, grace=5.0):
        from jupyter_client.blocking import BlockingKernelClient

        self.kc = BlockingKernelClient()
        self.kc.load_connection_info(connection_info)
        self.kc.start_channels(shell=True, iopub=True, stdin=True, hb=False, control=True)
        self.is_alive = is_alive
        self.grace = grace

    def close(self):
        with contextlib.suppress(Exception):
            self.kc.stop_channels()

    def request(self, op, payload, deadline, label, callbacks=None):
        """Run ``kernel_side.<op>`` and return its answer (a wire tree).

        ``callbacks`` (``{id: function}``): the test's own functions that the
        student's function was given. The kernel's stub for one asks for a
        call through ``input()`` (the stdin channel, as in a notebook); the
        function runs here, on data, and its result (or the name and message
        of its exception) goes back as the input's reply.
        """
        nonce = uuid.uuid4().hex
        code = (f"__import__('autograder.kernel_side', fromlist=['_']).{op}"
                f"({nonce!r}, {json.dumps(payload)!r})")
        msg_id = self.kc.execute(code, silent=False, store_history=False,
                                 allow_stdin=bool(callbacks), stop_on_error=False)
        answer, failure = None, None
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._interrupt(msg_id, label)
            if callbacks:
                self._serve_callbacks(msg_id, callbacks)
            try:
                msg = self.kc.get_iopub_msg(timeout=min(remaining, 0.02 if callbacks else 0.5))
            except Empty:
                if not self.is_alive():
                    raise KernelGone(f"the kernel died while running {label}") from None
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                (sys.stderr if content.get("name") == "stderr" else sys.stdout).write(content["text"])
            elif kind == "display_data":
                data = content.get("data", {}).get(MIME)
                if isinstance(data, dict) and data.get("nonce") == nonce:
                    answer = data.get("body")
            elif kind == "error":
                failure = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content.get("execution_state") == "idle":
                break
        self._drain_shell(msg_id)
        if answer is None:
            raise AssertionError(
                f"the kernel did not answer the grader while running {label}"
                + (f" ({failure})" if failure else "")
                + ": did the notebook change Python's import system or IPython?")
        return answer

    def _serve_callbacks(self, msg_id, callbacks):
        while True:
            try:
                msg = self.kc.get_stdin_msg(timeout=0)
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != msg_id or msg["msg_type"] != "input_request":
                continue
            prompt = str(msg["content"].get("prompt", ""))
            if not prompt.startswith(CALLBACK_PROMPT):
                # the student's own input(): there is nobody to type an answer
                self.kc.input("\x04")
                continue
            self.kc.input(json.dumps(_run_callback(prompt[len(CALLBACK_PROMPT):], callbacks)))

    def _drain_shell(self, msg_id):
        end = time.monotonic() + 2
        while time.monotonic() < end:
            try:
                reply = self.kc.get_shell_msg(timeout=max(0.01, end - time.monotonic()))
            except Empty:
                return
            if reply["parent_header"].get("msg_id") == msg_id:
                return

    def _interrupt(self, msg_id, label):
        self.kc.control_channel.send(self.kc.session.msg("interrupt_request", {}))
        end = time.monotonic() + self.grace
        while time.monotonic() < end:
            try:
                msg = self.kc.get_iopub_msg(timeout=max(0.01, min(0.5, end - time.monotonic())))
            except Empty:
                if not self.is_alive():
                    raise KernelGone(f"the kernel died while running {label}") from None
                continue
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"].get("execution_state") == "idle"):
                self._drain_shell(msg_id)
                raise CellTimeout(f"{label} did not return in time and was interrupted")
        raise KernelGone(f"{label} did not return in time and the kernel did not respond "
                         "to an interrupt")


class RemoteFunction:
    """A student's function, called in the kernel; its result comes back as data."""

    def __init__(self, checker, name):
        self._checker = checker
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return self._checker.call(self.__name__, "direct", list(args), kwargs)

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


def _install_grading_hook():
    """Make the grader's ``rnnlib.grading.call`` hand proxies to the kernel."""
    from rnnlib import grading

    if getattr(grading.call, "_rnnlib_grader_hook", False):
        return
    original = grading.call

    def call(func, args, allow=(), forbid=(), name=None):
        if isinstance(func, RemoteFunction):
            return func._checker.call(func.__name__, "grading", dict(args), {},
                                      allow=list(allow), forbid=list(forbid),
                                      label=name or func.__name__)
        return original(func, args, allow=allow, forbid=forbid, name=name)

    call.__doc__ = original.__doc__
    call._rnnlib_grader_hook = True
    grading.call = call


def _exception_from(body, name):
    """The exception the student's function raised, rebuilt here (only
    exception classes already loaded in this process; never the student's)."""
    type_name, module, message = str(body.get("type")), str(body.get("module")), str(body.get("message"))
    cls = None
    if module == "builtins":
        cls = getattr(builtins, type_name, None)
    elif module in sys.modules:
        cls = sys.modules[module]
        for part in type_name.split("."):
            cls = getattr(cls, part, None)
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            pass
    return RuntimeError(f"{name} raised {type_name}: {message}")


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
        _install_grading_hook()
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

    def call(self, name, mode, args, kwargs, allow=(), forbid=(), label=None):
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
                       "forbid": list(forbid), "label": label}
        except wire.WireError as exc:
            raise NotCheckable(f"an argument of {name} cannot be sent to the kernel: {exc}") from None
        if time.monotonic() >= self.deadline:
            raise CellTimeout(f"the test cell ran out of time before calling {label}")
        body = self.channel.request("call", payload, self.deadline, label, callbacks)
        status = body.get("status") if isinstance(body, dict) else None
        if status == "missing":
            raise NameError(f"name '{name}' is not defined")
        if status == "raised":
            exc = _exception_from(body, label)
            raise exc from None
        if status == "unsendable":
            raise AssertionError(f"{label} returned a value the grader cannot read: {body.get('why')}")
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
                except (wire.WireError, ValueError, TypeError, KeyError, RecursionError):
                    self.ns[name] = wire.Opaque(0, "unreadable value")
            elif kind == "unsendable":
                self.ns[name] = wire.Opaque(0, "value too large")
            else:
                self.ns.pop(name, None)

    @staticmethod
    def _module(module_name, name):
        module = sys.modules.get(module_name)
        if module is None and module_name.split(".")[0] in IMPORTABLE:
            import importlib

            with contextlib.suppress(Exception):
                module = importlib.import_module(module_name)
        return module if module is not None else wire.Opaque(0, f"module {module_name}")

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


def _error_output(exc):
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith(GRADER_DIR)]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(type(exc), exc)]
    ename = type(exc).__name__
    if isinstance(exc, CellTimeout):
        ename = "CellTimeoutError"
    return {"output_type": "error", "ename": ename, "evalue": str(exc),
            "traceback": [line.rstrip("\n") for line in lines]}
