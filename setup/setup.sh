#!/usr/bin/env bash
# Set up the course in this checkout: .venv/ with the pinned packages, the Jupyter
# kernel "Python (Pyspark)", and a warm matplotlib font cache. Safe to run again: each
# step is skipped when it is already done, so a second run takes about a second.
#
#   bash setup/setup.sh            the learner's set-up (what `make setup` and `make lab` run)
#   bash setup/setup.sh --dev      the same plus the contributor's tools (`make test`)
#   PYTHON=python3.12 bash setup/setup.sh   to choose the interpreter for .venv/
#
# Packages are installed with uv (pinned below, installed into .venv/ by pip), which is
# much faster the first time (bench/README.md); pip takes over if uv fails.
set -euo pipefail

uv_version=0.13.8
requirements=requirements.txt
if [ "${1:-}" = "--dev" ]; then
    requirements=requirements-dev.txt
fi

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
venv="$repo_root/.venv"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "FAIL Python: no '$python' on PATH; install Python 3.11 or newer (or set PYTHON=...)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "FAIL Python: $("$python" --version 2>&1) is too old; the course needs 3.11 or newer (pyspark 4.3 does)" >&2
    exit 1
fi

# Java first: without it nothing else is worth installing, and Spark's own error
# for a missing Java is a long stack trace.
"$python" setup/check_setup.py --java >/dev/null || { "$python" setup/check_setup.py --java >&2; exit 1; }

# A set-up interrupted while it made .venv/ (Ctrl-C in its first seconds) leaves one without
# pip, on which every later step would fail: a .venv/ whose Python cannot import pip is made
# again. `python -m venv` installs pip last, so pip's presence says the folder is complete.
if [ -e "$venv" ] && ! "$venv/bin/python" -c 'import pip' >/dev/null 2>&1; then
    echo ".venv/ is incomplete (an interrupted set-up?): making it again"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "Creating .venv/ with $("$python" --version 2>&1)"
    "$python" -m venv "$venv" || {
        rm -rf "$venv"
        echo "FAIL Python: $python could not make .venv/ (see above; Debian/Ubuntu: sudo apt-get install python3-venv)" >&2
        exit 1
    }
fi

# Reinstall only when the requirement files changed since the last successful install.
# Each set has its own stamp, so `make lab` after `make test` installs nothing.
stamp="$venv/.${requirements%.txt}.sha256"
wanted="$(cat requirements.txt "$requirements" | "$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing the pinned packages of $requirements into .venv/ (a minute or two the first time)"
    # uv installs the same pins in about half of pip's time on a new machine
    # (bench/README.md); pip is the fallback when uv cannot be had or fails.
    if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version" &&
        "$venv/bin/uv" pip install --quiet --compile-bytecode --python "$venv/bin/python" -r "$requirements"; }; then
        echo "uv did not work here; installing with pip instead"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip ||
            echo "(pip could not upgrade itself; going on with the pip .venv/ has)"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" || {
            echo "FAIL Packages: the pinned packages of $requirements could not be installed (see above); check the network (or pip's index), then run make setup again; if it keeps failing, remove .venv/ (rm -rf .venv) first" >&2
            exit 1
        }
    fi
    echo "$wanted" >"$stamp"
fi

# The course's support modules (setup/, tools/, and notebooks/ for course_helpers) are
# importable by any Python of .venv/, so no script or test edits sys.path.
site_packages="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
course_paths="$(printf '%s\n' "$repo_root/setup" "$repo_root/tools" "$repo_root/notebooks")"
if [ "$(cat "$site_packages/course.pth" 2>/dev/null)" != "$course_paths" ]; then
    # Written whole, then moved: a Python starting meanwhile never reads half a file.
    printf '%s\n' "$course_paths" >"$site_packages/course.pth.new"
    mv "$site_packages/course.pth.new" "$site_packages/course.pth"
fi

# The kernel's folder (and the spark-env.sh that gives Spark started from any other Python
# of .venv/ the same settings) is rewritten only when it differs from what this checkout
# wants (a read-only checkout that is set up passes); the full check is the last step below.
"$venv/bin/python" setup/register_kernel.py --no-check >/dev/null
# The course's JupyterLab settings (no Jupyter news pop-up, closing a notebook shuts its
# kernel down, line numbers): setup/jupyterlab/overrides.json5, installed for .venv/ only;
# and matplotlib's font cache, built here (its first import says so on stderr), not in the
# middle of a notebook's stored output, where the lab's kernels will look for it.
"$venv/bin/python" setup/open_lab.py --prepare >/dev/null

"$venv/bin/python" setup/check_setup.py
