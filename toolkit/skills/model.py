"""`project_skills`: the skills-demand model on top of a population run.

job openings = max(expansion demand, 0) + replacement demand, by industry and year, against the labour
supply of the same population run. Method and variable contract: ``docs/skills.md``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.nomenclature import AGES, EDUCATION_LEVELS, MITENNA_OCCUPATIONS
from toolkit.scenarios import load_scenario
from toolkit.skills import demand as dm
from toolkit.skills import occupations as oc
from toolkit.skills import supply as sp
from toolkit.skills import tightness as tg
from toolkit.skills.arrays import CELL, Grid, lagged
from toolkit.skills.assumptions import Assumptions, load_assumptions
from toolkit.skills.base import SkillsBase, load_base
from toolkit.skills.levers import LeverArrays, SkillsScenario, lever_arrays

INDUSTRY_STRUCTURE_YEAR = 2017
LEVER_DIMS = ("region", "scenario")
DIM_ORDER = (
    "region",
    "scenario",
    "draw",
    "quantile",
    "year",
    "industry",
    "occupation",
    "education",
    "major_group",
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
    "employment_by_occupation": ("persons", "employed persons by Mitenna occupation group"),
    "labour_demand_by_occupation": ("jobs", "labour demand by Mitenna occupation group"),
    "expansion_demand_by_occupation": ("jobs per year", "change in labour demand by occupation group"),
    "exits_retirement_by_occupation": ("persons per year", "employed persons retiring, by occupation group"),
    "exits_mortality_by_occupation": ("persons per year", "employed persons dying, by occupation group"),
    "replacement_demand_by_occupation": ("jobs per year", "replacement demand by occupation group"),
    "job_openings_by_occupation": (
        "jobs per year",
        "job openings by occupation group: its positive expansion demand plus its replacement demand",
    ),
    "job_openings_by_education": ("jobs per year", "job openings by the education level they need"),
    "new_entrants_by_education": ("persons per year", "new entrants to the labour force by education level"),
    "occupation_balance": (
        "persons per year",
        "new entrants with a matching education shared by openings, minus the occupation group's openings "
        "(negative: shortage)",
    ),
    "occupation_share_trend": ("1/year", "linear change per year of the occupation shares, 2012-2016"),
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
    tightness_until: int | None = None,
    interval: float = 0.8,
    occupations: bool = True,
    extend_occupation_trend: bool = False,
    participation_cap: bool = False,
) -> xr.Dataset:
    """Project labour demand, job openings and labour supply for every area and scenario of a run.

    Parameters
    ----------
    population : a population run with ``population`` and ``deaths`` (region, scenario, [draw or
        quantile], year, sex, age 0..100) [persons]; the first year is the base year
    scenarios : the scenarios of the run (objects with ``id`` and ``levers_for(region_id)``); default:
        `toolkit.scenarios.load_scenario` of each id on the ``scenario`` dimension
    base : base-year inputs; default `toolkit.skills.base.load_base` from the toolkit's data
    assumptions : default `toolkit.skills.assumptions.load_assumptions` (``params/skills``)
    tightness : also compute occupational tightness (history and forecast)
    tightness_until : last year of the tightness forecast; default the run's last year
    interval : coverage of the tightness forecast interval [1]
    occupations : also compute the occupation and education layer (Mitenna groups, education levels)
    extend_occupation_trend : move each industry's occupation structure along its 2012-2016 linear trend
        (default: the 2016 structure held)
    participation_cap : hold participation rates within 0..1 instead of refusing a lever that leaves them (for
        the sampled lever combinations of scenario discovery and goal seeking; a scenario's own change that
        leaves 0..1 is an input error)

    Returns
    -------
    xr.Dataset with the variables listed in ``docs/skills.md``
    """
    _check_run(population)
    assumptions, regions, base, grid, levers, people = _setup(population, _scenarios_of(population, scenarios),
                                                             base, assumptions)
    by_industry, employed_total = _demand(grid, people, population["deaths"], base, levers, assumptions)
    supply = _supply(grid, people, base, levers, assumptions, participation_cap)
    industry = base.industry_shares["industry"]
    tails = {name: industry for name in by_industry}
    tails["labour_supply_by_education"] = base.education_shares["education"]
    layers = {}
    if occupations:
        layers = _occupations(grid, by_industry, supply["new_entrants"], base, assumptions, extend_occupation_trend)
        occupation = xr.DataArray(list(MITENNA_OCCUPATIONS), dims="occupation", name="occupation")
        education = xr.DataArray(list(EDUCATION_LEVELS), dims="education", name="education")
        tails |= {name: education if name.endswith("_by_education") else occupation for name in layers}
    result = grid.dataset({**by_industry, **supply, **layers}, tails)
    if occupations:
        result["occupation_share_trend"] = oc.share_trend(base.occupation_shares).transpose("industry", "occupation")
    if tightness:
        until = int(grid.years[-1]) if tightness_until is None else tightness_until
        result = xr.merge([result, _tightness(base, regions, until, interval)], join="outer")
    balance = _balance(supply["labour_supply"], by_industry["labour_demand"], employed_total)
    result["labour_balance"] = ((*grid.lead, "year"), balance)
    note = None
    if occupations:
        note = ("occupation groups of each industry: the national employed by TOL 2008 section and Mitenna group "
                "of 2016, " + ("moved along the 2012-2016 linear trend" if extend_occupation_trend else "held"))
    return _finish(result, population, base, assumptions, interval if tightness else None, note)


def _demand(
    grid: Grid,
    people: np.ndarray,
    deaths: xr.DataArray,
    base: SkillsBase,
    levers: LeverArrays,
    assumptions: Assumptions,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Employment, labour demand, exits, expansion and replacement demand, openings.

    Parameters
    ----------
    grid : layout of the run
    people : (…, year, sex, age) [persons] population on the grid
    deaths : the run's deaths (…, year, sex, age) [persons]
    base, assumptions : model inputs
    levers : the levers, industries in the order of ``base.industry_shares``

    Returns
    -------
    (by_industry, employed_total) : dict of arrays (…, year, industry) [jobs, persons or per year,
        see `VARIABLES`]; total employment (…, year) [persons]
    """
    national = grid.values(base.employment_rate, "sex", "age")
    scale = dm.scale_to_area(people, national, grid.values(base.area_employment_rate))
    rate = national * scale[..., np.newaxis, np.newaxis]
    shift = dm.shift_path(grid.place(levers.retirement_age_shift, LEVER_DIMS), grid.years - grid.years[0],
                          assumptions.retirement_shift_pace)  # (…, year), 0 in the base year
    rates = dm.shifted_profile(rate[..., np.newaxis, :, :], shift,
                               assumptions.retirement_from_age)  # (…, year, sex, age)
    employed = people * rates
    employed_total = employed.sum((-2, -1))
    industries = base.industry_shares["industry"].values
    base_demand = employed_total[..., :1] * grid.values(base.industry_shares, "industry")
    demand = dm.labour_demand(
        base_demand,
        grid.place(levers.industry_growth, (*LEVER_DIMS, "industry")),
        grid.place(levers.productivity_growth, LEVER_DIMS),
        dm.driver_index(people, grid.values(assumptions.care_need_weights, "age")),
        dm.driver_index(people, grid.values(assumptions.student_weights, "age")),
        industries,
        grid.years - grid.years[0],
    )
    hazard = dm.cohort_exit_hazard(rates, assumptions.retirement_from_age)
    if not deaths.indexes["year"].equals(grid.labels["year"]):
        deaths = deaths.reindex(year=grid.labels["year"])  # a run may leave out the base year's deaths
    death_prob = dm.death_probability(people, grid.values(deaths, *CELL))
    retirement, mortality = (
        dm.split_by_industry(total, demand, lag=1) for total in dm.exits(employed, hazard, death_prob)
    )
    expansion = demand - lagged(demand, 1, axis=-2)
    replacement = retirement + mortality
    return {
        "employment": dm.split_by_industry(employed_total, demand),
        "labour_demand": demand,
        "expansion_demand": expansion,
        "replacement_demand": replacement,
        "exits_retirement": retirement,
        "exits_mortality": mortality,
        "job_openings": dm.positive_part(expansion) + replacement,
    }, employed_total


