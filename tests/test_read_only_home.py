"""A home folder that cannot be written: the set-up check says what the lab will do, and
the lab works, keeping its runtime files in the checkout's ignored .scratch/home/.

The probe of issue 24: with a read-only home every check said OK, then `make lab` died with
`OSError: [Errno 30] Read-only file system: '.../.local'`. Here the home is an empty
read-only file system (a tmpfs mounted read-only in a private mount namespace when the tests
run as root, who may write anywhere; a folder without write permission otherwise).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from jupyter_client import BlockingKernelClient

import lab_runner
import open_lab
from conftest import REPO_ROOT
from course_facts import KERNEL_NAME

PYTHON = os.path.realpath(sys.executable)  # a Python that needs nothing from the home folder


@pytest.fixture
def read_only_home(tmp_path) -> Callable[[list[str]], list[str]]:
    """A function that wraps a command so that it runs with HOME on a read-only folder."""
    home = tmp_path / "home"
    home.mkdir()
    if os.geteuid() != 0:
        home.chmod(0o555)
        yield lambda command: ["env", f"HOME={home}", *command]
        home.chmod(0o755)
        return
    probe = ["unshare", "-m", "true"]
    if shutil.which("unshare") is None or subprocess.run(probe, capture_output=True).returncode:
        pytest.skip("root, and no private mount namespace to make a read-only home in")
    mount = 'mount -t tmpfs -o ro,size=1m tmpfs "$HOME" && exec "$@"'
    yield lambda command: [
        "env",
        f"HOME={home}",
        "unshare",
        "-m",
        "sh",
        "-c",
        mount,
        "sh",
        *command,
    ]


def clean_env() -> dict[str, str]:
    moved = ("JUPYTER_", "JUPYTERLAB_", "IPYTHONDIR", "MPLCONFIGDIR", "XDG_")
    return {key: value for key, value in os.environ.items() if not key.startswith(moved)}


def test_the_check_says_where_the_lab_will_keep_its_files(read_only_home):
    completed = subprocess.run(
        read_only_home([sys.executable, "setup/check_setup.py"]),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    line = next(line for line in completed.stdout.splitlines() if " Lab: " in line)
    assert line.startswith("WARN Lab: your home folder cannot be written (")
    assert "the course's lab keeps its own files in .scratch/home/ instead" in line
    assert "JUPYTER_RUNTIME_DIR" in line and "MPLCONFIGDIR" in line
    assert completed.returncode == 0, completed.stdout  # a warning: the lab works


def test_nowhere_to_write_stops_the_lab_with_one_line(monkeypatch, capsys):
    monkeypatch.setattr(open_lab, "writable", lambda folder: False)
    assert open_lab.main(["--no-browser"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("FAIL Lab: ") and err.count("\n") == 1
    assert "cannot be written (a read-only home folder?), nor can this checkout's" in err
    assert "HOME=$(mktemp -d) make lab" in err


def test_a_variable_that_points_nowhere_writable_is_named(monkeypatch, tmp_path):
    blocked = tmp_path / "blocked"
    monkeypatch.setenv("IPYTHONDIR", str(blocked))
    monkeypatch.setattr(open_lab, "writable", lambda folder: Path(folder) != blocked)
    moved, problem = open_lab.home_redirects()
    assert problem == (
        f"IPYTHONDIR={blocked} cannot be written; unset it or point it at a folder you can "
        "write to, then start the lab again"
    )


CELL = """
import matplotlib.pyplot as plt
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
print(spark.range(5).count())
plt.plot([1, 2])
spark.stop()
"""


def api(base_url: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(
        f"{base_url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
    return json.loads(text) if text else None


@pytest.mark.slow
def test_make_lab_works_with_a_read_only_home(read_only_home, tmp_path):
    env = clean_env() | {"PYTHON": PYTHON}
    # `make lab` is `make setup` (here already done: every step is quick), then the lab.
    setup = subprocess.run(
        read_only_home(["bash", "setup/setup.sh"]),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "WARN Lab: your home folder cannot be written" in setup.stdout
    log = tmp_path / "lab.log"
    command = [sys.executable, "setup/open_lab.py", "--no-browser", "--port=0"]
    with open(log, "wb") as sink:
        server = subprocess.Popen(
            read_only_home([*command, "--ServerApp.port_retries=0"]),
            cwd=REPO_ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not (found := lab_runner.PRINTED_URL.search(log.read_text(errors="replace"))):
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        base_url, token = found.group(1), found.group(3)
        text = log.read_text()
        assert "Read-only file system" not in text and "Traceback" not in text, text
        assert "note: your home folder cannot be written" in text
        started = api(base_url, token, "/api/kernels", "POST", {"name": KERNEL_NAME})
        connection = open_lab.HOME_STANDIN / "jupyter_runtime_dir" / f"kernel-{started['id']}.json"
        client = BlockingKernelClient(connection_file=str(connection))
        client.load_connection_file()
        # No heartbeat: on a busy machine a late one reads as a dead kernel; a kernel that
        # really died is caught by the timeout.
        client.start_channels(hb=False)
        outputs: list[dict] = []
        try:
            client.wait_for_ready(timeout=240)
            reply = client.execute_interactive(
                CELL, timeout=300, output_hook=lambda m: outputs.append(m["content"])
            )
        finally:
            client.stop_channels()
            api(base_url, token, f"/api/kernels/{started['id']}", "DELETE")
    finally:
        if server.poll() is None:
            os.killpg(server.pid, 15)
        server.wait(timeout=60)
    assert reply["content"]["status"] == "ok", outputs
    streams = [out for out in outputs if "name" in out]
    assert [out["text"] for out in streams] == ["5\n"]  # nothing on stderr: no warning
