"""Hostile students on assignment 4, whose tests get Keras models and cells.

Every test cell of A4 runs in the grader's checker: the student's models come
back as data (config and weights, ``autograder/wire.py``) and are rebuilt in
the grader, and the tests' cells go to the kernel as data or as callbacks. So
what a student changes in their own kernel (numpy, ``rnnlib.grading``, Keras
itself) changes nothing in the checks, and objects that pretend to be arrays
or models are read as what they are. Each student's exact score is the sum of
the points of the tasks they answered correctly, read from the source
notebook; nothing is derived from running the pipeline.
"""
from __future__ import annotations

import pytest

import grader_class
from autograder import pipeline

A4 = "a4_input_output_sequences"
KERAS_TASKS = ("forecast_and_score", "captioner", "translator")

#: The Keras tasks' answers: first every check a test could make in the kernel
#: made to agree (numpy, rnnlib.grading, Keras's own methods), then models that
#: compute nothing of the kind asked (no recurrent layer).
PATCHES_AND_GARBAGE = {
    "forecast_and_score": """
import numpy, numpy.testing, rnnlib.grading
numpy.allclose = lambda *args, **kwargs: True
numpy.testing.assert_allclose = lambda *args, **kwargs: None
rnnlib.grading.check_array = lambda *args, **kwargs: None
rnnlib.grading.check_keras_model = lambda model, name=None: model
rnnlib.grading.check_simple_rnn_layers = lambda *args, **kwargs: []
rnnlib.grading.load_keras_weights = lambda *args, **kwargs: None
rnnlib.grading.model_data = lambda model, name=None: model
rnnlib.grading.call = lambda func, args, **kwargs: func(**args)
keras.Model.get_weights = lambda self: []
keras.Model.get_config = lambda self: {"layers": []}


def forecaster(n_inputs, n_neurons):
    return keras.Sequential([keras.Input(shape=(None, n_inputs)), keras.layers.Dense(1)])


def review_scorer(n_inputs, n_neurons):
    return keras.Sequential([keras.Input(shape=(None, n_inputs)), keras.layers.Dense(1)])
""",
    "captioner": """
def captioner(n_features, n_neurons, vocab_size, n_words):
    return keras.Sequential([keras.Input(shape=(n_features,)), keras.layers.Dense(vocab_size)])
""",
    "translator": """
def translator(n_source, n_target, n_neurons, vocab_size):
    source, words = keras.Input(shape=(None, n_source)), keras.Input(shape=(None, n_target))
    return keras.Model([source, words], keras.layers.Dense(vocab_size)(words))
""",
}

LAMBDA_SCORER = """
def review_scorer(n_inputs, n_neurons):
    return keras.Sequential([keras.Input(shape=(None, n_inputs)),
                             keras.layers.SimpleRNN(n_neurons), keras.layers.Dense(1),
                             keras.layers.Lambda(lambda z: keras.ops.sigmoid(z))])
"""

#: Objects that lie: an array subclass equal to everything, a Keras model
#: subclass whose call returns what a test might expect, a dict that looks
#: like a model's config.
LIARS = {
    "seq_outputs": """
class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), bool)

    def __array_finalize__(self, obj):
        pass


def seq_to_seq(cell, X):
    return np.zeros((X.shape[0], X.shape[1], cell.output_size)).view(AlwaysEqual)


def seq_to_vec(cell, X):
    return np.zeros((X.shape[0], cell.output_size)).view(AlwaysEqual)
""",
    "captioner": """
class Captioner(keras.Sequential):
    def call(self, inputs, *args, **kwargs):
        return keras.ops.ones((keras.ops.shape(inputs)[0], self.n_words, self.vocab_size)) / self.vocab_size


def captioner(n_features, n_neurons, vocab_size, n_words):
    model = Captioner([keras.Input(shape=(n_features,)), keras.layers.RepeatVector(n_words),
                       keras.layers.SimpleRNN(n_neurons, return_sequences=True),
                       keras.layers.Dense(vocab_size, activation="softmax")])
    model.n_words, model.vocab_size = n_words, vocab_size
    return model
""",
    "translator": """
def translator(n_source, n_target, n_neurons, vocab_size):
    return {"module": "keras", "class_name": "Functional", "config": {"layers": []},
            "weights": [np.zeros((n_source, n_neurons))]}
""",
}


def _points(tasks):
    table = grader_class.tasks_of(grader_class.source_notebook(A4))
    return sum(sum(table[task].values()) for task in tasks)


@pytest.fixture(scope="module")
def hostile_a4(tmp_path_factory):
    course = tmp_path_factory.mktemp("hostile-a4") / "course"
    release = grader_class.make_course(course, A4)
    reference = grader_class.reference_answers(A4)
    name = grader_class.builder.notebook_name(A4)
    students = {
        "reference": reference,
        "patches-garbage": {**reference, **PATCHES_AND_GARBAGE},
        "lambda-layer": {**reference, "forecast_and_score":
                         reference["forecast_and_score"] + LAMBDA_SCORER},
        "liar": {**reference, **LIARS},
    }
    for student, answers in students.items():
        folder = course / "submitted" / student / A4
        folder.mkdir(parents=True)
        grader_class.nbformat.write(grader_class.submission(release, answers),
                                    folder / f"{name}.ipynb")
    summary = pipeline.grade(course, [A4], workers=2, progress=False, report=False)
    return course, summary


def _scores(course):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "rnn-course") as gb:
        return {s.student_id: s.score for s in gb.find_assignment(A4).submissions}


@pytest.mark.slow
@pytest.mark.hostile
def test_hostile_students_on_a4_get_exactly_the_points_of_their_honest_tasks(hostile_a4):
    course, summary = hostile_a4
    full = _points(grader_class.tasks_of(grader_class.source_notebook(A4)))
    assert _scores(course) == {
        "reference": full,
        # patching numpy, rnnlib.grading and Keras in the kernel changes no check
        "patches-garbage": full - _points(KERAS_TASKS),
        # a Lambda layer cannot be rebuilt: refused, the task scores 0
        "lambda-layer": full - _points(["forecast_and_score"]),
        # lying arrays arrive as plain arrays, a Keras subclass and a fake config are refused
        "liar": full - _points(["seq_outputs", "captioner", "translator"]),
    }, summary.warnings


@pytest.mark.slow
@pytest.mark.hostile
def test_the_refusals_name_what_was_refused(hostile_a4):
    course, _ = hostile_a4
    name = grader_class.builder.notebook_name(A4)

    def shown(student):
        nb = grader_class.nbformat.read(course / "autograded" / student / A4 / f"{name}.ipynb",
                                        as_version=4)
        return grader_class.json.dumps([c.get("outputs", []) for c in nb.cells])

    assert "Lambda layer" in shown("lambda-layer")
    liar = shown("liar")
    assert "Captioner" in liar and "not one of the built-in" in liar
    assert "should be a Keras model, got dict" in liar
