"""The rules every notebook keeps that a re-run alone would not catch.

Strict nbval (make test-notebooks) checks the outputs; these tests read the notebooks'
source: the kernel, the structure, and nothing that ties a notebook to one machine.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from conftest import REPO_ROOT

NOTEBOOKS = sorted((REPO_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NAV_MARKER = "<!-- nav -->"


def code_of(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def content_cells(notebook):
    return [c for c in notebook.cells if not c.source.startswith(NAV_MARKER)]


def test_there_is_a_notebook_per_section():
    assert [path.name[:2] for path in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_kernel_is_python_pyspark(notebook):
    spec = notebook.metadata["kernelspec"]
    assert (spec["name"], spec["display_name"]) == ("pyspark", "Python (Pyspark)")


def test_opens_with_title_and_what_you_will_learn(notebook):
    first = content_cells(notebook)[0]
    assert first.cell_type == "markdown"
    assert re.match(r"# \d\d · \S", first.source)
    assert "what you will learn" in first.source.lower()


def test_ends_with_exercises_and_stopping_spark(notebook):
    cells = content_cells(notebook)
    assert cells[-1].cell_type == "code" and cells[-1].source.strip() == "spark.stop()"
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "## Try it yourself" in markdown
    assert "<summary>Solution" in markdown


def test_session_comes_from_the_environment(notebook):
    code = code_of(notebook)
    # A name the learner recognises in the Spark UI, and nothing else: where Spark runs
    # and how it is configured come from spark-defaults.conf and the environment.
    assert re.search(
        r'SparkSession\.builder\.appName\("ML course \d\d · [^"]+"\)\.getOrCreate\(\)', code
    )
    for forbidden in (".master(", ".config(", "setLogLevel", "spark.conf.set("):
        assert forbidden not in code, f"{forbidden!r}: settings belong in spark-defaults.conf"


def test_data_is_read_through_data_path_with_a_schema(notebook):
    code = code_of(notebook)
    assert "../data" not in code and "/data/" not in code, "use data_path(...)"
    assert "inferSchema" not in code, "read with an explicit schema"
    assert "randomSplit" not in code, "randomSplit depends on the core count: use split_by_hash"


def spark_csv_reads(code: str) -> list[str]:
    """The argument text of every `.csv(...)` call on a Spark reader in `code`."""
    calls = []
    for match in re.finditer(r"\.read\s*\.csv\(", code):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        calls.append(code[match.end() : end - 1])
    return calls


def test_every_csv_read_checks_the_header_and_fails_fast(notebook):
    """With a schema, Spark matches CSV columns by position: a reordered file would be
    read silently wrong, and a malformed value would silently become null."""
    code = code_of(notebook)
    assert 'format("csv")' not in code, "read CSV with spark.read.csv(...)"
    for call in spark_csv_reads(code):
        for option in ("header=True", "enforceSchema=False", 'mode="FAILFAST"'):
            assert option in call, f"spark.read.csv({call.strip()}) lacks {option}"


def test_the_csv_read_check_sees_a_missing_option():
    code = 'df = spark.read.csv(\n    data_path("x.csv"), header=True, schema=SCHEMA\n)\nother(1)'
    (call,) = spark_csv_reads(code)
    assert "enforceSchema=False" not in call and "other" not in call


def test_every_code_cell_was_run_in_order(notebook):
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "re-run it with `make notebooks`"


def test_navigation_links_are_fresh():
    completed = subprocess.run(
        [sys.executable, "tools/nav.py", "--check"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
