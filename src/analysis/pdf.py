"""The PDF's print options for Chromium, and the post-processing that makes the file reproducible.

Chromium (through Playwright's ``page.pdf``) prints the report with an outline
built from the h1-h6 headings, a tagged structure tree, the document language
from ``<html lang>`` and the title from ``<title>``. It also stamps the time of
printing (``/CreationDate``, ``/ModDate``) and its own user agent
(``/Creator``). :func:`finalise_pdf` rewrites the file with pikepdf (qpdf):
fixed metadata (information dictionary and XMP), dates taken from the report's
snapshot day or dropped, the tagged structure's element names renumbered
(Chromium takes them from DOM node numbers, which can shift by one between two
loads of the same page), and a document ``/ID`` derived from the content, so
that printing the same HTML twice gives byte-identical files. qpdf rewrites
the whole file (objects, cross-reference table, trailer), so every offset stays
valid; the outline and the structure tree are carried over unchanged. It does
this in a few hundredths of a second for the shipped report (pypdf took about
half a second).

The usual sequence is::

    page.pdf(path=str(pdf), **print_options(footer_text="Where did the authors go? - as of 2024-06-30"))
    finalise_pdf(pdf, title="Where did the authors go? Attention (2017)", subject="...", snapshot="2024-06-30")
"""

from __future__ import annotations

import html
import io
import os
import tempfile
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

__all__ = ["PAPER_FORMATS", "DEFAULT_AUTHOR", "DEFAULT_CREATOR", "print_options", "finalise_pdf"]

PAPER_FORMATS = ("A4", "Letter")
DEFAULT_AUTHOR = "exodus-analysis"
DEFAULT_CREATOR = "exodus-analysis (papermill, nbconvert, Chromium)"
DEFAULT_MARGIN = "14mm"

# Chromium's default header and footer show today's date and the file's URL (a temporary
# path): both would make every print different, so the header is always replaced.
EMPTY_HEADER = "<span></span>"
# The header and footer are rendered in their own document: no page CSS applies, every style
# is inline. Chromium fills the elements of class pageNumber and totalPages. The en spaces
# around the slash keep "1 / 10" as three words in text extraction (plain spaces are too
# narrow at this size and pdftotext reads "1/10").
FOOTER = (
    '<div style="box-sizing:border-box;width:100%;padding:0 {side};display:flex;'
    "justify-content:space-between;align-items:baseline;gap:1em;"
    "font-family:'DejaVu Sans','Helvetica Neue',Arial,sans-serif;font-size:8pt;color:#5e6675\">"
    '<span style="min-width:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis">{text}</span>{numbers}</div>'
)
PAGE_NUMBERS = (
    '<span style="white-space:nowrap"><span class="pageNumber"></span>&ensp;/&ensp;'
    '<span class="totalPages"></span></span>'
)


def print_options(
    paper_format: str = "A4",
    footer_text: str = "",
    *,
    page_numbers: bool = True,
    margin: str = DEFAULT_MARGIN,
) -> dict:
    """Keyword arguments for Playwright's ``page.pdf``.

    Parameters
    ----------
    paper_format : {"A4", "Letter"}
        Paper size. A CSS ``@page { size: ... }`` in the page takes precedence
        (``prefer_css_page_size``): the report template's ``size: A4`` has to be
        dropped for "Letter" to take effect.
    footer_text : str
        Plain text printed at the bottom left of every page, e.g. the report's
        title and snapshot date; HTML-escaped here. Empty for none.
    page_numbers : bool
        Print "N / M" at the bottom right of every page. With no footer text
        and no page numbers, Chromium prints no header and no footer at all.
    margin : str
        Page margins (CSS length) used when the page sets none; a CSS
        ``@page { margin: ... }`` in the page takes precedence. The footer is
        drawn inside the bottom margin, which needs about 10 mm.

    Returns
    -------
    dict
        ``format``, ``prefer_css_page_size``, ``print_background``, ``outline``
        (bookmarks from the headings), ``tagged`` (structure tree for
        accessibility), ``margin`` and, with a footer, ``display_header_footer``,
        ``header_template`` (empty: Chromium's default shows today's date) and
        ``footer_template``. Pass them as ``page.pdf(path=..., **options)``.

    Raises
    ------
    ValueError
        If ``paper_format`` is not one of :data:`PAPER_FORMATS`.
    """
    formats = {name.lower(): name for name in PAPER_FORMATS}
    if str(paper_format).lower() not in formats:
        raise ValueError(f"unknown paper format {paper_format!r}; choose from: {', '.join(PAPER_FORMATS)}")
    options: dict = {
        "format": formats[str(paper_format).lower()],
        "prefer_css_page_size": True,
        "print_background": True,
        "outline": True,
        "tagged": True,
        "margin": {"top": margin, "right": margin, "bottom": margin, "left": margin},
    }
    if footer_text or page_numbers:
        footer = FOOTER.format(
            side=margin, text=html.escape(footer_text or ""), numbers=PAGE_NUMBERS if page_numbers else ""
        )
        options.update(display_header_footer=True, header_template=EMPTY_HEADER, footer_template=footer)
    return options


