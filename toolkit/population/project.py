"""`project_population`: regions × scenarios → one xarray Dataset (the orchestrator of the population model)."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import xarray as xr

import toolkit
from toolkit import data
from toolkit.errors import InputError
from toolkit.population.ccm import project
from toolkit.population.inputs import (
    AGES,
    SEXES,
    RegionBase,
    latest_base_year,
    national_patterns,
    region_base,
)
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.schedules import rogers_castro
from toolkit.regions import Region, get_region
from toolkit.scenarios import Scenario, load_scenarios

MAX_HORIZON_YEARS = 100
SRB = 1.05


def _resolve(regions) -> list[Region]:
    if isinstance(regions, str | Region):
        regions = [regions]
    out = [r if isinstance(r, Region) else get_region(r) for r in regions]
    if not out:
        raise InputError("no region selected; name at least one region id or code (see `forum regions`)")
    ids = [r.id for r in out]
    repeated = [i for i in ids if ids.count(i) > 1]
    if repeated:
        raise InputError(f"region {repeated[0]!r} given twice (ids and codes name the same area)")
    return out


def _check_horizon(horizon: int, base_year: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise InputError(f"horizon must be a year (integer), got {horizon!r}")
    if not base_year < horizon <= base_year + MAX_HORIZON_YEARS:
        last = base_year + MAX_HORIZON_YEARS
        raise InputError(f"horizon {horizon} is outside the allowed range {base_year + 1}..{last} "
                         f"(after the base year {base_year}, at most {MAX_HORIZON_YEARS} years ahead)")


def lever_arrays(bases: Sequence[RegionBase], scenarios: Sequence[Scenario], years: np.ndarray) -> dict:
    """Lever paths for every region × scenario over the projected ``years``.

    Returns arrays with leading dims (region, scenario): ``tfr`` (…, T), ``shift`` (…, T), ``e0`` (…, T, 2),
    ``rate_scale`` (…), ``extra`` (…, T) additional net migrants per year [persons].
    """
    shape = (len(bases), len(scenarios))
    out = {"tfr": np.empty(shape + (len(years),)), "shift": np.empty(shape + (len(years),)),
           "e0": np.empty(shape + (len(years), 2)), "rate_scale": np.empty(shape),
           "extra": np.empty(shape + (len(years),))}
    for i, base in enumerate(bases):
        for j, scenario in enumerate(scenarios):
            levers = scenario.levers_for(base.region.id)
            out["tfr"][i, j] = levers.tfr.values(base.tfr, base.base_year, years)
            out["shift"][i, j] = levers.mean_age_at_birth_shift.values(0.0, base.base_year, years)
            gain = np.array([levers.e0_gain_per_decade.F, levers.e0_gain_per_decade.M])
            out["e0"][i, j] = base.e0 + gain * ((years[:, None] - base.e0_year) / 10.0)
            out["rate_scale"][i, j] = levers.migration_rate_scale
            extra = levers.additional_net_migration
            per = 1.0 if extra.unit == "persons" else base.population.sum() / 1000.0
            out["extra"][i, j] = extra.values(0.0, base.base_year, years) * per
    return out


def project_population(regions, scenarios=("baseline",), *, horizon: int = 2050, draws: int = 0, seed: int = 0,
                       base_year: int | None = None) -> xr.Dataset:
    """Deterministic cohort-component projection of regions under scenarios.

    Parameters
    ----------
    regions : region ids, codes or :class:`~toolkit.regions.Region` objects (one or several)
    scenarios : scenario ids, paths to scenario files, or :class:`~toolkit.scenarios.Scenario` objects
    horizon : last projected year (31 Dec)
    draws, seed : Monte Carlo draws (0 = deterministic) and their seed
    base_year : jump-off year; ``None`` = the last observed year

    Returns
    -------
    xarray.Dataset with ``population`` (region, scenario, year, sex, age) including the base year, ``births``
    (…, year, sex), ``deaths``, ``net_migration`` and ``migration_capped`` (…, year, sex, age) — flows are NaN in
    the base year — and the lever paths ``tfr`` (…, year) and ``e0`` (…, year, sex). See docs/conventions.md.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 0:
        raise InputError(f"draws must be a whole number ≥ 0, got {draws!r}")
    if draws:
        raise InputError("draws > 0: probabilistic projections are not available in this version; use draws=0")
    latest = latest_base_year()
    if base_year is not None and base_year != latest:
        raise InputError(f"base year {base_year}: projections from an earlier observed year (hindcasts) are not "
                         f"available in this version; the base year is {latest}")
    base_year = latest
    _check_horizon(horizon, base_year)
    if isinstance(scenarios, str | Scenario):
        scenarios = [scenarios]
    scenario_list = load_scenarios(scenarios)
    if not scenario_list:
        raise InputError("no scenario selected; name at least one (see `forum scenarios`)")
    region_list = _resolve(regions)

    bases = [region_base(r, base_year) for r in region_list]
    patterns = national_patterns(base_year)
    paths = lever_arrays(bases, scenario_list, np.arange(base_year, horizon + 1))  # base year included
    levers = {name: value[:, :, 1:] if value.ndim > 2 else value for name, value in paths.items()}

    start = np.stack([b.population for b in bases])[:, None]  # (R, 1, 2, A)
    Lx, _ = person_years(levers["e0"], patterns.mortality)  # (R, S, T, 2, A)
    asfr = fertility_rates(levers["tfr"], levers["shift"], patterns.fertility)  # (R, S, T, A)
    scale = levers["rate_scale"][..., None, None, None]
    own_rate = np.stack([b.migration_rate for b in bases])[:, None, None]  # (R, 1, 1, 2, A)
    schedule = 0.5 * rogers_castro()  # additional migrants: half women, half men
    counts = levers["extra"][..., None, None] * schedule
    result = project(start, Lx, asfr, srb=SRB, migration_rate=scale * own_rate, migration_count=counts)
    return _to_dataset(result, paths, bases, scenario_list, base_year, horizon)


