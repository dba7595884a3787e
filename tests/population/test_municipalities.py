"""The 309 municipalities: real bases, shrunk migration, and the top-down reconciliation with the maakunnat."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr

from toolkit.io import municipal as data
from toolkit.io.inputs import load_population_inputs
from toolkit.population import project
from toolkit.population.municipalities import balance_additive, municipal_model, rake
from toolkit.population.project import project_population
from toolkit.regions import areas, get_region, maakunnat

INPUTS = load_population_inputs()
SCENARIOS = ["baseline", "decline"]
HORIZON = 2040
RULE_TOLERANCE = 2.0  # per 1,000 a year: what the reconciliation may add to a municipality's own deviation


@pytest.fixture(scope="module")
def runs() -> tuple[xr.Dataset, xr.Dataset]:
    """All 309 municipalities and the 19 maakunnat (deterministic, two scenarios, to 2040)."""
    municipalities = project_population(areas("municipality"), SCENARIOS, horizon=HORIZON, inputs=INPUTS)
    regions = project_population(maakunnat(), SCENARIOS, horizon=HORIZON, inputs=INPUTS)
    return municipalities, regions


def by_maakunta(ds: xr.Dataset, name: str) -> xr.DataArray:
    key = data.municipality_key()
    parent = xr.DataArray(key["region_code"].reindex(ds.region_code.values).values, dims="region", name="maakunta")
    return ds[name].groupby(parent).sum()


def test_municipalities_sum_to_their_maakunta_by_sex_and_age_every_year(runs):
    municipalities, regions = runs
    for name in ("population", "births", "deaths", "net_migration"):
        first = 2025 if name == "population" else 2026  # flows are NaN in the base year
        summed = by_maakunta(municipalities.sel(year=slice(first, None)), name)
        reference = regions[name].sel(year=slice(first, None))
        reference = reference.assign_coords(region=regions.region_code.values).rename(region="maakunta")
        reference = reference.sel(maakunta=summed.maakunta)
        np.testing.assert_allclose(summed.values, reference.values, atol=1e-6, rtol=1e-9, err_msg=name)


def test_base_year_sums_to_the_observed_population(runs):
    municipalities, _ = runs
    base = municipalities.population.sel(scenario="baseline", year=2025)
    assert float(base.sum()) == pytest.approx(5_652_881, abs=1e-6)
    observed = INPUTS.population.sel(year=2025, region_code=[r.code for r in maakunnat()])
    summed = by_maakunta(municipalities.sel(scenario="baseline", year=2025), "population")
    np.testing.assert_allclose(summed.values, observed.sel(region_code=summed.maakunta.values).values, atol=1e-6)
    assert bool((municipalities.population >= 0).all())


def test_every_municipality_keeps_the_balancing_equation(runs):
    ds = runs[0]
    flows = ds.sel(year=slice(2026, None))
    change = ds.population.sum("age").diff("year")
    residual = change - flows.births + flows.deaths.sum("age") - flows.net_migration.sum("age")
    assert float(abs(residual).max()) < 1e-6


def test_an_area_is_the_sum_of_its_municipalities(runs):
    municipalities, _ = runs
    chosen = ["Kajaani+Kuopio", "yla-savo", "hameenlinna"]
    ds = project_population(chosen, SCENARIOS, horizon=HORIZON, inputs=INPUTS)
    for name in chosen:
        area = get_region(name)
        members = municipalities.sel(region=[m for m in municipalities.region.values
                                             if municipalities.region_code.sel(region=m) in area.municipalities])
        assert members.sizes["region"] == len(area.municipalities)
        for variable in ("population", "births", "deaths", "net_migration"):
            expected = members[variable].sum("region", skipna=False).values
            np.testing.assert_allclose(ds[variable].sel(region=area.id).values, expected, atol=1e-6,
                                       err_msg=f"{name} {variable}")
    assert set(json.loads(ds.attrs["estimated_regions"])) == {get_region(n).id for n in chosen}
    assert all("reconciled with the maakunta" in note for note in json.loads(ds.attrs["estimation_notes"]))


def projected_deviation(municipalities: xr.Dataset, regions: xr.Dataset) -> np.ndarray:
    """Mean net migration 2026-2040 per 1,000 person-years of each municipality minus its maakunta's (baseline)."""
    def rate(ds):
        ds = ds.sel(scenario="baseline")
        people = ds.population.sum(["sex", "age"])
        later = slice(2026, None)
        person_years = 0.5 * (people.sel(year=slice(2025, HORIZON - 1)).values + people.sel(year=later).values)
        migrants = ds.net_migration.sel(year=later).sum(["sex", "age", "year"]).values
        return 1000.0 * migrants / person_years.sum(-1)

    regional = dict(zip(regions.region_code.values, rate(regions), strict=True))
    key = data.municipality_key()
    parent = key["region_code"].reindex(municipalities.region_code.values)
    return rate(municipalities) - np.array([regional[code] for code in parent])


