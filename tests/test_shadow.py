"""The rnnlib a student's kernel sees (``autograder/shadow.py``).

The end-to-end cases (a student who switches ``grading.call`` off and hands
a task to rnnlib, or runs rnnlib's source under another name) are students
of the synthetic class in ``tests/grader_class.py``; these tests check the
parts: what the kernel's copy holds, and what the grader answers.
"""
from __future__ import annotations

import ast
import copy
import inspect
import json
import sys
import time

import numpy as np
import pytest

import rnnlib
from autograder import shadow, wire
from rnnlib import grading


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    return shadow.build(tmp_path_factory.mktemp("view"))


def _tree(folder, module):
    """The syntax tree of the kernel's copy of ``module``."""
    return ast.parse((folder / (module.removeprefix("rnnlib.").replace(".", "/") + ".py")).read_text())


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    yield f"{node.name}.{item.name}", item
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node.name, node


def test_the_kernels_rnnlib_holds_no_answer(view):
    folder, manifest = view
    tree = _tree(folder, "rnnlib.neuron")
    def calls(tree):
        return {ast.unparse(n.func).rpartition(".")[2] for node in tree.body
                if isinstance(node, ast.FunctionDef) for n in ast.walk(node) if isinstance(n, ast.Call)}

    assert "phi" in calls(ast.parse(inspect.getsource(rnnlib.neuron)))  # the real one computes
    assert calls(tree) == {"__import__", "rnnlib_call"}  # the kernel's only asks
    # every function of a module that is not kept is a stub, new modules included
    hidden = sorted({p.stem for p in (folder).glob("*.py")}
                    - {m.removeprefix("rnnlib.") for m in shadow.KEPT} - {"__init__"})
    assert {"neuron", "layer", "cells", "bptt", "baselines"} <= set(hidden)
    for name in hidden:
        module = f"rnnlib.{name}"
        tree = _tree(folder, module)
        for qualname, node in _functions(tree):
            if f"{module}.{qualname}" in grading.ALWAYS_ALLOWED or node.name == "__init__" \
                    or any(getattr(d, "id", "") == "property" for d in node.decorator_list):
                continue
            body = [s for s in node.body if not (isinstance(s, ast.Expr)
                                                 and isinstance(s.value, ast.Constant))]
            if (module, qualname) not in manifest:
                # kept because an always-allowed function of the module calls it,
                # or because the module runs it while it is imported
                assert (any(f"{module}." in a for a in grading.ALWAYS_ALLOWED)
                        or qualname in shadow._run_at_import(tree)), (module, qualname)
                continue
            assert len(body) == 1 and "rnnlib_call" in ast.unparse(body[0]), (module, qualname)
    # no compiled copy of the real code comes along
    real_pyc = {p.name for p in (folder / "__pycache__").glob("*.pyc")}
    assert real_pyc, "the copy is compiled for the jail (read-only there)"


def test_what_the_module_runs_at_import_stays_and_nothing_else():
    """A function the module calls while it is imported (a table built by a
    helper, a decorator, a default value) cannot be a stub: no grader listens
    yet. One only called from inside a function, a method or a lambda, or only
    referred to, stays a stub."""
    source = (
        "def spec(n):\n    return helper(n) + 1\n\n"
        "def helper(n):\n    return 2 * n\n\n"
        "def deco(f):\n    return f\n\n"
        "def default():\n    return 3\n\n"
        "def answer(x, k=default()):\n    return inner(x) + k\n\n"
        "def inner(x):\n    return x\n\n"
        "@deco\ndef decorated(x):\n    return x\n\n"
        "class Cell:\n    SIZE = spec(1)\n\n    def step(self, x):\n        return inner(x)\n\n"
        "TABLE = {n: spec(n) for n in range(3)}\n"
        "ANSWERS = {'answer': answer, 'inner': inner}\n"
        "LATER = lambda x: inner(x)\n"
        "def guarded(x):\n    return LATER(x)\n\n"
        "if TABLE:\n    SIZES = [spec(9)]\n")
    hidden, stubbed = shadow.hide(source, "rnnlib.example")
    assert set(stubbed) == {"answer", "inner", "decorated", "Cell.step", "guarded"}
    namespace = {}
    exec(compile(hidden, "example", "exec"), namespace)  # imports without a grader
    assert namespace["TABLE"] == {0: 1, 1: 3, 2: 5} and namespace["Cell"].SIZE == 3
    assert namespace["SIZES"] == [19]
    # a function defined inside an `if` or a `try` would escape the stubs: refused
    for block in ("if True:\n    def leak(x):\n        return x\n",
                  "try:\n    import missing\nexcept ImportError:\n    class Leak:\n        pass\n"):
        with pytest.raises(ValueError, match="leak|Leak"):
            shadow.hide(block, "rnnlib.example")


