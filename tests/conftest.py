"""Shared fixtures for the tests of setup/, data/ and the configuration files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


# Debian's Chromium: the browser tests never use Playwright's own browser download.
CHROMIUM = os.environ.get("COURSE_UI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def chromium_page():
    """A 1400 x 900 page of headless Chromium driven by Playwright, for one test module."""
    try:  # pinned in requirements-dev.txt; only the browser tests need it
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: `make setup-dev` installs requirements-dev.txt")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)  # ms: a busy 2-core machine is slow
            yield page
        finally:
            browser.close()


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
