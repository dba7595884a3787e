"""Probability statements a forum reads in one sentence, from a (calibrated) ensemble run.

* :func:`chance_below` — "the chance that the working-age population of 2040 is below today's: 83 %";
* :func:`likely_range` — "the 75+ population of 2035: 9 800–11 200 (8 in 10)".

Exceedance probabilities come from the draws when the run has them (a ``draw`` dimension, or
``population_group_draw`` of a quantile run made with ``group_draws=True``). From a run reduced to quantiles
only, the distribution function is **interpolated linearly between the quantiles** 0.025 … 0.975; beyond them
the chance is given as "below 2.5 %" or "above 97.5 %" (the statement says "<3 %" / ">97 %").
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.text import number, t

LEVELS = {0.8: (0.1, 0.9), 0.5: (0.25, 0.75), 0.95: (0.025, 0.975)}


def _group(ds: xr.Dataset, region: str, group: str, scenario: str) -> tuple[xr.DataArray, str]:
    if region not in ds["region"].values:
        raise InputError(f"region {region!r} is not in the run; it has {', '.join(map(str, ds['region'].values))}")
    if group not in ds["age_group"].values:
        raise InputError(f"age group {group!r}: allowed {', '.join(map(str, ds['age_group'].values))}")
    if "population_group_draw" in ds:
        return ds["population_group_draw"].sel(region=region, scenario=scenario, age_group=group), "draw"
    values = ds["population_group"].sel(region=region, scenario=scenario, age_group=group)
    if "draw" in values.dims:
        return values, "draw"
    if "quantile" in values.dims:
        return values, "quantile"
    raise InputError("the run is deterministic (draws=0): a probability needs an ensemble")


def probability_below(ds: xr.Dataset, region: str, group: str, year: int, threshold: float, *,
                      scenario: str = "baseline") -> tuple[float, str]:
    """P(population of ``group`` in ``year`` < ``threshold``) and how it was obtained (``draws``/``quantiles``).

    From quantiles the CDF is interpolated linearly between them and clipped to 0.025 … 0.975.
    """
    values, mode = _group(ds, region, group, scenario)
    if year not in values["year"].values:
        raise InputError(f"year {year} is not in the run ({int(values['year'].min())}..{int(values['year'].max())})")
    at = values.sel(year=year)
    if mode == "draw":
        return float((at.values < threshold).mean()), "draws"
    q = at["quantile"].values.astype(float)
    return float(np.interp(threshold, at.values, q, left=q.min(), right=q.max())), "quantiles"


def chance_below(ds: xr.Dataset, region: str, group: str = "15-64", year: int = 2040, *, scenario: str = "baseline",
                 lang: str = "en", above: bool = False) -> dict:
    """The chance that ``group`` in ``year`` is below (or ``above``) its base-year value, as a sentence.

    Returns ``{"probability", "method", "today", "text"}`` (probability in 0..1).
    """
    values, _ = _group(ds, region, group, scenario)
    base_year = int(values["year"].min())
    today = float(values.sel(year=base_year).values.ravel()[0])
    p, method = probability_below(ds, region, group, year, today, scenario=scenario)
    p = 1.0 - p if above else p
    clipped = method == "quantiles" and not 0.025 < p < 0.975
    shown = ("<3" if p <= 0.025 else ">97") if clipped else number(100 * p, lang)
    key = "probability_above_today" if above else "probability_below_today"
    text = t(key, lang, group=t(f"group_{group}", lang), year=year, today=number(today, lang), probability=shown)
    return {"probability": p, "method": method, "today": today, "text": text}


def likely_range(ds: xr.Dataset, region: str, group: str = "75+", year: int = 2035, *, level: float = 0.8,
                 scenario: str = "baseline", lang: str = "en", significant: int = 3) -> dict:
    """The central ``level`` range of ``group`` in ``year`` ("9 800–11 200 (8 in 10)"), rounded to
    ``significant`` digits. Returns ``{"low", "high", "text"}``."""
    if level not in LEVELS:
        raise InputError(f"level {level!r}: allowed {', '.join(map(str, LEVELS))}")
    values, mode = _group(ds, region, group, scenario)
    at = values.sel(year=year)
    low_q, high_q = LEVELS[level]
    if mode == "draw":
        low, high = np.quantile(at.values, [low_q, high_q])
    else:
        low, high = float(at.sel(quantile=low_q)), float(at.sel(quantile=high_q))
    low, high = _round(low, significant), _round(high, significant)
    text = t("probability_range", lang, group=t(f"group_{group}", lang), year=year, low=number(low, lang),
             high=number(high, lang), chance=number(10 * level, lang, decimals=0 if level != 0.95 else 1))
    return {"low": low, "high": high, "text": text[0].upper() + text[1:]}


def _round(value: float, significant: int) -> float:
    if value == 0:
        return 0.0
    digits = significant - int(np.floor(np.log10(abs(value)))) - 1
    return float(round(value, digits))


__all__ = ["chance_below", "likely_range", "probability_below"]
