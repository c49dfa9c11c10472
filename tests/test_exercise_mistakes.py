"""Typical mistakes, made for real, get their own hint: the checks can fail.

For each notebook, this runs the whole notebook in a fresh "Python (Pyspark)" kernel with,
just before "## Stop Spark", one extra cell per known mistake of its exercises
(`course_checks.chNN.exK.mistakes`): the mistake's wrong code, after the solutions, then the
check's verdict. Every mistake must be recognised as itself, which proves that the value a
check expects for it is the value the wrong code really gives, and that the check does not
accept it. Slow (a run of every notebook): `make test-slow` and CI run it.
"""

from __future__ import annotations

import importlib

import nbformat
import pytest
from nbclient import NotebookClient

from course_facts import KERNEL_NAME, course_notebooks

NOTEBOOKS = course_notebooks()
MARK = "MISTAKE-VERDICT"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_typical_mistakes_get_their_own_hint(path):
    chapter = importlib.import_module(f"course_checks.ch{path.name[:2]}")
    notebook = nbformat.read(path, as_version=4)
    stop = next(i for i, c in enumerate(notebook.cells) if c.source.startswith("## Stop Spark"))
    expected = []
    extra = []
    for exercise in chapter.EXERCISES:
        for mistake in exercise.mistakes:
            expected.append((exercise.name, mistake.label))
            verdict = f"{exercise.name}.verdict({exercise.answer})"
            extra.append(
                nbformat.v4.new_code_cell(
                    f"{mistake.code}\nprint({MARK!r}, {exercise.name!r}, {verdict}.mistake)"
                )
            )
    notebook.cells = notebook.cells[:stop] + extra + notebook.cells[stop:]
    NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=900,
        allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seen = []
    for cell, (name, label) in zip(notebook.cells[stop : stop + len(extra)], expected, strict=True):
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        line = next((ln for ln in printed.splitlines() if ln.startswith(MARK)), "")
        seen.append((name, label, line.removeprefix(f"{MARK} {name} "), errors))
    wrong = [(name, label, got, errors) for name, label, got, errors in seen if got != label]
    assert not wrong, (
        "mistakes that did not get their own hint (exercise, expected, got, errors):\n"
        + "\n".join(map(str, wrong))
    )
