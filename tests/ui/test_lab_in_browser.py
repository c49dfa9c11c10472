"""The learner's path through the course's lab, in a real (headless) browser.

    make test-ui        (what .ci/run runs; not part of `make test`, where this is skipped)

A copy of the working tree, in a temporary folder, is served exactly as `make lab` serves
the repository (setup/open_lab.py, here with --no-browser and a free loopback port), so that
"Run All Cells" and JupyterLab's autosave can never change a tracked notebook. The URL the
lab prints is opened in Debian's Chromium driven by Playwright (`playwright install`, a
browser download, is not needed). The browser gets empty JupyterLab user-settings and
workspace folders, so it sees the course's settings as a new learner does.

What is checked, in order, as a learner meets it:

1. the printed URL opens notebook 00, its kernel "Python (Pyspark)" idle, with no
   "official Jupyter news" pop-up;
2. the Launcher lists "Python (Pyspark)" first; a notebook made there gets it, and closing
   that notebook shuts its kernel down;
3. Edit > Clear Outputs of All Cells, then Run > Run All Cells in 00: every code cell ran,
   none shows an error or stderr output, and at least as many plots as the stored notebook
   has are drawn;
4. the "next" link at the bottom of 00 opens 01 with the course kernel idle;
5. the same Run All Cells check in 01 (in both, the exercises' solutions run folded, and
   every check prints "Correct");
6. after Run All, in 00 and in 01, the learner's loop on an exercise: a Spark cell still
   works; an attempt with a mistyped column shows a short error (Spark's message and the
   learner's line, no JSON log record); the check then says the attempt failed (never
   "Correct"); the fixed attempt makes the check say "Correct";
7. the "next" link of 01 opens 02, whose exercises' solutions are folded, code and output.

Screenshots of each step go to .scratch/ui/ (ignored by git). On the way out, even after
a failure, the browser, the server and every kernel and JVM it started are stopped.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import urllib.request

import pytest

from conftest import REPO_ROOT
from course_facts import KERNEL_DISPLAY_NAME, KERNEL_NAME, copy_course_files, course_notebooks

try:  # pinned in requirements-dev.txt; only this test needs it
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect
except ImportError:  # tests/conftest.py's chromium_page says so
    expect = None
    PlaywrightTimeout = TimeoutError

pytestmark = pytest.mark.skipif(
    os.environ.get("COURSE_UI_TEST") != "1",
    reason="the browser test runs with `make test-ui` (needs Chromium)",
)

SCREENSHOTS = REPO_ROOT / ".scratch" / "ui"
COURSE_KERNEL = KERNEL_DISPLAY_NAME
NOTEBOOKS = [path.name for path in course_notebooks()]
STEP = 60_000  # ms: opening a notebook, starting a kernel (a busy 2-core machine is slow)
RUN_ALL = 30 * 60  # s: all cells of one notebook, on a busy machine


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The course's lab, started by setup/open_lab.py in a copy of the working tree."""
    from lab_runner import running_lab

    folder = tmp_path_factory.mktemp("ui")
    copy = folder / "course"
    copy_course_files(copy)  # the checkout without its scratch (.gitignore)
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(folder / "user-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(folder / "workspaces"),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = SCREENSHOTS / "lab.log"
    with running_lab(
        log, launcher=copy / "setup" / "open_lab.py", env=env, python=sys.executable
    ) as lab:
        print(f"the lab printed: {lab.url.split('?')[0]}?token=...", file=sys.stderr)
        # It serves the copy: nothing done in the browser can touch the working tree.
        assert f"Serving notebooks from local directory: {copy}" in log.read_text()
        yield lab


@pytest.fixture(scope="module")
def page(lab, chromium_page):
    chromium_page.set_default_timeout(STEP)
    chromium_page.goto(lab.url)
    return chromium_page


def api(lab, path: str) -> object:
    request = urllib.request.Request(
        lab.base_url + path, headers={"Authorization": f"token {lab.token}"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def show(page, name: str):
    """Bring the tab of document `name` to the front; return its panel."""
    label = re.compile(f"^{re.escape(name)}$")
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=label)
    tab.wait_for()
    if "jp-mod-current" not in (tab.get_attribute("class") or ""):
        tab.click()
    return page.locator(f"[aria-labelledby='{tab.get_attribute('id')}']")


def kernel_status(page, name: str):
    """The status bar's "<kernel> | <state>" item of document `name`."""
    return page.locator(f"#jp-main-statusbar [title='Change kernel for {name}']")


def expect_course_kernel_idle(page, name: str, timeout_ms: int = STEP):
    """Document `name` in front, its kernel "Python (Pyspark)", started and idle."""
    panel = show(page, name)
    expect(kernel_status(page, name)).to_have_text(f"{COURSE_KERNEL} | Idle", timeout=timeout_ms)
    expect(panel.locator(".jp-KernelName jp-button")).to_have_attribute("aria-label", COURSE_KERNEL)
    return panel


def menu(page, *labels: str) -> None:
    """Click through the main menu, e.g. menu(page, "Run", "Run All Cells")."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{labels[0]}$")).click()
    for label in labels[1:]:
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(label)}$")).click()


def stored_images(name: str) -> int:
    notebook = json.loads((REPO_ROOT / "notebooks" / name).read_text())
    return sum(
        "image/png" in output.get("data", {})
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )


def folded_cells(name: str) -> int:
    """How many code cells of the stored notebook are folded: the exercises' solutions."""
    notebook = json.loads((REPO_ROOT / "notebooks" / name).read_text())
    return sum(
        cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
        for cell in notebook["cells"]
    )


def run_all_cells(page, name: str) -> None:
    panel = expect_course_kernel_idle(page, name)
    panel.locator(".jp-Notebook").click(position={"x": 5, "y": 5})  # focus the notebook
    # The stored outputs first go, so that every number and plot checked below is new.
    menu(page, "Edit", "Clear Outputs of All Cells")
    # A folded cell (an exercise's solution) shows no prompt; its check, below, proves it ran.
    prompts = panel.locator(".jp-CodeCell:not(:has(.jp-InputPlaceholder)) .jp-InputPrompt")
    expect(panel.locator(".jp-OutputArea-output")).to_have_count(0)
    assert not any(re.search(r"\d", t) for t in prompts.all_text_contents())
    menu(page, "Run", "Run All Cells")
    started = time.monotonic()
    idle_twice = 0
    while idle_twice < 2:  # idle, with no cell waiting, twice in a row
        assert time.monotonic() - started < RUN_ALL, f"{name}: Run All Cells did not finish"
        time.sleep(2)
        texts = prompts.all_text_contents()  # (innerText is empty for cells off screen)
        idle = kernel_status(page, name).text_content().endswith("| Idle")
        idle_twice = idle_twice + 1 if idle and not any("*" in t for t in texts) else 0
    not_run = [n for n, t in enumerate(prompts.all_text_contents(), 1) if not re.search(r"\d", t)]
    problems = panel.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).all_text_contents()
    images = panel.locator(".jp-OutputArea-output img")
    drawn = images.evaluate_all("imgs => imgs.filter(i => i.complete && i.naturalWidth > 0).length")
    panel.locator(".jp-Cell").last.scroll_into_view_if_needed()
    shot(page, f"{name[:2]}-run-all-end")
    if images.count():
        images.last.scroll_into_view_if_needed()
        shot(page, f"{name[:2]}-run-all-last-plot")
    print(
        f"{name}: Run All Cells took {time.monotonic() - started:.0f} s;"
        f" {len(prompts.all_text_contents()) - len(not_run)} code cells ran, {len(problems)}"
        f" error/stderr outputs, {drawn} plots drawn ({stored_images(name)} stored)",
        file=sys.stderr,
    )
    assert not problems, f"{name}: error or stderr output:\n" + "\n---\n".join(problems)
    assert not not_run, f"{name}: code cells (1 = first) that did not run: {not_run}"
    correct = panel.locator(".jp-OutputArea-output", has_text=re.compile(r"^Correct: "))
    assert correct.count() == folded_cells(name), f"{name}: not every exercise's check says Correct"
    assert drawn == images.count() >= stored_images(name), (
        f"{name}: {drawn} of {images.count()} plots drawn, {stored_images(name)} stored"
    )


def click_next(page, name: str, following: str) -> None:
    """Click the "next" link at the bottom of notebook `name`; `following` must open."""
    panel = show(page, name)
    link = panel.locator(".jp-RenderedMarkdown a", has_text=re.compile(r" >$")).last
    link.scroll_into_view_if_needed()
    link.click()
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current")
    expect(tab.locator(".lm-TabBar-tabLabel")).to_have_text(re.compile(f"^{re.escape(following)}$"))
    expect_course_kernel_idle(page, following)
    shot(page, f"{following[:2]}-opened-by-next")


def type_new_cell_above(page, panel, marker: str, code: str):
    """Insert a cell above the cell showing `marker`, type `code` in it, run it; return it."""
    target = panel.locator(".jp-CodeCell", has_text=marker).first
    target.scroll_into_view_if_needed()
    target.locator(".jp-InputPrompt").click()  # select the cell, in command mode
    page.keyboard.press("Escape")
    page.keyboard.press("a")  # a new cell above it, selected
    # Pinned by its position: "the selected cell" moves on as soon as another is clicked.
    cells = panel.locator(".jp-Cell")
    index = cells.evaluate_all("cs => cs.findIndex(c => c.classList.contains('jp-mod-selected'))")
    assert index >= 0
    new = cells.nth(index)
    new.locator(".cm-content").click()
    page.keyboard.type(code)
    page.keyboard.press("Escape")  # CodeMirror closes brackets; the typed text wins
    return new


def replace_cell_source(page, cell, code: str) -> None:
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(code)
    page.keyboard.press("Escape")


def exercise_loop(page, name: str, check: str, spark_cell: str, wrong: str, right: str) -> None:
    """After Run All: a Spark cell works; a failed attempt is short and never Correct."""
    panel = expect_course_kernel_idle(page, name)
    tab_name = name
    after = type_new_cell_above(page, panel, check, spark_cell)
    said = run_cell_named(page, tab_name, after)
    assert "Error" not in said and said.strip(), said
    attempt = type_new_cell_above(page, panel, check, wrong)
    error = run_cell_named(page, tab_name, attempt)
    shot(page, f"{name[:2]}-loop-mistyped-column")
    print(f"{name}: the mistyped column shows:\n{error}", file=sys.stderr)
    assert "AnalysisException" in error and "UNRESOLVED_COLUMN" in error, error
    assert "line 1:" in error and "DataFrameQueryContextLogger" not in error, error
    assert len(error.strip().splitlines()) <= 4, error
    check_cell = panel.locator(".jp-CodeCell", has_text=check).first
    verdict = run_cell_named(page, tab_name, check_cell)
    shot(page, f"{name[:2]}-loop-check-after-failure")
    assert verdict.startswith("Your last attempt failed"), verdict
    assert "Correct" not in verdict
    replace_cell_source(page, attempt, right)
    fixed = run_cell_named(page, tab_name, attempt)
    assert "Error" not in fixed, fixed
    verdict = run_cell_named(page, tab_name, check_cell)
    shot(page, f"{name[:2]}-loop-check-after-fix")
    assert verdict.startswith("Correct: "), verdict


def run_cell_named(page, name: str, cell) -> str:
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]"), timeout=STEP * 3)
    expect(kernel_status(page, name)).to_have_text(re.compile(r"\| Idle$"), timeout=STEP * 3)
    return cell.locator(".jp-OutputArea").inner_text()


