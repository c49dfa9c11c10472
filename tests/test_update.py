"""`make update` (setup/update.sh): the newest course, and the learner's work kept."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import REPO_ROOT


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=Course", "-c", "user.email=course@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_update_keeps_changed_notebooks_and_pulls_the_new_course(tmp_path):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "setup").mkdir()
    shutil.copy(REPO_ROOT / "setup" / "update.sh", course / "setup" / "update.sh")
    notebook = course / "notebooks" / "01_linear_regression.ipynb"
    notebook.write_text("version 1\n")
    git("init", "-q", "-b", "main", cwd=course)
    git("add", ".", cwd=course)
    git("commit", "-q", "-m", "course v1", cwd=course)
    learner = tmp_path / "learner"
    git("clone", "-q", str(course), str(learner), cwd=tmp_path)
    # The learner ran the notebook (its outputs changed) and made a notebook of their own.
    (learner / "notebooks" / "01_linear_regression.ipynb").write_text("version 1 + my outputs\n")
    (learner / "notebooks" / "mine.ipynb").write_text("my own\n")
    # Meanwhile the course changed that notebook.
    notebook.write_text("version 2\n")
    git("commit", "-q", "-am", "course v2", cwd=course)
    # A plain pull refuses...
    refused = subprocess.run(["git", "pull", "--ff-only"], cwd=learner, capture_output=True)
    assert refused.returncode != 0
    # ... make update keeps the learner's version, then pulls.
    done = subprocess.run(
        ["bash", "setup/update.sh"], cwd=learner, capture_output=True, text=True, check=True
    )
    assert "changed notebook(s) are kept in my-work/" in done.stdout
    assert (learner / "notebooks" / "01_linear_regression.ipynb").read_text() == "version 2\n"
    (kept,) = (learner / "my-work").glob("*/notebooks/01_linear_regression.ipynb")
    assert kept.read_text() == "version 1 + my outputs\n"
    assert (learner / "notebooks" / "mine.ipynb").read_text() == "my own\n"
