"""The report's words and tables: HTML fragments built from metrics.

This module computes; the words live in Jinja2 templates, one file per fragment, in
``analysis/templates/words/`` (one place to edit a sentence), rendered by :func:`words`.
Everything is escaped by Jinja2's autoescaping: text from the CSV is shown as literal
text, and only http(s) sources become links.
"""

from __future__ import annotations

import json
import math

import pandas as pd
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from .cohort import papers_of
from .contract import URL
from .dates import describe_fuzzy_date
from .metrics import (
    UNKNOWN_DESTINATION,
    AsOfLike,
    as_of_by_paper,
    destinations,
    headline,
    plausibility,
    shared_destinations,
    status_as_of,
    tenure,
    tenure_summary,
)

__all__ = [
    "Html",
    "headline_html",
    "author_table_html",
    "caveats_html",
    "waterfall_caption",
    "destinations_caption",
    "timeline_caption",
    "summary",
    "format_years",
    "comparison_html",
    "retention_over_time_caption",
    "survival_caption",
    "warnings_html",
    "claims_html",
    "sources",
    "sources_html",
    "words",
    "figure_caption",
    "chart_label",
]

_ENV = Environment(loader=PackageLoader("analysis", "templates/words"), autoescape=True, lstrip_blocks=True)
_TEXT = Environment(loader=PackageLoader("analysis", "templates/words"), autoescape=False)


