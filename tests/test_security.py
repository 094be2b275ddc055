"""Hostile text is data: rendered literally, never run, never loaded; checked in a real browser.

The browser is Debian's Chromium (installed by `make setup`), driven by Playwright for Python
with ``executable_path``: nothing is downloaded.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from analysis.page import SVG_ELEMENTS
from analysis.render import find_chromium
from conftest import ROOT

pytestmark = pytest.mark.render

HOSTILE = ROOT / "tests" / "data" / "hostile.csv"
sys.path.insert(0, str(HOSTILE.parent))
from make_hostile import NAUGHTY, PAPER  # noqa: E402 - found through the path above

CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                   reason="needs Chromium (make setup installs it)")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-quic"]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    work = tmp_path_factory.mktemp("hostile")
    out = work / "report"
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "render", "--data", str(HOSTILE), "--paper", PAPER,
         "--out", str(out), "--formats", "html"],
        capture_output=True, text=True, cwd=work, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out / "report.html", work


@pytest.fixture(scope="module")
def soup(hostile_report):
    return BeautifulSoup(hostile_report[0].read_text(encoding="utf-8"), "html.parser")


def test_the_hostile_fixture_is_current():
    import csv

    with HOSTILE.open(encoding="utf-8") as f:
        assert [r["author"] for r in csv.DictReader(f)] == NAUGHTY


def test_every_value_shows_as_literal_text(soup):
    table = soup.select_one("table.exodus-authors")
    cells = [td.get_text() for td in table.find_all("td")]
    for text in NAUGHTY:
        assert text in cells, text
    assert PAPER in soup.select_one(".exodus-lede").get_text()


def test_nothing_from_the_data_becomes_markup(soup):
    body = soup.body
    assert not body.find_all(["script", "iframe", "object", "embed", "style", "form", "base", "meta", "link", "img",
                              "foreignobject", "foreignObject"])
    # the only SVG is the charts', inlined by analysis.page.inline_svg inside their container
    for svg in body.find_all("svg"):
        assert "exodus-chart" in svg.parent.get("class", []), svg.parent
        for element in svg.find_all(True):
            assert element.name in {e.lower() for e in SVG_ELEMENTS}, element.name
            for name, value in element.attrs.items():
                if name.endswith("href"):
                    assert value.startswith("#"), value
                assert "url(" not in str(value) or "url(#" in str(value)
    assert len(body.find_all("svg")) == 3 + 2
    for element in soup.find_all(True):
        assert not [a for a in element.attrs if a.lower().startswith("on")], element.name
    import csv

    with HOSTILE.open(encoding="utf-8") as f:
        sources = {url for row in csv.DictReader(f) for url in row["source"].split()}
    links = {a["href"] for a in body.find_all(href=True) if not a["href"].startswith("#")}
    assert links == sources  # only the http(s) sources became links


def test_no_shell_or_python_ran(hostile_report):
    _, work = hostile_report
    assert not list(work.rglob("EXODUS_PWNED")) and not (ROOT / "EXODUS_PWNED").exists()
    assert not (ROOT / "notebooks" / "EXODUS_PWNED").exists()


def test_values_never_become_notebook_code(tmp_path):
    import papermill

    out = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "report.ipynb"), str(out), kernel_name="python3",
                               parameters={"data_path": str(HOSTILE), "papers": [PAPER]}, progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assignments = {node.targets[0].id: ast.literal_eval(node.value)
                   for node in ast.parse(injected[0].source).body if isinstance(node, ast.Assign)}
    assert assignments["papers"] == [PAPER]  # a Python literal equal to the value, nothing more
    others = "\n".join(c.source for c in nb.cells if c.cell_type == "code" and c is not injected[0])
    for text in NAUGHTY:
        assert text not in others


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield instance
        instance.close()


def visit(browser, path: Path) -> dict:
    """Open a report; record requests, dialogs, console errors and page errors."""
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()
    seen = {"requests": [], "dialogs": [], "console": [], "errors": []}
    page.on("request", lambda r: seen["requests"].append(r.url))
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(300)
    seen["pwned"] = page.evaluate("() => [window.__pwned, document.scripts.length]")
    seen["text"] = page.inner_text("body")
    seen["charts"] = page.evaluate("() => Array.from(document.querySelectorAll('.exodus-chart svg')).map("
                                   "s => s.getBoundingClientRect().width > 100 && s.textContent.trim().length > 0)")
    seen["chart_text"] = page.evaluate("() => Array.from(document.querySelectorAll('.exodus-chart')).map(c => c.innerText)")
    seen["tabindex"] = page.evaluate("() => Array.from(document.querySelectorAll('[tabindex]')).map(e => e.tagName)")
    seen["title"] = page.title()
    seen["toc"] = page.evaluate("""() => Array.from(document.querySelectorAll('nav.exodus-toc a')).map(a => {
        const target = document.getElementById(a.getAttribute('href').slice(1));
        return [a.textContent, target ? target.tagName + ':' + target.textContent.trim() : null]; })""")
    seen["h2"] = page.evaluate("() => Array.from(document.querySelectorAll('h2')).map(h => h.textContent.trim())")
    seen["described"] = page.evaluate("""() => Array.from(document.querySelectorAll('.exodus-chart')).map(c => {
        const d = document.getElementById(c.getAttribute('aria-describedby'));
        return [c.getAttribute('role'), c.getAttribute('aria-label'), d ? d.textContent.trim() : null]; })""")
    # The Content-Security-Policy blocks scripts even when one gets into the DOM (the probe's own
    # violation report is the only console message it adds, and is not counted as the page's).
    before = len(seen["console"])
    seen["csp"] = page.evaluate("""() => new Promise(resolve => {
        let blocked = false;
        document.addEventListener('securitypolicyviolation', () => { blocked = true; });
        const s = document.createElement('script'); s.textContent = 'window.__csp_ran = 1;';
        document.body.appendChild(s);
        setTimeout(() => resolve([window.__csp_ran === undefined, blocked]), 100); })""")
    probe = seen["console"][before:]
    assert all("Content Security Policy" in m for m in probe), probe
    del seen["console"][before:]
    context.close()
    return seen


@needs_browser
def test_hostile_report_in_a_real_browser(browser, hostile_report):
    seen = visit(browser, hostile_report[0])
    assert seen["pwned"] == [None, 0]
    assert seen["dialogs"] == []
    assert seen["requests"] == [hostile_report[0].as_uri()]
    assert seen["console"] == [] and seen["errors"] == []
    assert "<script>window.__pwned=1;alert(1)</script>" in seen["text"]
    assert all(seen["charts"]) and len(seen["charts"]) == 3 + 2
    assert seen["csp"] == [True, True]
    assert seen["tabindex"] == []


@needs_browser
def test_shipped_report_in_a_real_browser(browser, shipped_report):
    out = shipped_report[0]  # rendered once per session (conftest.py)
    seen = visit(browser, out / "report.html")
    assert seen["pwned"] == [None, 0] and seen["dialogs"] == []
    assert seen["requests"] == [(out / "report.html").as_uri()]
    assert seen["console"] == [] and seen["errors"] == []
    text = " ".join(seen["text"].split())
    assert "Of the 14 authors of LLaMA (2023)" in text
    assert all(seen["charts"]) and len(seen["charts"]) == 3 * 2 + 2
    # chart text is page text: find-in-page reaches axis labels and bar names
    assert "Mistral AI" in seen["chart_text"][2] and "authors" in " ".join(seen["chart_text"])
    assert "years since publication" in text
    # no stray tabindex, no pilcrow anchors
    assert seen["tabindex"] == [] and "¶" not in text
    # a title naming the papers
    assert seen["title"] == "Where did the authors go? LLaMA (2023); Attention Is All You Need (2017)"
    # the table of contents lists every h2, and each link lands on its heading
    assert [name for name, _ in seen["toc"]] == seen["h2"] and len(seen["h2"]) >= 8
    assert all(target == f"H2:{name}" for name, target in seen["toc"])
    # charts: an image with a short name, described by their caption (not named by it)
    for role, label, caption in seen["described"]:
        assert role == "img" and label.startswith("Chart: ") and caption and caption.startswith(("From", "Each", "The", "Kaplan", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
        assert label not in caption
    # the Content-Security-Policy still blocks scripts
    assert seen["csp"] == [True, True]
