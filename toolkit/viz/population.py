"""Population figures: fan chart, futures cone, dependency ratios, cohorts, area comparison (the pyramid:
:mod:`toolkit.viz.pyramid`).

Each function takes a population run (see ``docs/conventions.md``) and returns a ``go.Figure``;
indicators come from :mod:`toolkit.indicators`. Runs with a ``draw`` or ``quantile`` dimension are
shown by their median where a figure has one line per scenario.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from plotly.subplots import make_subplots

from toolkit.errors import InputError
from toolkit.indicators import (
    GROUPS,
    age_group_totals,
    central,
    change_percent,
    dependency_ratios,
    population_measure,
    select,
)
from toolkit.nomenclature import RATIO_MEASURES
from toolkit.text import check_lang, number, t
from toolkit.viz._common import (
    BAND_ALPHA,
    BANDS,
    band_polygon,
    finite,
    is_probabilistic,
    region_variable,
    scenario_ids,
    scenario_name,
    title_for,
    with_quantiles,
)
from toolkit.viz.theme import OBSERVED_COLOUR, OKABE_ITO, apply_theme, new_figure, rgba, series_colour

COHORT_GROUPS = ("7-15", "16-18", "75+", "85+")

FULL_FAN_SCENARIOS_SHADED = 2  # scenarios whose bands keep their full shade; more fade in proportion
FULL_FAN_SCENARIOS = 1  # two scenarios of three bands each already mix into one muddy colour
"""Up to this many scenarios a fan chart draws all three bands per scenario; with more, the 80 % band only."""


def _hover_format(measure: str) -> str:
    return ",.1f" if measure in RATIO_MEASURES else ",.0f"


def _line(x, y, name: str, colour: str, measure: str, *, line: dict | None = None, **kwargs) -> go.Scatter:
    """A line trace; ``line`` adds to (or overrides) the line style of ``colour``."""
    return go.Scatter(
        x=np.asarray(x),
        y=finite(y, name),
        name=name,
        mode="lines",
        line={"color": colour, **(line or {})},
        hovertemplate=f"%{{x}}: %{{y:{_hover_format(measure)}}}<extra>{name}</extra>",
        **kwargs,
    )


def _band(x, lower, upper, name: str, colour: str, alpha: float, **kwargs) -> go.Scatter:
    xs, ys = band_polygon(np.asarray(x), finite(lower, name), finite(upper, name))
    return go.Scatter(
        x=xs,
        y=ys,
        name=name,
        mode="lines",
        fill="toself",
        fillcolor=rgba(colour, alpha),
        line={"width": 0},
        hoverinfo="skip",
        **kwargs,
    )



# --- fan chart and futures cone -----------------------------------------------------------------


def fan_chart(
    ds: xr.Dataset,
    region: str,
    measure: str = "total",
    observed: xr.DataArray | None = None,
    *,
    lang: str = "fi",
    scenarios: Iterable[str] | None = None,
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Median and 50/80/95 % bands of a measure per scenario, with the observed history.

    Parameters
    ----------
    ds : population run (deterministic, with ``draw``, or with ``quantile``)
    region : region id
    measure : a name of :data:`toolkit.indicators.MEASURES`
    observed : DataArray (year, sex, age) [persons] of the region, drawn as a black line
    lang : ``fi``, ``sv`` or ``en``
    scenarios : scenario ids to draw (default: all)
    meta : scenario metadata, for the legend names
    region_name : area name for the title

    Returns
    -------
    go.Figure
        Per scenario three band polygons (95, 80, 50 %) and the median line — only the 80 % band when more than
        :data:`FULL_FAN_SCENARIOS` scenarios are drawn, so that the bands stay readable — or one line for a
        deterministic run; then the observed line if given.
    """
    check_lang(lang)
    values = population_measure(region_variable(ds, "population", region), measure)
    present = scenario_ids(values)
    chosen = present if scenarios is None else scenario_ids(values, scenarios)
    bands = BANDS if len(chosen) <= FULL_FAN_SCENARIOS else tuple(band for band in BANDS if band[2] == 80)
    # several scenarios' bands lie on one another: each one lighter, so that where all overlap the fill stays as
    # light as two bands and the medians stay readable
    fade = min(1.0, FULL_FAN_SCENARIOS_SHADED / len(chosen))
    traces = [
        trace
        for index, scenario in enumerate(present)
        if scenario in chosen
        for trace in _scenario_fan(
            select(values, scenario=scenario),
            scenario_name(scenario, meta, lang),
            series_colour(index),
            measure,
            lang,
            bands,
            fade,
        )
    ]
    fig = new_figure(data=traces + _observed_traces(observed, measure, lang))
    fig.update_layout(xaxis_title=t("year", lang), yaxis_title=t(f"measure.{measure}", lang), hovermode="x")
    # the measure in the title: the explorer shows two fan charts side by side
    return apply_theme(fig, lang, title_for("fan_title", lang, region, region_name,
                                            measure=html.escape(t(f"measure.{measure}", lang))))


