"""The answer type shared by every assignment's module (see ``answers/__init__.py``)."""
from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent


def clean(code):
    """An answer cell's content: the code dedented, one final newline."""
    return dedent(code).strip() + "\n"


@dataclass(frozen=True)
class Answer:
    task: str  # grade id of the answer cell it replaces
    name: str  # a short slug, unique within the task
    code: str  # the answer cell's content
    why: str = ""  # what is wrong or different about it
    message: str = ""  # wrong answers: text the failure the student reads must contain

    def __post_init__(self):
        object.__setattr__(self, "code", clean(self.code))


def answers(task, entries):
    """Answers from ``(name, why, code)`` or ``(name, why, code, message)`` entries."""
    return [Answer(task, *entry[:1], entry[2], entry[1], *entry[3:]) for entry in entries]
