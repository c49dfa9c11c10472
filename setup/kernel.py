"""Register the Jupyter kernel "Python (Pyspark)" for this checkout.

The kernel carries the course's Spark set-up in its environment, so a notebook only
calls ``SparkSession.builder.getOrCreate()``:

- ``SPARK_CONF_DIR`` points at the repository root, where Spark finds
  ``spark-defaults.conf`` (and, through it, ``log4j.properties``);
- ``SPARK_LOCAL_IP=127.0.0.1`` keeps the driver and the Spark UI on loopback;
- ``PYSPARK_PYTHON`` makes Spark's Python workers use this same interpreter.

Variables the learner sets before starting Jupyter (``PYSPARK_SUBMIT_ARGS``,
``SPARK_REMOTE``) pass through untouched, so they still choose where Spark runs.

The JVM writes a few lines straight to the process's stderr that no logging level
reaches (the "Using incubator modules" notice, for one). ``capture_fd_output=False``
sends that raw stream to the terminal that started Jupyter instead of into cell
outputs; Spark errors still reach the notebook as Python exceptions.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

KERNEL_NAME = "pyspark"
DISPLAY_NAME = "Python (Pyspark)"
REPO_ROOT = Path(__file__).resolve().parent.parent


def kernel_spec(python: str = sys.executable, repo_root: Path = REPO_ROOT) -> dict:
    """The kernel.json this checkout needs."""
    return {
        "argv": [
            python,
            "-m",
            "ipykernel_launcher",
            "-f",
            "{connection_file}",
            "--IPKernelApp.capture_fd_output=False",
        ],
        "display_name": DISPLAY_NAME,
        "language": "python",
        "env": {
            "SPARK_CONF_DIR": str(repo_root),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "PYSPARK_PYTHON": python,
        },
        "metadata": {"debugger": True},
    }


def install(user: bool = False) -> str:
    """Install the kernel into this Python's prefix (or the user's Jupyter folder)."""
    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "kernel.json").write_text(json.dumps(kernel_spec(), indent=2) + "\n")
        return KernelSpecManager().install_kernel_spec(
            folder,
            kernel_name=KERNEL_NAME,
            user=user,
            prefix=None if user else sys.prefix,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--user",
        action="store_true",
        help="install for every Jupyter of this user instead of only this environment",
    )
    args = parser.parse_args()
    where = install(user=args.user)
    print(f'kernel "{DISPLAY_NAME}" ({KERNEL_NAME}) installed in {where}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
