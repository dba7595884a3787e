"""Rolling-origin evaluation of the population model: every origin, every later observed year.

The 19 maakunnat are projected together (national balance) from every origin year with only the data up to it
(``project_population(base_year=origin)`` cuts every input at the origin; a test scrambles the later figures and
checks that nothing changes) and compared with every later observed year, horizons 1…``max_horizon`` as far as
the data goes. Per case (origin × region × year × age group): the median's error, whether the observed value
lies inside the 50, 80 and 95 % bands, and a proper score, the weighted interval score of the quantiles
(Bracher et al. 2021; Gneiting & Raftery 2007), an approximation of the CRPS, as % of the observed value:

    WIS = (½ |y − m| + Σ_k α_k/2 · IS_αk) / (K + ½),  IS_α = (u − l) + 2/α (l − y)⁺ + 2/α (y − u)⁺,

with the central intervals α = 0.5, 0.2, 0.05. The naive benchmark (constant growth of each group over the
five years before the origin) is a point forecast; its proper score is its absolute error (the CRPS of a point
mass). The country (``SSS``) is scored as well, from the sum of the regions' draws.

The cases of one origin share national shocks (a fertility fall, an immigration wave): they are not
independent, so the summaries give the number of origins beside the number of cases, and :func:`by_origin`
reports each origin separately.

Data: populations by age start in 2010 (params/data/population.csv), and a projection needs the population of
the year before its origin (net-migration rates), so the first origin is **2011**. An origin before 2015 has
less than five years of history for the naive benchmark: it uses the longest available (2010 to the origin,
column ``naive_years``).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.nomenclature import AGE_GROUPS, COUNTRY_CODE, GROUP_MEMBERS, QUANTILES
from toolkit.population.project import project_population
from toolkit.regions import maakunnat

MEASURES = ("total", "0-14", "15-64", "65+", "75+")
NAIVE_YEARS = 5
MAX_HORIZON = 15
INTERVALS = ((0.25, 0.75, 0.5), (0.1, 0.9, 0.2), (0.025, 0.975, 0.05))  # lower, upper quantile; alpha
Q_COLUMNS = [f"q{q:g}" for q in QUANTILES]


def parse_origins(text: str) -> list[int]:
    """``"2011-2020"`` or ``"2011,2015"`` → list of years; raises :class:`InputError` on anything else."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-"))
            return list(range(first, last + 1))
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise InputError(f"--origins {text!r}: expected FIRST-LAST or a comma-separated list of years") from None


def check_origins(origins: Iterable[int], max_horizon: int = MAX_HORIZON,
                  inputs: PopulationInputs | None = None) -> list[int]:
    """Validated origins: each in the first base year .. the last observed year − 1, horizon 1..``MAX_HORIZON``."""
    inputs = load_population_inputs() if inputs is None else inputs
    origins = sorted({int(o) for o in origins})
    first, last = inputs.first_base_year, inputs.latest_base_year
    if not origins:
        raise InputError("no origin given")
    bad = [o for o in origins if not first <= o < last]
    if bad:
        raise InputError(f"origin {bad[0]}: origins must lie in {first}..{last - 1} (populations by age are observed "
                         f"{first - 1}..{last}; a projection needs the population of the year before its origin "
                         f"and at least one later observed year)")
    if isinstance(max_horizon, bool) or not isinstance(max_horizon, int | np.integer) or \
            not 1 <= max_horizon <= MAX_HORIZON:
        raise InputError(f"horizon {max_horizon!r}: allowed 1..{MAX_HORIZON} years (the data end in {last})")
    return origins


def observed_groups(inputs: PopulationInputs, codes: list[str], years) -> pd.DataFrame:
    """Observed population (region_code, year, measure) → ``observed`` [persons]."""
    population = inputs.population.sel(region_code=codes, year=list(years)).sum("sex")
    groups = population.values @ GROUP_MEMBERS.T
    index = pd.MultiIndex.from_product([codes, list(years), list(AGE_GROUPS)],
                                       names=["region_code", "year", "measure"])
    return pd.DataFrame({"observed": groups.reshape(-1)}, index=index)


