"""Skills-demand figures: job openings by industry, labour balance, and where openings come from.

Each function takes a skills run (``labour_demand``, ``expansion_demand``, ``replacement_demand``,
``exits_retirement``, ``exits_mortality`` by region, scenario, year, industry; ``labour_balance`` by
region, scenario, year) and returns a ``go.Figure``. Expansion demand counts only its positive part,
as in the job-openings identity: a shrinking industry opens no jobs by growing, but still replaces
the workers who leave.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from toolkit.indicators import central, select
from toolkit.text import check_lang, t
from toolkit.viz._common import finite, region_variable, scenario_ids, scenario_name, title_for, years_between
from toolkit.viz.theme import OKABE_ITO, apply_theme, new_figure, rgba, series_colour

SANKEY_SMALL_SHARE = 0.03
"""Industries with less of the openings than this share are drawn as one node in :func:`openings_flow`."""
_COMPONENT_COLOURS = {
    "expansion": OKABE_ITO["bluish_green"],
    "replacement": OKABE_ITO["reddish_purple"],
    "retirement": OKABE_ITO["reddish_purple"],
    "mortality": OKABE_ITO["sky_blue"],
}


def industry_label(industry: str, lang: str) -> str:
    """``"Q Terveys- ja sosiaalipalvelut"``: the TOL 2008 letter and the section's name in ``lang``."""
    return f"{industry} {t(f'industry_{industry}', lang)}"


def _period_sums(
    skills: xr.Dataset, region: str, period: tuple[int, int] | None, names: Mapping[str, str]
) -> tuple[dict[str, xr.DataArray], list[int]]:
    """Sums over the period's years of the named variables (central values), keyed by component."""
    first = region_variable(skills, next(iter(names.values())), region)
    base_year = int(skills.attrs.get("base_year", first["year"].values[0]))
    years = years_between(first, period, base_year + 1)
    sums = {}
    for key, variable in names.items():
        values = region_variable(skills, variable, region).sel(year=years)
        if variable == "expansion_demand":
            values = values.clip(min=0.0)
        sums[key] = central(values.sum("year"))
    return sums, years


