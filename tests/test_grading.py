"""rnnlib.grading, the helpers of the exercises' test cells, on their own.

tests/test_exercises.py checks them through nbgrader; these tests pin down
each rule directly and quickly.
"""
import sys
import threading
import types

import numpy as np
import pytest

import rnnlib
from rnnlib import grading


def own_step(x_t, y_prev, w_x, w_y, b):
    return np.tanh(x_t @ w_x + w_y * y_prev + b)


STEP_ARGS = dict(x_t=np.array([1.0, 2.0]), y_prev=0.5, w_x=np.array([0.5, 0.5]), w_y=2.0, b=-2.0)


def test_call_returns_the_result_and_restores_the_profiler():
    assert grading.call(own_step, STEP_ARGS) == pytest.approx(np.tanh(0.5))
    assert sys.getprofile() is None


def test_call_forbids_rnnlib_answers_directly_or_through_another_module():
    def delegates(x_t, y_prev, w_x, w_y, b):
        return rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)

    def through_a_layer(x_t, y_prev, w_x, w_y, b):
        return rnnlib.layer_step(x_t[None], np.array([[y_prev]]), w_x[:, None],
                                 np.array([[w_y]]), np.array([b]))[0, 0]

    with pytest.raises(AssertionError, match=r"calls rnnlib\.neuron\.neuron_step, which this task does not allow"):
        grading.call(delegates, STEP_ARGS)
    with pytest.raises(AssertionError, match=r"calls rnnlib\.layer\.layer_step"):
        grading.call(through_a_layer, STEP_ARGS)


def test_allowed_modules_and_functions_may_run_with_their_helpers():
    def delegates(x_t, y_prev, w_x, w_y, b):
        phi = rnnlib.get_activation("tanh").forward  # always allowed
        return phi(float(rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)))

    # neuron_step calls rnnlib.neuron._scalar and rnnlib._checks internally
    grading.call(delegates, STEP_ARGS, allow=["rnnlib.neuron.neuron_step"])
    grading.call(delegates, STEP_ARGS, allow=["rnnlib.neuron"])
    with pytest.raises(AssertionError, match=r"allows only rnnlib\.neuron, except rnnlib\.neuron\.neuron_step"):
        grading.call(delegates, STEP_ARGS, allow=["rnnlib.neuron"],
                     forbid=["rnnlib.neuron.neuron_step"])


def test_copied_rnnlib_code_is_still_rnnlib():
    step = rnnlib.neuron.neuron_step
    copy = types.FunctionType(step.__code__, {**step.__globals__, "__name__": "__main__"},
                              "neuron_step", step.__defaults__)
    with pytest.raises(AssertionError, match="calls rnnlib.neuron.neuron_step"):
        grading.call(copy, STEP_ARGS)


def test_a_thread_calling_rnnlib_is_caught():
    def in_a_thread(x_t, y_prev, w_x, w_y, b):
        out = []
        worker = threading.Thread(target=lambda: out.append(
            rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)))
        worker.start()
        worker.join()
        return out[0]

    with pytest.raises(AssertionError, match="calls rnnlib.neuron.neuron_step"):
        grading.call(in_a_thread, STEP_ARGS)


def test_switching_off_the_tracer_fails():
    def untraced(x_t, y_prev, w_x, w_y, b):
        sys.setprofile(None)
        return rnnlib.neuron_step(x_t, y_prev, w_x, w_y, b)

    with pytest.raises(AssertionError, match="switched off"):
        grading.call(untraced, STEP_ARGS)
    assert sys.getprofile() is None


def test_inputs_changed_in_place_fail_and_never_reach_the_caller():
    x = np.array([1.0, 2.0])

    def in_place(x_t, y_prev, w_x, w_y, b):
        x_t *= w_x
        return np.tanh(x_t.sum() + w_y * y_prev + b)

    with pytest.raises(AssertionError, match=r"changed its argument x_t \(array of shape \(2,\), dtype float64\) in place"):
        grading.call(in_place, {**STEP_ARGS, "x_t": x})
    assert x.tolist() == [1.0, 2.0]


