"""The course kernel "Python (Pyspark)": an ordinary IPython kernel plus this extension.

setup/register_kernel.py registers the kernel as ``python setup/course_kernel.py -f ...
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
   setup/check_setup.py's start-up diagnosis and prints, below the error, the FAIL lines with
   their fixes; when no check fails, what Spark's launcher itself printed.
3. After a cell that stopped Spark (``spark.stop()``) in classic mode, it ends the JVM the
   kernel had started, which otherwise keeps its memory until the kernel shuts down; the
   next ``SparkSession.builder.getOrCreate()`` in the same kernel starts a fresh one.
   Under Spark Connect the kernel has no JVM, and nothing happens.
4. Errors from Spark are shown short: the error's name, Spark's own message (without the
   query plan and the Java stack), and the learner's line, then how to see the whole text
   (``%spark_error``). Three cases get one line of their own: a file that does not fit its
   schema (the file, the record and the bad value first), a Spark that was stopped or
   whose Java process died (what happened, the likely cause and the fix), and a Spark
   Connect server that does not answer (within seconds, not after ten minutes of retries).
   PySpark's own JSON log record of an analysis error (``DataFrameQueryContextLogger``,
   about 9 kB before the traceback) is switched off: the short error says the same.
"""

from __future__ import annotations

import linecache
import logging
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import MutableMapping
from pathlib import Path

import check_setup  # setup/check_setup.py, next to this file

