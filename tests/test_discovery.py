"""Scenario discovery and sensitivity: SALib wrapper on Ishigami, PRIM on a planted box, the engine in batches."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit import discovery, goals
from toolkit.errors import InputError
from toolkit.io.discovery import load_discovery_ranges
from toolkit.population.project import project_population
from toolkit.text.goals import matters_sentence

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return (np.sin(x[:, 0]) + ISHIGAMI_A * np.sin(x[:, 1]) ** 2
            + ISHIGAMI_B * x[:, 2] ** 4 * np.sin(x[:, 0]))


def test_sobol_indices_of_the_ishigami_function():
    # analytic values (Saltelli et al. 2008 / Sobol' & Levitan 1999): S1 0.3139, 0.4424, 0; ST 0.5576, 0.4424, 0.2437
    table = discovery.sobol_analysis(ishigami, ["x1", "x2", "x3"], [(-np.pi, np.pi)] * 3, 8192, seed=1)
    assert table["S1"].to_numpy() == pytest.approx([0.3139, 0.4424, 0.0], abs=0.02)
    assert table["ST"].to_numpy() == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.02)
    assert (table["S1_conf"] < 0.05).all()


def test_the_confidence_intervals_of_seed_zero_are_reproducible():
    """SALib treats a seed of 0 as none; the packs' default seed is 0, and their intervals must not change."""
    limits = [(-np.pi, np.pi)] * 3
    values = discovery.sample(["x1", "x2", "x3"], limits, 256, method="sobol", seed=0)
    outputs = ishigami(values)[:, None]
    np.random.seed(1)  # noqa: NPY002 - the legacy global state is what is tested
    first = discovery.analyse_sobol(["x1", "x2", "x3"], limits, outputs, seed=0)
    np.random.seed(2)  # noqa: NPY002 - numpy's global state, which SALib's unseeded bootstrap reads
    again = discovery.analyse_sobol(["x1", "x2", "x3"], limits, outputs, seed=0)
    pd.testing.assert_frame_equal(first, again)
    other = discovery.analyse_sobol(["x1", "x2", "x3"], limits, outputs, seed=5)
    assert not np.array_equal(first["S1_conf"], other["S1_conf"])  # the seed reaches the bootstrap
    np.testing.assert_array_equal(first["S1"], other["S1"])  # the indices themselves do not depend on it


def test_prim_recovers_a_planted_box():
    rng = np.random.default_rng(7)
    samples = pd.DataFrame(rng.uniform(size=(3000, 4)), columns=["a", "b", "c", "d"])
    inside = samples["a"].between(0.2, 0.5) & samples["b"].between(0.6, 0.9)
    noise = rng.uniform(size=len(samples)) < 0.02  # a few cases of interest outside the box
    (box,) = discovery.prim_boxes(samples, (inside | noise).to_numpy(), threshold=0.8, min_coverage=0.7)
    assert set(box.restricted) == {"a", "b"}
    limits = box.limits.set_index("lever")
    assert limits.loc["a", "low"] == pytest.approx(0.2, abs=0.03) and limits.loc["a", "high"] == pytest.approx(
        0.5, abs=0.03)
    assert limits.loc["b", "low"] == pytest.approx(0.6, abs=0.03) and limits.loc["b", "high"] == pytest.approx(
        0.9, abs=0.03)
    assert box.density > 0.8 and box.coverage > 0.7
    assert box.mass == pytest.approx(box.contains(samples).mean(), abs=1e-9)


@pytest.fixture(scope="module")
def vitality():
    return goals.goal_inputs("kainuu", "vitality")


def test_ranges_are_labelled_assumptions_in_the_scenarios_own_form(vitality):
    ranges = load_discovery_ranges()
    assert [r.lever for r in ranges] == ["tfr", "additional_net_migration", "migration_rate_scale",
                                         "e0_gain_per_decade", "participation_change:55-64", "retirement_age_shift"]
    limits = dict((name, (low, high)) for name, low, high in discovery.bounds(vitality, ranges))
    # vitality's TFR is a change: the levels 1.06..1.87 become changes from the last observed TFR
    assert limits["tfr"] == pytest.approx((1.06 - vitality.base.tfr, 1.87 - vitality.base.tfr))


def test_samples_through_the_engine_equal_project_population(vitality):
    names = ["tfr", "additional_net_migration", "e0_gain_per_decade"]
    values = np.array([[0.1, -2.0, 1.0], [0.4, 6.0, 2.5]])
    outcomes = discovery.evaluate_samples(vitality, names, values, [("0-14", 2050), ("85+", 2050)], batch=1)
    for row, result in zip(values, outcomes, strict=True):
        scenario = vitality.scenario
        for name, value in zip(names, row, strict=True):
            scenario = goals.with_lever(scenario, "kainuu", name, value)
        ds = project_population("kainuu", scenario).population_group.sel(year=2050).squeeze()
        # life tables read from the tabulated grid: e0 within about 1e-5 years
        assert result == pytest.approx([float(ds.sel(age_group="0-14")), float(ds.sel(age_group="85+"))], rel=1e-5)


