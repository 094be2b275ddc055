"""Published claims, checked against the data: verdicts with intervals, as of each claim's date.

A claims CSV (``data/README.md``, "Claims") holds one claim per row: what was
published, where, as of which day, and what it says as a measure, an operator
and a value ("departed = 11"). :func:`check_claims` computes each measure as
of the claim's day (the time travel of :mod:`analysis.metrics`) as an
interval ``[low, high]`` over what the data's dates allow: a departure only
possible by that day counts in ``high``, not in ``low``. The verdict is
**supported** when every value in the interval satisfies the claim,
**contradicted** when none does, and **undecided** otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract
from .cohort import papers_of
from .contract import DESTINATION_PREFIX, OPS, ClaimsError, find_claims
from .metrics import GONE, _name_key, as_of_by_paper, status_as_of, tenure, went_to

__all__ = ["MEASURES", "OPS", "VERDICTS", "ClaimsError", "load_claims", "measure", "verdict", "check_claims",
           "find_claims"]

VERDICTS = ("supported", "undecided", "contradicted")


@dataclass(frozen=True)
class Measure:
    """What a measure means, its unit, and how to word its value."""

    kind: str  # "count", "share", "years" or "date"
    what: str  # words for the explanation, e.g. "authors gone"
    one: str = ""  # the singular, for counts of one

    def words(self, x: float) -> str:
        return self.one if x == 1 and self.one else self.what


MEASURES = {
    "authors": Measure("count", "authors", "author"),
    "departed": Measure("count", "authors gone (left, not back)", "author gone (left, not back)"),
    "remaining": Measure("count", "authors still there or back", "author still there or back"),
    "founders": Measure("count", "leavers who founded or co-founded where they went",
                        "leaver who founded or co-founded where they went"),
    "departed_share": Measure("share", "share of authors gone"),
    "leaver_tenure_mean_years": Measure("years", "leavers' mean tenure"),
    "leaver_tenure_median_years": Measure("years", "leavers' median tenure"),
    "first_departure": Measure("date", "first departure"),
    "last_departure": Measure("date", "last departure"),
}
"""The measures a claim can name, besides ``at_destination:<name>`` (a count)."""


def _measure_info(name: str) -> Measure | None:
    if name.startswith(DESTINATION_PREFIX) and name[len(DESTINATION_PREFIX):].strip():
        where = name[len(DESTINATION_PREFIX):].strip()
        return Measure("count", f"leavers who went to {where}", f"leaver who went to {where}")
    return MEASURES.get(name)


def load_claims(path: str | Path, cohort: pd.DataFrame) -> pd.DataFrame:
    """Read and validate a claims CSV against ``cohort`` (:func:`analysis.contract.check_claims_csv`).

    Returns one row per claim: the columns as written (``as_of`` filled with
    the paper's default day where empty), ``line`` and ``value_number`` (the
    value as a number; days since 1970 for dates). Raises :class:`ClaimsError`
    listing every problem, located.
    """
    rows = contract.check_claims_csv(path, papers_of(cohort))
    out = pd.DataFrame([r | {"line": line} for line, r in rows])
    defaults = as_of_by_paper(cohort)
    out["as_of"] = [r or f"{defaults[p]:%Y-%m-%d}" for p, r in zip(out["paper"], out["as_of"])]
    out["value_number"] = [_number(contract.measure_kind(m), v) for m, v in zip(out["measure"], out["value"])]
    problems = _against_the_data(str(path), out, cohort)
    if problems:
        raise ClaimsError(str(path), problems)
    return out


def _against_the_data(path: str, claims: pd.DataFrame, cohort: pd.DataFrame) -> list[contract.Problem]:
    """What the data says is wrong in a claim: a day before the paper's publication."""
    problems = []
    published = cohort.groupby("paper", sort=False)["published_start"].first()
    for c in claims.itertuples(index=False):
        day = pd.Timestamp(c.as_of)
        if day < published[c.paper]:
            problems.append(contract.Problem(path, c.line, "as_of", c.as_of,
                                             f"is before the paper's publication ({published[c.paper]:%Y-%m-%d}): "
                                             "a claim about its authors speaks of a day after it"))
    return problems


def _unmatched_destination(cohort: pd.DataFrame, paper: str, measure_name: str) -> str:
    """For ``at_destination:<name>`` naming no destination of the paper's leavers (compared as the
    warnings compare names): words saying so, with the closest name the data has; else ``""``.
    Not an error: a claim may rightly say that nobody went somewhere."""
    import difflib

    if not measure_name.startswith(DESTINATION_PREFIX):
        return ""
    target = measure_name[len(DESTINATION_PREFIX):].strip()
    places = went_to(cohort[(cohort["paper"] == paper) & (cohort["destination"] != "")]).unique()
    keys = dict(zip(_name_key(pd.Series(places, dtype=object)), places))
    key = _name_key(pd.Series([target], dtype=object))[0]
    if key in keys:
        return ""
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    nearest = f"; the closest name in the data is {keys[close[0]]!r}" if close else ""
    return f" (no leaver of this paper went to an organisation named {target!r} in the data{nearest})"


