"""What the loader fetches: the StatFin table and variable codes of each base-data file, and tidy tables of areas.

Every table id and variable code used lives in :data:`TABLES`, so a renamed table is a one-line fix. Figures
fetched are official statistics: "Source: Statistics Finland, <table>" (CC BY 4.0).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.io.statfin.client import PxWebClient, TableMetadata
from toolkit.io.statfin.jsonstat import jsonstat_to_frame
from toolkit.nomenclature import COUNTRY_CODE

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
    measures : for a table with several value columns: (value column, measure code) pairs read from the contents
        variable (``measure[0]``) into columns of their own; ``value_column`` is then derived or unused
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
    measures: tuple[tuple[str, str], ...] = ()


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


#: The municipal files a ``--municipality`` refresh also writes: each municipality's own rows (not summed), in
#: the current municipal division as StatFin restates it (file stem → table). The migration file's
#: ``net_migration`` is in - out.
MUNICIPAL_TABLES: dict[str, TableSpec] = {
    "municipality_population_2018_2019": replace(
        TABLES["population"], columns=("municipality_code", *TABLES["population"].columns[1:])),
    "municipality_migration_1990_2017": replace(
        TABLES["net_migration_total"],
        columns=("municipality_code", "year", "in_migration", "out_migration", "net_migration"),
        measure=("Tiedot", None), measures=(("in_migration", "vm41"), ("out_migration", "vm42")),
    ),
}


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


def fetch_table(client: PxWebClient, kind: str, areas: Sequence[Area],
                spec: TableSpec | None = None) -> tuple[pd.DataFrame, dict]:
    """Fetch the table behind file `kind` (``spec``, default ``TABLES[kind]``) for `areas`: the tidy rows and
    their provenance.

    Municipality-level tables are summed over each area's municipalities; region-level tables give
    figures only for maakunnat and the country (other areas are skipped, see the provenance).

    Returns
    -------
    (frame with the file's columns, provenance dict: table, path, url, updated, fetched_at, areas)
    """
    spec = TABLES[kind] if spec is None else spec
    areas = [area for area in areas if spec.area_level == "municipality" or area.kind != "municipal_area"]
    if not areas:
        return pd.DataFrame(columns=list(spec.columns)), {"table": spec.table, "areas": []}
    meta = client.metadata(spec.path)
    members = {area.code: _cells_of(area, spec, meta) for area in areas}
    _check_codes(meta, spec, [code for cells in members.values() for code in cells])
    selection = _selection(meta, spec)
    cells = sorted({code for codes in members.values() for code in codes})
    try:
        raw = pd.concat([
            jsonstat_to_frame(client.query(spec.path, {spec.area: chunk, **selection}, meta.updated))
            for chunk in _chunks(cells, _cells_per_code(selection), client.options.max_cells)
        ], ignore_index=True)
        tidy = _tidy(raw, spec, members, meta.path)
    except InputError as exc:
        raise InputError(f"Statistics Finland PxWeb: {client.url(spec.path)}: {exc}; nothing was changed") from None
    except (KeyError, ValueError, TypeError) as exc:  # a valid dataset without the table's variables or codes
        raise InputError(f"Statistics Finland PxWeb: {client.url(spec.path)}: the reply does not have the table's "
                         f"variables and codes ({type(exc).__name__}: {exc}); nothing was changed") from None
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
    absent = [code for _, code in spec.measures if code not in measures]
    if absent:
        raise InputError(f"StatFin table {spec.table}: '{measure}' has no value {absent[0]!r}; it has {measures}")
    if spec.measures:
        selection = {measure: [code for _, code in spec.measures]}
    else:
        if wanted is None and len(measures) != 1:
            raise InputError(f"StatFin table {spec.table}: choose one of {measures} for '{measure}' in "
                             "toolkit.io.statfin.TABLES")
        if wanted is not None and wanted not in measures:
            raise InputError(f"StatFin table {spec.table}: '{measure}' has no value '{wanted}'; "
                             f"it has {measures}")
        selection = {measure: [wanted or measures[0]]}
    selection[spec.year] = [y for y in meta.values(spec.year) if _year(y) >= spec.first_year]
    if spec.sex:
        selection[spec.sex] = [code for code in meta.values(spec.sex) if code in SEX_CODES]
    if spec.age:
        selection[spec.age] = [code for code in meta.values(spec.age) if code != COUNTRY_CODE]
    for code, var in meta.variables.items():
        if code in selection or code == spec.area or var["elimination"]:
            continue
        if len(var["values"]) != 1:
            raise InputError(f"StatFin table {spec.table}: variable '{code}' needs a selection "
                             f"(values {var['values'][:5]}...); add it to toolkit.io.statfin.TABLES")
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
                           columns=[spec.columns[0], spec.area])
    frame = raw.merge(area_of, on=spec.area)
    out = pd.DataFrame({spec.columns[0]: frame[spec.columns[0]]})
    out[spec.columns[1]] = frame[spec.year].map(_year).astype("int64")
    if spec.sex:
        out["sex"] = frame[spec.sex].map(SEX_CODES)
    if spec.age:
        out["age"] = frame[spec.age].map(_age).astype("int64")
    if spec.measures:
        return _wide(out, frame, spec)
    out[spec.value_column] = frame["value"]
    keys = list(spec.columns[:-1])
    out = out.groupby(keys, as_index=False, sort=True)[spec.value_column].sum()
    values = out[spec.value_column]
    if spec.area_level == "municipality" and np.array_equal(values, np.round(values)):
        out[spec.value_column] = values.round().astype("int64")
    return out[list(spec.columns)]


def _wide(out: pd.DataFrame, frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    """One column per measure of ``spec.measures`` (summed over the area's cells), and ``net_migration`` = in - out
    for the migration file."""
    column_of = {code: column for column, code in spec.measures}
    out = out.assign(measure=frame[spec.measure[0]].map(column_of), value=frame["value"])
    keys = [c for c in spec.columns if c in out.columns and c not in ("measure", "value")]
    wide = out.pivot_table(index=keys, columns="measure", values="value", aggfunc="sum").reset_index()
    missing = [column for column, _ in spec.measures if column not in wide.columns]
    if missing or wide[[column for column, _ in spec.measures]].isna().any().any():
        raise InputError(f"StatFin table {spec.table}: the reply lacks figures of {missing or 'some cells'} "
                         f"for {', '.join(column for column, _ in spec.measures)}")
    for column, _ in spec.measures:
        values = wide[column]
        if not np.array_equal(values, np.round(values)):
            raise InputError(f"StatFin table {spec.table}: {column} is not a count of persons")
        wide[column] = values.round().astype("int64")
    if "net_migration" in spec.columns and "net_migration" not in column_of.values():
        wide["net_migration"] = wide["in_migration"] - wide["out_migration"]
    wide.columns.name = None
    return wide[list(spec.columns)]

