"""Municipal data in the 2021 division: harmonised loaders, the known repairs, and the check of yearly changes.

The shipped municipal files keep the figures as published, each in the division of its year
(``params/data/SOURCES.md``): the single-year population by sex of 2018 (311 municipalities) and 2019 (310), the
totals of 2019–2021 (``municipalities.csv``), and the intermunicipal migration of 1990–2017 (311). This module
brings them to the **division of 1 Jan 2021 (309 municipalities)**:

* **Mergers** (:data:`MERGERS`): Valtimo (KU911) joined Nurmes (KU541) on 1 Jan 2020, Honkajoki (KU099) joined
  Kankaanpää (KU214) on 1 Jan 2021. Figures of a merged municipality are added to the one it joined, for every
  year before the merger (the net migration of the union is the sum of the nets: moves between the two cancel).
  :func:`check_mergers` verifies the list on the data: the codes that leave the files are exactly these, and the
  totals of the year after each merger continue the sums of the parts.
* **Repairs** (:data:`REPAIRS`): the 2021 figure of Mäntyharju (KU507, 7,279) includes Pertunmaa (KU588), which
  has no 2021 row. The combined figure (by sex) is split between the two in their 2020 proportions; the result is
  labelled in ``repaired`` and in the notes of every projection that uses it.

:func:`implausible_changes` flags a year-on-year change of a municipality's total that no demography explains
(rule in its docstring). On the published totals it flags Kankaanpää 2019→2020 (Honkajoki counted in 2020 only)
and Mäntyharju 2020→2021 (Pertunmaa counted in); on the harmonised, repaired totals it flags none of the 309.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.errors import DataError
from toolkit.io import params as data
from toolkit.nomenclature import AGES, SEXES

DIVISION_YEAR = 2021
"""The municipal division every municipal figure is harmonised to (1 Jan 2021, 309 municipalities)."""
MERGERS = {"KU911": ("KU541", 2020), "KU099": ("KU214", 2021)}
"""Municipalities merged before :data:`DIVISION_YEAR`: absorbed code -> (code it joined, year of the merger)."""
REPAIRS = {
    ("KU507", 2021): ("KU588", 2020,
                      "the published 2021 figure of Mäntyharju (KU507) includes Pertunmaa (KU588), which has no 2021 "
                      "row; the combined figure is split by sex in the two municipalities' 2020 proportions"),
}
"""Known errors of ``municipalities.csv``: (code, year) -> (code counted in it, year of the split, note)."""

NATURAL_INCREASE_BOUND = 0.025
"""Largest natural increase (births minus deaths) of a municipality in a year, as a share of its population [1]:
crude birth rates of Finnish municipalities stay below 20 and crude death rates below 25 per 1,000."""
INTERNATIONAL_BOUND = 0.015
"""Largest net international migration of a municipality in a year, as a share of its population [1] (the
intermunicipal history has none; Finland's largest is 0.9 % (2023), an area may take twice the national rate)."""
HISTORY_FACTOR = 1.5
"""Multiplier on the largest yearly intermunicipal net migration of a municipality's own history [1]."""


def absorbed_codes() -> set[str]:
    return set(MERGERS)


def to_division(codes: pd.Series) -> pd.Series:
    """Municipality codes in the 2021 division (a merged municipality's code becomes that of the one it joined)."""
    return codes.map(lambda code: MERGERS.get(code, (code,))[0])


# ------------------------------------------------------------------------------------------ the key


@functools.cache
def _key(folder) -> pd.DataFrame:
    table = data.load_municipalities()
    latest = table.sort_values("year").drop_duplicates("municipality_code", keep="last")
    latest = latest[~latest["municipality_code"].isin(absorbed_codes())]
    key = latest.set_index("municipality_code")[["name", "subregion_code", "region_code"]].sort_index()
    swedish = data._load("municipality_names").set_index("municipality_code")["name_sv"]
    missing = key.index.difference(swedish.index)
    if len(missing):
        raise DataError(f"{data.params_dir() / 'data' / 'municipality_names.csv'}: no name for "
                        f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}; allowed: a row for every "
                        "municipality of municipalities.csv")
    key.insert(1, "name_sv", swedish.reindex(key.index))
    return key


