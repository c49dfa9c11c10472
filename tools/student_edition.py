"""Write the student edition of the course (`make student`): the solutions taken out.

    python tools/student_edition.py              # into student/ (ignored by git)
    python tools/student_edition.py --out DIR

The student edition is a complete copy of the course (set-up, data, configuration, tests)
whose notebooks have every exercise's solution replaced by a stub, as a learner who has not
answered yet would see them. It follows nbgrader's convention, so a teacher who uses nbgrader
can run `nbgrader generate_assignment` on the notebooks as they are instead:

- code between lines holding ``BEGIN SOLUTION`` and ``END SOLUTION`` in a cell whose
  nbgrader metadata says ``solution: true`` becomes ``# Your code here``; the lines outside
  the markers (``small_rmse = ...``) stay, so the check below still has its variable;
- a Markdown solution cell (the explained solution) becomes a one-line stub, or, if it has
  markers, loses the region between them;
- a cell whose metadata says ``course.solved_edition_only`` (the note that the exercises
  come solved) is left out;
- the stored outputs become what a fresh run prints: nothing for an answer cell, and
  ``Not answered yet: ...`` for its check. Those are computed by running the check cells on
  the stubs in plain Python (no Spark), and `make test-student` proves with strict nbval
  that a real kernel prints the same.

Every other cell, and its stored output, is copied unchanged. The same notebooks give the
same files, byte for byte.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import shutil
import sys
from pathlib import Path

import nbformat

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
CODE_STUB = "# Your code here"
TEXT_STUB = "*The explained solution is in the teacher's edition.*"
# Not copied into the student edition: local state, caches and scratch output.
SKIP = {
    ".git",
    ".venv",
    ".scratch",
    ".upgrade-check",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "__pycache__",
    ".cache",
    "spark-warehouse",
    "metastore_db",
    "derby.log",
    "student",
}


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def solved_edition_only(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("course", {}).get("solved_edition_only"))


def strip_solution(source: str, stub: str) -> str:
    """Replace each BEGIN/END SOLUTION region (marker lines included) with the stub,
    indented as its BEGIN line. Raises ValueError for an unclosed or nested region."""
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN in line:
            if inside:
                raise ValueError(f"nested {BEGIN!r}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines.extend(indent + stub_line for stub_line in stub.splitlines())
        elif END in line:
            if not inside:
                raise ValueError(f"{END!r} without {BEGIN!r}")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError(f"{BEGIN!r} without {END!r}")
    return "\n".join(lines)


def run_checks(cells: list[nbformat.NotebookNode]) -> dict[int, str]:
    """Run the exercise cells of a student notebook in plain Python; return what each
    check cell prints, by cell index.

    Only the `from course_checks import ...` cell, the stubbed answer cells (nothing but
    `name = ...` lines) and the check cells run: none of them needs Spark.
    """
    namespace: dict = {}
    printed: dict[int, str] = {}
    if True:
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            if cell.source.startswith("from course_checks import"):
                exec(cell.source, namespace)
            elif is_solution(cell):
                exec(cell.source, namespace)
            elif ".check(" in cell.source and "nbgrader" in cell.metadata:
                out = io.StringIO()
                with contextlib.redirect_stdout(out):
                    exec(cell.source, namespace)
                printed[index] = out.getvalue()
    return printed


def student_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of one notebook (a new object; the input is left alone)."""
    student = copy.deepcopy(notebook)
    student.cells = [c for c in student.cells if not solved_edition_only(c)]
    for cell in student.cells:
        if not is_solution(cell):
            continue
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, CODE_STUB)
            cell.outputs = []
            # The teacher's edition folds the solution away; the student needs the stub.
            cell.metadata.pop("jupyter", None)
        elif BEGIN in cell.source:
            cell.source = strip_solution(cell.source, TEXT_STUB)
        else:
            cell.source = TEXT_STUB
    for index, text in run_checks(student.cells).items():
        student.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return student


def copy_course(out: Path) -> None:
    """Copy the course into `out`, leaving out SKIP; `out` is emptied first."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(
        REPO_ROOT,
        out,
        ignore=lambda folder, names: [name for name in names if name in SKIP],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the student edition of the course.")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "student")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    inside = out.is_relative_to(REPO_ROOT) and out != REPO_ROOT
    if REPO_ROOT.is_relative_to(out) or (
        inside and out.relative_to(REPO_ROOT).parts[0] not in SKIP
    ):
        parser.error(f"--out must be student/ or a folder outside the repository, not {out}")
    copy_course(out)
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(notebook), out / "notebooks" / path.name)
        answers = sum(is_solution(c) and c.cell_type == "code" for c in notebook.cells)
        print(f"{path.name}: {answers} exercises without their solutions")
    print(f"student edition written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
