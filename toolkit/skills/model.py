"""`project_skills`: the skills-demand model on top of a population run.

job openings = max(expansion demand, 0) + replacement demand, by industry and year, against the labour
supply of the same population run. Method and variable contract: ``docs/skills.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import xarray as xr

from toolkit.errors import InputError
from toolkit.skills import demand as dm
from toolkit.skills import supply as sp
from toolkit.skills import tightness as tg
from toolkit.skills.assumptions import Assumptions, load_assumptions
from toolkit.skills.base import SkillsBase, load_base
from toolkit.skills.levers import SkillsScenario, lever_arrays

INDUSTRY_STRUCTURE_YEAR = 2017
DIM_ORDER = (
    "region",
    "scenario",
    "draw",
    "quantile",
    "year",
    "industry",
    "education",
    "occupation",
    "tightness_year",
    "month",
)
VARIABLES = {
    "employment": ("persons", "employed persons by industry (base-year employment rates, demand structure)"),
    "labour_demand": ("jobs", "labour demand by industry"),
    "expansion_demand": ("jobs per year", "change in labour demand during the year"),
    "replacement_demand": ("jobs per year", "jobs left by workers who retire or die during the year"),
    "exits_retirement": ("persons per year", "employed persons retiring during the year"),
    "exits_mortality": ("persons per year", "employed persons dying during the year"),
    "job_openings": ("jobs per year", "job openings: positive expansion demand plus replacement demand"),
    "labour_supply": ("persons", "labour force on 31 December (population x participation rates)"),
    "labour_balance": (
        "persons",
        "labour supply minus the labour force that the demand needs at the "
        "base year's ratio of labour force to employment",
    ),
    "new_entrants": ("persons per year", "persons entering the labour force as their cohort ages"),
    "labour_supply_by_education": ("persons", "labour supply by education group (2018 shares of 18+)"),
    "tightness_monthly": ("vacancies per jobseeker", "open vacancies per unemployed jobseeker, month end"),
    "tightness_history": ("vacancies per jobseeker", "annual geometric mean of month-end tightness"),
    "tightness_forecast": ("vacancies per jobseeker", "forecast annual tightness, median"),
    "tightness_forecast_lower": ("vacancies per jobseeker", "forecast annual tightness, lower bound"),
    "tightness_forecast_upper": ("vacancies per jobseeker", "forecast annual tightness, upper bound"),
}


def project_skills(
    population: xr.Dataset,
    scenarios: Sequence[SkillsScenario] | None = None,
    *,
    base: SkillsBase | None = None,
    assumptions: Assumptions | None = None,
    tightness: bool = True,
    tightness_until: int = 2030,
    interval: float = 0.8,
) -> xr.Dataset:
    """Project labour demand, job openings and labour supply for every area and scenario of a run.

    Parameters
    ----------
    population : a population run with ``population`` and ``deaths`` (region, scenario, [draw or
        quantile], year, sex, age) [persons]; the first year is the base year
    scenarios : the scenarios of the run (objects with ``id`` and ``levers_for(region_id)``); default:
        `toolkit.scenarios.load_scenario` of each id on the ``scenario`` dimension
    base : base-year inputs; default `toolkit.skills.base.load_base` from the toolkit's data
    assumptions : default `toolkit.skills.assumptions.load_assumptions` (``params/skills``)
    tightness : also compute occupational tightness (history and forecast)
    tightness_until : last year of the tightness forecast
    interval : coverage of the tightness forecast interval [1]

    Returns
    -------
    xr.Dataset with the variables listed in ``docs/skills.md``
    """
    _check_run(population)
    assumptions = assumptions or load_assumptions()
    regions = [str(region) for region in population["region"].values]
    base = base or load_base(regions, assumptions)
    levers = lever_arrays(_scenarios_of(population, scenarios), regions)
    result = xr.merge(
        [_demand(population, base, levers, assumptions), _supply(population, base, levers)], join="exact"
    )
    if tightness:
        result = xr.merge([result, _tightness(base, regions, tightness_until, interval)], join="outer")
    return _finish(result, population, base, assumptions, interval if tightness else None)


def _demand(
    population: xr.Dataset, base: SkillsBase, levers: xr.Dataset, assumptions: Assumptions
) -> xr.Dataset:
    """Employment, labour demand, exits, expansion and replacement demand, openings."""
    people = population["population"]
    regions = people["region"]
    rate = base.employment_rate * dm.scale_to_area(
        people, base.employment_rate, base.area_employment_rate.sel(region=regions)
    )
    employed = people * rate
    employed_total = employed.sum(["sex", "age"])
    base_demand = employed_total.isel(year=0, drop=True) * base.industry_shares.sel(region=regions)
    demand = dm.labour_demand(
        base_demand,
        levers,
        dm.driver_index(people, assumptions.care_need_weights),
        dm.driver_index(people, assumptions.student_weights),
    )
    hazard = dm.retirement_hazard(
        assumptions.retirement_mean_age + levers["retirement_age_shift"],
        assumptions.retirement_sd,
        people["age"],
    )
    deaths = population["deaths"].reindex(year=people["year"])
    leaving = dm.exits(employed, hazard, dm.death_probability(people, deaths))
    retirement = dm.split_by_industry(leaving["retirement"], demand, lag=1)
    mortality = dm.split_by_industry(leaving["mortality"], demand, lag=1)
    expansion = demand - demand.shift(year=1)
    replacement = retirement + mortality
    return xr.Dataset(
        {
            "employment": dm.split_by_industry(employed_total, demand),
            "labour_demand": demand,
            "expansion_demand": expansion,
            "replacement_demand": replacement,
            "exits_retirement": retirement,
            "exits_mortality": mortality,
            "job_openings": dm.positive_part(expansion) + replacement,
            "employed_total": employed_total,
        }
    )


def _supply(population: xr.Dataset, base: SkillsBase, levers: xr.Dataset) -> xr.Dataset:
    """Labour supply, new entrants, supply by education (balance is added in `_finish`)."""
    people = population["population"]
    regions = people["region"]
    scale = dm.scale_to_area(
        people, base.participation_rate, base.area_participation_rate.sel(region=regions)
    )
    rate = sp.participation_rate(
        base.participation_rate, scale, levers["participation_change"], people["year"]
    )
    supply = sp.labour_supply(people, rate)
    return xr.Dataset(
        {
            "labour_supply": supply,
            "new_entrants": sp.new_entrants(people, rate).where(people["year"] > people["year"][0]),
            "labour_supply_by_education": supply * base.education_shares.sel(region=regions),
        }
    )


def _tightness(base: SkillsBase, regions: list[str], until: int, interval: float) -> xr.Dataset:
    """Tightness history and forecast of each area's region (municipal areas: the parent region)."""
    codes = sorted(set(base.tightness_code.sel(region=regions).values.tolist()))
    vacancies = base.vacancies.sel(region_code=codes)
    jobseekers = base.jobseekers.sel(region_code=codes)
    by_code = xr.merge(
        [
            tg.tightness_monthly(vacancies, jobseekers).rename("tightness_monthly"),
            tg.tightness_annual(vacancies, jobseekers).rename("tightness_history"),
            tg.forecast_tightness(vacancies, jobseekers, until, interval=interval),
        ],
        join="outer",
    )
    return by_code.sel(region_code=base.tightness_code.sel(region=regions)).drop_vars("region_code")


