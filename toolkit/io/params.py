"""The base data of ``params/data/``: validated on load and returned as xarray objects.

:func:`validate_frame` is the single validator of a file kind: it checks a table against the file's contract in
:mod:`toolkit.io.catalogue` (columns and types, codes, patterns, ranges, complete grids, consecutive years, age
groups that tile, regional sums). The loaders use it on the files and the Statistics Finland loader on fetched
tables before writing them. A failed check raises :class:`toolkit.errors.DataError` naming the file, the line
(the header is line 1) and the column.

Loaders are cached per file path, so each file is read once per process; they return copies, so a caller may
modify the result freely.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.errors import DataError
from toolkit.io.catalogue import FILE_SPECS, FileSpec, file_spec
from toolkit.io.plausibility import check_bounds, check_cohorts, fail, file_line
from toolkit.nomenclature import COUNTRY_CODE, MAAKUNTA_CODES, OPEN_AGE, REGION_CODES

PARAMS_ENV = "FORUM_PARAMS_DIR"
_MISSING_TEXT = ("", "nan", "NaN", "NA", "None")


def params_dir() -> Path:
    """The params directory: ``$FORUM_PARAMS_DIR`` if set, else ``params/`` of the project."""
    override = os.environ.get(PARAMS_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "params"


def data_path(kind: str) -> Path:
    """Path of the base-data file of ``kind`` (its file stem) under :func:`params_dir`."""
    file_spec(kind)
    return params_dir() / "data" / f"{kind}.csv"


# --------------------------------------------------------------------------------------------- validation


def _check_columns(df: pd.DataFrame, spec: FileSpec, path) -> None:
    required = list(spec.columns)
    missing = [name for name in required if name not in df.columns]
    if missing:
        raise DataError(path, f"missing column '{missing[0]}'; required columns: {', '.join(required)}",
                        row=1, column=missing[0])
    extra = [name for name in df.columns if name not in spec.columns]
    if extra:
        raise DataError(path, f"unexpected column '{extra[0]}'; allowed columns: {', '.join(required)}",
                        row=1, column=extra[0])


def _missing_mask(series: pd.Series) -> np.ndarray:
    """Empty or NaN cells (also the texts 'nan', 'NA', 'None')."""
    text = series.astype(object)
    return (text.isna() | text.isin(_MISSING_TEXT)).to_numpy()


def _coerce(series: pd.Series, dtype: str, nullable: bool, path, column: str) -> pd.Series:
    """Convert one column to its declared type, raising on missing or unparsable cells."""
    if dtype == "str":
        text = series.astype(object)
        missing = _missing_mask(series)
        unparsed = np.zeros(len(series), dtype=bool)
    else:
        numbers = pd.to_numeric(series, errors="coerce").astype("float64")
        unparsed = np.isnan(numbers.to_numpy())
        missing = unparsed.copy()
        if not pd.api.types.is_numeric_dtype(series):
            missing[unparsed] = _missing_mask(series[unparsed].astype(object).astype(str).str.strip())
    if not nullable:
        fail(path, "missing value ({n} empty or NaN cells in this column)", missing, column)
    if dtype == "str":
        return text.where(~missing, None)
    fail(path, f"not a number: {{n}} cells cannot be read as {dtype}", unparsed & ~missing, column)
    fail(path, "value is not finite", np.isinf(numbers.to_numpy()), column)
    if dtype == "int":
        fail(path, "not an integer", (numbers.to_numpy() % 1 != 0) & ~missing, column)
        return numbers.astype("Int64") if missing.any() else numbers.astype("int64")
    return numbers


def _check_values(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """Allowed codes, string patterns and plausible ranges."""
    for column, allowed in spec.codes.items():
        bad = ~frame[column].isin(allowed).to_numpy()
        if bad.any():
            value = frame[column].to_numpy()[bad][0]
            listing = ", ".join(map(str, allowed)) if len(allowed) <= 25 else f"{allowed[0]}..{allowed[-1]}"
            fail(path, f"value '{value}' not allowed; allowed: {listing}", bad, column)
    for column, pattern in spec.patterns.items():
        regex = re.compile(pattern)
        matches = {value: bool(regex.fullmatch(str(value))) for value in frame[column].unique()}
        bad = ~frame[column].map(matches).to_numpy(dtype=bool)
        if bad.any():
            value = frame[column].to_numpy()[bad][0]
            fail(path, f"value '{value}' does not match the pattern {pattern}", bad, column)
    for column, (low, high) in spec.ranges.items():
        values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
        bad = (values < low) | (values > high)
        if bad.any():
            kind = "negative count" if low == 0 and values[bad][0] < 0 else "implausible value"
            fail(path, f"{kind} {values[bad][0]:g}; allowed range {low:g} to {high:g}", bad, column)


def _check_keys(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """No duplicate keys; dependent columns constant per key; consecutive integer keys."""
    keys = list(spec.keys)
    duplicated = frame.duplicated(keys).to_numpy()
    fail(path, f"duplicate key ({', '.join(keys)}): this row repeats an earlier one", duplicated, keys[-1])
    for column, key in spec.depends.items():
        counts = frame.groupby([key, column], sort=False).size().sort_values(ascending=False, kind="stable")
        usual = counts.reset_index().drop_duplicates(key).set_index(key)[column]
        fail(path, f"'{column}' differs from its usual value among the rows with the same '{key}'",
              frame[column].to_numpy() != frame[key].map(usual).to_numpy(), column)
    for column in spec.contiguous:
        values = np.unique(frame[column].to_numpy())
        gaps = values[1:][np.diff(values) != 1]
        if gaps.size:
            fail(path, f"values are not consecutive: the value before {gaps[0]} is missing",
                  (frame[column] == gaps[0]).to_numpy(), column)


def _check_age_groups(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    start_col, end_col = spec.age_groups
    groups = frame.drop_duplicates(start_col).sort_values(start_col)
    starts, ends = groups[start_col].to_numpy(), groups[end_col].to_numpy()
    bad = np.append(ends[:-1] != starts[1:] - 1, ends[-1] < starts[-1])
    if bad.any():
        fail(path, "age groups overlap or leave a gap", [groups.index[np.flatnonzero(bad)[0]]], end_col)


def _axes(frame: pd.DataFrame, spec: FileSpec) -> tuple[list[np.ndarray], np.ndarray]:
    """Coordinate labels of each key and the (rows x keys) positions of the rows on them."""
    axes = [np.asarray(spec.codes[key], dtype=object if isinstance(spec.codes[key][0], str) else None)
            if key in spec.codes else np.unique(frame[key].to_numpy()) for key in spec.keys]
    positions = np.column_stack(
        [pd.Index(axis).get_indexer(frame[key]) for axis, key in zip(axes, spec.keys, strict=True)]
    )
    return axes, positions


def _grid_subsets(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Row sets that must each form a complete grid: maakunnat + SSS together, each other area alone."""
    if "region_code" not in frame.columns:
        return [frame]
    core = frame["region_code"].isin(REGION_CODES).to_numpy()
    areas = [rows for _, rows in frame[~core].groupby("region_code", sort=True)]
    return [frame[core], *areas] if core.any() else areas


