"""Statistics Finland PxWeb loader: fetch, check and write the base data of `params/data/`.

Statistics Finland publishes StatFin through the PxWeb API (v1): ``GET {base}/{lang}/StatFin/{table}``
returns the table's metadata (variables, value codes and labels), ``GET`` on the table's folder lists the
tables with their ``updated`` time, and ``POST`` of a query with ``"response": {"format": "json-stat2"}``
returns the selected cells as a JSON-stat 2.0 dataset.

The module has three layers:

* `PxWebClient`: polite HTTP (a minimum interval between requests, retries with exponential back-off on
  429/5xx/time-outs honouring ``Retry-After``, a maximum number of tries) and an on-disk cache of query
  responses keyed by URL, query and the table's ``updated`` time;
* `jsonstat_to_frame`: JSON-stat 2.0 → tidy `pandas.DataFrame`;
* `refresh` / `status`: fetch the tables of `TABLES` for regions or municipality sets, aggregate
  municipalities to the area, validate with `toolkit.data.validate_frame` and replace the files of
  ``params/data`` atomically (all files are checked before any is replaced).

Every table id and variable code used lives in `TABLES`, so a renamed table is a one-line fix.
Figures fetched are official statistics: "Source: Statistics Finland, <table>" (CC BY 4.0).
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import os
import re
import socket
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from toolkit.errors import InputError

DEFAULT_BASE_URL = "https://pxdata.stat.fi/PxWeb/api/v1"
DATABASE = "StatFin"
LANGS = ("fi", "sv", "en")
REFRESH_RECORD = "statfin_refresh.json"
LOCAL_REGIONS = "regions.local.yaml"
TOTAL_CODE = "SSS"
SEX_CODES = {"1": "M", "2": "F"}  # Statistics Finland: 1 = males, 2 = females, SSS = total


@dataclass(frozen=True)
class TableSpec:
    """Where one base-data file comes from: a StatFin table and the codes of its variables.

    Attributes
    ----------
    table : the table id (e.g. ``"11re"``), as cited in provenance
    path : the table's path under ``StatFin/`` (folder and file name)
    columns : the columns of the file written (docs/conventions.md)
    value_column : the column that receives the table's figures
    area : code of the area variable
    area_level : ``"municipality"`` (areas are sums of ``KUnnn`` cells; only for additive counts) or
        ``"region"`` (maakunta ``MKnn`` cells are taken as published)
    year : code of the time variable; a period such as ``2022-2024`` is read as its last year
    measure : code of the contents variable and the value code wanted (``None``: the only value)
    first_year : first year fetched
    sex, age : codes of the sex and single-year age variables, if the table has them
    """

    table: str
    path: str
    columns: tuple[str, ...]
    value_column: str
    area: str
    area_level: str
    year: str
    measure: tuple[str, str | None]
    first_year: int
    sex: str | None = None
    age: str | None = None


#: Every StatFin table and variable code the loader uses (file stem → table).
TABLES: dict[str, TableSpec] = {
    "population": TableSpec(
        table="11re", path="vaerak/11re.px",
        columns=("region_code", "year", "sex", "age", "population"), value_column="population",
        area="Alue", area_level="municipality", year="Vuosi", measure=("Tiedot", "vaesto"),
        first_year=2010, sex="Sukupuoli", age="Ikä",
    ),
    "net_migration_total": TableSpec(
        table="11ae", path="muutl/11ae.px",
        columns=("region_code", "year", "net_migration"), value_column="net_migration",
        area="Alue", area_level="municipality", year="Vuosi", measure=("Tiedot", "koknetmuutto"),
        first_year=1990,
    ),
    "tfr": TableSpec(
        table="12du", path="synt/12du.px",
        columns=("region_code", "year", "tfr"), value_column="tfr",
        area="Maakunta", area_level="region", year="Vuosi", measure=("Tiedot", "tfr"), first_year=1990,
    ),
    "life_expectancy": TableSpec(
        table="12an", path="kuol/12an.px",
        columns=("region_code", "period_end_year", "sex", "e0"), value_column="e0",
        area="Maakunta", area_level="region", year="Vuosi", measure=("Tiedot", None), first_year=1992,
        sex="Sukupuoli",
    ),
}


# --------------------------------------------------------------------------------------------------
# HTTP client
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientOptions:
    """How politely and how persistently the client talks to the server.

    Attributes
    ----------
    min_interval : minimum time between two requests [s]; StatFin allows about 30 queries per 10 s
    max_tries : attempts per request before giving up
    backoff : wait before the second attempt [s]; doubled after each failure
    max_backoff : longest wait between attempts [s], also the cap on a server's ``Retry-After``
    timeout : socket time-out of one request [s]
    max_cells : most cells asked for in one query; larger selections are split by area
    clock, sleep : time source [s] and sleeper (replaceable in tests)
    """

    min_interval: float = 0.5
    max_tries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    timeout: float = 60.0
    max_cells: int = 100_000
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class _Retryable(Exception):
    """A failure worth another try; `wait` is the server's Retry-After [s], if it gave one."""

    def __init__(self, message: str, wait: float | None = None):
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True)
class TableMetadata:
    """Metadata of one PxWeb table.

    Attributes
    ----------
    path : the table's path under ``StatFin/``
    title : the table's title in the metadata language
    variables : variable code → {"values": [...], "labels": [...], "elimination": bool, "time": bool}
    updated : when the table was last updated (ISO 8601 text from the folder listing), or None
    """

    path: str
    title: str
    variables: dict[str, dict]
    updated: str | None

    def values(self, variable: str) -> list[str]:
        """Value codes of `variable`; InputError naming the table and the codes it has if unknown."""
        if variable not in self.variables:
            raise InputError(
                f"StatFin table {self.path} has no variable '{variable}'; it has {sorted(self.variables)} "
                "(update toolkit.statfin.TABLES)"
            )
        return self.variables[variable]["values"]

    def labels(self, variable: str) -> dict[str, str]:
        """Value code → label of `variable`."""
        return dict(zip(self.values(variable), self.variables[variable]["labels"], strict=True))


