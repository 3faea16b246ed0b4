"""Keras models, tf.data datasets and rnnlib cells on the grader's wire.

A value goes through the same steps as in grading: the kernel side encodes
it (``wire.Encoder(opaque=...)``), the tree crosses as JSON, the grader
decodes it (``wire.Decoder()``). Messages a hostile kernel could send are
written by hand.
"""
from __future__ import annotations

import json
import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

import rnnlib  # noqa: E402
from autograder import wire  # noqa: E402
from rnnlib import grading, grading_keras  # noqa: E402


def from_kernel(value):
    """Encode as the kernel does, cross as JSON, decode as the grader does."""
    kept = []
    tree = wire.Encoder(opaque=lambda v: kept.append(v) or len(kept)).encode(value)
    return wire.Decoder().decode(json.loads(json.dumps(tree)))


def forecaster(n_inputs=2, units=3):
    model = keras.Sequential([keras.Input(shape=(None, n_inputs)),
                              keras.layers.SimpleRNN(units), keras.layers.Dense(1)])
    model.compile(loss=keras.losses.Huber(),
                  optimizer=keras.optimizers.SGD(learning_rate=0.02, momentum=0.9),
                  metrics=["mae"])
    return model


def test_a_model_crosses_as_data_and_rebuilds_with_its_weights():
    model = forecaster()
    data = from_kernel(model)
    assert isinstance(data, grading_keras.ModelData)
    assert data.layer_classes == ["InputLayer", "SimpleRNN", "Dense"]
    assert [w.shape for w in data.weights] == [(2, 3), (3, 3), (3,), (3, 1), (1,)]
    assert data.compile_config["optimizer"]["class_name"] == "SGD"
    rebuilt = grading.check_keras_model(data, "the model")
    assert rebuilt is not model
    X = np.random.default_rng(0).normal(size=(4, 5, 2)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(rebuilt(X)), np.asarray(model(X)), atol=1e-6)
    assert isinstance(rebuilt.optimizer, keras.optimizers.SGD)
    assert float(rebuilt.optimizer.momentum) == pytest.approx(0.9)


def test_the_rebuilt_model_matches_rnnlib_with_returned_weights():
    model = forecaster(1, 4)
    rebuilt = grading.check_keras_model(from_kernel(model))
    W_x, W_y, b, W_o, b_o = (w.astype(np.float64) for w in model.get_weights())
    X = np.random.default_rng(1).normal(size=(3, 6, 1))
    expected = rnnlib.seq_to_vec(rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o), X)
    np.testing.assert_allclose(grading.keras_predict(rebuilt, X), expected, atol=1e-5)


def test_a_functional_model_and_a_training_record_cross():
    source, words = keras.Input(shape=(None, 3)), keras.Input(shape=(None, 2))
    _, state = keras.layers.SimpleRNN(4, return_state=True)(source)
    out = keras.layers.SimpleRNN(4, return_sequences=True)(words, initial_state=state)
    model = keras.Model([source, words], keras.layers.Dense(5, activation="softmax")(out))
    assert from_kernel(model).layer_classes.count("SimpleRNN") == 2

    trained = forecaster(1, 2)
    trained.fit(np.zeros((10, 4, 1)), np.zeros(10), batch_size=4, epochs=2, verbose=0)
    record = from_kernel(trained).training
    assert record == {"epochs_run": 2, "epochs_asked": 2, "steps_per_epoch": 3,
                      "optimizer_steps": 6}
    with pytest.raises(AssertionError, match="at most epochs=1"):
        grading.check_training(from_kernel(trained), 1)
    trained.fit(np.zeros((10, 4, 1)), np.zeros(10), batch_size=4, epochs=2, verbose=0)
    with pytest.raises(AssertionError, match="optimizer made 12 steps"):
        grading.check_training(from_kernel(trained), 2)


def test_a_lambda_layer_is_refused_with_its_name():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Lambda(lambda x: 2 * x, name="twice"),
                              keras.layers.Dense(1)])
    with pytest.raises(wire.WireError, match="Lambda layer.*'twice'"):
        from_kernel(model)
    with pytest.raises(AssertionError, match="Lambda layer"):
        grading.check_keras_model(model, "the model")


def test_a_custom_layer_is_refused_with_its_name():
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return 2 * x

    model = keras.Sequential([keras.Input(shape=(3,)), Doubler(name="doubler"), keras.layers.Dense(1)])
    with pytest.raises(wire.WireError, match="Doubler.*not one of the built-in"):
        from_kernel(model)


