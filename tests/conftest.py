"""Shared fixtures for the tests of setup/, data/ and the configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


DATA_DIR = REPO_ROOT / "data"


def check_plain_csv(path: Path, header: str, rows: int) -> list[str]:
    """A CSV every reader agrees on: one record per line, no quotes, one final newline.

    Returns the data lines (without the header).
    """
    raw = path.read_bytes()
    assert b"\r" not in raw and b'"' not in raw
    lines = raw.decode("utf-8").split("\n")
    assert lines[0] == header
    assert lines[-1] == ""  # ends with exactly one newline
    assert len(lines) == 1 + rows + 1
    width = header.count(",")
    assert all(line.count(",") == width for line in lines[1:-1])
    return lines[1:-1]
