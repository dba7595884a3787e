"""Derived population indicators: age-group totals, dependency ratios, change and headline numbers.

Every function takes xarray objects laid out as in ``docs/conventions.md`` and works with any leading
dimensions (``region``, ``scenario``) and with or without a ``draw`` or ``quantile`` dimension. Sums over
``age`` and ``sex`` are done per draw, so the draws of an ensemble stay coherent. On a ``quantile``
summary they are sums of quantiles, which only approximate the quantiles of the sum: when the draws
are available, compute the indicator first and summarise the draws after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import xarray as xr

from toolkit.errors import InputError
from toolkit.nomenclature import AGE_GROUPS, MEASURES, OPEN_AGE, QUANTILES

GROUPS = {name: bounds for name, bounds in AGE_GROUPS.items() if name != "total"}
"""The age groups of the indicators (:data:`toolkit.nomenclature.AGE_GROUPS` without ``total``)."""


def age_group_totals(
    population: xr.DataArray, groups: Mapping[str, tuple[int, int]] = GROUPS
) -> xr.DataArray:
    """Persons in each age group, summed over age and sex.

    Parameters
    ----------
    population : DataArray (..., sex, age) [persons]
        Population stock; ``sex`` is optional.
    groups : mapping of group id -> (first age, last age), inclusive [years]
        Ages must lie in 0..100 with first <= last.

    Returns
    -------
    DataArray (..., age_group) [persons]
        The other dimensions of ``population`` in their order, ``age_group`` last.
    """
    _require_dims(population, ("age",), "population")
    ages = population["age"].values
    membership = np.array([_group_mask(name, bounds, ages) for name, bounds in groups.items()], dtype=float)
    weights = xr.DataArray(
        membership, dims=("age_group", "age"), coords={"age_group": list(groups), "age": ages}
    )
    totals = xr.dot(population, weights, dim="age")
    if "sex" in totals.dims:
        totals = totals.sum("sex")
    totals = totals.transpose(..., "age_group")
    totals.attrs = {"units": "persons", "long_name": "population by age group"}
    return totals


def _group_mask(name: str, bounds: tuple[int, int], ages: np.ndarray) -> np.ndarray:
    first, last = bounds
    if not (0 <= first <= last <= OPEN_AGE):
        raise InputError(
            f"age group '{name}': bounds {bounds} are not valid; allowed: 0 <= first <= last <= {OPEN_AGE}"
        )
    return (ages >= first) & (ages <= last)


def dependency_ratios(population: xr.DataArray) -> xr.Dataset:
    """Old-age and total dependency ratios.

    Parameters
    ----------
    population : DataArray (..., sex, age) [persons]

    Returns
    -------
    Dataset with ``old_age_dependency`` and ``total_dependency`` (...) [persons per 100 of working age]

    Notes
    -----
    old-age = 100 · P(65+) / P(15–64); total = 100 · (P(0–14) + P(65+)) / P(15–64).
    """
    groups = age_group_totals(population)
    working_age = groups.sel(age_group="15-64", drop=True)
    old = groups.sel(age_group="65+", drop=True)
    young = groups.sel(age_group="0-14", drop=True)
    units = "persons per 100 persons aged 15-64"
    return xr.Dataset(
        {
            "old_age_dependency": (100.0 * old / working_age).assign_attrs(
                units=units, long_name="old-age dependency ratio"
            ),
            "total_dependency": (100.0 * (young + old) / working_age).assign_attrs(
                units=units, long_name="total dependency ratio"
            ),
        }
    )


def population_measure(population: xr.DataArray, measure: str) -> xr.DataArray:
    """One named indicator of a population, summed over age and sex.

    Parameters
    ----------
    population : DataArray (..., sex, age) [persons]
    measure : str
        ``total`` [persons], an age-group id of :data:`AGE_GROUPS` [persons],
        ``old_age_dependency`` or ``total_dependency`` [per 100 aged 15–64], or
        ``age_75_plus_share`` [% of the population].

    Returns
    -------
    DataArray (...) with ``attrs["units"]``.
    """
    if measure == "total":
        _require_dims(population, ("age",), "population")
        total = population.sum([dim for dim in ("sex", "age") if dim in population.dims])
        return total.assign_attrs(units="persons", long_name="total population")
    if measure in AGE_GROUPS:
        return age_group_totals(population, {measure: AGE_GROUPS[measure]}).squeeze("age_group", drop=True)
    if measure in ("old_age_dependency", "total_dependency"):
        return dependency_ratios(population)[measure]
    if measure == "75+_share":
        share = (
            100.0 * population_measure(population, "75+") / population_measure(population, "total")
        )
        return share.assign_attrs(units="%", long_name="share of persons aged 75+")
    raise InputError(f"measure '{measure}' is not known; allowed: {', '.join(MEASURES)}")


def change_percent(x: xr.DataArray, from_year: int, to_year: int) -> xr.DataArray:
    """Relative change between two years.

    Parameters
    ----------
    x : DataArray (..., year, ...)
    from_year, to_year : int
        Years present in ``x``.

    Returns
    -------
    DataArray (...) [%]
        100 · (x[to_year] / x[from_year] − 1); NaN where x[from_year] is zero.
    """
    _require_years(x, (from_year, to_year))
    start = x.sel(year=from_year, drop=True)
    end = x.sel(year=to_year, drop=True)
    change = 100.0 * (end / start.where(start != 0) - 1.0)
    return change.assign_attrs(units="%", long_name=f"change {from_year}-{to_year}")


def summarise_draws(da: xr.DataArray, quantiles: Iterable[float] = QUANTILES) -> xr.DataArray:
    """Replace the ``draw`` dimension by a ``quantile`` dimension in the same position.

    Parameters
    ----------
    da : DataArray (..., draw, ...)
        An array without ``draw`` (deterministic or already summarised) is returned unchanged.
    quantiles : iterable of float
        Probabilities strictly between 0 and 1.

    Returns
    -------
    DataArray (..., quantile, ...) in the units of ``da``.
    """
    levels = [float(q) for q in quantiles]
    if not levels or not all(0.0 < q < 1.0 for q in levels):
        raise InputError(f"quantiles {levels} are not valid; allowed: values strictly between 0 and 1")
    if "draw" not in da.dims:
        return da
    order = ["quantile" if dim == "draw" else dim for dim in da.dims]
    summary = da.quantile(levels, dim="draw").transpose(*order)
    return summary.assign_attrs(da.attrs)


def central(da: xr.DataArray) -> xr.DataArray:
    """The central value: median over ``draw``, the 0.5 quantile, or the array itself if deterministic.

    Parameters
    ----------
    da : DataArray, with or without ``draw`` / ``quantile``

    Returns
    -------
    DataArray without ``draw`` and ``quantile``, in the units of ``da``.
    """
    if "draw" in da.dims:
        return da.median("draw").assign_attrs(da.attrs)
    if "quantile" in da.dims:
        if 0.5 not in da["quantile"].values:
            raise InputError(
                f"the quantile dimension has no 0.5 (median); present: {list(da['quantile'].values)}"
            )
        return da.sel(quantile=0.5, drop=True)
    return da


def headline_population(
    ds: xr.Dataset, region: str, scenario: str, years: Iterable[int] = (2035, 2050)
) -> xr.Dataset:
    """Headline numbers of one region and scenario for the base year and the given years.

    Parameters
    ----------
    ds : Dataset with ``population`` (region, scenario, [draw|quantile], year, sex, age) [persons]
        ``attrs["base_year"]`` is the reference year for changes (else the first year).
    region, scenario : str
        Ids present in ``ds``.
    years : iterable of int
        Years present in ``ds``.

    Returns
    -------
    Dataset over ``year`` (base year first, then ``years``), keeping ``draw`` / ``quantile``:
    ``total`` [persons], ``change_percent`` [% since the base year], ``age_75_plus`` [persons],
    ``age_75_plus_share`` [%], ``working_age`` [persons], ``school_age`` [persons],
    ``old_age_dependency`` [per 100 aged 15–64].
    """
    population = select(ds["population"], region=region, scenario=scenario)
    base_year = int(ds.attrs.get("base_year", population["year"].values[0]))
    wanted = [base_year, *(int(year) for year in years if int(year) != base_year)]
    _require_years(population, wanted)
    population = population.sel(year=wanted)
    total = population_measure(population, "total")
    base_total = total.sel(year=base_year, drop=True)
    groups = age_group_totals(population, {name: AGE_GROUPS[name] for name in ("75+", "15-64", "7-15", "65+")})
    group = {name: groups.sel(age_group=name, drop=True) for name in groups["age_group"].values}  # one pass
    headline = {
        "75+": group["75+"],
        "75+_share": (100.0 * group["75+"] / total).assign_attrs(units="%", long_name="share of persons aged 75+"),
        "15-64": group["15-64"],
        "7-15": group["7-15"],
        "old_age_dependency": (100.0 * group["65+"] / group["15-64"]).assign_attrs(
            units="persons per 100 persons aged 15-64", long_name="old-age dependency ratio"),
    }
    change = (100.0 * (total / base_total - 1.0)).assign_attrs(
        units="%", long_name=f"change since {base_year}"
    )
    return xr.Dataset({"total": total, "change_percent": change, **headline}, attrs={"base_year": base_year})


def select(da: xr.DataArray, **labels: str) -> xr.DataArray:
    """Select one label per dimension, with an error that lists the labels present.

    Parameters
    ----------
    da : DataArray
    **labels : dimension name -> label

    Returns
    -------
    DataArray without the selected dimensions.
    """
    for dim, label in labels.items():
        _require_dims(da, (dim,), da.name or "data")
        present = [str(value) for value in da[dim].values]
        if str(label) not in present:
            raise InputError(f"{dim} '{label}' is not in the data; present: {', '.join(present)}")
    return da.sel(labels, drop=True)


def _require_dims(da: xr.DataArray, dims: Iterable[str], what: str) -> None:
    missing = [dim for dim in dims if dim not in da.dims]
    if missing:
        raise InputError(
            f"{what} has no dimension {', '.join(missing)}; its dimensions: {', '.join(da.dims)}"
        )


def _require_years(da: xr.DataArray, years: Iterable[int]) -> None:
    _require_dims(da, ("year",), da.name or "data")
    present = set(int(year) for year in da["year"].values)
    missing = [int(year) for year in years if int(year) not in present]
    if missing:
        raise InputError(f"year {missing} is not in the data; present: {min(present)}..{max(present)}")
