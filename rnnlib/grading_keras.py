"""Keras models and ``tf.data`` datasets as plain data, for the test cells.

The tests of the Keras exercises never use the student's model object
itself. A model is first turned into a :class:`ModelData`: its architecture
(the JSON config Keras writes), its weights (numpy arrays), its compile
settings and what ``fit`` recorded about its training. The tests then check
the structure from the config and the behaviour by *rebuilding* a fresh Keras
model from that config (:func:`rebuild_model`) and running it on inputs the
student's code never saw, with known or returned weights.

Why rebuild a Keras model rather than run the weights through rnnlib's own
forward pass? The exercises accept any wiring of the built-in layers the
course uses (the functional API, ``TimeDistributed``, ``RepeatVector``, an
``Activation`` layer, ``keras.layers.RNN`` around a cell...): writing a
second interpreter for all of them would be a second, less tested Keras.
Rebuilding is safe because the config is *vetted* first
(:func:`check_config`): every object it names must be a built-in Keras class
on an allow-list (:data:`ALLOWED`); ``Lambda`` layers, custom layers and
custom objects are refused with a message naming them, and Keras deserialises
with ``safe_mode=True`` on top of that. A config is data (JSON): it cannot run
code, and only allow-listed built-in classes are ever instantiated from it.
The rebuilt model's weights must have exactly the shapes the config gives
them, or the model is refused.

The same path runs everywhere: in the instructors' grader, the model comes
back from the student's kernel already as a :class:`ModelData` (see
``autograder/wire.py``); in a student's own kernel, :func:`model_data`
converts the real model. Either way the tests see the same rebuilt model
and give the same messages.

Datasets are read the same way (:func:`dataset_batches`): at most
:data:`MAX_BATCHES` batches and :data:`MAX_DATASET_BYTES` bytes of
``(inputs, targets)`` numpy arrays.

Keras is imported only by the functions that need it.
"""
from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field

import numpy as np

#: Built-in Keras classes a vetted config may name, by serialised module.
ALLOWED = {
    "keras": {"Sequential", "Model", "Functional", "DTypePolicy", "FloatDTypePolicy"},
    "keras.src.models.functional": {"Functional"},
    "keras.src.models.sequential": {"Sequential"},
    "keras.layers": {
        "InputLayer", "SimpleRNN", "SimpleRNNCell", "RNN", "LSTM", "LSTMCell", "GRU", "GRUCell",
        "Dense", "Flatten", "Reshape", "RepeatVector", "TimeDistributed", "Activation", "Softmax",
        "ReLU", "Dropout", "Conv1D", "Concatenate", "Add", "Permute", "Identity", "Bidirectional",
        "LayerNormalization", "BatchNormalization", "StackedRNNCells",
    },
    "keras.initializers": {
        "GlorotUniform", "GlorotNormal", "Orthogonal", "OrthogonalInitializer", "Zeros", "Ones",
        "RandomNormal", "RandomUniform", "TruncatedNormal", "HeNormal", "HeUniform",
        "LecunNormal", "LecunUniform", "Constant", "VarianceScaling", "Identity",
        "IdentityInitializer",
    },
    "keras.regularizers": {"L1", "L2", "L1L2"},
    "keras.constraints": {"MaxNorm", "NonNeg", "UnitNorm", "MinMaxNorm"},
    "keras.optimizers": {"SGD", "Adam", "AdamW", "RMSprop", "Nadam", "Adamax", "Adagrad",
                         "Adadelta", "Ftrl", "Lion"},
    "keras.optimizers.schedules": {"ExponentialDecay", "PiecewiseConstantDecay", "CosineDecay",
                                   "InverseTimeDecay", "PolynomialDecay"},
    "keras.losses": {"Huber", "MeanSquaredError", "MeanAbsoluteError",
                     "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCosh",
                     "BinaryCrossentropy", "CategoricalCrossentropy",
                     "SparseCategoricalCrossentropy"},
    "keras.metrics": {"MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError",
                      "MeanAbsolutePercentageError", "Accuracy", "BinaryAccuracy",
                      "CategoricalAccuracy", "SparseCategoricalAccuracy", "MeanMetricWrapper"},
}
#: Objects that Keras writes without a module: tensors of a functional model's graph.
ALLOWED_BARE = {"__keras_tensor__"}