def _flow(values: np.ndarray) -> np.ndarray:
    """Prepend the base year (no flows: NaN) on the year axis of a flow array (..., T, *rest)."""
    pad = np.full(values.shape[:2] + (1,) + values.shape[3:], np.nan)
    return np.concatenate([pad, values], axis=2)


def _to_dataset(result, paths, bases, scenarios, base_year, horizon) -> xr.Dataset:
    years = np.arange(base_year, horizon + 1)
    coords = {
        "region": [b.region.id for b in bases],
        "scenario": [s.id for s in scenarios],
        "year": years,
        "sex": list(SEXES),
        "age": AGES,
    }
    dims = ("region", "scenario", "year", "sex", "age")
    ds = xr.Dataset(
        {
            "population": (dims, result.population, {"units": "persons", "long_name": "population on 31 December"}),
            "births": (dims[:4], _flow(result.births), {"units": "persons", "long_name": "live births"}),
            "deaths": (dims, _flow(result.deaths), {
                "units": "persons", "long_name": "deaths by the age the cohort reaches on 31 December"}),
            "net_migration": (dims, _flow(result.net_migration), {
                "units": "persons", "long_name": "net migration by age at the move"}),
            "migration_capped": (dims, _flow(result.migration_capped), {
                "units": "persons", "long_name": "net out-migration not applied because it would empty a cohort"}),
            "tfr": (dims[:3], paths["tfr"], {
                "units": "children per woman", "long_name": "total fertility rate"}),
            "e0": (dims[:4], paths["e0"], {
                "units": "years", "long_name": "life expectancy at birth"}),
        },
        coords=coords,
    )
    ds = ds.assign_coords(region_code=("region", [b.region.code for b in bases]))
    ds["age"].attrs.update(open_age=100, units="years", long_name="age in completed years (100 = 100+)")
    ds["year"].attrs.update(long_name="year (stocks on 31 December, flows during the year)")
    ds.attrs.update(
        toolkit_version=toolkit.__version__,
        base_year=int(base_year),
        horizon=int(horizon),
        open_age=100,
        draws=0,
        seed=0,
        sex_ratio_at_birth=SRB,
        scenario_hashes=json.dumps({s.id: s.sha256 for s in scenarios}),
        estimated_regions=json.dumps([b.region.id for b in bases if b.estimated]),
        estimation_notes=json.dumps([note for b in bases for note in b.notes], ensure_ascii=False),
        data_provenance=json.dumps(data.data_provenance(), ensure_ascii=False),
        source="Source: Statistics Finland (CC BY 4.0); UN WPP (CC BY 3.0 IGO); projections by the futures-forum "
               "toolkit",
    )
    return ds
