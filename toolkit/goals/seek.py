"""Goal seeking: the lever value that meets a target, deterministic (grid + brentq) or with a probability."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.optimize import brentq

from toolkit.errors import InputError
from toolkit.goals.evaluate import evaluate, evaluate_drawn
from toolkit.goals.inputs import GoalInputs, goal_inputs
from toolkit.goals.levers import (
    DIRECTIONS,
    GRID_POINTS,
    OUTCOMES,
    SKILLS_LEVERS,
    SKILLS_OUTCOMES,
    _LeverSpec,
    check_outcome,
    lever_spec,
    parse_lever,
    with_lever,
)
from toolkit.population.project import MAX_DRAWS


class GoalUnreachable(InputError):
    """No lever value within the allowed range meets the target (or every value already does).

    Attributes
    ----------
    lever, outcome : what was sought
    low, high : the ends of the lever's range [scenario-file units]
    at_low, at_high : the outcome there [persons, jobs per year, or the quantile with a probability]
    already_met : True when the target is met at every value of the range (no value is needed)
    """

    def __init__(self, message: str, *, lever: str, outcome: str, low: float, high: float, at_low: float,
                 at_high: float, already_met: bool):
        super().__init__(message)
        self.lever, self.outcome, self.low, self.high = lever, outcome, low, high
        self.at_low, self.at_high, self.already_met = at_low, at_high, already_met



@dataclass(frozen=True)
class GoalResult:
    """The answer of :func:`goal_seek`, in scenario-file units.

    Attributes
    ----------
    region, scenario : area id and scenario id
    lever : lever name (``participation_change:55-64`` with its band)
    value : the lever value, rounded for the scenario file towards the side that meets the target
        [``unit``]; for a path lever its ``change`` or ``target`` (``form``), reached by ``path_year`` on
        ``shape``
    unit : the lever's unit
    outcome : outcome name; year : target year (the last of ``period``); target : the target [persons or jobs
        per year]
    achieved : the outcome at ``value`` (with a probability: its quantile that the probability refers to;
        over a period: the lowest value for ``>=``, the highest for ``<=``)
    direction : ``>=``, ``<=`` or ``=``; period : (first, last) year, or ``None`` for one year
    exact : the root before rounding; current : the scenario's own value of the lever (``None`` for a trend)
    probability : the wanted probability (``None``: deterministic); share_met : share of the draws that meet
        the target at ``value``; draws, seed : the ensemble
    form : ``change``, ``target`` or ``value``; path_year, shape, migration_unit : of a path lever
    increasing : True when larger lever values meet the target (the outcome rises with the lever)
    """

    region: str
    scenario: str
    lever: str
    value: float
    unit: str
    outcome: str
    year: int
    target: float
    achieved: float
    direction: str = ">="
    period: tuple[int, int] | None = None
    exact: float = math.nan
    current: float | None = None
    probability: float | None = None
    share_met: float | None = None
    draws: int = 0
    seed: int = 0
    form: str = "value"
    path_year: int | None = None
    shape: str | None = None
    migration_unit: str | None = None
    band: str | None = None
    increasing: bool = True
    other_bands: tuple[tuple[str, float], ...] = ()

    def scenario_snippet(self) -> str:
        """The lever's line for the ``levers:`` block of the scenario file (YAML, one line).

        A path lever keeps the scenario's own year, shape and unit; ``participation_change`` keeps the
        scenario's other bands.
        """
        name = self.lever.split(":")[0]
        if name == "tfr":
            value: Any = {self.form: self.value, "year": self.path_year, "shape": self.shape}
        elif name == "additional_net_migration":
            value = {"change": self.value, "year": self.path_year, "shape": self.shape, "unit": self.migration_unit}
        elif name == "e0_gain_per_decade":
            value = {"F": self.value, "M": self.value}
        elif name == "participation_change":
            value = {**dict(self.other_bands), self.band: self.value}
        else:
            value = self.value
        if not isinstance(value, dict):
            return f"{name}: {value!r}"
        text = yaml.safe_dump({name: value}, default_flow_style=None, sort_keys=False, width=1000).strip()
        return text.replace(f"{name}:\n  ", f"{name}: ")

    def to_dict(self) -> dict:
        """JSON-ready fields (the period as a list)."""
        out = asdict(self)
        out["period"] = list(self.period) if self.period else None
        out["other_bands"] = dict(self.other_bands)
        out["scenario_snippet"] = self.scenario_snippet()
        return out



def _years(inputs: GoalInputs, year, period, direction: str) -> tuple[int, tuple[int, int] | None, np.ndarray]:
    years = inputs.years
    if period is not None:
        first, last = (int(p) for p in period)
        if direction == "=":
            raise InputError("a target over a period needs a direction '>=' or '<=' (every year at least or at "
                             "most the target), not '='")
        if year is not None and not first <= int(year) <= last:
            raise InputError(f"year {year} is outside the period {first}-{last}")
    else:
        if year is None:
            raise InputError("give a target year or a period")
        first = last = int(year)
    if not years[1] <= first <= last <= years[-1]:
        raise InputError(f"target years {first}-{last} are outside the projected years {years[1]}-{years[-1]}")
    return last, ((first, last) if period is not None else None), (years >= first) & (years <= last)


def _reduce(values: np.ndarray, mask: np.ndarray, direction: str) -> np.ndarray:
    """Outcome over the target years: the lowest for '>=', the highest for '<=' (the binding year)."""
    chosen = values[..., mask]
    return chosen.max(-1) if direction == "<=" else chosen.min(-1)


def goal_seek(region, scenario, lever: str, outcome: str, year: int | None, target: float, *,
              direction: str = ">=", period: tuple[int, int] | None = None, probability: float | None = None,
              draws: int = 0, seed: int = 0, inputs: GoalInputs | None = None, horizon: int = 2050) -> GoalResult:
    """The value of one lever that makes an outcome meet a target, the scenario's other levers unchanged.

    Parameters
    ----------
    region : area id or code; scenario : scenario id, path or object (ignored when ``inputs`` is given)
    lever : one of :data:`LEVERS`; ``participation_change:A-B`` names the age band (default 55-64)
    outcome : one of :data:`OUTCOMES` (a ``population_group`` label [persons], ``labour_balance`` [persons],
        ``job_openings`` [jobs per year])
    year : target year (``None`` with a ``period``)
    target : the target value [persons or jobs per year]
    direction : ``>=`` (at least), ``<=`` (at most) or ``=`` (exactly)
    period : (first, last): the target holds in every year of the period
    probability : with ``draws``, the probability in (0, 1) with which the target is met
    draws, seed : ensemble size and seed (default 500 draws when a probability is given)
    inputs : preloaded :func:`goal_inputs` (fast repeated calls, e.g. the explorer)
    horizon : last projected year when ``inputs`` is not given

    Returns
    -------
    GoalResult

    Raises
    ------
    GoalUnreachable
        if no value in the lever's allowed range meets the target, or every value already does.
    InputError
        unknown lever or outcome, a lever that does not move the outcome, a probability outside (0, 1).
    """
    if direction not in DIRECTIONS:
        raise InputError(f"direction {direction!r}; allowed: {', '.join(DIRECTIONS)}")
    if outcome not in OUTCOMES:
        raise InputError(f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}")
    parse_lever(lever)
    check_outcome(outcome, lever)
    if isinstance(target, bool) or not isinstance(target, int | float | np.number) or not math.isfinite(target):
        raise InputError(f"target must be a finite number, got {target!r}")
    if probability is not None:
        if isinstance(probability, bool) or not isinstance(probability, int | float) or not 0 < probability < 1:
            raise InputError(f"probability must lie strictly between 0 and 1, got {probability!r}")
        if direction == "=":
            raise InputError("a probability needs a direction '>=' or '<=' (met with probability P), not '='")
        draws = draws or 500
        if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or not 10 <= draws <= MAX_DRAWS:
            raise InputError(f"draws must be a whole number in 10..{MAX_DRAWS} with a probability, got {draws!r}")
    if inputs is None:
        if outcome in SKILLS_OUTCOMES or lever.split(":")[0] in SKILLS_LEVERS:
            inputs = goal_inputs(region, scenario, horizon=max(horizon, int(year or period[1])))
        else:
            inputs = goal_inputs(region, scenario, horizon=max(horizon, int(year or period[1])), skills=False)
    year, period, mask = _years(inputs, year, period, direction)
    spec = lever_spec(inputs, lever)
    target = float(target)
    target_years = inputs.years[mask]

    def deterministic(values: np.ndarray) -> np.ndarray:
        return _reduce(evaluate(inputs, lever, values, outcome, target_years), mask, direction) - target

    grid = np.linspace(spec.low, spec.high, GRID_POINTS)
    gaps = deterministic(grid)  # one engine call over the grid
    if probability is None:
        objective = deterministic
        exact, increasing = _root(objective, grid, gaps, spec, direction, outcome, target, probability)
    else:
        level = 1.0 - probability if direction == ">=" else probability

        seen: dict[float, float] = {}  # every evaluation runs all draws: brentq's end points are known already

        def gap(value: float) -> float:
            if value not in seen:
                drawn = _reduce(evaluate_drawn(inputs, lever, value, outcome, draws, seed, target_years), mask,
                                direction)
                seen[value] = float(np.quantile(drawn, level)) - target
            return seen[value]

        def objective(values: np.ndarray) -> np.ndarray:
            return np.array([gap(float(v)) for v in values])

        exact, increasing = _root_drawn(objective, grid, gaps, spec, direction, outcome, target, probability)
    value = _rounded(exact, spec, direction, increasing)
    share = None
    if probability is None:
        achieved = float(objective(np.array([value]))[0] + target)
    else:  # one run of the draws gives both the quantile and the share that meets the target
        drawn = _reduce(evaluate_drawn(inputs, lever, value, outcome, draws, seed, target_years), mask, direction)
        achieved = float(np.quantile(drawn, level))
        share = float(np.mean(drawn >= target if direction == ">=" else drawn <= target))
    return GoalResult(
        region=inputs.base.region.id, scenario=inputs.scenario.id, lever=spec.label, value=value, unit=spec.unit,
        outcome=outcome, year=year, target=target, achieved=achieved, direction=direction, period=period,
        exact=float(exact), current=spec.current, probability=probability, share_met=share,
        draws=int(draws) if probability is not None else 0, seed=int(seed), form=spec.form,
        path_year=spec.path_year, shape=spec.shape, migration_unit=spec.migration_unit, band=spec.band,
        increasing=increasing, other_bands=spec.other_bands)


def _root(objective, grid: np.ndarray, gaps: np.ndarray, spec: _LeverSpec, direction: str, outcome: str,
          target: float, probability) -> tuple[float, bool]:
    """Bracket the crossing of zero on the grid, refine with brentq; GoalUnreachable without a crossing."""
    if not np.isfinite(gaps).all():
        raise InputError(f"lever {spec.label}: the outcome {outcome} is not finite over the range "
                         f"{spec.low:g}..{spec.high:g}")
    if gaps[-1] == gaps[0]:
        raise GoalUnreachable(
            f"lever {spec.label} does not change {outcome} (it stays at {gaps[0] + target:,.0f} over the whole "
            f"range {spec.low:g}..{spec.high:g} {spec.unit}); choose another lever",
            lever=spec.label, outcome=outcome, low=spec.low, high=spec.high, at_low=float(gaps[0] + target),
            at_high=float(gaps[-1] + target), already_met=False)
    signs = np.sign(gaps)
    crossings = np.flatnonzero((signs[:-1] * signs[1:] <= 0) & ~((signs[:-1] == 0) & (signs[1:] == 0)))
    if crossings.size == 0:
        met = bool(gaps.min() >= 0) if direction == ">=" else bool(gaps.max() <= 0) if direction == "<=" else False
        what = (f"with probability {probability:g} " if probability is not None else "")
        verb = {">=": "at least", "<=": "at most", "=": "exactly"}[direction]
        state = "every value already meets" if met else "no value reaches"
        raise GoalUnreachable(
            f"lever {spec.label}: {state} the target {outcome} {verb} {target:,.0f} {what}within the allowed range "
            f"{spec.low:g}..{spec.high:g} {spec.unit} ({outcome} is {gaps[0] + target:,.0f} at {spec.low:g} and "
            f"{gaps[-1] + target:,.0f} at {spec.high:g})",
            lever=spec.label, outcome=outcome, low=spec.low, high=spec.high, at_low=float(gaps[0] + target),
            at_high=float(gaps[-1] + target), already_met=met)
    # the crossing nearest the scenario's own value (one crossing when the outcome is monotone in the lever)
    reference = spec.current if spec.current is not None else 0.5 * (spec.low + spec.high)
    i = crossings[np.argmin(np.abs(0.5 * (grid[crossings] + grid[crossings + 1]) - reference))]
    if gaps[i] == 0:
        return float(grid[i]), bool(gaps[i + 1] >= gaps[i])
    if gaps[i + 1] == 0:
        return float(grid[i + 1]), bool(gaps[i + 1] >= gaps[i])
    xtol = (spec.high - spec.low) * 1e-7
    root = brentq(lambda v: float(objective(np.array([v]))[0]), grid[i], grid[i + 1], xtol=xtol)
    return float(root), bool(gaps[i + 1] > gaps[i])


def _root_drawn(objective, grid: np.ndarray, gaps: np.ndarray, spec: _LeverSpec, direction: str, outcome: str,
                target: float, probability: float, max_steps: int = 12) -> tuple[float, bool]:
    """Root of the ensemble's quantile objective, bracketed from the deterministic answer by secant steps.

    Each evaluation runs every draw, so the bracket is not searched on a grid: it starts at the deterministic root
    (or the range's end nearest to it), steps along the slope of the deterministic outcome (the quantile moves
    with the central path), continues by secant steps until the sign changes, and brentq refines within it to a
    tenth of the lever's rounding step.
    """
    if gaps[-1] == gaps[0]:
        return _root(objective, grid, gaps, spec, direction, outcome, target, probability)
    try:
        start = _root(lambda v: np.interp(v, grid, gaps), grid, gaps, spec, direction, outcome, target, None)[0]
    except GoalUnreachable:
        start = float(grid[np.argmin(np.abs(gaps))])
    slope = float(np.interp(start, grid, np.gradient(gaps, grid)))
    if slope == 0:
        slope = (gaps[-1] - gaps[0]) / (grid[-1] - grid[0])
    a, ha = start, float(objective(np.array([start]))[0])
    step = -ha / slope
    for _ in range(max_steps):
        if ha == 0:
            return a, slope > 0
        b = float(np.clip(a + step, spec.low, spec.high))
        if b == a:  # at an end of the range, still on the same side
            ends = np.array([spec.low, spec.high])
            return _root(objective, ends, objective(ends), spec, direction, outcome, target, probability)
        hb = float(objective(np.array([b]))[0])
        if np.sign(hb) != np.sign(ha):
            low, high = sorted((a, b))
            root = brentq(lambda v: float(objective(np.array([v]))[0]), low, high, xtol=spec.rounding / 10)
            return float(root), (hb - ha) / (b - a) > 0
        secant = -hb * (b - a) / (hb - ha) if hb != ha else step
        # keep going the same way, at least half again as far as the last step
        step = secant if secant * step > 0 and abs(secant) >= 1.5 * abs(step) else 1.5 * step
        a, ha = b, hb
    ends = np.array([spec.low, spec.high])
    return _root(objective, ends, objective(ends), spec, direction, outcome, target, probability)


def _rounded(value: float, spec: _LeverSpec, direction: str, increasing: bool) -> float:
    """Round to the lever's step towards the side that meets the target, within the range."""
    step = spec.rounding
    if direction == "=":
        rounded = round(value / step) * step
    else:
        up = increasing == (direction == ">=")
        rounded = (math.ceil(value / step - 1e-9) if up else math.floor(value / step + 1e-9)) * step
    decimals = max(0, -int(math.floor(math.log10(step))))
    return float(round(min(max(rounded, spec.low), spec.high), decimals))


