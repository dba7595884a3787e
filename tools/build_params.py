"""Build ``params/data/`` and ``params/regions.yaml`` from the compiled source tables.

The source tables (``../shared/data/*.csv``, described in its README and ``sources.csv``) are real
published figures. This script reformats them into the tidy files of ``docs/conventions.md`` (units
converted, long tables, short codes), validates every file with :func:`toolkit.io.params.validate_frame`,
and writes them deterministically (sorted rows, shortest exact decimal text), together with
``params/data/SOURCES.md`` and the region registry. It is the only code that reads ``../shared``.

Usage::

    python tools/build_params.py [--source DIR] [--params DIR]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from toolkit.io.catalogue import FILE_SPECS
from toolkit.io.params import validate_frame
from toolkit.nomenclature import INDUSTRIES as SECTIONS
from toolkit.nomenclature import MITENNA_OCCUPATIONS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data"
OWN_SOURCES = Path(__file__).resolve().parent / "sources"
"""Source tables this repository carries itself (what ``../shared/data`` lacks), each with a ``source`` column."""

STATFIN_LICENCE = "CC BY 4.0"
WPP_LICENCE = "CC BY 3.0 IGO"
EUROSTAT_LICENCE = "Eurostat re-use policy: free re-use with acknowledgement of the source"

# region id of each maakunta code; the forum areas of Sitra's "Time of competence in the regions"
MAAKUNTA_IDS = {
    "MK01": "uusimaa", "MK02": "varsinais-suomi", "MK04": "satakunta", "MK05": "kanta-hame",
    "MK06": "pirkanmaa", "MK07": "paijat-hame", "MK08": "kymenlaakso", "MK09": "etela-karjala",
    "MK10": "etela-savo", "MK11": "pohjois-savo", "MK12": "pohjois-karjala", "MK13": "keski-suomi",
    "MK14": "etela-pohjanmaa", "MK15": "pohjanmaa", "MK16": "keski-pohjanmaa", "MK17": "pohjois-pohjanmaa",
    "MK18": "kainuu", "MK19": "lappi", "MK21": "ahvenanmaa",
}
FORUM_AREAS = {"hameenlinna", "seinajoki-ilmajoki", "yla-savo", "raahe", "etela-savo", "kainuu", "lappi",
               "pirkanmaa", "varsinais-suomi"}
MUNICIPAL_AREAS = [
    {"id": "hameenlinna", "code": "KU109", "parent": "kanta-hame", "municipalities": ["KU109"],
     "name": {"fi": "Hämeenlinna", "sv": "Tavastehus", "en": "Hämeenlinna"}},
    {"id": "seinajoki-ilmajoki", "code": "KU743+KU145", "parent": "etela-pohjanmaa",
     "municipalities": ["KU743", "KU145"],
     "name": {"fi": "Seinäjoki + Ilmajoki", "sv": "Seinäjoki + Ilmola", "en": "Seinäjoki + Ilmajoki"}},
    {"id": "yla-savo", "code": "SK111", "parent": "pohjois-savo", "subregion": "SK111",
     "name": {"fi": "Ylä-Savo", "sv": "Övre Savolax", "en": "Ylä-Savo"}},
    {"id": "raahe", "code": "SK174", "parent": "pohjois-pohjanmaa", "subregion": "SK174",
     "name": {"fi": "Raahen seutukunta", "sv": "Brahestads ekonomiska region", "en": "Raahe sub-region"}},
]


# ------------------------------------------------------------------------------------------ helpers


def read_source(source: Path, name: str) -> pd.DataFrame:
    """Read one compiled source table (from ``source``, else from :data:`OWN_SOURCES`)."""
    path = source / name if (source / name).exists() or not (OWN_SOURCES / name).exists() else OWN_SOURCES / name
    return pd.read_csv(path, keep_default_na=True)


def decimal_text(values: pd.Series, decimals: int | None = None) -> pd.Series:
    """Shortest exact decimal text of floats (no exponent, no spurious digits); empty for NaN.

    ``decimals`` first rounds away float noise left by a unit conversion (e.g. per mille -> probability).
    """
    numbers = values.astype("float64")
    if decimals is not None:
        numbers = numbers.round(decimals)
    return numbers.map(lambda v: "" if np.isnan(v) else np.format_float_positional(v, trim="-"))


def age_groups(labels: pd.Series) -> pd.DataFrame:
    """Parse group labels such as ``0-4``, ``75+``, ``85 years or over`` into age_start/age_end."""
    parts = labels.str.extract(r"^(?P<start>\d+)(?:-(?P<end>\d+)|\+| years or over)")
    return pd.DataFrame({
        "age_start": parts["start"].astype(int),
        "age_end": pd.to_numeric(parts["end"]).fillna(100).astype(int),
    }, index=labels.index)


def wpp_status(status: pd.Series) -> pd.Series:
    """Short WPP status: ``estimate``, ``projection``, or ``mixed`` (2020-2025: estimates and projection)."""
    return np.select(
        [status.str.startswith("estimate"), status.str.contains("mixes"),
         status.str.startswith("projection")],
        ["estimate", "mixed", "projection"], default=status,
    )


def paavo(source: Path, pattern: str) -> pd.DataFrame:
    """Paavo rows whose variable matches ``pattern`` (the match's first group becomes ``label``)."""
    table = read_source(source, "paavo_municipality_2017_2018.csv")
    label = table["variable"].str.extract(pattern, expand=False)
    rows = table[label.notna()].assign(label=label[label.notna()])
    return rows.rename(columns={"kunta_code": "municipality_code"})


# ------------------------------------------------------------------------------------------ builders
# one function per output file; each returns the table in the columns of docs/conventions.md


def build_population(source: Path) -> pd.DataFrame:
    return read_source(source, "population_region_age_sex_2010_2025.csv")


def build_tfr(source: Path) -> pd.DataFrame:
    return read_source(source, "tfr_region_1990_2025.csv")


def build_life_expectancy(source: Path) -> pd.DataFrame:
    return read_source(source, "life_expectancy_region_3yr_1990_2024.csv")


def build_net_migration_age5(source: Path) -> pd.DataFrame:
    table = read_source(source, "net_migration_region_age5_sex_1990_2025.csv")
    return table.join(age_groups(table["age_group"]))


def build_net_migration_total(source: Path) -> pd.DataFrame:
    return read_source(source, "net_migration_region_total_1990_2025.csv")


def build_asfr_national(source: Path) -> pd.DataFrame:
    table = read_source(source, "asfr_finland_single_age_2000_2030_wpp2022.csv")
    return table.assign(asfr=decimal_text(table["asfr_per_1000_women"] / 1000, 6),
                        status=wpp_status(table["wpp_status"]))


def build_qx_national(source: Path) -> pd.DataFrame:
    table = read_source(source, "qx_finland_single_age_2017_2024.csv")
    return table.assign(qx=decimal_text(table["qx_per_mille"] / 1000, 5))


def build_mx_national_wpp(source: Path) -> pd.DataFrame:
    table = read_source(source, "mx_finland_abridged_5y_periods_1950_2100_wpp2024.csv")
    table = table[table["sex"] != "T"]
    period = table["period"].str.extract(r"(?P<period_start>\d{4})-(?P<period_end>\d{4})").astype(int)
    return table.join(period).assign(status=wpp_status(table["wpp_status"]))


def build_national_indicators(source: Path) -> pd.DataFrame:
    table = read_source(source, "finland_annual_indicators_1950_2023_wpp2024.csv")
    return pd.DataFrame({
        "year": table["year"],
        "e0_F": table["e0F"],
        "e0_M": table["e0M"],
        "births": (table["births_thousands"] * 1000).round().astype(int),
        "deaths": (table["deaths_thousands"] * 1000).round().astype(int),
        "tfr": table["tfr"],
        "net_migration_rate": table["cnmr"],
        "status": wpp_status(table["wpp_status"]),
    })


def build_municipalities(source: Path) -> pd.DataFrame:
    table = read_source(source, "municipality_population_2019_2021.csv")
    return pd.DataFrame({
        "municipality_code": table["kunta_code"],
        "name": table["kunta_name"].str.replace(r"\s*\(.*\)$", "", regex=True),
        "subregion_code": table["seutukunta_code"],
        "region_code": table["maakunta_code"],
        "year": table["year"],
        "sex": table["sex"],
        "population": table["value"],
    })


def build_subregions(source: Path) -> pd.DataFrame:
    table = read_source(source, "municipality_population_2019_2021.csv").drop_duplicates("seutukunta_code")
    return pd.DataFrame({"subregion_code": table["seutukunta_code"], "region_code": table["maakunta_code"],
                         "name": table["seutukunta_name"]})


def build_municipality_names(source: Path) -> pd.DataFrame:
    """Finnish and Swedish names of the municipalities of 2020 and 2021 (tools/sources), checked against the
    Finnish names of the population table (which writes Maarianhamina's with its Swedish name appended)."""
    table = read_source(source, "municipality_names_sv.csv")
    published = build_municipalities(source).drop_duplicates("municipality_code").set_index("municipality_code")
    if set(table["kunta_code"]) != set(published.index):
        raise SystemExit("municipality_names_sv.csv: its codes differ from those of the municipal population table")
    finnish = published.loc[table["kunta_code"], "name"].str.replace(r" - .*$", "", regex=True)
    differ = table.loc[finnish.to_numpy() != table["name_fi"].to_numpy(), "kunta_code"].tolist()
    if differ:
        raise SystemExit(f"municipality_names_sv.csv: Finnish names differ from the population table's for {differ}")
    return pd.DataFrame({"municipality_code": table["kunta_code"], "name_fi": table["name_fi"],
                         "name_sv": table["name_sv"]})


def build_municipality_population_2018_2019(source: Path) -> pd.DataFrame:
    table = read_source(source, "population_municipality_age_sex_2018_2019.csv")
    return table.rename(columns={"kunta_code": "municipality_code"})


def build_municipality_migration_1990_2017(source: Path) -> pd.DataFrame:
    table = read_source(source, "migration_municipality_in_out_1990_2017.csv")
    return table.rename(columns={"kunta_code": "municipality_code"})


def build_municipality_age_groups_2018(source: Path) -> pd.DataFrame:
    rows = paavo(source, r"^(\d+(?:-\d+)? years(?: or over)?), 2018 \(HE\)$")
    groups = age_groups(rows["label"].str.replace(" years", "", regex=False).str.replace(" or over", "+"))
    return rows.join(groups).assign(population=rows["value"].astype(int))


def build_workplaces_2017(source: Path) -> pd.DataFrame:
    rows = paavo(source, r"^([A-UX]) .*, 2017 \(TP\)$")
    return rows.assign(industry=rows["label"], jobs=rows["value"].astype(int))


PAAVO_ACTIVITIES = {"Employed": "employed", "Unemployed": "unemployed", "Children aged 0 to 14": "children",
                    "Students": "students", "Pensioners": "pensioners", "Others": "others"}
PAAVO_LEVELS = {
    "Basic level studies": "basic", "Matriculation examination": "matriculation",
    "Vocational diploma": "vocational",
    "Academic degree - Lower level university degree": "university_lower",
    "Academic degree - Higher level university degree": "university_higher",
}


def paavo_categories(source: Path, categories: dict[str, str], ref: str, column: str) -> pd.DataFrame:
    """Paavo rows of the named categories (``ref`` = 2017 (PT) or 2018 (KO)) in a long table."""
    names = "|".join(map(re.escape, categories))
    rows = paavo(source, rf"^({names}), {re.escape(ref)}$")
    return rows.assign(**{column: rows["label"].map(categories), "persons": rows["value"].astype(int)})


def build_main_activity_2017(source: Path) -> pd.DataFrame:
    return paavo_categories(source, PAAVO_ACTIVITIES, "2017 (PT)", "activity")


def build_education_2018(source: Path) -> pd.DataFrame:
    return paavo_categories(source, PAAVO_LEVELS, "2018 (KO)", "level")


def build_lfs_by_age_sex_2020(source: Path) -> pd.DataFrame:
    table = read_source(source, "lfs2020_finland_labour_status_by_age_sex.csv")
    groups = age_groups(table["age_group"])
    ten_year = (groups["age_end"] - groups["age_start"]) == 9
    return lfs_columns(table.join(groups)[ten_year])


def build_lfs_region_2020(source: Path) -> pd.DataFrame:
    table = read_source(source, "lfs2020_region_labour_status_15_64.csv")
    return lfs_columns(table).assign(employment_rate=table["employment_rate_pct"],
                                     unemployment_rate=table["unemployment_rate_pct"])


def lfs_columns(table: pd.DataFrame) -> pd.DataFrame:
    """LFS counts in thousands, renamed (``population_1000`` -> ``population`` etc.)."""
    counts = {f"{name}_1000": name for name in ("population", "labour_force", "employed", "unemployed")}
    return table.rename(columns=counts)


def build_lfs_by_industry_2020(source: Path) -> pd.DataFrame:
    table = read_source(source, "lfs2020_finland_employed_by_industry.csv")
    letters = table["industry"].str.extract(r"^([A-U](?:, [A-U]|-[A-U])?) ", expand=False)
    first, last = letters.str[0], letters.str[-1]
    sections = [" ".join(chr(c) for c in range(ord(a), ord(b) + 1)) for a, b in zip(first, last, strict=True)]
    group = np.where(first == last, first, first + "-" + last)
    return pd.DataFrame({"industry_group": group, "sections": sections,
                         "employed": table["employed_1000"]})


def build_jobs_by_occupation_2017(source: Path) -> pd.DataFrame:
    table = read_source(source, "jobs_by_occupation_finland_2017.csv").astype({"occupation_code": str})
    return table.rename(columns={"occupation_code": "occupation"}).assign(jobs=table["jobs"].astype(int))


def build_jobseekers_vacancies(source: Path) -> pd.DataFrame:
    table = read_source(source, "jobseekers_vacancies_region_occupation_monthly_2006_2023.csv")
    check_jobseeker_totals(table)
    return pd.DataFrame({
        "region_code": table["region_code"],
        "month": table["month"],
        "occupation": table["occupation_code"].astype(str),
        "unemployed_jobseekers": table["unemployed_jobseekers_end_of_month"].astype(int),
        "open_vacancies": table["open_vacancies_end_of_month"].astype(int),
    })


def check_jobseeker_totals(table: pd.DataFrame) -> None:
    """The regions and occupation groups add up exactly to the source's monthly totals for Finland."""
    sums = table.groupby("month")[["unemployed_jobseekers_end_of_month", "open_vacancies_end_of_month"]].sum()
    totals = table.groupby("month")[["finland_unemployed_jobseekers_all_occupations",
                                     "finland_open_vacancies_all_occupations"]].first()
    if not np.array_equal(sums.to_numpy(), totals.to_numpy()):
        raise ValueError("jobseekers/vacancies: regions x occupations do not sum to the totals for Finland")


def build_education_attainment_nuts2(source: Path) -> pd.DataFrame:
    table = read_source(source, "education_attainment_25_64_nuts2_2008_2024_eurostat.csv")
    return table.rename(columns={"education_level": "level", "education_level_pct": "percent"})


UNKNOWN_TOL_CODE = "00000"

# TOL 2008 (= NACE Rev. 2) divisions of each section, inclusive ranges
SECTION_DIVISIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43), "G": (45, 47),
    "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68), "M": (69, 75), "N": (77, 82),
    "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93), "S": (94, 96), "T": (97, 98), "U": (99, 99),
}


