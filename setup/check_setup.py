"""Check that this machine can run the course: one line per check, OK, WARN or FAIL with the fix.

    python setup/check_setup.py          # everything (run it with the course's Python)
    python setup/check_setup.py --java   # only Java (needs nothing but the standard library)

Each line starts with OK, WARN (works for the course, but worth knowing) or FAIL (with the
fix). Exit status 0 when no check fails, 1 otherwise. Uses only the standard library for
Python and Java, so `make setup` can run it before the virtual environment exists.

The course kernel (setup/course_kernel.py) runs `startup_diagnosis()` when Spark fails to
start inside a notebook and prints its FAIL lines in the cell.
"""

from __future__ import annotations

import argparse
import importlib.util
import locale
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import open_lab

# The set-up's other two scripts, next to this file (standard library only at import time).
# Imported here, not where they are used: inside the course kernel, setup/ is no longer
# on sys.path once the kernel has started.
import register_kernel
from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME, read_spark_defaults

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_PYTHON = (3, 11)  # pyspark 4.3 declares Requires-Python >= 3.11
SUPPORTED_JAVA = (17, 21)  # the LTS releases Spark 4 is built and tested on


@dataclass
class Result:
    ok: bool
    what: str
    detail: str
    warn: bool = False  # ok, but the line says something the learner should know

    def line(self) -> str:
        status = "FAIL" if not self.ok else "WARN" if self.warn else "OK  "
        return f"{status} {self.what}: {self.detail}"


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
            "see docs/windows.md"
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
        return None, f"JAVA_HOME={java_home} has no bin/{exe}"
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if on_path:
        return on_path, "java on PATH"
    return None, "no Java found (JAVA_HOME is unset and no java on PATH)"


# What a JVM prints when it cannot reserve its memory (an address-space limit, `ulimit -v`,
# or a machine or container short of memory): Java is installed, but cannot start.
JVM_MEMORY_ERRORS = (
    "Could not reserve enough space",
    "Could not allocate compressed class space",
    "insufficient memory for the Java Runtime Environment",
    "Native memory allocation",
)


