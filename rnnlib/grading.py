"""Checks for the test cells of the course's nbgrader exercises (numpy only).

The exercises in ``exercises/`` ask students to write a function, then run a
locked test cell on it. Every test cell follows the same three steps::

    from rnnlib import grading                    # imported afresh in the cell
    out = grading.call(neuron_step, dict(x_t=x_t, y_prev=0.5, ...))
    grading.check_array(out, expected, name="neuron_step's output",
                        mistakes=[("the bias seems to be missing", no_bias)])

:func:`call` runs the student's function on *copies* of the inputs and watches
it while it runs:

* it fails if the function calls the part of ``rnnlib`` that already solves
  the task (students may use rnnlib for what earlier chapters taught, never
  for the answer to the current task; ``allow`` names what a task permits);
* it fails if the function changed one of its inputs in place;
* it turns an exception raised by the student's code into a message that
  names the function and the shapes it was called with.

:func:`check_array` compares a result with the expected one and, when they
differ, says *why* in the student's terms: a wrong shape ("did you transpose
W_x?"), a known mistake ("the bias seems to be missing"), or the first entry
that differs.

Test cells that guard (nbgrader's hidden tests) compute the expected values
*after* calling the student's function, with a reference written in the cell
itself (a plain loop), on inputs drawn from :func:`fresh_rng`, so a function
can neither return memorised outputs nor read the expected values from its
caller. This module protects against names being redefined in the notebook
(the test cell imports what it needs at its top); it does not protect against
code that patches numpy or this module in place: the instructors' grading
pipeline must run the checks out of the student's reach for that.

Exercises that build Keras models check them with :func:`check_keras_model`,
:func:`check_simple_rnn_layers`, :func:`load_keras_weights` (known weights,
to compare with rnnlib) and :func:`keras_predict`; the tasks that train a
forecaster, with :func:`check_trained_forecaster` and
:func:`check_not_fitted_to_validation`, and repeat a training run that misses
its bar with :func:`train_to_beat`. These import Keras when they run,
never when this module is imported.
"""
from __future__ import annotations

import copy
import os
import re
import sys
import threading
import traceback
import warnings
from importlib import import_module
from pathlib import Path

import numpy as np

#: Parts of rnnlib that every task may use: they solve no exercise (modules,
#: and the argument checks of the others). Only rnnlib's own code is watched:
#: numpy, Keras and the instructors' grader (whose stubs stand for functions a
#: test passes to a student's) are never forbidden.
ALWAYS_ALLOWED = (
    "rnnlib", "rnnlib._checks", "rnnlib.activations", "rnnlib.grading", "rnnlib.grading_keras",
    "rnnlib.layer.check_layer_params", "rnnlib.layer.check_sequence_batch",
    "rnnlib.layer.check_initial_state",
)

# rnnlib's folder, as imported and with symbolic links resolved.
_RNNLIB_DIRS = tuple({str(Path(__file__).parent) + os.sep,
                      str(Path(__file__).resolve().parent) + os.sep})


class CheckFailed(AssertionError):
    """A failed check of a test cell: the message says what is wrong.

    IPython (JupyterLab, nbgrader) shows an exception that defines
    ``_render_traceback_`` with the lines that method returns: a failed check
    is shown as one line, its message, instead of a traceback through this
    module's internals that would come before the diagnosis.
    """

    def _render_traceback_(self):
        text = " ".join(part.strip() for part in str(self).splitlines() if part.strip())
        return [f"{type(self).__name__}: {text}"]


class StudentCodeFailed(CheckFailed):
    """The student's function raised: shown as the traceback of the student's
    own code (their lines, without the grader's frames), then the diagnosis."""

    def __init__(self, message, student_traceback=()):
        super().__init__(message)
        self.student_traceback = list(student_traceback)

    def _render_traceback_(self):
        lines = [line.rstrip("\n") for chunk in self.student_traceback
                 for line in chunk.splitlines()]
        return [*lines, *CheckFailed._render_traceback_(self)]


def _student_frames(error):
    """The traceback of ``error`` from the student's code down, as text lines
    (the frames of this module, which called the student's function, left out)."""
    here = {os.path.abspath(__file__), os.path.realpath(__file__)}
    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if os.path.abspath(f.filename) not in here]
    if not frames:
        return []
    return ["Traceback of your function (most recent call last):",
            *traceback.format_list(frames),
            *traceback.format_exception_only(type(error), error)]


