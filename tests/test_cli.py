"""The `forum` command: outputs, and one clear message with exit code 2 for every kind of bad input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from toolkit.cli import main
from toolkit.errors import InputError

VALID = """\
id: my-future
name: {fi: Oma, sv: Egen, en: Own}
narrative: {fi: Kertomus, sv: Berättelse, en: Story}
justification: a test scenario
levers:
  tfr: {target: 1.6, year: 2040}
"""


def run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def assert_refused(capsys, tmp_path, *argv, match: str):
    out = tmp_path / "out.nc"
    code, _, err = run(capsys, *argv, "--out", str(out)) if "--out" not in argv else run(capsys, *argv)
    assert code == 2, err
    assert err.startswith("forum: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert match in err, err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary left behind


def test_regions_lists_all_23(capsys):
    code, out, _ = run(capsys, "regions")
    assert code == 0
    lines = [line for line in out.splitlines() if "MK" in line or "KU" in line or "SK" in line]
    assert len(lines) == 23
    assert any("kainuu" in line and "MK18" in line for line in lines)


def test_scenarios_lists_names_in_the_language(capsys):
    code, out, _ = run(capsys, "scenarios", "--lang", "sv")
    assert code == 0
    assert "baseline" in out and "Basscenario" in out and "no-migration" in out


def test_project_netcdf_by_code_and_path(capsys, tmp_path):
    scenario = write(tmp_path, VALID)
    out = tmp_path / "kainuu.nc"
    code, stdout, err = run(capsys, "project", "--region", "MK18", "--scenario", "baseline", "--scenario",
                            scenario, "--horizon", "2040", "--out", str(out))
    assert code == 0, err
    ds = xr.open_dataset(out)
    assert list(ds.scenario.values) == ["baseline", "my-future"]
    assert ds.region.values.tolist() == ["kainuu"] and int(ds.year[-1]) == 2040
    assert float(ds.tfr.sel(region="kainuu", scenario="my-future", year=2040)) == pytest.approx(1.6)
    assert "wrote" in stdout


def test_project_xlsx_is_a_workbook_in_the_language(capsys, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "p.xlsx"
    code, stdout, err = run(capsys, "project", "--region", "kainuu", "--scenario", "baseline", "--horizon", "2027",
                            "--lang", "sv", "--out", str(out))
    assert code == 0, err
    book = load_workbook(out, read_only=True)
    def filled(row):  # the sheet's cells up to its last filled one (read-only mode pads to the sheet's width)
        return tuple(row[: max((index + 1 for index, value in enumerate(row) if value is not None), default=0)])

    sheets = {sheet.title: [filled(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    rows = sheets["Befolkning 31.12"]
    assert rows[0] == ("Befolkning 31.12",) and rows[1] == ("Enhet: personer",) and rows[2][0].startswith("Källa:")
    assert rows[4] == ("Område", "Scenario", "År", "Kön", "Ålder", "Befolkning 31.12 (personer)")
    assert len(rows) == 5 + 3 * 2 * 101  # 2025-2027, two sexes, ages 0-100
    assert sum(row[5] for row in rows[5:] if row[2] == 2025) > 60_000  # Kainuu's population in the base year
    code, _, err = run(capsys, "project", "--region", "kainuu", "--draws", "10", "--out", str(tmp_path / "d.xlsx"))
    assert code == 2 and "a workbook holds no draws" in err and not (tmp_path / "d.xlsx").exists()


def test_project_csv_is_tidy(capsys, tmp_path):
    import pandas as pd

    out = tmp_path / "p.csv"
    assert run(capsys, "project", "--region", "raahe", "--scenario", "no-migration", "--out", str(out))[0] == 0
    table = pd.read_csv(out)
    assert list(table.columns) == ["region", "region_code", "scenario", "year", "sex", "age", "age_group", "variable",
                                   "value"]
    population = table[(table.variable == "population") & (table.year == 2025)]
    assert len(population) == 2 * 101
    births = table[table.variable == "births"]
    assert births.age.isna().all() and len(births) == 25 * 2


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (("project", "--region", "atlantis"), "unknown region 'atlantis'"),
        (("project", "--region", "kainuu", "--scenario", "utopia"), "unknown scenario 'utopia'"),
        (("project", "--region", "kainuu", "--horizon", "2020"), "horizon 2020"),
        (("project", "--region", "kainuu", "--horizon", "2500"), "horizon 2500"),
        (("project", "--region", "kainuu", "--horizon", "soon"), "invalid int value"),
        (("project", "--region", "kainuu", "--draws", "-3"), "draws"),
        (("project", "--region", "kainuu", "--draws", "10", "--jobs", "0"), "jobs must be a whole number in 1.."),
        (("project",), "no region selected"),
        (("project", "--all", "--region", "kainuu"), "either --region or --all"),
        (("project", "--level", "municipality", "--region", "kainuu"), "either --region or --all or --level"),
        (("project", "--level", "county"), "invalid choice: 'county'"),
        (("project", "--region", "kainuu", "--scenario", "baseline", "--scenario", "baseline"), "given twice"),
    ],
)
def test_bad_selection(capsys, tmp_path, argv, match):
    assert_refused(capsys, tmp_path, *argv, match=match)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "the file is empty"),
        ("id: [unclosed\n", "not valid YAML"),
        ("!!python/object/apply:os.system ['echo hacked']\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        (VALID + "colour: blue\n", "colour: Extra inputs are not permitted"),
        (VALID.replace("1.6", "'high'"), "levers.tfr.target: Input should be a valid number"),
        (VALID.replace("1.6", ".nan"), "levers.tfr.target: Input should be a finite number"),
        (VALID.replace("1.6", "9.5"), "levers.tfr.target: Input should be less than or equal to 4"),
        (VALID.replace("  tfr: {target: 1.6, year: 2040}", "  migration_rate_scale: -1"),
         "levers.migration_rate_scale: Input should be greater than or equal to 0"),
        (VALID.replace("id: my-future", "id: My Future!"), "id: String should match pattern"),
        (VALID + "regions:\n  atlantis: {migration_rate_scale: 1.0}\n", "unknown region id 'atlantis'"),
        (VALID.replace("name: {fi: Oma, sv: Egen, en: Own}", "name: {fi: Oma, en: Own}"), "name.sv: Field required"),
    ],
)
def test_bad_scenario_file(capsys, tmp_path, text, match):
    scenario = write(tmp_path, text)
    assert_refused(capsys, tmp_path, "project", "--region", "kainuu", "--scenario", scenario, match=match)


def test_missing_scenario_file(capsys, tmp_path):
    assert_refused(capsys, tmp_path, "project", "--region", "kainuu", "--scenario", str(tmp_path / "nope.yaml"),
                   match="scenario file not found")


@pytest.mark.parametrize(
    ("target", "match"),
    [("missing-folder/out.nc", "does not exist"), ("out.json", "unknown format '.json'"), ("", "is a folder")],
)
def test_bad_output(capsys, tmp_path, target, match):
    out = str(tmp_path / target) if target else str(tmp_path)
    assert_refused(capsys, tmp_path, "project", "--region", "kainuu", "--out", out, match=match)


def test_unwritable_output(capsys, tmp_path):
    """A folder that refuses new files (sysfs refuses even root) ends in exit 2 with nothing written."""
    if os.geteuid() == 0:
        target, match = "/sys/forum-test.nc", "cannot write the output"
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        target, match = str(locked / "x.nc"), "not writable"
    assert_refused(capsys, tmp_path, "project", "--region", "kainuu", "--out", target, match=match)


def test_a_failed_run_keeps_the_previous_output(capsys, tmp_path):
    out = tmp_path / "out.nc"
    out.write_bytes(b"previous good result")
    code, _, _ = run(capsys, "project", "--region", "atlantis", "--out", str(out))
    assert code == 2 and out.read_bytes() == b"previous good result"


def test_entry_point_exit_code_and_no_traceback(tmp_path):
    out = tmp_path / "x.nc"
    result = subprocess.run([sys.executable, "-m", "toolkit.cli", "project", "--region", "atlantis", "--out",
                             str(out)], capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "unknown region" in result.stderr
    assert not out.exists()


def test_skills_writes_the_openings_identity(capsys, tmp_path):
    out = tmp_path / "skills.nc"
    code, stdout, err = run(capsys, "skills", "--region", "kainuu", "--scenario", "baseline", "--no-tightness",
                            "--out", str(out))
    assert code == 0, err
    skills = xr.open_dataset(out)
    expected = skills.expansion_demand.clip(min=0) + skills.replacement_demand
    xr.testing.assert_allclose(skills.job_openings, expected)
    assert "job openings a year" in stdout


def test_skills_writes_the_tightness_by_default_with_its_years_without_figures(capsys, tmp_path):
    out = tmp_path / "skills.nc"
    code, _, err = run(capsys, "skills", "--region", "kainuu", "--scenario", "baseline", "--horizon", "2030",
                       "--out", str(out))
    assert code == 0, err
    skills = xr.open_dataset(out)
    history, forecast = skills.tightness_history, skills.tightness_forecast
    assert "no_figure" in forecast.attrs and np.isfinite(history).any() and np.isfinite(forecast).any()
    # a year has a history figure or a forecast one, so NaN marks the other's years
    assert not (np.isfinite(history) & np.isfinite(forecast)).any()


def test_an_infinite_value_is_refused_even_where_nan_means_no_figure(tmp_path):
    from toolkit.io.results import check_finite

    ds = xr.Dataset({"tightness_history": ("tightness_year", [0.5, np.nan], {"no_figure": "outside the history"})})
    check_finite(ds, tmp_path / "x.nc")
    ds["tightness_history"][1] = np.inf
    with pytest.raises(InputError, match="tightness_history is inf"):
        check_finite(ds, tmp_path / "x.nc")
    with pytest.raises(InputError, match="flows is nan"):
        check_finite(xr.Dataset({"flows": ("year", [np.nan, 1.0, np.nan])}), tmp_path / "x.nc")


def test_skills_refuses_a_lever_that_makes_participation_negative(capsys, tmp_path):
    scenario = write(tmp_path, VALID + '  participation_change: {"65-74": -30}\n')
    assert_refused(capsys, tmp_path, "skills", "--region", "kainuu", "--scenario", scenario, "--no-tightness",
                   match="participation")


def test_the_public_api_names():
    import toolkit

    assert toolkit.load_region("MK18").id == "kainuu"
    assert toolkit.load_scenario("baseline").id == "baseline"
    ds = toolkit.project_population("raahe", "baseline", horizon=2030)
    skills = toolkit.project_skills(ds, tightness=False)
    assert skills.job_openings.dims[:3] == ("region", "scenario", "year")