def test_printed_url_opens_notebook_00_with_the_course_kernel_idle(lab, page):
    assert re.search(r"/lab/tree/notebooks/00_[a-z_]+\.ipynb$", lab.url.split("?")[0])
    expect_course_kernel_idle(page, NOTEBOOKS[0])
    page.wait_for_timeout(5000)  # the news question would pop up by now
    shot(page, "00-landing")
    assert page.get_by_text("official Jupyter news").count() == 0
    assert page.locator(".Toastify__toast").count() == 0


def test_launcher_offers_the_course_kernel_first_and_closing_shuts_it_down(lab, page):
    assert api(lab, "/api/kernelspecs")["default"] == KERNEL_NAME
    menu(page, "File", "New Launcher")
    launcher = page.locator(".jp-Launcher-section", has_text="Notebook").first
    first_card = launcher.locator(".jp-LauncherCard").first
    first_card.wait_for()
    shot(page, "launcher")
    assert first_card.get_attribute("title") == COURSE_KERNEL
    first_card.click()
    try:
        expect_course_kernel_idle(page, "Untitled.ipynb")
        shot(page, "launcher-new-notebook")
        sessions = [s for s in api(lab, "/api/sessions") if s["path"].endswith("Untitled.ipynb")]
        assert [s["kernel"]["name"] for s in sessions] == [KERNEL_NAME]
    finally:
        show(page, "Untitled.ipynb")
        menu(page, "File", "Close Tab")
        # Starting a kernel writes its name into the new notebook, so JupyterLab asks
        # whether to save it; a learner trying the Launcher out says no.
        dialog = page.locator(".jp-Dialog")
        try:
            dialog.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            pass
        else:
            shot(page, "launcher-close-dialog")
            dialog.locator("button", has_text=re.compile("^(Discard|Don't Save)$")).click()
    deadline = time.monotonic() + 60
    while any(s["path"].endswith("Untitled.ipynb") for s in api(lab, "/api/sessions")):
        assert time.monotonic() < deadline, "closing the notebook left its kernel running"
        time.sleep(1)
    kernels = {k["id"] for k in api(lab, "/api/kernels")}
    assert sessions[0]["kernel"]["id"] not in kernels


