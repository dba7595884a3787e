"""The cohort-component engine: the Preston et al. known answer, null checks and invariants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from toolkit.population.ccm import project

PRESTON = pd.read_csv(Path(__file__).resolve().parents[1] / "results" / "preston_box_6_2.csv")


def _preston(sex_population: np.ndarray | None = None, srb: float = 1.05):
    """Run Box 6.2 with the same population, life table and migrants for both sexes."""
    female = PRESTON["population_1993"].to_numpy(float)
    population = np.stack([female, female if sex_population is None else sex_population])
    Lx = np.stack([PRESTON["nLx"].to_numpy(float)] * 2)[None]
    migrants = np.stack([PRESTON["net_migrants"].to_numpy(float)] * 2)[None]
    return project(population, Lx, PRESTON["asfr"].to_numpy(float)[None], width=5, radix=100_000, srb=srb,
                   migration_count=migrants)


def test_preston_box_6_2_to_the_person():
    result = _preston()
    np.testing.assert_array_equal(np.round(result.population[1, 0]), PRESTON["expected_1998"].to_numpy(float))


def test_preston_births_and_male_first_group():
    result = _preston()
    assert result.births[0].sum() == pytest.approx(615_988.06, abs=0.01)
    assert result.births[0, 0] == pytest.approx(615_988.06 / 2.05, abs=0.01)
    assert round(result.population[1, 1, 0]) == 317_340


def test_preston_accounting_identity():
    result = _preston()
    change = result.population[1].sum(-1) - result.population[0].sum(-1)
    flows = result.births[0] - result.deaths[0].sum(-1) + result.net_migration[0].sum(-1)
    np.testing.assert_allclose(change, flows, rtol=0, atol=1e-6)


def test_null_case_moves_cohorts_up_one_group():
    """SRB 1, no fertility, no migration, survival 1: males equal females, each cohort moves up one group."""
    ages = 18
    start = np.arange(1.0, ages + 1) * 1000
    population = np.stack([start, start])
    Lx = np.ones((1, 2, ages))  # equal person-years: S(x) = 1 and the open-group ratio T(ω)/T(ω-n) = 1/2 …
    Lx[..., -1] = 1e12  # … unless the open group's L dominates: then T(ω)/T(ω-n) → 1
    result = project(population, Lx, np.zeros((1, ages)), width=5, radix=5.0, srb=1.0)
    end = result.population[1]
    np.testing.assert_array_equal(end[0], end[1])
    np.testing.assert_allclose(end[0, 1:-1], start[:-2])
    np.testing.assert_allclose(end[0, -1], start[-2] + start[-1], rtol=1e-9)
    assert end[0, 0] == 0.0


def _random_inputs(seed: int, steps: int = 4, lead: tuple[int, ...] = (3,)):
    rng = np.random.default_rng(seed)
    ages = 101
    population = rng.uniform(0, 5000, lead + (2, ages))
    mx = rng.uniform(1e-4, 0.3, lead + (steps, 2, ages))
    Lx = np.exp(-np.cumsum(mx, -1))  # decreasing person-years, an admissible life-table column
    asfr = np.zeros(lead + (steps, ages))
    asfr[..., 15:50] = rng.uniform(0, 0.15, lead + (steps, 35))
    counts = rng.normal(0, 800, lead + (steps, 2, ages))  # large out-migration: capping is exercised
    rates = rng.normal(0, 0.05, lead + (1, 2, ages))
    return population, Lx, asfr, counts, rates


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 6))
def test_identity_and_no_negative_cohort(seed, steps):
    population, Lx, asfr, counts, rates = _random_inputs(seed, steps)
    result = project(population, Lx, asfr, migration_count=counts, migration_rate=rates)
    totals = result.population.sum(-1)
    flows = result.births - result.deaths.sum(-1) + result.net_migration.sum(-1)
    np.testing.assert_allclose(np.diff(totals, axis=-2), flows, rtol=1e-12, atol=1e-6)
    assert (result.population >= 0).all()
    assert (result.deaths >= -1e-9).all()


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_capped_migration_is_reported_not_dropped(seed):
    """Whatever cannot be removed shows up in migration_capped: applied + capped = requested."""
    population, Lx, asfr, counts, _ = _random_inputs(seed, 3)
    counts = counts - 3000.0  # force heavy out-migration
    result = project(population, Lx, asfr, migration_count=counts)
    np.testing.assert_allclose(result.net_migration + result.migration_capped, counts, atol=1e-9)
    assert (result.migration_capped < 0).any()
    assert (result.population >= 0).all()


@given(arrays(float, (2, 101), elements=st.floats(0, 1e5)))
@settings(max_examples=25, deadline=None)
def test_zero_fertility_no_migration_full_survival_shifts_by_one_year(population):
    Lx = np.ones((1, 2, 101))
    Lx[..., -1] = 1e15
    result = project(population, Lx, np.zeros((1, 101)), srb=1.0)
    np.testing.assert_allclose(result.population[1, :, 1:100], population[:, :99], rtol=1e-12)
    np.testing.assert_allclose(result.population[1, :, 100], population[:, 99:].sum(-1), rtol=1e-9)
    assert (result.population[1, :, 0] == 0).all()


def test_leading_dimensions_are_independent():
    """A batch of regions gives exactly the numbers of each region run alone."""
    population, Lx, asfr, counts, rates = _random_inputs(7, 5, lead=(4, 2))
    batch = project(population, Lx, asfr, migration_count=counts, migration_rate=rates)
    single = project(population[2, 1], Lx[2, 1], asfr[2, 1], migration_count=counts[2, 1],
                     migration_rate=rates[2, 1])
    np.testing.assert_array_equal(batch.population[2, 1], single.population)
    np.testing.assert_array_equal(batch.deaths[2, 1], single.deaths)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), steps=st.integers(1, 6))
def test_rates_held_over_the_steps_give_the_numbers_of_rates_given_every_step(seed, steps):
    """Rates of one step are read for every step without being copied per step: the same numbers, bit for bit."""
    population, Lx, asfr, counts, rates = _random_inputs(seed, steps)
    held = project(population, Lx, asfr, migration_count=counts, migration_rate=rates)
    every = project(population, Lx, asfr, migration_count=counts,
                    migration_rate=np.ascontiguousarray(np.broadcast_to(rates, rates.shape[:-3] + (steps, 2, 101))))
    shared = project(population, Lx, asfr, migration_count=counts, migration_rate=rates[0, 0])  # (2, A), all rows
    for name in ("population", "births", "deaths", "net_migration", "migration_capped"):
        np.testing.assert_array_equal(getattr(held, name), getattr(every, name), err_msg=name)
    shared_every = project(population, Lx, asfr, migration_count=counts,
                           migration_rate=np.broadcast_to(rates[0, 0], (3, steps, 2, 101)).copy())
    np.testing.assert_array_equal(shared.population, shared_every.population)
