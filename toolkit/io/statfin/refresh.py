"""Refresh ``params/data`` from Statistics Finland, and report where each file's figures come from.

:func:`refresh` fetches the tables of :data:`~toolkit.io.statfin.tables.TABLES` for regions or municipality sets,
aggregates municipalities to the area, validates the result with :func:`toolkit.io.params.validate_frame` and
replaces the files of ``params/data`` atomically (all files are checked before any is replaced). :func:`status`
lists each file's origin (shipped or refreshed), table and date.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import pandas as pd
import yaml

from toolkit.errors import InputError
from toolkit.io.files import replace_all
from toolkit.io.params import params_dir as default_params_dir
from toolkit.io.params import read_frame, typed_array, validate_frame
from toolkit.io.plausibility import check_migration
from toolkit.io.statfin.client import DEFAULT_BASE_URL, ClientOptions, PxWebClient
from toolkit.io.statfin.tables import MUNICIPAL_TABLES, TABLES, Area, TableSpec, fetch_table
from toolkit.nomenclature import COUNTRY_CODE, LANGS

REFRESH_RECORD = "statfin_refresh.json"
LOCAL_REGIONS = "regions.local.yaml"

# --------------------------------------------------------------------------------------------------
# Refresh
# --------------------------------------------------------------------------------------------------

@dataclass
class RefreshReport:
    """What a refresh fetched and wrote.

    Attributes
    ----------
    params_dir : the params directory written
    files : files replaced, in the order written
    tables : provenance of each fetched table (table, updated, fetched_at, rows, areas, file)
    new_regions : ids of areas added to ``regions.local.yaml``
    skipped : human-readable notes on figures not available for an area
    """

    params_dir: Path
    files: list[Path] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    new_regions: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the command line."""
        lines = [f"Statistics Finland refresh into {self.params_dir}:"]
        lines += [f"  {t['file']}: table {t['table']} (updated {t['updated'] or 'unknown'}), "
                  f"{t['rows']} rows for {', '.join(t['areas'])}" for t in self.tables]
        lines += [f"  new area in {LOCAL_REGIONS}: {region}" for region in self.new_regions]
        lines += [f"  note: {note}" for note in self.skipped]
        lines.append("Source: Statistics Finland (CC BY 4.0)")
        return "\n".join(lines)