def _pdf_date(day: str | date | None) -> tuple[str, str] | tuple[None, None]:
    """``(PDF date, XMP date)`` for midnight UTC of ``day`` ('YYYY-MM-DD'), or ``(None, None)``."""
    if day is None or day == "":
        return None, None
    if not isinstance(day, date):
        try:
            day = date.fromisoformat(str(day))
        except ValueError:
            raise ValueError(f"snapshot {day!r} is not a date in the form YYYY-MM-DD") from None
    return f"D:{day:%Y%m%d}000000Z", f"{day:%Y-%m-%d}T00:00:00Z"


def _xmp_packet(
    *, title: str, subject: str, language: str, author: str, creator: str, producer: str | None,
    keywords: str | None, created: str | None,
) -> bytes:
    """An XMP metadata packet repeating the information dictionary (read by PDF/UA checkers)."""
    text = xml_escape
    lines = [
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '<rdf:Description rdf:about=""',
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
        ' xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
        "<dc:format>application/pdf</dc:format>",
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text(title)}</rdf:li></rdf:Alt></dc:title>',
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{text(subject)}</rdf:li></rdf:Alt></dc:description>',
        f"<dc:creator><rdf:Seq><rdf:li>{text(author)}</rdf:li></rdf:Seq></dc:creator>",
        f"<dc:language><rdf:Bag><rdf:li>{text(language)}</rdf:li></rdf:Bag></dc:language>",
        f"<xmp:CreatorTool>{text(creator)}</xmp:CreatorTool>",
    ]
    if producer:
        lines.append(f"<pdf:Producer>{text(producer)}</pdf:Producer>")
    if keywords:
        lines.append(f"<pdf:Keywords>{text(keywords)}</pdf:Keywords>")
    if created:
        lines += [f"<xmp:CreateDate>{created}</xmp:CreateDate>", f"<xmp:ModifyDate>{created}</xmp:ModifyDate>",
                  f"<xmp:MetadataDate>{created}</xmp:MetadataDate>"]
    lines += ["</rdf:Description>", "</rdf:RDF>", "</x:xmpmeta>", '<?xpacket end="w"?>']
    return "\n".join(lines).encode("utf-8")


def _renumber_structure_ids(pdf) -> None:
    """Name the tagged structure's elements ``node00000001``, ``node00000002``, ... in the order
    of Chromium's names.

    Chromium names each structure element after its DOM node (``node00001211``), and the DOM's
    counter can start one further from one load of the same page to the next: the same HTML then
    prints with names shifted by one. The names are keys of the structure tree's ``/IDTree``
    (a name tree: sorted keys, each leaf and node bounded by ``/Limits``) and each element's
    ``/ID``; renumbering them in sorted order keeps the tree sorted and its links intact.
    """
    import pikepdf

    structure = pdf.Root.get("/StructTreeRoot")
    tree = structure.get("/IDTree") if isinstance(structure, pikepdf.Dictionary) else None
    if not isinstance(tree, pikepdf.Dictionary):
        return
    nodes, stack = [], [tree]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.get("/Kids", []))
    keys = sorted(str(key) for node in nodes for key in list(node.get("/Names", []))[0::2])
    new = {key: pikepdf.String(f"node{n:08d}") for n, key in enumerate(keys, 1)}
    for node in nodes:
        names = node.get("/Names")
        if names is not None:
            for i in range(0, len(names), 2):
                name = new[str(names[i])]
                names[i] = name
                element = names[i + 1]
                if isinstance(element, pikepdf.Dictionary) and "/ID" in element:
                    element.ID = name
        limits = node.get("/Limits")
        if limits is not None:
            node.Limits = pikepdf.Array([new[str(limits[0])], new[str(limits[1])]])
    # table cells name their header cells by these IDs (attribute /Headers, owner /Table)
    for element in pdf.objects:
        if not isinstance(element, pikepdf.Dictionary) or "/A" not in element:
            continue
        attributes = element.A if isinstance(element.A, pikepdf.Array) else [element.A]
        for attribute in attributes:
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                attribute.Headers = pikepdf.Array([new.get(str(h), h) for h in attribute.Headers])


