"""Period rates of a projection step from lever values: life tables from e0, fertility from the TFR."""

from __future__ import annotations

import numpy as np

from toolkit.nomenclature import FEMALE
from toolkit.population.lifetable import life_table, solve_scale, tabulated_scale
from toolkit.population.schedules import shift_schedule


def person_years(e0: np.ndarray, mortality_pattern: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Person-years L(x) of life tables with the national age pattern scaled to ``e0``.

    Parameters
    ----------
    e0 : life expectancy at birth [years], shape (..., 2) with sex (F, M) last
    mortality_pattern : national death rates [1/year], shape (2, 101)

    Returns
    -------
    (Lx, scale): Lx [years per newborn] of shape (..., 2, 101); scale θ [–] of shape (..., 2)
    """
    e0 = np.asarray(e0, dtype=float)
    scale = solve_scale(mortality_pattern, FEMALE, e0, initial=tabulated_scale(e0, mortality_pattern))
    return life_table(scale[..., None] * mortality_pattern, FEMALE)["Lx"], scale


def fertility_rates(tfr: np.ndarray, shift: np.ndarray, fertility_pattern: np.ndarray) -> np.ndarray:
    """Age-specific fertility rates [births/woman/year], shape tfr.shape + (101,)."""
    return np.asarray(tfr, dtype=float)[..., None] * shift_schedule(fertility_pattern, shift)
