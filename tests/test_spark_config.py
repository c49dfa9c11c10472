"""The two top-level files are the ones Spark reads, and they do what they say.

Each test starts a real local Spark in a subprocess, the way the kernel does (only
SPARK_CONF_DIR and SPARK_LOCAL_IP set), with a copy of the configuration files that
the test may change.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO_ROOT

# A Log4j line as log4j.properties formats it: "25/11/26 10:00:00 INFO SparkContext: ..."
LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (TRACE|DEBUG|INFO|WARN|ERROR) ", re.M)

SPARK_JOB = """
import json
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.range(1000).selectExpr("sum(id)").collect()
conf = spark.sparkContext.getConf()
print(json.dumps({
    "driver_memory": conf.get("spark.driver.memory"),
    "heap_mib": spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory() // 2**20,
    "master": spark.sparkContext.master,
    "time_zone": spark.conf.get("spark.sql.session.timeZone"),
    "ui": spark.sparkContext.uiWebUrl,
}))
spark.stop()
"""


def conf_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "conf"
    folder.mkdir()
    for name in ("spark-defaults.conf", "log4j.properties"):
        shutil.copy(REPO_ROOT / name, folder / name)
    return folder


def run_spark(conf_dir: Path, **extra_env: str) -> tuple[dict, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE", "SPARK_HOME")
    }
    env.update(SPARK_CONF_DIR=str(conf_dir), SPARK_LOCAL_IP="127.0.0.1", **extra_env)
    completed = subprocess.run(
        [sys.executable, "-c", SPARK_JOB],
        capture_output=True,
        text=True,
        env=env,
        cwd=conf_dir.parent,  # not the repository: the files must be found via SPARK_CONF_DIR
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1]), completed.stderr


@pytest.fixture(scope="module")
def default_run(tmp_path_factory) -> tuple[dict, str]:
    return run_spark(conf_copy(tmp_path_factory.mktemp("default")))


def test_spark_defaults_reach_the_driver(default_run):
    settings, _ = default_run
    assert settings["driver_memory"] == "1g"
    assert 900 <= settings["heap_mib"] <= 1024  # the JVM's -Xmx really is 1g
    assert settings["time_zone"] == "UTC"
    assert settings["ui"].startswith("http://127.0.0.1:")


def test_default_logging_is_quiet(default_run):
    _, stderr = default_run
    assert not LOG_LINE.search(stderr), stderr
    assert "Setting default log level" not in stderr
    assert "netlib" not in stderr  # native BLAS is not tried, so nothing reports its absence
    assert "resolves to a loopback address" not in stderr  # SPARK_LOCAL_IP is honoured


@pytest.fixture(scope="module")
def changed_run(tmp_path_factory) -> tuple[dict, str]:
    """One Spark started with two changes at once (each Spark start costs about 12 s):
    the log level in log4j.properties, and PYSPARK_SUBMIT_ARGS in the environment."""
    conf_dir = conf_copy(tmp_path_factory.mktemp("changed"))
    properties = conf_dir / "log4j.properties"
    text = properties.read_text()
    assert "property.level = error" in text
    properties.write_text(text.replace("property.level = error", "property.level = info"))
    return run_spark(
        conf_dir,
        PYSPARK_SUBMIT_ARGS="--master local[1] --driver-memory 1536m pyspark-shell",
    )


def test_changing_the_level_in_log4j_properties_changes_the_output(default_run, changed_run):
    _, stderr = changed_run
    assert re.search(r"^\S+ \S+ INFO SparkContext: Running Spark version", stderr, re.M), stderr
    assert not LOG_LINE.search(default_run[1])  # and only the changed file did it


def test_pyspark_submit_args_still_win(changed_run):
    settings, _ = changed_run
    assert settings["master"] == "local[1]"
    assert settings["driver_memory"] == "1536m"
    assert 1300 <= settings["heap_mib"] <= 1536


def test_installed_kernel_carries_this_configuration():
    import pyspark
    from jupyter_client.kernelspec import KernelSpecManager

    import register_kernel

    spec = KernelSpecManager().get_kernel_spec(register_kernel.KERNEL_NAME)
    wanted = register_kernel.kernel_spec(python=spec.argv[0])
    assert spec.display_name == register_kernel.KERNEL_DISPLAY_NAME
    assert spec.argv == wanted["argv"]
    assert spec.env == wanted["env"]
    assert spec.env["SPARK_CONF_DIR"] == str(REPO_ROOT)
    assert spec.env["SPARK_LOCAL_IP"] == "127.0.0.1"
    # The pip-installed Spark, whatever SPARK_HOME the terminal that started Jupyter has.
    assert Path(spec.env["SPARK_HOME"]) == Path(pyspark.__file__).resolve().parent
    # Nothing that would override the learner's choice of master, Connect server or the
    # Python of Spark's workers (the kernel's extension only fills PYSPARK_PYTHON in).
    assert not {"PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE", "PYSPARK_PYTHON"} & set(spec.env)
    assert "--IPKernelApp.capture_fd_output=False" in spec.argv
    assert "--IPKernelApp.extensions=course_kernel" in spec.argv
    assert register_kernel.is_current(
        Path(spec.resource_dir), register_kernel.wanted_files(spec.argv[0])
    )
