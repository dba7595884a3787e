"""Migration as rates or as counts, compared on central paths from the origins 2011-2020 (docs/methods-selection.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from toolkit.io.inputs import load_population_inputs
from toolkit.population import migration_form as mf
from toolkit.population.project import project_population
from toolkit.regions import maakunnat

INPUTS = load_population_inputs()
DOC = Path(__file__).resolve().parents[2] / "docs" / "methods-selection.md"


@pytest.fixture(scope="module")
def table():
    return mf.compare(inputs=INPUTS)


def test_the_rates_form_is_the_baseline_central_run():
    ds = project_population(maakunnat(), ["baseline"], horizon=2025, base_year=2015, inputs=INPUTS)
    np.testing.assert_array_equal(mf.central_paths(INPUTS, 2015, 2025, "rates"), ds["population"].values[:, 0])


def test_held_counts_differ_from_rates_and_keep_the_origin_population():
    rates, counts = (mf.central_paths(INPUTS, 2012, 2022, form) for form in mf.FORMS)
    np.testing.assert_array_equal(rates[:, 0], counts[:, 0])
    assert not np.allclose(rates[:, -1], counts[:, -1])
    # counts need no balance: the regions' migrants add up to the country's of the origin, so the totals differ by
    # migration alone, and little within ten years
    gap = np.abs(counts[:, -1].sum((-2, -1)) / rates[:, -1].sum((-2, -1)) - 1)
    assert 0 < gap.max() < 0.02
    with pytest.raises(ValueError, match="allowed rates, counts"):
        mf.central_paths(INPUTS, 2012, 2022, "shares")


def test_the_comparison_is_complete_and_the_document_carries_its_table(table):
    assert set(table["origin"]) == set(range(2011, 2021))
    assert set(table["form"]) == set(mf.FORMS)
    assert table.groupby("origin")["horizon"].max().to_dict() == {o: min(10, 2025 - o) for o in range(2011, 2021)}
    national = table[(table.region_code == "SSS") & (table.measure == "total")]
    regional = table[(table.region_code != "SSS") & (table.measure == "total")]
    summed = regional.groupby(["form", "origin", "year"])["observed"].sum()
    np.testing.assert_allclose(national.set_index(["form", "origin", "year"])["observed"], summed.loc[
        national.set_index(["form", "origin", "year"]).index])
    assert mf.summary_markdown(mf.summary(table)) in DOC.read_text(encoding="utf-8")
