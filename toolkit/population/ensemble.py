"""Monte Carlo draws of the lever paths and one ensemble chunk (a region × scenario with all its draws).

Randomness
----------
Every draw's innovations come from ``numpy.random.SeedSequence(seed, spawn_key=...)``: one stream per region
(key ``(1, region_index)``, the region's place in the registry; an area of municipalities takes its maakunta's)
for the TFR and migration innovations, and one
national stream (key ``(0,)``) for life expectancy, shared by all regions because mortality improvement is
mostly national; runs of all 19 maakunnat add a national stream (key ``(2,)``) for the country's net
international migration, and runs with a calibrated national TFR factor a national stream (key ``(3,)``) for it.
Each stream yields its normals draw by draw for ``MAX_STEPS`` years, and a chunk takes the
rows of its draws; so a draw's numbers depend only on the seed, the region and the draw index — not on the
chunking, the number of workers or the scheduler — and the same draw index gives the same innovations in
every scenario of a region (common random numbers make scenario differences sharper).

Paths
-----
The innovations z(t) ~ N(0, 1) (correlated across tfr, e0 and net migration as the scenario's ``correlation``
says) follow the time structure of each lever's fitted model (:mod:`toolkit.population.assumptions`), times the
scenario's scale: for the TFR (random walk on the log scale) and e0 (Lee–Carter random walk) they accumulate
into random walks normalised to unit variance, Z(h) = Σ z / √h, and the deviation at horizon h is
se(h) · Z(h); for net migration (AR(1)) the deviation is x(h) = φ x(h−1) + σ z(h) with σ chosen so that its
standard deviation is the model's se(h). The marginal spread of every lever is thus its model's forecast error.

Runs
----
A chunk either keeps every draw (the engine :func:`~toolkit.population.ccm.project` over a draw dimension) or
reduces them to quantiles as it goes: a compiled loop advances all draws one year with the same engine step,
reads that year's quantiles of population and deaths by sex and age by selection
(:mod:`toolkit.population.selection`) and moves on, so a thousand draws of a region need a few MB, not the
hundreds of MB of their full age detail. Both give the same numbers: the quantiles of the reduced run are
``np.quantile`` of the kept draws, to the last bit for population, deaths, births and the levers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numba
import numpy as np

from toolkit.nomenclature import AGE_GROUPS, GROUP_BOUNDS, GROUP_MEMBERS, QUANTILES
from toolkit.population import selection  # (imports toolkit.population.compiled: numba's cache folder)
from toolkit.population.ccm import SRB, project, step
from toolkit.population.lifetable import scale_table, table_position, tabulated_person_years
from toolkit.population.rates import fertility_rates
from toolkit.population.schedules import rogers_castro, shift_schedule

MAX_STEPS = 100
TFR, E0, MIGRATION = 0, 1, 2
NATIONAL_MIGRATION_KEY = (2,)  # the stream of the national net international migration deviations
NATIONAL_TFR_KEY = (3,)  # the stream of the national factor of the regions' TFR innovations
NORMALS_CACHED = 16  # streams kept (about 1.6 MB each for 1,000 draws)



@dataclass(frozen=True)
class Chunk:
    """Everything one ensemble chunk needs (plain arrays, so it pickles cheaply to any worker)."""

    region_index: int
    seed: int
    draws: int
    quantiles: bool
    population: np.ndarray  # (2, A) base year
    tfr: np.ndarray  # (T,) central path of the projected years
    shift: np.ndarray  # (T,)
    e0: np.ndarray  # (T, 2)
    extra: np.ndarray  # (T,) additional net migrants [persons/year]
    rate: np.ndarray  # (T, 2, A) or (1, 2, A) net-migration rates incl. the national balance
    se: np.ndarray  # (T, 3) standard errors: log TFR, e0 [years], net migration [per 1,000]
    migration_phi: float  # AR(1) coefficient of the net-migration deviations
    scales: np.ndarray  # (3,)
    correlation: np.ndarray  # (3, 3)
    per_1000: float  # persons per 1 per 1,000 (base-year population / 1,000)
    mortality: np.ndarray  # (2, A) national pattern
    fertility: np.ndarray  # (A,)
    migration_share: float = 0.0  # the region's share of the country's base-year population
    migration_common: np.ndarray | None = None  # (D, T) national balance of the deviations [persons], see below
    calibration: np.ndarray | None = None  # (T, 3) calibrated factors of se (toolkit.population.calibration)
    tfr_loading: float = 0.0  # λ²: the national share of the variance of the TFR innovations
    group_draws: bool = False  # a quantile run also returns the age-group totals of every draw


@dataclass(frozen=True)
class NationalMigration:
    """The country's net international migration model (AR(1) of the national series), for balanced runs."""

    se: np.ndarray  # (T,) per 1,000 inhabitants of the country
    phi: float
    per_1000: float  # the country's base-year population / 1,000
    factor: np.ndarray | None = None  # (T,) calibrated factor of se


