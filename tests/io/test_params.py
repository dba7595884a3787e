"""Tests of toolkit.io.params: the shipped base data, the loaders and the validator of each file kind."""

from __future__ import annotations

import hashlib
import importlib.util
import itertools
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from toolkit.errors import DataError
from toolkit.io import params as data

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "params" / "data"
SHARED = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def fresh_caches():
    data.clear_caches()
    yield
    data.clear_caches()


@pytest.fixture
def params_copy(tmp_path, monkeypatch) -> Path:
    """A params directory in tmp_path with the shipped data files, selected by FORUM_PARAMS_DIR."""
    shutil.copytree(SHIPPED, tmp_path / "data", ignore=shutil.ignore_patterns("*.md"))
    monkeypatch.setenv(data.PARAMS_ENV, str(tmp_path))
    return tmp_path


def edit_lines(params: Path, kind: str, edit) -> Path:
    """Rewrite one data file of ``params`` with ``edit(lines) -> lines`` (lines without newlines)."""
    path = params / "data" / f"{kind}.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


def set_cell(line: str, column: int, value: str) -> str:
    cells = line.split(",")
    cells[column] = value
    return ",".join(cells)


def replace_cell(line: int, column: int, value: str):
    """An edit that sets one cell of file line ``line`` (the header is line 1)."""
    return lambda lines: [*lines[:line - 1], set_cell(lines[line - 1], column, value), *lines[line:]]


def drop_line(line: int):
    return lambda lines: [*lines[:line - 1], *lines[line:]]


# ------------------------------------------------------------------------------------------ shipped figures


def test_regional_totals_2025_and_finland_2023():
    population = data.load_population()
    by_region = population.sum(["sex", "age"])
    regions = by_region.drop_sel(region_code="SSS")
    assert regions.sel(year=2025).sum().item() == 5_652_881
    assert by_region.sel(region_code="SSS", year=2025).item() == 5_652_881
    assert by_region.sel(region_code="SSS", year=2023).item() == 5_603_851
    xr.testing.assert_equal(regions.sum("region_code"), by_region.sel(region_code="SSS", drop=True))
    assert population.attrs["open_age"] == 100


EXPECTED_ARRAYS = {
    # loader: (dims, shape)
    "load_population": (("region_code", "year", "sex", "age"), (20, 16, 2, 101)),
    "load_tfr": (("region_code", "year"), (20, 36)),
    "load_life_expectancy": (("region_code", "year", "sex"), (20, 33, 2)),
    "load_net_migration_age5": (("region_code", "year", "sex", "age_start"), (20, 36, 2, 16)),
    "load_net_migration_total": (("region_code", "year"), (20, 36)),
    "load_asfr_national": (("year", "age"), (31, 35)),
    "load_qx_national": (("year", "sex", "age"), (8, 2, 100)),
    "load_mx_wpp": (("period_start", "sex", "age_start"), (30, 2, 22)),
    "load_municipality_age_groups": (("municipality_code", "age_start"), (310, 20)),
    "load_workplaces": (("municipality_code", "industry"), (310, 22)),
    "load_main_activity": (("municipality_code", "activity"), (310, 6)),
    "load_education": (("municipality_code", "level"), (310, 5)),
    "load_jobs_by_occupation": (("occupation",), (11,)),
    "load_education_attainment": (("geo", "year", "level"), (8, 17, 3)),
    "load_lfs_by_age_sex": (("sex", "age_start"), (3, 6)),
    "load_lfs_region": (("region_code",), (20,)),
    "load_jobseekers_vacancies": (("region_code", "month", "occupation"), (19, 214, 10)),
}
# cells the source leaves empty (suppressed or not published): loader -> (variable, selection, count)
DOCUMENTED_GAPS = {
    "load_lfs_by_age_sex": ("unemployed", {"age_start": 65}, 3),
    "load_education_attainment": ("percent", {"geo": ["FI2", "FI20"], "level": "low", "year": [2023, 2024]},
                                  4),
}


def variables_of(obj) -> dict[str, xr.DataArray]:
    return dict(obj.data_vars) if isinstance(obj, xr.Dataset) else {obj.name: obj}


@pytest.mark.parametrize("loader", sorted(EXPECTED_ARRAYS))
def test_array_loaders_are_complete_and_labelled(loader):
    dims, shape = EXPECTED_ARRAYS[loader]
    obj = getattr(data, loader)()
    assert tuple(obj.dims) == dims
    assert tuple(obj.sizes[d] for d in dims) == shape
    for name, variable in variables_of(obj).items():
        assert variable.attrs["units"] and variable.attrs["long_name"], name
        assert variable.attrs["source"].startswith(("Source: ", "United Nations")), name
        gaps = int(np.isnan(variable.values).sum())
        if loader in DOCUMENTED_GAPS and DOCUMENTED_GAPS[loader][0] == name:
            _, where, count = DOCUMENTED_GAPS[loader]
            assert gaps == count and bool(variable.sel(where).isnull().all())
        else:
            assert gaps == 0, name
        assert np.isfinite(variable.values[~np.isnan(variable.values)]).all()


