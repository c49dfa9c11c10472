"""The pure parts of tools/upgrade_check.py (`make upgrade-check`): pins and markers, the
choice of the newest release, the output-diff summary and the report. No network, no Spark."""

from __future__ import annotations

import base64
import struct
import sys
import zlib

import pytest

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import upgrade_check as uc  # noqa: E402  (tools/ is not a package)

REQUIREMENTS = """\
# a comment
-r base.txt

# Spark itself
pyspark==4.3.0
numpy==2.2.6 ; python_version < "3.11"
numpy==2.3.5 ; python_version >= "3.11"
Faker==38.2.0  # fake names
"""


def test_pins_keep_their_markers_and_includes():
    pins, includes = uc.parse_pins(REQUIREMENTS, "requirements.txt")
    assert includes == ["base.txt"]
    assert [(p.name, p.version) for p in pins] == [
        ("pyspark", "4.3.0"),
        ("numpy", "2.2.6"),
        ("numpy", "2.3.5"),
        ("Faker", "38.2.0"),
    ]
    assert pins[1].marker == 'python_version < "3.11"'
    assert pins[3].key == "faker" and pins[0].marker is None


def test_only_exact_pins_are_accepted():
    with pytest.raises(ValueError, match="not an exact pin"):
        uc.parse_pins("numpy>=2\n")


def test_markers_choose_the_line_for_each_python():
    pins, _ = uc.parse_pins(REQUIREMENTS)
    on_311 = [p.version for p in pins if uc.pin_applies(p, uc.marker_environment("3.11"))]
    on_310 = [p.version for p in pins if uc.pin_applies(p, uc.marker_environment("3.10"))]
    assert on_311 == ["4.3.0", "2.3.5", "38.2.0"]
    assert on_310 == ["4.3.0", "2.2.6", "38.2.0"]
    assert uc.python_for_marker('python_version < "3.11"') == "3.10"


def test_read_pins_follows_includes(tmp_path):
    (tmp_path / "base.txt").write_text("pandas==2.3.3\n")
    (tmp_path / "dev.txt").write_text("-r base.txt\npytest==9.0.1\n")
    pins = uc.read_pins(tmp_path / "dev.txt")
    assert [(p.name, p.source) for p in pins] == [("pandas", "base.txt"), ("pytest", "dev.txt")]


def test_the_course_files_parse():
    names = {pin.key for pin in uc.read_pins()}
    assert {"pyspark", "numpy", "pytest", "nbval"} <= names


def files(requires_python=None, yanked=False):
    return [{"requires_python": requires_python, "yanked": yanked}]


RELEASES = {
    "2.3.5": files(">=3.11"),
    "2.4.6": files(">=3.11"),
    "2.4.7": files(">=3.11", yanked=True),  # yanked: never chosen
    "2.5.0rc1": files(">=3.12"),  # pre-release
    "2.5.5": files(">=3.12"),  # needs a newer Python than 3.11
    "2.6.0.dev1": files(">=3.12"),  # development release
    "2.6.1": [],  # no files at all
    "not-a-version": files(),
}


def test_newest_leaves_out_prereleases_yanked_and_other_pythons():
    assert uc.newest_versions(RELEASES, "3.11") == ("2.5.5", "2.4.6")
    assert uc.newest_versions(RELEASES, "3.12") == ("2.5.5", "2.5.5")
    assert uc.newest_versions(RELEASES, "3.10") == ("2.5.5", None)


def test_pip_index_output_both_forms():
    text = "pandas (3.1.1)\nAvailable versions: 3.1.1, 3.1.0rc0, 3.0.6\n  INSTALLED: 2.3.3\n"
    assert uc.parse_pip_index(text) == ["3.1.1", "3.1.0rc0", "3.0.6"]
    assert uc.parse_pip_index('{"name": "x", "versions": ["1.0", "2.0b1"]}') == ["1.0", "2.0b1"]
    assert uc.newest_of(["1.0", "2.0b1", "junk", "1.10"]) == "1.10"


def lookup(newest, **newest_for):
    """A Lookup; newest_for by Python, written py3_11="2.4.6" for Python 3.11."""
    return uc.Lookup(newest, {k[2:].replace("_", "."): v for k, v in newest_for.items()})


