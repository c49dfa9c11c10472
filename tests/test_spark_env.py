"""Spark started from any Python of the course's environment gets the course's settings.

The course kernel carries them in kernel.json's env; everything else (a script run with
`.venv/bin/python`, the stock "Python 3 (ipykernel)" kernel that editors pick) gets them
from the spark-env.sh that setup/register_kernel.py writes into the pip-installed Spark's conf/
folder, which Spark's launcher reads when SPARK_CONF_DIR is unset. The slow tests are the
probes of issue 24: a plain script with a UDF, and the stock ipykernel, started without any
of the course's variables; each reads what Spark listens on, what it printed, which Python
ran the UDF, and where Spark keeps its temporary folders.
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
from jupyter_client.manager import KernelManager

import register_kernel
import spark_service
from conftest import REPO_ROOT
from course_facts import KERNEL_NAME

# A Log4j line (log4j.properties' layout, or Spark's own default one) at WARN or INFO.
LOG_LINE = re.compile(r"^\d\d/\d\d/\d\d \d\d:\d\d:\d\d (WARN|INFO) ", re.M)
VENV_BIN = str(Path(sys.executable).parent)
SCRATCH_SPARK = REPO_ROOT / ".scratch" / "spark"

SESSION = """
import json, sys
from pyspark.sql import SparkSession, functions as F

spark = SparkSession.builder.getOrCreate()
sc = spark.sparkContext

@F.udf("string")
def worker_python(_):
    import sys
    return sys.prefix

jvm = sc._jvm
print(json.dumps({
    "worker_prefix": spark.range(1).select(worker_python("id")).first()[0],
    "ui": sc.uiWebUrl,
    "driver_memory": sc.getConf().get("spark.driver.memory"),
    "local_dir": jvm.org.apache.spark.util.Utils.getLocalDir(sc._jsc.sc().conf()),
    "java_tmpdir": jvm.java.lang.System.getProperty("java.io.tmpdir"),
}), flush=True)
"""


def plain_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a terminal with none of the course's variables, and with a
    `python3` first on PATH that is not the course's (as on a machine whose python3 has
    no pyarrow)."""
    other = tmp_path / "other-python"
    other.mkdir()
    (other / "python3").symlink_to(os.path.realpath(sys.executable))  # not the venv
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SPARK_", "PYSPARK_")) and key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env["PATH"] = f"{other}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_spark_env_sh_carries_the_kernels_variables_and_the_workers_python(tmp_path):
    script = register_kernel.spark_env_script(
        python="/course/.venv/bin/python", repo_root=Path("/course")
    )
    lines = [line for line in script.splitlines() if not line.startswith("#")]
    assert lines == [
        "export SPARK_CONF_DIR=/course",
        "export SPARK_LOCAL_IP=127.0.0.1",
        "export SPARK_LOCAL_DIRS=/course/.scratch/spark",
        "export SPARK_SUBMIT_OPTS='-Djava.io.tmpdir=/course/.scratch/spark "
        "-XX:ErrorFile=/course/.scratch/hs_err_pid%p.log'",
        'export PATH=/course/.venv/bin:"$PATH"',
    ]
    # The same values as the course kernel's kernel.json: one definition.
    spec_env = register_kernel.kernel_spec(
        python="/py", repo_root=Path("/course"), spark_home="/s"
    )["env"]
    assert {key: value for key, value in spec_env.items() if key != "SPARK_HOME"} == (
        register_kernel.spark_env(Path("/course"))
    )


def test_spark_env_sh_is_written_into_the_pip_spark_once(tmp_path, monkeypatch):
    monkeypatch.setattr(register_kernel, "own_spark_home", lambda python: str(tmp_path / "pyspark"))
    (tmp_path / "pyspark").mkdir()
    path, changed = register_kernel.install_spark_env()
    assert changed and path == tmp_path / "pyspark" / "conf" / "spark-env.sh"
    assert path.read_text() == register_kernel.spark_env_script()
    assert register_kernel.install_spark_env() == (path, False)


def test_the_installed_spark_env_sh_is_this_checkouts():
    path = register_kernel.spark_env_file()
    assert path is not None and path.read_text() == register_kernel.spark_env_script(), (
        "run `make setup`: the pip-installed Spark's conf/spark-env.sh is missing or stale"
    )


def on_loopback_only(addresses: set[str]) -> None:
    # The UI, the block manager and the driver's RPC endpoint at the least.
    assert len(addresses) >= 3, addresses
    exposed = sorted(a for a in addresses if not spark_service.is_loopback(a))
    assert not exposed, f"listening beyond loopback: {exposed}"


