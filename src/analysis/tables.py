"""The report's words and tables: HTML fragments built from metrics.

Everything here is escaped by Jinja2's autoescaping: text from the CSV is
shown as literal text, and only http(s) sources become links.
"""

from __future__ import annotations

import json
import math

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup

from .cohort import papers_of
from .contract import URL
from .dates import describe_fuzzy_date
from .metrics import (
    UNKNOWN_DESTINATION,
    AsOfLike,
    as_of_by_paper,
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
]

_ENV = Environment(autoescape=True, lstrip_blocks=True)


class Html(Markup):
    """Safe HTML (a :class:`markupsafe.Markup`) that Jupyter displays as HTML.

    Fragments nest without double escaping: ``Html(a) + b`` escapes ``b``
    unless it is markup too; ``.striptags()`` gives the plain text.
    """

    __slots__ = ()

    def _repr_html_(self) -> str:
        return str(self)


def _render(template: str, **context) -> Html:
    return Html(_ENV.from_string(template).render(**context).strip())


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
    return _render(
        """
{% for h in rows %}
<section class="exodus-headline">
<p class="exodus-lede">Of the <strong>{{ h.authors }}</strong> authors of <em>{{ h.paper }}</em>,
published {{ h.published.strftime('%Y-%m-%d') }}, <strong>{{ h.departed }}</strong> had left {{ h.origin_org }}
by {{ h.as_of.strftime('%Y-%m-%d') }} ({{ share(h.departed, h.authors) }}){% if h.possibly_departed %},
<strong>{{ h.possibly_departed }}</strong> may have left{% endif %} and <strong>{{ h.remaining }}</strong>
{{ 'was' if h.remaining == 1 else 'were' }} {% if h.returned %}there, {{ h.returned }} of them back after leaving{% else %}still there{% endif %}.
{% if h.top_destination_authors > 1 %}The largest group, <strong>{{ h.top_destination_authors }}</strong>,
went to {{ h.top_destination }}.{% endif %}
{% if h.founders %}<strong>{{ h.founders }}</strong> {{ 'leaver' if h.founders == 1 else 'leavers' }}
founded or co-founded where they went.{% endif %}</p>
<div class="exodus-cards">
  <div class="exodus-card"><span class="n">{{ h.authors }}</span><span>authors at publication</span></div>
  <div class="exodus-card"><span class="n">{{ h.departed }}</span><span>left by {{ h.as_of.strftime('%Y-%m-%d') }}</span></div>
  <div class="exodus-card"><span class="n">{{ h.remaining }}</span><span>{{ 'at' if h.returned else 'still at' }} {{ h.origin_org }}</span></div>
  {% if h.top_destination_authors %}<div class="exodus-card"><span class="n">{{ h.top_destination_authors }}</span><span>at {{ h.top_destination }}</span></div>{% endif %}
</div>
</section>
{% endfor %}
""",
        rows=rows,
        share=_share,
    )


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
    rows = []
    for i, rec in shown.iterrows():
        gone = status[i] != "stayed"
        rows.append({
            "paper": rec["paper"],
            "author": rec["author"],
            "status": str(status[i]),
            "joined": describe_fuzzy_date(rec["joined"], empty="not public"),
            "left": (describe_fuzzy_date(rec["left"]) + (f"; back {describe_fuzzy_date(rec['returned'])}"
                                                          if status[i] == "returned" else "")) if gone else "",
            "tenure": format_years(ten.at[i, "tenure_min_years"], ten.at[i, "tenure_max_years"]),
            "destination": rec["destination"] if gone else "",
            "founder": gone and rec["founder"] is True,
            "role": rec["role"] if gone else "",
            "sources": URL.findall(rec["source"]),
        })
    return _render(
        """
<table class="exodus-authors">
<thead><tr><th>Author</th><th>Status as of {{ days | join(" / ") }}</th><th>Joined</th><th>Left</th>
<th>Tenure (years)</th><th>Destination</th><th>Sources</th></tr></thead>
<tbody>
{% for paper, group in groups %}
{% if many %}<tr class="exodus-paper"><th colspan="7">{{ paper }}, status as of {{ by_paper[paper] }}</th></tr>{% endif %}
{% for r in group %}
<tr><td>{{ r.author }}</td><td>{{ r.status }}</td><td>{{ r.joined }}</td><td>{{ r.left }}</td>
<td class="num">{{ r.tenure }}</td>
<td>{{ r.destination }}{% if r.founder %} ★{% endif %}{% if r.role %}<br><small>{{ r.role }}</small>{% endif %}</td>
<td>{% for url in r.sources %}<a href="{{ url }}" rel="noopener noreferrer nofollow">[{{ loop.index }}]</a> {% endfor %}</td></tr>
{% endfor %}
{% if hidden.get(paper) %}<tr class="exodus-more"><td colspan="7">… and {{ hidden[paper] }} more authors of {{ paper }}, not listed here: every row is in the data file.</td></tr>{% endif %}
{% endfor %}
</tbody>
</table>
<p class="exodus-note">★ founded or co-founded the destination. Tenure runs from joining to leaving
(or to the as-of date for those still there); "≥" marks a floor where only an "on or before" join date is public.
Dates are as precise as public sources allow.</p>
""",
        groups=_group_by_paper(rows),
        many=cohort["paper"].nunique() > 1,
        days=list(dict.fromkeys(_days(cohort, as_of).values())),
        by_paper=_days(cohort, as_of),
        hidden=hidden,
    )


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
    ten = tenure(cohort, as_of)
    summary_of_tenure = tenure_summary(cohort, as_of)
    details = []
    for h in heads:
        mine = cohort["paper"] == h["paper"]
        k = kinds.get(h["paper"], pd.Series(dtype=int))
        unknown_joins = cohort.loc[mine & cohort["joined_kind"].astype(str).eq("missing"), "author"].tolist()
        left_tenure = summary_of_tenure[(summary_of_tenure["paper"] == h["paper"])
                                        & (summary_of_tenure["status"] == "departed")]
        floor_only = int((mine & ten["known"].eq("lower bound")).sum())
        details.append({
            "paper": h["paper"],
            "precision": [(int(n), label) for label, n in (
                ("to the day", k.get("day", 0)), ("to the month", k.get("month", 0)),
                ("to the year", k.get("year", 0)), ("only to an interval of dates", k.get("interval", 0)),
                ("nowhere: no public date", k.get("unknown", 0))) if n],
            "unknown_joins": unknown_joins,
            "floor_only": floor_only,
            "possible": h["possibly_departed"],
            "tenure_floor": h["leaver_tenure_mean_min_years"],
            "tenure_median": left_tenure["median_min_years"].iloc[0] if len(left_tenure) else float("nan"),
            "tenure_known": (f"for the {int(left_tenure['with_interval'].iloc[0])} whose join date is bounded on both "
                             f"sides, mean {left_tenure['mean_years'].iloc[0]:.1f} and median "
                             f"{left_tenure['median_years'].iloc[0]:.1f} years")
            if len(left_tenure) and left_tenure["with_interval"].iloc[0] else "",
            "with_bound": h["leavers_with_join_bound"],
            "departed": h["departed"],
            "as_of": h["as_of"].strftime("%Y-%m-%d"),
            "snapshot": cohort.loc[mine, "verified_end"].max().strftime("%Y-%m-%d")
            if cohort.loc[mine, "verified_end"].notna().any() else "not given",
            "past_snapshot": bool(cohort.loc[mine, "verified_end"].notna().any()
                                  and h["as_of"] > cohort.loc[mine, "verified_end"].max()),
        })
    return _render(
        """
<ul class="exodus-caveats">
<li>Data: <code>{{ data_name }}</code>, {{ n_rows }} rows; the latest date a source confirmed a row
(the snapshot) is {{ snapshot }}.{% if unverified %}
{{ unverified }} rows carry no verification date.{% endif %}</li>
{% for d in details %}
<li><em>{{ d.paper }}</em>, status as of <strong>{{ d.as_of }}</strong>{% if d.past_snapshot %}
(after this paper's snapshot, {{ d.snapshot }}: later moves are not in the data){% endif %}:
{% if d.precision %}of {{ d.departed }} departures, {% for n, label in d.precision %}{{ n }} {{ 'is' if n == 1 else 'are' }} dated {{ label }}{{ "; " if not loop.last else "." }}{% endfor %}{% else %}no departures.{% endif %}
{% if d.possible %}{{ d.possible }} may have left by {{ d.as_of }}: their departure interval straddles that date, so they are not counted as departed.{% endif %}
{% if d.unknown_joins %}Join date not public for: {{ d.unknown_joins | join(", ") }}.{% endif %}
{% if d.floor_only %}{{ d.floor_only }} authors have only an "on or before" join date, so their tenure is a floor.{% endif %}
{% if d.departed and d.with_bound %}Leavers stayed at least {{ "%.1f" | format(d.tenure_floor) }} years on average,
median {{ "%.1f" | format(d.tenure_median) }} (floors over the {{ d.with_bound }} of {{ d.departed }} leavers with a
join date){% if d.tenure_known %}; {{ d.tenure_known }}{% endif %}.{% endif %}</li>
{% endfor %}
<li>A departure counts as certain by a date only when its latest possible day is on or before it; a
year-only date is a span of a year, never a point. Departures known only to a span of several periods are
shown as that span, never placed on one date.</li>
</ul>
""",
        data_name=data_name,
        n_rows=len(cohort),
        snapshot=snapshot.strftime("%Y-%m-%d") if pd.notna(snapshot) else "not given",
        unverified=unverified,
        details=details,
    )


