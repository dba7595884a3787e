"""`project_population`: regions × scenarios (× draws) → one xarray Dataset (the population model's orchestrator).

Deterministic runs project every region × scenario in one vectorised engine call. Ensembles run one chunk per
region × scenario with all its draws (:mod:`toolkit.population.ensemble`), in parallel worker threads on this
machine or on a Dask cluster (``client``); a chunk's numbers depend only on the seed, so both give the same
dataset. When all 19 maakunnat are projected together, their net migration is balanced every year so that it
sums to the national net international migration of the scenario (internal moves cancel); with draws, the
regions' migration deviations are balanced in every draw against the national model's own deviation
(:func:`toolkit.population.ensemble.national_balance`). Areas of municipalities are the sums of their
municipalities, reconciled every year with the nationally balanced maakunnat
(:mod:`toolkit.population.municipalities`).

Memory: a run is worked on in groups of areas (whole maakunnat for areas of municipalities, :func:`_groups`), one
group at a time with all its deterministic, reconciled and ensemble work, within :data:`CHUNK_BUDGET_BYTES`
beside the output; the grouping changes no number (docs/scale.md).

Length: the orchestrator keeps the deterministic, ensemble and reconciled runs on one path, so that every area,
scenario and draw goes through the same lever arrays, balance and engine call.
"""

from __future__ import annotations

import os
import sys
import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import xarray as xr
from tqdm import tqdm

from toolkit.errors import InputError
from toolkit.io.inputs import PopulationInputs, load_population_inputs
from toolkit.nomenclature import AGES, COUNTRY_CODE, GROUP_MEMBERS, MAAKUNTA_CODES, SEXES
from toolkit.population.assumptions import e0_trend, migration_trend, tfr_trend
from toolkit.population.calibration import calibration
from toolkit.population.ccm import SRB, project
from toolkit.population.ensemble import (
    Chunk,
    NationalMigration,
    national_balance,
    with_national_balance,
)
from toolkit.population.jumpoff import (
    MIGRATION_WINDOW,
    RegionBase,
    has_population,
    migration_rates,
    national_patterns,
    observed_base,
)
from toolkit.population.lifetable import reachable_e0
from toolkit.population.municipalities import (
    CALIBRATED_YEARS,
    centre_on_reconciled,
    municipal_base,
    municipal_model,
    reconcile,
)
from toolkit.population.output import FLOWS, to_dataset
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.resources import GROUP_BYTES, available_memory, check_memory, gb, run_seconds
from toolkit.population.runs import assemble, run_chunks
from toolkit.population.schedules import rogers_castro
from toolkit.population.smallarea import estimated_base, observed_area_base
from toolkit.regions import Region, get_region, known_by_code, load_regions, maakunnat
from toolkit.scenarios import JumpOff, Scenario, TrendPath, load_scenarios

MAX_HORIZON_YEARS = 100
MAX_DRAWS = 100_000
MAX_JOBS = 1024
AUTO_QUANTILE_VALUES = 20_000_000  # above this many population values, draws are reduced to quantiles
LONG_RUN_SECONDS = 10.0  # a run estimated longer says so, and shows a progress bar in a terminal
OUTSIDE_REGISTRY_STREAMS = 1_000_000  # stream numbers of areas that are not in the registry start here



def _resolve(regions) -> list[Region]:
    if isinstance(regions, str | Region):
        regions = [regions]
    out = [r if isinstance(r, Region) else get_region(r) for r in regions]
    if not out:
        raise InputError("no region selected; name at least one region id or code (see `forum regions`)")
    ids = [r.id for r in out]
    repeated = [i for i in ids if ids.count(i) > 1]
    if repeated:
        raise InputError(f"region {repeated[0]!r} given twice (ids and codes name the same area)")
    return out


@lru_cache(maxsize=256)
def region_base(inputs: PopulationInputs, region: Region, base_year: int,
                migration_window: int = MIGRATION_WINDOW) -> RegionBase:
    """Jump-off inputs of a region (cached per inputs, region, base year and migration window).

    Maakunnat use their own data (``migration_window`` years of net migration in the rate profile, for the model
    selection). A municipal area uses its own single-year population where the inputs have it (written by the
    Statistics Finland loader) and its parent's rates; without it, it is the sum of its municipalities' estimated
    bases (:mod:`toolkit.population.municipalities`; base years before 2021: :mod:`toolkit.population.smallarea`).
    """
    if region.kind == "maakunta":
        return observed_base(inputs, region, base_year, migration_window)
    if has_population(inputs, region.code, base_year):
        return observed_area_base(inputs, region, base_year)
    if uses_municipal_model(inputs, region, base_year):
        return municipal_base(inputs, region, base_year)
    return estimated_base(inputs, region, base_year)


def uses_municipal_model(inputs: PopulationInputs, region: Region, base_year: int) -> bool:
    """Whether an area is projected as the reconciled sum of its municipalities
    (:mod:`toolkit.population.municipalities`): any area without its own single-year data, from base year 2021 on."""
    return (region.kind != "maakunta" and base_year >= CALIBRATED_YEARS[-1]
            and not has_population(inputs, region.code, base_year))


