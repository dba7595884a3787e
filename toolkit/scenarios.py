"""Scenario files: strict schema, safe loading, lever paths, per-region overrides.

A scenario is a YAML file with ``id``, ``name`` and ``narrative`` in Finnish, Swedish and English, a
``justification`` (why the lever values are what they are), ``levers`` and an optional ``uncertainty`` block.
Levers may be overridden per region inside the file (``regions: {kainuu: {...}}``) and locally in
``params/overrides/<region>.yaml`` (``{<scenario id> or "all": {...}}``); local overrides win.

Everything is validated with pydantic in strict mode: unknown keys, wrong types, NaN and values outside the
documented ranges are errors that name the file, the key path and the allowed range.

Length: the schema is one contract (docs/conventions.md): every lever form with its range, the path each becomes
and the loading that names a bad file's field are kept together, so that a new form is added in one place.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationError, model_validator

from toolkit.errors import InputError
from toolkit.io.params import params_dir
from toolkit.io.yamlfiles import parse_yaml, read_yaml
from toolkit.regions import load_regions

if TYPE_CHECKING:
    import pandas as pd

SCENARIO_ORDER = ("baseline", "no-migration")
_SLUG = r"^[a-z0-9][a-z0-9-]{0,39}$"
_SECTIONS = "ABCDEFGHIJKLMNOPQRSTU"


def scenarios_dir() -> Path:
    """Folder of the shipped scenarios (``FORUM_SCENARIOS_DIR`` overrides)."""
    return Path(os.environ.get("FORUM_SCENARIOS_DIR", Path(__file__).resolve().parents[1] / "scenarios"))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class Text(_Strict):
    """A text in the three languages of the forums."""

    fi: Annotated[str, Field(min_length=1)]
    sv: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


def _convergence(years: np.ndarray, start_year: int, target_year: int, shape: str) -> np.ndarray:
    """Share of the way from the jump-off value to the target reached in each year [0..1]."""
    span = max(target_year - start_year, 1)
    tau = np.clip((np.asarray(years, dtype=float) - start_year) / span, 0.0, 1.0)
    if shape == "linear":
        return tau
    steep = 10.0  # logistic: slow start, fastest half-way, slow arrival; rescaled to hit 0 and 1 exactly
    sig = 1.0 / (1.0 + np.exp(-steep * (tau - 0.5)))
    low, high = 1.0 / (1.0 + math.exp(steep / 2)), 1.0 / (1.0 + math.exp(-steep / 2))
    return (sig - low) / (high - low)


@dataclass(frozen=True)
class JumpOff:
    """What an area's lever paths start from, in model units.

    Attributes
    ----------
    base_year : the jump-off year [year]
    tfr : the base year's observed total fertility rate [children per woman]
    e0 : the latest observed life expectancy at birth by sex (F, M) [years]
    e0_year : the year that ``e0`` refers to (the middle of its 3-year window) [year]
    population : the base year's population [persons] (additional migrants per 1,000 are per 1,000 of it)
    tfr_trend : years -> the central TFR path of the area's fitted trend model [children per woman]
    e0_trend_gain : years (Y,) -> the fitted trend's e0 gains (Y, 2) from ``e0_year`` [years]
    national_log_tfr : the country's log TFR by year up to the base year (index: year), or None where it is not
        known (inputs without the national series) [log children per woman]
    """

    base_year: int
    tfr: float
    e0: np.ndarray
    e0_year: int
    population: float
    tfr_trend: Callable[[np.ndarray], np.ndarray]
    e0_trend_gain: Callable[[np.ndarray], np.ndarray]
    national_log_tfr: pd.Series | None = None


@dataclass(frozen=True)
class LeverPaths:
    """The demographic levers of a scenario in one area as yearly values in model units.

    Attributes
    ----------
    tfr : (Y,) total fertility rate [children per woman]
    shift : (Y,) shift of the fertility schedule to older ages [years]
    e0 : (Y, 2) life expectancy at birth by sex (F, M) [years]
    rate_scale : multiplier of the area's own net-migration rates [1]
    extra : (Y,) additional net migrants [persons per year]
    """

    tfr: np.ndarray
    shift: np.ndarray
    e0: np.ndarray
    rate_scale: float
    extra: np.ndarray


TFR_RANGE = (0.5, 4.0)  # [children per woman] what a `target` may name: a `change` cannot go beyond it either
E0_RANGE = (40.0, 100.0)  # [years] the data catalogue's e0 range (the life-table scaling is checked in projection)


def check_path(lever: str, years: np.ndarray, values: np.ndarray, allowed: tuple[float, float], unit: str) -> None:
    """Raise :class:`InputError` naming ``lever``, the first of ``years`` [year] and the value where ``values``
    (the path [``unit``]) leave ``allowed`` (low, high, inclusive [``unit``])."""
    values = np.asarray(values, dtype=float)
    low, high = allowed
    outside = ~np.isfinite(values) | (values < low) | (values > high)
    if outside.any():
        first = int(np.argmax(outside))
        raise InputError(f"levers: {lever}: the path reaches {values[first]:.2f} {unit} in {int(years[first])}; "
                         f"allowed {low:g}..{high:g} {unit} in every year (a smaller change, a later year or a "
                         "nearer horizon stays inside)")


class _Path(_Strict):
    """Convergence from the last observed value to a target by ``year``, then held."""

    target: float | None = None
    change: float | None = None
    year: Annotated[int, Field(ge=1990, le=2200)]
    shape: Literal["linear", "logistic"] = "linear"

    @model_validator(mode="after")
    def _one_of(self):
        if (self.target is None) == (self.change is None):
            raise ValueError("give exactly one of 'target' (absolute) or 'change' (from the last observed value)")
        return self

    def values(self, jump_off: np.ndarray | float, jump_off_year: int, years: np.ndarray) -> np.ndarray:
        """Lever value in each of ``years`` (shape jump_off.shape + (len(years),))."""
        start = np.asarray(jump_off, dtype=float)[..., None]
        end = start + self.change if self.change is not None else np.full_like(start, self.target)
        return start + (end - start) * _convergence(years, jump_off_year, self.year, self.shape)


class TrendPath(_Strict):
    """The central path of the lever's fitted trend model (see toolkit.population.assumptions).

    ``scale`` multiplies the trend's gains (e0 only: 0.5 = half the Lee–Carter gains; the TFR's trend is a level).
    """

    from_trend: Literal[True]
    scale: Annotated[float, Field(ge=0.0, le=2.0)] = 1.0


class DampedTrendPath(_Strict):
    """The country's recent TFR trend, continued and damped, on the area's own level.

    The slope s is the country's yearly change of log TFR over the ``window`` years to the base year; the k-th
    year ahead adds s·damping^k, so the area's TFR is its base-year value times exp(s·Σ damping^j, j = 1..k),
    and the change levels off at s·damping/(1 − damping) (damping 0 holds the base year's value). The band is the
    held value's (docs/methods-selection.md, section 1b, compares the two models' errors).
    """

    damped_trend: Literal[True]
    window: Annotated[int, Field(ge=2, le=20)] = 5
    damping: Annotated[float, Field(ge=0.0, le=0.95)] = 0.6

    def values(self, jump_off: JumpOff, years: np.ndarray) -> np.ndarray:
        """The TFR in each of ``years`` [children per woman]."""
        history = jump_off.national_log_tfr
        first = jump_off.base_year - self.window
        if history is None or jump_off.base_year not in history.index or first not in history.index:
            known = "no national TFR series" if history is None else (
                f"the country's TFR for {int(history.index.min())}..{int(history.index.max())}")
            raise InputError(f"levers: tfr: damped_trend needs the country's TFR in {first} and "
                             f"{jump_off.base_year} (window {self.window}); the data have {known}")
        slope = (float(history[jump_off.base_year]) - float(history[first])) / self.window
        ahead = np.clip(np.asarray(years) - jump_off.base_year, 0, None)
        return jump_off.tfr * np.exp(slope * damped_sum(self.damping, ahead))


def damped_sum(damping: float, ahead) -> np.ndarray:
    """Σ damping^j over j = 1..k for each k of ``ahead`` (years ahead, ≥ 0): the multiple of the yearly slope
    that a damped trend has added k years ahead (k itself for damping 1)."""
    ahead = np.asarray(ahead, dtype=float)
    if damping == 1.0:
        return ahead
    return damping * (1.0 - damping ** ahead) / (1.0 - damping)


class TfrPath(_Path):
    target: Annotated[float, Field(ge=0.5, le=4.0)] | None = None
    change: Annotated[float, Field(ge=-2.0, le=2.0)] | None = None


class ShiftPath(_Path):
    """A change that starts from zero (e.g. the shift of the fertility schedule)."""

    target: None = None
    change: Annotated[float, Field(ge=-5.0, le=5.0)] | None = None


class MigrationPath(_Path):
    """Additional net migrants per year on the Rogers–Castro schedule, from zero in the base year."""

    target: None = None
    change: Annotated[float, Field(ge=-100_000, le=100_000)] | None = None
    unit: Literal["persons", "per_1000"] = "per_1000"

    @model_validator(mode="after")
    def _range(self):
        if self.unit == "per_1000" and not -50.0 <= self.change <= 50.0:
            raise ValueError(f"change {self.change} per 1,000 is outside the allowed range -50..50")
        return self

    def persons_per_unit(self, population: float) -> float:
        """Persons per year that one unit of ``change`` means in an area of ``population`` persons."""
        return 1.0 if self.unit == "persons" else population / 1000.0


class BySex(_Strict):
    F: Annotated[float, Field(ge=-3.0, le=5.0)]
    M: Annotated[float, Field(ge=-3.0, le=5.0)]


def _path_or_trend(value):
    """Pick the lever model by its keys, so that errors name the fields of the intended form."""
    if isinstance(value, dict) and "damped_trend" in value:
        return "damped"
    return "trend" if isinstance(value, dict) and "from_trend" in value else "path"


_Tfr = Annotated[Annotated[TfrPath, Tag("path")] | Annotated[TrendPath, Tag("trend")]
                 | Annotated[DampedTrendPath, Tag("damped")], Discriminator(_path_or_trend)]
_E0Gain = Annotated[Annotated[BySex, Tag("path")] | Annotated[TrendPath, Tag("trend")],
                    Discriminator(_path_or_trend)]


_Band = Annotated[str, Field(pattern=r"^\d{2}-\d{2}$")]
_Section = Annotated[str, Field(pattern=rf"^([{_SECTIONS}]|default)$")]


class Levers(_Strict):
    """The levers of a scenario, with the defaults of a continuation of recent trends."""

    tfr: _Tfr = TrendPath(from_trend=True)
    mean_age_at_birth_shift: ShiftPath = ShiftPath(change=0.0, year=2030)
    e0_gain_per_decade: _E0Gain = TrendPath(from_trend=True)
    migration_rate_scale: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    additional_net_migration: MigrationPath = MigrationPath(change=0.0, year=2030)
    participation_change: dict[_Band, Annotated[float, Field(ge=-30.0, le=30.0)]] = {}
    retirement_age_shift: Annotated[float, Field(ge=-3.0, le=5.0)] = 0.0
    industry_growth: dict[_Section, Annotated[float, Field(ge=-10.0, le=10.0)]] = {}
    productivity_growth: Annotated[float, Field(ge=-5.0, le=10.0)] = 0.0

    def paths(self, jump_off: JumpOff, years: np.ndarray) -> LeverPaths:
        """The demographic levers as yearly paths over ``years`` (the base year first) in model units.

        This is the one place where a lever becomes a number: a TFR path converges from the observed value (or
        follows the fitted trend), e0 gains accrue from the year of the observed e0, additional migrants per
        1,000 become persons of the base-year population.
        """
        if isinstance(self.tfr, TrendPath):
            tfr = np.r_[jump_off.tfr, jump_off.tfr_trend(years[1:])]
        elif isinstance(self.tfr, DampedTrendPath):
            tfr = self.tfr.values(jump_off, years)
        else:
            tfr = self.tfr.values(jump_off.tfr, jump_off.base_year, years)
        gains = self.e0_gain_per_decade
        if isinstance(gains, TrendPath):
            gain = gains.scale * jump_off.e0_trend_gain(years)
        else:
            gain = np.array([gains.F, gains.M]) * ((years[:, None] - jump_off.e0_year) / 10.0)
        extra = self.additional_net_migration
        e0 = jump_off.e0 + gain
        # physical range of the central path, before anything is projected (draws: see toolkit.population.ensemble)
        check_path("tfr", years, tfr, TFR_RANGE, "children per woman")
        for index, sex in enumerate(("F", "M")):
            check_path(f"e0_gain_per_decade ({sex}): e0", years, e0[:, index], E0_RANGE, "years")
        return LeverPaths(
            tfr=tfr,
            shift=self.mean_age_at_birth_shift.values(0.0, jump_off.base_year, years),
            e0=e0,
            rate_scale=self.migration_rate_scale,
            extra=extra.values(0.0, jump_off.base_year, years) * extra.persons_per_unit(jump_off.population),
        )

    def merged(self, override: LeverOverrides | None) -> Levers:
        """These levers with an override applied (dict levers merge key by key)."""
        if override is None:
            return self
        changes: dict[str, Any] = {}
        for name in override.model_fields_set:
            value = getattr(override, name)
            if isinstance(value, dict):
                value = {**getattr(self, name), **value}
            changes[name] = value
        return self.model_copy(update=changes)


class LeverOverrides(_Strict):
    """Any subset of the levers (same types and ranges)."""

    tfr: _Tfr | None = None
    mean_age_at_birth_shift: ShiftPath | None = None
    e0_gain_per_decade: _E0Gain | None = None
    migration_rate_scale: Annotated[float, Field(ge=0.0, le=5.0)] | None = None
    additional_net_migration: MigrationPath | None = None
    participation_change: dict[_Band, Annotated[float, Field(ge=-30.0, le=30.0)]] | None = None
    retirement_age_shift: Annotated[float, Field(ge=-3.0, le=5.0)] | None = None
    industry_growth: dict[_Section, Annotated[float, Field(ge=-10.0, le=10.0)]] | None = None
    productivity_growth: Annotated[float, Field(ge=-5.0, le=10.0)] | None = None


class Spread(_Strict):
    """Uncertainty of one lever: the calibrated width of its fitted trend model times ``scale`` (> 0; leave the
    lever out of the block for no uncertainty)."""

    distribution: Literal["normal"] = "normal"
    scale: Annotated[float, Field(gt=0.0, le=5.0)] = 1.0


UNCERTAIN_LEVERS = ("tfr", "e0", "net_migration")


class Uncertainty(_Strict):
    """Monte Carlo spreads around the scenario's central lever paths.

    The standard error of each lever at each horizon comes from a model fitted on the history up to the base
    year (toolkit.population.assumptions): ``tfr`` from the region's TFR series (log scale), ``e0`` from the
    national Lee–Carter model, ``net_migration`` from the region's net-migration series (per 1,000
    inhabitants); ``scale`` widens or narrows it. Deviations follow random-walk paths; ``correlation`` is the
    3×3 correlation of the three innovations in the order tfr, e0, net_migration (positive semi-definite).
    """

    tfr: Spread | None = None
    e0: Spread | None = None
    net_migration: Spread | None = None
    correlation: list[list[float]] | None = None

    @model_validator(mode="after")
    def _psd(self):
        if self.correlation is not None:
            matrix = np.asarray(self.correlation, dtype=float)
            if matrix.shape != (3, 3) or not np.allclose(matrix, matrix.T) or not np.allclose(np.diag(matrix), 1):
                raise ValueError("correlation must be a symmetric 3x3 matrix (tfr, e0, net_migration) with ones "
                                 "on the diagonal")
            if np.linalg.eigvalsh(matrix).min() < -1e-10:
                raise ValueError("correlation matrix is not positive semi-definite")
        return self

    def scales(self) -> np.ndarray:
        """Scale of each uncertain lever (0 where the block leaves it out), order of UNCERTAIN_LEVERS."""
        return np.array([getattr(self, name).scale if getattr(self, name) else 0.0 for name in UNCERTAIN_LEVERS])

    def correlation_matrix(self) -> np.ndarray:
        return np.eye(3) if self.correlation is None else np.asarray(self.correlation, dtype=float)


class Scenario(_Strict):
    """A named scenario (see module docstring)."""

    id: Annotated[str, Field(pattern=_SLUG)]
    name: Text
    narrative: Text
    justification: Annotated[str, Field(min_length=1)]
    levers: Levers = Levers()
    uncertainty: Uncertainty | None = None
    regions: dict[str, LeverOverrides] = {}
    source: str = Field(default="", exclude=True)
    sha256: str = Field(default="", exclude=True)

    def levers_for(self, region_id: str) -> Levers:
        """The levers that apply in a region: the scenario's, its region block, then the region's override file
        (its ``all`` block, then this scenario's own block, which wins where both set a lever)."""
        levers = self.levers.merged(self.regions.get(region_id))
        local = _local_overrides(region_id)
        return levers.merged(local.get(OVERRIDE_ALL)).merged(local.get(self.id)) if local else levers


def _format_validation_error(path: str, error: ValidationError) -> str:
    first = error.errors()[0]
    # the tags of the path/trend unions ("path", "trend") are not keys of the file
    where = ".".join(str(part) for part in first["loc"] if part not in ("path", "trend")) or "(top level)"
    message = first["msg"]
    if "input" in first and not isinstance(first["input"], dict | list):
        message += f" (got {first['input']!r})"
    more = len(error.errors()) - 1
    return f"{path}: {where}: {message}" + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


def _scenario_mapping(content, path) -> dict:
    """Check that a parsed scenario file is a non-empty mapping."""
    if content is None:
        raise InputError(f"{path}: the file is empty; a scenario needs id, name, narrative, justification, levers")
    if not isinstance(content, dict):
        raise InputError(f"{path}: a scenario must be a mapping of keys (id, name, narrative, ...), "
                         f"not a {type(content).__name__}")
    return content


def _read_yaml(path: Path) -> tuple[dict, bytes]:
    content, raw = read_yaml(path, "scenario file")
    return _scenario_mapping(content, path), raw


def _parse(model: type[BaseModel], content: Any, path: Path) -> Any:
    try:
        return model.model_validate(content)
    except ValidationError as exc:
        raise InputError(_format_validation_error(str(path), exc)) from None


def _known_region_ids() -> set[str]:
    return set(load_regions())


OVERRIDE_ALL = "all"
"""The key of an override file's block that applies to every scenario (a scenario's own block wins over it)."""


def _check_override_names(folder: Path) -> None:
    """Every override file is named by a region id (``kainuu.yaml``), not by a code or a typo."""
    if not folder.is_dir():
        return
    known = _known_region_ids()
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in (".yaml", ".yml") and (path.stem not in known or path.suffix != ".yaml"):
            codes = {region.code: region.id for region in load_regions().values()}
            hint = f" (the id of {path.stem} is {codes[path.stem]!r})" if path.stem in codes else ""
            raise InputError(f"override file {path}: the file name must be a region id with .yaml{hint}; "
                             "ids: see `forum regions`")


def _local_overrides(region_id: str) -> dict[str, LeverOverrides]:
    """The override blocks of ``params/overrides/<region_id>.yaml``: scenario id or ``all`` -> levers."""
    folder = params_dir() / "overrides"
    path = folder / f"{region_id}.yaml"
    stamp = tuple(entry.stat().st_mtime_ns if entry.exists() else 0 for entry in (folder, path))
    return _read_overrides(folder, region_id, stamp)


@lru_cache(maxsize=64)
def _read_overrides(folder: Path, region_id: str, stamp: tuple[int, int]) -> dict[str, LeverOverrides]:
    _check_override_names(folder)
    path = folder / f"{region_id}.yaml"
    if not path.exists():
        return {}
    content, _ = read_yaml(path, "override file")
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InputError(f"override file {path}: expected a mapping of scenario ids (or '{OVERRIDE_ALL}') to "
                         f"levers, not a {type(content).__name__}")
    allowed = [*available_scenarios(), OVERRIDE_ALL]
    blocks = {}
    for key, value in content.items():
        if not isinstance(key, str) or key not in allowed:
            raise InputError(f"override file {path}: key {key!r}: not a scenario id; allowed: {', '.join(allowed)}")
        try:
            blocks[key] = LeverOverrides.model_validate(value)
        except ValidationError as exc:
            raise InputError("override file " + _format_validation_error(f"{path}: {key}", exc)) from None
    return blocks


def _load_file(path: Path) -> Scenario:
    """A scenario file, parsed once per version of the file (a rewritten file is read again)."""
    stat = path.stat()
    return _parse_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=128)