def _occupations(
    grid: Grid,
    by_industry: dict[str, np.ndarray],
    entrants: np.ndarray,
    base: SkillsBase,
    assumptions: Assumptions,
    extend_trend: bool,
) -> dict[str, np.ndarray]:
    """The occupation and education layer (`toolkit.skills.occupations`) on the grid."""
    if base.occupation_shares is None or base.entrant_education is None:
        raise InputError("project_skills: the base inputs have no occupation structure or entrant education; "
                         "pass occupations=False or build them with toolkit.skills.load_base")
    shares = _ordered(base.occupation_shares, industry=base.industry_shares["industry"].values,
                      occupation=MITENNA_OCCUPATIONS)
    structure = oc.structure_path(shares, grid.years, extend_trend)
    intensity = _ordered(assumptions.occupation_retirement_intensity, occupation=MITENNA_OCCUPATIONS).values
    layer = oc.occupation_layer(by_industry["employment"], by_industry["labour_demand"],
                                by_industry["exits_retirement"], by_industry["exits_mortality"], structure, intensity)
    needs = _ordered(assumptions.occupation_education, occupation=MITENNA_OCCUPATIONS,
                     education=EDUCATION_LEVELS).transpose("occupation", "education").values
    entrant_shares = grid.values(_ordered(base.entrant_education, education=EDUCATION_LEVELS), "education")
    return layer | oc.education_layer(layer["job_openings_by_occupation"], entrants, needs, entrant_shares)