def _check_horizon(horizon: int, base_year: int) -> None:
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer):
        raise InputError(f"horizon must be a year (integer), got {horizon!r}")
    if not base_year < horizon <= base_year + MAX_HORIZON_YEARS:
        last = base_year + MAX_HORIZON_YEARS
        raise InputError(f"horizon {horizon} is outside the allowed range {base_year + 1}..{last} "
                         f"(after the base year {base_year}, at most {MAX_HORIZON_YEARS} years ahead)")


def jump_off(inputs: PopulationInputs, base: RegionBase) -> JumpOff:
    """What the lever paths of a region start from, with its fitted TFR and e0 trends."""
    reference = np.array([base.e0_year])

    def tfr_path(years: np.ndarray) -> np.ndarray:
        trend = tfr_trend(inputs, base.series_code, base.base_year)
        return trend.read(years, trend.central)

    def e0_trend_gain(years: np.ndarray) -> np.ndarray:
        e0 = e0_trend(inputs, base.base_year)
        return np.stack([e0[sex].read(years, e0[sex].central) - e0[sex].read(reference, e0[sex].central)
                         for sex in SEXES], axis=-1)

    return JumpOff(base_year=base.base_year, tfr=base.tfr, e0=base.e0, e0_year=base.e0_year,
                   population=float(base.population.sum()), tfr_trend=tfr_path, e0_trend_gain=e0_trend_gain,
                   national_log_tfr=_national_log_tfr(inputs, base.base_year))


def _national_log_tfr(inputs: PopulationInputs, base_year: int) -> pd.Series | None:
    """The country's log TFR up to ``base_year``: the longest history, else the country's row of the regional TFR
    table, else None."""
    history = inputs.tfr_national_history
    if history is None and COUNTRY_CODE in inputs.tfr["region_code"].values:
        history = inputs.tfr.sel(region_code=COUNTRY_CODE).to_series()
        history.index = history.index.astype(int)
    return None if history is None else np.log(history.loc[:base_year])


def lever_arrays(inputs: PopulationInputs, bases: Sequence[RegionBase], scenarios: Sequence[Scenario],
                 years: np.ndarray, lever_ids: Sequence[str] | None = None) -> dict:
    """Central lever paths for every region × scenario over ``years`` (the base year first).

    Returns arrays with leading dims (region, scenario): ``tfr`` (…, Y), ``shift`` (…, Y), ``e0`` (…, Y, 2),
    ``rate_scale`` (…), ``extra`` (…, Y) additional net migrants per year [persons]
    (:meth:`toolkit.scenarios.Levers.paths`).
    """
    shape = (len(bases), len(scenarios))
    out = {"tfr": np.empty(shape + (len(years),)), "shift": np.empty(shape + (len(years),)),
           "e0": np.empty(shape + (len(years), 2)), "rate_scale": np.empty(shape),
           "extra": np.empty(shape + (len(years),))}
    for i, base in enumerate(bases):
        start = jump_off(inputs, base)
        for j, scenario in enumerate(scenarios):
            try:
                paths = scenario.levers_for(base.region.id if lever_ids is None else lever_ids[i]).paths(start, years)
            except InputError as exc:
                raise InputError(f"{scenario.source or 'scenario ' + repr(scenario.id)}: region "
                                 f"{base.region.id}: {exc}") from None
            for name in out:
                out[name][i, j] = getattr(paths, name)
    return out


def check_reachable_e0(e0: np.ndarray, mortality: np.ndarray, bases, scenarios, years: np.ndarray) -> None:
    """Refuse central e0 paths (R, S, Y, 2) [years] that the life-table scaling of ``mortality`` cannot reach.

    Draws are not refused: their tabulated life tables are clipped to the reachable range
    (:func:`toolkit.population.lifetable.table_position`), a documented bound of the ensemble.
    """
    reach = reachable_e0(mortality)  # (2, 2): sex × (lowest, highest)
    outside = (e0 < reach[:, 0]) | (e0 > reach[:, 1]) | ~np.isfinite(e0)
    if outside.any():
        r, s, y, sex = (int(i) for i in np.argwhere(outside)[0])
        scenario = scenarios[s]
        raise InputError(f"{scenario.source or 'scenario ' + repr(scenario.id)}: region {bases[r].region.id}: "
                         f"levers: e0_gain_per_decade ({SEXES[sex]}): e0 reaches {e0[r, s, y, sex]:.2f} years in "
                         f"{int(years[y])}, which the life-table scaling of the national death rates cannot "
                         f"reach; allowed {reach[sex, 0]:.1f}..{reach[sex, 1]:.1f} years")


PHYSICAL_VARIABLES = ("population", "births", "deaths", "population_group")
"""The results that are counts of persons: finite and non-negative in every year after the base year."""


