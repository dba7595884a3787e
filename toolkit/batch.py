"""Forum packs: run ``notebooks/forum.ipynb`` per area with papermill, in parallel, into offline HTML pages.

Each area is executed in its own kernel (one worker process per job), converted to HTML without code cells
(plotly.js is loaded from the folder's shared ``assets/``) and to slides, its figures' numbers written as CSV
files and a workbook, every page checked to load nothing from the network, and moved into place only when
complete: a failed run never replaces an earlier good pack. ``index.html`` links every pack with
its headline numbers; ``manifest.json`` records, per area, the status, seconds, parameters, data provenance
and toolkit version. Layout of the output folder::

    index.html, manifest.json
    assets/plotly.min.js       plotly.js, shared by every page of the folder
    assets/reveal/             reveal.js (vendored), shared by every slides page
    <region>/index.html        the pack (one page; prints as an A4 handout)
    <region>/slides.html       the pack as slides (one figure or card per slide)
    <region>/luvut.xlsx        the figures' numbers, a sheet per figure (siffror.xlsx in sv, numbers.xlsx in en)
    <region>/data/*.csv        the same numbers, one tidy CSV file per figure
    <region>/forum.ipynb       the executed notebook behind it
    failed/<region>.ipynb      the executed notebook of the last failed run of an area (for diagnosis)
    failed/<region>.log        the kernel's messages of that run

Each worker keeps one kernel for all the areas it renders (a fresh namespace for each area: ``%reset``), so the
kernel's start, the toolkit's imports and the data it has read are paid once per worker, not once per area; a
failed area's kernel is replaced before the next area. SIGINT, SIGTERM and SIGHUP stop every worker and its
kernel; the message says which packs were replaced, and the
index and manifest are updated for those. Staging folders ``.<region>.p<pid>.<id>.tmp`` of killed renders are
removed at the start of the next render.

Length: the pool, its stopping on a signal and the honest report of what was replaced belong together.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from queue import Empty

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from jupyter_client.manager import KernelManager
from plotly.offline import get_plotlyjs
from tqdm import tqdm

from toolkit.errors import InputError
from toolkit.io.assets import write_pack_assets
from toolkit.io.cache import cache_environment
from toolkit.io.files import atomic_write, remove_stale_temporaries
from toolkit.io.params import data_provenance
from toolkit.nomenclature import AGES, LANGS
from toolkit.pages import SAFE_ID, SLIDES, index_page, load_executed, pack_page, slides_page, take_figures
from toolkit.population.project import AUTO_QUANTILE_VALUES, MAX_DRAWS, project_population
from toolkit.population.resources import check_memory
from toolkit.regions import Region, forum_regions, resolve_regions
from toolkit.regions import areas as areas_of_level
from toolkit.scenarios import available_scenarios, load_scenarios, scenarios_dir
from toolkit.takeaway import figure_tables, write_pack_data
from toolkit.text import t
from toolkit.version import __version__

FORUM_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "forum.ipynb"
KERNEL_NAME = "python3"
PAGE, EXECUTED, MANIFEST, FAILED_DIR, KERNEL_LOG = "index.html", "forum.ipynb", "manifest.json", "failed", "kernel.log"
START_TIMEOUT = 60  # [s] for a kernel to start
DEFAULT_DRAWS = 200  # Monte Carlo draws per scenario in a pack: stable 80 % bands, seconds per area
MAX_PAGE_BYTES = 1_500_000  # [bytes] the page-size budget of a pack (reported, see benchmarks/render.py)
# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True)
class AreaTask:
    """One notebook run: the area, its notebook parameters and where the pack goes.

    Attributes
    ----------
    region : region id (checked to be a plain slug before it names a folder)
    parameters : the notebook's parameters (region, scenarios, horizon, draws, seed, lang)
    out : the output folder of the packs
    notebook : the notebook to execute
    """

    region: str
    parameters: Mapping
    out: Path
    notebook: Path = FORUM_NOTEBOOK


@dataclass
class AreaResult:
    """What happened to one area: ``status`` is ``"ok"`` or ``"failed"``; ``seconds`` [s] of wall time."""

    region: str
    status: str
    seconds: float
    attempts: int
    parameters: dict
    error: str | None = None
    headline: dict | None = None
    page_bytes: int | None = None
    executed_notebook: str | None = None
    stages: dict | None = None
    """Seconds of wall time per stage: ``kernel`` (start or reset), ``execute`` (the notebook's cells),
    ``convert`` (page, slides, CSV files and workbook)."""


@dataclass
class RenderReport:
    """The outcome of a render: one :class:`AreaResult` per area, in the order asked for."""

    out: Path
    results: list[AreaResult]
    seconds: float
    manifest: dict = field(repr=False, default_factory=dict)

    @property
    def failed(self) -> list[str]:
        """Ids of the areas whose run failed."""
        return [result.region for result in self.results if result.status != "ok"]

    def summary(self) -> str:
        """A few lines for the terminal: counts, time, and each failed area with its error and notebook."""
        done = len(self.results) - len(self.failed)
        lines = [f"{done} of {len(self.results)} forum packs rendered into {self.out} in {self.seconds:.1f} s"]
        lines += [
            f"FAILED {result.region}: {result.error} (executed notebook: {self.out / result.executed_notebook})"
            for result in self.results
            if result.status != "ok"
        ]
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------ public API


def render(
    regions: list[str] | None,
    scenarios: list[str] | None,
    *,
    lang: str = "fi",
    jobs: int = 2,
    out: str | os.PathLike = "build/forum",
    all_regions: bool = False,
    horizon: int = 2050,
    draws: int = DEFAULT_DRAWS,
    seed: int = 0,
    progress: bool | None = None,
    level: str | None = None,
    client=None,
) -> RenderReport:
    """Render the forum packs of several areas into ``out``.

    Parameters
    ----------
    regions : region ids or codes; ``None`` or empty: the nine forum areas (or all with ``all_regions``)
    scenarios : scenario ids or paths to scenario files; ``None`` or empty: every shipped scenario
    lang : language of the packs, ``fi``, ``sv`` or ``en``
    jobs : areas rendered at the same time (one kernel each)
    out : output folder (created if missing)
    all_regions : render every area of the registry
    horizon : last projected year
    draws, seed : Monte Carlo draws per scenario for the uncertainty bands (0: lines only) and their seed
    progress : show a progress bar; ``None``: only when stderr is a terminal
    level : every area of a level instead of ``regions``: ``region``, ``subregion`` or ``municipality``
    client : a ``dask.distributed.Client``: the packs are rendered on its cluster (one kernel per task, the
        workers writing into the shared ``out``) instead of ``jobs`` local processes

    Returns
    -------
    RenderReport; ``.failed`` lists the areas whose run failed (the others are rendered regardless).

    Raises
    ------
    InputError
        Before anything runs: an unknown region, scenario or language, a bad horizon or job count, an
        output path that is not a folder, or a ``python3`` kernel that is not this interpreter.
    """
    check_jobs(jobs)
    tasks = plan(regions, scenarios, lang=lang, out=out, all_regions=all_regions, horizon=horizon, draws=draws,
                 seed=seed, level=level)
    return run_tasks(tasks, jobs=jobs, progress=progress, client=client)


def plan(
    regions: Sequence[str] | None,
    scenarios: Sequence[str] | None,
    *,
    lang: str,
    out: str | os.PathLike,
    all_regions: bool,
    horizon: int,
    draws: int = 0,
    seed: int = 0,
    level: str | None = None,
) -> list[AreaTask]:
    """Validate the selection and return one task per area (see :func:`render` for the parameters)."""
    if lang not in LANGS:
        raise InputError(f"language {lang!r}: unknown language; allowed: {', '.join(LANGS)}")
    if level is not None:
        areas = areas_of_level(level)
    else:
        areas = resolve_regions(regions or [], all_=True) if all_regions else (
            resolve_regions(regions) if regions else forum_regions())
    chosen = scenario_parameters(scenarios)
    if Path(out).exists() and not Path(out).is_dir():  # refused before the model's (slower) checks
        raise InputError(f"output folder {out}: exists and is not a folder")
    _check_model_inputs(areas, chosen, horizon, draws, seed)
    check_kernel()
    folder = _output_folder(out)
    return [
        AreaTask(
            region=_safe_id(area),
            parameters={"region": area.id, "scenarios": chosen, "horizon": int(horizon), "draws": int(draws),
                        "seed": int(seed), "lang": lang},
            out=folder,
        )
        for area in areas
    ]


def scenario_parameters(scenarios: Sequence[str] | None) -> list[str]:
    """The notebook's ``scenarios`` parameter: shipped scenarios by id, scenario files by absolute path."""
    loaded = load_scenarios(list(scenarios or available_scenarios()))
    shipped = scenarios_dir().resolve()
    return [scenario.id if Path(scenario.source).parent == shipped else scenario.source for scenario in loaded]


def check_jobs(jobs: int) -> int:
    """``jobs`` if it is a whole number ≥ 1, else :class:`InputError`."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs {jobs!r}: must be a whole number ≥ 1")
    return jobs


def check_kernel() -> None:
    """Make sure the ``python3`` kernel runs this interpreter (so packs use this toolkit and its data)."""
    fix = f"register this interpreter's kernel with `{sys.executable} -m ipykernel install --sys-prefix`"
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel:
        raise InputError(f"no Jupyter kernel named '{KERNEL_NAME}'; {fix}") from None
    command = spec.argv[0] if spec.argv else ""
    generic = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    if command not in generic and not _same_file(command, sys.executable):
        raise InputError(f"the Jupyter kernel '{KERNEL_NAME}' runs {command}, not {sys.executable}; {fix}")


def run_tasks(tasks: Sequence[AreaTask], *, jobs: int = 2, progress: bool | None = None,
              client=None) -> RenderReport:
    """Run validated tasks (all with the same ``out``) in ``jobs`` processes, or on the Dask cluster of
    ``client``; write the index and manifest."""
    if not tasks:
        raise InputError("no area to render")
    out = tasks[0].out
    started = time.perf_counter()
    for task in tasks:  # staging folders of renders that were killed (their worker's pid is gone)
        remove_stale_temporaries(out / task.region)
    write_pack_assets(out, get_plotlyjs())  # before any pack: a new pack never points at a missing script
    show = sys.stderr.isatty() if progress is None else progress
    started_ns = time.time_ns()
    try:
        results = _run_on_cluster(tasks, client, show) if client is not None else _run_parallel(
            tasks, check_jobs(jobs), show)
    except _Interrupted as stop:
        raise _interrupted_report(tasks, stop, started_ns) from None
    manifest = _merged_manifest(out, results)
    atomic_write(out / MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                                          encoding="utf-8"))
    lang = tasks[0].parameters["lang"]
    atomic_write(out / PAGE, lambda tmp: tmp.write_text(index_page(manifest, lang), encoding="utf-8"))
    return RenderReport(out=out, results=results, seconds=time.perf_counter() - started, manifest=manifest)


# ------------------------------------------------------------------------------------------ validation


def _check_model_inputs(areas: Sequence[Region], scenarios: list[str], horizon: int, draws: int, seed: int) -> None:
    """Horizon, draws and scenario levers checked by the model itself, on one area (cheap, same messages)."""
    if isinstance(horizon, bool) or not isinstance(horizon, int):
        raise InputError(f"horizon {horizon!r}: must be a year such as 2050")
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise InputError(f"draws must be a whole number in 0..{MAX_DRAWS}, got {draws!r}")
    probe = project_population([areas[0].id], scenarios, horizon=horizon, draws=min(draws, 2), seed=seed)
    if draws:  # each kernel runs one area with one worker thread, its draws reduced as project_population does
        cells = probe.sizes["scenario"] * probe.sizes["year"] * 2 * AGES.size
        check_memory(draws, cells, draws * cells > AUTO_QUANTILE_VALUES, 1)


def _safe_id(area: Region) -> str:
    if not SAFE_ID.fullmatch(area.id):
        raise InputError(f"region id {area.id!r} cannot name a folder; allowed: lower-case letters, digits, hyphens")
    return area.id


def _output_folder(out: str | os.PathLike) -> Path:
    folder = Path(out).resolve()
    if folder.exists() and not folder.is_dir():
        raise InputError(f"output folder {out}: exists and is not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"output folder {out}: cannot create the folder ({exc.strerror or exc})") from None
    return folder


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# ------------------------------------------------------------------------------------------ running


class RenderInterrupted(InputError):
    """A render stopped by SIGINT, SIGTERM or SIGHUP: the message says which packs were replaced and which not.

    Attributes
    ----------
    signum : the signal's number
    replaced, kept : areas whose pack was replaced in this run, and areas whose earlier pack (or none) is kept
    """

    def __init__(self, message: str, signum: int, replaced: list[str], kept: list[str]):
        super().__init__(message)
        self.signum, self.replaced, self.kept = signum, replaced, kept


class _Interrupted(Exception):
    def __init__(self, signum: int, results: dict[str, AreaResult]):
        super().__init__(signum)
        self.signum, self.results = signum, results


WORKER_STOP_SECONDS = 30.0
"""How long a stopped worker may take to shut its kernel down and remove its staging folder [s]."""
_WORKER = {"busy": False, "installing": False, "pending": None, "stopped": False, "threads": 1}
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""The environment variables that cap a kernel's BLAS threads (OpenBLAS, OpenMP, MKL)."""


def kernel_threads(jobs: int, cpus: int | None = None) -> int:
    """BLAS threads per kernel when ``jobs`` kernels run at once: the cores shared out, at least one.

    Several kernels each running one BLAS thread per core oversubscribe the machine: on 2 cores, two processes
    running a skills run with its tightness fits took 2.8× as long with OpenBLAS's default of one thread per core
    as with one each.
    """
    cpus = cpus or os.cpu_count() or 1
    return max(1, cpus // max(1, jobs))


def _worker_signal(signum, frame):
    """In a render worker: a stop request ends the running notebook (its kernel is shut down on the way out);
    during the two renames of an install it waits until the pack is in place; an idle worker just exits."""
    _WORKER["stopped"] = True  # an area queued to this worker after the signal is not started
    if _WORKER["installing"]:
        _WORKER["pending"] = signum
        return
    if not _WORKER["busy"]:
        _stop_kernel()
        os._exit(128 + signum)
    raise KeyboardInterrupt


def _worker_start(threads: int = 1) -> None:
    _WORKER["threads"] = threads
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _worker_signal)
    multiprocessing.util.Finalize(None, _stop_kernel, exitpriority=10)  # the worker's kernel ends with it
    gc.freeze()  # the imported modules: out of the collector's passes (see WARM_UP)


class _Client(BlockingKernelClient):
    """A kernel client that is ready as soon as its kernel has answered on both channels.

    ``jupyter_client``'s own ``wait_for_ready`` ends by reading output messages until none has come for 0.2 s:
    every notebook run (nbclient makes a client for each) waited 0.2 s with the kernel idle. Here a kernel-info
    request is answered on the shell channel and its ``idle`` status has arrived on the output channel: both are
    connected and nothing of that request is left to read.
    """

    def wait_for_ready(self, timeout: float | None = None) -> None:
        timeout = START_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            request = self.kernel_info()
            try:
                reply = self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["parent_header"].get("msg_id") == request and self._idle_after(request):
                self._handle_kernel_info_reply(reply)
                return
            if not self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    def _idle_after(self, request: str, wait: float = 1.0) -> bool:
        """True once the output channel has shown the kernel idle after ``request`` (within ``wait`` s)."""
        deadline = time.monotonic() + wait
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (message["parent_header"].get("msg_id") == request and message["msg_type"] == "status"
                    and message["content"].get("execution_state") == "idle"):
                return True
        return False


class _KernelManager(KernelManager):
    """A kernel manager that remembers the clients made from it, so that each area's can be closed.

    nbclient makes its own client for every notebook it runs and, on a kernel it does not own, never closes it:
    without this, a worker rendering many areas would leak one client (its sockets) per area.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.client_factory = _Client
        self.made: list = []

    def client(self, **kwargs):
        kc = super().client(**kwargs)
        self.made.append(kc)
        return kc

    def close_clients(self) -> None:
        """Stop the channels of every client made so far."""
        while self.made:
            with contextlib.suppress(Exception):
                self.made.pop().stop_channels()


WARM_UP = "import gc, toolkit.pack; gc.freeze()"
"""Run once in a new kernel: the pack's imports, then every object so far moved out of the collector's sight.

Without the freeze, each of the collector's full passes (two in every ``%reset``, more during a run) walks
the whole heap of imported modules: 0.2–0.3 s an area on the 2-core machine."""
RESET = "get_ipython().run_line_magic('reset', '-f'); import gc; gc.freeze()"
"""Between areas: the previous area's variables go (``%reset`` collects them); what survives (the modules'
caches) is frozen with the rest."""

_KERNEL: dict = {"km": None, "log": None}
"""The worker's kernel: its manager and the file that receives its stderr."""


