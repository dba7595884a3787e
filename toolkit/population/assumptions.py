"""Trend-derived assumptions: central paths and uncertainty widths fitted on the history up to the base year.

Every number here comes from a statsmodels fit on the data in ``params/data`` up to the base year
(:mod:`toolkit.trends`), so a hindcast from 2015 uses nothing observed after 2015:

* **TFR** of each region: the local-level model (ARIMA(0,1,1)) on log TFR, all years 1990..base: its median
  path is the central path of ``tfr: {from_trend: true}`` (the baseline instead continues the country's damped
  trend, :class:`~toolkit.scenarios.DampedTrendPath`, chosen on out-of-sample scores) and its log-scale
  standard error the model width that :mod:`toolkit.population.calibration` replaces by the empirical errors.
* **Life expectancy**: the national Lee–Carter model by sex, fitted on the UN WPP 5-year periods observed by
  the base year, k(t) a random walk with drift (per-year drift = per-period drift / 5, σ = σ₅/√5). The
  baseline's e0 gains (``e0_gain_per_decade: {from_trend: true}``) are the gains of the Lee–Carter e0 path
  from the base year; the width of the e0 band is |de0/dk| · σ√h.
* **Net migration** of each region: the AR(1) model of the yearly net migrants (1990..base); its standard
  error, per 1,000 inhabitants of the base year, is the width of the migration band, and its coefficient the
  persistence of the deviations.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import statsmodels

from toolkit.io.cache import disk_cached
from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import SEXES
from toolkit.trends import (
    SERIES_FIT_PROCEDURE,
    SERIES_TREND_DEFAULTS,
    SeriesTrend,
    abridged_e0,
    fit_lee_carter_wpp,
    lee_carter_e0_path,
)

HORIZON_YEARS = 100  # forecasts are computed once this far ahead and read for any horizon


@dataclass(frozen=True)
class SeriesPaths:
    """A fitted series forecast by year (``years`` consecutive)."""

    years: np.ndarray
    central: np.ndarray  # median path on the original scale
    se: np.ndarray  # standard error on the model scale (log scale for the TFR)
    phi: float = 1.0  # persistence of deviations: 1 for a random walk, the AR(1) coefficient otherwise

    def read(self, years: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Values of ``values`` (central or se) for ``years`` (consecutive years after self.years[0] - 1)."""
        index = np.asarray(years) - self.years[0]
        if index.min() < -1 or index.max() >= len(self.years):
            raise ValueError(f"years {years[0]}..{years[-1]} outside the forecast {self.years[0]}..{self.years[-1]}")
        return np.concatenate([[np.nan], values])[index + 1]


def _disk_cached(quantity: str, files: tuple[str, ...]):
    """Cache a fitted series in memory and on disk, keyed by everything the fit depends on.

    A statsmodels fit takes 0.03–0.2 s and a national run needs two per region; the disk key holds the
    quantity, region code, base year, model specification, statsmodels version and the sha256 of the data
    files read, so a changed input or model is refitted, never read stale. Inputs whose provenance does not
    name those files with their hashes (synthetic inputs) are fitted in memory only.
    """
    def decorate(fit):
        @lru_cache(maxsize=256)
        def cached(inputs: PopulationInputs, code: str, base_year: int) -> SeriesPaths:
            hashes = [inputs.provenance.get(name, {}).get("sha256") for name in files]
            if None in hashes:
                return fit(inputs, code, base_year)
            key = json.dumps([quantity, code, base_year, repr(SERIES_TREND_DEFAULTS[quantity]), SERIES_FIT_PROCEDURE,
                              statsmodels.__version__, hashes])
            stored = disk_cached(f"{quantity}-{code}-{base_year}", key, lambda: asdict(fit(inputs, code, base_year)))
            return SeriesPaths(stored["years"], stored["central"], stored["se"], float(stored["phi"]))

        cached.__doc__ = fit.__doc__
        return cached
    return decorate


@_disk_cached("tfr", ("tfr.csv",))
def tfr_trend(inputs: PopulationInputs, code: str, base_year: int) -> SeriesPaths:
    """Local-level forecast of the region's TFR from its history up to ``base_year``."""
    series = inputs.tfr.sel(region_code=code, year=slice(None, base_year)).to_series()
    forecast = SeriesTrend.for_quantity("tfr", series).fit().forecast(HORIZON_YEARS)
    return SeriesPaths(forecast.times.astype(int), np.exp(forecast.mean), np.asarray(forecast.mean_se))


