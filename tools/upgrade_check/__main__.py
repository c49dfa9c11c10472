"""Check the course against the newest releases of its pinned packages (`make upgrade-check`).

    python -m upgrade_check                               # every pin of requirements*.txt
    python -m upgrade_check --packages "numpy matplotlib" # only these; the rest keep pins

In `.upgrade-check/` only: uv installs the newest versions into `venv/`, with the course kernel
registered there (its own, checked). There run the unit tests, strict nbval once (inside.py
compares each cell with its stored outputs, which CI proves are what the pins give), and Spark
with every JDK found (inside.py too); report.py writes `report.md`. Exit status 0: the course
passes unchanged; 1: it does not; 2: the check cannot start.
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from subprocess import DEVNULL

import course_facts
from course_facts import NBVAL_OPTIONS, REPO_ROOT

from . import report
from .report import Result, shown

PINNED, FOLDER = REPO_ROOT / ".venv", REPO_ROOT / ".upgrade-check"
SCRATCH, LOGS, CHOICE = FOLDER / "venv", FOLDER / "logs", FOLDER / "requirements.txt"
UV = Path(sys.executable).parent / "uv"  # setup/setup.sh installs it into .venv/
ANY_PYTHON = "3.99"  # newer than any release: resolving for it gives the newest of all
# Variables that would take a run off the course's default set-up (classic local Spark, the
# kernel's own Python for Spark's workers, the environment's own packages and kernels).
UNSET = {"SPARK_REMOTE", "PYSPARK_SUBMIT_ARGS", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"}
UNSET |= {"SPARK_HOME", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX"}
UNSET |= {"JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_DIR"}


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def environment_for(venv: Path, **extra: str) -> dict[str, str]:
    """os.environ for a run in `venv` only: its bin/ first, its Jupyter kernels, its Spark."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    others = {str(PINNED / "bin"), str(SCRATCH / "bin")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in others]
    env.update(PATH=os.pathsep.join([str(venv / "bin"), *path]), VIRTUAL_ENV=str(venv))
    env.update(JUPYTER_PATH=str(venv / "share" / "jupyter"), JUPYTER_PREFER_ENV_PATH="1")
    for spark_home in venv.glob("lib/python*/site-packages/pyspark"):
        env["SPARK_HOME"] = str(spark_home)
    return env | extra


def run(command: list[str], name: str, cwd=REPO_ROOT, **extra: str) -> subprocess.CompletedProcess:
    """A command in the scratch environment; its output is kept in .upgrade-check/logs/NAME.log."""
    env = environment_for(SCRATCH, **extra)
    done = subprocess.run(command, cwd=cwd, env=env, stdin=DEVNULL, capture_output=True, text=True)
    kept = f"{done.stdout}\n--- stderr ---\n{done.stderr}\n--- exit {done.returncode} ---\n"
    (LOGS / f"{name}.log").write_text(f"$ {shlex.join(command)}\n{kept}")
    return done


def uv_compile(requirements: str, *options: str) -> tuple[dict[str, str], str]:
    """uv's newest versions for `requirements` as {name: version}, or ({}, uv's error)."""
    command = [str(UV), "pip", "compile", "-", "--upgrade", "--quiet", "--no-header", *options]
    done = subprocess.run(command, input=requirements, capture_output=True, text=True)
    found = {report.normalise(name): version for name, version in report.PIN.findall(done.stdout)}
    return (found, "") if done.returncode == 0 else ({}, " ".join(done.stderr.split())[-400:])


def install(result: Result, chosen: set[str] | None) -> str:
    """uv's choice (every package, dependencies too) in the scratch venv, with the course
    kernel registered there, which must be the kernel a Jupyter of that venv starts. Returns
    "installed ..." or why not."""
    here, pins, python = ("--python", sys.executable), result.rows, str(SCRATCH / "bin" / "python")
    lock, error = uv_compile(report.loosened(pins, chosen), *here)
    names = "".join(f"{pin.name}\n" for pin in pins if chosen is None or pin.key in chosen)
    newest = uv_compile(names, "--no-deps", "--python-version", ANY_PYTHON)[0]
    report.fill(pins, chosen, newest, uv_compile(names, "--no-deps", *here)[0], lock, result.python)
    for row in pins:
        log(f"  {row.name}: {row.version} -> {row.checked} ({row.note})")
    if error:
        return f"uv found no newest versions: {error}"
    CHOICE.write_text("".join(f"{name}=={version}\n" for name, version in lock.items()))
    log("building .upgrade-check/venv with uv")
    spec = "from jupyter_client.kernelspec import KernelSpecManager as K; s = K().get_kernel_spec"
    spec += f"({course_facts.KERNEL_NAME!r})"
    steps = {
        "venv": [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(SCRATCH)],
        "install": [str(UV), "pip", "install", "--python", python, "-r", str(CHOICE)],
        "kernel": [python, "setup/register_kernel.py", "--no-check"],  # and its spark-env.sh
        # The course's JupyterLab settings and matplotlib's font cache, as setup/setup.sh
        "lab": [python, "setup/open_lab.py", "--prepare"],
        "kernelspec": [
            python,
            "-c",
            f"{spec}; print(s.resource_dir, s.argv[0], s.env.get('SPARK_HOME'), sep='\\n')",
        ],
    }
    for name, command in steps.items():
        if (done := run(command, name)).returncode != 0:
            return f"{name} failed: " + " / ".join((done.stderr or done.stdout).splitlines()[-4:])
        for pth in PINNED.glob("lib/python*/site-packages/course.pth") if name == "install" else []:
            shutil.copy(pth, next(SCRATCH.glob("lib/python*/site-packages")))  # setup.sh's
    paths = (done.stdout.splitlines() + ["?"] * 3)[:3]
    result.notes.append("Kernel `pyspark`: `{}`, Python `{}`, SPARK_HOME `{}`.".format(*paths))
    if not all(Path(path).is_relative_to(SCRATCH) for path in paths):
        return "not used: its kernel `pyspark` is not its own (see How it ran)"
    return "installed with uv from `.upgrade-check/requirements.txt`"


