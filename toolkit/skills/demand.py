"""Labour demand by industry and replacement demand (retirements and deaths of the employed).

All functions work on arrays with any leading dimensions (region, scenario, draw or quantile) and the
trailing ``year`` (first = base year), ``sex``, ``age`` of a population run.
"""

from __future__ import annotations

import xarray as xr
from scipy.stats import norm

WORKING_AGES = slice(15, 64)


def scale_to_area(population: xr.DataArray, rate: xr.DataArray, area_rate: xr.DataArray) -> xr.DataArray:
    """Factor that brings national rates by age to the area's observed 15-64 rate.

    Parameters
    ----------
    population : (…, year, sex, age) [persons]; the base year (first year) is used
    rate : (sex, age) [1] national rate by age
    area_rate : (region) [1] the area's rate at ages 15-64

    Returns
    -------
    DataArray (…) [1] such that Σ population·rate·factor / Σ population = area_rate at 15-64
    """
    base = population.isel(year=0).sel(age=WORKING_AGES)
    implied = (base * rate.sel(age=WORKING_AGES)).sum(["sex", "age"]) / base.sum(["sex", "age"])
    return area_rate / implied


def driver_index(population: xr.DataArray, weights: xr.DataArray) -> xr.DataArray:
    """Weighted population relative to the base year.

    Parameters
    ----------
    population : (…, year, sex, age) [persons]
    weights : (age) [weight per person]

    Returns
    -------
    DataArray (…, year) [1], equal to 1 in the base year
    """
    weighted = (population * weights).sum(["sex", "age"])
    return weighted / weighted.isel(year=0)


def labour_demand(
    base_demand: xr.DataArray, levers: xr.Dataset, care_index: xr.DataArray, student_index: xr.DataArray
) -> xr.DataArray:
    """Labour demand by industry and year.

    Parameters
    ----------
    base_demand : (…, industry) [jobs] in the base year
    levers : `toolkit.skills.levers.lever_arrays` output
    care_index, student_index : (…, year) [1] driver indices of industries Q and P

    Returns
    -------
    DataArray (…, year, industry) [jobs]

    Notes
    -----
    With t years after the base year, g the industry's growth rate and p the productivity growth,
    demand is D0·((1+g)/(1+p))^t; for Q it is D0·care_index/(1+p)^t and for P D0·student_index/(1+p)^t.
    """
    elapsed = care_index["year"] - care_index["year"][0]
    productivity = (1 + levers["productivity_growth"]) ** elapsed
    growth = (1 + levers["industry_growth"]) ** elapsed
    industry = base_demand["industry"]
    path = xr.where(industry == "Q", care_index, xr.where(industry == "P", student_index, growth))
    return base_demand * path / productivity


def age_forward(stock: xr.DataArray) -> xr.DataArray:
    """The stock of the previous 31 December, indexed by the age it reaches this 31 December.

    ``result(age=x, year=t) = stock(age=x-1, year=t-1)``; the open group 100 gathers ages 99 and 100;
    age 0 and the first year have no previous stock (zero and NaN).

    Parameters
    ----------
    stock : (…, year, sex, age) [persons]

    Returns
    -------
    DataArray of the same shape [persons]
    """
    aged = stock.shift(age=1, fill_value=0.0)
    aged = xr.where(aged["age"] == aged["age"].max(), aged + stock.isel(age=-1), aged)
    return aged.shift(year=1).transpose(*stock.dims)


def retirement_hazard(mean_age: xr.DataArray, sd: float, ages: xr.DataArray) -> xr.DataArray:
    """Probability of retiring in the year one reaches age x, among those still employed.

    Parameters
    ----------
    mean_age : (…) mean exit age [years]
    sd : standard deviation of the exit age [years]
    ages : (age) ages reached on 31 December [years]

    Returns
    -------
    DataArray (…, age) [1]

    Notes
    -----
    With S(x) = 1 − Φ((x − mean)/sd) the share of a cohort's workers not yet retired at exact age x,
    the hazard is h(x) = 1 − S(x)/S(x−1) (1 where S(x−1) = 0).
    """
    still = xr.apply_ufunc(norm.sf, (ages - mean_age) / sd)
    before = xr.apply_ufunc(norm.sf, (ages - 1 - mean_age) / sd)
    return xr.where(before > 0, 1 - still / before.where(before > 0, 1.0), 1.0)


def death_probability(population: xr.DataArray, deaths: xr.DataArray) -> xr.DataArray:
    """Death probability of a cohort during the year: deaths / the cohort's stock at the start.

    Returns
    -------
    DataArray (…, year, sex, age) [1], clipped to 0..1; NaN in the base year
    """
    start = age_forward(population)
    return (deaths / start.where(start > 0)).fillna(0.0).clip(0, 1).where(start.notnull())


def exits(employed: xr.DataArray, hazard: xr.DataArray, death_prob: xr.DataArray) -> xr.Dataset:
    """Workers leaving employment during each year, by cause.

    Parameters
    ----------
    employed : (…, year, sex, age) [persons] stocks on 31 December
    hazard : (…, age) [1] retirement hazard
    death_prob : (…, year, sex, age) [1]

    Returns
    -------
    Dataset with ``retirement`` and ``mortality`` (…, year) [persons per year]; NaN in the base year
    """
    start = age_forward(employed)
    mortality = (start * death_prob).sum(["sex", "age"], skipna=False)
    retirement = (start * (1 - death_prob) * hazard).sum(["sex", "age"], skipna=False)
    return xr.Dataset({"retirement": retirement, "mortality": mortality})


def split_by_industry(total: xr.DataArray, demand: xr.DataArray, lag: int = 0) -> xr.DataArray:
    """Split a total over industries in proportion to demand ``lag`` years earlier.

    Parameters
    ----------
    total : (…, year) [any]
    demand : (…, year, industry) [jobs]
    lag : years between the demand used as weights and the total

    Returns
    -------
    DataArray (…, year, industry) [same units as total]
    """
    weights = demand / demand.sum("industry")
    return total * (weights.shift(year=lag) if lag else weights)


def positive_part(values: xr.DataArray) -> xr.DataArray:
    """max(values, 0), keeping NaN."""
    return values.where(values.isnull() | (values > 0), 0.0)
