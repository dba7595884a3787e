"""Statistics Finland's 2024 population projection for given regions (the file's contract is in
:mod:`toolkit.io.catalogue`, its loader :func:`toolkit.io.params.load_official_projection`)."""

from __future__ import annotations

import xarray as xr

from toolkit.errors import InputError
from toolkit.io.params import data_path, load_official_projection


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
                         f"only ({data_path('official_projection_2024')})")
    return table.sel(region_code=codes).rename(region_code="region")


__all__ = ["load_official_projection", "official_projection"]