def _check_grid(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """Every combination of key values is present (e.g. all ages 0..100 for every region, year, sex)."""
    axes, positions = _axes(frame, spec)
    shape = tuple(len(axis) for axis in axes)
    if len(frame) == np.prod(shape):
        return
    flat = np.ravel_multi_index(positions.T, shape)
    present = np.zeros(np.prod(shape), dtype=bool)
    present[flat] = True
    gap = np.unravel_index(np.flatnonzero(~present)[0], shape)
    column = _gap_column(positions, gap, spec.keys)
    label = ", ".join(f"{key}={axis[i]}" for key, axis, i in zip(spec.keys, axes, gap, strict=True))
    after = np.flatnonzero(flat > np.ravel_multi_index(gap, shape))
    position = after[np.argmin(flat[after])] if after.size else len(frame) - 1
    raise DataError(path, f"missing row for {label}; every combination of {', '.join(spec.keys)} is required",
                    row=file_line(frame.index[position]), column=column)


def _gap_column(positions: np.ndarray, gap: tuple, keys: tuple[str, ...]) -> str:
    """The key whose value is missing: the last key for which the other keys' combination exists."""
    for k in reversed(range(len(keys))):
        others = [j for j in range(len(keys)) if j != k]
        if (positions[:, others] == np.asarray(gap)[others]).all(axis=1).any():
            return keys[k]
    return keys[0]


def _check_regional_sum(frame: pd.DataFrame, spec: FileSpec, path) -> None:
    """The 19 maakunnat add up exactly to the country (SSS) for every other key, when both are present."""
    value, others = spec.regional_sum, [key for key in spec.keys if key != "region_code"]
    is_country = (frame["region_code"] == COUNTRY_CODE).to_numpy()
    is_region = frame["region_code"].isin(MAAKUNTA_CODES).to_numpy()
    if not (is_country.any() and is_region.any()):
        return
    absent = sorted(set(MAAKUNTA_CODES) - set(frame.loc[is_region, "region_code"]))
    if absent:
        raise DataError(path, f"maakunta {absent[0]} is missing: the 19 maakunnat must sum to {COUNTRY_CODE}",
                        row=file_line(np.flatnonzero(is_country)[0]), column="region_code")
    regional = frame[is_region].groupby(others)[value].sum()
    country = frame[is_country].set_index(others)[value]
    difference = (regional.reindex(country.index) - country).to_numpy()
    bad = difference != 0
    if bad.any():
        i = np.flatnonzero(bad)[0]
        label = ", ".join(f"{k}={v}" for k, v in zip(others, np.atleast_1d(country.index[i]), strict=True))
        rows = np.flatnonzero(is_country)
        raise DataError(path, f"regions sum to {country.iloc[i] + difference[i]:g} but {COUNTRY_CODE} is "
                        f"{country.iloc[i]:g} ({label}); they must be equal",
                        row=file_line(rows[i]), column=value)


def _checked_frame(kind: str, df: pd.DataFrame, path) -> pd.DataFrame:
    """Validate ``df`` as a file of ``kind`` and return it with the declared column types."""
    spec = file_spec(kind)
    _check_columns(df, spec, path)
    df = df.reset_index(drop=True)
    frame = pd.DataFrame({
        name: _coerce(df[name], dtype, name in spec.nullable, path, name)
        for name, dtype in spec.columns.items()
    })
    if frame.empty:
        raise DataError(path, "the file has no data rows", row=2)
    _check_values(frame, spec, path)
    _check_keys(frame, spec, path)
    if spec.age_groups:
        _check_age_groups(frame, spec, path)
    if spec.grid:
        for subset in _grid_subsets(frame):
            _check_grid(subset, spec, path)
    if spec.regional_sum:
        _check_regional_sum(frame, spec, path)
    check_bounds(frame, spec, path)
    if spec.cohorts:
        check_cohorts(frame, spec, path)
    return frame


def validate_frame(kind: str, df: pd.DataFrame, path) -> None:
    """Check a table against the contract of one base-data file.

    Parameters
    ----------
    kind : the file stem, e.g. ``"population"`` (see :data:`FILE_SPECS`)
    df : the table, as read from the file (all text) or as fetched (typed)
    path : the file it was read from or will be written to (for messages)

    Raises
    ------
    DataError
        On the first failed check: missing or unexpected column, missing or non-numeric value, code
        not allowed, negative count, implausible value, duplicate key, incomplete ages or keys,
        regional sums that differ from ``SSS``. ``row`` is the file line (header = line 1; data row
        ``i`` of ``df`` is line ``i + 2``).
    """
    _checked_frame(kind, df, path)


# --------------------------------------------------------------------------------------------- loading


def read_frame(kind: str, path: Path) -> pd.DataFrame:
    """Read one base-data file, validate it and return it with typed columns.

    The file is parsed with the declared dtypes; if that fails (a non-numeric or missing integer), it
    is read again as text so that the validator can name the line and column at fault.
    """
    spec = file_spec(kind)
    dtypes = {name: {"int": "int64", "float": "float64", "str": str}[kind_]
              for name, kind_ in spec.columns.items()}
    try:
        try:
            with warnings.catch_warnings():  # the C parser warns on "inf" in an integer column
                warnings.simplefilter("ignore", RuntimeWarning)
                raw = pd.read_csv(path, dtype=dtypes, skip_blank_lines=False, engine="c")
        except (ValueError, TypeError):
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, engine="c")
    except FileNotFoundError:
        raise DataError(path, f"file not found; expected the base-data file {kind}.csv") from None
    except pd.errors.EmptyDataError:
        raise DataError(path, f"the file is empty; expected the columns {', '.join(spec.columns)}", row=1) from None
    except OSError as error:  # a folder, no permission, an I/O error
        raise DataError(path, f"cannot be read ({error.strerror or error}); expected the file {kind}.csv") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(path, f"cannot be read as UTF-8 CSV: {' '.join(str(error).split())}") from None
    return _checked_frame(kind, raw, path)


