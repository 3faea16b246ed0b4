"""Answers that students write, right and wrong, for every graded exercise.

One module per assignment, named as the assignment (``a1_recurrent_neurons.py``
for ``solutions/a1_recurrent_neurons.py``), defines three names:

* ``WRONG``: typical mistakes, at least three per task. Each must score
  below full marks on its task and full marks on every other task. An answer
  with a ``message`` must also get that text in its task's test output (the
  failure the student reads).
* ``VALID``: correct answers written differently from the reference
  solution, at least one per task. Each must get full marks.
* ``CONSTANT``: ``{task: code}``, for every task an answer that returns fixed
  values (the ones the visible tests expect, as a student who copies them
  from the test cell would). Every task must score below full marks.

``WRONG`` and ``VALID`` are lists of :class:`Answer`, written with
:func:`answers`: ``answers(task, [(name, why, code[, message]), ...])``.
An answer is the whole content of the answer cell whose grade id is ``task``
(the cell that holds ``### BEGIN SOLUTION`` in the source); the notebook's
setup cell has already run ``import numpy as np``, ``import rnnlib`` and
``from rnnlib import grading``.

This package collects the modules into ``WRONG[assignment]``,
``VALID[assignment]`` and ``CONSTANT[assignment]``. ``tests/test_exercises.py``
submits each answer to ``nbgrader autograde`` and checks the score the
gradebook records. To add an assignment, add its module here: the tests find
everything else in ``solutions/``.
"""
from __future__ import annotations

import importlib
import pkgutil
import re

from ._answer import Answer, answers, clean

__all__ = ["Answer", "answers", "WRONG", "VALID", "CONSTANT"]

ASSIGNMENT_MODULE = re.compile(r"a(\d+)_\w+")


def _load():
    """``(WRONG, VALID, CONSTANT)``, each keyed by assignment, from the modules here."""
    names = sorted((m.name for m in pkgutil.iter_modules(__path__)
                    if ASSIGNMENT_MODULE.fullmatch(m.name)),
                   key=lambda name: int(ASSIGNMENT_MODULE.fullmatch(name)[1]))
    wrong, valid, constant = {}, {}, {}
    for name in names:
        module = importlib.import_module(f"{__name__}.{name}")
        wrong[name], valid[name] = list(module.WRONG), list(module.VALID)
        constant[name] = {task: clean(code) for task, code in module.CONSTANT.items()}
    return wrong, valid, constant


WRONG, VALID, CONSTANT = _load()