def interval_score(lower, upper, observed, alpha: float) -> np.ndarray:
    """Interval score of the central (1 − α) interval [lower, upper] (Gneiting & Raftery 2007, eq. 43)."""
    lower, upper, observed = (np.asarray(v, dtype=float) for v in (lower, upper, observed))
    return ((upper - lower) + 2.0 / alpha * np.clip(lower - observed, 0, None)
            + 2.0 / alpha * np.clip(observed - upper, 0, None))


def weighted_interval_score(quantiles: pd.DataFrame, observed) -> np.ndarray:
    """WIS of the 50/80/95 % intervals and the median (columns ``q0.025`` … ``q0.975``) [units of observed]."""
    observed = np.asarray(observed, dtype=float)
    total = 0.5 * np.abs(observed - quantiles["q0.5"].to_numpy())
    for low, high, alpha in INTERVALS:
        total = total + alpha / 2.0 * interval_score(quantiles[f"q{low:g}"], quantiles[f"q{high:g}"], observed, alpha)
    return total / (len(INTERVALS) + 0.5)


def rolling_origin(origins: Iterable[int] = range(2011, 2021), *, draws: int = 200, seed: int = 0,
                   max_horizon: int = MAX_HORIZON, scenario="baseline", calibrated: bool = True,
                   jobs: int | None = None, measures=MEASURES, migration_window: int = 10,
                   inputs: PopulationInputs | None = None, national_balance: bool = True) -> pd.DataFrame:
    """Project the 19 regions from every origin and compare with every later observed year.

    Parameters
    ----------
    origins : origin (base) years, each in 2011..(last observed year − 1)
    draws, seed : Monte Carlo draws per origin and the seed (the same seed at every origin)
    max_horizon : last horizon compared [years], at most 15; years after the last observed one are skipped
    scenario : the scenario (id, path or object) projected, by default the baseline; or a function of the
        origin returning one (a candidate whose lever values are computed from the data up to the origin)
    migration_window : years averaged into the migration rate profiles (a candidate of the model selection)
    calibrated : calibrated bands (default) or the models' own widths (the model before calibration)
    inputs : the model's tables (default: params/data); each origin's run is cut at the origin
    national_balance : the regions' migration balanced to the country's (default), or each on its own
        (:func:`~toolkit.population.project.project_population`; a candidate of the model selection)

    Returns
    -------
    DataFrame, one row per origin × region (19 maakunnat and ``SSS``, the sum of their draws) × year × measure:
    ``horizon``, ``observed``, the quantiles ``q0.025`` … ``q0.975``, ``error_percent`` (median − observed,
    % of observed), ``inside_50``/``inside_80``/``inside_95``, ``wis_percent`` (weighted interval score, % of
    observed), ``naive``, ``naive_years``, ``naive_error_percent`` and ``naive_score_percent`` (= its
    absolute % error).
    """
    inputs = load_population_inputs() if inputs is None else inputs
    origins = check_origins(origins, max_horizon, inputs)
    last = inputs.latest_base_year
    regions = maakunnat()
    codes = [r.code for r in regions]
    first_year = int(inputs.population["year"].min())
    frames = []
    for origin in origins:
        horizon = min(origin + max_horizon, last)
        chosen = scenario(origin) if callable(scenario) else scenario
        ds = project_population(regions, [chosen], horizon=horizon, base_year=origin, draws=draws, seed=seed,
                                quantiles=True, group_draws=True, calibrated=calibrated, jobs=jobs,
                                migration_window=migration_window, inputs=inputs, national_balance=national_balance)
        years = np.arange(origin + 1, horizon + 1)
        groups = ds["population_group"].isel(scenario=0).sel(year=years, age_group=list(measures))
        regional = groups.transpose("region", "year", "age_group", "quantile").values  # (R, Y, G, Q)
        national_draws = ds["population_group_draw"].isel(scenario=0).sel(year=years, age_group=list(measures)).sum(
            "region").transpose("year", "age_group", "draw").values
        national = np.quantile(national_draws, QUANTILES, axis=-1).transpose(1, 2, 0)[None]  # (1, Y, G, Q)
        values = np.concatenate([regional, national])
        all_codes = codes + [COUNTRY_CODE]
        index = pd.MultiIndex.from_product([all_codes, years, list(measures)],
                                           names=["region_code", "year", "measure"])
        table = pd.DataFrame(values.reshape(-1, len(QUANTILES)), index=index, columns=Q_COLUMNS)
        naive_years = min(NAIVE_YEARS, origin - first_year)
        observed = observed_groups(inputs, all_codes, [origin - naive_years, origin, *years])
        table = table.join(observed, how="left")
        start = observed.xs(origin - naive_years, level="year")["observed"]
        base = observed.xs(origin, level="year")["observed"]
        keys = pd.MultiIndex.from_arrays([table.index.get_level_values("region_code"),
                                          table.index.get_level_values("measure")])
        growth = (base / start) ** (1.0 / naive_years)
        h = table.index.get_level_values("year").to_numpy() - origin
        table["naive"] = base.reindex(keys).to_numpy() * growth.reindex(keys).to_numpy() ** h
        table = table.reset_index()
        table.insert(0, "origin", origin)
        table.insert(3, "horizon", table["year"] - origin)
        table["naive_years"] = naive_years
        frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    y = out["observed"]
    out["error_percent"] = 100.0 * (out["q0.5"] - y) / y
    for low, high, alpha in INTERVALS:
        out[f"inside_{round(100 * (1 - alpha))}"] = (out[f"q{low:g}"] <= y) & (y <= out[f"q{high:g}"])
    out["wis_percent"] = 100.0 * weighted_interval_score(out, y) / y
    out["naive_error_percent"] = 100.0 * (out["naive"] - y) / y
    out["naive_score_percent"] = out["naive_error_percent"].abs()
    return out


