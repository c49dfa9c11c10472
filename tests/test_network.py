"""Nothing the course starts listens beyond loopback.

A Spark session and JupyterLab are started as a learner starts them, and every listening
socket of their processes is listed while they run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import psutil
import pytest

import spark_service
from conftest import REPO_ROOT

SESSION = """
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
spark.range(10).count()
print("ready", flush=True)
input()
spark.stop()
"""


def listening(process: subprocess.Popen) -> set[str]:
    return spark_service.listening_addresses([process])


def test_loopback_helper_knows_loopback_from_the_rest():
    assert spark_service.is_loopback("127.0.0.1:4040")
    assert spark_service.is_loopback("::ffff:127.0.0.1:4040")
    assert spark_service.is_loopback("::1:8888")
    assert not spark_service.is_loopback("0.0.0.0:4040")
    assert not spark_service.is_loopback("::ffff:192.168.1.20:4040")


@pytest.mark.slow
def test_spark_session_listens_on_loopback_only():
    env = dict(os.environ, SPARK_CONF_DIR=str(REPO_ROOT), SPARK_LOCAL_IP="127.0.0.1")
    for name in ("PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE"):
        env.pop(name, None)
    with subprocess.Popen(
        [sys.executable, "-c", SESSION],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    ) as session:
        try:
            assert session.stdout.readline().strip() == "ready"
            addresses = listening(session)
            # The UI, the block manager and the driver's RPC endpoint at the least.
            assert len(addresses) >= 3, addresses
            assert all(spark_service.is_loopback(a) for a in addresses), addresses
        finally:
            session.communicate("\n", timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("extra_args", [[], ["--ServerApp.ip=127.0.0.1"]])
def test_jupyterlab_listens_on_loopback_only(tmp_path, extra_args):
    # Without arguments JupyterLab's own default must already be loopback; `make lab`
    # also says so explicitly.
    port = spark_service.free_port()
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={tmp_path}",
            *extra_args,
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime")),
    ) as lab:
        try:
            deadline = time.monotonic() + 60
            while not listening(lab) and time.monotonic() < deadline:
                time.sleep(0.5)
            addresses = listening(lab)
            assert addresses, f"JupyterLab did not start (exit status {lab.poll()})"
            assert all(spark_service.is_loopback(a) for a in addresses), addresses
            assert all(re.search(rf":{port}$", a) for a in addresses), addresses
        finally:
            lab.terminate()
            lab.wait(timeout=30)


def test_psutil_sees_sockets_of_this_user():
    # The tests above would pass vacuously if the socket listing saw nothing.
    import socket

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        mine = {
            f"{c.laddr.ip}:{c.laddr.port}"
            for c in psutil.Process().net_connections(kind="inet")
            if c.status == psutil.CONN_LISTEN
        }
        assert f"127.0.0.1:{server.getsockname()[1]}" in mine
