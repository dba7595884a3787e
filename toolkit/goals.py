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
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
import yaml
from scipy.optimize import brentq

from toolkit.errors import InputError
from toolkit.nomenclature import AGE_GROUPS, AGES, GROUP_MEMBERS, SEXES
from toolkit.population.ccm import SRB, project
from toolkit.population.ensemble import lever_draws
from toolkit.population.jumpoff import NationalPatterns, RegionBase
from toolkit.population.lifetable import tabulated_person_years
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.schedules import rogers_castro
from toolkit.scenarios import BySex, LeverOverrides, Levers, MigrationPath, Scenario, TfrPath, TrendPath

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


class GoalUnreachable(InputError):
    """No lever value within the allowed range meets the target (or every value already does).

    Attributes
    ----------
    lever, outcome : what was sought
    low, high : the ends of the lever's range [scenario-file units]
    at_low, at_high : the outcome there [persons, jobs per year, or the quantile with a probability]
    already_met : True when the target is met at every value of the range (no value is needed)
    """

    def __init__(self, message: str, *, lever: str, outcome: str, low: float, high: float, at_low: float,
                 at_high: float, already_met: bool):
        super().__init__(message)
        self.lever, self.outcome, self.low, self.high = lever, outcome, low, high
        self.at_low, self.at_high, self.already_met = at_low, at_high, already_met


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
    from toolkit.io.inputs import load_population_inputs
    from toolkit.population.jumpoff import national_patterns
    from toolkit.population.project import _check_horizon, _resolve, region_base
    from toolkit.regions import get_region
    from toolkit.scenarios import load_scenario

    (area,) = _resolve(region)
    # the parent region is named as a Region, so that its code (not its id) selects its series
    tables = load_population_inputs([area, get_region(area.parent)] if area.parent else [area])
    base_year = tables.latest_base_year if base_year is None else int(base_year)
    if not tables.first_base_year <= base_year <= tables.latest_base_year:
        raise InputError(f"base year {base_year} is outside the allowed range {tables.first_base_year}.."
                         f"{tables.latest_base_year}")
    _check_horizon(horizon, base_year)
    tables = tables.up_to(base_year)
    skills_base = assumptions = None
    if skills:
        from toolkit.skills import load_assumptions, load_base

        assumptions = load_assumptions()
        skills_base = load_base([area.id], assumptions)
    return GoalInputs(region_base(tables, area, base_year), national_patterns(tables, base_year),
                      load_scenario(scenario), np.arange(base_year, horizon + 1), tables, skills_base, assumptions)


@dataclass(frozen=True)
class GoalResult:
    """The answer of :func:`goal_seek`, in scenario-file units.

    Attributes
    ----------
    region, scenario : area id and scenario id
    lever : lever name (``participation_change:55-64`` with its band)
    value : the lever value, rounded for the scenario file towards the side that meets the target
        [``unit``]; for a path lever its ``change`` or ``target`` (``form``), reached by ``path_year`` on
        ``shape``
    unit : the lever's unit
    outcome : outcome name; year : target year (the last of ``period``); target : the target [persons or jobs
        per year]
    achieved : the outcome at ``value`` (with a probability: its quantile that the probability refers to;
        over a period: the lowest value for ``>=``, the highest for ``<=``)
    direction : ``>=``, ``<=`` or ``=``; period : (first, last) year, or ``None`` for one year
    exact : the root before rounding; current : the scenario's own value of the lever (``None`` for a trend)
    probability : the wanted probability (``None``: deterministic); share_met : share of the draws that meet
        the target at ``value``; draws, seed : the ensemble
    form : ``change``, ``target`` or ``value``; path_year, shape, migration_unit : of a path lever
    increasing : True when larger lever values meet the target (the outcome rises with the lever)
    """

    region: str
    scenario: str
    lever: str
    value: float
    unit: str
    outcome: str
    year: int
    target: float
    achieved: float
    direction: str = ">="
    period: tuple[int, int] | None = None
    exact: float = math.nan
    current: float | None = None
    probability: float | None = None
    share_met: float | None = None
    draws: int = 0
    seed: int = 0
    form: str = "value"
    path_year: int | None = None
    shape: str | None = None
    migration_unit: str | None = None
    band: str | None = None
    increasing: bool = True
    other_bands: tuple[tuple[str, float], ...] = ()

    def scenario_snippet(self) -> str:
        """The lever's line for the ``levers:`` block of the scenario file (YAML, one line).

        A path lever keeps the scenario's own year, shape and unit; ``participation_change`` keeps the
        scenario's other bands.
        """
        name = self.lever.split(":")[0]
        if name == "tfr":
            value: Any = {self.form: self.value, "year": self.path_year, "shape": self.shape}
        elif name == "additional_net_migration":
            value = {"change": self.value, "year": self.path_year, "shape": self.shape, "unit": self.migration_unit}
        elif name == "e0_gain_per_decade":
            value = {"F": self.value, "M": self.value}
        elif name == "participation_change":
            value = {**dict(self.other_bands), self.band: self.value}
        else:
            value = self.value
        if not isinstance(value, dict):
            return f"{name}: {value!r}"
        text = yaml.safe_dump({name: value}, default_flow_style=None, sort_keys=False, width=1000).strip()
        return text.replace(f"{name}:\n  ", f"{name}: ")

    def to_dict(self) -> dict:
        """JSON-ready fields (the period as a list)."""
        out = asdict(self)
        out["period"] = list(self.period) if self.period else None
        out["other_bands"] = dict(self.other_bands)
        out["scenario_snippet"] = self.scenario_snippet()
        return out


