"""Generated cohorts shaped like real ones, for the benchmarks (made-up names, example.org sources).

Real cohorts have many distinct values, and that is what makes a loader or a
chart slow or unreadable: :func:`generate` draws departure dates over a decade
at day, month and year precision, intervals (``2023-02-27/2025-05-26``,
``../2019-06``, ``2018/..``), ``unknown``, stayers, returners, founders, a
long-tailed (Zipf-like) choice among about one destination per ten leavers,
joined dates in every form, ``tenure_stated`` on some leavers (``5``,
``3/..``, ``2/3``), free-text notes with commas and quotes, and one paper or
several. Every row follows the data contract (``tests/test_benchmarks.py``
loads it); the same ``seed`` gives the same frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.contract import COLUMNS

__all__ = ["SNAPSHOT", "generate"]

SNAPSHOT = np.datetime64("2025-05-26")
"""The ``verified`` day of every generated row (so no departure lies after its as-of date)."""
TYPES = np.array(["startup", "big_tech", "research_lab", "academia", "other", ""])
TYPE_WEIGHTS = [0.35, 0.3, 0.15, 0.12, 0.05, 0.03]
COUNTRIES = np.array(["United States", "France", "United Kingdom", "Canada", "Germany", "Switzerland", ""])
ROLES = np.array(["Research Scientist", "Engineer", "Co-founder & CEO", "Professor", "Member of Technical Staff", ""])


def _at(days: np.ndarray, precision: np.ndarray | int = 0) -> np.ndarray:
    """Days since the epoch written at a precision (0 day, 1 month, 2 year), formatted once per distinct day."""
    unique, inverse = np.unique(np.asarray(days, dtype="int64"), return_inverse=True)
    unique = unique.astype("datetime64[D]")
    forms = np.stack([np.datetime_as_string(unique.astype(f"datetime64[{u}]"), unit=u).astype(object) for u in "DMY"])
    return forms[np.broadcast_to(precision, inverse.shape), inverse]


def _day(days: np.ndarray) -> np.ndarray:
    """Days since the epoch as ``YYYY-MM-DD`` strings."""
    return _at(days)


def _pick(rng: np.random.Generator, n: int, weights: list[float]) -> np.ndarray:
    return rng.choice(len(weights), size=n, p=np.asarray(weights) / sum(weights))


def generate(rows: int, papers: int | None = None, seed: int = 0) -> pd.DataFrame:
    """``rows`` authors over ``papers`` papers (default: one per 10 rows), as contract strings.

    Parameters
    ----------
    rows : int
        Authors (rows) in all.
    papers : int, optional
        Papers the authors are spread over, each published on its own day
        between 2015 and 2022. Default ``rows // 10 + 1``.
    seed : int
        Seed of the random generator: the same arguments give the same frame.

    Returns
    -------
    DataFrame
        The contract's columns (:data:`analysis.contract.COLUMNS`), every value a string.
    """
    rng = np.random.default_rng(seed)
    papers = papers or rows // 10 + 1
    paper = np.sort(rng.integers(0, papers, rows)) if papers > 1 else np.zeros(rows, dtype=int)
    first, last = np.datetime64("2015-01-01").astype(int), np.datetime64("2022-12-31").astype(int)
    published_day = rng.integers(first, last, papers)[paper]
    snapshot = SNAPSHOT.astype(int)

    # joined: a day before publication, written in one of six forms
    joined_day = published_day - rng.integers(30, 12 * 365, rows)
    joined_form = _pick(rng, rows, [0.15, 0.2, 0.25, 0.15, 0.2, 0.05])  # none, year, month, day, ../month, year/year
    joined_year = _at(joined_day, np.full(rows, 2))
    joined = np.select(
        [joined_form == 0, joined_form == 1, joined_form == 2, joined_form == 3, joined_form == 4],
        [np.full(rows, "", dtype=object), joined_year, _at(joined_day, np.ones(rows, int)), _day(joined_day),
         "../" + _at(joined_day + rng.integers(0, 400, rows), np.ones(rows, int))],
        (joined_year.astype(int) - rng.integers(1, 3, rows)).astype(str).astype(object) + "/" + joined_year,
    )

    # left: a day between publication and the snapshot, written at day, month or year
    # precision, as a bounded or open interval, or as unknown; about a third stayed
    form = _pick(rng, rows, [0.33, 0.2, 0.2, 0.08, 0.06, 0.04, 0.03, 0.02, 0.04])
    stayer, day, month, year, bounded, window, open_start, open_end, unknown = (form == k for k in range(9))
    left_day = published_day + (rng.random(rows) * (snapshot - published_day)).astype(int)
    low = np.maximum(left_day - rng.integers(0, 400, rows), published_day)
    high = np.minimum(left_day + rng.integers(0, 400, rows), snapshot)
    left = np.select(
        [stayer, day, month, year, bounded, window, open_start, open_end, unknown],
        [np.full(rows, "", dtype=object), _day(left_day), _at(left_day, np.ones(rows, int)),
         _at(left_day, np.full(rows, 2)), _day(low) + "/" + _at(high, rng.integers(0, 2, rows)),
         _day(published_day) + "/" + _day(np.full(rows, snapshot)), "../" + _at(high, np.ones(rows, int)),
         _at(low, np.full(rows, 2)) + "/..", np.full(rows, "unknown", dtype=object)],
    )
    leaver = ~stayer

    # returned: a few leavers came back, at least two months after leaving
    back_day = left_day + 60 + (rng.random(rows) * (snapshot - left_day - 60)).astype(int)
    returns = leaver & (day | month) & (rng.random(rows) < 0.04) & (back_day <= snapshot) & (left_day + 60 < snapshot)
    returned = np.where(returns, _at(back_day, rng.integers(0, 2, rows)), "")

    # destinations: about one per ten leavers, Zipf-like (a few big, a long tail), some unknown
    n_dest = max(1, rows // 10)
    weights = 1.0 / np.arange(1, n_dest + 1) ** 1.1
    rank = rng.choice(n_dest, size=rows, p=weights / weights.sum())
    dest_type = TYPES[_pick(rng, n_dest, TYPE_WEIGHTS)][rank]
    named = rng.random(rows) >= 0.04
    destination = np.where(leaver, np.where(named, "Org " + rank.astype(str).astype(object), "Unknown"), "")
    destination_type = np.where(leaver & named, dest_type, "")
    founder = np.where(leaver & (destination_type == "startup"),
                       np.where(rng.random(rows) < 0.08, "true", "false"), np.where(leaver, "false", ""))

    # tenure_stated on some leavers: the whole years from joining to leaving, as a source would say
    years = np.floor((left_day - joined_day) / 365.25).astype(int)
    stated_form = rng.integers(0, 3, rows)
    stated = np.select([stated_form == 0, stated_form == 1],
                       [years.astype(str).astype(object), (years - 1).astype(str).astype(object) + "/.."],
                       (years - 1).astype(str).astype(object) + "/" + (years + 2).astype(str).astype(object))
    tenure_stated = np.where(leaver & (years >= 1) & (rng.random(rows) < 0.15), stated, "")

    year_of = _at(published_day, np.full(rows, 2))
    paper_name = "Paper " + paper.astype(str).astype(object) + " (" + year_of + ")"
    notes = np.select([rng.random(rows) < 0.1, rng.random(rows) < 0.1],
                      ['left per a "farewell" post, date approximate', "joined: on or before, from an arXiv paper"], "")
    frame = pd.DataFrame({
        "paper": paper_name,
        "published": _day(published_day),
        "author": "Author " + np.arange(rows).astype(str).astype(object),
        "origin_org": np.where(paper % 3 == 0, "Org A", np.where(paper % 3 == 1, "Org B", "Org C")),
        "joined": joined,
        "left": left,
        "returned": returned,
        "tenure_stated": tenure_stated,
        "destination": destination,
        "destination_type": destination_type,
        "founder": founder,
        "role": np.where(leaver, ROLES[rng.integers(0, len(ROLES), rows)], ""),
        "country": np.where(leaver, COUNTRIES[rng.integers(0, len(COUNTRIES), rows)], ""),
        "verified": str(SNAPSHOT),
        "source": "https://example.org/paper/" + paper.astype(str).astype(object)
                  + " https://example.org/author/" + np.arange(rows).astype(str).astype(object),
        "notes": notes,
    })
    return frame[COLUMNS]
