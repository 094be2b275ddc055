"""The report's charts: tidy frames in, matplotlib Axes out.

Each ``plot_*`` function follows seaborn's convention: it takes the tidy frame
a :mod:`analysis.metrics` function returns, draws on ``ax`` (default: the
current Axes), returns that Axes, reads no file and changes no global style.
Text from the data is drawn literally: ``$`` never switches to math mode.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch
from matplotlib.lines import Line2D

from .cohort import DESTINATION_TYPES
from .metrics import UNSPECIFIED, departures_per_month

__all__ = [
    "TYPE_PALETTE",
    "TYPE_LABELS",
    "plot_retention_waterfall",
    "plot_destinations",
    "plot_departure_timeline",
    "timeline_figsize",
    "paper_colors",
    "plot_retention_over_time",
    "plot_survival",
]

_COLORBLIND = ["#0173b2", "#de8f05", "#029e73", "#d55e00", "#cc78bc", "#ca9161", "#fbafe4", "#949494", "#ece133",
               "#56b4e9"]
_DARK = ["#001c7f", "#b1400d", "#12711c", "#8c0800", "#591e71", "#592f0d", "#a23582", "#3c3c3c", "#b8850a", "#006374"]
"""seaborn's "colorblind" and "dark" palettes, written out: importing seaborn (and scipy.stats with it)
costs every render about a second for two lists of colours."""

TYPE_PALETTE: dict[str, str] = dict(zip(DESTINATION_TYPES, _COLORBLIND)) | {UNSPECIFIED: "#a0a0a0"}
"""One colour per ``destination_type``, shared by every chart."""

TYPE_LABELS = {
    "startup": "start-up",
    "big_tech": "big tech",
    "research_lab": "research lab",
    "academia": "academia",
    "other": "other",
    UNSPECIFIED: "type not given",
}

_TOTAL = "#3b4252"
_LOSS = "#c8553d"
_GAIN = "#3c8d5a"
_PRESENT = "#5e6675"
_FAINT = "#c9ccd3"
_WIDER = ("span", "spans", "unknown")
"""Waterfall kinds whose departures are known only to something wider than one period (hatched)."""
_ROOMY_BARS = 7
"""Up to this many waterfall bars, labels sit on one line and the legend in the upper right corner."""


def _ax(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _light(color, amount: float = 0.7) -> tuple:
    """``color`` mixed with white, opaque: a face a hatch of ``color`` stays visible on, in SVG too."""
    r, g, b, _ = to_rgba(color)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount, 1.0)


def _literal(text) -> str:
    """Text from the data, escaped so matplotlib never reads it as mathtext."""
    return str(text).replace("$", r"\$")


def _one_paper(data: pd.DataFrame, chart: str) -> str | None:
    papers = list(dict.fromkeys(data["paper"])) if "paper" in data else []
    if len(papers) > 1:
        raise ValueError(f"{chart} draws one paper; filter the frame to one of: {', '.join(map(repr, papers))}")
    return papers[0] if papers else None


def plot_retention_waterfall(data: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Authors at publication, minus departures per period, equals those remaining.

    Parameters
    ----------
    data : DataFrame
        :func:`analysis.metrics.waterfall_steps` for one paper.
    ax : matplotlib Axes, optional
        Axes to draw on; default: the current Axes.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.bar`.

    Returns
    -------
    Axes
        With one bar per step, each labelled with its count.
    """
    ax = _ax(ax)
    if data.empty:
        return ax
    paper = _one_paper(data, "plot_retention_waterfall")
    x = np.arange(len(data))
    kinds = data["kind"].tolist()
    colors = [_TOTAL if k in ("start", "end") else _GAIN if k == "returned" else _LOSS for k in kinds]
    hatches = ["//" if k in _WIDER else ".." if k == "possible" else "" for k in kinds]
    alphas = [1.0 if k in ("start", "end", "period", "returned") else 0.55 for k in kinds]
    heights = (data["top"] - data["bottom"]).to_numpy()
    bars = ax.bar(x, heights, bottom=data["bottom"], color=colors, edgecolor="white", linewidth=0.8, **kwargs)
    for bar, hatch, alpha in zip(bars, hatches, alphas):
        bar.set_hatch(hatch)
        bar.set_alpha(alpha)
    for xi, rec in zip(x, data.itertuples(index=False)):
        label = (f"{rec.value}" if rec.kind in ("start", "end") else f"+{rec.value}" if rec.value > 0
                 else f"−{-rec.value}")
        weight = "bold" if rec.kind in ("start", "end") else "normal"
        ax.annotate(label, (xi, rec.top), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=10, fontweight=weight)
    for prev, nxt in zip(range(len(data) - 1), range(1, len(data))):
        level = data["bottom"].iloc[prev] if kinds[prev] not in ("start",) else data["top"].iloc[prev]
        ax.plot([prev + 0.4, nxt - 0.4], [level, level], color="#888888", linewidth=0.8, linestyle=":")
    crowded = len(data) > _ROOMY_BARS
    ax.set_xticks(x, [_literal(s) for s in data["step"]])
    if crowded:  # slanted: long labels ("known only to a span") never run into their neighbours
        ax.tick_params(axis="x", labelrotation=35)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    ax.set_ylim(0, data["top"].max() * 1.15 + 0.5)
    ax.set_ylabel("authors")
    ax.set_title(_literal(f"Who is left: {paper}" if paper else "Who is left"), loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(facecolor=_LOSS, label="left in that period")]
    if any(k in _WIDER for k in kinds):
        handles.append(Patch(facecolor=_LOSS, alpha=0.55, hatch="//", label="left, date known only to a wider span"))
    if "returned" in kinds:
        handles.append(Patch(facecolor=_GAIN, label="came back"))
    if "possible" in kinds:
        handles.append(Patch(facecolor=_LOSS, alpha=0.55, hatch="..", label="may have left by the as-of date"))
    if crowded:  # beside the plot: with many bars, no corner of it is sure to be empty
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    else:
        ax.legend(handles=handles, loc="upper right", frameon=False, fontsize=9)
    return ax


