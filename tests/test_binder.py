"""binder/: the repo2docker configuration that gives the course on Binder or a JupyterHub.

What can be proven without Docker (an image build needs it; docs/teaching.md says what is
left untested):

- repo2docker itself (`jupyter-repo2docker --no-build`) reads binder/ without error and
  writes a Dockerfile with Java from apt.txt, Python 3.11, the learner's pinned packages and
  the postBuild step;
- the postBuild steps, run in a scratch copy of the repository with a fresh environment of
  the learner's requirements (as repo2docker's environment variables describe it), register
  "Python (Pyspark)" there with the copy's SPARK_CONF_DIR, install the lab's settings and
  its landing page; the registered kernel then starts and runs a Spark job that shows the
  course's configuration took effect (slow: it starts a kernel and Spark).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME, REPO_ROOT, copy_course_files

BINDER = REPO_ROOT / "binder"
R2D = Path(sys.executable).with_name("jupyter-repo2docker")
UV = Path(sys.executable).with_name("uv")
# Variables of the shell running the tests that must not reach the scratch environment:
# it stands for a fresh Binder container.
NOT_PASSED = ("SPARK_REMOTE", "PYSPARK_SUBMIT_ARGS", "SPARK_HOME", "SPARK_CONF_DIR")
NOT_PASSED += ("PYSPARK_PYTHON", "PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH", "JUPYTER_DATA_DIR")
NOT_PASSED += ("JUPYTER_CONFIG_DIR", "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_DIR")


def test_the_binder_folder_has_what_repo2docker_reads():
    assert (BINDER / "apt.txt").read_text().split() == ["openjdk-17-jre-headless"]
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    lines = [
        line
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines == ["-r ../requirements.txt"]  # one list of pins, never two to keep equal
    assert os.access(BINDER / "postBuild", os.X_OK)


def test_repo2docker_reads_the_configuration():
    if not R2D.exists():
        pytest.fail("no jupyter-repo2docker: `make setup-dev` installs requirements-dev.txt")
    done = subprocess.run(
        [str(R2D), "--no-build", str(REPO_ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    dockerfile = done.stdout
    assert "apt-get install --yes --no-install-recommends openjdk-17-jre-headless" in dockerfile
    assert 'pip install --no-cache-dir -r "binder/requirements.txt"' in dockerfile
    assert "RUN ./binder/postBuild" in dockerfile
    assert "Building conda environment for python=3.11" in done.stderr + done.stdout
    # -r ../requirements.txt is a local reference: repo2docker copies the whole repository
    # before it installs, so the top-level requirements.txt is there.
    whole = re.search(r"^COPY .* src/ \$\{REPO_DIR\}/$", dockerfile, re.MULTILINE)
    assert whole and whole.start() < dockerfile.index('-r "binder/requirements.txt"')


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A scratch repository copy and a fresh environment of the learner's requirements, with
    binder/postBuild run in it as repo2docker runs it: (copy, environment, variables)."""
    folder = tmp_path_factory.mktemp("binder")
    copy = folder / "repo"
    copy_course_files(copy)  # what a clean clone has, as repo2docker gets it
    prefix = folder / "env"
    env = {key: value for key, value in os.environ.items() if key not in NOT_PASSED}
    env.update(
        HOME=str(folder / "home"),  # the user's kernels and settings cannot interfere
        KERNEL_PYTHON_PREFIX=str(prefix),
        NB_PYTHON_PREFIX=str(prefix),
        PATH=f"{prefix / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    (folder / "home").mkdir()
    base = getattr(sys, "_base_executable", sys.executable)
    # uv's own cache (not the scratch home's): the wheels are there already, pyspark's too.
    cache = subprocess.run([str(UV), "cache", "dir"], capture_output=True, text=True)
    uv_env = dict(env, UV_CACHE_DIR=cache.stdout.strip())
    install = [str(UV), "pip", "install", "--quiet", "--python", str(prefix / "bin" / "python")]
    install += ["-r", str(copy / "binder" / "requirements.txt")]
    # From the cache alone first: asking the index again costs 20 s for the same pins.
    for command in ([str(UV), "venv", "--quiet", "--python", base, str(prefix)], install):
        done = subprocess.run(
            [*command, "--offline"], capture_output=True, text=True, timeout=900, env=uv_env
        )
        if done.returncode != 0 and command is install:  # a pin not in the cache yet
            done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=uv_env)
        assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [str(copy / "binder" / "postBuild")],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    print(done.stdout, done.stderr, file=sys.stderr)
    return copy, prefix, env


