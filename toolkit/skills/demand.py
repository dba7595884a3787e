"""Labour demand by industry and replacement demand (retirements and deaths of the employed).

The functions work on numpy arrays with any leading axes (region, scenario, draw or quantile) and the
trailing axes of a population run: ``year`` (first = base year), ``sex``, ``age`` (single ages 0..100,
`toolkit.skills.assumptions.AGES`). Those marked in their docstring also take DataArrays, matched by
dimension name (`toolkit.skills.arrays.labelled`).
"""

from __future__ import annotations

import functools
import operator

import numpy as np
import xarray as xr

from toolkit.skills.arrays import CELL, labelled, lagged

WORKING_AGES = slice(15, 65)
"""Positions of ages 15-64 on the age axis 0..100."""


def scale_to_area(population, rate, area_rate):
    """Factor that brings national rates by age to the area's observed 15-64 rate (also DataArrays).

    Parameters
    ----------
    population : (…, year, sex, age) [persons]; the base year (first year) is used
    rate : (sex, age) [1] national rate by age
    area_rate : (…) [1] the area's rate at ages 15-64

    Returns
    -------
    array (…) [1] such that Σ population·rate·factor / Σ population = area_rate at 15-64; a DataArray
    keeps the base year as a scalar ``year`` coordinate
    """
    first = population.isel(year=0) if isinstance(population, xr.DataArray) else population[..., 0, :, :]
    return _scale_of_year(first, rate, area_rate)


@labelled(("sex", "age"), ("sex", "age"), ())
def _scale_of_year(population: np.ndarray, rate: np.ndarray, area_rate: np.ndarray) -> np.ndarray:
    """`scale_to_area` from the population (…, sex, age) [persons] of one year."""
    working = population[..., WORKING_AGES]
    implied = (working * rate[..., WORKING_AGES]).sum((-2, -1)) / working.sum((-2, -1))
    return area_rate / implied


