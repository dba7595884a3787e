"""Calibration figures: standardised errors of the lever models and band coverage, before and after calibration.

Pure: tables in (:func:`toolkit.population.calibration.lever_calibration_table`,
:func:`toolkit.population.evaluation.summary`), ``go.Figure`` out.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from toolkit.text import t
from toolkit.viz.theme import apply_theme, new_figure, series_colour


def lever_calibration_figure(table: pd.DataFrame, *, lang: str = "en") -> go.Figure:
    """RMS of the standardised errors by horizon per lever, before (dashed) and after (solid) calibration, with
    the line of honest bands at 1."""
    fig = new_figure()
    for index, (lever, rows) in enumerate(table.groupby("lever", sort=False)):
        rows = rows.sort_values("horizon")
        colour = series_colour(index)
        name = t(f"lever_{lever}", lang)
        fig.add_trace(go.Scatter(x=rows["horizon"], y=rows["rms_z"], name=f"{name}: {t('calibration_before', lang)}",
                                 mode="lines+markers", line={"color": colour, "dash": "dash"}, legendgroup=lever))
        if "rms_z_calibrated" in rows:
            fig.add_trace(go.Scatter(x=rows["horizon"], y=rows["rms_z_calibrated"],
                                     name=f"{name}: {t('calibration_after', lang)}", mode="lines+markers",
                                     line={"color": colour}, legendgroup=lever))
    fig.add_hline(y=1.0, line={"color": "black", "width": 1})
    fig.update_layout(xaxis_title=t("years_ahead", lang), yaxis_title=t("calibration_rms_axis", lang))
    return apply_theme(fig, lang, t("calibration_title", lang))


def coverage_figure(before: pd.DataFrame, after: pd.DataFrame, *, measures=("total", "0-14", "15-64", "75+"),
                    lang: str = "en") -> go.Figure:
    """Share of observed values inside the 80 % band by horizon and measure, before (dashed) and after (solid)
    calibration (two :func:`toolkit.population.evaluation.summary` tables), with the target band 70–90 %."""
    fig = new_figure()
    fig.add_hrect(y0=0.7, y1=0.9, fillcolor="rgba(0,0,0,0.08)", line_width=0)
    for index, measure in enumerate(measures):
        colour = series_colour(index)
        for table, key, dash in ((before, "calibration_before", "dash"), (after, "calibration_after", None)):
            rows = table[table["measure"] == measure].sort_values("horizon")
            fig.add_trace(go.Scatter(x=rows["horizon"], y=rows["inside_80"], name=f"{measure}: {t(key, lang)}",
                                     mode="lines+markers", line={"color": colour, "dash": dash}, legendgroup=measure))
    fig.update_layout(xaxis_title=t("years_ahead", lang), yaxis_title=t("coverage_axis", lang),
                      yaxis={"range": [0, 1], "tickformat": ".0%"})
    return apply_theme(fig, lang, t("coverage_title", lang))


__all__ = ["coverage_figure", "lever_calibration_figure"]
