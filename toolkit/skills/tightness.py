"""Labour-market tightness by occupation: open vacancies per unemployed jobseeker.

History from the monthly series (month-end stocks), forecast with a seasonal ARIMA model of the log
ratio (statsmodels SARIMAX); annual values are means of the monthly log ratios, with intervals.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import statsmodels
import xarray as xr
from scipy.stats import norm
from statsmodels.tsa.statespace.sarimax import SARIMAX

from toolkit.io.cache import disk_cached

COUNT_OFFSET = 0.5  # [persons] added to both counts so that months without vacancies have a finite log
ORDER = (1, 0, 0)
SEASONAL_ORDER = (0, 1, 1, 12)
CACHED_UNTIL = 2100  # [year] fits are stored with forecasts to December of this year, so any horizon reuses them
_CACHE: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}


def _months_until(last: pd.Period, year: int) -> int:
    """Number of months after `last` up to December of `year`."""
    return max(0, (year - last.year) * 12 + 12 - last.month)


def months_of(month: xr.DataArray) -> pd.PeriodIndex:
    """Monthly periods of a ``month`` coordinate given as ``"YYYY-MM"`` strings or datetimes."""
    return pd.DatetimeIndex(pd.to_datetime(np.asarray(month.values).astype(str))).to_period("M")


def tightness_monthly(vacancies: xr.DataArray, jobseekers: xr.DataArray) -> xr.DataArray:
    """Open vacancies per unemployed jobseeker at each month end.

    Returns
    -------
    DataArray (…, month) [vacancies per jobseeker]; NaN where there are no jobseekers
    """
    return vacancies / jobseekers.where(jobseekers > 0)


def tightness_annual(vacancies: xr.DataArray, jobseekers: xr.DataArray) -> xr.DataArray:
    """Annual tightness: geometric mean of the month-end ratios, complete calendar years only.

    The geometric mean of (vacancies + 0.5) / (jobseekers + 0.5) is the same statistic that the
    forecast gives, so history and forecast join without a break.

    Returns
    -------
    DataArray (…, tightness_year) [vacancies per jobseeker]
    """
    years = months_of(vacancies["month"]).year
    counts = pd.Series(years).value_counts()
    complete = np.sort(counts.index[counts == 12].to_numpy())
    by_year = xr.DataArray(years, coords={"month": vacancies["month"]}, dims="month", name="tightness_year")
    return np.exp(log_ratio(vacancies, jobseekers).groupby(by_year).mean()).sel(tightness_year=complete)


def log_ratio(vacancies, jobseekers):
    """log((vacancies + 0.5) / (jobseekers + 0.5)), finite also in months without vacancies [1]."""
    return np.log((vacancies + COUNT_OFFSET) / (jobseekers + COUNT_OFFSET))


def forecast_tightness(
    vacancies: xr.DataArray, jobseekers: xr.DataArray, last_year: int, *, interval: float = 0.8
) -> xr.Dataset:
    """Forecast annual tightness of every series with prediction intervals.

    Parameters
    ----------
    vacancies, jobseekers : (…, month) month-end counts [persons]
    last_year : last forecast year
    interval : coverage of the prediction interval [1]

    Returns
    -------
    Dataset with ``tightness_forecast`` (median), ``tightness_forecast_lower`` and
    ``tightness_forecast_upper`` (…, tightness_year) [vacancies per jobseeker], for every calendar year
    from that of the first unobserved month up to `last_year`: a year partly observed (2023: January to
    October) combines its observed months with the forecast of the others, so no year is missing between
    the history (complete years) and the forecast.

    Notes
    -----
    The log ratio follows a SARIMA(1,0,0)(0,1,1)12 model. The annual value is the mean of the twelve
    monthly log ratios, a linear combination of the forecasts: with ψ the model's impulse responses
    and L the lower-triangular matrix L[h, i] = ψ(h − i), the forecast errors have covariance σ²·L·Lᵀ,
    so the annual mean is normal with variance σ²·‖A·L‖² (A: the 1/12 weights of each year's months).
    Parameter uncertainty is not included. The model has a seasonal unit root, so the interval of the annual
    mean keeps widening with the horizon (roughly with its square root); long horizons are shown as such.
    """
    months = months_of(vacancies["month"])
    ahead = pd.period_range(months[-1] + 1, pd.Period(f"{last_year}-12", "M"), freq="M")
    years = np.unique(ahead.year)
    weights = (ahead.year.to_numpy()[None, :] == years[:, None]) / 12.0
    observed = (months.year.to_numpy()[None, :] == years[:, None]) / 12.0  # months of a year already observed
    ratios = log_ratio(vacancies, jobseekers)
    stacked = ratios.stack(series=[dim for dim in ratios.dims if dim != "month"]).transpose("series", "month")
    z = norm.ppf([(1 - interval) / 2, 0.5, (1 + interval) / 2])
    result = np.empty((stacked.sizes["series"], years.size, 3))
    steps = max(ahead.size, _months_until(months[-1], CACHED_UNTIL))
    for index in range(stacked.sizes["series"]):
        mean, psi, variance = _fit(stacked.values[index], steps)
        mean, psi = mean[: ahead.size], psi[: ahead.size]
        errors = np.tril(psi[np.subtract.outer(np.arange(ahead.size), np.arange(ahead.size)).clip(0)])
        spread = np.sqrt(variance * ((weights @ errors) ** 2).sum(axis=1))
        centre = weights @ mean + observed @ stacked.values[index]
        result[index] = np.exp(centre[:, None] + spread[:, None] * z)
    out = xr.DataArray(
        result,
        dims=("series", "tightness_year", "bound"),
        coords={"series": stacked["series"], "tightness_year": years},
    ).unstack("series")
    names = ("tightness_forecast_lower", "tightness_forecast", "tightness_forecast_upper")
    return xr.Dataset({name: out.isel(bound=position, drop=True) for position, name in enumerate(names)})


def _fit(series: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Forecast mean, impulse responses ψ(0..steps-1) and innovation variance of one series.

    Cached in memory and on disk (a SARIMAX fit takes about 0.3 s; 190 series make a national run), keyed by
    the series' values, the horizon, the model orders and the statsmodels version.
    """
    key = hashlib.sha1(series.tobytes()).hexdigest() + repr((steps, ORDER, SEASONAL_ORDER, statsmodels.__version__))
    if key not in _CACHE:
        stored = disk_cached("tightness", key, lambda: _fitted(series, steps))
        _CACHE[key] = (stored["mean"], stored["psi"], float(stored["variance"]))
    return _CACHE[key]


def _fitted(series: np.ndarray, steps: int) -> dict[str, np.ndarray]:
    """One SARIMAX fit: forecast mean, impulse responses ψ(0..steps-1) and innovation variance."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # optimiser notes on short or flat series
        fitted = SARIMAX(series, order=ORDER, seasonal_order=SEASONAL_ORDER).fit(disp=False)
    return {"mean": fitted.get_forecast(steps).predicted_mean,
            "psi": np.asarray(fitted.impulse_responses(steps - 1)).ravel(),
            "variance": float(fitted.params[-1])}
