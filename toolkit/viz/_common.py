"""Helpers shared by the figure modules: selection, names, bands, finiteness checks."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import QUANTILES, select, summarise_draws
from toolkit.text import t

BANDS = ((0.025, 0.975, 95), (0.1, 0.9, 80), (0.25, 0.75, 50))
"""Central intervals drawn in fan charts: (lower quantile, upper quantile, level [%])."""
BAND_ALPHA = {95: 0.12, 80: 0.22, 50: 0.35}


def region_variable(ds: xr.Dataset, name: str, region: str) -> xr.DataArray:
    """Variable ``name`` of ``ds`` for one region, with an error that names what is missing."""
    if name not in ds.data_vars:
        raise InputError(
            f"the dataset has no variable '{name}'; variables: {', '.join(map(str, ds.data_vars))}"
        )
    return select(ds[name], region=region)


def scenario_ids(da: xr.DataArray, wanted: Iterable[str] | None = None) -> list[str]:
    """The scenario ids of ``da`` (all, or the ``wanted`` ones after checking they are present)."""
    present = [str(scenario) for scenario in da["scenario"].values]
    if wanted is None:
        return present
    chosen = list(wanted)
    missing = [scenario for scenario in chosen if scenario not in present]
    if missing or not chosen:
        raise InputError(f"scenario {missing} is not in the data; present: {', '.join(present)}")
    return chosen


def scenario_name(scenario: str, meta: Mapping | None, lang: str) -> str:
    """The scenario's name in ``lang`` from ``meta`` (escaped for plotly's HTML labels), else its id."""
    name = (meta or {}).get(scenario, {}).get("name", {}).get(lang, scenario)
    return html.escape(str(name))


def title_for(key: str, lang: str, region: str, region_name: str | None, **fields) -> str:
    """Figure title: the label ``key`` filled with ``fields``, a dash and the area's name."""
    return f"{t(key, lang).format(**fields)} — {html.escape(region_name or region)}"


def finite(values, what: str) -> np.ndarray:
    """``values`` as a float array; :class:`InputError` if any value is NaN or infinite."""
    array = np.asarray(values, dtype=float)
    if not np.isfinite(array).all():
        raise InputError(
            f"{what} has {int((~np.isfinite(array)).sum())} missing or infinite values; "
            "a figure needs complete data"
        )
    return array


def with_quantiles(da: xr.DataArray) -> xr.DataArray:
    """``da`` with a ``quantile`` dimension holding :data:`QUANTILES`.

    Draws are summarised; a quantile summary is checked to hold every level; a deterministic array
    gets all quantiles equal to its values (a band of zero width).
    """
    if "draw" in da.dims:
        return summarise_draws(da)
    if "quantile" in da.dims:
        present = {round(float(q), 6) for q in da["quantile"].values}
        missing = [q for q in QUANTILES if round(q, 6) not in present]
        if missing:
            raise InputError(f"the quantile dimension lacks {missing}; a fan needs {list(QUANTILES)}")
        return da.sel(quantile=list(QUANTILES), method="nearest").assign_coords(quantile=list(QUANTILES))
    return da.expand_dims(quantile=list(QUANTILES))


def is_probabilistic(da: xr.DataArray) -> bool:
    """True if ``da`` has a ``draw`` or ``quantile`` dimension."""
    return "draw" in da.dims or "quantile" in da.dims


def band_polygon(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed outline of a band for ``fill="toself"``: along the upper edge, back along the lower."""
    return np.concatenate([x, x[::-1]]), np.concatenate([upper, lower[::-1]])


def years_between(da: xr.DataArray, period: tuple[int, int] | None, default_start: int) -> list[int]:
    """Years of ``da`` in ``period`` (inclusive); default from ``default_start`` to the last year."""
    present = [int(year) for year in da["year"].values]
    start, end = period if period is not None else (default_start, present[-1])
    chosen = [year for year in present if start <= year <= end]
    if start > end or not chosen:
        raise InputError(
            f"period {start}–{end} holds no year of the data; present: {present[0]}..{present[-1]}"
        )
    return chosen
