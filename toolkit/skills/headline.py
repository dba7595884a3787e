"""Headline indicators of a skills run, each with a one-sentence rendering in fi, sv and en."""

from __future__ import annotations

import xarray as xr

from toolkit.errors import InputError

LANGS = ("fi", "sv", "en")
NEAR_FRACTION = 0.12  # relative distance within which a share reads as "one in N"
ORDINALS = {
    "fi": {
        2: "toinen",
        3: "kolmas",
        4: "neljäs",
        5: "viides",
        6: "kuudes",
        7: "seitsemäs",
        8: "kahdeksas",
        9: "yhdeksäs",
        10: "kymmenes",
    },
    "sv": {
        2: "andra",
        3: "tredje",
        4: "fjärde",
        5: "femte",
        6: "sjätte",
        7: "sjunde",
        8: "åttonde",
        9: "nionde",
        10: "tionde",
    },
    "en": {
        2: "two",
        3: "three",
        4: "four",
        5: "five",
        6: "six",
        7: "seven",
        8: "eight",
        9: "nine",
        10: "ten",
    },
}
SENTENCES = {
    "openings": {
        "fi": "Vuosina {period} avautuu noin {value} työpaikkaa vuodessa.",
        "sv": "Åren {period} öppnas ungefär {value} jobb per år.",
        "en": "About {value} job openings a year in {period}.",
    },
    "retirement_share": {
        "fi": (
            "Noin joka {ordinal} avautuva työpaikka vuosina {period} syntyy eläkkeelle jäävän tilalle.",
            "Avautuvista työpaikoista vuosina {period} noin {percent} syntyy eläkkeelle jäävien tilalle.",
        ),
        "sv": (
            "Ungefär vart {ordinal} jobb som öppnas {period} ersätter någon som går i pension.",
            "Ungefär {percent} av de jobb som öppnas {period} ersätter personer som går i pension.",
        ),
        "en": (
            "About one in {ordinal} job openings in {period} replaces a worker who retires.",
            "About {percent} of job openings in {period} replace workers who retire.",
        ),
    },
    "health_social_share": {
        "fi": (
            "Noin joka {ordinal} avautuva työpaikka vuosina {period} on sosiaali- ja terveyspalveluissa.",
            "Avautuvista työpaikoista vuosina {period} noin {percent} on sosiaali- ja terveyspalveluissa.",
        ),
        "sv": (
            "Ungefär vart {ordinal} jobb som öppnas {period} finns inom vård och omsorg.",
            "Ungefär {percent} av de jobb som öppnas {period} finns inom vård och omsorg.",
        ),
        "en": (
            "About one in {ordinal} job openings in {period} is in health and social work.",
            "About {percent} of job openings in {period} are in health and social work.",
        ),
    },
    "labour_balance": {
        "fi": (
            "Vuonna {year} työvoimaa on noin {value} henkeä enemmän kuin työpaikat tarvitsisivat "
            "nykyisellä työttömyysasteella.",
            "Vuonna {year} työvoimaa on noin {value} henkeä vähemmän kuin työpaikat tarvitsisivat "
            "nykyisellä työttömyysasteella.",
        ),
        "sv": (
            "År {year} är arbetskraften ungefär {value} personer större än jobben skulle kräva vid "
            "dagens arbetslöshet.",
            "År {year} är arbetskraften ungefär {value} personer mindre än jobben skulle kräva vid "
            "dagens arbetslöshet.",
        ),
        "en": (
            "In {year} the labour force is about {value} persons larger than the jobs would need at "
            "today's unemployment rate.",
            "In {year} the labour force is about {value} persons smaller than the jobs would need at "
            "today's unemployment rate.",
        ),
    },
}


def headline_indicators(
    skills: xr.Dataset,
    periods: tuple[tuple[int, int], ...] = ((2026, 2035), (2036, 2050)),
    balance_years: tuple[int, ...] = (2035, 2050),
) -> xr.Dataset:
    """Headline indicators of a skills run.

    Parameters
    ----------
    skills : output of `toolkit.skills.project_skills`
    periods : (first, last) year ranges, inclusive; the first also gives the two shares
    balance_years : years of the labour balance

    Returns
    -------
    Dataset (region, scenario, [draw or quantile]) with ``openings_<first>_<last>`` [jobs per year],
    ``retirement_share`` and ``health_social_share`` [1] of the first period's openings, and
    ``labour_balance_<year>`` [persons]
    """
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


def headline_sentences(indicators: xr.Dataset, lang: str = "en") -> dict[str, str]:
    """One sentence per headline indicator of one area and scenario.

    Parameters
    ----------
    indicators : `headline_indicators` output reduced to scalars (select region, scenario and a
        quantile or draw first)
    lang : ``"fi"``, ``"sv"`` or ``"en"``

    Returns
    -------
    dict indicator name -> sentence
    """
    if lang not in LANGS:
        raise InputError(f"lang {lang!r} is not supported; allowed: {', '.join(LANGS)}")
    if any(indicators[name].ndim for name in indicators):
        raise InputError(
            "headline_sentences: select one region and scenario (and one draw or quantile) first"
        )
    period = indicators.attrs["share_period"].replace("-", "–")
    sentences = {}
    for name in indicators:
        value = float(indicators[name])
        if name.startswith("openings_"):
            span = "–".join(name.split("_")[1:])
            text = SENTENCES["openings"][lang].format(period=span, value=format_number(value, lang))
        elif name.startswith("labour_balance_"):
            surplus, shortage = SENTENCES["labour_balance"][lang]
            template = surplus if value >= 0 else shortage
            text = template.format(year=name.rsplit("_", 1)[1], value=format_number(abs(value), lang))
        else:
            text = share_sentence(SENTENCES[name][lang], value, lang, period)
        sentences[name] = text
    return sentences


def share_sentence(templates: tuple[str, str], share: float, lang: str, period: str) -> str:
    """Render a share as "one in N" where it is close to 1/N (N = 2..10), else as a percentage."""
    ordinal_template, percent_template = templates
    nearest = round(1 / share) if share > 0 else 0
    if nearest in ORDINALS[lang] and abs(share * nearest - 1) <= NEAR_FRACTION:
        return ordinal_template.format(ordinal=ORDINALS[lang][nearest], period=period)
    percent = f"{round(100 * share)}%" if lang == "en" else f"{round(100 * share)} %"
    return percent_template.format(percent=percent, period=period)


def format_number(value: float, lang: str) -> str:
    """A count rounded for reading (to 10 below 1,000, else to 100), in the language's format."""
    rounded = round(value, -1 if abs(value) < 1000 else -2)
    text = f"{rounded:,.0f}"
    return text if lang == "en" else text.replace(",", "\u00a0")


def _check_years(skills: xr.Dataset, first: int, last: int) -> None:
    years = skills["year"].values
    if first < years[1] or last > years[-1]:
        raise InputError(
            f"headline: years {first}-{last} are outside the projected years "
            f"{years[1]}-{years[-1]} of the run"
        )
