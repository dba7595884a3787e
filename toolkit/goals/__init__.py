"""What would it take: the lever value of a scenario that meets a target on a population or skills outcome.

Given an area, a scenario, one lever and a target ("the 15–64 population of 2040 at least 40,000"), find the
lever value at which the outcome meets the target, keeping every other lever of the scenario as it is.

Deterministic
    Root finding on the engine: the lever's allowed range (the scenario schema's, narrowed where the model
    needs it, e.g. a TFR that stays within 0.5..4) is evaluated on a grid of values in **one** vectorised
    engine call (the values form a leading dimension of :func:`toolkit.population.ccm.project`), the grid
    brackets the crossing of the target, and :func:`scipy.optimize.brentq` refines it. When no value in the
    range crosses the target, :class:`GoalUnreachable` says so and gives the outcome at both ends.
Probabilistic
    The lever value at which the outcome meets the target with probability P in the calibrated ensemble
    (:mod:`toolkit.population.ensemble`): the draws' deviations are drawn once from the seed and applied to
    the lever's central paths at every lever value (common random numbers), so the (1 − P)-quantile of the
    outcome (P-quantile for an upper bound) is continuous and monotone in the lever and has one root.
Two levers
    :func:`trade_off`: for each value of a first lever, the value of a second that meets the target.

A single area is projected on its own (no national balance of an all-region run), as
``project_population(region, scenario)`` does. Lever values are in scenario-file units (see :data:`LEVERS`):
the answer pastes into the scenario file with :meth:`GoalResult.scenario_snippet`.

The package, by step: :mod:`~toolkit.goals.inputs` (loading), :mod:`~toolkit.goals.levers` (names, ranges,
setting a lever), :mod:`~toolkit.goals.evaluate` (the engine over lever values), :mod:`~toolkit.goals.seek`
(root finding) and :mod:`~toolkit.goals.forum` (the pack's questions, the explorer's solve-for).
"""

from toolkit.errors import InputError
from toolkit.goals.evaluate import (
    apply_lever,
    central_paths,
    evaluate,
    evaluate_drawn,
    project_paths,
    skills_outcomes,
)
from toolkit.goals.forum import QUESTIONS, SLIDER_LEVERS, Answer, Question, solve_slider, what_would_it_take
from toolkit.goals.inputs import GoalInputs, goal_inputs
from toolkit.goals.levers import (
    ALLOWED_LEVERS,
    DIRECTIONS,
    LEVERS,
    OUTCOMES,
    POPULATION_LEVERS,
    SKILLS_LEVERS,
    SKILLS_OUTCOMES,
    TREND_PATH_YEAR,
    check_outcome,
    lever_spec,
    parse_lever,
    with_lever,
)
from toolkit.goals.seek import GoalResult, GoalUnreachable, goal_seek, solve_for, trade_off

__all__ = ["ALLOWED_LEVERS", "DIRECTIONS", "LEVERS", "OUTCOMES", "POPULATION_LEVERS", "QUESTIONS", "SKILLS_LEVERS",
           "SKILLS_OUTCOMES", "SLIDER_LEVERS", "TREND_PATH_YEAR", "Answer", "GoalInputs", "GoalResult",
           "GoalUnreachable", "InputError", "Question", "apply_lever", "central_paths", "check_outcome", "evaluate",
           "evaluate_drawn", "goal_inputs", "goal_seek", "lever_spec", "parse_lever", "project_paths",
           "skills_outcomes", "solve_for", "solve_slider", "trade_off", "what_would_it_take",
           "with_lever"]
