"""requirements.txt and requirements-dev.txt (pip) and environment.yml (conda) pin the same
packages, and the learner's file holds only what a learner needs."""

from __future__ import annotations

import re

import pytest

from conftest import REPO_ROOT

PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.-]+)==([^\s;#]+)\s*(;[^#]*)?")


def pins(path, python_minor: int = 11) -> dict[str, str]:
    found = {}
    for line in (REPO_ROOT / path).read_text().splitlines():
        match = PIN.match(line)
        if not match:
            continue
        name, version, marker = match.groups()
        if marker and not eval_marker(marker, python_minor):
            continue
        found[name.lower()] = version
    return found


def eval_marker(marker: str, python_minor: int) -> bool:
    """Enough of PEP 508 for the markers requirements.txt uses (python_version < / >=)."""
    match = re.search(r'python_version\s*(<|>=)\s*"3\.(\d+)"', marker)
    assert match, f"unexpected marker {marker!r}: teach this test about it"
    operator, minor = match.group(1), int(match.group(2))
    return python_minor < minor if operator == "<" else python_minor >= minor


def conda_python_minor() -> int:
    text = (REPO_ROOT / "environment.yml").read_text()
    match = re.search(r"^\s*-\s*python=3\.(\d+)", text, re.MULTILINE)
    assert match, "environment.yml pins no python=3.x"
    return int(match.group(1))


# The contributor's tools: in requirements-dev.txt, never in the learner's install.
CONTRIBUTOR_TOOLS = {
    "pytest",
    "nbval",
    "playwright",
    "faker",
    "scikit-learn",
    "palmerpenguins",
    "ruff",
}


def test_conda_and_pip_pin_the_same_packages():
    minor = conda_python_minor()
    both = pins("requirements.txt", minor) | pins("requirements-dev.txt", minor)
    assert pins("environment.yml", minor) == both


def test_the_learner_install_has_no_contributor_tools():
    learner, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert not CONTRIBUTOR_TOOLS & set(learner)
    assert CONTRIBUTOR_TOOLS <= set(dev)
    assert not set(learner) & set(dev)  # each pin in one place
    # `make test` installs the dev file alone, so it must bring the learner's file along.
    assert "-r requirements.txt" in (REPO_ROOT / "requirements-dev.txt").read_text().splitlines()


def test_conda_brings_java_17_or_21():
    text = (REPO_ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*-\s*openjdk=(17|21)\b", text, re.MULTILINE)


@pytest.mark.parametrize("path", ["requirements.txt", "requirements-dev.txt"])
def test_every_pin_says_what_it_is_for(path):
    lines = (REPO_ROOT / path).read_text().splitlines()
    for number, line in enumerate(lines):
        if PIN.match(line):
            comments_above = [text for text in lines[:number] if text.startswith("#")]
            previous = lines[number - 1]
            assert previous.startswith("#") or PIN.match(previous), (
                f"{path} line {number + 1} ({line}) has no comment above it"
            )
            assert comments_above
    for line in (REPO_ROOT / "environment.yml").read_text().splitlines():
        if PIN.match(line):
            assert "#" in line, f"environment.yml: {line.strip()} has no comment"


def test_pandas_stays_below_3():
    # pyspark 4 prints a FutureWarning under pandas 3, which would land in notebook outputs.
    assert pins("requirements.txt")["pandas"].startswith("2.")
