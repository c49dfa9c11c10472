"""setup/check.py: each check passes on a good set-up and names the fix on a bad one.

Java is faked with tiny scripts that print what a real `java -version` prints, so the
failure paths run on any machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import check
from conftest import REPO_ROOT

JAVA_OUTPUTS = {
    8: 'openjdk version "1.8.0_392"\nOpenJDK Runtime Environment (build 1.8.0_392-b08)',
    11: 'openjdk version "11.0.21" 2023-10-17\nOpenJDK 64-Bit Server VM',
    17: 'openjdk version "17.0.15" 2025-04-15\nOpenJDK 64-Bit Server VM',
    21: 'openjdk version "21.0.5" 2024-10-15 LTS\nOpenJDK 64-Bit Server VM',
}


def fake_java_home(tmp_path: Path, major: int) -> Path:
    """A folder shaped like a JDK whose bin/java prints the given version."""
    home = tmp_path / f"jdk-{major}"
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    # Only shell built-ins: the tests run it with an empty PATH.
    lines = "".join(f"echo '{line}' >&2\n" for line in JAVA_OUTPUTS[major].splitlines())
    java.write_text("#!/bin/sh\n" + lines)
    java.chmod(0o755)
    return home


def empty_path(tmp_path: Path) -> str:
    folder = tmp_path / "empty-bin"
    folder.mkdir(exist_ok=True)
    return str(folder)


@pytest.mark.parametrize("major", [17, 21])
def test_supported_java_passes(tmp_path, major):
    home = fake_java_home(tmp_path, major)
    result = check.check_java({"JAVA_HOME": str(home), "PATH": empty_path(tmp_path)})
    assert result.ok, result.line()
    assert f"Java {major}" in result.detail


@pytest.mark.parametrize("major", [8, 11])
def test_old_java_fails_with_the_fix(tmp_path, major):
    home = fake_java_home(tmp_path, major)
    result = check.check_java({"JAVA_HOME": str(home)}, system="Linux")
    assert not result.ok
    assert f"Java {major}" in result.detail and "too old" in result.detail
    assert "apt-get install openjdk-17" in result.detail


def test_java_found_on_path_when_java_home_is_unset(tmp_path):
    bin_folder = fake_java_home(tmp_path, 17) / "bin"
    result = check.check_java({"PATH": str(bin_folder)})
    assert result.ok and "java on PATH" in result.detail


def test_no_java_at_all(tmp_path):
    result = check.check_java({"PATH": empty_path(tmp_path)}, system="Darwin")
    assert not result.ok
    assert "no Java found" in result.detail and "brew install openjdk@17" in result.detail


def test_java_home_pointing_nowhere(tmp_path):
    result = check.check_java({"JAVA_HOME": str(tmp_path / "missing")}, system="Linux")
    assert not result.ok
    assert "has no bin/java" in result.detail and "unset it" in result.detail


def test_unreadable_java_version(tmp_path):
    home = tmp_path / "odd"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\necho nonsense >&2\n")
    (home / "bin" / "java").chmod(0o755)
    result = check.check_java({"JAVA_HOME": str(home)})
    assert not result.ok and "cannot read the version" in result.detail


@pytest.mark.parametrize(
    "text, major",
    [
        (JAVA_OUTPUTS[8], 8),
        (JAVA_OUTPUTS[17], 17),
        ('java version "25" 2025-09-16', 25),
        ("", None),
    ],
)
def test_parse_java_major(text, major):
    assert check.parse_java_major(text) == major


def kernel(display_name="Python (Pyspark)", python=sys.executable, conf_dir=REPO_ROOT):
    return SimpleNamespace(
        display_name=display_name, argv=[python], env={"SPARK_CONF_DIR": str(conf_dir)}
    )


def test_kernel_ok():
    assert check.check_kernel(lambda name: kernel()).ok


@pytest.mark.parametrize(
    "spec, message",
    [
        (None, 'no kernel named "pyspark"'),
        (kernel(display_name="Python 3"), 'is called "Python 3"'),
        (kernel(python="/gone/bin/python"), "no longer exists"),
        (kernel(conf_dir="/elsewhere"), "not this checkout"),
    ],
)
def test_kernel_problems_name_the_fix(spec, message):
    result = check.check_kernel(lambda name: spec)
    assert not result.ok
    assert message in result.detail and "make setup" in result.detail


def test_a_shadowing_kernel_is_located():
    spec = kernel(conf_dir="/elsewhere")
    spec.resource_dir = "/home/learner/.local/share/jupyter/kernels/pyspark"
    result = check.check_kernel(lambda name: spec)
    assert not result.ok
    assert (
        spec.resource_dir in result.detail and "jupyter kernelspec remove pyspark" in result.detail
    )


def test_spark_home_elsewhere_is_caught(tmp_path):
    result = check.check_spark_home({"SPARK_HOME": str(tmp_path)})
    assert not result.ok and "unset SPARK_HOME" in result.detail
    assert check.check_spark_home({}).ok


def test_the_real_machine_passes_every_check():
    # The set-up the tests run in is the one `make setup` made: it must be complete.
    completed = subprocess.run(
        [sys.executable, "setup/check.py"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert [line.split()[1] for line in completed.stdout.splitlines()] == [
        "Python:",
        "Java:",
        "Spark:",
        "SPARK_HOME:",
        "Kernel:",
        "Config:",
    ]


def test_exit_status_is_1_when_java_is_missing(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = empty_path(tmp_path)
    completed = subprocess.run(
        [sys.executable, "setup/check.py", "--java"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode == 1
    assert completed.stdout.startswith("FAIL Java: no Java found")
