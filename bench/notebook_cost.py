"""What each notebook costs: wall-clock time, CPU time and peak memory, beside a bare Spark
notebook.

    python bench/notebook_cost.py                 # every notebooks/NN_*.ipynb, 3 runs each
    python bench/notebook_cost.py --runs 1 notebooks/01_*.ipynb
    python bench/notebook_cost.py --wait-quiet 2400  # first wait (<= 40 min) for a quiet machine

Each run executes a copy of the notebook, in memory, in a fresh "Python (Pyspark)" kernel
(the kernel's own environment sets SPARK_CONF_DIR, so the course's spark-defaults.conf
applies); the notebook file is never written. The time covers starting the kernel, every
cell and shutting the kernel down. Memory is the sum of the resident set sizes of every
process this script starts (the kernel, the driver JVM it launches, Spark's Python
workers), sampled every 0.1 s; the peak is kept, with how it splits between the kernel,
the JVM and the Python workers at that moment. The table's "peak MiB" is the highest peak
of the runs (the one the 2 GiB target is checked against), beside the median peak. CPU time
is the user + system time of the same processes, as last sampled before each ended (so a
process that lives under 0.1 s is missed): what a run takes from a machine whose cores are
all busy, as in CI.

The "bare" notebook only starts Spark, counts a tiny range and stops: the fixed cost that
every notebook pays. Rounds run every notebook once in turn, so slow drift in the machine's
load spreads over all of them. Raw rows go to bench/results/notebook_cost.csv, the summary
to bench/results/notebook_cost.md (its table goes into bench/HISTORY.md, its headline into
bench/README.md).
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
import threading
import time
from copy import deepcopy
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import psutil
from benchlib import (
    MIB,
    REPO_ROOT,
    RESULTS_DIR,
    add_wait_quiet_option,
    machine_info,
    machine_markdown,
    wait_if_asked,
)
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from course_facts import KERNEL_NAME, course_notebooks

NOTEBOOKS = REPO_ROOT / "notebooks"
BARE = "bare (start Spark, count, stop)"
BARE_SOURCE = """\
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
assert spark.range(10).count() == 10
spark.stop()
"""
# The course's targets on a 2-core machine (bench/README.md: how far each is met).
MAX_RATIO_TO_BARE = 2.5
MAX_SUITE_SECONDS = 180.0
MAX_PEAK_MIB = 2048.0


ROLES = ("kernel", "jvm", "workers")


class PeakMemory(threading.Thread):
    """Samples the summed RSS of all descendants of this process; keeps the peak, and each
    descendant's latest CPU time.

    Also keeps, for the moment of the peak, how it splits between the kernel (our direct
    child), the JVM (`java`) and everything else (Spark's Python workers).

    When the JVM starts a process (a Python worker, or `rm -rf` of its scratch folders at
    shutdown), the child briefly runs the java binary under the name of the JVM thread
    that spawned it, sharing the JVM's memory until it execs; counting it would add the
    JVM a second time, so such a process is skipped.
    """

    def __init__(self, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.peak_bytes = 0
        self.peak_split = dict.fromkeys(ROLES, 0)
        self.cpu_seconds: dict[int, float] = {}  # pid: user + system time, last sampled
        self._stop_event = threading.Event()
        self._me = psutil.Process()

    def sample(self) -> dict[str, int]:
        split = dict.fromkeys(ROLES, 0)
        kernels = {child.pid for child in self._me.children()}
        for process in self._me.children(recursive=True):
            try:
                rss = process.memory_info().rss
                times = process.cpu_times()
                self.cpu_seconds[process.pid] = times.user + times.system
                name = process.name()
                if name != "java" and Path(process.exe()).name == "java":
                    continue  # a JVM's child between fork and exec (see above)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue  # ended between listing and reading
            role = "kernel" if process.pid in kernels else "jvm" if name == "java" else "workers"
            split[role] += rss
        return split

    def run(self) -> None:
        while not self._stop_event.is_set():
            split = self.sample()
            if sum(split.values()) > self.peak_bytes:
                self.peak_bytes, self.peak_split = sum(split.values()), split
            self._stop_event.wait(self.every)

    def stop(self) -> tuple[int, dict[str, int], float]:
        self._stop_event.set()
        self.join()
        return self.peak_bytes, self.peak_split, sum(self.cpu_seconds.values())


@dataclass
class Run:
    notebook: str
    run: int
    seconds: float
    cpu_seconds: float
    peak_mib: float
    split_mib: dict[str, float]  # kernel, jvm, workers at the moment of the peak
    status: str


def bare_notebook() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells.append(nbformat.v4.new_code_cell(BARE_SOURCE))
    return notebook


def execute(
    notebook: nbformat.NotebookNode, folder: Path, timeout: int
) -> tuple[float, float, int, dict[str, int], str]:
    """Run a notebook (in memory) in a fresh kernel; return seconds, CPU seconds, peak bytes,
    split, status."""
    if psutil.Process().children(recursive=True):
        raise RuntimeError("a kernel or JVM from an earlier run is still alive")
    sampler = PeakMemory()
    sampler.start()
    status = "ok"
    started = time.perf_counter()
    try:
        NotebookClient(
            notebook,
            kernel_name=KERNEL_NAME,
            timeout=timeout,
            record_timing=False,
            resources={"metadata": {"path": str(folder)}},
        ).execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
        last_line = str(error).strip().splitlines()[-1]
        status = "error: " + re.sub(r"\x1b\[[0-9;]*m", "", last_line)[:120]  # no colours
    seconds = time.perf_counter() - started
    peak, split, cpu = sampler.stop()
    # The kernel has been shut down; give its JVM a moment to exit before the next run.
    for _ in range(100):
        if not psutil.Process().children(recursive=True):
            break
        time.sleep(0.1)
    return seconds, cpu, peak, split, status


def summarise(runs: list[Run]) -> tuple[list[dict[str, str]], list[str]]:
    """The summary table's rows and the verdicts on the targets."""
    names = list(dict.fromkeys(run.notebook for run in runs))
    ok = {name: [r for r in runs if r.notebook == name and r.status == "ok"] for name in names}
    median = {name: statistics.median(r.seconds for r in ok[name]) for name in names if ok[name]}
    cpu = {name: statistics.median(r.cpu_seconds for r in ok[name]) for name in names if ok[name]}
    peak = {name: max(r.peak_mib for r in ok[name]) for name in names if ok[name]}
    median_peak = {name: statistics.median(r.peak_mib for r in ok[name]) for name in ok if ok[name]}
    heaviest = {name: max(ok[name], key=lambda r: r.peak_mib) for name in names if ok[name]}
    bare = median.get(BARE)
    rows = []
    for name in names:
        failed = sum(1 for r in runs if r.notebook == name and r.status != "ok")
        if name not in median:
            rows.append(
                {"notebook": name, "runs": f"0 ok, {failed} failed", "median s": "-"}
                | {"median CPU s": "-"}
                | {"ratio to bare": "-", "peak MiB": "-", "median peak MiB": "-"}
                | {"kernel / JVM / workers MiB at peak": "-"}
            )
            continue
        ratio = f"{median[name] / bare:.2f}" if bare else "-"
        rows.append(
            {
                "notebook": name,
                "runs": f"{len(ok[name])} ok" + (f", {failed} failed" if failed else ""),
                "median s": f"{median[name]:.1f}",
                "median CPU s": f"{cpu[name]:.1f}",
                "ratio to bare": ratio,
                "peak MiB": f"{peak[name]:.0f}",
                "median peak MiB": f"{median_peak[name]:.0f}",
                "kernel / JVM / workers MiB at peak": " / ".join(
                    f"{heaviest[name].split_mib[role]:.0f}" for role in ROLES
                ),
            }
        )
    course = [name for name in names if name != BARE]
    verdicts = []
    if bare:
        over = [n for n in course if n in median and median[n] / bare > MAX_RATIO_TO_BARE]
        verdicts.append(
            f"every notebook within {MAX_RATIO_TO_BARE}x bare: "
            + ("met" if not over else "NOT met (" + ", ".join(over) + ")")
        )
    suite = sum(median[n] for n in course if n in median)
    missing = [n for n in course if n not in median]
    verdicts.append(
        f"whole suite (sum of medians, {len(course) - len(missing)} notebooks) {suite:.1f} s"
        f" < {MAX_SUITE_SECONDS:.0f} s: " + ("met" if suite < MAX_SUITE_SECONDS else "NOT met")
    )
    heavy = [n for n in course if n in peak and peak[n] > MAX_PEAK_MIB]
    verdicts.append(
        f"every notebook's peak < {MAX_PEAK_MIB:.0f} MiB: "
        + ("met" if not heavy else "NOT met (" + ", ".join(heavy) + ")")
    )
    if missing:
        verdicts.append("no successful run (not counted): " + ", ".join(missing))
    return rows, verdicts


def markdown_table(rows: list[dict[str, str]]) -> str:
    header = list(rows[0])
    right = {"median s", "median CPU s", "ratio to bare", "peak MiB", "median peak MiB"}
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if key in right else "---" for key in header) + "|",
    ]
    lines += ["| " + " | ".join(row[key] for key in header) + " |" for row in rows]
    return "\n".join(lines)


