"""Statistical trend models that set baseline paths and uncertainty widths from the history.

Two model families, both estimated through statsmodels and both built in its style
(model → ``fit()`` → results → ``forecast(h)`` → ``summary_frame(alpha)``):

* :class:`LeeCarter`: the Lee & Carter (1992) mortality model
  ``log m(x, t) = a(x) + b(x) k(t)``, fitted by singular value decomposition, with the period index
  k(t) forecast as a random walk with drift (statsmodels ARIMA(0, 1, 0) with a drift term).
  :func:`fit_lee_carter_wpp` fits it on the UN WPP five-year periods and turns the per-period walk into
  annual steps; :func:`lee_carter_e0_path` turns the forecast into a life-expectancy path.
* :class:`SeriesTrend`: ETS or ARIMA models for annual series such as a region's total fertility
  rate or net migration, optionally on the log scale so that a rate stays positive.

Length: the module keeps both model families together because they share the :class:`Forecast` container,
the validation helpers and the random-walk fit that Lee–Carter's k(t) uses; each family is one section.

Names follow ``docs/conventions.md``: ``year``, ``sex`` (``"F"``, ``"M"``), ``draw``; abridged age
groups are named by their first age (``age_start`` 0, 1, 5, 10, …, the last group open).

References
----------
Lee, R. D. & Carter, L. R. (1992). Modeling and forecasting U.S. mortality. *Journal of the American
Statistical Association* 87(419), 659–671.

Preston, S. H., Heuveline, P. & Guillot, M. (2001). *Demography: Measuring and Modeling Population
Processes*. Blackwell. (Abridged life table, ch. 3; Coale–Demeny separation factors, table 3.3.)

Gardner, E. S. & McKenzie, E. (1985). Forecasting trends in time series. *Management Science* 31(10),
1237–1246. (Damped trend.)
"""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats
from statsmodels.tools.sm_exceptions import ConvergenceWarning, EstimationWarning
from statsmodels.tsa.arima.model import ARIMA
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from toolkit.errors import InputError

__all__ = [
    "COALE_DEMENY_SEPARATION",
    "SERIES_FIT_PROCEDURE",
    "SERIES_TREND_DEFAULTS",
    "Forecast",
    "LeeCarter",
    "LeeCarterForecast",
    "LeeCarterResults",
    "RandomWalk",
    "SeriesTrend",
    "SeriesTrendResults",
    "abridged_e0",
    "fit_lee_carter_wpp",
    "fit_random_walk",
    "lee_carter_e0_path",
]

#: Coale–Demeny separation factors for the first two abridged age groups (Preston et al. 2001,
#: table 3.3): ``(a if m0 >= threshold, intercept, slope)`` so that a = intercept + slope · m0 below
#: the threshold. ``a0`` is the mean years lived in [0, 1) by infants who die, ``a1`` the same for
#: ages [1, 5) [years].
COALE_DEMENY_SEPARATION = {
    "F": {"a0": (0.350, 0.053, 2.800), "a1": (1.361, 1.522, -1.518)},
    "M": {"a0": (0.330, 0.045, 2.684), "a1": (1.352, 1.651, -2.816)},
}
_COALE_DEMENY_THRESHOLD = 0.107  # infant death rate m0 above which the factors are constant [1/year]

#: Default specification of :class:`SeriesTrend` per quantity. Reasoning: a regional TFR has no level
#: it returns to and no slope that lasts (Finland's fell for 14 years and then turned), and in small
#: regions much of its year-to-year change is noise from few births. It is therefore an ARIMA(0,1,1)
#: without drift on the log scale, the local-level model (simple exponential smoothing): the central
#: path holds the filtered level, every draw stays positive, and the width grows with the persistent
#: part of the changes only. (A damped-trend ETS fitted on 1990–2015 put Kainuu's 2016 TFR at 1.97 after
#: an observed 1.69, its level's smoothing estimated near zero; a pure random walk takes every noisy
#: year as permanent.) Regional net migration swings around a level with business cycles and policy, so
#: it is an AR(1) with a constant on its own scale (it can be negative): its interval widens for a few
#: years and then levels off at the series' own spread instead of growing without bound.
SERIES_TREND_DEFAULTS = {
    "tfr": {"method": "arima", "order": (0, 1, 1), "trend": "n", "log": True},
    "net_migration": {"method": "arima", "order": (1, 0, 0), "trend": "c", "log": False},
}