class PxWebClient:
    """A small, polite client of a PxWeb v1 API.

    Parameters
    ----------
    base_url : API root up to and excluding the language, e.g. `DEFAULT_BASE_URL`
    lang : language of the URLs (``fi``, ``sv`` or ``en``)
    cache_dir : directory of the response cache; None disables the cache
    options : `ClientOptions`
    """

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, lang: str = "fi",
                 cache_dir: str | os.PathLike | None = None, options: ClientOptions | None = None):
        if lang not in LANGS:
            raise InputError(f"PxWeb language '{lang}' is not allowed; use one of {', '.join(LANGS)}")
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.options = options or ClientOptions()
        self.requests_made = 0
        self._last_request: float | None = None
        self._metadata: dict[tuple[str, str], TableMetadata] = {}

    def url(self, path: str = "", lang: str | None = None) -> str:
        """Full URL of a folder or table `path` under ``StatFin/``."""
        return "/".join(part for part in (self.base_url, lang or self.lang, DATABASE, path) if part)

    def metadata(self, path: str, lang: str | None = None) -> TableMetadata:
        """Variables, value codes, labels and ``updated`` time of the table at `path` (memoised)."""
        key = (path, lang or self.lang)
        if key not in self._metadata:
            doc = self._request_json(self.url(path, key[1]))
            folder, _, name = path.rpartition("/")
            listing = self._request_json(self.url(folder, key[1]))
            items = listing if isinstance(listing, list) else []
            updated = next((item.get("updated") for item in items if item.get("id") == name), None)
            self._metadata[key] = TableMetadata(path, doc.get("title", ""), _variables(doc, path), updated)
        return self._metadata[key]

    def query(self, path: str, selection: Mapping[str, Sequence[str] | str],
              updated: str | None = None) -> dict:
        """POST a query and return the JSON-stat 2.0 dataset, from the cache when it is there.

        Parameters
        ----------
        path : the table's path under ``StatFin/``
        selection : variable code → value codes, or ``"all"``
        updated : the table's ``updated`` time; part of the cache key so that a new release is fetched
        """
        url = self.url(path)
        body = build_query(selection)
        cache_file = self._cache_file(url, body, updated)
        if cache_file is not None and cache_file.exists():
            return json.loads(cache_file.read_text(encoding="utf-8"))
        doc = self._request_json(url, body)
        if cache_file is not None:
            _write_atomic(cache_file, json.dumps(doc, ensure_ascii=False))
        return doc

    def _cache_file(self, url: str, body: dict, updated: str | None) -> Path | None:
        if self.cache_dir is None:
            return None
        key = json.dumps([url, body, updated], sort_keys=True, ensure_ascii=False)
        return self.cache_dir / f"{hashlib.sha256(key.encode()).hexdigest()}.json"

    def _request_json(self, url: str, body: dict | None = None):
        """One JSON request with rate limit and retries; InputError after the last try."""
        error: Exception | None = None
        for attempt in range(self.options.max_tries):
            if attempt:
                self.options.sleep(self._backoff(attempt, getattr(error, "wait", None)))
            try:
                return json.loads(self._send(url, body))
            except _Retryable as exc:
                error = exc
        raise InputError(f"Statistics Finland PxWeb: {url} failed after {self.options.max_tries} tries "
                         f"({error}); nothing was changed")

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        wait = retry_after if retry_after is not None else self.options.backoff * 2 ** (attempt - 1)
        return min(wait, self.options.max_backoff)

    def _send(self, url: str, body: dict | None) -> bytes:
        self._wait_turn()
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": "futures-forum-toolkit"})
        self.requests_made += 1
        try:
            with urllib.request.urlopen(request, timeout=self.options.timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise _Retryable(f"HTTP {exc.code}", _retry_after(exc.headers.get("Retry-After"))) from exc
            raise InputError(f"Statistics Finland PxWeb: {url} answered HTTP {exc.code} {exc.reason} "
                             "(a renamed table or variable? see toolkit.statfin.TABLES)") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                # nothing listens there or the name does not resolve (offline): an answer, not a hiccup
                raise InputError(f"Statistics Finland PxWeb: cannot reach {url} ({exc.reason}); check the network "
                                 "connection; nothing was changed") from None
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._last_request = self.options.clock()
        try:
            json.loads(payload)
        except ValueError as exc:
            raise _Retryable(f"incomplete or invalid JSON ({len(payload)} bytes)") from exc
        return payload

    def _wait_turn(self) -> None:
        if self._last_request is not None:
            wait = self._last_request + self.options.min_interval - self.options.clock()
            if wait > 0:
                self.options.sleep(wait)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay in seconds or an HTTP date) [s]."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _variables(doc: dict, path: str) -> dict[str, dict]:
    try:
        return {
            var["code"]: {
                "values": list(var["values"]),
                "labels": list(var.get("valueTexts", var["values"])),
                "elimination": bool(var.get("elimination", False)),
                "time": bool(var.get("time", False)),
            }
            for var in doc["variables"]
        }
    except (KeyError, TypeError) as exc:
        raise InputError(f"Statistics Finland PxWeb: metadata of {path} is not PxWeb table metadata "
                         f"(missing {exc})") from exc


