"""Municipal bases, municipal migration and the top-down reconciliation with the maakunnat.

Every municipality of the 2021 division (309) is projected from a base that is partly observed and partly
estimated (flagged as estimated in every output) — ``docs/municipalities.md`` gives the method and its formulas:

1. **Structure**: the single-year population by sex of 31 Dec 2019 (StatFin 11re, harmonised to the 2021
   division, :mod:`toolkit.io.municipal`); it sums exactly to the maakunnat by sex and age.
2. **Carried to the base year** one year at a time with the parent maakunta's observed TFR and life expectancy and
   its net-migration age profile. In 2020 and 2021 an additional net migration on the Rogers–Castro schedule meets
   the municipality's observed total (by sex in 2021; the known errors repaired); later years add the
   municipality's own migration deviation (step 3). Every year the municipalities of a maakunta are **raked** to
   its observed population by sex and age (:func:`rake`), so in the base year they sum exactly to the maakunta.
   A later single-year population that a refresh added for some municipalities replaces their carried one in its
   year (:func:`_with_observed`; the others of the maakunta take the rest).
3. **Migration**: a municipality's net migration is its maakunta's rate plus a deviation ``d`` (per 1,000
   inhabitants a year), estimated from its own history — the intermunicipal net migration of 2008–2017 relative
   to its maakunta's, and the observed total net migration of 2020 and 2021 relative to its maakunta's — and
   shrunk towards zero (the maakunta's rate) by empirical Bayes: ``d̂ = B·d̄``, ``B = τ² / (τ² + s²/n)``, where
   ``d̄``, ``s²`` and ``n`` are the mean, variance and number of the municipality's yearly deviations and ``τ²`` the
   variance of the true deviations between municipalities (method of moments over all 309). ``d̂`` is then held
   within the range of the municipality's own 10-year mean deviations of 1990–2017 and 2020–2021.
4. **Reconciliation** (:func:`reconcile`): in every projected year and scenario the municipalities of a
   maakunta are raked to the maakunta's projection by sex and age (iterative proportional fitting of the
   municipality × age table of each sex, rows to the municipalities' own projected totals scaled to the maakunta),
   births and deaths are scaled to the maakunta's, and net migration is the remainder of the balancing equation,
   balanced additively so that it also sums to the maakunta's by age. An area is the sum of its municipalities.
   An area's draws come from its own ensemble, moved onto its reconciled central path (:func:`centre_on_reconciled`).
   The ensemble draws the maakunta's own shocks (its random stream; the same se per 1,000 inhabitants and the same
   calibration): in every draw the municipalities share the maakunta's fertility, mortality and migration
   deviations, so they add up to the maakunta's draw within about 1 % over 15 years (Kainuu's eight in 2040:
   median 0.15 %, at most 1.3 %, against 8 % and 40 % with a stream of their own) and their quantiles add up to
   the maakunta's (comonotone draws). A single draw is not raked to the same draw of the maakunta, and a
   municipality's own further uncertainty (its share of the maakunta moving) is not drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from toolkit.errors import InputError
from toolkit.io import municipal as data
from toolkit.io.inputs import PopulationInputs
from toolkit.nomenclature import GROUP_MEMBERS, SEXES
from toolkit.population.ccm import project
from toolkit.population.jumpoff import (
    RegionBase,
    jump_off_e0,
    migration_rates,
    national_patterns,
)
from toolkit.population.rates import fertility_rates, person_years
from toolkit.population.schedules import rogers_castro

STRUCTURE_YEAR = 2019  # the single-year municipal structure by sex (harmonised, 2021 division)
CALIBRATED_YEARS = (2020, 2021)  # observed municipal totals after the structure year
HISTORY_WINDOW = (2008, 2017)  # intermunicipal deviations in the mean (with the calibrated years)
ROLLING = 10  # years of the rolling means that bound a municipality's deviation
RAKE_ITERATIONS = 200
RAKE_TOLERANCE = 1e-10  # largest relative margin error after raking
PROBE = 1000.0  # persons; the step is affine in the added migrants


# ------------------------------------------------------------------------------------------ raking


def rake(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Iterative proportional fitting of tables (..., M, A) to row sums (..., M) and column sums (..., A).

    The row and column targets must have the same total (the rows are rescaled to the columns' total if they
    differ by rounding). A column whose seed is all zero but whose target is not is seeded with the row targets'
    shares; a row with a positive target and an all-zero seed is seeded with the column targets' shares.
    Converges to the table closest to the seed in the Kullback–Leibler sense with both margins met (Deming &
    Stephan 1940; Bishop, Fienberg & Holland 1975, ch. 3).
    """
    seed = np.asarray(seed, dtype=float).copy()
    cols = np.asarray(cols, dtype=float)
    rows = np.asarray(rows, dtype=float)
    total = cols.sum(-1, keepdims=True)
    row_total = rows.sum(-1, keepdims=True)
    rows = np.divide(rows * total, row_total, out=np.zeros_like(rows), where=row_total > 0)
    share_rows = np.divide(rows, total, out=np.zeros_like(rows), where=total > 0)
    share_cols = np.divide(cols, total, out=np.zeros_like(cols), where=total > 0)
    empty_col = (seed.sum(-2) <= 0) & (cols > 0)
    seed = np.where(empty_col[..., None, :], share_rows[..., :, None] + 0 * seed, seed)
    empty_row = (seed.sum(-1) <= 0) & (rows > 0)
    seed = np.where(empty_row[..., :, None], share_cols[..., None, :] + 0 * seed, seed)
    table = seed
    for _ in range(RAKE_ITERATIONS):
        sums = table.sum(-1)
        table = table * np.divide(rows, sums, out=np.zeros_like(rows), where=sums > 0)[..., None]
        sums = table.sum(-2)
        table = table * np.divide(cols, sums, out=np.zeros_like(cols), where=sums > 0)[..., None, :]
        error = np.abs(table.sum(-1) - rows).max(initial=0.0) / max(float(np.max(total, initial=1.0)), 1.0)
        if error < RAKE_TOLERANCE:
            break
    return table


