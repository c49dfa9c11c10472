"""Every exercise checks itself, and the student edition is the course without solutions.

An exercise of a notebook's "Try it yourself" section is four cells, tied together by their
nbgrader ids (`ch01_ex2_answer`, `..._check`, `..._explained`) and by `course_checks.ch01.ex2`:

- the task (Markdown, `**2. ...**`), naming the answer variable;
- the answer cell: `small_rmse = ...`, then the solution between nbgrader's markers;
- the check cell `ch01.ex2.check(small_rmse)`, whose stored output says `Correct:`
  (strict nbval re-runs it, so the reference solution really passes);
- the explained solution (Markdown, folded in `<details>`).

That typical mistakes, made for real, get their own hint is `make test-notebooks`
(tests/notebooks_with_mistakes.py: it runs every notebook).
"""

from __future__ import annotations

import ast
import importlib
import re

import nbformat
import pytest

import student_edition
from course_checks import Exercise, Unreadable, as_rows
from course_facts import course_notebooks, exercise_part

NOTEBOOKS = course_notebooks()
TASK = re.compile(r"^\*\*(\d+)\. ", re.MULTILINE)


def section(notebook) -> list:
    """The cells from "## Try it yourself" up to "## Stop Spark"."""
    cells = notebook.cells
    start = next(i for i, c in enumerate(cells) if c.source.startswith("## Try it yourself"))
    stop = next(i for i, c in enumerate(cells) if c.source.startswith("## Stop Spark"))
    return cells[start:stop]


def exercises_of(notebook) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for cell in notebook.cells:
        if part := exercise_part(cell):
            _, number, kind = part
            found.setdefault(number, {})[kind] = cell
    return found


def chapter_of(path) -> str:
    return path.name[:2]


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def path(request):
    return request.param


def test_every_exercise_has_an_answer_a_check_and_an_explanation(path):
    notebook = nbformat.read(path, as_version=4)
    chapter = chapter_of(path)
    module = importlib.import_module(f"course_checks.ch{chapter}")
    tasks = [
        int(n)
        for c in section(notebook)
        if c.cell_type == "markdown"
        for n in TASK.findall(c.source)
    ]
    assert tasks, "the section has no numbered exercise"
    assert tasks == list(range(1, len(tasks) + 1))
    found = exercises_of(notebook)
    assert sorted(found) == tasks, "an exercise lacks its answer, check or explanation cells"
    assert [exercise.number for exercise in module.EXERCISES] == tasks
    for exercise in module.EXERCISES:
        assert isinstance(exercise, Exercise) and exercise.chapter == chapter
        cells = found[exercise.number]
        assert set(cells) == {"answer", "check", "explained"}, exercise.name
        assert cells["check"].source.strip() == f"{exercise.name}.check({exercise.answer})"
        assert cells["check"].metadata["nbgrader"]["locked"] is True
        for kind in ("answer", "explained"):
            assert cells[kind].metadata["nbgrader"]["solution"] is True, (exercise.name, kind)
        # Outside the markers, the answer cell only sets the answer to `...` (the stub).
        stub = student_edition.strip_solution(cells["answer"].source, "")
        assigned = [
            node.targets[0].id
            for node in ast.parse(stub).body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and node.value.value is Ellipsis
        ]
        assert assigned == [exercise.answer] and len(ast.parse(stub).body) == 1, stub
        assert "BEGIN SOLUTION" in cells["answer"].source
        explained = cells["explained"]
        # A Markdown solution is a whole cell, as nbgrader knows it: no markers inside.
        assert explained.metadata["nbgrader"]["solution"], "explained solution"
        assert "SOLUTION" not in explained.source and "<details>" in explained.source
        assert exercise.mistakes, f"{exercise.name} knows no typical mistake"
        labels = [mistake.label for mistake in exercise.mistakes]
        assert len(set(labels)) == len(labels)
        for mistake in exercise.mistakes:
            assert mistake.hint and mistake.code and exercise.answer in mistake.code
        assert exercise.hint_text and exercise.solution_text and exercise.nudge