def build_query(selection: Mapping[str, Sequence[str] | str]) -> dict:
    """PxWeb query asking for json-stat2: variable code → value codes, or ``"all"`` for every value."""
    query = []
    for code, values in selection.items():
        if isinstance(values, str):
            if values != "all":
                raise InputError(f"selection of '{code}': '{values}' is not allowed; give codes or 'all'")
            query.append({"code": code, "selection": {"filter": "all", "values": ["*"]}})
        else:
            query.append({"code": code, "selection": {"filter": "item", "values": list(values)}})
    return {"query": query, "response": {"format": "json-stat2"}}


def _write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same directory and os.replace."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.replace(_write_temp(path, text), path)


def _write_temp(path: Path, text: str) -> Path:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    return Path(name)


# --------------------------------------------------------------------------------------------------
# JSON-stat 2.0
# --------------------------------------------------------------------------------------------------

def jsonstat_to_frame(doc: Mapping, *, labels: bool = False) -> pd.DataFrame:
    """Tidy table of a JSON-stat 2.0 dataset.

    Parameters
    ----------
    doc : the parsed JSON-stat document (``class`` ``"dataset"``)
    labels : add a ``<dimension>_label`` column after each dimension's code column

    Returns
    -------
    DataFrame with one column of category codes per dimension (in ``id`` order), ``value`` (float,
    NaN where the dataset has no figure) and ``status`` (None where none is given), one row per cell in
    row-major order of ``id`` and ``size`` (the last dimension varies fastest).
    """
    if doc.get("class") != "dataset" or "id" not in doc or "size" not in doc:
        raise InputError("JSON-stat: expected a dataset with 'id' and 'size' (version 2.0)")
    ids, sizes = list(doc["id"]), [int(n) for n in doc["size"]]
    categories = [_category_codes(doc["dimension"][dim], dim, n) for dim, n in zip(ids, sizes, strict=True)]
    n_cells = int(np.prod(sizes, dtype=np.int64))
    frame = pd.MultiIndex.from_product(categories, names=ids).to_frame(index=False)
    frame["value"] = _cell_array(doc.get("value"), n_cells, float, "value")
    frame["status"] = _cell_array(doc.get("status"), n_cells, object, "status")
    if labels:
        for position, dim in enumerate(ids):
            label = doc["dimension"][dim]["category"].get("label", {})
            frame.insert(2 * position + 1, f"{dim}_label", frame[dim].map(lambda c, lab=label: lab.get(c, c)))
    return frame


