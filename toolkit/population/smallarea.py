"""Estimated base population of municipal forum areas (Hämeenlinna, Seinäjoki + Ilmajoki, Ylä-Savo, Raahe).

The shipped data has, for municipalities, the population of 31 Dec 2018 in coarse age groups (both sexes,
Paavo), the totals of 2019 and 2020, and the totals by sex of 2021 — not single years of age by sex. The
estimate:

1. 31 Dec 2018: the parent region's single-year, sex-specific structure scaled within each of the area's own
   age groups to the area's group total (both sexes together, so the parent's sex ratio by age is kept).
2. 2019 … base year: the cohort-component engine with the parent's observed TFR and life expectancy of each
   year and the parent's net-migration rates; in the years with an observed total (2019, 2020 and 2021 by sex)
   an additional net migration on the Rogers–Castro schedule is solved so that the area's total (by sex where
   known) is met exactly. After the last observed year the mean of those calibrated levels (per 1,000
   inhabitants) continues.
3. The projection then borrows the parent's rates; the calibrated level becomes part of the area's own net
   migration rates (per person of each sex and age, from the estimated base-year structure), so that it is
   scaled by the scenario's migration-rate lever and shrinks or grows with the cohorts it applies to.

The result is flagged as estimated in the output (``attrs["estimated_regions"]``) and in the forum pack. When
real single-year data for the area are in ``params/data/population.csv`` (Statistics Finland loader) they are
used instead.
"""

from __future__ import annotations

import numpy as np

from toolkit.errors import InputError
from toolkit.io.inputs import PopulationInputs
from toolkit.population.ccm import project
from toolkit.population.jumpoff import (
    AGES,
    MIGRATION_WINDOW,
    RegionBase,
    jump_off_e0,
    migration_rates,
    national_patterns,
    observed_population,
)
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.schedules import rogers_castro
from toolkit.regions import Region, get_region

STRUCTURE_YEAR = 2018  # reference year of the municipal age groups (Paavo)
CALIBRATION_STEP = 1000.0  # persons; the step is affine in the added migrants, any non-zero probe works


def area_age_groups(inputs: PopulationInputs, region: Region) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The area's population on 31 Dec 2018 by age group: (start, end, persons)."""
    groups = inputs.municipality_age_groups
    missing = sorted(set(region.municipalities) - set(groups["municipality_code"].values))
    if missing:
        raise InputError(f"no age groups for municipality {missing[0]} of {region.id} in "
                         "municipality_age_groups_2018.csv")
    total = groups.sel(municipality_code=list(region.municipalities)).sum("municipality_code")
    return total["age_start"].values.astype(int), total["age_end"].values.astype(int), total.values.astype(float)


def observed_totals(inputs: PopulationInputs, region: Region) -> dict[int, dict[str, float]]:
    """Observed 31 Dec totals of the area by year: {year: {"T": …, "F": …, "M": …}} where published."""
    table = inputs.municipalities
    rows = table[table["municipality_code"].isin(region.municipalities)]
    totals: dict[int, dict[str, float]] = {}
    for (year, sex), value in rows.groupby(["year", "sex"])["population"].sum().items():
        totals.setdefault(int(year), {})[str(sex)] = float(value)
    return totals


