"""The occupation and education layer of the skills model: industry -> Mitenna occupation group -> education.

Every region's demand, employment and exits by industry are turned into occupation groups with the national
industry x occupation structure (Statistics Finland's employed by TOL 2008 section and Mitenna group,
2012-2016; the latest year, 2016, held, or its 2012-2016 linear drift extended), then into the education an
opening needs (``params/skills/occupation_education.yaml``). New entrants by education come from the same
population run. Arrays as in `toolkit.skills.demand`: leading axes (region, scenario, draw or quantile), then
``year`` and the layer's own axis last.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from toolkit.skills.arrays import lagged
from toolkit.skills.demand import positive_part


def share_trend(shares: xr.DataArray) -> xr.DataArray:
    """Least-squares linear change per year of each share over the years of the table.

    Parameters
    ----------
    shares : DataArray (structure_year, industry, occupation) [1]

    Returns
    -------
    DataArray (industry, occupation) [1/year]; sums to zero over occupations (the shares keep summing to 1)
    """
    years = shares["structure_year"].values.astype(float)
    centred = years - years.mean()
    values = shares.transpose("structure_year", "industry", "occupation").values
    slope = np.tensordot(centred / (centred**2).sum(), values, axes=(0, 0))
    coords = {"industry": shares["industry"].values, "occupation": shares["occupation"].values}
    return xr.DataArray(slope, coords=coords, dims=("industry", "occupation"))


def structure_path(shares: xr.DataArray, years: np.ndarray, extend_trend: bool = False) -> np.ndarray:
    """Occupation shares of each industry in each year of a run.

    Parameters
    ----------
    shares : DataArray (structure_year, industry, occupation) [1], from `toolkit.skills.base.occupation_shares`
    years : (year) the run's years
    extend_trend : False: the latest year's structure in every year; True: the latest structure moved along the
        2012-2016 linear trend (`share_trend`) from the latest year on, negative shares set to 0 and each
        industry's shares rescaled to sum to 1

    Returns
    -------
    array (year, industry, occupation) [1], summing to 1 over occupations
    """
    latest = shares.transpose("structure_year", "industry", "occupation").values[-1]
    if not extend_trend:
        return np.broadcast_to(latest, (len(years), *latest.shape)).copy()
    slope = share_trend(shares).transpose("industry", "occupation").values
    elapsed = (np.asarray(years) - int(shares["structure_year"].values[-1]))[:, None, None]
    moved = np.clip(latest + slope * elapsed, 0.0, None)
    return moved / moved.sum(-1, keepdims=True)


def by_occupation(values: np.ndarray, structure: np.ndarray) -> np.ndarray:
    """Industry values (…, year, industry) distributed over occupations: Σ_i values(i)·structure(year, i, o)."""
    return np.einsum("...yi,yio->...yo", values, structure)


def replacement_weights(structure: np.ndarray, intensity: np.ndarray) -> np.ndarray:
    """Each industry's split of its exits over occupations: structure × intensity, renormalised per industry.

    Parameters
    ----------
    structure : (year, industry, occupation) [1]
    intensity : (occupation) [1] relative retirement intensity

    Returns
    -------
    array (year, industry, occupation) [1], summing to 1 over occupations; the exits of year t are split with
    the structure of year t−1 (the stock the leavers come from), NaN in the first year
    """
    weighted = structure * intensity
    return lagged(weighted / weighted.sum(-1, keepdims=True), 1, axis=0)


def occupation_layer(
    employment: np.ndarray,
    demand: np.ndarray,
    retirement: np.ndarray,
    mortality: np.ndarray,
    structure: np.ndarray,
    intensity: np.ndarray,
) -> dict[str, np.ndarray]:
    """Employment, demand, exits, expansion and replacement demand and openings by occupation group.

    Parameters
    ----------
    employment, demand : (…, year, industry) [persons, jobs]
    retirement, mortality : (…, year, industry) [persons per year]; NaN in the base year
    structure : (year, industry, occupation) [1] from `structure_path`
    intensity : (occupation) [1] relative retirement intensity

    Returns
    -------
    dict of arrays (…, year, occupation): ``employment_by_occupation``, ``labour_demand_by_occupation``,
    ``expansion_demand_by_occupation``, ``exits_retirement_by_occupation``, ``exits_mortality_by_occupation``,
    ``replacement_demand_by_occupation``, ``job_openings_by_occupation``

    Notes
    -----
    Every variable but the openings sums over occupations to its industry total. Openings are the positive
    part of each occupation's own expansion plus its replacement demand, so their sum over occupations may
    differ from the sum over industries where growing and shrinking industries share occupations (a job lost
    in one industry offsets a job gained in another within the same occupation).
    """
    occupation_demand = by_occupation(demand, structure)
    weights = replacement_weights(structure, intensity)
    retiring = np.einsum("...yi,yio->...yo", retirement, weights)
    dying = np.einsum("...yi,yio->...yo", mortality, weights)
    expansion = occupation_demand - lagged(occupation_demand, 1, axis=-2)
    replacement = retiring + dying
    return {
        "employment_by_occupation": by_occupation(employment, structure),
        "labour_demand_by_occupation": occupation_demand,
        "expansion_demand_by_occupation": expansion,
        "exits_retirement_by_occupation": retiring,
        "exits_mortality_by_occupation": dying,
        "replacement_demand_by_occupation": replacement,
        "job_openings_by_occupation": positive_part(expansion) + replacement,
    }


def education_layer(
    openings: np.ndarray, entrants: np.ndarray, needs: np.ndarray, entrant_shares: np.ndarray
) -> dict[str, np.ndarray]:
    """Openings and new entrants by education level, and each occupation's balance of matching entrants.

    Parameters
    ----------
    openings : (…, year, occupation) [jobs per year] job openings by occupation
    entrants : (…, year) [persons per year] new entrants to the labour force
    needs : (occupation, education) [1] education an opening of each group needs (rows sum to 1)
    entrant_shares : (…, education) [1] education of the entrants (sums to 1)

    Returns
    -------
    dict: ``job_openings_by_education`` and ``new_entrants_by_education`` (…, year, education) [per year];
    ``occupation_balance`` (…, year, occupation) [persons per year]

    Notes
    -----
    The entrants of each education level are shared among the occupations in proportion to the openings of
    that level they have: matched(o) = Σ_e entrants(e) · openings(o)·need(o, e) / openings(e). The balance is
    matched(o) − openings(o): negative = a shortage of newly qualified people for the group's openings. It
    sums over occupations to Σ_e entrants(e) over the levels that have openings, minus all openings.
    """
    by_education = openings @ needs
    new_by_education = entrants[..., np.newaxis] * entrant_shares[..., np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        per_opening = np.where(by_education > 0, new_by_education / by_education, 0.0)
    matched = openings * (per_opening @ needs.T)
    return {
        "job_openings_by_education": by_education,
        "new_entrants_by_education": new_by_education,
        "occupation_balance": matched - openings,
    }
