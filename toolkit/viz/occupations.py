"""Figures of the occupation and education layer of a skills run: pure functions, data in, ``go.Figure`` out.

Each function takes a `toolkit.skills.project_skills` run with its occupation layer (variables
``*_by_occupation``, ``*_by_education``, ``occupation_balance``) or its tightness series, one area, and ``lang``;
labels come from ``toolkit/text/catalogue/occupations.yaml``, the look from `toolkit.viz.theme`. Runs of draws
or quantiles are shown by their central value.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import central
from toolkit.nomenclature import EDUCATION_LEVELS
from toolkit.skills.headline import default_periods
from toolkit.skills.occupation_headline import occupation_headline, occupation_sentences
from toolkit.text import check_lang, t
from toolkit.viz._common import finite, scenario_ids, scenario_name
from toolkit.viz.theme import OBSERVED_COLOUR, OKABE_ITO, apply_theme, new_figure, rgba, series_colour

EXPANSION_COLOUR = OKABE_ITO["bluish_green"]
REPLACEMENT_COLOUR = OKABE_ITO["reddish_purple"]
ENTRANTS_COLOUR = OKABE_ITO["blue"]


def occupation_label(code: str, lang: str) -> str:
    """The name of a Mitenna occupation group in ``lang``."""
    return t(f"occupation_{code}", lang)


def _window(skills: xr.Dataset, region: str, period: tuple[int, int] | None, *names: str) -> tuple[xr.Dataset, tuple]:
    """The named variables of one area over ``period`` (default: the run's first headline period), central."""
    missing = [name for name in names if name not in skills]
    if missing:
        raise InputError(f"the skills run has no {', '.join(missing)}; run project_skills with occupations=True")
    years = skills["year"].values
    first, last = default_periods(years)[0] if period is None else period
    if first <= int(years[0]) or last > int(years[-1]) or first > last:
        raise InputError(f"period {first}-{last} is outside the projected years {int(years[1])}-{int(years[-1])}")
    if region not in skills["region"].values:
        present = ", ".join(map(str, skills["region"].values))
        raise InputError(f"region {region!r} is not in the skills run; present: {present}")
    return central(skills[list(names)].sel(region=region, year=slice(first, last))), (first, last)


def _title(key: str, lang: str, region: str, region_name: str | None, period: tuple[int, int], **fields) -> str:
    return t(key, lang, start=period[0], end=period[1], area=region_name or region, **fields)


def occupation_openings_chart(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    *,
    period: tuple[int, int] | None = None,
    top: int = 12,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """Job openings of the occupation groups with the most openings, expansion and replacement demand stacked.

    Parameters
    ----------
    skills : skills run with the occupation layer
    region, scenario : ids
    period : (first, last) inclusive; default the run's first headline period (ten years or fewer)
    top : number of groups shown; the others are summed into one bar at the bottom
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure with two horizontal bar traces (expansion, replacement) [persons over the period], the largest
    group on top. Expansion is each group's positive expansion demand, as in the openings identity.
    """
    check_lang(lang)
    traces, labels, period = _occupation_openings_traces(skills, region, scenario, period, top, lang)
    fig = new_figure(data=traces)
    fig.update_layout(barmode="stack", xaxis_title=t("skills_persons_period", lang),
                      height=max(450, 30 * len(labels) + 180))
    fig.update_yaxes(automargin=True)
    return apply_theme(fig, lang, _title("skills_occ_openings_title", lang, region, region_name, period))


def update_occupation_openings_chart(fig: go.Figure, skills: xr.Dataset, region: str, scenario: str, *,
                                     period: tuple[int, int] | None = None, top: int = 12, lang: str = "fi") -> None:
    """Write a new run's numbers into a figure drawn by :func:`occupation_openings_chart` (same arguments)."""
    traces, _, _ = _occupation_openings_traces(skills, region, scenario, period, top, lang)
    for target, fresh in zip(fig.data, traces, strict=True):
        target.update(x=fresh.x, y=fresh.y)


def _occupation_openings_traces(skills, region, scenario, period, top, lang):
    """(traces, labels, period) of :func:`occupation_openings_chart`."""
    window, period = _window(skills, region, period, "expansion_demand_by_occupation",
                             "replacement_demand_by_occupation")
    window = window.sel(scenario=scenario)
    expansion = window["expansion_demand_by_occupation"].clip(min=0).sum("year")
    replacement = window["replacement_demand_by_occupation"].sum("year")
    total = (expansion + replacement).values
    order = np.argsort(-total, kind="stable")
    shown, rest = order[:top], order[top:]
    codes = [str(code) for code in window["occupation"].values[shown]]
    labels = [occupation_label(code, lang) for code in codes]
    values = {"skills_expansion": expansion.values, "skills_replacement": replacement.values}
    if rest.size:
        labels.append(t("skills_occupation_other", lang))
    traces = []
    for key, colour in (("skills_expansion", EXPANSION_COLOUR), ("skills_replacement", REPLACEMENT_COLOUR)):
        x = list(values[key][shown]) + ([float(values[key][rest].sum())] if rest.size else [])
        traces.append(go.Bar(x=finite(x, "job openings")[::-1], y=labels[::-1], orientation="h", name=t(key, lang),
                             marker={"color": colour},
                             hovertemplate=f"%{{y}}: %{{x:,.0f}}<extra>{t(key, lang)}</extra>"))
    return traces, labels, period


def education_openings_chart(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    *,
    period: tuple[int, int] | None = None,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """Job openings by the education they need next to the new entrants by education level, over a period.

    Parameters
    ----------
    skills : skills run with the occupation layer
    region, scenario : ids
    period : (first, last) inclusive; default the run's first headline period
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure with two bar traces (openings, new entrants) over the five education levels [persons over the
    period]; the hover text gives each level's share of the openings.
    """
    check_lang(lang)
    traces, period = _education_traces(skills, region, scenario, period, lang)
    fig = new_figure(data=traces)
    fig.update_layout(barmode="group", yaxis_title=t("skills_persons_period", lang))
    return apply_theme(fig, lang, _title("skills_edu_openings_title", lang, region, region_name, period))


def update_education_openings_chart(fig: go.Figure, skills: xr.Dataset, region: str, scenario: str, *,
                                    period: tuple[int, int] | None = None, lang: str = "fi") -> None:
    """Write a new run's numbers into a figure drawn by :func:`education_openings_chart` (same arguments)."""
    traces, _ = _education_traces(skills, region, scenario, period, lang)
    for target, fresh in zip(fig.data, traces, strict=True):
        target.update(y=fresh.y, customdata=fresh.customdata)


def _education_traces(skills, region, scenario, period, lang):
    """(traces, period) of :func:`education_openings_chart`."""
    window, period = _window(skills, region, period, "job_openings_by_education", "new_entrants_by_education")
    window = window.sel(scenario=scenario, education=list(EDUCATION_LEVELS))
    openings = finite(window["job_openings_by_education"].sum("year").values, "job openings")
    entrants = finite(window["new_entrants_by_education"].sum("year").values, "new entrants")
    labels = [t(f"edu_level_{level}", lang) for level in EDUCATION_LEVELS]
    shares = 100 * openings / openings.sum()
    return [
        go.Bar(x=labels, y=openings, name=t("skills_openings", lang), marker={"color": REPLACEMENT_COLOUR},
               customdata=shares, hovertemplate="%{x}: %{y:,.0f} (%{customdata:.0f} %)<extra></extra>"),
        go.Bar(x=labels, y=entrants, name=t("skills_entrants", lang), marker={"color": ENTRANTS_COLOUR},
               hovertemplate="%{x}: %{y:,.0f}<extra></extra>"),
    ], period


def occupation_balance_chart(
    skills: xr.Dataset,
    region: str,
    reference: str,
    *,
    period: tuple[int, int] | None = None,
    top: int = 10,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Each scenario's balance of matching new entrants minus openings for the groups short of most people.

    Parameters
    ----------
    skills : skills run with ``occupation_balance``
    region : id
    reference : the scenario whose largest shortages choose the groups shown
    period : (first, last) inclusive; default the run's first headline period
    top : number of groups
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the legend names
    region_name : area name for the title

    Returns
    -------
    go.Figure with one horizontal bar trace per scenario [persons over the period]; negative = fewer new
    entrants with a matching education than openings (shortage), with the zero line.
    """
    check_lang(lang)
    traces, labels, scenarios, period = _balance_traces(skills, region, reference, period, top, lang, meta)
    fig = new_figure(data=traces)
    fig.add_vline(x=0.0, line={"color": "#666666", "width": 1})
    fig.update_layout(barmode="group", xaxis_title=t("skills_balance_axis", lang),
                      height=max(450, 18 * len(labels) * max(len(scenarios), 1) + 180))
    fig.update_yaxes(automargin=True)
    return apply_theme(fig, lang, _title("skills_occ_balance_title", lang, region, region_name, period))


def update_occupation_balance_chart(fig: go.Figure, skills: xr.Dataset, region: str, reference: str, *,
                                    period: tuple[int, int] | None = None, top: int = 10, lang: str = "fi") -> None:
    """Write a new run's numbers into a figure drawn by :func:`occupation_balance_chart` (same arguments)."""
    traces, _, _, _ = _balance_traces(skills, region, reference, period, top, lang, None)
    for target, fresh in zip(fig.data, traces, strict=True):
        target.update(x=fresh.x, y=fresh.y)


def _balance_traces(skills, region, reference, period, top, lang, meta):
    """(traces, labels, scenarios, period) of :func:`occupation_balance_chart`."""
    window, period = _window(skills, region, period, "occupation_balance")
    balance = window["occupation_balance"].sum("year")
    scenarios = scenario_ids(balance)
    scenario_ids(balance, [reference])
    order = np.argsort(balance.sel(scenario=reference).values, kind="stable")[:top][::-1]
    codes = [str(code) for code in balance["occupation"].values[order]]
    labels = [occupation_label(code, lang) for code in codes]
    traces = [
        go.Bar(x=finite(balance.sel(scenario=name, occupation=codes).values, "occupation balance"), y=labels,
               orientation="h", name=scenario_name(name, meta, lang), marker={"color": series_colour(index)},
               hovertemplate="%{y}: %{x:,.0f}<extra>%{fullData.name}</extra>")
        for index, name in enumerate(scenarios)
    ]
    return traces, labels, scenarios, period


def tightness_chart(
    skills: xr.Dataset,
    region: str,
    major_group: str,
    *,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """Open vacancies per unemployed jobseeker of one occupation major group: history, forecast and its band.

    Parameters
    ----------
    skills : skills run with the tightness series (``tightness=True``)
    region : id (a municipal area shows its region's series)
    major_group : ISCO-08 major group ``"0"`` .. ``"9"``
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure with the observed annual tightness (complete years), the forecast median and its interval
    (``attrs["tightness_interval"]``) as a shaded band [vacancies per jobseeker]
    """
    check_lang(lang)
    names = ("tightness_history", "tightness_forecast", "tightness_forecast_lower", "tightness_forecast_upper")
    if any(name not in skills for name in names):
        raise InputError("the skills run has no tightness series; run project_skills with tightness=True")
    series = skills[list(names)].sel(region=region, major_group=str(major_group))
    history = series["tightness_history"].dropna("tightness_year")
    forecast = series[list(names[1:])].dropna("tightness_year", subset=["tightness_forecast"])
    years = forecast["tightness_year"].values
    level = round(100 * float(skills.attrs.get("tightness_interval", 0.8)))
    x, y = np.concatenate([years, years[::-1]]), np.concatenate(
        [forecast["tightness_forecast_upper"].values, forecast["tightness_forecast_lower"].values[::-1]])
    fig = new_figure(data=[
        go.Scatter(x=x, y=y, fill="toself", fillcolor=rgba(OKABE_ITO["blue"], 0.2), line={"width": 0},
                   name=t("skills_forecast_band", lang, percent=f"{level} %"), hoverinfo="skip"),
        go.Scatter(x=history["tightness_year"].values, y=history.values, mode="lines+markers",
                   line={"color": OBSERVED_COLOUR}, name=t("skills_history", lang),
                   hovertemplate="%{x}: %{y:.2f}<extra></extra>"),
        go.Scatter(x=np.concatenate([history["tightness_year"].values[-1:], years]),  # joined to the last observed
                   y=np.concatenate([history.values[-1:], forecast["tightness_forecast"].values]), mode="lines",
                   line={"color": OKABE_ITO["blue"]}, name=t("skills_forecast", lang),
                   hovertemplate="%{x}: %{y:.2f}<extra></extra>"),
    ])
    fig.update_layout(xaxis_title=t("skills_year", lang), yaxis_title=t("skills_tightness_axis", lang))
    title = t("skills_tightness_title", lang, group=t(f"major_group_{major_group}", lang), area=region_name or region)
    return apply_theme(fig, lang, title)


def occupation_pack_sentences(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    *,
    lang: str = "fi",
    region_name: str | None = None,
    period: tuple[int, int] | None = None,
) -> list[str]:
    """The headline sentences of the occupation and education section of a forum pack.

    Returns
    -------
    list of sentences in ``lang`` (`toolkit.skills.occupation_sentences` of `toolkit.skills.occupation_headline`)
    """
    check_lang(lang)
    return occupation_sentences(occupation_headline(skills, region, scenario, period), region_name or region, lang)


def occupation_section(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    *,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
    major_groups: tuple[str, ...] = ("2", "3", "5"),
) -> tuple[list[str], list[go.Figure]]:
    """Everything the pack's occupation and education section shows: its sentences and its figures.

    Returns
    -------
    (sentences, figures): `occupation_pack_sentences`, then `occupation_openings_chart`,
    `education_openings_chart`, `occupation_balance_chart` and, if the run has the tightness series, one
    `tightness_chart` per major group
    """
    names = {"lang": lang, "region_name": region_name}
    figures = [occupation_openings_chart(skills, region, scenario, **names),
               education_openings_chart(skills, region, scenario, **names),
               occupation_balance_chart(skills, region, scenario, meta=meta, **names)]
    if "tightness_forecast" in skills:
        figures += [tightness_chart(skills, region, group, **names) for group in major_groups]
    return occupation_pack_sentences(skills, region, scenario, **names), figures