HERE = Path(__file__).resolve().parent
SCRATCH = HERE.parent / ".scratch"

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
    changes.update(check_setup.utf8_locale_fix(env, system))
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
    spark_home = env.get("SPARK_HOME") or str(check_setup.pip_spark_home())
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
    failed = [result for result in check_setup.startup_diagnosis(env) if not result.ok]
    if failed:
        lines = ["Spark did not start. The course's set-up check (setup/check_setup.py) says why:"]
        lines += [result.line() for result in failed]
    else:
        said = launcher_output(env)
        if said is None:
            return (
                "Spark did not start, but the set-up check finds nothing wrong and Spark "
                "starts when tried again now: run the cell again."
            )
        lines = [
            "Spark did not start, and the set-up check (setup/check_setup.py) finds nothing "
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


class SparkUnreachable(ConnectionError):
    """No Spark Connect server answers at SPARK_REMOTE's address."""


class _State:
    """What the kernel remembers between cells."""

    stopped = False  # the learner's spark.stop() ended the JVM (classic mode)
    jvm: subprocess.Popen | None = None  # the JVM of the running SparkContext
    last_error: tuple | None = None  # (type, value, traceback) of the last Spark error


STATE = _State()
QUERY_CONTEXT_LOGGERS = ("DataFrameQueryContextLogger", "SQLQueryContextLogger")
FULL_TEXT = "(Spark's whole error text: run %spark_error in a new cell.)"


def quiet_query_context_logging() -> None:
    """Switch off PySpark's JSON log record of analysis errors; the error says the same."""
    from pyspark.logger import PySparkLogger

    for name in QUERY_CONTEXT_LOGGERS:
        PySparkLogger.getLogger(name).disabled = True


def guard_spark_connect(max_retries: int = 5) -> None:
    """Under SPARK_REMOTE, make a missing server an error within seconds.

    PySpark's Connect client retries an unreachable server for about ten minutes with no
    word. Before a client is made, try the server's port; and retry at most `max_retries`
    times (about 17 s) when a server that answered goes away.
    """
    from pyspark.sql.connect.client import core

    original = core.SparkConnectClient.__init__
    if getattr(original, "_course_guard", False):
        return

    def init(self, connection, *args, **kwargs):
        url = connection if isinstance(connection, str) else os.environ.get("SPARK_REMOTE", "")
        if url.startswith("sc://"):
            host, port = check_setup.remote_address(url)
            if check_setup.connect_error(host, port) is not None:
                raise SparkUnreachable(
                    f"No Spark Connect server answers at {host}:{port} (SPARK_REMOTE={url}): "
                    "start the server, or unset SPARK_REMOTE to run Spark here, then restart "
                    "the kernel."
                )
        if kwargs.get("retry_policy") is None and len(args) < 3:
            kwargs["retry_policy"] = {"max_retries": max_retries}
        original(self, connection, *args, **kwargs)

    init._course_guard = True  # type: ignore[attr-defined]
    core.SparkConnectClient.__init__ = init


def remember_jvm() -> None:
    """Keep the running JVM's process, to tell later whether it died."""
    context = sys.modules.get("pyspark.core.context")
    if context is None:
        return
    spark_context = context.SparkContext
    gateway = spark_context._gateway
    process = getattr(gateway, "proc", None)
    if process is not None and spark_context._active_spark_context is not None:
        STATE.jvm = process
        STATE.stopped = False


def crash_log(pid: int) -> Path | None:
    for folder in (SCRATCH, Path.cwd()):
        path = folder / f"hs_err_pid{pid}.log"
        if path.exists():
            return path
    return None


def _passes_through_spark(tb) -> bool:
    for frame, _ in traceback.walk_tb(tb):
        parts = Path(frame.f_code.co_filename).parts
        if "pyspark" in parts or "py4j" in parts:
            return True
    return False


def _full_text(error: BaseException) -> str:
    java = getattr(error, "java_exception", None)
    if java is not None:
        try:
            return str(error) + "\n" + str(java.toString())
        except Exception:
            pass
    return str(error)


def malformed_record_line(text: str) -> str | None:
    """One line for a CSV row that does not fit its schema (FAILFAST), or None."""
    if "MALFORMED_RECORD_IN_PARSING" not in text and "Malformed CSV record" not in text:
        return None
    file = re.search(r"reading file (?:file:)?(\S+?)\.?\s", text)
    record = re.search(r"record parsing: (\[.*?\])\.", text)
    value = re.findall(r'For input string: "([^"]*)"', text)
    name = Path(file.group(1)).name if file else "a CSV file"
    parts = [f"Spark could not read {name} with its schema (mode FAILFAST):"]
    if value:
        parts.append(f'the value "{value[-1]}" is not a number')
    else:
        parts.append("a value does not fit its column's type")
    if record:
        parts.append(f"in the record {record.group(1)} (the bad value shows as null).")
    parts.append("Fix that row of the file, or restore a course file with git checkout data/.")
    return " ".join(parts)


def spark_message(error: BaseException) -> str:
    """Spark's own message, without the query plan and the Java stack trace."""
    get_message = getattr(error, "getMessage", None)
    text = ""
    if callable(get_message):
        try:
            text = str(get_message())
        except Exception:
            text = ""
    if not text:
        text = str(error)
    java = getattr(error, "java_exception", None)
    if java is not None:  # a Java exception PySpark does not convert: its first line
        try:
            text = str(java.toString())
        except Exception:
            pass
    lines = [line for line in text.strip().splitlines() if line.strip()]
    kept = []
    for line in lines:
        if line.startswith(("\tat ", "JVM stacktrace", "'", "+-", ":- ")) or line.startswith(" "):
            break
        kept.append(line.strip())
        if len(kept) == 3:
            break
    message = " ".join(kept).removesuffix(";")
    causes = [line.strip() for line in lines if line.startswith("Caused by: ")]
    if causes and java is not None:
        message += f" Root cause: {causes[-1].removeprefix('Caused by: ')}"
    return message


def learner_line(shell, tb) -> str | None:
    """'cell [7], line 2: df.select("predicton")' for the deepest frame in a cell."""
    cells = getattr(getattr(shell, "compile", None), "_filename_map", {})
    found = None
    for frame, lineno in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename in cells:
            found = (cells[filename], lineno, filename)
    if found is None:
        return None
    count, lineno, filename = found
    source = linecache.getline(filename, lineno).strip()
    return f"cell [{count}], line {lineno}: {source}"


def summary(error: BaseException) -> str | None:
    """The short text for an error of Spark's (or of the course's), or None for others."""
    module = type(error).__module__
    if module in ("course_helpers", "course_kernel") or isinstance(error, SparkUnreachable):
        return str(error)
    if not _passes_through_spark(error.__traceback__) and not module.startswith(
        ("pyspark", "py4j", "grpc")
    ):
        return None
    if STATE.stopped:
        return (
            "Spark was stopped in this notebook (spark.stop()), and the DataFrames and models "
            "made before went with it. To go on, use Run > Run All Above Selected Cell: it "
            "starts Spark again and rebuilds them."
        )
    jvm = STATE.jvm
    if jvm is not None and jvm.poll() is not None:
        status = jvm.returncode
        how = f"was killed (signal {-status})" if status < 0 else f"exited with status {status}"
        log = crash_log(jvm.pid)
        where = f" Its crash log: {log}." if log else ""
        return (
            f"Spark's Java process has died: it {how}. The likely cause is memory (the "
            "machine's or spark.driver.memory in spark-defaults.conf): use less data, or "
            f"raise spark.driver.memory.{where} Restart the kernel (Kernel > Restart Kernel) "
            "and run the cells again."
        )
    text = _full_text(error)
    return malformed_record_line(text) or spark_message(error)


def show_error(shell, etype, value, tb, tb_offset=None) -> list[str]:
    """IPython's custom traceback: short for Spark's errors, the usual one for others.

    IPython calls it inside the `except` of the cell's run and ignores what it returns,
    so it shows the error itself.
    """
    short = None
    try:
        if not is_startup_failure(value):
            short = summary(value)
    except Exception:
        short = None
    if short is None:
        shell.showtraceback(running_compiled_code=True)
        return []
    STATE.last_error = (etype, value, tb)
    red, reset = "\x1b[0;31m", "\x1b[0m"
    lines = [f"{red}{etype.__name__}{reset}: {short}"]
    where = learner_line(shell, tb)
    if where:
        lines.append(f"  in {where}")
    if type(value).__module__ not in ("course_helpers", "course_kernel"):
        lines.append(FULL_TEXT)
    shell._showtraceback(etype, value, lines)
    return lines


def spark_error(line: str = "") -> None:
    """%spark_error: the whole text of the last Spark error, with every stack trace."""
    from IPython import get_ipython

    if STATE.last_error is None:
        print("No Spark error in this kernel yet.")
        return
    etype, value, tb = STATE.last_error
    shell = get_ipython()
    print(shell.InteractiveTB.stb2text(shell.InteractiveTB.structured_traceback(etype, value, tb)))
    java = getattr(value, "java_exception", None)
    if java is not None:
        print(str(java.toString()))


def after_cell(result) -> None:
    error = getattr(result, "error_in_exec", None)
    try:
        if error is not None and is_startup_failure(error):
            print(diagnosis(), flush=True)
    except Exception as problem:  # the diagnosis must never add an error of its own
        print(f"(the course kernel could not run its set-up check: {problem!r})", flush=True)
    try:
        if release_stopped_jvm():
            STATE.stopped, STATE.jvm = True, None
        else:
            remember_jvm()
    except Exception as problem:
        print(f"(the course kernel could not end the stopped JVM: {problem!r})", flush=True)


def load_ipython_extension(ipython) -> None:
    prepare_environment()
    try:
        quiet_query_context_logging()
        if os.environ.get("SPARK_REMOTE"):
            guard_spark_connect()
    except Exception as problem:  # a PySpark without these parts: the errors stay long
        print(f"(the course kernel could not shorten Spark's errors: {problem!r})")
    ipython.events.register("post_run_cell", after_cell)
    ipython.set_custom_exc((Exception,), show_error)
    ipython.register_magic_function(spark_error, "line", "spark_error")


def unload_ipython_extension(ipython) -> None:
    ipython.events.unregister("post_run_cell", after_cell)
    ipython.set_custom_exc((), None)


if __name__ == "__main__":
    # Python put this file's folder (setup/) first on sys.path: import this module and
    # setup/check_setup.py under their own names, then take setup/ off the path again, so that a
    # notebook imports from its own folder exactly as under `python -m ipykernel_launcher`.
    import course_kernel  # noqa: F401

    if sys.path and Path(sys.path[0]).resolve() == HERE:
        del sys.path[0]
    from ipykernel import kernelapp

    # ipykernel 7 warns at every start that the kernel's TCP ports are not encrypted, a line
    # per notebook in the terminal of `make lab`. Jupyter binds them to 127.0.0.1 and signs
    # every message with the key of a connection file only this user can read, and loopback
    # traffic can be read by root alone: nothing a learner could act on.
    logging.getLogger("IPKernelApp").addFilter(
        lambda record: "without encryption" not in record.getMessage()
    )
    kernelapp.launch_new_instance()
