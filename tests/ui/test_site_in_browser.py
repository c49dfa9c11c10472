"""The course's website (`make site`) read in a real (headless) browser.

    make test-site      (builds the site, then runs this; no Spark, about a minute)

The site built into .scratch/site/html/ is served by a small HTTP server on 127.0.0.1 and
opened in Debian's Chromium driven by Playwright, with the browser set-up of
tests/ui/test_lab_in_browser.py. Every request the pages make is watched: one that would
leave the machine is blocked and fails the test (the site must work offline).

What is checked:

1. every page opens with no console error, no script error and no failed request
   (fonts, scripts, styles and images all come from the site's own folder);
2. every image loads, and each notebook page shows as many plots as its notebook stores;
3. the maths is typeset by the local MathJax: every formula became MathJax output, with no
   error, and no raw ``$$`` or ``\\(`` is left in the text outside code and outputs;
4. every internal link resolves: the page exists and so does its #anchor (the notebooks'
   previous / contents / next links, the README's links to notebooks, data cards and guides);
5. the solutions are folded as in JupyterLab: the cells folded in the notebooks sit behind
   closed toggles, and the "Solution explained" texts are closed;
6. the search finds "CrossValidator" in notebook 03;
7. the request watch itself works: a script asked from another host is caught.

Screenshots of notebook 01 (its top, its first plot, a formula, a folded solution) and of
the search go to .scratch/site-test/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import urllib.error
import urllib.request
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urldefrag, urlsplit

import pytest

from conftest import REPO_ROOT
from course_facts import course_notebooks

pytestmark = pytest.mark.skipif(
    os.environ.get("COURSE_SITE_TEST") != "1",
    reason="the website's browser test runs with `make test-site` (needs Chromium and `make site`)",
)

SITE = REPO_ROOT / ".scratch" / "site" / "html"
SCREENSHOTS = REPO_ROOT / ".scratch" / "site-test"
NOTEBOOKS = course_notebooks()
STEP = 60_000  # ms: a busy 2-core machine is slow

# After MathJax has finished: what a reader sees of the maths and the images.
PAGE_STATE = """async () => {
  if (window.MathJax && MathJax.startup) { await MathJax.startup.promise; }
  const images = [...document.images].map(
    i => ({src: i.src, ok: i.complete && i.naturalWidth > 0}));
  const math = [...document.querySelectorAll('.math')];
  const text = node => {
    const copy = node.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container').forEach(n => n.remove());
    return copy.textContent;
  };
  return {
    images,
    outputImages: document.querySelectorAll('.cell_output img').length,
    math: math.length,
    typeset: math.filter(m => m.querySelector('mjx-container')).length,
    mathErrors: document.querySelectorAll('mjx-merror').length,
    text: text(document.querySelector('main') || document.body),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    details: [...document.querySelectorAll('details')].map(d => ({
      open: d.open, cls: d.className, summary: (d.querySelector('summary') || {}).textContent || ''
    })),
  };
}"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site_url():
    if not (SITE / "README.html").is_file():
        pytest.fail(f"no site in {SITE}: run `make site` first (`make test-site` does)")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class Browser:
    """One Chromium page, with every request, console error and script error recorded."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.outside: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", self._response)
        page.context.route("**/*", self._route)

    def _console(self, message) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(self.base) or url.startswith("data:"):
            route.continue_()
        else:  # the site must not need the network
            self.outside.append(url)
            route.abort()

    def open(self, url: str) -> dict:
        self.problems.clear()
        self.page.goto(url, wait_until="load")
        if url.endswith("/index.html"):  # the site's front door sends the reader home
            self.page.wait_for_url(re.compile(r"/README\.html$"))
            self.page.wait_for_load_state("load")
        state = self.page.evaluate(PAGE_STATE)
        state["problems"] = list(self.problems)
        return state


@pytest.fixture(scope="module")
def browser(site_url, chromium_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chromium_page.set_default_timeout(STEP)
    return Browser(chromium_page, site_url)


# The site's pages (the theme keeps two template fragments in _static/: not pages).
PAGES = sorted(
    path.relative_to(SITE).as_posix()
    for path in SITE.rglob("*.html")
    if path.relative_to(SITE).parts[0] != "_static"
)


@pytest.fixture(scope="module")
def pages(browser, site_url) -> dict[str, dict]:
    """Every page of the site, opened once: what the checks below look at."""
    assert PAGES, f"no pages in {SITE}: run `make site`"
    return {name: browser.open(site_url + name) for name in PAGES}


def test_the_site_has_every_part_of_the_course(pages):
    expected = {"README.html", "index.html", "search.html"}
    expected |= {f"notebooks/{path.stem}.html" for path in NOTEBOOKS}
    expected |= {f"data/{path.stem}.html" for path in (REPO_ROOT / "data").glob("*.md")}
    expected |= {f"docs/{path.stem}.html" for path in (REPO_ROOT / "docs").glob("*.md")}
    assert expected <= set(pages), sorted(expected - set(pages))


def test_every_page_opens_with_no_error_and_no_request_leaves_the_machine(browser, pages):
    problems = {name: state["problems"] for name, state in pages.items() if state["problems"]}
    assert not problems, json.dumps(problems, indent=1)
    assert not browser.outside, f"requests beyond the site: {sorted(set(browser.outside))}"


def test_every_image_loads_and_every_stored_plot_is_shown(pages):
    broken = {n: [i["src"] for i in s["images"] if not i["ok"]] for n, s in pages.items()}
    assert not any(broken.values()), broken
    shown = 0
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        stored = sum(
            "image/png" in output.get("data", {})
            for cell in cells
            for output in cell.get("outputs", [])
        )
        state = pages[f"notebooks/{path.stem}.html"]
        assert state["outputImages"] == stored, path.name
        shown += stored
    print(f"{shown} plots shown, every image of {len(pages)} pages loaded")
    assert shown >= 20


def test_the_maths_is_typeset(pages):
    with_maths = {name: state for name, state in pages.items() if state["math"]}
    assert len([n for n in with_maths if n.startswith("notebooks/")]) >= 5
    for name, state in pages.items():
        assert state["typeset"] == state["math"], name
        assert state["mathErrors"] == 0, name
        for raw in ("$$", "\\(", "\\["):
            assert raw not in state["text"], f"{name}: raw {raw} left in the text"
    print(
        f"{sum(s['math'] for s in with_maths.values())} formulas typeset on {len(with_maths)} pages"
    )


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.cache
def _ids(url: str) -> frozenset[str] | None:
    """The ids of the page at `url`, or None when it does not open."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            parser = _Ids()
            parser.feed(response.read().decode("utf-8"))
            return frozenset(parser.ids)
    except urllib.error.HTTPError:
        return None