@labelled(CELL, ("age",), output=("year",))
def driver_index(population: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted population relative to the base year (also DataArrays).

    Parameters
    ----------
    population : (…, year, sex, age) [persons]
    weights : (age) [weight per person]

    Returns
    -------
    array (…, year) [1], equal to 1 in the base year
    """
    weighted = (population * weights).sum((-2, -1))
    return weighted / weighted[..., :1]


def labour_demand(
    base_demand: np.ndarray,
    industry_growth: np.ndarray,
    productivity_growth: np.ndarray,
    care_index: np.ndarray,
    student_index: np.ndarray,
    industries: np.ndarray,
    elapsed: np.ndarray,
) -> np.ndarray:
    """Labour demand by industry and year.

    Parameters
    ----------
    base_demand : (…, industry) [jobs] in the base year
    industry_growth : (…, industry) [1/year] growth rate of each industry
    productivity_growth : (…) [1/year]
    care_index, student_index : (…, year) [1] driver indices of industries Q and P
    industries : (industry) TOL 2008 section letters
    elapsed : (year) years after the base year [years]

    Returns
    -------
    array (…, year, industry) [jobs]

    Notes
    -----
    With t years after the base year, g the industry's growth rate and p the productivity growth,
    demand is D0·((1+g)/(1+p))^t; for Q it is D0·care_index/(1+p)^t and for P D0·student_index/(1+p)^t.
    """
    productivity = (1 + productivity_growth[..., np.newaxis]) ** elapsed
    growth = (1 + industry_growth[..., np.newaxis, :]) ** elapsed[:, np.newaxis]
    path = np.where(
        industries == "Q",
        care_index[..., np.newaxis],
        np.where(industries == "P", student_index[..., np.newaxis], growth),
    )
    return base_demand[..., np.newaxis, :] * path / productivity[..., np.newaxis]


def age_forward(stock: np.ndarray) -> np.ndarray:
    """The stock of the previous 31 December, indexed by the age it reaches this 31 December.

    ``result(age=x, year=t) = stock(age=x-1, year=t-1)``; the open group 100 gathers ages 99 and 100;
    age 0 and the first year have no previous stock (zero and NaN).

    Parameters
    ----------
    stock : (…, year, sex, age) [persons]

    Returns
    -------
    array of the same shape [persons]
    """
    aged = lagged(stock, 1, axis=-1, fill=0.0)
    aged[..., -1] += stock[..., -1]
    return lagged(aged, 1, axis=-3)


def shifted_profile(rate: np.ndarray, shift: np.ndarray, from_age: int) -> np.ndarray:
    """The employment-rate profile at older ages moved `shift` years later (linear between single ages).

    Parameters
    ----------
    rate : (…, sex, age) [1] employment rate by single age 0..100
    shift : (…) [years] the scenario's retirement-age shift (0: the profile as it is)
    from_age : first age that moves [years]; younger ages keep their rate

    Returns
    -------
    array (…, sex, age) [1]: rate(x − shift) at ages x ≥ from_age, rate(x) below; where x − shift falls below
    `from_age` the rate of `from_age − 1` holds (the working-age plateau extends)
    """
    ages = np.arange(rate.shape[-1], dtype=float)
    source = np.clip(ages - np.asarray(shift, dtype=float)[..., np.newaxis], from_age - 1, ages[-1])
    source = np.where(ages >= from_age, source, ages)[..., np.newaxis, :]
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, rate.shape[-1] - 1)
    frac = source - low
    target = np.broadcast_shapes(rate.shape, low.shape)
    rate = np.broadcast_to(rate, target)
    pick = functools.partial(np.take_along_axis, rate, axis=-1)
    return pick(np.broadcast_to(low, target)) * (1 - frac) + pick(np.broadcast_to(high, target)) * frac


def net_exit_hazard(rate: np.ndarray, from_age: int) -> np.ndarray:
    """Share of a cohort's surviving employed who leave employment at each age: the fall of the rate profile.

    Parameters
    ----------
    rate : (…, sex, age) [1] employment rate by single age
    from_age : youngest age at which a fall of the rate counts as retirement [years]

    Returns
    -------
    array (…, sex, age) [1]: h(x) = max(1 − rate(x)/rate(x−1), 0) at ages x ≥ from_age (1 where rate(x−1) > 0 and
    rate(x) = 0), 0 below `from_age` and where rate(x−1) = 0

    Notes
    -----
    The cohort-component (net exit) method of Cedefop's replacement demand: with the employed E(x, t) =
    population(x, t)·rate(x), the survivors of the cohort employed at t−1 who are no longer employed at t are
    the exits. Exits are therefore consistent with the stock: no cohort retires more workers than it has, and a
    constant employment rate at 65–74 is not emptied and refilled every year.
    """
    before = lagged(rate, 1, axis=-1, fill=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(before > 0, 1 - rate / np.where(before > 0, before, 1.0), 0.0)
    ages = np.arange(rate.shape[-1])
    return np.where(ages >= from_age, np.clip(hazard, 0.0, 1.0), 0.0)


def cohort_exit_hazard(rate: np.ndarray, from_age: int) -> np.ndarray:
    """Net exits of each cohort between consecutive years whose employment-rate profiles differ.

    Parameters
    ----------
    rate : (…, year, sex, age) [1] employment rate of each year by single age
    from_age : youngest age at which a fall of the rate counts as retirement [years]

    Returns
    -------
    array (…, year, sex, age) [1]: h(t, x) = max(1 − rate(t, x)/rate(t−1, x−1), 0) at ages x ≥ `from_age` (the
    open group compares with the two oldest ages' rate of the year before), 0 below `from_age`; the first year
    (no year before) has the static hazard of its own profile (:func:`net_exit_hazard`). With the same profile
    every year it is :func:`net_exit_hazard` of that profile.
    """
    before = lagged(rate, 1, axis=-1, fill=0.0)  # rate(x − 1) of the same year
    before = lagged(before, 1, axis=-3, fill=np.nan)  # … of the year before
    before[..., 0, :, :] = lagged(rate[..., 0, :, :], 1, axis=-1, fill=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        hazard = np.where(before > 0, 1 - rate / np.where(before > 0, before, 1.0), 0.0)
    ages = np.arange(rate.shape[-1])
    return np.where(ages >= from_age, np.clip(hazard, 0.0, 1.0), 0.0)


def shift_path(shift: np.ndarray, elapsed: np.ndarray, pace: float) -> np.ndarray:
    """The retirement-age shift reached in each year: ``pace`` years of shift a year until ``shift`` [years].

    Parameters
    ----------
    shift : (…) the scenario's retirement-age shift [years]
    elapsed : (year) years after the base year
    pace : years of shift reached per year

    Returns
    -------
    array (…, year) [years]
    """
    shift = np.asarray(shift, dtype=float)[..., np.newaxis]
    return np.sign(shift) * np.minimum(np.abs(shift), pace * np.asarray(elapsed, dtype=float))


@labelled(CELL, CELL, output=CELL)
def death_probability(population: np.ndarray, deaths: np.ndarray) -> np.ndarray:
    """Death probability of a cohort during the year: deaths / the cohort's stock at the start (also DataArrays).

    Parameters
    ----------
    population : (…, year, sex, age) [persons] on 31 December
    deaths : (…, year, sex, age) [persons] during the year, by age reached on 31 December

    Returns
    -------
    array (…, year, sex, age) [1], clipped to 0..1 (0 where the cohort was empty); NaN in the base year
    """
    start = age_forward(population)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = deaths / np.where(start > 0, start, np.nan)
    probability = np.clip(np.where(np.isnan(ratio), 0.0, ratio), 0, 1)
    return np.where(np.isnan(start), np.nan, probability)


@labelled(CELL, ("sex", "age"), CELL, output=("year",), names=("retirement", "mortality"))
def exits(employed: np.ndarray, hazard: np.ndarray, death_prob: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Workers leaving employment during each year, by cause (also DataArrays: a Dataset).

    Parameters
    ----------
    employed : (…, year, sex, age) [persons] stocks on 31 December
    hazard : (…, sex, age) [1] retirement hazard (`net_exit_hazard`), or (…, year, sex, age) for a profile that
        changes over the years (`cohort_exit_hazard`)
    death_prob : (…, year, sex, age) [1]

    Returns
    -------
    (retirement, mortality) : arrays (…, year) [persons per year]; NaN in the base year
    """
    start = age_forward(employed)
    mortality = (start * death_prob).sum((-2, -1))
    by_year = hazard if hazard.ndim == employed.ndim else hazard[..., np.newaxis, :, :]
    retirement = (start * (1 - death_prob) * by_year).sum((-2, -1))
    return retirement, mortality


def split_by_industry(total: np.ndarray, demand: np.ndarray, lag: int = 0) -> np.ndarray:
    """Split a total over industries in proportion to demand ``lag`` years earlier.

    Parameters
    ----------
    total : (…, year) [any]
    demand : (…, year, industry) [jobs]
    lag : years between the demand used as weights and the total

    Returns
    -------
    array (…, year, industry) [same units as total]; NaN in the first `lag` years
    """
    weights = demand / industry_total(demand)[..., np.newaxis]
    return total[..., np.newaxis] * (lagged(weights, lag, axis=-2) if lag else weights)


def industry_total(values: np.ndarray) -> np.ndarray:
    """Sum over industries (the last axis), adding one industry after another.

    Parameters
    ----------
    values : (…, industry) [any]

    Returns
    -------
    array (…) [same units]

    Notes
    -----
    numpy adds a contiguous last axis pairwise; adding in industry order instead gives the same
    totals, to the last bit, as a sum over an industry axis that is not the innermost one.
    """
    return functools.reduce(operator.add, np.moveaxis(values, -1, 0))


def positive_part(values: np.ndarray) -> np.ndarray:
    """max(values, 0), keeping NaN."""
    return np.where(np.isnan(values) | (values > 0), values, 0.0)
