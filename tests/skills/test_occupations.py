"""The occupation and education layer of the skills model, tightness to the horizon, headline periods, the national
check and the `forum skills` contract (works for any horizon, or fails before writing anything)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from tests.skills.test_skills import Levers, Scenario, make_base, make_population
from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.io.params import params_dir
from toolkit.nomenclature import EDUCATION_LEVELS, MITENNA_OCCUPATIONS
from toolkit.report import skills_sentences as headline_sentences
from toolkit.skills import assumptions as assumptions_module
from toolkit.skills import (
    headline_indicators,
    load_assumptions,
    occupation_headline,
    occupation_sentences,
    project_skills,
)
from toolkit.skills import occupations as oc
from toolkit.skills.headline import default_periods
from toolkit.skills.national import cohort_exits
from toolkit.skills.tightness import forecast_tightness

PAIRS = ("employment", "labour_demand", "expansion_demand", "exits_retirement", "exits_mortality",
         "replacement_demand")


@pytest.fixture(scope="module")
def assumptions():
    return load_assumptions()


@pytest.fixture(scope="module")
def base():
    return make_base()


def skills_run(base, assumptions, alt=None, population=None, **options):
    scenarios = [Scenario("base", Levers()), Scenario("alt", alt or Levers(industry_growth={"default": 1.0,
                                                                                              "C": -4.0}))]
    return project_skills(population or make_population(stationary=False), scenarios, base=base,
                          assumptions=assumptions, tightness=options.pop("tightness", False), **options)


@pytest.fixture(scope="module")
def result(base, assumptions):
    return skills_run(base, assumptions)


# ----------------------------------------------------------------------------------------- identities


def test_openings_are_positive_expansion_plus_replacement_by_industry_and_by_occupation(result):
    projected = result.sel(year=slice(2026, None))
    for suffix, dim in (("", "industry"), ("_by_occupation", "occupation")):
        expansion = projected[f"expansion_demand{suffix}"]
        expected = expansion.clip(min=0) + projected[f"replacement_demand{suffix}"]
        xr.testing.assert_allclose(projected[f"job_openings{suffix}"], expected)
        assert bool((expansion < 0).any()) and bool((expansion > 0).any()), dim  # both signs occur
        xr.testing.assert_allclose(projected[f"replacement_demand{suffix}"],
                                   projected[f"exits_retirement{suffix}"] + projected[f"exits_mortality{suffix}"])
    assert bool(result["job_openings_by_occupation"].sel(year=2025).isnull().all())


def test_occupation_totals_equal_industry_totals_everywhere(result):
    for name in PAIRS:
        by_industry = result[name].sum("industry", skipna=False)
        by_occupation = result[f"{name}_by_occupation"].sum("occupation", skipna=False)
        xr.testing.assert_allclose(by_industry, by_occupation, rtol=1e-12)
    # the openings differ only by the netting of expansion within an occupation across industries
    by_industry = result["job_openings"].sel(year=slice(2026, None)).sum("industry")
    by_occupation = result["job_openings_by_occupation"].sel(year=slice(2026, None)).sum("occupation")
    replacement = result["replacement_demand"].sel(year=slice(2026, None)).sum("industry")
    assert bool((by_occupation >= replacement - 1e-9).all())
    assert float(abs(by_occupation - by_industry).max()) <= float(result["expansion_demand"].clip(min=0).sum(
        "industry").max())


def test_education_shares_sum_to_one(result, assumptions, base):
    np.testing.assert_allclose(assumptions.occupation_education.sum("education"), 1.0, atol=1e-9)
    np.testing.assert_allclose(base.entrant_education.sum("education"), 1.0, atol=1e-12)
    projected = result.sel(year=slice(2026, None))
    xr.testing.assert_allclose(projected["job_openings_by_education"].sum("education"),
                               projected["job_openings_by_occupation"].sum("occupation"))
    xr.testing.assert_allclose(projected["new_entrants_by_education"].sum("education"), projected["new_entrants"])
    shares = projected["job_openings_by_education"] / projected["job_openings_by_education"].sum("education")
    np.testing.assert_allclose(shares.sum("education"), 1.0)
    assert list(result["education"].values) == list(EDUCATION_LEVELS)


def test_occupation_balance_sums_to_entrants_minus_openings(result):
    projected = result.sel(year=slice(2026, None))
    total = projected["occupation_balance"].sum("occupation")
    expected = projected["new_entrants"] - projected["job_openings_by_occupation"].sum("occupation")
    xr.testing.assert_allclose(total, expected)  # every level has openings here, so all entrants are matched


def test_one_occupation_one_education_balance_by_hand():
    openings = np.array([[np.nan, np.nan], [30.0, 10.0]])  # (year, occupation)
    needs = np.array([[1.0, 0.0], [0.5, 0.5]])  # occupation 0 needs level 0; occupation 1 half and half
    out = oc.education_layer(openings, np.array([np.nan, 20.0]), needs, np.array([0.5, 0.5]))
    np.testing.assert_allclose(out["job_openings_by_education"][1], [35.0, 5.0])
    # level 0: 10 entrants for 35 openings, 30 of them in occupation 0; level 1: 10 entrants for 5 openings
    matched = np.array([10 * 30 / 35, 10 * 5 / 35 + 10])
    np.testing.assert_allclose(out["occupation_balance"][1], matched - [30.0, 10.0])


def test_higher_participation_gives_a_smaller_shortage(base, assumptions):
    out = skills_run(base, assumptions, alt=Levers(participation_change={"25-54": 3.0}),
                     population=make_population(stationary=True)).sel(year=slice(2026, None))
    shortage = out["occupation_balance"].clip(max=0).sum(["occupation", "year"])
    assert bool((shortage.sel(scenario="alt") > shortage.sel(scenario="base")).all())  # less negative
    assert bool((out["new_entrants"].sel(scenario="alt") > out["new_entrants"].sel(scenario="base")).all())


def test_replacement_intensity_moves_exits_between_occupations_within_an_industry(base, assumptions):
    intensity = assumptions.occupation_retirement_intensity.copy()
    intensity.loc["07.2"] = 2.0
    older = skills_run(base, assumptions.__class__(**{**assumptions.__dict__,
                                                      "occupation_retirement_intensity": intensity}))
    plain = skills_run(base, assumptions)
    exits = older["replacement_demand_by_occupation"].sel(year=2030)
    assert bool((exits.sel(occupation="07.2") > plain["replacement_demand_by_occupation"].sel(
        year=2030, occupation="07.2")).all())
    xr.testing.assert_allclose(exits.sum("occupation"), plain["replacement_demand"].sel(year=2030).sum("industry"))


def test_occupation_structure_trend_keeps_shares_summing_to_one(base):
    years = np.arange(2025, 2051)
    path = oc.structure_path(base.occupation_shares, years, extend_trend=True)
    np.testing.assert_allclose(path.sum(-1), 1.0)
    assert path.min() >= 0
    np.testing.assert_allclose(oc.share_trend(base.occupation_shares).sum("occupation"), 0.0, atol=1e-12)
    held = oc.structure_path(base.occupation_shares, years)
    np.testing.assert_allclose(held[0], base.occupation_shares.isel(structure_year=-1).values)
    # a share rising by 0.01 a year from 2012 to 2016 keeps rising at that pace
    shares = base.occupation_shares.copy()
    shares[:, 0, :2] = np.array([[0.1, 0.9], [0.11, 0.89], [0.12, 0.88], [0.13, 0.87], [0.14, 0.86]])[:, :, None][
        :, :, 0]
    shares[:, 0, 2:] = 0.0
    assert oc.structure_path(shares, np.array([2020]), extend_trend=True)[0, 0, 0] == pytest.approx(0.18)


def test_results_without_the_occupation_layer_are_unchanged(base, assumptions, result):
    industry_only = skills_run(base, assumptions, occupations=False)
    assert "job_openings_by_occupation" not in industry_only
    for name in (*PAIRS, "job_openings", "labour_balance"):
        xr.testing.assert_identical(industry_only[name], result[name])


# ----------------------------------------------------------------------------------------- params files


def copy_params(tmp_path: Path, name: str, old: str, new: str) -> Path:
    folder = tmp_path / "skills"
    shutil.copytree(params_dir() / "skills", folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name, old, new, message", [
    ("occupation_education.yaml", '"07.3": {university: 1.0}', '"07.9": {university: 1.0}', "row '07.9'"),
    ("occupation_education.yaml", '"07.3": {university: 1.0}', '"07.3": {doctorate: 1.0}', "unknown education"),
    ("occupation_education.yaml", '"07.3": {university: 1.0}', '"07.3": {university: 0.9}', "sum to 0.9"),
    ("occupation_education.yaml", '    "07.3": {university: 1.0}\n', "", "no row for the occupation groups 07.3"),
    ("occupation_retirement.yaml", "intensity: {}", 'intensity: {"99.1": 1.5}', "row '99.1'"),
    ("occupation_retirement.yaml", "intensity: {}", 'intensity: {"07.2": -1}', "outside the allowed"),
    ("entrant_education.yaml", "    MK18: FI1D\n", "", "expected one NUTS-2 code"),
])
def test_bad_occupation_params_name_the_file_row_and_allowed_codes(tmp_path, name, old, new, message):
    with pytest.raises(InputError, match=message) as error:
        load_assumptions(copy_params(tmp_path, name, old, new))
    assert name in str(error.value)
    if "row '" in message:
        assert "allowed: 01.1, 01.2" in str(error.value) and "11.3" in str(error.value)


# ----------------------------------------------------------------------------------------- tightness


def test_tightness_has_every_year_up_to_the_horizon(base, assumptions):
    months = pd.period_range("2010-01", "2019-10", freq="M").strftime("%Y-%m")  # the last year is partial
    series = {"region_code": ["MK98"], "occupation": ["1"], "month": months}
    rng = np.random.default_rng(3)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(months.size) / 12)
    vacancies = xr.DataArray(rng.poisson(200 * season, size=(1, 1, months.size)).astype(float), coords=series,
                             dims=tuple(series))
    jobseekers = xr.DataArray(rng.poisson(800, size=(1, 1, months.size)).astype(float), coords=series,
                              dims=tuple(series))
    out = forecast_tightness(vacancies, jobseekers, 2060, interval=0.8)
    assert out["tightness_year"].values.tolist() == list(range(2019, 2061))  # 2019 = 10 observed + 2 forecast
    width = np.log(out["tightness_forecast_upper"] / out["tightness_forecast_lower"]).squeeze()
    assert bool((width.diff("tightness_year") > 0).all())
    # the partial year's interval is far narrower than a full forecast year's: only two months are unknown
    assert float(width.sel(tightness_year=2019)) < 0.5 * float(width.sel(tightness_year=2020))
    run = skills_run(base, assumptions, tightness=True)
    years = run["tightness_year"].values
    assert years.tolist() == list(range(years[0], int(run["year"][-1]) + 1))
    assert "major_group" in run["tightness_forecast"].dims


# ----------------------------------------------------------------------------------------- headlines


@pytest.mark.parametrize("last, expected", [
    (2026, ((2026, 2026),)), (2030, ((2026, 2030),)), (2035, ((2026, 2035),)),
    (2040, ((2026, 2035), (2036, 2040))), (2100, ((2026, 2035), (2036, 2100))),
])
def test_default_headline_periods_fit_any_horizon(last, expected):
    assert default_periods(np.arange(2025, last + 1)) == expected


def test_headline_of_a_short_run_and_occupation_sentences(base, assumptions, result):
    short = skills_run(base, assumptions, population=make_population().sel(year=slice(2025, 2030)))
    indicators = headline_indicators(short)
    assert "openings_2026_2030" in indicators and "labour_balance_2030" in indicators
    assert headline_sentences(indicators.sel(region="area_a", scenario="base"), "fi")
    headline = occupation_headline(result, "area_a", "base")
    assert headline.period == (2026, 2035)
    assert sum(headline.education_shares.values()) == pytest.approx(1.0)
    level = max(headline.education_shares, key=headline.education_shares.get)
    share = round(100 * headline.education_shares[level])
    for lang, level_text in (("fi", "edellyttää"), ("sv", "kräver"), ("en", "need")):
        sentences = occupation_sentences(headline, "Alue", lang)
        assert len(sentences) >= 2 and level_text in sentences[0]
        assert f"{share}" in sentences[0] and "2026–2035" in sentences[0]
    with pytest.raises(InputError, match="outside the projected years"):
        occupation_headline(result, "area_a", "base", (2030, 2050))


# ----------------------------------------------------------------------------------------- national check


def test_closed_cohort_exits_conserve_the_base_stock():
    rng = np.random.default_rng(0)
    employed = rng.uniform(0, 100, size=(2, 101))
    rate = np.clip(1 - np.maximum(np.arange(101) - 55, 0) / 15, 0, 1) * np.ones((2, 1))
    from toolkit.skills.demand import net_exit_hazard

    death_prob = np.full((6, 2, 101), 0.01)
    retired, died = cohort_exits(employed, net_exit_hazard(rate, 50), death_prob)
    # nobody may leave twice: what is left is never negative and the three parts add up to the stock
    stock = employed.copy()
    for _ in range(5):
        aged = np.zeros_like(stock)
        aged[:, 1:] = stock[:, :-1]
        aged[:, -1] += stock[:, -1]
        stock = aged * 0.99 * (1 - net_exit_hazard(rate, 50))
    assert retired[-1] + died[-1] + stock.sum() == pytest.approx(employed.sum())
    assert died[1] == pytest.approx(0.01 * employed.sum())  # every age has a 1 % death probability
    assert retired[0] == 0 and (np.diff(retired) >= 0).all()


# ----------------------------------------------------------------------------------------- the command


@pytest.mark.parametrize("horizon", [2026, 2030, 2040, 2050, 2100])
def test_forum_skills_works_at_any_horizon(tmp_path, capsys, horizon):
    out = tmp_path / "s.nc"
    code = main(["skills", "--region", "kainuu", "--scenario", "baseline", "--horizon", str(horizon),
                 "--no-tightness", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    with xr.open_dataset(out) as ds:
        assert int(ds["year"][-1]) == horizon
        assert ds["job_openings_by_occupation"].sizes["occupation"] == len(MITENNA_OCCUPATIONS)
    assert "2026–" in capsys.readouterr().out


BAD_SCENARIO = """\
id: bad-participation
name: {fi: Huono, sv: Dålig, en: Bad}
narrative: {fi: K, sv: B, en: S}
justification: a test scenario
levers:
  participation_change: {"25-54": 60.0}