def test_run_all_cells_of_00(page):
    run_all_cells(page, NOTEBOOKS[0])


def test_after_run_all_the_learner_keeps_working_in_00(page):
    exercise_loop(
        page,
        NOTEBOOKS[0],
        check="ch00.ex1.check(spark_lines)",
        spark_cell="print(spark.range(3).count())",
        wrong='spark_lines = lines.where(F.col("valu").contains("Spark")).count()',
        right='spark_lines = lines.where(F.col("value").contains("Spark")).count()',
    )


def test_next_opens_01(page):
    click_next(page, NOTEBOOKS[0], NOTEBOOKS[1])


def test_run_all_cells_of_01(page):
    run_all_cells(page, NOTEBOOKS[1])


def test_after_run_all_the_learner_keeps_working_in_01(page):
    exercise_loop(
        page,
        NOTEBOOKS[1],
        check="ch01.ex4.check(prediction)",
        spark_cell="print(customers.count())",
        wrong='prediction = model.transform(new).select("predicton").first()[0]',
        right='prediction = model.transform(new).select("prediction").first()[0]',
    )


def test_next_opens_02(page):
    click_next(page, NOTEBOOKS[1], NOTEBOOKS[2])


def test_02_opens_with_its_solutions_folded(page):
    panel = show(page, NOTEBOOKS[2])
    folded = folded_cells(NOTEBOOKS[2])
    assert folded >= 1, "no folded solution cell in 02"
    expect(panel.locator(".jp-Cell .jp-InputPlaceholder")).to_have_count(folded)
    expect(panel.locator(".jp-Cell .jp-OutputPlaceholder")).to_have_count(folded)
    panel.locator(".jp-Cell .jp-InputPlaceholder").first.scroll_into_view_if_needed()
    shot(page, "02-exercises-folded")
