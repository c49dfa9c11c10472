"""What the check found, its verdict (the exit status) and its Markdown report."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course_facts import REPO_ROOT

from .outputs import CellChange, clip, group_warnings
from .versions import Row

JDK_ROW = ("java", "before", "after")  # a probe's label, and its outcome in each environment


@dataclass
class NotebookRun:
    seconds: float | None  # a fresh kernel: start, every cell, shut down
    status: str = "ok"
    errors: list[str] = field(default_factory=list)


@dataclass
class TestRun:
    command: str
    returncode: int
    closing: str  # pytest's last line
    failures: list[str]


@dataclass
class Result:
    date: str
    python: str
    rows: list[Row] = field(default_factory=list)
    resolve_error: str = ""  # uv's, when it found no set of versions
    install: str = ""  # how the scratch environment was made, or why it was not
    kernels: dict[str, str] = field(default_factory=dict)  # run -> the kernel it started
    before: dict[str, NotebookRun] = field(default_factory=dict)  # on the pinned .venv/
    after: dict[str, NotebookRun] = field(default_factory=dict)  # in the scratch environment
    unit: TestRun | None = None
    nbval: TestRun | None = None
    changes: dict[str, list[CellChange]] = field(default_factory=dict)
    also_before: dict[str, set[int]] = field(default_factory=dict)  # changed on the pins too
    cell_warnings: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    kernel_warnings: dict[str, list[str]] = field(default_factory=dict)  # vs the pinned run
    probes: list[dict[str, Any]] = field(default_factory=list)  # probe.py's, one per JDK
    notes: list[str] = field(default_factory=list)

    @property
    def installed(self) -> bool:
        return self.install.startswith("installed")


def shown(text: str) -> str:
    """A text with the paths of this machine made generic: the report names none."""
    text = text.replace(str(REPO_ROOT) + os.sep, "").replace(str(REPO_ROOT), "<repo>")
    return text.replace(str(Path.home()), "~").replace(tempfile.gettempdir(), "<tmp>")


def verdict(result: Result) -> list[str]:
    """Why the course does not pass unchanged on the newest releases (empty: it does)."""
    reasons = (
        [f"uv found no newest versions: {result.resolve_error}"] if result.resolve_error else []
    )
    if not result.installed:
        reasons.append("the scratch environment could not be installed")
    for label, run in (("unit tests", result.unit), ("strict nbval", result.nbval)):
        if run is None or run.returncode != 0:
            reasons.append(f"{label}: {run.closing if run else 'not run'}")
    if broken := [name for name, run in result.after.items() if run.status != "ok" or run.errors]:
        reasons.append("notebooks with errors: " + ", ".join(broken))
    changed = {
        name: [c for c in changes if c.cell not in result.also_before.get(name, set())]
        for name, changes in result.changes.items()
    }
    if count := sum(map(len, changed.values())):
        names = ", ".join(name for name, cells in changed.items() if cells)
        reasons.append(f"{count} cell(s) changed output in {names}")
    return reasons


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [
        header,
        ["---"] * len(header),
        *[[str(c).replace("|", "\\|") for c in r] for r in rows],
    ]
    return ["| " + " | ".join(line) + " |" for line in lines]


def seconds(before: float | None, after: float | None) -> list[str]:
    change = (
        f"{after - before:+.1f} s ({(after - before) / before:+.0%})" if before and after else "-"
    )
    return ["-" if s is None else f"{s:.1f}" for s in (before, after)] + [change]


def write_report(result: Result) -> str:
    reasons, python = verdict(result), result.python
    out = [
        "# Upgrade check: the course on the newest releases",
        "",
        f"Run on {result.date} with Python {python} by `make upgrade-check`"
        " (`tools/upgrade_check/`). The scratch environment is `.upgrade-check/venv`;"
        " `.venv/` and the committed notebooks were not touched.",
        "",
        f"## Verdict: {'FAIL' if reasons else 'PASS'}",
        "",
    ]
    if reasons:
        out += ["The course does not pass unchanged (exit status 1):", ""]
        out += [f"- {reason}" for reason in reasons]
    else:
        out.append("The course passes unchanged on the packages below (exit status 0).")
    upgraded = [f"{r.name} {r.version} → {r.checked}" for r in result.rows if r.upgraded]
    out += ["", "## Packages", ""]
    out.append(
        f"{len(upgraded)} of {len(result.rows)} pinned packages have a newer release for Python"
        f" {python}: {', '.join(upgraded) or 'none'}."
    )
    rows = [
        [r.name, r.source, r.version, r.newest or "-", r.newest_here or "-"]
        + [f"**{r.checked}**" if r.upgraded else r.checked or "-", r.note]
        for r in result.rows
    ]
    head = ["package", "file", "pinned", "newest on PyPI", f"newest for Python {python}"]
    out += ["", *table([*head, "checked with", "note"], rows), "", f"Install: {result.install}"]
    out += ["", "## Spark", "", *spark_lines(result), "", "## Tests", ""]
    for label, run in (("Unit tests", result.unit), ("Strict nbval", result.nbval)):
        if run is None:
            out.append(f"- {label}: not run")
        else:
            state = "passed" if run.returncode == 0 else "FAILED"
            out.append(f"- {label} (`{run.command}`): {state}: {run.closing}")
            out += [f"  - {failure}" for failure in run.failures[:30]]
    for name, run in result.after.items():
        if run.status != "ok" or run.errors:
            out.append(f"- {name} (executed in the scratch environment): {run.status}")
            out += [f"  - {error}" for error in run.errors]
    out += ["", "## Changed cells", ""]
    if not any(result.changes.values()):
        out += [
            "No cell's output changed (nbval's sanitising applied; plots compared by pixels).",
            "",
        ]
    for name, changes in ((n, c) for n, c in result.changes.items() if c):
        out += [f"### {name}", ""]
        for change in changes:
            pinned = change.cell in result.also_before.get(name, set())
            tail = (
                " (differs on the pinned `.venv/` too: not caused by the upgrade)" if pinned else ""
            )
            out.append(f"- Cell {change.cell} (`{change.source}`){tail}:")
            out += ["", "  ```", *[f"  {line}" for line in change.lines], "  ```", ""]
    out += ["## New warnings", "", *warning_lines(result), "", "## Notebook times", ""]
    out.append(
        "Seconds for one run in a fresh kernel (start, every cell, shut down), the pinned"
        " `.venv/` (before) against the scratch environment (after), on the same machine one"
        " after the other. One run each: a difference of a few seconds is within run-to-run"
        " noise (`bench/notebook_cost.py` measures with repeats)."
    )
    runs = {
        n: (result.before.get(n), result.after.get(n)) for n in {**result.before, **result.after}
    }
    times = {n: [r.seconds if r else None for r in pair] for n, pair in runs.items()}
    rows = [[name, *seconds(*pair)] for name, pair in times.items()]
    if times and all(None not in pair for pair in times.values()):
        rows.append(["**all**", *seconds(*map(sum, zip(*times.values(), strict=True)))])
    out += [
        "",
        *table(["notebook", "before s", "after s", "change"], rows),
        "",
        "## How it ran",
        "",
    ]
    out += [
        f"- Kernel `pyspark` in the {run} run: {kernel}" for run, kernel in result.kernels.items()
    ]
    return "\n".join(out + [f"- {note}" for note in result.notes]) + "\n"


def warning_lines(result: Result) -> list[str]:
    """New stderr in cell outputs (strict nbval fails on it), then on the kernels' stderr (what
    the terminal of `make lab` shows), then Spark's at log level WARN."""
    out = []
    for line, places, count in group_warnings(result.cell_warnings):
        out.append(f"- `{line}`: on stderr in the output of {count} cell(s):")
        out += [f"  {place}" + (";" if place != places[-1] else ".") for place in places]
    for name, lines in ((name, lines) for name, lines in result.kernel_warnings.items() if lines):
        out.append(f"- {name}, on the kernel's stderr (not in the pinned run):")
        out += [f"  - `{line}`" for line in lines]
    for probe in (p for p in result.probes if p.get("new_lines")):
        out.append(f"- Spark at log level WARN ({probe['java']}), lines the pinned Spark lacks:")
        out += [f"  - `{line}`" for line in probe["new_lines"]]
    return out or [
        "None: no new stderr in cell outputs, nothing new on the kernels' stderr, and"
        " nothing new from Spark at log level WARN."
    ]