def section_of(division: int) -> str:
    """The TOL 2008 section letter of a 2-digit division (KeyError if the division does not exist)."""
    for section, (first, last) in SECTION_DIVISIONS.items():
        if first <= division <= last:
            return section
    raise KeyError(f"TOL 2008 division {division:02d} belongs to no section")


def build_employed_section_occupation_2012_2016(source: Path) -> pd.DataFrame:
    """Employed by TOL 2008 section x Mitenna occupation group (year, industry, occupation, employed): the
    5-digit classes and 2-digit remainders summed to the section of their division; unknown industry left out."""
    raw = pd.read_csv(source / "employed_industry_occupation_mitenna_finland_2012_2016.csv", dtype=str)
    raw = raw[raw["industry_code"] != UNKNOWN_TOL_CODE]
    raw["industry"] = raw["industry_code"].str[:2].astype(int).map(section_of)
    raw["employed"] = raw["employed"].astype(int)
    summed = raw.groupby(["year", "industry", "occupation_code"])["employed"].sum()
    full = pd.MultiIndex.from_product(
        [sorted(raw["year"].astype(int).unique()), SECTIONS, MITENNA_OCCUPATIONS],
        names=["year", "industry", "occupation"],
    )
    summed.index = summed.index.set_levels(summed.index.levels[0].astype(int), level=0)
    table = summed.reindex(full, fill_value=0).reset_index()
    return table[["year", "industry", "occupation", "employed"]]


