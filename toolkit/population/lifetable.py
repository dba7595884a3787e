"""Period life tables by single year of age and their scaling to a target life expectancy.

Mortality in the toolkit is a *national age pattern* of death rates scaled to a region's life expectancy
(proportional hazards): m_region(x, t) = θ(t) · m_national(x), with θ solved so that the life table of
m_region has the target e0(t). Regional death counts by age are not published; the regional e0 (3-year
average) is, so the pattern is borrowed and the level is the region's own.

Conventions
-----------
* ages 0..ω-1 single years and an open group ω+ (ω = 100 by default);
* a(x) = 0.5 at ages ≥ 1; a(0) from Andreev & Kingkade (2015) given m(0) and sex;
* q(x) = m(x) / (1 + (1 − a(x)) m(x)); L(x) = l(x+1) + a(x) d(x); L(ω+) = l(ω) / m(ω+).

References
----------
Preston, Heuveline & Guillot (2001), *Demography*, ch. 3.
Andreev, E. M. & Kingkade, W. W. (2015). Average age at death in infancy and infant mortality level.
Demographic Research 33(13), 363–390.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from toolkit.errors import InputError

RADIX = 1.0


def a0_andreev_kingkade(m0: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Average years lived in the first year by those dying in it [years].

    Parameters
    ----------
    m0 : infant death rate [1/year]
    female : boolean array broadcastable to ``m0`` (True for females)
    """
    m0 = np.asarray(m0, dtype=float)
    a_f = np.where(m0 >= 0.06891, 0.3141, np.where(m0 >= 0.01724, 0.04667 + 3.88089 * m0, 0.14903 - 2.05527 * m0))
    a_m = np.where(m0 >= 0.08307, 0.29915, np.where(m0 >= 0.023, 0.02832 + 3.26021 * m0, 0.14929 - 1.99545 * m0))
    return np.where(female, a_f, a_m)


def qx_to_mx(qx: np.ndarray, ax: np.ndarray | float = 0.5) -> np.ndarray:
    """Death rate from probability of death, m = q / (1 − (1 − a) q) [1/year]."""
    qx = np.asarray(qx, dtype=float)
    return qx / (1.0 - (1.0 - ax) * qx)


def open_age_rate(mx_last_years: np.ndarray) -> np.ndarray:
    """Death rate of the open group ω+ extrapolated from the last ten single ages [1/year].

    The log death rates of ages ω−10..ω−1 are fitted with a straight line (Gompertz) and the rate is read
    at age ω + 1, roughly the mean age of the open group's person-years at Finnish old-age mortality; the
    published single-age table stops at 99, so the open group is an extrapolation.
    """
    log_m = np.log(mx_last_years)
    k = log_m.shape[-1]
    x = np.arange(k) - (k - 1) / 2.0
    slope = (log_m * x).sum(-1) / (x * x).sum()
    mean = log_m.mean(-1)
    # ages ω−10..ω−1 are centred at ω−5.5; age ω+1 lies 6.5 years above that centre
    return np.exp(mean + slope * ((k - 1) / 2.0 + 2.0))


def life_table(mx: np.ndarray, female: np.ndarray, width: int = 1) -> dict[str, np.ndarray]:
    """Life table columns from death rates by age (last age = open group).

    Parameters
    ----------
    mx : death rates [1/year], shape (..., A); the last entry is the open group
    female : boolean, broadcastable to ``mx[..., 0]``
    width : age-group width n [years] (1 for single ages); with n > 1, a(x) = n/2 at every age

    Returns
    -------
    dict with ``lx`` (survivors at exact age, radix 1), ``Lx`` (person-years in the group [years]),
    ``Tx`` and ``ex`` [years].
    """
    mx = np.asarray(mx, dtype=float)
    ax = np.full(mx.shape[:-1] + (mx.shape[-1] - 1,), width / 2.0)
    if width == 1:
        ax[..., 0] = a0_andreev_kingkade(mx[..., 0], female)
    closed = mx[..., :-1]
    qx = np.minimum(width * closed / (1.0 + (width - ax) * closed), 1.0)
    survive = np.cumprod(1.0 - qx, axis=-1)
    lx = np.concatenate([np.ones(mx.shape[:-1] + (1,)), survive], axis=-1) * RADIX
    dx = lx[..., :-1] - lx[..., 1:]
    Lx = np.concatenate([width * lx[..., 1:] + ax * dx, (lx[..., -1] / mx[..., -1])[..., None]], axis=-1)
    Tx = np.cumsum(Lx[..., ::-1], axis=-1)[..., ::-1]
    ex = np.divide(Tx, lx, out=np.zeros_like(Tx), where=lx > 0)
    return {"lx": lx, "Lx": Lx, "Tx": Tx, "ex": ex}


def life_expectancy(mx: np.ndarray, female: np.ndarray) -> np.ndarray:
    """Life expectancy at birth of single-age death rates [years]."""
    return life_table(mx, female)["ex"][..., 0]


