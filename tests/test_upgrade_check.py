"""The pure parts of tools/upgrade_check/ (`make upgrade-check`): the version table, the
output-diff summary (plots compared by Pillow), nbval's sanitising and the report.
No network, no Spark."""

import base64
import io
import json
import re

import pytest
from PIL import Image, PngImagePlugin

from conftest import REPO_ROOT
from course_facts import NBVAL_OPTIONS, course_notebooks
from upgrade_check import inside, report
from upgrade_check.__main__ import SCRATCH, environment_for

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
    return report.read_pins(tmp_path / "requirements.txt")


def test_pins_follow_includes(pins):
    assert [(p.name, p.version) for p in pins] == [
        ("pandas", "2.3.3"),
        ("pyspark", "4.3.0"),
        ("numpy", "2.4.6"),
        ("Faker", "38.2.0"),
    ]
    assert pins[3].key == "faker"


def test_only_exact_pins_are_accepted(tmp_path):
    (tmp_path / "r.txt").write_text("numpy>=2\n")
    with pytest.raises(ValueError, match="not an exact pin"):
        report.read_pins(tmp_path / "r.txt")


def test_the_course_files_parse():
    names = {pin.key for pin in report.read_pins(REPO_ROOT / "requirements-dev.txt")}
    assert {"pyspark", "numpy", "pytest", "nbval"} <= names


def test_uv_gets_the_chosen_packages_unpinned_and_the_others_pinned(pins):
    assert report.loosened(pins, {"numpy", "faker"}).splitlines() == [
        "pandas==2.3.3",
        "pyspark==4.3.0",
        "numpy",
        "Faker",
    ]
    assert report.loosened(pins, None) == "pandas\npyspark\nnumpy\nFaker\n"


def test_uv_compile_output_is_read_by_normalised_name(monkeypatch):
    from upgrade_check import __main__ as check

    class Done:
        returncode, stderr = 0, ""
        stdout = "faker==40.0.0\n    # via -r -\nnumpy==2.4.6\nPalmer_Penguins==0.1.6\n"

    monkeypatch.setattr(check.subprocess, "run", lambda *a, **k: Done())
    found = {"faker": "40.0.0", "numpy": "2.4.6", "palmer-penguins": "0.1.6"}
    assert check.uv_compile("x\n") == (found, "")
    Done.returncode, Done.stderr = 1, "error: No solution found\n  because x"
    assert check.uv_compile("x\n") == ({}, "error: No solution found because x")


def test_the_table_says_what_was_checked_and_why(pins):
    newest = {"pyspark": "4.4.0", "numpy": "2.5.5", "faker": "40.0.0", "pandas": "3.1.1"}
    alone = {"pyspark": "4.4.0", "numpy": "2.4.6", "faker": "40.0.0", "pandas": "3.1.1"}
    lock = {"pandas": "2.3.3", "pyspark": "4.4.0", "numpy": "2.4.6", "faker": "39.0.0"}
    report.fill(pins, {"pyspark", "numpy", "faker"}, newest, alone, lock, "3.11")
    pandas, pyspark, numpy, faker = pins
    assert pandas.note == "kept at its pin (not in PACKAGES)"
    assert pandas.newest == "-" and not pandas.upgraded
    assert pyspark.upgraded and pyspark.note == "upgraded"
    assert numpy.checked == "2.4.6" and not numpy.upgraded
    assert numpy.note == "already the newest (2.5.5 needs a newer Python than 3.11)"
    assert faker.note == "upgraded (40.0.0 does not install with the other pins)"


def test_a_pin_the_others_hold_back_is_not_called_upgraded(pins):
    lock = {"pandas": "2.3.3", "pyspark": "4.3.0", "numpy": "2.4.6", "faker": "37.0.0"}
    report.fill(pins, {"faker"}, {"faker": "40.0.0"}, {"faker": "40.0.0"}, lock, "3.11")
    assert not pins[3].upgraded
    assert pins[3].note == "moved down (40.0.0 does not install with the other pins)"


def test_nothing_resolved_leaves_nothing_checked(pins):
    report.fill(pins, None, {}, {}, {}, "3.11")
    assert all(row.checked == "-" and row.note == "not resolved" for row in pins)


def test_a_run_sees_only_its_own_environment(monkeypatch):
    pinned_bin = str(REPO_ROOT / ".venv" / "bin")
    monkeypatch.setenv("PATH", f"{pinned_bin}:/usr/bin")
    monkeypatch.setenv("SPARK_HOME", "/elsewhere/spark")
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere/jupyter")
    env = environment_for(SCRATCH, JAVA_HOME="/jdk")
    assert env["PATH"].split(":") == [str(SCRATCH / "bin"), "/usr/bin"]
    assert env["JUPYTER_PATH"] == str(SCRATCH / "share" / "jupyter")
    assert env.get("SPARK_HOME", str(SCRATCH)).startswith(str(SCRATCH))
    assert env["VIRTUAL_ENV"] == str(SCRATCH) and env["JAVA_HOME"] == "/jdk"