@pytest.mark.slow
def test_postbuild_registers_the_course_kernel_and_lab(binder_env):
    copy, prefix, env = binder_env
    kernel = prefix / "share" / "jupyter" / "kernels" / "pyspark" / "kernel.json"
    spec = json.loads(kernel.read_text())
    assert spec["display_name"] == KERNEL_DISPLAY_NAME
    assert spec["argv"][0] == str(prefix / "bin" / "python")
    assert spec["env"]["SPARK_CONF_DIR"] == str(copy)
    settings = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.d"
    assert [path.name for path in settings.iterdir()] == ["pyspark-course.json5"]


@pytest.mark.slow
def test_the_lab_of_that_environment_opens_notebook_00_with_the_course_kernel(binder_env):
    copy, prefix, env = binder_env
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    command = [str(prefix / "bin" / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1"]
    command += [f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:  # a container or CI as root: Jupyter refuses root otherwise
        command.append("--allow-root")
    log = copy.parent / "lab.log"
    with open(log, "w") as output:
        lab = subprocess.Popen(command, cwd=copy, env=env, stdout=output, stderr=output)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # a busy 2-core machine is slow
        while True:
            assert lab.poll() is None, f"the lab stopped: {log.read_text()}"
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, f"no lab after 180 s: {log.read_text()}"
                time.sleep(0.5)
        no_redirect = urllib.request.build_opener(_NoRedirect)
        try:
            no_redirect.open(f"{base}/?token={token}", timeout=30)
            location = ""
        except urllib.error.HTTPError as redirect:
            location = redirect.headers["Location"]
        assert location.split("?")[0] == "/lab/tree/notebooks/00_setup_check.ipynb", location
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=30) as reply:
            specs = json.loads(reply.read())
        assert specs["default"] == KERNEL_NAME
        assert specs["kernelspecs"][KERNEL_NAME]["spec"]["display_name"] == KERNEL_DISPLAY_NAME
    finally:
        lab.terminate()
        lab.wait(timeout=60)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


CELL = textwrap.dedent(
    """
    import os
    from pyspark.sql import SparkSession
    spark = SparkSession.builder.getOrCreate()
    path = os.path.join(os.environ["SPARK_CONF_DIR"], "data", "spark_intro.txt")
    lines = spark.sparkContext.textFile(path).count()
    print("conf", os.environ["SPARK_CONF_DIR"])
    print("lines", lines)
    print("memory", spark.conf.get("spark.driver.memory"))
    spark.stop()
    """
)


@pytest.mark.slow
def test_the_registered_kernel_runs_spark_with_the_course_configuration(binder_env):
    copy, prefix, env = binder_env
    script = textwrap.dedent(
        f"""
        import sys
        from jupyter_client.manager import start_new_kernel
        manager, client = start_new_kernel(kernel_name="pyspark", startup_timeout=300)
        try:
            print("spec", manager.kernel_spec.resource_dir)
            out = []
            reply = client.execute_interactive(
                {CELL!r},
                timeout=600,
                output_hook=lambda m: out.append(m["content"].get("text", "")
                                                 or str(m["content"].get("evalue", ""))),
            )
            print("".join(out))
            print("status", reply["content"]["status"])
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
        """
    )
    done = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", script],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        cwd=copy / "notebooks",
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    print(out, file=sys.stderr)
    assert f"spec {prefix / 'share' / 'jupyter' / 'kernels' / 'pyspark'}" in out
    assert "status ok" in out, out
    assert f"conf {copy}" in out
    expected = len((copy / "data" / "spark_intro.txt").read_text(encoding="utf-8").splitlines())
    assert f"lines {expected}" in out
    defaults = (copy / "spark-defaults.conf").read_text().split("\n")
    memory = next(line.split()[1] for line in defaults if line.startswith("spark.driver.memory"))
    assert f"memory {memory}" in out  # spark-defaults.conf of the copy took effect
