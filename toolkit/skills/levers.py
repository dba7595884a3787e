"""Scenario levers of the skills model, gathered into numpy arrays over (region, scenario).

The model reads levers through two small protocols, so any scenario object with these attributes
works (the toolkit's `toolkit.scenarios.Scenario`, or a dataclass in a test).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from toolkit.errors import InputError
from toolkit.nomenclature import AGES, INDUSTRIES
from toolkit.skills.assumptions import parse_age_band


class SkillsLevers(Protocol):
    """The levers of one scenario for one region."""

    participation_change: dict[str, float]  # age band "55-64" -> [percentage points]
    retirement_age_shift: float  # [years]
    industry_growth: dict[str, float]  # TOL letter or "default" -> [% per year]
    productivity_growth: float  # [% per year]


class SkillsScenario(Protocol):
    """A scenario: its id and its levers for a region."""

    id: str

    def levers_for(self, region_id: str) -> SkillsLevers: ...


@dataclass(frozen=True)
class LeverArrays:
    """The levers of every (region, scenario) pair, as arrays with the axes (region, scenario, …).

    Attributes
    ----------
    industry_growth : (region, scenario, industry) [1/year]
    productivity_growth : (region, scenario) [1/year]
    retirement_age_shift : (region, scenario) [years]
    participation_change : (region, scenario, age) [1, i.e. fraction, not percentage points]
    """

    industry_growth: np.ndarray
    productivity_growth: np.ndarray
    retirement_age_shift: np.ndarray
    participation_change: np.ndarray


def lever_arrays(
    scenarios: Sequence[SkillsScenario], regions: Sequence[str], industries: Sequence[str] = INDUSTRIES
) -> LeverArrays:
    """Collect the levers of every scenario and region into arrays.

    Parameters
    ----------
    scenarios : scenario objects, in the order of the ``scenario`` axis
    regions : region ids, in the order of the ``region`` axis
    industries : TOL 2008 letters, in the order of the ``industry`` axis

    Returns
    -------
    LeverArrays
    """
    per_pair = [[_one(scenario, region, industries) for scenario in scenarios] for region in regions]
    return LeverArrays(
        *(np.array([[pair[position] for pair in row] for row in per_pair], dtype=float) for position in range(4))
    )


def _one(scenario: SkillsScenario, region: str, industries: Sequence[str]) -> tuple:
    """Growth by industry, productivity, retirement shift and participation change of one pair."""
    levers = scenario.levers_for(region)
    where = f"scenario '{scenario.id}', region '{region}'"
    growth = dict(levers.industry_growth or {})
    unknown = sorted(set(growth) - set(INDUSTRIES) - {"default"})
    if unknown:
        raise InputError(
            f"{where}: industry_growth keys {unknown} are not TOL 2008 sections; "
            f"allowed: {', '.join(INDUSTRIES)} or 'default'"
        )
    rates = np.array([growth.get(letter, growth.get("default", 0.0)) for letter in industries]) / 100
    productivity = float(levers.productivity_growth or 0.0) / 100
    if rates.min() <= -1 or productivity <= -1:
        raise InputError(f"{where}: industry_growth and productivity_growth must be above -100 %/year")
    change = np.zeros(AGES.size)
    for band, points in (levers.participation_change or {}).items():
        first, last = parse_age_band(band, f"{where}: participation_change")
        change[first : last + 1] += float(points) / 100
    return rates, productivity, float(levers.retirement_age_shift or 0.0), change
