"""Plausibility of the base data: checks from demography beyond types, codes and ranges.

Per file (called by :func:`toolkit.io.params.validate_frame` through the file's :class:`FileSpec`): strict upper
bounds (q(x) < 1), schedules that are not all zero, and the year-to-year changes a single-age population can make
(cohort ratios, total changes). Across files (:func:`check_migration`, called when the model's inputs are loaded
and before a refresh replaces anything): the 5-year migration groups against the totals, and net migration
against the population. The bounds and their reasons are in :mod:`toolkit.io.catalogue`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.errors import DataError
from toolkit.io.catalogue import COHORT_MIN_CELL, COHORT_RATIO, MAX_MIGRATION_SHARE, MAX_TOTAL_CHANGE, FileSpec


def file_line(position) -> int:
    """File line of a 0-based data-row position (the header is line 1)."""
    return int(position) + 2


def fail(path, message: str, positions, column: str | None) -> None:
    """Raise DataError at the first of ``positions`` (a boolean mask or an index array), if any."""
    where = np.flatnonzero(positions) if np.asarray(positions).dtype == bool else np.asarray(positions)
    if where.size:
        raise DataError(path, message.replace("{n}", str(where.size)), row=file_line(where[0]), column=column)


def check_bounds(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """Strict upper bounds and schedules that are not all zero."""
    for column, bound in spec.below.items():
        values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
        fail(path, f"value {values[values >= bound][0] if (values >= bound).any() else 0:g} not allowed: "
              f"{column} must be below {bound:g} at every age of the file (the open age closes the table)",
              values >= bound, column)
    for column, keys in spec.positive_sum.items():
        totals = frame.groupby(list(keys))[column].sum()
        zero = totals.index[(totals <= 0).to_numpy()]
        if len(zero):
            first = zero[0] if isinstance(zero[0], tuple) else (zero[0],)
            label = ", ".join(f"{k}={v}" for k, v in zip(keys, first, strict=True))
            rows = np.ones(len(frame), dtype=bool)
            for key, value in zip(keys, first, strict=True):
                rows &= (frame[key] == value).to_numpy()
            fail(path, f"all values are zero for {label}; a schedule needs positive values", rows, column)


def check_cohorts(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """Year-to-year changes a population cannot make: cohort ratios and total changes (see the catalogue)."""
    value = spec.cohorts
    table = frame.set_index(["region_code", "year", "sex", "age"])[value].unstack("age").sort_index()
    # the same cohort a year later, on the rows of the earlier year (NaN where there is no later year)
    later = table.rename(index=lambda year: year - 1, level="year").reindex(table.index).to_numpy(dtype=float)
    now = table.to_numpy(dtype=float)
    before = np.concatenate([now[:, :-2], now[:, -2:].sum(1, keepdims=True)], axis=1)  # ages 0..98, 99 + open
    after = later[:, 1:]  # ages 1..100 a year later
    big = np.fmax(before, after) >= COHORT_MIN_CELL
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(before > 0, after / before, np.inf)
    bad = big & ~np.isnan(after) & ((ratio < COHORT_RATIO[0]) | (ratio > COHORT_RATIO[1]))
    if bad.any():
        row, age = (int(i) for i in np.argwhere(bad)[0])
        region, year, sex = table.index[row]
        fail(path, f"the cohort aged {age} in {year} ({before[row, age]:g} persons) has {after[row, age]:g} "
              f"persons aged {age + 1} a year later (region_code={region}, sex={sex}): a ratio of "
              f"{ratio[row, age]:.3g}; allowed {COHORT_RATIO[0]:g}..{COHORT_RATIO[1]:g} for cells of "
              f"{COHORT_MIN_CELL}+ persons", _rows(frame, region, year + 1, sex), value)
    totals = frame.groupby(["region_code", "year"])[value].sum()
    change = totals.groupby(level="region_code").pct_change().abs()
    bad = (change > MAX_TOTAL_CHANGE).to_numpy()
    if bad.any():
        region, year = change.index[np.flatnonzero(bad)[0]]
        fail(path, f"the total of {region} changes by {100 * change[(region, year)]:.1f} % from {year - 1} to "
              f"{year} ({totals[(region, year - 1)]:g} -> {totals[(region, year)]:g}); allowed at most "
              f"{100 * MAX_TOTAL_CHANGE:g} % a year", _rows(frame, region, year), value)


def _rows(frame: pd.DataFrame, region: str, year: int, sex: str | None = None) -> np.ndarray:
    rows = (frame["region_code"] == region).to_numpy() & (frame["year"] == year).to_numpy()
    return rows & (frame["sex"] == sex).to_numpy() if sex is not None else rows


def check_migration(population: xr.DataArray, total: xr.DataArray, age5: xr.DataArray,
                    folder: Path | str = "params/data") -> None:
    """Cross-checks of the migration files against each other and against the population.

    * the 5-year groups of ``net_migration_age5.csv`` sum (over sex and age) exactly to ``net_migration_total.csv``
      for every area and year in both (they agree exactly in the shipped data);
    * an area's net migration in a year is at most :data:`~toolkit.io.catalogue.MAX_MIGRATION_SHARE` of its
      population on 31 December of that year.

    ``folder`` is the data folder (for messages).

    Raises
    ------
    DataError
        Naming the file, the area, the year and both numbers.
    """
    grouped = age5.sum(["sex", "age_start"])
    common_regions = sorted(set(grouped["region_code"].values) & set(total["region_code"].values))
    common_years = sorted(set(grouped["year"].values.tolist()) & set(total["year"].values.tolist()))
    if common_regions and common_years:
        a = grouped.sel(region_code=common_regions, year=common_years)
        b = total.sel(region_code=common_regions, year=common_years)
        differ = (a != b).values
        if differ.any():
            r, y = (int(i) for i in np.argwhere(differ)[0])
            raise DataError(Path(folder) / "net_migration_age5.csv", f"the 5-year groups of {common_regions[r]} in "
                            f"{common_years[y]} sum to {float(a.values[r, y]):g} but net_migration_total.csv says "
                            f"{float(b.values[r, y]):g}; they must be equal", column="net_migration")
    people = population.sum(["sex", "age"], min_count=1)  # NaN where an area has no population that year
    regions = sorted(set(people["region_code"].values) & set(total["region_code"].values))
    years = sorted(set(people["year"].values.tolist()) & set(total["year"].values.tolist()))
    if regions and years:
        moved = total.sel(region_code=regions, year=years)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.abs(moved.values) / people.sel(region_code=regions, year=years).values
        bad = np.nan_to_num(share, nan=0.0, posinf=np.inf) > MAX_MIGRATION_SHARE
        if bad.any():
            r, y = (int(i) for i in np.argwhere(bad)[0])
            raise DataError(Path(folder) / "net_migration_total.csv", f"net migration of {regions[r]} in {years[y]} is "
                            f"{float(moved.values[r, y]):g}, {100 * share[r, y]:.1f} % of its population; allowed "
                            f"at most {100 * MAX_MIGRATION_SHARE:g} % a year", column="net_migration")
