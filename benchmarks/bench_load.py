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

import numpy as np
import pandas as pd

from analysis import load_cohort
from analysis.cohort import COLUMNS


def generate(rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    papers = rows // 10 + 1
    paper = rng.integers(0, papers, rows)
    year = 2015 + rng.integers(0, 8, rows)
    left_forms = np.array(["", "2023", "2023-06", "2024-02-29", "2023-02-27/2024-05", "../2025-01", "unknown"])
    left = left_forms[rng.integers(0, len(left_forms), rows)]
    frame = pd.DataFrame({
        "paper": pd.Series(paper).map(lambda p: f"Paper {p}"),
        "published": "2022-12-01",
        "author": [f"Author {i}" for i in range(rows)],
        "origin_org": "Org",
        "joined": year.astype(str),
        "left": left,
        "destination": np.where(left == "", "", "Dest " + pd.Series(rng.integers(0, 50, rows)).astype(str)),
        "destination_type": np.where(left == "", "", np.array(["startup", "big_tech", "academia"])[rng.integers(0, 3, rows)]),
        "founder": np.where(left == "", "", "false"),
        "role": "",
        "country": "",
        "verified": "2025-05-26",
        "source": "https://example.org/p/" + pd.Series(paper).astype(str),
        "notes": "",
    })
    return frame[COLUMNS]


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
