"""Forum packs: render time, page size and page-ready time in Chromium, next to a reference render in the same run.

Both renders are ``forum render`` commands in a subprocess, timed from start to end (the interpreter's start, the
imports and the checks included): this checkout's and, with ``--reference``, another checkout's (e.g.
``git worktree add /tmp/ref main``) with the same areas, jobs and draws, each into its own folder; both outputs are then
opened in the same headless Chromium. Before either render, every area's population and skills runs (with the
tightness fits) are made once in this process, so that neither render pays for filling the model cache.

Prints, for the render and the reference: the wall time of ``forum render``, the seconds per area, the page size
(largest and median) and the page-ready time (from navigation until every figure is drawn, ``file://``; median
of three loads per page, over ``--pages`` areas). Targets: 23 areas in ≤ 60 s with ``--jobs 2``, every page
≤ 1.5 MB, ready in ≤ 1.5 s.

Run: ``.venv/bin/python benchmarks/render.py [--all | --region ID ...] [--jobs 2] [--reference /tmp/ref] [--pages 5]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from toolkit import batch
from toolkit.regions import forum_regions, load_regions

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
READY = ("() => { const divs = [...document.querySelectorAll('.plotly-graph-div')];"
         " return divs.length > 0 && divs.every(div => div.querySelector('.main-svg')); }")


def warm(areas: list[str]) -> float:
    """Fill the model cache (trend and tightness fits) for every area, as a render would [s]."""
    from toolkit.population.project import project_population
    from toolkit.scenarios import available_scenarios, load_scenarios
    from toolkit.skills import project_skills

    started = time.perf_counter()
    scenarios = load_scenarios(available_scenarios())
    for area in areas:
        project_skills(project_population([area], scenarios), scenarios, tightness=True)
    return time.perf_counter() - started


def cli_render(root: Path, areas: list[str], out: Path, jobs: int, draws: int) -> float:
    """``forum render`` of the checkout at ``root`` in a subprocess [s of wall time, from the command's start to
    its end, as a user waits for it]."""
    argv = [sys.executable, "-m", "toolkit.cli", "render", "--jobs", str(jobs), "--draws", str(draws), "--out",
            str(out)] + [item for area in areas for item in ("--region", area)]
    env = {**os.environ, "PYTHONPATH": str(root)}
    started = time.perf_counter()
    subprocess.run(argv, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def page_sizes(out: Path, areas: list[str]) -> list[int]:
    return [(out / area / batch.PAGE).stat().st_size for area in areas if (out / area / batch.PAGE).exists()]


def ready_times(browser, out: Path, areas: list[str], loads: int = 3) -> list[float]:
    """Median page-ready time of each area's page [s]."""
    medians = []
    for area in areas:
        times = []
        for _ in range(loads):
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            started = time.perf_counter()
            page.goto((out / area / batch.PAGE).as_uri(), wait_until="commit")
            page.wait_for_function(READY, timeout=120_000, polling=20)
            times.append(time.perf_counter() - started)
            page.close()
        medians.append(statistics.median(times))
    return medians


def seconds_per_area(out: Path) -> list[float]:
    manifest = json.loads((out / batch.MANIFEST).read_text(encoding="utf-8"))
    return [entry["seconds"] for entry in manifest["areas"].values() if entry["status"] == "ok"]


def stages(out: Path) -> str:
    """Median seconds per stage of an area (kernel start or reset, notebook cells, conversion), where recorded."""
    manifest = json.loads((out / batch.MANIFEST).read_text(encoding="utf-8"))
    recorded = [entry["stages"] for entry in manifest["areas"].values() if entry.get("stages")]
    if not recorded:
        return ""
    return " | per area (median): " + ", ".join(
        f"{name} {statistics.median(stage[name] for stage in recorded):.1f} s" for name in recorded[0])


def line(name: str, wall: float, out: Path, areas: list[str], ready: list[float]) -> str:
    sizes = page_sizes(out, areas)
    per_area = seconds_per_area(out)
    assets = sum(path.stat().st_size for path in (out / "assets").rglob("*") if path.is_file()) if (
        out / "assets").exists() else 0
    return (f"{name:10s} {wall:7.1f} s wall for {len(sizes)} areas (per area {min(per_area):.1f}–{max(per_area):.1f} s)"
            f" | page largest {max(sizes) / 1e6:.2f} MB, median {statistics.median(sizes) / 1e6:.2f} MB"
            f" (+ shared assets {assets / 1e6:.2f} MB per folder)"
            f" | ready median {statistics.median(ready):.2f} s, max {max(ready):.2f} s over {len(ready)} pages"
            + stages(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="all 23 areas (default: the nine forum areas)")
    parser.add_argument("--region", action="append", default=[], metavar="ID",
                        help="these areas only; repeatable (default: the nine forum areas)")
    parser.add_argument("--jobs", type=int, default=2, help="areas at the same time (default 2)")
    parser.add_argument("--draws", type=int, default=batch.DEFAULT_DRAWS,
                        help=f"draws per scenario (default {batch.DEFAULT_DRAWS})")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a checkout of the reference toolkit to render the same packs (default: none)")
    parser.add_argument("--pages", type=int, default=5, help="pages timed in Chromium per render (default 5)")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a temporary folder)")
    args = parser.parse_args()
    areas = list(load_regions()) if args.all else (args.region or [area.id for area in forum_regions()])
    folder = args.out or Path(tempfile.mkdtemp(prefix="bench-forum-"))
    print(f"cache filled for {len(areas)} areas in {warm(areas):.1f} s (not counted)")
    walls = {"render": (cli_render(ROOT, areas, folder / "new", args.jobs, args.draws), folder / "new")}
    if args.reference is not None:
        walls["reference"] = (cli_render(args.reference.resolve(), areas, folder / "reference", args.jobs,
                                         args.draws), folder / "reference")
    from playwright.sync_api import sync_playwright

    sample = areas[:: max(1, len(areas) // args.pages)][: args.pages]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        ready = {name: ready_times(browser, out, sample) for name, (_, out) in walls.items()}
        browser.close()
    print(f"forum render --jobs {args.jobs}, {args.draws} draws, {os.cpu_count()} cores; outputs in {folder}")
    for name, (wall, out) in walls.items():
        print(line(name, wall, out, areas, ready[name]))
    print(f"targets: {len(areas)} areas ≤ 60 s with --jobs 2 (23 areas), page ≤ {batch.MAX_PAGE_BYTES / 1e6:.1f} MB, "
          "ready ≤ 1.5 s")


if __name__ == "__main__":
    main()
