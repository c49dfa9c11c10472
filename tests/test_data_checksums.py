"""Every read of a course data set checks that the file is the one its card describes.

Each data card holds one line "SHA-256 of `data/<file>`: `<digest>` ..." (data/make_data.py
writes it), and `course_helpers.data_path()` compares the file with it before returning its
path. The probes of issue 24 run in a scratch checkout (a copy of course_helpers.py and of
data/) on edited copies of the data: a file cut off inside its last number, and a trailing
row of empty fields as spreadsheet programs save it. The slow test runs notebook 01 on
such a copy in the course kernel and reads what the learner sees.
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import course_helpers  # noqa: E402
import make_data  # noqa: E402
from conftest import DATA_DIR, REPO_ROOT
from course_facts import KERNEL_NAME

CSV = "ecommerce_customers.csv"
RESTORE = f"restore it with `git checkout data/{CSV}`"


def data_files() -> list[str]:
    return [
        name
        for maker in make_data.MAKERS
        for name in importlib.import_module(f"makers.{maker}").FILES
    ]


@pytest.mark.parametrize("name", data_files())
def test_every_card_vouches_for_its_file(name, capsys):
    card = DATA_DIR / f"{Path(name).stem}.md"
    lines = [line for line in card.read_text().splitlines() if line.startswith("SHA-256 of ")]
    assert lines == [make_data.checksum_line(name, course_helpers.data_checksum(DATA_DIR / name))]
    assert course_helpers.data_path(name) == str(DATA_DIR / name)
    assert capsys.readouterr().out == ""  # no note: a card vouches for it


def test_write_checksum_changes_only_its_own_line(tmp_path):
    card = tmp_path / "x.md"
    prose = "# x.csv\n\nSome prose that others edit.\n\n## How it was made\n\nBy hand.\n"
    card.write_text(prose)
    assert make_data.write_checksum(card, "x.csv", "a" * 64)
    assert card.read_text() == prose + "\n" + make_data.checksum_line("x.csv", "a" * 64) + "\n"
    assert not make_data.write_checksum(card, "x.csv", "a" * 64)  # already there
    edited = card.read_text().replace("Some prose", "Better prose")
    card.write_text(edited)
    assert make_data.write_checksum(card, "x.csv", "b" * 64)
    assert card.read_text() == edited.replace("a" * 64, "b" * 64)


def scratch_checkout(tmp_path: Path) -> Path:
    """A copy of course_helpers.py and of data/ (files and cards), laid out as the course."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "notebooks" / "course_helpers.py", root / "notebooks")
    shutil.copytree(DATA_DIR, root / "data", ignore=shutil.ignore_patterns("*.py", "makers"))
    return root


def read(root: Path, name: str, capsys) -> list[str]:
    """What data_path(name) of the scratch checkout's course_helpers.py prints or raises."""
    module = importlib.util.module_from_spec(
        importlib.util.spec_from_file_location(
            f"course_helpers_{id(root)}", root / "notebooks" / "course_helpers.py"
        )
    )
    module.__spec__.loader.exec_module(module)
    try:
        print(module.data_path(name))
    except Exception as error:
        print(f"{type(error).__name__}: {error}")
    return capsys.readouterr().out.splitlines()


def cut_inside_last_number(path: Path) -> None:
    data = path.read_bytes().rstrip(b"\n")
    path.write_bytes(data[:-3])  # the last value loses its last three digits
    assert path.read_bytes()[-1:].isdigit()


def spreadsheet_row(path: Path) -> None:
    header = path.read_text().splitlines()[0]
    with open(path, "a", newline="") as out:
        out.write("," * header.count(",") + "\n")  # ",,,," as spreadsheet programs save it


@pytest.mark.parametrize("edit", [cut_inside_last_number, spreadsheet_row])
def test_an_edited_copy_stops_with_one_line_naming_the_file_and_the_fix(tmp_path, edit, capsys):
    root = scratch_checkout(tmp_path)
    edit(root / "data" / CSV)
    assert read(root, CSV, capsys) == [
        f"CourseDataError: data/{CSV} is not the file its card data/ecommerce_customers.md "
        "describes (its SHA-256 differs: cut off, saved by a spreadsheet or edited?); "
        f"{RESTORE}, or to use an edited copy on purpose, save it in data/ under a new name "
        "and read that name"
    ]


def test_line_endings_and_a_byte_order_mark_do_not_count(tmp_path, capsys):
    # git on Windows may check the files out with CRLF; Spark reads them the same.
    root = scratch_checkout(tmp_path)
    path = root / "data" / CSV
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert read(root, CSV, capsys) == [str(path)]


def test_a_copy_under_a_new_name_is_read_with_a_note(tmp_path, capsys):
    root = scratch_checkout(tmp_path)
    copy = root / "data" / "my_customers.csv"
    shutil.copy(root / "data" / CSV, copy)
    spreadsheet_row(copy)
    assert read(root, "my_customers.csv", capsys) == [
        "note: no data card in data/ vouches for data/my_customers.csv; it is read as it is",
        str(copy),
    ]


@pytest.mark.slow
def test_notebook_01_stops_at_its_read_in_the_course_kernel(tmp_path):
    """Notebook 01, cell by cell up to the cell that reads the file, in the course kernel,
    on a copy cut inside its last number: the learner sees one line, before any number."""
    root = scratch_checkout(tmp_path)
    cut_inside_last_number(root / "data" / CSV)
    source = nbformat.read(REPO_ROOT / "notebooks" / "01_linear_regression.ipynb", as_version=4)
    code = [cell for cell in source.cells if cell.cell_type == "code"]
    reading = next(i for i, cell in enumerate(code) if f'data_path("{CSV}")' in cell.source)
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(cell.source) for cell in code[: reading + 1]]
    )
    NotebookClient(
        notebook, km=KernelManager(kernel_name=KERNEL_NAME), timeout=300, allow_errors=True
    ).execute(cwd=str(root / "notebooks"))
    errors = [
        (index, output)
        for index, cell in enumerate(notebook.cells)
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert len(errors) == 1, errors
    index, error = errors[0]
    assert index == reading  # the cell that reads the file, not a later one
    assert error.ename == "CourseDataError"
    assert error.evalue.startswith(f"data/{CSV} is not the file its card")
    assert RESTORE in error.evalue and "\n" not in error.evalue
