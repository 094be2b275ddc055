"""analysis.page: the SVG sanitiser and the finishing pass over the exported page."""

from __future__ import annotations

import matplotlib.pyplot as plt

from analysis.notebook import figure_svg
from analysis.page import finish_html, inline_svg

HOSTILE_SVG = """<?xml version="1.0" encoding="utf-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="10pt"
     viewBox="0 0 10 10" onload="alert(1)">
 <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
 <style>*{stroke-linejoin: round}</style>
 <script>alert(2)</script>
 <foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
 <defs><clipPath id="clip1"><rect x="0" y="0" width="5" height="5"/></clipPath></defs>
 <g clip-path="url(#clip1)" onclick="alert(3)"><path d="M 0 0 L 5 5" style="fill: url(https://evil.example/x)"/></g>
 <use xlink:href="#clip1"/><use xlink:href="https://evil.example/a.svg#x"/>
 <a href="https://evil.example/"><text>phish</text></a>
 <image href="https://evil.example/t.png"/>
 <text x="1" y="9" style="font: 10px 'DejaVu Sans'">Mistral &lt;AI&gt;</text>
</svg>"""


class TestInlineSvg:
    def test_strips_everything_that_is_not_drawing(self):
        out = inline_svg(HOSTILE_SVG, "c")
        for bad in ("script", "alert", "foreignObject", "metadata", "<style", "evil.example", "onload", "onclick",
                    "<a ", "phish", "<!DOCTYPE", "<?xml"):
            assert bad not in out, bad
        assert out.startswith("<svg")
        assert "<image />" in out  # an image whose source left the page keeps no href: it loads nothing

    def test_keeps_text_and_local_references_with_prefixed_ids(self):
        out = inline_svg(HOSTILE_SVG, "c")
        assert "Mistral &lt;AI&gt;</text>" in out
        assert 'id="c-clip1"' in out and 'clip-path="url(#c-clip1)"' in out and 'xlink:href="#c-clip1"' in out
        assert 'viewBox="0 0 10 10"' in out

    def test_a_matplotlib_figure_survives(self):
        fig, ax = plt.subplots()
        ax.bar(["Mistral AI", "Meta"], [5, 3])
        ax.set_title("Where they went")
        svg = figure_svg(fig)
        out = inline_svg(svg)
        assert "Where they went" in out and "Mistral AI" in out
        assert inline_svg(svg) == out  # stable ids: the same figure gives the same markup


class TestFinishHtml:
    PAGE = ('<html><head><title>t</title></head><body><main>'
            '<div class="jp-Cell" tabindex="0"><h1 id="Title">Title<a class="anchor-link" href="#Title">¶</a></h1>'
            '<p>Lede.</p></div>'
            '<div tabindex="0"><h2 id="Who-is-left">Who is left<a class="anchor-link" href="#Who-is-left">¶</a></h2></div>'
            '<div><h2>Sources &amp; notes</h2><p>&lt;h2 tabindex="0"&gt;</p></div>'
            '</main></body></html>')

    def test_toc_ids_and_no_stray_markup(self):
        out = finish_html(self.PAGE)
        assert ' tabindex="0">' not in out and "¶" not in out
        assert '<h2 id="sources-notes">Sources &amp; notes</h2>' in out
        assert '<li><a href="#Who-is-left">Who is left</a></li>' in out
        assert '<li><a href="#sources-notes">Sources &amp; notes</a></li>' in out
        # the contents come after the title and its lede, before the first section
        assert out.index("<p>Lede.</p>") < out.index('<nav class="exodus-toc"') < out.index('<h2 id="Who-is-left"')
        assert '<p>&lt;h2 tabindex="0"&gt;</p>' in out  # text from the data stays as it was

    def test_no_headings_no_contents(self):
        assert "exodus-toc" not in finish_html("<html><body><h1>T</h1><p>x</p></body></html>")
