"""How long the test commands take, measured from a second run (set-up already done).

    python bench/suite_time.py                          # make test, twice
    python bench/suite_time.py --targets test test-notebooks --runs 1 --label before

It first runs `make setup` (so every timed run finds the set-up done, as a contributor's
second `make test` does), then runs each make target in turn, `--runs` times, and times
the whole command from start to exit, as a contributor waits for it, and the CPU time of
everything it ran (on 2 cores, a command cannot take less wall time than half its CPU time).
pytest's last line (passed, skipped, its own seconds) is kept beside the time. Results go to
bench/results/suite_time_<label>.csv (one row per run) and .md (the summary).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import re
import resource
import statistics
import subprocess
import sys
import time

from benchlib import (
    REPO_ROOT,
    RESULTS_DIR,
    add_wait_quiet_option,
    machine_info,
    machine_markdown,
    wait_if_asked,
)

SUMMARY_LINE = re.compile(r"^=+ (.*(?:passed|failed|error).*) =+$", re.MULTILINE)


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_target(target: str) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system of every process it waited for), exit
    status and pytest's summary line of one `make <target>`."""
    cpu_before = cpu_seconds_of_children()
    started = time.perf_counter()
    done = subprocess.run(
        ["make", target], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    cpu = cpu_seconds_of_children() - cpu_before
    found = SUMMARY_LINE.findall(done.stdout)
    summary = (
        found[-1] if found else " ".join((done.stdout + done.stderr).strip().splitlines()[-1:])
    )
    return seconds, cpu, done.returncode, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", nargs="+", default=["test"], metavar="TARGET")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--label", default="now", help="names the result files")
    add_wait_quiet_option(parser)
    args = parser.parse_args()

    subprocess.run(["make", "setup"], cwd=REPO_ROOT, check=True, capture_output=True)
    note = wait_if_asked(args.wait_quiet)
    info = machine_info()
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=REPO_ROOT, capture_output=True, text=True
    ).stdout.strip()

    rows = []
    for run in range(1, args.runs + 1):
        for target in args.targets:
            seconds, cpu, status, summary = run_target(target)
            rows.append(
                {"target": target, "run": run, "seconds": round(seconds, 1)}
                | {"cpu_seconds": round(cpu, 1), "exit": status, "pytest": summary}
            )
            print(
                f"make {target} (run {run}): {seconds:.1f} s, CPU {cpu:.1f} s, "
                f"exit {status}: {summary}"
            )

    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / f"suite_time_{args.label}.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    lines = [
        f"Suite time `{args.label}`, {info['date']}, commit `{commit}`; "
        "every run after `make setup` had finished.",
        "",
        "| command | runs | median s | each run s | CPU s (each run) | exit | pytest's summary"
        " (last run) |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for target in args.targets:
        mine = [row for row in rows if row["target"] == target]
        times = [row["seconds"] for row in mine]
        lines.append(
            f"| `make {target}` | {len(mine)} | {statistics.median(times):.1f} | "
            f"{', '.join(f'{t:.1f}' for t in times)} | "
            f"{', '.join(str(row['cpu_seconds']) for row in mine)} | "
            f"{', '.join(str(row['exit']) for row in mine)} | {mine[-1]['pytest']} |"
        )
    lines += ["", "Machine:", "", machine_markdown(info)]
    if note:
        lines += ["", note]
    (RESULTS_DIR / f"suite_time_{args.label}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(row["exit"] == 0 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
