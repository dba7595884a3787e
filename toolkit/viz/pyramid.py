"""The population pyramid: bars by age and sex with a year slider, a scenario menu and the baseline's outline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import plotly.graph_objects as go
import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import central
from toolkit.text import check_lang, number, t
from toolkit.viz._common import finite, region_variable, scenario_ids, scenario_name, title_for
from toolkit.viz.theme import OBSERVED_COLOUR, SEX_COLOURS, apply_theme, new_figure


def pyramid(
    ds: xr.Dataset,
    region: str,
    scenario: str,
    baseline: str | None = "baseline",
    years: Iterable[int] | None = None,
    *,
    lang: str = "fi",
    frames: bool = True,
    meta: Mapping | None = None,
    region_name: str | None = None,
) -> go.Figure:
    """Population pyramid with a year slider and the baseline's outline.

    Parameters
    ----------
    ds : population run with ``population`` (region, scenario, [draw|quantile], year, sex, age) [persons]
    region : region id
    scenario : scenario shown first; a dropdown switches between all scenarios of ``ds``
    baseline : scenario drawn as an outline over the bars (``None``: no outline)
    years : years on the slider (default: every year of ``ds``)
    lang : ``fi``, ``sv`` or ``en``
    frames : if True the slider steps through plotly frames (with play/pause, for exported pages);
        if False it restyles the traces instead, which ``go.FigureWidget`` accepts (it has no frames)
    meta : scenario id -> {"name": {lang: str}, ...}, for the dropdown labels
    region_name : area name for the title (default: the region id)

    Returns
    -------
    go.Figure
        Traces: men and women bars for each scenario (only ``scenario`` visible), then the baseline's
        outline for men and women. Men are on the left (negative x), women on the right.
    """
    check_lang(lang)
    population = central(region_variable(ds, "population", region))
    scenarios = scenario_ids(population)
    scenario_ids(population, [scenario] + ([baseline] if baseline is not None else []))  # both must exist
    chosen_years = _pyramid_years(population, years)
    counts = finite(
        population.sel(year=chosen_years).transpose("scenario", "year", "sex", "age").values, "population"
    )
    sexes = [str(sex) for sex in population["sex"].values]
    outline = counts[scenarios.index(baseline)] if baseline is not None else None
    ages = population["age"].values
    series = pyramid_series(counts, outline, sexes)
    fig = new_figure(data=_pyramid_traces(series, ages, scenarios, scenario, sexes, meta, lang, baseline))
    steps = _year_steps(fig, series, chosen_years, frames)
    fig.update_layout(
        sliders=[
            {
                "active": 0,
                "steps": steps,
                "x": 0.16,
                "len": 0.84,
                "y": -0.16,
                "yanchor": "top",
                "pad": {"t": 0, "b": 0},
                "currentvalue": {"prefix": f"{t('year', lang)}: ", "xanchor": "right", "font": {"size": 16}},
            }
        ],
        updatemenus=_pyramid_menus(scenarios, scenario, sexes, outline is not None, meta, lang, frames),
        barmode="overlay",
        bargap=0.0,
    )
    pyramid_axes(fig, counts, lang)
    apply_theme(fig, lang, title_for("pyramid_title", lang, region, region_name))
    # the legend above the plot (left), the scenario menu above it on the right, the year slider and the
    # play buttons below the axis title: no control sits on another
    fig.update_layout(legend={"orientation": "h", "x": 0.0, "y": 1.02, "xanchor": "left", "yanchor": "bottom"},
                      margin={"t": 110, "b": 150}, height=640)
    return fig


def _pyramid_years(population: xr.DataArray, years: Iterable[int] | None) -> list[int]:
    present = [int(year) for year in population["year"].values]
    chosen = present if years is None else [int(year) for year in years]
    missing = [year for year in chosen if year not in present]
    if missing or not chosen:
        raise InputError(f"year {missing} is not in the data; present: {present[0]}..{present[-1]}")
    return chosen


def pyramid_series(counts: np.ndarray, outline: np.ndarray | None, sexes: list[str]) -> np.ndarray:
    """Signed x values (trace, year, age): men negative; scenarios' bars first, then the outline."""
    sign = np.where(np.array(sexes) == "M", -1.0, 1.0)[None, None, :, None]
    bars = (counts * sign).transpose(0, 2, 1, 3).reshape(-1, counts.shape[1], counts.shape[3])
    if outline is None:
        return bars
    return np.concatenate([bars, (outline * sign[0]).transpose(1, 0, 2)])


