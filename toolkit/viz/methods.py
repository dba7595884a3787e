"""Figures of the methods notebook: the model's errors on past data next to the naive benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from toolkit.text import check_lang, t
from toolkit.viz.theme import apply_theme, new_figure, series_colour


def hindcast_errors_chart(table: pd.DataFrame, year: int, base_year: int, *, lang: str = "en") -> go.Figure:
    """Errors of the model's median against those of the naive benchmark, per region and age group, in ``year``.

    Parameters
    ----------
    table : :func:`toolkit.population.hindcast.hindcast` output (``measure``, ``year``, ``region_code``,
        ``error_percent``, ``naive_error_percent``)
    year : the checked year shown
    base_year : the year the projections started from
    lang : ``fi``, ``sv`` or ``en``

    Returns
    -------
    go.Figure with one marker trace per age group and the line of equal errors [%]
    """
    check_lang(lang)
    fig = new_figure()
    for index, measure in enumerate(dict.fromkeys(table["measure"])):
        part = table[(table["measure"] == measure) & (table["year"] == year)]
        fig.add_trace(go.Scatter(x=part["naive_error_percent"], y=part["error_percent"], mode="markers",
                                 name=t(f"measure.{measure}", lang), marker={"color": series_colour(index)},
                                 text=part["region_code"], hovertemplate="%{text}: %{y:.1f} % / %{x:.1f} %"))
    limit = float(np.nanmax(np.abs(table[["error_percent", "naive_error_percent"]].to_numpy()))) * 1.05
    fig.add_trace(go.Scatter(x=[-limit, limit], y=[-limit, limit], mode="lines", name=t("equal_error", lang),
                             line={"dash": "dot", "color": "grey"}))
    fig.update_layout(xaxis_title=t("naive_error", lang), yaxis_title=t("model_error", lang))
    return apply_theme(fig, lang, t("hindcast_title", lang, year=year, base=base_year))
