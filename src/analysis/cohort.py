"""Load and validate a cohort CSV: the data contract's one entry point.

:func:`load_cohort` reads a CSV that follows the data contract (see
``data/README.md``), checks every rule at once and returns a typed frame, one
row per (paper, author). Anything wrong raises a single :class:`CohortError`
whose message names the file, the CSV line, the column, the value and the rule.
"""

from __future__ import annotations

import csv
from datetime import date
import functools
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_lib
import pyarrow.compute as pa_compute
import pyarrow.csv as pa_csv
from pandera.errors import SchemaErrors

from . import contract
from .contract import (
    COLUMNS,
    DATE_COLUMNS,
    DESTINATION_TYPES,
    REQUIRED_COLUMNS,
    CohortError,
    PaperNotFoundError,
    Problem,
    check_papers,
    fail,
)
from .dates import parse_fuzzy_date_codes, parse_years
from .paths import DEFAULT_DATA

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

_CELL_RULES = [c for c in COLUMNS if contract.cell_reason(c, "") or c in DATE_COLUMNS
               or c in ("destination_type", "founder", "source", "tenure_stated")]
"""Columns with a rule on each value (the rules themselves: :func:`analysis.contract.cell_reason`)."""
_ONLY_REQUIRED = [c for c in REQUIRED_COLUMNS if c not in DATE_COLUMNS and c != "source"]
_PLAIN_URL = r"https?://[\x21\x23-\x26\x28-\x3b\x3d\x3f-\x7e]+"
_PLAIN_SOURCES = f"^{_PLAIN_URL}(?: +{_PLAIN_URL})*$"
"""Sources of plain ASCII URLs, a subset of what :data:`analysis.contract.URLS` accepts, checked
by pyarrow at C speed; any other value goes to :func:`analysis.contract.cell_reason`."""


def _encoded_kind(values: pd.Series) -> bool:
    """Whether a column holds pyarrow strings."""
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