def _kernel(cwd: Path) -> _KernelManager:
    """The worker's kernel, started on first use (and again after :func:`_stop_kernel`), its namespace emptied;
    every request goes through a new client, closed after use."""
    if _KERNEL["km"] is not None and not _KERNEL["km"].is_alive():
        _stop_kernel()
    if _KERNEL["km"] is None:
        log = tempfile.TemporaryFile()
        km = _KernelManager(kernel_name=KERNEL_NAME)
        _KERNEL.update(km=km, log=log)
        threads = {name: str(_WORKER["threads"]) for name in BLAS_THREAD_VARIABLES}
        km.start_kernel(cwd=str(cwd), stderr=log, env={**os.environ, **cache_environment(), **threads})
        try:
            _ready_client(km)
            reply = _shell_request(km, WARM_UP, timeout=START_TIMEOUT)
        except (RuntimeError, TimeoutError):
            _stop_kernel()
            raise
        km.close_clients()
        if reply["content"]["status"] != "ok":
            _stop_kernel()
            raise RuntimeError(f"the kernel could not import the toolkit: {reply['content'].get('evalue', '')}")
        return km
    km = _KERNEL["km"]  # the previous area's variables go; imported modules and their caches stay
    try:
        reply = _shell_request(km, RESET, timeout=60)
    except (RuntimeError, TimeoutError):
        reply = {"content": {"status": "no reply"}}
    km.close_clients()
    if reply["content"]["status"] != "ok":
        _stop_kernel()
        return _kernel(cwd)
    return km