def refresh(*, regions: Sequence = (), municipalities: Sequence[str] = (), registry: Mapping | None = None,
            to_dir: str | os.PathLike | None = None, base_url: str = DEFAULT_BASE_URL,
            cache_dir: str | os.PathLike | None = None, lang: str = "fi",
            **session_options) -> RefreshReport:
    """Fetch the base data of regions and/or one municipality set and write them into params/.

    Parameters
    ----------
    regions : areas of the registry (:class:`toolkit.regions.Region`, resolved by the caller)
    municipalities : municipality codes (``KU005``) forming one area; a set that is not a registry
        area is added to ``regions.local.yaml`` under the code ``KUaaa+KUbbb``
    registry : every area of the registry by id (needed with ``municipalities``: an existing area is reused,
        a new one gets its parent maakunta)
    to_dir : the params directory (default `toolkit.io.params.params_dir()`)
    base_url : PxWeb API root
    cache_dir : response cache (default ``$XDG_CACHE_HOME/futures-forum/statfin``)
    lang : language of the API URLs
    **session_options : fields of `ClientOptions` (min_interval, max_tries, backoff, timeout, ...)

    Returns
    -------
    RefreshReport

    Notes
    -----
    Population (11re, 31 Dec, single years of age by sex) and net migration (11ae) are sums over the
    area's municipalities; TFR (12du) and life expectancy (12an) are taken for maakunnat as published
    (they cannot be summed). The municipalities of a municipal area also get their own rows in
    ``municipality_population_2018_2019.csv`` (11re, single years by sex, from 2010) and
    ``municipality_migration_1990_2017.csv`` (11ae, intermunicipal in- and out-migration, net = in - out), so that
    municipal bases move to the latest year.
    When every maakunta of a file is refreshed, the whole country (SSS) is
    refreshed with them so that the regional sums still equal the country. All files are validated
    with `toolkit.io.params.validate_frame` before any is replaced; a failure changes nothing.
    """
    if not regions and not municipalities:
        raise InputError("refresh: give at least one region or municipality code")
    if municipalities and registry is None:
        raise InputError("refresh: a municipality set needs the registry of areas")
    unknown = set(session_options) - {f.name for f in fields(ClientOptions)}
    if unknown:
        raise InputError(f"refresh: unknown option(s) {sorted(unknown)}; allowed: "
                         f"{', '.join(f.name for f in fields(ClientOptions))}")
    params = Path(to_dir) if to_dir is not None else default_params_dir()
    client = PxWebClient(base_url, lang=lang, cache_dir=_default_cache(cache_dir),
                         options=replace(ClientOptions(), **session_options))
    report = RefreshReport(params)
    areas, local_entry = _resolve_areas(client, regions, municipalities, registry)
    merged = {}
    for kind in TABLES:  # fetch everything first: a failing server stops before any check or write
        path = params / "data" / f"{kind}.csv"
        existing = _read_existing(path)
        kind_areas = _with_country(areas, existing)
        frame, provenance = fetch_table(client, kind, kind_areas)
        report.skipped += [f"{kind}: no figures for {a.code} (table {TABLES[kind].table} is by maakunta)"
                           for a in kind_areas if a.code not in provenance["areas"]]
        if provenance["areas"]:
            merged[kind] = (path, _merge(existing, frame, provenance["areas"], TABLES[kind]))
            report.tables.append({**provenance, "file": path.name, "rows": len(frame)})
    merged.update(_fetch_municipal(client, params, areas, report))
    if not merged or not any(table["rows"] for table in report.tables):
        asked = ", ".join(area.code for area in areas) or "(none)"
        raise InputError(f"refresh: the tables have no figures for {asked}; check the region or municipality "
                         "codes (`forum regions`); nothing was changed")
    for kind, (path, frame) in merged.items():
        validate_frame(kind, frame, path)  # ranges, sums and year-to-year plausibility (toolkit.io.catalogue)
    check_refreshed_migration(params, merged)
    outputs = {path: frame.to_csv(index=False, lineterminator="\n") for path, frame in merged.values()}
    if local_entry is not None:
        outputs[params / LOCAL_REGIONS] = _local_regions_text(params, local_entry)
        report.new_regions.append(local_entry["id"])
    outputs[params / "data" / REFRESH_RECORD] = _record_text(params, report.tables)
    report.files = replace_all(outputs)
    return report


def _fetch_municipal(client: PxWebClient, params: Path, areas: Sequence[Area], report: RefreshReport) -> dict:
    """The municipal files (:data:`MUNICIPAL_TABLES`) with the rows of every municipality of the municipal areas
    refreshed: kind -> (path, merged frame)."""
    codes = sorted({code for area in areas if area.kind == "municipal_area" for code in area.municipalities})
    if not codes:
        return {}
    merged = {}
    for kind, spec in MUNICIPAL_TABLES.items():
        path = params / "data" / f"{kind}.csv"
        frame, provenance = fetch_table(client, kind, [Area(code, (code,), "municipality") for code in codes], spec)
        merged[kind] = (path, _merge(_read_existing(path, spec), frame, provenance["areas"], spec, by_year=True))
        report.tables.append({**provenance, "file": path.name, "rows": len(frame)})
    return merged


def check_refreshed_migration(params: Path, merged: Mapping) -> None:
    """The cross-file checks of :func:`toolkit.io.plausibility.check_migration` on the files as they would be written
    (refreshed tables merged into the others), before anything is replaced."""
    arrays = {}
    for kind in ("population", "net_migration_total", "net_migration_age5"):
        if kind in merged:
            path, frame = merged[kind]
            arrays[kind] = typed_array(kind, frame, path)
        else:
            path = params / "data" / f"{kind}.csv"
            arrays[kind] = typed_array(kind, read_frame(kind, path), path)
    check_migration(arrays["population"], arrays["net_migration_total"], arrays["net_migration_age5"],
                    folder=params / "data")


def _default_cache(cache_dir) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "futures-forum" / "statfin"


