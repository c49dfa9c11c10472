"""Start the course's JupyterLab: notebook 00 first, "Python (Pyspark)" as the default kernel.

    .venv/bin/python setup/open_lab.py                        what `make lab` runs
    .venv/bin/python setup/open_lab.py --no-browser --port=0  what `make test-ui` runs (a free port)
    .venv/bin/python setup/open_lab.py --install-settings     only install the lab's settings
    .venv/bin/python setup/open_lab.py --prepare              the settings and matplotlib's font
                                                         cache (what `make setup` runs)
    .venv/bin/python setup/open_lab.py --print-command        show the `jupyter lab` command

Arguments other than these are passed on to `jupyter lab` (tests/lab_runner.py starts this
script in the background for the browser tests and bench/memory_walk.py). The lab:

- listens on 127.0.0.1 only and asks for the login token (Jupyter's default), which the
  URL it prints carries;
- lands on notebooks/00_setup_check.ipynb: `LabApp.default_url` makes the printed URL
  (not only a browser that Jupyter opens itself) open notebook 00, which matters over SSH,
  in a container, or on a machine with no default browser;
- makes "Python (Pyspark)" the default kernel (`MappingKernelManager.default_kernel_name`):
  the Launcher lists it first, and a notebook made there gets the course's Spark settings;
- serves the repository root, whatever folder the command was started from;
- adds `--allow-root` only when run as root (a container), as Jupyter refuses root otherwise;
- first installs the course's JupyterLab settings (setup/jupyterlab/overrides.json5: no
  Jupyter news pop-up, closing a notebook shuts its kernel down, line numbers) into this
  environment's JupyterLab, when they are not already there;
- works with a home folder that cannot be written (a read-only or full home, a container):
  Jupyter, IPython and matplotlib then keep their files in the checkout's ignored
  .scratch/home/ instead (`home_redirects()`), and the lab says so in one line; when the
  checkout cannot be written either, it says in one line what to do instead of starting.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_facts import KERNEL_NAME, LANDING_NOTEBOOK

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = REPO_ROOT / "setup" / "jupyterlab" / "overrides.json5"
# overrides.d/ is JupyterLab's folder for settings that packages ship; the user's own
# overrides.json in the same folder is read after it and wins.
SETTINGS_NAME = "pyspark-course.json5"
# Where the lab keeps its runtime files when the home folder cannot be written.
HOME_STANDIN = REPO_ROOT / ".scratch" / "home"


def writable(folder: Path) -> bool:
    """Whether `folder` can be written, or made: its nearest existing folder can be written."""
    folder = Path(folder).absolute()
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK)


def home_folders() -> dict[str, list[Path]]:
    """What the lab and its kernels write, by the variable that moves it: Jupyter's runtime
    files (connection files, the server's cookie secret), data and configuration (where
    JupyterLab keeps its workspaces and settings, and Jupyter notes a migration from older
    IPython), IPython's profile and history, matplotlib's font cache."""
    from jupyter_core import paths

    home = Path.home()
    env = os.environ
    config = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    matplotlib = [home / ".matplotlib"] if sys.platform == "darwin" else [config, cache]
    return {
        "JUPYTER_RUNTIME_DIR": [Path(paths.jupyter_runtime_dir())],
        "JUPYTER_DATA_DIR": [Path(paths.jupyter_data_dir())],
        "JUPYTER_CONFIG_DIR": [Path(paths.jupyter_config_dir())],
        "IPYTHONDIR": [Path(env.get("IPYTHONDIR") or home / ".ipython")],
        "MPLCONFIGDIR": [Path(env["MPLCONFIGDIR"])] if env.get("MPLCONFIGDIR") else matplotlib,
    }


def unwritable_home() -> Path | None:
    """The first folder under the home folder that the lab would need and cannot write."""
    for folders in home_folders().values():
        for folder in folders:
            if not writable(folder):
                return folder
    return None


def home_redirects() -> tuple[dict[str, str], str | None]:
    """Variables that move what cannot be written under the home folder into .scratch/home/,
    and, when that is not possible either, what to do (one line) instead."""
    moved: dict[str, str] = {}
    for variable, folders in home_folders().items():
        blocked = next((folder for folder in folders if not writable(folder)), None)
        if blocked is None:
            continue
        if os.environ.get(variable):
            return moved, (
                f"{variable}={os.environ[variable]} cannot be written; unset it or point it at "
                "a folder you can write to, then start the lab again"
            )
        if not writable(HOME_STANDIN):
            return moved, (
                f"{blocked} cannot be written (a read-only home folder?), nor can this "
                f"checkout's {HOME_STANDIN.parent}; start the lab with a home you can write "
                "to, e.g. `HOME=$(mktemp -d) make lab`"
            )
        moved[variable] = str(HOME_STANDIN / variable.lower())
    return moved, None


def settings_target() -> Path:
    """Where this environment's JupyterLab reads packaged settings overrides."""
    from jupyterlab.commands import get_app_dir

    return Path(get_app_dir()) / "settings" / "overrides.d" / SETTINGS_NAME


def install_settings(target: Path | None = None) -> bool:
    """Copy the course's settings overrides into place; True when the file was (re)written."""
    target = target or settings_target()
    if target.exists() and filecmp.cmp(SETTINGS_SOURCE, target, shallow=False):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SETTINGS_SOURCE, target)
    target.chmod(0o644)
    return True


def lab_command(
    extra: list[str], python: str = sys.executable, as_root: bool | None = None
) -> list[str]:
    """The `jupyter lab` command line of the course's lab."""
    if as_root is None:
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    command = [
        python,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={REPO_ROOT}",
        f"--LabApp.default_url=/lab/tree/{LANDING_NOTEBOOK}",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
    ]
    if as_root:
        command.append("--allow-root")
    return command + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Any other argument is passed on to `jupyter lab`.",
        allow_abbrev=False,  # so that no `jupyter lab` option is taken for one of these
    )
    parser.add_argument(
        "--install-settings",
        action="store_true",
        help="install the course's JupyterLab settings and exit",
    )
    parser.add_argument(
        "--print-command", action="store_true", help="print the `jupyter lab` command and exit"
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="install the settings and build matplotlib's font cache where the lab's "
        "kernels will look for it, then exit (what `make setup` runs)",
    )
    args, extra = parser.parse_known_args(argv)
    command = lab_command(extra)
    if args.print_command:
        print(" ".join(command))
        return 0
    launch = not (args.install_settings or args.prepare)
    moved, problem = home_redirects()
    if problem and launch:  # (the set-up's check says the same line)
        print(f"FAIL Lab: {problem}", file=sys.stderr)
        return 1
    if moved:
        if launch:
            print(
                f"note: your home folder cannot be written ({unwritable_home()}); the lab keeps "
                f"its files in {HOME_STANDIN} instead",
                file=sys.stderr,
            )
        os.environ.update(moved)
    if args.prepare:
        # The first matplotlib import builds a font cache and says so on stderr: do it
        # now, not in the middle of a notebook's stored output.
        subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], capture_output=True)
    try:
        written = install_settings()
    except OSError as error:  # a read-only environment: the lab still works without them
        print(f"note: could not install the course's JupyterLab settings: {error}", file=sys.stderr)
        written = False
    if not launch:
        if written:
            print(f"JupyterLab settings installed in {settings_target()}")
        return 0
    sys.stdout.flush()
    if os.name == "nt":  # no exec on Windows: wait for the lab instead
        return subprocess.call(command)
    os.execv(command[0], command)  # the lab replaces this process: Ctrl-C reaches it directly
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
