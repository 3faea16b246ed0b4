"""The rnnlib a student's kernel sees: the same library, without the answers.

``rnnlib`` holds the reference implementation of nearly every task (its
``neuron_step`` is assignment 1's answer). A task forbids calling it
(``rnnlib.grading.call(..., allow=, forbid=)``), and ``grading.call``
watches for such calls, but it runs in the student's kernel, where a
student can switch it off (replace ``grading.call``, or read rnnlib's source
and run it under another name). So the kernel never holds that code.

:func:`build` writes a copy of rnnlib for the jail (``sandbox`` binds it at
rnnlib's real path, so ``import rnnlib`` finds it):

* the modules in :data:`KEPT` are copied as they are: the package's
  ``__init__``, the argument checks, the activations, the grading helpers
  (whatever the test cells need in the kernel), the data loader, and the
  Keras layers holding given weights (``keras_compat``: no task is answered
  by them);
* in every other module (new ones included: the default is to hide),
  every function and every method except ``__init__`` and properties keeps
  its name, signature and docstring, but its body becomes one call to
  ``autograder.kernel_side.rnnlib_call``: the arguments go to the grader as
  data (``wire.py``), over the kernel's stdin channel, like the test's own
  functions do. Functions named in ``rnnlib.grading.ALWAYS_ALLOWED``, those
  the module runs while it is imported (``MODELS.update(... _chapter8_spec
  ...)``: no grader listens yet), and what they call in their module, stay
  as they are. Classes, constants and
  ``NamedTuple``\\ s stay. A function or class defined inside a block
  (``if``, ``try``) would escape this, so :func:`hide` refuses one.

The grader (``checker.RnnlibService``) answers such a call with its own,
untouched rnnlib, *only if the call is allowed*: outside a graded call
(an answer cell, a plain call in a test) every call is; during
``grading.call(f, args, allow, forbid)`` the grader applies the rules of
``grading.call`` to the function asked for, and a forbidden one is recorded
by the grader, so the task fails with the message ``grading.call`` gives,
whatever the kernel then does. :data:`manifest` lists the names that may be
asked for; the grader resolves nothing else.

A function whose result is a Keras model or a ``tf.data`` dataset
(``rnnlib.forecasting.build_model``, ``make_dataset``) cannot be run for
the kernel: the grader refuses it with a message saying so, in graded
calls and outside them (no course notebook uses one; a student's own
JupyterLab has the real rnnlib).

What is left: rnnlib's code is public and a student may copy it into an
answer (as any code read in a book).
"""
from __future__ import annotations

import ast
import compileall
import os
import shutil
import tempfile
from pathlib import Path

#: Modules of rnnlib copied unchanged into the kernel's rnnlib.
KEPT = frozenset({
    "rnnlib", "rnnlib._checks", "rnnlib.activations", "rnnlib.grading",
    "rnnlib.grading_keras", "rnnlib.datasets", "rnnlib.keras_compat",
})

#: The prompt prefix of a stub's request (see ``kernel_side.rnnlib_call``).
STUB_CALL = "__import__('autograder.kernel_side', fromlist=['_']).rnnlib_call"


