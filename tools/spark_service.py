"""Run a command against a real Spark service started for it, on loopback only.

    python tools/spark_service.py cluster -- pytest notebooks --nbval ...
    python tools/spark_service.py connect -- pytest notebooks --nbval ...
    python tools/spark_service.py connect-on-cluster -- pytest student/notebooks --nbval ...
    python tools/spark_service.py connect          # just serve until Ctrl-C

`cluster` starts a standalone master and one worker (from the pip-installed Spark's
bin/spark-class) and sets PYSPARK_SUBMIT_ARGS="--master spark://127.0.0.1:PORT pyspark-shell"
for the command. `connect` starts a Spark Connect server and sets SPARK_REMOTE=sc://127.0.0.1:PORT.
`connect-on-cluster` starts both, the Connect server's work running on the cluster's worker
(a class's hub whose Spark Connect server has a cluster behind it), and sets SPARK_REMOTE.
Ports are free ones picked at start; readiness is polled, not slept for; every process
listens on 127.0.0.1 only (checked before the command runs: Spark Connect has no
authentication, so it must never be reachable from the network); and the service is
stopped when the command ends, fails or is interrupted. Logs go to a temporary folder,
printed on failure.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def service_env(log_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYSPARK_SUBMIT_ARGS", "SPARK_REMOTE")}
    env.update(
        SPARK_HOME=str(spark_home()),
        SPARK_CONF_DIR=str(REPO_ROOT),
        SPARK_LOCAL_IP=LOOPBACK,
        PYSPARK_PYTHON=sys.executable,
        SPARK_WORKER_DIR=str(log_dir / "work"),
    )
    return env


@contextmanager
def process(
    name: str, command: list[str], env: dict[str, str], log_dir: Path
) -> Iterator[subprocess.Popen]:
    """Start a process in its own group, logging to log_dir; stop the group on exit."""
    log = open(log_dir / f"{name}.log", "wb")
    proc = subprocess.Popen(
        command, env=env, cwd=log_dir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield proc
    finally:
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            if proc.poll() is not None:
                break
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=wait)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        log.close()


def wait_until(
    ready: Callable[[], bool], what: str, procs: list[subprocess.Popen], timeout: float = 120
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(proc.poll() is not None for proc in procs):
            raise RuntimeError(f"{what}: a process exited before it was ready")
        if ready():
            return
        time.sleep(0.5)
    raise RuntimeError(f"{what}: not ready after {timeout:.0f} s")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((LOOPBACK, port)) == 0


def master_has_worker(web_port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{web_port}/json/", timeout=2) as answer:
            return json.load(answer).get("aliveworkers", 0) >= 1
    except OSError:
        return False


def listening_addresses(procs: list[subprocess.Popen]) -> set[str]:
    """Every address the processes (and their children) listen on, as 'ip:port'."""
    import psutil

    found = set()
    for started in procs:
        try:
            root = psutil.Process(started.pid)
            family = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for proc in family:
            # A short-lived helper (JupyterLab runs a few) may end between the two calls.
            try:
                connections = proc.net_connections(kind="inet")
            except psutil.NoSuchProcess:
                continue
            for conn in connections:
                if conn.status == psutil.CONN_LISTEN:
                    found.add(f"{conn.laddr.ip}:{conn.laddr.port}")
    return found


def is_loopback(address: str) -> bool:
    ip = address.rsplit(":", 1)[0].removeprefix("::ffff:")
    return ipaddress.ip_address(ip).is_loopback


def assert_loopback_only(procs: list[subprocess.Popen]) -> None:
    exposed = sorted(a for a in listening_addresses(procs) if not is_loopback(a))
    if exposed:
        raise RuntimeError(f"listening beyond loopback: {', '.join(exposed)}")


def start_master_and_worker(
    stack: ExitStack, env: dict[str, str], log_dir: Path
) -> tuple[str, list[subprocess.Popen]]:
    """A standalone master and one worker; returns the master's URL and the processes."""
    spark_class = str(spark_home() / "bin" / "spark-class")
    port, web_port = free_port(), free_port()
    master = stack.enter_context(
        process(
            "master",
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
                "--webui-port",
                str(web_port),
            ],
            env,
            log_dir,
        )
    )
    url = f"spark://{LOOPBACK}:{port}"
    worker = stack.enter_context(
        process(
            "worker",
            [
                spark_class,
                "org.apache.spark.deploy.worker.Worker",
                "--host",
                LOOPBACK,
                "--webui-port",
                str(free_port()),
                "--cores",
                "2",
                "--memory",
                "4g",
                url,
            ],
            env,
            log_dir,
        )
    )
    wait_until(lambda: master_has_worker(web_port), "standalone cluster", [master, worker])
    assert_loopback_only([master, worker])
    print(
        f"spark_service: standalone master {url} with one worker (UI http://{LOOPBACK}:{web_port})"
    )
    return url, [master, worker]


