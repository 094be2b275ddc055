"""load_cohort: typed output for valid input, one exact, located message for each bad input."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import CohortError, load_cohort
from analysis import contract
from analysis.cohort import COLUMNS, validate_cohort
from conftest import SHIPPED, csv_text

HEADER = ",".join(COLUMNS)


def error_of(path) -> CohortError:
    """The loader's error, checked equal to the command line's pandas-free check of the same file."""
    with pytest.raises(CohortError) as err:
        load_cohort(path)
    with pytest.raises(CohortError) as fast:
        contract.check_csv(path)
    assert str(fast.value) == str(err.value)
    return err.value


def only_problem(path) -> str:
    err = error_of(path)
    assert len(err.problems) == 1, str(err)
    head = f"{path} does not follow the cohort data contract (1 problem):\n  "
    assert str(err).startswith(head)
    return str(err)[len(head):]


class TestLoadCohortValid:
    def test_shipped_data_loads_typed(self):
        cohort = load_cohort(SHIPPED)
        assert len(cohort) == 22  # 14 LLaMA authors, 8 Transformer authors
        assert cohort["line"].tolist() == list(range(2, 24))
        for name in ("published", "joined", "left", "returned", "verified"):
            assert str(cohort[f"{name}_start"].dtype) == "datetime64[ns]"
            assert str(cohort[f"{name}_end"].dtype) == "datetime64[ns]"
        assert cohort["departed"].dtype == bool
        assert str(cohort["founder"].dtype) == "boolean"
        assert list(cohort["destination_type"].cat.categories) == [
            "startup", "big_tech", "research_lab", "academia", "other"
        ]

    def test_dates_become_intervals_with_kind(self, write_csv):
        path = write_csv([
            {"author": "Y", "joined": "2015", "left": "2021", "destination": "D"},
            {"author": "M", "joined": "2015-03", "left": "2021-02-10", "destination": "D"},
            {"author": "U", "joined": "", "left": "unknown", "destination": "Unknown"},
            {"author": "B", "joined": "2016", "left": "../2022-11-17", "destination": "D"},
        ])
        c = load_cohort(path).set_index("author")
        assert c.loc["Y", "left_kind"] == "year"
        assert (c.loc["Y", "left_start"], c.loc["Y", "left_end"]) == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))
        assert c.loc["M", "joined_kind"] == "month" and c.loc["M", "left_kind"] == "day"
        # unknown departure: between joined (else publication) and verified
        assert c.loc["U", "left_kind"] == "unknown"
        assert (c.loc["U", "left_start"], c.loc["U", "left_end"]) == (pd.Timestamp("2020-01-15"), pd.Timestamp("2024-06-30"))
        # an open start is closed by 'joined'
        assert c.loc["B", "left_start"] == pd.Timestamp("2016-01-01")
        assert c["departed"].all()

    def test_tenure_is_an_interval(self, write_csv):
        path = write_csv([
            {"author": "A", "joined": "2015", "left": "2021", "destination": "D"},
            {"author": "S", "joined": "2015"},
            {"author": "N", "left": "2021", "destination": "D"},
        ])
        from analysis import metrics

        c = metrics.tenure(load_cohort(path)).set_index("author")  # tenure is computed in one place
        assert not {"tenure_min_years", "tenure_years", "tenure_max_years"} & set(load_cohort(path).columns)
        assert c.loc["A", "tenure_min_years"] == pytest.approx((pd.Timestamp("2021-01-01") - pd.Timestamp("2015-12-31")).days / 365.25)
        assert c.loc["A", "tenure_max_years"] == pytest.approx((pd.Timestamp("2021-12-31") - pd.Timestamp("2015-01-01")).days / 365.25)
        assert c.loc["A", "tenure_years"] == pytest.approx((c.loc["A", "tenure_min_years"] + c.loc["A", "tenure_max_years"]) / 2)
        assert c.loc["S", "basis"] == "to as-of date"  # stayer: tenure runs to the as-of date
        assert pd.isna(c.loc["N", "tenure_min_years"])  # join date unknown

    def test_unusual_text_loads_unchanged(self, write_csv):
        nasty = {
            "author": 'Zoë "Z" Ümlaut, Jr. 李',
            "destination": "<script>alert(1)</script>",
            "role": "=HYPERLINK(\"http://evil\",\"x\")",
            "notes": "line one\nline two, with {{7*7}} and $(rm -rf) and `x` and 'quotes'",
            "left": "2021",
            "country": "+cmd|' /C calc'!A0",
        }
        path = write_csv([nasty, {"author": "Second"}])
        cohort = load_cohort(path)
        for key, value in nasty.items():
            assert cohort.loc[0, key] == value
        assert cohort["line"].tolist() == [2, 4]  # the quoted newline moves row 2 to line 4

    def test_blank_lines_and_bom(self, write_csv):
        text = "\ufeff" + csv_text([{"author": "A"}]) + "\n\n" + csv_text([{"author": "B"}]).split("\n", 1)[1]
        cohort = load_cohort(write_csv(text))
        assert cohort["author"].tolist() == ["A", "B"]
        assert cohort["line"].tolist() == [2, 5]

    def test_optional_columns_may_be_absent_and_own_columns_kept(self, write_csv):
        path = write_csv("paper,published,author,origin_org,source,x_extra\nP,2020,A,Org,https://x.org,kept\n")
        cohort = load_cohort(path)
        assert cohort.loc[0, "x_extra"] == "kept"
        assert not cohort.loc[0, "departed"]

    def test_validate_cohort_on_a_frame(self):
        table = pd.DataFrame([{c: "" for c in COLUMNS} | {
            "paper": "P", "published": "2020", "author": "A", "origin_org": "O", "source": "https://x.org"}])
        assert validate_cohort(table)["published_kind"].tolist() == ["year"]


ROW = "P,2023-02-27,{author},Meta,{joined},{left},,,{dest},{dtype},,,,2025-05-26,{source},\n"


def row(author="A", joined="2015", left="", dest="", dtype="", source="https://x.org/a"):
    return ROW.format(author=author, joined=joined, left=left, dest=dest, dtype=dtype, source=source)


class TestLoadCohortErrors:
    """Each bad input gets one error naming file, line, column, value and rule."""

    def test_missing_required_column(self, write_csv):
        path = write_csv("paper,published,origin_org,source\nP,2023,Meta,https://x.org\n")
        assert [str(p) for p in error_of(path).problems] == [
            f"{path}, line 1, column 'author': is a required column and is missing from the header",
            f"{path}, line 1: the header as read has 4 fields: 'paper,published,origin_org,source'",
        ]

    def test_impossible_date(self, write_csv):
        path = write_csv(HEADER + "\n" + row(joined="2023-13"))
        assert only_problem(path) == f"{path}, line 2, column 'joined': '2023-13' has month 13, which does not exist"

    @pytest.mark.parametrize("joined, left", [("1500", "2023"), ("2015", "2300-05"), ("2015", "1500/2023")])
    def test_year_out_of_range_is_an_error_not_a_wrapped_day(self, write_csv, joined, left):
        """A year whose days datetime64[ns] cannot hold wrapped round silently (1500 read as 2084;
        2300-05 as 1715-10): now it is refused where it is written."""
        path = write_csv(HEADER + "\n" + row(joined=joined, left=left, dest="X"))
        column, value = ("joined", joined) if joined == "1500" else ("left", left)
        assert only_problem(path).startswith(f"{path}, line 2, column '{column}': '{value}' ")
        assert "outside the years a date can have (1678 to 2261)" in only_problem(path)

    def test_destination_without_a_departure(self, write_csv):
        """The author counted as still there, the destination dropped, without a word."""
        path = write_csv(HEADER + "\n" + row(dest="Mistral AI"))
        assert only_problem(path) == (f"{path}, line 2, column 'destination': 'Mistral AI' is set, but 'left' is empty: "
                                      "write the departure in 'left' ('unknown' when its date is not public), or "
                                      "leave 'destination' empty")

    @pytest.mark.parametrize("before", ["", 'a 5" screen'])
    def test_a_quote_never_closed_is_located_not_a_swallowed_row(self, write_csv, before):
        """An open quote in the last column took the rows after it into one field: 1 author, 100% gone
        (and a lone quote on an earlier row hid it from a count of quotes)."""
        first = row(author="Z")[:-2] + f",{before}\n"
        opened = row(author="A", left="2023", dest="X")[:-2] + ',"stealth, per LinkedIn\n'
        path = write_csv(HEADER + "\n" + first + opened + row(author="B") + row(author="C") + row(author="D"))
        assert only_problem(path) == (f"{path}, line 3, column 'notes': holds 3 line(s) that read as rows of the "
                                      "file: a quote opened in this field is not closed where it should be; close it, "
                                      "and double any quote inside a field (\"\")")

    def test_a_quote_closed_by_a_later_field_is_located_not_a_swallowed_row(self, write_csv):
        """A later quoted field paired with the open quote: two rows vanished into one field, silently."""
        opened = row(author="A")[:-2] + ',"oops\n'
        later = row(author="C")[:-2] + ',"x"\n'
        path = write_csv(HEADER + "\n" + opened + row(author="B") + later + row(author="D"))
        assert only_problem(path).startswith(f"{path}, line 2, column 'notes': holds 2 line(s) that read as rows")

    def test_a_quote_running_to_the_end_over_lines_unlike_rows_is_located(self, write_csv):
        opened = row(author="A")[:-2] + ',"left for\nsomewhere else\nand then more\n'
        path = write_csv(HEADER + "\n" + row(author="B") + opened)
        assert only_problem(path) == (f"{path}, line 3, column 'notes': opens a quote (\") that is never closed: the "
                                      "field runs to the end of the file and takes the 2 line(s) after it; close the "
                                      "quote, and double any quote inside a field (\"\")")

    @pytest.mark.parametrize("last", [False, True])
    def test_a_field_over_several_lines_is_fine_commas_and_all(self, write_csv, last):
        names = "line one\nwent too: " + ", ".join(f"Name {i}" for i in range(20))  # more commas than a row has
        opened = row(author="A")[:-2] + f',"{names}"\n'
        path = write_csv(HEADER + "\n" + (row(author="B") + opened if last else opened + row(author="B")))
        assert sorted(load_cohort(path)["notes"].tolist()) == ["", names]
        assert contract.check_csv(path) == ["P"]

    def test_a_lone_quote_inside_a_field_is_a_character(self, write_csv):
        path = write_csv(HEADER + "\n" + row(author="A")[:-2] + ',a 5" screen\n' + row(author="B"))
        assert load_cohort(path)["notes"].tolist() == ['a 5" screen', ""]
        assert contract.check_csv(path) == ["P"]

    @pytest.mark.parametrize("ending, line", [("\r", 1), ("mixed", 2)])
    def test_carriage_returns_alone_are_located(self, write_csv, ending, line):
        """Old Mac line endings gave a traceback naming no file or line."""
        body = HEADER + "\n" + row(author="A") + row(author="B")
        body = body.replace("\n", "\r") if ending == "\r" else body.replace("\n", "\r", 2).replace("\r", "\n", 1)
        path = write_csv(body.encode("utf-8"))
        assert only_problem(path) == (f"{path}, line {line}: ends with a carriage return (CR) alone, as old Mac files "
                                      "do: save the file as CSV with Windows (CRLF) or Unix (LF) line endings")

    def test_left_before_joined(self, write_csv):
        path = write_csv(HEADER + "\n" + row(joined="2020-05", left="2019", dest="X"))
        assert only_problem(path) == f"{path}, line 2, column 'left': '2019' is before 'joined' (2020-05)"

    def test_duplicate_author(self, write_csv):
        path = write_csv(HEADER + "\n" + row() + row(author="B") + row())
        assert only_problem(path) == f"{path}, line 4, column 'author': 'A' is already an author of paper 'P' (line 2)"

    def test_same_author_in_two_papers_is_fine(self, write_csv):
        path = write_csv(HEADER + "\n" + row() + row().replace("P,2023-02-27", "Q,2017-06-12"))
        assert len(load_cohort(path)) == 2

    @pytest.mark.parametrize("content", ["", "\n\n", b""])
    def test_empty_file(self, write_csv, content):
        path = write_csv(content)
        assert only_problem(path) == f"{path}: is empty: expected a header row and one row per (paper, author)"

    def test_header_without_rows(self, write_csv):
        path = write_csv(HEADER + "\n")
        assert only_problem(path) == f"{path}, line 1: has a header but no data rows"

    def test_left_without_destination(self, write_csv):
        path = write_csv(HEADER + "\n" + row(left="2023"))
        assert only_problem(path) == (
            f"{path}, line 2, column 'destination': '' is empty, but 'left' is set: "
            "name where the author went, or write 'Unknown'"
        )

    @pytest.mark.parametrize(
        "left, rule",
        [
            ("2024/2023", "is an interval that ends before it starts"),
            ("2023-13/..", "is not a valid interval: its end has month 13, which does not exist"),
        ],
    )
    def test_malformed_interval(self, write_csv, left, rule):
        path = write_csv(HEADER + "\n" + row(left=left, dest="X"))
        assert only_problem(path) == f"{path}, line 2, column 'left': '{left}' {rule}"

    def test_not_utf8(self, write_csv):
        path = write_csv((HEADER + "\n" + row(author="Rozi\xe8re")).encode("latin-1"))
        assert only_problem(path) == (
            f"{path}, line 2, column 'author': is not UTF-8 text: byte 0xe8 at character 18 of the line; "
            "save the file as UTF-8"
        )

    def test_too_many_fields(self, write_csv):
        path = write_csv(HEADER + "\n" + row() + row(author="B").rstrip("\n") + ",surplus\n")
        assert only_problem(path) == (
            f"{path}, line 3: 'surplus' is beyond the header: the row has 17 fields, the header 16; "
            "quote any field that holds a comma"
        )

    def test_too_many_fields_on_first_row(self, write_csv):
        path = write_csv(HEADER + "\n" + row().rstrip("\n") + ",surplus\n")
        assert "line 2: 'surplus' is beyond the header" in only_problem(path)

    def test_too_few_fields(self, write_csv):
        path = write_csv(HEADER + "\n" + row() + "P,2023-02-27,B,Meta\n")
        assert only_problem(path) == (
            f"{path}, line 3: has 4 fields but the header has 16: write an empty field (,,) for every unknown value"
        )

    def test_two_publication_dates(self, write_csv):
        path = write_csv(HEADER + "\n" + row() + row(author="B").replace("2023-02-27", "2023-03-01"))
        assert only_problem(path) == (
            f"{path}, line 3, column 'published': '2023-03-01' differs from '2023-02-27', "
            "the 'published' date of paper 'P' on line 2"
        )

    def test_unknown_destination_type(self, write_csv):
        path = write_csv(HEADER + "\n" + row(left="2023", dest="X", dtype="spaceship"))
        assert only_problem(path) == (
            f"{path}, line 2, column 'destination_type': 'spaceship' is not one of: "
            "startup, big_tech, research_lab, academia, other"
        )

    def test_no_source(self, write_csv):
        path = write_csv(HEADER + "\n" + row(source=""))
        assert only_problem(path) == f"{path}, line 2, column 'source': '' is empty, but the column is required"

    @pytest.mark.parametrize("source", ["ftp://x.org/a", "javascript:alert(1)", "see the paper", "https://x.org a"])
    def test_source_not_http(self, write_csv, source):
        path = write_csv(HEADER + "\n" + row(source=source))
        assert only_problem(path) == f"{path}, line 2, column 'source': '{source}' is not a list of http(s) URLs separated by spaces"

    def test_binary_file(self, write_csv):
        path = write_csv(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
        assert only_problem(path) == f"{path}: is a binary file (it holds NUL bytes), not a UTF-8 CSV"

    def test_missing_file(self, tmp_path):
        path = tmp_path / "nope.csv"
        assert only_problem(path) == f"{path}: does not exist"

    def test_every_problem_at_once(self, write_csv):
        path = write_csv(HEADER + "\n" + row(joined="2023-13") + row(author="B", source="") + row(author="C", left="2020", dest="X", dtype="moon"))
        err = error_of(path)
        assert [(p.line, p.column) for p in err.problems] == [(2, "joined"), (3, "source"), (4, "destination_type")]
        assert str(err).startswith(f"{path} does not follow the cohort data contract (3 problems):\n")
        assert "Traceback" not in str(err)

    def test_returned_needs_a_departure_after_it(self, write_csv):
        path = write_csv(HEADER + "\n" + ROW.replace(",{left},,", ",{left},2020,").format(
            author="A", joined="2015", left="2023", dest="X", dtype="", source="https://x.org")
            + ROW.replace(",{left},,", ",{left},2024,").format(
            author="B", joined="2015", left="", dest="", dtype="", source="https://x.org"))
        err = error_of(path)
        assert [str(p).split(": ", 1)[1] for p in err.problems] == [
            "'2020' is before 'left' (2023)",
            "'2024' is set, but 'left' is empty: a return needs a departure",
        ]

    def test_unknown_only_in_left(self, write_csv):
        path = write_csv(HEADER + "\n" + row(joined="unknown"))
        assert only_problem(path) == (
            f"{path}, line 2, column 'joined': 'unknown' is a word allowed only in the 'left' column; "
            "leave an unknown date empty"
        )