def test_no_baseline_changes_by_more_than_its_own_history_supports(runs):
    """The rule (docs/municipalities.md): a municipality's projected net migration against its maakunta's (2026-2040,
    per 1,000 a year) lies within the range of its own 10-year mean deviations observed in 1990-2017 and 2020-2021,
    widened by RULE_TOLERANCE for the reconciliation."""
    municipalities, regions = runs
    table = municipal_model(INPUTS, 2025).migration.reindex(municipalities.region_code.values)
    deviation = projected_deviation(municipalities, regions)
    outside = (deviation < table["low"] - RULE_TOLERANCE) | (deviation > table["high"] + RULE_TOLERANCE)
    assert not outside.any(), table[outside.to_numpy()].assign(projected=deviation[outside.to_numpy()])
    assert len(deviation) == 309
    # the errors of the published totals no longer drive a baseline: Mäntyharju, Sottunga and Kankaanpää fall
    total = municipalities.population.sel(scenario="baseline").sum(["sex", "age"])
    change = (total.sel(year=2040) / total.sel(year=2025)).assign_coords(region=municipalities.region_code.values)
    for code in ("KU507", "KU766", "KU214"):
        assert 0.6 < float(change.sel(region=code)) < 1.0, code
    assert 0.55 < float(change.min()) and float(change.max()) < 1.4


def test_shrinkage_weights_follow_the_noise():
    table = municipal_model(INPUTS, 2025).migration
    assert ((table["weight"] > 0) & (table["weight"] < 1)).all()
    assert (np.abs(table["shrunk"]) <= np.abs(table["mean"]) + 1e-12).all()
    noisy = table["variance"] > table["variance"].median()
    assert table.loc[noisy, "weight"].mean() < table.loc[~noisy, "weight"].mean()
    assert ((table["deviation"] >= table["low"] - 1e-12) & (table["deviation"] <= table["high"] + 1e-12)).all()


def test_repaired_totals_are_met_in_the_carried_base():
    """The 2021 totals by sex (Mäntyharju and Pertunmaa repaired) are kept by the raking: the carry-forward's
    2021 state is the observed one, so the 2025 base of Mäntyharju starts from about 5,600, not 7,279."""
    model = municipal_model(INPUTS, 2021)
    totals = data.harmonised_totals()
    latest = totals[(totals["year"] == 2021)].pivot_table(index="municipality_code", columns="sex", values="population")
    population = model.population.sum(-1)  # (M, 2)
    np.testing.assert_allclose(population, latest.loc[list(model.codes), ["F", "M"]].to_numpy(), atol=1e-6)
    assert 5_500 < population[model.index("KU507")].sum() < 5_700


def test_rake_meets_both_margins_and_keeps_the_odds_ratios():
    seed = np.array([[10.0, 20.0, 5.0], [30.0, 10.0, 25.0]])
    rows, cols = np.array([50.0, 70.0]), np.array([40.0, 35.0, 45.0])
    table = rake(seed, rows, cols)
    np.testing.assert_allclose(table.sum(-1), rows)
    np.testing.assert_allclose(table.sum(-2), cols)
    odds = lambda t: t[0, 0] * t[1, 1] / (t[0, 1] * t[1, 0])  # noqa: E731 - the cross-product ratio IPF preserves
    assert odds(table) == pytest.approx(odds(seed))
    empty = rake(np.array([[0.0, 1.0], [0.0, 3.0]]), np.array([2.0, 6.0]), np.array([4.0, 4.0]))
    np.testing.assert_allclose(empty.sum(-2), [4.0, 4.0])


