"""The live explorer's widget logic, without a kernel: levers → model input → figure data, reset, save."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import xarray as xr
import yaml

from toolkit.cli import voila_command
from toolkit.errors import InputError
from toolkit.explorer import CURRENT, Explorer
from toolkit.explorer.app import ENV_REGION, PYRAMID_BOTTOM, TABS, side_by_side
from toolkit.explorer.runs import baseline_population, baseline_skills, participation_bounds, skills_run
from toolkit.indicators import population_measure
from toolkit.scenarios import LeverOverrides, load_scenario

REGION = "kainuu"


@pytest.fixture(scope="module")
def shared():
    """One explorer for the read-mostly tests; each test resets it first."""
    return Explorer(REGION, debounce=0)


@pytest.fixture
def explorer(shared):
    shared.reset()
    return shared


def _youngest_bars(explorer: Explorer, ages: int = 5) -> float:
    """Persons aged 0..ages-1 in the edited scenario's pyramid bars (women and men, traces 2 and 3)."""
    return float(sum(np.abs(np.asarray(explorer.figures["pyramid"].data[index].x[:ages])).sum()
                     for index in (2, 3)))


def _last(widget, trace: int) -> float:
    return float(np.asarray(widget.data[trace].y)[-1])


def test_starts_at_the_scenario(explorer):
    source = load_scenario("baseline").levers_for(REGION)
    assert explorer.levers == source
    run = explorer.run["population"].sel(region=REGION, scenario=CURRENT)
    base = baseline_population(REGION, 2050)["population"].sel(region=REGION, scenario="baseline")
    np.testing.assert_allclose(run.values, base.values)
    np.testing.assert_allclose(explorer.figures["population"].data[1].y, explorer.figures["population"].data[0].y)
    pyramid = explorer.figures["pyramid"].layout  # its year is the explorer's own slider: no room kept for another
    assert pyramid.sliders == () and pyramid.margin.b == PYRAMID_BOTTOM


def test_higher_tfr_means_more_births_in_youngest_bars(explorer):
    before = _youngest_bars(explorer)
    births = float(explorer.run["births"].sum())
    explorer.sliders["tfr"].value = 1.9
    assert explorer.levers.tfr.target == pytest.approx(1.9)
    assert float(explorer.run["births"].sum()) > births * 1.2
    assert _youngest_bars(explorer) > before * 1.2
    # the pyramid shows the edited run's numbers for the chosen year
    year = explorer.controls["year"].value
    women = explorer.run["population"].sel(region=REGION, scenario=CURRENT, year=year, sex="F").values
    np.testing.assert_allclose(explorer.figures["pyramid"].data[2].x, women)


def test_more_net_migration_means_larger_working_age_population(explorer):
    before = _last(explorer.figures["15-64"], 1)
    explorer.sliders["extra_migration"].value = 400.0
    lever = explorer.levers.additional_net_migration
    assert (lever.change, lever.unit) == (400.0, "persons")
    after = _last(explorer.figures["15-64"], 1)
    assert after > before + 1000
    run = explorer.run["population"].sel(region=REGION, scenario=CURRENT)
    assert after == pytest.approx(float(population_measure(run, "15-64")[-1]))
    assert _last(explorer.figures["15-64"], 0) == pytest.approx(before)  # baseline line unchanged


def test_life_expectancy_gain_raises_old_age_dependency(explorer):
    before = _last(explorer.figures["dependency"], 2)
    explorer.sliders["e0_F"].value = 3.0
    explorer.sliders["e0_M"].value = 3.0
    assert (explorer.levers.e0_gain_per_decade.F, explorer.levers.e0_gain_per_decade.M) == (3.0, 3.0)
    assert _last(explorer.figures["dependency"], 2) > before + 1.0


@pytest.mark.parametrize(
    ("slider", "value", "lever", "expected"),
    [
        ("participation_55-64", 10.0, "participation_change", {"55-64": 10.0}),
        ("participation_65-74", 8.0, "participation_change", {"65-74": 8.0}),
    ],
)
def test_participation_raises_supply_and_balance(explorer, slider, value, lever, expected):
    supply = float(explorer.skills["labour_supply"].isel(year=-1).sum())
    balance = _last(explorer.figures["balance"], 1)
    explorer.sliders[slider].value = value
    assert getattr(explorer.levers, lever) == expected
    assert float(explorer.skills["labour_supply"].isel(year=-1).sum()) > supply
    assert _last(explorer.figures["balance"], 1) > balance


