"""The catalogue of the base-data files of ``params/data/``: one :class:`FileSpec` per file.

Every file has one :class:`FileSpec` in :data:`FILE_SPECS` (keyed by the file stem, the *kind*): its columns and
their types, its key columns, the codes each key may take, plausible ranges, the credit line of its source, and
how it becomes an xarray object. :mod:`toolkit.io.params` validates and loads the files by these contracts; the
Statistics Finland loader (:mod:`toolkit.io.statfin`) checks fetched tables against them before writing. The
files and their sources are described in ``docs/conventions.md`` and ``params/data/SOURCES.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from toolkit.errors import DataError
from toolkit.nomenclature import (
    INDUSTRIES,
    MAAKUNTA_CODES,
    MITENNA_OCCUPATIONS,
    OCCUPATIONS,
    OPEN_AGE,
    REGION_CODES,
    SEXES,
    UNKNOWN_INDUSTRY,
)

# codes of the region_code column where municipal areas may appear (filled in by toolkit.io.statfin):
# a maakunta, the country, a subregion (SK111) or a set of municipalities (KU109, KU743+KU145)
AREA_CODE_PATTERN = r"MK(0[124-9]|1\d|21)|SSS|SK\d{3}|KU\d{3}(\+KU\d{3})*"
DATA_INDUSTRIES = (*INDUSTRIES, UNKNOWN_INDUSTRY)  # workplaces by section, X = unknown

_STATFIN = "Source: Statistics Finland, "
_PAAVO = _STATFIN + "Paavo - open data by postal code area (2020 edition), municipality rows"
_WPP = "United Nations, DESA, Population Division, World Population Prospects "
_COUNT = (0.0, np.inf)


# Plausibility from demography (what no population of a Finnish area does in one year); the shipped data stay far
# inside: cohort ratios 0.52..1.19 in cells of 50+ persons, totals change at most 1.7 % a year, net migration at most
# 1.5 % of the population, 1990-2025.
COHORT_RATIO = (0.25, 4.0)
"""Allowed ratio [1] of a cohort's persons a year later (age x+1 in year y+1 over age x in year y, the open group
with its entrants) in a single-age population file, for cells of at least :data:`COHORT_MIN_CELL` persons."""
COHORT_MIN_CELL = 100
"""Cells [persons] below which the cohort ratio is not checked (small numbers move by chance)."""
MAX_TOTAL_CHANGE = 0.10
"""Allowed relative change [1] of an area's total population from one year to the next."""
MAX_MIGRATION_SHARE = 0.10
"""Allowed net migration of an area in a year, relative to its population on 31 December of that year [1]."""
_CELL = (0.0, 500_000.0)  # persons of one age and sex: five times Finland's largest birth cohort (108,000 in 1947)
_MIGRANTS = (-1_000_000.0, 1_000_000.0)  # no Finnish area gains or loses a million persons a year by migration


@dataclass(frozen=True)
class FileSpec:
    """The contract of one base-data file.

    Attributes
    ----------
    columns : column name -> ``"int"``, ``"float"`` or ``"str"``, in file order
    keys : columns that identify a row (no duplicates allowed); the dims of the xarray object
    variables : value column -> (long name, units)
    source : credit line of the official table
    codes : allowed values of a column, in coordinate order; for a key of a ``grid`` file, all must be present
    patterns : regular expression a string column must match in full
    ranges : column -> (min, max), inclusive; counts use (0, inf)
    nullable : columns in which the source leaves cells empty (suppressed figures)
    depends : column -> the key column it is a function of (becomes a coordinate on that dim)
    grid : the keys form a complete Cartesian product (with a ``region_code`` key: among the maakunnat
        and SSS, and separately within each municipal area, which may cover fewer years)
    contiguous : integer keys whose values must be consecutive
    age_groups : (start, end) columns whose groups must tile without gaps or overlaps
    regional_sum : value column whose 19 maakunnat must sum exactly to ``SSS`` (when both are present)
    below : column -> a strict upper bound (e.g. q(x) < 1: only the open age, not in the file, closes a table)
    positive_sum : column -> the keys per whose combination the column must not be all zero (a schedule)
    cohorts : value column of a single-age population: cohort ratios within :data:`COHORT_RATIO` and totals
        changing by at most :data:`MAX_TOTAL_CHANGE` from year to year
    dims : renames of keys to dims of the xarray object
    kind_of_result : ``"array"`` (one variable), ``"dataset"`` or ``"frame"``
    """

    columns: Mapping[str, str]
    keys: tuple[str, ...]
    variables: Mapping[str, tuple[str, str]]
    source: str
    codes: Mapping[str, tuple] = field(default_factory=dict)
    patterns: Mapping[str, str] = field(default_factory=dict)
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    nullable: tuple[str, ...] = ()
    depends: Mapping[str, str] = field(default_factory=dict)
    grid: bool = True
    contiguous: tuple[str, ...] = ()
    age_groups: tuple[str, str] | None = None
    regional_sum: str | None = None
    below: Mapping[str, float] = field(default_factory=dict)
    positive_sum: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cohorts: str | None = None
    dims: Mapping[str, str] = field(default_factory=dict)
    kind_of_result: str = "array"