def test_stubs_keep_the_signatures_and_docstrings(view):
    folder, _ = view
    source = (folder / "neuron.py").read_text().replace("from .", "from rnnlib.")
    namespace = {"__name__": "kernel_neuron"}
    exec(compile(source, str(folder / "neuron.py"), "exec"), namespace)
    for name in ("neuron_step", "unroll_neuron"):
        real = getattr(rnnlib.neuron, name)
        stub = namespace[name]
        assert inspect.signature(stub) == inspect.signature(real)
        assert stub.__doc__ == real.__doc__


def test_the_grader_applies_the_rules_of_grading_call(view):
    _, manifest = view
    service = shadow.RnnlibService(manifest)
    neuron_step, unroll = rnnlib.neuron.neuron_step, rnnlib.neuron.unroll_neuron
    layer_step = rnnlib.layer.layer_step
    assert service.permitted("rnnlib.layer", layer_step)  # outside a graded call: free
    service.restrict(allow=["rnnlib.neuron"], forbid=["rnnlib.neuron.unroll_neuron"])
    assert service.permitted("rnnlib.neuron", neuron_step)
    assert not service.permitted("rnnlib.neuron", unroll)
    assert not service.permitted("rnnlib.layer", layer_step)
    service.restrict(allow=["rnnlib.layer.layer_step"])
    assert service.permitted("rnnlib.layer", layer_step)
    assert not service.permitted("rnnlib.neuron", neuron_step)
    service.release()
    assert service.permitted("rnnlib.neuron", unroll)


def _ask(service, module, qualname, *args, deadline=None, **kwargs):
    request = {"module": module, "qualname": qualname,
               "args": wire.Encoder().encode(list(args)), "kwargs": wire.Encoder().encode(kwargs)}
    return service.answer(json.dumps(request), deadline or time.monotonic() + 10)


def test_the_grader_computes_allowed_calls_and_records_forbidden_ones(view):
    _, manifest = view
    service = shadow.RnnlibService(manifest)
    rng = np.random.default_rng(0)
    X, W_x, W_y, b = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    reply = _ask(service, "rnnlib.layer", "unroll_layer", X, W_x, W_y, b)
    assert reply["status"] == "ok"
    got = wire.Decoder().decode(reply["value"])
    np.testing.assert_allclose(got[0], rnnlib.unroll_layer(X, W_x, W_y, b)[0])
    # a method: the cell crosses as data and the grader's own class runs
    cell = rnnlib.BasicCell(W_x, W_y, b)
    reply = _ask(service, "rnnlib.cells", "BasicCell.__call__", cell, X[:, 0], np.zeros((2, 5)))
    np.testing.assert_allclose(wire.Decoder().decode(reply["value"])[0], cell(X[:, 0], np.zeros((2, 5)))[0])
    # rnnlib's own error on bad input comes back as that error, with its message
    reply = _ask(service, "rnnlib.layer", "layer_step", X[:, 0], np.zeros((2, 4)), W_x, W_y, b)
    assert reply["status"] == "raised" and reply["type"] == "ValueError" and "shape" in reply["message"]
    # forbidden in a graded call: not computed, and recorded by the grader
    service.restrict(allow=["rnnlib.layer"], forbid=["rnnlib.layer.unroll_layer"])
    reply = _ask(service, "rnnlib.layer", "unroll_layer", X, W_x, W_y, b)
    assert reply["status"] == "raised" and "not allowed" in reply["message"]
    assert service.violation == "rnnlib.layer.unroll_layer"
    assert _ask(service, "rnnlib.layer", "layer_step", X[:, 0], np.zeros((2, 5)), W_x, W_y, b)["status"] == "ok"
    assert service.violation == "rnnlib.layer.unroll_layer"  # the first one is kept
    # out of time: nothing is computed
    service.release()
    reply = _ask(service, "rnnlib.layer", "unroll_layer", X, W_x, W_y, b, deadline=time.monotonic() - 1)
    assert reply["type"] == "TimeoutError"


@pytest.mark.hostile
def test_the_grader_resolves_nothing_but_the_stubs_names(view, monkeypatch):
    _, manifest = view
    service = shadow.RnnlibService(manifest)
    before = set(sys.modules)
    for module, qualname in [("os", "system"), ("rnnlib.grading", "call"),
                             ("rnnlib.datasets", "fetch"), ("numpy.f2py.__main__", "main"),
                             ("rnnlib.layer", "np.save"), ("rnnlib.layer", "__builtins__")]:
        reply = _ask(service, module, qualname, "x")
        assert reply["status"] == "raised" and "could not read" in reply["message"], (module, qualname)
    assert set(sys.modules) == before
    for text in ("not json", json.dumps([1]), json.dumps({"module": "rnnlib.layer"}),
                 "[" * 100_000):
        assert service.answer(text, time.monotonic() + 5)["status"] == "raised"


