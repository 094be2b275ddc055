"""HTML fragments: computed figures in, data shown as literal text, only http(s) links."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis import load_cohort, metrics as m, tables
from analysis.dates import describe_fuzzy_date

AS_OF = pd.Timestamp("2024-06-30")

HOSTILE = {
    "author": "<script>alert('x')</script>",
    "destination": "<img src=x onerror=alert(1)>",
    "role": "=HYPERLINK(\"http://evil.example\",\"click\")",
    "notes": "{{7*7}} $(rm -rf /) `id`",
    "left": "2021",
    "destination_type": "startup",
    "founder": "true",
    "source": "https://example.org/a?q=1&x=2",
}


@pytest.mark.parametrize(
    "text, words",
    [("", ""), ("2023-06", "2023-06"), ("../2019-06", "on or before 2019-06"), ("2024-08/..", "2024-08 or later"),
     ("2023-02-27/2023-11-17", "between 2023-02-27 and 2023-11-17"), ("unknown", "date not public")],
)
def test_describe_fuzzy_date(text, words):
    assert describe_fuzzy_date(text) == words


@pytest.mark.parametrize("low, high, text", [(2.25, 3.33, "2.2–3.3"), (3.6, float("nan"), "≥ 3.6"),
                                             (float("nan"), float("nan"), "unknown"), (4.0, 4.01, "4.0")])
def test_format_years(low, high, text):
    assert tables.format_years(low, high) == text


class TestHeadline:
    def test_sentence_carries_computed_figures(self, tiny):
        html = tables.headline_html(tiny, AS_OF)
        text = " ".join(html.split())
        assert "Of the <strong>5</strong> authors of <em>P (2020)</em>" in text
        assert "<strong>4</strong> had left Org by 2024-06-30 (80%)" in text
        assert "<strong>1</strong> was still there" in text
        assert "The largest group, <strong>2</strong>, went to X." in text

    def test_returns_mentioned(self, write_csv):
        c = load_cohort(write_csv([{"author": "R", "left": "2021", "returned": "2023", "destination": "Z"}, {"author": "S"}]))
        text = " ".join(tables.headline_html(c, AS_OF).split())
        assert "<strong>2</strong> were there, 1 of them back after leaving." in text

    def test_possible_departures_mentioned(self, tiny):
        text = " ".join(tables.headline_html(tiny, pd.Timestamp("2021-06-30")).split())
        assert "<strong>2</strong> may have left" in text


class TestAuthorTable:
    def test_rows_and_links(self, tiny):
        html = tables.author_table_html(tiny, AS_OF)
        assert html.count("<tr><td>") == 5
        assert html.count('<a href="#source-1"') == 5  # numbered links to the Sources list
        assert "https://example.org/a" not in html
        assert "date not public" in html and "≥" not in html.split("<tbody>")[1].split("</tr>")[0]

    def test_long_cohorts_are_cut_and_say_so(self, tiny):
        html = tables.author_table_html(tiny, AS_OF, max_rows=2)
        assert html.count("<tr><td>") == 2
        assert "… and 3 more authors of P (2020), not listed here" in html

    def test_hostile_text_is_escaped(self, write_csv):
        cohort = load_cohort(write_csv([HOSTILE]))
        html = tables.author_table_html(cohort, AS_OF) + tables.headline_html(cohort, AS_OF)
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        # the source URL is an attribute value, escaped, in the Sources list
        assert 'href="https://example.org/a?q=1&amp;x=2"' in tables.sources_html(cohort)


class TestSources:
    def test_numbered_once_each_in_first_citation_order(self, write_csv):
        c = load_cohort(write_csv([{"author": "A", "source": "https://a.example/1 https://b.example/2"},
                                   {"author": "B", "source": "https://b.example/2 https://c.example/3"}]))
        listed = tables.sources(c)
        assert [(s["n"], s["url"]) for s in listed] == [(1, "https://a.example/1"), (2, "https://b.example/2"),
                                                         (3, "https://c.example/3")]
        assert listed[1]["cited"] == ["A", "B"]
        html = tables.sources_html(c)
        assert '<li id="source-2"><a href="https://b.example/2"' in html
        assert ">https://c.example/3</a>" in html  # the URL is the visible text: it survives printing
        table = tables.author_table_html(c, AS_OF)
        assert '<a href="#source-2" aria-label="source 2">[2]</a> <a href="#source-3"' in table

    def test_cut_tables_list_the_sources_they_show(self, tiny):
        html = tables.sources_html(tiny, max_rows=2)
        assert "of the 3 authors not listed in the table are in the data file" in html


class TestHeadlineWording:
    def test_a_single_returner_still_there(self, write_csv):
        c = load_cohort(write_csv([{"author": "R", "left": "2021", "returned": "2023", "destination": "Z"},
                                   {"author": "S", "left": "2021", "destination": "Z"}]))
        text = " ".join(tables.headline_html(c, AS_OF).striptags().split())
        assert "and 1 was there, back after leaving." in text and "1 of them" not in text


class TestCaveats:
    def test_lists_unknowns(self, tiny):
        text = " ".join(tables.caveats_html(tiny, AS_OF, "tiny.csv").split())
        assert "<code>tiny.csv</code>, 5 rows" in text
        assert "of 4 departures, 1 is dated to the day; 1 is dated to the month; 1 is dated to the year; 1 is dated nowhere: no public date." in text
        assert "Join date not public for: C." in text


class TestCaptions:
    def test_waterfall(self, tiny):
        text = " ".join(tables.waterfall_caption(m.waterfall_steps(tiny, AS_OF)).split())
        assert "From 5 authors at publication to 1 remaining: 1 in 2019, 1 in 2021, 1 in 2022, 1 date unknown." in text

    def test_waterfall_with_a_return(self, write_csv):
        c = load_cohort(write_csv([{"author": "R", "left": "2021", "returned": "2023", "destination": "Z"}, {"author": "S"}]))
        text = " ".join(tables.waterfall_caption(m.waterfall_steps(c, AS_OF)).split())
        assert "From 2 authors at publication to 2 remaining: 1 in 2021, 1 came back." in text

    def test_destinations(self, tiny):
        text = " ".join(tables.destinations_caption(m.destinations(tiny, AS_OF)).split())
        assert text.startswith('<p class="exodus-caption">4 leavers went to 2 organisations; 2 to X; where 1 went is not public.')
        assert "(1 in all)" in text

    def test_timeline(self, tiny):
        text = " ".join(tables.timeline_caption(m.timeline(tiny, AS_OF)).split())
        assert "Of the 4 departures, 1 is known to the day (diamond); the 3 others are drawn as bars" in text

    def test_timeline_one_departure(self, write_csv):
        c = load_cohort(write_csv([{"author": "R", "left": "2021-03-04", "destination": "Z"}, {"author": "S"}]))
        text = " ".join(tables.timeline_caption(m.timeline(c, AS_OF)).split())
        assert "The one departure is known to the day (diamond)." in text and "departures" not in text

    def test_waterfall_without_spans_says_nothing_of_hatching(self, tiny):
        assert "Hatched" not in tables.waterfall_caption(m.waterfall_steps(tiny, AS_OF))

    def test_waterfall_caption_stays_short_for_many_periods(self, write_csv):
        rows = [{"author": f"A{i}", "left": f"{2000 + i % 40}-0{1 + i % 9}", "destination": "Z",
                 "published": "1999-01-01", "verified": "2041-01-01"} for i in range(2000)]
        c = load_cohort(write_csv(rows))
        steps = m.waterfall_steps(c, pd.Timestamp("2041-01-01"))
        text = tables.waterfall_caption(steps).striptags()
        assert len(text) < 400, text
        assert "more steps account for" in text

    def test_survival_median_not_reached(self):
        medians = pd.DataFrame({"paper": ["P"], "median_low": [float("nan")], "median_high": [float("nan")]})
        text = " ".join(tables.survival_caption(medians).striptags().split())
        assert "P, not reached (fewer than half had left)." in text and "not reached years" not in text


class TestSummary:
    def test_json_ready(self, tiny):
        s = tables.summary(tiny, AS_OF, "tiny.csv")
        assert json.loads(json.dumps(s)) == s
        paper = s["papers"][0]
        assert (paper["authors"], paper["departed"], paper["remaining"], paper["top_destination"]) == (5, 4, 1, "X")
        assert s["as_of"] == "2024-06-30" and paper["published"] == "2020-01-15"

    def test_all_stayed_has_no_nan(self, all_stayed):
        s = tables.summary(all_stayed, AS_OF, "s.csv")
        assert s["papers"][0]["leaver_tenure_mean_min_years"] is None
        json.dumps(s, allow_nan=False)


class TestComparison:
    def test_single_paper_has_nothing_to_compare(self, tiny):
        assert tables.comparison_html(tiny, AS_OF) == ""

    def test_side_by_side_and_shared_destinations(self, write_csv):
        c = load_cohort(write_csv([
            {"author": "A", "left": "2021", "destination": "Z"}, {"author": "B"},
            {"paper": "Q (2017)", "published": "2017-06-12", "author": "C", "left": "2019-05", "destination": "Z"},
            {"paper": "Q (2017)", "published": "2017-06-12", "author": "D", "left": "2019-05", "destination": "W"},
        ]))
        html = " ".join(tables.comparison_html(c, m.as_of_by_paper(c)).split())
        assert "<th>P (2020)</th><th>Q (2017)</th>" in html
        assert "<tr><th>left</th><td>1 (50%)</td><td>2 (100%)</td></tr>" in html
        assert "<strong>Z</strong> (1 from P (2020), 1 from Q (2017))." in html
        assert m.shared_destinations(c)["destination"].unique().tolist() == ["Z"]


def test_captions_follow_the_aggregated_charts(write_csv):
    """Above 60 authors the timeline shows departures per month, and its caption says so; a pooled
    "known only to a span" waterfall bar is named in words."""
    rows = [{"author": f"A{i}", "left": "2021-03" if i % 3 else "2020/2022", "destination": "X"} for i in range(70)]
    data = m.timeline(load_cohort(write_csv(rows)))
    text = " ".join(tables.timeline_caption(data).striptags().split())
    assert text == ("Departures per month, for the 46 departures known to within one month; 24 known only to a "
                    "wider interval are counted, not placed (the waterfall shows them).")
    steps = pd.DataFrame([
        {"paper": "P", "step": "at publication", "kind": "start", "value": 70, "bottom": 0, "top": 70, "authors": ""},
        {"paper": "P", "step": "known only to a span", "kind": "spans", "value": -24, "bottom": 46, "top": 70,
         "authors": ""},
        {"paper": "P", "step": "remaining", "kind": "end", "value": 46, "bottom": 0, "top": 46, "authors": ""}])
    text = " ".join(tables.waterfall_caption(steps).striptags().split())
    assert "24 at dates known only to a span wider than one period" in text


def test_the_largest_group_is_at_its_destination_only_while_none_came_back(write_csv):
    """All three who went to Zeta were back, and the card still said "3 at Zeta"."""
    from analysis import load_cohort

    rows = [{"author": a, "left": "2021", "returned": "2022-06", "destination": "Zeta"} for a in "ABC"]
    rows += [{"author": "D", "left": "2021", "destination": "Lab"}, {"author": "E", "left": "2022", "destination": "Lab"}]
    cohort = load_cohort(write_csv(rows))
    html = str(tables.headline_html(cohort, "2024-01-31"))
    assert '<span class="n">3</span><span>went to Zeta</span>' in html
    html = str(tables.headline_html(cohort[cohort["destination"] != "Zeta"], "2024-01-31"))
    assert '<span class="n">2</span><span>at Lab</span>' in html


def test_caveats_count_join_dates_as_written():
    """'8 authors have only an "on or before" join date' where the CSV has 12: tenure kinds were counted."""
    import csv

    from analysis import load_cohort
    from conftest import SHIPPED

    rows = list(csv.DictReader(SHIPPED.read_text(encoding="utf-8").splitlines()))
    on_or_before = {p: sum(r["paper"] == p and r["joined"].startswith("../") for r in rows) for p in {r["paper"] for r in rows}}
    text = " ".join(tables.caveats_html(load_cohort(SHIPPED), None, "authors.csv").striptags().split())
    for paper, n in on_or_before.items():
        part = text.split(paper, 1)[1].split("status as of", 2)[1]
        if n:
            assert f"{n} authors have only an \"on or before\" join date" in part.split(" Attention")[0]
        else:
            assert "only an \"on or before\" join date" not in part


def test_retention_caption_gives_both_bounds_when_departures_are_only_possible():
    """The caption gave 86% still there beside a headline of 4 of 14 (29%): it quoted the upper bound alone."""
    from analysis import load_cohort, metrics, survival
    from conftest import SHIPPED

    cohort = load_cohort(SHIPPED)
    head = metrics.headline(cohort, "2023-06-01").iloc[0]
    text = " ".join(tables.retention_over_time_caption(survival.retention_curve(cohort, "2023-06-01")).striptags().split())
    certain = round(100 * head["remaining"] / head["authors"])
    possible = round(100 * (head["remaining"] + head["possibly_departed"]) / head["authors"])
    assert f"LLaMA (2023), {certain}% certainly and up to {possible}% possibly still there" in text
    assert (certain, possible) == (29, 86)


def test_timeline_caption_says_which_departures_are_only_possible_and_counts_one_other():
    """'Of the 10 departures' stood beside a headline of 2 gone; and '1 others' was drawn."""
    from analysis import load_cohort, metrics
    from conftest import SHIPPED

    data = metrics.timeline(load_cohort(SHIPPED), "2023-06-01")
    text = " ".join(tables.timeline_caption(data[data["paper"] == "LLaMA (2023)"]).striptags().split())
    assert "Of the 10 departures (8 of them only possible by the as-of date)" in text
    one_other = data.head(3).assign(status="departed", left_kind=["day", "day", "month"])
    text = " ".join(tables.timeline_caption(one_other).striptags().split())
    assert "2 are known to the day (diamond); the other is drawn as a bar" in text


def test_no_survival_chart_says_the_leavers_came_back(write_csv):
    from unittest import mock

    from analysis import load_cohort, notebook

    cohort = load_cohort(write_csv([{"author": a, "left": "2021", "returned": "2022-06", "destination": "Z"} for a in "AB"]))
    with mock.patch.object(notebook, "_display") as shown:
        notebook.show_survival(cohort, "2024-01-01", resamples=10)
    text = " ".join(str(shown.call_args[0][0]).split())
    assert "had left and stayed away by 2024-01-01 (2 left and came back)" in text


def test_a_long_warnings_box_lists_25_and_counts_the_rest_by_kind(write_csv):
    """A past as-of date on 2,000 authors gave a box of 992 items, drowning the one that mattered."""
    from analysis import load_cohort

    rows = [{"author": f"A{i}", "left": "2023", "destination": "X"} for i in range(40)]
    rows.append({"author": "B", "left": "2031", "destination": "X"})
    cohort = load_cohort(write_csv(rows))
    html = str(tables.warnings_html(cohort, "2022-01-01"))
    assert html.count("<li>") == tables.WARNINGS_SHOWN + 1
    text = " ".join(tables.warnings_html(cohort, "2022-01-01").striptags().split())
    assert text.startswith("Check before citing: 41 things")
    assert text.endswith("and 16 more: 15 is after the as-of date; 1 is in the future. summary.json lists every one.")
    assert str(tables.warnings_html(cohort.head(29), "2022-01-01")).count("<li>") == 29  # never "and 2 more"


def test_a_tie_for_the_largest_destination_is_shown_as_a_tie(write_csv):
    """'1 at BigCo' was shown as the largest destination where BigCo and Uni had one leaver each."""
    from analysis import load_cohort

    rows = [{"author": "A", "left": "2021", "destination": "BigCo"}, {"author": "B", "left": "2021", "destination": "Uni"},
            {"author": "C", "left": "2021", "destination": "Lab"}, {"author": "D", "left": "2022", "destination": "Lab"},
            {"author": "E", "left": "2022", "destination": "Uni"}]
    cohort = load_cohort(write_csv(rows))
    text = " ".join(tables.headline_html(cohort, "2024-01-31").striptags().split())
    assert "The largest groups, 2 each, went to Lab and Uni." in text and "2each at Lab and Uni" in text
    text = " ".join(tables.headline_html(cohort[cohort["author"] != "E"], "2024-01-31").striptags().split())
    assert "The largest group, 2, went to Lab." in text and "2at Lab" in text


@pytest.mark.parametrize("rows, founders", [
    ([{"author": "A", "left": "2021", "destination": "X", "founder": "true"}],
     "The one who left founded or co-founded where they went."),
    ([{"author": a, "left": "2021", "destination": "X", "founder": "true"} for a in "AB"]
     + [{"author": "C", "left": "2021", "returned": "2022", "destination": "Y", "founder": "true"}],
     "All 3 who left (1 of them back since) founded or co-founded where they went."),
    ([{"author": "A", "left": "2021", "destination": "X", "founder": "true"}, {"author": "B", "left": "2021",
      "destination": "Y"}], "1 of the 2 who left founded or co-founded where they went."),
])
def test_founders_are_counted_among_those_who_left_in_plain_words(write_csv, rows, founders):
    from analysis import load_cohort

    assert founders in " ".join(tables.headline_html(load_cohort(write_csv(rows)), "2024-01-31").striptags().split())


def test_a_tie_says_went_to_when_any_tied_group_has_a_returner_and_the_caption_names_the_tie(write_csv):
    from analysis import load_cohort, metrics

    rows = [{"author": "A", "left": "2021", "destination": "Alpha"}, {"author": "B", "left": "2021", "destination": "Alpha"},
            {"author": "C", "left": "2021", "destination": "Beta"},
            {"author": "D", "left": "2021", "returned": "2022", "destination": "Beta"}]
    cohort = load_cohort(write_csv(rows))
    assert "2each went to Alpha and Beta" in " ".join(tables.headline_html(cohort, "2024-01-31").striptags().split())
    caption = " ".join(tables.destinations_caption(metrics.destinations(cohort, "2024-01-31")).striptags().split())
    assert caption.startswith("4 leavers went to 2 organisations; 2 each to Alpha and Beta.")


def test_two_founders_of_two_and_a_tie_pooled_in_other(write_csv):
    from analysis import load_cohort, metrics

    two = [{"author": a, "left": "2021", "destination": "X", "founder": "true"} for a in "AB"]
    text = " ".join(tables.headline_html(load_cohort(write_csv(two)), "2024-01-31").striptags().split())
    assert "Both who left founded or co-founded where they went." in text
    rows = [{"author": f"{d}{i}", "left": "2021", "destination": d} for d in "WXYZ" for i in range(2)]
    cohort = load_cohort(write_csv(rows, "tie.csv"))
    caption = " ".join(tables.destinations_caption(metrics.destinations(cohort, "2024-01-31", top=2)).striptags().split())
    assert caption.startswith("8 leavers went to 4 organisations; 2 each to W, X and more.")  # Y and Z are in "Other"


def test_a_single_largest_destination_named_with_and_is_no_tie(write_csv):
    """The caption told a tie by looking for " and " in the names: 'Johnson and Johnson' read as one."""
    from analysis import load_cohort, metrics

    rows = [{"author": a, "left": "2021", "destination": "Johnson and Johnson"} for a in "AB"]
    rows.append({"author": "C", "left": "2021", "destination": "Lab"})
    cohort = load_cohort(write_csv(rows))
    caption = " ".join(tables.destinations_caption(metrics.destinations(cohort, "2024-01-31")).striptags().split())
    assert caption.startswith("3 leavers went to 2 organisations; 2 to Johnson and Johnson.")