def check_physical(ds: xr.Dataset) -> None:
    """Raise :class:`InputError` if a count of persons in ``ds`` is NaN, infinite or negative after the base year.

    The levers and the data are checked before projecting; this is the last guard, so that no impossible number
    leaves the model (sums over age would hide a NaN).
    """
    first = int(ds["year"].values[0])
    for name in PHYSICAL_VARIABLES:
        if name not in ds:
            continue
        later = ds[name].sel(year=slice(first + 1, None))
        values = later.values
        for k in range(values.shape[0]):  # region by region: no temporaries of the whole array
            bad = ~np.isfinite(values[k]) | (values[k] < -1e-6)
            if not bad.any():
                continue
            index = (k, *np.argwhere(bad)[0])
            where = {dim: later[dim].values[i] for dim, i in zip(later.dims, index, strict=True) if dim in later.coords}
            raise InputError(f"the projection reached {values[index]!r} {name} at "
                             f"{', '.join(f'{k}={v}' for k, v in where.items())}: the levers or the data are outside "
                             "what the model can project (counts of persons must be finite and non-negative)")


def _uncertainty_se(inputs: PopulationInputs, base: RegionBase, years: np.ndarray) -> np.ndarray:
    """Standard errors (T, 3) of log TFR, e0 and net migration per 1,000 for the projected years."""
    tfr = tfr_trend(inputs, base.series_code, base.base_year)
    migration = migration_trend(inputs, base.series_code, base.base_year)
    e0 = e0_trend(inputs, base.base_year)
    e0_se = 0.5 * (e0["F"].read(years, e0["F"].se) + e0["M"].read(years, e0["M"].se))
    return np.stack([tfr.read(years, tfr.se), e0_se, migration.read(years, migration.se)], axis=-1)


def _check_int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not low <= value <= high:
        raise InputError(f"{name} must be a whole number in {low}..{high}, got {value!r}")
    return int(value)


def _balanced(region_list: Sequence[Region]) -> bool:
    """National consistency applies when every maakunta is in the run."""
    maakunnat = {r.id for r in load_regions().values() if r.kind == "maakunta"}
    return maakunnat <= {r.id for r in region_list}


def balancing_rates(inputs: PopulationInputs, bases, national_scale, Lx, asfr, rates, counts,
                    base_year: int, window: int = MIGRATION_WINDOW) -> np.ndarray:
    """National balance: a common net-migration rate (S, T, 2, A) added to every region.

    Each year the maakunnat's requested net migration by sex and age is compared with the national net
    international migration of the scenario (the country's own net-migration rates on the national population,
    times the scenario's own migration-rate lever ``national_scale`` (S,) — a region block's value for one region
    moves migrants between regions, not across the border — plus the additional migrants, which are
    international); the difference is spread over the regions in proportion to their population of that sex and
    age.
    """
    national = migration_rates(inputs, COUNTRY_CODE, base_year, window)  # (2, A)
    maakunta = _maakunta_order(bases)  # summed in code order: the same numbers for any order of the regions
    scale = np.asarray(national_scale, dtype=float)[:, None, None]  # (S, 1, 1)
    current = np.stack([b.population for b in bases])[:, None].repeat(Lx.shape[1], axis=1)  # (R, S, 2, A)
    steps = Lx.shape[2]
    delta = np.empty((Lx.shape[1], steps, 2, AGES.size))
    for t in range(steps):
        people = _ordered_sum(current[maakunta])  # (S, 2, A)
        requested = _ordered_sum(rates[maakunta, :, 0] * current[maakunta])
        delta[:, t] = np.divide(scale * national * people - requested, people, out=np.zeros_like(people),
                                where=people > 0)
        step = project(current, Lx[:, :, t:t + 1], asfr[:, :, t:t + 1], srb=SRB,
                       migration_rate=rates + delta[None, :, t:t + 1], migration_count=counts[:, :, t:t + 1])
        current = step.population[:, :, -1]
    return delta


def _maakunta_order(bases) -> np.ndarray:
    """Indices of the maakunnat among ``bases``, in the order of their codes."""
    return np.array(sorted((i for i, b in enumerate(bases) if b.region.kind == "maakunta"),
                           key=lambda i: bases[i].region.code), dtype=int)


def _ordered_sum(values: np.ndarray) -> np.ndarray:
    """Sum over the first axis, adding the rows one after another in their order (no pairwise reordering)."""
    total = values[0].copy()
    for row in values[1:]:
        total += row
    return total


