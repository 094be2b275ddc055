"""The notebooks: parameters pinned, committed clean, generated from scripts/make_notebook.py.

nbval (``--nbval-lax``, in ``make test``) runs every notebook top to bottom with its defaults.
"""

from __future__ import annotations

import importlib.util
import json

import nbformat
import papermill

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_report_parameters_are_pinned():
    params = papermill.inspect_notebook(str(ROOT / "notebooks" / "report.ipynb"))
    assert list(params) == ["data_path", "papers", "as_of", "claims_path"]
    assert all(p["default"] == "None" for p in params.values())
    assert all(p["help"] for p in params.values())


def test_notebooks_are_committed_without_outputs():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_parameters_cell_holds_literals_only():
    nb = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    [cell] = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    for line in cell.source.splitlines():
        if line.strip() and not line.startswith("#"):
            value = line.split("=", 1)[1].split("#", 1)[0].strip()
            assert value in {"None", "True", "False"} or value[0] in "\"'0123456789[", line


def test_report_notebook_matches_its_generator():
    spec = importlib.util.spec_from_file_location("make_notebook", ROOT / "scripts" / "make_notebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    assert committed == module.build()
