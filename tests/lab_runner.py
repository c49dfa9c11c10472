"""The course's lab in the background, for the browser tests and bench/memory_walk.py.

`running_lab()` starts setup/open_lab.py (what `make lab` runs) without a browser on a free
loopback port and yields the URL it printed; on the way out it stops the lab and whatever
the lab started.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from course_facts import REPO_ROOT

OPEN_LAB = REPO_ROOT / "setup" / "open_lab.py"


@dataclass
class Lab:
    """A lab started by `running_lab()`: the URL it printed and its server process."""

    url: str  # as printed: http://127.0.0.1:PORT/lab/tree/notebooks/00_...ipynb?token=...
    base_url: str  # http://127.0.0.1:PORT
    token: str
    process: subprocess.Popen
    log: Path  # the server's output


PRINTED_URL = re.compile(r"(http://127\.0\.0\.1:\d+)(/\S*)\?token=([0-9a-f]+)")


@contextmanager
def running_lab(
    log: Path,
    launcher: Path = OPEN_LAB,
    args: tuple[str, ...] = ("--no-browser", "--port=0", "--ServerApp.port_retries=0"),
    env: dict[str, str] | None = None,
    python: str = sys.executable,
    timeout: float = 300,
) -> Iterator[Lab]:
    """Run `python <launcher> <args>` (by default this script on a free loopback port, no
    browser) until the block ends, yielding the URL the lab printed.

    On the way out, even after a failure, the server is asked to stop (SIGTERM: it shuts
    its kernels down), then anything it started that is still alive (a kernel, a JVM, a
    Python worker) is killed.
    """
    import psutil

    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [python, str(launcher), *args],
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal reaches only the caller
        )
    seen: dict[int, psutil.Process] = {}
    try:
        deadline = time.monotonic() + timeout
        while not (found := PRINTED_URL.search(log.read_text(errors="replace"))):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the lab printed no URL (exit code {process.poll()}); its output:\n"
                    + log.read_text(errors="replace")[-3000:]
                )
            time.sleep(0.2)
        yield Lab(found.group(0), found.group(1), found.group(3), process, log)
    finally:
        try:
            seen = {p.pid: p for p in psutil.Process(process.pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            pass
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for child in seen.values():
            try:
                child.wait(timeout=10)
            except psutil.TimeoutExpired:
                child.kill()
            except psutil.NoSuchProcess:
                pass
