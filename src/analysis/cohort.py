"""Load and validate a cohort CSV: the data contract's one entry point.

:func:`load_cohort` reads a CSV that follows the data contract (see
``data/README.md``), checks every rule at once and returns a typed frame, one
row per (paper, author). Anything wrong raises a single :class:`CohortError`
whose message names the file, the CSV line, the column, the value and the rule.
"""

from __future__ import annotations

import csv
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
from .dates import parse_fuzzy_dates, parse_years
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


def _header_text(text: str) -> str:
    """The start of ``text`` that holds its header record, so the header is read without copying
    the whole file: up to the first newline when the line's quotes are balanced, else all of it."""
    end = text.find("\n")
    if end < 0 or text.count('"', 0, end) % 2:
        return text
    return text[: end + 1]


def _encoded(values: pd.Series):
    """A string column dictionary-encoded by pyarrow, or None when it does not hold pyarrow strings."""
    if not (isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"):
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
    if not text or text.isspace():  # not text.strip(): no copy of the whole file
        fail(path, "is empty: expected a header row and one row per (paper, author)")
    names = contract.read_header(path, _header_text(text))
    try:
        table, invalid = _arrow_table(data, names)
    except pa_lib.ArrowInvalid as err:
        raise CohortError(path, contract.field_count_problems(path, text, len(names))
                          or [Problem(path, None, None, None, f"is not a readable CSV: {err}")]) from None
    if invalid:
        raise CohortError(path, contract.field_count_problems(path, text, len(names)))
    if table.num_rows == 0:
        fail(path, "has a header but no data rows", line=1)
    trimmed = pa_lib.table([pa_compute.utf8_trim_whitespace(column) for column in table.columns], names=names)
    frame = trimmed.to_pandas(types_mapper={pa_lib.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    for name in COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.Series("", index=frame.index, dtype=frame[names[0]].dtype)
    return frame, _record_lines(text, len(frame))


def _cell_reasons(table: pd.DataFrame, parsed: dict[str, pd.DataFrame], date_reasons: dict[str, pd.Series]
                  ) -> dict[str, pd.Series]:
    """Per column with a value rule, the reason each value breaks it ("" where none), computed
    once per distinct value by :func:`analysis.contract.cell_reason`."""
    reasons = {}
    for name in _CELL_RULES:
        if name in DATE_COLUMNS and name not in REQUIRED_COLUMNS:
            reasons[name] = date_reasons[name]  # the parse already gave them
            continue
        if name in _ONLY_REQUIRED:  # one value per row: vectorised, same rule
            reasons[name] = pd.Series(np.where(table[name] == "", contract.REQUIRED_RULE, ""), index=table.index)
            continue
        values = table[name]
        plain = None
        if name == "source":  # one distinct value per row: check plain URLs vectorised, the rest one by one
            plain = pa_compute.match_substring_regex(pa_lib.array(values.array), _PLAIN_SOURCES)
            plain = plain.to_numpy(zero_copy_only=False)
            values = values[~plain]
        codes, uniques = _distinct(values)
        found = np.array([contract.cell_reason(name, u) for u in uniques] + [""], dtype=object)[codes]
        if plain is not None:
            every = np.full(len(table), "", dtype=object)
            every[~plain] = found
            found = every
        reasons[name] = pd.Series(found, index=table.index)
    return reasons


def _repeated(table: pd.DataFrame) -> np.ndarray:
    """Rows whose (paper, author) an earlier row already has (on integer codes: fast)."""
    paper, _ = _codes(table["paper"])
    author, n = _codes(table["author"])
    return pd.Series(paper.astype(np.int64) * (n + 1) + author).duplicated().to_numpy()


def _same_published(table: pd.DataFrame) -> np.ndarray:
    """Rows whose 'published' is the one on their paper's first row."""
    paper, _ = _codes(table["paper"])
    published, _ = _codes(table["published"])
    _, first = np.unique(paper, return_index=True)  # first row of each paper code (codes are 0..n-1)
    return published == published[first[paper]]


def _schema(parsed: dict[str, pd.DataFrame], reasons: dict[str, pd.Series]) -> pa.DataFrameSchema:
    """The contract as a pandera schema over the raw (string) table: each value rule, then the
    rules relating fields (the same as :func:`analysis.contract.row_problems`)."""
    # No dtype: the reader already gives strings, and pandera's str check visits every cell.
    columns = {name: pa.Column(None) for name in COLUMNS}
    for name in _CELL_RULES:
        ok = reasons[name].to_numpy() == ""
        columns[name] = pa.Column(None, pa.Check(lambda s, ok=ok: pd.Series(ok, index=s.index), name=f"cell:{name}"))
    joined, left = parsed["joined"], parsed["left"]
    wide = [
        pa.Check(lambda d: ~(left["end"] < joined["start"]), name="left_after_joined"),
        pa.Check(lambda d: (d["left"] == "") | (d["destination"] != ""), name="destination_when_left"),
        pa.Check(lambda d: (d["returned"] == "") | (d["left"] != ""), name="returned_after_left"),
        pa.Check(lambda d: ~(parsed["returned"]["end"] < left["start"]), name="returned_not_before_left"),
        pa.Check(lambda d: (d["tenure_stated"] == "") | (d["left"] != ""), name="stated_needs_left"),
        pa.Check(lambda d: pd.Series(~_repeated(d), index=d.index), name="unique_author"),
        pa.Check(lambda d: pd.Series(_same_published(d), index=d.index), name="one_published"),
    ]
    return pa.DataFrameSchema(columns, checks=wide, strict=False, coerce=False)


def _problems(path: str, table: pd.DataFrame, lines: np.ndarray, failures: pd.DataFrame,
              reasons: dict[str, pd.Series]) -> list[Problem]:
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
            rule = reasons[column][idx]
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
        parsed[name], date_reasons[name] = parse_fuzzy_dates(table[name], allow_unknown=name == "left")
    reasons = _cell_reasons(table, parsed, date_reasons)
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
    codes, uniques = pd.factorize(out["tenure_stated"], sort=False)
    bounds = np.array([parse_years(u) for u in uniques] + [(None, None)], dtype=float).reshape(-1, 2)
    out["tenure_stated_low"], out["tenure_stated_high"] = bounds[codes, 0], bounds[codes, 1]

    extra = [c for c in table.columns if c not in COLUMNS]
    for name in extra:
        out[name] = table[name]
    return out


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
    text = contract.decode(name, data)
    table, lines = _read_table(name, text, data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
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