def address_space_limit() -> int | None:
    """This process's address-space limit (`ulimit -v`) in bytes, or None when unlimited."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def jvm_memory_problem(java: str, output: str) -> str | None:
    """Why the JVM could not start, when it is memory (with the fix), or None."""
    lines = [line.strip("# ").strip() for line in output.splitlines()]
    said = next((line for line in lines if any(error in line for error in JVM_MEMORY_ERRORS)), None)
    if said is None:
        return None
    limit = address_space_limit()
    if limit is not None:
        fix = (
            f"this shell limits the address space to {limit // 1024} kB (`ulimit -v`), less "
            "than Java needs: raise the limit (`ulimit -v unlimited`, or ask whoever set it) "
            "and start again from that shell"
        )
    else:
        fix = "free some memory (close programs) or give this machine or container more"
    return f"{java} is installed, but Java could not reserve its memory ({said}); {fix}"


def java_major_of(java: str, env: Mapping[str, str]) -> tuple[int | None, str]:
    """The major version of this java binary, or None and why not."""
    try:
        completed = subprocess.run(
            [java, "-version"],
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(env),
            cwd=tempfile.gettempdir(),  # where a JVM that fails may leave hs_err_pid*.log
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, f"{java} does not run ({error})"
    output = completed.stderr + completed.stdout
    major = parse_java_major(output)
    if major is None:
        return None, jvm_memory_problem(java, output) or f"cannot read the version of {java}"
    return major, ""


def java_on_path_instead(env: Mapping[str, str], system: str | None = None) -> str | None:
    """When JAVA_HOME is the problem and the java on PATH would do: how to use that one."""
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if not on_path:
        return None
    major, _ = java_major_of(on_path, env)
    if major is None or major < SUPPORTED_JAVA[0]:
        return None
    if (system or platform.system()) == "Darwin":
        home = f"$(/usr/libexec/java_home -v {major})"
    else:
        home = str(Path(on_path).resolve().parent.parent)  # .../bin/java -> the JDK folder
    return (
        f"the java on PATH ({on_path}) is Java {major}: unset JAVA_HOME (Spark then uses "
        f"that one) or point JAVA_HOME at it (JAVA_HOME={home})"
    )


def check_java(env: Mapping[str, str] | None = None, system: str | None = None) -> Result:
    env = os.environ if env is None else env
    java, where = find_java(env)
    # Spark takes JAVA_HOME over PATH: when JAVA_HOME is what is wrong and a good Java is
    # already on PATH, the fix is to unset or repoint JAVA_HOME, not to install anything.
    instead = java_on_path_instead(env, system) if env.get("JAVA_HOME") else None
    if java is None:
        if env.get("JAVA_HOME"):
            fix = instead or f"point it at a JDK 17 or 21, or unset it; {java_fix(system)}"
            return Result(False, "Java", f"{where}; {fix}")
        return Result(False, "Java", f"{where}; {java_fix(system)}")
    major, problem = java_major_of(java, env)
    if major is None and "could not reserve its memory" in problem:
        return Result(False, "Java", problem)  # installed: installing it again would not help
    if major is None:
        return Result(False, "Java", f"{problem}; {instead or java_fix(system)}")
    if major < SUPPORTED_JAVA[0]:
        too_old = f"Java {major} ({where}) is too old, Spark 4 needs 17 or 21"
        if instead:
            return Result(
                False, "Java", f"{too_old}, and Spark uses JAVA_HOME before PATH; {instead}"
            )
        return Result(False, "Java", f"{too_old}; {java_fix(system)}")
    note = "" if major in SUPPORTED_JAVA else " (newer than 17/21: untested by the course)"
    return Result(True, "Java", f"Java {major} ({where}){note}")


def check_python() -> Result:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info[:2] < MIN_PYTHON:
        return Result(
            False,
            "Python",
            f"{version} is too old; install Python 3.11 or newer and run make setup",
        )
    return Result(True, "Python", f"{version} at {sys.executable}")


def pinned_version(package: str, requirements: Path = REPO_ROOT / "requirements.txt") -> str | None:
    for line in requirements.read_text().splitlines():
        match = re.match(rf"^{re.escape(package)}==([^\s;]+)", line.strip(), re.IGNORECASE)
        if match:
            return match.group(1)
    return None


def pythonpath_entry(path: Path, env: Mapping[str, str]) -> str | None:
    """The entry of PYTHONPATH in `env` that holds `path`, if any."""
    for entry in env.get("PYTHONPATH", "").split(os.pathsep):
        if entry and Path(path).resolve().is_relative_to(Path(entry).resolve()):
            return entry
    return None


def stray_pyspark(env: Mapping[str, str]) -> str | None:
    """When the pyspark this Python imports comes from PYTHONPATH instead of its own
    environment: what happens and the fix, in a few words; otherwise None."""
    imported = pip_spark_home()
    if imported is None or not env.get("PYTHONPATH"):
        return None
    own = register_kernel.own_spark_home(sys.executable)
    entry = pythonpath_entry(imported, env)
    if entry is None or (own is not None and Path(own) == imported):
        return None
    return (
        f"Python imports the pyspark in {imported}, found through PYTHONPATH ({entry}), "
        f"instead of the course's own in {own or sys.prefix}; unset PYTHONPATH (or take "
        f"{entry} out of it) in the terminal, then run the check or `make lab` again from it"
    )


def check_spark(env: Mapping[str, str] | None = None) -> Result:
    env = os.environ if env is None else env
    try:
        import pyspark
    except ImportError:
        return Result(False, "Spark", "pyspark is not installed here; run `make setup`")
    wanted = pinned_version("pyspark")
    stray = stray_pyspark(env)
    if stray:
        return Result(False, "Spark", f"pyspark {pyspark.__version__}: {stray}")
    if wanted and pyspark.__version__ != wanted:
        return Result(
            False,
            "Spark",
            f"pyspark {pyspark.__version__}, the course pins {wanted}; run `make setup`",
        )
    return Result(True, "Spark", f"pyspark {pyspark.__version__}")


def pip_spark_home() -> Path | None:
    """The Spark that `pip install pyspark` put inside the package (bin/, jars/), if any."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.origin:
        return None
    return Path(spec.origin).resolve().parent


