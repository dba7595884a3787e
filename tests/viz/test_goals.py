"""Figures of goal seeking, sensitivity and discovery: pure functions of their data, labels in three languages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from toolkit.discovery import Box
from toolkit.errors import InputError
from toolkit.goals import GoalResult
from toolkit.viz.goals import discovery_parallel, goal_chart, matters_chart

INDICES = pd.DataFrame({
    "region": "kainuu", "scenario": "baseline", "outcome": "labour_balance", "year": 2040,
    "lever": ["tfr", "additional_net_migration", "participation_change:55-64"],
    "S1": [0.01, 0.6, 0.2], "S1_conf": 0.02, "ST": [0.03, 0.62, 0.25], "ST_conf": 0.02})
RESULT = GoalResult(region="kainuu", scenario="baseline", lever="additional_net_migration", value=5.2,
                    unit="per 1,000 inhabitants a year", outcome="15-64", year=2040, target=35_000.0,
                    achieved=35_010.0, current=0.0, form="change", path_year=2035, shape="logistic",
                    migration_unit="per_1000")


@pytest.mark.parametrize(("lang", "title", "label"), [("fi", "Mikä vaikuttaa eniten", "lisämuutto"),
                                                     ("sv", "Vad betyder mest", "ytterligare inflyttning"),
                                                     ("en", "What matters most", "additional migration")])
def test_matters_chart_orders_levers_by_total_index(lang, title, label):
    fig = matters_chart(INDICES, "kainuu", "labour_balance", 2040, lang=lang, region_name="Kainuu")
    assert isinstance(fig, go.Figure) and title in fig.layout.title.text
    (bar,) = fig.data
    assert list(bar.x) == pytest.approx([3.0, 25.0, 62.0])  # largest on top (last)
    assert bar.y[-1] == label
    with pytest.raises(InputError, match="no rows"):
        matters_chart(INDICES, "kainuu", "75+", 2040)


def test_goal_chart_marks_target_and_answer():
    values = np.linspace(-5, 15, 21)
    fig = goal_chart(values, 33_000 + 400 * values, RESULT, lang="fi")
    line, answer = fig.data
    assert list(answer.x) == [5.2] and list(answer.y) == [35_010.0]
    assert fig.layout.shapes[0].y0 == 35_000.0  # the target line
    assert "tuhatta asukasta kohden" in fig.layout.xaxis.title.text
    with pytest.raises(InputError, match="one finite outcome"):
        goal_chart(values, np.full(20, 1.0), RESULT)


def test_parallel_coordinates_carry_the_prim_box():
    rng = np.random.default_rng(0)
    samples = pd.DataFrame(rng.uniform(size=(50, 2)), columns=["tfr", "retirement_age_shift"])
    samples["job_openings"] = rng.uniform(size=50)
    box = Box(pd.DataFrame({"lever": ["tfr", "retirement_age_shift"], "low": [0.2, 0.0], "high": [0.6, 1.0]}),
              ("tfr",), 0.7, 0.9, 0.2)
    fig = discovery_parallel(samples, ["tfr", "retirement_age_shift"], "job_openings", box=box, lang="sv")
    (coords,) = fig.data
    assert list(coords.dimensions[0].constraintrange) == [0.2, 0.6]
    assert coords.dimensions[1].constraintrange is None
    assert "täckning 70 %" in fig.layout.title.text and "täthet 90 %" in fig.layout.title.text
