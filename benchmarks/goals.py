"""Goal seeking and Sobol' analysis: the vectorised paths against a naive loop of ``project_population`` calls.

Run: ``PYTHONPATH=. .venv/bin/python benchmarks/goals.py [--quick]``. Prints, each next to a naive reference in
the same process that calls ``project_population`` once per evaluation (scipy's brentq on the same bracket):

1. deterministic goal seeking, one target and one lever, per area (inputs preloaded; their loading timed apart);
2. the same with an 80 % probability on 500 draws (one area);
3. a Sobol' analysis of the headline outcomes for one area with a base sample of 4,096 (Saltelli: 4,096 · 8 =
   32,768 model runs for 6 levers), and with 4,096 model runs in all (base 512); the naive reference runs 64
   evaluations and is extrapolated (a full naive run would take minutes).

The answers of both methods are printed too: they must agree.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import brentq

from toolkit import discovery, goals
from toolkit.io.discovery import load_discovery_ranges
from toolkit.population.project import project_population
from toolkit.skills import project_skills

AREAS = ("kainuu", "pirkanmaa", "uusimaa", "hameenlinna")
GOAL = ("additional_net_migration", "15-64", 2040)


def naive_goal(inputs, lever, outcome, year, target, *, draws=0, probability=None, skills=False):
    """brentq on the lever's allowed range, one ``project_population`` call per evaluation."""
    spec = goals.lever_spec(inputs, lever)
    calls = 0

    def gap(value):
        nonlocal calls
        calls += 1
        scenario = goals.with_lever(inputs.scenario, inputs.base.region.id, lever, value)
        ds = project_population(inputs.base.region.id, scenario, draws=draws, seed=0,
                                quantiles=False if draws else None, inputs=inputs.population_inputs)
        if skills:
            values = project_skills(ds, [scenario], tightness=False)[outcome].sel(year=year).values.ravel()
        else:
            values = ds.population_group.sel(age_group=outcome, year=year).values.ravel()
        return (np.quantile(values, 1 - probability) if probability else values[0]) - target

    root = brentq(gap, spec.low, spec.high, xtol=(spec.high - spec.low) * 1e-7)
    return root, calls


def timed(function):
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def main() -> None:
    import os

    print(f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="one area, no naive Sobol' reference")
    args = parser.parse_args()
    areas = AREAS[:1] if args.quick else AREAS
    lever, outcome, year = GOAL

    print("1. deterministic goal seeking: lever additional_net_migration, outcome 15-64 in 2040 at its 2025 level")
    for area in areas:
        inputs, load = timed(lambda area=area: goals.goal_inputs(area, "baseline", skills=False))
        target = float(goals.evaluate(inputs, lever, [0.0], outcome)[0, 0])  # the base year's 15-64
        goals.goal_seek(area, None, lever, outcome, year, target, inputs=inputs)  # warm (numba, caches)
        inputs = goals.goal_inputs(area, "baseline", skills=False)  # fresh caches: the timed call does all
        answer, seconds = timed(lambda inputs=inputs, target=target: goals.goal_seek(
            None, None, lever, outcome, year, target, inputs=inputs))
        (root, calls), naive = timed(lambda inputs=inputs, target=target: naive_goal(
            inputs, lever, outcome, year, target))
        print(f"   {area:<12} vectorised {seconds:6.3f} s (inputs loaded in {load:5.2f} s)   naive loop {naive:6.3f} s "
              f"({calls} project_population calls)   answer {answer.exact:.4f} vs {root:.4f} per 1,000")

    print("   skills outcome: participation_change:55-74 that closes the labour shortage of 2035 (kainuu)")
    inputs = goals.goal_inputs("kainuu", "vitality")
    goals.goal_seek("kainuu", None, "participation_change:55-74", "labour_balance", 2035, 0.0, inputs=inputs)
    answer, seconds = timed(lambda: goals.goal_seek("kainuu", None, "participation_change:55-74", "labour_balance",
                                                    2035, 0.0, inputs=inputs))
    (root, calls), naive = timed(lambda: naive_goal(inputs, "participation_change:55-74", "labour_balance", 2035, 0.0,
                                                    skills=True))
    print(f"   kainuu       vectorised {seconds:6.3f} s   naive loop {naive:6.3f} s ({calls} calls)   "
          f"answer {answer.exact:.3f} vs {root:.3f} points")

    print("2. probabilistic: the same goal met with probability 0.8 over 500 draws (kainuu, baseline)")
    inputs = goals.goal_inputs("kainuu", "baseline", skills=False)
    target = float(goals.evaluate(inputs, lever, [0.0], outcome)[0, 0])
    answer, seconds = timed(lambda: goals.goal_seek("kainuu", None, lever, outcome, year, target, probability=0.8,
                                                    draws=500, inputs=inputs))
    (root, calls), naive = timed(lambda: naive_goal(inputs, lever, outcome, year, target, draws=500,
                                                    probability=0.8))
    print(f"   vectorised {seconds:6.3f} s   naive loop {naive:6.3f} s ({calls} calls of 500 draws)   "
          f"answer {answer.exact:.4f} vs {root:.4f} per 1,000 (share met {answer.share_met:.3f})")

    print("3. Sobol' indices of the 8 headline outcomes to 6 levers (kainuu, baseline)")
    inputs = goals.goal_inputs("kainuu", "baseline")
    ranges = load_discovery_ranges()
    discovery.sobol_indices([inputs], ranges, n=16)  # warm
    for n, jobs in ((512, 1),) if args.quick else ((512, 1), (4096, 1), (4096, 2)):
        table, seconds = timed(lambda n=n, jobs=jobs: discovery.sobol_indices([inputs], ranges, n=n, seed=0,
                                                                              jobs=jobs))
        runs = n * (len(ranges) + 2)
        print(f"   base sample {n:>5} ({runs:>6} model runs), {jobs} thread(s): {seconds:6.2f} s, "
              f"{runs / seconds:6.0f} runs/s")
    workforce = table[(table.outcome == "labour_balance") & (table.year == 2035)].set_index("lever")["ST"]
    print("   labour balance 2035, total indices: " + ", ".join(f"{k} {v:.2f}" for k, v in workforce.items()))
    if not args.quick:
        limits = discovery.bounds(inputs, ranges)
        names = [name for name, _, _ in limits]
        values = discovery.sample(names, [(low, high) for _, low, high in limits], 8, method="sobol")[:64]

        def naive_runs():
            for row in values:
                scenario = inputs.scenario
                for name, value in zip(names, row, strict=True):
                    scenario = goals.with_lever(scenario, "kainuu", name, value)
                ds = project_population("kainuu", scenario, inputs=inputs.population_inputs)
                project_skills(ds, [scenario], tightness=False)

        _, naive = timed(naive_runs)
        print(f"   naive loop (project_population + project_skills per run): {64 / naive:6.0f} runs/s; "
              f"32,768 runs would take {32768 * naive / 64:6.0f} s")


if __name__ == "__main__":
    main()
