"""The ISLR "Default" credit-card data for logistic regression (notebook 02).

The table ships as ``ISLP/data/Default.csv`` inside the wheel of the ISLP package (the
Python companion of "An Introduction to Statistical Learning"). The course does not
depend on ISLP (its dependencies include PyTorch), so this maker only downloads the
pinned wheel with pip, checks its SHA-256, and reads the CSV out of the zip. This is the
only maker that needs the network, and only when the data is (re)made; the notebooks
read the committed ``data/default_credit.csv``.

Changes from the original: a stable integer ``id`` (1..10000, the original row order) is
added as the first column, and ``balance`` and ``income`` are written with two decimals
(dollars and cents; the original has up to 16 digits after the point).
"""

from __future__ import annotations

import csv
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

FILES = ["default_credit.csv"]

ISLP_VERSION = "0.4.0"
WHEEL_NAME = f"ISLP-{ISLP_VERSION}-py3-none-any.whl"
# sha256 of the wheel on PyPI; a different file (another index, a re-upload) is refused.
WHEEL_SHA256 = "1c1d628cf79a467bea2a2972dc78603c7a5a05580b9255f5dfa2109e1a713133"
MEMBER = "ISLP/data/Default.csv"

SOURCE_COLUMNS = ["default", "student", "balance", "income"]
EXPECTED_ROWS = 10_000


def download_wheel(folder: Path) -> Path:
    """Download the pinned ISLP wheel (no dependencies) into `folder`; return its path."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        f"ISLP=={ISLP_VERSION}",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(folder),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    wheel = folder / WHEEL_NAME
    if result.returncode != 0 or not wheel.exists():
        raise RuntimeError(
            f"default_credit: could not download {WHEEL_NAME} from PyPI with\n"
            f"  {' '.join(command[1:])}\n"
            "This maker needs the network (only when the data is made; the notebooks read\n"
            "the committed data/default_credit.csv). pip said:\n"
            f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(
            f"default_credit: {WHEEL_NAME} has sha256 {digest}, expected {WHEEL_SHA256}"
        )
    return wheel


def read_rows(wheel: Path) -> list[list[str]]:
    """The rows of Default.csv inside the wheel, cleaned and in the original order."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(MEMBER).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames != SOURCE_COLUMNS:
        raise RuntimeError(f"unexpected columns in {MEMBER}: {reader.fieldnames}")
    rows = []
    for row in reader:
        if row["default"] not in {"No", "Yes"} or row["student"] not in {"No", "Yes"}:
            raise RuntimeError(f"unexpected Yes/No value in {MEMBER}: {row}")
        rows.append(
            [
                row["default"],
                row["student"],
                f"{float(row['balance']):.2f}",
                f"{float(row['income']):.2f}",
            ]
        )
    if len(rows) != EXPECTED_ROWS:
        raise RuntimeError(f"expected {EXPECTED_ROWS} rows in {MEMBER}, found {len(rows)}")
    return rows


def make(out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        rows = read_rows(download_wheel(Path(folder)))
    with (out_dir / FILES[0]).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", *SOURCE_COLUMNS])
        for number, row in enumerate(rows, start=1):
            writer.writerow([number, *row])