#: How a series model is estimated (part of the on-disk cache key of fitted forecasts).
SERIES_FIT_PROCEDURE = "mle: L-BFGS, restarted with Nelder-Mead from its optimum when it stops early"

_SERIES_METHODS = ("arima", "ets")
_MIN_SERIES_LENGTH = 8  # ETS with a damped trend estimates five parameters and two initial states
_MIN_LEE_CARTER_TIMES = 3  # at least two differences of k for the random walk


# --------------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------------


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_alpha(alpha) -> float:
    if not 0 < alpha < 1:
        raise InputError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    return float(alpha)


def _check_rng(rng) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise InputError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _equal_spacing(times: np.ndarray, name: str) -> float:
    """The common spacing of strictly increasing, equally spaced times [year]."""
    steps = np.diff(times)
    if steps.size == 0 or np.any(steps <= 0) or not np.allclose(steps, steps[0]):
        raise InputError(f"{name} must be strictly increasing and equally spaced, got {times.tolist()}")
    return float(steps[0])


# --------------------------------------------------------------------------------------------------
# Forecast container shared by both model families
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Forecast:
    """A Gaussian forecast on the model scale, reported on the original scale.

    Parameters
    ----------
    times : ndarray
        Time of each forecast step [year].
    mean : ndarray
        Forecast mean on the model scale (the log scale when ``log``).
    mean_se : ndarray
        Forecast standard error on the model scale (innovation uncertainty; parameter uncertainty
        is not included, as in statsmodels).
    log : bool
        Whether the model scale is the log of the original scale.
    """

    times: np.ndarray
    mean: np.ndarray
    mean_se: np.ndarray
    log: bool = False

    def summary_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """Forecast table on the original scale.

        Parameters
        ----------
        alpha : float
            The interval is the central 1 − alpha prediction interval.

        Returns
        -------
        DataFrame
            Indexed by ``year``; columns ``mean``, ``mean_se`` (standard deviation of the forecast
            distribution), ``median``, ``lower``, ``upper``. On the log scale the forecast is
            log-normal: ``mean`` = exp(μ + s²/2), ``mean_se`` = mean · sqrt(exp(s²) − 1),
            ``median`` = exp(μ), and the interval bounds are the exponentiated bounds.
        """
        z = stats.norm.ppf(1 - _check_alpha(alpha) / 2)
        lower, upper = self.mean - z * self.mean_se, self.mean + z * self.mean_se
        if self.log:
            mean = np.exp(self.mean + self.mean_se**2 / 2)
            columns = {
                "mean": mean,
                "mean_se": mean * np.sqrt(np.expm1(self.mean_se**2)),
                "median": np.exp(self.mean),
                "lower": np.exp(lower),
                "upper": np.exp(upper),
            }
        else:
            columns = {"mean": self.mean, "mean_se": self.mean_se, "median": self.mean,
                       "lower": lower, "upper": upper}
        return pd.DataFrame(columns, index=pd.Index(self.times, name="year"))


# --------------------------------------------------------------------------------------------------
# Random walk with drift (statsmodels)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RandomWalk:
    """A random walk with drift, y(t) = y(t−1) + drift + σ ε(t), ε ~ N(0, 1), as fitted by statsmodels.

    Parameters
    ----------
    drift : float
        Expected change per step [units of y per step].
    sigma : float
        Standard deviation of the innovations [units of y per step].
    drift_se, sigma_se : float
        Standard errors of the estimates (σ's by the delta method from statsmodels' σ²).
    results : statsmodels ARIMAResults
        The fitted statsmodels model (``results.summary()`` shows the full table).
    """

    drift: float
    sigma: float
    drift_se: float
    sigma_se: float
    results: object


