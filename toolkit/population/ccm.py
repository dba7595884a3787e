"""Cohort-component projection: the vectorised engine.

One function, :func:`project`, advances a population by sex and age over T steps of width n years. Every
input may carry arbitrary leading dimensions (region, scenario, draw, …); the only Python loop is over
steps. Sex is the axis before age, ordered (F, M).

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

import numpy as np

FEMALE, MALE = 0, 1


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
    ratios = Lx[..., 1:-1] / Lx[..., :-2]
    open_ratio = Lx[..., -1] / (Lx[..., -2] + Lx[..., -1])
    return ratios, open_ratio


BLOCK_ROWS = 256  # leading rows advanced together: ~400 kB of state, small enough to stay in cache


def project(
    population: np.ndarray,
    Lx: np.ndarray,
    asfr: np.ndarray,
    *,
    width: int = 1,
    radix: float = 1.0,
    srb: float | np.ndarray = 1.05,
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
        shape broadcastable to (..., T, 2, A); added to ``migration_count``

    Returns
    -------
    Projection

    Notes
    -----
    The leading dimensions are flattened and advanced in blocks of ``BLOCK_ROWS`` rows so that the working
    arrays of a step stay in the processor cache; every row is computed independently, so blocking changes
    no number.
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
        """(rows, *tail) view of an input, or (1, *tail) when it is the same for every row (no copy)."""
        array = np.asarray(array, dtype=float)
        own_lead = array.shape[: max(array.ndim - len(tail), 0)]
        array = np.broadcast_to(array, own_lead + tail)
        if all(n == 1 for n in own_lead):
            return _Shared(array.reshape((1,) + tail))
        return np.broadcast_to(array, lead + tail).reshape((rows,) + tail)

    ratios, open_ratio = survival_ratios(Lx)
    survival = flat(np.concatenate([ratios, open_ratio[..., None]], axis=-1), (steps, 2, ages - 1))
    newborn_survival = flat(Lx[..., 0] / (width * radix), (steps, 2))
    fertility = flat(asfr, (steps, ages))
    girls_share = flat(np.broadcast_to(1.0 / (1.0 + np.asarray(srb, dtype=float)),
                                       np.shape(srb)[:-1] + (steps,)) if np.ndim(srb) else
                       np.full((steps,), 1.0 / (1.0 + float(srb))), (steps,))
    counts = flat(migration_count, (steps, 2, ages)) if migration_count is not None else None
    rates = flat(np.broadcast_to(migration_rate, np.shape(migration_rate)[:-3] + (steps, 2, ages)),
                 (steps, 2, ages)) if migration_rate is not None else None

    # step-major working layout: the arrays of one step are contiguous, so memory is touched in order
    out = Projection(
        population=np.empty((steps + 1, rows, 2, ages)),
        births=np.empty((steps, rows, 2)),
        deaths=np.empty((steps, rows, 2, ages)),
        net_migration=np.empty((steps, rows, 2, ages)),
        migration_capped=np.empty((steps, rows, 2, ages)),
    )
    out.population[0] = np.broadcast_to(population, lead + (2, ages)).reshape(rows, 2, ages)
    for first in range(0, rows, BLOCK_ROWS):
        block = slice(first, min(first + BLOCK_ROWS, rows))
        for t in range(steps):
            _step(out, block, t, survival[block, t], newborn_survival[block, t], fertility[block, t], width,
                  girls_share[block, t], counts[block, t] if counts is not None else None,
                  rates[block, t] if rates is not None else None)
    return Projection(*(np.moveaxis(getattr(out, name), 0, 1).reshape(lead + getattr(out, name).shape[:1]
                                                                      + getattr(out, name).shape[2:])
                        for name in Projection.__dataclass_fields__))


class _Shared:
    """An input that is the same for every row: indexing by a block of rows returns its single row."""

    def __init__(self, array: np.ndarray):
        self.array = array

    def __getitem__(self, index):
        return self.array[(slice(0, 1),) + index[1:]]


def _step(out: Projection, block: slice, t: int, survival, newborn_survival, fertility, width, girls_share,
          counts, rates) -> None:
    """Advance the rows ``block`` of ``out`` from step t to t+1 (writes into the output arrays)."""
    current = out.population[t, block]
    if rates is None:
        requested = counts if counts is not None else np.zeros_like(current)
    else:
        requested = rates * current if counts is None else rates * current + counts
    half = 0.5 * requested
    # first half: joins each group at the start, capped at the group's size
    start = np.maximum(current + half, 0.0)
    # cohorts move up one group; the two oldest share the open group
    entering = start[..., :-1].copy()
    entering[..., -1] += start[..., -1]
    survived = entering * survival
    end = out.population[t + 1, block]
    np.maximum(survived + half[..., 1:], 0.0, out=end[..., 1:])  # second half, capped the same way

    women = 0.5 * (start[:, 0, 1:] + end[:, 0, 1:])
    total_births = width * (fertility[:, 1:] * women).sum(-1)
    births = out.births[t, block]
    births[:, 0] = total_births * girls_share
    births[:, 1] = total_births - births[:, 0]
    newborns = births * newborn_survival
    end[..., 0] = np.maximum(newborns + half[..., 0], 0.0)

    deaths = out.deaths[t, block]
    deaths[..., 0] = births - newborns
    np.subtract(entering, survived, out=deaths[..., 1:])
    applied = out.net_migration[t, block]
    np.subtract(start, current, out=applied)
    applied[..., 1:] += end[..., 1:] - survived
    applied[..., 0] += end[..., 0] - newborns
    np.subtract(requested, applied, out=out.migration_capped[t, block])
