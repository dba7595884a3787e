"""Writing results: NetCDF or tidy CSV, always atomically (:mod:`toolkit.io.files`)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.errors import InputError
from toolkit.io.files import atomic_write

FORMATS = (".nc", ".csv", ".xlsx")
CSV_BYTES_PER_ROW = 40
"""Lower bound of a tidy CSV row's size [bytes] (the shortest rows, a code, a year and a value, have ~40)."""


def check_output_path(path: str | os.PathLike) -> Path:
    """Validate an output path before any work is done: known suffix, existing writable folder."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"output {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputError(f"output {path}: folder {folder} is not writable")
    if path.is_dir():
        raise InputError(f"output {path}: is a folder; give a file name ending in .nc, .csv or .xlsx")
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"output {path}: unknown format {path.suffix or '(none)'!r}; use a .nc, .csv or .xlsx file")
    return path


def to_tidy_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: one row per value, columns for every dimension (blank where a variable lacks it)."""
    frames = []
    for name, variable in ds.data_vars.items():
        frame = variable.to_dataframe(name="value").reset_index()
        frame = frame.dropna(subset=["value"])
        frame.insert(0, "variable", name)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    order = ("region", "region_code", "scenario", "draw", "quantile", "year", "sex", "age", "age_group")
    dims = [d for d in order if d in table]
    rest = [c for c in table.columns if c not in dims + ["variable", "value"]]
    return table[dims + rest + ["variable", "value"]]


def check_finite(ds: xr.Dataset, path: str | os.PathLike) -> None:
    """Refuse to write a result with a NaN or infinite value (flows are NaN in the base year only, by design).

    A variable whose ``no_figure`` attribute says what its NaN means (a tightness history outside its years, say)
    may hold NaN there; an infinite value is refused everywhere.

    Raises
    ------
    InputError
        Naming the output file, the variable and the first place of the value; nothing is written.
    """
    for name, variable in ds.data_vars.items():
        if not variable.dtype.kind == "f":
            continue
        checked = variable.isel(year=slice(1, None)) if "year" in variable.dims else variable
        bad = np.isinf(checked.values) if "no_figure" in variable.attrs else ~np.isfinite(checked.values)
        if bad.any():
            index = np.argwhere(bad)[0]
            where = ", ".join(f"{dim}={checked[dim].values[i]}" for dim, i in zip(checked.dims, index, strict=True)
                              if dim in checked.coords)
            raise InputError(f"output {path}: {name} is {checked.values[tuple(index)]} at {where}; a result with "
                             "NaN or infinite values is not written (allowed: finite numbers after the base year)")


def write_dataset(ds: xr.Dataset, path: str | os.PathLike) -> Path:
    """Write ``ds`` to ``path`` (.nc: NetCDF-4 via h5netcdf; .csv: tidy long table), atomically, after
    :func:`check_finite`."""
    path = check_output_path(path)
    check_finite(ds, path)
    if path.suffix.lower() == ".nc":
        # encoded in memory first, then written with plain writes: a full disk is an OSError (a clean message),
        # never HDF5 failing inside its C library; the free space is checked against the encoded size first
        buffer = io.BytesIO()
        ds.to_netcdf(buffer, engine="h5netcdf")
        encoded = buffer.getbuffer()
        atomic_write(path, lambda tmp: tmp.write_bytes(encoded), expected_bytes=encoded.nbytes)
    else:
        table = to_tidy_frame(ds)
        atomic_write(path, lambda tmp: table.to_csv(tmp, index=False, float_format="%.10g"),
                     expected_bytes=CSV_BYTES_PER_ROW * len(table))
    return path
