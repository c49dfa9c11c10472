"""setup/setup.sh recovers from a set-up that was interrupted while it made .venv/.

The probe of issue 24: Ctrl-C in the first seconds of `make setup` left a .venv/ without
pip, and every later run failed ("No module named pip", "uv did not work here") with nothing
suggesting to remove it. The tests run the real setup.sh in a scratch checkout whose other
set-up scripts are stubs and whose requirements are empty, with pip's index switched off:
what is tested is how .venv/ is made, not the packages.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT

pytestmark = pytest.mark.skipif(os.name == "nt", reason="setup.sh is for Linux and macOS")

BASE_PYTHON = os.path.realpath(sys.executable)  # the interpreter behind .venv/
REMADE = ".venv/ is incomplete (an interrupted set-up?): making it again"


def scratch_checkout(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "setup").mkdir(parents=True)
    (root / "setup" / "setup.sh").write_bytes((REPO_ROOT / "setup" / "setup.sh").read_bytes())
    for stub in ("check_setup.py", "register_kernel.py", "open_lab.py"):
        (root / "setup" / stub).write_text("import sys\nsys.exit(0)\n")
    (root / "requirements.txt").write_text("# nothing to install in this test\n")
    return root


def setup_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_")}
    # No index: installing uv fails at once, and pip installs the (empty) requirements.
    return env | {"PYTHON": BASE_PYTHON, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": ""}


def run_setup(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "setup/setup.sh"],
        cwd=root,
        capture_output=True,
        text=True,
        env=setup_env(),
        timeout=600,
    )


def has_pip(root: Path) -> bool:
    python = root / ".venv" / "bin" / "python"
    return subprocess.run([str(python), "-c", "import pip"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_a_venv_without_pip_is_made_again(tmp_path):
    root = scratch_checkout(tmp_path)
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    assert not has_pip(root)
    completed = run_setup(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.splitlines()[:2] == [
        REMADE,
        f"Creating .venv/ with Python {'.'.join(map(str, sys.version_info[:3]))}",
    ]
    assert has_pip(root)
    again = run_setup(root)  # and a third run leaves it alone
    assert again.returncode == 0 and REMADE not in again.stdout and "Creating" not in again.stdout


@pytest.mark.slow
def test_ctrl_c_in_the_first_seconds_of_make_setup_is_recovered(tmp_path):
    root = scratch_checkout(tmp_path)
    interrupted = subprocess.Popen(
        ["bash", "setup/setup.sh"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=setup_env(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not (root / ".venv" / "bin" / "python").exists():  # venv has begun, pip comes last
        assert interrupted.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(interrupted.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
    interrupted.communicate(timeout=120)
    assert interrupted.returncode != 0
    assert (root / ".venv").exists() and not has_pip(root)  # the state the probe found
    completed = run_setup(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.startswith(REMADE)
    assert has_pip(root)