def balance_additive(values: np.ndarray, rows: np.ndarray, cols: np.ndarray, row_weights: np.ndarray,
                     col_weights: np.ndarray) -> np.ndarray:
    """Signed tables (..., M, A) moved to row sums (..., M) and column sums (..., A) in one additive step.

    ``values + ρ_m p_a + κ_a q_m − (Σρ) p_a q_m`` with the row and column gaps ρ, κ and weights p (over A) and q
    (over M) that each sum to one: meets both margins exactly when their totals agree (net migration may be
    negative, so proportional fitting does not apply).
    """
    rho = rows - values.sum(-1)
    kappa = cols - values.sum(-2)
    p = col_weights / np.maximum(col_weights.sum(-1, keepdims=True), 1e-300)
    q = row_weights / np.maximum(row_weights.sum(-1, keepdims=True), 1e-300)
    return (values + rho[..., :, None] * p[..., None, :] + kappa[..., None, :] * q[..., :, None]
            - rho.sum(-1)[..., None, None] * p[..., None, :] * q[..., :, None])


# ------------------------------------------------------------------------------------------ the base


@dataclass(frozen=True)
class MunicipalModel:
    """Bases of the 309 municipalities in one base year (arrays in the order of ``codes``)."""

    base_year: int
    codes: tuple[str, ...]
    region_codes: tuple[str, ...]  # the maakunta of each municipality
    population: np.ndarray  # (M, 2, A) persons on 31 Dec of the base year, raked to the maakunnat
    migration_rate: np.ndarray  # (M, 2, A) net migrants per person per year: maakunta's profile + own deviation
    migration: pd.DataFrame  # per municipality: mean, variance, n, weight, deviation (per 1,000), bounds
    observed: tuple[str, ...] = ()  # municipalities whose base-year population is observed (refreshed), not carried

    def index(self, code: str) -> int:
        return self.codes.index(code)


def _step(population, tfr, e0, patterns, rate, count):
    Lx, _ = person_years(e0, patterns.mortality)
    asfr = fertility_rates(np.asarray(tfr), np.zeros_like(np.asarray(tfr)), patterns.fertility)
    return project(population, Lx[:, None], asfr[:, None], migration_count=count[:, None],
                   migration_rate=rate[:, None])