def _attrs(spec: FileSpec, variable: str) -> dict[str, str]:
    long_name, units = spec.variables[variable]
    return {"long_name": long_name, "units": units, "source": spec.source}


def _to_xarray(frame: pd.DataFrame, spec: FileSpec) -> xr.DataArray | xr.Dataset:
    """Reshape a complete, validated grid into a DataArray (one variable) or a Dataset."""
    axes, positions = _axes(frame, spec)
    shape = tuple(len(axis) for axis in axes)
    flat = np.ravel_multi_index(positions.T, shape)
    dims = [spec.dims.get(key, key) for key in spec.keys]
    coords = {dim: axis for dim, axis in zip(dims, axes, strict=True)}
    for column, key in spec.depends.items():
        dim = spec.dims.get(key, key)
        values = frame.drop_duplicates(key).set_index(key)[column].reindex(coords[dim]).to_numpy()
        coords[column] = (dim, values)
    variables = {}
    for name in spec.variables:
        grid = np.full(np.prod(shape), np.nan)
        grid[flat] = frame[name].to_numpy(dtype="float64", na_value=np.nan)
        variables[name] = xr.DataArray(grid.reshape(shape), dims=dims, coords=coords, name=name,
                                       attrs=_attrs(spec, name))
    if spec.kind_of_result == "array":
        return next(iter(variables.values()))
    return xr.Dataset(variables, attrs={"source": spec.source})


