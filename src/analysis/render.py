"""Render the report: papermill executes, nbconvert writes HTML, Chromium prints the PDF.

The order of a render, top to bottom in :func:`render`:

1. check everything a user passes, in plain Python, before anything heavy
   starts: the formats, the output folder, the as-of day, and the whole CSV
   (:func:`analysis.contract.check_csv`; the rows of a CSV over
   :data:`CHECK_WHILE_KERNEL_STARTS` with a valid header are checked while
   the kernel starts, and a failed check stops it);
2. start the kernel (it imports the package while papermill loads) and
   Chromium (it is ready when the HTML is);
3. execute the notebook in a worker thread, so that the main thread keeps
   SIGINT and SIGTERM: either stops the render within seconds; each section
   of the report says when it starts, one ``progress`` line (no ``\r``:
   readable in CI logs);
4. write the HTML, print the PDF, write ``summary.json``, all into a
   temporary folder beside the output folder;
5. move the files into place and remove outputs of earlier renders that this
   one did not make, with SIGINT and SIGTERM held off for those few
   milliseconds: the folder holds exactly one render's files.

A failed or interrupted render leaves earlier outputs exactly as they were and
no temporary folder. This module imports neither pandas nor matplotlib: the
data is read once, in the notebook's kernel.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import SUMMARY_MIME, contract
from .dates import day_error
from .pdf import PAPER_FORMATS
from .paths import DEFAULT_DATA, NOTEBOOKS_DIR, REPORT_NOTEBOOK, REPORTS_DIR, TEMPLATES_DIR

__all__ = ["FORMATS", "OUTPUTS", "RenderError", "RenderInterrupted", "RenderResult", "render", "find_chromium",
           "default_out_dir", "report_title"]

FORMATS = ("html", "pdf")
OUTPUTS = ("report.html", "report.pdf", "summary.json")
"""Every file a render may write; a render removes those of earlier renders it did not make."""
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-quic",
)
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RenderError(RuntimeError):
    """A render failed; the message says what to do. Nothing was written."""


class RenderInterrupted(RenderError):
    """SIGINT or SIGTERM stopped the render; ``signum`` says which. Nothing was written."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


class _Stop(KeyboardInterrupt):
    """Raised in the main thread by SIGINT or SIGTERM (a KeyboardInterrupt, so no library swallows it)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_stop(signum, frame) -> None:
    raise _Stop(signum)


@contextmanager
def _on_stop_signals(handler) -> Iterator[None]:
    """SIGINT and SIGTERM go to ``handler`` inside the block (main thread only; restored after)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    try:
        yield
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def _stoppable():
    """SIGINT and SIGTERM raise :class:`_Stop` in the main thread while the render runs."""
    return _on_stop_signals(_raise_stop)


def _held_off():
    """SIGINT and SIGTERM ignored for a few milliseconds: what runs inside is not cut in half."""
    return _on_stop_signals(signal.SIG_IGN)


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


WARM_UP = "import analysis.notebook, scipy.sparse, scipy.optimize"
CHECK_WHILE_KERNEL_STARTS = 1 << 20
"""CSV files larger than this (1 MiB, about 7,000 authors) are checked while the kernel starts:
the plain-Python check then takes longer than the kernel's start (1.4 s at 50,000 authors). A
smaller file is checked before anything starts (a bad one is rejected in a fraction of a second);
either way a failed check writes nothing."""


class _Kernel:
    """The notebook's kernel, started first and warmed up while this process prepares.

    A thread waits for the kernel and asks it to import the package (pandas,
    pandera, matplotlib, pyarrow, and the scipy parts of the NPMLE) while the main thread imports papermill and
    reads the notebook; papermill's requests queue behind that import and then
    run the cells on this kernel. The kernel talks over IPC sockets in a
    private folder (no TCP port, hence no unencrypted-TCP warning).
    """

    def __init__(self):
        from jupyter_client.manager import KernelManager

        self.sockets = tempfile.mkdtemp(prefix="exodus-kernel-")  # short: a socket path has ~100 bytes
        self.km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self.sockets, "k"))
        self.km.start_kernel(cwd=str(NOTEBOOKS_DIR))
        self.thread = threading.Thread(target=self._warm_up, name="exodus-kernel", daemon=True)
        self.thread.start()

    def _warm_up(self) -> None:
        client = self.km.blocking_client()
        try:
            client.start_channels()
            client.wait_for_ready(timeout=60)
            # Queued ahead of papermill's requests: the kernel imports while papermill gets ready.
            client.execute(WARM_UP, silent=True, store_history=False)
        except BaseException:
            pass
        finally:
            client.stop_channels()

    def ready(self):
        self.thread.join(timeout=180)
        return self.km

    def stop(self) -> None:
        """Shut the kernel down now (on every path: success, error, interrupt) and remove its sockets."""
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        finally:
            self.thread.join(timeout=15)
            shutil.rmtree(self.sockets, ignore_errors=True)


