"""setup/register_kernel.py: the kernel's folder is complete, readable by every user, written only
when it changed, and `python setup/register_kernel.py` (the conda route) runs the set-up check."""

from __future__ import annotations

import os
import stat
import struct
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager

import make_kernel_logo
import register_kernel
from conftest import REPO_ROOT
from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME

FILES = ["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]


def refuse(*args, **kwargs):
    """What writing into a checkout the user cannot write to does."""
    raise PermissionError(13, "Permission denied", "/shared/course/.venv/share/jupyter")


def test_the_kernel_spec():
    spec = register_kernel.kernel_spec(python="/py", repo_root=Path("/repo"), spark_home="/spark")
    assert spec["argv"] == [
        "/py",
        "/repo/setup/course_kernel.py",
        "-f",
        "{connection_file}",
        "--IPKernelApp.capture_fd_output=False",
        "--IPKernelApp.extensions=course_kernel",
    ]
    assert spec["env"] == {
        "SPARK_CONF_DIR": "/repo",
        "SPARK_LOCAL_IP": "127.0.0.1",
        # Spark's and the JVM's temporary folders, and a crashed JVM's log, in the scratch
        # folder: a JVM killed with its kernel leaves nothing in /tmp.
        "SPARK_LOCAL_DIRS": "/repo/.scratch/spark",
        "SPARK_SUBMIT_OPTS": "-Djava.io.tmpdir=/repo/.scratch/spark "
        "-XX:ErrorFile=/repo/.scratch/hs_err_pid%p.log",
        "SPARK_HOME": "/spark",
    }


def test_jvm_options_with_spaces_are_quoted_for_sparks_launcher():
    env = register_kernel.spark_env(Path("/home/ann/my course"))
    assert env["SPARK_SUBMIT_OPTS"] == (
        '"-Djava.io.tmpdir=/home/ann/my course/.scratch/spark" '
        '"-XX:ErrorFile=/home/ann/my course/.scratch/hs_err_pid%p.log"'
    )
    assert register_kernel.java_option('C:\\a "b"') == '"C:\\\\a \\"b\\""'


def test_the_spark_home_is_the_pip_package():
    import pyspark

    assert register_kernel.kernel_spec()["env"]["SPARK_HOME"] == str(
        Path(pyspark.__file__).resolve().parent
    )


def test_the_folder_is_readable_by_everyone_whatever_the_umask(tmp_path):
    umask = os.umask(0o077)  # what a careful user or a container build may have
    try:
        where, changed = register_kernel.install(prefix=str(tmp_path))
    finally:
        os.umask(umask)
    assert changed and where == tmp_path / "share" / "jupyter" / "kernels" / "pyspark"
    assert stat.S_IMODE(where.stat().st_mode) == 0o755
    assert sorted(path.name for path in where.iterdir()) == FILES
    for path in where.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name
    assert KernelSpecManager(kernel_dirs=[str(where.parent)]).get_kernel_spec("pyspark")


def test_the_folder_is_written_only_when_it_changed(tmp_path, monkeypatch):
    where, _ = register_kernel.install(prefix=str(tmp_path))
    monkeypatch.setattr(KernelSpecManager, "install_kernel_spec", refuse)
    assert register_kernel.install(prefix=str(tmp_path)) == (where, False)  # nothing written
    # What an older set-up left (a 0700 folder, no logos) is rewritten.
    where.chmod(0o700)
    with pytest.raises(PermissionError):
        register_kernel.install(prefix=str(tmp_path))
    where.chmod(0o755)
    (where / "logo-svg.svg").unlink()
    with pytest.raises(PermissionError):
        register_kernel.install(prefix=str(tmp_path))


def test_a_folder_it_cannot_write_gets_one_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(KernelSpecManager, "install_kernel_spec", refuse)
    assert register_kernel.main(["--prefix", str(tmp_path), "--no-check"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("FAIL Kernel: cannot write the kernel's folder")
    assert "Permission denied" in err and "python setup/register_kernel.py --user" in err
    assert "Traceback" not in err


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_that_is_up_to_date_passes(tmp_path):
    where, _ = register_kernel.install(prefix=str(tmp_path))
    for folder in (where, where.parent):
        folder.chmod(0o555)
    try:
        assert register_kernel.main(["--prefix", str(tmp_path), "--no-check"]) == 0
    finally:
        for folder in (where, where.parent):
            folder.chmod(0o755)


def test_the_conda_route_runs_the_check(tmp_path):
    # The README's conda route is `python setup/register_kernel.py`, then `jupyter lab`: the
    # registration must print the set-up check, like `make setup` does.
    completed = subprocess.run(
        [sys.executable, "setup/register_kernel.py", "--prefix", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    lines = completed.stdout.splitlines()
    assert lines[0].startswith(f'kernel "{KERNEL_DISPLAY_NAME}" ({KERNEL_NAME}) installed in ')
    assert [line.split()[1] for line in lines[1:]][:3] == ["Python:", "Java:", "Spark:"]
    assert "Config:" in lines[-1]
    assert completed.returncode == 0, completed.stdout + completed.stderr


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_logos_are_the_sizes_jupyter_wants():
    setup = REPO_ROOT / "setup"
    assert png_size(setup / "kernel-logo-32x32.png") == (32, 32)
    assert png_size(setup / "kernel-logo-64x64.png") == (64, 64)
    svg = ElementTree.parse(setup / "kernel-logo.svg").getroot()
    assert svg.get("viewBox") == "0 0 64 64"
    assert not list(svg.iter("{http://www.w3.org/2000/svg}text"))  # shapes only, no font


def test_the_logo_script_draws_the_committed_files(tmp_path):
    for path in make_kernel_logo.main(tmp_path):
        assert path.read_bytes() == (REPO_ROOT / "setup" / path.name).read_bytes(), path.name
