"""What the check found: the pins and the versions checked, the verdict (the exit status) and
the Markdown report. Pure: __main__.py runs everything."""

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import Version

from course_facts import REPO_ROOT

PIN = re.compile(r"^([A-Za-z0-9][\w.-]*)==(\S+)$", re.MULTILINE)
TESTS = ("unit tests", "strict nbval")


def normalise(name: str) -> str:
    """A package name as PyPI compares them (PEP 503): 'Faker' -> 'faker'."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Row:  # one pin, and what the check found for it
    name: str
    version: str
    newest: str = "-"  # the newest release, for any Python
    checked: str = "-"  # the version in the scratch environment
    note: str = ""

    @property
    def key(self) -> str:
        return normalise(self.name)

    @property
    def upgraded(self) -> bool:
        return self.checked != "-" and Version(self.checked) > Version(self.version)


@dataclass
class Result:
    date: str
    python: str
    rows: list[Row] = field(default_factory=list)
    install: str = "not tried"  # "installed ...", or why not
    tests: dict[str, dict] = field(default_factory=dict)  # TESTS label -> pytest's outcome
    notebooks: dict[str, dict] = field(default_factory=dict)  # name -> inside.py's findings
    probes: list[dict] = field(default_factory=list)  # inside.py's probe, one per JDK
    notes: list[str] = field(default_factory=list)  # for "How it ran"


def read_pins(path: Path) -> list[Row]:
    """The `name==version` lines of a requirements file, those of its `-r` includes first."""
    rows: list[Row] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            rows += read_pins(path.parent / line[3:].strip())
        elif match := PIN.fullmatch(line):
            rows.append(Row(match[1], match[2]))
        elif line:
            raise ValueError(f"{path.name}: not an exact pin: {raw!r}")
    return rows


def loosened(rows: list[Row], chosen: set[str] | None) -> str:
    """uv's input: the chosen packages (None: all) by name only, every other one pinned."""
    free = {r.key for r in rows if chosen is None or r.key in chosen}
    return "".join(r.name + ("" if r.key in free else f"=={r.version}") + "\n" for r in rows)


def fill(rows: list[Row], chosen: set[str] | None, newest, newest_here, lock, python) -> None:
    """Each row's newest release, the version checked (uv's `lock`), and why that one."""
    for row in rows:
        row.checked = lock.get(row.key, "-")
        if chosen is not None and row.key not in chosen:
            row.note = "kept at its pin (not in PACKAGES)"
            continue
        row.newest, here = newest.get(row.key, "-"), newest_here.get(row.key)
        row.note = "upgraded" if row.upgraded else "moved down"
        if row.checked in ("-", row.version):
            row.note = "not resolved" if row.checked == "-" else "already the newest"
        if here and row.checked not in ("-", here):
            row.note += f" ({here} does not install with the other pins)"
        if here and row.newest not in ("-", here):
            row.note += f" ({row.newest} needs a newer Python than {python})"


def pytest_outcome(command: str, returncode: int, output: str) -> dict:
    """A pytest run: its command, exit status, closing line (no ===) and FAILED/ERROR lines."""
    lines = output.splitlines()
    words = re.compile(r"\b(passed|failed|errors?|skipped|no tests ran)\b")
    closing = next((line.strip(" =") for line in reversed(lines) if words.search(line)), "")
    failures = [line[:160] for line in lines if line.startswith(("FAILED ", "ERROR "))]
    return dict(command=command, returncode=returncode, closing=closing, failures=failures)


def shown(text: str) -> str:
    """A text with the paths of this machine made generic: the report names none."""
    text = text.replace(str(REPO_ROOT) + os.sep, "").replace(str(REPO_ROOT), "<repo>")
    return text.replace(str(Path.home()), "~").replace(tempfile.gettempdir(), "<tmp>")


def verdict(result: Result) -> list[str]:
    """Why the course does not pass unchanged on the newest releases (empty: it does)."""
    runs = result.notebooks
    reasons = [f"no scratch environment: {result.install}"] * (result.install[:9] != "installed")
    for label in TESTS:
        if (run := result.tests.get(label, {})).get("returncode") != 0:
            reasons.append(f"{label}: {run.get('closing', 'not run')}")
    if broken := [name for name, run in runs.items() if run["errors"]]:
        reasons.append("notebooks with errors: " + ", ".join(broken))
    if count := sum(len(run["changes"]) for run in runs.values()):
        names = ", ".join(name for name, run in runs.items() if run["changes"])
        reasons.append(f"{count} cell(s) changed output in {names}")
    return reasons


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = [header, ["---"] * len(header), *[[c.replace("|", "\\|") for c in r] for r in rows]]
    return ["| " + " | ".join(line) + " |" for line in lines]


