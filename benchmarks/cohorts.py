"""Generated, contract-valid cohorts for the benchmarks (made-up names, example.org sources)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cohort import COLUMNS


def generate(rows: int, papers: int | None = None, seed: int = 0) -> pd.DataFrame:
    """``rows`` authors over ``papers`` papers (default: one per 10 rows), every date form used."""
    rng = np.random.default_rng(seed)
    papers = papers or rows // 10 + 1
    paper = rng.integers(0, papers, rows)
    year = 2015 + rng.integers(0, 8, rows)
    left_forms = np.array(["", "2023", "2023-06", "2024-02-29", "2023-02-27/2024-05", "../2025-01", "unknown",
                           "2023-09-14", "2024-11"])
    left = left_forms[rng.integers(0, len(left_forms), rows)]
    dest = "Dest " + pd.Series(rng.integers(0, 40, rows)).astype(str)
    frame = pd.DataFrame({
        "paper": pd.Series(paper).map(lambda p: f"Paper {p} (2023)"),
        "published": "2022-12-01",
        "author": [f"Author {i}" for i in range(rows)],
        "origin_org": "Org",
        "joined": year.astype(str),
        "left": left,
        "returned": "",
        "tenure_stated": "",
        "destination": np.where(left == "", "", dest),
        "destination_type": np.where(left == "", "", np.array(["startup", "big_tech", "academia"])[rng.integers(0, 3, rows)]),
        "founder": np.where(left == "", "", "false"),
        "role": "",
        "country": "",
        "verified": "2025-05-26",
        "source": "https://example.org/p/" + pd.Series(paper).astype(str),
        "notes": "",
    })
    return frame[COLUMNS]
