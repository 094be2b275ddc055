"""End to end: python -m analysis render, its files, its failures, and papermill directly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from analysis import load_cohort, metrics as m, tables
from analysis.render import find_chromium
from conftest import ROOT, SHIPPED

pytestmark = pytest.mark.render
OTHER = ROOT / "tests" / "data" / "other_cohort.csv"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


def words(text: str) -> str:
    return " ".join(text.split())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


@pytest.fixture(scope="module")
def shipped(shipped_report):
    return shipped_report


class TestShippedReport:
    def test_writes_three_files_and_reports_them(self, shipped):
        out, done = shipped
        assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.pdf", "summary.json"]
        assert re.search(r"wrote 3 files to .* in \d+\.\d s:", done.stdout)
        for name in ("report.html", "report.pdf", "summary.json"):
            assert re.search(rf"^  {re.escape(name)}\s+\d+\.\d+ (KiB|MiB)$", done.stdout, re.M)
        assert "executing the report notebook" in done.stderr

    def test_says_which_section_runs(self, shipped):
        _, done = shipped
        sections = re.findall(r"^exodus:   section (\d+)/(\d+): (.+)$", done.stderr, re.M)
        assert [int(n) for n, _, _ in sections] == list(range(1, len(sections) + 1))  # one line each, in order
        assert {"Who is left", "Where they went", "When they left", "Methods and caveats"} <= {t for _, _, t in sections}
        assert "\r" not in done.stderr  # readable in a CI log

    def test_summary_json_carries_headline_figures(self, shipped):
        out, _ = shipped
        summary = json.loads((out / "summary.json").read_text())
        cohort = load_cohort(SHIPPED)
        from analysis import survival

        as_of = m.as_of_by_paper(cohort)
        medians = survival.median_time_to_departure(survival.kaplan_meier(cohort, as_of))
        from analysis import claims

        checked = claims.check_claims(claims.load_claims(ROOT / "data" / "claims.csv", cohort), cohort)
        assert summary == json.loads(json.dumps(tables.summary(cohort, as_of, "authors.csv", medians, checked)))
        assert [c["verdict"] for c in summary["claims"]].count("supported") == 10
        llama = summary["papers"][0]
        assert (llama["authors"], llama["departed"], llama["remaining"]) == (14, 11, 3)
        assert (llama["top_destination"], llama["top_destination_authors"]) == ("Mistral AI", 5)

    def test_html_carries_headline_figures(self, shipped):
        html = words((shipped[0] / "report.html").read_text())
        assert "Of the <strong>14</strong> authors of <em>LLaMA (2023)</em>" in html
        assert "<strong>11</strong> had left Meta by 2025-05-26" in html
        assert "<strong>3</strong> were still there" in html
        assert '<span class="n">5</span><span>at Mistral AI</span>' in html
        assert "What was claimed, checked" in html and "✔</span> supported" in html

    def test_html_is_self_contained(self, shipped):
        html = (shipped[0] / "report.html").read_text()
        assert "<script" not in html.lower()
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html.split("<body", 1)[0])
        assert not re.search(r"""<(img|link|iframe|source)[^>]+(src|href)=["']https?:""", html)
        # three charts per paper, then retention over time and survival for both papers, inline
        assert len(re.findall(r'class="[^"]*\bexodus-chart\b', html)) == 3 * 2 + 2
        assert "<img" not in html and "<script" not in html
        assert "Content-Security-Policy" in html
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no warning leaked into the report
        assert "require.js" not in html and "mathjax" not in html.lower()

    def test_code_is_hidden(self, shipped):
        html = (shipped[0] / "report.html").read_text()
        assert "load_cohort(" not in html
        body = html.split("</style>")[-1]
        assert "jp-InputArea-editor" not in body and "highlight" not in body  # no code cell input

    def test_pdf_text_carries_headline_figures(self, shipped):
        reader = PdfReader(shipped[0] / "report.pdf")
        text = words(" ".join(page.extract_text() for page in reader.pages))
        assert "Of the 14 authors of LLaMA (2023)" in text
        assert "11 had left Meta by 2025-05-26" in text
        assert "3 were still there" in text
        assert "5 at Mistral AI" in text
        assert 2 <= len(reader.pages) <= 16


