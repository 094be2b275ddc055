"""Time to departure: retention over time, and Kaplan-Meier with interval censoring.

pandas and numpy (:mod:`analysis.npmle`, checked against lifelines), tidy
frames out, nothing drawn. Time runs from the paper's publication; departures
known only to an interval (a month, a year, a bounded span, unknown) are
interval-censored, never placed on a guessed day; authors still there (or back
by the as-of date) are right-censored at it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .dates import DAYS_PER_YEAR as _YEAR
from .metrics import AsOfLike, as_of_by_paper, status_as_of

__all__ = ["retention_curve", "survival_intervals", "kaplan_meier", "median_time_to_departure"]


def retention_curve(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Share of each paper's authors still at ``origin_org`` on every date from publication to as-of.

    At each date where the count can change, ``present_high`` counts authors
    possibly present (departure not certain yet, or possibly back) and
    ``present_low`` those certainly present (no departure possible yet, or
    certainly back). A year-only departure therefore shows as a band a year wide.

    Returns
    -------
    DataFrame
        ``paper``, ``date``, ``years`` (since publication), ``authors``,
        ``present_low``, ``present_high``, ``share_low``, ``share_high``; the
        curve is a step function holding each value until the next date.
    """
    days = as_of_by_paper(cohort, as_of)
    parts = []
    for paper, g in cohort.groupby("paper", sort=False):
        published, end = g["published_start"].iloc[0], pd.Timestamp(days[paper])
        points = pd.concat([g["left_start"], g["left_end"], g["returned_start"],
                            g["returned_end"]]).dropna()
        points = points[(points > published) & (points < end)]
        dates = np.unique(np.concatenate([[published.to_datetime64(), end.to_datetime64()],
                                          points.to_numpy(dtype="datetime64[ns]")]))
        left = g["departed"].to_numpy(bool)
        ls, le = g["left_start"].to_numpy("datetime64[ns]"), g["left_end"].to_numpy("datetime64[ns]")
        rs, re = g["returned_start"].to_numpy("datetime64[ns]"), g["returned_end"].to_numpy("datetime64[ns]")
        # certainly gone at t: left by le <= t, and not possibly back (rs <= t); the count is
        # #(le <= t) - #(max(le, rs) <= t). Possibly gone: #(ls <= t) - #(max(ls, re) <= t).
        # NaT is "never", and np.maximum keeps it. Sorted ends and binary search:
        # O((authors + dates) log authors), no authors x dates matrix.
        certainly_gone = _at_or_before(le[left], dates) - _at_or_before(np.maximum(le[left], rs[left]), dates)
        possibly_gone = _at_or_before(ls[left], dates) - _at_or_before(np.maximum(ls[left], re[left]), dates)
        n = len(g)
        high = n - certainly_gone
        low = n - possibly_gone
        parts.append(pd.DataFrame({
            "paper": paper, "date": pd.to_datetime(dates),
            "years": (pd.to_datetime(dates) - published).days / _YEAR,
            "authors": n, "present_low": low, "present_high": high,
            "share_low": low / n, "share_high": high / n,
        }))
    columns = ["paper", "date", "years", "authors", "present_low", "present_high", "share_low", "share_high"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _at_or_before(days: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """How many of ``days`` (NaT: never) are on or before each of ``dates``."""
    known = np.sort(days[~np.isnat(days)])
    return np.searchsorted(known, dates, side="right")


def survival_intervals(cohort: pd.DataFrame, as_of: AsOfLike = None) -> pd.DataFrame:
    """Each author's time to departure as an interval, in years since publication.

    Departed: ``[left_start, left_end]`` (clipped at publication: a departure
    before it counts as time 0). Stayed, returned by ``as_of`` or not yet
    certainly gone: right-censored, ``[as_of or earliest departure, inf)``.
    """
    days = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, days)
    published = cohort["published_start"]
    as_of_rows = pd.to_datetime(cohort["paper"].map(days))
    gone = status == "departed"
    possible = status == "possibly departed"
    lower_day = cohort["left_start"].where(gone | possible, as_of_rows)
    upper_day = cohort["left_end"].where(gone)
    lower = ((lower_day - published).dt.days / _YEAR).clip(lower=0)
    upper = ((upper_day - published).dt.days / _YEAR).clip(lower=0).fillna(np.inf)
    return pd.DataFrame({"paper": cohort["paper"], "author": cohort["author"], "status": status,
                         "lower": lower, "upper": upper, "event": gone})


def _fit(lower: np.ndarray, upper: np.ndarray, resamples: int, rng, horizon: float = np.nan):
    """The NPMLE survival bounds of one sample on its observed ends, and the bootstrap on them.

    Authors with the same interval are interchangeable, so the sample is fitted
    on its distinct intervals weighted by their counts
    (:func:`analysis.npmle.survival_function`, lifelines'
    ``fit_interval_censoring`` table, checked against it in tests/test_npmle.py),
    and a resample is drawn as multinomial counts over them; every resample is
    fitted at once by :func:`analysis.npmle.survival_upper` (vectorised Turnbull
    NPMLE, warm-started from the sample's fit, checked against lifelines' ``npmle``):
    the same resampling as one lifelines fit per resample, at the speed of linear algebra.
    Returns ``grid`` (the finite observed ends, and ``horizon``, the end of observation, when
    it is later: the value there is the survival after the last end, 0 when everyone left),
    the high and low bounds there and the ``(resamples, len(grid))`` bootstrap curves.
    """
    from .npmle import survival_function, survival_upper

    pairs, counts = np.unique(np.column_stack([lower, upper]), axis=0, return_counts=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        timeline = np.concatenate([pairs.ravel(), [horizon] if np.isfinite(horizon) else []])
        times, high, low, p = survival_function(pairs[:, 0], pairs[:, 1], counts.astype(float), timeline=timeline)
        keep = np.isfinite(times)
        grid = times[keep]
        drawn = rng.multinomial(len(lower), counts / counts.sum(), size=resamples)
        boot = survival_upper(pairs[:, 0], pairs[:, 1], drawn, grid, init=p)
    return grid, high[keep], low[keep], boot


def kaplan_meier(cohort: pd.DataFrame, as_of: AsOfLike = None, *, resamples: int = 100, alpha: float = 0.05,
                 seed: int = 0) -> pd.DataFrame:
    """Kaplan-Meier (Turnbull NPMLE, as lifelines fits it) survival in the origin organisation, per paper.

    Returns
    -------
    DataFrame
        ``paper``, ``years``, ``survival_high`` / ``survival_low`` (the NPMLE
        is unique only up to where mass lies inside each interval: the two
        bound it), ``ci_low`` / ``ci_high`` (a ``1 - alpha`` percentile
        bootstrap over ``resamples`` resamples of authors, seeded:
        reproducible). Each value holds on the interval that ends at
        ``years`` (left-continuous steps: draw with ``drawstyle="steps-pre"``).
    """
    rng = np.random.default_rng(seed)
    parts = []
    days = as_of_by_paper(cohort, as_of)
    published = cohort.groupby("paper", sort=False)["published_start"].first()
    for paper, g in survival_intervals(cohort, days).groupby("paper", sort=False):
        lower, upper = g["lower"].to_numpy(float), g["upper"].to_numpy(float)
        horizon = max((pd.Timestamp(days[paper]) - published[paper]).days / _YEAR, 0.0)  # the end of observation
        grid, high, low, boot = _fit(lower, upper, resamples, rng, horizon)
        lo, hi = np.nanpercentile(boot, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
        parts.append(pd.DataFrame({
            "paper": paper, "years": grid,
            "survival_high": high, "survival_low": low,
            "ci_low": np.clip(lo, 0, 1), "ci_high": np.clip(hi, 0, 1),
        }))
    columns = ["paper", "years", "survival_high", "survival_low", "ci_low", "ci_high"]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def _median(years: np.ndarray, values: np.ndarray) -> float:
    """Smallest time at which the left-continuous step survival has fallen to 0.5 or below."""
    below = np.flatnonzero(values <= 0.5)
    if not len(below):
        return np.nan
    first = below[0]
    return float(years[first - 1]) if first > 0 else 0.0


def median_time_to_departure(curve: pd.DataFrame) -> pd.DataFrame:
    """Median years from publication to departure per paper, as a range over the NPMLE bounds.

    ``median_low`` comes from ``survival_low`` (departures as early as the
    intervals allow), ``median_high`` from ``survival_high``; NaN where the
    survival never falls to one half (the median is not reached).
    """
    rows = []
    for paper, g in curve.groupby("paper", sort=False):
        years = g["years"].to_numpy()
        rows.append({"paper": paper,
                     "median_low": _median(years, g["survival_low"].to_numpy()),
                     "median_high": _median(years, g["survival_high"].to_numpy())})
    return pd.DataFrame(rows, columns=["paper", "median_low", "median_high"])
