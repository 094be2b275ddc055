"""The floor for the render benchmark: a plain script that loads a cohort and draws the
report's three charts to SVG files, with no notebook, kernel, nbconvert or browser.

    .venv/bin/python benchmarks/floor_charts.py CSV OUT_DIR
"""

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis import charts, load_cohort, metrics

cohort = load_cohort(sys.argv[1])
out = Path(sys.argv[2])
as_of = metrics.default_as_of(cohort)
for number, (_, part) in enumerate(cohort.groupby("paper", sort=False)):
    for name, draw, data in (
        ("waterfall", charts.plot_retention_waterfall, metrics.waterfall_steps(part, as_of)),
        ("destinations", charts.plot_destinations, metrics.destinations(part, as_of, top=12)),
        ("timeline", charts.plot_departure_timeline, metrics.timeline(part, as_of)),
    ):
        fig, ax = plt.subplots()
        draw(data, ax=ax)
        fig.savefig(out / f"{name}-{number}.svg")
        plt.close(fig)
