"""Scenario levers of the skills model, gathered into arrays over (region, scenario).

The model reads levers through two small protocols, so any scenario object with these attributes
works (the toolkit's `toolkit.scenarios.Scenario`, or a dataclass in a test).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.skills.assumptions import AGES, parse_age_band

INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRSTU")
DEMOGRAPHIC_INDUSTRIES = ("P", "Q")


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


def lever_arrays(scenarios: Sequence[SkillsScenario], regions: Sequence[str]) -> xr.Dataset:
    """Collect the levers of every scenario and region into arrays.

    Parameters
    ----------
    scenarios : scenario objects, in the order of the output's ``scenario`` dimension
    regions : region ids

    Returns
    -------
    Dataset with ``industry_growth`` (region, scenario, industry) [1/year],
    ``productivity_growth`` (region, scenario) [1/year], ``retirement_age_shift`` (region, scenario)
    [years] and ``participation_change`` (region, scenario, age) [1, i.e. fraction, not pp].
    """
    per_pair = [[_one(scenario, region) for scenario in scenarios] for region in regions]
    coords = {"region": list(regions), "scenario": [scenario.id for scenario in scenarios]}
    names = ("industry_growth", "productivity_growth", "retirement_age_shift", "participation_change")
    dims = (("industry",), (), (), ("age",))
    extra = {"industry": list(INDUSTRIES), "age": AGES}
    data = {}
    for position, (name, tail) in enumerate(zip(names, dims, strict=True)):
        values = np.array([[pair[position] for pair in row] for row in per_pair], dtype=float)
        data[name] = xr.DataArray(
            values, dims=("region", "scenario", *tail), coords={**coords, **{dim: extra[dim] for dim in tail}}
        )
    return xr.Dataset(data)


def _one(scenario: SkillsScenario, region: str) -> tuple:
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
    rates = np.array([growth.get(letter, growth.get("default", 0.0)) for letter in INDUSTRIES]) / 100
    productivity = float(levers.productivity_growth or 0.0) / 100
    if rates.min() <= -1 or productivity <= -1:
        raise InputError(f"{where}: industry_growth and productivity_growth must be above -100 %/year")
    change = np.zeros(AGES.size)
    for band, points in (levers.participation_change or {}).items():
        first, last = parse_age_band(band, f"{where}: participation_change")
        change[first : last + 1] += float(points) / 100
    return rates, productivity, float(levers.retirement_age_shift or 0.0), change
