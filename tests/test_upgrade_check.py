"""The pure parts of tools/upgrade_check/ (`make upgrade-check`): the version table, the
output-diff summary (plots compared by Pillow), nbval's sanitising and the report.
No network, no Spark."""

from __future__ import annotations

import base64
import io
import json

import pytest
from PIL import Image, PngImagePlugin

from conftest import REPO_ROOT
from course_facts import NBVAL_OPTIONS, course_notebooks
from upgrade_check import outputs, report, versions

REQUIREMENTS = """\
# a comment
-r base.txt

# Spark itself
pyspark==4.3.0
numpy==2.4.6
Faker==38.2.0  # fake names
"""


@pytest.fixture
def pins(tmp_path):
    (tmp_path / "base.txt").write_text("pandas==2.3.3\n")
    (tmp_path / "requirements.txt").write_text(REQUIREMENTS)
    return versions.read_pins(tmp_path / "requirements.txt")


def test_pins_follow_includes_and_keep_their_file(pins):
    assert [(p.name, p.version, p.source) for p in pins] == [
        ("pandas", "2.3.3", "base.txt"),
        ("pyspark", "4.3.0", "requirements.txt"),
        ("numpy", "2.4.6", "requirements.txt"),
        ("Faker", "38.2.0", "requirements.txt"),
    ]
    assert pins[3].key == "faker"


def test_only_exact_pins_are_accepted(tmp_path):
    (tmp_path / "r.txt").write_text("numpy>=2\n")
    with pytest.raises(ValueError, match="not an exact pin"):
        versions.read_pins(tmp_path / "r.txt")


def test_the_course_files_parse():
    names = {pin.key for pin in versions.read_pins(REPO_ROOT / "requirements-dev.txt")}
    assert {"pyspark", "numpy", "pytest", "nbval"} <= names


def test_uv_gets_the_chosen_packages_unpinned_and_the_others_pinned(pins):
    assert versions.loosened(pins, {"numpy", "faker"}).splitlines() == [
        "pandas==2.3.3",
        "pyspark==4.3.0",
        "numpy",
        "Faker",
    ]
    assert versions.loosened(pins, None) == "pandas\npyspark\nnumpy\nFaker\n"


def test_uv_compile_output_is_read_by_normalised_name(monkeypatch):
    class Done:
        returncode, stderr = 0, ""
        stdout = "faker==40.0.0\n    # via -r -\nnumpy==2.4.6\nPalmer_Penguins==0.1.6\n"

    monkeypatch.setattr(versions.subprocess, "run", lambda *a, **k: Done())
    found = {"faker": "40.0.0", "numpy": "2.4.6", "palmer-penguins": "0.1.6"}
    assert versions.uv_compile("x\n") == (found, "")
    Done.returncode, Done.stderr = 1, "error: No solution found\n  because x"
    assert versions.uv_compile("x\n") == ({}, "error: No solution found because x")


def test_the_table_says_what_was_checked_and_why(pins):
    newest = {"pyspark": "4.4.0", "numpy": "2.5.5", "faker": "40.0.0", "pandas": "3.1.1"}
    alone = {"pyspark": "4.4.0", "numpy": "2.4.6", "faker": "40.0.0", "pandas": "3.1.1"}
    lock = {"pandas": "2.3.3", "pyspark": "4.4.0", "numpy": "2.4.6", "faker": "39.0.0"}
    versions.fill(pins, {"pyspark", "numpy", "faker"}, newest, alone, lock, "3.11")
    by_name = {row.name: row for row in pins}
    assert by_name["pandas"].note == "kept at its pin (not in PACKAGES)"
    assert by_name["pandas"].newest is None and not by_name["pandas"].upgraded
    assert by_name["pyspark"].upgraded and by_name["pyspark"].note == "upgraded"
    assert by_name["numpy"].checked == "2.4.6" and not by_name["numpy"].upgraded
    assert by_name["numpy"].note == "already the newest (2.5.5 needs a newer Python than 3.11)"
    faker = by_name["Faker"]
    assert faker.note == "upgraded (40.0.0 does not install with the other pins)"


def test_nothing_resolved_leaves_nothing_checked(pins):
    versions.fill(pins, None, {}, {}, {}, "3.11")
    assert all(row.checked is None and not row.upgraded for row in pins)


# --- the output-diff summariser on two small fake notebooks -----------------------------


