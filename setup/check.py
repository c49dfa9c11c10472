"""Check that this machine can run the course; one line per check, OK or the fix.

    python setup/check.py          # everything (run it with the course's Python)
    python setup/check.py --java   # only Java (needs nothing but the standard library)

Exit status 0 when every check passes, 1 otherwise. Uses only the standard library
for Python and Java, so `make setup` can run it before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_PYTHON = (3, 10)
SUPPORTED_JAVA = (17, 21)  # the LTS releases Spark 4 is built and tested on
KERNEL_NAME = "pyspark"
KERNEL_DISPLAY_NAME = "Python (Pyspark)"


@dataclass
class Result:
    ok: bool
    what: str
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.what}: {self.detail}"


def java_fix(system: str | None = None) -> str:
    """How to get Java 17 on this kind of machine."""
    system = system or platform.system()
    if system == "Darwin":
        return (
            "install it with `brew install openjdk@17` and set "
            "JAVA_HOME=$(/usr/libexec/java_home -v 17), "
            "or `conda install -c conda-forge openjdk=17`"
        )
    if system == "Windows":
        return (
            "install a JDK 17 into a folder without spaces (e.g. C:\\jdk) and set JAVA_HOME; "
            "see setup/windows.md"
        )
    return (
        "install it with `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), "
        "`sudo dnf install java-17-openjdk-headless` (Fedora), "
        "or `conda install -c conda-forge openjdk=17`"
    )


def parse_java_major(version_output: str) -> int | None:
    """The major version from `java -version` output: '1.8.0_392' -> 8, '17.0.9' -> 17."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):  # Java 8 and older call themselves 1.x
        major = int(match.group(2))
    return major


def find_java(env: Mapping[str, str]) -> tuple[str | None, str]:
    """The java binary Spark will use (JAVA_HOME first, then PATH), or None and why."""
    java_home = env.get("JAVA_HOME")
    exe = "java.exe" if os.name == "nt" else "java"
    if java_home:
        candidate = Path(java_home) / "bin" / exe
        if candidate.is_file():
            return str(candidate), f"JAVA_HOME={java_home}"
        return (
            None,
            f"JAVA_HOME={java_home} has no bin/{exe}: point it at a JDK 17 or 21, or unset it",
        )
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if on_path:
        return on_path, "java on PATH"
    return None, "no Java found (JAVA_HOME is unset and no java on PATH)"


def check_java(env: Mapping[str, str] | None = None, system: str | None = None) -> Result:
    env = os.environ if env is None else env
    java, where = find_java(env)
    if java is None:
        return Result(False, "Java", f"{where}; {java_fix(system)}")
    try:
        completed = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, env=dict(env)
        )
    except OSError as error:
        return Result(False, "Java", f"{java} does not run ({error}); {java_fix(system)}")
    major = parse_java_major(completed.stderr + completed.stdout)
    if major is None:
        return Result(False, "Java", f"cannot read the version of {java}; {java_fix(system)}")
    if major < SUPPORTED_JAVA[0]:
        return Result(
            False,
            "Java",
            f"Java {major} ({where}) is too old, Spark 4 needs 17 or 21; {java_fix(system)}",
        )
    note = "" if major in SUPPORTED_JAVA else " (newer than 17/21: untested by the course)"
    return Result(True, "Java", f"Java {major} ({where}){note}")


def check_python() -> Result:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        return Result(
            False,
            "Python",
            f"{version} is too old; install Python 3.10 or newer and run make setup",
        )
    return Result(True, "Python", f"{version} at {sys.executable}")


def pinned_version(package: str, requirements: Path = REPO_ROOT / "requirements.txt") -> str | None:
    for line in requirements.read_text().splitlines():
        match = re.match(rf"^{re.escape(package)}==([^\s;]+)", line.strip(), re.IGNORECASE)
        if match:
            return match.group(1)
    return None