def update_fan_chart(fig: go.Figure, ds: xr.Dataset, region: str, measure: str, scenario: str) -> None:
    """Write ``scenario``'s line of a new deterministic run into a figure drawn by :func:`fan_chart` from a
    deterministic run with the same scenarios (one line per scenario, in the run's order)."""
    values = population_measure(region_variable(ds, "population", region), measure)
    if is_probabilistic(values):
        raise InputError("update_fan_chart updates the lines of a deterministic run; redraw a fan with bands")
    fig.data[scenario_ids(values).index(scenario)].y = finite(select(values, scenario=scenario).values, measure)


def _scenario_fan(values: xr.DataArray, name: str, colour: str, measure: str, lang: str, levels=BANDS,
                  fade: float = 1.0) -> list:
    years = values["year"].values
    if not is_probabilistic(values):
        return [_line(years, values.values, name, colour, measure, legendgroup=name)]
    bands = with_quantiles(values)
    traces = [
        _band(
            years,
            bands.sel(quantile=low).values,
            bands.sel(quantile=high).values,
            f"{name}: {t('band', lang).format(level=level)}",
            colour,
            round(BAND_ALPHA[level] * fade, 3),
            legendgroup=name,
            showlegend=False,
        )
        for low, high, level in levels
    ]
    return traces + [
        _line(
            years,
            bands.sel(quantile=0.5).values,
            f"{name} ({t('median', lang)})",
            colour,
            measure,
            legendgroup=name,
        )
    ]


def _observed_traces(observed: xr.DataArray | None, measure: str, lang: str) -> list:
    if observed is None:
        return []
    missing = [dim for dim in ("year", "sex", "age") if dim not in observed.dims]
    if missing or observed.ndim != 3:
        raise InputError(f"observed history must have dimensions (year, sex, age); it has {observed.dims}")
    values = population_measure(observed, measure)
    return [
        _line(
            values["year"].values,
            values.values,
            t("observed", lang),
            OBSERVED_COLOUR,
            measure,
            line={"width": 3},
        )
    ]