def build_official_projection_2024(source: Path) -> pd.DataFrame:
    """Statistics Finland's projection 2024 by region, year, sex and single age, whole persons, sorted by the keys."""
    raw = read_source(source, "official_projection_2024_region_age_sex_2024_2045.csv")
    if set(raw["source_id"]) != {"S14"}:
        raise ValueError(f"official projection: expected source S14 only, got {sorted(set(raw['source_id']))}")
    if (raw["population"] % 1 != 0).any():
        raise ValueError("official projection: the population must be whole persons")
    table = raw[["region_code", "year", "sex", "age", "population"]].astype({"population": "int64"})
    return table.sort_values(["region_code", "year", "sex", "age"], ignore_index=True)


BUILDERS: dict[str, Callable[[Path], pd.DataFrame]] = {
    kind: globals()[f"build_{kind}"] for kind in FILE_SPECS
}


# ------------------------------------------------------------------------------------------ sources

# kind -> (source ids in sources.csv or the source column, reference date, notes on the reformatting)
PROVENANCE: dict[str, tuple[tuple[str, ...], str, str]] = {
    "population": (("S1",), "31 Dec 2010 ... 31 Dec 2025",
                   "Regional division of 1 Jan 2021 for every year; the 19 regions sum exactly to SSS."),
    "tfr": (("S2",), "1990 ... 2025 (calendar years)", "Regional division of 2021."),
    "life_expectancy": (("S4",), "3-year periods 1990-1992 ... 2022-2024",
                        "`period_end_year` 2024 is the mean over 2022-2024."),
    "net_migration_age5": (("S5",), "1990 ... 2025 (calendar years)",
                           "Net internal + net international migration; SSS = net international "
                           "migration (the regions sum to it exactly). Re-summed by the public copy to "
                           "5-year groups; `age_end` = 100 for 75+."),
    "net_migration_total": (("S3",), "1990 ... 2025 (calendar years)",
                            "SSS = net international migration; the regions sum to it exactly."),
    "asfr_national": (("T1",), "2000 ... 2030",
                      "Per 1,000 women converted to births per woman. Status `estimate` to 2021, "
                      "`projection` (medium variant) from 2022. Use for the age shape: WPP2022's 2021 "
                      "level (1.39) is below Statistics Finland's 1.46."),
    "qx_national": (("T5",), "2017 ... 2024", "Per mille converted to probabilities."),
    "mx_national_wpp": (("T3",), "5-year periods 1950-1955 ... 2095-2100",
                        "Females and males (the source's both-sexes rows are left out). `period_end` is "
                        "exclusive (1950-1955 = 1950..1954). Status `estimate` to 2015-2020, `mixed` for "
                        "2020-2025 (estimates 2020-2023 and projection), then `projection` (medium)."),
    "national_indicators": (("T4",), "1950 ... 2023",
                            "Births and deaths converted from thousands to persons; net_migration_rate = "
                            "crude net migration rate per 1,000 population."),
    "municipalities": (("S7", "S8", "S9", "S12"), "31 Dec 2019, 31 Dec 2020, 31 Dec 2021",
                       "Subregion and region by the 2021 division. 2019 and 2020 both sexes (`T`); 2021 `F`, "
                       "`M`, `T`. KU099 Honkajoki (merged into Kankaanpää 1 Jan 2021) has a 2019 row only; "
                       "Kankaanpää includes it from 2020. KU588 Pertunmaa has no 2021 row: the 2021 copy "
                       "counts it within Mäntyharju (KU507), and the region totals equal the regional "
                       "series exactly in all three years."),
    "subregions": (("S12",), "1 Jan 2021 (regional division)",
                   "One row per subregion (seutukunta) of the 2021 key with its maakunta; the name as the key gives "
                   "it (Finnish, or the official Swedish name of a Swedish-speaking subregion)."),
    "municipality_names": (
        ("municipality_names_sv.csv",), "the divisions of 1 Jan 2020 and 1 Jan 2021 (310 codes, with KU099 Honkajoki)",
        "Read from the municipality layers of Yleisradio's maps, whose Swedish names follow the Institute for the "
        "Languages of Finland; the two files agree on every Swedish name they share. 114 municipalities have a "
        "Swedish name of their own (Helsingfors, Åbo, Tavastehus, Ilmola, ...); the others are written alike. "
        "The Finnish names equal those of `municipalities.csv` (where Maarianhamina is written "
        "\"Maarianhamina - Mariehamn\"). The extract is `tools/sources/municipality_names_sv.csv`."),
    "municipality_population_2018_2019": (
        ("S13",), "31 Dec 2018, 31 Dec 2019",
        "As published, in the division of each year: 2018 311 municipalities (2019 division, with KU911 Valtimo, "
        "merged into Nurmes 1 Jan 2020, and KU099 Honkajoki), 2019 310 (2020 division, with Honkajoki, merged into "
        "Kankaanpää 1 Jan 2021); single ages 0..100 (100 = 100+), sexes F, M. 2019 sums to 5,525,292 = Finland. "
        "`toolkit.io.municipal` harmonises both years to the 2021 division (309 municipalities)."),
    "municipality_migration_1990_2017": (
        ("S15",), "1990 ... 2017 (calendar years)",
        "Intermunicipal moves only (no international migration); 311 municipalities of the 2018 division, every "
        "year; the net migration of all municipalities sums to zero each year. Harmonised to the 2021 division "
        "by `toolkit.io.municipal` (the net of a merged municipality is the sum of its parts' nets)."),
    "municipality_age_groups_2018": (("S11",), "31 Dec 2018",
                                     "Both sexes; groups 0-2, 3-6, 7-12, 13-15, 16-17, 18-19, 20-24 ... "
                                     "80-84, 85+ (`age_end` = 100). 310 municipalities of the 2020 "
                                     "division."),
    "workplaces_2017": (("S11",), "2017", "TOL 2008 sections A..U and X (industry unknown)."),
    "main_activity_2017": (("S11",), "end of 2017",
                           "employed, unemployed, children (aged 0-14), students, pensioners, others."),
    "education_2018": (("S11",), "31 Dec 2018",
                       "Population 18+ by highest qualification: basic (no post-basic qualification), "
                       "matriculation (examination), vocational (diploma), university_lower (lower-level "
                       "university degree), university_higher (higher-level university degree), as "
                       "labelled in Paavo; the five add up to the population 18+."),
    "lfs_by_age_sex_2020": (("lfs2020_finland_labour_status_by_age_sex.csv",), "2020 (annual average)",
                            "Thousands. The 10-year groups 15-24 ... 65-74 by sex F, M and both sexes T "
                            "(published separately: F + M may differ from T by rounding). Unemployed at "
                            "65-74 is suppressed in the source and left empty."),
    "lfs_region_2020": (("lfs2020_region_labour_status_15_64.csv",), "2020 (annual average)",
                        "Ages 15-64; counts in thousands, rates in %. The regions do not add up exactly "
                        "to SSS (rounding)."),
    "lfs_by_industry_2020": (("lfs2020_finland_employed_by_industry.csv",), "2020 (annual average)",
                             "Employed aged 15-74 in thousands, by TOL 2008 section group; `sections` lists "
                             "the sections of the group."),
    "jobs_by_occupation_2017": (("jobs_by_occupation_finland_2017.csv",), "2017",
                                "AML 2010 (= ISCO-08) major groups 0..9 and X (unknown)."),
    "jobseekers_vacancies": (("T8",), "month ends 2006-01 ... 2023-10",
                             "Occupation major groups 0..9; the regions and groups add up exactly to the "
                             "source's monthly totals for Finland (checked by the build)."),
    "education_attainment_nuts2": (("T9",), "2008 ... 2024",
                                   "Ages 25-64: low = ISCED 0-2, medium = 3-4, high = 5-8. Åland (FI2, FI20) "
                                   "`low` 2023 and 2024 are not published (empty cells)."),
    "official_projection_2024": (
        ("S14",), "31 December of 2024 ... 2045 (projection published 2024)",
        "Single ages 0..100 (100 = 100+), both sexes. Finland 5,640,527 (2024), 5,999,124 (2040), 6,090,802 (2045); "
        "the published assumption is a net immigration of about 40,000 a year. The 19 maakunnat fall short of SSS "
        "by about 1,500 persons a year (municipal figures aggregated), so no regional-sum check applies."),
    "employed_section_occupation_2012_2016": (
        ("S16",), "the last week of each year 2012-2016 (employment statistics)",
        "5-digit TOL 2008 classes and, per 2-digit division, the employed not placed in a class, summed to the "
        "section of their division; every section x group combination present (zero where no one was "
        "employed); rows of unknown industry (`00000`; 6,895 persons in 2016) left out. The employed whose "
        "occupation group is known (2.05 million in 2016); 54 of the 58 Mitenna groups have employed persons. "
        "Group names in fi/sv/en: `toolkit/text/catalogue/occupations.yaml`."),
}


