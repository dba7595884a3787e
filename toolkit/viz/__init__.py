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
    update_dependency_ratio_chart,
    update_fan_chart,
)
from toolkit.viz.pyramid import pyramid, pyramid_axes, pyramid_series, update_pyramid
from toolkit.viz.skills import (
    industry_label,
    job_openings_chart,
    labour_balance_chart,
    openings_flow,
    update_job_openings_chart,
    update_labour_balance_chart,
)

__all__ = [
    "area_comparison",
    "cohort_chart",
    "dependency_ratio_chart",
    "fan_chart",
    "futures_cone",
    "industry_label",
    "job_openings_chart",
    "labour_balance_chart",
    "openings_flow",
    "pyramid",
    "pyramid_axes",
    "pyramid_series",
    "scenario_card",
    "update_dependency_ratio_chart",
    "update_fan_chart",
    "update_job_openings_chart",
    "update_labour_balance_chart",
    "update_pyramid",
]
