"""Numbers to take away: a figure's data as a tidy table, its wide sheet, the CSV files and the workbook."""

from __future__ import annotations

import csv
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import xarray as xr
from openpyxl import load_workbook

from tests.synthetic import population_run, scenario_meta
from toolkit.errors import InputError
from toolkit.io.tables import FILE_STEM_LENGTH, Table, file_stem, sheet_names, write_workbook
from toolkit.pack import compact
from toolkit.takeaway import dataset_tables, figure_table, widen, write_pack_data
from toolkit.viz import pyramid


def _json(figure: go.Figure) -> dict:
    return compact(json.loads(pio.to_json(figure)))


def test_a_line_and_a_band_become_tidy_rows_with_the_axis_titles():
    years = np.arange(2025, 2029)
    lower, upper = np.array([10.0, 11, 12, 13]), np.array([10.0, 15, 18, 20])
    figure = go.Figure([
        go.Scatter(x=np.r_[years, years[::-1]], y=np.r_[upper, lower[::-1]], fill="toself", name="80 %"),
        go.Scatter(x=years, y=np.array([10.0, 13, 15, 16.5]), name="Perusura"),
    ])
    figure.update_layout(title="Väkiluku — Kainuu", xaxis_title="Vuosi", yaxis_title="Henkilöä")
    table = figure_table(_json(figure), 1, "fi", "Tilastokeskus")
    assert table.columns == ["Sarja", "Vuosi", "Henkilöä"] and table.title == "Väkiluku — Kainuu"
    assert ("80 % – alaraja", 2026, 11) in table.rows and ("80 % – yläraja", 2026, 15) in table.rows
    assert ("Perusura", 2028, 16.5) in table.rows and len(table.rows) == 12
    assert table.notes == ["Yksikkö: Henkilöä", "Lähde: Tilastokeskus"]
    wide = widen(table)
    assert wide.columns == ["Vuosi", "80 % – alaraja", "80 % – yläraja", "Perusura"]
    assert wide.rows[1] == (2026, 11, 15, 13) and len(wide.rows) == 4


def test_horizontal_bars_with_frames_use_the_hover_values_and_the_frame():
    ages = np.arange(3)
    men = np.array([5.0, 6, 7])
    figure = go.Figure(
        [go.Bar(y=ages, x=-men, customdata=men, orientation="h", name="Miehet",
                hovertemplate="%{y}: %{customdata}<extra>Miehet, Perusura</extra>")],
        frames=[go.Frame(name=str(year), data=[go.Bar(x=-men * factor, customdata=men * factor)], traces=[0])
                for year, factor in ((2025, 1), (2030, 2))])
    figure.update_layout(xaxis_title="Henkilöä", yaxis_title="Ikä",
                         sliders=[{"currentvalue": {"prefix": "Vuosi: "}, "steps": []}])
    table = figure_table(_json(figure), 2, "fi", "x")
    assert table.columns == ["Vuosi", "Sarja", "Ikä", "Henkilöä"]
    assert (2030, "Miehet, Perusura", 2, 14) in table.rows and len(table.rows) == 6  # the frames, not the base
    assert widen(table).columns == ["Vuosi", "Ikä", "Miehet, Perusura"]


def test_the_pyramid_table_has_every_scenario_by_age_and_not_the_baselines_outline():
    """The outline repeats the baseline's bars; read as a line, its persons would fill the age column."""
    ds = population_run(scenarios=("baseline", "vitality"))
    figure = pyramid(ds, "alpha", "vitality", lang="fi", meta=scenario_meta())
    table = figure_table(_json(figure), 1, "fi", "x")
    assert table.columns == ["Vuosi", "Sarja", "Ikä", "Henkilöä"]
    assert {row[2] for row in table.rows} == set(range(101))
    assert len(table.rows) == 6 * 2 * 2 * 101  # years × scenarios × sexes × ages: no outline rows
    women = ds["population"].sel(region="alpha", scenario="baseline", sex="F", year=2030)
    by_age = {row[2]: row[3] for row in table.rows if row[0] == 2030 and row[1] == "Naiset, Skenaario baseline"}
    np.testing.assert_allclose([by_age[age] for age in range(101)], women.values, rtol=1e-5)
    wide = widen(table)
    assert len(wide.rows) == 6 * 101 and len(wide.columns) == 2 + 2 * 2
    assert all(cell != "" for row in wide.rows for cell in row)


def test_a_sankey_becomes_its_flows_and_a_card_has_no_table():
    sankey = go.Figure(go.Sankey(node={"label": ["A", "B", "C"]},
                                 link={"source": [0, 0], "target": [1, 2], "value": [3.5, 1.25]}))
    table = figure_table(_json(sankey), 3, "sv", "x")
    assert table.columns == ["Från", "Till", "Värde"] and table.rows == [("A", "B", 3.5), ("A", "C", 1.25)]
    card = go.Figure().add_annotation(text="65 398")
    assert figure_table(_json(card), 4, "fi", "x") is None


