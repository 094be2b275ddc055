"""Charts: what is drawn matches the data (bars, labels, counts), not pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from analysis import charts, metrics as m

AS_OF = pd.Timestamp("2024-06-30")


def bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def texts(ax):
    return [t.get_text() for t in ax.texts]


class TestRetentionWaterfall:
    def test_bars_match_steps(self, tiny):
        steps = m.waterfall_steps(tiny, AS_OF)
        ax = charts.plot_retention_waterfall(steps)
        drawn = bars(ax)
        assert len(drawn) == len(steps)
        assert [b.get_height() for b in drawn] == (steps["top"] - steps["bottom"]).tolist()
        assert [b.get_y() for b in drawn] == steps["bottom"].tolist()
        assert texts(ax) == ["5", "−1", "−1", "−1", "−1", "1"]
        assert [t.get_text() for t in ax.get_xticklabels()] == steps["step"].tolist()

    def test_start_and_end_totals_labelled(self, tiny):
        ax = charts.plot_retention_waterfall(m.waterfall_steps(tiny, AS_OF))
        labels = {t.get_text(): t.get_fontweight() for t in ax.texts}
        assert labels["5"] == "bold" and labels["1"] == "bold"

    def test_uncertain_steps_hatched(self, tiny):
        steps = m.waterfall_steps(tiny, pd.Timestamp("2021-06-30"))
        ax = charts.plot_retention_waterfall(steps)
        hatches = [b.get_hatch() for b in bars(ax)]
        assert hatches[steps.index[steps["kind"] == "possible"][0]] == ".."

    def test_uses_given_ax_and_returns_it(self, tiny):
        fig, ax = plt.subplots()
        assert charts.plot_retention_waterfall(m.waterfall_steps(tiny, AS_OF), ax=ax) is ax

    def test_empty_frame_leaves_ax_untouched(self):
        fig, ax = plt.subplots()
        assert charts.plot_retention_waterfall(pd.DataFrame(columns=["paper", "step", "kind", "value", "bottom", "top"]), ax=ax) is ax
        assert not ax.patches

    def test_one_paper_at_a_time(self, tiny):
        steps = m.waterfall_steps(tiny, AS_OF)
        both = pd.concat([steps, steps.assign(paper="Q")])
        with pytest.raises(ValueError, match="filter the frame to one of"):
            charts.plot_retention_waterfall(both)

    def test_all_stayed(self, all_stayed):
        ax = charts.plot_retention_waterfall(m.waterfall_steps(all_stayed, AS_OF))
        assert [b.get_height() for b in bars(ax)] == [2, 2]


class TestDestinations:
    def test_bars_and_colours(self, tiny):
        data = m.destinations(tiny, AS_OF)
        ax = charts.plot_destinations(data)
        drawn = bars(ax)
        assert [b.get_width() for b in drawn] == data["authors"].tolist()
        assert [to_hex(b.get_facecolor()) for b in drawn] == [
            charts.TYPE_PALETTE["startup"], charts.TYPE_PALETTE["unspecified"], charts.TYPE_PALETTE["academia"]]
        assert [t.get_text() for t in ax.get_yticklabels()] == ["X", "Unknown", "Y"]

    def test_counts_and_founders_marked(self, tiny):
        ax = charts.plot_destinations(m.destinations(tiny, AS_OF))
        assert texts(ax) == ["2  ★ 1 founder", "1", "1"]

    def test_legend_lists_types_present(self, tiny):
        ax = charts.plot_destinations(m.destinations(tiny, AS_OF))
        assert [t.get_text() for t in ax.get_legend().get_texts()] == ["start-up", "type not given", "academia"]

    def test_palette_is_shared_and_complete(self):
        assert set(charts.TYPE_PALETTE) == {"startup", "big_tech", "research_lab", "academia", "other", "unspecified"}
        assert len(set(charts.TYPE_PALETTE.values())) == 6

    def test_empty(self):
        fig, ax = plt.subplots()
        assert charts.plot_destinations(pd.DataFrame(
            columns=["paper", "destination", "destination_type", "authors", "founders", "names"]), ax=ax) is ax
        assert not ax.patches


class TestDepartureTimeline:
    def test_one_row_per_author(self, tiny):
        data = m.timeline(tiny, AS_OF)
        ax = charts.plot_departure_timeline(data)
        assert [t.get_text() for t in ax.get_yticklabels()] == data["author"].tolist()

    def test_exact_days_are_markers_intervals_are_hatched(self, tiny):
        data = m.timeline(tiny, AS_OF)
        ax = charts.plot_departure_timeline(data)
        diamonds = [line for line in ax.lines if line.get_marker() == "D"]
        assert len(diamonds) == 1  # B left on 2022-05-10
        hatched = [b for b in bars(ax) if b.get_hatch() == "//"]
        assert len(hatched) == 3  # A (a year), C (unknown), E (a month)
        widths = sorted(round(b.get_width()) for b in hatched)
        assert widths == sorted([
            (pd.Timestamp("2019-06-30") - pd.Timestamp("2019-06-01")).days,
            (pd.Timestamp("2021-12-31") - pd.Timestamp("2021-01-01")).days,
            (pd.Timestamp("2024-06-30") - pd.Timestamp("2020-01-15")).days,
        ])

    def test_publication_and_as_of_marked(self, tiny):
        ax = charts.plot_departure_timeline(m.timeline(tiny, AS_OF))
        labels = texts(ax)
        assert "published 2020-01-15" in labels and "as of 2024-06-30" in labels
        assert labels.count("still there") == 1

    def test_aggregated_view_for_large_cohorts(self, tiny):
        data = m.timeline(tiny, AS_OF)
        ax = charts.plot_departure_timeline(data, max_rows=3)
        monthly, wider = m.departures_per_month(data)
        assert [b.get_height() for b in bars(ax)] == monthly["departures"].tolist()
        assert "2 departures known only to a wider interval: not placed" in texts(ax)
        assert ax.get_title(loc="left").startswith("Departures per month")

    def test_text_is_literal_not_mathtext(self, write_csv):
        from analysis import load_cohort

        c = load_cohort(write_csv([{"author": "$x^2$ cost", "left": "2021", "destination": "$(rm -rf)"}]))
        ax = charts.plot_departure_timeline(m.timeline(c, AS_OF))
        ax.figure.canvas.draw()  # would raise on broken mathtext
        assert ax.get_yticklabels()[0].get_text() == r"\$x^2\$ cost"


def test_waterfall_shows_a_return_as_a_gain(write_csv):
    from analysis import load_cohort

    c = load_cohort(write_csv([{"author": "R", "left": "2021", "returned": "2023", "destination": "Z"}, {"author": "S"}]))
    steps = m.waterfall_steps(c, AS_OF)
    ax = charts.plot_retention_waterfall(steps)
    assert texts(ax) == ["2", "−1", "+1", "2"]
    assert "came back" in [t.get_text() for t in ax.get_legend().get_texts()]


class TestOverTime:
    def test_retention_over_time_one_line_per_paper(self, write_csv):
        from analysis import load_cohort, survival

        c = load_cohort(write_csv([
            {"author": "A", "left": "2021", "destination": "Z"}, {"author": "B"},
            {"paper": "Q (2017)", "published": "2017-06-12", "author": "C", "left": "2019-05", "destination": "Z"},
        ]))
        curve = survival.retention_curve(c, AS_OF)
        ax = charts.plot_retention_over_time(curve)
        assert [line.get_label() for line in ax.get_lines()] == ["P (2020)", "Q (2017)"]
        assert len(ax.collections) == 2  # one uncertainty band per paper
        ends = curve.groupby("paper", sort=False)["share_high"].last()
        assert texts(ax) == [f"{v:.0%}" for v in ends]
        assert [to_hex(line.get_color()) for line in ax.get_lines()] == list(charts.paper_colors(["P (2020)", "Q (2017)"]).values())

    def test_survival_curve_band_and_medians(self, tiny):
        from analysis import survival

        km = survival.kaplan_meier(tiny, AS_OF, resamples=10)
        medians = survival.median_time_to_departure(km)
        ax = charts.plot_survival(km, medians=medians)
        steps = [line for line in ax.get_lines() if line.get_label() == "P (2020)"]
        assert len(steps) == 1
        np.testing.assert_allclose(steps[0].get_xdata(), km["years"])
        assert len(ax.collections) == 2  # interval-censoring range + bootstrap band
        assert any(line.get_ydata()[0] == 0.5 and line.get_linewidth() == 5 for line in ax.get_lines())

    def test_empty(self):
        fig, ax = plt.subplots()
        assert charts.plot_survival(pd.DataFrame(columns=["paper", "years"]), ax=ax) is ax
        assert charts.plot_retention_over_time(pd.DataFrame(columns=["paper", "years"]), ax=ax) is ax


def test_timeline_draws_a_return_as_presence_again(write_csv):
    from analysis import load_cohort

    c = load_cohort(write_csv([{"author": "R", "joined": "2010", "left": "2021-10-01", "returned": "2023-05-01",
                                "destination": "Z"}]))
    ax = charts.plot_departure_timeline(m.timeline(c, AS_OF))
    present = [b for b in bars(ax) if to_hex(b.get_facecolor()) == charts._PRESENT]
    assert [round(b.get_width()) for b in present] == [
        (pd.Timestamp("2021-10-01") - pd.Timestamp("2010-12-31")).days,
        (AS_OF - pd.Timestamp("2023-05-01")).days]
    assert "Z, then back" in texts(ax)


def test_timeline_year_ticks_thin_out_on_long_spans(write_csv):
    from analysis import load_cohort

    c = load_cohort(write_csv([{"author": "Old", "joined": "1990", "left": "2021", "destination": "Z"}]))
    ax = charts.plot_departure_timeline(m.timeline(c, AS_OF))
    assert len(ax.get_xticks()) <= 13


def test_interval_bars_are_hatched_in_the_svg(tiny):
    """The SVG (what the report embeds) draws the hatch: each pattern's background differs from its
    lines' colour, so they do not vanish into a face of their own colour."""
    import re

    from analysis import notebook

    fig, ax = plt.subplots(figsize=charts.timeline_figsize(m.timeline(tiny, AS_OF)))
    charts.plot_departure_timeline(m.timeline(tiny, AS_OF), ax=ax)
    svg = notebook.figure_svg(fig)
    patterns = re.findall(r"<pattern.*?</pattern>", svg, re.S)
    assert patterns
    for pattern in patterns:
        background = re.search(r'<rect [^>]*fill="([^"]+)"', pattern).group(1)
        lines = re.search(r'<path [^>]*style="[^"]*stroke: *([^;"]+)', pattern).group(1)
        assert background != lines, pattern[:300]
