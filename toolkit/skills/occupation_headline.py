"""Headline numbers and sentences of the occupation and education layer, for one area and scenario.

Texts come from the catalogue (``toolkit/text/catalogue/occupations.yaml``), numbers are written with
`toolkit.text.number`, so every sentence reads the same in the pack and the explorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import central
from toolkit.skills.headline import default_periods
from toolkit.text import number, t


@dataclass(frozen=True)
class OccupationHeadline:
    """The occupation layer's headline numbers over one period.

    Attributes
    ----------
    period : (first, last) years, inclusive
    education_shares : education level -> share of the period's openings [1]
    top_occupation : the group with the most openings, and its openings [jobs per year]
    largest_shortage : the group with the most negative balance, and its balance over the period [persons]
        (None if no group has a shortage)
    """

    period: tuple[int, int]
    education_shares: dict[str, float]
    top_occupation: tuple[str, float]
    largest_shortage: tuple[str, float] | None


def occupation_headline(
    skills: xr.Dataset, region: str, scenario: str, period: tuple[int, int] | None = None
) -> OccupationHeadline:
    """Education shares of openings, the top occupation group and the largest shortage of one area and scenario.

    Parameters
    ----------
    skills : a `toolkit.skills.project_skills` run with the occupation layer
    region, scenario : ids on the run's dimensions
    period : (first, last) inclusive; default the first headline period of the run (`default_periods`)

    Returns
    -------
    OccupationHeadline (central values of a draw or quantile run)
    """
    if "job_openings_by_occupation" not in skills:
        raise InputError("occupation headline: the skills run has no occupation layer (run with occupations=True)")
    years = skills["year"].values
    first, last = default_periods(years)[0] if period is None else period
    if first <= int(years[0]) or last > int(years[-1]) or first > last:
        raise InputError(f"occupation headline: period {first}-{last} is outside the projected years "
                         f"{int(years[1])}-{int(years[-1])} of the run")
    window = central(skills.sel(region=region, scenario=scenario, year=slice(first, last)))
    education = window["job_openings_by_education"].sum("year")
    shares = {str(level): float(value) for level, value in (education / education.sum()).to_series().items()}
    openings = window["job_openings_by_occupation"].mean("year")
    top = str(openings.idxmax("occupation").values)
    balance = window["occupation_balance"].sum("year")
    worst = str(balance.idxmin("occupation").values)
    shortage = (worst, float(balance.sel(occupation=worst))) if float(balance.min()) < 0 else None
    return OccupationHeadline((first, last), shares, (top, float(openings.sel(occupation=top))), shortage)


def percent(share: float, lang: str) -> str:
    """A share written as a whole percentage: ``40 %`` (fi, sv) or ``40%`` (en)."""
    value = number(100 * share, lang)
    return f"{value}%" if lang == "en" else f"{value}\u00a0%"


def occupation_sentences(headline: OccupationHeadline, area: str, lang: str) -> list[str]:
    """The headline sentences of the occupation layer in ``lang``.

    Parameters
    ----------
    headline : from `occupation_headline`
    area : the area's name in ``lang``
    lang : ``fi``, ``sv`` or ``en``

    Returns
    -------
    list of sentences: the education level most openings need and its share, the occupation group with the
    most openings, and the group with the largest shortage of matching new entrants (if any)
    """
    period = f"{headline.period[0]}–{headline.period[1]}"
    level = max(headline.education_shares, key=headline.education_shares.get)
    sentences = [
        t("skills_sentence_education_share", lang, area=area, period=period,
          percent=percent(headline.education_shares[level], lang), level=t(f"edu_level_need_{level}", lang)),
        t("skills_sentence_top_occupation", lang, area=area, period=period,
          occupation=t(f"occupation_{headline.top_occupation[0]}", lang).lower(),
          value=number(round(headline.top_occupation[1], -1), lang)),
    ]
    if headline.largest_shortage is not None:
        code, balance = headline.largest_shortage
        sentences.append(t("skills_sentence_shortage", lang, area=area, period=period,
                           occupation=t(f"occupation_{code}", lang).lower(), value=number(round(-balance, -1), lang)))
    return sentences
