"""Cohort-component projection: the vectorised engine.

One function, :func:`project`, advances a population by sex and age over T steps of width n years. Every
input may carry arbitrary leading dimensions (region, scenario, draw, …), flattened to rows that a compiled
kernel advances one after another. Sex is the axis before age, ordered (F, M).

Step t → t+1 (Preston, Heuveline & Guillot 2001, ch. 6; the UN CCMPP conventions)
---------------------------------------------------------------------------------
* Net migrants of a step, classified by age group x, arrive "evenly": half is added to group x at the start
  and survives with it, half is added to group x at the end.
* Survival ratios of the step's life table: S(x) = L(x+n) / L(x); the open group receives
  (P(ω−n) + P(ω+)) · T(ω) / T(ω−n).
* Births = n · Σ ASFR(x) · ½ (W_start(x) + W_end(x)), W = women including the migrants of each half; boys and
  girls by the sex ratio at birth (girls = B / (1 + SRB)); newborns survive to the end with L(0) / (n l0).
* No cohort goes negative: a half of net out-migration that would take a group below zero is capped at the
  group's size, and the amount not applied is returned as ``migration_capped``.
* Deaths are counted, not derived: for each cohort, entrants minus survivors. They are labelled by the group
  the cohort occupies at the end of the step (newborns → group 0, the open group gets the two oldest
  cohorts), so that P(t+1) = P(t) + B − D + M holds exactly for every sex and leading index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from toolkit.population import compiled  # noqa: F401  (numba's cache folder, before any kernel)

SRB = 1.05  # sex ratio at birth [boys per girl], the default of every projection


@dataclass(frozen=True)
class Projection:
    """Arrays produced by :func:`project` (leading dims …, then step, sex, age)."""

    population: np.ndarray  # (..., T+1, 2, A) persons, the start included
    births: np.ndarray  # (..., T, 2) persons
    deaths: np.ndarray  # (..., T, 2, A) persons, by group at the end of the step
    net_migration: np.ndarray  # (..., T, 2, A) persons applied, by group at the move
    migration_capped: np.ndarray  # (..., T, 2, A) persons requested but not applied


def survival_ratios(Lx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Survival ratios S(x) = L(x+n)/L(x) for the closed groups and the open-group ratio T(ω)/T(ω−n).

    Parameters
    ----------
    Lx : person-years lived in each group, last entry the open group [years], shape (..., A)

    Returns
    -------
    (ratios, open_ratio): ratios has shape (..., A−2) for moves from group x to x+n below the open group;
    open_ratio has shape (...) and applies to the last closed group plus the open group.
    """
    # a group that no one reaches (L(x) = 0 where a high death rate makes q(x) = 1) survives with ratio 0, not 0/0
    ratios = np.divide(Lx[..., 1:-1], Lx[..., :-2], out=np.zeros_like(Lx[..., 1:-1]), where=Lx[..., :-2] > 0)
    closing = Lx[..., -2] + Lx[..., -1]
    open_ratio = np.divide(Lx[..., -1], closing, out=np.zeros_like(closing), where=closing > 0)
    return ratios, open_ratio


def project(
    population: np.ndarray,
    Lx: np.ndarray,
    asfr: np.ndarray,
    *,
    width: int = 1,
    radix: float = 1.0,
    srb: float | np.ndarray = SRB,
    migration_count: np.ndarray | None = None,
    migration_rate: np.ndarray | None = None,
) -> Projection:
    """Project a population over T steps of ``width`` years.

    Parameters
    ----------
    population : start population [persons], shape (..., 2, A), sex (F, M), last group open
    Lx : person-years of each step's life table per ``radix`` births [years], shape (..., T, 2, A)
    asfr : female age-specific fertility rates per year [births/woman/year], shape (..., T, A); group 0 has
        no fertility
    width : step and age-group width n [years]
    radix : l(0) of the life tables in ``Lx``
    srb : sex ratio at birth [boys per girl], scalar or shape (..., T)
    migration_count : net migrants per step by group at the move [persons], shape (..., T, 2, A)
    migration_rate : net migration per step as a share of the group's start population [1/step],
        shape broadcastable to (..., T, 2, A); added to ``migration_count``; rates of shape (..., 1, 2, A) or
        (..., 2, A) hold for every step and are not copied per step

    Returns
    -------
    Projection

    Notes
    -----
    The leading dimensions are flattened to rows; a compiled kernel (numba) advances each row through all
    steps in one pass over its cells, so each cell-year is read and written once. Inputs that are the same
    for every row are kept as one row and not copied.
    """
    population = np.asarray(population, dtype=float)
    Lx = np.asarray(Lx, dtype=float)
    asfr = np.asarray(asfr, dtype=float)
    steps, ages = Lx.shape[-3], population.shape[-1]
    lead = np.broadcast_shapes(population.shape[:-2], Lx.shape[:-3], asfr.shape[:-2],
                               np.shape(srb)[:-1] if np.ndim(srb) else (),
                               migration_count.shape[:-3] if migration_count is not None else (),
                               np.shape(migration_rate)[:-3] if migration_rate is not None else ())
    rows = int(np.prod(lead, dtype=int))

    def flat(array, tail):
        """(rows, *tail) array of an input, or (1, *tail) when it is the same for every row (no copy)."""
        array = np.asarray(array, dtype=float)
        own_lead = array.shape[: max(array.ndim - len(tail), 0)]
        array = np.broadcast_to(array, own_lead + tail)
        if all(n == 1 for n in own_lead):
            return np.ascontiguousarray(array.reshape((1,) + tail))
        return np.ascontiguousarray(np.broadcast_to(array, lead + tail).reshape((rows,) + tail))

    ratios, open_ratio = survival_ratios(Lx)
    survival = flat(np.concatenate([ratios, open_ratio[..., None]], axis=-1), (steps, 2, ages - 1))
    newborn_survival = flat(Lx[..., 0] / (width * radix), (steps, 2))
    fertility = flat(asfr, (steps, ages))
    girls_share = flat(1.0 / (1.0 + np.asarray(srb, dtype=float)) * np.ones(steps), (steps,))
    none = np.zeros((0, steps, 2, ages))
    counts = flat(migration_count, (steps, 2, ages)) if migration_count is not None else none
    rates = none
    if migration_rate is not None:  # rates that do not change over the steps are kept as one step (no copy per step)
        migration_rate = np.asarray(migration_rate, dtype=float)
        migration_rate = migration_rate.reshape((1,) * max(3 - migration_rate.ndim, 0) + migration_rate.shape)
        rate_steps = 1 if migration_rate.shape[-3] == 1 else steps
        rates = flat(np.broadcast_to(migration_rate, migration_rate.shape[:-3] + (rate_steps, 2, ages)),
                     (rate_steps, 2, ages))

    out = Projection(
        population=np.empty((rows, steps + 1, 2, ages)),
        births=np.empty((rows, steps, 2)),
        deaths=np.empty((rows, steps, 2, ages)),
        net_migration=np.empty((rows, steps, 2, ages)),
        migration_capped=np.empty((rows, steps, 2, ages)),
    )
    out.population[:, 0] = np.broadcast_to(population, lead + (2, ages)).reshape(rows, 2, ages)
    _advance(out.population, out.births, out.deaths, out.net_migration, out.migration_capped, survival,
             newborn_survival, fertility, girls_share, counts, rates, float(width))
    return Projection(*(getattr(out, name).reshape(lead + getattr(out, name).shape[1:])
                        for name in Projection.__dataclass_fields__))