def test_rnnlib_values_cross_the_wire():
    rng = np.random.default_rng(1)
    X, W_x, W_y, b = rng.normal(size=(2, 4, 3)), rng.normal(size=(3, 5)), rng.normal(size=(5, 5)), rng.normal(size=5)
    _, cache = rnnlib.bptt.forward(X, W_x, W_y, b)
    back = wire.Decoder().decode(wire.Encoder().encode(cache))
    assert type(back) is rnnlib.bptt.Cache and back.activation is cache.activation
    for mine, theirs in zip(back, cache):
        if isinstance(theirs, np.ndarray):
            np.testing.assert_array_equal(mine, theirs)
    # grading.call deep-copies its arguments: a copied cell still crosses
    cell = copy.deepcopy(rnnlib.ProjectionCell(W_x, W_y, b, np.ones((5, 2)), np.ones(2),
                                               activation="identity"))
    back = wire.Decoder().decode(wire.Encoder().encode(cell))
    assert type(back) is rnnlib.ProjectionCell and back.activation.name == "identity"
    for dtype in (np.float32, np.dtype("float64"), np.int64):
        assert wire.Decoder().decode(wire.Encoder().encode(dtype)) == dtype
    _, _, _, lstm_cache = rnnlib.lstm_forward(X, *rnnlib.lstm.init_lstm_weights(3, 2, seed=0))
    assert type(wire.Decoder().decode(wire.Encoder().encode(lstm_cache))) is rnnlib.lstm.LSTMCache
    # only the names of the list: never a type the sender names by its module
    for name in ("rnnlib.bptt:Cache", "rnnlib.nothing:Cache", "collections:namedtuple",
                 "rnnlib.activations:Activation", "Activation", "__class__", 3):
        with pytest.raises(wire.WireError):
            wire.Decoder().decode({"__rnnlib_tuple__": {"type": name, "fields": []}})


def test_a_tests_own_cell_crosses_back_to_the_grader_as_itself(view):
    """A test gives the student's function a cell of its own (in the kernel an
    InterfaceCell whose steps call back); when the student's code hands it to
    an rnnlib function that the task allows, the grader runs that function on
    the test's own cell, never on something the kernel built."""
    _, manifest = view

    class Doubler:
        n_inputs, state_size, output_size = 1, 1, 1

        def zero_state(self, m, dtype=np.float64):
            return np.zeros((m, 1), dtype=dtype)

        def __call__(self, x_t, h_prev):
            h = h_prev + 2 * x_t
            return h, h

    cell, callbacks = Doubler(), {}

    def register(value):
        callbacks[len(callbacks) + 1] = value
        return len(callbacks)

    tree = wire.Encoder(callback=register).encode(cell)
    in_kernel = wire.Decoder(callback=lambda i: (lambda x, h: (x, h))).decode(tree)
    assert isinstance(in_kernel, wire.InterfaceCell)
    X = np.array([[[1.0], [2.0], [3.0]]])
    request = {"module": "rnnlib.cells", "qualname": "run_cell",
               "args": wire.Encoder().encode([copy.deepcopy(in_kernel), X]),
               "kwargs": wire.Encoder().encode({})}
    service = shadow.RnnlibService(manifest).restrict(allow=["rnnlib.cells"])
    reply = service.answer(json.dumps(request), time.monotonic() + 10, callbacks)
    assert reply["status"] == "ok", reply
    Y, h = wire.Decoder().decode(reply["value"])
    np.testing.assert_array_equal(Y[0, :, 0], [2.0, 6.0, 12.0])
    # a number the test never gave is refused
    reply = service.answer(json.dumps(request), time.monotonic() + 10, {})
    assert reply["status"] == "raised" and "could not read" in reply["message"]


def test_every_module_of_the_kernels_rnnlib_imports_without_the_grader(view):
    """Importing must not call a stub (the kernel imports rnnlib before any
    grader listens): each module imports in a plain Python, where a stub
    called at import time would raise."""
    import subprocess

    folder, _ = view
    code = ("import importlib, pkgutil, rnnlib\n"
            f"assert rnnlib.__file__.startswith({str(folder)!r}), rnnlib.__file__\n"
            "for m in pkgutil.iter_modules(rnnlib.__path__):\n"
            "    importlib.import_module('rnnlib.' + m.name)\n"
            "print('imported', len(list(pkgutil.iter_modules(rnnlib.__path__))))\n")
    env = {"PYTHONPATH": str(folder.parent), "PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3",
           "OPENBLAS_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300, cwd=folder.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "imported" in run.stdout
