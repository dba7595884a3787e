"""Figures of goal seeking, sensitivity and scenario discovery: data in, ``go.Figure`` out.

* :func:`matters_chart` — "what matters most": Sobol' total indices of one outcome by lever, as bars [%].
* :func:`goal_chart` — a small figure of the outcome against the lever value, the target line and the answer.
* :func:`discovery_parallel` — parallel coordinates of the sampled lever combinations, coloured by the outcome,
  with the PRIM box's limits on the lever axes.

Labels come from ``toolkit/text/catalogue/goals.yaml``, the look from :mod:`toolkit.viz.theme`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from toolkit.errors import InputError
from toolkit.text import check_lang, number, t
from toolkit.text.goals import lever_label, outcome_label, outcome_title, unit_label
from toolkit.viz.theme import OKABE_ITO, apply_theme, new_figure, rgba


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def matters_chart(indices: pd.DataFrame, region: str, outcome: str, year: int, *, lang: str = "fi",
                  region_name: str | None = None) -> go.Figure:
    """Bars of the Sobol' total index [%] of each lever for one area, outcome and year, largest on top.

    Parameters
    ----------
    indices : tidy table of :func:`toolkit.discovery.sobol_indices` (region, outcome, year, lever, ST, ST_conf)
    region, outcome, year : the row selection
    """
    check_lang(lang)
    rows = indices[(indices["region"] == region) & (indices["outcome"] == outcome) & (indices["year"] == year)]
    if rows.empty:
        raise InputError(f"the sensitivity table has no rows for {region}, {outcome}, {year}")
    rows = rows.sort_values("ST")
    percent = 100 * rows["ST"].clip(lower=0, upper=1).to_numpy()  # sampling noise can take an estimate past 0..1
    spread = 100 * rows["ST_conf"].to_numpy() if "ST_conf" in rows else np.zeros_like(percent)
    labels = [html.escape(lever_label(lever, lang)) for lever in rows["lever"]]
    fig = new_figure(go.Bar(
        x=percent, y=labels, orientation="h", marker_color=OKABE_ITO["blue"], customdata=spread,
        text=[t("goals_percent", lang, value=number(value, lang)) for value in percent], textposition="outside",
        cliponaxis=False, hovertemplate="%{y}: %{x:.0f} ± %{customdata:.0f}<extra></extra>"))
    title = t("goals_matters_title", lang, outcome=outcome_title(outcome, lang), year=year)
    apply_theme(fig, lang, f"{title} — {html.escape(region_name or region)}")
    fig.update_layout(xaxis_title=t("goals_matters_axis", lang), showlegend=False, height=360,
                      xaxis_range=[0, max(105.0, float(percent.max()) * 1.15)])
    return fig


def goal_chart(values: np.ndarray, outcomes: np.ndarray, result, *, lang: str = "fi",
               lever_title: str | None = None, region_name: str | None = None) -> go.Figure:
    """The outcome against the lever value, with the target line and the answer of a goal seek.

    Parameters
    ----------
    values : lever values (K,) [scenario-file units]
    outcomes : the outcome (K,) at each value (e.g. :func:`toolkit.goals.evaluate` in the target year)
    result : the :class:`toolkit.goals.GoalResult`
    """
    check_lang(lang)
    x, y = np.asarray(values, dtype=float), np.asarray(outcomes, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or not np.isfinite(y).all():
        raise InputError("goal_chart needs one finite outcome for each lever value")
    name = lever_title or (t("goals_short_tfr_change", lang) if result.lever == "tfr" and result.form == "change"
                           else lever_label(result.lever, lang))
    fig = new_figure()
    fig.add_scatter(x=x, y=y, mode="lines", line={"color": OKABE_ITO["blue"], "width": 3},
                    name=html.escape(outcome_label(result.outcome, lang)),
                    hovertemplate="%{x}: %{y:,.0f}<extra></extra>")
    fig.add_hline(y=result.target, line={"color": OKABE_ITO["vermillion"], "dash": "dash", "width": 2}, opacity=1,
                  annotation_text=f"{t('goals_seek_target', lang)} {number(result.target, lang)}",
                  annotation_position="top left")
    fig.add_scatter(x=[result.value], y=[result.achieved], mode="markers+text", name=t("goals_seek_answer", lang),
                    marker={"color": OKABE_ITO["vermillion"], "size": 12, "symbol": "diamond"},
                    text=[f"{t('goals_seek_answer', lang)}: {number(result.value, lang, 2)}"],
                    textposition="bottom right")
    if result.current is not None and x.min() <= result.current <= x.max():
        fig.add_vline(x=result.current, line={"color": "#777777", "dash": "dot", "width": 1.5}, opacity=1,
                      annotation_text=t("goals_seek_current", lang), annotation_position="bottom right")
    title = t("goals_seek_title", lang, outcome=outcome_title(result.outcome, lang), year=result.year)
    apply_theme(fig, lang, f"{title} — {html.escape(region_name or result.region)}")
    fig.update_layout(xaxis_title=f"{html.escape(name)} ({html.escape(unit_label(result, lang))})", height=380,
                      showlegend=False)
    return fig


def discovery_parallel(samples: pd.DataFrame, levers: Sequence[str], outcome: str, *, box=None,
                       lang: str = "fi", region_name: str | None = None, max_lines: int = 2000,
                       seed: int = 0) -> go.Figure:
    """Parallel coordinates of sampled lever combinations coloured by the outcome; the PRIM box on the axes.

    Parameters
    ----------
    samples : lever columns and the outcome column (:attr:`toolkit.discovery.Discovery.samples`)
    levers : the lever columns, in axis order; outcome : the outcome column
    box : a :class:`toolkit.discovery.Box`; its limits are drawn as constraint ranges on the lever axes
    max_lines : at most this many combinations are drawn (a random subset, ``seed``), to keep the page light
    """
    check_lang(lang)
    missing = [name for name in [*levers, outcome] if name not in samples.columns]
    if missing:
        raise InputError(f"the samples have no columns {missing}; columns: {', '.join(samples.columns)}")
    shown = samples if len(samples) <= max_lines else samples.sample(max_lines, random_state=seed)
    limits = box.limits.set_index("lever") if box is not None else None
    dimensions = []
    for lever in levers:
        column = {"label": html.escape(lever_label(lever, lang)), "values": shown[lever].to_numpy()}
        if limits is not None and lever in box.restricted:
            column["constraintrange"] = [float(limits.loc[lever, "low"]), float(limits.loc[lever, "high"])]
        dimensions.append(column)
    dimensions.append({"label": html.escape(outcome_title(outcome, lang)), "values": shown[outcome].to_numpy()})
    fig = new_figure(go.Parcoords(
        line={"color": shown[outcome].to_numpy(), "colorscale": [[0, OKABE_ITO["vermillion"]],
                                                                 [0.5, rgba(OKABE_ITO["yellow"], 1.0)],
                                                                 [1, OKABE_ITO["blue"]]],
              "showscale": True, "colorbar": {"title": t("goals_parallel_outcome", lang)}},
        dimensions=dimensions, labelangle=-15, labelside="top",
        unselected={"line": {"color": "#dddddd", "opacity": 0.25}}))
    title = t("goals_parallel_title", lang, count=number(len(samples), lang))
    title += f" — {html.escape(region_name)}" if region_name else ""
    if box is not None:
        title += "<br><sub>" + t("goals_prim_box", lang,
                                 coverage=t("goals_percent", lang, value=number(100 * box.coverage, lang)),
                                 density=t("goals_percent", lang, value=number(100 * box.density, lang))) + "</sub>"
    apply_theme(fig, lang, title)
    fig.update_layout(height=520, margin={"l": 90, "r": 60, "t": 170, "b": 40})
    return fig