def waterfall_caption(steps: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_retention_waterfall`, from the same frame."""
    start = steps.loc[steps["kind"] == "start", "value"].sum()
    end = steps.loc[steps["kind"] == "end", "value"].sum()
    changes = steps[~steps["kind"].isin(["start", "end"])]
    def part(r) -> str:
        if r.kind == "returned":
            return f"{int(r.value)} came back"
        if r.kind == "period":
            return f"{-int(r.value)} in {r.step}"
        if r.kind == "span":
            return f"{-int(r.value)} between {r.step.replace('–', ' and ')}"
        return f"{-int(r.value)} {r.step}"

    parts = [part(r) for r in changes.itertuples(index=False)]
    return _render(
        """<p class="exodus-caption">From {{ start }} authors at publication to {{ end }} remaining:
{% if parts %}{{ parts | join(", ") }}.{% else %}no departures.{% endif %}
Hatched bars are departures whose date is known only to a span wider than one period.</p>""",
        start=int(start), end=int(end), parts=parts,
    )


def destinations_caption(dest: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_destinations`, from the same frame.

    Counts organisations, not bars: an "Other" bar counts every organisation it pools.
    """
    named = dest[dest["destination"] != UNKNOWN_DESTINATION]
    return _render(
        """<p class="exodus-caption">{% if n %}{{ total }} {{ 'leaver' if total == 1 else 'leavers' }} went to
{{ n }} {{ 'organisation' if n == 1 else 'organisations' }}{% if top is not none %}; {{ top.authors }} to
{{ top.destination }}{% endif %}{% if unknown %}; where {{ unknown }} went is not public{% endif %}.{% else %}Where
the {{ total }} {{ 'leaver' if total == 1 else 'leavers' }} went is not public.{% endif %}
{% if came_back %}{{ came_back }} of them came back later and {{ 'is' if came_back == 1 else 'are' }} counted
here for where they went. {% endif %}Bars are coloured by type of destination{% if founders %};
★ counts the leavers who founded or co-founded it ({{ founders }} in all){% endif %}.</p>""",
        total=int(dest["authors"].sum()), n=int(named["organisations"].sum()),
        unknown=int(dest.loc[dest["destination"] == UNKNOWN_DESTINATION, "authors"].sum()),
        founders=int(dest["founders"].sum()), came_back=int(dest["came_back"].sum()),
        top=named.iloc[0] if len(named) and named["authors"].iloc[0] > 1 else None,
    )


def timeline_caption(data: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_departure_timeline`."""
    gone = data[data["status"] != "stayed"]
    exact = int((gone["left_kind"].astype(str) == "day").sum())
    return _render(
        """<p class="exodus-caption">Each row is an author, from joining {{ origin }} to leaving (or to the as-of
date). Of {{ n }} departures, {{ exact }} {{ 'is' if exact == 1 else 'are' }} known to the day (diamond); the
others are drawn as hatched bars over the span of dates their sources allow. A dotted lead-in means the join
date is public only as "on or before", or not at all.</p>""",
        n=len(gone), exact=exact, origin="the origin organisation",
    )


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
    heads = headline(cohort, as_of)
    if len(heads) < 2:
        return Html("")
    med = {} if medians is None else {r.paper: _years(r.median_low, r.median_high) for r in medians.itertuples()}
    rows = [
        ("published", [h.published.strftime("%Y-%m-%d") for h in heads.itertuples()]),
        ("origin organisation", list(heads["origin_org"])),
        ("status as of", [h.as_of.strftime("%Y-%m-%d") for h in heads.itertuples()]),
        ("authors", list(heads["authors"])),
        ("left", [f"{h.departed} ({_share(h.departed, h.authors)})" for h in heads.itertuples()]),
        ("possibly left", list(heads["possibly_departed"])),
        ("still there or back", [f"{h.remaining}" + (f" (incl. {h.returned} back)" if h.returned else "")
                                 for h in heads.itertuples()]),
        ("largest destination", [f"{h.top_destination} ({h.top_destination_authors})" if h.top_destination else "–"
                                 for h in heads.itertuples()]),
        ("founders among leavers", list(heads["founders"])),
        ("leavers' tenure, floor (years)", [format_years(v) for v in heads["leaver_tenure_mean_min_years"]]),
    ]
    if med:
        rows.append(("median years to departure", [med.get(p, "–") for p in heads["paper"]]))
    shared = shared_destinations(cohort, as_of)
    return _render(
        """
<table class="exodus-compare">
<thead><tr><th></th>{% for p in papers %}<th>{{ p }}</th>{% endfor %}</tr></thead>
<tbody>
{% for label, values in rows %}<tr><th>{{ label }}</th>{% for v in values %}<td>{{ v }}</td>{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% if shared %}
<p class="exodus-caption">Destinations the papers share:
{% for dest, group in shared %}<strong>{{ dest }}</strong> ({% for r in group %}{{ r.authors }} from {{ r.paper }}{{ ", " if not loop.last }}{% endfor %}){{ "; " if not loop.last else "." }}{% endfor %}</p>
{% else %}
<p class="exodus-caption">The papers' leavers went to no common destination.</p>
{% endif %}
""",
        papers=list(heads["paper"]),
        rows=rows,
        shared=[(d, g.to_dict("records")) for d, g in shared.groupby("destination", sort=False)],
    )


def warnings_html(cohort: pd.DataFrame, as_of: AsOfLike = None) -> Html:
    """The plausibility warnings (:func:`analysis.metrics.plausibility`) as a visible note; empty when none."""
    found = plausibility(cohort, as_of)
    if found.empty:
        return Html("")
    items = [{"paper": w.paper, "where": "" if pd.isna(w.line) else f"line {w.line}, {w.author}, '{w.column}'",
              "value": w.value, "message": w.message} for w in found.itertuples(index=False)]
    return _render(
        """
<aside class="exodus-warnings" role="note">
<p><strong>Check before citing:</strong> {{ n }} {{ 'thing' if n == 1 else 'things' }} in the data or the
parameters could make a figure below wrong.</p>
<ul>
{% for w in items %}<li>{% if many %}<em>{{ w.paper }}</em>: {% endif %}{% if w.where %}{{ w.where }}:
<code>{{ w.value }}</code> {% endif %}{{ w.message }}</li>
{% endfor %}
</ul>
</aside>
""",
        n=len(items), items=items, many=len(papers_of(cohort)) > 1,
    )


VERDICT_MARKS = {"supported": "✔", "contradicted": "✘", "undecided": "?"}
"""A mark per verdict, shown with its word: the verdict never rests on colour alone."""


def claims_html(checked: pd.DataFrame) -> Html:
    """The section "What was claimed, checked": each claim, its source, date, verdict and why.

    ``checked`` is :func:`analysis.claims.check_claims`; empty gives nothing.
    """
    if checked is None or checked.empty:
        return Html("")
    counts = checked["verdict"].value_counts()
    items = [{"paper": c.paper, "claim": c.claim, "as_of": c.as_of, "verdict": c.verdict,
              "mark": VERDICT_MARKS[c.verdict], "why": c.explanation[:1].upper() + c.explanation[1:],
              "sources": [(url, url.split("/")[2].removeprefix("www.")) for url in URL.findall(c.source)]}
             for c in checked.itertuples(index=False)]
    return _render(
        """
<h2 id="claims">What was claimed, checked</h2>
<p>Published claims about these authors, each checked against the data as of the date it speaks of:
<strong>supported</strong> when every value the data's dates allow satisfies it, <strong>contradicted</strong>
when none does, <strong>undecided</strong> when the data allows both.
{% for v in order if counts.get(v) %}{{ counts[v] }} {{ v }}{{ ", " if not loop.last else "." }}{% endfor %}</p>
<table class="exodus-claims">
<thead><tr>{% if many %}<th>Paper</th>{% endif %}<th class="claim">Claim</th><th>As of</th><th>Verdict</th><th class="why">Why</th></tr></thead>
<tbody>
{% for c in items %}<tr class="verdict-{{ c.verdict }}">{% if many %}<td>{{ c.paper }}</td>{% endif %}
<td>“{{ c.claim }}”<br><small>{% for url, host in c.sources %}<a href="{{ url }}" rel="noopener noreferrer nofollow">{{ host }}</a> {% endfor %}</small></td>
<td>{{ c.as_of }}</td><td class="verdict"><span aria-hidden="true">{{ c.mark }}</span> {{ c.verdict }}</td><td>{{ c.why }}.</td></tr>
{% endfor %}
</tbody>
</table>
""",
        items=items, many=checked["paper"].nunique() > 1, counts=counts.to_dict(), order=list(VERDICT_MARKS),
    )


def retention_over_time_caption(curve: pd.DataFrame) -> Html:
    """Caption for :func:`analysis.charts.plot_retention_over_time`."""
    ends = curve.groupby("paper", sort=False).tail(1)
    return _render(
        """<p class="exodus-caption">The line is the share of authors possibly still at the origin organisation,
by years since publication; the shaded band reaches down to the share certainly still there. At the as-of date:
{% for r in ends %}{{ r.paper }}, {{ "%.0f" | format(100 * r.share_high) }}%{{ "; " if not loop.last else "." }}{% endfor %}</p>""",
        ends=list(ends.itertuples()),
    )


def survival_caption(medians: pd.DataFrame, resamples: int = 100) -> Html:
    """Caption for :func:`analysis.charts.plot_survival`."""
    return _render(
        """<p class="exodus-caption">Kaplan–Meier estimate (Turnbull NPMLE for interval-censored data, lifelines) of
the share not yet departed, by years since publication. Departures known only to an interval are
interval-censored; authors still there, or back, are censored at the as-of date. The darker band is the range
the intervals allow; the lighter one a 95% bootstrap band ({{ resamples }} resamples).
Median time to departure: {% for r in meds %}{{ r.paper }}, {{ r.text }} years{{ "; " if not loop.last else "." }}{% endfor %}</p>""",
        meds=[{"paper": r.paper, "text": _years(r.median_low, r.median_high)} for r in medians.itertuples()],
        resamples=resamples,
    )