def _ordered(array: xr.DataArray, **labels) -> xr.DataArray:
    """`array` with the given labels in the given order along each dimension (selected only if they differ)."""
    wanted = {dim: list(values) for dim, values in labels.items() if list(array[dim].values) != list(values)}
    return array.sel(wanted) if wanted else array


def _supply(grid: Grid, people: np.ndarray, base: SkillsBase, levers: LeverArrays,
            assumptions: Assumptions, participation_cap: bool = False) -> dict[str, np.ndarray]:
    """Labour supply, new entrants and supply by education (balance: `_balance`).

    The retirement-age lever moves the participation profile at older ages as it moves the employment profile
    (`_demand`): people who retire later stay in the labour force.

    Returns
    -------
    dict of arrays (…, year) [persons] and (…, year, education) [persons]
    """
    projected = grid.years > grid.years[0]
    rate = _participation(grid, people, base, levers, assumptions, participation_cap)
    supply = sp.labour_supply(people, rate)
    education = grid.values(base.education_shares, "education")
    return {
        "labour_supply": supply,
        "new_entrants": np.where(projected, sp.new_entrants(people, rate), np.nan),
        "labour_supply_by_education": supply[..., np.newaxis] * education[..., np.newaxis, :],
    }


def _setup(population: xr.Dataset, scenarios: Sequence, base: SkillsBase | None, assumptions: Assumptions | None):
    """A checked run's assumptions, region ids, base inputs, grid, the lever arrays of ``scenarios`` (in the order
    of the run's ``scenario`` axis) and people (…, year, sex, age)."""
    assumptions = assumptions or load_assumptions()
    regions = [str(region) for region in population["region"].values]
    base = base or load_base(regions, assumptions)
    grid = Grid.of(population["population"])
    levers = lever_arrays(scenarios, regions, base.industry_shares["industry"].values)
    return assumptions, regions, base, grid, levers, grid.values(population["population"], *CELL)


def _participation(grid: Grid, people: np.ndarray, base: SkillsBase, levers: LeverArrays,
                   assumptions: Assumptions, cap: bool = False, change: bool = True) -> np.ndarray:
    """Participation rate (…, year, sex, age) [1] with the levers (without the participation change when
    ``change`` is False)."""
    national = grid.values(base.participation_rate, "sex", "age")
    projected = grid.years > grid.years[0]
    shift = dm.shift_path(grid.place(levers.retirement_age_shift, LEVER_DIMS), grid.years - grid.years[0],
                          assumptions.retirement_shift_pace)
    lever = grid.place(levers.participation_change, (*LEVER_DIMS, "age"))
    return sp.participation_rate(
        dm.shifted_profile(national[..., np.newaxis, :, :], shift, assumptions.retirement_from_age),
        dm.scale_to_area(people, national, grid.values(base.area_participation_rate)),
        lever if change else np.zeros_like(lever),
        projected,
        grid.labels,
        cap=cap,
    )