def spark_lines(result: Result) -> list[str]:
    """The newest pyspark; what it makes of the course's configuration; the JDKs it runs on."""
    spark = next((r for r in result.rows if r.key == "pyspark"), None)
    out = []
    if spark:
        out.append(
            f"- Newest pyspark on PyPI: {spark.newest or 'not looked up'} (pinned {spark.version});"
            f" this check ran on {spark.checked or '-'}: {spark.note}."
        )
    probe = next((p for p in result.probes if p["default"] and p.get("keys")), None)
    if probe is None:
        out.append("- The configuration probe did not run (see the Java table).")
    else:
        keys, version = probe["keys"], probe["spark_version"]
        unknown = [k["key"] for k in keys if not k["known"]]
        unseen = [k["key"] for k in keys if k["value"] not in str(k["seen"])]  # Spark adds some
        known = "NOT known: " + ", ".join(unknown) if unknown else "every key is known to Spark"
        seen = (
            "not as written: " + ", ".join(unseen) if unseen else "Spark saw every value as written"
        )
        out.append(f"- spark-defaults.conf ({len(keys)} keys) on Spark {version}: {known}; {seen}.")
        rows = [
            [k["key"], clip(k["value"], 60), "yes" if k["known"] else "**no**"]
            + ["as written" if k["key"] not in unseen else clip(str(k["seen"]), 60)]
            for k in keys
        ]
        head = ["key", "value in the file", "known to Spark", "value Spark saw"]
        out += ["", *table(head, rows), ""]
        said = "; ".join(f"`{line}`" for line in probe["notable"]) or "nothing"
        out.append(f"- Spark's log at level WARN about the settings: {said}.")
        read = "still read" if probe["log4j_level"] == "WARN" else "NOT read as written"
        out.append(
            f"- log4j.properties: {read} by Log4j {probe['log4j_version']} (the probe's copy sets"
            f" level warn; the root logger's level was {probe['log4j_level']})."
        )
    out += [
        "",
        "Java: with each JDK found, Spark started with the course's spark-defaults.conf, ran a"
        " job and fitted a tiny LinearRegression (the probe).",
        "",
        *table(
            ["JDK", "pinned `.venv/`", "scratch"], [[p[k] for k in JDK_ROW] for p in result.probes]
        ),
        "",
    ]
    ran = {m[1] for p in result.probes if (m := re.search(r'version "(\d+)', p["java"]))}
    out += [
        f"- Java {v}: not checked by running: no JDK {v} was found here."
        for v in ("17", "21")
        if v not in ran
    ]
    return out + [
        "- Spark's documentation states the supported Java versions (Downloading section of"
        f" https://spark.apache.org/docs/{spark.checked if spark else 'latest'}/): read it"
        " before moving the pyspark pin."
    ]
