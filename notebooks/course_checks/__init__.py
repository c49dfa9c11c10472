"""Exercises that check themselves: `ch01.ex2.check(small_rmse)` says whether an answer is right.

Each notebook's "Try it yourself" section imports its chapter (`from course_checks import
ch01`). An exercise asks for its answer in a named variable; its check prints one of:

- ``Correct: ...``      with a sentence on why;
- ``Not quite: ...``    a hint aimed at a typical mistake the check recognises;
- ``Not yet: ...``      a general nudge, when the answer is wrong in no way it knows;
- ``Not answered yet``  while the variable still holds ``...`` (the student edition's stub);
- ``Cannot check: ...`` when the answer has the wrong shape (a DataFrame for a number, ...).

``hint()`` and ``solution()`` print more on request. Checks compare with tolerances, never
with exact floats, and read DataFrames only through ``collect()``, which works in classic
mode and through Spark Connect alike (no ``sparkContext``).

How to write a check, and how the tests prove each one can fail: setup/teachers.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Exercise",
    "Mistake",
    "Unreadable",
    "Verdict",
    "as_mapping",
    "as_number",
    "as_rows",
    "as_text",
    "as_values",
    "close",
    "close_all",
]


class Unreadable(ValueError):
    """The answer has a shape the check cannot read; the message says what it expected."""


@dataclass(frozen=True)
class Verdict:
    """What a check decided: `kind` is correct, mistake, nudge, unanswered or unreadable."""

    kind: str
    text: str
    mistake: str | None = None  # the label of the recognised mistake


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer: how to recognise it, and the hint it earns.

    `code` is the wrong code itself, run after the exercise's solution by the slow test
    tests/test_exercise_checks.py: it proves that the mistake, made for real, gets this
    hint, and so that the check can fail.
    """

    label: str
    matches: Callable[[Any], bool]
    hint: str
    code: str


@dataclass
class Exercise:
    """One exercise of a notebook: its answer variable, its check, a hint and a solution."""

    chapter: str  # "01"
    number: int
    answer: str  # the variable the learner fills in
    read: Callable[[Any], Any]  # turns the answer into plain Python values, or raises Unreadable
    is_correct: Callable[[Any], bool]
    correct: str  # the sentence on why, after "Correct: "
    nudge: str  # what to look at again when no known mistake matches
    hint_text: str
    solution_text: str
    mistakes: list[Mistake] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"ch{self.chapter}.ex{self.number}"

    def verdict(self, answer: Any) -> Verdict:
        if answer is Ellipsis:
            return Verdict(
                "unanswered",
                f"Not answered yet: put your answer in `{self.answer}` (it still holds `...`), "
                f"then run this cell again. `{self.name}.hint()` gives a hint.",
            )
        try:
            value = self.read(answer)
        except Unreadable as problem:
            return Verdict("unreadable", f"Cannot check `{self.answer}`: {problem}")
        except Exception as error:  # a DataFrame whose query fails, for example
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            return Verdict(
                "unreadable",
                f"Cannot check `{self.answer}`: reading it raised "
                f"{type(error).__name__}: {first_line}",
            )
        if _holds(self.is_correct, value):
            return Verdict("correct", f"Correct: {self.correct}")
        for mistake in self.mistakes:
            if _holds(mistake.matches, value):
                return Verdict("mistake", f"Not quite: {mistake.hint}", mistake.label)
        return Verdict("nudge", f"Not yet: {self.nudge} (`{self.name}.hint()` gives a hint.)")

    def check(self, answer: Any) -> None:
        print(self.verdict(answer).text)

    def hint(self) -> None:
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        print(f"Solution: {self.solution_text}")


def _holds(test: Callable[[Any], bool], value: Any) -> bool:
    """A test that fails on a value of an unexpected shape does not hold."""
    try:
        return bool(test(value))
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return False


# Readers: each turns a learner's answer into plain values, or says what it expected.


def _a(noun: str) -> str:
    """ "a list", "an int": the article a message needs before a type's name."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _is_dataframe(answer: Any) -> bool:
    return hasattr(answer, "collect") and hasattr(answer, "columns")


def as_number(answer: Any) -> float:
    """A number: a Python or NumPy int or float (not a bool, a string or a DataFrame)."""
    if isinstance(answer, bool) or isinstance(answer, str):
        raise Unreadable(f"expected a number, got {answer!r}.")
    if _is_dataframe(answer):
        raise Unreadable(
            "expected a number, got a DataFrame. Take the value out of it, "
            "for example with `.first()[0]`."
        )
    try:
        number = float(answer)
    except (TypeError, ValueError):
        raise Unreadable(f"expected a number, got {_a(type(answer).__name__)}.") from None
    if math.isnan(number):
        raise Unreadable("it is NaN (not a number): something upstream produced no value.")
    return number


def as_text(answer: Any) -> str:
    if not isinstance(answer, str):
        raise Unreadable(f'expected a string such as "Hungry", got {_a(type(answer).__name__)}.')
    return answer.strip()


def as_values(answer: Any) -> list:
    """A list (or tuple, set, array, pandas Series) of plain values."""
    if _is_dataframe(answer) or isinstance(answer, (str, bytes, Mapping)):
        raise Unreadable(f"expected a list of values, got {_a(type(answer).__name__)}.")
    if hasattr(answer, "tolist"):
        answer = answer.tolist()
    if not isinstance(answer, Iterable):
        raise Unreadable(f"expected a list of values, got {_a(type(answer).__name__)}.")
    values = list(answer)
    return [value.item() if hasattr(value, "item") else value for value in values]


def as_mapping(answer: Any) -> dict:
    """A dict, or a pandas Series (index -> value)."""
    if hasattr(answer, "to_dict") and not _is_dataframe(answer) and not hasattr(answer, "columns"):
        answer = answer.to_dict()
    if not isinstance(answer, Mapping):
        raise Unreadable(f"expected a dict (or a pandas Series), got {_a(type(answer).__name__)}.")
    return {
        key: (value.item() if hasattr(value, "item") else value) for key, value in answer.items()
    }


def as_rows(*columns: str) -> Callable[[Any], list[tuple]]:
    """A Spark DataFrame (classic or Connect) or pandas DataFrame with these columns, as
    sorted tuples of those columns. Extra columns are fine; missing ones are not."""

    def read(answer: Any) -> list[tuple]:
        if not hasattr(answer, "columns"):
            raise Unreadable(
                f"expected a DataFrame with the columns {', '.join(columns)}; "
                f"got {_a(type(answer).__name__)}."
            )
        missing = [name for name in columns if name not in list(answer.columns)]
        if missing:
            raise Unreadable(
                f"the DataFrame has no column {', '.join(missing)} "
                f"(its columns: {', '.join(map(str, answer.columns))})."
            )
        if _is_dataframe(answer):
            rows = [
                tuple(row[name] for name in columns) for row in answer.select(*columns).collect()
            ]
        else:
            rows = [tuple(row) for row in answer[list(columns)].itertuples(index=False)]
        plain = [tuple(v.item() if hasattr(v, "item") else v for v in row) for row in rows]
        return sorted(plain, key=repr)

    return read


# Comparisons with tolerances: the same verdict on any core count, time zone and locale.


def close(value: Any, target: float, tolerance: float) -> bool:
    return isinstance(value, (int, float)) and abs(value - target) <= tolerance


def close_all(values: Any, targets: Iterable[float], tolerance: float) -> bool:
    targets = list(targets)
    try:
        values = list(values)
    except TypeError:
        return False
    return len(values) == len(targets) and all(
        close(value, target, tolerance) for value, target in zip(values, targets, strict=True)
    )
