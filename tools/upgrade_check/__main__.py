"""Check the course against the newest releases of its pinned packages (`make upgrade-check`).

    python -m upgrade_check                               # every pin of requirements*.txt
    python -m upgrade_check --packages "numpy matplotlib" # only these; the rest keep pins

All it makes is in `.upgrade-check/` (git-ignored); `.venv/` and the notebooks are not touched.
uv chooses the newest versions (versions.py) and installs them into `.upgrade-check/venv`, with
the course kernel registered inside it (its Python, its Spark; each run sees only its own
environment's kernels, and that is checked). Every notebook runs in a fresh kernel on the
pinned `.venv/` (before) and in the scratch environment (after); then the unit tests and strict
nbval run there, and Spark starts once more in each environment with every JDK found (probe.py).
report.py compares it all with the stored outputs and the pinned run.

Exit status 0: the course passes unchanged (installed, unit tests and strict nbval passed, no
notebook error, no changed output, plots included); 1: it does not; 2: the check cannot start.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from nbval.plugin import get_sanitize_patterns

import course_facts
from course_facts import KERNEL_NAME, NBVAL_OPTIONS, REPO_ROOT, course_notebooks

from . import outputs, versions
from .report import NotebookRun, Result, TestRun, shown, verdict, write_report

PINNED = REPO_ROOT / ".venv"
FOLDER = REPO_ROOT / ".upgrade-check"
SCRATCH = FOLDER / "venv"
LOGS = FOLDER / "logs"
PROBE = Path(__file__).with_name("probe.py")
# Variables that would take a run off the course's default set-up (classic local Spark, the
# kernel's own Python for Spark's workers, the environment's own packages and kernels).
UNSET = {"SPARK_REMOTE", "PYSPARK_SUBMIT_ARGS", "PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON"}
UNSET |= {"SPARK_HOME", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX"}
UNSET |= {"JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_CONFIG_DIR", "JUPYTERLAB_DIR"}


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def environment_for(venv: Path, java_home: str | None = None) -> dict[str, str]:
    """os.environ for a run in `venv` only: its bin/ first, its Jupyter kernels, its Spark."""
    env = {key: value for key, value in os.environ.items() if key not in UNSET}
    others = {str(PINNED / "bin"), str(SCRATCH / "bin")}
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in others]
    env.update(PATH=os.pathsep.join([str(venv / "bin"), *path]), VIRTUAL_ENV=str(venv))
    env.update(JUPYTER_PATH=str(venv / "share" / "jupyter"), JUPYTER_PREFER_ENV_PATH="1")
    for spark_home in venv.glob("lib/python*/site-packages/pyspark"):
        env["SPARK_HOME"] = str(spark_home)
    if java_home:
        env["JAVA_HOME"] = java_home
    return env


def run(command: list[str], name: str, env=None, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    """Run a command; its output is returned and kept in .upgrade-check/logs/NAME.log."""
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    (LOGS / f"{name}.log").write_text(
        f"$ {' '.join(command)}\n{done.stdout}\n--- stderr ---\n{done.stderr}\n"
        f"--- exit {done.returncode} ---\n"
    )
    return done


def choose(packages: str, result: Result) -> str:
    """The package table, and uv's choice written as the scratch environment's requirements
    (every package, dependencies too). Returns a usage error, or ''."""
    pins = versions.read_pins(REPO_ROOT / "requirements-dev.txt")  # it includes the learner's
    chosen = {versions.normalise(name) for name in re.split(r"[\s,]+", packages) if name} or None
    if unknown := (chosen or set()) - {pin.key for pin in pins}:
        known = ", ".join(pin.name for pin in pins)
        return f"not pinned in requirements*.txt: {', '.join(sorted(unknown))} (pinned: {known})"
    log("uv: the newest versions" + (f" of {packages}" if chosen else ""))
    here = ("--python", sys.executable)
    lock, result.resolve_error = versions.uv_compile(versions.loosened(pins, chosen), *here)
    names = "".join(f"{pin.name}\n" for pin in pins if chosen is None or pin.key in chosen)
    newest = versions.uv_compile(names, "--no-deps", "--python-version", versions.ANY_PYTHON)
    alone = versions.uv_compile(names, "--no-deps", *here)
    versions.fill(pins, chosen, newest[0], alone[0], lock, result.python)
    result.rows = pins
    for row in pins:
        log(f"  {row.name}: {row.version} -> {row.checked or '-'} ({row.note})")
    (FOLDER / "requirements.txt").write_text("".join(f"{n}=={v}\n" for n, v in lock.items()))
    return ""


def build(result: Result) -> None:
    """The scratch venv, with uv's choice installed and the course kernel registered in it."""
    python = str(SCRATCH / "bin" / "python")
    steps = {
        "venv": [getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(SCRATCH)],
        "install": [str(versions.UV), "pip", "install", "--python", python, "-r"]
        + [str(FOLDER / "requirements.txt")],
        "kernel": [python, "setup/register_kernel.py", "--no-check"],  # and its spark-env.sh
        # The course's JupyterLab settings, and matplotlib's font cache built now, not in a
        # notebook's output, as setup/setup.sh does.
        "lab": [python, "setup/open_lab.py", "--prepare"],
    }
    log("building .upgrade-check/venv with uv")
    for name, command in steps.items():
        if (done := run(command, name, environment_for(SCRATCH))).returncode != 0:
            tail = " / ".join((done.stderr or done.stdout).strip().splitlines()[-4:])
            result.install = f"{name} failed: {shown(tail)}"
            return
    # setup/setup.sh's course.pth: the course's modules importable, as in `.venv/`.
    for pth in PINNED.glob("lib/python*/site-packages/course.pth"):
        shutil.copy(pth, next(SCRATCH.glob("lib/python*/site-packages")))
    result.install = "installed with uv from `.upgrade-check/requirements.txt`"
    for name, venv in (("after", SCRATCH), ("before", PINNED)):
        own, result.kernels[name] = resolved_kernel(venv)
        if not own:
            result.install = f"not used: the {name} run would start another kernel"


