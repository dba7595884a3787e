"""The explorer's figures in the page: plotly.js loaded once, each figure a plain ``ipywidgets.HTML`` redrawn in place.

A ``go.FigureWidget`` (an anywidget in plotly 6) must load and start its front end within anywidget's 2 s; on a
busy 2-core laptop some never start, and their figures then neither draw nor update. Here a figure is a core
``HTML`` widget (no front-end module of its own to load) whose value is the figure's JSON in an inert
``<script type="application/json">``. One script, shown once in the page with plotly.js (:func:`page_script`),
watches the page for these widgets and draws each with ``Plotly.react`` whenever its JSON changes: the first time
it appears, after every lever move and after a change of language; a figure in a closed tab is drawn when its tab
opens. ``Plotly.react`` keeps what a user did in a figure (zoom, legend clicks) while the figure's ``uirevision``
stays.

Each drawn figure's plot element (``.forum-plot``) carries its ``data-name``, the ``data-version`` of the JSON it
was given, ``data-drawn`` (that version, once on the screen), ``data-drawn-at`` (``performance.now()`` then) and
``data-renders`` (how many times it was drawn), for the browser tests and the latency benchmark.
"""

from __future__ import annotations

import json

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs

FIGURE_CLASS = "forum-figure"
"""CSS class of a figure's ``HTML`` widget."""
FIGURE_HEIGHT = 440
"""Height of an explorer figure [px]."""
PLOTLY_CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

_DRAWER = """
(function () {
  if (window.forumFigures) { window.forumFigures.scan(); return; }
  var pending = new Set(), hidden = new Set(), scheduled = false, revisit = false;
  function shown(box) {  // not in a closed tab (a hidden Lumino panel), read from the DOM without a layout
    return box.isConnected && !box.closest('.lm-mod-hidden, .p-mod-hidden');
  }
  function draw(box) {
    var data = box.querySelector('.forum-figure-data');
    if (!data || !window.Plotly) return;
    if (!shown(box)) { hidden.add(box); return; }  // drawn when its tab opens
    hidden.delete(box);
    var plot = box.querySelector(':scope > .forum-plot');
    if (!plot) {
      plot = document.createElement('div');
      plot.className = 'forum-plot';
      plot.style.cssText = 'flex: 1 1 auto; min-width: 0; width: 100%;';
      box.appendChild(plot);
    }
    var version = data.getAttribute('data-version');
    if (plot.getAttribute('data-version') === version) return;
    plot.setAttribute('data-version', version);
    var figure = JSON.parse(data.textContent);
    plot.setAttribute('data-name', data.getAttribute('data-name'));
    window.Plotly.react(plot, figure.data, figure.layout, figure.config).then(function () {
      requestAnimationFrame(function () {  // on the screen: the frame after the drawing
        plot.setAttribute('data-renders', String(Number(plot.getAttribute('data-renders') || 0) + 1));
        plot.setAttribute('data-drawn', version);
        plot.setAttribute('data-drawn-at', String(performance.now()));
      });
    });
  }
  function flush() {
    scheduled = false;
    var boxes = Array.from(pending);
    pending.clear();
    boxes.forEach(draw);
    if (revisit) {  // a class changed somewhere (a tab opened): draw what became visible
      revisit = false;
      hidden.forEach(function (box) {
        if (!box.isConnected) hidden.delete(box);
        else if (shown(box)) draw(box);
      });
    }
  }
  function mark(box) {
    pending.add(box);
    if (!scheduled) { scheduled = true; queueMicrotask(flush); }
  }
  function scan() { document.querySelectorAll('.FIGURE').forEach(mark); }
  window.forumFigures = {scan: scan};
  // a figure widget appears (nodes added, or its class set after it was attached) or its JSON changes
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      var node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (!node || node.closest('.forum-plot')) return;  // plotly.js drawing inside a figure
      var box = node.closest('.FIGURE');
      if (box) { mark(box); return; }
      if (record.type === 'attributes' && hidden.size) {
        revisit = true;
        if (!scheduled) { scheduled = true; queueMicrotask(flush); }
      }
      record.addedNodes.forEach(function (added) {
        if (added.nodeType === 1) added.querySelectorAll('.FIGURE').forEach(mark);
      });
    });
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
                                         attributes: true, attributeFilter: ['class']});
  scan();
})();
""".replace("FIGURE", FIGURE_CLASS)
LEVERS_CLASS = "forum-levers"
"""CSS class of the box of lever sliders (their labels wrap instead of being cut)."""
TABS_CLASS = "forum-tabs"
"""CSS class of the tabs of figures (each tab as wide as its title, not cut)."""
_STYLE = (f".{FIGURE_CLASS} > .widget-html-content {{ display: none; }}"
          f" .{FIGURE_CLASS} {{ width: 100%; min-height: {FIGURE_HEIGHT}px; }}"
          f" .{LEVERS_CLASS} .widget-slider {{ height: auto; min-height: var(--jp-widgets-inline-height); }}"
          f" .{LEVERS_CLASS} .widget-slider > .widget-label {{ white-space: normal; overflow: visible;"
          " text-overflow: clip; height: auto; line-height: 1.25; align-self: center; }"
          f" .jupyter-widgets.widget-tab.{TABS_CLASS} > .lm-TabBar .lm-TabBar-tab {{ flex: 0 0 auto;"
          " max-width: none; padding: 0 1em; }")