def stdout_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_the_reference_solutions_pass_their_checks(path):
    notebook = nbformat.read(path, as_version=4)
    for number, cells in exercises_of(notebook).items():
        assert stdout_of(cells["check"]).startswith("Correct: "), (path.name, number)
        assert not any(o.output_type == "error" for o in cells["answer"].outputs)


def all_exercises() -> list[Exercise]:
    return [
        exercise
        for path in NOTEBOOKS
        for exercise in importlib.import_module(f"course_checks.ch{chapter_of(path)}").EXERCISES
    ]


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda exercise: exercise.name)
def test_a_check_says_what_it_cannot_read(exercise):
    assert exercise.verdict(...).kind == "unanswered"
    assert exercise.answer in exercise.verdict(...).text
    unreadable = exercise.verdict(object())
    assert unreadable.kind == "unreadable", unreadable.text
    assert unreadable.text.startswith(f"Cannot check `{exercise.answer}`: ")


def test_the_readers_take_the_usual_shapes():
    import pandas as pd

    frame = pd.DataFrame({"label": [1.0, 0.0], "count": [3, 4]})
    assert as_rows("label", "count")(frame) == [(0.0, 4), (1.0, 3)]
    with pytest.raises(Unreadable, match="no column prediction"):
        as_rows("label", "prediction")(frame)


def test_the_student_edition_keeps_everything_but_the_solutions(path):
    notebook = nbformat.read(path, as_version=4)
    student = student_edition.student_notebook(notebook)
    notes = [c for c in section(notebook) if student_edition.solved_edition_only(c)]
    assert len(notes) == 1, "the section says once that its exercises come solved"
    kept = [c for c in notebook.cells if not student_edition.solved_edition_only(c)]
    assert "SOLUTION" not in nbformat.writes(student)
    assert "come solved" not in nbformat.writes(student)
    exercise_ids = {id(cell) for cells in exercises_of(student).values() for cell in cells.values()}
    for teacher_cell, student_cell in zip(kept, student.cells, strict=True):
        if "BEGIN SOLUTION" not in teacher_cell.source and id(student_cell) not in exercise_ids:
            assert student_cell == teacher_cell
    for cells in exercises_of(student).values():
        answer = cells["answer"]
        assert answer.outputs == [] and "jupyter" not in answer.metadata
        assert answer.source.endswith(student_edition.CODE_STUB)
        assert stdout_of(cells["check"]).startswith("Not answered yet: ")
        assert cells["explained"].source == student_edition.TEXT_STUB
    # The same notebook gives the same file, byte for byte.
    again = student_edition.student_notebook(nbformat.read(path, as_version=4))
    assert nbformat.writes(again) == nbformat.writes(student)


def test_make_student_writes_a_complete_course(tmp_path):
    out = tmp_path / "student"
    assert student_edition.main(["--out", str(out)]) == 0
    for needed in ("Makefile", "requirements.txt", "spark-defaults.conf", "setup/setup.sh"):
        assert (out / needed).is_file(), needed
    assert (out / "notebooks" / "course_checks" / "__init__.py").is_file()
    assert (out / "data" / "penguins.csv").is_file()
    for teachers_only in (
        "tests",
        "bench",
        "tools",
        ".ci",
        "docs/teaching.md",
        "docs/maintaining.md",
        ".venv",
        ".git",
    ):
        assert not (out / teachers_only).exists(), teachers_only
    makefile = (out / "Makefile").read_text()
    assert (
        "\nlab: setup" in makefile and "\ntest:" not in makefile and "test-student" not in makefile
    )
    for teacher in NOTEBOOKS:
        text = (out / "notebooks" / teacher.name).read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "Not answered yet" in text


def test_only_a_whole_marker_line_starts_a_solution():
    source = "# A region starts at BEGIN SOLUTION, as nbgrader marks it\nx = ...\n"
    assert student_edition.strip_solution(source, "# here") == source.rstrip("\n")
    assert (
        student_edition.strip_solution(
            "x = ...\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\ny = x", "# here"
        )
        == "x = ...\n    # here\ny = x"
    )


