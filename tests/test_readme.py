"""Every Python block of the README runs, from the repository root and from notebooks/ (where Jupyter starts)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)


def test_the_readme_has_python_examples():
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("folder", ["", "notebooks"])
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_block_runs(index, folder):
    done = subprocess.run([sys.executable, "-c", BLOCKS[index]], cwd=ROOT / folder, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"}, timeout=300)
    assert done.returncode == 0, f"README block {index + 1} from {folder or 'the root'}:\n{done.stderr}"