def _calibrated(population, tfr, e0, patterns, rate, targets: np.ndarray, by_sex: bool) -> np.ndarray:
    """Additional net migrants (M, 2, A) on the Rogers–Castro schedule that meet the targets (M, 2) by sex or
    (M,) in total."""
    schedule = rogers_castro()
    zero = np.zeros_like(population)
    if by_sex:
        directions = [np.stack([schedule, 0 * schedule]), np.stack([0 * schedule, schedule])]
    else:
        directions = [0.5 * np.stack([schedule, schedule])]

    def measure(count):
        end = _step(population, tfr, e0, patterns, rate, count).population[:, -1]
        return end.sum(-1) if by_sex else end.sum((-2, -1))[:, None]

    base = measure(zero)
    gains = [(measure(np.broadcast_to(PROBE * d, population.shape).copy()) - base) / PROBE for d in directions]
    wanted = targets.reshape(base.shape) - base
    if by_sex:
        levels = [wanted[:, 0] / gains[0][:, 0], wanted[:, 1] / gains[1][:, 1]]
    else:
        levels = [wanted[:, 0] / gains[0][:, 0]]
    return sum(level[:, None, None] * d[None] for level, d in zip(levels, directions, strict=True))


def _rake_to_regions(population: np.ndarray, region_of: np.ndarray, observed: dict[str, np.ndarray],
                     row_totals: np.ndarray | None = None) -> np.ndarray:
    """Rake (M, 2, A) to each maakunta's (2, A); rows: ``row_totals`` (M, 2) or the table's own sex totals."""
    out = population.copy()
    own = population.sum(-1) if row_totals is None else row_totals
    for code, target in observed.items():
        members = region_of == code
        for sex in range(2):
            out[members, sex] = rake(population[members, sex], own[members, sex], target[sex])
    return out


def _with_observed(population: np.ndarray, codes: Sequence[str], region_of: np.ndarray,
                   observed: dict[str, np.ndarray], structures: dict[str, np.ndarray]) -> np.ndarray:
    """(M, 2, A) with the observed single-year population of the municipalities in ``structures`` (code ->
    (2, A)) in place of the carried one; the other municipalities of each such maakunta raked to what remains
    of its observed population by sex and age, so that the maakunta still sums exactly.

    Where the observed municipalities exceed their maakunta in some cell (tables of different dates), or a maakunta
    has no other municipality, all its municipalities are raked to it with the observed ones as seeds and their
    observed totals as row targets.
    """
    if not structures:
        return population
    out = population.copy()
    fixed = np.zeros(len(codes), dtype=bool)
    for code, values in structures.items():
        out[codes.index(code)] = values
        fixed[codes.index(code)] = True
    for code, target in observed.items():
        members = region_of == code
        if not (members & fixed).any():
            continue
        held, free = members & fixed, members & ~fixed
        remainder = target - out[held].sum(0)
        if free.any() and (remainder >= -0.5).all():
            remainder = np.clip(remainder, 0.0, None)
            for sex in range(2):
                out[free, sex] = rake(out[free, sex], out[free, sex].sum(-1), remainder[sex])
        else:
            for sex in range(2):
                out[members, sex] = rake(out[members, sex], out[members, sex].sum(-1), target[sex])
    return out


def _profile_rate(parent_population: np.ndarray) -> np.ndarray:
    """Rates (2, A) per person that give one net migrant per inhabitant of the parent on the Rogers–Castro
    schedule (half women, half men), smooth because they are formed on the parent's large cells."""
    schedule = 0.5 * np.stack([rogers_castro(), rogers_castro()])
    return np.divide(schedule * parent_population.sum(), parent_population, out=np.zeros_like(schedule),
                     where=parent_population > 0)


