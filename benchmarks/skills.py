"""Time the skills model for all 23 areas x 6 scenarios: industry only, with the occupation layer, with tightness.

Run: ``.venv/bin/python benchmarks/skills.py``. Prints the seconds (best of three) of the vectorised model by
industry only (``occupations=False``, the model as it was), with the occupation and education layer (54 Mitenna
groups, 5 education levels), and with the occupational tightness forecast to the horizon; and, for the first
three areas, a reference that loops over areas, scenarios, years and ages in plain Python, with the largest
difference in job openings between the two.
"""

from __future__ import annotations

import time

import numpy as np

from toolkit.population.project import project_population
from toolkit.regions import load_regions
from toolkit.scenarios import available_scenarios, load_scenario
from toolkit.skills import load_assumptions, load_base, project_skills

SCENARIOS = 6
REFERENCE_AREAS = 3
REPEATS = 3


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
            pop = people[r, s]
            work = pop[0][:, 15:65]
            implied = (work * employment[:, 15:65]).sum() / work.sum()
            scale = float(base.area_employment_rate.sel(region=region)) / implied
            rate = employment * scale
            employed = pop * rate
            if levers.retirement_age_shift:
                raise NotImplementedError("the reference has no retirement-age shift")
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
                        before, now = rate[sex, age - 1], rate[sex, age]
                        retiring_age = age >= assumptions.retirement_from_age and before > 0
                        hazard = max(1 - now / before, 0.0) if retiring_age else 0.0
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
    timings = {}
    for label, options in (("industry only", {"occupations": False, "tightness": False}),
                           ("with occupations and education", {"occupations": True, "tightness": False}),
                           ("with occupations and tightness", {"occupations": True, "tightness": True})):
        seconds = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            model = project_skills(population, scenarios, base=base, assumptions=assumptions, **options)
            seconds.append(time.perf_counter() - started)
        timings[label] = (min(seconds), max(seconds))
    subset = population.isel(region=slice(0, REFERENCE_AREAS))
    started = time.perf_counter()
    reference = reference_openings(subset, base, assumptions, scenarios)
    reference_seconds = time.perf_counter() - started
    openings = model["job_openings"].isel(region=slice(0, REFERENCE_AREAS)).sum("industry", skipna=False)
    openings = openings.transpose("region", "scenario", "year").values
    difference = np.nanmax(np.abs(openings - reference) / np.maximum(reference, 1))
    print(f"{len(regions)} areas x {len(scenario_ids)} scenarios to {int(population['year'][-1])} "
          f"(best and worst of {REPEATS})")
    for label, (best, worst) in timings.items():
        print(f"  project_skills, {label:32s} {best:8.3f} s  ({worst:.3f} s)")
    print(f"  reference (Python loops), {REFERENCE_AREAS} areas:      {reference_seconds:8.3f} s; "
          f"largest relative difference in openings {difference:.2e}")

if __name__ == "__main__":
    main()