MAX_CONFIG_CHARS = 2_000_000
MAX_CONFIG_DEPTH = 60
MAX_WEIGHT_ARRAYS = 400
MAX_WEIGHT_BYTES = 32 * 1024 * 1024
#: The largest size a layer's config may give (units, dimensions, steps): models of
#: the course have tens of units; a config is rebuilt in the grader, so a huge
#: layer would be a memory bomb there.
MAX_LAYER_SIZE = 1024
MAX_LAYERS = 64
MAX_PARAMETERS = 16_000_000  # an upper bound, from the units of every layer
_SIZE_KEYS = {"units", "n", "filters", "batch_shape", "target_shape", "input_shape", "input_dim",
              "output_dim", "kernel_size", "dims", "shape", "axis"}
MAX_BATCHES = 5000
MAX_DATASET_BYTES = 32 * 1024 * 1024


class ModelRefused(ValueError):
    """A model that the tests will not rebuild (the message says why)."""


@dataclass
class ModelData:
    """A Keras model as data: what the tests read instead of the model.

    ``config``: the vetted architecture (JSON-like dict, without its compile
    settings); ``weights``: ``model.get_weights()``; ``compile_config``: the
    vetted ``model.get_compile_config()`` or None when not compiled;
    ``training``: what the last ``fit`` recorded, ``{"epochs_run",
    "epochs_asked", "steps_per_epoch", "optimizer_steps"}`` (None when
    unknown).
    """

    config: dict
    weights: list = field(default_factory=list)
    compile_config: dict | None = None
    training: dict | None = None

    @property
    def layer_classes(self):
        """The class names of the layers, in the order of the config."""
        return [layer.get("class_name") for layer in self.config.get("config", {}).get("layers", [])
                if isinstance(layer, dict)]

    def __repr__(self):
        return (f"ModelData({self.config.get('class_name')}, layers={self.layer_classes}, "
                f"{len(self.weights)} weight arrays)")


@dataclass
class DatasetData:
    """A dataset as data: its first batches (numpy arrays, nested as the
    dataset's elements are) and whether it held more than could be read."""

    batches: list
    truncated: bool = False
    why: str = ""

    def __iter__(self):
        return iter(self.batches)

    def __len__(self):
        return len(self.batches)


# --------------------------------------------------------------------------
# Vetting a config
# --------------------------------------------------------------------------

def _layer_name(node):
    config = node.get("config")
    name = config.get("name") if isinstance(config, dict) else None
    return f"{node.get('class_name')!s}" + (f" (named {name!r})" if isinstance(name, str) else "")


def check_config(tree, what="the model"):
    """Raise :class:`ModelRefused` unless every object ``tree`` names is an
    allow-listed built-in Keras class (a ``Lambda`` layer, a custom layer, a
    custom activation or loss are refused, named in the message)."""

    def walk(node, depth):
        if depth > MAX_CONFIG_DEPTH:
            raise ModelRefused(f"{what}'s config is nested too deeply")
        if isinstance(node, list):
            for item in node:
                walk(item, depth + 1)
            return
        if not isinstance(node, dict):
            if node is None or isinstance(node, (bool, int, float, str)):
                return
            raise ModelRefused(f"{what}'s config holds a {type(node).__name__}, not JSON data")
        for key in node:
            if not isinstance(key, str):
                raise ModelRefused(f"{what}'s config has a key that is not a string")
        if "class_name" in node:
            class_name, module = node.get("class_name"), node.get("module")
            registered = node.get("registered_name")
            if class_name == "Lambda":
                raise ModelRefused(
                    f"{what} has a Lambda layer ({_layer_name(node)}): the grader cannot rebuild "
                    "arbitrary code; use the built-in Keras layers (Dense, SimpleRNN, "
                    "RepeatVector, TimeDistributed, Activation, ...)")
            ok = (module is None and class_name in ALLOWED_BARE) or (
                isinstance(module, str) and isinstance(class_name, str)
                and class_name in ALLOWED.get(module, ()))
            if ok and registered not in (None, class_name):
                ok = False
            if not ok:
                kind = "layer" if module in (None, "keras.layers") or "layer" in str(module) \
                    else "object"
                raise ModelRefused(
                    f"{what} uses {_layer_name(node)} (from {module or 'no module'}"
                    f"{', registered as ' + repr(registered) if registered else ''}), which is not "
                    f"one of the built-in Keras {kind}s the course uses; the grader rebuilds "
                    "only those (no custom layers or objects, no Lambda)")
        for value in node.values():
            walk(value, depth + 1)

    walk(tree, 0)


