"""The inputs of goal seeking for one area and scenario, loaded once and reused (:func:`goal_inputs`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from toolkit.errors import InputError
from toolkit.io.inputs import load_population_inputs
from toolkit.population.jumpoff import NationalPatterns, RegionBase, national_patterns
from toolkit.population.project import _check_horizon, _resolve, region_base
from toolkit.regions import get_region
from toolkit.scenarios import Levers, Scenario, load_scenario
from toolkit.skills import load_assumptions, load_base


@dataclass(frozen=True)
class GoalInputs:
    """Everything goal seeking needs for one area and scenario (built by :func:`goal_inputs`).

    Attributes
    ----------
    base : the area's jump-off inputs
    patterns : national mortality and fertility age patterns
    scenario : the scenario
    years : base year .. horizon [years]
    population_inputs : the population model's tables (:class:`toolkit.io.inputs.PopulationInputs`), cut at the
        base year
    skills_base, assumptions : inputs of the skills model (``None``: population outcomes only)
    """

    base: RegionBase
    patterns: NationalPatterns
    scenario: Scenario
    years: np.ndarray
    population_inputs: Any
    skills_base: Any = None
    assumptions: Any = None
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def levers(self) -> Levers:
        return self.scenario.levers_for(self.base.region.id)


def goal_inputs(region, scenario, *, horizon: int = 2050, base_year: int | None = None,
                skills: bool = True) -> GoalInputs:
    """Load the inputs of :func:`goal_seek` for an area and a scenario (reads ``params/`` through the loaders).

    Parameters
    ----------
    region : region id, code or :class:`~toolkit.regions.Region`
    scenario : scenario id, path or :class:`~toolkit.scenarios.Scenario`
    horizon : last projected year
    base_year : jump-off year (default: the last observed)
    skills : also load the skills model's inputs (needed for ``labour_balance`` and ``job_openings``)
    """

    (area,) = _resolve(region)
    # the parent region is named as a Region, so that its code (not its id) selects its series; an area of
    # municipalities needs every maakunta (its base is raked to them, toolkit.population.municipalities)
    tables = load_population_inputs(None if area.kind != "maakunta" else
                                    [area, get_region(area.parent)] if area.parent else [area])
    base_year = tables.latest_base_year if base_year is None else int(base_year)
    if not tables.first_base_year <= base_year <= tables.latest_base_year:
        raise InputError(f"base year {base_year} is outside the allowed range {tables.first_base_year}.."
                         f"{tables.latest_base_year}")
    _check_horizon(horizon, base_year)
    tables = tables.up_to(base_year)
    skills_base = assumptions = None
    if skills:
        assumptions = load_assumptions()
        skills_base = load_base([area.id], assumptions)
    return GoalInputs(region_base(tables, area, base_year), national_patterns(tables, base_year),
                      load_scenario(scenario), np.arange(base_year, horizon + 1), tables, skills_base, assumptions)




def need_skills(inputs: GoalInputs):
    if inputs.skills_base is None or inputs.assumptions is None:
        raise InputError("skills outcomes need the skills model's inputs: build them with goal_inputs(..., "
                         "skills=True)")
    return inputs.skills_base