def futures_cone(
    ds: xr.Dataset,
    region: str,
    measure: str = "total",
    *,
    baseline: str = "baseline",
    references: Iterable[str] = ("no-migration",),
    observed: xr.DataArray | None = None,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """The futures cone of a measure: probable ⊂ plausible ⊂ possible.

    Parameters
    ----------
    ds : population run (deterministic, with ``draw``, or with ``quantile``)
    region : region id
    measure : a name of :data:`toolkit.indicators.MEASURES`
    baseline : the scenario whose 80 % band is the *probable* future
    references : reference calculations (such as ``no-migration``) that are not named futures: they
        widen only the *possible* envelope
    observed : DataArray (year, sex, age) [persons], drawn as a black line
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure
        Traces: possible, plausible and probable band polygons, the baseline median, then observed.

    Notes
    -----
    probable = baseline's 10–90 % band; plausible = per year the lowest 10 % and highest 90 % quantile
    of the named scenarios (baseline included, references excluded); possible = per year the lowest
    2.5 % and highest 97.5 % quantile of all scenarios. A deterministic run has bands of zero width,
    so its cone is the envelope of the scenario lines.
    """
    check_lang(lang)
    values = with_quantiles(population_measure(region_variable(ds, "population", region), measure))
    scenarios = scenario_ids(values)
    scenario_ids(values, [baseline])
    named = [scenario for scenario in scenarios if scenario not in set(references)]
    if not named:
        raise InputError(f"every scenario {scenarios} is a reference; the plausible futures need a named one")
    years = values["year"].values
    probable = select(values, scenario=baseline)
    cone = {
        "possible": (values.sel(quantile=0.025).min("scenario"), values.sel(quantile=0.975).max("scenario")),
        "plausible": (
            values.sel(scenario=named, quantile=0.1).min("scenario"),
            values.sel(scenario=named, quantile=0.9).max("scenario"),
        ),
        "probable": (probable.sel(quantile=0.1), probable.sel(quantile=0.9)),
    }
    alphas = {"possible": 0.15, "plausible": 0.3, "probable": 0.55}
    traces = [
        _band(years, low.values, high.values, t(key, lang), OKABE_ITO["blue"], alphas[key])
        for key, (low, high) in cone.items()
    ]
    traces.append(
        _line(
            years, probable.sel(quantile=0.5).values, t("baseline_outline", lang), OKABE_ITO["blue"], measure
        )
    )
    fig = new_figure(data=traces + _observed_traces(observed, measure, lang))
    fig.update_layout(xaxis_title=t("year", lang), yaxis_title=t(f"measure.{measure}", lang))
    return apply_theme(fig, lang, title_for("cone_title", lang, region, region_name,
                                            measure=t(f"measure.{measure}", lang)))


# --- dependency ratios and cohorts --------------------------------------------------------------


def dependency_ratio_chart(
    ds: xr.Dataset,
    region: str,
    *,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Old-age (solid) and total (dashed) dependency ratio per scenario, medians for ensembles.

    Parameters
    ----------
    ds : population run
    region : region id
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the legend names
    region_name : area name for the title

    Returns
    -------
    go.Figure with two traces per scenario [per 100 persons aged 15–64].
    """
    check_lang(lang)
    ratios = dependency_ratios(region_variable(ds, "population", region)).map(central)
    styles = {"old_age_dependency": "solid", "total_dependency": "dash"}
    traces = [
        _line(
            ratios["year"].values,
            select(ratios[key], scenario=scenario).values,
            f"{scenario_name(scenario, meta, lang)}: {t(f'measure.{key}', lang)}",
            series_colour(index),
            key,
            line={"dash": dash},
        )
        for index, scenario in enumerate(scenario_ids(ratios["old_age_dependency"]))
        for key, dash in styles.items()
    ]
    fig = new_figure(data=traces)
    fig.update_layout(xaxis_title=t("year", lang), yaxis_title=t("per_100_working_age", lang))
    return apply_theme(fig, lang, title_for("dependency_title", lang, region, region_name))


def update_dependency_ratio_chart(fig: go.Figure, ds: xr.Dataset, region: str, scenario: str) -> None:
    """Write ``scenario``'s ratios of a new run into a figure drawn by :func:`dependency_ratio_chart`."""
    ratios = dependency_ratios(region_variable(ds, "population", region)).map(central)
    first = 2 * scenario_ids(ratios["old_age_dependency"]).index(scenario)  # two lines per scenario
    for offset, key in enumerate(("old_age_dependency", "total_dependency")):
        fig.data[first + offset].y = finite(select(ratios[key], scenario=scenario).values, key)


def cohort_chart(
    ds: xr.Dataset,
    region: str,
    *,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """School age 7–15, ages 16–18, 75+ and 85+ per scenario, one panel each (medians for ensembles).

    Parameters
    ----------
    ds : population run
    region : region id
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the legend names
    region_name : area name for the title

    Returns
    -------
    go.Figure with a 2 × 2 grid and one trace per panel and scenario [persons].
    """
    check_lang(lang)
    groups = central(
        age_group_totals(
            region_variable(ds, "population", region), {group: GROUPS[group] for group in COHORT_GROUPS}
        )
    )
    fig = make_subplots(
        rows=2, cols=2, subplot_titles=[t(f"measure.{group}", lang) for group in COHORT_GROUPS], shared_xaxes=True,
        figure=new_figure(),
    )
    for panel, group in enumerate(COHORT_GROUPS):
        for index, scenario in enumerate(scenario_ids(groups)):
            name = scenario_name(scenario, meta, lang)
            fig.add_trace(
                _line(
                    groups["year"].values,
                    select(groups, scenario=scenario, age_group=group).values,
                    name,
                    series_colour(index),
                    group,
                    legendgroup=scenario,
                    showlegend=panel == 0,
                ),
                row=panel // 2 + 1,
                col=panel % 2 + 1,
            )
    fig.update_yaxes(title=t("persons", lang), col=1)
    return apply_theme(fig, lang, title_for("cohort_title", lang, region, region_name))


# --- all areas ----------------------------------------------------------------------------------


def area_comparison(
    ds: xr.Dataset,
    measure: str,
    year: int,
    *,
    change_from: int | None = None,
    lang: str = "fi",
    meta: Mapping | None = None,
    region_names: Mapping[str, str] | None = None,
) -> go.Figure:
    """Ranked dot plot of every region of ``ds``, one marker per scenario.

    Parameters
    ----------
    ds : population run of several regions
    measure : a name of :data:`toolkit.indicators.MEASURES`
    year : the year compared
    change_from : if given, plot the change [%] of the measure from this year to ``year``
    lang : ``fi``, ``sv`` or ``en``
    meta : scenario metadata, for the legend names
    region_names : region id -> name for the axis (default: the ids)

    Returns
    -------
    go.Figure with one marker trace per scenario; regions ranked by the first scenario, the largest at
    the top.
    """
    check_lang(lang)
    values = central(population_measure(ds["population"], measure))
    if change_from is None:
        values = select(values, year=year)
        axis_title = t(f"measure.{measure}", lang)
    else:
        values = change_percent(values, change_from, year)
        axis_title = f"{t(f'measure.{measure}', lang)}: {t('change_since', lang).format(start=change_from, end=year)}"
    values = values.transpose("region", "scenario")
    numbers = finite(values.values, f"{measure} {year}")
    order = np.argsort(numbers[:, 0])
    regions = [str(region) for region in values["region"].values[order]]
    labels = [(region_names or {}).get(region, region) for region in regions]
    decimals = 1 if change_from is not None or measure in RATIO_MEASURES else 0
    traces = [
        go.Scatter(
            x=numbers[order, index],
            y=labels,
            mode="markers",
            name=scenario_name(scenario, meta, lang),
            marker={"color": series_colour(index), "size": 11},
            text=[number(value, lang, decimals) for value in numbers[order, index]],
            hovertemplate="%{y}: %{text}<extra>%{fullData.name}</extra>",
        )
        for index, scenario in enumerate(scenario_ids(values))
    ]
    fig = new_figure(data=traces)
    fig.update_layout(xaxis_title=axis_title, height=max(350, 28 * len(regions) + 160))
    return apply_theme(fig, lang, t("comparison_title", lang).format(year=year))
