"""Running ensemble chunks: in local worker threads, inline, or on a Dask cluster, and assembling their results.

A run's chunks (one region × scenario with all its draws, :class:`toolkit.population.ensemble.Chunk`) are
independent: :func:`run_chunks` yields each result as it finishes and :func:`assemble` writes it into the run's
arrays at once, so the memory of a run is its output plus the chunks in flight (on a cluster, at most
:data:`IN_FLIGHT_PER_THREAD` per worker thread). The numbers do not depend on where or in which order chunks run.
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


def run_chunks(chunks: list[Chunk], client, jobs: int | None, progress: bool = False):
    """Run the chunks on a Dask cluster, in local worker threads, or inline (one chunk or one job), yielding
    ``(index, result)`` as chunks finish; ``progress`` shows a progress bar of the chunks on stderr.

    Locally, threads suffice: a chunk's time is spent in compiled kernels and large numpy operations that release
    the GIL, and threads share the life-table grid and return results without copying them between processes.
    On a cluster the national balance of the migration deviations, one (draws, years) array per scenario shared by
    every chunk of that scenario, is shipped to the workers once (scattered), not with every chunk, and at most
    a few chunks per worker thread are in flight, so the client holds only the results not yet assembled.
    """
    bar = {"total": len(chunks), "disable": not progress, "file": sys.stderr, "unit": "chunk", "leave": False}
    if client is not None:
        yield from tqdm(_run_on_cluster(chunks, client), **bar)
        return
    workers = min(jobs or os.cpu_count() or 1, len(chunks))
    if workers <= 1:
        yield from tqdm(((k, run_chunk(chunk)) for k, chunk in enumerate(chunks)), **bar)
        return
    scale_table(chunks[0].mortality)  # built once (cached) before the threads need it
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from tqdm(enumerate(pool.map(run_chunk, chunks)), **bar)


IN_FLIGHT_PER_THREAD = 4
"""Chunks submitted ahead per worker thread of a Dask cluster (bounds the results waiting at the client)."""


def _run_on_cluster(chunks: list[Chunk], client):
    """``(index, result)`` of every chunk, computed on the cluster of ``client`` as they complete."""
    from distributed import as_completed

    shared: dict[int, object] = {}  # id of a common deviation array -> its future on the cluster
    for chunk in chunks:
        common = chunk.migration_common
        if common is not None and id(common) not in shared:
            shared[id(common)] = client.scatter(common, broadcast=True)
    light = [replace(chunk, migration_common=None) for chunk in chunks]
    commons = [None if chunk.migration_common is None else shared[id(chunk.migration_common)] for chunk in chunks]
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


def assemble(results, n_regions: int, n_scenarios: int, paths) -> dict[str, np.ndarray]:
    """Chunk results ``(index, result)`` (region-major order of the indices, any order of arrival) written into
    (R, S, draw|quantile, …) arrays as they come, so that no second copy of the whole output is held; the
    base-year levers prepended."""
    arrays: dict[str, np.ndarray] = {}
    for k, result in results:
        i, j = divmod(k, n_scenarios)
        for name, value in result.items():
            if name not in arrays:
                extra = 1 if name in ("tfr", "e0") else 0  # the base year first
                shape = list(value.shape)
                if extra:
                    shape[1] += 1
                arrays[name] = np.empty((n_regions, n_scenarios, *shape), dtype=value.dtype)
            if name in ("tfr", "e0"):
                arrays[name][i, j, :, 1:] = value
            else:
                arrays[name][i, j] = value
    draws_axis = arrays["tfr"].shape[2]
    arrays["tfr"][:, :, :, 0] = np.broadcast_to(paths["tfr"][:, :, None, 0], paths["tfr"].shape[:2] + (draws_axis,))
    arrays["e0"][:, :, :, 0] = np.broadcast_to(paths["e0"][:, :, None, 0],
                                               paths["e0"].shape[:2] + (draws_axis, 2))
    return arrays
