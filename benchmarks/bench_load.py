"""Benchmark: load_cohort on a generated cohort of N rows (default 1,000,000) vs a bare pyarrow read.

    .venv/bin/python benchmarks/bench_load.py [--rows N] [--repeat K] [--report reports/bench_load.md]

Generates a contract-valid, realistic CSV (``benchmarks/cohorts.py``: many
papers, every date form, many distinct values) in a temporary folder, then
times, alternately and K times each, ``load_cohort`` (read + validate + type)
and a bare ``pyarrow.csv.read_csv`` of the same file, and prints the medians
and their ratio (target: load_cohort within 2x the bare read). Two more rows
show where the ratio goes: the same file read with pyarrow as text (every
field a string, nothing checked or typed; what a loader that checks values as
written reads first), and that read plus the least work any full check of the
contract has to do before it decides a single rule: trim every field, find the
distinct values of each column with a rule (pyarrow's dictionary encoding),
and match the sources against the plain-URL pattern. The table also goes to
``--report``; nothing else is written.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analysis import load_cohort
from analysis.cohort import _CELL_RULES, _PLAIN_SOURCES
from analysis.paths import PROJ_ROOT
from cohorts import generate


def read_as_text(path: Path):
    """The file's bytes read, then parsed by pyarrow with every field a string, as ``load_cohort``
    reads it (no trimming, no check, no typing)."""
    data = path.read_bytes()
    names = data[: data.find(b"\n")].decode("utf-8").split(",")
    return pa_csv.read_csv(
        pa.BufferReader(data),
        read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                              strings_can_be_null=False, quoted_strings_can_be_null=False,
                                              null_values=[]),
    )


def least_check(path: Path) -> None:
    """What any check of every value as written does before deciding a rule: the text read,
    every field trimmed, the distinct values of each column with a rule, the sources matched
    against the plain-URL pattern (on two threads, as ``load_cohort`` trims)."""
    from concurrent.futures import ThreadPoolExecutor

    table = read_as_text(path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        trimmed = dict(zip(table.column_names, pool.map(pc.utf8_trim_whitespace, table.columns)))
    for name in _CELL_RULES:
        if name == "source":
            pc.match_substring_regex(trimmed[name], _PLAIN_SOURCES)
        else:
            pc.dictionary_encode(trimmed[name])


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
        ours, bare, text_only, least = [], [], [], []
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
            start = time.perf_counter()
            table = read_as_text(path)
            text_only.append(time.perf_counter() - start)
            del table
            start = time.perf_counter()
            least_check(path)
            least.append(time.perf_counter() - start)
    mine, floor, text = statistics.median(ours), statistics.median(bare), statistics.median(text_only)
    bound = statistics.median(least)
    text = (f"load_cohort: {args.rows:,} rows ({size:.0f} MiB), median of {args.repeat} runs\n\n"
            f"| what | best s | median s |\n|---|---|---|\n"
            f"| load_cohort (read + validate + type) | {min(ours):.2f} | {mine:.2f} |\n"
            f"| bare pyarrow.csv.read_csv | {min(bare):.2f} | {floor:.2f} |\n"
            f"| pyarrow read as text (file bytes, every field a string) | {min(text_only):.2f} | {text:.2f} |\n"
            f"| read as text + trim + distinct values of the ruled columns + source pattern | {min(least):.2f} | "
            f"{bound:.2f} |\n\n"
            f"- load_cohort / bare read: {mine / floor:.2f}x (target <= 2.0x)\n"
            f"- read as text / bare read: {text / floor:.2f}x, before any check\n"
            f"- read, trim, distinct values, source pattern / bare read: {bound / floor:.2f}x, before any rule is "
            f"decided, any date parsed or any column typed\n")
    print(text)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text, encoding="utf-8")
    print(f"(also written to {args.report})")


if __name__ == "__main__":
    main()