def test_later_retirement_means_fewer_replacement_openings(explorer):
    openings = explorer.figures["openings"]
    replacement = float(np.sum(openings.data[3].x))
    assert float(np.sum(openings.data[1].x)) == pytest.approx(replacement)  # baseline = scenario at start
    explorer.sliders["retirement_age_shift"].value = 3.0
    assert explorer.levers.retirement_age_shift == 3.0
    assert float(np.sum(openings.data[3].x)) < 0.9 * replacement
    assert float(np.sum(openings.data[1].x)) == pytest.approx(replacement)  # the baseline's bars stay


def test_industry_growth_moves_only_the_picked_industry(explorer):
    explorer.controls["industry"].value = "J"
    explorer.sliders["industry_growth"].value = 5.0
    assert explorer.levers.industry_growth == {"J": 5.0}
    openings = explorer.figures["openings"]
    labels = list(openings.data[2].y)
    picked = [label for label in labels if label.startswith("J ")][0]
    expansion = dict(zip(labels, openings.data[2].x, strict=True))
    baseline = dict(zip(openings.data[0].y, openings.data[0].x, strict=True))
    assert expansion[picked] > baseline[picked] * 2
    # switching the picker shows that industry's value and does not change the levers
    explorer.controls["industry"].value = "C"
    assert explorer.sliders["industry_growth"].value == 0.0
    assert explorer.levers.industry_growth == {"J": 5.0}


def test_in_place_updates_match_freshly_drawn_figures(explorer):
    explorer.sliders["tfr"].value = 1.6
    explorer.sliders["extra_migration"].value = -300.0
    explorer.sliders["retirement_age_shift"].value = 1.5
    fresh = explorer._fresh_figures()
    for name, widget in explorer.figures.items():
        for drawn, expected in zip(widget.data, fresh[name].data, strict=True):
            for key in ("x", "y"):
                if isinstance(expected[key][0], str):
                    assert list(drawn[key]) == list(expected[key]), (name, key)
                else:
                    np.testing.assert_allclose(np.asarray(drawn[key], float), np.asarray(expected[key], float))


def test_figures_are_updated_not_replaced(explorer):
    widgets = dict(explorer.figures)
    traces = [id(trace) for widget in widgets.values() for trace in widget.data]
    explorer.sliders["tfr"].value = 1.1
    explorer.controls["lang"].value = "sv"
    explorer.controls["lang"].value = "fi"
    assert explorer.figures == widgets
    assert [id(trace) for widget in widgets.values() for trace in widget.data] == traces


def test_reset_restores_the_scenario(explorer):
    initial = {name: slider.value for name, slider in explorer.sliders.items()}
    population = np.asarray(explorer.figures["population"].data[1].y).copy()
    explorer.sliders["tfr"].value = 2.2
    explorer.sliders["retirement_age_shift"].value = 2.0
    explorer.reset_button.click()
    assert explorer.levers == load_scenario("baseline").levers_for(REGION)
    assert {name: slider.value for name, slider in explorer.sliders.items()} == initial
    np.testing.assert_allclose(explorer.figures["population"].data[1].y, population)


def test_scenario_picker_loads_its_levers(explorer):
    explorer.controls["scenario"].value = "vitality"
    try:
        vitality = load_scenario("vitality").levers_for(REGION)
        assert explorer.levers == vitality
        assert explorer.sliders["participation_55-64"].value == vitality.participation_change["55-64"]
        explorer.sliders["tfr"].value = 1.0
        explorer.reset()
        assert explorer.levers == vitality
    finally:
        explorer.controls["scenario"].value = "baseline"


def test_language_relabels_widgets_and_figures(explorer):
    explorer.controls["lang"].value = "sv"
    try:
        assert explorer.reset_button.description == "Återställ scenariot"
        assert "Kajanaland" in explorer.figures["population"].layout.title.text
        assert explorer.controls["region"].value == REGION
        assert explorer.figures["population"].layout.separators == ", "
        assert explorer._tabs.titles == ("Befolkning", "Arbetskraft och jobb", "Yrken och utbildning")
    finally:
        explorer.controls["lang"].value = "fi"


