"""Base-year inputs of the skills model, built from the toolkit's base data (`toolkit.io.params`).

The builders are pure functions of the loaded arrays; `load_base` is the only function that reads
data, so the model can run on any `SkillsBase` (tests build small synthetic ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.io import params as data
from toolkit.nomenclature import AGES, EDUCATION_LEVELS, INDUSTRIES
from toolkit.regions import get_region
from toolkit.skills.assumptions import Assumptions


@dataclass(frozen=True)
class SkillsBase:
    """Base-year inputs per area (``region`` = region id).

    Attributes
    ----------
    industry_shares : DataArray (region, industry) [1], shares of A..U summing to 1
    employment_rate : DataArray (sex, age) [1], national employed / population
    participation_rate : DataArray (sex, age) [1], national labour force / population
    area_employment_rate : DataArray (region) [1], the area's employment rate at ages 15-64
    area_participation_rate : DataArray (region) [1], the area's labour force / population, 15-64
    education_shares : DataArray (region, education) [1], population 18+ by education group
    vacancies : DataArray (region_code, occupation, month) [vacancies], open at month end
    jobseekers : DataArray (region_code, occupation, month) [persons], unemployed at month end
    tightness_code : DataArray (region) [str], the region code whose occupation series the area uses
    provenance : source of each input (JSON-serialisable)
    occupation_shares : DataArray (structure_year, industry, occupation) [1], national shares of the Mitenna
        occupation groups in each section's employed, 2012-2016 (`occupation_shares`); None: no occupation layer
    entrant_education : DataArray (region, education) [1], education of the new entrants
        (`entrant_education_shares`); None: no occupation layer
    """

    industry_shares: xr.DataArray
    employment_rate: xr.DataArray
    participation_rate: xr.DataArray
    area_employment_rate: xr.DataArray
    area_participation_rate: xr.DataArray
    education_shares: xr.DataArray
    vacancies: xr.DataArray
    jobseekers: xr.DataArray
    tightness_code: xr.DataArray
    provenance: dict
    occupation_shares: xr.DataArray | None = None
    entrant_education: xr.DataArray | None = None


def industry_shares(workplaces: xr.DataArray, municipalities: Sequence[str]) -> xr.DataArray:
    """Industry shares of an area's workplaces, the unknown section X spread pro rata.

    Parameters
    ----------
    workplaces : DataArray (municipality_code, industry) [jobs], sections A..U and X
    municipalities : the area's municipality codes

    Returns
    -------
    DataArray (industry) [1] over A..U, summing to 1
    """
    jobs = _select(workplaces, "municipality_code", municipalities).sum("municipality_code")
    known = jobs.sel(industry=list(INDUSTRIES))
    if float(known.sum()) <= 0:
        raise InputError(f"workplaces: the municipalities {list(municipalities)} have no jobs in A..U")
    return known / known.sum()


def rate_by_age(lfs: xr.Dataset, numerator: str) -> xr.DataArray:
    """Rate by single age and sex from the LFS 10-year groups (step function, zero outside groups).

    Parameters
    ----------
    lfs : Dataset (sex, age_start) with coordinate ``age_end`` and ``population`` [thousands]
    numerator : ``"employed"`` or ``"labour_force"``

    Returns
    -------
    DataArray (sex, age) [1] for sexes F and M, ages 0..100
    """
    groups = lfs.sel(sex=["F", "M"])
    rates = groups[numerator] / groups["population"]
    starts = groups["age_start"].values
    ends = groups["age_end"].values
    group_of_age = np.searchsorted(starts, AGES, side="right") - 1
    inside = (group_of_age >= 0) & (AGES <= ends[np.clip(group_of_age, 0, None)])
    by_age = rates.isel(age_start=xr.DataArray(np.clip(group_of_age, 0, None), dims="age"))
    by_age = by_age.where(xr.DataArray(inside, dims="age"), 0.0).drop_vars(["age_start", "age_end"])
    return by_age.assign_coords(age=AGES).transpose("sex", "age")


def area_rates(lfs_region: xr.Dataset, region_code: str) -> tuple[float, float]:
    """Employment and participation rates of a region at ages 15-64 (LFS 2020).

    Returns
    -------
    (employment_rate, participation_rate) [1]
    """
    row = _select(lfs_region, "region_code", [region_code]).isel(region_code=0)
    return float(row["employment_rate"]) / 100, float(row["labour_force"] / row["population"])


def education_shares(
    education: xr.DataArray, municipalities: Sequence[str], level_map: xr.DataArray
) -> xr.DataArray:
    """Education-group shares of an area's population 18+.

    Parameters
    ----------
    education : DataArray (municipality_code, level) [persons]
    municipalities : the area's municipality codes
    level_map : DataArray (level, education) [1] from the assumption file

    Returns
    -------
    DataArray (education) [1] summing to 1
    """
    persons = _select(education, "municipality_code", municipalities).sum("municipality_code")
    unmapped = sorted(set(persons["level"].values) - set(level_map["level"].values))
    if unmapped:
        raise InputError(
            f"params/skills/education_levels.yaml: levels {unmapped} of the education data "
            "have no shares; add them to education_level_map.shares"
        )
    groups = (persons * level_map.sel(level=persons["level"])).sum("level")
    return groups / groups.sum()


def occupation_shares(employed: xr.DataArray) -> xr.DataArray:
    """Shares of the occupation groups in each industry's employed, per year of the table.

    Parameters
    ----------
    employed : DataArray (year, industry, occupation) [persons], national

    Returns
    -------
    DataArray (structure_year, industry, occupation) [1], each (year, industry) summing to 1; an industry
    without employed in a year takes the occupation mix of all industries of that year
    """
    total = employed.sum("occupation")
    mix = employed.sum("industry") / employed.sum(["industry", "occupation"])
    shares = (employed / total.where(total > 0)).fillna(mix)
    return shares.rename(year="structure_year").transpose("structure_year", "industry", "occupation")


def entrant_education_shares(
    attainment: xr.DataArray, education: xr.DataArray, municipalities: Sequence[str], nuts2: str
) -> xr.DataArray:
    """Education of new entrants: NUTS-2 attainment of ages 25-64, split by the area's Paavo 18+ levels.

    Parameters
    ----------
    attainment : DataArray (geo, year, level low/medium/high) [%] (Eurostat edat_lfse_04)
    education : DataArray (municipality_code, level) [persons] (Paavo 2018, population 18+)
    municipalities : the area's municipality codes
    nuts2 : the area's NUTS-2 code

    Returns
    -------
    DataArray (education) [1] over `toolkit.nomenclature.EDUCATION_LEVELS`, summing to 1: basic = low;
    general upper secondary and vocational = medium split as matriculation : vocational of the area's 18+;
    UAS and university = high split as lower : higher university level of the area's 18+. The attainment is
    that of the latest year in which the three levels are all given.
    """
    area = _select(attainment, "geo", [nuts2]).isel(geo=0)
    complete = area.notnull().all("level")
    if not bool(complete.any()):
        raise InputError(f"education attainment: NUTS-2 area {nuts2} has no year with all three levels")
    latest = area.sel(year=area["year"][complete].values[-1]) / 100
    persons = _select(education, "municipality_code", municipalities).sum("municipality_code")
    medium = persons.sel(level=["matriculation", "vocational"]).values
    high = persons.sel(level=["university_lower", "university_higher"]).values
    low_share, medium_share, high_share = (float(latest.sel(level=level)) for level in ("low", "medium", "high"))
    values = np.array([low_share, *(medium_share * medium / medium.sum()), *(high_share * high / high.sum())])
    return xr.DataArray(values / values.sum(), coords={"education": list(EDUCATION_LEVELS)}, dims="education")


def load_base(region_ids: Sequence[str], assumptions: Assumptions) -> SkillsBase:
    """Build the skills model's base inputs for the given areas from `toolkit.io.params`.

    Parameters
    ----------
    region_ids : region ids (maakunta or municipal forum areas)
    assumptions : the model's assumptions (for the education level map)

    Returns
    -------
    SkillsBase
    """
    regions = [get_region(region_id) for region_id in region_ids]
    rate_codes = [get_region(region.parent).code if region.parent else region.code for region in regions]
    municipalities = [_municipalities(region, data) for region in regions]
    workplaces, education = data.load_workplaces(), data.load_education()
    lfs_age, lfs_region = data.load_lfs_by_age_sex(), data.load_lfs_region()
    series = data.load_jobseekers_vacancies()
    rates = np.array([area_rates(lfs_region, code) for code in rate_codes])
    region = {"region": list(region_ids)}
    unique_codes = sorted(set(rate_codes))
    occupation = _select(series, "region_code", unique_codes)
    employed = data.load_employed_by_section_occupation()
    attainment = data.load_education_attainment()
    entrants = [
        entrant_education_shares(attainment, education, m, assumptions.entrant_nuts2[code])
        for m, code in zip(municipalities, rate_codes, strict=True)
    ]
    return SkillsBase(
        industry_shares=xr.concat(
            [industry_shares(workplaces, m) for m in municipalities], "region"
        ).assign_coords(region),
        employment_rate=rate_by_age(lfs_age, "employed"),
        participation_rate=rate_by_age(lfs_age, "labour_force"),
        area_employment_rate=xr.DataArray(rates[:, 0], coords=region, dims="region"),
        area_participation_rate=xr.DataArray(rates[:, 1], coords=region, dims="region"),
        education_shares=xr.concat(
            [education_shares(education, m, assumptions.education_level_map) for m in municipalities],
            "region",
        ).assign_coords(region),
        vacancies=occupation["open_vacancies"],
        jobseekers=occupation["unemployed_jobseekers"],
        tightness_code=xr.DataArray(rate_codes, coords=region, dims="region"),
        occupation_shares=occupation_shares(employed),
        entrant_education=xr.concat(entrants, "region").assign_coords(region),
        provenance={
            name: obj.attrs.get("source", "toolkit.io.params")
            for name, obj in [
                ("workplaces", workplaces),
                ("education", education),
                ("lfs_by_age_sex", lfs_age),
                ("lfs_region", lfs_region),
                ("jobseekers_vacancies", series),
                ("employed_section_occupation", employed),
                ("education_attainment_nuts2", attainment),
            ]
        },
    )


def _municipalities(region, data) -> tuple[str, ...]:
    """The municipality codes of an area: its own list, or those of its region code."""
    if region.municipalities:
        return tuple(region.municipalities)
    table = data.load_municipalities()
    return tuple(sorted(set(table.loc[table["region_code"] == region.code, "municipality_code"])))


def _select(obj, dim: str, labels: Sequence[str]):
    """Select labels along `dim`, naming the missing labels in an InputError."""
    missing = sorted(set(labels) - set(obj[dim].values.tolist()))
    if missing:
        raise InputError(f"base data: {dim} {missing} not found (known: {obj.sizes[dim]} values)")
    return obj.sel({dim: list(labels)})