def jdks() -> list[tuple[str, str | None]]:
    """(`java -version`'s first line, JAVA_HOME) of the default Java as the set-up check finds
    it (its home None), and of every other JDK beside it."""
    from check_setup import find_java

    def version(java) -> str:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True)
        return (done.stderr.strip().splitlines() or ["unknown Java"])[0]

    if not (java := find_java(os.environ)[0]):
        return [("no Java found (default)", None)]
    home = Path(java).resolve().parent.parent
    others = sorted({p.resolve().parent.parent for p in home.parent.glob("*/bin/java")} - {home})
    return [
        (f"{version(java)} (default)", None),
        *[(version(p / "bin/java"), str(p)) for p in others],
    ]


def probes(result: Result) -> None:
    """Spark with the course's configuration at log level WARN, per JDK, in the scratch env.
    Log4j reads -Dlog4j2.configurationFile=log4j.properties in the working folder first: the
    probe runs where only its copy is."""
    conf = FOLDER / "probe-conf"
    conf.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "spark-defaults.conf", conf)
    text = (REPO_ROOT / "log4j.properties").read_text()
    text = re.sub(r"(?m)^property\.level\s*=.*$", "property.level = warn", text)
    (conf / "log4j.properties").write_text(text)
    keys = course_facts.read_spark_defaults(conf / "spark-defaults.conf")
    for number, (java, home) in enumerate(jdks()):
        out, java_home = LOGS / f"probe-{number}.json", {"JAVA_HOME": home} if home else {}
        command = [str(SCRATCH / "bin" / "python"), "-m", "upgrade_check.inside", str(out)]
        done = run(command, out.stem, conf, SPARK_CONF_DIR=str(conf), **java_home)
        found = json.loads(out.read_text()) if out.exists() else {"error": "no result"}
        notable = report.notable_lines(done.stderr, keys)
        result.probes.append(found | {"jdk": java, "notable": notable})
        log(f"  {java}: {'accepted' if found.get('ok') else 'FAILED'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser("python -m upgrade_check", description=__doc__.split("\n")[0])
    parser.add_argument("--packages", default="", help='only these, e.g. "numpy matplotlib"')
    parser.add_argument("--report", type=Path, default=FOLDER / "report.md", help="report.md")
    args = parser.parse_args(argv)
    if not (PINNED / "bin" / "python").exists():
        print("no .venv/: run `make setup-dev` first")
        return 2
    started, python = time.perf_counter(), platform.python_version()
    result = Result(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", python.rsplit(".", 1)[0])
    result.rows = report.read_pins(REPO_ROOT / "requirements-dev.txt")  # it includes the learner's
    chosen = {report.normalise(name) for name in re.split(r"[\s,]+", args.packages) if name} or None
    if unknown := (chosen or set()) - {row.key for row in result.rows}:
        known = ", ".join(row.name for row in result.rows)
        print(f"not pinned in requirements*.txt: {', '.join(sorted(unknown))} (pinned: {known})")
        return 2
    for old in ("before", "after", "logs", "venv"):  # before, after: of older checks
        shutil.rmtree(FOLDER / old, ignore_errors=True)
    LOGS.mkdir(parents=True)
    (found := FOLDER / "notebooks.json").unlink(missing_ok=True)
    log("uv: the newest versions" + (f" of {args.packages}" if chosen else ""))
    result.install = shown(install(result, chosen))
    nbval = ["-p", "upgrade_check.inside", "notebooks", *NBVAL_OPTIONS]  # inside.py compares
    tests = {"unit tests": ["-m", "not slow", "tests"], "strict nbval": nbval}
    for label, arguments in tests.items() if result.install.startswith("installed") else []:
        command = shown(shlex.join(["pytest", *arguments]))
        log(f"{command} in the scratch environment")
        python_m = [str(SCRATCH / "bin" / "python"), "-m", "pytest", *arguments, "-q", "-rfE"]
        done = run([*python_m, "--color=no"], label, UPGRADE_CHECK_RUNS=str(found))
        result.tests[label] = report.pytest_outcome(command, done.returncode, done.stdout)
        log(f"  {result.tests[label]['closing']}")
    if result.tests:
        result.notebooks = json.loads(found.read_text()) if found.exists() else {}
        for path in course_facts.course_notebooks():  # no finding of inside.py: not passed
            unrun = dict(seconds=0, errors=["not run by nbval"], changes=[], warnings=[])
            result.notebooks.setdefault(path.name, unrun)
        log("Spark probes: the configuration at log level WARN, on every JDK found")
        probes(result)
    result.notes += [
        f"Python {python}; default Java: {jdks()[0][0].removesuffix(' (default)')};"
        f" {os.cpu_count()} cores.",
        "Logs of every step: `.upgrade-check/logs/`; inside.py's findings: `notebooks.json`.",
        f"The whole check took {(time.perf_counter() - started) / 60:.1f} min.",
    ]
    args.report.write_text(shown(report.write_report(result)))
    reasons = report.verdict(result)
    log(f"report: {shown(str(args.report))}")
    print("FAIL: " + "; ".join(reasons) if reasons else "PASS: the course passes unchanged")
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
