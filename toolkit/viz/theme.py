"""The one look of every figure: Okabe–Ito colours, fonts, margins and number separators.

The Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design") stays distinguishable with the
common colour-vision deficiencies. Black is kept for observed history; scenarios take the other
colours in a fixed order so that a scenario has the same colour in every figure of a run.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

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


DEFAULT_HEIGHT = 450  # [px] plotly's default figure height
LEGEND_BELOW_TITLE = -0.4
LEGEND_BELOW_CATEGORIES = -0.6
"""Legend position under a bar chart's category names (written aslant when long)."""
TITLE_CHARS = 58
"""A longer figure title is written on two lines."""
"""Legend position [share of the plot's height below it] under an x axis with a title."""
YEARS = (1800, 2200)
"""Values of an axis all whole numbers in this range make it a year axis (ticks without thousands separators)."""
_CARTESIAN = {"scatter", "bar", "box", "histogram", "heatmap", "contour", "waterfall"}


def _axis_values(fig: go.Figure) -> dict[str, list]:
    """The numeric values on every cartesian axis of ``fig`` (``xaxis``, ``yaxis2``, ...) from its traces."""
    values: dict[str, list] = {}
    for trace in fig.data:
        if trace.type not in _CARTESIAN:
            continue
        for letter in ("x", "y"):
            ref = getattr(trace, f"{letter}axis", None) or letter
            data = getattr(trace, letter, None)
            if data is None:
                continue
            try:
                array = np.asarray(data, dtype=float)
            except (TypeError, ValueError):  # categories
                values.setdefault(ref.replace(letter, f"{letter}axis", 1), []).append(None)
                continue
            values.setdefault(ref.replace(letter, f"{letter}axis", 1), []).append(array[np.isfinite(array)])
    return values


def number_axes(fig: go.Figure) -> go.Figure:
    """Axis numbers in the figure's language: whole numbers with the thousands separator of ``separators`` (plotly
    writes "80 000" and "−6 000" for fi/sv, "80,000" for en, never "80k"), years as plain years ("2030") on an axis
    without a title (the legend stands under the axis, where the title would be).

    An axis with a tick format of its own (a percentage, say) keeps it."""
    for axis, arrays in _axis_values(fig).items():
        if any(array is None for array in arrays):
            continue
        layout_axis = fig.layout[axis] if axis in fig.layout else None
        if layout_axis is None or layout_axis.tickformat or layout_axis.type in ("category", "log", "date"):
            continue
        present = np.concatenate(arrays) if arrays else np.array([])
        years = present.size > 0 and bool(np.all((present == np.round(present)) & (present >= YEARS[0])
                                                  & (present <= YEARS[1])))
        if years:  # the tick labels say they are years; a title "Vuosi" would sit on the legend below the axis
            layout_axis.update(tickformat="d", hoverformat="d", title_text=None)
        else:
            layout_axis.update(exponentformat="none", separatethousands=True)
    return fig


TEMPLATE_LAYOUT = ("autotypenumbers", "colorway", "font", "hovermode", "hoverlabel", "paper_bgcolor", "plot_bgcolor",
                   "xaxis", "yaxis", "shapedefaults", "annotationdefaults", "title")
"""The parts of plotly's ``simple_white`` layout that the toolkit's figures use."""
TEMPLATE_TRACES = ("scatter", "bar", "parcoords", "table")
"""The trace types of the toolkit's figures that ``simple_white`` styles (a Sankey has no defaults there)."""


def _lean_template() -> go.layout.Template:
    """plotly's ``simple_white`` cut to what the toolkit draws (:data:`TEMPLATE_LAYOUT`, :data:`TEMPLATE_TRACES`).

    The whole template (colour scales, polar, geo and 3-D scenes, two dozen trace types) is 8.6 kB of JSON copied
    into every figure, page and notebook output, and validating it costs ~10 ms per figure; this one draws the
    same figures from 2 kB."""
    full = pio.templates["simple_white"].to_plotly_json()
    layout = {key: full["layout"][key] for key in TEMPLATE_LAYOUT}
    for axis in ("xaxis", "yaxis"):  # no tick label reaches past the figure (automargin), so none is measured
        layout[axis] = {**layout[axis], "ticklabeloverflow": "allow"}  # for hiding: a third of a redraw's script time
    return go.layout.Template(layout=layout, data={key: full["data"][key] for key in TEMPLATE_TRACES})


TEMPLATE = _lean_template()
"""The template of every figure."""
_TEMPLATE_JSON = TEMPLATE.to_plotly_json()


def new_figure(data=None) -> go.Figure:
    """A figure of the traces ``data`` with :data:`TEMPLATE` (not plotly's default template, which costs ~6 ms to
    set and is replaced by :func:`apply_theme` anyway)."""
    return go.Figure(data=data, layout={"template": TEMPLATE})


def apply_theme(fig: go.Figure, lang: str, title: str) -> go.Figure:
    """Set the shared layout (font, margins, separators of ``lang``, title, axis number formats) on ``fig``."""
    if fig._layout.get("template") != _TEMPLATE_JSON:  # a figure of new_figure() has it (validating it again: 2 ms)
        fig.update_layout(template=TEMPLATE)
    fig.update_layout(
        title={"text": wrap_title(title), "x": 0.0, "xanchor": "left"},
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#222222"},
        margin=MARGIN,
        separators=separators(lang),
        hoverlabel={"font": {"family": FONT_FAMILY}},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
    )
    number_axes(fig)
    categories = any(trace.type == "bar" and trace.orientation != "h" and trace.x is not None
                     and len(trace.x) and isinstance(trace.x[0], str) for trace in fig.data)
    if categories:  # long category names are written aslant under the axis: the legend below them
        fig.update_layout(legend_y=_below(fig, LEGEND_BELOW_CATEGORIES))
    elif fig.layout.xaxis.title.text:  # the legend below the x axis's title, not on it
        fig.update_layout(legend_y=_below(fig, LEGEND_BELOW_TITLE))
    return fig


REFERENCE_PLOT_HEIGHT = DEFAULT_HEIGHT - MARGIN["t"] - MARGIN["b"]
"""[px] the plot area's height for which the ``LEGEND_BELOW_*`` fractions are set."""


def _below(fig: go.Figure, fraction: float) -> float:
    """The legend's y (a fraction of the plot area's height) that puts it as many pixels under the axis as
    ``fraction`` does in a figure of the default height: a taller figure keeps its legend close to its axis."""
    plot = (fig.layout.height or DEFAULT_HEIGHT) - MARGIN["t"] - MARGIN["b"]
    return fraction * REFERENCE_PLOT_HEIGHT / max(plot, 1)


def wrap_title(title: str, chars: int = TITLE_CHARS) -> str:
    """A title longer than ``chars`` characters on two lines (broken at the last space before ``chars``), so that
    it fits a figure half a laptop screen wide."""
    if len(title) <= chars or "<br>" in title:
        return title
    head, _, tail = title[:chars].rpartition(" ")
    return f"{head}<br>{tail}{title[chars:]}" if head else title
