"""The benchmark scripts still run (on tiny inputs; nothing is timed here)."""

import subprocess
import sys

from analysis import load_cohort
from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from cohorts import generate


def test_generated_cohorts_follow_the_contract(tmp_path):
    path = tmp_path / "c.csv"
    generate(500, papers=3).to_csv(path, index=False)
    cohort = load_cohort(path)
    assert len(cohort) == 500 and cohort["paper"].nunique() == 3
    assert set(cohort["left_kind"].astype(str)) >= {"missing", "year", "month", "day", "interval", "unknown"}


def test_load_benchmark_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_load.py"), "--rows", "2000", "--repeat", "1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "load_cohort: 2,000 rows" in done.stdout


def test_floor_script_runs(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor_charts.py"), str(ROOT / "data" / "authors.csv"),
                           str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [  # three charts for each of the two papers
        f"{name}-{n}.svg" for name in ("destinations", "timeline", "waterfall") for n in (0, 1)]
