"""The explorer's sliders and the scenario levers they stand for, in both directions.

:func:`slider_values` reads the slider positions that show a scenario's levers in an area; :func:`levers_from_sliders`
turns moved sliders back into levers, validated by the scenario schema. What a lever means in model units is
decided in one place, :meth:`toolkit.scenarios.Levers.paths`; the sliders only choose lever values.
"""

from __future__ import annotations

from collections.abc import Mapping

import xarray as xr
from pydantic import ValidationError

from toolkit.errors import InputError
from toolkit.nomenclature import INDUSTRIES, SEXES
from toolkit.scenarios import BySex, LeverOverrides, Levers, TfrPath

HORIZONS = (2030, 2035, 2040, 2045, 2050, 2060, 2070)
PARTICIPATION_BANDS = ("55-64", "65-74")
GROWTH_CHOICES = ("default", *(section for section in INDUSTRIES if section not in "PQ"))
"""Industries whose growth a slider sets; P and Q follow the population (see docs/skills.md)."""
SLIDER_YEARS = 10
"""Years after the base year that a slider reads a trend lever at, and reaches a moved TFR target by."""
EXTRA_MIGRATION_PER_1000 = 20.0
"""Half-width of the additional-net-migration slider [persons per 1,000 inhabitants per year]."""
SLIDERS = {
    "tfr": "tfr",
    "e0_F": "e0_F",
    "e0_M": "e0_M",
    "extra_migration": "migration",
    "participation_55-64": "participation_55-64",
    "participation_65-74": "participation_65-74",
    "retirement_age_shift": "retirement",
    "industry_growth": "growth",
}
"""Slider name -> its label (``explorer.<label>`` in the text catalogue)."""


def slider_values(levers: Levers, run: xr.Dataset) -> dict[str, float]:
    """The slider positions that show ``levers``.

    Parameters
    ----------
    levers : the levers of a scenario for one area
    run : that scenario's population run of the area, to at least :data:`SLIDER_YEARS` after its base year

    Returns
    -------
    dict of slider name -> value: ``tfr`` [children per woman] reached in :func:`tfr_target_year`;
    ``e0_F``, ``e0_M`` [years per decade]: the gains of a ``{F, M}`` lever, or for a trend lever the run's
    average gain over :data:`SLIDER_YEARS`; ``extra_migration`` [persons per year]; ``participation_55-64``,
    ``participation_65-74`` [percentage points]; ``retirement_age_shift`` [years]
    """
    run = run.isel(region=0, scenario=0)
    base_year = int(run["year"].values[0])
    e0 = run["e0"].sel(year=[base_year, base_year + SLIDER_YEARS])
    trend_gain = (e0.diff("year").isel(year=0) * 10.0 / SLIDER_YEARS).sel(sex=list(SEXES)).values
    gains = levers.e0_gain_per_decade
    extra = levers.additional_net_migration
    per_person = extra.persons_per_unit(float(run["population"].isel(year=0).sum()))
    values = {
        "tfr": float(run["tfr"].sel(year=min(tfr_target_year(levers, base_year), int(run["year"].values[-1])))),
        "e0_F": gains.F if isinstance(gains, BySex) else float(trend_gain[0]),
        "e0_M": gains.M if isinstance(gains, BySex) else float(trend_gain[1]),
        "extra_migration": extra.change * per_person,
        "retirement_age_shift": levers.retirement_age_shift,
    }
    values.update(
        {f"participation_{band}": levers.participation_change.get(band, 0.0) for band in PARTICIPATION_BANDS}
    )
    return values


def tfr_target_year(levers: Levers, base_year: int) -> int:
    """The year a moved TFR slider's target is reached: the path's year, or for a trend lever
    :data:`SLIDER_YEARS` after the base year (at least the year after it)."""
    year = levers.tfr.year if isinstance(levers.tfr, TfrPath) else base_year + SLIDER_YEARS
    return max(year, base_year + 1)


def levers_from_sliders(source: Levers, initial: Mapping[str, float], values: Mapping[str, float],
                        growth: Mapping[str, float], base_year: int,
                        steps: Mapping[str, float] | None = None) -> Levers:
    """``source`` with the levers whose slider moved away from ``initial`` set to the slider's value.

    A moved TFR slider becomes an absolute target reached in :func:`tfr_target_year`; a moved migration
    slider becomes additional net migrants in persons per year. The moved levers are validated with the
    scenario schema (:class:`~toolkit.scenarios.LeverOverrides`).

    Parameters
    ----------
    source : the picked scenario's levers for the area
    initial : slider positions that show ``source`` (:func:`slider_values`)
    values : current slider positions, same keys and units
    growth : employment growth by TOL section or ``default`` [% per year]
    base_year : the run's base year
    steps : slider step by name: a value within half a step of ``initial`` has not moved (a browser snaps a
        slider's value to its step when the page loads)

    Returns
    -------
    Levers

    Raises
    ------
    InputError
        if a value is outside the schema's range (naming the lever)
    """
    steps = steps or {}
    moved = {name for name, value in values.items() if abs(value - initial[name]) > 0.5 * steps.get(name, 0.0)}
    update: dict = {}
    if "tfr" in moved:
        shape = source.tfr.shape if isinstance(source.tfr, TfrPath) else "linear"
        update["tfr"] = {"target": values["tfr"], "year": tfr_target_year(source, base_year), "shape": shape}
    if moved & {"e0_F", "e0_M"}:
        update["e0_gain_per_decade"] = {"F": values["e0_F"], "M": values["e0_M"]}
    if "extra_migration" in moved:
        path = source.additional_net_migration
        update["additional_net_migration"] = {
            "change": values["extra_migration"], "year": path.year, "shape": path.shape, "unit": "persons"
        }
    bands = {band: values[f"participation_{band}"] for band in PARTICIPATION_BANDS
             if f"participation_{band}" in moved}
    if bands:
        update["participation_change"] = bands
    if "retirement_age_shift" in moved:
        update["retirement_age_shift"] = values["retirement_age_shift"]
    if dict(growth) != source.industry_growth:
        update["industry_growth"] = dict(growth)
    try:
        return source.merged(LeverOverrides.model_validate(update))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(map(str, first["loc"]))
        raise InputError(f"explorer levers: {where}: {first['msg']}") from None


def changed_levers(source: Levers, levers: Levers) -> list[str]:
    """Names of the levers that differ between ``source`` and ``levers``."""
    return [name for name in Levers.model_fields if getattr(source, name) != getattr(levers, name)]
