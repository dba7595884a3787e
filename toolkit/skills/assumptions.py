"""Assumption files of the skills model (`params/skills/*.yaml`): loading and validation.

Every top-level entry of a file is one assumption: it must say ``label: assumption`` and give its
``reasoning``. Entries are collected into `Assumptions.records`, which the model writes to the output
(``attrs["assumptions"]``) so that no assumed share is ever shown as data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.io.params import params_dir
from toolkit.io.yamlfiles import read_yaml
from toolkit.nomenclature import AGES, EDUCATION_LEVELS, MAAKUNTA_CODES, MITENNA_OCCUPATIONS, OPEN_AGE

EDUCATION = EDUCATION_LEVELS
SHARE_TOLERANCE = 1e-6
_BAND = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))\s*$")


@dataclass(frozen=True)
class Assumptions:
    """The assumed parameters of the skills model.

    Attributes
    ----------
    care_need_weights : DataArray (age) [relative care need per person]
    student_weights : DataArray (age) [pupil equivalents per person]
    retirement_from_age : youngest age at which a fall of the employment rate counts as retirement [years]
    retirement_shift_pace : how fast a scenario's retirement-age shift is reached [years of shift per year]
    education_level_map : DataArray (level, education) [1], shares of each data level
    occupation_education : DataArray (occupation, education) [1], education an opening of each group needs
    occupation_retirement_intensity : DataArray (occupation) [1], relative retirement intensity
    entrant_nuts2 : maakunta code -> NUTS-2 code whose attainment of ages 25-64 the entrants reach
    records : every assumption entry (JSON-serialisable dicts with ``id`` and ``file``)
    """

    care_need_weights: xr.DataArray
    student_weights: xr.DataArray
    retirement_from_age: int
    retirement_shift_pace: float
    education_level_map: xr.DataArray
    occupation_education: xr.DataArray
    occupation_retirement_intensity: xr.DataArray
    entrant_nuts2: dict
    records: tuple[dict, ...]


def parse_age_band(text: str, where: str) -> tuple[int, int]:
    """Parse an age band ``"55-64"`` or ``"85+"`` into inclusive bounds.

    Parameters
    ----------
    text : the band
    where : what to name in the error message (file and key)

    Returns
    -------
    (first, last) : ages [years]; ``"85+"`` ends at the open age 100
    """
    match = _BAND.match(str(text))
    if match is None:
        raise InputError(f"{where}: age band {text!r} is not of the form 'A-B' or 'A+' (ages 0..100)")
    first = int(match.group(1))
    last = OPEN_AGE if match.group(3) else int(match.group(2))
    if not 0 <= first <= last <= OPEN_AGE:
        raise InputError(f"{where}: age band {text!r} must satisfy 0 <= A <= B <= 100")
    return first, last


def band_weights(bands, where: str) -> xr.DataArray:
    """Weights by single age from a list of ``{ages, weight}`` bands covering 0..100 exactly once.

    Returns
    -------
    DataArray (age) of the band weights [as given]
    """
    if not isinstance(bands, list) or not bands:
        raise InputError(f"{where}.bands: expected a non-empty list of {{ages, weight}}")
    weights = np.full(AGES.size, np.nan)
    for index, band in enumerate(bands):
        here = f"{where}.bands[{index}]"
        if not isinstance(band, dict) or set(band) != {"ages", "weight"}:
            raise InputError(f"{here}: expected exactly the keys 'ages' and 'weight'")
        first, last = parse_age_band(band["ages"], here)
        weight = _number(band["weight"], f"{here}.weight", minimum=0.0)
        if not np.isnan(weights[first : last + 1]).all():
            raise InputError(f"{here}: ages {band['ages']} overlap an earlier band")
        weights[first : last + 1] = weight
    missing = AGES[np.isnan(weights)]
    if missing.size:
        raise InputError(
            f"{where}.bands: ages {missing.min()}..{missing.max()} are not covered; "
            "the bands must cover ages 0..100 exactly once"
        )
    return xr.DataArray(weights, coords={"age": AGES}, dims="age")


def level_map(shares, where: str) -> xr.DataArray:
    """Education-group shares of each data level; each level's shares must sum to 1.

    Returns
    -------
    DataArray (level, education) [1]
    """
    if not isinstance(shares, dict) or not shares:
        raise InputError(f"{where}.shares: expected a mapping level -> {{education group: share}}")
    table = np.zeros((len(shares), len(EDUCATION)))
    for row, (level, groups) in enumerate(shares.items()):
        here = f"{where}.shares.{level}"
        if not isinstance(groups, dict) or not set(groups) <= set(EDUCATION):
            raise InputError(f"{here}: expected shares for the groups {', '.join(EDUCATION)}")
        for group, share in groups.items():
            table[row, EDUCATION.index(group)] = _number(share, f"{here}.{group}", minimum=0.0)
        if abs(table[row].sum() - 1.0) > SHARE_TOLERANCE:
            raise InputError(f"{here}: shares sum to {table[row].sum():.6g}; they must sum to 1")
    return xr.DataArray(
        table, coords={"level": list(shares), "education": list(EDUCATION)}, dims=("level", "education")
    )


def load_assumptions(directory: str | Path | None = None) -> Assumptions:
    """Read and validate every assumption file of the skills model.

    Parameters
    ----------
    directory : folder of the YAML files; default ``params/skills`` of the project

    Returns
    -------
    Assumptions
    """
    folder = Path(directory) if directory is not None else params_dir() / "skills"
    entries = {}
    records = []
    for path in sorted(folder.glob("*.yaml")):
        for key, entry in _read_file(path).items():
            entries[key] = (path, entry)
            records.append({"id": key, "file": f"params/skills/{path.name}", **entry})
    required = ("care_need_weights", "student_weights", "retirement_exits", "education_level_map",
                "occupation_education", "occupation_retirement_intensity", "entrant_education")
    absent = [key for key in required if key not in entries]
    if absent:
        raise InputError(
            f"{folder}: assumption entries {', '.join(absent)} are missing; "
            f"the skills model needs {', '.join(required)}"
        )
    schedule_path, schedule = entries["retirement_exits"]
    where = f"{schedule_path}: retirement_exits"
    return Assumptions(
        care_need_weights=band_weights(
            entries["care_need_weights"][1].get("bands"),
            f"{entries['care_need_weights'][0]}: care_need_weights",
        ),
        student_weights=band_weights(
            entries["student_weights"][1].get("bands"), f"{entries['student_weights'][0]}: student_weights"
        ),
        retirement_from_age=int(_number(schedule.get("from_age"), f"{where}.from_age", 40.0, 70.0)),
        retirement_shift_pace=_number(schedule.get("shift_pace"), f"{where}.shift_pace", 0.05, 5.0),
        education_level_map=level_map(
            entries["education_level_map"][1].get("shares"),
            f"{entries['education_level_map'][0]}: education_level_map",
        ),
        occupation_education=occupation_shares(*_entry(entries, "occupation_education")),
        occupation_retirement_intensity=occupation_intensity(*_entry(entries, "occupation_retirement_intensity")),
        entrant_nuts2=entrant_areas(*_entry(entries, "entrant_education")),
        records=tuple(records),
    )


def _entry(entries: dict, key: str) -> tuple[dict, str]:
    """An entry and the place to name in messages (``<file>: <key>``)."""
    path, entry = entries[key]
    return entry, f"{path}: {key}"


def _unknown_occupation(code, where: str) -> InputError:
    return InputError(
        f"{where}: row {code!r}: not a Mitenna occupation group code; allowed: {', '.join(MITENNA_OCCUPATIONS)}"
    )


def occupation_shares(entry: dict, where: str) -> xr.DataArray:
    """Education shares of each Mitenna occupation group (every group once, each row summing to 1).

    Returns
    -------
    DataArray (occupation, education) [1] in the order of `toolkit.nomenclature.MITENNA_OCCUPATIONS`
    """
    shares = entry.get("shares")
    if not isinstance(shares, dict):
        raise InputError(f"{where}.shares: expected a mapping occupation code -> {{education level: share}}")
    table = np.zeros((len(MITENNA_OCCUPATIONS), len(EDUCATION)))
    for code, row in shares.items():
        if str(code) not in MITENNA_OCCUPATIONS:
            raise _unknown_occupation(code, f"{where}.shares")
        here = f"{where}.shares: row {code!r}"
        if not isinstance(row, dict) or not row:
            raise InputError(f"{here}: expected a mapping education level -> share")
        for level, share in row.items():
            if level not in EDUCATION:
                raise InputError(f"{here}: unknown education level {level!r}; allowed: {', '.join(EDUCATION)}")
            table[MITENNA_OCCUPATIONS.index(str(code)), EDUCATION.index(level)] = _number(
                share, f"{here}.{level}", 0.0, 1.0
            )
        total = table[MITENNA_OCCUPATIONS.index(str(code))].sum()
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise InputError(f"{here}: shares sum to {total:.6g}; they must sum to 1")
    missing = [code for code in MITENNA_OCCUPATIONS if code not in {str(key) for key in shares}]
    if missing:
        raise InputError(f"{where}.shares: no row for the occupation groups {', '.join(missing)}; "
                         "every group needs one")
    return xr.DataArray(table, coords={"occupation": list(MITENNA_OCCUPATIONS), "education": list(EDUCATION)},
                        dims=("occupation", "education"))


def occupation_intensity(entry: dict, where: str) -> xr.DataArray:
    """Relative retirement intensity of each Mitenna group: ``default`` unless the group has its own.

    Returns
    -------
    DataArray (occupation) [1], every value > 0
    """
    default = _number(entry.get("default"), f"{where}.default", 0.01, 10.0)
    given = entry.get("intensity") or {}
    if not isinstance(given, dict):
        raise InputError(f"{where}.intensity: expected a mapping occupation code -> intensity")
    values = np.full(len(MITENNA_OCCUPATIONS), default)
    for code, value in given.items():
        if str(code) not in MITENNA_OCCUPATIONS:
            raise _unknown_occupation(code, f"{where}.intensity")
        values[MITENNA_OCCUPATIONS.index(str(code))] = _number(value, f"{where}.intensity: row {code!r}", 0.01, 10.0)
    return xr.DataArray(values, coords={"occupation": list(MITENNA_OCCUPATIONS)}, dims="occupation")


def entrant_areas(entry: dict, where: str) -> dict:
    """Maakunta code -> NUTS-2 code of the entrants' attainment; every maakunta once."""
    table = entry.get("nuts2")
    if not isinstance(table, dict) or set(table) != set(MAAKUNTA_CODES):
        given = sorted(table) if isinstance(table, dict) else table
        raise InputError(f"{where}.nuts2: expected one NUTS-2 code for each of {', '.join(MAAKUNTA_CODES)}; "
                         f"got {given}")
    return {str(code): str(value) for code, value in table.items()}


def _read_file(path: Path) -> dict:
    """Parse one YAML file and check that each entry is a labelled, reasoned assumption."""
    content, _ = read_yaml(path, "assumption file")
    if not isinstance(content, dict):
        raise InputError(f"{path}: expected a mapping of assumption entries")
    for key, entry in content.items():
        if not isinstance(entry, dict) or entry.get("label") != "assumption":
            raise InputError(f"{path}: {key}: every entry must have 'label: assumption'")
        if not str(entry.get("reasoning", "")).strip():
            raise InputError(f"{path}: {key}: the 'reasoning' of the assumption is missing")
    return content


def _number(value, where: str, minimum: float = -math.inf, maximum: float = math.inf) -> float:
    """A finite number within [minimum, maximum], or an InputError naming `where`."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where}: expected a number, got {value!r}")
    if not minimum <= value <= maximum:
        raise InputError(f"{where}: {value} is outside the allowed range {minimum}..{maximum}")
    return float(value)
