"""analysis.pdf: Chromium's print options and the reproducible, tagged, bookmarked PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import time

import pytest
from pypdf import PdfReader, PdfWriter

from analysis.pdf import DEFAULT_AUTHOR, DEFAULT_CREATOR, finalise_pdf, print_options
from analysis.render import CHROMIUM_FLAGS, find_chromium

TITLE = "Where did the authors go? Attention (2017), Señor (2019)"
SUBJECT = "Where the authors of two papers went after publication"
SECTIONS = ["Who is left", "Where they went", "When they left", "Methods and caveats"]
SNAPSHOT = "2024-06-30"
FOOTER = "Where did the authors go? · as of 2024-06-30"

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Where did the authors go?</title>
<style>@page {{ size: A4; margin: 14mm; }} body {{ font-family: "DejaVu Sans", sans-serif; }}
h2.next {{ break-before: page; }}</style></head>
<body>
<h1>Where did the authors go?</h1>
<p>Eight authors, two papers, one snapshot.</p>
{sections}
</body></html>
"""


def page_html() -> str:
    parts = []
    for index, name in enumerate(SECTIONS):
        css = ' class="next"' if index == 2 else ""
        parts.append(f"<h2{css}>{name}</h2>\n<p>Text of the section {name.lower()}. " + "Lorem ipsum. " * 20 + "</p>")
    return PAGE.format(sections="\n".join(parts))


def outline_titles(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every bookmark, in order."""
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def structure_types(reader: PdfReader) -> set[str]:
    """The /S of every structure element reachable from the catalogue's /StructTreeRoot."""
    types, stack = set(), [reader.trailer["/Root"].raw_get("/StructTreeRoot")]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, dict) or "/MCID" in node or node.get("/Type") in ("/MCR", "/OBJR"):
            continue
        if "/S" in node:
            types.add(str(node["/S"]))
        if "/K" in node:
            kids = node.raw_get("/K")
            stack.extend(kids.get_object() if isinstance(kids.get_object(), list) else [kids])
    return types


def blank_pdf(path, pages: int = 2) -> None:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "draft", "/CreationDate": "D:20991231235959Z"})
    with open(path, "wb") as out:
        writer.write(out)


# -- print_options ---------------------------------------------------------------------------------


def test_print_options_defaults():
    options = print_options(footer_text="Report <b>&</b> co")
    assert options["format"] == "A4"
    assert options["outline"] is True and options["tagged"] is True
    assert options["print_background"] is True and options["prefer_css_page_size"] is True
    assert options["display_header_footer"] is True
    # Chromium's default header prints today's date: it must always be replaced.
    assert "date" not in options["header_template"]
    footer = options["footer_template"]
    assert 'class="pageNumber"' in footer and 'class="totalPages"' in footer
    assert "Report &lt;b&gt;&amp;&lt;/b&gt; co" in footer and "<b>" not in footer
    assert set(options["margin"]) == {"top", "right", "bottom", "left"}


def test_print_options_paper_and_footer_choices():
    assert print_options("Letter")["format"] == "Letter"
    assert print_options("letter")["format"] == "Letter"
    assert "pageNumber" not in print_options(footer_text="x", page_numbers=False)["footer_template"]
    plain = print_options(page_numbers=False)
    assert "display_header_footer" not in plain and "footer_template" not in plain
    with pytest.raises(ValueError, match="A4, Letter"):
        print_options("A5")


# -- finalise_pdf without Chromium -----------------------------------------------------------------


