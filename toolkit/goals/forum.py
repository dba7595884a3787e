"""Goal seeking for the forum pack ("what would it take") and the explorer's "solve for" control.

* :func:`what_would_it_take`: the answers to the questions asked for every area (:data:`QUESTIONS`), each a
  sentence in fi/sv/en and the curve of its small figure (:func:`toolkit.viz.goals.goal_chart`).
* :func:`solve_slider`: the value an explorer slider moves to so that the outcome meets the target, given the
  explorer's current levers of the area.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from toolkit.errors import InputError
from toolkit.goals.evaluate import evaluate
from toolkit.goals.inputs import GoalInputs, goal_inputs
from toolkit.goals.levers import lever_spec
from toolkit.goals.seek import GoalResult, GoalUnreachable, goal_seek
from toolkit.scenarios import Levers, MigrationPath, TfrPath, load_scenario
from toolkit.text.goals import goal_sentence, unreachable_sentence


@dataclass(frozen=True)
class Question:
    """A goal of the pack: the lever that brings an outcome to a target in a year.

    ``target=None`` means the outcome's own level in the base year ("keep it where it is").
    """

    lever: str
    outcome: str
    year: int
    direction: str = ">="
    target: float | None = None


QUESTIONS = (
    Question("additional_net_migration", "15-64", 2040),  # keep the working-age population at its level
    Question("tfr", "0-14", 2040),  # keep the number of children at its level
    Question("participation_change:55-74", "labour_balance", 2035, target=0.0),  # close the labour shortage
)
"""The questions asked for every area: the same three, so that areas can be compared."""


@dataclass(frozen=True)
class Answer:
    """One "what would it take" answer.

    Attributes
    ----------
    question : what was asked; sentence : the answer in the pack's language
    result : the goal-seek result (``None`` when no value in the lever's range meets the target)
    values, outcomes : the curve of the answer's figure: lever values [scenario-file units] and the outcome in the
        target year at each (``None`` when unreachable); draw it with
        ``toolkit.viz.goals.goal_chart(answer.values, answer.outcomes, answer.result, lang=...)``
    """

    question: Question
    sentence: str
    result: GoalResult | None
    values: np.ndarray | None = None
    outcomes: np.ndarray | None = None


def _target(inputs: GoalInputs, question: Question) -> float:
    if question.target is not None:
        return float(question.target)
    spec = lever_spec(inputs, question.lever)
    reference = spec.current if spec.current is not None else 0.0
    return float(evaluate(inputs, question.lever, [reference], question.outcome)[0, 0])  # the base year's level


def what_would_it_take(inputs: GoalInputs, lang: str, *, area: str | None = None, scenario: str | None = None,
                       questions: tuple[Question, ...] = QUESTIONS, points: int = 41) -> list[Answer]:
    """The pack's "what would it take" answers for one area and scenario.

    Parameters
    ----------
    inputs : :func:`toolkit.goals.goal_inputs` of the area and scenario (with skills inputs)
    lang : ``fi``, ``sv`` or ``en``; area, scenario : names for the sentences
    points : lever values of each answer's curve (one engine call)
    """
    area = area or inputs.base.region.label(lang)
    scenario = scenario or inputs.scenario.name[lang]
    answers = []
    for question in questions:
        target = _target(inputs, question)
        try:
            result = goal_seek(None, None, question.lever, question.outcome, question.year, target,
                               direction=question.direction, inputs=inputs)
        except GoalUnreachable as error:
            sentence = unreachable_sentence(error, question.year, target, question.direction, lang, area=area,
                                            scenario=scenario)
            answers.append(Answer(question, sentence, None))
            continue
        spec = lever_spec(inputs, question.lever)
        reference = result.current if result.current is not None else result.value
        half = max(abs(result.value - reference), 0.1 * (spec.high - spec.low)) * 1.5
        values = np.linspace(max(spec.low, min(result.value, reference) - half),
                             min(spec.high, max(result.value, reference) + half), points)
        position = list(inputs.years).index(question.year)
        outcomes = evaluate(inputs, question.lever, values, question.outcome, [question.year])[:, position]
        answers.append(Answer(question, goal_sentence(result, lang, area=area, scenario=scenario), result, values,
                              outcomes))
    return answers


# --- the explorer's "solve for" ------------------------------------------------------------------------------

SLIDER_LEVERS = {"tfr": "tfr", "extra_migration": "additional_net_migration", "e0": "e0_gain_per_decade",
                 "e0_F": "e0_gain_per_decade", "e0_M": "e0_gain_per_decade",
                 "participation_55-64": "participation_change:55-64",
                 "participation_65-74": "participation_change:65-74", "retirement_age_shift": "retirement_age_shift"}
"""Explorer slider -> goal lever. ``e0``, ``e0_F`` and ``e0_M`` solve one gain for both sexes (both sliders)."""


@lru_cache(maxsize=32)
def _area_inputs(area: str, horizon: int) -> GoalInputs:
    return goal_inputs(area, "baseline", horizon=horizon)


def solve_slider(area: str, levers: Levers, slider: str, outcome: str, year: int, target: float, *,
                 direction: str = ">=", horizon: int = 2050, slider_years: int = 10) -> float:
    """The value an explorer slider moves to so that ``outcome`` meets ``target`` in ``year``.

    Parameters
    ----------
    area : region id; levers : the explorer's current levers of the area (``Explorer.levers``)
    slider : a key of :data:`SLIDER_LEVERS` (``tfr``, ``extra_migration``, ``e0``, ``participation_55-64``, …)
    outcome, year, target, direction : the goal (:func:`toolkit.goals.goal_seek`)
    slider_years : years after the base year by which a TFR slider moved from a trend reaches its target (the
        explorer's ``SLIDER_YEARS``)

    Returns
    -------
    The slider value in the slider's units: TFR reached by the path year [children per woman], additional net
    migrants [persons per year], e0 gain [years per decade] (for both sexes), participation [percentage points],
    retirement shift [years]. The explorer's own conversion of a moved slider (a TFR target, migrants in persons)
    is applied first, so that the returned value means the same as the slider.

    Raises
    ------
    GoalUnreachable
        (an InputError) whose message says what the slider's range gives; show it next to the control.
    """
    if slider not in SLIDER_LEVERS:
        raise InputError(f"unknown slider {slider!r}; allowed: {', '.join(SLIDER_LEVERS)}")
    lever = SLIDER_LEVERS[slider]
    inputs = _area_inputs(area, max(horizon, year))
    base = inputs.base
    update: dict = {}
    if lever == "tfr":
        path = levers.tfr
        if isinstance(path, TfrPath):
            level = path.target if path.target is not None else base.tfr + path.change
            update["tfr"] = TfrPath(target=float(np.clip(level, 0.5, 4.0)), year=max(path.year, base.base_year + 1),
                                    shape=path.shape)
        else:
            update["tfr"] = TfrPath(target=float(np.clip(base.tfr, 0.5, 4.0)),
                                    year=base.base_year + max(slider_years, 1), shape="linear")
    if lever == "additional_net_migration":
        path = levers.additional_net_migration
        update["additional_net_migration"] = MigrationPath(
            change=path.change * path.persons_per_unit(float(base.population.sum())), year=path.year,
            shape=path.shape, unit="persons")
    solved = levers.model_copy(update=update)
    scenario = load_scenario("baseline").model_copy(update={"id": "explorer", "levers": solved, "regions": {}})
    variant = replace(inputs, scenario=scenario, _cache={})
    return goal_seek(None, None, lever, outcome, year, target, direction=direction, inputs=variant).value


__all__ = ["QUESTIONS", "SLIDER_LEVERS", "Answer", "Question", "solve_slider", "what_would_it_take"]