@lru_cache(maxsize=8)
def municipal_model(inputs: PopulationInputs, base_year: int) -> MunicipalModel:
    """The bases of all 309 municipalities in ``base_year`` (module docstring, steps 1–3); cached per inputs."""
    if base_year < CALIBRATED_YEARS[-1]:
        raise InputError(f"base year {base_year}: municipal bases start from the {STRUCTURE_YEAR} single-year "
                         f"population and the observed totals to {CALIBRATED_YEARS[-1]}; choose {CALIBRATED_YEARS[-1]} "
                         "or later")
    data.check_totals()
    key = data.municipality_key()
    codes = tuple(key.index)
    region_of = key["region_code"].to_numpy()
    regions = sorted(set(region_of))
    missing = [code for code in regions if code not in inputs.population["region_code"].values]
    if missing:
        raise InputError(f"municipal bases need the population of every maakunta; the inputs lack {missing[0]}")
    patterns = national_patterns(inputs, base_year)
    population = data.municipal_population().sel(year=STRUCTURE_YEAR).transpose(
        "municipality_code", "sex", "age").values.astype(float)
    parent_rate = {code: migration_rates(inputs, code, base_year) for code in regions}
    rate = np.stack([parent_rate[code] for code in region_of])
    totals = data.harmonised_totals()
    net_total = inputs.net_migration_total

    position = np.array([regions.index(code) for code in region_of])
    life = inputs.life_expectancy.sel(region_code=regions, sex=list(SEXES)).transpose("region_code", "year", "sex")
    life_years = life["year"].values
    life = life.values.astype(float)
    people = inputs.population.sel(region_code=regions, sex=list(SEXES)).transpose("region_code", "year", "sex", "age")
    people_years = list(people["year"].values)
    people = people.values.astype(float)

    def parent_series(year):
        # the latest 3-year life expectancy at or before the next year (jump_off_e0), the year's observed TFR
        latest = int(np.flatnonzero(life_years <= min(year + 1, base_year))[-1])
        tfr = inputs.tfr.sel(region_code=regions, year=year).values.astype(float)[position]
        return tfr, life[position, latest]

    def observed(year):
        return {code: people[i, people_years.index(year)] for i, code in enumerate(regions)}

    start_total = population.sum((-2, -1))
    later = {year: rows for year, rows in data.later_structures(STRUCTURE_YEAR).items() if year <= base_year}
    deviations = {}
    for year in CALIBRATED_YEARS:
        tfr, e0 = parent_series(year)
        rows = totals[totals["year"] == year].pivot_table(index="municipality_code", columns="sex",
                                                          values="population").reindex(list(codes))
        by_sex = {"F", "M"} <= set(rows.columns) and not rows[["F", "M"]].isna().any().any()
        targets = rows[["F", "M"]].to_numpy() if by_sex else rows["T"].to_numpy()
        count = _calibrated(population, tfr, e0, patterns, rate, targets, by_sex)
        step = _step(population, tfr, e0, patterns, rate, count)
        migrants = step.net_migration[:, 0].sum((-2, -1))
        before = observed(year - 1)
        region_rate = {code: float(net_total.sel(region_code=code, year=year)) / before[code].sum()
                       for code in regions}
        deviations[year] = 1000.0 * (migrants / population.sum((-2, -1))
                                     - np.array([region_rate[code] for code in region_of]))
        end = step.population[:, -1]
        row_totals = targets if by_sex else None
        population = _rake_to_regions(end, region_of, observed(year),
                                      None if row_totals is None else np.asarray(row_totals, dtype=float))
        population = _with_observed(population, codes, region_of, observed(year), later.get(year, {}))

    table = _migration_estimate(codes, region_of, deviations, start_total)
    deviation = table["deviation"].to_numpy() / 1000.0  # per person a year
    parents = observed(base_year)
    extra_rate = np.stack([_profile_rate(parents[code]) for code in region_of]) * deviation[:, None, None]
    own_rate = rate + extra_rate
    for year in range(CALIBRATED_YEARS[-1] + 1, base_year + 1):
        tfr, e0 = parent_series(year)
        step = _step(population, tfr, e0, patterns, own_rate, np.zeros_like(population))
        population = _rake_to_regions(step.population[:, -1], region_of, observed(year))
        population = _with_observed(population, codes, region_of, observed(year), later.get(year, {}))
    return MunicipalModel(base_year=base_year, codes=codes, region_codes=tuple(region_of), population=population,
                          migration_rate=own_rate, migration=table, observed=tuple(sorted(later.get(base_year, {}))))


def _migration_estimate(codes, region_of, calibrated: dict[int, np.ndarray], start_total) -> pd.DataFrame:
    """The shrunk migration deviation of every municipality from its maakunta (per 1,000 a year; module
    docstring, step 3)."""
    history = data.municipal_migration().sel(municipality_code=list(codes))
    base = data.municipal_population().sel(year=2018, municipality_code=list(codes)).sum(["sex", "age"]).values
    years = history["year"].values
    net = history.transpose("municipality_code", "year").values  # (M, Y)
    region_rate = np.zeros_like(net)
    for code in set(region_of):
        members = region_of == code
        region_rate[members] = np.nansum(net[members], 0) / base[members].sum()
    yearly = 1000.0 * (net / base[:, None] - region_rate)  # (M, Y) deviations of the intermunicipal rates
    window = (years >= HISTORY_WINDOW[0]) & (years <= HISTORY_WINDOW[1])
    recent = np.concatenate([yearly[:, window], np.stack([calibrated[y] for y in sorted(calibrated)], -1)], -1)
    n = np.isfinite(recent).sum(-1)
    mean = np.nanmean(recent, -1)
    variance = np.nanvar(recent, -1, ddof=1)
    sampling = variance / n
    tau2 = max(float(np.var(mean, ddof=1) - np.mean(sampling)), 0.0)
    weight = tau2 / (tau2 + sampling) if tau2 > 0 else np.zeros_like(mean)
    # the range of the municipality's own 10-year mean deviations (1990-2017, and the latest years)
    full = np.concatenate([yearly, np.stack([calibrated[y] for y in sorted(calibrated)], -1)], -1)
    kernel = np.ones(ROLLING) / ROLLING
    rolling = np.stack([np.convolve(row, kernel, mode="valid") for row in full])
    low, high = rolling.min(-1), rolling.max(-1)
    estimate = np.clip(weight * mean, low, high)
    return pd.DataFrame({"region_code": region_of, "mean": mean, "variance": variance, "n": n, "weight": weight,
                         "shrunk": weight * mean, "low": low, "high": high, "deviation": estimate,
                         "tau2": tau2}, index=pd.Index(codes, name="municipality_code"))


