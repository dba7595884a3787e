"""The levers a goal can be sought on: names, allowed ranges in scenario-file units, and setting one in a scenario."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from toolkit.errors import InputError
from toolkit.goals.inputs import GoalInputs, need_skills
from toolkit.nomenclature import AGE_GROUPS, AGES
from toolkit.scenarios import BySex, LeverOverrides, MigrationPath, Scenario, TfrPath, TrendPath
from toolkit.skills import demand as dm
from toolkit.skills.assumptions import parse_age_band

SKILLS_OUTCOMES = ("labour_balance", "job_openings")
OUTCOMES = (*AGE_GROUPS, *SKILLS_OUTCOMES)
"""Outcomes a target can be set on: a ``population_group`` label or a skills outcome."""
POPULATION_LEVERS = ("tfr", "additional_net_migration", "migration_rate_scale", "e0_gain_per_decade")
SKILLS_LEVERS = ("participation_change", "retirement_age_shift")
LEVERS = (*POPULATION_LEVERS, *SKILLS_LEVERS)
"""Levers a goal can be sought on (``participation_change:55-74`` names an age band; default 55-64)."""
ALLOWED_LEVERS = {
    **{group: POPULATION_LEVERS for group in AGE_GROUPS},
    # the labour balance is supply (population × participation) minus demand; retirement timing moves only the
    # replacement demand, i.e. the job openings, and participation moves only the supply
    "labour_balance": (*POPULATION_LEVERS, "participation_change"),
    "job_openings": (*POPULATION_LEVERS, "retirement_age_shift"),
}
DIRECTIONS = (">=", "<=", "=")
DEFAULT_BAND = "55-64"
TREND_PATH_YEAR = 2035
"""Year by which a TFR lever given as a change is reached when the scenario's TFR follows its trend model."""
GRID_POINTS = 17  # lever values of the bracketing grid (one engine call)
ROUNDING = {"tfr": 0.001, "additional_net_migration:persons": 1.0, "additional_net_migration:per_1000": 0.01,
            "migration_rate_scale": 0.001, "e0_gain_per_decade": 0.01, "participation_change": 0.1,
            "retirement_age_shift": 0.01}
"""Step to which an answer is rounded for the scenario file, towards the side that meets the target."""
UNITS = {"tfr": "children per woman", "persons": "persons per year", "per_1000": "per 1,000 inhabitants a year",
         "migration_rate_scale": "multiplier", "e0_gain_per_decade": "years per decade",
         "participation_change": "percentage points", "retirement_age_shift": "years"}



def parse_lever(lever: str) -> tuple[str, str | None]:
    """``"participation_change:55-74"`` → (name, band); other levers have no band."""
    name, _, band = str(lever).partition(":")
    if name not in LEVERS:
        raise InputError(f"unknown lever {lever!r}; allowed: {', '.join(LEVERS)} "
                         f"(participation_change:A-B names an age band, default {DEFAULT_BAND})")
    if name != "participation_change":
        if band:
            raise InputError(f"lever {lever!r}: only participation_change takes an age band")
        return name, None
    band = band or DEFAULT_BAND
    first, last = parse_age_band(band, f"lever {lever!r}")
    return name, f"{first:02d}-{last:02d}"