def summary(table: pd.DataFrame, *, national: bool = False) -> pd.DataFrame:
    """Per horizon and measure over the regions (or the country): cases, origins, MAPE, bias, coverage of the
    50/80/95 % bands, mean WIS (% of observed), the naive benchmark's MAPE (= its score) and whether the model's
    score beats it."""
    chosen = table[(table["region_code"] == COUNTRY_CODE) == national]
    result = chosen.assign(abs_error=chosen["error_percent"].abs()).groupby(["horizon", "measure"], sort=False).agg(
        cases=("observed", "size"), origins=("origin", "nunique"), mape=("abs_error", "mean"),
        bias=("error_percent", "mean"), inside_50=("inside_50", "mean"), inside_80=("inside_80", "mean"),
        inside_95=("inside_95", "mean"), wis=("wis_percent", "mean"), naive_mape=("naive_score_percent", "mean"),
        naive_bias=("naive_error_percent", "mean"))
    result["beats_naive"] = result["wis"] < result["naive_mape"]
    return _ordered(result.reset_index())


def by_origin(table: pd.DataFrame, horizon: int | None = None) -> pd.DataFrame:
    """Per origin and measure over the regions (all horizons, or one): MAPE, bias, 80/95 % coverage, WIS."""
    chosen = table[table["region_code"] != COUNTRY_CODE]
    if horizon is not None:
        chosen = chosen[chosen["horizon"] == horizon]
    result = chosen.assign(abs_error=chosen["error_percent"].abs()).groupby(["origin", "measure"], sort=False).agg(
        cases=("observed", "size"), mape=("abs_error", "mean"), bias=("error_percent", "mean"),
        inside_80=("inside_80", "mean"), inside_95=("inside_95", "mean"), wis=("wis_percent", "mean"),
        naive_mape=("naive_score_percent", "mean"))
    order = {m: i for i, m in enumerate(MEASURES)}
    return result.reset_index().sort_values(["origin", "measure"], key=lambda c: c.map(order) if c.name == "measure"
                                            else c, ignore_index=True)


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    order = {m: i for i, m in enumerate(MEASURES)}
    return frame.sort_values(["horizon", "measure"], key=lambda c: c.map(order) if c.name == "measure" else c,
                             ignore_index=True)


