"""setup/check_setup.py: each check passes on a good set-up and names the fix on a bad one.

Java is faked with tiny scripts that print what a real `java -version` prints, and the
locales a machine has with a function, so the failure paths run on any machine.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import check_setup
import register_kernel
from conftest import REPO_ROOT
from course_facts import KERNEL_DISPLAY_NAME

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
    result = check_setup.check_java({"JAVA_HOME": str(home), "PATH": empty_path(tmp_path)})
    assert result.ok, result.line()
    assert f"Java {major}" in result.detail


@pytest.mark.parametrize("major", [8, 11])
def test_old_java_fails_with_the_fix(tmp_path, major):
    home = fake_java_home(tmp_path, major)
    result = check_setup.check_java({"JAVA_HOME": str(home)}, system="Linux")
    assert not result.ok
    assert f"Java {major}" in result.detail and "too old" in result.detail
    assert "apt-get install openjdk-17" in result.detail


def test_java_found_on_path_when_java_home_is_unset(tmp_path):
    bin_folder = fake_java_home(tmp_path, 17) / "bin"
    result = check_setup.check_java({"PATH": str(bin_folder)})
    assert result.ok and "java on PATH" in result.detail


def test_no_java_at_all(tmp_path):
    result = check_setup.check_java({"PATH": empty_path(tmp_path)}, system="Darwin")
    assert not result.ok
    assert "no Java found" in result.detail and "brew install openjdk@17" in result.detail


def test_java_home_pointing_nowhere(tmp_path):
    result = check_setup.check_java({"JAVA_HOME": str(tmp_path / "missing")}, system="Linux")
    assert not result.ok
    assert "has no bin/java" in result.detail and "unset it" in result.detail


@pytest.mark.parametrize("old", [11, None])
def test_bad_java_home_with_a_good_java_on_path_says_unset_it(tmp_path, old):
    # Spark takes JAVA_HOME over PATH: the fix is JAVA_HOME, not installing Java 17.
    java_home = fake_java_home(tmp_path, old) if old else tmp_path / "gone"
    path_bin = fake_java_home(tmp_path, 17) / "bin"
    result = check_setup.check_java(
        {"JAVA_HOME": str(java_home), "PATH": str(path_bin)}, system="Linux"
    )
    assert not result.ok
    assert "unset JAVA_HOME" in result.detail
    assert f"JAVA_HOME={path_bin.parent.resolve()}" in result.detail  # or repoint it there
    assert "install" not in result.detail
    if old:
        assert "Java 11" in result.detail and "before PATH" in result.detail


def test_old_java_home_with_an_old_java_on_path_says_install(tmp_path):
    java_home = fake_java_home(tmp_path, 11)
    path_bin = fake_java_home(tmp_path, 8) / "bin"
    result = check_setup.check_java({"JAVA_HOME": str(java_home), "PATH": str(path_bin)}, "Linux")
    assert not result.ok and "apt-get install openjdk-17" in result.detail


def test_unreadable_java_version(tmp_path):
    home = tmp_path / "odd"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\necho nonsense >&2\n")
    (home / "bin" / "java").chmod(0o755)
    result = check_setup.check_java({"JAVA_HOME": str(home)})
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
    assert check_setup.parse_java_major(text) == major


def kernel_fake(display_name=KERNEL_DISPLAY_NAME, python=sys.executable, conf_dir=REPO_ROOT):
    """A kernel spec as Jupyter returns it, made from what setup/register_kernel.py registers."""
    spec = register_kernel.kernel_spec(python=python, spark_home=register_kernel.pip_spark_home())
    spec["env"]["SPARK_CONF_DIR"] = str(conf_dir)
    return SimpleNamespace(display_name=display_name, argv=spec["argv"], env=spec["env"])


def old_kernel():
    """The kernel an earlier version of the course registered."""
    spec = kernel_fake()
    spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    return spec


def test_kernel_ok():
    assert check_setup.check_kernel(lambda name: kernel_fake()).ok


@pytest.mark.parametrize(
    "spec, message",
    [
        (None, 'no kernel named "pyspark"'),
        (kernel_fake(display_name="Python 3"), 'is called "Python 3"'),
        (kernel_fake(python="/gone/bin/python"), "no longer exists"),
        (kernel_fake(conf_dir="/elsewhere"), "not this checkout"),
        (old_kernel(), "registered by an older set-up"),
    ],
)
def test_kernel_problems_name_the_fix(spec, message):
    result = check_setup.check_kernel(lambda name: spec)
    assert not result.ok
    assert message in result.detail and "make setup" in result.detail


def test_a_shadowing_kernel_is_located():
    spec = kernel_fake(conf_dir="/elsewhere")
    spec.resource_dir = "/home/learner/.local/share/jupyter/kernels/pyspark"
    result = check_setup.check_kernel(lambda name: spec)
    assert not result.ok
    assert (
        spec.resource_dir in result.detail and "jupyter kernelspec remove pyspark" in result.detail
    )


def test_a_private_kernel_folder_is_caught(tmp_path):
    # Jupyter keeps the folder's mode: a 0700 folder hides the kernel from other users.
    spec = kernel_fake()
    spec.resource_dir = str(tmp_path)
    tmp_path.chmod(0o700)
    result = check_setup.check_kernel(lambda name: spec)
    assert not result.ok and "private to its owner" in result.detail
    tmp_path.chmod(0o755)
    assert check_setup.check_kernel(lambda name: spec).ok


def test_spark_home_elsewhere_is_a_warning_in_the_terminal(tmp_path):
    # The course kernel sets SPARK_HOME itself, so another Spark in the terminal cannot
    # reach the notebooks; the check still says what it would do outside them.
    result = check_setup.check_spark_home({"SPARK_HOME": str(tmp_path)})
    assert result.ok and result.warn and result.line().startswith("WARN SPARK_HOME:")
    assert "course kernel ignores it" in result.detail and "unset SPARK_HOME" in result.detail
    assert check_setup.check_spark_home({}).ok


def test_spark_home_elsewhere_inside_the_kernel_fails(tmp_path):
    result = check_setup.check_spark_home({"SPARK_HOME": str(tmp_path)}, in_kernel=True)
    assert not result.ok and "restart the kernel" in result.detail
    pip_home = str(check_setup.pip_spark_home())
    assert check_setup.check_spark_home({"SPARK_HOME": pip_home}, in_kernel=True).ok


@pytest.mark.parametrize(
    "args, message, fixed",
    [
        (
            "--master local[2]",
            "does not end with `pyspark-shell`",
            "--master local[2] pyspark-shell",
        ),
        ("", "does not end with `pyspark-shell`", "pyspark-shell"),
        (
            "pyspark-shell --master local[2]",
            "options after `pyspark-shell`",
            "--master local[2] pyspark-shell",
        ),
    ],
)
def test_submit_args_without_pyspark_shell_at_the_end(args, message, fixed):
    result = check_setup.check_submit_args({"PYSPARK_SUBMIT_ARGS": args})
    assert not result.ok
    assert message in result.detail
    assert f'set PYSPARK_SUBMIT_ARGS="{fixed}"' in result.detail


def test_submit_args_that_are_fine():
    assert check_setup.check_submit_args({}).ok
    assert check_setup.check_submit_args(
        {"PYSPARK_SUBMIT_ARGS": "--master local[1] pyspark-shell"}
    ).ok
    unreadable = check_setup.check_submit_args({"PYSPARK_SUBMIT_ARGS": '--name "x pyspark-shell'})
    assert not unreadable.ok and "quotes" in unreadable.detail


def test_pyspark_python_set_in_the_terminal_wins_and_is_named(tmp_path):
    assert check_setup.check_pyspark_python({}).ok
    assert not check_setup.check_pyspark_python({"PYSPARK_PYTHON": sys.executable}).warn
    result = check_setup.check_pyspark_python({"PYSPARK_PYTHON": "/opt/cluster/bin/python3"})
    assert result.ok and result.warn  # a teacher's cluster may need it: not a failure
    assert "does not exist on this machine" in result.detail
    assert "docs/teaching.md" in result.detail


def installed(*names):
    """A fake of the C library's list of installed locales."""
    return lambda name: name in ("C", "POSIX", *names)


