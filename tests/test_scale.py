"""Charts stay readable as the cohort grows: what is drawn at 14, 2,000 and 50,000 authors.

Each chart is drawn at the report's size and style, then laid out
(``fig.canvas.draw()``): tick labels must not overlap one another, and the
legend must cover no bar, no bar label and no tick label. The 14-author
charts keep their shipped layout.
"""

from __future__ import annotations

import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import charts, load_cohort, metrics, notebook
from analysis.cohort import select_papers
from conftest import ROOT, SHIPPED

sys.path.insert(0, str(ROOT / "benchmarks"))
from cohorts import generate

SIZES = (14, 2000, 50_000)


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}-authors")
def paper(request, tmp_path_factory):
    """One paper's rows: LLaMA (the shipped 14) or a generated cohort."""
    if request.param == 14:
        return select_papers(load_cohort(SHIPPED), "LLaMA (2023)")
    path = tmp_path_factory.mktemp("scale") / "cohort.csv"
    generate(request.param, papers=1).to_csv(path, index=False)
    return load_cohort(path)


def _boxes(artists, renderer):
    return [a.get_window_extent(renderer) for a in artists if a.get_visible() and (
        not hasattr(a, "get_text") or a.get_text().strip())]


def _overlaps(boxes, pad: float = 0.5) -> list[tuple[int, int]]:
    return [(i, j) for i, a in enumerate(boxes) for j, b in enumerate(boxes[i + 1:], i + 1)
            if a.x0 < b.x1 - pad and b.x0 < a.x1 - pad and a.y0 < b.y1 - pad and b.y0 < a.y1 - pad]


def _outline(text, renderer) -> np.ndarray:
    """The four corners of a (possibly rotated) text, in display units: its unrotated box turned
    about its anchor point (the labels here rotate with ``rotation_mode="anchor"``)."""
    angle = text.get_rotation()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(angle)
    ax_ = {"left": box.x0, "center": (box.x0 + box.x1) / 2, "right": box.x1}[text.get_horizontalalignment()]
    ay_ = {"bottom": box.y0, "baseline": box.y0, "center": (box.y0 + box.y1) / 2, "center_baseline": (box.y0 + box.y1) / 2,
           "top": box.y1}[text.get_verticalalignment()]
    corners = np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]]) - [ax_, ay_]
    theta = np.radians(angle if text.get_rotation_mode() == "anchor" else 0)
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return corners @ turn.T + [ax_, ay_]


def _polygons_overlap(a: np.ndarray, b: np.ndarray, pad: float = 0.5) -> bool:
    """Separating-axis test for two convex quadrilaterals."""
    for poly in (a, b):
        for i in range(4):
            edge = poly[(i + 1) % 4] - poly[i]
            normal = np.array([-edge[1], edge[0]]) / (np.hypot(*edge) or 1)
            pa, pb = a @ normal, b @ normal
            if pa.max() - pad <= pb.min() or pb.max() - pad <= pa.min():
                return False
    return True


def _text_overlaps(texts, renderer) -> list[tuple[str, str]]:
    shown = [t for t in texts if t.get_visible() and t.get_text().strip()]
    outlines = [_outline(t, renderer) for t in shown]
    return [(shown[i].get_text(), shown[j].get_text()) for i in range(len(shown)) for j in range(i + 1, len(shown))
            if _polygons_overlap(outlines[i], outlines[j])]


def _draw(size, chart, data):
    with matplotlib.rc_context(notebook.REPORT_RC):
        fig, ax = plt.subplots(figsize=size)
        chart(data, ax=ax)
        fig.canvas.draw()
    return fig, ax, fig.canvas.get_renderer()


def _check_readable(ax, renderer, ticks) -> None:
    assert not _text_overlaps(ticks, renderer), "tick labels overlap"
    labels = _boxes(ticks, renderer)
    texts = _boxes([t for t in ax.texts], renderer)
    assert not _overlaps(texts), "bar labels overlap"
    legend = ax.get_legend().get_window_extent(renderer)
    bars = _boxes(ax.patches, renderer)
    for what, boxes in (("a bar", bars), ("a bar label", texts), ("a tick label", labels)):
        hit = [b for b in boxes if _overlaps([legend, b])]
        assert not hit, f"the legend covers {what}"


