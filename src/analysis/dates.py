"""Fuzzy public dates: partial ISO 8601 dates and EDTF-style intervals.

A date field of the data contract holds one of

* a partial ISO 8601 date: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``;
* an interval ``START/END`` whose ends take the same forms, ``..`` marking an
  open end (``../2023-11-17`` = on or before that day), as in the Library of
  Congress EDTF / ISO 8601-2 notation;
* in ``left`` only, the word ``unknown`` (left, date not public);
* nothing: the value is unknown.

Every value becomes an interval of possible days, ``[start, end]``, plus its
*kind*: ``day``, ``month``, ``year``, ``interval``, ``unknown`` or ``missing``.
A year-only date is the span of its whole year, never a point. Open ends stay
``NaT`` here; :func:`analysis.cohort.load_cohort` closes them from context.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported on use: the command line checks dates without it
    import numpy as np
    import pandas as pd

__all__ = ["DAYS_PER_YEAR", "FIRST_YEAR", "LAST_YEAR", "YEARS_FORMS", "parse_years", "day_error", "KINDS", "FuzzyDate", "parse_fuzzy_date", "parse_fuzzy_dates", "parse_fuzzy_date_codes", "describe_fuzzy_date", "DATE_FORMS"]

DAYS_PER_YEAR = 365.25
"""Days in a year, for every length of time the package gives in years."""

KINDS = ["day", "month", "year", "interval", "unknown", "missing"]
"""Every kind a parsed date can have, most precise first."""

_UNIX_ORDINAL = date(1970, 1, 1).toordinal()
FIRST_YEAR, LAST_YEAR = 1678, 2261
"""The years a date can have: every day of them fits the loader's day columns (``datetime64[ns]``,
1677-09-21 to 2262-04-11). A year outside them is an error, never a day silently wrapped round."""
YEAR_RANGE = f"{FIRST_YEAR} to {LAST_YEAR}"

DATE_FORMS = "YYYY, YYYY-MM, YYYY-MM-DD or an interval START/END ('..' = open end)"

_SPREADSHEET_DAY = re.compile(r"\d{1,2}/\d{1,2}/\d{2}(?:\d{2})?")
_POINT = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_YEARS = re.compile(r"\d{1,3}(?:\.(\d{1,2}))?")
YEARS_FORMS = "N (N to N+1), N/M, N/.. (at least N) or ../M (at most M), in years"


def _parse_length(text: str) -> tuple[float, float]:
    match = _YEARS.fullmatch(text)
    if match is None:
        raise ValueError(f"is not a length in years: expected {YEARS_FORMS}")
    step = 10.0 ** -len(match.group(1) or "")
    return float(text), float(text) + step


def parse_years(text: str) -> tuple[float | None, float | None]:
    """A stated length of time in years, as the interval it allows: ``(low, high)``.

    ``"5"`` is five point something, [5, 6) (``"5.5"``: [5.5, 5.6)); ``"3/4"``
    is between 3 and 4; ``"8/.."`` at least 8 (high ``inf``); ``"../3"`` at
    most 3 (low 0); empty is ``(None, None)``. Raises ``ValueError`` with a
    sentence fragment saying what is wrong.
    """
    text = text.strip()
    if not text:
        return None, None
    if "/" not in text:
        return _parse_length(text)
    parts = [p.strip() for p in text.split("/")]
    if len(parts) != 2 or parts == ["..", ".."] or "" in parts:
        raise ValueError(f"is not a length in years: expected {YEARS_FORMS}")
    low = 0.0 if parts[0] == ".." else _parse_length(parts[0])[0]
    high = float("inf") if parts[1] == ".." else _parse_length(parts[1])[0]
    if low > high:
        raise ValueError("is an interval of years that ends before it starts")
    return low, high


@dataclass(frozen=True)
class FuzzyDate:
    """Earliest and latest possible day of a date, and how precisely it is known."""

    start: date | None
    end: date | None
    kind: str


@lru_cache(maxsize=65536)  # the points of many intervals repeat (a cohort's dates fall on a few thousand days)
def _parse_point(text: str) -> tuple[date, date, str]:
    match = _POINT.fullmatch(text)
    if match is None:
        raise ValueError(f"is not a date: expected {DATE_FORMS}")
    year, month, day = (int(g) if g else None for g in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"has year {year:04d}, outside the years a date can have ({YEAR_RANGE})")
    if month is None:
        return date(year, 1, 1), date(year, 12, 31), "year"
    if not 1 <= month <= 12:
        raise ValueError(f"has month {month:02d}, which does not exist")
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, last), "month"
    if not 1 <= day <= last:
        raise ValueError(f"has day {day:02d}, which {year}-{month:02d} does not have")
    exact = date(year, month, day)
    return exact, exact, "day"


def parse_fuzzy_date(text: str, *, allow_unknown: bool = False) -> FuzzyDate:
    """Parse one date field into a :class:`FuzzyDate`.

    Parameters
    ----------
    text : str
        The field as written in the CSV; surrounding spaces are ignored.
    allow_unknown : bool
        Accept the word ``unknown`` (only the ``left`` column does).

    Raises
    ------
    ValueError
        With a sentence fragment saying what is wrong (``"has month 13, ..."``).
    """
    text = text.strip()
    if not text:
        return FuzzyDate(None, None, "missing")
    if text.lower() == "unknown":
        if allow_unknown:
            return FuzzyDate(None, None, "unknown")
        raise ValueError("is a word allowed only in the 'left' column; leave an unknown date empty")
    if "/" not in text:
        start, end, kind = _parse_point(text)
        return FuzzyDate(start, end, kind)
    if _SPREADSHEET_DAY.fullmatch(text):
        raise ValueError(f"is a day as a spreadsheet writes it, which could be day/month or month/day: "
                         f"write it as YYYY-MM-DD ({DATE_FORMS})")
    parts = text.split("/")
    if len(parts) != 2:
        raise ValueError(f"is not an interval: expected exactly one '/' in START/END ({DATE_FORMS})")
    first, last = (p.strip() for p in parts)
    if first == ".." and last == "..":
        raise ValueError("is an interval open at both ends, which says nothing; leave the field empty")
    if not first or not last:
        raise ValueError("is an interval with an empty end: write '..' for an open end")
    try:
        start = None if first == ".." else _parse_point(first)[0]
        end = None if last == ".." else _parse_point(last)[1]
    except ValueError as err:
        raise ValueError(f"is not a valid interval: its end {err}") from None
    if start is not None and end is not None and start > end:
        raise ValueError("is an interval that ends before it starts")
    return FuzzyDate(start, end, "interval")


def day_error(text: str) -> str:
    """Why ``text`` is not a single day (``YYYY-MM-DD``), as a fragment that follows the value;
    ``""`` when it is one. The one rule for as-of days, wherever they come from."""
    try:
        kind = parse_fuzzy_date(text).kind
    except ValueError as err:
        return f"{err}; expected a day, YYYY-MM-DD"
    return "" if kind == "day" else "is not a single day; expected YYYY-MM-DD"


def parse_fuzzy_dates(values: pd.Series, *, allow_unknown: bool = False) -> tuple[pd.DataFrame, pd.Series]:
    """Parse a column of date fields, vectorised over its distinct values.

    Returns
    -------
    parsed : DataFrame
        Indexed like ``values``, columns ``start``, ``end`` (``datetime64``)
        and ``kind`` (categorical, :data:`KINDS`). Invalid fields are ``NaT`` /
        ``missing``.
    errors : Series
        Indexed like ``values``: the reason for each invalid field, empty
        where the field is valid.
    """
    import pandas as pd

    parsed, codes, reasons = parse_fuzzy_date_codes(values, allow_unknown=allow_unknown)
    errors = pd.Series(reasons[codes] if len(codes) else [], index=values.index, dtype="str")
    return parsed, errors


def parse_fuzzy_date_codes(values: pd.Series, *, allow_unknown: bool = False
                           ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """:func:`parse_fuzzy_dates` with the reasons left encoded, for a loader that reads them only
    where a field is invalid: ``(parsed, codes, reasons)``, the reason of row ``i`` being
    ``reasons[codes[i]]`` (``""`` where valid; ``reasons`` has one entry per distinct value)."""
    import numpy as np
    import pandas as pd

    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":  # pyarrow encodes fastest
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(values.array)
        encoded = pc.dictionary_encode(array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array)
        codes, uniques = encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()
    else:
        codes, uniques = pd.factorize(values if pd.api.types.is_string_dtype(values) else values.astype(str),
                                      sort=False)
    starts, ends, kinds, reasons = [], [], [], []
    for text in uniques:
        try:
            parsed = parse_fuzzy_date(text, allow_unknown=allow_unknown)
            reason = ""
        except ValueError as err:
            parsed, reason = FuzzyDate(None, None, "missing"), str(err)
        starts.append(parsed.start)
        ends.append(parsed.end)
        kinds.append(parsed.kind)
        reasons.append(reason)

    def days(items: list) -> np.ndarray:  # None -> NaT; by ordinals: ten times faster than from date objects
        ordinals = np.fromiter((0 if d is None else d.toordinal() for d in items), dtype=np.int64, count=len(items))
        out = (ordinals - _UNIX_ORDINAL).astype("datetime64[D]").astype("datetime64[ns]")
        out[ordinals == 0] = np.datetime64("NaT")
        return out

    parsed = pd.DataFrame(
        {
            "start": days(starts)[codes],
            "end": days(ends)[codes],
            "kind": pd.Categorical.from_codes(np.array([KINDS.index(k) for k in kinds], dtype=np.int8)[codes],
                                              categories=KINDS),
        },
        index=values.index,
        copy=False,
    )
    return parsed, np.asarray(codes), np.array(reasons + [""], dtype=object)


def describe_fuzzy_date(text: str, *, empty: str = "") -> str:
    """A date field in words for a reader: ``"../2019-06"`` -> ``"on or before 2019-06"``.

    Assumes ``text`` is valid (as :func:`analysis.load_cohort` guarantees).
    """
    text = text.strip()
    if not text:
        return empty
    if text.lower() == "unknown":
        return "date not public"
    if "/" not in text:
        return text
    first, last = (p.strip() for p in text.split("/"))
    if first == "..":
        return f"on or before {last}"
    if last == "..":
        return f"{first} or later"
    return f"between {first} and {last}"