def _encoded(values: pd.Series):
    """A string column dictionary-encoded by pyarrow, or None when it does not hold pyarrow strings."""
    if not _encoded_kind(values):
        return None
    array = pa_lib.array(values.array)
    if isinstance(array, pa_lib.ChunkedArray):
        array = array.combine_chunks()
    return pa_compute.dictionary_encode(array)


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and distinct values of a string column (pyarrow's dictionary encoding when it holds pyarrow strings)."""
    encoded = _encoded(values)
    if encoded is None:
        codes, uniques = pd.factorize(values, sort=False)
        return codes, list(uniques)
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()


def _codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Codes of a string column and how many distinct values it has (the values themselves not built)."""
    encoded = _encoded(values)
    if encoded is None:
        codes, uniques = pd.factorize(values, sort=False)
        return codes, len(uniques)
    return encoded.indices.to_numpy(zero_copy_only=False), len(encoded.dictionary)


def _record_lines(body: bytes, n_rows: int, text) -> tuple[np.ndarray, bool]:
    """CSV line number of each data record (quoted newlines and blank lines counted), and whether
    some record spans several lines or lines are blank; ``text()`` gives the decoded file, read
    only then."""
    physical = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if physical == n_rows + 1:  # the common case: one line per record, no blank lines
        return np.arange(2, n_rows + 2), False
    reader = csv.reader(io.StringIO(text()))
    lines, previous_end = [], 0
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if record:  # pandas skips blank lines too
            lines.append(start)
    return np.asarray(lines[1:], dtype=int), True


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


def _header_of(body: bytes, text) -> str:
    """The text of the header record, decoded without decoding the whole file: its first line,
    when that holds the whole record (balanced quotes) and is UTF-8; else all of ``text()``."""
    end = body.find(b"\n")
    first = body if end < 0 else body[: end + 1]
    if end < 0 or first.count(b'"') % 2 or first.isspace():
        return text()
    try:
        return first.decode("utf-8")
    except UnicodeDecodeError:
        return text()  # contract.decode raises the located error


def _trimmed(table: pa_lib.Table) -> pa_lib.Table:
    """Every cell without leading or trailing white space; pyarrow trims the columns on two threads."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        columns = list(pool.map(pa_compute.utf8_trim_whitespace, table.columns))
    return pa_lib.table(columns, names=table.column_names)


def _read_table(path: str, data: bytes) -> tuple[pd.DataFrame, np.ndarray]:
    """Parse the file's bytes into an all-string frame and the CSV line of each row. The whole file
    is decoded to text only where a message or an unusual layout needs it: pyarrow checks UTF-8."""
    text = functools.cache(lambda: contract.decode(path, data))

    if b"\x00" in data:
        text()  # a binary file: contract.decode says so
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    contract.check_line_ends(path, body)
    if not body or body.isspace():
        fail(path, "is empty: expected a header row and one row per (paper, author)")
    names = contract.read_header(path, _header_of(body, text))
    try:
        table, invalid = _arrow_table(body, names)
    except pa_lib.ArrowInvalid as err:  # text() raises the located error first when the file is not UTF-8
        raise CohortError(path, contract.field_count_problems(path, text(), len(names))
                          or [Problem(path, None, None, None, f"is not a readable CSV: {err}")]) from None
    if invalid:
        raise CohortError(path, contract.field_count_problems(path, text(), len(names)))
    if table.num_rows == 0:
        fail(path, "has a header but no data rows", line=1)
    frame = _trimmed(table).to_pandas(types_mapper={pa_lib.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    for name in COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.Series("", index=frame.index, dtype=frame[names[0]].dtype)
    lines, spans = _record_lines(body, len(frame), text)
    if spans and (problems := contract.swallowed_rows(path, text(), len(names))):
        raise CohortError(path, problems)  # some record spans lines: a quote never closed takes rows in
    return frame, lines


class _Reasons:
    """Per row, why its value breaks a column's rule, kept encoded: ``by_code[codes[i]]`` (``""``
    where none). Rules are decided once per distinct value; the messages are built only for the
    rows a problem is reported on."""

    def __init__(self, codes: np.ndarray, by_code: np.ndarray):
        self.codes, self.by_code = codes, by_code

    @property
    def ok(self) -> np.ndarray:
        return (self.by_code == "")[self.codes]

    def __getitem__(self, row: int) -> str:
        return self.by_code[self.codes[row]]


def _cell_reasons(table: pd.DataFrame, date_reasons: dict[str, _Reasons]) -> dict[str, _Reasons]:
    """Per column with a value rule, the reason each value breaks it ("" where none), computed
    once per distinct value by :func:`analysis.contract.cell_reason`."""
    reasons = {}
    for name in _CELL_RULES:
        if name in DATE_COLUMNS and name not in REQUIRED_COLUMNS:
            reasons[name] = date_reasons[name]  # the parse already gave them
            continue
        if name in _ONLY_REQUIRED:  # one value per row: vectorised, same rule
            reasons[name] = _Reasons((table[name] == "").to_numpy(bool).astype(np.int8),
                                     np.array(["", contract.REQUIRED_RULE], dtype=object))
            continue
        values = table[name]
        plain = None
        if name == "source":  # one distinct value per row: check plain URLs vectorised, the rest one by one
            plain = pa_compute.match_substring_regex(pa_lib.array(values.array), _PLAIN_SOURCES)
            plain = plain.to_numpy(zero_copy_only=False)
            values = values[~plain]
        codes, uniques = _distinct(values)
        by_code = np.array([contract.cell_reason(name, u) for u in uniques] + [""], dtype=object)
        if plain is not None:
            every = np.full(len(table), len(uniques), dtype=np.int64)  # "" for the plain ones
            every[~plain] = codes
            codes = every
        reasons[name] = _Reasons(np.asarray(codes), by_code)
    return reasons


def _repeated(paper: np.ndarray, author: tuple[np.ndarray, int]) -> np.ndarray:
    """Rows whose (paper, author) an earlier row already has (on integer codes: fast)."""
    codes, n = author
    return pd.Series(paper.astype(np.int64) * (n + 1) + codes).duplicated().to_numpy()


def _same_published(paper: np.ndarray, published: np.ndarray) -> np.ndarray:
    """Rows whose 'published' is the one on their paper's first row."""
    _, first = np.unique(paper, return_index=True)  # first row of each paper code (codes are 0..n-1)
    return published == published[first[paper]]


def _schema(table: pd.DataFrame, parsed: dict[str, pd.DataFrame], reasons: dict[str, _Reasons]) -> pa.DataFrameSchema:
    """The contract as a pandera schema over the raw (string) table: each value rule, then the
    rules relating fields (the same as :func:`analysis.contract.row_problems`)."""
    # No dtype: the reader already gives strings, and pandera's str check visits every cell.
    columns = {name: pa.Column(None) for name in COLUMNS}
    for name in _CELL_RULES:
        ok = reasons[name].ok
        columns[name] = pa.Column(None, pa.Check(lambda s, ok=ok: pd.Series(ok, index=s.index), name=f"cell:{name}"))
    joined, left = parsed["joined"], parsed["left"]
    paper = _codes(table["paper"])[0]  # encoded once for the two checks that use it
    wide = [
        pa.Check(lambda d: ~(left["end"] < joined["start"]), name="left_after_joined"),
        pa.Check(lambda d: (d["left"] == "") | (d["destination"] != ""), name="destination_when_left"),
        pa.Check(lambda d: (d["destination"] == "") | (d["left"] != ""), name="left_for_destination"),
        pa.Check(lambda d: (d["returned"] == "") | (d["left"] != ""), name="returned_after_left"),
        pa.Check(lambda d: ~(parsed["returned"]["end"] < left["start"]), name="returned_not_before_left"),
        pa.Check(lambda d: (d["tenure_stated"] == "") | (d["left"] != ""), name="stated_needs_left"),
        pa.Check(lambda d: pd.Series(~_repeated(paper, _codes(d["author"])), index=d.index), name="unique_author"),
        pa.Check(lambda d: pd.Series(_same_published(paper, _codes(d["published"])[0]), index=d.index),
                 name="one_published"),
    ]
    return pa.DataFrameSchema(columns, checks=wide, strict=False, coerce=False)


def _problems(path: str, table: pd.DataFrame, lines: np.ndarray, failures: pd.DataFrame,
              reasons: dict[str, _Reasons]) -> list[Problem]:
    position = pd.Series(np.arange(len(table)), index=table.index)
    rows = table.reset_index()
    first_of_paper = rows.drop_duplicates("paper").set_index("paper")
    first_author = rows.drop_duplicates(["paper", "author"]).set_index(["paper", "author"])["index"]
    out: dict[tuple, Problem] = {}
    for row in failures.itertuples(index=False):
        if row.index is None or (isinstance(row.index, float) and np.isnan(row.index)):
            continue
        idx = row.index
        line = int(lines[position[idx]])
        record = table.loc[idx]
        check = str(row.check)
        if check.startswith("cell:"):
            column = check.split(":", 1)[1]
            rule = reasons[column][position[idx]]
        elif check == "left_after_joined":
            column, rule = "left", f"is before 'joined' ({record['joined']})"
        elif check == "returned_after_left":
            column, rule = "returned", contract.RETURN_RULE
        elif check == "returned_not_before_left":
            column, rule = "returned", f"is before 'left' ({record['left']})"
        elif check == "stated_needs_left":
            column, rule = "tenure_stated", contract.STATED_RULE
        elif check == "destination_when_left":
            column, rule = "destination", contract.DESTINATION_RULE
        elif check == "left_for_destination":
            column, rule = "destination", contract.LEFT_FOR_DESTINATION_RULE
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
    parsed, date_reasons = {}, {}
    for name in DATE_COLUMNS:
        parsed[name], codes, by_code = parse_fuzzy_date_codes(table[name], allow_unknown=name == "left")
        date_reasons[name] = _Reasons(codes, by_code)
    reasons = _cell_reasons(table, date_reasons)
    try:
        _schema(table, parsed, reasons).validate(table, lazy=True)
    except SchemaErrors as err:
        raise CohortError(path, _problems(path, table, lines, err.failure_cases, reasons)) from None
    return _typed(table, parsed, lines)


def _category_codes(values: pd.Series, categories: list[str]) -> np.ndarray:
    """Position of each value in ``categories``, -1 where it is not one (empty included)."""
    if _encoded_kind(values):
        found = pa_compute.index_in(pa_lib.array(values.array), value_set=pa_lib.array(categories, pa_lib.string()))
        return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int8)
    return pd.Categorical(values.mask(values == ""), categories=categories).codes


def _ceiling(table: pd.DataFrame, verified: pd.Series, needed: np.ndarray) -> pd.Series:
    """Each row's latest day a dated event can have: its 'verified' day, else its paper's latest
    'verified' day (the paper's snapshot), else today (the file was written by then)."""
    missing = verified.isna().to_numpy(bool) & needed
    if not missing.any():
        return verified
    snapshot = verified.groupby(table["paper"].to_numpy(object)).transform("max")
    return verified.fillna(snapshot).fillna(pd.Timestamp(date.today()))  # no 'verified' at all: the file is no later than today


def _closed(start: pd.Series, end: pd.Series, ceiling: pd.Series, present: np.ndarray) -> pd.Series:
    """An event's latest day: an open end closed by the ceiling, a dated end cut at it (the row
    says it had happened by then); ``np.fmin`` passes over NaT, so an end with no ceiling stays as
    it is. A ceiling before the event's start closes and cuts nothing (it is warned about)."""
    return end.where(~present, np.fmin(end, ceiling.where(ceiling >= start)))


def _typed(table: pd.DataFrame, parsed: dict[str, pd.DataFrame], lines: np.ndarray) -> pd.DataFrame:
    columns: dict[str, object] = {"line": lines.astype(int)}
    for name in COLUMNS:
        columns[name] = table[name]
        if name in DATE_COLUMNS:
            for part in ("start", "end"):
                columns[f"{name}_{part}"] = parsed[name][part]
            columns[f"{name}_kind"] = parsed[name]["kind"]

    # A departure whose date is unknown, or an interval with an open end, lies between 'joined'
    # (else publication) and 'verified' (else the paper's latest 'verified': the row's snapshot);
    # a return with an open end, between the departure and the same ceiling (today when the paper
    # has no 'verified' at all). A dated end after the ceiling is cut there: it happened by then.
    has_left = (table["left"] != "").to_numpy(bool)
    has_returned = (table["returned"] != "").to_numpy(bool)
    floor = parsed["joined"]["start"].fillna(parsed["published"]["start"])
    ceiling = _ceiling(table, parsed["verified"]["end"], has_left | has_returned)
    left_start, left_end = parsed["left"]["start"], parsed["left"]["end"]
    columns["left_start"] = left_start = left_start.where(left_start.notna() | ~has_left, floor)
    columns["left_end"] = _closed(left_start, left_end, ceiling, has_left)
    back_start = parsed["returned"]["start"]
    columns["returned_start"] = back_start = back_start.where(back_start.notna() | ~has_returned, left_start)
    columns["returned_end"] = _closed(back_start, parsed["returned"]["end"], ceiling, has_returned)
    columns["departed"] = has_left

    columns["destination_type"] = pd.Categorical.from_codes(
        _category_codes(table["destination_type"], DESTINATION_TYPES), categories=DESTINATION_TYPES)
    founder = _category_codes(table["founder"].str.lower(), ["false", "true"])
    columns["founder"] = pd.array(founder == 1, dtype="boolean")
    columns["founder"][founder < 0] = pd.NA
    codes, uniques = pd.factorize(table["tenure_stated"], sort=False)
    bounds = np.array([parse_years(u) for u in uniques] + [(None, None)], dtype=float).reshape(-1, 2)
    columns["tenure_stated_low"], columns["tenure_stated_high"] = bounds[codes, 0], bounds[codes, 1]

    for name in table.columns:
        if name not in COLUMNS:  # the user's own x_ columns, as written
            columns[name] = table[name]
    return pd.DataFrame(columns, index=table.index, copy=False)


def load_cohort(path: str | Path | None = None) -> pd.DataFrame:
    """Read, validate and type a cohort CSV.

    Parameters
    ----------
    path : str or Path, optional
        A UTF-8 CSV following the data contract (``data/README.md``); a
        relative path is read from the working directory. Default: the shipped
        ``data/authors.csv``, found wherever the working directory is.

    Returns
    -------
    DataFrame
        One row per (paper, author), in file order, with the contract's
        columns as written plus, for each date column ``X``: ``X_start`` and
        ``X_end`` (earliest and latest possible day) and ``X_kind``;
        ``departed`` (bool), ``founder`` (nullable bool), ``destination_type``
        (categorical), ``line`` (the CSV line each row came from), and the
        user's own ``x_`` columns as written. Tenure depends on the as-of
        date: :func:`analysis.metrics.tenure`.

    Raises
    ------
    CohortError
        Listing every problem, each with file, line, column, value and rule
        (header rules: :mod:`analysis.contract`).
    """
    name, data = contract.read_bytes(DEFAULT_DATA if path is None else path)
    table, lines = _read_table(name, data)
    return validate_cohort(table, path=name, lines=lines)


def papers_of(cohort: pd.DataFrame) -> list[str]:
    """The papers in a cohort frame, in file order: the one order every table and chart uses."""
    return [str(p) for p in pd.unique(cohort["paper"])]  # in order of appearance, vectorised


def paper_rank(cohort: pd.DataFrame) -> dict[str, int]:
    """Each paper's position in file order, for sorting frames by paper."""
    return {p: i for i, p in enumerate(papers_of(cohort))}


def select_papers(cohort: pd.DataFrame, papers: str | list[str] | None) -> pd.DataFrame:
    """Keep the rows of ``papers`` (a name, a list, or None/empty for every paper).

    Raises :class:`PaperNotFoundError` naming the papers the data does hold.
    """
    wanted = check_papers(papers_of(cohort), papers)
    if wanted == papers_of(cohort) and not papers:
        return cohort
    return cohort[cohort["paper"].isin(wanted)].reset_index(drop=True)