@pytest.mark.parametrize(("loader", "shape", "key"), [
    ("load_national_indicators", (74, 8), "year"),
    ("load_municipalities", (1543, 7), ["municipality_code", "year", "sex"]),
    ("load_lfs_by_industry", (16, 3), "industry_group"),
])
def test_frame_loaders(loader, shape, key):
    frame = getattr(data, loader)()
    assert frame.shape == shape
    assert not frame.duplicated(key).any()
    assert frame.notna().all().all()
    assert frame.attrs["source"]


def test_unit_conversions_keep_the_published_figures():
    assert data.load_qx_national().sel(year=2017, sex="F", age=0).item() == pytest.approx(0.00189, abs=1e-12)
    assert data.load_asfr_national().sel(year=2000, age=15).item() == pytest.approx(0.000757, abs=1e-12)
    indicators = data.load_national_indicators().set_index("year")
    assert indicators.loc[1950, "births"] == 98_369 and indicators.loc[1950, "deaths"] == 42_536
    assert data.load_mx_wpp().sel(period_start=1950, sex="F", age_start=0).item() == pytest.approx(0.029997)


def test_coordinates_on_dimensions():
    migration = data.load_net_migration_age5()
    assert migration["age_end"].sel(age_start=75).item() == 100
    np.testing.assert_array_equal(migration["age_end"].values[:-1], migration["age_start"].values[1:] - 1)
    mx = data.load_mx_wpp()
    np.testing.assert_array_equal(mx["period_end"] - mx["period_start"], 5)
    assert (mx["status"] == "estimate").sum().item() == 14  # 1950-1955 ... 2015-2020
    assert mx["status"].sel(period_start=2020).item() == "mixed"
    asfr = data.load_asfr_national()
    assert set(asfr["status"].sel(year=slice(None, 2021)).values) == {"estimate"}
    assert set(asfr["status"].sel(year=slice(2022, None)).values) == {"projection"}
    assert "3-year" in data.load_life_expectancy().attrs["long_name"]


def test_migration_series_agree():
    """The age groups add up to the totals, and the regions to the country's net international migration."""
    by_age = data.load_net_migration_age5().sum(["sex", "age_start"])
    xr.testing.assert_equal(by_age, data.load_net_migration_total())
    total = data.load_net_migration_total()
    xr.testing.assert_equal(total.drop_sel(region_code="SSS").sum("region_code"),
                            total.sel(region_code="SSS", drop=True))


def test_paavo_sections_add_up_to_the_published_workplace_totals():
    workplaces = data.load_workplaces().sum("industry")
    assert workplaces.sel(municipality_code="KU109").item() == 28_038  # Hämeenlinna, 2017
    assert workplaces.sel(municipality_code="KU743").item() == 30_989  # Seinäjoki, 2017


def test_jobseekers_regions_add_up_per_month():
    series = data.load_jobseekers_vacancies()
    assert series["month"].values[0] == "2006-01" and series["month"].values[-1] == "2023-10"
    assert (series["unemployed_jobseekers"] >= 0).all() and (series["open_vacancies"] >= 0).all()


# ------------------------------------------------------------------------------------------ caching, paths


def test_loaders_return_independent_copies():
    first = data.load_tfr()
    first[:] = -1.0
    assert (data.load_tfr() > 0).all()


def test_params_dir_follows_the_environment(params_copy):
    assert data.params_dir() == params_copy
    edit_lines(params_copy, "tfr", replace_cell(2, 2, "1.5"))
    assert data.load_tfr().sel(region_code="MK01", year=1990).item() == 1.5


def test_data_provenance_hashes_the_files():
    provenance = data.data_provenance()
    assert set(provenance) == {f"{kind}.csv" for kind in data.FILE_SPECS}
    digest = hashlib.sha256((SHIPPED / "population.csv").read_bytes()).hexdigest()
    source = data.load_population().attrs["source"]
    assert provenance["population.csv"] == {"sha256": digest, "source": source}


# ------------------------------------------------------------------------------------------ broken files

# line 2 of population.csv is MK01, 2010, F, age 0; columns: region_code, year, sex, age, population
BROKEN_POPULATION = {
    "missing column": (lambda ls: [",".join(line.split(",")[:4]) for line in ls], 1, "population",
                       "missing column"),
    "non-numeric": (replace_cell(10, 4, "12x"), 10, "population", "not a number"),
    "duplicate key": (lambda ls: [*ls[:10], ls[9], *ls[11:]], 11, "age", "duplicate key"),
    "negative count": (replace_cell(5, 4, "-3"), 5, "population", "negative count"),
    "missing age": (drop_line(7), 7, "age", "missing row for region_code=MK01, year=2010, sex=F, age=5"),
    "NaN": (replace_cell(20, 4, "NaN"), 20, "population", "missing value"),
    "empty cell": (replace_cell(20, 4, ""), 20, "population", "missing value"),
    "infinite": (replace_cell(20, 4, "inf"), 20, "population", "not finite"),
    "fraction": (replace_cell(20, 4, "10.5"), 20, "population", "not an integer"),
    "unknown sex": (replace_cell(3, 2, "X"), 3, "sex", "not allowed"),
    "bad region code": (replace_cell(3, 0, "MK03"), 3, "region_code", "pattern"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_POPULATION))
