"""Facts about the course that the set-up, tools, tests and benchmarks share, defined once.

Importable from anywhere in the course's .venv/ (setup/setup.sh puts setup/ and tools/ on
its path) and in the tests (pyproject.toml's `pythonpath`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

# The course's notebooks are the numbered ones; anything else in notebooks/ is support code.
NOTEBOOK_PATTERN = "[0-9][0-9]_*.ipynb"
LANDING_NOTEBOOK = "notebooks/00_setup_check.ipynb"

KERNEL_NAME = "pyspark"
KERNEL_DISPLAY_NAME = "Python (Pyspark)"

# tools/nav.py writes the previous / contents / next links into the cells that start so.
NAV_MARKER = "<!-- nav -->"

# An exercise is the cells whose nbgrader grade_id is ch<NN>_ex<K>_<part>, and only those.
EXERCISE_GRADE_ID = re.compile(r"ch(\d\d)_ex(\d+)_(answer|check|explained)")


def course_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks of `folder`, in course order."""
    return sorted(folder.glob(NOTEBOOK_PATTERN))


def exercise_part(cell: Any) -> tuple[str, int, str] | None:
    """(chapter, exercise number, part) of an exercise cell, None for any other cell."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
    match = EXERCISE_GRADE_ID.fullmatch(grade_id)
    return (match[1], int(match[2]), match[3]) if match else None


def read_spark_defaults(path: Path = REPO_ROOT / "spark-defaults.conf") -> dict[str, str]:
    """spark-defaults.conf as Spark reads it: `key value` lines, # comments."""
    settings = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            settings[key] = value.strip()
    return settings


def copy_course_files(
    dest: Path, root: Path = REPO_ROOT, keep: Callable[[Path], bool] = lambda relative: True
) -> None:
    """Copy the files of a checkout that are not scratch into `dest`, at the same relative
    paths (those `keep` accepts). Not scratch: tracked or new, minus what .gitignore ignores
    (.gitignore is the one list of scratch folders)."""
    listing = subprocess.run(
        ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    for name in sorted(set(listing.decode().split("\0")) - {""}):
        if (root / name).is_file() and keep(Path(name)):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, dest / name)


# Strict nbval as every test command runs it (never the lax mode): stored outputs compared.
NBVAL_OPTIONS = [
    "--nbval",
    f"--nbval-kernel-name={KERNEL_NAME}",
    "--nbval-cell-timeout=900",
    f"--nbval-sanitize-with={REPO_ROOT / 'tests' / 'nbval_sanitize.cfg'}",
]

if __name__ == "__main__":  # for the Makefile: `python setup/course_facts.py notebooks`
    import sys

    answers = {
        "nbval-options": lambda: " ".join(NBVAL_OPTIONS),
        "notebooks": lambda: " ".join(str(p.relative_to(REPO_ROOT)) for p in course_notebooks()),
    }
    if len(sys.argv) != 2 or sys.argv[1] not in answers:
        sys.exit(f"usage: python setup/course_facts.py {'|'.join(answers)}")
    print(answers[sys.argv[1]]())
