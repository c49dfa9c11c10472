"""Palmer penguins measurements for k-means clustering (notebook 04).

Copied from the CSV that ships inside the pinned ``palmerpenguins`` package (0.1.6):
the file is read straight from the package folder, so nothing is downloaded. Changes
from the original: a stable integer ``id`` (1..344, the package's row order) is added
as the first column, missing values (``NA``) become empty fields, and the two bill
measurements are written with one decimal (``18`` becomes ``18.0``). All 344 rows are
kept; the notebook drops the rows with missing measurements itself.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

FILES = ["penguins.csv"]

COLUMNS = [
    "species",
    "island",
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
    "sex",
    "year",
]
ONE_DECIMAL = {"bill_length_mm", "bill_depth_mm"}
INTEGER = {"flipper_length_mm", "body_mass_g", "year"}


def source_csv() -> Path:
    """The penguins.csv inside the installed package (found without importing it)."""
    spec = importlib.util.find_spec("palmerpenguins")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("palmerpenguins is not installed: pip install -r requirements-dev.txt")
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "penguins.csv"


def _clean(column: str, value: str) -> str:
    if value == "NA":
        return ""
    if column in ONE_DECIMAL:
        return f"{float(value):.1f}"
    if column in INTEGER:
        return str(int(value))
    return value


def make(out_dir: Path) -> None:
    with source_csv().open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise RuntimeError(f"unexpected columns in {source_csv()}: {reader.fieldnames}")
        rows = [[_clean(column, row[column]) for column in COLUMNS] for row in reader]
    if len(rows) != 344:
        raise RuntimeError(f"expected 344 penguins, found {len(rows)}")
    with (out_dir / FILES[0]).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["id", *COLUMNS])
        for number, row in enumerate(rows, start=1):
            writer.writerow([number, *row])