def _warning_note(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` for the kernels of the exercises: one line on stdout.

    nbgrader fails any test cell that writes to stderr, where Python shows
    warnings; a warning never fails a test here: it is shown as a note.
    """
    print(f"note: warning: {category.__name__}: {message}", file=sys.stdout)


# Importing this module (as every notebook's setup cell and test cell does) shows
# warnings as one-line notes on stdout: only values decide a grade.
warnings.showwarning = _warning_note


def autograding():
    """True while nbgrader autogrades (it sets ``NBGRADER_EXECUTION``).

    Notebooks use it to run anything slow (training) shorter during grading.
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def fresh_rng(seed=None):
    """``(rng, seed)``: a numpy Generator seeded from ``os.urandom``.

    Hidden tests draw their inputs from it, so no submission can know them in
    advance. Put ``seed`` in failure messages so that a failure can be
    reproduced with ``fresh_rng(seed)``.
    """
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "little")
    return np.random.default_rng(seed), seed


# --------------------------------------------------------------------------
# Calling the student's function
# --------------------------------------------------------------------------

def _rnnlib_module_of(frame):
    """The rnnlib module a frame's code comes from, or None."""
    filename = frame.f_code.co_filename
    for root in _RNNLIB_DIRS:
        if filename.startswith(root):
            parts = ["rnnlib", *Path(filename[len(root):]).with_suffix("").parts]
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
    module = frame.f_globals.get("__name__") or ""
    if module == "rnnlib" or module.startswith("rnnlib."):
        return module
    return None


class _CallTracer:
    """A profiler that records the first call into a forbidden rnnlib function.

    A call is forbidden when its function is listed in ``forbidden`` (module
    names or code objects, checked first), or when it comes from an rnnlib
    module that is not in ``allowed_modules``. Whatever an allowed function
    (``allowed_codes``) calls internally is allowed: ``rnnlib.neuron_step``
    may use rnnlib's private helpers. So is whatever runs while a module is
    imported: importing solves nothing.
    """

    def __init__(self, allowed_modules, allowed_codes, forbidden_modules, forbidden_codes):
        self.allowed_modules = set(allowed_modules)
        self.allowed_codes = set(allowed_codes)
        self.forbidden_modules = set(forbidden_modules)
        self.forbidden_codes = set(forbidden_codes)
        self.inside_allowed = None  # frame of the allowed call we are in
        self.violation = None

    def __call__(self, frame, event, arg):
        if event == "return":
            if frame is self.inside_allowed:
                self.inside_allowed = None
            return
        if event != "call" or self.violation:
            return
        code = frame.f_code
        module = _rnnlib_module_of(frame)
        if code in self.forbidden_codes or (module in self.forbidden_modules):
            self.violation = f"{module}.{code.co_qualname}"
        elif self.inside_allowed is not None:
            return
        elif code in self.allowed_codes or code.co_name == "<module>":
            self.inside_allowed = frame
        elif module is not None and module not in self.allowed_modules:
            self.violation = f"{module}.{code.co_qualname}"


def _resolve(names):
    """Split dotted names into module names and function code objects."""
    modules, codes = set(), set()
    for name in names:
        try:
            modules.add(import_module(name).__name__)
            continue
        except ImportError:
            pass
        module_name, _, attr = name.rpartition(".")
        codes.add(getattr(import_module(module_name), attr).__code__)
    return modules, codes


def _describe(value):
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}, dtype {value.dtype}"
    if type(value).__module__.startswith("pandas") and hasattr(value, "shape"):
        return f"{type(value).__name__} of shape {value.shape}, dtype {getattr(value, 'dtype', 'mixed')}"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of length {len(value)}"
    return repr(value) if isinstance(value, (int, float, np.number)) else type(value).__name__


def signed_uniform(rng, low, high, size=None):
    """Uniform in ``[low, high]`` with a random sign: values kept away from 0.

    Hidden tests draw weights and biases with it, so that a term a wrong
    answer leaves out (a bias, a recurrent weight) is never close to 0.
    """
    return rng.uniform(low, high, size) * rng.choice([-1.0, 1.0], size)


def seed_everything(seed):
    """Seed Python's, numpy's and, if it is imported, Keras's random numbers
    (``keras.utils.set_random_seed``: its layers' initial weights, shuffling,
    dropout), so that a training run can be repeated."""
    import random

    keras = sys.modules.get("keras")
    if keras is not None:
        keras.utils.set_random_seed(seed)  # Python's, numpy's and the backend's
    else:
        random.seed(seed)
        np.random.seed(seed)


def call(func, args, allow=(), forbid=(), name=None, seed=None):
    """Call ``func(*args.values())`` as a grader should; return its result.

    ``args`` maps the parameter names of the task's signature to their values
    (they are passed by position, so a student may rename parameters; the
    names appear in messages). ``allow`` lists the rnnlib modules or functions
    the task permits, as dotted names such as ``"rnnlib.neuron"`` or
    ``"rnnlib.layer.layer_step"``; every other rnnlib function is forbidden
    while ``func`` runs (see :data:`ALWAYS_ALLOWED`). ``forbid`` names modules
    or functions that stay forbidden even inside an allowed module, such as
    ``"rnnlib.layer.unroll_layer"`` when ``allow`` has ``"rnnlib.layer"``.

    Raises :class:`CheckFailed` naming the mistake when ``func`` is missing or
    not callable, raises, calls a forbidden rnnlib function, or changes one of
    its array inputs in place. Warnings raised while ``func`` runs (a numpy
    ``RuntimeWarning``, say) fail nothing: each is printed on stdout as a
    one-line note, and only the values decide. With ``seed``, the random
    numbers are seeded (:func:`seed_everything`) right before ``func`` runs:
    a task that trains a model gets the same run every time it is graded.
    """
    # The seam for graders that run the student's function elsewhere (the
    # instructors' autograder: in the student's kernel, from its own process):
    # a callable whose type defines ``_grading_call_`` makes this call itself.
    delegate = getattr(type(func), "_grading_call_", None)
    if delegate is not None:
        return delegate(func, args, allow=allow, forbid=forbid, name=name, seed=seed)
    name = name or getattr(func, "__name__", "your function")
    if not callable(func):
        raise CheckFailed(f"{name} must be a function, got {type(func).__name__}")
    originals = dict(args)
    passed = {key: copy.deepcopy(value) for key, value in originals.items()}
    shapes = ", ".join(f"{key}: {_describe(value)}" for key, value in originals.items())
    tracer = _CallTracer(*_resolve((*ALWAYS_ALLOWED, *allow)), *_resolve(forbid))

    if seed is not None:
        seed_everything(seed)
    previous, previous_threads = sys.getprofile(), threading.getprofile()
    threading.setprofile(tracer)  # threads the function starts are traced too
    sys.setprofile(tracer)
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = func(*passed.values())
        except Exception as exc:  # reported below, after a forbidden call
            error = exc
        finally:
            still_ours = sys.getprofile() is tracer
            sys.setprofile(previous)
            threading.setprofile(previous_threads)
    notes = dict.fromkeys(f"{w.category.__name__}: {w.message}" for w in caught)
    for note in list(notes)[:5]:
        print(f"note: your function warned: {note}")
    if not still_ours:
        raise CheckFailed(f"{name} switched off the grader's call tracing; it cannot be graded")
    if tracer.violation:
        raise CheckFailed(
            f"{name} calls {tracer.violation}, which this task does not allow: write that "
            f"part yourself. {_allowed_text(allow, forbid)}"
        )
    if type(error) is NotImplementedError:  # the template's own; not a subclass (input())
        raise CheckFailed(
            f"{name} is not written yet: replace `raise NotImplementedError()` with your code"
        ) from None
    if error is not None:
        hint = _error_hint(error)
        raise StudentCodeFailed(
            f"{name} raised {type(error).__name__}: {error}{hint}\n  (called with {shapes})",
            _student_frames(error),
        ) from None
    for key, value in originals.items():
        if _changed(value, passed[key]):
            raise CheckFailed(
                f"{name} changed its argument {key} ({_describe(value)}) in place; leave "
                "the inputs unchanged and compute new arrays instead (for example "
                "`x = x + 1` instead of `x += 1`, or work on `x.copy()`)"
            )
    return result


def _changed(original, passed):
    """Whether the function changed an argument (an array, or a pandas object) in place."""
    if isinstance(original, np.ndarray):
        if original.shape != passed.shape:
            return True
        return not np.array_equal(original, passed, equal_nan=original.dtype.kind in "fc")
    if type(original).__module__.startswith("pandas") and hasattr(original, "equals"):
        return not original.equals(passed)
    return False


def _allowed_text(allow, forbid):
    """What a task allows, in words, for the message about a forbidden call."""
    if not allow:
        return "This task allows no function of rnnlib: use numpy (and Keras, where the task says so)."
    allowed = ", ".join(allow)
    text = f"Of rnnlib, this task allows only {allowed}"
    if forbid:
        text += f", except {', '.join(forbid)}"
    return text + " (and numpy)."


def _error_hint(error):
    """A hint for the usual causes of an exception in a student's function."""
    text = str(error)
    if isinstance(error, ValueError) and "matmul" in text:
        return (" (the shapes do not fit a matrix product: A @ B needs A's last size to "
                "equal B's first; check the order of the operands and whether a matrix "
                "should be transposed)")
    if isinstance(error, ValueError) and "broadcast" in text:
        return (" (two arrays of these shapes cannot be combined entry by entry: check "
                "the shapes of the terms you add or multiply)")
    if isinstance(error, ValueError) and ("aligned" in text or "dimension" in text):
        return " (the shapes of the arrays do not fit: check which one should be transposed)"
    if isinstance(error, IndexError):
        return (" (an index is out of range for this case's sizes: check the loop bounds "
                "and that sizes come from the arguments' shapes, not from fixed numbers)")
    if isinstance(error, TypeError) and "NoneType" in text:
        return " (a value is None: does a helper function forget its `return`?)"
    if isinstance(error, (NameError, UnboundLocalError)):
        return " (define every name your function uses, or pass it as an argument)"
    if isinstance(error, ValueError) and "NaN to integer" in text:
        return (" (an array of integers cannot hold NaN: create the result with "
                "dtype=float, for example np.full(n, np.nan))")
    if isinstance(error, ZeroDivisionError):
        return " (a division by zero: which sizes or values of this case make a denominator 0?)"
    return ""


# --------------------------------------------------------------------------
# Checking results
# --------------------------------------------------------------------------

def as_result_array(value, name):
    """``value`` as a float64 array, or a :class:`CheckFailed` saying why not."""
    if value is None:
        raise CheckFailed(f"{name} is None: did you forget the `return` statement?")
    try:
        if np.iscomplexobj(value):
            raise CheckFailed(f"{name} holds complex numbers ({_describe(value)}): it should be real")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(
            f"{name} should be numbers (an array), got {_describe(value)}: {exc}"
        ) from None
    return arr


def check_float_array(value, name, case=""):
    """Assert that ``value`` is a numpy array of floats (for tasks that ask for
    one: a list, or an array of integers, which cannot hold NaN, is refused)."""
    where = f"\n  (case: {case})" if case else ""
    if value is None:
        raise CheckFailed(f"{name} is None: did you forget the `return` statement?{where}")
    if not isinstance(value, np.ndarray):
        raise CheckFailed(
            f"{name} should be a numpy array of floats, got {_describe(value)}: "
            f"convert it with np.array(..., dtype=float){where}")
    if value.dtype.kind != "f":
        raise CheckFailed(
            f"{name} should be an array of floats, got {_describe(value)}: an array of "
            f"{value.dtype} cannot hold NaN; create it with dtype=float{where}")
    return value


def _matches(got, candidate, atol, rtol):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if callable(candidate):
            return bool(candidate(got))
        candidate = np.asarray(candidate, dtype=np.float64)
        return got.shape == candidate.shape and bool(
            np.allclose(got, candidate, atol=atol, rtol=rtol)
        )


def _digits(a, b):
    """``a`` and ``b`` written with just enough digits to tell them apart."""
    for precision in range(6, 18):
        text_a, text_b = f"{a:.{precision}g}", f"{b:.{precision}g}"
        if text_a != text_b:
            break
    return text_a, text_b


def _generic_diagnosis(got, expected, atol, rtol):
    """A mistake that the shapes of ``got`` and ``expected`` (equal) reveal
    alone, in words, or ''. Tried after a test's own named mistakes."""
    def close(a, b, rtol=rtol, atol=atol):
        return bool(np.allclose(a, b, rtol=rtol, atol=atol))

    if not np.any(np.abs(expected) > atol):
        return ""
    if close(got, -expected):
        return "every value has the wrong sign: check the sign of your formula"
    relative = np.max(np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300))
    if rtol < 1e-6 and relative > 1e-8 and close(got, expected, rtol=1e-4, atol=1e-6):
        return ("it agrees with the expected values to about 4-7 digits only, as float32 "
                "would: compute in float64 (do not convert the inputs to float32)")
    if close(got, np.zeros_like(got), rtol=0, atol=1e-12):
        return "every value is 0: is the result ever filled in?"
    if got.size < 2:
        return ""
    scale = float(np.sum(got * expected) / np.sum(expected * expected))
    if np.isfinite(scale) and not np.isclose(scale, 1.0) and close(got, scale * expected):
        return (f"every value is {scale:.6g} times the expected one: the formula is right up "
                "to a constant factor (a mean instead of a sum, a missing 2, a wrong divisor?)")
    offset = float(np.mean(got - expected))
    if close(got, expected + offset):
        return (f"every value is off by the same constant, {offset:.6g}: a constant term "
                "(a bias?) is missing, added twice or of the wrong sign")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got, expected.T):
        return "it is the transpose of the expected matrix"
    for axis in range(got.ndim):
        n = got.shape[axis]
        if n < 3:
            continue
        head = [slice(None)] * got.ndim
        tail = [slice(None)] * got.ndim
        head[axis], tail[axis] = slice(1, None), slice(None, -1)
        if close(got[tuple(head)], expected[tuple(tail)]):
            return (f"the values are shifted by one position along axis {axis}: entry i holds "
                    "what entry i - 1 should (an off-by-one in time?)")
        if close(got[tuple(tail)], expected[tuple(head)]):
            return (f"the values are shifted by one position along axis {axis}: entry i holds "
                    "what entry i + 1 should (an off-by-one in time?)")
        if close(np.flip(got, axis), expected):
            return f"the values are in reverse order along axis {axis}"
    return ""


def check_array(got, expected, name="the output", *, mistakes=(), shape_hint="",
                transpose_hint="", case="", atol=1e-6, rtol=1e-5):
    """Assert that ``got`` equals ``expected`` (shape and values, to tolerance).

    ``mistakes`` is a sequence of ``(message, candidate)``: when the check
    fails and ``got`` matches a candidate (an array of the value a known
    mistake gives, or a predicate ``candidate(got) -> bool``), the message
    names that mistake. ``shape_hint`` is added to any shape error and
    ``transpose_hint`` to one where ``got`` has the expected shape reversed
    (for example ``"did you transpose W_x?"``). ``case`` describes the inputs
    (sizes, seed). Where a number is expected, a Python or numpy number or a
    0-d array will do, but not an array of shape (1,), which numpy cannot
    store as one element of another array.
    """
    got = as_result_array(got, name)
    expected = np.asarray(expected, dtype=np.float64)
    where = f"\n  (case: {case})" if case else ""
    if not np.all(np.isfinite(got)):
        bad = np.argwhere(~np.isfinite(got))
        at = f" (first at [{', '.join(map(str, bad[0]))}])" if got.ndim else ""
        raise CheckFailed(f"{name} contains NaN or infinite values{at}{where}")
    if got.shape == expected.shape and np.allclose(got, expected, atol=atol, rtol=rtol):
        return
    for message, candidate in mistakes:
        try:
            matched = _matches(got, candidate, atol, rtol)
        except Exception:  # a predicate that does not apply to this shape
            matched = False
        if matched:
            raise CheckFailed(f"{name} is wrong: {message}{where}")
    if got.shape != expected.shape:
        message = f"{name} has shape {got.shape} but expected {expected.shape}"
        if transpose_hint and got.ndim >= 2 and got.shape == expected.shape[::-1]:
            message += f": {transpose_hint}"
        elif shape_hint:
            message += f": {shape_hint}"
        elif got.size == expected.size:
            message += " (the same number of values, arranged differently: check the axes)"
        raise CheckFailed(message + where)
    with np.errstate(all="ignore"):
        diagnosis = _generic_diagnosis(got, expected, atol, rtol)
    if diagnosis:
        raise CheckFailed(f"{name} is wrong: {diagnosis}{where}")
    diff = np.abs(got - expected)
    wrong = diff > atol + rtol * np.abs(expected)
    index = np.unravel_index(int(np.argmax(wrong)), diff.shape)
    at = f"[{', '.join(map(str, index))}]" if index else ""
    got_text, expected_text = _digits(float(got[index]), float(expected[index]))
    relative = (f", a relative error of {diff[index] / abs(expected[index]):.2g}"
                if expected[index] != 0 else "")
    count = f" ({int(wrong.sum())} of {wrong.size} values are wrong)" if wrong.size > 1 else ""
    raise CheckFailed(
        f"{name} has the right shape {got.shape} but wrong values: "
        f"{name}{at} is {got_text}, expected {expected_text}{relative}; the test allows "
        f"a difference of {atol:g} + {rtol:g} x |expected|{count}{where}"
    )


def same_mistake(func, args, wrong, allow=(), forbid=(), atol=1e-6, rtol=1e-5):
    """True when ``func`` on a second case ``args`` gives ``wrong`` too.

    A test names a mistake only when it explains more than the one case where it
    was seen (two mistakes can give the same value on one case): use it in a
    ``mistakes`` predicate, ``lambda got: <matches here> and same_mistake(...)``.
    A function that fails on ``args`` in any other way does not match.
    """
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            got = as_result_array(call(func, args, allow, forbid), "the result")
            return _matches(got, wrong, atol, rtol)
    except Exception:
        return False


def unpack(result, names, name="your function"):
    """Split a result that must be a tuple of ``len(names)`` values.

    For example ``Y, h_T = unpack(out, ("Y", "h_T"), "unroll_layer")``.
    """
    spelled = f"({', '.join(names)})"
    if not isinstance(result, (tuple, list)):
        raise CheckFailed(
            f"{name} should return the tuple {spelled}, got {_describe(result)}"
        )
    if len(result) != len(names):
        raise CheckFailed(
            f"{name} should return {len(names)} values {spelled}, got {len(result)}"
        )
    return tuple(result)


def check_number(got, name="the output", case=""):
    """Assert that ``got`` is a single number (a 0-d or one-element array is
    fine); return it as a Python float."""
    arr = as_result_array(got, name)
    if arr.size != 1 or arr.ndim > 1:
        where = f"\n  (case: {case})" if case else ""
        raise CheckFailed(f"{name} should be a single number, got {_describe(got)}{where}")
    return float(arr.reshape(()))


def check_shape(got, expected_shape, name="the output", hint="", case=""):
    """Assert that ``got`` (an array) has ``expected_shape``; ``hint`` explains."""
    got = as_result_array(got, name)
    expected_shape = tuple(int(n) for n in expected_shape)
    if got.shape != expected_shape:
        where = f"\n  (case: {case})" if case else ""
        extra = f": {hint}" if hint else ""
        raise CheckFailed(f"{name} has shape {got.shape} but expected {expected_shape}{extra}{where}")
    return got


# --------------------------------------------------------------------------
# Keras models (the exercises that build one). Keras is imported by these
# functions only when they run, so `import rnnlib` stays free of TensorFlow.
# A test never uses the student's model object: check_keras_model turns it
# into data (rnnlib.grading_keras.ModelData: vetted config and weights) and
# rebuilds a fresh model from it, the same in a student's kernel and in the
# instructors' grader (where models come back from the kernel as data).
# --------------------------------------------------------------------------

from .grading_keras import (  # noqa: E402  (re-exported for the test cells)
    DatasetData, ModelData, ModelRefused, check_training, dataset_batches, model_data,
    rebuild_model,
)


def check_keras_model(model, name="your model"):
    """Assert that ``model`` is a Keras model (a live ``keras.Sequential`` or
    ``keras.Model``, or its :class:`ModelData`) made of built-in layers only;
    return a fresh model rebuilt from its config and weights."""
    return rebuild_model(model_data(model, name), name)


def keras_layers(model):
    """The layers of ``model`` in order, with nested models replaced by their layers."""
    import keras

    layers = []
    for layer in model.layers:
        layers.extend(keras_layers(layer) if isinstance(layer, keras.Model) else [layer])
    return layers


def check_simple_rnn_layers(model, count, name="your model"):
    """Assert that ``model`` has ``count`` recurrent layers, each a SimpleRNN
    with the tanh activation of eq. 2.1; return them."""
    import keras

    recurrent = [layer for layer in keras_layers(model) if isinstance(layer, keras.layers.RNN)]
    kinds = ", ".join(type(layer).__name__ for layer in recurrent) or "none"
    if len(recurrent) != count or not all(
            isinstance(layer.cell, keras.layers.SimpleRNNCell) for layer in recurrent):
        missing = (" (a layer is part of a model only if the model's output depends on it)"
                   if len(recurrent) < count else "")
        raise AssertionError(
            f"{name} should have {count} recurrent layer{'s' if count > 1 else ''}, "
            f"keras.layers.SimpleRNN (the cell of chapters 2 to 4); its recurrent layers: "
            f"{kinds}{missing}"
        )
    for layer in recurrent:
        activation = getattr(layer.cell.activation, "__name__", str(layer.cell.activation))
        if activation != "tanh":
            raise AssertionError(
                f"{name}'s {type(layer).__name__} uses the activation {activation!r}: "
                "keep SimpleRNN's default, tanh"
            )
    return recurrent


def _shapes(arrays):
    return " ".join(str(tuple(int(n) for n in a.shape)) for a in arrays)


def load_keras_weights(model, layers, name="your model"):
    """Give the layers of ``model`` known weights, to compare it with rnnlib.

    ``layers`` maps a description of each layer that has weights (such as
    ``"SimpleRNN(4)"``) to its weights in Keras's order (``[W_x, W_y, b]``
    for a SimpleRNN, ``[W_o, b_o]`` for a Dense layer). Each layer of the model
    that has weights receives the entry whose shapes it has, so the layers may
    come in any order; raises ``AssertionError`` listing both sides when the
    model's weights are not exactly those of the model asked for.
    """
    remaining = {role: [np.asarray(a) for a in arrays] for role, arrays in layers.items()}
    pairs, mismatch = [], False
    holding = [layer for layer in keras_layers(model) if layer.weights]
    for layer in holding:
        shapes = [tuple(w.shape) for w in layer.weights]
        role = next((r for r, arrays in remaining.items()
                     if [a.shape for a in arrays] == shapes), None)
        if role is None:
            mismatch = True
            break
        pairs.append((layer, remaining.pop(role)))
    if mismatch or remaining:
        got = "; ".join(f"{type(layer).__name__} {_shapes(layer.weights)}" for layer in holding)
        want = "; ".join(f"{role} {_shapes(arrays)}" for role, arrays in layers.items())
        raise AssertionError(
            f"{name} holds the weights [{got or 'none'}], but the model asked for holds "
            f"[{want}]: check the layers, the number of units of each, and that every "
            "layer keeps its bias"
        )
    for layer, arrays in pairs:
        layer.set_weights([a.astype(w.dtype) for a, w in zip(arrays, layer.weights)])


def keras_predict(model, inputs, name="your model", case=""):
    """``model(inputs)`` as a float64 numpy array, or an ``AssertionError``
    saying why the model could not run. ``inputs`` is an array, or a list of
    arrays for a model with several inputs; they are passed as float32."""
    import keras

    several = isinstance(inputs, (list, tuple))
    arrays = [np.asarray(x, dtype=np.float32) for x in (inputs if several else [inputs])]
    where = f"\n  (case: {case})" if case else ""
    shapes = " and ".join(str(a.shape) for a in arrays)
    try:
        with warnings.catch_warnings():  # Keras's remarks are not the student's mistakes
            warnings.simplefilter("ignore")
            out = model(arrays if several else arrays[0])
    except Exception as exc:
        # Keras's messages hold colour codes and TensorFlow's node names: keep the words
        text = re.sub(r"\x1b\[[0-9;]*m|\{\{[^}]*\}\}", "", str(exc))
        detail = " ".join([line.strip() for line in text.splitlines() if line.strip()][:2])
        raise AssertionError(
            f"{name} fails on inputs of shape {shapes} (check the shapes its keras.Input "
            f"layers declare): {type(exc).__name__}: {detail[:300]}{where}"
        ) from None
    if isinstance(out, (list, tuple, dict)):
        raise AssertionError(
            f"{name} returns {len(out)} tensors; it should return one (the outputs), "
            f"shape (m, ...){where}"
        )
    return np.asarray(keras.ops.convert_to_numpy(out), dtype=np.float64)


def check_trained_forecaster(out, function, X_train, y_train, X_valid, y_valid, epochs,
                             case="", check_model=None):
    """Check what a forecasting task's ``function`` returned, ``(model, valid_mae)``.

    The windows are in millions of riders: inputs ``(n, T, f)``, targets
    ``(n,)``. The model comes back as data: it must have been trained with
    ``fit`` for at most ``epochs`` epochs in all, is rebuilt from its config and
    weights, passed to ``check_model(model, name)`` if given (a task's own
    structural check), and must give one forecast per validation window.
    ``valid_mae`` must be the rebuilt model's MAE on the validation windows in
    riders; the messages name the usual mistakes (the training windows, millions,
    the loss instead of the MAE). Returns ``(valid_mae, forecasts)``: the MAE the
    grader recomputed (riders) and the forecasts, shape ``(n,)``, in millions.
    """
    where = f"\n  (case: {case})" if case else ""
    model, reported = unpack(out, ("model", "valid_mae"), function)
    name = f"{function}'s model"
    data = model_data(model, name)           # its config, weights and training record
    check_training(data, epochs, name)       # fit, at most `epochs` epochs in all
    model = check_keras_model(data, name)    # rebuilt from the config and the weights
    if check_model is not None:
        check_model(model, name)
    forecasts = keras_predict(model, X_valid, name, case)
    if forecasts.shape not in ((len(y_valid),), (len(y_valid), 1)):
        raise CheckFailed(f"{name} gives forecasts of shape {forecasts.shape} for {len(y_valid)} "
                          f"windows: one number per window, shape ({len(y_valid)}, 1){where}")
    forecasts = forecasts.reshape(-1)
    errors = forecasts - y_valid
    valid_mae = 1e6 * np.mean(np.abs(errors))
    train_mae = 1e6 * np.mean(np.abs(keras_predict(model, X_train, name, case).reshape(-1)
                                     - y_train))
    huber = np.mean(np.where(np.abs(errors) <= 1, 0.5 * errors ** 2, np.abs(errors) - 0.5))
    mse = np.mean(errors ** 2)

    def close(value):
        return lambda got: abs(float(got) - value) <= 2e-3 * abs(value)

    check_array(check_number(reported, "valid_mae", case), valid_mae, "valid_mae", case=case,
                atol=1.0, rtol=2e-3, mistakes=[
        ("it is the model's error on the training windows: evaluate on the validation windows",
         close(train_mae)),
        ("it is in millions of riders: multiply by 1e6", close(valid_mae / 1e6)),
        ("it is the loss, not the MAE: model.evaluate returns the loss first, then the metrics",
         lambda got: any(close(loss)(got) for loss in (huber, 1e6 * huber, mse, 1e6 * mse))),
    ])
    return valid_mae, forecasts


#: The seeds of the training runs a test may try: see :func:`train_to_beat`.
TRAINING_SEEDS = (0, 1, 2)


def train_to_beat(train, bar, seeds=TRAINING_SEEDS):
    """Train until a run beats ``bar``; return the runs' validation MAEs, in order.

    Training is random, and a sound model misses even an easy bar now and
    then: from one epoch to the next a small network's validation error moves
    by thousands of riders. So ``train(seed)`` (which calls the student's
    function with ``call(..., seed=seed)``, checks what it returned with
    :func:`check_trained_forecaster` and returns the recomputed validation MAE)
    runs once per seed of ``seeds`` until one run's MAE is below ``bar``; the
    test passes if the last one is. Only the bar is retried: a failed check
    ends the test at the first run. A seed gives the same run each time the
    notebook is graded, so a grade can be repeated.
    """
    maes = []
    for seed in seeds:
        maes.append(float(train(seed)))
        if maes[-1] < bar:
            break
    return maes


def runs_text(maes, seeds=TRAINING_SEEDS):
    """"43,145 riders" for one run; "43,145, 42,010 and 41,990 riders in 3
    training runs (seeds 0, 1 and 2)" for several."""
    def listed(items):
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    text = f"{listed([f'{m:,.0f}' for m in maes])} riders"
    if len(maes) > 1:
        text += f" in {len(maes)} training runs (seeds {listed([str(s) for s in seeds[:len(maes)]])})"
    return text


def check_not_fitted_to_validation(forecasts, y_valid, shift, function, case=""):
    """Fail when a model leans toward validation targets that the grader shifted.

    The test called ``function`` with validation targets ``y_valid + shift``
    (a shift no real series has) and ``forecasts`` are the returned model's on
    those windows. A model trained on the training windows only never saw the
    shifted targets; early stopping may pick an epoch by them, which moves its
    forecasts by far less than a third of ``shift``; a model fitted to them moves
    most of the way.
    """
    lean = float(np.mean(np.asarray(forecasts) - y_valid))  # toward the shifted targets
    if lean > shift / 3:
        raise CheckFailed(
            f"{function}'s model was fitted to the validation windows: the grader shifted their "
            f"targets, and the model's forecasts moved {lean / shift:.0%} of the way to them. "
            "Train on the training windows only; the validation windows may only guide early "
            f"stopping\n  (case: {case})")