def test_exceptions_name_the_function_and_the_shapes():
    def unwritten(x):
        raise NotImplementedError()

    def broken(x):
        return x @ np.ones((3, 3))

    with pytest.raises(AssertionError, match="unwritten is not written yet"):
        grading.call(unwritten, dict(x=np.ones(2)))
    with pytest.raises(AssertionError, match=r"(?s)broken raised ValueError: .*x: array of shape \(2,\), dtype float64"):
        grading.call(broken, dict(x=np.ones(2)))


def test_check_array_names_the_mistake():
    expected = np.arange(12.0).reshape(3, 4)
    grading.check_array(expected + 1e-9, expected)
    with pytest.raises(AssertionError, match=r"shape \(4, 3\) but expected \(3, 4\): did you transpose W_x\?"):
        grading.check_array(expected.T, expected, transpose_hint="did you transpose W_x?")
    with pytest.raises(AssertionError, match="is wrong: the bias seems to be missing"):
        grading.check_array(expected - 1, expected, mistakes=[("the bias seems to be missing", expected - 1)])
    with pytest.raises(AssertionError, match=r"output\[1, 2\] is 0, expected 6"):
        bad = expected.copy()
        bad[1, 2] = 0
        grading.check_array(bad, expected, "output", case="m=3")
    with pytest.raises(AssertionError, match="NaN"):
        grading.check_array(expected * np.nan, expected)
    with pytest.raises(AssertionError, match="forget the `return`"):
        grading.check_array(None, expected)


def test_a_number_is_not_an_array_of_one_element():
    grading.check_array(np.float64(0.5), 0.5)
    grading.check_array(np.array(0.5), 0.5)
    with pytest.raises(AssertionError, match=r"shape \(1,\) but expected \(\)"):
        grading.check_array(np.array([0.5]), 0.5)
    assert grading.check_number(np.array([0.5]), "w_y") == 0.5
    with pytest.raises(AssertionError, match="single number"):
        grading.check_number(np.ones(2), "w_y")


def test_unpack_wants_a_tuple_of_the_right_length():
    assert grading.unpack((1, 2), ("Y", "h_T")) == (1, 2)
    with pytest.raises(AssertionError, match=r"should return the tuple \(Y, h_T\), got array"):
        grading.unpack(np.ones(3), ("Y", "h_T"), "unroll_layer")
    with pytest.raises(AssertionError, match="should return 2 values"):
        grading.unpack((1, 2, 3), ("Y", "h_T"))


def test_fresh_inputs_differ_between_runs_but_a_seed_reproduces_them():
    (rng_a, seed_a), (rng_b, seed_b) = grading.fresh_rng(), grading.fresh_rng()
    assert seed_a != seed_b  # 2**-32 chance of a false failure
    assert grading.fresh_rng(seed_a)[0].normal() == rng_a.normal()
    values = grading.signed_uniform(np.random.default_rng(0), 0.3, 1.0, 1000)
    assert np.all(np.abs(values) >= 0.3) and (values < 0).any() and (values > 0).any()


def test_a_seed_repeats_the_students_random_numbers_and_reaches_every_grader():
    """``call(..., seed=)`` seeds Python's and numpy's random numbers (and
    Keras's, tested with the Keras helpers) right before the function runs,
    so a seeded training run is the same each time it is graded; a grader
    that runs the function elsewhere receives the seed."""
    import random

    from autograder import kernel_side

    def draw():
        return random.random(), float(np.random.random())

    first, again = grading.call(draw, {}, seed=7), grading.call(draw, {}, seed=7)
    assert first == again and grading.call(draw, {}, seed=8) != first
    assert grading.call(draw, {}) != grading.call(draw, {})  # no seed: nothing is reset

    class Elsewhere:  # the instructors' checker: the call is made in the kernel
        def _grading_call_(self, args, allow=(), forbid=(), name=None, seed=None):
            return seed

    assert grading.call(Elsewhere(), {}, seed=3) == 3
    # the instructors' checker puts it in its request to the kernel
    from autograder import checker, wire

    class Channel:
        payloads, rnnlib = [], None  # no rnnlib service: nothing to restrict

        def request(self, op, payload, deadline, label, callbacks=None):
            self.payloads.append(payload)
            return {"status": "ok", "value": wire.Encoder().encode(None)}

    grader = checker.Checker(Channel(), timeout=5)
    grader.deadline = float("inf")
    grading.call(checker.RemoteFunction(grader, "draw"), {}, seed=3)
    grading.call(checker.RemoteFunction(grader, "draw"), {})
    assert [(p["mode"], p["seed"]) for p in Channel.payloads] == [("grading", 3), ("grading", None)]
    # ... where kernel_side hands the seed on to the kernel's own grading.call
    request = {"mode": "grading", "allow": [], "forbid": [], "label": "draw", "seed": 7}
    assert kernel_side._run(draw, request, {}, {})[0] == first


