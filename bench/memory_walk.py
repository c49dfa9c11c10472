"""Memory of one lab session that walks through the whole course, as a learner does.

    python bench/memory_walk.py                  # notebooks 00..05, label from the kernel
    python bench/memory_walk.py --label before   # name the result files yourself
    python bench/memory_walk.py --wait-quiet 2400
    python bench/memory_walk.py --kernel-json old/kernel.json --label before

It starts the course's lab exactly as `make lab` does (setup/open_lab.py, without a browser, on
a free loopback port) and drives the Jupyter server's REST API and kernel websockets the
way JupyterLab does for a learner who opens notebook 00, runs all its cells, clicks "next",
runs all cells of 01, and so on to 05, never closing a tab or shutting a kernel down:

- for each notebook, POST /api/sessions (its path, kernel "pyspark") starts a kernel;
- a websocket to /api/kernels/<id>/channels sends every code cell as an execute_request,
  one after the other, stopping at the first error as "Run All Cells" does; the websocket
  then stays open, like the notebook's tab;
- the notebook files are never written (no save), so the working tree stays as it was.

Every 0.2 s a background thread reads the memory of the Jupyter server and all its
descendants: kernels, their Spark JVMs, Spark's Python workers. (A JVM's child between fork
and exec, which would count the JVM twice, is skipped, as in notebook_cost.py.) Two sums:
resident set sizes (RSS), which count a page shared by n processes n times (the six kernels
share the interpreter and the libraries they load), and proportional set sizes (PSS, Linux's
/proc/PID/smaps_rollup), which count it once in all: the memory the lab takes from the
machine. Printed: the peak of each, and both 5 s after each notebook's last cell (when a
JVM that is ending has ended). The course's goal (bench/HISTORY.md): the peak stays under
3 GiB; the exit status is 1 when the peak PSS does not, or a cell failed.

Results: bench/results/memory_walk_<label>.csv (every sample) and .md (the summary). The
label defaults to "kernel-<name of the IPython extension the course kernel loads>" or
"kernel-plain" when it loads none. `--kernel-json` measures another version of the course
kernel without installing it: the file is put in a temporary folder on JUPYTER_PATH, where
Jupyter looks for kernels before the environment's own.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import psutil
import websocket
from benchlib import (
    MIB,
    REPO_ROOT,
    RESULTS_DIR,
    add_wait_quiet_option,
    machine_info,
    machine_markdown,
    wait_if_asked,
)

from course_facts import KERNEL_NAME, course_notebooks

sys.path.insert(0, str(REPO_ROOT / "tests"))  # the lab runner of the browser tests
from lab_runner import Lab, running_lab  # noqa: E402

NOTEBOOKS = REPO_ROOT / "notebooks"
GOAL_MIB = 3 * 1024
SETTLE_SECONDS = 5.0
ROLES = ("server", "kernels", "jvms", "workers")


MEASURES = ("rss", "pss")


def pss_bytes(pid: int) -> int | None:
    """Proportional set size: each page shared by n processes counts 1/n (Linux only)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


@dataclass
class Sample:
    seconds: float
    notebook: str
    mib: dict[str, dict[str, float]]  # measure ("rss", "pss") -> role -> MiB
    kernels: int
    jvms: int
    pss_known: bool = True

    def total(self, measure: str = "rss") -> float:
        return sum(self.mib[measure].values())

    def split(self, measure: str = "rss") -> str:
        return " / ".join(f"{self.mib[measure][role]:.0f}" for role in ROLES)