def _ages(first: int, last: int, step: int = 1) -> tuple[int, ...]:
    return tuple(range(first, last + 1, step))


_PAAVO_AGE_STARTS = (0, 3, 7, 13, 16, 18, *_ages(20, 85, 5))
_PAAVO_AGE_ENDS = (2, 6, 12, 15, 17, 19, *_ages(24, 84, 5), OPEN_AGE)
_LFS_COLUMNS = ("population", "labour_force", "employed", "unemployed")

FILE_SPECS: dict[str, FileSpec] = {
    "population": FileSpec(
        columns={"region_code": "str", "year": "int", "sex": "str", "age": "int", "population": "int"},
        keys=("region_code", "year", "sex", "age"),
        variables={"population": ("population on 31 December", "persons")},
        source=_STATFIN + "StatFin 11re (population 31 Dec by single year of age and sex)",
        codes={"sex": SEXES, "age": _ages(0, OPEN_AGE)},
        patterns={"region_code": AREA_CODE_PATTERN},
        ranges={"population": _CELL, "year": (1900, 2200)},
        contiguous=("year",),
        regional_sum="population",
        cohorts="population",
    ),
    "tfr": FileSpec(
        columns={"region_code": "str", "year": "int", "tfr": "float"},
        keys=("region_code", "year"),
        variables={"tfr": ("total fertility rate", "children per woman")},
        source=_STATFIN + "StatFin 12du (total fertility rate by region)",
        codes={"region_code": REGION_CODES},
        ranges={"tfr": (0.3, 5.0), "year": (1900, 2200)},
        contiguous=("year",),
    ),
    "life_expectancy": FileSpec(
        columns={"region_code": "str", "period_end_year": "int", "sex": "str", "e0": "float"},
        keys=("region_code", "period_end_year", "sex"),
        variables={
            "e0": ("life expectancy at birth, 3-year moving average of years year-2 .. year", "years")
        },
        source=_STATFIN + "StatFin 12an (life expectancy at birth by region, 3-year moving average)",
        codes={"region_code": REGION_CODES, "sex": SEXES},
        ranges={"e0": (40.0, 100.0), "period_end_year": (1900, 2200)},
        contiguous=("period_end_year",),
        dims={"period_end_year": "year"},
    ),
    "net_migration_age5": FileSpec(
        columns={
            "region_code": "str", "year": "int", "sex": "str", "age_start": "int", "age_end": "int",
            "net_migration": "int",
        },
        keys=("region_code", "year", "sex", "age_start"),
        variables={
            "net_migration": (
                "net migration (internal + international; SSS: international) by age at the move",
                "persons",
            )
        },
        source=_STATFIN + "StatFin 11a2 and 11a7 (migration by 5-year age group and sex)",
        codes={
            "region_code": REGION_CODES, "sex": SEXES, "age_start": _ages(0, 75, 5),
            "age_end": (*_ages(4, 74, 5), OPEN_AGE),
        },
        ranges={"net_migration": _MIGRANTS, "year": (1900, 2200)},
        depends={"age_end": "age_start"},
        contiguous=("year",),
        age_groups=("age_start", "age_end"),
        regional_sum="net_migration",
    ),
    "net_migration_total": FileSpec(
        columns={"region_code": "str", "year": "int", "net_migration": "int"},
        keys=("region_code", "year"),
        variables={"net_migration": ("net migration (SSS: net international migration)", "persons")},
        source=_STATFIN + "StatFin 11ae (population changes by region)",
        patterns={"region_code": AREA_CODE_PATTERN},
        ranges={"net_migration": _MIGRANTS, "year": (1900, 2200)},
        contiguous=("year",),
        regional_sum="net_migration",
    ),
    "asfr_national": FileSpec(
        columns={"year": "int", "age": "int", "asfr": "float", "status": "str"},
        keys=("year", "age"),
        variables={"asfr": ("age-specific fertility rate, Finland", "births per woman per year")},
        source=_WPP + "2022 (fertility by single age; medium variant after 2021)",
        codes={"age": _ages(15, 49), "status": ("estimate", "projection")},
        ranges={"asfr": (0.0, 0.5), "year": (1900, 2200)},
        positive_sum={"asfr": ("year",)},
        depends={"status": "year"},
        contiguous=("year",),
    ),
    "qx_national": FileSpec(
        columns={"year": "int", "sex": "str", "age": "int", "qx": "float"},
        keys=("year", "sex", "age"),
        variables={"qx": ("life-table probability of death between ages x and x+1, Finland", "1")},
        source=_STATFIN + "life tables (probability of death by single year of age and sex)",
        codes={"sex": SEXES, "age": _ages(0, 99)},
        ranges={"qx": (0.0, 1.0), "year": (1900, 2200)},
        below={"qx": 1.0},
        positive_sum={"qx": ("year", "sex")},
        contiguous=("year",),
    ),
    "mx_national_wpp": FileSpec(
        columns={
            "period_start": "int", "period_end": "int", "sex": "str", "age_start": "int", "mx": "float",
            "status": "str",
        },
        keys=("period_start", "sex", "age_start"),
        variables={"mx": ("central death rate, Finland, 5-year period [period_start, period_end)", "1/year")},
        source=_WPP + "2024 (abridged central death rates; medium variant from 2024)",
        codes={"sex": SEXES, "age_start": (0, 1, *_ages(5, OPEN_AGE, 5)),
               "status": ("estimate", "mixed", "projection")},
        ranges={"mx": (0.0, 5.0), "period_start": (1900, 2200), "period_end": (1900, 2200)},
        positive_sum={"mx": ("period_start", "sex")},
        depends={"period_end": "period_start", "status": "period_start"},
    ),
    "national_indicators": FileSpec(
        columns={
            "year": "int", "e0_F": "float", "e0_M": "float", "births": "int", "deaths": "int", "tfr": "float",
            "net_migration_rate": "float", "status": "str",
        },
        keys=("year",),
        variables={
            "e0_F": ("life expectancy at birth, females", "years"),
            "e0_M": ("life expectancy at birth, males", "years"),
            "births": ("live births", "persons"),
            "deaths": ("deaths", "persons"),
            "tfr": ("total fertility rate", "children per woman"),
            "net_migration_rate": ("crude net migration rate", "per 1,000 population"),
        },
        source=_WPP + "2024 (annual indicators, Finland)",
        codes={"status": ("estimate", "projection")},
        ranges={
            "e0_F": (40.0, 100.0), "e0_M": (40.0, 100.0), "births": _COUNT, "deaths": _COUNT,
            "tfr": (0.3, 5.0), "net_migration_rate": (-100.0, 100.0), "year": (1900, 2200),
        },
        contiguous=("year",),
        kind_of_result="frame",
    ),
    "municipalities": FileSpec(
        columns={
            "municipality_code": "str", "name": "str", "subregion_code": "str", "region_code": "str",
            "year": "int", "sex": "str", "population": "int",
        },
        keys=("municipality_code", "year", "sex"),
        variables={"population": ("population on 31 December", "persons")},
        source=_STATFIN + "population by municipality 31 Dec (StatFin 11re) with the 2021 regional key",
        codes={"region_code": MAAKUNTA_CODES, "sex": (*SEXES, "T")},
        patterns={"municipality_code": r"KU\d{3}", "subregion_code": r"SK\d{3}"},
        ranges={"population": _COUNT, "year": (1900, 2200)},
        depends={"name": "municipality_code", "subregion_code": "municipality_code",
                 "region_code": "municipality_code"},
        grid=False,
        kind_of_result="frame",
    ),
    "subregions": FileSpec(
        columns={"subregion_code": "str", "region_code": "str", "name": "str"},
        keys=("subregion_code",),
        variables={"name": ("name of the subregion (seutukunta) as Statistics Finland's key gives it", "")},
        source=_STATFIN + "classification of subregions (seutukunnat) with the 2021 regional key",
        codes={"region_code": MAAKUNTA_CODES},
        patterns={"subregion_code": r"SK\d{3}"},
        depends={"region_code": "subregion_code", "name": "subregion_code"},
        grid=False,
        kind_of_result="frame",
    ),
    "municipality_names": FileSpec(
        columns={"municipality_code": "str", "name_fi": "str", "name_sv": "str"},
        keys=("municipality_code",),
        variables={"name_fi": ("the municipality's name in Finnish", ""),
                   "name_sv": ("the municipality's name in Swedish", "")},
        source="Municipality names in Finnish and Swedish: Yleisradio, geodata (2020 and 2021 divisions)",
        patterns={"municipality_code": r"KU\d{3}"},
        depends={"name_fi": "municipality_code", "name_sv": "municipality_code"},
        grid=False,
        kind_of_result="frame",
    ),
    "municipality_population_2018_2019": FileSpec(
        columns={"municipality_code": "str", "year": "int", "sex": "str", "age": "int", "population": "int"},
        keys=("municipality_code", "year", "sex", "age"),
        variables={"population": ("population on 31 December", "persons")},
        source=_STATFIN + "StatFin 11re (population 31 Dec by municipality, single year of age and sex)",
        codes={"sex": SEXES, "age": _ages(0, OPEN_AGE)},
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"population": _CELL, "year": (1900, 2200)},
        grid=False,
        kind_of_result="frame",
    ),
    "municipality_migration_1990_2017": FileSpec(
        columns={"municipality_code": "str", "year": "int", "in_migration": "int", "out_migration": "int",
                 "net_migration": "int"},
        keys=("municipality_code", "year"),
        variables={"in_migration": ("intermunicipal in-migration", "persons"),
                   "out_migration": ("intermunicipal out-migration", "persons"),
                   "net_migration": ("intermunicipal net migration", "persons")},
        source=_STATFIN + "StatFin 11a1 (intermunicipal migration by municipality)",
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"in_migration": _COUNT, "out_migration": _COUNT, "net_migration": _MIGRANTS,
                "year": (1900, 2200)},
        grid=False,
        kind_of_result="frame",
    ),
    "municipality_age_groups_2018": FileSpec(
        columns={"municipality_code": "str", "age_start": "int", "age_end": "int", "population": "int"},
        keys=("municipality_code", "age_start"),
        variables={"population": ("population on 31 Dec 2018, both sexes", "persons")},
        source=_PAAVO,
        codes={"age_start": _PAAVO_AGE_STARTS, "age_end": _PAAVO_AGE_ENDS},
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"population": _COUNT},
        depends={"age_end": "age_start"},
        age_groups=("age_start", "age_end"),
    ),
    "workplaces_2017": FileSpec(
        columns={"municipality_code": "str", "industry": "str", "jobs": "int"},
        keys=("municipality_code", "industry"),
        variables={"jobs": ("workplaces (jobs) in 2017 by TOL 2008 section; X = unknown", "jobs")},
        source=_PAAVO,
        codes={"industry": DATA_INDUSTRIES},
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"jobs": _COUNT},
    ),
    "main_activity_2017": FileSpec(
        columns={"municipality_code": "str", "activity": "str", "persons": "int"},
        keys=("municipality_code", "activity"),
        variables={"persons": ("population by main type of activity, end of 2017", "persons")},
        source=_PAAVO,
        codes={"activity": ("employed", "unemployed", "children", "students", "pensioners", "others")},
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"persons": _COUNT},
    ),
    "education_2018": FileSpec(
        columns={"municipality_code": "str", "level": "str", "persons": "int"},
        keys=("municipality_code", "level"),
        variables={"persons": ("population aged 18+ by highest education, 31 Dec 2018", "persons")},
        source=_PAAVO,
        codes={"level": ("basic", "matriculation", "vocational", "university_lower", "university_higher")},
        patterns={"municipality_code": r"KU\d{3}"},
        ranges={"persons": _COUNT},
    ),
    "lfs_by_age_sex_2020": FileSpec(
        columns={"sex": "str", "age_start": "int", "age_end": "int", **dict.fromkeys(_LFS_COLUMNS, "float")},
        keys=("sex", "age_start"),
        variables={
            name: (f"{name.replace('_', ' ')}, Finland 2020 (LFS)", "thousand persons")
            for name in _LFS_COLUMNS
        },
        source=_STATFIN + "Labour Force Survey 2020, appendix table 26",
        codes={"sex": (*SEXES, "T"), "age_start": _ages(15, 65, 10), "age_end": _ages(24, 74, 10)},
        ranges=dict.fromkeys(_LFS_COLUMNS, _COUNT),
        nullable=("unemployed",),
        depends={"age_end": "age_start"},
        age_groups=("age_start", "age_end"),
        kind_of_result="dataset",
    ),
    "lfs_region_2020": FileSpec(
        columns={
            "region_code": "str", **dict.fromkeys(_LFS_COLUMNS, "float"), "employment_rate": "float",
            "unemployment_rate": "float",
        },
        keys=("region_code",),
        variables={
            **{name: (f"{name.replace('_', ' ')} aged 15-64, 2020 (LFS)", "thousand persons")
               for name in _LFS_COLUMNS},
            "employment_rate": ("employment rate aged 15-64, 2020 (LFS)", "%"),
            "unemployment_rate": ("unemployment rate aged 15-64, 2020 (LFS)", "%"),
        },
        source=_STATFIN + "Labour Force Survey 2020, appendix table 28",
        codes={"region_code": REGION_CODES},
        ranges={**dict.fromkeys(_LFS_COLUMNS, _COUNT), "employment_rate": (0.0, 100.0),
                "unemployment_rate": (0.0, 100.0)},
        kind_of_result="dataset",
    ),
    "lfs_by_industry_2020": FileSpec(
        columns={"industry_group": "str", "sections": "str", "employed": "float"},
        keys=("industry_group",),
        variables={"employed": ("employed aged 15-74 by industry group, Finland 2020 (LFS)",
                                "thousand persons")},
        source=_STATFIN + "Labour Force Survey 2020, appendix table 32",
        patterns={"industry_group": r"[A-U](-[A-U])?", "sections": r"[A-U]( [A-U])*"},
        ranges={"employed": _COUNT},
        kind_of_result="frame",
    ),
    "jobs_by_occupation_2017": FileSpec(
        columns={"occupation": "str", "jobs": "int"},
        keys=("occupation",),
        variables={"jobs": ("jobs by occupation major group (ISCO-08 / AML 2010), Finland 2017", "jobs")},
        source=_STATFIN + "Employment statistics 2017, appendix table 1",
        codes={"occupation": (*OCCUPATIONS, "X")},
        ranges={"jobs": _COUNT},
    ),
    "jobseekers_vacancies": FileSpec(
        columns={
            "region_code": "str", "month": "str", "occupation": "str", "unemployed_jobseekers": "int",
            "open_vacancies": "int",
        },
        keys=("region_code", "month", "occupation"),
        variables={
            "unemployed_jobseekers": ("unemployed jobseekers at month end", "persons"),
            "open_vacancies": ("open vacancies at month end", "vacancies"),
        },
        source=_STATFIN + "StatFin 12ti (employment service statistics; Ministry of Economic Affairs "
        "and Employment)",
        codes={"region_code": MAAKUNTA_CODES, "occupation": OCCUPATIONS},
        patterns={"month": r"\d{4}-(0[1-9]|1[0-2])"},
        ranges={"unemployed_jobseekers": _COUNT, "open_vacancies": _COUNT},
        kind_of_result="dataset",
    ),
    "education_attainment_nuts2": FileSpec(
        columns={"geo": "str", "year": "int", "level": "str", "percent": "float"},
        keys=("geo", "year", "level"),
        variables={"percent": ("share of ages 25-64 by education (ISCED 0-2 / 3-4 / 5-8)", "%")},
        source="Source: Eurostat, edat_lfse_04",
        codes={"geo": ("FI", "FI1", "FI19", "FI1B", "FI1C", "FI1D", "FI2", "FI20"),
               "level": ("low", "medium", "high")},
        ranges={"percent": (0.0, 100.0), "year": (1900, 2200)},
        nullable=("percent",),
        contiguous=("year",),
    ),
    "employed_section_occupation_2012_2016": FileSpec(
        columns={"year": "int", "industry": "str", "occupation": "str", "employed": "int"},
        keys=("year", "industry", "occupation"),
        variables={"employed": ("employed persons, Finland, by TOL 2008 section and Mitenna occupation group",
                                "persons")},
        source=_STATFIN + "employment statistics (employed by industry and occupation group of the "
        "Finnish National Agency for Education's Mitenna anticipation model), via Vipunen",
        codes={"industry": INDUSTRIES, "occupation": MITENNA_OCCUPATIONS},
        ranges={"employed": (0.0, 1_000_000.0), "year": (2012, 2016)},
        contiguous=("year",),
    ),
    "official_projection_2024": FileSpec(
        columns={"region_code": "str", "year": "int", "sex": "str", "age": "int", "population": "int"},
        keys=("region_code", "year", "sex", "age"),
        variables={"population": ("population on 31 December, Statistics Finland's projection 2024", "persons")},
        source=_STATFIN + "population projection 2024 (StatFin 14wx), municipality figures aggregated to maakunnat",
        codes={"region_code": REGION_CODES, "sex": SEXES, "age": _ages(0, OPEN_AGE), "year": _ages(2024, 2045)},
        ranges={"population": _COUNT, "year": (2024, 2045)},
        contiguous=("year",),
    ),
}


def file_spec(kind: str) -> FileSpec:
    """The contract of the base-data file ``kind`` (its file stem)."""
    try:
        return FILE_SPECS[kind]
    except KeyError:
        known = ", ".join(FILE_SPECS)
        raise DataError(f"{kind}.csv", f"unknown data file kind '{kind}'; known: {known}") from None
