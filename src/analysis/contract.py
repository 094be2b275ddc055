"""The cohort data contract, without pandas: columns, header rules, cell and row rules.

This module is the one place the contract's rules are written. It imports
neither pandas nor numpy, so the command line can check a CSV in a fraction of
a second, before it starts a kernel: :func:`check_csv` applies every rule in
plain Python. :func:`analysis.cohort.load_cohort` applies the same rules,
vectorised, and a property-based test holds the two to the same messages.

Header rules
------------
A header cell is matched to a contract column after trimming spaces, lowering
its case and turning inner runs of spaces or hyphens into ``_``: ``Founder``,
`` founder `` and ``Destination Type`` all name a contract column. A header
cell that names no contract column is an error that suggests the nearest one,
unless it starts with ``x_`` (a column of the user's own, carried through
unread).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .dates import FuzzyDate, day_error, parse_fuzzy_date, parse_years

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "DATE_COLUMNS",
    "DESTINATION_TYPES",
    "EXTRA_PREFIX",
    "URL",
    "URLS",
    "Problem",
    "CohortError",
    "PaperNotFoundError",
    "AsOfError",
    "ClaimsError",
    "CLAIM_COLUMNS",
    "USER_ERRORS",
    "normalise_header",
    "read_header",
    "cell_reason",
    "row_problems",
    "check_csv",
    "find_claims",
    "check_claims_csv",
]

COLUMNS = [
    "paper",
    "published",
    "author",
    "origin_org",
    "joined",
    "left",
    "returned",
    "tenure_stated",
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
EXTRA_PREFIX = "x_"
"""Header cells starting with this are the user's own columns: kept, never read."""

URL = re.compile(r"https?://[^\s\"'<>]+")
"""One http(s) URL: the one pattern for sources, in the loader and in the report."""
URLS = re.compile(rf"{URL.pattern}(?: +{URL.pattern})*")
"""A ``source`` field: one or more URLs separated by spaces."""

REQUIRED_RULE = "is empty, but the column is required"
TYPE_RULE = "is not one of: " + ", ".join(DESTINATION_TYPES)
FOUNDER_RULE = "is neither 'true' nor 'false'"
SOURCE_RULE = "is not a list of http(s) URLs separated by spaces"
DESTINATION_RULE = "is empty, but 'left' is set: name where the author went, or write 'Unknown'"
RETURN_RULE = "is set, but 'left' is empty: a return needs a departure"
STATED_RULE = "is set, but 'left' is empty: a stated tenure is the stint up to leaving"
LEFT_FOR_DESTINATION_RULE = ("is set, but 'left' is empty: write the departure in 'left' ('unknown' when its date is "
                             "not public), or leave 'destination' empty")
CR_RULE = ("ends with a carriage return (CR) alone, as old Mac files do: save the file as CSV with Windows (CRLF) "
           "or Unix (LF) line endings")
ROWS_IN_FIELD_RULE = ("holds {n} line(s) that read as rows of the file: a quote opened in this field is not closed "
                      "where it should be; close it, and double any quote inside a field (\"\")")
QUOTE_RULE = ("opens a quote (\") that is never closed: the field runs to the end of the file and takes the {n} "
              "line(s) after it; close the quote, and double any quote inside a field (\"\")")
_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}


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

    contract = "the cohort data contract"
    columns = COLUMNS

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        order = {c: i for i, c in enumerate(self.columns)}
        self.problems = sorted(problems, key=lambda p: (p.line or 0, order.get(p.column, 99), p.rule))
        count = len(self.problems)
        head = f"{path} does not follow {self.contract} ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class PaperNotFoundError(KeyError):
    """A requested paper is not in the cohort; the message lists the papers present."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0])


class AsOfError(ValueError):
    """The as-of date is not a valid day, or a paper has none."""


CLAIM_COLUMNS = ["paper", "claim", "source", "as_of", "measure", "op", "value"]
"""The claims file's columns (``data/README.md``, "Claims")."""
CLAIM_REQUIRED = ["paper", "claim", "source", "measure", "op", "value"]


class ClaimsError(CohortError):
    """A claims CSV breaks the claims contract; ``problems`` lists every broken rule."""

    contract = "the claims contract"
    columns = CLAIM_COLUMNS


USER_ERRORS = frozenset(e.__name__ for e in (CohortError, ClaimsError, PaperNotFoundError, AsOfError))
"""Names of the errors a user causes and can fix: reported as a message, never a traceback."""


