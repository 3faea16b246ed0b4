"""Values between the student's kernel and the grader's checker: data only.

The checker runs the test cells in the grader's process and asks the kernel
to call the student's functions. Whatever crosses between them is *data*,
encoded as JSON with arrays in numpy's ``.npy`` format read back with
``allow_pickle=False``: numbers, strings, ``None``, numpy arrays and scalars
(never of object dtype), lists, tuples, dicts, sets, and pandas Series,
DataFrames and indexes built from those. Nothing that crosses can run code
when it is read, so the kernel can only ever hand the checker values, never
behaviour: an ``ndarray`` subclass that lies in ``__eq__`` arrives as a
plain array, and a number that lies in ``__float__`` never arrives at all.

A few objects of the course cross as data too, and are rebuilt on the
other side from a fixed list of classes, never from a name the sender
chooses:

* a Keras model (kernel to grader) crosses as its JSON config, its weight
  arrays, its compile settings and its training record; the grader decodes
  it into ``rnnlib.grading_keras.ModelData`` after vetting the config (only
  built-in Keras layers on an allow-list: a ``Lambda`` or custom layer is
  refused with a message naming it; weights are bounded in size). The tests
  rebuild a fresh model from it in the grader (see that module for why);
* a ``tf.data`` dataset (kernel to grader) crosses as its first
  :data:`~rnnlib.grading_keras.MAX_BATCHES` batches of numpy arrays (bounded
  in bytes too; a longer dataset arrives marked as truncated) and decodes
  into ``rnnlib.grading_keras.DatasetData``;
* an rnnlib cell (``BasicCell``, ``ProjectionCell``: :data:`RNNLIB_CELLS`)
  crosses as its class name and weight arrays and is rebuilt from the
  receiver's own rnnlib;
* a cell of the test's own (grader to kernel: any object with the cell
  interface, ``n_inputs``, ``state_size``, ``output_size``, ``zero_state``
  and ``cell(x_t, h_prev)``) crosses as its sizes and a callback: the kernel
  gets an :class:`InterfaceCell` whose steps call back into the grader.

Any other value that is not data (a generator, a Keras layer) crosses as an
:class:`Opaque` reference: the checker can pass it back to the kernel, but
cannot look inside it. Functions cross only as importable names
(``numpy:tanh``).
"""
from __future__ import annotations

import base64
import datetime as _dt
import functools
import importlib
import io
import math
import sys
import types

import numpy as np

#: Largest encoded message accepted in either direction.
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 50


#: rnnlib NamedTuples that cross field by field: name -> "module:class".
RNNLIB_TUPLES = {"Cache": "rnnlib.bptt:Cache", "Gradients": "rnnlib.bptt:Gradients",
                 "LSTMCache": "rnnlib.lstm:LSTMCache", "GRUCache": "rnnlib.gru:GRUCache"}
#: rnnlib cells that cross as data: class name -> the attributes that rebuild it.
RNNLIB_CELLS = {"BasicCell": ("W_x", "W_y", "b"),
                "ProjectionCell": ("W_x", "W_y", "b", "W_o", "b_o")}


class WireError(ValueError):
    """A value that cannot cross, or a message that cannot be read."""


class InterfaceCell:
    """A cell of the test's own, in the student's kernel: it has the cell
    interface and nothing else; each step is computed by the grader."""

    def __init__(self, n_inputs, state_size, output_size, step, ref=None):
        self.n_inputs, self.state_size, self.output_size = n_inputs, state_size, output_size
        self._step = step
        self._ref = ref  # the test's number for it: it crosses back as that number

    def zero_state(self, m, dtype=np.float64):
        return np.zeros((m, self.state_size), dtype=dtype)

    def __call__(self, x_t, h_prev):
        out = self._step(np.asarray(x_t), np.asarray(h_prev))
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError("the cell's step did not return (y_t, h_t)")
        return out

    def __repr__(self):
        return (f"<cell n_inputs={self.n_inputs} state_size={self.state_size} "
                f"output_size={self.output_size}>")


def _is_interface_cell(value):
    sizes = [getattr(value, n, None) for n in ("n_inputs", "state_size", "output_size")]
    return (all(type(s) is int and 0 < s <= 100_000 for s in sizes)
            and callable(value) and callable(getattr(value, "zero_state", None)))