# --- the output-diff summariser on small fake cells -------------------------------------


def png(width: int, height: int, shade: int = 0, software: str = "") -> str:
    """A real grey PNG made by Pillow, base64 as notebooks store it, with optional metadata."""
    info = PngImagePlugin.PngInfo()
    if software:
        info.add_text("Software", software)
    buffer = io.BytesIO()
    Image.new("L", (width, height), shade).save(buffer, "PNG", pnginfo=info)
    return base64.b64encode(buffer.getvalue()).decode()


def stream(text, name="stdout"):
    return {"output_type": "stream", "name": name, "text": text}


def figure(image):
    data = {"image/png": image, "text/plain": "<Figure size 640x480 with 1 Axes>"}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def sanitize(text: str) -> str:  # as nbval's sanitize file would
    return re.sub(r"http://127\.0\.0\.1:\d{4,5}", "http://127.0.0.1:PORT", text)


def test_a_sanitised_difference_and_same_pixels_are_no_change():
    old = [stream("Spark UI: http://127.0.0.1:4040\n"), figure(png(4, 3, software="mpl 3.10"))]
    new = [stream("Spark UI: http://127.0.0.1:4041\n"), figure(png(4, 3, software="mpl 3.11"))]
    assert inside.compare(old, new, sanitize) == ([], [])
    assert inside.compare(old, new, str)[0][0] == "[stdout]"


def test_numbers_that_moved_and_new_lines():
    old = [stream("RMSE 10.21, R² 0.98\nrows: 500\n")]
    new = [stream("RMSE 10.25, R² 0.98\n"), stream("rows: 500\nnew line\n")]
    assert inside.compare(old, new, str) == (
        ["[stdout]", "~ RMSE 10.21→10.25, R² 0.98", "+ new line"],
        [],
    )


def test_a_new_warning_is_a_change_and_its_message_a_new_warning():
    warning = stream("/x/site-packages/pkg/m.py:12: FutureWarning: soon\n  warn()\n", "stderr")
    lines, warnings = inside.compare([stream("done\n")], [stream("done\n"), warning], str)
    assert lines == [
        "[stderr] new output",
        "+ .../site-packages/pkg/m.py:12: FutureWarning: soon",
        "+   warn()",
    ]
    assert warnings == [".../site-packages/pkg/m.py:12: FutureWarning: soon"]


def test_images_are_compared_by_their_pixels():
    assert inside.describe_image(png(4, 3), png(4, 3, software="x")) is None
    assert inside.describe_image(png(4, 3), png(4, 3, shade=9)) == "plot changed: 4x3 -> 4x3 px"
    assert inside.describe_image(png(4, 3), png(5, 3)) == "plot changed: 4x3 -> 5x3 px"
    broken = base64.b64encode(b"not a png").decode()
    assert inside.describe_image(png(4, 3), broken) == (
        "plot: the image changed (not a readable image)"
    )
    lines, _ = inside.compare([figure(png(4, 3))], [figure(png(4, 3)), figure(png(4, 3))], str)
    assert "[image/png] 1 -> 2 images" in lines


def test_long_diffs_are_cut():
    many = inside.text_changes("", "\n".join(f"line {i} x" for i in range(30)), limit=5)
    assert len(many) == 6 and many[-1] == "… and 25 more changed lines"


def test_the_real_notebooks_compare_equal_to_themselves_with_nbvals_own_sanitising():
    from nbval.plugin import get_sanitize_patterns

    (option,) = [o for o in NBVAL_OPTIONS if o.startswith("--nbval-sanitize-with=")]
    patterns = get_sanitize_patterns(open(option.split("=", 1)[1]).read())
    assert patterns, "the course's sanitize file has no regex/replace pairs"

    def nbval_sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    for path in course_notebooks():
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                assert inside.compare(cell["outputs"], cell["outputs"], nbval_sanitize) == ([], [])


def test_spark_log_lines_about_the_settings():
    log = (
        "26/11/28 06:10:09 WARN Utils: port 4041 taken\n"
        "26/11/28 06:10:10 WARN SparkConf: The configuration key 'spark.x' has been deprecated\n"
        "26/11/28 06:10:11 INFO spark.driver.memory is 1g\n"
    )
    assert report.notable_lines(log, ["spark.driver.memory"]) == [
        "WARN SparkConf: The configuration key 'spark.x' has been deprecated",
        "INFO spark.driver.memory is 1g",
    ]


# --- the report ---------------------------------------------------------------------------

NB = "01_linear_regression.ipynb"


def notebook_run(**found):
    return {"seconds": 20.0, "errors": [], "changes": [], "warnings": []} | found