class TestOtherCohorts:
    def test_any_contract_csv_renders_with_parameters_only(self, tmp_path):
        out = tmp_path / "other"
        done = cli("render", "--data", str(OTHER), "--out", str(out), "--formats", "html")
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "summary.json").read_text())
        assert [p["paper"] for p in summary["papers"]] == ["Sparse Widgets (2019)", "Quiet Paper (2021)"]
        assert [(p["authors"], p["departed"], p["remaining"]) for p in summary["papers"]] == [(6, 5, 1), (2, 0, 2)]
        html = words((out / "report.html").read_text())
        assert "No author of <em>Quiet Paper (2021)</em> had left by 2024-12-31" in html
        assert not (out / "report.pdf").exists()

    def test_one_paper_and_a_past_as_of(self, tmp_path):
        out = tmp_path / "one"
        done = cli("render", "--data", str(OTHER), "--paper", "Sparse Widgets (2019)", "--as-of", "2020-12-31",
                   "--out", str(out), "--formats", "html")
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "summary.json").read_text())
        assert summary["as_of"] == "2020-12-31"
        [paper] = summary["papers"]
        # by 2020-12-31: Ada had left (2020-03-15); Chen's unknown date (2019-05-02..2024-12-31) is only
        # possible; Bo's "2021" had not begun, so Bo, Dara, Eli and Fay remain
        assert (paper["departed"], paper["possibly_departed"], paper["remaining"]) == (1, 1, 4)

    @pytest.mark.parametrize("rows", [
        # nobody left
        "P (2020),2020-01-15,A,Org,2015,,,,,,,,2024-06-30,https://example.org/a,\n"
        "P (2020),2020-01-15,B,Org,,,,,,,,,2024-06-30,https://example.org/a,\n",
        # everybody left, one on an unknown date
        "P (2020),2020-01-15,A,Org,2015,2021,,X,startup,true,,,2024-06-30,https://example.org/a,\n"
        "P (2020),2020-01-15,B,Org,,unknown,,Unknown,,,,,2024-06-30,https://example.org/a,\n",
    ], ids=["none-left", "all-left"])
    def test_extreme_cohorts_render_cleanly(self, tmp_path, rows):
        from analysis.cohort import COLUMNS

        data = tmp_path / "extreme.csv"
        data.write_text(",".join(c for c in COLUMNS if c != "tenure_stated") + "\n" + rows, encoding="utf-8")
        out = tmp_path / "out"
        done = cli("render", "--data", str(data), "--out", str(out), "--formats", "html")
        assert done.returncode == 0, done.stderr
        [paper] = json.loads((out / "summary.json").read_text())["papers"]
        assert paper["authors"] == 2 and paper["departed"] in (0, 2)
        assert paper["remaining"] == 2 - paper["departed"]
        html = (out / "report.html").read_text()
        assert "Traceback" not in html and 'class="jp-OutputArea-output" data-mime-type="application/vnd.jupyter.stderr"' not in html

    def test_shipped_data_as_of_a_past_date(self, tmp_path):
        out = tmp_path / "past"
        done = cli("render", "--as-of", "2023-06-30", "--out", str(out), "--formats", "html")
        assert done.returncode == 0, done.stderr
        summary = json.loads((out / "summary.json").read_text())
        assert summary["as_of"] == "2023-06-30"
        llama, transformer = summary["papers"]
        assert (llama["departed"], llama["possibly_departed"], llama["remaining"]) == (6, 4, 4)
        assert (transformer["departed"], transformer["possibly_departed"], transformer["returned"]) == (7, 0, 0)
        assert "after this paper's snapshot" not in (out / "report.html").read_text()

    def test_plain_papermill_works_too(self, tmp_path):
        import papermill

        out = tmp_path / "out.ipynb"
        papermill.execute_notebook(str(ROOT / "notebooks" / "report.ipynb"), str(out),
                                   parameters={"data_path": str(OTHER)}, progress_bar=False, kernel_name="python3")
        text = out.read_text()
        assert "Sparse Widgets (2019)" in text and "application/vnd.exodus.summary+json" in text