def test_train_to_beat_retries_only_the_bar_and_says_which_runs_it_made():
    runs = []

    def train(seed):
        runs.append(seed)
        return {0: 43_145.0, 1: 40_000.0, 2: 30_000.0}[seed]

    assert grading.train_to_beat(train, 41_274) == [43_145.0, 40_000.0] and runs == [0, 1]
    runs.clear()
    assert grading.train_to_beat(train, 50_000) == [43_145.0] and runs == [0]
    runs.clear()
    assert grading.train_to_beat(train, 1_000) == [43_145.0, 40_000.0, 30_000.0]
    assert runs == list(grading.TRAINING_SEEDS)
    assert grading.runs_text([43_145.2]) == "43,145 riders"
    assert grading.runs_text([43_145, 42_010, 41_990]) == \
        "43,145, 42,010 and 41,990 riders in 3 training runs (seeds 0, 1 and 2)"

    def broken(seed):  # a failed check is not retried
        runs.append(seed)
        raise grading.CheckFailed("valid_mae is wrong")

    runs.clear()
    with pytest.raises(grading.CheckFailed, match="valid_mae is wrong"):
        grading.train_to_beat(broken, 41_274)
    assert runs == [0]


def test_autograding_reads_nbgrader_execution(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not grading.autograding()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grading.autograding()


# --------------------------------------------------------------------------
# Keras models (assignment 4)
# --------------------------------------------------------------------------

@pytest.mark.keras
def test_a_seed_repeats_a_keras_models_initial_weights():
    keras = pytest.importorskip("keras")

    def initial_weights():
        model = keras.Sequential([keras.Input(shape=(5, 2)), keras.layers.GRU(4),
                                  keras.layers.Dense(1)])
        return [w.copy() for w in model.get_weights()]

    first, again = (grading.call(initial_weights, {}, seed=5) for _ in range(2))
    other = grading.call(initial_weights, {}, seed=6)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])


@pytest.mark.keras
def test_keras_helpers_load_known_weights_whatever_the_layer_order():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    W_x, W_y, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 3)) / 3, rng.normal(size=3)
    W_o, b_o = rng.normal(size=(3, 1)), rng.normal(size=1)
    # the Dense layer is created first: weights are matched by shape, not position
    dense = keras.layers.Dense(1)
    inputs = keras.Input(shape=(None, 2))
    model = keras.Model(inputs, dense(keras.layers.SimpleRNN(3)(inputs)))
    grading.check_keras_model(model)
    assert len(grading.check_simple_rnn_layers(model, 1)) == 1
    grading.load_keras_weights(model, {"SimpleRNN(3)": [W_x, W_y, b], "Dense(1)": [W_o, b_o]})
    X = rng.normal(size=(4, 5, 2))
    expected = rnnlib.seq_to_vec(rnnlib.ProjectionCell(W_x, W_y, b, W_o, b_o), X)
    got = grading.keras_predict(model, X)
    assert got.dtype == np.float64 and np.allclose(got, expected, atol=1e-5)


