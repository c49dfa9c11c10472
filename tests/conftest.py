"""Shared fixtures for the tests of setup/, data/ and the configuration files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "setup"))


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
