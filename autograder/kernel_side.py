"""The grader's helper inside a student's kernel.

The checker (``checker.py``, in the grader's own process) runs each test
cell and sends the kernel one small request per name it needs and per call
of a student's function, as code such as::

    __import__("autograder.kernel_side", fromlist=["_"]).call(nonce, request)

The answer goes back as a display message of type :data:`MIME` carrying the
``nonce``; the student's printed output travels as usual. Everything that
crosses is data (see ``wire.py``).

This module runs in the student's process, so the student can change it;
that only changes what their own functions appear to return, which the
checker then verifies with its own, untouched code.
"""
from __future__ import annotations

import json

MIME = "application/vnd.rnnlib-grader+json"

_handles = {}


def _keep(value):
    handle = len(_handles) + 1
    _handles[handle] = value
    return handle


def _send(nonce, body):
    from IPython.display import publish_display_data

    publish_display_data({MIME: {"nonce": nonce, "body": body}})


def _encode(value):
    from . import wire

    return wire.Encoder(opaque=_keep).encode(value)


def _user_ns():
    from IPython import get_ipython

    return get_ipython().user_ns


def describe(nonce, request):
    """Run the test cell's import statements here first (a test cell that
    imports numpy as np rebinds ``np`` for the student's functions too, as
    in nbgrader), then answer what each name in the request is in the
    student's namespace."""
    import types

    from . import wire

    request = json.loads(request)
    names = request["names"]
    ns = _user_ns()
    if request.get("imports"):
        try:
            exec(compile(request["imports"], "<test cell imports>", "exec"), ns)
        except BaseException:  # the test cell itself reports what fails
            pass
    out = {}
    for name in names:
        if name not in ns:
            out[name] = {"kind": "missing"}
            continue
        value = ns[name]
        if isinstance(value, types.ModuleType):
            out[name] = {"kind": "module", "module": getattr(value, "__name__", "")}
        elif callable(value):
            out[name] = {"kind": "callable"}
        else:
            try:
                with _warnings_as_notes():
                    out[name] = {"kind": "value", "value": _encode(value)}
            except wire.WireError as exc:
                out[name] = {"kind": "unsendable", "why": str(exc)}
    _send(nonce, out)


#: The prefix of an ``input()`` prompt that asks the grader to call one of
#: the test's functions (see ``checker.Channel.request``).
CALLBACK_PROMPT = "\x00rnnlib-grader-callback:"


def _callback_stub(callback_id):
    """A function of the test (it lives in the grader's process), as the
    student's function sees it: each call sends its arguments to the grader
    as data over the kernel's stdin channel and returns the grader's answer.
    A student who changes ``input`` or this stub only changes what their own
    function sees; its result is still checked by the grader."""

    def test_function(*args, **kwargs):
        from IPython import get_ipython

        from . import wire

        try:
            encoder = wire.Encoder()
            request = {"id": callback_id, "args": encoder.encode(list(args)),
                       "kwargs": encoder.encode(kwargs)}
        except wire.WireError as exc:
            raise TypeError(f"the test's function takes data (numbers, arrays, lists): {exc}") from None
        reply = get_ipython().kernel.raw_input(CALLBACK_PROMPT + json.dumps(request))
        reply = json.loads(reply)
        if reply.get("status") == "ok":
            return wire.Decoder().decode(reply["value"])
        raise _reply_error(reply, "the test's function failed")

    test_function.__qualname__ = test_function.__name__ = f"test_function_{callback_id}"
    return test_function


#: The prefix of an ``input()`` prompt that asks the grader to run one of
#: rnnlib's functions (the kernel's rnnlib holds stubs: see ``shadow.py``).
RNNLIB_PROMPT = "\x00rnnlib-grader-rnnlib:"


