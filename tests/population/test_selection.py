"""Exact quantiles by histogram selection: the numbers of np.quantile for any distribution of draws."""

from __future__ import annotations

import numpy as np
import pytest

from toolkit.population.ensemble import QUANTILES
from toolkit.population.selection import order_statistics, plan, quantiles_last_axis, workspace

RNG = np.random.default_rng(20261129)
CASES = {
    "normal": RNG.normal(50_000, 900, (200, 1000)),
    "random walks": RNG.normal(size=(200, 1000)).cumsum(1),
    "lognormal, heavy tail": RNG.lognormal(0, 3, (100, 1000)),
    "negative": -RNG.exponential(size=(50, 1001)),
    "ties": RNG.integers(0, 3, (50, 1000)).astype(float),
    "constant": np.full((3, 1000), 7.25),
    "one outlier": np.r_[np.zeros(999), 1e9][None],
    "tiny spread": 1e6 + RNG.normal(0, 1e-9, (20, 1000)),
    "two draws": RNG.normal(size=(10, 2)),
    "one draw": RNG.normal(size=(10, 1)),
    "seven draws": RNG.normal(size=(100, 7)),
    "forty draws": RNG.normal(size=(100, 40)),
}


@pytest.mark.parametrize("case", CASES)
def test_the_numbers_of_numpy_quantile(case):
    values = CASES[case]
    expected = np.moveaxis(np.quantile(values, QUANTILES, axis=-1), 0, -1)
    np.testing.assert_array_equal(quantiles_last_axis(values, QUANTILES), expected)


def test_any_quantiles_and_leading_shape():
    values = RNG.gamma(2.0, size=(3, 4, 501))
    wanted = (0.0, 0.013, 0.5, 0.5001, 0.999, 1.0)
    np.testing.assert_array_equal(quantiles_last_axis(values, wanted),
                                  np.moveaxis(np.quantile(values, wanted, axis=-1), 0, -1))


def test_order_statistics_and_clean_workspace():
    values = RNG.normal(size=1000)
    ranks, *_ = plan(QUANTILES, values.size)
    counts, slot, index, scratch = workspace(values.size)
    out = np.empty(ranks.size)
    for _ in range(2):  # the work space is reusable: the slots are left unset
        order_statistics(values, ranks, out, counts, slot, index, scratch)
        np.testing.assert_array_equal(out, np.sort(values)[ranks])
        assert (slot == -1).all()
    assert list(ranks) == sorted(set(ranks))