def project_population(regions, scenarios=("baseline",), *, horizon: int = 2050, draws: int = 0, seed: int = 0,
                       base_year: int | None = None, quantiles: bool | None = None, client=None,
                       jobs: int | None = None, inputs: PopulationInputs | None = None, calibrated: bool = True,
                       group_draws: bool = False, migration_window: int = MIGRATION_WINDOW,
                       output: str | None = None, notify=None, progress: bool | None = None,
                       national: bool = False, national_balance: bool = True) -> xr.Dataset:
    """Cohort-component projection of regions under scenarios, deterministic or with Monte Carlo draws.

    Parameters
    ----------
    regions : region ids, codes or :class:`~toolkit.regions.Region` objects (one or several)
    scenarios : scenario ids, paths to scenario files, or :class:`~toolkit.scenarios.Scenario` objects
    horizon : last projected year (31 Dec)
    draws : Monte Carlo draws per scenario (0 = deterministic)
    seed : seed of the draws (numpy SeedSequence entropy)
    base_year : jump-off year; ``None`` = the last observed year. An earlier year uses only data up to it.
    quantiles : reduce draws to the quantiles 0.025 … 0.975 (``quantile`` dimension) on the fly; ``None``
        reduces when the draws would hold more than 20 million population values
    client : a ``dask.distributed.Client``: ensemble chunks run on its cluster
    jobs : local worker threads for ensembles (default: the machine's cores)
    inputs : the model's tables (:func:`toolkit.io.inputs.load_population_inputs` by default, from ``params/data``)
    calibrated : scale the lever models' standard errors by their out-of-sample calibration
        (:mod:`toolkit.population.calibration`, data up to the base year; written to ``attrs["calibration"]``)
        and draw the regions' TFR innovations with their estimated national factor; ``False`` gives the
        models' own widths (the model before calibration, for comparison). A scenario's ``uncertainty`` scales
        multiply the calibrated widths.
    group_draws : with quantiles, also keep the age-group totals of every draw, ``population_group_draw``
        (region, scenario, draw, year, age_group), for exceedance probabilities and sums over regions
    migration_window : years of observed net migration averaged into the rate profiles of the maakunnat and the
        country (default 10; other values for the model selection, docs/methods-selection.md)
    output : ``.nc`` or ``.csv`` if the caller writes the result: its encoding counts in the memory estimate
    notify : called with a one-line text (the memory and time estimate) before a run of more than 1 GB or
        :data:`LONG_RUN_SECONDS`
    progress : a progress bar of the ensemble's chunks on stderr; ``None``: for a long run when stderr is a terminal
    national : project the areas within the national run: every maakunta not asked for is projected with them
        (migration balanced nationally, and in every draw), and the result holds the asked areas only, with the
        numbers of any balanced run that includes them (the maakunnat's own ensemble chunks are not run, only
        their migration deviations are drawn for the balance). Needs the inputs of every maakunta.
    national_balance : when every maakunta is in the run, balance their net migration each year (and in every
        draw) to the country's net international migration, the national level as a series of its own (default);
        ``False``: every maakunta on its own rates and its own migration deviations, the country their sum (the
        candidate without the national level, docs/methods-selection.md). Only for runs of maakunnat.

    Returns
    -------
    xarray.Dataset with ``population`` (region, scenario[, draw|quantile], year, sex, age) including the base
    year, ``births`` (…, year, sex), ``deaths``, ``net_migration`` and ``migration_capped`` (…, year, sex, age) —
    flows are NaN in the base year — ``population_group`` (…, year, age_group), and the lever paths ``tfr``
    (…, year) and ``e0`` (…, year, sex). With quantiles, net migration and capped migration are given as
    quantiles of their all-age totals, ``net_migration_total`` and ``migration_capped_total`` (…, year, sex),
    because quantiles do not add up over age. See docs/conventions.md.
    """
    draws = _check_int(draws, "draws", 0, MAX_DRAWS)
    if jobs is not None:
        jobs = _check_int(jobs, "jobs", 1, MAX_JOBS)
    seed = _check_int(seed, "seed", 0, 2**63 - 1)
    region_list = _resolve(regions)
    asked = len(region_list)
    if national:
        present = {r.id for r in region_list}
        region_list += [r for r in load_regions().values() if r.kind == "maakunta" and r.id not in present]
    if inputs is None:  # areas of municipalities are reconciled with every maakunta
        inputs = load_population_inputs(None if any(r.kind != "maakunta" for r in region_list) else region_list)
    latest, first = inputs.latest_base_year, inputs.first_base_year
    base_year = latest if base_year is None else _check_int(base_year, "base year", first, latest)
    _check_horizon(horizon, base_year)
    inputs = inputs.up_to(base_year)
    if isinstance(scenarios, str | Scenario):
        scenarios = [scenarios]
    scenario_list = load_scenarios(scenarios)
    if not scenario_list:
        raise InputError("no scenario selected; name at least one (see `forum scenarios`)")
    if draws and any(s.uncertainty is None for s in scenario_list):
        missing = next(s for s in scenario_list if s.uncertainty is None)
        raise InputError(f"{missing.source or missing.id}: uncertainty: the scenario has no uncertainty block, "
                         f"so it cannot be drawn (draws={draws}); add one or use draws=0")

    # memory from the run's shape, before any work (the result's encoding too, when the caller writes it)
    cells = asked * len(scenario_list) * (horizon - base_year + 1) * 2 * AGES.size
    reduce = bool(draws) and (quantiles if quantiles is not None else draws * cells > AUTO_QUANTILE_VALUES)
    workers = 1 if client is not None else min(jobs or os.cpu_count() or 1, asked * len(scenario_list))
    need = check_memory(draws, cells, reduce, workers, output)
    seconds = run_seconds(draws, cells, workers) if draws else 0.0
    if notify is not None and (need > 1e9 or seconds > LONG_RUN_SECONDS):
        notify(f"this run holds {max(draws, 1) * cells:,} values, needs about {gb(need)} of memory "
               f"({gb(available_memory())} available) and about {seconds:.0f} s on {workers} thread(s)")
    show_progress = (sys.stderr.isatty() and seconds > LONG_RUN_SECONDS) if progress is None else progress

    migration_window = _check_int(migration_window, "migration window", 1, 30)
    bases = [region_base(inputs, r, base_year, migration_window) for r in region_list]
    patterns = national_patterns(inputs, base_year)
    years = np.arange(base_year, horizon + 1)
    paths = lever_arrays(inputs, bases, scenario_list, years)
    check_reachable_e0(paths["e0"], patterns.mortality, bases, scenario_list, years)
    levers = {name: value[:, :, 1:] if value.ndim > 2 else value for name, value in paths.items()}

    if not national_balance and (national or any(r.kind != "maakunta" for r in region_list)):
        raise InputError("national_balance=False: only for runs of maakunnat (a national run and the areas of "
                         "municipalities, reconciled with the balanced maakunnat, need the balance)")
    balanced = _balanced(region_list) and national_balance
    if national and not balanced:
        raise InputError("a national run needs the inputs of every maakunta (params/data holds them; the given "
                         "inputs do not)")
    delta = None
    if balanced:
        national_scale = [scenario.levers.migration_rate_scale for scenario in scenario_list]
        mk = _maakunta_order(bases)
        central = _central(bases, mk, levers, patterns)
        delta = balancing_rates(inputs, [bases[i] for i in mk], national_scale, central["Lx"], central["asfr"],
                                central["rates"], central["counts"], base_year, migration_window)
        del central

    municipal = {i for i in range(asked) if uses_municipal_model(inputs, bases[i].region, base_year)}
    model = municipal_model(inputs, base_year) if municipal else None
    reference = _reference(inputs, scenario_list, years, migration_window) if municipal else None
    groups = _groups(bases[:asked], municipal, model, len(scenario_list), len(years), CHUNK_BUDGET_BYTES)
    arrays: dict[str, np.ndarray] = {}
    mode = None
    if draws:
        n_values = draws * asked * len(scenario_list) * len(years) * 2 * AGES.size
        reduce = quantiles if quantiles is not None else n_values > AUTO_QUANTILE_VALUES
        mode = "quantile" if reduce else "draw"
        cal = calibration_for(inputs, base_year) if calibrated else None
        plan = _ChunkPlan(inputs, bases, scenario_list, paths, levers, delta, patterns, draws, seed, reduce, cal,
                          group_draws and reduce)
        balance = plan.national_balance() if balanced else None
        bar = tqdm(total=asked * len(scenario_list), disable=not show_progress, file=sys.stderr, unit="chunk",
                   leave=False)
        shared: dict = {}
        lever_paths = {name: paths[name][:asked] for name in ("tfr", "e0")}
    for rows in groups:
        areas = [i for i in rows if i in municipal]
        if not draws or areas:
            own_rows = rows if not draws else areas
            own = _own(bases, own_rows, levers, delta, patterns)
            centre = [own_rows.index(i) for i in areas]
            reconciled = own if not areas else _reconciled_areas(
                inputs, [bases[i].region for i in areas], scenario_list, years, migration_window, own, centre,
                reference, model)
        if not draws:
            _write_rows(arrays, rows, reconciled, asked)
            continue
        chunks = plan.chunks(rows, balance)
        assemble(run_chunks(chunks, client, jobs, bar, shared), asked, len(scenario_list), lever_paths, rows=rows,
                 arrays=arrays)
        del chunks
        if areas:
            centre_on_reconciled(arrays, own, reconciled, centre, mode, at=areas)
        own = reconciled = None
    if not draws:
        arrays["population_group"] = arrays["population"].sum(-2) @ GROUP_MEMBERS.T
        arrays.update(tfr=paths["tfr"][:asked], e0=paths["e0"][:asked])
    else:
        bar.close()
    group_draw = arrays.pop("population_group_draw", None)
    ds = to_dataset(arrays, mode, draws, bases[:asked], scenario_list, base_year, horizon, inputs.provenance)
    if group_draw is not None:
        ds["population_group_draw"] = (("region", "scenario", "draw", "year", "age_group"), group_draw,
                                       {"units": "persons", "long_name": "population on 31 December by age group, "
                                                                         "every draw"})
    check_physical(ds)
    ds.attrs.update(seed=seed, seed_entropy=str(np.random.SeedSequence(seed).entropy),
                    national_balance=int(balanced))
    if draws:
        uncalibrated = "none (the models' own widths" + ("" if not calibrated else
                                                           "; the inputs hold no maakunnat to calibrate on") + ")"
        ds.attrs.update(cal.attrs() if cal is not None else {"calibration": uncalibrated})
    return ds


