"""Engine throughput: cell-years per second of the vectorised cohort-component engine.

Prints
* the deterministic projection of one region under every shipped scenario to 2050 (the whole
  ``project_population`` call, inputs included, data already cached), median of repeated runs;
* the bare engine on 9 regions × 1,000 leading draws × 25 annual steps;
* the same step written as plain per-age Python loops (benchmarks/reference.py), run in this process on one
  region, and the ratio of the two throughputs.

A cell-year is one (leading index, sex, age) cell advanced by one year.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import project_loops  # noqa: E402

from toolkit.population.ccm import project  # noqa: E402
from toolkit.population.project import project_population  # noqa: E402
from toolkit.scenarios import available_scenarios  # noqa: E402


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def synthetic(lead: tuple[int, ...], steps: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    population = rng.uniform(0, 5000, lead + (2, 101))
    Lx = np.exp(-np.cumsum(rng.uniform(1e-4, 0.1, (steps, 2, 101)), -1))
    asfr = np.zeros((steps, 101))
    asfr[:, 15:50] = 0.04
    counts = rng.normal(0, 20, lead + (steps, 2, 101))
    return population, Lx, asfr, counts


def main() -> None:
    scenarios = available_scenarios()
    project_population("kainuu", scenarios)  # warm the data caches
    seconds = timed(lambda: project_population("kainuu", scenarios), repeat=20)
    cells = len(scenarios) * 2 * 101 * 25
    print(f"one region, {len(scenarios)} scenarios, 2026-2050 (project_population): {seconds * 1e3:.2f} ms "
          f"= {cells / seconds:.3g} cell-years/s")

    lead, steps = (9, 1000), 25
    population, Lx, asfr, counts = synthetic(lead, steps)
    seconds = timed(lambda: project(population, Lx, asfr, migration_count=counts), repeat=3)
    cells = np.prod(lead) * 2 * 101 * steps
    vector_rate = cells / seconds
    print(f"engine, 9 regions x 1,000 draws x 25 years: {seconds:.3f} s = {vector_rate:.3g} cell-years/s")

    one = [arr[0, 0] for arr in (population, counts)]
    vector_one = project(one[0], Lx, asfr, migration_count=one[1])
    as_lists = (one[0].tolist(), Lx.tolist(), asfr.tolist(), one[1].tolist())
    seconds = timed(lambda: project_loops(*as_lists[:3], migration_count=as_lists[3]), repeat=3)
    loops = project_loops(*as_lists[:3], migration_count=as_lists[3])
    np.testing.assert_allclose(np.array(loops), vector_one.population, rtol=1e-12)
    loop_rate = 2 * 101 * steps / seconds
    print(f"reference per-age Python loops, one region: {seconds * 1e3:.1f} ms = {loop_rate:.3g} cell-years/s "
          f"(same numbers as the engine to 1e-12)")
    print(f"ratio engine / loops: {vector_rate / loop_rate:.0f}x")


if __name__ == "__main__":
    main()