def fit_random_walk(values) -> RandomWalk:
    """Fit a random walk with drift by maximum likelihood through statsmodels.

    Parameters
    ----------
    values : array_like
        The series, equally spaced, at least three values [any unit].

    Returns
    -------
    RandomWalk

    Notes
    -----
    statsmodels' ARIMA is a regression with ARIMA errors: with ``order=(0, 1, 0)`` and
    ``trend="t"`` the model is y(t) = δ·t + u(t) with u a driftless random walk, so differencing
    gives Δy(t) = δ + ε(t) and the trend coefficient δ is the drift. Its maximum-likelihood values
    are the mean of the differences and their variance with divisor n (not n − 1). statsmodels
    maximises the likelihood by Nelder–Mead started from these closed-form values (its gradient-based
    optimisers stop with spurious line-search warnings when started at the optimum or when k is
    scaled far from 1), and the standard errors come from the observed information matrix, which
    gives the exact σ/√n for the drift (the default outer-product estimate is noisy for the 13
    differences of the WPP history).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or values.size < _MIN_LEE_CARTER_TIMES or not np.all(np.isfinite(values)):
        raise InputError(f"a random walk needs at least {_MIN_LEE_CARTER_TIMES} finite values in a 1-D "
                         f"series, got shape {values.shape}")
    differences = np.diff(values)
    if np.ptp(differences) == 0:
        raise InputError("the series changes by the same amount every step: a random walk needs "
                         "innovations with a positive variance")
    start = np.array([differences.mean(), differences.var()])
    results = ARIMA(values, order=(0, 1, 0), trend="t").fit(
        start_params=start, cov_type="oim", method_kwargs={"method": "nm"})
    drift, sigma2 = results.params
    drift_se, sigma2_se = results.bse
    sigma = float(np.sqrt(sigma2))
    return RandomWalk(float(drift), sigma, float(drift_se), float(sigma2_se / (2 * sigma)), results)


def _random_walk_forecast(last_value: float, drift: float, sigma: float, horizon: int):
    """statsmodels' forecast of a random walk with drift from its last value: (mean, se) per step.

    The forecast of a random walk depends on its past only through the last value, so the
    statsmodels model is filtered on that one value with the given parameters; for a fitted series
    this reproduces the fitted model's own ``get_forecast`` exactly.
    """
    model = ARIMA(np.array([last_value]), order=(0, 1, 0), trend="t")
    prediction = model.filter(np.array([drift, sigma**2]), cov_type="none").get_forecast(horizon)
    return np.asarray(prediction.predicted_mean), np.asarray(prediction.se_mean)


# --------------------------------------------------------------------------------------------------
# Lee–Carter
# --------------------------------------------------------------------------------------------------


class LeeCarter:
    """The Lee–Carter model log m(x, t) = a(x) + b(x) k(t) + e(x, t).

    Parameters
    ----------
    mx : array_like
        Central death rates, shape (age, time) [1/year], all positive and finite.
    ages : array_like
        First age of each age group (row labels) [years].
    times : array_like
        Time of each column, strictly increasing and equally spaced [year].

    See Also
    --------
    LeeCarter.from_log_rates : the same model from log rates.
    """

    def __init__(self, mx, ages, times):
        mx = np.asarray(mx, dtype=float)
        self.ages = np.asarray(ages)
        self.times = np.asarray(times, dtype=float)
        if mx.shape != (self.ages.size, self.times.size):
            raise InputError(f"mx must have shape (age, time) = ({self.ages.size}, {self.times.size}), "
                             f"got {mx.shape}")
        if not np.all(np.isfinite(mx) & (mx > 0)):
            raise InputError("mx must be positive and finite at every age and time")
        if self.times.size < _MIN_LEE_CARTER_TIMES:
            raise InputError(f"Lee-Carter needs at least {_MIN_LEE_CARTER_TIMES} times, "
                             f"got {self.times.size}")
        self.step = _equal_spacing(self.times, "times")
        self.log_mx = np.log(mx)

    @classmethod
    def from_log_rates(cls, log_mx, ages, times) -> LeeCarter:
        """The model from log central death rates, shape (age, time) [log(1/year)]."""
        return cls(np.exp(np.asarray(log_mx, dtype=float)), ages, times)

    def fit(self) -> LeeCarterResults:
        """Fit a, b, k by singular value decomposition and k's random walk through statsmodels.

        Returns
        -------
        LeeCarterResults

        Notes
        -----
        a(x) is the mean log rate over time; the first singular triplet (u, s, v) of the centred
        log rates gives b = u / Σu and k = s v Σu, so that Σb = 1 and Σk = 0. k is the SVD estimate:
        the second-stage re-estimation of Lee & Carter (1992), which refits k to observed death counts,
        is not made (the WPP history has rates, not counts).
        """
        a = self.log_mx.mean(axis=1)
        u, s, vt = np.linalg.svd(self.log_mx - a[:, None], full_matrices=False)
        scale = u[:, 0].sum()
        if np.isclose(scale, 0.0, atol=1e-8):
            raise InputError("the first age pattern of change sums to zero: b cannot be normalised to Σb = 1")
        k = s[0] * vt[0] * scale
        walk = fit_random_walk(k)
        return LeeCarterResults(
            a=a, b=u[:, 0] / scale, k=k, times=self.times, drift=walk.drift, sigma=walk.sigma,
            step=self.step, ages=self.ages, drift_se=walk.drift_se,
            explained_variance=float(s[0] ** 2 / np.sum(s**2)), random_walk=walk,
        )


@dataclass(frozen=True)
class LeeCarterResults:
    """A fitted (or published) Lee–Carter model and its random walk for k.

    Parameters
    ----------
    a : ndarray
        Mean log death rate by age [log(1/year)].
    b : ndarray
        Age pattern of change, Σb = 1 [1].
    k : ndarray
        Period index at ``times`` (for published parameters only the last value) [1].
    times : ndarray
        Times of ``k`` [year].
    drift : float
        Random-walk drift of k per forecast step [1/step].
    sigma : float
        Innovation standard deviation of k per forecast step [1/step].
    step : float
        Length of a forecast step [years].
    ages : ndarray or None
        First age of each age group [years].
    drift_se : float
        Standard error of ``drift`` (NaN when not estimated here).
    explained_variance : float
        Share of the variance of the centred log rates explained by b k (NaN when not estimated).
    random_walk : RandomWalk or None
        The statsmodels fit of k at the spacing of ``times``.
    """

    a: np.ndarray
    b: np.ndarray
    k: np.ndarray
    times: np.ndarray
    drift: float
    sigma: float
    step: float = 1.0
    ages: np.ndarray | None = None
    drift_se: float = np.nan
    explained_variance: float = np.nan
    random_walk: RandomWalk | None = None

    @classmethod
    def from_parameters(cls, a, b, k_last, last_time, drift, sigma, *, ages=None, step=1.0):
        """Results from published parameters.

        Parameters
        ----------
        a, b : array_like
            Age parameters [log(1/year)], [1].
        k_last : float
            k at ``last_time``, the jump-off of the forecast [1].
        last_time : float
            Time of ``k_last`` [year].
        drift, sigma : float
            Random-walk drift and innovation standard deviation of k per step [1/step].
        ages : array_like, optional
            First age of each age group [years].
        step : float
            Length of a forecast step [years].

        Returns
        -------
        LeeCarterResults
        """
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        if a.shape != b.shape or a.ndim != 1:
            raise InputError(f"a and b must be 1-D of equal length, got shapes {a.shape} and {b.shape}")
        if not sigma > 0:
            raise InputError(f"sigma must be positive, got {sigma!r}")
        return cls(a=a, b=b, k=np.array([float(k_last)]), times=np.array([float(last_time)]),
                   drift=float(drift), sigma=float(sigma), step=float(step),
                   ages=None if ages is None else np.asarray(ages))

    @property
    def k_last(self) -> float:
        """k at the jump-off time [1]."""
        return float(self.k[-1])

    @property
    def last_time(self) -> float:
        """Time of the jump-off [year]."""
        return float(self.times[-1])

    def mx(self, k) -> np.ndarray:
        """Central death rates exp(a + b k) [1/year], shape (age,) + shape of ``k``."""
        k = np.asarray(k, dtype=float)
        expand = (slice(None),) + (None,) * k.ndim
        return np.exp(self.a[expand] + self.b[expand] * k)

    def forecast(self, horizon: int) -> LeeCarterForecast:
        """Forecast k for ``horizon`` steps after the jump-off.

        Returns
        -------
        LeeCarterForecast
            Mean k(T + h) = k(T) + h · drift and standard error σ √h, both from statsmodels'
            state-space forecast of the random walk.
        """
        horizon = _positive_int(horizon, "horizon")
        mean, se = _random_walk_forecast(self.k_last, self.drift, self.sigma, horizon)
        times = self.last_time + self.step * np.arange(1, horizon + 1)
        return LeeCarterForecast(times=times, mean=mean, mean_se=se, model=self)

    def simulate(self, horizon: int, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Simulated k paths [1], shape (draws, horizon): k(T) + cumulated drift + σ ε."""
        horizon, draws = _positive_int(horizon, "horizon"), _positive_int(draws, "draws")
        steps = self.drift + self.sigma * _check_rng(rng).standard_normal((draws, horizon))
        return self.k_last + np.cumsum(steps, axis=1)


