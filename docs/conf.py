"""Sphinx configuration of the course's website (`make site`, into .scratch/site/).

The sources are the repository's own files, read in place (nothing is copied or
committed): README.md as the home page, the six notebooks with their stored outputs
(never executed here), the data cards and the guides in docs/. Three small hooks below
make the site behave like the repository does in JupyterLab:

- the solutions' cells folded in JupyterLab (``jupyter.source_hidden`` /
  ``outputs_hidden`` in a cell's metadata) get MyST-NB's ``hide-input`` / ``hide-output``
  tags, so they stay folded behind a "Show" toggle (the ``<details>`` of the explained
  solutions are plain HTML and stay folded by themselves);
- the home page gets the site's navigation (a hidden table of contents);
- a link to a file of the repository that is not part of the site (``setup/``,
  ``bench/README.md``) is kept as text, with no dead link.

Maths renders from the local copy of MathJax 3 that sphinx-mathjax-offline ships; the
theme ships its own fonts and scripts: the site makes no request beyond its own folder
(tests/ui/test_site_in_browser.py checks that in Chromium).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from course_facts import NOTEBOOK_PATTERN

project = "Machine Learning with Python and Spark"
root_doc = "README"
extensions = ["myst_nb", "sphinx-mathjax-offline"]

# Only these files of the repository make the site.
include_patterns = [
    "README.md",
    f"notebooks/{NOTEBOOK_PATTERN}",
    "data/*.md",
    "docs/*.md",
    "docs/upgrade-reports/*.md",
]
# Folders never walked (the patterns above already leave their files out).
exclude_patterns = [".*", "student", "my-work", "bench", "tests", "tools", "setup", "binder"]

nb_execution_mode = "off"  # the stored outputs, exactly as strict nbval proved them
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README.md#contents, docs/maintaining.md#keeping-the-course-current

html_theme = "sphinx_book_theme"
html_title = project
html_copy_source = False  # the sources are the repository; the site stays small
html_show_sourcelink = False
html_last_updated_fmt = None
html_theme_options = {
    "home_page_in_toc": True,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}
# The theme's colours on a reader's first visit (unset, its script logs a console error).
html_context = {"default_mode": "light"}
mathjax_path = "mathjax/tex-chtml.js"  # copied into _static/ by sphinx-mathjax-offline

TOCTREE = """

```{toctree}
:hidden:
:caption: Notebooks
:glob:

notebooks/NOTEBOOK_GLOB
```

```{toctree}
:hidden:
:caption: Data cards
:glob:

data/*
```

```{toctree}
:hidden:
:caption: Guides
:glob:

docs/*
docs/upgrade-reports/*
```
"""
TOCTREE = TOCTREE.replace("NOTEBOOK_GLOB", NOTEBOOK_PATTERN.removesuffix(".ipynb"))


FOLDED = {"source_hidden": "hide-input", "outputs_hidden": "hide-output"}


def fold_like_jupyterlab(source: str) -> str:
    """The notebook's JSON, with MyST-NB's hide tags on the cells JupyterLab shows folded."""
    notebook = json.loads(source)
    for cell in notebook["cells"]:
        folded = cell.get("metadata", {}).get("jupyter", {})
        tags = [
            tag for key, tag in FOLDED.items() if folded.get(key) and cell["cell_type"] == "code"
        ]
        if tags:
            metadata = cell.setdefault("metadata", {})
            metadata["tags"] = sorted(set(metadata.get("tags", [])) | set(tags))
    return json.dumps(notebook)


def on_source_read(app, docname: str, source: list[str]) -> None:
    if docname.startswith("notebooks/"):
        source[0] = fold_like_jupyterlab(source[0])
    elif docname == root_doc:
        source[0] += TOCTREE


class KeepRepositoryPathsAsText(SphinxPostTransform):
    """A link to a repository file or folder outside the site (``setup/``,
    ``bench/README.md``): its text, not a dead link. Runs before MyST resolves links."""

    default_priority = 5

    def run(self, **kwargs) -> None:
        source = Path(self.env.srcdir)
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst":
                continue
            target = node["reftarget"]
            here = Path(self.env.doc2path(node.get("refdoc", self.env.docname))).parent
            if node.get("refdomain") == "doc":
                missing = target not in self.env.all_docs
                outside = missing and any(source.glob(f"{target}.*"))
            else:
                path = (here / target).resolve()
                outside = path.exists() and path.is_relative_to(source.resolve())
            if outside:
                text = nodes.inline("", "", *node[0].deepcopy().children, classes=["repo-path"])
                node.replace_self(text)


# MathJax's other bundles (SVG output, MathML input, the "full" builds), never loaded by
# tex-chtml.js: 14 of the 24 MB that sphinx-mathjax-offline copies.
UNUSED_MATHJAX = ["latest.js", "node-main.js", "mml-*.js", "tex-mml-*.js", "tex-svg*.js"]
UNUSED_MATHJAX += ["tex-chtml-full*.js", "output/svg*"]


def finish(app, exception) -> None:
    """Drop MathJax's unused bundles; write index.html, so that the site's folder opens on
    the home page (README.html). Runs after sphinx-mathjax-offline copied MathJax."""
    if exception is not None or app.builder.format != "html":
        return
    mathjax = Path(app.outdir) / "_static" / "mathjax"
    for pattern in UNUSED_MATHJAX:
        for path in mathjax.glob(pattern):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    page = '<!doctype html><meta http-equiv="refresh" content="0; url=README.html">\n'
    (Path(app.outdir) / "index.html").write_text(page, encoding="utf-8")


def setup(app):
    app.connect("source-read", on_source_read)
    app.add_post_transform(KeepRepositoryPathsAsText)
    app.connect("build-finished", finish)
