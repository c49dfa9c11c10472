"""Where a notebook's time goes: the wall time of each code cell, slowest first.

    python bench/cell_times.py notebooks/04_kmeans.ipynb
    python bench/cell_times.py notebooks/0*.ipynb --top 5
    python bench/cell_times.py notebooks/05_recommenders.ipynb --sections   # per section
    SPARK_REMOTE=sc://127.0.0.1:15002 python bench/cell_times.py ...   # through Connect

Each notebook runs once in a fresh "Python (Pyspark)" kernel (the file is never written);
the time of a cell is from the kernel starting to execute it to its reply, as nbclient
records them. Prints the kernel start, the sum of the cells and the slowest cells with
their first line, or with --sections the time of each section (the code cells under each
`## ` heading), which is what a section added to a notebook costs. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from benchlib import REPO_ROOT
from nbclient import NotebookClient

from course_facts import KERNEL_NAME


def cell_seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.metadata.get("execution", {})
    started = timing.get("iopub.execute_input")
    ended = timing.get("shell.execute_reply")
    if not (started and ended):
        return 0.0
    parse = datetime.fromisoformat
    return (
        parse(ended.replace("Z", "+00:00")) - parse(started.replace("Z", "+00:00"))
    ).total_seconds()


def section_seconds(cells: list[nbformat.NotebookNode]) -> list[tuple[str, float]]:
    """The summed time of the code cells under each `## ` heading, in notebook order."""
    sections: list[tuple[str, float]] = [("(before the first section)", 0.0)]
    for cell in cells:
        if cell.cell_type == "markdown" and cell.source.startswith("## "):
            sections.append((cell.source.splitlines()[0][3:], 0.0))
        elif cell.cell_type == "code":
            title, seconds = sections[-1]
            sections[-1] = (title, seconds + cell_seconds(cell))
    return sections


def time_notebook(path: Path, top: int, by_section: bool) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=900,
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    client.execute()
    total = time.perf_counter() - started
    cells = [
        (cell_seconds(cell), number, cell.source.splitlines()[0] if cell.source else "")
        for number, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
    ]
    in_cells = sum(seconds for seconds, _, _ in cells)
    print(f"{path.name}: {total:.1f} s in all, {in_cells:.1f} s in {len(cells)} code cells")
    if by_section:
        for title, seconds in section_seconds(notebook.cells):
            print(f"  {seconds:6.1f} s  {title[:70]}")
        return
    for seconds, number, first_line in sorted(cells, reverse=True)[:top]:
        print(f"  cell {number:3d} {seconds:6.1f} s  {first_line[:70]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=8, help="how many of the slowest cells")
    parser.add_argument("--sections", action="store_true", help="the time of each section")
    args = parser.parse_args()
    for path in args.notebooks:
        path = (REPO_ROOT / path).resolve() if not path.is_absolute() else path
        time_notebook(path, args.top, args.sections)
    return 0


if __name__ == "__main__":
    sys.exit(main())