class TestWaterfall:
    def test_bars_are_capped_and_readable(self, paper):
        steps = metrics.waterfall_steps(paper)
        fig, ax, renderer = _draw((8.5, 4.2), charts.plot_retention_waterfall, steps)
        assert len(ax.patches) == len(steps) <= metrics.MAX_BARS
        _check_readable(ax, renderer, ax.get_xticklabels())

    def test_small_cohorts_keep_their_bars(self, paper):
        if len(paper) > 14:
            pytest.skip("the shipped cohort only")
        steps = metrics.waterfall_steps(paper)
        assert steps["step"].tolist() == ["at publication", "2023", "2024", "2023–2025", "remaining"]
        assert steps.equals(metrics.waterfall_steps(paper, max_bars=None))

    def test_large_cohorts_pool_spans_and_keep_counts(self, paper):
        if len(paper) <= 14:
            pytest.skip("large cohorts only")
        capped, full = metrics.waterfall_steps(paper), metrics.waterfall_steps(paper, max_bars=None)
        assert len(full) > metrics.MAX_BARS >= len(capped)  # without the cap there are too many bars
        assert capped["step"].tolist().count(metrics.SPAN_BUCKET) == 1
        assert capped["value"].iloc[1:-1].sum() == full["value"].iloc[1:-1].sum()  # no departure lost
        assert capped["value"].iloc[-1] == full["value"].iloc[-1]
        spans = full.loc[full["kind"] == "span", "value"].sum()
        assert capped.loc[capped["kind"] == "spans", "value"].sum() == spans


def test_periods_merge_when_spans_are_not_enough():
    rows = [{"paper": "P", "period": str(y), "kind": "period", "first_day": None, "departures": 1, "authors": f"A{y}"}
            for y in range(2010, 2022)]
    out = metrics._fit_bars(pd.DataFrame(rows), 6)
    assert out["period"].tolist() == ["2010–2011", "2012–2013", "2014–2015", "2016–2017", "2018–2019", "2020–2021"]
    assert out["departures"].tolist() == [2] * 6 and out["authors"].iloc[0] == "A2010; A2011"


class TestDestinations:
    def test_legend_clear_of_bars_and_labels(self, paper):
        data = metrics.destinations(paper, top=12)
        fig, ax, renderer = _draw((8.5, 0.45 * len(data) + 1.4), charts.plot_destinations, data)
        assert len(ax.patches) == len(data) <= 13
        _check_readable(ax, renderer, ax.get_yticklabels())
        if len(paper) > 14:
            assert data["destination"].iloc[-1].startswith("Other (")


class TestTimeline:
    def test_readable(self, paper):
        data = metrics.timeline(paper)
        fig, ax, renderer = _draw(charts.timeline_figsize(data), charts.plot_departure_timeline, data)
        assert not _text_overlaps(ax.get_xticklabels() + ax.get_yticklabels(), renderer), "tick labels overlap"
        texts = _boxes(ax.texts, renderer)
        assert not _overlaps(texts), "labels overlap"
        if len(paper) > 60:  # departures per month; the note on unplaced ones sits clear of every bar
            assert ax.get_title(loc="left").startswith("Departures per month")
            bars = _boxes(ax.patches, renderer)
            note = [t for t in ax.texts if "not placed" in t.get_text()]
            assert note and not any(_overlaps([note[0].get_window_extent(renderer), b]) for b in bars)
        else:
            assert len(ax.get_yticklabels()) == len(data)


class TestLoaderFastPaths:
    """What the loader checks at C speed gives exactly what the plain-Python rules give.

    (Dates have one parser, :func:`analysis.dates.parse_fuzzy_date`, with its points cached.)"""

    @pytest.mark.parametrize("source", ["https://example.org/a", "https://example.org/é", "http://a.b/x https://c.d",
                                        "https://exa\u00a0mple.org", "https://example.org/<a>", "ftp://example.org",
                                        "https://a.b  https://c.d", "https://a.b\u2003https://c.d"])
    def test_sources(self, tmp_path, source):
        from analysis.contract import CohortError, check_csv
        from conftest import csv_text

        path = tmp_path / "c.csv"
        path.write_text(csv_text([{"author": "A", "source": source}]), encoding="utf-8")
        outcomes = []
        for read in (load_cohort, check_csv):
            try:
                read(path)
                outcomes.append("ok")
            except CohortError as err:
                outcomes.append(str(err))
        assert outcomes[0] == outcomes[1]

