from datetime import date

import pandas as pd
import pytest

from analysis.dates import FuzzyDate, parse_fuzzy_date, parse_fuzzy_dates


class TestParseFuzzyDate:
    @pytest.mark.parametrize(
        "text, expected",
        [
            ("2023", FuzzyDate(date(2023, 1, 1), date(2023, 12, 31), "year")),
            ("2024-02", FuzzyDate(date(2024, 2, 1), date(2024, 2, 29), "month")),
            ("2023-02-27", FuzzyDate(date(2023, 2, 27), date(2023, 2, 27), "day")),
            ("2023/2024-03", FuzzyDate(date(2023, 1, 1), date(2024, 3, 31), "interval")),
            ("../2023-11-17", FuzzyDate(None, date(2023, 11, 17), "interval")),
            ("2024-08/..", FuzzyDate(date(2024, 8, 1), None, "interval")),
            ("", FuzzyDate(None, None, "missing")),
            ("  2023 ", FuzzyDate(date(2023, 1, 1), date(2023, 12, 31), "year")),
        ],
    )
    def test_valid(self, text, expected):
        assert parse_fuzzy_date(text) == expected

    def test_unknown_only_where_allowed(self):
        assert parse_fuzzy_date("unknown", allow_unknown=True) == FuzzyDate(None, None, "unknown")
        with pytest.raises(ValueError, match="allowed only in the .left. column"):
            parse_fuzzy_date("unknown")

    @pytest.mark.parametrize(
        "text, reason",
        [
            ("2023-13", "has month 13, which does not exist"),
            ("2023-02-30", "has day 30, which 2023-02 does not have"),
            ("0000", "has year 0000, outside the years a date can have (1678 to 2261)"),
            ("1677-12-31", "has year 1677, outside the years a date can have"),
            ("2262", "has year 2262, outside the years a date can have"),
            ("1500/2023", "is not a valid interval: its end has year 1500, outside"),
            ("23-02", "is not a date"),
            ("6/1/2023", "is a day as a spreadsheet writes it, which could be day/month or month/day"),
            ("26/05/25", "is a day as a spreadsheet writes it"),
            ("2023-2-1", "is not a date"),
            ("2024/2023", "is an interval that ends before it starts"),
            ("2023-13/..", "is not a valid interval: its end has month 13, which does not exist"),
            ("../..", "is an interval open at both ends"),
            ("2023/", "is an interval with an empty end"),
            ("2021/2022/2023", "is not an interval: expected exactly one '/'"),
        ],
    )
    def test_invalid(self, text, reason):
        with pytest.raises(ValueError) as err:
            parse_fuzzy_date(text)
        assert str(err.value).startswith(reason)


class TestParseFuzzyDates:
    def test_first_and_last_years_are_exact_days(self):
        parsed, errors = parse_fuzzy_dates(pd.Series(["1678", "2261-12-31", "1970-01-01"]))
        assert list(parsed["start"]) == [pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31"), pd.Timestamp("1970-01-01")]
        assert list(parsed["end"]) == [pd.Timestamp("1678-12-31"), pd.Timestamp("2261-12-31"), pd.Timestamp("1970-01-01")]
        assert not errors.any()

    def test_vectorised_matches_scalar(self):
        values = pd.Series(["2023", "2023-13", "", "2023", "../2020-06"], index=[10, 11, 12, 13, 14])
        parsed, errors = parse_fuzzy_dates(values)
        assert list(parsed.index) == [10, 11, 12, 13, 14]
        assert list(parsed["kind"]) == ["year", "missing", "missing", "year", "interval"]
        assert parsed.loc[10, "start"] == pd.Timestamp("2023-01-01")
        assert parsed.loc[14, "end"] == pd.Timestamp("2020-06-30")
        assert pd.isna(parsed.loc[14, "start"])
        assert errors[11].startswith("has month 13") and errors[10] == ""

    def test_empty(self):
        parsed, errors = parse_fuzzy_dates(pd.Series([], dtype=str))
        assert parsed.empty and errors.empty
        assert str(parsed["start"].dtype) == "datetime64[ns]"
