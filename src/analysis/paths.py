"""Where things live: the one place that knows the project's folders."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJ_ROOT", "DATA_DIR", "DEFAULT_DATA", "NOTEBOOKS_DIR", "REPORT_NOTEBOOK", "REPORTS_DIR", "TEMPLATES_DIR"]

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
DEFAULT_DATA = DATA_DIR / "authors.csv"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORT_NOTEBOOK = NOTEBOOKS_DIR / "report.ipynb"
REPORTS_DIR = PROJ_ROOT / "reports"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
