"""setup/course_kernel.py, the extension of the course kernel, in real kernels.

Each kernel starts exactly as kernel.json says (the kernel spec setup/register_kernel.py wants,
written to a temporary folder), in the environment of a Jupyter server with one of the
faults learners have, runs a tiny notebook through nbclient, and the test reads the
cells' outputs: what the learner would see.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import check_setup
import course_kernel
import register_kernel
from conftest import REPO_ROOT

START = "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()"
USAGE = """
import json, psutil
def usage():
    me = psutil.Process()
    kids = me.children(recursive=True)
    rss = me.memory_info().rss
    for kid in kids:
        try:
            rss += kid.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return json.dumps({"mib": rss // 2**20, "java": sum(kid.name() == "java" for kid in kids)})
"""


def kernel_folder(tmp_path: Path, argv: list[str] | None = None, **env: str) -> Path:
    """A folder of kernels holding "pyspark" as setup/register_kernel.py registers it, with `env`
    added to (or, for a value of None, removed from) its kernel.json's env."""
    folder = tmp_path / "kernels" / "pyspark"
    folder.mkdir(parents=True)
    spec = register_kernel.kernel_spec()
    spec["argv"] = argv or spec["argv"]
    spec["env"].update(env)
    (folder / "kernel.json").write_text(json.dumps(spec))
    return folder.parent


def server_env(**changes: str | None) -> dict[str, str]:
    """The environment of the Jupyter server: this one without the learner's Spark
    choices, plus `changes` (None removes a variable)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE", "SPARK_HOME", "PYSPARK_PYTHON")
    }
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(cells: list[str], kernels: Path, env: dict[str, str]) -> list:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    manager = KernelManager(
        kernel_name="pyspark", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)])
    )
    client = NotebookClient(notebook, km=manager, timeout=300, allow_errors=True)
    client.execute(cwd=str(REPO_ROOT / "notebooks"), env=env)
    return notebook.cells


def stdout(cell) -> str:
    return "".join(out.text for out in cell.outputs if out.get("name") == "stdout")


def fake_java(folder: Path, version: str) -> Path:
    """A JDK folder whose bin/java only prints `version` (like `java -version`) and fails."""
    (folder / "bin").mkdir(parents=True)
    java = folder / "bin" / "java"
    java.write_text(f"#!/bin/sh\necho 'openjdk version \"{version}\" 2024-01-01' >&2\nexit 1\n")
    java.chmod(0o755)
    return folder


def path_without_java(tmp_path: Path) -> str:
    """A PATH with every program of this one except java."""
    folder = tmp_path / "bin-without-java"
    folder.mkdir()
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for name in os.listdir(directory):
            target = Path(directory) / name
            if name != "java" and not (folder / name).exists() and os.access(target, os.X_OK):
                (folder / name).symlink_to(target)
    return str(folder)


# --- the fast part: the pieces on their own --------------------------------------------


def test_pyspark_python_is_only_a_default():
    env = {"LC_ALL": "C.UTF-8"}
    assert course_kernel.prepare_environment(env, "Linux", python="/k/python") == {
        "PYSPARK_PYTHON": "/k/python"
    }
    teacher = {"PYSPARK_PYTHON": "/opt/cluster/python", "LC_ALL": "C.UTF-8"}
    assert course_kernel.prepare_environment(teacher, "Linux", python="/k/python") == {}
    assert teacher["PYSPARK_PYTHON"] == "/opt/cluster/python"


def test_an_ascii_locale_becomes_utf8_for_java_on_linux_only():
    env = {"LC_ALL": "C", "PYSPARK_PYTHON": "python3"}
    assert course_kernel.prepare_environment(dict(env), "Darwin") == {}
    fix = check_setup.utf8_locale_fix(env, "Linux")
    if not fix:
        pytest.skip("this machine has no UTF-8 locale at all")
    assert course_kernel.prepare_environment(env, "Linux") == fix
    assert check_setup.is_utf8(env["LC_ALL"])


def test_which_errors_are_start_up_failures():
    class PySparkRuntimeError(Exception):
        def getCondition(self):
            return "JAVA_GATEWAY_EXITED"

    assert course_kernel.is_startup_failure(PySparkRuntimeError())
    # Any error raised while PySpark launches the JVM counts, found by its traceback.
    namespace = {}
    code = "def launch_gateway():\n    raise FileNotFoundError('bin/spark-submit')\n"
    exec(compile(code, "/venv/site-packages/pyspark/java_gateway.py", "exec"), namespace)
    try:
        namespace["launch_gateway"]()
    except FileNotFoundError as error:
        assert course_kernel.is_startup_failure(error)
    assert not course_kernel.is_startup_failure(ValueError("a failed job"))


def test_nothing_is_released_under_spark_connect(monkeypatch):
    monkeypatch.setenv("SPARK_REMOTE", "sc://127.0.0.1:15002")
    assert course_kernel.release_stopped_jvm() is False


# --- real kernels ----------------------------------------------------------------------


FAULTS = {
    "no Java": (
        lambda tmp: {"PATH": path_without_java(tmp), "JAVA_HOME": None},
        "FAIL Java: no Java found",
    ),
    "JAVA_HOME nowhere": (
        lambda tmp: {"JAVA_HOME": str(tmp / "jdk-gone")},
        "FAIL Java: JAVA_HOME=",
    ),
    "JAVA_HOME on Java 11, Java 17 on PATH": (
        lambda tmp: {
            "JAVA_HOME": str(fake_java(tmp / "jdk-11", "11.0.21")),
            "PATH": os.pathsep.join(
                [str(fake_java(tmp / "jdk-17", "17.0.15") / "bin"), os.environ["PATH"]]
            ),
        },
        "unset JAVA_HOME",
    ),
    "PYSPARK_SUBMIT_ARGS without pyspark-shell": (
        lambda tmp: {"PYSPARK_SUBMIT_ARGS": "--master local[1]"},
        'FAIL PYSPARK_SUBMIT_ARGS: "--master local[1]" does not end with `pyspark-shell`',
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_spark_that_does_not_start_is_explained_in_the_cell(tmp_path, fault):
    make_env, expected = FAULTS[fault]
    cells = run(["1 + 1", START], kernel_folder(tmp_path), server_env(**make_env(tmp_path)))
    # The extension says nothing while nothing is wrong.
    assert cells[0].execution_count == 1
    assert [out.output_type for out in cells[0].outputs] == ["execute_result"]
    # Below PySpark's own error, the cause and its fix.
    kinds = [out.output_type for out in cells[1].outputs]
    assert kinds == ["error", "stream"], kinds
    assert "JAVA_GATEWAY_EXITED" in cells[1].outputs[0].evalue
    said = stdout(cells[1])
    assert said.startswith("Spark did not start."), said
    assert expected in said, said
    assert "restart the kernel" in said.lower()


def test_another_spark_home_set_in_the_notebook_is_named(tmp_path):
    elsewhere = tmp_path / "spark-3.5.0-bin-hadoop3"
    elsewhere.mkdir()
    code = f"import os\nos.environ['SPARK_HOME'] = {str(elsewhere)!r}\n{START}"
    cells = run([code], kernel_folder(tmp_path), server_env())
    assert cells[0].outputs[0].output_type == "error"
    assert f"FAIL SPARK_HOME: {elsewhere} is another Spark" in stdout(cells[0])


@pytest.mark.slow
@pytest.mark.skipif(platform.system() != "Linux", reason="Java on macOS reads paths as UTF-8")
def test_a_non_ascii_path_under_an_ascii_locale(tmp_path):
    if not check_setup.utf8_locale_fix({"LC_ALL": "C"}, "Linux"):
        pytest.skip("this machine has no UTF-8 locale to give Java")
    # The repository (and so its .venv) in a folder with a non-ASCII name, as seen by Java.
    repo = tmp_path / "kurs-ü"
    repo.mkdir()
    for name in ("spark-defaults.conf", "log4j.properties"):
        shutil.copy(REPO_ROOT / name, repo / name)
    (repo / "spark").symlink_to(check_setup.pip_spark_home())
    env = {"SPARK_HOME": str(repo / "spark"), "SPARK_CONF_DIR": str(repo)}
    cells = [START + "\nprint(spark.range(7).count())", "spark.stop()"]
    terminal = server_env(LC_ALL="C", LANG=None, LC_CTYPE=None)
    # Without the extension (a plain ipykernel), Java cannot load Spark's launcher...
    plain = register_kernel.kernel_spec()["argv"]
    plain[1:2] = ["-m", "ipykernel_launcher"]
    plain.remove("--IPKernelApp.extensions=course_kernel")
    broken = run(cells, kernel_folder(tmp_path / "plain", argv=plain, **env), terminal)
    assert "JAVA_GATEWAY_EXITED" in broken[0].outputs[0].evalue
    # ...and the course kernel gives Java a UTF-8 locale, so Spark starts.
    fine = run(cells, kernel_folder(tmp_path / "course", **env), terminal)
    assert [out.output_type for out in fine[0].outputs] == ["stream"], fine[0].outputs
    assert stdout(fine[0]) == "7\n"


@pytest.fixture(scope="module")
def life(tmp_path_factory) -> list:
    """One kernel: start Spark, stop it, start it again, stop it; memory after each step.

    The Jupyter server has a SPARK_HOME of its own whose spark-submit exits 0 without
    starting anything, which made getOrCreate() wait forever before the course kernel
    pinned SPARK_HOME to the pip-installed Spark.
    """
    tmp = tmp_path_factory.mktemp("life")
    (tmp / "other-spark" / "bin").mkdir(parents=True)
    (tmp / "other-spark" / "bin" / "spark-submit").write_text("#!/bin/sh\nexit 0\n")
    (tmp / "other-spark" / "bin" / "spark-submit").chmod(0o755)
    cells = [
        "1 + 1",
        USAGE + "import os\nprint(os.environ['SPARK_HOME'])\n" + START,
        "print(spark.range(10).count())\nprint(usage())",
        "spark.stop()",
        "print(usage())",
        START
        + "\nfrom pyspark.ml.feature import VectorAssembler\n"
        + "from pyspark.ml.regression import LinearRegression\n"
        + "from pyspark.sql import functions as F\n"
        + "df = spark.range(20).select(F.col('id').cast('double').alias('x'))\n"
        + "df = df.withColumn('y', 2 * F.col('x') + 1)\n"
        + "data = VectorAssembler(inputCols=['x'], outputCol='features').transform(df)\n"
        + "model = LinearRegression(labelCol='y').fit(data)\n"
        + "print(round(model.coefficients[0], 3), round(model.intercept, 3))\n"
        + "print(df.select(F.udf(lambda v: v + 1, 'double')('x')).first()[0])\n"
        + "print(usage())",
        "spark.stop()",
        "print(usage())",
    ]
    env = server_env(SPARK_HOME=str(tmp / "other-spark"))
    return run(cells, kernel_folder(tmp), env)


@pytest.mark.slow
def test_the_kernel_starts_quietly(life):
    assert [cell.execution_count for cell in life] == list(range(1, len(life) + 1))
    assert [out.output_type for out in life[0].outputs] == ["execute_result"]
    for cell in life:
        assert not [out for out in cell.outputs if out.output_type == "error"], cell.outputs
        assert not [out for out in cell.outputs if out.get("name") == "stderr"], cell.outputs


@pytest.mark.slow
def test_a_foreign_spark_home_cannot_reach_the_kernel(life):
    assert stdout(life[1]).strip() == str(check_setup.pip_spark_home())
    assert stdout(life[2]).startswith("10\n")


@pytest.mark.slow
def test_stopping_spark_ends_its_jvm(life):
    running = json.loads(stdout(life[2]).splitlines()[-1])
    stopped = json.loads(stdout(life[4]))
    print(f"kernel + children: {running['mib']} MiB with Spark, {stopped['mib']} MiB after stop")
    assert running["java"] == 1 and stopped["java"] == 0
    assert stopped["mib"] < running["mib"] - 150
    assert stopped["mib"] < 400  # the kernel alone: Python, pandas, pyspark's modules


@pytest.mark.slow
def test_spark_starts_again_after_a_stop(life):
    assert stdout(life[5]).splitlines()[:2] == ["2.0 1.0", "1.0"]
    again = json.loads(stdout(life[5]).splitlines()[-1])
    assert again["java"] == 1
    assert json.loads(stdout(life[7]))["java"] == 0


@pytest.mark.slow
def test_the_terminal_of_make_lab_gets_no_warning_about_unencrypted_kernel_ports(tmp_path):
    """ipykernel 7 warns at every kernel start that its TCP ports are not encrypted; in the
    terminal of `make lab` that is one alarming line per notebook opened, about nothing a
    learner can act on (setup/course_kernel.py says why)."""
    kernels = KernelSpecManager(kernel_dirs=[str(kernel_folder(tmp_path))])
    manager = KernelManager(kernel_name="pyspark", kernel_spec_manager=kernels)
    terminal = tmp_path / "terminal.log"
    with open(terminal, "wb") as sink:
        manager.start_kernel(stdout=sink, stderr=sink, env=server_env(), cwd=str(tmp_path))
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            reply = client.execute_interactive("1 + 1", timeout=60)
            assert reply["content"]["status"] == "ok"
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    printed = terminal.read_text()
    assert "without encryption" not in printed, printed
    assert "WARNING" not in printed, printed
