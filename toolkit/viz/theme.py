"""The one look of every figure: Okabe–Ito colours, fonts, margins and number separators.

The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design") stays distinguishable with the
common colour-vision deficiencies. Black is kept for observed history; scenarios take the other
colours in a fixed order so that a scenario has the same colour in every figure of a run.
"""

from __future__ import annotations

import plotly.graph_objects as go

from toolkit.text import separators

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
SERIES_ORDER = ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue", "yellow")
OBSERVED_COLOUR = OKABE_ITO["black"]
SEX_COLOURS = {"M": OKABE_ITO["blue"], "F": OKABE_ITO["orange"]}
FONT_FAMILY = "Source Sans Pro, Segoe UI, Helvetica Neue, Arial, sans-serif"
FONT_SIZE = 14
MARGIN = {"l": 70, "r": 30, "t": 70, "b": 60}


def series_colour(index: int) -> str:
    """Colour of the ``index``-th series (scenario); the palette repeats after seven series."""
    return OKABE_ITO[SERIES_ORDER[index % len(SERIES_ORDER)]]


def rgba(hex_colour: str, alpha: float) -> str:
    """``rgba(...)`` string of a ``#RRGGBB`` colour with opacity ``alpha`` in [0, 1]."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def apply_theme(fig: go.Figure, lang: str, title: str) -> go.Figure:
    """Set the shared layout (font, margins, separators of ``lang``, title) on ``fig`` and return it."""
    fig.update_layout(
        template="simple_white",
        title={"text": title, "x": 0.0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#222222"},
        margin=MARGIN,
        separators=separators(lang),
        hoverlabel={"font": {"family": FONT_FAMILY}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
    )
    return fig
