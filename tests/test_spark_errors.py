"""What a learner sees when Spark raises, in a real course kernel, classic and Connect.

Each error is short: the error's name, Spark's own message, the learner's line and how to
see the whole text; never PySpark's 9 kB JSON log record of the query context, never pages
of Java stack. The cases that need more get one line of their own: a row that does not fit
its schema, a Spark that was stopped or whose Java process died, a Spark Connect server
that does not answer. Slow: each test starts a kernel and a Spark (`make test-slow`).
"""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
from test_course_kernel import START, kernel_folder, run, server_env

import spark_service

MAKE_DATA = 'df = spark.createDataFrame([(1.0, 2.0)], "label double, prediction double")'
TYPO = 'df.select("predicton").show()'
BAD_CSV = """
from pathlib import Path
bad = Path("../.scratch/errors-test"); bad.mkdir(parents=True, exist_ok=True)
(bad / "money.csv").write_text('id,amount\\n1,2.5\\n2,"44,361.63"\\n')
money = spark.read.csv(str((bad / "money.csv").resolve()), schema="id INT, amount DOUBLE",
                       header=True, enforceSchema=False, mode="FAILFAST")
money.collect()
"""


def error_of(cell) -> dict:
    (error,) = [out for out in cell.outputs if out.output_type == "error"]
    return error


def everything_printed(cells) -> str:
    text = []
    for cell in cells:
        for out in cell.outputs:
            text.append(out.get("text", ""))
            text.extend(out.get("traceback", []))
    return "\n".join(text)


@pytest.fixture(scope="module", params=["classic", "connect"])
def mode_env(request, tmp_path_factory):
    with ExitStack() as stack:
        env = server_env()
        if request.param == "connect":
            log_dir = tmp_path_factory.mktemp("connect-logs")
            remote, _ = spark_service.start_connect(
                stack, spark_service.service_env(log_dir), log_dir
            )
            env.update(remote)
        yield request.param, env


@pytest.mark.slow
def test_a_mistyped_column_is_one_message_and_the_learners_line(mode_env, tmp_path):
    mode, env = mode_env
    cells = run([f"{START}\n{MAKE_DATA}", TYPO, BAD_CSV], kernel_folder(tmp_path), env)
    assert not [out for out in cells[0].outputs if out.output_type == "error"], cells[0].outputs
    error = error_of(cells[1])
    shown = "\n".join(error["traceback"])
    print(f"{mode}:\n{shown}")
    assert error["ename"] == "AnalysisException"
    assert "UNRESOLVED_COLUMN" in shown and "Did you mean" in shown and "`prediction`" in shown
    assert f"cell [2], line 1: {TYPO}" in shown
    assert "%spark_error" in shown
    assert len(error["traceback"]) == 3 and len(shown) < 800, shown
    # No JSON log record, no stack trace, anywhere in the cell.
    printed = everything_printed(cells[1:2])
    assert "DataFrameQueryContextLogger" not in printed and '"logger"' not in printed
    assert "\tat " not in printed and "JVM stacktrace" not in printed
    # A row that does not fit the schema: the file, the value and the record, in one line.
    error = error_of(cells[2])
    first = error["traceback"][0]
    print(f"{mode}:\n" + "\n".join(error["traceback"]))
    assert "Spark could not read money.csv" in first, first
    assert '"44,361.63" is not a number' in first and "[2,null]" in first, first
    assert "PERMISSIVE" not in "\n".join(error["traceback"])


@pytest.mark.slow
def test_after_spark_stop_the_cell_says_what_happened_and_what_to_do(mode_env, tmp_path):
    mode, env = mode_env
    if mode == "connect":
        pytest.skip("the course kernel only ends a JVM it started itself (classic mode)")
    cells = run(
        [f"{START}\n{MAKE_DATA}", "spark.stop()", "df.count()"], kernel_folder(tmp_path), env
    )
    error = error_of(cells[2])
    assert "Spark was stopped in this notebook (spark.stop())" in error["traceback"][0]
    assert "Run > Run All Above Selected Cell" in error["traceback"][0]
    assert len(error["traceback"]) <= 3


@pytest.mark.slow
def test_a_jvm_that_died_is_named_with_its_likely_cause(mode_env, tmp_path):
    mode, env = mode_env
    if mode == "connect":
        pytest.skip("under Spark Connect the JVM is the server's, not the kernel's")
    kill = (
        "import os, signal\n"
        "jvm = spark.sparkContext._gateway.proc\n"
        "os.kill(jvm.pid, signal.SIGKILL)\n"
        "jvm.wait()"
    )
    cells = run([f"{START}\n{MAKE_DATA}", kill, "df.count()"], kernel_folder(tmp_path), env)
    error = error_of(cells[2])
    print("\n".join(error["traceback"]))
    assert "Spark's Java process has died: it was killed (signal 9)" in error["traceback"][0]
    assert "spark.driver.memory" in error["traceback"][0]
    assert len(error["traceback"]) <= 3


@pytest.mark.slow
def test_an_unreachable_spark_connect_server_is_one_line_within_seconds(tmp_path):
    env = server_env(SPARK_REMOTE="sc://127.0.0.1:1")
    began = time.monotonic()
    cells = run([START], kernel_folder(tmp_path), env)
    took = time.monotonic() - began
    error = error_of(cells[0])
    print(f"{took:.1f} s: " + "\n".join(error["traceback"]))
    assert took < 60
    assert error["ename"] == "SparkUnreachable"
    assert error["traceback"][0].endswith(
        "No Spark Connect server answers at 127.0.0.1:1 (SPARK_REMOTE=sc://127.0.0.1:1): "
        "start the server, or unset SPARK_REMOTE to run Spark here, then restart the kernel."
    )
