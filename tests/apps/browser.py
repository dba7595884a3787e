"""What the browser tests read from a page: figures drawn, overlapping boxes, the pyramid's bars (JavaScript).

Shared by the pack tests (``test_browser.py``) and the explorer tests (``test_voila.py``). With ``CI=true`` a
missing Chromium fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SIZES = ((1280, 800), (1920, 1080))
"""The screens a forum uses: a laptop and a projector."""


def need_chromium() -> None:
    """Skip without Chromium, except in CI (``CI=true``), where the test then fails."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is not installed at {CHROMIUM}; browser tests never skip in CI")
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")


GRAPHS = "[...document.querySelectorAll('.js-plotly-plot')]"

DRAWN = f"""() => {GRAPHS}.map(gd => ({{
    title: (gd.querySelector('.gtitle') || {{textContent: ''}}).textContent,
    traces: (gd._fullData || []).filter(trace => trace.visible === true).length,
    marks: [...gd.querySelectorAll('.trace path, .sankey path, .sankey rect')].filter(mark =>
        (mark.getAttribute('d') || mark.tagName === 'rect') && mark.getAttribute('d') !== 'M0,0Z').length,
    annotations: [...gd.querySelectorAll('.annotation')].filter(note => note.textContent.trim() !== '').length,
}}))"""
"""Each graph: its title, how many traces it shows, how many marks (paths, bars, Sankey nodes) it has drawn and how
many annotations with text (a card of numbers is a figure of annotations only)."""


def drawn(graph: dict) -> bool:
    """A graph of :data:`DRAWN` shows something: a title, and marks for its traces or, without traces, the text
    of a card."""
    shows = graph["marks"] > 0 if graph["traces"] > 0 else graph["annotations"] > 0
    return bool(graph["title"]) and shows

OVERLAPS = f"""() => {{
  const parts = ['.legend', '.xtitle', '.ytitle', '.x2title', '.y2title', '.slider-group', '.updatemenu-header-group',
                 '.gtitle', '.annotation'];
  const found = [];
  {GRAPHS}.forEach((gd, graph) => {{
    const boxes = [];
    parts.forEach(part => gd.querySelectorAll(part).forEach(element => {{
      const box = element.getBoundingClientRect();
      const shown = box.width > 0 && box.height > 0 && (part === '.legend' || element.textContent.trim() !== '');
      if (shown) boxes.push({{part, box, text: element.textContent.slice(0, 40)}});
    }}));
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {{
      const a = boxes[i].box, b = boxes[j].box;
      const width = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const height = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (width > 1 && height > 1) found.push({{graph, title: (gd.querySelector('.gtitle') || {{}}).textContent,
        a: boxes[i].part, aText: boxes[i].text, b: boxes[j].part, bText: boxes[j].text,
        overlap: [Math.round(width), Math.round(height)]}});
    }}
  }});
  return found;
}}"""
"""Pairs of legend, axis titles, slider, menus (each dropdown or row of buttons on its own), title and annotations
whose boxes overlap, per graph."""


def pyramid_bars(graph: str) -> str:
    """JavaScript: [bar shapes, line traces] drawn in ``graph`` (a JavaScript expression of the graph div)."""
    return (f"() => [{graph}.querySelectorAll('.bars path').length, "
            f"{graph}.querySelectorAll('.scatterlayer .trace').length]")