def start_cluster(
    stack: ExitStack, env: dict[str, str], log_dir: Path
) -> tuple[dict[str, str], list[subprocess.Popen]]:
    url, processes = start_master_and_worker(stack, env, log_dir)
    return {"PYSPARK_SUBMIT_ARGS": f"--master {url} pyspark-shell"}, processes


def start_connect(
    stack: ExitStack, env: dict[str, str], log_dir: Path, master: str = "local[*]"
) -> tuple[dict[str, str], list[subprocess.Popen]]:
    port = free_port()
    server = stack.enter_context(
        process(
            "connect",
            [
                str(spark_home() / "bin" / "spark-submit"),
                "--master",
                master,
                "--class",
                "org.apache.spark.sql.connect.service.SparkConnectServer",
                "--conf",
                f"spark.connect.grpc.binding.address={LOOPBACK}",
                "--conf",
                f"spark.connect.grpc.binding.port={port}",
                "spark-internal",
            ],
            env,
            log_dir,
        )
    )
    wait_until(lambda: port_open(port), "Spark Connect server", [server])
    assert_loopback_only([server])
    print(f"spark_service: Spark Connect server sc://{LOOPBACK}:{port}")
    return {"SPARK_REMOTE": f"sc://{LOOPBACK}:{port}"}, [server]


def start_connect_on_cluster(
    stack: ExitStack, env: dict[str, str], log_dir: Path
) -> tuple[dict[str, str], list[subprocess.Popen]]:
    url, cluster = start_master_and_worker(stack, env, log_dir)
    extra, server = start_connect(stack, env, log_dir, master=url)
    return extra, [*cluster, *server]


STARTERS = {
    "cluster": start_cluster,
    "connect": start_connect,
    "connect-on-cluster": start_connect_on_cluster,
}


def run_while_serving(
    command: list[str], env: dict[str, str], services: list[subprocess.Popen]
) -> int:
    """Run the command; if a service dies first, stop the command instead of letting it
    wait for a server that is gone (a notebook cell would wait until its timeout)."""
    run = subprocess.Popen(command, env=env, start_new_session=True)
    try:
        while run.poll() is None:
            dead = [service for service in services if service.poll() is not None]
            if dead:
                os.killpg(run.pid, signal.SIGTERM)
                try:
                    run.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(run.pid, signal.SIGKILL)
                raise RuntimeError(
                    f"a Spark service stopped during the run (exit status {dead[0].returncode})"
                )
            time.sleep(0.5)
        return run.returncode
    finally:
        if run.poll() is None:  # interrupted: take the command's processes down too
            os.killpg(run.pid, signal.SIGTERM)
            run.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service", choices=sorted(STARTERS))
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command to run")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    # SIGTERM (CI stopping us) unwinds like Ctrl-C, so the services are stopped.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    log_dir = Path(tempfile.mkdtemp(prefix=f"spark-{args.service}-"))
    failed = True
    try:
        with ExitStack() as stack:
            env = service_env(log_dir)
            extra, services = STARTERS[args.service](stack, env, log_dir)
            if not command:
                print("spark_service: serving until Ctrl-C; in another terminal:")
                print("  " + " ".join(f"export {k}='{v}'" for k, v in extra.items()))
                signal.pause()
            code = run_while_serving(command, {**os.environ, **extra}, services)
            failed = code != 0
            return code
    except KeyboardInterrupt:
        print("spark_service: interrupted; services stopped")
        return 130
    except RuntimeError as error:
        print(f"spark_service: {error}; logs in {log_dir}", file=sys.stderr)
        for log in sorted(log_dir.glob("*.log")):
            print(f"--- {log.name} (last lines)", file=sys.stderr)
            print("\n".join(log.read_text(errors="replace").splitlines()[-20:]), file=sys.stderr)
        return 1
    finally:
        if not failed:
            shutil.rmtree(log_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
