"""Saving the explorer's edited levers as a scenario file that ``load_scenario`` and ``forum render`` read.

The file is the picked scenario's own file (its levers, region blocks and uncertainty) with new texts and the
area's edited levers in its ``regions`` block, so that other areas keep the picked scenario. It is validated with
the scenario schema before anything is written, and written atomically.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel

from toolkit.errors import InputError
from toolkit.explorer.levers import changed_levers
from toolkit.io.files import atomic_write_text
from toolkit.io.yamlfiles import read_yaml
from toolkit.scenarios import Levers, Scenario, available_scenarios, parse_scenario

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _plain(value):
    """A lever value as plain YAML data."""
    return value.model_dump(mode="json", exclude_none=True) if isinstance(value, BaseModel) else value


def scenario_content(source: Scenario, region: str, source_levers: Levers, levers: Levers, *, scenario_id: str,
                     name: Mapping[str, str], narrative: Mapping[str, str], justification: str) -> dict:
    """The picked scenario's file content with new texts and ``region``'s edited levers.

    The justification gets a sentence naming the source scenario and the changed levers.
    """
    content, _ = read_yaml(source.source, "scenario file")
    changed = changed_levers(source_levers, levers)
    if changed:
        regions = content.setdefault("regions", {})
        regions[region] = {**(regions.get(region) or {}),
                           **{lever: _plain(getattr(levers, lever)) for lever in changed}}
    note = (f"Levers set in the explorer for {region}, starting from the scenario '{source.id}'; "
            f"changed: {', '.join(changed) if changed else 'none'}.")
    content.update(id=scenario_id, name=dict(name), narrative=dict(narrative),
                   justification=f"{justification.strip()} {note}".strip())
    return content


def write_scenario(path: str | os.PathLike, content: dict, *, overwrite: bool = False) -> Path:
    """Write ``content`` as the scenario file ``path`` after it passed the scenario schema.

    Raises
    ------
    InputError
        If the id is not a slug or is a shipped scenario's, the file exists (without ``overwrite``), the content
        fails the schema, or the file cannot be written; nothing is written then.
    """
    path = Path(path)
    scenario_id = content.get("id")
    if not isinstance(scenario_id, str) or not SLUG.fullmatch(scenario_id):
        raise InputError(f"scenario id {scenario_id!r}: use 1-40 characters a-z, 0-9 and '-', "
                         "starting with a letter or digit")
    if scenario_id in available_scenarios():
        raise InputError(f"scenario id {scenario_id!r} is a shipped scenario; choose another id")
    if path.exists() and not overwrite:
        raise InputError(f"{path}: the file exists; choose another id or file")
    text = yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)
    parse_scenario(text, path)
    atomic_write_text(path, text)
    return path