# --- levers ---------------------------------------------------------------------------------------------------

def parse_lever(lever: str) -> tuple[str, str | None]:
    """``"participation_change:55-74"`` → (name, band); other levers have no band."""
    from toolkit.skills.assumptions import parse_age_band

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
        if isinstance(path, TrendPath):
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
    from toolkit.skills import demand as dm
    from toolkit.skills.assumptions import parse_age_band

    skills = _need_skills(inputs)
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
        if isinstance(path, TrendPath):
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


# --- evaluation -----------------------------------------------------------------------------------------------

def _central_paths(inputs: GoalInputs) -> dict[str, np.ndarray]:
    """The scenario's central lever paths of the area over ``inputs.years`` (leading dims removed)."""
    if "paths" not in inputs._cache:
        from toolkit.population.project import lever_arrays

        paths = lever_arrays(inputs.population_inputs, [inputs.base], [inputs.scenario], inputs.years)
        inputs._cache["paths"] = {key: value[0, 0] for key, value in paths.items()}
    return inputs._cache["paths"]


def _lever_paths(inputs: GoalInputs, spec: _LeverSpec, values: np.ndarray) -> dict[str, np.ndarray]:
    """Central paths (K, …) of the projected years with the lever at each of ``values``."""
    return apply_lever(inputs, spec, values, central_paths(inputs, values.shape[0]))


def central_paths(inputs: GoalInputs, k: int) -> dict[str, np.ndarray]:
    """The scenario's central paths of the projected years repeated for K lever values (read-only views)."""
    paths = _central_paths(inputs)
    years = inputs.years.size - 1
    return {"tfr": np.broadcast_to(paths["tfr"][1:], (k, years)),
            "e0": np.broadcast_to(paths["e0"][1:], (k, years, 2)),
            "rate_scale": np.broadcast_to(paths["rate_scale"], (k,)),
            "extra": np.broadcast_to(paths["extra"][1:], (k, years))}


def apply_lever(inputs: GoalInputs, spec: _LeverSpec, values: np.ndarray, out: dict[str, np.ndarray]
                ) -> dict[str, np.ndarray]:
    """Paths ``out`` (K, …) with one population lever set to ``values`` (K,); skills levers leave them as they are."""
    years, base = inputs.years, inputs.base
    out = dict(out)
    if spec.name == "tfr":
        share = TfrPath.model_construct(change=1.0, year=spec.path_year, shape=spec.shape).values(
            0.0, base.base_year, years)[1:]
        end = values if spec.form == "target" else base.tfr + values
        out["tfr"] = base.tfr + (end[:, None] - base.tfr) * share
    elif spec.name == "additional_net_migration":
        share = MigrationPath.model_construct(change=1.0, year=spec.path_year, shape=spec.shape).values(
            0.0, base.base_year, years)[1:]
        per = 1.0 if spec.migration_unit == "persons" else base.population.sum() / 1000.0
        out["extra"] = values[:, None] * share * per
    elif spec.name == "migration_rate_scale":
        out["rate_scale"] = values
    elif spec.name == "e0_gain_per_decade":
        decades = (years[1:] - base.e0_year) / 10.0
        out["e0"] = base.e0 + values[:, None, None] * decades[None, :, None]
    return out