NON_ASCII = [Path("/home/jürgen/kurs")]


@pytest.mark.parametrize(
    "env, cause",
    [
        ({"LC_ALL": "C"}, "LC_ALL=C is not a UTF-8 locale"),
        ({"LANG": "de_DE.UTF-8"}, "LANG=de_DE.UTF-8 names a locale that is not installed"),
        # Java calls setlocale(LC_ALL, ""): one missing category is enough to fail.
        ({"LANG": "C.UTF-8", "LC_TIME": "de_DE.UTF-8"}, "LC_TIME=de_DE.UTF-8 names a locale"),
        ({}, "no LANG or LC_* variable is set"),
    ],
)
def test_locale_that_breaks_java_on_a_non_ascii_path(env, cause):
    result = check_setup.check_locale(env, "Linux", NON_ASCII, installed("C.UTF-8"))
    assert result.ok and result.warn, result.line()  # the course kernel fixes it itself
    assert cause in result.detail and "/home/jürgen/kurs" in result.detail
    assert "JAVA_GATEWAY_EXITED" in result.detail and "export LC_ALL=C.UTF-8" in result.detail
    assert check_setup.utf8_locale_fix(env, "Linux", installed("C.UTF-8")) == {"LC_ALL": "C.UTF-8"}


def test_locale_without_any_utf8_locale_fails_with_the_fix():
    result = check_setup.check_locale({"LC_ALL": "C"}, "Linux", NON_ASCII, installed())
    assert not result.ok
    assert "No UTF-8 locale is installed" in result.detail and "ASCII" in result.detail
    assert check_setup.utf8_locale_fix({"LC_ALL": "C"}, "Linux", installed()) == {}