def _category_codes(dimension: Mapping, dim: str, size: int) -> list[str]:
    category = dimension.get("category", {})
    index = category.get("index")
    if index is None:  # allowed for a single category: the label's key is the code
        codes = list(category.get("label", {}))
    elif isinstance(index, Mapping):
        codes = sorted(index, key=index.__getitem__)
    else:
        codes = list(index)
    if len(codes) != size:
        raise InputError(f"JSON-stat: dimension '{dim}' has {len(codes)} categories but size {size}")
    return [str(code) for code in codes]


def _cell_array(cells, n_cells: int, dtype, name: str) -> np.ndarray:
    """Dense array of `n_cells` from a JSON-stat list, sparse dict (position → cell) or single value."""
    fill = np.nan if dtype is float else None
    out = np.full(n_cells, fill, dtype=dtype)
    if cells is None:
        return out
    if isinstance(cells, Mapping):
        positions = np.array([int(key) for key in cells], dtype=np.int64)
        if positions.size and (positions.min() < 0 or positions.max() >= n_cells):
            raise InputError(f"JSON-stat: '{name}' has a position outside 0..{n_cells - 1}")
        out[positions] = [fill if cell is None else cell for cell in cells.values()]
    elif isinstance(cells, list):
        if len(cells) != n_cells:
            raise InputError(f"JSON-stat: '{name}' has {len(cells)} cells, the sizes give {n_cells}")
        out[:] = [fill if cell is None else cell for cell in cells]
    else:  # one status for every cell
        out[:] = cells
    return out


# --------------------------------------------------------------------------------------------------
# Tables → tidy base data
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Area:
    """An area to refresh: its code in params/data and the StatFin cells that make it up.

    Attributes
    ----------
    code : region code written to the files (``MK18``, ``KU109``, ``KU743+KU145``, ``SSS``)
    municipalities : municipality codes (``KUnnn``) summed for additive tables; the code itself for SSS
    kind : ``"maakunta"``, ``"municipal_area"`` or ``"country"``
    """

    code: str
    municipalities: tuple[str, ...]
    kind: str