class Opaque:
    """A value that stays in the kernel: the checker holds only its handle."""

    __slots__ = ("handle", "type_name")

    def __init__(self, handle, type_name):
        self.handle = int(handle)
        self.type_name = str(type_name)[:200]

    def __repr__(self):
        return f"<{self.type_name} object in the student's kernel>"


def _npy(array):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, allow_pickle=False)  # keeps 0-d arrays 0-d
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _from_npy(text):
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    return np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)


def _float(x):
    if math.isnan(x):
        return {"__float__": "nan"}
    if math.isinf(x):
        return {"__float__": "inf" if x > 0 else "-inf"}
    return x


class Encoder:
    """Turns values into JSON-ready trees.

    ``opaque(value) -> handle`` is called for values that are not data (the
    kernel keeps them); without it such a value raises :class:`WireError`.
    ``function_refs``: encode importable functions and classes by name.
    ``callback(func) -> id`` is called for any other function (the grader's
    test code passing a function of its own to a student's function): the
    kernel receives a stub that calls it back in the grader, data in and
    data out (see ``checker.Channel.request``).
    """

    def __init__(self, opaque=None, function_refs=False, callback=None):
        self.opaque = opaque
        self.function_refs = function_refs
        self.callback = callback
        self.size = 0

    def _count(self, n):
        self.size += n
        if self.size > MAX_BYTES:
            raise WireError(f"the value is larger than {MAX_BYTES // (1024 * 1024)} MB")

    def encode(self, value, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("the value is nested too deeply")
        t = type(value)
        if value is None or t is bool or t is str:
            self._count(len(value) if t is str else 1)
            return value
        if t is int:
            return value if abs(value) < 2 ** 53 else {"__int__": str(value)}
        if t is float:
            return _float(value)
        if t is complex:
            return {"__complex__": [_float(value.real), _float(value.imag)]}
        if t is bytes:
            self._count(len(value))
            return {"__bytes__": base64.b64encode(value).decode("ascii")}
        if isinstance(value, Opaque):
            return {"__handle__": value.handle}
        if isinstance(value, np.ndarray) or isinstance(value, np.generic):
            array = np.asarray(value)
            if array.dtype.hasobject:
                return self._not_data(value, "an array of Python objects")
            self._count(array.nbytes + 200)
            key = "__ndarray__" if isinstance(value, np.ndarray) else "__npscalar__"
            return {key: _npy(array)}
        if t in (list, tuple, set, frozenset):
            key = {list: "__list__", tuple: "__tuple__", set: "__set__", frozenset: "__frozenset__"}[t]
            return {key: [self.encode(v, depth + 1) for v in value]}
        if t is dict:
            return {"__dict__": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                 for k, v in value.items()]}
        if t is range:
            return {"__range__": [value.start, value.stop, value.step]}
        if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)
                                           and value is not np.generic):
            dtype = np.dtype(value)
            if dtype.hasobject or dtype.names is not None:
                return self._not_data(value, "a structured or object dtype")
            return {"__dtype__": [dtype.str, isinstance(value, np.dtype)]}
        if t is slice:
            return {"__slice__": [self.encode(v, depth + 1) for v in (value.start, value.stop, value.step)]}
        if t in (_dt.datetime, _dt.date, _dt.timedelta):
            if t is _dt.timedelta:
                return {"__timedelta__": value.total_seconds()}
            return {f"__{t.__name__}__": value.isoformat()}
        encoded = self._pandas(value, depth)
        if encoded is not None:
            return encoded
        encoded = self._course_object(value, depth)
        if encoded is not None:
            return encoded
        if self.function_refs and callable(value):
            ref = function_ref(value)
            if ref:
                return {"__ref__": ref}
        if self.callback is not None and isinstance(value, (types.FunctionType, functools.partial)):
            # only plain functions: an object with methods and attributes (a
            # cell, a model) stays in the test's hands, and the cell runs in
            # the kernel, so that a student may use whatever the object offers
            return {"__callback__": self.callback(value)}
        return self._not_data(value, f"a {t.__name__}")

    def _pandas(self, value, depth):
        module = type(value).__module__ or ""
        if not module.startswith("pandas"):
            return None
        import pandas as pd

        t = type(value)
        if t is pd.Series:
            return {"__series__": {"values": self._column(value.to_numpy(), depth),
                                   "index": self.encode(value.index, depth + 1),
                                   "name": self.encode(value.name, depth + 1)}}
        if t is pd.DataFrame:
            return {"__dataframe__": {
                "columns": self.encode(value.columns, depth + 1),
                "index": self.encode(value.index, depth + 1),
                "data": [self._column(value.iloc[:, i].to_numpy(), depth) for i in range(value.shape[1])]}}
        if t is pd.RangeIndex:
            return {"__rangeindex__": [value.start, value.stop, value.step, self.encode(value.name, depth + 1)]}
        if t in (pd.Index, pd.DatetimeIndex):
            return {"__index__": {"values": self._column(value.to_numpy(), depth),
                                  "name": self.encode(value.name, depth + 1),
                                  "freq": getattr(value, "freqstr", None)}}
        if t is pd.Timestamp:
            return {"__timestamp__": value.isoformat()}
        return None

    def _course_object(self, value, depth):
        """Keras models, datasets and cells (see the module's docstring), or None."""
        t = type(value)
        cells = sys.modules.get("rnnlib.cells")
        if cells is not None and t.__name__ in RNNLIB_CELLS and t is getattr(cells, t.__name__, None):
            from rnnlib.activations import ACTIVATIONS

            # equal, not only the same: grading.call deep-copies a cell, and its tuple
            activation = next((k for k, v in ACTIVATIONS.items() if v == value.activation), None)
            if activation is None:
                return None
            return {"__rnnlib_cell__": {
                "class": t.__name__, "activation": activation,
                "arrays": [self.encode(np.asarray(getattr(value, a)), depth + 1)
                           for a in RNNLIB_CELLS[t.__name__]]}}
        activations = sys.modules.get("rnnlib.activations")
        if activations is not None and t is activations.Activation:
            if activations.ACTIVATIONS.get(value.name) != value:
                return None
            return {"__rnnlib_activation__": value.name}
        name = _rnnlib_tuple_name(t)
        if name is not None:
            return {"__rnnlib_tuple__": {"type": name,
                                         "fields": [self.encode(v, depth + 1) for v in value]}}
        if "keras" in sys.modules or "tensorflow" in sys.modules:  # subclasses too
            from rnnlib import grading_keras

            if grading_keras.is_keras_model(value):
                try:
                    config, weights, compiled, training = grading_keras.model_parts(value)
                except grading_keras.ModelRefused as exc:
                    raise WireError(str(exc)) from None
                self._count(len(config) + len(compiled or ""))
                return {"__keras_model__": {
                    "config": config, "compile": compiled,
                    "weights": self.encode(list(weights), depth + 1),
                    "training": self.encode(training, depth + 1)}}
            if grading_keras.is_dataset(value):
                try:
                    data = grading_keras.materialise(value)
                except Exception as exc:  # noqa: BLE001 - the dataset failed while read
                    raise WireError(f"the dataset cannot be read: {type(exc).__name__}: "
                                    f"{str(exc)[:300]}") from None
                return {"__dataset__": {"batches": self.encode(data.batches, depth + 1),
                                        "truncated": data.truncated, "why": data.why}}
        if t is InterfaceCell and value._ref is not None:  # back to the grader
            return {"__cell_ref__": value._ref}
        if self.callback is not None and _is_interface_cell(value):
            return {"__cell__": {"sizes": [value.n_inputs, value.state_size, value.output_size],
                                 "step": self.callback(value)}}
        return None

    def _column(self, array, depth):
        if array.dtype.hasobject:  # strings and mixed values: element by element
            return {"__objects__": [self.encode(v.item() if isinstance(v, np.generic) else v, depth + 1)
                                    for v in array.tolist()]}
        return self.encode(array, depth + 1)

    def _not_data(self, value, what):
        if self.opaque is not None:
            return {"__opaque__": [self.opaque(value), _type_name(value)]}
        raise WireError(f"{what} cannot be sent to the student's kernel")