def solve_scale(pattern: np.ndarray, female: np.ndarray, target_e0: np.ndarray, tol: float = 1e-9,
                initial: np.ndarray | None = None) -> np.ndarray:
    """Scale θ of a death-rate pattern such that the life table of θ·pattern has e0 = target [–].

    Vectorised Newton iteration on log θ with a numerical derivative: e0 is smooth and strictly decreasing
    in log θ, so a handful of steps reach machine precision from θ = 1 for any realistic target, and one or
    two from a close ``initial`` value.

    Parameters
    ----------
    pattern : death-rate age pattern [1/year], shape (..., A), broadcastable against ``target_e0[..., None]``
    female : boolean, broadcastable to ``target_e0``
    target_e0 : wanted life expectancy at birth [years]
    initial : starting θ (default 1)
    """
    target = np.asarray(target_e0, dtype=float)
    shape = np.broadcast_shapes(target.shape, pattern.shape[:-1])
    log_theta = np.zeros(shape) if initial is None else np.log(np.broadcast_to(initial, shape))
    h = 1e-4
    for _ in range(30):
        e_here = life_expectancy(np.exp(log_theta)[..., None] * pattern, female)
        e_up = life_expectancy(np.exp(log_theta + h)[..., None] * pattern, female)
        slope = (e_up - e_here) / h
        step = (target - e_here) / slope
        log_theta = log_theta + np.clip(step, -2.0, 2.0)
        if np.all(np.abs(target - e_here) < tol):
            break
    else:
        worst = np.unravel_index(int(np.argmax(np.abs(target - e_here))), shape)
        raise InputError(f"life expectancy at birth {float(np.broadcast_to(target, shape)[worst]):.2f} years "
                         "cannot be reached by scaling the national death-rate pattern (the scaling did not "
                         f"converge; reached {float(e_here[worst]):.2f}); allowed: an e0 within "
                         "reachable_e0(pattern)")
    return np.exp(log_theta)


LOG_SCALE_GRID = np.linspace(-6.0, 3.0, 9001)  # log θ; Δ = 0.001 keeps person-years within ~1e-7 relative


@lru_cache(maxsize=8)
def _scale_table(pattern_bytes: bytes, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    pattern = np.frombuffer(pattern_bytes).reshape(shape)
    theta = np.exp(LOG_SCALE_GRID)
    table = life_table(theta[None, :, None] * pattern[:, None, :], np.array([True, False])[:, None])
    return table["ex"][..., 0], table["Lx"]  # (2, G), (2, G, A)


def scale_table(pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """e0 (2, G) and person-years L(x) (2, G, A) of the pattern scaled by exp(``LOG_SCALE_GRID``) (cached)."""
    return _scale_table(np.ascontiguousarray(pattern, dtype=float).tobytes(), pattern.shape)


def reachable_e0(pattern: np.ndarray) -> np.ndarray:
    """The life expectancies at birth (2, 2) [years] that scaling the (2, A) death-rate ``pattern`` by
    exp(``LOG_SCALE_GRID``) reaches: rows sex (F, M), columns (lowest, highest).

    Outside this range the tabulated life tables of an ensemble are clipped to its ends, and a central path is
    refused (:func:`toolkit.population.project.project_population`).
    """
    e0_table, _ = scale_table(pattern)
    return np.stack([e0_table.min(axis=1), e0_table.max(axis=1)], axis=-1)


def table_position(e0: np.ndarray, pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where e0 (…, 2) falls in the table of scaled life tables of a (2, A) pattern (sex F, M).

    Returns the lower grid index and the interpolation weight (…, 2); log θ ≈ grid[lower] + weight · Δ, and
    the person-years are (1 − weight) · table[lower] + weight · table[lower + 1].
    """
    e0_table, _ = scale_table(pattern)
    lower = np.empty(e0.shape, dtype=int)
    weight = np.empty(e0.shape)
    for sex in range(2):  # the table is per sex
        decreasing = e0_table[sex]
        position = np.interp(e0[..., sex], decreasing[::-1], np.arange(decreasing.size)[::-1])
        lower[..., sex] = np.clip(np.floor(position).astype(int), 0, decreasing.size - 2)
        weight[..., sex] = position - lower[..., sex]
    return lower, weight


def tabulated_scale(e0: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """θ (…, 2) read from the table (a starting value for :func:`solve_scale`)."""
    lower, weight = table_position(e0, pattern)
    step = LOG_SCALE_GRID[1] - LOG_SCALE_GRID[0]
    return np.exp(LOG_SCALE_GRID[lower] + weight * step)


def tabulated_person_years(e0: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Person-years (…, 2, A) for e0 (…, 2), interpolated between the table's life tables.

    For ensembles, whose millions of (draw, year, sex) cells make a Newton solve per cell too slow; the e0 of
    the interpolated table matches the target to about 1e-5 years.
    """
    _, lx_table = scale_table(pattern)
    lower, weight = table_position(e0, pattern)
    out = np.empty(e0.shape + (pattern.shape[-1],))
    for sex in range(2):
        w = weight[..., sex, None]
        out[..., sex, :] = (1 - w) * lx_table[sex, lower[..., sex]] + w * lx_table[sex, lower[..., sex] + 1]
    return out
