"""Running ensemble chunks: in local worker threads, inline, or on a Dask cluster, and assembling their results.

A run's chunks (one region × scenario with all its draws, :class:`toolkit.population.ensemble.Chunk`) are
independent: :func:`run_chunks` yields each result as it finishes and :func:`assemble` writes it into the run's
arrays at once, so the memory of a run is its output plus the chunks in flight (on a cluster, at most
:data:`IN_FLIGHT_PER_THREAD` per worker thread). The numbers do not depend on where or in which order chunks run.
A run gives them a group of areas at a time (:func:`toolkit.population.project._groups`), into the same arrays.
"""

from __future__ import annotations

import itertools
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import numpy as np
from tqdm import tqdm

from toolkit.population.ensemble import Chunk, run_chunk, run_chunk_with
from toolkit.population.lifetable import scale_table
from toolkit.population.output import FLOWS


def run_chunks(chunks: list[Chunk], client, jobs: int | None, progress=False, shared: dict | None = None):
    """Run the chunks on a Dask cluster, in local worker threads, or inline (one chunk or one job), yielding
    ``(index, result)`` as chunks finish; ``progress`` shows a progress bar of the chunks on stderr (``True``), or
    is a ``tqdm`` bar that counts them (a run of several groups of chunks shows one bar). ``shared``: the national
    balances already scattered to the cluster (a dict kept between the groups of a run, so each is shipped once).

    Locally, threads suffice: a chunk's time is spent in compiled kernels and large numpy operations that release
    the GIL, and threads share the life-table grid and return results without copying them between processes.
    On a cluster the national balance of the migration deviations, one (draws, years) array per scenario shared by
    every chunk of that scenario, is shipped to the workers once (scattered), not with every chunk, and at most
    a few chunks per worker thread are in flight, so the client holds only the results not yet assembled.
    """
    if hasattr(progress, "update"):
        for item in _run(chunks, client, jobs, shared):
            progress.update(1)
            yield item
        return
    bar = {"total": len(chunks), "disable": not progress, "file": sys.stderr, "unit": "chunk", "leave": False}
    yield from tqdm(_run(chunks, client, jobs, shared), **bar)


def _run(chunks: list[Chunk], client, jobs: int | None, shared: dict | None):
    if client is not None:
        yield from _run_on_cluster(chunks, client, {} if shared is None else shared)
        return
    workers = min(jobs or os.cpu_count() or 1, len(chunks))
    if workers <= 1:
        yield from ((k, run_chunk(chunk)) for k, chunk in enumerate(chunks))
        return
    scale_table(chunks[0].mortality)  # built once (cached) before the threads need it
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from enumerate(pool.map(run_chunk, chunks))


IN_FLIGHT_PER_THREAD = 4
"""Chunks submitted ahead per worker thread of a Dask cluster (bounds the results waiting at the client)."""


def _run_on_cluster(chunks: list[Chunk], client, shared: dict):
    """``(index, result)`` of every chunk, computed on the cluster of ``client`` as they complete; ``shared``: id of
    a common deviation array -> its future on the cluster (filled here)."""
    from distributed import as_completed

    for chunk in chunks:
        common = chunk.migration_common
        if common is not None and id(common) not in shared:
            shared[id(common)] = (client.scatter(common, broadcast=True), common)  # the array kept: its id stays
    light = [replace(chunk, migration_common=None) for chunk in chunks]
    commons = [None if chunk.migration_common is None else shared[id(chunk.migration_common)][0] for chunk in chunks]
    threads = sum(client.nthreads().values()) or 1
    pending = iter(range(len(chunks)))
    queue = as_completed()
    index_of = {}

    def submit(k: int) -> None:
        future = client.submit(run_chunk_with, light[k], commons[k], pure=False)
        index_of[future.key] = k
        queue.add(future)

    for k in itertools.islice(pending, threads * IN_FLIGHT_PER_THREAD):
        submit(k)
    for future in queue:
        k = index_of.pop(future.key)
        result = future.result()
        future.release()
        yield k, result
        nxt = next(pending, None)
        if nxt is not None:
            submit(nxt)


def assemble(results, n_regions: int, n_scenarios: int, paths, rows=None,
             arrays: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Chunk results ``(index, result)`` (region-major order of the indices, any order of arrival) written into
    (R, S, draw|quantile, …) arrays as they come, so that no second copy of the whole output is held; the
    base-year levers prepended. Flows get their base year too (NaN), so that the dataset holds these arrays
    themselves (:func:`toolkit.population.output.to_dataset` adds no copy).

    ``rows``: the run's region of each region of the chunks (a group of a larger run, whose ``arrays`` are given
    and filled in place; allocated at the first result otherwise); ``paths``: the levers of the run's regions.
    """
    arrays = {} if arrays is None else arrays
    rows = np.arange(n_regions) if rows is None else np.asarray(rows)
    for k, result in results:
        i, j = divmod(k, n_scenarios)
        i = rows[i]
        for name, value in result.items():
            yearly = name in ("tfr", "e0") or name in FLOWS  # the base year first
            if name not in arrays:
                shape = list(value.shape)
                if yearly:
                    shape[1] += 1
                arrays[name] = np.empty((n_regions, n_scenarios, *shape), dtype=value.dtype)
                if name in FLOWS:
                    arrays[name][:, :, :, 0] = np.nan  # no flows in the base year
            if yearly:
                arrays[name][i, j, :, 1:] = value
            else:
                arrays[name][i, j] = value
    draws_axis = arrays["tfr"].shape[2]
    tfr, e0 = paths["tfr"][rows], paths["e0"][rows]
    arrays["tfr"][rows, :, :, 0] = np.broadcast_to(tfr[:, :, None, 0], tfr.shape[:2] + (draws_axis,))
    arrays["e0"][rows, :, :, 0] = np.broadcast_to(e0[:, :, None, 0], e0.shape[:2] + (draws_axis, 2))
    return arrays