def resolved_kernel(venv: Path) -> tuple[bool, str]:
    """Which kernel "pyspark" a Jupyter of `venv` starts, and whether it is that venv's own:
    its folder, its Python and its Spark."""
    code = (
        "import json; from jupyter_client.kernelspec import KernelSpecManager as K;"
        f"s = K().get_kernel_spec({KERNEL_NAME!r});"
        "print(json.dumps([s.resource_dir, s.argv[0], s.env.get('SPARK_HOME', '')]))"
    )
    python, env = str(venv / "bin" / "python"), environment_for(venv)
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return False, "not found: " + shown(done.stderr.strip()[-200:])
    paths = json.loads(done.stdout)
    own = all(Path(path).is_relative_to(venv) for path in paths)
    return own, shown("`{}`, Python `{}`, SPARK_HOME `{}`".format(*paths))


def execute(venv: Path, out: Path, notebooks: list[Path]) -> dict[str, NotebookRun]:
    """Run each notebook in a fresh kernel of `venv`, every cell even after an error; the
    executed copies and each run's stderr (the kernel's, Spark's log) are kept in `out`."""
    runs = {}
    for path in notebooks:
        command = [str(venv / "bin" / "python"), "-m", "nbconvert", "--to=notebook", "--execute"]
        command += ["--allow-errors", "--log-level=WARN", f"--output-dir={out}", str(path)]
        command += [
            f"--ExecutePreprocessor.{key}" for key in (f"kernel_name={KERNEL_NAME}", "timeout=900")
        ]
        # The notebook as this run found it: others may edit the checkout during the check.
        (out / f"{path.stem}.stored").write_text(path.read_text())
        started = time.perf_counter()
        done = subprocess.run(command, env=environment_for(venv), capture_output=True, text=True)
        (out / f"{path.stem}.stderr").write_text(done.stderr)
        run = runs[path.name] = NotebookRun(time.perf_counter() - started)
        if done.returncode != 0:
            run.seconds, run.status = None, "did not run: " + shown(done.stderr.strip()[-160:])
        else:
            run.errors = outputs.cell_errors(json.loads((out / path.name).read_text()))
        log(f"  {path.name}: {run.status}, {run.seconds or 0:.0f} s, {len(run.errors)} error(s)")
    return runs


def pytest(name: str, shown_as: str, arguments: list[str]) -> TestRun:
    """A pytest run in the scratch environment."""
    log(f"{shown_as} in the scratch environment")
    command = [str(SCRATCH / "bin" / "python"), "-m", "pytest", *arguments, "-q", "-rfE"]
    done = run([*command, "--color=no"], name, environment_for(SCRATCH))
    closing, failures = outputs.pytest_outcome(done.stdout)
    log(f"  {closing}")
    return TestRun(shown_as, done.returncode, closing, failures)


def default_java() -> str | None:
    """The java Spark's launcher takes here (JAVA_HOME, else PATH), as the set-up check finds it."""
    import check_setup

    return check_setup.find_java(os.environ)[0]


def jdks() -> list[tuple[str, str | None]]:
    """(`java -version`'s first line, JAVA_HOME) of the default Java (its home None) and of
    every JDK installed beside it (the other folders of its parent that hold bin/java)."""

    def version(java: Path | str) -> str:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True)
        return (done.stderr.strip().splitlines() or ["unknown Java"])[0]

    if not (java := default_java()):
        return [("no Java found (default)", None)]
    home = Path(java).resolve().parent.parent
    others = dict.fromkeys(p.resolve() for p in sorted(home.parent.iterdir()))
    found = [
        (version(o / "bin" / "java"), str(o))
        for o in others
        if o != home and (o / "bin" / "java").is_file()
    ]
    return [(f"{version(java)} (default)", None), *found]