def _engine(inputs: PopulationInputs, bases, scenarios, years, migration_window: int, balanced: bool,
            lever_ids=None, held_counts: bool = False) -> dict[str, np.ndarray]:
    """The deterministic engine arrays of ``bases`` × ``scenarios`` (national balance if ``balanced``).

    ``held_counts``: migration as counts, the rates on the base population held as persons a year and not
    balanced (the alternative form of the model selection, :mod:`toolkit.population.migration_form`).
    """
    patterns = national_patterns(inputs, int(years[0]))
    paths = lever_arrays(inputs, bases, scenarios, years, lever_ids)
    levers = {name: value[:, :, 1:] if value.ndim > 2 else value for name, value in paths.items()}
    Lx, _ = person_years(levers["e0"], patterns.mortality)
    asfr = fertility_rates(levers["tfr"], levers["shift"], patterns.fertility)
    rates = levers["rate_scale"][..., None, None, None] * np.stack([b.migration_rate for b in bases])[:, None, None]
    counts = levers["extra"][..., None, None] * (0.5 * rogers_castro())
    start = np.stack([b.population for b in bases])[:, None]
    if held_counts:
        counts = counts + rates * start[:, :, None]
        rates = np.zeros_like(rates)
    elif balanced:
        scale = [scenario.levers.migration_rate_scale for scenario in scenarios]
        rates = rates + balancing_rates(inputs, bases, scale, Lx, asfr, rates, counts, int(years[0]),
                                        migration_window)[None]
    result = project(start, Lx, asfr, srb=SRB, migration_rate=rates, migration_count=counts)
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