def _finish(
    result: xr.Dataset,
    population: xr.Dataset,
    base: SkillsBase,
    assumptions: Assumptions,
    interval: float | None,
) -> xr.Dataset:
    """Labour balance, attributes, dimension order."""
    employed_total = result["employed_total"]
    required = result["labour_demand"].sum("industry") * (
        result["labour_supply"].isel(year=0) / employed_total.isel(year=0)
    )
    result["labour_balance"] = result["labour_supply"] - required
    result = result.drop_vars("employed_total")
    for name, (units, long_name) in VARIABLES.items():
        if name in result:
            result[name].attrs = {"units": units, "long_name": long_name}
    if "region_code" in population.coords:
        result = result.assign_coords(region_code=population["region_code"])
    result.attrs = {
        "base_year": int(population["year"].values[0]),
        "industry_structure_year": INDUSTRY_STRUCTURE_YEAR,
        "industry_structure_note": "industry structure of each area is that of the Paavo 2017 workplaces",
        "assumptions": json.dumps(list(assumptions.records), ensure_ascii=False),
        "data_provenance": json.dumps(base.provenance, ensure_ascii=False),
        **{
            key: population.attrs[key]
            for key in ("toolkit_version", "horizon", "scenario_hashes")
            if key in population.attrs
        },
    }
    if interval is not None:
        result.attrs["tightness_interval"] = interval
        result.attrs["tightness_note"] = "municipal areas show the tightness of their region"
        result.attrs["tightness_region_codes"] = json.dumps(
            dict(
                zip(
                    result["region"].values.tolist(),
                    base.tightness_code.sel(region=result["region"]).values.tolist(),
                    strict=True,
                )
            )
        )
    if "quantile" in population.dims:
        result.attrs["quantile_note"] = (
            "computed from population quantiles, not from draws: "
            "an approximation of the quantiles of the skills variables"
        )
    return result.transpose(*DIM_ORDER, ..., missing_dims="ignore")


def _check_run(population: xr.Dataset) -> None:
    """A population run must have population and deaths with the expected dimensions."""
    for name in ("population", "deaths"):
        if name not in population:
            raise InputError(
                f"population run: variable '{name}' is missing; project_skills needs "
                "'population' and 'deaths'"
            )
        missing = {"region", "scenario", "year", "sex", "age"} - set(population[name].dims)
        if missing:
            raise InputError(f"population run: '{name}' lacks the dimensions {sorted(missing)}")


def _scenarios_of(population: xr.Dataset, scenarios) -> list:
    """The scenario objects in the order of the run's ``scenario`` dimension."""
    ids = [str(value) for value in population["scenario"].values]
    if scenarios is None:
        from toolkit.scenarios import load_scenario

        return [load_scenario(scenario_id) for scenario_id in ids]
    by_id = {scenario.id: scenario for scenario in scenarios}
    missing = [scenario_id for scenario_id in ids if scenario_id not in by_id]
    if missing:
        raise InputError(
            f"project_skills: no scenario object given for {missing} of the population run "
            f"(given: {sorted(by_id)})"
        )
    return [by_id[scenario_id] for scenario_id in ids]
