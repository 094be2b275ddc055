"""Kernel-side helpers for the report notebooks: figure set-up and report sections.

Each ``show_*`` function draws one section for every paper in the cohort (a
chart from :mod:`analysis.charts` and its caption from :mod:`analysis.tables`)
and returns the figures it made, so the notebooks stay one call per section.
"""

from __future__ import annotations

import hashlib
import io

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from . import SUMMARY_MIME, charts, claims, metrics, survival, tables
from .metrics import AsOfLike

__all__ = ["SUMMARY_MIME", "setup", "figure_svg", "show_retention_over_time", "show_survival", "show_comparison", "show_waterfall", "show_destinations", "show_timeline", "show_claims", "emit_summary"]

REPORT_RC = {
    "svg.fonttype": "none",  # text stays text: selectable in the PDF, searchable in the HTML
    "svg.hashsalt": "exodus",  # stable SVG ids: identical HTML for identical input
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 12,
    "axes.titleweight": "bold",
    "figure.dpi": 100,
}


def setup() -> None:
    """Apply the report's matplotlib style (the notebook, as the caller, owns global style)."""
    matplotlib.rcParams.update(REPORT_RC)


def _display(obj) -> None:
    from IPython.display import display

    display(obj)


def figure_svg(fig) -> str:
    """The figure as deterministic SVG: text kept as text, no date, fixed ids."""
    buffer = io.StringIO()
    with matplotlib.rc_context(REPORT_RC):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _show(fig, caption: tables.Html, label: str) -> None:
    """Display a figure as SVG, then its caption; close the figure.

    The SVG's metadata names the chart with ``label`` (short, e.g. "Chart: who is left, LLaMA
    (2023)") and points to the caption's id, so the report's template can describe the chart by
    its caption (``aria-describedby``) without repeating it as alt text.
    """
    from IPython.display import display

    svg = figure_svg(fig)
    caption_id = "caption-" + hashlib.sha1((label + svg).encode("utf-8"), usedforsecurity=False).hexdigest()[:10]
    display({"image/svg+xml": svg, "text/plain": label}, raw=True,
            metadata={"image/svg+xml": {"exodus": {"label": label, "caption": caption_id}}})
    plt.close(fig)
    display(tables.figure_caption(caption, caption_id))


def _no_departures(paper: str, day: pd.Timestamp) -> tables.Html:
    return tables.words("no_departures.html.j2", paper=paper, day=day.strftime("%Y-%m-%d"))


def show_waterfall(cohort: pd.DataFrame, as_of: AsOfLike = None) -> list:
    """Retention waterfall and caption, per paper."""
    figures = []
    for paper, steps in metrics.waterfall_steps(cohort, as_of).groupby("paper", sort=False):
        fig, ax = plt.subplots(figsize=(8.5, 4.2))
        charts.plot_retention_waterfall(steps, ax=ax)
        _show(fig, tables.waterfall_caption(steps), tables.chart_label("waterfall", paper))
        figures.append(fig)
    return figures


def show_destinations(cohort: pd.DataFrame, as_of: AsOfLike = None, top: int = 12) -> list:
    """Destination breakdown and caption, per paper (``top`` destinations, the rest pooled)."""
    figures = []
    days = metrics.as_of_by_paper(cohort, as_of)
    dest = metrics.destinations(cohort, days, top=top)
    for paper, day in days.items():
        data = dest[dest["paper"] == paper]
        if data.empty:
            _display(_no_departures(paper, day))
            continue
        fig, ax = plt.subplots(figsize=(8.5, 0.45 * len(data) + 1.4))
        charts.plot_destinations(data, ax=ax)
        _show(fig, tables.destinations_caption(data), tables.chart_label("destinations", paper))
        figures.append(fig)
    return figures


def show_timeline(cohort: pd.DataFrame, as_of: AsOfLike = None) -> list:
    """Departure timeline and caption, per paper."""
    figures = []
    for paper, data in metrics.timeline(cohort, as_of).groupby("paper", sort=False):
        fig, ax = plt.subplots(figsize=charts.timeline_figsize(data))
        charts.plot_departure_timeline(data, ax=ax)
        _show(fig, tables.timeline_caption(data), tables.chart_label("timeline", paper))
        figures.append(fig)
    return figures


def show_retention_over_time(cohort: pd.DataFrame, as_of: AsOfLike = None) -> list:
    """Retention over time, every paper on one chart, and its caption."""
    curve = survival.retention_curve(cohort, as_of)
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    charts.plot_retention_over_time(curve, ax=ax)
    _show(fig, tables.retention_over_time_caption(curve), tables.chart_label("retention", None))
    return [fig]


def show_survival(cohort: pd.DataFrame, as_of: AsOfLike = None, resamples: int = 100) -> pd.DataFrame:
    """Kaplan-Meier time to departure, every paper on one chart; returns the medians."""
    km = survival.kaplan_meier(cohort, as_of, resamples=resamples)
    medians = survival.median_time_to_departure(km)
    days = metrics.as_of_by_paper(cohort, as_of)
    status = metrics.status_as_of(cohort, days)
    if not (status == "departed").any():
        _display(tables.words("no_survival.html.j2", papers=list(days), days=[d.strftime("%Y-%m-%d") for d in days.values()],
                              back=int((status == "returned").sum())))
        return medians
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    charts.plot_survival(km, medians=medians, ax=ax)
    _show(fig, tables.survival_caption(medians, resamples), tables.chart_label("survival", None))
    return medians


def show_comparison(cohort: pd.DataFrame, as_of: AsOfLike = None, medians: pd.DataFrame | None = None) -> tables.Html:
    """The side-by-side comparison (only when the cohort holds several papers)."""
    html = tables.comparison_html(cohort, as_of, medians)
    if html:
        _display(tables.words("comparison_heading.html.j2") + html)
    return html


def show_claims(everyone: pd.DataFrame, cohort: pd.DataFrame, path) -> pd.DataFrame | None:
    """The claims section for the papers of ``cohort``: the claims file at ``path`` (None: no
    section) checked against the data; claims about papers not selected are left out."""
    if path is None:
        return None
    found = claims.load_claims(path, everyone)
    checked = claims.check_claims(found[found["paper"].isin(cohort["paper"].unique())], cohort)
    numbers = {s["url"]: s["n"] for s in tables.sources(cohort, checked)}
    _display(tables.claims_html(checked, numbers))
    return checked


def emit_summary(cohort: pd.DataFrame, as_of: AsOfLike, data_name: str, medians: pd.DataFrame | None = None,
                 checked: pd.DataFrame | None = None) -> dict:
    """Publish the headline figures for the renderer (``summary.json``) as a display output."""
    from IPython.display import display

    result = tables.summary(cohort, as_of, data_name, medians, checked)
    display({SUMMARY_MIME: result}, raw=True)
    return result
