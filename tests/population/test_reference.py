"""The official projection beside ours: the shipped file, the reference line, the decomposition, probabilities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import DataError, InputError
from toolkit.io.official import load_official_projection, official_projection
from toolkit.io.params import validate_frame
from toolkit.population import reference, statements
from toolkit.population.project import project_population
from toolkit.regions import maakunnat
from toolkit.viz.population import fan_chart, futures_cone
from toolkit.viz.reference import add_official_projection


def test_shipped_official_projection_is_statistics_finlands():
    table = load_official_projection()
    country = table.sel(region_code="SSS").sum(["sex", "age"])
    assert float(country.sel(year=2024)) == 5_640_527 and float(country.sel(year=2040)) == 5_999_124
    regions = table.drop_sel(region_code="SSS").sum(["region_code", "sex", "age"])
    assert np.all(np.abs(regions - country) < 2000)  # municipal figures aggregated: within 0.04 %
    kainuu = official_projection(["MK18"])
    assert kainuu.dims == ("region", "year", "sex", "age") and float(kainuu.sel(year=2040).sum()) == 62_552
    with pytest.raises(InputError, match="maakunnat and SSS only"):
        official_projection(["KU109"])


def test_official_file_validation_names_the_problem(tmp_path):
    frame = pd.DataFrame({"region_code": ["MK18"], "year": [2024], "sex": ["F"], "age": [0], "population": [-5]})
    with pytest.raises(DataError):
        validate_frame("official_projection_2024", frame.astype(str), tmp_path / "official_projection_2024.csv")


@pytest.fixture(scope="module")
def national():
    return project_population(maakunnat(), ["baseline", "vitality", "no-migration"], horizon=2045, draws=200,
                              seed=1, quantiles=True, group_draws=True)


def test_reference_line_on_fan_chart_and_cone(national):
    official = official_projection(["MK18"]).isel(region=0)
    for figure in (fan_chart(national, "kainuu", "total", lang="en"),
                   futures_cone(national, "kainuu", "total", lang="en")):
        with_line = add_official_projection(figure, official, "total", lang="en")
        assert len(with_line.data) == len(figure.data) + 1
        line = with_line.data[-1]
        assert line.name == "Statistics Finland's projection 2024" and line.y[-1] == pytest.approx(61_219)
    note = add_official_projection(figure, None, lang="fi")
    assert "ei ole" in note.layout.legend.title.text and len(note.data) == len(figure.data)


def test_decomposition_explains_the_difference_from_the_official_projection():
    table = reference.decompose_official_difference(2040)
    assert len(table) == 19
    # the official's implied national net migration is close to its published assumption (about 40,000 a year)
    assert 35_000 < table["official_net_migration"].sum() < 50_000
    assert 1.1 < table["official_tfr"].mean() < 1.6
    assert (table.set_index("region_code").loc["MK10", "main"]) == "migration"
    parts = table[["jump_off", "migration", "fertility", "mortality"]].sum(axis=1)
    np.testing.assert_allclose(parts, table["difference"], rtol=1e-9)
    sentences = reference.decomposition_sentences(table, "fi")
    assert sentences["MK18"].startswith("Kainuu: perusura poikkeaa") and "muuttoliikkeen vuoksi" in sentences["MK18"]


def test_probability_statements_from_draws_and_from_quantiles(national):
    draws = statements.chance_below(national, "kainuu", "15-64", 2040, lang="en")
    quantiles = statements.chance_below(national.drop_vars("population_group_draw"), "kainuu", "15-64", 2040)
    assert draws["method"] == "draws" and quantiles["method"] == "quantiles"
    assert abs(draws["probability"] - quantiles["probability"]) < 0.05  # the CDF interpolated between quantiles
    assert draws["text"].startswith("The chance that the working-age population (15–64) of 2040 is below today's")
    spread = statements.likely_range(national, "kainuu", "75+", 2035, lang="fi")
    q = national.population_group.sel(region="kainuu", scenario="baseline", age_group="75+", year=2035)
    assert spread["low"] < float(q.sel(quantile=0.5)) < spread["high"]
    assert "(8 tapausta 10:stä)" in spread["text"]
    with pytest.raises(InputError, match="deterministic"):
        statements.chance_below(project_population("kainuu", horizon=2030), "kainuu")
