"""Hindcast: the model's own accuracy on past data.

The baseline is projected from an earlier observed year (default 2015) with only the data up to that year
(rates, trend fits, uncertainty widths), for the 19 regions together, and compared with what was later
observed: the error of the median and whether the observed value fell inside the 80 % and 95 % bands, for the
total population and the age groups 0–14, 15–64 and 75+. A naive benchmark continues each group's constant
annual growth rate of the five years before the base year.

The lever models behind the bands are checked on their own as well (:func:`lever_errors`): refitted at every
earlier origin and compared with the years that followed, up to the base year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.io import params as data
from toolkit.io.inputs import load_population_inputs
from toolkit.nomenclature import AGE_GROUPS, GROUP_MEMBERS
from toolkit.population.assumptions import migration_trend, tfr_trend
from toolkit.population.project import project_population
from toolkit.regions import maakunnat

MEASURES = ("total", "0-14", "15-64", "75+")
NAIVE_YEARS = 5


def observed_groups(codes: list[str], years) -> pd.DataFrame:
    """Observed population by region code, year and age group (long table)."""
    population = data.load_population().sel(region_code=codes, year=list(years)).sum("sex")
    groups = population.values @ GROUP_MEMBERS.T  # (region, year, group)
    index = pd.MultiIndex.from_product([codes, list(years), list(AGE_GROUPS)],
                                       names=["region_code", "year", "measure"])
    return pd.DataFrame({"observed": groups.reshape(-1)}, index=index)


def hindcast(base_year: int = 2015, check_years=(2020, 2025), *, draws: int = 500, seed: int = 0,
             jobs: int | None = None) -> pd.DataFrame:
    """Errors and band coverage of the baseline projected from ``base_year`` (one row per region × year × measure).

    Columns: ``observed``, ``median``, ``error_percent`` (median − observed, % of observed), ``inside_80``,
    ``inside_95``, ``naive`` (constant growth of the previous five years) and ``naive_error_percent``.
    """
    latest = int(data.load_population()["year"].max())
    check_years = tuple(int(y) for y in check_years)
    if not check_years or min(check_years) <= base_year or max(check_years) > latest:
        raise InputError(f"hindcast years {list(check_years)} must lie after the base year {base_year} and no "
                         f"later than the last observed year {latest}")
    if base_year - NAIVE_YEARS < int(data.load_population()["year"].min()):
        raise InputError(f"base year {base_year}: the naive benchmark needs the population of {base_year - 5}")
    regions = maakunnat()
    ds = project_population(regions, ["baseline"], horizon=max(check_years), base_year=base_year, draws=draws,
                            seed=seed, quantiles=True, jobs=jobs)
    bands = ds.population_group.sel(scenario="baseline", year=list(check_years), age_group=list(MEASURES))
    codes = [r.code for r in regions]
    rows = bands.drop_vars("region_code").assign_coords(region=codes).rename(region="region_code", age_group="measure")
    table = rows.to_dataset(dim="quantile").to_dataframe().drop(columns=["scenario"], errors="ignore")
    table.columns = [f"q{float(q):g}" if not isinstance(q, str) else q for q in table.columns]
    table = table.reorder_levels(["region_code", "year", "measure"])

    observed = observed_groups(codes, (base_year - NAIVE_YEARS, base_year, *check_years))
    start = observed.xs(base_year - NAIVE_YEARS, level="year")["observed"]
    base = observed.xs(base_year, level="year")["observed"]
    out = table.join(observed, how="left")
    growth = (base / start) ** (1.0 / NAIVE_YEARS)
    horizon = out.index.get_level_values("year").to_numpy() - base_year
    keys = pd.MultiIndex.from_arrays([out.index.get_level_values("region_code"),
                                      out.index.get_level_values("measure")])
    out["naive"] = base.reindex(keys).to_numpy() * growth.reindex(keys).to_numpy() ** horizon
    out["median"] = out["q0.5"]
    out["error_percent"] = 100.0 * (out["median"] - out["observed"]) / out["observed"]
    out["naive_error_percent"] = 100.0 * (out["naive"] - out["observed"]) / out["observed"]
    out["inside_80"] = (out["q0.1"] <= out["observed"]) & (out["observed"] <= out["q0.9"])
    out["inside_95"] = (out["q0.025"] <= out["observed"]) & (out["observed"] <= out["q0.975"])
    return out.reset_index()


def summary(table: pd.DataFrame) -> pd.DataFrame:
    """Per year and measure over the regions: mean absolute % error of the model and of the naive benchmark,
    the share of regions where the model is closer, and the coverage of the 80 % and 95 % bands."""
    grouped = table.assign(model_abs=table["error_percent"].abs(), naive_abs=table["naive_error_percent"].abs(),
                           model_closer=table["error_percent"].abs() < table["naive_error_percent"].abs())
    result = grouped.groupby(["year", "measure"], sort=False).agg(
        regions=("region_code", "size"),
        model_mape=("model_abs", "mean"),
        naive_mape=("naive_abs", "mean"),
        model_closer_share=("model_closer", "mean"),
        inside_80_share=("inside_80", "mean"),
        inside_95_share=("inside_95", "mean"),
    )
    order = {m: i for i, m in enumerate(MEASURES)}
    return result.reset_index().sort_values(["year", "measure"], key=lambda c: c.map(order) if c.name == "measure"
                                            else c).reset_index(drop=True)


def markdown(summary_table: pd.DataFrame) -> str:
    """The summary as a Markdown table (for the README and the methods notebook)."""
    return _table(["year", "measure", "model MAPE %", "naive MAPE %", "model closer", "inside 80 % band",
                   "inside 95 % band"],
                  ([row.year, row.measure, f"{row.model_mape:.2f}", f"{row.naive_mape:.2f}",
                    f"{row.model_closer_share:.0%}", f"{row.inside_80_share:.0%}", f"{row.inside_95_share:.0%}"]
                   for row in summary_table.itertuples()))


def _table(header: list[str], rows) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# Lever models: rolling-origin check
# -----------------------------------
# The bands of the population come from the forecast errors of the lever models; these models can be checked
# directly, many times over: fitted at every origin year before the base year and compared with the years
# observed up to the base year. The standardised error z = (observed − forecast) / se is N(0, 1) if the model's
# bands are right: |z| ≤ 1.28 for 80 % and ≤ 1.96 for 95 % of the cases, root mean square 1.

LEVER_FIRST_ORIGIN = {"tfr": 2000, "net_migration": 2010}  # ≥ 10 years of TFR history (1990–); migration per
# 1,000 inhabitants needs the population of the origin year (2010–)
Z_80, Z_95 = 1.2815515655446004, 1.959963984540054


def lever_errors(base_year: int = 2015, *, max_horizon: int = 10) -> pd.DataFrame:
    """Out-of-sample errors of the TFR and net-migration models of the 19 regions (one row per case).

    Each model is fitted at every origin from ``LEVER_FIRST_ORIGIN`` to ``base_year − 1`` with the data up to
    that origin (the fits the projections use, :mod:`toolkit.population.assumptions`) and compared with the
    observed years origin+1 … min(origin + ``max_horizon``, ``base_year``): nothing after the base year is read.
    Columns: ``lever``, ``region_code``, ``origin``, ``horizon``, ``observed`` and ``forecast`` (log TFR; net
    migrants per 1,000 inhabitants of the origin year), ``se`` and ``z``.
    """
    first = min(LEVER_FIRST_ORIGIN.values())
    if not first < base_year <= int(data.load_tfr()["year"].max()):
        raise InputError(f"base year {base_year}: the lever check needs origins from {first} and observed years "
                         f"up to the base year")
    regions = maakunnat()
    inputs = load_population_inputs(regions, base_year=base_year)
    tfr, migration = inputs.tfr, inputs.net_migration_total
    population = inputs.population.sum(["sex", "age"])
    rows = []
    for region in regions:
        for lever, trend in (("tfr", tfr_trend), ("net_migration", migration_trend)):
            for origin in range(LEVER_FIRST_ORIGIN[lever], base_year):
                paths = trend(inputs, region.code, origin)
                years = np.arange(origin + 1, min(origin + max_horizon, base_year) + 1)
                if lever == "tfr":
                    observed = np.log(tfr.sel(region_code=region.code, year=years).values)
                    forecast = np.log(paths.read(years, paths.central))
                else:
                    per_1000 = float(population.sel(region_code=region.code, year=origin)) / 1000.0
                    observed = migration.sel(region_code=region.code, year=years).values / per_1000
                    forecast = paths.read(years, paths.central)
                se = paths.read(years, paths.se)
                rows.append(pd.DataFrame({"lever": lever, "region_code": region.code, "origin": origin,
                                          "horizon": years - origin, "observed": observed, "forecast": forecast,
                                          "se": se, "z": (observed - forecast) / se}))
    return pd.concat(rows, ignore_index=True)


def lever_summary(errors: pd.DataFrame, horizons=(1, 2, 3, 5, 10)) -> pd.DataFrame:
    """Per lever and horizon: cases, mean z (bias: < 0 = forecasts too high), root mean square z (the factor by
    which the bands would have to widen to match the errors), and the share inside the 80 % and 95 % bands."""
    chosen = errors[errors["horizon"].isin(horizons)]
    z = chosen["z"]
    result = chosen.assign(z2=z * z, inside_80=z.abs() <= Z_80, inside_95=z.abs() <= Z_95).groupby(
        ["lever", "horizon"], sort=True).agg(
        cases=("z", "size"), origins=("origin", "nunique"), mean_z=("z", "mean"), mean_z2=("z2", "mean"),
        inside_80_share=("inside_80", "mean"), inside_95_share=("inside_95", "mean"))
    result.insert(4, "rms_z", np.sqrt(result.pop("mean_z2")))
    result = result.reset_index()
    order = {lever: i for i, lever in enumerate(LEVER_FIRST_ORIGIN)}
    return result.sort_values(["lever", "horizon"], key=lambda c: c.map(order) if c.name == "lever" else c,
                              ignore_index=True)


def lever_markdown(summary_table: pd.DataFrame) -> str:
    """The lever summary as a Markdown table."""
    names = {"tfr": "TFR (log)", "net_migration": "net migration"}
    return _table(["lever", "years ahead", "cases (origins)", "mean z", "RMS z", "inside 80 % band",
                   "inside 95 % band"],
                  ([names[row.lever], row.horizon, f"{row.cases} ({row.origins})", f"{row.mean_z:+.2f}",
                    f"{row.rms_z:.2f}", f"{row.inside_80_share:.0%}", f"{row.inside_95_share:.0%}"]
                   for row in summary_table.itertuples()))


__all__ = ["LEVER_FIRST_ORIGIN", "MEASURES", "hindcast", "lever_errors", "lever_markdown", "lever_summary",
           "markdown", "observed_groups", "summary"]
