"""Re-run notebooks in a fresh "Python (Pyspark)" kernel and store their outputs.

    python tools/execute_notebooks.py                      # every notebook
    python tools/execute_notebooks.py notebooks/01_*.ipynb # some of them

This is how the stored outputs are made after a notebook is edited; the tests then
check, with strict nbval, that a fresh run reproduces them exactly.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME, course_notebooks

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"


def merge_streams(notebook: nbformat.NotebookNode) -> None:
    """Join consecutive stdout (or stderr) pieces of a cell into one output.

    How a cell's printing is cut into messages depends on timing, so without this the
    saved file would differ between runs even when the text is the same.
    """
    for cell in notebook.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            if (
                output.output_type == "stream"
                and previous is not None
                and previous.output_type == "stream"
                and previous.name == output.name
            ):
                previous.text += output.text
            else:
                merged.append(output)
        if cell.cell_type == "code":
            cell.outputs = merged


def execute(path: Path, timeout: int = 900) -> float:
    """Run one notebook top to bottom in its own folder and save it; return seconds."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    merge_streams(notebook)
    notebook.metadata["kernelspec"] = {
        "name": KERNEL_NAME,
        "display_name": KERNEL_DISPLAY_NAME,
        "language": "python",
    }
    nbformat.write(notebook, path)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Re-run notebooks and store their outputs.")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or course_notebooks()
    for path in paths:
        seconds = execute(path.resolve())
        print(f"{path.name}: executed in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
