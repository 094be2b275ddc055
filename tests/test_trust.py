"""Off the happy path: each probe a new user made, and what it gives now (one test per probe).

Probes needing a full render (6, 7, 11) run the command line; the others call the helpers.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pandas as pd
import pytest

from analysis import contract, load_cohort, metrics as m, survival, tables
from analysis.contract import AsOfError, CohortError
from conftest import ROOT, SHIPPED

LLAMA, TRANSFORMER = "LLaMA (2023)", "Attention Is All You Need (2017)"


def cli(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def shipped_with(tmp_path, old: str, new: str, name: str = "edited.csv"):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# 2. A header spelt differently: matched when it is the same column, an error when it is not.
def test_capitalised_header_still_counts_founders(tmp_path):
    cohort = load_cohort(shipped_with(tmp_path, ",founder,", ",Founder ,"))
    founders = m.headline(cohort).set_index("paper")["founders"]
    assert (founders[LLAMA], founders[TRANSFORMER]) == (2, 7)  # 7: Shazeer founded Character.AI, then came back


@pytest.mark.parametrize("typo, meant", [("founders", "founder"), ("destiantion_type", "destination_type")])
def test_misspelt_column_is_an_error_naming_the_nearest(tmp_path, typo, meant):
    path = shipped_with(tmp_path, f",{meant},", f",{typo},")
    with pytest.raises(CohortError) as err:
        load_cohort(path)
    assert str(err.value).splitlines()[1] == (
        f"  {path}, line 1, column '{typo}': is not a column of the contract: did you mean '{meant}'? "
        "a column of your own must start with 'x_'")


def test_header_matching_rules(write_csv):
    """Case, surrounding spaces, and inner spaces or hyphens do not matter; an x_ column is the user's own."""
    text = ("Paper, Published ,AUTHOR,Origin Org,origin-org-x,Source,x_team\n"
            "P,2020,A,Org,,https://x.org,blue\n")
    with pytest.raises(CohortError) as err:
        load_cohort(write_csv(text))
    assert "column 'origin-org-x': is not a column of the contract: did you mean 'origin_org'?" in str(err.value)
    cohort = load_cohort(write_csv(text.replace(",origin-org-x", "").replace(",,", ",")))
    assert cohort.loc[0, ["paper", "author", "origin_org", "x_team"]].tolist() == ["P", "A", "Org", "blue"]


def test_same_column_twice_after_matching(write_csv):
    with pytest.raises(CohortError, match=r"column 'author': appears more than once in the header \(as 'author', 'Author'\)"):
        load_cohort(write_csv("paper,published,author,Author,origin_org,source\nP,2020,A,B,O,https://x.org\n"))