def test_locale_that_is_fine():
    utf8 = installed("C.UTF-8", "en_US.UTF-8")
    for env in ({"LANG": "en_US.UTF-8"}, {"LC_ALL": "C.UTF-8", "LANG": "xx_YY"}):
        assert check_setup.check_locale(env, "Linux", NON_ASCII, utf8).line().startswith("OK")
        assert check_setup.utf8_locale_fix(env, "Linux", utf8) == {}
    # An ASCII locale is harmless while every path is ASCII.
    plain = check_setup.check_locale({"LC_ALL": "C"}, "Linux", [Path("/home/ann/course")], utf8)
    assert plain.ok and not plain.warn and "harmless" in plain.detail
    # macOS's Java reads file names as UTF-8 whatever the locale.
    assert check_setup.check_locale({"LC_ALL": "C"}, "Darwin", NON_ASCII, utf8).ok
    assert check_setup.utf8_locale_fix({"LC_ALL": "C"}, "Darwin", utf8) == {}


def test_startup_diagnosis_names_what_keeps_spark_from_starting(tmp_path):
    env = {
        "JAVA_HOME": str(tmp_path / "gone"),
        "PATH": empty_path(tmp_path),
        "PYSPARK_SUBMIT_ARGS": "--master local[1]",
        "SPARK_HOME": str(tmp_path),
        "LC_ALL": "C.UTF-8",
    }
    failed = [result.what for result in check_setup.startup_diagnosis(env) if not result.ok]
    assert failed == ["Java", "SPARK_HOME", "PYSPARK_SUBMIT_ARGS"]