def _number(kind: str, value: str) -> float:
    return _days(value) if kind == "date" else float(value)


def _days(ts) -> float:
    return float((pd.Timestamp(ts) - pd.Timestamp("1970-01-01")).days) if pd.notna(ts) else math.nan


def measure(cohort: pd.DataFrame, name: str, as_of) -> tuple[float, float]:
    """The interval ``(low, high)`` a measure can take, over one paper's rows, as of one day.

    Counts are exact where every date is; a departure only possible by then
    adds to ``high``. Tenure bounds come from :func:`analysis.metrics.tenure`
    (``high`` is ``inf`` where a join has no earliest day). Dates are days
    since 1970 (``nan`` where there is no departure).
    """
    days = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, days)
    gone, possible = status.isin(GONE), status == "possibly departed"
    out = status == "departed"
    n = len(cohort)
    if name == "authors":
        return float(n), float(n)
    if name == "departed":
        return float(out.sum()), float((out | possible).sum())
    if name == "remaining":
        present = status.isin(["stayed", "returned"])
        return float(present.sum()), float((present | possible).sum())
    if name == "departed_share":
        return out.sum() / n, (out | possible).sum() / n
    if name == "founders":
        founder = cohort["founder"].fillna(False).astype(bool)
        return float((gone & founder).sum()), float(((gone | possible) & founder).sum())
    if name.startswith(DESTINATION_PREFIX):
        target = _name_key(pd.Series([name[len(DESTINATION_PREFIX):].strip()]))[0]
        there = pd.Series(_name_key(went_to(cohort)) == target, index=cohort.index)  # case, accents, spaces aside
        return float((gone & there).sum()), float(((gone | possible) & there).sum())
    if name in ("leaver_tenure_mean_years", "leaver_tenure_median_years"):
        t = tenure(cohort, days)[out]
        if t.empty:
            return math.nan, math.nan
        low, high = t["tenure_min_years"].fillna(0.0), t["tenure_max_years"].fillna(np.inf)
        stat: Callable = np.mean if name.endswith("mean_years") else np.median
        return float(stat(low)), float(stat(high))
    if name in ("first_departure", "last_departure"):
        certain, maybe = cohort[gone], cohort[gone | possible]
        if maybe.empty:
            return math.nan, math.nan
        as_of_day = next(iter(days.values()))
        ends = maybe["left_end"].fillna(as_of_day).clip(upper=as_of_day)
        if name == "first_departure":
            # the earliest departure lies between the earliest possible start and the earliest certain end
            high = certain["left_end"].fillna(as_of_day).min() if len(certain) else as_of_day
            return _days(maybe["left_start"].min()), _days(high)
        low = certain["left_start"].max() if len(certain) else maybe["left_start"].min()
        return _days(low), _days(ends.max())
    raise ValueError(f"unknown measure {name!r}")


_HOLDS = {
    "=": lambda x, v: x == v, "!=": lambda x, v: x != v, "<": lambda x, v: x < v,
    "<=": lambda x, v: x <= v, ">": lambda x, v: x > v, ">=": lambda x, v: x >= v,
}


def precision(kind: str, op: str, value: str) -> float:
    """Half a unit of the last digit a claim's value is written to, for ``=`` and ``!=`` on a share
    or a length in years: "0.79" means 0.785 to 0.795, "5" years 4.5 to 5.5; 0 (exact) for a
    count, a date, any other operator, and a share written without decimals (0 or 1: none or all)."""
    if kind not in ("share", "years") or op not in ("=", "!=") or "e" in value.lower():
        return 0.0
    decimals = len(value.split(".", 1)[1]) if "." in value else 0
    if kind == "share" and decimals == 0:
        return 0.0
    return 0.5 * 10.0 ** -decimals


def verdict(low: float, high: float, op: str, value: float, *, integer: bool = False, tolerance: float = 0.0) -> str:
    """``supported`` if every value in [low, high] satisfies ``op value``, ``contradicted`` if none
    does, else ``undecided``. ``integer``: the interval holds whole numbers only (counts).
    ``tolerance`` (:func:`precision`): ``=`` means within ``[value - tolerance, value + tolerance)``."""
    if math.isnan(low) or math.isnan(high):
        return "undecided"
    if tolerance and op in ("=", "!="):
        digits = round(-math.log10(tolerance)) + 1  # the bounds to their own digits: 0.2 - 0.05 is 0.15, not 0.15000000000000002
        bottom, top = round(value - tolerance, digits), round(value + tolerance, digits)
        every, none = bottom <= low and high < top, high < bottom or low >= top
        result = "supported" if every else "contradicted" if none else "undecided"
        return result if op == "=" else {"supported": "contradicted", "contradicted": "supported"}.get(result, result)
    holds = _HOLDS[op]
    if low == high:
        return "supported" if holds(low, value) else "contradicted"
    if op in ("=", "!="):
        inside = low <= value <= high and (not integer or float(value).is_integer())
        if op == "=":
            return "undecided" if inside else "contradicted"
        return "undecided" if inside else "supported"
    # <, <=, >, >= hold on a half-line: check both ends of the interval
    at_low, at_high = holds(low, value), holds(high, value)
    if at_low and at_high:
        return "supported"
    if not at_low and not at_high:
        return "contradicted"
    return "undecided"