def check_spark_home(env: Mapping[str, str] | None = None, in_kernel: bool = False) -> Result:
    """PySpark launches the Spark in SPARK_HOME when it is set.

    The course kernel sets SPARK_HOME to the pip-installed Spark itself, so another one set
    in the terminal cannot reach the notebooks: there it is only a warning. Inside the
    kernel (``in_kernel``), another SPARK_HOME can only come from the notebook itself.
    """
    env = os.environ if env is None else env
    spark_home = env.get("SPARK_HOME")
    if not spark_home:
        return Result(True, "SPARK_HOME", "unset: the pip-installed Spark is used")
    pip_home = pip_spark_home()
    if pip_home is None:
        return Result(False, "SPARK_HOME", "pyspark is not installed here; run `make setup`")
    if Path(spark_home).resolve() == pip_home:
        return Result(True, "SPARK_HOME", "points at the pip-installed Spark")
    stray = stray_pyspark(env)
    if stray and in_kernel:
        return Result(
            False,
            "SPARK_HOME",
            f"{stray}; a restart of the kernel alone keeps PYTHONPATH, start JupyterLab again",
        )
    if in_kernel:
        return Result(
            False,
            "SPARK_HOME",
            f"{spark_home} is another Spark, not the pip-installed one this kernel was "
            "started with (a findspark.init() or os.environ change in the notebook?); "
            "restart the kernel",
        )
    return Result(
        True,
        "SPARK_HOME",
        f"{spark_home} is another Spark. The course kernel ignores it (it sets SPARK_HOME "
        "to the pip-installed Spark), but `pyspark`, `spark-submit` or a script started "
        "from this terminal would launch that one; unset SPARK_HOME unless you mean to",
        warn=True,
    )


def check_submit_args(env: Mapping[str, str] | None = None) -> Result:
    """PYSPARK_SUBMIT_ARGS is handed to spark-submit, whose last word must be `pyspark-shell`.

    Without it spark-submit has no application to start: it prints its usage to the
    terminal and exits, and a notebook only sees JAVA_GATEWAY_EXITED.
    """
    env = os.environ if env is None else env
    args = env.get("PYSPARK_SUBMIT_ARGS")
    what = "PYSPARK_SUBMIT_ARGS"
    if args is None:
        if env.get("SPARK_REMOTE"):
            return Result(True, what, "unset (SPARK_REMOTE chooses the Spark)")
        return Result(True, what, "unset: Spark runs on this machine with all its cores")
    try:
        words = shlex.split(args)
    except ValueError as error:
        return Result(False, what, f"{args!r} cannot be read ({error}); fix its quotes")
    if words[-1:] == ["pyspark-shell"]:
        return Result(True, what, args)
    options = [word for word in words if word != "pyspark-shell"]
    fixed = " ".join(
        shlex.quote(word) if re.search(r"[\s'\"]", word) else word
        for word in [*options, "pyspark-shell"]
    )
    if "pyspark-shell" in words:
        why = "has options after `pyspark-shell`, which spark-submit ignores"
    else:
        why = (
            "does not end with `pyspark-shell`, the word that makes spark-submit start "
            "Spark for Python"
        )
    return Result(False, what, f'"{args}" {why}; set PYSPARK_SUBMIT_ARGS="{fixed}"')


def remote_address(url: str) -> tuple[str, int]:
    """Host and port of a Spark Connect URL such as sc://127.0.0.1:15002/;token=..."""
    parsed = urlparse(url.split(";", 1)[0])
    return parsed.hostname or "localhost", parsed.port or 15002