def load_subregions() -> dict[str, str]:
    """Subregion code -> name (``params/data/subregions.csv``)."""
    table = data._load("subregions")
    return dict(zip(table["subregion_code"], table["name"], strict=True))


def municipality_key() -> pd.DataFrame:
    """The municipalities of the 2021 division: index ``municipality_code``; ``name`` (Finnish), ``name_sv``
    (Swedish, ``municipality_names.csv``), ``subregion_code``, ``region_code`` (309 rows, code order)."""
    return _key(data.params_dir()).copy()


# ------------------------------------------------------------------------------------------ totals


def harmonised_totals(table: pd.DataFrame | None = None, repair: bool = True) -> pd.DataFrame:
    """Municipal totals (``municipalities.csv``) in the 2021 division, with the known errors repaired.

    Columns ``municipality_code``, ``year``, ``sex`` (``T``; ``F``, ``M`` where published), ``population`` and
    ``repaired`` (True where :data:`REPAIRS` changed the figure).
    """
    table = data.load_municipalities() if table is None else table.copy()
    table["municipality_code"] = to_division(table["municipality_code"])
    out = table.groupby(["municipality_code", "year", "sex"], as_index=False)["population"].sum()
    out["population"] = out["population"].astype(float)
    out["repaired"] = False
    if not repair:
        return out
    for (code, year), (inner, share_year, _) in REPAIRS.items():
        rows = (out["municipality_code"] == code) & (out["year"] == year)
        if not rows.any() or ((out["municipality_code"] == inner) & (out["year"] == year)).any():
            continue  # the error is not in this table (a refreshed file)
        weights = out[(out["year"] == share_year) & (out["sex"] == "T")].set_index("municipality_code")["population"]
        share = weights[code] / (weights[code] + weights[inner])
        combined = out[rows].set_index("sex")["population"]
        split = []
        for sex in [s for s in SEXES if s in combined.index]:
            own = float(np.round(combined[sex] * share))
            split += [(code, year, sex, own), (inner, year, sex, combined[sex] - own)]
        if "F" in combined.index and "M" in combined.index:
            split += [(c, year, "T", sum(v for cc, _, s, v in split if cc == c)) for c in (code, inner)]
        elif "T" in combined.index:
            own = float(np.round(combined["T"] * share))
            split += [(code, year, "T", own), (inner, year, "T", combined["T"] - own)]
        out = out[~rows]
        fixed = pd.DataFrame(split, columns=["municipality_code", "year", "sex", "population"]).assign(repaired=True)
        out = pd.concat([out, fixed], ignore_index=True)
    return out.sort_values(["municipality_code", "year", "sex"]).reset_index(drop=True)


# ------------------------------------------------------------------------------------------ single years


@functools.cache
def _single_years(folder) -> pd.Series:
    """The single-year file in the 2021 division: persons by (municipality_code, year, sex, age), merged
    municipalities summed (read once for the bases and the refreshed later years)."""
    table = data._load("municipality_population_2018_2019")
    table["municipality_code"] = to_division(table["municipality_code"])
    return table.groupby(["municipality_code", "year", "sex", "age"])["population"].sum()


@functools.cache
def _population(folder) -> xr.DataArray:
    summed = _single_years(folder)
    codes = municipality_key().index
    # a year counts here when every municipality has it; the later years that a refresh of some municipalities
    # (`forum data refresh --municipality`) adds are their bases through later_structures()
    present = summed.groupby(level=["year", "municipality_code"]).size()
    per_year = present[present == 2 * AGES.size].reset_index().groupby("year")["municipality_code"].apply(set)
    complete = [int(year) for year, members in per_year.items() if set(codes) <= members]
    years = complete or sorted(summed.index.get_level_values("year").unique())
    summed = summed[summed.index.get_level_values("year").isin(years)]
    index = pd.MultiIndex.from_product([codes, years, list(SEXES), AGES],
                                       names=["municipality_code", "year", "sex", "age"])
    values = summed.reindex(index)
    if values.isna().any():
        code, year = values[values.isna()].index[0][:2]
        raise DataError(data.data_path("municipality_population_2018_2019"),
                        f"no single-year population of municipality {code} in {year} (2021 division)")
    return xr.DataArray(values.to_numpy(float).reshape(len(codes), len(years), 2, AGES.size),
                        dims=("municipality_code", "year", "sex", "age"),
                        coords={"municipality_code": list(codes), "year": years, "sex": list(SEXES), "age": AGES},
                        name="population", attrs={"units": "persons"})