def licence(credit: str) -> str:
    if credit.startswith("Municipality names"):
        return "official place names, facts that no licence restricts; the copy they were read from is credited"
    if credit.startswith("United Nations"):
        return WPP_LICENCE
    if "Eurostat" in credit:
        return EUROSTAT_LICENCE
    return STATFIN_LICENCE


def public_copy(source: Path, ids: tuple[str, ...]) -> str:
    """Where each figure was read from: ``sources.csv`` by id, else the table's own source column."""
    described = read_source(source, "sources.csv").set_index("source_id")["description"]
    lines = []
    for name in ids:
        if name in described.index:
            lines.append(f"{name}: {described[name]}")
        else:
            lines.append(f"`{name}`: " + "; ".join(read_source(source, name)["source"].unique()))
    return "<br>".join(lines)


def sources_markdown(source: Path) -> str:
    """The text of ``params/data/SOURCES.md``."""
    header = [
        "# Sources of the base data",
        "",
        "Built by `tools/build_params.py` from the compiled public copies in `../shared/data/`. The figures",
        "are official statistics; the files are reformatted (units, codes, long tables) and validated by",
        "`toolkit.io.params`. Licences: Statistics Finland CC BY 4.0 (\"Source: Statistics Finland, <table>\");",
        "UN World Population Prospects CC BY 3.0 IGO (\"United Nations, DESA, Population Division, World",
        "Population Prospects 2022/2024\"); Eurostat, re-use with acknowledgement (\"Source: Eurostat\").",
        "",
    ]
    sections = []
    for kind, spec in FILE_SPECS.items():
        ids, reference, notes = PROVENANCE[kind]
        sections += [
            f"## `{kind}.csv`: {spec.source}",
            "",
            f"* Reference date: {reference}",
            f"* Licence: {licence(spec.source)}",
            f"* Credit: \"{spec.source}\"",
            f"* Read from: {public_copy(source, ids)}",
            f"* Notes: {notes}",
            "",
        ]
    return "\n".join(header + sections)