def _to_frame(frame: pd.DataFrame, spec: FileSpec) -> pd.DataFrame:
    result = frame.sort_values(list(spec.keys), kind="stable").reset_index(drop=True)
    result.attrs = {"source": spec.source, "units": {k: v[1] for k, v in spec.variables.items()}}
    return result


def typed_array(kind: str, frame: pd.DataFrame, path) -> xr.DataArray | xr.Dataset:
    """A table of ``kind`` (read or fetched), validated, as the xarray object its loader returns."""
    return _to_xarray(_checked_frame(kind, frame, path), file_spec(kind))


@functools.cache
def _load_cached(kind: str, path: Path):
    spec = file_spec(kind)
    frame = read_frame(kind, path)
    return _to_frame(frame, spec) if spec.kind_of_result == "frame" else _to_xarray(frame, spec)


def _load(kind: str):
    """The loaded object of ``kind`` (cached per path; a copy, safe to modify)."""
    return _load_cached(kind, data_path(kind)).copy(deep=True)


def clear_caches() -> None:
    """Forget every loaded file (after editing files in place or changing ``FORUM_PARAMS_DIR``)."""
    _load_cached.cache_clear()
    _provenance_cached.cache_clear()


def load_population() -> xr.DataArray:
    """Population on 31 December [persons], dims (region_code, year, sex, age); age 100 = 100+."""
    population = _load("population")
    population.attrs["open_age"] = OPEN_AGE
    return population


def load_tfr() -> xr.DataArray:
    """Total fertility rate [children per woman], dims (region_code, year)."""
    return _load("tfr")


def load_life_expectancy() -> xr.DataArray:
    """Life expectancy at birth [years], dims (region_code, year, sex).

    ``year`` is the last year of a 3-year moving average (2024 = mean over 2022-2024).
    """
    return _load("life_expectancy")


def load_net_migration_age5() -> xr.DataArray:
    """Net migration [persons], dims (region_code, year, sex, age_start), coord ``age_end`` (75+ ends at 100).

    ``SSS`` is net international migration; the regions add up to it.
    """
    return _load("net_migration_age5")


def load_net_migration_total() -> xr.DataArray:
    """Total net migration [persons], dims (region_code, year)."""
    return _load("net_migration_total")


def load_asfr_national() -> xr.DataArray:
    """National age-specific fertility [births per woman per year], dims (year, age 15..49).

    Coordinate ``status`` on year: ``estimate`` or ``projection`` (WPP2022 medium variant).
    """
    return _load("asfr_national")