@pytest.mark.keras
def test_keras_helpers_explain_what_is_wrong_with_a_model():
    keras = pytest.importorskip("keras")
    with pytest.raises(AssertionError, match="forget the `return`"):
        grading.check_keras_model(None)
    with pytest.raises(AssertionError, match="single SimpleRNN layer: put the layers in a model"):
        grading.check_keras_model(keras.layers.SimpleRNN(3))
    lstm = keras.Sequential([keras.Input((None, 2)), keras.layers.LSTM(3)])
    with pytest.raises(AssertionError, match="its recurrent layers: LSTM"):
        grading.check_simple_rnn_layers(lstm, 1)
    relu = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(3, activation="relu")])
    with pytest.raises(AssertionError, match="activation 'relu'"):
        grading.check_simple_rnn_layers(relu, 1)
    no_bias = keras.Sequential([keras.Input((None, 2)), keras.layers.SimpleRNN(3, use_bias=False)])
    with pytest.raises(AssertionError, match=r"holds the weights \[SimpleRNN \(2, 3\) \(3, 3\)\]"):
        grading.load_keras_weights(no_bias, {"SimpleRNN(3)": [np.ones((2, 3)), np.eye(3), np.ones(3)]})
    with pytest.raises(AssertionError, match=r"fails on inputs of shape \(1, 4, 5\) .*: \w+Error: .*size-incompatible"):
        grading.keras_predict(no_bias, np.ones((1, 4, 5)))
    inputs = keras.Input((None, 2))
    two_outputs = keras.Model(inputs, keras.layers.SimpleRNN(3, return_state=True)(inputs))
    with pytest.raises(AssertionError, match="returns 2 tensors; it should return one"):
        grading.keras_predict(two_outputs, np.ones((1, 4, 2)))


# --------------------------------------------------------------------------
# What a student sees: warnings as notes, one-line failures, dtypes
# --------------------------------------------------------------------------

def test_a_warning_in_the_students_function_is_a_note_on_stdout_and_fails_nothing(capsys):
    def overflows_but_right(x):
        # exp overflows to inf for large x, and 1 / (1 + inf) = 0 is the right value
        return 1.0 / (1.0 + np.exp(-x))

    x = np.array([-1000.0, 0.0])
    got = grading.call(overflows_but_right, dict(x=x))
    grading.check_array(got, [0.0, 0.5], "the sigmoid")
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        "note: your function warned: RuntimeWarning: overflow encountered in exp")
    assert captured.err == ""


def test_a_student_turning_warnings_into_errors_cannot_fail_a_correct_function(capsys):
    import warnings

    def divides_then_masks(a, b):
        ratio = np.abs(a - b) / (np.abs(a) + np.abs(b))  # 0 / 0 where both are 0
        return np.where(np.abs(a) + np.abs(b) == 0, 0.0, ratio)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as a notebook could have set
        got = grading.call(divides_then_masks, dict(a=np.array([0.0, 1.0]), b=np.array([0.0, 3.0])))
    grading.check_array(got, [0.0, 0.5])
    assert "RuntimeWarning: invalid value encountered in divide" in capsys.readouterr().out


def test_importing_grading_shows_other_warnings_on_stdout(capsys):
    import warnings

    # the module routes warnings to stdout at import: nbgrader fails a cell with stderr
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = grading._warning_note
        warnings.warn("a deprecated argument", DeprecationWarning)
    captured = capsys.readouterr()
    assert "note: warning: DeprecationWarning: a deprecated argument" in captured.out
    assert captured.err == ""


def test_the_checks_themselves_warn_about_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for got in (np.array([1 + 2j, 3]), [np.ones(2), np.ones(3)], np.array([np.inf, 1.0])):
            with pytest.raises(grading.CheckFailed):
                grading.check_array(got, [1.0, 3.0])
        # mistake predicates that divide by zero are evaluated quietly
        with pytest.raises(grading.CheckFailed, match="wrong values"):
            grading.check_array(np.array([2.0, 0.0]), [1.0, 3.0],
                                mistakes=[("never", lambda got: np.all(got / 0.0 > 1))])


def test_a_failed_check_renders_as_one_line_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        result = shell.run_cell(
            "from rnnlib import grading\n"
            "import numpy as np\n"
            "grading.check_array(np.array([1.0, 2.0]), [1.0, 3.0], 'y', case='n=2, seed=7')\n")
    finally:
        InteractiveShell.clear_instance()
    error = result.error_in_exec
    assert isinstance(error, grading.CheckFailed) and isinstance(error, AssertionError)
    lines = error._render_traceback_()
    assert len(lines) == 1
    assert lines[0].startswith("CheckFailed: y has the right shape (2,) but wrong values: y[1] is 2")
    assert lines[0].endswith("(case: n=2, seed=7)")
    assert "grading.py" not in lines[0]


