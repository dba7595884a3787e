"""Scenario discovery and global sensitivity: thousands of lever combinations through the engine at once.

* **Sampling** the lever space of a scenario with SALib: Latin hypercube (:func:`SALib.sample.latin.sample`) or
  Sobol' sequences in Saltelli's scheme (:func:`SALib.sample.sobol.sample`). Each lever is sampled uniformly
  within its range (:class:`LeverRange`, the assumptions of ``params/goals/discovery_ranges.yaml``), in the
  scenario's own form: a path lever keeps the scenario's year, shape and unit, every other lever of the scenario
  stays as it is.
* **Evaluation**: the combinations are a leading dimension of the engine (:func:`toolkit.goals.project_paths`),
  run in batches; the skills outcomes come from :func:`toolkit.skills.project_skills` over the same batch. Life
  tables are read from the tabulated grid of the ensemble (e0 within about 1e-5 years).
* **PRIM** (Friedman & Fisher 1999) boxes with coverage and density from the EMA Workbench
  (:mod:`ema_workbench.analysis.prim`, Kwakkel 2017): the lever ranges in which an outcome of interest is common.
* **Sobol' indices** (first-order S1 and total ST, with bootstrap confidence) from SALib
  (:func:`SALib.analyze.sobol.analyze`; Saltelli et al. 2010) of the headline outcomes to each lever, per area,
  as a tidy table.

References
----------
Friedman, J. H. & Fisher, N. I. (1999). Bump hunting in high-dimensional data. Statistics and Computing 9, 123–143.
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. Environmental Modelling & Software 96, 239–250.
Saltelli, A. et al. (2010). Variance based sensitivity analysis of model output. Computer Physics Communications
181, 259–270.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import latin
from SALib.sample import sobol as sobol_sample

from toolkit.errors import InputError
from toolkit.goals.evaluate import apply_lever, central_paths, project_paths, skills_outcomes
from toolkit.goals.inputs import GoalInputs
from toolkit.goals.levers import ALLOWED_LEVERS, OUTCOMES, SKILLS_LEVERS, SKILLS_OUTCOMES, lever_spec
from toolkit.io.discovery import LeverRange, load_discovery_ranges
from toolkit.nomenclature import AGE_GROUPS, GROUP_MEMBERS
from toolkit.text.goals import matters_sentence

HEADLINE_OUTCOMES = tuple((outcome, year) for outcome in ("15-64", "75+", "labour_balance", "job_openings")
                          for year in (2035, 2050))
"""The headline outcomes of the sensitivity table: (outcome, year)."""
BATCH = 1024  # lever combinations per engine call (memory: about 40 MB per 1,000 combinations to 2050)
METHODS = ("latin", "sobol")


def bounds(inputs: GoalInputs, ranges: Sequence[LeverRange]) -> list[tuple[str, float, float]]:
    """(lever, low, high) in the scenario's own form and unit, within the lever's allowed range.

    A TFR range of absolute levels becomes a change from the last observed TFR when the scenario's TFR is a
    change; an additional-migration range per 1,000 becomes persons when the scenario counts persons.
    """
    out = []
    for item in ranges:
        spec = lever_spec(inputs, item.lever)
        low, high = item.low, item.high
        if spec.name == "tfr" and item.form == "target" and spec.form == "change":
            low, high = low - inputs.base.tfr, high - inputs.base.tfr
        if spec.name == "additional_net_migration" and spec.migration_unit == "persons":
            per = inputs.base.population.sum() / 1000.0
            low, high = low * per, high * per
        low, high = max(low, spec.low), min(high, spec.high)
        if not low < high:
            raise InputError(f"lever {item.lever}: the sampled range {item.low:g}..{item.high:g} lies outside the "
                             f"allowed range {spec.low:g}..{spec.high:g}")
        out.append((spec.label, float(low), float(high)))
    return out


def _problem(names: Sequence[str], limits: Sequence[tuple[float, float]]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [list(map(float, b)) for b in limits]}


def sample(names: Sequence[str], limits: Sequence[tuple[float, float]], n: int, *, method: str = "latin",
           seed: int = 0) -> np.ndarray:
    """Lever combinations (rows) by SALib: ``latin`` gives n rows, ``sobol`` n·(L+2) rows (Saltelli, n a power of 2).

    Parameters
    ----------
    names : lever names; limits : (low, high) of each; n : base sample size; method : ``latin`` or ``sobol``
    """
    if method not in METHODS:
        raise InputError(f"sampling method {method!r}; allowed: {', '.join(METHODS)}")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise InputError(f"samples must be a whole number of at least 2, got {n!r}")
    problem = _problem(names, limits)
    if method == "latin":
        return latin.sample(problem, int(n), seed=seed)
    if n & (n - 1):
        raise InputError(f"Sobol' sampling needs a power of 2 as its base sample size, got {n}")
    return sobol_sample.sample(problem, int(n), calc_second_order=False, seed=seed)


def evaluate_samples(inputs: GoalInputs, levers: Sequence[str], values: np.ndarray,
                     outcomes: Sequence[tuple[str, int]], *, batch: int = BATCH, jobs: int = 1) -> np.ndarray:
    """Outcomes (N, O) of N lever combinations (N, L), in batches of ``batch`` combinations per engine call.

    Parameters
    ----------
    inputs : the area and scenario (:func:`toolkit.goals.goal_inputs`)
    levers : the L lever names of the columns of ``values`` [scenario-file units]
    outcomes : (outcome, year) pairs
    batch : combinations per engine call; jobs : worker threads over the batches (the engine's compiled kernel
        and the large array operations release the GIL)
    """
    specs = [lever_spec(inputs, lever) for lever in levers]
    for outcome, year in outcomes:
        if outcome not in OUTCOMES:
            raise InputError(f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
        if not inputs.years[1] <= year <= inputs.years[-1]:
            raise InputError(f"year {year} is outside the projected years {inputs.years[1]}-{inputs.years[-1]}")
    values = np.asarray(values, dtype=float)
    out = np.empty((values.shape[0], len(outcomes)))
    starts = range(0, values.shape[0], batch)

    def run(start: int) -> None:
        out[start:start + batch] = _evaluate_batch(inputs, specs, values[start:start + batch], outcomes)

    if jobs <= 1 or len(starts) <= 1:
        for start in starts:
            run(start)
    else:
        _evaluate_batch(inputs, specs, values[:1], outcomes)  # fill the shared caches before the threads start
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(run, starts))
    return out


def _evaluate_batch(inputs: GoalInputs, specs, chunk: np.ndarray, outcomes: Sequence[tuple[str, int]]
                    ) -> np.ndarray:
    """Outcomes (K, O) of one batch of K combinations: one engine call, one skills run."""
    position = {int(year): i for i, year in enumerate(inputs.years)}
    # combinations that differ only in skills levers share one population run (in a Saltelli sample, the rows
    # that vary participation or retirement)
    demographic = [column for column, spec in enumerate(specs) if spec.name not in SKILLS_LEVERS]
    unique, inverse = np.unique(chunk[:, demographic], axis=0, return_inverse=True)
    paths = central_paths(inputs, unique.shape[0])
    for column, index in enumerate(demographic):
        paths = apply_lever(inputs, specs[index], unique[:, column], paths)
    # the engine runs to the last year an outcome asks for (a year depends only on the years before it)
    steps = max(position[int(year)] for _, year in outcomes)
    population, deaths = project_paths(inputs, paths, exact_life_tables=False, steps=steps)
    inverse = inverse.ravel()  # np.unique sorts the rows: back to the order of the combinations
    if not np.array_equal(inverse, np.arange(chunk.shape[0])):
        population, deaths = population[inverse], deaths[inverse]
    skill_years = [year for outcome, year in outcomes if outcome in SKILLS_OUTCOMES]
    skills = (skills_outcomes(inputs, population, deaths, _skills_levers(inputs, specs, chunk), skill_years)
              if skill_years else {})
    out = np.empty((chunk.shape[0], len(outcomes)))
    for j, (outcome, year) in enumerate(outcomes):
        if outcome in AGE_GROUPS:
            out[:, j] = population[:, position[year]].sum(-2) @ GROUP_MEMBERS[list(AGE_GROUPS).index(outcome)]
        else:
            out[:, j] = skills[outcome][:, position[year]]
    return out


def _skills_levers(inputs: GoalInputs, specs, chunk: np.ndarray) -> list:
    """The lever set of every combination, with its skills levers replaced."""
    own = inputs.levers
    columns = [(i, spec) for i, spec in enumerate(specs) if spec.name in SKILLS_LEVERS]
    if not columns:
        return [own] * chunk.shape[0]
    sets = []
    for row in chunk:
        update = {}
        for i, spec in columns:
            if spec.name == "participation_change":
                update["participation_change"] = {**dict(spec.other_bands), spec.band: float(row[i])}
            else:
                update["retirement_age_shift"] = float(row[i])
        sets.append(own.model_copy(update=update))
    return sets


# --- sensitivity -----------------------------------------------------------------------------------------------

def sobol_analysis(function: Callable[[np.ndarray], np.ndarray], names: Sequence[str],
                   limits: Sequence[tuple[float, float]], n: int, *, seed: int = 0,
                   num_resamples: int = 100) -> pd.DataFrame:
    """Sobol' first-order and total indices of ``function`` (N, L) → (N,) or (N, O) by SALib.

    Returns
    -------
    DataFrame with columns ``output`` (column of the function's result), ``lever``, ``S1``, ``S1_conf``, ``ST``,
    ``ST_conf`` (the confidence half-widths at 95 %, bootstrap)
    """
    values = sample(names, limits, n, method="sobol", seed=seed)
    result = np.asarray(function(values), dtype=float)
    return analyse_sobol(names, limits, result if result.ndim == 2 else result[:, None], seed=seed,
                         num_resamples=num_resamples)


def analyse_sobol(names: Sequence[str], limits: Sequence[tuple[float, float]], outputs: np.ndarray, *,
                  seed: int = 0, num_resamples: int = 100) -> pd.DataFrame:
    """SALib's Sobol' analysis of each column of ``outputs`` (N·(L+2), O) from :func:`sample` (``sobol``).

    The bootstrap of the confidence intervals is seeded with ``seed + 1``: SALib's analysis takes a seed of 0 for
    no seed (``if seed:``) and then resamples from numpy's global state, so that the intervals of seed 0 changed
    from run to run.
    """
    problem = _problem(names, limits)
    rows = []
    for column in range(outputs.shape[1]):
        y = outputs[:, column]
        if np.ptp(y) == 0:  # an outcome that no lever moves has no variance to share out
            indices = {key: np.zeros(len(names)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                indices = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples,
                                                seed=int(seed) + 1)
        for i, name in enumerate(names):
            rows.append({"output": column, "lever": name, **{key: float(indices[key][i])
                                                             for key in ("S1", "S1_conf", "ST", "ST_conf")}})
    return pd.DataFrame(rows)


def sobol_indices(inputs: Sequence[GoalInputs], ranges: Sequence[LeverRange],
                  outcomes: Sequence[tuple[str, int]] = HEADLINE_OUTCOMES, *, n: int = 1024, seed: int = 0,
                  num_resamples: int = 100, jobs: int = 1) -> pd.DataFrame:
    """Sobol' indices of the outcomes to each lever, per area: a tidy table.

    Parameters
    ----------
    inputs : one :func:`toolkit.goals.goal_inputs` per area (with skills inputs for skills outcomes)
    ranges : the levers and their sampled ranges (:func:`toolkit.io.discovery.load_discovery_ranges`)
    outcomes : (outcome, year) pairs; n : base sample size (a power of 2; n·(L+2) model runs per area)
    jobs : worker threads of the model runs (:func:`evaluate_samples`)

    Returns
    -------
    DataFrame with columns region, scenario, outcome, year, lever, S1, S1_conf, ST, ST_conf; a lever that cannot
    move an outcome (participation for a population group) has indices 0 there.
    """
    tables = []
    for area in inputs:
        limits = bounds(area, ranges)
        names = [name for name, _, _ in limits]
        values = sample(names, [(low, high) for _, low, high in limits], n, method="sobol", seed=seed)
        outputs = evaluate_samples(area, names, values, outcomes, jobs=jobs)
        table = analyse_sobol(names, [(low, high) for _, low, high in limits], outputs, seed=seed,
                              num_resamples=num_resamples)
        table.insert(0, "year", [outcomes[i][1] for i in table["output"]])
        table.insert(0, "outcome", [outcomes[i][0] for i in table["output"]])
        table.insert(0, "scenario", area.scenario.id)
        table.insert(0, "region", area.base.region.id)
        for row in table.itertuples():
            if row.lever.split(":")[0] not in ALLOWED_LEVERS[row.outcome]:
                table.loc[row.Index, ["S1", "S1_conf", "ST", "ST_conf"]] = 0.0
        tables.append(table.drop(columns="output"))
    return pd.concat(tables, ignore_index=True)


# --- scenario discovery ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """A PRIM box: the lever limits of the restricted levers and how well the box captures the cases.

    Attributes
    ----------
    limits : DataFrame with columns lever, low, high (every lever; ``restricted`` says which the box narrows)
    restricted : the levers the box narrows
    coverage : share of all cases of interest inside the box [1]
    density : share of the combinations inside the box that are cases of interest [1]
    mass : share of all combinations inside the box [1]
    """

    limits: pd.DataFrame
    restricted: tuple[str, ...]
    coverage: float
    density: float
    mass: float

    def contains(self, samples: pd.DataFrame) -> np.ndarray:
        """Whether each row of ``samples`` (lever columns) lies in the box."""
        inside = np.ones(len(samples), dtype=bool)
        for row in self.limits.itertuples():
            inside &= (samples[row.lever].to_numpy() >= row.low) & (samples[row.lever].to_numpy() <= row.high)
        return inside


def prim_boxes(samples: pd.DataFrame, of_interest: np.ndarray, *, threshold: float = 0.8,
               min_coverage: float = 0.5, boxes: int = 1, peel_alpha: float = 0.05,
               mass_min: float = 0.05) -> list[Box]:
    """PRIM boxes (EMA Workbench) of the combinations whose outcome is of interest.

    On each box's peeling trajectory the box with the highest density among those with a coverage of at least
    ``min_coverage`` is chosen; ``boxes`` > 1 looks for further boxes among the remaining cases.

    Parameters
    ----------
    samples : lever values, one column per lever; of_interest : bool (N,)
    threshold : PRIM's density threshold; peel_alpha, mass_min : PRIM's peeling share and smallest box mass
    """
    y = np.asarray(of_interest, dtype=bool)
    if y.shape != (len(samples),):
        raise InputError(f"of_interest has {y.size} values for {len(samples)} samples")
    if not y.any():
        raise InputError("no sampled combination reaches the outcome of interest; PRIM needs some cases")
    logging.getLogger("EMA").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # also the workbench's notes on optional parallel back-ends at import
        from ema_workbench.analysis import prim  # heavy (seconds): imported where PRIM runs, not with the pack

        algorithm = prim.Prim(samples.reset_index(drop=True), y, threshold=threshold, peel_alpha=peel_alpha,
                              mass_min=mass_min)
        found = []
        for _ in range(boxes):
            box = algorithm.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory
            eligible = trajectory[trajectory["coverage"] >= min_coverage]
            chosen = int(eligible.sort_values(["density", "coverage"], ascending=False)["id"].iloc[0]) \
                if len(eligible) else 0
            box.select(chosen)
            limits = box.box_lims[chosen]
            table = pd.DataFrame({"lever": list(samples.columns), "low": limits.loc[0].to_numpy(dtype=float),
                                  "high": limits.loc[1].to_numpy(dtype=float)})
            lower, upper = samples.min(), samples.max()
            restricted = tuple(lever for lever, low, high in zip(table["lever"], table["low"], table["high"],
                                                                 strict=True)
                               if low > lower[lever] or high < upper[lever])
            row = trajectory.loc[trajectory["id"] == chosen].iloc[0]
            found.append(Box(table, restricted, float(row["coverage"]), float(row["density"]), float(row["mass"])))
    return found


@dataclass(frozen=True)
class Discovery:
    """Sampled lever combinations, their outcome, the cases of interest and the PRIM boxes."""

    samples: pd.DataFrame  # lever columns and the outcome column
    outcome: str
    year: int
    threshold: float
    direction: str
    of_interest: np.ndarray
    boxes: list[Box]


def discover(inputs: GoalInputs, ranges: Sequence[LeverRange], outcome: str, year: int, threshold: float, *,
             direction: str = ">=", samples: int = 2000, seed: int = 0, method: str = "latin",
             min_coverage: float = 0.5, prim_threshold: float = 0.8) -> Discovery:
    """Scenario discovery: where in the lever space does the outcome reach the threshold?

    Parameters
    ----------
    inputs : area and scenario; ranges : sampled levers
    outcome, year : the outcome of interest; threshold : its value [persons or jobs per year]
    direction : ``>=`` (cases at or above the threshold) or ``<=``
    samples : combinations (``latin``) or base size (``sobol``, a power of 2); seed : SALib's seed
    """
    if direction not in (">=", "<="):
        raise InputError(f"direction {direction!r}; allowed: >=, <=")
    limits = bounds(inputs, ranges)
    names = [name for name, _, _ in limits]
    values = sample(names, [(low, high) for _, low, high in limits], samples, method=method, seed=seed)
    result = evaluate_samples(inputs, names, values, [(outcome, year)])[:, 0]
    table = pd.DataFrame(values, columns=names)
    table[outcome] = result
    interest = result >= threshold if direction == ">=" else result <= threshold
    boxes = prim_boxes(table[names], interest, threshold=prim_threshold, min_coverage=min_coverage) \
        if interest.any() and not interest.all() else []
    return Discovery(table, outcome, int(year), float(threshold), direction, interest, boxes)


def what_matters_most(inputs: GoalInputs, lang: str, *, outcome: str = "labour_balance", year: int = 2040,
                      n: int = 256, seed: int = 0, area: str | None = None,
                      ranges: Sequence[LeverRange] | None = None) -> tuple[str, pd.DataFrame]:
    """Sobol' total indices of one outcome for the pack: (sentence, tidy table of :func:`sobol_indices`).

    ``n`` is the Saltelli base sample (n·8 model runs for the six levers; 256 → 2,048 runs, a few seconds). The
    bars: ``toolkit.viz.goals.matters_chart(table, region, outcome, year, lang=...)``.
    """
    area = area or inputs.base.region.label(lang)
    table = sobol_indices([inputs], ranges or load_discovery_ranges(), [(outcome, year)], n=n, seed=seed)
    return matters_sentence(table, inputs.base.region.id, outcome, year, lang, area=area), table


def box_table(found: Discovery) -> pd.DataFrame:
    """The PRIM boxes of a discovery as one table: box number, lever, low, high, restricted, coverage, density, mass.

    Empty (with these columns) when no box was found (no case, or every case, of interest).
    """
    columns = ["box", "lever", "low", "high", "restricted", "coverage", "density", "mass"]
    frames = [box.limits.assign(box=number, restricted=box.limits["lever"].isin(box.restricted),
                                coverage=box.coverage, density=box.density, mass=box.mass)[columns]
              for number, box in enumerate(found.boxes, start=1)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def sobol_base_size(evaluations: int, levers: int) -> int:
    """The largest power of 2, at least 2, whose Saltelli sample n·(L+2) stays within ``evaluations`` model runs."""
    n = 2
    while 2 * n * (levers + 2) <= evaluations:
        n *= 2
    return n


__all__ = ["HEADLINE_OUTCOMES", "Box", "Discovery", "LeverRange", "analyse_sobol", "bounds", "box_table", "discover",
           "evaluate_samples", "prim_boxes", "sample", "sobol_analysis", "sobol_base_size", "sobol_indices",
           "what_matters_most"]