def finalise_pdf(
    path: str | os.PathLike,
    *,
    title: str,
    subject: str,
    language: str = "en",
    keywords: str | Iterable[str] | None = None,
    snapshot: str | date | None = None,
    author: str = DEFAULT_AUTHOR,
    creator: str = DEFAULT_CREATOR,
) -> Path:
    """Rewrite a PDF printed by Chromium in place, with fixed metadata and no varying bytes.

    The information dictionary is replaced (Title, Subject, Author, Creator,
    Keywords, Chromium's Producer, dates), an XMP packet repeating it is
    attached, the catalogue's ``/Lang`` and ``/DisplayDocTitle`` are set, the structure
    elements' names are renumbered in order (:func:`_renumber_structure_ids`), and the trailer
    gets a document ``/ID`` that qpdf derives from the content (``deterministic_id``).
    The same input and arguments always give the same bytes. The outline,
    links and page content are copied unchanged, the structure tree but for those names. The new file
    is written beside ``path`` and moved over it (``os.replace``): a failure
    leaves ``path`` as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The PDF to rewrite.
    title : str
        Document title (shown by viewers in place of the file name), e.g.
        naming the paper(s) reported.
    subject : str
        Document subject (a one-sentence description).
    language : str
        BCP 47 language tag for the catalogue's ``/Lang`` and the XMP.
    keywords : str or iterable of str, optional
        Keywords; an iterable is joined with ", ".
    snapshot : str or datetime.date, optional
        The day the report describes, 'YYYY-MM-DD': CreationDate and ModDate
        become midnight UTC of that day. Without it both dates are dropped
        (they are optional in PDF). Never the time of printing.
    author : str
        Document author.
    creator : str
        The application that made the document (Chromium's user agent otherwise).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If ``snapshot`` is not a date.
    pikepdf.PdfError
        If ``path`` is not a readable PDF.
    """
    import pikepdf

    path = Path(path)
    pdf_date, xmp_date = _pdf_date(snapshot)
    if keywords is not None and not isinstance(keywords, str):
        keywords = ", ".join(str(word) for word in keywords)
    with pikepdf.open(io.BytesIO(path.read_bytes())) as pdf:
        producer = pdf.trailer.get("/Info", {}).get("/Producer")
        producer = str(producer) if producer is not None else None
        info = {"/Title": title, "/Subject": subject, "/Author": author, "/Creator": creator}
        if producer:
            info["/Producer"] = producer
        if keywords:
            info["/Keywords"] = keywords
        if pdf_date:
            info["/CreationDate"] = info["/ModDate"] = pdf_date
        # a new information dictionary: nothing of Chromium's (its print time) is kept
        pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary({k: pikepdf.String(v) for k, v in info.items()}))
        root = pdf.Root
        root.Lang = pikepdf.String(language)
        # Viewers show the title rather than the file name (Chromium sets this too).
        preferences = root.get("/ViewerPreferences")
        if not isinstance(preferences, pikepdf.Dictionary):
            preferences = root.ViewerPreferences = pikepdf.Dictionary()
        preferences.DisplayDocTitle = True
        xmp = pikepdf.Stream(pdf, _xmp_packet(
            title=title, subject=subject, language=language, author=author, creator=creator,
            producer=producer, keywords=keywords or None, created=xmp_date,
        ))
        xmp.Type, xmp.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        root.Metadata = pdf.make_indirect(xmp)
        _renumber_structure_ids(pdf)
        if "/ID" in pdf.trailer:  # an earlier /ID would be kept as the first element: derive both afresh
            del pdf.trailer.ID
        out = io.BytesIO()
        # qpdf writes only what the catalogue and the new information dictionary reach, and
        # derives the /ID from the content (deterministic_id); at least PDF 1.4 (structure tree, /Lang)
        pdf.save(out, deterministic_id=True, min_version="1.4", fix_metadata_version=False)

    mode = path.stat().st_mode & 0o7777
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as target:
            target.write(out.getbuffer())
            target.flush()
            os.fsync(target.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
