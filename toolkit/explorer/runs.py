"""The explorer's model runs: the shipped scenarios of an area cached, the edited scenario run on demand."""

from __future__ import annotations

from functools import lru_cache

import xarray as xr

from toolkit.population.project import project_population
from toolkit.scenarios import Scenario, load_scenario
from toolkit.skills import load_assumptions, load_base, participation_room, project_skills

BASELINE = "baseline"


@lru_cache(maxsize=64)
def scenario_population(region: str, scenario: str, horizon: int) -> xr.Dataset:
    """The run of one shipped scenario in one area (cached; do not modify the result)."""
    return project_population(region, [scenario], horizon=horizon)


def baseline_population(region: str, horizon: int) -> xr.Dataset:
    """The baseline run of one area (cached; do not modify the result)."""
    return scenario_population(region, BASELINE, horizon)


@lru_cache(maxsize=32)
def _skills_inputs(region: str):
    assumptions = load_assumptions()
    return load_base([region], assumptions), assumptions


def skills_run(population: xr.Dataset, scenario: Scenario) -> xr.Dataset:
    """The skills model on a one-area, one-scenario population run (no tightness forecast)."""
    base, assumptions = _skills_inputs(str(population["region"].values[0]))
    return project_skills(population, [scenario], base=base, assumptions=assumptions, tightness=False)


@lru_cache(maxsize=16)
def tightness_run(region: str, horizon: int) -> xr.Dataset:
    """The baseline's skills run of one area with the tightness history and forecast (cached; do not modify)."""
    base, assumptions = _skills_inputs(region)
    return project_skills(baseline_population(region, horizon), [load_scenario(BASELINE)], base=base,
                          assumptions=assumptions, tightness=True, occupations=False)


@lru_cache(maxsize=32)
def baseline_skills(region: str, horizon: int) -> xr.Dataset:
    """The skills run of the baseline of one area (cached; do not modify the result)."""
    return skills_run(baseline_population(region, horizon), load_scenario(BASELINE))


def participation_bounds(region: str, horizon: int, scenario: Scenario, band: str) -> tuple[float, float]:
    """The participation change [percentage points] in ``band`` (``"55-64"``) that keeps every projected rate of
    the band within 0..1 in the area, with the scenario's retirement-age shift
    (:func:`toolkit.skills.participation_room`)."""
    first, last = (int(age) for age in band.split("-"))
    base, assumptions = _skills_inputs(region)
    low, high = participation_room(baseline_population(region, horizon), scenario, range(first, last + 1),
                                   base=base, assumptions=assumptions)
    return 100.0 * low, 100.0 * high
