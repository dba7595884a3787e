"""`forum --help` and every subcommand's help describe every option, with its default where it has one."""

from __future__ import annotations

import argparse

import pytest

from toolkit.cli import build_parser


def _commands(parser: argparse.ArgumentParser, prefix: str = "forum"):
    yield prefix, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{prefix} {name}")


def _options():
    for command, parser in _commands(build_parser()):
        for action in parser._actions:
            skipped = isinstance(action, argparse._HelpAction | argparse._SubParsersAction)
            if skipped or action.help == argparse.SUPPRESS:
                continue
            yield command, action


def _has_default(action: argparse.Action) -> bool:
    if isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction | argparse._StoreConstAction):
        return False  # a flag: its default is its absence
    return action.default not in (None, [], argparse.SUPPRESS) and not action.required


OPTIONS = list(_options())


def test_every_command_is_walked():
    commands = {command for command, _ in OPTIONS}
    assert {"forum render", "forum project", "forum skills", "forum data refresh", "forum goal",
            "forum present", "forum hindcast"} <= commands


@pytest.mark.parametrize(("command", "action"), OPTIONS, ids=[f"{c} {a.dest}" for c, a in OPTIONS])
def test_every_option_is_described_with_its_default(command, action):
    assert action.help and len(action.help) > 8, f"{command} {action.option_strings}: no help text"
    if _has_default(action):
        default = action.default
        shown = {str(default), *(map(str, default) if isinstance(default, list | tuple) else ())}
        assert "default" in action.help.lower() and any(text in action.help for text in shown), (
            f"{command} {action.option_strings}: the help does not state the default {default!r}")


def test_every_command_has_a_description():
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            assert set(helps) == set(action.choices) and all(helps.values())


def test_data_status_is_a_table_with_table_ids_and_reference_dates(capsys):
    from toolkit.cli import main

    assert main(["data", "status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines[0].split()
    assert header[:3] == ["file", "origin", "table"] and "reference" in lines[0] and set(lines[1]) <= {"-", " "}
    rows = {line.split()[0]: line for line in lines[2:] if line.endswith(("-", ")")) and ".csv" in line}
    assert {"population.csv", "tfr.csv", "net_migration_total.csv", "life_expectancy.csv"} <= set(rows)
    assert "11re" in rows["population.csv"] and "31 Dec 2025" in rows["population.csv"]
    assert "12du" in rows["tfr.csv"] and "1990 ... 2025" in rows["tfr.csv"]
    assert "31 Dec 2018, 31 Dec 2019" in rows["municipality_population_2018_2019.csv"]  # the municipal files too
    assert "1990 ... 2017" in rows["municipality_migration_1990_2017.csv"]
    assert " 11a1 " in rows["municipality_migration_1990_2017.csv"]  # the shipped table, not the refresh's 11ae
    start = lines[0].index("reference date")
    assert all(line[start:start + 4].strip() for line in rows.values())  # a date in every row's column
