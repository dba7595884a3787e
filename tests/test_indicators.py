"""Tests of toolkit.indicators on hand-made and tiny synthetic populations."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from tests.synthetic import population_run, uniform_population
from toolkit.errors import InputError
from toolkit.indicators import (
    AGE_GROUPS,
    MEASURES,
    QUANTILES,
    age_group_totals,
    central,
    change_percent,
    dependency_ratios,
    headline_population,
    population_measure,
    summarise_draws,
)


@pytest.fixture(scope="module")
def deterministic():
    return population_run()


@pytest.fixture(scope="module")
def ensemble():
    return population_run(draws=40)


@pytest.fixture(scope="module")
def summary():
    return population_run(draws=40, quantiles=True)


def test_synthetic_run_keeps_the_accounting_identity(deterministic):
    total = deterministic["population"].sum("age")
    flows = (
        deterministic["births"]
        - deterministic["deaths"].sum("age")
        + deterministic["net_migration"].sum("age")
    )
    xr.testing.assert_allclose(
        total.isel(year=slice(1, None)), (total.shift(year=1) + flows).isel(year=slice(1, None))
    )


def test_age_groups_of_a_uniform_population():
    totals = age_group_totals(uniform_population(10.0))
    expected = {
        "0-14": 300,
        "15-64": 1000,
        "65+": 720,
        "75+": 520,
        "85+": 320,
        "7-15": 180,
        "16-18": 60,
    }
    assert totals.dims == ("age_group",)
    for group, persons in expected.items():
        assert totals.sel(age_group=group).item() == pytest.approx(persons)


def test_dependency_ratios_known_values():
    ratios = dependency_ratios(uniform_population(10.0))
    assert ratios["old_age_dependency"].item() == pytest.approx(72.0)
    assert ratios["total_dependency"].item() == pytest.approx(102.0)


def test_dependency_ratio_of_a_hand_made_population():
    population = xr.zeros_like(uniform_population())
    population.loc[{"sex": "F", "age": 30}] = 150.0
    population.loc[{"sex": "M", "age": 50}] = 50.0
    population.loc[{"sex": "M", "age": 80}] = 60.0
    population.loc[{"sex": "F", "age": 5}] = 40.0
    ratios = dependency_ratios(population)
    assert ratios["old_age_dependency"].item() == pytest.approx(30.0)
    assert ratios["total_dependency"].item() == pytest.approx(50.0)


def test_age_group_bounds_are_checked():
    with pytest.raises(InputError, match="bounds"):
        age_group_totals(uniform_population(), {"broken": (70, 60)})


def test_age_groups_keep_leading_dimensions(ensemble):
    totals = age_group_totals(ensemble["population"])
    assert totals.dims == ("region", "scenario", "draw", "year", "age_group")
    np.testing.assert_allclose(
        totals.sel(age_group=["0-14", "15-64", "65+"]).sum("age_group"),
        ensemble["population"].sum(["sex", "age"]),
    )


def test_every_measure_works_with_draws_and_quantiles(deterministic, ensemble, summary):
    for measure in MEASURES:
        plain = population_measure(deterministic["population"], measure)
        drawn = population_measure(ensemble["population"], measure)
        summarised = population_measure(summary["population"], measure)
        assert plain.dims == ("region", "scenario", "year")
        assert drawn.dims == ("region", "scenario", "draw", "year")
        assert summarised.dims == ("region", "scenario", "quantile", "year")
        assert np.isfinite(drawn).all() and np.isfinite(summarised).all()


def test_unknown_measure_lists_the_allowed_ones(deterministic):
    with pytest.raises(InputError, match="old_age_dependency"):
        population_measure(deterministic["population"], "elderly")


def test_share_75_plus_is_a_percentage():
    share = population_measure(uniform_population(), "75+_share")
    assert share.item() == pytest.approx(100.0 * 26 / 101)


def test_change_percent_known_value_and_zero_base():
    x = xr.DataArray([[200.0, 250.0], [0.0, 5.0]], dims=("region", "year"), coords={"year": [2025, 2030]})
    change = change_percent(x, 2025, 2030)
    assert change.values[0] == pytest.approx(25.0)
    assert np.isnan(change.values[1])
    with pytest.raises(InputError, match="2040"):
        change_percent(x, 2025, 2040)


def test_change_percent_per_draw(ensemble):
    total = population_measure(ensemble["population"], "total")
    change = change_percent(total, 2025, 2030)
    assert change.dims == ("region", "scenario", "draw")
    expected = 100.0 * (total.sel(year=2030) / total.sel(year=2025) - 1.0)
    np.testing.assert_allclose(change, expected)


def test_summarise_draws_puts_quantile_where_draw_was(ensemble):
    summary = summarise_draws(ensemble["population"])
    assert summary.dims == ("region", "scenario", "quantile", "year", "sex", "age")
    assert list(summary["quantile"].values) == list(QUANTILES)
    assert (summary.diff("quantile") >= 0).all()
    np.testing.assert_allclose(summary.sel(quantile=0.5), ensemble["population"].median("draw"))


def test_summarise_draws_leaves_other_arrays_and_checks_levels(deterministic, ensemble):
    xr.testing.assert_identical(summarise_draws(deterministic["population"]), deterministic["population"])
    with pytest.raises(InputError, match="strictly between 0 and 1"):
        summarise_draws(ensemble["population"], quantiles=(0.5, 1.0))


def test_central_value_of_each_layout(deterministic, ensemble, summary):
    xr.testing.assert_equal(central(deterministic["population"]), deterministic["population"])
    xr.testing.assert_allclose(central(ensemble["population"]), ensemble["population"].median("draw"))
    xr.testing.assert_allclose(
        central(summary["population"]), summary["population"].sel(quantile=0.5, drop=True)
    )


def test_headline_population_numbers(deterministic):
    headline = headline_population(deterministic, "beta", "vitality", years=(2028, 2030))
    population = deterministic["population"].sel(region="beta", scenario="vitality")
    assert list(headline["year"].values) == [2025, 2028, 2030]
    total_2030 = population.sel(year=2030).sum().item()
    assert headline["total"].sel(year=2030).item() == pytest.approx(total_2030)
    base = population.sel(year=2025).sum().item()
    assert headline["change_percent"].sel(year=2030).item() == pytest.approx(100 * (total_2030 / base - 1))
    assert headline["change_percent"].sel(year=2025).item() == 0.0
    old = population.sel(year=2030, age=slice(65, 100)).sum().item()
    working = population.sel(year=2030, age=slice(15, 64)).sum().item()
    assert headline["old_age_dependency"].sel(year=2030).item() == pytest.approx(100 * old / working)
    aged_75 = population.sel(year=2030, age=slice(75, 100)).sum().item()
    assert headline["75+_share"].sel(year=2030).item() == pytest.approx(100 * aged_75 / total_2030)


def test_headline_population_with_draws_and_quantiles(ensemble, summary):
    drawn = headline_population(ensemble, "alpha", "baseline", years=(2030,))
    summarised = headline_population(summary, "alpha", "baseline", years=(2030,))
    assert drawn["total"].dims == ("draw", "year")
    assert summarised["total"].dims == ("quantile", "year")
    assert (summarised["total"].sel(year=2030).diff("quantile") >= 0).all()


def test_headline_population_names_what_is_missing(deterministic):
    with pytest.raises(InputError, match="present: alpha, beta"):
        headline_population(deterministic, "gamma", "baseline")
    with pytest.raises(InputError, match="scenario 'boom'"):
        headline_population(deterministic, "alpha", "boom", years=(2030,))
    with pytest.raises(InputError, match=r"year \[2050\]"):
        headline_population(deterministic, "alpha", "baseline", years=(2050,))


def test_standard_groups_are_the_documented_ones():
    assert AGE_GROUPS["7-15"] == (7, 15)
    assert AGE_GROUPS["16-18"] == (16, 18)
    assert AGE_GROUPS["15-64"] == (15, 64)
