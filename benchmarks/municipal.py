"""Municipal ensemble: every municipality (309) x every shipped scenario x 1,000 draws to 2050, quantiles, within
the national run, on local threads (and with ``--dask`` on a local Dask cluster, checked to give the same numbers).

Prints wall and CPU time, peak memory (the process's maximum resident set), the output's size, the chunk budget
(toolkit.population.project.CHUNK_BUDGET_BYTES) and cell-years per second, next to the bare numpy kernel of
benchmarks/ensemble.py run in this process on a sample of the same rows
(its rate does not depend on how many rows are timed). Trend fits come from the on-disk cache (the first, cold run
fits them; its time is printed).

Usage::

    PYTHONPATH=. python -m benchmarks.municipal [--draws N] [--dask]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.ensemble import bare_kernel, peak_rss_mb
from toolkit.population.project import CHUNK_BUDGET_BYTES, project_population
from toolkit.regions import areas
from toolkit.scenarios import available_scenarios

SAMPLE_BLOCKS = 12  # bare-kernel blocks of (scenarios x draws) rows timed for its rate


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--horizon", type=int, default=2050)
    parser.add_argument("--dask", action="store_true", help="also on a local Dask cluster (2 workers x 1 thread)")
    args = parser.parse_args(argv)
    municipalities = [area.id for area in areas("municipality")]
    scenarios = available_scenarios()
    run = dict(horizon=args.horizon, draws=args.draws, seed=0, quantiles=True, national=True)

    started = time.perf_counter()
    project_population(municipalities[:2], scenarios, horizon=2027, draws=2, seed=0, quantiles=True, national=True)
    print(f"trend fits, calibration and data (cache): {time.perf_counter() - started:.1f} s")

    started, cpu = time.perf_counter(), time.process_time()
    ds = project_population(municipalities, scenarios, **run)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    steps = args.horizon - int(ds.attrs["base_year"])
    cells = len(municipalities) * len(scenarios) * args.draws * 2 * 101 * steps
    print(f"municipal ensemble {len(municipalities)} x {len(scenarios)} x {args.draws} draws to {args.horizon}, "
          f"quantiles, local threads: {seconds:.1f} s wall, {cpu:.1f} s CPU, {cells / seconds:.3g} cell-years/s, "
          f"peak RSS {peak_rss_mb():.0f} MB, output {ds.nbytes / 1e6:.0f} MB, chunk budget "
          f"{CHUNK_BUDGET_BYTES / 2**20:.0f} MiB")

    rng = np.random.default_rng(0)
    rows = args.draws * len(scenarios)
    population = rng.uniform(0, 500, (rows, 2, 101))
    survival = np.exp(-rng.uniform(1e-4, 0.1, (2, 100)))
    fertility = np.zeros(101)
    fertility[15:50] = 0.04
    counts = rng.normal(0, 2, (rows, 2, 101))
    started = time.perf_counter()
    for _ in range(SAMPLE_BLOCKS):
        bare_kernel(population, survival, fertility, counts, steps)
    bare = time.perf_counter() - started
    bare_rate = SAMPLE_BLOCKS * rows * 2 * 101 * steps / bare
    print(f"bare numpy kernel, one thread, {SAMPLE_BLOCKS} blocks of {rows} rows: {bare_rate:.3g} cell-years/s; "
          f"the whole run at that rate: {cells / bare_rate:.1f} s; ensemble / bare time ratio "
          f"{seconds / (cells / bare_rate):.1f}")

    if args.dask:
        import distributed

        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                      host="127.0.0.1") as cluster, distributed.Client(cluster) as client:
            started = time.perf_counter()
            remote = project_population(municipalities, scenarios, client=client, **run)
            remote_seconds = time.perf_counter() - started
        same = all(np.array_equal(remote[name].values, ds[name].values, equal_nan=True) for name in ds.data_vars)
        print(f"the same on a local Dask cluster (2 processes x 1 thread): {remote_seconds:.1f} s; identical "
              f"numbers: {same}")


if __name__ == "__main__":
    main()