def test_finalise_is_deterministic_and_sets_metadata(tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    blank_pdf(first)
    blank_pdf(second)
    for path in (first, second):
        finalise_pdf(path, title=TITLE, subject=SUBJECT, keywords=["authors", "attrition"], snapshot=SNAPSHOT)
    assert first.read_bytes() == second.read_bytes()
    reader = PdfReader(first)
    meta = reader.metadata
    assert meta["/Title"] == TITLE and meta["/Subject"] == SUBJECT
    assert meta["/Keywords"] == "authors, attrition"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20240630000000Z"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]  # no temporary file left
    ids = reader.trailer["/ID"]
    assert len(ids) == 2 and ids[0] == ids[1]
    finalise_pdf(second, title="Another title", subject=SUBJECT, keywords=["authors", "attrition"], snapshot=SNAPSHOT)
    assert PdfReader(second).trailer["/ID"][0] != ids[0]  # the /ID follows the content


def tagged_table_pdf(path, first_node: int) -> None:
    """A blank page whose structure tree holds a table header cell named ``node<first_node>`` and
    a data cell naming it in /Headers, as Chromium writes them (its names follow DOM node numbers)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    name = lambda n: pikepdf.String(f"node{n:08d}")  # noqa: E731
    header = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.TH,
                                                  ID=name(first_node)))
    other = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.TH,
                                                 ID=name(first_node + 5)))
    cell = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructElem, S=pikepdf.Name.TD,
        A=pikepdf.Array([pikepdf.Dictionary(O=pikepdf.Name.Table, Headers=pikepdf.Array([name(first_node)]))])))
    leaf = pdf.make_indirect(pikepdf.Dictionary(
        Limits=pikepdf.Array([name(first_node), name(first_node + 5)]),
        Names=pikepdf.Array([name(first_node), header, name(first_node + 5), other])))
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([header, other, cell]),
        IDTree=pikepdf.Dictionary(Kids=pikepdf.Array([leaf]))))
    pdf.save(path)


def test_finalise_renumbers_chromiums_structure_ids(tmp_path):
    """The same page loaded twice can get DOM node numbers one apart: the finalised files are
    still identical, and the data cell still names its header cell."""
    import pikepdf

    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    tagged_table_pdf(first, 1211)
    tagged_table_pdf(second, 1212)
    for path in (first, second):
        finalise_pdf(path, title=TITLE, subject=SUBJECT, snapshot=SNAPSHOT)
    assert first.read_bytes() == second.read_bytes()
    with pikepdf.open(first) as pdf:
        tree = pdf.Root.StructTreeRoot
        leaf = tree.IDTree.Kids[0]
        assert [str(v) for v in leaf.Limits] == ["node00000001", "node00000002"]
        assert str(leaf.Names[0]) == str(leaf.Names[1].ID) == "node00000001"
        assert str(leaf.Names[2]) == str(leaf.Names[3].ID) == "node00000002"
        assert [str(h) for h in tree.K[2].A[0].Headers] == ["node00000001"]


def test_finalise_without_snapshot_drops_the_dates(tmp_path):
    path = tmp_path / "report.pdf"
    blank_pdf(path)
    finalise_pdf(path, title="T", subject="S", language="de")
    reader = PdfReader(path)
    assert "/CreationDate" not in reader.metadata and "/ModDate" not in reader.metadata
    assert reader.trailer["/Root"]["/Lang"] == "de"
    assert bool(reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])
    assert b"2099" not in path.read_bytes()


def test_finalise_failure_leaves_the_file_alone(tmp_path):
    path = tmp_path / "report.pdf"
    blank_pdf(path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        finalise_pdf(path, title="T", subject="S", snapshot="30/06/2024")
    not_pdf = tmp_path / "not.pdf"
    not_pdf.write_bytes(b"not a pdf")
    from pikepdf import PdfError

    with pytest.raises(PdfError):
        finalise_pdf(not_pdf, title="T", subject="S")
    assert path.read_bytes() == before and not_pdf.read_bytes() == b"not a pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not.pdf", "report.pdf"]


# -- Chromium: two prints of the same HTML ---------------------------------------------------------


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The test page printed twice by Chromium (a second apart), each finalised; plus a raw print."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("needs Chromium (make setup installs it)")
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("pdf")
    html = folder / "page.html"
    html.write_text(page_html(), encoding="utf-8")
    paths = [folder / "first.pdf", folder / "second.pdf"]
    raw = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_FLAGS))
        try:
            for index, path in enumerate(paths):
                if index:
                    time.sleep(1.1)  # Chromium's CreationDate has one-second resolution
                page = browser.new_page()
                page.goto(html.as_uri(), wait_until="load")
                page.pdf(path=str(path), **print_options(footer_text=FOOTER))
                page.close()
                raw.append(path.read_bytes())
                finalise_pdf(path, title=TITLE, subject=SUBJECT, keywords=["authors", "attrition"], snapshot=SNAPSHOT)
        finally:
            browser.close()
    return paths, raw


def test_two_prints_are_byte_identical(printed):
    (first, second), raw = printed
    assert raw[0] != raw[1], "Chromium's own prints should differ (their CreationDate)"
    assert first.read_bytes() == second.read_bytes()
    data = first.read_bytes()
    assert data.startswith(b"%PDF-1.4")
    assert b"HeadlessChrome" not in data  # Chromium's user agent, replaced by our Creator
    reader = PdfReader(io.BytesIO(data))
    ids = reader.trailer["/ID"]
    assert len(ids) == 2 and ids[0] == ids[1]


def test_outline_holds_the_headings(printed):
    reader = PdfReader(printed[0][0])
    outline = outline_titles(reader)
    assert outline[0] == (0, "Where did the authors go?", 0)
    assert [title for depth, title, _ in outline[1:]] == SECTIONS
    assert all(depth == 1 for depth, _, _ in outline[1:])
    pages = {title: page for _, title, page in outline}
    assert pages["Who is left"] == 0 and pages["When they left"] == 1


def test_tagged_with_language(printed):
    reader = PdfReader(printed[0][0])
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert {"/Document", "/H1", "/H2", "/P"} <= structure_types(reader)
    assert all("/StructParents" in page for page in reader.pages)


def test_metadata(printed):
    reader = PdfReader(printed[0][0])
    meta = reader.metadata
    assert meta["/Title"] == TITLE
    assert meta["/Subject"] == SUBJECT
    assert meta["/Author"] == DEFAULT_AUTHOR and meta["/Creator"] == DEFAULT_CREATOR
    assert meta["/Keywords"] == "authors, attrition"
    assert meta["/CreationDate"] == meta["/ModDate"] == "D:20240630000000Z"
    xmp = reader.xmp_metadata
    assert xmp.dc_title == {"x-default": TITLE} and xmp.dc_language == ["en"]
    assert bool(reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])


def test_text_and_page_numbers_survive(printed):
    path = printed[0][0]
    reader = PdfReader(path)
    assert len(reader.pages) == 2
    pypdf_text = [page.extract_text() for page in reader.pages]
    assert re.search(r"1\s*/\s*2", pypdf_text[0]) and re.search(r"2\s*/\s*2", pypdf_text[1])
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # poppler-utils
        text = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
        pages = text.split("\f")
        assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
        assert FOOTER in pages[0] and FOOTER in pages[1]
        assert "Methods and caveats" in pages[1] and "Who is left" in pages[0]

