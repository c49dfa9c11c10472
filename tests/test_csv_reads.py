"""Notebook 01's own reading code refuses a reordered or a malformed copy of its CSV file.

With an explicit schema, Spark matches CSV columns by position, so a file whose columns
were reordered would be read silently wrong, and in the default PERMISSIVE mode a value
that is not a number silently becomes null. The course reads every CSV with
header=True, enforceSchema=False, mode="FAILFAST". This test takes the cell of notebook 01
that defines SCHEMA and calls spark.read.csv, runs it in a real local Spark started the way
the kernel starts it (only SPARK_CONF_DIR and SPARK_LOCAL_IP set), once on the real file
and once on each broken copy, and reads every column of every row.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import DATA_DIR, REPO_ROOT

# Starts its own local Spark (about 14 s): `make test-slow` and CI, not `make test`.
pytestmark = pytest.mark.slow

NOTEBOOK = REPO_ROOT / "notebooks" / "01_linear_regression.ipynb"
CSV_NAME = "ecommerce_customers.csv"
NUMBERS = [
    "Avg Session Length",
    "Time on App",
    "Time on Website",
    "Length of Membership",
    "Yearly Amount Spent",
]

# Runs in a subprocess with one Spark session: for each folder, the notebook's reading cell
# with data_path(name) pointing into that folder, then collect() (every column, every row).
SPARK_JOB = """
import json, os, sys
from pyspark.sql import SparkSession

cell, folders, numbers = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
spark = SparkSession.builder.appName("test_csv_reads").getOrCreate()
results = {}
for case, folder in folders.items():
    namespace = {"spark": spark, "data_path": lambda name, f=folder: os.path.join(f, name)}
    exec(cell, namespace)
    try:
        rows = namespace["customers"].collect()
    except Exception as error:  # Py4JJavaError: the Java error text, with its causes
        results[case] = {"error": str(error)}
    else:
        columns = {name: [row[name] for row in rows] for name in numbers}
        results[case] = {
            "rows": len(rows),
            "nulls": sum(v is None for column in columns.values() for v in column),
            "sums": {name: sum(v or 0.0 for v in column) for name, column in columns.items()},
        }
spark.stop()
print(json.dumps(results))
"""


def reading_cell() -> str:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    cells = [
        cell.source
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "SCHEMA =" in cell.source
        and "spark.read.csv(" in cell.source
    ]
    assert len(cells) == 1, "expected one cell that defines SCHEMA and reads the CSV"
    assert "customers = spark.read.csv(" in cells[0], "the test reads the `customers` DataFrame"
    return cells[0]


def write_copy(folder: Path, rows: list[list[str]]) -> Path:
    folder.mkdir()
    with open(folder / CSV_NAME, "w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)
    return folder


def column_sums(path: Path) -> dict[str, float]:
    with open(path, newline="", encoding="utf-8") as source:
        rows = list(csv.DictReader(source))
    return {name: sum(float(row[name]) for row in rows) for name in NUMBERS}


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    tmp_path = tmp_path_factory.mktemp("csv_reads")
    with open(DATA_DIR / CSV_NAME, newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    app, website = rows[0].index("Time on App"), rows[0].index("Time on Website")

    swapped = [row.copy() for row in rows]  # the two columns swapped, names and values
    for row in swapped:
        row[app], row[website] = row[website], row[app]
    malformed = [row.copy() for row in rows]
    malformed[4][app] = "4.5x"  # the fourth customer (row 0 is the header)

    folders = {
        "original": str(DATA_DIR),
        "swapped": str(write_copy(tmp_path / "swapped", swapped)),
        "malformed": str(write_copy(tmp_path / "malformed", malformed)),
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE", "SPARK_HOME")
    }
    env.update(SPARK_CONF_DIR=str(REPO_ROOT), SPARK_LOCAL_IP="127.0.0.1")
    completed = subprocess.run(
        [sys.executable, "-c", SPARK_JOB, reading_cell(), json.dumps(folders), json.dumps(NUMBERS)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_the_real_file_reads_every_value_under_its_own_name(results):
    original = results["original"]
    assert "error" not in original, original.get("error")
    assert original["rows"] == 500
    assert original["nulls"] == 0
    for name, want in column_sums(DATA_DIR / CSV_NAME).items():
        assert original["sums"][name] == pytest.approx(want, rel=1e-12), name


def test_a_reordered_file_fails_with_an_error_that_names_the_header(results):
    error = results["swapped"].get("error")
    assert error is not None, "the column-swapped copy was read without an error"
    assert "CSV header does not conform to the schema" in error
    assert "Expected: Time on App but found: Time on Website" in error


def test_a_value_that_is_not_a_number_fails_instead_of_becoming_null(results):
    error = results["malformed"].get("error")
    assert error is not None, "the copy with 4.5x was read without an error"
    assert "MALFORMED_RECORD_IN_PARSING" in error
    assert 'For input string: "4.5x"' in error
