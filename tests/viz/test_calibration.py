"""Calibration figures: one trace per lever and state, the honest line, the coverage target."""

from __future__ import annotations

import pandas as pd

from toolkit.viz.calibration import coverage_figure, lever_calibration_figure


def test_lever_calibration_figure_before_and_after():
    table = pd.DataFrame({"lever": ["tfr", "tfr", "e0", "e0"], "horizon": [1, 5, 1, 5], "rms_z": [1.5, 2.8, 1.0, 1.5],
                          "rms_z_calibrated": [1.0, 1.0, 1.05, 1.0]})
    fig = lever_calibration_figure(table, lang="fi")
    assert len(fig.data) == 4 and fig.data[0].name == "syntyvyys (log): ennen"
    assert list(fig.data[1].y) == [1.0, 1.0] and fig.layout.shapes[0].y0 == 1.0


def test_coverage_figure_draws_every_measure_twice():
    rows = pd.DataFrame({"measure": ["total", "total"], "horizon": [5, 10], "inside_80": [0.5, 0.6]})
    fig = coverage_figure(rows, rows.assign(inside_80=[0.7, 0.8]), measures=("total",), lang="en")
    assert [trace.name for trace in fig.data] == ["total: before", "total: after"]
    assert list(fig.data[1].y) == [0.7, 0.8]
