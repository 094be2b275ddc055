"""Render the report: papermill executes, nbconvert writes HTML, Chromium prints the PDF.

Everything is written to a temporary folder beside the output folder and moved
into place only when every requested format succeeded: a failed render leaves
earlier outputs exactly as they were. This module imports neither pandas nor
matplotlib: the data is read once, in the notebook's kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .paths import DEFAULT_DATA, NOTEBOOKS_DIR, REPORT_NOTEBOOK, REPORTS_DIR, TEMPLATES_DIR

__all__ = ["FORMATS", "RenderError", "RenderResult", "render", "find_chromium", "default_out_dir"]

FORMATS = ("html", "pdf")
SUMMARY_MIME = "application/vnd.exodus.summary+json"  # analysis.notebook.SUMMARY_MIME, without importing pandas
USER_ERRORS = {"CohortError", "PaperNotFoundError", "AsOfError"}
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-quic",
    "--no-pdf-header-footer", "--hide-scrollbars",
)


class RenderError(RuntimeError):
    """A render failed; the message says what to do. Nothing was written."""


@dataclass
class RenderResult:
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    summary: dict | None = None


def default_out_dir(data: Path) -> Path:
    """``reports/<csv stem>/``."""
    return REPORTS_DIR / Path(data).stem


def find_chromium() -> str | None:
    """Path of a Chromium-family browser: ``$EXODUS_CHROMIUM``, else the first on PATH."""
    explicit = os.environ.get("EXODUS_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _execute(data: Path, papers: Sequence[str] | None, as_of: str | None, executed: Path) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    parameters = {"data_path": str(data), "papers": list(papers) if papers else None, "as_of": as_of or None}
    try:
        papermill.execute_notebook(
            str(REPORT_NOTEBOOK), str(executed), parameters=parameters, kernel_name="python3",
            progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR),
        )
    except PapermillExecutionError as err:
        if err.ename in USER_ERRORS:
            raise RenderError(err.evalue) from None
        raise RenderError(
            f"the report notebook failed in cell {err.exec_count}: {err.ename}: {err.evalue}. "
            f"Open {REPORT_NOTEBOOK.relative_to(REPORT_NOTEBOOK.parents[1])} in Jupyter with the same parameters "
            "to see the full traceback."
        ) from None


def _normalise(nb) -> None:
    """Strip what varies between identical runs: ids, timings, kernel and papermill metadata."""
    nb.metadata.pop("papermill", None)
    nb.metadata.get("language_info", {}).pop("version", None)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.get("cell_type") == "code":
            cell["execution_count"] = None
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = None


def _summary_of(nb) -> dict:
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if SUMMARY_MIME in data:
                value = data[SUMMARY_MIME]
                return json.loads(value) if isinstance(value, str) else dict(value)
    raise RenderError("the report notebook emitted no summary; is notebooks/report.ipynb complete?")


def _write_html(nb, target: Path) -> None:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config, template_name="exodus", extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    target.write_text(body, encoding="utf-8")


def _print_pdf(chromium: str, html: Path, pdf: Path, work: Path) -> None:
    profile = work / "chromium-profile"
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", html.as_uri()]
    try:
        done = subprocess.run(command, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Chromium ({chromium}) did not print the PDF within 120 s") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if done.returncode != 0 or not pdf.exists() or not pdf.read_bytes()[:5] == b"%PDF-":
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-3:]
        raise RenderError(f"Chromium ({chromium}) failed to print the PDF (exit {done.returncode}): " + " | ".join(tail))


def _place(staged: list[Path], out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    placed = []
    for path in staged:
        target = out_dir / path.name
        os.replace(path, target)
        placed.append(target)
    return placed


def render(
    data: str | Path | None = None,
    papers: Sequence[str] | None = None,
    as_of: str | None = None,
    out_dir: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
    progress: Callable[[str], None] | None = None,
) -> RenderResult:
    """Render the report for ``data`` into ``out_dir``; see ``python -m analysis render --help``.

    Writes ``report.html`` (self-contained), ``report.pdf`` when asked, and
    ``summary.json``, all or nothing. Raises :class:`RenderError` with a
    message a user can act on.
    """
    say = progress or (lambda message: None)
    started = time.perf_counter()
    data = Path(data) if data else DEFAULT_DATA
    if not data.is_file():
        raise RenderError(f"{data}: no such file; pass --data with the path of a cohort CSV")
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise RenderError(f"unknown format(s) {', '.join(unknown) or '(none)'}; choose from: {', '.join(FORMATS)}")
    chromium = None
    if "pdf" in formats:
        chromium = find_chromium()
        if chromium is None:
            raise RenderError(
                "the PDF needs Chromium, which is not installed: run `make setup` (or `apt-get install chromium`), "
                "set EXODUS_CHROMIUM to a Chromium-family browser, or pass --formats html to render only the HTML"
            )
    out_dir = Path(out_dir) if out_dir else default_out_dir(data)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    result = RenderResult(out_dir=out_dir)

    import nbformat

    with tempfile.TemporaryDirectory(prefix=f".{out_dir.name}.", dir=out_dir.parent) as tmp:
        work = Path(tmp)
        executed = work / "executed.ipynb"
        stage = time.perf_counter()
        say(f"executing the report notebook on {data.name} (papermill)")
        _execute(data.resolve(), papers, as_of, executed)
        result.stages["execute"] = time.perf_counter() - stage

        nb = nbformat.read(executed, as_version=4)
        _normalise(nb)
        result.summary = _summary_of(nb)
        staged = []
        stage = time.perf_counter()
        say("writing report.html (nbconvert)")
        html = work / "report.html"
        _write_html(nb, html)
        result.stages["html"] = time.perf_counter() - stage
        if "html" in formats:
            staged.append(html)
        if "pdf" in formats:
            stage = time.perf_counter()
            say("printing report.pdf (Chromium)")
            pdf = work / "report.pdf"
            _print_pdf(chromium, html, pdf, work)
            staged.append(pdf)
            result.stages["pdf"] = time.perf_counter() - stage
        summary = work / "summary.json"
        summary.write_text(json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        staged.append(summary)
        result.files = _place(staged, out_dir)
    result.seconds = time.perf_counter() - started
    return result