def test_additive_balance_meets_signed_margins():
    rng = np.random.default_rng(1)
    values = rng.normal(size=(4, 6))
    rows = rng.normal(size=4)
    cols = rng.normal(size=6)
    cols += (rows.sum() - cols.sum()) / 6
    out = balance_additive(values, rows, cols, np.ones(4), np.ones(6))
    np.testing.assert_allclose(out.sum(-1), rows)
    np.testing.assert_allclose(out.sum(-2), cols)


def test_draws_of_an_area_centre_on_its_reconciled_run():
    central = project_population("KU205", ["baseline"], horizon=2027, inputs=INPUTS)
    bands = project_population("KU205", ["baseline"], horizon=2027, inputs=INPUTS, draws=20, seed=3, quantiles=True,
                               calibrated=False)
    total = central.population.sum(["sex", "age"]).sel(year=2027).item()
    quantiles = bands.population.sum(["sex", "age"]).sel(year=2027).squeeze()
    assert float(quantiles.min()) < total < float(quantiles.max())
    assert abs(float(quantiles.sel(quantile=0.5)) / total - 1) < 0.02


CHUNKED_AREAS = ["kajaani", "hameenlinna", "kainuu", "hyrynsalmi"]  # two in Kainuu, apart in the order


def test_the_draws_of_a_maakuntas_municipalities_add_up_to_its_draws():
    """An area draws its maakunta's shocks: Kainuu's eight municipalities sum to Kainuu in every draw (median gap
    0.15 % in 2040; 8 % with a stream of their own) and their 10th and 90th percentiles add up to Kainuu's."""
    kainuu = get_region("kainuu")
    own = [a.id for a in areas(level="municipality") if set(a.municipalities) <= set(kainuu.municipalities)]
    options = dict(horizon=2040, draws=100, seed=0, quantiles=False, national=True)
    municipal = project_population(own, ["baseline"], **options).population.sum(["sex", "age"]).isel(scenario=0)
    region = project_population(["kainuu"], ["baseline"], **options).population.sum(["sex", "age"]).isel(
        scenario=0, region=0)
    gap = np.abs(municipal.sum("region") / region - 1).sel(year=[2030, 2040])
    assert len(own) == 8
    assert float(gap.sel(year=2030).median()) < 0.001 and float(gap.sel(year=2040).median()) < 0.005
    assert float(gap.max()) < 0.03
    for q in (0.1, 0.9):
        summed = float(municipal.sel(year=2040).quantile(q, "draw").sum())
        assert summed == pytest.approx(float(region.sel(year=2040).quantile(q)), rel=0.01)


def test_groups_keep_the_areas_of_a_maakunta_together_and_follow_the_budget():
    bases = [project.region_base(INPUTS, get_region(area), 2025) for area in CHUNKED_AREAS]
    model = municipal_model(INPUTS, 2025)
    municipal = {i for i, base in enumerate(bases) if project.uses_municipal_model(INPUTS, base.region, 2025)}
    assert municipal == {0, 1, 3}
    assert project._groups(bases, municipal, model, 2, 4, budget=1) == [[0, 3], [1], [2]]
    assert project._groups(bases, municipal, model, 2, 4, budget=10**12) == [[0, 1, 2, 3]]


@pytest.mark.parametrize("run", [dict(draws=0), dict(draws=6, quantiles=True), dict(draws=4, quantiles=False)],
                         ids=["deterministic", "quantiles", "draws"])
def test_a_run_in_many_groups_gives_the_numbers_of_one_group(run, monkeypatch):
    """The chunk budget only decides how many areas are worked on at once: forcing one group per maakunta gives
    the numbers of the whole run in one group, to the last bit."""
    args = dict(horizon=2029, seed=5, national=True, inputs=INPUTS, jobs=2, **run)
    monkeypatch.setattr(project, "CHUNK_BUDGET_BYTES", 10**12)
    whole = project_population(CHUNKED_AREAS, SCENARIOS, **args)
    calls = []
    reconciled = project._reconciled_areas

    def counted(*a, **k):
        calls.append([area.id for area in a[1]])
        return reconciled(*a, **k)

    monkeypatch.setattr(project, "CHUNK_BUDGET_BYTES", 1)
    monkeypatch.setattr(project, "_reconciled_areas", counted)
    grouped = project_population(CHUNKED_AREAS, SCENARIOS, **args)
    assert calls == [["kajaani", "hyrynsalmi"], ["hameenlinna"]]  # one reconciliation per group of a maakunta
    assert list(grouped.region.values) == CHUNKED_AREAS
    xr.testing.assert_identical(whole, grouped)