def _shell_request(km: _KernelManager, code: str, timeout: float) -> dict:
    """Run ``code`` silently in the kernel through a new client's shell channel and return the reply.

    Only the shell reply is awaited, so the client does not wait for its output channel to connect (which
    ``wait_for_ready`` does: 0.2 s an area). Raises ``TimeoutError`` without a reply in ``timeout`` s."""
    kc = km.client()
    kc.start_channels(iopub=False, stdin=False, hb=False, control=False)
    return kc.execute(code, silent=True, store_history=False, reply=True, timeout=timeout)


def _ready_client(km: _KernelManager):
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=START_TIMEOUT)
    return kc


def _stop_kernel() -> None:
    """Shut the worker's kernel down (if it runs) and forget it."""
    km, log = _KERNEL["km"], _KERNEL["log"]
    _KERNEL.update(km=None, log=None)
    if km is not None:
        km.close_clients()
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
    if log is not None:
        log.close()


def _kernel_log_since(offset: int, path: Path) -> None:
    """Append what the worker's kernel wrote to stderr since ``offset`` to ``path``."""
    log = _KERNEL["log"]
    if log is None:
        return
    log.flush()
    size = os.fstat(log.fileno()).st_size
    if size > offset:
        with open(path, "ab") as handle:
            handle.write(os.pread(log.fileno(), size - offset, offset))