# 3. A semicolon-separated CSV: the message shows the header as read and the separator found.
def test_semicolon_csv_says_what_was_read(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(SHIPPED.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(CohortError) as err:
        load_cohort(path)
    last = err.value.problems[-1]
    assert last.rule.startswith("the header as read has 1 field: 'paper;published;author;origin_org;")
    assert last.rule.endswith("the file is separated by semicolons: save it as comma-separated values (CSV UTF-8)")


# 4. One as-of type: None is the default everywhere; a mapping must name every paper.
def test_none_as_of_is_the_default_everywhere():
    cohort = load_cohort(SHIPPED)
    default = m.as_of_by_paper(cohort)
    assert default == {LLAMA: pd.Timestamp("2025-05-26"), TRANSFORMER: pd.Timestamp("2025-11-17")}
    llama = m.retention(cohort, None).set_index("paper").loc[LLAMA]
    assert (llama["as_of"], llama["departed"], llama["possibly_departed"]) == (pd.Timestamp("2025-05-26"), 11, 0)
    pd.testing.assert_frame_equal(m.retention(cohort, None), m.retention(cohort, default))
    pd.testing.assert_frame_equal(m.destinations(cohort, None), m.destinations(cohort, default))
    pd.testing.assert_frame_equal(m.headline(cohort), m.headline(cohort, default))


def test_as_of_mapping_missing_a_paper_is_an_error():
    cohort = load_cohort(SHIPPED)
    with pytest.raises(AsOfError, match=r"no as-of date for paper 'Attention Is All You Need \(2017\)'"):
        m.retention(cohort, {LLAMA: "2025-05-26"})
    with pytest.raises(AsOfError, match="not a single day"):
        m.retention(cohort, "2025-05")


def test_every_public_function_takes_the_same_as_of_forms():
    from analysis import survival

    cohort = load_cohort(SHIPPED)
    forms = [None, "2025-05-26", date(2025, 5, 26), pd.Timestamp("2025-05-26"),
             {LLAMA: "2025-05-26", TRANSFORMER: pd.Timestamp("2025-05-26")}]
    for func in (m.status_as_of, m.retention, m.departures_by_period, m.waterfall_steps, m.tenure,
                 m.tenure_summary, m.destinations, m.destination_types, m.timeline, m.departure_events,
                 m.headline, m.shared_destinations, m.plausibility, survival.retention_curve,
                 survival.survival_intervals, tables.headline_html, tables.author_table_html,
                 tables.comparison_html, tables.warnings_html):
        results = [func(cohort, form) for form in forms[1:]]
        for other in results[1:]:
            if isinstance(other, (pd.DataFrame, pd.Series)):
                assert other.equals(results[0]), func.__name__
            else:
                assert other == results[0], func.__name__
        func(cohort, forms[0])  # the default is accepted too


# 5. The destinations caption counts organisations, not bars.
def test_destinations_caption_counts_pooled_organisations(write_csv):
    rows = [{"author": f"A{i}", "left": "2021", "destination": f"Org {i // 2 if i < 10 else i}"} for i in range(30)]
    cohort = load_cohort(write_csv(rows))
    full = m.destinations(cohort)
    shown = m.destinations(cohort, top=6)
    assert len(full) == 25 and len(shown) == 7
    text = " ".join(tables.destinations_caption(shown).striptags().split())
    assert text.startswith("30 leavers went to 25 organisations; 2 each to Org 0, Org 1 and 3 more.")  # a tie of five
    assert shown["destination"].iloc[-1] == "Other (19 organisations)"


def test_other_never_pools_a_single_organisation(write_csv):
    rows = [{"author": f"A{i}", "left": "2021", "destination": f"Org {i}"} for i in range(6)]
    shown = m.destinations(load_cohort(write_csv(rows)), top=5)
    assert len(shown) == 6 and not shown["destination"].str.startswith("Other").any()


# 10. Implausible dates and as-of dates are warned about, never silent.
def test_departure_after_the_as_of_date_is_warned(tmp_path):
    cohort = load_cohort(shipped_with(tmp_path, "Thibaut Lavril,Meta,../2022-05,2023-06,",
                                      "Thibaut Lavril,Meta,../2022-05,2031-01,"))
    found = m.plausibility(cohort)
    [row] = found[found["author"] == "Thibaut Lavril"].to_dict("records")
    assert (row["line"], row["column"], row["value"]) == (3, "left", "2031-01")
    assert "in the future" in row["message"]
    box = " ".join(tables.warnings_html(cohort).striptags().split())
    assert "Check before citing" in box and "line 3, Thibaut Lavril, 'left': 2031-01 is in the future" in box


@pytest.mark.parametrize("joined, warned", [
    ("2031-04", "is in the future"),
    ("2024-09", "is after the row's 'verified' date (2024-06-30)"),
    ("2024-03/2024-05", "is after the as-of date (2024-01-31): the author had not joined by then: "
                        "their tenure counts as 0"),
    ("2021-09", "is after the paper's publication (2020-01-15): the author was not yet at 'origin_org' (Org)"),
])
def test_a_join_after_what_it_must_precede_is_warned_and_never_a_negative_tenure(write_csv, joined, warned):
    """A stayer's 'joined' after the as-of date gave a tenure of -2.3 years, and a join in the
    future no warning at all."""
    cohort = load_cohort(write_csv([{"author": "J", "joined": joined}, {"author": "K", "joined": "2015"}]))
    as_of = "2024-01-31"
    [row] = m.plausibility(cohort, as_of).to_dict("records")
    assert (row["line"], row["author"], row["column"], row["value"]) == (2, "J", "joined", joined)
    assert row["message"].startswith(warned)
    tenure = m.tenure(cohort, as_of)
    assert (tenure[["tenure_min_years", "tenure_years", "tenure_max_years"]] >= 0).all().all()
    if joined != "2021-09":  # joined after the as-of date: not yet there, a tenure of 0
        assert tenure.loc[0, ["tenure_min_years", "tenure_max_years"]].tolist() == [0, 0]


def test_a_join_before_publication_is_not_warned(write_csv):
    cohort = load_cohort(write_csv([{"author": "J", "joined": "2020"}, {"author": "K", "joined": "../2020-01-15"}]))
    assert m.plausibility(cohort, "2024-01-31").empty  # 2020 may be before 2020-01-15: nothing certain to warn about


@pytest.mark.parametrize("first, second", [("Hugo Touvron", "hugo  touvron"), ("Timothée Lacroix", "Timothee Lacroix"),
                                           ("A. B. Smith", "A B Smith")])
def test_one_author_written_two_ways_is_warned(write_csv, first, second):
    """Two spellings of one name loaded as two authors, counted twice, without a word."""
    cohort = load_cohort(write_csv([{"author": first}, {"author": "Other"}, {"author": second}]))
    [row] = m.plausibility(cohort, "2024-01-31").to_dict("records")
    assert (row["line"], row["author"], row["column"], row["value"]) == (4, second, "author", second)
    assert row["message"] == f"looks like {first!r} (line 2) written another way: one author counted twice?"


def test_one_paper_written_two_ways_is_warned(write_csv):
    cohort = load_cohort(write_csv([{"author": "A"}, {"author": "B", "paper": "p  (2020)"}]))
    [row] = m.plausibility(cohort, "2024-01-31").to_dict("records")
    assert (row["paper"], row["line"], row["column"]) == ("p  (2020)", 3, "paper")
    assert row["message"].startswith("looks like paper 'P (2020)' (line 2) written another way")


def test_one_destination_written_two_ways_is_warned_once_per_spelling(write_csv):
    """'Mistral AI' and 'mistral ai' made two bars and split the headline's count, without a word.
    The spelling on most rows is taken as meant; each other one is warned about once."""
    gone = {"left": "2022", "destination_type": "startup"}
    cohort = load_cohort(write_csv([{"author": "A", "destination": "Mistral AI", **gone},
                                    {"author": "B", "destination": "mistral  ai", **gone},
                                    {"author": "C", "destination": "Mistral AI", **gone},
                                    {"author": "G", "destination": "Unknown", **gone},
                                    {"author": "D", "destination": "unknown", **gone},
                                    {"author": "F", "destination": "UNKNOWN", **gone},
                                    {"author": "E", "origin_org": "org"},
                                    {"author": "H", "origin_org": "org"}]))
    found = m.plausibility(cohort, "2024-01-31")
    assert found[["line", "author", "column", "value"]].values.tolist() == [
        [3, "B", "destination", "mistral  ai"], [6, "D", "destination", "unknown"], [7, "F", "destination", "UNKNOWN"],
        [8, "E", "origin_org", "org"]]  # 'Unknown' as the contract writes it (line 5) is no warning
    unknown = "is written like a missing value: it counts as an organisation of that name; write 'Unknown' for a " \
              "destination that is not public"
    assert found["message"].tolist() == [
        "looks like 'Mistral AI' (line 2, 2 rows) written another way: one organisation counted as two?",
        unknown, unknown,
        "looks like 'Org' (line 2, 6 rows) written another way (2 rows write it so): one organisation counted as two?",
    ]


@pytest.mark.parametrize("written", ["N/A", "none", "?", "TBD", "not public"])
def test_a_missing_value_written_as_a_destination_is_warned(write_csv, written):
    """'N/A' became the top destination, an organisation of that name."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "2021", "destination": written},
                                    {"author": "B", "left": "2022", "destination": written}]))
    [row] = m.plausibility(cohort, "2024-01-31").to_dict("records")
    assert (row["line"], row["column"], row["value"]) == (2, "destination", written)
    assert row["message"].startswith("is written like a missing value (2 rows write it so): it counts as an organisation")


def test_invisible_characters_make_no_second_name(write_csv):
    """A zero-width space split 'Mistral AI' in two bars that look the same."""
    gone = {"left": "2021", "destination_type": "startup"}
    cohort = load_cohort(write_csv([{"author": "A", "destination": "Mistral AI", **gone},
                                    {"author": "B", "destination": "Mistral AI", **gone},
                                    {"author": "C", "destination": "Mistral\u200b AI", **gone},
                                    {"author": "D", "destination": "Mistral AI\u00ad", **gone}]))
    found = m.plausibility(cohort, "2024-01-31")
    assert found["line"].tolist() == [4, 5] and set(found["column"]) == {"destination"}


def test_a_leaver_gone_to_the_origin_and_a_departure_before_publication_are_warned(write_csv):
    cohort = load_cohort(write_csv([{"author": "A", "left": "2021", "destination": "org"},
                                    {"author": "B", "left": "2019-06", "destination": "X"},
                                    {"author": "C", "left": "2020", "destination": "X"}]))  # 2020 may be after 2020-01-15
    found = m.plausibility(cohort, "2024-01-31")
    assert found[["line", "column", "value"]].values.tolist() == [[2, "destination", "org"], [3, "left", "2019-06"]]
    assert found["message"].tolist() == [
        "is the origin organisation, for an author who has not come back: did they leave? (counted as a departure to it)",
        "is before the paper's publication (2020-01-15): the author had left when it came out, and counts as gone "
        "from the start; a typo?",
    ]


def test_unknown_is_no_organisation_nor_a_shared_destination(write_csv):
    rows = [{"author": "A", "left": "2021", "destination": "Unknown"}, {"author": "B", "left": "2021", "destination": "X"}]
    rows += [{**r, "paper": "Q (2021)", "published": "2021-01-01"} for r in rows]
    cohort = load_cohort(write_csv(rows))
    assert m.headline(cohort, "2024-01-31")["destinations"].tolist() == [1, 1]
    assert m.shared_destinations(cohort, "2024-01-31")["destination"].unique().tolist() == ["X"]


def test_different_names_and_one_name_in_two_papers_are_not_warned(write_csv):
    cohort = load_cohort(write_csv([{"author": "Jan Lee"}, {"author": "Jana Lee"},
                                    {"author": "Jan Lee", "paper": "Q (2021)", "published": "2021-01-01"}]))
    assert m.plausibility(cohort, "2024-01-31").empty


def test_as_of_before_publication_is_warned():
    found = m.plausibility(load_cohort(SHIPPED), "2020-01-01")
    paper = found[found["line"].isna()]
    assert paper["message"].tolist() == [
        "the as-of date 2020-01-01 is before this paper's publication (2023-02-27): a typo?"]
    assert paper["paper"].tolist() == ["LLaMA (2023)"]  # the 2017 paper was published by then


def test_an_open_return_is_closed_by_verified_and_counts_as_back(write_csv):
    """'returned = 2022-06/..' was never closed: the author counted as gone for ever."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "2021", "returned": "2022-06/..", "destination": "X"},
                                    {"author": "B", "left": "2021", "returned": "../2022-06", "destination": "X"}]))
    assert cohort["returned_end"].tolist() == [pd.Timestamp("2024-06-30"), pd.Timestamp("2022-06-30")]
    assert cohort["returned_start"].tolist() == [pd.Timestamp("2022-06-01"), pd.Timestamp("2021-01-01")]
    assert m.status_as_of(cohort).tolist() == ["returned", "returned"]
    assert m.status_as_of(cohort, "2023-01-01").tolist() == ["departed", "returned"]


