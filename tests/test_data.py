"""Every data set is exactly what its maker writes, and every one has a data card.

The per-data-set tests (test_data_*.py) check the contents the notebooks rely on.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA_DIR, REPO_ROOT

sys.path.insert(0, str(DATA_DIR))
import make_data  # noqa: E402  (data/ is not a package)


@pytest.mark.parametrize("maker", make_data.MAKERS)
def test_maker_reproduces_the_committed_files(maker: str, tmp_path: Path) -> None:
    # default_credit downloads the pinned ISLP wheel from PyPI (its card says why).
    completed = subprocess.run(
        [sys.executable, "data/make_data.py", "--out", str(tmp_path), maker],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, f"maker {maker} failed:\n{completed.stderr[-3000:]}"
    files = importlib.import_module(f"makers.{maker}").FILES
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(files)
    for name in files:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


@pytest.mark.parametrize("maker", make_data.MAKERS)
def test_every_data_file_has_a_card(maker: str) -> None:
    for name in importlib.import_module(f"makers.{maker}").FILES:
        card = DATA_DIR / f"{Path(name).stem}.md"
        assert card.is_file(), f"{name} has no data card {card.name}"
        text = card.read_text().lower()
        for topic in ("source", "licen", "schema", "rows"):
            assert topic in text, f"{card.name} says nothing about its {topic}"


def test_every_maker_module_is_listed() -> None:
    modules = {path.stem for path in (DATA_DIR / "makers").glob("*.py") if path.stem != "__init__"}
    assert modules == set(make_data.MAKERS)


def test_unknown_maker_is_refused() -> None:
    completed = subprocess.run(
        [sys.executable, "data/make_data.py", "no_such_data"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2 and "unknown maker(s): no_such_data" in completed.stderr


def test_seed_text_has_the_lines_notebook_00_counts() -> None:
    lines = (DATA_DIR / "spark_intro.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and all(lines)
    assert sum("Spark" in line for line in lines) == 6  # the answer to exercise 1 of notebook 00
