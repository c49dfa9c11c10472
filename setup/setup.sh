#!/usr/bin/env bash
# Set up the course in this checkout: .venv/ with the pinned packages, the Jupyter
# kernel "Python (Pyspark)", and a warm matplotlib font cache. Safe to run again: each
# step is skipped when it is already done, so a second run takes about a second.
#
#   bash setup/setup.sh            (what `make setup`, `make lab` and `make test` run)
#   PYTHON=python3.12 bash setup/setup.sh   to choose the interpreter for .venv/
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
venv="$repo_root/.venv"
python="${PYTHON:-python3}"

if ! command -v "$python" >/dev/null 2>&1; then
    echo "FAIL Python: no '$python' on PATH; install Python 3.10 or newer (or set PYTHON=...)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "FAIL Python: $("$python" --version 2>&1) is too old; the course needs 3.10 or newer" >&2
    exit 1
fi

# Java first: without it nothing else is worth installing, and Spark's own error
# for a missing Java is a long stack trace.
"$python" setup/check.py --java >/dev/null || { "$python" setup/check.py --java >&2; exit 1; }

if [ ! -x "$venv/bin/python" ]; then
    echo "Creating .venv/ with $("$python" --version 2>&1)"
    "$python" -m venv "$venv"
fi

# Reinstall only when requirements.txt changed since the last successful install.
stamp="$venv/.requirements.sha256"
wanted="$("$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' requirements.txt)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing the pinned packages into .venv/ (a few minutes the first time)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt
    echo "$wanted" >"$stamp"
fi

# The kernel's folder is rewritten only when it differs from what this checkout wants
# (a read-only checkout that is set up passes); the full check is the last step below.
"$venv/bin/python" setup/kernel.py --no-check >/dev/null
# The course's JupyterLab settings (no Jupyter news pop-up, closing a notebook shuts its
# kernel down, line numbers): setup/jupyterlab/overrides.json5, installed for .venv/ only.
"$venv/bin/python" setup/lab.py --install-settings >/dev/null
# The first matplotlib import builds a font cache and says so on stderr; do it here,
# not in the middle of a notebook's stored output.
"$venv/bin/python" -c 'import matplotlib.pyplot' 2>/dev/null

"$venv/bin/python" setup/check.py