@numba.njit(cache=True, nogil=True)
def _advance(population, births, deaths, applied, capped, survival, newborn_survival, fertility, girls_share,
             counts, rates, width):  # pragma: no cover - compiled; covered through project()
    """Advance every row through every step (the conventions of the module docstring), in place."""
    rows, steps, ages = population.shape[0], births.shape[1], population.shape[3]
    work = np.empty((3, 2, ages))
    for i in range(rows):
        i_surv = i if survival.shape[0] > 1 else 0
        i_newb = i if newborn_survival.shape[0] > 1 else 0
        i_fert = i if fertility.shape[0] > 1 else 0
        i_girl = i if girls_share.shape[0] > 1 else 0
        i_count = i if counts.shape[0] > 1 else 0
        i_rate = i if rates.shape[0] > 1 else 0
        held = rates.shape[1] == 1  # the same rates every step
        for t in range(steps):
            step(population[i, t], population[i, t + 1], survival[i_surv, t], newborn_survival[i_newb, t],
                 fertility[i_fert, t], girls_share[i_girl, t], counts[i_count, t] if counts.shape[0] else work[0],
                 counts.shape[0] > 0, rates[i_rate, 0 if held else t] if rates.shape[0] else work[0],
                 rates.shape[0] > 0, width, births[i, t], deaths[i, t], applied[i, t], capped[i, t], work)


@numba.njit(cache=True, nogil=True, inline="always")
def step(current, end, survival, newborn_survival, fertility, girls_share, counts, has_counts, rates, has_rates,
         width, births, deaths, applied, capped, work):  # pragma: no cover - compiled; covered through project()
    """One step of one row: ``current`` (2, A) → ``end`` (2, A), writing the step's flows.

    survival (2, A−1), newborn_survival (2,), fertility (A,), girls_share: the step's rates; counts and rates
    (2, A): net migration, used when ``has_counts`` / ``has_rates``; births (2,), deaths, applied, capped (2, A):
    outputs; work (3, 2, A): scratch.
    """
    ages = current.shape[1]
    requested, start, survived = work[0], work[1], work[2]
    for sex in range(2):
        for x in range(ages):
            wanted = 0.0
            if has_counts:
                wanted += counts[sex, x]
            if has_rates:
                wanted += rates[sex, x] * current[sex, x]
            requested[sex, x] = wanted
            # first half: joins the group at the start, capped at the group's size
            start[sex, x] = max(current[sex, x] + 0.5 * wanted, 0.0)
        # cohorts move up one group; the two oldest share the open group
        for x in range(1, ages):
            entering = start[sex, x - 1] if x < ages - 1 else start[sex, ages - 2] + start[sex, ages - 1]
            survived[sex, x] = entering * survival[sex, x - 1]
            deaths[sex, x] = entering - survived[sex, x]
            # second half: joins the group at the end, capped the same way
            end[sex, x] = max(survived[sex, x] + 0.5 * requested[sex, x], 0.0)
    total = 0.0
    for x in range(1, ages):
        total += fertility[x] * 0.5 * (start[0, x] + end[0, x])
    total *= width
    girls = total * girls_share
    births[0] = girls
    births[1] = total - girls
    for sex in range(2):
        newborns = births[sex] * newborn_survival[sex]
        deaths[sex, 0] = births[sex] - newborns
        survived[sex, 0] = newborns
        end[sex, 0] = max(newborns + 0.5 * requested[sex, 0], 0.0)
        for x in range(ages):
            done = (start[sex, x] - current[sex, x]) + (end[sex, x] - survived[sex, x])
            applied[sex, x] = done
            capped[sex, x] = requested[sex, x] - done