def write_csv(path: Path, runs: list[Run], stamp: str, append: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not append or not path.exists()
    with path.open("w" if not append else "a", newline="") as handle:
        writer = csv.writer(handle)
        if new:
            writer.writerow(
                ["started_utc", "notebook", "run", "seconds", "cpu_seconds", "peak_mib"]
                + [f"{role}_mib_at_peak" for role in ROLES]
                + ["status"]
            )
        for r in runs:
            writer.writerow(
                [stamp, r.notebook, r.run, f"{r.seconds:.3f}", f"{r.cpu_seconds:.1f}"]
                + [f"{r.peak_mib:.1f}"]
                + [f"{r.split_mib[role]:.1f}" for role in ROLES]
                + [r.status]
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time and peak memory of every notebook.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    parser.add_argument("--runs", type=int, default=3, help="runs of each notebook (median)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds per cell")
    parser.add_argument("--csv", type=Path, default=RESULTS_DIR / "notebook_cost.csv")
    parser.add_argument("--markdown", type=Path, default=RESULTS_DIR / "notebook_cost.md")
    parser.add_argument("--append", action="store_true", help="append to the CSV")
    add_wait_quiet_option(parser)
    args = parser.parse_args(argv)

    quiet_note = wait_if_asked(args.wait_quiet)
    info = machine_info()

    paths = [p.resolve() for p in args.notebooks] or course_notebooks()
    jobs: list[tuple[str, nbformat.NotebookNode, Path]] = [(BARE, bare_notebook(), NOTEBOOKS)]
    jobs += [(path.name, nbformat.read(path, as_version=4), path.parent) for path in paths]

    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    runs: list[Run] = []
    for round_ in range(1, args.runs + 1):
        for name, notebook, folder in jobs:
            copy = deepcopy(notebook)  # a fresh copy each time: outputs stay out
            seconds, cpu, peak, split, status = execute(copy, folder, args.timeout)
            split_mib = {role: split[role] / MIB for role in ROLES}
            runs.append(Run(name, round_, seconds, cpu, peak / MIB, split_mib, status))
            print(
                f"run {round_}/{args.runs} {name}: {seconds:.1f} s, CPU {cpu:.1f} s,"
                f" peak {peak / MIB:.0f} MiB"
                + " ("
                + ", ".join(f"{r} {v:.0f}" for r, v in split_mib.items())
                + ")"
                + ("" if status == "ok" else f" [{status}]"),
                file=sys.stderr,
                flush=True,
            )
    write_csv(args.csv, runs, stamp, args.append)

    rows, verdicts = summarise(runs)
    table = markdown_table(rows)
    report = "\n".join(
        [
            f"Median of {args.runs} run(s) per notebook, measured {info['date']}.",
            "",
            table,
            "",
            *[f"- {v}" for v in verdicts],
            *([f"- {quiet_note}"] if quiet_note else []),
            "",
            "Machine:",
            "",
            machine_markdown(info),
            "",
        ]
    )
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(report)
    print(report)
    return 0 if all(r.status == "ok" for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