def page_script() -> str:
    """HTML to show once in the page before the explorer: plotly.js (local, no network) and the drawing script.

    plotly.js runs in a scope without ``define``/``module``, so it sets ``window.Plotly`` also where an AMD loader
    is present.
    """
    return ("<style>" + _STYLE + "</style>\n<script type=\"text/javascript\">(function (define, module, exports) {\n"
            + get_plotlyjs() + "\n})();</script>\n<script type=\"text/javascript\">" + _DRAWER + "</script>")


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def figure_json(fig: go.Figure, height: int = FIGURE_HEIGHT) -> str:
    """The figure's data and layout as JSON safe inside HTML (no ``<``), with the explorer's config and height
    (``height``, or the figure's own when it needs more: a bar per industry).

    Reads the figure's own validated property dicts (what ``to_plotly_json`` deep-copies), so a redraw costs well
    under a millisecond per figure.
    """
    layout = {**fig._layout, "height": max(height, fig._layout.get("height") or 0), "autosize": True}
    layout.pop("width", None)
    figure = {"data": fig._data, "layout": layout, "config": PLOTLY_CONFIG}
    try:
        text = json.dumps(figure, default=_plain, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except ValueError:  # a missing value (NaN) in the data: plotly's encoder writes it as null
        text = to_json_plotly(figure)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class PlotView:
    """One explorer figure: a ``go.Figure`` (updated in place by :mod:`toolkit.viz`) and the widget that shows it.

    Attributes
    ----------
    figure : the ``go.Figure`` the explorer updates
    widget : ``ipywidgets.HTML`` holding the figure's JSON (drawn by the page script)
    name : the figure's name (``data-name`` in the page)
    version : how many different states of the figure were sent to the page
    """

    def __init__(self, figure: go.Figure, name: str = "figure"):
        self.figure = figure
        self.name = name
        self.widget = widgets.HTML(layout=widgets.Layout(width="100%"))
        self.widget.add_class(FIGURE_CLASS)
        self.version = 0
        self._sent: str | None = None
        self.show()

    def show(self, figure: go.Figure | None = None) -> bool:
        """Send the figure (or a new one in its place) to the page if it changed; True if it was sent."""
        if figure is not None:
            self.figure = figure
        payload = figure_json(self.figure)
        if payload == self._sent:
            return False
        self._sent = payload
        self.version += 1
        self.widget.value = (f'<script type="application/json" class="forum-figure-data" '
                             f'data-name="{self.name}" data-version="{self.version}">{payload}</script>')
        return True