def _sections(notebook: Path) -> dict[str, str]:
    """The report's sections: id of the first code cell under each heading -> the heading's text."""
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    starts, heading = {}, None
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            titles = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith("#")]
            heading = titles[0] if titles else heading
        elif cell.get("cell_type") == "code" and heading and "parameters" not in cell.get("metadata", {}).get("tags", []):
            starts.setdefault(heading, cell.get("id"))
    return {cell_id: title for title, cell_id in starts.items() if cell_id}


def _section_progress(notebook: Path, say: Callable[[str], None]) -> Callable:
    """A papermill/nbclient ``on_cell_start`` hook: one progress line as each section of the report starts."""
    sections = _sections(notebook)
    order = {cell_id: n for n, cell_id in enumerate(sections, 1)}

    def on_cell_start(cell, cell_index=None, **_) -> None:
        cell_id = cell.get("id")
        if cell_id in sections:
            say(f"  section {order[cell_id]}/{len(sections)}: {sections[cell_id]}")

    return on_cell_start


def _execute(notebook: Path, data: Path, papers: Sequence[str] | None, as_of: str | None, claims: Path | None,
             kernel, say: Callable[[str], None]):
    """Run the notebook with papermill on ``kernel``, saying which section runs; return the
    executed notebook (kept in memory)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    parameters = {"data_path": str(data), "papers": list(papers) if papers else None, "as_of": as_of or None,
                  "claims_path": str(claims.resolve()) if claims else "none"}
    try:
        return papermill.execute_notebook(
            str(notebook), None, parameters=parameters, kernel_name="python3",
            progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR),
            request_save_on_cell_execute=False, km=kernel.ready(),
            on_cell_start=_section_progress(notebook, say),
        )
    except PapermillExecutionError as err:
        if err.ename in contract.USER_ERRORS:
            raise RenderError(err.evalue) from None
        raise RenderError(
            f"the report notebook failed in cell {err.exec_count}: {err.ename}: {err.evalue}. "
            f"Open {notebook.name} in Jupyter with the same parameters "
            "to see the full traceback."
        ) from None


def _in_worker(workers: list[threading.Thread], func: Callable, *args):
    """``func(*args)`` in a daemon thread, the main thread waiting in short steps (so a signal
    reaches it within a fraction of a second, and nothing in ``func`` can install its own handlers).
    The thread is added to ``workers``: an interrupted render joins it once the kernel is down."""
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = func(*args)
        except BaseException as err:
            box["error"] = err

    worker = threading.Thread(target=run, name="exodus-execute", daemon=True)
    workers.append(worker)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
    if "error" in box:
        raise box["error"]
    return box["value"]


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


_EXPORTER_SELECTORS = ("img:not([alt])", ".jp-Notebook div.jp-Cell-inputWrapper", ".jp-Notebook div.jp-OutputArea-output")
"""The CSS selectors nbconvert's HTMLExporter runs on every page it writes; compiling them takes
soupsieve about 0.2 s, once per process."""


def _warm_up_exporter() -> None:
    """Import nbconvert and compile the selectors its HTML exporter uses, while the kernel runs
    (the main thread only waits on it then)."""
    import importlib

    for module in ("nbconvert", "nbconvert.preprocessors"):
        importlib.import_module(module)
    from bs4 import BeautifulSoup

    soup = BeautifulSoup("<div></div>", features="html.parser")
    for selector in _EXPORTER_SELECTORS:
        soup.select(selector)  # soupsieve caches the compiled pattern


def report_title(summary: dict) -> str:
    """The report's title, naming its paper(s): the HTML ``<title>``, the PDF's title and footer."""
    papers = [p["paper"] for p in summary.get("papers", [])]
    return f"Where did the authors go? {'; '.join(papers)}" if papers else "Where did the authors go?"


def _write_html(nb, target: Path, title: str = "Where did the authors go?", paper_size: str = "A4") -> None:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    from .page import finish_html, inline_svg

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {"remove_cell"}
    config.TagRemovePreprocessor.enabled = True
    exporter = HTMLExporter(
        config=config, template_name="exodus", extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    exporter.register_filter("exodus_svg", inline_svg)
    nb.metadata["title"] = title  # the template's <title> prefers the notebook's title
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title},
                                                         "exodus": {"paper": paper_size}})
    target.write_text(finish_html(body), encoding="utf-8")


class _PdfPrinter(threading.Thread):
    """Chromium, started at the beginning of a render, prints the HTML once it exists.

    The browser starts while the kernel runs, so it is ready when the HTML is.
    Playwright drives Debian's Chromium through ``executable_path``: nothing is downloaded.
    """

    def __init__(self, chromium: str, work: Path):
        super().__init__(name="exodus-pdf", daemon=True)
        self.chromium, self.work = chromium, work
        self.job: queue.Queue = queue.Queue()
        self.error: str | None = None

    def print(self, html: Path, pdf: Path, options: dict) -> None:
        self.job.put((html, pdf, options))
        deadline = time.monotonic() + 180
        while self.is_alive() and time.monotonic() < deadline:
            self.join(0.2)
        if self.is_alive():
            self.error = f"Chromium ({self.chromium}) did not print the PDF within 180 s"
        if self.error:
            raise RenderError(self.error)
        if not pdf.exists() or pdf.read_bytes()[:5] != b"%PDF-":
            raise RenderError(f"Chromium ({self.chromium}) wrote no PDF")

    def cancel(self) -> None:
        if self.is_alive():
            self.job.put(None)
            self.join(timeout=5)

    def run(self) -> None:
        try:
            from playwright.sync_api import Error as PlaywrightError, sync_playwright
        except ImportError:
            self.error = "the PDF needs the Python package playwright: run `make setup`"
            self.job.get()
            return
        import pikepdf  # noqa: F401  (finalise_pdf's; imported while the kernel runs)

        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=self.chromium, args=list(CHROMIUM_FLAGS))
                try:
                    page = browser.new_page()
                    job = self.job.get()
                    if job is None:
                        return
                    html, pdf, options = job
                    page.goto(html.as_uri(), wait_until="load")
                    page.pdf(path=str(pdf), **options)
                finally:
                    browser.close()
        except PlaywrightError as err:
            self.error = f"Chromium ({self.chromium}) failed to print the PDF: {str(err).splitlines()[0]}"
        except Exception as err:
            self.error = f"printing the PDF failed: {type(err).__name__}: {err}"


def _print_pdf(printer: _PdfPrinter, html: Path, pdf: Path, summary: dict, paper_size: str = "A4") -> None:
    """Print with an outline, tags, page numbers and a footer naming the report; then fix the
    metadata and everything that varies between prints (:mod:`analysis.pdf`)."""
    from .pdf import finalise_pdf, print_options

    papers = [p["paper"] for p in summary["papers"]]
    days = list(dict.fromkeys(p["as_of"] for p in summary["papers"]))
    day = max(days)
    title = report_title(summary)
    printer.print(html, pdf, print_options(paper_size, footer_text=f"{title} · as of {' / '.join(days)}"))
    try:
        finalise_pdf(pdf, title=title, subject="Where the authors of a research paper went after it was published",
                     language="en", keywords=papers, snapshot=day)
    except Exception as err:  # a PDF qpdf cannot read is a failed print
        raise RenderError(f"the printed PDF could not be finalised: {type(err).__name__}: {err}") from None


def _place(staged: list[Path], out_dir: Path) -> list[Path]:
    """Move the staged files into ``out_dir`` and remove the outputs of earlier renders this one did
    not make, with SIGINT and SIGTERM held off: the folder holds one render's files."""
    with _held_off():
        out_dir.mkdir(parents=True, exist_ok=True)
        placed = []
        for path in staged:
            target = out_dir / path.name
            os.replace(path, target)
            placed.append(target)
        for name in OUTPUTS:
            stale = out_dir / name
            if stale not in placed and stale.is_file():
                stale.unlink()
    return placed