def _reference(inputs: PopulationInputs, scenarios, years, migration_window: int) -> dict[str, np.ndarray]:
    """The maakunnat projected together (nationally balanced): what their municipalities are reconciled with."""
    base_year = int(years[0])
    return _engine(inputs, [region_base(inputs, r, base_year, migration_window) for r in maakunnat()], scenarios,
                   years, migration_window, balanced=True)


def _reconciled_areas(inputs: PopulationInputs, areas: Sequence[Region], scenarios, years, migration_window: int,
                      own: dict, rows: Sequence[int], reference: dict, model) -> dict[str, np.ndarray]:
    """``own`` with the rows of ``areas`` replaced by the sums of their reconciled municipalities.

    ``reference``: the maakunnat projected together (:func:`_reference`); every municipality of the areas'
    maakunnat is projected with its own base and rates (levers of its maakunta, or its own block of the scenario)
    and reconciled with its maakunta every year (:func:`toolkit.population.municipalities.reconcile`). Only the
    maakunnat of ``areas`` are projected: a group of a run (:func:`_groups`) holds the municipalities of its own.
    """
    base_year = int(years[0])
    regional = maakunnat()
    parents = {model.region_codes[model.index(code)] for area in areas for code in area.municipalities}
    members = [code for code, parent in zip(model.codes, model.region_codes, strict=True) if parent in parents]
    municipalities = [known_by_code(code) for code in members]
    named = {region_id for scenario in scenarios for region_id in scenario.regions}
    lever_ids = [m.id if m.id in named else m.parent for m in municipalities]
    engine = _engine(inputs, [municipal_base(inputs, m, base_year) for m in municipalities], scenarios, years,
                     migration_window, balanced=False, lever_ids=lever_ids)
    codes = [r.code for r in regional]
    result = reconcile(engine, reference, np.array([codes.index(m.parent_code) for m in municipalities]))
    del engine
    position = {code: i for i, code in enumerate(members)}
    out = {name: values.copy() for name, values in own.items()}
    for row, area in zip(rows, areas, strict=True):
        take = [position[code] for code in area.municipalities]
        for name in out:
            out[name][row] = result[name][take].sum(0)
    return out


CHUNK_BUDGET_BYTES = GROUP_BYTES
"""Memory a group of a run may hold beside the output [bytes]. A run is processed in groups of areas, one after
another (:func:`_groups`; areas of municipalities by whole maakunnat), each group with its deterministic,
reconciled and ensemble work, so that the peak is the output plus about this much (plus the chunks in flight),
whatever the number of areas or draws. A maakunta whose municipalities alone need more is one group; the largest
(Pohjois-Pohjanmaa, 30 municipalities) needs about 0.18 GB with the 6 shipped scenarios to 2050 (docs/scale.md)."""
ROW_BYTES_FACTOR = 12
"""Arrays of one scenario set × years × 2 sexes × 101 ages [8 bytes each] that a group holds per area and per
municipality it projects: the engine's population and flows, their reconciled copies, the raking's temporaries and
the centring of the area's quantiles; measured 11.4 with tracemalloc (all 309 municipalities, 6 scenarios, 7
quantiles, docs/scale.md). A run that keeps its draws holds draws × its output anyway; this factor is for quantiles."""


