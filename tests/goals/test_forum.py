"""The pack's "what would it take" answers and the explorer's solve-for: the slider value meets the target."""

from __future__ import annotations

import pytest

from toolkit import goals
from toolkit.explorer.levers import levers_from_sliders, slider_values
from toolkit.population.project import project_population
from toolkit.scenarios import load_scenario
from toolkit.skills import project_skills
from toolkit.viz.goals import goal_chart


@pytest.mark.parametrize(("scenario", "slider", "outcome", "year", "target"), [
    ("vitality", "extra_migration", "15-64", 2040, 35_000.0),
    ("baseline", "tfr", "0-14", 2040, 8_000.0),  # a trend TFR: the moved slider becomes a target in 10 years
    ("vitality", "participation_55-64", "labour_balance", 2035, -2_500.0),
])
def test_the_solved_slider_value_meets_the_target(scenario, slider, outcome, year, target):
    source = load_scenario(scenario)
    levers = source.levers_for("kainuu")
    value = goals.solve_slider("kainuu", levers, slider, outcome, year, target)
    run = project_population("kainuu", source)
    initial = slider_values(levers, run)
    moved = levers_from_sliders(levers, initial, {**initial, slider: value}, levers.industry_growth,
                                int(run.year[0]))
    edited = source.model_copy(update={"levers": moved, "regions": {}})
    ds = project_population("kainuu", edited)
    if outcome == "labour_balance":
        reached = float(project_skills(ds, [edited], tightness=False)[outcome].sel(year=year).squeeze())
    else:
        reached = float(ds.population_group.sel(age_group=outcome, year=year).squeeze())
    assert reached >= target
    assert reached == pytest.approx(target, rel=2e-3, abs=30)


def test_what_would_it_take_answers_three_questions_in_each_language():
    inputs = goals.goal_inputs("kainuu", "vitality")
    for lang, word in (("fi", "tarvittaisiin"), ("sv", "krävas"), ("en", "it would take")):
        answers = goals.what_would_it_take(inputs, lang, area="Kainuu")
        assert len(answers) == 3
        for answer in answers:
            assert answer.sentence.startswith("Kainuu, ")
            assert (word in answer.sentence) == (answer.result is not None)
            if answer.result is not None:
                figure = goal_chart(answer.values, answer.outcomes, answer.result, lang=lang)
                assert figure.data[1].x[0] == answer.result.value
                assert answer.outcomes.min() <= answer.result.target <= answer.outcomes.max()
    # the first question keeps the 15-64 population at its base-year level
    first = answers[0].result
    assert first.target == pytest.approx(float(inputs.base.population[:, 15:65].sum()))
    assert first.achieved >= first.target


def test_unknown_slider():
    with pytest.raises(goals.InputError, match="unknown slider 'speed'; allowed: tfr, extra_migration"):
        goals.solve_slider("kainuu", load_scenario("baseline").levers, "speed", "total", 2040, 1.0)
