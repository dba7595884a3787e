"""Goal seeking: recovers known lever values, monotone in the target, agrees with project_population, clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml

from toolkit import goals
from toolkit.cli import main
from toolkit.errors import InputError
from toolkit.population.project import project_population
from toolkit.scenarios import LeverOverrides
from toolkit.skills import project_skills
from toolkit.text.goals import goal_sentence


@pytest.fixture(scope="module")
def vitality():
    return goals.goal_inputs("kainuu", "vitality")


@pytest.fixture(scope="module")
def baseline():
    return goals.goal_inputs("kainuu", "baseline")


def _outcome_of_run(region, scenario, outcome, year):
    ds = project_population(region, scenario)
    if outcome in goals.SKILLS_OUTCOMES:
        skills = project_skills(ds, [scenario], tightness=False)
        array = skills[outcome].sum("industry") if outcome == "job_openings" else skills[outcome]
        return float(array.sel(year=year).squeeze())
    return float(ds.population_group.sel(age_group=outcome, year=year).squeeze())


@pytest.mark.parametrize(("scenario", "lever", "value", "outcome", "year", "tolerance"), [
    ("vitality", "tfr", 0.40, "7-15", 2045, 0.002),
    ("baseline", "tfr", 0.10, "0-14", 2040, 0.002),  # a trend TFR becomes a change by TREND_PATH_YEAR
    ("vitality", "additional_net_migration", 4.2, "15-64", 2040, 0.02),
    ("vitality", "migration_rate_scale", 1.6, "total", 2050, 0.002),
    ("vitality", "e0_gain_per_decade", 2.5, "85+", 2050, 0.02),
    ("vitality", "participation_change:55-74", 6.0, "labour_balance", 2035, 0.11),
])
def test_recovers_the_lever_value_of_a_run(request, scenario, lever, value, outcome, year, tolerance):
    inputs = request.getfixturevalue(scenario)
    changed = goals.with_lever(inputs.scenario, "kainuu", lever, value)
    target = _outcome_of_run("kainuu", changed, outcome, year)
    answer = goals.goal_seek("kainuu", scenario, lever, outcome, year, target, direction="=", inputs=inputs)
    assert answer.exact == pytest.approx(value, abs=1e-4 * (1 + abs(value)))
    assert answer.value == pytest.approx(value, abs=tolerance)
    assert answer.achieved == pytest.approx(target, rel=2e-3)


def test_a_lever_that_is_not_monotone_gets_a_root_that_reproduces_the_target(baseline):
    # job openings are not monotone in the retirement shift (the exit profile moves in whole-year steps), so the
    # value of a run is one of several roots: the answer must reproduce the run's outcome
    changed = goals.with_lever(baseline.scenario, "kainuu", "retirement_age_shift", -1.5)
    target = _outcome_of_run("kainuu", changed, "job_openings", 2035)
    answer = goals.goal_seek("kainuu", "baseline", "retirement_age_shift", "job_openings", 2035, target,
                             direction="=", inputs=baseline)
    check = goals.with_lever(baseline.scenario, "kainuu", "retirement_age_shift", answer.exact)
    assert _outcome_of_run("kainuu", check, "job_openings", 2035) == pytest.approx(target, abs=1e-6 * target)


def test_vectorised_evaluation_equals_project_population(vitality):
    values = np.array([-1.0, 0.0, 3.0, 8.0])
    outcome = goals.evaluate(vitality, "additional_net_migration", values, "15-64")
    for value, row in zip(values, outcome, strict=True):
        changed = goals.with_lever(vitality.scenario, "kainuu", "additional_net_migration", value)
        ds = project_population("kainuu", changed)
        np.testing.assert_allclose(row, ds.population_group.sel(age_group="15-64").squeeze().values, rtol=1e-12)


def test_a_higher_target_needs_a_larger_lever(vitality):
    answers = [goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, target,
                               inputs=vitality).exact for target in (30_000, 33_000, 36_000, 39_000)]
    assert np.all(np.diff(answers) > 0)
    shares = [goals.goal_seek("kainuu", "vitality", "participation_change:55-64", "labour_balance", 2035, target,
                              inputs=vitality).exact for target in (-5000, -3500, -2000)]
    assert np.all(np.diff(shares) > 0)


def test_at_least_rounds_to_the_side_that_meets_it(vitality):
    answer = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 35_000,
                             inputs=vitality)
    assert answer.value >= answer.exact and answer.achieved >= 35_000
    at_most = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 35_000,
                              direction="<=", inputs=vitality)
    assert at_most.value <= at_most.exact and at_most.achieved <= 35_000


def test_period_target_binds_in_its_lowest_year(vitality):
    answer = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", None, 33_000,
                             period=(2030, 2040), inputs=vitality)
    path = goals.evaluate(vitality, "additional_net_migration", [answer.value], "15-64")[0]
    years = vitality.years
    inside = path[(years >= 2030) & (years <= 2040)]
    assert inside.min() >= 33_000 and inside.min() == pytest.approx(33_000, abs=5)


def test_unreachable_names_the_range_and_its_ends(vitality):
    with pytest.raises(goals.GoalUnreachable, match=r"no value reaches .* within the allowed range 0\.\.5") as error:
        goals.goal_seek("kainuu", "vitality", "migration_rate_scale", "total", 2030, 1_000_000, inputs=vitality)
    assert error.value.at_low < 1_000_000 and not error.value.already_met
    with pytest.raises(goals.GoalUnreachable, match="every value already meets") as error:
        goals.goal_seek("kainuu", "vitality", "migration_rate_scale", "total", 2030, 1_000, inputs=vitality)
    assert error.value.already_met


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"lever": "fertility"}, "unknown lever 'fertility'; allowed: tfr"),
    ({"outcome": "workers"}, "unknown outcome 'workers'; allowed: total, 0-14"),
    ({"lever": "participation_change", "outcome": "75+"}, r"does not move the outcome '75\+'"),
    ({"lever": "retirement_age_shift", "outcome": "labour_balance"}, "does not move the outcome 'labour_balance'"),
    ({"probability": 1.0}, "strictly between 0 and 1"),
    ({"probability": 0.8, "direction": "="}, "needs a direction"),
    ({"year": 2200}, "outside the projected years"),
])
def test_bad_requests_are_input_errors(vitality, kwargs, match):
    request = {"lever": "tfr", "outcome": "7-15", "year": 2040, "target": 4000.0, "direction": ">=", **kwargs}
    with pytest.raises(InputError, match=match):
        goals.goal_seek("kainuu", "vitality", request.pop("lever"), request.pop("outcome"), request.pop("year"),
                        request.pop("target"), inputs=vitality, **request)


def test_probability_is_met_by_that_share_of_the_ensemble(vitality):
    draws = 200
    answer = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 34_000,
                             probability=0.8, draws=draws, seed=3, inputs=vitality)
    deterministic = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 34_000,
                                    inputs=vitality)
    assert answer.value > deterministic.value  # certainty costs more migrants than the central path
    # the same numbers as an ensemble run of project_population with the answer pasted in
    changed = goals.with_lever(vitality.scenario, "kainuu", "additional_net_migration", answer.value)
    ds = project_population("kainuu", changed, draws=draws, seed=3, quantiles=False)
    drawn = ds.population_group.sel(age_group="15-64", year=2040).squeeze().values
    assert np.mean(drawn >= 34_000) == pytest.approx(0.8, abs=1.5 / draws)
    assert answer.share_met == pytest.approx(np.mean(drawn >= 34_000))
    higher = goals.goal_seek("kainuu", "vitality", "additional_net_migration", "15-64", 2040, 34_000,
                             probability=0.9, draws=draws, seed=3, inputs=vitality)
    assert higher.value > answer.value


def test_scenario_snippet_pastes_into_the_scenario_file(vitality, baseline):
    cases = [(vitality, "tfr", "7-15", 2045, 4500), (baseline, "tfr", "0-14", 2040, 9000),
             (vitality, "additional_net_migration", "15-64", 2040, 35_000),
             (vitality, "e0_gain_per_decade", "85+", 2050, 6_000),
             (vitality, "participation_change:55-74", "labour_balance", 2035, 0)]
    for inputs, lever, outcome, year, target in cases:
        answer = goals.goal_seek("kainuu", None, lever, outcome, year, target, inputs=inputs)
        parsed = LeverOverrides.model_validate(yaml.safe_load(answer.scenario_snippet()))
        name = lever.split(":")[0]
        if name == "tfr":
            path = inputs.levers.tfr
            assert parsed.tfr.year == getattr(path, "year", goals.TREND_PATH_YEAR)
            assert getattr(parsed.tfr, answer.form) == answer.value
        elif name == "additional_net_migration":
            own = inputs.levers.additional_net_migration
            assert (parsed.additional_net_migration.year, parsed.additional_net_migration.shape,
                    parsed.additional_net_migration.unit) == (own.year, own.shape, own.unit)
        elif name == "participation_change":
            assert parsed.participation_change == {"55-64": 5.0, "65-74": 3.0, "55-74": answer.value}
    sentence = goal_sentence(answer, "fi", area="Kainuu", scenario="Elinvoima")
    assert "55–74-vuotiaiden" in sentence and "prosenttiyksikköä" in sentence


def test_trade_off_more_migration_needs_less_participation(vitality):
    table = goals.trade_off("kainuu", "vitality", "additional_net_migration", [0.0, 3.0, 6.0],
                            "participation_change:55-74", "labour_balance", 2035, 0.0, inputs=vitality)
    assert table["reached"].all()
    assert np.all(np.diff(table["participation_change:55-74"]) < 0)


def _cli(capsys, *argv):
    code = main(["goal", "--region", "kainuu", "--scenario", "vitality", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_json_schema(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(capsys, "--lever", "additional_net_migration", "--outcome", "15-64", "--year", "2040",
                          "--target", "35000", "--at-least", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert {"lever", "value", "unit", "outcome", "year", "target", "achieved"} <= set(record)
    assert record["lever"] == "additional_net_migration" and record["unit"] == "per 1,000 inhabitants a year"
    assert record["year"] == 2040 and record["target"] == 35000 and record["achieved"] >= 35000
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("argv", "match"), [
    (["--lever", "migration_rate_scale", "--outcome", "total", "--year", "2030", "--target", "1e7", "--at-least"],
     "no value reaches"),
    (["--lever", "tfr", "--outcome", "adults", "--year", "2040", "--target", "1"], "unknown outcome 'adults'"),
    (["--lever", "wishes", "--outcome", "total", "--year", "2040", "--target", "1"], "unknown lever 'wishes'"),
    (["--lever", "participation_change:55-74", "--outcome", "15-64", "--year", "2040", "--target", "1"],
     "levers allowed for it: tfr"),
    (["--lever", "tfr", "--outcome", "7-15", "--year", "2040", "--target", "4000", "--at-least",
      "--probability", "0"], "strictly between 0 and 1"),
])
def test_cli_errors_exit_2_with_one_line(capsys, tmp_path, monkeypatch, argv, match):
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("forum: error: ") and err.count("\n") == 1 and match in err, err
    assert list(tmp_path.iterdir()) == []


def test_scalar_levers_paste_as_plain_lines(vitality):
    low, high = goals.evaluate(vitality, "retirement_age_shift", [-3.0, 5.0], "job_openings")[:, 10]
    answer = goals.goal_seek("kainuu", "vitality", "retirement_age_shift", "job_openings", 2035,
                             float(0.5 * (low + high)), direction="<=", inputs=vitality)
    assert answer.scenario_snippet() == f"retirement_age_shift: {answer.value!r}"
    assert yaml.safe_load(answer.scenario_snippet()) == {"retirement_age_shift": answer.value}