def scale_to_groups(structure: np.ndarray, start: np.ndarray, end: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Scale a (2, 101) structure within each age group so that both sexes together match ``totals``."""
    member = (AGES[None, :] >= start[:, None]) & (AGES[None, :] <= end[:, None])  # (G, 101)
    group_sum = structure.sum(0) @ member.T
    factor = np.divide(totals, group_sum, out=np.zeros_like(totals), where=group_sum > 0)
    return structure * (factor @ member)[None, :]


def _step(population, tfr, e0, patterns, rate, count):
    """One annual step; returns the Projection of that single step."""
    Lx, _ = person_years(e0, patterns.mortality)
    asfr = fertility_rates(np.array(tfr), np.array(0.0), patterns.fertility)
    return project(population, Lx[None], asfr[None], migration_count=count[None], migration_rate=rate[None])


def _calibrated_count(population, tfr, e0, patterns, rate, target: dict[str, float]) -> np.ndarray:
    """Additional net migrants (2, 101) on the Rogers–Castro schedule that hit the observed totals.

    The end-of-year total is affine in the added migrants, so probing the step with unit levels and solving
    the linear system is exact (up to float rounding).
    """
    schedule = rogers_castro()
    if "F" in target and "M" in target:
        directions = [np.stack([schedule, np.zeros_like(schedule)]), np.stack([np.zeros_like(schedule), schedule])]
        wanted = np.array([target["F"], target["M"]])

        def measure(p):
            return p.population[-1].sum(-1)  # totals by sex
    else:
        directions = [0.5 * np.stack([schedule, schedule])]
        wanted = np.array([target["T"]])

        def measure(p):
            return np.array([p.population[-1].sum()])

    zero = np.zeros((2, AGES.size))
    base = measure(_step(population, tfr, e0, patterns, rate, zero))
    jacobian = np.stack(
        [(measure(_step(population, tfr, e0, patterns, rate, CALIBRATION_STEP * d)) - base) / CALIBRATION_STEP
         for d in directions], axis=-1)
    levels = np.linalg.solve(jacobian, wanted - base)
    return sum(level * d for level, d in zip(levels, directions, strict=True))


def _calibrated_rates(parent_rate: np.ndarray, population: np.ndarray, net_migrants: float) -> np.ndarray:
    """The parent's net-migration rates plus a Rogers–Castro level that yields ``net_migrants`` a year on
    ``population`` (rates per person of each sex and age)."""
    implied = float((parent_rate * population).sum())
    extra = (net_migrants - implied) * 0.5 * np.stack([rogers_castro(), rogers_castro()])
    return parent_rate + np.divide(extra, population, out=np.zeros_like(extra), where=population > 0)


def observed_area_base(inputs: PopulationInputs, region: Region, base_year: int) -> RegionBase:
    """Jump-off inputs of a municipal area whose single-year population is in params/data.

    Fertility, mortality and the migration age profile are the parent's; the migration level is the area's
    own mean net migration over the parent's rate window where params/data has it (net_migration_total.csv),
    else the parent's rates as they are.
    """
    parent = get_region(region.parent)
    population = observed_population(inputs, region.code, base_year)
    rate = migration_rates(inputs, parent.code, base_year)
    totals = inputs.net_migration_total
    window = np.arange(base_year - MIGRATION_WINDOW + 1, base_year + 1)
    note = f"{region.id}: population from Statistics Finland by single year of age and sex; fertility, mortality " \
           f"and the migration age profile of {parent.id}"
    if region.code in totals["region_code"].values:
        own = totals.sel(region_code=region.code).reindex(year=window).dropna("year")
        if own.size:
            rate = _calibrated_rates(rate, population, float(own.mean()))
            note += (f"; migration level {float(own.mean()):+.0f} a year, the area's mean net migration "
                     f"{int(own.year.min())}–{int(own.year.max())}")
    e0, e0_year = jump_off_e0(inputs, parent.code, base_year)
    return RegionBase(region=region, base_year=base_year, population=population,
                      tfr=float(inputs.tfr.sel(region_code=parent.code, year=base_year)), e0=e0,
                      e0_year=e0_year, migration_rate=rate, series_code=parent.code, estimated=False,
                      notes=(note + ".",))


def estimated_base(inputs: PopulationInputs, region: Region, base_year: int) -> RegionBase:
    """Estimated jump-off inputs of a municipal area from its parent region (see module docstring)."""
    if region.parent is None:
        raise InputError(f"region {region.id} has no population by age in the data and no parent region")
    parent = get_region(region.parent)
    if base_year <= STRUCTURE_YEAR:
        raise InputError(f"base year {base_year}: the estimate of {region.id} starts from {STRUCTURE_YEAR} data")
    patterns = national_patterns(inputs, base_year)
    tfr = inputs.tfr.sel(region_code=parent.code)
    rate = migration_rates(inputs, parent.code, base_year)
    start, end, totals = area_age_groups(inputs, region)
    population = scale_to_groups(observed_population(inputs, parent.code, STRUCTURE_YEAR), start, end, totals)
    observed = observed_totals(inputs, region)
    schedule = 0.5 * np.stack([rogers_castro(), rogers_castro()])
    levels_per_1000 = []
    for year in range(STRUCTURE_YEAR + 1, base_year + 1):
        e0, _ = jump_off_e0(inputs, parent.code, min(year + 1, base_year))
        year_tfr = float(tfr.sel(year=year))
        if year in observed:
            count = _calibrated_count(population, year_tfr, e0, patterns, rate, observed[year])
            levels_per_1000.append(count.sum() / population.sum() * 1000.0)
        else:
            if not levels_per_1000:
                raise InputError(f"no observed total of {region.id} after {STRUCTURE_YEAR} to calibrate to")
            count = np.mean(levels_per_1000) * population.sum() / 1000.0 * schedule
        population = _step(population, year_tfr, e0, patterns, rate, count).population[-1]
    level = float(np.mean(levels_per_1000))
    extra = level * population.sum() / 1000.0 * schedule
    own_rate = rate + np.divide(extra, population, out=np.zeros_like(extra), where=population > 0)
    e0, e0_year = jump_off_e0(inputs, parent.code, base_year)
    last_observed = max(observed)
    return RegionBase(
        region=region,
        base_year=base_year,
        population=population,
        tfr=float(tfr.sel(year=base_year)),
        e0=e0,
        e0_year=e0_year,
        migration_rate=own_rate,
        series_code=parent.code,
        estimated=True,
        notes=(
            f"{region.id}: base population estimated from {parent.id}'s single-year structure within the area's "
            f"{STRUCTURE_YEAR} age groups, carried to {base_year} with {parent.id}'s rates and a migration level "
            f"calibrated to the observed totals of {min(observed)}–{last_observed} "
            f"({level:+.1f} per 1,000 a year on top of {parent.id}'s rates); fertility and mortality of "
            f"{parent.id}.",
        ),
    )


__all__ = ["area_age_groups", "estimated_base", "observed_area_base", "observed_totals", "scale_to_groups"]