@dataclass(frozen=True)
class LeeCarterForecast(Forecast):
    """A forecast of k with access to the implied death rates (``model`` is the results object)."""

    model: LeeCarterResults = field(kw_only=True)

    def mx(self) -> np.ndarray:
        """Death rates at the mean k path [1/year], shape (age, time)."""
        return self.model.mx(self.mean)


def _wpp_periods(mx_wpp: xr.DataArray, sex: str, last_period_end: int | None) -> xr.DataArray:
    """The observed (``status`` estimate) periods of one sex, shape (age_start, period_start)."""
    missing = {"period_start", "sex", "age_start", "period_end", "status"} - set(mx_wpp.coords)
    if missing:
        raise InputError(f"mx_wpp lacks the coordinates {sorted(missing)}; expected dims (period_start, sex, "
                         "age_start) with coords period_end and status")
    sexes = [str(value) for value in mx_wpp["sex"].values]
    if sex not in sexes:
        raise InputError(f"sex {sex!r} is not in mx_wpp; allowed: {sexes}")
    observed = np.char.startswith(mx_wpp["status"].values.astype(str), "estimate")
    if last_period_end is not None:
        observed &= mx_wpp["period_end"].values <= last_period_end
    selected = mx_wpp.sel(sex=sex).isel(period_start=np.flatnonzero(observed))
    if selected.sizes["period_start"] < _MIN_LEE_CARTER_TIMES:
        raise InputError(f"mx_wpp has {selected.sizes['period_start']} estimate periods ending by "
                         f"{last_period_end}; Lee-Carter needs at least {_MIN_LEE_CARTER_TIMES}")
    return selected.transpose("age_start", "period_start")