def test_region_and_horizon_pickers_rerun_the_area():
    explorer = Explorer(REGION, lang="en", debounce=0)
    explorer.controls["region"].value = "lappi"
    assert str(explorer.run["region"].values[0]) == "lappi"
    assert "Lapland" in explorer.figures["pyramid"].layout.title.text
    people = float(baseline_population("lappi", 2050)["population"].isel(year=0).sum())
    assert explorer.sliders["extra_migration"].max >= 0.02 * people  # range follows the area's size
    explorer.controls["horizon"].value = 2040
    assert int(explorer.figures["population"].data[1].x[-1]) == 2040
    assert explorer.controls["year"].max == 2040


def test_bad_lever_value_is_shown_not_raised(explorer):
    explorer.sliders["tfr"].value = 0.5
    explorer.sliders["tfr"].max = 4.5
    explorer.sliders["tfr"].value = 4.5  # beyond the schema's 4.0
    assert "tfr" in explorer.status.value and "4" in explorer.status.value
    explorer.sliders["tfr"].max = 3.0


def test_debounce_coalesces_moves_in_a_running_loop():
    explorer = Explorer(REGION, debounce=0.05)
    runs = []
    explorer.recompute = lambda: runs.append(explorer.sliders["tfr"].value)  # count the recomputes

    async def move():
        for value in (1.4, 1.5, 1.6):
            explorer.sliders["tfr"].value = value
        await asyncio.sleep(0.2)

    asyncio.run(move())
    assert runs == [1.6]


# --- saving ------------------------------------------------------------------------------------------


def _texts(word: str) -> dict[str, str]:
    return {"fi": f"{word} fi", "sv": f"{word} sv", "en": f"{word} en"}


def test_saved_scenario_loads_and_reproduces_the_levers(explorer, tmp_path):
    explorer.sliders["tfr"].value = 1.7
    explorer.sliders["extra_migration"].value = 250.0
    explorer.sliders["participation_55-64"].value = 4.0
    path = explorer.save_scenario(tmp_path / "kainuu-future.yaml", scenario_id="kainuu-future",
                                  name=_texts("Name"), narrative=_texts("Story"), justification="Forum 2026.")
    saved = load_scenario(path)
    assert saved.id == "kainuu-future"
    assert saved.levers_for(REGION) == explorer.levers
    assert saved.levers_for("lappi") == load_scenario("baseline").levers_for("lappi")
    assert "Forum 2026." in saved.justification and "tfr" in saved.justification
    content = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert content["regions"][REGION]["tfr"]["target"] == pytest.approx(1.7)


def test_saved_scenario_projects_like_the_explorer(explorer, tmp_path):
    from toolkit.population.project import project_population

    explorer.sliders["e0_M"].value = 2.5
    explorer.sliders["tfr"].value = 1.5
    path = explorer.save_scenario(tmp_path / "mine.yaml", scenario_id="mine", name=_texts("N"),
                                  narrative=_texts("S"), justification="J")
    run = project_population(REGION, [str(path)], horizon=2050)
    np.testing.assert_allclose(run["population"].values, explorer.run["population"].values, rtol=1e-12)


def test_save_form_reports_problems_in_its_status(explorer, tmp_path):
    explorer.save_dir = tmp_path
    form = explorer.save_form
    form["id"].value = "Bad Id!"
    form["save"].click()
    assert "Bad Id!" in form["status"].value
    form["id"].value = "baseline"
    form["save"].click()
    assert "shipped scenario" in form["status"].value
    form["id"].value = "no-texts"
    form["save"].click()  # names and narratives empty: the schema rejects it, nothing is written
    assert "name.fi" in form["status"].value
    assert not list(tmp_path.iterdir())
    for lang in ("fi", "sv", "en"):
        form[f"name_{lang}"].value = f"Oma {lang}"
        form[f"narrative_{lang}"].value = f"Tarina {lang}"
    form["justification"].value = "Forum."
    form["save"].click()
    assert (tmp_path / "no-texts.yaml").is_file()
    assert "forum render --scenario" in form["status"].value
    assert load_scenario(tmp_path / "no-texts.yaml").name["sv"] == "Oma sv"
    form["save"].click()  # the same id again: not overwritten
    assert "exists" in form["status"].value