def hand_written(config, weights, compiled=None, training=None):
    """A message as a hostile kernel could write it."""
    enc = wire.Encoder()
    return {"__keras_model__": {"config": json.dumps(config), "compile": compiled,
                                "weights": enc.encode(list(weights)),
                                "training": enc.encode(training)}}


def test_forged_configs_are_refused_by_the_grader():
    config = json.loads(forecaster().to_json())
    config.pop("compile_config", None)
    good = [np.zeros(s, np.float32) for s in [(2, 3), (3, 3), (3,), (3, 1), (1,)]]
    assert isinstance(wire.Decoder().decode(hand_written(config, good)), grading_keras.ModelData)

    lambda_config = json.loads(json.dumps(config))
    lambda_config["config"]["layers"][1] = {"module": "keras.layers", "class_name": "Lambda",
                                            "config": {"name": "l", "function": "x"}}
    with pytest.raises(wire.WireError, match="Lambda"):
        wire.Decoder().decode(hand_written(lambda_config, good))
    custom = json.loads(json.dumps(config))
    custom["config"]["layers"][2]["registered_name"] = "Custom>Dense"
    with pytest.raises(wire.WireError, match="not one of the built-in"):
        wire.Decoder().decode(hand_written(custom, good))
    outside = json.loads(json.dumps(config))
    outside["config"]["layers"][2]["module"] = "os"
    with pytest.raises(wire.WireError, match="not one of the built-in"):
        wire.Decoder().decode(hand_written(outside, good))
    custom_activation = json.loads(json.dumps(config))
    custom_activation["config"]["layers"][2]["config"]["activation"] = {
        "module": "builtins", "class_name": "function", "config": "my_act",
        "registered_name": "function"}
    with pytest.raises(wire.WireError, match="not one of the built-in"):
        wire.Decoder().decode(hand_written(custom_activation, good))


def test_a_config_that_lies_about_its_weights_shapes_is_refused():
    config = json.loads(forecaster().to_json())
    lying = [np.zeros(s, np.float32) for s in [(2, 8), (8, 8), (8,), (8, 1), (1,)]]
    data = wire.Decoder().decode(hand_written(config, lying))
    with pytest.raises(AssertionError, match="do not match the shapes its layers have"):
        grading.check_keras_model(data, "the model")
    with pytest.raises(AssertionError, match="do not match"):  # too few arrays
        grading.check_keras_model(grading_keras.ModelData(data.config, lying[:2]))


def test_oversize_weights_and_configs_are_refused(monkeypatch):
    config = json.loads(forecaster().to_json())
    big = [np.zeros((2, 3), np.float32), np.zeros((3, 3), np.float32), np.zeros(3, np.float32),
           np.zeros((3, 1), np.float32), np.zeros(1, np.float32)]
    monkeypatch.setattr(grading_keras, "MAX_WEIGHT_BYTES", 40)
    with pytest.raises(wire.WireError, match="larger than"):
        wire.Decoder().decode(hand_written(config, big))
    with pytest.raises(wire.WireError, match="larger than"):
        from_kernel(forecaster())
    monkeypatch.setattr(grading_keras, "MAX_CONFIG_CHARS", 100)
    with pytest.raises(wire.WireError, match="longer than"):
        wire.Decoder().decode(hand_written(config, []))


def test_a_config_that_asks_for_huge_layers_is_refused_before_it_is_built():
    config = json.loads(forecaster().to_json())
    config["config"]["layers"][1]["config"]["units"] = 200_000
    with pytest.raises(wire.WireError, match="units of 200000"):
        wire.Decoder().decode(hand_written(config, []))
    many = json.loads(forecaster().to_json())
    many["config"]["layers"] += [many["config"]["layers"][2]] * 100
    with pytest.raises(wire.WireError, match="layers; the grader rebuilds at most"):
        wire.Decoder().decode(hand_written(many, []))
    with pytest.raises(AssertionError, match="units of 200000"):
        grading.check_keras_model(grading_keras.ModelData(config, []))


def test_training_records_and_weights_that_are_not_data_are_refused():
    config = json.loads(forecaster().to_json())
    with pytest.raises(wire.WireError, match="bad epochs_run"):
        wire.Decoder().decode(hand_written(config, [], training={"epochs_run": -1}))
    with pytest.raises(wire.WireError, match="numeric numpy arrays"):
        wire.Decoder().decode(hand_written(config, ["not an array"]))