def write_report(result: Result) -> str:
    reasons, runs = verdict(result), result.notebooks
    upgraded = [f"{r.name} {r.version} → {r.checked}" for r in result.rows if r.upgraded]
    rows = [
        [r.name, r.version, r.newest, f"**{r.checked}**" * r.upgraded or r.checked, r.note]
        for r in result.rows
    ]
    out = [
        "# Upgrade check: the course on the newest releases\n",
        f"Run on {result.date} with Python {result.python} by `make upgrade-check`"
        " (`tools/upgrade_check/`) in the scratch environment `.upgrade-check/venv`;"
        " `.venv/` and the committed notebooks were not touched.",
        f"\n## Verdict: {'FAIL' if reasons else 'PASS'}\n",
        f"The course {'does not pass' if reasons else 'passes'} unchanged"
        f" (exit status {int(bool(reasons))}){':' if reasons else '.'}",
        *[f"- {reason}" for reason in reasons],
        f"\n## Packages\n\n{len(upgraded)} of {len(result.rows)} pins have a newer release for"
        f" Python {result.python}: {', '.join(upgraded) or 'none'}.\n",
        *table(["package", "pinned", "newest on PyPI", "checked with", "note"], rows),
        f"\nInstall: {result.install}\n\n## Spark\n",
        *spark_lines(result),
        "\n## Tests\n",
    ]
    for label in TESTS:
        run = result.tests.get(label, {})
        state = "not run" if not run else "passed" if run["returncode"] == 0 else "FAILED"
        out.append(
            f"- {label}: {state}" + (f" (`{run['command']}`): {run['closing']}" if run else "")
        )
        out += [f"  - {failure}" for failure in run.get("failures", [])[:30]]
    out += [f"- {name}: {error}" for name, run in runs.items() for error in run["errors"]]
    out.append("\n## Changed cells\n")
    for name, run in ((name, run) for name, run in runs.items() if run["changes"]):
        out.append(f"### {name}\n")
        for change in run["changes"]:
            out += [f"- Cell {change['cell']} (`{change['source']}`):\n", "  ```"]
            out += [f"  {line}" for line in change["lines"]] + ["  ```\n"]
    if not any(run["changes"] for run in runs.values()):
        out.append("No cell's output changed (nbval's sanitising applied; plots by pixels).")
    groups: dict[str, tuple[str, dict[str, dict[int, None]]]] = {}  # by line, numbers aside
    for name, run in runs.items():
        for cell, line in run["warnings"]:
            where = groups.setdefault(re.sub(r"\d+", "N", line), (line, {}))[1]
            where.setdefault(name, {})[cell] = None
    out.append("\n## New warnings\n")
    for line, where in groups.values():
        cells = "; ".join(f"{n} cells {', '.join(map(str, c))}" for n, c in where.items())
        out.append(f"- `{line}`: on stderr in {sum(map(len, where.values()))} cell(s): {cells}.")
    out += ["None: no cell printed a stderr line its stored output lacks."] * (not groups)
    out.append(
        "\n## Notebook times\n\nSeconds for strict nbval's one run of each notebook in the"
        " scratch environment (kernel start, every cell, shut down). One run: a few seconds"
        " are noise; the pinned set's medians of repeats: `bench/results/notebook_cost.md`.\n"
    )
    times = [[name, f"{run['seconds']:.1f}"] for name, run in runs.items()]
    times += [["**all**", f"{sum(run['seconds'] for run in runs.values()):.1f}"]]
    out += [*table(["notebook", "seconds"], times), "\n## How it ran\n"]
    return "\n".join(out + [f"- {note}" for note in result.notes]) + "\n"


def spark_lines(result: Result) -> list[str]:
    """The newest pyspark, what it makes of the course's configuration, the JDKs it runs on."""
    spark = next((r for r in result.rows if r.key == "pyspark"), Row("pyspark", "?"))
    out = [
        f"- Newest pyspark on PyPI: {spark.newest} (pinned {spark.version}); checked with"
        f" {spark.checked}: {spark.note}.",
        "- With each JDK found, Spark started with the course's spark-defaults.conf at log level"
        " WARN, ran a job and fitted a tiny LinearRegression:",
    ]
    for probe in result.probes:
        state = "FAILED: " + probe.get("error", "no result")
        if probe.get("ok"):
            state = f"accepted (Java {probe['java']}, Spark {probe['spark']}); keys Spark does"
            state += f" NOT know: {', '.join(probe['unknown']) or 'none'}; values not seen as"
            state += f" written: {', '.join(probe['unseen']) or 'none'}; Log4j {probe['log4j']}"
            state += " (its log4j.properties: level WARN)"
        said = "; ".join(f"`{line}`" for line in probe["notable"]) or "nothing"
        out.append(f"  - {probe['jdk']}: {state}. Its log about the settings: {said}.")
    ran = {m[1] for p in result.probes if (m := re.search(r'version "(\d+)', p["jdk"]))}
    return out + [
        f"- Java {v}: not checked: no JDK {v} was found here (Spark's documentation, section"
        " Downloading, says which Java it supports)."
        for v in ("17", "21")
        if v not in ran
    ]


def notable_lines(stderr: str, keys) -> list[str]:
    """Lines of Spark's log that speak of the settings: a key's name, deprecation, Log4j."""
    words = re.compile(r"deprecat|not supported|unknown|unrecogni[sz]ed|ignor|StatusLogger", re.I)
    lines = [re.sub(r"^[\d/]{8} [\d:]{8} ", "", x.strip()) for x in stderr.splitlines()]
    return [x[:160] for x in dict.fromkeys(lines) if words.search(x) or any(k in x for k in keys)]
