"""Write notebooks/report.ipynb from this script (stable cell ids, no outputs).

The notebook is committed; this script is how it is (re)generated, so a diff of
the notebook is a diff of this file.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    ("md", "title", """# Where did the authors go?

A short, reproducible report on what happened to a research paper's authors after it was published:
who is still at the organisation that wrote it, who left, when, and where they went. Every figure
below is computed from the cohort CSV by the tested `analysis` package."""),
    ("code", "parameters", """# Parameters (papermill injects overrides after this cell)
data_path: "Optional[str]" = None  # cohort CSV following the data contract; None: the shipped data/authors.csv
papers: "Optional[list[str]]" = None  # paper(s) to report, a name or a list; None: every paper in the CSV
as_of: "Optional[str]" = None  # status date, YYYY-MM-DD; None: each paper's latest `verified` date, else today
claims_path: "Optional[str]" = None  # claims CSV to check; None: claims.csv beside the data if it exists; "none": no claims""", ["parameters"]),
    ("code", "load", """from pathlib import Path

from analysis import claims, load_cohort, metrics, notebook, tables
from analysis.cohort import select_papers
from analysis.paths import DEFAULT_DATA

notebook.setup()
source = Path(data_path or DEFAULT_DATA)
data_name = source.name  # the report names the file, never its full path
everyone = load_cohort(source)
cohort = select_papers(everyone, papers)
as_of_day = metrics.as_of_by_paper(cohort, as_of)
claims_file = claims.find_claims(source, claims_path)"""),
    ("code", "warnings", "tables.warnings_html(cohort, as_of_day)"),
    ("code", "headline", "tables.headline_html(cohort, as_of_day)"),
    ("code", "claims", "checked = notebook.show_claims(everyone, cohort, claims_file)"),
    ("md", "who-is-left", """## Who is left

The retention waterfall starts from every author at publication, takes away the departures period
by period, and ends with those still at the organisation on the as-of date. A departure whose date
is known only to a span longer than one period gets its own bar, named for that span."""),
    ("code", "waterfall", "_ = notebook.show_waterfall(cohort, as_of_day)"),
    ("md", "where", """## Where they went

Each bar is an organisation the leavers joined, coloured by its type; a star marks founders."""),
    ("code", "destinations", "_ = notebook.show_destinations(cohort, as_of_day)"),
    ("md", "when", """## When they left

One row per author. Public dates are often vague: a month, a year, or only "between two events".
The chart draws each date as the interval its sources allow, never as a guessed point."""),
    ("code", "timeline", "_ = notebook.show_timeline(cohort, as_of_day)"),
    ("md", "over-time", """## Retention over time

The share of each paper's authors still at the organisation that wrote it, from publication to the as-of
date. Where a departure is known only to an interval, the band shows how much that leaves open."""),
    ("code", "retention-curve", "_ = notebook.show_retention_over_time(cohort, as_of_day)"),
    ("md", "survival", """## How fast did they leave?

A survival estimate treats the cohort like a clinical trial: how long until an author leaves, counting those
still there as "not yet". It is fitted to the intervals the sources give, never to guessed dates."""),
    ("code", "kaplan-meier", "medians = notebook.show_survival(cohort, as_of_day)"),
    ("code", "comparison", "_ = notebook.show_comparison(cohort, as_of_day, medians)"),
    ("md", "authors", """## Author by author"""),
    ("code", "author-table", "tables.author_table_html(cohort, as_of_day)"),
    ("md", "methods", """## Methods and caveats

Each row of the data cites public sources (numbered in the table above, listed under Sources below). Dates are kept exactly as precise as the
sources make them: a day, a month, a year, or an interval such as "on or before 2023-11-17". Each
becomes its earliest and latest possible day; the report counts a departure by a date only when its
latest possible day has passed, and tenure is shown as a range, or as a floor (≥) when only an
"on or before" join date is public. Unknown values stay unknown and are listed here."""),
    ("code", "caveats", "tables.caveats_html(cohort, as_of_day, data_name)"),
    ("code", "sources", "tables.sources_html(cohort, checked)"),
    ("code", "summary", "_ = notebook.emit_summary(cohort, as_of_day, data_name, medians=medians, checked=checked)", ["remove_cell"]),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "title": "Where did the authors go?",
    }
    for kind, cell_id, source, *tags in CELLS:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        cell.id = cell_id
        if tags:
            cell.metadata["tags"] = tags[0]
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "notebooks" / "report.ipynb"
    nbformat.write(build(), out)
    print(f"wrote {out}")
