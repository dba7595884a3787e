"""Calibrated uncertainty: the lever error models scaled to their own out-of-sample errors (Alho & Spencer).

The bands of the population come from the forecast errors of three lever models
(:mod:`toolkit.population.assumptions`): the local-level model of each region's log TFR, the national
Lee–Carter e0 model and the AR(1) of each region's (and the country's) net migration. Their standard errors
se(h) assume that the model is true; past forecasts say otherwise (``forum hindcast --levers``). Here every
model is refitted at every origin before the base year with the data up to that origin, its forecasts are
compared with the years observed up to the base year, and the standardised errors z = (observed − forecast)
/ se(h) give, per lever and horizon h, the factor c(h) by which the model's se must be multiplied for the
errors to have a root mean square of 1 — the scaled model of error of Alho & Spencer (2005), in which the
error variance of a lever is the model's variance times an empirical, horizon-dependent scale.

Estimation (everything from data up to the base year):

* e0 and migration: c(h)² = Σ error² / Σ se² over the regions and origins with origin + h ≤ base year (the
  ratio of the mean squares; the mean of z² is dominated by the few cases with a tiny model se), made
  non-decreasing in h (a band never narrows relative to the model's further ahead), held constant beyond the
  last horizon observed from at least ``MIN_ORIGINS`` origins (the model's own se keeps growing);
* migration's se in that ratio is the se of the model fitted at the base year (of the same region and horizon),
  the model whose bands are drawn, not the se of each origin's own fit. A shock before the base year (the
  immigration of 2022–2024) enters both the past errors and the base year's fitted variance; measured against
  each origin's narrower fit it was counted twice: from 2025, c(10) was 2.65 for the regions and 4.6 for the
  country (1.53 and 1.57 against the base year's fit), and the regions' bands of cumulated net migration were
  3.2× the root mean square of the past forecasts' cumulated errors at 10 years (7.1 % of the population
  against 2.2 %; docs/methods-selection.md, section 2, how wide the bands are). Up to 2015 the two agree for
  the regions (c(10) 1.36 and 1.34), as no such shock had come;
* the TFR: its model se varies between regions far more than its errors do (the local-level model of a small
  region reads noise as level changes), so a common factor would blow up the small regions' bands; its sd is
  instead the empirical RMSE(h) of the past log-TFR forecasts pooled over the regions (Keilman's empirical
  errors), non-decreasing in h and held at the last estimated horizon — it does not widen beyond the evidence;
* the national part of the TFR's errors over the longest history: the regional errors above come from the
  origins 2000.., a period in which the country's TFR stayed within 1.70–1.87 until 2010; the country's own
  series goes back to 1950 (UN WPP estimates before Statistics Finland's series starts in 1990), and its
  held-level errors over every origin 1950..base−h are larger (log RMSE 0.12 at 5 years and 0.20 at 10 from
  the data up to 2015, against 0.06 and 0.07 from the origins 2000..; from the data up to 2025, which hold the
  fall after 2010, 0.13 and 0.21 against 0.12 and 0.22). The TFR sd is topped up by that difference,
  sd(h)² = RMSE_regional(h)² + max(0, RMSE_national,1950(h)² − RMSE_national,2000(h)²): the national part of
  the regional errors is measured over the longest history, the regional part over the regional data;
* the national factor of the TFR: regions share national shocks (fertility fell everywhere after 2010). The
  regional innovations are z_r = λ η + √(1 − λ²) ε_r, η national; λ² is the average correlation of the
  standardised errors of two regions at the same origin and horizon (clipped to 0..0.95), raised by the
  national top-up (its share of the variance at horizon ``LOADING_HORIZON``);
* the country's net international migration (drawn separately in balanced runs) has its own c(h) from the
  national series' errors; e0 (national Lee–Carter) from the national observed life expectancy.

References
----------
Alho, J. M. & Spencer, B. D. (2005). *Statistical Demography and Forecasting*. Springer, ch. 9 and 11.
Keilman, N. (1998). How accurate are the United Nations world population projections? *Population and
Development Review* 24, 15–41.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import statsmodels

from toolkit.errors import InputError
from toolkit.io.cache import disk_cached
from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import COUNTRY_CODE, MAAKUNTA_CODES, SEXES
from toolkit.population.assumptions import e0_trend, tfr_trend
from toolkit.trends import SERIES_FIT_PROCEDURE, SERIES_TREND_DEFAULTS, SeriesTrend

LEVERS = ("tfr", "e0", "net_migration", "national_migration")
FIRST_ORIGIN = 2000  # ≥ 10 years of the 1990– series before the first origin; e0 observed from 1992
MIN_ORIGINS = 3  # a horizon's scale is estimated only from at least this many origins
MAX_LOADING = 0.95  # λ² is clipped below 1 so that each region keeps some noise of its own
MAX_STEPS = 100
LOADING_HORIZON = 5  # the horizon at which the national top-up enters the TFR's national loading
PROCEDURE = ("3: TFR sd topped up by the national held-level errors of the longest history; migration "
             "scaled against the base year's fitted se")


@dataclass(frozen=True)
class Calibration:
    """Horizon scales c(h) of the lever models and the TFR's national loading, estimated up to ``base_year``.

    ``scales[lever]`` has ``MAX_STEPS`` entries, horizon 1 first [factor of the model's se].
    """

    base_year: int
    scales: dict[str, np.ndarray]  # e0, net_migration, national_migration: factors of the model's se
    tfr_sd: np.ndarray  # (MAX_STEPS,) the TFR trend model's empirical forecast error RMSE(h) [log scale]
    tfr_held_sd: np.ndarray  # (MAX_STEPS,) the same of the TFR held at the origin's observed value
    tfr_loading: float  # λ² of the TFR innovations (share of the variance that is national)
    summary: dict[str, dict]  # per lever: last horizon estimated, cases, origins, mean z at h = 1
    tfr_national_sd: np.ndarray | None = None  # (MAX_STEPS,) the national top-up of the TFR sd [log scale]

    def factors(self, se: np.ndarray, tfr_trend: bool = True) -> np.ndarray:
        """(T, 3) factors of a region's model se (T, 3), order tfr, e0, net migration (the Chunk se columns).

        The TFR's factor makes its sd the empirical RMSE(h) of past forecasts — of the trend model's
        (``tfr_trend``) or of a held value's (any other TFR path: a scenario's assumed level is as uncertain as a
        held level); e0 and migration are scaled.
        """
        steps = se.shape[0]
        tfr = (self.tfr_sd if tfr_trend else self.tfr_held_sd)[:steps] / se[:, 0]
        return np.stack([tfr, self.scales["e0"][:steps], self.scales["net_migration"][:steps]], axis=-1)

    def attrs(self) -> dict[str, str]:
        """The calibration as Dataset attributes (JSON): c(h) at horizons 1, 5, 10, 15, 25 and the fit."""
        shown = (1, 5, 10, 15, 25)
        record = {"base_year": self.base_year, "tfr_national_loading": round(self.tfr_loading, 4),
                  "tfr_log_sd_at_horizon": {h: round(float(self.tfr_sd[h - 1]), 4) for h in shown},
                  "tfr_held_log_sd_at_horizon": {h: round(float(self.tfr_held_sd[h - 1]), 4) for h in shown},
                  "tfr_national_top_up_log_sd_at_horizon": None if self.tfr_national_sd is None else
                  {h: round(float(self.tfr_national_sd[h - 1]), 4) for h in shown},
                  "scale_at_horizon": {lever: {h: round(float(self.scales[lever][h - 1]), 4) for h in shown}
                                       for lever in LEVERS if lever != "tfr"},
                  "fit": self.summary,
                  "method": "rolling-origin errors, origins 2000..base-1, data up to the base year; TFR: sd = "
                            "RMSE(h) of log TFR, its national part topped up to the national held-level RMSE(h) "
                            "of every origin 1950..base-h; e0, migration: se times c(h), "
                            "c(h)^2 = sum error^2 / sum se^2 (migration: se of the base year's fit); "
                            f"non-decreasing in h, constant beyond the last horizon seen from {MIN_ORIGINS}+ origins"}
        return {"calibration": json.dumps(record)}


IDENTITY = None  # a run without calibration passes ``calibration=None``


def lever_errors(inputs: PopulationInputs, base_year: int, *, max_horizon: int = 15,
                 first_origin: int = FIRST_ORIGIN) -> pd.DataFrame:
    """Standardised out-of-sample errors of the lever models, from the data up to ``base_year`` only.

    One row per case: ``lever`` (tfr, e0, net_migration, national_migration), ``region_code``, ``origin``,
    ``horizon``, ``error`` (observed − forecast, model scale: log TFR, e0 [years], net migrants [persons]),
    ``tfr_held`` being the TFR held at the origin's observed value (the baseline's TFR, docs/methods-selection.md),
    ``se`` and ``z`` (of the origin's own fit) and ``se_base``: for the migration levers the se of the model fitted
    at ``base_year`` for the same region and horizon (what the calibration scales), for the others ``se``.
    Migration is compared in persons (z does not depend on the unit). e0 is the country's observed life
    expectancy (3-year averages) against its jump-off value plus the Lee–Carter gains.
    """
    inputs = inputs.up_to(base_year)
    tfr = inputs.tfr
    last = int(tfr["year"].max())
    if not first_origin < base_year <= last:
        raise InputError(f"base year {base_year}: calibration needs origins from {first_origin} and observed "
                         f"years up to the base year (allowed {first_origin + 1}..{last})")
    migration = inputs.net_migration_total
    present = set(tfr["region_code"].values)
    codes = [code for code in MAAKUNTA_CODES if code in present]
    if not codes or COUNTRY_CODE not in present:
        raise InputError("calibration needs the TFR and migration series of the maakunnat and the country (SSS)")
    migration_levers = [(c, "net_migration") for c in codes] + [(COUNTRY_CODE, "national_migration")]
    base_se = {code: migration_forecast_persons(inputs, code, base_year)[1] for code, _ in migration_levers}
    rows = []
    for origin in range(first_origin, base_year):
        years = np.arange(origin + 1, min(origin + max_horizon, base_year) + 1)
        for code in codes:
            paths = tfr_trend(inputs, code, origin)
            observed = np.log(tfr.sel(region_code=code, year=years).values)
            se = paths.read(years, paths.se)
            rows.append(_rows("tfr", code, origin, years, observed - np.log(paths.read(years, paths.central)), se))
            held = np.log(float(tfr.sel(region_code=code, year=origin)))
            rows.append(_rows("tfr_held", code, origin, years, observed - held, se))
        for code, lever in migration_levers:
            central, se = migration_forecast_persons(inputs, code, origin)
            observed = migration.sel(region_code=code, year=years).values
            index = years - origin - 1
            rows.append(_rows(lever, code, origin, years, observed - central[index], se[index], base_se[code][index]))
        rows.append(_e0_rows(inputs, origin, years))
    return pd.concat([r for r in rows if r is not None], ignore_index=True)


def migration_forecast_persons(inputs: PopulationInputs, code: str, origin: int,
                               horizon: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """The AR(1) forecast of a region's yearly net migrants from the series up to ``origin`` [persons].

    The model of :func:`~toolkit.population.assumptions.migration_trend` (which expresses it per 1,000
    inhabitants of the origin year and so needs the population by age, observed from 2010 only); here in
    persons, so that origins before 2010 can be checked. Cached on disk for inputs read from files (keyed by
    the file's hash and the model), in memory otherwise.
    """
    return _migration_forecast_persons(inputs, code, origin, horizon)


@lru_cache(maxsize=2048)
def _migration_forecast_persons(inputs: PopulationInputs, code: str, origin: int, horizon: int):
    def fit():
        series = inputs.net_migration_total.sel(region_code=code, year=slice(None, origin)).to_series()
        forecast = SeriesTrend.for_quantity("net_migration", series).fit().forecast(horizon)
        return {"central": np.asarray(forecast.mean), "se": np.asarray(forecast.mean_se)}

    digest = inputs.provenance.get("net_migration_total.csv", {}).get("sha256")
    if digest is None:
        stored = fit()
    else:
        key = json.dumps(["net_migration_persons", code, origin, horizon,
                          repr(SERIES_TREND_DEFAULTS["net_migration"]), SERIES_FIT_PROCEDURE,
                          statsmodels.__version__, digest])
        stored = disk_cached(f"net_migration_persons-{code}-{origin}", key, fit)
    return np.asarray(stored["central"]), np.asarray(stored["se"])


def _rows(lever, code, origin, years, error, se, base_se=None) -> pd.DataFrame:
    return pd.DataFrame({"lever": lever, "region_code": code, "origin": origin, "horizon": years - origin,
                         "error": error, "se": se, "z": error / se, "se_base": se if base_se is None else base_se})


def _e0_rows(inputs: PopulationInputs, origin: int, years: np.ndarray) -> pd.DataFrame | None:
    e0 = inputs.life_expectancy.sel(region_code=COUNTRY_CODE)
    observed_years = e0["year"].values
    years = years[np.isin(years, observed_years)]
    if origin not in observed_years or years.size == 0:
        return None
    trend = e0_trend(inputs, origin)
    frames = []
    for sex in SEXES:
        path = trend[sex]
        start = float(e0.sel(year=origin, sex=sex))
        gain = path.read(years - 1, path.central) - path.read(np.array([origin - 1]), path.central)[0]
        error = e0.sel(year=years, sex=sex).values - (start + gain)
        frames.append(_rows("e0", f"SSS-{sex}", origin, years, error, path.read(years, path.se)))
    return pd.concat(frames)


def fit_scales(errors: pd.DataFrame, lever: str) -> tuple[np.ndarray, dict]:
    """c(h) for horizons 1..MAX_STEPS of one lever and the fit's summary (see the module docstring).

    c(h)² = Σ error² / Σ se² over the cases of horizon h (the ratio of the mean squares: a pooled scale that a
    few cases with a tiny model se cannot dominate, as they dominate the mean of z²), se being ``se_base``: the
    se of the model the scale is applied to (for migration the base year's fit, module docstring).
    """
    chosen = errors[errors["lever"] == lever]
    by_h = chosen.assign(e2=chosen["error"] ** 2, s2=chosen["se_base"] ** 2).groupby("horizon").agg(
        e2=("e2", "sum"), s2=("s2", "sum"), n=("e2", "size"), origins=("origin", "nunique"))
    by_h = by_h[by_h["origins"] >= MIN_ORIGINS]
    if by_h.empty:
        raise InputError(f"calibration of {lever}: fewer than {MIN_ORIGINS} origins before the base year")
    horizons = by_h.index.to_numpy(dtype=int)
    ratio = np.maximum.accumulate(np.sqrt(by_h["e2"].to_numpy(float) / by_h["s2"].to_numpy(float)))
    return _extend(horizons, ratio), _summary(chosen, by_h)


def empirical_sd(errors: pd.DataFrame, lever: str) -> tuple[np.ndarray, dict]:
    """The root mean square error RMSE(h) of one lever's past forecasts, horizons 1..MAX_STEPS (model scale).

    Non-decreasing in h and held at its last estimated value beyond the evidence (Keilman's empirical errors).
    """
    chosen = errors[errors["lever"] == lever]
    by_h = chosen.assign(e2=chosen["error"] ** 2).groupby("horizon").agg(
        e2=("e2", "mean"), n=("e2", "size"), origins=("origin", "nunique"))
    by_h = by_h[by_h["origins"] >= MIN_ORIGINS]
    if by_h.empty:
        raise InputError(f"calibration of {lever}: fewer than {MIN_ORIGINS} origins before the base year")
    rmse = np.maximum.accumulate(np.sqrt(by_h["e2"].to_numpy(float)))
    return _extend(by_h.index.to_numpy(dtype=int), rmse), _summary(chosen, by_h)


def _extend(horizons: np.ndarray, values: np.ndarray) -> np.ndarray:
    last = int(horizons.max())
    full = np.interp(np.arange(1, last + 1), horizons, values)
    return np.concatenate([full, np.full(max(MAX_STEPS - last, 0), full[-1])])[:MAX_STEPS]


def _summary(chosen: pd.DataFrame, by_h: pd.DataFrame) -> dict:
    return {"last_horizon": int(by_h.index.max()), "cases": int(by_h["n"].sum()),
            "origins": int(chosen["origin"].nunique()),
            "mean_z_h1": round(float(chosen.loc[chosen["horizon"] == 1, "z"].mean()), 3)}


def national_loading(errors: pd.DataFrame, lever: str = "tfr", max_horizon: int = 5) -> float:
    """λ²: the average correlation of two regions' standardised errors at the same origin and horizon.

    ρ = Σ (S² − Q) / ((R − 1) Σ Q) over the origin × horizon cells (h ≤ ``max_horizon``), S the sum of the
    regions' z and Q the sum of their squares; clipped to 0..``MAX_LOADING``.
    """
    chosen = errors[(errors["lever"] == lever) & (errors["horizon"] <= max_horizon)]
    cells = chosen.groupby(["origin", "horizon"])["z"].agg(S="sum", Q=lambda z: float((z * z).sum()), R="size")
    rho = float(((cells["S"] ** 2 - cells["Q"]).sum()) / (((cells["R"] - 1) * cells["Q"]).sum()))
    return float(np.clip(rho, 0.0, MAX_LOADING))


def calibration(inputs: PopulationInputs, base_year: int) -> Calibration:
    """The calibration of the lever models from the data up to ``base_year`` (cached per inputs)."""
    return _calibration(inputs.up_to(int(base_year)), int(base_year))


CALIBRATION_FILES = ("tfr.csv", "net_migration_total.csv", "population.csv", "mx_national_wpp.csv",
                     "national_indicators.csv")


@lru_cache(maxsize=32)
def _calibration(inputs: PopulationInputs, base_year: int) -> Calibration:
    """Cached in memory and, for inputs read from files (their hashes in the provenance), on disk: the estimate
    refits every lever model at every origin (seconds), and a pack or a goal run needs it in every process."""
    hashes = [inputs.provenance.get(name, {}).get("sha256") for name in CALIBRATION_FILES]
    if None in hashes:
        return _estimate(inputs, base_year)
    key = json.dumps(["calibration", PROCEDURE, inputs.tfr_national_history is not None, LOADING_HORIZON, base_year,
                      LEVERS, MAX_STEPS, MIN_ORIGINS,
                      MAX_LOADING, statsmodels.__version__,
                      SERIES_FIT_PROCEDURE, repr(SERIES_TREND_DEFAULTS), hashes])

    def compute() -> dict:
        cal = _estimate(inputs, base_year)
        return {**{f"scale_{lever}": cal.scales[lever] for lever in cal.scales}, "tfr_sd": cal.tfr_sd,
                "tfr_held_sd": cal.tfr_held_sd, "tfr_loading": np.asarray(cal.tfr_loading),
                "tfr_national_sd": np.zeros(MAX_STEPS) if cal.tfr_national_sd is None else cal.tfr_national_sd,
                "summary": np.asarray(json.dumps(cal.summary))}

    stored = disk_cached(f"calibration-{base_year}", key, compute)
    scales = {name[len("scale_"):]: np.asarray(value) for name, value in stored.items() if name.startswith("scale_")}
    return Calibration(base_year, scales, np.asarray(stored["tfr_sd"]), np.asarray(stored["tfr_held_sd"]),
                       float(stored["tfr_loading"]), json.loads(str(stored["summary"])),
                       np.asarray(stored["tfr_national_sd"]))


def _estimate(inputs: PopulationInputs, base_year: int) -> Calibration:
    errors = lever_errors(inputs, base_year)
    scales, summary = {}, {}
    for lever in LEVERS:
        scales[lever], summary[lever] = fit_scales(errors, lever)
    tfr_sd, summary["tfr_sd"] = empirical_sd(errors, "tfr")
    tfr_held_sd, summary["tfr_held_sd"] = empirical_sd(errors, "tfr_held")
    loading = national_loading(errors)
    history = inputs.tfr_national_history
    if history is None:  # synthetic tables: the regional errors only
        return Calibration(base_year, scales, tfr_sd, tfr_held_sd, loading, summary)
    top_up, summary["tfr_national"] = national_top_up(history, base_year)
    h = LOADING_HORIZON - 1
    held = np.sqrt(tfr_held_sd ** 2 + top_up ** 2)
    loading = float(np.clip((loading * tfr_held_sd[h] ** 2 + top_up[h] ** 2) / held[h] ** 2, 0.0, MAX_LOADING))
    return Calibration(base_year, scales, np.maximum.accumulate(np.sqrt(tfr_sd ** 2 + top_up ** 2)),
                       np.maximum.accumulate(held), loading, summary, top_up)


def national_held_errors(history: pd.Series, base_year: int, first_origin: int | None = None) -> pd.DataFrame:
    """Errors of the country's log TFR held at its value of the origin: one row per origin ≥ ``first_origin``
    (default: the first year of ``history``) and horizon h with origin + h ≤ ``base_year``."""
    series = np.log(history.loc[:base_year].astype(float))
    years = series.index.to_numpy(dtype=int)
    start = years[0] if first_origin is None else max(first_origin, years[0])
    rows = [(o, y - o, series.loc[y] - series.loc[o]) for o in years if o >= start for y in years if o < y]
    return pd.DataFrame(rows, columns=["origin", "horizon", "error"]).assign(lever="national_tfr_held", z=np.nan)


def national_top_up(history: pd.Series, base_year: int) -> tuple[np.ndarray, dict]:
    """The national top-up of the TFR's log sd (MAX_STEPS,): √max(0, RMSE_all(h)² − RMSE_2000(h)²) of the
    country's held-level errors over every origin of its history and over the origins ``FIRST_ORIGIN``.. of the
    regional errors, both from the data up to ``base_year``."""
    long, summary = empirical_sd(national_held_errors(history, base_year), "national_tfr_held")
    short, _ = empirical_sd(national_held_errors(history, base_year, FIRST_ORIGIN), "national_tfr_held")
    summary.pop("mean_z_h1")
    summary.update(first_origin=int(history.index.min()), rmse_h5=round(float(long[4]), 4),
                   rmse_h10=round(float(long[9]), 4), rmse_h5_from_2000=round(float(short[4]), 4),
                   rmse_h10_from_2000=round(float(short[9]), 4))
    return np.sqrt(np.clip(long ** 2 - short ** 2, 0.0, None)), summary


def lever_calibration_table(errors: pd.DataFrame, cal: Calibration | None, horizons=(1, 2, 3, 5, 10), *,
                            own_fits: bool = False) -> pd.DataFrame:
    """Mean and RMS of the standardised errors per lever and horizon, before and (with ``cal``) after scaling.

    After scaling, an error is divided by c(h) times the se the calibration scales (``se_base``: for migration the
    fit of the errors' base year, in sample); ``own_fits``: by c(h) times each origin's own se, as the forecast from
    that origin would have drawn its band (out of sample, origins after ``cal``'s base year).
    """
    rows = []
    for (lever, h), group in errors[errors["horizon"].isin(horizons)].groupby(["lever", "horizon"]):
        z = group["z"].to_numpy()
        row = {"lever": lever, "horizon": h, "cases": z.size, "origins": group["origin"].nunique(),
               "mean_z": z.mean(), "rms_z": np.sqrt((z * z).mean())}
        if cal is not None:
            sd = {"tfr": cal.tfr_sd, "tfr_held": cal.tfr_held_sd}
            se = group["se"].to_numpy()
            scale = (sd[lever][h - 1] / se if lever in sd else
                     cal.scales[lever][h - 1] * (1.0 if own_fits else group["se_base"].to_numpy() / se))
            zc = z / scale
            row.update(mean_z_calibrated=zc.mean(), rms_z_calibrated=np.sqrt((zc * zc).mean()),
                       scale=float(np.mean(scale)))
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = ["LEVERS", "Calibration", "calibration", "empirical_sd", "fit_scales", "lever_calibration_table",
           "lever_errors", "national_loading", "national_top_up"]