# --- Voilà command -------------------------------------------------------------------------------------


def test_voila_command_binds_to_localhost_and_validates_input(tmp_path):
    argv, env = voila_command("MK18", 8877, save_dir=tmp_path)
    assert "--Voila.ip=127.0.0.1" in argv and "--port=8877" in argv and "--no-browser" in argv
    assert "--strip_sources=True" in argv
    assert env[ENV_REGION] == REGION
    with pytest.raises(InputError, match="nowhere"):
        voila_command("nowhere", 8877)
    with pytest.raises(InputError, match="port"):
        voila_command(REGION, 80)


def test_from_environment_reads_the_region(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV_REGION, "lappi")
    monkeypatch.setenv("FORUM_EXPLORER_SAVE_DIR", str(tmp_path))
    explorer = Explorer.from_environment()
    assert explorer.region == "lappi" and explorer.save_dir == tmp_path
    monkeypatch.setenv(ENV_REGION, "atlantis")
    with pytest.raises(InputError, match="atlantis"):
        Explorer.from_environment()


def test_a_value_snapped_to_the_slider_step_is_not_a_move():
    """A browser snaps slider values to their step on load: that must not turn the scenario's levers explicit."""
    from toolkit.explorer import Explorer

    explorer = Explorer("kainuu", debounce=0)
    tfr = explorer.sliders["tfr"]
    run, versions = explorer.run, {name: view.version for name, view in explorer.views.items()}
    tfr.value = tfr.value + 0.4 * tfr.step  # within half a step of the value the scenario shows
    assert explorer.levers == explorer.source.levers_for("kainuu")
    assert explorer.run is run  # the same levers: nothing run again, nothing sent
    assert {name: view.version for name, view in explorer.views.items()} == versions
    tfr.value = tfr.value + 2 * tfr.step
    assert explorer.levers.tfr != explorer.source.levers_for("kainuu").tfr
    assert explorer.run is not run and explorer.views["pyramid"].version == versions["pyramid"] + 1


def test_an_explorer_leaves_the_collector_nothing_to_walk():
    """The objects alive once an explorer stands are frozen: a full collection in the middle of a lever move
    would walk them all (some 300,000; 130 ms in a kernel)."""
    import gc

    Explorer("lappi", debounce=0)
    assert gc.get_freeze_count() > 100_000
    assert sum(len(gc.get_objects(generation)) for generation in range(3)) < 2_000


def test_solve_for_moves_the_slider_to_the_value_that_meets_the_target(explorer):
    people = explorer.run["population"].sel(region=REGION, scenario=CURRENT)
    target = float(population_measure(people.sel(year=2025), "15-64"))
    before = explorer.sliders["extra_migration"].value
    value = explorer.solve("15-64", 2040, target, "extra_migration")
    assert explorer.sliders["extra_migration"].value == value > before
    reached = population_measure(explorer.run["population"].sel(region=REGION, scenario=CURRENT, year=2040), "15-64")
    assert float(reached) >= target - 1.0  # rounded towards the side that meets the target


def test_solve_for_an_unreachable_target_says_so_and_moves_nothing(explorer):
    before = {name: slider.value for name, slider in explorer.sliders.items()}
    explorer.solve_form["outcome"].value = "15-64"
    explorer.solve_form["year"].value = 2040
    explorer.solve_form["target"].value = 1e7
    explorer.solve_form["slider"].value = "extra_migration"
    explorer._solve_clicked()
    status = explorer.solve_form["status"].value
    assert "D55E00" in status  # said in the page's language, with the slider's range in persons and the target
    assert "mikään arvo väliltä −100\xa0000–100\xa0000 ei riitä" in status, status  # Babel's no-break spaces
    assert "vähintään 10\xa0000\xa0000" in status
    assert {name: slider.value for name, slider in explorer.sliders.items()} == before
    # births after the base year are 14 at most in 2040: fertility cannot move the 15-64 population of 2040
    explorer.solve_form["slider"].value = "tfr"
    explorer._solve_clicked()
    status = explorer.solve_form["status"].value
    assert "vuonna 2040 32\xa0" in status and "tämä vipu ei vaikuta siihen" in status, status
    assert {name: slider.value for name, slider in explorer.sliders.items()} == before