def test_plan_upgrades_only_what_was_asked_and_what_applies():
    pins, _ = uc.parse_pins(REQUIREMENTS)
    lookups = {
        "pyspark": lookup("4.4.0", py3_11="4.4.0"),
        "numpy": lookup("2.5.5", py3_11="2.4.6", py3_10="2.2.6"),
        "faker": lookup("40.0.0", py3_11="40.0.0"),
    }
    environment = uc.marker_environment("3.11")
    rows = uc.plan_upgrades(pins, lookups, {"numpy", "pyspark"}, environment)
    by_line = {row.pin.label: row for row in rows}
    assert by_line["pyspark"].target == "4.4.0" and by_line["pyspark"].upgraded
    new_numpy = by_line['numpy (python_version >= "3.11")']
    assert new_numpy.target == "2.4.6"
    assert "2.5.5 needs a newer Python" in new_numpy.note
    old_numpy = by_line['numpy (python_version < "3.11")']
    assert old_numpy.target is None and "newest for Python 3.10: 2.2.6" in old_numpy.note
    faker = by_line["Faker"]
    assert faker.target == "38.2.0" and "not in PACKAGES" in faker.note
    assert uc.scratch_requirements(rows).splitlines()[1:] == [
        "pyspark==4.4.0",
        "numpy==2.4.6",
        "Faker==38.2.0",
    ]


def test_a_failed_lookup_keeps_the_pin():
    pins, _ = uc.parse_pins("psutil==7.1.3\n")
    failed = uc.Lookup(None, error="lookup failed (no network)")
    rows = uc.plan_upgrades(pins, {"psutil": failed}, None, uc.marker_environment("3.11"))
    assert rows[0].target == "7.1.3" and "lookup failed" in rows[0].note


def test_spark_defaults_keys():
    text = "# comment\n\nspark.driver.memory   1g\nspark.a=b\nspark.x: -Da=1 -Db=2\n"
    assert uc.read_spark_defaults(text) == [
        ("spark.driver.memory", "1g"),
        ("spark.a", "b"),
        ("spark.x", "-Da=1 -Db=2"),
    ]


# --- the output-diff summariser on two small fake notebooks -----------------------------