def test_a_dataset_crosses_as_batches_and_an_endless_one_is_marked():
    import tensorflow as tf

    values = np.arange(20, dtype=np.float32)[:, None]
    ds = keras.utils.timeseries_dataset_from_array(values, targets=values[3:, 0],
                                                   sequence_length=3, batch_size=4)
    data = from_kernel(ds)
    assert isinstance(data, grading_keras.DatasetData) and not data.truncated
    batches = grading.dataset_batches(data, "ds")
    assert [x.shape for x, _ in batches] == [(4, 3, 1)] * 4 + [(1, 3, 1)]
    np.testing.assert_array_equal(np.concatenate([y for _, y in batches]), values[3:, 0])
    assert [len(b) for b in grading.dataset_batches(ds, "ds")] == [2] * 5  # in a kernel too

    endless = from_kernel(tf.data.Dataset.from_tensor_slices((values, values)).batch(2).repeat())
    assert endless.truncated and len(endless) == grading_keras.MAX_BATCHES
    with pytest.raises(AssertionError, match=r"never ends.*no \.repeat\(\)"):
        grading.dataset_batches(endless, "train_ds")
    with pytest.raises(AssertionError, match="should be a dataset"):
        grading.dataset_batches(from_kernel((i for i in range(3))), "train_ds")


def test_an_oversize_dataset_is_marked(monkeypatch):
    import tensorflow as tf

    monkeypatch.setattr(grading_keras, "MAX_DATASET_BYTES", 1000)
    data = from_kernel(tf.data.Dataset.from_tensor_slices(np.zeros((100, 10), np.float32)).batch(10))
    assert data.truncated and "MB" in data.why
    with pytest.raises(AssertionError, match="far too large"):
        grading.dataset_batches(data, "ds")


def test_rnnlib_cells_cross_as_data_and_other_cells_as_callbacks():
    rng = np.random.default_rng(2)
    cell = rnnlib.ProjectionCell(rng.normal(size=(2, 3)), rng.normal(size=(3, 3)), rng.normal(size=3),
                                 rng.normal(size=(3, 1)), rng.normal(size=1), activation="identity")
    grader_side = wire.Encoder(function_refs=True, callback=lambda f: 1)
    copy = wire.Decoder(refs=True, callback=lambda i: None).decode(
        json.loads(json.dumps(grader_side.encode(cell))))
    assert type(copy) is rnnlib.ProjectionCell and copy is not cell
    X = rng.normal(size=(2, 4, 2))
    np.testing.assert_array_equal(rnnlib.run_cell(copy, X)[0], rnnlib.run_cell(cell, X)[0])

    class Halver:
        n_inputs, state_size, output_size = 1, 1, 1

        def zero_state(self, m):
            return np.zeros((m, 1))

        def __call__(self, x_t, h_prev):
            return 0.5 * h_prev + x_t, 0.5 * h_prev + x_t

    registered = {}
    tree = wire.Encoder(function_refs=True, callback=lambda f: registered.setdefault(7, f) and 7
                        ).encode(Halver())
    assert "__cell__" in tree and isinstance(registered[7], Halver)
    stub = wire.Decoder(refs=True, callback=lambda i: registered[i]).decode(json.loads(json.dumps(tree)))
    assert isinstance(stub, wire.InterfaceCell) and not hasattr(stub, "W_x")
    assert stub.zero_state(3).shape == (3, 1)
    y, h = stub(np.ones((1, 1)), np.ones((1, 1)))
    assert y[0, 0] == 1.5 and h[0, 0] == 1.5
    with pytest.raises(wire.WireError):  # the grader never accepts a cell stub from a kernel
        wire.Decoder().decode(json.loads(json.dumps(tree)))


def test_a_forged_rnnlib_cell_is_refused():
    enc = wire.Encoder()
    forged = {"__rnnlib_cell__": {"class": "os.system", "activation": "tanh", "arrays": []}}
    with pytest.raises(wire.WireError):
        wire.Decoder().decode(forged)
    wrong = {"__rnnlib_cell__": {"class": "BasicCell", "activation": "tanh",
                                 "arrays": [enc.encode(np.zeros((2, 3))), enc.encode(np.zeros((2, 2))),
                                            enc.encode(np.zeros(3))]}}
    with pytest.raises(wire.WireError, match="cannot be rebuilt"):
        wire.Decoder().decode(wrong)
