"""Shared fixtures: tiny cohort CSVs written on demand, figures closed after each test."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis.cohort import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "authors.csv"

BASE_ROW = {
    "paper": "P (2020)",
    "published": "2020-01-15",
    "author": "A",
    "origin_org": "Org",
    "verified": "2024-06-30",
    "source": "https://example.org/a",
}


def csv_text(rows: list[dict], columns: list[str] = COLUMNS) -> str:
    """A contract CSV holding ``rows`` (each completed from BASE_ROW)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({**BASE_ROW, **row})
    return out.getvalue()


@pytest.fixture
def write_csv(tmp_path):
    """Write text (or bytes, or rows) to a CSV in tmp_path and return its path."""

    def write(content, name: str = "cohort.csv") -> Path:
        path = tmp_path / name
        if isinstance(content, list):
            content = csv_text(content)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


TINY_ROWS = [
    # year-only departure, founder
    {"author": "A", "joined": "2015", "left": "2021", "destination": "X", "destination_type": "startup", "founder": "true"},
    # exact day
    {"author": "B", "joined": "2018-03", "left": "2022-05-10", "destination": "X", "destination_type": "startup"},
    # unknown join, unknown departure date, unknown destination
    {"author": "C", "left": "unknown", "destination": "Unknown"},
    # stayer
    {"author": "D", "joined": "2016"},
    # departure before publication
    {"author": "E", "joined": "2010", "left": "2019-06", "destination": "Y", "destination_type": "academia"},
]


@pytest.fixture
def tiny(write_csv):
    """Five authors of paper 'P (2020)', published 2020-01-15, verified 2024-06-30."""
    from analysis import load_cohort

    return load_cohort(write_csv(TINY_ROWS, "tiny.csv"))


@pytest.fixture
def all_stayed(write_csv):
    from analysis import load_cohort

    return load_cohort(write_csv([{"author": "F", "joined": "2019"}, {"author": "G"}], "stayed.csv"))


@pytest.fixture(scope="session")
def shipped_report(tmp_path_factory):
    """The shipped report, rendered once per test session (HTML + PDF): (folder, completed process).

    Tests only read it; the render tests, the print checks and the browser test share it."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("shipped-report")
    done = subprocess.run([sys.executable, "-m", "analysis", "render", "--out", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr
    return out, done
