"""Register the Jupyter kernel "Python (Pyspark)" for this checkout, then run the set-up check.

    python setup/register_kernel.py             # into this Python's environment (`make setup`)
    python setup/register_kernel.py --user      # for every Jupyter of this user instead
    python setup/register_kernel.py --no-check  # only register; skip setup/check_setup.py

The kernel carries the course's Spark set-up in its environment (kernel.json's "env"), so
a notebook only calls ``SparkSession.builder.getOrCreate()``:

- ``SPARK_CONF_DIR`` points at the repository root, where Spark finds
  ``spark-defaults.conf`` (and, through it, ``log4j.properties``);
- ``SPARK_LOCAL_IP=127.0.0.1`` keeps the driver and the Spark UI on loopback;
- ``SPARK_HOME`` is the Spark inside the pip-installed pyspark package, so a
  ``SPARK_HOME`` left in the terminal for another Spark cannot reach the notebooks; it is
  the package this Python imports without ``PYTHONPATH``, so a stray pyspark on
  ``PYTHONPATH`` is never written into the kernel;
- ``SPARK_LOCAL_DIRS`` and the JVM's ``java.io.tmpdir`` (in ``SPARK_SUBMIT_OPTS``) are
  ``.scratch/spark/``: a JVM killed with its kernel leaves its temporary folders there, not
  in /tmp; a JVM that crashes writes its ``hs_err_pid*.log`` into ``.scratch/``.

Variables set before starting Jupyter (``PYSPARK_SUBMIT_ARGS``, ``SPARK_REMOTE``,
``PYSPARK_PYTHON``) pass through untouched, so they still choose where Spark runs.

The kernel starts through ``setup/course_kernel.py``, which loads that module as an
IPython extension: it sets ``PYSPARK_PYTHON`` to the kernel's own Python when it is unset,
gives Java a UTF-8 locale when the terminal's is not, explains in the cell why Spark did
not start when it does not, and ends the JVM after ``spark.stop()`` (see its docstring).

The JVM writes a few lines straight to the process's stderr that no logging level
reaches (the "Using incubator modules" notice, for one). ``capture_fd_output=False``
sends that raw stream to the terminal that started Jupyter instead of into cell
outputs; Spark errors still reach the notebook as Python exceptions.

Spark started from any other Python of the environment (a script, the stock "Python 3
(ipykernel)" kernel that editors pick) gets the same variables: this script also writes
``spark-env.sh`` into the conf/ folder of the pip-installed Spark, which Spark's launcher
reads when ``SPARK_CONF_DIR`` is unset. It also puts this environment's bin/ first on
Spark's PATH, so that Spark's Python workers run this environment's ``python3`` (unless
``PYSPARK_PYTHON`` says otherwise).

The kernel's folder is written only when what it holds differs from what this checkout
wants (so a checkout the user cannot write to works once set up), with mode 0755 (so
other users of a shared or container install see the kernel too).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME

SETUP_DIR = Path(__file__).resolve().parent
REPO_ROOT = SETUP_DIR.parent
# The logo files in setup/ (drawn by setup/make_kernel_logo.py) and their names in the
# kernel's folder, where JupyterLab looks for them.
LOGOS = {
    "logo-32x32.png": "kernel-logo-32x32.png",
    "logo-64x64.png": "kernel-logo-64x64.png",
    "logo-svg.svg": "kernel-logo.svg",
}
FOLDER_MODE = 0o755
FILE_MODE = 0o644


FIND_PYSPARK = "import importlib.util as u; s = u.find_spec('pyspark'); print(s and s.origin or '')"


def own_spark_home(python: str = sys.executable) -> str | None:
    """The Spark inside the pyspark package that `python` itself has installed (what PySpark
    uses by default), or None. Found with `python -I`, which ignores PYTHONPATH (and the
    user's site folder and the working folder): a stray pyspark there must not count."""
    try:
        completed = subprocess.run(
            [python, "-I", "-c", FIND_PYSPARK], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    origin = completed.stdout.strip()
    return str(Path(origin).resolve().parent) if completed.returncode == 0 and origin else None


def pip_spark_home(python: str = sys.executable) -> str:
    """own_spark_home(python), or stop with the fix when pyspark is not installed there."""
    found = own_spark_home(python)
    if found is None:
        raise SystemExit("FAIL Spark: pyspark is not installed in this Python; run `make setup`")
    return found


def java_option(option: str) -> str:
    """One JVM option as Spark's launcher reads SPARK_SUBMIT_OPTS (quoted when needed)."""
    if not re.search(r"[\s'\"\\]", option):
        return option
    return '"' + option.replace("\\", "\\\\").replace('"', '\\"') + '"'


def spark_env(repo_root: Path = REPO_ROOT) -> dict[str, str]:
    """The variables with which the course starts Spark: kernel.json's "env", and what
    spark-env.sh gives Spark started from any other Python of the environment."""
    scratch = repo_root / ".scratch"
    options = [
        f"-Djava.io.tmpdir={scratch / 'spark'}",
        f"-XX:ErrorFile={scratch / 'hs_err_pid%p.log'}",
    ]
    return {
        "SPARK_CONF_DIR": str(repo_root),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOCAL_DIRS": str(scratch / "spark"),
        "SPARK_SUBMIT_OPTS": " ".join(java_option(option) for option in options),
    }


def kernel_spec(
    python: str = sys.executable, repo_root: Path = REPO_ROOT, spark_home: str | None = None
) -> dict:
    """The kernel.json this checkout needs."""
    return {
        "argv": [
            python,
            str(repo_root / "setup" / "course_kernel.py"),
            "-f",
            "{connection_file}",
            "--IPKernelApp.capture_fd_output=False",
            "--IPKernelApp.extensions=course_kernel",
        ],
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
        "env": {**spark_env(repo_root), "SPARK_HOME": spark_home or pip_spark_home(python)},
        "metadata": {"debugger": True},
    }


def wanted_files(python: str = sys.executable, repo_root: Path = REPO_ROOT) -> dict[str, bytes]:
    """Every file of the kernel's folder, by name."""
    files = {"kernel.json": (json.dumps(kernel_spec(python, repo_root), indent=2) + "\n").encode()}
    for name, source in LOGOS.items():
        files[name] = (repo_root / "setup" / source).read_bytes()
    return files


def destination(user: bool = False, prefix: str | None = None) -> Path:
    """The kernel's folder: in this environment (``prefix``, default sys.prefix) or the user's."""
    if user:
        from jupyter_client.kernelspec import KernelSpecManager

        return Path(KernelSpecManager().user_kernel_dir) / KERNEL_NAME
    return Path(prefix or sys.prefix) / "share" / "jupyter" / "kernels" / KERNEL_NAME


def is_current(folder: Path, files: dict[str, bytes]) -> bool:
    """True when `folder` holds exactly `files`, readable by everyone (mode 0755 / 0644)."""
    if not folder.is_dir() or stat.S_IMODE(folder.stat().st_mode) != FOLDER_MODE:
        return False
    if {path.name for path in folder.iterdir()} != set(files):
        return False
    for name, content in files.items():
        path = folder / name
        if stat.S_IMODE(path.stat().st_mode) & 0o444 != 0o444 or path.read_bytes() != content:
            return False
    return True


def install(user: bool = False, prefix: str | None = None) -> tuple[Path, bool]:
    """Install the kernel unless it is already exactly as wanted: (its folder, changed?)."""
    files = wanted_files()
    target = destination(user, prefix)
    if is_current(target, files):
        return target, False
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        for name, content in files.items():
            (Path(folder) / name).write_bytes(content)
            os.chmod(Path(folder) / name, FILE_MODE)
        # TemporaryDirectory makes a 0700 folder, and Jupyter copies the folder's mode:
        # without this, no other user of the machine would see the kernel.
        os.chmod(folder, FOLDER_MODE)
        where = KernelSpecManager().install_kernel_spec(
            folder,
            kernel_name=KERNEL_NAME,
            user=user,
            prefix=None if user else (prefix or sys.prefix),
        )
    return Path(where), True


def spark_env_script(python: str = sys.executable, repo_root: Path = REPO_ROOT) -> str:
    """The spark-env.sh for the conf/ folder of the Spark that `python` has installed."""
    lines = [
        f"# Written by setup/register_kernel.py for the course in {repo_root}",
        "# (`make setup` rewrites it).",
        "# Spark's launcher reads it when SPARK_CONF_DIR is unset: Spark started from any",
        '# Python of this environment, not only the kernel "Python (Pyspark)", then gets the',
        "# course's configuration. Delete it to give such a Spark Spark's own defaults.",
        *(f"export {key}={shlex.quote(value)}" for key, value in spark_env(repo_root).items()),
        "# Spark's Python workers run `python3` from PATH unless PYSPARK_PYTHON is set.",
        f'export PATH={shlex.quote(str(Path(python).parent))}:"$PATH"',
    ]
    return "\n".join(lines) + "\n"


def spark_env_file(python: str = sys.executable) -> Path | None:
    """Where spark-env.sh goes: conf/ of the Spark that `python` has installed."""
    spark_home = own_spark_home(python)
    return Path(spark_home) / "conf" / "spark-env.sh" if spark_home else None


def install_spark_env(python: str = sys.executable) -> tuple[Path, bool]:
    """Write spark-env.sh unless it is already as wanted: (its path, changed?)."""
    target = spark_env_file(python)
    if target is None:
        raise SystemExit("FAIL Spark: pyspark is not installed in this Python; run `make setup`")
    wanted = spark_env_script(python)
    if target.is_file() and target.read_text(encoding="utf-8") == wanted:
        return target, False
    target.parent.mkdir(exist_ok=True)
    target.write_text(wanted, encoding="utf-8")
    target.chmod(FILE_MODE)
    return target, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--user",
        action="store_true",
        help="install for every Jupyter of this user instead of only this environment",
    )
    parser.add_argument(
        "--prefix",
        help="install into this environment prefix instead of this Python's (sys.prefix)",
    )
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="only register the kernel; skip setup/check_setup.py's checks",
    )
    args = parser.parse_args(argv)
    try:
        where, changed = install(user=args.user, prefix=args.prefix)
        if os.name != "nt" and not args.prefix:  # another environment's pyspark is not ours
            install_spark_env()
    except OSError as error:
        # A checkout (or .venv/) this user cannot write to: say so in one line.
        print(
            f"FAIL Kernel: cannot write the kernel's folder ({error}); "
            f"ask whoever owns {destination(args.user, args.prefix)} to run "
            "`make setup`, or register the kernel for yourself: "
            "`python setup/register_kernel.py --user`",
            file=sys.stderr,
        )
        return 1
    state = "installed in" if changed else "already up to date in"
    print(f'kernel "{KERNEL_DISPLAY_NAME}" ({KERNEL_NAME}) {state} {where}')
    if args.no_check:
        return 0
    # The check runs as its own program: check_setup imports this module, never the reverse.
    sys.stdout.flush()
    return subprocess.call([sys.executable, str(SETUP_DIR / "check_setup.py")])


if __name__ == "__main__":
    sys.exit(main())
