"""Write the "< previous | contents | next >" links at the top and bottom of every notebook.

    python tools/nav.py          # refresh the links in place
    python tools/nav.py --check  # exit 1 if any notebook's links are stale (used by the tests)

The links live in Markdown cells that start with NAV_MARKER; this script owns those
cells and nothing else. Titles come from each notebook's first heading.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from course_facts import NAV_MARKER, course_notebooks

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"


def title(notebook: nbformat.NotebookNode) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not cell.source.startswith(NAV_MARKER):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("no '# ' heading in the notebook")


def nav_text(previous: tuple[Path, str] | None, following: tuple[Path, str] | None) -> str:
    parts = []
    if previous:
        parts.append(f"[< {previous[1]}]({previous[0].name})")
    parts.append("[contents](../README.md#contents)")
    if following:
        parts.append(f"[{following[1]} >]({following[0].name})")
    return f"{NAV_MARKER}\n" + " | ".join(parts)


def with_nav(notebook: nbformat.NotebookNode, text: str) -> nbformat.NotebookNode:
    """The notebook with one navigation cell on top and one at the bottom."""
    cells = [c for c in notebook.cells if not c.source.startswith(NAV_MARKER)]
    top, bottom = nbformat.v4.new_markdown_cell(text), nbformat.v4.new_markdown_cell(text)
    top.id, bottom.id = "nav-top", "nav-bottom"  # fixed ids: reruns change nothing
    notebook.cells = [top, *cells, bottom]
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Refresh the navigation links of the notebooks.")
    parser.add_argument("--check", action="store_true", help="only report stale links")
    args = parser.parse_args(argv)
    paths = course_notebooks()
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    titles = [(path, title(notebook)) for path, notebook in zip(paths, notebooks, strict=True)]
    stale = []
    for index, (path, notebook) in enumerate(zip(paths, notebooks, strict=True)):
        previous = titles[index - 1] if index > 0 else None
        following = titles[index + 1] if index + 1 < len(titles) else None
        before = nbformat.writes(notebook)
        after = nbformat.writes(with_nav(notebook, nav_text(previous, following)))
        if after != before:
            stale.append(path.name)
            if not args.check:
                path.write_text(after)
    if args.check and stale:
        print("stale navigation links in: " + ", ".join(stale) + " (run `make nav`)")
        return 1
    print(f"navigation links {'checked' if args.check else 'written'}: {len(paths)} notebooks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