def test_a_departure_without_verified_is_closed_by_the_papers_snapshot(write_csv):
    """'left = unknown' with no 'verified' counted as certain from the publication day on."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "unknown", "destination": "X", "verified": ""},
                                    {"author": "B", "left": "2021/..", "destination": "X", "verified": ""},
                                    {"author": "C"}]))
    assert cohort["left_end"].tolist()[:2] == [pd.Timestamp("2024-06-30")] * 2  # C's 'verified': the snapshot
    assert m.status_as_of(cohort, "2020-02-01").tolist() == ["possibly departed", "stayed", "stayed"]
    assert m.status_as_of(cohort).tolist() == ["departed", "departed", "stayed"]


def test_a_ceiling_before_an_open_return_closes_nothing(write_csv):
    """'returned = 2024/..' closed by a snapshot of 2023-06-01 ended before it began, and counted as back."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "2021-01", "returned": "2024/..", "destination": "X",
                                     "verified": ""}, {"author": "B", "verified": "2023-06-01"}]))
    assert pd.isna(cohort.loc[0, "returned_end"])
    assert m.status_as_of(cohort).tolist() == ["departed", "stayed"]
    end = survival.retention_curve(cohort).iloc[-1]
    assert end["share_low"] <= end["share_high"]


def test_with_no_verified_in_the_paper_an_open_departure_is_closed_by_today(write_csv):
    """The row says they left: by the time the file was written, no later than today."""
    from datetime import date

    cohort = load_cohort(write_csv([{"author": "A", "left": "unknown", "destination": "X", "verified": ""},
                                    {"author": "B", "left": "2021", "destination": "X", "verified": ""}]))
    assert cohort.loc[0, "left_end"] == pd.Timestamp(date.today())
    assert m.status_as_of(cohort, "2024-01-31").tolist() == ["possibly departed", "departed"]
    assert m.status_as_of(cohort).tolist() == ["departed", "departed"]  # the default as-of day: today
    curve = survival.retention_curve(cohort, "2024-01-31")
    assert curve.iloc[-1][["present_low", "present_high"]].tolist() == [0, 1]  # the same as the status