@lru_cache(maxsize=64)
def _parent_levels(inputs: PopulationInputs, parent: str, base_year: int) -> tuple[float, np.ndarray, int]:
    e0, e0_year = jump_off_e0(inputs, parent, base_year)
    return float(inputs.tfr.sel(region_code=parent, year=base_year)), e0, e0_year


@lru_cache(maxsize=1024)
def municipal_base(inputs: PopulationInputs, region, base_year: int) -> RegionBase:
    """Jump-off inputs of an area of municipalities: the sum of its municipalities' bases, the parent's fertility
    and mortality (flagged as estimated)."""
    model = municipal_model(inputs, base_year)
    rows = [model.index(code) for code in region.municipalities]
    population = model.population[rows].sum(0)
    migrants = (model.migration_rate[rows] * model.population[rows]).sum(0)
    rate = np.divide(migrants, population, out=np.zeros_like(migrants), where=population > 0)
    parent = region.parent_code
    tfr, e0, e0_year = _parent_levels(inputs, parent, base_year)
    deviation = model.migration["deviation"].to_numpy()[rows]
    level = float((deviation * model.population[rows].sum((-2, -1))).sum() / model.population[rows].sum())
    seen = [code for code in region.municipalities if code in model.observed]
    if len(seen) == len(region.municipalities):
        origin = f"base population observed ({base_year} single years by sex, refreshed)"
    else:
        origin = (f"base population estimated from the municipalities' single-year population of "
                  f"{STRUCTURE_YEAR}, carried to {base_year} with their observed totals of {CALIBRATED_YEARS[0]}–"
                  f"{CALIBRATED_YEARS[-1]} and the maakunta's rates, and raked to the maakunta's observed population "
                  "by sex and age" + (f" (observed in {base_year} for {', '.join(seen)})" if seen else ""))
    note = (f"{region.id}: {origin}; net migration {level:+.1f} per 1,000 a year against the maakunta's rate (shrunk "
            "own history); projected as the sum of its municipalities, reconciled with the maakunta every year.")
    return RegionBase(region=region, base_year=base_year, population=population, tfr=tfr, e0=e0, e0_year=e0_year,
                      migration_rate=rate, series_code=parent, estimated=True, notes=(note,))





# ------------------------------------------------------------------------------------------ reconciliation


