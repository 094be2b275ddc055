"""A contract-valid cohort of any size, seeded: ``large_cohort_csv(path, n=2000)``.

    .venv/bin/python tests/data/make_large.py 2000 /tmp/large.csv

One paper, authors with day, month, year and interval departures, returns, founders,
unknown destinations and stayers: every branch the report's words take, at scale.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from analysis.contract import COLUMNS

PAPER = "Large (2019)"
ORGS = [("Mistral AI", "startup"), ("Anthropic", "startup"), ("Google DeepMind", "big_tech"),
        ("OpenAI", "startup"), ("MIT", "academia"), ("FAIR Paris", "research_lab"), ("ETH Zürich", "academia"), ("Cohere", "startup"),
        ("Microsoft", "big_tech"), ("Meta", "big_tech"), ("Character.AI", "startup")]


def rows(n: int, seed: int = 7):
    rng = random.Random(seed)
    for i in range(n):
        year = rng.randint(2019, 2024)
        month = rng.randint(1, 12)
        kind = rng.random()
        if kind < 0.35:
            left = ""
        elif kind < 0.55:
            left = f"{year}-{month:02d}-{rng.randint(1, 28):02d}"
        elif kind < 0.75:
            left = f"{year}-{month:02d}"
        elif kind < 0.9:
            left = f"{year}"
        else:
            left = f"{year}-{month:02d}/{min(year + 1, 2024)}-12"
        org, kind_of = rng.choice(ORGS) if rng.random() < 0.9 else ("Unknown", "")
        if org == "Unknown":
            kind_of = ""
        if len(ORGS) and rng.random() < 0.3:  # a long tail of one-author destinations
            org, kind_of = f"Startup {i}", "startup"
        returned = f"{min(year + 1, 2025)}-06" if left and left[:4] < "2024" and rng.random() < 0.03 else ""
        yield {
            "paper": PAPER, "published": "2019-06-01", "author": f"Author {i:05d}", "origin_org": "Google",
            "joined": f"{rng.randint(2010, 2019)}" if rng.random() < 0.8 else "",
            "left": left, "returned": returned,
            "destination": org if left else "", "destination_type": kind_of if left and org != "Unknown" else "",
            "founder": ("true" if rng.random() < 0.05 else "false") if left else "",
            "role": "Researcher" if left and rng.random() < 0.5 else "", "country": "",
            "verified": "2025-01-31",
            "source": f"https://example.org/large/{i} https://news.example.com/a{i % 97}",
            "tenure_stated": "", "notes": "",
        }


def large_cohort_csv(path: str | Path, n: int = 2000, seed: int = 7) -> Path:
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows(n, seed))
    return path


if __name__ == "__main__":
    print(large_cohort_csv(sys.argv[2] if len(sys.argv) > 2 else "large.csv", int(sys.argv[1]) if len(sys.argv) > 1 else 2000))
