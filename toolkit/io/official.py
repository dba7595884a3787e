"""Statistics Finland's 2024 population projection: the file's contract and its loader (only these).

Its :class:`~toolkit.io.catalogue.FileSpec` and loader may join ``toolkit/io/catalogue.py`` and
``toolkit/io/params.py``; they are kept here so that the validator of the other files is untouched. The file
``params/data/official_projection_2024.csv`` is written by ``tools/build_official_projection.py`` from
``../shared/data/official_projection_2024_region_age_sex_2024_2045.csv``.

The source aggregates municipality figures to the maakunnat, so the 19 maakunnat do not add up exactly to the
country (``SSS``): they fall short by about 1,500 persons (0.03 %) in every year; the whole-country rows are
Statistics Finland's own.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.errors import DataError, InputError
from toolkit.io import params as data
from toolkit.io.catalogue import FileSpec
from toolkit.nomenclature import OPEN_AGE, REGION_CODES, SEXES

FILE_NAME = "official_projection_2024.csv"
FIRST_YEAR, LAST_YEAR = 2024, 2045

OFFICIAL_PROJECTION_SPEC = FileSpec(
    columns={"region_code": "str", "year": "int", "sex": "str", "age": "int", "population": "int"},
    keys=("region_code", "year", "sex", "age"),
    variables={"population": ("population on 31 December, Statistics Finland's projection 2024", "persons")},
    source="Source: Statistics Finland, population projection 2024 (StatFin 14wx), municipality figures "
           "aggregated to maakunnat",
    codes={"region_code": REGION_CODES, "sex": SEXES, "age": tuple(range(OPEN_AGE + 1)),
           "year": tuple(range(FIRST_YEAR, LAST_YEAR + 1))},
    ranges={"population": (0.0, np.inf), "year": (FIRST_YEAR, LAST_YEAR)},
    contiguous=("year",),
)


def validate_official_frame(df: pd.DataFrame, path) -> pd.DataFrame:
    """Check a table against :data:`OFFICIAL_PROJECTION_SPEC`; return it typed. Raises DataError."""
    spec = OFFICIAL_PROJECTION_SPEC
    data._check_columns(df, spec, path)
    df = df.reset_index(drop=True)
    frame = pd.DataFrame({name: data._coerce(df[name], dtype, False, path, name)
                          for name, dtype in spec.columns.items()})
    if frame.empty:
        raise DataError(path, "the file has no data rows", row=2)
    data._check_values(frame, spec, path)
    data._check_keys(frame, spec, path)
    for subset in data._grid_subsets(frame):
        data._check_grid(subset, spec, path)
    return frame


def official_path() -> Path:
    return data.params_dir() / "data" / FILE_NAME


@functools.cache
def _load(path: Path) -> xr.DataArray:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(path, f"file not found; expected {FILE_NAME} (tools/build_official_projection.py)") from None
    frame = validate_official_frame(raw, path)
    return data._to_xarray(frame, OFFICIAL_PROJECTION_SPEC)


def load_official_projection() -> xr.DataArray:
    """The official projection, population (region_code, year, sex, age) [persons] (a copy)."""
    return _load(official_path()).copy(deep=True)


def official_projection(region_codes) -> xr.DataArray:
    """Statistics Finland's 2024 projection of the given region codes (maakunnat ``MKxx`` or ``SSS``).

    Returns population (region, year, sex, age) [persons], ``region`` holding the codes. A code that is not a
    maakunta or the country (a municipal area) raises :class:`InputError`: its official figure is not in the
    shipped data.
    """
    codes = [region_codes] if isinstance(region_codes, str) else list(region_codes)
    table = load_official_projection()
    missing = [c for c in codes if c not in table["region_code"].values]
    if missing:
        raise InputError(f"region code {missing[0]!r}: the shipped official projection covers the maakunnat and SSS "
                         f"only ({official_path()})")
    return table.sel(region_code=codes).rename(region_code="region")


__all__ = ["OFFICIAL_PROJECTION_SPEC", "load_official_projection", "official_projection", "validate_official_frame"]