def png(width: int, height: int, shade: int = 0, text: bytes = b"") -> str:
    """A real grey PNG, base64 as notebooks store it, with an optional tEXt chunk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    data = uc.PNG_SIGNATURE + chunk(b"IHDR", header)
    if text:
        data += chunk(b"tEXt", b"Software\x00" + text)
    data += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode()


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


STORED = notebook(
    code("spark = get()\nprint(url)", stream("Spark UI: http://127.0.0.1:4040\n")),
    code("print(rmse, r2)", stream("RMSE 10.21, R² 0.98\nrows: 500\n")),
    code("plot()", figure(png(4, 3, text=b"matplotlib 3.10.7"))),
    code("plot2()", figure(png(4, 3))),
    code("print('done')", stream("done\n")),
)
FRESH = notebook(
    # another port: sanitised away, as nbval does
    code("spark = get()\nprint(url)", stream("Spark UI: http://127.0.0.1:4041\n")),
    # a number moved, and a new line
    code("print(rmse, r2)", stream("RMSE 10.25, R² 0.98\n"), stream("rows: 500\nnew line\n")),
    # same pixels, other PNG metadata: not a change
    code("plot()", figure(png(4, 3, text=b"matplotlib 3.11.0"))),
    # another size
    code("plot2()", figure(png(5, 3))),
    # a new warning on stderr, as Python prints one: message, then the line that warned
    code(
        "print('done')",
        stream("done\n"),
        stream("/x/site-packages/pkg/m.py:12: FutureWarning: soon\n  warn()\n", "stderr"),
    ),
)
PATTERNS = uc.sanitize_patterns(
    "[port]\nregex: http://127\\.0\\.0\\.1:\\d{4,5}\nreplace: http://127.0.0.1:PORT\n"
)


def test_the_summary_names_each_changed_cell_and_how():
    changes = uc.compare_notebooks(STORED, FRESH, PATTERNS)
    assert [change.cell for change in changes] == [1, 3, 4]
    numbers, plot, warning = changes
    assert numbers.source == "print(rmse, r2)"
    assert numbers.lines == ["[stdout]", "~ RMSE 10.21→10.25, R² 0.98", "+ new line"]
    assert plot.lines == ["[image/png] plot changed: 4x3 px, 68 bytes -> 5x3 px, 68 bytes"]
    assert warning.lines == [
        "[stderr] new output",
        "+ .../site-packages/pkg/m.py:12: FutureWarning: soon",
        "+   warn()",
    ]
    found = uc.new_stderr_lines(STORED, FRESH, PATTERNS)
    assert found == [(4, ".../site-packages/pkg/m.py:12: FutureWarning: soon")]


def test_warnings_are_grouped_across_cells():
    found = {
        "01.ipynb": [(0, "m.py:12: FutureWarning: soon"), (6, "m.py:99: FutureWarning: soon")],
        "02.ipynb": [(3, "m.py:12: FutureWarning: soon"), (3, "other: DeprecationWarning")],
    }
    assert uc.group_warnings(found) == [
        ("m.py:12: FutureWarning: soon", ["01.ipynb Cells 0, 6", "02.ipynb Cell 3"], 3),
        ("other: DeprecationWarning", ["02.ipynb Cell 3"], 1),
    ]


def test_identical_runs_have_no_changes():
    assert uc.compare_notebooks(STORED, STORED, PATTERNS) == []


def test_the_real_notebooks_compare_equal_to_themselves():
    import json

    patterns = uc.sanitize_patterns(uc.SANITIZE_FILE.read_text())
    for path in sorted(uc.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        stored = json.loads(path.read_text())
        assert uc.compare_notebooks(stored, stored, patterns) == []


def test_errors_and_long_diffs():
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad\nmore", "traceback": []}
    assert uc.cell_errors(notebook(code("x", error))) == ["Cell 0: ValueError: bad"]
    many = uc.text_change_lines("", "\n".join(f"line {i} x" for i in range(30)), limit=5)
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
    assert uc.new_log_lines(before, after) == [
        "WARN SparkConf: The configuration key 'spark.x' has been deprecated",
        ".../site-packages/m.py:3: FutureWarning: soon",
    ]


def test_pytest_and_junit_outcomes():
    output = (
        "..F\nFAILED tests/test_a.py::test_b - AssertionError: 1 != 2\n1 failed, 2 passed in 3.2s\n"
    )
    assert uc.pytest_outcome(output) == (
        "1 failed, 2 passed in 3.2s",
        ["FAILED tests/test_a.py::test_b - AssertionError: 1 != 2"],
    )
    # As nbval writes them: why the cell failed, its input, then the comparison or traceback.
    differ = (
        "Notebook cell execution failed\nCell 1: Cell outputs differ\n\nInput:\nprint(x)\n\n"
        "Traceback:\nUnexpected output fields from running code: {'stderr'}\n"
    )
    raised = (
        "Notebook cell execution failed\nCell 0: Cell execution caused an exception\n\n"
        "Input:\nimport x\n\nTraceback:\n---\nFile x.py:1\nModuleNotFoundError: No module 'x'\n"
    )
    junit = f"""<testsuites><testsuite>
      <testcase classname="notebooks.01_linear_regression.ipynb" name="Cell 0" time="5.5"/>
      <testcase classname="notebooks.01_linear_regression.ipynb" name="Cell 1" time="1.0">
        <failure message="Notebook cell execution failed">{differ}</failure></testcase>
      <testcase classname="notebooks.02_logistic_regression.ipynb" name="Cell 0" time="2">
        <failure message="Notebook cell execution failed">{raised}</failure></testcase>
    </testsuite></testsuites>"""
    seconds, failures = uc.junit_cells(junit)
    assert seconds == {"01_linear_regression.ipynb": 6.5, "02_logistic_regression.ipynb": 2.0}
    assert failures == [
        "01_linear_regression.ipynb Cell 1: Cell outputs differ:"
        " Unexpected output fields from running code: {'stderr'}",
        "02_logistic_regression.ipynb Cell 0: Cell execution caused an exception:"
        " ModuleNotFoundError: No module 'x'",
    ]


def test_logs_keep_output_and_exit_status(tmp_path):
    log = tmp_path / "step.log"
    log.write_text("$ pytest\n3 passed\n\n--- stderr ---\nwarning\n--- exit 1 ---\n")
    assert uc.read_log(log) == ("3 passed\n", "warning", 1)
    assert uc.read_log(tmp_path / "missing.log") == ("", "", None)


# --- the report ---------------------------------------------------------------------------


def fake_result(**changes) -> uc.CheckResult:
    pins, _ = uc.parse_pins(REQUIREMENTS, "requirements.txt")
    lookups = {
        "pyspark": lookup("4.3.0", py3_11="4.3.0"),
        "numpy": lookup("2.5.5", py3_11="2.4.6", py3_10="2.2.6"),
        "faker": lookup("38.2.0", py3_11="38.2.0"),
    }
    rows = uc.plan_upgrades(pins, lookups, None, uc.marker_environment("3.11"))
    result = uc.CheckResult(date="2026-11-28 06:00 UTC", python="3.11", rows=rows)
    result.install_ok = True
    result.unit = uc.TestRun("pytest tests", "120 passed in 80s", [], 0)
    result.nbval = uc.TestRun("pytest notebooks --nbval", "100 passed in 140s", [], 0)
    result.before = {"01_linear_regression.ipynb": uc.NotebookRun(20.0, "ok")}
    result.after = {"01_linear_regression.ipynb": uc.NotebookRun(22.0, "ok")}
    result.nbval_seconds = {"01_linear_regression.ipynb": 21.0}
    result.changes = changes
    return result


def test_a_clean_run_passes_and_says_so():
    result = fake_result()
    assert uc.verdict(result) == (True, [])
    report = uc.write_report(result)
    assert "## Verdict: PASS" in report
    assert (
        "1 of 3 pinned packages have a newer release for Python 3.11: numpy 2.3.5 → 2.4.6" in report
    )
    assert (
        '| numpy (python_version >= "3.11") | requirements.txt | 2.3.5 | 2.5.5 | 2.4.6 |' in report
    )
    assert "| 01_linear_regression.ipynb | 20.0 | 22.0 | +2.0 s (+10%) | 21.0 |" in report
    assert "No cell's output changed" in report
    assert str(REPO_ROOT) not in report


def test_the_report_names_no_path_of_this_machine():
    from pathlib import Path

    assert uc.shown(f"{uc.REPO_ROOT}/notebooks/x.py") == "<repo>/notebooks/x.py"
    assert uc.shown(f"{Path.home()}/.cache/y") == "~/.cache/y"
    assert uc.relative(uc.REPO_ROOT / ".upgrade-check" / "venv" / "bin" / "python") == (
        ".upgrade-check/venv/bin/python"
    )


def test_a_changed_cell_fails_the_check_unless_the_pins_change_it_too():
    change = uc.CellChange(3, "print(rmse)", ["[stdout]", "~ RMSE 10.21→10.25"])
    result = fake_result(**{"01_linear_regression.ipynb": [change]})
    ok, reasons = uc.verdict(result)
    assert not ok and reasons == ["1 cell(s) changed output in 01_linear_regression.ipynb"]
    report = uc.write_report(result)
    assert "## Verdict: FAIL" in report
    assert "- Cell 3 (`print(rmse)`):" in report and "  ~ RMSE 10.21→10.25" in report
    result.also_before = {"01_linear_regression.ipynb": {3}}
    assert uc.verdict(result)[0]
    assert "not caused by the upgrade" in uc.write_report(result)


def test_failures_and_warnings_reach_the_report():
    result = fake_result()
    result.unit = uc.TestRun(
        "pytest tests", "1 failed, 119 passed", ["FAILED tests/a.py::b - E"], 1
    )
    result.cell_warnings = {"05_recommenders.ipynb": [(7, "FutureWarning: soon")]}
    result.kernel_warnings = {"00_setup_check.ipynb": ["WARN SparkConf: deprecated key"]}
    report = uc.write_report(result)
    assert "unit tests: 1 failed, 119 passed" in report
    assert "  - FAILED tests/a.py::b - E" in report
    assert "- `FutureWarning: soon`: on stderr in the output of 1 cell(s):" in report
    assert "  05_recommenders.ipynb Cell 7." in report
    assert "`WARN SparkConf: deprecated key`" in report