def test_a_run_in_many_groups_on_a_dask_cluster_gives_the_local_numbers(monkeypatch):
    """Each scenario's national balance is shipped to the cluster once for all the groups of a run."""
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(project, "CHUNK_BUDGET_BYTES", 1)
    args = dict(horizon=2028, draws=5, seed=2, quantiles=True, national=True, inputs=INPUTS)
    local = project_population(CHUNKED_AREAS, SCENARIOS, jobs=2, **args)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,  # in-process: no sockets
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        scatter = client.scatter
        shipped = []
        monkeypatch.setattr(client, "scatter", lambda *a, **k: shipped.append(1) or scatter(*a, **k))
        remote = project_population(CHUNKED_AREAS, SCENARIOS, client=client, **args)
    assert len(shipped) == len(SCENARIOS)
    xr.testing.assert_identical(local.drop_attrs(), remote.drop_attrs())


def test_a_refreshed_later_year_of_some_municipalities_becomes_their_base(tmp_path, monkeypatch):
    """`forum data refresh --municipality` adds later single years of an area's municipalities only: those years
    replace the carried estimate, the maakunta's other municipalities take the rest, and nothing after the base
    year is used."""
    import pandas as pd

    from tests.badinputs import params_copy
    from toolkit.population.municipalities import municipal_base

    shipped = municipal_model(INPUTS, 2025)
    folder = params_copy(tmp_path, monkeypatch)
    path = folder / "data" / "municipality_population_2018_2019.csv"
    table = pd.read_csv(path.resolve())
    structure = table[table["municipality_code"].isin(["KU205", "KU765"]) & (table["year"] == 2019)]
    structure = structure.sort_values(["municipality_code", "sex", "age"])
    carried = np.concatenate([shipped.population[shipped.index(code)].ravel() for code in ("KU205", "KU765")])
    later = structure.assign(year=2025, population=np.round(carried * 0.97).astype(int))  # 3 % fewer, rounded
    after = structure.assign(year=2026, population=structure["population"] * 5)  # after the base year: unused
    path.unlink()
    pd.concat([table, later, after]).to_csv(path, index=False)
    inputs = load_population_inputs()
    try:
        model = municipal_model(inputs, 2025)
        assert model.observed == ("KU205", "KU765")
        for code in ("KU205", "KU765"):
            rows = later[later["municipality_code"] == code].sort_values(["sex", "age"])
            np.testing.assert_array_equal(model.population[model.index(code)].ravel(), rows["population"].to_numpy())
        kainuu = [i for i, parent in enumerate(model.region_codes) if parent == "MK18"]
        observed = inputs.population.sel(region_code="MK18", year=2025).transpose("sex", "age").values
        np.testing.assert_allclose(model.population[kainuu].sum(0), observed, rtol=1e-9, atol=1e-6)
        assert (model.population >= 0).all()
        others = [i for i in kainuu if model.codes[i] not in ("KU205", "KU765")]
        assert not np.allclose(model.population[others], shipped.population[others])  # they take the rest
        elsewhere = [i for i, parent in enumerate(model.region_codes) if parent != "MK18"]
        np.testing.assert_array_equal(model.population[elsewhere], shipped.population[elsewhere])
        note = municipal_base(inputs, get_region("kajaani-sotkamo"), 2025).notes[0]
        assert "base population observed (2025 single years by sex, refreshed)" in note
        joined = municipal_base(inputs, get_region("Kajaani+Kuhmo"), 2025).notes[0]
        assert "estimated" in joined and "(observed in 2025 for KU205)" in joined
    finally:
        municipal_model.cache_clear()
        municipal_base.cache_clear()
        data.clear_caches()
