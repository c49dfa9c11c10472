"""Each notebook plus its exercises' typical mistakes, made for real, for one strict nbval run.

    python tests/notebooks_with_mistakes.py write    # notebooks/.with-mistakes-NN_*.ipynb
    python tests/notebooks_with_mistakes.py remove

`make test-notebooks` runs strict nbval in classic local mode over these copies: every stored
output of the notebook is compared as usual, and just before "## Stop Spark", after the
solutions, each known mistake of its exercises (`course_checks.chNN.exK.mistakes`) runs its
wrong code, then a cell prints the check's verdict, whose stored output is the mistake's own
label. So one run of each notebook proves both that its outputs are current and that every
typical mistake gets its own hint: the value a check expects for a mistake is the value the
wrong code really gives, and the check does not accept it.

The copies sit beside the notebooks (the same working folder, as some cells read files
relative to it), hidden and ignored by git, and are removed after the run.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat

from course_facts import NOTEBOOKS_DIR, course_notebooks

PREFIX = ".with-mistakes-"


def with_mistakes(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path` with a wrong-code cell and a verdict cell per typical mistake."""
    notebook = nbformat.read(path, as_version=4)
    chapter = importlib.import_module(f"course_checks.ch{path.name[:2]}")
    stop = next(i for i, c in enumerate(notebook.cells) if c.source.startswith("## Stop Spark"))
    extra = []
    for exercise in chapter.EXERCISES:
        for mistake in exercise.mistakes:
            # What the wrong code prints is not the point: only the verdict below is compared.
            extra.append(nbformat.v4.new_code_cell(f"%%capture\n{mistake.code}"))
            verdict = nbformat.v4.new_code_cell(
                f"print({exercise.name!r}, {exercise.name}.verdict({exercise.answer}).mistake)"
            )
            verdict.outputs = [
                nbformat.v4.new_output(
                    "stream", name="stdout", text=f"{exercise.name} {mistake.label}\n"
                )
            ]
            verdict.execution_count = 1  # nbval compares only the outputs of cells that ran
            extra.append(verdict)
    notebook.cells = notebook.cells[:stop] + extra + notebook.cells[stop:]
    return notebook


def copies() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob(f"{PREFIX}*.ipynb"))


def main(argv: list[str]) -> int:
    if argv == ["write"]:
        for path in course_notebooks():
            nbformat.write(with_mistakes(path), path.with_name(PREFIX + path.name))
        return 0
    if argv == ["remove"]:
        for path in copies():
            path.unlink()
        return 0
    print(__doc__.splitlines()[2].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