def _rnnlib_tuple_class(name):
    """The class of :data:`RNNLIB_TUPLES` ``name``, from the receiver's own
    rnnlib as already imported (never an import), or None."""
    module_name, _, qualname = RNNLIB_TUPLES.get(name, "").partition(":")
    return getattr(sys.modules.get(module_name), qualname, None) if module_name else None


def _rnnlib_tuple_name(t):
    return next((name for name in RNNLIB_TUPLES if _rnnlib_tuple_class(name) is t), None)


def _type_name(value):
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}" if t.__module__ != "builtins" else t.__qualname__


def function_ref(func):
    """``"module:qualname"`` for a function or class importable by that
    name (the same object), else None."""
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not module or not qualname or "<" in qualname or module == "__main__":
        return None
    try:
        if resolve_ref(f"{module}:{qualname}") is func:
            return f"{module}:{qualname}"
    except Exception:
        return None
    return None


def resolve_ref(ref):
    module, _, qualname = ref.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


class Decoder:
    """Reads trees written by :class:`Encoder`.

    ``handle(n)`` turns ``{"__handle__": n}`` back into a kernel object (in
    the kernel); ``refs``: allow ``{"__ref__": ...}`` (kernel side only);
    ``callback(id)`` turns ``{"__callback__": id}`` into a stub function
    (kernel side only).
    """

    def __init__(self, handle=None, refs=False, callback=None, cell_ref=None):
        self.handle = handle
        self.refs = refs
        self.callback = callback
        self.cell_ref = cell_ref  # grader side: number -> the test's own cell

    def decode(self, tree, depth=0):
        if depth > MAX_DEPTH:
            raise WireError("the message is nested too deeply")
        if tree is None or isinstance(tree, (bool, int, float, str)):
            return tree
        if isinstance(tree, list):
            raise WireError("unexpected bare list in a message")
        if not isinstance(tree, dict) or len(tree) != 1:
            raise WireError("malformed message")
        (key, body), = tree.items()
        d = lambda v: self.decode(v, depth + 1)  # noqa: E731
        if key == "__float__":
            return float(body)
        if key == "__int__":
            return int(body)
        if key == "__complex__":
            return complex(d(body[0]), d(body[1]))
        if key == "__bytes__":
            return base64.b64decode(body)
        if key in ("__ndarray__", "__npscalar__"):
            array = _from_npy(body)
            return array if key == "__ndarray__" else array[()]
        if key in ("__list__", "__tuple__", "__set__", "__frozenset__"):
            items = [d(v) for v in body]
            return {"__list__": list, "__tuple__": tuple, "__set__": set,
                    "__frozenset__": frozenset}[key](items)
        if key == "__dict__":
            return {d(k): d(v) for k, v in body}
        if key == "__dtype__":
            if not (isinstance(body, list) and len(body) == 2 and isinstance(body[0], str)
                    and len(body[0]) <= 8):
                raise WireError("malformed dtype")
            try:
                dtype = np.dtype(body[0])
            except TypeError:
                raise WireError("an unknown dtype") from None
            if dtype.hasobject:
                raise WireError("an object dtype")
            return dtype if body[1] else dtype.type
        if key == "__range__":
            return range(*[int(v) for v in body])
        if key == "__slice__":
            return slice(*[d(v) for v in body])
        if key == "__timedelta__":
            return _dt.timedelta(seconds=float(body))
        if key == "__datetime__":
            return _dt.datetime.fromisoformat(body)
        if key == "__date__":
            return _dt.date.fromisoformat(body)
        if key == "__objects__":
            return np.array([d(v) for v in body] + [None], dtype=object)[:-1]
        if key in ("__series__", "__dataframe__", "__rangeindex__", "__index__", "__timestamp__"):
            return self._pandas(key, body, d)
        if key == "__opaque__":
            return Opaque(body[0], body[1])
        if key == "__handle__":
            if self.handle is None:
                raise WireError("unexpected object reference")
            return self.handle(int(body))
        if key == "__ref__":
            if not self.refs:
                raise WireError("unexpected function reference")
            return resolve_ref(str(body))
        if key == "__callback__":
            if self.callback is None:
                raise WireError("unexpected callback")
            return self.callback(int(body))
        if key == "__rnnlib_activation__":
            activations = sys.modules.get("rnnlib.activations")
            if activations is None or not isinstance(body, str) or body not in activations.ACTIVATIONS:
                raise WireError("an unknown activation")
            return activations.ACTIVATIONS[body]
        if key == "__cell_ref__":
            cell = self.cell_ref(body) if self.cell_ref is not None and type(body) is int else None
            if cell is None or not _is_interface_cell(cell):
                raise WireError("unexpected cell reference")
            return cell
        if key == "__rnnlib_tuple__":
            return self._rnnlib_tuple(body, d)
        if key in ("__rnnlib_cell__", "__keras_model__", "__dataset__", "__cell__"):
            return self._course_object(key, body, d)
        raise WireError(f"unknown value type {key!r}")

    def _rnnlib_tuple(self, body, d):
        """One of :data:`RNNLIB_TUPLES`, by its name in that list."""
        name = body.get("type") if isinstance(body, dict) else None
        fields = body.get("fields") if isinstance(body, dict) else None
        t = _rnnlib_tuple_class(name) if isinstance(name, str) else None
        if t is None or not isinstance(fields, list) or len(fields) != len(t._fields):
            raise WireError(f"an unknown rnnlib tuple {str(name)[:100]!r}")
        return t(*[d(v) for v in fields])

    def _course_object(self, key, body, d):
        if not isinstance(body, dict):
            raise WireError("malformed message")
        if key == "__cell__":
            if self.callback is None:
                raise WireError("unexpected cell")
            sizes = body.get("sizes")
            if not (isinstance(sizes, list) and len(sizes) == 3
                    and all(type(n) is int and 0 < n <= 100_000 for n in sizes)):
                raise WireError("malformed cell")
            ref = int(body.get("step"))
            return InterfaceCell(*sizes, self.callback(ref), ref=ref)
        if key == "__rnnlib_cell__":
            name, arrays = body.get("class"), body.get("arrays")
            if name not in RNNLIB_CELLS or not isinstance(arrays, list) \
                    or len(arrays) != len(RNNLIB_CELLS[name]):
                raise WireError("malformed rnnlib cell")
            arrays = [d(a) for a in arrays]
            if not all(type(a) is np.ndarray and a.dtype.kind in "fiu" for a in arrays):
                raise WireError("an rnnlib cell's weights must be numeric arrays")
            from rnnlib import cells
            from rnnlib.activations import ACTIVATIONS

            activation = body.get("activation")
            if not isinstance(activation, str) or activation not in ACTIVATIONS:
                raise WireError("an rnnlib cell with an unknown activation")
            try:
                return getattr(cells, name)(*arrays, activation=activation)
            except (ValueError, TypeError) as exc:
                raise WireError(f"an rnnlib cell that cannot be rebuilt: {exc}") from None
        from rnnlib import grading_keras

        if key == "__dataset__":
            batches = d(body.get("batches"))
            if not isinstance(batches, list):
                raise WireError("malformed dataset")
            return grading_keras.DatasetData(batches, bool(body.get("truncated")),
                                             str(body.get("why", ""))[:200])
        weights = d(body.get("weights"))
        training = d(body.get("training"))
        compiled = body.get("compile")
        try:
            return grading_keras.model_data_from_parts(
                body.get("config"), weights, compiled, training, what="the model")
        except grading_keras.ModelRefused as exc:
            raise WireError(str(exc)) from None

    def _pandas(self, key, body, d):
        import pandas as pd

        if key == "__timestamp__":
            return pd.Timestamp(body)
        if key == "__rangeindex__":
            return pd.RangeIndex(int(body[0]), int(body[1]), int(body[2]), name=d(body[3]))
        if key == "__index__":
            index = pd.Index(d(body["values"]), name=d(body["name"]))
            if body.get("freq") and isinstance(index, pd.DatetimeIndex):
                index = pd.DatetimeIndex(index, freq=str(body["freq"]))
            return index
        if key == "__series__":
            return pd.Series(d(body["values"]), index=d(body["index"]), name=d(body["name"]))
        columns = d(body["columns"])
        data = {i: d(col) for i, col in enumerate(body["data"])}
        frame = pd.DataFrame(data, index=d(body["index"]))
        frame.columns = columns
        return frame