@lru_cache(maxsize=NORMALS_CACHED)
def standard_normals(seed: int, key: tuple[int, ...], draws: int, width: int) -> np.ndarray:
    """(draws, MAX_STEPS, width) normals of one stream; row d is the same for any ``draws`` > d.

    Read-only and cached for the last few streams: the chunks of a region's scenarios run one after another and
    share its stream, and every chunk reads the national stream.
    """
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))
    normals = generator.standard_normal((draws, MAX_STEPS, width))
    normals.flags.writeable = False
    return normals


def innovations(chunk: Chunk, steps: int, normals: tuple[np.ndarray, ...] | None = None) -> np.ndarray:
    """Correlated innovations (draws, steps, 3) in the order tfr, e0, net migration.

    ``normals``: the national and the region's streams (:func:`standard_normals`), if already drawn, and (with
    a national TFR loading) the national TFR factor's stream. The region's TFR normal is
    λ η + √(1 − λ²) ε with η the national factor (key ``(3,)``) and ε its own, so that regions share national
    fertility shocks with correlation λ² and every marginal stays N(0, 1).
    """
    if normals is None:
        normals = (standard_normals(chunk.seed, (0,), chunk.draws, 1),
                   standard_normals(chunk.seed, (1, chunk.region_index), chunk.draws, 2))
    national = normals[0][:, :steps, 0]
    regional = normals[1][:, :steps]
    if chunk.tfr_loading > 0:
        factor = (normals[2] if len(normals) > 2 else standard_normals(chunk.seed, NATIONAL_TFR_KEY, chunk.draws, 1))
        loading = np.sqrt(chunk.tfr_loading)
        regional = regional.copy()
        regional[..., 0] = loading * factor[:, :steps, 0] + np.sqrt(1.0 - chunk.tfr_loading) * regional[..., 0]
    corr = chunk.correlation
    others = [TFR, MIGRATION]
    # the national e0 innovation is given; tfr and migration follow their conditional distribution
    loading = corr[others, E0]
    residual = corr[np.ix_(others, others)] - np.outer(loading, loading)
    values, vectors = np.linalg.eigh(residual)
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    conditional = national[..., None] * loading + regional @ root.T
    out = np.empty((chunk.draws, steps, 3))
    out[..., E0] = national
    out[..., TFR] = conditional[..., 0]
    out[..., MIGRATION] = conditional[..., 1]
    return out