def _resolve_areas(client: PxWebClient, regions: Sequence, municipalities: Sequence[str],
                   registry: Mapping) -> tuple[list[Area], dict | None]:
    """Areas to refresh and, for a new municipality set, its regions.local.yaml entry."""
    found = list(regions)
    local_entry = None
    if municipalities:
        codes = tuple(dict.fromkeys(code.strip().upper() for code in municipalities))
        bad = [code for code in codes if not re.fullmatch(r"KU\d{3}", code)]
        if bad:
            raise InputError(f"municipality codes {bad} are not of the form KUnnn (e.g. KU109)")
        match = next((r for r in registry.values() if set(r.municipalities) == set(codes)), None)
        if match is not None:
            found.append(match)
        else:
            local_entry = _local_entry(client, codes, registry)
            found.append(_area_from_entry(local_entry))
    unique = {region.code: region for region in found}
    return [Area(r.code, tuple(r.municipalities), r.kind) for r in unique.values()], local_entry


def _area_from_entry(entry: dict):
    return Area(entry["code"], tuple(entry["municipalities"]), entry["kind"])


def _local_entry(client: PxWebClient, codes: tuple[str, ...], registry: Mapping) -> dict:
    """A registry entry (regions.yaml schema) for a municipality set, named from StatFin's labels."""
    spec = TABLES["population"]
    names = {}
    for lang in LANGS:
        labels = client.metadata(spec.path, lang).labels(spec.area)
        missing = [code for code in codes if code not in labels]
        if missing:
            raise InputError(f"municipalities {missing} are not in StatFin table {spec.table}")
        names[lang] = " + ".join(_strip_code(labels[code]) for code in codes)
    parents = [r.id for r in registry.values()
               if r.kind == "maakunta" and set(codes) <= set(r.municipalities)]
    if len(parents) != 1:
        raise InputError(f"municipalities {list(codes)} are not all in one maakunta of the registry; "
                         "an area must lie within one maakunta (its parent)")
    code = "+".join(codes)
    if any(r.code == code for r in registry.values()):
        raise InputError(f"area code {code} is already in the registry")
    return {"id": _slug(names["fi"]), "code": code, "kind": "municipal_area", "nuts3": None,
            "name": names, "municipalities": list(codes), "parent": parents[0],
            "forum": False}


def _strip_code(label: str) -> str:
    return re.sub(r"^(KU|MK|SK)\d+\s+", "", label).strip()


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _read_existing(path: Path, spec: TableSpec | None = None) -> pd.DataFrame | None:
    if not path.exists():
        return None
    area = "region_code" if spec is None else spec.columns[0]
    return pd.read_csv(path, dtype={area: str, "sex": str}, keep_default_na=False)


def _with_country(areas: list[Area], existing: pd.DataFrame | None) -> list[Area]:
    """Add SSS when the refresh covers every maakunta of the file, so that regions still sum to it."""
    if existing is None:
        return areas
    file_regions = {code for code in existing["region_code"].unique() if code.startswith("MK")}
    refreshed = {area.code for area in areas}
    if file_regions and file_regions <= refreshed and COUNTRY_CODE not in refreshed:
        return [*areas, Area(COUNTRY_CODE, (COUNTRY_CODE,), "country")]
    return areas


def _merge(existing: pd.DataFrame | None, fetched: pd.DataFrame, codes: Sequence[str],
           spec: TableSpec, by_year: bool = False) -> pd.DataFrame:
    """The file's rows with those of the refreshed area codes replaced by the fetched rows; ``by_year``: only the
    years fetched are replaced (a municipal file keeps a municipality's other years, e.g. those published in an
    earlier division)."""
    if existing is None:
        return fetched.reset_index(drop=True)
    replaced = existing[spec.columns[0]].isin(codes)
    if by_year:
        year = spec.columns[1]
        fetched_keys = pd.MultiIndex.from_frame(fetched[[spec.columns[0], year]].drop_duplicates())
        replaced = pd.MultiIndex.from_frame(existing[[spec.columns[0], year]]).isin(fetched_keys)
    kept = existing[~replaced]
    merged = pd.concat([kept, fetched[list(existing.columns)]], ignore_index=True)
    return merged.sort_values(list(spec.columns[:-1]), kind="stable").reset_index(drop=True)


def _local_regions_text(params: Path, entry: dict) -> str:
    """regions.local.yaml with `entry` added (same top-level shape as params/regions.yaml)."""
    path = params / LOCAL_REGIONS
    current = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    template = yaml.safe_load((params / "regions.yaml").read_text(encoding="utf-8")) \
        if (params / "regions.yaml").exists() else None
    doc = current if current is not None else ({"regions": []} if isinstance(template, dict) else [])
    entries = doc["regions"] if isinstance(doc, dict) else doc
    entries[:] = [e for e in entries if e.get("code") != entry["code"]] + [entry]
    header = "# Areas added by the Statistics Finland loader (toolkit.io.statfin.refresh).\n"
    return header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def _record_text(params: Path, tables: list[dict]) -> str:
    """statfin_refresh.json updated with `tables`: file → region code → provenance of its figures."""
    path = params / "data" / REFRESH_RECORD
    record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for entry in tables:
        per_file = record.setdefault(entry["file"], {})
        for code in entry["areas"]:
            per_file[code] = {key: entry[key] for key in ("table", "path", "url", "updated", "fetched_at")}
    return json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# --------------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------------