def fit_lee_carter_wpp(mx_wpp: xr.DataArray, sex: str,
                       last_period_end: int | None = None) -> LeeCarterResults:
    """Fit Lee–Carter on the WPP five-year periods and express the random walk in annual steps.

    Parameters
    ----------
    mx_wpp : DataArray
        Abridged central death rates [1/year], dims (period_start, sex, age_start) with coordinates
        ``period_end`` and ``status`` on ``period_start`` (as ``toolkit.io.params.load_mx_wpp()``).
    sex : {"F", "M"}
    last_period_end : int, optional
        For hindcasts: use only periods with ``period_end`` ≤ this year [year].

    Returns
    -------
    LeeCarterResults
        ``times`` are the periods' middle calendar years, period_start + (n − 1)/2 (2017 for
        2015–2020, whose calendar years are 2015…2019); ``drift`` and ``sigma`` are per year.

    Notes
    -----
    Only periods whose ``status`` is an estimate are used. k is fitted as a random walk over
    periods of n = 5 years, giving a per-period drift δ₅ and innovation deviation σ₅. If the annual
    index is a random walk with drift δ and deviation σ, its change over n years has mean n δ and
    variance n σ², hence δ = δ₅ / n and σ = σ₅ / √n: the annual walk has the same expected path and
    the same uncertainty at every whole period as the fitted one. The period values are five-year
    averages, which are smoother than point values (for a random walk the difference of consecutive
    five-year means has variance 3.4 σ² rather than 5 σ²), so this σ understates the annual
    innovation deviation somewhat (by a factor of about √(3.4/5) ≈ 0.82).
    """
    periods = _wpp_periods(mx_wpp, sex, last_period_end)
    starts = periods["period_start"].values.astype(float)
    length = _equal_spacing(starts, "period_start of the estimate periods")
    per_period = LeeCarter(periods.values, periods["age_start"].values, starts + (length - 1) / 2).fit()
    return dataclasses.replace(
        per_period, drift=per_period.drift / length, sigma=per_period.sigma / np.sqrt(length),
        drift_se=per_period.drift_se / length, step=1.0,
    )


