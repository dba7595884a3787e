"""Tiny synthetic runs laid out as in docs/conventions.md, for the indicator and figure tests.

The numbers are made up for testing only; they are not data about any real area.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from toolkit.indicators import summarise_draws

AGES = np.arange(101)
SEXES = ["F", "M"]
REGIONS = {"alpha": "MK98", "beta": "MK99"}
SCENARIOS = {"baseline": 100.0, "vitality": 400.0, "decline": -300.0, "no-migration": None}
INDUSTRIES = [chr(code) for code in range(ord("A"), ord("U") + 1)]
BASE_YEAR = 2025
HORIZON = 2030


def _death_probability() -> np.ndarray:
    """A Gompertz-like schedule by age [1/year]."""
    return np.minimum(0.0005 + 0.00003 * np.exp(0.1 * AGES), 0.6)


def _base_population(scale: float) -> np.ndarray:
    """Base stock (sex, age) [persons], a declining age profile."""
    profile = scale * (1200.0 - 9.0 * AGES).clip(min=40.0)
    return np.stack([profile * 1.02, profile])


def _project(base: np.ndarray, migrants: float, years: int, rng: np.random.Generator | None):
    """Age one stock forward; returns population, births, deaths, net migration arrays.

    Net migrants are spread evenly over ages 20..39 and applied at the end of the year, so the
    accounting identity of the conventions holds exactly.
    """
    q = _death_probability()
    migration_profile = np.where((AGES >= 20) & (AGES < 40), 1.0 / 20.0, 0.0)
    population, births, deaths, migration = [base], [], [], []
    for _ in range(years):
        previous = population[-1]
        level = migrants * (1.0 + 0.3 * rng.standard_normal()) if rng is not None else migrants
        born = 0.012 * previous.sum() * np.array([1.0 / 2.05, 1.05 / 2.05])
        entering = np.concatenate(
            [born[:, None], previous[:, :-2], (previous[:, -2] + previous[:, -1])[:, None]], axis=1
        )
        died = entering * q
        moved = np.broadcast_to(level / 2.0 * migration_profile, entering.shape)
        population.append(entering - died + moved)
        births.append(born)
        deaths.append(died)
        migration.append(moved.copy())
    zeros_flow = np.zeros_like(base)
    return (
        np.stack(population),
        np.stack([np.zeros(2), *births]),
        np.stack([zeros_flow, *deaths]),
        np.stack([zeros_flow, *migration]),
    )


def population_run(
    draws: int = 0, quantiles: bool = False, scenarios=tuple(SCENARIOS), seed: int = 1
) -> xr.Dataset:
    """A population run of two regions to 2030.

    Parameters
    ----------
    draws : int
        Number of Monte Carlo draws (0 = deterministic).
    quantiles : bool
        Summarise the draws to the ``quantile`` dimension.
    scenarios : iterable of scenario ids of :data:`SCENARIOS`
    seed : int
    """
    years = np.arange(BASE_YEAR, HORIZON + 1)
    rng = np.random.default_rng(seed)
    runs = [
        [
            [
                _project(
                    _base_population(1.0 + index),
                    (SCENARIOS[scenario] or 0.0) * (1 + index),
                    len(years) - 1,
                    rng if draws and SCENARIOS[scenario] is not None else None,
                )
                for _ in range(max(draws, 1))
            ]
            for scenario in scenarios
        ]
        for index, _ in enumerate(REGIONS)
    ]
    arrays = [
        np.array(
            [[[run[part] for run in scenario_runs] for scenario_runs in region_runs] for region_runs in runs]
        )
        for part in range(4)
    ]
    coords = {
        "region": list(REGIONS),
        "scenario": list(scenarios),
        "draw": np.arange(max(draws, 1)),
        "year": years,
        "sex": SEXES,
        "age": AGES,
    }
    leading = ("region", "scenario", "draw", "year", "sex")
    ds = xr.Dataset(
        {
            "population": (leading + ("age",), arrays[0], {"units": "persons", "long_name": "population"}),
            "births": (leading, arrays[1], {"units": "persons", "long_name": "live births"}),
            "deaths": (leading + ("age",), arrays[2], {"units": "persons", "long_name": "deaths"}),
            "net_migration": (
                leading + ("age",),
                arrays[3],
                {"units": "persons", "long_name": "net migration"},
            ),
        },
        coords=coords,
        attrs={"base_year": BASE_YEAR, "horizon": HORIZON, "open_age": 100, "seed": seed, "draws": draws},
    ).assign_coords(region_code=("region", list(REGIONS.values())))
    if not draws:
        return ds.squeeze("draw", drop=True)
    if quantiles:
        return ds.map(summarise_draws, keep_attrs=True).assign_attrs(ds.attrs)
    return ds


def observed_history(region_index: int = 0) -> xr.DataArray:
    """Observed population (year, sex, age) 2020..base year of a region of :func:`population_run`."""
    years = np.arange(2020, BASE_YEAR + 1)
    base = _base_population(1.0 + region_index)
    growth = 1.0 + 0.004 * (years - BASE_YEAR)
    values = growth[:, None, None] * base[None, :, :]
    return xr.DataArray(
        values,
        dims=("year", "sex", "age"),
        coords={"year": years, "sex": SEXES, "age": AGES},
        name="population",
        attrs={"units": "persons"},
    )


def uniform_population(per_age: float = 10.0) -> xr.DataArray:
    """``per_age`` persons of each sex at every age 0..100 (sex, age) [persons]."""
    return xr.DataArray(
        np.full((2, AGES.size), per_age), dims=("sex", "age"), coords={"sex": SEXES, "age": AGES}
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
        coords={"region": list(REGIONS), "scenario": list(scenarios), "year": years, "industry": INDUSTRIES},
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