def status(params_dir: str | os.PathLike | None = None) -> list[dict]:
    """Which figures of the refreshable files come from which table and date.

    Returns
    -------
    One dict per file and origin: ``file``, ``origin`` (``"shipped"`` or ``"refreshed"``),
    ``regions`` (codes), ``table``, ``updated``, ``fetched_at`` (None for the shipped snapshot),
    ``reference`` (the reference dates: the ``Reference date`` line of SOURCES.md for the shipped snapshot, the
    first and last year of the refreshed regions' rows when refreshed) and ``source`` (the file's line in
    SOURCES.md for the shipped snapshot, the table URL when refreshed).
    """
    params = Path(params_dir) if params_dir is not None else default_params_dir()
    record_path = params / "data" / REFRESH_RECORD
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
    sources = _sources_lines(params / "data" / "SOURCES.md")
    references = _reference_dates(params / "data" / "SOURCES.md")
    rows = []
    for kind, spec in {**TABLES, **MUNICIPAL_TABLES}.items():
        name = f"{kind}.csv"
        existing = _read_existing(params / "data" / name, spec)
        codes = sorted(existing[spec.columns[0]].unique()) if existing is not None else []
        refreshed = record.get(name, {})
        shipped = [code for code in codes if code not in refreshed]
        if shipped:  # the shipped snapshot's own table (SOURCES.md), which may differ from the refresh's
            own = re.search(r"StatFin (\w+)", sources.get(name, ""))
            rows.append({"file": name, "origin": "shipped", "regions": shipped,
                         "table": own.group(1) if own else spec.table,
                         "updated": None, "fetched_at": None, "source": sources.get(name, ""),
                         "reference": references.get(name, "")})
        for row in _refreshed_rows(name, refreshed):
            row["reference"] = _year_range(existing, row["regions"], spec.columns[0])
            rows.append(row)
    return rows


def _year_range(frame, codes, code_column: str) -> str:
    """``first ... last`` year of the rows of ``codes`` (in ``code_column``: a region's or a municipality's code) in
    a file's table ('' if it has no year column)."""
    if frame is None:
        return ""
    column = next((name for name in ("year", "period_end_year") if name in frame.columns), None)
    if column is None:
        return ""
    years = frame.loc[frame[code_column].isin(codes), column]
    return f"{int(years.min())} ... {int(years.max())}" if len(years) else ""


def _reference_dates(path: Path) -> dict[str, str]:
    """File name → the ``Reference date`` line of its section in SOURCES.md."""
    if not path.exists():
        return {}
    found, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = next((f"{kind}.csv" for kind in {**TABLES, **MUNICIPAL_TABLES} if f"`{kind}.csv`" in line), None)
        elif current and line.startswith("* Reference date:") and current not in found:
            found[current] = line.split(":", 1)[1].strip()
    return found


def _refreshed_rows(name: str, refreshed: Mapping[str, dict]) -> list[dict]:
    """One row per fetch (same table, updated and time), listing the regions it gave."""
    groups: dict[tuple, list[str]] = {}
    for code, entry in sorted(refreshed.items()):
        key = (entry["table"], entry["updated"], entry["fetched_at"], entry["url"])
        groups.setdefault(key, []).append(code)
    return [{"file": name, "origin": "refreshed", "regions": codes, "table": table, "updated": updated,
             "fetched_at": fetched_at, "source": url}
            for (table, updated, fetched_at, url), codes in groups.items()]


def _sources_lines(path: Path) -> dict[str, str]:
    """File name → the first line of SOURCES.md that names it."""
    if not path.exists():
        return {}
    lines = path.read_text(encoding="utf-8").splitlines()
    return {f"{kind}.csv": next((line.strip() for line in lines if f"{kind}.csv" in line), "")
            for kind in {**TABLES, **MUNICIPAL_TABLES}}