def test_broken_population_file_names_file_line_and_column(params_copy, case):
    edit, line, column, message = BROKEN_POPULATION[case]
    path = edit_lines(params_copy, "population", edit)
    with pytest.raises(DataError, match=message) as raised:
        data.load_population()
    assert (raised.value.path, raised.value.row, raised.value.column) == (str(path), line, column)
    assert str(path) in str(raised.value) and f"line {line}" in str(raised.value)


def test_region_sum_mismatch_is_reported_on_the_country_row(params_copy):
    path = edit_lines(params_copy, "population", replace_cell(2, 4, "9175"))
    country_line = next(i for i, line in enumerate(path.read_text().splitlines(), 1)
                        if line.startswith("SSS,2010,F,0,"))
    with pytest.raises(DataError, match="regions sum to 29760 but SSS is 29759") as raised:
        data.load_population()
    assert (raised.value.row, raised.value.column) == (country_line, "population")


def test_a_missing_maakunta_is_reported(params_copy):
    edit_lines(params_copy, "population", lambda ls: [line for line in ls if not line.startswith("MK18,")])
    with pytest.raises(DataError, match="maakunta MK18 is missing") as raised:
        data.load_population()
    assert raised.value.column == "region_code"


# other kinds: (kind, edit, line, column, message); the line numbers are those of the shipped files
BROKEN_OTHERS = {
    "implausible tfr": ("tfr", replace_cell(3, 2, "7.2"), 3, "tfr", "implausible value 7.2"),
    "qx above one": ("qx_national", replace_cell(4, 3, "1.2"), 4, "qx", "implausible value"),
    "missing year": ("tfr", lambda ls: [line for line in ls if ",2000," not in line], 12, "year",
                     "not consecutive"),
    "overlapping age groups": ("net_migration_age5", replace_cell(2, 4, "9"), 2, "age_end",
                               "'age_end' differs"),
    "region with a missing group": ("net_migration_age5", drop_line(17), 17, "age_start",
                                    "missing row for region_code=MK01, year=1990, sex=F, age_start=75"),
    "suppressed cell in a count column": ("lfs_by_age_sex_2020", replace_cell(2, 3, ""), 2, "population",
                                          "missing value"),
    "unexpected column": ("tfr", lambda ls: [line + ",x" for line in ls], 1, "x", "unexpected column"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_OTHERS))
def test_broken_files_of_other_kinds(params_copy, case):
    kind, edit, line, column, message = BROKEN_OTHERS[case]
    path = edit_lines(params_copy, kind, edit)
    with pytest.raises(DataError, match=message) as raised:
        data.read_frame(kind, path)
    assert (raised.value.row, raised.value.column) == (line, column)


def test_a_missing_file_is_a_data_error(params_copy):
    (params_copy / "data" / "tfr.csv").unlink()
    with pytest.raises(DataError, match="file not found"):
        data.load_tfr()


def test_validate_frame_on_a_fetched_table():
    """A downloader's typed table is checked with the same rules; row i is reported as line i + 2."""
    frame = data.load_population().to_dataframe().reset_index()
    frame["population"] = frame["population"].astype(int)
    data.validate_frame("population", frame, "fetched.csv")
    frame.loc[7, "population"] = -1
    with pytest.raises(DataError, match="fetched.csv, line 9, column 'population'"):
        data.validate_frame("population", frame, "fetched.csv")


def test_municipal_areas_may_have_their_own_years():
    """Rows of a refreshed municipal area (KU109) need complete ages and sexes, but not every year."""
    grid = pd.DataFrame(list(itertools.product(["KU109", "SSS"], [2020], ["F", "M"], range(101))),
                        columns=["region_code", "year", "sex", "age"]).assign(population=1)
    data.validate_frame("population", grid, "area.csv")
    with pytest.raises(DataError, match="region_code=KU109, year=2020, sex=M, age=100"):
        data.validate_frame("population", grid.drop(index=201), "area.csv")


def test_unknown_kind_is_rejected():
    with pytest.raises(DataError, match="unknown data file kind 'populations'"):
        data.validate_frame("populations", pd.DataFrame(), "x.csv")


# ------------------------------------------------------------------------------------------ build script


@pytest.mark.skipif(not SHARED.exists(), reason="the compiled source tables (../shared/data) are not here")
def test_build_script_reproduces_the_committed_files(tmp_path):
    spec = importlib.util.spec_from_file_location("build_params", REPO / "tools" / "build_params.py")
    build_params = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_params)
    build_params.build(SHARED, tmp_path)
    for path in sorted(SHIPPED.iterdir()):
        assert (tmp_path / "data" / path.name).read_bytes() == path.read_bytes(), path.name
    assert (tmp_path / "regions.yaml").read_bytes() == (REPO / "params" / "regions.yaml").read_bytes()
