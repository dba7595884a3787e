"""Jump-off inputs of the population model, built from its loaded tables (:class:`~toolkit.io.inputs.PopulationInputs`).

For each region: the base population by sex and single age, the jump-off TFR and life expectancy, and the
region's own net-migration profile as net rates by sex and single age. Nationally: the age pattern of
mortality (the mean of the log death rates of the last three single-age life tables up to the base year) and
the age pattern of fertility (the mean WPP single-age schedule of the last three observed years up to the
base year). Municipal forum areas are estimated from their parent region (:mod:`toolkit.population.smallarea`).
Every function takes the tables as its first argument and reads no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from toolkit.errors import InputError
from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import AGES, FEMALE, SEXES
from toolkit.population.lifetable import a0_andreev_kingkade, open_age_rate, qx_to_mx
from toolkit.population.schedules import fertility_shape, graduate_group_rates
from toolkit.regions import Region

MIGRATION_WINDOW = 10  # years of observed net migration averaged into the rate profile (2016-2025)
PATTERN_YEARS = 3  # national life tables / fertility schedules averaged into the age patterns


@dataclass(frozen=True)
class RegionBase:
    """Jump-off inputs of one region (sex axis F, M; ages 0..100)."""

    region: Region
    base_year: int
    population: np.ndarray  # (2, 101) persons on 31 Dec of the base year
    tfr: float  # children per woman, the base year's observed value
    e0: np.ndarray  # (2,) years, the latest observed (3-year average) life expectancy
    e0_year: int  # reference year of e0: the middle of its 3-year window
    migration_rate: np.ndarray  # (2, 101) net migrants per person per year
    series_code: str  # region code whose TFR and migration series feed the trend models
    estimated: bool = False
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class NationalPatterns:
    """Age patterns shared by all regions."""

    mortality: np.ndarray  # (2, 101) death rates [1/year], the last entry the open group 100+
    fertility: np.ndarray  # (101,) share of the TFR at each age (sums to 1)
    mortality_years: tuple[int, ...]
    fertility_years: tuple[int, ...]


@lru_cache(maxsize=8)
def national_patterns(inputs: PopulationInputs, base_year: int) -> NationalPatterns:
    """Mortality and fertility age patterns from the national data up to ``base_year`` (cached per inputs)."""
    qx = inputs.qx_national
    years = [int(y) for y in qx["year"].values if y <= base_year][-PATTERN_YEARS:]
    if years:
        q = qx.sel(year=years, sex=list(SEXES)).transpose("year", "sex", "age").values  # (Y, 2, 100)
        mx = qx_to_mx(q)
        # infant rate with the Andreev–Kingkade separation factor instead of one half
        a0 = a0_andreev_kingkade(mx[..., 0], FEMALE[None, :])
        mx[..., 0] = qx_to_mx(q[..., 0], a0)
        pattern = mx.mean(0)  # (2, 100); arithmetic mean: single ages with no deaths in a year have q = 0
        pattern = np.concatenate([pattern, open_age_rate(pattern[:, 90:100])[:, None]], axis=-1)
    else:
        pattern, years = _wpp_pattern(inputs, base_year)

    asfr = inputs.asfr_national
    observed = [int(y) for y, s in zip(asfr["year"].values, asfr["status"].values, strict=True)
                if s == "estimate" and y <= base_year][-PATTERN_YEARS:]
    rates = np.zeros((len(observed), AGES.size))
    ages = asfr["age"].values
    rates[:, ages] = asfr.sel(year=observed).transpose("year", "age").values
    return NationalPatterns(pattern, fertility_shape(rates), tuple(years), tuple(observed))


def _wpp_pattern(inputs: PopulationInputs, base_year: int) -> tuple[np.ndarray, list[int]]:
    """Single-age death rates from the latest observed UN WPP 5-year period that ended by the base year.

    Used for base years before the first single-age life table (hindcasts): the abridged rates (ages 0, 1–4,
    5–9, …, 100+) are interpolated log-linearly between the groups' mid-ages.
    """
    mx = inputs.mx_wpp
    done = [int(p) for p, end, status in zip(mx["period_start"].values, mx["period_end"].values,
                                             mx["status"].values, strict=True)
            if str(status).startswith("estimate") and end <= base_year + 1]
    if not done:
        raise InputError(f"no national mortality pattern observed by base year {base_year}")
    period = max(done)
    rates = mx.sel(period_start=period, sex=list(SEXES)).transpose("sex", "age_start").values
    starts = mx["age_start"].values.astype(float)
    widths = np.diff(np.r_[starts, starts[-1] + 1.0])
    mids = starts + widths / 2.0
    log_rates = np.stack([np.interp(AGES + 0.5, mids, np.log(row)) for row in rates])
    log_rates[:, 0] = np.log(rates[:, 0])  # the infant rate as published
    return np.exp(log_rates), [period]


def observed_population(inputs: PopulationInputs, code: str, year: int) -> np.ndarray:
    """Observed population (2, 101) of a region code on 31 Dec of ``year``."""
    people = inputs.population.sel(region_code=code, year=year, sex=list(SEXES))
    return people.transpose("sex", "age").values.astype(float)


def jump_off_e0(inputs: PopulationInputs, code: str, base_year: int) -> tuple[np.ndarray, int]:
    """Latest 3-year life expectancy at or before the base year and the middle year of its window."""
    e0 = inputs.life_expectancy.sel(region_code=code)
    year = int(e0["year"].where(e0["year"] <= base_year, drop=True).max())
    return e0.sel(year=year, sex=list(SEXES)).values.astype(float), year - 1


def migration_rates(inputs: PopulationInputs, code: str, base_year: int, window: int = MIGRATION_WINDOW) -> np.ndarray:
    """The region's own net-migration rates by sex and single age [1/year], shape (2, 101).

    Net migrants of the last ``window`` years (5-year groups) divided by the person-years of the group
    (mean of the populations at the start and end of each year), graduated to single ages without
    changing any group's total on those person-years.
    """
    mig = inputs.net_migration_age5.sel(region_code=code)
    pop = inputs.population.sel(region_code=code)
    first_pop_year = int(pop["year"].min())
    # the window is cut at the first year with an observed starting population (hindcasts from early years)
    years = np.arange(max(base_year - window + 1, first_pop_year + 1), base_year + 1)
    if years.size == 0 or base_year > int(mig["year"].max()):
        raise InputError(f"net-migration rates for {code} need populations from {base_year - 1} and migration to "
                         f"{base_year}; the data covers populations from {first_pop_year}")
    counts = mig.sel(year=years, sex=list(SEXES)).sum("year").transpose("sex", "age_start").values
    start = pop.sel(year=years - 1, sex=list(SEXES)).values
    end = pop.sel(year=years, sex=list(SEXES)).values
    exposure = (0.5 * (start + end)).sum(0)  # (2, 101) person-years over the window
    group_start = mig["age_start"].values.astype(int)
    group_end = mig["age_end"].values.astype(int)
    member = (AGES[None, :] >= group_start[:, None]) & (AGES[None, :] <= group_end[:, None])
    group_exposure = exposure @ member.T
    group_rates = counts / group_exposure
    return graduate_group_rates(group_rates, group_start, group_end, exposure)


def has_population(inputs: PopulationInputs, code: str, year: int) -> bool:
    """Whether the inputs have the population by age and sex of ``code`` on 31 Dec of ``year``."""
    population = inputs.population
    if code not in population["region_code"].values:
        return False
    return bool(population.sel(region_code=code, year=year).notnull().all()) if year in population["year"] else False


def observed_base(inputs: PopulationInputs, region: Region, base_year: int,
                  migration_window: int = MIGRATION_WINDOW) -> RegionBase:
    """Jump-off inputs of a region from its own observed data (a maakunta); ``migration_window`` years of net
    migration make its rate profile."""
    code = region.code
    tfr = inputs.tfr.sel(region_code=code)
    if base_year not in tfr["year"].values:
        raise InputError(f"no TFR for {code} in base year {base_year} (tfr.csv)")
    e0, e0_year = jump_off_e0(inputs, code, base_year)
    return RegionBase(
        region=region,
        base_year=base_year,
        population=observed_population(inputs, code, base_year),
        tfr=float(tfr.sel(year=base_year)),
        e0=e0,
        e0_year=e0_year,
        migration_rate=migration_rates(inputs, code, base_year, migration_window),
        series_code=code,
    )
