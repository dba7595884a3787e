"""The loaded inputs of the population model: every table it reads, in one object.

:func:`load_population_inputs` reads the base data of ``params/data`` (validated by :mod:`toolkit.io.params`)
into a :class:`PopulationInputs`; :func:`toolkit.population.project.project_population` takes one
(``inputs=``), so that a test or another caller can hand in tables of its own instead of files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd
import xarray as xr

from toolkit.errors import InputError
from toolkit.io import params as data
from toolkit.io.plausibility import check_migration
from toolkit.nomenclature import COUNTRY_CODE

REGIONAL_SERIES = ("population", "tfr", "life_expectancy", "net_migration_age5", "net_migration_total")
"""The regional time series of the inputs (cut at the base year of a run)."""


@dataclass(frozen=True, eq=False)
class PopulationInputs:
    """The tables of the population model (as the loaders of :mod:`toolkit.io.params` return them).

    Attributes
    ----------
    population : (region_code, year, sex, age) [persons] on 31 December
    tfr : (region_code, year) [children per woman]
    life_expectancy : (region_code, year, sex) [years], 3-year moving averages ending in ``year``
    net_migration_age5 : (region_code, year, sex, age_start) [persons], coordinate ``age_end``
    net_migration_total : (region_code, year) [persons]
    qx_national : (year, sex, age 0..99) [1]
    mx_wpp : (period_start, sex, age_start) [1/year], coordinates ``period_end``, ``status``
    asfr_national : (year, age 15..49) [births per woman per year], coordinate ``status``
    municipalities : municipality totals by year and sex (frame, see ``docs/conventions.md``)
    municipality_age_groups : (municipality_code, age_start) [persons], 31 Dec 2018
    tfr_national_history : the country's TFR by year, the longest history (UN WPP 1950–, Statistics Finland's
        own series where ``tfr`` has it) [children per woman]; ``None`` when not given (synthetic tables)
    provenance : file name -> {``sha256``, ``source``}; fits are cached on disk only for inputs whose files
        are named here with their hashes (synthetic inputs are fitted in memory)
    """

    population: xr.DataArray
    tfr: xr.DataArray
    life_expectancy: xr.DataArray
    net_migration_age5: xr.DataArray
    net_migration_total: xr.DataArray
    qx_national: xr.DataArray
    mx_wpp: xr.DataArray
    asfr_national: xr.DataArray
    municipalities: pd.DataFrame
    municipality_age_groups: xr.DataArray
    provenance: dict = field(default_factory=dict)
    tfr_national_history: pd.Series | None = None

    @property
    def latest_base_year(self) -> int:
        """The last year with an observed population by age and sex (the default base year)."""
        return int(self.population["year"].max())

    @property
    def first_base_year(self) -> int:
        """The first year that can serve as a base: one year after the first observed population."""
        return int(self.population["year"].min()) + 1

    def up_to(self, base_year: int) -> PopulationInputs:
        """These inputs without the regional observations after ``base_year`` (itself if there are none)."""
        if base_year >= self.latest_base_year:
            return self
        return _cut(self, base_year)


@lru_cache(maxsize=32)
def _cut(inputs: PopulationInputs, base_year: int) -> PopulationInputs:
    series = {name: getattr(inputs, name).sel(year=slice(None, base_year)) for name in REGIONAL_SERIES}
    history = inputs.tfr_national_history
    return replace(inputs, **series, tfr_national_history=None if history is None else history.loc[:base_year])


def load_population_inputs(regions: Sequence | None = None, *, base_year: int | None = None) -> PopulationInputs:
    """The population model's tables from ``params/data``, for ``regions`` and the data up to ``base_year``.

    Parameters
    ----------
    regions : areas (:class:`toolkit.regions.Region`) whose regional series are kept, with their parent regions
        and the country; ``None``: every area in the files
    base_year : observations after this year are left out of the regional series (population, TFR, life
        expectancy, migration), so that a projection from it cannot use them; ``None``: all years

    Returns
    -------
    PopulationInputs (shared between calls with the same arguments and data folder: do not modify it)
    """
    codes = None
    if regions is not None:
        parents = {region.parent_code for region in regions if region.parent_code}
        codes = tuple(sorted({region.code for region in regions} | set(parents) | {COUNTRY_CODE}))
    return _load(codes, base_year, data.params_dir())


def national_tfr_history(tfr: xr.DataArray, indicators: pd.DataFrame) -> pd.Series:
    """The country's TFR by year over the longest history: Statistics Finland's national series (``tfr``, code
    ``SSS``) where it exists, the UN WPP estimates (``indicators``, status ``estimate``) before it."""
    own = tfr.sel(region_code=COUNTRY_CODE).to_series() if COUNTRY_CODE in tfr["region_code"].values else None
    wpp = indicators[indicators["status"] == "estimate"].set_index("year")["tfr"]
    if own is None:
        return wpp.rename("tfr")
    own.index = own.index.astype(int)
    return pd.concat([wpp[wpp.index < own.index.min()], own]).rename("tfr").sort_index()


@lru_cache(maxsize=16)
def _load(codes: tuple[str, ...] | None, base_year: int | None, folder: Path) -> PopulationInputs:
    """The inputs of :func:`load_population_inputs`, cached per region codes, base year and data folder."""
    series = {"population": data.load_population(), "tfr": data.load_tfr(),
              "life_expectancy": data.load_life_expectancy(), "net_migration_age5": data.load_net_migration_age5(),
              "net_migration_total": data.load_net_migration_total()}
    check_migration(series["population"], series["net_migration_total"], series["net_migration_age5"],
                    folder=folder / "data")
    if codes is not None:
        series = {name: values.sel(region_code=[code for code in values["region_code"].values if code in codes])
                  for name, values in series.items()}
    inputs = PopulationInputs(
        **series, qx_national=data.load_qx_national(), mx_wpp=data.load_mx_wpp(),
        asfr_national=data.load_asfr_national(), municipalities=data.load_municipalities(),
        municipality_age_groups=data.load_municipality_age_groups(), provenance=data.data_provenance(),
        tfr_national_history=national_tfr_history(series["tfr"], data.load_national_indicators()))
    if base_year is None:
        return inputs
    if not inputs.first_base_year <= base_year <= inputs.latest_base_year:
        raise InputError(f"base year {base_year} is outside the allowed range {inputs.first_base_year}.."
                         f"{inputs.latest_base_year} of the population in {data.data_path('population')}")
    return inputs.up_to(base_year)

