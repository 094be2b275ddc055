"""Benchmark the render: the shipped cohort and a generated 5,000-author cohort.

    .venv/bin/python benchmarks/bench_render.py [--repeat K]

Prints, for each cohort, the median wall time of the whole command
(`python -m analysis render`, HTML + PDF) and of its stages (load, execute,
HTML, PDF, measured in-process), and the floor: a plain script drawing the same
three charts (benchmarks/floor_charts.py). Targets (issue 5): the shipped render
within 2.5x the floor; the 5,000-author render within 1.3x the shipped one.
Nothing in the repository is written.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis import load_cohort
from analysis.paths import DEFAULT_DATA
from analysis.render import render
from cohorts import generate

HERE = Path(__file__).resolve().parent


def wall(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(data: Path, out: Path, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        load_cohort(data)
        load = time.perf_counter() - start
        result = render(data, out_dir=out)
        runs.append({"load": load, **result.stages})
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        big = tmp / "cohort5000.csv"
        generate(5000, papers=1).to_csv(big, index=False)
        rows = []
        for label, data in (("shipped (14 authors)", DEFAULT_DATA), ("generated (5,000 authors)", big)):
            floor = wall([py, str(HERE / "floor_charts.py"), str(data), str(tmp)], args.repeat)
            whole = wall([py, "-m", "analysis", "render", "--data", str(data), "--out", str(tmp / "out")], args.repeat)
            parts = stages(data, tmp / "out", args.repeat)
            rows.append((label, floor, whole, parts))
    print(f"median of {args.repeat} runs, seconds")
    print(f"{'cohort':<27}{'floor':>7}{'render':>8}{'load':>7}{'execute':>9}{'html':>7}{'pdf':>7}")
    for label, floor, whole, p in rows:
        print(f"{label:<27}{floor:>7.2f}{whole:>8.2f}{p['load']:>7.2f}{p['execute']:>9.2f}{p['html']:>7.2f}{p['pdf']:>7.2f}")
    (_, floor, small, _), (_, _, large, _) = rows
    print(f"shipped render / floor: {small / floor:.2f}x (target <= 2.5x)")
    print(f"5,000-author render / shipped render: {large / small:.2f}x (target <= 1.3x)")


if __name__ == "__main__":
    main()
