"""Headline indicators of a skills run (their sentences: :func:`toolkit.report.skills_sentences`)."""

from __future__ import annotations

import xarray as xr

from toolkit.errors import InputError


def default_periods(years) -> tuple[tuple[int, int], ...]:
    """Headline periods of a run: its first ten projected years, then the rest (if any).

    Parameters
    ----------
    years : the run's years; the first is the base year

    Returns
    -------
    ((first, last), ...) inclusive year ranges inside the projected years; one period if the run has at most
    ten projected years
    """
    base, last = int(years[0]), int(years[-1])
    first_end = min(base + 10, last)
    return ((base + 1, first_end),) + (((first_end + 1, last),) if last > first_end else ())


def headline_indicators(
    skills: xr.Dataset,
    periods: tuple[tuple[int, int], ...] | None = None,
    balance_years: tuple[int, ...] | None = None,
) -> xr.Dataset:
    """Headline indicators of a skills run.

    Parameters
    ----------
    skills : output of `toolkit.skills.project_skills`
    periods : (first, last) year ranges, inclusive; the first also gives the two shares; default
        `default_periods` of the run (works for any horizon)
    balance_years : years of the labour balance; default the last year of each period

    Returns
    -------
    Dataset (region, scenario, [draw or quantile]) with ``openings_<first>_<last>`` [jobs per year],
    ``retirement_share`` and ``health_social_share`` [1] of the first period's openings, and
    ``labour_balance_<year>`` [persons]
    """
    periods = default_periods(skills["year"].values) if periods is None else periods
    balance_years = tuple(last for _, last in periods) if balance_years is None else balance_years
    out = {}
    for first, last in periods:
        _check_years(skills, first, last)
        openings = skills["job_openings"].sel(year=slice(first, last))
        out[f"openings_{first}_{last}"] = openings.sum("industry").mean("year")
    first, last = periods[0]
    window = skills.sel(year=slice(first, last))
    total = window["job_openings"].sum(["industry", "year"])
    out["retirement_share"] = window["exits_retirement"].sum(["industry", "year"]) / total
    out["health_social_share"] = window["job_openings"].sel(industry="Q", drop=True).sum("year") / total
    for year in balance_years:
        _check_years(skills, year, year)
        out[f"labour_balance_{year}"] = skills["labour_balance"].sel(year=year, drop=True)
    result = xr.Dataset(out)
    result.attrs = {"share_period": f"{first}-{last}"}
    return result


def _check_years(skills: xr.Dataset, first: int, last: int) -> None:
    years = skills["year"].values
    if first < years[1] or last > years[-1]:
        raise InputError(
            f"headline: years {first}-{last} are outside the projected years "
            f"{years[1]}-{years[-1]} of the run"
        )
