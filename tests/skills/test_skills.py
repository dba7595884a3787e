"""Tests of the skills-demand model on tiny synthetic areas (toolkit/skills)."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.tsa.statespace.sarimax import SARIMAX

from toolkit.errors import InputError
from toolkit.io.params import params_dir
from toolkit.nomenclature import EDUCATION_LEVELS, INDUSTRIES, MITENNA_OCCUPATIONS
from toolkit.report import skills_sentences
from toolkit.skills import (
    SkillsBase,
    headline_indicators,
    load_assumptions,
    project_skills,
)
from toolkit.skills import demand as dm
from toolkit.skills.base import education_shares, industry_shares, rate_by_age
from toolkit.skills.tightness import forecast_tightness, tightness_annual

AGES = np.arange(101)
YEARS = np.arange(2025, 2041)
REGIONS = ["area_a", "area_b"]
EMPLOYMENT_BY_GROUP = {15: 0.35, 25: 0.80, 35: 0.85, 45: 0.84, 55: 0.65, 65: 0.10}
PARTICIPATION_BY_GROUP = {15: 0.45, 25: 0.86, 35: 0.89, 45: 0.88, 55: 0.70, 65: 0.11}


@dataclasses.dataclass
class Levers:
    participation_change: dict = dataclasses.field(default_factory=dict)
    retirement_age_shift: float = 0.0
    industry_growth: dict = dataclasses.field(default_factory=dict)
    productivity_growth: float = 0.0


@dataclasses.dataclass
class Scenario:
    id: str
    levers: Levers

    def levers_for(self, region_id):
        return self.levers


def step_rate(by_group):
    """Rate by single age from 10-year groups starting at the keys (zero outside 15-74)."""
    values = np.zeros(AGES.size)
    for start, rate in by_group.items():
        values[start : start + 10] = rate
    return xr.DataArray(
        np.stack([values, values * 0.95]), coords={"sex": ["F", "M"], "age": AGES}, dims=("sex", "age")
    )


def make_population(growth_75=0.0, stationary=True, seed=1):
    """A population run: 2 areas x 2 scenarios, stationary unless told, deaths 1 % rising with age."""
    rng = np.random.default_rng(seed)
    profile = 1000 * np.exp(-np.maximum(AGES - 60, 0) / 12)
    shape = (len(REGIONS), 2, YEARS.size, 2, AGES.size)
    people = np.broadcast_to(profile, shape) * rng.uniform(0.8, 1.2, size=(len(REGIONS), 1, 1, 2, 1))
    people = np.array(people)
    if not stationary:
        people *= np.linspace(1.0, 0.9, YEARS.size)[None, None, :, None, None]
    extra = 1 + growth_75 * (YEARS - YEARS[0])[:, None, None] * (AGES >= 75)[None, None, :]
    people *= extra[None, None]
    coords = {"region": REGIONS, "scenario": ["base", "alt"], "year": YEARS, "sex": ["F", "M"], "age": AGES}
    dims = ("region", "scenario", "year", "sex", "age")
    death_rate = 0.001 + 0.3 * np.exp((AGES - 100) / 10)
    deaths = people * death_rate
    deaths[:, :, 0] = np.nan
    run = xr.Dataset({"population": (dims, people), "deaths": (dims, deaths)}, coords=coords)
    return run.assign_coords(region_code=("region", ["MK98", "KU999"])).assign_attrs(base_year=2025)


def make_base(months=120, seed=2):
    """Synthetic base-year inputs with a seasonal, persistent vacancy series for one region code."""
    rng = np.random.default_rng(seed)
    shares = rng.dirichlet(np.ones(len(INDUSTRIES)), size=len(REGIONS))
    month = pd.period_range("2010-01", periods=months, freq="M").strftime("%Y-%m")
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(months) / 12)
    cycle = np.exp(np.cumsum(rng.normal(0, 0.08, size=(1, 3, months)), axis=-1))  # persistent log level
    vacancies = rng.poisson(200 * season * cycle).astype(float)
    jobseekers = rng.poisson(800, size=(1, 3, months)).astype(float)
    series = {"region_code": ["MK98"], "occupation": ["1", "2", "3"], "month": month}
    region = {"region": REGIONS}
    return SkillsBase(
        industry_shares=xr.DataArray(
            shares, coords={**region, "industry": list(INDUSTRIES)}, dims=("region", "industry")
        ),
        employment_rate=step_rate(EMPLOYMENT_BY_GROUP),
        participation_rate=step_rate(PARTICIPATION_BY_GROUP),
        area_employment_rate=xr.DataArray([0.70, 0.66], coords=region, dims="region"),
        area_participation_rate=xr.DataArray([0.76, 0.72], coords=region, dims="region"),
        education_shares=xr.DataArray(
            [[0.2, 0.1, 0.35, 0.2, 0.15], [0.25, 0.1, 0.4, 0.15, 0.1]],
            coords={**region, "education": list(EDUCATION_LEVELS)},
            dims=("region", "education"),
        ),
        vacancies=xr.DataArray(vacancies, coords=series, dims=tuple(series)),
        jobseekers=xr.DataArray(jobseekers, coords=series, dims=tuple(series)),
        tightness_code=xr.DataArray(["MK98", "MK98"], coords=region, dims="region"),
        provenance={"synthetic": "test"},
        occupation_shares=xr.DataArray(
            rng.dirichlet(np.ones(len(MITENNA_OCCUPATIONS)), size=(5, len(INDUSTRIES))),
            coords={"structure_year": np.arange(2012, 2017), "industry": list(INDUSTRIES),
                    "occupation": list(MITENNA_OCCUPATIONS)},
            dims=("structure_year", "industry", "occupation"),
        ),
        entrant_education=xr.DataArray(
            [[0.1, 0.1, 0.4, 0.25, 0.15], [0.12, 0.08, 0.45, 0.2, 0.15]],
            coords={**region, "education": list(EDUCATION_LEVELS)},
            dims=("region", "education"),
        ),
    )


@pytest.fixture(scope="module")
def base():
    return make_base()


@pytest.fixture(scope="module")
def assumptions():
    return load_assumptions()


def run(population, base, assumptions, base_levers=None, alt_levers=None, **kwargs):
    scenarios = [Scenario("base", base_levers or Levers()), Scenario("alt", alt_levers or Levers())]
    return project_skills(
        population,
        scenarios,
        base=base,
        assumptions=assumptions,
        tightness=kwargs.pop("tightness", False),
        **kwargs,
    )


@pytest.fixture(scope="module")
def result(base, assumptions):
    growth = {"default": 1.0, "C": -4.0, "J": 3.0}
    return run(
        make_population(stationary=False),
        base,
        assumptions,
        alt_levers=Levers(
            industry_growth=growth,
            productivity_growth=0.5,
            participation_change={"55-64": 5.0},
            retirement_age_shift=1.0,
        ),
        tightness=True,
        tightness_until=2014 + 10,
    )


# ------------------------------------------------------------------------------------------ identities


def test_openings_identity_everywhere(result):
    projected = result.sel(year=slice(2026, None))
    expected = projected["expansion_demand"].clip(min=0) + projected["replacement_demand"]
    xr.testing.assert_allclose(projected["job_openings"], expected)
    xr.testing.assert_allclose(
        projected["replacement_demand"], projected["exits_retirement"] + projected["exits_mortality"]
    )
    assert bool(projected["job_openings"].notnull().all())
    assert bool(result["job_openings"].sel(year=2025).isnull().all())


def test_expansion_is_the_change_in_demand(result):
    demand = result["labour_demand"]
    xr.testing.assert_allclose(
        result["expansion_demand"].sel(year=slice(2026, None)),
        (demand - demand.shift(year=1)).sel(year=slice(2026, None)),
    )


def test_industry_totals_sum_to_total_employment(result, base):
    population = make_population(stationary=False)["population"]
    rate = base.employment_rate
    working = population.isel(year=0).sel(age=slice(15, 64))
    implied = (working * rate).sum(["sex", "age"]) / working.sum(["sex", "age"])
    total = (population * rate * base.area_employment_rate / implied).sum(["sex", "age"])
    xr.testing.assert_allclose(  # the alternative works longer (retirement_age_shift): more employed later
        result["employment"].sum("industry").sel(scenario="base"),
        total.transpose(*result["employment"].dims[:-1]).sel(scenario="base"),
    )
    longer = result["employment"].sum("industry").sel(year=slice(2026, None))
    assert bool((longer.sel(scenario="alt") > longer.sel(scenario="base")).all())
    xr.testing.assert_allclose(result["employment"].sel(year=2025), result["labour_demand"].sel(year=2025))
    # the area's 15-64 employment rate in the base year equals the LFS rate given
    employed_share = total.isel(year=0) / population.isel(year=0).sel(age=slice(15, 64)).sum(["sex", "age"])
    assert np.isclose(float(employed_share.sel(region="area_a", scenario="base")), 0.70, rtol=0.2)


def test_zero_growth_gives_openings_equal_to_replacement(base, assumptions):
    out = run(make_population(stationary=True), base, assumptions).sel(year=slice(2026, None))
    np.testing.assert_allclose(out["expansion_demand"], 0.0, atol=1e-9)
    xr.testing.assert_allclose(out["job_openings"], out["replacement_demand"])
    assert float(out["replacement_demand"].min()) > 0


def test_declining_industry_still_has_openings(result):
    manufacturing = result.sel(scenario="alt", industry="C", year=slice(2026, None))
    assert bool((manufacturing["expansion_demand"] < 0).all())
    assert bool((manufacturing["job_openings"] > 0).all())
    xr.testing.assert_allclose(manufacturing["job_openings"], manufacturing["replacement_demand"])


def test_growth_and_productivity_levers_compound(result):
    demand = result["labour_demand"].sel(scenario="alt", industry="J")
    elapsed = demand["year"] - 2025
    expected = demand.sel(year=2025) * (1.03 / 1.005) ** elapsed
    xr.testing.assert_allclose(demand, expected)


@settings(max_examples=15, deadline=None)
@given(st.floats(-9.0, 9.0), st.floats(-4.0, 9.0))
def test_openings_never_below_replacement_or_expansion(growth, productivity):
    out = run(
        make_population(stationary=False),
        make_base(months=24),
        load_assumptions(),
        alt_levers=Levers(industry_growth={"default": growth}, productivity_growth=productivity),
    )
    projected = out.sel(year=slice(2026, None))
    assert bool((projected["job_openings"] >= projected["replacement_demand"] - 1e-9).all())
    assert bool((projected["job_openings"] >= projected["expansion_demand"] - 1e-9).all())


# ------------------------------------------------------------------------------------------ drivers


def test_more_people_aged_75_plus_raise_health_and_social_work_demand(base, assumptions):
    plain = run(make_population(stationary=True), base, assumptions)
    older = run(make_population(stationary=True, growth_75=0.02), base, assumptions)
    later = slice(2026, None)
    assert bool(
        (
            older["labour_demand"].sel(industry="Q", year=later)
            > plain["labour_demand"].sel(industry="Q", year=later)
        ).all()
    )
    others = [letter for letter in INDUSTRIES if letter != "Q"]
    xr.testing.assert_allclose(
        older["labour_demand"].sel(industry=others), plain["labour_demand"].sel(industry=others)
    )


def test_education_demand_follows_the_student_population(assumptions):
    population = make_population(stationary=True)["population"]
    younger = population * xr.where(
        (population["age"] >= 6) & (population["age"] <= 18) & (population["year"] > 2025), 1.5, 1.0
    )
    index = dm.driver_index(younger, assumptions.student_weights)
    weights = assumptions.student_weights
    base_weighted = (population.isel(year=0, drop=True) * weights).sum(["sex", "age"])
    school = (population.isel(year=0, drop=True) * weights).sel(age=slice(6, 18)).sum(["sex", "age"])
    expected = (base_weighted + 0.5 * school) / base_weighted
    xr.testing.assert_allclose(index.sel(year=2030, drop=True), expected)


# ------------------------------------------------------------------------------------------ exits


def test_net_exit_hazard_is_the_fall_of_the_rate_profile_from_age_50():
    rate = step_rate(EMPLOYMENT_BY_GROUP).values
    hazard = dm.net_exit_hazard(rate, 50)
    assert hazard[0, 55] == pytest.approx(1 - 0.65 / 0.84)
    assert hazard[0, 65] == pytest.approx(1 - 0.10 / 0.65)
    assert hazard[0, 75] == pytest.approx(1.0)
    assert not hazard[:, :50].any() and not hazard[:, 76:].any()
    # the employed of a cohort that only ages (no deaths) leave exactly at the rate's falls
    remaining = np.cumprod(1 - hazard[0, 50:])
    np.testing.assert_allclose(remaining * rate[0, 49], rate[0, 50:], atol=1e-12)


def test_shifted_profile_moves_older_ages_only():
    rate = step_rate(EMPLOYMENT_BY_GROUP).values
    shifted = dm.shifted_profile(rate, np.array(2.0), 50)
    np.testing.assert_allclose(shifted[:, :50], rate[:, :50])
    np.testing.assert_allclose(shifted[:, 57:67], rate[:, 55:65])
    np.testing.assert_allclose(shifted[:, 50:57], rate[:, 49:50].repeat(7, axis=1)[:, :7], atol=1e-12)
    np.testing.assert_allclose(dm.shifted_profile(rate, np.array(0.0), 50), rate)


def test_exits_count_the_previous_year_stock_at_the_next_age():
    coords = {"year": [2025, 2026], "sex": ["F"], "age": AGES}
    employed = xr.DataArray(np.zeros((2, 1, AGES.size)), coords=coords, dims=("year", "sex", "age"))
    employed.loc[{"year": 2025, "age": 63}] = 100.0
    hazard = xr.DataArray(np.where(AGES == 64, 0.4, 0.0)[None, :], coords={"sex": ["F"], "age": AGES},
                          dims=("sex", "age"))
    death_prob = xr.zeros_like(employed) + np.where(AGES == 64, 0.05, 0.0)
    out = dm.exits(employed, hazard, death_prob).sel(year=2026)
    assert float(out["mortality"]) == pytest.approx(5.0)
    assert float(out["retirement"]) == pytest.approx(100 * 0.95 * 0.4)


def test_death_probability_is_deaths_over_the_cohort_at_the_start():
    population = make_population()
    probability = dm.death_probability(population["population"], population["deaths"])
    cell = {"region": "area_a", "scenario": "base", "sex": "F"}
    start = population["population"].sel(**cell, year=2030, age=69)
    deaths = population["deaths"].sel(**cell, year=2031, age=70)
    assert float(probability.sel(**cell, year=2031, age=70)) == pytest.approx(float(deaths / start))
    open_start = population["population"].sel(**cell, year=2030, age=[99, 100]).sum()
    assert float(probability.sel(**cell, year=2031, age=100)) == pytest.approx(
        float(population["deaths"].sel(**cell, year=2031, age=100) / open_start)
    )


def test_later_retirement_means_fewer_retirements_now(base, assumptions):
    out = run(make_population(), base, assumptions, alt_levers=Levers(retirement_age_shift=2.0))
    retiring = out["exits_retirement"].sum("industry").sel(year=2026)
    assert bool((retiring.sel(scenario="alt") < retiring.sel(scenario="base")).all())


# ------------------------------------------------------------------------------------------ supply


def test_participation_lever_raises_supply_monotonically(base, assumptions):
    supplies = []
    for points in (-10.0, 0.0, 5.0, 15.0):
        out = run(
            make_population(), base, assumptions, alt_levers=Levers(participation_change={"55-64": points})
        )
        supplies.append(out["labour_supply"].sel(scenario="alt", year=slice(2026, None)))
    for lower, higher in zip(supplies, supplies[1:], strict=False):
        assert bool((higher > lower).all())
    unchanged = run(make_population(), base, assumptions)["labour_supply"]
    np.testing.assert_allclose(unchanged.sel(scenario="alt"), unchanged.sel(scenario="base"))


def test_labour_balance_definition(result):
    supply = result["labour_supply"]
    demand = result["labour_demand"].sum("industry")
    employed = result["employment"].sum("industry")
    expected = supply - demand * supply.sel(year=2025) / employed.sel(year=2025)
    xr.testing.assert_allclose(result["labour_balance"], expected)
    np.testing.assert_allclose(result["labour_balance"].sel(year=2025), 0.0, atol=1e-6)


def test_new_entrants_are_participation_gains_by_age(result, base):
    out = run(make_population(stationary=True), base, load_assumptions())
    population = make_population(stationary=True)["population"].sel(year=2030)
    scale = dm.scale_to_area(
        make_population(stationary=True)["population"], base.participation_rate, base.area_participation_rate
    )
    rate = base.participation_rate * scale
    gains = sum(
        population.sel(age=age, drop=True) * (rate.sel(age=age, drop=True) - rate.sel(age=age - 1, drop=True))
        for age in (15, 25, 35)
    )
    xr.testing.assert_allclose(
        out["new_entrants"].sel(year=2030, drop=True), gains.sum("sex").transpose("region", "scenario")
    )


def test_supply_by_education_adds_up(result):
    xr.testing.assert_allclose(result["labour_supply_by_education"].sum("education"), result["labour_supply"])


# ------------------------------------------------------------------------------------------ errors


def test_negative_participation_after_change_is_an_input_error(base, assumptions):
    with pytest.raises(InputError, match="participation_change.*0..1"):
        run(make_population(), base, assumptions, alt_levers=Levers(participation_change={"65-74": -20.0}))


@pytest.mark.parametrize(
    "levers, message",
    [
        (Levers(industry_growth={"Z": 1.0}), "not TOL 2008 sections"),
        (Levers(participation_change={"55 to 64": 1.0}), "not of the form"),
        (Levers(productivity_growth=-100.0), "above -100"),
    ],
)
def test_bad_levers_are_input_errors(base, assumptions, levers, message):
    with pytest.raises(InputError, match=message):
        run(make_population(), base, assumptions, alt_levers=levers)


def test_missing_scenario_object_is_an_input_error(base, assumptions):
    with pytest.raises(InputError, match="no scenario object"):
        project_skills(
            make_population(),
            [Scenario("base", Levers())],
            base=base,
            assumptions=assumptions,
            tightness=False,
        )


def test_missing_deaths_is_an_input_error(base, assumptions):
    with pytest.raises(InputError, match="'deaths' is missing"):
        run(make_population().drop_vars("deaths"), base, assumptions)


def broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "skills"
    shutil.copytree(params_dir() / "skills", folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "name, old, new, message",
    [
        (
            "education_levels.yaml",
            "vocational: {vocational: 1.0}",
            "vocational: {vocational: 0.7, uas: 0.2}",
            "sum to 0.9",
        ),
        (
            "demand_drivers.yaml",
            '{ages: "75-84", weight: 5.0}',
            '{ages: "76-84", weight: 5.0}',
            "ages 75..75",
        ),
        (
            "demand_drivers.yaml",
            '{ages: "85+", weight: 12.0}',
            '{ages: "85+", weight: -1}',
            "outside the allowed",
        ),
        ("retirement.yaml", "label: assumption", "label: data", "label: assumption"),
        ("retirement.yaml", "from_age: 50", "from_age: [50]", "expected a number"),
        (
            "structure.yaml",
            "industry_age_structure:\n  label",
            "industry_age_structure: [\n  label",
            "not valid YAML",
        ),
    ],
)
def test_broken_assumption_files_are_input_errors(tmp_path, name, old, new, message):
    with pytest.raises(InputError, match=message) as error:
        load_assumptions(broken_copy(tmp_path, name, old, new))
    assert name in str(error.value)


def test_assumptions_are_listed_in_the_output(result):
    records = json.loads(result.attrs["assumptions"])
    ids = {record["id"] for record in records}
    assert {
        "care_need_weights",
        "student_weights",
        "retirement_exits",
        "education_level_map",
        "industry_age_structure",
        "unknown_industry_pro_rata",
    } <= ids
    assert all(record["label"] == "assumption" and record["reasoning"] for record in records)
    assert result.attrs["industry_structure_year"] == 2017
    for name in ("employment", "job_openings", "labour_supply", "tightness_forecast"):
        assert {"units", "long_name"} <= set(result[name].attrs)


def test_care_weights_are_far_higher_at_75_plus(assumptions):
    weights = assumptions.care_need_weights
    assert float(weights.sel(age=80)) >= 4 * float(weights.sel(age=40))
    assert float(weights.sel(age=90)) > float(weights.sel(age=80))


# ------------------------------------------------------------------------------------------ base data


def test_unknown_industry_is_spread_pro_rata():
    jobs = np.arange(1, 23, dtype=float)[None].repeat(2, axis=0)
    workplaces = xr.DataArray(
        jobs,
        coords={"municipality_code": ["KU001", "KU002"], "industry": [*INDUSTRIES, "X"]},
        dims=("municipality_code", "industry"),
    )
    shares = industry_shares(workplaces, ["KU001", "KU002"])
    np.testing.assert_allclose(shares.values, np.arange(1, 22) / np.arange(1, 22).sum())
    with pytest.raises(InputError, match="KU003"):
        industry_shares(workplaces, ["KU003"])


def test_rates_by_single_age_from_ten_year_groups():
    starts = np.arange(15, 75, 10)
    lfs = xr.Dataset(
        {
            "population": (("sex", "age_start"), np.full((3, 6), 100.0)),
            "employed": (("sex", "age_start"), np.array([np.arange(30, 90, 10)] * 3, dtype=float)),
        },
        coords={"sex": ["T", "F", "M"], "age_start": starts, "age_end": ("age_start", starts + 9)},
    )
    rate = rate_by_age(lfs, "employed")
    assert rate.dims == ("sex", "age")
    assert float(rate.sel(sex="F", age=14)) == 0 and float(rate.sel(sex="M", age=75)) == 0
    assert float(rate.sel(sex="F", age=15)) == pytest.approx(0.3)
    assert float(rate.sel(sex="F", age=24)) == pytest.approx(0.3)
    assert float(rate.sel(sex="M", age=74)) == pytest.approx(0.8)


def test_education_shares_use_the_level_map(assumptions):
    levels = ["basic", "matriculation", "vocational", "university_lower", "university_higher"]
    persons = xr.DataArray(
        [[20.0, 10.0, 40.0, 20.0, 10.0]],
        coords={"municipality_code": ["KU001"], "level": levels},
        dims=("municipality_code", "level"),
    )
    shares = education_shares(persons, ["KU001"], assumptions.education_level_map)
    np.testing.assert_allclose(shares.sel(education=list(EDUCATION_LEVELS)), [0.2, 0.1, 0.4, 0.2, 0.1])


# ------------------------------------------------------------------------------------------ tightness


def test_tightness_forecast_intervals_widen_with_horizon(result):
    width = (result["tightness_forecast_upper"] - result["tightness_forecast_lower"]).dropna("tightness_year")
    assert width.sizes["tightness_year"] >= 3
    assert bool((width.diff("tightness_year") > 0).all())
    ahead = result.sel(tightness_year=width["tightness_year"])
    assert bool((ahead["tightness_forecast_lower"] < ahead["tightness_forecast"]).all())
    assert bool((ahead["tightness_forecast"] < ahead["tightness_forecast_upper"]).all())
    assert bool(ahead["tightness_history"].isnull().all())
    np.testing.assert_allclose(
        result["tightness_forecast"].sel(region="area_a"), result["tightness_forecast"].sel(region="area_b")
    )


def test_tightness_history_is_the_geometric_mean_of_the_months(base):
    annual = tightness_annual(base.vacancies, base.jobseekers)
    first_year = [month.startswith("2010") for month in base.vacancies["month"].values]
    monthly = (base.vacancies.isel(month=first_year) + 0.5) / (base.jobseekers.isel(month=first_year) + 0.5)
    expected = np.exp(np.log(monthly).mean("month"))
    xr.testing.assert_allclose(annual.sel(tightness_year=2010, drop=True), expected)
    partial = tightness_annual(
        base.vacancies.isel(month=slice(0, 18)), base.jobseekers.isel(month=slice(0, 18))
    )
    assert partial["tightness_year"].values.tolist() == [2010]


def test_tightness_forecast_matches_the_model_and_starts_after_the_data(base):
    forecast = forecast_tightness(base.vacancies, base.jobseekers, 2022, interval=0.9)
    assert forecast["tightness_year"].values.tolist() == [2020, 2021, 2022]
    series = np.log((base.vacancies + 0.5) / (base.jobseekers + 0.5)).isel(region_code=0, occupation=1).values
    fitted = SARIMAX(series, order=(1, 0, 0), seasonal_order=(0, 1, 1, 12)).fit(disp=False)
    prediction = fitted.get_forecast(12)
    # the first forecast year is the mean of the first twelve monthly log forecasts
    median = float(forecast["tightness_forecast"].isel(region_code=0, occupation=1, tightness_year=0))
    assert median == pytest.approx(np.exp(np.mean(prediction.predicted_mean)), rel=1e-6)
    # its interval is wider than a single month's first-step interval and narrower than the twelfth's
    width = np.log(forecast["tightness_forecast_upper"] / forecast["tightness_forecast_lower"]).isel(
        region_code=0, occupation=1, tightness_year=0
    )
    monthly = 2 * norm.ppf(0.95) * np.sqrt(np.asarray(prediction.var_pred_mean))
    assert monthly[0] < float(width) < monthly[-1]


# ------------------------------------------------------------------------------------------ headline


def test_headline_indicators_and_sentences(result):
    extended = result.reindex(year=np.arange(2025, 2051)).fillna(1.0)
    indicators = headline_indicators(extended)
    openings = result["job_openings"].sum("industry").sel(year=slice(2026, 2035)).mean("year")
    xr.testing.assert_allclose(indicators["openings_2026_2035"], openings)
    share = result["job_openings"].sel(industry="Q", year=slice(2026, 2035), drop=True).sum("year") / result[
        "job_openings"
    ].sel(year=slice(2026, 2035)).sum(["industry", "year"])
    xr.testing.assert_allclose(indicators["health_social_share"], share)
    one = indicators.sel(region="area_a", scenario="base")
    for lang in ("fi", "sv", "en"):
        sentences = skills_sentences(one, lang)
        assert set(sentences) == set(indicators.data_vars)
        assert all("2026–2035" in sentences[name] for name in ("retirement_share", "health_social_share"))


def test_shares_read_as_one_in_n_or_as_percent():
    indicators = xr.Dataset(
        {
            "health_social_share": 0.34,
            "retirement_share": 0.78,
            "labour_balance_2035": -3240.0,
            "openings_2026_2035": 12345.0,
        },
        attrs={"share_period": "2026-2035"},
    )
    en = skills_sentences(indicators, "en")
    assert (
        en["health_social_share"]
        == "About one in three job openings in 2026–2035 is in health and social work."
    )
    assert en["retirement_share"] == "About 78% of job openings in 2026–2035 replace workers who retire."
    assert "3,200 persons smaller" in en["labour_balance_2035"]
    fi = skills_sentences(indicators, "fi")
    assert fi["health_social_share"].startswith("Noin joka kolmas")
    assert "12\u00a0300" in fi["openings_2026_2035"]
    assert skills_sentences(indicators, "sv")["health_social_share"].startswith("Ungefär vart tredje")
    with pytest.raises(InputError, match="lang"):
        skills_sentences(indicators, "de")


def test_later_retirement_means_fewer_exits_while_it_rises_and_a_smaller_shortage():
    """The retirement-age lever moves the employment and participation profiles at older ages, reached at the
    assumed pace: replacement openings fall while it rises, the labour force keeps the later retirees."""
    from toolkit import project_population
    from toolkit.scenarios import load_scenario

    baseline = load_scenario("baseline")
    later = baseline.model_copy(update={"id": "later", "levers": baseline.levers.model_copy(
        update={"retirement_age_shift": 3.0})})
    population = project_population("kainuu", [baseline, later], horizon=2050)
    skills = project_skills(population, [baseline, later], tightness=False).sel(region="kainuu")
    replacement = skills["replacement_demand"].sum("industry").sel(year=slice(2026, 2050)).sum("year")
    assert float(replacement.sel(scenario="later")) < 0.95 * float(replacement.sel(scenario="baseline"))
    balance = skills["labour_balance"].sel(year=2040)
    assert float(balance.sel(scenario="later")) > float(balance.sel(scenario="baseline")) + 500
    supply_2025 = skills["labour_supply"].sel(year=2025)
    assert float(supply_2025.sel(scenario="later")) == float(supply_2025.sel(scenario="baseline"))
