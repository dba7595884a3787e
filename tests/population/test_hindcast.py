"""The hindcast: projections from a past base year use only the data up to it; lever models checked out of
sample."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.io import params as data
from toolkit.io.inputs import load_population_inputs
from toolkit.population.project import project_population

INPUTS = load_population_inputs()  # the shipped params/data

REGIONS = ["kainuu", "pirkanmaa"]
SCENARIOS = ["baseline", "decline"]


def test_hindcast_uses_only_data_up_to_the_base_year(tmp_path, monkeypatch):
    """Cutting every observation after 2015 out of params/data (and scrambling the 2017+ life tables) changes
    nothing in a 2015-based projection: rates, trend fits and uncertainty all use data up to the base year."""
    full = project_population(["kainuu", "lappi"], ["baseline"], base_year=2015, horizon=2020, draws=10, seed=3)
    params = tmp_path / "params"
    shutil.copytree(data.params_dir(), params)
    for name, column, last in [("population.csv", "year", 2015), ("tfr.csv", "year", 2015),
                               ("net_migration_total.csv", "year", 2015), ("net_migration_age5.csv", "year", 2015),
                               ("life_expectancy.csv", "period_end_year", 2015),
                               ("mx_national_wpp.csv", "period_end", 2015), ("asfr_national.csv", "year", 2015),
                               ("national_indicators.csv", "year", 2015)]:
        table = pd.read_csv(params / "data" / name)
        table[table[column] <= last].to_csv(params / "data" / name, index=False)
    # the single-age life tables start in 2017; a 2015-based run must not see them: scramble them
    qx = pd.read_csv(params / "data" / "qx_national.csv")
    qx.assign(qx=(qx["qx"] * 2).clip(upper=1)).to_csv(params / "data" / "qx_national.csv", index=False)
    monkeypatch.setenv("FORUM_PARAMS_DIR", str(params))
    data.clear_caches()
    try:
        cut = project_population(["kainuu", "lappi"], ["baseline"], base_year=2015, horizon=2020, draws=10, seed=3)
    finally:
        monkeypatch.delenv("FORUM_PARAMS_DIR")
        data.clear_caches()
    for name in ("population", "births", "tfr", "e0"):
        np.testing.assert_allclose(cut[name].values, full[name].values, rtol=1e-10, equal_nan=True)


def test_hindcast_table_and_summary():
    from toolkit.population import hindcast as hc

    table = hc.hindcast(2015, draws=60, seed=1)
    assert len(table) == 19 * 2 * 4
    assert table["error_percent"].notna().all() and table["naive_error_percent"].notna().all()
    summary = hc.summary(table)
    assert list(summary["measure"].unique()) == list(hc.MEASURES)
    assert summary["inside_95_share"].between(0, 1).all()
    assert (summary["inside_95_share"] >= summary["inside_80_share"]).all()
    kainuu_2020 = table[(table.region_code == "MK18") & (table.year == 2020) & (table.measure == "total")].iloc[0]
    observed = float(data.load_population().sel(region_code="MK18", year=2020).sum())
    assert kainuu_2020["observed"] == observed
    assert abs(kainuu_2020["error_percent"]) < 5
    assert "| 2025 | 75+ |" in hc.markdown(summary)


def test_lever_errors_are_out_of_sample_and_standardised():
    from toolkit.population import hindcast as hc
    from toolkit.population.assumptions import migration_trend, tfr_trend

    errors = hc.lever_errors(2015)
    assert errors["origin"].max() == 2014 and (errors["origin"] + errors["horizon"]).max() == 2015
    assert set(errors.groupby("lever")["origin"].min().items()) == {("tfr", 2000), ("net_migration", 2010)}
    assert len(errors) == 19 * (sum(min(10, 2015 - o) for o in range(2000, 2015))
                                + sum(min(10, 2015 - o) for o in range(2010, 2015)))
    # one case recomputed by hand: Pirkanmaa's TFR model fitted up to 2008, checked in 2011
    case = errors.query("lever == 'tfr' and region_code == 'MK06' and origin == 2008 and horizon == 3").iloc[0]
    paths = tfr_trend(INPUTS, "MK06", 2008)
    year = np.array([2011])
    observed = np.log(float(data.load_tfr().sel(region_code="MK06", year=2011)))
    forecast = np.log(paths.read(year, paths.central)[0])
    assert case["z"] == pytest.approx((observed - forecast) / paths.read(year, paths.se)[0], rel=1e-12)
    # migration per 1,000 inhabitants of the origin year
    case = errors.query("lever == 'net_migration' and region_code == 'MK18' and origin == 2012 and horizon == 1")
    paths = migration_trend(INPUTS, "MK18", 2012)
    inhabitants = float(data.load_population().sel(region_code="MK18", year=2012).sum())
    observed = float(data.load_net_migration_total().sel(region_code="MK18", year=2013)) / inhabitants * 1000
    assert case["observed"].iloc[0] == pytest.approx(observed, rel=1e-12)
    assert case["z"].iloc[0] == pytest.approx((observed - paths.central[0]) / paths.se[0], rel=1e-12)


def test_lever_summary_numbers():
    from toolkit.population import hindcast as hc

    errors = pd.DataFrame({"lever": "tfr", "region_code": ["A", "B", "C", "D"], "origin": [2000, 2000, 2001, 2001],
                           "horizon": 1, "observed": 0.0, "forecast": 0.0, "se": 1.0, "z": [-3.0, 1.0, 1.0, 2.0]})
    row = hc.lever_summary(errors).iloc[0]
    assert (row["cases"], row["origins"]) == (4, 2)
    assert row["mean_z"] == pytest.approx(0.25)
    assert row["rms_z"] == pytest.approx(np.sqrt((9 + 1 + 1 + 4) / 4))
    assert row["inside_80_share"] == pytest.approx(0.5)  # |z| <= 1.28: the two ones
    assert row["inside_95_share"] == pytest.approx(0.5)  # |z| <= 1.96: not 2 nor 3
    assert "| TFR (log) | 1 | 4 (2) | +0.25 | 1.94 | 50% | 50% |" in hc.lever_markdown(hc.lever_summary(errors))


def test_lever_check_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "levers.csv"
    assert main(["hindcast", "--levers", "--base-year", "2013", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| net migration | 3 | 19 (1) |" in printed
    assert pd.read_csv(out)["origin"].max() == 2012
    bad = tmp_path / "bad.csv"
    assert main(["hindcast", "--levers", "--base-year", "1999", "--out", str(bad)]) == 2
    assert "origins from 2000" in capsys.readouterr().err
    assert not bad.exists()
