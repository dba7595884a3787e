"""Labour supply from the population run: participation, labour force and new entrants.

Arrays as in `toolkit.skills.demand`: leading axes (region, scenario, draw or quantile), then
``year, sex, age``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from toolkit.errors import InputError
from toolkit.skills.arrays import lagged


def participation_rate(
    base_rate: np.ndarray,
    scale: np.ndarray,
    change: np.ndarray,
    projected: np.ndarray,
    labels: Mapping[str, Sequence],
    cap: bool = False,
) -> np.ndarray:
    """Participation rate by age and sex with the scenario's change in the projected years.

    Parameters
    ----------
    base_rate : (sex, age) or (…, year, sex, age) [1] national rate by age (of each year)
    scale : (…) [1] the area's scale factor (see `toolkit.skills.demand.scale_to_area`)
    change : (…, age) [1] lever change (fraction, not percentage points)
    projected : (year) bool, False in the base year, which keeps the observed rate
    labels : dimension name -> labels, for every axis of the result in order (to name a bad cell)
    cap : hold the rate within 0..1 instead of refusing a change that leaves it (for sampled lever combinations
        of scenario discovery, where a scenario's own change would be an input error)

    Returns
    -------
    array (…, year, sex, age) [1]

    Raises
    ------
    InputError
        if the change takes a rate below 0 or above 1.
    """
    rate = base_rate * scale[..., np.newaxis, np.newaxis, np.newaxis] + (
        change[..., np.newaxis, np.newaxis, :] * projected[:, np.newaxis, np.newaxis]
    )
    if cap:
        return np.clip(rate, 0.0, 1.0)
    outside = (rate < 0) | (rate > 1)
    if outside.any():
        first = np.argwhere(outside)[0]
        where = {
            dim: np.asarray(values).tolist()[index]
            for (dim, values), index in zip(labels.items(), first, strict=True)
        }
        raise InputError(
            f"participation_change: the participation rate at {where} becomes "
            f"{float(rate[tuple(first)]):.3f}; after the change it must stay within 0..1 "
            "(the lever is in percentage points)"
        )
    return rate


def labour_supply(population: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Labour force = Σ population × participation rate.

    Parameters
    ----------
    population : (…, year, sex, age) [persons]
    rate : (…, year, sex, age) [1] participation rate

    Returns
    -------
    array (…, year) [persons]
    """
    return (population * rate).sum((-2, -1))


def new_entrants(population: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Persons entering the labour force as their cohort reaches working age.

    Each age where participation is higher than at the age below adds the cohort's size times the
    difference: Σ population(x) · max(rate(x) − rate(x−1), 0).

    Parameters
    ----------
    population : (…, year, sex, age) [persons]
    rate : (…, year, sex, age) [1] participation rate

    Returns
    -------
    array (…, year) [persons per year]
    """
    rise = np.clip(rate - lagged(rate, 1, axis=-1, fill=0.0), 0, None)
    return (population * rise).sum((-2, -1))
