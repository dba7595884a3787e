"""Age schedules: fertility shape, the Rogers–Castro migration schedule, graduation of grouped rates."""

from __future__ import annotations

import numpy as np

from toolkit.nomenclature import AGES

# Rogers & Castro (1981) "simplified basic standard" model migration schedule (nine parameters):
# m(x) = a1 exp(-α1 x) + a2 exp(-α2 (x-μ2) - exp(-λ2 (x-μ2))) + c. These are the parameter values of the
# standard schedule, a model choice for distributing *additional* net migrants by age, not data.
ROGERS_CASTRO_STANDARD = {"a1": 0.02, "alpha1": 0.1, "a2": 0.06, "alpha2": 0.1, "mu2": 20.0, "lambda2": 0.4,
                          "c": 0.003}


def rogers_castro(ages: np.ndarray = AGES, params: dict[str, float] | None = None) -> np.ndarray:
    """Rogers–Castro schedule scaled to sum to one over ``ages`` [share of migrants].

    References
    ----------
    Rogers, A. & Castro, L. J. (1981). Model migration schedules. IIASA Research Report RR-81-30.
    """
    p = ROGERS_CASTRO_STANDARD if params is None else params
    x = np.asarray(ages, dtype=float)
    labour = p["a2"] * np.exp(-p["alpha2"] * (x - p["mu2"]) - np.exp(-p["lambda2"] * (x - p["mu2"])))
    m = p["a1"] * np.exp(-p["alpha1"] * x) + labour + p["c"]
    return m / m.sum()


def fertility_shape(asfr: np.ndarray) -> np.ndarray:
    """Age pattern of fertility scaled to sum to one [share of the TFR per age].

    Parameters
    ----------
    asfr : age-specific fertility rates over ages 0..100 [births/woman/year], any positive level; several
        years on the first axis are averaged first
    """
    mean = np.atleast_2d(asfr).mean(0)
    return mean / mean.sum()


def shift_schedule(shape: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Move an age schedule ``shift`` years older (negative: younger), keeping its sum [share].

    Linear interpolation of the schedule read at x − shift; the result is rescaled to the original sum so that
    the TFR is unchanged by a change in the timing of births.

    Parameters
    ----------
    shape : schedule over single ages 0..100, shape (A,)
    shift : years, any shape S; the result has shape S + (A,)
    """
    shift = np.asarray(shift, dtype=float)
    ages = np.arange(shape.shape[-1], dtype=float)
    source = ages - shift[..., None]
    lower = np.clip(np.floor(source).astype(int), 0, len(ages) - 1)
    upper = np.clip(lower + 1, 0, len(ages) - 1)
    weight = np.clip(source - np.floor(source), 0.0, 1.0)
    inside = (source >= 0) & (source <= len(ages) - 1)
    moved = np.where(inside, (1 - weight) * shape[lower] + weight * shape[upper], 0.0)
    return moved * (shape.sum() / moved.sum(-1, keepdims=True))


def graduate_group_rates(group_rates: np.ndarray, group_start: np.ndarray, group_end: np.ndarray,
                         exposure: np.ndarray) -> np.ndarray:
    """Single-age rates from rates of age groups, preserving each group's total on ``exposure``.

    The group rates are placed at the group mid-ages and interpolated linearly (constant beyond the first and
    last mid-age); each group's single-age rates are then shifted by a constant so that Σ r(x)·exposure(x)
    over the group equals rate_g · Σ exposure(x): the graduation invents and loses no migrants. (An additive
    correction, unlike a multiplicative one, stays bounded where the interpolated rates cross zero.)

    Parameters
    ----------
    group_rates : rates per person of each group [1/year], shape (..., G)
    group_start, group_end : first and last single age of each group (inclusive), shape (G,)
    exposure : single-age population the rates apply to [persons], shape (..., 101)

    Returns
    -------
    rates by single age 0..100 [1/year], shape (..., 101)
    """
    ages = np.arange(exposure.shape[-1], dtype=float)
    # an open last group is represented by its first five years for the placement of its mid-age
    mids = (group_start + np.minimum(group_end, group_start + 4)) / 2.0
    # linear interpolation is linear in the values: one (A, G) weight matrix serves every row
    weights = np.stack([np.interp(ages, mids, unit) for unit in np.eye(len(mids))], axis=-1)
    smooth = group_rates @ weights.T
    member = (ages[None, :] >= group_start[:, None]) & (ages[None, :] <= group_end[:, None])  # (G, A)
    group_exposure = exposure @ member.T  # (..., G)
    missing = group_rates * group_exposure - (smooth * exposure) @ member.T
    correction = np.divide(missing, group_exposure, out=np.zeros_like(missing), where=group_exposure > 0)
    return smooth + correction @ member