"""


@pytest.mark.parametrize("argv, match", [
    (["--region", "nowhere", "--scenario", "baseline"], "nowhere"),
    (["--region", "kainuu", "--scenario", "no-such-scenario"], "no-such-scenario"),
    (["--region", "kainuu", "--scenario", "baseline", "--horizon", "2025"], "horizon 2025"),
    (["--region", "kainuu", "--scenario", "baseline", "--horizon", "2126"], "horizon 2126"),
    (["--region", "kainuu", "--scenario", "BAD"], "participation"),
])
def test_a_failing_forum_skills_leaves_no_output(tmp_path, capsys, argv, match):
    if "BAD" in argv:
        path = tmp_path / "bad.yaml"
        path.write_text(BAD_SCENARIO, encoding="utf-8")
        argv = [str(path) if value == "BAD" else value for value in argv]
    out = tmp_path / "s.nc"
    code = main(["skills", *argv, "--no-tightness", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and match in err and "Traceback" not in err, err
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == (["bad.yaml"] if "bad" in str(argv) else [])


def test_a_bad_params_file_in_forum_skills_leaves_no_output(tmp_path, capsys, monkeypatch):
    folder = copy_params(tmp_path, "occupation_education.yaml", '"07.3": {university: 1.0}', '"7.3": {university: 1.0}')
    monkeypatch.setattr(assumptions_module, "params_dir", lambda: folder.parent)
    out = tmp_path / "s.nc"
    code = main(["skills", "--region", "kainuu", "--scenario", "baseline", "--no-tightness", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "occupation_education.yaml" in err and "row '7.3'" in err, err
    assert not out.exists()


def test_an_unwritable_output_is_refused_before_the_run(tmp_path, capsys):
    out = tmp_path / "missing-folder" / "s.nc"
    code = main(["skills", "--region", "kainuu", "--scenario", "baseline", "--no-tightness", "--out", str(out)])
    assert code == 2 and not out.exists()
    code = main(["skills", "--region", "kainuu", "--scenario", "baseline", "--no-tightness", "--out",
                 str(tmp_path / "s.txt")])
    assert code == 2 and not list(tmp_path.glob("s.*"))


def test_national_check_of_the_19_regions_is_near_the_agency_figures():
    from toolkit.nomenclature import MAAKUNTA_CODES
    from toolkit.population.project import project_population
    from toolkit.regions import load_regions
    from toolkit.skills import load_base, national_check

    ids = [region for region, area in load_regions().items() if area.code in MAAKUNTA_CODES]
    population = project_population(ids, ["baseline"], horizon=2045)
    assumptions = load_assumptions()
    base = load_base(ids, assumptions)
    skills = project_skills(population, base=base, assumptions=assumptions, tightness=False, occupations=False)
    check = national_check(population, skills, base, assumptions)
    # the published figures: 58,000 openings a year (2022-2045) and 58 % of today's workforce retiring by 2045
    assert 55_000 < float(check["openings_per_year"]) < 80_000
    assert 0.40 < float(check["retiring_share_cohort"]) < 0.50  # 20 years, not the Agency's 24
    assert abs(float(check["retiring_share_flow"]) - float(check["retiring_share_cohort"])) < 0.02
    # a cohort cannot lose more than it has
    assert float(check["retiring_share_cohort"] + check["dying_share_cohort"]) < 1
    assert float(check["employed_base"]) == pytest.approx(2.58e6, rel=0.03)