@functools.cache
def _later(folder, after: int) -> dict[int, dict[str, np.ndarray]]:
    summed = _single_years(folder)
    summed = summed[summed.index.get_level_values("year") > after]
    if summed.empty:
        return {}
    summed = summed.reorder_levels(["year", "municipality_code", "sex", "age"]).sort_index()
    known = set(municipality_key().index)
    out: dict[int, dict[str, np.ndarray]] = {}
    for (year, code), cells in summed.groupby(level=["year", "municipality_code"]):
        if code not in known or len(cells) != 2 * AGES.size:  # a municipality's year counts only when complete
            continue
        values = cells.droplevel(["year", "municipality_code"]).reindex(
            pd.MultiIndex.from_product([list(SEXES), AGES], names=["sex", "age"]))
        if values.notna().all():
            out.setdefault(int(year), {})[code] = values.to_numpy(float).reshape(2, AGES.size)
    return out


def later_structures(after: int) -> dict[int, dict[str, np.ndarray]]:
    """Single-year populations by sex [persons] of the years after ``after`` that the file holds for some
    municipalities only (added by ``forum data refresh --municipality``): year -> code -> (2, A), 2021 division,
    a municipality's year only where all its sex × age cells are present."""
    return {year: {code: values.copy() for code, values in rows.items()}
            for year, rows in _later(data.params_dir(), after).items()}


def municipal_population() -> xr.DataArray:
    """Single-year population by sex of the 309 municipalities (2021 division) on 31 Dec 2018 and 2019 [persons],
    dims (municipality_code, year, sex, age)."""
    return _population(data.params_dir()).copy()


@functools.cache
def _migration(folder) -> xr.DataArray:
    table = data._load("municipality_migration_1990_2017")
    table["municipality_code"] = to_division(table["municipality_code"])
    net = table.groupby(["municipality_code", "year"])["net_migration"].sum().unstack("year")
    net = net.reindex(municipality_key().index)
    return xr.DataArray(net.to_numpy(float), dims=("municipality_code", "year"),
                        coords={"municipality_code": list(net.index), "year": list(net.columns)},
                        name="net_migration", attrs={"units": "persons", "long_name": "intermunicipal net migration"})


def municipal_migration() -> xr.DataArray:
    """Intermunicipal net migration of the 309 municipalities (2021 division), 1990–2017 [persons],
    dims (municipality_code, year); NaN where a municipality has no figure."""
    return _migration(data.params_dir()).copy()


def clear_caches() -> None:
    _key.cache_clear()
    _single_years.cache_clear()
    _population.cache_clear()
    _migration.cache_clear()
    _later.cache_clear()


# ------------------------------------------------------------------------------------------ checks


def check_mergers() -> list[str]:
    """The merger list verified on the data; returns the problems found (empty: the list holds).

    * the single-year files lose exactly the absorbed codes: Valtimo after 2018, Honkajoki after 2019, and the
      totals of ``municipalities.csv`` hold no absorbed code after its merger;
    * the first published total after a merger continues the sum of the parts (within 3 %, a year's change).
    """
    problems = []
    single = data._load("municipality_population_2018_2019")
    totals = data.load_municipalities()
    parts = single.groupby(["year", "municipality_code"])["population"].sum()
    for absorbed, (into, year) in MERGERS.items():
        for source, rows in (("single-year", single), ("totals", totals)):
            late = rows[(rows["municipality_code"] == absorbed) & (rows["year"] >= year)]
            if not late.empty:
                problems.append(f"{absorbed} has {source} figures in {int(late['year'].min())}, after its merger")
        before = year - 1
        if (before, absorbed) in parts.index:
            combined = parts[(before, absorbed)] + parts[(before, into)]
            after = totals[(totals["municipality_code"] == into) & (totals["year"] == year) & (totals["sex"] == "T")]
            if not after.empty and abs(float(after["population"].iloc[0]) / combined - 1.0) > 0.03:
                problems.append(f"{into} {year} ({float(after['population'].iloc[0]):.0f}) does not continue "
                                f"{into} + {absorbed} {before} ({combined:.0f})")
    return problems