def lever_draws(chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TFR (D, T), e0 (D, T, 2) and additional migrants (D, T) of every draw."""
    steps = chunk.tfr.shape[0]
    z = innovations(chunk, steps)
    walks = np.cumsum(z, axis=1) / np.sqrt(np.arange(1, steps + 1))[None, :, None]
    se = chunk.se if chunk.calibration is None else chunk.se * chunk.calibration
    tfr = chunk.tfr * np.exp(chunk.scales[TFR] * se[:, TFR] * walks[..., TFR])
    e0 = chunk.e0 + (chunk.scales[E0] * se[:, E0] * walks[..., E0])[..., None]
    migration = own_migration_deviation(chunk, z)
    if chunk.migration_common is not None:
        migration = migration + chunk.migration_share * chunk.migration_common
    return tfr, e0, chunk.extra + migration


def own_migration_deviation(chunk: Chunk, z: np.ndarray) -> np.ndarray:
    """The region's own net-migration deviation (D, T) [persons] from its innovations ``z`` (D, T, 3)."""
    migration = chunk.scales[MIGRATION] * ar1_deviations(z[..., MIGRATION], chunk.migration_phi, chunk.se[:, MIGRATION])
    if chunk.calibration is not None:  # the AR(1) path's sd at horizon h times c(h)
        migration = migration * chunk.calibration[:, MIGRATION]
    return migration * chunk.per_1000


def national_migration_deviation(seed: int, draws: int, steps: int, national: NationalMigration, scale: float,
                                 correlation: np.ndarray) -> np.ndarray:
    """The country's net international migration deviation (D, T) [persons] of every draw.

    AR(1) paths of the national model, times the scenario's migration scale, from their own national stream
    (key ``(2,)``), correlated with the national e0 innovation as the scenario's correlation says.
    """
    e0 = standard_normals(seed, (0,), draws, 1)[:, :steps, 0]
    own = standard_normals(seed, NATIONAL_MIGRATION_KEY, draws, 1)[:, :steps, 0]
    rho = correlation[E0, MIGRATION]
    z = rho * e0 + np.sqrt(1.0 - rho * rho) * own
    deviation = scale * ar1_deviations(z, national.phi, national.se) * national.per_1000
    return deviation if national.factor is None else deviation * national.factor[:steps]


def national_balance(maakunnat: list[list[Chunk]], national: NationalMigration) -> tuple[list[np.ndarray], float]:
    """The national balance of the migration deviations, one (draws, T) array [persons] per scenario, and the
    country's base-year population, from the chunks of the maakunnat (one list of the scenarios' chunks per
    maakunta, in any order).

    Each region's own migration deviation mixes moves within the country and across its border. Per draw and
    year, the deviations of the 19 maakunnat are made to sum to the country's net international migration
    deviation N of the scenario: a region gets its own deviation x plus its population share s of (N − Σ x), so
    internal moves cancel and the national total varies as the national model says. Municipal areas, parts of a
    maakunta, get the same per-capita term. N − Σ x is taken here, once per scenario, and carried by the chunks
    (:func:`with_national_balance`); the maakunnat are summed in the order of their streams, so that any order of
    the regions gives the same sums.
    """
    first_row = maakunnat[0]  # the scenarios' uncertainty settings (the same in every maakunta's row)
    first = first_row[0]
    scenarios = len(first_row)
    ordered = sorted(maakunnat, key=lambda row: row[0].region_index)
    steps = first.tfr.shape[0]
    national_normals = standard_normals(first.seed, (0,), first.draws, 1)
    tfr_factor = standard_normals(first.seed, NATIONAL_TFR_KEY, first.draws, 1)
    totals = np.zeros((scenarios, first.draws, steps))
    country = 0.0
    for row in ordered:
        regional = standard_normals(first.seed, (1, row[0].region_index), first.draws, 2)
        for j, chunk in enumerate(row):
            z = innovations(chunk, steps, (national_normals, regional, tfr_factor))
            totals[j] += own_migration_deviation(chunk, z)
        country += row[0].population.sum()
    common = [national_migration_deviation(first.seed, first.draws, steps, national, first_row[j].scales[MIGRATION],
                                           first_row[j].correlation) - totals[j] for j in range(scenarios)]
    return common, float(country)


def with_national_balance(chunks: list[Chunk], common: list[np.ndarray], country: float) -> list[Chunk]:
    """Chunks (region-major: region × scenario, any subset of whole regions) carrying the national balance of their
    scenario (:func:`national_balance`) and their region's share of the country's population."""
    scenarios = len(common)
    return [replace(chunk, migration_share=float(chunk.population.sum() / country),
                    migration_common=common[k % scenarios]) for k, chunk in enumerate(chunks)]


def ar1_deviations(z: np.ndarray, phi: float, se: np.ndarray) -> np.ndarray:
    """AR(1) paths x(h) = φ x(h−1) + σ z(h), x(0) = 0, with σ set from se(1): sd of x(h) is se(h).

    For an AR(1) started at its last observation the forecast variance is σ²(1 + φ² + … + φ^{2(h−1)}), which
    is how statsmodels computes se(h); σ = se(1).
    """
    sigma = se[0]
    out = np.empty_like(z)
    previous = np.zeros(z.shape[0])
    for h in range(z.shape[1]):  # a loop over years; draws are vectorised
        previous = phi * previous + sigma * z[:, h]
        out[:, h] = previous
    return out


def run_chunk(chunk: Chunk) -> dict[str, np.ndarray]:
    """Project all draws of one region × scenario; reduce to quantiles over draws if asked."""
    tfr, e0, extra = lever_draws(chunk)
    if chunk.quantiles:
        return _run_quantiles(chunk, tfr, e0, extra)
    Lx = tabulated_person_years(e0, chunk.mortality)
    asfr = fertility_rates(tfr, chunk.shift, chunk.fertility)
    counts = extra[..., None, None] * (0.5 * rogers_castro())
    result = project(chunk.population, Lx, asfr, migration_rate=chunk.rate, migration_count=counts)
    return {
        "population": result.population,
        "births": result.births,
        "deaths": result.deaths,
        "net_migration": result.net_migration,
        "migration_capped": result.migration_capped,
        "tfr": tfr,
        "e0": e0,
        "population_group": result.population.sum(-2) @ GROUP_MEMBERS.T,
    }


def run_chunk_with(chunk: Chunk, migration_common: np.ndarray | None) -> dict[str, np.ndarray]:
    """:func:`run_chunk` with the national balance of the deviations given apart (shipped once to a cluster's
    workers and shared by the chunks of a scenario)."""
    return run_chunk(chunk if migration_common is None else replace(chunk, migration_common=migration_common))


def _run_quantiles(chunk: Chunk, tfr: np.ndarray, e0: np.ndarray, extra: np.ndarray) -> dict[str, np.ndarray]:
    """The draws of a chunk reduced to quantiles year by year, never holding all draws' age detail.

    The numbers are those of the draw run followed by ``np.quantile`` over the draws (the same engine step, life
    tables and rates, computed in the same order): a compiled loop advances all draws one year, keeps that year's
    population and deaths of every draw by sex and age (a few MB, in cache) and reads their quantiles by
    selection (:mod:`toolkit.population.selection`); births, migration totals and age-group totals are kept
    by draw (they are small) and reduced afterwards. Net and capped migration are summarised by their all-age
    totals, as quantiles do not add up over age.
    """
    steps, draws = tfr.shape[1], chunk.draws
    lower, weight = table_position(e0, chunk.mortality)
    _, table = scale_table(chunk.mortality)
    ranks, q_lower, q_upper, q_weight = selection.plan(QUANTILES, draws)
    population_q = np.empty((len(QUANTILES), steps + 1, 2, chunk.population.shape[-1]))
    deaths_q = np.empty((len(QUANTILES), steps) + chunk.population.shape)
    by_draw = np.empty((3, steps, 2, draws))  # births, net migration, capped migration
    group_totals = np.empty((steps, len(AGE_GROUPS), draws))
    population_q[:, 0] = chunk.population
    _advance_quantiles(np.ascontiguousarray(chunk.population), lower, weight, table, tfr,
                       shift_schedule(chunk.fertility, chunk.shift), 1.0 / (1.0 + SRB), 0.5 * rogers_castro(),
                       extra, np.ascontiguousarray(chunk.rate), GROUP_BOUNDS, ranks, q_lower, q_upper, q_weight,
                       population_q[:, 1:], deaths_q, by_draw, group_totals)
    groups = np.empty((len(QUANTILES), steps + 1, len(AGE_GROUPS)))
    groups[:, 0] = chunk.population.sum(-2) @ GROUP_MEMBERS.T
    groups[:, 1:] = _over_draws(group_totals)
    out = {
        "population": population_q, "deaths": deaths_q, "births": _over_draws(by_draw[0]),
        "net_migration_total": _over_draws(by_draw[1]), "migration_capped_total": _over_draws(by_draw[2]),
        "population_group": groups, "tfr": _over_draws(tfr.T), "e0": _over_draws(e0.transpose(1, 2, 0)),
    }
    if chunk.group_draws:  # (D, T + 1, groups): the base year first
        base = np.broadcast_to(chunk.population.sum(-2) @ GROUP_MEMBERS.T, (draws, 1, len(AGE_GROUPS)))
        out["population_group_draw"] = np.concatenate([base, group_totals.transpose(2, 0, 1)], axis=1)
    return out


def _over_draws(values: np.ndarray) -> np.ndarray:
    """Quantiles (Q, …) of values (…, draws) with the draws last."""
    return np.moveaxis(selection.quantiles_last_axis(values, QUANTILES), -1, 0)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _advance_quantiles(base, lower, weight, table, tfr, schedule, girls_share, migration_shape, extra, rate,
                       group_bounds, ranks, q_lower, q_upper, q_weight, population_q, deaths_q, by_draw,
                       group_totals):  # pragma: no cover - compiled; covered through run_chunk()
    """Advance every draw year by year and write the year's quantiles of population and deaths by sex and age.

    base (2, A); lower, weight (D, T, 2): position of each draw's life table in ``table`` (2, G, A); tfr (D, T);
    schedule (T, A) fertility by age per unit TFR; migration_shape (A,) additional migrants' age shape per sex;
    extra (D, T); rate (T or 1, 2, A); group_bounds (groups, 2) first and last age of each age group; ranks,
    q_lower, q_upper, q_weight: the selection plan. Outputs: population_q, deaths_q (Q, T, 2, A); by_draw
    (3, T, 2, D): births, net migration applied and migration capped; group_totals (T, groups, D).
    """
    draws, steps, ages = tfr.shape[0], tfr.shape[1], base.shape[1]
    current = np.empty((draws, 2, ages))
    following = np.empty((draws, 2, ages))
    for d in range(draws):
        current[d] = base
    person_years = np.empty((2, ages))
    survival = np.empty((2, ages - 1))
    newborn_survival = np.empty(2)
    fertility = np.empty(ages)
    counts = np.empty((2, ages))
    births = np.empty(2)
    deaths = np.empty((2, ages))
    applied = np.empty((2, ages))
    capped = np.empty((2, ages))
    work = np.empty((3, 2, ages))
    population_year = np.empty((2, ages, draws))  # draws last: the quantiles read contiguous vectors
    deaths_year = np.empty((2, ages, draws))
    ordered = np.empty(ranks.size)
    bins, slot, index, scratch = selection.workspace(draws)
    for t in range(steps):
        for d in range(draws):
            for sex in range(2):
                w = weight[d, t, sex]
                row = lower[d, t, sex]
                for x in range(ages):
                    person_years[sex, x] = (1 - w) * table[sex, row, x] + w * table[sex, row + 1, x]
                for x in range(ages - 2):  # no one reaches an age with L(x) = 0: its survival ratio is 0
                    survival[sex, x] = (person_years[sex, x + 1] / person_years[sex, x]
                                        if person_years[sex, x] > 0 else 0.0)
                closing = person_years[sex, ages - 2] + person_years[sex, ages - 1]
                survival[sex, ages - 2] = person_years[sex, ages - 1] / closing if closing > 0 else 0.0
                newborn_survival[sex] = person_years[sex, 0]  # L(0) / (width · radix), both 1
                for x in range(ages):
                    counts[sex, x] = extra[d, t] * migration_shape[x]
            for x in range(ages):
                fertility[x] = tfr[d, t] * schedule[t, x]
            step(current[d], following[d], survival, newborn_survival, fertility, girls_share, counts, True,
                 rate[t if rate.shape[0] > 1 else 0], True, 1.0, births, deaths, applied, capped, work)
            for sex in range(2):
                by_draw[0, t, sex, d] = births[sex]
                net = 0.0
                lost = 0.0
                for x in range(ages):
                    population_year[sex, x, d] = following[d, sex, x]
                    deaths_year[sex, x, d] = deaths[sex, x]
                    net += applied[sex, x]
                    lost += capped[sex, x]
                by_draw[1, t, sex, d] = net
                by_draw[2, t, sex, d] = lost
        # age-group totals of every draw, from the year's draws-last population (contiguous over draws)
        for g in range(group_bounds.shape[0]):
            total = group_totals[t, g]
            total[:] = 0.0
            for x in range(group_bounds[g, 0], group_bounds[g, 1] + 1):
                total += population_year[0, x] + population_year[1, x]
        for sex in range(2):
            for x in range(ages):
                selection.order_statistics(population_year[sex, x], ranks, ordered, bins, slot, index, scratch)
                selection.interpolate(ordered, q_lower, q_upper, q_weight, population_q[:, t, sex, x])
                selection.order_statistics(deaths_year[sex, x], ranks, ordered, bins, slot, index, scratch)
                selection.interpolate(ordered, q_lower, q_upper, q_weight, deaths_q[:, t, sex, x])
        current, following = following, current
