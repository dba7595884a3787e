"""Base-data files of the skills model's occupation layer: their contracts (`SKILLS_FILE_SPECS`) and loaders.

Kept apart from ``io/catalogue.py`` and ``io/params.py`` while those are being reorganised; to fold in there (the
FileSpecs into `toolkit.io.catalogue.FILE_SPECS`, the loader next to the others). The files are checked with the
validator of `toolkit.io.params` (the same checks: columns, types, codes, ranges, duplicate keys, complete grid),
and a failed check raises `toolkit.errors.DataError` naming the file, line and column.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import xarray as xr

from toolkit.errors import DataError
from toolkit.io import params as _data
from toolkit.io.catalogue import FileSpec
from toolkit.nomenclature import INDUSTRIES, MITENNA_OCCUPATIONS

SOURCE_MITENNA = (
    "Source: Statistics Finland, employment statistics (employed by industry and occupation group of the "
    "Finnish National Agency for Education's Mitenna anticipation model), via Vipunen"
)

SKILLS_FILE_SPECS: dict[str, FileSpec] = {
    "employed_section_occupation_2012_2016": FileSpec(
        columns={"year": "int", "industry": "str", "occupation": "str", "employed": "int"},
        keys=("year", "industry", "occupation"),
        variables={"employed": ("employed persons, Finland, by TOL 2008 section and Mitenna occupation group",
                                "persons")},
        source=SOURCE_MITENNA,
        codes={"industry": INDUSTRIES, "occupation": MITENNA_OCCUPATIONS},
        ranges={"employed": (0.0, 1_000_000.0), "year": (2012, 2016)},
        contiguous=("year",),
    ),
}


def _checked(kind: str, frame: pd.DataFrame, path) -> pd.DataFrame:
    """Validate ``frame`` against ``SKILLS_FILE_SPECS[kind]`` with the checks of `toolkit.io.params`."""
    spec = SKILLS_FILE_SPECS[kind]
    _data._check_columns(frame, spec, path)
    frame = frame.reset_index(drop=True)
    typed = pd.DataFrame({
        name: _data._coerce(frame[name], dtype, name in spec.nullable, path, name)
        for name, dtype in spec.columns.items()
    })
    if typed.empty:
        raise DataError(path, "the file has no data rows", row=2)
    _data._check_values(typed, spec, path)
    _data._check_keys(typed, spec, path)
    if spec.grid:
        _data._check_grid(typed, spec, path)
    return typed


def validate_skills_frame(kind: str, frame: pd.DataFrame, path) -> None:
    """Check a table against the contract of one skills base-data file (raises `DataError`)."""
    if kind not in SKILLS_FILE_SPECS:
        raise DataError(f"{kind}.csv", f"unknown skills data file kind '{kind}'; known: {', '.join(SKILLS_FILE_SPECS)}")
    _checked(kind, frame, path)


def skills_data_path(kind: str) -> Path:
    """Path of a skills base-data file under ``params/data`` (``FORUM_PARAMS_DIR`` respected)."""
    return _data.params_dir() / "data" / f"{kind}.csv"


@functools.cache
def _load_cached(kind: str, path: Path) -> xr.DataArray:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError(path, f"file not found; expected the base-data file {kind}.csv") from None
    return _data._to_xarray(_checked(kind, raw, path), SKILLS_FILE_SPECS[kind])


def load_employed_by_section_occupation() -> xr.DataArray:
    """Employed persons in Finland by TOL 2008 section and Mitenna occupation group, 2012-2016.

    Returns
    -------
    DataArray (year, industry, occupation) [persons]; sections A..U, the 54 groups of
    `toolkit.nomenclature.MITENNA_OCCUPATIONS` (zero where no one was employed)
    """
    kind = "employed_section_occupation_2012_2016"
    return _load_cached(kind, skills_data_path(kind)).copy(deep=True)


def clear_caches() -> None:
    """Forget the loaded files (after editing them or changing ``FORUM_PARAMS_DIR``)."""
    _load_cached.cache_clear()