def test_pack_data_files_round_trip(tmp_path):
    table = Table(name="01 Väkiluku: Kainuu", title="Väkiluku", columns=["Sarja", "Vuosi", "Henkilöä"],
                  rows=[("Perusura", 2025, 69193), ("Perusura", 2026, 68800.5), ("Elinvoima", 2025, 69193)],
                  notes=["Yksikkö: Henkilöä", "Lähde: Tilastokeskus"], series=0)
    written = write_pack_data(tmp_path, [table], "fi")
    assert written == {"csv": ["data/01-vakiluku-kainuu.csv"], "workbook": ["luvut.xlsx"]}
    with open(tmp_path / written["csv"][0], encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle)) == [["Sarja", "Vuosi", "Henkilöä"], ["Perusura", "2025", "69193"],
                                            ["Perusura", "2026", "68800.5"], ["Elinvoima", "2025", "69193"]]
    sheet = load_workbook(tmp_path / "luvut.xlsx").worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "01 Väkiluku Kainuu" and rows[0][0] == "Väkiluku" and rows[2][0] == "Lähde: Tilastokeskus"
    assert rows[4] == ("Vuosi", "Perusura", "Elinvoima") and rows[5] == (2025, 69193, 69193)
    assert rows[6] == (2026, 68800.5, None) and sheet.freeze_panes == "A6"
    assert not list(tmp_path.glob(".*.tmp"))


def test_workbook_text_stays_text(tmp_path):
    """A label that looks like a formula, a link or a number is written as text, never evaluated by a spreadsheet."""
    table = Table(name="t", title="=1+1", columns=["=SUM(A1:A2)", "b"],
                  rows=[("=HYPERLINK(\"http://x.invalid\")", 1.5), ("www.example.fi", 2), ("12", "")])
    write_workbook(tmp_path / "x.xlsx", [table])
    sheet = load_workbook(tmp_path / "x.xlsx").worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells if isinstance(cell.value, str)} == {"s"}
    assert [cell.value for cell in cells] == ["=1+1", "=SUM(A1:A2)", "b", '=HYPERLINK("http://x.invalid")', 1.5,
                                              "www.example.fi", 2, "12"]
    assert not any(cell.hyperlink for cell in cells)


def test_sheet_names_are_short_unique_and_allowed():
    tables = [Table(name=name, title=name, columns=["a"], rows=[]) for name in ("x" * 40, "x" * 40, "a/b:c?")]
    names = sheet_names(tables)
    assert names[0] == "x" * 30 + "…" and names[1] == "x" * 26 + "… (2)" and names[2] == "a b c"
    long = [Table(name="Occupation group's balance (new entrants minus openings)", title="", columns=[], rows=[])]
    assert sheet_names(long) == ["Occupation group's balance…"] and all(len(name) <= 31 for name in names)


def test_a_table_longer_than_a_sheet_is_refused_before_writing(tmp_path, monkeypatch):
    import toolkit.io.tables as tables

    monkeypatch.setattr(tables, "EXCEL_ROWS", 5)
    table = Table(name="t", title="t", columns=["a"], rows=[(i,) for i in range(4)])
    with pytest.raises(InputError, match="more rows than a workbook sheet holds"):
        write_workbook(tmp_path / "x.xlsx", [table])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="row 1 has 2 values"):
        Table(name="t", title="t", columns=["a"], rows=[(1,), (1, 2)])


def test_a_run_dataset_gets_headers_and_units_in_the_language():
    ds = xr.Dataset({"population": (("region", "year"), [[100.0, 101.0]], {"units": "persons"})},
                    coords={"region": ["kainuu"], "year": [2025, 2026]})
    (table,) = dataset_tables(ds, "sv", "Statistikcentralen")
    assert table.columns == ["Område", "År", "Befolkning 31.12 (personer)"]
    assert table.rows == [("kainuu", 2025, 100), ("kainuu", 2026, 101)]
    assert table.notes == ["Enhet: personer", "Källa: Statistikcentralen"]


@pytest.mark.parametrize("name,stem", [
    ("Jobb som öppnas och nya personer i arbetsför ålder efter utbildningsnivå 2026–2035: Kajana",
     "jobb-som-oppnas-och-nya-personer-i-arbetsfor-alder-efter"),
    ("Lediga jobb per arbetslös arbetssökande: Specialister, Kajana",
     "lediga-jobb-per-arbetslos-arbetssokande-specialister-kajana"),
    ("Väestö iän ja sukupuolen mukaan — Kainuu", "vaesto-ian-ja-sukupuolen-mukaan-kainuu"),
    ("x" * 70, "x" * 60),
    ("—", "table"),
])
def test_file_names_end_at_a_whole_word(name, stem):
    assert file_stem(name) == stem and len(stem) <= FILE_STEM_LENGTH
