"""The course kernel "Python (Pyspark)": an ordinary IPython kernel plus this extension.

setup/kernel.py registers the kernel as ``python setup/course_kernel.py -f ...
--IPKernelApp.extensions=course_kernel``. Run as a script, this file starts ipykernel with
itself importable; loaded as an IPython extension, it does three things, all silent while
everything works:

1. When the kernel starts, before any Spark: ``PYSPARK_PYTHON`` is set to the kernel's own
   Python unless it was set before Jupyter started (so Spark's Python workers run the
   course's Python); and on Linux, when the locale is not UTF-8 (``LC_ALL=C``, or a
   ``LANG`` naming a locale that is not installed), ``LC_ALL`` becomes an installed UTF-8
   locale (``C.UTF-8`` first) for the processes the kernel starts, so that Java can read
   paths with non-ASCII characters. The kernel's own Python is not affected.
2. After a cell in which Spark did not start (``JAVA_GATEWAY_EXITED`` and the like), it runs
   setup/check.py's start-up diagnosis and prints, below the error, the FAIL lines with
   their fixes; when no check fails, what Spark's launcher itself printed.
3. After a cell that stopped Spark (``spark.stop()``) in classic mode, it ends the JVM the
   kernel had started, which otherwise keeps its memory until the kernel shuts down; the
   next ``SparkSession.builder.getOrCreate()`` in the same kernel starts a fresh one.
   Under Spark Connect the kernel has no JVM, and nothing happens.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import MutableMapping
from pathlib import Path

import check  # setup/check.py, next to this file

HERE = Path(__file__).resolve().parent

# Error conditions of PySpark that mean "the JVM did not start", and the PySpark functions
# a traceback passes through when the failure happens while Spark starts.
STARTUP_CONDITIONS = {"JAVA_GATEWAY_EXITED"}
STARTUP_FUNCTIONS = {"launch_gateway", "_ensure_initialized", "_initialize_context"}
RESTART_ADVICE = (
    "Fix it, then restart the kernel (Kernel > Restart Kernel) and run the cells again. "
    "A variable set in a terminal needs JupyterLab started again from a terminal where "
    "it is fixed."
)


def prepare_environment(
    env: MutableMapping[str, str] | None = None,
    system: str | None = None,
    python: str = sys.executable,
) -> dict[str, str]:
    """Give the processes the kernel starts (Java, Spark's Python workers) what they need.

    Returns the variables it set.
    """
    env = os.environ if env is None else env
    changes = {}
    if not env.get("PYSPARK_PYTHON"):
        changes["PYSPARK_PYTHON"] = python
    changes.update(check.utf8_locale_fix(env, system))
    env.update(changes)
    return changes


def is_startup_failure(error: BaseException) -> bool:
    """Whether `error` means that Spark did not start (rather than a failed job)."""
    condition = getattr(error, "getCondition", None) or getattr(error, "getErrorClass", None)
    if callable(condition):
        try:
            if condition() in STARTUP_CONDITIONS:
                return True
        except Exception:
            pass
    for frame, _ in traceback.walk_tb(error.__traceback__):
        code = frame.f_code
        if code.co_name in STARTUP_FUNCTIONS and "pyspark" in Path(code.co_filename).parts:
            return True
    return False


def launcher_output(env: MutableMapping[str, str], timeout: float = 60) -> list[str] | None:
    """Start Spark the way PySpark does, but keep what the launcher prints.

    PySpark leaves the launcher's output on the terminal that started Jupyter. Returns its
    informative lines, or None when Spark now starts (the probe is stopped again).
    """
    spark_home = env.get("SPARK_HOME") or str(check.pip_spark_home())
    script = Path(spark_home) / "bin" / ("spark-submit.cmd" if os.name == "nt" else "spark-submit")
    try:
        args = shlex.split(env.get("PYSPARK_SUBMIT_ARGS", "pyspark-shell"))
    except ValueError as error:
        return [f"PYSPARK_SUBMIT_ARGS cannot be read: {error}"]
    with tempfile.TemporaryDirectory() as folder:
        conn_info = Path(folder) / "conn"
        log = Path(folder) / "log"
        child_env = dict(env, SPARK_CONNECT_MODE="0", _PYSPARK_DRIVER_CONN_INFO_PATH=str(conn_info))
        with open(log, "wb") as out:
            try:
                process = subprocess.Popen(
                    [str(script), *args],
                    stdin=subprocess.PIPE,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=child_env,
                )
            except OSError as error:
                return [f"{script} cannot run: {error}"]
            deadline = time.monotonic() + timeout
            while process.poll() is None and not conn_info.exists():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            started = conn_info.exists()
            if process.poll() is None:
                end_process(process)
        if started:
            return None
        text = log.read_text(errors="replace")
    lines = [
        line.rstrip()
        for line in text.splitlines()
        if line.strip()
        and not line.lstrip().startswith(("at ", "... "))
        and "Using incubator modules" not in line
    ]
    if not lines:
        lines = [f"(nothing; it exited with status {process.returncode})"]
    return lines[:12]


def end_process(process: subprocess.Popen, timeout: float = 15) -> None:
    """End a JVM started by PySpark: it exits by itself when its stdin closes."""
    try:
        if process.stdin:
            process.stdin.close()
        process.wait(timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()
        process.wait(timeout=timeout)


def diagnosis(env: MutableMapping[str, str] | None = None) -> str:
    """What to print below an error that kept Spark from starting."""
    env = os.environ if env is None else env
    failed = [result for result in check.startup_diagnosis(env) if not result.ok]
    if failed:
        lines = ["Spark did not start. The course's set-up check (setup/check.py) says why:"]
        lines += [result.line() for result in failed]
    else:
        said = launcher_output(env)
        if said is None:
            return (
                "Spark did not start, but the set-up check finds nothing wrong and Spark "
                "starts when tried again now: run the cell again."
            )
        lines = [
            "Spark did not start, and the set-up check (setup/check.py) finds nothing "
            "wrong. Spark's launcher said:"
        ]
        lines += [f"    {line}" for line in said]
    return "\n".join([*lines, RESTART_ADVICE])


def release_stopped_jvm() -> bool:
    """After spark.stop() in classic mode, end the JVM the kernel started; True if it did.

    PySpark keeps its gateway to the JVM (SparkContext._gateway, whose ``proc`` is the
    JVM's process) after the SparkContext stops, and the JVM keeps its memory. Once no
    SparkContext is active, shut the gateway down, end the process and forget both, so
    that the next getOrCreate() launches a new JVM.
    """
    if os.environ.get("SPARK_REMOTE") or os.environ.get("SPARK_CONNECT_MODE_ENABLED"):
        return False  # Spark Connect: the driver is elsewhere
    context = sys.modules.get("pyspark.core.context")
    if context is None:
        return False
    spark_context = context.SparkContext
    with spark_context._lock:
        gateway = spark_context._gateway
        if gateway is None or spark_context._active_spark_context is not None:
            return False
        process = getattr(gateway, "proc", None)
        if process is None:
            return False  # a JVM someone else started (PYSPARK_GATEWAY_PORT)
        try:
            gateway.shutdown()
        except Exception:
            pass
        end_process(process)
        spark_context._gateway = None
        spark_context._jvm = None
    return True


def after_cell(result) -> None:
    error = getattr(result, "error_in_exec", None)
    try:
        if error is not None and is_startup_failure(error):
            print(diagnosis(), flush=True)
    except Exception as problem:  # the diagnosis must never add an error of its own
        print(f"(the course kernel could not run its set-up check: {problem!r})", flush=True)
    try:
        release_stopped_jvm()
    except Exception as problem:
        print(f"(the course kernel could not end the stopped JVM: {problem!r})", flush=True)


def load_ipython_extension(ipython) -> None:
    prepare_environment()
    ipython.events.register("post_run_cell", after_cell)


def unload_ipython_extension(ipython) -> None:
    ipython.events.unregister("post_run_cell", after_cell)


if __name__ == "__main__":
    # Python put this file's folder (setup/) first on sys.path: import this module and
    # setup/check.py under their own names, then take setup/ off the path again, so that a
    # notebook imports from its own folder exactly as under `python -m ipykernel_launcher`.
    import course_kernel  # noqa: F401

    if sys.path and Path(sys.path[0]).resolve() == HERE:
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