def project_paths(inputs: GoalInputs, paths: dict[str, np.ndarray], *, exact_life_tables: bool = True
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Population (K, Y, 2, A) and deaths (K, Y−1, 2, A) of K sets of lever paths, one engine call.

    ``exact_life_tables=False`` reads the life tables from the tabulated grid (as the ensemble does; e0 within
    about 1e-5 years) instead of solving each one, for thousands of e0 paths.
    """
    shift = _central_paths(inputs)["shift"][1:]
    if paths["e0"].strides[0] == 0:  # the same e0 path for every K
        Lx = _person_years_central(inputs)
    elif exact_life_tables:
        Lx = person_years(paths["e0"], inputs.patterns.mortality)[0]
    else:
        Lx = tabulated_person_years(paths["e0"], inputs.patterns.mortality)
    asfr = fertility_rates(paths["tfr"], shift, inputs.patterns.fertility)
    rates = np.asarray(paths["rate_scale"])[:, None, None, None] * inputs.base.migration_rate[None, None]
    counts = paths["extra"][..., None, None] * (0.5 * rogers_castro())
    result = project(inputs.base.population, Lx, asfr, srb=SRB, migration_rate=rates, migration_count=counts)
    return result.population, result.deaths


def _person_years_central(inputs: GoalInputs) -> np.ndarray:
    if "Lx" not in inputs._cache:
        inputs._cache["Lx"] = person_years(_central_paths(inputs)["e0"][1:], inputs.patterns.mortality)[0]
    return inputs._cache["Lx"]


def _populations(inputs: GoalInputs, spec: _LeverSpec, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic population (K, Y, 2, A) and deaths (K, Y−1, 2, A) at each lever value, one engine call."""
    return project_paths(inputs, _lever_paths(inputs, spec, values))


@dataclass(frozen=True)
class _Deviations:
    """Per-draw deviations of the ensemble from the central paths (common to every lever value)."""

    tfr_factor: np.ndarray  # (D, T) multiplicative
    e0: np.ndarray  # (D, T, 2) additive [years]
    extra: np.ndarray  # (D, T) additive [persons]
    rate: np.ndarray  # (1, 2, A) the chunk's migration rates at the scenario's own scale


def _deviations(inputs: GoalInputs, draws: int, seed: int) -> _Deviations:
    key = ("draws", draws, seed)
    if key not in inputs._cache:
        from toolkit.population.project import _chunks

        if inputs.scenario.uncertainty is None:
            raise InputError(f"{inputs.scenario.source or inputs.scenario.id}: uncertainty: the scenario has no "
                             f"uncertainty block, so a probability cannot be computed; add one or leave out the "
                             f"probability")
        paths = {name: value[None, None] for name, value in _central_paths(inputs).items()}
        rates = paths["rate_scale"][..., None, None, None] * inputs.base.migration_rate[None, None, None]
        (chunk,) = _chunks(inputs.population_inputs, [inputs.base], [inputs.scenario], paths, rates,
                           inputs.patterns, draws, seed, False, False)
        tfr, e0, extra = lever_draws(chunk)
        inputs._cache[key] = _Deviations(tfr / chunk.tfr, e0 - chunk.e0, extra - chunk.extra, chunk.rate)
    return inputs._cache[key]


def _populations_drawn(inputs: GoalInputs, spec: _LeverSpec, value: float, deviations: _Deviations
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Population (D, Y, 2, A) and deaths (D, Y−1, 2, A) of every draw with the lever at ``value``."""
    paths = {name: array[0] for name, array in _lever_paths(inputs, spec, np.array([float(value)])).items()}
    tfr = paths["tfr"] * deviations.tfr_factor
    e0 = paths["e0"] + deviations.e0
    key = ("Lx-draws", deviations.tfr_factor.shape)
    if spec.name == "e0_gain_per_decade" or key not in inputs._cache:
        Lx = tabulated_person_years(e0, inputs.patterns.mortality)
        if spec.name != "e0_gain_per_decade":
            inputs._cache[key] = Lx
    else:
        Lx = inputs._cache[key]
    asfr = fertility_rates(tfr, _central_paths(inputs)["shift"][1:], inputs.patterns.fertility)
    counts = (paths["extra"] + deviations.extra)[..., None, None] * (0.5 * rogers_castro())
    rate = paths["rate_scale"] * inputs.base.migration_rate[None]  # (1, 2, A), as the chunk's own rates
    result = project(inputs.base.population, Lx, asfr, migration_rate=rate, migration_count=counts)
    return result.population, result.deaths


def _need_skills(inputs: GoalInputs):
    if inputs.skills_base is None or inputs.assumptions is None:
        raise InputError("skills outcomes need the skills model's inputs: build them with goal_inputs(..., "
                         "skills=True)")
    return inputs.skills_base


@dataclass(frozen=True)
class _Variant:
    """A scenario with replaced skills levers, for :func:`toolkit.skills.project_skills`."""

    id: str
    levers: Levers

    def levers_for(self, region_id: str) -> Levers:
        return self.levers


def _outcome(inputs: GoalInputs, spec: _LeverSpec, values: np.ndarray, population: np.ndarray,
             deaths: np.ndarray, outcome: str, years: Sequence[int] | None = None) -> np.ndarray:
    """The outcome (…, Y) of populations (…, Y, 2, A); ``values`` (K,) the lever values of the first axis."""
    if outcome in AGE_GROUPS:
        return population.sum(-2) @ GROUP_MEMBERS[list(AGE_GROUPS).index(outcome)]
    region = inputs.base.region.id
    if spec.name in SKILLS_LEVERS:
        levers = [with_lever(inputs.scenario, region, spec.label, v).levers_for(region) for v in values]
    else:
        levers = [inputs.levers] * population.shape[0]
    return skills_outcomes(inputs, population, deaths, levers, years)[outcome]


def skills_outcomes(inputs: GoalInputs, population: np.ndarray, deaths: np.ndarray, levers: Sequence[Levers],
                    years: Sequence[int] | None = None) -> dict[str, np.ndarray]:
    """Labour balance [persons] and job openings [jobs per year], (K[, D], Y), of K populations and lever sets.

    Parameters
    ----------
    population : (K[, D], Y, 2, A) [persons], the base year first; deaths : (K[, D], Y−1, 2, A) [persons]
    levers : K lever sets (their skills levers are used)
    years : compute only these years (NaN elsewhere): the model then runs on the base year and each year with
        the year before it, which is all that a year's balance and openings depend on
    """
    from toolkit.skills import project_skills

    skills = _need_skills(inputs)
    drawn = population.ndim == 5
    if not drawn:
        population, deaths = population[:, None], deaths[:, None]
    k = population.shape[0]
    pad = np.full(deaths.shape[:-3] + (1,) + deaths.shape[-2:], np.nan)
    deaths = np.concatenate([pad, deaths], -3)
    keep = np.arange(inputs.years.size)
    if years is not None:
        wanted = np.searchsorted(inputs.years, np.asarray(sorted(set(years)), dtype=int))
        keep = np.unique(np.concatenate([[0], wanted - 1, wanted]).clip(0))
        population, deaths = population[..., keep, :, :], deaths[..., keep, :, :]
    dims = ("region", "scenario", "draw", "year", "sex", "age")
    coords = {"region": [inputs.base.region.id], "scenario": [f"v{i}" for i in range(k)],
              "year": inputs.years[keep], "sex": list(SEXES), "age": AGES, "draw": np.arange(population.shape[1])}
    ds = xr.Dataset({"population": (dims, population[None]), "deaths": (dims, deaths[None])}, coords=coords)
    if not drawn:
        ds = ds.isel(draw=0, drop=True)
    variants = [_Variant(f"v{i}", lever_set) for i, lever_set in enumerate(levers)]
    result = project_skills(ds, variants, base=skills, assumptions=inputs.assumptions, tightness=False)
    order = ("scenario", "draw", "year") if drawn else ("scenario", "year")
    out = {}
    for name, array in (("labour_balance", result["labour_balance"]),
                        ("job_openings", result["job_openings"].sum("industry"))):
        values = array.isel(region=0).transpose(*order).values
        full = np.full(values.shape[:-1] + (inputs.years.size,), np.nan)
        full[..., keep] = values
        out[name] = full
    return out


def evaluate(inputs: GoalInputs, lever: str, values, outcome: str, years: Sequence[int] | None = None
             ) -> np.ndarray:
    """The outcome (K, Y) over ``inputs.years`` at each lever value (K,) [persons or jobs per year].

    All values run through one engine call (a leading dimension of the engine); skills levers share one
    population run. ``years``: a skills outcome only in these years (NaN in the others; faster).
    """
    check_outcome(outcome, lever)
    spec = lever_spec(inputs, lever)
    values = np.atleast_1d(np.asarray(values, dtype=float))
    if spec.name in SKILLS_LEVERS:  # the population does not move: one run, kept
        if "skills-population" not in inputs._cache:
            inputs._cache["skills-population"] = _populations(inputs, spec, np.array([0.0]))
        population, deaths = inputs._cache["skills-population"]
        population = np.broadcast_to(population, (values.size,) + population.shape[1:])
        deaths = np.broadcast_to(deaths, (values.size,) + deaths.shape[1:])
    else:
        population, deaths = _populations(inputs, spec, values)
    return _outcome(inputs, spec, values, population, deaths, outcome, years)


def evaluate_drawn(inputs: GoalInputs, lever: str, value: float, outcome: str, draws: int, seed: int,
                   years: Sequence[int] | None = None) -> np.ndarray:
    """The outcome (D, Y) of every draw of the ensemble with the lever at ``value``."""
    check_outcome(outcome, lever)
    spec = lever_spec(inputs, lever)
    deviations = _deviations(inputs, draws, seed)
    population, deaths = _populations_drawn(
        inputs, spec, 0.0 if spec.name in SKILLS_LEVERS else value, deviations)
    return _outcome(inputs, spec, np.array([value]), population[None], deaths[None], outcome, years)[0]


# --- goal seeking ---------------------------------------------------------------------------------------------

def _years(inputs: GoalInputs, year, period, direction: str) -> tuple[int, tuple[int, int] | None, np.ndarray]:
    years = inputs.years
    if period is not None:
        first, last = (int(p) for p in period)
        if direction == "=":
            raise InputError("a target over a period needs a direction '>=' or '<=' (every year at least or at "
                             "most the target), not '='")
        if year is not None and not first <= int(year) <= last:
            raise InputError(f"year {year} is outside the period {first}-{last}")
    else:
        if year is None:
            raise InputError("give a target year or a period")
        first = last = int(year)
    if not years[1] <= first <= last <= years[-1]:
        raise InputError(f"target years {first}-{last} are outside the projected years {years[1]}-{years[-1]}")
    return last, ((first, last) if period is not None else None), (years >= first) & (years <= last)


def _reduce(values: np.ndarray, mask: np.ndarray, direction: str) -> np.ndarray:
    """Outcome over the target years: the lowest for '>=', the highest for '<=' (the binding year)."""
    chosen = values[..., mask]
    return chosen.max(-1) if direction == "<=" else chosen.min(-1)


def goal_seek(region, scenario, lever: str, outcome: str, year: int | None, target: float, *,
              direction: str = ">=", period: tuple[int, int] | None = None, probability: float | None = None,
              draws: int = 0, seed: int = 0, inputs: GoalInputs | None = None, horizon: int = 2050) -> GoalResult:
    """The value of one lever that makes an outcome meet a target, the scenario's other levers unchanged.

    Parameters
    ----------
    region : area id or code; scenario : scenario id, path or object (ignored when ``inputs`` is given)
    lever : one of :data:`LEVERS`; ``participation_change:A-B`` names the age band (default 55-64)
    outcome : one of :data:`OUTCOMES` (a ``population_group`` label [persons], ``labour_balance`` [persons],
        ``job_openings`` [jobs per year])
    year : target year (``None`` with a ``period``)
    target : the target value [persons or jobs per year]
    direction : ``>=`` (at least), ``<=`` (at most) or ``=`` (exactly)
    period : (first, last): the target holds in every year of the period
    probability : with ``draws``, the probability in (0, 1) with which the target is met
    draws, seed : ensemble size and seed (default 500 draws when a probability is given)
    inputs : preloaded :func:`goal_inputs` (fast repeated calls, e.g. the explorer)
    horizon : last projected year when ``inputs`` is not given

    Returns
    -------
    GoalResult

    Raises
    ------
    GoalUnreachable
        if no value in the lever's allowed range meets the target, or every value already does.
    InputError
        unknown lever or outcome, a lever that does not move the outcome, a probability outside (0, 1).
    """
    if direction not in DIRECTIONS:
        raise InputError(f"direction {direction!r}; allowed: {', '.join(DIRECTIONS)}")
    if outcome not in OUTCOMES:
        raise InputError(f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
    parse_lever(lever)
    check_outcome(outcome, lever)
    if isinstance(target, bool) or not isinstance(target, int | float | np.number) or not math.isfinite(target):
        raise InputError(f"target must be a finite number, got {target!r}")
    if probability is not None:
        if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability < 1:
            raise InputError(f"probability must lie strictly between 0 and 1, got {probability!r}")
        if direction == "=":
            raise InputError("a probability needs a direction '>=' or '<=' (met with probability P), not '='")
        draws = draws or 500
        from toolkit.population.project import MAX_DRAWS

        if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not 10 <= draws <= MAX_DRAWS:
            raise InputError(f"draws must be a whole number in 10..{MAX_DRAWS} with a probability, got {draws!r}")
    if inputs is None:
        if outcome in SKILLS_OUTCOMES or lever.split(":")[0] in SKILLS_LEVERS:
            inputs = goal_inputs(region, scenario, horizon=max(horizon, int(year or period[1])))
        else:
            inputs = goal_inputs(region, scenario, horizon=max(horizon, int(year or period[1])), skills=False)
    year, period, mask = _years(inputs, year, period, direction)
    spec = lever_spec(inputs, lever)
    target = float(target)
    target_years = inputs.years[mask]

    def deterministic(values: np.ndarray) -> np.ndarray:
        return _reduce(evaluate(inputs, lever, values, outcome, target_years), mask, direction) - target

    grid = np.linspace(spec.low, spec.high, GRID_POINTS)
    gaps = deterministic(grid)  # one engine call over the grid
    if probability is None:
        objective = deterministic
        exact, increasing = _root(objective, grid, gaps, spec, direction, outcome, target, probability)
    else:
        level = 1.0 - probability if direction == ">=" else probability

        def objective(values: np.ndarray) -> np.ndarray:
            return np.array([np.quantile(_reduce(evaluate_drawn(inputs, lever, v, outcome, draws, seed, target_years),
                                                 mask, direction), level) - target for v in values])

        exact, increasing = _root_drawn(objective, grid, gaps, spec, direction, outcome, target, probability)
    value = _rounded(exact, spec, direction, increasing)
    share = None
    if probability is None:
        achieved = float(objective(np.array([value]))[0] + target)
    else:  # one run of the draws gives both the quantile and the share that meets the target
        drawn = _reduce(evaluate_drawn(inputs, lever, value, outcome, draws, seed, target_years), mask, direction)
        achieved = float(np.quantile(drawn, level))
        share = float(np.mean(drawn >= target if direction == ">=" else drawn <= target))
    return GoalResult(
        region=inputs.base.region.id, scenario=inputs.scenario.id, lever=spec.label, value=value, unit=spec.unit,
        outcome=outcome, year=year, target=target, achieved=achieved, direction=direction, period=period,
        exact=float(exact), current=spec.current, probability=probability, share_met=share,
        draws=int(draws) if probability is not None else 0, seed=int(seed), form=spec.form,
        path_year=spec.path_year, shape=spec.shape, migration_unit=spec.migration_unit, band=spec.band,
        increasing=increasing, other_bands=spec.other_bands)


def _root(objective, grid: np.ndarray, gaps: np.ndarray, spec: _LeverSpec, direction: str, outcome: str,
          target: float, probability) -> tuple[float, bool]:
    """Bracket the crossing of zero on the grid, refine with brentq; GoalUnreachable without a crossing."""
    if not np.isfinite(gaps).all():
        raise InputError(f"lever {spec.label}: the outcome {outcome} is not finite over the range "
                         f"{spec.low:g}..{spec.high:g}")
    if gaps[-1] == gaps[0]:
        raise GoalUnreachable(
            f"lever {spec.label} does not change {outcome} (it stays at {gaps[0] + target:,.0f} over the whole "
            f"range {spec.low:g}..{spec.high:g} {spec.unit}); choose another lever",
            lever=spec.label, outcome=outcome, low=spec.low, high=spec.high, at_low=float(gaps[0] + target),
            at_high=float(gaps[-1] + target), already_met=False)
    signs = np.sign(gaps)
    crossings = np.flatnonzero((signs[:-1] * signs[1:] <= 0) & ~((signs[:-1] == 0) & (signs[1:] == 0)))
    if crossings.size == 0:
        met = bool(gaps.min() >= 0) if direction == ">=" else bool(gaps.max() <= 0) if direction == "<=" else False
        what = (f"with probability {probability:g} " if probability is not None else "")
        verb = {">=": "at least", "<=": "at most", "=": "exactly"}[direction]
        state = "every value already meets" if met else "no value reaches"
        raise GoalUnreachable(
            f"lever {spec.label}: {state} the target {outcome} {verb} {target:,.0f} {what}within the allowed range "
            f"{spec.low:g}..{spec.high:g} {spec.unit} ({outcome} is {gaps[0] + target:,.0f} at {spec.low:g} and "
            f"{gaps[-1] + target:,.0f} at {spec.high:g})",
            lever=spec.label, outcome=outcome, low=spec.low, high=spec.high, at_low=float(gaps[0] + target),
            at_high=float(gaps[-1] + target), already_met=met)
    # the crossing nearest the scenario's own value (one crossing when the outcome is monotone in the lever)
    reference = spec.current if spec.current is not None else 0.5 * (spec.low + spec.high)
    i = crossings[np.argmin(np.abs(0.5 * (grid[crossings] + grid[crossings + 1]) - reference))]
    if gaps[i] == 0:
        return float(grid[i]), bool(gaps[i + 1] >= gaps[i])
    if gaps[i + 1] == 0:
        return float(grid[i + 1]), bool(gaps[i + 1] >= gaps[i])
    xtol = (spec.high - spec.low) * 1e-7
    root = brentq(lambda v: float(objective(np.array([v]))[0]), grid[i], grid[i + 1], xtol=xtol)
    return float(root), bool(gaps[i + 1] > gaps[i])


def _root_drawn(objective, grid: np.ndarray, gaps: np.ndarray, spec: _LeverSpec, direction: str, outcome: str,
                target: float, probability: float, max_steps: int = 12) -> tuple[float, bool]:
    """Root of the ensemble's quantile objective, bracketed from the deterministic answer by secant steps.

    Each evaluation runs every draw, so the bracket is not searched on a grid: it starts at the deterministic root
    (or the range's end nearest to it), steps along the slope of the deterministic outcome (the quantile moves
    with the central path), continues by secant steps until the sign changes, and brentq refines within it to a
    tenth of the lever's rounding step.
    """
    if gaps[-1] == gaps[0]:
        return _root(objective, grid, gaps, spec, direction, outcome, target, probability)
    try:
        start = _root(lambda v: np.interp(v, grid, gaps), grid, gaps, spec, direction, outcome, target, None)[0]
    except GoalUnreachable:
        start = float(grid[np.argmin(np.abs(gaps))])
    slope = float(np.interp(start, grid, np.gradient(gaps, grid)))
    if slope == 0:
        slope = (gaps[-1] - gaps[0]) / (grid[-1] - grid[0])
    a, ha = start, float(objective(np.array([start]))[0])
    step = -ha / slope
    for _ in range(max_steps):
        if ha == 0:
            return a, slope > 0
        b = float(np.clip(a + step, spec.low, spec.high))
        if b == a:  # at an end of the range, still on the same side
            ends = np.array([spec.low, spec.high])
            return _root(objective, ends, objective(ends), spec, direction, outcome, target, probability)
        hb = float(objective(np.array([b]))[0])
        if np.sign(hb) != np.sign(ha):
            low, high = sorted((a, b))
            root = brentq(lambda v: float(objective(np.array([v]))[0]), low, high, xtol=spec.rounding / 10)
            return float(root), (hb - ha) / (b - a) > 0
        secant = -hb * (b - a) / (hb - ha) if hb != ha else step
        # keep going the same way, at least half again as far as the last step
        step = secant if secant * step > 0 and abs(secant) >= 1.5 * abs(step) else 1.5 * step
        a, ha = b, hb
    ends = np.array([spec.low, spec.high])
    return _root(objective, ends, objective(ends), spec, direction, outcome, target, probability)


def _rounded(value: float, spec: _LeverSpec, direction: str, increasing: bool) -> float:
    """Round to the lever's step towards the side that meets the target, within the range."""
    step = spec.rounding
    if direction == "=":
        rounded = round(value / step) * step
    else:
        up = increasing == (direction == ">=")
        rounded = (math.ceil(value / step - 1e-9) if up else math.floor(value / step + 1e-9)) * step
    decimals = max(0, -int(math.floor(math.log10(step))))
    return float(round(min(max(rounded, spec.low), spec.high), decimals))


def trade_off(region, scenario, lever_x: str, values_x: Sequence[float], lever_y: str, outcome: str,
              year: int | None, target: float, *, direction: str = ">=", period=None, probability=None,
              draws: int = 0, seed: int = 0, inputs: GoalInputs | None = None) -> pd.DataFrame:
    """Two levers at once: for each value of ``lever_x``, the value of ``lever_y`` that meets the target.

    Returns
    -------
    DataFrame with columns ``lever_x`` values, ``lever_y`` values (NaN where no value in its range meets the
    target), ``achieved`` and ``reached`` (bool); the lever names are in ``attrs``.
    """
    if inputs is None:
        inputs = goal_inputs(region, scenario)
    name_x, name_y = parse_lever(lever_x)[0], parse_lever(lever_y)[0]
    if name_x == name_y:
        raise InputError(f"trade_off needs two different levers, got {lever_x!r} twice")
    rows = []
    region_id = inputs.base.region.id
    for x in values_x:
        varied = replace(inputs, scenario=with_lever(inputs.scenario, region_id, lever_x, float(x)), _cache={})
        try:
            answer = goal_seek(None, None, lever_y, outcome, year, target, direction=direction, period=period,
                               probability=probability, draws=draws, seed=seed, inputs=varied)
            rows.append((float(x), answer.value, answer.achieved, True))
        except GoalUnreachable as error:
            rows.append((float(x), math.nan, error.at_high if error.already_met else math.nan, False))
    table = pd.DataFrame(rows, columns=[lever_x, lever_y, "achieved", "reached"])
    table.attrs.update(lever_x=lever_x, lever_y=lever_y, outcome=outcome, year=year, target=target)
    return table


def solve_for(inputs: GoalInputs, lever: str, outcome: str, year: int, target: float, *,
              direction: str = ">=") -> float:
    """The slider value of the explorer's "solve for" control: :func:`goal_seek` on preloaded inputs.

    ``inputs`` are those of the explorer's current area and scenario levers (:func:`goal_inputs` with a
    Scenario built from the sliders); returns the lever value in scenario-file units. Raises
    :class:`GoalUnreachable` (an InputError) with the message to show when the range cannot reach it.
    """
    return goal_seek(None, None, lever, outcome, year, target, direction=direction, inputs=inputs).value


__all__ = ["ALLOWED_LEVERS", "LEVERS", "OUTCOMES", "GoalInputs", "GoalResult", "GoalUnreachable", "evaluate",
           "evaluate_drawn", "goal_inputs", "goal_seek", "lever_spec", "solve_for", "trade_off", "with_lever"]
