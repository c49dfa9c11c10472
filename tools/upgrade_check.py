"""Check the course against the newest releases of its pinned packages (`make upgrade-check`).

    python tools/upgrade_check.py                               # every pin of requirements*.txt
    python tools/upgrade_check.py --packages "numpy matplotlib" # only these; the rest keep pins
    python tools/upgrade_check.py --no-before                   # skip the runs on .venv/
    python tools/upgrade_check.py --report-only        # rebuild the report, run nothing
    python tools/upgrade_check.py --rerun probes       # redo one step (notebooks, tests,
                                                       # probes) in the last scratch env

--report-only and --rerun reuse what the last run left in `.upgrade-check/` (give them the
same --packages); the report's "How it ran" says when each step ran.

Nothing here touches `.venv/` or the committed notebooks. Everything it makes lives in the
git-ignored folder `.upgrade-check/`:

1. For every pin of requirements.txt and requirements-dev.txt (or only those named with
   --packages) it looks up the newest release on PyPI (the JSON API; `pip index versions`
   when that cannot be reached), leaving out pre-releases, yanked releases and releases
   whose Requires-Python excludes this Python. Environment markers are honoured: a line
   such as ``numpy==2.2.6 ; python_version < "3.11"`` that does not apply to this Python is
   reported but not installed.
2. It creates `.upgrade-check/venv` with this Python, installs the newest versions (and the
   pins of everything else), and registers the course kernel "pyspark" in that venv with
   setup/kernel.py, so the kernel runs the scratch Python with SPARK_HOME in the scratch
   pyspark. Every run in the scratch environment gets JUPYTER_PATH pointing at that venv
   only (and no `.venv/` on PATH); the kernel it resolves to is checked before anything runs.
3. It executes every notebook once on the pinned `.venv/` ("before") and once in the
   scratch environment ("after"), each in a fresh kernel in its own process, and keeps
   the executed copies, their times and the kernel's stderr under `.upgrade-check/`.
   Then, in the scratch environment, it runs the unit tests (`pytest -m "not slow" tests`)
   and strict nbval over every notebook, as `make test-notebooks` does.
4. It starts Spark once more in each environment with a copy of the course's two
   configuration files at log level WARN, to see whether every key of spark-defaults.conf
   is still known to Spark (and what value Spark saw), whether Log4j 2 still reads
   log4j.properties, and whether Spark logs anything about deprecated settings; and it
   does so with every JDK it finds (the default Java, JDKs installed beside it, and any
   --java-home), to see which Java versions the new Spark accepts.
5. It writes a Markdown report (default `.upgrade-check/report.md`): old and new
   versions, every notebook cell whose output changed (sanitised as nbval sanitises it),
   new warnings, failures with their first line, and each notebook's time before and after.

Exit status 0 means the course passes unchanged on the newest releases: the install
worked, the unit tests and strict nbval passed, and no cell's output (plots included,
which nbval does not compare) changed.
"""

from __future__ import annotations

import argparse
import base64
import difflib
import json
import os
import platform
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
PINNED_VENV = REPO_ROOT / ".venv"
FOLDER = REPO_ROOT / ".upgrade-check"
LOGS = FOLDER / "logs"
REQUIREMENTS = REPO_ROOT / "requirements-dev.txt"  # includes requirements.txt with -r
SANITIZE_FILE = REPO_ROOT / "tests" / "nbval_sanitize.cfg"
KERNEL_NAME = "pyspark"
PYPI_JSON = "https://pypi.org/pypi/{name}/json"
UNIT_TESTS = ["-m", "not slow", "tests"]
NBVAL = [
    "notebooks",
    "--nbval",
    "--nbval-kernel-name",
    KERNEL_NAME,
    "--nbval-cell-timeout",
    "900",
    "--nbval-sanitize-with",
    "tests/nbval_sanitize.cfg",
]
STEPS = ("notebooks", "tests", "probes")
CELL_TIMEOUT = 900
NOTEBOOK_TIMEOUT = 3600
# Variables that would make a run leave the course's default set-up (classic local Spark,
# the kernel's own Python for Spark's workers, the environment's own packages).
UNSET = ("SPARK_REMOTE", "PYSPARK_SUBMIT_ARGS", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")
UNSET += ("SPARK_HOME", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX")
UNSET += ("JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_DIR")
MAX_LINES_PER_CELL = 12
MAX_LINE = 160
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
LOG_TIMESTAMP = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d ")
LOG_LEVEL_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN) ")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SITE_PACKAGES = re.compile(r"\S*[/\\]site-packages[/\\]")
IGNORE_TAGS = {"nbval-ignore-output", "nbval-skip"}
IGNORE_COMMENTS = ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")


# ---------------------------------------------------------------------------------------
# Pins and versions (pure)
# ---------------------------------------------------------------------------------------


def normalise(name: str) -> str:
    """A package name as PyPI compares them (PEP 503): 'Faker' -> 'faker', 'a_b' -> 'a-b'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str | None = None
    source: str = ""

    @property
    def key(self) -> str:
        return normalise(self.name)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.marker})" if self.marker else self.name


def parse_pins(text: str, source: str = "") -> tuple[list[Pin], list[str]]:
    """The `name==version [; marker]` lines of a requirements file, and its `-r` includes."""
    from packaging.requirements import Requirement

    pins: list[Pin] = []
    includes: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            includes.append(line.split(None, 1)[1].strip())
            continue
        if line.startswith("-"):
            raise ValueError(f"{source}: option lines are not supported here: {raw!r}")
        requirement = Requirement(line)
        specifiers = list(requirement.specifier)
        if len(specifiers) != 1 or specifiers[0].operator != "==":
            raise ValueError(f"{source}: not an exact pin: {raw!r}")
        marker = str(requirement.marker) if requirement.marker else None
        pins.append(Pin(requirement.name, specifiers[0].version, marker, source))
    return pins, includes


def read_pins(path: Path = REQUIREMENTS) -> list[Pin]:
    """Every pin of a requirements file and of the files it includes (included ones first)."""
    pins: list[Pin] = []
    seen: set[Path] = set()

    def read(file: Path) -> None:
        file = file.resolve()
        if file in seen:
            return
        seen.add(file)
        found, includes = parse_pins(file.read_text(), file.name)
        for include in includes:
            read(file.parent / include)
        pins.extend(found)

    read(path)
    return pins


def marker_environment(python_version: str | None = None) -> dict[str, str]:
    """PEP 508 marker values of this interpreter, or of another `major.minor` Python."""
    from packaging.markers import default_environment

    environment = dict(default_environment())
    if python_version:
        environment["python_version"] = python_version
        environment["python_full_version"] = f"{python_version}.0"
    return environment


def pin_applies(pin: Pin, environment: Mapping[str, str]) -> bool:
    if not pin.marker:
        return True
    from packaging.markers import Marker

    return Marker(pin.marker).evaluate(dict(environment))


def python_for_marker(marker: str, minors: Iterable[int] = range(10, 15)) -> str | None:
    """The first Python 3.x (from 3.10) that a marker applies to, e.g. '3.10' for '< "3.11"'."""
    for minor in minors:
        if pin_applies(Pin("x", "0", marker), marker_environment(f"3.{minor}")):
            return f"3.{minor}"
    return None


def python_accepts(requires_python: str | None, python_version: str) -> bool:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python_version, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores a Requires-Python it cannot read


def newest_versions(
    releases: Mapping[str, Sequence[Mapping[str, Any]]], python_version: str
) -> tuple[str | None, str | None]:
    """From PyPI's JSON `releases`: the newest final release, and the newest one for this Python.

    Pre-releases and development releases are left out, and so is a release whose files
    are all yanked (or that has no files). A release counts for `python_version` when one
    of its files that is not yanked accepts that Python (Requires-Python).
    """
    from packaging.version import InvalidVersion, Version

    newest: Version | None = None
    newest_here: Version | None = None
    for text, files in releases.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease:
            continue
        usable = [file for file in files if not file.get("yanked")]
        if not usable:
            continue
        if newest is None or version > newest:
            newest = version
        if any(python_accepts(file.get("requires_python"), python_version) for file in usable):
            if newest_here is None or version > newest_here:
                newest_here = version
    return (str(newest) if newest else None, str(newest_here) if newest_here else None)


def newest_of(versions: Iterable[str]) -> str | None:
    """The highest final release among version strings (pre-releases and junk left out)."""
    from packaging.version import InvalidVersion, Version

    best: Version | None = None
    for text in versions:
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if not (version.is_prerelease or version.is_devrelease) and (
            best is None or version > best
        ):
            best = version
    return str(best) if best else None


def parse_pip_index(output: str) -> list[str]:
    """The versions in `pip index versions NAME` output (its --json form or its text form)."""
    output = output.strip()
    if output.startswith("{"):
        return list(json.loads(output).get("versions", []))
    match = re.search(r"^Available versions:\s*(.*)$", output, re.MULTILINE)
    return [v.strip() for v in match.group(1).split(",") if v.strip()] if match else []


def is_newer(candidate: str | None, than: str) -> bool:
    from packaging.version import Version

    return candidate is not None and Version(candidate) > Version(than)


@dataclass
class Lookup:
    newest: str | None  # the newest final release on PyPI, for any Python
    newest_for: dict[str, str | None] = field(default_factory=dict)  # by Python "3.x"
    source: str = "PyPI JSON API"
    error: str = ""


@dataclass
class PlanRow:
    pin: Pin
    applies: bool
    chosen: bool  # asked for (all packages, or named in --packages)
    lookup: Lookup | None
    target: str | None  # the version the scratch environment gets (None: not installed)
    note: str
    installed: str | None = None  # what the scratch environment really has

    @property
    def upgraded(self) -> bool:
        return self.target is not None and self.target != self.pin.version


def plan_upgrades(
    pins: Sequence[Pin],
    lookups: Mapping[str, Lookup],
    chosen: set[str] | None,
    environment: Mapping[str, str],
) -> list[PlanRow]:
    """Which version of each pinned package the scratch environment gets, and why."""
    python = environment["python_version"]
    rows = []
    for pin in pins:
        applies = pin_applies(pin, environment)
        asked = chosen is None or pin.key in chosen
        lookup = lookups.get(pin.key) if asked else None
        here = lookup.newest_for.get(python) if lookup else None
        target: str | None = pin.version if applies else None
        if not applies:
            note = f"line not used on Python {python}, not installed"
            other = python_for_marker(pin.marker or "")
            if other and lookup and not lookup.error:
                newest_there = lookup.newest_for.get(other)
                note += f"; newest for Python {other}: {newest_there or 'none'}"
                if is_newer(newest_there, pin.version):
                    note += " (check it on that Python)"
        elif not asked:
            note = "kept at its pin (not in PACKAGES)"
        elif lookup is None or lookup.error:
            note = "kept at its pin: " + (lookup.error if lookup else "no lookup")
        elif is_newer(here, pin.version):
            target = here
            note = "upgraded"
            if lookup.newest and lookup.newest != here:
                note += f" ({lookup.newest} needs a newer Python than {python})"
        elif here is None:
            note = f"kept at its pin: PyPI has no release for Python {python}"
        else:
            note = "already the newest"
            if lookup.newest and lookup.newest != here:
                note += f" for Python {python} ({lookup.newest} needs a newer Python)"
        rows.append(PlanRow(pin, applies, asked, lookup, target, note))
    return rows


def scratch_requirements(rows: Sequence[PlanRow]) -> str:
    """The requirements file of the scratch environment: one exact version per package."""
    lines = ["# made by tools/upgrade_check.py: the newest releases, the other packages pinned"]
    for row in rows:
        if row.target is not None:
            lines.append(f"{row.pin.name}=={row.target}")
    return "\n".join(lines) + "\n"


def read_spark_defaults(text: str) -> list[tuple[str, str]]:
    """(key, value) pairs of a spark-defaults.conf (`key value`, `key=value` or `key: value`)."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([^\s=:]+)\s*[\s=:]\s*(.*)$", line)
        if match:
            pairs.append((match.group(1), match.group(2).strip()))
    return pairs


