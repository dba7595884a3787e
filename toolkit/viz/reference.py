"""The official projection as a labelled reference line on an existing fan chart or futures cone.

Pure: a figure and the official population in, the same figure with one more trace out (a copy).
"""

from __future__ import annotations

import plotly.graph_objects as go
import xarray as xr

from toolkit.errors import InputError
from toolkit.indicators import population_measure
from toolkit.text import t
from toolkit.viz.theme import OKABE_ITO

OFFICIAL_COLOUR = OKABE_ITO["vermillion"]


def add_official_projection(fig: go.Figure, official: xr.DataArray | None, measure: str = "total", *,
                            lang: str = "fi") -> go.Figure:
    """``fig`` with Statistics Finland's projection of ``measure`` as a dashed, labelled line.

    Parameters
    ----------
    fig : a fan chart or futures cone (:mod:`toolkit.viz.population`) of one region
    official : the region's official projection (year, sex, age) [persons]
        (``toolkit.io.official.official_projection([code]).isel(region=0)``), or ``None`` for an area whose
        official figure is not in the shipped data: the figure then says so in a note
    measure : the figure's measure (a name of :data:`toolkit.indicators.MEASURES`)
    lang : ``fi``, ``sv`` or ``en``
    """
    out = go.Figure(fig)
    if official is None:
        # the note heads the legend, so that it moves with it and never lies on a legend entry
        out.update_layout(legend_title={"text": t("official_projection_missing", lang), "side": "top",
                                        "font": {"size": 11}})
        return out
    missing = [dim for dim in ("year", "sex", "age") if dim not in official.dims]
    if missing or official.ndim != 3:
        raise InputError(f"official projection must have dimensions (year, sex, age); it has {official.dims}")
    values = population_measure(official, measure)
    name = t("official_projection_line", lang)
    out.add_trace(go.Scatter(x=values["year"].values, y=values.values, name=name, mode="lines",
                             line={"color": OFFICIAL_COLOUR, "width": 2, "dash": "dash"},
                             hovertemplate=f"%{{x}}: %{{y:,.0f}}<extra>{name}</extra>"))
    return out


__all__ = ["OFFICIAL_COLOUR", "add_official_projection"]
