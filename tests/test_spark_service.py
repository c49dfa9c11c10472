"""The runner of `make test`, `make test-cluster` and `make test-student` stops the command
when its Spark service dies, instead of leaving notebook cells waiting for a server that is
gone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

import spark_service

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def test_the_command_is_stopped_when_the_service_dies(tmp_path):
    marker = tmp_path / "pid"
    command = [
        sys.executable,
        "-c",
        f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); time.sleep(120)",
    ]
    service = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1); exit(3)"])
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="stopped during the run .exit status 3"):
        spark_service.run_while_serving(command, dict(os.environ), [service])
    assert time.monotonic() - started < 30
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the command is gone


def test_the_command_exit_status_is_returned_while_the_service_lives():
    service = subprocess.Popen(SLEEPER)
    try:
        command = [sys.executable, "-c", "raise SystemExit(5)"]
        assert spark_service.run_while_serving(command, dict(os.environ), [service]) == 5
        assert service.poll() is None  # the caller stops the service, not this function
    finally:
        service.kill()
        service.wait()