# --------------------------------------------------------------------------------------------------
# Abridged life table and the e0 path
# --------------------------------------------------------------------------------------------------


def _separation_factor(m0: np.ndarray, sex: str, group: str) -> np.ndarray:
    constant, intercept, slope = COALE_DEMENY_SEPARATION[sex][group]
    return np.where(m0 >= _COALE_DEMENY_THRESHOLD, constant, intercept + slope * m0)


def _check_abridged_ages(ages) -> np.ndarray:
    ages = np.asarray(ages)
    expected = np.concatenate([[0, 1], np.arange(5, 5 * (ages.size - 1), 5)])
    if ages.size < 4 or not np.array_equal(ages, expected):
        raise InputError("ages must be the abridged groups 0, 1, 5, 10, … (last group open), "
                         f"got {ages.tolist()}")
    return ages


def abridged_e0(mx, ages, sex: str) -> np.ndarray:
    """Life expectancy at birth from abridged central death rates.

    Parameters
    ----------
    mx : array_like
        Central death rates [1/year], age along the first axis (any trailing dimensions).
    ages : array_like
        First age of each group: 0, 1, 5, 10, …; the last group is open.
    sex : {"F", "M"}
        Selects the Coale–Demeny separation factors of the first two groups.

    Returns
    -------
    ndarray
        e0 [years], the shape of ``mx`` without its first axis.

    Notes
    -----
    q(x) = n m / (1 + (n − a) m) (capped at 1), with a(0) and a(1) from
    :data:`COALE_DEMENY_SEPARATION`, a = n/2 in the other closed groups; L(x) = n l(x) − (n − a) d(x),
    and L = l / m in the open group (Preston et al. 2001, ch. 3).
    """
    if sex not in COALE_DEMENY_SEPARATION:
        raise InputError(f"sex must be one of {sorted(COALE_DEMENY_SEPARATION)}, got {sex!r}")
    ages = _check_abridged_ages(ages)
    mx = np.asarray(mx, dtype=float)
    if mx.shape[0] != ages.size:
        raise InputError(f"mx has {mx.shape[0]} age groups, ages has {ages.size}")
    expand = (slice(None),) + (None,) * (mx.ndim - 1)
    width = np.diff(ages).astype(float)[expand]
    closed = mx[:-1]
    separation = np.broadcast_to(width / 2, closed.shape).copy()
    separation[0] = _separation_factor(mx[0], sex, "a0")
    separation[1] = _separation_factor(mx[0], sex, "a1")
    qx = np.minimum(width * closed / (1 + (width - separation) * closed), 1.0)
    survivors = np.concatenate([np.ones_like(mx[:1]), np.cumprod(1 - qx, axis=0)])
    person_years = width * survivors[:-1] - (width - separation) * survivors[:-1] * qx
    return person_years.sum(axis=0) + survivors[-1] / mx[-1]


