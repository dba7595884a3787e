"""Labour supply from the population run: participation, labour force and new entrants."""

from __future__ import annotations

import numpy as np
import xarray as xr

from toolkit.errors import InputError


def participation_rate(
    base_rate: xr.DataArray, scale: xr.DataArray, change: xr.DataArray, years: xr.DataArray
) -> xr.DataArray:
    """Participation rate by age and sex with the scenario's change in the projected years.

    Parameters
    ----------
    base_rate : (sex, age) [1] national rate by age
    scale : (…) [1] the area's scale factor (see `toolkit.skills.demand.scale_to_area`)
    change : (region, scenario, age) [1] lever change (fraction, not percentage points)
    years : (year) years of the run; the first is the base year and keeps the observed rate

    Returns
    -------
    DataArray (…, year, sex, age) [1]

    Raises
    ------
    InputError
        if the change takes a rate below 0 or above 1.
    """
    rate = base_rate * scale + change * (years > years[0])
    outside = (rate < 0) | (rate > 1)
    if bool(outside.any()):
        first = np.argwhere(outside.values)[0]
        where = {
            dim: outside[dim].values[index].item() for dim, index in zip(outside.dims, first, strict=True)
        }
        raise InputError(
            f"participation_change: the participation rate at {where} becomes "
            f"{float(rate.values[tuple(first)]):.3f}; after the change it must stay within 0..1 "
            "(the lever is in percentage points)"
        )
    return rate


def labour_supply(population: xr.DataArray, rate: xr.DataArray) -> xr.DataArray:
    """Labour force = Σ population × participation rate.

    Returns
    -------
    DataArray (…, year) [persons]
    """
    return (population * rate).sum(["sex", "age"])


def new_entrants(population: xr.DataArray, rate: xr.DataArray) -> xr.DataArray:
    """Persons entering the labour force as their cohort reaches working age.

    Each age where participation is higher than at the age below adds the cohort's size times the
    difference: Σ population(x) · max(rate(x) − rate(x−1), 0).

    Returns
    -------
    DataArray (…, year) [persons per year]
    """
    rise = (rate - rate.shift(age=1, fill_value=0.0)).clip(min=0)
    return (population * rise).sum(["sex", "age"])