def compare(tables: dict[str, pd.DataFrame], horizons=(1, 5, 10, 15), *, national: bool = False) -> pd.DataFrame:
    """Side by side: each model's coverage and WIS and the naive benchmark, per horizon and measure."""
    parts = []
    for name, table in tables.items():
        s = summary(table, national=national)
        s = s[s["horizon"].isin(horizons)].set_index(["horizon", "measure"])
        parts.append(s[["mape", "bias", "inside_50", "inside_80", "inside_95", "wis"]].add_prefix(f"{name}_"))
    naive = summary(next(iter(tables.values())), national=national)
    naive = naive[naive["horizon"].isin(horizons)].set_index(["horizon", "measure"])[["naive_mape", "cases",
                                                                                      "origins"]]
    return _ordered(pd.concat([naive] + parts, axis=1).reset_index())


def markdown(summary_table: pd.DataFrame, horizons=(1, 5, 10, 15)) -> str:
    """A :func:`summary` as a Markdown table (selected horizons)."""
    rows = summary_table[summary_table["horizon"].isin(horizons)]
    return _table(["years ahead", "measure", "cases (origins)", "MAPE %", "bias %", "in 50 %", "in 80 %", "in 95 %",
                   "WIS %", "naive MAPE = score %", "beats naive"],
                  ([r.horizon, r.measure, f"{r.cases} ({r.origins})", f"{r.mape:.2f}", f"{r.bias:+.2f}",
                    f"{r.inside_50:.0%}", f"{r.inside_80:.0%}", f"{r.inside_95:.0%}", f"{r.wis:.2f}",
                    f"{r.naive_mape:.2f}", "yes" if r.beats_naive else "no"] for r in rows.itertuples()))


def _table(header: list[str], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


__all__ = ["MEASURES", "by_origin", "check_origins", "compare", "interval_score", "markdown", "observed_groups",
           "parse_origins", "rolling_origin", "summary", "weighted_interval_score"]


def selection_table(tables: dict[str, pd.DataFrame], horizons=(1, 3, 5, 10), measures=MEASURES) -> pd.DataFrame:
    """The model-selection table: candidates × horizon × measure → mean WIS (% of observed) over the regions,
    with the 80 % coverage and the naive benchmark's score; ``best`` marks the lowest WIS per horizon and measure.

    ``tables``: candidate name → its :func:`rolling_origin` table (the same origins and seed for all).
    """
    rows = []
    for name, table in tables.items():
        s = summary(table)
        s = s[s["horizon"].isin(horizons) & s["measure"].isin(measures)]
        rows.append(s.assign(candidate=name)[["candidate", "horizon", "measure", "cases", "origins", "wis", "mape",
                                              "inside_80", "naive_mape"]])
    out = pd.concat(rows, ignore_index=True)
    out["best"] = out["wis"] == out.groupby(["horizon", "measure"])["wis"].transform("min")
    return out


def selection_markdown(table: pd.DataFrame) -> str:
    """The selection table as Markdown: one row per horizon × measure, one WIS column per candidate."""
    wide = table.pivot_table(index=["horizon", "measure"], columns="candidate", values="wis", sort=False)
    naive = table.groupby(["horizon", "measure"], sort=False)["naive_mape"].first()
    candidates = list(dict.fromkeys(table["candidate"]))
    rows = []
    for (h, m), values in wide.iterrows():
        best = min(candidates, key=lambda c: values[c])
        rows.append([h, m] + [f"**{values[c]:.2f}**" if c == best else f"{values[c]:.2f}" for c in candidates]
                    + [f"{naive[(h, m)]:.2f}"])
    return _table(["years ahead", "measure"] + [f"WIS % {c}" for c in candidates] + ["naive (abs. error) %"], rows)
