"""Scenario files: the schema, the shipped scenarios, overrides, and levers realised as yearly paths."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.errors import InputError
from toolkit.scenarios import (
    JumpOff,
    LeverOverrides,
    Levers,
    MigrationPath,
    available_scenarios,
    load_scenario,
    parse_scenario,
)

YEARS = np.arange(2025, 2041)
JUMP_OFF = JumpOff(base_year=2025, tfr=1.3, e0=np.array([84.0, 79.0]), e0_year=2023, population=50_000.0,
                   tfr_trend=lambda years: np.full(len(years), 1.25),
                   e0_trend_gain=lambda years: np.stack([0.1 * (years - 2023), 0.2 * (years - 2023)], axis=-1))
TEXTS = "{fi: a, sv: b, en: c}"


def scenario_text(levers: str = "{}") -> str:
    return f"id: test\nname: {TEXTS}\nnarrative: {TEXTS}\njustification: why\nlevers: {levers}\n"


def test_shipped_scenarios_load_with_baseline_and_no_migration_first():
    ids = available_scenarios()
    assert ids[:2] == ["baseline", "no-migration"] and len(ids) >= 6
    for scenario_id in ids:
        scenario = load_scenario(scenario_id)
        assert scenario.id == scenario_id and len(scenario.sha256) == 64
        for lang in ("fi", "sv", "en"):
            assert scenario.name[lang] and scenario.narrative[lang]


def test_a_linear_tfr_path_reaches_its_target_in_its_year_and_holds():
    levers = Levers.model_validate({"tfr": {"target": 1.6, "year": 2030}})
    paths = levers.paths(JUMP_OFF, YEARS)
    assert paths.tfr[0] == pytest.approx(1.3)
    np.testing.assert_allclose(paths.tfr[:6], np.linspace(1.3, 1.6, 6))
    np.testing.assert_allclose(paths.tfr[5:], 1.6)


def test_a_logistic_path_starts_and_ends_where_the_linear_one_does_but_moves_slowly_first():
    linear = Levers.model_validate({"tfr": {"change": 0.4, "year": 2035}}).paths(JUMP_OFF, YEARS).tfr
    logistic = Levers.model_validate({"tfr": {"change": 0.4, "year": 2035, "shape": "logistic"}}).paths(
        JUMP_OFF, YEARS).tfr
    assert logistic[0] == pytest.approx(linear[0]) and logistic[10] == pytest.approx(linear[10])
    assert logistic[2] < linear[2]


def test_the_damped_trend_continues_the_countrys_recent_slope_and_levels_off():
    """1.30 in 2025 after 1.37 in 2020: the yearly log change s = ln(1.30 / 1.37) / 5; k years ahead the area's
    TFR is its own 1.2 times exp(s · (0.6 + 0.6² + ... + 0.6^k)), levelling off at exp(1.5 s)."""
    history = pd.Series(np.log([1.37, 1.46, 1.32, 1.26, 1.25, 1.30]), index=range(2020, 2026))
    jump_off = replace(JUMP_OFF, tfr=1.2, national_log_tfr=history)
    tfr = Levers.model_validate({"tfr": {"damped_trend": True}}).paths(jump_off, YEARS).tfr
    slope = np.log(1.30 / 1.37) / 5
    assert tfr[0] == pytest.approx(1.2)
    assert tfr[1] == pytest.approx(1.2 * np.exp(0.6 * slope))
    assert tfr[2] == pytest.approx(1.2 * np.exp((0.6 + 0.36) * slope))
    assert tfr[-1] == pytest.approx(1.2 * np.exp(1.5 * slope), rel=1e-3) and np.all(np.diff(tfr) < 0)
    held = Levers.model_validate({"tfr": {"damped_trend": True, "damping": 0.0}}).paths(jump_off, YEARS).tfr
    np.testing.assert_allclose(held, 1.2)


def test_the_damped_trend_names_the_missing_years_and_its_bounds():
    history = pd.Series(np.log([1.46, 1.32, 1.26, 1.25, 1.30]), index=range(2021, 2026))
    lever = Levers.model_validate({"tfr": {"damped_trend": True, "window": 5}})
    with pytest.raises(InputError, match=r"damped_trend needs the country's TFR in 2020 and 2025 \(window 5\); "
                                         r"the data have the country's TFR for 2021\.\.2025"):
        lever.paths(replace(JUMP_OFF, national_log_tfr=history), YEARS)
    with pytest.raises(InputError, match="no national TFR series"):
        lever.paths(JUMP_OFF, YEARS)
    with pytest.raises(InputError, match="damping"):
        parse_scenario(scenario_text("{tfr: {damped_trend: true, damping: 1.2}}"), Path("bad.yaml"))


def test_trend_levers_follow_the_fitted_trend_after_the_base_year():
    paths = Levers().paths(JUMP_OFF, YEARS)
    assert paths.tfr[0] == 1.3 and np.all(paths.tfr[1:] == 1.25)
    np.testing.assert_allclose(paths.e0[:, 0], 84.0 + 0.1 * (YEARS - 2023))
    np.testing.assert_allclose(paths.e0[:, 1], 79.0 + 0.2 * (YEARS - 2023))


def test_e0_gains_per_decade_accrue_from_the_year_of_the_observed_e0():
    paths = Levers.model_validate({"e0_gain_per_decade": {"F": 1.0, "M": 2.0}}).paths(JUMP_OFF, YEARS)
    np.testing.assert_allclose(paths.e0[YEARS == 2033][0], [85.0, 81.0])


def test_additional_migrants_per_1000_are_persons_of_the_base_population():
    per_1000 = Levers.model_validate({"additional_net_migration": {"change": 2.0, "year": 2027}})
    persons = Levers.model_validate({"additional_net_migration": {"change": 100.0, "year": 2027, "unit": "persons"}})
    np.testing.assert_allclose(per_1000.paths(JUMP_OFF, YEARS).extra, persons.paths(JUMP_OFF, YEARS).extra)
    assert per_1000.paths(JUMP_OFF, YEARS).extra[-1] == pytest.approx(100.0)
    assert MigrationPath(change=1.0, year=2030).persons_per_unit(50_000.0) == 50.0


def test_merged_overrides_merge_dict_levers_key_by_key():
    base = Levers.model_validate({"participation_change": {"55-64": 2.0}, "industry_growth": {"C": 1.0}})
    merged = base.merged(LeverOverrides.model_validate({"industry_growth": {"Q": 2.0}, "retirement_age_shift": 1}))
    assert merged.industry_growth == {"C": 1.0, "Q": 2.0} and merged.participation_change == {"55-64": 2.0}
    assert merged.retirement_age_shift == 1.0


@pytest.mark.parametrize("levers, match", [
    ("{tfr: {target: 9, year: 2030}}", r"levers\.tfr\.target"),
    ("{tfr: {year: 2030}}", "exactly one of 'target'"),
    ("{unknown_lever: 1}", r"levers\.unknown_lever"),
    ("{additional_net_migration: {change: 80, year: 2030}}", "per 1,000 is outside"),
    ("{migration_rate_scale: .nan}", "migration_rate_scale"),
])
def test_bad_levers_name_the_key_path(tmp_path, levers, match):
    with pytest.raises(InputError, match=match):
        parse_scenario(scenario_text(levers), tmp_path / "test.yaml")


def test_yaml_tags_and_non_mappings_are_refused(tmp_path):
    with pytest.raises(InputError, match="not valid YAML"):
        parse_scenario("!!python/object:os.system {}\n", tmp_path / "x.yaml")
    with pytest.raises(InputError, match="must be a mapping"):
        parse_scenario("- a\n- b\n", tmp_path / "x.yaml")


def test_unknown_region_block_is_refused(tmp_path):
    with pytest.raises(InputError, match="unknown region id 'atlantis'"):
        parse_scenario(scenario_text() + "regions: {atlantis: {retirement_age_shift: 1}}\n", tmp_path / "x.yaml")


def test_a_scenario_file_by_path_and_a_changed_file_is_read_again(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(scenario_text("{retirement_age_shift: 1}"), encoding="utf-8")
    assert load_scenario(path).levers.retirement_age_shift == 1.0
    path.write_text(scenario_text("{retirement_age_shift: 2.5}"), encoding="utf-8")
    assert load_scenario(path).levers.retirement_age_shift == 2.5


def test_yaml_reader_gives_the_pure_python_parsers_values_and_lines():
    """The reader's (libyaml) parser reads every shipped YAML file as PyYAML's own parser with the same exponent
    rule does, and a syntax error still names its line."""
    import re

    import yaml

    from toolkit.io.yamlfiles import parse_yaml

    class Reference(yaml.SafeLoader):
        pass

    Reference.add_implicit_resolver("tag:yaml.org,2002:float",
                                    re.compile(r"^[-+]?(\d[\d_]*(\.[\d_]*)?|\.\d+)[eE][-+]?\d+$"),
                                    list("-+0123456789."))
    root = Path(__file__).resolve().parents[1]
    files = [path for folder in ("params", "scenarios", "toolkit/text") for path in (root / folder).rglob("*.yaml")]
    assert len(files) >= 20
    for path in files:
        raw = path.read_bytes()
        assert parse_yaml(raw, path) == yaml.load(raw, Loader=Reference), path  # noqa: S506 - a SafeLoader
    assert parse_yaml("a: 1e9\nb: -2.5E-3\nc: '1e9'\n", "x.yaml") == {"a": 1e9, "b": -2.5e-3, "c": "1e9"}
    with pytest.raises(InputError, match=r"x\.yaml, line 2: not valid YAML \(mapping values are not allowed"):
        parse_yaml("a: 1\nb: c: d\n", "x.yaml")


@pytest.mark.parametrize("scenario_id,levers", [("no-migration", ("tfr", "e0_gain_per_decade")),
                                                ("green-transition", ("tfr", "e0_gain_per_decade")),
                                                ("remote-work", ("e0_gain_per_decade",))])
def test_scenarios_that_say_they_take_the_baselines_levers_do(scenario_id, levers):
    """Their justifications say that fertility or mortality are the baseline's: the lever values are equal."""
    baseline, scenario = load_scenario("baseline"), load_scenario(scenario_id)
    for name in levers:
        assert getattr(scenario.levers, name) == getattr(baseline.levers, name)
    assert "baseline's" in scenario.justification