def check_sizes(tree, what="the model"):
    """Raise :class:`ModelRefused` when the config asks for layers larger than
    the grader rebuilds (:data:`MAX_LAYER_SIZE`, :data:`MAX_LAYERS`,
    :data:`MAX_PARAMETERS`)."""
    layers, parameters = 0, 0

    def sizes(value):
        if isinstance(value, bool) or value is None:
            return []
        if isinstance(value, (int, float)):
            return [value]
        if isinstance(value, list):
            return [n for v in value for n in sizes(v)]
        return []

    def walk(node):
        nonlocal layers, parameters
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        if node.get("module") == "keras.layers":
            layers += 1
        for key, value in node.items():
            if key in _SIZE_KEYS:
                for n in sizes(value):
                    if not -10 <= n <= MAX_LAYER_SIZE:
                        raise ModelRefused(f"{what} asks for a {key} of {n}: the grader rebuilds "
                                           f"layers of at most {MAX_LAYER_SIZE} units or steps")
                if key == "units" and isinstance(value, int):
                    parameters += 4 * value * (value + MAX_LAYER_SIZE + 1)  # up to 4 gates
            walk(value)

    walk(tree)
    if layers > MAX_LAYERS:
        raise ModelRefused(f"{what} has {layers} layers; the grader rebuilds at most {MAX_LAYERS}")
    if parameters > MAX_PARAMETERS:
        raise ModelRefused(f"{what} is too large for the grader to rebuild")


def _load_json(text, what):
    if not isinstance(text, str):
        raise ModelRefused(f"{what} is not JSON text")
    if len(text) > MAX_CONFIG_CHARS:
        raise ModelRefused(f"{what} is longer than {MAX_CONFIG_CHARS:,} characters")
    try:
        return json.loads(text, parse_constant=lambda c: float(c))
    except (ValueError, RecursionError) as exc:
        raise ModelRefused(f"{what} cannot be read: {exc}") from None


def _check_weights(weights, what):
    if not isinstance(weights, (list, tuple)):
        raise ModelRefused(f"{what}'s weights are not a list of arrays")
    if len(weights) > MAX_WEIGHT_ARRAYS:
        raise ModelRefused(f"{what} has more than {MAX_WEIGHT_ARRAYS} weight arrays")
    out, total = [], 0
    for w in weights:
        if type(w) is not np.ndarray or w.dtype.kind not in "fiub" or w.ndim > 5:
            raise ModelRefused(f"{what}'s weights must be numeric numpy arrays, got "
                               f"{type(w).__name__}")
        total += w.nbytes
        if total > MAX_WEIGHT_BYTES:
            raise ModelRefused(f"{what}'s weights are larger than "
                               f"{MAX_WEIGHT_BYTES // (1024 * 1024)} MB")
        out.append(w)
    return out


def _check_training(training):
    if training is None:
        return None
    if not isinstance(training, dict):
        raise ModelRefused("the model's training record is not a dict")
    out = {}
    for key in ("epochs_run", "epochs_asked", "steps_per_epoch", "optimizer_steps"):
        value = training.get(key)
        if value is not None and (type(value) is not int or not 0 <= value < 10 ** 12):
            raise ModelRefused(f"the model's training record has a bad {key}")
        out[key] = value
    return out