def png(width: int, height: int, shade: int = 0, software: str = "") -> str:
    """A real grey PNG made by Pillow, base64 as notebooks store it, with optional metadata."""
    info = PngImagePlugin.PngInfo()
    if software:
        info.add_text("Software", software)
    buffer = io.BytesIO()
    Image.new("L", (width, height), shade).save(buffer, "PNG", pnginfo=info)
    return base64.b64encode(buffer.getvalue()).decode()


def size(image: str) -> int:
    return len(base64.b64decode(image))


def code(source, *outputs, count=1):
    return {
        "cell_type": "code",
        "source": source,
        "execution_count": count,
        "metadata": {},
        "outputs": list(outputs),
    }


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def figure(image):
    data = {"image/png": image, "text/plain": "<Figure size 640x480 with 1 Axes>"}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def notebook(*cells):
    markdown = {"cell_type": "markdown", "source": "# Title", "metadata": {}}
    return {"cells": [markdown, *cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


OLD_PLOT, NEW_PLOT = png(4, 3), png(5, 3)
STORED = notebook(
    code("spark = get()\nprint(url)", stream("Spark UI: http://127.0.0.1:4040\n")),
    code("print(rmse, r2)", stream("RMSE 10.21, R² 0.98\nrows: 500\n")),
    code("plot()", figure(png(4, 3, software="matplotlib 3.10.7"))),
    code("plot2()", figure(OLD_PLOT)),
    code("print('done')", stream("done\n")),
    code("# NBVAL_IGNORE_OUTPUT\nprint(time())", stream("12:00\n")),
)
FRESH = notebook(
    # another port: sanitised away, as nbval does
    code("spark = get()\nprint(url)", stream("Spark UI: http://127.0.0.1:4041\n")),
    # a number moved, and a new line
    code("print(rmse, r2)", stream("RMSE 10.25, R² 0.98\n"), stream("rows: 500\nnew line\n")),
    # same pixels, other PNG metadata: not a change
    code("plot()", figure(png(4, 3, software="matplotlib 3.11.0"))),
    # another size
    code("plot2()", figure(NEW_PLOT)),
    # a new warning on stderr, as Python prints one: message, then the line that warned
    code(
        "print('done')",
        stream("done\n"),
        stream("/x/site-packages/pkg/m.py:12: FutureWarning: soon\n  warn()\n", "stderr"),
    ),
    # nbval ignores this cell's output, and so does the check
    code("# NBVAL_IGNORE_OUTPUT\nprint(time())", stream("12:01\n")),
)
PATTERNS = [(r"http://127\.0\.0\.1:\d{4,5}", "http://127.0.0.1:PORT")]


def test_the_summary_names_each_changed_cell_and_how():
    changes = outputs.compare(STORED, FRESH, PATTERNS)
    assert [change.cell for change in changes] == [1, 3, 4]
    numbers, plot, warning = changes
    assert numbers.source == "print(rmse, r2)"
    assert numbers.lines == ["[stdout]", "~ RMSE 10.21→10.25, R² 0.98", "+ new line"]
    assert plot.lines == [
        f"[image/png] plot changed: 4x3 px, {size(OLD_PLOT)} bytes"
        f" -> 5x3 px, {size(NEW_PLOT)} bytes"
    ]
    assert warning.lines == [
        "[stderr] new output",
        "+ .../site-packages/pkg/m.py:12: FutureWarning: soon",
        "+   warn()",
    ]
    found = outputs.new_stderr_lines(STORED, FRESH, PATTERNS)
    assert found == [(4, ".../site-packages/pkg/m.py:12: FutureWarning: soon")]


def test_images_are_compared_by_their_pixels():
    assert outputs.describe_image(png(4, 3), png(4, 3, software="x")) is None
    darker = png(4, 3, shade=9)
    assert outputs.describe_image(png(4, 3), darker) == (
        f"plot changed: same size 4x3 px, {size(png(4, 3))} -> {size(darker)} bytes"
    )
    broken = base64.b64encode(b"not a png").decode()
    assert outputs.describe_image(png(4, 3), broken) == (
        "plot: the image changed (not a readable image)"
    )


def test_warnings_are_grouped_across_cells():
    found = {
        "01.ipynb": [(0, "m.py:12: FutureWarning: soon"), (6, "m.py:99: FutureWarning: soon")],
        "02.ipynb": [(3, "m.py:12: FutureWarning: soon"), (3, "other: DeprecationWarning")],
    }
    assert outputs.group_warnings(found) == [
        ("m.py:12: FutureWarning: soon", ["01.ipynb Cells 0, 6", "02.ipynb Cell 3"], 3),
        ("other: DeprecationWarning", ["02.ipynb Cell 3"], 1),
    ]


def test_identical_runs_have_no_changes():
    assert outputs.compare(STORED, STORED, PATTERNS) == []


def test_the_real_notebooks_compare_equal_to_themselves_with_nbvals_own_sanitising():
    from nbval.plugin import get_sanitize_patterns

    (option,) = [o for o in NBVAL_OPTIONS if o.startswith("--nbval-sanitize-with=")]
    patterns = get_sanitize_patterns(open(option.split("=", 1)[1]).read())
    assert patterns, "the course's sanitize file has no regex/replace pairs"
    for path in course_notebooks():
        stored = json.loads(path.read_text())
        assert outputs.compare(stored, stored, patterns) == []


def test_errors_and_long_diffs():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad\nmore", "traceback": []}
    assert outputs.cell_errors(notebook(code("x", error))) == ["Cell 0: ValueError: bad"]
    many = outputs.text_changes("", "\n".join(f"line {i} x" for i in range(30)), limit=5)
    assert len(many) == 6 and many[-1] == "… and 25 more changed lines"


def test_new_log_lines_ignore_time_stamps_and_numbers():
    before = "26/11/28 05:00:01 WARN Utils: port 4040 taken\nWARNING: Using incubator modules\n"
    after = (
        "26/11/28 06:10:09 WARN Utils: port 4041 taken\nWARNING: Using incubator modules\n"
        "26/11/28 06:10:10 WARN SparkConf: The configuration key 'spark.x' has been deprecated\n"
        "26/11/28 06:10:11 WARN Instrumentation: [5d6c2926] regParam is zero\n"
        "/v/site-packages/m.py:3: FutureWarning: soon\n  code_that_warned()\n"
    )
    before += "26/11/28 05:00:02 WARN Instrumentation: [dade40a2] regParam is zero\n"
    assert outputs.new_log_lines(before, after) == [
        "WARN SparkConf: The configuration key 'spark.x' has been deprecated",
        ".../site-packages/m.py:3: FutureWarning: soon",
    ]
    notable = outputs.notable_lines(after, ["spark.driver.memory"])
    assert notable == ["WARN SparkConf: The configuration key 'spark.x' has been deprecated"]


def test_pytest_outcome():
    output = (
        "..F\nFAILED tests/test_a.py::test_b - AssertionError: 1 != 2\n1 failed, 2 passed in 3.2s\n"
    )
    assert outputs.pytest_outcome(output) == (
        "1 failed, 2 passed in 3.2s",
        ["FAILED tests/test_a.py::test_b - AssertionError: 1 != 2"],
    )


# --- the report ---------------------------------------------------------------------------

NB = "01_linear_regression.ipynb"


def fake_result(**changes) -> report.Result:
    rows = [
        versions.Row("pyspark", "4.3.0", "requirements.txt", "4.3.0", "4.3.0", "4.3.0"),
        versions.Row("numpy", "2.3.5", "requirements.txt", "2.5.5", "2.4.6", "2.4.6", "upgraded"),
        versions.Row("Faker", "38.2.0", "requirements-dev.txt", "38.2.0", "38.2.0", "38.2.0"),
    ]
    result = report.Result("2026-11-28 06:00 UTC", "3.11", rows, install="installed with uv")
    result.unit = report.TestRun("pytest tests", 0, "120 passed in 80s", [])
    result.nbval = report.TestRun("pytest notebooks --nbval", 0, "100 passed in 140s", [])
    result.before = {NB: report.NotebookRun(20.0)}
    result.after = {NB: report.NotebookRun(22.0)}
    result.changes = changes
    return result


def test_a_clean_run_passes_and_says_so():
    result = fake_result()
    assert report.verdict(result) == []
    text = report.write_report(result)
    assert "## Verdict: PASS" in text
    assert (
        "1 of 3 pinned packages have a newer release for Python 3.11: numpy 2.3.5 → 2.4.6" in text
    )
    assert "| numpy | requirements.txt | 2.3.5 | 2.5.5 | 2.4.6 | **2.4.6** | upgraded" in text
    assert f"| {NB} | 20.0 | 22.0 | +2.0 s (+10%) |" in text
    assert "| **all** | 20.0 | 22.0 | +2.0 s (+10%) |" in text
    assert "No cell's output changed" in text
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections == [
        "## Verdict: PASS",
        "## Packages",
        "## Spark",
        "## Tests",
        "## Changed cells",
        "## New warnings",
        "## Notebook times",
        "## How it ran",
    ]


def test_the_report_names_no_path_of_this_machine():
    from pathlib import Path

    assert report.shown(f"{REPO_ROOT}/notebooks/x.py") == "notebooks/x.py"
    assert report.shown(f"cd {REPO_ROOT}") == "cd <repo>"
    assert report.shown(f"{Path.home()}/.cache/y") == "~/.cache/y"


def test_a_changed_cell_fails_the_check_unless_the_pins_change_it_too():
    change = outputs.CellChange(3, "print(rmse)", ["[stdout]", "~ RMSE 10.21→10.25"])
    result = fake_result(**{NB: [change]})
    assert report.verdict(result) == [f"1 cell(s) changed output in {NB}"]
    text = report.write_report(result)
    assert "## Verdict: FAIL" in text and "(exit status 1)" in text
    assert "- Cell 3 (`print(rmse)`):" in text and "  ~ RMSE 10.21→10.25" in text
    result.also_before = {NB: {3}}
    assert report.verdict(result) == []
    assert "not caused by the upgrade" in report.write_report(result)


def test_every_failure_fails_the_check():
    result = fake_result()
    result.resolve_error = "No solution found"
    result.install = "not tried: uv found no newest versions"
    result.unit = result.nbval = None
    result.after = {NB: report.NotebookRun(None, "did not run: DeadKernelError")}
    assert report.verdict(result) == [
        "uv found no newest versions: No solution found",
        "the scratch environment could not be installed",
        "unit tests: not run",
        "strict nbval: not run",
        f"notebooks with errors: {NB}",
    ]
    text = report.write_report(result)
    assert "- Unit tests: not run" in text and "| **all** |" not in text


def test_failures_and_warnings_reach_the_report():
    result = fake_result()
    result.unit = report.TestRun("pytest tests", 1, "1 failed, 119 passed", ["FAILED a.py::b"])
    result.cell_warnings = {"05_recommenders.ipynb": [(7, "FutureWarning: soon")]}
    result.kernel_warnings = {"00_setup_check.ipynb": ["WARN SparkConf: deprecated key"]}
    text = report.write_report(result)
    assert report.verdict(result) == ["unit tests: 1 failed, 119 passed"]
    assert "- Unit tests (`pytest tests`): FAILED: 1 failed, 119 passed" in text
    assert "  - FAILED a.py::b" in text
    assert "- `FutureWarning: soon`: on stderr in the output of 1 cell(s):" in text
    assert "  05_recommenders.ipynb Cell 7." in text
    assert "`WARN SparkConf: deprecated key`" in text


def test_the_spark_section_reads_the_probe():
    result = fake_result()
    keys = [
        {"key": "spark.driver.memory", "value": "1g", "seen": "1g", "known": True},
        {"key": "spark.old.key", "value": "x", "seen": "x", "known": False},
    ]
    result.probes = [
        {"java": 'openjdk version "17.0.15" (default)', "default": True, "ok": True}
        | {"before": "accepted", "after": "accepted", "java_version": "17.0.15"}
        | {"spark_version": "4.3.0", "keys": keys, "notable": [], "new_lines": []}
        | {"log4j_level": "WARN", "log4j_version": "2.25.4"},
    ]
    text = report.write_report(result)
    assert "- spark-defaults.conf (2 keys) on Spark 4.3.0: NOT known: spark.old.key;" in text
    assert "| spark.old.key | x | **no** | as written |" in text
    assert "- log4j.properties: still read by Log4j 2.25.4" in text
    assert '| openjdk version "17.0.15" (default) | accepted | accepted |' in text
    assert "- Java 21: not checked by running: no JDK 21 was found here." in text
    assert "Java 17: not checked" not in text


def test_a_pin_the_others_hold_back_is_not_called_upgraded(pins):
    lock = {"pandas": "2.3.3", "pyspark": "4.3.0", "numpy": "2.4.6", "faker": "37.0.0"}
    versions.fill(pins, {"faker"}, {"faker": "40.0.0"}, {"faker": "40.0.0"}, lock, "3.11")
    faker = pins[3]
    assert not faker.upgraded
    assert faker.note == "moved down (40.0.0 does not install with the other pins)"