def fetch_table(client: PxWebClient, kind: str, areas: Sequence[Area]) -> tuple[pd.DataFrame, dict]:
    """Fetch the table behind file `kind` for `areas`: the tidy rows and their provenance.

    Municipality-level tables are summed over each area's municipalities; region-level tables give
    figures only for maakunnat and the country (other areas are skipped, see the provenance).

    Returns
    -------
    (frame with the file's columns, provenance dict: table, path, url, updated, fetched_at, areas)
    """
    spec = TABLES[kind]
    areas = [area for area in areas if spec.area_level == "municipality" or area.kind != "municipal_area"]
    if not areas:
        return pd.DataFrame(columns=list(spec.columns)), {"table": spec.table, "areas": []}
    meta = client.metadata(spec.path)
    members = {area.code: _cells_of(area, spec, meta) for area in areas}
    _check_codes(meta, spec, [code for cells in members.values() for code in cells])
    selection = _selection(meta, spec)
    cells = sorted({code for codes in members.values() for code in codes})
    raw = pd.concat([
        jsonstat_to_frame(client.query(spec.path, {spec.area: chunk, **selection}, meta.updated))
        for chunk in _chunks(cells, _cells_per_code(selection), client.options.max_cells)
    ], ignore_index=True)
    tidy = _tidy(raw, spec, members, meta.path)
    provenance = {"table": spec.table, "path": spec.path, "url": client.url(spec.path),
                  "updated": meta.updated, "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
                  "areas": [area.code for area in areas]}
    return tidy, provenance


def _cells_of(area: Area, spec: TableSpec, meta: TableMetadata) -> tuple[str, ...]:
    """Codes of the table's cells that make up `area`.

    A maakunta of the registry lists every municipality of its history (e.g. KU099 Honkajoki, merged
    into Kankaanpää in 2021); StatFin restates past years in the current division, so codes that are no
    longer in the table are covered by their successors and left out. Codes of other areas must exist.
    """
    if area.kind == "country" or spec.area_level == "region":
        return (area.code,)
    if area.kind == "maakunta":
        current = set(meta.values(spec.area))
        return tuple(code for code in area.municipalities if code in current)
    return area.municipalities


def _check_codes(meta: TableMetadata, spec: TableSpec, codes: Iterable[str]) -> None:
    known = set(meta.values(spec.area))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise InputError(f"StatFin table {spec.table}: area codes {unknown} are not in variable "
                         f"'{spec.area}' (e.g. {sorted(known)[:3]})")


def _selection(meta: TableMetadata, spec: TableSpec) -> dict[str, list[str]]:
    """Query selection of every variable but the area: years, sexes, ages, the measure, fixed rest."""
    measure, wanted = spec.measure
    measures = meta.values(measure)
    if wanted is None and len(measures) != 1:
        raise InputError(f"StatFin table {spec.table}: choose one of {measures} for '{measure}' in "
                         "toolkit.statfin.TABLES")
    if wanted is not None and wanted not in measures:
        raise InputError(f"StatFin table {spec.table}: '{measure}' has no value '{wanted}'; "
                         f"it has {measures}")
    selection = {measure: [wanted or measures[0]],
                 spec.year: [y for y in meta.values(spec.year) if _year(y) >= spec.first_year]}
    if spec.sex:
        selection[spec.sex] = [code for code in meta.values(spec.sex) if code in SEX_CODES]
    if spec.age:
        selection[spec.age] = [code for code in meta.values(spec.age) if code != TOTAL_CODE]
    for code, var in meta.variables.items():
        if code in selection or code == spec.area or var["elimination"]:
            continue
        if len(var["values"]) != 1:
            raise InputError(f"StatFin table {spec.table}: variable '{code}' needs a selection "
                             f"(values {var['values'][:5]}...); add it to toolkit.statfin.TABLES")
        selection[code] = var["values"]
    return selection


def _cells_per_code(selection: Mapping[str, Sequence[str]]) -> int:
    return int(np.prod([len(values) for values in selection.values()], dtype=np.int64))