def check_spark() -> Result:
    try:
        import pyspark
    except ImportError:
        return Result(False, "Spark", "pyspark is not installed here; run `make setup`")
    wanted = pinned_version("pyspark")
    if wanted and pyspark.__version__ != wanted:
        return Result(
            False,
            "Spark",
            f"pyspark {pyspark.__version__}, the course pins {wanted}; run `make setup`",
        )
    return Result(True, "Spark", f"pyspark {pyspark.__version__}")


def check_spark_home(env: Mapping[str, str] | None = None) -> Result:
    """PySpark launches the Spark in SPARK_HOME when it is set: it must be the pip one."""
    env = os.environ if env is None else env
    spark_home = env.get("SPARK_HOME")
    if not spark_home:
        return Result(True, "SPARK_HOME", "unset: the pip-installed Spark is used")
    try:
        import pyspark
    except ImportError:
        return Result(False, "SPARK_HOME", "pyspark is not installed here; run `make setup`")
    pip_home = Path(pyspark.__file__).resolve().parent
    if Path(spark_home).resolve() != pip_home:
        return Result(
            False,
            "SPARK_HOME",
            f"{spark_home} is another Spark, which pyspark {pyspark.__version__} would launch; "
            "unset SPARK_HOME before starting Jupyter",
        )
    return Result(True, "SPARK_HOME", "points at the pip-installed Spark")


def check_kernel(find_spec: Callable[[str], object] | None = None) -> Result:
    if find_spec is None:
        try:
            from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
        except ImportError:
            return Result(False, "Kernel", "Jupyter is not installed here; run `make setup`")

        def find_spec(name: str) -> object:
            try:
                return KernelSpecManager().get_kernel_spec(name)
            except NoSuchKernel:
                return None

    spec = find_spec(KERNEL_NAME)
    fix = "run `make setup` (or `python setup/kernel.py`)"
    if spec is None:
        return Result(False, "Kernel", f'no kernel named "{KERNEL_NAME}"; {fix}')
    # A kernel of the same name installed earlier with `--user` (as older guides do)
    # shadows the one `make setup` puts into .venv/: say where it is.
    location = getattr(spec, "resource_dir", None)
    if location:
        fix += (
            f"; if this persists, remove the old kernel in {location} "
            "(`jupyter kernelspec remove pyspark`)"
        )
    if spec.display_name != KERNEL_DISPLAY_NAME:
        return Result(False, "Kernel", f'"{KERNEL_NAME}" is called "{spec.display_name}"; {fix}')
    python = spec.argv[0] if spec.argv else ""
    if not Path(python).exists():
        return Result(False, "Kernel", f"its Python {python} no longer exists; {fix}")
    conf_dir = spec.env.get("SPARK_CONF_DIR", "")
    if Path(conf_dir).resolve() != REPO_ROOT:
        return Result(False, "Kernel", f"SPARK_CONF_DIR={conf_dir!r}, not this checkout; {fix}")
    return Result(True, "Kernel", f'"{KERNEL_DISPLAY_NAME}" uses {python}')


def read_spark_defaults(path: Path = REPO_ROOT / "spark-defaults.conf") -> dict[str, str]:
    settings = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            settings[key] = value.strip()
    return settings


def check_config() -> Result:
    settings = read_spark_defaults()
    memory = settings.get("spark.driver.memory")
    java_options = settings.get("spark.driver.extraJavaOptions", "")
    if not memory:
        return Result(False, "Config", "spark-defaults.conf sets no spark.driver.memory")
    if "log4j2.configurationFile=log4j.properties" not in java_options:
        return Result(
            False, "Config", "spark-defaults.conf no longer points Log4j at log4j.properties"
        )
    if not (REPO_ROOT / "log4j.properties").is_file():
        return Result(False, "Config", "log4j.properties is missing")
    return Result(
        True, "Config", f"spark-defaults.conf (driver memory {memory}) and log4j.properties"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that this machine can run the course.")
    parser.add_argument("--java", action="store_true", help="check only Java")
    args = parser.parse_args(argv)
    checks = (
        [check_java]
        if args.java
        else [check_python, check_java, check_spark, check_spark_home, check_kernel, check_config]
    )
    results = [check() for check in checks]
    for result in results:
        print(result.line())
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
