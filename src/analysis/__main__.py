"""Command line: ``python -m analysis render [--data CSV] [--paper NAME] [--as-of DATE] [--out DIR] [--formats html,pdf] [--paper-size A4|letter]``."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from .dates import day_error
from .render import FORMATS, RenderError, RenderInterrupted, default_out_dir, render
from .paths import DEFAULT_DATA
from .pdf import PAPER_FORMATS


def _day(text: str) -> str:
    """A day as the data writes one (the one rule, :func:`analysis.dates.day_error`): no ISO week
    or ordinal dates, which Python's ``date.fromisoformat`` would take."""
    if text != text.strip() or day_error(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a day; expected YYYY-MM-DD, e.g. 2025-05-26")
    return date.fromisoformat(text).isoformat()


def _formats(text: str) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"{text!r}: choose one or more of {', '.join(FORMATS)}, comma-separated (e.g. html,pdf)")
    return chosen


def _paper_size(text: str) -> str:
    sizes = {name.lower(): name for name in PAPER_FORMATS}
    if text.strip().lower() not in sizes:
        raise argparse.ArgumentTypeError(f"{text!r}: choose A4 or letter")
    return sizes[text.strip().lower()]


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description="exodus: where a paper's authors went.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    r = commands.add_parser("render", help="render the report to HTML, PDF and summary.json",
                            description="Execute the report notebook on a cohort CSV and write report.html, "
                                        "report.pdf and summary.json, all or nothing.")
    r.add_argument("--data", type=Path, default=None, metavar="CSV",
                   help=f"cohort CSV following the data contract (default: {DEFAULT_DATA.relative_to(DEFAULT_DATA.parents[1])})")
    r.add_argument("--paper", action="append", default=None, metavar="NAME",
                   help="paper to report, as named in the CSV's 'paper' column; repeat for several (default: all)")
    r.add_argument("--as-of", type=_day, default=None, metavar="DATE",
                   help="report the status as of this day, YYYY-MM-DD (default: the latest 'verified' date)")
    r.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="output folder (default: reports/<csv stem>/)")
    r.add_argument("--claims", default=None, metavar="CSV",
                   help="claims CSV to check against the data (default: claims.csv beside the data CSV, when it "
                        "exists, e.g. data/claims.csv); 'none' for no claims section")
    r.add_argument("--paper-size", type=_paper_size, default="A4", metavar="SIZE",
                   help="page size of the PDF (and of the HTML when printed): A4 or letter (default: A4)")
    r.add_argument("--formats", type=_formats, default=list(FORMATS), metavar="LIST",
                   help="comma-separated: html, pdf (default: html,pdf); summary.json is always written")
    return parser


def _warnings(summary: dict | None) -> list[str]:
    """The report's plausibility warnings as lines for the terminal."""
    lines = []
    for w in (summary or {}).get("warnings", []):
        where = f", line {w['line']} ({w['author']}), column '{w['column']}': {w['value']!r}" if w.get("line") else ""
        lines.append(f"exodus: warning: {w['paper']}{where} {w['message']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    data = args.data or DEFAULT_DATA
    out = args.out or default_out_dir(data)

    def say(message: str) -> None:
        print(f"exodus: {message}", file=sys.stderr, flush=True)

    try:
        result = render(data, args.paper, args.as_of, out, args.formats, progress=say, claims=args.claims,
                        paper_size=args.paper_size)
    except RenderInterrupted as err:
        print(f"exodus: {err}: stopped. Nothing was written; {out} is as it was.", file=sys.stderr)
        return 128 + err.signum
    except RenderError as err:
        print(f"exodus: error: {err}\nNothing was written; {out} is as it was.", file=sys.stderr)
        return 1
    for line in _warnings(result.summary):
        print(line, file=sys.stderr)
    print(f"wrote {len(result.files)} files to {result.out_dir} in {result.seconds:.1f} s:")
    for path in result.files:
        print(f"  {path.name:<14} {_size(path):>11}")
    return 0


def run() -> None:
    """Entry point: exit with :func:`main`'s code. The render has shut down its kernel, browser and
    threads by then; ``os._exit`` keeps a library's lingering thread from changing the exit code."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
