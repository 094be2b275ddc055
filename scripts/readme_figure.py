"""Draw docs/charts.png, the README's picture of the three charts, from the shipped data.

    .venv/bin/python scripts/readme_figure.py
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis import charts, load_cohort, metrics, notebook
from analysis.paths import DEFAULT_DATA, PROJ_ROOT


def main() -> Path:
    cohort = load_cohort(DEFAULT_DATA)
    cohort = cohort[cohort["paper"] == cohort["paper"].iloc[0]]
    as_of = metrics.default_as_of(cohort)
    with matplotlib.rc_context(notebook.REPORT_RC | {"svg.fonttype": "path"}):
        fig = plt.figure(figsize=(15, 9.5), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[1, 1.35])
        left, right = top.subplots(1, 2)
        charts.plot_retention_waterfall(metrics.waterfall_steps(cohort, as_of), ax=left)
        charts.plot_destinations(metrics.destinations(cohort, as_of), ax=right)
        charts.plot_departure_timeline(metrics.timeline(cohort, as_of), ax=bottom.subplots())
        out = PROJ_ROOT / "docs" / "charts.png"
        fig.savefig(out, dpi=80, metadata={"Software": None})
    return out


if __name__ == "__main__":
    print(f"wrote {main()}")