def fail(path: str, rule: str, *, line: int | None = None, column: str | None = None, value: str | None = None,
         error: type[CohortError] = CohortError):
    """Raise a :class:`CohortError` (or ``error``) with one problem."""
    raise error(path, [Problem(path, line, column, value, rule)])


def normalise_header(name: str) -> str:
    """A header cell as matched to the contract: trimmed, lower case, inner spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _suggest(name: str, columns: list[str]) -> str:
    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def read_header(path: str, text: str, *, columns: list[str] = COLUMNS, required: list[str] = REQUIRED_COLUMNS,
                error: type[CohortError] = CohortError, own: bool = True) -> list[str]:
    """The contract column named by each header cell of ``text``; raises :class:`CohortError`.

    Every header problem is reported at once: unknown columns (with the nearest
    contract column), duplicates, and missing required columns, the last with
    the header as read and, where another delimiter would have given the
    required columns, that delimiter.
    """
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header = next(csv.reader(io.StringIO(text)), [])
    names = [normalise_header(h) for h in header]
    problems = []
    for raw, name in zip(header, names):
        if name not in columns and not (own and name.startswith(EXTRA_PREFIX)) and name:
            problems.append(Problem(path, 1, raw.strip(), None,
                                    f"is not a column of the contract: {_suggest(name, columns)}"
                                    + (f"a column of your own must start with '{EXTRA_PREFIX}'" if own
                                       else "the columns are " + ", ".join(columns))))
    empty = [i + 1 for i, name in enumerate(names) if not name]
    if empty:
        problems.append(Problem(path, 1, None, None,
                                f"has an empty header cell (field {', '.join(map(str, empty))}): "
                                f"name the column (a column of your own must start with '{EXTRA_PREFIX}') or delete it"))
    for name in dict.fromkeys(n for n in names if names.count(n) > 1 and n):
        spelt = [h.strip() for h, n in zip(header, names) if n == name]
        problems.append(Problem(path, 1, name, None, "appears more than once in the header"
                                + (f" (as {', '.join(map(repr, spelt))})" if len(set(spelt)) > 1 else "")))
    missing = [Problem(path, 1, name, None, "is a required column and is missing from the header")
               for name in required if name not in names]
    if missing:
        shown = first_line if len(first_line) <= 200 else first_line[:200] + "…"
        hint = f"the header as read has {len(header)} field{'s' if len(header) != 1 else ''}: {shown!r}"
        for delimiter, word in _DELIMITERS.items():
            cells = {normalise_header(c) for c in next(csv.reader([first_line], delimiter=delimiter), [])}
            if all(name in cells for name in required):
                hint += f"; the file is separated by {word}: save it as comma-separated values (CSV UTF-8)"
                break
        missing.append(Problem(path, 1, None, None, hint))
    problems += missing
    if problems:
        raise error(path, problems)
    return names


def cell_reason(column: str, value: str) -> str:
    """Why ``value`` (trimmed) breaks the rules of ``column`` on its own; ``""`` when it does not."""
    if column in DATE_COLUMNS:
        try:
            parse_fuzzy_date(value, allow_unknown=column == "left")
        except ValueError as err:
            return str(err)
    if column in REQUIRED_COLUMNS and value == "":
        return REQUIRED_RULE
    if column == "destination_type" and value not in DESTINATION_TYPES and value != "":
        return TYPE_RULE
    if column == "founder" and value.lower() not in ("true", "false", ""):
        return FOUNDER_RULE
    if column == "source" and value != "" and not URLS.fullmatch(value):
        return SOURCE_RULE
    if column == "tenure_stated":
        try:
            parse_years(value)
        except ValueError as err:
            return str(err)
    return ""


def _date(column: str, value: str) -> FuzzyDate:
    try:
        return parse_fuzzy_date(value, allow_unknown=column == "left")
    except ValueError:
        return FuzzyDate(None, None, "missing")


def _before(a, b) -> bool:
    return a is not None and b is not None and a < b


def row_problems(path: str, rows: Iterable[tuple[int, dict[str, str]]]) -> list[Problem]:
    """The rules that relate fields: dates in order, a destination for a departure,
    one ``published`` per paper, one row per (paper, author). ``rows`` yields
    (CSV line, trimmed record)."""
    problems = []
    first_of_paper: dict[str, tuple[int, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for line, r in rows:
        joined, left, returned = (_date(c, r[c]) for c in ("joined", "left", "returned"))
        if _before(left.end, joined.start):
            problems.append(Problem(path, line, "left", r["left"], f"is before 'joined' ({r['joined']})"))
        if r["left"] != "" and r["destination"] == "":
            problems.append(Problem(path, line, "destination", r["destination"], DESTINATION_RULE))
        if r["destination"] != "" and r["left"] == "":
            problems.append(Problem(path, line, "destination", r["destination"], LEFT_FOR_DESTINATION_RULE))
        if r["returned"] != "" and r["left"] == "":
            problems.append(Problem(path, line, "returned", r["returned"], RETURN_RULE))
        if _before(returned.end, left.start):
            problems.append(Problem(path, line, "returned", r["returned"], f"is before 'left' ({r['left']})"))
        if r["tenure_stated"] != "" and r["left"] == "":
            problems.append(Problem(path, line, "tenure_stated", r["tenure_stated"], STATED_RULE))
        key = (r["paper"], r["author"])
        if key in seen:
            problems.append(Problem(path, line, "author", r["author"],
                                    f"is already an author of paper {r['paper']!r} (line {seen[key]})"))
        else:
            seen[key] = line
        head = first_of_paper.setdefault(r["paper"], (line, r["published"]))
        if r["published"] != head[1]:
            problems.append(Problem(path, line, "published", r["published"],
                                    f"differs from {head[1]!r}, the 'published' date of paper {r['paper']!r} "
                                    f"on line {head[0]}"))
    return problems


def decode(path: str, data: bytes, error: type[CohortError] = CohortError) -> str:
    """The file's text (UTF-8, a BOM allowed), or a located error."""
    if b"\x00" in data:
        fail(path, "is a binary file (it holds NUL bytes), not a UTF-8 CSV", error=error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data[: err.start].count(b"\n") + 1
        bad = data[err.start : err.end]
        header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
        before = data[line_start : err.start].decode("utf-8", "replace")
        field = len(next(csv.reader([before]), [""])) - 1 if before else 0
        column = normalise_header(header[field]) if line > 1 and field < len(header) else None
        fail(path,
             f"is not UTF-8 text: byte 0x{bad[0]:02x} at character {err.start - line_start + 1} of the line; "
             "save the file as UTF-8",
             line=line, column=column, error=error)


def read_text(path: str, data: bytes, error: type[CohortError] = CohortError) -> str:
    """The file's text, after the checks on its bytes in the order the loader makes them: not
    binary, no carriage return alone as a line end, UTF-8 (:func:`decode`)."""
    if b"\x00" in data:
        decode(path, data, error)  # a binary file: decode says so
    check_line_ends(path, data, error)
    return decode(path, data, error)


def check_line_ends(path: str, data: bytes, error: type[CohortError] = CohortError) -> None:
    """A located error for a carriage return alone as a line end (old Mac files): the readers
    would split rows where a spreadsheet sees one, or fail without a location."""
    if data.count(b"\r") != data.count(b"\r\n"):
        at = re.search(rb"\r(?!\n)", data).start()
        fail(path, CR_RULE, line=len(re.findall(rb"\r\n|\r|\n", data[:at])) + 1, error=error)


def swallowed_rows(path: str, text: str, width: int) -> list[Problem]:
    """A quote opened and never closed where it should be, which takes the rows after it into one
    field: the reader ends inside a quoted field (Python's strict reader says "unexpected end of
    data"), or a field holds lines that read as rows of the file (they start with a first field
    that rows of the file start with, and have a row's commas). A field over several lines that
    closes, commas and all, is fine."""
    reader = csv.reader(io.StringIO(text))
    names = [normalise_header(h) for h in next(reader, [])]
    records, previous_end = [], reader.line_num
    for record in reader:
        records.append((previous_end + 1, reader.line_num, record))
        previous_end = reader.line_num
    firsts = {r[0].strip() for _, _, r in records if r}
    problems = []
    for start, end, record in records:
        if end == start:
            continue
        for i, value in enumerate(record):
            n = sum(line.count(",") >= width - 1 and line.split(",", 1)[0].strip() in firsts
                    for line in value.split("\n")[1:])
            if n:
                problems.append(Problem(path, start, names[i] if i < len(names) else None, None,
                                        ROWS_IN_FIELD_RULE.format(n=n)))
    if problems or not records or records[-1][0] == records[-1][1]:
        return problems
    start, _, last = records[-1]
    tail = "".join(text.splitlines(keepends=True)[start - 1:])
    try:
        for _ in csv.reader(io.StringIO(tail), strict=True):
            pass
        return []
    except csv.Error as err:
        if "unexpected end of data" not in str(err):
            return []
    field = len(last) - 1
    taken = len([line for line in tail.splitlines()[1:] if line.strip()])
    if not taken:
        return []  # only blank lines after it: no row taken in
    return [Problem(path, start, names[field] if 0 <= field < len(names) else None, None, QUOTE_RULE.format(n=taken))]


def spans_lines(text: str, n_records: int) -> bool:
    """Whether some record spans several lines, or lines are blank (the text has more lines than
    a header and ``n_records`` one-line records)."""
    return text.count("\n") + (0 if text.endswith("\n") else 1) != n_records + 1


def read_bytes(path: str | Path, error: type[CohortError] = CohortError) -> tuple[str, bytes]:
    """The file's name for messages and its bytes, or a located error."""
    name = str(path)
    try:
        return name, Path(path).read_bytes()
    except FileNotFoundError:
        fail(name, "does not exist", error=error)
    except IsADirectoryError:
        fail(name, "is a folder, not a CSV file", error=error)


def records(text: str, names: list[str], columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """(CSV line, trimmed record under contract names) for each non-blank data row."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    rows, previous_end = [], reader.line_num
    for record in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if record:
            fields = dict(zip(names, (v.strip() for v in record)))
            rows.append((start, {c: fields.get(c, "") for c in columns}))
    return rows


def field_count_problems(path: str, text: str, width: int) -> list[Problem]:
    """Rows with more or fewer fields than the header."""
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


def check_csv(path: str | Path, papers: Iterable[str] | None = None, *,
              on_header: Callable[[], None] | None = None) -> list[str]:
    """Apply every rule of the contract to a CSV in plain Python; return its papers in file order.

    Raises :class:`CohortError` (every problem, located) exactly as
    :func:`analysis.cohort.load_cohort` would, and :class:`PaperNotFoundError`
    when a paper of ``papers`` is not in the file. Fast for the cohorts people
    write by hand (about a second per 100,000 rows), and needs no pandas.
    ``on_header`` is called once the file reads as UTF-8 text with a valid
    header, before the rows are checked (the renderer starts its kernel there
    for a large file).
    """
    name, data = read_bytes(path)
    text = read_text(name, data)
    if not text.strip():
        fail(name, "is empty: expected a header row and one row per (paper, author)")
    names = read_header(name, text)
    if on_header:
        on_header()
    problems = field_count_problems(name, text, len(names))
    if problems:
        raise CohortError(name, problems)
    rows = records(text, names, COLUMNS)
    if not rows:
        fail(name, "has a header but no data rows", line=1)
    if spans_lines(text, len(rows)) and (problems := swallowed_rows(name, text, len(names))):
        raise CohortError(name, problems)
    cache: dict[tuple[str, str], str] = {}
    for line, r in rows:
        for column in COLUMNS:
            key = (column, r[column])
            reason = cache.get(key)
            if reason is None:
                reason = cache[key] = cell_reason(column, r[column])
            if reason:
                problems.append(Problem(name, line, column, r[column], reason))
    problems += row_problems(name, rows)
    if problems:
        raise CohortError(name, problems)
    present = list(dict.fromkeys(r["paper"] for _, r in rows))
    check_papers(present, papers)
    return present


def check_papers(present: list[str], papers: Iterable[str] | str | None) -> list[str]:
    """The papers asked for (all when ``papers`` is None or empty); raises
    :class:`PaperNotFoundError` naming the papers present."""
    if papers is None or papers == "" or papers == []:
        return present
    wanted = [papers] if isinstance(papers, str) else list(papers)
    missing = [p for p in wanted if p not in present]
    if missing:
        raise PaperNotFoundError(
            f"no paper named {', '.join(repr(m) for m in missing)} in the data; "
            f"papers present: {', '.join(repr(p) for p in present)}"
        )
    return wanted


# The claims contract -------------------------------------------------------------------------

OPS = ("=", "!=", "<", "<=", ">", ">=")
DESTINATION_PREFIX = "at_destination:"
MEASURE_KINDS = {
    "authors": "count",
    "departed": "count",
    "remaining": "count",
    "founders": "count",
    "departed_share": "share",
    "leaver_tenure_mean_years": "years",
    "leaver_tenure_median_years": "years",
    "first_departure": "date",
    "last_departure": "date",
}
"""The measures a claim can name (and their kind), besides ``at_destination:<name>``, a count."""


def measure_kind(name: str) -> str | None:
    """``count``, ``share``, ``years`` or ``date``; None for a name that is not a measure."""
    if name.startswith(DESTINATION_PREFIX) and name[len(DESTINATION_PREFIX):].strip():
        return "count"
    return MEASURE_KINDS.get(name)


def value_reason(kind: str, value: str) -> str:
    """Why ``value`` is not a value for a measure of ``kind``; ``""`` when it is."""
    if kind == "date":
        try:
            if parse_fuzzy_date(value).kind != "day":
                return "is not a day: a date measure takes YYYY-MM-DD"
        except ValueError as err:
            return str(err)
        return ""
    try:
        number = float(value)
    except ValueError:
        if kind == "share" and value.endswith("%"):
            return "is a percentage: write a share from 0 to 1 (0.78, not 78%)"
        return "is not a number"
    if not math.isfinite(number) or number < 0:
        return "is not a finite number of zero or more"
    if kind == "share" and number > 1:
        return "is a share above 1: write a share from 0 to 1 (0.78, not 78)"
    if kind == "count" and not number.is_integer():
        return "is not a whole number: a count takes 0, 1, 2, ..."
    return ""


def find_claims(data_path: str | Path | None, claims_path: str | Path | None) -> Path | None:
    """The claims file to check: ``claims_path``; ``"none"`` or ``""`` for none; by default
    ``claims.csv`` beside the cohort CSV, when it exists (``data/claims.csv`` for the shipped data)."""
    if claims_path is not None:
        text = str(claims_path).strip()
        return None if text.lower() in ("", "none") else Path(text)
    from .paths import DEFAULT_DATA

    beside = Path(data_path or DEFAULT_DATA).with_name("claims.csv")
    return beside if beside.is_file() else None


def check_claims_csv(path: str | Path, papers: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Apply every rule of the claims contract; return (CSV line, record) per claim.

    ``papers`` are the cohort's papers: a claim about any other is an error.
    Raises :class:`ClaimsError` listing every problem, located.
    """
    name, data = read_bytes(path, ClaimsError)
    text = read_text(name, data, ClaimsError)
    if not text.strip():
        fail(name, "is empty: expected a header row and one row per claim", error=ClaimsError)
    names = read_header(name, text, columns=CLAIM_COLUMNS, required=CLAIM_REQUIRED, error=ClaimsError)
    problems = field_count_problems(name, text, len(names))
    if problems:
        raise ClaimsError(name, problems)
    rows = records(text, names, CLAIM_COLUMNS)
    if not rows:
        fail(name, "has a header but no claims", line=1, error=ClaimsError)
    if spans_lines(text, len(rows)) and (problems := swallowed_rows(name, text, len(names))):
        raise ClaimsError(name, problems)
    for line, r in rows:
        def bad(column: str, rule: str, line=line, r=r) -> None:
            problems.append(Problem(name, line, column, r[column], rule))

        for column in CLAIM_REQUIRED:
            if r[column] == "":
                bad(column, REQUIRED_RULE)
        if r["paper"] and r["paper"] not in papers:
            bad("paper", f"is not a paper of the cohort; papers present: {', '.join(map(repr, papers))}")
        if r["source"] and not URLS.fullmatch(r["source"]):
            bad("source", SOURCE_RULE)
        if r["as_of"] and day_error(r["as_of"]):
            bad("as_of", day_error(r["as_of"]))
        if r["op"] and r["op"] not in OPS:
            bad("op", f"is not one of: {' '.join(OPS)}")
        kind = measure_kind(r["measure"])
        if r["measure"] and kind is None:
            bad("measure", f"is not a measure: one of {', '.join(MEASURE_KINDS)} or {DESTINATION_PREFIX}<name>")
        if kind is not None and r["value"]:
            reason = value_reason(kind, r["value"])
            if reason:
                bad("value", reason)
    if problems:
        raise ClaimsError(name, problems)
    return rows
