"""What a first-time install costs: time and size of a fresh virtual environment.

    python bench/install_cost.py                    # both sets, with pip and with uv
    python bench/install_cost.py --installers pip --sets learner

For each requirement set (`learner`: requirements.txt, what `make lab` installs;
`contributor`: requirements-dev.txt, which adds the tools `make test` needs) and each
installer, it creates a new virtual environment in a
temporary folder and installs the set into it with every download cache turned off, as on
a machine that has never installed the course. "uv" first installs uv itself from PyPI
with pip (that time is counted), then lets uv install the set, compiling the bytecode as
pip does (without it the first import in a notebook would pay for it). It prints one row per run
and writes them to bench/results/install_cost.csv; the folders are deleted afterwards.
Needs the network (the package index); it is not part of `make test`.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import MIB, REPO_ROOT, RESULTS_DIR, machine_info, machine_markdown

# The uv that setup/setup.sh installs (one place for its pin).
UV_PIN = re.search(r"^uv_version=(\S+)", (REPO_ROOT / "setup" / "setup.sh").read_text(), re.M)[1]
SETS = {"learner": "requirements.txt", "contributor": "requirements-dev.txt"}
QUIET = ["--quiet", "--disable-pip-version-check", "--no-cache-dir"]


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def install(installer: str, requirements: Path, venv: Path) -> float:
    """Seconds to create `venv` and install `requirements` into it with `installer`."""
    python = venv / "bin" / "python"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    if installer == "pip":
        subprocess.run(
            [python, "-m", "pip", "install", *QUIET, "-r", requirements], check=True, cwd=REPO_ROOT
        )
    else:
        subprocess.run([python, "-m", "pip", "install", *QUIET, f"uv=={UV_PIN}"], check=True)
        env = dict(os.environ, UV_NO_CACHE="1")
        subprocess.run(
            [venv / "bin" / "uv", "pip", "install", "--quiet", "--compile-bytecode"]
            + ["--python", python, "-r", requirements],
            check=True,
            cwd=REPO_ROOT,
            env=env,
        )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--installers", nargs="+", default=["pip", "uv"], choices=["pip", "uv"])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    args = parser.parse_args()

    print(machine_markdown(machine_info()))
    rows = []
    for name in args.sets:
        for installer in args.installers:
            with tempfile.TemporaryDirectory(prefix="course-install-") as scratch:
                venv = Path(scratch) / "venv"
                seconds = install(installer, REPO_ROOT / SETS[name], venv)
                size = folder_size(venv) / MIB
            row = {"set": name, "installer": installer, "seconds": f"{seconds:.1f}"}
            row["size_mib"] = f"{size:.0f}"
            rows.append(row)
            print(f"{name:12} {installer:4} {seconds:7.1f} s {size:7.0f} MiB", flush=True)

    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / "install_cost.csv", "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