class Html(Markup):
    """Safe HTML (a :class:`markupsafe.Markup`) that Jupyter displays as HTML.

    Fragments nest without double escaping: ``Html(a) + b`` escapes ``b``
    unless it is markup too; ``.striptags()`` gives the plain text.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


def _render(template: str, **context) -> Html:
    """An inline template (for a caller's own fragment); the report's words use :func:`words`."""
    return Html(_ENV.from_string(template).render(**context).strip())


def words(name: str, **context) -> Html:
    """The template ``templates/words/<name>`` rendered with ``context``, autoescaped, as :class:`Html`."""
    return Html(_ENV.get_template(name).render(**context).strip())


def chart_label(kind: str, paper: str | None = None) -> str:
    """A chart's short accessible name (``templates/words/chart_label.txt.j2``), plain text."""
    return _TEXT.get_template("chart_label.txt.j2").render(kind=kind, paper=paper).strip()


def figure_caption(caption: Html, caption_id: str) -> Html:
    """A caption wrapped with the id its chart's ``aria-describedby`` points to."""
    return words("figure_caption.html.j2", caption=caption, id=caption_id)


def format_years(low: float, high: float = math.nan) -> str:
    """A tenure interval in words: ``"2.2–3.3"``, ``"≥ 3.6"`` or ``"unknown"``."""
    if pd.isna(low):
        return "unknown"
    if pd.isna(high):
        return f"≥ {low:.1f}"
    if f"{low:.1f}" == f"{high:.1f}":
        return f"{low:.1f}"
    return f"{low:.1f}–{high:.1f}"


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def headline_html(cohort: pd.DataFrame, as_of: AsOfLike = None) -> Html:
    """The headline figures per paper, as a sentence and a row of figure cards."""
    rows = headline(cohort, as_of).to_dict("records")
    dest = destinations(cohort, as_of)
    for h in rows:  # "5 at Mistral AI", or "3 went to Zeta" when some of the largest group(s) came back
        h["top_names"], h["top_tied"], h["top_destination_back"] = _largest(dest, h["paper"])
    return words("headline.html.j2", rows=rows, share=_share)


def _largest(dest: pd.DataFrame, paper: str) -> tuple[str, int, int]:
    """The organisation(s) the most leavers of ``paper`` went to, in words ("A", or for a tie "A and
    B", "A, B and 3 more": a tie is never shown as one largest group), how many tie, and how many
    of their leavers came back."""
    named = dest[(dest["paper"] == paper) & (dest["destination"] != UNKNOWN_DESTINATION)]
    pooled = named[named["organisations"] > 1] if "organisations" in named else named.iloc[:0]
    named = named.drop(pooled.index)  # an "Other (N organisations)" bar is no organisation
    if named.empty:
        return "", 0, 0
    top = named[named["authors"] == named["authors"].max()]
    tied, back = top["destination"].tolist(), int(top["came_back"].sum())
    if len(pooled) and len(top) == len(named):  # organisations pooled in "Other" may tie too
        return f"{', '.join(tied[:2])} and more", len(tied) + 1, back
    if len(tied) <= 2:
        return " and ".join(tied), len(tied), back
    return f"{tied[0]}, {tied[1]} and {len(tied) - 2} more", len(tied), back


def author_table_html(cohort: pd.DataFrame, as_of: AsOfLike = None, max_rows: int = 100) -> Html:
    """One row per author: status, join, departure, tenure, destination, sources.

    A paper with more than ``max_rows`` authors lists its first ``max_rows`` (in
    file order) and says how many more the data holds.
    """
    as_of = as_of_by_paper(cohort, as_of)
    status = status_as_of(cohort, as_of)
    ten = tenure(cohort, as_of)
    shown = cohort.groupby("paper", sort=False).head(max_rows)
    hidden = (cohort.groupby("paper", sort=False).size() - shown.groupby("paper", sort=False).size()).to_dict()
    numbers = {s["url"]: s["n"] for s in sources(cohort, max_rows=max_rows)}
    rows = []
    for i, rec in shown.iterrows():
        gone = status[i] != "stayed"
        rows.append({
            "paper": rec["paper"],
            "author": rec["author"],
            "status": str(status[i]),
            "joined": describe_fuzzy_date(rec["joined"], empty="not public"),
            "left": describe_fuzzy_date(rec["left"]) if gone else "",
            "back": describe_fuzzy_date(rec["returned"]) if status[i] == "returned" else "",
            "tenure": format_years(ten.at[i, "tenure_min_years"], ten.at[i, "tenure_max_years"]),
            "stated": bool(ten.at[i, "stated"]),
            "destination": rec["destination"] if gone else "",
            "founder": gone and rec["founder"] is True,
            "role": rec["role"] if gone else "",
            "sources": [numbers[url] for url in URL.findall(rec["source"])],
        })
    return words(
        "author_table.html.j2",
        groups=_group_by_paper(rows),
        many=cohort["paper"].nunique() > 1,
        days=list(dict.fromkeys(_days(cohort, as_of).values())),
        by_paper=_days(cohort, as_of),
        hidden=hidden,
        any_stated=any(r["stated"] for r in rows),
    )


def sources(cohort: pd.DataFrame, checked: pd.DataFrame | None = None, max_rows: int = 100,
            cited: int = 3) -> list[dict]:
    """The numbered sources: every http(s) URL the listed rows cite (the first ``max_rows`` per
    paper, as :func:`author_table_html` lists them), in order of first citation, then those of
    the checked claims. Each: ``n``, ``url``, ``cited`` (up to ``cited`` names citing it),
    ``more`` (how many other rows cite it)."""
    shown = cohort.groupby("paper", sort=False).head(max_rows)
    found: dict[str, dict] = {}
    for author, text in zip(shown["author"], shown["source"]):
        for url in URL.findall(text):
            entry = found.setdefault(url, {"url": url, "names": []})
            entry["names"].append(author)
    if checked is not None and not checked.empty:
        for text in checked["source"]:
            for url in URL.findall(text):
                found.setdefault(url, {"url": url, "names": []})
    return [{"n": n, "url": e["url"], "cited": list(dict.fromkeys(e["names"]))[:cited],
             "more": max(len(dict.fromkeys(e["names"])) - cited, 0)}
            for n, e in enumerate(found.values(), start=1)]


def sources_html(cohort: pd.DataFrame, checked: pd.DataFrame | None = None, max_rows: int = 100) -> Html:
    """The section "Sources": every URL cited, numbered as the per-author table's ``[n]``, written
    out in full so that the printed report carries them."""
    listed = sources(cohort, checked, max_rows)
    hidden = int((cohort.groupby("paper", sort=False).size() - max_rows).clip(lower=0).sum())
    return words("sources.html.j2", sources=listed, hidden=hidden,
                 claims=checked is not None and not checked.empty)


def _days(cohort: pd.DataFrame, as_of: AsOfLike) -> dict[str, str]:
    """Each paper's as-of day as text."""
    return {p: day.strftime("%Y-%m-%d") for p, day in as_of_by_paper(cohort, as_of).items()}


def _group_by_paper(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["paper"], []).append(r)
    return list(groups.items())


def caveats_html(cohort: pd.DataFrame, as_of: AsOfLike, data_name: str) -> Html:
    """Methods and caveats: date precision, what is unknown, the snapshot date, per paper."""
    as_of = as_of_by_paper(cohort, as_of)
    heads = headline(cohort, as_of).to_dict("records")
    snapshot = cohort["verified_end"].max()
    unverified = int(cohort["verified_kind"].astype(str).eq("missing").sum())
    gone = cohort[status_as_of(cohort, as_of) == "departed"]
    kinds = gone.groupby(["paper", gone["left_kind"].astype(str)], sort=False).size()
    summary_of_tenure = tenure_summary(cohort, as_of)
    details = []
    for h in heads:
        mine = cohort["paper"] == h["paper"]
        k = kinds.get(h["paper"], pd.Series(dtype=int))
        unknown_joins = cohort.loc[mine & cohort["joined_kind"].astype(str).eq("missing"), "author"].tolist()
        left_tenure = summary_of_tenure[(summary_of_tenure["paper"] == h["paper"])
                                        & (summary_of_tenure["status"] == "departed")]
        floor_only = int((mine & cohort["joined_start"].isna() & cohort["joined_end"].notna()).sum())  # "../2019"
        details.append({
            "paper": h["paper"],
            "precision": [(int(k.get(kind, 0)), kind) for kind in ("day", "month", "year", "interval", "unknown")
                          if k.get(kind, 0)],
            "unknown_joins": unknown_joins[:20],
            "unknown_joins_more": max(len(unknown_joins) - 20, 0),
            "floor_only": floor_only,
            "possible": h["possibly_departed"],
            "tenure_floor": h["leaver_tenure_mean_min_years"],
            "tenure_median": left_tenure["median_min_years"].iloc[0] if len(left_tenure) else float("nan"),
            "known": {"n": int(left_tenure["with_interval"].iloc[0]), "mean": left_tenure["mean_years"].iloc[0],
                      "median": left_tenure["median_years"].iloc[0]}
            if len(left_tenure) and left_tenure["with_interval"].iloc[0] else None,
            "with_bound": h["leavers_with_join_bound"],
            "departed": h["departed"],
            "as_of": h["as_of"].strftime("%Y-%m-%d"),
            "snapshot": cohort.loc[mine, "verified_end"].max().strftime("%Y-%m-%d")
            if cohort.loc[mine, "verified_end"].notna().any() else "not given",
            "past_snapshot": bool(cohort.loc[mine, "verified_end"].notna().any()
                                  and h["as_of"] > cohort.loc[mine, "verified_end"].max()),
        })
    return words(
        "caveats.html.j2",
        data_name=data_name,
        n_rows=len(cohort),
        snapshot=snapshot.strftime("%Y-%m-%d") if pd.notna(snapshot) else "not given",
        unverified=unverified,
        details=details,
    )


def waterfall_caption(steps: pd.DataFrame, most: int = 6) -> Html:
    """Caption for :func:`analysis.charts.plot_retention_waterfall`, from the same frame.

    Up to ``most`` changes are each named; beyond that the caption names the ``most - 2``
    largest and sums up the rest, so that it stays short for any number of periods.
    """
    start = steps.loc[steps["kind"] == "start", "value"].sum()
    end = steps.loc[steps["kind"] == "end", "value"].sum()
    changes = steps[~steps["kind"].isin(["start", "end"])]
    parts = [{"kind": r.kind, "step": r.step, "n": abs(int(r.value))} for r in changes.itertuples(index=False)]
    rest = None
    if len(parts) > most:
        keep = sorted(range(len(parts)), key=lambda i: (-parts[i]["n"], i))[:most - 2]
        others = [p for i, p in enumerate(parts) if i not in keep]
        rest = {"steps": len(others), "departed": sum(p["n"] for p in others if p["kind"] != "returned"),
                "returned": sum(p["n"] for p in others if p["kind"] == "returned")}
        parts = [parts[i] for i in sorted(keep)]
    return words("waterfall_caption.html.j2", start=int(start), end=int(end), parts=parts, rest=rest,
                 spans=bool(changes["kind"].isin(["span", "spans"]).any()))


def destinations_caption(dest: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_destinations`, from the same frame.

    Counts organisations, not bars: an "Other" bar counts every organisation it pools.
    """
    named = dest[dest["destination"] != UNKNOWN_DESTINATION]
    return words(
        "destinations_caption.html.j2",
        total=int(dest["authors"].sum()), n=int(named["organisations"].sum()),
        unknown=int(dest.loc[dest["destination"] == UNKNOWN_DESTINATION, "authors"].sum()),
        founders=int(dest["founders"].sum()), came_back=int(dest["came_back"].sum()),
        top=named.iloc[0] if len(named) and named["authors"].iloc[0] > 1 else None,
        largest=_largest(dest, dest["paper"].iloc[0]) if len(named) else ("", 0, 0),
    )


def timeline_caption(data: pd.DataFrame, max_rows: int = 60) -> Html:
    """Caption for :func:`analysis.charts.plot_departure_timeline` (same ``max_rows``: above it the
    chart shows departures per month, and so does the caption)."""
    gone = data[data["status"] != "stayed"]
    exact = int((gone["left_kind"].astype(str) == "day").sum())
    lead_in = bool((data["joined_kind"].astype(str).isin(["interval", "missing"]) & data["joined_start"].isna()).any())
    monthly = None
    if len(data) > max_rows:
        from .metrics import departures_per_month

        months, wider = departures_per_month(data)
        monthly = {"placed": int(months["departures"].sum()), "wider": wider}
    possible = int((gone["status"] == "possibly departed").sum())
    return words("timeline_caption.html.j2", n=len(gone), exact=exact, origin="the origin organisation",
                 lead_in=lead_in, monthly=monthly, possible=possible)


def summary(cohort: pd.DataFrame, as_of: AsOfLike, data_name: str, medians: pd.DataFrame | None = None,
            claims: pd.DataFrame | None = None) -> dict:
    """The headline figures per paper, JSON-ready (dates ISO, no NaN); with ``medians``
    (:func:`analysis.survival.median_time_to_departure`), the median years to departure too;
    ``warnings`` (:func:`analysis.metrics.plausibility`); with ``claims``
    (:func:`analysis.claims.check_claims`), each claim checked."""
    papers = []
    as_of = as_of_by_paper(cohort, as_of)
    heads = headline(cohort, as_of)
    if medians is not None:
        heads = heads.merge(medians.rename(columns={"median_low": "median_years_to_departure_low",
                                                    "median_high": "median_years_to_departure_high"}),
                            on="paper", how="left")
    for h in heads.to_dict("records"):
        papers.append({
            k: (v.strftime("%Y-%m-%d") if isinstance(v, pd.Timestamp)
                else None if isinstance(v, float) and math.isnan(v)
                else round(v, 6) if isinstance(v, float)
                else int(v) if hasattr(v, "__int__") and not isinstance(v, (str, bool)) else v)
            for k, v in h.items()
        })
    days = set(_days(cohort, as_of).values())
    warnings = [{k: (None if pd.isna(v) else int(v) if k == "line" else v) for k, v in w.items()}
                for w in plausibility(cohort, as_of).to_dict("records")]
    result = {"data": data_name, "as_of": days.pop() if len(days) == 1 else None, "papers": papers,
              "warnings": warnings}
    if claims is not None:
        result["claims"] = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in c.items()}
                            for c in claims.to_dict("records")]
    json.dumps(result, allow_nan=False)  # fail here, not in the renderer, if anything is not JSON
    return result


def _years(low: float, high: float) -> str:
    if pd.isna(low):
        return "not reached"
    return f"{low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"{low:.1f}–{high:.1f}"


def comparison_html(cohort: pd.DataFrame, as_of: AsOfLike = None, medians: pd.DataFrame | None = None) -> Html:
    """Headline figures side by side, one column per paper, and the destinations they share.

    Empty for a single paper: there is nothing to compare.
    """
    as_of = as_of_by_paper(cohort, as_of)
    if len(as_of) < 2:  # one paper: nothing to compare
        return Html("")
    heads = headline(cohort, as_of)
    dest = destinations(cohort, as_of)
    med = {} if medians is None else {r.paper: _years(r.median_low, r.median_high) for r in medians.itertuples()}
    rows = [
        ("published", [h.published.strftime("%Y-%m-%d") for h in heads.itertuples()]),
        ("origin_org", list(heads["origin_org"])),
        ("as_of", [h.as_of.strftime("%Y-%m-%d") for h in heads.itertuples()]),
        ("authors", list(heads["authors"])),
        ("left", [f"{h.departed} ({_share(h.departed, h.authors)})" for h in heads.itertuples()]),
        ("possibly_left", list(heads["possibly_departed"])),
        ("remaining", [f"{h.remaining}" + (f" (incl. {h.returned} back)" if h.returned else "")
                       for h in heads.itertuples()]),
        ("top", [f"{names} ({h.top_destination_authors}{' each' if tied > 1 else ''})" if h.top_destination else "–"
                 for h, (names, tied, _) in zip(heads.itertuples(), (_largest(dest, p) for p in heads["paper"]))]),
        ("founders", list(heads["founders"])),
        ("tenure_floor", [format_years(v) for v in heads["leaver_tenure_mean_min_years"]]),
    ]
    if med:
        rows.append(("median", [med.get(p, "–") for p in heads["paper"]]))
    shared = shared_destinations(cohort, as_of)
    return words(
        "comparison.html.j2",
        papers=list(heads["paper"]),
        rows=rows,
        shared=[(d, g.to_dict("records")) for d, g in shared.groupby("destination", sort=False)],
    )


def warnings_html(cohort: pd.DataFrame, as_of: AsOfLike = None) -> Html:
    """The plausibility warnings (:func:`analysis.metrics.plausibility`) as a visible note; empty when none."""
    found = plausibility(cohort, as_of)
    if found.empty:
        return Html("")
    items = [{"paper": w.paper, "line": None if pd.isna(w.line) else int(w.line), "author": w.author,
              "column": w.column, "value": w.value, "message": w.message} for w in found.itertuples(index=False)]
    shown = WARNINGS_SHOWN if len(items) > WARNINGS_SHOWN + 5 else len(items)  # never "and 2 more"
    kinds = pd.Series([_warning_kind(w["message"]) for w in items[shown:]], dtype=object)
    more = list(kinds.value_counts(sort=True).items()) if len(kinds) else []
    return words(
        "warnings.html.j2",
        n=len(items), items=items, many=len(papers_of(cohort)) > 1, shown=shown, more=more,
    )


WARNINGS_SHOWN = 25
"""The warnings listed one by one in the page; the rest are counted by kind (all are in summary.json)."""


def _warning_kind(message: str) -> str:
    """A warning's kind for counting: its message up to the first value it quotes."""
    return message.split(" (", 1)[0].split(": ", 1)[0]


VERDICT_MARKS = {"supported": "✔", "contradicted": "✘", "undecided": "?"}
"""A mark per verdict, shown with its word: the verdict never rests on colour alone."""


def claims_html(checked: pd.DataFrame, numbers: dict[str, int] | None = None) -> Html:
    """The section "What was claimed, checked": each claim, its source, date, verdict and why.

    ``checked`` is :func:`analysis.claims.check_claims`; empty gives nothing. ``numbers``: each
    source URL's number in the Sources list (:func:`sources`), shown as ``[n]`` beside its link.
    """
    if checked is None or checked.empty:
        return Html("")
    counts = checked["verdict"].value_counts()
    items = [{"paper": c.paper, "claim": c.claim, "as_of": c.as_of, "verdict": c.verdict,
              "checked": f"{c.measure} {c.op} {c.value}",
              "mark": VERDICT_MARKS[c.verdict], "why": c.explanation[:1].upper() + c.explanation[1:],
              "sources": [(url, url.split("/")[2].removeprefix("www."), (numbers or {}).get(url))
                          for url in URL.findall(c.source)]}
             for c in checked.itertuples(index=False)]
    return words(
        "claims.html.j2",
        items=items, many=checked["paper"].nunique() > 1, counts=counts.to_dict(), order=list(VERDICT_MARKS),
    )


def retention_over_time_caption(curve: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_retention_over_time`."""
    ends = curve.groupby("paper", sort=False).tail(1)
    return words("retention_caption.html.j2", ends=list(ends.itertuples()))


def survival_caption(medians: pd.DataFrame, resamples: int = 100) -> Html:
    """Caption for :func:`analysis.charts.plot_survival`."""
    def value(v: float) -> float | None:
        return None if pd.isna(v) else float(v)

    return words("survival_caption.html.j2", resamples=resamples,
                 meds=[{"paper": r.paper, "low": value(r.median_low), "high": value(r.median_high)}
                       for r in medians.itertuples()])