def test_a_dated_departure_is_cut_at_verified(write_csv):
    """'left = 2024' confirmed on 2024-03-01 happened by then; '2024/..' already closed there, so the
    more precise date gave the weaker status."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "2024", "destination": "X", "verified": "2024-03-01"},
                                    {"author": "B", "left": "2024/..", "destination": "X", "verified": "2024-03-01"}]))
    assert cohort["left_end"].tolist() == [pd.Timestamp("2024-03-01")] * 2
    assert m.status_as_of(cohort, "2024-06-01").tolist() == ["departed", "departed"]


def test_a_return_after_a_departure_after_the_as_of_date_is_not_said_to_count_as_gone(write_csv):
    """Both after the as-of date: the author counts as still there, and only the departure is warned about."""
    cohort = load_cohort(write_csv([{"author": "A", "left": "2023", "returned": "2024-03", "destination": "X"}]))
    found = m.plausibility(cohort, "2022-06-30")
    assert found["column"].tolist() == ["left"] and "the author counts as still there" in found["message"][0]
    assert m.status_as_of(cohort, "2022-06-30").tolist() == ["stayed"]


def test_future_and_past_snapshot_as_of_are_warned():
    cohort = load_cohort(SHIPPED)
    future = (date.today() + timedelta(days=400)).isoformat()
    messages = m.plausibility(cohort, future)["message"].tolist()
    assert sum("is in the future" in t for t in messages) == 2
    assert sum("after this paper's snapshot" in t for t in messages) == 2
    assert m.plausibility(cohort).empty  # the shipped data, as of its snapshots: nothing to warn about


# 9. The command line rejects a bad CSV before it starts anything heavy.
def test_bad_csv_is_rejected_in_well_under_a_second(tmp_path):
    path = shipped_with(tmp_path, "2023-04,,,Microsoft AI", "2023-13,,,Microsoft AI")
    started = time.perf_counter()
    done = cli("render", "--data", str(path), "--out", str(tmp_path / "out"))
    seconds = time.perf_counter() - started
    assert done.returncode == 1
    assert "line 4, column 'left': '2023-13' has month 13, which does not exist" in done.stderr
    assert "executing" not in done.stderr  # no kernel was started
    assert seconds < 1.0, seconds  # Python's start and the check; the render itself takes ~10 s
    assert not (tmp_path / "out").exists()


def test_large_bad_csv_checked_while_the_kernel_starts_stops_it(tmp_path, monkeypatch):
    """Over CHECK_WHILE_KERNEL_STARTS the rows are checked while the kernel boots: a failed check
    still writes nothing, and the kernel is shut down and its socket folder removed. A bad header
    starts no kernel."""
    import glob
    import tempfile

    from analysis import render as r

    path = shipped_with(tmp_path, "2023-04,,,Microsoft AI", "2023-13,,,Microsoft AI")
    monkeypatch.setattr(r, "CHECK_WHILE_KERNEL_STARTS", 0)
    started = []
    real = r._Kernel

    class Spy(real):
        def __init__(self):
            super().__init__()
            started.append(self)

    monkeypatch.setattr(r, "_Kernel", Spy)
    before = set(glob.glob(f"{tempfile.gettempdir()}/exodus-kernel-*"))
    with pytest.raises(r.RenderError, match="'2023-13' has month 13"):
        r.render(path, out_dir=tmp_path / "out", formats=["html"])
    assert len(started) == 1 and not started[0].km.has_kernel  # it was started, then shut down
    assert set(glob.glob(f"{tempfile.gettempdir()}/exodus-kernel-*")) == before
    assert not (tmp_path / "out").exists()
    # a bad header is found before the kernel would start: none is started
    misspelt = tmp_path / "misspelt.csv"
    misspelt.write_text(SHIPPED.read_text(encoding="utf-8").replace("founder", "founders", 1), encoding="utf-8")
    with pytest.raises(r.RenderError, match="did you mean 'founder'"):
        r.render(misspelt, out_dir=tmp_path / "out", formats=["html"])
    assert len(started) == 1


def test_check_csv_needs_no_pandas():
    code = ("import sys; from analysis import contract; contract.check_csv(sys.argv[1]); "
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(SHIPPED)], check=True)


# 8. --out at an existing file: a clear error before any work.
def test_out_at_a_file_is_an_error_at_once(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    done = cli("render", "--out", str(target))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"--out {target} is a file, not a folder" in done.stderr
    assert target.read_text() == "keep me"


# 6. The output folder holds exactly one render's files.
@pytest.mark.render
def test_html_only_render_removes_an_earlier_pdf(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.pdf").write_bytes(b"%PDF-1.4 an earlier render")
    (out / "notes.txt").write_text("the user's own file")
    done = cli("render", "--formats", "html", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "report.html", "summary.json"]
    assert "Kernel is running over TCP" not in done.stderr  # 11: no kernel transport warning
    assert "warning" not in done.stderr.lower()


# 7. SIGINT and SIGTERM stop a render within seconds, exit non-zero, leave nothing behind.
@pytest.mark.render
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_the_render(tmp_path, signum):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"earlier": true}')
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "render", "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = proc.stderr.readline()  # "executing the report notebook": the kernel is up
    assert "executing" in line and time.monotonic() < deadline
    time.sleep(1.5)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert proc.returncode == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no hidden temporary folder
    assert json.loads((out / "summary.json").read_text()) == {"earlier": True}


# 12. Returners: see tests/test_metrics.py::TestReturns (both ways of filling 'destination').
def test_shipped_returner_follows_the_contract():
    cohort = load_cohort(SHIPPED).set_index("author")
    shazeer = cohort.loc["Noam Shazeer"]
    assert shazeer["returned"] and shazeer["destination"] == "Character.AI"
    dest = m.destinations(load_cohort(SHIPPED))
    row = dest[(dest["paper"] == TRANSFORMER) & (dest["destination"] == "Character.AI")].iloc[0]
    assert (row["authors"], row["came_back"]) == (1, 1)


def test_fast_check_agrees_on_the_shipped_files():
    assert contract.check_csv(SHIPPED) == [LLAMA, TRANSFORMER]
    for name in ("hostile.csv", "other_cohort.csv"):
        assert contract.check_csv(ROOT / "tests" / "data" / name)
