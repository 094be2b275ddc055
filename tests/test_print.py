"""The printed report, read page by page: layout, navigation, sources on paper, tags, reproducibility.

Two renders are read: the shipped report and a generated cohort of 2,000 authors
(``tests/data/make_large.py``). Each is rendered once (module-scoped fixtures).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from analysis import load_cohort, tables
from analysis.render import _PdfPrinter, _print_pdf, _write_html, find_chromium
from conftest import ROOT, SHIPPED

sys.path.insert(0, str(ROOT / "tests" / "data"))
from make_large import large_cohort_csv

pytestmark = [pytest.mark.render,
              pytest.mark.skipif(find_chromium() is None, reason="needs Chromium (make setup installs it)")]


def squash(text: str) -> str:
    """Text without any whitespace: lines wrapped by the page (long URLs) join up again."""
    return re.sub(r"\s+", "", text)


class Printed:
    """A rendered report: its folder, HTML soup, PDF reader, each page's text and the cohort."""

    def __init__(self, out: Path, data: Path):
        self.out, self.data = out, data
        self.html = BeautifulSoup((out / "report.html").read_text(encoding="utf-8"), "html.parser")
        self.reader = PdfReader(out / "report.pdf")
        self.pages = [page.extract_text() for page in self.reader.pages]
        self.cohort = load_cohort(data)

    def sections(self) -> list[str]:
        return [" ".join(h.get_text().split()) for h in self.html.find_all("h2")]

    def body_lines(self, index: int) -> list[str]:
        """The page's lines, without the footer (the title line and "N / M")."""
        total = len(self.pages)
        lines = [" ".join(line.split()) for line in self.pages[index].splitlines()]
        return [line for line in lines if line and not line.startswith("Where did the authors go?")
                and not re.fullmatch(rf"\d+ / {total}", line)]


def _render(out: Path, data: Path) -> Printed:
    done = subprocess.run([sys.executable, "-m", "analysis", "render", "--data", str(data), "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return Printed(out, data)


@pytest.fixture(scope="module", params=["shipped", "large"])
def printed(request, tmp_path_factory) -> Printed:
    if request.param == "shipped":  # rendered once per session (conftest.py), shared with the render tests
        return Printed(request.getfixturevalue("shipped_report")[0], SHIPPED)
    work = tmp_path_factory.mktemp(request.param)
    return _render(work / "report", large_cohort_csv(work / "large.csv", 2000))


def test_no_section_heading_ends_a_page(printed):
    headings = set(printed.sections())
    for index in range(len(printed.pages)):
        last = printed.body_lines(index)[-2:]
        stranded = [line for line in last if line in headings]
        assert not stranded, f"page {index + 1} ends with the heading {stranded}"


def test_each_chart_shares_its_page_with_its_caption(printed):
    charts = printed.html.select(".exodus-chart")
    assert charts
    for chart in charts:
        texts = [" ".join(t.get_text().split()) for t in chart.find_all("text")]
        mark = squash(max(texts, key=len))
        caption = printed.html.find(id=chart["aria-describedby"])
        start = squash(" ".join(caption.get_text().split()[:8]))
        pages = [i for i, text in enumerate(printed.pages) if start in squash(text)]
        assert pages, f"caption {start!r} not found"
        assert any(mark in squash(printed.pages[i]) for i in pages), (
            f"chart {chart['aria-label']!r} is not on the page of its caption (page {pages[0] + 1})")


def test_every_page_is_numbered(printed):
    total = len(printed.pages)
    for index, text in enumerate(printed.pages):
        assert re.search(rf"\b{index + 1}\s*/\s*{total}\b", text), f"page {index + 1} has no page number"


def test_outline_holds_every_section(printed):
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(" ".join(item.title.split()))

    walk(printed.reader.outline)
    for section in printed.sections():
        assert section in titles, section
    assert "Sources" in titles and "Methods and caveats" in titles


def test_sources_are_on_paper(printed):
    # A URL wrapped after one of its hyphens is printed whole, but text extraction reads a
    # line-final hyphen as a soft one and drops it: compare without hyphens.
    text = squash(" ".join(printed.pages)).replace("-", "")
    listed = tables.sources(printed.cohort)
    assert listed
    for source in listed:
        assert squash(source["url"]).replace("-", "") in text, source["url"]
    # the table's [n] point to the list
    first = printed.html.select_one("table.exodus-authors a[href^='#source-']")
    assert printed.html.find(id=first["href"][1:]).name == "li"


def test_tagged_with_a_language(printed):
    root = printed.reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root


def test_unique_title_names_the_papers(printed):
    papers = list(dict.fromkeys(printed.cohort["paper"]))
    title = printed.html.title.get_text()
    assert title == "Where did the authors go? " + "; ".join(papers)
    assert printed.reader.metadata.title == title


def test_print_is_byte_identical(printed, tmp_path):
    """The same HTML printed again gives the same bytes as the render's PDF."""
    import json

    summary = json.loads((printed.out / "summary.json").read_text(encoding="utf-8"))
    again = tmp_path / "again.pdf"
    printer = _PdfPrinter(find_chromium(), tmp_path)
    printer.start()
    try:
        _print_pdf(printer, printed.out / "report.html", again, summary)
    finally:
        printer.cancel()
    assert again.read_bytes() == (printed.out / "report.pdf").read_bytes()


def test_captions_stay_short(printed):
    for caption in printed.html.select(".exodus-figcaption"):
        assert len(caption.get_text()) < 700, caption.get_text()[:200]


def test_letter_paper(tmp_path):
    """--paper-size letter: the page's @page size and Chromium's format follow it."""
    from analysis.__main__ import build_parser

    assert build_parser().parse_args(["render", "--paper-size", "letter"]).paper_size == "Letter"
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Title\n\nLede.\n\n## One\n\nText.\n\n## Two\n\nMore text."))
    html = tmp_path / "report.html"
    _write_html(nb, html, "Where did the authors go? X (2020)", "Letter")
    page = html.read_text(encoding="utf-8")
    assert "@page { size: Letter;" in page and "size: A4" not in page
    assert '<a href="#One">One</a>' in page and "¶" not in page
    pdf = tmp_path / "report.pdf"
    printer = _PdfPrinter(find_chromium(), tmp_path)
    printer.start()
    try:
        _print_pdf(printer, html, pdf, {"papers": [{"paper": "X (2020)", "as_of": "2024-06-30"}]}, "Letter")
    finally:
        printer.cancel()
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