def _reply_error(reply, default):
    import builtins

    cls = getattr(builtins, str(reply.get("type")), None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = RuntimeError
    return cls(str(reply.get("message", default)))


def rnnlib_call(module, qualname, args, kwargs):
    """What a function of the kernel's rnnlib does: ask the grader to run
    the real one on these arguments (data only), and return its result.

    The grader runs it if the task allows it (see ``shadow.py``); otherwise
    it records the call and this raises. A student who changes this function
    only changes what their own code sees."""
    from IPython import get_ipython

    from . import wire

    name = f"{module}.{qualname}"
    try:
        encoder = wire.Encoder()
        request = {"module": module, "qualname": qualname,
                   "args": encoder.encode(list(args)), "kwargs": encoder.encode(dict(kwargs))}
    except wire.WireError as exc:
        raise TypeError(f"{name} runs in the grader while your notebook is graded, so it takes "
                        f"data only (numbers, arrays, lists, rnnlib cells): {exc}") from None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        raise RuntimeError(f"{name} is not available here")
    try:
        reply = json.loads(kernel.raw_input(RNNLIB_PROMPT + json.dumps(request)))
    except Exception as exc:  # noqa: BLE001 - no grader answered (stdin refused)
        raise RuntimeError(f"{name} could not be run by the grader: {type(exc).__name__}") from None
    if not isinstance(reply, dict):
        raise RuntimeError(f"{name}: the grader's answer could not be read")
    if reply.get("status") == "ok":
        return wire.Decoder().decode(reply.get("value"))
    raise _reply_error(reply, f"{name} failed")


def _raised(exc):
    t = type(exc)
    return {"status": "raised", "type": t.__qualname__, "module": t.__module__,
            "message": str(exc)[:5000]}


def call(nonce, request):
    """Call a student's function on the arguments in the request.

    ``mode`` "grading" runs it through the kernel's ``rnnlib.grading.call``
    (copies of the inputs, rnnlib functions the task forbids, inputs
    changed in place); "direct" calls it plainly and sends back the array
    arguments it changed in place.
    """
    from . import wire

    req = json.loads(request)
    decoder = wire.Decoder(handle=_handles.__getitem__, refs=True, callback=_callback_stub)
    try:
        func = _user_ns()[req["name"]]
        args = decoder.decode(req["args"])
        kwargs = decoder.decode(req["kwargs"])
    except KeyError:
        _send(nonce, {"status": "missing"})
        return
    except BaseException as exc:  # the student's kernel broke the grader's helper
        _send(nonce, _raised(exc))
        return
    try:
        with _warnings_as_notes():
            result, changed = _run(func, req, args, kwargs)
    except BaseException as exc:  # SystemExit too: it is the student's function that raised
        _send(nonce, _raised(exc))
        return
    try:
        with _warnings_as_notes():
            body = {"status": "ok", "value": _encode(result),
                    "changed": [[i, _encode(a)] for i, a in changed.items()]}
    except wire.WireError as exc:
        body = {"status": "unsendable", "why": str(exc)}
    _send(nonce, body)


class _warnings_as_notes:
    """Warnings raised while the student's function runs (Keras's
    ``UserWarning`` for ``input_shape=``, a numpy ``RuntimeWarning``) are
    printed on stdout as a note, never on stderr: a warning costs no points."""

    def __enter__(self):
        import warnings

        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catcher.__exit__(*exc)
        seen = set()
        for w in self._caught[:20]:
            text = f"{getattr(w.category, '__name__', 'Warning')}: {str(w.message)[:500]}"
            if text not in seen:
                seen.add(text)
                print(f"note: a warning (it does not change the grade): {text}")
        return False


def _run(func, req, args, kwargs):
    import numpy as np

    if req["mode"] == "grading":
        from rnnlib import grading

        result = grading.call(func, args, allow=req["allow"], forbid=req["forbid"],
                              name=req["label"], seed=req.get("seed"))
        return result, {}
    before = {i: a.copy() for i, a in enumerate(args) if isinstance(a, np.ndarray)}
    result = func(*args, **kwargs)
    return result, {i: args[i] for i, a in before.items() if not np.array_equal(a, args[i])}
