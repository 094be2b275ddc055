"""Load and validate a cohort CSV: the data contract's one entry point.

:func:`load_cohort` reads a CSV that follows the data contract (see
``data/README.md``), checks every rule at once and returns a typed frame, one
row per (paper, author). Anything wrong raises a single :class:`CohortError`
whose message names the file, the CSV line, the column, the value and the rule.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_lib
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv
from pandera.errors import SchemaErrors

from .dates import parse_fuzzy_dates

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "DATE_COLUMNS",
    "DESTINATION_TYPES",
    "Problem",
    "CohortError",
    "load_cohort",
    "validate_cohort",
    "PaperNotFoundError",
    "papers_of",
    "select_papers",
]

COLUMNS = [
    "paper",
    "published",
    "author",
    "origin_org",
    "joined",
    "left",
    "returned",
    "destination",
    "destination_type",
    "founder",
    "role",
    "country",
    "verified",
    "source",
    "notes",
]
"""The contract's columns, in their canonical order."""

REQUIRED_COLUMNS = ["paper", "published", "author", "origin_org", "source"]
DATE_COLUMNS = ["published", "joined", "left", "returned", "verified"]
DESTINATION_TYPES = ["startup", "big_tech", "research_lab", "academia", "other"]
"""Allowed values of ``destination_type``, in the order charts use."""

_DAYS_PER_YEAR = 365.25
_URLS = re.compile(r"https?://[^\s\"'<>]+(?: +https?://[^\s\"'<>]+)*")


@dataclass(frozen=True)
class Problem:
    """One broken rule: where it is, what the value is, and what the rule says."""

    path: str
    line: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}, line {self.line}"
        if self.column is not None:
            where += f", column '{self.column}'"
        what = self.rule if self.value is None else f"{self.value!r} {self.rule}"
        return f"{where}: {what}"