def connect_error(host: str, port: int, timeout: float = 3.0) -> str | None:
    """Why nothing answers at host:port (a TCP connection, `timeout` seconds at most)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except OSError as error:
        return error.strerror or str(error)


def check_spark_remote(env: Mapping[str, str] | None = None, timeout: float = 3.0) -> Result:
    """SPARK_REMOTE makes every notebook a client of that Spark Connect server: try it."""
    env = os.environ if env is None else env
    url = env.get("SPARK_REMOTE")
    what = "SPARK_REMOTE"
    if not url:
        return Result(True, what, "unset: Spark runs in the kernel (no Spark Connect server)")
    if url.startswith("local"):
        return Result(True, what, f"{url}: PySpark starts a Spark Connect server of its own")
    fix = (
        "start that Spark Connect server (for one on this machine: "
        "`.venv/bin/python tools/spark_service.py connect` prints the SPARK_REMOTE to use), "
        "or unset SPARK_REMOTE to run Spark in the kernel; then start JupyterLab again"
    )
    if not url.startswith("sc://"):
        return Result(False, what, f"{url} is not a Spark Connect address (sc://HOST:PORT); {fix}")
    try:
        host, port = remote_address(url)
    except ValueError as error:
        return Result(False, what, f"{url} cannot be read ({error}); {fix}")
    problem = connect_error(host, port, timeout)
    if problem:
        return Result(False, what, f"nothing answers at {host}:{port} ({problem}); {fix}")
    return Result(True, what, f"{url}: a server answers; the notebooks run through it")


def same_python(a: str, b: str) -> bool:
    """True for two names of one interpreter (symlinks of a venv count as distinct)."""
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return Path(a).absolute().parent == Path(b).absolute().parent and os.path.samefile(a, b)
    except OSError:
        return False


def check_pyspark_python(
    env: Mapping[str, str] | None = None, python: str = sys.executable
) -> Result:
    """PYSPARK_PYTHON set before Jupyter starts wins over the kernel's own Python."""
    env = os.environ if env is None else env
    value = env.get("PYSPARK_PYTHON")
    what = "PYSPARK_PYTHON"
    if not value and os.name == "nt":  # no spark-env.sh on Windows: docs/windows.md
        return Result(True, what, "unset: in the course kernel, Spark's workers run its Python")
    if not value:
        if spark_env_problem() is None:
            return Result(
                True,
                what,
                "unset: Spark's Python workers run the course's Python (the course kernel "
                "sets it; Spark started from another Python of this environment finds it "
                "through spark-env.sh)",
            )
        return Result(
            True,
            what,
            "unset: in the course kernel Spark's Python workers run its own Python, but a "
            "script or another kernel would have them run the `python3` on PATH; run `make "
            "setup`",
            warn=True,
        )
    found = shutil.which(value, path=env.get("PATH", "")) or value
    if same_python(found, python):
        return Result(True, what, f"{value} (this Python)")
    missing = "" if Path(found).exists() else ", which does not exist on this machine"
    return Result(
        True,
        what,
        f"{value}{missing} is set, so Spark's Python workers in the notebooks run it instead "
        f"of the course's Python ({python}); unset it unless a cluster's workers need it "
        "(docs/teaching.md)",
        warn=True,
    )


UTF8_LOCALES = ("C.UTF-8", "C.utf8", "en_US.UTF-8", "en_US.utf8")
# The variables the C library reads for the locale: LC_ALL overrides the others, and LANG
# fills in every category without a variable of its own.
LOCALE_CATEGORIES = (
    "LC_CTYPE",
    "LC_NUMERIC",
    "LC_TIME",
    "LC_COLLATE",
    "LC_MONETARY",
    "LC_MESSAGES",
    "LC_PAPER",
    "LC_NAME",
    "LC_ADDRESS",
    "LC_TELEPHONE",
    "LC_MEASUREMENT",
    "LC_IDENTIFICATION",
)


