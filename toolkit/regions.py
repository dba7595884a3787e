"""Region registry: the areas the toolkit projects, with codes, names in fi/sv/en and municipalities.

The registry is ``params/regions.yaml`` (19 maakunnat and the four municipal forum areas), plus an
optional ``params/regions.local.yaml`` of the same schema for areas added locally. Both are read with
``yaml.safe_load`` and validated: unique ids and codes, known parents, and municipality codes that
exist in ``params/data/municipalities.csv`` and lie in the area's maakunta.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.errors import InputError
from toolkit.io.params import load_municipalities, params_dir
from toolkit.io.yamlfiles import read_yaml
from toolkit.nomenclature import LANGS

KINDS = ("maakunta", "municipal_area")
REGISTRY_FILE = "regions.yaml"
LOCAL_FILE = "regions.local.yaml"
_ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_REQUIRED = ("id", "code", "kind", "name", "municipalities")
_OPTIONAL = {"nuts3": None, "parent": None, "forum": False}


@dataclass(frozen=True)
class Region:
    """One area of the registry.

    Attributes
    ----------
    id : slug used as the ``region`` coordinate, e.g. ``kainuu``
    code : official code, e.g. ``MK18``, ``KU109``, ``SK111``, ``KU743+KU145``
    kind : ``"maakunta"`` or ``"municipal_area"``
    nuts3 : NUTS-3 code of a maakunta, None for a municipal area
    name : names by language (``fi``, ``sv``, ``en``)
    municipalities : municipality codes (``KUxxx``) of the area
    parent : id of the maakunta that contains a municipal area, None for a maakunta
    forum : True for the areas that hold a future forum
    parent_code : official code of ``parent`` (filled in by the registry)
    """

    id: str
    code: str
    kind: str
    nuts3: str | None
    name: Mapping[str, str] = field(hash=False)
    municipalities: tuple[str, ...]
    parent: str | None
    forum: bool
    parent_code: str | None = None

    def label(self, lang: str = "fi") -> str:
        """The area's name in ``lang`` (``fi``, ``sv`` or ``en``)."""
        if lang not in self.name:
            raise InputError(f"unknown language '{lang}'; allowed: {', '.join(LANGS)}")
        return self.name[lang]


# ------------------------------------------------------------------------------------------ parsing


def _read_yaml(path: Path) -> list:
    document, _ = read_yaml(path, "region registry")
    entries = document.get("regions") if isinstance(document, dict) and set(document) == {"regions"} else None
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected one top-level key 'regions' with a list of areas")
    return entries


def _is_text(value) -> bool:
    return isinstance(value, str) and value.strip() == value and value != ""


def _check_entry(entry, path: Path, position: int) -> dict:
    """Check the keys and types of one registry entry and return it with defaults filled in."""
    where = f"{path}: regions[{position}]"
    if not isinstance(entry, dict):
        raise InputError(f"{where}: expected a mapping with keys {', '.join(_REQUIRED)}")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    missing = [key for key in _REQUIRED if key not in entry]
    if unknown or missing:
        problem = f"unknown key '{unknown[0]}'" if unknown else f"missing key '{missing[0]}'"
        keys = f"{', '.join(_REQUIRED)} and optionally {', '.join(_OPTIONAL)}"
        raise InputError(f"{where}: {problem}; keys: {keys}")
    entry = {**_OPTIONAL, **entry}
    where = f"{path}: region '{entry['id']}'"
    problems = {
        "id": not (isinstance(entry["id"], str) and _ID_PATTERN.fullmatch(entry["id"])),
        "code": not _is_text(entry["code"]),
        "kind": entry["kind"] not in KINDS,
        "name": not (isinstance(entry["name"], dict) and set(entry["name"]) == set(LANGS)
                     and all(map(_is_text, entry["name"].values()))),
        "municipalities": not (isinstance(entry["municipalities"], list) and entry["municipalities"]
                               and all(map(_is_text, entry["municipalities"]))),
        "nuts3": entry["nuts3"] is not None and not _is_text(entry["nuts3"]),
        "parent": entry["parent"] is not None and not _is_text(entry["parent"]),
        "forum": not isinstance(entry["forum"], bool),
        "parent of a maakunta": entry["kind"] == "maakunta" and entry["parent"] is not None,
    }
    allowed = {
        "id": "lower-case letters, digits and single hyphens", "code": "a non-empty code such as MK18",
        "kind": " or ".join(KINDS), "name": "a mapping with non-empty fi, sv and en names",
        "municipalities": "a non-empty list of municipality codes", "nuts3": "a code or null",
        "parent": "a region id or null", "forum": "true or false",
        "parent of a maakunta": "null",
    }
    for key, bad in problems.items():
        if bad:
            raise InputError(f"{where}: invalid {key} {entry.get(key.split()[0])!r}; allowed: {allowed[key]}")
    return entry


