"""Fuzz the contract (Hypothesis): valid cohorts and mutations of them.

Every mutation (a cell, a header, the encoding, the separator, a date's form)
either loads to figures consistent with what the file says, or fails with a
located :class:`CohortError`, the same from the loader and from the command
line's pandas-free check: never a traceback, never a silently different number.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
from hypothesis import HealthCheck, given, settings, strategies as st

from analysis import contract, load_cohort, metrics as m
from analysis.contract import COLUMNS, CohortError

AS_OF = pd.Timestamp("2025-06-30")
LOCATED = re.compile(r"^  .+?(, line \d+)?(, column '[^']*')?: .+$")

years = st.integers(2000, 2024)
months = st.integers(1, 12)
days = st.integers(1, 28)
point = st.one_of(
    years.map(str),
    st.tuples(years, months).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.tuples(years, months, days).map(lambda t: f"{t[0]}-{t[1]:02d}-{t[2]:02d}"),
)
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(',"\n;'),
               max_size=12)


@st.composite
def cohorts(draw) -> list[dict]:
    """Valid rows: 1-3 papers, unique authors, dates in order, a destination for every departure."""
    rows = []
    for p in range(draw(st.integers(1, 3))):
        published = f"{draw(st.integers(2010, 2020))}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}"
        for a in range(draw(st.integers(1, 5))):
            row = {c: "" for c in COLUMNS} | {
                "paper": f"Paper {p}", "published": published, "author": draw(text.filter(lambda s: s.strip()))
                + f" #{a}", "origin_org": "Org", "source": "https://example.org/" + str(a),
                "verified": "2025-05-26"}
            if draw(st.booleans()):
                joined = draw(st.integers(2000, 2022))
                row["joined"] = draw(st.sampled_from([str(joined), f"../{joined}", f"{joined}-03"]))
                left = draw(st.one_of(st.just("unknown"), st.integers(joined + 1, 2025).map(str),
                                      st.integers(joined + 1, 2024).map(lambda y: f"{y}-05/{y + 1}")))
                if draw(st.booleans()):
                    row |= {"left": left, "destination": draw(text.filter(lambda s: s.strip())) or "X",
                            "destination_type": draw(st.sampled_from(contract.DESTINATION_TYPES + [""])),
                            "founder": draw(st.sampled_from(["true", "false", "", "TRUE"]))}
            row["notes"] = draw(text)
            rows.append(row)
    return rows


def write(rows: list[dict], header: list[str] | None = None, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header or COLUMNS)
    for r in rows:
        writer.writerow([r[c] for c in COLUMNS])
    return out.getvalue()


def typo(name: str, draw) -> str:
    kind = draw(st.sampled_from(["case", "spaces", "drop", "swap", "extra", "random"]))
    if kind == "case":
        return name.upper() if draw(st.booleans()) else name.title()
    if kind == "spaces":
        return " " + name.replace("_", " ") + " "
    i = draw(st.integers(0, len(name) - 1))
    if kind == "drop":
        return name[:i] + name[i + 1:]
    if kind == "swap" and len(name) > 1:
        i = min(i, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    if kind == "extra":
        return name + "s"
    return draw(st.text(st.characters(codec="ascii", categories=("Ll",)), min_size=1, max_size=8))


@st.composite
def mutated(draw) -> tuple[bytes, list[dict]]:
    rows = draw(cohorts())
    header = list(COLUMNS)
    delimiter, encoding = ",", "utf-8"
    kind = draw(st.sampled_from(["none", "cell", "header", "encoding", "separator", "date form"]))
    if kind == "cell":
        r, c = draw(st.integers(0, len(rows) - 1)), draw(st.sampled_from(COLUMNS))
        rows[r][c] = draw(st.one_of(text, point, st.sampled_from(["", "unknown", "true", "yes", "2023-13",
                                                                   "2024/2023", "../..", "ftp://x"])))
    elif kind == "header":
        i = draw(st.integers(0, len(header) - 1))
        header[i] = typo(header[i], draw)
    elif kind == "separator":
        delimiter = draw(st.sampled_from([";", "\t"]))
    elif kind == "encoding":
        encoding = draw(st.sampled_from(["utf-8-sig", "cp1252", "utf-16"]))
    elif kind == "date form":
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.sampled_from(["published", "joined", "left", "verified"]))
        y, mo, d = draw(years), draw(months), draw(days)
        rows[r][c] = draw(st.sampled_from([f"{y}/{mo:02d}/{d:02d}", f"{d:02d}/{mo:02d}/{y}", f"{y}-{mo}-{d}",
                                           f"June {y}", f"{y}-{mo:02d}-{d:02d}T00:00", f"{y}-{mo:02d}-{d:02d} "]))
    data = write(rows, header, delimiter).encode(encoding, errors="replace")
    return data, rows


def expected(data: bytes) -> list[dict]:
    """What the file says, read with the csv module alone: trimmed records under contract names."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    names = [contract.normalise_header(h) for h in next(reader)]
    return [{c: dict(zip(names, (v.strip() for v in rec))).get(c, "") for c in COLUMNS} for rec in reader if rec]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=mutated())
def test_mutations_load_consistently_or_fail_located(tmp_path_factory, case):
    data, _ = case
    path = tmp_path_factory.mktemp("fuzz") / "cohort.csv"
    path.write_bytes(data)
    try:
        cohort = load_cohort(path)
    except CohortError as err:
        lines = str(err).splitlines()
        assert lines[0].startswith(f"{path} does not follow the cohort data contract")
        assert all(LOCATED.match(line) for line in lines[1:]), str(err)
        try:
            contract.check_csv(path)
        except CohortError as fast:
            assert str(fast) == str(err)
        else:
            raise AssertionError(f"the command line's check accepts what the loader rejects:\n{err}")
        return
    assert contract.check_csv(path) == list(dict.fromkeys(cohort["paper"]))
    said = expected(data)
    typed = ["destination_type", "founder"]
    as_text = cohort.assign(destination_type=cohort["destination_type"].astype(object).fillna(""),
                            founder=cohort["founder"].map({True: "true", False: "false"}).fillna(""))
    assert as_text[COLUMNS].to_dict("records") == [  # read exactly what the file says
        r | {"founder": r["founder"].lower()} for r in said]
    assert typed
    head = m.headline(cohort, AS_OF).set_index("paper")
    for paper, rows in pd.DataFrame(said).groupby("paper", sort=False):
        h = head.loc[paper]
        assert h["authors"] == len(rows)
        gone = rows[rows["left"] != ""]
        assert h["departed"] + h["possibly_departed"] <= len(gone)
        status = m.status_as_of(cohort, AS_OF)[cohort["paper"] == paper]
        founders = cohort.loc[status.index[status.isin(m.GONE)], "founder"].fillna(False).astype(bool)
        assert h["founders"] == int(founders.sum())
        assert h["founders"] <= int((gone["founder"].str.lower() == "true").sum())