def _module_name(package_dir, path):
    parts = ["rnnlib", *path.relative_to(package_dir).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _always_allowed():
    from rnnlib.grading import ALWAYS_ALLOWED

    return set(ALWAYS_ALLOWED)


def _stub_body(node, module, qualname):
    """The statements of a stub: the docstring, then the call to the grader."""
    args = node.args
    positional = [a.arg for a in (*args.posonlyargs, *args.args)]
    call = ast.parse(
        f"return {STUB_CALL}({module!r}, {qualname!r}, "
        f"({', '.join(positional)}{',' if positional else ''}"
        f"{' *' + args.vararg.arg + ',' if args.vararg else ''}), "
        f"{{{', '.join(f'{a.arg!r}: {a.arg}' for a in args.kwonlyargs)}"
        f"{', ' if args.kwonlyargs and args.kwarg else ''}"
        f"{'**' + args.kwarg.arg if args.kwarg else ''}}})"
    ).body
    body = []
    if (node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
            and isinstance(node.body[0].value.value, str)):
        body.append(node.body[0])
    return body + call


def _is_property(node):
    for decorator in node.decorator_list:
        name = decorator.id if isinstance(decorator, ast.Name) else \
            decorator.attr if isinstance(decorator, ast.Attribute) else ""
        if name in ("property", "setter", "getter", "cached_property"):
            return True
    return False


def _names_used(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _run_at_import(tree):
    """Names of the functions a module calls while it is imported: anywhere
    in its statements (``if`` and ``try`` blocks and class bodies included)
    except inside the bodies of its functions and lambdas, which run only when
    called; their decorators and default values do run. A function only
    referred to (``{"rnn": _rnn32}``) is not run."""
    called, todo = set(), list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            called.update(d.id for d in node.decorator_list if isinstance(d, ast.Name))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            todo.extend([*getattr(node, "decorator_list", ()), *node.args.defaults,
                         *(d for d in node.args.kw_defaults if d is not None)])
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        todo.extend(ast.iter_child_nodes(node))
    return called


def hide(source, module, always_allowed=()):
    """``source`` of rnnlib module ``module`` with its answers replaced by
    stubs; returns ``(new_source, stubbed)``, the qualified names stubbed."""
    tree = ast.parse(source)
    for statement in tree.body:  # only top-level functions and classes are hidden
        if not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for node in ast.walk(statement):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    raise ValueError(
                        f"{module}: {node.name} is defined inside a block (line {node.lineno}), "
                        "where the kernel's copy cannot hide it: define it at the top level")
    functions = {n.name: n for n in tree.body
                 if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    # kept: the always-allowed functions and what they call in this module
    kept = {name for name in functions if f"{module}.{name}" in always_allowed}
    # and what the module runs while it is imported (a stub would ask a grader
    # that does not listen yet): module-level statements, decorators, defaults
    kept |= _run_at_import(tree) & set(functions)
    todo = list(kept)
    while todo:
        for name in _names_used(functions[todo.pop()]) & set(functions):
            if name not in kept:
                kept.add(name)
                todo.append(name)
    stubbed = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in kept:
            node.body = _stub_body(node, module, node.name)
            stubbed.append(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if (isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                        and item.name != "__init__" and not _is_property(item)
                        and not any(isinstance(d, ast.Name) and d.id == "staticmethod"
                                    for d in item.decorator_list)):
                    qualname = f"{node.name}.{item.name}"
                    item.body = _stub_body(item, module, qualname)
                    stubbed.append(qualname)
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n", stubbed


def build(dest=None, package_dir=None):
    """Write the kernel's rnnlib into ``dest`` (a new folder when None);
    returns ``(folder, manifest)`` where ``manifest`` is the set of
    ``(module, qualname)`` the stubs may ask the grader for."""
    import rnnlib

    package_dir = Path(package_dir or Path(rnnlib.__file__).parent).resolve()
    dest = Path(dest or tempfile.mkdtemp(prefix="rnnlib-kernel-")) / "rnnlib"
    if dest.exists():
        shutil.rmtree(dest)
    allowed = _always_allowed()
    manifest = set()
    for path in sorted(package_dir.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        target = dest / path.relative_to(package_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        module = _module_name(package_dir, path)
        source = path.read_text(encoding="utf-8")
        if module not in KEPT:
            source, stubbed = hide(source, module, allowed)
            manifest.update((module, name) for name in stubbed)
        target.write_text(source, encoding="utf-8")
    for path in package_dir.rglob("*"):  # data files a module reads (none today)
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts:
            target = dest / path.relative_to(package_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    compileall.compile_dir(str(dest), quiet=1, force=True)
    for folder, dirs, files in os.walk(dest.parent):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)
    return dest, frozenset(manifest)


class RnnlibService:
    """The grader's side of the kernel's rnnlib: runs the real function a
    stub asks for, when the call in progress allows it.

    ``restrict(allow, forbid)`` applies the rules of ``rnnlib.grading.call``
    while a student's function runs under it; :attr:`violation` then holds
    the first forbidden function asked for (the grader's record, not the
    kernel's). Outside ``restrict`` every function of :attr:`manifest` may run.
    """

    def __init__(self, manifest):
        self.manifest = frozenset(manifest)
        self.rules = None
        self.violation = None

    def restrict(self, allow=(), forbid=()):
        from rnnlib import grading

        allowed_modules, allowed_codes = grading._resolve((*grading.ALWAYS_ALLOWED, *allow))
        forbidden_modules, forbidden_codes = grading._resolve(forbid)
        self.rules = (allowed_modules, allowed_codes, forbidden_modules, forbidden_codes)
        self.violation = None
        return self

    def release(self):
        self.rules = None

    def permitted(self, module, func):
        if self.rules is None:
            return True
        allowed_modules, allowed_codes, forbidden_modules, forbidden_codes = self.rules
        code = getattr(func, "__code__", None)
        if code in forbidden_codes or module in forbidden_modules:
            return False
        return code in allowed_codes or module in allowed_modules

    def _function(self, module, qualname):
        import importlib

        if (module, qualname) not in self.manifest:
            raise LookupError(f"{module}.{qualname} is not a function of rnnlib")
        value = importlib.import_module(module)
        for part in qualname.split("."):
            value = getattr(value, part)
        return value

    def answer(self, text, deadline, callbacks=None):
        """The reply (a dict) to a stub's request ``text`` (JSON).
        ``callbacks``: the test's own objects given to the student's function
        in the call in progress (a test's cell crosses back as its number)."""
        import json
        import time
        import warnings

        from . import wire

        try:
            request = json.loads(text)
            module, qualname = str(request["module"]), str(request["qualname"])
            func = self._function(module, qualname)
        except (ValueError, TypeError, KeyError, LookupError, AttributeError, RecursionError):
            return {"status": "raised", "type": "RuntimeError",
                    "message": "the grader could not read the call of an rnnlib function"}
        name = f"{module}.{qualname}"
        if not self.permitted(module, func):
            self.violation = self.violation or name
            return {"status": "raised", "type": "RuntimeError",
                    "message": f"{name} is not allowed in this task: write that part yourself"}
        if time.monotonic() >= deadline:
            return {"status": "raised", "type": "TimeoutError",
                    "message": f"{name}: the cell ran out of time"}
        try:
            decoder = wire.Decoder(cell_ref=(callbacks or {}).get)
            args, kwargs = decoder.decode(request["args"]), decoder.decode(request["kwargs"])
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise wire.WireError("malformed call")
        except (wire.WireError, ValueError, TypeError, KeyError, RecursionError) as exc:
            return {"status": "raised", "type": "TypeError",
                    "message": f"the grader could not read the arguments of {name}: {exc}"}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the student's own call shows none either way
                value = func(*args, **{str(k): v for k, v in kwargs.items()})
            if _keras_object(value):
                return {"status": "raised", "type": "RuntimeError",
                        "message": f"{name} returns a Keras object, which cannot be run for a "
                                   "notebook while it is graded: build it with Keras yourself"}
            return {"status": "ok", "value": wire.Encoder().encode(value)}
        except wire.WireError as exc:
            return {"status": "raised", "type": "TypeError",
                    "message": f"{name} returned what cannot cross to the kernel: {exc}"}
        except Exception as exc:  # noqa: BLE001 - rnnlib refused the student's arguments
            return {"status": "raised", "type": type(exc).__name__
                    if type(exc).__module__ == "builtins" else "ValueError",
                    "message": str(exc)[:5000]}


def _keras_object(value):
    import sys

    if "keras" not in sys.modules and "tensorflow" not in sys.modules:
        return False
    from rnnlib import grading_keras

    values = value if isinstance(value, (tuple, list)) else (value,)
    return any(grading_keras.is_keras_model(v) or grading_keras.is_dataset(v) for v in values)
