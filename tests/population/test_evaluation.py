"""Rolling-origin evaluation and calibrated bands, measured on the shipped data (seeded, 200 draws)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.io.inputs import load_population_inputs
from toolkit.nomenclature import MAAKUNTA_CODES
from toolkit.population import evaluation as ev
from toolkit.population.calibration import calibration, lever_errors, national_top_up

INPUTS = load_population_inputs()  # the shipped params/data

ORIGINS = range(2011, 2016)  # populations by age start in 2010; the first possible origin is 2011


@pytest.fixture(scope="module")
def early():
    return ev.rolling_origin(ORIGINS, draws=200, seed=0, max_horizon=10, jobs=2)


def _coverage(table, horizon, measure):
    rows = table[(table.horizon == horizon) & (table.measure == measure) & (table.region_code != "SSS")]
    return rows["inside_80"].mean(), rows["inside_95"].mean()


@pytest.mark.parametrize("horizon,measure", [(10, "total"), (5, "15-64"), (10, "15-64"), (5, "75+"), (10, "75+")])
def test_calibrated_bands_hold_the_observed_values(early, horizon, measure):
    inside_80, inside_95 = _coverage(early, horizon, measure)
    assert 0.70 <= inside_80 <= 0.90 and 0.88 <= inside_95 <= 0.99


@pytest.mark.xfail(strict=True, reason="0-14: 98 % of its error at 5 years is in the births (ages 0-4 +11.2 %, 5-14 "
                   "+0.8 %); the country's mean log TFR over the 5 years after 2011-2015 fell 1.0-1.8 sd of the "
                   "longest history's errors below the origin's, and the damped trend follows little of it, so the "
                   "80 % band holds 39 % (95 %: 77 %) at 5 years and 44 % (85 %) at 10")
@pytest.mark.parametrize("horizon", [5, 10])
def test_child_bands_hold(early, horizon):
    inside_80, inside_95 = _coverage(early, horizon, "0-14")
    assert 0.70 <= inside_80 <= 0.90 and 0.88 <= inside_95 <= 0.99


@pytest.mark.parametrize("horizon,inside_95", [(5, 0.70), (10, 0.80)])
def test_national_tfr_history_widens_the_child_bands(early, horizon, inside_95):
    """The TFR band's national part from the history since 1950, around the damped trend: the 0-14 95 % band holds
    77 % at 5 years and 85 % at 10 (51 % and 43 % with the regional errors since 2000 alone; 66 % and 80 % around
    the held TFR)."""
    assert _coverage(early, horizon, "0-14")[1] >= inside_95


@pytest.mark.xfail(strict=True, reason="total at 5 years: the 80 % band holds 66 % (95 %: 88 %), +1.0 % bias, "
                   "half of it the births of the fertility fall (+0.5 % with the observed TFR)")
def test_short_total_bands_hold(early):
    inside_80, inside_95 = _coverage(early, 5, "total")
    assert 0.70 <= inside_80 <= 0.90 and 0.88 <= inside_95 <= 0.99


def test_national_band_holds_the_country_at_five_years(early):
    national = early[(early.region_code == "SSS") & (early.horizon == 5) & (early.measure == "total")]
    assert len(national) == len(ORIGINS) and national["inside_95"].all()


def test_model_beats_the_naive_benchmark_on_the_proper_score(early):
    summary = ev.summary(early)
    assert summary["beats_naive"].all(), summary.loc[~summary["beats_naive"], ["horizon", "measure"]]


def test_calibration_widens_the_bands(early):
    before = ev.rolling_origin([2015], draws=200, seed=0, max_horizon=10, calibrated=False, jobs=2)
    after = early[early.origin == 2015]
    width = {name: (t["q0.9"] - t["q0.1"]).mean() for name, t in (("before", before), ("after", after))}
    assert width["after"] > 1.3 * width["before"]
    assert after["inside_80"].mean() > before["inside_80"].mean() + 0.05  # 67 % of the 2015-based cases calibrated


def test_2015_baseline_2025_old_age_accuracy(early):
    rows = early[(early.origin == 2015) & (early.year == 2025) & (early.region_code != "SSS")]
    assert rows.loc[rows.measure == "75+", "error_percent"].abs().mean() <= 2.0  # 1.30 % (3.5 % before)


def test_2015_baseline_2025_total_accuracy(early):
    rows = early[(early.origin == 2015) & (early.year == 2025) & (early.region_code != "SSS")]
    assert rows.loc[rows.measure == "total", "error_percent"].abs().mean() <= 1.5  # 1.48 % (1.55 % held TFR)


def test_table_is_complete_and_scores_are_proper(early):
    assert set(early["origin"]) == set(ORIGINS)
    assert early.groupby("origin")["horizon"].max().to_dict() == {o: min(10, 2025 - o) for o in ORIGINS}
    assert set(early["region_code"]) == set(MAAKUNTA_CODES) | {"SSS"}
    assert (early.loc[early.origin == 2011, "naive_years"] == 1).all()
    assert (early.loc[early.origin == 2015, "naive_years"] == 5).all()
    # a point forecast's WIS is its absolute error; the median's WIS never exceeds its absolute error + width
    point = pd.DataFrame({c: [100.0] for c in ev.Q_COLUMNS})
    assert ev.weighted_interval_score(point, [110.0])[0] == pytest.approx(10.0)
    observed = INPUTS.population.sel(region_code="MK18", year=2020).sum()
    row = early[(early.origin == 2015) & (early.year == 2020) & (early.region_code == "MK18")
                & (early.measure == "total")]
    assert float(row["observed"].iloc[0]) == float(observed)


def test_calibration_uses_only_data_up_to_the_base_year():
    cal = calibration(INPUTS, 2015)
    later = INPUTS.tfr_national_history.copy()
    later.loc[2016:] = 3.0  # a scrambled future changes nothing
    top_up, fit = national_top_up(later, 2015)
    np.testing.assert_array_equal(top_up, cal.tfr_national_sd)
    history = np.log(INPUTS.tfr_national_history.loc[:2015])
    def rmse(h, first):  # the country's log TFR held h years, every origin from ``first`` to 2015 - h
        errors = history.values[h:] - history.values[:-h]
        return np.sqrt(np.mean(errors[history.index[:-h] >= first] ** 2))

    assert fit["rmse_h10"] == pytest.approx(rmse(10, 1950), abs=1e-4)  # 0.199 (0.054 from 2000)
    recent = max(rmse(h, 2000) for h in range(1, 11))  # non-decreasing in h
    assert cal.tfr_national_sd[9] == pytest.approx(np.sqrt(rmse(10, 1950) ** 2 - recent ** 2), rel=1e-9)
    assert cal.tfr_held_sd[9] ** 2 >= cal.tfr_national_sd[9] ** 2 + 0.05 ** 2  # the regional part on top
    errors = lever_errors(INPUTS, 2015)
    assert (errors["origin"] + errors["horizon"]).max() == 2015
    assert 0.0 < cal.tfr_loading < 0.95
    assert np.all(np.diff(cal.tfr_sd) >= 0) and cal.scales["e0"][9] >= cal.scales["e0"][0]
    # the scaled errors of e0 and migration have a pooled mean square of one where the scale is not held
    for lever in ("net_migration", "national_migration"):
        rows = errors[(errors.lever == lever) & (errors.horizon == 1)]
        ratio = (rows["error"] ** 2).sum() / ((cal.scales[lever][0] * rows["se_base"]) ** 2).sum()
        assert ratio == pytest.approx(1.0, rel=1e-9)


def test_migration_band_matches_the_past_cumulated_errors():
    """From 2025 the regions' band of cumulated net migration 10 years ahead is about as wide as the past AR(1)
    forecasts' cumulated errors (origins 2000-2015, data up to 2025): 1.5 times their root mean square, not the
    3.2 times of a scale that counted the immigration of 2022-2024 twice (in the base year's fit and in c(h))."""
    from toolkit.population.calibration import migration_forecast_persons
    from toolkit.population.project import project_population

    codes = list(MAAKUNTA_CODES)
    draws = project_population(codes, ["baseline"], draws=200, seed=0, quantiles=False, horizon=2035)
    central = project_population(codes, ["baseline"], draws=0, horizon=2035)

    def cumulated(ds):
        return ds["net_migration"].sum(["sex", "age"]).sel(scenario="baseline").isel(year=slice(1, None)).sum("year")

    people = central["population"].sel(scenario="baseline", year=2025).sum(["sex", "age"])
    model_sd = float(((cumulated(draws) - cumulated(central)).std("draw") / people).median())
    errors = []
    for code in codes:
        for origin in range(2000, 2016):
            forecast, _ = migration_forecast_persons(INPUTS, code, origin)
            observed = INPUTS.net_migration_total.sel(region_code=code, year=range(origin + 1, origin + 11)).values
            inhabitants = float(INPUTS.population.sel(region_code=code, year=max(origin, 2010)).sum())
            errors.append((observed - forecast[:10]).sum() / inhabitants)
    past = float(np.sqrt(np.mean(np.square(errors))))  # 2.2 % of the population
    assert 1.0 <= model_sd / past <= 2.0, (model_sd, past)


@pytest.mark.parametrize("argv,match", [
    (["--origins", "2010-2012"], "origin 2010: origins must lie in 2011..2024"),
    (["--origins", "2015", "--max-horizon", "16"], "horizon 16: allowed 1..15"),
    (["--origins", "twenty"], "expected FIRST-LAST"),
])
def test_bad_origins_exit_2(argv, match, capsys):
    assert main(["hindcast", *argv]) == 2
    assert match in capsys.readouterr().err


def test_uncertainty_scale_must_be_positive(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text("id: s\nname: {fi: a, sv: b, en: c}\nnarrative: {fi: a, sv: b, en: c}\njustification: x\n"
                        "uncertainty:\n  tfr: {scale: 0}\n", encoding="utf-8")
    assert main(["project", "--region", "kainuu", "--scenario", str(scenario), "--draws", "5",
                 "--out", str(tmp_path / "o.nc")]) == 2
    assert "greater than 0" in capsys.readouterr().err
    with pytest.raises(InputError, match="origin 2025"):
        ev.check_origins([2025])
