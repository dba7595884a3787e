"""Plotly figures of population and skills runs: pure functions, data in, ``go.Figure`` out.

Every figure takes ``lang`` (``fi``, ``sv``, ``en``), uses the one theme of :mod:`toolkit.viz.theme`
and the texts of :mod:`toolkit.text`, and needs no kernel: switching scenarios and years is done
with plotly's own dropdowns and sliders, so the figures work in an exported HTML page.
"""

from toolkit.viz.card import scenario_card
from toolkit.viz.population import (
    area_comparison,
    cohort_chart,
    dependency_ratio_chart,
    fan_chart,
    futures_cone,
    pyramid,
)
from toolkit.viz.skills import job_openings_chart, labour_balance_chart, openings_flow

__all__ = [
    "area_comparison",
    "cohort_chart",
    "dependency_ratio_chart",
    "fan_chart",
    "futures_cone",
    "job_openings_chart",
    "labour_balance_chart",
    "openings_flow",
    "pyramid",
    "scenario_card",
]
