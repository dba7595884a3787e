"""notebooks/methods.ipynb: stored stripped with one parameters cell, and it runs with small parameters."""

from __future__ import annotations

import json
from pathlib import Path

import papermill
import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "methods.ipynb"


def test_stored_without_outputs_and_one_parameters_cell():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code")
    tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1


@pytest.mark.slow
def test_runs_and_publishes_the_hindcast_table(tmp_path):
    out = tmp_path / "methods.ipynb"
    parameters = {"draws": 30, "check_years": [2020], "selection_origins": [2013], "selection_draws": 20}
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters,
                               kernel_name="python3", progress_bar=False, cwd=str(tmp_path))
    executed = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps(executed["cells"])
    assert "model MAPE %" in text and "| 2020 | 75+ |" in text
    assert "drift per year" in text
    assert "| TFR (log) | 10 |" in text and "RMS z" in text
    assert "baseline" in text and "uncalibrated" in text  # the model-selection table
    assert "| MAPE rates | MAPE counts |" in text and "| 10 | 75+ | 19 (1) |" in text  # migration as counts
    assert "migration" in text and "Statistics Finland" in text  # the decomposition against the official projection
