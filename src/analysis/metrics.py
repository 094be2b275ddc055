"""Metrics on a cohort frame: pure pandas, tidy frames out, nothing drawn.

Every function takes the frame :func:`analysis.load_cohort` returns (one or
several papers) and an *as-of* date, and honours date intervals: a departure
counts as certain by the as-of date only when its latest possible day is on or
before it, and as *possible* while the as-of date falls inside its interval.

The as-of date
--------------
Every public function of :mod:`analysis.metrics`, :mod:`analysis.survival`
and :mod:`analysis.tables` takes ``as_of`` as an :data:`AsOfLike` and
normalises it with :func:`as_of_by_paper` into one type, :data:`AsOf`: a
mapping paper -> day holding every paper of the cohort. ``None`` (or "")
means the default everywhere: each paper's latest ``verified`` day (else
today), so no paper is reported past its snapshot. One day (``"2024-06-30"``,
a ``date`` or a ``Timestamp``) applies to every paper. A mapping that lacks a
paper of the cohort is an :class:`AsOfError` naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from .cohort import DESTINATION_TYPES, paper_rank, papers_of
from .contract import AsOfError
from .dates import DAYS_PER_YEAR, day_error, parse_fuzzy_date

__all__ = [
    "STATUSES",
    "AsOf",
    "AsOfLike",
    "AsOfError",
    "default_as_of",
    "resolve_as_of",
    "as_of_by_paper",
    "status_as_of",
    "retention",
    "choose_period",
    "departures_by_period",
    "waterfall_steps",
    "MAX_BARS",
    "SPAN_BUCKET",
    "tenure",
    "tenure_summary",
    "destinations",
    "destination_types",
    "timeline",
    "departure_events",
    "headline",
    "departures_per_month",
    "shared_destinations",
    "plausibility",
    "went_to",
]

STATUSES = ["stayed", "returned", "possibly departed", "departed"]
"""Status of an author as of a date, in display order; *returned* authors count as present."""

PRESENT = ("stayed", "returned")
GONE = ("departed", "returned")
"""Statuses of authors who certainly left by the as-of date (returned authors left, then came back)."""

UNKNOWN_BUCKET = "date unknown"
SPAN_BUCKET = "known only to a span"
"""Step of a waterfall that pools every departure known only to a span wider than one period."""
MAX_BARS = 12
"""Most bars a waterfall draws per paper (:func:`waterfall_steps`): beyond, spans pool, then periods merge."""
UNSPECIFIED = "unspecified"
UNKNOWN_DESTINATION = "Unknown"

AsOf = dict[str, pd.Timestamp]
"""The normalised as-of date: each paper of the cohort -> its day (midnight Timestamp)."""
Day = str | date | pd.Timestamp
AsOfLike = AsOf | Mapping[str, Day] | Day | None
"""What ``as_of`` parameters accept: None (each paper's default), one day for all, or a mapping."""


def default_as_of(cohort: pd.DataFrame) -> pd.Timestamp:
    """The latest ``verified`` day in ``cohort``, else today."""
    return _or_today(cohort["verified_end"].max() if len(cohort) else pd.NaT)


def _or_today(day) -> pd.Timestamp:
    return pd.Timestamp(day) if pd.notna(day) else pd.Timestamp(date.today())


def resolve_as_of(cohort: pd.DataFrame, as_of: Day | None) -> pd.Timestamp:
    """One day as a Timestamp; None or "" gives :func:`default_as_of` of the whole cohort.

    Raises :class:`AsOfError` unless ``as_of`` is a single day (``YYYY-MM-DD``).
    """
    if _unset(as_of):
        return default_as_of(cohort)
    if isinstance(as_of, (date, pd.Timestamp)):
        day = pd.Timestamp(as_of)
        if pd.isna(day):
            raise AsOfError("as-of date is NaT; expected a day, YYYY-MM-DD")
        return day.normalize()
    reason = day_error(str(as_of))
    if reason:
        raise AsOfError(f"as-of date {as_of!r} {reason}")
    return pd.Timestamp(parse_fuzzy_date(str(as_of)).start)


def _unset(as_of) -> bool:
    return as_of is None or (isinstance(as_of, str) and not as_of.strip())


def as_of_by_paper(cohort: pd.DataFrame, as_of: AsOfLike = None) -> AsOf:
    """Normalise ``as_of`` to :data:`AsOf`: one day per paper of ``cohort``, in file order.

    None: each paper's own latest ``verified`` day (else today). One day: that
    day for every paper. A mapping: its day for each paper; a paper it lacks
    raises :class:`AsOfError` naming it (papers it holds beyond the cohort's
    are ignored, so a mapping made for a whole file serves any selection).
    """
    papers = papers_of(cohort)
    if isinstance(as_of, Mapping):
        missing = [p for p in papers if p not in as_of or _unset(as_of[p])]
        if missing:
            raise AsOfError(f"no as-of date for paper {', '.join(map(repr, missing))}; "
                            f"the as-of mapping gives dates for {', '.join(map(repr, as_of)) or 'no paper'}")
        return {p: resolve_as_of(cohort, as_of[p]) for p in papers}
    if _unset(as_of):  # each paper's default_as_of, in one grouped pass (thousands of papers: not one group each)
        latest = cohort.groupby("paper", sort=False)["verified_end"].max()
        return {paper: _or_today(latest.get(paper)) for paper in papers}
    day = resolve_as_of(cohort, as_of)
    return dict.fromkeys(papers, day)


def _rows(cohort: pd.DataFrame, days: AsOf) -> pd.Series:
    """Each row's as-of day, from normalised ``days``."""
    return cohort["paper"].map(days).astype("datetime64[ns]")


def status_as_of(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.Series:
    """Each author's status as of ``as_of``: stayed, returned, possibly departed or departed.

    *departed*: the departure's latest possible day is on or before ``as_of``
    (a departure with no latest day, in a paper with no ``verified`` date, is
    only ever possible);
    *returned*: departed, and back at ``origin_org`` by ``as_of`` (the
    return's latest possible day has passed): present again;
    *possibly departed*: ``as_of`` falls inside the departure interval;
    *stayed*: no departure, or one that starts after ``as_of``.
    """
    as_of = _rows(cohort, as_of_by_paper(cohort, as_of))
    left = cohort["departed"].astype(bool)
    not_yet = left & (cohort["left_start"] > as_of)
    certain = left & ~not_yet & (cohort["left_end"] <= as_of)  # NaT (no latest day): never certain
    possible = left & ~not_yet & ~certain
    back = certain & cohort["returned_end"].notna() & (cohort["returned_end"] <= as_of)
    status = np.select([back, certain, possible], ["returned", "departed", "possibly departed"], "stayed")
    return pd.Series(pd.Categorical(status, categories=STATUSES), index=cohort.index, name="status")


def retention(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Authors at publication, departed, possibly departed and remaining, per paper.

    Returns one row per paper: ``paper``, ``published``, ``as_of``, ``authors``,
    ``departed`` (certain by ``as_of``), ``possibly_departed``, ``remaining``
    (certainly there: stayed or returned), ``returned``, ``departed_share`` and
    ``remaining_share``.
    """
    days = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, days)
    frame = pd.DataFrame({"paper": cohort["paper"], "published": cohort["published_start"], "status": status})
    counts = pd.crosstab(frame["paper"], frame["status"], dropna=False).reindex(columns=STATUSES, fill_value=0)
    out = frame.groupby("paper", sort=False)["published"].first().to_frame().join(counts).reset_index()
    out["remaining"] = out["stayed"] + out["returned"]
    out = out.rename(columns={"possibly departed": "possibly_departed"})
    out["authors"] = out[["departed", "possibly_departed", "remaining"]].sum(axis=1)
    out["as_of"] = out["paper"].map(days).astype("datetime64[ns]")
    out["departed_share"] = out["departed"] / out["authors"]
    out["remaining_share"] = out["remaining"] / out["authors"]
    columns = ["paper", "published", "as_of", "authors", "departed", "possibly_departed", "remaining", "returned",
               "departed_share", "remaining_share"]
    return out[columns].astype({c: int for c in ("authors", "departed", "possibly_departed", "remaining", "returned")})


def choose_period(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """``"half"`` (half-years) for a span under two years, else ``"year"``."""
    return "half" if (pd.Timestamp(end) - pd.Timestamp(start)).days < 2 * DAYS_PER_YEAR else "year"


def _period(ts: pd.Series, freq: str) -> tuple[pd.Series, pd.Series]:
    """Label and first day of the period holding each timestamp."""
    if freq == "year":
        return ts.dt.year.astype("Int64").astype(str), pd.to_datetime(ts.dt.year.astype(str) + "-01-01")
    if freq == "half":
        half = np.where(ts.dt.month <= 6, 1, 2)
        label = ts.dt.year.astype(str) + " H" + pd.Series(half, index=ts.index).astype(str)
        start = pd.to_datetime(ts.dt.year.astype(str) + np.where(half == 1, "-01-01", "-07-01"))
        return label, start
    if freq == "month":
        return ts.dt.strftime("%Y-%m"), ts.dt.to_period("M").dt.start_time
    raise ValueError(f"freq must be 'year', 'half' or 'month', not {freq!r}")


def departures_by_period(cohort: pd.DataFrame, as_of: AsOfLike = None, freq: str | None = None) -> pd.DataFrame:
    """Departures certain by ``as_of``, counted per period (returned authors too: they left).

    A departure whose interval lies within one period counts in it. One whose
    interval spans several periods counts in a bucket named after them
    (``"2023–2025"``): it is never placed on a date the data does not give.
    Departures with an unknown date count in the ``"date unknown"`` bucket.
    Rows come in time order per paper: periods, then spans, then unknown.

    Parameters
    ----------
    freq : {"year", "half", "month"}, optional
        Default: :func:`choose_period` over publication to ``as_of``.

    Returns
    -------
    DataFrame
        ``paper``, ``period`` (label), ``kind`` (``period``, ``span`` or
        ``unknown``), ``first_day`` (of the period or span; NaT for unknown),
        ``departures`` and ``authors`` (names, "; "-separated), one row per
        non-empty period, in time order per paper.
    """
    columns = ["paper", "period", "kind", "first_day", "departures", "authors"]
    days = as_of_by_paper(cohort, as_of)
    gone = status_as_of(cohort, days).isin(GONE)
    left = cohort[gone]
    if freq is None and days:
        freq = choose_period(cohort["published_start"].min(), max(days.values()))
    if left.empty:
        return pd.DataFrame(columns=columns).astype({"departures": int, "first_day": "datetime64[ns]"})
    first_label, first_day = _period(left["left_start"], freq)
    last_label, _ = _period(left["left_end"].fillna(_rows(left, days)), freq)
    unknown = left["left_kind"].astype(str).eq("unknown")
    same = first_label == last_label
    label = np.select(
        [unknown, same],
        [UNKNOWN_BUCKET, first_label],
        first_label + "–" + last_label,
    )
    kind = np.select([unknown, same], ["unknown", "period"], "span")
    frame = pd.DataFrame(
        {"paper": left["paper"], "period": label, "kind": kind,
         "first_day": first_day.where(~unknown), "author": left["author"]}
    )
    frame["order"] = frame["kind"].map({"period": 0, "span": 1, "unknown": 2})
    out = (
        frame.groupby(["paper", "period", "kind"], sort=False)
        .agg(first_day=("first_day", "min"), departures=("author", "size"),
             authors=("author", "; ".join), order=("order", "first"))
        .reset_index()
    )
    out["paper_order"] = out["paper"].map(paper_rank(cohort))
    out = out.sort_values(["paper_order", "order", "first_day", "period"], kind="stable")
    return out[columns].reset_index(drop=True)


def _fit_bars(periods: pd.DataFrame, room: int) -> pd.DataFrame:
    """One paper's :func:`departures_by_period` rows, cut to at most ``room`` bars where possible.

    First every span pools into one :data:`SPAN_BUCKET` row (kind ``spans``);
    then, if still too many, consecutive periods merge into equal runs (kind
    ``period``, labelled first–last, e.g. ``2016–2017``). Counts and names are
    kept; nothing is placed more precisely than the data says.
    """
    if len(periods) <= room:
        return periods
    spans = periods[periods["kind"] == "span"]
    if len(spans) > 1:
        pooled = pd.DataFrame([{"paper": spans["paper"].iloc[0], "period": SPAN_BUCKET, "kind": "spans",
                                "first_day": spans["first_day"].min(), "departures": spans["departures"].sum(),
                                "authors": "; ".join(spans["authors"])}])
        periods = pd.concat([periods[periods["kind"] == "period"], pooled, periods[periods["kind"] == "unknown"]],
                            ignore_index=True)
    exact = periods[periods["kind"] == "period"]
    room_for_periods = max(1, room - (len(periods) - len(exact)))
    if len(exact) <= room_for_periods:
        return periods
    run = -(-len(exact) // room_for_periods)  # ceil: periods per merged bar
    group = np.arange(len(exact)) // run
    merged = exact.groupby(group).agg(
        paper=("paper", "first"), first=("period", "first"), last=("period", "last"), first_day=("first_day", "min"),
        departures=("departures", "sum"), authors=("authors", "; ".join))
    merged["period"] = np.where(merged["first"] == merged["last"], merged["first"],
                                merged["first"] + "–" + merged["last"])
    merged["kind"] = "period"
    return pd.concat([merged[periods.columns], periods[periods["kind"] != "period"]], ignore_index=True)


def waterfall_steps(cohort: pd.DataFrame, as_of: AsOfLike = None, freq: str | None = None,
                    max_bars: int | None = MAX_BARS) -> pd.DataFrame:
    """The bars of a retention waterfall, per paper.

    Authors at publication, minus departures per period (see
    :func:`departures_by_period`), plus returns, minus possible departures,
    equals the authors certainly present as of ``as_of``.

    Parameters
    ----------
    max_bars : int or None
        Most bars per paper (default :data:`MAX_BARS`; None: no limit). Above
        it, departures known only to a span pool into one
        :data:`SPAN_BUCKET` bar (kind ``spans``), then consecutive periods
        merge (``2016–2017``) until the bars fit. The shipped cohorts are far below it.

    Returns
    -------
    DataFrame
        ``paper``, ``step`` (bar label), ``kind`` (``start``, ``period``,
        ``span``, ``spans``, ``unknown``, ``returned``, ``possible``, ``end``), ``value``
        (signed change; the total for start and end), ``bottom`` and ``top``
        (bar extent), ``authors`` (names behind a change).
    """
    rows = []
    days = as_of_by_paper(cohort, as_of)
    periods = departures_by_period(cohort, days, freq)
    status = status_as_of(cohort, days)
    for rec in retention(cohort, days).itertuples(index=False):
        level = rec.authors
        mine = cohort["paper"] == rec.paper
        rows.append((rec.paper, "at publication", "start", level, 0, level, ""))
        own = periods[periods["paper"] == rec.paper]
        if max_bars is not None:
            own = _fit_bars(own, max_bars - 2 - bool(rec.returned) - bool(rec.possibly_departed))
        for p in own.itertuples(index=False):
            rows.append((rec.paper, p.period, p.kind, -p.departures, level - p.departures, level, p.authors))
            level -= p.departures
        if rec.returned:
            names = "; ".join(cohort.loc[mine & (status == "returned"), "author"])
            rows.append((rec.paper, "came back", "returned", rec.returned, level, level + rec.returned, names))
            level += rec.returned
        if rec.possibly_departed:
            names = "; ".join(cohort.loc[mine & (status == "possibly departed"), "author"])
            rows.append((rec.paper, "possibly left", "possible", -rec.possibly_departed,
                         level - rec.possibly_departed, level, names))
            level -= rec.possibly_departed
        rows.append((rec.paper, "remaining", "end", level, 0, level, ""))
    out = pd.DataFrame(rows, columns=["paper", "step", "kind", "value", "bottom", "top", "authors"])
    return out.astype({"value": int, "bottom": int, "top": int})


def tenure(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Tenure at ``origin_org`` per author, in years, as an interval.

    Leavers: from joining to departure; stayers: to ``as_of``; possible
    leavers: to the departure or ``as_of``, whichever is earlier.
    ``tenure_min_years`` runs from the latest possible join to the earliest
    possible end, ``tenure_max_years`` from the earliest possible join to the
    latest possible end (NaN where the join has no earliest day);
    ``tenure_years`` is their midpoint where both exist. ``known`` says
    which: ``interval``, ``lower bound`` or ``unknown`` (no join date).
    A returned author's tenure is that of the first stint, up to departure.

    A stated length (``tenure_stated``: "more than eight years at Meta")
    narrows a leaver's interval to what both the dates and the length allow;
    ``stated`` marks the rows where it did. Where the two cannot both hold,
    the dates are kept and ``stated_conflict`` says so (see :func:`plausibility`).
    """
    days = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, days)
    as_of = _rows(cohort, days)
    left = cohort["departed"].astype(bool) & (status != "stayed")
    end_min = cohort["left_start"].where(left & (cohort["left_start"] < as_of), as_of)
    end_max = cohort["left_end"].where(left & (cohort["left_end"] < as_of), as_of)
    shortest = ((end_min - cohort["joined_end"]).dt.days / DAYS_PER_YEAR).clip(lower=0)
    longest = ((end_max - cohort["joined_start"]).dt.days / DAYS_PER_YEAR).clip(lower=0)  # joined after the end: 0
    said = status.isin(GONE) & cohort["tenure_stated_low"].notna()
    low = np.fmax(shortest, cohort["tenure_stated_low"])
    high = np.fmin(longest, cohort["tenure_stated_high"].replace(np.inf, np.nan))
    conflict = said & (low > high)
    stated = said & ~conflict
    shortest, longest = shortest.where(~stated, low), longest.where(~stated, high)
    known = np.select([longest.notna(), shortest.notna()], ["interval", "lower bound"], "unknown")
    return pd.DataFrame(
        {
            "paper": cohort["paper"],
            "author": cohort["author"],
            "status": status,
            "basis": np.where(status.isin(["departed", "returned"]), "at departure", "to as-of date"),
            "tenure_min_years": shortest,
            "tenure_years": (shortest + longest) / 2,
            "tenure_max_years": longest,
            "known": known,
            "stated": stated,
            "stated_conflict": conflict,
        },
        index=cohort.index,
    )


def tenure_summary(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Tenure statistics per paper and status; unknowns are counted, not dropped.

    Returns one row per (paper, status present): ``authors``,
    ``with_interval`` / ``with_lower_bound_only`` / ``without_join_date``
    (counts), ``mean_min_years`` and ``median_min_years`` (over every author
    with a bound: a floor on the average), and ``mean_years`` /
    ``median_years`` (midpoints, over authors whose tenure is an interval).
    """
    t = tenure(cohort, as_of)
    rows = []
    for (paper, status), g in t.groupby(["paper", "status"], sort=False, observed=True):
        bounded = g["tenure_min_years"].dropna()
        full = g.loc[g["known"] == "interval", "tenure_years"]
        rows.append({
            "paper": paper,
            "status": status,
            "authors": len(g),
            "with_interval": int((g["known"] == "interval").sum()),
            "with_lower_bound_only": int((g["known"] == "lower bound").sum()),
            "without_join_date": int((g["known"] == "unknown").sum()),
            "mean_min_years": bounded.mean() if len(bounded) else np.nan,
            "median_min_years": bounded.median() if len(bounded) else np.nan,
            "mean_years": full.mean() if len(full) else np.nan,
            "median_years": full.median() if len(full) else np.nan,
        })
    out = pd.DataFrame(rows, columns=["paper", "status", "authors", "with_interval", "with_lower_bound_only",
                                      "without_join_date", "mean_min_years", "median_min_years",
                                      "mean_years", "median_years"])
    order = {s: i for i, s in enumerate(["departed", "possibly departed", "returned", "stayed"])}
    papers = paper_rank(cohort)
    return out.sort_values(by=["paper", "status"], key=lambda s: s.map(papers if s.name == "paper" else order)).reset_index(drop=True)


def _written_as_home(cohort: pd.DataFrame) -> pd.Series:
    """Returners whose ``destination`` is written as the origin organisation (where they are now):
    it says nothing of where they went on leaving (see :func:`plausibility`)."""
    return (cohort["returned"].str.len() > 0) & (
        cohort["destination"].str.casefold() == cohort["origin_org"].str.casefold())


def went_to(cohort: pd.DataFrame) -> pd.Series:
    """Where each author went on leaving, as the report counts it: ``destination``, but
    :data:`UNKNOWN_DESTINATION` for a returner whose destination is written as the origin organisation."""
    return cohort["destination"].mask(_written_as_home(cohort), UNKNOWN_DESTINATION)


def _leavers(cohort: pd.DataFrame, days: AsOf) -> pd.DataFrame:
    """Authors who certainly left by the as-of date, those who came back included
    (``came_back``), with ``destination`` as :func:`went_to` reads it."""
    status = status_as_of(cohort, days)
    gone = status.isin(GONE)
    left = cohort[gone].assign(came_back=(status[gone] == "returned").to_numpy(bool))
    return left.assign(destination=went_to(left))


def destinations(cohort: pd.DataFrame, as_of: AsOfLike = None, top: int | None = None) -> pd.DataFrame:
    """Where the leavers went: one row per (paper, destination), most authors first.

    Counts every author certainly gone by the as-of date, including those who
    came back later (``came_back``): they left, and went somewhere.

    Parameters
    ----------
    as_of : AsOfLike, optional
        See :func:`as_of_by_paper` (default: each paper's snapshot).
    top : int, optional
        Keep the ``top`` destinations per paper and pool the rest as
        ``"Other (N organisations)"`` with type ``other``; a single
        organisation left over is shown as itself, never pooled alone.

    Returns
    -------
    DataFrame
        ``paper``, ``destination``, ``destination_type`` (the type most of
        its rows give; ``unspecified`` where none), ``authors``, ``founders``,
        ``came_back`` and ``names`` ("; "-separated), and ``organisations``
        (1, or how many an "Other" row pools).
    """
    columns = ["paper", "destination", "destination_type", "authors", "founders", "came_back", "names",
               "organisations"]
    counts = {"authors": int, "founders": int, "came_back": int, "organisations": int}
    left = _leavers(cohort, as_of_by_paper(cohort, as_of))
    if left.empty:
        return pd.DataFrame(columns=columns).astype(counts)
    frame = left.assign(
        destination_type=left["destination_type"].astype(object).fillna(UNSPECIFIED),
        founder=left["founder"].fillna(False).astype(bool),
    )
    out = (
        frame.groupby(["paper", "destination"], sort=False)
        .agg(authors=("author", "size"), founders=("founder", "sum"), came_back=("came_back", "sum"),
             names=("author", "; ".join))
        .reset_index()
        .assign(organisations=1)
    )
    # the type most of a destination's rows give (ties: first alphabetically, as Series.mode)
    votes = frame.groupby(["paper", "destination", "destination_type"], sort=False).size().reset_index(name="_n")
    votes = votes.sort_values(["_n", "destination_type"], ascending=[False, True], kind="stable")
    votes = votes.drop_duplicates(["paper", "destination"])[["paper", "destination", "destination_type"]]
    out = out.merge(votes, on=["paper", "destination"], how="left", sort=False)
    out = out.assign(_p=out["paper"].map(paper_rank(cohort))).sort_values(
        ["_p", "authors", "destination"], ascending=[True, False, True], kind="stable").drop(columns="_p")
    if top is not None:
        parts = []
        for _, g in out.groupby("paper", sort=False):
            keep = top if len(g) > top + 1 else top + 1  # never an "Other" of one organisation
            head, rest = g.iloc[:keep], g.iloc[keep:]
            if len(rest):
                head = pd.concat([head, pd.DataFrame([{
                    "paper": g["paper"].iloc[0],
                    "destination": f"Other ({len(rest)} organisations)",
                    "destination_type": "other", "authors": rest["authors"].sum(),
                    "founders": rest["founders"].sum(), "came_back": rest["came_back"].sum(),
                    "names": "; ".join(rest["names"]), "organisations": len(rest)}])])
            parts.append(head)
        out = pd.concat(parts)
    return out[columns].astype(counts).reset_index(drop=True)


def destination_types(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Leavers per ``destination_type`` (``unspecified`` where empty), per paper; those who came back included."""
    left = _leavers(cohort, as_of_by_paper(cohort, as_of))
    kinds = DESTINATION_TYPES + [UNSPECIFIED]
    types = pd.Categorical(left["destination_type"].astype(object).fillna(UNSPECIFIED), categories=kinds)
    frame = pd.DataFrame({"paper": left["paper"], "destination_type": types, "founder": left["founder"].fillna(False).astype(bool)})
    out = (frame.groupby(["paper", "destination_type"], sort=False, observed=True)
           .agg(authors=("founder", "size"), founders=("founder", "sum")).reset_index())
    papers = paper_rank(cohort)
    return out.sort_values(["paper", "destination_type"], key=lambda s: s.map(papers) if s.name == "paper" else s
                           ).reset_index(drop=True)


def timeline(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """One row per author for a timeline: join and departure intervals, status.

    Columns: ``paper``, ``author``, ``status``, ``published``, ``as_of``,
    ``joined_start``/``joined_end``/``joined_kind``,
    ``left_start``/``left_end``/``left_kind`` (departure interval, kept as
    given; NaT for stayers), ``destination``, ``destination_type``,
    ``founder``, and ``returned_start``/``returned_end``/``returned_kind``
    for authors back by ``as_of``.
    """
    days = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, days)
    out = pd.DataFrame({
        "paper": cohort["paper"], "author": cohort["author"], "status": status,
        "published": cohort["published_start"], "as_of": _rows(cohort, days),
    }, index=cohort.index)
    for name in ("returned_start", "returned_end"):
        out[name] = cohort[name].where(status == "returned")
    for name in ("joined_start", "joined_end", "joined_kind", "left_start", "left_end", "left_kind",
                 "destination", "destination_type", "founder"):
        out[name] = cohort[name]
    gone = status != "stayed"
    out["returned_kind"] = cohort["returned_kind"].where(status == "returned", "missing")
    for name in ("left_start", "left_end"):
        out[name] = out[name].where(gone)
    for name in ("destination", "destination_type", "founder"):
        out[name] = out[name].where(gone)
    out["left_kind"] = out["left_kind"].where(gone, "missing")
    return out.reset_index(drop=True)


def departure_events(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """The departures (certain or possible by ``as_of``) of :func:`timeline`, earliest first."""
    t = timeline(cohort, as_of)
    return t[t["status"] != "stayed"].sort_values(["left_start", "left_end", "author"], kind="stable").reset_index(drop=True)


def headline(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """The report's headline figures, one row per paper.

    ``authors``, ``departed``, ``possibly_departed``, ``remaining``,
    ``departed_share``; ``destinations`` (distinct organisations),
    ``top_destination`` and ``top_destination_authors`` (ties: first
    alphabetically), ``founders`` (leavers who founded where they went, those
    who came back later included);
    leavers' tenure (``leaver_tenure_mean_min_years``, with how many leavers
    it covers) and how much is unknown (``departures_without_exact_day``,
    ``departures_date_unknown``, ``joins_unknown``).
    """
    days = as_of_by_paper(cohort, as_of)
    ret = retention(cohort, days)
    dest = destinations(cohort, days)
    ten = tenure_summary(cohort, days)
    status = status_as_of(cohort, days)
    rows = []
    for rec in ret.itertuples(index=False):
        mine = cohort["paper"] == rec.paper
        d = dest[dest["paper"] == rec.paper]
        named = d[d["destination"] != UNKNOWN_DESTINATION]
        t = ten[(ten["paper"] == rec.paper) & (ten["status"] == "departed")]
        gone = mine & (status == "departed")
        rows.append({
            "paper": rec.paper,
            "origin_org": " / ".join(str(o) for o in pd.unique(cohort.loc[mine, "origin_org"])),
            "published": rec.published,
            "as_of": rec.as_of,
            "authors": rec.authors,
            "departed": rec.departed,
            "possibly_departed": rec.possibly_departed,
            "remaining": rec.remaining,
            "returned": rec.returned,
            "departed_share": rec.departed_share,
            "destinations": len(named),  # organisations: 'Unknown' is none
            "top_destination": named["destination"].iloc[0] if len(named) else None,
            "top_destination_authors": int(named["authors"].iloc[0]) if len(named) else 0,
            "founders": int((mine & status.isin(GONE) & cohort["founder"].fillna(False).astype(bool)).sum()),
            "leaver_tenure_mean_min_years": float(t["mean_min_years"].iloc[0]) if len(t) else np.nan,
            "leavers_with_join_bound": int(t["with_interval"].iloc[0] + t["with_lower_bound_only"].iloc[0]) if len(t) else 0,
            "departures_without_exact_day": int((gone & (cohort["left_kind"].astype(str) != "day")).sum()),
            "departures_date_unknown": int((gone & (cohort["left_kind"].astype(str) == "unknown")).sum()),
            "joins_unknown": int((mine & (cohort["joined_kind"].astype(str) == "missing")).sum()),
        })
    return pd.DataFrame(rows)


def departures_per_month(events: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Departures per calendar month, from :func:`timeline` or :func:`departure_events` rows.

    Only departures whose interval lies within one month are counted by month;
    the others are counted, not placed.

    Returns
    -------
    (DataFrame, int)
        ``month`` (first day) and ``departures``, every month from the first to
        the last such departure; and the number of departures known only to a
        wider interval.
    """
    gone = events[events["status"] != "stayed"]
    month_start = gone["left_start"].dt.to_period("M")
    within = gone["left_end"].notna() & (month_start == gone["left_end"].dt.to_period("M"))
    counts = month_start[within].value_counts()
    if counts.empty:
        return pd.DataFrame({"month": pd.Series([], dtype="datetime64[ns]"), "departures": pd.Series([], dtype=int)}), int((~within).sum())
    months = pd.period_range(counts.index.min(), counts.index.max(), freq="M")
    out = pd.DataFrame({"month": months.to_timestamp(), "departures": counts.reindex(months, fill_value=0).to_numpy()})
    return out.astype({"departures": int}), int((~within).sum())


def shared_destinations(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Destinations that leavers of more than one paper went to.

    Returns one row per (destination, paper) for those destinations:
    ``destination``, ``paper``, ``authors``, ``names``; empty with one paper.
    """
    dest = destinations(cohort, as_of)
    dest = dest[dest["destination"] != UNKNOWN_DESTINATION]  # not a place two papers can share
    papers = dest.groupby("destination")["paper"].nunique()
    shared = dest[dest["destination"].isin(papers[papers > 1].index)]
    return shared[["destination", "paper", "authors", "names"]].sort_values(
        ["destination"], kind="stable").reset_index(drop=True)


def _name_key(values: pd.Series) -> np.ndarray:
    """Each name as it compares for "the same name written differently": case, accents, dots, runs
    of spaces and invisible characters (zero-width space, soft hyphen) ignored ("Timothée  Lacroix"
    and "timothee lacroix" share a key); vectorised by pyarrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = pc.utf8_normalize(pa.array(values.to_numpy(dtype=object, na_value=""), pa.string()), "NFKD")
    key = pc.utf8_lower(pc.replace_substring_regex(key, r"[\p{Mn}\p{Cf}]", ""))  # accents, invisible characters
    key = pc.utf8_trim_whitespace(pc.replace_substring_regex(key, r"[\s.]+", " "))
    return key.to_numpy(zero_copy_only=False)


_WRITTEN_TWICE = {  # column -> (compared within, what two spellings would wrongly make)
    "paper": (None, "one paper counted as two?"),
    "author": ("paper", "one author counted twice?"),
    "origin_org": (None, "one organisation counted as two?"),
    "destination": (None, "one organisation counted as two?"),
}


MISSING_WORDS = frozenset({"unknown", "n/a", "na", "none", "nan", "null", "nil", "-", "--", "?", "??", "tbd",
                           "not public", "not known", "unspecified"})
"""Keys (:func:`_name_key`) of words that say a destination is not known: written as a destination
other than ``Unknown`` exactly, they would count as an organisation of that name."""


def _written_twice(cohort: pd.DataFrame) -> list[tuple]:
    """Warnings for a name written two ways: a paper, an author (within a paper), an origin or a
    destination spelt in ways that differ only by case, accents, dots or spaces. The spelling on
    most rows (the first, on a tie) is taken as meant; each other spelling gets one warning, at
    its first row (exact repeats of an author are a contract error). A destination written as a
    missing value (:data:`MISSING_WORDS`) other than ``Unknown`` counts as an organisation of that
    name: warned too."""
    rows = []
    for column, (within, doubt) in _WRITTEN_TWICE.items():
        by = [within, column] if within else [column]
        values = cohort.loc[cohort[column] != "", list(dict.fromkeys(["paper", "author", "line", *by]))]
        firsts = values.drop_duplicates(by)
        firsts = firsts.assign(rows=firsts[by].merge(values.groupby(by, sort=False).size().rename("n").reset_index(),
                                                    on=by, how="left")["n"].to_numpy())
        firsts = firsts.assign(key=_name_key(firsts[column]))
        if column == "destination":  # a missing value written as a name counts as an organisation
            missing = firsts["key"].isin(MISSING_WORDS) & (firsts[column] != UNKNOWN_DESTINATION)
            for r in firsts[missing].itertuples():
                mine = f" ({int(r.rows)} rows write it so)" if r.rows > 1 else ""
                rows.append((r.paper, int(r.line), r.author, column, r.destination,
                             f"is written like a missing value{mine}: it counts as an organisation of that name; "
                             f"write '{UNKNOWN_DESTINATION}' for a destination that is not public"))
            firsts = firsts[~missing]
        group = [within, "key"] if within else ["key"]
        twice = firsts.duplicated(group, keep=False)
        if not twice.any():  # the common case: every name spelt one way
            continue
        firsts = firsts[twice]
        meant = firsts.sort_values("rows", ascending=False, kind="stable").drop_duplicates(group)
        heads = {tuple(k): h for k, h in zip(meant[group].itertuples(index=False), meant.to_dict("records"))}
        for r in firsts[~firsts.index.isin(meant.index)].itertuples():
            head = heads[(getattr(r, within), r.key) if within else (r.key,)]  # one lookup, not a scan per variant
            what = "paper " if column == "paper" else ""
            n = int(head["rows"])
            where = f" (line {int(head['line'])}{f', {n} rows' if n > 1 else ''})"
            mine = f" ({int(r.rows)} rows write it so)" if r.rows > 1 else ""
            rows.append((r.paper, int(r.line), r.author, column, getattr(r, column),
                         f"looks like {what}{head[column]!r}{where} written another way{mine}: {doubt}"))
    return rows


def plausibility(cohort: pd.DataFrame, as_of: AsOfLike = None, *, today: date | None = None) -> pd.DataFrame:
    """What could make a figure wrong while following the contract: one row per warning.

    Row warnings (first match per date): a ``joined``, ``left`` or ``returned``
    date that starts after today (in the future), after the row's ``verified``
    day (no source can have confirmed it) or after the as-of date (the event is
    not counted: the author counts as still there, or still gone; a join after
    it gives a tenure of 0); a ``joined`` date after the paper's publication (the
    author was not yet at ``origin_org`` when the paper came out); a returner
    whose ``destination`` is the origin organisation (the contract's
    destination is where they went on leaving); an author, or a paper, whose
    name differs from an earlier row's only by case, accents, dots or spaces
    (the same one counted twice?); a destination written as a missing value
    other than ``Unknown``; a non-returner whose destination is the origin
    organisation; a departure before the paper's publication. Paper warnings: an as-of date before the
    paper's publication, after its snapshot (its latest ``verified`` day) or
    after today.

    Returns
    -------
    DataFrame
        ``paper``, ``line``, ``author``, ``column``, ``value`` (empty for a
        paper warning) and ``message``, in paper, then line order.
    """
    days = as_of_by_paper(cohort, as_of)
    today = pd.Timestamp(today or date.today())
    row_as_of = _rows(cohort, days)
    rows = []
    effects = {
        "joined": "the author had not joined by then: their tenure counts as 0",
        "left": "the departure is not counted, the author counts as still there",
        "returned": "the return is not counted, the author counts as gone",
    }
    for column, effect in effects.items():
        start = cohort[f"{column}_start"].where(cohort[column].str.len() > 0)
        future = start > today
        unverified = ~future & (start > cohort["verified_end"])
        later = ~future & ~unverified & (start > row_as_of)
        if column == "returned":  # a departure after the as-of date is warned about already: not its return
            later &= ~(cohort["left_start"] > row_as_of)
        checks = [
            (future, f"is in the future (today is {today:%Y-%m-%d}): a typo?"),
            (unverified, "is after the row's 'verified' date ({verified}): no source can have confirmed it; a typo?"),
            (later, f"is after the as-of date ({{as_of}}): {effect}"),
        ]
        if column == "joined":
            checks.append((~future & ~unverified & ~later & (start > cohort["published_end"]),
                           "is after the paper's publication ({published}): the author was not yet at "
                           "'origin_org' ({origin}) when the paper came out; a typo?"))
        for mask, text in checks:
            for i in cohort.index[mask.fillna(False).to_numpy(bool)]:
                rows.append((cohort.at[i, "paper"], int(cohort.at[i, "line"]), cohort.at[i, "author"], column,
                             cohort.at[i, column], text.format(verified=cohort.at[i, "verified"],
                                                                as_of=f"{row_as_of[i]:%Y-%m-%d}",
                                                                published=cohort.at[i, "published"],
                                                                origin=cohort.at[i, "origin_org"])))
    clash = tenure(cohort, days)["stated_conflict"]
    for i in cohort.index[clash.to_numpy(bool)]:
        rows.append((cohort.at[i, "paper"], int(cohort.at[i, "line"]), cohort.at[i, "author"], "tenure_stated",
                     cohort.at[i, "tenure_stated"], f"cannot hold with 'joined' ({cohort.at[i, 'joined']}) and "
                     f"'left' ({cohort.at[i, 'left']}): the tenure shown rests on the dates alone"))
    stayed_home = (cohort["returned"] == "") & (cohort["destination"] != "") & (
        _name_key(cohort["destination"]) == _name_key(cohort["origin_org"]))
    for i in cohort.index[stayed_home.to_numpy(bool)]:
        rows.append((cohort.at[i, "paper"], int(cohort.at[i, "line"]), cohort.at[i, "author"], "destination",
                     cohort.at[i, "destination"], "is the origin organisation, for an author who has not come back: "
                     "did they leave? (counted as a departure to it)"))
    before = cohort["departed"].astype(bool) & (cohort["left_end"] < cohort["published_start"])
    for i in cohort.index[before.to_numpy(bool)]:
        rows.append((cohort.at[i, "paper"], int(cohort.at[i, "line"]), cohort.at[i, "author"], "left",
                     cohort.at[i, "left"], f"is before the paper's publication ({cohort.at[i, 'published']}): "
                     "the author had left when it came out, and counts as gone from the start; a typo?"))
    for i in cohort.index[_written_as_home(cohort).to_numpy(bool)]:
        rows.append((cohort.at[i, "paper"], int(cohort.at[i, "line"]), cohort.at[i, "author"], "destination",
                     cohort.at[i, "destination"],
                     "is the origin organisation, for an author who came back: 'destination' is where they went "
                     f"on leaving, so it is shown as '{UNKNOWN_DESTINATION}'"))
    rows += _written_twice(cohort)
    by_paper = cohort.groupby("paper", sort=False).agg(snapshot=("verified_end", "max"),
                                                       published=("published_start", "first"))
    for paper, day in days.items():
        snapshot, published = by_paper.at[paper, "snapshot"], by_paper.at[paper, "published"]
        if day < published:
            rows.append((paper, None, None, None, "", f"the as-of date {day:%Y-%m-%d} is before this paper's "
                                                      f"publication ({published:%Y-%m-%d}): a typo?"))
        if day > today:
            rows.append((paper, None, None, None, "", f"the as-of date {day:%Y-%m-%d} is in the future "
                                                      f"(today is {today:%Y-%m-%d})"))
        if pd.notna(snapshot) and day > snapshot:
            rows.append((paper, None, None, None, "",
                         f"the as-of date {day:%Y-%m-%d} is after this paper's snapshot ({snapshot:%Y-%m-%d}, "
                         "its latest 'verified' date): moves after the snapshot are not in the data"))
    out = pd.DataFrame(rows, columns=["paper", "line", "author", "column", "value", "message"])
    out["line"] = out["line"].astype("Int64")
    rank = paper_rank(cohort)
    return out.sort_values(["paper", "line"], key=lambda s: s.map(rank) if s.name == "paper" else s,
                           na_position="first", kind="stable").reset_index(drop=True)
