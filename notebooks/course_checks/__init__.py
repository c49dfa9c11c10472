"""Exercises that check themselves: `ch01.ex2.check(small_rmse)` says whether an answer is right.

Each notebook's "Try it yourself" section imports its chapter (`from course_checks import
ch01`). An exercise asks for its answer in a named variable; its check prints one of:

- ``Correct: ...``      with a sentence on why;
- ``Not quite: ...``    a hint aimed at a typical mistake the check recognises;
- ``Not yet: ...``      a general nudge, when the answer is wrong in no way it knows;
- ``Not answered yet``  while the variable still holds ``...`` (the student edition's stub);
- ``Cannot check: ...`` when the answer has the wrong shape (a DataFrame for a number, ...);
- ``Your last attempt failed: ...`` when the latest cell that sets the answer raised an
  error: the variable may still hold an older value (the folded solution's, after Run
  All), and a check must not praise an answer the learner's attempt did not produce.

``hint()`` and ``solution()`` print more on request. Checks judge the answer, not its last
digit: a number is right when it is the answer as the notebook prints it, or rounded
coarser down to the precision the exercise accepts (`as_printed`); every exercise lists
such answers in ``right_answers`` and a test proves each one is Correct. A hint for a
mistake fires only when the answer cannot also be the right one. Checks read DataFrames
only through ``collect()``, which works in classic mode and through Spark Connect alike
(no ``sparkContext``).

How to write a check, and how the tests prove each one can fail: docs/maintaining.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Exercise",
    "as_count",
    "as_printed",
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

    `code` is the wrong code itself, run after the exercise's solution by `make
    test-notebooks` (tests/notebooks_with_mistakes.py): it proves that the mistake, made for
    real, gets this hint, and so that the check can fail.
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
    # The right answer as a learner may type it from the printed output (14.558, 14.56):
    # each must be Correct, which tests/test_exercises.py proves.
    right_answers: list[Any] = field(default_factory=list)

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
        failed = _failed_attempt(self.answer)
        if failed is not None:
            print(
                f"Your last attempt failed: the cell that sets `{self.answer}` raised "
                f"{failed}. `{self.answer}` may still hold an older value, so there is "
                "nothing to check yet: fix that cell, run it again, then run this check."
            )
            return
        print(self.verdict(answer).text)

    def hint(self) -> None:
        print(f"Hint: {self.hint_text}")

    def solution(self) -> None:
        print(f"Solution: {self.solution_text}")


# The cells run so far in this IPython session, as (source, error or None): the checks
# ask which cell last set an answer and whether it failed. Filled by a post_run_cell hook
# registered when this package is first imported inside IPython.
_RUN_CELLS: list[tuple[str, str | None]] = []


def _remember_cell(result: Any) -> None:
    error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec", None)
    source = getattr(getattr(result, "info", None), "raw_cell", None) or ""
    _RUN_CELLS.append((source, None if error is None else type(error).__name__))
    del _RUN_CELLS[:-200]  # only the recent past matters


def _sets(source: str, name: str) -> bool:
    """Whether a cell's source assigns `name` (`name = ...`, `name += ...`, `name: T = ...`)."""
    pattern = rf"^[ \t]*{re.escape(name)}[ \t]*(?::[^=\n]*)?(?:[-+*/%@&|^]|//|\*\*)?=(?!=)"
    return re.search(pattern, source, re.MULTILINE) is not None


def _failed_attempt(name: str) -> str | None:
    """The error's type name when the latest cell that sets `name` failed, else None."""
    for source, error in reversed(_RUN_CELLS):
        if _sets(source, name):
            return error
    return None


def _register_cell_hook() -> None:
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    callbacks = shell.events.callbacks["post_run_cell"]
    if not any(getattr(cb, "__qualname__", "") == _remember_cell.__qualname__ for cb in callbacks):
        shell.events.register("post_run_cell", _remember_cell)


_register_cell_hook()


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


def _is_column(answer: Any) -> bool:
    """A Spark Column (classic or Connect): an expression, not a value."""
    return type(answer).__name__ == "Column" and type(answer).__module__.startswith("pyspark")


COLUMN_GIVEN = (
    "got a Spark Column: an expression such as `F.col(...)` or `F.avg(...)`, which holds no "
    "value until a DataFrame computes it. Compute it, for example "
    "`df.select(expression).first()[0]`."
)


def as_number(answer: Any) -> float:
    """A number: a Python or NumPy int or float (not a bool, a string or a DataFrame)."""
    if isinstance(answer, bool) or isinstance(answer, str):
        raise Unreadable(f"expected a number, got {answer!r}.")
    if _is_column(answer):
        raise Unreadable(f"expected a number, {COLUMN_GIVEN}")
    if _is_dataframe(answer):
        raise Unreadable(
            "expected a number, got a DataFrame. Take the value out of it, "
            "for example with `.first()[0]`."
        )
    if isinstance(answer, (set, frozenset, list, tuple, dict)):
        raise Unreadable(f"expected a number, got {_a(type(answer).__name__)}.")
    try:
        number = float(answer)
    except (TypeError, ValueError):
        raise Unreadable(f"expected a number, got {_a(type(answer).__name__)}.") from None
    if math.isnan(number):
        raise Unreadable("it is NaN (not a number): something upstream produced no value.")
    return number