def _to_region(entry: dict) -> Region:
    return Region(id=entry["id"], code=entry["code"], kind=entry["kind"], nuts3=entry["nuts3"],
                  name=dict(entry["name"]), municipalities=tuple(entry["municipalities"]),
                  parent=entry["parent"], forum=entry["forum"])


def _check_registry(regions: list[tuple[Region, Path]]) -> None:
    """Unique ids and codes, known parents, municipalities that exist and lie in the right maakunta."""
    seen: dict[str, Path] = {}
    for region, path in regions:
        for label, key in (("id", region.id), ("code", region.code.lower())):
            if (label, key) in seen:
                raise InputError(f"{path}: duplicate region {label} '{key}' (already in {seen[label, key]})")
            seen[label, key] = path
    by_id = {region.id: region for region, _ in regions}
    region_of = load_municipalities().drop_duplicates("municipality_code").set_index("municipality_code")[
        "region_code"]
    for region, path in regions:
        home = _home_maakunta(region, by_id, path)
        for code in region.municipalities:
            if code not in region_of.index:
                raise InputError(f"{path}: region '{region.id}': unknown municipality '{code}'; "
                                 "allowed: the codes of params/data/municipalities.csv")
            if home is not None and region_of[code] != home.code:
                raise InputError(f"{path}: region '{region.id}': municipality '{code}' lies in "
                                 f"{region_of[code]}, not in {home.code} ({home.id})")


def _home_maakunta(region: Region, by_id: Mapping[str, Region], path: Path) -> Region | None:
    """The maakunta that must contain the region's municipalities (None: an area without a parent)."""
    if region.kind == "maakunta" or region.parent is None:
        return region if region.kind == "maakunta" else None
    parent = by_id.get(region.parent)
    if parent is None or parent.kind != "maakunta":
        known = ", ".join(r.id for r in by_id.values() if r.kind == "maakunta")
        raise InputError(f"{path}: region '{region.id}': parent '{region.parent}' is not a maakunta of the "
                         f"registry; known maakunnat: {known}")
    return parent


@functools.cache
def _load_cached(registry: Path, local: Path | None) -> dict[str, Region]:
    entries = [(entry, path) for path in (registry, local) if path is not None
               for entry in _read_yaml(path)]
    regions = [(_to_region(_check_entry(entry, path, i)), path) for i, (entry, path) in enumerate(entries)]
    _check_registry(regions)
    codes = {region.id: region.code for region, _ in regions}
    return {region.id: replace(region, parent_code=codes.get(region.parent)) for region, _ in regions}


def load_regions() -> dict[str, Region]:
    """All regions by id, in registry order (``regions.yaml``, then ``regions.local.yaml`` if present).

    Raises
    ------
    InputError
        If a registry file is malformed: unknown or missing keys, bad values, duplicate ids or codes,
        unknown parents, or municipalities that are not in ``params/data/municipalities.csv``.
    """
    directory = params_dir()
    local = directory / LOCAL_FILE
    return dict(_load_cached(directory / REGISTRY_FILE, local if local.exists() else None))


def clear_caches() -> None:
    """Forget the loaded registry (after editing it or changing ``FORUM_PARAMS_DIR``)."""
    _load_cached.cache_clear()


# ------------------------------------------------------------------------------------------ look-up


def get_region(name_or_code: str) -> Region:
    """The region with this id or official code, case-insensitively (``kainuu``, ``MK18``, ``sk111``).

    Raises
    ------
    InputError
        If no region matches; the message lists the known ids.
    """
    regions = load_regions()
    wanted = str(name_or_code).strip().lower()
    for region in regions.values():
        if wanted in (region.id, region.code.lower()):
            return region
    raise InputError(f"unknown region '{name_or_code}'; known: {', '.join(regions)}")


def resolve_regions(names: Sequence[str], all_: bool = False) -> list[Region]:
    """Regions named by id or code, without repeats, in the order given; all of them if ``all_``.

    With ``all_``, ``names`` is ignored and every region is returned in registry order.

    Raises
    ------
    InputError
        If a name is unknown, or no region is named and ``all_`` is False.
    """
    if all_:
        return list(load_regions().values())
    if isinstance(names, str):
        names = [names]
    if not names:
        raise InputError("no region given; name regions by id or code, or ask for all of them")
    resolved = {region.id: region for region in map(get_region, names)}
    return list(resolved.values())


def forum_regions() -> list[Region]:
    """The areas that hold a future forum, in registry order."""
    return [region for region in load_regions().values() if region.forum]


def maakunnat() -> list[Region]:
    """The maakunnat (regions) of Finland, in registry order."""
    return [region for region in load_regions().values() if region.kind == "maakunta"]
