"""The versions to check. uv's resolver chooses them: the pins being checked are let go (the
others stay pinned) and `uv pip compile --upgrade` picks the newest releases that install
together on this Python (no pre-releases, no yanked releases, Requires-Python honoured)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.version import Version

UV = Path(sys.executable).parent / "uv"  # setup/setup.sh installs it into .venv/
ANY_PYTHON = "3.99"  # newer than any release: resolving for it gives the newest of all
PIN = re.compile(r"^([A-Za-z0-9][\w.-]*)==(\S+)$", re.MULTILINE)


def normalise(name: str) -> str:
    """A package name as PyPI compares them (PEP 503): 'Faker' -> 'faker'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Row:
    """One pin, and what the check found for it: a row of the report's package table."""

    name: str
    version: str
    source: str  # the requirements file that pins it
    newest: str | None = None  # the newest release, for any Python
    newest_here: str | None = None  # the newest release for this Python, on its own
    checked: str | None = None  # the version in the scratch environment
    note: str = ""

    @property
    def key(self) -> str:
        return normalise(self.name)

    @property
    def upgraded(self) -> bool:
        return self.checked is not None and Version(self.checked) > Version(self.version)


def read_pins(path: Path) -> list[Row]:
    """The `name==version` lines of a requirements file, those of its `-r` includes first."""
    rows: list[Row] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            rows += read_pins(path.parent / line[3:].strip())
        elif line and (match := PIN.fullmatch(line)):
            rows.append(Row(match[1], match[2], path.name))
        elif line:
            raise ValueError(f"{path.name}: not an exact pin: {raw!r}")
    return rows


def loosened(rows: list[Row], chosen: set[str] | None) -> str:
    """uv's input: the chosen packages (None: all) by name only, every other one pinned."""
    pinned = [
        r.name + ("" if chosen is None or r.key in chosen else f"=={r.version}") for r in rows
    ]
    return "\n".join(pinned) + "\n"


def uv_compile(requirements: str, *options: str) -> tuple[dict[str, str], str]:
    """uv's newest versions for `requirements` as {name: version}, or ({}, uv's error)."""
    command = [str(UV), "pip", "compile", "-", "--upgrade", "--quiet", "--no-header", *options]
    done = subprocess.run(command, input=requirements, capture_output=True, text=True)
    found = {normalise(name): version for name, version in PIN.findall(done.stdout)}
    return (found, "") if done.returncode == 0 else ({}, " ".join(done.stderr.split())[-400:])


def fill(
    rows: list[Row],
    chosen: set[str] | None,
    newest: dict[str, str],
    newest_here: dict[str, str],
    lock: dict[str, str],
    python: str,
) -> None:
    """Each row's newest releases, the version checked (uv's `lock`), and why that one."""
    for row in rows:
        row.checked = lock.get(row.key)
        if chosen is not None and row.key not in chosen:
            row.note = "kept at its pin (not in PACKAGES)"
            continue
        row.newest, row.newest_here = newest.get(row.key), newest_here.get(row.key)
        if row.checked is None:
            row.note = "not resolved"
        elif row.checked == row.version:
            row.note = "already the newest"
        else:
            row.note = "upgraded" if row.upgraded else "moved down"
        if row.checked and row.newest_here not in (None, row.checked):
            row.note += f" ({row.newest_here} does not install with the other pins)"
        if row.newest_here and row.newest not in (None, row.newest_here):
            row.note += f" ({row.newest} needs a newer Python than {python})"
