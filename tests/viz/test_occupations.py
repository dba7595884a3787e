"""Figures of the occupation and education layer (toolkit/viz/occupations.py) on a synthetic skills run."""

from __future__ import annotations

import numpy as np
import pytest

from tests.skills.test_skills import Levers, Scenario, make_base, make_population
from toolkit.errors import InputError
from toolkit.skills import load_assumptions, project_skills
from toolkit.text import t
from toolkit.viz import occupations as vo


@pytest.fixture(scope="module")
def skills():
    scenarios = [Scenario("base", Levers()), Scenario("alt", Levers(participation_change={"25-54": 3.0}))]
    return project_skills(make_population(stationary=False), scenarios, base=make_base(),
                          assumptions=load_assumptions(), tightness=True)


def test_occupation_openings_chart_stacks_expansion_and_replacement_of_the_top_groups(skills):
    fig = vo.occupation_openings_chart(skills, "area_a", "base", top=5, lang="sv")
    expansion, replacement = fig.data
    window = skills.sel(region="area_a", scenario="base", year=slice(2026, 2035))
    total = (window["expansion_demand_by_occupation"].clip(min=0) + window["replacement_demand_by_occupation"]).sum(
        "year")
    # six bars: five groups and the rest; together they are every opening of the period
    assert len(expansion.y) == 6 and expansion.y[0] == t("skills_occupation_other", "sv")
    assert sum(expansion.x) + sum(replacement.x) == pytest.approx(float(total.sum()))
    top = str(total.idxmax("occupation").values)
    assert expansion.y[-1] == t(f"occupation_{top}", "sv")
    assert "2026–2035" in fig.layout.title.text


def test_education_chart_shows_openings_and_entrants_of_five_levels(skills):
    fig = vo.education_openings_chart(skills, "area_b", "alt", lang="fi")
    openings, entrants = fig.data
    assert list(openings.x) == [t(f"edu_level_{level}", "fi") for level in
                                ("basic", "upper_secondary_general", "vocational", "uas", "university")]
    window = skills.sel(region="area_b", scenario="alt", year=slice(2026, 2035))
    assert sum(entrants.y) == pytest.approx(float(window["new_entrants"].sum()))
    assert np.sum(openings.customdata) == pytest.approx(100.0)


def test_balance_chart_has_one_trace_per_scenario_with_the_reference_shortages(skills):
    fig = vo.occupation_balance_chart(skills, "area_a", "base", top=4, lang="en")
    assert [trace.name for trace in fig.data] == ["base", "alt"]
    balance = skills["occupation_balance"].sel(region="area_a", scenario="base", year=slice(2026, 2035)).sum("year")
    np.testing.assert_allclose(fig.data[0].x, np.sort(balance.values)[:4][::-1])  # largest shortage at the top


def test_tightness_chart_joins_history_and_forecast_with_a_band(skills):
    fig = vo.tightness_chart(skills, "area_a", "1", lang="en")
    band, history, forecast = fig.data
    assert forecast.x[0] == history.x[-1] and forecast.y[0] == history.y[-1]
    assert forecast.x[-1] == int(skills["year"][-1])
    assert band.fill == "toself" and "80 %" in band.name


def test_pack_section_sentences_and_figures(skills):
    sentences, figures = vo.occupation_section(skills, "area_a", "base", lang="sv", region_name="Område",
                                               major_groups=("1", "2"))
    assert len(figures) == 5 and sentences[0].startswith("Område:")
    with pytest.raises(InputError, match="no job_openings_by_education"):
        vo.education_openings_chart(skills.drop_vars("job_openings_by_education"), "area_a", "base")