# ---------------------------------------------------------------------------------------
# Output differences (pure): what nbval compares, summarised for a reader
# ---------------------------------------------------------------------------------------


def sanitize_patterns(text: str) -> list[tuple[str, str]]:
    """The regex/replace pairs of an nbval sanitize file, read the way nbval reads them."""
    return re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)


def sanitize(text: str, patterns: Sequence[tuple[str, str]]) -> str:
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def comparable_outputs(
    cell: Mapping[str, Any], patterns: Sequence[tuple[str, str]]
) -> dict[str, list[str]]:
    """A code cell's outputs by kind ('stdout', 'stderr', 'error', a MIME type), in order.

    Streams of one name are joined (as nbval joins them); texts are sanitised with the
    nbval patterns; images stay base64 text; metadata and execution counts are left out.
    """
    found: dict[str, list[str]] = {}
    streams: dict[str, int] = {}
    for output in cell.get("outputs", []):
        kind = output.get("output_type")
        if kind == "stream":
            name = output.get("name", "stdout")
            text = SITE_PACKAGES.sub(
                ".../site-packages/", ANSI.sub("", joined(output.get("text", "")))
            )
            if name in streams:
                found[name][streams[name]] += text
            else:
                streams[name] = len(found.setdefault(name, []))
                found[name].append(text)
        elif kind in ("display_data", "execute_result"):
            for mime, value in output.get("data", {}).items():
                if mime == "application/vnd.jupyter.widget-view+json":
                    continue
                found.setdefault(mime, []).append(joined(value))
        elif kind == "error":
            evalue = ANSI.sub("", str(output.get("evalue", ""))).strip()
            found.setdefault("error", []).append(f"{output.get('ename', '')}: {evalue}")
    for kind, values in found.items():
        if not kind.startswith("image/"):
            found[kind] = [sanitize(value, patterns) for value in values]
    return found


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG")
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def png_info(encoded: str) -> tuple[int, int, int]:
    """(width, height, bytes) of a base64 PNG."""
    data = base64.b64decode(encoded)
    width, height = struct.unpack(">II", data[16:24])
    return width, height, len(data)


def png_pixels(encoded: str) -> bytes:
    """The image itself (header and decompressed image data), without text chunks."""
    chunks = png_chunks(base64.b64decode(encoded))
    header = b"".join(body for kind, body in chunks if kind == b"IHDR")
    image = b"".join(body for kind, body in chunks if kind == b"IDAT")
    return header + zlib.decompress(image)


def describe_png(old: str, new: str) -> str | None:
    """None when two PNGs show the same pixels; else a line on how they differ."""
    if old == new:
        return None
    try:
        if png_pixels(old) == png_pixels(new):
            return None
        (w1, h1, n1), (w2, h2, n2) = png_info(old), png_info(new)
    except (ValueError, zlib.error, struct.error):
        return "plot: the image changed (not a readable PNG)"
    size = (
        f"{w1}x{h1} px, {n1:,} bytes -> {w2}x{h2} px, {n2:,} bytes"
        if (w1, h1) != (w2, h2)
        else f"same size {w1}x{h1} px, {n1:,} -> {n2:,} bytes"
    )
    return f"plot changed: {size}"


def clip(line: str, width: int = MAX_LINE) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def numbers_moved(old: str, new: str) -> str | None:
    """The old line with each changed number shown as `old→new`, when only numbers differ."""
    if NUMBER.sub("#", old) != NUMBER.sub("#", new):
        return None
    new_numbers = iter(NUMBER.findall(new))

    def moved(match: re.Match[str]) -> str:
        replacement = next(new_numbers)
        return (
            match.group(0) if replacement == match.group(0) else f"{match.group(0)}→{replacement}"
        )

    return NUMBER.sub(moved, old)