def check_outcome(outcome: str, lever: str) -> None:
    """An outcome name and whether the lever can move it (InputError naming the allowed values)."""
    if outcome not in OUTCOMES:
        raise InputError(f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
    name = lever.split(":")[0]
    if name not in ALLOWED_LEVERS[outcome]:
        raise InputError(f"lever {name!r} does not move the outcome {outcome!r}; levers allowed for it: "
                         f"{', '.join(ALLOWED_LEVERS[outcome])}")


@dataclass(frozen=True)
class _LeverSpec:
    """How a lever's value maps onto the scenario: form, range, current value, path shape."""

    name: str
    band: str | None
    form: str
    low: float
    high: float
    current: float | None
    unit: str
    rounding: float
    path_year: int | None = None
    shape: str | None = None
    migration_unit: str | None = None
    other_bands: tuple[tuple[str, float], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.name}:{self.band}" if self.band else self.name


def lever_spec(inputs: GoalInputs, lever: str) -> _LeverSpec:
    """The lever's form, allowed range [scenario-file units] and the scenario's own value."""
    name, band = parse_lever(lever)
    levers, base = inputs.levers, inputs.base
    if name == "tfr":
        path = levers.tfr
        if not isinstance(path, TfrPath):  # a trend form: a change from the observed value
            form, year, shape, current = "change", TREND_PATH_YEAR, "linear", None
        else:
            form = "target" if path.target is not None else "change"
            year, shape, current = path.year, path.shape, getattr(path, form)
        # the schema's range, narrowed so that the TFR itself stays within the schema's 0.5..4
        low, high = (0.5, 4.0) if form == "target" else (max(-2.0, 0.5 - base.tfr), min(2.0, 4.0 - base.tfr))
        return _LeverSpec(name, None, form, low, high, current, UNITS["tfr"], ROUNDING["tfr"], year, shape)
    if name == "additional_net_migration":
        path = levers.additional_net_migration
        low, high = (-50.0, 50.0) if path.unit == "per_1000" else (-100_000.0, 100_000.0)
        return _LeverSpec(name, None, "change", low, high, path.change, UNITS[path.unit],
                          ROUNDING[f"{name}:{path.unit}"], path.year, path.shape, path.unit)
    if name == "migration_rate_scale":
        return _LeverSpec(name, None, "value", 0.0, 5.0, levers.migration_rate_scale, UNITS[name], ROUNDING[name])
    if name == "e0_gain_per_decade":
        gain = levers.e0_gain_per_decade
        current = None if isinstance(gain, TrendPath) or gain.F != gain.M else gain.F
        return _LeverSpec(name, None, "value", -3.0, 5.0, current, UNITS[name], ROUNDING[name])
    if name == "retirement_age_shift":
        return _LeverSpec(name, None, "value", -3.0, 5.0, levers.retirement_age_shift, UNITS[name], ROUNDING[name])
    # participation_change of one band: the schema's ±30 points, narrowed so that every rate stays within 0..1
    others = {key: value for key, value in levers.participation_change.items() if key != band}
    low, high = _participation_range(inputs, band, others)
    return _LeverSpec(name, band, "value", low, high, levers.participation_change.get(band), UNITS[name],
                      ROUNDING[name], other_bands=tuple(others.items()))


def _participation_range(inputs: GoalInputs, band: str, others: dict[str, float]) -> tuple[float, float]:
    skills = need_skills(inputs)
    region = inputs.base.region.id
    national = skills.participation_rate.transpose("sex", "age").values
    area = float(skills.area_participation_rate.sel(region=region))
    scale = float(dm.scale_to_area(inputs.base.population[None], national, np.array(area)))
    change = np.zeros(AGES.size)
    for key, points in others.items():
        first, last = parse_age_band(key, "participation_change")
        change[first:last + 1] += points / 100
    first, last = parse_age_band(band, "participation_change")
    rate = (national * scale + change)[:, first:last + 1]
    margin = 1e-6  # [points] keeps the end's rates inside 0..1 despite rounding
    return max(-30.0, float(100 * (-rate).max()) + margin), min(30.0, float(100 * (1 - rate).min()) - margin)


def with_lever(scenario: Scenario, region_id: str, lever: str, value: float, inputs: GoalInputs | None = None
               ) -> Scenario:
    """The scenario with one lever set to ``value`` (scenario-file units) in the area's region block.

    Path levers keep the scenario's year, shape and unit (a TFR on its trend becomes a change by
    :data:`TREND_PATH_YEAR`, linear); ``e0_gain_per_decade`` sets both sexes; ``participation_change`` sets its
    band and keeps the others.
    """
    name, band = parse_lever(lever)
    levers = scenario.levers_for(region_id)
    value = float(value)
    if name == "tfr":
        path = levers.tfr
        if not isinstance(path, TfrPath):  # a trend form: a change from the observed value
            new: Any = TfrPath(change=value, year=TREND_PATH_YEAR, shape="linear")
        else:
            form = "target" if path.target is not None else "change"
            new = TfrPath(**{form: value}, year=path.year, shape=path.shape)
    elif name == "additional_net_migration":
        path = levers.additional_net_migration
        new = MigrationPath(change=value, year=path.year, shape=path.shape, unit=path.unit)
    elif name == "e0_gain_per_decade":
        new = BySex(F=value, M=value)
    elif name == "participation_change":
        new = {**levers.participation_change, band: value}
    else:
        new = value
    block = scenario.regions.get(region_id) or LeverOverrides()
    block = LeverOverrides.model_validate({**block.model_dump(exclude_unset=True), name: new}, strict=False)
    return scenario.model_copy(update={"regions": {**scenario.regions, region_id: block}})

