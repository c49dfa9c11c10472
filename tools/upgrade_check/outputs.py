"""What changed in a notebook's outputs or a process's stderr, told short. Outputs are compared
as strict nbval compares them (its sanitising, its ignore markers), and plots too, which nbval
does not compare: by their pixels, so a PNG with other metadata (matplotlib's version) is equal.
"""

from __future__ import annotations

import base64
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from PIL import Image

Notebook = dict[str, Any]
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
LOG_TIMESTAMP = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d ")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SITE_PACKAGES = re.compile(r"\S*[/\\]site-packages[/\\]")  # which environment's is noise
ORDER = {kind: place for place, kind in enumerate(["stdout", "stderr", "error", "text/plain"])}
IGNORED = ("nbval-ignore-output", "nbval-skip", "# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP")


@dataclass
class CellChange:
    cell: int  # nbval's cell number: the index among the code cells
    source: str  # its first line of code
    lines: list[str]


def clip(line: str, width: int = 160) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def limited(lines: list[str], limit: int, what: str) -> list[str]:
    more = [f"… and {len(lines) - limit} more {what}"] if len(lines) > limit else []
    return lines[:limit] + more


def text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def code_cells(notebook: Notebook) -> list[dict[str, Any]]:
    return [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]


def outputs(cell: dict[str, Any], patterns: list[tuple[str, str]]) -> dict[str, list[str]]:
    """A code cell's outputs by kind (stdout, stderr, error, a MIME type), texts sanitised and
    streams of one name joined, as nbval does."""
    found: dict[str, list[str]] = {}
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            joined = found.setdefault(out["name"], [""])
            joined[0] += SITE_PACKAGES.sub(".../site-packages/", ANSI.sub("", text(out["text"])))
        elif out["output_type"] == "error":
            evalue = ANSI.sub("", out["evalue"]).strip()
            found.setdefault("error", []).append(f"{out['ename']}: {evalue}")
        for mime, value in out.get("data", {}).items():
            found.setdefault(mime, []).append(text(value))
    for kind, values in found.items():
        if not kind.startswith("image/"):
            for regex, replace in patterns:
                values[:] = [re.sub(regex, replace, value) for value in values]
    return found


def describe_image(old: str, new: str) -> str | None:
    """None when two base64 images show the same pixels, else how they differ."""
    if old == new:
        return None
    data = [base64.b64decode(image) for image in (old, new)]
    try:
        a, b = (Image.open(io.BytesIO(raw)).convert("RGBA") for raw in data)
    except (OSError, ValueError):
        return "plot: the image changed (not a readable image)"
    if a.size == b.size and a.tobytes() == b.tobytes():
        return None
    (w1, h1), (w2, h2), (n1, n2) = a.size, b.size, map(len, data)
    if a.size == b.size:
        return f"plot changed: same size {w1}x{h1} px, {n1:,} -> {n2:,} bytes"
    return f"plot changed: {w1}x{h1} px, {n1:,} bytes -> {w2}x{h2} px, {n2:,} bytes"


def numbers_moved(old: str, new: str) -> str | None:
    """The old line with each changed number shown as `old→new`, when only numbers differ."""
    if NUMBER.sub("#", old) != NUMBER.sub("#", new):
        return None
    fresh = iter(NUMBER.findall(new))
    return NUMBER.sub(lambda m: m[0] if (n := next(fresh)) == m[0] else f"{m[0]}→{n}", old)


def text_changes(old: str, new: str, limit: int = 12) -> list[str]:
    """A short diff: `~` a line whose numbers moved, `-` a line gone, `+` a new one."""
    a, b, out = old.splitlines(), new.splitlines(), []
    for tag, i, j, k, m in difflib.SequenceMatcher(None, a, b, False).get_opcodes():
        gone, came = (a[i:j], b[k:m]) if tag != "equal" else ([], [])
        for before, after in zip(gone, came, strict=False) if tag == "replace" else []:
            moved = numbers_moved(before, after)
            pair = [f"- {clip(before)}", f"+ {clip(after)}"]
            out += pair if moved is None else [f"~ {clip(moved.strip())}"]
        if tag == "replace":
            gone, came = gone[len(came) :], came[len(gone) :]
        out += [f"- {clip(line)}" for line in gone] + [f"+ {clip(line)}" for line in came]
    return limited(out, limit, "changed lines")