@_disk_cached("net_migration", ("net_migration_total.csv", "population.csv"))
def migration_trend(inputs: PopulationInputs, code: str, base_year: int) -> SeriesPaths:
    """AR(1) forecast of the region's yearly net migrants; se converted to per 1,000 inhabitants."""
    series = inputs.net_migration_total.sel(region_code=code, year=slice(None, base_year)).to_series()
    results = SeriesTrend.for_quantity("net_migration", series).fit()
    forecast = results.forecast(HORIZON_YEARS)
    population = float(inputs.population.sel(region_code=code, year=base_year).sum())
    return SeriesPaths(forecast.times.astype(int), np.asarray(forecast.mean) / population * 1000.0,
                       np.asarray(forecast.mean_se) / population * 1000.0,
                       phi=float(results.fitted.params["ar.L1"]))


@lru_cache(maxsize=16)
def e0_trend(inputs: PopulationInputs, base_year: int) -> dict[str, SeriesPaths]:
    """Lee–Carter e0 gains from the base year (central) and e0 standard errors by sex [years] (cached per inputs)."""
    mx = inputs.mx_wpp
    ages = mx["age_start"].values
    out = {}
    for sex in SEXES:
        results = fit_lee_carter_wpp(mx, sex, last_period_end=base_year)
        first = int(np.floor(results.last_time)) + 1
        years = np.arange(first, base_year + HORIZON_YEARS + 1)
        path = lee_carter_e0_path(results, ages, years, sex=sex).values
        forecast = results.forecast(len(years))
        k = np.asarray(forecast.mean)
        dk = 0.01
        slope = (abridged_e0(results.mx(k + dk), ages, sex) - abridged_e0(results.mx(k), ages, sex)) / dk
        at_base = float(np.interp(base_year, years, path))
        horizon = np.clip(years - base_year, 0, None).astype(float)
        sigma = float(results.sigma)
        # gains relative to the base year for every year from the end of the fitted history on (negative
        # before the base year), so that a jump-off e0 observed before the base year can be carried forward
        out[sex] = SeriesPaths(years, path - at_base, np.abs(slope) * sigma * np.sqrt(horizon))
    return out


def lee_carter_summary(inputs: PopulationInputs, base_year: int) -> pd.DataFrame:
    """The national Lee–Carter fits up to ``base_year`` by sex: drift and σ per year, explained variance, and the
    e0 gains and standard error 10 and 25 years on [years]."""
    rows = []
    years = np.array([base_year + 10, base_year + 25])
    for sex in SEXES:
        fit = fit_lee_carter_wpp(inputs.mx_wpp, sex, last_period_end=base_year)
        gains = e0_trend(inputs, base_year)[sex]
        rows.append({"sex": sex, "drift per year": fit.drift, "sigma per year": fit.sigma,
                     "explained variance": fit.explained_variance,
                     f"e0 gain {base_year}-{years[0]}": gains.read(years, gains.central)[0],
                     f"e0 gain {base_year}-{years[1]}": gains.read(years, gains.central)[1],
                     f"e0 se in {years[1]}": gains.read(years, gains.se)[1]})
    return pd.DataFrame(rows)


def series_summary(inputs: PopulationInputs, regions, base_year: int) -> pd.DataFrame:
    """Per region: the TFR of the base year, the fitted TFR level and its log-scale standard errors, the migration
    model's persistence and standard errors [per 1,000] 1, 10 and 25 years on."""
    rows = []
    horizon = np.array([base_year + 1, base_year + 10, base_year + 25])
    for region in regions:
        tfr = tfr_trend(inputs, region.code, base_year)
        migration = migration_trend(inputs, region.code, base_year)
        rows.append({"region": region.label("en"),
                     f"TFR {base_year}": float(inputs.tfr.sel(region_code=region.code, year=base_year)),
                     "TFR level": tfr.central[0],
                     "log TFR se +1/+10/+25": " / ".join(f"{v:.3f}" for v in tfr.read(horizon, tfr.se)),
                     "migration AR(1) phi": migration.phi,
                     "migration se per 1,000 +1/+10/+25": " / ".join(
                         f"{v:.1f}" for v in migration.read(horizon, migration.se))})
    return pd.DataFrame(rows)