def _chunks(codes: list[str], cells_per_code: int, max_cells: int) -> list[list[str]]:
    """Split area codes so that no query asks for more than `max_cells` cells."""
    size = max(1, max_cells // max(cells_per_code, 1))
    return [codes[start:start + size] for start in range(0, len(codes), size)]


def _year(code: str) -> int:
    """Year of a time code: ``2024`` → 2024, a period ``2022-2024`` → its last year."""
    years = re.findall(r"\d{4}", code)
    if not years:
        raise InputError(f"StatFin time code '{code}' has no year")
    return int(years[-1])


def _age(code: str) -> int:
    """Completed years of an age code: ``000`` → 0, ``100-`` → 100 (the open group)."""
    match = re.match(r"\s*(\d+)", code)
    if match is None:
        raise InputError(f"StatFin age code '{code}' is not a single year of age")
    return int(match.group(1))


def _tidy(raw: pd.DataFrame, spec: TableSpec, members: Mapping[str, Sequence[str]],
          path: str) -> pd.DataFrame:
    """Raw JSON-stat cells → the file's columns, summed over each area's municipalities.

    A cell without a figure stops a sum over municipalities (InputError naming it); in a table by
    maakunta it only leaves that row out.
    """
    missing = raw["value"].isna()
    if missing.any() and spec.area_level == "municipality":
        cell = raw[missing].iloc[0]
        raise InputError(f"StatFin table {spec.table} ({path}) has no figure for "
                         f"{dict(cell.drop(['value', 'status']))} (status {cell['status']!r}); "
                         f"{int(missing.sum())} cell(s) missing, cannot sum the area")
    raw = raw[~missing]
    area_of = pd.DataFrame([(code, cell) for code, cells in members.items() for cell in cells],
                           columns=["region_code", spec.area])
    frame = raw.merge(area_of, on=spec.area)
    out = pd.DataFrame({"region_code": frame["region_code"]})
    out[spec.columns[1]] = frame[spec.year].map(_year).astype("int64")
    if spec.sex:
        out["sex"] = frame[spec.sex].map(SEX_CODES)
    if spec.age:
        out["age"] = frame[spec.age].map(_age).astype("int64")
    out[spec.value_column] = frame["value"]
    keys = list(spec.columns[:-1])
    out = out.groupby(keys, as_index=False, sort=True)[spec.value_column].sum()
    values = out[spec.value_column]
    if spec.area_level == "municipality" and np.array_equal(values, np.round(values)):
        out[spec.value_column] = values.round().astype("int64")
    return out[list(spec.columns)]


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


def refresh(*, regions: Sequence[str] = (), municipalities: Sequence[str] = (),
            to_dir: str | os.PathLike | None = None, base_url: str = DEFAULT_BASE_URL,
            cache_dir: str | os.PathLike | None = None, lang: str = "fi",
            **session_options) -> RefreshReport:
    """Fetch the base data of regions and/or one municipality set and write them into params/.

    Parameters
    ----------
    regions : region ids or codes of the registry (``kainuu``, ``MK18``, ``KU109``)
    municipalities : municipality codes (``KU005``) forming one area; a set that is not a registry
        area is added to ``regions.local.yaml`` under the code ``KUaaa+KUbbb``
    to_dir : the params directory (default `toolkit.data.params_dir()`)
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
    (they cannot be summed). When every maakunta of a file is refreshed, the whole country (SSS) is
    refreshed with them so that the regional sums still equal the country. All files are validated
    with `toolkit.data.validate_frame` before any is replaced; a failure changes nothing.
    """
    from toolkit import data

    if not regions and not municipalities:
        raise InputError("refresh: give at least one region or municipality code")
    unknown = set(session_options) - {f.name for f in fields(ClientOptions)}
    if unknown:
        raise InputError(f"refresh: unknown option(s) {sorted(unknown)}; allowed: "
                         f"{', '.join(f.name for f in fields(ClientOptions))}")
    params = Path(to_dir) if to_dir is not None else Path(data.params_dir())
    client = PxWebClient(base_url, lang=lang, cache_dir=_default_cache(cache_dir),
                         options=replace(ClientOptions(), **session_options))
    report = RefreshReport(params)
    areas, local_entry = _resolve_areas(client, regions, municipalities)
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
    for kind, (path, frame) in merged.items():
        data.validate_frame(kind, frame, path)
    outputs = {path: frame.to_csv(index=False, lineterminator="\n") for path, frame in merged.values()}
    if local_entry is not None:
        outputs[params / LOCAL_REGIONS] = _local_regions_text(params, local_entry)
        report.new_regions.append(local_entry["id"])
    outputs[params / "data" / REFRESH_RECORD] = _record_text(params, report.tables)
    report.files = _replace_all(outputs)
    return report


def _default_cache(cache_dir) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "futures-forum" / "statfin"


def _resolve_areas(client: PxWebClient, regions: Sequence[str],
                   municipalities: Sequence[str]) -> tuple[list[Area], dict | None]:
    """Areas to refresh and, for a new municipality set, its regions.local.yaml entry."""
    from toolkit.regions import get_region, load_regions

    found = [get_region(name) for name in regions]
    local_entry = None
    if municipalities:
        codes = tuple(dict.fromkeys(code.strip().upper() for code in municipalities))
        bad = [code for code in codes if not re.fullmatch(r"KU\d{3}", code)]
        if bad:
            raise InputError(f"municipality codes {bad} are not of the form KUnnn (e.g. KU109)")
        registry = load_regions()
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


def _read_existing(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    return pd.read_csv(path, dtype={"region_code": str, "sex": str}, keep_default_na=False)


def _with_country(areas: list[Area], existing: pd.DataFrame | None) -> list[Area]:
    """Add SSS when the refresh covers every maakunta of the file, so that regions still sum to it."""
    if existing is None:
        return areas
    file_regions = {code for code in existing["region_code"].unique() if code.startswith("MK")}
    refreshed = {area.code for area in areas}
    if file_regions and file_regions <= refreshed and TOTAL_CODE not in refreshed:
        return [*areas, Area(TOTAL_CODE, (TOTAL_CODE,), "country")]
    return areas


def _merge(existing: pd.DataFrame | None, fetched: pd.DataFrame, codes: Sequence[str],
           spec: TableSpec) -> pd.DataFrame:
    """The file's rows with those of the refreshed area codes replaced by the fetched rows."""
    if existing is None:
        return fetched.reset_index(drop=True)
    kept = existing[~existing["region_code"].isin(codes)]
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
    header = "# Areas added by the Statistics Finland loader (toolkit.statfin.refresh).\n"
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


def _replace_all(outputs: Mapping[Path, str]) -> list[Path]:
    """Write every text to a temporary file first, then move them all into place."""
    temps: dict[Path, Path] = {}
    try:
        for path, text in outputs.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            temps[path] = _write_temp(path, text)
    except OSError as exc:
        for temp in temps.values():
            temp.unlink(missing_ok=True)
        raise InputError(f"cannot write {path}: {exc}; nothing was changed") from exc
    for path, temp in temps.items():
        os.replace(temp, path)
    return list(temps)


# --------------------------------------------------------------------------------------------------
# Status
# --------------------------------------------------------------------------------------------------

def status(params_dir: str | os.PathLike | None = None) -> list[dict]:
    """Which figures of the refreshable files come from which table and date.

    Returns
    -------
    One dict per file and origin: ``file``, ``origin`` (``"shipped"`` or ``"refreshed"``),
    ``regions`` (codes), ``table``, ``updated``, ``fetched_at`` (None for the shipped snapshot) and
    ``source`` (the file's line in SOURCES.md for the shipped snapshot, the table URL when refreshed).
    """
    from toolkit import data

    params = Path(params_dir) if params_dir is not None else Path(data.params_dir())
    record_path = params / "data" / REFRESH_RECORD
    record = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
    sources = _sources_lines(params / "data" / "SOURCES.md")
    rows = []
    for kind, spec in TABLES.items():
        name = f"{kind}.csv"
        existing = _read_existing(params / "data" / name)
        codes = sorted(existing["region_code"].unique()) if existing is not None else []
        refreshed = record.get(name, {})
        shipped = [code for code in codes if code not in refreshed]
        if shipped:
            rows.append({"file": name, "origin": "shipped", "regions": shipped, "table": spec.table,
                         "updated": None, "fetched_at": None, "source": sources.get(name, "")})
        rows += _refreshed_rows(name, refreshed)
    return rows


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
            for kind in TABLES}