def trade_off(region, scenario, lever_x: str, values_x: Sequence[float], lever_y: str, outcome: str,
              year: int | None, target: float, *, direction: str = ">=", period=None, probability=None,
              draws: int = 0, seed: int = 0, inputs: GoalInputs | None = None) -> pd.DataFrame:
    """Two levers at once: for each value of ``lever_x``, the value of ``lever_y`` that meets the target.

    Returns
    -------
    DataFrame with columns ``lever_x`` values, ``lever_y`` values (NaN where no value in its range meets the
    target), ``achieved`` and ``reached`` (bool); the lever names are in ``attrs``.
    """
    if inputs is None:
        inputs = goal_inputs(region, scenario)
    name_x, name_y = parse_lever(lever_x)[0], parse_lever(lever_y)[0]
    if name_x == name_y:
        raise InputError(f"trade_off needs two different levers, got {lever_x!r} twice")
    rows = []
    region_id = inputs.base.region.id
    for x in values_x:
        varied = replace(inputs, scenario=with_lever(inputs.scenario, region_id, lever_x, float(x)), _cache={})
        try:
            answer = goal_seek(None, None, lever_y, outcome, year, target, direction=direction, period=period,
                               probability=probability, draws=draws, seed=seed, inputs=varied)
            rows.append((float(x), answer.value, answer.achieved, True))
        except GoalUnreachable as error:
            rows.append((float(x), math.nan, error.at_high if error.already_met else math.nan, False))
    table = pd.DataFrame(rows, columns=[lever_x, lever_y, "achieved", "reached"])
    table.attrs.update(lever_x=lever_x, lever_y=lever_y, outcome=outcome, year=year, target=target)
    return table


def solve_for(inputs: GoalInputs, lever: str, outcome: str, year: int, target: float, *,
              direction: str = ">=") -> float:
    """The slider value of the explorer's "solve for" control: :func:`goal_seek` on preloaded inputs.

    ``inputs`` are those of the explorer's current area and scenario levers (:func:`goal_inputs` with a
    Scenario built from the sliders); returns the lever value in scenario-file units. Raises
    :class:`GoalUnreachable` (an InputError) with the message to show when the range cannot reach it.
    """
    return goal_seek(None, None, lever, outcome, year, target, direction=direction, inputs=inputs).value