def _groups(bases, municipal: set[int], model, n_scenarios: int, n_years: int,
            budget: int = CHUNK_BUDGET_BYTES) -> list[list[int]]:
    """The rows of ``bases`` in groups that are run one after another, each within ``budget`` bytes.

    Areas of municipalities (``municipal`` rows) whose maakunnat overlap are in one group (the reconciliation
    rakes a maakunta's municipalities together); groups are packed in the order of their first row until the
    estimate (municipalities projected + areas) × scenarios × years × 2 × 101 × 8 × :data:`ROW_BYTES_FACTOR`
    would exceed the budget. The grouping does not change any number: every row is computed as in one group.
    """
    unit = n_scenarios * n_years * 2 * AGES.size * 8 * ROW_BYTES_FACTOR
    members: dict[str, int] = {}
    if model is not None:
        for parent in model.region_codes:
            members[parent] = members.get(parent, 0) + 1
    components: list[tuple[list[int], set[str]]] = []
    for i, base in enumerate(bases):
        parents = ({model.region_codes[model.index(code)] for code in base.region.municipalities}
                   if i in municipal else set())
        joined = [c for c in components if c[1] & parents]
        rows = sorted([i, *(row for c in joined for row in c[0])])
        components = [c for c in components if not c[1] & parents]
        components.append((rows, parents.union(*(c[1] for c in joined))))
    components.sort(key=lambda c: c[0][0])
    groups: list[list[int]] = []
    group: list[int] = []
    cost = 0
    for rows, parents in components:
        need = (len(rows) + sum(members[p] for p in parents)) * unit
        if group and cost + need > budget:
            groups.append(sorted(group))
            group, cost = [], 0
        group += rows
        cost += need
    if group:
        groups.append(sorted(group))
    return groups


