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

import numpy as np

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


def solve_scale(pattern: np.ndarray, female: np.ndarray, target_e0: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Scale θ of a death-rate pattern such that the life table of θ·pattern has e0 = target [–].

    Vectorised Newton iteration on log θ with a numerical derivative: e0 is smooth and strictly decreasing
    in log θ, so a handful of steps reach machine precision from θ = 1 for any realistic target.

    Parameters
    ----------
    pattern : death-rate age pattern [1/year], shape (..., A), broadcastable against ``target_e0[..., None]``
    female : boolean, broadcastable to ``target_e0``
    target_e0 : wanted life expectancy at birth [years]
    """
    target = np.asarray(target_e0, dtype=float)
    log_theta = np.zeros(np.broadcast_shapes(target.shape, pattern.shape[:-1]))
    h = 1e-4
    for _ in range(30):
        e_here = life_expectancy(np.exp(log_theta)[..., None] * pattern, female)
        e_up = life_expectancy(np.exp(log_theta + h)[..., None] * pattern, female)
        slope = (e_up - e_here) / h
        step = (target - e_here) / slope
        log_theta = log_theta + np.clip(step, -2.0, 2.0)
        if np.all(np.abs(target - e_here) < tol):
            break
    else:  # pragma: no cover - only reachable with absurd targets, which scenario validation refuses
        raise ArithmeticError("life-table scaling did not converge")
    return np.exp(log_theta)