def test_every_internal_link_resolves(pages, site_url):
    dead = []
    count = 0
    for name, state in pages.items():
        for href in state["links"]:
            if not href.startswith(site_url):
                assert urlsplit(href).scheme in ("http", "https", "mailto"), (name, href)
                continue
            count += 1
            url, anchor = urldefrag(href)
            ids = _ids(url.split("?")[0])
            if ids is None or (anchor and anchor not in ids):
                dead.append(f"{name} -> {href[len(site_url) :]}")
    assert not dead, dead
    print(f"{count} internal links resolve")


def test_the_notebooks_link_to_each_other_and_to_the_contents(pages, site_url):
    names = [f"notebooks/{path.stem}.html" for path in NOTEBOOKS]
    for before, after in zip(names, names[1:], strict=False):
        assert site_url + after in pages[before]["links"], f"no next link in {before}"
        assert site_url + before in pages[after]["links"], f"no previous link in {after}"
    for name in names:
        assert site_url + "README.html#contents" in pages[name]["links"], name
    for path in (REPO_ROOT / "data").glob("*.md"):
        assert site_url + f"data/{path.stem}.html" in pages["README.html"]["links"]


def test_the_solutions_stay_folded(pages):
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        folded = sum(
            bool(cell.get("metadata", {}).get("jupyter", {}).get(key))
            for cell in cells
            if cell["cell_type"] == "code"
            for key in ("source_hidden", "outputs_hidden")
        )
        explained = sum("<details" in "".join(cell["source"]) for cell in cells)
        details = pages[f"notebooks/{path.stem}.html"]["details"]
        toggles = [d for d in details if "hide" in d["cls"].split()]
        assert len(toggles) == folded, path.name
        assert sum(d["summary"].strip() == "Solution explained" for d in details) >= min(
            explained, 1
        ), path.name
        assert not [d for d in details if d["open"]], f"{path.name}: a solution shows unfolded"


def test_the_search_finds_crossvalidator(browser, site_url):
    page = browser.page
    page.goto(site_url + "search.html?q=CrossValidator")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for()
    page.wait_for_function(
        "() => !document.querySelector('#search-results .search-summary')"
        "?.textContent.includes('Searching')"
    )
    found = [urlsplit(a).path for a in results.evaluate_all("as => as.map(a => a.href)")]
    page.screenshot(path=str(SCREENSHOTS / "search_crossvalidator.png"))
    assert "/notebooks/03_decision_trees.html" in found, found
    print(f"the search for CrossValidator finds {len(found)} pages: {found}")


def test_screenshot_of_a_notebook_page(browser, site_url):
    page = browser.page
    page.goto(site_url + "notebooks/01_linear_regression.html")
    page.evaluate("() => MathJax.startup.promise")
    page.screenshot(path=str(SCREENSHOTS / "01_linear_regression_top.png"))
    plot = page.locator(".cell_output img").first
    plot.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "01_linear_regression_plot.png"))
    maths = page.locator("mjx-container[display='true']").first
    maths.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "01_linear_regression_maths.png"))
    folded = page.locator("details.hide").first
    folded.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "01_linear_regression_folded_solution.png"))
    print(f"screenshots in {SCREENSHOTS.relative_to(REPO_ROOT)}/")
    assert re.search(r"Linear regression", page.title())


def test_the_watch_catches_a_request_off_the_machine(browser, site_url):
    """The no-network check above is not vacuous: a page asking for a script on another
    host is caught (and blocked in the browser: nothing is sent)."""
    browser.page.goto(site_url + "README.html")
    browser.page.evaluate(
        """() => new Promise(done => { const s = document.createElement('script');
        s.src = 'https://cdn.invalid/mathjax.js'; s.onerror = done; document.head.append(s); })"""
    )
    assert "https://cdn.invalid/mathjax.js" in browser.outside
    browser.outside.remove("https://cdn.invalid/mathjax.js")
