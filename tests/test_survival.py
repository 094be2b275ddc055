"""Retention over time and Kaplan-Meier (Turnbull NPMLE), checked against hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import load_cohort
from analysis import survival as s

AS_OF = pd.Timestamp("2024-06-30")


@pytest.fixture
def exact(write_csv):
    """Published 2020-01-01; departures on exact days one, two and three 'years' on; one stayer."""
    return load_cohort(write_csv([
        {"author": "A", "published": "2020-01-01", "left": "2021-01-01", "destination": "Z"},
        {"author": "B", "published": "2020-01-01", "left": "2022-01-01", "destination": "Z"},
        {"author": "C", "published": "2020-01-01", "left": "2023-01-01", "destination": "Z"},
        {"author": "D", "published": "2020-01-01"},
    ]))


def years(day: str) -> float:
    return (pd.Timestamp(day) - pd.Timestamp("2020-01-01")).days / 365.25


class TestRetentionCurve:
    def test_exact_days_give_a_plain_step(self, exact):
        c = s.retention_curve(exact, AS_OF)
        assert c["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01", "2024-06-30"]
        assert c["present_high"].tolist() == [4, 3, 2, 1, 1]
        assert c["present_low"].tolist() == c["present_high"].tolist()
        assert c["share_high"].iloc[-1] == pytest.approx(0.25)

    def test_year_only_date_is_a_band(self, tiny):
        c = s.retention_curve(tiny, AS_OF).set_index("date")
        # A left "2021": possibly gone from 2021-01-01, certainly from 2021-12-31
        assert c.loc["2021-01-01", "present_high"] - c.loc["2021-01-01", "present_low"] >= 1
        assert c.loc["2021-12-31", "present_high"] < c.loc["2021-01-01", "present_high"]

    def test_a_return_brings_the_share_back(self, write_csv):
        c = load_cohort(write_csv([{"author": "R", "left": "2021-10-01", "returned": "2024-08-02", "destination": "Z"},
                                   {"author": "S"}]))
        curve = s.retention_curve(c, pd.Timestamp("2025-01-01")).set_index("date")
        assert curve.loc["2021-10-01", "present_high"] == 1
        assert curve.loc["2024-08-02", "present_high"] == 2 and curve.loc["2024-08-02", "present_low"] == 2


class TestKaplanMeier:
    def test_exact_data_match_the_textbook_estimate(self, exact):
        """Four authors, departures at 1, 2, 3 years, one censored: S = 3/4, 2/4, 1/4; median 2 years."""
        km = s.kaplan_meier(exact, AS_OF, resamples=20)
        assert km["survival_high"].tolist() == pytest.approx(km["survival_low"].tolist())
        # left-continuous steps: the value at t holds on the interval ending at t
        step = dict(zip(km["years"].round(6), km["survival_high"]))
        assert step[round(years("2021-01-01"), 6)] == pytest.approx(1.0)
        assert step[round(years("2022-01-01"), 6)] == pytest.approx(0.75)
        assert step[round(years("2023-01-01"), 6)] == pytest.approx(0.5)
        assert step[round(years("2024-06-30"), 6)] == pytest.approx(0.25)
        med = s.median_time_to_departure(km).iloc[0]
        assert med.median_low == pytest.approx(years("2022-01-01"))
        assert med.median_high == pytest.approx(years("2022-01-01"))

    def test_interval_censored_mass_stays_in_its_interval(self, write_csv):
        """One departure in [1, 3] years, one author censored at 4.5: the NPMLE gives the
        departure its half of the mass somewhere in [1, 3]; upper and lower bounds show where."""
        c = load_cohort(write_csv([
            {"author": "I", "published": "2020-01-01", "left": "2021-01-01/2023-01-01", "destination": "Z"},
            {"author": "S", "published": "2020-01-01"},
        ]))
        km = s.kaplan_meier(c, pd.Timestamp("2024-07-01"), resamples=20).set_index("years")
        one, three = round(years("2021-01-01"), 6), round(years("2023-01-01"), 6)
        km.index = km.index.round(6)
        assert km.loc[three, "survival_high"] == pytest.approx(1.0)
        assert km.loc[three, "survival_low"] == pytest.approx(0.5)
        assert km["survival_high"].iloc[-1] == pytest.approx(0.5)
        med = s.median_time_to_departure(km.reset_index()).iloc[0]
        assert (med.median_low, med.median_high) == pytest.approx((one, three))

    def test_stayers_are_censored_and_returns_do_not_count(self, write_csv):
        c = load_cohort(write_csv([
            {"author": "R", "published": "2020-01-01", "left": "2021-01-01", "returned": "2022-01-01", "destination": "Z"},
            {"author": "S", "published": "2020-01-01"},
        ]))
        intervals = s.survival_intervals(c, AS_OF)
        assert intervals["upper"].tolist() == [np.inf, np.inf]
        km = s.kaplan_meier(c, AS_OF, resamples=10)
        assert (km["survival_high"] == 1.0).all()
        assert s.median_time_to_departure(km)["median_low"].isna().all()  # not reached

    def test_band_is_reproducible_and_contains_the_estimate(self, tiny):
        a = s.kaplan_meier(tiny, AS_OF, resamples=50)
        b = s.kaplan_meier(tiny, AS_OF, resamples=50)
        pd.testing.assert_frame_equal(a, b)
        assert ((a["ci_low"] <= a["survival_high"] + 1e-9) & (a["survival_low"] <= a["ci_high"] + 1e-9)).all()

    def test_departure_before_publication_is_time_zero(self, tiny):
        intervals = s.survival_intervals(tiny, AS_OF).set_index("author")
        assert intervals.loc["E", "lower"] == 0 and intervals.loc["E", "upper"] == 0


def test_weighted_resample_equals_the_repeated_rows():
    """The bootstrap fits distinct intervals with multinomial weights: same NPMLE as repeating rows."""
    lower = np.array([0.0, 1.0, 2.0, 0.5])
    upper = np.array([0.0, 3.0, np.inf, 0.5])
    weights = np.array([2.0, 1.0, 3.0, 1.0])
    repeated_lower, repeated_upper = np.repeat(lower, weights.astype(int)), np.repeat(upper, weights.astype(int))
    grid = np.array([0.0, 0.25, 0.5, 1.0, 2.0, 3.0, 4.0])
    from analysis.npmle import survival_upper

    np.testing.assert_allclose(survival_upper(lower, upper, weights, grid),
                               survival_upper(repeated_lower, repeated_upper, np.ones(len(repeated_lower)), grid),
                               atol=1e-6)


@pytest.mark.parametrize("lefts, median", [
    (["2021-05-01"] * 4, "2021-05-01"),  # everyone on one day
    (["2021-05-01"], "2021-05-01"),  # one author
    (["2020-05-01", "2021-05-01", "2021-05-01"], "2021-05-01"),
    (["2020-05-01", "2020-05-01", "2021-05-01"], "2020-05-01"),
])
def test_the_median_is_reached_when_the_last_departure_takes_survival_to_zero(write_csv, lefts, median):
    """Everyone left, and the caption said "not reached": the drop at the last departure was never read."""
    cohort = load_cohort(write_csv([{"author": f"A{i}", "left": day, "destination": "X", "verified": "2024-01-01"}
                                    for i, day in enumerate(lefts)]))
    km = s.kaplan_meier(cohort, resamples=20)
    expected = (pd.Timestamp(median) - pd.Timestamp("2020-01-15")).days / 365.25
    assert s.median_time_to_departure(km)[["median_low", "median_high"]].iloc[0].tolist() == pytest.approx(
        [expected, expected])
    assert km["survival_high"].iloc[-1] == 0 and km["years"].iloc[-1] == pytest.approx(
        (pd.Timestamp("2024-01-01") - pd.Timestamp("2020-01-15")).days / 365.25)  # drawn to the end of observation
