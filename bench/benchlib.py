"""Small helpers the bench scripts share: the machine's description and waiting for quiet."""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO_ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
MIB = 1024 * 1024


def java_version() -> str:
    """First line of `java -version` (the Java that Spark's launcher will use)."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else "java"
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    except OSError as error:
        return f"unknown ({error})"
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown"


def os_name() -> str:
    """PRETTY_NAME from /etc/os-release when there is one, else platform's description."""
    release = Path("/etc/os-release")
    if release.exists():
        match = re.search(r'^PRETTY_NAME="?([^"\n]*)', release.read_text(), re.MULTILINE)
        if match:
            return f"{match.group(1)}, kernel {platform.release()}"
    return platform.platform()


def machine_info() -> dict[str, str]:
    """What the numbers were measured on."""
    import numpy
    import pyspark

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores (nproc)": str(os.cpu_count()),
        "memory": f"{psutil.virtual_memory().total / 1024**3:.1f} GiB",
        "OS": os_name(),
        "CPU": cpu_model(),
        "Java": java_version(),
        "Python": platform.python_version(),
        "pyspark": pyspark.__version__,
        "numpy": numpy.__version__,
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.*)$", cpuinfo.read_text(), re.MULTILINE)
        if match:
            return match.group(1).strip()
    return platform.processor() or "unknown"


def machine_markdown(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


def other_java_processes() -> list[int]:
    """Ids of running `java` processes that this script did not start."""
    ours = {child.pid for child in psutil.Process().children(recursive=True)}
    found = []
    for process in psutil.process_iter(["pid", "name"]):
        if process.info["name"] == "java" and process.info["pid"] not in ours:
            found.append(process.info["pid"])
    return found


def wait_until_quiet(max_seconds: float, load_below: float = 0.7, every: float = 30.0) -> bool:
    """Poll until the 1-minute load is below `load_below` and no other JVM runs.

    Returns True when the machine became quiet, False when `max_seconds` ran out.
    """
    deadline = time.monotonic() + max_seconds
    while True:
        load = os.getloadavg()[0]
        javas = other_java_processes()
        quiet = load < load_below and not javas
        stamp = datetime.now().strftime("%H:%M:%S")
        print(f"[{stamp}] load {load:.2f}, other java processes: {len(javas)}", file=sys.stderr)
        if quiet:
            return True
        if time.monotonic() + every > deadline:
            return False
        time.sleep(every)


def add_wait_quiet_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="SECONDS",
        help="first wait up to this long for load < 0.7 and no other java process",
    )


def wait_if_asked(wait_quiet: float) -> str:
    """Wait for a quiet machine when asked; returns a note for the report when it never was."""
    if wait_quiet > 0 and not wait_until_quiet(wait_quiet):
        note = "The machine never became quiet (load >= 0.7 or another JVM running)."
        print("warning:", note, file=sys.stderr)
        return note
    return ""