def locale_in_use(env: Mapping[str, str]) -> tuple[str, str]:
    """The variable that decides the character set (LC_CTYPE) of programs started with
    `env`, and its value: LC_ALL, then LC_CTYPE, then LANG, as the C library reads them."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        if env.get(name):
            return name, env[name]
    return "", "C"


def locale_available(name: str) -> bool:
    """Whether the C library knows this locale (one named in LANG may not be installed)."""
    current = locale.setlocale(locale.LC_CTYPE)
    try:
        locale.setlocale(locale.LC_CTYPE, name)
    except locale.Error:
        return False
    finally:
        locale.setlocale(locale.LC_CTYPE, current)
    return True


def is_utf8(name: str) -> bool:
    return "utf8" in name.lower().replace("-", "").replace("_", "")


def locale_problem(
    env: Mapping[str, str], available: Callable[[str], bool] = locale_available
) -> str | None:
    """Why Java started with `env` would not read file names as UTF-8 (on Linux), or None.

    Java calls setlocale(LC_ALL, ""): when any variable names a locale that is not
    installed, the whole call fails and Java stays in the C locale, whose character set is
    ASCII. Otherwise the character set is LC_CTYPE's. (Python itself is not affected: it
    reads only LC_CTYPE, and falls back to UTF-8.)
    """
    if env.get("LC_ALL"):
        in_use = {"LC_ALL": env["LC_ALL"]}
    else:
        in_use = {name: env[name] for name in (*LOCALE_CATEGORIES, "LANG") if env.get(name)}
    for name, value in in_use.items():
        if not available(value):
            return f"{name}={value} names a locale that is not installed here"
    variable, value = locale_in_use(env)
    if not variable:
        return "no LANG or LC_* variable is set, so the locale is C, which is not UTF-8"
    if not is_utf8(value):
        return f"{variable}={value} is not a UTF-8 locale"
    return None


def utf8_locale_fix(
    env: Mapping[str, str],
    system: str | None = None,
    available: Callable[[str], bool] = locale_available,
) -> dict[str, str]:
    """The variable to add so that Java started with `env` reads file names as UTF-8.

    On Linux, Java decodes file names (the class path of Spark's jars, the configuration
    folder, the data files) with the character set of the locale; with an ASCII one, every
    path with a non-ASCII character breaks. macOS's Java always uses UTF-8 for file names,
    and Windows works differently. Empty when nothing needs to change or nothing can help.
    """
    if (system or platform.system()) in ("Darwin", "Windows"):
        return {}
    if locale_problem(env, available) is None:
        return {}
    for candidate in UTF8_LOCALES:
        if available(candidate):
            return {"LC_ALL": candidate}
    return {}


def check_locale(
    env: Mapping[str, str] | None = None,
    system: str | None = None,
    paths: list[Path] | None = None,
    available: Callable[[str], bool] = locale_available,
) -> Result:
    env = os.environ if env is None else env
    system = system or platform.system()
    if system in ("Darwin", "Windows"):
        return Result(True, "Locale", f"not needed on {system}")
    problem = locale_problem(env, available)
    if problem is None:
        variable, value = locale_in_use(env)
        return Result(True, "Locale", f"{variable}={value} (UTF-8)")
    if paths is None:
        paths = [REPO_ROOT, pip_spark_home() or REPO_ROOT]
        if env.get("SPARK_HOME"):
            paths.append(Path(env["SPARK_HOME"]))
    odd = next((path for path in paths if not str(path).isascii()), None)
    if odd is None:
        return Result(True, "Locale", f"{problem}; harmless: the course's paths are all ASCII")
    problem = (
        f"{problem}, and {odd} has non-ASCII characters: Java cannot read such a path "
        "then, and Spark fails with JAVA_GATEWAY_EXITED"
    )
    fix = utf8_locale_fix(env, system, available).get("LC_ALL")
    if fix is None:
        return Result(
            False,
            "Locale",
            f"{problem}. No UTF-8 locale is installed: install one (Debian/Ubuntu: "
            "`sudo apt-get install locales-all`), or move the repository to a folder whose "
            "path has only ASCII characters",
        )
    return Result(
        True,
        "Locale",
        f"{problem}. The course kernel starts Spark with LC_ALL={fix} itself; before "
        f"starting Spark from this terminal, `export LC_ALL={fix}`",
        warn=True,
    )


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
    fix = "run `make setup` (or `python setup/register_kernel.py`)"
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
    spark_home = register_kernel.own_spark_home(
        python
    )  # without PYTHONPATH, as setup/register_kernel.py
    if spark_home is None:
        return Result(False, "Kernel", f"pyspark is not installed here; {fix}")
    wanted = register_kernel.kernel_spec(python=python, spark_home=spark_home)
    if list(spec.argv) != wanted["argv"] or dict(spec.env) != wanted["env"]:
        return Result(False, "Kernel", f"it was registered by an older set-up of the course; {fix}")
    if location and os.name != "nt" and Path(location).stat().st_mode & 0o055 != 0o055:
        return Result(
            False,
            "Kernel",
            f"its folder {location} is private to its owner, so other users do not see it; {fix}",
        )
    return Result(True, "Kernel", f'"{KERNEL_DISPLAY_NAME}" uses {python}')


def spark_env_problem(python: str = sys.executable) -> str | None:
    """Why Spark started from another Python of this environment would miss the course's
    configuration (spark-env.sh missing or out of date), or None."""
    path = register_kernel.spark_env_file(python)
    if path is None:
        return "pyspark is not installed here"
    if not path.is_file():
        return f"{path} is missing"
    if path.read_text(encoding="utf-8") != register_kernel.spark_env_script(python):
        return f"{path} was written for another checkout or by an older set-up"
    return None


def check_any_python() -> Result:
    """Spark started without the course kernel (a script, "Python 3 (ipykernel)")."""
    what = "Other Pythons"
    if os.name == "nt":
        return Result(True, what, f'use the kernel "{KERNEL_DISPLAY_NAME}" (docs/windows.md)')
    problem = spark_env_problem()
    if problem:
        return Result(
            False,
            what,
            f"{problem}: Spark started from a script or another kernel of this environment "
            "would listen on every network interface and print WARN lines; run `make setup`",
        )
    return Result(
        True,
        what,
        "Spark started from a script or another kernel of this environment gets the "
        "course's configuration too (spark-env.sh)",
    )


def check_scratch(root: Path = REPO_ROOT) -> Result:
    """The kernel keeps Spark's temporary files in .scratch/, and the notebooks their output."""
    scratch = root / ".scratch"
    if open_lab.writable(scratch):
        return Result(True, "Scratch", f"{scratch} can be written (Spark's temporary files)")
    return Result(
        False,
        "Scratch",
        f"{scratch} cannot be written, and the course keeps Spark's temporary files and the "
        "notebooks' output there; work in a copy of the course you can write to (git clone)",
    )


