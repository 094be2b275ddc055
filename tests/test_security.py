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
    assert not body.find_all(["script", "iframe", "object", "embed", "svg", "style", "form", "base", "meta", "link"])
    assert all(img["src"].startswith("data:image/svg+xml;base64,") for img in body.find_all("img"))
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
    seen["images"] = page.evaluate("() => Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
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
    assert all(seen["images"]) and len(seen["images"]) == 3 + 2


@needs_browser
def test_shipped_report_in_a_real_browser(browser, tmp_path):
    out = tmp_path / "shipped"
    done = subprocess.run([sys.executable, "-m", "analysis", "render", "--out", str(out), "--formats", "html"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = visit(browser, out / "report.html")
    assert seen["pwned"] == [None, 0] and seen["dialogs"] == []
    assert seen["requests"] == [(out / "report.html").as_uri()]
    assert seen["console"] == [] and seen["errors"] == []
    assert "Of the 14 authors of LLaMA (2023)" in " ".join(seen["text"].split())
    assert all(seen["images"]) and len(seen["images"]) == 3 * 2 + 2
