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
    assert "load_cohort / bare read" in (tmp_path / "load.md").read_text()


def test_floor_script_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor_charts.py"), str(ROOT / "data" / "authors.csv"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # three charts for each of the two papers
        f"{name}-{n}.svg" for name in ("destinations", "timeline", "waterfall") for n in (0, 1)]
