"""National ensemble: 19 regions x 5 scenarios x 1,000 draws to 2050, reduced to quantiles on the fly.

The calibrated run (the default) is timed next to the same run with the lever models' own widths
(``calibrated=False``), in CPU seconds as well as wall time, because the development machine is shared.

Prints wall time, peak memory (the process's maximum resident set) and cell-years per second, next to a bare
numpy kernel of the same shape run in this process: the same cohort-component step written as whole-array numpy
operations over (draws, sex, age) with no blocking, no lever draws, no life tables and no quantiles. Trend fits
are read from the on-disk cache (a first, cold run fits them: its time is printed too). The memory-bandwidth
figure is the time an engine would need just to stream every cell-year through main memory once; the ensemble
keeps each year of a chunk in cache instead, so it is bound by arithmetic, not by that bound.
"""

from __future__ import annotations

import resource
import time

import numpy as np

from toolkit.io.cache import cache_dir
from toolkit.population.project import project_population
from toolkit.regions import maakunnat

SCENARIOS = ["baseline", "vitality", "decline", "remote-work", "green-transition"]
DRAWS = 1000


def bare_kernel(population: np.ndarray, survival: np.ndarray, fertility: np.ndarray, counts: np.ndarray,
                steps: int) -> np.ndarray:
    """The step as plain whole-array numpy (the reference): no cap on migration, births into age 0."""
    current = population.copy()
    for _ in range(steps):
        start = current + 0.5 * counts
        end = np.empty_like(start)
        end[..., 1:-1] = start[..., :-2] * survival[..., :-1]
        end[..., -1] = (start[..., -2] + start[..., -1]) * survival[..., -1]
        births = (fertility * 0.5 * (start[:, 0] + end[:, 0])).sum(-1)
        end[:, 0, 0] = births * 0.487
        end[:, 1, 0] = births * 0.513
        current = end + 0.5 * counts
    return current


def peak_rss_mb() -> float:
    """Maximum resident set of this process and any child processes [MB] (local ensembles run on threads)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024.0


def main() -> None:
    regions = [r.id for r in maakunnat()]
    started = time.perf_counter()
    project_population(regions, SCENARIOS, horizon=2030, draws=2, seed=0, quantiles=True)  # fits, caches
    print(f"trend fits and data (cache at {cache_dir()}): {time.perf_counter() - started:.1f} s")

    project_population(regions, SCENARIOS, horizon=2030, draws=2, seed=0, quantiles=True, calibrated=False)
    started, cpu = time.perf_counter(), time.process_time()
    ds = project_population(regions, SCENARIOS, horizon=2050, draws=DRAWS, seed=0, quantiles=True)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    cells = len(regions) * len(SCENARIOS) * DRAWS * 2 * 101 * 25
    year_bytes = 4 * DRAWS * 2 * 101 * 8  # start and end populations, and the year's draws-last population and deaths
    print(f"national ensemble {len(regions)} x {len(SCENARIOS)} x {DRAWS} draws, 2026-2050: {seconds:.2f} s, "
          f"{cells / seconds:.3g} cell-years/s, peak RSS {peak_rss_mb():.0f} MB, "
          f"output {ds.nbytes / 1e6:.0f} MB")
    started, reference_cpu = time.perf_counter(), time.process_time()
    project_population(regions, SCENARIOS, horizon=2050, draws=DRAWS, seed=0, quantiles=True, calibrated=False)
    reference, reference_cpu = time.perf_counter() - started, time.process_time() - reference_cpu
    print(f"the same with the lever models' own widths (calibrated=False, the model before calibration): "
          f"{reference:.2f} s; CPU time calibrated / uncalibrated {cpu:.1f} s / {reference_cpu:.1f} s = "
          f"{cpu / reference_cpu:.2f}x")

    started = time.perf_counter()
    one = project_population(regions, SCENARIOS, horizon=2050, draws=DRAWS, seed=0, quantiles=True, jobs=1)
    single = time.perf_counter() - started
    same = all(np.array_equal(one[name].values, ds[name].values, equal_nan=True) for name in ds.data_vars)
    print(f"the same on one thread: {single:.2f} s ({single / seconds:.2f}x the two-thread time; "
          f"identical numbers: {same})")

    rng = np.random.default_rng(0)
    rows = DRAWS * len(SCENARIOS)  # one region's worth of rows at a time keeps the reference in memory
    population = rng.uniform(0, 5000, (rows, 2, 101))
    survival = np.exp(-rng.uniform(1e-4, 0.1, (2, 100)))
    fertility = np.zeros(101)
    fertility[15:50] = 0.04
    counts = rng.normal(0, 20, (rows, 2, 101))
    started = time.perf_counter()
    for _ in regions:
        bare_kernel(population, survival, fertility, counts, 25)
    bare = time.perf_counter() - started
    print(f"bare numpy kernel, same cells, one thread (no lever draws, life tables, caps, outputs or quantiles): "
          f"{bare:.2f} s, {cells / bare:.3g} cell-years/s; ensemble / bare time ratio {seconds / bare:.1f} "
          f"(one thread: {single / bare:.1f})")
    bandwidth = copy_bandwidth()
    touched = cells * 8 * 10  # ~10 float64 reads or writes per cell-year in the step and its inputs/outputs
    print(f"memory bandwidth (numpy copy of 512 MB, read + write): {bandwidth / 1e9:.1f} GB/s; streaming every "
          f"cell-year's ~{touched / 1e9:.0f} GB through memory would take ~{touched / bandwidth:.1f} s; the ensemble "
          f"takes {seconds / (touched / bandwidth):.1f}x that, with each year of a chunk held in cache "
          f"({year_bytes / 2**20:.1f} MB) and {ds.nbytes / 1e6:.0f} MB written")


def copy_bandwidth(megabytes: int = 512) -> float:
    """Bytes per second moved by copying a large float64 array (one read and one write per element)."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    np.copyto(target, source)  # touch the pages first
    started = time.perf_counter()
    for _ in range(3):
        np.copyto(target, source)
    return 3 * 2 * source.nbytes / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