def _kernel_log_offset() -> int:
    log = _KERNEL["log"]
    return os.fstat(log.fileno()).st_size if log is not None else 0


def _stop_workers(pool: ProcessPoolExecutor, signum: int) -> None:
    """Cancel what has not started, ask every worker to stop (SIGTERM), wait, then kill what is left."""
    processes = list(getattr(pool, "_processes", {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(ProcessLookupError, OSError):
            os.kill(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)


def _run_parallel(tasks: Sequence[AreaTask], jobs: int, show: bool) -> list[AreaResult]:
    """Each task in a worker process (spawned: no inherited kernel sockets); results in task order.

    SIGINT, SIGTERM and SIGHUP stop every worker and its kernel (:func:`_stop_workers`) and raise
    :class:`_Interrupted` with the results that were complete.
    """
    by_region: dict[str, AreaResult] = {}
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context, initializer=_worker_start,
                               initargs=(kernel_threads(min(jobs, len(tasks))),))
    received: list[int] = []

    def stop(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    in_main = threading.current_thread() is threading.main_thread()
    # SIGINT too: a render started with SIGINT ignored (a background job of a script) still stops on it
    stops = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    previous = {signum: signal.signal(signum, stop) for signum in stops} if in_main else {}
    try:
        with tqdm(total=len(tasks), disable=not show, unit="area", file=sys.stderr) as bar:
            futures = {pool.submit(render_area, task): task for task in tasks}
            for future in as_completed(futures):
                result = future.result()
                by_region[result.region] = result
                bar.set_postfix_str(f"{result.region} {result.status}")
                bar.update()
    except KeyboardInterrupt:
        signum = received[0] if received else signal.SIGINT
        for signum_ in previous:  # a second signal while stopping does not cut the cleanup short
            signal.signal(signum_, signal.SIG_IGN)
        _stop_workers(pool, signum)
        raise _Interrupted(signum, by_region) from None
    finally:
        for signum_, handler in previous.items():
            signal.signal(signum_, handler)
    pool.shutdown(wait=True)
    return [by_region[task.region] for task in tasks]


def _run_on_cluster(tasks: Sequence[AreaTask], client, show: bool) -> list[AreaResult]:
    """Each task on a worker of the Dask cluster (a pack's failure is its result, never raised); results in task
    order."""
    from distributed import as_completed as completed

    futures = client.map(_render_on_worker, list(tasks), pure=False)
    by_region: dict[str, AreaResult] = {}
    with tqdm(total=len(tasks), disable=not show, unit="area", file=sys.stderr) as bar:
        for future in completed(futures):
            result = future.result()
            by_region[result.region] = result
            bar.set_postfix_str(f"{result.region} {result.status}")
            bar.update()
    return [by_region[task.region] for task in tasks]


def _interrupted_report(tasks: Sequence[AreaTask], stop: _Interrupted, started_ns: int) -> RenderInterrupted:
    """Which packs this run replaced (their page is newer than the run's start), with the manifest and index
    updated for the complete ones; the message says it all."""
    out = tasks[0].out
    for task in tasks:  # staging folders of workers that had to be killed
        remove_stale_temporaries(out / task.region)
    replaced = [task.region for task in tasks if (out / task.region / PAGE).exists()
                and (out / task.region / PAGE).stat().st_mtime_ns >= started_ns]
    kept = [task.region for task in tasks if task.region not in replaced]
    complete = [result for result in stop.results.values() if result.status == "ok"]
    if complete:
        manifest = _merged_manifest(out, complete)
        atomic_write(out / MANIFEST, lambda tmp: tmp.write_text(json.dumps(manifest, indent=1, ensure_ascii=False),
                                                              encoding="utf-8"))
        atomic_write(out / PAGE, lambda tmp: tmp.write_text(index_page(manifest, tasks[0].parameters["lang"]),
                                                          encoding="utf-8"))
    name = signal.Signals(stop.signum).name
    message = (f"render interrupted ({name}): replaced {', '.join(replaced) or 'no pack'}; not replaced (earlier "
               f"pack kept, if any): {', '.join(kept) or 'none'}; "
               + ("index and manifest updated for the replaced packs" if complete else "index and manifest unchanged"))
    return RenderInterrupted(message, stop.signum, replaced, kept)


_ONE_RENDER = threading.Lock()
"""Held by a pack's render on a cluster worker: the worker's kernel (:data:`_KERNEL`), its stderr and its state
(:data:`_WORKER`) belong to the process, so a worker with several threads renders its packs one after another
(two renders sharing a kernel lose each other's replies and hang). Parallel renders need a worker per core."""


def _render_on_worker(task: AreaTask) -> AreaResult:
    """:func:`render_area` on a Dask worker, one at a time per worker process (:data:`_ONE_RENDER`)."""
    with _ONE_RENDER:
        return render_area(task)


def render_area(task: AreaTask) -> AreaResult:
    """Execute, convert and install one pack; any failure is caught and reported, never raised."""
    started = time.perf_counter()
    if _WORKER["stopped"]:
        return AreaResult(task.region, "interrupted", 0.0, 0, dict(task.parameters), error="interrupted")
    staging = task.out / f".{task.region}.p{os.getpid()}.{uuid.uuid4().hex}.tmp"
    staging.mkdir(parents=True)
    _WORKER["busy"] = True
    executed = staging / EXECUTED
    attempts = 0
    stages = {"kernel": 0.0, "execute": 0.0, "convert": 0.0}

    def run() -> None:
        nonlocal attempts
        attempts += 1
        offset = _kernel_log_offset()
        try:
            _execute_notebook(task, executed, staging, stages)
        except BaseException:
            _kernel_log_since(offset, staging / KERNEL_LOG)
            _stop_kernel()  # the next area (or attempt) gets a new kernel
            raise
        _kernel_log_since(offset, staging / KERNEL_LOG)

    try:
        with _stderr_to(staging / KERNEL_LOG):
            execute_with_retry(run, executed)
        converting = time.perf_counter()
        page, headline = write_pack(executed, staging / "pack", task.parameters["lang"])
        stages["convert"] = time.perf_counter() - converting
        _install(staging, task.out / task.region)
        return AreaResult(task.region, "ok", time.perf_counter() - started, attempts, dict(task.parameters),
                          headline=headline, page_bytes=len(page.encode()),
                          executed_notebook=f"{task.region}/{EXECUTED}",
                          stages={name: round(value, 2) for name, value in stages.items()})
    except Exception as error:  # one area's failure must not stop the others: report it instead
        kept = _keep_failed(staging, task)
        return AreaResult(task.region, "failed", time.perf_counter() - started, attempts, dict(task.parameters),
                          error=_describe(error), executed_notebook=kept)
    except KeyboardInterrupt:  # stopped by the parent: the kernel is shut down on the way here
        return AreaResult(task.region, "interrupted", time.perf_counter() - started, attempts,
                          dict(task.parameters), error="interrupted")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _WORKER["busy"] = False


def _execute_notebook(task: AreaTask, executed: Path, cwd: Path, stages: dict | None = None) -> None:
    """Run the notebook with papermill in the worker's kernel (:func:`_kernel`); the seconds of the kernel's
    start or reset and of the run are added to ``stages``."""
    import papermill

    started = time.perf_counter()
    km = _kernel(task.out)
    running = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(task.notebook), str(executed), parameters=dict(task.parameters), kernel_name=KERNEL_NAME,
            progress_bar=False, start_timeout=START_TIMEOUT, cwd=str(cwd), request_save_on_cell_execute=False,
            km=km,
        )
    finally:
        km.close_clients()  # the client nbclient made for this notebook
    if stages is not None:
        stages["kernel"] += running - started
        stages["execute"] += time.perf_counter() - running


def execute_with_retry(run: Callable[[], None], executed: Path) -> None:
    """Call ``run`` and call it once more only if the kernel failed before any cell started.

    A notebook error (``PapermillExecutionError``) or a failure after a cell has started is never retried:
    running the same code again would fail the same way and hide the first error.
    """
    from papermill.exceptions import PapermillExecutionError

    try:
        run()
    except PapermillExecutionError:
        raise
    except Exception:
        if cells_started(executed):
            raise
        run()


def cells_started(executed: Path) -> bool:
    """True if papermill recorded any cell of the executed notebook as started."""
    import nbformat

    try:
        notebook = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return False
    return any(cell.metadata.get("papermill", {}).get("status", "pending") != "pending" for cell in notebook.cells)


def _describe(error: Exception) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, PapermillExecutionError):
        return f"{error.ename}: {error.evalue} (cell {error.exec_count})"
    return f"{type(error).__name__}: {error}"


def write_pack(executed: Path, pack: Path, lang: str) -> tuple[str, dict]:
    """Write a pack folder from an executed notebook: the page, the slides, the figures' numbers (CSV files and
    a workbook) and the notebook itself. Returns the page and the headline numbers."""
    notebook, headline = load_executed(executed)
    pack.mkdir()
    source = t("takeaway.source_text", lang, version=__version__)
    files = write_pack_data(pack, figure_tables(take_figures(notebook), lang, source), lang)
    files["slides"] = SLIDES
    page = pack_page(notebook, headline, lang, files=files)
    slides = slides_page(notebook, headline, lang)
    (pack / PAGE).write_text(page, encoding="utf-8")
    (pack / SLIDES).write_text(slides, encoding="utf-8")
    os.replace(executed, pack / EXECUTED)
    return page, headline


def _install(staging: Path, target: Path) -> None:
    """Put the finished pack in place: the old pack is renamed aside first and removed only afterwards."""
    pack = staging / "pack"
    aside = staging / "previous"
    _WORKER["installing"] = True  # a stop request waits for the two renames (never a missing pack)
    try:
        if target.exists():
            os.replace(target, aside)
        os.replace(pack, target)
    finally:
        _WORKER["installing"] = False
    if _WORKER["pending"] is not None:
        _WORKER["pending"] = None
        raise KeyboardInterrupt


def _keep_failed(staging: Path, task: AreaTask) -> str | None:
    """Move the failed run's notebook and kernel log to ``failed/<region>.*``; the notebook's path in ``out``."""
    kept = {}
    for name, suffix in ((EXECUTED, ".ipynb"), (KERNEL_LOG, ".log")):
        if (staging / name).exists():
            kept[name] = Path(FAILED_DIR) / f"{task.region}{suffix}"
            (task.out / FAILED_DIR).mkdir(exist_ok=True)  # only a run with a failure has this folder
            os.replace(staging / name, task.out / kept[name])
    return kept[EXECUTED].as_posix() if EXECUTED in kept else None


@contextlib.contextmanager
def _stderr_to(path: Path):
    """Send this process's stderr (and so the kernel's, which inherits it) to ``path`` while running."""
    sys.stderr.flush()
    saved = os.dup(2)
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.dup2(log, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(log)
        os.close(saved)




def _merged_manifest(out: Path, results: Sequence[AreaResult]) -> dict:
    """The manifest of ``out`` updated with this run; an area that failed keeps its earlier pack's entry."""
    previous = _read_manifest(out / MANIFEST).get("areas", {})
    now = datetime.now(UTC).isoformat(timespec="seconds")
    areas = dict(previous)
    for result in results:
        entry = {key: value for key, value in asdict(result).items() if key not in ("headline", "region")}
        entry.update(rendered_at=now, toolkit_version=__version__)
        if result.status == "ok":
            headline = dict(result.headline)
            entry.update(pack=f"{result.region}/{PAGE}", data_provenance=headline.pop("data_provenance"),
                         scenario_hashes=headline.pop("scenario_hashes"), headline=headline)
        else:
            earlier = previous.get(result.region, {})
            has_pack = (out / result.region / PAGE).exists() and "headline" in earlier
            entry.update(data_provenance=data_provenance(), pack=earlier.get("pack") if has_pack else None,
                         headline=earlier.get("headline") if has_pack else None,
                         pack_rendered_at=earlier.get("pack_rendered_at", earlier.get("rendered_at"))
                         if has_pack else None)
        if result.status == "ok":
            entry["pack_rendered_at"] = now
        areas[result.region] = entry
    return {"toolkit_version": __version__, "updated_at": now, "areas": areas}


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and isinstance(manifest.get("areas"), dict) else {}