def test_the_real_machine_passes_every_check():
    # The set-up the tests run in is the one `make setup` made: it must be complete.
    completed = subprocess.run(
        [sys.executable, "setup/check_setup.py"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert [line.split()[1] for line in completed.stdout.splitlines()] == [
        "Python:",
        "Java:",
        "Spark:",
        "SPARK_HOME:",
        "PYSPARK_SUBMIT_ARGS:",
        "SPARK_REMOTE:",
        "PYSPARK_PYTHON:",
        "Locale:",
        "Kernel:",
        "Other",  # Pythons:
        "Lab:",
        "Scratch:",
        "Config:",
    ]


def test_exit_status_is_1_when_java_is_missing(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "JAVA_HOME"}
    env["PATH"] = empty_path(tmp_path)
    completed = subprocess.run(
        [sys.executable, "setup/check_setup.py", "--java"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode == 1
    assert completed.stdout.startswith("FAIL Java: no Java found")


# --- SPARK_REMOTE: the check tries the server ------------------------------------------


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the socket is closed


def test_spark_remote_pointing_at_nothing_fails_with_the_fix():
    port = closed_port()
    result = check_setup.check_spark_remote({"SPARK_REMOTE": f"sc://127.0.0.1:{port}"})
    assert not result.ok
    assert result.line().startswith(
        f"FAIL SPARK_REMOTE: nothing answers at 127.0.0.1:{port} (Connection refused); "
        "start that Spark Connect server"
    )
    assert "unset SPARK_REMOTE to run Spark in the kernel" in result.detail


def test_spark_remote_that_answers_passes():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        url = f"sc://127.0.0.1:{server.getsockname()[1]}/;user_id=ann"
        result = check_setup.check_spark_remote({"SPARK_REMOTE": url})
    assert result.ok and "a server answers" in result.detail
    assert check_setup.check_spark_remote({}).ok
    assert check_setup.check_spark_remote({"SPARK_REMOTE": "local"}).ok
    odd = check_setup.check_spark_remote({"SPARK_REMOTE": "127.0.0.1:15002"})
    assert not odd.ok and "not a Spark Connect address" in odd.detail


def test_an_address_that_swallows_packets_fails_within_the_timeout(monkeypatch):
    def silent(address, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", silent)
    result = check_setup.check_spark_remote({"SPARK_REMOTE": "sc://10.255.255.1"}, timeout=3)
    assert "nothing answers at 10.255.255.1:15002 (no answer within 3 s)" in result.detail


def test_the_check_says_fail_for_an_unreachable_spark_remote():
    # The probe of issue 24: SPARK_REMOTE=sc://127.0.0.1:1 used to be "OK ... is used".
    env = dict(os.environ, SPARK_REMOTE="sc://127.0.0.1:1")
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "setup/check_setup.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert time.monotonic() - started < 30
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert "FAIL SPARK_REMOTE: nothing answers at 127.0.0.1:1 (Connection refused)" in "\n".join(
        lines
    )
    assert not [line for line in lines if line.startswith("OK") and "SPARK_REMOTE=" in line]


# --- Java that cannot reserve its memory -------------------------------------------------


def test_java_that_cannot_reserve_its_heap_is_not_called_missing(tmp_path):
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text(
        "#!/bin/sh\necho 'Error occurred during initialization of VM' >&2\n"
        "echo 'Could not reserve enough space for object heap' >&2\nexit 1\n"
    )
    (home / "bin" / "java").chmod(0o755)
    result = check_setup.check_java({"JAVA_HOME": str(home), "PATH": empty_path(tmp_path)}, "Linux")
    assert not result.ok
    assert result.detail.startswith(
        f"{home}/bin/java is installed, but Java could not reserve its memory "
        "(Could not reserve enough space for object heap)"
    )
    assert "apt-get install" not in result.detail and "cannot read the version" not in result.detail


def limit_address_space(limit: int):
    def preexec() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return preexec


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="needs a real Java")
def test_under_a_3_gb_address_space_limit_the_check_names_the_limit():
    # The probe of issue 24: `ulimit -v 3000000`, then the set-up check.
    completed = subprocess.run(
        [sys.executable, "setup/check_setup.py", "--java"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit_address_space(3_000_000 * 1024),
    )
    assert completed.returncode == 1
    line = completed.stdout.strip()
    assert "\n" not in line
    assert line.startswith("FAIL Java: ") and "is installed, but Java could not reserve" in line
    assert "limits the address space to 3000000 kB (`ulimit -v`)" in line
    assert "ulimit -v unlimited" in line and "apt-get install" not in line


# --- A stray pyspark on PYTHONPATH --------------------------------------------------------


def stray_pyspark(tmp_path: Path) -> Path:
    """An old pyspark left in a folder on PYTHONPATH (only its version matters here)."""
    folder = tmp_path / "stray"
    (folder / "pyspark").mkdir(parents=True)
    (folder / "pyspark" / "__init__.py").write_text('__version__ = "3.0.2"\n')
    return folder


def test_a_stray_pyspark_on_pythonpath_is_named_as_the_cause(tmp_path):
    stray = stray_pyspark(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(stray))
    completed = subprocess.run(
        [sys.executable, "setup/check_setup.py"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    spark = next(line for line in completed.stdout.splitlines() if line.startswith("FAIL Spark"))
    assert spark == (
        f"FAIL Spark: pyspark 3.0.2: Python imports the pyspark in {stray / 'pyspark'}, found "
        f"through PYTHONPATH ({stray}), instead of the course's own in "
        f"{register_kernel.pip_spark_home()}; unset PYTHONPATH (or take {stray} out of it) in the "
        "terminal, then run the check or `make lab` again from it"
    )
    assert "make setup" not in spark
    # The kernel the set-up registers is not blamed: it uses the course's own pyspark.
    assert not [line for line in completed.stdout.splitlines() if line.startswith("FAIL Kernel")]


def test_a_stray_pyspark_on_pythonpath_never_reaches_the_kernel(tmp_path):
    stray = stray_pyspark(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(stray))
    completed = subprocess.run(
        [
            sys.executable,
            "setup/register_kernel.py",
            "--prefix",
            str(tmp_path / "env"),
            "--no-check",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert completed.returncode == 0, completed.stderr
    spec = json.loads((tmp_path / "env/share/jupyter/kernels/pyspark/kernel.json").read_text())
    assert spec["env"]["SPARK_HOME"] == register_kernel.pip_spark_home()
    assert str(stray) not in json.dumps(spec)


def test_inside_the_kernel_a_stray_pyspark_is_not_fixed_by_a_restart(tmp_path):
    # The kernel has the course's SPARK_HOME, but Jupyter was started with PYTHONPATH set.
    stray = stray_pyspark(tmp_path)
    code = "import check_setup; print(check_setup.check_spark_home(in_kernel=True).line())"
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(stray), str(REPO_ROOT / "setup")]),
        SPARK_HOME=register_kernel.pip_spark_home(),
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    line = completed.stdout.strip()
    assert line.startswith(f"FAIL SPARK_HOME: Python imports the pyspark in {stray / 'pyspark'}")
    assert line.endswith("a restart of the kernel alone keeps PYTHONPATH, start JupyterLab again")
