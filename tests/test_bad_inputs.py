"""The bad-input corpus: generated cases, each a clean refusal (exit 2, one line naming the field and what is
allowed, no traceback, no file written or changed). See :mod:`tests.badinputs`."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from tests.badinputs import assert_refused, scenario_file
from toolkit.errors import InputError
from toolkit.scenarios import E0_RANGE, TFR_RANGE, JumpOff, Levers

# ---------------------------------------------------------------------------------------------- extreme levers

# (lever block, horizon, what the message must name): every path leaves the physical range in some year
EXTREME_LEVERS = {
    "tfr-change-negative": ("tfr: {change: -2.0, year: 2026}", 2030, ["tfr", "2026", "-0.67", "0.5..4"]),
    "tfr-change-below-half": ("tfr: {change: -1.0, year: 2040}", 2045, ["tfr", "0.5..4"]),
    "tfr-change-logistic": ("tfr: {change: -0.9, year: 2030, shape: logistic}", 2030,
                            ["tfr", "0.47", "2029", "0.5..4"]),
    "e0-gain-to-2125": ("e0_gain_per_decade: {F: 5, M: 5}", 2125, ["e0_gain_per_decade (F)", "40..100"]),
    "e0-gain-men-to-2125": ("e0_gain_per_decade: {F: 0, M: 3}", 2125, ["e0_gain_per_decade (M)", "40..100"]),
}
PLACES = {
    "top-level": "levers:\n  {block}\n",
    "region-block": "levers:\n  tfr: {{target: 1.5, year: 2040}}\nregions:\n  kainuu:\n    {block}\n",
}


@pytest.mark.parametrize(("case", "place"), list(itertools.product(EXTREME_LEVERS, PLACES)))
def test_extreme_lever_is_refused_before_projecting(capsys, tmp_path, case, place):
    block, horizon, names = EXTREME_LEVERS[case]
    path = scenario_file(tmp_path, "extreme", PLACES[place].format(block=block))
    out = tmp_path / "out"
    out.mkdir()
    assert_refused(capsys, ["project", "--region", "kainuu", "--scenario", path, "--horizon", horizon,
                            "--out", out / "run.csv"], str(path), "region kainuu", "levers:", *names, watch=(out,))


def test_extreme_lever_is_refused_with_draws(capsys, tmp_path):
    path = scenario_file(tmp_path, "extreme", PLACES["top-level"].format(block="tfr: {change: -2.0, year: 2026}"),
                         uncertainty=True)
    out = tmp_path / "out"
    out.mkdir()
    assert_refused(capsys, ["project", "--region", "kainuu", "--scenario", path, "--horizon", 2030, "--draws", 5,
                            "--out", out / "run.nc"], "tfr", "-0.67", watch=(out,))


def _jump_off(tfr=1.3, e0=(84.0, 79.0)):
    return JumpOff(base_year=2025, tfr=tfr, e0=np.array(e0), e0_year=2024, population=70_000.0,
                   tfr_trend=lambda years: np.full(len(years), tfr),
                   e0_trend_gain=lambda years: np.zeros((len(years), 2)))


# a grid of lever values: every path is checked against the physical range year by year
GRID = list(itertools.product([-2.0, -0.9, -0.5, 0.0, 1.0, 2.0], [-3.0, -1.0, 0.0, 2.0, 5.0], [2060, 2125]))


@pytest.mark.parametrize(("tfr_change", "e0_gain", "horizon"), GRID)
def test_lever_paths_stay_physical_or_are_refused(tfr_change, e0_gain, horizon):
    levers = Levers.model_validate({"tfr": {"change": tfr_change, "year": 2035},
                                    "e0_gain_per_decade": {"F": e0_gain, "M": e0_gain}})
    years = np.arange(2025, horizon + 1)
    tfr_end = 1.3 + tfr_change
    e0_end = np.array([84.0, 79.0]) + e0_gain * (horizon - 2024) / 10
    inside = TFR_RANGE[0] <= tfr_end <= TFR_RANGE[1] and ((E0_RANGE[0] <= e0_end) & (e0_end <= E0_RANGE[1])).all()
    if inside:
        paths = levers.paths(_jump_off(), years)
        assert np.all(paths.tfr >= TFR_RANGE[0]) and np.all(np.isfinite(paths.e0))
    else:
        with pytest.raises(InputError, match=r"levers: (tfr|e0_gain_per_decade \([FM]\): e0): the path reaches "):
            levers.paths(_jump_off(), years)


def test_life_table_scaling_that_cannot_converge_is_an_input_error():
    from toolkit.population.lifetable import reachable_e0, solve_scale

    pattern = np.tile(np.linspace(0.001, 0.5, 101), (2, 1))
    low, high = reachable_e0(pattern)[0]
    assert 0 < low < high
    with np.errstate(all="ignore"):
        with pytest.raises(InputError, match="cannot be reached by scaling"):
            solve_scale(pattern, np.array([True, False]), np.array([-1.0, 80.0]))
        with pytest.raises(InputError, match="cannot be reached by scaling"):  # all-zero death rates
            solve_scale(np.zeros((2, 101)), np.array([True, False]), np.array([80.0, 80.0]))


def test_zero_person_years_survive_with_ratio_zero_not_nan():
    from toolkit.population.ccm import survival_ratios

    lx = np.array([1.0, 0.9, 0.5, 0.0, 0.0, 0.0])
    ratios, open_ratio = survival_ratios(lx)
    assert np.all(np.isfinite(ratios)) and ratios[-1] == 0.0 and open_ratio == 0.0


def test_nan_never_reaches_an_output_file(tmp_path):
    import xarray as xr

    from toolkit.io.results import write_dataset

    ds = xr.Dataset({"population": (("year", "age"), np.array([[1.0, 2.0], [np.nan, 1.0]]))},
                    coords={"year": [2025, 2026], "age": [0, 1]})
    for suffix in (".nc", ".csv"):
        with pytest.raises(InputError, match=r"population is nan at year=2026, age=0"):
            write_dataset(ds, tmp_path / f"run{suffix}")
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------- bounded resources

RUNS = {  # argv, words of the message: each refused before any projection, with the estimate and an option
    "draws-kept-csv": (["project", "--region", "kainuu", "--draws", 100_000, "--no-quantiles"],
                       ["draws 100000", "GB of memory", "available", "--quantiles", "draws"]),
    "draws-kept-all-areas": (["project", "--all", "--scenario", "baseline", "--draws", 50_000, "--no-quantiles"],
                             ["draws 50000", "--quantiles"]),
    "draws-over-limit": (["project", "--region", "kainuu", "--draws", 100_000_000], ["draws", "0..100000"]),
    "render-draws-over-limit": (["render", "--region", "kainuu", "--draws", 100_000_000], ["draws", "0..100000"]),
}


@pytest.mark.parametrize("case", list(RUNS))
def test_run_beyond_the_machine_is_refused_before_any_work(capsys, tmp_path, case):
    argv, words = RUNS[case]
    out = tmp_path / "out"
    out.mkdir()
    target = ["--out", out / "packs"] if argv[0] == "render" else ["--out", out / "run.csv"]
    assert_refused(capsys, argv + target, *words, watch=(out,))
    assert list(out.iterdir()) == []  # no pack folder, no staging folder: no kernel was started


def test_memory_estimate_follows_the_shape_and_offers_what_fits():
    from toolkit.population.resources import check_memory, run_memory

    cells = 26 * 2 * 101
    assert run_memory(2000, cells, False) == 2000 * cells * 64
    assert run_memory(2000, cells, False, output=".csv") == 2000 * cells * (64 + 850)
    assert run_memory(2000, cells, True) < run_memory(2000, cells, False) / 10
    assert check_memory(100, cells, False, 1, available=10**10) == 100 * cells * 64
    # 20,000 draws × 31,512 cells (6 × 26 years × 202) × 64 bytes; 0.8 GB / (31,512 × 64 bytes) = 396 draws
    with pytest.raises(InputError, match=r"about 40\.3 GB .* but 1\.0 GB are available; use --quantiles \(about "
                                         r"0\.2 GB\) or at most 396 draws"):
        check_memory(20_000, cells * 6, False, 1, available=10**9)
    # every municipality with quantiles (309 × 6 scenarios × 26 years × 202): measured 1,826-1,854 MB at 100-1,000
    # draws, of which about 380 MB is the process's fixed part, which the estimate leaves out
    municipal = 309 * 6 * cells
    assert 1.3e9 < run_memory(100, municipal, True, 2) < run_memory(1000, municipal, True, 2) < 1.6e9


# ---------------------------------------------------------------------------------------------- override files

OVERRIDES = {  # file name, content, words of the message
    "unknown-scenario-key": ("kainuu.yaml", "baselin:\n  tfr: {target: 1.5, year: 2040}\n",
                             ["override file", "key 'baselin'", "allowed:", "baseline", "all"]),
    "integer-key": ("kainuu.yaml", "1:\n  tfr: {target: 1.5, year: 2040}\n", ["override file", "key 1"]),
    "file-named-by-code": ("MK18.yaml", "all:\n  tfr: {target: 1.5, year: 2040}\n",
                           ["override file", "MK18.yaml", "'kainuu'"]),
    "file-name-typo": ("kainu.yaml", "all:\n  tfr: {target: 1.5, year: 2040}\n", ["override file", "kainu.yaml"]),
    "yml-suffix": ("kainuu.yml", "all:\n  tfr: {target: 1.5, year: 2040}\n", ["override file", "kainuu.yml"]),
    "lever-out-of-range": ("kainuu.yaml", "baseline:\n  tfr: {target: 9, year: 2040}\n",
                           ["override file", "kainuu.yaml: baseline: tfr.target", "less than or equal to 4"]),
    "unknown-lever": ("kainuu.yaml", "all:\n  tfrr: {target: 1.5, year: 2040}\n",
                      ["override file", "all: tfrr", "Extra inputs"]),
    "not-a-mapping": ("kainuu.yaml", "- baseline\n", ["override file", "mapping of scenario ids"]),
    "extreme-path": ("kainuu.yaml", "all:\n  tfr: {change: -2.0, year: 2026}\n", ["tfr", "-0.67", "0.5..4"]),
}


@pytest.mark.parametrize("case", list(OVERRIDES))
def test_override_file_mistakes_are_refused(capsys, tmp_path, monkeypatch, case):
    from tests.badinputs import params_copy

    name, content, words = OVERRIDES[case]
    folder = params_copy(tmp_path, monkeypatch)
    (folder / "overrides").mkdir()
    (folder / "overrides" / name).write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    assert_refused(capsys, ["project", "--region", "kainuu", "--scenario", "baseline", "--horizon", 2030,
                            "--out", out / "run.csv"], *words, watch=(out, folder))


def test_scenario_block_of_an_override_file_wins_over_all(tmp_path, monkeypatch):
    from tests.badinputs import params_copy
    from toolkit.scenarios import load_scenario

    folder = params_copy(tmp_path, monkeypatch)
    (folder / "overrides").mkdir()
    (folder / "overrides" / "kainuu.yaml").write_text(
        "baseline:\n  tfr: {target: 1.8, year: 2040}\nall:\n  tfr: {target: 1.2, year: 2040}\n"
        "  migration_rate_scale: 0.5\n", encoding="utf-8")
    levers = load_scenario("baseline").levers_for("kainuu")
    assert levers.tfr.target == 1.8 and levers.migration_rate_scale == 0.5  # own block wins; `all` fills the rest
    assert load_scenario("vitality").levers_for("kainuu").tfr.target == 1.2
    assert load_scenario("baseline").levers_for("raahe").migration_rate_scale == 1.0


def test_exponent_numbers_are_numbers(capsys, tmp_path):
    path = scenario_file(tmp_path, "huge", "levers:\n  additional_net_migration: {change: -1.0e9, year: 2030, "
                                           "unit: persons}\n")
    assert_refused(capsys, ["project", "--region", "kainuu", "--scenario", path, "--out", tmp_path / "r.csv"],
                   "additional_net_migration.change", "greater than or equal to -100000", "-1000000000.0")