class Sampler(threading.Thread):
    """Every `every` seconds (or as soon as the last sample is read, on a busy machine), the
    RSS and the PSS of the server and of each kind of descendant."""

    def __init__(self, server_pid: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.server = psutil.Process(server_pid)
        self.every = every
        self.samples: list[Sample] = []
        self.notebook = "(start)"
        self._stop_event = threading.Event()
        self._t0 = time.monotonic()

    def sample(self) -> Sample:
        mib = {measure: dict.fromkeys(ROLES, 0.0) for measure in MEASURES}
        kernels = jvms = 0
        pss_known = True
        try:
            found = [(self.server, "server")]
            direct = {child.pid for child in self.server.children()}
            processes = self.server.children(recursive=True)
        except psutil.NoSuchProcess:
            found, processes, direct = [], [], set()
        for process in processes:
            try:
                name = process.name()
                if name != "java" and Path(process.exe()).name == "java":
                    continue  # a JVM's child between fork and exec: it would count the JVM twice
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue  # ended between listing and reading
            if process.pid in direct:
                found.append((process, "kernels"))
                kernels += 1
            elif name == "java":
                found.append((process, "jvms"))
                jvms += 1
            else:
                found.append((process, "workers"))
        for process, role in found:
            try:
                rss = process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            pss = pss_bytes(process.pid)
            if pss is None:
                if rss == 0 or not psutil.pid_exists(process.pid):
                    continue  # a zombie (no memory left), or ended since its RSS was read
                pss_known = False
            mib["rss"][role] += rss / MIB
            mib["pss"][role] += (pss if pss is not None else rss) / MIB
        seconds = time.monotonic() - self._t0
        return Sample(seconds, self.notebook, mib, kernels, jvms, pss_known)

    def run(self) -> None:
        while not self._stop_event.is_set():
            started = time.monotonic()
            self.samples.append(self.sample())
            self._stop_event.wait(max(0.0, self.every - (time.monotonic() - started)))

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def api(lab: Lab, method: str, path: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        lab.base_url + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        text = response.read()
    return json.loads(text) if text else {}


@dataclass
class Walked:
    notebook: str
    seconds: float
    cells: int
    status: str
    after: Sample | None = None
    problems: list[str] = field(default_factory=list)  # error and stderr outputs
    connection: websocket.WebSocket | None = None  # left open, like the notebook's tab


def run_all_cells(lab: Lab, kernel_id: str, sources: list[str], timeout: float) -> Walked:
    """Execute the cells one after the other through the kernel's websocket."""
    url = lab.base_url.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    connection = websocket.create_connection(
        url, header=[f"Authorization: token {lab.token}"], timeout=timeout
    )
    walked = Walked("", 0.0, 0, "ok")
    session = uuid.uuid4().hex
    for number, source in enumerate(sources, start=1):
        msg_id = uuid.uuid4().hex
        connection.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "msg_type": "execute_request",
                        "session": session,
                        "username": "learner",
                        "version": "5.3",
                        "date": "",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": source,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        replied = idle = False
        while not (replied and idle):
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "execute_reply":
                replied = True
                if content["status"] != "ok":
                    walked.status = (
                        f"cell {number}: {content.get('ename')}: {content.get('evalue')}"
                    )
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "error":
                walked.problems.append(f"cell {number}: {content['ename']}: {content['evalue']}")
            elif kind == "stream" and content["name"] == "stderr":
                walked.problems.append(f"cell {number} stderr: {content['text'].strip()[:200]}")
        walked.cells = number
        if walked.status != "ok":
            break  # Run All Cells stops at the first error too
    walked.connection = connection
    return walked


def default_label(kernel_json: Path | None) -> str:
    """ "kernel-<extension>" when the course kernel loads an IPython extension, else plain."""
    try:
        if kernel_json:
            argv = json.loads(kernel_json.read_text())["argv"]
        else:
            from jupyter_client.kernelspec import KernelSpecManager

            argv = KernelSpecManager().get_kernel_spec(KERNEL_NAME).argv
    except Exception:  # no kernel: the walk will say so
        return "kernel-unknown"
    for index, arg in enumerate(argv):
        if arg.startswith("--ext="):
            return "kernel-" + arg.split("=", 1)[1].rsplit(".", 1)[-1]
        if arg.startswith("--IPKernelApp.extensions") or arg == "--ext":
            value = arg.split("=", 1)[1] if "=" in arg else argv[index + 1]
            return "kernel-" + value.strip("[]'\" ").rsplit(".", 1)[-1]
    return "kernel-plain"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/NN_*.ipynb")
    parser.add_argument("--label", help="names the result files (default: from the kernel)")
    parser.add_argument(
        "--kernel-json", type=Path, help="use this kernel.json for the course kernel instead"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per cell")
    parser.add_argument("--every", type=float, default=0.2, help="seconds between samples")
    add_wait_quiet_option(parser)
    args = parser.parse_args(argv)
    # `kill` ends the walk like Ctrl-C: the lab, its kernels and their JVMs are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="memory_walk_"))
    env = dict(os.environ)
    if args.kernel_json:
        kernel_dir = scratch / "jupyter" / "kernels" / KERNEL_NAME
        kernel_dir.mkdir(parents=True)
        shutil.copyfile(args.kernel_json, kernel_dir / "kernel.json")
        env["JUPYTER_PATH"] = os.pathsep.join(
            filter(None, [str(scratch / "jupyter"), env.get("JUPYTER_PATH")])
        )
    label = args.label or default_label(args.kernel_json)
    quiet_note = wait_if_asked(args.wait_quiet)
    info = machine_info()
    paths = [p.resolve() for p in args.notebooks] or course_notebooks()

    walked: list[Walked] = []
    try:
        with running_lab(scratch / "lab.log", env=env) as lab:
            sampler = Sampler(lab.process.pid, args.every)
            sampler.start()
            try:
                for path in paths:
                    relative = path.relative_to(REPO_ROOT).as_posix()
                    sampler.notebook = path.name
                    notebook = nbformat.read(path, as_version=4)
                    sources = [c.source for c in notebook.cells if c.cell_type == "code"]
                    started = time.monotonic()
                    session = api(
                        lab,
                        "POST",
                        "/api/sessions",
                        {
                            "path": relative,
                            "name": path.name,
                            "type": "notebook",
                            "kernel": {"name": KERNEL_NAME},
                        },
                    )
                    done = run_all_cells(lab, session["kernel"]["id"], sources, args.timeout)
                    done.notebook, done.seconds = path.name, time.monotonic() - started
                    time.sleep(SETTLE_SECONDS)
                    done.after = sampler.sample()
                    walked.append(done)
                    print(
                        f"{path.name}: {done.cells} cells in {done.seconds:.1f} s, "
                        f"{done.status}; after it RSS {done.after.total('rss'):.0f} MiB, "
                        f"PSS {done.after.total('pss'):.0f} MiB "
                        f"({done.after.kernels} kernels, {done.after.jvms} JVMs); peak so far "
                        f"RSS {max(s.total('rss') for s in sampler.samples):.0f} MiB, "
                        f"PSS {max(s.total('pss') for s in sampler.samples):.0f} MiB",
                        file=sys.stderr,
                        flush=True,
                    )
                    for problem in done.problems:
                        print("   ", problem, file=sys.stderr)
            finally:
                sampler.stop()
                for done in walked:
                    if done.connection:
                        done.connection.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    samples = sampler.samples
    peak = {measure: max(samples, key=lambda s, m=measure: s.total(m)) for measure in MEASURES}
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    csv_path = RESULTS_DIR / f"memory_walk_{label}.csv"
    with csv_path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["seconds", "notebook"]
            + [f"{m}_{part}_mib" for m in MEASURES for part in ("total", *ROLES)]
            + ["kernels", "jvms"]
        )
        for s in samples:
            writer.writerow(
                [f"{s.seconds:.1f}", s.notebook]
                + [
                    f"{value:.1f}"
                    for m in MEASURES
                    for value in (s.total(m), *(s.mib[m][r] for r in ROLES))
                ]
                + [s.kernels, s.jvms]
            )
    gaps = [b.seconds - a.seconds for a, b in zip(samples, samples[1:], strict=False)]
    lines = [
        f"Memory walk `{label}`, {info['date']}: notebooks {paths[0].name[:2]}.."
        f"{paths[-1].name[:2]} in one lab session, every notebook left open.",
        "",
        "| after notebook | cells | s | status | RSS total MiB | PSS total MiB"
        " | PSS server / kernels / JVMs / workers MiB | kernels | JVMs |",
        "|---|---:|---:|---|---:|---:|---|---:|---:|",
    ]
    for done in walked:
        a = done.after
        lines.append(
            f"| {done.notebook} | {done.cells} | {done.seconds:.1f} | {done.status} "
            f"| {a.total('rss'):.0f} | {a.total('pss'):.0f} | {a.split('pss')} "
            f"| {a.kernels} | {a.jvms} |"
        )
    lines.append("")
    for measure, what in (("rss", "summed RSS"), ("pss", "summed PSS")):
        p = peak[measure]
        verdict = "met" if p.total(measure) < GOAL_MIB else "NOT met"
        lines.append(
            f"- peak {what} {p.total(measure):.0f} MiB during {p.notebook} (server / kernels /"
            f" JVMs / workers {p.split(measure)}; {p.kernels} kernels, {p.jvms} JVMs):"
            f" < {GOAL_MIB} MiB (3 GiB) {verdict}"
        )
    lines += [
        *(f"- {done.notebook}: {p}" for done in walked for p in done.problems),
        *(
            ["- PSS unreadable (no /proc/PID/smaps_rollup): RSS used"]
            if not all(s.pss_known for s in samples)
            else []
        ),
        *([f"- {quiet_note}"] if quiet_note else []),
        f"- {len(samples)} samples, asked every {args.every} s, median gap"
        f" {statistics.median(gaps):.2f} s, longest {max(gaps):.2f} s:"
        f" {csv_path.relative_to(REPO_ROOT)}",
        "",
        "Machine:",
        "",
        machine_markdown(info),
        "",
    ]
    report = "\n".join(lines)
    (RESULTS_DIR / f"memory_walk_{label}.md").write_text(report)
    print(report)
    under = peak["pss"].total("pss") < GOAL_MIB
    return 0 if all(done.status == "ok" for done in walked) and under else 1


if __name__ == "__main__":
    sys.exit(main())