class CohortError(ValueError):
    """A cohort CSV breaks the data contract; ``problems`` lists every broken rule."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = sorted(problems, key=lambda p: (p.line or 0, COLUMNS.index(p.column) if p.column in COLUMNS else 99))
        count = len(self.problems)
        head = f"{path} does not follow the cohort data contract ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


def _fail(path: str, rule: str, *, line: int | None = None, column: str | None = None, value: str | None = None):
    raise CohortError(path, [Problem(path, line, column, value, rule)])


def _decode(path: str, data: bytes) -> str:
    if b"\x00" in data:
        _fail(path, "is a binary file (it holds NUL bytes), not a UTF-8 CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data[: err.start].count(b"\n") + 1
        bad = data[err.start : err.end]
        header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
        before = data[line_start : err.start].decode("utf-8", "replace")
        field = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = header[field].strip() if line > 1 and field < len(header) else None
        _fail(
            path,
            f"is not UTF-8 text: byte 0x{bad[0]:02x} at character {err.start - line_start + 1} of the line; "
            "save the file as UTF-8",
            line=line,
            column=column,
        )


def _record_lines(text: str, n_rows: int) -> np.ndarray:
    """CSV line number of each data record (quoted newlines and blank lines counted)."""
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    if physical == n_rows + 1:  # the common case: one line per record, no blank lines
        return np.arange(2, n_rows + 2)
    reader = csv.reader(io.StringIO(text))
    lines, previous_end = [], 0
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if record:  # pandas skips blank lines too
            lines.append(start)
    return np.asarray(lines[1:], dtype=int)


def _wrong_field_counts(path: str, text: str, width: int) -> list[Problem]:
    reader = csv.reader(io.StringIO(text))
    next(reader)
    problems, previous_end = [], reader.line_num
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if len(record) > width:
            problems.append(
                Problem(path, start, None, ",".join(record[width:]),
                        f"is beyond the header: the row has {len(record)} fields, the header {width}; "
                        "quote any field that holds a comma")
            )
        elif record and len(record) < width:
            problems.append(
                Problem(path, start, None, None,
                        f"has {len(record)} fields but the header has {width}: "
                        "write an empty field (,,) for every unknown value")
            )
    return problems


def _arrow_table(data: bytes, names: list[str]) -> tuple[pa_lib.Table, int]:
    """Parse the CSV body with pyarrow (multi-threaded); every field a string."""
    invalid = []

    def skip(row) -> str:
        invalid.append(row)
        return "skip"

    table = pa_csv.read_csv(
        io.BytesIO(data),
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=skip),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa_lib.string() for name in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False, null_values=[],
        ),
    )
    return table, len(invalid)


def _read_table(path: str, text: str, data: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    if not text.strip():
        _fail(path, "is empty: expected a header row and one row per (paper, author)")
    header = next(csv.reader(io.StringIO(text)))
    names = [h.strip() for h in header]
    problems = [
        Problem(path, 1, name, None, "is a required column and is missing from the header")
        for name in REQUIRED_COLUMNS
        if name not in names
    ]
    problems += [
        Problem(path, 1, name, None, "appears more than once in the header")
        for name in dict.fromkeys(n for n in names if names.count(n) > 1)
    ]
    if problems:
        raise CohortError(path, problems)
    try:
        table, invalid = _arrow_table(data, names)
    except pa_lib.ArrowInvalid as err:
        raise CohortError(path, _wrong_field_counts(path, text, len(header))
                          or [Problem(path, None, None, None, f"is not a readable CSV: {err}")]) from None
    if invalid:
        raise CohortError(path, _wrong_field_counts(path, text, len(header)))
    if table.num_rows == 0:
        _fail(path, "has a header but no data rows", line=1)
    trimmed = pa_lib.table([pa_compute.utf8_trim_whitespace(column) for column in table.columns], names=names)
    frame = trimmed.to_pandas(types_mapper={pa_lib.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    for name in COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.Series("", index=frame.index, dtype=frame[names[0]].dtype)
    return frame, _record_lines(text, len(frame))


def _per_unique(values: pd.Series, func: Callable[[str], bool]) -> pd.Series:
    codes, uniques = pd.factorize(values, sort=False)
    return pd.Series(np.asarray([func(u) for u in uniques], dtype=bool)[codes], index=values.index)


def _schema(parsed: dict[str, pd.DataFrame], reasons: dict[str, pd.Series]) -> pa.DataFrameSchema:
    """The contract as a pandera schema over the raw (string) table."""

    def date_check(name: str) -> pa.Check:
        return pa.Check(lambda s, name=name: reasons[name] == "", name=f"date:{name}")

    required = pa.Check(lambda s: s.str.len() > 0, name="required")
    # No dtype: the reader already gives strings, and pandera's str check visits every cell.
    text = None
    columns = {name: pa.Column(text) for name in COLUMNS}
    for name in REQUIRED_COLUMNS:
        columns[name] = pa.Column(text, required)
    for name in DATE_COLUMNS:
        checks = [date_check(name)] + ([required] if name in REQUIRED_COLUMNS else [])
        columns[name] = pa.Column(text, checks)
    columns["destination_type"] = pa.Column(
        text, pa.Check(lambda s: s.isin(DESTINATION_TYPES + [""]), name="destination_type")
    )
    columns["founder"] = pa.Column(text, pa.Check(lambda s: s.str.lower().isin(["true", "false", ""]), name="founder"))
    columns["source"] = pa.Column(
        text,
        [required, pa.Check(lambda s: (s == "") | _per_unique(s, lambda u: bool(_URLS.fullmatch(u))), name="source")],
    )
    joined, left = parsed["joined"], parsed["left"]
    wide = [
        pa.Check(lambda d: ~(left["end"] < joined["start"]), name="left_after_joined"),
        pa.Check(lambda d: (d["left"] == "") | (d["destination"] != ""), name="destination_when_left"),
        pa.Check(lambda d: (d["returned"] == "") | (d["left"] != ""), name="returned_after_left"),
        pa.Check(lambda d: ~(parsed["returned"]["end"] < left["start"]), name="returned_not_before_left"),
        pa.Check(lambda d: ~d.duplicated(["paper", "author"]), name="unique_author"),
        pa.Check(lambda d: d["published"] == d.groupby("paper", sort=False)["published"].transform("first"),
                 name="one_published"),
    ]
    return pa.DataFrameSchema(columns, checks=wide, strict=False, coerce=False)


def _problems(path: str, table: pd.DataFrame, lines: np.ndarray, failures: pd.DataFrame,
              reasons: dict[str, pd.Series]) -> list[Problem]:
    position = pd.Series(np.arange(len(table)), index=table.index)
    rows = table.reset_index()
    first_of_paper = rows.drop_duplicates("paper").set_index("paper")
    first_author = rows.drop_duplicates(["paper", "author"]).set_index(["paper", "author"])["index"]
    static = {
        "required": "is empty, but the column is required",
        "destination_type": "is not one of: " + ", ".join(DESTINATION_TYPES),
        "founder": "is neither 'true' nor 'false'",
        "source": "is not a list of http(s) URLs separated by spaces",
    }
    out: dict[tuple, Problem] = {}
    for row in failures.itertuples(index=False):
        if row.index is None or (isinstance(row.index, float) and np.isnan(row.index)):
            continue
        idx = row.index
        line = int(lines[position[idx]])
        record = table.loc[idx]
        check = str(row.check)
        if check.startswith("date:"):
            column = check.split(":", 1)[1]
            rule = reasons[column][idx]
        elif check in static:
            column, rule = row.column, static[check]
        elif check == "left_after_joined":
            column, rule = "left", f"is before 'joined' ({record['joined']})"
        elif check == "returned_after_left":
            column, rule = "returned", "is set, but 'left' is empty: a return needs a departure"
        elif check == "returned_not_before_left":
            column, rule = "returned", f"is before 'left' ({record['left']})"
        elif check == "destination_when_left":
            column, rule = "destination", "is empty, but 'left' is set: name where the author went, or write 'Unknown'"
        elif check == "unique_author":
            column = "author"
            earlier = int(lines[position[first_author[(record["paper"], record["author"])]]])
            rule = f"is already an author of paper {record['paper']!r} (line {earlier})"
        elif check == "one_published":
            column = "published"
            head = first_of_paper.loc[record["paper"]]
            rule = (f"differs from {head['published']!r}, the 'published' date of paper {record['paper']!r} "
                    f"on line {int(lines[position[head['index']]])}")
        else:  # a check this module does not know: report it as pandera names it
            column, rule = row.column, f"fails check {check}"
        out.setdefault((line, column, check), Problem(path, line, column, str(record[column]) if column in record else None, rule))
    return list(out.values())


def validate_cohort(table: pd.DataFrame, *, path: str = "<frame>", lines: np.ndarray | None = None) -> pd.DataFrame:
    """Validate a raw, all-string cohort table and return the typed cohort frame.

    ``table`` holds the contract's columns as strings (empty = missing);
    ``lines`` gives each row's CSV line number for messages (default: 2, 3, ...).
    Raises :class:`CohortError` listing every broken rule.
    """
    table = table.reset_index(drop=True)
    if lines is None:
        lines = np.arange(2, len(table) + 2)
    parsed, reasons = {}, {}
    for name in DATE_COLUMNS:
        parsed[name], reasons[name] = parse_fuzzy_dates(table[name], allow_unknown=name == "left")
    try:
        _schema(parsed, reasons).validate(table, lazy=True)
    except SchemaErrors as err:
        raise CohortError(path, _problems(path, table, lines, err.failure_cases, reasons)) from None
    return _typed(table, parsed, lines)


def _typed(table: pd.DataFrame, parsed: dict[str, pd.DataFrame], lines: np.ndarray) -> pd.DataFrame:
    out = pd.DataFrame({"line": lines.astype(int)}, index=table.index)
    for name in COLUMNS:
        out[name] = table[name]
        if name in DATE_COLUMNS:
            for part in ("start", "end"):
                out[f"{name}_{part}"] = parsed[name][part].astype("datetime64[ns]")
            out[f"{name}_kind"] = parsed[name]["kind"]

    # A departure whose date is unknown, or an interval with an open end, lies
    # between 'joined' (else publication) and 'verified'.
    floor = out["joined_start"].fillna(out["published_start"])
    out["left_start"] = out["left_start"].where(out["left_start"].notna() | (out["left"] == ""), floor)
    out["left_end"] = out["left_end"].where(out["left_end"].notna() | (out["left"] == ""), out["verified_end"])
    out["departed"] = out["left"] != ""

    out["destination_type"] = pd.Categorical(out["destination_type"].mask(out["destination_type"] == ""),
                                             categories=DESTINATION_TYPES)
    out["founder"] = out["founder"].str.lower().map({"true": True, "false": False}).astype("boolean")

    shortest = (out["left_start"] - out["joined_end"]).dt.days / _DAYS_PER_YEAR
    longest = (out["left_end"] - out["joined_start"]).dt.days / _DAYS_PER_YEAR
    known = out["departed"]
    out["tenure_min_years"] = shortest.clip(lower=0).where(known)
    out["tenure_max_years"] = longest.where(known)
    out["tenure_years"] = ((out["tenure_min_years"] + out["tenure_max_years"]) / 2).where(known)

    extra = [c for c in table.columns if c not in COLUMNS]
    for name in extra:
        out[name] = table[name]
    return out


def load_cohort(path: str | Path) -> pd.DataFrame:
    """Read, validate and type a cohort CSV.

    Parameters
    ----------
    path : str or Path
        A UTF-8 CSV following the data contract (``data/README.md``).

    Returns
    -------
    DataFrame
        One row per (paper, author), in file order, with the contract's
        columns as written plus, for each date column ``X``: ``X_start`` and
        ``X_end`` (earliest and latest possible day) and ``X_kind``;
        ``departed`` (bool), ``founder`` (nullable bool), ``destination_type``
        (categorical), ``tenure_min_years`` / ``tenure_years`` /
        ``tenure_max_years`` for leavers whose join date is known, and
        ``line``, the CSV line each row came from.

    Raises
    ------
    CohortError
        Listing every problem, each with file, line, column, value and rule.
    """
    path = Path(path)
    name = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _fail(name, "does not exist")
    except IsADirectoryError:
        _fail(name, "is a folder, not a CSV file")
    text = _decode(name, data)
    table, lines = _read_table(name, text, data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    return validate_cohort(table, path=name, lines=lines)


class PaperNotFoundError(KeyError):
    """A requested paper is not in the cohort; the message lists the papers present."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


def papers_of(cohort: pd.DataFrame) -> list[str]:
    """The papers in a cohort frame, in file order."""
    return list(dict.fromkeys(cohort["paper"]))


def select_papers(cohort: pd.DataFrame, papers: str | list[str] | None) -> pd.DataFrame:
    """Keep the rows of ``papers`` (a name, a list, or None/empty for every paper).

    Raises :class:`PaperNotFoundError` naming the papers the data does hold.
    """
    if papers is None or papers == "" or papers == []:
        return cohort
    wanted = [papers] if isinstance(papers, str) else list(papers)
    present = papers_of(cohort)
    missing = [p for p in wanted if p not in present]
    if missing:
        raise PaperNotFoundError(
            f"no paper named {', '.join(repr(m) for m in missing)} in the data; "
            f"papers present: {', '.join(repr(p) for p in present)}"
        )
    return cohort[cohort["paper"].isin(wanted)].reset_index(drop=True)