def _show(kind: str, x: float) -> str:
    if math.isinf(x):
        return "no upper bound"
    if kind == "date":
        return f"{pd.Timestamp('1970-01-01') + pd.Timedelta(days=x):%Y-%m-%d}"
    if kind == "share":
        return f"{x:.0%}"
    if kind == "years":
        return f"{x:.1f} years"
    return f"{x:.0f}"


def _explain(info: Measure, low: float, high: float, day: str, result: str) -> str:
    """One sentence: what the data gives as of ``day``, and why the claim can't be decided when it can't."""
    undecided = "; the claim can't be decided" if result == "undecided" else ""
    if math.isnan(low):
        return f"as of {day}, the data holds no departure to measure the {info.what} on: the claim can't be decided"
    if low == high:
        if info.kind == "count":
            return f"as of {day}, the data gives {_show(info.kind, low)} {info.words(low)}"
        return f"as of {day}, the data gives a {info.what} of {_show(info.kind, low)}"
    if math.isinf(high):
        return (f"as of {day}, the {info.what} is known only as at least {_show(info.kind, low)}: the public join "
                f"dates bound it from below only{undecided}")
    if info.kind == "count":
        return (f"as of {day}, the data gives between {_show(info.kind, low)} and {_show(info.kind, high)} "
                f"{info.words(high)}: some departures are dated only to an interval around that day{undecided}")
    return (f"as of {day}, the data allows a {info.what} from {_show(info.kind, low)} to "
            f"{_show(info.kind, high)}{undecided}")


def _settled(cohort: pd.DataFrame, name: str, snapshot) -> bool:
    """Whether nothing after the snapshot can change the measure: the number of authors, and the
    first departure once one is certain by the snapshot (a later move cannot come earlier)."""
    if name == "authors":
        return True
    if name == "first_departure" and pd.notna(snapshot):
        return bool((status_as_of(cohort, snapshot).isin(GONE)).any())
    return False


def check_claims(claims: pd.DataFrame, cohort: pd.DataFrame) -> pd.DataFrame:
    """Evaluate each claim of :func:`load_claims` as of its day, on its paper's rows.

    Returns
    -------
    DataFrame
        One row per claim: ``paper``, ``claim``, ``source``, ``as_of``,
        ``measure``, ``op``, ``value``, ``low``, ``high`` (the interval the
        data allows, in the measure's unit, dates as ``YYYY-MM-DD``),
        ``verdict`` and ``explanation`` (one sentence).
    """
    rows = []
    snapshots = cohort.groupby("paper", sort=False)["verified_end"].max()
    today = pd.Timestamp(date.today())
    for c in claims.itertuples(index=False):
        info = _measure_info(c.measure)
        mine = cohort[cohort["paper"] == c.paper]
        low, high = measure(mine, c.measure, c.as_of)
        tolerance = precision(info.kind, c.op, str(c.value))
        result = verdict(low, high, c.op, c.value_number, integer=info.kind == "count", tolerance=tolerance)
        why = _explain(info, low, high, c.as_of, result) + _unmatched_destination(mine, c.paper, c.measure)
        if tolerance:
            ceiling = 1.0 if info.kind == "share" else math.inf
            why += (f" (the claim's {c.value} is read to the precision it is written to: "
                    f"{max(c.value_number - tolerance, 0):g} to {min(c.value_number + tolerance, ceiling):g})")
        day, snapshot = pd.Timestamp(c.as_of), snapshots.get(c.paper)
        if (day > today or (pd.notna(snapshot) and day > snapshot)) and not _settled(mine, c.measure, snapshot):
            result = "undecided"
            why += (f"; but the data's snapshot of this paper is {snapshot:%Y-%m-%d}, before the claim's day: "
                    "it cannot speak for that day, and the claim can't be decided" if pd.notna(snapshot) and
                    day <= today else "; but the claim's day is in the future, and the claim can't be decided")
        shown = [None if math.isnan(x) else _show(info.kind, x) if info.kind == "date" else
                 (None if math.isinf(x) else round(x, 6)) for x in (low, high)]
        rows.append({"paper": c.paper, "claim": c.claim, "source": c.source, "as_of": c.as_of,
                     "measure": c.measure, "op": c.op, "value": c.value, "low": shown[0], "high": shown[1],
                     "verdict": result, "explanation": why})
    columns = ["paper", "claim", "source", "as_of", "measure", "op", "value", "low", "high", "verdict", "explanation"]
    return pd.DataFrame(rows, columns=columns)