def reconcile(municipal: dict[str, np.ndarray], regional: dict[str, np.ndarray], parent: np.ndarray) -> dict:
    """Municipal projections made to add up to their maakunnat (module docstring, step 4).

    Parameters
    ----------
    municipal : engine arrays of the municipalities, leading dims (M, S): ``population`` (…, T+1, 2, A),
        ``births`` (…, T, 2), ``deaths``, ``net_migration``, ``migration_capped`` (…, T, 2, A)
    regional : the same arrays of the maakunnat (R, S, …)
    parent : (M,) index of each municipality's maakunta in ``regional``

    Returns
    -------
    the municipal arrays reconciled: in every year, scenario, sex and age the municipalities of a maakunta sum to
    it (population, births, deaths, net migration), and each municipality keeps P(t+1) = P(t) + B − D + M by sex.
    ``migration_capped`` is the municipalities' own.
    """
    population = municipal["population"].copy()
    births = municipal["births"].copy()
    deaths = municipal["deaths"].copy()
    migration = municipal["net_migration"].copy()
    for r in np.unique(parent):
        rows = np.flatnonzero(parent == r)
        pop = np.moveaxis(municipal["population"][rows], 0, -2)  # (S, T+1, 2, M, A)
        target = regional["population"][r]  # (S, T+1, 2, A)
        share = pop.sum(-1)
        scale = np.divide(target.sum(-1), share.sum(-1), out=np.ones_like(target.sum(-1)),
                          where=share.sum(-1) > 0)
        raked = rake(pop, share * scale[..., None], target)
        population[rows] = np.moveaxis(raked, -2, 0)
        b = births[rows]  # (M, S, T, 2)
        total = b.sum(0)
        births[rows] = b * np.divide(regional["births"][r], total, out=np.zeros_like(total), where=total > 0)
        d = deaths[rows]  # (M, S, T, 2, A)
        total = d.sum(0)
        fallback = population[rows][:, :, 1:] / np.maximum(population[rows][:, :, 1:].sum(0), 1e-300)
        deaths[rows] = np.where(total > 0, d * np.divide(regional["deaths"][r], total, out=np.zeros_like(total),
                                                         where=total > 0), fallback * regional["deaths"][r])
        p = population[rows]
        needed = (p[:, :, 1:].sum(-1) - p[:, :, :-1].sum(-1) - births[rows] + deaths[rows].sum(-1))  # (M, S, T, 2)
        values = np.moveaxis(migration[rows], 0, -2)  # (S, T, 2, M, A)
        weights_rows = np.moveaxis(p[:, :, 1:].sum(-1), 0, -1)  # (S, T, 2, M)
        balanced = balance_additive(values, np.moveaxis(needed, 0, -1), regional["net_migration"][r],
                                    weights_rows, regional["population"][r][:, 1:])
        # where neither the maakunta nor its municipalities have migrants (no-migration scenario), none is made up
        # of the raking's rounding
        none = (regional["net_migration"][r] == 0).all(-1) & (values == 0).all((-2, -1))
        balanced[none] = 0.0
        migration[rows] = np.moveaxis(balanced, -2, 0)
    return {"population": population, "births": births, "deaths": deaths, "net_migration": migration,
            "migration_capped": municipal["migration_capped"]}


def centre_on_reconciled(arrays: dict, own: dict, reconciled: dict, rows: Sequence[int], mode: str,
                         at: Sequence[int] | None = None) -> None:
    """Move the draws (or their quantiles) of reconciled areas onto the reconciled central path, in place.

    ``rows``: the areas in ``own`` and ``reconciled``; ``at``: the same areas in ``arrays`` (default ``rows``).

    Each area's draws come from its own ensemble around its own central path; population, deaths and births are
    multiplied by the reconciled over the own central value of each cell (quantiles follow exactly), net migration
    is shifted by the difference. The draws keep the area's own spread; only the central run sums to the maakunta.
    Flows in ``arrays`` may carry the base year first (NaN): only their projected years are moved.
    """
    def ratio(name):
        num, den = reconciled[name][rows], own[name][rows]
        return np.divide(num, den, out=np.ones_like(num), where=den > 0)[:, :, None]

    def years(name, own_name):  # the projected years of a flow that carries the base year first
        return slice(1, None) if arrays[name].shape[3] == own[own_name].shape[2] + 1 else slice(None)

    index = np.asarray(rows if at is None else at)
    for name in ("population", "births", "deaths"):
        cut = years(name, name)
        arrays[name][index, :, :, cut] = arrays[name][index, :, :, cut] * ratio(name)
    groups = reconciled["population"][rows].sum(-2) @ GROUP_MEMBERS.T
    own_groups = own["population"][rows].sum(-2) @ GROUP_MEMBERS.T
    if mode == "draw":
        arrays["population_group"][index] = arrays["population"][index].sum(-2) @ GROUP_MEMBERS.T
        cut = years("net_migration", "net_migration")
        arrays["net_migration"][index, :, :, cut] += (reconciled["net_migration"][rows]
                                                      - own["net_migration"][rows])[:, :, None]
    else:
        arrays["population_group"][index] *= np.divide(groups, own_groups, out=np.ones_like(groups),
                                                       where=own_groups > 0)[:, :, None]
        shift = (reconciled["net_migration"][rows] - own["net_migration"][rows]).sum(-1)
        arrays["net_migration_total"][index, :, :, years("net_migration_total", "net_migration")] += shift[:, :, None]
    if "population_group_draw" in arrays:
        arrays["population_group_draw"][index] *= np.divide(groups, own_groups, out=np.ones_like(groups),
                                                            where=own_groups > 0)[:, :, None]


__all__ = ["MunicipalModel", "balance_additive", "centre_on_reconciled", "municipal_base", "municipal_model", "rake",
           "reconcile"]