def _parse_file(path: Path, mtime_ns: int, size: int) -> Scenario:
    content, raw = _read_yaml(path)
    scenario = _parse(Scenario, content, path)
    _check_region_blocks(scenario, path)
    return scenario.model_copy(update={"source": str(path), "sha256": hashlib.sha256(raw).hexdigest()})


def parse_scenario(text: str, path: Path) -> Scenario:
    """The scenario in YAML ``text`` (to be written to ``path``), validated as a scenario file is."""
    content = _scenario_mapping(parse_yaml(text, path), path)
    scenario = _parse(Scenario, content, path)
    _check_region_blocks(scenario, path)
    return scenario


def _check_region_blocks(scenario: Scenario, path: Path) -> None:
    unknown = sorted(set(scenario.regions) - _known_region_ids())
    if unknown:
        raise InputError(f"{path}: regions: unknown region id {unknown[0]!r}; use ids from `forum regions`")


def available_scenarios() -> list[str]:
    """Ids of the shipped scenarios: baseline and no-migration first, then alphabetical."""
    ids = sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
    return [s for s in SCENARIO_ORDER if s in ids] + [s for s in ids if s not in SCENARIO_ORDER]


def load_scenario(id_or_path: str | os.PathLike | Scenario) -> Scenario:
    """A scenario by shipped id (``baseline``) or by path to a YAML file."""
    if isinstance(id_or_path, Scenario):
        return id_or_path
    text = str(id_or_path)
    looks_like_path = text.endswith((".yaml", ".yml")) or os.sep in text
    if looks_like_path:
        path = Path(text)
        if not path.is_file():
            raise InputError(f"{text}: scenario file not found")
    else:
        if not re.match(_SLUG, text):
            raise InputError(f"unknown scenario {text!r}; known: {', '.join(available_scenarios())}")
        path = scenarios_dir() / f"{text}.yaml"
        if not path.is_file():
            raise InputError(f"unknown scenario {text!r}; known: {', '.join(available_scenarios())}")
    scenario = _load_file(path.resolve())
    if not looks_like_path and scenario.id != text:
        raise InputError(f"{path}: id: the file's id {scenario.id!r} must equal its file name {text!r}")
    return scenario


def load_scenarios(items) -> list[Scenario]:
    """Several scenarios; duplicates by id are an error."""
    scenarios = [load_scenario(item) for item in items]
    ids = [s.id for s in scenarios]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise InputError(f"scenario {duplicated[0]!r} given twice; scenario ids must be unique in a run")
    return scenarios
