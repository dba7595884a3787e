"""The notebooks: stored clean, one parameters cell of literals, and executed with small parameters."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from toolkit.batch import KERNEL_NAME
from toolkit.io.params import load_population
from toolkit.pack import HEADLINE_MIME
from toolkit.regions import get_region

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
FORUM, COMPARE = NOTEBOOKS / "forum.ipynb", NOTEBOOKS / "compare.ipynb"
SMALL = {"horizon": 2030, "draws": 0, "seed": 0}

EVIL_SCENARIO = """\
id: evil-text
name: {fi: "<b>Paha</b>", sv: "<b>Ond</b>", en: "<b>Evil</b> & co"}
narrative:
  fi: "<script>window.pwned = 1</script> kertomus"
  sv: "<script>window.pwned = 1</script> berättelse"
  en: "<script>window.pwned = 1</script> story"
justification: "<img src=x onerror=alert(1)> escaped too"
levers:
  tfr: {target: 1.6, year: 2040}
"""


def execute(notebook: Path, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    import papermill

    out = tmp_path / f"{notebook.stem}-executed.ipynb"
    papermill.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name=KERNEL_NAME,
                               progress_bar=False, cwd=str(tmp_path))
    return nbformat.read(out, as_version=4)


def outputs(notebook, mime: str) -> list[str]:
    return ["".join(output["data"][mime]) if isinstance(output["data"][mime], list) else output["data"][mime]
            for cell in notebook.cells for output in cell.get("outputs", []) if mime in output.get("data", {})]


def headline(notebook) -> dict:
    (found,) = [output["data"][HEADLINE_MIME] for cell in notebook.cells for output in cell.get("outputs", [])
                if HEADLINE_MIME in output.get("data", {})]
    return found


@pytest.mark.parametrize("path", [FORUM, COMPARE], ids=lambda p: p.name)
def test_stored_without_outputs_and_one_literal_parameters_cell(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)
    tagged = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1
    for statement in ast.parse(tagged[0].source).body:
        assert isinstance(statement, ast.Assign)
        ast.literal_eval(statement.value)  # raises unless a plain literal


def test_forum_parameters_are_the_documented_ones():
    notebook = nbformat.read(FORUM, as_version=4)
    (cell,) = [cell for cell in notebook.cells if "parameters" in cell.metadata.get("tags", [])]
    names = [statement.targets[0].id for statement in ast.parse(cell.source).body]
    assert names == ["region", "scenarios", "horizon", "draws", "seed", "lang"]


@pytest.mark.slow
def test_forum_maakunta_in_finnish(tmp_path):
    notebook = execute(FORUM, tmp_path, region="kainuu", scenarios=["baseline", "vitality"], lang="fi", **SMALL)
    numbers = headline(notebook)
    observed = float(load_population().sel(region_code="MK18", year=numbers["base_year"]).sum())
    assert numbers["base_population"] == pytest.approx(observed, rel=1e-9)
    assert numbers["horizon"] == 2030 and not numbers["estimated"]
    assert set(numbers["scenarios"]) == {"baseline", "vitality"}
    text = "\n".join(outputs(notebook, "text/markdown"))
    assert "# Kainuu: väestö ja työ" in text and "## Mitä tämä merkitsee työlle ja osaamiselle" in text
    assert "Lähde: Tilastokeskus" in text and "Source: Statistics Finland" in text
    assert "arvio" not in text.split("## Alue tänään")[0]  # no estimated-base note for a maakunta
    figures = outputs(notebook, "text/html")
    assert sum("Plotly.newPlot" in html for html in figures) >= 9
    assert not any('src="http' in html for html in figures)


@pytest.mark.slow
def test_forum_municipal_area_in_swedish_says_estimated(tmp_path):
    notebook = execute(FORUM, tmp_path, region="hameenlinna", scenarios=["baseline", "decline"], lang="sv", **SMALL)
    numbers = headline(notebook)
    assert numbers["estimated"] and numbers["region"] == "hameenlinna"
    assert numbers["scenarios"]["decline"]["total"] < numbers["scenarios"]["baseline"]["total"]
    text = "\n".join(outputs(notebook, "text/markdown"))
    assert "# Tavastehus: befolkning och arbete" in text
    assert "**uppskattning**" in text and "Egentliga Tavastland" in text
    assert "Källa: Statistikcentralen" in text


@pytest.mark.slow
def test_forum_in_english_escapes_scenario_text(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text(EVIL_SCENARIO, encoding="utf-8")
    notebook = execute(FORUM, tmp_path, region="raahe", scenarios=["baseline", str(evil)], lang="en", **SMALL)
    assert headline(notebook)["names"]["evil-text"] == "<b>Evil</b> & co"
    shown = "\n".join(outputs(notebook, "text/markdown") + outputs(notebook, "text/html"))
    assert f"# {get_region('raahe').label('en')}: population and work" in shown
    assert "## What is assumed and how sure we are" in shown
    assert "<script>window.pwned" not in shown and "<img src=x" not in shown and "<b>Evil" not in shown
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; co" in shown  # in the table, as text
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown


@pytest.mark.slow
def test_compare_ranks_the_chosen_areas(tmp_path):
    notebook = execute(COMPARE, tmp_path, regions=["kainuu", "raahe"], scenarios=["baseline"], horizon=2030, lang="en")
    figures = [output["data"]["application/vnd.plotly.v1+json"] for cell in notebook.cells
               for output in cell.get("outputs", []) if "application/vnd.plotly.v1+json" in output.get("data", {})]
    assert len(figures) == 3
    names = [get_region(area).label("en") for area in ("kainuu", "raahe")]
    assert sorted(figures[0]["data"][0]["y"]) == sorted(names)
    text = "\n".join(outputs(notebook, "text/markdown"))
    assert "Source: Statistics Finland" in text
    assert names[1] in text.split("Source")[0] and names[0] not in text  # only Raahe's base is estimated
    assert json.dumps(figures).count("Baseline") >= 3