def fake_result(**found) -> report.Result:
    rows = [
        report.Row("pyspark", "4.3.0", "4.3.0", "4.3.0", "already the newest"),
        report.Row("numpy", "2.3.5", "2.5.5", "2.4.6", "upgraded"),
        report.Row("Faker", "38.2.0", "38.2.0", "38.2.0", "already the newest"),
    ]
    result = report.Result("2026-11-28 06:00 UTC", "3.11", rows, install="installed with uv")
    passed = {"returncode": 0, "failures": []}
    result.tests = {
        "unit tests": {"command": "pytest tests", "closing": "120 passed in 80s"} | passed,
        "strict nbval": {"command": "pytest --nbval", "closing": "100 passed"} | passed,
    }
    result.notebooks = {NB: notebook_run(**found)}
    result.probes = [
        {"jdk": 'openjdk version "17.0.15" (default)', "ok": True, "java": "17.0.15"}
        | {"spark": "4.3.0", "unknown": ["spark.old.key"], "unseen": [], "notable": []}
        | {"log4j": "2.25.4 at level WARN"},
        {"jdk": 'openjdk version "25.0.3"', "ok": False, "error": "boom", "notable": ["WARN x"]},
    ]
    return result


def test_a_clean_run_passes_and_says_so():
    result = fake_result()
    assert report.verdict(result) == []
    text = report.write_report(result)
    assert "## Verdict: PASS" in text and "(exit status 0)" in text
    assert "1 of 3 pins have a newer release for Python 3.11: numpy 2.3.5 → 2.4.6" in text
    assert "| numpy | 2.3.5 | 2.5.5 | **2.4.6** | upgraded |" in text
    assert f"| {NB} | 20.0 |" in text and "| **all** | 20.0 |" in text
    assert "No cell's output changed" in text and "None: no cell printed" in text
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


def test_the_spark_section_reads_the_probes():
    text = report.write_report(fake_result())
    assert "accepted (Java 17.0.15, Spark 4.3.0); keys Spark does NOT know: spark.old.key" in text
    assert "values not seen as written: none; Log4j 2.25.4 at level WARN" in text
    assert '- openjdk version "25.0.3": FAILED: boom. Its log about the settings: `WARN x`.' in text
    assert "- Java 21: not checked: no JDK 21 was found here (Spark" in text
    assert "Java 17: not checked" not in text


def test_the_report_names_no_path_of_this_machine():
    from pathlib import Path

    assert report.shown(f"{REPO_ROOT}/notebooks/x.py") == "notebooks/x.py"
    assert report.shown(f"cd {REPO_ROOT}") == "cd <repo>"
    assert report.shown(f"{Path.home()}/.cache/y") == "~/.cache/y"


def test_a_changed_cell_fails_the_check():
    change = {"cell": 3, "source": "print(rmse)", "lines": ["[stdout]", "~ RMSE 10.21→10.25"]}
    result = fake_result(changes=[change])
    assert report.verdict(result) == [f"1 cell(s) changed output in {NB}"]
    text = report.write_report(result)
    assert "## Verdict: FAIL" in text and "(exit status 1)" in text
    assert "- Cell 3 (`print(rmse)`):" in text and "  ~ RMSE 10.21→10.25" in text


def test_every_failure_fails_the_check():
    result = fake_result(errors=["Cell 2: ValueError: bad"])
    result.install = "uv found no newest versions: No solution found"
    result.tests = {}
    assert report.verdict(result) == [
        "no scratch environment: uv found no newest versions: No solution found",
        "unit tests: not run",
        "strict nbval: not run",
        f"notebooks with errors: {NB}",
    ]
    text = report.write_report(result)
    assert "- unit tests: not run" in text and f"- {NB}: Cell 2: ValueError: bad" in text


def test_failures_and_warnings_reach_the_report():
    soon = "m.py:12: FutureWarning: soon"
    result = fake_result(warnings=[[0, soon], [6, soon.replace("12", "99")], [6, soon]])
    result.notebooks["02.ipynb"] = notebook_run(warnings=[[3, soon]])
    result.tests["unit tests"] |= {"returncode": 1, "closing": "1 failed, 119 passed"}
    result.tests["unit tests"]["failures"] = ["FAILED a.py::b"]
    text = report.write_report(result)
    assert report.verdict(result) == ["unit tests: 1 failed, 119 passed"]
    assert "- unit tests: FAILED (`pytest tests`): 1 failed, 119 passed" in text
    assert "  - FAILED a.py::b" in text
    assert f"- `{soon}`: on stderr in 3 cell(s): {NB} cells 0, 6; 02.ipynb cells 3." in text


def test_pytest_outcome():
    output = (
        "..F\nFAILED tests/test_a.py::test_b - AssertionError\n= 1 failed, 2 passed in 3.2s =\n"
    )
    assert report.pytest_outcome("pytest tests", 1, output) == {
        "command": "pytest tests",
        "returncode": 1,
        "closing": "1 failed, 2 passed in 3.2s",
        "failures": ["FAILED tests/test_a.py::test_b - AssertionError"],
    }