def test_a_solution_region_must_be_closed():
    with pytest.raises(ValueError, match="without"):
        student_edition.strip_solution("x = ...\n### BEGIN SOLUTION\nx = 1\n", "")
    assert (
        student_edition.strip_solution(
            "x = ...\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "# here"
        )
        == "x = ...\n# here"
    )


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda exercise: exercise.name)
def test_the_right_answer_as_printed_is_correct(exercise):
    """Checks judge the answer, not its last digit: the answer as the notebook prints it,
    or rounded coarser as a learner types it, is Correct (never a mistake's hint)."""
    assert exercise.right_answers, f"{exercise.name}: list the answer as the notebook prints it"
    for answer in exercise.right_answers:
        verdict = exercise.verdict(answer)
        assert verdict.kind == "correct", (answer, verdict.text)


def test_float_noise_at_a_tolerance_edge_never_flips_a_verdict():
    from course_checks import as_printed, close

    # 10.518 - 10.52 is 0.0019999..., 14.558 - 14.56 is 0.0020000...7: the same verdict.
    assert close(10.52, 10.518, 0.002) and close(14.56, 14.558, 0.002)
    assert as_printed(10.52, 10.518, 2) and as_printed(14.56, 14.558, 2)
    assert as_printed(0.17, 0.1712, 2) and not as_printed(0.18, 0.1712, 2)
    assert not as_printed(10.5, 10.518, 2) and not close(True, 1.0, 0.1)


def test_a_reader_takes_only_the_type_its_exercise_asks_for():
    from course_checks import as_count, as_mapping, as_number, as_values

    with pytest.raises(Unreadable, match="whole number"):
        as_count(1796.9)
    assert as_count(1796.0) == 1796
    with pytest.raises(Unreadable, match="a set has no order"):
        as_values({6, 5})
    assert as_values({6, 5}, ordered=False) == [5, 6]
    with pytest.raises(Unreadable, match="the key 5.9: expected a whole number"):
        as_mapping({5.9: 1.0, 6.9: 2.0}, keys=as_count, values=as_number)
    assert as_mapping({5: 1, 6.0: 2}, keys=as_count, values=as_number) == {5: 1.0, 6: 2.0}
    with pytest.raises(Unreadable, match="expected a number, got a set"):
        as_number({1.0})


def test_a_spark_column_is_named_as_a_column():
    from pyspark.sql.connect import functions as F  # a Column without a running Spark

    from course_checks import as_number

    with pytest.raises(Unreadable, match="got a Spark Column") as caught:
        as_number(F.avg("x"))
    assert "DataFrame" not in str(caught.value).split("got a Spark Column")[0]


def test_a_check_does_not_praise_an_answer_the_last_attempt_did_not_produce(capsys):
    import course_checks
    from course_checks import ch01

    class Ran:  # what IPython hands a post_run_cell hook
        def __init__(self, source, error=None):
            self.info = type("Info", (), {"raw_cell": source})()
            self.error_in_exec, self.error_before_exec = error, None

    course_checks._RUN_CELLS.clear()
    try:
        course_checks._remember_cell(Ran("small_rmse = ...\n### BEGIN SOLUTION\nsmall_rmse = 1"))
        course_checks._remember_cell(
            Ran('small_rmse = ev.evaluate(df.select("predicton"))', NameError())
        )
        course_checks._remember_cell(Ran("print(1)"))
        ch01.ex2.check(9.827)
        said = capsys.readouterr().out
        assert said.startswith(
            "Your last attempt failed: the cell that sets `small_rmse` raised NameError"
        )
        assert "Correct" not in said
        course_checks._remember_cell(Ran("small_rmse  = 9.827"))  # fixed and run again
        ch01.ex2.check(9.827)
        assert capsys.readouterr().out.startswith("Correct: ")
    finally:
        course_checks._RUN_CELLS.clear()
