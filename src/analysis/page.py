"""The report page: charts inlined as sanitised SVG, and the finishing pass over nbconvert's HTML.

:func:`inline_svg` turns matplotlib's SVG into markup that is safe to inline in the page: a
whitelist of drawing elements and attributes (no script, no ``foreignObject``, no event
attribute, no link or ``url()`` that leaves the document), ids prefixed per chart so that
several charts never share an id. The chart's text stays text (``svg.fonttype: none``), so the
browser's find-in-page and text extraction reach it.

:func:`finish_html` runs once over the exported page: it drops the lab template's
``tabindex="0"`` on blocks that are not interactive and the "¶" heading anchors, gives every
``h2`` an id, and inserts a table of contents linked to them after the ``h1``.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
import xml.etree.ElementTree as ET

__all__ = ["inline_svg", "finish_html", "chart_id", "SVG_ELEMENTS"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "clipPath", "use", "pattern", "linearGradient", "radialGradient", "stop", "mask", "symbol", "image",
})
"""Drawing elements kept; anything else (script, foreignObject, style, metadata, a, ...) is dropped with its content."""
_ATTRIBUTE = re.compile(r"^[a-zA-Z][a-zA-Z0-9:_.-]*$")
_URL = re.compile(r"url\(\s*['\"]?([^)'\"]*)['\"]?\s*\)")
_RASTER = re.compile(r"^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+$")


def chart_id(svg: str) -> str:
    """A short id for a chart, from its content: stable between renders, distinct between charts."""
    return "chart-" + hashlib.sha1(svg.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _clean_css(value: str, prefix: str) -> str | None:
    """A style value with local ``url(#id)`` references re-pointed; None if it reaches outside."""
    lowered = value.lower()
    if "@import" in lowered or "expression(" in lowered or "javascript:" in lowered:
        return None
    for target in _URL.findall(value):
        if not target.startswith("#"):
            return None
    return _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)[1:]})", value)


def inline_svg(svg: str, prefix: str | None = None) -> str:
    """Matplotlib's SVG (a document) as an ``<svg>`` element safe to inline in the report.

    Parameters
    ----------
    svg : str
        An SVG document, with or without the XML declaration and DOCTYPE.
    prefix : str, optional
        Prepended to every id (and every reference to one); default :func:`chart_id`.

    Returns
    -------
    str
        Serialised ``<svg>``, whitelisted (:data:`SVG_ELEMENTS`), with ``aria-hidden`` left to
        the caller. Raises ``xml.etree.ElementTree.ParseError`` for text that is not XML.
    """
    prefix = prefix or chart_id(svg)
    body = re.sub(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", "", svg)
    parser = ET.XMLParser()
    root = ET.fromstring(body, parser=parser)
    if _local(root.tag) != "svg":
        raise ValueError("not an SVG document")

    def clean(element) -> None:
        for child in list(element):
            if not isinstance(child.tag, str) or _local(child.tag) not in SVG_ELEMENTS:
                element.remove(child)
                continue
            clean(child)
        for name in list(element.attrib):
            value = element.attrib[name]
            local = _local(name)
            keep = _ATTRIBUTE.match(local) and not local.lower().startswith("on")
            if keep and local == "href":
                if value.startswith("#"):
                    value = f"#{prefix}-{value[1:]}"
                elif not (_local(element.tag) == "image" and _RASTER.match(value)):
                    keep = False
            elif keep and local == "id":
                value = f"{prefix}-{value}"
            elif keep and ("url(" in value or local == "style"):
                value = _clean_css(value, prefix)
                keep = value is not None
            if keep:
                element.attrib[name] = value
            else:
                del element.attrib[name]

    clean(root)
    # Matplotlib's <style> (dropped above) only sets the line joins and caps: inherited properties.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


_TABINDEX = re.compile(r'(<[a-zA-Z][^<>]*?) tabindex="0"')
_ANCHOR = re.compile(r'<a class="anchor-link" href="#[^"]*">¶</a>')
_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<inner>.*?)</h2>", re.S)
_ID = re.compile(r'\sid="([^"]*)"')
_TAGS = re.compile(r"<[^>]+>")
_H1_END = re.compile(r"</h1>")


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def finish_html(page: str, contents_label: str = "Contents") -> str:
    """nbconvert's page, finished: no stray ``tabindex``, no "¶" anchors, ids on every ``h2`` and a
    table of contents (``<nav class="exodus-toc">``) after the ``h1`` linking to them.

    Only tags are touched: text from the data has its ``<`` escaped (``&lt;``), so a value
    reading ``<h2 tabindex="0">`` stays literal text.
    """
    page = _TABINDEX.sub(r"\1", page)
    page = _ANCHOR.sub("", page)
    taken: set[str] = set()
    sections = []

    def heading(match: re.Match) -> str:
        attrs, inner = match.group("attrs"), match.group("inner")
        text = html_lib.unescape(_TAGS.sub("", inner)).strip()
        found = _ID.search(attrs)
        slug = _slug(text, taken) if not found else found.group(1)
        taken.add(slug)
        if not found:
            attrs = f' id="{slug}"' + attrs
        sections.append((slug, inner.strip()))
        return f"<h2{attrs}>{inner}</h2>"

    page = _H2.sub(heading, page)
    if not sections:
        return page
    items = "\n".join(f'<li><a href="#{html_lib.escape(slug)}">{_TAGS.sub("", inner)}</a></li>'
                      for slug, inner in sections)
    nav = (f'\n<nav class="exodus-toc" aria-labelledby="exodus-toc-label"><p id="exodus-toc-label" '
           f'class="exodus-toc-label">{html_lib.escape(contents_label)}</p>\n<ol>\n{items}\n</ol>\n</nav>\n')
    placed = _H1_END.search(page)
    if placed is None:
        body = page.find("<main")
        at = page.find(">", body) + 1 if body >= 0 else 0
    else:
        # After the paragraph that follows the title, when there is one in the same cell.
        at = placed.end()
        lede_end = page.find("</p>", at)
        cell_end = page.find("</div>", at)
        if 0 <= lede_end < cell_end:
            at = lede_end + len("</p>")
    return page[:at] + nav + page[at:]