def _check_out_dir(out_dir: Path) -> None:
    """A usable output folder, or a :class:`RenderError` before any work."""
    if out_dir.exists() and not out_dir.is_dir():
        raise RenderError(f"--out {out_dir} is a file, not a folder: pass a folder (it is created if missing)")
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise RenderError(f"--out {out_dir}: {parent} is a file, not a folder")
            if not os.access(parent, os.W_OK):
                raise RenderError(f"--out {out_dir}: cannot write in {parent}")
            break


def _claims_file(data: Path, claims: str | Path | None) -> Path | None:
    """The claims CSV to check (:func:`analysis.contract.find_claims`); an explicit one must exist."""
    found = contract.find_claims(data, claims)
    if claims is not None and found is not None and not found.is_file():
        raise RenderError(f"{found}: no such claims file; pass --claims with a claims CSV, or --claims none")
    return found


def _check_as_of(as_of: str | None) -> None:
    if not as_of:
        return
    reason = day_error(str(as_of))
    if reason:
        raise RenderError(f"as-of date {as_of!r} {reason}")


def render(
    data: str | Path | None = None,
    papers: Sequence[str] | None = None,
    as_of: str | None = None,
    out_dir: str | Path | None = None,
    formats: Sequence[str] = FORMATS,
    progress: Callable[[str], None] | None = None,
    notebook: str | Path | None = None,
    claims: str | Path | None = None,
    paper_size: str = "A4",
) -> RenderResult:
    """Render the report for ``data`` into ``out_dir``; see ``python -m analysis render --help``.

    Writes ``report.html`` (self-contained), ``report.pdf`` when asked, and
    ``summary.json``, all or nothing, and removes outputs of an earlier render
    that this one did not make. ``notebook`` defaults to
    ``notebooks/report.ipynb``. ``claims``: a claims CSV, ``"none"`` for no
    claims section; default ``claims.csv`` beside ``data`` when it exists. ``paper_size``:
    ``"A4"`` or ``"Letter"`` (:data:`analysis.pdf.PAPER_FORMATS`), for the PDF and the page's
    ``@page`` size. Raises :class:`RenderError` with a message a
    user can act on (:class:`RenderInterrupted` on SIGINT or SIGTERM, when
    called from the main thread).
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
    sizes = {name.lower(): name for name in PAPER_FORMATS}
    if str(paper_size).lower() not in sizes:
        raise RenderError(f"unknown paper size {paper_size!r}; choose from: {', '.join(PAPER_FORMATS)}")
    paper_size = sizes[str(paper_size).lower()]
    out_dir = Path(out_dir) if out_dir else default_out_dir(data)
    _check_out_dir(out_dir)
    _check_as_of(as_of)
    claims_file = _claims_file(data, claims)
    chromium = None
    if "pdf" in formats:
        chromium = find_chromium()
        if chromium is None:
            raise RenderError(
                "the PDF needs Chromium, which is not installed: run `make setup` (or `apt-get install chromium`), "
                "set EXODUS_CHROMIUM to a Chromium-family browser, or pass --formats html to render only the HTML"
            )
    kernel = None

    def start_kernel() -> None:  # a large CSV with a valid header: its rows take longer to check than the kernel to start
        nonlocal kernel
        if data.stat().st_size > CHECK_WHILE_KERNEL_STARTS:
            kernel = _Kernel()

    try:
        with _stoppable():
            try:
                present = contract.check_csv(data, papers, on_header=start_kernel)
                if claims_file:
                    contract.check_claims_csv(claims_file, present)
            except (contract.CohortError, contract.PaperNotFoundError) as err:
                raise RenderError(str(err)) from None
            result = _render(data, papers, as_of, claims_file, out_dir, formats, chromium, say,
                             Path(notebook) if notebook else REPORT_NOTEBOOK, paper_size, kernel)
    except _Stop as stop:
        raise RenderInterrupted(stop.signum) from None
    finally:
        if kernel:
            with _held_off():
                kernel.stop()  # (done already when the render got that far: stopping twice is harmless)
    result.seconds = time.perf_counter() - started
    return result


def _render(data: Path, papers, as_of, claims: Path | None, out_dir: Path, formats: list[str], chromium: str | None,
            say: Callable[[str], None], notebook: Path, paper_size: str = "A4", kernel: _Kernel | None = None
            ) -> RenderResult:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    result = RenderResult(out_dir=out_dir)
    with tempfile.TemporaryDirectory(prefix=f".{out_dir.name}.", dir=out_dir.parent) as tmp:
        work = Path(tmp)
        printer = None
        workers: list[threading.Thread] = []
        try:
            kernel = kernel or _Kernel()
            printer = _PdfPrinter(chromium, work) if chromium else None
            if printer:
                printer.start()
            warm = threading.Thread(target=_warm_up_exporter, name="exodus-nbconvert", daemon=True)
            warm.start()
            stage = time.perf_counter()
            say(f"executing the report notebook on {data.name} (papermill)")
            nb = _in_worker(workers, _execute, notebook, data.resolve(), papers, as_of, claims, kernel, say)
            result.stages["execute"] = time.perf_counter() - stage
            _normalise(nb)
            result.summary = _summary_of(nb)
            staged = []
            stage = time.perf_counter()
            say("writing report.html (nbconvert)")
            warm.join()
            html = work / "report.html"
            _write_html(nb, html, report_title(result.summary), paper_size)
            result.stages["html"] = time.perf_counter() - stage
            if "html" in formats:
                staged.append(html)
            if printer:
                stage = time.perf_counter()
                say("printing report.pdf (Chromium)")
                pdf = work / "report.pdf"
                _print_pdf(printer, html, pdf, result.summary, paper_size)
                staged.append(pdf)
                result.stages["pdf"] = time.perf_counter() - stage
        finally:
            with _held_off():  # a second Ctrl-C does not cut the clean-up short
                if kernel:
                    kernel.stop()
                if printer:
                    printer.cancel()
                for worker in workers:  # papermill sees the dead kernel and returns; no thread outlives us
                    worker.join(timeout=15)
        summary = work / "summary.json"
        summary.write_text(json.dumps(result.summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        staged.append(summary)
        result.files = _place(staged, out_dir)
    return result