def check_lab() -> Result:
    """What JupyterLab and its kernels will write, and where."""
    try:
        moved, problem = open_lab.home_redirects()
    except ImportError:
        return Result(False, "Lab", "Jupyter is not installed here; run `make setup`")
    if problem:
        return Result(False, "Lab", problem)
    if moved:
        names = ", ".join(moved)
        return Result(
            True,
            "Lab",
            f"your home folder cannot be written ({open_lab.unwritable_home()}): the course's lab "
            f"keeps its own files in .scratch/home/ instead ({names})",
            warn=True,
        )
    return Result(True, "Lab", "JupyterLab can write its runtime files in your home folder")


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


def startup_diagnosis(env: Mapping[str, str] | None = None) -> list[Result]:
    """The checks that explain why Spark cannot start in a kernel with this environment."""
    env = os.environ if env is None else env
    return [
        check_java(env),
        check_spark_home(env, in_kernel=True),
        check_submit_args(env),
        check_locale(env),
        check_scratch(),
        check_config(),
    ]


def all_checks() -> list[Callable[[], Result]]:
    return [
        check_python,
        check_java,
        check_spark,
        check_spark_home,
        check_submit_args,
        check_spark_remote,
        check_pyspark_python,
        check_locale,
        check_kernel,
        check_any_python,
        check_lab,
        check_scratch,
        check_config,
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check that this machine can run the course.")
    parser.add_argument("--java", action="store_true", help="check only Java")
    args = parser.parse_args(argv)
    checks = [check_java] if args.java else all_checks()
    results = [check() for check in checks]
    for result in results:
        print(result.line())
    return 0 if all(result.ok for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