def as_count(answer: Any) -> int:
    """A whole number (a count of rows, leaves, ...): 1796 or 1796.0, never 1796.9."""
    if _is_dataframe(answer):
        raise Unreadable(
            "expected a whole number, got a DataFrame: count its rows with `.count()`."
        )
    try:
        number = as_number(answer)
    except Unreadable as problem:
        raise Unreadable(
            str(problem).replace("expected a number", "expected a whole number")
        ) from None
    if not number.is_integer():
        raise Unreadable(f"expected a whole number (a count), got {answer!r}.")
    return int(number)


def as_text(answer: Any) -> str:
    if not isinstance(answer, str):
        raise Unreadable(f'expected a string such as "Hungry", got {_a(type(answer).__name__)}.')
    return answer.strip()


def as_values(answer: Any, ordered: bool = True) -> list:
    """A list (or tuple, array, pandas Series) of plain values, in its order.

    With ``ordered=False`` a set is fine too, and the values come back sorted; where the
    order is part of the answer a set is refused, since it has none.
    """
    if _is_column(answer):
        raise Unreadable(f"expected a list of values, {COLUMN_GIVEN}")
    if _is_dataframe(answer) or isinstance(answer, (str, bytes, Mapping)):
        raise Unreadable(f"expected a list of values, got {_a(type(answer).__name__)}.")
    if isinstance(answer, (set, frozenset)):
        if ordered:
            raise Unreadable(
                "expected a list, got a set: a set has no order, and this answer's order "
                "matters. Use square brackets: [a, b, ...]."
            )
        answer = sorted(answer, key=repr)
    if hasattr(answer, "tolist"):
        answer = answer.tolist()
    if not isinstance(answer, Iterable):
        raise Unreadable(f"expected a list of values, got {_a(type(answer).__name__)}.")
    values = list(answer)
    values = [value.item() if hasattr(value, "item") else value for value in values]
    return sorted(values, key=repr) if not ordered else values


def as_mapping(
    answer: Any,
    keys: Callable[[Any], Any] | None = None,
    values: Callable[[Any], Any] | None = None,
) -> dict:
    """A dict, or a pandas Series (index -> value).

    `keys` and `values` are readers (`as_count`, `as_number`, `as_text`, ...) applied to
    every key and value, so that `{5.9: ...}` is refused where whole numbers are keys.
    """
    if _is_column(answer):
        raise Unreadable(f"expected a dict, {COLUMN_GIVEN}")
    if hasattr(answer, "to_dict") and not _is_dataframe(answer) and not hasattr(answer, "columns"):
        answer = answer.to_dict()
    if not isinstance(answer, Mapping):
        raise Unreadable(f"expected a dict (or a pandas Series), got {_a(type(answer).__name__)}.")
    plain = {}
    for key, value in answer.items():
        key = key.item() if hasattr(key, "item") else key
        value = value.item() if hasattr(value, "item") else value
        try:
            key = keys(key) if keys else key
        except Unreadable as problem:
            raise Unreadable(f"the key {key!r}: {problem}") from None
        try:
            value = values(value) if values else value
        except Unreadable as problem:
            raise Unreadable(f"the value of {key!r}: {problem}") from None
        plain[key] = value
    return plain


def as_rows(*columns: str) -> Callable[[Any], list[tuple]]:
    """A Spark DataFrame (classic or Connect) or pandas DataFrame with these columns, as
    sorted tuples of those columns. Extra columns are fine; missing ones are not."""

    def read(answer: Any) -> list[tuple]:
        if _is_column(answer):
            raise Unreadable(
                f"expected a DataFrame with the columns {', '.join(columns)}; {COLUMN_GIVEN}"
            )
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
# A tolerance is decided on printed precision with a margin, so float noise at its edge
# (10.518 - 10.52 is 0.0019999..., 14.558 - 14.56 is 0.0020000...7) never flips a verdict.
_NOISE = 1e-9


def close(value: Any, target: float, tolerance: float) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value - target) <= tolerance * (1 + _NOISE) + _NOISE * max(1.0, abs(target))


def as_printed(value: Any, target: float, decimals: int) -> bool:
    """Whether `value` is `target` as printed with `decimals` decimals, or rounded coarser
    to that precision: within 0.6 units of the last decimal (half a unit, plus a margin)."""
    return close(value, target, 0.6 * 10.0**-decimals)


def close_all(values: Any, targets: Iterable[float], tolerance: float) -> bool:
    targets = list(targets)
    try:
        values = list(values)
    except TypeError:
        return False
    return len(values) == len(targets) and all(
        close(value, target, tolerance) for value, target in zip(values, targets, strict=True)
    )