def history_bounds(migration: xr.DataArray | None = None, population: xr.Series | None = None) -> pd.Series:
    """Each municipality's largest yearly intermunicipal net migration in its own history (1990–2017), as a share
    of its population of 31 Dec 2018 [1] (index ``municipality_code``, 2021 division)."""
    migration = municipal_migration() if migration is None else migration
    if population is None:
        population = municipal_population().sel(year=2018).sum(["sex", "age"]).to_series()
    largest = np.abs(migration).max("year").to_series()
    return (largest / population.reindex(largest.index)).rename("history_bound")


def implausible_changes(totals: pd.DataFrame, bounds: pd.Series | None = None) -> pd.DataFrame:
    """Year-on-year changes of municipal totals that no demography explains.

    Rule: the change of a municipality's total between consecutive published years, as a share of the earlier
    year, may not exceed ``NATURAL_INCREASE_BOUND + INTERNATIONAL_BOUND + HISTORY_FACTOR * h``, where ``h`` is its
    largest yearly intermunicipal net migration of 1990–2017 as a share of its population (:func:`history_bounds`):
    births minus deaths, immigration, and moves between municipalities half as large again as any year the
    municipality has seen. A larger change is a boundary change or an error of the table, not demography.

    Parameters
    ----------
    totals : rows ``municipality_code``, ``year``, ``sex``, ``population`` (only ``sex == "T"`` is used), e.g.
        ``municipalities.csv`` as published or :func:`harmonised_totals`
    bounds : :func:`history_bounds` by default (codes the history lacks are held to the smallest bound of all)

    Returns
    -------
    frame of the flagged changes: ``municipality_code``, ``year`` (the later year), ``previous``, ``population``,
    ``change`` (share), ``bound`` (share); empty if every change is explained
    """
    bounds = history_bounds() if bounds is None else bounds
    series = totals[totals["sex"] == "T"].pivot_table(index="municipality_code", columns="year",
                                                      values="population", aggfunc="sum")
    rows = []
    years = sorted(series.columns)
    for earlier, later in zip(years[:-1], years[1:], strict=True):
        pair = series[[earlier, later]].dropna()
        change = pair[later] / pair[earlier] - 1.0
        h = bounds.reindex(pair.index).fillna(bounds.min())
        limit = NATURAL_INCREASE_BOUND + INTERNATIONAL_BOUND + HISTORY_FACTOR * h
        flagged = change.abs() > limit
        for code in change.index[flagged]:
            rows.append((code, later, pair.loc[code, earlier], pair.loc[code, later], change[code], limit[code]))
    return pd.DataFrame(rows, columns=["municipality_code", "year", "previous", "population", "change", "bound"])


def harmonised_series() -> pd.DataFrame:
    """Totals of the 309 municipalities (sex ``T``) 2018–2021 in the 2021 division: 2018 from the single-year
    table, 2019–2021 from :func:`harmonised_totals`."""
    single = municipal_population().sel(year=[2018]).sum(["sex", "age"]).to_dataframe().reset_index()
    totals = harmonised_totals()
    return pd.concat([single.assign(sex="T"), totals[totals["sex"] == "T"]], ignore_index=True)


def check_totals() -> None:
    """Raise :class:`DataError` if a harmonised yearly change of a municipality is one no demography explains
    (:func:`implausible_changes`): a boundary change or an error of ``municipalities.csv`` not yet repaired."""
    flagged = implausible_changes(harmonised_series())
    if not flagged.empty:
        row = flagged.iloc[0]
        raise DataError(data.data_path("municipalities"),
                        f"municipality {row['municipality_code']}: {int(row['year']) - 1}→{int(row['year'])} change "
                        f"{row['change']:+.1%} exceeds the {row['bound']:.1%} that natural increase, immigration and "
                        "its own migration history explain (a boundary change or an error of the table; see "
                        "docs/municipalities.md)", column="population")


__all__ = ["DIVISION_YEAR", "MERGERS", "REPAIRS", "check_mergers", "check_totals", "harmonised_series",
           "harmonised_totals", "history_bounds", "implausible_changes", "later_structures", "load_subregions",
           "municipal_migration",
           "municipal_population", "municipality_key", "to_division"]
