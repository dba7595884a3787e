"""Time a lever change in the live explorer: slider moved → model re-run → figures updated in place.

Run: ``.venv/bin/python benchmarks/explorer.py [REGION]``. Moves the TFR and the migration slider
alternately 100 times in one area (no kernel, no debounce: each move recomputes at once) and prints
the median and 95th percentile of

* the population stage: projection; pyramid, paths and dependency ratios updated in place,
* the skills stage: skills model; job openings and labour balance updated in place,
* a whole lever change (both stages, as the slider's observer runs them),
* the reference: the same model runs with every figure rebuilt by ``toolkit.viz`` instead of updated.

Target: p95 of a lever change under 50 ms on the 2-core development machine.
"""

from __future__ import annotations

import sys
import time
from functools import partial

import numpy as np

from toolkit.explorer import Explorer

MOVES = 100


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000.0


def _positions(explorer: Explorer) -> list[tuple[str, float]]:
    """Alternate TFR and migration positions spread over the sliders' ranges."""
    migration = explorer.sliders["extra_migration"]
    return [("tfr", 1.0 + 0.01 * move) if move % 2 else
            ("extra_migration", migration.min + (migration.max - migration.min) * move / MOVES)
            for move in range(MOVES)]


def main(region: str = "kainuu") -> None:
    explorer = Explorer(region, debounce=0)
    stages = {name: [] for name in ("population stage", "skills stage", "lever change", "reference")}
    for name, value in _positions(explorer):
        stages["lever change"].append(_timed(partial(setattr, explorer.sliders[name], "value", value)))
        stages["population stage"].append(
            _timed(lambda: (explorer.run_population(), explorer.update_population_figures())))
        stages["skills stage"].append(_timed(lambda: (explorer.run_skills(), explorer.update_skills_figures())))
        stages["reference"].append(
            _timed(lambda: (explorer.run_population(), explorer.run_skills(), explorer._fresh_figures())))
    print(f"explorer, {region}, {MOVES} lever changes [ms]")
    for stage, times in stages.items():
        print(f"  {stage:<18} median {np.median(times):7.1f}   p95 {np.percentile(times, 95):7.1f}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
