"""Probabilistic projections: seeding, quantiles, bands, national consistency, hindcast, scale-out."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.io.inputs import load_population_inputs
from toolkit.population.ensemble import QUANTILES, standard_normals
from toolkit.population.jumpoff import migration_rates, national_patterns
from toolkit.population.lifetable import tabulated_person_years
from toolkit.population.project import project_population
from toolkit.regions import maakunnat

INPUTS = load_population_inputs()  # the shipped params/data

REGIONS = ["kainuu", "pirkanmaa"]
SCENARIOS = ["baseline", "decline"]


@pytest.fixture(scope="module")
def draws() -> xr.Dataset:
    return project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=7, jobs=1)


def test_draw_dimension_and_base_year(draws):
    assert draws.population.dims == ("region", "scenario", "draw", "year", "sex", "age")
    assert draws.sizes["draw"] == 40
    base = draws.population.sel(year=2025)
    xr.testing.assert_equal(base.isel(draw=0, drop=True).broadcast_like(base), base)  # one observed base


def test_same_seed_same_numbers_whatever_the_workers(draws):
    two_workers = project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=7, jobs=2)
    xr.testing.assert_identical(draws.drop_attrs(), two_workers.drop_attrs())


def test_a_draw_does_not_depend_on_the_number_of_draws_or_regions(draws):
    fewer = project_population(["pirkanmaa"], ["decline"], horizon=2040, draws=15, seed=7, jobs=1)
    np.testing.assert_array_equal(fewer.population.sel(region="pirkanmaa", scenario="decline").values,
                                  draws.population.sel(region="pirkanmaa", scenario="decline").isel(
                                      draw=slice(0, 15)).values)


def test_other_seed_other_numbers(draws):
    other = project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=8, jobs=1)
    assert not np.allclose(other.population.sel(year=2040).values, draws.population.sel(year=2040).values)
    assert other.attrs["seed_entropy"] == "8"


def test_identity_and_no_negative_cohort_in_every_draw(draws):
    stock = draws.population.sum("age")
    change = stock.diff("year")
    flows = (draws.births - draws.deaths.sum("age") + draws.net_migration.sum("age")).sel(year=change.year)
    assert float(np.abs(change - flows).max()) < 1e-6
    assert float(draws.population.min()) >= 0


def test_bands_widen_and_center_on_the_deterministic_run(draws):
    total = draws.population_group.sel(age_group="total")
    spread = total.quantile(0.9, "draw") - total.quantile(0.1, "draw")
    assert bool((spread.sel(year=2040) > spread.sel(year=2030)).all())
    assert bool((spread.sel(year=2030) > spread.sel(year=2026)).all())
    deterministic = project_population(REGIONS, SCENARIOS, horizon=2040).population_group.sel(age_group="total")
    median = total.median("draw")
    assert float(np.abs(median / deterministic - 1).sel(year=2040).max()) < 0.05


def test_common_random_numbers_across_scenarios(draws):
    """The same draw index has the same TFR deviation in every scenario of a region."""
    tfr = draws.tfr.sel(region="kainuu", year=2035)
    ratio = tfr / tfr.median("draw")
    np.testing.assert_allclose(ratio.sel(scenario="baseline"), ratio.sel(scenario="decline"), rtol=1e-9)


@pytest.fixture(scope="module")
def reduced() -> xr.Dataset:
    return project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=7, quantiles=True, jobs=1)


def test_quantiles_are_the_quantiles_of_the_draws(draws, reduced):
    """The year-by-year reduction gives np.quantile of the draw run: bit for bit where it adds in the same order."""
    assert reduced.population.dims == ("region", "scenario", "quantile", "year", "sex", "age")
    assert list(reduced["quantile"].values) == list(QUANTILES)

    projected = {"year": slice(2026, None)}  # flows are NaN in the base year

    def of_draws(values: xr.DataArray, like: xr.DataArray) -> np.ndarray:
        return values.sel(projected).quantile(list(QUANTILES), "draw").transpose(*like.dims).values

    for name in ("population", "deaths", "births", "tfr", "e0"):
        np.testing.assert_array_equal(reduced[name].sel(projected).values, of_draws(draws[name], reduced[name]),
                                      err_msg=name)
    np.testing.assert_allclose(reduced.population_group.sel(projected).values,
                               of_draws(draws.population_group, reduced.population_group), rtol=1e-12)
    for name in ("net_migration", "migration_capped"):  # summed over age by draw, then reduced
        total = reduced[f"{name}_total"]
        expected = of_draws(draws[name].sum("age"), total)
        np.testing.assert_allclose(total.sel(projected).values, expected, rtol=1e-12, atol=1e-9)
        assert bool(total.sel(year=2025).isnull().all())
    assert "net_migration" not in reduced and "deaths" in reduced


def test_quantiles_of_a_balanced_national_run():
    """With all 19 regions the migration rates change every year (the national balance): still np.quantile."""
    regions = [r.id for r in maakunnat()]
    run = {"horizon": 2029, "draws": 9, "seed": 3}
    drawn = project_population(regions, ["vitality"], **run).sel(year=slice(2026, None))
    reduced = project_population(regions, ["vitality"], quantiles=True, **run).sel(year=slice(2026, None))
    assert reduced.attrs["national_balance"] == 1
    for name in ("population", "deaths", "births"):
        expected = drawn[name].quantile(list(QUANTILES), "draw").transpose(*reduced[name].dims)
        np.testing.assert_array_equal(reduced[name].values, expected.values, err_msg=name)


def test_quantile_runs_do_not_depend_on_the_workers(reduced):
    threads = project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=7, quantiles=True, jobs=2)
    xr.testing.assert_identical(reduced.drop_attrs(), threads.drop_attrs())


def test_large_runs_reduce_to_quantiles_by_default():
    ds = project_population(["kainuu"], ["baseline"], horizon=2050, draws=5000, seed=1, jobs=1)
    assert "quantile" in ds.dims and "draw" not in ds.dims


def test_grid_life_tables_match_the_target_e0():
    mortality = national_patterns(INPUTS, 2025).mortality
    targets = np.array([[[84.1, 79.3], [90.5, 86.0]], [[70.0, 65.0], [95.0, 92.5]]])
    Lx = tabulated_person_years(targets, mortality)
    np.testing.assert_allclose(Lx.sum(-1), targets, atol=2e-5)  # e0 = Σ L(x) with radix 1


def test_streams_are_prefix_stable():
    np.testing.assert_array_equal(standard_normals(3, (1, 5), 10, 2)[:4], standard_normals(3, (1, 5), 4, 2))


def test_dask_cluster_gives_the_local_numbers(draws):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
        remote = project_population(REGIONS, SCENARIOS, horizon=2040, draws=40, seed=7, client=client)
    xr.testing.assert_identical(draws.drop_attrs(), remote.drop_attrs())


def test_a_national_run_on_a_dask_cluster_gives_the_local_numbers():
    """The national balance is shipped once per scenario (scattered) and the chunks complete in any order: the
    same numbers as local threads, to the last bit, with draws kept and reduced to quantiles."""
    distributed = pytest.importorskip("distributed")
    run = dict(horizon=2030, draws=6, seed=11, national=True)
    local = project_population(["kainuu", "hameenlinna"], ["baseline"], jobs=2, **run)
    local_q = project_population(["kainuu"], ["baseline"], quantiles=True, jobs=1, **run)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,  # in-process: no sockets
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = project_population(["kainuu", "hameenlinna"], ["baseline"], client=client, **run)
        remote_q = project_population(["kainuu"], ["baseline"], quantiles=True, client=client, **run)
    assert remote.attrs["national_balance"] == 1 and list(remote.region.values) == ["kainuu", "hameenlinna"]
    xr.testing.assert_identical(local.drop_attrs(), remote.drop_attrs())
    xr.testing.assert_identical(local_q.drop_attrs(), remote_q.drop_attrs())


def test_national_balance_sums_regional_migration_to_the_national_target():
    regions = [r.id for r in maakunnat()]
    ds = project_population(regions, ["baseline", "decline"], horizon=2035)
    assert ds.attrs["national_balance"] == 1
    rates = migration_rates(INPUTS, "SSS", 2025)
    scale = xr.DataArray([1.0, 0.6], dims="scenario", coords={"scenario": ["baseline", "decline"]})
    start = ds.population.sum("region").shift(year=1)  # the national population at the start of each year
    target = (scale * (start * xr.DataArray(rates, dims=("sex", "age"))).sum(["sex", "age"])).sel(
        year=slice(2026, None))
    regional = ds.net_migration.sum(["region", "sex", "age"]).sel(year=slice(2026, None))
    # the baseline has no additional migrants: the regions sum to the national target exactly
    np.testing.assert_allclose(regional.sel(scenario="baseline"), target.sel(scenario="baseline"), rtol=1e-9)
    # decline adds -2 per 1,000 a year on top: the rate part balances, the additional migrants add up
    additional = regional.sel(scenario="decline") - target.sel(scenario="decline")
    assert float(additional.sel(year=2035)) < 0
    alone = project_population(["kainuu"], ["baseline"], horizon=2035)
    assert alone.attrs["national_balance"] == 0


def test_without_the_national_level_each_maakunta_runs_alone():
    """``national_balance=False`` (the model selection's ``no-national-level``): the 19 maakunnat together give
    each one's own projection, with its draws, and the country is their sum, not the national target."""
    regions = [r.id for r in maakunnat()]
    apart = project_population(regions, ["baseline"], horizon=2030, draws=20, seed=3, quantiles=False,
                               national_balance=False)
    assert apart.attrs["national_balance"] == 0
    for region in ("kainuu", "uusimaa"):
        alone = project_population([region], ["baseline"], horizon=2030, draws=20, seed=3, quantiles=False)
        np.testing.assert_array_equal(apart.population.sel(region=region).values,
                                      alone.population.sel(region=region).values)
    together = project_population(regions, ["baseline"], horizon=2030)
    assert not np.allclose(apart.net_migration.sel(year=2030).sum().values,
                           together.net_migration.sel(year=2030).sum().values, rtol=1e-3)
    with pytest.raises(InputError, match="only for runs of maakunnat"):
        project_population(["kajaani"], ["baseline"], national_balance=False)
    with pytest.raises(InputError, match="only for runs of maakunnat"):
        project_population(["kainuu"], ["baseline"], national=True, national_balance=False)


@pytest.mark.parametrize(
    ("block", "match"),
    [
        ("uncertainty: {tfr: {scale: -1}}", "uncertainty.tfr.scale: Input should be greater than 0"),
        ("uncertainty: {tfr: {scale: 0}}", "uncertainty.tfr.scale: Input should be greater than 0"),
        ("uncertainty: {tfr: {distribution: cauchy}}", "uncertainty.tfr.distribution: Input should be 'normal'"),
        ("uncertainty: {correlation: [[1, 0.9, 0.9], [0.9, 1, -0.9], [0.9, -0.9, 1]]}", "not positive semi-definite"),
        ("uncertainty: {tfr: {sd: 0.1}}", "uncertainty.tfr.sd: Extra inputs are not permitted"),
    ],
)
def test_bad_uncertainty_specs_exit_2(tmp_path, capsys, block, match):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("id: s\nname: {fi: a, sv: b, en: c}\nnarrative: {fi: a, sv: b, en: c}\njustification: x\n"
                        + block + "\n", encoding="utf-8")
    out = tmp_path / "o.nc"
    code = main(["project", "--region", "kainuu", "--scenario", str(scenario), "--draws", "10", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and match in err and not out.exists()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--draws", "1000000"], "draws must be a whole number in 0..100000"),
        (["--scheduler", "tcp://127.0.0.1:9"], "cannot connect"),
        (["--base-year", "2005"], "base year must be a whole number in 2011..2025"),
    ],
)
def test_bad_ensemble_options_exit_2(tmp_path, capsys, argv, match):
    out = tmp_path / "o.nc"
    code = main(["project", "--region", "kainuu", "--scenario", "baseline", *argv, "--out", str(out)])
    assert code == 2 and match in capsys.readouterr().err and not out.exists()


def test_scenario_without_uncertainty_cannot_be_drawn(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("id: s\nname: {fi: a, sv: b, en: c}\nnarrative: {fi: a, sv: b, en: c}\njustification: x\n",
                        encoding="utf-8")
    with pytest.raises(InputError, match="no uncertainty block"):
        project_population("kainuu", [str(scenario)], draws=5)


def test_national_balance_uses_the_scenarios_own_lever_whatever_the_region_order(tmp_path):
    """A region block's migration_rate_scale moves migrants between regions; the national total stays the
    scenario's, and the result does not depend on the order the regions are named in."""
    from toolkit.scenarios import scenarios_dir

    text = (scenarios_dir() / "baseline.yaml").read_text(encoding="utf-8")
    scenario = tmp_path / "uusimaa-pull.yaml"
    scenario.write_text(text.replace("id: baseline", "id: uusimaa-pull")
                        + "regions:\n  uusimaa: {migration_rate_scale: 1.8}\n", encoding="utf-8")
    regions = [r.id for r in maakunnat()]
    forward = project_population(regions, [str(scenario)], horizon=2030)
    backward = project_population(regions[::-1], [str(scenario)], horizon=2030)
    xr.testing.assert_allclose(forward.sel(region=regions), backward.sel(region=regions), rtol=1e-12)
    start = forward.population.sum("region").shift(year=1).sel(year=slice(2026, None))
    target = (start * xr.DataArray(migration_rates(INPUTS, "SSS", 2025), dims=("sex", "age"))).sum(["sex", "age"])
    regional = forward.net_migration.sum(["region", "sex", "age"]).sel(year=slice(2026, None))
    np.testing.assert_allclose(regional.sel(scenario="uusimaa-pull"), target.sel(scenario="uusimaa-pull"), rtol=1e-9)
    plain = project_population(regions, ["baseline"], horizon=2030)
    gained = (forward.net_migration.sel(region="uusimaa").sum() - plain.net_migration.sel(region="uusimaa").sum())
    assert float(gained) > 0  # Uusimaa draws more migrants than in the baseline, from the other regions


def test_balanced_draws_sum_to_the_national_migration_of_each_draw():
    """All 19 regions with draws: internal moves cancel in every draw, and the country's net migration varies
    around the national target as the national model's own deviation does (exactly in the first year; later the
    balance, set on the central populations, is off by a few hundred persons, about 1 % of the total)."""
    from toolkit.population.assumptions import migration_trend
    from toolkit.population.calibration import calibration
    from toolkit.population.ensemble import NationalMigration, national_migration_deviation
    from toolkit.scenarios import load_scenarios

    regions = [r.id for r in maakunnat()]
    ds = project_population(regions, ["baseline"], horizon=2032, draws=30, seed=5).isel(scenario=0)
    projected = {"year": slice(2026, None)}
    start = ds.population.sum("region").shift(year=1).sel(projected)
    target = (start * xr.DataArray(migration_rates(INPUTS, "SSS", 2025), dims=("sex", "age"))).sum(["sex", "age"])
    gap = (ds.net_migration.sum(["region", "sex", "age"]).sel(projected) - target).transpose("draw", "year").values
    country = migration_trend(INPUTS, "SSS", 2025)
    uncertainty = load_scenarios(["baseline"])[0].uncertainty
    national = NationalMigration(se=country.read(np.arange(2026, 2033), country.se), phi=country.phi,
                                 per_1000=float(ds.population.sel(year=2025).isel(draw=0).sum()) / 1000.0,
                                 factor=calibration(INPUTS, 2025).scales["national_migration"][:7])  # calibrated
    deviation = national_migration_deviation(5, 30, 7, national, uncertainty.scales()[2],
                                             uncertainty.correlation_matrix())
    np.testing.assert_allclose(gap[:, 0], deviation[:, 0], rtol=1e-9, atol=1e-6)
    assert np.abs(gap - deviation).max() < 0.03 * float(target.mean())
    assert deviation.std(0)[-1] > 3 * np.abs(gap - deviation).std(0)[-1]  # the national spread is the model's


def test_a_long_run_says_its_estimate_and_shows_progress(capsys):
    notes = []
    project_population(["kainuu", "lappi"], ["baseline", "vitality"], horizon=2030, draws=20, seed=0, jobs=2,
                       progress=True, notify=notes.append)
    assert "chunk" in capsys.readouterr().err  # the progress bar of the four chunks
    from toolkit.population.resources import run_seconds

    # 100,000 draws of every area to 2050: about ten minutes on two threads, which is announced before the run
    cells = 23 * 6 * 26 * 2 * 101
    assert 300 < run_seconds(100_000, cells, 2) < 1200