def participation_room(
    population: xr.Dataset,
    scenario: SkillsScenario,
    ages: Sequence[int],
    *,
    base: SkillsBase | None = None,
    assumptions: Assumptions | None = None,
) -> tuple[float, float]:
    """How far a participation change at ``ages`` can go with the scenario's other levers: the change [1] (a
    fraction, not percentage points) that keeps every projected rate at those ages within 0..1.

    Parameters
    ----------
    population : a one-scenario run of :func:`project_skills`'s kind (its areas and years)
    scenario : the scenario whose levers (but not its participation change) the rates carry: the retirement-age
        shift moves the rates at older ages
    ages : the ages of the band
    base, assumptions : as in :func:`project_skills`

    Returns
    -------
    (lowest, highest) change [1]: minus the lowest projected rate at the ages, and one minus the highest
    """
    _check_run(population)
    assumptions, _, base, grid, levers, people = _setup(population, [scenario], base, assumptions)
    rate = _participation(grid, people, base, levers, assumptions, change=False)
    in_band = np.isin(np.asarray(grid.labels["age"]), list(ages))
    band = rate[..., grid.years > grid.years[0], :, :][..., in_band]
    return -float(band.min()), 1.0 - float(band.max())


def _balance(supply: np.ndarray, demand: np.ndarray, employed: np.ndarray) -> np.ndarray:
    """Labour supply minus the labour force that the demand needs at the base year's ratio.

    Parameters
    ----------
    supply : (…, year) [persons] labour supply
    demand : (…, year, industry) [jobs] labour demand
    employed : (…, year) [persons] total employment

    Returns
    -------
    array (…, year) [persons]
    """
    required = dm.industry_total(demand) * (supply[..., :1] / employed[..., :1])
    return supply - required


NO_FIGURE = {
    "tightness_monthly": "NaN: a month without unemployed jobseekers in the occupation group, or without figures",
    "tightness_history": "NaN: a year outside the complete calendar years of the history",
    "tightness_forecast": "NaN: a year outside the forecast",
    "tightness_forecast_lower": "NaN: a year outside the forecast",
    "tightness_forecast_upper": "NaN: a year outside the forecast",
}
"""Variables whose NaN means "no figure here" (the history and the forecast share one calendar of years): said in
their ``no_figure`` attribute, which lets :func:`toolkit.io.results.check_finite` write them."""


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
    by_area = by_code.sel(region_code=base.tightness_code.sel(region=regions)).drop_vars("region_code")
    return by_area.rename(occupation="major_group")


def _finish(
    result: xr.Dataset,
    population: xr.Dataset,
    base: SkillsBase,
    assumptions: Assumptions,
    interval: float | None,
    occupation_note: str | None = None,
) -> xr.Dataset:
    """Variable attributes, run attributes, dimension order."""
    for name, (units, long_name) in VARIABLES.items():
        if name in result:
            result[name].attrs = {"units": units, "long_name": long_name}
            if name in NO_FIGURE:
                result[name].attrs["no_figure"] = NO_FIGURE[name]
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
    if occupation_note:
        result.attrs["occupation_structure_note"] = occupation_note
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
    if not np.array_equal(population["age"].values, AGES):
        raise InputError(
            f"population run: ages {population['age'].values.min()}..{population['age'].values.max()}; "
            "the skills model needs single ages 0..100"
        )


def _scenarios_of(population: xr.Dataset, scenarios) -> list:
    """The scenario objects in the order of the run's ``scenario`` dimension."""
    ids = [str(value) for value in population["scenario"].values]
    if scenarios is None:
        return [load_scenario(scenario_id) for scenario_id in ids]
    by_id = {scenario.id: scenario for scenario in scenarios}
    missing = [scenario_id for scenario_id in ids if scenario_id not in by_id]
    if missing:
        raise InputError(
            f"project_skills: no scenario object given for {missing} of the population run "
            f"(given: {sorted(by_id)})"
        )
    return [by_id[scenario_id] for scenario_id in ids]