def text_change_lines(old: str, new: str, limit: int = MAX_LINES_PER_CELL) -> list[str]:
    """A short readable diff: `~` a line whose numbers moved, `-` a line gone, `+` a new one."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        gone, came = old_lines[i1:i2], new_lines[j1:j2]
        if tag == "replace":
            for before, after in zip(gone, came, strict=False):
                moved = numbers_moved(before, after)
                if moved is not None:
                    out.append("~ " + clip(moved.strip()))
                else:
                    out += ["- " + clip(before), "+ " + clip(after)]
            gone, came = gone[len(came) :], came[len(gone) :]
        out += ["- " + clip(line) for line in gone]
        out += ["+ " + clip(line) for line in came]
    if len(out) > limit:
        out = out[:limit] + [f"… and {len(out) - limit} more changed lines"]
    return out


@dataclass
class CellChange:
    cell: int  # the code cell's number, counted from 0 as nbval names it ("Cell 7")
    source: str  # its first line of code
    lines: list[str]


def code_cells(notebook: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]


def first_code_line(cell: Mapping[str, Any]) -> str:
    for line in joined(cell.get("source", "")).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return clip(line.strip(), 80)
    return ""


def ignored_by_nbval(cell: Mapping[str, Any]) -> bool:
    tags = set(cell.get("metadata", {}).get("tags", []))
    source = joined(cell.get("source", ""))
    return bool(tags & IGNORE_TAGS) or any(mark in source for mark in IGNORE_COMMENTS)


def compare_notebooks(
    stored: Mapping[str, Any], fresh: Mapping[str, Any], patterns: Sequence[tuple[str, str]]
) -> list[CellChange]:
    """Every code cell whose fresh outputs differ from the stored ones, summarised."""
    changes = []
    fresh_cells = code_cells(fresh)
    for number, cell in enumerate(code_cells(stored)):
        if ignored_by_nbval(cell) or cell.get("execution_count") is None:
            continue  # nbval does not compare these either
        old = comparable_outputs(cell, patterns)
        new = comparable_outputs(fresh_cells[number], patterns) if number < len(fresh_cells) else {}
        lines: list[str] = []
        order = ("stdout", "stderr", "error", "text/plain", "text/html", "image/png")
        kinds = sorted(set(old) | set(new), key=lambda k: (order.index(k) if k in order else 9, k))
        for kind in kinds:
            before, after = old.get(kind, []), new.get(kind, [])
            if before == after:
                continue
            if kind.startswith("image/"):
                if len(before) != len(after):
                    lines.append(f"[{kind}] {len(before)} -> {len(after)} images")
                for one, other in zip(before, after, strict=False):
                    described = describe_png(one, other) if kind == "image/png" else "changed"
                    if described:
                        lines.append(f"[{kind}] {described}")
                continue
            diff = text_change_lines("\n".join(before), "\n".join(after))
            if diff:
                lines.append(f"[{kind}]" + ("" if before else " new output"))
                lines += diff
        if lines:
            changes.append(CellChange(number, first_code_line(cell), lines))
    return changes


def new_stderr_lines(
    stored: Mapping[str, Any], fresh: Mapping[str, Any], patterns: Sequence[tuple[str, str]]
) -> list[tuple[int, str]]:
    """(cell, line) for each stderr line a fresh run printed that the stored notebook lacks."""
    found = []
    fresh_cells = code_cells(fresh)
    for number, cell in enumerate(code_cells(stored)):
        if number >= len(fresh_cells):
            break
        old = set("".join(comparable_outputs(cell, patterns).get("stderr", [])).splitlines())
        new = "".join(comparable_outputs(fresh_cells[number], patterns).get("stderr", []))
        for line in new.splitlines():
            # A Python warning is its message line, then the line of code that raised it
            # (indented): the message says it all.
            if line.strip() and not line[:1].isspace() and line not in old:
                found.append((number, clip(line.strip(), 300)))
    return found


def group_warnings(
    found: Mapping[str, Sequence[tuple[int, str]]],
) -> list[tuple[str, list[str], int]]:
    """Each distinct warning (numbers aside), where it was printed, and in how many cells."""
    groups: dict[str, tuple[str, dict[str, list[int]]]] = {}
    for notebook, lines in found.items():
        for cell, line in lines:
            example, where = groups.setdefault(log_key(line), (line, {}))
            where.setdefault(notebook, []).append(cell)
    out = []
    for example, where in groups.values():
        places, count = [], 0
        for notebook, cells in where.items():
            unique = list(dict.fromkeys(cells))
            count += len(unique)
            label = "Cell" if len(unique) == 1 else "Cells"
            places.append(f"{notebook} {label} {', '.join(map(str, unique))}")
        out.append((example, places, count))
    return out


def cell_errors(notebook: Mapping[str, Any]) -> list[str]:
    """'Cell N: Name: first line of the message' for each error output of a notebook."""
    errors = []
    for number, cell in enumerate(code_cells(notebook)):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = ANSI.sub("", str(output.get("evalue", ""))).strip().splitlines()
                errors.append(
                    f"Cell {number}: {output.get('ename')}: {clip(message[0] if message else '')}"
                )
    return errors


def log_key(line: str) -> str:
    """A log line without its time stamp, with hex ids and numbers collapsed (ports, pids)."""
    line = re.sub(r"\b[0-9a-f]{6,}\b", "H", LOG_TIMESTAMP.sub("", line.strip()))
    return re.sub(r"\d+", "N", line)


def new_log_lines(before: str, after: str, limit: int = 20) -> list[str]:
    """Lines of `after` (a process's stderr) that `before` has no line like (numbers aside)."""
    known = {log_key(line) for line in before.splitlines()}
    found: list[str] = []
    seen: set[str] = set()
    for line in after.splitlines():
        key = log_key(line)
        # Indented lines continue the line above (a warning's code line, a stack frame).
        if line.strip() and not line[:1].isspace() and key not in known and key not in seen:
            seen.add(key)
            line = SITE_PACKAGES.sub(".../site-packages/", LOG_TIMESTAMP.sub("", line.strip()))
            found.append(clip(line, 300))
    if len(found) > limit:
        found = found[:limit] + [f"… and {len(found) - limit} more new lines"]
    return found


def pytest_outcome(output: str) -> tuple[str, list[str]]:
    """A pytest run's closing line (without the ===) and its FAILED/ERROR summary lines."""
    lines = [ANSI.sub("", line) for line in output.splitlines()]
    closing = ""
    for line in reversed(lines):
        if re.search(r"\b(passed|failed|error|errors|skipped|no tests ran)\b", line):
            closing = line.strip(" =")
            break
    failures = [clip(line) for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return closing, failures


def nbval_reason(text: str) -> str:
    """One line from nbval's failure text: why (outputs differ, an exception) and the detail."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    why = next((m.group(1) for line in lines if (m := re.match(r"^Cell \d+: (.+)$", line))), None)
    after = lines[lines.index("Traceback:") + 1 :] if "Traceback:" in lines else []
    errors = [line for line in after if re.match(r"^[\w.]+(Error|Exception|Exit)\b", line)]
    detail = errors[-1] if errors else (after[0] if after else "")
    if why is None:
        return lines[0] if lines else "failed"
    return f"{why}: {detail}" if detail else why


def junit_cells(xml_text: str) -> tuple[dict[str, float], list[str]]:
    """Seconds per notebook and one line per failed cell, from nbval's JUnit XML."""
    seconds: dict[str, float] = {}
    failures: list[str] = []
    root = ElementTree.fromstring(xml_text)
    for case in root.iter("testcase"):
        match = re.search(
            r"(\d\d_[^/\\]*?)\.ipynb", case.get("classname", "") + case.get("file", "")
        )
        notebook = match.group(1) + ".ipynb" if match else case.get("classname", "?")
        seconds[notebook] = seconds.get(notebook, 0.0) + float(case.get("time", 0) or 0)
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            text = ANSI.sub("", problem.text or problem.get("message") or problem.tag)
            failures.append(f"{notebook} {case.get('name', '')}: {clip(nbval_reason(text))}")
    return seconds, failures


# ---------------------------------------------------------------------------------------
# The report (pure)
# ---------------------------------------------------------------------------------------


@dataclass
class NotebookRun:
    seconds: float | None = None
    status: str = "not run"
    errors: list[str] = field(default_factory=list)


@dataclass
class TestRun:
    command: str
    closing: str = ""
    failures: list[str] = field(default_factory=list)
    returncode: int | None = None

    @property
    def passed(self) -> bool:
        return self.returncode == 0


@dataclass
class Probe:
    """One start of Spark with the course's settings at log level WARN (see `probe`)."""

    env: str  # "before" or "after"
    java: str  # the first line of the JDK's `java -version`
    default: bool  # the Java the course runs on here (JAVA_HOME, else PATH)
    result: dict[str, Any] = field(default_factory=dict)
    new_lines: list[str] = field(default_factory=list)  # stderr lines the pinned run lacks
    notable: list[str] = field(default_factory=list)  # stderr lines about settings / Log4j


@dataclass
class CheckResult:
    date: str
    python: str
    rows: list[PlanRow]
    install_ok: bool = False
    install_detail: str = ""
    kernels: dict[str, str] = field(default_factory=dict)  # env -> what "pyspark" resolved to
    before: dict[str, NotebookRun] = field(default_factory=dict)
    after: dict[str, NotebookRun] = field(default_factory=dict)
    nbval_seconds: dict[str, float] = field(default_factory=dict)
    unit: TestRun | None = None
    nbval: TestRun | None = None
    changes: dict[str, list[CellChange]] = field(default_factory=dict)
    also_before: dict[str, set[int]] = field(default_factory=dict)  # cells changed on the pins
    cell_warnings: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    kernel_warnings: dict[str, list[str]] = field(default_factory=dict)
    level_leaks: dict[str, list[str]] = field(default_factory=dict)  # INFO/WARN lines
    probes: list[Probe] = field(default_factory=list)
    java_facts: list[str] = field(default_factory=list)
    other_moved: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def upgrade_changes(result: CheckResult) -> dict[str, list[CellChange]]:
    """The changed cells that did not also change on the pinned packages."""
    return {
        name: kept
        for name, changes in result.changes.items()
        if (kept := [c for c in changes if c.cell not in result.also_before.get(name, set())])
    }


def verdict(result: CheckResult) -> tuple[bool, list[str]]:
    """Whether the course passes unchanged, and the reasons it does not."""
    reasons = []
    failed_lookups = [r.pin.name for r in result.rows if r.lookup and r.lookup.error]
    if failed_lookups:
        reasons.append("newest version not found for: " + ", ".join(failed_lookups))
    if not result.install_ok:
        reasons.append("the scratch environment could not be installed")
    if result.unit is None or not result.unit.passed:
        reasons.append("unit tests: " + (result.unit.closing if result.unit else "not run"))
    if result.nbval is None or not result.nbval.passed:
        reasons.append("strict nbval: " + (result.nbval.closing if result.nbval else "not run"))
    broken = [name for name, run in result.after.items() if run.status != "ok" or run.errors]
    if broken:
        reasons.append("notebooks with errors: " + ", ".join(broken))
    changed = upgrade_changes(result)
    if changed:
        count = sum(len(v) for v in changed.values())
        reasons.append(f"{count} cell(s) changed output in " + ", ".join(changed))
    return not reasons, reasons


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return lines


def seconds_text(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.1f}"


def change_text(before: float | None, after: float | None) -> str:
    if before is None or after is None or before <= 0:
        return "-"
    return f"{after - before:+.1f} s ({(after - before) / before:+.0%})"


def write_report(result: CheckResult) -> str:
    ok, reasons = verdict(result)
    out = [
        "# Upgrade check: the course on the newest releases",
        "",
        f"Run on {result.date} with Python {result.python} by `make upgrade-check`"
        " (`tools/upgrade_check.py`). The scratch environment is `.upgrade-check/venv`;"
        " `.venv/` and the committed notebooks were not touched.",
        "",
        f"## Verdict: {'PASS' if ok else 'FAIL'}",
        "",
    ]
    if ok:
        out.append("The course passes unchanged on the packages below (exit status 0).")
    else:
        out.append("The course does not pass unchanged (exit status 1):")
        out.append("")
        out += [f"- {reason}" for reason in reasons]
    upgraded = [r for r in result.rows if r.upgraded]
    out += ["", "## Packages", ""]
    out.append(
        f"{len(upgraded)} of {sum(r.applies for r in result.rows)} pinned packages have a newer"
        f" release for Python {result.python}: "
        + (", ".join(f"{r.pin.name} {r.pin.version} → {r.target}" for r in upgraded) or "none")
        + "."
    )
    out.append("")
    table = []
    for row in result.rows:
        lookup = row.lookup
        here = (lookup.newest_for.get(result.python) or "none") if lookup else "-"
        checked = row.installed or row.target or "-"
        if row.upgraded:
            checked = f"**{checked}**"
        table.append(
            [
                row.pin.label,
                row.pin.source,
                row.pin.version,
                (lookup.newest or "?") if lookup else "-",
                here if row.applies else "-",
                checked if row.applies else "-",
                row.note,
            ]
        )
    out += markdown_table(
        [
            "package",
            "file",
            "pinned",
            "newest on PyPI",
            f"newest for Python {result.python}",
            "checked with",
            "note",
        ],
        table,
    )
    for row in result.rows:
        if not row.applies:
            out += [
                "",
                f"`{row.pin.name}=={row.pin.version} ; {row.pin.marker}` does not apply to"
                f" Python {result.python}: this run cannot check it.",
            ]
    if result.other_moved:
        out += ["", "Packages that are not pinned (dependencies) and differ from `.venv/`:", ""]
        out += markdown_table(["package", ".venv/", "scratch"], result.other_moved)
    if result.install_detail:
        out += ["", "Install: " + result.install_detail]

    out += ["", "## Spark", ""]
    out += spark_section(result)

    out += ["", "## Tests", ""]
    for label, run in (("Unit tests", result.unit), ("Strict nbval", result.nbval)):
        if run is None:
            out.append(f"- {label}: not run")
            continue
        state = "passed" if run.passed else "FAILED"
        out.append(f"- {label} (`{run.command}`): {state}: {run.closing or 'no closing line'}")
        out += [f"  - {failure}" for failure in run.failures[:30]]
    for name, run in result.after.items():
        if run.status != "ok" or run.errors:
            out.append(f"- {name} (executed in the scratch environment): {run.status}")
            out += [f"  - {error}" for error in run.errors]

    out += ["", "## Changed cells", ""]
    if not any(result.changes.values()):
        out.append(
            "No cell's output changed (nbval's sanitising applied; plots compared by pixels)."
        )
        out.append("")
    for name, changes in result.changes.items():
        if not changes:
            continue
        out += [f"### {name}", ""]
        for change in changes:
            pinned_too = change.cell in result.also_before.get(name, set())
            tail = " (differs on the pinned `.venv/` too: not caused by the upgrade)"
            out.append(f"- Cell {change.cell} (`{change.source}`){tail if pinned_too else ''}:")
            out += ["", "  ```"] + [f"  {line}" for line in change.lines] + ["  ```", ""]

    out += ["## New warnings", ""]
    any_warning = False
    for line, places, count in group_warnings(result.cell_warnings):
        any_warning = True
        out.append(f"- `{line}`: on stderr in the output of {count} cell(s):")
        out += [
            f"  {place}" + (";" if i < len(places) - 1 else ".") for i, place in enumerate(places)
        ]
    for name, lines in result.kernel_warnings.items():
        if lines:
            any_warning = True
            out.append(f"- {name}, on the kernel's stderr (not in the pinned run):")
            out += [f"  - `{line}`" for line in lines]
    for name, lines in result.level_leaks.items():
        if lines:
            any_warning = True
            out.append(f"- {name}: log lines below ERROR reached the kernel's stderr:")
            out += [f"  - `{line}`" for line in lines[:5]]
    for probe in result.probes:
        if probe.env == "after" and probe.new_lines:
            any_warning = True
            out.append(f"- Spark at log level WARN ({probe.java}), lines the pinned Spark lacks:")
            out += [f"  - `{line}`" for line in probe.new_lines]
    if not any_warning:
        out.append(
            "None: no new stderr in cell outputs, nothing new on the kernels' stderr, and"
            " nothing new from Spark at log level WARN."
        )

    out += ["", "## Notebook times", ""]
    out.append(
        "Seconds for one run in a fresh kernel (start, every cell, shut down), the pinned"
        " `.venv/` (before) against the scratch environment (after), on the same machine one"
        " after the other; the last column is the same notebook under strict nbval. One run"
        " each: a difference of a few seconds is within run-to-run noise"
        " (`bench/notebook_cost.py` measures with repeats)."
    )
    out.append("")
    names = list(dict.fromkeys([*result.before, *result.after, *result.nbval_seconds]))
    rows = []
    for name in names:
        before = result.before.get(name, NotebookRun()).seconds
        after = result.after.get(name, NotebookRun()).seconds
        rows.append(
            [
                name,
                seconds_text(before),
                seconds_text(after),
                change_text(before, after),
                seconds_text(result.nbval_seconds.get(name)),
            ]
        )
    both = [n for n in names if result.before.get(n, NotebookRun()).seconds is not None]
    both = [n for n in both if result.after.get(n, NotebookRun()).seconds is not None]
    if both and len(both) == len(names):
        total_before = sum(result.before[n].seconds or 0.0 for n in both)
        total_after = sum(result.after[n].seconds or 0.0 for n in both)
        total_nbval = sum(result.nbval_seconds.values()) if result.nbval_seconds else None
        rows.append(
            [
                "**all**",
                seconds_text(total_before),
                seconds_text(total_after),
                change_text(total_before, total_after),
                seconds_text(total_nbval),
            ]
        )
    out += markdown_table(["notebook", "before s", "after s", "change", "after, nbval s"], rows)

    out += ["", "## How it ran", ""]
    for env, where in result.kernels.items():
        out.append(f"- Kernel `{KERNEL_NAME}` in the {env} run: {where}")
    out += [f"- {note}" for note in result.notes]
    return "\n".join(out).rstrip() + "\n"


def spark_section(result: CheckResult) -> list[str]:
    out = []
    spark = next((r for r in result.rows if r.pin.key == "pyspark" and r.applies), None)
    if spark is not None:
        newest = spark.lookup.newest if spark.lookup else None
        if newest is None:
            out.append(
                f"- pyspark: pinned {spark.pin.version}; newest not looked up ({spark.note})."
            )
        elif spark.upgraded:
            out.append(
                f"- Newest pyspark on PyPI: **{newest}** (pinned {spark.pin.version});"
                f" this check ran on {spark.installed or spark.target}."
            )
        else:
            out.append(
                f"- Newest pyspark on PyPI: {newest} (pinned {spark.pin.version});"
                f" this check ran on {spark.installed or spark.target}: {spark.note}."
            )
    after = next((p for p in result.probes if p.env == "after" and p.default), None)
    before = next((p for p in result.probes if p.env == "before" and p.default), None)
    if after is None or not after.result:
        out.append("- The configuration probe did not run.")
    else:
        out += config_lines(after, before)
    if result.probes:
        out.append("")
        out.append(
            "Java: with each JDK found, Spark started with the course's spark-defaults.conf,"
            " ran a job and fitted a tiny LinearRegression (the probe)."
        )
        out.append("")
    javas = list(dict.fromkeys(p.java for p in result.probes))
    rows = []
    for java in javas:
        cells = [java]
        for env in ("before", "after"):
            probe = next((p for p in result.probes if p.env == env and p.java == java), None)
            if probe is None or not probe.result:
                cells.append("not run")
            elif probe.result.get("ok"):
                version = probe.result.get("java_version", "?")
                cells.append(
                    f"accepted (Java {version}, Spark {probe.result.get('spark_version')})"
                )
            else:
                cells.append("FAILED: " + str(probe.result.get("error", "?")))
        rows.append(cells)
    if rows:
        out += markdown_table(["JDK", "pinned `.venv/`", "scratch"], rows)
        out.append("")
    out += [f"- {fact}" for fact in result.java_facts]
    return out


def seen_text(value: str, seen: Any) -> str:
    if seen == value:
        return "as written"
    if seen and value in str(seen):
        return "as written, after options Spark adds itself"
    return clip(str(seen), 60)


def config_lines(after: Probe, before: Probe | None) -> list[str]:
    result = after.result
    out = []
    keys = result.get("keys", [])
    if keys:
        unknown = [k["key"] for k in keys if k.get("known") is False]
        unseen = [k["key"] for k in keys if k["value"] not in str(k.get("seen"))]
        verdict_line = (
            "every key is known to Spark" if not unknown else "NOT known: " + ", ".join(unknown)
        )
        if any(k.get("known") is None for k in keys):
            verdict_line = "could not ask Spark which keys it knows"
        out.append(
            f"- spark-defaults.conf ({len(keys)} keys) on Spark {result.get('spark_version')}:"
            f" {verdict_line}; "
            + (
                "Spark saw every value as written."
                if not unseen
                else "values Spark did not see as written: " + ", ".join(unseen)
            )
        )
        out.append("")
        out += markdown_table(
            ["key", "value in the file", "known to Spark", "value Spark saw"],
            [
                [
                    k["key"],
                    clip(k["value"], 60),
                    {True: "yes", False: "**no**", None: "?"}[k.get("known")],
                    seen_text(k["value"], k.get("seen")),
                ]
                for k in keys
            ],
        )
        out.append("")
    deprecated = [line for line in after.notable if "deprecat" in line.lower()]
    out.append(
        "- Spark's log at level WARN about the settings: "
        + (
            "; ".join(f"`{line}`" for line in after.notable)
            if after.notable
            else "nothing (no deprecated, unknown or ignored key)"
        )
        + ("" if not deprecated else " (deprecated keys: see the lines quoted)")
    )
    level, source = result.get("log4j_level"), result.get("log4j_source")
    if level:
        read = str(level).upper() == "WARN" and str(source).endswith("log4j.properties")
        state = "still read" if read else "NOT read as written"
        out.append(
            f"- log4j.properties: {state} by Log4j {result.get('log4j_version', '?')} (the"
            f" probe's copy sets level warn; the root logger's level was {level}; configuration"
            f" from `{source}`)."
        )
    else:
        out.append("- log4j.properties: could not ask Log4j: " + str(result.get("log4j_error", "")))
    status = [line for line in after.notable if "StatusLogger" in line]
    if status:
        out.append("- Log4j's own errors about the file: " + "; ".join(f"`{s}`" for s in status))
    if before and before.result.get("ok") and not after.result.get("ok"):
        out.append("- The probe ran on the pinned Spark but not on the new one.")
    return out


# ---------------------------------------------------------------------------------------
# Running things (not pure): environments, installs, notebooks, tests, probes
# ---------------------------------------------------------------------------------------


def shown(text: str) -> str:
    """A text with the paths of this machine made generic, for the report."""
    text = text.replace(str(REPO_ROOT), "<repo>")
    text = text.replace(str(Path.home()), "~")
    return text.replace(tempfile.gettempdir(), "<tmp>")


def relative(path: Path | str) -> str:
    """A path relative to the repository (symbolic links kept: a venv's python is one)."""
    absolute = os.path.abspath(path)
    root = os.path.abspath(REPO_ROOT)
    if absolute.startswith(root + os.sep):
        return absolute[len(root) + 1 :]
    return shown(absolute)


def inside(path: str, folder: Path) -> bool:
    return os.path.abspath(path).startswith(os.path.abspath(folder) + os.sep)


def log(message: str) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", flush=True)


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def site_pyspark(python: Path) -> str | None:
    """The folder of the pyspark package of that Python (its Spark: SPARK_HOME)."""
    done = subprocess.run(
        [str(python), "-c", "import pyspark, os; print(os.path.dirname(pyspark.__file__))"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None


def environment_for(venv: Path, java_home: str | None = None) -> dict[str, str]:
    """os.environ for a run in `venv` only: its Jupyter kernels, its bin/ first, its Spark."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    other_bins = {str((PINNED_VENV / "bin").resolve()), str((FOLDER / "venv" / "bin").resolve())}
    path = [
        p
        for p in env.get("PATH", "").split(os.pathsep)
        if p and str(Path(p).resolve()) not in other_bins
    ]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    env["VIRTUAL_ENV"] = str(venv)
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    spark_home = site_pyspark(venv_python(venv))
    if spark_home:
        env["SPARK_HOME"] = spark_home
    if java_home:
        env["JAVA_HOME"] = java_home
    return env


def run_logged(
    command: Sequence[str],
    log_file: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600,
    cwd: Path = REPO_ROOT,
) -> subprocess.CompletedProcess[str]:
    """Run a command (from the repository root); its output goes to `log_file` and is returned.

    The log ends with `--- exit N ---`; stderr follows `--- stderr ---`.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as error:
        output = (
            (error.stdout or b"").decode()
            if isinstance(error.stdout, bytes)
            else (error.stdout or "")
        )
        done = subprocess.CompletedProcess(
            list(command), 124, output, f"timed out after {timeout} s"
        )
    log_file.write_text(
        f"$ {' '.join(command)}\n{done.stdout}\n--- stderr ---\n{done.stderr}"
        f"\n--- exit {done.returncode} ---\n"
    )
    return done


def read_log(log_file: Path) -> tuple[str, str, int | None]:
    """(stdout, stderr, exit status or None) of a log written by run_logged."""
    text = log_file.read_text() if log_file.exists() else ""
    body = text.split("\n", 1)[1] if "\n" in text else ""
    match = re.search(r"\n--- exit (-?\d+) ---\n$", body)
    if match:
        body = body[: match.start()]
    stdout, _, stderr = body.partition("\n--- stderr ---\n")
    return stdout, stderr, int(match.group(1)) if match else None


def lookup(name: str, pythons: Sequence[str]) -> Lookup:
    """The newest versions of a package, overall and for each Python of `pythons`.

    PyPI's JSON API first; `pip index versions` (which only knows this Python) when it
    cannot be reached.
    """
    try:
        request = urllib.request.Request(
            PYPI_JSON.format(name=name), headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            releases = json.load(answer).get("releases", {})
        found = Lookup(None)
        for python in pythons:
            found.newest, found.newest_for[python] = newest_versions(releases, python)
        return found
    except (OSError, ValueError) as error:  # URLError is an OSError
        json_error = f"{type(error).__name__}: {error}"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", name, "--json"],
        capture_output=True,
        text=True,
    )
    versions = parse_pip_index(done.stdout) if done.returncode == 0 else []
    if versions:
        this = f"{sys.version_info.major}.{sys.version_info.minor}"
        return Lookup(None, {this: newest_of(versions)}, source="pip index versions")
    pip_error = done.stderr.strip()[-200:]
    return Lookup(None, error=f"lookup failed ({json_error}; pip: {pip_error})")


def uv_version() -> str | None:
    match = re.search(r"^uv_version=(\S+)", (REPO_ROOT / "setup" / "setup.sh").read_text(), re.M)
    return match.group(1) if match else None


def build_scratch(venv: Path, requirements: Path, logs: Path) -> tuple[bool, str]:
    """A new venv with the base interpreter of this Python, with `requirements` installed."""
    if venv.exists():
        shutil.rmtree(venv)
    base = getattr(sys, "_base_executable", sys.executable)
    done = run_logged([base, "-m", "venv", str(venv)], logs / "venv.log")
    if done.returncode != 0:
        return False, f"`python -m venv` failed: {done.stderr.strip()[-300:]}"
    python = str(venv_python(venv))
    quiet = ["--quiet", "--disable-pip-version-check"]
    version = uv_version()
    how = "pip"
    ok = False
    if version:
        done = run_logged(
            [python, "-m", "pip", "install", *quiet, f"uv=={version}"], logs / "uv.log"
        )
        if done.returncode == 0:
            uv = str(venv / "bin" / "uv")
            done = run_logged(
                [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", python]
                + ["-r", str(requirements)],
                logs / "install-uv.log",
            )
            ok, how = done.returncode == 0, f"uv {version}"
    first_error = "" if ok else (done.stderr.strip() or done.stdout.strip())
    if not ok:
        done = run_logged(
            [python, "-m", "pip", "install", *quiet, "-r", str(requirements)],
            logs / "install-pip.log",
        )
        ok, how = done.returncode == 0, "pip" + (" (after uv failed)" if version else "")
    if not ok:
        error = (done.stderr.strip() or done.stdout.strip()).splitlines()
        tail = " / ".join(line.strip() for line in error[-6:])
        return False, f"installing with {how} failed: {shown(tail)}" + (
            f"; uv said: {shown(first_error.splitlines()[-1])}" if first_error else ""
        )
    return True, f"installed with {how} from `{relative(requirements)}`"


def installed_versions(python: Path) -> dict[str, str]:
    code = (
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        return {}
    return {normalise(name): version for name, version in json.loads(done.stdout).items()}


def register_kernel(venv: Path, logs: Path) -> tuple[bool, str]:
    python = str(venv_python(venv))
    done = run_logged(
        [python, "setup/kernel.py", "--prefix", str(venv), "--no-check"],
        logs / "kernel.log",
        environment_for(venv),
    )
    # As setup.sh does: the course's JupyterLab settings in this environment, and
    # matplotlib's font cache built now, not in a notebook's output.
    run_logged(
        [python, "setup/lab.py", "--install-settings"], logs / "lab.log", environment_for(venv)
    )
    run_logged(
        [python, "-c", "import matplotlib.pyplot"], logs / "matplotlib.log", environment_for(venv)
    )
    return done.returncode == 0, shown(done.stdout.strip() or done.stderr.strip())


def resolved_kernel(venv: Path) -> tuple[bool, str]:
    """Which kernel "pyspark" a Jupyter of `venv` starts, and whether it is that venv's own."""
    code = (
        "import json; from jupyter_client.kernelspec import KernelSpecManager as K;"
        f"s = K().get_kernel_spec({KERNEL_NAME!r});"
        "print(json.dumps({'dir': s.resource_dir, 'python': s.argv[0],"
        " 'spark_home': s.env.get('SPARK_HOME', '')}))"
    )
    python = venv_python(venv)
    done = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, env=environment_for(venv)
    )
    if done.returncode != 0:
        return False, "not found: " + shown(
            done.stderr.strip().splitlines()[-1] if done.stderr else ""
        )
    spec = json.loads(done.stdout)
    own = all(inside(spec[key], venv) for key in ("dir", "python", "spark_home"))
    text = (
        f"`{relative(spec['dir'])}`, Python `{relative(spec['python'])}`,"
        f" SPARK_HOME `{relative(spec['spark_home'])}`"
    )
    return own, text


def execute_notebooks(
    venv: Path, out_dir: Path, notebooks: Sequence[Path]
) -> dict[str, NotebookRun]:
    """Run each notebook in its own process (and fresh kernel) of `venv`; keep the copies."""
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = {}
    env = environment_for(venv)
    for path in notebooks:
        stderr = out_dir / f"{path.stem}.stderr"
        command = [
            str(venv_python(venv)),
            str(Path(__file__).resolve()),
            "--execute-one",
            str(path),
            "--out",
            str(out_dir),
        ]
        started = time.perf_counter()
        with stderr.open("w") as sink:
            try:
                done = subprocess.run(
                    command,
                    cwd=REPO_ROOT,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=sink,
                    stdin=subprocess.DEVNULL,
                    text=True,
                    timeout=NOTEBOOK_TIMEOUT,
                )
                code = done.returncode
            except subprocess.TimeoutExpired:
                code = 124
        run = read_run(out_dir, path)
        if code != 0:
            run.status = f"the runner failed (exit {code}): {run.status}"
        runs[path.name] = run
        log(
            f"  {path.name}: {seconds_text(run.seconds)} s, {run.status}"
            + (f", {len(run.errors)} cell error(s)" if run.errors else "")
            + f" ({time.perf_counter() - started:.0f} s with start-up)"
        )
        wait_for_children()
    return runs


def read_run(out_dir: Path, path: Path) -> NotebookRun:
    """What one execution left in `out_dir`: its time, status and cell errors."""
    summary_file, copy = out_dir / f"{path.stem}.json", out_dir / path.name
    if summary_file.exists() and copy.exists():
        summary = json.loads(summary_file.read_text())
        run = NotebookRun(summary["seconds"], summary["status"])
        run.errors = cell_errors(json.loads(copy.read_text()))
        return run
    stderr = out_dir / f"{path.stem}.stderr"
    tail = stderr.read_text().strip().splitlines()[-1:] if stderr.exists() else ["not run"]
    return NotebookRun(None, shown(" ".join(tail)))


def wait_for_children(seconds: float = 30) -> None:
    """Give the JVMs of a run a moment to exit before the next Spark starts (never two at once).

    Waits for this process's children, and for any `java` whose command line names one of
    the two environments (its Spark's jars are inside it), which outlives its kernel briefly.
    """
    try:
        import psutil
    except ImportError:
        time.sleep(2)
        return
    ours = (str(PINNED_VENV), str(FOLDER / "venv"))

    def busy() -> bool:
        if psutil.Process().children(recursive=True):
            return True
        for process in psutil.process_iter(["name", "cmdline"]):
            command = " ".join(process.info.get("cmdline") or [])
            if process.info.get("name") == "java" and any(env in command for env in ours):
                return True
        return False

    deadline = time.monotonic() + seconds
    while busy() and time.monotonic() < deadline:
        time.sleep(0.2)


def execute_one(path: Path, out_dir: Path) -> int:
    """(Run inside an environment.) Execute a copy of one notebook; save it and its time."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    notebook = nbformat.read(path, as_version=4)
    status = "ok"
    started = time.perf_counter()
    try:
        NotebookClient(
            notebook,
            kernel_name=KERNEL_NAME,
            timeout=CELL_TIMEOUT,
            allow_errors=True,  # run every cell, so that every changed output is seen
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    except (CellTimeoutError, DeadKernelError) as error:
        status = "stopped: " + clip(ANSI.sub("", str(error)).strip().splitlines()[-1])
    except Exception as error:  # the kernel did not start, and the like
        status = f"did not run: {type(error).__name__}: {clip(str(error).strip())}"
    seconds = time.perf_counter() - started
    nbformat.write(notebook, out_dir / path.name)
    summary = {"seconds": round(seconds, 2), "status": status}
    (out_dir / f"{path.stem}.json").write_text(json.dumps(summary))
    return 0


def probe(out: Path) -> int:
    """(Run inside an environment.) Start Spark with SPARK_CONF_DIR's files; record what it saw."""
    result: dict[str, Any] = {"ok": False}
    spark = None
    try:
        from pyspark.sql import SparkSession

        spark = SparkSession.builder.getOrCreate()
        context = spark.sparkContext
        jvm = context._jvm
        result["spark_version"] = spark.version
        result["java_version"] = jvm.java.lang.System.getProperty("java.version")
        conf = context.getConf()
        keys = []
        defaults = Path(os.environ["SPARK_CONF_DIR"]) / "spark-defaults.conf"
        for key, value in read_spark_defaults(defaults.read_text()):
            seen = conf.get(key, None)
            if seen is None:
                try:
                    seen = spark.conf.get(key)
                except Exception:
                    seen = None
            try:
                entry = jvm.org.apache.spark.internal.config.ConfigEntry.findEntry(key)
                known: bool | None = entry is not None
            except Exception:
                known = None
            keys.append({"key": key, "value": value, "seen": seen, "known": known})
        result["keys"] = keys
        try:
            log_manager = jvm.org.apache.logging.log4j.LogManager
            result["log4j_level"] = log_manager.getRootLogger().getLevel().toString()
            source = log_manager.getContext(False).getConfiguration().getConfigurationSource()
            location = source.getLocation()
            result["log4j_source"] = str(location) if location else None
            result["log4j_version"] = (
                log_manager.getContext(False).getClass().getPackage().getImplementationVersion()
            )
        except Exception as error:
            result["log4j_error"] = f"{type(error).__name__}: {str(error).splitlines()[0]}"
        total = spark.range(1000).selectExpr("sum(id) AS total").collect()[0]["total"]
        assert total == 499500, total
        from pyspark.ml.linalg import Vectors
        from pyspark.ml.regression import LinearRegression

        rows = [(2.0 * x + 1.0, Vectors.dense([float(x)])) for x in range(10)]
        model = LinearRegression().fit(spark.createDataFrame(rows, ["label", "features"]))
        result["slope"] = round(float(model.coefficients[0]), 6)
        result["ok"] = abs(result["slope"] - 2.0) < 1e-6
        if not result["ok"]:
            result["error"] = f"LinearRegression found slope {result['slope']}, not 2"
    except Exception as error:
        lines = [line for line in str(error).strip().splitlines() if line.strip()]
        result["error"] = f"{type(error).__name__}: {clip(lines[0] if lines else '')}"
    finally:
        if spark is not None:
            try:
                spark.stop()
            except Exception:
                pass
    out.write_text(json.dumps(result, indent=1))
    return 0


def probe_conf(folder: Path) -> Path:
    """A copy of the course's two files with Log4j's level at warn, for the probes."""
    conf = folder / "probe-conf"
    conf.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO_ROOT / "spark-defaults.conf", conf / "spark-defaults.conf")
    text = (REPO_ROOT / "log4j.properties").read_text()
    text, count = re.subn(r"(?m)^property\.level\s*=.*$", "property.level = warn", text)
    if not count:
        text += "\nrootLogger.level = warn\n"
    (conf / "log4j.properties").write_text(text)
    return conf


def run_probe(venv: Path, conf: Path, out: Path, java_home: str | None) -> dict[str, Any]:
    env = environment_for(venv, java_home)
    env["SPARK_CONF_DIR"] = str(conf)
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env["PYSPARK_PYTHON"] = str(venv_python(venv))
    # Log4j reads `-Dlog4j2.configurationFile=log4j.properties` from the working folder
    # first, then from the classpath (SPARK_CONF_DIR): run where only the probe's copy is.
    done = run_logged(
        [str(venv_python(venv)), str(Path(__file__).resolve()), "--probe", str(out)],
        out.with_suffix(".log"),
        env,
        900,
        cwd=conf,
    )
    result = json.loads(out.read_text()) if out.exists() else {"ok": False, "error": "no result"}
    if done.returncode != 0 and "error" not in result:
        result["error"] = shown((done.stderr.strip().splitlines() or ["?"])[-1])
    wait_for_children()
    return result


def notable_lines(stderr: str, keys: Iterable[str]) -> list[str]:
    """Lines of Spark's log that speak of the settings: a key's name, deprecation, Log4j."""
    words = re.compile(r"deprecat|not supported|unknown|unrecogni[sz]ed|ignor|StatusLogger", re.I)
    keys = list(keys)
    found = []
    for line in stderr.splitlines():
        if words.search(line) or any(key in line for key in keys):
            found.append(clip(shown(LOG_TIMESTAMP.sub("", line.strip()))))
    return list(dict.fromkeys(found))


def java_version_line(java: str) -> str:
    """The first line of `java -version`, e.g. 'openjdk version "17.0.15" 2025-04-15'."""
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{Path(java).name} does not run ({type(error).__name__})"
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown Java"


def find_jdks(extra: Sequence[str]) -> list[tuple[str, str | None]]:
    """(label, JAVA_HOME) of the default Java (home None), every JDK installed beside it
    (the other folders of its parent that hold bin/java) and the --java-home ones."""
    sys.path.insert(0, str(REPO_ROOT / "setup"))
    import check  # setup/check.py: the same Java that Spark's launcher takes

    java, _ = check.find_java(os.environ)
    if not java:
        return [("no Java found (default)", None)]
    found: list[tuple[str, str | None]] = [(java_version_line(java) + " (default)", None)]
    default_home = Path(java).resolve().parent.parent
    homes = [Path(home) for home in extra]
    try:
        homes += sorted(p for p in default_home.parent.iterdir() if (p / "bin" / "java").is_file())
    except OSError:
        pass
    seen = {default_home}
    for home in homes:
        real = home.resolve()
        if real not in seen and (real / "bin" / "java").is_file():
            seen.add(real)
            found.append((java_version_line(str(real / "bin" / "java")), str(real)))
    return found


def default_java_label() -> str:
    sys.path.insert(0, str(REPO_ROOT / "setup"))
    import check

    java, _ = check.find_java(os.environ)
    return java_version_line(java) if java else "no Java found"


def java_facts(spark_home: str | None, site: Path | None) -> list[str]:
    """What the installed pyspark itself says about Java: its jars and its metadata."""
    facts = []
    if spark_home:
        jars = sorted(Path(spark_home, "jars").glob("spark-core_*.jar"))
        if jars:
            with zipfile.ZipFile(jars[0]) as jar:
                manifest = jar.read("META-INF/MANIFEST.MF").decode(errors="replace")
                fields = dict(re.findall(r"^([\w-]+): (.*?)\r?$", manifest, re.M))
                klass = jar.read("org/apache/spark/SparkContext.class")
            major = struct.unpack(">H", klass[6:8])[0]
            facts.append(
                f"`{jars[0].name}` is built for Java {fields.get('Build-Jdk-Spec', '?')}"
                f" (its classes are class-file version {major}, which needs Java {major - 44}"
                " or newer): older Java cannot run it; newer Java is not ruled out by this."
            )
        log4j = sorted(Path(spark_home, "jars").glob("log4j-core-*.jar"))
        if log4j:
            facts.append(f"Log4j in the wheel: `{log4j[0].name}`.")
    if site:
        metadata = sorted(site.glob("pyspark-*.dist-info/METADATA"))
        if metadata:
            text = metadata[0].read_text(errors="replace")
            mentions = sorted(set(re.findall(r"(?:Java|JDK)\s*\d+(?:/\d+)*", text)))
            requires = re.search(r"^Requires-Python: (.*)$", text, re.M)
            facts.append(
                f"pyspark's package metadata (`{metadata[0].parent.name}`): "
                + (
                    "mentions " + ", ".join(mentions)
                    if mentions
                    else "names no Java version (only Requires-Python: "
                    + (requires.group(1) if requires else "?")
                    + ")"
                )
                + "."
            )
    return facts


def java_summary(probes: Sequence[Probe], facts: list[str], spark_version: str | None) -> list[str]:
    """Lines on Java 17 and 21: what ran, and what could not be checked here."""
    lines = []
    for wanted in (17, 21):
        ran = [
            p
            for p in probes
            if p.env == "after"
            and str(p.result.get("java_version", "")).split(".")[0] == str(wanted)
        ]
        if ran:
            state = "accepted" if all(p.result.get("ok") for p in ran) else "FAILED"
            lines.append(
                f"Java {wanted}: {state} (the probe ran on Java"
                f" {ran[0].result.get('java_version')})."
            )
        else:
            lines.append(f"Java {wanted}: not checked by running: no JDK {wanted} was found here.")
    version = spark_version or "latest"
    lines.append(
        "Spark's documentation states the supported Java versions (Downloading section of"
        f" https://spark.apache.org/docs/{version}/); this check cannot reach it, read it by hand"
        " before moving the pyspark pin."
    )
    return facts + lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--packages", default="", help='only these packages (e.g. "numpy matplotlib"); default all'
    )
    parser.add_argument(
        "--report", type=Path, default=FOLDER / "report.md", help="where to write the report"
    )
    parser.add_argument("--no-before", action="store_true", help="skip the runs on .venv/")
    parser.add_argument("--java-home", action="append", default=[], help="also probe this JDK")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="run nothing: rebuild the report from what the last run left in .upgrade-check/",
    )
    parser.add_argument(
        "--rerun",
        action="append",
        default=[],
        choices=STEPS,
        help="run only this step again in the last run's scratch environment, then report",
    )
    parser.add_argument("--execute-one", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.execute_one:
        return execute_one(args.execute_one.resolve(), args.out.resolve())
    if args.probe:
        return probe(args.probe)
    return run_check(args)


def make_plan(packages: str) -> list[PlanRow] | str:
    """Look up the newest releases and choose each package's version (or say what is wrong)."""
    environment = marker_environment()
    python = environment["python_version"]
    pins = read_pins()
    chosen = {normalise(name) for name in re.split(r"[\s,]+", packages) if name} or None
    unknown = (chosen or set()) - {pin.key for pin in pins}
    if unknown:
        names = ", ".join(sorted({pin.name for pin in pins}))
        return f"not pinned in requirements*.txt: {', '.join(sorted(unknown))} (pinned: {names})"
    log("looking up the newest releases on PyPI")
    lookups: dict[str, Lookup] = {}
    for pin in pins:
        if (chosen is None or pin.key in chosen) and pin.key not in lookups:
            pythons = [python]
            for other in pins:
                if other.key == pin.key and other.marker and not pin_applies(other, environment):
                    pythons += [v for v in [python_for_marker(other.marker)] if v]
            lookups[pin.key] = lookup(pin.name, pythons)
    rows = plan_upgrades(pins, lookups, chosen, environment)
    for row in rows:
        log(f"  {row.pin.label}: {row.pin.version} -> {row.target or '-'} ({row.note})")
    return rows


def prepare_scratch(result: CheckResult, venv: Path, with_before: bool) -> None:
    """Build the scratch venv, register its kernel, and check which kernel each run gets."""
    requirements = FOLDER / "requirements.txt"
    requirements.write_text(scratch_requirements(result.rows))
    log("building .upgrade-check/venv (a new venv with these versions)")
    result.install_ok, result.install_detail = build_scratch(venv, requirements, LOGS)
    if result.install_ok:
        ok, detail = register_kernel(venv, LOGS)
        if not ok:
            result.install_ok = False
            result.install_detail = "registering the kernel failed: " + detail
    if result.install_ok:
        for name, where in [("after", venv)] + ([("before", PINNED_VENV)] if with_before else []):
            own, text = resolved_kernel(where)
            if not own:
                result.install_ok = False
                result.install_detail = f"the {name} run would start another kernel: {text}"
    log(f"  {result.install_detail}")
    state = {"ok": result.install_ok, "detail": result.install_detail}
    (FOLDER / "install.json").write_text(json.dumps(state))


def load_install(result: CheckResult, venv: Path) -> None:
    """The install step of an earlier run, from what it left in .upgrade-check/."""
    saved = FOLDER / "install.json"
    if saved.exists():
        state = json.loads(saved.read_text())
        result.install_ok, result.install_detail = state["ok"], state["detail"]
        return
    result.install_ok = site_pyspark(venv_python(venv)) is not None
    how = f"uv {uv_version()}" if (LOGS / "install-uv.log").exists() else "pip"
    if (LOGS / "install-pip.log").exists():
        how = "pip (after uv failed)"
    result.install_detail = f"installed with {how} from `.upgrade-check/requirements.txt`"


def execute_step(venv: Path, notebooks: Sequence[Path], with_before: bool) -> None:
    """Execute every notebook on the pinned .venv/ (before), then in the scratch env (after)."""
    for folder in (FOLDER / "before", FOLDER / "after"):
        shutil.rmtree(folder, ignore_errors=True)
    if with_before:
        log("executing every notebook on the pinned .venv/ (before)")
        execute_notebooks(PINNED_VENV, FOLDER / "before", notebooks)
    log("executing every notebook in the scratch environment (after)")
    execute_notebooks(venv, FOLDER / "after", notebooks)


def tests_step(venv: Path) -> None:
    """The unit tests, then strict nbval over every notebook, in the scratch environment."""
    python, env = str(venv_python(venv)), environment_for(venv)
    options = ["-q", "-rfEs", "--color=no"]
    log("unit tests in the scratch environment: pytest " + " ".join(UNIT_TESTS))
    done = run_logged([python, "-m", "pytest", *UNIT_TESTS, *options], LOGS / "unit.log", env)
    log("  " + pytest_outcome(done.stdout)[0])
    wait_for_children()
    log("strict nbval over every notebook in the scratch environment")
    junit = FOLDER / "nbval.xml"
    junit.unlink(missing_ok=True)
    command = [python, "-m", "pytest", *NBVAL, *options, f"--junitxml={junit}"]
    done = run_logged(command, LOGS / "nbval.log", env)
    log("  " + pytest_outcome(done.stdout)[0])
    wait_for_children()


def probes_step(venv: Path, java_homes: Sequence[str], with_before: bool) -> None:
    """Spark with the course's settings at log level WARN: per environment and per JDK."""
    log("Spark probes: the configuration at log level WARN, on every JDK found")
    folder = FOLDER / "probes"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    conf = probe_conf(FOLDER)
    envs = ([("before", PINNED_VENV)] if with_before else []) + [("after", venv)]
    number = 0
    for label, home in find_jdks(java_homes):
        for env_name, where in envs:
            out = folder / f"{number:02d}-{env_name}.json"
            number += 1
            found = run_probe(where, conf, out, home)
            found.update({"env": env_name, "label": label, "default": home is None})
            out.write_text(json.dumps(found, indent=1))
            state = "ok" if found.get("ok") else found.get("error")
            log(f"  {env_name}, {label}: {state}")


def test_run(command: str, log_file: Path) -> TestRun | None:
    if not log_file.exists():
        return None
    stdout, _, code = read_log(log_file)
    closing, failures = pytest_outcome(stdout)
    if code is None:  # a log from before exit statuses were written
        code = 0 if closing and not re.search(r"\b(failed|errors?)\b", closing) else 1
    return TestRun(command, closing, failures, code)


def analyse(result: CheckResult, venv: Path, notebooks: Sequence[Path]) -> None:
    """Fill in the result from what the steps left in .upgrade-check/."""
    patterns = sanitize_patterns(SANITIZE_FILE.read_text())
    before_dir, after_dir = FOLDER / "before", FOLDER / "after"
    with_before = before_dir.is_dir()
    installed = installed_versions(venv_python(venv))
    pinned_env = installed_versions(venv_python(PINNED_VENV))
    for row in result.rows:
        row.installed = installed.get(row.pin.key) if row.applies else None
    pinned = {row.pin.key for row in result.rows} | {"pip", "setuptools", "uv"}
    result.other_moved = sorted(
        (name, pinned_env.get(name, "-"), version)
        for name, version in installed.items()
        if name not in pinned and pinned_env.get(name) != version
    )
    for name, where in [("after", venv)] + ([("before", PINNED_VENV)] if with_before else []):
        result.kernels[name] = resolved_kernel(where)[1]
    for path in notebooks:
        if with_before:
            result.before[path.name] = read_run(before_dir, path)
        run = result.after[path.name] = read_run(after_dir, path)
        if run.seconds is None or run.status.startswith("did not run"):
            continue
        stored = json.loads(path.read_text())
        fresh = json.loads((after_dir / path.name).read_text())
        result.changes[path.name] = compare_notebooks(stored, fresh, patterns)
        result.cell_warnings[path.name] = new_stderr_lines(stored, fresh, patterns)
        after_err = (after_dir / f"{path.stem}.stderr").read_text()
        result.level_leaks[path.name] = [
            clip(line) for line in after_err.splitlines() if LOG_LEVEL_LINE.match(line)
        ]
        if with_before and (before_dir / path.name).exists():
            pinned_copy = json.loads((before_dir / path.name).read_text())
            changed = compare_notebooks(stored, pinned_copy, patterns)
            result.also_before[path.name] = {change.cell for change in changed}
            before_err = (before_dir / f"{path.stem}.stderr").read_text()
            result.kernel_warnings[path.name] = new_log_lines(before_err, after_err)
    result.unit = test_run('pytest -m "not slow" tests', LOGS / "unit.log")
    shown_nbval = "pytest " + " ".join(NBVAL).replace("--nbval-cell-timeout 900 ", "")
    result.nbval = test_run(shown_nbval, LOGS / "nbval.log")
    junit = FOLDER / "nbval.xml"
    if result.nbval and junit.exists():
        result.nbval_seconds, cell_failures = junit_cells(junit.read_text())
        result.nbval.failures = cell_failures or result.nbval.failures
    analyse_probes(result, venv)


def step_times(venv: Path) -> str:
    """When each step last wrote its results (UTC), from the files' times."""

    def when(paths: Iterable[Path]) -> str | None:
        times = sorted(path.stat().st_mtime for path in paths if path.exists())
        if not times:
            return None
        first, last = (datetime.fromtimestamp(t, UTC) for t in (times[0], times[-1]))
        text = first.strftime("%Y-%m-%d %H:%M")
        return text + (f"-{last.strftime('%H:%M')}" if last.strftime("%H:%M") != text[-5:] else "")

    steps = {
        "install": [venv / "pyvenv.cfg"],
        "notebooks before/after": [*FOLDER.glob("before/*.json"), *FOLDER.glob("after/*.json")],
        "unit tests": [LOGS / "unit.log"],
        "nbval": [LOGS / "nbval.log"],
        "probes": list(FOLDER.glob("probes/*.json")),
    }
    found = [f"{name} {at}" for name, files in steps.items() if (at := when(files))]
    return "When each step ran (UTC): " + "; ".join(found) + "."


def analyse_probes(result: CheckResult, venv: Path) -> None:
    conf = FOLDER / "probe-conf" / "spark-defaults.conf"
    keys = [key for key, _ in read_spark_defaults(conf.read_text())] if conf.exists() else []
    stderr_of: dict[tuple[str, str], str] = {}
    for file in sorted((FOLDER / "probes").glob("*.json")):
        found = json.loads(file.read_text())
        if "env" not in found:
            continue  # from a version of this script that did not label its probes
        env_name, label, default = found.pop("env"), found.pop("label"), found.pop("default")
        if found.get("log4j_source"):
            found["log4j_source"] = relative(found["log4j_source"].removeprefix("file:"))
        stderr = read_log(file.with_suffix(".log"))[1]
        stderr_of[(env_name, label)] = stderr
        item = Probe(env_name, label, default, found, notable=notable_lines(stderr, keys))
        if env_name == "after" and ("before", label) in stderr_of:
            item.new_lines = new_log_lines(stderr_of[("before", label)], stderr)
        result.probes.append(item)
    spark = next((r for r in result.rows if r.pin.key == "pyspark" and r.applies), None)
    spark_home = site_pyspark(venv_python(venv))
    site = Path(spark_home).parent if spark_home else None
    facts = java_facts(spark_home, site)
    result.java_facts = java_summary(result.probes, facts, spark.installed if spark else None)


def run_check(args: argparse.Namespace) -> int:
    if not venv_python(PINNED_VENV).exists():
        print("no .venv/: run `make setup-dev` first")
        return 2
    started = time.perf_counter()
    venv = FOLDER / "venv"
    again = args.report_only or bool(args.rerun)
    if again and not venv_python(venv).exists():
        print("no scratch environment from an earlier run: run the whole check first")
        return 2
    FOLDER.mkdir(exist_ok=True)
    rows = make_plan(args.packages)
    if isinstance(rows, str):
        print(rows)
        return 2
    result = CheckResult(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        python=marker_environment()["python_version"],
        rows=rows,
    )
    with_before = not args.no_before
    if again:
        load_install(result, venv)
        steps = set(args.rerun)
        with_before = with_before and (FOLDER / "before").is_dir()
    else:
        for old in ("before", "after", "probes", "logs"):
            shutil.rmtree(FOLDER / old, ignore_errors=True)
        (FOLDER / "nbval.xml").unlink(missing_ok=True)
        prepare_scratch(result, venv, with_before)
        steps = set(STEPS)
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if result.install_ok:
        if "notebooks" in steps:
            execute_step(venv, notebooks, with_before)
        if "tests" in steps:
            tests_step(venv)
        if "probes" in steps:
            probes_step(venv, args.java_home, with_before)
        analyse(result, venv, notebooks)
    result.notes += [
        f"Python {platform.python_version()}; default Java: {default_java_label()};"
        f" {os.cpu_count()} cores.",
        "Logs of every step: `.upgrade-check/logs/`; executed copies of the notebooks and each"
        " kernel's stderr: `.upgrade-check/before/` and `.upgrade-check/after/`.",
    ]
    if result.install_ok:
        result.notes.append(step_times(venv))
    if again:
        redone = ", ".join(sorted(steps)) or "none"
        result.notes.append(
            f"This report was rebuilt from the results an earlier run left in `.upgrade-check/`"
            f" (this time run again: {redone})."
        )
    else:
        result.notes.append(f"The whole check took {(time.perf_counter() - started) / 60:.1f} min.")
    report = shown(write_report(result))  # no path of this machine in the report
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report)
    ok, reasons = verdict(result)
    log(f"report: {relative(args.report)}")
    print("PASS: the course passes unchanged" if ok else "FAIL: " + "; ".join(reasons))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