def model_data_from_parts(config, weights, compile_config=None, training=None, what="the model"):
    """A vetted :class:`ModelData` from the JSON texts ``config`` and
    ``compile_config`` (or None), the weight arrays and the training record.
    Raises :class:`ModelRefused`."""
    tree = _load_json(config, f"{what}'s config")
    if not isinstance(tree, dict) or "class_name" not in tree:
        raise ModelRefused(f"{what}'s config does not describe a model")
    tree.pop("compile_config", None)
    check_config(tree, what)
    check_sizes(tree, what)
    if tree.get("class_name") not in ("Sequential", "Functional", "Model"):
        raise ModelRefused(f"{what} is a {tree.get('class_name')}, not a Keras model")
    compiled = None
    if compile_config is not None:
        compiled = _load_json(compile_config, f"{what}'s compile settings")
        if compiled == {}:
            compiled = None
        elif not isinstance(compiled, dict):
            raise ModelRefused(f"{what}'s compile settings are not a dict")
        else:
            check_config(compiled, what)
    return ModelData(tree, _check_weights(weights, what), compiled, _check_training(training))


# --------------------------------------------------------------------------
# From a live model (in a kernel) to data
# --------------------------------------------------------------------------

def is_keras_model(value):
    import sys

    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def model_parts(model):
    """``(config JSON, weights, compile JSON or None, training record)`` of a
    live Keras model, vetted. Raises :class:`ModelRefused`."""
    from keras.saving import serialize_keras_object

    try:
        tree = serialize_keras_object(model)
        config = json.dumps(tree)
    except Exception as exc:  # a custom object Keras cannot write as JSON
        raise ModelRefused(f"the model's config cannot be written as JSON data "
                           f"({type(exc).__name__}: {str(exc)[:200]}): use the built-in Keras "
                           "layers only (no Lambda, no custom layers)") from None
    compile_config = None
    try:
        if getattr(model, "compiled", False):
            compile_config = json.dumps(model.get_compile_config())
    except Exception as exc:
        raise ModelRefused(f"the model's compile settings cannot be written as JSON data "
                           f"({type(exc).__name__}: {str(exc)[:200]}): use built-in losses, "
                           "metrics and optimizers") from None
    weights = [np.array(w) for w in model.get_weights()]
    training = {"epochs_run": None, "epochs_asked": None, "steps_per_epoch": None,
                "optimizer_steps": None}
    history = getattr(model, "history", None)
    if history is not None and hasattr(history, "epoch") and hasattr(history, "params"):
        params = history.params or {}
        training["epochs_run"] = len(history.epoch)
        for key, name in (("epochs_asked", "epochs"), ("steps_per_epoch", "steps")):
            value = params.get(name)
            training[key] = int(value) if isinstance(value, (int, np.integer)) else None
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(model, "compiled", False):
        try:
            training["optimizer_steps"] = int(np.asarray(optimizer.iterations))
        except Exception:
            pass
    return config, weights, compile_config, training


def model_data(model, name="your model"):
    """``model`` (a live Keras model, or a :class:`ModelData` from the
    grader) as a vetted :class:`ModelData`; ``AssertionError`` when it is not
    a model or cannot be checked (the message names the offending layer)."""
    if isinstance(model, ModelData):
        return model
    if model is None:
        raise AssertionError(f"{name} is None: did you forget the `return` statement?")
    if not is_keras_model(model):
        _not_a_model(model, name)
    try:
        return model_data_from_parts(*model_parts(model), what=name)
    except ModelRefused as exc:
        raise AssertionError(str(exc)) from None


def _not_a_model(value, name):
    import sys

    keras = sys.modules.get("keras")
    type_name = getattr(value, "type_name", "")  # a value the grader could not read
    if (keras is not None and isinstance(value, keras.layers.Layer)) or ".layers." in type_name:
        kind = type_name.rsplit(".", 1)[-1] if type_name else type(value).__name__
        raise AssertionError(
            f"{name} is a single {kind} layer: put the layers in a model, "
            "keras.Sequential([...]) or keras.Model(inputs, outputs)")
    described = type_name or type(value).__name__
    raise AssertionError(f"{name} should be a Keras model, got {described}")


# --------------------------------------------------------------------------
# From data to a fresh model (in the grader)
# --------------------------------------------------------------------------