def lee_carter_e0_path(results: LeeCarterResults, ages, years, *, sex: str, draws: int = 0,
                       rng: np.random.Generator | None = None) -> xr.DataArray:
    """Life expectancy at birth implied by a Lee–Carter forecast.

    Parameters
    ----------
    results : LeeCarterResults
    ages : array_like
        First age of the abridged groups of ``results.a`` (0, 1, 5, …, last open) [years].
    years : array_like of int
        Years after the jump-off, each a whole number of steps after ``results.last_time`` [year].
    sex : {"F", "M"}
    draws : int
        0 for the central path (e0 at the mean k, which is also the median e0 path when b ≥ 0);
        N > 0 for N simulated paths of k.
    rng : numpy.random.Generator
        Required when ``draws`` > 0.

    Returns
    -------
    DataArray
        ``e0`` [years], dims (year,) or (draw, year).

    Notes
    -----
    The forecast starts from the fitted rates exp(a + b k) at the jump-off, not from the observed
    rates (k is the SVD estimate, see :meth:`LeeCarter.fit`). For Finland's WPP history the fitted
    e0 of 2015–2020 is about 0.35 (F) and 0.6 (M) years below the observed period e0, so a path joined
    to observed life tables should use the gains relative to the jump-off, not these levels.
    """
    years = np.asarray(years)
    if np.asarray(ages).size != results.a.size:
        raise InputError(f"ages has {np.asarray(ages).size} groups, the Lee-Carter results {results.a.size}")
    steps = (years - results.last_time) / results.step
    if years.ndim != 1 or years.size == 0 or np.any(steps < 1) or not np.allclose(steps, np.round(steps)):
        raise InputError(f"years must be whole steps of {results.step} after {results.last_time}, "
                         f"got {years.tolist()}")
    index = np.round(steps).astype(int) - 1
    horizon = int(index.max()) + 1
    if draws:
        k = results.simulate(horizon, draws, rng)[:, index]
        dims, coords = ("draw", "year"), {"draw": np.arange(draws), "year": years}
    else:
        k = results.forecast(horizon).mean[index]
        dims, coords = ("year",), {"year": years}
    e0 = abridged_e0(results.mx(k), ages, sex)
    attrs = {"units": "years", "long_name": "life expectancy at birth (Lee-Carter forecast)"}
    return xr.DataArray(e0, dims=dims, coords=coords, name="e0", attrs=attrs)


# --------------------------------------------------------------------------------------------------
# Series trends (TFR, net migration)
# --------------------------------------------------------------------------------------------------


def _annual_series(series) -> pd.Series:
    if not isinstance(series, pd.Series):
        raise InputError(f"series must be a pandas Series indexed by year, got {type(series).__name__}")
    years = np.asarray(series.index)
    if not np.issubdtype(years.dtype, np.integer) or np.any(np.diff(years) != 1):
        raise InputError(f"series {series.name!r} must be indexed by consecutive integer years")
    if series.size < _MIN_SERIES_LENGTH or not np.all(np.isfinite(series.to_numpy(dtype=float))):
        raise InputError(f"series {series.name!r} needs at least {_MIN_SERIES_LENGTH} finite values, "
                         f"got {series.size}")
    return series.astype(float)


class SeriesTrend:
    """An ETS or ARIMA trend model of an annual series.

    Parameters
    ----------
    series : pandas.Series
        Values indexed by consecutive integer years [unit of the quantity].
    method : {"ets", "arima"}
        ``"ets"``: additive-error exponential smoothing with an additive (optionally damped) trend
        (statsmodels ETSModel); ``"arima"``: statsmodels ARIMA.
    order : tuple of int
        ARIMA (p, d, q); ARIMA only.
    trend : str
        statsmodels ARIMA trend (``"n"``, ``"c"``, ``"t"``, ``"ct"``); with d = 1, ``"t"`` is a
        drift. ARIMA only.
    damped : bool
        Damp the trend; ETS only.
    log : bool
        Model the log of the series (all values must be positive); forecasts and draws are returned
        on the original scale and stay positive.

    See Also
    --------
    SeriesTrend.for_quantity : the documented default specification of a quantity.
    """

    def __init__(self, series, method: str = "ets", *, order=(0, 1, 0), trend: str = "t",
                 damped: bool = True, log: bool = False):
        if method not in _SERIES_METHODS:
            raise InputError(f"method must be one of {list(_SERIES_METHODS)}, got {method!r}")
        self.series = _annual_series(series)
        if log and not np.all(self.series > 0):
            raise InputError(f"series {self.series.name!r} has values ≤ 0 and cannot be modelled "
                             "on the log scale")
        self.method, self.order, self.trend, self.damped, self.log = method, tuple(order), trend, damped, log

    @classmethod
    def for_quantity(cls, quantity: str, series) -> SeriesTrend:
        """The default model of a quantity named in :data:`SERIES_TREND_DEFAULTS`."""
        if quantity not in SERIES_TREND_DEFAULTS:
            raise InputError(f"no default trend for {quantity!r}; allowed: {sorted(SERIES_TREND_DEFAULTS)}")
        return cls(series, **SERIES_TREND_DEFAULTS[quantity])

    def fit(self) -> SeriesTrendResults:
        """Estimate the model by maximum likelihood (statsmodels)."""
        values = self.series.to_numpy()
        # a RangeIndex: statsmodels' ETS prediction needs a pandas index, and years need no dates
        endog = pd.Series(np.log(values) if self.log else values)
        if self.method == "arima":
            fitted = _fit_arima(endog, self.order, self.trend)
        else:
            fitted = ETSModel(endog, error="add", trend="add", damped_trend=self.damped).fit(disp=False)
        return SeriesTrendResults(model=self, fitted=fitted)