def _central(bases, rows, levers: dict, patterns, delta: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Engine inputs of the central paths of ``bases`` at ``rows``: the start population, Lx, ASFR, migration
    rates (with the national balance ``delta`` (S, T, 2, A) if given) and additional migrants."""
    take = np.asarray(rows, dtype=int)
    lv = {name: value[take] for name, value in levers.items()}
    Lx, _ = person_years(lv["e0"], patterns.mortality)  # (n, S, T, 2, A)
    asfr = fertility_rates(lv["tfr"], lv["shift"], patterns.fertility)  # (n, S, T, A)
    rates = _rates(bases, rows, levers, delta)
    counts = lv["extra"][..., None, None] * (0.5 * rogers_castro())  # additional migrants: half women, half men
    return {"start": np.stack([bases[i].population for i in rows])[:, None], "Lx": Lx, "asfr": asfr,
            "rates": rates, "counts": counts}


def _rates(bases, rows, levers: dict, delta: np.ndarray | None) -> np.ndarray:
    """Net-migration rates (n, S, T|1, 2, A) of the rows: the scenario's scale of their own rates (+ balance)."""
    own_rate = np.stack([bases[i].migration_rate for i in rows])[:, None, None]  # (n, 1, 1, 2, A)
    rates = levers["rate_scale"][np.asarray(rows, dtype=int)][..., None, None, None] * own_rate
    return rates if delta is None else rates + delta[None]


def _own(bases, rows, levers: dict, delta, patterns) -> dict[str, np.ndarray]:
    """The deterministic engine arrays of the rows' own central paths."""
    c = _central(bases, rows, levers, patterns, delta)
    result = project(c["start"], c["Lx"], c["asfr"], srb=SRB, migration_rate=c["rates"], migration_count=c["counts"])
    return {name: getattr(result, name) for name in result.__dataclass_fields__}


def _write_rows(arrays: dict, rows: Sequence[int], values: dict, n_regions: int) -> None:
    """Write a group's engine arrays (its rows first) into the run's (R, S, year, …) arrays, allocated at the
    first group; flows get the base year (NaN), so that the dataset holds these arrays without a copy."""
    index = np.asarray(rows)
    for name, value in values.items():
        flow = name in FLOWS
        if name not in arrays:
            shape = list(value.shape)
            shape[0] = n_regions
            shape[2] += flow
            arrays[name] = np.empty(shape, dtype=value.dtype)
            if flow:
                arrays[name][:, :, 0] = np.nan
        if flow:
            arrays[name][index, :, 1:] = value
        else:
            arrays[name][index] = value


def calibration_for(inputs: PopulationInputs, base_year: int):
    """The calibration of the lever models for a run on ``inputs`` (:func:`_calibration_inputs`), or ``None`` when
    the inputs hold no maakunnat and country to calibrate on (synthetic tables: the models' own widths)."""
    source = _calibration_inputs(inputs)
    needed = {*MAAKUNTA_CODES, COUNTRY_CODE}
    if not needed <= set(source.tfr["region_code"].values) or not needed <= set(
            source.net_migration_total["region_code"].values):
        return None
    return calibration(source, base_year)


def _calibration_inputs(inputs: PopulationInputs) -> PopulationInputs:
    """The inputs the calibration is estimated on: every maakunta's series. A run of a few regions read from
    params/data calibrates on the files' full inputs (so that its bands are those of the national run); other
    inputs (synthetic tables) calibrate on the regions they hold."""
    present = set(inputs.tfr["region_code"].values)
    if set(MAAKUNTA_CODES) <= present or inputs.provenance.get("tfr.csv", {}).get("sha256") is None:
        return inputs
    return load_population_inputs()


class _ChunkPlan:
    """The ensemble chunks of a run, made a group of regions at a time (:func:`_groups`)."""

    def __init__(self, inputs: PopulationInputs, bases, scenarios, paths, levers, delta, patterns, draws, seed,
                 reduce, cal=None, group_draws: bool = False, rates: np.ndarray | None = None):
        self.inputs, self.bases, self.scenarios, self.paths, self.levers = inputs, bases, scenarios, paths, levers
        self.delta, self.patterns, self.draws, self.seed, self.reduce = delta, patterns, draws, seed, reduce
        self.cal, self.group_draws, self.rates = cal, group_draws, rates
        self.registry = list(load_regions())
        self.maakunta_ids = {region.code: region.id for region in maakunnat()}

    def _stream(self, base) -> int:
        """The random stream of a region's chunks: a maakunta's own; an area of municipalities takes its
        maakunta's (the one whose series feed its trend models), so that in every draw it shares the maakunta's
        fertility and migration shocks and the municipalities of a maakunta add up to it draw by draw (module
        docstring of :mod:`toolkit.population.municipalities`)."""
        region = base.region
        if region.kind == "maakunta" or base.series_code not in self.maakunta_ids:
            return _stream_index(region.id, self.registry)
        return _stream_index(self.maakunta_ids[base.series_code], self.registry)

    def _rates(self, i: int) -> np.ndarray:
        """(S, T|1, 2, A) net-migration rates of the region at row ``i``: given, or from the levers and balance."""
        if self.rates is not None:
            return self.rates[i]
        return _rates(self.bases, [i], self.levers, self.delta)[0]

    def chunks(self, rows: Sequence[int], balance: tuple | None = None) -> list[Chunk]:
        """The chunks of the regions at ``rows`` (region-major: region × scenario), with the national balance
        of the deviations (:meth:`national_balance`) if given."""
        inputs, paths, cal = self.inputs, self.paths, self.cal
        years = paths["tfr"].shape[-1]
        chunks = []
        for i in rows:
            base = self.bases[i]
            rates = self._rates(i)
            se = _uncertainty_se(inputs, base, np.arange(base.base_year + 1, base.base_year + years))
            for j, scenario in enumerate(self.scenarios):
                trend = isinstance(scenario.levers_for(base.region.id).tfr, TrendPath)
                factors = None if cal is None else cal.factors(se, tfr_trend=trend)
                chunks.append(Chunk(
                    region_index=self._stream(base), seed=self.seed, draws=self.draws,
                    quantiles=self.reduce, population=base.population, tfr=paths["tfr"][i, j, 1:],
                    shift=paths["shift"][i, j, 1:], e0=paths["e0"][i, j, 1:], extra=paths["extra"][i, j, 1:],
                    rate=np.broadcast_to(rates[j], rates.shape[1:]).copy(), se=se,
                    migration_phi=migration_trend(inputs, base.series_code, base.base_year).phi,
                    scales=scenario.uncertainty.scales(), correlation=scenario.uncertainty.correlation_matrix(),
                    per_1000=base.population.sum() / 1000.0, mortality=self.patterns.mortality,
                    fertility=self.patterns.fertility, calibration=factors,
                    tfr_loading=0.0 if cal is None else cal.tfr_loading, group_draws=self.group_draws))
        return chunks if balance is None else with_national_balance(chunks, *balance)

    def national_balance(self) -> tuple[list[np.ndarray], float]:
        """The national balance of the migration deviations per scenario and the country's population, from the
        maakunnat's chunks (:func:`toolkit.population.ensemble.national_balance`)."""
        order = _maakunta_order(self.bases)
        chunks = self.chunks(order)
        n = len(self.scenarios)
        base_year = self.bases[0].base_year
        years = self.paths["tfr"].shape[-1]
        country = migration_trend(self.inputs, COUNTRY_CODE, base_year)
        national = NationalMigration(
            se=country.read(np.arange(base_year + 1, base_year + years), country.se), phi=country.phi,
            per_1000=sum(self.bases[i].population.sum() for i in order) / 1000.0,
            factor=None if self.cal is None else self.cal.scales["national_migration"][:years - 1])
        return national_balance([chunks[k * n:(k + 1) * n] for k in range(len(order))], national)


def _chunks(inputs: PopulationInputs, bases, scenarios, paths, rates, patterns, draws, seed, reduce,
            balanced: bool, cal=None, group_draws: bool = False) -> list[Chunk]:
    """Every chunk of ``bases`` × ``scenarios`` (region-major) with the given rates (R, S, T|1, 2, A), balanced
    nationally if ``balanced`` (for callers that draw one area's levers, :mod:`toolkit.goals`)."""
    plan = _ChunkPlan(inputs, bases, scenarios, paths, None, None, patterns, draws, seed, reduce, cal, group_draws,
                      rates=rates)
    return plan.chunks(range(len(bases)), plan.national_balance() if balanced else None)


def _stream_index(region_id: str, registry: list[str]) -> int:
    """The region's random stream: its place in the registry, or for an area outside the registry a stable number
    of its id above every registry place (:mod:`toolkit.population.ensemble`, Randomness)."""
    if region_id in registry:
        return registry.index(region_id)
    return OUTSIDE_REGISTRY_STREAMS + zlib.crc32(region_id.encode()) % OUTSIDE_REGISTRY_STREAMS