def the_course_settings(result: dict) -> None:
    assert result["worker_prefix"] == sys.prefix  # the UDF ran in the course's Python
    assert result["ui"].startswith("http://127.0.0.1:")
    assert result["driver_memory"] == "1g"  # spark-defaults.conf was read
    # Spark's and the JVM's temporary folders: in the scratch folder, not in /tmp.
    assert Path(result["local_dir"]).is_relative_to(SCRATCH_SPARK), result["local_dir"]
    assert Path(result["java_tmpdir"]) == SCRATCH_SPARK


@pytest.mark.slow
def test_a_plain_venv_python_script_gets_the_course_settings(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SESSION + "input()\nspark.stop()\n")
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=plain_env(tmp_path),
        cwd=tmp_path,
    ) as session:
        try:
            line = session.stdout.readline()
            assert line, session.stderr.read()
            addresses = spark_service.listening_addresses([session])
        finally:
            _, stderr = session.communicate("\n", timeout=120)
    the_course_settings(json.loads(line))
    on_loopback_only(addresses)
    assert not LOG_LINE.search(stderr), stderr
    assert "Setting default log level" not in stderr, stderr
    assert session.returncode == 0, stderr


@pytest.mark.slow
def test_the_stock_ipykernel_gets_the_course_settings(tmp_path):
    manager = KernelManager(kernel_name="python3")  # "Python 3 (ipykernel)" of this venv
    manager.start_kernel(env=plain_env(tmp_path), cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        outputs: list[dict] = []

        def keep(message):
            if message["msg_type"] in ("stream", "error"):
                outputs.append(message["content"])

        reply = client.execute_interactive(SESSION, timeout=300, output_hook=keep)
        addresses = spark_service.listening_addresses([manager.provisioner.process])
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok", outputs
    printed = "".join(out.get("text", "") for out in outputs)
    result = json.loads(next(line for line in printed.splitlines() if line.startswith("{")))
    the_course_settings(result)
    on_loopback_only(addresses)
    # What the cell shows besides the result: no Log4j line, no "Setting default log level"
    # banner. (The JVM's own "WARNING: Using incubator modules" notice reaches the cell
    # under this kernel, which copies the process's stderr; the course kernel does not.)
    noise = [line for line in printed.splitlines() if not line.startswith("{")]
    assert not [line for line in noise if LOG_LINE.match(line)], noise
    assert not [line for line in noise if "default log level" in line], noise


@pytest.mark.slow
def test_a_killed_course_kernel_leaves_its_spark_folders_in_the_scratch_folder(tmp_path):
    # A restart that does not wait (or a kernel that does not answer) kills the kernel's
    # process group, JVM included, and Spark's clean-up never runs. Its temporary folders
    # (a few hundred KB each time) then stay where Spark made them: in .scratch/spark/.
    manager = KernelManager(kernel_name=KERNEL_NAME)  # the course kernel, as registered
    manager.start_kernel(env=plain_env(tmp_path), cwd=str(REPO_ROOT / "notebooks"))
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        outputs: list[dict] = []
        reply = client.execute_interactive(
            SESSION, timeout=300, output_hook=lambda m: outputs.append(m["content"])
        )
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)  # SIGKILL to the kernel's process group
    assert reply["content"]["status"] == "ok", outputs
    printed = "".join(out.get("text", "") for out in outputs)
    result = json.loads(next(line for line in printed.splitlines() if line.startswith("{")))
    the_course_settings(result)
    left = Path(result["local_dir"])  # Spark's local folder of the killed JVM
    assert left.is_dir() and left.parent == SCRATCH_SPARK
    assert not (Path("/tmp") / left.name).exists()
    shutil.rmtree(left)


def test_registering_the_kernel_writes_spark_env_sh_but_not_for_another_prefix(
    tmp_path, monkeypatch
):
    # `make setup` and the conda route both run `python setup/register_kernel.py`; with --prefix
    # (another environment) the pyspark this Python has is not that environment's.
    (tmp_path / "pyspark").mkdir()
    monkeypatch.setattr(register_kernel, "own_spark_home", lambda python: str(tmp_path / "pyspark"))
    monkeypatch.setattr(register_kernel, "install", lambda user, prefix: (tmp_path / "k", False))
    written = tmp_path / "pyspark" / "conf" / "spark-env.sh"
    assert register_kernel.main(["--prefix", str(tmp_path / "env"), "--no-check"]) == 0
    assert not written.exists()
    assert register_kernel.main(["--no-check"]) == 0
    assert written.read_text() == register_kernel.spark_env_script()
