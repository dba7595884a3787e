"""Outcomes of an area at many lever values in one engine call, deterministic or over the ensemble's draws."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.goals.inputs import GoalInputs, need_skills
from toolkit.goals.levers import SKILLS_LEVERS, _LeverSpec, check_outcome, lever_spec, with_lever
from toolkit.nomenclature import AGE_GROUPS, AGES, GROUP_MEMBERS, SEXES
from toolkit.population.ccm import SRB, project
from toolkit.population.ensemble import lever_draws
from toolkit.population.lifetable import tabulated_person_years
from toolkit.population.project import _chunks, calibration_for, lever_arrays
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.schedules import rogers_castro
from toolkit.scenarios import Levers, MigrationPath, TfrPath
from toolkit.skills import project_skills


def _central_paths(inputs: GoalInputs) -> dict[str, np.ndarray]:
    """The scenario's central lever paths of the area over ``inputs.years`` (leading dims removed)."""
    if "paths" not in inputs._cache:
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


def project_paths(inputs: GoalInputs, paths: dict[str, np.ndarray], *, exact_life_tables: bool = True,
                  steps: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Population (K, Y, 2, A) and deaths (K, Y−1, 2, A) of K sets of lever paths, one engine call.

    ``exact_life_tables=False`` reads the life tables from the tabulated grid (as the ensemble does; e0 within
    about 1e-5 years) instead of solving each one, for thousands of e0 paths. ``steps``: project only the first
    ``steps`` years (Y = steps + 1); the numbers of those years are those of the whole run, as a year depends on
    the years before it only.
    """
    steps = inputs.years.size - 1 if steps is None else steps
    paths = {name: value[:, :steps] if value.ndim > 1 else value for name, value in paths.items()}
    shift = _central_paths(inputs)["shift"][1:steps + 1]
    if paths["e0"].strides[0] == 0:  # the same e0 path for every K
        Lx = _person_years_central(inputs)[:steps]
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
        if inputs.scenario.uncertainty is None:
            raise InputError(f"{inputs.scenario.source or inputs.scenario.id}: uncertainty: the scenario has no "
                             f"uncertainty block, so a probability cannot be computed; add one or leave out the "
                             f"probability")
        paths = {name: value[None, None] for name, value in _central_paths(inputs).items()}
        rates = paths["rate_scale"][..., None, None, None] * inputs.base.migration_rate[None, None, None]
        cal = calibration_for(inputs.population_inputs, inputs.base.base_year)  # the bands of project_population
        (chunk,) = _chunks(inputs.population_inputs, [inputs.base], [inputs.scenario], paths, rates,
                           inputs.patterns, draws, seed, False, False, cal)
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
    skills = need_skills(inputs)
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
    result = project_skills(ds, variants, base=skills, assumptions=inputs.assumptions, tightness=False,
                            participation_cap=True)
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

