"""The dataset of a population run: variables, dimensions, units and the run's attributes (docs/conventions.md)."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr

from toolkit.nomenclature import AGE_GROUPS, AGES, QUANTILES, SEXES
from toolkit.population.ccm import SRB
from toolkit.version import __version__


def _flow(values: np.ndarray, year_axis: int, years: int) -> np.ndarray:
    """Prepend the base year (no flows: NaN) on the year axis of a flow array, unless it has it (``years``)."""
    if values.shape[year_axis] == years:
        return values
    pad_shape = list(values.shape)
    pad_shape[year_axis] = 1
    return np.concatenate([np.full(pad_shape, np.nan), values], axis=year_axis)


VARIABLES = {
    "population": (("sex", "age"), {"units": "persons", "long_name": "population on 31 December"}),
    "births": (("sex",), {"units": "persons", "long_name": "live births"}),
    "deaths": (("sex", "age"), {"units": "persons",
                                "long_name": "deaths by the age the cohort reaches on 31 December"}),
    "net_migration": (("sex", "age"), {"units": "persons", "long_name": "net migration by age at the move"}),
    "migration_capped": (("sex", "age"), {
        "units": "persons", "long_name": "net out-migration not applied because it would empty a cohort"}),
    "net_migration_total": (("sex",), {"units": "persons", "long_name": "net migration, all ages"}),
    "migration_capped_total": (("sex",), {
        "units": "persons", "long_name": "net out-migration not applied because it would empty a cohort, all ages"}),
    "population_group": (("age_group",), {"units": "persons", "long_name": "population on 31 December by age group"}),
    "tfr": ((), {"units": "children per woman", "long_name": "total fertility rate"}),
    "e0": (("sex",), {"units": "years", "long_name": "life expectancy at birth"}),
}
FLOWS = ("births", "deaths", "net_migration", "migration_capped", "net_migration_total", "migration_capped_total")


def to_dataset(arrays, mode, draws, bases, scenarios, base_year, horizon, provenance) -> xr.Dataset:
    lead = ("region", "scenario") + ((mode,) if mode else ())
    coords = {
        "region": [b.region.id for b in bases],
        "scenario": [s.id for s in scenarios],
        "year": np.arange(base_year, horizon + 1),
        "sex": list(SEXES),
        "age": AGES,
        "age_group": list(AGE_GROUPS),
    }
    if mode == "draw":
        coords["draw"] = np.arange(draws)
    elif mode == "quantile":
        coords["quantile"] = list(QUANTILES)
    variables = {}
    for name, (tail, attrs) in VARIABLES.items():
        if name not in arrays:  # quantile runs give migration as totals, the others by age
            continue
        values = arrays[name]
        if name in FLOWS:
            values = _flow(values, len(lead), horizon - base_year + 1)
        variables[name] = (lead + ("year",) + tail, values, attrs)
    ds = xr.Dataset(variables, coords=coords)
    ds = ds.assign_coords(region_code=("region", [b.region.code for b in bases]))
    ds["age"].attrs.update(open_age=100, units="years", long_name="age in completed years (100 = 100+)")
    ds["year"].attrs.update(long_name="year (stocks on 31 December, flows during the year)")
    ds["age_group"].attrs.update(long_name="age group in completed years (both sexes)")
    ds.attrs.update(
        toolkit_version=__version__,
        base_year=int(base_year),
        horizon=int(horizon),
        open_age=100,
        draws=int(draws),
        sex_ratio_at_birth=SRB,
        scenario_hashes=json.dumps({s.id: s.sha256 for s in scenarios}),
        estimated_regions=json.dumps([b.region.id for b in bases if b.estimated]),
        estimation_notes=json.dumps([note for b in bases for note in b.notes], ensure_ascii=False),
        data_provenance=json.dumps(provenance, ensure_ascii=False),
        source="Source: Statistics Finland (CC BY 4.0); UN WPP (CC BY 3.0 IGO); projections by the futures-forum "
               "toolkit",
    )
    return ds