def _fit_arima(endog: pd.Series, order: tuple, trend: str):
    """Maximum likelihood ARIMA fit whose optimum is confirmed when the default optimizer stops early.

    statsmodels' L-BFGS stops with "failed to converge" on the flat likelihood of a short, nearly level series
    (a local-level model whose MA coefficient is ill determined) even when it sits at the optimum. The fit is
    then restarted from those parameters with the derivative-free Nelder–Mead method, and the result with the
    higher likelihood is kept; statsmodels' warning is passed on only if neither run converged.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = ARIMA(endog, order=order, trend=trend).fit()
    if first.mle_retvals.get("converged", True):
        _replay(caught)
        return first
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        second = ARIMA(endog, order=order, trend=trend).fit(
            start_params=first.params, method_kwargs={"method": "nm", "maxiter": 5000})
    best = second if second.llf >= first.llf else first
    if second.mle_retvals.get("converged", False):
        caught = [w for w in caught if not issubclass(w.category, ConvergenceWarning)]
    _replay(caught + list(again))
    return best


def _replay(caught) -> None:
    """Re-issue recorded warnings, except statsmodels' note that it replaced its default starting values (the
    estimate does not depend on them; short series trigger it at almost every fit)."""
    for w in caught:
        if issubclass(w.category, EstimationWarning) and "starting" in str(w.message):
            continue
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@dataclass(frozen=True)
class SeriesTrendResults:
    """A fitted :class:`SeriesTrend`; ``fitted`` is the statsmodels results object."""

    model: SeriesTrend
    fitted: object

    @property
    def last_year(self) -> int:
        """The last observed year [year]."""
        return int(self.model.series.index[-1])

    def forecast(self, horizon: int) -> Forecast:
        """Forecast ``horizon`` years after the last observed year (analytic intervals)."""
        horizon = _positive_int(horizon, "horizon")
        if self.model.method == "arima":
            prediction = self.fitted.get_forecast(horizon)
            mean, se = prediction.predicted_mean, prediction.se_mean
        else:
            nobs = self.fitted.nobs
            prediction = self.fitted.get_prediction(start=nobs, end=nobs + horizon - 1)
            mean, se = prediction.predicted_mean, np.sqrt(prediction.forecast_variance)
        years = self.last_year + np.arange(1, horizon + 1)
        return Forecast(times=years, mean=np.asarray(mean), mean_se=np.asarray(se), log=self.model.log)

    def simulate(self, horizon: int, draws: int, rng: np.random.Generator) -> np.ndarray:
        """Simulated future paths on the original scale, shape (draws, horizon).

        Column j is the year ``last_year + j + 1``; the paths start from the fitted state at the
        last observed year (statsmodels ``simulate(anchor="end")``) with Gaussian innovations.
        """
        horizon, draws = _positive_int(horizon, "horizon"), _positive_int(draws, "draws")
        paths = self.fitted.simulate(horizon, anchor="end", repetitions=draws, rng=_check_rng(rng))
        paths = np.asarray(paths).reshape(horizon, draws).T
        return np.exp(paths) if self.model.log else paths
