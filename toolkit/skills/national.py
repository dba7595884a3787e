"""National check of the skills model against the Finnish National Agency for Education's published figures.

The Agency (November 2025): about 1.4 million new workers are needed in 2022-2045 (replacement demand plus
new jobs, about 58,000 a year) and 58 % of today's workforce retires by 2045. `national_check` puts the sum
of the 19 regions' run next to those figures, with the two definitions of "the share who retire" that the
model can give. Method and discussion: ``docs/skills.md`` ("National check").
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.nomenclature import MAAKUNTA_CODES
from toolkit.skills import demand as dm
from toolkit.skills.arrays import CELL, Grid
from toolkit.skills.assumptions import Assumptions
from toolkit.skills.base import SkillsBase

PUBLISHED = {
    "source": "Finnish National Agency for Education, anticipation of education needs (November 2025)",
    "period": (2022, 2045),
    "new_workers_total": 1_400_000.0,
    "new_workers_per_year": 58_000.0,
    "retiring_share_of_workforce": 0.58,
}


def cohort_exits(employed: np.ndarray, hazard: np.ndarray, death_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative retirements and deaths of the base year's employed, followed as a closed cohort.

    Parameters
    ----------
    employed : (…, sex, age) [persons] employed on 31 December of the base year
    hazard : (…, sex, age) [1] retirement hazard (`toolkit.skills.demand.net_exit_hazard`)
    death_prob : (…, year, sex, age) [1] death probability of the projected years (base year first, ignored)

    Returns
    -------
    (retired, died) : arrays (…, year) [persons], cumulated from the first projected year; 0 in the base year.
    Nobody joins the cohort (no entrants, no migration), so retired + died + still employed = the base stock.
    """
    stock = employed.copy()
    years = death_prob.shape[-3]
    retired = np.zeros((*employed.shape[:-2], years))
    died = np.zeros_like(retired)
    for index in range(1, years):
        aged = np.zeros_like(stock)
        aged[..., 1:] = stock[..., :-1]
        aged[..., -1] += stock[..., -1]
        dying = aged * death_prob[..., index, :, :]
        retiring = (aged - dying) * hazard
        stock = aged - dying - retiring
        retired[..., index] = retired[..., index - 1] + retiring.sum((-2, -1))
        died[..., index] = died[..., index - 1] + dying.sum((-2, -1))
    return retired, died


def national_check(
    population: xr.Dataset,
    skills: xr.Dataset,
    base: SkillsBase,
    assumptions: Assumptions,
    *,
    scenario: str = "baseline",
    period: tuple[int, int] = (2026, 2045),
) -> xr.Dataset:
    """The 19 regions' openings and retirements summed to Finland, next to the Agency's figures.

    Parameters
    ----------
    population : the population run of the 19 maakunnat (deterministic), with ``scenario``
    skills : `toolkit.skills.project_skills` of that run
    base, assumptions : the inputs the skills run used
    scenario : the scenario to check (its retirement-age lever must be 0: the check is of the model, not a lever)
    period : (first, last) projected years, inclusive

    Returns
    -------
    Dataset with ``job_openings`` (year) [jobs per year] and the scalars ``openings_per_year``,
    ``openings_total`` [jobs], ``employed_base`` [persons], ``retiring_share_flow`` [1] (Σ ``exits_retirement``
    over the period / the base year's employment: also counts the retirements of people employed only after
    the base year), ``retiring_share_cohort`` and ``dying_share_cohort`` [1] (of the base year's employed,
    followed as a closed cohort), ``retiring_share_cohort_by_year`` (year) [1]; attrs: the published figures.
    """
    codes = [str(code) for code in population["region_code"].values]
    if sorted(codes) != sorted(MAAKUNTA_CODES) or "draw" in population.dims or "quantile" in population.dims:
        raise InputError("national_check: needs a deterministic run of exactly the 19 maakunnat")
    first, last = period
    window = slice(first, last)
    run = skills.sel(scenario=scenario)
    openings = run["job_openings"].sum(["region", "industry"]).sel(year=window)
    employed_base = float(run["employment"].isel(year=0).sum())
    retiring_flow = float(run["exits_retirement"].sel(year=window).sum()) / employed_base
    people = population.sel(scenario=[scenario])
    grid = Grid.of(people["population"])
    values = grid.values(people["population"], *CELL)
    national = grid.values(base.employment_rate.sel(region=people["region"]) if "region" in base.employment_rate.dims
                           else base.employment_rate, "sex", "age")
    rate = national * dm.scale_to_area(values, national, grid.values(base.area_employment_rate))[..., None, None]
    employed = values[..., 0, :, :] * rate
    deaths = people["deaths"].reindex(year=grid.labels["year"])
    death_prob = np.nan_to_num(dm.death_probability(values, grid.values(deaths, *CELL)))
    retired, died = cohort_exits(employed, dm.net_exit_hazard(rate, assumptions.retirement_from_age), death_prob)
    years = grid.years
    total = employed.sum()
    by_year = retired.sum(tuple(range(retired.ndim - 1))) / total
    position = int(np.searchsorted(years, last))
    result = xr.Dataset(
        {
            "job_openings": openings.rename("job_openings"),
            "openings_per_year": float(openings.mean()),
            "openings_total": float(openings.sum()),
            "employed_base": employed_base,
            "retiring_share_flow": retiring_flow,
            "retiring_share_cohort": float(by_year[position]),
            "dying_share_cohort": float(died.sum(tuple(range(died.ndim - 1)))[position] / total),
            "retiring_share_cohort_by_year": xr.DataArray(by_year, coords={"year": years}, dims="year"),
        }
    )
    result.attrs = {**{f"published_{key}": str(value) for key, value in PUBLISHED.items()},
                    "period": f"{first}-{last}", "scenario": scenario}
    return result
