"""Region registry: the areas the toolkit projects, with codes, names in fi/sv/en and municipalities.

The registry is ``params/regions.yaml`` (19 maakunnat and the four municipal forum areas), plus an
optional ``params/regions.local.yaml`` of the same schema for areas added locally. Both are read with
``yaml.safe_load`` and validated: unique ids and codes, known parents, and municipality codes that
exist in ``params/data/municipalities.csv`` and lie in the area's maakunta.

Built in besides the registry (:func:`areas`, level ``municipality``, ``subregion``, ``region``, ``area``):

* every **municipality** of the 2021 division (309, :func:`toolkit.io.municipal.municipality_key`), named by its
  code (``KU205``) or id (the Finnish name in lower case without diacritics, ``kajaani``; ``raahe-ku678`` where
  the plain id names a registry area);
* every **subregion** (seutukunta, 69), by code (``SK181``) or id (``kajaani-seutukunta``);
* **any area**: a set of municipalities joined with ``+`` (``Kajaani+Sotkamo``, ``KU205+KU765``; a part may also be
  a subregion), or a YAML file in ``params/areas/`` (``id``, ``name`` in fi/sv/en, ``municipalities``, optionally
  ``code`` and ``forum``).

A built-in municipality is named in Finnish and Swedish (``params/data/municipality_names.csv``; English uses the
Finnish name) and is also found by its Swedish name (``Helsingfors``); a subregion named after municipalities
takes their Swedish names in Swedish (``Kotka-Fredrikshamn``), any other keeps the shipped Finnish name. A
registry area and a built-in area with the same code are one area: ``KU109`` is the registry's ``hameenlinna``.
An area whose municipalities lie in several maakunnat takes as ``parent`` the maakunta of its largest
municipality (its rates are the municipalities' own, each from its maakunta).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.errors import InputError
from toolkit.io import municipal
from toolkit.io.municipal import harmonised_totals, load_subregions, municipality_key
from toolkit.io.params import load_municipalities, params_dir
from toolkit.io.yamlfiles import read_yaml
from toolkit.nomenclature import LANGS
from toolkit.text import t

KINDS = ("maakunta", "municipal_area")
LEVELS = ("region", "subregion", "municipality", "area")
AREAS_DIR = "areas"
_JOINED_ID = re.compile(r"ku\d{3}(-ku\d{3})+")  # id of an area joined on the command line: its codes
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
    level : ``"region"`` (a maakunta), ``"subregion"``, ``"municipality"`` or ``"area"`` (any other set of
        municipalities, the registry's municipal areas among them)
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
    level: str = "area"

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
    level = "region" if entry["kind"] == "maakunta" else (
        "subregion" if str(entry["code"]).startswith("SK") else (
            "municipality" if len(entry["municipalities"]) == 1 and entry["code"] == entry["municipalities"][0]
            else "area"))
    return Region(id=entry["id"], code=entry["code"], kind=entry["kind"], nuts3=entry["nuts3"],
                  name=dict(entry["name"]), municipalities=tuple(entry["municipalities"]),
                  parent=entry["parent"], forum=entry["forum"], level=level)


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
    _builtin_cached.cache_clear()
    municipal.clear_caches()


# ------------------------------------------------------------------------------------------ built-in areas

_TRANSLITERATE = str.maketrans({"ä": "a", "å": "a", "ö": "o", "é": "e", "ü": "u", "š": "s", "ž": "z"})


def slug(text: str) -> str:
    """The id form of a name: lower case, ä/å → a, ö → o, other runs of non-alphanumerics → one hyphen."""
    lowered = str(text).strip().lower().translate(_TRANSLITERATE)
    return re.sub(r"[^a-z0-9]+", "-", lowered).strip("-")


@functools.cache
def _builtin_cached(registry: Path, local: Path | None, areas_dir: Path | None) -> dict[str, Region]:
    """Municipalities and subregions (2021 division), then the areas of params/areas, by id."""
    registered = _load_cached(registry, local)
    by_code = {region.code.upper(): region for region in registered.values()}
    taken = set(registered)
    id_of_maakunta = {region.code: region.id for region in registered.values() if region.kind == "maakunta"}
    key = municipality_key()
    out: dict[str, Region] = {}

    def add(region: Region) -> None:
        out[region.id] = region

    for code, row in key.iterrows():
        if code in by_code:
            continue
        plain = slug(row["name"])
        region_id = plain if plain not in taken and plain not in out else f"{plain}-{code.lower()}"
        parent = id_of_maakunta[row["region_code"]]
        name = {"fi": row["name"], "sv": row["name_sv"], "en": row["name"]}
        add(Region(id=region_id, code=code, kind="municipal_area", nuts3=None, name=name,
                   municipalities=(code,), parent=parent, forum=False, parent_code=row["region_code"],
                   level="municipality"))
    names = load_subregions()
    swedish = dict(zip(key["name"], key["name_sv"], strict=True))
    for code, members in key.groupby("subregion_code"):
        if code in by_code:
            continue
        region_code = members["region_code"].iloc[0]
        label = names.get(code, code)
        own = {"fi": label, "sv": _swedish_subregion_name(label, swedish), "en": label}
        add(Region(id=f"{slug(label)}-seutukunta", code=code, kind="municipal_area", nuts3=None,
                   name={lang: t("areas.subregion", lang, name=own[lang]) for lang in LANGS},
                   municipalities=tuple(members.index), parent=id_of_maakunta[region_code], forum=False,
                   parent_code=region_code, level="subregion"))
    if areas_dir is not None:
        for path in sorted(areas_dir.glob("*.yaml")):
            area = _area_file(path, {**registered, **out})
            if area.id in registered or area.id in out:
                raise InputError(f"{path}: id '{area.id}' is already the id of another area; choose another id")
            add(area)
    return out


def _area_file(path: Path, known: Mapping[str, Region]) -> Region:
    """One area of ``params/areas/<id>.yaml``: ``name`` (fi/sv/en), ``municipalities`` (codes, ids or names), and
    optionally ``id`` (default: the file name), ``code`` (default: the codes joined with ``+``) and ``forum``."""
    document, _ = read_yaml(path, "area file")
    allowed = {"id", "code", "name", "municipalities", "forum"}
    if not isinstance(document, dict) or not {"name", "municipalities"} <= set(document) or set(document) - allowed:
        raise InputError(f"{path}: expected a mapping with keys name, municipalities and optionally id, code, forum")
    region_id = document.get("id", path.stem)
    name = document["name"]
    if not (isinstance(region_id, str) and _ID_PATTERN.fullmatch(region_id)):
        raise InputError(f"{path}: invalid id {region_id!r}; allowed: lower-case letters, digits and single hyphens")
    if not (isinstance(name, dict) and set(name) == set(LANGS) and all(map(_is_text, name.values()))):
        raise InputError(f"{path}: invalid name {name!r}; allowed: a mapping with non-empty fi, sv and en names")
    members = document["municipalities"]
    if not (isinstance(members, list) and members and all(isinstance(m, str | int) for m in members)):
        raise InputError(f"{path}: invalid municipalities {members!r}; allowed: a non-empty list of municipality "
                         "codes (KU205), ids or names")
    codes = _member_codes([str(m) for m in members], known, f"{path}: municipalities")
    forum = document.get("forum", False)
    if not isinstance(forum, bool):
        raise InputError(f"{path}: invalid forum {forum!r}; allowed: true or false")
    code = document.get("code", "+".join(codes))
    if not _is_text(code):
        raise InputError(f"{path}: invalid code {code!r}; allowed: a non-empty code such as KU205+KU765")
    return _area(region_id, code, name, codes, forum)


def _area(region_id: str, code: str, name: Mapping[str, str], codes: Sequence[str], forum: bool = False) -> Region:
    """An area of the given municipalities; its parent is their maakunta (that of the largest one if several)."""
    key = municipality_key()
    maakunnat = {region.code: region.id for region in _registry().values() if region.kind == "maakunta"}
    homes = key.loc[list(codes), "region_code"]
    if homes.nunique() == 1:
        home = homes.iloc[0]
    else:
        totals = harmonised_totals()
        latest = totals[(totals["sex"] == "T") & (totals["year"] == totals["year"].max())]
        size = latest.set_index("municipality_code")["population"].reindex(list(codes)).fillna(0.0)
        home = homes[size.idxmax()]
    return Region(id=region_id, code=code, kind="municipal_area", nuts3=None, name=dict(name),
                  municipalities=tuple(codes), parent=maakunnat[home], forum=forum, parent_code=home,
                  level="municipality" if len(codes) == 1 and code == codes[0] else "area")


def _member_codes(parts: Sequence[str], known: Mapping[str, Region], where: str) -> list[str]:
    """Municipality codes (2021 division) of parts that each name a municipality, a subregion or an area."""
    codes: list[str] = []
    for part in parts:
        region = _find(part, known)
        if region is None or region.kind == "maakunta":
            what = "a maakunta: name its municipalities instead" if region is not None else "unknown"
            raise InputError(f"{where}: '{part}' is {what}; allowed: municipality codes (KU205), municipality "
                             "names or ids (Kajaani), subregion codes (SK181) — see `forum regions --level "
                             "municipality`")
        codes += [code for code in region.municipalities if code not in codes]
    valid = set(municipality_key().index)
    for code in codes:
        if code not in valid:
            raise InputError(f"{where}: municipality '{code}' is not in the 2021 division (309 municipalities); "
                             "see `forum regions --level municipality`")
    return codes


def _swedish_subregion_name(name: str, swedish: Mapping[str, str]) -> str:
    """A subregion's Swedish name from its municipalities' (``swedish``: Finnish name → Swedish): the shipped key
    names subregions in Finnish only, most after their centres (Helsinki, Kotka-Hamina), so a name made of
    municipalities' names takes their Swedish names (Helsingfors, Kotka-Fredrikshamn); any other (Ylä-Savo,
    Kehys-Kainuu) stays as shipped."""
    parts = name.split("-")
    return "-".join(swedish[part] for part in parts) if all(part in swedish for part in parts) else name


def _find(name: str, known: Mapping[str, Region]) -> Region | None:
    wanted = str(name).strip().lower()
    if wanted in known:
        return known[wanted]
    for region in known.values():
        if wanted == region.code.lower():
            return region
    plain = slug(wanted)
    if plain in known:
        return known[plain]
    for region in known.values():  # a municipality's own name when its id carries its code (Raahe: raahe-ku678)
        if region.level == "municipality" and slug(region.name["fi"]) == plain:
            return region
    for region in known.values():  # its Swedish name (Helsingfors, Tavastehus)
        if region.level == "municipality" and slug(region.name["sv"]) == plain:
            return region
    return None


def _registry() -> dict[str, Region]:
    directory = params_dir()
    local = directory / LOCAL_FILE
    return _load_cached(directory / REGISTRY_FILE, local if local.exists() else None)


def builtin_areas() -> dict[str, Region]:
    """Every area besides the registry, by id: the 309 municipalities, the subregions and the areas of
    ``params/areas/`` (a municipality or subregion that the registry holds under its code is left out)."""
    directory = params_dir()
    local = directory / LOCAL_FILE
    areas_dir = directory / AREAS_DIR
    return dict(_builtin_cached(directory / REGISTRY_FILE, local if local.exists() else None,
                                areas_dir if areas_dir.is_dir() else None))


def _everything() -> dict[str, Region]:
    return {**_registry(), **builtin_areas()}


def areas(level: str) -> list[Region]:
    """The areas of one level: ``region`` (the 19 maakunnat), ``subregion`` (69), ``municipality`` (309, 2021
    division), ``area`` (the registry's municipal areas and those of ``params/areas/``), in code order (areas: in
    registry then file order). A registry area with a municipality's or subregion's code stands for it."""
    if level not in LEVELS:
        raise InputError(f"unknown level '{level}'; allowed: {', '.join(LEVELS)}")
    every = _everything().values()
    if level == "area":
        return [region for region in every if region.level == "area"]
    chosen = [region for region in every if region.level == level]
    return sorted(chosen, key=lambda region: region.code) if level != "region" else chosen


# ------------------------------------------------------------------------------------------ look-up


def get_region(name_or_code: str) -> Region:
    """The area with this id, code or name, case-insensitively: a registry area (``kainuu``, ``MK18``,
    ``sk111``), a municipality (``KU205``, ``kajaani``, ``Hämeenlinna``), a subregion (``SK181``), an area of
    ``params/areas/``, or municipalities joined with ``+`` (``Kajaani+Sotkamo``, ``KU205+KU765``).

    Raises
    ------
    InputError
        If no area matches; the message lists the registry's ids and where the others are listed.
    """
    if isinstance(name_or_code, Region):
        return name_or_code
    known = _everything()
    found = _find(name_or_code, known)
    if found is not None:
        return found
    text = str(name_or_code).strip()
    if _JOINED_ID.fullmatch(text.lower()):  # the id of a joined area: ku205-ku765
        text = text.replace("-", "+")
    if "+" in text:
        parts = [part for part in (p.strip() for p in text.split("+")) if part]
        codes = _member_codes(parts, known, f"area '{text}'")
        for region in known.values():  # the same municipalities as a named area: that area
            if region.kind != "maakunta" and set(region.municipalities) == set(codes):
                return region
        members = [known_by_code(code, known) for code in codes]
        joiner = {lang: t("areas.joined", lang) for lang in LANGS}
        name = {lang: joiner[lang].join(m.label(lang) for m in members) for lang in LANGS}
        return _area("-".join(code.lower() for code in codes), "+".join(codes), name, codes)
    raise InputError(f"unknown region '{name_or_code}'; known: {', '.join(_registry())}; also any municipality "
                     "(KU205, Kajaani), subregion (SK181) or municipalities joined with + (Kajaani+Sotkamo): see "
                     "`forum regions --level municipality|subregion`")


def known_by_code(code: str, known: Mapping[str, Region] | None = None) -> Region:
    """The municipality of this code (a registry area if the registry holds it under the code)."""
    known = _everything() if known is None else known
    for region in known.values():
        if region.code == code and region.kind != "maakunta":
            return region
    raise InputError(f"unknown municipality '{code}'; see `forum regions --level municipality`")


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