def _pyramid_traces(series, ages, scenarios, scenario, sexes, meta, lang, baseline) -> list:
    """One bar trace per scenario and sex, then (if ``series`` has them) one outline trace per sex."""
    sex_label = {"M": t("men", lang), "F": t("women", lang)}
    hover = "%{y}: %{customdata:,.0f}"
    bars = [
        go.Bar(
            x=x,
            y=ages,
            customdata=np.abs(x),
            orientation="h",
            name=sex_label[sex],
            marker={"color": SEX_COLOURS[sex]},
            visible=name == scenario,
            legendgroup=sex,
            hovertemplate=f"{hover}<extra>{sex_label[sex]}, {scenario_name(name, meta, lang)}</extra>",
        )
        for x, (name, sex) in zip(series[:, 0], [(n, s) for n in scenarios for s in sexes], strict=False)
    ]
    outline_label = t("baseline_outline", lang)
    outlines = [
        go.Scatter(
            x=x,
            y=ages,
            customdata=np.abs(x),
            mode="lines",
            orientation="h",  # the ages are its categories, as the bars' (read so by the take-away tables)
            meta={"repeats": baseline},  # the baseline's bars again: left out of the take-away tables
            name=outline_label,
            line={"color": OBSERVED_COLOUR, "width": 1.5, "shape": "vhv"},
            showlegend=position == 0,
            legendgroup="outline",
            hovertemplate=f"{hover}<extra>{outline_label}, {sex_label[sexes[position]]}</extra>",
        )
        for position, x in enumerate(series[len(bars) :, 0])
    ]
    return bars + outlines


def _year_steps(fig: go.Figure, series: np.ndarray, years: list[int], frames: bool) -> list[dict]:
    """Slider steps, and the frames they animate to when ``frames`` is True."""
    indices = list(range(series.shape[0]))
    if frames:
        fig.frames = [
            go.Frame(
                name=str(year),
                traces=indices,
                # every frame trace names its type: a frame without it would redraw the bars as lines
                data=[
                    {"type": fig.data[trace].type, "x": series[trace, position],
                     "customdata": np.abs(series[trace, position])}
                    for trace in indices
                ],
            )
            for position, year in enumerate(years)
        ]
        return [
            {
                "label": str(year),
                "method": "animate",
                "args": [
                    [str(year)],
                    {
                        "mode": "immediate",
                        "frame": {"duration": 300, "redraw": False},
                        "transition": {"duration": 200},
                    },
                ],
            }
            for year in years
        ]
    return [
        {
            "label": str(year),
            "method": "restyle",
            "args": [
                {"x": list(series[:, position]), "customdata": list(np.abs(series[:, position]))},
                indices,
            ],
        }
        for position, year in enumerate(years)
    ]


def _pyramid_menus(scenarios, scenario, sexes, has_outline, meta, lang, frames) -> list[dict]:
    """The scenario dropdown (starting at ``scenario``) and, with frames, the play/pause buttons."""
    outline = [True] * (len(sexes) if has_outline else 0)
    buttons = [
        {
            "label": scenario_name(name, meta, lang),
            "method": "restyle",
            "args": [{"visible": [other == name for other in scenarios for _ in sexes] + outline}],
        }
        for name in scenarios
    ]
    menus = [
        {
            "type": "dropdown",
            "buttons": buttons,
            "x": 1.0,
            "xanchor": "right",
            "y": 1.02,
            "yanchor": "bottom",
            "active": scenarios.index(scenario),
            "showactive": True,
        }
    ]
    if frames:
        play = {
            "label": t("play", lang),
            "method": "animate",
            "args": [None, {"frame": {"duration": 500, "redraw": False}, "fromcurrent": True}],
        }
        pause = {
            "label": t("pause", lang),
            "method": "animate",
            "args": [[None], {"mode": "immediate", "frame": {"duration": 0}}],
        }
        menus.append(
            {
                "type": "buttons",
                "buttons": [play, pause],
                "direction": "left",
                "x": 0.0,
                "y": -0.16,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 10},
            }
        )
    return menus


def update_pyramid(fig: go.Figure, ds: xr.Dataset, region: str, year: int, baseline: str | None = "baseline", *,
                   lang: str = "fi") -> None:
    """Show ``year`` of a run in a pyramid drawn by :func:`pyramid` with ``frames=False`` from the same scenarios:
    the bars of every scenario, the baseline's outline and the axis range are rewritten in place."""
    population = central(region_variable(ds, "population", region))
    scenarios = scenario_ids(population)
    counts = finite(population.sel(year=[year]).transpose("scenario", "year", "sex", "age").values, "population")
    sexes = [str(sex) for sex in population["sex"].values]
    outline = counts[scenarios.index(baseline)] if baseline is not None else None
    series = pyramid_series(counts, outline, sexes)[:, 0]
    for trace, x in zip(fig.data, series, strict=True):
        trace.update(x=x, customdata=np.abs(x))
    pyramid_axes(fig, counts, lang)


def pyramid_axes(fig: go.Figure, counts: np.ndarray, lang: str) -> None:
    """Symmetric x axis with unsigned tick labels in the language's number format; ages 0..100+."""
    limit = float(counts.max()) * 1.05 or 1.0
    step = _nice_step(limit / 3.0)
    ticks = np.arange(-np.floor(limit / step), np.floor(limit / step) + 1) * step
    fig.update_xaxes(
        range=[-limit, limit],
        tickvals=ticks,
        ticktext=[number(abs(tick), lang) for tick in ticks],
        title=t("persons", lang),
    )
    age_ticks = np.arange(0, 101, 10)
    fig.update_yaxes(tickvals=age_ticks, ticktext=[*map(str, age_ticks[:-1]), "100+"], title=t("age", lang))


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 × 10^k that is at least ``raw``."""
    power = 10.0 ** np.floor(np.log10(raw))
    return float(next(factor * power for factor in (1.0, 2.0, 5.0, 10.0) if factor * power >= raw))
