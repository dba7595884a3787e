"""Scenario card: three headline numbers and the scenario's narrative, as one figure."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Mapping

import plotly.graph_objects as go
import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import central, headline_population
from toolkit.text import check_lang, number, t
from toolkit.viz._common import finite
from toolkit.viz.theme import OKABE_ITO, apply_theme, new_figure

NARRATIVE_WIDTH = 95
"""Characters per line of the narrative (plotly annotations do not wrap by themselves)."""

_HEADLINES = (
    ("total", "population_in", 0, ""),
    ("75+_share", "share_75_in", 1, "\u00a0%"),
    ("old_age_dependency", "dependency_in", 1, ""),
)
"""(headline variable, label id, decimals, unit suffix) of the three numbers."""


def scenario_card(
    ds: xr.Dataset,
    region: str,
    scenario: str,
    meta: Mapping,
    *,
    year: int | None = None,
    lang: str = "fi",
    region_name: str | None = None,
) -> go.Figure:
    """A card with the scenario's name, three headline numbers and its narrative.

    Parameters
    ----------
    ds : population run (deterministic, with ``draw``, or with ``quantile``)
    region : region id
    scenario : scenario id
    meta : scenario id -> {"name": {fi, sv, en}, "narrative": {fi, sv, en}}
    year : year of the numbers (default: the last year of ``ds``)
    lang : ``fi``, ``sv`` or ``en``
    region_name : area name for the title

    Returns
    -------
    go.Figure without traces: annotations hold the population in ``year`` (with its change since the
    base year), the share aged 75+ [%] and the old-age dependency ratio [per 100 aged 15–64]; for an
    ensemble the median with its 80 % interval. All text from ``meta`` is HTML-escaped.
    """
    check_lang(lang)
    name, narrative = (_meta_text(meta, scenario, key, lang) for key in ("name", "narrative"))
    year = int(ds["year"].values[-1]) if year is None else int(year)
    headline = headline_population(ds, region, scenario, years=(year,))
    base_year = headline.attrs["base_year"]
    annotations = [
        annotation
        for position, (key, label, decimals, unit) in enumerate(_HEADLINES)
        for annotation in _number_annotations(
            headline[key].sel(year=year), position, t(label, lang).format(year=year), decimals, unit, lang
        )
    ]
    change = number(
        float(finite(central(headline["change_percent"].sel(year=year)), "change")), lang, 1
    )
    annotations.append(
        _text((0.5 / len(_HEADLINES)), 0.40, t("change_note", lang).format(change=change, base=base_year), 13)
    )
    wrapped = "<br>".join(
        html.escape(line)
        for line in textwrap.wrap(narrative, NARRATIVE_WIDTH, break_long_words=False, break_on_hyphens=False)
    )
    annotations.append(
        {**_text(0.0, 0.22, wrapped, 15), "xanchor": "left", "align": "left", "yanchor": "top"}
    )
    fig = new_figure()
    fig.update_layout(
        annotations=annotations,
        height=430,
        showlegend=False,
        xaxis={"visible": False, "range": [0, 1]},
        yaxis={"visible": False, "range": [0, 1]},
    )
    return apply_theme(fig, lang, f"{html.escape(name)} — {html.escape(region_name or region)}")


def _meta_text(meta: Mapping, scenario: str, key: str, lang: str) -> str:
    try:
        return str(meta[scenario][key][lang])
    except (KeyError, TypeError) as error:
        raise InputError(
            f"scenario metadata has no {key} in '{lang}' for scenario '{scenario}'; "
            f"it needs {{'{scenario}': {{'name': {{...}}, 'narrative': {{...}}}}}}"
        ) from error


def _number_annotations(
    values: xr.DataArray, position: int, label: str, decimals: int, unit: str, lang: str
) -> list:
    """The big number, its label and (for draws) its 80 % interval, in column ``position``.

    The interval is shown only when the draws are there: indicators computed from a quantile summary
    are sums of quantiles, whose spread is not the indicator's own.
    """
    x = (position + 0.5) / len(_HEADLINES)
    shown = number(float(finite(central(values), label)), lang, decimals)
    items = [_text(x, 0.78, f"<b>{shown}{unit}</b>", 34, OKABE_ITO["blue"]), _text(x, 0.56, label, 14)]
    if "draw" in values.dims:
        bounds = finite(values.quantile([0.1, 0.9], dim="draw").values, label)
        low, high = (number(float(value), lang, decimals) for value in bounds)
        items.append(_text(x, 0.48, t("interval_note", lang).format(low=low, high=high), 12))
    return items


def _text(x: float, y: float, text: str, size: int, colour: str = "#222222") -> dict:
    return {
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "font": {"size": size, "color": colour},
        "xanchor": "center",
        "yanchor": "middle",
    }
