"""The `forum` command.

A bad input (an unknown region or scenario, a malformed file, an out-of-range value, an unwritable output)
ends in one message on stderr and exit code 2, with no traceback and no output written. Anything else is a
bug: exit code 1 with a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from toolkit.errors import InputError

LANGS = ("fi", "sv", "en")


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as InputError (one line, exit 2)."""

    def error(self, message):
        raise InputError(f"{self.prog}: {message}")


def _add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", action="append", default=[], metavar="ID",
                        help="region id or official code (MK18, KU109, SK111); repeatable")
    parser.add_argument("--all", action="store_true", dest="all_regions", help="all 23 areas")
    parser.add_argument("--scenario", action="append", default=[], metavar="ID|PATH",
                        help="scenario id or YAML file; repeatable (default: every shipped scenario)")
    parser.add_argument("--horizon", type=int, default=2050, help="last projected year (default 2050)")
    parser.add_argument("--draws", type=int, default=0, help="Monte Carlo draws (default 0 = deterministic)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the draws")
    parser.add_argument("--base-year", type=int, default=None, help="jump-off year (default: last observed)")
    parser.add_argument("--out", required=True, metavar="FILE", help="output file, .nc or .csv")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="forum", description="Population and skills scenarios for Finland's future forums.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    regions = commands.add_parser("regions", help="list region ids, codes and names")
    regions.add_argument("--lang", choices=LANGS, default="en")
    scenarios = commands.add_parser("scenarios", help="list scenario ids and names")
    scenarios.add_argument("--lang", choices=LANGS, default="en")
    project = commands.add_parser("project", help="project the population of regions under scenarios")
    _add_selection(project)
    return parser


def _selected_regions(args) -> list[str]:
    from toolkit.regions import load_regions

    if args.all_regions and args.region:
        raise InputError("give either --region or --all, not both")
    if args.all_regions:
        return list(load_regions())
    if not args.region:
        raise InputError("no region selected: give --region ID (repeatable) or --all; see `forum regions`")
    return args.region


def _selected_scenarios(args) -> list[str]:
    from toolkit.scenarios import available_scenarios

    return args.scenario or available_scenarios()


def cmd_regions(args) -> None:
    from toolkit.regions import load_regions

    for region in load_regions().values():
        parent = f"  (estimated from {region.parent})" if region.parent else ""
        forum = "*" if region.forum else " "
        print(f"{forum} {region.id:<20} {region.code:<12} {region.label(args.lang)}{parent}")
    print("* = forum area")


def cmd_scenarios(args) -> None:
    from toolkit.scenarios import available_scenarios, load_scenario

    for scenario_id in available_scenarios():
        print(f"{scenario_id:<20} {load_scenario(scenario_id).name[args.lang]}")


def cmd_project(args) -> None:
    from toolkit.io import check_output_path, write_dataset
    from toolkit.population.project import project_population

    out = check_output_path(args.out)
    started = time.perf_counter()
    ds = project_population(_selected_regions(args), _selected_scenarios(args), horizon=args.horizon,
                            draws=args.draws, seed=args.seed, base_year=args.base_year)
    write_dataset(ds, out)
    print(f"wrote {out}: {ds.sizes['region']} region(s) x {ds.sizes['scenario']} scenario(s), "
          f"{int(ds.year[0])}-{int(ds.year[-1])}, in {time.perf_counter() - started:.1f} s")


COMMANDS = {"regions": cmd_regions, "scenarios": cmd_scenarios, "project": cmd_project}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        COMMANDS[args.command](args)
    except InputError as exc:
        print(f"forum: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("forum: interrupted; no output written", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