def test_an_error_in_the_students_code_shows_the_students_line_not_the_graders():
    def broken(x):
        y = x * 2
        return y @ np.ones((3, 3))  # the line the student must see

    with pytest.raises(grading.StudentCodeFailed) as info:
        grading.call(broken, dict(x=np.ones(2, dtype=np.float32)))
    lines = info.value._render_traceback_()
    text = "\n".join(lines)
    assert "return y @ np.ones((3, 3))  # the line the student must see" in text
    assert "in broken" in text
    assert "rnnlib/grading.py" not in text and "result = func(" not in text
    assert lines[-1].startswith("StudentCodeFailed: broken raised ValueError: matmul")
    assert "the shapes do not fit a matrix product" in lines[-1]
    assert "x: array of shape (2,), dtype float32" in lines[-1]


def test_messages_give_the_dtype_of_arguments_and_results():
    def in_place(x):
        x += 1
        return x

    with pytest.raises(grading.CheckFailed, match=r"changed its argument x \(array of shape \(3,\), dtype int64\) in place"):
        grading.call(in_place, dict(x=np.arange(3)))
    with pytest.raises(grading.CheckFailed, match=r"got array of shape \(2,\), dtype float32"):
        grading.check_number(np.ones(2, dtype=np.float32), "the loss")
    with pytest.raises(grading.CheckFailed, match=r"should be a numpy array of floats, got list of length 2"):
        grading.check_float_array([1.0, 2.0], "y_hat")
    with pytest.raises(grading.CheckFailed, match=r"got array of shape \(2,\), dtype int64: an array of int64 cannot hold NaN"):
        grading.check_float_array(np.arange(2), "y_hat")
    assert grading.check_float_array(np.ones(2, dtype=np.float32), "y_hat").dtype == np.float32


def test_wrong_values_are_printed_with_enough_digits_to_differ():
    with pytest.raises(grading.CheckFailed) as info:
        grading.check_array(np.array([3.0, 1.0000001234]), [3.0, 1.0000001237], "db",
                            atol=1e-12, rtol=1e-12)
    message = str(info.value)
    assert "db[1] is 1.000000123, expected 1.000000124" in message
    assert "a relative error of 3e-10" in message


def test_generic_diagnoses_name_the_mistake_when_no_named_one_matches():
    expected = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    cases = {
        "every value has the wrong sign": -expected,
        "every value is 0.5 times the expected one": expected / 2,
        "off by the same constant, 0.3": expected + 0.3,
        "shifted by one position along axis 1": np.c_[np.zeros(2), expected[:, :2]],
        "every value is 0": np.zeros_like(expected),
    }
    for words, got in cases.items():
        with pytest.raises(grading.CheckFailed, match=words):
            grading.check_array(got, expected)
    # a single number is never said to be off by a factor: any two numbers are
    with pytest.raises(grading.CheckFailed, match="wrong values"):
        grading.check_array(2.0, 3.0)


def test_same_mistake_needs_the_mistake_on_the_second_case_too():
    second = dict(x_t=np.array([0.3, -0.4]), y_prev=-0.6, w_x=np.array([0.7, 0.2]), w_y=0.9, b=0.25)

    def no_recurrence(x_t, y_prev, w_x, w_y, b):
        return np.tanh(x_t @ w_x + b)

    def no_tanh(x_t, y_prev, w_x, w_y, b):
        return x_t @ w_x + w_y * y_prev + b

    wrong = np.tanh(second["x_t"] @ second["w_x"] + second["b"])
    assert grading.same_mistake(no_recurrence, second, wrong)
    assert not grading.same_mistake(no_tanh, second, wrong)
    assert not grading.same_mistake(lambda *args: 1 / 0, second, wrong)


def test_a_pandas_series_changed_in_place_fails():
    pd = pytest.importorskip("pandas")
    series = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3))

    def fills_in_place(series):
        series.iloc[0] = 0.0
        return float(series.mean())

    with pytest.raises(grading.CheckFailed, match=r"changed its argument series \(Series of shape \(3,\), dtype float64\) in place"):
        grading.call(fills_in_place, dict(series=series))
    assert series.iloc[0] == 1.0
    assert grading.call(lambda series: float(series.shift(1).mean()), dict(series=series)) == 1.5
