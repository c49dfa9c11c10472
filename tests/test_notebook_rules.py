"""The rules every notebook keeps that a re-run alone would not catch.

Strict nbval (make test-notebooks) checks the outputs; these tests read the notebooks'
source: the kernel, the structure, and nothing that ties a notebook to one machine.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import nbformat
import pytest

from conftest import REPO_ROOT
from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME, NAV_MARKER, course_notebooks

NOTEBOOKS = course_notebooks()


def code_of(notebook) -> str:
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def content_cells(notebook):
    return [c for c in notebook.cells if not c.source.startswith(NAV_MARKER)]


def test_there_is_a_notebook_per_section():
    assert [path.name[:2] for path in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.name)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_kernel_is_python_pyspark(notebook):
    spec = notebook.metadata["kernelspec"]
    assert (spec["name"], spec["display_name"]) == (KERNEL_NAME, KERNEL_DISPLAY_NAME)


def test_opens_with_title_and_what_you_will_learn(notebook):
    first = content_cells(notebook)[0]
    assert first.cell_type == "markdown"
    assert re.match(r"# \d\d · \S", first.source)
    assert "what you will learn" in first.source.lower()


def test_ends_with_exercises_and_how_to_stop_spark(notebook):
    """Run All leaves Spark running, so that every exercise can still be attempted after
    it; the last section says how to stop Spark when the learner is done."""
    cells = content_cells(notebook)
    assert cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Stop Spark")
    assert "spark.stop()" in cells[-1].source
    for cell in cells:
        if cell.cell_type == "code":
            assert not re.search(r"^spark\.stop\(\)", cell.source, re.MULTILINE), cell.source
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "## Try it yourself" in markdown
    assert "<summary>Solution" in markdown


FINAL_LOOK = re.compile(r"^## .*\bfinal look\b", re.IGNORECASE | re.MULTILINE)


def python_of(source: str) -> ast.Module:
    from IPython.core.inputtransformer2 import TransformerManager

    return ast.parse(TransformerManager().transform_cell(source))


def held_out_names(source: str) -> set[str]:
    """The names a cell binds to the held-out part of an unsalted `split_by_hash(...)`,
    and the names it derives from them (`test_pd = test.toPandas()`); a salted split
    (`salt="validation"`) makes validation rows, which are not held out."""
    names: set[str] = set()
    for node in ast.walk(python_of(source)):
        if not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Tuple):
            continue
        call = node.value
        if (
            isinstance(call, ast.Call)
            and getattr(call.func, "id", None) == "split_by_hash"
            and not any(keyword.arg == "salt" for keyword in call.keywords)
        ):
            held_out = node.targets[0].elts[1]
            names.add(held_out.id)
    for node in python_of(source).body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = [(target, node.value)]
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts, strict=False))
            for bound, value in pairs:
                if names & loaded_names(value):
                    names |= {n.id for n in ast.walk(bound) if isinstance(n, ast.Name)}
    return names


def loaded_names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def early_looks(notebook) -> list[str]:
    """Code cells before the final-look section that read a held-out split."""
    cells = notebook.cells
    final = next(
        (
            i
            for i, c in enumerate(cells)
            if c.cell_type == "markdown" and FINAL_LOOK.search(c.source)
        ),
        len(cells),
    )
    held_out: set[str] = set()
    found = []
    for cell in cells[:final]:
        if cell.cell_type != "code":
            continue
        made_here = held_out_names(cell.source)
        if made_here:
            held_out |= made_here
            continue
        used = held_out & loaded_names(python_of(cell.source))
        if used:
            found.append(f"{', '.join(sorted(used))} in: {cell.source.splitlines()[0]}")
    return found


def test_the_test_split_gets_one_look_at_the_end(notebook):
    """One look at the test set: every choice is made on validation rows; the held-out
    rows of `split_by_hash` are read only in the section whose heading says "final look"."""
    assert early_looks(notebook) == []
    makes_a_test_split = any(
        held_out_names(c.source) for c in notebook.cells if c.cell_type == "code"
    )
    if makes_a_test_split:
        headings = [c.source for c in notebook.cells if c.cell_type == "markdown"]
        final = [i for i, text in enumerate(headings) if FINAL_LOOK.search(text)]
        exercises = [i for i, text in enumerate(headings) if text.startswith("## Try it yourself")]
        assert len(final) == 1 and final[0] < exercises[0], (
            "one final-look section, before the exercises"
        )


def test_the_one_look_rule_sees_an_early_look():
    cells = [
        nbformat.v4.new_code_cell(
            'train, test = split_by_hash(df, "id")\ntest_pd = test.toPandas()'
        ),
        nbformat.v4.new_code_cell(
            'fit, validation = split_by_hash(train, "id", 25, salt="validation")'
        ),
        nbformat.v4.new_code_cell("auc = evaluator.evaluate(model.transform(validation))"),
        nbformat.v4.new_code_cell("print(len(test_pd))"),
        nbformat.v4.new_markdown_cell("## 7. The final look at the test set"),
        nbformat.v4.new_code_cell("auc = evaluator.evaluate(model.transform(test))"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    assert early_looks(notebook) == ["test_pd in: print(len(test_pd))"]
    del notebook.cells[3]
    assert early_looks(notebook) == []


def test_session_comes_from_the_environment(notebook):
    code = code_of(notebook)
    # A name the learner recognises in the Spark UI, and nothing else: where Spark runs
    # and how it is configured come from spark-defaults.conf and the environment.
    assert re.search(
        r'SparkSession\.builder\.appName\("ML course \d\d · [^"]+"\)\.getOrCreate\(\)', code
    )
    for forbidden in (".master(", ".config(", "setLogLevel", "spark.conf.set("):
        assert forbidden not in code, f"{forbidden!r}: settings belong in spark-defaults.conf"


def test_data_is_read_through_data_path_with_a_schema(notebook):
    code = code_of(notebook)
    assert "../data" not in code and "/data/" not in code, "use data_path(...)"
    assert "inferSchema" not in code, "read with an explicit schema"
    assert "randomSplit" not in code, "randomSplit depends on the core count: use split_by_hash"


def spark_csv_reads(code: str) -> list[str]:
    """The argument text of every `.csv(...)` call on a Spark reader in `code`."""
    calls = []
    for match in re.finditer(r"\.read\s*\.csv\(", code):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(code[end], 0)
            end += 1
        calls.append(code[match.end() : end - 1])
    return calls


def test_every_csv_read_checks_the_header_and_fails_fast(notebook):
    """With a schema, Spark matches CSV columns by position: a reordered file would be
    read silently wrong, and a malformed value would silently become null."""
    code = code_of(notebook)
    assert 'format("csv")' not in code, "read CSV with spark.read.csv(...)"
    for call in spark_csv_reads(code):
        for option in ("header=True", "enforceSchema=False", 'mode="FAILFAST"'):
            assert option in call, f"spark.read.csv({call.strip()}) lacks {option}"


def test_the_csv_read_check_sees_a_missing_option():
    code = 'df = spark.read.csv(\n    data_path("x.csv"), header=True, schema=SCHEMA\n)\nother(1)'
    (call,) = spark_csv_reads(code)
    assert "enforceSchema=False" not in call and "other" not in call


def test_every_code_cell_was_run_in_order(notebook):
    counts = [c.execution_count for c in notebook.cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), "re-run it with `make notebooks`"


def test_navigation_links_are_fresh():
    completed = subprocess.run(
        [sys.executable, "tools/nav.py", "--check"], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