# ------------------------------------------------------------------------------------------ regions


def regions_document(source: Path) -> dict:
    """The region registry: 19 maakunnat (code order), then the four municipal forum areas."""
    names = read_source(source, "regions.csv").set_index("region_code")
    municipalities = read_source(source, "municipality_population_2019_2021.csv")
    codes_of = municipalities.groupby("maakunta_code")["kunta_code"].unique()
    by_subregion = municipalities.groupby("seutukunta_code")["kunta_code"].unique()
    entries = [
        {"id": region_id, "code": code, "kind": "maakunta", "nuts3": names.loc[code, "nuts3"],
         "name": {lang: names.loc[code, f"name_{lang}"] for lang in ("fi", "sv", "en")},
         "parent": None, "forum": region_id in FORUM_AREAS, "municipalities": sorted(codes_of[code])}
        for code, region_id in MAAKUNTA_IDS.items()
    ]
    for area in MUNICIPAL_AREAS:
        members = area.get("municipalities") or sorted(by_subregion[area["subregion"]])
        entries.append({"id": area["id"], "code": area["code"], "kind": "municipal_area", "nuts3": None,
                        "name": area["name"], "parent": area["parent"], "forum": area["id"] in FORUM_AREAS,
                        "municipalities": list(members)})
    return {"regions": entries}