def rebuild_model(data, name="your model"):
    """A new Keras model built from the vetted ``data`` (a :class:`ModelData`),
    with its weights and compile settings; ``AssertionError`` when the config
    cannot be rebuilt or does not match the weights."""
    import keras
    from keras.saving import deserialize_keras_object

    try:  # again: a ModelData may have been built by hand
        check_config(data.config, name)
        check_sizes(data.config, name)
    except ModelRefused as exc:
        raise AssertionError(str(exc)) from None
    weights = _check_weights(data.weights, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = deserialize_keras_object(json.loads(json.dumps(data.config)), safe_mode=True)
        except Exception as exc:
            raise AssertionError(f"{name} cannot be rebuilt from its config "
                                 f"({type(exc).__name__}: {str(exc)[:300]})") from None
        if not isinstance(model, keras.Model):
            raise AssertionError(f"{name} should be a Keras model")
        if weights:
            have = [tuple(int(n) for n in w.shape) for w in model.weights]
            got = [tuple(int(n) for n in w.shape) for w in weights]
            if have != got:
                raise AssertionError(
                    f"{name}'s weights {got} do not match the shapes its layers have "
                    f"{have}: the grader cannot check this model")
            model.set_weights([w.astype(v.dtype) for w, v in zip(weights, model.weights)])
        if data.compile_config:
            try:
                model.compile_from_config(json.loads(json.dumps(data.compile_config)))
            except Exception as exc:
                raise AssertionError(f"{name}'s compile settings cannot be rebuilt "
                                     f"({type(exc).__name__}: {str(exc)[:300]})") from None
    return model


def check_training(data, epochs, name="your model"):
    """Assert that the model of ``data`` was trained with ``fit`` for at most
    ``epochs`` epochs in all; return the number of epochs it ran."""
    training = data.training or {}
    run = training.get("epochs_run")
    if run is None:
        raise AssertionError(
            f"{name} carries no training history: train it with model.fit(...) on the "
            "training windows, so that the grader can see how many epochs it ran")
    if run > epochs:
        raise AssertionError(f"{name} was trained for {run} epochs; the task allows at most "
                             f"epochs={epochs}")
    steps, per_epoch = training.get("optimizer_steps"), training.get("steps_per_epoch")
    if steps is not None and per_epoch and steps > epochs * per_epoch:
        raise AssertionError(
            f"{name}'s optimizer made {steps} steps, more than epochs={epochs} epochs of "
            f"{per_epoch} batches: train it with a single call of fit for at most `epochs` "
            "epochs")
    return run


# --------------------------------------------------------------------------
# Datasets
# --------------------------------------------------------------------------

def is_dataset(value):
    import sys

    tf = sys.modules.get("tensorflow")
    data = getattr(tf, "data", None) if tf is not None else None
    return data is not None and isinstance(value, data.Dataset)


def _to_numpy(element):
    if isinstance(element, tuple):
        return tuple(_to_numpy(e) for e in element)
    if isinstance(element, list):
        return [_to_numpy(e) for e in element]
    if isinstance(element, dict):
        return {str(k): _to_numpy(v) for k, v in element.items()}
    array = np.array(element)
    if array.dtype.hasobject or array.dtype.kind in "SUV":
        raise ValueError("the dataset holds values that are not numbers")
    return array


def _nbytes(element):
    if isinstance(element, (tuple, list)):
        return sum(_nbytes(e) for e in element)
    if isinstance(element, dict):
        return sum(_nbytes(e) for e in element.values())
    return int(element.nbytes)


def materialise(dataset, max_batches=None, max_bytes=None):
    """The batches of an iterable dataset as numpy arrays, as a
    :class:`DatasetData`: at most ``max_batches`` batches and ``max_bytes``
    bytes (``truncated`` says whether it held more)."""
    max_batches = MAX_BATCHES if max_batches is None else max_batches
    max_bytes = MAX_DATASET_BYTES if max_bytes is None else max_bytes
    batches, size = [], 0
    for count, element in enumerate(dataset):
        if count >= max_batches:
            return DatasetData(batches, True, f"more than {max_batches} batches")
        element = _to_numpy(element)
        size += _nbytes(element)
        if size > max_bytes:
            return DatasetData(batches, True, f"more than {max_bytes / (1024 * 1024):g} MB")
        batches.append(element)
    return DatasetData(batches)


def dataset_batches(ds, name="the dataset", case=""):
    """The batches of ``ds`` (a ``tf.data`` dataset, a :class:`DatasetData`
    from the grader, or a list of batches) as numpy arrays; ``AssertionError``
    naming the problem when it is not a dataset or never ends."""
    where = f"\n  (case: {case})" if case else ""
    if ds is None:
        raise AssertionError(f"{name} is None: did you forget the `return` statement?")
    if not isinstance(ds, DatasetData):
        if is_dataset(ds) or isinstance(ds, (list, tuple)):
            try:
                ds = materialise(ds)
            except ValueError as exc:
                raise AssertionError(f"{name} cannot be read: {exc}{where}") from None
        else:
            type_name = getattr(ds, "type_name", "") or type(ds).__name__
            raise AssertionError(f"{name} should be a dataset of (inputs, targets) batches, "
                                 f"got {type_name}{where}")
    if ds.truncated:
        raise AssertionError(f"{name} never ends, or is far too large ({ds.why}): it should hold "
                             f"each window once (no .repeat()){where}")
    return list(ds.batches)


# --------------------------------------------------------------------------
# Datasets of windows (assignment 7 and later)
# --------------------------------------------------------------------------

def read_dataset(ds, name, n_features=1, case=""):
    """Every window of a dataset of ``(inputs, targets)`` batches, for a test
    cell to compare with the windows it expects.

    ``ds`` is what :func:`dataset_batches` reads (a ``tf.data`` dataset, a
    :class:`DatasetData` from the grader, or a list of batches). Each batch
    must be a pair: ``inputs`` of shape ``(batch, window_length, n_features)``
    and ``targets`` of shape ``(batch,)`` (``(batch, 1)`` is accepted), one
    number per window. Returns ``(inputs, targets, sizes)``: the windows of
    every batch concatenated, ``(n, window_length, n_features)`` and ``(n,)``
    in float64, and the list of batch sizes (for :func:`check_batches`).

    Raises ``AssertionError`` naming the problem (a batch that is not a pair,
    inputs without their feature axis, targets that are not one number per
    window, windows of several lengths, no window at all), with ``case`` as
    the case of a hidden test.
    """
    where = f"\n  (case: {case})" if case else ""
    inputs, targets, sizes = [], [], []
    for batch in dataset_batches(ds, name, case):  # bounded: a dataset that never ends fails
        if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
            raise AssertionError(f"each element of {name} should be a batch (inputs, targets), "
                                 f"got {type(batch).__name__}: pass targets= to "
                                 f"timeseries_dataset_from_array{where}")
        x, y = (np.asarray(part, dtype=np.float64) for part in batch)
        if x.ndim == 2 and n_features == 1:
            raise AssertionError(f"the inputs of {name} have shape {x.shape}: a recurrent layer "
                                 "reads one vector per step, so they need a last axis of size 1, "
                                 f"(batch, window_length, 1){where}")
        if x.ndim != 3 or x.shape[2] != n_features:
            raise AssertionError(f"the inputs of {name} have shape {x.shape}, expected "
                                 f"(batch, window_length, {n_features}){where}")
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != (x.shape[0],):
            raise AssertionError(f"the targets of {name} have shape {y.shape}, expected one "
                                 f"number per window, ({x.shape[0]},){where}")
        inputs.append(x)
        targets.append(y)
        sizes.append(x.shape[0])
    if not inputs:
        raise AssertionError(f"{name} holds no window at all{where}")
    if len({x.shape[1] for x in inputs}) != 1:
        raise AssertionError(f"the windows of {name} do not all have the same length{where}")
    return np.concatenate(inputs), np.concatenate(targets), sizes


def check_batches(sizes, batch_size, name, case=""):
    """Assert that batches of ``sizes`` windows (as :func:`read_dataset`
    returns them) are batches of ``batch_size``, the last one possibly
    smaller, as ``batch_size=`` of ``timeseries_dataset_from_array`` gives."""
    where = f"\n  (case: {case})" if case else ""
    if any(size != batch_size for size in sizes[:-1]) or sizes[-1] > batch_size:
        raise AssertionError(f"{name} should hold batches of batch_size={batch_size} windows "
                             f"(the last one may be smaller), got batches of {sorted(set(sizes))}"
                             f"{where}")
