"""Write the student edition of the course (`make student`): the solutions taken out.

    python tools/student_edition.py              # into student/ (ignored by git)
    python tools/student_edition.py --out DIR

The student edition is what a class receives, as nbgrader's release folder is: the
notebooks with every exercise's solution replaced by a stub, the data, and what `make lab`
needs (set-up, configuration, README, licence). It leaves out what is for teachers and
maintainers: tests/ (which spell out every typical mistake), bench/, tools/, .ci/ and the
teachers' guides (docs/teaching.md, docs/maintaining.md; the learners' guides in docs/ are
kept).
It follows nbgrader's conventions, so a teacher who uses nbgrader can run
`nbgrader generate_assignment` on the notebooks as they are instead:

- in a code cell whose nbgrader metadata says ``solution: true``, the lines from one that
  is exactly ``### BEGIN SOLUTION`` to one that is exactly ``### END SOLUTION`` become
  ``# Your code here`` (a comment that only mentions the markers is ordinary code); the
  lines outside (``small_rmse = ...``) stay, so the check below still has its variable;
- a Markdown solution cell (the explained solution) becomes a one-line stub;
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
import re
import shutil
import sys
from pathlib import Path

import nbformat

from course_facts import REPO_ROOT, copy_course_files, course_notebooks, exercise_part

NOTEBOOKS = REPO_ROOT / "notebooks"
BEGIN = re.compile(r"#+\s*BEGIN SOLUTION")
END = re.compile(r"#+\s*END SOLUTION")
CODE_STUB = "# Your code here"
TEXT_STUB = "*The explained solution is in the teacher's edition.*"
# What a class receives (folders whole, top-level files by name); the Makefile is cut down
# to the learner's commands.
COURSE_FOLDERS = ("notebooks", "data", "setup")
COURSE_FILES = (
    "README.md",
    "LICENSE",
    "requirements.txt",
    "environment.yml",
    "spark-defaults.conf",
    "log4j.properties",
    ".gitignore",
    "docs/linux.md",
    "docs/macos.md",
    "docs/windows.md",
)
LEARNER_TARGETS = ("help", "setup", "lab", "update", "clean")
LEARNER_HEADER = """\
# The course's commands (student edition):
#   make lab      set up (first time only) and open JupyterLab at the first notebook
#   make update   bring in the newest course; your changed notebooks are kept in my-work/
# Run `make help` for the rest."""


def is_solution(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def solved_edition_only(cell: nbformat.NotebookNode) -> bool:
    return bool(cell.metadata.get("course", {}).get("solved_edition_only"))


def strip_solution(source: str, stub: str) -> str:
    """Replace each BEGIN/END SOLUTION region (marker lines included) with the stub,
    indented as its BEGIN line. Raises ValueError for an unclosed or nested region."""
    lines, inside = [], False
    for line in source.splitlines():
        if BEGIN.fullmatch(line.strip()):
            if inside:
                raise ValueError("nested BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines.extend(indent + stub_line for stub_line in stub.splitlines())
        elif END.fullmatch(line.strip()):
            if not inside:
                raise ValueError("END SOLUTION without BEGIN SOLUTION")
            inside = False
        elif not inside:
            lines.append(line)
    if inside:
        raise ValueError("BEGIN SOLUTION without END SOLUTION")
    return "\n".join(lines)


def run_checks(cells: list[nbformat.NotebookNode]) -> dict[int, str]:
    """Run the exercise cells of a student notebook in plain Python; return what each
    check cell prints, by cell index.

    Only the `from course_checks import ...` cell, the stubbed answer cells (nothing but
    `name = ...` lines) and the check cells run: none of them needs Spark.
    """
    namespace: dict = {}
    printed: dict[int, str] = {}
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        part = exercise_part(cell)
        if cell.source.startswith("from course_checks import") or (part and part[2] == "answer"):
            exec(cell.source, namespace)
        elif part and part[2] == "check":
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
        else:
            cell.source = TEXT_STUB
    for index, text in run_checks(student.cells).items():
        student.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return student


def learner_makefile(makefile: str) -> str:
    """The Makefile with only the learner's targets and the variables they use."""
    kept = [LEARNER_HEADER]
    for block in makefile.split("\n\n")[1:]:  # the first block is the maintainers' overview
        rule = re.search(r"^([a-z-]+):", block, re.MULTILINE)
        if block.startswith(".PHONY:"):
            kept.append(".PHONY: " + " ".join(LEARNER_TARGETS))
        elif rule is None and "PY :=" in block:
            kept.append(
                "\n".join(
                    line
                    for line in block.splitlines()
                    if line.startswith("VENV :=") or line.startswith("PY :=")
                )
            )
        elif rule and rule[1] in LEARNER_TARGETS:
            kept.append(block)
    return "\n\n".join(kept) + "\n"


def copy_course(out: Path) -> None:
    """Copy what a class receives into `out` (emptied first): COURSE_FOLDERS and COURSE_FILES
    as git sees them (tracked or new, not ignored), and the learner's Makefile."""
    if out.exists():
        shutil.rmtree(out)
    copy_course_files(
        out,
        keep=lambda relative: relative.parts[0] in COURSE_FOLDERS or str(relative) in COURSE_FILES,
    )
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    (out / "Makefile").write_text(learner_makefile(makefile), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the student edition of the course.")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "student")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    inside = out.is_relative_to(REPO_ROOT) and out != REPO_ROOT
    if REPO_ROOT.is_relative_to(out) or (inside and out != REPO_ROOT / "student"):
        parser.error(f"--out must be student/ or a folder outside the repository, not {out}")
    copy_course(out)
    for path in course_notebooks():
        notebook = nbformat.read(path, as_version=4)
        nbformat.write(student_notebook(notebook), out / "notebooks" / path.name)
        answers = sum(is_solution(c) and c.cell_type == "code" for c in notebook.cells)
        print(f"{path.name}: {answers} exercises without their solutions")
    print(f"student edition written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