REGIONS_HEADER = """\
# Region registry of the futures-forum toolkit (built by tools/build_params.py; do not edit by hand).
# 19 maakunnat (regional division of 1 Jan 2021) and four municipal forum areas. `municipalities`
# lists every municipality code that params/data/municipalities.csv assigns to the area, so that
# municipal figures of 2017-2021 add up completely: Satakunta includes KU099 Honkajoki (merged into
# Kankaanpää on 1 Jan 2021), Etelä-Savo KU588 Pertunmaa. `forum: true` marks the nine areas of
# Sitra's "Time of competence in the regions" (2021). Names: Statistics Finland (regions.csv).
# Areas added locally go to regions.local.yaml (same schema).
"""


# ------------------------------------------------------------------------------------------ writing


def column_text(values: pd.Series, dtype: str) -> pd.Series:
    """File text of one column: integers without a decimal point, floats as shortest exact decimals."""
    if dtype == "str" or not pd.api.types.is_numeric_dtype(values):
        return values.astype(object).where(values.notna(), "").astype(str)
    if dtype == "int":
        return values.astype("Int64").astype(object).where(values.notna(), "").astype(str)
    return decimal_text(values)


def write_table(kind: str, table: pd.DataFrame, directory: Path) -> None:
    """Validate, sort by the key columns and write one tidy file."""
    spec = FILE_SPECS[kind]
    text = pd.DataFrame({name: column_text(table[name], dtype) for name, dtype in spec.columns.items()})
    path = directory / f"{kind}.csv"
    validate_frame(kind, text, path)
    order = table[list(spec.keys)].reset_index(drop=True).sort_values(list(spec.keys), kind="stable").index
    text.reset_index(drop=True).loc[order].to_csv(path, index=False, lineterminator="\n")


def build(source: Path, params: Path) -> None:
    """Write every base-data file, SOURCES.md and regions.yaml."""
    directory = params / "data"
    directory.mkdir(parents=True, exist_ok=True)
    for kind, builder in BUILDERS.items():
        write_table(kind, builder(source), directory)
    (directory / "SOURCES.md").write_text(sources_markdown(source), encoding="utf-8")
    document = yaml.safe_dump(regions_document(source), allow_unicode=True, sort_keys=False, width=110,
                              default_flow_style=None)
    (params / "regions.yaml").write_text(REGIONS_HEADER + document, encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="compiled source tables")
    parser.add_argument("--params", type=Path, default=REPO / "params", help="params directory to write")
    args = parser.parse_args(argv)
    build(args.source, args.params)


if __name__ == "__main__":
    main()
