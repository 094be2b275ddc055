"""Benchmark: load_cohort on a generated cohort of N rows (default 1,000,000).

    .venv/bin/python benchmarks/bench_load.py [--rows N] [--repeat K]

Generates a contract-valid CSV (many papers, every date form) in a temporary
folder, then times load_cohort (read + validate + type) K times and prints the
best and median seconds. Nothing in the repository is written.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from analysis import load_cohort
from cohorts import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "cohort.csv"
        generate(args.rows).to_csv(path, index=False)
        size = path.stat().st_size / 1024 / 1024
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            cohort = load_cohort(path)
            times.append(time.perf_counter() - start)
        assert len(cohort) == args.rows
    print(f"load_cohort: {args.rows:,} rows ({size:.0f} MiB): best {min(times):.2f} s, "
          f"median {statistics.median(times):.2f} s over {args.repeat} runs")


if __name__ == "__main__":
    main()
