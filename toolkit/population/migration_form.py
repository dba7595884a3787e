"""Migration as rates or as counts: the two forms of the regional net-migration assumption compared out of sample.

The baseline applies each maakunta's net-migration *rates* by sex and age (its mean of the ``window`` years to the
origin) to its projected population, balanced each year so that the regions add up to the country's net
international migration (:func:`toolkit.population.project.balancing_rates`). The alternative holds the net
migrants themselves: each region's *counts* by sex and age are those rates on its origin population, kept
constant. Counts need no balance: they add up to the country's net migration of the origin, held too.

Both are projected from every origin with the baseline's fertility and mortality (the same central lever paths,
computed from the data up to the origin) and compared with the observed population of every later year, per
horizon and age group: mean absolute percentage error and mean error (bias) of the central paths over the 19
maakunnat, and the error of the country. The ensemble cannot hold counts (its migration deviations are drawn as
rates), so this is a comparison of central paths; ``docs/methods-selection.md`` carries the table.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.nomenclature import AGE_GROUPS, GROUP_MEMBERS
from toolkit.population.evaluation import MEASURES, check_origins
from toolkit.population.project import _engine, region_base
from toolkit.regions import maakunnat
from toolkit.scenarios import load_scenario

FORMS = ("rates", "counts")


def central_paths(inputs: PopulationInputs, origin: int, horizon: int, form: str,
                  window: int = 10) -> np.ndarray:
    """The baseline's central population (R, T+1, 2, A) of the 19 maakunnat from ``origin`` to ``horizon`` with
    migration as balanced ``rates`` or held ``counts``; only data up to the origin are used."""
    if form not in FORMS:
        raise ValueError(f"form {form!r}: allowed {', '.join(FORMS)}")
    inputs = inputs.up_to(origin)
    bases = [region_base(inputs, region, origin, window) for region in maakunnat()]
    arrays = _engine(inputs, bases, [load_scenario("baseline")], np.arange(origin, horizon + 1), window,
                     balanced=True, held_counts=form == "counts")
    return arrays["population"][:, 0]


def compare(origins: Iterable[int] = range(2011, 2021), *, max_horizon: int = 10, window: int = 10,
            measures=MEASURES, inputs: PopulationInputs | None = None) -> pd.DataFrame:
    """Errors of both forms from every origin: one row per form × origin × area (the 19 maakunnat and ``SSS``,
    their sum) × year × measure, with ``horizon``, ``observed``, ``projected`` and ``error_percent``."""
    inputs = load_population_inputs() if inputs is None else inputs
    origins = check_origins(origins, max_horizon, inputs)
    codes = [region.code for region in maakunnat()]
    columns = [list(AGE_GROUPS).index(measure) for measure in measures]
    rows = []
    for origin in origins:
        horizon = min(origin + max_horizon, inputs.latest_base_year)
        years = np.arange(origin + 1, horizon + 1)
        observed = inputs.population.sel(region_code=codes, year=years).transpose("region_code", "year", "sex", "age")
        observed = (observed.values.sum(-2) @ GROUP_MEMBERS.T)[..., columns]  # (R, Y, G)
        for form in FORMS:
            population = central_paths(inputs, origin, horizon, form, window)[:, 1:]
            projected = (population.sum(-2) @ GROUP_MEMBERS.T)[..., columns]
            for area, got, seen in [*zip(codes, projected, observed, strict=True),
                                    ("SSS", projected.sum(0), observed.sum(0))]:
                for y, year in enumerate(years):
                    for g, measure in enumerate(measures):
                        rows.append((form, origin, area, int(year), int(year) - origin, measure, float(seen[y, g]),
                                     float(got[y, g])))
    table = pd.DataFrame(rows, columns=["form", "origin", "region_code", "year", "horizon", "measure", "observed",
                                        "projected"])
    table["error_percent"] = 100.0 * (table["projected"] - table["observed"]) / table["observed"]
    return table


def summary(table: pd.DataFrame, horizons=(1, 5, 10)) -> pd.DataFrame:
    """Per form × horizon × measure: MAPE and bias over the maakunnat (cases and origins), and the country's
    mean absolute error over the origins [%]."""
    table = table[table["horizon"].isin(horizons)]
    regional = table[table["region_code"] != "SSS"]
    national = table[table["region_code"] == "SSS"]
    keys = ["form", "horizon", "measure"]
    out = regional.groupby(keys).agg(cases=("error_percent", "size"), origins=("origin", "nunique"),
                                     mape=("error_percent", lambda e: e.abs().mean()),
                                     bias=("error_percent", "mean"))
    out["country_mae"] = national.groupby(keys)["error_percent"].apply(lambda e: e.abs().mean())
    return out.reset_index()


def summary_markdown(summary_table: pd.DataFrame) -> str:
    """The comparison as a Markdown table: the two forms side by side per horizon and measure."""
    wide = summary_table.pivot_table(index=["horizon", "measure"], columns="form",
                                     values=["mape", "bias", "country_mae"])
    counts = summary_table.drop_duplicates(["horizon", "measure"]).set_index(["horizon", "measure"])
    order = {measure: i for i, measure in enumerate(MEASURES)}
    lines = ["| years ahead | measure | cases (origins) | MAPE rates | MAPE counts | bias rates | bias counts "
             "| country, rates | country, counts |", "|---|---|---|---|---|---|---|---|---|"]
    for (horizon, measure), row in sorted(wide.iterrows(), key=lambda item: (item[0][0], order[item[0][1]])):
        info = counts.loc[(horizon, measure)]
        lines.append(f"| {horizon} | {measure} | {info['cases']} ({info['origins']}) | "
                     f"{row[('mape', 'rates')]:.2f} % | {row[('mape', 'counts')]:.2f} % | "
                     f"{row[('bias', 'rates')]:+.2f} % | {row[('bias', 'counts')]:+.2f} % | "
                     f"{row[('country_mae', 'rates')]:.2f} % | {row[('country_mae', 'counts')]:.2f} % |")
    return "\n".join(lines)


__all__ = ["FORMS", "central_paths", "compare", "summary", "summary_markdown"]