def probes(result: Result) -> None:
    """Spark with the course's configuration at log level WARN, per JDK and environment."""
    conf = FOLDER / "probe-conf"
    conf.mkdir(exist_ok=True)
    shutil.copy(REPO_ROOT / "spark-defaults.conf", conf)
    text = (REPO_ROOT / "log4j.properties").read_text()
    text = re.sub(r"(?m)^property\.level\s*=.*$", "property.level = warn", text)
    (conf / "log4j.properties").write_text(text)
    settings = course_facts.read_spark_defaults(conf / "spark-defaults.conf")
    for number, (java, home) in enumerate(jdks()):
        found, stderr = {"java": java, "default": home is None}, {}
        for side, venv in (("before", PINNED), ("after", SCRATCH)):
            env = environment_for(venv, home) | {"SPARK_CONF_DIR": str(conf)}
            out = LOGS / f"probe-{number}-{side}.json"
            # Log4j reads -Dlog4j2.configurationFile=log4j.properties in the working folder
            # first: run where only the probe's copy is.
            command = [str(venv / "bin" / "python"), str(PROBE), str(out), *settings]
            stderr[side] = run(command, out.stem, env, cwd=conf).stderr
            got = json.loads(out.read_text()) if out.exists() else {"error": "no result"}
            found |= got if side == "after" else {}  # the scratch environment's details
            found[side] = state(got)
        for key in found.get("keys", []):
            key["value"] = settings[key["key"]]
        found["notable"] = outputs.notable_lines(stderr["after"], settings)
        found["new_lines"] = outputs.new_log_lines(stderr["before"], stderr["after"])
        result.probes.append(found)
        log(f"  {java}: {found['before']} (pinned), {found['after']} (scratch)")


def state(probe: dict) -> str:
    if probe.get("ok"):
        return f"accepted (Java {probe['java_version']}, Spark {probe['spark_version']})"
    return f"FAILED: {probe.get('error', '?')}"


def compare_all(result: Result, notebooks: list[Path]) -> None:
    """Each run's outputs against the stored ones (as the run found them); the pinned run's
    too, so that a change the upgrade did not cause can be marked as such."""
    sanitize = next(o for o in NBVAL_OPTIONS if o.startswith("--nbval-sanitize-with="))
    patterns = get_sanitize_patterns(Path(sanitize.split("=", 1)[1]).read_text())
    for path in notebooks:
        runs = {side: FOLDER / side / path.stem for side in ("before", "after")}
        runs = {side: run for side, run in runs.items() if run.with_suffix(".ipynb").exists()}
        found = {
            side: [json.loads(run.with_suffix(s).read_text()) for s in (".stored", ".ipynb")]
            for side, run in runs.items()
        }
        if "after" not in found:
            continue
        result.changes[path.name] = outputs.compare(*found["after"], patterns)
        result.cell_warnings[path.name] = outputs.new_stderr_lines(*found["after"], patterns)
        if "before" in found:
            changed = outputs.compare(*found["before"], patterns)
            result.also_before[path.name] = {change.cell for change in changed}
            before, after = (run.with_suffix(".stderr").read_text() for run in runs.values())
            result.kernel_warnings[path.name] = outputs.new_log_lines(before, after)
            if found["before"][0] != found["after"][0]:
                result.notes.append(f"{path.name} was edited between the two runs.")


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
    FOLDER.mkdir(exist_ok=True)
    if error := choose(args.packages, result):
        print(error)
        return 2
    for old in ("before", "after", "logs", "venv"):
        shutil.rmtree(FOLDER / old, ignore_errors=True)
    for new in ("before", "after", "logs"):
        (FOLDER / new).mkdir()
    result.install = "not tried: uv found no newest versions"
    if not result.resolve_error:
        build(result)
    if result.installed:
        log("every notebook on the pinned .venv/ (before), then in the scratch environment")
        notebooks = course_notebooks()
        result.before = execute(PINNED, FOLDER / "before", notebooks)
        result.after = execute(SCRATCH, FOLDER / "after", notebooks)
        result.unit = pytest("unit", 'pytest -m "not slow" tests', ["-m", "not slow", "tests"])
        nbval = ["notebooks", *NBVAL_OPTIONS]
        result.nbval = pytest("nbval", shown("pytest " + " ".join(nbval)), nbval)
        log("Spark probes: the configuration at log level WARN, on every JDK found")
        probes(result)
        compare_all(result, notebooks)
    result.notes += [
        f"Python {python}; default Java: {jdks()[0][0].removesuffix(' (default)')};"
        f" {os.cpu_count()} cores.",
        "Logs of every step: `.upgrade-check/logs/`; executed copies of the notebooks and each"
        " kernel's stderr: `.upgrade-check/before/` and `.upgrade-check/after/`.",
        f"The whole check took {(time.perf_counter() - started) / 60:.1f} min.",
    ]
    args.report.write_text(shown(write_report(result)))
    reasons = verdict(result)
    log(f"report: {shown(str(args.report))}")
    print("FAIL: " + "; ".join(reasons) if reasons else "PASS: the course passes unchanged")
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
