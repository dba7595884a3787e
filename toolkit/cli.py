"""The `forum` command.

A bad input (an unknown region or scenario, a malformed file, an out-of-range value, an unwritable output)
ends in one message on stderr and exit code 2, with no traceback and no output written. Anything else is a
bug: exit code 1 with a traceback.

Length: the parser of every subcommand with each option's help and default is one readable block, and each
subcommand's handler is a short function next to it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from toolkit.errors import InputError, Terminated
from toolkit.nomenclature import LANGS

LEVEL_CHOICES = ("region", "subregion", "municipality")
EXPLORER_NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explorer.ipynb"


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as InputError (one line, exit 2)."""

    def error(self, message):
        raise InputError(f"{self.prog}: {message}")


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", action="append", default=[], metavar="ID",
                        help="region id or official code (MK18, KU109, SK111); repeatable")
    parser.add_argument("--area", action="append", default=[], dest="region", metavar="AREA",
                        help="any area: a municipality (KU205, Kajaani), a subregion (SK181), an area of params/areas/ "
                             "or municipalities joined with + (\"Kajaani+Sotkamo\"); repeatable, like --region")
    parser.add_argument("--all", action="store_true", dest="all_regions", help="all 23 areas")
    parser.add_argument("--level", choices=LEVEL_CHOICES, default=None,
                        help="every area of a level: the 19 regions, the 69 subregions or the 309 municipalities "
                             "(projected within the national run)")
    parser.add_argument("--national", action="store_true",
                        help="project the areas within the national run (every maakunta with them, migration "
                             "balanced nationally); the output holds the areas asked for")
    parser.add_argument("--scenario", action="append", default=[], metavar="ID|PATH",
                        help="scenario id or YAML file; repeatable (default: every shipped scenario)")
    parser.add_argument("--horizon", type=int, default=2050, help="last projected year (default 2050)")
    parser.add_argument("--draws", type=int, default=0, help="Monte Carlo draws (default 0 = deterministic)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    parser.add_argument("--base-year", type=int, default=None, help="jump-off year (default: last observed)")
    parser.add_argument("--quantiles", action=argparse.BooleanOptionalAction, default=None,
                        help="reduce draws to the quantiles 0.025..0.975 (default: when the draws exceed 20 million "
                             "values)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="run the ensemble chunks on a Dask distributed scheduler")
    parser.add_argument("--jobs", type=int, default=None, help="local worker threads (default: all cores)")
    parser.add_argument("--out", required=True, metavar="FILE",
                        help="output file: .nc (NetCDF), .csv (tidy table) or .xlsx (a workbook, a sheet per variable)")
    parser.add_argument("--lang", choices=LANGS, default="en",
                        help="language of the .xlsx headers (default en)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="forum", description="Population and skills scenarios for Finland's future forums.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    regions = commands.add_parser("regions", help="list region ids, codes and names")
    regions.add_argument("--lang", choices=LANGS, default="en", help="language of the names (default en)")
    regions.add_argument("--level", choices=("region", "subregion", "municipality", "area"), default=None,
                         help="list the 19 regions, the 69 subregions, the 309 municipalities (2021 division) or the "
                              "named areas (default: the registry's 23 areas)")
    scenarios = commands.add_parser("scenarios", help="list scenario ids and names")
    scenarios.add_argument("--lang", choices=LANGS, default="en", help="language of the names (default en)")
    project = commands.add_parser("project", help="project the population of regions under scenarios")
    _add_selection(project)
    skills = commands.add_parser("skills", help="project job openings and labour supply (population run included)")
    _add_selection(skills)
    skills.add_argument("--no-tightness", action="store_true", help="leave out the occupational tightness forecast")
    hindcast = commands.add_parser("hindcast", help="the model's accuracy on past data (19 regions, baseline)")
    hindcast.add_argument("--base-year", type=int, default=2015,
                          help="the jump-off year of the hindcast (default 2015)")
    hindcast.add_argument("--draws", type=int, default=500, help="Monte Carlo draws (default 500)")
    hindcast.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    hindcast.add_argument("--out", metavar="FILE.csv", default=None, help="also write the full table as CSV")
    hindcast.add_argument("--levers", action="store_true",
                          help="check the TFR and net-migration models instead: refitted at every origin before the "
                               "base year and compared with the years that followed")
    hindcast.add_argument("--origins", metavar="FIRST-LAST", default=None,
                          help="rolling-origin evaluation instead: project from every origin (e.g. 2011-2020; the "
                               "first possible origin is 2011) and compare every later observed year")
    hindcast.add_argument("--max-horizon", type=int, default=15,
                          help="with --origins: the last horizon (1..15, default 15)")
    hindcast.add_argument("--uncalibrated", action="store_true",
                          help="with --origins: the lever models' own widths (the model before calibration)")
    hindcast.add_argument("--compare", action="store_true",
                          help="with --origins: the calibrated and the uncalibrated model side by side")
    data_cmd = commands.add_parser("data", help="Statistics Finland data: refresh params/data or show its status")
    data_sub = data_cmd.add_subparsers(dest="data_command", required=True, parser_class=_Parser, metavar="ACTION")
    refresh = data_sub.add_parser("refresh", help="fetch the latest figures from the StatFin PxWeb API")
    refresh.add_argument("--region", action="append", default=[], metavar="ID|CODE",
                         help="refresh only this region; repeatable (default: every region)")
    refresh.add_argument("--municipality", action="append", default=[], metavar="KUxxx",
                         help="also refresh this municipality's figures; repeatable (default: none)")
    refresh.add_argument("--to", default=None, metavar="DIR", help="params folder to update (default: params/)")
    refresh.add_argument("--base-url", default=None, help=argparse.SUPPRESS)  # tests and mirrors
    data_sub.add_parser("status", help="which figures come from which table and date")
    render = commands.add_parser("render", help="render the offline forum packs (HTML) with papermill")
    render.add_argument("--region", action="append", default=[], metavar="ID",
                        help="region id or code; repeatable (default: the nine forum areas)")
    render.add_argument("--area", action="append", default=[], dest="region", metavar="AREA",
                        help="any area (KU205, SK181, \"Kajaani+Sotkamo\", an area of params/areas/); repeatable")
    render.add_argument("--all", action="store_true", dest="all_regions", help="all 23 areas")
    render.add_argument("--level", choices=LEVEL_CHOICES, default=None,
                        help="every area of a level: 19 regions, 69 subregions or 309 municipalities (default: none)")
    render.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=None,
                        help="render the packs on a Dask distributed cluster (its workers share the output folder; "
                             "default: local processes)")
    render.add_argument("--scenario", action="append", default=[], metavar="ID|PATH",
                        help="scenario id or YAML file; repeatable (default: every shipped scenario)")
    render.add_argument("--lang", choices=LANGS, default="fi", help="language of the packs (default fi)")
    render.add_argument("--jobs", type=int, default=2,
                        help="areas rendered at the same time, one kernel each (default 2)")
    render.add_argument("--horizon", type=int, default=2050, help="last projected year (default 2050)")
    render.add_argument("--draws", type=int, default=None,
                        help="Monte Carlo draws per scenario for the bands (default 200; 0 = lines only)")
    render.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    render.add_argument("--out", default="build/forum", metavar="DIR",
                        help="output folder of the packs, their index and shared assets (default build/forum)")
    goal = commands.add_parser("goal", help="what would it take: the lever value that meets a target")
    goal.add_argument("--region", "--area", required=True, metavar="ID", dest="region",
                      help="region id or official code, or any area (KU205, \"Kajaani+Sotkamo\")")
    goal.add_argument("--scenario", default="baseline", metavar="ID|PATH", help="scenario (default baseline)")
    goal.add_argument("--lever", required=True, metavar="LEVER",
                      help="tfr, additional_net_migration, migration_rate_scale, e0_gain_per_decade, "
                           "participation_change[:A-B], retirement_age_shift")
    goal.add_argument("--outcome", required=True, metavar="OUTCOME",
                      help="a population group (total, 0-14, 15-64, 65+, 75+, 85+, 7-15, 16-18), labour_balance or "
                           "job_openings")
    goal.add_argument("--year", type=int, default=None, help="target year")
    goal.add_argument("--period", default=None, metavar="FIRST-LAST", help="the target holds in every year of it")
    goal.add_argument("--target", type=float, required=True, metavar="VALUE", help="persons (jobs a year)")
    bound = goal.add_mutually_exclusive_group()
    bound.add_argument("--at-least", action="store_const", const=">=", dest="direction",
                       help="the outcome at least the target (default: equal to it)")
    bound.add_argument("--at-most", action="store_const", const="<=", dest="direction",
                       help="the outcome at most the target (default: equal to it)")
    goal.add_argument("--probability", type=float, default=None, help="met with this probability, in (0, 1)")
    goal.add_argument("--draws", type=int, default=500, help="draws with --probability (default 500)")
    goal.add_argument("--seed", type=int, default=0, help="random seed of the draws (default 0)")
    goal.add_argument("--horizon", type=int, default=2050, help="last projected year (default 2050)")
    goal.add_argument("--lang", choices=LANGS, default="en", help="language of the answer (default en)")
    goal.add_argument("--json", action="store_true", help="print one JSON object")
    present = commands.add_parser("present", help="the live explorer with Voilà on localhost (works offline)")
    present.add_argument("--region", "--area", default=None, metavar="ID", dest="region",
                         help="area shown first: region id or code, or any area (KU205, \"Kajaani+Sotkamo\"; "
                              "default: the first forum area)")
    present.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    return parser


def _selected_regions(args) -> list[str]:
    from toolkit.regions import areas, load_regions

    if sum(map(bool, (args.all_regions, args.region, getattr(args, "level", None)))) > 1:
        raise InputError("give either --region or --all or --level, not several")
    if getattr(args, "level", None):
        return [area.id for area in areas(args.level)]
    if args.all_regions:
        return list(load_regions())
    if not args.region:
        raise InputError("no region selected: give --region ID (repeatable) or --all; see `forum regions`")
    return args.region


def _selected_scenarios(args) -> list[str]:
    from toolkit.scenarios import available_scenarios

    return args.scenario or available_scenarios()


def cmd_regions(args) -> None:
    from toolkit.regions import areas, load_regions

    listed = list(load_regions().values()) if args.level is None else areas(args.level)
    for region in listed:
        parent = f"  (in {region.parent})" if region.parent else ""
        forum = "*" if region.forum else " "
        print(f"{forum} {region.id:<28} {region.code:<12} {region.label(args.lang)}{parent}")
    print(f"{len(listed)} areas; * = forum area")


def cmd_scenarios(args) -> None:
    from toolkit.scenarios import available_scenarios, load_scenario

    for scenario_id in available_scenarios():
        print(f"{scenario_id:<20} {load_scenario(scenario_id).name[args.lang]}")


def _client(address: str | None):
    if address is None:
        return None
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise InputError("--scheduler needs the 'distributed' package") from None
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError, ValueError) as exc:
        raise InputError(f"--scheduler {address}: cannot connect ({exc})") from None


def _population(args, output: str | None = None):
    from toolkit.population.project import project_population

    client = _client(args.scheduler)
    try:
        return project_population(_selected_regions(args), _selected_scenarios(args), horizon=args.horizon,
                                  draws=args.draws, seed=args.seed, base_year=args.base_year,
                                  quantiles=args.quantiles, client=client, jobs=args.jobs, output=output,
                                  notify=lambda text: print(f"forum: {text}", file=sys.stderr, flush=True),
                                  national=args.national or args.level is not None)
    finally:
        if client is not None:
            client.close()


def _describe(ds) -> str:
    extra = f", {ds.sizes['draw']} draws" if "draw" in ds.dims else (
        f", {ds.sizes['quantile']} quantiles of {ds.attrs['draws']} draws" if "quantile" in ds.dims else "")
    return (f"{ds.sizes['region']} region(s) x {ds.sizes['scenario']} scenario(s){extra}, "
            f"{int(ds.year[0])}-{int(ds.year[-1])}")


def _check_workbook(args, out: Path) -> None:
    if out.suffix.lower() == ".xlsx" and args.draws and not args.quantiles:
        raise InputError(f"output {out}: a workbook holds no draws; add --quantiles or write a .nc or .csv file")


def _write(ds, out: Path, lang: str) -> None:
    """The run's dataset to ``out``: a workbook for .xlsx, else NetCDF or CSV."""
    from toolkit.io.results import write_dataset
    from toolkit.takeaway import write_run_workbook

    if out.suffix.lower() == ".xlsx":
        write_run_workbook(ds, out, lang)
    else:
        write_dataset(ds, out)


def cmd_project(args) -> None:
    from toolkit.io.results import check_output_path

    out = check_output_path(args.out)
    _check_workbook(args, out)
    started = time.perf_counter()
    args.target, args.started_ns = out, time.time_ns()
    ds = _population(args, output=".csv" if out.suffix.lower() == ".xlsx" else out.suffix.lower())
    _write(ds, out, args.lang)
    print(f"wrote {out}: {_describe(ds)}, in {time.perf_counter() - started:.1f} s")


def cmd_skills(args) -> None:
    from toolkit.io.results import check_output_path
    from toolkit.report import skills_sentences
    from toolkit.scenarios import load_scenarios
    from toolkit.skills import headline_indicators, project_skills

    out = check_output_path(args.out)
    _check_workbook(args, out)
    started = time.perf_counter()
    population = _population(args)
    scenarios = load_scenarios(_selected_scenarios(args))  # scenario files too, not only shipped ids
    skills = project_skills(population, scenarios, tightness=not args.no_tightness)
    lines = []  # the headline sentences are made before anything is written: a failure leaves no file
    if "draw" not in population.dims and "quantile" not in population.dims and "baseline" in skills.scenario:
        indicators = headline_indicators(skills)
        for region in skills.region.values[:3]:
            sentences = skills_sentences(indicators.sel(region=region, scenario="baseline"), "en")
            lines.append(f"  {region}: " + " ".join(sentences.values()))
    args.target, args.started_ns = out, time.time_ns()
    _write(skills, out, args.lang)
    print(f"wrote {out}: {_describe(population)}, in {time.perf_counter() - started:.1f} s")
    print("\n".join(lines))


def cmd_hindcast(args) -> None:
    from toolkit.io.files import atomic_write
    from toolkit.io.results import check_output_path
    from toolkit.population import hindcast as hc

    out = check_output_path(args.out) if args.out else None
    if args.origins is not None:
        from toolkit.population import evaluation as ev

        origins = ev.check_origins(ev.parse_origins(args.origins), args.max_horizon)
        run = dict(draws=args.draws, seed=args.seed, max_horizon=args.max_horizon)
        table = ev.rolling_origin(origins, calibrated=not args.uncalibrated, **run)
        text = ("Regions (cases of one origin share national shocks):\n" + ev.markdown(ev.summary(table))
                + "\n\nThe country (sum of the regions' draws):\n" + ev.markdown(ev.summary(table, national=True)))
        if args.compare:
            before = ev.rolling_origin(origins, calibrated=False, **run)
            text += "\n\nBefore calibration (the models' own widths):\n" + ev.markdown(ev.summary(before))
            table = ev.pd.concat([table.assign(model="calibrated"), before.assign(model="uncalibrated")],
                                 ignore_index=True)
    elif args.levers:
        table = hc.lever_errors(args.base_year)
        text = hc.lever_markdown(hc.lever_summary(table))
    else:
        table = hc.hindcast(args.base_year, draws=args.draws, seed=args.seed)
        text = hc.markdown(hc.summary(table))
    if out is not None:
        atomic_write(out, lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g"))
    print(text)


def cmd_data(args) -> None:
    from toolkit.io.statfin import refresh as statfin

    if args.data_command == "status":
        print(status_table(statfin.status()))
        return
    options = {"base_url": args.base_url} if args.base_url else {}
    from toolkit.regions import get_region, load_regions

    report = statfin.refresh(regions=[get_region(name) for name in args.region], municipalities=args.municipality,
                             registry=load_regions(), to_dir=args.to, **options)
    print(report.summary())


STATUS_COLUMNS = (("file", "file"), ("origin", "origin"), ("table", "table id"), ("reference", "reference date"),
                  ("regions", "regions"), ("updated", "table updated"), ("fetched_at", "fetched"))


def status_table(rows: Sequence[dict]) -> str:
    """The rows of ``forum data status`` as an aligned text table with a header line."""
    def text(row, key):
        value = row.get(key)
        if key == "regions":
            return f"{len(value)} ({', '.join(value[:3])}{', …' if len(value) > 3 else ''})" if value else "-"
        return str(value) if value else "-"

    cells = [[title for _, title in STATUS_COLUMNS]] + [[text(row, key) for key, _ in STATUS_COLUMNS] for row in rows]
    widths = [max(len(line[index]) for line in cells) for index in range(len(STATUS_COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
             for line in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    sources = [f"  {row['file']}: {row['source'].split('`: ', 1)[-1]}" for row in rows if row.get("source")]
    return "\n".join(lines + (["", "sources:", *sources] if sources else []))


def cmd_render(args) -> int:
    from toolkit import batch

    if sum(map(bool, (args.all_regions, args.region, args.level))) > 1:
        raise InputError("give either --region or --all or --level, not several")
    draws = batch.DEFAULT_DRAWS if args.draws is None else args.draws
    client = _client(args.scheduler)
    try:
        report = batch.render(args.region or None, args.scenario or None, lang=args.lang, jobs=args.jobs,
                              out=args.out, all_regions=args.all_regions, horizon=args.horizon, draws=draws,
                              seed=args.seed, level=args.level, client=client)
    except batch.RenderInterrupted as stop:
        print(f"forum: {stop}", file=sys.stderr)
        return 128 + stop.signum
    finally:
        if client is not None:
            client.close()
    print(report.summary())
    return 1 if report.failed else 0


def voila_command(region: str | None, port: int, *, open_browser: bool = False,
                  save_dir: str | os.PathLike | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve the explorer notebook with Voilà on 127.0.0.1.

    Parameters
    ----------
    region : area id or code (validated), or None for the first forum area
    port : TCP port, 1024..65535
    open_browser : let Voilà open a browser tab
    save_dir : folder for saved scenarios (default: the working directory)

    Returns
    -------
    (argv, env)
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise InputError(f"port {port!r} is not allowed; use a number 1024..65535")
    from toolkit.explorer.app import ENV_REGION, ENV_SAVE_DIR
    from toolkit.io.cache import cache_environment
    from toolkit.regions import get_region

    env = {**os.environ, **cache_environment()}
    if region is not None:
        env[ENV_REGION] = get_region(region).id
    env[ENV_SAVE_DIR] = str(Path(save_dir or Path.cwd()).resolve())
    from toolkit.explorer.server import server_options

    argv = [sys.executable, "-m", "toolkit.explorer.server", str(EXPLORER_NOTEBOOK), f"--port={port}",
            "--Voila.ip=127.0.0.1", "--strip_sources=True", "--show_tracebacks=False", *server_options()]
    if not open_browser:
        argv.append("--no-browser")
    return argv, env


def start_voila(region: str | None, port: int, *, open_browser: bool = False,
                save_dir: str | os.PathLike | None = None) -> subprocess.Popen:
    """Start Voilà serving the explorer (see :func:`voila_command`) and return the running process."""
    argv, env = voila_command(region, port, open_browser=open_browser, save_dir=save_dir)
    return subprocess.Popen(argv, env=env, cwd=EXPLORER_NOTEBOOK.parent)


def present(region: str | None, port: int, open_browser: bool = False) -> int:
    """Serve the live explorer with Voilà on http://127.0.0.1:PORT until interrupted; returns Voilà's exit code."""
    process = start_voila(region, port, open_browser=open_browser)
    print(f"explorer: http://127.0.0.1:{port}/  (Ctrl-C stops)")
    try:
        return process.wait()
    except KeyboardInterrupt:  # SIGINT, and SIGTERM/SIGHUP through main(): Voilà shuts its kernels down
        return stop_voila(process)


def stop_voila(process: subprocess.Popen, timeout: float = 20.0) -> int:
    """Stop Voilà with SIGTERM (it shuts its kernels down), then kill whatever of it and its kernels is left."""
    import psutil

    try:
        family = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    process.terminate()
    try:
        code = process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        code = process.wait()
    _, alive = psutil.wait_procs(family, timeout=5)
    for child in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    return code


def cmd_present(args) -> int:
    return present(args.region, args.port)


def cmd_goal(args) -> None:
    import json

    from toolkit.goals import goal_seek
    from toolkit.text.goals import cli_answer

    period = None
    if args.period is not None:
        first, _, last = args.period.partition("-")
        if not (first.isdigit() and last.isdigit()):
            raise InputError(f"--period {args.period!r}: expected FIRST-LAST, e.g. 2030-2040")
        period = (int(first), int(last))
    if args.year is None and period is None:
        raise InputError("give --year YEAR or --period FIRST-LAST")
    result = goal_seek(args.region, args.scenario, args.lever, args.outcome, args.year, args.target,
                       direction=args.direction or "=", period=period, probability=args.probability,
                       draws=args.draws if args.probability is not None else 0, seed=args.seed, horizon=args.horizon)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        print(cli_answer(result, args.lang))


COMMANDS = {"regions": cmd_regions, "scenarios": cmd_scenarios, "project": cmd_project, "skills": cmd_skills,
            "hindcast": cmd_hindcast, "render": cmd_render, "present": cmd_present, "data": cmd_data,
            "goal": cmd_goal}


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def main(argv: Sequence[str] | None = None) -> int:

    handlers = {}
    if threading.current_thread() is threading.main_thread():  # SIGTERM/SIGHUP unwind like Ctrl-C: cleanups run
        for signum in (signal.SIGTERM, signal.SIGHUP):
            handlers[signum] = signal.signal(signum, _raise_terminated)
        # SIGINT is Ctrl-C also where the process was started with it ignored (a background job of a script)
        handlers[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    args = None
    try:
        args = build_parser().parse_args(argv)
        status = COMMANDS[args.command](args)
    except InputError as exc:
        print(f"forum: error: {' '.join(str(exc).split())}", file=sys.stderr)  # one line, whatever the message
        return 2
    except KeyboardInterrupt as exc:
        target, started = getattr(args, "target", None), getattr(args, "started_ns", 0)
        replaced = target is not None and target.exists() and target.stat().st_mtime_ns >= started
        done = f"{target} was replaced before the signal" if replaced else (
            f"{target} was not replaced" if target is not None else "no output written")
        name = signal.Signals(exc.signum).name if isinstance(exc, Terminated) else "SIGINT"
        print(f"forum: interrupted ({name}); {done}", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, Terminated) else signal.SIGINT)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    return status or 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