def job_openings_chart(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    *,
    period: tuple[int, int] | None = None,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Job openings by industry over a period, expansion and replacement demand stacked.

    Parameters
    ----------
    skills : skills run
    region : region id
    scenario : scenario shown first; a dropdown switches between all scenarios of ``skills``
    period : (first year, last year), inclusive (default: the year after the base year to the last year)
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the dropdown labels
    region_name : area name for the title

    Returns
    -------
    go.Figure with two horizontal bar traces (expansion, replacement) per scenario [persons over the
    period], only ``scenario`` visible; industries ordered by the openings of ``scenario``, largest on top.
    """
    check_lang(lang)
    sums, years = _period_sums(
        skills, region, period, {"expansion": "expansion_demand", "replacement": "replacement_demand"}
    )
    scenarios, labels, bars = _openings_bars(sums, scenario, lang)
    traces = [
        go.Bar(
            x=bars[2 * position + part],
            y=labels,
            orientation="h",
            name=t(key, lang),
            marker={"color": _COMPONENT_COLOURS[key]},
            visible=name == scenario,
            legendgroup=key,
            showlegend=True,
            hovertemplate=f"%{{y}}: %{{x:,.0f}}<extra>{t(key, lang)}</extra>",
        )
        for position, name in enumerate(scenarios)
        for part, key in enumerate(("expansion", "replacement"))
    ]
    buttons = [
        {
            "label": scenario_name(name, meta, lang),
            "method": "restyle",
            "args": [{"visible": [other == name for other in scenarios for _ in range(2)]}],
        }
        for name in scenarios
    ]
    fig = new_figure(data=traces)
    fig.update_layout(
        barmode="stack",
        xaxis_title=t("persons", lang),
        height=max(450, 26 * len(labels) + 180),
        updatemenus=[
            {
                "type": "dropdown",
                "buttons": buttons,
                "active": scenarios.index(scenario),
                "x": 1.0,
                "xanchor": "right",
                "y": 1.01,
                "yanchor": "bottom",
            }
        ],
    )
    fig.update_yaxes(automargin=True)
    _short_ticks(fig, labels)
    title = title_for("openings_title", lang, region, region_name, start=years[0], end=years[-1])
    apply_theme(fig, lang, title)
    # the title at the top, the scenario menu on a row of its own between it and the bars
    fig.update_layout(title_y=0.99, title_yanchor="top", title_yref="container", margin_t=110)
    return fig


TICK_CHARS = 30
"""Longest industry name on an axis; a longer one is cut at a word and ends in "…" (the bar's hover shows it whole)."""


def short_label(text: str, chars: int = TICK_CHARS) -> str:
    """``text`` cut to at most ``chars`` characters at a word boundary, with "…" if it was cut."""
    if len(text) <= chars:
        return text
    cut = text[: chars - 1].rsplit(" ", 1)[0].rstrip(" ,;–-")
    return cut + "…"


def _short_ticks(fig: go.Figure, labels: list[str]) -> None:
    """Industry names on the y axis cut to :data:`TICK_CHARS`, so that the bars keep the width of the figure."""
    fig.layout.yaxis.update(tickmode="array", tickvals=labels, ticktext=[short_label(label) for label in labels])


def _openings_bars(sums: Mapping[str, xr.DataArray], scenario: str, lang: str
                   ) -> tuple[list[str], list[str], list[np.ndarray]]:
    """(scenarios, industry labels, the bars' values) of the openings chart: industries ordered by the openings of
    ``scenario`` (smallest first: plotly draws the first at the bottom); the values of each scenario's expansion,
    then replacement bars, in that order. Plain arrays: a lever move redraws the chart from them."""
    scenarios = scenario_ids(sums["expansion"])
    scenario_ids(sums["expansion"], [scenario])
    expansion = sums["expansion"].transpose("scenario", "industry")
    replacement = sums["replacement"].transpose("scenario", "industry").sel(industry=expansion["industry"])
    parts = {"expansion": expansion.values, "replacement": replacement.values}
    chosen = scenarios.index(scenario)
    order = np.argsort(parts["expansion"][chosen] + parts["replacement"][chosen], kind="stable")
    labels = [industry_label(str(industry), lang) for industry in expansion["industry"].values[order]]
    return scenarios, labels, [finite(parts[key][index, order], key) for index in range(len(scenarios))
                               for key in ("expansion", "replacement")]


def update_job_openings_chart(fig: go.Figure, skills: xr.Dataset, region: str, scenario: str, *,
                              period: tuple[int, int] | None = None, lang: str = "fi") -> None:
    """Write a new run's numbers into a figure drawn by :func:`job_openings_chart` with the same arguments.

    The bars of every scenario and the order of the industries (by ``scenario``'s openings) are rewritten in
    place; trace visibility and the layout are kept.
    """
    sums, _ = _period_sums(
        skills, region, period, {"expansion": "expansion_demand", "replacement": "replacement_demand"}
    )
    _, labels, bars = _openings_bars(sums, scenario, lang)
    for trace, x in zip(fig.data, bars, strict=True):
        trace.update(x=x, y=labels)
    _short_ticks(fig, labels)


def update_labour_balance_chart(fig: go.Figure, skills: xr.Dataset, region: str, scenario: str) -> None:
    """Write ``scenario``'s labour balance of a new run into a figure drawn by :func:`labour_balance_chart`."""
    balance = central(region_variable(skills, "labour_balance", region))
    fig.data[scenario_ids(balance).index(scenario)].y = finite(select(balance, scenario=scenario).values, scenario)


def labour_balance_chart(
    skills: xr.Dataset,
    region: str,
    *,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Labour supply minus labour demand per scenario over time, with the zero line.

    Parameters
    ----------
    skills : skills run with ``labour_balance`` (region, scenario, year) [persons]
    region : region id
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the legend names
    region_name : area name for the title

    Returns
    -------
    go.Figure with one line per scenario [persons]; positive = more workers than the jobs need
    (``labour_balance`` = supply − demand).
    """
    check_lang(lang)
    balance = central(region_variable(skills, "labour_balance", region))
    traces = [
        go.Scatter(
            x=balance["year"].values,
            y=finite(select(balance, scenario=scenario).values, scenario),
            mode="lines",
            name=scenario_name(scenario, meta, lang),
            line={"color": series_colour(index)},
            hovertemplate="%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        )
        for index, scenario in enumerate(scenario_ids(balance))
    ]
    fig = new_figure(data=traces)
    fig.add_hline(y=0.0, line={"color": "#666666", "width": 1})
    fig.update_layout(xaxis_title=t("year", lang), yaxis_title=t("labour_balance", lang))
    apply_theme(fig, lang, title_for("balance_title", lang, region, region_name))
    # what the line means, under the title where the reader looks first
    fig.update_layout(title_subtitle_text=t("balance_reading", lang), margin_t=110)
    return fig


def openings_flow(
    skills: xr.Dataset,
    region: str,
    scenario: str,
    period: tuple[int, int],
    *,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """Sankey diagram: industry → expansion / retirement / mortality, summed over ``period``.

    Parameters
    ----------
    skills : skills run
    region : region id
    scenario : scenario id
    period : (first year, last year), inclusive
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure with one ``go.Sankey`` trace [persons over the period]; flows of zero are left out, and industries
    with less than :data:`SANKEY_SMALL_SHARE` of the openings are one node "other industries" (each label keeps
    room of its own).
    """
    check_lang(lang)
    components = {
        "expansion": "expansion_demand",
        "retirement": "exits_retirement",
        "mortality": "exits_mortality",
    }
    sums, years = _period_sums(skills, region, period, components)
    flows = xr.concat([select(sums[key], scenario=scenario) for key in components], dim="component")
    flows = flows.transpose("industry", "component")
    values = finite(flows.values, "job openings")
    industries = [str(industry) for industry in flows["industry"].values]
    totals = np.clip(values, 0.0, None).sum(axis=1)
    small = totals < SANKEY_SMALL_SHARE * totals.sum()
    if small.sum() > 1:  # small industries as one node: their labels would sit on each other
        values = np.vstack([values[~small], values[small].sum(axis=0, keepdims=True)])
        labels = [industry_label(industry, lang) for industry, tiny in zip(industries, small, strict=True)
                  if not tiny] + [t("other_industries", lang)]
    else:
        labels = [industry_label(industry, lang) for industry in industries]
    industries = labels
    source, target = np.nonzero(values > 0.0)
    node_labels = labels + [t(key, lang) for key in components]
    node_colours = ["#999999"] * len(industries) + [_COMPONENT_COLOURS[key] for key in components]
    link_colours = [rgba(_COMPONENT_COLOURS[key], 0.35) for key in components]
    sankey = go.Sankey(
        valueformat=",.0f",
        node={"label": node_labels, "color": node_colours, "pad": 14, "thickness": 14},
        link={
            "source": source,
            "target": target + len(industries),
            "value": values[source, target],
            "color": [link_colours[index] for index in target],
        },
    )
    fig = new_figure(data=[sankey])
    fig.update_layout(height=max(450, 30 * len(industries) + 150))
    return apply_theme(
        fig, lang, title_for("flow_title", lang, region, region_name, start=years[0], end=years[-1])
    )
