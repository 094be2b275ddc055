"""Benchmark: load_cohort on a generated cohort of N rows (default 1,000,000) vs a bare pyarrow read.

    .venv/bin/python benchmarks/bench_load.py [--rows N] [--repeat K] [--report reports/bench_load.md]

Generates a contract-valid, realistic CSV (``benchmarks/cohorts.py``: many
papers, every date form, many distinct values) in a temporary folder, then
times, alternately and K times each, ``load_cohort`` (read + validate + type)
and a bare ``pyarrow.csv.read_csv`` of the same file, and prints the medians
and their ratio (target: load_cohort within 2x the bare read). The table also
goes to ``--report``; nothing else is written.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pa_csv

from analysis import load_cohort
from analysis.paths import PROJ_ROOT
from cohorts import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", type=Path, default=PROJ_ROOT / "reports" / "bench_load.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cohort.csv"
        generate(args.rows).to_csv(path, index=False)
        size = path.stat().st_size / 1024 / 1024
        ours, bare = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            cohort = load_cohort(path)
            ours.append(time.perf_counter() - start)
            del cohort
            start = time.perf_counter()
            table = pa_csv.read_csv(path)
            bare.append(time.perf_counter() - start)
            assert table.num_rows == args.rows
            del table
    mine, floor = statistics.median(ours), statistics.median(bare)
    text = (f"load_cohort: {args.rows:,} rows ({size:.0f} MiB), median of {args.repeat} runs\n\n"
            f"| what | best s | median s |\n|---|---|---|\n"
            f"| load_cohort (read + validate + type) | {min(ours):.2f} | {mine:.2f} |\n"
            f"| bare pyarrow.csv.read_csv | {min(bare):.2f} | {floor:.2f} |\n\n"
            f"- load_cohort / bare read: {mine / floor:.2f}x (target <= 2.0x)\n")
    print(text)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(f"(also written to {args.report})")


if __name__ == "__main__":
    main()