def compare(stored: Notebook, fresh: Notebook, patterns) -> list[CellChange]:
    """Every code cell whose fresh outputs differ from the stored ones, summarised."""
    changes = []
    fresh_cells = code_cells(fresh) + [{}] * len(code_cells(stored))  # a run cut short
    for number, (cell, new_cell) in enumerate(zip(code_cells(stored), fresh_cells, strict=False)):
        marks = [*cell.get("metadata", {}).get("tags", []), text(cell.get("source", ""))]
        if cell.get("execution_count") is None or any(m in x for m in IGNORED for x in marks):
            continue  # nbval does not compare these either
        old, new, lines = outputs(cell, patterns), outputs(new_cell, patterns), []
        for kind in sorted(old.keys() | new.keys(), key=lambda k: (ORDER.get(k, 9), k)):
            before, after = old.get(kind, []), new.get(kind, [])
            if kind.startswith("image/") and before != after:
                if len(before) != len(after):
                    lines.append(f"[{kind}] {len(before)} -> {len(after)} images")
                lines += [f"[{kind}] {d}" for d in map(describe_image, before, after) if d]
            elif diff := text_changes("\n".join(before), "\n".join(after)):
                lines += [f"[{kind}]" + ("" if before else " new output"), *diff]
        if lines:
            code = [s.strip() for s in text(cell["source"]).splitlines() if s.strip()]
            code = [s for s in code if not s.startswith("#")] or [""]
            changes.append(CellChange(number, clip(code[0], 80), lines))
    return changes


def new_stderr_lines(stored: Notebook, fresh: Notebook, patterns) -> list[tuple[int, str]]:
    """(cell, line) for each stderr line of a fresh run that the stored cell lacks. A Python
    warning is its message, then the indented code that warned: the message says it all."""
    found = []
    for number, cells in enumerate(zip(code_cells(stored), code_cells(fresh), strict=False)):
        old, new = ("".join(outputs(c, patterns).get("stderr", [])).splitlines() for c in cells)
        found += [(number, clip(x, 300)) for x in new if x[:1].strip() and x not in old]
    return found


def group_warnings(found: dict[str, list[tuple[int, str]]]) -> list[tuple[str, list[str], int]]:
    """Each distinct warning (numbers aside), the cells that printed it, and how many."""
    groups: dict[str, tuple[str, dict[str, list[int]]]] = {}
    for notebook, lines in found.items():
        for cell, line in lines:
            groups.setdefault(log_key(line), (line, {}))[1].setdefault(notebook, []).append(cell)
    out = []
    for line, where in groups.values():
        cells = {notebook: list(dict.fromkeys(numbers)) for notebook, numbers in where.items()}
        places = [
            f"{n} Cell{'s' * (len(c) > 1)} {', '.join(map(str, c))}" for n, c in cells.items()
        ]
        out.append((line, places, sum(map(len, cells.values()))))
    return out


def cell_errors(notebook: Notebook) -> list[str]:
    """'Cell N: Name: first line of the message' for each error output of a notebook."""
    return [
        f"Cell {number}: {clip(error.splitlines()[0])}"
        for number, cell in enumerate(code_cells(notebook))
        for error in outputs(cell, []).get("error", [])
    ]


def log_key(line: str) -> str:
    """A log line without its time stamp, hex ids and numbers (ports, pids) collapsed."""
    line = re.sub(r"\b[0-9a-f]{6,}\b", "H", LOG_TIMESTAMP.sub("", line.strip()))
    return re.sub(r"\d+", "N", line)


def new_log_lines(before: str, after: str, limit: int = 20) -> list[str]:
    """Lines of `after` (a process's stderr) that `before` has no line like, numbers aside.
    Indented lines continue the line above (a warning's code line, a stack frame)."""
    known, found = {log_key(line) for line in before.splitlines()}, {}
    for line in after.splitlines():
        if line[:1].strip() and log_key(line) not in known:
            shown = SITE_PACKAGES.sub(".../site-packages/", LOG_TIMESTAMP.sub("", line.strip()))
            found.setdefault(log_key(line), clip(shown, 300))
    return limited(list(found.values()), limit, "new lines")


def pytest_outcome(output: str) -> tuple[str, list[str]]:
    """A pytest run's closing line (without the ===) and its FAILED/ERROR summary lines."""
    lines = [ANSI.sub("", line) for line in output.splitlines()]
    words = re.compile(r"\b(passed|failed|errors?|skipped|no tests ran)\b")
    closing = next((line.strip(" =") for line in reversed(lines) if words.search(line)), "")
    return closing, [clip(line) for line in lines if line.startswith(("FAILED ", "ERROR "))]


def notable_lines(stderr: str, keys: Iterable[str]) -> list[str]:
    """Lines of Spark's log that speak of the settings: a key's name, deprecation, Log4j."""
    words = re.compile(r"deprecat|not supported|unknown|unrecogni[sz]ed|ignor|StatusLogger", re.I)
    lines = [LOG_TIMESTAMP.sub("", line.strip()) for line in stderr.splitlines()]
    return [clip(x) for x in dict.fromkeys(lines) if words.search(x) or any(k in x for k in keys)]