@pytest.mark.parametrize("band", ["55-64", "65-74"])
def test_participation_sliders_stop_where_a_rate_of_the_band_leaves_0_to_1(explorer, band):
    slider = explorer.sliders[f"participation_{band}"]
    low, high = participation_bounds(REGION, 2050, explorer.scenario, band)
    step = slider.step  # the last step inside the room, at most 30 points either way
    assert slider.min == pytest.approx(max(-30.0, np.ceil(low / step) * step))
    assert slider.max == pytest.approx(min(30.0, np.floor(high / step) * step))
    if band == "65-74":  # Kainuu's 65-74 rate (6 %) stops the slider at its lower end
        assert -7.0 < slider.min < 0.0
    for retirement in (explorer.sliders["retirement_age_shift"].min, explorer.sliders["retirement_age_shift"].max):
        explorer.sliders["retirement_age_shift"].value = retirement
        for value in (slider.min, slider.max):  # every position of the slider gives figures, not an error
            slider.value = value
            assert "D55E00" not in explorer.status.value, (retirement, value, explorer.status.value)
    explorer.reset()
    if low < -30.0:
        return
    # the room itself: a point below it takes a rate of the band below 0, which the skills model refuses
    scenario = explorer.scenario
    below = scenario.model_copy(update={"levers": scenario.levers.merged(
        LeverOverrides.model_validate({"participation_change": {band: float(np.floor(low)) - 1.0}}))})
    with pytest.raises(InputError, match="participation rate"):
        skills_run(explorer.run, below)


def test_a_move_sends_the_pyramid_then_the_open_tab_first(explorer):
    sent = []
    for name, view in explorer.views.items():
        view.widget.observe(lambda _, name=name: sent.append(name), "value")
    try:
        for index, value in ((2, 1.7), (1, 1.5), (0, 1.6)):
            explorer._tabs.selected_index = index
            sent.clear()
            explorer.sliders["tfr"].value = value
            tab = list(TABS.values())[index]
            changed = [name for name in tab if name in sent]
            assert sent[0] == "pyramid" and set(sent[1:1 + len(changed)]) == set(changed), (index, sent)
            assert len(changed) >= 2
    finally:
        explorer._tabs.selected_index = 0


def test_side_by_side_is_xarrays_concat(explorer):
    explorer.sliders["tfr"].value = 1.8
    for baseline, current in ((baseline_population(REGION, 2050), explorer.run),
                              (baseline_skills(REGION, 2050), explorer.skills)):
        expected = xr.concat([baseline, current], dim="scenario", combine_attrs="override", data_vars="all",
                             coords="different", join="outer", compat="equals")
        xr.testing.assert_identical(side_by_side(baseline, current), expected)
    other = baseline_population("lappi", 2050)  # another area: its coordinates differ, xr.concat does the work
    xr.testing.assert_identical(side_by_side(other, explorer.run),
                                xr.concat([other, explorer.run], dim="scenario", combine_attrs="override",
                                          data_vars="all", coords="different", join="outer", compat="equals"))


def test_solve_for_beyond_the_participation_room_says_so_and_moves_nothing(explorer):
    explorer.sliders["retirement_age_shift"].value = explorer.sliders["retirement_age_shift"].max
    slider = explorer.sliders["participation_55-64"]
    assert slider.max < 30.0  # later retirement raises the band's rates: less room upwards
    slider.value = slider.max
    reached = float(explorer.skills["labour_balance"].sel(region=REGION, scenario=CURRENT, year=2040))
    slider.value = 0.0
    before = {name: widget.value for name, widget in explorer.sliders.items()}
    with pytest.raises(InputError, match="0–100 %"):  # capped goal seeking finds a value past the room
        explorer.solve("labour_balance", 2040, reached + 500.0, "participation_55-64")
    assert {name: widget.value for name, widget in explorer.sliders.items()} == before
    assert slider.max < 30.0  # the range was not widened to the unreachable value
    explorer.solve("labour_balance", 2040, reached - 500.0, "participation_55-64")  # inside the room: moved
    assert 0.0 < slider.value <= slider.max
    assert "D55E00" not in explorer.status.value
