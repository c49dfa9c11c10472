"""Every data set is exactly what its maker writes, and every one has a data card.

The per-data-set tests (test_data_*.py) check the contents the notebooks rely on.
"""

from __future__ import annotations

import functools
import importlib
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

import make_data  # noqa: E402  (data/ is not a package)
from conftest import DATA_DIR, REPO_ROOT

# Makers that download at run time, and what (their cards say why).
NEEDS_THE_INDEX = {"default_credit": "downloads the pinned ISLP wheel with pip"}
PYPI = "https://pypi.org/simple/"


def pip_index_url() -> str:
    """The index `pip download` uses: pip's configuration (files or PIP_INDEX_URL), or PyPI."""
    completed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    )
    found = {}
    for line in completed.stdout.splitlines():
        key, _, value = line.partition("=")
        section, _, name = key.rpartition(".")
        if name == "index-url":
            found[section] = value.strip().strip("'\"").split()[0]
    return next((found[s] for s in (":env:", "download", "global") if s in found), PYPI)


@functools.cache
def index_reachable(url: str, timeout: float = 5) -> bool:
    """Whether the index answers at all, within a few seconds (any HTTP status counts)."""
    if url.startswith("file:"):
        return Path(url2pathname(urlparse(url).path)).exists()
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout)
    except urllib.error.HTTPError:
        return True
    except (OSError, ValueError):  # URLError, timeouts, refused connections
        return False
    return True


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_the_index(maker: str) -> None:
    """Skip a maker that downloads when the index cannot be reached; in CI, fail instead."""
    if maker not in NEEDS_THE_INDEX:
        return
    index = pip_index_url()
    if index_reachable(index):
        return
    reason = f"offline: maker {maker} {NEEDS_THE_INDEX[maker]}, and {index} does not answer"
    if in_ci():
        pytest.fail(f"{reason}; CI runs every maker, so it needs the network")
    pytest.skip(reason)


@pytest.mark.parametrize("maker", make_data.MAKERS)
def test_maker_reproduces_the_committed_files(maker: str, tmp_path: Path) -> None:
    # The cards go along, as in data/: `make data` rewrites their checksum lines, and must
    # leave them (like the files) exactly as committed.
    require_the_index(maker)
    files = importlib.import_module(f"makers.{maker}").FILES
    cards = [f"{Path(name).stem}.md" for name in files]
    for card in cards:
        shutil.copy(DATA_DIR / card, tmp_path / card)
    completed = subprocess.run(
        [sys.executable, "data/make_data.py", "--out", str(tmp_path), maker],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, f"maker {maker} failed:\n{completed.stderr[-3000:]}"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(files + cards)
    for name in files + cards:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name
    assert "new checksum" not in completed.stdout


def test_a_remade_file_gets_its_new_checksum_in_its_card(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "spark_intro.md", tmp_path)
    card = tmp_path / "spark_intro.md"
    card.write_text(
        card.read_text().replace(
            "SHA-256 of `data/spark_intro.txt`: `", "SHA-256 of `data/spark_intro.txt`: `0"
        )
    )
    completed = subprocess.run(
        [sys.executable, "data/make_data.py", "--out", str(tmp_path), "seed_text"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert completed.stdout.splitlines()[-1] == "seed_text: new checksum in spark_intro.md"
    assert card.read_bytes() == (DATA_DIR / "spark_intro.md").read_bytes()


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


def test_offline_skips_a_downloading_maker_but_ci_fails_it(monkeypatch, tmp_path) -> None:
    closed = "http://127.0.0.1:9/simple/"  # the discard port: refused at once
    monkeypatch.setenv("PIP_INDEX_URL", closed)
    assert pip_index_url() == closed
    assert not index_reachable(closed)
    assert index_reachable(tmp_path.as_uri())
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="offline: maker default_credit"):
        require_the_index("default_credit")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI runs every maker"):
        require_the_index("default_credit")
    require_the_index("penguins")  # makes its data without the network
