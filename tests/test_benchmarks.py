"""The benchmark generator follows the contract and looks like real data; the scripts still run
(on tiny inputs; nothing is timed here)."""

import subprocess
import sys

import pytest

from analysis import load_cohort, metrics
from analysis.contract import COLUMNS, check_csv
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from cohorts import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "c.csv"
    frame = generate(2000, papers=3)
    frame.to_csv(path, index=False)
    return frame, path, load_cohort(path)


class TestGenerate:
    def test_follows_the_contract(self, generated):
        frame, path, cohort = generated
        assert list(frame.columns) == COLUMNS
        assert len(cohort) == 2000 and cohort["paper"].nunique() == 3
        assert check_csv(path, None)  # the plain-Python check agrees with the loader
        assert metrics.plausibility(cohort).empty  # nothing dated after its as-of day

    def test_every_date_form(self, generated):
        frame, _, cohort = generated
        assert set(cohort["left_kind"].astype(str)) >= {"missing", "year", "month", "day", "interval", "unknown"}
        assert set(cohort["joined_kind"].astype(str)) >= {"missing", "year", "month", "day", "interval"}
        left = frame["left"]
        assert left.str.startswith("../").any() and left.str.endswith("/..").any()
        assert left.str.fullmatch(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}(-\d{2})?").any()
        assert (frame["returned"] != "").any() and (frame["founder"] == "true").any()
        stated = frame["tenure_stated"]
        assert stated.str.fullmatch(r"\d+").any() and stated.str.fullmatch(r"\d+/\.\.").any()
        assert stated.str.fullmatch(r"\d+/\d+").any()

    def test_many_distinct_values(self, generated):
        frame, _, cohort = generated
        departed = cohort[cohort["departed"]]
        assert frame["left"].nunique() > 300  # dates spread over years, not a handful of values
        assert departed["left_start"].dt.year.nunique() >= 8
        counts = departed["destination"].value_counts()
        assert 100 <= len(counts) <= 400  # about one destination per ten authors
        assert counts.iloc[0] > 10 * counts.iloc[len(counts) // 2]  # long-tailed: a few big ones

    def test_one_paper_and_reproducible(self):
        one = generate(300, papers=1, seed=4)
        assert one["paper"].nunique() == 1 and one["published"].nunique() == 1
        assert one.equals(generate(300, papers=1, seed=4))
        assert not one.equals(generate(300, papers=1, seed=5))


def test_load_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--rows", "2000", "--repeat", "1",
                           "--report", str(tmp_path / "load.md")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "load_cohort: 2,000 rows" in done.stdout and "bare pyarrow.csv.read_csv" in done.stdout
    report = (tmp_path / "load.md").read_text()
    for row in ("load_cohort / bare read", "read as text / bare read", "read, trim, distinct values, source pattern"):
        assert row in report


def test_read_as_text_reads_what_the_loader_reads(generated):
    from bench_load import read_as_text

    _, path, cohort = generated
    table = read_as_text(path)
    assert table.num_rows == len(cohort) and table.column_names == list(COLUMNS)
    assert table.column("author").to_pylist() == cohort["author"].tolist()  # the cells as written (no spaces to trim here)


def test_stack_only_notebook_renders_the_summary_and_nothing_else(tmp_path):
    """The bench's "stack only" row: the report's title, its parameters and the summary, rendered
    by the same pipeline; the summary is the report's own."""
    import json

    import nbformat
    from bench_render import stack_only_notebook

    from analysis.render import render

    notebook = stack_only_notebook(tmp_path / "stack.ipynb")
    cells = nbformat.read(notebook, as_version=4).cells
    assert [c.cell_type for c in cells] == ["markdown", "code", "code"]
    assert "parameters" in cells[1].metadata["tags"] and "emit_summary" in cells[2].source
    result = render(ROOT / "data" / "authors.csv", out_dir=tmp_path / "out", formats=["html"], notebook=notebook)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert [p["paper"] for p in summary["papers"]] == [p["paper"] for p in result.summary["papers"]]
    assert summary["papers"][0]["authors"] == 14
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<svg" not in html and "Where did the authors go?" in html


def test_floor_script_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor_charts.py"), str(ROOT / "data" / "authors.csv"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # three charts for each of the two papers
        f"{name}-{n}.svg" for name in ("destinations", "timeline", "waterfall") for n in (0, 1)]