def load_qx_national() -> xr.DataArray:
    """National life-table probability of death [1], dims (year, sex, age 0..99)."""
    return _load("qx_national")


def load_mx_wpp() -> xr.DataArray:
    """WPP abridged central death rates [1/year], dims (period_start, sex, age_start).

    Coordinates ``period_end`` (exclusive: 1950-1955 covers 1950..1954) and ``status`` on period_start.
    """
    return _load("mx_national_wpp")


def load_national_indicators() -> pd.DataFrame:
    """Finland's annual indicators 1950-2023 (WPP2024): e0 by sex [years], births, deaths [persons], etc."""
    return _load("national_indicators")


def load_municipalities() -> pd.DataFrame:
    """Municipality population on 31 Dec [persons] with subregion and region codes (2021 division)."""
    return _load("municipalities")


def load_municipality_age_groups() -> xr.DataArray:
    """Paavo population 31 Dec 2018 [persons], dims (municipality_code, age_start), coord ``age_end``."""
    return _load("municipality_age_groups_2018")


def load_workplaces() -> xr.DataArray:
    """Paavo workplaces 2017 [jobs], dims (municipality_code, industry A..U, X)."""
    return _load("workplaces_2017")


def load_main_activity() -> xr.DataArray:
    """Paavo population by main activity 2017 [persons], dims (municipality_code, activity)."""
    return _load("main_activity_2017")


def load_education() -> xr.DataArray:
    """Paavo population 18+ by highest education 2018 [persons], dims (municipality_code, level)."""
    return _load("education_2018")


def load_lfs_by_age_sex() -> xr.Dataset:
    """LFS 2020, Finland [thousand persons], dims (sex F/M/T, age_start), coord ``age_end``.

    ``unemployed`` at ages 65-74 is suppressed in the source (NaN).
    """
    return _load("lfs_by_age_sex_2020")


def load_lfs_region() -> xr.Dataset:
    """LFS 2020 by region, ages 15-64 [thousand persons, %], dim (region_code)."""
    return _load("lfs_region_2020")


def load_lfs_by_industry() -> pd.DataFrame:
    """LFS 2020 employed by industry group [thousand persons], with the TOL sections of each group."""
    return _load("lfs_by_industry_2020")


def load_jobs_by_occupation() -> xr.DataArray:
    """Jobs by occupation major group, Finland 2017 [jobs], dim (occupation 0..9, X)."""
    return _load("jobs_by_occupation_2017")


def load_jobseekers_vacancies() -> xr.Dataset:
    """Unemployed jobseekers and open vacancies at month end, dims (region_code, month, occupation)."""
    return _load("jobseekers_vacancies")


def load_employed_by_section_occupation() -> xr.DataArray:
    """Employed persons in Finland by TOL 2008 section and Mitenna occupation group, 2012-2016.

    Returns
    -------
    DataArray (year, industry, occupation) [persons]; sections A..U, the 54 groups of
    `toolkit.nomenclature.MITENNA_OCCUPATIONS` (zero where no one was employed)
    """
    return _load("employed_section_occupation_2012_2016")


def load_official_projection() -> xr.DataArray:
    """Statistics Finland's 2024 projection, population (region_code, year, sex, age) [persons], 2024-2045.

    The source aggregates municipality figures to the maakunnat, so the 19 maakunnat fall short of the country
    (``SSS``, Statistics Finland's own rows) by about 1,500 persons (0.03 %) a year: no regional-sum check applies.
    """
    return _load("official_projection_2024")


def load_education_attainment() -> xr.DataArray:
    """Share of ages 25-64 by education level [%], dims (geo, year, level); NaN where Eurostat has none."""
    return _load("education_attainment_nuts2")


# --------------------------------------------------------------------------------------------- provenance


@functools.cache
def _provenance_cached(directory: Path) -> dict[str, dict[str, str]]:
    provenance = {}
    for kind, spec in FILE_SPECS.items():
        path = directory / f"{kind}.csv"
        if path.exists():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            provenance[path.name] = {"sha256": digest, "source": spec.source}
    return provenance


def data_provenance() -> dict[str, dict[str, str]]:
    """File name -> {``sha256`` of the file, ``source`` credit line} for every base-data file present."""
    return {name: dict(entry) for name, entry in _provenance_cached(params_dir() / "data").items()}