def plot_destinations(data: pd.DataFrame, *, ax: Axes | None = None, palette: dict | None = None, **kwargs) -> Axes:
    """Horizontal bars: leavers per destination, coloured by type, founders marked.

    Parameters
    ----------
    data : DataFrame
        :func:`analysis.metrics.destinations` for one paper, most authors first.
    ax : matplotlib Axes, optional
        Axes to draw on; default: the current Axes.
    palette : dict, optional
        ``destination_type`` to colour; default :data:`TYPE_PALETTE`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh`.
    """
    ax = _ax(ax)
    if data.empty:
        return ax
    paper = _one_paper(data, "plot_destinations")
    palette = TYPE_PALETTE if palette is None else palette
    y = np.arange(len(data))
    colors = [palette.get(t, palette[UNSPECIFIED]) for t in data["destination_type"]]
    ax.barh(y, data["authors"], color=colors, **kwargs)
    for yi, rec in zip(y, data.itertuples(index=False)):
        label = f"{rec.authors}"
        if rec.founders:
            label += f"  ★ {rec.founders} founder{'s' if rec.founders != 1 else ''}"
        ax.annotate(label, (rec.authors, yi), xytext=(4, 0), textcoords="offset points", va="center", fontsize=10)
    ax.set_yticks(y, [_literal(d) for d in data["destination"]])
    ax.invert_yaxis()
    ax.set_xlim(0, data["authors"].max() * 1.45 + 0.5)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_xlabel("authors who left for it")
    ax.set_title(_literal(f"Where they went: {paper}" if paper else "Where they went"), loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    present = list(dict.fromkeys(data["destination_type"]))
    handles = [Patch(color=palette.get(t, palette[UNSPECIFIED]), label=TYPE_LABELS.get(t, t)) for t in present]
    where = dict(loc="lower right")
    if "organisations" in data and (data["organisations"] > 1).any():  # a pooled "Other" bar is the longest, at the bottom
        where = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.legend(handles=handles, frameon=False, fontsize=9, title="destination type", title_fontsize=9, **where)
    return ax


def timeline_figsize(data: pd.DataFrame, width: float = 9.0, max_rows: int = 60) -> tuple[float, float]:
    """A figure size fitting :func:`plot_departure_timeline` for ``data``."""
    rows = len(data) if len(data) <= max_rows else 10
    return width, max(3.0, 0.32 * rows + 1.8)


def plot_departure_timeline(data: pd.DataFrame, *, ax: Axes | None = None, max_rows: int = 60,
                            palette: dict | None = None, **kwargs) -> Axes:
    """One row per author, from joining to leaving (or to the as-of date).

    Exact days are drawn as a diamond; a date known only to an interval
    (a month, a year, a bounded span, unknown) as a hatched bar over that
    interval; a join known to an interval as a faint bar, one known only as
    "on or before" (or not at all) as a dotted lead-in; a return as presence
    again. Publication and as-of dates are marked. Above ``max_rows`` authors the chart switches
    to departures per month (:func:`analysis.metrics.departures_per_month`).

    Parameters
    ----------
    data : DataFrame
        :func:`analysis.metrics.timeline` for one paper.
    ax : matplotlib Axes, optional
        Axes to draw on; default: the current Axes.
    max_rows : int
        Largest cohort drawn one row per author.
    palette : dict, optional
        ``destination_type`` to colour; default :data:`TYPE_PALETTE`.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.barh` for the tenure bars
        (per-author view) or :meth:`matplotlib.axes.Axes.bar` (aggregated view).
    """
    ax = _ax(ax)
    if data.empty:
        return ax
    paper = _one_paper(data, "plot_departure_timeline")
    palette = TYPE_PALETTE if palette is None else palette
    published, as_of = data["published"].iloc[0], data["as_of"].iloc[0]
    if len(data) > max_rows:
        return _aggregated_timeline(data, ax, paper, published, as_of, **kwargs)

    known_joins = data["joined_end"].dropna()
    left_edge = min([published] + ([known_joins.min()] if len(known_joins) else []))
    span = as_of - left_edge
    xmin = left_edge - span * 0.04
    xmax = as_of + span * 0.30
    y = np.arange(len(data))
    d = mdates.date2num
    for yi, rec in zip(y, data.itertuples(index=False)):
        gone = rec.status != "stayed"
        start = rec.joined_end if pd.notna(rec.joined_end) else published
        if pd.notna(rec.joined_start) and rec.joined_kind != "day":  # join known to a closed interval
            ax.barh(yi, d(rec.joined_end) - d(rec.joined_start), left=d(rec.joined_start), height=0.5,
                    color=_FAINT, linewidth=0)
        elif pd.isna(rec.joined_start):  # join "on or before" joined_end, or unknown: dotted lead-in
            ax.plot([d(xmin), d(start)], [yi, yi], color=_PRESENT, linestyle=(0, (1, 2)), linewidth=1.2)
        end = rec.left_start if gone else as_of
        ax.barh(yi, d(end) - d(start), left=d(start), height=0.5, color=_PRESENT, linewidth=0, **kwargs)
        if gone:
            color = palette.get(rec.destination_type if isinstance(rec.destination_type, str) else UNSPECIFIED,
                                palette[UNSPECIFIED])
            if rec.left_kind == "day":
                ax.plot(d(rec.left_start), yi, marker="D", color=color, markersize=7, markeredgecolor="white")
            else:
                ls, le = rec.left_start, rec.left_end if pd.notna(rec.left_end) else as_of
                # an opaque light face: in SVG a hatch over a translucent face of its own colour
                # vanishes (the pattern takes the face's colour without its alpha)
                ax.barh(yi, max(d(le) - d(ls), 1), left=d(ls), height=0.62, facecolor=_light(color),
                        hatch="//", edgecolor=color, linewidth=0.6)
            if rec.status == "returned":  # back at the origin organisation: present again from the return
                back = rec.returned_start
                ax.barh(yi, d(as_of) - d(back), left=d(back), height=0.5, color=_PRESENT, linewidth=0, **kwargs)
            dest = _literal(rec.destination) + (" ★" if rec.founder is True else "")
            if rec.status == "returned":
                dest += ", then back"
            ax.annotate(dest, (d(as_of), yi), xytext=(6, 0), textcoords="offset points", va="center",
                        fontsize=8.5, color="#333333")
        else:
            ax.annotate("still there", (d(as_of), yi), xytext=(6, 0), textcoords="offset points", va="center",
                        fontsize=8.5, color="#777777", style="italic")
    _mark_dates(ax, published, as_of)
    ax.set_yticks(y, [_literal(a) for a in data["author"]])
    ax.set_ylim(len(data) - 0.5, -0.8)
    ax.set_xlim(d(xmin), d(xmax))
    step = max(1, int(np.ceil((as_of.year - xmin.year) / 12)))
    years = [y for y in pd.date_range(f"{xmin.year + 1}-01-01", as_of, freq="YS") if y.year % step == 0]
    ax.set_xticks(d(pd.DatetimeIndex(years)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(_literal(f"Departure timeline: {paper}" if paper else "Departure timeline"), loc="left", pad=18)
    types = [t for t in list(palette) if t in set(data["destination_type"].dropna())]
    handles = [
        Patch(color=_PRESENT, label="at the origin organisation"),
        Patch(color=_FAINT, label="joined within this span"),
        Line2D([], [], color=_PRESENT, linestyle=(0, (1, 2)), label="joined on or before / unknown"),
        Line2D([], [], marker="D", color="#555555", linestyle="", label="left: exact day"),
        Patch(facecolor=_light("#888888"), edgecolor="#888888", hatch="//", label="left: known to an interval"),
    ] + [Patch(color=palette[t], label=TYPE_LABELS.get(t, t)) for t in types]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3, frameon=False, fontsize=8)
    return ax


def _mark_dates(ax: Axes, published: pd.Timestamp, as_of: pd.Timestamp) -> None:
    """Vertical lines at publication and as-of, labelled above the plot, away from each other."""
    for when, label, style, align in ((published, "published", "--", "right"), (as_of, "as of", ":", "left")):
        ax.axvline(mdates.date2num(when), color="#222222", linestyle=style, linewidth=1)
        ax.annotate(f"{label} {when:%Y-%m-%d}", (mdates.date2num(when), 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 4), textcoords="offset points", ha=align, va="bottom", fontsize=8.5)


def _aggregated_timeline(data, ax, paper, published, as_of, **kwargs) -> Axes:
    monthly, wider = departures_per_month(data)
    if len(monthly):
        ax.bar(monthly["month"], monthly["departures"], width=25, align="edge", color=_LOSS, **kwargs)
    _mark_dates(ax, published, as_of)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.set_ylabel("departures per month")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(_literal(f"Departures per month: {paper}" if paper else "Departures per month"), loc="left", pad=18)
    if wider:  # below the axis, where no bar can be
        ax.annotate(f"{wider:,} departure{'s' if wider != 1 else ''} known only to a wider interval: not placed",
                    (1.0, 0.0), xycoords="axes fraction", xytext=(0, -30), textcoords="offset points",
                    ha="right", va="top", fontsize=9)
    return ax


def paper_colors(papers) -> dict[str, str]:
    """One colour per paper, in order (seaborn's "dark" palette), distinct from the type palette."""
    papers = list(dict.fromkeys(papers))
    return {paper: _DARK[i % len(_DARK)] for i, paper in enumerate(papers)}


def _share_over_years(ax: Axes, ylabel: str, title: str, extra: list) -> Axes:
    """Shared frame of the over-time charts: a 0-100% y axis, years since publication, legend."""
    ax.set_ylim(0, 1.05)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:.0%}"))
    ax.set_xlabel("years since publication")
    ax.set_ylabel(ylabel)
    ax.set_title(title, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + extra, loc="upper right", frameon=False, fontsize=9)
    return ax


def plot_retention_over_time(data: pd.DataFrame, *, ax: Axes | None = None, **kwargs) -> Axes:
    """Share of each paper's authors still at the origin organisation, by years since publication.

    Parameters
    ----------
    data : DataFrame
        :func:`analysis.survival.retention_curve`, one or several papers.
    ax : matplotlib Axes, optional
        Axes to draw on; default: the current Axes.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.step` for the upper bound line.

    Notes
    -----
    The line is the share possibly still there; the band below it reaches the share
    certainly still there: its width is the uncertainty of dates known only to intervals.
    """
    ax = _ax(ax)
    if data.empty:
        return ax
    colors = paper_colors(data["paper"])
    for paper, g in data.groupby("paper", sort=False):
        color = colors[paper]
        ax.step(g["years"], g["share_high"], where="post", color=color, linewidth=2, label=_literal(paper), **kwargs)
        ax.fill_between(g["years"], g["share_low"], g["share_high"], step="post", color=color, alpha=0.2, linewidth=0)
        last = g.iloc[-1]
        ax.annotate(f"{last['share_high']:.0%}", (last["years"], last["share_high"]), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9, color=color)
    return _share_over_years(ax, "authors still at the origin organisation", "Retention over time",
                             [Patch(facecolor="#888888", alpha=0.2, label="uncertain: date known only to an interval")])


def plot_survival(data: pd.DataFrame, *, medians: pd.DataFrame | None = None, ax: Axes | None = None,
                  **kwargs) -> Axes:
    """Kaplan-Meier survival in the origin organisation, with its bootstrap confidence band.

    Parameters
    ----------
    data : DataFrame
        :func:`analysis.survival.kaplan_meier`, one or several papers.
    medians : DataFrame, optional
        :func:`analysis.survival.median_time_to_departure`, marked on the curves.
    ax : matplotlib Axes, optional
        Axes to draw on; default: the current Axes.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.step` for the estimate.
    """
    ax = _ax(ax)
    if data.empty:
        return ax
    colors = paper_colors(data["paper"])
    for paper, g in data.groupby("paper", sort=False):
        color = colors[paper]
        ax.fill_between(g["years"], g["ci_low"], g["ci_high"], step="pre", color=color, alpha=0.12, linewidth=0)
        ax.fill_between(g["years"], g["survival_low"], g["survival_high"], step="pre", color=color, alpha=0.35,
                        linewidth=0)
        ax.step(g["years"], g["survival_high"], where="pre", color=color, linewidth=2, label=_literal(paper), **kwargs)
    if medians is not None:
        for rec in medians.itertuples(index=False):
            if pd.notna(rec.median_low):
                ax.plot([rec.median_low, rec.median_high], [0.5, 0.5], color=colors.get(rec.paper, "#333333"),
                        linewidth=5, solid_capstyle="butt", alpha=0.8)
    ax.axhline(0.5, color="#888888", linestyle=":", linewidth=1)
    return _share_over_years(ax, "estimated share not yet departed", "Time to departure (Kaplan–Meier)",
                             [Patch(facecolor="#888888", alpha=0.35, label="interval-censoring range"),
                              Patch(facecolor="#888888", alpha=0.12, label="95% bootstrap band")])
