"""Forum packs: the nine forum areas rendered with --jobs 2, against papermill run one area after another.

Prints wall time, per-area seconds and page sizes. Target: about 30 s for nine packs on 2 cores, every
page under 8 MB. Run: ``.venv/bin/python benchmarks/render.py [--jobs 2] [--out build/bench-forum]``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from toolkit import batch


def parallel(out: Path, jobs: int) -> batch.RenderReport:
    return batch.render(None, None, jobs=jobs, out=out, progress=False)


def sequential(tasks: list[batch.AreaTask], folder: Path) -> float:
    """The reference: plain papermill, one area after another, no conversion [s]."""
    import papermill

    started = time.perf_counter()
    for task in tasks:
        papermill.execute_notebook(str(task.notebook), str(folder / f"{task.region}.ipynb"),
                                   parameters=dict(task.parameters), kernel_name=batch.KERNEL_NAME,
                                   progress_bar=False, cwd=str(folder))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="build/bench-forum")
    args = parser.parse_args()
    report = parallel(Path(args.out), args.jobs)
    print(f"render, --jobs {args.jobs}: {report.seconds:.1f} s wall for {len(report.results)} areas, "
          f"failed: {report.failed or 'none'}")
    for result in report.results:
        size = f"{result.page_bytes / 1e6:.2f} MB" if result.page_bytes else "-"
        print(f"  {result.region:20s} {result.status:6s} {result.seconds:6.1f} s  page {size}")
    largest = max((result.page_bytes or 0) for result in report.results)
    print(f"largest page {largest / 1e6:.2f} MB (budget {batch.MAX_PAGE_BYTES / 1e6:.0f} MB)")
    tasks = batch.plan(None, None, lang="fi", out=report.out, all_regions=False, horizon=2050)
    with tempfile.TemporaryDirectory() as folder:
        reference = sequential(tasks, Path(folder))
    print(f"sequential papermill (execution only): {reference:.1f} s; speed-up {reference / report.seconds:.2f}x")


if __name__ == "__main__":
    main()
