"""Tiny synthetic areas and runs, laid out as in docs/conventions.md, for the indicator and figure tests.

:func:`synthetic_inputs` builds the tables of two made-up regions (``alpha``, ``beta``) and of a made-up country
directly, as a :class:`~toolkit.io.inputs.PopulationInputs`; :func:`population_run` projects them with the real
engine (:func:`toolkit.project_population` with ``inputs=``). The numbers are made up for testing only; they are
not data about any real area.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import xarray as xr

from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import AGES, INDUSTRIES, SEXES
from toolkit.population.project import project_population
from toolkit.regions import Region
from toolkit.scenarios import Scenario

REGIONS = {"alpha": "MK98", "beta": "MK99"}
SCENARIOS = {"baseline": 0.0, "vitality": 400.0, "decline": -300.0, "no-migration": None}
"""Scenario id -> additional net migrants per year [persons] (None: no migration at all)."""
BASE_YEAR = 2025
HORIZON = 2030
COUNTRY = "SSS"


def _base_population(scale: float) -> np.ndarray:
    """Base stock (sex, age) [persons], a declining age profile."""
    profile = scale * (1200.0 - 9.0 * AGES).clip(min=40.0)
    return np.stack([profile * 1.02, profile])


def _gompertz(ages: np.ndarray) -> np.ndarray:
    """A Gompertz-like schedule of death rates by age [1/year]."""
    return np.minimum(0.0004 + 0.00003 * np.exp(0.1 * ages), 0.6)


def region(region_id: str) -> Region:
    """The synthetic region ``alpha`` or ``beta``."""
    return Region(id=region_id, code=REGIONS[region_id], kind="maakunta", nuts3=None,
                  name={"fi": f"{region_id} (fi)", "sv": f"{region_id} (sv)", "en": region_id},
                  municipalities=(f"KU9{9 - list(REGIONS).index(region_id)}0",), parent=None, forum=False)


@cache
def synthetic_inputs() -> PopulationInputs:
    """The tables of the two synthetic regions and their country: populations 2015..2025, TFR 1990..2025,
    life expectancy, net migration by 5-year group, national life tables, WPP-like periods and fertility."""
    rng = np.random.default_rng(7)
    codes = [*REGIONS.values(), COUNTRY]
    scale = {"MK98": 1.0, "MK99": 2.0, COUNTRY: 3.0}
    years = np.arange(2015, BASE_YEAR + 1)
    population = np.stack([[_base_population(scale[c]) * (1.0 + 0.004 * (y - BASE_YEAR)) for y in years]
                           for c in codes])
    history = np.arange(1990, BASE_YEAR + 1)
    tfr = np.stack([1.6 - 0.008 * (history - 1990) + 0.05 * rng.standard_normal(history.size) for _ in codes])
    e0_years = np.arange(1990, BASE_YEAR)
    e0 = np.stack([np.stack([78.0 + 0.2 * (e0_years - 1990), 71.0 + 0.27 * (e0_years - 1990)], axis=-1)
                   + 0.1 * rng.standard_normal((e0_years.size, 2)) for _ in codes])
    starts = np.arange(0, 80, 5)
    ends = np.r_[starts[:-1] + 4, 100]
    shape = np.exp(-((starts + 2.5 - 25.0) / 12.0) ** 2) + 0.05
    migration = np.stack([[[np.round(scale[c] * (40.0 + 30.0 * rng.standard_normal()) * shape)
                            for _ in SEXES] for _ in history] for c in codes])
    migration[2] = migration[0] + migration[1]  # the regions add up to the country
    mx_ages = np.r_[0, 1, np.arange(5, 105, 5)]
    period_starts = np.arange(1950, 2100, 5)
    mx = np.stack([[_gompertz(mx_ages + 2.0) * np.exp(-0.015 * (p - 2015) + 0.02 * rng.standard_normal())
                    * (1.25 if sex == "M" else 1.0) for sex in SEXES] for p in period_starts])
    qx_years = np.arange(2017, BASE_YEAR)
    qx = np.stack([[np.minimum(_gompertz(AGES[:100]) * (1.25 if sex == "M" else 1.0), 0.9) for sex in SEXES]
                   for _ in qx_years])
    asfr_years = np.arange(2000, 2031)
    fertility_ages = np.arange(15, 50)
    schedule = np.exp(-((fertility_ages - 30.0) / 5.5) ** 2)
    asfr = np.stack([1.5 * schedule / schedule.sum() for _ in asfr_years])

    def da(values, dims, coords, name):
        return xr.DataArray(values, dims=dims, coords=coords, name=name)

    return PopulationInputs(
        population=da(population, ("region_code", "year", "sex", "age"),
                      {"region_code": codes, "year": years, "sex": list(SEXES), "age": AGES}, "population"),
        tfr=da(tfr, ("region_code", "year"), {"region_code": codes, "year": history}, "tfr"),
        life_expectancy=da(e0, ("region_code", "year", "sex"),
                           {"region_code": codes, "year": e0_years, "sex": list(SEXES)}, "e0"),
        net_migration_age5=da(migration, ("region_code", "year", "sex", "age_start"),
                              {"region_code": codes, "year": history, "sex": list(SEXES), "age_start": starts,
                               "age_end": ("age_start", ends)}, "net_migration"),
        net_migration_total=da(migration.sum((-2, -1)), ("region_code", "year"),
                               {"region_code": codes, "year": history}, "net_migration"),
        qx_national=da(qx, ("year", "sex", "age"), {"year": qx_years, "sex": list(SEXES), "age": AGES[:100]}, "qx"),
        mx_wpp=da(mx, ("period_start", "sex", "age_start"),
                  {"period_start": period_starts, "sex": list(SEXES), "age_start": mx_ages,
                   "period_end": ("period_start", period_starts + 5),
                   "status": ("period_start", np.where(period_starts < 2020, "estimate", "projection"))}, "mx"),
        asfr_national=da(asfr, ("year", "age"), {"year": asfr_years, "age": fertility_ages,
                                                 "status": ("year", np.where(asfr_years <= 2021, "estimate",
                                                                             "projection"))}, "asfr"),
        municipalities=pd.DataFrame(columns=["municipality_code", "name", "subregion_code", "region_code", "year",
                                             "sex", "population"]),
        municipality_age_groups=da(np.zeros((0, 0)), ("municipality_code", "age_start"),
                                   {"municipality_code": [], "age_start": []}, "population"),
    )


def scenario(scenario_id: str) -> Scenario:
    """One of :data:`SCENARIOS`: fixed levers (no trend fits), additional migrants per year, uncertainty bands."""
    extra = SCENARIOS[scenario_id]
    levers = {"tfr": {"target": 1.5, "year": 2030}, "e0_gain_per_decade": {"F": 1.5, "M": 2.0},
              "additional_net_migration": {"change": extra or 0.0, "year": 2026, "unit": "persons"},
              "migration_rate_scale": 0.0 if extra is None else 1.0}
    texts = {lang: f"{scenario_id} ({lang})" for lang in ("fi", "sv", "en")}
    return Scenario.model_validate({
        "id": scenario_id, "name": texts, "narrative": texts, "justification": "synthetic test scenario",
        "levers": levers,
        "uncertainty": {"tfr": {"scale": 1.0}, "e0": {"scale": 1.0}, "net_migration": {"scale": 1.0}}})


def population_run(
    draws: int = 0, quantiles: bool = False, scenarios=tuple(SCENARIOS), seed: int = 1
) -> xr.Dataset:
    """A population run of the two synthetic regions to 2030 with the real engine.

    Parameters
    ----------
    draws : int
        Number of Monte Carlo draws (0 = deterministic).
    quantiles : bool
        Summarise the draws to the ``quantile`` dimension.
    scenarios : iterable of scenario ids of :data:`SCENARIOS`
    seed : int
    """
    return project_population([region(name) for name in REGIONS], [scenario(name) for name in scenarios],
                              horizon=HORIZON, draws=draws, seed=seed, quantiles=quantiles if draws else None,
                              inputs=synthetic_inputs(), jobs=1)


def observed_history(region_index: int = 0) -> xr.DataArray:
    """Observed population (year, sex, age) 2020..base year of a region of :func:`population_run`."""
    code = list(REGIONS.values())[region_index]
    observed = synthetic_inputs().population.sel(region_code=code, year=slice(2020, BASE_YEAR), drop=True)
    return observed.assign_attrs(units="persons")


def uniform_population(per_age: float = 10.0) -> xr.DataArray:
    """``per_age`` persons of each sex at every age 0..100 (sex, age) [persons]."""
    return xr.DataArray(
        np.full((2, AGES.size), per_age), dims=("sex", "age"), coords={"sex": list(SEXES), "age": AGES}
    )


def skills_run(scenarios=("baseline", "vitality", "decline")) -> xr.Dataset:
    """A skills run of two regions, 2025..2030, industries A..U."""
    years = np.arange(BASE_YEAR, HORIZON + 1)
    shape = (len(REGIONS), len(scenarios), years.size, len(INDUSTRIES))
    size = np.linspace(200.0, 4000.0, len(INDUSTRIES))
    growth = np.array([-0.01, 0.02, -0.03])[: len(scenarios)]
    step = years - BASE_YEAR
    employment = (
        np.array([1.0, 2.0])[:, None, None, None]
        * size[None, None, None, :]
        * (1.0 + growth[None, :, None, None]) ** step[None, None, :, None]
    )
    employment = np.broadcast_to(employment, shape).copy()
    expansion = np.concatenate([np.zeros(shape[:2] + (1, shape[3])), np.diff(employment, axis=2)], axis=2)
    retirement = 0.03 * employment
    mortality = 0.002 * employment
    dims = ("region", "scenario", "year", "industry")
    supply = employment.sum(-1) * (1.0 - 0.01 * step)
    persons = {"units": "persons"}
    return xr.Dataset(
        {
            "labour_demand": (dims, employment, persons),
            "employment": (dims, employment, persons),
            "expansion_demand": (dims, expansion, persons),
            "replacement_demand": (dims, retirement + mortality, persons),
            "exits_retirement": (dims, retirement, persons),
            "exits_mortality": (dims, mortality, persons),
            "job_openings": (dims, expansion.clip(min=0.0) + retirement + mortality, persons),
            "labour_supply": (dims[:3], supply, persons),
            "labour_balance": (dims[:3], employment.sum(-1) - supply, persons),
        },
        coords={"region": list(REGIONS), "scenario": list(scenarios), "year": years, "industry": list(INDUSTRIES)},
        attrs={"base_year": BASE_YEAR},
    ).assign_coords(region_code=("region", list(REGIONS.values())))


def scenario_meta(scenarios=tuple(SCENARIOS)) -> dict:
    """Scenario names and narratives in fi/sv/en."""
    return {
        scenario: {
            "name": {
                "fi": f"Skenaario {scenario}",
                "sv": f"Scenario {scenario} (sv)",
                "en": f"Scenario {scenario}",
            },
            "narrative": {
                "fi": f"Tarina {scenario}.",
                "sv": f"Berättelse {scenario}.",
                "en": f"Story of {scenario}.",
            },
        }
        for scenario in scenarios
    }
