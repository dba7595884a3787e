"""Bounded resources: the memory a projection needs, from its shape, against what the machine has.

:func:`check_memory` is called by :func:`toolkit.population.project.project_population` before any work, and by
``forum render`` before any kernel starts. The bytes per value were measured (see the constants).
"""

from __future__ import annotations

import psutil

from toolkit.errors import InputError
from toolkit.nomenclature import AGES, QUANTILES

DRAW_BYTES_PER_VALUE = 64
"""Peak memory of a run that keeps its draws, per population value (draw × region × scenario × year × sex × age)
[bytes]: 8 bytes × about 8 arrays of that shape (population, deaths, net migration, capped migration, their
stacking and the dataset); measured 61 bytes (635 MB for 10.5 million values, 2,000 draws of one area to 2050)."""
OUTPUT_BYTES_PER_VALUE = {".csv": 850, ".nc": 32}
"""Extra peak memory of writing the result, per population value [bytes]: the tidy CSV table (one row per value of
four variables; measured 830 bytes) or the NetCDF encoding (about four more copies of 8 bytes)."""
QUANTILE_BYTES_PER_VALUE = 18
"""Peak memory of a run reduced to quantiles, per quantile value of the population (quantile × region × scenario ×
year × sex × age) [bytes]: its population and deaths by age (8 bytes each) and the small rest of the output;
measured 1,136 MB of output for 63 million such values (309 municipalities × 6 scenarios × 7 quantiles to 2050)."""
GROUP_BYTES = 256 * 2**20
"""Memory a group of areas may hold beside the output while it runs [bytes] (a run works on one group at a time,
:func:`toolkit.population.project._groups`): the peak of a quantile run is its output plus this much. Measured on
the 309 municipalities with quantiles: 1,826 MB at 100 draws and 1,854 MB at 1,000, of which 1,136 MB output and
about 380 MB the process's fixed part (docs/scale.md)."""
MEMORY_SHARE = 0.8
"""Share of the machine's available memory a run may plan to use."""


def run_memory(draws: int, cells: int, reduce: bool, jobs: int = 1, output: str | None = None) -> int:
    """Estimated peak memory of a projection [bytes].

    Parameters
    ----------
    draws : Monte Carlo draws per scenario (0: deterministic)
    cells : regions × scenarios × years (base year included) × 2 sexes × 101 ages
    reduce : draws reduced to the quantiles on the fly
    jobs : worker threads (each holds one chunk's draws while reducing)
    output : ``.csv`` or ``.nc`` when the result is then written (its encoding counts too)
    """
    written = OUTPUT_BYTES_PER_VALUE.get(output or "", 0)
    if not reduce:
        return int(max(draws, 1) * cells * (DRAW_BYTES_PER_VALUE + written))
    working = jobs * draws * 2 * AGES.size * 8 * 6  # each thread: populations and flows of a year of its chunk
    kept = len(QUANTILES) * cells
    return int(kept * (QUANTILE_BYTES_PER_VALUE + written) + min(GROUP_BYTES, kept * DRAW_BYTES_PER_VALUE) + working)


VALUES_PER_SECOND = 6e7
"""Ensemble throughput of one worker thread [population values per second]: measured 1.2e8 on the 2-core machine
with two threads (19 regions × 5 scenarios × 1,000 draws to 2050, 5.0e8 values in 4.1 s, benchmarks/ensemble.py)."""


def run_seconds(draws: int, cells: int, jobs: int = 1) -> float:
    """Estimated time of an ensemble's draws [s] (the lever draws and quantile selection included)."""
    return max(draws, 1) * cells / (VALUES_PER_SECOND * max(jobs, 1))


def available_memory() -> int:
    """Memory the machine can give a new run now [bytes] (psutil's ``available``)."""
    return int(psutil.virtual_memory().available)


def gb(n_bytes: float) -> str:
    return f"{n_bytes / 1e9:.1f} GB" if n_bytes >= 1e8 else f"{n_bytes / 1e6:.0f} MB"


def check_memory(draws: int, cells: int, reduce: bool, jobs: int, output: str | None = None,
                 available: int | None = None) -> int:
    """Refuse a run whose :func:`run_memory` exceeds :data:`MEMORY_SHARE` of the available memory.

    Returns the estimate [bytes]. The message gives the estimate, what is available and the options that fit
    (the quantiles instead of every draw, or fewer draws).
    """
    need = run_memory(draws, cells, reduce, jobs, output)
    available = available_memory() if available is None else available
    budget = MEMORY_SHARE * available
    if need <= budget:
        return need
    options = []
    if not reduce and draws and run_memory(draws, cells, True, jobs, output) <= budget:
        options.append(f"--quantiles (about {gb(run_memory(draws, cells, True, jobs, output))})")
    per_draw = run_memory(1, cells, reduce, jobs, output)
    fitting = int(budget // per_draw) if per_draw else 0
    if draws and fitting >= 1:
        options.append(f"at most {fitting} draws")
    if output == ".csv":
        options.append("a .nc output file")
    hint = "; use " + " or ".join(options) if options else "; use fewer regions, scenarios or years"
    raise InputError(f"draws {draws}: the run would need about {gb(need)} of memory (draws × regions × scenarios "
                     f"× years × 2 sexes × 101 ages = {max(draws, 1) * cells:,} values), but {gb(available)} "
                     f"are available{hint}")
