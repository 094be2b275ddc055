"""Metrics, with expectations worked out by hand on tiny cohorts (see conftest.TINY_ROWS)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analysis import metrics as m

AS_OF = pd.Timestamp("2024-06-30")
MID = pd.Timestamp("2021-06-30")


def years(later: str, earlier: str) -> float:
    return (date.fromisoformat(later) - date.fromisoformat(earlier)).days / 365.25


class TestResolveAsOf:
    def test_default_is_latest_verified(self, tiny):
        assert m.resolve_as_of(tiny, None) == AS_OF
        assert m.resolve_as_of(tiny, "") == AS_OF

    def test_default_without_verified_is_today(self, tiny):
        assert m.default_as_of(tiny.assign(verified_end=pd.NaT)) == pd.Timestamp(date.today())

    def test_explicit_day(self, tiny):
        assert m.resolve_as_of(tiny, "2021-06-30") == MID

    @pytest.mark.parametrize("bad", ["2021-06", "2021-13-01", "yesterday", "2021/2022"])
    def test_rejects_anything_but_a_day(self, tiny, bad):
        with pytest.raises(m.AsOfError, match=f"as-of date '{bad}'"):
            m.resolve_as_of(tiny, bad)


class TestStatusAsOf:
    def test_at_snapshot(self, tiny):
        assert m.status_as_of(tiny, AS_OF).tolist() == ["departed", "departed", "departed", "stayed", "departed"]

    def test_in_the_past_intervals_are_possible_not_certain(self, tiny):
        # A left "2021" (not over by mid-2021); B left 2022 (not yet); C unknown (2020-01-15..2024-06-30)
        assert m.status_as_of(tiny, MID).tolist() == ["possibly departed", "stayed", "possibly departed", "stayed", "departed"]

    def test_year_end_makes_a_year_date_certain(self, tiny):
        assert m.status_as_of(tiny, pd.Timestamp("2021-12-31"))[0] == "departed"
        assert m.status_as_of(tiny, pd.Timestamp("2021-12-30"))[0] == "possibly departed"


class TestRetention:
    def test_counts(self, tiny):
        r = m.retention(tiny, AS_OF).iloc[0]
        assert (r.authors, r.departed, r.possibly_departed, r.remaining) == (5, 4, 0, 1)
        assert r.departed_share == pytest.approx(0.8)
        assert r.remaining_share == pytest.approx(0.2)

    def test_past(self, tiny):
        r = m.retention(tiny, MID).iloc[0]
        assert (r.departed, r.possibly_departed, r.remaining) == (1, 2, 2)

    def test_all_stayed(self, all_stayed):
        r = m.retention(all_stayed, AS_OF).iloc[0]
        assert (r.authors, r.departed, r.remaining, r.departed_share) == (2, 0, 2, 0.0)


class TestDeparturesByPeriod:
    def test_choose_period(self):
        assert m.choose_period(pd.Timestamp("2020-01-15"), pd.Timestamp("2024-06-30")) == "year"
        assert m.choose_period(pd.Timestamp("2020-01-15"), pd.Timestamp("2021-06-30")) == "half"

    def test_years_with_unknown_bucket(self, tiny):
        d = m.departures_by_period(tiny, AS_OF)
        assert d[["period", "kind", "departures"]].values.tolist() == [
            ["2019", "period", 1], ["2021", "period", 1], ["2022", "period", 1], ["date unknown", "unknown", 1]
        ]
        assert d["authors"].tolist() == ["E", "A", "B", "C"]

    def test_halves_in_the_past(self, tiny):
        d = m.departures_by_period(tiny, MID)
        assert d[["period", "departures"]].values.tolist() == [["2019 H1", 1]]

    def test_span_bucket_never_placed_on_a_date(self, write_csv):
        from analysis import load_cohort

        cohort = load_cohort(write_csv([
            {"author": "S", "left": "2020-06/2022-02", "destination": "Z"},
            {"author": "T", "left": "2021-03", "destination": "Z"},
        ]))
        d = m.departures_by_period(cohort, AS_OF, freq="year")
        assert d[["period", "kind", "departures"]].values.tolist() == [["2021", "period", 1], ["2020–2022", "span", 1]]

    def test_month_frequency(self, tiny):
        d = m.departures_by_period(tiny, AS_OF, freq="month")
        assert d["period"].tolist() == ["2019-06", "2022-05", "2021-01–2021-12", "date unknown"]

    def test_all_stayed_is_empty(self, all_stayed):
        assert m.departures_by_period(all_stayed, AS_OF).empty


class TestWaterfallSteps:
    def test_steps(self, tiny):
        w = m.waterfall_steps(tiny, AS_OF)
        assert w[["step", "kind", "value", "bottom", "top"]].values.tolist() == [
            ["at publication", "start", 5, 0, 5],
            ["2019", "period", -1, 4, 5],
            ["2021", "period", -1, 3, 4],
            ["2022", "period", -1, 2, 3],
            ["date unknown", "unknown", -1, 1, 2],
            ["remaining", "end", 1, 0, 1],
        ]

    def test_possible_departures_get_their_own_step(self, tiny):
        w = m.waterfall_steps(tiny, MID)
        assert w[["step", "value", "bottom", "top"]].values.tolist() == [
            ["at publication", 5, 0, 5], ["2019 H1", -1, 4, 5], ["possibly left", -2, 2, 4], ["remaining", 2, 0, 2]
        ]
        assert w.loc[2, "authors"] == "A; C"

    def test_all_stayed(self, all_stayed):
        w = m.waterfall_steps(all_stayed, AS_OF)
        assert w[["step", "value"]].values.tolist() == [["at publication", 2], ["remaining", 2]]


class TestTenure:
    def test_intervals(self, tiny):
        t = m.tenure(tiny, AS_OF).set_index("author")
        # A: joined 2015, left 2021 -> from 2015-12-31..2021-01-01 up to 2015-01-01..2021-12-31
        assert t.loc["A", "tenure_min_years"] == pytest.approx(years("2021-01-01", "2015-12-31"))
        assert t.loc["A", "tenure_max_years"] == pytest.approx(years("2021-12-31", "2015-01-01"))
        assert t.loc["A", "tenure_years"] == pytest.approx((years("2021-01-01", "2015-12-31") + years("2021-12-31", "2015-01-01")) / 2)
        # B: joined 2018-03, left 2022-05-10
        assert t.loc["B", "tenure_min_years"] == pytest.approx(years("2022-05-10", "2018-03-31"))
        assert t.loc["B", "tenure_max_years"] == pytest.approx(years("2022-05-10", "2018-03-01"))
        # D (stayer): to the as-of date
        assert t.loc["D", "basis"] == "to as-of date"
        assert t.loc["D", "tenure_min_years"] == pytest.approx(years("2024-06-30", "2016-12-31"))
        # C: join unknown -> counted as unknown, not dropped
        assert t.loc["C", "known"] == "unknown" and pd.isna(t.loc["C", "tenure_min_years"])
        # E left before publication: tenure still runs to its departure
        assert t.loc["E", "tenure_min_years"] == pytest.approx(years("2019-06-01", "2010-12-31"))

    def test_possible_leaver_tenure_stops_at_as_of(self, tiny):
        t = m.tenure(tiny, MID).set_index("author")
        assert t.loc["A", "tenure_min_years"] == pytest.approx(years("2021-01-01", "2015-12-31"))
        assert t.loc["A", "tenure_max_years"] == pytest.approx(years("2021-06-30", "2015-01-01"))

    def test_open_join_gives_a_floor(self, write_csv):
        from analysis import load_cohort

        c = load_cohort(write_csv([{"author": "F", "joined": "../2019-06", "left": "2023-06", "destination": "Z"}]))
        t = m.tenure(c, AS_OF).iloc[0]
        assert t["known"] == "lower bound"
        assert t["tenure_min_years"] == pytest.approx(years("2023-06-01", "2019-06-30"))
        assert pd.isna(t["tenure_max_years"]) and pd.isna(t["tenure_years"])

    def test_summary_counts_unknowns(self, tiny):
        s = m.tenure_summary(tiny, AS_OF).set_index("status")
        left = s.loc["departed"]
        assert (left.authors, left.with_interval, left.with_lower_bound_only, left.without_join_date) == (4, 3, 0, 1)
        mins = [years("2021-01-01", "2015-12-31"), years("2022-05-10", "2018-03-31"), years("2019-06-01", "2010-12-31")]
        assert left.mean_min_years == pytest.approx(sum(mins) / 3)
        assert left.median_min_years == pytest.approx(sorted(mins)[1])
        assert s.loc["stayed", "authors"] == 1
        assert list(s.index) == ["departed", "stayed"]

    def test_summary_all_stayed(self, all_stayed):
        s = m.tenure_summary(all_stayed, AS_OF)
        assert s["status"].tolist() == ["stayed"]
        assert (s.loc[0, "with_interval"], s.loc[0, "without_join_date"]) == (1, 1)


class TestDestinations:
    def test_by_organisation(self, tiny):
        d = m.destinations(tiny, AS_OF)
        assert d[["destination", "destination_type", "authors", "founders"]].values.tolist() == [
            ["X", "startup", 2, 1], ["Unknown", "unspecified", 1, 0], ["Y", "academia", 1, 0]
        ]
        assert d.loc[0, "names"] == "A; B"

    def test_top_n_pools_the_rest(self, tiny):
        d = m.destinations(tiny, AS_OF, top=1)
        assert d[["destination", "destination_type", "authors"]].values.tolist() == [
            ["X", "startup", 2], ["Other (2 organisations)", "other", 2]
        ]

    def test_only_certain_departures(self, tiny):
        assert m.destinations(tiny, MID)["destination"].tolist() == ["Y"]

    def test_by_type(self, tiny):
        t = m.destination_types(tiny, AS_OF)
        assert t[["destination_type", "authors", "founders"]].values.tolist() == [
            ["startup", 2, 1], ["academia", 1, 0], ["unspecified", 1, 0]
        ]

    def test_all_stayed(self, all_stayed):
        assert m.destinations(all_stayed, AS_OF).empty
        assert m.destination_types(all_stayed, AS_OF).empty


class TestTimeline:
    def test_keeps_intervals_and_kinds(self, tiny):
        t = m.timeline(tiny, AS_OF).set_index("author")
        assert t.loc["A", "left_kind"] == "year"
        assert (t.loc["A", "left_start"], t.loc["A", "left_end"]) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))
        assert t.loc["C", "left_kind"] == "unknown"
        assert pd.isna(t.loc["D", "left_start"]) and t.loc["D", "left_kind"] == "missing"

    def test_future_departure_hidden_in_the_past(self, tiny):
        t = m.timeline(tiny, MID).set_index("author")
        assert pd.isna(t.loc["B", "left_start"]) and pd.isna(t.loc["B", "destination"])

    def test_departure_events_earliest_first(self, tiny):
        assert m.departure_events(tiny, AS_OF)["author"].tolist() == ["E", "C", "A", "B"]

    def test_departures_per_month(self, tiny):
        monthly, wider = m.departures_per_month(m.timeline(tiny, AS_OF))
        assert wider == 2  # A (a year) and C (unknown)
        assert monthly["month"].iloc[0] == pd.Timestamp("2019-06-01")
        assert monthly["month"].iloc[-1] == pd.Timestamp("2022-05-01")
        assert len(monthly) == 36 and monthly["departures"].sum() == 2


class TestHeadline:
    def test_figures(self, tiny):
        h = m.headline(tiny, AS_OF).iloc[0]
        assert (h.authors, h.departed, h.remaining, h.possibly_departed) == (5, 4, 1, 0)
        assert (h.destinations, h.top_destination, h.top_destination_authors, h.founders) == (2, "X", 2, 1)  # X, Y: 'Unknown' is no organisation
        assert (h.departures_without_exact_day, h.departures_date_unknown, h.joins_unknown) == (3, 1, 1)
        assert h.leavers_with_join_bound == 3
        assert h.origin_org == "Org"

    def test_all_stayed(self, all_stayed):
        h = m.headline(all_stayed, AS_OF).iloc[0]
        assert (h.departed, h.remaining, h.top_destination, h.founders) == (0, 2, None, 0)
        assert pd.isna(h.leaver_tenure_mean_min_years)

    def test_several_papers(self, write_csv):
        from analysis import load_cohort

        c = load_cohort(write_csv([
            {"author": "A", "left": "2021", "destination": "X"},
            {"paper": "Q (2017)", "published": "2017-06-12", "author": "A"},
        ]))
        h = m.headline(c, AS_OF)
        assert h["paper"].tolist() == ["P (2020)", "Q (2017)"]
        assert h["departed"].tolist() == [1, 0]

    def test_shipped_llama(self):
        from analysis import load_cohort
        from conftest import SHIPPED

        c = load_cohort(SHIPPED)
        h = m.headline(c, m.default_as_of(c)).iloc[0]
        assert (h.authors, h.departed, h.remaining, h.top_destination, h.top_destination_authors, h.founders) == (
            14, 11, 3, "Mistral AI", 5, 2)


class TestReturns:
    @pytest.fixture
    def back(self, write_csv):
        from analysis import load_cohort

        return load_cohort(write_csv([
            {"author": "R", "joined": "2010", "left": "2021-10", "returned": "2024-08-02", "destination": "Z",
             "destination_type": "startup", "founder": "true"},
            {"author": "L", "left": "2022", "destination": "Z"},
            {"author": "S"},
        ]))

    def test_status_counts_a_return_as_present(self, back):
        assert m.status_as_of(back, AS_OF).tolist() == ["departed", "departed", "stayed"]
        later = pd.Timestamp("2024-08-02")
        assert m.status_as_of(back, later).tolist() == ["returned", "departed", "stayed"]
        r = m.retention(back, later).iloc[0]
        assert (r.departed, r.returned, r.remaining) == (1, 1, 2)

    def test_waterfall_adds_the_return(self, back):
        w = m.waterfall_steps(back, pd.Timestamp("2024-12-31"))
        assert w[["step", "kind", "value", "bottom", "top"]].values.tolist() == [
            ["at publication", "start", 3, 0, 3], ["2021", "period", -1, 2, 3], ["2022", "period", -1, 1, 2],
            ["came back", "returned", 1, 1, 2], ["remaining", "end", 2, 0, 2]]

    def test_returned_authors_count_where_they_went(self, back):
        # issue 9, point 12: 'destination' is where they went on leaving, returners included
        d = m.destinations(back, pd.Timestamp("2024-12-31"))
        assert d[["destination", "authors", "founders", "came_back"]].values.tolist() == [["Z", 2, 1, 1]]

    def test_returner_written_with_current_employer_reads_right(self, write_csv):
        """Point 12: the other reading ('where they are now' = the origin org) is shown as an unknown
        destination, with a warning, never as 'no author had left' beside a waterfall of -1 +1."""
        from analysis import load_cohort, tables

        only = load_cohort(write_csv([
            {"author": "R", "left": "2021-10", "returned": "2024-08-02", "destination": "Org",
             "verified": "2024-12-31"},
            {"author": "S", "verified": "2024-12-31"},
        ]))
        as_of = pd.Timestamp("2024-12-31")
        d = m.destinations(only, as_of)
        assert d[["destination", "authors", "came_back"]].values.tolist() == [["Unknown", 1, 1]]
        caption = " ".join(tables.destinations_caption(d).striptags().split())
        assert caption.startswith("Where the leaver went is not public. The leaver came back later")
        [warning] = m.plausibility(only, as_of).to_dict("records")
        assert (warning["line"], warning["column"], warning["value"]) == (2, "destination", "Org")
        assert "where they went on leaving" in warning["message"]
        assert m.headline(only, as_of).iloc[0]["top_destination"] is None