def test_sobol_indices_table_per_area(vitality):
    ranges = load_discovery_ranges()
    table = discovery.sobol_indices([vitality], ranges, [("15-64", 2040), ("labour_balance", 2040)], n=128)
    assert set(table.columns) >= {"region", "scenario", "outcome", "year", "lever", "S1", "ST"}
    assert len(table) == 2 * len(ranges)
    population = table[table["outcome"] == "15-64"].set_index("lever")
    # skills levers cannot move a population group; fertility after 2025 cannot reach 15-64 by 2040
    assert population.loc["participation_change:55-64", "ST"] == 0
    assert population.loc["tfr", "ST"] == pytest.approx(0, abs=1e-6)
    balance = table[table["outcome"] == "labour_balance"].set_index("lever")
    assert balance.loc["participation_change:55-64", "ST"] > 0.01
    assert balance.loc["retirement_age_shift", "ST"] == 0
    sentence = matters_sentence(table, "kainuu", "labour_balance", 2040, "en", area="Kainuu")
    assert sentence.startswith("What matters most for the labour balance") and "%" in sentence


def test_discovery_finds_the_migration_needed(vitality):
    ranges = load_discovery_ranges()
    result = discovery.discover(vitality, ranges, "15-64", 2040, 33_000, samples=600, seed=2)
    assert result.samples.shape == (600, len(ranges) + 1)
    (box,) = result.boxes
    assert "additional_net_migration" in box.restricted
    # the box's lower migration limit is near the goal-seek answer with the other levers at the scenario's values
    answer = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 33_000, inputs=vitality)
    low = float(box.limits.set_index("lever").loc["additional_net_migration", "low"])
    assert abs(low - answer.value) < 3.0
    assert 0 < box.density <= 1 and 0 < box.coverage <= 1


def test_bad_sampling_requests():
    with pytest.raises(InputError, match="power of 2"):
        discovery.sample(["a"], [(0, 1)], 100, method="sobol")
    with pytest.raises(InputError, match="allowed: latin, sobol"):
        discovery.sample(["a"], [(0, 1)], 100, method="grid")
    with pytest.raises(InputError, match="PRIM needs some cases"):
        discovery.prim_boxes(pd.DataFrame({"a": [0.1, 0.2]}), np.array([False, False]))


def test_outcomes_of_early_years_equal_those_of_the_whole_run(vitality):
    """The engine runs only to the last year asked for: the numbers of a full-length run, bit for bit."""
    from toolkit.goals.evaluate import apply_lever, central_paths, lever_spec, project_paths

    names = ["tfr", "additional_net_migration"]
    values = np.array([[1.2, 5.0], [1.6, -2.0], [1.9, 0.0]])
    outcomes = [("15-64", 2030), ("0-14", 2035)]
    early = discovery.evaluate_samples(vitality, names, values, outcomes)
    paths = central_paths(vitality, len(values))
    for column, name in enumerate(names):
        paths = apply_lever(vitality, lever_spec(vitality, name), values[:, column], paths)
    population, _ = project_paths(vitality, paths, exact_life_tables=False)  # to the horizon
    assert population.shape[1] == vitality.years.size
    from toolkit.nomenclature import AGE_GROUPS, GROUP_MEMBERS

    years = list(vitality.years)
    full = np.stack([population[:, years.index(year)].sum(-2) @ GROUP_MEMBERS[list(AGE_GROUPS).index(group)]
                     for group, year in outcomes], -1)
    np.testing.assert_array_equal(early, full)


def test_batches_keep_the_order_of_the_combinations(vitality):
    names = ["additional_net_migration", "participation_change:55-64"]
    # rows 0 and 2 share their population run (they differ in participation only); rows are not sorted
    values = np.array([[6.0, 1.0], [-3.0, 0.0], [6.0, 8.0], [2.0, 4.0]])
    outcomes = [("15-64", 2040), ("labour_balance", 2035)]
    together = discovery.evaluate_samples(vitality, names, values, outcomes)
    one_by_one = discovery.evaluate_samples(vitality, names, values, outcomes, batch=1)
    np.testing.assert_allclose(together, one_by_one, rtol=1e-12)
    assert together[0, 0] == together[2, 0] and together[2, 1] > together[0, 1]
