"""Life tables: the national pattern scaled to a target e0, the tabulated scales, the published e0."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.io import params as data
from toolkit.io.inputs import load_population_inputs
from toolkit.population.jumpoff import national_patterns
from toolkit.population.lifetable import (
    a0_andreev_kingkade,
    life_expectancy,
    life_table,
    solve_scale,
    tabulated_person_years,
    tabulated_scale,
)
from toolkit.population.rates import person_years

INPUTS = load_population_inputs()  # the shipped params/data

FEMALE = np.array([True, False])


@settings(max_examples=40, deadline=None)
@given(e0_f=st.floats(60.0, 95.0), e0_m=st.floats(55.0, 92.0))
def test_life_table_reproduces_target_e0(e0_f, e0_m):
    pattern = national_patterns(INPUTS, 2025).mortality
    target = np.array([e0_f, e0_m])
    Lx, scale = person_years(target, pattern)
    np.testing.assert_allclose(life_expectancy(scale[:, None] * pattern, FEMALE), target, atol=1e-8)
    assert (np.diff(Lx[:, :-1], axis=-1) <= 1e-12).all()  # person-years fall with age


def test_national_life_table_is_close_to_published_e0():
    """The scaled pattern is Statistics Finland's single-age table; unscaled, it gives Finland's e0."""
    pattern = national_patterns(INPUTS, 2025).mortality
    e0 = life_expectancy(pattern, FEMALE)
    published = data.load_life_expectancy().sel(region_code="SSS", year=2024).sel(sex=["F", "M"]).values
    np.testing.assert_allclose(e0, published, atol=0.4)


def test_constant_hazard_life_table_has_the_exponential_survivors():
    """With the same rate m at every age, l(x) = ((1 - m/2)/(1 + m/2))^x for x ≥ 1 and the open group lives 1/m."""
    m = 0.02
    mx = np.full((1, 101), m)
    table = life_table(mx, np.array([False]))
    ratio = (1 - m / 2) / (1 + m / 2)
    np.testing.assert_allclose(table["lx"][0, 1:] / table["lx"][0, 1], ratio ** np.arange(100), rtol=1e-12)
    assert table["Lx"][0, -1] == pytest.approx(table["lx"][0, -1] / m)
    assert np.all(np.diff(table["lx"][0]) <= 0)
    assert table["Tx"][0, 0] == pytest.approx(table["Lx"][0].sum())


def test_andreev_kingkade_infant_separation_factors():
    """The published segments of Andreev & Kingkade (2015), table 3: constant above the threshold, linear below."""
    female, male = np.array([True]), np.array([False])
    assert a0_andreev_kingkade(np.array([0.1]), female)[0] == pytest.approx(0.3141)
    assert a0_andreev_kingkade(np.array([0.1]), male)[0] == pytest.approx(0.29915)
    assert a0_andreev_kingkade(np.array([0.002]), female)[0] == pytest.approx(0.14903 - 2.05527 * 0.002)
    assert a0_andreev_kingkade(np.array([0.03]), male)[0] == pytest.approx(0.02832 + 3.26021 * 0.03)


def test_scaling_moves_e0_down_monotonically_and_the_table_matches_the_solver():
    pattern = national_patterns(INPUTS, 2025).mortality
    female = np.array([True, False])
    thetas = np.exp(np.linspace(-1.0, 1.0, 9))
    e0 = np.array([life_expectancy(theta * pattern, female) for theta in thetas])  # (9, 2)
    assert np.all(np.diff(e0, axis=0) < 0)
    target = np.array([[85.0, 80.0]])
    exact = solve_scale(pattern, female, target)
    np.testing.assert_allclose(life_expectancy(exact[..., None] * pattern, female), target, atol=1e-8)
    np.testing.assert_allclose(tabulated_scale(target, pattern), exact, rtol=2e-3)
    tabulated = tabulated_person_years(target, pattern)
    np.testing.assert_allclose(tabulated.sum(-1), target, atol=1e-4)
