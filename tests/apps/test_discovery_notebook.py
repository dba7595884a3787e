"""notebooks/discovery.ipynb: stored clean with one parameters cell of literals, and executed with small parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

DISCOVERY = Path(__file__).resolve().parents[2] / "notebooks" / "discovery.ipynb"
KERNEL_NAME = "python3"


def execute(notebook: Path, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    import papermill

    out = tmp_path / f"{notebook.stem}-executed.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name=KERNEL_NAME,
                               progress_bar=False, cwd=str(tmp_path))
    return nbformat.read(out, as_version=4)


def outputs(notebook, mime: str) -> list[str]:
    return ["".join(output["data"][mime]) if isinstance(output["data"][mime], list) else output["data"][mime]
            for cell in notebook.cells for output in cell.get("outputs", []) if mime in output.get("data", {})]


def test_discovery_notebook_is_clean_and_parameterized():
    notebook = nbformat.read(DISCOVERY, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert not any("def " in cell.source or "class " in cell.source for cell in code)  # calls into the package only
    (cell,) = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    statements = ast.parse(cell.source).body
    assert [s.targets[0].id for s in statements] == ["region", "scenario", "samples", "seed", "lang", "outcome",
                                                     "year", "threshold"]
    for statement in statements:
        ast.literal_eval(statement.value)  # raises unless a plain literal


@pytest.mark.slow
def test_discovery_notebook_runs_with_small_parameters(tmp_path):
    notebook = execute(DISCOVERY, tmp_path, region="kainuu", scenario="vitality", samples=200, seed=1, lang="fi",
                       outcome="15-64", year=2040, threshold=33000.0)
    figures = outputs(notebook, "application/vnd.plotly.v1+json")
    assert len(figures) == 2
    assert figures[0]["data"][0]["type"] == "parcoords" and figures[1]["data"][0]["type"] == "bar"
    tables = outputs(notebook, "text/html")
    assert any("coverage" in table and "additional_net_migration" in table for table in tables)
    printed = "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                      if output.get("name") == "stdout")
    assert printed.startswith("Eniten vaikuttaa (Kainuu, 15–64-vuotiaiden määrä vuonna 2040)")
