"""Claims checked against the data: verdicts with intervals, as of each claim's date; stated tenure."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import claims, contract, load_cohort, metrics as m
from analysis.contract import ClaimsError
from conftest import ROOT, SHIPPED

HEADER = "paper,claim,source,as_of,measure,op,value\n"


def claim(measure: str, op: str, value, as_of: str = "", paper: str = "P (2020)") -> str:
    return f'{paper},"a claim",https://example.org/c,{as_of},{measure},{op},{value}\n'


@pytest.fixture
def check(write_csv, tiny):
    def run(*rows: str, cohort=None) -> pd.DataFrame:
        cohort = tiny if cohort is None else cohort
        path = write_csv(HEADER + "".join(rows), "claims.csv")
        return claims.check_claims(claims.load_claims(path, cohort), cohort)

    return run


class TestVerdict:
    @pytest.mark.parametrize("low, high, op, value, expected", [
        (11, 11, "=", 11, "supported"), (11, 11, "=", 10, "contradicted"), (10, 12, "=", 11, "undecided"),
        (10, 12, "=", 13, "contradicted"), (11, 11, "!=", 10, "supported"), (10, 12, "!=", 11, "undecided"),
        (10, 12, "!=", 13, "supported"), (3, 4, "<", 5, "supported"), (3, 5, "<", 5, "undecided"),
        (5, 6, "<", 5, "contradicted"), (3, 5, "<=", 5, "supported"), (5, 6, "<=", 5, "undecided"),
        (6, 7, "<=", 5, "contradicted"), (6, 7, ">", 5, "supported"), (4.9, float("inf"), ">", 5, "undecided"),
        (3, 5, ">", 5, "contradicted"), (5, 7, ">=", 5, "supported"), (4, 7, ">=", 5, "undecided"),
        (2, 4, ">=", 5, "contradicted"),
    ])
    def test_each_op_and_verdict(self, low, high, op, value, expected):
        assert claims.verdict(low, high, op, value, integer=True) == expected

    def test_equality_with_a_fraction_inside_a_count_interval_is_contradicted(self):
        assert claims.verdict(10, 12, "=", 10.5, integer=True) == "contradicted"

    @pytest.mark.parametrize("kind, op, value, tolerance", [
        ("share", "=", "0.79", 0.005), ("share", "!=", "0.8", 0.05), ("share", "=", "1", 0.0),
        ("share", ">", "0.79", 0.0), ("years", "=", "5", 0.5), ("years", "=", "5.25", 0.005),
        ("count", "=", "11", 0.0), ("date", "=", "2023-04-30", 0.0),
    ])
    def test_precision_is_the_last_digit_written(self, kind, op, value, tolerance):
        assert claims.precision(kind, op, value) == pytest.approx(tolerance)

    @pytest.mark.parametrize("low, high, op, value, expected", [
        (11 / 14, 11 / 14, "=", 0.79, "supported"), (11 / 14, 11 / 14, "=", 0.78, "contradicted"),
        (0.75, 0.80, "=", 0.79, "undecided"), (11 / 14, 11 / 14, "!=", 0.79, "contradicted"),
        (11 / 14, 11 / 14, "!=", 0.9, "supported"), (11 / 14, 11 / 14, "!=", 0.8, "contradicted"),  # 0.79 is 0.8 to one digit
    ])
    def test_a_share_equals_to_the_precision_it_is_written_to(self, low, high, op, value, expected):
        """'79% gone' (0.79) was contradicted by 11 of 14 (0.7857...): only 0.7857142857142857 was supported."""
        assert claims.verdict(low, high, op, value, tolerance=claims.precision("share", op, str(value))) == expected


class TestOnHandMadeCohorts:
    def test_counts_as_of_the_snapshot(self, check):
        # tiny: A left 2021 (founder, X), B 2022-05-10 (X), C unknown (Unknown), D stayed, E left 2019-06 (Y)
        out = check(claim("authors", "=", 5), claim("departed", "=", 4), claim("remaining", ">=", 1),
                    claim("founders", "=", 1), claim("at_destination:X", "=", 2), claim("departed_share", ">", 0.75))
        assert out["verdict"].tolist() == ["supported", "supported", "supported", "supported", "supported",
                                           "supported"]
        assert out.loc[1, ["low", "high"]].tolist() == [4, 4]
        assert out.loc[1, "explanation"] == "as of 2024-06-30, the data gives 4 authors gone (left, not back)"

    def test_claim_as_of_a_past_date(self, check):
        # mid-2021: A's year-only departure straddles the day, C's unknown one too; E is gone; B not yet
        out = check(claim("departed", "=", 3, as_of="2021-06-30"), claim("departed", ">=", 1, as_of="2021-06-30"),
                    claim("departed", "=", 4, as_of="2021-06-30"))
        assert out.loc[0, ["low", "high"]].tolist() == [1, 3]
        assert out["verdict"].tolist() == ["undecided", "supported", "contradicted"]
        assert "between 1 and 3 authors gone" in out.loc[0, "explanation"]

    def test_claim_flips_from_undecided_to_supported_when_a_date_is_more_precise(self, write_csv, check):
        rows = [{"author": "A", "joined": "2015", "left": "2021", "destination": "X"}, {"author": "B"}]
        vague = load_cohort(write_csv(rows, "vague.csv"))
        precise = load_cohort(write_csv([rows[0] | {"left": "2021-03"}, rows[1]], "precise.csv"))
        ask = claim("departed", "=", 1, as_of="2021-06-30")
        assert check(ask, cohort=vague)["verdict"].tolist() == ["undecided"]
        assert check(ask, cohort=precise)["verdict"].tolist() == ["supported"]

    def test_dates_and_tenure(self, check):
        out = check(claim("first_departure", "<=", "2019-06-30"), claim("last_departure", ">=", "2023-01-01"),
                    claim("leaver_tenure_mean_years", ">", 3), claim("leaver_tenure_median_years", "<", 100))
        assert out.loc[0, "verdict"] == "supported"
        assert out.loc[1, "verdict"] == "undecided"  # C's unknown departure may be later, up to 2024-06-30
        assert out.loc[1, "high"] == "2024-06-30"
        # C has no join date: tenure is known only from below, so "> 3" holds only if the floor does
        assert out.loc[2, "high"] is None and out.loc[2, "verdict"] in ("supported", "undecided")

    def test_no_departure_to_measure(self, check, all_stayed):
        out = check(claim("first_departure", "<=", "2023-01-01"), cohort=all_stayed)
        assert out.loc[0, "verdict"] == "undecided"
        assert "holds no departure" in out.loc[0, "explanation"]


class TestMalformedClaimsFile:
    def error_of(self, write_csv, tiny, text: str) -> str:
        path = write_csv(text, "claims.csv")
        with pytest.raises(ClaimsError) as err:
            claims.load_claims(path, tiny)
        head, *problems = str(err.value).splitlines()
        assert head.startswith(f"{path} does not follow the claims contract")
        return "\n".join(p.strip()[len(str(path)) + 2:] for p in problems)

    @pytest.mark.parametrize("row, message", [
        (claim("leavers", "=", 1), "column 'measure': 'leavers' is not a measure: one of authors, departed"),
        (claim("departed", "=", 1, paper="Q (2021)"), "column 'paper': 'Q (2021)' is not a paper of the cohort; "
                                                        "papers present: 'P (2020)'"),
        (claim("departed", "==", 1), "column 'op': '==' is not one of: = != < <= > >="),
        (claim("departed", "=", "eleven"), "column 'value': 'eleven' is not a number"),
        (claim("departed_share", ">=", 78), "column 'value': '78' is a share above 1"),
        (claim("first_departure", "<=", "2023"), "column 'value': '2023' is not a day"),
        (claim("departed", "=", 1, as_of="2023-13-01"), "column 'as_of': '2023-13-01' has month 13"),
        ('P (2020),"a claim",see the paper,,departed,=,1\n', "column 'source': 'see the paper' is not a list of"),
        ('P (2020),,https://x.org,,departed,=,1\n', "column 'claim': '' is empty, but the column is required"),
        (claim("departed", "=", 0.79), "column 'value': '0.79' is not a whole number: a count takes 0, 1, 2"),
        (claim("departed_share", "=", "79%"), "column 'value': '79%' is a percentage: write a share from 0 to 1"),
        (claim("departed", "=", 1, as_of="2019-06-30"), "column 'as_of': '2019-06-30' is before the paper's "
                                                         "publication (2020-01-15)"),
    ])
    def test_located_error(self, write_csv, tiny, row, message):
        found = self.error_of(write_csv, tiny, HEADER + row)
        assert found.startswith("line 2, " + message) or message in found, found

    def test_header_typo_is_named(self, write_csv, tiny):
        found = self.error_of(write_csv, tiny, HEADER.replace("measure", "measures") + claim("departed", "=", 1))
        assert "column 'measures': is not a column of the contract: did you mean 'measure'?" in found

    def test_every_problem_at_once_and_nothing_written(self, write_csv, tiny):
        found = self.error_of(write_csv, tiny, HEADER + claim("leavers", "=", 1) + claim("departed", "~", "x"))
        assert found.count("line 3") == 2 and found.count("line 2") == 1


class TestStatedTenure:
    def test_stated_length_narrows_the_dates(self, write_csv):
        cohort = load_cohort(write_csv([
            {"author": "A", "joined": "../2015-06", "left": "2023-06", "tenure_stated": "8/..", "destination": "X"},
            {"author": "B", "joined": "../2017-10", "left": "2023-05-05/2023-06-14", "tenure_stated": "7",
             "destination": "X"},
            {"author": "C", "left": "2021", "tenure_stated": "2/3", "destination": "X"},
        ]))
        t = m.tenure(cohort).set_index("author")
        assert (t.loc["A", "tenure_min_years"], pd.isna(t.loc["A", "tenure_max_years"])) == (8.0, True)
        assert t.loc[["B", "C"], ["tenure_min_years", "tenure_max_years"]].values.tolist() == [[7.0, 8.0], [2.0, 3.0]]
        assert t["stated"].all() and not t["stated_conflict"].any()

    def test_conflicting_length_keeps_the_dates_and_warns(self, write_csv):
        cohort = load_cohort(write_csv([{"author": "S", "joined": "2000", "left": "2021-10", "tenure_stated": "17/18",
                                         "destination": "X"}]))
        t = m.tenure(cohort).iloc[0]
        assert t["stated_conflict"] and not t["stated"] and t["tenure_min_years"] > 20
        [w] = m.plausibility(cohort).to_dict("records")
        assert (w["column"], w["value"]) == ("tenure_stated", "17/18") and "cannot hold" in w["message"]

    @pytest.mark.parametrize("value, rule", [
        ("about 5", "is not a length in years"), ("5/3", "ends before it starts"), ("../..", "is not a length"),
    ])
    def test_bad_stated_length(self, write_csv, value, rule):
        path = write_csv([{"author": "A", "left": "2021", "destination": "X", "tenure_stated": value}])
        with pytest.raises(contract.CohortError, match=rule):
            load_cohort(path)

    def test_stated_length_needs_a_departure(self, write_csv):
        path = write_csv([{"author": "A", "tenure_stated": "5"}])
        with pytest.raises(contract.CohortError, match="a stated tenure is the stint up to leaving"):
            contract.check_csv(path)


@pytest.fixture(scope="module")
def checked():
    cohort = load_cohort(SHIPPED)
    return claims.check_claims(claims.load_claims(ROOT / "data" / "claims.csv", cohort), cohort)


class TestShippedClaims:
    def test_every_claim_cites_its_article(self, checked):
        assert checked["source"].str.match(r"https?://").all()
        assert set(checked["paper"]) == {"LLaMA (2023)", "Attention Is All You Need (2017)"}
        assert (checked["paper"] == "Attention Is All You Need (2017)").sum() >= 3

    def test_seed_verdicts(self, checked):
        llama = checked[checked["paper"] == "LLaMA (2023)"].set_index("measure")["verdict"]
        assert llama[["departed", "remaining", "at_destination:Mistral AI", "founders"]].tolist() == ["supported"] * 4
        assert llama["leaver_tenure_mean_years"] == "undecided"  # "over five years": the data gives at least 4.9

    def test_all_eight_left_is_undecided_while_jones_was_leaving(self, checked):
        t = checked[(checked["paper"] == "Attention Is All You Need (2017)") & (checked["measure"] == "departed")]
        assert t.set_index("as_of")["verdict"].to_dict() == {
            "2023-04-17": "supported", "2023-07-13": "undecided", "2023-08-17": "supported", "2024-06-27": "supported"}

    def test_measures_vocabulary_is_one(self):
        assert set(claims.MEASURES) == set(contract.MEASURE_KINDS)
        assert all(claims.MEASURES[k].kind == v for k, v in contract.MEASURE_KINDS.items())


def test_author_table_marks_rows_resting_on_a_stated_length(write_csv):
    from analysis import tables

    cohort = load_cohort(write_csv([
        {"author": "A", "joined": "../2015-06", "left": "2023-06", "tenure_stated": "8/..", "destination": "X"},
        {"author": "B", "joined": "2015", "left": "2021", "destination": "X"},
    ]))
    text = " ".join(tables.author_table_html(cohort).striptags().split())
    assert "≥ 8.0 ‡" in text and "5.0–7.0 ‡" not in text
    assert "‡ marks a tenure that rests on a length a source states" in text


def test_a_share_claim_is_read_to_its_precision_and_the_table_says_what_was_checked(check):
    from analysis import tables

    out = check(claim("departed_share", "=", 0.8))  # tiny: 4 of 5 gone
    assert out.loc[0, "verdict"] == "supported"
    out = check(claim("departed_share", "=", 0.79))
    assert out.loc[0, "verdict"] == "contradicted"
    assert out.loc[0, "explanation"].endswith("(the claim's 0.79 is read to the precision it is written to: "
                                              "0.785 to 0.795)")
    html = " ".join(tables.claims_html(out).striptags().split())
    assert "checked as departed_share = 0.79" in html


def test_a_destination_is_matched_as_the_warnings_compare_names(check):
    """'at_destination:x' and 'X' name the same place; a name the data lacks is counted as 0, and the
    explanation says so, with the closest name ('Mistral' against 'Mistral AI' was contradicted silently)."""
    out = check(claim("at_destination:x", "=", 2), claim("at_destination:Google", "=", 0),
                claim("at_destination:Xx", "=", 2))
    assert out["verdict"].tolist() == ["supported", "supported", "contradicted"]
    assert "named" not in out.loc[0, "explanation"]
    assert out.loc[1, "explanation"].endswith("(no leaver of this paper went to an organisation named 'Google' in the data)")
    assert out.loc[2, "explanation"].endswith("(no leaver of this paper went to an organisation named 'Xx' in the data; "
                                              "the closest name in the data is 'X')")


@pytest.mark.parametrize("value, verdict", [("0.2", "supported"), ("0.1", "contradicted"), ("0.15", "supported")])
def test_precision_bounds_are_exact_at_the_rounding_edge(value, verdict):
    """3 of 20 (0.15) against '0.2' was contradicted and against '0.1' supported: 0.2 - 0.05 is 0.15000000000000002."""
    tolerance = claims.precision("share", "=", value)
    assert claims.verdict(3 / 20, 3 / 20, "=", float(value), tolerance=tolerance) == verdict


def test_a_claim_after_the_snapshot_or_in_the_future_is_undecided(check):
    out = check(claim("departed", "=", 4), claim("departed", "=", 4, as_of="2025-01-01"),
                claim("departed", "=", 4, as_of="2099-01-01"), claim("authors", "=", 5, as_of="2025-01-01"),
                claim("first_departure", "<=", "2019-12-31", as_of="2025-01-01"))
    # what later moves cannot change stays decided: the author count, a first departure already certain
    assert out["verdict"].tolist() == ["supported", "undecided", "undecided", "supported", "supported"]
    assert out.loc[1, "explanation"].endswith("; but the data's snapshot of this paper is 2024-06-30, before the "
                                              "claim's day: it cannot speak for that day, and the claim can't be decided")
    assert out.loc[2, "explanation"].endswith("; but the claim's day is in the future, and the claim can't be decided")


def test_destination_claims_count_returners_as_the_report_does(write_csv, check):
    """A returner whose destination is written as the origin organisation went somewhere not public:
    claims count them as the destination chart does (metrics.went_to), not at the origin."""
    cohort = load_cohort(write_csv([
        {"author": "R", "left": "2021-10", "returned": "2024-02", "destination": "Org", "verified": "2024-06-30"},
        {"author": "S"},
    ], "back.csv"))
    out = check(claim("at_destination:Org", "=", 0), claim("at_destination:Unknown", "=", 1), cohort=cohort)
    assert out["verdict"].tolist() == ["supported", "supported"]