class TestFailuresLeaveOutputUntouched:
    @pytest.fixture
    def earlier(self, tmp_path):
        out = tmp_path / "report"
        out.mkdir()
        (out / "report.html").write_text("earlier report")
        (out / "summary.json").write_text("{}")
        (out / "keep.txt").write_text("a reader's note")
        return out

    def fails(self, earlier, *args, env=None) -> str:
        before = snapshot(earlier)
        done = cli("render", "--out", str(earlier), *args, env=env)
        assert done.returncode != 0
        assert snapshot(earlier) == before
        assert not [p for p in earlier.parent.iterdir() if p.name.startswith(".")]  # no temp folder left behind
        assert "Traceback" not in done.stderr
        return done.stderr

    def test_bad_csv(self, earlier, tmp_path):
        bad = tmp_path / "bad.csv"
        bad.write_text("paper,published,author,origin_org,source\nP,2023-13,A,O,https://x.org\n")
        err = self.fails(earlier, "--data", str(bad), "--formats", "html")
        assert f"{bad}, line 2, column 'published': '2023-13' has month 13, which does not exist" in err
        assert f"Nothing was written; {earlier} is as it was." in err

    def test_unknown_paper_lists_papers(self, earlier):
        err = self.fails(earlier, "--paper", "GPT-5 (2030)", "--formats", "html")
        assert "no paper named 'GPT-5 (2030)' in the data; papers present: 'LLaMA (2023)'" in err

    @pytest.mark.parametrize("day", ["2025-13-01", "2025-W21-1", "2025-141", "1500-01-01"])
    def test_bad_as_of_is_an_argparse_error(self, earlier, day):
        """An ISO week date ('2025-W21-1') was taken as 2025-05-19: Python's date.fromisoformat reads it."""
        err = self.fails(earlier, "--as-of", day)
        assert f"argument --as-of: '{day}' is not a day; expected YYYY-MM-DD" in err
        assert err.startswith("usage: python -m analysis render")

    def test_bad_formats(self, earlier):
        err = self.fails(earlier, "--formats", "html,docx")
        assert "argument --formats: 'html,docx': choose one or more of html, pdf" in err

    def test_missing_data_file(self, earlier, tmp_path):
        err = self.fails(earlier, "--data", str(tmp_path / "nope.csv"))
        assert "nope.csv: no such file" in err

    def test_cell_error(self, earlier, tmp_path):
        from analysis.render import RenderError, render

        broken = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
        broken.cells.insert(3, nbformat.v4.new_code_cell("1 / 0"))
        path = tmp_path / "broken.ipynb"
        nbformat.write(broken, path)
        before = snapshot(earlier)
        with pytest.raises(RenderError, match=r"the report notebook failed in cell \d+: ZeroDivisionError: division by zero"):
            render(out_dir=earlier, formats=["html"], notebook=path)
        assert snapshot(earlier) == before
        assert not [p for p in earlier.parent.iterdir() if p.name.startswith(".")]

    def test_missing_pdf_tool_says_what_to_install(self, earlier):
        err = self.fails(earlier, env={"EXODUS_CHROMIUM": "/nonexistent/chromium"})
        assert "the PDF needs Chromium, which is not installed" in err
        assert "apt-get install chromium" in err and "--formats html" in err


@pytest.mark.skipif(find_chromium() is None, reason="needs Chromium (make setup installs it)")
class TestReproducible:
    def test_same_input_same_bytes(self, tmp_path, shipped):
        out = tmp_path / "again"
        done = cli("render", "--out", str(out))
        assert done.returncode == 0, done.stderr
        first, second = shipped[0], out
        for name in ("report.html", "summary.json", "report.pdf"):  # the PDF too: analysis.pdf.finalise_pdf
            assert (first / name).read_bytes() == (second / name).read_bytes(), name
        reader = PdfReader(first / "report.pdf")
        assert [o.title for o in reader.outline if not isinstance(o, list)][0] == "Where did the authors go?"
        assert reader.metadata.title.startswith("Where did the authors go? LLaMA (2023)")
        html = (first / "report.html").read_text()
        assert str(ROOT) not in html and "/tmp" not in html
