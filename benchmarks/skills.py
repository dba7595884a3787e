"""Time the skills model for all 23 areas x 5 scenarios against a simple reference in the same process.

Run: ``.venv/bin/python benchmarks/skills.py``. Prints the seconds of the vectorised model (without
and with the occupational tightness forecast) and of a reference that loops over areas, scenarios,
years and ages in plain Python, and the largest difference in job openings between the two.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import norm

from toolkit.population.project import project_population
from toolkit.regions import load_regions
from toolkit.scenarios import available_scenarios, load_scenario
from toolkit.skills import load_assumptions, load_base, project_skills

SCENARIOS = 5


def reference_openings(population, base, assumptions, scenarios) -> np.ndarray:
    """Total job openings (region, scenario, year) with explicit loops: the model's method, unvectorised."""
    people = population["population"].values
    deaths = population["deaths"].reindex(year=population["year"]).values
    regions = population["region"].values
    employment = base.employment_rate.values
    care = assumptions.care_need_weights.values
    students = assumptions.student_weights.values
    out = np.full((len(regions), len(scenarios), people.shape[2]), np.nan)
    for r, region in enumerate(regions):
        shares = base.industry_shares.sel(region=region).values
        letters = base.industry_shares["industry"].values
        for s, scenario in enumerate(scenarios):
            levers = scenario.levers_for(str(region))
            growth = levers.industry_growth
            productivity = levers.productivity_growth / 100
            mean_age = assumptions.retirement_mean_age + levers.retirement_age_shift
            pop = people[r, s]
            work = pop[0][:, 15:65]
            implied = (work * employment[:, 15:65]).sum() / work.sum()
            scale = float(base.area_employment_rate.sel(region=region)) / implied
            employed = pop * employment * scale
            demand = []
            for t in range(pop.shape[0]):
                row = []
                for i, letter in enumerate(letters):
                    if letter == "Q":
                        factor = (pop[t] * care).sum() / (pop[0] * care).sum()
                    elif letter == "P":
                        factor = (pop[t] * students).sum() / (pop[0] * students).sum()
                    else:
                        factor = (1 + growth.get(letter, growth.get("default", 0.0)) / 100) ** t
                    row.append(employed[0].sum() * shares[i] * factor / (1 + productivity) ** t)
                demand.append(np.array(row))
            for t in range(1, pop.shape[0]):
                leaving = 0.0
                for sex in range(2):
                    for age in range(1, 101):
                        start = employed[t - 1, sex, age - 1] + (employed[t - 1, sex, 100] if age == 100 else 0)
                        cohort = pop[t - 1, sex, age - 1] + (pop[t - 1, sex, 100] if age == 100 else 0)
                        q = min(deaths[r, s, t, sex, age] / cohort, 1.0) if cohort > 0 else 0.0
                        still, before = norm.sf((age - mean_age) / assumptions.retirement_sd), norm.sf(
                            (age - 1 - mean_age) / assumptions.retirement_sd
                        )
                        hazard = 1 - still / before if before > 0 else 1.0
                        leaving += start * (q + (1 - q) * hazard)
                expansion = np.maximum(demand[t] - demand[t - 1], 0).sum()
                out[r, s, t] = expansion + leaving
    return out


def main() -> None:
    regions = list(load_regions())
    scenario_ids = available_scenarios()[:SCENARIOS]
    population = project_population(regions, scenario_ids)
    scenarios = [load_scenario(scenario_id) for scenario_id in scenario_ids]
    assumptions = load_assumptions()
    started = time.perf_counter()
    base = load_base(regions, assumptions)
    print(f"base data for {len(regions)} areas: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    model = project_skills(population, scenarios, base=base, assumptions=assumptions, tightness=False)
    model_seconds = time.perf_counter() - started
    started = time.perf_counter()
    project_skills(population, scenarios, base=base, assumptions=assumptions, tightness=True)
    tightness_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reference = reference_openings(population, base, assumptions, scenarios)
    reference_seconds = time.perf_counter() - started
    openings = model["job_openings"].sum("industry", skipna=False).transpose("region", "scenario", "year").values
    difference = np.nanmax(np.abs(openings - reference) / np.maximum(reference, 1))
    print(f"{len(regions)} areas x {len(scenario_ids)} scenarios to {int(population['year'][-1])}")
    print(f"  skills model (vectorised):            {model_seconds:8.3f} s")
    print(f"  skills model + tightness forecast:    {tightness_seconds:8.3f} s (first call fits the series)")
    print(f"  reference (Python loops):             {reference_seconds:8.3f} s")
    print(f"  speed-up: {reference_seconds / model_seconds:.0f}x; largest relative difference {difference:.2e}")


if __name__ == "__main__":
    main()
